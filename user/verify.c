// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo verify: show, with real bytes, that every way of reaching the
 * buffer shows the same bytes, for each strategy the module offers, each
 * through its own node (/dev/mmapdemo, /dev/mmapdemo-fault, ...) from
 * offset 0, as a program that knows nothing of this project would.
 *
 * It works on the last pages of the buffer, saves what it finds there and
 * puts it back at the end, so it can run while others use the device.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mmapdemo.h"

#define NPAGES	4	/* pages of the buffer verify works on */

static int passed, failed;
static size_t page;

static void row(const char *strategy, const char *check, bool ok,
		const char *fmt, ...)
{
	va_list ap;

	printf("%-8s  %-36s  %-4s  ", strategy, check, ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (ok)
		passed++;
	else
		failed++;
}

static const char *hex4(const unsigned char *p, char *buf)
{
	snprintf(buf, 16, "%02x %02x %02x %02x", p[0], p[1], p[2], p[3]);
	return buf;
}

/*
 * Run "mmapdemo __peer" as a new process: it opens strategy @s's node and
 * maps it on its own.  Its first output line comes back in @out.
 */
static int run_peer(unsigned int s, unsigned long long off, size_t len,
		    const char *op, unsigned int seed, pid_t *pidp, char *out,
		    size_t outlen)
{
	char self[PATH_MAX], a_s[16], a_off[32], a_len[32], a_seed[16];
	int pfd[2], st;
	ssize_t n;
	pid_t pid;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0 || pipe(pfd))
		return -1;
	self[n] = '\0';
	snprintf(a_s, sizeof(a_s), "%u", s);
	snprintf(a_off, sizeof(a_off), "%llu", off);
	snprintf(a_len, sizeof(a_len), "%zu", len);
	snprintf(a_seed, sizeof(a_seed), "%u", seed);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		execl(self, self, "__peer", a_s, a_off, a_len, op, a_seed,
		      (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	n = read(pfd[0], out, outlen - 1);
	out[n > 0 ? n : 0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	close(pfd[0]);
	*pidp = pid;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* The re-executed side: map, then write or check, and say what it saw. */
int cmd_peer(int argc, char **argv)
{
	unsigned long long off;
	unsigned char *p, seed;
	unsigned int s;
	size_t len;
	char hx[16];
	int fd, ok = 1;

	uint64_t v[4];

	/* from verify, never from a person: "S OFFSET LENGTH write|check SEED" */
	if (argc != 6 ||
	    !mmd_parse_num("S", argv[1], false, 0, MMAPDEMO_STRATEGY_SLOTS - 1, &v[0]) ||
	    !mmd_parse_num("OFFSET", argv[2], false, 0, UINT64_MAX, &v[1]) ||
	    !mmd_parse_num("LENGTH", argv[3], false, 1, SIZE_MAX, &v[2]) ||
	    !mmd_parse_num("SEED", argv[5], false, 0, 255, &v[3]))
		return 2;
	s = v[0];
	off = v[1];
	len = v[2];
	seed = v[3];
	if (!mmd_strategies[s].node)
		return 2;
	fd = mmd_open_node(s, O_RDWR);
	if (fd < 0)
		return 2;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	if (p == MAP_FAILED) {
		mmd_error("peer: mmap", errno);
		return 2;
	}
	if (!strcmp(argv[4], "write"))
		mmd_pattern_fill(p, len, seed);
	else
		ok = mmd_pattern_ok(p, len, seed);
	printf("%s\n", hex4(p, hx));
	return ok ? 0 : 1;
}

static void check_processes(int fd, unsigned int s, const char *name,
			    off_t boff, size_t len)
{
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
				fd, boff);
	volatile unsigned char *v = p;
	char seen[64], hx[16];
	pid_t pid = 0;
	int rc, pfd[2], cfd[2];
	char c;

	if (p == MAP_FAILED) {
		row(name, "mmap MAP_SHARED", false, "mmap: %s", strerror(errno));
		return;
	}
	mmd_pattern_fill(p, len, 0x3a);
	rc = run_peer(s, boff, len, "check", 0x3a, &pid, seen, sizeof(seen));
	row(name, "unrelated process sees our write", rc == 0,
	    "we wrote %s, pid %d read %s", hex4(p, hx), (int)pid, seen);
	rc = run_peer(s, boff, len, "write", 0xc5, &pid, seen, sizeof(seen));
	row(name, "we see an unrelated process's write",
	    rc == 0 && mmd_pattern_ok(p, len, 0xc5),
	    "pid %d wrote %s, we read %s", (int)pid, seen, hex4(p, hx));

	/* fork: the child inherits the mapping itself */
	if (pipe(pfd) || pipe(cfd))
		return;
	pid = fork();
	if (pid == 0) {
		if (read(pfd[0], &c, 1) != 1)
			_exit(1);
		c = v[0] == 0x11;	/* parent's write visible? */
		v[1] = 0x22;
		_exit(write(cfd[1], &c, 1) == 1 ? 0 : 1);
	}
	v[0] = 0x11;
	rc = write(pfd[1], "x", 1) == 1 && read(cfd[0], &c, 1) == 1;
	waitpid(pid, NULL, 0);
	row(name, "child after fork sees parent's write", rc && c,
	    "parent wrote 11 at byte 0, child read %s", c ? "11" : "something else");
	row(name, "parent sees child's write after fork", rc && v[1] == 0x22,
	    "child wrote 22 at byte 1, parent read %02x", v[1]);
	close(pfd[0]);
	close(pfd[1]);
	close(cfd[0]);
	close(cfd[1]);
	munmap(p, len);
}

static void check_cross(const int *fds, unsigned int s, const char *name,
			off_t boff, size_t len)
{
	unsigned char *a, *b;
	unsigned int o;
	char ha[16], hb[16], check[64];

	for (o = 0; o < MMAPDEMO_STRATEGY_SLOTS; o++) {
		if (o == s || fds[o] < 0)
			continue;
		a = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fds[s],
			 boff);
		b = mmap(NULL, len, PROT_READ, MAP_SHARED, fds[o], boff);
		snprintf(check, sizeof(check), "same bytes as a %s mapping",
			 mmd_strategies[o].name);
		if (a == MAP_FAILED || b == MAP_FAILED) {
			row(name, check, false, "mmap: %s", strerror(errno));
			return;
		}
		mmd_pattern_fill(a, len, 0x77 + s);
		row(name, check, mmd_pattern_ok(b, len, 0x77 + s),
		    "%s wrote %s, %s read %s", name, hex4(a, ha),
		    mmd_strategies[o].name, hex4(b, hb));
		munmap(a, len);
		munmap(b, len);
	}
}

static void check_kernel(int fd, unsigned int s, const char *name,
			 off_t boff, size_t len)
{
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
				fd, boff);
	struct mmapdemo_checksum sum = { .offset = boff, .length = len };
	struct mmapdemo_fill fill = {
		.offset = boff, .length = len,
		.flags = MMAPDEMO_FILL_INCREMENT, .seed = 0xe0 + s,
	};
	unsigned char buf[4], w[4] = { 0xd0, 0xd1, 0xd2, 0xd3 };
	uint64_t mine;
	char h1[16], h2[16];
	bool ok;

	if (p == MAP_FAILED) {
		row(name, "mmap MAP_SHARED", false, "mmap: %s", strerror(errno));
		return;
	}
	mmd_pattern_fill(p, len, 0x40 + s);
	mine = mmd_fnv1a(p, len);
	if (ioctl(fd, MMAPDEMO_IOC_CHECKSUM, &sum))
		sum.sum = ~mine;
	row(name, "kernel reads our write (CHECKSUM)", sum.sum == mine,
	    "fnv1a of %zu bytes: ours %016llx, kernel's %016llx", len,
	    (unsigned long long)mine, (unsigned long long)sum.sum);
	/* each step happens before its row is printed */
	ok = pread(fd, buf, 4, boff) == 4 && !memcmp(buf, p, 4);
	row(name, "read() returns our write", ok, "we wrote %s, read() gave %s",
	    hex4(p, h1), hex4(buf, h2));
	ok = !ioctl(fd, MMAPDEMO_IOC_FILL, &fill) && mmd_pattern_ok(p, len, fill.seed);
	row(name, "we see what the kernel wrote (FILL)", ok,
	    "kernel filled from %02x, we read %s", fill.seed, hex4(p, h1));
	ok = pwrite(fd, w, 4, boff) == 4 && !memcmp(w, p, 4);
	row(name, "we see what write() wrote", ok, "write() wrote %s, we read %s",
	    hex4(w, h1), hex4(p, h2));
	munmap(p, len);
}

static void check_private(int fd, unsigned int s, const char *name, off_t boff)
{
	off_t off = boff;
	volatile unsigned char *sh, *pr;
	unsigned char c = 0;

	pr = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, off);
	if (!mmd_strategies[s].private_cow) {
		row(name, "MAP_PRIVATE refused (policy)",
		    pr == MAP_FAILED && errno == EINVAL, "%s",
		    pr == MAP_FAILED ? strerror(errno) : "it was accepted");
		if (pr != MAP_FAILED)
			munmap((void *)pr, page);
		return;
	}
	sh = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	if (pr == MAP_FAILED || sh == MAP_FAILED) {
		row(name, "MAP_PRIVATE is copy-on-write", false, "mmap: %s",
		    strerror(errno));
		return;
	}
	sh[0] = 'S';
	pr[0] = 'P';		/* copy-on-write: the private page is new */
	if (pread(fd, &c, 1, boff) != 1)
		c = 0;
	row(name, "MAP_PRIVATE is copy-on-write",
	    pr[0] == 'P' && sh[0] == 'S' && c == 'S',
	    "private wrote 'P'; shared mapping reads '%c', read() '%c'",
	    sh[0], c);
	munmap((void *)pr, page);
	munmap((void *)sh, page);
}

static void check_faults(int fd, unsigned int s, const char *name,
			 off_t boff, size_t len)
{
	struct mmapdemo_stats a, b;
	struct rusage ra, rb;
	volatile unsigned char *p;
	uint64_t dev;
	long minflt;
	size_t i, n = len / page, want;
	unsigned int batch = mmd_strategies[s].batch;
	char check[64];
	bool ok;

	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, boff);
	if (p == MAP_FAILED || mmd_stats(fd, &a)) {
		row(name, "page faults", false, "mmap: %s", strerror(errno));
		return;
	}
	getrusage(RUSAGE_SELF, &ra);
	for (i = 0; i < n; i++)
		(void)p[i * page];
	getrusage(RUSAGE_SELF, &rb);
	mmd_stats(fd, &b);
	dev = b.strategy[s].faults - a.strategy[s].faults;
	minflt = rb.ru_minflt - ra.ru_minflt;
	/*
	 * Others may fault on the device meanwhile, so its counter may be
	 * higher; our own minor faults are exact.  The range starts on a
	 * MMAPDEMO_BATCH_PAGES boundary of the buffer.
	 */
	want = batch ? (n + batch - 1) / batch : 0;
	ok = minflt == (long)want && (batch ? dev >= want : dev == 0);
	if (!batch)
		snprintf(check, sizeof(check), "no faults: mapped at mmap() time");
	else if (batch == 1)
		snprintf(check, sizeof(check), "one fault per page on first touch");
	else
		snprintf(check, sizeof(check), "one fault per %u pages touched",
			 batch);
	row(name, check, ok,
	    "touched %zu pages: %llu device faults, %ld minor faults",
	    n, (unsigned long long)dev, minflt);
	munmap((void *)p, len);
}

/*
 * The first 2 MiB of the buffer through the huge strategy.  Where the
 * kernel has PFN PMDs (INFO flag), one fault maps all 512 pages; elsewhere
 * (6.1) it is 512 faults of one page, and the row says so.  The driver's
 * counters are the evidence: a PFN map has no struct page, so smaps does
 * not see it.  Only reads, so nothing needs restoring.
 */
static void check_pmd(int fd, unsigned int s, const char *name,
		      const struct mmapdemo_info *info)
{
	bool pmd = info->flags & MMAPDEMO_INFO_HUGE_PMD;
	const char *check = pmd ? "a 2 MiB block mapped by one PMD" :
				  "no PFN PMDs here: 4 KiB per fault";
	size_t len = 2UL << 20, i, n = len / page;
	struct mmapdemo_stats a, b;
	struct rusage ra, rb;
	volatile unsigned char *p;
	uint64_t dev, pages;
	long minflt;

	if (!info->huge_blocks) {
		row(name, check, false,
		    "the buffer has no contiguous 2 MiB block (memory too fragmented at load?)");
		return;
	}
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED || mmd_stats(fd, &a)) {
		row(name, check, false, "mmap: %s", strerror(errno));
		return;
	}
	getrusage(RUSAGE_SELF, &ra);
	for (i = 0; i < len; i += page)
		(void)p[i];
	getrusage(RUSAGE_SELF, &rb);
	mmd_stats(fd, &b);
	dev = b.strategy[s].faults - a.strategy[s].faults;
	pages = b.strategy[s].pages_mapped - a.strategy[s].pages_mapped;
	minflt = rb.ru_minflt - ra.ru_minflt;
	row(name, check,
	    pages == n && (pmd ? dev == 1 && minflt == 1 : dev == n),
	    "touched %zu pages: %llu device faults mapped %llu pages, %ld minor faults",
	    n, (unsigned long long)dev, (unsigned long long)pages, minflt);
	munmap((void *)p, len);
}

int cmd_verify(int argc, char **argv)
{
	int fds[MMAPDEMO_STRATEGY_SLOTS];
	struct mmapdemo_info info;
	struct utsname u;
	unsigned char *saved;
	static const struct option lo[] = {
		{ "strategy", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	int only = -1;	/* no -s: every strategy */
	unsigned int s;
	size_t len;
	off_t boff;
	char sz[32];
	int fd;

	/* -s STRATEGY: that strategy's rows only */
	while (mmd_getopt(argc, argv, "s:", lo) != -1) {
		only = mmd_strategy_by_name(optarg);
		if (only < 0)
			return 2;
	}
	if (mmd_operands(argc, argv, 0))
		return 2;
	fd = mmd_open(O_RDWR);
	if (fd < 0 || mmd_info(fd, &info))
		return 1;
	page = info.page_size;
	len = NPAGES * page;
	if (info.buffer_size < len) {
		fprintf(stderr, "mmapdemo: verify needs a buffer of at least %zu bytes\n", len);
		return 1;
	}
	/* Every strategy's node; a strategy this tool does not know, none. */
	for (s = 0; s < MMAPDEMO_STRATEGY_SLOTS; s++) {
		fds[s] = -1;
		if ((info.strategies & (1U << s)) && mmd_strategies[s].node) {
			fds[s] = mmd_open_node(s, O_RDWR);
			if (fds[s] < 0)
				return 1;
		}
	}
	boff = info.buffer_size - len;
	saved = malloc(len);
	if (!saved || pread(fd, saved, len, boff) != (ssize_t)len) {
		mmd_error("read " MMD_DEV, errno);
		return 1;
	}
	uname(&u);
	printf("mmapdemo verify: %s and its strategy nodes, %s buffer, kernel %s\n",
	       MMD_DEV, mmd_size_str(info.buffer_size, sz, sizeof(sz)), u.release);
	printf("working on buffer bytes %#llx-%#llx (saved now, restored at the end)\n\n",
	       (unsigned long long)boff, (unsigned long long)info.buffer_size - 1);
	printf("%-8s  %-36s  %-4s  %s\n", "STRATEGY", "CHECK", "", "EVIDENCE (first bytes, hex)");

	for (s = 0; s < MMAPDEMO_STRATEGY_SLOTS; s++) {
		const char *name = mmd_strategies[s].name;

		if (!(info.strategies & (1U << s)))
			continue;
		if (!name) {
			row("?", "strategy known to this tool", false,
			    "the module offers strategy %u: update the tool", s);
			continue;
		}
		if (only >= 0 && (int)s != only)
			continue;
		check_processes(fds[s], s, name, boff, len);
		check_cross(fds, s, name, boff, len);
		check_kernel(fds[s], s, name, boff, len);
		check_private(fds[s], s, name, boff);
		check_faults(fds[s], s, name, boff, len);
		if (mmd_strategies[s].pmd)
			check_pmd(fds[s], s, name, &info);
	}

	if (pwrite(fd, saved, len, boff) != (ssize_t)len) {
		mmd_error("restoring the buffer", errno);
		failed++;
	}
	free(saved);
	for (s = 0; s < MMAPDEMO_STRATEGY_SLOTS; s++)
		if (fds[s] >= 0)
			close(fds[s]);
	close(fd);
	printf("\n%d checks: %d passed, %d failed\n", passed + failed, passed,
	       failed);
	return failed ? 1 : 0;
}
