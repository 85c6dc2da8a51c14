// SPDX-License-Identifier: GPL-2.0
/*
 * How QEMU's icount counts a rep-prefixed string instruction: one
 * instruction per iteration.  docs/benchmarks.md runs it:
 *   gcc -O2 -static docs/bench/icount-rep.c -o build/icount-rep
 *   scripts/vm-run -k 6.12 --icount -n -- build/icount-rep
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
static char buf[1 << 20];
static long ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

int main(void)
{
	long t0, t1, t2, t3, best_b = 1L << 60, best_q = 1L << 60, best_e = 1L << 60;
	memset(buf, 1, sizeof(buf));
	for (int r = 0; r < 5; r++) {
		void *d = buf; long c = sizeof(buf);
		t0 = ns();
		asm volatile("rep stosb" : "+D"(d), "+c"(c) : "a"(0) : "memory");
		t1 = ns();
		d = buf; c = sizeof(buf) / 8;
		asm volatile("rep stosq" : "+D"(d), "+c"(c) : "a"(0) : "memory");
		t2 = ns();
		t3 = ns();
		if (t1 - t0 < best_b) best_b = t1 - t0;
		if (t2 - t1 < best_q) best_q = t2 - t1;
		if (t3 - t2 < best_e) best_e = t3 - t2;
	}
	printf("rep stosb 1 MiB: %ld ns; rep stosq 1 MiB: %ld ns; empty: %ld ns\n", best_b, best_q, best_e);
	return 0;
}
