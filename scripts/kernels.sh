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

# apt-cache knows nothing before the first "apt-get update".
mmd_apt_lists_ready() {
	compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null
}

mmd_pkg_available() {
	apt-cache show "$1" >/dev/null 2>&1
}

# Print the kernel release (uname -r of the guest) for a series: 6.1 or 6.12.
mmd_resolve_kver() {
	local series=$1 pin cand
	case $series in
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

# The matrix "make check" runs: KERNELS="6.1 6.12" unless overridden.
mmd_matrix() {
	local s
	for s in ${KERNELS:-6.1 6.12}; do
		mmd_resolve_kver "$s"
	done
}
