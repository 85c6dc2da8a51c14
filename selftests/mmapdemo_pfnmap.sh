#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own VM_PFNMAP conformance test, tools/testing/selftests/mm/
# pfnmap.c of linux-source-7.3 (make pfnmap builds it, unmodified), run
# against each node: "pfnmap -- /dev/NODE" maps two pages of the file
# read-only and checks that the madvise family is refused, that munmap
# splits and mremap moves and shrinks but never grows the mapping, and
# that a forked child reads it.  Each of its cases is one TAP line here,
# with the node in its name.
#
# Every node is asserted, each as what it is: /dev/mmapdemo (remap),
# -huge, -bar and -dma (no IOMMU in the guests that run this) are
# VM_PFNMAP, and pfnmap must pass; -fault and -batched map struct pages,
# and pfnmap must find them "Not pfnmap'ed"; -regs is one page, and
# pfnmap's two-page mmap() must be refused with EINVAL.
#
# MMAPDEMO_PFNMAP: the binary (default: build/pfnmap/pfnmap of
# MMAPDEMO_SRC, this script's parent directory by default).
DIR=$(dirname "$(readlink -f "$0")")
for h in "$DIR/../kselftest/ktap_helpers.sh" \
	 "${KSFT_DIR:-/nonexistent}/kselftest/ktap_helpers.sh"; do
	# shellcheck source=/dev/null
	[ -f "$h" ] && . "$h" && break
done
if ! command -v ktap_print_header >/dev/null; then
	echo "mmapdemo_pfnmap.sh: kselftest/ktap_helpers.sh not found (set KSFT_DIR)"
	exit 1
fi

SRC=${MMAPDEMO_SRC:-$(cd "$DIR/.." && pwd)}
PFNMAP=${MMAPDEMO_PFNMAP:-$SRC/build/pfnmap/pfnmap}
TOOL=${MMAPDEMO_TOOL:-$SRC/user/mmapdemo}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
# node <tab> what pfnmap must say
nodes=(
	$'/dev/mmapdemo\tpass'
	$'/dev/mmapdemo-huge\tpass'
	$'/dev/mmapdemo-bar\tpass'
	$'/dev/mmapdemo-dma\tpass'
	$'/dev/mmapdemo-fault\tnot pfnmap'
	$'/dev/mmapdemo-batched\tnot pfnmap'
	$'/dev/mmapdemo-regs\tcannot map two pages'
)

ktap_print_header
if [ "$(id -u)" != 0 ]; then
	ktap_skip_all "needs root: the nodes are mode 0600"
	exit "$KSFT_SKIP"
fi
if [ ! -x "$PFNMAP" ]; then
	ktap_set_plan 1
	ktap_test_fail "pfnmap: no $PFNMAP (make pfnmap builds it from linux-source-7.3)"
	ktap_finished
fi
[ -e /dev/mmapdemo ] || "$TOOL" load > /dev/null || ktap_print_msg "$TOOL load failed"
for _ in 1 2 3 4 5 6 7 8 9 10; do
	[ -e /dev/mmapdemo-regs ] && [ -e /dev/mmapdemo-bar ] && break
	sleep 0.2
done

ktap_set_plan $((4 * 6 + 3))
for row in "${nodes[@]}"; do
	node=${row%%$'\t'*} want=${row#*$'\t'}
	"$PFNMAP" -- "$node" > "$OUT/log" 2>&1
	rc=$?
	sed 's/^/    /' "$OUT/log" | grep -v '^    #  RUN\|^    #  *OK' |
		while IFS= read -r line; do ktap_print_msg "$line"; done
	case $want in
	pass)
		ran=0
		while IFS= read -r line; do
			case $line in
			"ok "[0-9]*)	ktap_test_pass "${line#ok * } on $node"
					ran=$((ran + 1)) ;;
			"not ok "[0-9]*) ktap_test_fail "${line#not ok * } on $node"
					ran=$((ran + 1)) ;;
			esac
		done < "$OUT/log"
		# pfnmap skipped or died: each of its six cases fails
		if [ "$ran" != 6 ] || [ "$rc" != 0 ]; then
			ktap_test_fail "pfnmap on $node: $ran of 6 cases ran, exit $rc"
		fi
		;;
	"not pfnmap")
		if grep -q "Not pfnmap'ed" "$OUT/log"; then
			ktap_test_pass "pfnmap: $node is not VM_PFNMAP (struct pages): not its case"
		else
			ktap_test_fail "pfnmap: $node is not VM_PFNMAP (struct pages): not its case"
		fi ;;
	"cannot map two pages")
		if grep -q "Cannot mmap '$node': Invalid argument" "$OUT/log"; then
			ktap_test_pass "pfnmap: $node is one page: its two-page mmap() is EINVAL"
		else
			ktap_test_fail "pfnmap: $node is one page: its two-page mmap() is EINVAL"
		fi ;;
	esac
done
ktap_finished
