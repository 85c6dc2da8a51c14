// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo concurrency selftests.
 *
 * churn: several processes, several threads each, map, fault, write, read,
 * partially unmap and ioctl on disjoint and overlapping ranges through both
 * strategies at once, while another process samples the statistics; every
 * byte a thread wrote must read back, and the live-mapping count must come
 * back to where it started.
 *
 * producer_consumer: two unrelated processes pass sequence-numbered
 * records through a ring in the device, one mapping it with remap and the
 * other with the fault strategy (see mmapdemo_ring.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mmapdemo_util.h"

#define PROCS		3
#define THREADS		4
#define PAGES_PER	32	/* pages each thread owns */

FIXTURE(stress) {
	int fd;
	size_t size;
	long page;
	unsigned int nstrategies;
};

FIXTURE_SETUP(stress)
{
	struct mmapdemo_info info;

	self->fd = mmd_fixture_open(_metadata, &info);
	if (self->fd < 0)
		return;
	self->size = info.buffer_size;
	self->page = sysconf(_SC_PAGESIZE);
	self->nstrategies = __builtin_popcount(info.strategies);
	ASSERT_EQ((1U << self->nstrategies) - 1, info.strategies);
	ASSERT_LE((size_t)PROCS * THREADS * PAGES_PER * self->page + 16 * self->page,
		  self->size) TH_LOG("buffer too small for the stress layout");
}

FIXTURE_TEARDOWN(stress)
{
	if (self->fd >= 0)
		close(self->fd);
}

struct worker {
	int fd;
	long page;
	size_t size;
	off_t own;		/* first byte of the range this thread owns */
	double deadline;
	unsigned int seed;
	unsigned int nstrategies;	/* strategies 0..n-1 */
	long errors;
	long iterations;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	size_t len = PAGES_PER * w->page;
	unsigned char *buf = malloc(len);

	while (now() < w->deadline) {
		unsigned int s = rand_r(&w->seed) % w->nstrategies;
		off_t base = MMAPDEMO_OFFSET(s);
		unsigned char seed = rand_r(&w->seed);
		unsigned char *p, *q;
		struct mmapdemo_fill f = {
			.offset = w->own, .length = len,
			.flags = MMAPDEMO_FILL_INCREMENT, .seed = seed,
		};

		w->iterations++;
		switch (w->iterations % 5) {
		case 0:	/* own range: write through a mapping, read back */
			p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
				 w->fd, base + w->own);
			if (p == MAP_FAILED) {
				w->errors++;
				break;
			}
			mmd_pattern_fill(p, len, seed);
			if (pread(w->fd, buf, len, w->own) != (ssize_t)len ||
			    !mmd_pattern_ok(buf, len, seed))
				w->errors++;
			munmap(p, len);
			break;
		case 1:	/* overlapping with everyone: read-only view */
			p = mmap(NULL, 16 * w->page, PROT_READ, MAP_SHARED,
				 w->fd, base + (w->size - 16 * w->page));
			if (p == MAP_FAILED) {
				w->errors++;
				break;
			}
			for (size_t i = 0; i < 16; i++)
				(void)*(volatile unsigned char *)(p + i * w->page);
			munmap(p, 16 * w->page);
			break;
		case 2:	/* own range through write()/read() */
			mmd_pattern_fill(buf, len, seed);
			if (pwrite(w->fd, buf, len, w->own) != (ssize_t)len)
				w->errors++;
			memset(buf, 0, len);
			if (pread(w->fd, buf, len, w->own) != (ssize_t)len ||
			    !mmd_pattern_ok(buf, len, seed))
				w->errors++;
			break;
		case 3:	/* kernel fills, a mapping sees */
			if (ioctl(w->fd, MMAPDEMO_IOC_FILL, &f)) {
				w->errors++;
				break;
			}
			p = mmap(NULL, len, PROT_READ, MAP_SHARED, w->fd,
				 base + w->own);
			if (p == MAP_FAILED || !mmd_pattern_ok(p, len, seed))
				w->errors++;
			if (p != MAP_FAILED)
				munmap(p, len);
			break;
		case 4:	/* split a VMA, use both ends, unmap piecewise */
			p = mmap(NULL, 4 * w->page, PROT_READ | PROT_WRITE,
				 MAP_SHARED, w->fd, base + w->own);
			if (p == MAP_FAILED) {
				w->errors++;
				break;
			}
			munmap(p + w->page, 2 * w->page);
			p[0] = seed;
			q = p + 3 * w->page;
			q[0] = seed + 1;
			if (pread(w->fd, buf, 1, w->own) != 1 || buf[0] != seed)
				w->errors++;
			munmap(p, w->page);
			munmap(q, w->page);
			break;
		}
	}
	free(buf);
	return NULL;
}

static int run_process(int proc, size_t size, long page, double deadline,
		       unsigned int nstrategies)
{
	struct worker w[THREADS];
	pthread_t th[THREADS];
	long errors = 0, iters = 0;
	int fd = open(MMD_DEV, O_RDWR);
	int t;

	if (fd < 0)
		return 2;
	for (t = 0; t < THREADS; t++) {
		w[t] = (struct worker){
			.fd = fd, .page = page, .size = size,
			.own = (off_t)(proc * THREADS + t) * PAGES_PER * page,
			.deadline = deadline, .seed = proc * 100 + t,
			.nstrategies = nstrategies,
		};
		if (pthread_create(&th[t], NULL, worker_main, &w[t]))
			return 2;
	}
	for (t = 0; t < THREADS; t++) {
		pthread_join(th[t], NULL);
		errors += w[t].errors;
		iters += w[t].iterations;
	}
	fprintf(stderr, "# process %d: %ld iterations, %ld errors\n",
		proc, iters, errors);
	close(fd);
	return errors ? 1 : 0;
}

/* Sample the statistics until the deadline; they must stay coherent. */
static int run_reader(int fd, double deadline)
{
	struct mmapdemo_stats st;
	long samples = 0;
	int s;

	while (now() < deadline) {
		uint64_t sum = 0;

		if (ioctl(fd, MMAPDEMO_IOC_STATS, &st))
			return 2;
		for (s = 0; s < MMAPDEMO_STRATEGY_SLOTS; s++)
			sum += st.strategy[s].live_maps;
		/* a counter gone below zero would show as a huge u64 */
		if (st.live_maps > 1000 || sum > 2000)
			return 1;
		samples++;
	}
	fprintf(stderr, "# stats reader: %ld samples\n", samples);
	return 0;
}

TEST_F_TIMEOUT(stress, churn, 120)
{
	const char *env = getenv("MMAPDEMO_STRESS_SECS");
	double secs = env ? atof(env) : 4;
	double deadline = now() + secs;
	struct mmapdemo_stats before, after;
	pid_t pids[PROCS + 1];
	int i, st;

	mmd_stats(self->fd, &before);
	for (i = 0; i <= PROCS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0)
			_exit(i < PROCS ?
			      run_process(i, self->size, self->page, deadline,
					  self->nstrategies) :
			      run_reader(self->fd, deadline));
	}
	for (i = 0; i <= PROCS; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &st, 0));
		ASSERT_TRUE(WIFEXITED(st)) TH_LOG("child %d died", i);
		EXPECT_EQ(0, WEXITSTATUS(st)) TH_LOG("child %d", i);
	}
	mmd_stats(self->fd, &after);
	EXPECT_EQ(before.live_maps, after.live_maps);
	EXPECT_LT(before.faults, after.faults);
	EXPECT_LT(before.strategy[MMAPDEMO_STRATEGY_REMAP].mmaps,
		  after.strategy[MMAPDEMO_STRATEGY_REMAP].mmaps);
}

TEST_F_TIMEOUT(stress, producer_consumer, 120)
{
	size_t len = 16 * self->page;
	off_t off = self->size - len;
	struct mmapdemo_fill zero = { .offset = off, .length = len };
	unsigned long long count = 50000;
	pid_t prod, cons;
	int st;

	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_FILL, &zero));
	cons = mmd_spawn_peer(MMAPDEMO_OFFSET(MMAPDEMO_STRATEGY_FAULT) + off, len,
			  "consume", count);
	ASSERT_LT(0, cons);
	prod = mmd_spawn_peer(MMAPDEMO_OFFSET(MMAPDEMO_STRATEGY_REMAP) + off, len,
			  "produce", count);
	ASSERT_LT(0, prod);
	ASSERT_EQ(prod, waitpid(prod, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ASSERT_EQ(cons, waitpid(cons, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
		TH_LOG("consumer saw a torn, stale or lost record");
}

TEST_HARNESS_MAIN
