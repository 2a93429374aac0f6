# Helpers for the registry integration tests: a real registry (Debian's docker-registry,
# distribution 2.8) on 127.0.0.1 with its storage in the test directory, optionally with
# htpasswd basic auth. Source after lib.sh and burrow_setup. Never reaches beyond loopback.

REGISTRY_BIN=${REGISTRY_BIN:-/usr/bin/docker-registry}

registry_prereqs() {
  [[ -x "$REGISTRY_BIN" ]] || skip "docker-registry missing (apt-get install docker-registry)"
  command -v python3 >/dev/null || skip "python3 missing"
}

# start_registry [USER PASSWORD]: starts a registry as the test user; sets REG (host:port),
# REG_PID, REG_DIR. With a user, the registry wants htpasswd basic auth.
start_registry() {
  local port
  port=$(free_port)
  REG="127.0.0.1:$port"
  REG_DIR="$T/registry-$port"
  mkdir -p "$REG_DIR/storage"
  local auth=""
  if [[ $# -ge 2 ]]; then
    command -v htpasswd >/dev/null || skip "htpasswd missing (apt-get install apache2-utils)"
    htpasswd -Bbn "$1" "$2" >"$REG_DIR/htpasswd" 2>/dev/null
    auth="auth:
  htpasswd:
    realm: burrow-test
    path: $REG_DIR/htpasswd"
  fi
  cat >"$REG_DIR/config.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $REG_DIR/storage
  delete:
    enabled: true
http:
  addr: $REG
$auth
YAML
  [[ $(id -u) -eq 0 ]] && chown -R "$(test_user)": "$REG_DIR"
  as_user --exec "$REGISTRY_BIN" serve "$REG_DIR/config.yml" >>"$REG_DIR/log" 2>&1 &
  REG_PID=$!
  BURROWD_PIDS+=("$REG_PID")  # lib.sh's cleanup ends it with the daemons
  local i
  for i in $(seq 1 100); do
    if curl -s --max-time 1 -o /dev/null "http://$REG/v2/"; then return 0; fi
    kill -0 "$REG_PID" 2>/dev/null || { cat "$REG_DIR/log" >&2; fail "registry exited during start"; }
    sleep 0.1
  done
  cat "$REG_DIR/log" >&2
  fail "registry on $REG did not answer within 10 s"
}

# registry_auth_header USER PASSWORD: the X-Registry-Auth value the docker CLI would send.
registry_auth_header() {
  printf '{"username":"%s","password":"%s","serveraddress":"%s"}' "$1" "$2" "$REG" | base64 -w0 | tr '+/' '-_'
}
