# SPDX-License-Identifier: GPL-2.0
#
# mmapdemo: a kernel module, its userspace tool and its kselftests.
# (make help prints this comment, and fails if a target is missing here.)
#
#   make                 what this host can build, and a line for the rest
#   make module user     the module for KVER and the tool: no kselftests
#   make module          the module for KVER (6.1, 6.12, 7.3 or a release)
#   make user            the mmapdemo tool, user/mmapdemo
#   make selftests       the kselftests, in build/selftests (after make deps)
#   make pfnmap          the kernel's mm/pfnmap selftest (7.3), build/pfnmap
#   make help            this text
#   make demo            boot 7.3 in QEMU, load, verify the nodes, show stats
#   make check           everything, on every kernel of the matrix
#   make check-the-checker  planted bugs: each debug-kernel gate must fail
#   make fuzz            fuzzer, fail-nth injection, stress-ng, soak (debug)
#   make lint            checkpatch --strict, sparse, W=1 on every kernel
#   make audit [DIR=path]  the guide's pitfalls (audit/) over module/ and DIR
#   make audit-eval      the rules' recall on real fixed bugs (audit/corpus)
#   make bench           mmapdemo bench in a guest on every kernel, plots
#   make bench-check     instruction counts (QEMU icount) against a baseline
#   make trace-demo      the call graphs of 6.1, 6.12, 7.3 into docs/trace/
#   make dkms-check      DKMS install, modprobe, verify, remove (as root)
#   make deb             Debian packages mmapdemo-dkms, mmapdemo-tools, lintian
#   make deb-check       install them, udev rule and group in a guest, purge
#   make vm-run CMD='…'  run a command in a guest with the module loaded
#   make deps            install what the above need (Debian, as root)
#   make clean           remove build/ and the tool's and selftests' objects
#
# Plain make builds the module for the running kernel if its headers are
# here, else for each of 6.1, 6.12 and 7.3 whose headers make deps
# installed: make demo and make check load it in a guest of that kernel,
# so the host itself needs no module support.
#
# Variables: KVER (default: running kernel), KDIR (default: its build dir),
# KERNELS (the matrix, default "6.1 6.12 7.3 7.3-debug"), KERNEL (demo and
# vm-run: 7.3; KERNEL=6.1 make demo runs the classic f_op->mmap path),
# DIR (audit: 7.3's drivers/), MMAPDEMO_ACCEL (auto, kvm or tcg: see
# scripts/accel).

MMD_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/mmapdemo
export MMD_CACHE

# Neither KVER nor KDIR given: plain make picks the kernels itself.
KVER_GIVEN := $(filter-out undefined,$(origin KVER) $(origin KDIR))
KVER ?= $(shell uname -r)
override KVER := $(shell scripts/kver $(KVER))
# A kernel whose headers need another userspace (7.3: trixie's) is built
# in the root it lives in (scripts/trixie-root, scripts/in-root).
KROOT ?= $(shell scripts/kver --root $(KVER))
KDIR ?= /lib/modules/$(KVER)/build
KBUILD_DIR := $(abspath $(KROOT)/$(KDIR))
KSFT_DIR ?= $(MMD_CACHE)/ksft/src/tools/testing/selftests
KERNEL ?= 7.3
# Userspace does not depend on the kernel: built once, here.
SELFTEST_OUT := $(CURDIR)/build/selftests
CMD ?= true
STOCK_KERNELS := 6.1 6.12 7.3

# Out-of-tree modules build in their source directory, so each kernel gets
# its own copy of the sources under build/<release>/.
BDIR := $(CURDIR)/build/$(KVER)
MOD_SRCS := $(wildcard module/*.c module/*.h) module/Kbuild
UAPI := include/uapi/linux/mmapdemo.h

PHONY := all module user selftests pfnmap help deps check check-the-checker fuzz \
	lint audit audit-eval demo trace-demo vm-run bench bench-check dkms-check deb \
	deb-check clean
.PHONY: $(PHONY)

# The tool, then each module and the selftests if their prerequisites are
# here; whatever is not gets one line saying what provides it.
all:
	@if printf '#include <libkmod.h>\n' | $(CC) -E -x c - $$(pkg-config \
	    --cflags libkmod 2>/dev/null) >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory user; \
	else \
		echo "tool: need libkmod's headers (libkmod-dev): run make deps (as root)"; \
	fi
ifneq ($(KVER_GIVEN),)
	@$(MAKE) --no-print-directory module
else
	@if [ -d $(KBUILD_DIR) ]; then \
		$(MAKE) --no-print-directory module; \
	else \
		echo "module: no headers for the running kernel $(KVER)" \
			"($(KDIR))$$(test -e /proc/modules || echo ', which cannot load modules');" \
			"building for those of $(STOCK_KERNELS) that have them"; \
		for k in $(STOCK_KERNELS); do \
			rel=$$(scripts/kver $$k) && \
			root=$$(scripts/kver --root $$rel) || exit 1; \
			if [ -d $$root/lib/modules/$$rel/build ]; then \
				$(MAKE) --no-print-directory module KVER=$$k || exit 1; \
				echo "module: built build/$$rel/module/mmapdemo.ko (KVER=$$k)"; \
			elif [ $$root = / ]; then \
				echo "module KVER=$$k: need linux-headers-$$rel: run make deps (as root)"; \
			else \
				echo "module KVER=$$k: need $$rel's headers in the trixie root: run make deps (as root)"; \
			fi; \
		done; \
	fi
endif
	@if [ -f $(KSFT_DIR)/lib.mk ]; then \
		$(MAKE) --no-print-directory selftests; \
	else \
		echo "selftests: need the kselftest framework: run make deps (as root)"; \
	fi

module: $(BDIR)/module/mmapdemo.ko

$(BDIR)/module/mmapdemo.ko: $(MOD_SRCS) $(UAPI)
	@test -d $(KBUILD_DIR) || { echo "no kernel build directory $(KBUILD_DIR):" \
		"install linux-headers-$(KVER), or try make KVER=6.1 (see make deps)"; exit 1; }
	@mkdir -p $(BDIR)/module $(BDIR)/include/uapi/linux
	@cp -p $(MOD_SRCS) $(BDIR)/module/
	@cp -p $(UAPI) $(BDIR)/include/uapi/linux/
	scripts/in-root $(KROOT) $(MAKE) -C $(KDIR) M=$(BDIR)/module CONFIG_MMAPDEMO=m $(KBUILD_FLAGS) modules

user:
	$(MAKE) -C user

selftests:
	@test -f $(KSFT_DIR)/lib.mk || { echo "selftests: need the kselftest" \
		"framework at $(KSFT_DIR): run make deps (as root)"; exit 1; }
	@mkdir -p $(SELFTEST_OUT)
	$(MAKE) -C selftests KSFT_DIR=$(KSFT_DIR) OUTPUT=$(SELFTEST_OUT)

pfnmap:
	scripts/pfnmap-build

# The header above, and a failure for a target of PHONY it does not name.
help:
	@sed -n '3,/^[^#]/s/^# \{0,1\}//p' $(firstword $(MAKEFILE_LIST))
	@missing=; for t in $(filter-out all,$(PHONY)); do \
		grep -q "^#   make $$t\( \|$$\)" $(firstword $(MAKEFILE_LIST)) || \
			missing="$$missing $$t"; \
	done; \
	[ -z "$$missing" ] || { echo "make help: not in the Makefile's header:$$missing"; exit 1; }

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

audit-eval:
	scripts/audit-eval

demo:
	KERNEL=$(KERNEL) scripts/demo

trace-demo:
	scripts/trace-demo

vm-run: user
	$(MAKE) module KVER=$(KERNEL)
	scripts/vm-run -k $(KERNEL) -- sh -c '$(CMD)'

bench:
	scripts/bench

bench-check:
	scripts/bench-check

dkms-check:
	scripts/dkms-check

deb:
	scripts/deb

deb-check:
	scripts/deb-check

clean:
	rm -rf build
	$(MAKE) -C user clean
	-$(MAKE) -C selftests KSFT_DIR=$(KSFT_DIR) OUTPUT=$(SELFTEST_OUT) clean
