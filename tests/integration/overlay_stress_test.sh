#!/usr/bin/env bash
# Concurrency on burrow-overlay, as the unprivileged test user inside `unshare -rm`: parallel
# processes copy up files of the same lower directories at once (racing on the parent's
# copy-up), append to one shared lower file, create/rename/remove in one directory and list
# directories meanwhile; then every write must be there and nothing else.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/overlay_lib.sh"
burrow_setup
overlay_require

overlay_script <<INNER
mkdir -p l/shared u w m
for d in \$(seq 1 8); do mkdir -p l/d\$d/sub; for f in \$(seq 1 50); do echo "v0" >l/d\$d/sub/f\$f; done; done
: >l/shared/log
bin/burrow-overlay -o lowerdir=$T/l,upperdir=$T/u,workdir=$T/w m
worker() {
  local n=\$1 i
  for i in \$(seq 1 50); do
    echo "w\$n" >>m/d\$(( (i % 8) + 1 ))/sub/f\$(( (n * 7 + i) % 50 + 1 ))
    echo "w\$n line \$i" >>m/shared/log
    echo x >m/shared/tmp-\$n-\$i && mv m/shared/tmp-\$n-\$i m/shared/final-\$n-\$i
    [ \$(( i % 3 )) -eq 0 ] && rm m/shared/final-\$n-\$i
    ls m/shared >/dev/null
  done
}
for n in \$(seq 1 8); do worker \$n & done
wait
[ "\$(grep -c line m/shared/log)" = 400 ] || fail "appends lost: \$(grep -c line m/shared/log) of 400"
[ "\$(ls m/shared | grep -c '^final-')" = \$(( 8 * (50 - 16) )) ] || fail "renames: \$(ls m/shared | grep -c '^final-')"
[ "\$(ls m/shared | grep -c '^tmp-')" = 0 ] || fail "temporary names left"
total=0
for d in \$(seq 1 8); do total=\$(( total + \$(cat m/d\$d/sub/f* | grep -c '^w') )); done
[ "\$total" = 400 ] || fail "copy-up writes lost: \$total of 400"
for d in \$(seq 1 8); do [ "\$(ls m/d\$d/sub | wc -l)" = 50 ] || fail "d\$d listing"; done
[ -z "\$(ls w)" ] || fail "work directory not empty: \$(ls w)"
umount m
echo ok
INNER
overlay_run_inner "concurrent use of burrow-overlay failed"
