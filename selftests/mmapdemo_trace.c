// SPDX-License-Identifier: GPL-2.0
/*
 * The module's tracepoints (module/trace.h): enabled through tracefs for
 * this process only, a scripted sequence of mmaps, faults, a SIGBUS and
 * RESIZEs must produce exactly the events predicted here, field by field,
 * and the events must add up to the STATS counters over the same
 * sequence.  No tracefs or no mmapdemo events is a failure, not a skip:
 * every kernel of the matrix has them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mmapdemo_util.h"

#define MAX_EVENTS	64
#define LINE		256

static const char *const names[MMAPDEMO_STRATEGY_SLOTS] = {
	[MMAPDEMO_STRATEGY_REMAP] = "remap",
	[MMAPDEMO_STRATEGY_FAULT] = "fault",
	[MMAPDEMO_STRATEGY_BATCHED] = "batched",
	[MMAPDEMO_STRATEGY_HUGE] = "huge",
};

FIXTURE(trace) {
	int fd;
	long page;
	struct mmapdemo_info info;
	char dir[64];		/* the tracefs mount */
	char want[MAX_EVENTS][LINE];
	int nwant;
};

static int tfs_write(FIXTURE_DATA(trace) *self, const char *file,
		     const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", self->dir, file);
	return mmd_write_file(path, val);
}

/* The tracefs mount: the usual place, debugfs's, or mount it. */
static int find_tracefs(FIXTURE_DATA(trace) *self)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char path[128];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/trace", dirs[i]);
		if (!access(path, F_OK)) {
			snprintf(self->dir, sizeof(self->dir), "%s", dirs[i]);
			return 0;
		}
	}
	if (mount("tracefs", dirs[0], "tracefs", 0, NULL))
		return -errno;
	snprintf(self->dir, sizeof(self->dir), "%s", dirs[0]);
	return 0;
}

static void expect(FIXTURE_DATA(trace) *self, const char *fmt, ...)
{
	va_list ap;

	if (self->nwant >= MAX_EVENTS)
		return;
	va_start(ap, fmt);
	vsnprintf(self->want[self->nwant++], LINE, fmt, ap);
	va_end(ap);
}

static void *map_dev(FIXTURE_DATA(trace) *self, unsigned int s, size_t len,
		     unsigned long off, int prot, int ret)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, self->fd,
		       MMAPDEMO_OFFSET(s) + off);

	/* "0x%lx": the kernel prints %#lx of 0 as 0x0, glibc as 0 */
	expect(self, "mmapdemo_mmap: strategy=%s offset=0x%lx len=0x%zx shared=1 ret=%d",
	       names[s], off, len, ret);
	return p;
}

/*
 * How munmap() holds mmap_lock when it calls .close: for reading (it
 * downgrades first).  Only lockdep can tell the event which: a kernel
 * without it, or with it turned off by an earlier report ("debug_locks:
 * 0" in /proc/lockdep_stats), says "held".
 */
static const char *lock_mode(const char *mode)
{
	char line[128];
	int on = 0;
	FILE *f = fopen("/proc/lockdep_stats", "r");

	if (!f)
		return "held";
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " debug_locks: %d", &on) == 1)
			break;
	fclose(f);
	return on ? mode : "held";
}

static void unmap_dev(FIXTURE_DATA(trace) *self, unsigned int s, void *p,
		      size_t len)
{
	munmap(p, len);
	expect(self, "mmapdemo_close: strategy=%s mapped=1 mmap_lock=%s",
	       names[s], lock_mode("read"));
}

FIXTURE_SETUP(trace)
{
	int ret;

	self->page = sysconf(_SC_PAGESIZE);
	self->nwant = 0;
	ASSERT_EQ(0, geteuid()) TH_LOG("tracefs and RESIZE need root");
	self->fd = mmd_fixture_open(_metadata, &self->info);
	ASSERT_EQ(0, find_tracefs(self)) TH_LOG("no tracefs: a kernel without CONFIG_EVENT_TRACING?");
	ASSERT_EQ(0, tfs_write(self, "tracing_on", "0"));
	ASSERT_EQ(0, tfs_write(self, "trace", ""));
	/*
	 * No set_event_pid and no comm recording: both hook the scheduler's
	 * own tracepoints, and patching those while the other CPU wakes a
	 * task crashed a TCG guest (int3 in ttwu_do_activate).  Our events
	 * are picked out by pid when the trace is read.
	 */
	ASSERT_EQ(0, tfs_write(self, "options/record-cmd", "0"));
	ret = tfs_write(self, "events/mmapdemo/enable", "1");
	ASSERT_EQ(0, ret) TH_LOG("events/mmapdemo/enable: %s: the module has no tracepoints?",
				 strerror(-ret));
}

FIXTURE_TEARDOWN(trace)
{
	tfs_write(self, "tracing_on", "0");
	tfs_write(self, "events/mmapdemo/enable", "0");
	tfs_write(self, "options/record-cmd", "1");
	tfs_write(self, "trace", "");
	tfs_write(self, "tracing_on", "1");
	close(self->fd);
}

/* Our events, in order, as "name: fields"; returns how many. */
static int read_events_of(FIXTURE_DATA(trace) *self, pid_t pid,
			  char got[][LINE])
{
	char path[128], line[1024], me[32];
	int n = 0;
	FILE *f;

	snprintf(me, sizeof(me), "-%d ", pid);
	snprintf(path, sizeof(path), "%s/trace", self->dir);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && n < MAX_EVENTS * 2) {
		/* "task-pid [cpu] flags time: mmapdemo_x: fields" */
		char *e = strstr(line, ": mmapdemo_");
		char *task = strstr(line, me);

		/* ours: "comm-PID " comes before the event's name */
		if (line[0] == '#' || !e || !task || task > e)
			continue;
		e[strcspn(e, "\n")] = 0;
		if (n < MAX_EVENTS)
			snprintf(got[n], LINE, "%s", e + 2);
		n++;
	}
	fclose(f);
	return n;
}

static int read_events(FIXTURE_DATA(trace) *self, char got[][LINE])
{
	return read_events_of(self, getpid(), got);
}

static unsigned long field(const char *ev, const char *key)
{
	const char *p = strstr(ev, key);

	return p ? strtoul(p + strlen(key), NULL, 0) : 0;
}

TEST_F(trace, events_are_exact_and_add_up_to_the_counters)
{
	const size_t size = self->info.buffer_size, pg = self->page;
	const size_t pmd = 2UL << 20;
	struct mmapdemo_stats a, b;
	struct mmapdemo_resize rs = { .size = size };
	static char got[MAX_EVENTS][LINE];
	unsigned long pmd_pages;
	unsigned int s;
	int n, i, sig;
	char *p;

	ASSERT_LE(pmd, size) TH_LOG("a PMD needs a buffer of at least 2 MiB");
	mmd_stats(self->fd, &a);
	ASSERT_EQ(0, tfs_write(self, "tracing_on", "1"));

	/* remap: one mmap event, no fault ever. */
	p = map_dev(self, MMAPDEMO_STRATEGY_REMAP, 2 * pg, pg,
		    PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	p[pg] = 2;
	unmap_dev(self, MMAPDEMO_STRATEGY_REMAP, p, 2 * pg);

	/* fault: one event per page touched. */
	p = map_dev(self, MMAPDEMO_STRATEGY_FAULT, 4 * pg, 0, PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < 4; i++) {
		(void)*(volatile char *)(p + i * pg);
		expect(self, "mmapdemo_fault: strategy=fault idx=%d pages=1 order=0 result=0x0",
		       i);
	}
	unmap_dev(self, MMAPDEMO_STRATEGY_FAULT, p, 4 * pg);

	/* batched: one event per run of MMAPDEMO_BATCH_PAGES. */
	p = map_dev(self, MMAPDEMO_STRATEGY_BATCHED,
		    2 * MMAPDEMO_BATCH_PAGES * pg, 0, PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < 2 * MMAPDEMO_BATCH_PAGES; i++)
		(void)*(volatile char *)(p + i * pg);
	for (i = 0; i < 2; i++)
		expect(self, "mmapdemo_fault: strategy=batched idx=%d pages=%d order=0 result=0x100",
		       i * MMAPDEMO_BATCH_PAGES, MMAPDEMO_BATCH_PAGES);
	unmap_dev(self, MMAPDEMO_STRATEGY_BATCHED, p,
		  2 * MMAPDEMO_BATCH_PAGES * pg);

	/*
	 * huge: a 2 MiB block is one event of order 9 where the kernel maps
	 * PFN PMDs for drivers (6.12, 7.3), a 4 KiB event where it does not
	 * (6.1, which never calls .huge_fault for us): the counters say which.
	 */
	p = map_dev(self, MMAPDEMO_STRATEGY_HUGE, pmd, 0, PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, p);
	(void)*(volatile char *)p;
	mmd_stats(self->fd, &b);
	pmd_pages = b.strategy[MMAPDEMO_STRATEGY_HUGE].pages_mapped -
		    a.strategy[MMAPDEMO_STRATEGY_HUGE].pages_mapped;
	if (pmd_pages > 1)
		expect(self, "mmapdemo_fault: strategy=huge idx=0 pages=%zu order=9 result=0x100",
		       pmd / pg);
	else
		expect(self, "mmapdemo_fault: strategy=huge idx=0 pages=1 order=0 result=0x100");
	unmap_dev(self, MMAPDEMO_STRATEGY_HUGE, p, pmd);

	/* Refused mmaps are traced with their errno. */
	p = map_dev(self, MMAPDEMO_STRATEGY_FAULT, pg, size, PROT_READ, -EINVAL);
	ASSERT_EQ(MAP_FAILED, p);
	p = map_dev(self, MMAPDEMO_STRATEGY_REMAP, size + pg, 0, PROT_READ, -EINVAL);
	ASSERT_EQ(MAP_FAILED, p);

	/* SIGBUS past the end: the sigbus event, no fault event. */
	p = map_dev(self, MMAPDEMO_STRATEGY_FAULT, size + pg, 0, PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, p);
	sig = mmd_probe_read(p + size);
	ASSERT_EQ(SIGBUS, sig);
	expect(self, "mmapdemo_sigbus: strategy=fault idx=%zu address=%#lx",
	       size / pg, (unsigned long)(p + size));

	/* RESIZE: refused while mapped (old_size 0), then done. */
	ASSERT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_RESIZE, &rs));
	ASSERT_EQ(EBUSY, errno);
	expect(self, "mmapdemo_resize: old_size=0 new_size=%zu ret=-16", size);
	unmap_dev(self, MMAPDEMO_STRATEGY_FAULT, p, size + pg);
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_RESIZE, &rs));
	expect(self, "mmapdemo_resize: old_size=%zu new_size=%zu ret=0", size, size);

	ASSERT_EQ(0, tfs_write(self, "tracing_on", "0"));
	mmd_stats(self->fd, &b);
	n = read_events(self, got);
	ASSERT_LE(0, n);
	for (i = 0; i < n && i < self->nwant; i++)
		EXPECT_STREQ(self->want[i], got[i]) TH_LOG("event %d", i);
	ASSERT_EQ(self->nwant, n) TH_LOG("events: %d traced, %d expected", n, self->nwant);

	/* The same story from the counters. */
	for (s = 0; s < MMAPDEMO_STRATEGY_SLOTS; s++) {
		unsigned long faults = 0, pages = 0, mmaps = 0;

		if (!names[s])
			continue;
		for (i = 0; i < n; i++) {
			char key[32];

			snprintf(key, sizeof(key), "strategy=%s ", names[s]);
			if (!strstr(got[i], key))
				continue;
			if (!strncmp(got[i], "mmapdemo_fault:", 15) &&
			    field(got[i], "pages=")) {
				faults++;
				pages += field(got[i], "pages=");
			}
			if (!strncmp(got[i], "mmapdemo_mmap:", 14) &&
			    strstr(got[i], "ret=0"))
				mmaps++;
		}
		EXPECT_EQ(b.strategy[s].faults - a.strategy[s].faults, faults)
			TH_LOG("%s: fault events vs the faults counter", names[s]);
		EXPECT_EQ(b.strategy[s].mmaps - a.strategy[s].mmaps, mmaps)
			TH_LOG("%s: mmap events vs the mmaps counter", names[s]);
		if (s != MMAPDEMO_STRATEGY_REMAP)	/* mapped at mmap() */
			EXPECT_EQ(b.strategy[s].pages_mapped -
				  a.strategy[s].pages_mapped, pages)
				TH_LOG("%s: pages in fault events vs pages_mapped",
				       names[s]);
	}
	EXPECT_EQ(b.sigbus - a.sigbus, 1);
	EXPECT_EQ(b.resizes - a.resizes, 1);
	TH_LOG("%d events, as predicted; huge mapped %lu page(s) per fault",
	       n, pmd_pages);
}

/*
 * Which lock .close runs under: munmap() downgrades mmap_lock to a read
 * lock before it removes the VMA; a process that exits holds it for
 * writing (exit_mmap()).  A driver's .close may rely on neither mode,
 * only on mmap_lock being held (module/vma.c asserts that much with
 * mmap_assert_locked() on every close).
 */
TEST_F(trace, close_runs_under_mmap_lock_read_on_munmap_write_at_exit)
{
	static char got[MAX_EVENTS][LINE];
	char want[LINE];
	int n, st;
	pid_t pid;
	char *p;

	ASSERT_EQ(0, tfs_write(self, "tracing_on", "1"));
	p = mmap(NULL, self->page, PROT_READ, MAP_SHARED, self->fd,
		 MMAPDEMO_OFFSET(MMAPDEMO_STRATEGY_FAULT));
	ASSERT_NE(MAP_FAILED, p);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		(void)*(volatile char *)p;
		_exit(0);		/* the copy is unmapped by exit_mmap() */
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	munmap(p, self->page);
	ASSERT_EQ(0, tfs_write(self, "tracing_on", "0"));

	snprintf(want, sizeof(want),
		 "mmapdemo_close: strategy=fault mapped=1 mmap_lock=%s",
		 lock_mode("write"));
	n = read_events_of(self, pid, got);
	ASSERT_LE(1, n);
	EXPECT_STREQ(want, got[n - 1]) TH_LOG("the child's last event");
	snprintf(want, sizeof(want),
		 "mmapdemo_close: strategy=fault mapped=1 mmap_lock=%s",
		 lock_mode("read"));
	n = read_events(self, got);
	ASSERT_LE(1, n);
	EXPECT_STREQ(want, got[n - 1]) TH_LOG("our last event");
	TH_LOG("munmap: mmap_lock=%s, exit: mmap_lock=%s", lock_mode("read"),
	       lock_mode("write"));
}

TEST_HARNESS_MAIN
