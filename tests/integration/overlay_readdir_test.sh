#!/usr/bin/env bash
# Directory listings of burrow-overlay under the readdir patterns that need stable offsets, as
# the unprivileged test user inside `unshare -rm`: a 3,000-entry merged directory (many READDIR
# requests) read by interleaved streams, more concurrent half-read streams than the daemon keeps
# listings for, telldir/seekdir, and files created and removed in the middle of a read (every
# untouched entry exactly once, no duplicates); offsets stay below 2^31 for 32-bit readers. Run
# against the default mount (the kernel opens directories itself and caches listings) and with
# -o timeout=0 (every read reaches the daemon).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/overlay_lib.sh"
burrow_setup
overlay_require

cat >"$T/check.py" <<'PY'
import ctypes, os, sys

libc = ctypes.CDLL(None, use_errno=True)
class Dirent(ctypes.Structure):
    _fields_ = [("d_ino", ctypes.c_uint64), ("d_off", ctypes.c_int64), ("d_reclen", ctypes.c_ushort),
                ("d_type", ctypes.c_ubyte), ("d_name", ctypes.c_char * 256)]
libc.opendir.restype = ctypes.c_void_p
libc.opendir.argtypes = [ctypes.c_char_p]
libc.readdir.restype = ctypes.POINTER(Dirent)
libc.readdir.argtypes = [ctypes.c_void_p]
libc.telldir.restype = ctypes.c_long
libc.telldir.argtypes = [ctypes.c_void_p]
libc.seekdir.argtypes = [ctypes.c_void_p, ctypes.c_long]
libc.closedir.argtypes = [ctypes.c_void_p]

mode, top = sys.argv[1], sys.argv[2]
big = os.path.join(top, "big")

class Stream:
    def __init__(self):
        self.d = libc.opendir(big.encode())
        assert self.d, "opendir failed"
        self.seen = []
    def read(self, n=None):
        while n is None or n > 0:
            e = libc.readdir(self.d)
            if not e:
                return False
            if not 0 < e.contents.d_off < 2**31:  # 32-bit readers get EOVERFLOW above
                fail("readdir offset %d is not a positive 31-bit number" % e.contents.d_off)
            name = e.contents.d_name.decode()
            if name not in (".", ".."):
                self.seen.append(name)
                if n is not None:
                    n -= 1
        return True
    def close(self):
        libc.closedir(self.d)

def fail(msg):
    print("FAIL (%s mount): %s" % (mode, msg))
    sys.exit(1)

def once(names, what):
    dups = len(names) - len(set(names))
    if dups:
        fail("%s: %d duplicate entries" % (what, dups))
    return set(names)

expected = set(open(sys.argv[3]).read().split())

# One full read, then two streams interleaved.
s = Stream(); s.read(); s.close()
if once(s.seen, "full read") != expected:
    fail("full read: %d entries, expected %d" % (len(set(s.seen)), len(expected)))
a, b = Stream(), Stream()
a.read(500); b.read(1000); a.read(); b.read()
for x, w in ((a, "stream a"), (b, "stream b")):
    if once(x.seen, w) != expected:
        fail("%s differs" % w)
    x.close()

# More half-read streams at once than the daemon keeps listings for, then each finished.
streams = [Stream() for _ in range(7)]
for i, x in enumerate(streams):
    x.read(100 + 200 * i)
for i, x in enumerate(streams):
    x.read()
    if once(x.seen, "stream %d of 7" % i) != expected:
        fail("stream %d of 7 differs" % i)
    x.close()

# telldir/seekdir: the tail read again from a remembered position is the same tail.
d = Stream(); d.read(1000)
pos = libc.telldir(d.d)
d.read()
tail = d.seen[1000:]
libc.seekdir(d.d, pos)
d.seen = []
d.read()
if d.seen != tail:
    fail("seekdir: %d entries after the position, expected %d" % (len(d.seen), len(tail)))
d.close()

# Changes in the middle of a read: untouched entries exactly once, new or removed ones at most once.
c = Stream(); c.read(700)
ordered = sorted(expected)
removed = set(ordered[::60])
for n in removed:
    os.unlink(os.path.join(big, n))
added = set("new-%03d-%s" % (i, "y" * 40) for i in range(50))
for n in added:
    open(os.path.join(big, n), "w").close()
c.read(); c.close()
got = once(c.seen, "read across changes")
untouched = expected - removed
if not untouched <= got:
    fail("read across changes lost %d untouched entries" % len(untouched - got))
if not got <= expected | added:
    fail("read across changes made up entries: %s" % sorted(got - expected - added)[:3])
after = untouched | added
s = Stream(); s.read(); s.close()
if once(s.seen, "read after changes") != after:
    fail("read after changes: %d entries, expected %d" % (len(set(s.seen)), len(after)))
print("ok")
PY

overlay_script <<INNER
for opts in "" ",timeout=0"; do
  rm -rf l1 l2 u w m; mkdir -p l1/big l2/big u w m
  python3 - <<'MK'
import os
names = set()
for i in range(3000):
    n = "entry-%04d-%s" % (i, "x" * 40)
    open("l2/big/" + n, "w").close()
    names.add(n)
for i in range(0, 3000, 150):   # hidden by whiteouts in the upper lower layer
    n = "entry-%04d-%s" % (i, "x" * 40)
    open("l1/big/.wh." + n, "w").close()
    names.discard(n)
for i in range(40):             # only in the upper lower layer
    n = "top-%02d-%s" % (i, "z" * 40)
    open("l1/big/" + n, "w").close()
    names.add(n)
open("expected", "w").write("\n".join(sorted(names)))
MK
  bin/burrow-overlay -o lowerdir=$T/l1:$T/l2,upperdir=$T/u,workdir=$T/w\$opts m
  python3 check.py "default\$opts" m expected || { umount m; exit 1; }
  umount m
done
INNER
overlay_run_inner "directory listings of burrow-overlay are wrong"
