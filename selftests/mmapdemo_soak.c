// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo_soak: SOAK_CYCLES (default 1000) cycles of: load the module
 * through libkmod, map the buffer with every strategy, touch every page
 * through each mapping and check what the others see, fork a child that
 * checks and writes through the inherited mappings, unmap, close, unload.
 * What leaks once per cycle shows after a thousand: MemFree, unreclaimable
 * slab and vmalloc are compared before and after (kmemleak, run by the
 * debug lane afterwards, names the object).
 *
 * The buffer is 2 MiB, not the default 4: where the buffer is one
 * physical range (INFO_ONE_RANGE, 7.x), 4 MiB needs a free order-10 block
 * or a range alloc_contig_pages() can empty, and on the debug kernel
 * neither was left after 182 and 211 cycles (make fuzz, twice: the load
 * failed with ENOMEM).  2 MiB is one pageblock, the unit the allocator
 * keeps movable and unmovable pages apart in, and gives the huge strategy
 * a PMD to map.  Even that was gone once, at cycle 958 (buddyinfo: no
 * free order-9 block left, thousands of order-8): a cycle that cannot get
 * 2 MiB loads 256 KiB instead, and the count of such cycles is printed.
 * docs/guide.md, section 2, counts this in the price of the one-range
 * buffer.  What the soak looks for, a leak, does not depend on the size.
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#include "kselftest.h"
#include "mmapdemo_util.h"

#define PS	4096UL
#define LEN	(2UL << 20)	/* the buffer: one 2 MiB block */
#define SMALL	(256UL << 10)	/* when no 2 MiB range is left */

static int small_cycles;

static void settle(void)
{
	int fd;

	sync();
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "3", 1) != 1)
			ksft_print_msg("drop_caches: %s\n", strerror(errno));
		close(fd);
	}
	sleep(1);
}

static int cycle(int n)
{
	unsigned char *m[MMAPDEMO_STRATEGY_HUGE + 1];
	int fd, s, ret = -1, status, mapped = 0;
	size_t i, len = LEN;
	pid_t pid;

	ret = mmd_load("size=2M");
	if (ret == -ENOMEM) {
		small_cycles++;
		len = SMALL;
		ret = mmd_load("size=256K");
	}
	if (ret) {
		ksft_print_msg("cycle %d: load: %s\n", n, strerror(-ret));
		return -1;
	}
	ret = -1;
	fd = open(MMD_DEV, O_RDWR);
	if (fd < 0)
		goto out_unload;
	for (s = 0; s <= MMAPDEMO_STRATEGY_HUGE; s++) {
		m[s] = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			    MMAPDEMO_OFFSET(s));
		if (m[s] == MAP_FAILED) {
			ksft_print_msg("cycle %d: mmap strategy %d: %s\n", n, s,
				       strerror(errno));
			goto out_unmap;
		}
		mapped++;
	}
	/* Each strategy writes a quarter of the pages; all read all. */
	for (i = 0; i < len; i += PS)
		m[(i / PS) % 4][i] = (unsigned char)(n + i / PS);
	for (s = 0; s <= MMAPDEMO_STRATEGY_HUGE; s++)
		for (i = 0; i < len; i += PS)
			if (m[s][i] != (unsigned char)(n + i / PS)) {
				ksft_print_msg("cycle %d: strategy %d page %zu: %#x\n",
					       n, s, i / PS, m[s][i]);
				goto out_unmap;
			}
	pid = fork();
	if (pid == 0) {
		for (s = 0; s <= MMAPDEMO_STRATEGY_HUGE; s++)
			for (i = 0; i < len; i += 64 * PS)
				if (m[s][i] != (unsigned char)(n + i / PS))
					_exit(1);
		m[MMAPDEMO_STRATEGY_HUGE][1] = 0xc5;
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) || m[MMAPDEMO_STRATEGY_REMAP][1] != 0xc5) {
		ksft_print_msg("cycle %d: the forked child did not see or share the buffer\n", n);
		goto out_unmap;
	}
	ret = 0;
out_unmap:
	while (mapped-- > 0)
		munmap(m[mapped], len);
	close(fd);
out_unload:
	if (mmd_unload()) {
		ksft_print_msg("cycle %d: unload: %s\n", n, strerror(errno));
		ret = -1;
	}
	return ret;
}

int main(void)
{
	const char *env = getenv("SOAK_CYCLES");
	int cycles = env ? atoi(env) : 1000, i;
	long long f0, s0, v0, f1, s1, v1;
	struct timespec t0, t1;

	ksft_print_header();
	if (geteuid())
		ksft_exit_skip("needs root\n");
	ksft_set_plan(2);
	if (access(MMD_DEV, F_OK) == 0 && mmd_unload())
		ksft_exit_fail_msg("mmapdemo is loaded and busy\n");
	for (i = 0; i < 3; i++)		/* warm up slabs and caches */
		if (cycle(-1 - i))
			ksft_exit_fail_msg("warm-up cycle failed\n");
	settle();
	f0 = meminfo_kb("MemFree");
	s0 = meminfo_kb("SUnreclaim");
	v0 = meminfo_kb("VmallocUsed");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < cycles; i++)
		if (cycle(i))
			break;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ksft_test_result(i == cycles, "%d of %d cycles: load, map 4 strategies, touch, fork, unmap, unload (%ld s)\n",
			 i, cycles, (long)(t1.tv_sec - t0.tv_sec));
	if (small_cycles)
		ksft_print_msg("%d cycles found no 2 MiB range and mapped 256 KiB\n",
			       small_cycles);
	settle();
	f1 = meminfo_kb("MemFree");
	s1 = meminfo_kb("SUnreclaim");
	v1 = meminfo_kb("VmallocUsed");
	/*
	 * One leaked buffer per cycle would be 2 GiB; one leaked page array
	 * (kvcalloc, 4 KiB) 4 MB of slab; one leaked vmap area 2 GiB of
	 * vmalloc space.  The limits are far below that and far above the
	 * noise of caches refilling.
	 */
	ksft_test_result(f0 - f1 < 65536 && s1 - s0 < 1024 && v1 - v0 < 1024,
			 "after %d cycles: MemFree %+lld kB, SUnreclaim %+lld kB, VmallocUsed %+lld kB\n",
			 i, f1 - f0, s1 - s0, v1 - v0);
	if (mmd_load(NULL))
		ksft_print_msg("could not load mmapdemo again\n");
	ksft_finished();
}
