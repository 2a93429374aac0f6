#!/usr/bin/env bash
# Crash safety of the store (issue 9), build and pull: burrowd killed with SIGKILL while an ADD
# copies into its FUSE overlay mount (tmp/buildscratch-*), while a RUN runs, and while a pull
# downloads a layer (registry-tmp/pull-*, from a registry on 127.0.0.1 that stalls the layer),
# then started again on the same state: it starts without error, the stale build mount is
# unmounted and its burrow-overlay gone, the RUN step's container (still running) is removed,
# no untagged half image shows, no temporary is left, and the same build or pull then succeeds. See hardening_crash_test.sh for the other operations.
source "$(dirname "$0")/lib.sh"
burrow_setup
source "$(dirname "$0")/crash_lib.sh"
source "$(dirname "$0")/build_lib.sh"
require_programs burrowd burrow-shim burrow-overlay burrow-net
command -v python3 >/dev/null || skip "python3 missing"
remove_containers_on_exit
start_burrowd
import_busybox

# burrow_overlays_in DIR: pids of burrow-overlay processes whose command line names DIR.
burrow_overlays_in() { pgrep -f "burrow-overlay.*$1" || true; }

# ---- build: killed while ADD copies a large file into the step's overlay mount ----
mkdir -p "$T/ctx"
head -c $((160 << 20)) /dev/zero >"$T/ctx/big"
printf 'FROM busybox\nADD big /big\n' >"$T/ctx/Dockerfile"
build_tar "$T/ctx" "$T/ctx.tar"
API_TIMEOUT=120 api_build "t=crashbuild" "$T/ctx.tar" >/dev/null &
build=$!
crash_when 'exists "$S/tmp/buildscratch-*/upper-*/big"' "build (ADD)" "$build"
scratch=$(cd "$S/tmp" && echo buildscratch-*)
[[ -n "$(burrow_overlays_in "$scratch")" ]] || note "the ADD mount's burrow-overlay ended with burrowd"
restart_and_check "build (ADD)"
grep -q "unmounted tmp/$scratch/rootfs-" "$T/burrowd.log" || note "no mount of $scratch was left to unmount"
wait_for '[[ -z "$(burrow_overlays_in "$scratch")" ]]' 250 || fail "burrow-overlay of $scratch still runs"
out=$(API_TIMEOUT=120 api_build "t=crashbuild" "$T/ctx.tar" | stream_text)
assert_contains "$out" "Successfully built" "build after the restart"
api GET /images/crashbuild/json >/dev/null
assert_eq "$(api_status)" 200 "the built image"

# ---- build: killed while RUN runs; the next start removes the step's container ----
printf 'FROM busybox\nRUN touch /started && sleep 30\n' >"$T/ctx/Dockerfile"
rm "$T/ctx/big"
build_tar "$T/ctx" "$T/run.tar"
API_TIMEOUT=120 api_build "t=crashrun" "$T/run.tar" >/dev/null &
build=$!
crash_when 'exists "$S/containers/*/upper/started"' "build (RUN)" "$build"
restart_and_check "build (RUN)"
grep -q "sweep: removed container .* of a build step" "$T/burrowd.log" || fail "the RUN container was not removed"
assert_eq "$(api GET "/containers/json?all=1" | json 'len(d)')" 0 "containers left by the interrupted build"
printf 'FROM busybox\nRUN touch /started\n' >"$T/ctx/Dockerfile"
build_tar "$T/ctx" "$T/run.tar"
out=$(API_TIMEOUT=120 api_build "t=crashrun" "$T/run.tar" | stream_text)
assert_contains "$out" "Successfully built" "RUN build after the restart"

# ---- pull: killed while a layer downloads ----
mkdir -p "$T/layer"
head -c $((8 << 20)) /dev/urandom >"$T/layer/blob.bin"
tar --numeric-owner --owner=0 --group=0 -C "$T/layer" -cf "$T/layer.tar" blob.bin
python3 "$(dirname "$0")/slow_registry.py" "$T/layer.tar" "$T/release" "$T/registry.port" 2>"$T/registry.log" &
BURROWD_PIDS+=("$!")  # ended by lib.sh's cleanup
wait_for '[[ -s "$T/registry.port" ]]' || fail "registry did not start: $(cat "$T/registry.log")"
reg="127.0.0.1:$(cat "$T/registry.port")"
API_TIMEOUT=60 api POST "/images/create?fromImage=$reg/crashpull&tag=latest" >/dev/null &
pull=$!
crash_when '[[ $(find "$S/registry-tmp" -type f -size +512k 2>/dev/null | wc -l) -ge 1 ]]' pull "$pull"
touch "$T/release"
restart_and_check pull
out=$(API_TIMEOUT=60 api POST "/images/create?fromImage=$reg/crashpull&tag=latest")
assert_not_contains "$out" '"error"' "pull after the restart"
api GET "/images/$reg/crashpull/json" >/dev/null
assert_eq "$(api_status)" 200 "the pulled image"
note "ok"
