# SPDX-License-Identifier: GPL-2.0
#
# mmapdemo: a kernel module, its userspace tool and its kselftests.
#
#   make                 module for the running kernel, tool, selftests
#   make KVER=6.12       module for another kernel (6.1, 6.12, 7.3 or a release)
#   make demo            boot a Debian kernel, load, verify, show stats
#   make check           everything, on every kernel of the matrix
#   make check-the-checker  planted bugs: each debug-kernel gate must fail
#   make fuzz            fuzzer, fail-nth injection, stress-ng, soak (debug)
#   make lint            checkpatch --strict, sparse, W=1 on every kernel
#   make audit [DIR=path]  the guide's pitfalls as semantic patches (audit/)
#                        over module/ and DIR (default: 7.3's drivers/)
#   make bench           mmapdemo bench in a guest on every kernel, plots
#   make dkms-check      DKMS add/build/install for 6.1, 6.12 and 7.3, modprobe
#                        and verify in a guest of each, remove (as root)
#   make deb             Debian packages mmapdemo-dkms, mmapdemo-tools, lintian
#   make deb-check       install them, udev rule and group in a guest, purge
#   make vm-run CMD='…'  run a command in a guest with the module loaded
#   make deps            install what the above need (Debian, as root)
#
# Variables: KVER (default: running kernel), KDIR (default: its build dir),
# KERNELS (the matrix, default "6.1 6.12 7.3 7.3-debug"), KERNEL (vm-run/demo:
# 6.1), MMAPDEMO_ACCEL (auto, kvm or tcg: see scripts/accel).

MMD_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/mmapdemo
export MMD_CACHE

KVER ?= $(shell uname -r)
override KVER := $(shell scripts/kver $(KVER))
# A kernel whose headers need another userspace (7.3: trixie's) is built
# in the root it lives in (scripts/trixie-root, scripts/in-root).
KROOT ?= $(shell scripts/kver --root $(KVER))
KDIR ?= /lib/modules/$(KVER)/build
KSFT_DIR ?= $(MMD_CACHE)/ksft/src/tools/testing/selftests
KERNEL ?= 6.1
# Userspace does not depend on the kernel: built once, here.
SELFTEST_OUT := $(CURDIR)/build/selftests
CMD ?= true

# Out-of-tree modules build in their source directory, so each kernel gets
# its own copy of the sources under build/<release>/.
BDIR := $(CURDIR)/build/$(KVER)
MOD_SRCS := $(wildcard module/*.c module/*.h) module/Kbuild
UAPI := include/uapi/linux/mmapdemo.h

all: module user selftests

module: $(BDIR)/module/mmapdemo.ko

$(BDIR)/module/mmapdemo.ko: $(MOD_SRCS) $(UAPI)
	@test -d $(KROOT)/$(KDIR) || { echo "no kernel build directory $(KROOT)/$(KDIR):" \
		"install linux-headers-$(KVER), or try make KVER=6.1 (see make deps)"; exit 1; }
	@mkdir -p $(BDIR)/module $(BDIR)/include/uapi/linux
	@cp -p $(MOD_SRCS) $(BDIR)/module/
	@cp -p $(UAPI) $(BDIR)/include/uapi/linux/
	scripts/in-root $(KROOT) $(MAKE) -C $(KDIR) M=$(BDIR)/module CONFIG_MMAPDEMO=m $(KBUILD_FLAGS) modules

user:
	$(MAKE) -C user

selftests:
	@test -f $(KSFT_DIR)/lib.mk || { echo "no kselftest framework at" \
		"$(KSFT_DIR): run make deps"; exit 1; }
	@mkdir -p $(SELFTEST_OUT)
	$(MAKE) -C selftests KSFT_DIR=$(KSFT_DIR) OUTPUT=$(SELFTEST_OUT)

deps:
	scripts/deps

check:
	scripts/check

check-the-checker:
	scripts/check-the-checker

fuzz:
	scripts/fuzz

lint:
	scripts/lint

audit:
	scripts/audit $(DIR)

demo:
	scripts/demo

trace-demo:
	scripts/trace-demo

vm-run: user
	$(MAKE) module KVER=$(KERNEL)
	scripts/vm-run -k $(KERNEL) -- sh -c '$(CMD)'

clean:
	rm -rf build
	$(MAKE) -C user clean
	-$(MAKE) -C selftests KSFT_DIR=$(KSFT_DIR) OUTPUT=$(SELFTEST_OUT) clean

.PHONY: all module user selftests deps check check-the-checker fuzz lint audit demo trace-demo vm-run bench dkms-check deb deb-check clean

bench:
	scripts/bench

dkms-check:
	scripts/dkms-check

deb:
	scripts/deb

deb-check:
	scripts/deb-check
