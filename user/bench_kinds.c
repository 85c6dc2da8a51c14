// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo bench: how each kind of mapping is made.  Besides the device's
 * four strategies, and batched-seq (batched after madvise(MADV_SEQUENTIAL),
 * which makes its runs 512 pages), the kinds are what a user who needs
 * memory shared with userspace would pick instead of writing a driver:
 *
 *   memfd      shmem with 4 KiB pages, fallocate()d before it is mapped, so
 *              like the device its pages exist before the first touch;
 *   udmabuf    the same memfd pages turned into a dma-buf by /dev/udmabuf
 *              and mapped through the dma-buf (6.12: CONFIG_UDMABUF=y);
 *   hugetlb    memfd_create(MFD_HUGETLB): 2 MiB pages from the pool in
 *              /proc/sys/vm/nr_hugepages, allocated and zeroed on touch;
 *   shmem-thp  a memfd with MADV_HUGEPAGE: shmem allocates (and zeroes) a
 *              2 MiB folio on touch when shmem_enabled allows it;
 *   anon-thp   private anonymous memory with MADV_HUGEPAGE;
 *   floor      the memfd mapped with MAP_POPULATE: every page table entry
 *              exists before the loop, so its first touch is the cost of
 *              touching mapped memory, the floor every strategy is
 *              measured against.
 *
 * The three that allocate on touch get a new file per mapping (fresh), so
 * every first touch allocates; for the read-modify-write table, whose
 * bytes must outlive a mapping, they use one persistent file.
 *
 * Setup may change two knobs, in a guest made for it or for root who asked
 * for a benchmark: the hugetlb pool size and shmem_enabled (to "advise",
 * when it is "never").  Both are put back at teardown.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/udmabuf.h>

#include "bench.h"
#include "mmapdemo.h"

#define HUGETLB_DIR	"/sys/kernel/mm/hugepages/hugepages-2048kB/"
#define THP_DIR		"/sys/kernel/mm/transparent_hugepage/"
#define UDMABUF_LIMIT	"/sys/module/udmabuf/parameters/size_limit_mb"
/* The largest mapping the RMW table makes of a persistent file. */
#define RMW_MAX		(16 * MIB)

struct bench_kind bench_kinds[BK_NR] = {
	[BK_FLOOR] = { "floor", -1 },
	[BK_REMAP] = { "remap", MMAPDEMO_STRATEGY_REMAP },
	[BK_FAULT] = { "fault", MMAPDEMO_STRATEGY_FAULT },
	[BK_BATCHED] = { "batched", MMAPDEMO_STRATEGY_BATCHED },
	[BK_BATCHED_SEQ] = { "batched-seq", MMAPDEMO_STRATEGY_BATCHED },
	[BK_HUGE] = { "huge", MMAPDEMO_STRATEGY_HUGE },
	[BK_MEMFD] = { "memfd", -1 },
	[BK_UDMABUF] = { "udmabuf", -1 },
	[BK_HUGETLB] = { "hugetlb", -1, .fresh = true },
	[BK_SHMEM_THP] = { "shmem-thp", -1, .fresh = true },
	[BK_ANON_THP] = { "anon-thp", -1 },
	[BK_RW] = { "read/write", -1 },
};

static long saved_hugepages = -1;
static char saved_shmem_thp[32];

static int read_str(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	ok = fgets(buf, len, f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static long read_long(const char *path)
{
	char buf[32];

	return read_str(path, buf, sizeof(buf)) ? -1 : strtol(buf, NULL, 0);
}

static int write_str(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	int err;

	if (!f)
		return -1;
	err = fputs(s, f) < 0;
	err |= fclose(f) != 0;
	return err ? -1 : 0;
}

/* "always madvise [never]" -> "never" */
static void sysfs_choice(const char *path, char *out, size_t len)
{
	char buf[128], *a, *b;

	out[0] = 0;
	if (read_str(path, buf, sizeof(buf)))
		return;
	a = strchr(buf, '[');
	b = a ? strchr(a, ']') : NULL;
	if (a && b && (size_t)(b - a) <= len) {
		memcpy(out, a + 1, b - a - 1);
		out[b - a - 1] = 0;
	}
}

static void unavailable(struct bench_kind *k, const char *fmt, const char *arg)
{
	k->max = 0;
	snprintf(k->why, sizeof(k->why), fmt, arg);
}

static void setup_memfd(size_t max)
{
	struct bench_kind *k = &bench_kinds[BK_MEMFD];

	k->fd = memfd_create("mmapdemo-bench", MFD_CLOEXEC);
	if (k->fd < 0 || ftruncate(k->fd, max) || fallocate(k->fd, 0, 0, max)) {
		mmd_error("memfd", errno);
		exit(1);
	}
	k->max = max;
	k->persistent = true;
	bench_kinds[BK_FLOOR].fd = k->fd;
	bench_kinds[BK_FLOOR].max = max;
}

static void setup_udmabuf(size_t max)
{
	struct bench_kind *k = &bench_kinds[BK_UDMABUF];
	struct udmabuf_create create = { .flags = UDMABUF_FLAGS_CLOEXEC };
	long limit = read_long(UDMABUF_LIMIT);
	int dev, mfd;

	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		unavailable(k, "/dev/udmabuf: %s (a kernel without CONFIG_UDMABUF)",
			    strerror(errno));
		return;
	}
	/* The module refuses buffers larger than size_limit_mb. */
	if (limit > 0 && (size_t)limit * MIB < max) {
		max = limit * MIB;
		snprintf(k->why, sizeof(k->why),
			 "at most %ld MiB (udmabuf size_limit_mb)", limit);
	}
	mfd = memfd_create("mmapdemo-bench-udmabuf",
			   MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0 || ftruncate(mfd, max) ||
	    fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK) < 0) {
		mmd_error("udmabuf memfd", errno);
		exit(1);
	}
	create.memfd = mfd;
	create.size = max;
	k->fd = ioctl(dev, UDMABUF_CREATE, &create);
	if (k->fd < 0) {
		unavailable(k, "UDMABUF_CREATE: %s", strerror(errno));
	} else {
		k->max = max;
		k->persistent = true;
	}
	close(mfd);	/* the dma-buf holds the pages */
	close(dev);
}

/* Make the pool hold @need bytes of free 2 MiB pages if we may. */
static void setup_hugetlb(size_t max, size_t need)
{
	struct bench_kind *k = &bench_kinds[BK_HUGETLB];
	long want, nr = read_long(HUGETLB_DIR "nr_hugepages");
	long free = read_long(HUGETLB_DIR "free_hugepages");
	char buf[32];

	if (nr < 0) {
		unavailable(k, "%s: no 2 MiB hugetlb pages on this kernel",
			    HUGETLB_DIR);
		return;
	}
	want = nr + (long)(need / PMD_BYTES) - free;
	if (want > nr) {
		snprintf(buf, sizeof(buf), "%ld", want);
		if (!write_str(HUGETLB_DIR "nr_hugepages", buf))
			saved_hugepages = nr;
		free = read_long(HUGETLB_DIR "free_hugepages");
	}
	/* The persistent file for the RMW table keeps RMW_MAX of them. */
	if (free * PMD_BYTES < 2 * RMW_MAX) {
		snprintf(k->why, sizeof(k->why),
			 "only %ld free 2 MiB pages (raise /proc/sys/vm/nr_hugepages as root)",
			 free);
		k->max = 0;
		return;
	}
	k->max = (size_t)free * PMD_BYTES - RMW_MAX;
	if (k->max > max)
		k->max = max;
	if (k->max < need - RMW_MAX)
		snprintf(k->why, sizeof(k->why),
			 "only %ld free 2 MiB pages: mappings up to %zu MiB",
			 free, k->max / MIB);
	k->fd = memfd_create("mmapdemo-bench-hugetlb", MFD_CLOEXEC | MFD_HUGETLB);
	if (k->fd < 0 || ftruncate(k->fd, RMW_MAX)) {
		unavailable(k, "memfd_create(MFD_HUGETLB): %s", strerror(errno));
		return;
	}
	k->persistent = true;
}

static void setup_shmem_thp(size_t max)
{
	struct bench_kind *k = &bench_kinds[BK_SHMEM_THP];
	char now[32];

	sysfs_choice(THP_DIR "shmem_enabled", now, sizeof(now));
	if (!strcmp(now, "never") || !strcmp(now, "deny")) {
		if (!write_str(THP_DIR "shmem_enabled", "advise"))
			snprintf(saved_shmem_thp, sizeof(saved_shmem_thp), "%s",
				 now);
		else
			snprintf(k->why, sizeof(k->why),
				 "shmem_enabled=%s: MADV_HUGEPAGE is ignored, 4 KiB pages",
				 now);
	}
	k->fd = memfd_create("mmapdemo-bench-shmem-thp", MFD_CLOEXEC);
	if (k->fd < 0 || ftruncate(k->fd, RMW_MAX)) {
		mmd_error("memfd", errno);
		exit(1);
	}
	k->max = max;
	k->persistent = true;
}

void bench_kinds_setup(int dev_fd, size_t max, size_t need)
{
	struct mmapdemo_info info;
	char thp[32];
	int i;

	if (mmd_info(dev_fd, &info))
		exit(1);
	for (i = 0; i < BK_NR; i++) {
		bench_kinds[i].fd = -1;
		bench_kinds[i].fresh_fd = -1;
	}
	for (i = BK_REMAP; i <= BK_HUGE; i++) {
		struct bench_kind *k = &bench_kinds[i];

		/* each strategy through its own node, from offset 0 */
		if (info.strategies & (1U << k->strategy)) {
			k->fd = mmd_open_node(k->strategy, O_RDWR);
			if (k->fd < 0)
				exit(1);
			k->max = max;
			k->persistent = true;
		} else {
			unavailable(k, "the module does not offer it", NULL);
		}
	}
	bench_kinds[BK_RW].fd = dev_fd;
	bench_kinds[BK_RW].max = max;
	bench_kinds[BK_RW].persistent = true;
	setup_memfd(max);
	setup_udmabuf(max);
	setup_hugetlb(max, need + RMW_MAX);
	setup_shmem_thp(max);
	sysfs_choice(THP_DIR "enabled", thp, sizeof(thp));
	bench_kinds[BK_ANON_THP].max = max;
	if (!strcmp(thp, "never"))
		snprintf(bench_kinds[BK_ANON_THP].why,
			 sizeof(bench_kinds[BK_ANON_THP].why),
			 "transparent_hugepage/enabled=never: 4 KiB pages");
}

void bench_kinds_teardown(void)
{
	char buf[32];
	int i;

	for (i = BK_REMAP; i < BK_RW; i++)
		if (bench_kinds[i].fd >= 0)
			close(bench_kinds[i].fd);
	if (saved_hugepages >= 0) {
		snprintf(buf, sizeof(buf), "%ld", saved_hugepages);
		write_str(HUGETLB_DIR "nr_hugepages", buf);
	}
	if (saved_shmem_thp[0])
		write_str(THP_DIR "shmem_enabled", saved_shmem_thp);
}

void bench_prepare(int k, size_t len)
{
	struct bench_kind *b = &bench_kinds[k];
	size_t flen = (len + PMD_BYTES - 1) & ~(PMD_BYTES - 1);

	if (!b->fresh || b->fresh_fd >= 0)
		return;
	b->fresh_fd = memfd_create(b->name, MFD_CLOEXEC |
				   (k == BK_HUGETLB ? MFD_HUGETLB : 0));
	if (b->fresh_fd < 0 || ftruncate(b->fresh_fd, flen)) {
		mmd_error(b->name, errno);
		exit(1);
	}
}

static void *map_or_die(int k, size_t len, void *p)
{
	if (p == MAP_FAILED) {
		fprintf(stderr, "mmapdemo bench: mmap %s %zu KiB: %s\n",
			bench_kinds[k].name, len >> 10, strerror(errno));
		exit(1);
	}
	return p;
}

static void *map_anon_thp(size_t len)
{
	char *p = mmap(NULL, len + PMD_BYTES, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a;

	if (p == MAP_FAILED)
		return p;
	/* 6.1 does not place anonymous mappings on the 2 MiB grid: we do */
	a = (char *)(((unsigned long)p + PMD_BYTES - 1) & ~(PMD_BYTES - 1));
	if (a > p)
		munmap(p, a - p);
	munmap(a + len, p + PMD_BYTES - a);
	madvise(a, len, MADV_HUGEPAGE);
	return a;
}

static void *map_file(int k, int fd, size_t len)
{
	const int prot = PROT_READ | PROT_WRITE;
	void *p;

	switch (k) {
	case BK_FLOOR:
		return mmap(NULL, len, prot, MAP_SHARED | MAP_POPULATE, fd, 0);
	case BK_REMAP:
	case BK_FAULT:
	case BK_BATCHED:
	case BK_BATCHED_SEQ:
	case BK_HUGE:
		p = mmap(NULL, len, prot, MAP_SHARED, fd, 0);
		/* batched-seq: runs of MMAPDEMO_BATCH_SEQ_PAGES */
		if (k == BK_BATCHED_SEQ && p != MAP_FAILED &&
		    madvise(p, len, MADV_SEQUENTIAL)) {
			perror("madvise(MADV_SEQUENTIAL)");
			exit(1);
		}
		return p;
	case BK_SHMEM_THP:
		p = mmap(NULL, len, prot, MAP_SHARED, fd, 0);
		if (p != MAP_FAILED)
			madvise(p, len, MADV_HUGEPAGE);
		return p;
	default:
		return mmap(NULL, len, prot, MAP_SHARED, fd, 0);
	}
}

/* hugetlbfs maps and unmaps whole 2 MiB pages only: we map more */
static size_t map_len(int k, size_t len)
{
	if (k != BK_HUGETLB)
		return len;
	return (len + PMD_BYTES - 1) & ~(PMD_BYTES - 1);
}

void *bench_map(int k, size_t len)
{
	struct bench_kind *b = &bench_kinds[k];

	len = map_len(k, len);

	if (k == BK_ANON_THP)
		return map_or_die(k, len, map_anon_thp(len));
	if (b->fresh) {
		bench_prepare(k, len);
		return map_or_die(k, len, map_file(k, b->fresh_fd, len));
	}
	return map_or_die(k, len, map_file(k, b->fd, len));
}

void *bench_map_persistent(int k, size_t len)
{
	if (!bench_kinds[k].fresh)
		return bench_map(k, len);
	len = map_len(k, len);
	return map_or_die(k, len, map_file(k, bench_kinds[k].fd, len));
}

void bench_unmap(int k, void *p, size_t len)
{
	struct bench_kind *b = &bench_kinds[k];

	munmap(p, map_len(k, len));
	/* The last reference to a fresh file: its pages are freed. */
	if (b->fresh_fd >= 0) {
		close(b->fresh_fd);
		b->fresh_fd = -1;
	}
}
