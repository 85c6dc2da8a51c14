// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo_fuzz: a model-based fuzzer for /dev/mmapdemo.
 *
 * A seed expands into a list of operations (open/close, mmap of every
 * strategy with good and bad offsets, lengths, flags and protections,
 * munmap, mprotect, mremap, madvise, mlock, msync, fork, loads and stores
 * through every mapping, read/write/pread/pwrite/readv/lseek and the
 * ioctls).  Each operation is applied to the device and to a shadow model:
 * the buffer's bytes, each MAP_PRIVATE mapping's own copies, each open
 * file's position, each VMA's strategy, protection and THP flag.  The
 * model predicts every result: the bytes any load, read() or CHECKSUM
 * sees, the errno of every refused call (docs/policy.md), which
 * touch raises SIGBUS or SIGSEGV, and the driver's counters (STATS).  The
 * first difference is a failure.
 *
 * An operation is a kind and a few random numbers, interpreted against
 * the model's state when it runs ("the 3rd VMA, a range of 2 pages"), so
 * that any subset of a sequence is still a valid sequence.  That is what
 * lets a failure be minimised: operations are removed (ddmin) while the
 * same check still fails, and the survivors are printed as a command line
 * that replays them (-s SEED -n N -k LIST -v).
 *
 * Two modes:
 *  - solo: one process (and the children its fork operations create) owns
 *    the device; the model is exact, counters are compared after every
 *    operation, RESIZE is expected to succeed when nothing is mapped.
 *  - concurrent: several processes of several threads each run their own
 *    sequence at once.  Each thread owns a page-aligned slice of the buffer
 *    and writes only there, so its model of that slice stays exact while
 *    the others map, split, move and unmap around it; counters are checked
 *    when all have finished.  Interleavings are not reproducible; the seed
 *    still names the sequences.
 *
 * Options: -s SEED (first seed), -S SEEDS (solo sequences), -n OPS (per
 * sequence), -c ROUNDS (concurrent rounds), -w PROCS, -T THREADS,
 * -t SECONDS (keep going with new seeds until then; also FUZZ_SECONDS),
 * -k LIST (replay only these operation numbers of seed -s), -v (log every
 * operation).  Needs root (RESIZE needs CAP_SYS_ADMIN).
 *
 * "mmapdemo_fuzz --policy" runs nothing: it prints the mmap() table of
 * docs/policy.md as the model judges it (scripts/policy-check).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include <sys/uio.h>

#include "kselftest.h"
#include "mmapdemo_util.h"

#define PS		4096UL
#define NSTRAT		4
#define MAXV		48	/* model VMAs per actor */
#define MAXF		6	/* open files per actor */
#define OFD_SLOTS	32	/* file descriptions per actor, in shm */
#define MAXACT		16
#define MODEL_MAX	(8UL << 20)
#define TASK_TOP	(1ULL << 47)

enum op_kind {
	OP_OPEN, OP_CLOSE, OP_MMAP, OP_MMAP_FIXED, OP_MUNMAP, OP_MPROTECT,
	OP_MREMAP, OP_MADVISE, OP_MLOCK, OP_MSYNC, OP_TOUCH, OP_CHECK_PAGES,
	OP_WRITE_PAGES, OP_READ, OP_WRITE, OP_READV, OP_LSEEK, OP_FILL,
	OP_CHECKSUM, OP_INFO, OP_RESIZE, OP_FORK, OP_BAD_IOCTL, OP_KINDS
};

static const char *const op_names[OP_KINDS] = {
	"open", "close", "mmap", "mmap-fixed", "munmap", "mprotect", "mremap",
	"madvise", "mlock", "msync", "touch", "check-pages", "write-pages",
	"read", "write", "readv", "lseek", "FILL", "CHECKSUM", "INFO",
	"RESIZE", "fork", "bad-ioctl",
};

/* Relative frequency of each kind in a generated sequence. */
static const unsigned int op_weight[OP_KINDS] = {
	[OP_OPEN] = 4, [OP_CLOSE] = 2, [OP_MMAP] = 14, [OP_MMAP_FIXED] = 3,
	[OP_MUNMAP] = 6, [OP_MPROTECT] = 4, [OP_MREMAP] = 5, [OP_MADVISE] = 5,
	[OP_MLOCK] = 2, [OP_MSYNC] = 2, [OP_TOUCH] = 14, [OP_CHECK_PAGES] = 6,
	[OP_WRITE_PAGES] = 6, [OP_READ] = 4, [OP_WRITE] = 4, [OP_READV] = 2,
	[OP_LSEEK] = 3, [OP_FILL] = 3, [OP_CHECKSUM] = 3, [OP_INFO] = 1,
	[OP_RESIZE] = 3, [OP_FORK] = 2, [OP_BAD_IOCTL] = 1,
};

struct op {
	unsigned int kind;
	uint64_t r[5];
};

/* One VMA as the model sees it. */
struct vma_m {
	uintptr_t start, end;
	uint64_t boff;		/* buffer offset mapped at start */
	int strat, prot, thp, ofd, fmode;
	int ra;			/* 0, MADV_SEQUENTIAL or MADV_RANDOM */
	bool shared;
	unsigned char **cow;	/* MAP_PRIVATE: per page, our copy or NULL */
};

/* An open file description: shared by fork, so it lives in shm. */
struct ofd_m {
	int64_t pos;
	int refs;		/* fds and VMAs, in every process */
	int fmode;
	int node;		/* -1: /dev/mmapdemo (regions), else a strategy's */
	bool used;
};

/* The strategy nodes: a buffer offset, mapped with their strategy. */
static const char *const node_path[NSTRAT] = {
	[MMAPDEMO_STRATEGY_FAULT] = MMD_DEV "-fault",
	[MMAPDEMO_STRATEGY_BATCHED] = MMD_DEV "-batched",
	[MMAPDEMO_STRATEGY_HUGE] = MMD_DEV "-huge",
};

struct fd_m {
	int fd, ofd;
};

/* State every process of a run sees: the buffer model and the tallies. */
struct shm {
	uint64_t size;
	uint64_t opens, sigbus, resizes, mmaps[NSTRAT], remap_pages;
	int failed;
	char fail_tag[64];
	struct ofd_m ofd[MAXACT * OFD_SLOTS];
	unsigned char bytes[MODEL_MAX];
};

struct actor {
	int id;
	bool solo;
	uint64_t seed;
	uint64_t lo, hi;	/* the slice of the buffer this actor writes */
	struct vma_m v[MAXV];
	int nv;
	struct fd_m f[MAXF];
	int nf;
	int ctl;		/* O_RDWR fd for STATS, not part of the model */
	uint64_t live_base[NSTRAT];	/* VMAs of waiting ancestors */
	struct mmapdemo_stats st0;	/* counters when the run began */
	unsigned int opno, kind;
	bool skipped;
	char desc[200];
};

static struct shm *S;
static int verbose;
static bool dev_noexec;
/* What ran, over every process of the run (shared memory). */
struct tally {
	uint64_t run[OP_KINDS], skipped[OP_KINDS], refused[OP_KINDS];
	uint64_t sigbus, sigsegv;
};

static struct tally *T;

static __thread sigjmp_buf *touch_jmp;

static void on_fault_signal(int sig)
{
	if (touch_jmp)
		siglongjmp(*touch_jmp, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

static uint64_t rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t pick(uint64_t r, uint64_t n)
{
	return n ? r % n : 0;
}

static void gen_ops(uint64_t seed, struct op *ops, unsigned int n)
{
	unsigned int total = 0, i, k;
	uint64_t s = mix(seed) | 1;

	for (k = 0; k < OP_KINDS; k++)
		total += op_weight[k];
	for (i = 0; i < n; i++) {
		unsigned int w = rnd(&s) % total;

		for (k = 0; w >= op_weight[k]; k++)
			w -= op_weight[k];
		ops[i].kind = k;
		for (w = 0; w < 5; w++)
			ops[i].r[w] = rnd(&s);
	}
}

/* ---- reporting ---- */

static int mismatch(struct actor *a, const char *tag, const char *fmt, ...)
{
	va_list ap;

	if (!S->failed) {
		S->failed = 1;
		snprintf(S->fail_tag, sizeof(S->fail_tag), "%s", tag);
	}
	printf("# MISMATCH seed %llu actor %d op #%u %s: ",
	       (unsigned long long)a->seed, a->id, a->opno, a->desc);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return -1;
}

static const char *err_name(int e)
{
	static __thread char b[16];

	switch (e) {
	case 0: return "success";
	case EINVAL: return "EINVAL";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EBADF: return "EBADF";
	case EBUSY: return "EBUSY";
	case EFAULT: return "EFAULT";
	case ENOMEM: return "ENOMEM";
	case ENOSPC: return "ENOSPC";
	case ENOTTY: return "ENOTTY";
	case ENXIO: return "ENXIO";
	case EOVERFLOW: return "EOVERFLOW";
	case EAGAIN: return "EAGAIN";
	}
	snprintf(b, sizeof(b), "errno %d", e);
	return b;
}

/* An operation with nothing to work on (no fd, no VMA): counted apart. */
static int skip(struct actor *a)
{
	a->skipped = true;
	return 0;
}

/* Compare a call's outcome (0 or an errno) with the model's. */
static int expect_err(struct actor *a, const char *tag, int got, int want)
{
	if (got == want) {
		if (got)
			__atomic_add_fetch(&T->refused[a->kind], 1, __ATOMIC_RELAXED);
		return 0;
	}
	return mismatch(a, tag, "expected %s, got %s", err_name(want),
			err_name(got));
}

/* ---- the model ---- */

static uint64_t buf_pages(void)
{
	return S->size / PS;
}

static bool in_slice(struct actor *a, uint64_t boff)
{
	return boff >= a->lo && boff < a->hi && boff < S->size;
}

static bool mode_reads(int fmode)
{
	return (fmode & O_ACCMODE) != O_WRONLY;
}

static bool mode_writes(int fmode)
{
	return (fmode & O_ACCMODE) != O_RDONLY;
}

static void ofd_ref(int ofd, int delta)
{
	S->ofd[ofd].refs += delta;
	if (S->ofd[ofd].refs == 0)
		S->ofd[ofd].used = false;
}

static size_t vma_pages(const struct vma_m *v)
{
	return (v->end - v->start) / PS;
}

static void vma_drop_cow(struct vma_m *v, size_t from, size_t to)
{
	size_t i;

	if (!v->cow)
		return;
	for (i = from; i < to; i++) {
		free(v->cow[i]);
		v->cow[i] = NULL;
	}
}

static void vma_remove(struct actor *a, int i)
{
	struct vma_m *v = &a->v[i];

	vma_drop_cow(v, 0, vma_pages(v));
	free(v->cow);
	ofd_ref(v->ofd, -1);
	a->v[i] = a->v[--a->nv];
}

/* Split VMA i at addr (strictly inside it): the upper part is appended. */
static int vma_split(struct actor *a, int i, uintptr_t addr)
{
	struct vma_m *v = &a->v[i], *n;
	size_t lo_pages = (addr - v->start) / PS, hi_pages;

	/* Every caller makes room first; running out is a fuzzer bug. */
	if (a->nv == MAXV) {
		printf("# fuzzer bug: no room to split a model VMA\n");
		fflush(stdout);
		abort();
	}
	n = &a->v[a->nv++];
	*n = *v;
	n->start = addr;
	n->boff = v->boff + (addr - v->start);
	v->end = addr;
	hi_pages = vma_pages(n);
	if (v->cow) {
		n->cow = calloc(hi_pages, sizeof(*n->cow));
		memcpy(n->cow, v->cow + lo_pages, hi_pages * sizeof(*n->cow));
		v->cow = realloc(v->cow, lo_pages * sizeof(*v->cow));
	}
	ofd_ref(v->ofd, 1);
	return a->nv - 1;
}

/* Make [lo, hi) inside VMA i a VMA of its own; returns its index. */
static int vma_isolate(struct actor *a, int i, uintptr_t lo, uintptr_t hi)
{
	if (a->v[i].start < lo)
		i = vma_split(a, i, lo);
	if (a->v[i].end > hi)
		vma_split(a, i, hi);
	return i;
}

static void model_unmap(struct actor *a, uintptr_t lo, uintptr_t hi)
{
	int i;

	for (i = 0; i < a->nv; i++) {
		struct vma_m *v = &a->v[i];

		if (v->end <= lo || v->start >= hi)
			continue;
		i = vma_isolate(a, i, lo > v->start ? lo : v->start,
				hi < v->end ? hi : v->end);
		vma_remove(a, i);
		i = -1;		/* the array changed: start over */
	}
}

static int vma_find(struct actor *a, uintptr_t addr)
{
	int i;

	for (i = 0; i < a->nv; i++)
		if (addr >= a->v[i].start && addr < a->v[i].end)
			return i;
	return -1;
}

/* The byte a load at VMA offset @o must return (only if in the slice). */
static unsigned char model_byte(struct vma_m *v, size_t o)
{
	uint64_t boff = v->boff + o;

	if (v->cow && v->cow[o / PS])
		return v->cow[o / PS][o % PS];
	return S->bytes[boff];
}

static void cow_page(struct vma_m *v, size_t pg)
{
	if (v->cow[pg])
		return;
	v->cow[pg] = malloc(PS);
	memcpy(v->cow[pg], &S->bytes[v->boff + pg * PS], PS);
}

static void model_store(struct vma_m *v, size_t o, unsigned char val)
{
	if (v->shared) {
		S->bytes[v->boff + o] = val;
		return;
	}
	cow_page(v, o / PS);
	v->cow[o / PS][o % PS] = val;
}

/*
 * What the core does on populate (MAP_POPULATE, mlock): get_user_pages()
 * faults in every page up to the first one past the end of the buffer,
 * where the handler raises SIGBUS (counted in "sigbus").  GUP reports the
 * pages it got, and __mm_populate() calls it again at the failing page,
 * which faults a second time: two SIGBUS, unless the failing page was the
 * first.  A private writable VMA is populated for writing: every page
 * gets its private copy.  PFN maps (remap, huge) are skipped; a PROT_NONE
 * VMA fails at once (no FOLL_FORCE for it).
 */
static void model_populate(struct vma_m *v, uintptr_t lo, uintptr_t hi)
{
	uintptr_t p;

	if (v->strat == MMAPDEMO_STRATEGY_REMAP ||
	    v->strat == MMAPDEMO_STRATEGY_HUGE || v->prot == PROT_NONE)
		return;
	for (p = lo; p < hi; p += PS) {
		if (v->boff + (p - v->start) >= S->size) {
			__atomic_add_fetch(&S->sigbus, p == lo ? 1 : 2,
					   __ATOMIC_RELAXED);
			return;
		}
		if (!v->shared && (v->prot & PROT_WRITE))
			cow_page(v, (p - v->start) / PS);
	}
}

/* Whether populating [lo, hi) fails (mlock() then says ENOMEM). */
static bool populate_fails(struct vma_m *v, uintptr_t lo, uintptr_t hi)
{
	if (v->strat == MMAPDEMO_STRATEGY_REMAP ||
	    v->strat == MMAPDEMO_STRATEGY_HUGE)
		return false;
	return v->prot == PROT_NONE || v->boff + (hi - v->start) > S->size;
}

/* ---- checks against the driver's counters ---- */

static int check_stats(struct actor *a)
{
	uint64_t live[NSTRAT] = { 0 }, lt = 0, open = 0, sum = 0;
	struct mmapdemo_stats st;
	int i, s;

	if (ioctl(a->ctl, MMAPDEMO_IOC_STATS, &st))
		return mismatch(a, "stats", "STATS: %s", strerror(errno));
	for (i = 0; i < a->nv; i++)
		live[a->v[i].strat]++;
	for (i = 0; i < MAXACT * OFD_SLOTS; i++)
		open += S->ofd[i].used && S->ofd[i].refs > 0;
	for (s = 0; s < NSTRAT; s++) {
		live[s] += a->live_base[s];
		lt += live[s];
		if (st.strategy[s].live_maps != live[s])
			return mismatch(a, "stats live_maps",
					"strategy %d live_maps %llu, model %llu",
					s, (unsigned long long)st.strategy[s].live_maps,
					(unsigned long long)live[s]);
		if (st.strategy[s].mmaps - a->st0.strategy[s].mmaps != S->mmaps[s])
			return mismatch(a, "stats mmaps",
					"strategy %d mmaps +%llu, model +%llu", s,
					(unsigned long long)(st.strategy[s].mmaps -
							     a->st0.strategy[s].mmaps),
					(unsigned long long)S->mmaps[s]);
		sum += st.strategy[s].faults;
	}
	if (st.live_maps != lt)
		return mismatch(a, "stats live_maps", "live_maps %llu, model %llu",
				(unsigned long long)st.live_maps,
				(unsigned long long)lt);
	if (st.faults != sum)
		return mismatch(a, "stats faults", "faults %llu != sum %llu",
				(unsigned long long)st.faults,
				(unsigned long long)sum);
	if (st.strategy[MMAPDEMO_STRATEGY_REMAP].faults !=
	    a->st0.strategy[MMAPDEMO_STRATEGY_REMAP].faults)
		return mismatch(a, "stats remap faults", "remap faulted");
	if (st.strategy[MMAPDEMO_STRATEGY_REMAP].pages_mapped -
	    a->st0.strategy[MMAPDEMO_STRATEGY_REMAP].pages_mapped != S->remap_pages)
		return mismatch(a, "stats remap pages", "remap pages_mapped +%llu, model +%llu",
				(unsigned long long)(st.strategy[0].pages_mapped -
						     a->st0.strategy[0].pages_mapped),
				(unsigned long long)S->remap_pages);
	if (st.open_files != a->st0.open_files + open)
		return mismatch(a, "stats open_files", "open_files %llu, model %llu",
				(unsigned long long)st.open_files,
				(unsigned long long)(a->st0.open_files + open));
	if (st.opens - a->st0.opens != S->opens)
		return mismatch(a, "stats opens", "opens +%llu, model +%llu",
				(unsigned long long)(st.opens - a->st0.opens),
				(unsigned long long)S->opens);
	if (st.sigbus - a->st0.sigbus != S->sigbus)
		return mismatch(a, "stats sigbus", "sigbus +%llu, model +%llu",
				(unsigned long long)(st.sigbus - a->st0.sigbus),
				(unsigned long long)S->sigbus);
	if (st.resizes - a->st0.resizes != S->resizes)
		return mismatch(a, "stats resizes", "resizes +%llu, model +%llu",
				(unsigned long long)(st.resizes - a->st0.resizes),
				(unsigned long long)S->resizes);
	return 0;
}

/* The kernel's CHECKSUM of the actor's slice against the model's. */
static int check_slice(struct actor *a, int fd)
{
	struct mmapdemo_checksum c = { 0 };
	uint64_t hi = a->hi < S->size ? a->hi : S->size;

	if (a->lo >= hi)
		return 0;
	c.offset = a->lo;
	c.length = hi - a->lo;
	if (ioctl(fd, MMAPDEMO_IOC_CHECKSUM, &c))
		return mismatch(a, "checksum", "CHECKSUM: %s", strerror(errno));
	if (c.sum != mmd_fnv1a(&S->bytes[a->lo], c.length))
		return mismatch(a, "checksum slice",
				"the kernel's bytes %#llx-%#llx differ from the model",
				(unsigned long long)a->lo, (unsigned long long)hi);
	return 0;
}

/* ---- operations ---- */

static int own_fd(struct actor *a, uint64_t r)
{
	return a->nf ? (int)pick(r, a->nf) : -1;
}

static int do_open(struct actor *a, struct op *op)
{
	static const int modes[] = { O_RDWR, O_RDWR, O_RDWR, O_RDONLY,
				     O_RDONLY, O_WRONLY };
	int fmode = modes[pick(op->r[0], 6)], fd, i, slot = -1;
	/* Half the opens are of a strategy node (the remap one has regions). */
	int node = pick(op->r[0] >> 8, 2) ? -1 : 1 + (int)pick(op->r[0] >> 16, 3);
	const char *path = node < 0 ? MMD_DEV : node_path[node];

	for (i = a->id * OFD_SLOTS; i < (a->id + 1) * OFD_SLOTS; i++)
		if (!S->ofd[i].used) {
			slot = i;
			break;
		}
	snprintf(a->desc, sizeof(a->desc), "open(%s, %s)", path,
		 fmode == O_RDWR ? "O_RDWR" : fmode == O_RDONLY ? "O_RDONLY" : "O_WRONLY");
	if (a->nf == MAXF || slot < 0)
		return skip(a);
	fd = open(path, fmode | O_CLOEXEC);
	if (fd < 0)
		return mismatch(a, "open", "%s", strerror(errno));
	__atomic_add_fetch(&S->opens, 1, __ATOMIC_RELAXED);
	S->ofd[slot] = (struct ofd_m){ .pos = 0, .refs = 1, .fmode = fmode,
				       .node = node, .used = true };
	a->f[a->nf++] = (struct fd_m){ .fd = fd, .ofd = slot };
	return 0;
}

static int do_close(struct actor *a, struct op *op)
{
	int i = own_fd(a, op->r[0]);

	snprintf(a->desc, sizeof(a->desc), "close");
	if (i < 0)
		return skip(a);
	snprintf(a->desc, sizeof(a->desc), "close(fd %d)", a->f[i].fd);
	if (close(a->f[i].fd))
		return mismatch(a, "close", "%s", strerror(errno));
	ofd_ref(a->f[i].ofd, -1);
	a->f[i] = a->f[--a->nf];
	return 0;
}

static const int prots[] = {
	PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE,
	PROT_READ, PROT_READ, PROT_NONE, PROT_WRITE, PROT_READ | PROT_EXEC,
};

struct mmap_req {
	uint64_t off, len;
	int prot, flags, strat, fi, node;
	bool shared;
};

static void gen_mmap(struct actor *a, struct op *op, struct mmap_req *m)
{
	uint64_t r0 = op->r[0], r1 = op->r[1], r2 = op->r[2];
	uint64_t np = buf_pages(), first, npages;
	int region = pick(r0, 9);

	m->strat = region < 8 ? region % NSTRAT : 4 + pick(r0 >> 40, 4);
	m->shared = pick(r0 >> 8, 4) != 0;
	/* A private writable mapping is charged to overcommit: keep it small. */
	m->prot = prots[pick(r0 >> 16, 8)];
	m->flags = (m->shared ? MAP_SHARED : MAP_PRIVATE) |
		   (pick(r0 >> 24, 5) == 0 ? MAP_POPULATE : 0);
	m->fi = own_fd(a, r0 >> 32);

	/*
	 * Two mmap() calls in three are well formed (and should succeed),
	 * so that the other operations have mappings to work on; the third
	 * draws every argument from its whole range.
	 */
	if (pick(r0 >> 56, 3)) {
		int i;

		if (m->strat >= NSTRAT)
			m->strat = pick(r0 >> 40, NSTRAT);
		if (m->prot & PROT_EXEC)
			m->prot = PROT_READ | PROT_WRITE;
		if (m->strat == MMAPDEMO_STRATEGY_REMAP ||
		    m->strat == MMAPDEMO_STRATEGY_HUGE)
			m->shared = true;
		m->flags = (m->flags & ~(MAP_SHARED | MAP_PRIVATE)) |
			   (m->shared ? MAP_SHARED : MAP_PRIVATE);
		/* An fd that allows the mapping, if there is one. */
		for (i = 0; m->fi >= 0 && i < a->nf; i++) {
			int fm = S->ofd[a->f[(m->fi + i) % a->nf].ofd].fmode;

			if (mode_reads(fm) &&
			    (mode_writes(fm) || !m->shared || !(m->prot & PROT_WRITE))) {
				m->fi = (m->fi + i) % a->nf;
				break;
			}
		}
		r1 = pick(r1, 9) | (r1 & ~0xffULL);
		r2 = pick(r2, 8) | (r2 & ~0xffULL);
	}
	/* A strategy node maps with its strategy, whatever was drawn. */
	m->node = m->fi >= 0 ? S->ofd[a->f[m->fi].ofd].node : -1;
	if (m->node >= 0) {
		m->strat = m->node;
		if (pick(r0 >> 56, 3) && m->strat == MMAPDEMO_STRATEGY_HUGE &&
		    !m->shared) {
			m->shared = true;
			m->flags = (m->flags & ~MAP_PRIVATE) | MAP_SHARED;
		}
	}

	/* Offset: mostly inside the buffer, sometimes past it or absurd. */
	switch (pick(r1 & 0xff, 12)) {
	case 0 ... 8:
		first = pick(r1 >> 8, np);
		/* Concurrent: map near the own slice, where the actor looks. */
		if (!a->solo && pick(r1 >> 48, 4))
			first = a->lo / PS + pick(r1 >> 8, (a->hi - a->lo) / PS);
		m->off = first * PS;
		break;
	case 9:
		m->off = (np + pick(r1 >> 8, 3)) * PS;
		break;
	case 10:
		m->off = pick(r1 >> 8, np) * PS + 1 + pick(r1 >> 20, PS - 1);
		break;
	default: {
		static const uint64_t odd[] = {
			MMAPDEMO_REGION_SIZE - PS, ~0ULL - PS + 1,
			1ULL << 63, MMAPDEMO_REGION_SIZE - 2 * PS,
		};
		m->off = odd[pick(r1 >> 8, 4)];
		break;
	}
	}
	if (m->off < MMAPDEMO_REGION_SIZE && m->node < 0)
		m->off += MMAPDEMO_OFFSET(m->strat);

	/* Length: mostly a few pages, sometimes past the end or absurd. */
	first = (m->off % MMAPDEMO_REGION_SIZE) / PS;
	npages = np > first ? np - first : 1;
	switch (pick(r2 & 0xff, 12)) {
	case 0 ... 7:
		m->len = (1 + pick(r2 >> 8, npages < 40 ? npages : 40)) * PS;
		if (pick(r2 >> 32, 4) == 0)
			m->len -= pick(r2 >> 40, PS - 1);	/* unaligned */
		if (pick(r2 >> 56, 6) == 0 && npages > 40)	/* all of it */
			m->len = npages * PS;
		break;
	case 8:
	case 9:
		m->len = (npages + 1 + pick(r2 >> 8, 20)) * PS;
		break;
	case 10:
		m->len = 0;
		break;
	default: {
		static const uint64_t odd[] = {
			~0ULL, ~0ULL - PS, 1ULL << 48, 1ULL << 40, 1ULL << 30,
		};
		m->len = odd[pick(r2 >> 8, 5)];
		if (!m->shared && (m->prot & PROT_WRITE) && m->len < (1ULL << 48))
			m->len = 1ULL << 48;
		break;
	}
	}
}

/*
 * The errno mmap() must fail with, in the order the kernel and then
 * mmapdemo_mmap() check.
 */
static int mmap_expect(struct mmap_req *m, int fmode)
{
	uint64_t alen, region, first, npages;

	if (m->off % PS)
		return EINVAL;		/* mmap(2) itself */
	if (!m->len)
		return EINVAL;		/* do_mmap() */
	alen = (m->len + PS - 1) & ~(PS - 1);
	if (!alen || alen > TASK_TOP - (1ULL << 32))
		return ENOMEM;		/* no room: get_unmapped_area() */
	if (m->off > ~0ULL - alen)
		return EOVERFLOW;	/* offset + length wraps */
	if (m->shared && (m->prot & PROT_WRITE) && !mode_writes(fmode))
		return EACCES;
	if (!mode_reads(fmode))
		return EACCES;
	if (dev_noexec && (m->prot & PROT_EXEC))
		return EPERM;		/* a noexec mount of /dev */
	/*
	 * The commit charge, as in vm.overcommit_memory 0 with less than
	 * 1 TiB of RAM + swap and no MAP_NORESERVE (never passed here);
	 * mmapdemo_test's private_tib_overcommit checks the other cases.
	 */
	if (!m->shared && (m->prot & PROT_WRITE) && alen >= (1ULL << 40))
		return ENOMEM;
	region = m->off / MMAPDEMO_REGION_SIZE;
	/* A strategy node: the offset is a buffer offset, region 0 only. */
	if (m->node >= 0)
		region = region ? NSTRAT : (uint64_t)m->node;
	if (region >= NSTRAT)
		return EINVAL;
	if (m->prot & PROT_EXEC)
		return EPERM;
	if (!m->shared && (region == MMAPDEMO_STRATEGY_REMAP ||
			   region == MMAPDEMO_STRATEGY_HUGE))
		return EINVAL;
	first = (m->off % MMAPDEMO_REGION_SIZE) / PS;
	npages = alen / PS;
	if (npages > MMAPDEMO_REGION_SIZE / PS - first)
		return EINVAL;
	if (first >= buf_pages())
		return EINVAL;
	if (region == MMAPDEMO_STRATEGY_REMAP && npages > buf_pages() - first)
		return EINVAL;
	return 0;
}

/*
 * ---- the mmap() policy table (docs/policy.md) ----
 *
 * "mmapdemo_fuzz --policy" prints the table of docs/policy.md's mmap()
 * section as this model sees it, for scripts/policy-check to compare
 * with the file.  A row is a set of calls; a call's result is that of the
 * first row that matches it, as a reader of the table finds it.  Every
 * call of the input space below is judged by mmap_expect(), the model the
 * fuzzer checks the driver against; a row's result is the verdict on the
 * calls it is the first match of (all of them, joined by "or" when they
 * differ), and a call no row matches is printed as "# no row: ...".
 */
#define POL_PAGES	16	/* the buffer: 64 KiB */

enum {
	PN_REMAP, PN_FAULT, PN_BATCHED, PN_HUGE,	/* regions of MMD_DEV */
	PN_REGION4, PN_REGION1000,
	PN_NODE_FAULT, PN_NODE_BATCHED, PN_NODE_HUGE,	/* at buffer offsets */
	PN_NODE_FAULT_R, PN_NODE_BATCHED_R, PN_NODE_HUGE_R, /* at regions */
	PN_N
};

enum {
	PO_ZERO, PO_INSIDE, PO_LAST, PO_UNALIGNED, PO_END, PO_PAST,
	PO_REGION_END, PO_WRAP, PO_N
};

enum {
	PL_PAGE, PL_BYTES, PL_TO_END, PL_PAST_END, PL_ZERO, PL_CROSS,
	PL_HUGE, PL_N
};

static const int pol_modes[] = { O_RDONLY, O_WRONLY, O_RDWR };
static const int pol_prots[] = {
	PROT_NONE, PROT_READ, PROT_WRITE, PROT_READ | PROT_WRITE,
	PROT_READ | PROT_EXEC, PROT_READ | PROT_WRITE | PROT_EXEC,
};

#define POL_ALL		~0U
#define POL(x)		(1U << (x))
#define POL_STRATS(s)	(POL(PN_##s) | POL(PN_NODE_##s))

struct pol_row {
	const char *cell[6];	/* node, fd, flags, prot, offset, length */
	unsigned int node, off, len;	/* bit N: value N of that enum */
	int mode;		/* O_RDONLY, O_WRONLY, O_RDWR or -1: any */
	int shared;		/* 1: MAP_SHARED, 0: MAP_PRIVATE, -1: any */
	int prot;		/* bits the prot must have, 0: any */
	bool tib;		/* only lengths of 1 TiB or more */
};

static const struct pol_row pol_rows[] = {
	{ { "any", "any", "any", "any", "not page-aligned", "any" },
	  POL_ALL, POL(PO_UNALIGNED), POL_ALL, -1, -1, 0, false },
	{ { "any", "any", "any", "any", "any", "0" },
	  POL_ALL, POL_ALL, POL(PL_ZERO), -1, -1, 0, false },
	{ { "any", "any", "any", "any", "any", "more than the address space" },
	  POL_ALL, POL_ALL, POL(PL_HUGE), -1, -1, 0, false },
	{ { "any", "any", "any", "any", "offset + length wraps past 2^64", "any" },
	  POL_ALL, POL(PO_WRAP), POL_ALL, -1, -1, 0, false },
	{ { "any", "`O_RDONLY`", "`MAP_SHARED`", "with `PROT_WRITE`", "any", "any" },
	  POL_ALL, POL_ALL, POL_ALL, O_RDONLY, 1, PROT_WRITE, false },
	{ { "any", "`O_WRONLY`", "any", "any", "any", "any" },
	  POL_ALL, POL_ALL, POL_ALL, O_WRONLY, -1, 0, false },
	{ { "any", "any", "`MAP_PRIVATE`", "with `PROT_WRITE`", "any", "1 TiB or more" },
	  POL_ALL, POL_ALL, POL_ALL, -1, 0, PROT_WRITE, true },
	{ { "no strategy: region 4 or above, a node at a region offset",
	    "any", "any", "any", "any", "any" },
	  POL(PN_REGION4) | POL(PN_REGION1000) | POL(PN_NODE_FAULT_R) |
	  POL(PN_NODE_BATCHED_R) | POL(PN_NODE_HUGE_R),
	  POL_ALL, POL_ALL, -1, -1, 0, false },
	{ { "any", "any", "any", "with `PROT_EXEC`", "any", "any" },
	  POL_ALL, POL_ALL, POL_ALL, -1, -1, PROT_EXEC, false },
	{ { "remap, huge", "any", "`MAP_PRIVATE`", "any", "any", "any" },
	  POL(PN_REMAP) | POL_STRATS(HUGE), POL_ALL, POL_ALL, -1, 0, 0, false },
	{ { "any", "any", "any", "any", "any", "into the next region" },
	  POL_ALL, POL_ALL, POL(PL_CROSS), -1, -1, 0, false },
	{ { "any", "any", "any", "any", "at or past the end of the buffer", "any" },
	  POL_ALL, POL(PO_END) | POL(PO_PAST) | POL(PO_REGION_END), POL_ALL,
	  -1, -1, 0, false },
	{ { "remap", "any", "any", "any", "any", "past the end of the buffer" },
	  POL(PN_REMAP), POL_ALL, POL(PL_PAST_END), -1, -1, 0, false },
	{ { "fault, batched, huge", "any", "any", "any", "any",
	    "past the end of the buffer" },
	  POL_STRATS(FAULT) | POL_STRATS(BATCHED) | POL_STRATS(HUGE), POL_ALL,
	  POL(PL_PAST_END), -1, -1, 0, false },
	{ { "any", "any", "any", "any", "any", "any" },
	  POL_ALL, POL_ALL, POL_ALL, -1, -1, 0, false },
};

#define POL_ROWS	ARRAY_SIZE(pol_rows)

/* The call of one point of the input space. */
static void pol_req(struct mmap_req *m, int node, int off, int len)
{
	static const __u64 offs[PO_N] = {
		[PO_ZERO] = 0, [PO_INSIDE] = 4 * PS,
		[PO_LAST] = (POL_PAGES - 1) * PS, [PO_UNALIGNED] = 4 * PS + 1,
		[PO_END] = POL_PAGES * PS, [PO_PAST] = (POL_PAGES + 2) * PS,
		[PO_REGION_END] = MMAPDEMO_REGION_SIZE - PS,
		[PO_WRAP] = ~0ULL - PS + 1,
	};
	__u64 o = offs[off], rest = POL_PAGES * PS > o ? POL_PAGES * PS - o : 0;

	m->node = -1;
	m->strat = node < PN_REGION4 ? node : -1;
	if (node >= PN_NODE_FAULT)
		m->node = MMAPDEMO_STRATEGY_FAULT + (node - PN_NODE_FAULT) % 3;
	m->off = o;
	if (off != PO_WRAP) {
		if (node <= PN_HUGE)
			m->off += MMAPDEMO_OFFSET(node);
		else if (node == PN_REGION4)
			m->off += MMAPDEMO_OFFSET(4);
		else if (node == PN_REGION1000)
			m->off += MMAPDEMO_OFFSET(1000);
		else if (node >= PN_NODE_FAULT_R)
			m->off += MMAPDEMO_OFFSET(1);
	}
	switch (len) {
	case PL_PAGE:
		m->len = PS;
		break;
	case PL_BYTES:
		m->len = 100;
		break;
	case PL_TO_END:		/* outside the buffer: a page */
		m->len = rest ? rest : PS;
		break;
	case PL_PAST_END:
		m->len = (rest ? rest : PS) + 2 * PS;
		break;
	case PL_ZERO:
		m->len = 0;
		break;
	case PL_CROSS:		/* to a page into the next region */
		m->len = MMAPDEMO_REGION_SIZE - o % MMAPDEMO_REGION_SIZE + PS;
		break;
	default:
		m->len = 1ULL << 48;
		break;
	}
}

static bool pol_match(const struct pol_row *r, const struct mmap_req *m,
		      int node, int mode, int off, int len)
{
	return (r->node & POL(node)) && (r->off & POL(off)) &&
	       (r->len & POL(len)) && (r->mode < 0 || r->mode == mode) &&
	       (r->shared < 0 || r->shared == m->shared) &&
	       (m->prot & r->prot) == r->prot &&
	       (!r->tib || m->len >= MMAPDEMO_REGION_SIZE);
}

static const char *pol_verdict(int e)
{
	static char b[32];

	if (!e)
		return "maps";
	snprintf(b, sizeof(b), "`%s`", err_name(e));
	return b;
}

static int policy_table(void)
{
	const unsigned int nmodes = ARRAY_SIZE(pol_modes);
	const unsigned int nprots = ARRAY_SIZE(pol_prots);
	const unsigned int calls = PN_N * nmodes * 2 * nprots * PO_N * PL_N;
	static int seen[POL_ROWS][8];
	unsigned int nseen[POL_ROWS] = { 0 };
	unsigned int c, i, k, homeless = 0;
	struct mmap_req m;

	S = calloc(1, sizeof(*S));
	if (!S)
		return KSFT_FAIL;
	S->size = POL_PAGES * PS;
	dev_noexec = false;
	for (c = 0; c < calls; c++) {
		unsigned int x = c, len, off, prot, shared, mode, node;
		int want;

		len = x % PL_N;
		x /= PL_N;
		off = x % PO_N;
		x /= PO_N;
		prot = x % nprots;
		x /= nprots;
		shared = x % 2;
		x /= 2;
		mode = pol_modes[x % nmodes];
		node = x / nmodes;

		memset(&m, 0, sizeof(m));
		pol_req(&m, node, off, len);
		m.shared = shared;
		m.prot = pol_prots[prot];
		m.flags = shared ? MAP_SHARED : MAP_PRIVATE;
		want = mmap_expect(&m, mode);
		for (i = 0; i < POL_ROWS; i++)
			if (pol_match(&pol_rows[i], &m, node, mode, off, len))
				break;
		if (i == POL_ROWS) {
			printf("# no row: node %u mode %u flags %#x prot %d %#llx+%#llx: %s\n",
			       node, mode, m.flags, m.prot, (unsigned long long)m.off,
			       (unsigned long long)m.len, pol_verdict(want));
			homeless++;
			continue;
		}
		for (k = 0; k < nseen[i] && seen[i][k] != want; k++)
			;
		if (k == nseen[i] && k < ARRAY_SIZE(seen[i]))
			seen[i][nseen[i]++] = want;
	}
	printf("| node | fd | flags | prot | offset | length | result |\n");
	for (i = 0; i < POL_ROWS; i++) {
		const struct pol_row *r = &pol_rows[i];

		printf("| %s | %s | %s | %s | %s | %s | ", r->cell[0],
		       r->cell[1], r->cell[2], r->cell[3], r->cell[4], r->cell[5]);
		if (!nseen[i])
			printf("no call");
		for (k = 0; k < nseen[i]; k++)
			printf("%s%s", k ? " or " : "", pol_verdict(seen[i][k]));
		printf(" |\n");
	}
	printf("# %u calls judged by the model, %u under no row\n", calls,
	       homeless);
	return KSFT_PASS;
}

static void model_mapped(struct actor *a, struct mmap_req *m, uintptr_t addr)
{
	struct vma_m *v = &a->v[a->nv++];
	uint64_t alen = (m->len + PS - 1) & ~(PS - 1);

	*v = (struct vma_m){
		.start = addr, .end = addr + alen,
		.boff = m->off % MMAPDEMO_REGION_SIZE, .strat = m->strat,
		.prot = m->prot, .ofd = a->f[m->fi].ofd,
		.fmode = S->ofd[a->f[m->fi].ofd].fmode, .shared = m->shared,
	};
	if (!m->shared)
		v->cow = calloc(alen / PS, sizeof(*v->cow));
	ofd_ref(v->ofd, 1);
	__atomic_add_fetch(&S->mmaps[m->strat], 1, __ATOMIC_RELAXED);
	if (m->strat == MMAPDEMO_STRATEGY_REMAP)
		__atomic_add_fetch(&S->remap_pages, alen / PS, __ATOMIC_RELAXED);
	if (m->flags & MAP_POPULATE)
		model_populate(v, v->start, v->end);
}

static void describe_mmap(struct actor *a, const char *what,
			  struct mmap_req *m, uintptr_t at)
{
	snprintf(a->desc, sizeof(a->desc),
		 "%s(%#lx, len %#llx, prot %d, %s%s, fd %d, off %#llx)", what,
		 (unsigned long)at, (unsigned long long)m->len, m->prot,
		 m->shared ? "MAP_SHARED" : "MAP_PRIVATE",
		 m->flags & MAP_POPULATE ? "|MAP_POPULATE" : "",
		 m->fi >= 0 ? a->f[m->fi].fd : -1, (unsigned long long)m->off);
}

static int do_mmap(struct actor *a, struct op *op, bool fixed)
{
	struct mmap_req m;
	uintptr_t at = 0;
	void *p;
	int want, got, vi = -1;

	gen_mmap(a, op, &m);
	if (m.fi < 0 || a->nv >= MAXV - 4) {
		snprintf(a->desc, sizeof(a->desc), "mmap (no fd or too many VMAs)");
		return skip(a);
	}
	want = mmap_expect(&m, S->ofd[a->f[m.fi].ofd].fmode);
	if (fixed && a->nv && !want) {
		/* Over a range of an existing VMA: it replaces that range. */
		struct vma_m *v;
		uint64_t alen = (m.len + PS - 1) & ~(PS - 1);

		vi = pick(op->r[3], a->nv);
		v = &a->v[vi];
		at = v->start + pick(op->r[3] >> 32, vma_pages(v)) * PS;
		if (alen > TASK_TOP - at || vma_find(a, at + alen - 1) < 0) {
			vi = -1;	/* would reach what we do not own */
			at = 0;
		} else {
			/* ... and every page in between must be ours. */
			uintptr_t q;

			for (q = at; q < at + alen; q += PS)
				if (vma_find(a, q) < 0)
					break;
			if (q < at + alen) {
				vi = -1;
				at = 0;
			}
		}
	}
	describe_mmap(a, vi >= 0 ? "mmap-fixed" : "mmap", &m, at);
	p = mmap((void *)at, m.len, m.prot, m.flags | (vi >= 0 ? MAP_FIXED : 0),
		 a->f[m.fi].fd, m.off);
	got = p == MAP_FAILED ? errno : 0;
	if (expect_err(a, "mmap errno", got, want)) {
		if (!got)
			munmap(p, m.len);
		return -1;
	}
	if (got)
		return 0;
	if (vi >= 0) {
		if ((uintptr_t)p != at)
			return mismatch(a, "mmap fixed", "MAP_FIXED gave %p", p);
		model_unmap(a, at, at + ((m.len + PS - 1) & ~(PS - 1)));
	}
	/* thp_get_unmapped_area() aligns when a whole 2 MiB block fits. */
	if (m.strat == MMAPDEMO_STRATEGY_HUGE && vi < 0 &&
	    ((m.off + m.len) & ~((2ULL << 20) - 1)) >=
	    ((m.off + (2ULL << 20) - 1) & ~((2ULL << 20) - 1)) + (2ULL << 20) &&
	    ((uintptr_t)p - m.off) % (2UL << 20))
		return mismatch(a, "huge placement",
				"huge mapping at %p, not on the 2 MiB grid of its offset", p);
	model_mapped(a, &m, (uintptr_t)p);
	return 0;
}

/* A random range [*lo, *hi) of a random own VMA, page-aligned. */
static int pick_range(struct actor *a, uint64_t r, uintptr_t *lo, uintptr_t *hi)
{
	struct vma_m *v;
	size_t np, s, n;
	int i;

	if (!a->nv)
		return -1;
	i = pick(r, a->nv);
	v = &a->v[i];
	np = vma_pages(v);
	switch (pick(r >> 8, 4)) {
	case 0:
		s = 0;
		n = np;
		break;
	case 1:
		s = 0;
		n = 1 + pick(r >> 16, np);
		break;
	case 2:
		s = pick(r >> 16, np);
		n = np - s;
		break;
	default:
		s = pick(r >> 16, np);
		n = 1 + pick(r >> 32, np - s);
		break;
	}
	if (n > 64 && pick(r >> 48, 2))
		n = 64;
	*lo = v->start + s * PS;
	*hi = *lo + n * PS;
	return i;
}

static int do_munmap(struct actor *a, struct op *op)
{
	uintptr_t lo, hi, q;
	int i = pick_range(a, op->r[0], &lo, &hi);

	snprintf(a->desc, sizeof(a->desc), "munmap");
	/* Room for the model to split the first and the last VMA. */
	if (i < 0 || a->nv >= MAXV - 2)
		return skip(a);
	/* Sometimes the whole run of adjacent own VMAs after lo. */
	if (pick(op->r[1], 3) == 0)
		for (q = hi; vma_find(a, q) >= 0; q = a->v[vma_find(a, q)].end)
			hi = a->v[vma_find(a, q)].end;
	snprintf(a->desc, sizeof(a->desc), "munmap(%#lx, %#lx)",
		 (unsigned long)lo, (unsigned long)(hi - lo));
	if (munmap((void *)lo, hi - lo))
		return mismatch(a, "munmap", "%s", strerror(errno));
	model_unmap(a, lo, hi);
	return 0;
}

static int do_mprotect(struct actor *a, struct op *op)
{
	static const int p[] = { PROT_READ | PROT_WRITE, PROT_READ, PROT_NONE,
				 PROT_READ | PROT_EXEC, PROT_WRITE,
				 PROT_READ | PROT_WRITE };
	int prot = p[pick(op->r[1], 6)], want = 0, got;
	uintptr_t lo, hi;
	struct vma_m *v;
	int i = pick_range(a, op->r[0], &lo, &hi);

	snprintf(a->desc, sizeof(a->desc), "mprotect");
	if (i < 0 || a->nv >= MAXV - 2)
		return skip(a);
	v = &a->v[i];
	snprintf(a->desc, sizeof(a->desc), "mprotect(%#lx, %#lx, %d) of a %s %s VMA",
		 (unsigned long)lo, (unsigned long)(hi - lo), prot,
		 v->shared ? "shared" : "private",
		 mode_writes(v->fmode) ? "rw" : "read-only-fd");
	/* VM_MAYEXEC is clear; VM_MAYWRITE too for shared maps of O_RDONLY. */
	if ((prot & PROT_EXEC) ||
	    ((prot & PROT_WRITE) && v->shared && !mode_writes(v->fmode)))
		want = EACCES;
	got = mprotect((void *)lo, hi - lo, prot) ? errno : 0;
	if (expect_err(a, "mprotect errno", got, want))
		return -1;
	if (!got && prot != v->prot) {
		i = vma_isolate(a, i, lo, hi);
		a->v[i].prot = prot;
	}
	return 0;
}

static int do_mremap(struct actor *a, struct op *op)
{
	uintptr_t lo, hi, dest = 0;
	size_t ol, nl;
	struct vma_m *v;
	int i = pick_range(a, op->r[0], &lo, &hi), kind, want = 0, flags = 0;
	void *p, *ph = NULL;

	snprintf(a->desc, sizeof(a->desc), "mremap");
	if (i < 0 || a->nv >= MAXV - 3)
		return skip(a);
	v = &a->v[i];
	ol = hi - lo;
	kind = pick(op->r[1], 6);
	switch (kind) {
	case 0:			/* shrink in place */
		if (ol < 2 * PS)
			return skip(a);
		nl = (1 + pick(op->r[2], ol / PS - 1)) * PS;
		break;
	case 1:			/* grow in place: VM_DONTEXPAND */
	case 2:			/* grow, may move: the same */
		nl = ol + (1 + pick(op->r[2], 4)) * PS;
		flags = kind == 2 ? MREMAP_MAYMOVE : 0;
		want = EFAULT;
		break;
	case 3:			/* move, maybe shrinking */
	case 4:
		nl = (1 + pick(op->r[2], ol / PS)) * PS;
		flags = MREMAP_MAYMOVE | MREMAP_FIXED;
		break;
	default:		/* keep the old one too: not for device VMAs */
		nl = ol;
		flags = MREMAP_MAYMOVE | MREMAP_DONTUNMAP;
		want = EINVAL;
		break;
	}
	if (flags & MREMAP_FIXED) {
		ph = mmap(NULL, nl, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (ph == MAP_FAILED)
			return mismatch(a, "mremap", "placeholder: %s", strerror(errno));
		dest = (uintptr_t)ph;
	}
	snprintf(a->desc, sizeof(a->desc), "mremap(%#lx, %#zx, %#zx, %s, %#lx) of a %s VMA",
		 (unsigned long)lo, ol, nl,
		 kind == 0 ? "0" : kind == 1 ? "0 (grow)" : kind == 2 ? "MAYMOVE (grow)" :
		 kind < 5 ? "MAYMOVE|FIXED" : "MAYMOVE|DONTUNMAP",
		 (unsigned long)dest, v->shared ? "shared" : "private");
	p = mremap((void *)lo, ol, nl, flags, (void *)dest);
	if (expect_err(a, "mremap errno", p == MAP_FAILED ? errno : 0, want))
		return -1;
	if (p == MAP_FAILED) {
		if (ph)
			munmap(ph, nl);
		return 0;
	}
	if (kind == 0) {
		model_unmap(a, lo + nl, hi);
		return 0;
	}
	if (p != ph)
		return mismatch(a, "mremap", "moved to %p, not %p", p, ph);
	/* The moved part becomes a VMA of its own at dest. */
	model_unmap(a, lo + nl, hi);
	i = vma_isolate(a, vma_find(a, lo), lo, lo + nl);
	v = &a->v[i];
	v->start = dest;
	v->end = dest + nl;
	return 0;
}

static int do_madvise(struct actor *a, struct op *op)
{
	static const int adv[] = { MADV_DONTNEED, MADV_WILLNEED, MADV_HUGEPAGE,
				   MADV_NOHUGEPAGE, MADV_COLD, MADV_PAGEOUT,
				   MADV_DONTNEED, MADV_SEQUENTIAL, MADV_RANDOM,
				   MADV_NORMAL };
	static const char *const names[] = { "DONTNEED", "WILLNEED", "HUGEPAGE",
					     "NOHUGEPAGE", "COLD", "PAGEOUT",
					     "DONTNEED", "SEQUENTIAL", "RANDOM",
					     "NORMAL" };
	int k = pick(op->r[1], 10), want = 0, got, ra;
	uintptr_t lo, hi;
	struct vma_m *v;
	int i = pick_range(a, op->r[0], &lo, &hi);
	bool pfn;

	snprintf(a->desc, sizeof(a->desc), "madvise");
	if (i < 0 || a->nv >= MAXV - 2)
		return skip(a);
	v = &a->v[i];
	pfn = v->strat == MMAPDEMO_STRATEGY_REMAP || v->strat == MMAPDEMO_STRATEGY_HUGE;
	snprintf(a->desc, sizeof(a->desc), "madvise(%#lx, %#lx, MADV_%s) of a %s VMA of strategy %d",
		 (unsigned long)lo, (unsigned long)(hi - lo), names[k],
		 v->shared ? "shared" : "private", v->strat);
	/* VM_PFNMAP: nothing the core may drop or reclaim. */
	if (pfn && (adv[k] == MADV_DONTNEED || adv[k] == MADV_COLD ||
		    adv[k] == MADV_PAGEOUT))
		want = EINVAL;
	got = madvise((void *)lo, hi - lo, adv[k]) ? errno : 0;
	if (expect_err(a, "madvise errno", got, want))
		return -1;
	if (got)
		return 0;
	if (adv[k] == MADV_DONTNEED)
		vma_drop_cow(v, (lo - v->start) / PS, (hi - v->start) / PS);
	if ((adv[k] == MADV_HUGEPAGE && v->thp != 1) ||
	    (adv[k] == MADV_NOHUGEPAGE && v->thp != 2)) {
		i = vma_isolate(a, i, lo, hi);
		a->v[i].thp = adv[k] == MADV_HUGEPAGE ? 1 : 2;
	}
	/*
	 * Access hints: batched changes its run length (batched.c), every
	 * strategy gets a VMA with new flags, split off like the THP ones.
	 */
	if (adv[k] == MADV_SEQUENTIAL || adv[k] == MADV_RANDOM ||
	    adv[k] == MADV_NORMAL) {
		ra = adv[k] == MADV_NORMAL ? 0 : adv[k];
		if (v->ra != ra) {
			i = vma_isolate(a, i, lo, hi);
			a->v[i].ra = ra;
		}
	}
	return 0;
}

static int do_mlock(struct actor *a, struct op *op)
{
	uintptr_t lo, hi;
	struct vma_m *v;
	int i = pick_range(a, op->r[0], &lo, &hi), want = 0, got;
	bool unlock = pick(op->r[1], 3) == 0;

	snprintf(a->desc, sizeof(a->desc), "mlock");
	if (i < 0)
		return skip(a);
	v = &a->v[i];
	snprintf(a->desc, sizeof(a->desc), "%s(%#lx, %#lx) of a %s VMA of strategy %d, prot %d",
		 unlock ? "munlock" : "mlock", (unsigned long)lo,
		 (unsigned long)(hi - lo), v->shared ? "shared" : "private",
		 v->strat, v->prot);
	/*
	 * mlock() populates the range (VM_LOCKED itself is never set on a
	 * VM_SPECIAL VMA); a page past the end or PROT_NONE makes that fail,
	 * and mlock() turns GUP's EFAULT into ENOMEM.
	 */
	if (!unlock && populate_fails(v, lo, hi))
		want = ENOMEM;
	got = (unlock ? munlock((void *)lo, hi - lo) : mlock((void *)lo, hi - lo)) ?
		errno : 0;
	if (!unlock)
		model_populate(v, lo, hi);
	return expect_err(a, "mlock errno", got, want);
}

static int do_msync(struct actor *a, struct op *op)
{
	static const int fl[] = { MS_SYNC, MS_ASYNC, MS_SYNC | MS_INVALIDATE,
				  MS_ASYNC | MS_SYNC };
	int k = pick(op->r[1], 4), want = k == 3 ? EINVAL : 0;
	uintptr_t lo, hi;
	int i = pick_range(a, op->r[0], &lo, &hi);

	snprintf(a->desc, sizeof(a->desc), "msync");
	if (i < 0)
		return skip(a);
	snprintf(a->desc, sizeof(a->desc), "msync(%#lx, %#lx, %d)",
		 (unsigned long)lo, (unsigned long)(hi - lo), fl[k]);
	return expect_err(a, "msync errno",
			  msync((void *)lo, hi - lo, fl[k]) ? errno : 0, want);
}

/* One load or store that may fault: returns 0, SIGSEGV or SIGBUS. */
static int probe(volatile unsigned char *p, bool write, unsigned char val,
		 unsigned char *out)
{
	sigjmp_buf jb;
	int sig;

	touch_jmp = &jb;
	sig = sigsetjmp(jb, 1);
	if (!sig) {
		if (write)
			*p = val;
		else
			*out = *p;
	}
	touch_jmp = NULL;
	return sig;
}

/* The signal an access at VMA offset @o must raise (0: none). */
static int access_expect(struct vma_m *v, size_t o, bool write)
{
	if (write ? !(v->prot & PROT_WRITE) : v->prot == PROT_NONE)
		return SIGSEGV;
	if (v->boff + o >= S->size)
		return SIGBUS;
	return 0;
}

static int touch_one(struct actor *a, struct vma_m *v, size_t o, bool write,
		     unsigned char val)
{
	int want = access_expect(v, o, write), got;
	unsigned char b = 0;

	if (!write && !(v->prot & PROT_READ) && v->prot != PROT_NONE)
		return 0;		/* write-only: reads are the arch's business */
	if (write && !want && !in_slice(a, v->boff + o))
		return 0;		/* another actor's bytes */
	got = probe((unsigned char *)v->start + o, write, val, &b);
	if (got != want)
		return mismatch(a, "touch signal", "%s at VMA offset %#zx (buffer %#llx): %s, model %s",
				write ? "store" : "load", o,
				(unsigned long long)(v->boff + o),
				got ? strsignal(got) : "no signal",
				want ? strsignal(want) : "no signal");
	if (got == SIGBUS)
		__atomic_add_fetch(&S->sigbus, 1, __ATOMIC_RELAXED);
	if (got)
		__atomic_add_fetch(got == SIGBUS ? &T->sigbus : &T->sigsegv, 1,
				   __ATOMIC_RELAXED);
	if (got)
		return 0;
	if (write) {
		model_store(v, o, val);
	} else if (in_slice(a, v->boff + o) && b != model_byte(v, o)) {
		return mismatch(a, "touch byte", "load at buffer %#llx (%s VMA of strategy %d) gave %#x, model %#x",
				(unsigned long long)(v->boff + o),
				v->shared ? "shared" : "private", v->strat, b,
				model_byte(v, o));
	}
	return 0;
}

static int do_touch(struct actor *a, struct op *op)
{
	uint64_t r = op->r[1];
	struct vma_m *v;
	int i, n;

	snprintf(a->desc, sizeof(a->desc), "touch");
	if (!a->nv)
		return skip(a);
	i = pick(op->r[0], a->nv);
	v = &a->v[i];
	snprintf(a->desc, sizeof(a->desc), "touch VMA %#lx-%#lx (strategy %d, %s, prot %d, buffer %#llx)",
		 (unsigned long)v->start, (unsigned long)v->end, v->strat,
		 v->shared ? "shared" : "private", v->prot,
		 (unsigned long long)v->boff);
	for (n = 0; n < 8; n++) {
		size_t o;
		bool w = pick(r, 2);

		/* Mostly near the end of the buffer, where the edges are. */
		if (pick(r >> 1, 3) == 0 && S->size > v->boff &&
		    S->size - v->boff < vma_pages(v) * PS + PS)
			o = S->size - v->boff - PS + pick(r >> 4, 2 * PS);
		else
			o = pick(r >> 4, vma_pages(v) * PS);
		if (o >= vma_pages(v) * PS)
			o = vma_pages(v) * PS - 1;
		if (touch_one(a, v, o, w, (unsigned char)(r >> 40)))
			return -1;
		r = mix(r);
	}
	return 0;
}

/* Whole pages through the mapping: loads compared, or stores of a pattern. */
static int do_pages(struct actor *a, struct op *op, bool write)
{
	uintptr_t lo, hi, p;
	struct vma_m *v;
	unsigned char seed = op->r[1];
	int i = pick_range(a, op->r[0], &lo, &hi);

	snprintf(a->desc, sizeof(a->desc), "%s", write ? "write-pages" : "check-pages");
	if (i < 0)
		return skip(a);
	v = &a->v[i];
	snprintf(a->desc, sizeof(a->desc), "%s %#lx-%#lx (strategy %d, %s, prot %d, buffer %#llx)",
		 write ? "write-pages" : "check-pages", (unsigned long)lo,
		 (unsigned long)hi, v->strat, v->shared ? "shared" : "private",
		 v->prot, (unsigned long long)(v->boff + lo - v->start));
	for (p = lo; p < hi; p += PS) {
		size_t o = p - v->start, j;
		uint64_t boff = v->boff + o;
		int want = access_expect(v, o, write);

		if (want || !in_slice(a, boff) ||
		    (!write && !(v->prot & PROT_READ))) {
			if (touch_one(a, v, o, write, seed))
				return -1;
			if (want)
				break;		/* one signal per range is enough */
			continue;
		}
		if (write) {
			for (j = 0; j < PS; j++)
				((unsigned char *)p)[j] = seed + j + o;
			for (j = 0; j < PS; j++)
				model_store(v, o + j, seed + j + o);
			continue;
		}
		for (j = 0; j < PS; j++)
			if (((unsigned char *)p)[j] != model_byte(v, o + j))
				return mismatch(a, "page bytes",
						"buffer byte %#llx through a %s VMA of strategy %d is %#x, model %#x",
						(unsigned long long)(boff + j),
						v->shared ? "shared" : "private",
						v->strat, ((unsigned char *)p)[j],
						model_byte(v, o + j));
	}
	return 0;
}

/* A file position and length for read/write, around the slice and the end. */
static void gen_io(struct actor *a, uint64_t r, int64_t *pos, size_t *len)
{
	uint64_t span = a->hi - a->lo;

	switch (pick(r, 8)) {
	case 0 ... 4:
		*pos = a->lo + pick(r >> 8, span);
		*len = 1 + pick(r >> 32, 3 * PS);
		if ((uint64_t)*pos + *len > a->hi && a->hi < S->size)
			*len = a->hi - *pos;
		break;
	case 5:
		*pos = S->size - pick(r >> 8, 64);
		*len = 1 + pick(r >> 32, 256);
		if (*pos < (int64_t)a->lo)
			*pos = a->lo;
		if (a->hi < S->size)	/* the end belongs to another actor */
			*pos = a->lo;
		if ((uint64_t)*pos + *len > a->hi && a->hi < S->size)
			*len = a->hi - *pos;
		break;
	case 6:
		*pos = S->size + pick(r >> 8, 3 * PS);
		*len = 1 + pick(r >> 32, 64);
		break;
	default:
		*pos = pick(r >> 8, 2) ? -1 - (int64_t)pick(r >> 16, 100) : INT64_MAX;
		*len = 16;
		break;
	}
}

static int do_rw(struct actor *a, struct op *op, bool wr, bool vec)
{
	int fi = own_fd(a, op->r[0]), fmode, want = 0;
	bool positional = !vec && pick(op->r[2], 2);
	unsigned char *b;
	struct ofd_m *of;
	ssize_t got, exp;
	int64_t pos, at;
	size_t len, i;

	snprintf(a->desc, sizeof(a->desc), "%s", wr ? "write" : "read");
	if (fi < 0)
		return skip(a);
	of = &S->ofd[a->f[fi].ofd];
	fmode = of->fmode;
	gen_io(a, op->r[1], &pos, &len);
	if (!positional) {
		/* read()/write() at the file position: move it there first. */
		if (pos < 0 || pos > (int64_t)S->size)
			pos = a->lo;
		if (lseek(a->f[fi].fd, pos, SEEK_SET) != pos)
			return mismatch(a, "lseek", "lseek(%lld): %s",
					(long long)pos, strerror(errno));
		of->pos = pos;
	}
	snprintf(a->desc, sizeof(a->desc), "%s%s(fd %d (%s), len %zu, at %lld)",
		 positional ? "p" : "", vec ? (wr ? "writev" : "readv") :
		 (wr ? "write" : "read"), a->f[fi].fd,
		 fmode == O_RDWR ? "rw" : fmode == O_RDONLY ? "ro" : "wo", len,
		 (long long)pos);
	b = malloc(len);
	for (i = 0; i < len; i++)
		b[i] = op->r[3] + i * 7;

	/*
	 * pread/pwrite refuse a negative position first, then the VFS
	 * checks the file mode, then that pos + len does not wrap; then
	 * the driver.
	 */
	if (positional && pos < 0)
		want = EINVAL;
	else if (wr ? !mode_writes(fmode) : !mode_reads(fmode))
		want = EBADF;
	else if (positional && pos > INT64_MAX - (int64_t)len)
		want = EINVAL;
	exp = 0;
	if (!want && pos >= (int64_t)S->size)
		want = wr ? ENOSPC : 0;
	else if (!want)
		exp = (uint64_t)len < S->size - pos ? (ssize_t)len : (ssize_t)(S->size - pos);

	if (vec) {
		struct iovec iov[3];
		size_t l0 = len / 3, l1 = len / 3;

		iov[0] = (struct iovec){ b, l0 };
		iov[1] = (struct iovec){ b + l0, l1 };
		iov[2] = (struct iovec){ b + l0 + l1, len - l0 - l1 };
		got = wr ? writev(a->f[fi].fd, iov, 3) : readv(a->f[fi].fd, iov, 3);
	} else if (positional) {
		got = wr ? pwrite(a->f[fi].fd, b, len, pos) :
			      pread(a->f[fi].fd, b, len, pos);
	} else {
		got = wr ? write(a->f[fi].fd, b, len) : read(a->f[fi].fd, b, len);
	}
	if (expect_err(a, wr ? "wr errno" : "read errno",
		       got < 0 ? errno : 0, want)) {
		free(b);
		return -1;
	}
	if (got < 0) {
		free(b);
		return 0;
	}
	if (got != exp) {
		free(b);
		return mismatch(a, "rw count", "returned %zd, model %zd", got, exp);
	}
	if (!positional)
		of->pos += got;
	for (i = 0, at = pos; i < (size_t)got; i++, at++) {
		if (!in_slice(a, at))
			continue;
		if (wr) {
			S->bytes[at] = b[i];
		} else if (b[i] != S->bytes[at]) {
			mismatch(a, "read bytes", "byte %#llx: read %#x, model %#x",
				 (unsigned long long)at, b[i], S->bytes[at]);
			free(b);
			return -1;
		}
	}
	free(b);
	if (!positional && lseek(a->f[fi].fd, 0, SEEK_CUR) != of->pos)
		return mismatch(a, "file position", "position %lld, model %lld",
				(long long)lseek(a->f[fi].fd, 0, SEEK_CUR),
				(long long)of->pos);
	return 0;
}

static int do_lseek(struct actor *a, struct op *op)
{
	static const int wh[] = { SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA,
				  SEEK_HOLE, 17 };
	int fi = own_fd(a, op->r[0]), w = wh[pick(op->r[1], 6)];
	int64_t off, np, cur;
	struct ofd_m *of;
	off_t got;

	snprintf(a->desc, sizeof(a->desc), "lseek");
	if (fi < 0)
		return skip(a);
	of = &S->ofd[a->f[fi].ofd];
	cur = of->pos;
	off = (int64_t)pick(op->r[2], S->size + 3 * PS) - (int64_t)(S->size / 2);
	if (pick(op->r[3], 8) == 0)
		off = pick(op->r[3] >> 8, 2) ? INT64_MIN + 5 : INT64_MAX - 5;
	snprintf(a->desc, sizeof(a->desc), "lseek(fd %d, %lld, %d) at %lld",
		 a->f[fi].fd, (long long)off, w, (long long)cur);
	/*
	 * fixed_size_llseek(): SEEK_SET, SEEK_CUR and SEEK_END only, to a
	 * position inside [0, size]; anything else is EINVAL.
	 */
	switch (w) {
	case SEEK_SET:
		np = off;
		break;
	case SEEK_CUR:
		np = off == 0 ? cur : (__builtin_add_overflow(cur, off, &np) ? -1 : np);
		break;
	case SEEK_END:
		np = __builtin_add_overflow((int64_t)S->size, off, &np) ? -1 : np;
		break;
	default:
		np = -EINVAL;
		break;
	}
	if (np < 0 || np > (int64_t)S->size)
		np = -EINVAL;
	got = lseek(a->f[fi].fd, off, w);
	if (np < 0)
		return expect_err(a, "lseek errno", got < 0 ? errno : 0, EINVAL);
	if (got != np)
		return mismatch(a, "lseek", "returned %lld (%s), model %lld",
				(long long)got, got < 0 ? strerror(errno) : "",
				(long long)np);
	of->pos = np;
	return 0;
}

/* An ioctl range: mostly in the slice, sometimes past the end or wrapping. */
static void gen_range(struct actor *a, uint64_t r, __u64 *off, __u64 *len)
{
	uint64_t span = a->hi - a->lo;

	switch (pick(r, 8)) {
	case 0 ... 5:
		*off = a->lo + pick(r >> 8, span);
		*len = pick(r >> 32, a->hi - *off + 1);
		break;
	case 6:
		*off = S->size - pick(r >> 8, 2 * PS);
		*len = 2 * PS;
		if (*off + *len <= S->size)
			*len = S->size - *off + 1;
		break;
	default:
		*off = pick(r >> 8, 2) ? ~0ULL - PS : PS;
		*len = ~0ULL - PS + 2;
		break;
	}
}

/*
 * FILL and CHECKSUM check, in this order: the fd's mode [EBADF], flags and
 * reserved fields [EINVAL], the range against the buffer [EINVAL].
 */
static int ioctl_expect(bool mode_ok, bool args_ok, uint64_t off, uint64_t len)
{
	if (!mode_ok)
		return EBADF;
	if (!args_ok || off > S->size || len > S->size - off)
		return EINVAL;
	return 0;
}

static int do_fill(struct actor *a, struct op *op)
{
	int fi = own_fd(a, op->r[0]), want = 0, got;
	struct mmapdemo_fill f = { 0 };
	uint64_t i;

	snprintf(a->desc, sizeof(a->desc), "FILL");
	if (fi < 0)
		return skip(a);
	gen_range(a, op->r[1], &f.offset, &f.length);
	f.seed = op->r[2];
	f.flags = pick(op->r[3], 2) ? MMAPDEMO_FILL_INCREMENT : 0;
	if (pick(op->r[3] >> 8, 10) == 0)
		f.flags |= 1U << (1 + pick(op->r[3] >> 16, 31));
	snprintf(a->desc, sizeof(a->desc), "FILL(fd %d, off %#llx, len %#llx, flags %#x)",
		 a->f[fi].fd, (unsigned long long)f.offset,
		 (unsigned long long)f.length, f.flags);
	want = ioctl_expect(mode_writes(S->ofd[a->f[fi].ofd].fmode),
			    !(f.flags & ~MMAPDEMO_FILL_FLAGS), f.offset, f.length);
	got = ioctl(a->f[fi].fd, MMAPDEMO_IOC_FILL, &f) ? errno : 0;
	if (expect_err(a, "FILL errno", got, want))
		return -1;
	if (got)
		return 0;
	for (i = 0; i < f.length; i++)
		if (in_slice(a, f.offset + i))
			S->bytes[f.offset + i] = (unsigned char)(f.seed +
				(f.flags & MMAPDEMO_FILL_INCREMENT ? i : 0));
	return 0;
}

static int do_checksum(struct actor *a, struct op *op)
{
	int fi = own_fd(a, op->r[0]), want = 0, got;
	struct mmapdemo_checksum c = { 0 };

	snprintf(a->desc, sizeof(a->desc), "CHECKSUM");
	if (fi < 0)
		return skip(a);
	gen_range(a, op->r[1], &c.offset, &c.length);
	if (pick(op->r[2], 12) == 0)
		c.reserved = 1;
	else if (pick(op->r[2], 12) == 1)
		c.flags = 1;
	snprintf(a->desc, sizeof(a->desc), "CHECKSUM(fd %d, off %#llx, len %#llx, flags %u, reserved %u)",
		 a->f[fi].fd, (unsigned long long)c.offset,
		 (unsigned long long)c.length, c.flags, c.reserved);
	want = ioctl_expect(mode_reads(S->ofd[a->f[fi].ofd].fmode),
			    !c.flags && !c.reserved, c.offset, c.length);
	got = ioctl(a->f[fi].fd, MMAPDEMO_IOC_CHECKSUM, &c) ? errno : 0;
	if (expect_err(a, "CHECKSUM errno", got, want))
		return -1;
	if (got || c.offset < a->lo || c.offset + c.length > a->hi)
		return 0;
	if (c.sum != mmd_fnv1a(&S->bytes[c.offset], c.length))
		return mismatch(a, "CHECKSUM sum", "sum %#llx, model %#llx",
				(unsigned long long)c.sum,
				(unsigned long long)mmd_fnv1a(&S->bytes[c.offset], c.length));
	return 0;
}

static int do_info(struct actor *a, struct op *op)
{
	int fi = own_fd(a, op->r[0]);
	struct mmapdemo_info in;

	snprintf(a->desc, sizeof(a->desc), "INFO");
	if (fi < 0)
		return skip(a);
	if (ioctl(a->f[fi].fd, MMAPDEMO_IOC_INFO, &in))
		return mismatch(a, "INFO", "%s", strerror(errno));
	if (in.buffer_size != S->size || in.page_size != PS ||
	    in.abi_version != MMAPDEMO_ABI_VERSION ||
	    in.huge_blocks > S->size / (2UL << 20))
		return mismatch(a, "INFO fields", "size %llu (model %llu), huge_blocks %u",
				(unsigned long long)in.buffer_size,
				(unsigned long long)S->size, in.huge_blocks);
	return 0;
}

static int do_resize(struct actor *a, struct op *op)
{
	static const uint64_t sizes[] = {
		PS, 12345, 65536, 2UL << 20, (2UL << 20) + PS, 4UL << 20,
		(4UL << 20) + 2 * PS, 6UL << 20, MODEL_MAX,
	};
	int fi = own_fd(a, op->r[0]), want = 0, got, s;
	struct mmapdemo_resize rz = { 0 };
	uint64_t live = 0;

	snprintf(a->desc, sizeof(a->desc), "RESIZE");
	if (fi < 0)
		return skip(a);
	switch (pick(op->r[1], 12)) {
	case 0:
		rz.size = 0;
		break;
	case 1:
		rz.size = pick(op->r[2], 2) ? MMAPDEMO_MAX_SIZE + 1 : ~0ULL;
		break;
	case 2:
		rz.size = PS;
		if (pick(op->r[2], 2))
			rz.flags = 1;
		else
			rz.reserved = 1;
		break;
	default:
		rz.size = sizes[pick(op->r[2], 9)];
		break;
	}
	for (s = 0; s < NSTRAT; s++)
		live += a->live_base[s];
	live += a->nv;
	snprintf(a->desc, sizeof(a->desc), "RESIZE(fd %d, size %#llx, flags %u, reserved %u) with %llu VMAs",
		 a->f[fi].fd, (unsigned long long)rz.size, rz.flags, rz.reserved,
		 (unsigned long long)live);
	if (!mode_writes(S->ofd[a->f[fi].ofd].fmode))
		want = EBADF;
	else if (rz.flags || rz.reserved || !rz.size || rz.size > MMAPDEMO_MAX_SIZE)
		want = EINVAL;
	else if (live)
		want = EBUSY;
	else if (!a->solo)
		return skip(a);	/* would pull the buffer from the others */
	got = ioctl(a->f[fi].fd, MMAPDEMO_IOC_RESIZE, &rz) ? errno : 0;
	if (expect_err(a, "RESIZE errno", got, want))
		return -1;
	if (got)
		return 0;
	S->size = (rz.size + PS - 1) & ~(PS - 1);
	memset(S->bytes, 0, S->size);
	a->hi = S->size;
	S->resizes++;
	return 0;
}

static int do_bad_ioctl(struct actor *a, struct op *op)
{
	int fi = own_fd(a, op->r[0]);
	unsigned long cmd;
	char arg[64] = { 0 };

	snprintf(a->desc, sizeof(a->desc), "bad ioctl");
	if (fi < 0)
		return skip(a);
	/* Unknown numbers, and known numbers with a wrong size. */
	cmd = pick(op->r[1], 2) ?
		_IOC(pick(op->r[2], 4), MMAPDEMO_IOC_MAGIC, 5 + pick(op->r[3], 250), 8) :
		_IOC(_IOC_READ, MMAPDEMO_IOC_MAGIC, pick(op->r[3], 5), 4 + pick(op->r[2], 3));
	snprintf(a->desc, sizeof(a->desc), "ioctl(fd %d, %#lx)", a->f[fi].fd, cmd);
	return expect_err(a, "ioctl errno",
			  ioctl(a->f[fi].fd, cmd, arg) ? errno : 0, ENOTTY);
}

static int run_ops(struct actor *a, struct op *ops, const unsigned int *idx,
		   unsigned int n);

/*
 * The child continues the sequence for a few operations while the parent
 * waits.  It inherits every VMA (each one more live map) and every file
 * (shared positions).  Before it exits it hands back the references the
 * model gave it, which its exit drops in the kernel.
 */
static int do_fork(struct actor *a, struct op *ops, const unsigned int *idx,
		   unsigned int n, unsigned int *next)
{
	unsigned int k = 1 + pick(ops[idx[*next - 1]].r[0], 12);
	int i, status;
	pid_t pid;

	if (k > n - *next)
		k = n - *next;
	snprintf(a->desc, sizeof(a->desc), "fork (the child runs %u ops)", k);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return mismatch(a, "fork", "%s", strerror(errno));
	if (!pid) {
		int ret;

		for (i = 0; i < a->nf; i++)
			ofd_ref(a->f[i].ofd, 1);
		for (i = 0; i < a->nv; i++) {
			ofd_ref(a->v[i].ofd, 1);
			a->live_base[a->v[i].strat]++;
		}
		ret = run_ops(a, ops, idx + *next, k);
		for (i = 0; i < a->nf; i++)
			ofd_ref(a->f[i].ofd, -1);
		for (i = 0; i < a->nv; i++)
			ofd_ref(a->v[i].ofd, -1);
		fflush(stdout);
		_exit(ret ? 1 : 0);
	}
	*next += k;
	if (waitpid(pid, &status, 0) != pid)
		return mismatch(a, "fork child", "waitpid: %s", strerror(errno));
	if (WIFSIGNALED(status))
		return mismatch(a, "fork child", "child killed by %s",
				strsignal(WTERMSIG(status)));
	return WEXITSTATUS(status) ? -1 : 0;
}

static int run_ops(struct actor *a, struct op *ops, const unsigned int *idx,
		   unsigned int n)
{
	unsigned int i = 0;
	int ret;

	while (i < n) {
		struct op *op = &ops[idx[i]];

		a->opno = idx[i];
		i++;
		a->kind = op->kind;
		a->skipped = false;
		if (a->solo)
			a->hi = S->size;	/* a child may have resized */
		switch (op->kind) {
		case OP_OPEN: ret = do_open(a, op); break;
		case OP_CLOSE: ret = do_close(a, op); break;
		case OP_MMAP: ret = do_mmap(a, op, false); break;
		case OP_MMAP_FIXED: ret = do_mmap(a, op, true); break;
		case OP_MUNMAP: ret = do_munmap(a, op); break;
		case OP_MPROTECT: ret = do_mprotect(a, op); break;
		case OP_MREMAP: ret = do_mremap(a, op); break;
		case OP_MADVISE: ret = do_madvise(a, op); break;
		case OP_MLOCK: ret = do_mlock(a, op); break;
		case OP_MSYNC: ret = do_msync(a, op); break;
		case OP_TOUCH: ret = do_touch(a, op); break;
		case OP_CHECK_PAGES: ret = do_pages(a, op, false); break;
		case OP_WRITE_PAGES: ret = do_pages(a, op, true); break;
		case OP_READ: ret = do_rw(a, op, false, false); break;
		case OP_WRITE: ret = do_rw(a, op, true, false); break;
		case OP_READV: ret = do_rw(a, op, pick(op->r[4], 2), true); break;
		case OP_LSEEK: ret = do_lseek(a, op); break;
		case OP_FILL: ret = do_fill(a, op); break;
		case OP_CHECKSUM: ret = do_checksum(a, op); break;
		case OP_INFO: ret = do_info(a, op); break;
		case OP_RESIZE: ret = do_resize(a, op); break;
		case OP_FORK: ret = do_fork(a, ops, idx, n, &i); break;
		default: ret = do_bad_ioctl(a, op); break;
		}
		__atomic_add_fetch(a->skipped ? &T->skipped[op->kind] :
				   &T->run[op->kind], 1, __ATOMIC_RELAXED);
		if (verbose)
			printf("# [%d] #%u %s: %s%s\n", a->id, a->opno,
			       op_names[op->kind], a->desc,
			       ret ? " <- MISMATCH" : "");
		if (ret)
			return -1;
		if (a->solo && check_stats(a))
			return -1;
		if (a->solo && (i % 16 == 0 || op->kind == OP_WRITE_PAGES) &&
		    check_slice(a, a->ctl))
			return -1;
	}
	return 0;
}

/* ---- solo runs and minimisation ---- */

static uint64_t initial_size(uint64_t seed)
{
	static const uint64_t sz[] = { 4UL << 20, (4UL << 20) + 3 * PS,
				       2UL << 20, 64 * PS, (6UL << 20) + PS };

	return sz[mix(seed ^ 0x5eed) % 5];
}

static void shm_reset(uint64_t size)
{
	memset(S, 0, offsetof(struct shm, bytes));
	S->size = size;
	memset(S->bytes, 0, size);
}

/*
 * One solo run in a fresh process: the device resized (and so zeroed) to
 * the seed's size, then the operations idx[0..n).  Returns 0 (pass), 1 (a
 * mismatch) or 2 (could not set up).
 */
static int solo_trial(uint64_t seed, struct op *ops, const unsigned int *idx,
		      unsigned int n)
{
	struct mmapdemo_resize rz = { .size = initial_size(seed) };
	struct actor *a;
	int status, ret;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid) {
		if (waitpid(pid, &status, 0) != pid)
			return 2;
		if (WIFSIGNALED(status)) {
			printf("# seed %llu: the run was killed by %s\n",
			       (unsigned long long)seed, strsignal(WTERMSIG(status)));
			snprintf(S->fail_tag, sizeof(S->fail_tag), "killed");
			return 1;
		}
		return WEXITSTATUS(status);
	}
	a = calloc(1, sizeof(*a));
	a->solo = true;
	a->seed = seed;
	a->ctl = open(MMD_DEV, O_RDWR | O_CLOEXEC);
	if (a->ctl < 0 || ioctl(a->ctl, MMAPDEMO_IOC_RESIZE, &rz)) {
		printf("# setup: open/RESIZE: %s\n", strerror(errno));
		_exit(2);
	}
	shm_reset(rz.size);
	a->hi = rz.size;
	snprintf(a->desc, sizeof(a->desc), "start");
	mmd_stats(a->ctl, &a->st0);
	if (a->st0.live_maps) {
		printf("# setup: the device is mapped by someone else\n");
		_exit(2);
	}
	ret = run_ops(a, ops, idx, n);
	if (!ret) {
		/* Close everything: the counters must come back. */
		while (a->nv)
			if (munmap((void *)a->v[0].start, a->v[0].end - a->v[0].start) == 0)
				vma_remove(a, 0);
		while (a->nf) {
			close(a->f[0].fd);
			ofd_ref(a->f[0].ofd, -1);
			a->f[0] = a->f[--a->nf];
		}
		snprintf(a->desc, sizeof(a->desc), "unmap and close everything");
		ret = check_stats(a) || check_slice(a, a->ctl);
	}
	fflush(stdout);
	_exit(ret ? 1 : 0);
}

static int same_failure(uint64_t seed, struct op *ops, const unsigned int *idx,
			unsigned int n, const char *tag)
{
	int saved = verbose, r;

	verbose = 0;
	/* Silence the trial's own report while minimising. */
	fflush(stdout);
	{
		int devnull = open("/dev/null", O_WRONLY), out = dup(1);

		dup2(devnull, 1);
		r = solo_trial(seed, ops, idx, n);
		fflush(stdout);
		dup2(out, 1);
		close(out);
		close(devnull);
	}
	verbose = saved;
	return r == 1 && !strcmp(S->fail_tag, tag);
}

/* ddmin over the operation numbers, keeping the same failing check. */
static unsigned int minimise(uint64_t seed, struct op *ops, unsigned int *idx,
			     unsigned int n, const char *tag, int budget)
{
	unsigned int *cand = malloc(n * sizeof(*cand)), chunks = 2;
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (n > 1 && budget > 0) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 180)
			break;		/* good enough: print what we have */
		unsigned int c, size = (n + chunks - 1) / chunks;
		bool reduced = false;

		for (c = 0; c < chunks && budget > 0; c++) {
			unsigned int lo = c * size, hi = lo + size, m = 0, i;

			if (lo >= n)
				break;
			for (i = 0; i < n; i++)
				if (i < lo || i >= hi)
					cand[m++] = idx[i];
			budget--;
			if (m && same_failure(seed, ops, cand, m, tag)) {
				memcpy(idx, cand, m * sizeof(*idx));
				n = m;
				chunks = chunks > 2 ? chunks - 1 : 2;
				reduced = true;
				break;
			}
		}
		if (!reduced) {
			if (chunks >= n)
				break;
			chunks = chunks * 2 < n ? chunks * 2 : n;
		}
	}
	free(cand);
	return n;
}

static int solo_seed(uint64_t seed, unsigned int nops, const char *keep,
		     const char *prog)
{
	struct op *ops = calloc(nops, sizeof(*ops));
	unsigned int *idx = calloc(nops, sizeof(*idx)), n = 0, i;
	char tag[64];
	int r;

	gen_ops(seed, ops, nops);
	if (keep) {
		char *s = strdup(keep), *t, *save;

		for (t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save))
			if ((unsigned int)atoi(t) < nops)
				idx[n++] = atoi(t);
		free(s);
	} else {
		for (i = 0; i < nops; i++)
			idx[n++] = i;
	}
	r = solo_trial(seed, ops, idx, n);
	if (r != 1 || keep) {
		free(ops);
		free(idx);
		return r;
	}
	snprintf(tag, sizeof(tag), "%s", S->fail_tag);
	printf("# seed %llu failed (%s); minimising...\n",
	       (unsigned long long)seed, tag);
	n = minimise(seed, ops, idx, n, tag, 300);
	printf("# minimised to %u operation(s); replaying them:\n", n);
	verbose = 1;
	solo_trial(seed, ops, idx, n);
	verbose = 0;
	printf("# reproduce: %s -s %llu -n %u -k ", prog,
	       (unsigned long long)seed, nops);
	for (i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", idx[i]);
	printf(" -v\n");
	free(ops);
	free(idx);
	return 1;
}

/* ---- concurrent runs ---- */

struct thread_arg {
	struct actor *a;
	struct op *ops;
	unsigned int n;
	int ret;
};

static void *actor_thread(void *p)
{
	struct thread_arg *t = p;
	unsigned int *idx = calloc(t->n, sizeof(*idx)), i;
	struct actor *a = t->a;

	for (i = 0; i < t->n; i++)
		idx[i] = i;
	t->ret = run_ops(a, t->ops, idx, t->n);
	if (!t->ret)
		t->ret = check_slice(a, a->ctl);
	while (a->nv) {
		munmap((void *)a->v[0].start, a->v[0].end - a->v[0].start);
		vma_remove(a, 0);
	}
	while (a->nf) {
		close(a->f[0].fd);
		a->f[0] = a->f[--a->nf];
	}
	free(idx);
	return NULL;
}

/*
 * PROCS processes of THREADS threads, each thread an actor with its own
 * slice and sequence.  After all finish: nothing mapped, nothing open, the
 * counters moved by exactly the sum of what the actors did, and every
 * slice holds what its actor's model says.
 */
static int concurrent_round(uint64_t seed, unsigned int nops, int procs,
			    int threads)
{
	uint64_t size = (4UL << 20) + 5 * PS, slice;
	int nact = procs * threads, p, failed = 0, fd, s;
	struct mmapdemo_resize rz = { .size = size };
	struct mmapdemo_stats st0, st1;
	unsigned char *all;

	fd = open(MMD_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, MMAPDEMO_IOC_RESIZE, &rz)) {
		printf("# concurrent setup: %s\n", strerror(errno));
		return 2;
	}
	shm_reset(size);
	mmd_stats(fd, &st0);
	slice = (size / nact) & ~(PS - 1);
	fflush(stdout);
	for (p = 0; p < procs; p++) {
		pid_t pid = fork();

		if (pid < 0)
			return 2;
		if (!pid) {
			struct thread_arg *ta = calloc(threads, sizeof(*ta));
			pthread_t *tid = calloc(threads, sizeof(*tid));
			int t, bad = 0;

			for (t = 0; t < threads; t++) {
				struct actor *a = calloc(1, sizeof(*a));
				int id = p * threads + t;

				a->id = id;
				a->seed = seed * 1000 + id;
				a->lo = id * slice;
				a->hi = id == nact - 1 ? size : (id + 1) * slice;
				a->ctl = fd;
				ta[t].a = a;
				ta[t].n = nops;
				ta[t].ops = calloc(nops, sizeof(struct op));
				gen_ops(a->seed, ta[t].ops, nops);
				pthread_create(&tid[t], NULL, actor_thread, &ta[t]);
			}
			for (t = 0; t < threads; t++) {
				pthread_join(tid[t], NULL);
				bad |= ta[t].ret != 0;
			}
			fflush(stdout);
			_exit(bad);
		}
	}
	for (p = 0; p < procs; p++) {
		int status;

		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
			if (WIFSIGNALED(status))
				printf("# concurrent seed %llu: a worker was killed by %s\n",
				       (unsigned long long)seed, strsignal(WTERMSIG(status)));
			failed = 1;
		}
	}
	mmd_stats(fd, &st1);
	if (st1.live_maps || st1.open_files != st0.open_files) {
		printf("# concurrent seed %llu: after the round %llu VMAs, %llu files (before: %llu)\n",
		       (unsigned long long)seed, (unsigned long long)st1.live_maps,
		       (unsigned long long)st1.open_files,
		       (unsigned long long)st0.open_files);
		failed = 1;
	}
	for (s = 0; s < NSTRAT; s++)
		if (st1.strategy[s].mmaps - st0.strategy[s].mmaps != S->mmaps[s]) {
			printf("# concurrent seed %llu: strategy %d mmaps +%llu, model +%llu\n",
			       (unsigned long long)seed, s,
			       (unsigned long long)(st1.strategy[s].mmaps - st0.strategy[s].mmaps),
			       (unsigned long long)S->mmaps[s]);
			failed = 1;
		}
	if (st1.sigbus - st0.sigbus != S->sigbus || st1.opens - st0.opens != S->opens ||
	    st1.resizes != st0.resizes) {
		printf("# concurrent seed %llu: sigbus +%llu (model +%llu), opens +%llu (model +%llu), resizes +%llu\n",
		       (unsigned long long)seed,
		       (unsigned long long)(st1.sigbus - st0.sigbus),
		       (unsigned long long)S->sigbus,
		       (unsigned long long)(st1.opens - st0.opens),
		       (unsigned long long)S->opens,
		       (unsigned long long)(st1.resizes - st0.resizes));
		failed = 1;
	}
	/* Every slice, read back with read(): exactly the model. */
	all = malloc(size);
	if (pread(fd, all, size, 0) != (ssize_t)size || memcmp(all, S->bytes, size)) {
		printf("# concurrent seed %llu: the buffer read back differs from the model\n",
		       (unsigned long long)seed);
		failed = 1;
	}
	free(all);
	close(fd);
	return failed;
}

int main(int argc, char **argv)
{
	uint64_t seed = 1, nseeds = 4;
	unsigned int nops = 400, rounds = 1, i;
	int procs = 2, threads = 2, opt, seconds = 0, fails = 0;
	const char *keep = NULL, *env;
	struct sigaction sa = { .sa_handler = on_fault_signal };
	struct statvfs sv;
	struct timespec t0, t1;
	uint64_t seeds_run = 0, total = 0;
	bool timed;
	int k;

	if (argc == 2 && !strcmp(argv[1], "--policy"))
		return policy_table();
	if ((env = getenv("FUZZ_SECONDS")))
		seconds = atoi(env);
	if ((env = getenv("FUZZ_SEED")))
		seed = strtoull(env, NULL, 0);
	while ((opt = getopt(argc, argv, "s:S:n:c:w:T:t:k:v")) != -1) {
		switch (opt) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'S': nseeds = strtoull(optarg, NULL, 0); break;
		case 'n': nops = atoi(optarg); break;
		case 'c': rounds = atoi(optarg); break;
		case 'w': procs = atoi(optarg); break;
		case 'T': threads = atoi(optarg); break;
		case 't': seconds = atoi(optarg); break;
		case 'k': keep = optarg; break;
		case 'v': verbose = 1; break;
		default:
			fprintf(stderr, "usage: %s [-s SEED] [-S SEEDS] [-n OPS] [-c ROUNDS] [-w PROCS] [-T THREADS] [-t SECONDS] [-k LIST] [-v]\n",
				argv[0]);
			fprintf(stderr, "       %s --policy\n", argv[0]);
			return KSFT_FAIL;
		}
	}
	if (procs * threads > MAXACT)
		procs = MAXACT / threads;
	timed = seconds > 0;

	ksft_print_header();
	if (geteuid())
		ksft_exit_skip("RESIZE needs CAP_SYS_ADMIN: run as root\n");
	if (mmd_ensure())
		ksft_exit_fail_msg("cannot load mmapdemo: %s\n", strerror(errno));
	S = mmap(NULL, sizeof(*S), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	T = mmap(NULL, sizeof(*T), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (S == MAP_FAILED || T == MAP_FAILED)
		ksft_exit_fail_msg("shared model: %s\n", strerror(errno));
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	dev_noexec = statvfs(MMD_DEV, &sv) == 0 && (sv.f_flag & ST_NOEXEC);

	if (keep) {
		ksft_set_plan(1);
		verbose = 1;
		i = solo_seed(seed, nops, keep, argv[0]);
		ksft_test_result(i == 0, "replay of seed %llu\n", (unsigned long long)seed);
		ksft_finished();
	}
	if (!timed)
		ksft_set_plan(nseeds + rounds);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	printf("# seeds from %llu, %u ops each; concurrent: %d processes x %d threads\n",
	       (unsigned long long)seed, nops, procs, threads);
	for (i = 0; ; i++) {
		uint64_t s = seed + i;
		int r;

		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (timed ? t1.tv_sec - t0.tv_sec >= seconds : i >= nseeds + rounds)
			break;
		if (timed ? i % 4 == 3 : i >= nseeds) {
			r = concurrent_round(s, nops / 2, procs, threads);
			ksft_test_result(r == 0, "concurrent seed %llu: %d processes x %d threads, %u ops each\n",
					 (unsigned long long)s, procs, threads, nops / 2);
		} else {
			r = solo_seed(s, nops, NULL, argv[0]);
			ksft_test_result(r == 0, "solo seed %llu: %u ops, fork children included\n",
					 (unsigned long long)s, nops);
		}
		fails += r != 0;
		seeds_run++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (k = 0; k < OP_KINDS; k++)
		total += T->run[k];
	printf("# fuzz: %llu seeds, %llu operations in %ld s, %d failed\n",
	       (unsigned long long)seeds_run, (unsigned long long)total,
	       (long)(t1.tv_sec - t0.tv_sec), fails);
	printf("# per kind: run (refused with the predicted errno), nothing to work on\n");
	for (k = 0; k < OP_KINDS; k++)
		printf("#   %-12s %6llu (%5llu) %6llu\n", op_names[k],
		       (unsigned long long)T->run[k],
		       (unsigned long long)T->refused[k],
		       (unsigned long long)T->skipped[k]);
	printf("#   predicted signals seen: %llu SIGBUS, %llu SIGSEGV\n",
	       (unsigned long long)T->sigbus, (unsigned long long)T->sigsegv);
	if (timed)
		ksft_set_plan(seeds_run);
	ksft_finished();
}
