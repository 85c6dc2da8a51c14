# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The kernel matrix, in one place.  Sourced by the other scripts.
#
# Debian republishes the 6.12 kernel under a new versioned name with every
# security update (linux-image-6.12.117+deb12-amd64-unsigned, ...), and the
# 6.1 ABI name moves too (6.1.0-56-amd64, ...).  The pins below are what the
# project was last tested with; when a pin has disappeared from the archive
# we fall back to the newest published kernel of the same series.

MMD_PIN_61=6.1.0-56-amd64
MMD_PIN_612=6.12.117+deb12-amd64

MMD_CACHE=${MMD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mmapdemo}

mmd_die() { printf 'mmapdemo: %s\n' "$*" >&2; exit 1; }
mmd_log() { printf '==> %s\n' "$*" >&2; }

# One "ok - WHAT" / "not ok - WHAT" line, counted in the caller's $pass and
# $fail; a failure shows the tail of LOG as evidence.
mmd_result() {	# mmd_result OK|FAIL what [log]
	if [ "$1" = OK ]; then
		echo "ok - $2"
		pass=$((pass + 1))
	else
		echo "not ok - $2"
		[ -n "${3:-}" ] && [ -f "$3" ] && sed 's/^/#   /' "$3" | tail -n 30
		fail=$((fail + 1))
	fi
}

# apt-cache knows nothing before the first "apt-get update".
mmd_apt_lists_ready() {
	compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null
}

mmd_pkg_available() {
	apt-cache show "$1" >/dev/null 2>&1
}

# The 6.12-debug kernel: built by scripts/debug-kernel from Debian's
# linux-source-6.12 with scripts/debug-kernel.config, cached under
# $MMD_CACHE/debug-kernel/<source version>-<fragment hash>/.
MMD_DEBUG_SRC_PKG=linux-source-6.12
MMD_DEBUG_SUFFIX=-mmapdemo-debug

mmd_debug_srcver() {	# installed version, else the archive's candidate
	local v
	v=$(dpkg-query -W -f='${Version}' "$MMD_DEBUG_SRC_PKG" 2>/dev/null) || v=
	if [ -z "$v" ] && mmd_apt_lists_ready; then
		v=$(apt-cache policy "$MMD_DEBUG_SRC_PKG" | sed -n 's/^ *Candidate: //p')
	fi
	[ -n "$v" ] && [ "$v" != "(none)" ] ||
		mmd_die "no $MMD_DEBUG_SRC_PKG installed or in the archive: run make deps"
	printf '%s\n' "$v"
}

mmd_debug_dir() {
	local here key v
	here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	key=$(sha1sum < "$here/debug-kernel.config" | cut -c1-12)
	v=$(mmd_debug_srcver)
	printf '%s\n' "$MMD_CACHE/debug-kernel/${v//[^A-Za-z0-9.+-]/_}-$key"
}

mmd_is_debug() { case $1 in *"$MMD_DEBUG_SUFFIX") return 0 ;; esac; return 1; }

# Where a release's kernel image, kbuild tree and modules live.
mmd_vmlinuz() {
	if mmd_is_debug "$1"; then
		printf '%s\n' "$(mmd_debug_dir)/bzImage"
	else
		printf '/boot/vmlinuz-%s\n' "$1"
	fi
}

mmd_modroot() {	# the root under which lib/modules/<release> is found
	if mmd_is_debug "$1"; then
		printf '%s\n' "$(mmd_debug_dir)/modroot"
	else
		printf '/\n'
	fi
}

# Print the kernel release (uname -r of the guest) for a series: 6.1, 6.12
# or 6.12-debug.
mmd_resolve_kver() {
	local series=$1 pin cand
	case $series in
	6.12-debug)
		# Debian's version 6.12.117-1~deb12u1 builds release 6.12.117.
		pin=$(mmd_debug_srcver)
		printf '%s%s\n' "${pin%%-*}" "$MMD_DEBUG_SUFFIX"
		return 0 ;;
	6.1)	pin=$MMD_PIN_61 ;;
	6.12)	pin=$MMD_PIN_612 ;;
	*)	printf '%s\n' "$series"; return 0 ;;	# already a full release
	esac
	# A kernel we already unpacked is good enough: no archive lookup.
	if [ -f "$MMD_CACHE/kernels/$pin/vmlinuz" ] || ! mmd_apt_lists_ready; then
		printf '%s\n' "$pin"
		return 0
	fi
	if mmd_pkg_available "linux-image-$pin-unsigned" &&
	   mmd_pkg_available "linux-headers-$pin"; then
		printf '%s\n' "$pin"
		return 0
	fi
	case $series in
	6.1)	cand=$(apt-cache depends linux-image-amd64 2>/dev/null |
		       sed -n 's/.*Depends: linux-image-\(6\.1\.[^ ]*\)$/\1/p' |
		       head -n1) ;;
	6.12)	cand=$(apt-cache pkgnames linux-image-6.12. 2>/dev/null |
		       sed -n 's/^linux-image-\(6\.12\.[0-9]*+deb[0-9]*-amd64\)-unsigned$/\1/p' |
		       sort -V | tail -n1) ;;
	esac
	[ -n "$cand" ] || mmd_die "no Debian $series kernel found in the apt archive (pin $pin is gone too)"
	mmd_log "pinned kernel $pin is no longer published; using $cand"
	printf '%s\n' "$cand"
}

# Debian's stock kernels (DKMS, packages, benchmarks, trace-demo), and the
# matrix "make check" runs: KERNELS="6.1 6.12 6.12-debug" unless
# overridden.
MMD_STOCK_KERNELS="6.1 6.12"
MMD_MATRIX_DEFAULT="$MMD_STOCK_KERNELS 6.12-debug"
mmd_matrix() {
	local s
	for s in ${KERNELS:-$MMD_MATRIX_DEFAULT}; do
		mmd_resolve_kver "$s"
	done
}
