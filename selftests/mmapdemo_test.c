// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo selftests: every mmap behaviour of /dev/mmapdemo, asserted for
 * each mapping strategy (one FIXTURE_VARIANT per strategy), plus the
 * read/write/ioctl edges of the device.
 *
 * Run under the kselftest runner (make run_tests) with the module loaded;
 * if it is not, the fixtures load it with libkmod ($MMAPDEMO_KO or by name)
 * and skip with the reason if that fails.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mmapdemo_util.h"

FIXTURE(mmd) {
	int fd;
	size_t size;		/* buffer size */
	size_t page;
	off_t base;		/* start of this strategy's offset region */
};

FIXTURE_VARIANT(mmd) {
	unsigned int strategy;
	unsigned int other;	/* another strategy, for cross-checks */
	bool private_ok;	/* MAP_PRIVATE is copy-on-write, not EINVAL */
	bool past_end_ok;	/* may map past the end; SIGBUS there */
	bool pfnmap;		/* VM_PFNMAP + VM_IO: raw PFNs, no GUP */
	bool mixedmap;		/* VM_MIXEDMAP: PTEs inserted by the driver */
	unsigned int batch;	/* pages one fault maps; 0: never faults */
	int advice;		/* madvise() applied by MAP(); 0: none */
};

FIXTURE_VARIANT_ADD(mmd, remap) {
	.strategy = MMAPDEMO_STRATEGY_REMAP,
	.other = MMAPDEMO_STRATEGY_FAULT,
	.private_ok = false,
	.past_end_ok = false,
	.pfnmap = true,
	.batch = 0,
};

FIXTURE_VARIANT_ADD(mmd, fault) {
	.strategy = MMAPDEMO_STRATEGY_FAULT,
	.other = MMAPDEMO_STRATEGY_REMAP,
	.private_ok = true,
	.past_end_ok = true,
	.pfnmap = false,
	.batch = 1,
};

FIXTURE_VARIANT_ADD(mmd, batched) {
	.strategy = MMAPDEMO_STRATEGY_BATCHED,
	.other = MMAPDEMO_STRATEGY_FAULT,
	.private_ok = true,
	.past_end_ok = true,
	.mixedmap = true,
	.batch = MMAPDEMO_BATCH_PAGES,
};

/* batched after MADV_SEQUENTIAL: runs of 512 pages (batched.c) */
FIXTURE_VARIANT_ADD(mmd, batched_seq) {
	.strategy = MMAPDEMO_STRATEGY_BATCHED,
	.other = MMAPDEMO_STRATEGY_FAULT,
	.private_ok = true,
	.past_end_ok = true,
	.mixedmap = true,
	.batch = MMAPDEMO_BATCH_SEQ_PAGES,
	.advice = MADV_SEQUENTIAL,
};

/* batched after MADV_RANDOM: only the page touched */
FIXTURE_VARIANT_ADD(mmd, batched_rand) {
	.strategy = MMAPDEMO_STRATEGY_BATCHED,
	.other = MMAPDEMO_STRATEGY_FAULT,
	.private_ok = true,
	.past_end_ok = true,
	.mixedmap = true,
	.batch = 1,
	.advice = MADV_RANDOM,
};

FIXTURE_VARIANT_ADD(mmd, huge) {
	.strategy = MMAPDEMO_STRATEGY_HUGE,
	.other = MMAPDEMO_STRATEGY_REMAP,
	.private_ok = false,
	.past_end_ok = true,
	.pfnmap = true,	/* filled lazily, by PMD or 4 KiB PFN */
	.batch = 1,	/* below 2 MiB it maps 4 KiB pages, one per fault */
};

FIXTURE_SETUP(mmd)
{
	struct mmapdemo_info info;
	struct mmapdemo_fill zero = { 0 };

	self->fd = mmd_fixture_open(_metadata, &info);
	if (self->fd < 0)
		return;
	self->size = info.buffer_size;
	self->page = sysconf(_SC_PAGESIZE);
	self->base = MMAPDEMO_OFFSET(variant->strategy);
	ASSERT_LE(16 * self->page, self->size) TH_LOG("buffer too small");
	/* every test starts from a zeroed buffer */
	zero.length = self->size;
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_FILL, &zero));
}

FIXTURE_TEARDOWN(mmd)
{
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * Faults the device counts when a fresh mapping starting at buffer page 0
 * has these pages touched: one per distinct aligned run of variant->batch.
 */
static uint64_t faults_for(const FIXTURE_VARIANT(mmd) *variant,
			   const unsigned int *pages, unsigned int n)
{
	uint64_t faults = 0;
	unsigned int i, j;

	if (!variant->batch)
		return 0;
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (pages[j] / variant->batch == pages[i] / variant->batch)
				break;
		faults += j == i;
	}
	return faults;
}

/* Pages one fault maps before (or without) the variant's hint. */
static unsigned int unhinted_batch(const FIXTURE_VARIANT(mmd) *variant)
{
	return variant->advice ? MMAPDEMO_BATCH_PAGES : variant->batch;
}

/*
 * Map buffer bytes [off, off + len) with this variant's strategy, then give
 * the variant's madvise() hint.  The hint comes after mmap(): MAP_POPULATE
 * has faulted with the default run by then.
 */
static void *map_variant_at(const FIXTURE_VARIANT(mmd) *variant, int fd,
			    void *addr, uint64_t base, uint64_t off, size_t len,
			    int prot, int flags)
{
	void *p = mmap(addr, len, prot, flags, fd, base + off);

	/* A hint refused on a mapping we have is a bug: fail the test. */
	if (p != MAP_FAILED && variant->advice &&
	    madvise(p, len, variant->advice)) {
		perror("madvise");
		abort();
	}
	return p;
}

#define MAP(off, len, prot, flags) \
	map_variant_at(variant, self->fd, NULL, self->base, (off), (len), \
		       (prot), (flags))
#define RW (PROT_READ | PROT_WRITE)

/* ---- visibility -------------------------------------------------------- */

/* Two processes with separate open()s and mmap()s, no fork between them. */
TEST_F(mmd, shared_unrelated_processes)
{
	size_t len = 4 * self->page;
	unsigned char *p = MAP(self->page, len, RW, MAP_SHARED);

	ASSERT_NE(MAP_FAILED, p);
	mmd_pattern_fill(p, len, 0x11);
	ASSERT_EQ(0, mmd_run_peer(self->base + self->page, len, "check", 0x11));
	ASSERT_EQ(0, mmd_run_peer(self->base + self->page, len, "write", 0x5a));
	ASSERT_TRUE(mmd_pattern_ok(p, len, 0x5a));
	ASSERT_EQ(0, munmap(p, len));
}

TEST_F(mmd, shared_after_fork)
{
	size_t len = 2 * self->page;
	volatile unsigned char *p = MAP(0, len, RW, MAP_SHARED);
	int to_child[2], to_parent[2];
	char c;
	pid_t pid;
	int st;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* wait for the parent's write, check it, answer */
		if (read(to_child[0], &c, 1) != 1 || p[10] != 0xa1)
			_exit(1);
		p[self->page + 20] = 0xc2;
		_exit(write(to_parent[1], "x", 1) == 1 ? 0 : 1);
	}
	p[10] = 0xa1;
	ASSERT_EQ(1, write(to_child[1], "x", 1));
	ASSERT_EQ(1, read(to_parent[0], &c, 1));
	EXPECT_EQ(0xc2, p[self->page + 20]);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	ASSERT_EQ(0, WEXITSTATUS(st));
	ASSERT_EQ(0, munmap((void *)p, len));
}

/* The same buffer offset mapped by two strategies shows the same bytes. */
TEST_F(mmd, same_bytes_across_strategies)
{
	size_t len = 4 * self->page;
	unsigned char *a = MAP(2 * self->page, len, RW, MAP_SHARED);
	unsigned char *b = mmap(NULL, len, RW, MAP_SHARED, self->fd,
				MMAPDEMO_OFFSET(variant->other) + 2 * self->page);

	ASSERT_NE(MAP_FAILED, a);
	ASSERT_NE(MAP_FAILED, b);
	mmd_pattern_fill(a, len, 3);
	ASSERT_TRUE(mmd_pattern_ok(b, len, 3));
	mmd_pattern_fill(b + self->page, self->page, 77);
	ASSERT_TRUE(mmd_pattern_ok(a + self->page, self->page, 77));
	ASSERT_EQ(0, munmap(a, len));
	ASSERT_EQ(0, munmap(b, len));
}

TEST_F(mmd, mapping_vs_read_write)
{
	unsigned char *p = MAP(0, self->size, RW, MAP_SHARED);
	unsigned char buf[300];

	ASSERT_NE(MAP_FAILED, p);
	mmd_pattern_fill(p + 5000, sizeof(buf), 9);
	ASSERT_EQ(sizeof(buf), pread(self->fd, buf, sizeof(buf), 5000));
	ASSERT_TRUE(mmd_pattern_ok(buf, sizeof(buf), 9));
	mmd_pattern_fill(buf, sizeof(buf), 200);
	ASSERT_EQ(sizeof(buf), pwrite(self->fd, buf, sizeof(buf),
				      self->size - sizeof(buf)));
	ASSERT_TRUE(mmd_pattern_ok(p + self->size - sizeof(buf), sizeof(buf), 200));
	ASSERT_EQ(0, munmap(p, self->size));
}

TEST_F(mmd, mapping_vs_kernel)
{
	struct mmapdemo_fill fill = {
		.offset = 2 * self->page, .length = self->page,
		.flags = MMAPDEMO_FILL_INCREMENT, .seed = 7,
	};
	struct mmapdemo_checksum sum = {
		.offset = 3 * self->page, .length = self->page,
	};
	unsigned char *p = MAP(0, 4 * self->page, RW, MAP_SHARED);
	size_t i;

	ASSERT_NE(MAP_FAILED, p);
	/* kernel -> user */
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_FILL, &fill));
	ASSERT_TRUE(mmd_pattern_ok(p + 2 * self->page, self->page, 7));
	/* user -> kernel */
	for (i = 0; i < self->page; i++)
		p[3 * self->page + i] = (unsigned char)(i * 31 + 5);
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_CHECKSUM, &sum));
	ASSERT_EQ(mmd_fnv1a(p + 3 * self->page, self->page), sum.sum);
	ASSERT_EQ(0, munmap(p, 4 * self->page));
}

TEST_F(mmd, several_subranges)
{
	unsigned char *a = MAP(1 * self->page, 2 * self->page, RW, MAP_SHARED);
	unsigned char *b = MAP(5 * self->page, 1 * self->page, RW, MAP_SHARED);
	unsigned char *all = MAP(0, 8 * self->page, PROT_READ, MAP_SHARED);
	unsigned char c;

	ASSERT_NE(MAP_FAILED, a);
	ASSERT_NE(MAP_FAILED, b);
	ASSERT_NE(MAP_FAILED, all);
	EXPECT_EQ(3, mmd_live(self->fd, variant->strategy));
	a[self->page + 1] = 0x42;		/* buffer page 2 */
	b[7] = 0x43;				/* buffer page 5 */
	EXPECT_EQ(0x42, all[2 * self->page + 1]);
	EXPECT_EQ(0x43, all[5 * self->page + 7]);
	ASSERT_EQ(1, pread(self->fd, &c, 1, 5 * self->page + 7));
	EXPECT_EQ(0x43, c);
	ASSERT_EQ(0, munmap(a, 2 * self->page));
	ASSERT_EQ(0, munmap(b, self->page));
	ASSERT_EQ(0, munmap(all, 8 * self->page));
	EXPECT_EQ(0, mmd_live(self->fd, variant->strategy));
}

/* ---- private mappings --------------------------------------------------- */

TEST_F(mmd, private_mapping)
{
	size_t len = 2 * self->page;
	volatile unsigned char *s, *p;
	struct mmapdemo_checksum sum = { .offset = 0, .length = len };
	unsigned char c;
	uint64_t before;
	pid_t pid;
	int st;

	p = MAP(0, len, RW, MAP_PRIVATE);
	if (!variant->private_ok) {
		ASSERT_EQ(MAP_FAILED, p);
		ASSERT_EQ(EINVAL, errno);
		return;
	}
	ASSERT_NE(MAP_FAILED, p);
	s = MAP(0, len, RW, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, s);

	s[0] = 'a';
	ASSERT_EQ('a', p[0]);	/* not yet written: reads the buffer */
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_CHECKSUM, &sum));
	before = sum.sum;

	p[0] = 'b';		/* copy-on-write: a private copy now */
	EXPECT_EQ('a', s[0]);
	ASSERT_EQ(1, pread(self->fd, &c, 1, 0));
	EXPECT_EQ('a', c);
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_CHECKSUM, &sum));
	EXPECT_EQ(before, sum.sum);
	/* an unrelated process sees the buffer, not the private copy */
	EXPECT_EQ(0, mmd_run_peer(self->base, 1, "check", 'a'));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* inherits the private copy, and its writes stay its own */
		if (p[0] != 'b')
			_exit(1);
		p[0] = 'c';
		_exit(p[0] == 'c' ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_EQ(0, WEXITSTATUS(st));
	EXPECT_EQ('b', p[0]);

	s[0] = 'd';		/* the private page no longer follows the buffer */
	EXPECT_EQ('b', p[0]);
	ASSERT_EQ(0, munmap((void *)p, len));
	ASSERT_EQ(0, munmap((void *)s, len));
}

/* ---- bounds and alignment ---------------------------------------------- */

TEST_F(mmd, offset_past_end)
{
	ASSERT_EQ(MAP_FAILED, MAP(self->size, self->page, RW, MAP_SHARED));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(MAP_FAILED, MAP(self->size + self->page, self->page, RW,
				  MAP_SHARED));
	ASSERT_EQ(EINVAL, errno);
	/* last page of the region: far past the buffer */
	ASSERT_EQ(MAP_FAILED, MAP(MMAPDEMO_REGION_SIZE - self->page,
				  self->page, RW, MAP_SHARED));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(mmd, length_past_end)
{
	size_t len = self->size + 2 * self->page;
	unsigned char *p = MAP(0, len, RW, MAP_SHARED);
	uint64_t sigbus;
	struct mmapdemo_stats st;

	if (!variant->past_end_ok) {
		ASSERT_EQ(MAP_FAILED, p);
		ASSERT_EQ(EINVAL, errno);
		/* starting inside, ending outside */
		ASSERT_EQ(MAP_FAILED, MAP(self->size - self->page,
					  2 * self->page, RW, MAP_SHARED));
		ASSERT_EQ(EINVAL, errno);
		return;
	}
	/* like a file mapped past EOF: the part past the end is SIGBUS */
	ASSERT_NE(MAP_FAILED, p);
	mmd_stats(self->fd, &st);
	sigbus = st.sigbus;
	EXPECT_EQ(0, mmd_probe_write(p + self->size - 1, 1));
	EXPECT_EQ(SIGBUS, mmd_probe_read(p + self->size));
	EXPECT_EQ(SIGBUS, mmd_probe_write(p + len - 1, 1));
	mmd_stats(self->fd, &st);
	EXPECT_EQ(sigbus + 2, st.sigbus);
	ASSERT_EQ(0, munmap(p, len));
}

TEST_F(mmd, offset_overflow)
{
	/*
	 * For a character device the kernel lets offsets run up to 2^64
	 * (file_mmap_size_max() is ULONG_MAX): everything but a wrapping
	 * offset + length reaches the driver, whose own checks must hold.
	 */
	static const unsigned long long einval[] = {
		0x8000000000000000ULL, 0x7ffffffffffff000ULL,
		0x4000000000000000ULL, MMAPDEMO_OFFSET(MMAPDEMO_STRATEGY_SLOTS),
	};
	unsigned int i;

	/* offset + length wraps past 2^64: the core mm refuses */
	errno = 0;
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * self->page, RW, MAP_SHARED,
				   self->fd, (off_t)0xfffffffffffff000ULL));
	EXPECT_EQ(EOVERFLOW, errno);
	/* huge offsets that do not wrap: no region of ours */
	for (i = 0; i < sizeof(einval) / sizeof(einval[0]); i++) {
		errno = 0;
		EXPECT_EQ(MAP_FAILED, mmap(NULL, self->page, RW, MAP_SHARED,
					   self->fd, (off_t)einval[i]));
		EXPECT_EQ(EINVAL, errno) TH_LOG("offset %#llx", einval[i]);
	}
	/* a mapping may never cross into the next region */
	errno = 0;
	EXPECT_EQ(MAP_FAILED, MAP(self->size - self->page,
				  MMAPDEMO_REGION_SIZE, PROT_READ, MAP_SHARED));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(mmd, unaligned_offset)
{
	ASSERT_EQ(MAP_FAILED, MAP(100, self->page, RW, MAP_SHARED));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(mmd, zero_length)
{
	ASSERT_EQ(MAP_FAILED, MAP(0, 0, RW, MAP_SHARED));
	ASSERT_EQ(EINVAL, errno);
}

/* A length that is not a page multiple maps whole pages. */
TEST_F(mmd, partial_last_page)
{
	off_t off = self->size - self->page;
	unsigned char *p = MAP(off, 100, RW, MAP_SHARED);
	unsigned char c;

	ASSERT_NE(MAP_FAILED, p);
	p[99] = 0x99;
	p[self->page - 1] = 0x98;	/* rounded up: the whole page */
	ASSERT_EQ(1, pread(self->fd, &c, 1, off + 99));
	EXPECT_EQ(0x99, c);
	ASSERT_EQ(1, pread(self->fd, &c, 1, self->size - 1));
	EXPECT_EQ(0x98, c);
	ASSERT_EQ(0, munmap(p, 100));
}

/* ---- permissions -------------------------------------------------------- */

TEST_F(mmd, rdonly_fd_shared_write)
{
	int ro = open(MMD_DEV, O_RDONLY);
	unsigned char *p;

	ASSERT_LE(0, ro);
	p = mmap(NULL, self->page, RW, MAP_SHARED, ro, self->base);
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EACCES, errno);
	/* read-only is fine, and cannot be upgraded */
	p = mmap(NULL, self->page, PROT_READ, MAP_SHARED, ro, self->base);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, self->page, RW));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(SIGSEGV, mmd_probe_write(p, 1));
	ASSERT_EQ(0, munmap(p, self->page));
	close(ro);
}

TEST_F(mmd, readonly_mapping)
{
	unsigned char *p = MAP(0, self->page, PROT_READ, MAP_SHARED);

	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, mmd_probe_read(p));
	EXPECT_EQ(SIGSEGV, mmd_probe_write(p, 1));
	/* the fd is O_RDWR, so the mapping may become writable */
	ASSERT_EQ(0, mprotect(p, self->page, RW));
	EXPECT_EQ(0, mmd_probe_write(p, 1));
	ASSERT_EQ(0, munmap(p, self->page));
}

TEST_F(mmd, prot_exec_refused)
{
	unsigned char *p;

	p = MAP(0, self->page, PROT_READ | PROT_EXEC, MAP_SHARED);
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EPERM, errno);
	p = MAP(0, self->page, PROT_READ, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, self->page, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	ASSERT_EQ(0, munmap(p, self->page));
}

#define OVERCOMMIT	"/proc/sys/vm/overcommit_memory"

static int overcommit_mode(void)
{
	FILE *f = fopen(OVERCOMMIT, "r");
	int mode = -1;

	if (f) {
		if (fscanf(f, "%d", &mode) != 1)
			mode = -1;
		fclose(f);
	}
	return mode;
}

/*
 * errno of a private writable mmap() of 1 TiB at buffer offset 0, or 0 if
 * it maps.  The kernel charges it first (__vm_enough_memory()): in mode 0
 * unless MAP_NORESERVE is given, refused if more than RAM + swap; in mode
 * 2 always, refused if more than the commit limit has left; in mode 1
 * never.  Uncharged, it reaches the driver, whose region it fills
 * exactly (docs/policy.md).
 */
static int tib_expect(const FIXTURE_VARIANT(mmd) *variant, int mode,
		      bool noreserve)
{
	const long long tib_kb = 1LL << 30;

	if (mode == 0 && !noreserve &&
	    meminfo_kb("MemTotal") + meminfo_kb("SwapTotal") < tib_kb)
		return ENOMEM;
	if (mode == 2 &&
	    meminfo_kb("CommitLimit") - meminfo_kb("Committed_AS") < tib_kb)
		return ENOMEM;
	return variant->private_ok ? 0 : EINVAL;
}

static int tib_map(const FIXTURE_VARIANT(mmd) *variant, int fd,
		   uint64_t base, int flags)
{
	void *p = map_variant_at(variant, fd, NULL, base, 0,
				 MMAPDEMO_REGION_SIZE, RW,
				 MAP_PRIVATE | flags);

	if (p == MAP_FAILED)
		return errno;
	return munmap(p, MMAPDEMO_REGION_SIZE) ? -1 : 0;
}

/*
 * The policy row for a private writable mapping of 1 TiB, in the mode the
 * machine is in, with and without MAP_NORESERVE, and as root in the other
 * of modes 0 and 1 too.
 */
TEST_F(mmd, private_tib_overcommit)
{
	int mode = overcommit_mode(), other;
	char val[12];

	ASSERT_LE(0, mode);
	EXPECT_EQ(tib_expect(variant, mode, false),
		  tib_map(variant, self->fd, self->base, 0));
	EXPECT_EQ(tib_expect(variant, mode, true),
		  tib_map(variant, self->fd, self->base, MAP_NORESERVE));
	if (mode == 2 || geteuid())
		return;
	other = !mode;
	snprintf(val, sizeof(val), "%d", other);
	ASSERT_EQ(0, mmd_write_file(OVERCOMMIT, val));
	EXPECT_EQ(tib_expect(variant, other, false),
		  tib_map(variant, self->fd, self->base, 0));
	snprintf(val, sizeof(val), "%d", mode);
	ASSERT_EQ(0, mmd_write_file(OVERCOMMIT, val));
}

/* ---- VMA life ----------------------------------------------------------- */

TEST_F(mmd, munmap_middle)
{
	unsigned char *p = MAP(0, 3 * self->page, RW, MAP_SHARED);

	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(1, mmd_live(self->fd, variant->strategy));
	ASSERT_EQ(0, munmap(p + self->page, self->page));
	EXPECT_EQ(2, mmd_live(self->fd, variant->strategy));
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_FILL, &(struct mmapdemo_fill){
		.offset = 0, .length = 3 * self->page,
		.flags = MMAPDEMO_FILL_INCREMENT, .seed = 1 }));
	EXPECT_TRUE(mmd_pattern_ok(p, self->page, 1));
	EXPECT_TRUE(mmd_pattern_ok(p + 2 * self->page, self->page,
			       1 + 2 * self->page));
	EXPECT_EQ(SIGSEGV, mmd_probe_read(p + self->page));
	ASSERT_EQ(0, munmap(p, self->page));
	EXPECT_EQ(1, mmd_live(self->fd, variant->strategy));
	ASSERT_EQ(0, munmap(p + 2 * self->page, self->page));
	EXPECT_EQ(0, mmd_live(self->fd, variant->strategy));
}

TEST_F(mmd, mprotect_subrange)
{
	unsigned char *p = MAP(0, 3 * self->page, RW, MAP_SHARED);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, mprotect(p + self->page, self->page, PROT_READ));
	EXPECT_EQ(3, mmd_live(self->fd, variant->strategy));
	EXPECT_EQ(0, mmd_probe_write(p, 1));
	EXPECT_EQ(SIGSEGV, mmd_probe_write(p + self->page, 1));
	EXPECT_EQ(0, mmd_probe_read(p + self->page));
	EXPECT_EQ(0, mmd_probe_write(p + 2 * self->page, 1));
	ASSERT_EQ(0, munmap(p, 3 * self->page));
	EXPECT_EQ(0, mmd_live(self->fd, variant->strategy));
}

TEST_F(mmd, mremap_shrink_not_grow)
{
	unsigned char *p = MAP(0, 4 * self->page, RW, MAP_SHARED), *q;

	ASSERT_NE(MAP_FAILED, p);
	q = mremap(p, 4 * self->page, 2 * self->page, 0);
	ASSERT_EQ(p, q);
	EXPECT_EQ(1, mmd_live(self->fd, variant->strategy));
	EXPECT_EQ(SIGSEGV, mmd_probe_read(p + 2 * self->page));
	/* VM_DONTEXPAND: growing fails, in place or moving */
	EXPECT_EQ(MAP_FAILED, mremap(p, 2 * self->page, 4 * self->page, 0));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(MAP_FAILED, mremap(p, 2 * self->page, 4 * self->page,
				     MREMAP_MAYMOVE));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, munmap(p, 2 * self->page));
	EXPECT_EQ(0, mmd_live(self->fd, variant->strategy));
}

TEST_F(mmd, map_fixed_replaces)
{
	unsigned char *p = MAP(0, 2 * self->page, RW, MAP_SHARED), *q;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_FILL, &(struct mmapdemo_fill){
		.offset = 4 * self->page, .length = 2 * self->page,
		.flags = MMAPDEMO_FILL_INCREMENT, .seed = 44 }));
	q = mmap(p, 2 * self->page, RW, MAP_SHARED | MAP_FIXED, self->fd,
		 self->base + 4 * self->page);
	ASSERT_EQ(p, q);
	EXPECT_TRUE(mmd_pattern_ok(q, 2 * self->page, 44));
	EXPECT_EQ(1, mmd_live(self->fd, variant->strategy));
	ASSERT_EQ(0, munmap(q, 2 * self->page));
	EXPECT_EQ(0, mmd_live(self->fd, variant->strategy));
}

TEST_F(mmd, madvise_dontneed)
{
	volatile unsigned char *p = MAP(0, 2 * self->page, RW, MAP_SHARED);
	uint64_t faults;
	unsigned char c = 0x77;

	ASSERT_NE(MAP_FAILED, p);
	p[0] = 0x55;
	if (variant->pfnmap) {
		/* no struct pages to drop in a PFN mapping */
		EXPECT_EQ(-1, madvise((void *)p, 2 * self->page,
				      MADV_DONTNEED));
		EXPECT_EQ(EINVAL, errno);
	} else {
		ASSERT_EQ(0, madvise((void *)p, 2 * self->page, MADV_DONTNEED));
		ASSERT_EQ(1, pwrite(self->fd, &c, 1, 0));
		faults = mmd_faults(self->fd, variant->strategy);
		/* refaulted: the shared page again, not a zero page */
		EXPECT_EQ(0x77, p[0]);
		EXPECT_EQ(faults + 1, mmd_faults(self->fd, variant->strategy));
	}
	ASSERT_EQ(0, munmap((void *)p, 2 * self->page));
}

/*
 * MAP_POPULATE pre-faults through get_user_pages(), and __mm_populate()
 * skips VM_IO and VM_PFNMAP VMAs: remap needs none (mapped at mmap() time),
 * huge gets none (its pages fault in on first touch).
 */
TEST_F(mmd, map_populate)
{
	bool populated = variant->batch && !variant->pfnmap;
	/* populate runs inside mmap(), before MAP() gives the hint */
	unsigned int batch = unhinted_batch(variant);
	uint64_t faults = batch ? (8 + batch - 1) / batch : 0;
	size_t n = 8, i;
	struct mmapdemo_stats a, b, c;
	volatile unsigned char *p;

	mmd_stats(self->fd, &a);
	p = MAP(0, n * self->page, RW, MAP_SHARED | MAP_POPULATE);
	ASSERT_NE(MAP_FAILED, p);
	mmd_stats(self->fd, &b);
	for (i = 0; i < n; i++)
		(void)p[i * self->page];
	mmd_stats(self->fd, &c);
	/* pre-faulted by the core mm: one fault per page (or per batch) */
	EXPECT_EQ(populated ? faults : 0,
		  b.strategy[variant->strategy].faults -
		  a.strategy[variant->strategy].faults);
	EXPECT_EQ(populated || !variant->batch ? n : 0,
		  b.strategy[variant->strategy].pages_mapped -
		  a.strategy[variant->strategy].pages_mapped);
	/* touching faults only what populate did not map */
	EXPECT_EQ(populated ? 0 : faults,
		  c.strategy[variant->strategy].faults -
		  b.strategy[variant->strategy].faults);
	ASSERT_EQ(0, munmap((void *)p, n * self->page));
}

/* Nothing to write back, and saying so is not an error: msync, fsync. */
TEST_F(mmd, msync_and_fsync_succeed)
{
	static const int flags[] = { MS_SYNC, MS_ASYNC, MS_INVALIDATE,
				     MS_SYNC | MS_INVALIDATE };
	unsigned char *p = MAP(0, 4 * self->page, RW, MAP_SHARED);
	unsigned char c = 0;
	unsigned int i;

	ASSERT_NE(MAP_FAILED, p);
	p[0] = 0x42;
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, msync(p, 4 * self->page, flags[i]))
			TH_LOG("flags %#x: %s", flags[i], strerror(errno));
	EXPECT_EQ(0, fsync(self->fd)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(0, fdatasync(self->fd)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(1, pread(self->fd, &c, 1, 0));
	EXPECT_EQ(0x42, c);
	ASSERT_EQ(0, munmap(p, 4 * self->page));
}

TEST_F(mmd, mlock)
{
	unsigned char *p = MAP(0, 4 * self->page, RW, MAP_SHARED);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, mlock(p, 4 * self->page));
	mmd_pattern_fill(p, 4 * self->page, 12);
	ASSERT_EQ(0, munlock(p, 4 * self->page));
	EXPECT_EQ(0, mmd_run_peer(self->base, 4 * self->page, "check", 12));
	ASSERT_EQ(0, munmap(p, 4 * self->page));
}

TEST_F(mmd, fork_after_partial_unmap)
{
	size_t pg = self->page;
	volatile unsigned char *p = MAP(0, 4 * pg, RW, MAP_SHARED);
	pid_t pid;
	int st;

	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	p[2 * pg] = 2;
	p[3 * pg] = 3;
	ASSERT_EQ(0, munmap((void *)(p + pg), pg));
	EXPECT_EQ(2, mmd_live(self->fd, variant->strategy));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* the child's two VMAs and the parent's */
		if (mmd_live(self->fd, variant->strategy) != 4)
			_exit(1);
		if (p[0] != 1 || p[2 * pg] != 2 || p[3 * pg] != 3)
			_exit(2);
		if (mmd_probe_read(p + pg) != SIGSEGV)
			_exit(3);
		p[3 * pg] = 33;
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
	EXPECT_EQ(33, p[3 * pg]);
	EXPECT_EQ(2, mmd_live(self->fd, variant->strategy));
	ASSERT_EQ(0, munmap((void *)p, pg));
	ASSERT_EQ(0, munmap((void *)(p + 2 * pg), 2 * pg));
	EXPECT_EQ(0, mmd_live(self->fd, variant->strategy));
}

/* The mapping keeps the file (and the buffer) alive after close(). */
TEST_F(mmd, close_fd_before_touch)
{
	struct mmapdemo_stats a, b, c;
	unsigned char *p;
	int fd2;

	mmd_stats(self->fd, &a);
	fd2 = open(MMD_DEV, O_RDWR);
	ASSERT_LE(0, fd2);
	p = mmap(NULL, 2 * self->page, RW, MAP_SHARED, fd2, self->base);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, close(fd2));
	mmd_stats(self->fd, &b);
	EXPECT_EQ(a.open_files + 1, b.open_files);
	EXPECT_EQ(1, b.strategy[variant->strategy].live_maps);
	mmd_pattern_fill(p, 2 * self->page, 21);
	EXPECT_EQ(0, mmd_run_peer(self->base, 2 * self->page, "check", 21));
	ASSERT_EQ(0, munmap(p, 2 * self->page));
	mmd_stats(self->fd, &c);
	EXPECT_EQ(a.open_files, c.open_files);
	EXPECT_EQ(0, c.strategy[variant->strategy].live_maps);
}

/* ---- statistics --------------------------------------------------------- */

TEST_F(mmd, fault_counter_exact)
{
	volatile unsigned char *p = MAP(0, 16 * self->page, RW, MAP_SHARED);
	static const unsigned int touched[] = { 0, 3, 5, 7 };
	uint64_t f0, f1, f2;

	ASSERT_NE(MAP_FAILED, p);
	f0 = mmd_faults(self->fd, variant->strategy);
	(void)p[0];
	(void)p[3 * self->page + 17];
	(void)p[5 * self->page];
	p[7 * self->page + 1] = 1;
	f1 = mmd_faults(self->fd, variant->strategy);
	(void)p[3 * self->page];		/* already present */
	p[0] = 2;				/* already writable */
	f2 = mmd_faults(self->fd, variant->strategy);
	EXPECT_EQ(faults_for(variant, touched, 4), f1 - f0);
	EXPECT_EQ(f1, f2);
	ASSERT_EQ(0, munmap((void *)p, 16 * self->page));
}

/*
 * Touch buffer pages 480-543 in order, a window that crosses a boundary of
 * every run length (16, 512): the first touch maps the rest of its run
 * inside the VMA, and the whole window costs one fault per run it meets.
 */
TEST_F(mmd, sequential_touch_maps_runs)
{
	const unsigned int first = 480, n = 64;
	unsigned int pages[64], i, run = variant->batch;
	volatile unsigned char *p;
	struct mmapdemo_stats a, b, c;

	ASSERT_LE((first + n) * self->page, self->size);
	p = MAP(first * self->page, n * self->page, RW, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	mmd_stats(self->fd, &a);
	(void)p[0];
	mmd_stats(self->fd, &b);
	for (i = 0; i < n; i++) {
		pages[i] = first + i;
		(void)p[i * self->page];
	}
	mmd_stats(self->fd, &c);
	if (run)	/* the first fault maps its run, clipped to the VMA */
		EXPECT_EQ(run - first % run,
			  b.strategy[variant->strategy].pages_mapped -
			  a.strategy[variant->strategy].pages_mapped);
	EXPECT_EQ(faults_for(variant, pages, n),
		  c.strategy[variant->strategy].faults -
		  a.strategy[variant->strategy].faults);
	EXPECT_EQ(run ? n : 0, c.strategy[variant->strategy].pages_mapped -
			       a.strategy[variant->strategy].pages_mapped);
	ASSERT_EQ(0, munmap((void *)p, n * self->page));
}

/*
 * MADV_NORMAL takes back MAP()'s hint (and is accepted by every strategy):
 * the first fault maps the strategy's default run again.
 */
TEST_F(mmd, madvise_normal_drops_the_hint)
{
	const unsigned int n = 32;
	unsigned int run = unhinted_batch(variant);
	volatile unsigned char *p = MAP(0, n * self->page, RW, MAP_SHARED);
	struct mmapdemo_stats a, b;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, madvise((void *)p, n * self->page, MADV_NORMAL));
	mmd_stats(self->fd, &a);
	(void)p[0];
	mmd_stats(self->fd, &b);
	EXPECT_EQ(run ? 1 : 0, b.strategy[variant->strategy].faults -
			       a.strategy[variant->strategy].faults);
	EXPECT_EQ(run, b.strategy[variant->strategy].pages_mapped -
		       a.strategy[variant->strategy].pages_mapped);
	ASSERT_EQ(0, munmap((void *)p, n * self->page));
}

TEST_F(mmd, sysfs_matches_ioctl)
{
	static const char *const names[] = { "mmaps", "live_maps", "faults",
					     "pages_mapped" };
	static const char *const strat[] = { "remap", "fault", "batched",
					     "huge" };
	unsigned char *p = MAP(0, 2 * self->page, RW, MAP_SHARED);
	struct mmapdemo_stats st;
	char path[256];
	__u64 *v;
	int i;

	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	mmd_stats(self->fd, &st);
	EXPECT_EQ((long long)self->size, mmd_sysfs_ull(MMD_SYSFS "/buffer_size"));
	EXPECT_EQ((long long)st.live_maps, mmd_sysfs_ull(MMD_SYSFS "/live_maps"));
	EXPECT_EQ((long long)st.faults, mmd_sysfs_ull(MMD_SYSFS "/faults"));
	EXPECT_EQ((long long)st.opens, mmd_sysfs_ull(MMD_SYSFS "/opens"));
	EXPECT_EQ((long long)st.open_files,
		  mmd_sysfs_ull(MMD_SYSFS "/open_files"));
	EXPECT_EQ((long long)st.sigbus, mmd_sysfs_ull(MMD_SYSFS "/sigbus"));
	EXPECT_EQ((long long)st.resizes, mmd_sysfs_ull(MMD_SYSFS "/resizes"));
	v = &st.strategy[variant->strategy].mmaps;
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), MMD_SYSFS "/%s/%s",
			 strat[variant->strategy], names[i]);
		EXPECT_EQ((long long)v[i], mmd_sysfs_ull(path)) TH_LOG("%s", path);
	}
	EXPECT_EQ(1, st.strategy[variant->strategy].live_maps);
	ASSERT_EQ(0, munmap(p, 2 * self->page));
}

/* ---- what /proc shows --------------------------------------------------- */

/*
 * From /proc/self/smaps, for the mapping that starts at @addr: its header
 * (the /proc/self/maps line) into @line when @line is given, and the value
 * of field @key (e.g. "VmFlags:") into @val, without the newline.  False
 * when the mapping or the field is missing.
 */
static bool smaps_field(void *addr, const char *key, char *line,
			size_t linesz, char *val, size_t valsz)
{
	unsigned long start, end;
	bool in = false, found = false;
	char buf[512];
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return false;
	while (fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		/* field names never parse as "hex-hex": this is a header */
		if (sscanf(buf, "%lx-%lx ", &start, &end) == 2) {
			in = start == (unsigned long)addr;
			if (in && line)
				snprintf(line, linesz, "%s", buf);
		} else if (in && !strncmp(buf, key, strlen(key))) {
			snprintf(val, valsz, "%s", buf + strlen(key));
			found = true;
		}
	}
	fclose(f);
	return found;
}

static bool has_flag(const char *flags, const char *f)
{
	char pat[8];

	snprintf(pat, sizeof(pat), " %s ", f);
	return strstr(flags, pat) != NULL;
}

TEST_F(mmd, proc_maps_and_vmflags)
{
	unsigned char *p = MAP(2 * self->page, 2 * self->page, RW, MAP_SHARED);
	char line[512], val[512], flags[520];
	unsigned long long off;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_TRUE(smaps_field(p, "VmFlags:", line, sizeof(line), val,
				sizeof(val)));
	snprintf(flags, sizeof(flags), "%s ", val);	/* " sh mr ... dd " */
	EXPECT_NE(NULL, strstr(line, MMD_DEV)) TH_LOG("%s", line);
	ASSERT_EQ(1, sscanf(line, "%*s %*s %llx", &off)) TH_LOG("%s", line);
	EXPECT_EQ((unsigned long long)self->base + 2 * self->page, off);
	EXPECT_TRUE(has_flag(flags, "sh")) TH_LOG("%s", flags);
	EXPECT_TRUE(has_flag(flags, "de")) TH_LOG("%s", flags);	/* DONTEXPAND */
	EXPECT_TRUE(has_flag(flags, "dd")) TH_LOG("%s", flags);	/* DONTDUMP */
	EXPECT_FALSE(has_flag(flags, "ex")) TH_LOG("%s", flags);
	EXPECT_FALSE(has_flag(flags, "me")) TH_LOG("%s", flags);	/* MAYEXEC */
	EXPECT_EQ(variant->pfnmap, has_flag(flags, "pf")) TH_LOG("%s", flags);
	EXPECT_EQ(variant->pfnmap, has_flag(flags, "io")) TH_LOG("%s", flags);
	EXPECT_EQ(variant->mixedmap, has_flag(flags, "mm")) TH_LOG("%s", flags);
	ASSERT_EQ(0, munmap(p, 2 * self->page));
}

/* The bounds of the VMA that holds @addr, from /proc/self/maps. */
static bool vma_bounds(const void *addr, unsigned long *start,
		       unsigned long *end)
{
	bool found = false;
	char buf[512];
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return false;
	while (!found && fgets(buf, sizeof(buf), f))
		found = sscanf(buf, "%lx-%lx ", start, end) == 2 &&
			*start <= (unsigned long)addr &&
			(unsigned long)addr < *end;
	fclose(f);
	return found;
}

/*
 * Three mappings of adjacent buffer ranges, with the same flags, placed
 * next to each other (the middle one first, then one after it and one
 * before it: a merge either way) stay three VMAs, each counted by its own
 * ->mapped.  The core merges a new mapping into a neighbour with the same
 * file, flags and contiguous offsets unless a VM_SPECIAL flag forbids it;
 * a merged mapping never reaches the driver on 7.3 (file.c:
 * VM_DONTEXPAND, the only such flag of the fault strategy).
 */
TEST_F(mmd, adjacent_mapping_not_merged)
{
	static const unsigned int order[] = { 1, 2, 0 };
	size_t len = 2 * self->page;
	unsigned int s = variant->strategy, i;
	struct mmapdemo_stats a, b, c;
	unsigned long start, end;
	unsigned char *p, *q;

	/* six free pages of address space */
	p = mmap(NULL, 3 * len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p, 3 * len));
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_FILL, &(struct mmapdemo_fill){
		.offset = 0, .length = 3 * len,
		.flags = MMAPDEMO_FILL_INCREMENT, .seed = 7 }));

	mmd_stats(self->fd, &a);
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		q = map_variant_at(variant, self->fd, p + order[i] * len,
				   self->base, order[i] * len, len, RW,
				   MAP_SHARED | MAP_FIXED_NOREPLACE);
		ASSERT_EQ(p + order[i] * len, q);
	}
	mmd_stats(self->fd, &b);
	EXPECT_EQ(3, b.strategy[s].mmaps - a.strategy[s].mmaps);
	EXPECT_EQ(3, b.strategy[s].live_maps - a.strategy[s].live_maps);
	for (i = 0; i < 3; i++) {
		ASSERT_TRUE(vma_bounds(p + i * len, &start, &end));
		EXPECT_EQ((unsigned long)(p + i * len), start);
		EXPECT_EQ((unsigned long)(p + (i + 1) * len), end);
	}
	EXPECT_TRUE(mmd_pattern_ok(p, 3 * len, 7));
	ASSERT_EQ(0, munmap(p, 3 * len));
	mmd_stats(self->fd, &c);
	EXPECT_EQ(a.strategy[s].live_maps, c.strategy[s].live_maps);
}

/*
 * READ_IMPLIES_EXEC turns every PROT_READ into PROT_READ | PROT_EXEC
 * (do_mmap()), which the driver refuses, unless the node's mount is
 * noexec: then the kernel adds nothing and the mapping is not executable.
 */
TEST_F(mmd, read_implies_exec)
{
	char val[512], flags[520];
	struct statvfs sv;
	unsigned char *p;

	ASSERT_EQ(0, statvfs(MMD_DEV, &sv));
	ASSERT_NE(-1, personality(personality(0xffffffff) | READ_IMPLIES_EXEC));
	p = MAP(0, self->page, PROT_READ, MAP_SHARED);
	if (!(sv.f_flag & ST_NOEXEC)) {
		EXPECT_EQ(MAP_FAILED, p);
		EXPECT_EQ(EPERM, errno);
		return;
	}
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_TRUE(smaps_field(p, "VmFlags:", NULL, 0, val, sizeof(val)));
	snprintf(flags, sizeof(flags), "%s ", val);
	EXPECT_FALSE(has_flag(flags, "ex")) TH_LOG("%s", flags);
	ASSERT_EQ(0, munmap(p, self->page));
}

/* ---- 2 MiB mappings ------------------------------------------------------ */

#define SZ_2M	(2UL << 20)

/*
 * The huge strategy maps a 2 MiB block by one PMD where the kernel has PFN
 * PMDs (INFO's MMAPDEMO_INFO_HUGE_PMD; 6.12, 7.3), by 4 KiB pages elsewhere.
 * The proof of a PMD is the driver's fault counter: touching every page of
 * a block takes one fault that mapped 512 pages, against 512 faults of one
 * page each if only PTEs were used.  (A PFN map has no struct page, so
 * smaps and pagemap do not see it.)
 */
FIXTURE(pmd) {
	int fd;
	struct mmapdemo_info info;
	bool pmd;		/* the kernel maps PMDs for this strategy */
	size_t len;		/* the huge blocks at the start of the buffer */
};

/* Kernel release as 100 * major + minor, e.g. 612. */
static int kernel_version(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return 0;
	return 100 * major + minor;
}

FIXTURE_SETUP(pmd)
{

	self->fd = mmd_fixture_open(_metadata, &self->info);
	if (self->fd < 0)
		return;
	self->pmd = self->info.flags & MMAPDEMO_INFO_HUGE_PMD;
	ASSERT_LE(2 * SZ_2M, self->info.buffer_size);
	/* a fragmented machine cannot give 2 MiB blocks: nothing to test */
	if (self->info.huge_blocks < 2)
		SKIP(return, "only %u contiguous 2 MiB blocks in the buffer (memory fragmented at load)",
		     self->info.huge_blocks);
	self->len = 2 * SZ_2M;
}

FIXTURE_TEARDOWN(pmd)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Device faults taken while writing one byte into every page of [p, +len). */
static uint64_t touch_all(int fd, unsigned int s, volatile unsigned char *p,
			  size_t len)
{
	uint64_t f0 = mmd_faults(fd, s);
	size_t i;

	for (i = 0; i < len; i += 4096)
		p[i] = (unsigned char)(i >> 12);
	return mmd_faults(fd, s) - f0;
}

static void *map_huge(int fd, size_t len)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    MMAPDEMO_OFFSET(MMAPDEMO_STRATEGY_HUGE));
}

/* The flag is the kernel's capability, not a guess: 6.1 lacks it. */
TEST_F(pmd, capability_matches_kernel)
{
	EXPECT_EQ(kernel_version() >= 612, self->pmd)
		TH_LOG("kernel %d, MMAPDEMO_INFO_HUGE_PMD %d", kernel_version(),
		       self->pmd);
}

TEST_F(pmd, one_fault_per_2m)
{
	volatile unsigned char *p = map_huge(self->fd, self->len);
	struct mmapdemo_stats a, b;
	size_t i;

	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, (uintptr_t)p % SZ_2M) TH_LOG("not on the 2 MiB grid");
	mmd_stats(self->fd, &a);
	touch_all(self->fd, MMAPDEMO_STRATEGY_HUGE, p, self->len);
	mmd_stats(self->fd, &b);
	EXPECT_EQ(self->pmd ? 2 : self->len / 4096,
		  b.strategy[MMAPDEMO_STRATEGY_HUGE].faults -
		  a.strategy[MMAPDEMO_STRATEGY_HUGE].faults);
	EXPECT_EQ(self->len / 4096,
		  b.strategy[MMAPDEMO_STRATEGY_HUGE].pages_mapped -
		  a.strategy[MMAPDEMO_STRATEGY_HUGE].pages_mapped);
	/* the same bytes through read() */
	for (i = 0; i < self->len; i += 256 << 10) {
		unsigned char c;

		ASSERT_EQ(1, pread(self->fd, &c, 1, i));
		EXPECT_EQ((unsigned char)(i >> 12), c);
	}
	ASSERT_EQ(0, munmap((void *)p, self->len));
}

/* A block only partly inside the mapping is mapped by 4 KiB pages. */
TEST_F(pmd, partial_block_falls_back)
{
	volatile unsigned char *p;
	unsigned char c;

	p = mmap(NULL, SZ_2M, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 MMAPDEMO_OFFSET(MMAPDEMO_STRATEGY_HUGE) + 4096);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(SZ_2M / 4096,
		  touch_all(self->fd, MMAPDEMO_STRATEGY_HUGE, p, SZ_2M));
	ASSERT_EQ(0, munmap((void *)p, SZ_2M));
	/* mapping page 1 is buffer page 2: touch_all() wrote 1 there */
	ASSERT_EQ(1, pread(self->fd, &c, 1, 2 * 4096));
	EXPECT_EQ(1, c);
}

TEST_F(pmd, split_by_mprotect_and_munmap)
{
	volatile unsigned char *p = map_huge(self->fd, self->len);
	uint64_t f0;

	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	p[SZ_2M] = 2;
	/* read-only in the middle of the first block: the PMD is split */
	ASSERT_EQ(0, mprotect((void *)(p + 8192), 4096, PROT_READ));
	EXPECT_EQ(3, mmd_live(self->fd, MMAPDEMO_STRATEGY_HUGE));
	f0 = mmd_faults(self->fd, MMAPDEMO_STRATEGY_HUGE);
	EXPECT_EQ(1, p[0]);
	EXPECT_EQ(SIGSEGV, mmd_probe_write(p + 8192, 3));
	/* a split PMD is zapped and refaults by 4 KiB; PTEs just stay */
	EXPECT_EQ(self->pmd ? 1 : 0,
		  mmd_faults(self->fd, MMAPDEMO_STRATEGY_HUGE) - f0);
	/* the second block keeps its entry through a munmap of the first */
	ASSERT_EQ(0, munmap((void *)p, SZ_2M));
	f0 = mmd_faults(self->fd, MMAPDEMO_STRATEGY_HUGE);
	EXPECT_EQ(2, p[SZ_2M]);
	p[SZ_2M + SZ_2M / 2] = 5;
	EXPECT_EQ(self->pmd ? 0 : 1,
		  mmd_faults(self->fd, MMAPDEMO_STRATEGY_HUGE) - f0);
	ASSERT_EQ(0, munmap((void *)(p + SZ_2M), SZ_2M));
	EXPECT_EQ(0, mmd_live(self->fd, MMAPDEMO_STRATEGY_HUGE));
}

TEST_F(pmd, fork_shares_the_blocks)
{
	volatile unsigned char *p = map_huge(self->fd, self->len);
	pid_t pid;
	int st;

	ASSERT_NE(MAP_FAILED, p);
	p[100] = 0x66;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (p[100] != 0x66)
			_exit(1);
		p[SZ_2M + 5] = 0x77;
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(0, WEXITSTATUS(st));
	EXPECT_EQ(0x77, p[SZ_2M + 5]);
	ASSERT_EQ(0, munmap((void *)p, self->len));
}

/*
 * The THP "enabled" setting does not govern PFN maps of driver memory (the
 * core skips it for a VM_PFNMAP VMA with ->huge_fault): a PMD in every mode.
 */
TEST_F(pmd, every_thp_mode)
{
	static const char *const modes[] = { "always", "madvise", "never" };
	const char *path = "/sys/kernel/mm/transparent_hugepage/enabled";
	char saved[128] = "", *sel, *end;
	unsigned int m;
	FILE *f;

	f = fopen(path, "r");
	ASSERT_NE(NULL, f) TH_LOG("%s: %s", path, strerror(errno));
	ASSERT_NE(NULL, fgets(saved, sizeof(saved), f));
	fclose(f);
	sel = strchr(saved, '[');
	end = sel ? strchr(sel, ']') : NULL;
	ASSERT_NE(NULL, end) TH_LOG("%s: %s", path, saved);
	*end = '\0';
	for (m = 0; m < 3; m++) {
		volatile unsigned char *p;

		ASSERT_EQ(0, mmd_write_file(path, modes[m]));
		p = map_huge(self->fd, self->len);
		ASSERT_NE(MAP_FAILED, p);
		EXPECT_EQ(self->pmd ? 2 : self->len / 4096,
			  touch_all(self->fd, MMAPDEMO_STRATEGY_HUGE, p,
				    self->len)) TH_LOG("THP %s", modes[m]);
		ASSERT_EQ(0, munmap((void *)p, self->len));
	}
	ASSERT_EQ(0, mmd_write_file(path, sel + 1));
}

/* MADV_NOHUGEPAGE on the mapping: 4 KiB pages only. */
TEST_F(pmd, madv_nohugepage)
{
	volatile unsigned char *p = map_huge(self->fd, self->len);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, madvise((void *)p, self->len, MADV_NOHUGEPAGE))
		TH_LOG("%s", strerror(errno));
	EXPECT_EQ(self->len / 4096,
		  touch_all(self->fd, MMAPDEMO_STRATEGY_HUGE, p, self->len));
	ASSERT_EQ(0, munmap((void *)p, self->len));
}

/* prctl(PR_SET_THP_DISABLE) in a process: 4 KiB pages only, there. */
TEST_F(pmd, prctl_thp_disable)
{
	pid_t pid;
	int st;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		volatile unsigned char *p;

		if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
			_exit(2);
		p = map_huge(self->fd, self->len);
		if (p == MAP_FAILED)
			_exit(3);
		_exit(touch_all(self->fd, MMAPDEMO_STRATEGY_HUGE, p,
				self->len) == self->len / 4096 ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(0, WEXITSTATUS(st));
}

/* Blocks added by RESIZE are mapped by PMD just the same. */
TEST_F(pmd, after_resize)
{
	size_t old = self->info.buffer_size, len = 4 * SZ_2M;
	struct mmapdemo_resize rs = { .size = len };
	struct mmapdemo_info info;
	volatile unsigned char *p;

	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_RESIZE, &rs))
		TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_INFO, &info));
	if (info.huge_blocks == 4) {
		p = map_huge(self->fd, len);
		ASSERT_NE(MAP_FAILED, p);
		EXPECT_EQ(self->pmd ? 4 : len / 4096,
			  touch_all(self->fd, MMAPDEMO_STRATEGY_HUGE, p, len));
		ASSERT_EQ(0, munmap((void *)p, len));
	}
	rs.size = old;
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_RESIZE, &rs));
	if (info.huge_blocks != 4)
		SKIP(return, "RESIZE got %u of 4 contiguous blocks",
		     info.huge_blocks);
}

/*
 * /proc/kpageflags of every page a fault or batched mapping shows: the
 * buffer never hands the core a large folio (no COMPOUND bit, no THP).
 */
#define KPF_COMPOUND_HEAD	15
#define KPF_COMPOUND_TAIL	16
#define KPF_THP			22

static int page_flags(int pagemap, int kpageflags, const void *addr,
		      uint64_t *flags)
{
	uint64_t ent, pfn;

	if (pread(pagemap, &ent, 8, (uintptr_t)addr / 4096 * 8) != 8)
		return -1;
	if (!(ent >> 63))
		return -1;			/* not present */
	pfn = ent & ((1ULL << 55) - 1);
	if (!pfn)
		return -1;			/* PFNs hidden: not root */
	return pread(kpageflags, flags, 8, pfn * 8) == 8 ? 0 : -1;
}

TEST_F(pmd, no_large_folio_reaches_userspace)
{
	static const unsigned int s[] = { MMAPDEMO_STRATEGY_FAULT,
					  MMAPDEMO_STRATEGY_BATCHED };
	int pagemap = open("/proc/self/pagemap", O_RDONLY);
	int kpf = open("/proc/kpageflags", O_RDONLY);
	unsigned int i;

	ASSERT_LE(0, pagemap);
	ASSERT_LE(0, kpf) TH_LOG("/proc/kpageflags: %s", strerror(errno));
	for (i = 0; i < 2; i++) {
		volatile unsigned char *p;
		uint64_t flags;
		size_t off;

		/* on the 2 MiB grid, where a large folio would get a PMD */
		p = mmap(NULL, self->len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->fd, MMAPDEMO_OFFSET(s[i]));
		ASSERT_NE(MAP_FAILED, p);
		for (off = 0; off < self->len; off += 4096) {
			(void)p[off];
			ASSERT_EQ(0, page_flags(pagemap, kpf,
						(const void *)(p + off), &flags))
				TH_LOG("strategy %u offset %zu", s[i], off);
			EXPECT_EQ(0, flags & (1ULL << KPF_COMPOUND_HEAD |
					      1ULL << KPF_COMPOUND_TAIL |
					      1ULL << KPF_THP))
				TH_LOG("strategy %u offset %zu: flags %#llx",
				       s[i], off, (unsigned long long)flags);
		}
		ASSERT_EQ(0, munmap((void *)p, self->len));
	}
	close(kpf);
	close(pagemap);
}

/* The fault strategy maps one page per fault even on the 2 MiB grid. */
TEST_F(pmd, fault_strategy_never_pmd)
{
	volatile unsigned char *p, *want;

	/* reserve 4 MiB, then map at its 2 MiB-aligned address */
	p = mmap(NULL, 2 * self->len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	want = (volatile unsigned char *)(((uintptr_t)p + SZ_2M - 1) &
					  ~(SZ_2M - 1));
	p = mmap((void *)want, self->len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, self->fd,
		 MMAPDEMO_OFFSET(MMAPDEMO_STRATEGY_FAULT));
	ASSERT_EQ(want, p);
	EXPECT_EQ(self->len / 4096,
		  touch_all(self->fd, MMAPDEMO_STRATEGY_FAULT, p, self->len));
	ASSERT_EQ(0, munmap((void *)p, self->len));
}

/* ---- the device without mappings: ioctl, read, write, lseek ------------ */

FIXTURE(dev) {
	int fd;
	size_t size;
};

FIXTURE_SETUP(dev)
{
	struct mmapdemo_info info;

	self->fd = mmd_fixture_open(_metadata, &info);
	if (self->fd < 0)
		return;
	self->size = info.buffer_size;
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(dev, info)
{
	struct mmapdemo_info info;

	memset(&info, 0xff, sizeof(info));
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_INFO, &info));
	EXPECT_EQ(MMAPDEMO_ABI_VERSION, info.abi_version);
	EXPECT_EQ(sysconf(_SC_PAGESIZE), info.page_size);
	EXPECT_EQ(0, info.buffer_size % info.page_size);
	EXPECT_EQ(MMAPDEMO_MAX_SIZE, info.max_size);
	EXPECT_EQ(MMAPDEMO_REGION_SIZE, info.region_size);
	EXPECT_EQ(1U << MMAPDEMO_STRATEGY_REMAP | 1U << MMAPDEMO_STRATEGY_FAULT |
		  1U << MMAPDEMO_STRATEGY_BATCHED | 1U << MMAPDEMO_STRATEGY_HUGE,
		  info.strategies);
	EXPECT_GE(info.buffer_size / (2 << 20), info.huge_blocks);
	EXPECT_EQ(0, info.flags & ~(MMAPDEMO_INFO_HUGE_PMD |
				    MMAPDEMO_INFO_ONE_RANGE));
	EXPECT_EQ(0, info.reserved32 | info.reserved[0] | info.reserved[1] |
		     info.reserved[2]);
}

/*
 * The inode belongs to devtmpfs, not to the driver: opening the device
 * (done by the fixture) leaves its size alone.  lseek(SEEK_END) is where
 * the buffer size shows.
 */
TEST_F(dev, inode_size_untouched)
{
	struct stat st;

	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0, st.st_size);
	EXPECT_EQ((off_t)self->size, lseek(self->fd, 0, SEEK_END));
}

TEST_F(dev, ioctl_unknown_command)
{
	char arg[64] = { 0 };

	EXPECT_EQ(-1, ioctl(self->fd, _IO(MMAPDEMO_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, 0x1234, arg));
	EXPECT_EQ(ENOTTY, errno);
	/* right number, wrong size: a different command */
	EXPECT_EQ(-1, ioctl(self->fd, _IOR(MMAPDEMO_IOC_MAGIC, 0, uint32_t),
			    arg));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(dev, ioctl_unknown_flags)
{
	struct mmapdemo_fill fill = { .length = 1, .flags = 1U << 7 };
	struct mmapdemo_checksum sum = { .length = 1, .flags = 1 };
	struct mmapdemo_resize rs = { .size = self->size, .flags = 1 };

	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_FILL, &fill));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_CHECKSUM, &sum));
	EXPECT_EQ(EINVAL, errno);
	sum.flags = 0;
	sum.reserved = 1;
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_CHECKSUM, &sum));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_RESIZE, &rs));
	EXPECT_EQ(EINVAL, errno);
	rs.flags = 0;
	rs.reserved = 1;
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_RESIZE, &rs));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, ioctl_bad_pointer)
{
	static const unsigned long cmds[] = {
		MMAPDEMO_IOC_INFO, MMAPDEMO_IOC_STATS, MMAPDEMO_IOC_FILL,
		MMAPDEMO_IOC_CHECKSUM, MMAPDEMO_IOC_RESIZE,
	};
	unsigned int i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->fd, cmds[i], (void *)16));
		EXPECT_EQ(EFAULT, errno) TH_LOG("cmd %#lx", cmds[i]);
	}
}

TEST_F(dev, ioctl_range_past_end)
{
	struct mmapdemo_fill fill = { .offset = self->size, .length = 1 };
	struct mmapdemo_checksum sum = { .offset = 0,
					 .length = self->size + 1 };

	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_FILL, &fill));
	EXPECT_EQ(EINVAL, errno);
	fill.offset = UINT64_MAX - 1;		/* offset + length wraps */
	fill.length = 4;
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_FILL, &fill));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_CHECKSUM, &sum));
	EXPECT_EQ(EINVAL, errno);
	sum.offset = self->size + 1;
	sum.length = 0;
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_CHECKSUM, &sum));
	EXPECT_EQ(EINVAL, errno);
	/* an empty range at the very end is fine */
	fill.offset = self->size;
	fill.length = 0;
	EXPECT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_FILL, &fill));
}

TEST_F(dev, fill_and_resize_need_writable_fd)
{
	struct mmapdemo_fill fill = { .length = 1 };
	int ro = open(MMD_DEV, O_RDONLY);

	ASSERT_LE(0, ro);
	EXPECT_EQ(-1, ioctl(ro, MMAPDEMO_IOC_FILL, &fill));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, write(ro, "x", 1));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, ioctl(ro, MMAPDEMO_IOC_RESIZE,
			    &(struct mmapdemo_resize){ .size = self->size }));
	EXPECT_EQ(EBADF, errno);
	close(ro);
}

TEST_F(dev, fill_and_checksum)
{
	struct mmapdemo_fill fill = { .offset = 10, .length = 5000,
				      .flags = MMAPDEMO_FILL_INCREMENT,
				      .seed = 250 };
	struct mmapdemo_checksum sum = { .offset = 10, .length = 5000 };
	unsigned char buf[5000];

	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_FILL, &fill));
	ASSERT_EQ(sizeof(buf), pread(self->fd, buf, sizeof(buf), 10));
	EXPECT_TRUE(mmd_pattern_ok(buf, sizeof(buf), 250));
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_CHECKSUM, &sum));
	EXPECT_EQ(mmd_fnv1a(buf, sizeof(buf)), sum.sum);
	fill.flags = 0;
	fill.seed = 0x3c;
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_FILL, &fill));
	ASSERT_EQ(sizeof(buf), pread(self->fd, buf, sizeof(buf), 10));
	EXPECT_EQ(0x3c, buf[0]);
	EXPECT_EQ(0x3c, buf[4999]);
}

TEST_F(dev, read_at_eof)
{
	char buf[100];

	EXPECT_EQ(0, pread(self->fd, buf, sizeof(buf), self->size));
	EXPECT_EQ(0, pread(self->fd, buf, sizeof(buf), self->size + 12345));
	EXPECT_EQ(10, pread(self->fd, buf, sizeof(buf), self->size - 10));
	ASSERT_EQ((off_t)self->size, lseek(self->fd, 0, SEEK_END));
	EXPECT_EQ(0, read(self->fd, buf, sizeof(buf)));
}

TEST_F(dev, write_at_end)
{
	char buf[100] = { 1 };

	EXPECT_EQ(-1, pwrite(self->fd, buf, sizeof(buf), self->size));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(10, pwrite(self->fd, buf, sizeof(buf), self->size - 10));
	EXPECT_EQ(0, pwrite(self->fd, buf, 0, self->size));
	ASSERT_EQ((off_t)self->size - 10, lseek(self->fd, -10, SEEK_END));
	EXPECT_EQ(10, write(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(-1, write(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(ENOSPC, errno);
}

TEST_F(dev, lseek_bounds)
{
	off_t size = self->size;

	EXPECT_EQ(size, lseek(self->fd, size, SEEK_SET));
	EXPECT_EQ(-1, lseek(self->fd, size + 1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(self->fd, -1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(size, lseek(self->fd, 0, SEEK_END));
	EXPECT_EQ(0, lseek(self->fd, -size, SEEK_END));
	EXPECT_EQ(-1, lseek(self->fd, 1, SEEK_END));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(self->fd, -1, SEEK_CUR));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(100, lseek(self->fd, 100, SEEK_CUR));
	EXPECT_EQ(-1, lseek(self->fd, LLONG_MAX, SEEK_CUR));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, resize)
{
	struct mmapdemo_resize rs = { .size = 2 * self->size };
	struct mmapdemo_info info;
	unsigned char *p;
	long page = sysconf(_SC_PAGESIZE);

	/* refused while any mapping exists, even one whose fd is closed */
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_RESIZE, &rs));
	EXPECT_EQ(EBUSY, errno);
	ASSERT_EQ(0, munmap(p, page));

	rs.size = 0;
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_RESIZE, &rs));
	EXPECT_EQ(EINVAL, errno);
	rs.size = MMAPDEMO_MAX_SIZE + 1;
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_RESIZE, &rs));
	EXPECT_EQ(EINVAL, errno);

	rs.size = 2 * self->size + 1;		/* rounded up to a page */
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_RESIZE, &rs));
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_INFO, &info));
	EXPECT_EQ(2 * self->size + page, info.buffer_size);
	EXPECT_EQ((long long)info.buffer_size,
		  mmd_sysfs_ull(MMD_SYSFS "/buffer_size"));
	/*
	 * The new buffer is mappable, and every byte of it reads as zero
	 * (__GFP_ZERO; the debug kernel boots with page_poison=1, so pages
	 * freed before hold 0xaa, not zeros left by chance).
	 */
	p = mmap(NULL, info.buffer_size, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(info.buffer_size, mmd_first_nonzero(p, info.buffer_size));
	ASSERT_EQ(0, munmap(p, info.buffer_size));

	rs.size = self->size;
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_RESIZE, &rs));
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_INFO, &info));
	EXPECT_EQ(self->size, info.buffer_size);
}

TEST_HARNESS_MAIN
