#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Map /dev/mmapdemo from Python with nothing but the standard mmap module.

Each strategy has its own node, a file of the buffer's size mapped from
offset 0: /dev/mmapdemo (remap), /dev/mmapdemo-fault, /dev/mmapdemo-batched
and /dev/mmapdemo-huge.  Offsets must be multiples of
mmap.ALLOCATIONGRANULARITY (the page size).

It checks, and prints, that bytes cross between this program, the C tool
and read(), in both directions and across strategies.

usage: mmapdemo_example.py [PATH-TO-mmapdemo-TOOL]

The tool is, in this order: the argument, $MMAPDEMO_TOOL, user/mmapdemo
of the source tree this file is in, "mmapdemo" on $PATH (the Debian
package installs it as /usr/bin/mmapdemo and this file under
/usr/share/doc/mmapdemo-tools/examples/).
"""
import errno
import mmap
import os
import shutil
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


def find_tool():
    if len(sys.argv) > 1:
        return sys.argv[1]
    if os.environ.get("MMAPDEMO_TOOL"):
        return os.environ["MMAPDEMO_TOOL"]
    here = os.path.dirname(os.path.abspath(__file__))
    tree = os.path.join(here, "..", "user", "mmapdemo")
    if os.access(tree, os.X_OK):
        return tree
    return shutil.which("mmapdemo")


def open_nodes():
    """Each node read-write, or one line saying why not, and exit 1."""
    fds = {}
    for name, node in NODES.items():
        try:
            fds[name] = os.open(node, os.O_RDWR)
        except OSError as e:
            hint = ""
            if e.errno == errno.ENOENT:
                hint = ": is the module loaded? (mmapdemo load, as root)"
            elif e.errno == errno.EACCES:
                hint = ": the nodes are mode 0600 by default (run as root, or load with mode=)"
            sys.exit(f"mmapdemo_example.py: {node}: {e.strerror}{hint}")
    return fds


def run_tool(tool, *args):
    """The tool's stdout; if it fails, its own message, and exit 1."""
    try:
        r = subprocess.run([tool, *args], capture_output=True, text=True)
    except OSError as e:
        sys.exit(f"mmapdemo_example.py: {tool}: {e.strerror}")
    if r.returncode:
        err = r.stderr.strip().splitlines()
        sys.exit(f"mmapdemo_example.py: {tool} {' '.join(args)}: exit {r.returncode}"
                 + (f": {err[-1]}" if err else ""))
    return r.stdout


def main():
    fds = open_nodes()
    tool = find_tool()
    if not tool:
        sys.exit("mmapdemo_example.py: no mmapdemo tool: not in the source tree, "
                 "not on $PATH; pass its path or set MMAPDEMO_TOOL")
    fd = fds["fault"]
    size = os.lseek(fd, 0, os.SEEK_END)  # a fixed-size file: SEEK_END is the size
    page = mmap.ALLOCATIONGRANULARITY
    off = size - 2 * page                # work near the end of the buffer
    print(f"{DEV}*: {size} bytes, page {page}, working at offset {off:#x}")

    # The C tool writes through a remap mapping; we read through a fault one.
    msg = "written by the C tool"
    run_tool(tool, "write", "-s", "remap", str(off), msg)
    m = mmap.mmap(fd, page, mmap.MAP_SHARED,
                  mmap.PROT_READ | mmap.PROT_WRITE, offset=off)
    got = m[:len(msg)]
    check(got == msg.encode(), f"Python (fault mapping) reads the C tool's write: {got!r}")

    # We write through the mapping; the C tool and read() see it.
    ours = b"written by Python"
    m[256:256 + len(ours)] = ours
    out = run_tool(tool, "read", "-s", "fault", str(off + 256),
                   str(len(ours))).strip().encode()
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
