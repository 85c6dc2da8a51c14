#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The mmapdemo tool (user/mmapdemo) and the Python example, end to end:
# verify, info/stats JSON against sysfs, the Python mmap example, every
# usage error refused with exit 2 and its message, --version, and the
# libkmod load/unload paths with every error message a user can meet.
# Needs root and the module; leaves it loaded with default parameters.
#
# MMAPDEMO_TOOL: the tool (default ../user/mmapdemo from this script's
# source directory); MMAPDEMO_KO: the module to load; MMAPDEMO_PEER: the
# selftests' mmapdemo_peer (default: next to this script, else
# build/selftests/).
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
ktap_set_plan 53

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

run verify1 "$TOOL" verify -s huge
result "tool: verify -s huge checks huge alone, through /dev/mmapdemo-huge" \
	eval '[ $rc = 0 ] && has verify1 "^huge " && ! has verify1 "^fault " && has verify1 " 0 failed"'

nodes=(/dev/mmapdemo /dev/mmapdemo-fault /dev/mmapdemo-batched /dev/mmapdemo-huge)
n=0
for node in "${nodes[@]}"; do [ -c "$node" ] && n=$((n + 1)); done
result "tool: four device nodes in /dev, one per strategy" eval '[ $n = 4 ]'

# fio knows nothing of this project: its mmap engine treats each node as a
# file of the size we give it (the buffer's), maps it from offset 0, writes
# every byte and reads them back against a crc32c per block.  It runs in
# $OUT: at the end of a verifying write job fio saves its verify state
# (local-<job>-0-verify.state) in the current directory, which is not ours.
size=$(cat "$SYSFS/buffer_size")
for node in "${nodes[@]}"; do
	fname=${node##*/}
	run "fio-$fname" bash -c 'cd "$1" && shift && set -o pipefail &&
		fio "$@" --output-format=json |
		jq -c "{write_bytes: .jobs[0].write.io_bytes, error: .jobs[0].error}"' \
		fio "$OUT" --name="$fname" --ioengine=mmap --filename="$node" \
		--size="$size" --rw=write --bs=4k --verify=crc32c --do_verify=1
	result "fio: mmap engine writes and verifies all $size bytes of $node" \
		eval '[ $rc = 0 ] && has "fio-$fname" "^{\"write_bytes\":$size,\"error\":0}$"'
done

# gdb, attached to a process that maps a page of every node: it prints
# the bytes that process wrote and changes them.  On remap and huge that goes
# through the driver's vm_ops->access (GUP cannot pin a PFN map).
python3 -c '
import ctypes, mmap, os, sys, time
addrs = []
for i, n in enumerate(sys.argv[1:]):
    m = mmap.mmap(os.open(n, os.O_RDWR), 4096, offset=4096 * i)
    m[0:4] = b"GDB%d" % i
    addrs.append(hex(ctypes.addressof(ctypes.c_char.from_buffer(m))))
    globals()["m%d" % i] = m
print(" ".join(addrs), flush=True)
time.sleep(600)' "${nodes[@]}" > "$OUT/holder" &
holder=$!
for _ in $(seq 600); do [ -s "$OUT/holder" ] && break; sleep 0.1; done
gdbcmds=()
read -ra addrs < "$OUT/holder"
for a in "${addrs[@]}"; do
	gdbcmds+=(-ex "x/4c $a" -ex "set {char}$a = 'g'")
done
run gdb gdb -batch -nx -p "$holder" "${gdbcmds[@]}"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
# Each node's process mapped its own page (page i of the buffer).
seen=0 changed=0 i=0
for node in "${nodes[@]}"; do
	grep -q "'G'.*'D'.*'B'.*'$i'" "$OUT/gdb" && seen=$((seen + 1))
	[ "$(dd if="$node" bs=4096 skip="$i" count=1 status=none | head -c 1 | tr -d '\0')" = g ] &&
		changed=$((changed + 1))
	dd if=/dev/zero of="$node" bs=4096 seek="$i" count=1 conv=notrunc status=none
	i=$((i + 1))
done
ktap_print_msg "gdb printed $seen of 4 mappings, changed $changed"
result "gdb: prints and changes the bytes of every node's mapping" \
	eval '[ $seen = 4 ] && [ $changed = 4 ]'

run info "$TOOL" info --json
run stats "$TOOL" stats --json
# The JSON of info and stats against sysfs (jq, not Python: a Python
# start-up costs ~15 s on the debug kernel under emulation).
run json sh -c '
	[ "$(jq .buffer_size "$1/info")" = "$(cat "$2/buffer_size")" ] &&
		echo "ok info"
	[ "$(jq .live_maps "$1/stats")" = "$(cat "$2/live_maps")" ] &&
		jq -e ".strategies.fault" "$1/stats" > /dev/null && echo "ok stats"
	exit 0' sh "$OUT" "$SYSFS"
result "tool: info --json agrees with sysfs" has json "^ok info$"
result "tool: stats --json agrees with sysfs" has json "^ok stats$"

run python python3 "$EXAMPLE" "$TOOL"
result "python example: standard mmap module sees the C tool's bytes" \
	eval '[ $rc = 0 ] && has python "all checks passed"'
result "python: mmap.flush() and os.fsync() succeed on every strategy" \
	has python "^ok .*mmap.flush() and os.fsync() succeed on every strategy: remap, fault, batched, huge$"

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

# Usage errors: exit 2 and a message that names the argument, before
# anything is done.
refused() {	# refused ID MESSAGE ARGS...: mmapdemo ARGS exits 2 saying MESSAGE
	local id=$1 msg=$2
	shift 2
	run "$id" "$TOOL" "$@"
	result "tool: '$*' is refused (exit 2): $msg" \
		eval '[ $rc = 2 ] && has "$id" "$msg"'
}

"$TOOL" write 0 XXXXXXXX > /dev/null
run badoff "$TOOL" write abc hello
badoff_rc=$rc
run badoff-buf "$TOOL" read 0 8
result "tool: 'write abc hello' is refused (exit 2), the buffer unchanged" \
	eval '[ $badoff_rc = 2 ] && has badoff "OFFSET '"'abc'"' is not a number" &&
		[ $rc = 0 ] && has badoff-buf "^XXXXXXXX$"'
refused negative "LENGTH '-5' is negative" read 0 -5
refused trailing "LENGTH '5x' is not a number" read 0 5x
refused empty "OFFSET is empty" read "" 1
refused overflow "OFFSET '99999999999999999999' is too large" \
	read 99999999999999999999 1
refused range "OFFSET '2G' is out of range" read 2G 1
refused pastend "is past the end of the $size-byte buffer" read "$size" 1
refused strategy "unknown strategy 'bogus': it is one of remap, fault, batched, huge" \
	write -s bogus 0 x
refused vstrategy "unknown strategy 'bogus': it is one of remap, fault, batched, huge" \
	verify --strategy bogus
refused only "unknown table 'bogus': it is one of mmap, touch, stream, rmw, scaling, latency" \
	bench --only bogus
refused reps "--reps '0' is out of range 1..15" bench --reps 0
refused touch "--touch-mib '3' is odd" bench --touch-mib 3
refused noval "option '-s' needs a value" read 0 1 -s
refused extra "unexpected argument 'x'" info x
refused loadarg "'foo' is neither a .ko path nor NAME=VALUE" load foo
for cmd in info stats status unload verify bench read write load trace-demo; do
	refused "opt-$cmd" "mmapdemo $cmd: unknown option '--bogus'" "$cmd" --bogus
done

run helpstrat "$TOOL" verify --help
result "tool: verify --help names the strategies" \
	eval '[ $rc = 0 ] && has helpstrat "remap, fault, batched, huge"'

# Options anywhere: after the operands, before the command; -- for a TEXT
# that starts with '-'.
"$TOOL" write 4096 -s huge ANYPOS > /dev/null
run anypos1 "$TOOL" read 4K 6 --strategy fault
run anypos2 "$TOOL" -s batched read 0x1000 6
"$TOOL" write -- 8192 -dash- > /dev/null
run anypos3 "$TOOL" read 8192 6
result "tool: options before, between and after the operands; -- before a TEXT" \
	eval 'has anypos1 "^ANYPOS$" && has anypos2 "^ANYPOS$" && has anypos3 "^-dash-$"'

# An output path that does not exist is named, not taken for the device.
run benchjson "$TOOL" bench --json /nonexistent/dir/x.json
result "tool: bench --json into a missing directory names that path" \
	eval '[ $rc = 1 ] && has benchjson "/nonexistent/dir/x.json: No such file" &&
		! has benchjson "is the module loaded"'
run tracedir "$TOOL" trace-demo -o /nonexistent/dir
result "tool: trace-demo -o under a missing directory names that path" \
	eval '[ $rc = 1 ] && has tracedir "/nonexistent/dir: No such file" &&
		! has tracedir "is the module loaded"'

# The tool's version is the module source's MMAPDEMO_VERSION.
version=$(sed -n 's/^#define MMAPDEMO_VERSION[[:space:]]*"\(.*\)"$/\1/p' \
	"$SRC/module/mmapdemo.h")
run version "$TOOL" --version
result "tool: --version prints the tool's and the loaded module's version" \
	eval '[ $rc = 0 ] && has version "^mmapdemo tool $version$" &&
		has version "^mmapdemo module $(cat /sys/module/mmapdemo/version)$"'

# A process with /dev/mmapdemo-fault open (no mapping) holds the module too.
sleep 600 4< /dev/mmapdemo-fault &
sleeper=$!
for _ in $(seq 100); do
	[ "$(readlink "/proc/$sleeper/fd/4")" = /dev/mmapdemo-fault ] &&
		[ "$(cat "/proc/$sleeper/comm")" = sleep ] && break
	sleep 0.1
done
run holdfault "$TOOL" status
kill "$sleeper"
wait "$sleeper" 2>/dev/null
result "tool: status sees a process holding /dev/mmapdemo-fault" \
	eval '[ $rc = 0 ] && has holdfault "pid $sleeper (sleep): 0 mapping(s), 1 open fd(s)"'

# A process holding a mapping and no fd (mmapdemo_peer hold): the module
# stays pinned through the VMA's file alone.  The peer is installed next to
# this script, or built in build/selftests out of tree.  Its stdin is a
# fifo that this shell holds open read-write on fd 3, so that no open()
# blocks and the "go" below cannot hang even if the peer did not start.
PEER=${MMAPDEMO_PEER:-$DIR/mmapdemo_peer}
[ -x "$PEER" ] || PEER=$SRC/build/selftests/mmapdemo_peer
mkfifo "$OUT/go"
exec 3<> "$OUT/go"
"$PEER" $((1 << 40)) 4096 hold 1 <&3 > "$OUT/holder" 2>&1 &
holder=$!
for _ in $(seq 100); do grep -q mapped "$OUT/holder" && break; sleep 0.1; done
run refuse "$TOOL" unload
result "tool: unload refused while mapped, refcount and holder shown" \
	eval '[ $rc = 1 ] && has refuse "in use (refcount 1)" && has refuse "(mmapdemo_peer): 1 mapping(s)" && [ -e /dev/mmapdemo ]'
echo go >&3
wait "$holder"
exec 3>&-
run unload "$TOOL" unload
result "tool: unload succeeds once the mapping is gone" \
	eval '[ $rc = 0 ] && [ ! -e /dev/mmapdemo ]'
run version0 "$TOOL" --version
result "tool: --version says when the module is not loaded" \
	eval '[ $rc = 0 ] && has version0 "^mmapdemo tool $version$" &&
		has version0 "^mmapdemo module not loaded$"'

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

# Only a module with symbol versions (its vermagic says "modversions"):
# Debian's 6.1 and 6.12 (CONFIG_MODVERSIONS) taint themselves "forced
# load" before they refuse a module without them for its vermagic
# (check_version(): no versions at all).  The debug kernel and Debian's
# 7.3 are built without CONFIG_MODVERSIONS, so their modules have none.
other=
for ko in "$SRC"/build/*/module/mmapdemo.ko; do
	case $ko in
	*/"$(uname -r)"/*) ;;
	*) [ -f "$ko" ] && modinfo -F vermagic "$ko" | grep -qw modversions &&
		other=$ko ;;
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
