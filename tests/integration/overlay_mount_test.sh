#!/usr/bin/env bash
# OverlayMount (how burrowd runs burrow-overlay) and per-operation checks of a live mount, as
# the unprivileged test user inside `unshare -rm`: the hidden [.fuse] Catch2 cases (mount,
# unmount, killed process -> ENOTCONN) plus shell checks of locks, mknod, xattrs, hard links,
# statfs, fsync and inode numbers across copy-up.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/overlay_lib.sh"
burrow_setup
overlay_require fuse_overlay_tests

overlay_script <<INNER
BURROW_BIN_DIR="$T/bin" bin/fuse_overlay_tests "[.fuse]" >catch.log 2>&1 || { cat catch.log >&2; fail "OverlayMount cases"; }

mkdir -p l/etc l/bin u w m
echo lower >l/etc/file; echo a >l/bin/a; ln l/bin/a l/bin/a2; ln l/bin/a l/bin/a3
bin/burrow-overlay -o lowerdir=$T/l,upperdir=$T/u,workdir=$T/w m
# stable inode numbers: the same before and after copy-up
ino1=\$(stat -c %i m/etc/file); chmod 600 m/etc/file; ino2=\$(stat -c %i m/etc/file)
[ "\$ino1" = "\$ino2" ] || fail "inode changed on copy-up: \$ino1 -> \$ino2"
[ "\$(stat -c %a u/etc/file)" = 600 ] || fail "chmod not copied up"
# mode, owner and timestamps kept by copy-up
touch -d 2001-02-03 l/etc/old; echo x >>m/etc/old 2>/dev/null || true
touch -d 2001-02-03 m/etc/file; [ "\$(stat -c %Y m/etc/file)" = "\$(date -d 2001-02-03 +%s)" ] || fail "utimens"
# hard links inside the mount share an inode
ln m/etc/file m/etc/hard; [ "\$(stat -c %i m/etc/file)" = "\$(stat -c %i m/etc/hard)" ] || fail "link inode"
[ "\$(stat -c %h m/etc/hard)" = 2 ] || fail "link count"
echo more >>m/etc/hard; grep -q more m/etc/file || fail "hard link content"
# lower hard links stay one object across copy-up (names looked up later are linked up)
[ "\$(stat -c %i m/bin/a)" = "\$(stat -c %i m/bin/a2)" ] || fail "lower links share an inode"
echo x >>m/bin/a
[ "\$(cat m/bin/a2)" = "\$(printf 'a\nx')" ] || fail "lower link content after copy-up"
[ "\$(cat m/bin/a3)" = "\$(printf 'a\nx')" ] || fail "lower link looked up after copy-up"
[ "\$(stat -c %i u/bin/a)" = "\$(stat -c %i u/bin/a3)" ] || fail "upper link of the copy"
[ "\$(cat l/bin/a)" = a ] || fail "lower link changed"
# O_TMPFILE needs a tmpfile operation that libfuse 3.14 lacks: it must fail cleanly
python3 -c "
import os, errno
try:
    os.close(os.open('m/etc', os.O_TMPFILE | os.O_RDWR, 0o600))
except OSError as e:
    assert e.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL), e
" || fail "O_TMPFILE"
# xattrs: set, get, list, remove
setfattr_() { python3 -c "import os,sys; os.setxattr(sys.argv[1], 'user.t', b'v1')" "\$1"; }
python3 - <<PY || fail "xattrs"
import os
p = "m/etc/file"
os.setxattr(p, "user.t", b"v1")
assert os.getxattr(p, "user.t") == b"v1"
assert "user.t" in os.listxattr(p)
os.removexattr(p, "user.t")
assert "user.t" not in os.listxattr(p)
PY
# truncate, fallocate, fsync
truncate -s 100000 m/etc/big; [ "\$(stat -c %s m/etc/big)" = 100000 ] || fail truncate
fallocate -l 200000 m/etc/big; [ "\$(stat -c %s m/etc/big)" = 200000 ] || fail fallocate
python3 -c "import os; fd=os.open('m/etc/big', os.O_RDWR); os.fsync(fd); os.fdatasync(fd); os.close(fd)" || fail fsync
# mknod of a fifo, symlinks, statfs
mkfifo m/etc/fifo; [ -p m/etc/fifo ] || fail mkfifo
ln -s ../etc/file m/bin/link; [ "\$(cat m/bin/link)" = "\$(cat m/etc/file)" ] || fail symlink
stat -f m >/dev/null || fail statfs
# flock and POSIX locks conflict between processes
exec 9>m/etc/lockfile
flock -n 9 || fail "flock"
if flock -n m/etc/lockfile true; then fail "second flock should conflict"; fi
exec 9>&-
python3 - <<PY || fail "posix locks"
import fcntl, os
fd = os.open("m/etc/plock", os.O_RDWR | os.O_CREAT)
fcntl.lockf(fd, fcntl.LOCK_EX)
pid = os.fork()
if pid == 0:
    fd2 = os.open("m/etc/plock", os.O_RDWR)
    try:
        fcntl.lockf(fd2, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os._exit(1)
    except OSError:
        os._exit(0)
_, status = os.waitpid(pid, 0)
assert os.WEXITSTATUS(status) == 0
PY
# directories: rename of a lower directory, rmdir of lower and merged directories
mv m/bin m/bin2; [ -e m/bin2/a ] && [ ! -e m/bin ] || fail "rename lower dir"
[ -e u/.wh.bin ] || fail "rename leaves a whiteout"
mkdir m/bin; [ -z "\$(ls m/bin)" ] || fail "new dir over whiteout must be empty"
rm -r m/bin2; [ ! -e m/bin2 ] || fail rmdir
umount m
echo ok
INNER
overlay_run_inner "overlay mount checks failed"

# Several users inside the namespace (subordinate ids via newuidmap): new objects belong to
# their creator, and the kernel checks permissions against what the filesystem reports.
overlay_script users.sh <<INNER
rm -rf ul uu uw um; mkdir -p ul/pub ul/root-only uu uw um; chmod 777 ul/pub; chmod 700 ul/root-only
bin/burrow-overlay -o lowerdir=$T/ul,upperdir=$T/uu,workdir=$T/uw um
setpriv --reuid=1000 --regid=1000 --clear-groups sh -c 'echo hi >um/pub/mine && mkdir um/pub/dir' || fail "create as uid 1000"
[ "\$(stat -c %u:%g um/pub/mine)" = 1000:1000 ] || fail "owner of a new file"
[ "\$(stat -c %u:%g uu/pub/dir)" = 1000:1000 ] || fail "owner of a new directory in the upper layer"
if setpriv --reuid=1000 --regid=1000 --clear-groups sh -c 'echo x >um/root-only/f' 2>/dev/null; then fail "permission check"; fi
umount um
echo ok
INNER
[[ $(id -u) -eq 0 ]] && chown "$(test_user)": "$T/users.sh"
if as_user unshare --map-auto --map-root-user true 2>/dev/null; then
  as_user unshare --map-auto --map-root-user -m bash "$T/users.sh" >"$T/users.log" 2>&1 || { cat "$T/users.log" >&2; fail "multi-user checks failed"; }
else
  note "no subordinate id range for $(test_user): multi-user checks left out"
fi
