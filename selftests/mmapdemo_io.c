// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo as a file: the read_iter/write_iter family (readv, preadv2,
 * sendfile, splice) with the semantics of a file of fixed size, the one
 * copy that the VFS refuses (copy_file_range), and RESIZE under stress:
 * killed half-way, and racing with mmap, faults, read and write.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mmapdemo_util.h"

FIXTURE(io) {
	int fd;
	size_t size;
};

FIXTURE_SETUP(io)
{
	struct mmapdemo_info info;
	struct mmapdemo_fill fill = { .flags = MMAPDEMO_FILL_INCREMENT };

	self->fd = mmd_fixture_open(_metadata, &info);
	if (self->fd < 0)
		return;
	self->size = info.buffer_size;
	/* byte i of the buffer is (u8)i */
	fill.length = self->size;
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_FILL, &fill));
}

FIXTURE_TEARDOWN(io)
{
	if (self->fd >= 0)
		close(self->fd);
}

static bool incrementing(const unsigned char *p, size_t len, size_t from)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (unsigned char)(from + i))
			return false;
	return true;
}

TEST_F(io, readv_writev)
{
	char a[3] = "abc", b[5] = "defgh", c[2] = "ij", out[10];
	struct iovec w[] = { { a, 3 }, { b, 5 }, { c, 2 } };
	struct iovec r[] = { { out, 4 }, { out + 4, 6 } };

	ASSERT_EQ(100, lseek(self->fd, 100, SEEK_SET));
	EXPECT_EQ(10, writev(self->fd, w, 3));
	EXPECT_EQ(110, lseek(self->fd, 0, SEEK_CUR));
	ASSERT_EQ(100, lseek(self->fd, 100, SEEK_SET));
	EXPECT_EQ(10, readv(self->fd, r, 2));
	EXPECT_EQ(0, memcmp(out, "abcdefghij", 10));
}

TEST_F(io, preadv2_pwritev2_at_the_end)
{
	char x[8] = "12345678", got[8];
	struct iovec v = { x, 8 };
	struct iovec g = { got, 8 };

	/* reaching over the end: short */
	EXPECT_EQ(3, pwritev2(self->fd, &v, 1, self->size - 3, 0));
	EXPECT_EQ(3, preadv2(self->fd, &g, 1, self->size - 3, 0));
	EXPECT_EQ(0, memcmp(got, "123", 3));
	/* at the end: the file is full, and reads see end of file */
	EXPECT_EQ(-1, pwritev2(self->fd, &v, 1, self->size, 0));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(0, preadv2(self->fd, &g, 1, self->size, 0));
	EXPECT_EQ(0, preadv2(self->fd, &g, 1, self->size + 4096, 0));
	/* a negative offset is the VFS's EINVAL */
	EXPECT_EQ(-1, preadv2(self->fd, &g, 1, -2, 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(io, sendfile_to_a_file)
{
	size_t len = 64 << 10;
	int out = memfd_create("mmapdemo-sendfile", 0);
	unsigned char *buf = malloc(len);
	off_t off = 4096 + 7;

	ASSERT_LE(0, out);
	ASSERT_NE(NULL, buf);
	EXPECT_EQ((ssize_t)len, sendfile(out, self->fd, &off, len));
	EXPECT_EQ(4096 + 7 + (off_t)len, off);
	ASSERT_EQ((ssize_t)len, pread(out, buf, len, 0));
	EXPECT_TRUE(incrementing(buf, len, 4096 + 7));
	/* from the end: nothing, like any file */
	off = self->size;
	EXPECT_EQ(0, sendfile(out, self->fd, &off, len));
	off = self->size - 10;
	EXPECT_EQ(10, sendfile(out, self->fd, &off, len));
	free(buf);
	close(out);
}

TEST_F(io, splice_through_a_pipe)
{
	loff_t in = 8192, to = 3 * 8192;
	unsigned char got[4096];
	int p[2];

	ASSERT_EQ(0, pipe(p));
	/* device -> pipe -> device, at another offset */
	EXPECT_EQ(4096, splice(self->fd, &in, p[1], NULL, 4096, 0));
	EXPECT_EQ(8192 + 4096, in);
	EXPECT_EQ(4096, splice(p[0], NULL, self->fd, &to, 4096, 0));
	ASSERT_EQ(4096, pread(self->fd, got, 4096, 3 * 8192));
	EXPECT_TRUE(incrementing(got, 4096, 8192));
	/* into the device past its end: ENOSPC, the pipe keeps the data */
	ASSERT_EQ(16, write(p[1], "0123456789abcdef", 16));
	to = self->size;
	EXPECT_EQ(-1, splice(p[0], NULL, self->fd, &to, 16, 0));
	EXPECT_EQ(ENOSPC, errno);
	close(p[0]);
	close(p[1]);
}

/*
 * copy_file_range() is for regular files only (generic_file_rw_checks()):
 * the VFS refuses it for every character device, before any driver code.
 * Tools fall back to read/write or sendfile, which work (above).
 */
TEST_F(io, copy_file_range_refused_by_the_vfs)
{
	int out = memfd_create("mmapdemo-cfr", 0);
	loff_t off = 0;

	ASSERT_LE(0, out);
	EXPECT_EQ(-1, copy_file_range(self->fd, &off, out, NULL, 4096, 0));
	EXPECT_EQ(EINVAL, errno);
	close(out);
}

/* ---- RESIZE under stress ---------------------------------------------- */

/*
 * A RESIZE to the maximum, killed while it allocates: the allocation stops
 * (fatal_signal_pending() between 2 MiB blocks, or after the one range
 * was found and zeroed), everything it had is freed, and the old buffer is
 * still the device's, bytes intact.  A buffer in one range (INFO_ONE_RANGE)
 * asks for 512 MiB, which the guests can find; 1 GiB in one piece they
 * rarely can, and that RESIZE would fail at once with ENOMEM.
 */
TEST_F(io, killed_resize_keeps_the_old_buffer)
{
	struct mmapdemo_checksum before = { .length = self->size };
	struct mmapdemo_checksum after = { .length = self->size };
	struct mmapdemo_info info;
	long long free0, free1;
	int sync[2], st;
	pid_t pid;
	char c;

	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_CHECKSUM, &before));
	free0 = meminfo_kb("MemAvailable");
	ASSERT_EQ(0, pipe(sync));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct mmapdemo_resize rs = { .size = MMAPDEMO_MAX_SIZE };

		if (mmd_one_range())
			rs.size = MMAPDEMO_MAX_SIZE / 2;

		close(sync[0]);
		if (write(sync[1], "x", 1) != 1)
			_exit(2);
		ioctl(self->fd, MMAPDEMO_IOC_RESIZE, &rs);
		_exit(1);	/* finished before the kill: not tested */
	}
	close(sync[1]);
	ASSERT_EQ(1, read(sync[0], &c, 1));
	close(sync[0]);
	usleep(5000);
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFSIGNALED(st)) TH_LOG("RESIZE finished within 5 ms");
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_INFO, &info));
	EXPECT_EQ(self->size, info.buffer_size);
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_CHECKSUM, &after));
	EXPECT_EQ(before.sum, after.sum);
	/* nothing of the aborted 1 GiB stays allocated */
	free1 = meminfo_kb("MemAvailable");
	EXPECT_LT(free0 - free1, 64 << 10)
		TH_LOG("MemAvailable %lld kB before, %lld kB after", free0,
		       free1);
}

struct racer {
	int fd;
	size_t len;		/* each racer's own range: len bytes at id * len */
	volatile bool stop;
	int next_id;
	unsigned long maps, resizes, busy, bad;
	char why[128];
};

static void racer_bad(struct racer *r, const char *what, int err)
{
	if (!__atomic_fetch_add(&r->bad, 1, __ATOMIC_RELAXED))
		snprintf(r->why, sizeof(r->why), "%s: %s", what,
			 strerror(err));
}

/* Map, write a pattern, read it back through the mapping and read(). */
static void *racer_map(void *arg)
{
	struct racer *r = arg;
	int id = __atomic_fetch_add(&r->next_id, 1, __ATOMIC_RELAXED);
	unsigned int s = 1;

	while (!r->stop) {
		unsigned char *p, tag = (unsigned char)(id << 4 | s);

		p = mmap(NULL, r->len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 r->fd, MMAPDEMO_OFFSET(s) + id * r->len);
		if (p == MAP_FAILED) {
			racer_bad(r, "mmap", errno);
			continue;
		}
		memset(p, tag, r->len);
		/* the mapping pins its buffer: it sees its own bytes */
		if (p[0] != tag || p[r->len - 1] != tag)
			racer_bad(r, "mapping lost its bytes", 0);
		munmap(p, r->len);
		__atomic_fetch_add(&r->maps, 1, __ATOMIC_RELAXED);
		s = s % 3 + 1;		/* fault, batched, huge */
		/*
		 * A window for RESIZE to win, now and then a long one: on a
		 * slow (emulated, debug) kernel a map-write-unmap round takes
		 * long enough that two mappers with short pauses left no
		 * moment without a mapping for two seconds.
		 */
		usleep(s == 1 ? 5000 : 500);
	}
	return NULL;
}

static void *racer_rw(void *arg)
{
	struct racer *r = arg;
	off_t off = 2 * r->len;		/* after the two mappers' ranges */
	unsigned char b[512];

	while (!r->stop) {
		memset(b, 0x5a, sizeof(b));
		if (pwrite(r->fd, b, sizeof(b), off) != sizeof(b))
			racer_bad(r, "pwrite", errno);
		if (pread(r->fd, b, sizeof(b), off) != sizeof(b))
			racer_bad(r, "pread", errno);
	}
	return NULL;
}

/*
 * For two seconds, and on until both outcomes of RESIZE have been seen (at
 * most 30 s), two threads map, write and unmap while one reads and writes
 * and this one RESIZEs: every RESIZE either replaces the buffer or fails
 * with EBUSY (a mapping exists), every other call succeeds, and a mapping
 * always sees its own bytes.  Both outcomes of RESIZE must happen.
 */
TEST_F_TIMEOUT(io, resize_races_mmap_fault_read_write, 60)
{
	struct racer r = { .fd = self->fd, .len = 64 << 10 };
	size_t sizes[] = { self->size, self->size + (2 << 20) };
	struct mmapdemo_resize rs = { 0 };
	struct timespec t0, now;
	unsigned long tries;
	pthread_t t[3];
	int i;

	ASSERT_EQ(0, pthread_create(&t[0], NULL, racer_map, &r));
	ASSERT_EQ(0, pthread_create(&t[1], NULL, racer_map, &r));
	ASSERT_EQ(0, pthread_create(&t[2], NULL, racer_rw, &r));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (tries = 0;; tries++) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec >= 2 && r.resizes && r.busy)
			break;
		if (now.tv_sec - t0.tv_sec >= 30)
			break;
		rs.size = sizes[tries & 1];
		if (!ioctl(self->fd, MMAPDEMO_IOC_RESIZE, &rs))
			r.resizes++;
		else if (errno == EBUSY)
			r.busy++;
		else
			racer_bad(&r, "RESIZE", errno);
	}
	r.stop = true;
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	TH_LOG("%lu maps, %lu RESIZEs done, %lu refused with EBUSY", r.maps,
	       r.resizes, r.busy);
	EXPECT_EQ(0, r.bad) TH_LOG("%s", r.why);
	EXPECT_LT(0, r.maps);
	EXPECT_LT(0, r.resizes);
	EXPECT_LT(0, r.busy);
	EXPECT_EQ(tries, r.resizes + r.busy);
	EXPECT_EQ(0, mmd_live(self->fd, MMAPDEMO_STRATEGY_FAULT) +
		     mmd_live(self->fd, MMAPDEMO_STRATEGY_BATCHED) +
		     mmd_live(self->fd, MMAPDEMO_STRATEGY_HUGE));
	rs.size = self->size;
	EXPECT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_RESIZE, &rs));
}

/* ---- counters under concurrency ---------------------------------------- */

struct toucher {
	volatile unsigned char *p;
	pthread_barrier_t *go;
};

static void *touch_one(void *arg)
{
	struct toucher *t = arg;

	pthread_barrier_wait(t->go);
	(void)*t->p;
	return NULL;
}

/*
 * 16 threads touch the 16 pages of one batched run at once.  Whoever comes
 * first inserts the run; the others find their page present or insert
 * nothing and must not count a fault.  Exact: pages_mapped grows by 16, and
 * no counted fault mapped zero pages (so faults <= pages).
 */
TEST_F(io, batched_counters_exact_under_threads)
{
	const unsigned int n = MMAPDEMO_BATCH_PAGES;
	unsigned long long faults = 0, pages = 0;
	struct mmapdemo_stats a, b;
	pthread_barrier_t go;
	struct toucher t[MMAPDEMO_BATCH_PAGES];
	pthread_t th[MMAPDEMO_BATCH_PAGES];
	unsigned int round, i;

	for (round = 0; round < 50; round++) {
		volatile unsigned char *p;

		p = mmap(NULL, n * 4096, PROT_READ, MAP_SHARED, self->fd,
			 MMAPDEMO_OFFSET(MMAPDEMO_STRATEGY_BATCHED));
		ASSERT_NE(MAP_FAILED, p);
		mmd_stats(self->fd, &a);
		pthread_barrier_init(&go, NULL, n);
		for (i = 0; i < n; i++) {
			t[i].p = p + i * 4096;
			t[i].go = &go;
			ASSERT_EQ(0, pthread_create(&th[i], NULL, touch_one,
						    &t[i]));
		}
		for (i = 0; i < n; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&go);
		mmd_stats(self->fd, &b);
		ASSERT_EQ(n, b.strategy[MMAPDEMO_STRATEGY_BATCHED].pages_mapped -
			     a.strategy[MMAPDEMO_STRATEGY_BATCHED].pages_mapped);
		faults += b.strategy[MMAPDEMO_STRATEGY_BATCHED].faults -
			  a.strategy[MMAPDEMO_STRATEGY_BATCHED].faults;
		pages += n;
		munmap((void *)p, n * 4096);
	}
	TH_LOG("50 runs: %llu faults counted for %llu pages", faults, pages);
	EXPECT_LE(50, faults);
	EXPECT_GE(pages, faults);
}

TEST_HARNESS_MAIN
