// SPDX-License-Identifier: GPL-2.0
/*
 * The device nodes, one per strategy: each is a file of the buffer's size,
 * mapped from offset 0, showing the same bytes; and what a debugger gets
 * from each mapping.
 *
 *   /dev/mmapdemo          remap (and every strategy by region)
 *   /dev/mmapdemo-fault    fault
 *   /dev/mmapdemo-batched  batched
 *   /dev/mmapdemo-huge     huge
 *
 * Debuggers: /proc/PID/mem and ptrace(PTRACE_PEEKDATA/POKEDATA) go through
 * access_remote_vm(), which pins the page with get_user_pages() and, when
 * GUP cannot (VM_IO | VM_PFNMAP: remap, huge), falls back to the VMA's
 * vm_ops->access; the driver provides one for those two.
 * process_vm_readv() and an O_DIRECT read into the mapping need GUP
 * itself: they fail with EFAULT on the PFN-mapped nodes, and work on the
 * page-backed ones (fault, batched).
 *
 * mmap_prepare and its window: every refusal comes from the node's
 * mmap_prepare, before a VMA exists, and leaves the counters alone (no
 * ->mapped, no ->close); RESIZE racing mmap() on each node never lets a
 * mapping see memory that is not a buffer's (the remap action runs after
 * prepare dropped the device lock).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <pthread.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mmapdemo_util.h"

FIXTURE(node) {
	int fd;		/* the variant's node */
	int rfd;	/* /dev/mmapdemo, for read() and the counters */
	size_t size;
	size_t page;
};

FIXTURE_VARIANT(node) {
	const char *path;
	unsigned int strategy;
	bool pfnmap;	/* VM_PFNMAP: GUP cannot pin it */
};

FIXTURE_VARIANT_ADD(node, remap) {
	.path = "/dev/mmapdemo",
	.strategy = MMAPDEMO_STRATEGY_REMAP,
	.pfnmap = true,
};

FIXTURE_VARIANT_ADD(node, fault) {
	.path = "/dev/mmapdemo-fault",
	.strategy = MMAPDEMO_STRATEGY_FAULT,
	.pfnmap = false,
};

FIXTURE_VARIANT_ADD(node, batched) {
	.path = "/dev/mmapdemo-batched",
	.strategy = MMAPDEMO_STRATEGY_BATCHED,
	.pfnmap = false,
};

FIXTURE_VARIANT_ADD(node, huge) {
	.path = "/dev/mmapdemo-huge",
	.strategy = MMAPDEMO_STRATEGY_HUGE,
	.pfnmap = true,
};

FIXTURE_SETUP(node)
{
	ASSERT_EQ(0, mmd_ensure());
	self->fd = open(variant->path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", variant->path,
				      strerror(errno));
	self->rfd = open(MMD_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->rfd);
	self->page = sysconf(_SC_PAGESIZE);
	self->size = lseek(self->fd, 0, SEEK_END);
	ASSERT_LT(0, (ssize_t)self->size);
}

FIXTURE_TEARDOWN(node)
{
	close(self->fd);
	close(self->rfd);
}

/* A file of the buffer's size: lseek(SEEK_END), INFO and sysfs agree. */
TEST_F(node, a_file_of_the_buffer_size)
{
	struct mmapdemo_info info;
	struct stat st;

	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_INFO, &info));
	EXPECT_EQ(info.buffer_size, self->size);
	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
}

/* read/write, splice both ways and lseek on every node: the same bytes. */
TEST_F(node, read_write_splice_and_seek)
{
	unsigned char buf[16], got[16];
	loff_t off = 64;
	int pfd[2];

	mmd_pattern_fill(buf, sizeof(buf), 0x61);
	ASSERT_EQ(sizeof(buf), pwrite(self->fd, buf, sizeof(buf), 64));
	ASSERT_EQ(0, pipe(pfd));
	ASSERT_EQ(sizeof(buf), splice(self->fd, &off, pfd[1], NULL, sizeof(buf), 0));
	ASSERT_EQ(sizeof(got), read(pfd[0], got, sizeof(got)));
	EXPECT_TRUE(mmd_pattern_ok(got, sizeof(got), 0x61));
	ASSERT_EQ(8, write(pfd[1], "spliced!", 8));
	off = 128;
	ASSERT_EQ(8, splice(pfd[0], NULL, self->fd, &off, 8, 0));
	ASSERT_EQ(8, pread(self->rfd, got, 8, 128));
	EXPECT_EQ(0, memcmp(got, "spliced!", 8));
	EXPECT_EQ(-1, lseek(self->fd, self->size + 1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	memset(buf, 0, sizeof(buf));
	pwrite(self->fd, buf, sizeof(buf), 64);
	pwrite(self->fd, buf, 8, 128);
	close(pfd[0]);
	close(pfd[1]);
}

/*
 * From offset 0, the whole buffer, the same bytes as read() and write()
 * on /dev/mmapdemo; counted as the node's strategy.
 */
TEST_F(node, maps_the_buffer_from_offset_zero)
{
	size_t len = self->size, off = len - 2 * self->page;
	struct mmapdemo_stats a, b;
	unsigned char buf[64], *p;

	mmd_stats(self->rfd, &a);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	mmd_stats(self->rfd, &b);
	EXPECT_EQ(a.strategy[variant->strategy].mmaps + 1,
		  b.strategy[variant->strategy].mmaps);

	mmd_pattern_fill(buf, sizeof(buf), 0x21 + variant->strategy);
	ASSERT_EQ(sizeof(buf), pwrite(self->rfd, buf, sizeof(buf), off));
	EXPECT_TRUE(mmd_pattern_ok(p + off, sizeof(buf), 0x21 + variant->strategy));
	mmd_pattern_fill(p + off, sizeof(buf), 0x91 + variant->strategy);
	ASSERT_EQ(sizeof(buf), pread(self->fd, buf, sizeof(buf), off));
	EXPECT_TRUE(mmd_pattern_ok(buf, sizeof(buf), 0x91 + variant->strategy));
	memset(p + off, 0, sizeof(buf));
	EXPECT_EQ(0, munmap(p, len));
}

/*
 * Offsets are buffer offsets: at or past the end, EINVAL.  On the
 * strategy nodes a region offset is just that (past the end); on
 * /dev/mmapdemo it is the second way to a strategy.
 */
TEST_F(node, offsets_are_buffer_offsets)
{
	void *p;

	p = mmap(NULL, self->page, PROT_READ, MAP_SHARED, self->fd, self->size);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, self->page, PROT_READ, MAP_SHARED, self->fd,
		 MMAPDEMO_OFFSET(MMAPDEMO_STRATEGY_FAULT));
	if (variant->strategy == MMAPDEMO_STRATEGY_REMAP) {
		ASSERT_NE(MAP_FAILED, p);
		EXPECT_EQ(1, mmd_live(self->rfd, MMAPDEMO_STRATEGY_FAULT));
		munmap(p, self->page);
	} else {
		EXPECT_EQ(MAP_FAILED, p);
		EXPECT_EQ(EINVAL, errno);
	}
}

/* The mapping of the node, with "ABCD" at its first byte. */
static unsigned char *map_abcd(struct __test_metadata *_metadata, int fd,
			       size_t len, int prot)
{
	unsigned char *p;

	ASSERT_EQ(4, pwrite(fd, "ABCD", 4, 0));
	p = mmap(NULL, len, prot, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	return p;
}

/* /proc/PID/mem, what gdb reads and writes through: every node. */
TEST_F(node, proc_pid_mem_reads_and_writes)
{
	unsigned char *p = map_abcd(_metadata, self->fd, self->page,
				    PROT_READ | PROT_WRITE);
	char got[4];
	int mem = open("/proc/self/mem", O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, mem);
	ASSERT_EQ(4, pread(mem, got, 4, (uintptr_t)p))
		TH_LOG("read: %s", strerror(errno));
	EXPECT_EQ(0, memcmp(got, "ABCD", 4));
	ASSERT_EQ(4, pwrite(mem, "WXYZ", 4, (uintptr_t)p + 4))
		TH_LOG("write: %s", strerror(errno));
	EXPECT_EQ(0, memcmp(p + 4, "WXYZ", 4));
	memset(p, 0, 8);
	munmap(p, self->page);
	close(mem);
}

/*
 * A read-only mapping stays read-only to a debugger: GUP refuses a forced
 * write into a shared mapping without VM_WRITE, and so does ->access.
 */
TEST_F(node, proc_pid_mem_cannot_write_a_readonly_mapping)
{
	unsigned char *p = map_abcd(_metadata, self->fd, self->page, PROT_READ);
	int mem = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	char got[4];

	ASSERT_LE(0, mem);
	EXPECT_EQ(4, pread(mem, got, 4, (uintptr_t)p));
	EXPECT_EQ(-1, pwrite(mem, "WXYZ", 4, (uintptr_t)p));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(0, memcmp(p, "ABCD", 4));
	munmap(p, self->page);
	close(mem);
	ASSERT_EQ(4, pwrite(self->fd, "\0\0\0\0", 4, 0));
}

/*
 * ptrace(PTRACE_PEEKDATA/POKEDATA), gdb's other way: a child inherits the
 * mapping and stops; we read and change its bytes.
 */
TEST_F(node, ptrace_peek_and_poke)
{
	unsigned char *p = map_abcd(_metadata, self->fd, self->page,
				    PROT_READ | PROT_WRITE);
	long word, poke;
	pid_t pid;
	int st;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFSTOPPED(st));
	errno = 0;
	word = ptrace(PTRACE_PEEKDATA, pid, p, NULL);
	EXPECT_EQ(0, errno) TH_LOG("PEEKDATA: %s", strerror(errno));
	EXPECT_EQ(0, memcmp(&word, "ABCD", 4));
	memcpy(&poke, "abcdefgh", sizeof(poke));
	EXPECT_EQ(0, ptrace(PTRACE_POKEDATA, pid, p + 8, (void *)poke))
		TH_LOG("POKEDATA: %s", strerror(errno));
	EXPECT_EQ(0, memcmp(p + 8, "abcdefgh", 8));	/* shared: we see it */
	ptrace(PTRACE_CONT, pid, NULL, NULL);
	waitpid(pid, &st, 0);
	memset(p, 0, 16);
	munmap(p, self->page);
}

/* process_vm_readv() pins with GUP and has no fallback. */
TEST_F(node, process_vm_readv_needs_gup)
{
	unsigned char *p = map_abcd(_metadata, self->fd, self->page,
				    PROT_READ | PROT_WRITE);
	char got[4] = "";
	struct iovec local = { got, 4 }, remote = { p, 4 };
	ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);

	if (variant->pfnmap) {
		EXPECT_EQ(-1, n);
		EXPECT_EQ(EFAULT, errno);
	} else {
		EXPECT_EQ(4, n) TH_LOG("process_vm_readv: %s", strerror(errno));
		EXPECT_EQ(0, memcmp(got, "ABCD", 4));
	}
	memset(p, 0, 4);
	munmap(p, self->page);
}

/*
 * O_DIRECT from a block device into the mapping: the block layer pins the
 * destination with GUP.  The device is a brd ramdisk (/dev/ram0: built
 * into the debug kernel, Debian's module elsewhere).
 */
TEST_F(node, o_direct_read_into_the_mapping)
{
	unsigned char *p = map_abcd(_metadata, self->fd, self->page,
				    PROT_READ | PROT_WRITE);
	void *src;
	ssize_t n;
	int blk;

	if (access("/dev/ram0", F_OK))
		ASSERT_EQ(0, system("modprobe brd rd_nr=1 rd_size=1024"));
	blk = open("/dev/ram0", O_RDWR | O_DIRECT | O_CLOEXEC);
	ASSERT_LE(0, blk) TH_LOG("open /dev/ram0: %s", strerror(errno));
	ASSERT_EQ(0, posix_memalign(&src, self->page, self->page));
	mmd_pattern_fill(src, self->page, 0x5a);
	ASSERT_EQ((ssize_t)self->page, pwrite(blk, src, self->page, 0));
	n = pread(blk, p, self->page, 0);
	if (variant->pfnmap) {
		EXPECT_EQ(-1, n);
		EXPECT_EQ(EFAULT, errno);
		EXPECT_EQ(0, memcmp(p, "ABCD", 4));
	} else {
		EXPECT_EQ((ssize_t)self->page, n)
			TH_LOG("O_DIRECT read: %s", strerror(errno));
		EXPECT_TRUE(mmd_pattern_ok(p, self->page, 0x5a));
	}
	memset(p, 0, self->page);
	munmap(p, self->page);
	free(src);
	close(blk);
}

/*
 * Every refusal is prepare's: the core then creates no VMA and calls
 * neither ->mapped nor ->close, so no counter moves.
 */
TEST_F(node, refusals_come_from_prepare_and_count_nothing)
{
	struct mmapdemo_stats a, b;
	unsigned int s = variant->strategy;

	mmd_stats(self->rfd, &a);
	/* PROT_EXEC: EPERM */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, self->page, PROT_READ | PROT_EXEC,
				   MAP_SHARED, self->fd, 0));
	EXPECT_EQ(EPERM, errno);
	/* at the end of the buffer: EINVAL */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, self->page, PROT_READ, MAP_SHARED,
				   self->fd, self->size));
	EXPECT_EQ(EINVAL, errno);
	/* MAP_PRIVATE of a PFN map: EINVAL (no copy-on-write of raw PFNs) */
	if (variant->pfnmap) {
		EXPECT_EQ(MAP_FAILED, mmap(NULL, self->page, PROT_READ,
					   MAP_PRIVATE, self->fd, 0));
		EXPECT_EQ(EINVAL, errno);
	}
	/* remap maps every page at once: not one past the end */
	if (s == MMAPDEMO_STRATEGY_REMAP) {
		EXPECT_EQ(MAP_FAILED, mmap(NULL, self->size + self->page,
					   PROT_READ, MAP_SHARED, self->fd, 0));
		EXPECT_EQ(EINVAL, errno);
	}
	mmd_stats(self->rfd, &b);
	EXPECT_EQ(a.strategy[s].mmaps, b.strategy[s].mmaps);
	EXPECT_EQ(a.live_maps, b.live_maps);
	EXPECT_EQ(a.strategy[s].pages_mapped, b.strategy[s].pages_mapped);
}

/*
 * RESIZE against mmap() of this node, from several threads, for a few
 * seconds.  On 7.3 the remap action runs after prepare has returned and
 * dropped the device lock, and ->mapped comes after it; a RESIZE in
 * between must fail with EBUSY like one during a mapping (the prepared map
 * counts), or the action would map a buffer RESIZE is freeing and the
 * mapping would outlive its buffer.  Each mapper maps 16 pages, stores its
 * mark in its own page and reads it back, through the mapping and with
 * pread() (RESIZE cannot have replaced the buffer under a live mapping),
 * and reads a page nobody writes: it must hold zeros, as every buffer
 * RESIZE makes does; memory given back to the kernel and reused would not.  Every mmap() succeeds, every RESIZE
 * succeeds or fails with EBUSY, both happen, and afterwards the counters
 * add up: as many new mmaps as mappings made, no live one left.
 */
#define RACE_MAPPERS	3
#define RACE_PAGES	16
#define RACE_SECONDS	2

struct race {
	const char *path;
	size_t page;
	volatile int stop;
	pthread_t tid;
	unsigned int id;
	unsigned long maps;
	unsigned long bad;
	int err;
};

static void *race_mapper(void *arg)
{
	struct race *r = arg;
	size_t len = RACE_PAGES * r->page;
	int fd = open(r->path, O_RDWR | O_CLOEXEC);
	unsigned char got;

	if (fd < 0) {
		r->err = errno;
		return NULL;
	}
	while (!r->stop) {
		volatile unsigned char *p = mmap(NULL, len,
						 PROT_READ | PROT_WRITE,
						 MAP_SHARED, fd, 0);
		unsigned char mark = 0x40 + r->id;

		if (p == MAP_FAILED) {
			r->err = errno;
			break;
		}
		p[r->id * r->page] = mark;
		/* the device's buffer is the mapping's while it lives */
		if (p[r->id * r->page] != mark ||
		    pread(fd, &got, 1, r->id * r->page) != 1 || got != mark ||
		    p[(RACE_PAGES - 1) * r->page + r->id] != 0)
			r->bad++;
		p[r->id * r->page] = 0;
		munmap((void *)p, len);
		r->maps++;
		usleep(100);	/* moments without a mapping, for RESIZE */
	}
	close(fd);
	return NULL;
}

TEST_F_TIMEOUT(node, resize_races_mmap_from_prepare_to_mapped, 120)
{
	struct mmapdemo_resize rz, back = { .size = self->size };
	struct race r[RACE_MAPPERS] = { 0 };
	unsigned long maps = 0, resizes = 0, busy = 0;
	struct mmapdemo_stats a, b;
	unsigned int s = variant->strategy, i;
	time_t start;

	/* a fresh buffer: zeros where nobody writes */
	rz = (struct mmapdemo_resize){ .size = RACE_PAGES * self->page };
	ASSERT_EQ(0, ioctl(self->rfd, MMAPDEMO_IOC_RESIZE, &rz));
	mmd_stats(self->rfd, &a);
	for (i = 0; i < RACE_MAPPERS; i++) {
		r[i].path = variant->path;
		r[i].page = self->page;
		r[i].id = i;
		ASSERT_EQ(0, pthread_create(&r[i].tid, NULL, race_mapper, &r[i]));
	}
	/* two seconds, and on until both outcomes were seen (60 s at most) */
	start = time(NULL);
	while (time(NULL) < start + RACE_SECONDS ||
	       ((!resizes || !busy) && time(NULL) < start + 60)) {
		/* 16 pages and up: every mapping fits every buffer */
		rz = (struct mmapdemo_resize){
			.size = (RACE_PAGES + (resizes & 1) * 16) * self->page };
		if (!ioctl(self->rfd, MMAPDEMO_IOC_RESIZE, &rz))
			resizes++;
		else if (errno == EBUSY)
			busy++;
		else
			break;
	}
	for (i = 0; i < RACE_MAPPERS; i++) {
		r[i].stop = 1;
		pthread_join(r[i].tid, NULL);
		EXPECT_EQ(0, r[i].err) TH_LOG("mapper %u: %s", i, strerror(r[i].err));
		EXPECT_EQ(0, r[i].bad) TH_LOG("mapper %u: %lu mappings saw wrong bytes",
					      i, r[i].bad);
		maps += r[i].maps;
	}
	EXPECT_EQ(0, ioctl(self->rfd, MMAPDEMO_IOC_RESIZE, &back));
	mmd_stats(self->rfd, &b);
	EXPECT_LT(0, resizes);
	EXPECT_LT(0, busy);
	EXPECT_LT(10, maps);
	EXPECT_EQ(a.strategy[s].mmaps + maps, b.strategy[s].mmaps);
	EXPECT_EQ(a.live_maps, b.live_maps);
	TH_LOG("%lu mmaps, %lu RESIZEs done, %lu EBUSY", maps, resizes, busy);
}

TEST_HARNESS_MAIN
