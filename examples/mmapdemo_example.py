#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Map /dev/mmapdemo from Python with nothing but the standard mmap module.

Each strategy has its own node, a file of the buffer's size mapped from
offset 0: /dev/mmapdemo (remap), /dev/mmapdemo-fault, /dev/mmapdemo-batched
and /dev/mmapdemo-huge.  Offsets must be multiples of
mmap.ALLOCATIONGRANULARITY (the page size).

It checks, and prints, that bytes cross between this program, the C tool
(user/mmapdemo) and read(), in both directions and across strategies.

usage: examples/mmapdemo_example.py [PATH-TO-mmapdemo-TOOL]
"""
import errno
import mmap
import os
import subprocess
import sys

DEV = "/dev/mmapdemo"
NODES = {"remap": DEV, "fault": DEV + "-fault", "batched": DEV + "-batched",
         "huge": DEV + "-huge"}

failures = 0


def check(ok, what):
    global failures
    print(("ok      " if ok else "FAILED  ") + what)
    failures += not ok


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    tool = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(here, "..", "user", "mmapdemo")
    fds = {name: os.open(node, os.O_RDWR) for name, node in NODES.items()}
    fd = fds["fault"]
    size = os.lseek(fd, 0, os.SEEK_END)  # a fixed-size file: SEEK_END is the size
    page = mmap.ALLOCATIONGRANULARITY
    off = size - 2 * page                # work near the end of the buffer
    print(f"{DEV}*: {size} bytes, page {page}, working at offset {off:#x}")

    # The C tool writes through a remap mapping; we read through a fault one.
    msg = "written by the C tool"
    subprocess.run([tool, "write", "-s", "remap", str(off), msg], check=True,
                   stdout=subprocess.DEVNULL)
    m = mmap.mmap(fd, page, mmap.MAP_SHARED,
                  mmap.PROT_READ | mmap.PROT_WRITE, offset=off)
    got = m[:len(msg)]
    check(got == msg.encode(), f"Python (fault mapping) reads the C tool's write: {got!r}")

    # We write through the mapping; the C tool and read() see it.
    ours = b"written by Python"
    m[256:256 + len(ours)] = ours
    out = subprocess.run([tool, "read", "-s", "fault", str(off + 256),
                          str(len(ours))], check=True,
                         capture_output=True).stdout.strip()
    check(out == ours, f"the C tool reads Python's write: {out!r}")
    got = os.pread(fd, len(ours), off + 256)
    check(got == ours, f"read() returns Python's write: {got!r}")

    # A second mapping with the other strategy shows the same bytes.
    r = mmap.mmap(fds["remap"], page, mmap.MAP_SHARED, mmap.PROT_READ,
                  offset=off)
    check(r[256:256 + len(ours)] == ours, "a remap mapping shows the same bytes")
    r.close()

    # mmap.flush() is msync(MS_SYNC) and os.fsync() is fsync(): both succeed
    # on every strategy (the buffer is memory, there is nothing to write
    # back), so code written for regular files runs unchanged.
    flushed = []
    for s, name in enumerate(NODES):
        f = mmap.mmap(fds[name], page, offset=off)
        f[512:516] = b"fl%02d" % s
        f.flush()
        os.fsync(fds[name])
        if os.pread(fd, 4, off + 512) == b"fl%02d" % s:
            flushed.append(name)
        f[512:516] = b"\0" * 4
        f.close()
    check(len(flushed) == len(NODES),
          f"mmap.flush() and os.fsync() succeed on every strategy: {', '.join(flushed)}")

    # The kernel's rules, seen from Python.
    try:
        mmap.mmap(fd, page, offset=off + 1)
        check(False, "an unaligned offset is refused")
    except (OSError, ValueError) as e:
        check(getattr(e, "errno", errno.EINVAL) == errno.EINVAL,
              f"an unaligned offset is refused: {e}")
    try:
        mmap.mmap(fd, page, offset=size)
        check(False, "an offset past the end is refused")
    except OSError as e:
        check(e.errno == errno.EINVAL, f"an offset past the end is refused: {e}")

    m[0:len(msg)] = b"\0" * len(msg)     # leave the buffer as we found it
    m[256:256 + len(ours)] = b"\0" * len(ours)
    m.close()
    for f in fds.values():
        os.close(f)
    print("all checks passed" if not failures else f"{failures} check(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
