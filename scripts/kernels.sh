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
#
# 6.1 and 6.12 are bookworm's (on the host).  7.3 is Debian's newest, from
# trixie-backports: its headers need trixie's userspace (libc6 >= 2.38,
# gcc-14), so it lives in a trixie root that scripts/trixie-root makes
# from Debian's packages (image, modules, headers, compiler, and
# linux-source-7.3 for the debug kernel).  Moving to 7.4: MMD_PIN_73 and
# MMD_DEBUG_SRC_PKG, and make trace-demo.

MMD_PIN_61=6.1.0-56-amd64
MMD_PIN_612=6.12.117+deb12-amd64
MMD_PIN_73=7.3.4+deb13-amd64
MMD_TROOT_SUITES="trixie trixie-backports"

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

# The trixie root: what it holds (the pinned 7.3 kernel's packages, and
# what building, DKMS and the Debian packages need there), and where it is:
# $MMD_CACHE/trixie-root/<hash of this list and the suites>/, so a changed
# list builds a new root.  linux-base: the 7.3 image pre-depends on the
# backports version.  dkms, udev, lintian, adduser and libkmod2: make
# dkms-check and make deb-check on Debian 13.  Besides, sparse from sid
# (scripts/trixie-root).
# The 7.3 release the root holds: the pin, or the newest 7.3 Debian
# publishes once the pin is gone (scripts/trixie-root looks, and writes
# "PIN RELEASE" to $MMD_CACHE/trixie-root.release).
mmd_troot_kver() {
	local pin rel
	pin= rel=
	[ -r "$MMD_CACHE/trixie-root.release" ] &&
		read -r pin rel < "$MMD_CACHE/trixie-root.release"
	if [ "$pin" = "$MMD_PIN_73" ] && [ -n "$rel" ]; then
		printf '%s\n' "$rel"
	else
		printf '%s\n' "$MMD_PIN_73"
	fi
}
# coccinelle: make audit; libpython3.13: its rules' Python script rules
# (MODE=report, org), which spatch loads at run time: Debian's coccinelle
# does not depend on it.
mmd_troot_pkgs() {
	printf '%s\n' gcc-14 make libc6-dev kmod linux-base/trixie-backports \
		"linux-image-$(mmd_troot_kver)" "linux-headers-$(mmd_troot_kver)" \
		"$MMD_DEBUG_SRC_PKG" dkms \
		udev lintian adduser libkmod2 coccinelle libpython3.13 mawk
}
mmd_troot() {
	local key
	key=$({ mmd_troot_pkgs; echo "$MMD_TROOT_SUITES sparse/sid"; } |
	      sha1sum | cut -c1-12)
	printf '%s\n' "$MMD_CACHE/trixie-root/$key"
}
mmd_troot_ready() { [ -f "$(mmd_troot)/.mmapdemo-ready" ]; }

# sparse for 7.3's headers, in the root (scripts/trixie-root says why).
MMD_TROOT_SPARSE=/opt/sparse-sid/usr/bin/sparse
# The same binary run from the host, through the root's own dynamic loader
# and libraries (the debug kernel's in-tree lint): a CHECK= for kbuild.
mmd_troot_sparse_cmd() {
	local r
	r=$(mmd_troot)
	printf '%s\n' "$r/lib64/ld-linux-x86-64.so.2 --library-path $r/lib/x86_64-linux-gnu $r$MMD_TROOT_SPARSE"
}

# A trixie kernel (Debian 13's "+deb13" releases) lives in the trixie root:
# its image, its modules, its kbuild tree, and the compiler to use it.
mmd_in_troot() { case $1 in *+deb13-*) return 0 ;; esac; return 1; }

# The 7.3-debug kernel: built by scripts/debug-kernel from Debian's
# linux-source-7.3 (in the trixie root) with scripts/debug-kernel.config,
# cached under $MMD_CACHE/debug-kernel/<source version>-<fragment hash>/.
MMD_DEBUG_SRC_PKG=linux-source-7.3
MMD_DEBUG_SERIES=7.3-debug
MMD_DEBUG_SUFFIX=-mmapdemo-debug

mmd_debug_src_tarball() {
	printf '%s\n' "$(mmd_troot)/usr/src/$MMD_DEBUG_SRC_PKG.tar.xz"
}
# The kernel source of each series of the matrix, for scripts/guide-check
# (the functions the text cites must exist there): Debian's linux-source-6.1
# and linux-source-6.12 on the host (make deps installs them), and the
# trixie root's linux-source-7.3, or the tree scripts/debug-kernel unpacked
# from it.  MMD_KSRC_6_1, MMD_KSRC_6_12, MMD_KSRC_7_3 name an unpacked tree
# instead.  Prints a directory or a .tar.xz; fails if there is neither.
# shellcheck disable=SC2034 # used by scripts/guide-check
MMD_KSRC_SERIES="6.1 6.12 7.3"
mmd_ksrc() {	# mmd_ksrc SERIES
	local var d t
	var=MMD_KSRC_${1//./_}
	if [ -n "${!var:-}" ]; then
		[ -d "${!var}" ] || return 1
		printf '%s\n' "${!var}"
		return 0
	fi
	case $1 in
	7.3)	d=$( (mmd_debug_dir) 2>/dev/null)/src
		t=$(mmd_debug_src_tarball) ;;
	*)	d='' t=/usr/src/linux-source-$1.tar.xz ;;
	esac
	if [ -n "$d" ] && [ -f "$d/mm/memory.c" ]; then
		printf '%s\n' "$d"
	elif [ -f "$t" ]; then
		printf '%s\n' "$t"
	else
		return 1
	fi
}

mmd_debug_srcver() {	# the version in the trixie root
	local v
	v=$(dpkg-query --admindir="$(mmd_troot)/var/lib/dpkg" -W \
		-f='${Version}' "$MMD_DEBUG_SRC_PKG" 2>/dev/null) || v=
	[ -n "$v" ] || mmd_die "no $MMD_DEBUG_SRC_PKG in the trixie root $(mmd_troot): run make deps"
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
	elif mmd_in_troot "$1"; then
		printf '%s\n' "$(mmd_troot)/boot/vmlinuz-$1"
	else
		printf '/boot/vmlinuz-%s\n' "$1"
	fi
}

mmd_modroot() {	# the root under which lib/modules/<release> is found
	if mmd_is_debug "$1"; then
		printf '%s\n' "$(mmd_debug_dir)/modroot"
	elif mmd_in_troot "$1"; then
		mmd_troot
	else
		printf '/\n'
	fi
}

# Where a release's modules are built: "/" (the host, with the compiler
# its headers name) or the trixie root (scripts/in-root runs them there).
mmd_buildroot() {
	if mmd_in_troot "$1"; then mmd_troot; else printf '/\n'; fi
}

# Print the kernel release (uname -r of the guest) for a series: 6.1, 6.12,
# 7.3 or 7.3-debug.
mmd_resolve_kver() {
	local series=$1 pin cand
	case $series in
	"$MMD_DEBUG_SERIES")
		# Debian's version 7.3.4-1~bpo13+1 builds release 7.3.4.
		pin=$(mmd_debug_srcver)
		printf '%s%s\n' "${pin%%-*}" "$MMD_DEBUG_SUFFIX"
		return 0 ;;
	6.1)	pin=$MMD_PIN_61 ;;
	6.12)	pin=$MMD_PIN_612 ;;
	7.3)	mmd_troot_kver
		return 0 ;;
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
# matrix "make check" runs: KERNELS="6.1 6.12 7.3 7.3-debug" unless
# overridden.
MMD_STOCK_KERNELS="6.1 6.12 7.3"
MMD_MATRIX_DEFAULT="$MMD_STOCK_KERNELS $MMD_DEBUG_SERIES"
mmd_matrix() {
	local s
	for s in ${KERNELS:-$MMD_MATRIX_DEFAULT}; do
		mmd_resolve_kver "$s"
	done
}
