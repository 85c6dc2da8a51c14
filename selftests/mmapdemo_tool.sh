#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The mmapdemo tool (user/mmapdemo) and the Python example, end to end:
# verify, info/stats JSON against sysfs, the Python mmap example, and the
# libkmod load/unload paths with every error message a user can meet.
# Needs root and the module; leaves it loaded with default parameters.
#
# MMAPDEMO_TOOL: the tool (default ../user/mmapdemo from this script's
# source directory); MMAPDEMO_KO: the module to load.
# Conditions are quoted and evaluated by result() after run() set $rc:
# shellcheck disable=SC2016,SC2034
DIR=$(dirname "$(readlink -f "$0")")
for h in "$DIR/../kselftest/ktap_helpers.sh" \
	 "${KSFT_DIR:-/nonexistent}/kselftest/ktap_helpers.sh"; do
	# shellcheck source=/dev/null
	[ -f "$h" ] && . "$h" && break
done
if ! command -v ktap_print_header >/dev/null; then
	echo "mmapdemo_tool.sh: kselftest/ktap_helpers.sh not found (set KSFT_DIR)"
	exit 1
fi

SRC=${MMAPDEMO_SRC:-$(cd "$DIR/.." && pwd)}
TOOL=${MMAPDEMO_TOOL:-$SRC/user/mmapdemo}
EXAMPLE=$SRC/examples/mmapdemo_example.py
SYSFS=/sys/class/misc/mmapdemo
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

ktap_print_header
if [ "$(id -u)" != 0 ]; then
	ktap_skip_all "needs root to load and unload the module"
	exit "$KSFT_SKIP"
fi
if [ ! -x "$TOOL" ]; then
	ktap_skip_all "no mmapdemo tool at $TOOL (set MMAPDEMO_TOOL)"
	exit "$KSFT_SKIP"
fi
ktap_set_plan 14

run() {	# run NAME CMD...: output in $OUT/NAME, status in $rc
	local name=$1
	shift
	"$@" > "$OUT/$name" 2>&1
	rc=$?
	sed 's/^/# /' "$OUT/$name"
}

result() {	# result NAME CONDITION...
	local name=$1
	shift
	if "$@"; then ktap_test_pass "$name"; else ktap_test_fail "$name"; fi
}

has() { grep -q -- "$2" "$OUT/$1"; }

[ -e /dev/mmapdemo ] || "$TOOL" load > /dev/null 2>&1

run verify "$TOOL" verify
result "tool: verify passes every check" \
	eval '[ $rc = 0 ] && has verify " 0 failed"'

run info "$TOOL" info --json
run stats "$TOOL" stats --json
# One Python process for three checks (a Python start-up costs ~20 s on
# the debug kernel under emulation); each prints "ok NAME" when it holds:
#   the JSON of info and stats agrees with sysfs;
#   mmap.flush() (msync(MS_SYNC)) and os.fsync() succeed on every strategy
#   (noop_fsync), and the bytes are the buffer's.
run py python3 -c "
import json, mmap, os
j = json.load(open('$OUT/info'))
if j['buffer_size'] == int(open('$SYSFS/buffer_size').read()):
    print('ok info')
j = json.load(open('$OUT/stats'))
if (j['live_maps'] == int(open('$SYSFS/live_maps').read())
        and 'fault' in j['strategies']):
    print('ok stats')
fd = os.open('/dev/mmapdemo', os.O_RDWR)
for s, name in enumerate(('remap', 'fault', 'batched', 'huge')):
    m = mmap.mmap(fd, 8192, offset=s << 40)
    m[0:4] = b'fl%02d' % s
    m.flush()
    os.fsync(fd)
    assert os.pread(fd, 4, 0) == b'fl%02d' % s, name
    m.close()
print('ok flush')
"
result "tool: info --json agrees with sysfs" has py "^ok info$"
result "tool: stats --json agrees with sysfs" has py "^ok stats$"
result "python: mmap.flush() and os.fsync() succeed on every strategy" \
	has py "^ok flush$"

run python python3 "$EXAMPLE" "$TOOL"
result "python example: standard mmap module sees the C tool's bytes" \
	eval '[ $rc = 0 ] && has python "all checks passed"'

# Every sysfs attribute is documented, every documented one exists.
ABI=$SRC/docs/ABI/testing/sysfs-class-misc-mmapdemo
run abi sh -c '
	sed -n "s|^What:[[:space:]]*||p" "$1" | while read -r w; do
		case $w in
		*"<strategy>"*)
			for s in remap fault batched huge; do
				echo "$w" | sed "s|<strategy>|$s|"
			done ;;
		*)	echo "$w" ;;
		esac
	done | sort > "$2/abi.documented"
	find /sys/class/misc/mmapdemo/ -type f ! -name uevent ! -name dev \
		! -path "*/power/*" | sed "s|/sys/class/misc/mmapdemo//|/sys/class/misc/mmapdemo/|" |
		sort > "$2/abi.present"
	diff "$2/abi.documented" "$2/abi.present"' sh "$ABI" "$OUT"
result "sysfs: the ABI document lists exactly the attributes present" \
	eval '[ $rc = 0 ]'

# A process holding a mapping.  (CPython's mmap object keeps a dup() of the
# fd, so it shows one open fd; mmapdemo_lifetime covers a mapping whose
# every fd is closed.)
mkfifo "$OUT/go"
python3 -c '
import mmap, os, sys
fd = os.open("/dev/mmapdemo", os.O_RDWR)
m = mmap.mmap(fd, 4096, offset=1 << 40)
os.close(fd)
m[0] = 1
print("mapped", flush=True)
open(sys.argv[1]).read()
' "$OUT/go" > "$OUT/holder" &
holder=$!
for _ in $(seq 100); do grep -q mapped "$OUT/holder" && break; sleep 0.1; done
run refuse "$TOOL" unload
result "tool: unload refused while mapped, refcount and holder shown" \
	eval '[ $rc = 1 ] && has refuse "in use (refcount 1)" && has refuse "(python3): 1 mapping(s)" && [ -e /dev/mmapdemo ]'
echo go > "$OUT/go"
wait "$holder"
run unload "$TOOL" unload
result "tool: unload succeeds once the mapping is gone" \
	eval '[ $rc = 0 ] && [ ! -e /dev/mmapdemo ]'

run load "$TOOL" load size=8M mode=0640
result "tool: load with parameters" eval '[ $rc = 0 ] &&
	[ "$(stat -c %a /dev/mmapdemo)" = 640 ] &&
	[ "$(cat $SYSFS/buffer_size)" = 8388608 ]'
"$TOOL" unload > /dev/null

run badval "$TOOL" load size=0
result "tool: a bad parameter value is refused with the kernel's reason" \
	eval '[ $rc = 1 ] && has badval "kernel says: mmapdemo: size=0 is not valid" && [ ! -e /dev/mmapdemo ]'

run badname "$TOOL" load colour=blue
result "tool: an unknown parameter is named" \
	eval "[ \$rc = 1 ] && has badname \"unknown parameter 'colour'\" && [ ! -e /dev/mmapdemo ]"

# Not the debug kernel's module: it has no symbol versions, and a Debian
# kernel (CONFIG_MODVERSIONS) taints itself "forced load" before it
# refuses such a module for its vermagic.
other=
for ko in "$SRC"/build/*/module/mmapdemo.ko; do
	case $ko in
	*/"$(uname -r)"/*|*-mmapdemo-debug/*) ;;
	*) [ -f "$ko" ] && other=$ko ;;
	esac
done
if [ -n "$other" ]; then
	run vermagic "$TOOL" load "$other"
	result "tool: a module built for another kernel is explained" \
		eval '[ $rc = 1 ] && has vermagic "built for kernel" && has vermagic "this is $(uname -r)"'
else
	ktap_print_msg "only this kernel's module is built"
	ktap_test_skip "tool: a module built for another kernel is explained"
fi

run byname env MMAPDEMO_KO= "$TOOL" load
result "tool: load by name from /lib/modules (libkmod lookup)" \
	eval '[ $rc = 0 ] && has byname "/lib/modules/$(uname -r)/" && [ -e /dev/mmapdemo ]'

run status "$TOOL" status
result "tool: status shows the live module" \
	eval '[ $rc = 0 ] && has status "live, refcount 0" && has status "mode 0600"'

ktap_finished
