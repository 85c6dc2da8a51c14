// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo bench: what each way of exposing kernel pages costs, measured
 * side by side in one run: every device strategy against an anonymous
 * MAP_SHARED mapping, a memfd (shmem) mapping and read()/write().
 *
 * Every figure is the median of --reps repetitions, with min and max;
 * comparisons are ratios against a baseline measured in the same run.
 * Absolute times under software emulation mean little; ratios and fault
 * counts are the result.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "mmapdemo.h"

#define MIB		(1UL << 20)
#define MAX_REPS	15

/* What is mapped: a device strategy (0..SLOTS-1) or one of these. */
enum { KIND_ANON = MMAPDEMO_STRATEGY_SLOTS, KIND_MEMFD, KIND_RW };

static int dev_fd, memfd_fd, reps = 5;
static size_t page;
static unsigned int strategies;
static FILE *json;

struct stat3 {
	double med, min, max;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static struct stat3 summarize(double *v, int n)
{
	struct stat3 s;

	qsort(v, n, sizeof(*v), cmp_double);
	s.min = v[0];
	s.max = v[n - 1];
	s.med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return s;
}

static const char *kind_name(int k)
{
	switch (k) {
	case KIND_ANON:
		return "anon";
	case KIND_MEMFD:
		return "memfd";
	case KIND_RW:
		return "read/write";
	default:
		return mmd_strategies[k].name;
	}
}

static void *map_kind(int k, size_t len)
{
	void *p;

	if (k == KIND_ANON)
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	else if (k == KIND_MEMFD)
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 memfd_fd, 0);
	else
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, dev_fd,
			 MMAPDEMO_OFFSET(k));
	if (p == MAP_FAILED) {
		fprintf(stderr, "mmapdemo bench: mmap %s %zu MiB: %s\n",
			kind_name(k), len / MIB, strerror(errno));
		exit(1);
	}
	return p;
}

static int kinds[MMAPDEMO_STRATEGY_SLOTS + 2], nkinds;

static void json_stat(const char *key, struct stat3 s)
{
	fprintf(json, "\"%s\": {\"median\": %.6g, \"min\": %.6g, \"max\": %.6g}",
		key, s.med, s.min, s.max);
}

/* 1. mmap() + munmap() of an untouched mapping, against its size. */
static void bench_mmap_cost(size_t max)
{
	static const size_t sizes[] = { 1, 4, 16, 64, 256 };
	double t[MAX_REPS];
	unsigned int i;
	int k, r, first = 1;

	printf("\n1. mmap() + munmap() of an untouched mapping, microseconds (median [min-max])\n");
	printf("%-10s", "size");
	for (k = 0; k < nkinds; k++)
		printf(" %21s", kind_name(kinds[k]));
	printf("\n");
	fprintf(json, "\"mmap_cost\": [");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t len = sizes[i] * MIB;

		if (len > max)
			break;
		printf("%4zu MiB  ", sizes[i]);
		for (k = 0; k < nkinds; k++) {
			struct stat3 s;

			for (r = 0; r < reps; r++) {
				double t0 = now();
				void *p = map_kind(kinds[k], len);

				munmap(p, len);
				t[r] = (now() - t0) * 1e6;
			}
			s = summarize(t, reps);
			printf(" %8.1f [%5.0f-%5.0f]", s.med, s.min, s.max);
			fprintf(json, "%s{\"kind\": \"%s\", \"size_mib\": %zu, ",
				first ? "" : ", ", kind_name(kinds[k]), sizes[i]);
			json_stat("us", s);
			fprintf(json, "}");
			first = 0;
		}
		printf("\n");
	}
	fprintf(json, "], ");
}

/* 2. First touch of every page: time and faults per MiB, against size. */
static void bench_first_touch(size_t max)
{
	static const size_t sizes[] = { 1, 4, 16, 64 };
	double t[MAX_REPS], f[MAX_REPS], d[MAX_REPS], base[4] = { 0 };
	int k, r, first = 1;
	unsigned int i;

	printf("\n2. first touch of every page (one write per page), ms per MiB (median [min-max]), x = vs anon\n");
	printf("%-10s", "");
	for (i = 0; i < 4 && sizes[i] * MIB <= max; i++)
		printf(" %20zu MiB", sizes[i]);
	printf(" %11s %11s\n", "minflt/MiB", "devflt/MiB");
	fprintf(json, "\"first_touch\": [");
	for (k = 0; k < nkinds; k++) {
		struct stat3 st, sf = { 0 }, sd = { 0 };

		printf("%-10s", kind_name(kinds[k]));
		for (i = 0; i < 4; i++) {
			size_t len = sizes[i] * MIB;

			if (len > max)
				break;
			for (r = 0; r < reps; r++) {
				struct mmapdemo_stats a, b;
				struct rusage ra, rb;
				volatile char *p = map_kind(kinds[k], len);
				double t0;
				size_t j;

				mmd_stats(dev_fd, &a);
				getrusage(RUSAGE_SELF, &ra);
				t0 = now();
				for (j = 0; j < len; j += page)
					p[j] = 1;
				t[r] = (now() - t0) * 1e3 / sizes[i];
				getrusage(RUSAGE_SELF, &rb);
				mmd_stats(dev_fd, &b);
				f[r] = (double)(rb.ru_minflt - ra.ru_minflt) / sizes[i];
				d[r] = (double)(b.faults - a.faults) / sizes[i];
				munmap((void *)p, len);
			}
			st = summarize(t, reps);
			sf = summarize(f, reps);
			sd = summarize(d, reps);
			if (kinds[k] == KIND_ANON)
				base[i] = st.med;
			printf(" %6.3f [%5.3f-%5.3f] %5.2fx", st.med, st.min,
			       st.max, base[i] ? st.med / base[i] : 0);
			fprintf(json, "%s{\"kind\": \"%s\", \"size_mib\": %zu, ",
				first ? "" : ", ", kind_name(kinds[k]), sizes[i]);
			json_stat("ms_per_mib", st);
			fprintf(json, ", ");
			json_stat("minor_faults_per_mib", sf);
			fprintf(json, ", ");
			json_stat("device_faults_per_mib", sd);
			fprintf(json, "}");
			first = 0;
		}
		printf(" %11.1f %11.1f\n", sf.med, sd.med);
	}
	fprintf(json, "], ");
}

/*
 * 3. Streaming bandwidth once every page is mapped.  Repetitions are
 * interleaved across kinds (rep 1 of every kind, then rep 2, ...), so that
 * a drift of the machine during the run cannot favour one kind.
 */
static void bench_stream(size_t len)
{
	double rd[MMAPDEMO_STRATEGY_SLOTS + 2][MAX_REPS];
	double wr[MMAPDEMO_STRATEGY_SLOTS + 2][MAX_REPS];
	uint64_t *map[MMAPDEMO_STRATEGY_SLOTS + 2], sum = 0;
	double base_r = 0, base_w = 0;
	size_t i, n = len / sizeof(uint64_t);
	int k, r;

	printf("\n3. steady state: streaming over %zu MiB already mapped, MiB/s (repetitions interleaved)\n",
	       len / MIB);
	printf("%-10s %26s %8s %26s %8s\n", "", "read", "vs anon", "write",
	       "vs anon");
	for (k = 0; k < nkinds; k++) {
		map[k] = map_kind(kinds[k], len);
		memset(map[k], 1, len);	/* fault everything in first */
	}
	for (r = 0; r < reps; r++) {
		for (k = 0; k < nkinds; k++) {
			volatile uint64_t *p = map[k];
			double t0 = now();

			for (i = 0; i < n; i++)
				sum += p[i];
			rd[k][r] = len / MIB / (now() - t0);
			t0 = now();
			memset(map[k], r, len);
			wr[k][r] = len / MIB / (now() - t0);
		}
	}
	if (sum == 42)
		printf(" ");	/* keep the reads */
	fprintf(json, "\"stream\": {\"size_mib\": %zu, \"results\": [", len / MIB);
	for (k = 0; k < nkinds; k++) {
		struct stat3 sr = summarize(rd[k], reps);
		struct stat3 sw = summarize(wr[k], reps);

		munmap(map[k], len);
		if (kinds[k] == KIND_ANON) {
			base_r = sr.med;
			base_w = sw.med;
		}
		printf("%-10s %9.0f [%6.0f-%6.0f] %7.2fx %9.0f [%6.0f-%6.0f] %7.2fx\n",
		       kind_name(kinds[k]), sr.med, sr.min, sr.max,
		       base_r ? sr.med / base_r : 0, sw.med, sw.min, sw.max,
		       base_w ? sw.med / base_w : 0);
		fprintf(json, "%s{\"kind\": \"%s\", ", k ? ", " : "",
			kind_name(kinds[k]));
		json_stat("read_mib_s", sr);
		fprintf(json, ", ");
		json_stat("write_mib_s", sw);
		fprintf(json, "}");
	}
	fprintf(json, "]}, ");
}

/*
 * 4. The articles' experiment: add 1 to each of N ints stored in the
 * device, through a fresh mapping (mmap, loop, munmap) or through
 * pread()/pwrite() of a private copy.
 */
static double rmw_once(int k, size_t n)
{
	size_t len = n * sizeof(int), i;
	double t0 = now();

	if (k == KIND_RW) {
		int *buf = malloc(len);

		if (pread(dev_fd, buf, len, 0) != (ssize_t)len)
			exit(1);
		for (i = 0; i < n; i++)
			buf[i]++;
		if (pwrite(dev_fd, buf, len, 0) != (ssize_t)len)
			exit(1);
		free(buf);
	} else {
		int *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			      dev_fd, MMAPDEMO_OFFSET(k));

		if (p == MAP_FAILED)
			exit(1);
		for (i = 0; i < n; i++)
			p[i]++;
		munmap(p, len);
	}
	return (now() - t0) * 1e6;
}

static void bench_rmw(size_t max)
{
	static const size_t counts[] = { 1000, 10000, 262144, 4194304 };
	double t[MAX_REPS];
	unsigned int i;
	int k, r, first = 1;

	printf("\n4. read-modify-write of N ints in the device: fresh mapping vs pread()+pwrite()\n");
	printf("%-9s %9s", "N", "bytes");
	for (k = 0; k < nkinds; k++)
		if (kinds[k] < KIND_ANON || kinds[k] == KIND_RW)
			printf(" %24s", kind_name(kinds[k]));
	printf("\n(microseconds; x = read/write time / this time)\n");
	fprintf(json, "\"rmw\": [");
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		double base;
		struct stat3 s;

		if (counts[i] * sizeof(int) > max)
			break;
		base = 0;
		printf("%-9zu %9zu", counts[i], counts[i] * sizeof(int));
		for (k = 0; k < nkinds; k++) {
			if (kinds[k] >= KIND_ANON && kinds[k] != KIND_RW)
				continue;
			for (r = 0; r < reps; r++)
				t[r] = rmw_once(kinds[k], counts[i]);
			s = summarize(t, reps);
			if (!base)
				base = s.med;	/* read/write comes first */
			printf(" %12.0f (%6.2fx)    ", s.med, base / s.med);
			fprintf(json, "%s{\"kind\": \"%s\", \"n\": %zu, ",
				first ? "" : ", ", kind_name(kinds[k]), counts[i]);
			json_stat("us", s);
			fprintf(json, ", \"speedup_vs_rw\": %.4g}", base / s.med);
			first = 0;
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
	int k, r, first = 1;
	unsigned int ti;

	printf("\n5. first touch of %zu MiB split over 1, 2, 4 threads, ms (speedup vs 1 thread); %ld CPUs\n",
	       len / MIB, sysconf(_SC_NPROCESSORS_ONLN));
	fprintf(json, "\"scaling\": [");
	for (k = 0; k < nkinds; k++) {
		double one = 0;

		if (kinds[k] == KIND_RW)
			continue;
		printf("%-10s", kind_name(kinds[k]));
		for (ti = 0; ti < 3; ti++) {
			int n = threads[ti], j;
			struct stat3 s;

			for (r = 0; r < reps; r++) {
				pthread_t th[4];
				struct toucher a[4];
				volatile char *p = map_kind(kinds[k], len);
				double t0 = now();

				for (j = 0; j < n; j++) {
					a[j].p = p + j * (len / n);
					a[j].len = len / n;
					pthread_create(&th[j], NULL, touch_range, &a[j]);
				}
				for (j = 0; j < n; j++)
					pthread_join(th[j], NULL);
				t[r] = (now() - t0) * 1e3;
				munmap((void *)p, len);
			}
			s = summarize(t, reps);
			if (n == 1)
				one = s.med;
			printf("  %d: %8.1f (%4.2fx)", n, s.med, one / s.med);
			fprintf(json, "%s{\"kind\": \"%s\", \"threads\": %d, ",
				first ? "" : ", ", kind_name(kinds[k]), n);
			json_stat("ms", s);
			fprintf(json, "}");
			first = 0;
		}
		printf("\n");
	}
	fprintf(json, "]");
}

int cmd_bench(int argc, char **argv)
{
	struct mmapdemo_info info;
	const char *json_path = NULL;
	size_t touch = 64 * MIB, max;
	struct utsname u;
	int i, s;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") && i + 1 < argc)
			json_path = argv[++i];
		else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
			reps = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--touch-mib") && i + 1 < argc)
			touch = strtoul(argv[++i], NULL, 0) * MIB;
		else {
			fprintf(stderr, "usage: mmapdemo bench [--reps N] [--touch-mib M] [--json FILE]\n");
			return 2;
		}
	}
	if (reps < 1 || reps > MAX_REPS) {
		fprintf(stderr, "mmapdemo bench: --reps must be 1..%d\n", MAX_REPS);
		return 2;
	}
	dev_fd = mmd_open(O_RDWR);
	if (dev_fd < 0 || mmd_info(dev_fd, &info))
		return 1;
	page = info.page_size;
	strategies = info.strategies;
	max = info.buffer_size;
	if (touch > max)
		touch = max;
	memfd_fd = memfd_create("mmapdemo-bench", 0);
	if (memfd_fd < 0 || ftruncate(memfd_fd, max) ||
	    fallocate(memfd_fd, 0, 0, max)) {
		mmd_error("memfd", errno);
		return 1;
	}
	/* baselines first: each ratio divides by a number already measured */
	kinds[nkinds++] = KIND_RW;
	kinds[nkinds++] = KIND_ANON;
	kinds[nkinds++] = KIND_MEMFD;
	for (s = 0; s < MMAPDEMO_STRATEGY_SLOTS; s++)
		if ((strategies & (1U << s)) && mmd_strategies[s].name)
			kinds[nkinds++] = s;

	json = json_path ? fopen(json_path, "w") : fopen("/dev/null", "w");
	if (!json) {
		mmd_error(json_path, errno);
		return 1;
	}
	uname(&u);
	printf("mmapdemo bench: kernel %s, %ld CPUs, device buffer %zu MiB, %d repetitions each\n",
	       u.release, sysconf(_SC_NPROCESSORS_ONLN), max / MIB, reps);
	printf("memfd is preallocated (like the device's pages); anon pages are allocated and zeroed on first touch\n");
	fprintf(json, "{\"kernel\": \"%s\", \"cpus\": %ld, \"buffer_mib\": %zu, \"reps\": %d, ",
		u.release, sysconf(_SC_NPROCESSORS_ONLN), max / MIB, reps);
	/* read/write (kinds[0]) has no mapping: only in the RMW table */
	nkinds--;
	memmove(kinds, kinds + 1, nkinds * sizeof(kinds[0]));
	bench_mmap_cost(max);
	bench_first_touch(touch);
	bench_stream(touch);
	memmove(kinds + 1, kinds, nkinds * sizeof(kinds[0]));
	kinds[0] = KIND_RW;
	nkinds++;
	bench_rmw(max);
	bench_scaling(touch);
	fprintf(json, "}\n");
	fclose(json);
	close(memfd_fd);
	close(dev_fd);
	return 0;
}
