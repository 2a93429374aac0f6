#!/usr/bin/env bash
# Registry credentials against a loopback docker-registry with htpasswd basic auth: POST /auth
# answers 200 for good credentials and 401 with the registry's message for a wrong password;
# push and pull without or with wrong credentials fail clearly (X-Registry-Auth), with the
# right ones they work; docker login/push/pull through the CLI carry the credentials.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/registry_lib.sh"
[[ -x "$BURROW_BIN_DIR/burrowd" ]] || skip "burrowd not built"
registry_prereqs
command -v htpasswd >/dev/null || skip "htpasswd missing (apt-get install apache2-utils)"
burrow_setup
start_burrowd
start_registry alice 's3cret-pw'

good=$(registry_auth_header alice 's3cret-pw')
bad=$(registry_auth_header alice wrong)

note "POST /auth"
out=$(api POST /auth -H 'Content-Type: application/json' \
  -d "{\"username\":\"alice\",\"password\":\"s3cret-pw\",\"serveraddress\":\"http://$REG/\"}")
assert_eq "$(api_status)" 200 "good credentials"
assert_contains "$out" "Login Succeeded" "login status"
out=$(api POST /auth -H 'Content-Type: application/json' \
  -d "{\"username\":\"alice\",\"password\":\"wrong\",\"serveraddress\":\"$REG\"}")
assert_eq "$(api_status)" 401 "wrong password"
assert_contains "$out" "unauthorized" "the registry's message"
api POST /auth -H 'Content-Type: application/json' -d "{\"username\":\"alice\",\"password\":\"x\",\"serveraddress\":\"127.0.0.1:$(free_port)\"}" >/dev/null
[[ $(api_status) == 5* ]] || fail "unreachable registry gave $(api_status)"

api POST "/images/create?fromSrc=-&repo=$REG/secret&tag=v1" --data-binary "@$(busybox_tar)" >/dev/null
assert_eq "$(api_status)" 200 "import"

note "push"
out=$(api POST "/images/$REG/secret/push?tag=v1")
assert_contains "$out" '"error"' "push without credentials"
assert_contains "$out" "authentication required" "push without credentials message"
out=$(api POST "/images/$REG/secret/push?tag=v1" -H "X-Registry-Auth: $bad")
assert_contains "$out" '"error"' "push with a wrong password"
out=$(api POST "/images/$REG/secret/push?tag=v1" -H "X-Registry-Auth: $good")
assert_not_contains "$out" '"error"' "push with credentials"
assert_contains "$out" "v1: digest: sha256:" "push digest"

note "pull"
api DELETE "/images/$REG/secret:v1" >/dev/null
out=$(api POST "/images/create?fromImage=$REG/secret&tag=v1" -H "X-Registry-Auth: $bad")
assert_contains "$out" '"error"' "pull with a wrong password"
assert_contains "$out" "unauthorized" "pull error is clear"
assert_contains "$out" "$REG" "pull error names the registry"
api GET "/images/$REG/secret:v1/json" >/dev/null
assert_eq "$(api_status)" 404 "nothing pulled"
out=$(api POST "/images/create?fromImage=$REG/secret&tag=v1" -H "X-Registry-Auth: $good")
assert_not_contains "$out" '"error"' "pull with credentials"
assert_contains "$out" "Downloaded newer image" "pulled"

note "search with credentials (catalog)"
out=$(api GET "/images/search?term=$REG/sec" -H "X-Registry-Auth: $good")
assert_contains "$out" "\"name\":\"$REG/secret\"" "search"

if have_docker_cli; then
  note "docker login, push, pull"
  out=$(docker_cli login -u alice -p wrong "$REG" 2>&1) && fail "docker login with a wrong password succeeded: $out"
  out=$(docker_cli login -u alice -p 's3cret-pw' "$REG" 2>&1) || fail "docker login: $out"
  assert_contains "$out" "Login Succeeded" "docker login"
  api POST "/images/$REG/secret:v1/tag?repo=$REG/cli&tag=c2" >/dev/null
  out=$(docker_cli push "$REG/cli:c2" 2>&1) || fail "docker push: $out"
  assert_contains "$out" "c2: digest: sha256:" "docker push with stored credentials"
  docker_cli rmi "$REG/cli:c2" "$REG/secret:v1" >/dev/null 2>&1 || fail "docker rmi"
  out=$(docker_cli pull "$REG/cli:c2" 2>&1) || fail "docker pull: $out"
  assert_contains "$out" "Pull complete" "docker pull with stored credentials"
fi
note "ok"
