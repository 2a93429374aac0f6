# Shared by the restart_* tests (sourced after lib.sh): the containers whose survival across a
# restart of burrowd they check, a counter that logs 0, 1, 2, ... and a web server on a published
# port, and the checks of both.

# http_get PORT: the body served on 127.0.0.1:PORT (one try, at most 2 s), or nothing.
http_get() { curl -s --max-time 2 "http://127.0.0.1:$1/" 2>/dev/null; }

# gapless FIRST: the numbers on stdin are FIRST, FIRST+1, ... without a gap; prints the last.
gapless() { python3 -c '
import sys
n = [int(l) for l in sys.stdin.read().split()]
if not n or n != list(range(n[0], n[0] + len(n))) or n[0] != int(sys.argv[1]):
    sys.exit("not contiguous from %s: %s" % (sys.argv[1], n[:5] + ["..."] + n[-5:]))
print(n[-1])' "$1"; }

# start_counter_and_web WEB_CMD: starts container "counter" (prints 0, 1, 2, ... every 0.1 s and
# exits 3 on SIGTERM; its id goes to $counter) and container "web", running the JSON command
# array WEB_CMD (which serves /www on port 8080), with 8080 published on 127.0.0.1:$port (a free
# port); returns once web serves.
start_counter_and_web() {
  counter=$(create '{"Image":"busybox","Cmd":["sh","-c","trap \"exit 3\" TERM; i=0; while true; do echo $i; i=$((i+1)); sleep 0.1; done"]}' counter)
  api POST /containers/counter/start >/dev/null
  assert_eq "$(api_status)" 204 "start counter"
  port=$(free_port)
  create '{"Image":"busybox","Cmd":'"$1"',"ExposedPorts":{"8080/tcp":{}}}' web >/dev/null
  api POST /containers/web/start -H 'Content-Type: application/json' \
    -d '{"PortBindings":{"8080/tcp":[{"HostIp":"127.0.0.1","HostPort":"'$port'"}]}}' >/dev/null
  assert_eq "$(api_status)" 204 "start web"
  for _ in $(seq 1 50); do [[ $(http_get "$port") == "hello from burrow" ]] && break; sleep 0.1; done
  assert_eq "$(http_get "$port")" "hello from burrow" "port served before the restart"
}
