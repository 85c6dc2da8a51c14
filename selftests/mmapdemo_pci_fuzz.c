// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo_pci_fuzz: a model-based fuzzer for the PCI half's nodes,
 * /dev/mmapdemo-bar (ivshmem-plain's BAR 2), /dev/mmapdemo-dma (edu's DMA
 * buffer) and /dev/mmapdemo-regs (edu's register page).
 *
 * Their memory is a device's, not the strategies' buffer, so they get a
 * model of their own (mmapdemo_fuzz's is of /dev/mmapdemo): the bytes of
 * the BAR and of the DMA buffer, each open file's mode, node and position,
 * each mapping's node, offset, length and protection.  A seed expands into
 * random operations (open, close, mmap with good and bad offsets, lengths,
 * flags and protections, munmap, mprotect, loads and stores through the
 * mappings, read/write/pread/pwrite, lseek, DMA_COPY with good and bad
 * ranges, an ioctl a node does not have, fork), each applied to the device
 * and to the model, which predicts the result: the errno of every refusal
 * (the rules of module/bar.c, dma.c and regs.c, after the kernel's own
 * checks in do_mmap() and vfs_read()), which touch raises SIGSEGV, the
 * bytes every load and read() sees, what the device's copy leaves.  The
 * first difference fails the seed and names the operation; -v logs every
 * operation.  The model assumes x86 (a PROT_WRITE mapping is readable).
 *
 * The BAR's bytes are put back afterwards (the host checks what
 * mmapdemo_bar leaves there).  A node whose device the guest lacks is not
 * fuzzed; with none, the program skips.  Needs root.
 * Options: -s SEED (first seed), -S SEEDS, -n OPS (per seed), -v.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest.h"
#include "mmapdemo_pci.h"
#include "mmapdemo_util.h"

#define PS	4096UL
#define MAXF	6
#define MAXM	12

enum node { N_BAR, N_DMA, N_REGS, NNODES };

static const char *const node_path[NNODES] = {
	"/dev/mmapdemo-bar", "/dev/mmapdemo-dma", "/dev/mmapdemo-regs",
};

enum op_kind {
	OP_OPEN, OP_CLOSE, OP_MMAP, OP_MUNMAP, OP_MPROTECT, OP_TOUCH,
	OP_READ, OP_WRITE, OP_LSEEK, OP_DMA_COPY, OP_BAD_IOCTL, OP_FORK,
	OP_KINDS
};

static const char *const op_names[OP_KINDS] = {
	"open", "close", "mmap", "munmap", "mprotect", "touch", "read",
	"write", "lseek", "DMA_COPY", "bad-ioctl", "fork",
};

/* DMA_COPY is rare: each one is two transfers of edu's engine. */
static const unsigned int op_weight[OP_KINDS] = {
	[OP_OPEN] = 5, [OP_CLOSE] = 3, [OP_MMAP] = 14, [OP_MUNMAP] = 5,
	[OP_MPROTECT] = 4, [OP_TOUCH] = 16, [OP_READ] = 6, [OP_WRITE] = 6,
	[OP_LSEEK] = 4, [OP_DMA_COPY] = 1, [OP_BAD_IOCTL] = 1, [OP_FORK] = 1,
};

struct file_m {
	int fd, node, mode;	/* mode: O_RDONLY, O_WRONLY or O_RDWR */
	int64_t pos;
};

struct map_m {
	unsigned char *addr;
	size_t len;
	uint64_t off;
	int node, prot, mode;
};

static struct {
	bool present[NNODES];
	uint64_t size[NNODES];
	unsigned char *bytes[NNODES];	/* BAR and DMA buffer; not the registers */
	struct file_m f[MAXF];
	int nf;
	struct map_m m[MAXM];
	int nm;
	uint64_t rng;
	unsigned int run[OP_KINDS], refused[OP_KINDS];
	char what[160];
} M;

static int verbose;

static uint64_t rnd(void)
{
	M.rng ^= M.rng << 13;
	M.rng ^= M.rng >> 7;
	M.rng ^= M.rng << 17;
	return M.rng;
}

static uint64_t pick(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static bool readable(int mode)
{
	return mode != O_WRONLY;
}

static bool writable(int mode)
{
	return mode != O_RDONLY;
}

static int fail(const char *fmt, ...)
{
	va_list ap;

	printf("# MISMATCH in %s: ", M.what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return -1;
}

/* The call's result against the model's: 0 if they agree. */
static int expect(long got, int err, long want_ret, int want_err)
{
	if (want_err) {
		if (got >= 0 || err != want_err)
			return fail("got %ld (%s), predicted %s", got,
				    got < 0 ? strerror(err) : "success",
				    strerror(want_err));
		return 0;
	}
	if (got != want_ret)
		return fail("got %ld (%s), predicted %ld", got,
			    got < 0 ? strerror(err) : "-", want_ret);
	return 0;
}

/* ---- touching memory that may fault ---- */

static sigjmp_buf jmp;

static void on_signal(int sig)
{
	siglongjmp(jmp, sig);
}

/* Load or store one byte (4 bytes for the registers): 0 or the signal. */
static int touch(volatile unsigned char *p, bool store, unsigned char val,
		 bool word, uint32_t *got)
{
	int sig = sigsetjmp(jmp, 1);

	if (sig)
		return sig;
	if (store)
		*p = val;
	else if (word)
		*got = *(volatile uint32_t *)p;
	else
		*got = *p;
	return 0;
}

/* ---- the operations ---- */

static int do_open(void)
{
	static const int modes[] = { O_RDWR, O_RDWR, O_RDONLY, O_WRONLY };
	int node = pick(NNODES), mode = modes[pick(4)], fd;

	if (M.nf == MAXF || !M.present[node])
		return 1;
	snprintf(M.what, sizeof(M.what), "open %s mode %d", node_path[node], mode);
	fd = open(node_path[node], mode);
	if (fd < 0)
		return fail("%s", strerror(errno));
	M.f[M.nf++] = (struct file_m){ .fd = fd, .node = node, .mode = mode };
	return 0;
}

static int do_close(void)
{
	int i = pick(M.nf);

	if (!M.nf)
		return 1;
	snprintf(M.what, sizeof(M.what), "close %s", node_path[M.f[i].node]);
	if (close(M.f[i].fd))
		return fail("%s", strerror(errno));
	M.f[i] = M.f[--M.nf];
	return 0;
}

static const int prots[] = {
	PROT_NONE, PROT_READ, PROT_WRITE, PROT_READ | PROT_WRITE,
	PROT_READ | PROT_EXEC, PROT_READ | PROT_WRITE | PROT_EXEC,
};

/* What mmap() of @n answers: the kernel's checks, then the driver's. */
static int mmap_errno(int n, int mode, int prot, int flags, uint64_t off,
		      size_t len)
{
	uint64_t pages = M.size[n] / PS, pgoff = off / PS;
	uint64_t npages = (len + PS - 1) / PS;

	if (off % PS || !len)
		return EINVAL;
	if (!readable(mode) ||
	    (flags == MAP_SHARED && (prot & PROT_WRITE) && !writable(mode)))
		return EACCES;
	if (n == N_REGS && (prot & PROT_WRITE))
		return EPERM;
	if (prot & PROT_EXEC)
		return EPERM;
	if (flags != MAP_SHARED)
		return EINVAL;
	if (n == N_REGS)
		return pgoff || npages != 1 ? EINVAL : 0;
	return pgoff >= pages || npages > pages - pgoff ? EINVAL : 0;
}

static int do_mmap(void)
{
	struct file_m *f = &M.f[pick(M.nf)];
	uint64_t size = M.size[f->node];
	const uint64_t offs[] = { 0, PS, size - PS, size, size + PS, 1,
				  1ULL << 40, PS * pick(size / PS) };
	const size_t lens[] = { PS, 2 * PS, size, size + PS, 0, 100,
				PS * (1 + pick(16)) };
	int prot = prots[pick(ARRAY_SIZE(prots))];
	int flags = pick(4) ? MAP_SHARED : MAP_PRIVATE;
	uint64_t off = offs[pick(ARRAY_SIZE(offs))];
	size_t len = lens[pick(ARRAY_SIZE(lens))];
	int want, err;
	void *p;

	if (!M.nf || M.nm == MAXM)
		return 1;
	/* Half the calls are ones the node takes: a range of it, shared. */
	if (pick(2)) {
		prot = pick(2) ? PROT_READ : PROT_READ | PROT_WRITE;
		flags = MAP_SHARED;
		off = PS * pick(size / PS);
		len = PS * (1 + pick((size - off) / PS));
	}
	snprintf(M.what, sizeof(M.what), "mmap %s mode %d prot %d %s off %#llx len %#zx",
		 node_path[f->node], f->mode, prot,
		 flags == MAP_SHARED ? "shared" : "private",
		 (unsigned long long)off, len);
	want = mmap_errno(f->node, f->mode, prot, flags, off, len);
	errno = 0;
	p = mmap(NULL, len, prot, flags, f->fd, off);
	err = errno;
	if (p != MAP_FAILED && want)
		munmap(p, len);
	if (want) {
		M.refused[OP_MMAP]++;
		return expect(p == MAP_FAILED ? -1 : 0, err, 0, want);
	}
	if (p == MAP_FAILED)
		return fail("refused: %s", strerror(err));
	M.m[M.nm++] = (struct map_m){ .addr = p, .len = len, .off = off,
				      .node = f->node, .prot = prot,
				      .mode = f->mode };
	return 0;
}

static int do_munmap(void)
{
	int i = pick(M.nm);

	if (!M.nm)
		return 1;
	snprintf(M.what, sizeof(M.what), "munmap %s", node_path[M.m[i].node]);
	if (munmap(M.m[i].addr, M.m[i].len))
		return fail("%s", strerror(errno));
	M.m[i] = M.m[--M.nm];
	return 0;
}

/*
 * Every node clears VM_MAYEXEC; the register page also VM_MAYWRITE, and a
 * shared mapping of an O_RDONLY file never has it (do_mmap()).
 */
static int do_mprotect(void)
{
	struct map_m *m = &M.m[pick(M.nm)];
	int prot = prots[pick(ARRAY_SIZE(prots))], want = 0, ret, err;

	if (!M.nm)
		return 1;
	snprintf(M.what, sizeof(M.what), "mprotect %s to %d",
		 node_path[m->node], prot);
	if ((prot & PROT_EXEC) ||
	    ((prot & PROT_WRITE) && (m->node == N_REGS || !writable(m->mode))))
		want = EACCES;
	ret = mprotect(m->addr, m->len, prot);
	err = errno;
	if (!ret && !want)
		m->prot = prot;
	if (want)
		M.refused[OP_MPROTECT]++;
	return expect(ret, err, 0, want);
}

/*
 * A load sees the model's byte, a store changes it; without access, the
 * touch raises SIGSEGV.  The registers are loaded 4 bytes at a time at
 * 4-byte offsets (edu answers only such loads below 0x80), and the ID
 * register's low byte is 0xed.
 */
static int do_touch(void)
{
	struct map_m *m = &M.m[pick(M.nm)];
	bool store = pick(3) == 0, word;
	size_t o;
	unsigned char val = rnd();
	uint32_t got = 0;
	int sig, want;

	if (!M.nm)
		return 1;
	o = m->node == N_REGS ? pick(m->len / 4) * 4 : pick(m->len);
	word = m->node == N_REGS;
	if (word && !pick(4))
		o = 0;
	snprintf(M.what, sizeof(M.what), "%s %s+%#zx prot %d",
		 store ? "store to" : "load from", node_path[m->node], o,
		 m->prot);
	want = (store ? m->prot & PROT_WRITE : m->prot) ? 0 : SIGSEGV;
	sig = touch(m->addr + o, store, val, word, &got);
	if (sig != want)
		return fail("signal %d, predicted %d", sig, want);
	if (sig) {
		M.refused[OP_TOUCH]++;
		return 0;
	}
	if (store) {
		M.bytes[m->node][m->off + o] = val;
		return 0;
	}
	if (m->node == N_REGS)
		return o || (got & 0xff) == 0xed ? 0 :
		       fail("ID register %#x", got);
	if (got != M.bytes[m->node][m->off + o])
		return fail("byte %#x, predicted %#x", got,
			    M.bytes[m->node][m->off + o]);
	return 0;
}

/*
 * read()/write() and pread()/pwrite(): only the BAR has them; beyond its
 * end a read returns 0 and a write ENOSPC, across it they are short.
 */
static int do_rw(bool wr)
{
	struct file_m *f = &M.f[pick(M.nf)];
	static unsigned char buf[3 * PS];
	uint64_t size = M.size[f->node];
	const int64_t poss[] = { 0, pick(size), size - 3, size, size + 100 };
	const size_t lens[] = { 1, 77, PS, PS + 904, 3 * PS };
	bool positional = pick(2);
	int64_t pos = positional ? poss[pick(ARRAY_SIZE(poss))] : f->pos;
	size_t len = lens[pick(ARRAY_SIZE(lens))], i;
	long want_ret = 0;
	int want = 0, err;
	ssize_t n;

	if (!M.nf)
		return 1;
	snprintf(M.what, sizeof(M.what), "%s%s %s mode %d at %lld, %zu bytes",
		 positional ? "p" : "", wr ? "write" : "read",
		 node_path[f->node], f->mode, (long long)pos, len);
	if (wr ? !writable(f->mode) : !readable(f->mode))
		want = EBADF;
	else if (f->node != N_BAR)
		want = EINVAL;		/* no read_iter/write_iter */
	else if (pos >= (int64_t)size)
		want = wr ? ENOSPC : 0;
	else
		want_ret = len < size - pos ? len : size - pos;
	if (wr)
		for (i = 0; i < len; i++)
			buf[i] = rnd();
	errno = 0;
	if (positional)
		n = wr ? pwrite(f->fd, buf, len, pos) : pread(f->fd, buf, len, pos);
	else
		n = wr ? write(f->fd, buf, len) : read(f->fd, buf, len);
	err = errno;
	if (want) {
		M.refused[wr ? OP_WRITE : OP_READ]++;
		return expect(n, err, 0, want);
	}
	if (expect(n, err, want_ret, 0))
		return -1;
	if (!positional)
		f->pos += n;
	for (i = 0; i < (size_t)n; i++) {
		if (wr)
			M.bytes[N_BAR][pos + i] = buf[i];
		else if (buf[i] != M.bytes[N_BAR][pos + i])
			return fail("byte %zu: %#x, predicted %#x", i, buf[i],
				    M.bytes[N_BAR][pos + i]);
	}
	return 0;
}

/*
 * The BAR and the DMA buffer seek within their size (fixed_size_llseek():
 * a position below 0 or past the end is EINVAL); the register page has
 * noop_llseek(), which stays at 0.
 */
static int do_lseek(void)
{
	struct file_m *f = &M.f[pick(M.nf)];
	int64_t size = M.size[f->node];
	const struct { int64_t off; int whence; } s[] = {
		{ 0, SEEK_SET }, { size / 2, SEEK_SET }, { size, SEEK_SET },
		{ size + 1, SEEK_SET }, { -1, SEEK_SET }, { 0, SEEK_END },
		{ -(int64_t)PS, SEEK_END }, { 1, SEEK_END }, { 0, SEEK_CUR },
		{ 5, SEEK_CUR }, { -5, SEEK_CUR },
	};
	int k = pick(ARRAY_SIZE(s)), want = 0, err;
	int64_t to, got;

	if (!M.nf)
		return 1;
	snprintf(M.what, sizeof(M.what), "lseek %s %lld whence %d from %lld",
		 node_path[f->node], (long long)s[k].off, s[k].whence,
		 (long long)f->pos);
	got = lseek(f->fd, s[k].off, s[k].whence);
	err = errno;
	if (f->node == N_REGS)
		return expect(got, err, 0, 0);
	to = s[k].off + (s[k].whence == SEEK_END ? size :
			 s[k].whence == SEEK_CUR ? f->pos : 0);
	if (to < 0 || to > size)
		want = EINVAL;
	if (expect(got, err, to, want))
		return -1;
	if (want)
		M.refused[OP_LSEEK]++;
	else
		f->pos = to;
	return 0;
}

/* The device reads [src, +len) and writes it to [dst, +len): memmove(). */
static int do_dma_copy(void)
{
	struct file_m *f = &M.f[pick(M.nf)];
	uint64_t size = M.size[N_DMA];
	const uint32_t lens[] = { 1, 64, MMAPDEMO_DMA_COPY_MAX,
				  MMAPDEMO_DMA_COPY_MAX + 1, 0, 1 + pick(600) };
	struct mmapdemo_dma_copy c = { .length = lens[pick(ARRAY_SIZE(lens))] };
	const uint64_t ends[] = { 0, pick(size), size - c.length, size,
				  size + 1, ~0ULL };
	const uint32_t flags[] = { 0, MMAPDEMO_DMA_STREAMING, 2, 1U << 31 };
	int want = 0, ret, err;

	if (!M.nf)
		return 1;
	c.src = ends[pick(ARRAY_SIZE(ends))];
	c.dst = ends[pick(ARRAY_SIZE(ends))];
	c.flags = flags[pick(3) ? pick(2) : 2 + pick(2)];
	/* Half the calls are copies the device makes. */
	if (pick(2)) {
		c.length = 1 + pick(MMAPDEMO_DMA_COPY_MAX);
		c.src = pick(size - c.length + 1);
		c.dst = pick(size - c.length + 1);
		c.flags = flags[pick(2)];
	}
	snprintf(M.what, sizeof(M.what), "DMA_COPY on %s mode %d: %#llx -> %#llx, %u bytes, flags %#x",
		 node_path[f->node], f->mode, (unsigned long long)c.src,
		 (unsigned long long)c.dst, c.length, c.flags);
	if (f->node != N_DMA)
		want = ENOTTY;
	else if (!writable(f->mode))
		want = EBADF;
	else if ((c.flags & ~MMAPDEMO_DMA_FLAGS) || !c.length ||
		 c.length > MMAPDEMO_DMA_COPY_MAX ||
		 c.src > size || c.length > size - c.src ||
		 c.dst > size || c.length > size - c.dst)
		want = EINVAL;
	ret = ioctl(f->fd, MMAPDEMO_IOC_DMA_COPY, &c);
	err = errno;
	if (expect(ret, err, 0, want))
		return -1;
	if (want)
		M.refused[OP_DMA_COPY]++;
	else
		memmove(M.bytes[N_DMA] + c.dst, M.bytes[N_DMA] + c.src, c.length);
	return 0;
}

/* Every node answers an ioctl it does not have with ENOTTY. */
static int do_bad_ioctl(void)
{
	struct file_m *f = &M.f[pick(M.nf)];
	struct mmapdemo_info in;
	const unsigned long cmds[] = {
		MMAPDEMO_IOC_INFO, MMAPDEMO_IOC_RESIZE,
		_IOW(MMAPDEMO_IOC_MAGIC, 0x7f, struct mmapdemo_dma_copy),
	};
	unsigned long cmd = cmds[pick(ARRAY_SIZE(cmds))];
	int ret;

	if (!M.nf)
		return 1;
	snprintf(M.what, sizeof(M.what), "ioctl %#lx on %s", cmd,
		 node_path[f->node]);
	M.refused[OP_BAD_IOCTL]++;
	ret = ioctl(f->fd, cmd, &in);
	return expect(ret, errno, 0, ENOTTY);
}

/* A child sees every mapping as the parent does (fork copies PFN maps). */
static int do_fork(void)
{
	pid_t pid;
	int status, i;

	snprintf(M.what, sizeof(M.what), "fork: the child loads through %d mappings",
		 M.nm);
	pid = fork();
	if (pid < 0)
		return fail("fork: %s", strerror(errno));
	if (!pid) {
		for (i = 0; i < M.nm; i++) {
			struct map_m *m = &M.m[i];
			uint32_t got = 0;
			int sig = touch(m->addr, false, 0, m->node == N_REGS, &got);

			if (sig != (m->prot ? 0 : SIGSEGV))
				_exit(1);
			if (sig)
				continue;
			if (m->node == N_REGS ? (got & 0xff) != 0xed :
			    got != M.bytes[m->node][m->off])
				_exit(2);
		}
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return fail("child status %#x", status);
	return 0;
}

static int run_op(unsigned int kind)
{
	switch (kind) {
	case OP_OPEN:		return do_open();
	case OP_CLOSE:		return do_close();
	case OP_MMAP:		return do_mmap();
	case OP_MUNMAP:		return do_munmap();
	case OP_MPROTECT:	return do_mprotect();
	case OP_TOUCH:		return do_touch();
	case OP_READ:		return do_rw(false);
	case OP_WRITE:		return do_rw(true);
	case OP_LSEEK:		return do_lseek();
	case OP_DMA_COPY:	return do_dma_copy();
	case OP_BAD_IOCTL:	return do_bad_ioctl();
	default:		return do_fork();
	}
}

static unsigned int pick_kind(void)
{
	unsigned int total = 0, k, r;

	for (k = 0; k < OP_KINDS; k++)
		total += op_weight[k];
	r = pick(total);
	for (k = 0; r >= op_weight[k]; k++)
		r -= op_weight[k];
	return k;
}

/* The device holds what the model says: the BAR by read(), DMA by a map. */
static int check_device(void)
{
	unsigned char *buf;
	int fd, bad = 0;

	snprintf(M.what, sizeof(M.what), "the final check of the device's bytes");
	if (M.present[N_BAR]) {
		buf = malloc(M.size[N_BAR]);
		fd = open(node_path[N_BAR], O_RDONLY);
		if (!buf || fd < 0 ||
		    pread(fd, buf, M.size[N_BAR], 0) != (ssize_t)M.size[N_BAR] ||
		    memcmp(buf, M.bytes[N_BAR], M.size[N_BAR]))
			bad = fail("the BAR differs from the model");
		if (fd >= 0)
			close(fd);
		free(buf);
	}
	if (M.present[N_DMA]) {
		fd = open(node_path[N_DMA], O_RDONLY);
		buf = fd < 0 ? MAP_FAILED :
		      mmap(NULL, M.size[N_DMA], PROT_READ, MAP_SHARED, fd, 0);
		if (buf == MAP_FAILED ||
		    memcmp(buf, M.bytes[N_DMA], M.size[N_DMA]))
			bad = fail("the DMA buffer differs from the model");
		if (buf != MAP_FAILED)
			munmap(buf, M.size[N_DMA]);
		if (fd >= 0)
			close(fd);
	}
	return bad;
}

static int run_seed(uint64_t seed, unsigned int nops)
{
	unsigned int i, kind;
	int ret = 0, r;

	M.rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	for (i = 0; i < nops && !ret; i++) {
		kind = pick_kind();
		r = run_op(kind);
		if (r > 0)
			continue;	/* nothing to work on */
		M.run[kind]++;
		if (verbose)
			printf("# %u: %s%s\n", i, M.what, r ? ": MISMATCH" : "");
		if (r) {
			printf("# seed %llu, operation %u\n",
			       (unsigned long long)seed, i);
			ret = -1;
		}
	}
	for (; M.nm; M.nm--)
		munmap(M.m[M.nm - 1].addr, M.m[M.nm - 1].len);
	for (; M.nf; M.nf--)
		close(M.f[M.nf - 1].fd);
	return ret ? ret : check_device();
}

/* Each node's size and bytes, from the device itself. */
static int setup(void)
{
	unsigned char *p;
	int n, fd;

	for (n = 0; n < NNODES; n++) {
		fd = open(node_path[n], O_RDWR);
		if (fd < 0)
			continue;
		M.present[n] = true;
		M.size[n] = n == N_REGS ? PS : (uint64_t)lseek(fd, 0, SEEK_END);
		if (n != N_REGS) {
			p = mmap(NULL, M.size[n], PROT_READ, MAP_SHARED, fd, 0);
			M.bytes[n] = malloc(M.size[n]);
			if (p == MAP_FAILED || !M.bytes[n])
				return -1;
			memcpy(M.bytes[n], p, M.size[n]);
			munmap(p, M.size[n]);
		}
		close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned int nops = 300, k, fails = 0;
	uint64_t seed = 1, nseeds = 4, s;
	unsigned char *saved = NULL;
	const char *env;
	int opt, fd;

	if ((env = getenv("FUZZ_SEED")))
		seed = strtoull(env, NULL, 0);
	while ((opt = getopt(argc, argv, "s:S:n:v")) != -1) {
		switch (opt) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'S': nseeds = strtoull(optarg, NULL, 0); break;
		case 'n': nops = atoi(optarg); break;
		case 'v': verbose = 1; break;
		default:
			fprintf(stderr, "usage: %s [-s SEED] [-S SEEDS] [-n OPS] [-v]\n",
				argv[0]);
			return KSFT_FAIL;
		}
	}
	ksft_print_header();
	if (geteuid())
		ksft_exit_skip("the nodes are root's: run as root\n");
	if (mmd_ensure())
		ksft_exit_fail_msg("cannot load mmapdemo: %s\n", strerror(errno));
	if (setup())
		ksft_exit_fail_msg("cannot read the nodes: %s\n", strerror(errno));
	if (!M.present[N_BAR] && !M.present[N_DMA] && !M.present[N_REGS])
		ksft_exit_skip("no PCI node: the guest has neither ivshmem-plain nor edu\n");
	if (M.present[N_BAR])
		saved = malloc(M.size[N_BAR]);
	if (saved)
		memcpy(saved, M.bytes[N_BAR], M.size[N_BAR]);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	ksft_set_plan(nseeds + !!saved);
	printf("# nodes: bar %s, dma %s, regs %s; seeds from %llu, %u operations each\n",
	       M.present[N_BAR] ? "yes" : "no", M.present[N_DMA] ? "yes" : "no",
	       M.present[N_REGS] ? "yes" : "no", (unsigned long long)seed, nops);
	for (s = seed; s < seed + nseeds; s++) {
		int r = run_seed(s, nops);

		fails += !!r;
		ksft_test_result(!r, "seed %llu: %u operations on the PCI nodes\n",
				 (unsigned long long)s, nops);
	}
	printf("# per kind: run (refused with the predicted errno or signal)\n");
	for (k = 0; k < OP_KINDS; k++)
		printf("#   %-10s %5u (%5u)\n", op_names[k], M.run[k], M.refused[k]);
	if (saved) {
		fd = open(node_path[N_BAR], O_WRONLY);
		ksft_test_result(fd >= 0 &&
				 pwrite(fd, saved, M.size[N_BAR], 0) == (ssize_t)M.size[N_BAR],
				 "the BAR's bytes are put back\n");
		if (fd >= 0)
			close(fd);
	}
	ksft_finished();
}
