#!/usr/bin/env bash
# A real workload on burrow-overlay, as the unprivileged test user inside `unshare -rm`: a
# generated rootfs is unpacked from a tar as the lower layer, a second tar is unpacked into
# the mount, a shell loop edits, appends, renames and deletes files, and then the upper
# layer's changes (burrow-overlay --changes) and the merged contents are checked.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/overlay_lib.sh"
burrow_setup
overlay_require

overlay_script <<INNER
# A generated rootfs: 40 directories x 25 files, symlinks, an executable, a setgid directory.
mkdir -p gen/etc gen/usr/bin gen/var/lib
for d in \$(seq 1 40); do
  mkdir -p gen/usr/share/pkg\$d
  for f in \$(seq 1 25); do echo "pkg \$d file \$f" >gen/usr/share/pkg\$d/f\$f; done
done
echo "root:x:0:0::/root:/bin/sh" >gen/etc/passwd
echo "#!/bin/sh" >gen/usr/bin/tool; chmod 755 gen/usr/bin/tool
ln -s usr/bin gen/bin
mkdir -m 2775 gen/var/lib/shared
tar -C gen -cf rootfs.tar .
mkdir -p lower upper work merged
tar -C lower -xf rootfs.tar
bin/burrow-overlay -o lowerdir=$T/lower,upperdir=$T/upper,workdir=$T/work merged

# An "apt install": a second tar unpacked on top.
mkdir -p add/usr/lib/newpkg; for f in \$(seq 1 50); do echo "new \$f" >add/usr/lib/newpkg/n\$f; done
tar -C add -cf add.tar .
tar -C merged -xf add.tar

# Edits, appends, renames and deletes.
for d in \$(seq 1 10); do
  echo "edited" >merged/usr/share/pkg\$d/f1
  echo "appended" >>merged/usr/share/pkg\$d/f2
  mv merged/usr/share/pkg\$d/f3 merged/usr/share/pkg\$d/f3.renamed
  rm merged/usr/share/pkg\$d/f4
done
rm -r merged/usr/share/pkg40
mv merged/usr/share/pkg39 merged/usr/share/pkg39-moved
echo "user:x:1000:1000::/home/user:/bin/sh" >>merged/etc/passwd
sed -i 's/root/toor/' merged/etc/passwd
touch merged/var/lib/shared/x

# The merged view.
[ "\$(cat merged/usr/share/pkg1/f1)" = edited ] || fail "edit"
[ "\$(tail -n1 merged/usr/share/pkg2/f2)" = appended ] || fail "append"
[ -e merged/usr/share/pkg3/f3.renamed ] && [ ! -e merged/usr/share/pkg3/f3 ] || fail "rename"
[ ! -e merged/usr/share/pkg4/f4 ] || fail "delete"
[ ! -e merged/usr/share/pkg40 ] || fail "rm -r"
[ "\$(ls merged/usr/share/pkg39-moved | wc -l)" = 25 ] || fail "moved directory"
[ "\$(ls merged/usr/lib/newpkg | wc -l)" = 50 ] || fail "untarred files"
[ "\$(stat -c %g merged/var/lib/shared/x)" = "\$(stat -c %g merged/var/lib/shared)" ] || fail "setgid group"
grep -q toor merged/etc/passwd || fail "sed -i"
[ "\$(cat lower/usr/share/pkg1/f1)" = "pkg 1 file 1" ] || fail "lower layer changed"
[ "\$(find merged -type f | wc -l)" = "\$(( 40*25 + 2 + 50 - 10 - 25 + 1 ))" ] || fail "file count \$(find merged -type f | wc -l)"
umount merged

# The changes, as docker diff shows them.
bin/burrow-overlay --changes -o lowerdir=$T/lower,upperdir=$T/upper >changes.txt
grep -qx "C /usr/share/pkg1/f1" changes.txt || fail "modified file"
grep -qx "D /usr/share/pkg4/f4" changes.txt || fail "deleted file"
grep -qx "A /usr/share/pkg3/f3.renamed" changes.txt || fail "renamed file added"
grep -qx "D /usr/share/pkg3/f3" changes.txt || fail "renamed file deleted"
grep -qx "D /usr/share/pkg40" changes.txt || fail "deleted directory"
grep -qx "A /usr/share/pkg39-moved" changes.txt || fail "moved directory"
grep -qx "D /usr/share/pkg39" changes.txt || fail "moved directory source"
grep -qx "A /usr/lib/newpkg/n7" changes.txt || fail "untarred file"
grep -qx "C /usr/share/pkg3" changes.txt || fail "parent listed as modified"
grep -qx "C /etc/passwd" changes.txt || fail "sed -i"
grep -qx "A /var/lib/shared/x" changes.txt || fail "setgid dir file"
! grep -q "\.wh\." changes.txt || fail "whiteout names leak"
! grep -q "pkg15" changes.txt || fail "untouched paths listed"
echo ok
INNER
overlay_run_inner "workload on burrow-overlay failed"
