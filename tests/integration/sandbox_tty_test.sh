#!/usr/bin/env bash
# TTY mode (a pty from the container's own devpts, relayed by the shim), stdin through attach
# (open_stdin, stdin_once), and resize.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sandbox_lib.sh"
sandbox_setup
mkdir -p "$T/c"
[[ $(id -u) -eq 0 ]] && chown "$(test_user)": "$T/c"

note "tty: the command has a terminal on /dev/pts/0, also /dev/console"
out=$(run_ctr tty --tty -- sh -c 'sleep 0.2; tty; stty size; [ -t 0 ] && echo stdin-is-tty' 2>/dev/null | tr -d '\r')
assert_contains "$out" "/dev/pts/0"
assert_contains "$out" "24 80"
assert_contains "$out" "stdin-is-tty"
assert_contains "$(log_of tty)" '\r\n'

note "stdin piped through attach, closed after the client with stdin_once"
out=$(printf 'line one\nline two\n' | run_ctr stdin -i --stdin-once -- sh -c 'sleep 0.2; cat; echo end' 2>/dev/null)
assert_eq "$out" $'line one\nline two\nend'

note "5 MB of stdin arrive intact"
head -c 5000000 /dev/urandom >"$T/blob"
want=$(md5sum <"$T/blob" | cut -d' ' -f1)
got=$(run_ctr blob -i --stdin-once -- md5sum <"$T/blob" 2>/dev/null | cut -d' ' -f1)
assert_eq "$got" "$want" "md5 of stdin seen by the container"

note "without open_stdin the container reads EOF at once"
out=$(echo ignored | run_ctr nostdin -- sh -c 'cat; echo eof' 2>/dev/null)
assert_eq "$out" "eof"

note "tty with stdin: input is echoed and read"
out=$( (sleep 0.5; printf 'typed\n'; sleep 0.5) | run_ctr ttyin --tty -i -- sh -c 'read x; echo "read:$x"' 2>/dev/null | tr -d '\r')
assert_contains "$out" "read:typed"

note "with a tty, stdin_once leaves the terminal open for the next client"
run_ctr ttyonce --tty -i --stdin-once --detach -- sh -c 'read a; echo "a:$a"; read b; echo "b:$b"' 2>/dev/null
(echo one | drv attach --bundle "$T/c/ttyonce" -i >/dev/null 2>&1 &)
for _ in $(seq 1 100); do grep -q 'a:one' "$T/c/ttyonce"/*-json.log 2>/dev/null && break; sleep 0.1; done
echo two | drv attach --bundle "$T/c/ttyonce" -i >/dev/null 2>&1
assert_eq "$(drv wait --bundle "$T/c/ttyonce")" "0"
assert_contains "$(log_of ttyonce)" 'b:two'

note "resize changes the window size"
run_ctr resize --tty --detach -- \
  sh -c 'for i in $(seq 100); do s=$(stty size); [ "$s" != "24 80" ] && break; sleep 0.1; done; echo "$s"' 2>/dev/null
drv resize --bundle "$T/c/resize" --size 40:120
assert_eq "$(drv wait --bundle "$T/c/resize")" "0"
assert_contains "$(log_of resize)" '40 120'
note "ok"
