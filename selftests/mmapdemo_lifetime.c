// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo module lifetime, through libkmod: load with every kind of
 * parameter, refuse bad ones cleanly, refuse unloading while a mapping
 * exists (even with every fd closed), and leak nothing across many
 * load/unload cycles.
 *
 * These tests load and unload the module themselves; each leaves it loaded
 * with default parameters, as it found it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mmapdemo_util.h"

FIXTURE(mod) {
	long page;
};

FIXTURE_SETUP(mod)
{
	int ret;

	self->page = sysconf(_SC_PAGESIZE);
	if (geteuid() != 0)
		SKIP(return, "loading modules needs root");
	ret = mmd_ensure();
	if (ret)
		SKIP(return, "mmapdemo is not loaded and loading it failed: %s",
		     strerror(-ret));
}

FIXTURE_TEARDOWN(mod)
{
	if (access(MMD_DEV, F_OK) != 0)
		mmd_load(NULL);
}

static size_t dev_size(void)
{
	struct mmapdemo_info info = { 0 };
	int fd = open(MMD_DEV, O_RDONLY);

	if (fd < 0)
		return 0;
	if (ioctl(fd, MMAPDEMO_IOC_INFO, &info))
		info.buffer_size = 0;
	close(fd);
	return info.buffer_size;
}

TEST_F(mod, unload_refused_while_mapped)
{
	unsigned char *p;
	int fd;

	fd = open(MMD_DEV, O_RDWR);
	ASSERT_LE(0, fd);
	p = mmap(NULL, self->page, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 MMAPDEMO_OFFSET(MMAPDEMO_STRATEGY_FAULT));
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	ASSERT_EQ(0, close(fd));

	/* no fd left, but the VMA holds the file and so the module */
	EXPECT_EQ(1, mmd_sysfs_ull(MMD_MODULE "/refcnt"));
	EXPECT_EQ(-EAGAIN, mmd_unload());
	EXPECT_EQ(0, access(MMD_DEV, F_OK));
	EXPECT_EQ(1, p[0]);		/* and the mapping still works */

	ASSERT_EQ(0, munmap(p, self->page));
	EXPECT_EQ(0, mmd_sysfs_ull(MMD_MODULE "/refcnt"));
	ASSERT_EQ(0, mmd_unload());
	EXPECT_NE(0, access(MMD_DEV, F_OK));
	EXPECT_NE(0, access(MMD_MODULE, F_OK));
	ASSERT_EQ(0, mmd_load(NULL));
}

TEST_F(mod, unload_refused_with_remap_mapping)
{
	unsigned char *p;
	int fd;

	fd = open(MMD_DEV, O_RDWR);
	ASSERT_LE(0, fd);
	p = mmap(NULL, 2 * self->page, PROT_READ, MAP_SHARED, fd,
		 MMAPDEMO_OFFSET(MMAPDEMO_STRATEGY_REMAP));
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, close(fd));
	EXPECT_EQ(-EAGAIN, mmd_unload());
	/* a split mapping holds the file twice, still one module ref */
	ASSERT_EQ(0, munmap(p, self->page));
	EXPECT_EQ(-EAGAIN, mmd_unload());
	ASSERT_EQ(0, munmap(p + self->page, self->page));
	ASSERT_EQ(0, mmd_unload());
	ASSERT_EQ(0, mmd_load(NULL));
}

/*
 * The loads here are timed by the harness (30 s by default), and each also
 * probes the guest's PCI devices: edu's coherent buffer and register page,
 * the BAR, three misc devices.  On the debug kernel under TCG that made a
 * load about half a second longer, and nine of them (one of 1 GiB) went
 * past 30 s on a host busy with other work.  The limits below only catch
 * a hang.
 */
TEST_F_TIMEOUT(mod, load_valid_params, 180)
{
	static const struct {
		const char *params;
		size_t size;		/* in pages, 0: the default 4 MiB */
		mode_t mode;
	} cases[] = {
		{ "size=4096", 1, 0600 },
		{ "size=1", 1, 0600 },
		{ "size=64K", 16, 0600 },
		{ "size=8M", 2048, 0600 },
		{ "size=0x200000", 512, 0600 },
		{ "size=5000", 2, 0600 },
		{ "mode=0644", 0, 0644 },
		{ "size=3m mode=0660", 768, 0660 },
		{ "size=1G", 262144, 0600 },
	};
	unsigned int i;
	struct stat st;
	int ret;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t want = cases[i].size ? cases[i].size * self->page :
					      4 << 20;

		ASSERT_EQ(0, mmd_unload());
		ret = mmd_load(cases[i].params);
		/*
		 * A buffer in one physical range (INFO_ONE_RANGE, 7.x): 1 GiB
		 * of contiguous memory is rarely there to be found, and the
		 * load fails cleanly.  The default loads again, and says so.
		 */
		if (ret == -ENOMEM && cases[i].size == 262144) {
			ASSERT_EQ(0, mmd_load(NULL));
			EXPECT_TRUE(mmd_one_range());
			TH_LOG("%s: ENOMEM, no 1 GiB in one piece here",
			       cases[i].params);
			continue;
		}
		ASSERT_EQ(0, ret) TH_LOG("%s", cases[i].params);
		EXPECT_EQ(want, dev_size()) TH_LOG("%s", cases[i].params);
		ASSERT_EQ(0, stat(MMD_DEV, &st));
		EXPECT_EQ(cases[i].mode, st.st_mode & 07777)
			TH_LOG("%s", cases[i].params);
	}
	ASSERT_EQ(0, mmd_unload());
	ASSERT_EQ(0, mmd_load(NULL));
	EXPECT_EQ(4 << 20, dev_size());
}

/*
 * A buffer fresh from the allocator reads as zeros, every byte of it, in
 * each of the driver's allocation paths: alloc_pages_exact() for a small
 * buffer and the default, alloc_contig_pages() beyond 4 MiB on 7.x, 2 MiB
 * blocks on 6.x (__GFP_ZERO).  The debug kernel boots with page_poison=1:
 * freed pages hold 0xaa there, so zeros are not left over by chance.  Only
 * there can this test catch a missing __GFP_ZERO: Debian's kernels zero
 * every allocation anyway (CONFIG_INIT_ON_ALLOC_DEFAULT_ON=y), and on the
 * debug kernel page poisoning takes precedence over init_on_alloc
 * (mm/mm_init.c).
 */
TEST_F_TIMEOUT(mod, fresh_buffer_reads_zero, 120)
{
	static const char *const params[] = { "size=64K", NULL, "size=8M" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(params); i++) {
		const char *what = params[i] ? params[i] : "default size";
		unsigned char *p;
		size_t size, at;
		int fd;

		ASSERT_EQ(0, mmd_unload());
		ASSERT_EQ(0, mmd_load(params[i])) TH_LOG("%s", what);
		size = dev_size();
		ASSERT_NE(0, size);
		fd = open(MMD_DEV, O_RDONLY);
		ASSERT_LE(0, fd);
		p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
		ASSERT_NE(MAP_FAILED, p);
		at = mmd_first_nonzero(p, size);
		EXPECT_EQ(size, at)
			TH_LOG("%s: byte %zu of %zu is 0x%02x", what, at, size,
			       p[at]);
		ASSERT_EQ(0, munmap(p, size));
		close(fd);
	}
	ASSERT_EQ(0, mmd_unload());
	ASSERT_EQ(0, mmd_load(NULL));
}

TEST_F_TIMEOUT(mod, load_invalid_params, 120)
{
	static const char *const bad[] = {
		"size=0", "size=abc", "size=", "size=2G", "size=1025M",
		"size=4T", "size=99999999999999999999", "size=12Q",
		"size=-1", "mode=0777", "mode=01600", "mode=abc",
	};
	unsigned int i;

	ASSERT_EQ(0, mmd_unload());
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, mmd_load(bad[i])) TH_LOG("%s", bad[i]);
		/* nothing left behind */
		EXPECT_NE(0, access(MMD_DEV, F_OK)) TH_LOG("%s", bad[i]);
		EXPECT_NE(0, access(MMD_MODULE, F_OK)) TH_LOG("%s", bad[i]);
	}
	ASSERT_EQ(0, mmd_load(NULL));
}

static void settle(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	sync();
	if (fd >= 0) {
		if (write(fd, "3", 1) != 1)
			perror("drop_caches");
		close(fd);
	}
}

/* One cycle: load, map with both strategies, touch, unmap, unload. */
static int cycle(long page)
{
	unsigned char *a, *b;
	int fd, ret;

	ret = mmd_load(NULL);
	if (ret)
		return ret;
	fd = open(MMD_DEV, O_RDWR);
	if (fd < 0)
		return -errno;
	a = mmap(NULL, 16 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 MMAPDEMO_OFFSET(MMAPDEMO_STRATEGY_REMAP));
	b = mmap(NULL, 16 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 MMAPDEMO_OFFSET(MMAPDEMO_STRATEGY_FAULT));
	close(fd);
	if (a == MAP_FAILED || b == MAP_FAILED)
		return -ENOMEM;
	for (int i = 0; i < 16; i++)
		b[i * page] = a[i * page] + 1;
	munmap(a, 16 * page);
	munmap(b, 16 * page);
	return mmd_unload();
}

TEST_F_TIMEOUT(mod, load_unload_cycles_leak_nothing, 300)
{
	/* fewer on a slow (debug) kernel: 40 still tells a leak apart */
	const char *env = getenv("MMAPDEMO_CYCLES");
	const int cycles = env && atoi(env) >= 40 ? atoi(env) : 100;
	long long free0, slab0, vm0, free1, slab1, vm1;
	int i;

	ASSERT_EQ(0, mmd_unload());
	for (i = 0; i < 3; i++)		/* warm up caches and slabs */
		ASSERT_EQ(0, cycle(self->page));
	settle();
	free0 = meminfo_kb("MemFree");
	slab0 = meminfo_kb("SUnreclaim");
	vm0 = meminfo_kb("VmallocUsed");
	for (i = 0; i < cycles; i++)
		ASSERT_EQ(0, cycle(self->page)) TH_LOG("cycle %d", i);
	settle();
	free1 = meminfo_kb("MemFree");
	slab1 = meminfo_kb("SUnreclaim");
	vm1 = meminfo_kb("VmallocUsed");
	TH_LOG("%d cycles: MemFree %+lld kB, SUnreclaim %+lld kB, VmallocUsed %+lld kB",
	       cycles, free1 - free0, slab1 - slab0, vm1 - vm0);
	/*
	 * Leaking the 4 MiB buffer once per cycle would cost 400 MiB of
	 * MemFree, which moves by tens of MiB on its own (per-CPU lists,
	 * caches refilling): 64 MiB tells the two apart.  The page array
	 * (kvcalloc) and the vmap area are counted precisely: one leaked
	 * per cycle would add 800 kB and 400 MiB.
	 */
	EXPECT_GT(65536, free0 - free1);
	EXPECT_GT(256, slab1 - slab0);
	EXPECT_GT(256, vm1 - vm0);
	ASSERT_EQ(0, mmd_load(NULL));
}

TEST_HARNESS_MAIN
