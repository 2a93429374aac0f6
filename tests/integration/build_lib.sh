# Helpers shared by the build_*_test.sh scripts (sourced after lib.sh).

# build_tar DIR OUT: a context tar of DIR, members owned by 0:0 as the docker CLI sends them.
build_tar() { tar --numeric-owner --owner=0 --group=0 -C "$1" -cf "$2" .; }

# api_build QUERY TAR: POST /build with the tar as body; prints the JSON stream.
api_build() {
  api POST "/build?$1" -H 'Content-Type: application/x-tar' --data-binary @"$2"
}

# stream_text: the "stream" texts of a build's JSON messages, concatenated.
stream_text() { python3 -c 'import sys, json
for line in sys.stdin:
    line = line.strip()
    if not line: continue
    m = json.loads(line)
    sys.stdout.write(m.get("stream", ""))
    if "error" in m: sys.stdout.write("ERROR: %s code=%s\n" % (m["error"], m.get("errorDetail", {}).get("code")))'; }

# built_id: the 12-character id of "Successfully built <id>" in a build's stream text.
built_id() { sed -n 's/^Successfully built \([0-9a-f]*\)$/\1/p' | tail -n 1; }

# run_in IMAGE JSON_CMD [USER]: creates, starts and waits for a container from IMAGE (JSON_CMD is a
# JSON array, or "null" for the image's own command); prints its stdout and stderr from the
# log file; the exit code goes to $T/exit_code.
run_in() {
  local id
  id=$(api POST /containers/create -H 'Content-Type: application/json' \
    -d "{\"Image\":\"$1\",\"Cmd\":$2,\"User\":\"${3:-}\"}" | python3 -c 'import sys, json; print(json.load(sys.stdin)["Id"])') ||
    fail "create from $1: $(cat "$T/body")"
  api POST "/containers/$id/start" >/dev/null
  [[ $(api_status) == 204 ]] || fail "start from $1: $(cat "$T/body")"
  api POST "/containers/$id/wait" | python3 -c 'import sys, json; print(json.load(sys.stdin)["StatusCode"])' >"$T/exit_code"
  python3 -c 'import sys, json
for line in open(sys.argv[1]):
    sys.stdout.write(json.loads(line)["log"])' "$T/state/containers/$id/$id-json.log"
  api DELETE "/containers/$id" >/dev/null
}

# serve_dir DIR: a python3 http.server on 127.0.0.1 for DIR; sets HTTP_PORT.
serve_dir() {
  python3 - "$1" "$T/http.port" >"$T/http.log" 2>&1 <<'PY' &
import functools, http.server, socketserver, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
with socketserver.TCPServer(("127.0.0.1", 0), handler) as httpd:
    open(sys.argv[2], "w").write(str(httpd.server_address[1]))
    httpd.serve_forever()
PY
  HTTP_PID=$!
  local i
  for i in $(seq 1 50); do [[ -s "$T/http.port" ]] && break; sleep 0.1; done
  HTTP_PORT=$(cat "$T/http.port")
  trap 'rc=$?; kill $HTTP_PID 2>/dev/null; (exit $rc); burrow_cleanup' EXIT
}
