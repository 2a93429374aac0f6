#!/usr/bin/env bash
# Crash safety of the store (issue 9): burrowd killed with SIGKILL in the middle of an import,
# a commit, an rmi, a container removal and a burst of creates, each at a point the test sees
# (the operation's temporary exists), then started again on the same state: it starts without
# error, images/json and containers/json answer, no untagged half image shows, the same
# operation then succeeds, and no temporary is left. Also leftovers planted as a killed burrowd
# leaves them (a container directory without config.json, a *.tmp-<n> file) are swept.
# hardening_crash_build_test.sh does the same for build and pull.
source "$(dirname "$0")/lib.sh"
burrow_setup
source "$(dirname "$0")/crash_lib.sh"
require_programs burrowd burrow-shim burrow-overlay burrow-net
remove_containers_on_exit
start_burrowd
import_busybox

# ---- import: the body stalls after its first member until the kill ----
mkdir -p "$T/ctx"
head -c $((2 << 20)) /dev/urandom >"$T/ctx/first.bin"
head -c $((4 << 20)) /dev/urandom >"$T/ctx/second.bin"
tar --numeric-owner --owner=0 --group=0 -C "$T/ctx" -cf "$T/import.tar" first.bin second.bin
cut=$(((3 << 20) + 1024))  # past first.bin, inside second.bin
{
  head -c "$cut" "$T/import.tar"
  for _ in $(seq 1 500); do [[ -e "$T/release" ]] && break; sleep 0.05; done
  tail -c +$((cut + 1)) "$T/import.tar"
} 2>/dev/null | curl -sS --max-time 60 --unix-socket "$SOCK" -X POST -T - -o /dev/null \
  "http://localhost/images/create?fromSrc=-&repo=crashimport&tag=latest" 2>/dev/null &
upload=$!
crash_when 'exists "$S/images/.tmp-*/layer/second.bin"' import
touch "$T/release"  # curl sees the reset only once its input moves again
wait "$upload" || true
restart_and_check import
api GET /images/crashimport/json >/dev/null
assert_eq "$(api_status)" 404 "the interrupted import left no image"
api POST "/images/create?fromSrc=-&repo=crashimport&tag=latest" --data-binary @"$T/import.tar" >/dev/null
assert_eq "$(api_status)" 200 "import after the restart"
api GET /images/crashimport/json >/dev/null
assert_eq "$(api_status)" 200 "the imported image"

# ---- commit: a writable layer of many files, killed while it is copied to the staging dir ----
writer=$(run_wait '{"Image":"busybox","Cmd":["sh","-c","mkdir /d && cd /d && seq 1 2500 | xargs touch && dd if=/dev/zero of=/big bs=1M count=48 2>/dev/null"]}')
API_TIMEOUT=60 api POST "/commit?container=$writer&repo=crashcommit" >/dev/null &
commit=$!
crash_when 'exists "$S/images/.tmp-*/layer/d"' commit "$commit"
restart_and_check commit
api GET /images/crashcommit/json >/dev/null
if [[ $(api_status) == 200 ]]; then
  note "the commit finished before the kill"  # committing again would leave the first untagged
else
  API_TIMEOUT=60 api POST "/commit?container=$writer&repo=crashcommit" >/dev/null
  assert_eq "$(api_status)" 201 "commit after the restart: $(cat "$T/body")"
fi

# ---- rmi: killed while the image's files are removed ----
API_TIMEOUT=60 api DELETE /images/crashcommit >/dev/null &
rmi=$!
crash_when 'exists "$S/images/.tmp-rm-*" || ! kill -0 $rmi 2>/dev/null' rmi "$rmi"
exists "$S/images/.tmp-rm-*" || note "rmi finished before the kill (it was faster than the poll)"
restart_and_check rmi
api DELETE /images/crashcommit >/dev/null
[[ $(api_status) == 200 || $(api_status) == 404 ]] || fail "rmi after the restart: $(api_status) $(cat "$T/body")"
api GET /images/crashcommit/json >/dev/null
assert_eq "$(api_status)" 404 "crashcommit is gone"

# ---- container removal: killed while the container's directory is removed ----
API_TIMEOUT=60 api DELETE "/containers/$writer" >/dev/null &
rm_pid=$!
crash_when "exists \"\$S/containers/.rm-*\" || ! kill -0 $rm_pid 2>/dev/null" "container removal" "$rm_pid"
exists "$S/containers/.rm-*" || note "the removal finished before the kill"
restart_and_check "container removal"
api DELETE "/containers/$writer" >/dev/null
[[ $(api_status) == 204 || $(api_status) == 404 ]] || fail "rm after the restart: $(api_status) $(cat "$T/body")"
api GET "/containers/$writer/json" >/dev/null
assert_eq "$(api_status)" 404 "the removed container is gone"

# ---- create: a burst of creates, killed while they run; plus planted half-written leftovers ----
(
  for i in $(seq 1 300); do
    curl -s --max-time 10 --unix-socket "$SOCK" -X POST -H 'Content-Type: application/json' \
      -d '{"Image":"busybox","Cmd":["true"]}' -o /dev/null "http://localhost/containers/create" || exit 0
  done
) &
burst=$!
crash_when '[[ $(find "$S/containers" -mindepth 1 -maxdepth 1 | wc -l) -ge 5 ]]' "container creates" "$burst"
half=$(head -c 32 /dev/urandom | sha256sum | cut -c1-64)
as_user mkdir -p "$S/containers/$half/upper" "$S/tmp/build-0123456789abcdef" "$S/registry-tmp/pull-0123456789abcdef"
as_user touch "$S/repositories.json.tmp-123456"
some=$(find "$S/containers" -mindepth 1 -maxdepth 1 -name '[0-9a-f]*' ! -name "$half" | head -n 1)
as_user touch "$some/state.json.tmp-42"
restart_and_check "container creates"
grep -q "removed containers/$half (container creation cut short)" "$T/burrowd.log" ||
  fail "the half-created container directory was not reported"
count=$(api GET "/containers/json?all=1" | json 'len(d)')
dirs=$(find "$S/containers" -mindepth 1 -maxdepth 1 | wc -l)
assert_eq "$count" "$dirs" "containers/json lists every container directory"
id=$(create '{"Image":"busybox","Cmd":["true"]}')
[[ ${#id} -eq 64 ]] || fail "create after the restart: $(cat "$T/body")"
note "ok"
