#!/usr/bin/env bash
# An idle burrowd (default options, no containers), started by an unprivileged user, stays under
# 10 MB resident (issue 2's target). Code an idle daemon does not run is not even mapped:
# libarchive, libcrypto and the TLS client (POCO NetSSL, OpenSSL) are loaded on first use
# (image/lazy_library.h), which the test checks by importing an image (tar and digests) and
# seeing libarchive appear. Skipped for sanitizer builds, whose shadow memory is far larger.
source "$(dirname "$0")/lib.sh"
[[ ${BURROW_SANITIZE:-OFF} == ON ]] && skip "sanitizer builds need several times the memory"
burrow_setup
require_programs burrowd

limit_kb=10240
start_burrowd
api GET /info >/dev/null
sleep 0.5

maps=$(cat "/proc/$BURROWD_PID/maps")
for lib in libarchive libcrypto libssl libPocoNetSSL libPocoCrypto burrow-tls; do
  assert_not_contains "$maps" "$lib" "an idle burrowd maps $lib"
done
rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$BURROWD_PID/status")
note "idle burrowd: VmRSS ${rss} kB, $(awk '/^Pss:/ {print "PSS " $2 " kB"}' "/proc/$BURROWD_PID/smaps_rollup")"
if ((rss >= limit_kb)); then
  pmap -x "$BURROWD_PID" | sort -k3 -n -r | head -25 >&2
  fail "idle burrowd has ${rss} kB resident, the limit is ${limit_kb} kB"
fi

# The libraries come when needed: an import reads a tar archive (libarchive) and digests it.
api POST "/images/create?fromSrc=-&repo=busybox&tag=latest" --data-binary @"$(busybox_tar)" >/dev/null
assert_eq "$(api_status)" 200 "import busybox"
assert_contains "$(cat "/proc/$BURROWD_PID/maps")" "libarchive" "libarchive is loaded once a tar archive is read"
api GET /images/busybox/json >/dev/null
assert_eq "$(api_status)" 200 "the imported image is there"
note "ok"
