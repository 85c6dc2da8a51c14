// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mmapdemo-dma: the dma_alloc_coherent() buffer of QEMU's edu device
 * (PCI 1234:11e8), mapped with dma_mmap_coherent(), and the ioctl that
 * makes edu's DMA engine copy a range of it into the device and back to
 * another range.  A copy that lands proves both directions: the device
 * read what this process stored through the mapping, and this process
 * reads, through the mapping, what the device wrote.
 *
 * make check runs it in three DMA lanes (scripts/check): no IOMMU (the
 * buffer is the linear map, mapped VM_PFNMAP), intel-iommu (an IOVA, and
 * pages mapped VM_MIXEDMAP) and swiotlb=force (streaming copies bounce).
 * Skipped only when the guest has no edu function: with one, a missing
 * node fails every test.  The last test removes the device under a live
 * mapping and rescans the bus.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mmapdemo_util.h"
#include "mmapdemo_pci.h"

#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8
#define DMA_DEV		"/dev/mmapdemo-dma"
#define DMA_LINK	"/sys/class/misc/mmapdemo-dma/device"
#define REGS_DEV	"/dev/mmapdemo-regs"
#define EDU_ID		0x010000ed	/* edu's register 0: version 1.0 */

static unsigned char pattern(size_t i, unsigned int seed)
{
	return (unsigned char)((i * 31 + seed) ^ (i >> 8));
}

static int dma_copy(int fd, uint64_t src, uint64_t dst, uint32_t len,
		    uint32_t flags)
{
	struct mmapdemo_dma_copy c = {
		.src = src, .dst = dst, .length = len, .flags = flags,
	};

	return ioctl(fd, MMAPDEMO_IOC_DMA_COPY, &c) ? -errno : 0;
}

/*
 * The mapping's kind, from the DMA layer's choice: "mm" (VM_MIXEDMAP,
 * vm_map_pages()) when the device's IOMMU group translates, else "pf"
 * (VM_PFNMAP, remap_pfn_range()).
 */
static const char *expected_map_flag(const char *bdf)
{
	char path[PATH_MAX], type[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/iommu_group/type", bdf);
	f = fopen(path, "r");
	if (!f)
		return "pf";
	if (!fgets(type, sizeof(type), f))
		type[0] = '\0';
	fclose(f);
	return strncmp(type, "DMA", 3) ? "pf" : "mm";
}

/* The VmFlags line of the VMA at @p, with a space on each side. */
static int vm_flags_of(void *p, char *flags, size_t len)
{
	char line[512];
	unsigned long lo, hi;
	bool in = false;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	flags[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
			in = lo == (unsigned long)p;
		else if (in && !strncmp(line, "VmFlags:", 8))
			snprintf(flags, len, "%s ", line + 8);
	}
	fclose(f);
	flags[strcspn(flags, "\n")] = ' ';
	return flags[0] ? 0 : -1;
}

FIXTURE(dma) {
	int fd;
	size_t size, page;
	unsigned char *map;
	char bdf[64];
};

FIXTURE_SETUP(dma)
{
	off_t end;
	int ret;

	self->fd = -1;
	self->map = MAP_FAILED;
	self->page = sysconf(_SC_PAGESIZE);
	if (!pci_functions(EDU_VENDOR, EDU_DEVICE))
		SKIP(return, "no edu function (PCI 1234:11e8): QEMU ran without it");
	ret = mmd_ensure();
	ASSERT_EQ(0, ret) TH_LOG("loading mmapdemo: %s", strerror(-ret));
	ASSERT_TRUE(pci_wait_node(DMA_DEV, true, 2000))
		TH_LOG("an edu function is there, but not " DMA_DEV);
	ASSERT_EQ(0, pci_node_bdf(DMA_LINK, self->bdf, sizeof(self->bdf)));
	self->fd = open(DMA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open: %s", strerror(errno));
	end = lseek(self->fd, 0, SEEK_END);
	ASSERT_LT(0, end);
	self->size = end;
	ASSERT_EQ(0, self->size % self->page);
	ASSERT_LE(4 * MMAPDEMO_DMA_COPY_MAX, self->size);
	self->map = mmap(NULL, self->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->map) TH_LOG("mmap: %s", strerror(errno));
}

FIXTURE_TEARDOWN(dma)
{
	if (self->map != MAP_FAILED)
		munmap(self->map, self->size);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(dma, node_of_an_edu_function)
{
	EXPECT_TRUE(pci_is(self->bdf, EDU_VENDOR, EDU_DEVICE))
		TH_LOG("%s is not 1234:11e8", self->bdf);
}

/*
 * Stored through the mapping, copied by the device to another range,
 * read back through the mapping: a whole 4 KiB, then odd lengths at odd
 * offsets and the buffer's last byte, each through the coherent buffer
 * and through streaming mappings.
 */
TEST_F(dma, device_copies_what_userspace_wrote)
{
	const struct { size_t src, dst, len; } c[] = {
		{ 0, 2 * MMAPDEMO_DMA_COPY_MAX, MMAPDEMO_DMA_COPY_MAX },
		{ 123, self->size - 1000, 1000 },
		{ self->size - 1, 7, 1 },
	};
	unsigned int i, leg, seed = 1;
	size_t k;

	for (leg = 0; leg < 2; leg++) {
		uint32_t flags = leg ? MMAPDEMO_DMA_STREAMING : 0;

		for (i = 0; i < ARRAY_SIZE(c); i++, seed++) {
			for (k = 0; k < c[i].len; k++)
				self->map[c[i].src + k] = pattern(k, seed);
			memset(self->map + c[i].dst, 0, c[i].len);
			ASSERT_EQ(0, dma_copy(self->fd, c[i].src, c[i].dst,
					      c[i].len, flags))
				TH_LOG("%s copy %u", leg ? "streaming" : "coherent", i);
			for (k = 0; k < c[i].len; k++)
				if (self->map[c[i].dst + k] != pattern(k, seed))
					break;
			EXPECT_EQ(c[i].len, k)
				TH_LOG("%s copy %u: byte %zu is 0x%02x, not 0x%02x",
				       leg ? "streaming" : "coherent", i, k,
				       self->map[c[i].dst + k], pattern(k, seed));
			for (k = 0; k < c[i].len; k++)
				if (self->map[c[i].src + k] != pattern(k, seed))
					break;
			EXPECT_EQ(c[i].len, k) TH_LOG("the source changed");
		}
	}
}

/* Each bad request with its errno, and the buffer as it was. */
TEST_F(dma, copy_refusals_touch_nothing)
{
	const uint64_t size = self->size, max = MMAPDEMO_DMA_COPY_MAX;
	const struct {
		const char *what;
		uint64_t src, dst;
		uint32_t len, flags;
		int err;
	} bad[] = {
		{ "length 0", 0, max, 0, 0, EINVAL },
		{ "length past MMAPDEMO_DMA_COPY_MAX", 0, 2 * max, max + 1, 0, EINVAL },
		{ "source past the end", size - 1, 0, 2, 0, EINVAL },
		{ "destination past the end", 0, size - 1, 2, 0, EINVAL },
		{ "source at the end", size, 0, 1, 0, EINVAL },
		{ "source wraps", UINT64_MAX, 0, 2, 0, EINVAL },
		{ "destination wraps", 0, UINT64_MAX - 1, 4, 0, EINVAL },
		{ "unknown flag", 0, max, 1, 1U << 31, EINVAL },
	};
	unsigned char *before;
	unsigned int i;
	int ro;

	before = malloc(self->size);
	ASSERT_NE(NULL, before);
	for (i = 0; i < self->size; i++)
		self->map[i] = pattern(i, 99);
	memcpy(before, self->map, self->size);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *what = bad[i].what;
		int ret = dma_copy(self->fd, bad[i].src, bad[i].dst,
				   bad[i].len, bad[i].flags);

		EXPECT_EQ(-bad[i].err, ret) TH_LOG("%s", what);
	}
	ro = open(DMA_DEV, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, ro);
	EXPECT_EQ(-EBADF, dma_copy(ro, 0, max, 1, 0)) TH_LOG("read-only fd");
	EXPECT_EQ(-1, ioctl(ro, MMAPDEMO_IOC_INFO, NULL));
	EXPECT_EQ(ENOTTY, errno) TH_LOG("another node's ioctl");
	close(ro);
	EXPECT_EQ(0, memcmp(before, self->map, self->size))
		TH_LOG("a refused copy changed the buffer");
	free(before);
}

/* Each mmap() refusal with its errno, and nothing mapped. */
TEST_F(dma, mmap_refusals)
{
	size_t pg = self->page;
	off_t top = INT64_MAX & ~(off_t)(pg - 1);
	const struct pci_refusal bad[] = {
		{ "MAP_PRIVATE", PROT_READ, MAP_PRIVATE, EINVAL, 0, pg },
		{ "PROT_EXEC", PROT_READ | PROT_EXEC, MAP_SHARED, EPERM, 0, pg },
		{ "offset + length past the end", PROT_READ, MAP_SHARED, EINVAL,
		  self->size - pg, 2 * pg },
		{ "length > size", PROT_READ, MAP_SHARED, EINVAL, 0,
		  self->size + pg },
		{ "offset = size", PROT_READ, MAP_SHARED, EINVAL, self->size, pg },
		{ "largest page-aligned offset (wraps)", PROT_READ, MAP_SHARED,
		  EINVAL, top, 2 * pg },
		{ "unaligned offset", PROT_READ, MAP_SHARED, EINVAL, 1, pg },
	};
	pci_expect_refusals(_metadata, self->fd, bad, ARRAY_SIZE(bad));
	/* not executable later either: VM_MAYEXEC is gone */
	EXPECT_EQ(-1, mprotect(self->map, pg, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
}

/*
 * What the DMA layer made of the mapping: never dumped, never expanded,
 * and VM_PFNMAP or VM_MIXEDMAP depending on the IOMMU (see the top).
 * A second mapping at an offset shows the same bytes as the first.
 */
TEST_F(dma, vmflags_follow_the_dma_layer)
{
	const char *kind = expected_map_flag(self->bdf);
	const char *want[] = { "dd", "de", kind };
	char flags[512], tok[8];
	unsigned char *q;
	unsigned int i;

	ASSERT_EQ(0, vm_flags_of(self->map, flags, sizeof(flags)));
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		snprintf(tok, sizeof(tok), " %s ", want[i]);
		EXPECT_NE(NULL, strstr(flags, tok))
			TH_LOG("VmFlags lack %s:%s", want[i], flags);
	}
	q = mmap(NULL, self->page, PROT_READ, MAP_SHARED, self->fd,
		 3 * self->page);
	ASSERT_NE(MAP_FAILED, q);
	self->map[3 * self->page + 5] = 0x5c;
	EXPECT_EQ(0x5c, q[5]);
	munmap(q, self->page);
	TH_LOG("IOMMU domain: %s, VmFlags:%s", kind[0] == 'm' ? "translated" : "none",
	       flags);
}

/*
 * The DMA mask: a device that reaches 16 bits gets no node, and a mask
 * out of range is refused at load time.  Without an IOMMU,
 * dma_set_mask_and_coherent() fails (dma_direct_supported(): no memory
 * the kernel allocates from lies that low); behind one any mask is
 * accepted and the allocation fails instead, for want of IOVA space.
 * That failure stays in the domain: 7.3's IOVA allocator then refuses
 * every 32-bit request of that size until an IOVA is freed
 * (alloc_iova(): max32_alloc_size), so the function is removed and
 * rescanned, for a fresh domain, before the module is loaded again.
 */
TEST_F(dma, mask_the_device_cannot_use)
{
	char path[PATH_MAX];
	int ret;

	munmap(self->map, self->size);
	self->map = MAP_FAILED;
	close(self->fd);
	self->fd = -1;
	ret = mmd_unload();
	ASSERT_EQ(0, ret) TH_LOG("unload: %s", strerror(-ret));
	EXPECT_EQ(-EINVAL, mmd_load("edu_dma_bits=99"));
	EXPECT_EQ(-EINVAL, mmd_load("edu_dma_bits=8"));
	ret = mmd_load("edu_dma_bits=16");
	EXPECT_EQ(0, ret) TH_LOG("load with a 16-bit mask: %s", strerror(-ret));
	EXPECT_TRUE(pci_wait_node("/dev/mmapdemo", true, 2000));
	EXPECT_TRUE(pci_wait_node(DMA_DEV, false, 0))
		TH_LOG("a device that reaches 16 bits got a DMA buffer");
	ret = mmd_unload();
	ASSERT_EQ(0, ret) TH_LOG("unload: %s", strerror(-ret));
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/remove", self->bdf);
	ASSERT_EQ(0, mmd_write_file(path, "1"));
	ASSERT_EQ(0, mmd_write_file("/sys/bus/pci/rescan", "1"));
	ASSERT_EQ(0, mmd_ensure());
	ASSERT_TRUE(pci_wait_node(DMA_DEV, true, 2000));
}

/*
 * Removal under a live mapping, here and in a child that inherited it,
 * and of the register page: every later touch is SIGBUS, the file
 * answers ENODEV, the node goes;
 * a rescan brings it back, working.  Last, as it re-creates the device.
 */
TEST_F(dma, remove_while_mapped_then_rescan)
{
	char path[PATH_MAX], c = 0;
	int pipefd[2], st, fd2, rfd;
	volatile uint32_t *regs;
	unsigned char *q;
	pid_t child;

	self->map[0] = 0x42;
	rfd = open(REGS_DEV, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, rfd) TH_LOG("open " REGS_DEV ": %s", strerror(errno));
	regs = mmap(NULL, self->page, PROT_READ, MAP_SHARED, rfd, 0);
	ASSERT_NE(MAP_FAILED, regs) TH_LOG("mmap " REGS_DEV ": %s", strerror(errno));
	ASSERT_EQ(EDU_ID, regs[0]);
	ASSERT_EQ(0, pipe(pipefd));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		close(pipefd[1]);
		if (read(pipefd[0], &c, 1) != 1)
			_exit(2);
		_exit(self->map[0] == 0x42 ? 0 : 3);
	}
	close(pipefd[0]);

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/remove", self->bdf);
	ASSERT_EQ(0, mmd_write_file(path, "1"));

	/* From here on, no ASSERT until the rescan: the device comes back. */
	EXPECT_EQ(1, write(pipefd[1], &c, 1));
	close(pipefd[1]);
	EXPECT_EQ(child, waitpid(child, &st, 0));
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS)
		TH_LOG("child: status 0x%x, not killed by SIGBUS", st);
	EXPECT_EQ(SIGBUS, mmd_probe_read(self->map));
	EXPECT_EQ(SIGBUS, mmd_probe_read(self->map + self->size - 1));
	EXPECT_EQ(SIGBUS, mmd_probe_read(regs)) TH_LOG("the register page");
	munmap((void *)regs, self->page);
	close(rfd);
	EXPECT_EQ(-ENODEV, dma_copy(self->fd, 0, MMAPDEMO_DMA_COPY_MAX, 1, 0));
	q = mmap(NULL, self->page, PROT_READ, MAP_SHARED, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, q);
	EXPECT_EQ(ENODEV, errno);
	if (q != MAP_FAILED)
		munmap(q, self->page);
	EXPECT_TRUE(pci_wait_node(DMA_DEV, false, 10000))
		TH_LOG(DMA_DEV " still there after the removal");

	EXPECT_EQ(0, mmd_write_file("/sys/bus/pci/rescan", "1"));
	ASSERT_TRUE(pci_wait_node(DMA_DEV, true, 10000))
		TH_LOG(DMA_DEV " did not come back within 10 s of the rescan");
	fd2 = open(DMA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2) TH_LOG("open after rescan: %s", strerror(errno));
	q = mmap(NULL, 2 * MMAPDEMO_DMA_COPY_MAX, PROT_READ | PROT_WRITE,
		 MAP_SHARED, fd2, 0);
	ASSERT_NE(MAP_FAILED, q) TH_LOG("mmap after rescan: %s",
					strerror(errno));
	memset(q, 0x77, 16);
	memset(q + MMAPDEMO_DMA_COPY_MAX, 0, 16);
	EXPECT_EQ(0, dma_copy(fd2, 0, MMAPDEMO_DMA_COPY_MAX, 16, 0));
	EXPECT_EQ(0x77, q[MMAPDEMO_DMA_COPY_MAX + 15]);
	munmap(q, 2 * MMAPDEMO_DMA_COPY_MAX);
	close(fd2);
}

/*
 * /dev/mmapdemo-regs: edu's register page, mapped whole at mmap() time,
 * read-only and uncached.
 */
FIXTURE(regs) {
	int fd;
	size_t page;
	char bdf[64];
};

FIXTURE_SETUP(regs)
{
	self->fd = -1;
	self->page = sysconf(_SC_PAGESIZE);
	if (!pci_functions(EDU_VENDOR, EDU_DEVICE))
		SKIP(return, "no edu function (PCI 1234:11e8): QEMU ran without it");
	ASSERT_EQ(0, mmd_ensure());
	ASSERT_TRUE(pci_wait_node(REGS_DEV, true, 2000))
		TH_LOG("an edu function is there, but not " REGS_DEV);
	ASSERT_EQ(0, pci_node_bdf(DMA_LINK, self->bdf, sizeof(self->bdf)));
	self->fd = open(REGS_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open: %s", strerror(errno));
}

FIXTURE_TEARDOWN(regs)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* The device's identification register, read through the mapping. */
TEST_F(regs, id_register_through_the_mapping)
{
	volatile uint32_t *r = mmap(NULL, self->page, PROT_READ, MAP_SHARED,
				    self->fd, 0);

	ASSERT_NE(MAP_FAILED, r) TH_LOG("mmap: %s", strerror(errno));
	EXPECT_EQ(EDU_ID, r[0]) TH_LOG("ID register 0x%08x", r[0]);
	munmap((void *)r, self->page);
}

/* Writable, executable, private, past the page: refused; no mprotect up. */
TEST_F(regs, refusals)
{
	size_t pg = self->page;
	const struct pci_refusal bad[] = {
		{ "PROT_WRITE", PROT_READ | PROT_WRITE, MAP_SHARED, EPERM, 0, pg },
		{ "PROT_EXEC", PROT_READ | PROT_EXEC, MAP_SHARED, EPERM, 0, pg },
		{ "MAP_PRIVATE", PROT_READ, MAP_PRIVATE, EINVAL, 0, pg },
		{ "two pages", PROT_READ, MAP_SHARED, EINVAL, 0, 2 * pg },
		{ "offset one page", PROT_READ, MAP_SHARED, EINVAL, pg, pg },
	};
	void *p;

	pci_expect_refusals(_metadata, self->fd, bad, ARRAY_SIZE(bad));
	p = mmap(NULL, pg, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, pg, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap(p, pg);
}

/*
 * Uncached in the PAT list, and mapped whole at mmap() time: VmFlags io
 * pf dd de (the remap's), and the first read takes no page fault (the
 * node has no ->fault: a missing PTE would be SIGBUS anyway).
 */
TEST_F(regs, uncached_and_mapped_at_mmap_time)
{
	const char *want[] = { "io", "pf", "dd", "de" };
	unsigned long long start, end;
	struct rusage before, after;
	char flags[512], tok[8];
	volatile uint32_t *r;
	unsigned int i;
	uint32_t id;

	r = mmap(NULL, self->page, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, r) TH_LOG("mmap: %s", strerror(errno));
	ASSERT_EQ(0, getrusage(RUSAGE_SELF, &before));
	id = r[0];
	ASSERT_EQ(0, getrusage(RUSAGE_SELF, &after));
	EXPECT_EQ(EDU_ID, id);
	EXPECT_EQ(before.ru_minflt, after.ru_minflt)
		TH_LOG("the first read faulted: not mapped at mmap() time");
	ASSERT_EQ(0, vm_flags_of((void *)r, flags, sizeof(flags)));
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		snprintf(tok, sizeof(tok), " %s ", want[i]);
		EXPECT_NE(NULL, strstr(flags, tok))
			TH_LOG("VmFlags lack %s:%s", want[i], flags);
	}
#if defined(__x86_64__) || defined(__i386__)
	{
		int uc, other;

		ASSERT_EQ(0, pci_bar_range(self->bdf, 0, &start, &end));
		uc = pat_types(start, start + self->page, "uncached-minus", &other);
		ASSERT_LE(0, uc) TH_LOG("no PAT memtype list");
		EXPECT_LE(1, uc) TH_LOG("no uncached-minus line covers 0x%llx", start);
		EXPECT_EQ(0, other) TH_LOG("another memory type over the registers");
	}
#else
	(void)start;
	(void)end;
#endif
	munmap((void *)r, self->page);
}

TEST_HARNESS_MAIN
