// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo bench: what each way of exposing kernel pages costs, measured
 * side by side in one run: the device's strategies against the floor (a
 * mapping with nothing left to fault) and against what a user would pick
 * instead of a driver (bench_kinds.c).
 *
 * Method.  Absolute times under software emulation mean little; ratios
 * measured in the same run and fault counts are the result.  The host's
 * other load shows as dips of 10-40% that hit every kind alike for a while
 * (on a loaded host, whole phases at ~60%).  So in the tables that compare
 * kinds (first touch, streaming, read-modify-write) each kind gets one
 * untimed pass, then 2 * --reps + 1 repetitions interleaved across kinds
 * in a rotating order; the estimate is the best repetition and a ratio is
 * the ratio of the bests, with the spread of the per-repetition ratios.
 * The other tables give the median of --reps with min and max.
 * The process is pinned to one CPU except in the thread-scaling table.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "mmapdemo.h"

#define MAX_REPS	15
#define STREAM_REPS	(2 * MAX_REPS + 1)

static int dev_fd, reps = 5;
static size_t page;
static FILE *json;

struct stat3 {
	double med, min, max;
};

/* Kinds in the order the tables list them. */
static const int map_kinds[] = {
	BK_REMAP, BK_FAULT, BK_BATCHED, BK_HUGE,
	BK_MEMFD, BK_UDMABUF, BK_HUGETLB, BK_SHMEM_THP, BK_ANON_THP,
};

static const int touch_kinds[] = {
	BK_FLOOR, BK_REMAP, BK_FAULT, BK_BATCHED, BK_BATCHED_SEQ, BK_HUGE,
	BK_MEMFD, BK_UDMABUF, BK_HUGETLB, BK_SHMEM_THP, BK_ANON_THP,
};

static const int rmw_kinds[] = {
	BK_RW, BK_REMAP, BK_FAULT, BK_BATCHED, BK_HUGE,
	BK_MEMFD, BK_UDMABUF, BK_HUGETLB, BK_SHMEM_THP,
};

#define N(a)	(sizeof(a) / sizeof((a)[0]))

/* What the goals section reads back. */
static double touch_ms[BK_NR], touch_flt[BK_NR];
static double stream_rd[BK_NR], stream_wr[BK_NR];
static double remap_mmap_256;
static int stream_base = -1;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median, min and max of v[n] (n <= STREAM_REPS); v is left as it was. */
static struct stat3 summarize(const double *in, int n)
{
	double v[STREAM_REPS];
	struct stat3 s;

	memcpy(v, in, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_double);
	s.min = v[0];
	s.max = v[n - 1];
	s.med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return s;
}

/* The p-quantile of sorted v[n], nearest rank. */
static double quantile(const double *v, size_t n, double p)
{
	size_t i = (size_t)ceil(p * n);

	return v[i ? i - 1 : 0];
}

static bool avail(int k, size_t len)
{
	return bench_kinds[k].max >= len;
}

/* The kinds of list[n] that can map len bytes, into ks; how many. */
static int kinds_at(const int *list, size_t n, size_t len, int *ks)
{
	int nk = 0;
	size_t j;

	for (j = 0; j < n; j++)
		if (avail(list[j], len))
			ks[nk++] = list[j];
	return nk;
}

/* Median, min and max of the per-repetition ratios a[r] / b[r]. */
static struct stat3 ratios(const double *a, const double *b, int n)
{
	double q[STREAM_REPS];
	int r;

	for (r = 0; r < n; r++)
		q[r] = a[r] / b[r];
	return summarize(q, n);
}

static void json_stat(const char *key, struct stat3 s)
{
	fprintf(json, "\"%s\": {\"median\": %.6g, \"min\": %.6g, \"max\": %.6g}",
		key, s.med, s.min, s.max);
}

static void pin(bool one)
{
	cpu_set_t set;
	long i, n = sysconf(_SC_NPROCESSORS_ONLN);

	CPU_ZERO(&set);
	for (i = 0; i < (one ? 1 : n); i++)
		CPU_SET(i, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* 1. mmap() + munmap() of an untouched mapping, against its size. */
static void bench_mmap_cost(size_t max)
{
	static const size_t sizes[] = { 1, 4, 16, 64, 256 };
	double t[MAX_REPS];
	unsigned int i, j;
	int r, first = 1;

	printf("\n1. mmap() + munmap() of an untouched mapping, microseconds (median [min-max])\n");
	printf("%-11s", "");
	for (i = 0; i < N(sizes) && sizes[i] * MIB <= max; i++)
		printf(" %19zu MiB", sizes[i]);
	printf("\n");
	fprintf(json, "\"mmap_cost\": [");
	for (j = 0; j < N(map_kinds); j++) {
		int k = map_kinds[j];

		printf("%-11s", bench_kinds[k].name);
		for (i = 0; i < N(sizes) && sizes[i] * MIB <= max; i++) {
			size_t len = sizes[i] * MIB;
			struct stat3 s;

			if (!avail(k, len)) {
				printf(" %23s", "-");
				continue;
			}
			for (r = 0; r < reps; r++) {
				double t0;
				void *p;

				bench_prepare(k, len);
				t0 = now();
				p = bench_map(k, len);
				bench_unmap(k, p, len);
				t[r] = (now() - t0) * 1e6;
			}
			s = summarize(t, reps);
			printf(" %8.1f [%5.0f-%6.0f]", s.med, s.min, s.max);
			if (k == BK_REMAP && sizes[i] == 256)
				remap_mmap_256 = s.med;
			fprintf(json, "%s{\"kind\": \"%s\", \"size_mib\": %zu, ",
				first ? "" : ", ", bench_kinds[k].name, sizes[i]);
			json_stat("us", s);
			fprintf(json, "}");
			first = 0;
		}
		printf("\n");
	}
	fprintf(json, "], ");
}

/* One first touch of a fresh mapping of kind k: ms, minor and device faults per MiB. */
static void touch_once(int k, size_t mib, double *ms, double *flt, double *dflt)
{
	size_t len = mib * MIB, o;
	struct mmapdemo_stats a, b;
	volatile char *p = bench_map(k, len);
	long fa;
	double t0;

	mmd_stats(dev_fd, &a);
	fa = minflt();
	t0 = now();
	for (o = 0; o < len; o += page)
		p[o] = 1;
	*ms = (now() - t0) * 1e3 / mib;
	*flt = (double)(minflt() - fa) / mib;
	mmd_stats(dev_fd, &b);
	*dflt = (double)(b.faults - a.faults) / mib;
	bench_unmap(k, (void *)p, len);
}

/*
 * 2. First touch of every page: time and faults per MiB, against size, as
 * a multiple of the floor (the same loop over pages already mapped).  The
 * method of the header: one untimed pass of every kind, the repetitions
 * interleaved across kinds, the best repetition, ratios of the bests.
 */
static void bench_first_touch(size_t max)
{
	static const size_t sizes[] = { 1, 4, 16, 64 };
	static double t[BK_NR][STREAM_REPS], f[BK_NR][STREAM_REPS];
	static double d[BK_NR][STREAM_REPS];
	struct stat3 st[BK_NR][N(sizes)], sf[BK_NR][N(sizes)];
	struct stat3 sd[BK_NR][N(sizes)], sx[BK_NR][N(sizes)];
	int ks[N(touch_kinds)], nr = 2 * reps + 1, n, r, x;
	unsigned int i, j, nsz = 0;
	bool first = true;
	double junk;

	while (nsz < N(sizes) && sizes[nsz] * MIB <= max)
		nsz++;
	for (i = 0; i < nsz; i++) {
		n = kinds_at(touch_kinds, N(touch_kinds), sizes[i] * MIB, ks);
		for (r = -1; r < nr; r++) {
			for (x = 0; x < n; x++) {
				int k = ks[(x + r + 1) % n];

				if (r < 0)
					touch_once(k, sizes[i], &junk, &junk, &junk);
				else
					touch_once(k, sizes[i], &t[k][r], &f[k][r],
						   &d[k][r]);
			}
		}
		for (x = 0; x < n; x++) {
			int k = ks[x];

			st[k][i] = summarize(t[k], nr);
			sf[k][i] = summarize(f[k], nr);
			sd[k][i] = summarize(d[k], nr);
			sx[k][i] = ratios(t[k], t[BK_FLOOR], nr);
		}
	}

	printf("\n2. first touch of every page (one write per page), ms per MiB: best of %d interleaved repetitions,\n"
	       "   x = vs floor (ratio of the bests [range of the per-repetition ratios])\n", nr);
	printf("%-11s", "");
	for (i = 0; i < nsz; i++)
		printf(" %24zu MiB", sizes[i]);
	printf(" %10s %10s\n", "minflt/MiB", "devflt/MiB");
	fprintf(json, "\"first_touch_repetitions\": %d, \"first_touch\": [", nr);
	for (j = 0; j < N(touch_kinds); j++) {
		int k = touch_kinds[j], last = -1;

		printf("%-11s", bench_kinds[k].name);
		for (i = 0; i < nsz; i++) {
			double fl = st[BK_FLOOR][i].min;

			if (!avail(k, sizes[i] * MIB)) {
				printf(" %28s", "-");
				continue;
			}
			/* the largest size wins */
			last = i;
			touch_ms[k] = st[k][i].min;
			touch_flt[k] = sf[k][i].med;
			printf(" %6.3f %6.1fx [%5.1f-%5.1f]", st[k][i].min,
			       st[k][i].min / fl, sx[k][i].min, sx[k][i].max);
			fprintf(json, "%s{\"kind\": \"%s\", \"size_mib\": %zu, ",
				first ? "" : ", ", bench_kinds[k].name, sizes[i]);
			json_stat("ms_per_mib", st[k][i]);
			fprintf(json, ", \"x_floor\": %.4g, ", st[k][i].min / fl);
			json_stat("x_floor_repetitions", sx[k][i]);
			fprintf(json, ", ");
			json_stat("minor_faults_per_mib", sf[k][i]);
			fprintf(json, ", ");
			json_stat("device_faults_per_mib", sd[k][i]);
			fprintf(json, "}");
			first = false;
		}
		if (last >= 0)
			printf(" %10.1f %10.1f\n", sf[k][last].med,
			       sd[k][last].med);
		else
			printf(" %10s %10s\n", "-", "-");
	}
	fprintf(json, "], ");
	/*
	 * Every x above divides by the floor, so the floor's own cost is what
	 * turns them back into times, and what tells one host from another.
	 * Significant digits, not the table's three decimals: without
	 * emulation the floor is near 0.001 ms/MiB.
	 */
	printf("   floor:");
	fprintf(json, "\"floor_ms_per_mib\": {");
	for (i = 0; i < nsz; i++) {
		printf("%s %#.3g ms/MiB at %zu MiB", i ? "," : "",
		       st[BK_FLOOR][i].min, sizes[i]);
		fprintf(json, "%s\"%zu\": %.6g", i ? ", " : "", sizes[i],
			st[BK_FLOOR][i].min);
	}
	printf(" (absolute, best of %d)\n", nr);
	fprintf(json, "}, ");
}

/* 3. Streaming bandwidth once every page is mapped: see the method above. */
static void bench_stream(size_t len)
{
	static double rd[BK_NR][STREAM_REPS], wr[BK_NR][STREAM_REPS];
	int ks[N(map_kinds)], nr = 2 * reps + 1, base, r, i;
	int n = kinds_at(map_kinds, N(map_kinds), len, ks);
	size_t o, words = len / sizeof(uint64_t);
	uint64_t *map[BK_NR], sum = 0;
	bool first = true;

	base = avail(BK_HUGETLB, len) ? BK_HUGETLB : BK_MEMFD;
	stream_base = base;
	printf("\n3. steady state: streaming over %zu MiB already mapped, MiB/s: best of %d interleaved repetitions,\n"
	       "   x = vs %s (ratio of the bests [range of the per-repetition ratios])\n",
	       len / MIB, nr, bench_kinds[base].name);
	printf("%-11s %7s %7s %21s   %7s %7s %21s\n", "", "read", "median",
	       "x", "write", "median", "x");
	/*
	 * Fault everything in, then one untimed read pass: the first pass of
	 * the loop under emulation also pays for translating its code (in
	 * a quiet guest, 1.4-3 GB/s against 4.3 for every later pass).
	 */
	for (i = 0; i < n; i++) {
		volatile uint64_t *p;

		map[ks[i]] = bench_map(ks[i], len);
		memset(map[ks[i]], 1, len);
		for (p = map[ks[i]], o = 0; o < words; o++)
			sum += p[o];
	}
	for (r = 0; r < nr; r++) {
		for (i = 0; i < n; i++) {
			int k = ks[(i + r) % n];
			volatile uint64_t *p = map[k];
			double t0 = now();

			for (o = 0; o < words; o++)
				sum += p[o];
			rd[k][r] = len / MIB / (now() - t0);
			t0 = now();
			memset(map[k], r, len);
			wr[k][r] = len / MIB / (now() - t0);
		}
	}
	if (sum == 42)
		printf(" ");	/* keep the reads */
	/* the baseline's bests first: every ratio divides by them */
	stream_rd[base] = summarize(rd[base], nr).max;
	stream_wr[base] = summarize(wr[base], nr).max;
	fprintf(json, "\"stream\": {\"size_mib\": %zu, \"repetitions\": %d, \"baseline\": \"%s\", \"results\": [",
		len / MIB, nr, bench_kinds[base].name);
	for (i = 0; i < n; i++) {
		int k = ks[i];
		struct stat3 sr, sw;
		struct stat3 pr = ratios(rd[k], rd[base], nr);
		struct stat3 pw = ratios(wr[k], wr[base], nr);

		sr = summarize(rd[k], nr);
		sw = summarize(wr[k], nr);
		stream_rd[k] = sr.max;
		stream_wr[k] = sw.max;
		bench_unmap(k, map[k], len);
		printf("%-11s %7.0f %7.0f %5.2fx [%5.2f-%5.2f]   %7.0f %7.0f %5.2fx [%5.2f-%5.2f]\n",
		       bench_kinds[k].name, sr.max, sr.med,
		       sr.max / stream_rd[base], pr.min, pr.max, sw.max, sw.med,
		       sw.max / stream_wr[base], pw.min, pw.max);
		fprintf(json, "%s{\"kind\": \"%s\", ", first ? "" : ", ",
			bench_kinds[k].name);
		json_stat("read_mib_s", sr);
		fprintf(json, ", ");
		json_stat("write_mib_s", sw);
		fprintf(json, ", \"read_x\": %.4g, \"write_x\": %.4g, ",
			sr.max / stream_rd[base], sw.max / stream_wr[base]);
		json_stat("read_ratio", pr);
		fprintf(json, ", ");
		json_stat("write_ratio", pw);
		fprintf(json, "}");
		first = false;
	}
	fprintf(json, "]}, ");
}

/*
 * 4. The articles' experiment: add 1 to each of N ints kept in kernel
 * memory, through a fresh mapping (mmap, loop, munmap) or through
 * pread()/pwrite() of a private copy.  The peers' files persist too.
 */
static double rmw_once(int k, size_t n)
{
	size_t len = n * sizeof(int), i;
	double t0 = now();

	if (k == BK_RW) {
		int *buf = malloc(len);

		if (!buf || pread(dev_fd, buf, len, 0) != (ssize_t)len)
			exit(1);
		for (i = 0; i < n; i++)
			buf[i]++;
		if (pwrite(dev_fd, buf, len, 0) != (ssize_t)len)
			exit(1);
		free(buf);
	} else {
		int *p = bench_map_persistent(k, len);

		for (i = 0; i < n; i++)
			p[i]++;
		bench_unmap(k, p, len);
	}
	return (now() - t0) * 1e6;
}

static void bench_rmw(size_t max)
{
	static const size_t counts[] = { 1000, 10000, 262144, 4194304 };
	static double t[BK_NR][STREAM_REPS];
	int ks[N(rmw_kinds)], nr = 2 * reps + 1, n, r, x;
	unsigned int i, j;
	bool first = true;

	printf("\n4. read-modify-write of N ints: fresh mapping vs pread()+pwrite() on the device\n");
	printf("%-9s", "N");
	for (j = 0; j < N(rmw_kinds); j++)
		printf(" %17s", bench_kinds[rmw_kinds[j]].name);
	printf("\n(microseconds, best of %d interleaved repetitions; x = read/write time / this time)\n",
	       nr);
	fprintf(json, "\"rmw_repetitions\": %d, \"rmw\": [", nr);
	for (i = 0; i < N(counts); i++) {
		size_t len = counts[i] * sizeof(int);
		double base;

		if (len > max)
			break;
		n = kinds_at(rmw_kinds, N(rmw_kinds), len, ks);
		/* one untimed pass: the peers' pages exist from here on */
		for (x = 0; x < n; x++)
			rmw_once(ks[x], counts[i]);
		for (r = 0; r < nr; r++) {
			for (x = 0; x < n; x++) {
				int k = ks[(x + r) % n];

				t[k][r] = rmw_once(k, counts[i]);
			}
		}
		base = summarize(t[BK_RW], nr).min;
		printf("%-9zu", counts[i]);
		for (j = 0; j < N(rmw_kinds); j++) {
			int k = rmw_kinds[j];
			struct stat3 s, sq;

			if (!avail(k, len)) {
				printf(" %17s", "-");
				continue;
			}
			s = summarize(t[k], nr);
			sq = ratios(t[BK_RW], t[k], nr);
			printf(" %8.0f (%5.2fx)", s.min, base / s.min);
			fprintf(json, "%s{\"kind\": \"%s\", \"n\": %zu, ",
				first ? "" : ", ", bench_kinds[k].name, counts[i]);
			json_stat("us", s);
			fprintf(json, ", \"speedup_vs_rw\": %.4g, ", base / s.min);
			json_stat("speedup_repetitions", sq);
			fprintf(json, "}");
			first = false;
		}
		printf("\n");
	}
	fprintf(json, "], ");
}

/* 5. First touch by 1, 2, 4 threads over disjoint parts of one mapping. */
struct toucher {
	volatile char *p;
	size_t len;
};

static void *touch_range(void *arg)
{
	struct toucher *t = arg;
	size_t i;

	for (i = 0; i < t->len; i += page)
		t->p[i] = 1;
	return NULL;
}

static void bench_scaling(size_t len)
{
	static const int threads[] = { 1, 2, 4 };
	double t[MAX_REPS];
	unsigned int ti, j;
	int r, first = 1;

	pin(false);
	printf("\n5. first touch of %zu MiB split over 1, 2, 4 threads, ms (speedup vs 1 thread); %ld CPUs\n",
	       len / MIB, sysconf(_SC_NPROCESSORS_ONLN));
	fprintf(json, "\"scaling\": [");
	for (j = 0; j < N(map_kinds); j++) {
		int k = map_kinds[j];
		double one = 0;

		if (!avail(k, len))
			continue;
		printf("%-11s", bench_kinds[k].name);
		for (ti = 0; ti < N(threads); ti++) {
			int n = threads[ti], i;
			struct stat3 s;

			for (r = 0; r < reps; r++) {
				pthread_t th[4];
				struct toucher a[4];
				volatile char *p;
				double t0;

				bench_prepare(k, len);
				p = bench_map(k, len);
				t0 = now();
				for (i = 0; i < n; i++) {
					a[i].p = p + i * (len / n);
					a[i].len = len / n;
					pthread_create(&th[i], NULL, touch_range, &a[i]);
				}
				for (i = 0; i < n; i++)
					pthread_join(th[i], NULL);
				t[r] = (now() - t0) * 1e3;
				bench_unmap(k, (void *)p, len);
			}
			s = summarize(t, reps);
			if (n == 1)
				one = s.med;
			printf("  %d: %8.1f (%4.2fx)", n, s.med, one / s.med);
			fprintf(json, "%s{\"kind\": \"%s\", \"threads\": %d, ",
				first ? "" : ", ", bench_kinds[k].name, n);
			json_stat("ms", s);
			fprintf(json, "}");
			first = 0;
		}
		printf("\n");
	}
	fprintf(json, "], ");
	pin(true);
}

/* p50, p90, p99 and max of the sorted samples v[0..n): table columns */
static void print_quantiles(const double *v, size_t n)
{
	if (n)
		printf(" %9.2f %9.2f %9.2f %9.1f", quantile(v, n, 0.5),
		       quantile(v, n, 0.9), quantile(v, n, 0.99), v[n - 1]);
	else
		printf(" %9s %9s %9s %9s", "-", "-", "-", "-");
}

/* ... and as JSON fields (none without samples) */
static void json_quantiles(const double *v, size_t n)
{
	if (n)
		fprintf(json, ", \"p50_us\": %.4g, \"p90_us\": %.4g, \"p99_us\": %.4g, \"max_us\": %.4g",
			quantile(v, n, 0.5), quantile(v, n, 0.9),
			quantile(v, n, 0.99), v[n - 1]);
}

/*
 * 6. Fault latency: every page of a fresh mapping is touched on its own,
 * timed, and the touches that took a minor fault (getrusage, read after
 * the clock) are the samples.  Touches that did not fault give the cost
 * of the timing itself plus a mapped access: the "no fault" column.
 */
static void bench_latency(size_t len)
{
	static const int lat_kinds[] = {
		BK_FLOOR, BK_FAULT, BK_BATCHED, BK_BATCHED_SEQ, BK_HUGE, BK_MEMFD,
		BK_UDMABUF, BK_HUGETLB, BK_SHMEM_THP, BK_ANON_THP,
	};
	size_t pages = len / page, cap = pages * reps;
	double *flt = malloc(cap * sizeof(double));
	double *quiet = malloc(cap * sizeof(double));
	unsigned int j;
	int first = 1;

	if (!flt || !quiet)
		exit(1);
	printf("\n6. fault latency: single-page first touches of %zu MiB that took a fault, microseconds\n",
	       len / MIB);
	printf("%-11s %8s %9s %9s %9s %9s %9s  %s\n", "", "faults", "p50",
	       "p90", "p99", "max", "pages/flt", "no fault p50");
	fprintf(json, "\"latency\": [");
	for (j = 0; j < N(lat_kinds); j++) {
		int k = lat_kinds[j], r;
		size_t nf = 0, nq = 0, i;

		if (!avail(k, len))
			continue;
		for (r = 0; r < reps; r++) {
			volatile char *p = bench_map(k, len);

			for (i = 0; i < pages; i++) {
				long f0 = minflt();
				double t0 = now(), t1;

				p[i * page] = 1;
				t1 = now();
				if (minflt() != f0)
					flt[nf++] = (t1 - t0) * 1e6;
				else
					quiet[nq++] = (t1 - t0) * 1e6;
			}
			bench_unmap(k, (void *)p, len);
		}
		qsort(flt, nf, sizeof(double), cmp_double);
		qsort(quiet, nq, sizeof(double), cmp_double);
		printf("%-11s %8zu", bench_kinds[k].name, nf);
		print_quantiles(flt, nf);
		if (nf)
			printf(" %9.1f", (double)pages * reps / nf);
		else
			printf(" %9s", "-");
		if (nq)
			printf("  %.2f\n", quantile(quiet, nq, 0.5));
		else
			printf("  -\n");
		fprintf(json, "%s{\"kind\": \"%s\", \"size_mib\": %zu, \"faults\": %zu",
			first ? "" : ", ", bench_kinds[k].name, len / MIB, nf);
		json_quantiles(flt, nf);
		fprintf(json, ", \"no_fault_p50_us\": %.4g}",
			nq ? quantile(quiet, nq, 0.5) : 0);
		first = 0;
	}
	fprintf(json, "], ");
	free(flt);
	free(quiet);
}

/*
 * 6b. The same faults timed inside the kernel, from the tracepoints: a
 * hist-trigger synthetic event takes, for each fault of this process, the
 * time from the x86 page-fault tracepoint (exceptions:page_fault_user, as
 * exc_page_fault() starts) to the driver's mmapdemo_fault (its handler
 * done, module/vma.c).  That is entry, mmap_lock or VMA lock, the core's
 * walk and the handler; not the return to userspace, and for "fault" not
 * the core's PTE install after the handler returns the page.
 */
#define TFS		MMD_TRACEFS
#define LAT_EVENT	"mmapdemo_fault_lat"

static int tfs_append(const char *file, const char *val)
{
	return mmd_tracefs_write(file, val, O_APPEND);
}

/*
 * The two triggers: the first keeps each fault's start time per pid, the
 * second turns its match into an LAT_EVENT.  The second refers to the
 * first's $ts0: added after it, removed ("!") before it.
 */
static void lat_triggers(bool on, pid_t pid)
{
	const char *pfu = "events/exceptions/page_fault_user/trigger";
	const char *mdf = "events/mmapdemo/mmapdemo_fault/trigger";
	char start[160], done[320];

	snprintf(start, sizeof(start),
		 "%shist:keys=common_pid:ts0=common_timestamp if common_pid == %d",
		 on ? "" : "!", pid);
	snprintf(done, sizeof(done),
		 "%shist:keys=common_pid:lat=common_timestamp-$ts0:onmatch(exceptions.page_fault_user).trace(" LAT_EVENT ",$lat) if common_pid == %d",
		 on ? "" : "!", pid);
	tfs_append(on ? pfu : mdf, on ? start : done);
	tfs_append(on ? mdf : pfu, on ? done : start);
}

/* buffer_size_kb as it was before lat_setup(), for lat_teardown() */
static char lat_buffer_kb[32];

/* Why there is no in-kernel column here, or NULL when there can be one. */
static const char *lat_setup(pid_t pid)
{
	FILE *f;

	if (access(TFS "/trace", F_OK) &&
	    mount("tracefs", TFS, "tracefs", 0, NULL))
		return "tracefs cannot be mounted";
	if (access(TFS "/events/mmapdemo/mmapdemo_fault", F_OK))
		return "no mmapdemo_fault tracepoint";
	if (access(TFS "/events/exceptions/page_fault_user", F_OK))
		return "no exceptions:page_fault_user tracepoint";
	if (tfs_append("synthetic_events", LAT_EVENT " u64 lat_ns"))
		return "no synthetic events (CONFIG_SYNTH_EVENTS, CONFIG_HIST_TRIGGERS)";
	lat_triggers(true, pid);
	if (tfs_append("events/synthetic/" LAT_EVENT "/enable", "1")) {
		lat_triggers(false, pid);
		tfs_append("synthetic_events", "!" LAT_EVENT);
		return "the hist triggers were refused";
	}
	f = fopen(TFS "/buffer_size_kb", "r");
	if (f) {
		if (!fgets(lat_buffer_kb, sizeof(lat_buffer_kb), f))
			lat_buffer_kb[0] = 0;
		fclose(f);
	}
	tfs_append("buffer_size_kb", "16384");
	return NULL;
}

static void lat_teardown(pid_t pid)
{
	/* before first use the file reads "7 (expanded: 1408)" */
	char *e = strstr(lat_buffer_kb, "expanded:");
	int kb = atoi(e ? e + 9 : lat_buffer_kb);

	tfs_append("events/synthetic/" LAT_EVENT "/enable", "0");
	lat_triggers(false, pid);
	tfs_append("synthetic_events", "!" LAT_EVENT);
	if (kb > 0) {
		snprintf(lat_buffer_kb, sizeof(lat_buffer_kb), "%d", kb);
		tfs_append("buffer_size_kb", lat_buffer_kb);
	}
}

/* Empty the ring buffer (a truncating open of "trace"). */
static void lat_clear(void)
{
	int fd = open(TFS "/trace", O_WRONLY | O_TRUNC);

	if (fd >= 0)
		close(fd);
}

/* The lat_ns values in the trace, in microseconds, into v (at most cap). */
static size_t lat_collect(double *v, size_t cap)
{
	FILE *f = fopen(TFS "/trace", "r");
	char line[512], *at;
	size_t n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f) && n < cap) {
		at = strstr(line, "lat_ns=");
		if (at)
			v[n++] = strtoull(at + 7, NULL, 10) / 1e3;
	}
	fclose(f);
	return n;
}

static void bench_latency_trace(size_t len)
{
	static const int kinds[] = {
		BK_FAULT, BK_BATCHED, BK_BATCHED_SEQ, BK_HUGE
	};
	size_t pages = len / page, cap = pages * reps;
	double *v = malloc(cap * sizeof(double));
	const char *why = lat_setup(getpid());
	unsigned int j;
	int first = 1;

	if (!v)
		exit(1);
	printf("\n6b. fault latency inside the kernel (page_fault_user to mmapdemo_fault), microseconds\n");
	fprintf(json, "\"latency_trace\": [");
	if (why) {
		printf("  none: %s\n", why);
		fprintf(json, "{\"none\": \"%s\"}], ", why);
		free(v);
		return;
	}
	printf("%-11s %8s %9s %9s %9s %9s\n", "", "faults", "p50", "p90", "p99",
	       "max");
	for (j = 0; j < N(kinds); j++) {
		int k = kinds[j], r;
		size_t n = 0, i;

		if (!avail(k, len))
			continue;
		for (r = 0; r < reps; r++) {
			volatile char *p = bench_map(k, len);

			lat_clear();
			for (i = 0; i < pages; i++)
				p[i * page] = 1;
			n += lat_collect(v + n, cap - n);
			bench_unmap(k, (void *)p, len);
		}
		qsort(v, n, sizeof(double), cmp_double);
		printf("%-11s %8zu", bench_kinds[k].name, n);
		print_quantiles(v, n);
		printf("\n");
		fprintf(json, "%s{\"kind\": \"%s\", \"faults\": %zu", first ? "" : ", ",
			bench_kinds[k].name, n);
		json_quantiles(v, n);
		fprintf(json, "}");
		first = 0;
	}
	fprintf(json, "], ");
	lat_teardown(getpid());
	free(v);
}

static void goal(const char *what, double value, const char *unit, int met)
{
	static int first = 1;

	printf("  %-58s %9.2f%-3s %s\n", what, value, unit,
	       met < 0 ? "n/a" : met ? "met" : "MISSED");
	fprintf(json, "%s{\"goal\": \"%s\", \"value\": %.4g, \"met\": %s}",
		first ? "" : ", ", what, value,
		met < 0 ? "null" : met ? "true" : "false");
	first = 0;
}

/* 7. The goals of the benchmark issue, from this run's numbers. */
static void bench_goals(void)
{
	double fl = touch_ms[BK_FLOOR];
	char what[96];
	unsigned int j;

	printf("\n7. goals (first touch at the largest size; streaming best-of ratios)\n");
	fprintf(json, "\"goals\": [");
	/* Only where the kernel maps huge with PMDs (0.5 faults per MiB). */
	goal("huge first touch / floor <= 1.5 (kernels with PFN PMDs)",
	     touch_ms[BK_HUGE] / fl, "x", touch_flt[BK_HUGE] > 1 ? -1 :
	     touch_ms[BK_HUGE] / fl <= 1.5);
	if (touch_ms[BK_HUGETLB] > 0)
		goal("hugetlb first touch / huge first touch > 1",
		     touch_ms[BK_HUGETLB] / touch_ms[BK_HUGE], "x",
		     touch_ms[BK_HUGETLB] > touch_ms[BK_HUGE]);
	/* Two run lengths: the default and the one MADV_SEQUENTIAL asks for. */
	goal("batched first touch / floor <= 4", touch_ms[BK_BATCHED] / fl, "x",
	     touch_ms[BK_BATCHED] / fl <= 4);
	goal("batched-seq first touch / floor <= 4",
	     touch_ms[BK_BATCHED_SEQ] / fl, "x",
	     touch_ms[BK_BATCHED_SEQ] / fl <= 4);
	for (j = BK_REMAP; j <= BK_HUGE && stream_base >= 0; j++) {
		double rr = stream_rd[j] / stream_rd[stream_base];
		double rw = stream_wr[j] / stream_wr[stream_base];

		if (!stream_rd[j])
			continue;
		snprintf(what, sizeof(what), "%s streaming read / %s in 0.95-1.05",
			 bench_kinds[j].name, bench_kinds[stream_base].name);
		goal(what, rr, "x", rr >= 0.95 && rr <= 1.05);
		snprintf(what, sizeof(what), "%s streaming write / %s in 0.95-1.05",
			 bench_kinds[j].name, bench_kinds[stream_base].name);
		goal(what, rw, "x", rw >= 0.95 && rw <= 1.05);
	}
	if (remap_mmap_256 > 0)
		goal("remap mmap()+munmap() of 256 MiB (compare with earlier runs)",
		     remap_mmap_256, "us", -1);
	fprintf(json, "]");
}

/* The tables, in the order they run; --only picks some by name. */
enum { T_MMAP, T_TOUCH, T_STREAM, T_RMW, T_SCALING, T_LATENCY };
static const char *const tables[] = {
	[T_MMAP] = "mmap", [T_TOUCH] = "touch", [T_STREAM] = "stream",
	[T_RMW] = "rmw", [T_SCALING] = "scaling", [T_LATENCY] = "latency",
};

#define NR_TABLES	(sizeof(tables) / sizeof(tables[0]))

static void tables_print(FILE *f)
{
	unsigned int t;

	for (t = 0; t < NR_TABLES; t++)
		fprintf(f, "%s%s", t ? ", " : "", tables[t]);
}

void bench_usage_more(FILE *f)
{
	fprintf(f, "  TABLE is one of: ");
	tables_print(f);
	fprintf(f, " (default: all, then the goals)\n"
		"  N: 1..%d (default 5); M: MiB, even, 2..1024 (default 64)\n",
		MAX_REPS);
}

/* "mmap,touch": a bit per table; 0 (said) for a name that is none. */
static unsigned int tables_parse(const char *list)
{
	unsigned int mask = 0, t;
	const char *p = list;
	size_t n;

	do {
		n = strcspn(p, ",");
		for (t = 0; t < NR_TABLES; t++)
			if (strlen(tables[t]) == n && !strncmp(tables[t], p, n))
				break;
		if (t == NR_TABLES) {
			fprintf(stderr, "mmapdemo bench: --only: unknown table '%.*s': it is one of ",
				(int)n, p);
			tables_print(stderr);
			fprintf(stderr, "\n");
			return 0;
		}
		mask |= 1U << t;
		p += n;
	} while (*p++);
	return mask;
}

int cmd_bench(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_REPS, OPT_TOUCH, OPT_ONLY };
	static const struct option lo[] = {
		{ "json", required_argument, NULL, OPT_JSON },
		{ "reps", required_argument, NULL, OPT_REPS },
		{ "touch-mib", required_argument, NULL, OPT_TOUCH },
		{ "only", required_argument, NULL, OPT_ONLY },
		{ NULL, 0, NULL, 0 }
	};
	struct mmapdemo_info info;
	const char *json_path = NULL, *only = NULL;
	unsigned int want = ~0U;
	size_t touch = 64 * MIB, max;
	struct utsname u;
	uint64_t v;
	int i, c;

	while ((c = mmd_getopt(argc, argv, "", lo)) != -1) {
		switch (c) {
		case OPT_JSON:
			json_path = optarg;
			break;
		case OPT_REPS:
			if (!mmd_parse_num("--reps", optarg, false, 1, MAX_REPS, &v))
				return 2;
			reps = v;
			break;
		case OPT_TOUCH:
			/* the largest buffer the module takes is 1 GiB */
			if (!mmd_parse_num("--touch-mib", optarg, false, 2, 1024, &v))
				return 2;
			if (v % 2)
				return mmd_usage_error("--touch-mib '%s' is odd: the touch is in 2 MiB blocks",
						       optarg);
			touch = v * MIB;
			break;
		case OPT_ONLY:
			only = optarg;
			want = tables_parse(only);
			if (!want)
				return 2;
			break;
		}
	}
	if (mmd_operands(argc, argv, 0))
		return 2;
	dev_fd = mmd_open(O_RDWR);
	if (dev_fd < 0 || mmd_info(dev_fd, &info))
		return 1;
	page = info.page_size;
	max = info.buffer_size;
	if (touch > max)
		touch = max & ~(PMD_BYTES - 1);
	json = fopen(json_path ? json_path : "/dev/null", "w");
	if (!json) {
		mmd_error(json_path, errno);
		return 1;
	}
	/* the largest mapping of a peer at one time: table 1's 256 MiB */
	bench_kinds_setup(dev_fd, max, max > touch ? max : touch);
	pin(true);
	uname(&u);
	printf("mmapdemo bench: kernel %s, %ld CPUs, device buffer %zu MiB, %d repetitions each\n",
	       u.release, sysconf(_SC_NPROCESSORS_ONLN), max / MIB, reps);
	fprintf(json, "{\"kernel\": \"%s\", \"cpus\": %ld, \"buffer_mib\": %zu, \"reps\": %d, \"kinds\": [",
		u.release, sysconf(_SC_NPROCESSORS_ONLN), max / MIB, reps);
	for (i = 0; i < BK_NR; i++) {
		struct bench_kind *k = &bench_kinds[i];

		if (k->why[0])
			printf("  %s: %s\n", k->name, k->why);
		fprintf(json, "%s{\"kind\": \"%s\", \"max_mib\": %zu, \"note\": \"%s\"}",
			i ? ", " : "", k->name, k->max / MIB, k->why);
	}
	fprintf(json, "], ");
#define WANT(t)	(want & (1U << (t)))
	if (WANT(T_MMAP))
		bench_mmap_cost(max);
	if (WANT(T_TOUCH))
		bench_first_touch(touch);
	if (WANT(T_STREAM))
		bench_stream(touch);
	if (WANT(T_RMW))
		bench_rmw(max);
	if (WANT(T_SCALING))
		bench_scaling(touch);
	if (WANT(T_LATENCY)) {
		bench_latency(touch);
		bench_latency_trace(touch);
	}
	if (!only)
		bench_goals();
	else
		fprintf(json, "\"only\": \"%s\"", only);
	fprintf(json, "}\n");
	fclose(json);
	bench_kinds_teardown();
	close(dev_fd);
	return 0;
}
