// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mmapdemo-bar: BAR2 of QEMU's ivshmem-plain (PCI 1af4:1110), RAM
 * that QEMU backs with a host file (scripts/vm-run -I).  The node is a
 * file of the BAR's size; its mapping is device memory: MAP_SHARED only,
 * never executable, VM_IO | VM_PFNMAP, write-combining in the PAT list.
 *
 * The host wrote a pattern into the file before the boot and checks,
 * after the guest exited, the one this program stores through the
 * mapping (mmapdemo_bar.h; scripts/ivshmem-pattern, scripts/check).
 *
 * Skipped only when the guest has no ivshmem-plain function: with one,
 * a missing node fails every test.  The last test removes the PCI device
 * under a live mapping (SIGBUS, ENODEV) and rescans the bus to bring it
 * back.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mmapdemo_util.h"
#include "mmapdemo_bar.h"
#include "mmapdemo_pci.h"

#define BAR_LINK	"/sys/class/misc/mmapdemo-bar/device"
#define PAT_LIST	"/sys/kernel/debug/x86/pat_memtype_list"

static bool is_ivshmem(const char *bdf)
{
	return pci_is(bdf, 0x1af4, 0x1110);
}

/* The first byte of @p that is not pattern byte i (@host or guest's). */
static size_t first_bad(const unsigned char *p, size_t len,
			bool host)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (host ? MMD_BAR_HOST_BYTE(i) : MMD_BAR_GUEST_BYTE(i)))
			break;
	return i;
}

FIXTURE(bar) {
	int fd;
	size_t size;		/* BAR2's length, from sysfs */
	size_t page;
	unsigned long long start, end;	/* BAR2, inclusive */
	char bdf[64];
};

FIXTURE_SETUP(bar)
{
	int ret;

	self->fd = -1;
	self->page = sysconf(_SC_PAGESIZE);
	if (!pci_functions(0x1af4, 0x1110))
		SKIP(return, "no ivshmem-plain function (PCI 1af4:1110): QEMU ran without it");
	ret = mmd_ensure();
	ASSERT_EQ(0, ret) TH_LOG("loading mmapdemo: %s", strerror(-ret));
	/* the PCI driver binds at load time; devtmpfs follows the uevent */
	ASSERT_TRUE(pci_wait_node(MMD_BAR_DEV, true, 2000))
		TH_LOG("an ivshmem-plain function is there, but not " MMD_BAR_DEV);
	ASSERT_EQ(0, pci_node_bdf(BAR_LINK, self->bdf, sizeof(self->bdf)))
		TH_LOG("no %s: the misc device's parent is not the PCI device",
		       BAR_LINK);
	ASSERT_EQ(0, pci_bar_range(self->bdf, 2, &self->start, &self->end))
		TH_LOG("%s: no BAR2 in %s/%s/resource", self->bdf, PCI_DEVICES,
		       self->bdf);
	self->size = self->end - self->start + 1;
	/* the regions of mmapdemo_bar.h must fit */
	ASSERT_LE(MMD_BAR_SCRATCH_OFF + MMD_BAR_REGION, self->size);
	self->fd = open(MMD_BAR_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open: %s", strerror(errno));
}

FIXTURE_TEARDOWN(bar)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* The node stands for the ivshmem function: its parent is one. */
TEST_F(bar, node_of_an_ivshmem_function)
{
	EXPECT_TRUE(is_ivshmem(self->bdf)) TH_LOG("%s is not 1af4:1110",
						  self->bdf);
}

/* The file is BAR2, as long as sysfs says, and a power of 2 (QEMU's). */
TEST_F(bar, size_is_bar2_length)
{
	EXPECT_EQ((off_t)self->size, lseek(self->fd, 0, SEEK_END));
	EXPECT_EQ(0, self->size & (self->size - 1));
}

/* What the host wrote before the boot, through the mapping and read(). */
TEST_F(bar, host_pattern_through_mmap_and_pread)
{
	static unsigned char buf[MMD_BAR_REGION];
	unsigned char *p;
	size_t bad;

	p = mmap(NULL, MMD_BAR_REGION, PROT_READ, MAP_SHARED, self->fd,
		 MMD_BAR_HOST_OFF);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	bad = first_bad(p, MMD_BAR_REGION, true);
	EXPECT_EQ(MMD_BAR_REGION, bad)
		TH_LOG("mapping: byte %zu is 0x%02x, the host wrote 0x%02x",
		       bad, p[bad], MMD_BAR_HOST_BYTE(bad));
	munmap(p, MMD_BAR_REGION);

	ASSERT_EQ(MMD_BAR_REGION, pread(self->fd, buf, sizeof(buf),
					MMD_BAR_HOST_OFF));
	bad = first_bad(buf, MMD_BAR_REGION, true);
	EXPECT_EQ(MMD_BAR_REGION, bad)
		TH_LOG("pread: byte %zu is 0x%02x, the host wrote 0x%02x",
		       bad, buf[bad], MMD_BAR_HOST_BYTE(bad));
}

/*
 * Plain stores through the mapping (no msync: a PFN map has no page
 * cache to write back), read back by pread.  The host checks these bytes
 * in its file after the guest exited.
 */
TEST_F(bar, stores_through_mapping_reach_pread_and_host)
{
	static unsigned char buf[MMD_BAR_REGION];
	unsigned char *p;
	size_t i, bad;

	p = mmap(NULL, MMD_BAR_REGION, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->fd, MMD_BAR_GUEST_OFF);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	for (i = 0; i < MMD_BAR_REGION; i++)
		p[i] = MMD_BAR_GUEST_BYTE(i);
	ASSERT_EQ(MMD_BAR_REGION, pread(self->fd, buf, sizeof(buf),
					MMD_BAR_GUEST_OFF));
	bad = first_bad(buf, MMD_BAR_REGION, false);
	EXPECT_EQ(MMD_BAR_REGION, bad)
		TH_LOG("pread: byte %zu is 0x%02x, stored 0x%02x", bad,
		       buf[bad], MMD_BAR_GUEST_BYTE(bad));
	munmap(p, MMD_BAR_REGION);
}

/* pwrite() into a range already mapped and touched: the mapping sees it. */
TEST_F(bar, pwrite_reaches_the_mapping)
{
	unsigned char buf[256];
	unsigned char *p;
	size_t i;

	p = mmap(NULL, self->page, PROT_READ, MAP_SHARED, self->fd,
		 MMD_BAR_SCRATCH_OFF);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	buf[0] = p[0] + 1;		/* fault it in, then differ from it */
	for (i = 1; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(buf[0] + 37 * i);
	ASSERT_EQ(sizeof(buf), pwrite(self->fd, buf, sizeof(buf),
				      MMD_BAR_SCRATCH_OFF));
	for (i = 0; i < sizeof(buf); i++)
		if (p[i] != buf[i])
			break;
	EXPECT_EQ(sizeof(buf), i) TH_LOG("byte %zu: 0x%02x, wrote 0x%02x", i,
					 p[i], buf[i]);
	munmap(p, self->page);
}

/* Each refusal with its errno, and nothing mapped. */
TEST_F(bar, refusals)
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
}

/* smaps' VmFlags of the mapping: io pf dd de, as device memory is. */
TEST_F(bar, vmflags_io_pfnmap_dontdump_dontexpand)
{
	static const char * const want[] = { "io", "pf", "dd", "de" };
	char line[512], flags[512] = "";
	unsigned long lo, hi;
	bool in = false;
	unsigned int i;
	char tok[8];
	void *p;
	FILE *f;

	p = mmap(NULL, 2 * self->page, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	f = fopen("/proc/self/smaps", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		/* a VMA's first line; no field's name is hex, then '-' */
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
			in = lo == (unsigned long)p;
		else if (in && !strncmp(line, "VmFlags:", 8))
			snprintf(flags, sizeof(flags), "%s ", line + 8);
	}
	fclose(f);
	ASSERT_NE(0, flags[0]) TH_LOG("no VmFlags for the mapping at %p", p);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		snprintf(tok, sizeof(tok), " %s ", want[i]);
		flags[strcspn(flags, "\n")] = ' ';
		EXPECT_NE(NULL, strstr(flags, tok))
			TH_LOG("VmFlags lack %s:%s", want[i], flags);
	}
	munmap(p, 2 * self->page);
}

/*
 * The BAR is write-combining in PAT's list of reservations, and nothing
 * of another type overlaps it (an uncached ioremap of the BAR would, and
 * would turn every WC mapping into UC- without a word).
 */
TEST_F(bar, pat_memtype_write_combining)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned char *p;
	int wc, other;

	/* mapped and touched, in case a reservation is made on first use */
	p = mmap(NULL, self->page, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	ASSERT_EQ(MMD_BAR_HOST_BYTE(0), p[0]);
	wc = pat_types(self->start, self->end + 1, "write-combining", &other);
	munmap(p, self->page);
	ASSERT_LE(0, wc)
		TH_LOG("no " PAT_LIST " (a kernel without CONFIG_X86_PAT or debugfs, or booted with nopat)");
	EXPECT_LE(1, wc) TH_LOG("no write-combining line covers BAR2 [0x%llx-0x%llx]",
				self->start, self->end + 1);
	EXPECT_EQ(0, other) TH_LOG("another memory type over BAR2");
#else
	SKIP(return, "PAT is x86's");
#endif
}

#if defined(__x86_64__) || defined(__i386__)
/* Whether a line with @what reached the kernel log after @kmsg's position. */
static bool kmsg_has(int kmsg, const char *what)
{
	char rec[1024];
	bool found = false;
	ssize_t n;

	for (;;) {
		n = read(kmsg, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		if (strstr(rec, what))
			found = true;
	}
	return found;
}
#endif

/*
 * PAT keeps one memory type per physical range.  With the driver unbound,
 * the PCI core's sysfs files map BAR2's first page uncached (resource2,
 * UC-) and its second write-combining (resource2_wc): two reservations of
 * two types.  The probe then asks for the whole BAR write-combining
 * (pci_iomap_wc()), and memtype_check_conflict() refuses a range that
 * overlaps two reservations of different types: the probe fails with
 * ENOMEM and "conflicting memory types" in the log, and nothing is bound.
 * Unless the reservations are gone by then: pci_request_region() revokes
 * user mappings of the range (revoke_iomem(), CONFIG_IO_STRICT_DEVMEM),
 * and on 6.1 and 6.12 that zap also frees a PFN map's reservation
 * (unmap_single_vma() calls untrack_pfn()); 7.3 frees it only with the
 * VMA.  Either way the story must hold together: refused, with the two
 * reservations still there, or bound, with BAR2 all write-combining.
 * Once the sysfs mappings are gone the bind succeeds.
 */
TEST_F(bar, pat_conflict_refuses_the_probe)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned long long s = self->start, pg = self->page;
	char uc_path[PATH_MAX], wc_path[PATH_MAX];
	int uc_fd, wc_fd, kmsg, ret, err, other, wc;
	unsigned char *uc, *wcm;
	bool conflict;

	ASSERT_LE(0, pat_types(s, self->end + 1, "write-combining", &other))
		TH_LOG("no " PAT_LIST);
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, mmd_write_file(PCI_DRIVER "/unbind", self->bdf));
	ASSERT_TRUE(pci_wait_node(MMD_BAR_DEV, false, 5000));

	snprintf(uc_path, sizeof(uc_path), PCI_DEVICES "/%s/resource2", self->bdf);
	snprintf(wc_path, sizeof(wc_path), PCI_DEVICES "/%s/resource2_wc", self->bdf);
	uc_fd = open(uc_path, O_RDWR | O_CLOEXEC);
	wc_fd = open(wc_path, O_RDWR | O_CLOEXEC);
	uc = mmap(NULL, pg, PROT_READ, MAP_SHARED, uc_fd, 0);
	wcm = mmap(NULL, pg, PROT_READ, MAP_SHARED, wc_fd, pg);
	/* From here on, no ASSERT until the device is bound again. */
	EXPECT_NE(MAP_FAILED, uc) TH_LOG("%s: %s", uc_path, strerror(errno));
	EXPECT_NE(MAP_FAILED, wcm) TH_LOG("%s: %s", wc_path, strerror(errno));
	EXPECT_LE(1, pat_types(s, s + pg, "uncached-minus", &other));
	EXPECT_LE(1, pat_types(s + pg, s + 2 * pg, "write-combining", &other));

	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	lseek(kmsg, 0, SEEK_END);
	errno = 0;
	ret = mmd_write_file(PCI_DRIVER "/bind", self->bdf);
	err = -ret;
	conflict = kmsg_has(kmsg, "conflicting memory types");
	close(kmsg);
	TH_LOG("bind with both sysfs mappings live: %s", ret ? strerror(err) : "bound");
	if (ret) {
		EXPECT_EQ(ENOMEM, err);
		EXPECT_TRUE(conflict) TH_LOG("no \"conflicting memory types\" in the log");
		EXPECT_FALSE(pci_wait_node(MMD_BAR_DEV, true, 500));
		EXPECT_LE(1, pat_types(s, s + pg, "uncached-minus", &other));
		EXPECT_LE(1, pat_types(s + pg, s + 2 * pg, "write-combining", &other));
	} else {
		EXPECT_FALSE(conflict);
		wc = pat_types(s, self->end + 1, "write-combining", &other);
		EXPECT_LE(1, wc) TH_LOG("BAR2 is not all write-combining");
		EXPECT_EQ(0, other) TH_LOG("a reservation of another type is left");
		if (uc != MAP_FAILED)	/* revoked: a PFN map without a fault handler */
			EXPECT_EQ(SIGBUS, mmd_probe_read(uc));
	}
	if (uc != MAP_FAILED)
		munmap(uc, pg);
	if (wcm != MAP_FAILED)
		munmap(wcm, pg);
	close(uc_fd);
	close(wc_fd);
	if (ret)
		EXPECT_EQ(0, mmd_write_file(PCI_DRIVER "/bind", self->bdf));
	ASSERT_TRUE(pci_wait_node(MMD_BAR_DEV, true, 5000));
	wc = pat_types(s, self->end + 1, "write-combining", &other);
	EXPECT_LE(1, wc);
	EXPECT_EQ(0, other);
#else
	SKIP(return, "PAT is x86's");
#endif
}

/*
 * /proc/PID/mem (a debugger's view) cannot pin a PFN map's pages; the
 * driver's vm_ops->access reads and writes the BAR for it, even where
 * the process never touched the mapping.
 */
TEST_F(bar, proc_mem_reads_and_writes_untouched_pages)
{
	size_t pg = self->page, off = 3 * pg + 100, bad;
	unsigned char buf[256], got[256];
	unsigned char *host, *scratch;
	size_t i;
	int mem;

	host = mmap(NULL, MMD_BAR_REGION, PROT_READ, MAP_SHARED, self->fd,
		    MMD_BAR_HOST_OFF);
	ASSERT_NE(MAP_FAILED, host) TH_LOG("mmap: %s", strerror(errno));
	scratch = mmap(NULL, MMD_BAR_REGION, PROT_READ | PROT_WRITE,
		       MAP_SHARED, self->fd, MMD_BAR_SCRATCH_OFF);
	ASSERT_NE(MAP_FAILED, scratch) TH_LOG("mmap: %s", strerror(errno));
	mem = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, mem);

	ASSERT_EQ(sizeof(got), pread(mem, got, sizeof(got),
				     (uintptr_t)host + off))
		TH_LOG("/proc/self/mem read: %s", strerror(errno));
	for (bad = 0; bad < sizeof(got); bad++)
		if (got[bad] != MMD_BAR_HOST_BYTE(off + bad))
			break;
	EXPECT_EQ(sizeof(got), bad) TH_LOG("byte %zu: 0x%02x, the host wrote 0x%02x",
					   off + bad, got[bad],
					   MMD_BAR_HOST_BYTE(off + bad));

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(0xa5 ^ (i * 11));
	ASSERT_EQ(sizeof(buf), pwrite(mem, buf, sizeof(buf),
				      (uintptr_t)scratch + off))
		TH_LOG("/proc/self/mem write: %s", strerror(errno));
	ASSERT_EQ(sizeof(got), pread(self->fd, got, sizeof(got),
				     MMD_BAR_SCRATCH_OFF + off));
	EXPECT_EQ(0, memcmp(buf, got, sizeof(buf)));

	close(mem);
	munmap(scratch, MMD_BAR_REGION);
	munmap(host, MMD_BAR_REGION);
}

/*
 * Hot removal under a live mapping, in this process and in a child that
 * inherited it: every later access is SIGBUS, the open file answers
 * ENODEV, the node goes away; a rescan brings the function back with the
 * same bytes (they are the host's file).  Last, as it re-creates the
 * device.
 */
TEST_F(bar, remove_while_mapped_then_rescan)
{
	char path[PATH_MAX], c = 0, bdf[64];
	size_t pg = self->page;
	int pipefd[2], st, fd2;
	unsigned char *p, *q;
	pid_t child;

	p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 MMD_BAR_HOST_OFF);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	ASSERT_EQ(MMD_BAR_HOST_BYTE(0), p[0]);
	ASSERT_EQ(0, pipe(pipefd));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		/* keeps the mapping; touches it once the device is gone */
		close(pipefd[1]);
		if (read(pipefd[0], &c, 1) != 1)
			_exit(2);
		_exit(p[0] == MMD_BAR_HOST_BYTE(0) ? 0 : 3);
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
	EXPECT_EQ(SIGBUS, mmd_probe_read(p));		/* was mapped */
	EXPECT_EQ(SIGBUS, mmd_probe_read(p + pg));	/* never touched */
	EXPECT_EQ(-1, pread(self->fd, &c, 1, 0));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, pwrite(self->fd, &c, 1, MMD_BAR_SCRATCH_OFF));
	EXPECT_EQ(ENODEV, errno);
	q = mmap(NULL, pg, PROT_READ, MAP_SHARED, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, q);
	EXPECT_EQ(ENODEV, errno);
	if (q != MAP_FAILED)
		munmap(q, pg);
	EXPECT_TRUE(pci_wait_node(MMD_BAR_DEV, false, 10000))
		TH_LOG(MMD_BAR_DEV " still there after the removal");

	EXPECT_EQ(0, mmd_write_file("/sys/bus/pci/rescan", "1"));
	ASSERT_TRUE(pci_wait_node(MMD_BAR_DEV, true, 10000))
		TH_LOG(MMD_BAR_DEV " did not come back within 10 s of the rescan");
	ASSERT_EQ(0, pci_node_bdf(BAR_LINK, bdf, sizeof(bdf)));
	EXPECT_TRUE(is_ivshmem(bdf));
	fd2 = open(MMD_BAR_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2) TH_LOG("open after rescan: %s", strerror(errno));
	q = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd2, MMD_BAR_HOST_OFF);
	ASSERT_NE(MAP_FAILED, q) TH_LOG("mmap after rescan: %s",
					strerror(errno));
	EXPECT_EQ(pg, first_bad(q, pg, true));
	munmap(q, pg);
	close(fd2);

	EXPECT_EQ(0, munmap(p, 2 * pg));
	EXPECT_EQ(0, close(self->fd));
	self->fd = -1;
}

TEST_HARNESS_MAIN
