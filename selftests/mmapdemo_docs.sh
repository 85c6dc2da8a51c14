#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The commands of docs/using.md and README.md, run as written: every line
# of a ```sh block (a line ending in \, | or && goes on) is one command and
# one TAP line, run by sh from the top of the source tree with the module
# loaded at its default size.  It passes if it exits 0 and, when the doc
# shows its output (a ```text block right after a block of one command),
# prints exactly that output.
#
# A block right after "<!-- docs-test: skip (REASON) -->" is not run; its
# place and reason are printed.  README's make demo and make check are
# such: they run on the host and boot the guest this test runs in.
#
# MMAPDEMO_SRC: the source tree (default: this script's parent directory);
# MMAPDEMO_TOOL: the tool that loads the module (default user/mmapdemo).
# An installed kselftest has no docs beside it: then everything is skipped.
DIR=$(dirname "$(readlink -f "$0")")
for h in "$DIR/../kselftest/ktap_helpers.sh" \
	 "${KSFT_DIR:-/nonexistent}/kselftest/ktap_helpers.sh"; do
	# shellcheck source=/dev/null
	[ -f "$h" ] && . "$h" && break
done
if ! command -v ktap_print_header >/dev/null; then
	echo "mmapdemo_docs.sh: kselftest/ktap_helpers.sh not found (set KSFT_DIR)"
	exit 1
fi

# ktap_helpers.sh echoes a test's name unquoted: a "*" in a command must
# not expand there.  Nothing here relies on globbing.
set -f

SRC=${MMAPDEMO_SRC:-$(cd "$DIR/.." && pwd)}
TOOL=${MMAPDEMO_TOOL:-$SRC/user/mmapdemo}
DOCS=(docs/using.md README.md)
DEFAULT_SIZE=4194304	# the module's default size=4M, which using.md assumes
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

ktap_print_header
if [ ! -f "$SRC/docs/using.md" ]; then
	ktap_skip_all "no docs/using.md under $SRC (an installed kselftest? set MMAPDEMO_SRC)"
	exit "$KSFT_SKIP"
fi
if [ "$(id -u)" != 0 ]; then
	ktap_skip_all "needs root: the commands use the nodes, mode 0600"
	exit "$KSFT_SKIP"
fi

# Each command into $OUT/N.cmd, its place into N.where, its shown output
# into N.exp; a malformed block into N.bad; skipped blocks into "skipped".
(cd "$SRC" && awk -v out="$OUT" '
function flush() {
	n++
	printf "%s\n", cur > (out "/" n ".cmd")
	printf "%s:%d", FILENAME, cmdline > (out "/" n ".where")
	close(out "/" n ".cmd")
	close(out "/" n ".where")
	ncmds++
	cur = ""
}
FNR == 1 { fence = ""; marker = ""; after = 0 }
fence == "sh" && /^```/ {
	fence = ""
	if (skip != "") {
		printf "%s:%d: %s\n", FILENAME, start, skip >> (out "/skipped")
		after = 0
	} else {
		if (cur != "")
			flush()
		after = ncmds
	}
	next
}
fence == "sh" {
	if (skip != "")
		next
	if (cur == "" && ($0 ~ /^[[:space:]]*#/ || $0 ~ /^[[:space:]]*$/))
		next
	if (cur == "")
		cmdline = FNR
	cur = cur (cur == "" ? "" : "\n") $0
	if ($0 !~ /(\\|\||&&)[[:space:]]*$/)
		flush()
	next
}
fence == "text" && /^```/ { fence = ""; close(expf); next }
fence == "text" { print > expf; next }
fence != "" && /^```/ { fence = ""; next }
fence != "" { next }
/^<!-- docs-test: skip/ {
	marker = $0
	sub(/^<!-- docs-test: skip *\(?/, "", marker)
	sub(/\)? *-->.*$/, "", marker)
	next
}
/^```sh[[:space:]]*$/ {
	fence = "sh"; start = FNR; skip = marker; marker = ""; ncmds = 0
	next
}
/^```text[[:space:]]*$/ {
	fence = "text"
	expf = out "/orphan"	# output shown after prose: not checked
	if (after == 1)
		expf = out "/" n ".exp"
	if (after > 1) {
		printf "%s:%d: an output block after a block of %d commands", \
			FILENAME, FNR, after > (out "/" (++n) ".bad")
		close(out "/" n ".bad")
	}
	after = 0
	next
}
/^```/ { fence = "other"; marker = ""; after = 0; next }
/[^[:space:]]/ { marker = ""; after = 0 }
' "${DOCS[@]}") || { ktap_skip_all "cannot read the docs under $SRC"; exit "$KSFT_SKIP"; }

count=$(find "$OUT" -maxdepth 1 \( -name '*.cmd' -o -name '*.bad' \) | wc -l)
if [ -f "$OUT/skipped" ]; then
	while read -r line; do
		ktap_print_msg "not run, a block marked in the doc: $line"
	done < "$OUT/skipped"
fi
ktap_set_plan $((count > 0 ? count : 1))
if [ "$count" = 0 ]; then
	ktap_test_fail "docs: the docs hold commands to run (found none)"
	ktap_finished
fi

if [ ! -e /dev/mmapdemo ] ||
   [ "$(cat /sys/class/misc/mmapdemo/buffer_size)" != $DEFAULT_SIZE ]; then
	ktap_print_msg "loading the module at its default size"
	"$TOOL" unload > /dev/null 2>&1
	"$TOOL" load > /dev/null || ktap_print_msg "$TOOL load failed"
fi
# Without the module nothing runs, every command fails: this is a host
# that cannot load it, where a block a marker forgot could do harm.
loaded=0
[ -e /dev/mmapdemo ] && loaded=1

for i in $(seq "$count"); do
	if [ -f "$OUT/$i.bad" ]; then
		ktap_test_fail "docs: $(cat "$OUT/$i.bad")"
		continue
	fi
	where=$(cat "$OUT/$i.where")
	# A TAP description: one line, no "#" (which would start a directive).
	name=$(head -n 1 "$OUT/$i.cmd" | tr -d '#' | cut -c 1-60)
	ktap_print_msg "$where: $(tr '\n' ' ' < "$OUT/$i.cmd")"
	if [ "$loaded" = 0 ]; then
		ktap_print_msg "not run: the module is not loaded"
		ktap_test_fail "docs: $where: $name"
		continue
	fi
	(cd "$SRC" && timeout 300 sh "$OUT/$i.cmd") > "$OUT/$i.out" 2> "$OUT/$i.err" < /dev/null
	rc=$?
	sed 's/^/# /' "$OUT/$i.out" "$OUT/$i.err"
	ok=1
	if [ "$rc" != 0 ]; then
		ktap_print_msg "exit status $rc"
		ok=0
	fi
	if [ -f "$OUT/$i.exp" ] && ! diff -u "$OUT/$i.exp" "$OUT/$i.out" > "$OUT/$i.diff"; then
		ktap_print_msg "the output is not the one the doc shows:"
		sed 's/^/# /' "$OUT/$i.diff"
		ok=0
	fi
	if [ "$ok" = 1 ]; then
		ktap_test_pass "docs: $where: $name"
	else
		ktap_test_fail "docs: $where: $name"
	fi
done

ktap_finished
