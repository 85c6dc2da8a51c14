// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo_consumers: what the rest of the kernel does with a mapping of
 * each node.  A driver writer's next question after "how do I map it" is
 * what userspace can then do with the mapping: O_DIRECT into it, register
 * it with io_uring, read it from a debugger, madvise() it, dump it.  The
 * answer depends on the kind of mapping, not on the driver's code paths:
 * VM_PFNMAP (remap, huge, the BAR, the register page, the DMA buffer
 * without an IOMMU), pages inserted by a fault (fault, batched), and
 * VM_MIXEDMAP (the DMA buffer behind an IOMMU).
 *
 * One row per consumer, one column per node.  Each cell is run on a fresh
 * MAP_SHARED mapping of the node and compared with the expected result in
 * rows[] below, which is also where docs/using.md's matrix comes from
 * ("mmapdemo_consumers --table" prints it; mmapdemo_docs.sh checks that
 * the two agree).  A result can differ by kernel series: "6.1:EINVAL;works"
 * means EINVAL on 6.1 and works elsewhere.  Most rows use a MAP_SHARED
 * mapping; a row that says MAP_PRIVATE uses one of those.  "--observed" prints what this
 * kernel does, without judging it.
 *
 * Needs root (O_DIRECT on brd, the PCI nodes); a node whose device the
 * guest lacks is skipped, with the reason.  The BAR's bytes are put back
 * afterwards (the host checks what mmapdemo_bar leaves there).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <linux/io_uring.h>
#include <linux/userfaultfd.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "kselftest.h"
#include "mmapdemo_util.h"

#define PS		4096UL
#define HUGE_LEN	(2UL << 20)
#define RES_LEN		48

#ifndef MADV_COLD
#define MADV_COLD		20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT		21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif
#ifndef MPOL_BIND
#define MPOL_BIND		2
#endif

enum { N_REMAP, N_FAULT, N_BATCHED, N_HUGE, N_BAR, N_DMA, N_REGS, NNODES };
/* The matrix's columns: the nodes, and the DMA node behind an IOMMU. */
enum { C_REMAP, C_FAULT, C_BATCHED, C_HUGE, C_BAR, C_DMA, C_DMA_IOMMU, C_REGS, NCOLS };

static const char *const col_name[NCOLS] = {
	"remap", "fault", "batched", "huge", "bar", "dma", "dma, IOMMU", "regs",
};
static const int col_node[NCOLS] = {
	N_REMAP, N_FAULT, N_BATCHED, N_HUGE, N_BAR, N_DMA, N_DMA, N_REGS,
};

static const struct node {
	const char *col, *path;
	size_t len;
	int prot;
} nodes[NNODES] = {
	[N_REMAP]	= { "remap", "/dev/mmapdemo", 2 * PS, PROT_READ | PROT_WRITE },
	[N_FAULT]	= { "fault", "/dev/mmapdemo-fault", 2 * PS, PROT_READ | PROT_WRITE },
	[N_BATCHED]	= { "batched", "/dev/mmapdemo-batched", 2 * PS, PROT_READ | PROT_WRITE },
	[N_HUGE]	= { "huge", "/dev/mmapdemo-huge", HUGE_LEN, PROT_READ | PROT_WRITE },
	[N_BAR]		= { "bar", "/dev/mmapdemo-bar", 2 * PS, PROT_READ | PROT_WRITE },
	[N_DMA]		= { "dma", "/dev/mmapdemo-dma", 2 * PS, PROT_READ | PROT_WRITE },
	[N_REGS]	= { "regs", "/dev/mmapdemo-regs", PS, PROT_READ },
};

/* One cell's mapping. */
struct cell {
	const struct node *n;
	int fd;
	unsigned char *p;
	size_t len;
	char res[RES_LEN];
};

static const char *errname(int e)
{
	switch (e) {
	case EFAULT:	return "EFAULT";
	case EINVAL:	return "EINVAL";
	case EIO:	return "EIO";
	case EPERM:	return "EPERM";
	case EACCES:	return "EACCES";
	case ENOMEM:	return "ENOMEM";
	case EAGAIN:	return "EAGAIN";
	case ENOENT:	return "ENOENT";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENOSYS:	return "ENOSYS";
	case EBUSY:	return "EBUSY";
	case ENXIO:	return "ENXIO";
	default:	return strerror(e);
	}
}

/* "works" when @ok, else the errno's name. */
static void result(struct cell *c, bool ok, int err)
{
	snprintf(c->res, RES_LEN, "%s", ok ? "works" : errname(err));
}

/* The VmFlags line and Rss of the VMA at @addr, from /proc/self/smaps. */
static int smaps(void *addr, char *flags, size_t flen, long *rss_kb)
{
	unsigned long a = (unsigned long)addr, s, e;
	char line[512];
	bool in = false;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	*flags = '\0';
	*rss_kb = -1;
	while (fgets(line, sizeof(line), f)) {
		/* a VMA's header: "start-end perms offset dev inode path" */
		if (sscanf(line, "%lx-%lx ", &s, &e) == 2) {
			in = s <= a && a < e;
			continue;
		}
		if (!in)
			continue;
		if (!strncmp(line, "Rss:", 4))
			sscanf(line + 4, "%ld", rss_kb);
		else if (!strncmp(line, "VmFlags:", 8))
			snprintf(flags, flen, "%s", line + 8);
	}
	fclose(f);
	return *flags ? 0 : -1;
}

static bool has_flag(const char *flags, const char *f)
{
	char pad[8];

	snprintf(pad, sizeof(pad), " %s", f);
	return strstr(flags, pad) != NULL;
}

/* ---- touching memory that may fault ---- */

static sigjmp_buf jmp;

static void on_signal(int sig)
{
	siglongjmp(jmp, sig);
}

static int load(volatile unsigned char *p, unsigned char *v)
{
	int sig = sigsetjmp(jmp, 1);

	if (!sig)
		*v = *p;
	return sig;
}

/* ---- the consumers ---- */

static void c_write_from(struct cell *c)
{
	int fd = memfd_create("consumer", MFD_CLOEXEC);
	ssize_t n = write(fd, c->p, PS);

	result(c, n == (ssize_t)PS, errno);
	close(fd);
}

static void c_read_into(struct cell *c)
{
	static unsigned char buf[PS];
	int fd = memfd_create("consumer", MFD_CLOEXEC);
	ssize_t n;

	if (write(fd, buf, PS) != (ssize_t)PS) {
		result(c, false, errno);
		close(fd);
		return;
	}
	n = pread(fd, c->p, PS, 0);
	result(c, n == (ssize_t)PS, errno);
	close(fd);
}

/* brd's /dev/ram0: built into the debug kernel, Debian's module elsewhere. */
static int ramdisk(void)
{
	if (access("/dev/ram0", F_OK) &&
	    system("modprobe brd rd_nr=1 rd_size=1024"))
		return -1;
	return open("/dev/ram0", O_RDWR | O_DIRECT | O_CLOEXEC);
}

static void c_odirect_read(struct cell *c)
{
	int blk = ramdisk();
	ssize_t n;

	if (blk < 0) {
		snprintf(c->res, RES_LEN, "no /dev/ram0");
		return;
	}
	n = pread(blk, c->p, PS, 0);
	result(c, n == (ssize_t)PS, errno);
	close(blk);
}

static void c_odirect_write(struct cell *c)
{
	int blk = ramdisk();
	ssize_t n;

	if (blk < 0) {
		snprintf(c->res, RES_LEN, "no /dev/ram0");
		return;
	}
	n = pwrite(blk, c->p, PS, PS);
	result(c, n == (ssize_t)PS, errno);
	close(blk);
}

static void c_io_uring(struct cell *c)
{
	struct io_uring_params prm = { 0 };
	struct iovec iov = { c->p, PS };
	int ring = syscall(__NR_io_uring_setup, 4, &prm), ret;

	if (ring < 0) {
		result(c, false, errno);
		return;
	}
	ret = syscall(__NR_io_uring_register, ring, IORING_REGISTER_BUFFERS,
		      &iov, 1);
	result(c, ret == 0, errno);
	close(ring);
}

static void c_vmsplice(struct cell *c)
{
	struct iovec iov = { c->p, PS };
	int pfd[2];
	ssize_t n;

	if (pipe(pfd)) {
		result(c, false, errno);
		return;
	}
	n = vmsplice(pfd[1], &iov, 1, 0);
	result(c, n == (ssize_t)PS, errno);
	close(pfd[0]);
	close(pfd[1]);
}

static void c_pvm_read(struct cell *c)
{
	char got[8];
	struct iovec local = { got, 8 }, remote = { c->p, 8 };
	ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);

	result(c, n == 8, errno);
}

static void c_pvm_write(struct cell *c)
{
	char put[8] = "consumer";
	struct iovec local = { put, 8 }, remote = { c->p, 8 };
	ssize_t n = process_vm_writev(getpid(), &local, 1, &remote, 1, 0);

	result(c, n == 8, errno);
}

/* Read, the bytes are the mapping's; written, the mapping shows them. */
static void c_mem_read(struct cell *c)
{
	int mem = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
	unsigned char got[8], v;
	ssize_t n = pread(mem, got, 8, (uintptr_t)c->p);

	result(c, n == 8, errno);
	if (n == 8 && (load(c->p, &v) || v != got[0]))
		snprintf(c->res, RES_LEN, "read other bytes");
	close(mem);
}

static void c_mem_write(struct cell *c)
{
	int mem = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	ssize_t n = pwrite(mem, "consumer", 8, (uintptr_t)c->p);

	result(c, n == 8, errno);
	if (n == 8 && memcmp(c->p, "consumer", 8))
		snprintf(c->res, RES_LEN, "the mapping does not show it");
	close(mem);
}

/* gdb's other way: a child inherits the mapping and stops; we peek. */
static void c_ptrace_peek(struct cell *c)
{
	pid_t pid = fork();
	int st, err;

	if (!pid) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st)) {
		snprintf(c->res, RES_LEN, "no tracee");
		return;
	}
	errno = 0;
	ptrace(PTRACE_PEEKDATA, pid, c->p, NULL);
	err = errno;
	result(c, !err, err);
	ptrace(PTRACE_CONT, pid, NULL, NULL);
	waitpid(pid, &st, 0);
}

static void c_populate(struct cell *c)
{
	void *q = mmap(NULL, c->len, c->n->prot, MAP_SHARED | MAP_POPULATE,
		       c->fd, 0);

	result(c, q != MAP_FAILED, errno);
	if (q != MAP_FAILED)
		munmap(q, c->len);
}

static void madv(struct cell *c, int advice)
{
	int ret = madvise(c->p, c->len, advice);

	result(c, !ret, errno);
}

static void c_populate_read(struct cell *c)	{ madv(c, MADV_POPULATE_READ); }
static void c_populate_write(struct cell *c)	{ madv(c, MADV_POPULATE_WRITE); }
static void c_dontneed(struct cell *c)		{ madv(c, MADV_DONTNEED); }
static void c_free(struct cell *c)		{ madv(c, MADV_FREE); }
static void c_cold(struct cell *c)		{ madv(c, MADV_COLD); }
static void c_pageout(struct cell *c)		{ madv(c, MADV_PAGEOUT); }
static void c_wipeonfork(struct cell *c)	{ madv(c, MADV_WIPEONFORK); }
static void c_dontfork(struct cell *c)		{ madv(c, MADV_DONTFORK); }
static void c_dodump(struct cell *c)		{ madv(c, MADV_DODUMP); }

/* mlock() succeeds on a VM_SPECIAL VMA without locking it (mlock_fixup()). */
static void c_mlock(struct cell *c)
{
	char flags[512];
	long rss;
	int ret = mlock(c->p, c->len), err = errno;

	if (ret) {
		result(c, false, err);
		return;
	}
	smaps(c->p, flags, sizeof(flags), &rss);
	snprintf(c->res, RES_LEN, "%s", has_flag(flags, "lo") ?
		 "works" : "0, not locked");
	munlock(c->p, c->len);
}

static void c_mlockall(struct cell *c)
{
	char flags[512];
	long rss;
	int ret = mlockall(MCL_CURRENT), err = errno;

	if (ret) {
		result(c, false, err);
		return;
	}
	smaps(c->p, flags, sizeof(flags), &rss);
	snprintf(c->res, RES_LEN, "%s", has_flag(flags, "lo") ?
		 "works" : "0, not locked");
	munlockall();
}

static void c_mprotect_ro(struct cell *c)
{
	int ret = mprotect(c->p, c->len, PROT_READ);

	result(c, !ret, errno);
}

static void c_mprotect_exec(struct cell *c)
{
	int ret = mprotect(c->p, c->len, PROT_READ | PROT_EXEC);

	result(c, !ret, errno);
}

static void c_mremap_shrink(struct cell *c)
{
	void *q;

	if (c->len <= PS) {
		snprintf(c->res, RES_LEN, "n/a");
		return;
	}
	q = mremap(c->p, c->len, c->len / 2, 0);
	result(c, q != MAP_FAILED, errno);
	if (q != MAP_FAILED)
		c->len /= 2;
}

/* Moved, the mapping still shows the byte it had. */
static void c_mremap_move(struct cell *c)
{
	unsigned char before, after;
	void *q;

	if (load(c->p, &before)) {
		snprintf(c->res, RES_LEN, "not readable");
		return;
	}
	q = mremap(c->p, c->len, c->len, MREMAP_MAYMOVE);
	if (q == MAP_FAILED) {
		result(c, false, errno);
		return;
	}
	c->p = q;
	if (load(c->p, &after))
		snprintf(c->res, RES_LEN, "SIGBUS after the move");
	else
		result(c, before == after, EIO);
}

static void c_mremap_expand(struct cell *c)
{
	void *q = mremap(c->p, c->len, c->len + PS, MREMAP_MAYMOVE);

	result(c, q != MAP_FAILED, errno);
	if (q != MAP_FAILED) {
		c->p = q;
		c->len += PS;
	}
}

static void c_fork(struct cell *c)
{
	unsigned char v = 0;
	pid_t pid;
	int st;

	if (load(c->p, &v)) {
		snprintf(c->res, RES_LEN, "not readable");
		return;
	}
	pid = fork();
	if (!pid) {
		unsigned char w;

		_exit(load(c->p, &w) ? 2 : w == v ? 0 : 3);
	}
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && !WEXITSTATUS(st))
		snprintf(c->res, RES_LEN, "works");
	else
		snprintf(c->res, RES_LEN, "child: status %#x", st);
}

static void c_dump(struct cell *c)
{
	char flags[512];
	long rss;

	if (smaps(c->p, flags, sizeof(flags), &rss))
		snprintf(c->res, RES_LEN, "no smaps");
	else
		snprintf(c->res, RES_LEN, "%s", has_flag(flags, "dd") ?
			 "left out" : "dumped");
}

static void c_mincore(struct cell *c)
{
	unsigned char v, vec[2];
	int ret;

	load(c->p, &v);
	ret = mincore(c->p, PS, vec);
	if (ret)
		result(c, false, errno);
	else
		snprintf(c->res, RES_LEN, "%s", vec[0] & 1 ? "resident" : "not resident");
}

static void c_rss(struct cell *c)
{
	char flags[512];
	unsigned char v;
	long rss;

	load(c->p, &v);
	if (smaps(c->p, flags, sizeof(flags), &rss))
		snprintf(c->res, RES_LEN, "no smaps");
	else
		snprintf(c->res, RES_LEN, "%s", rss > 0 ? "counted" : "0");
}

static void c_uffd(struct cell *c)
{
	int uffd = syscall(__NR_userfaultfd, O_CLOEXEC);
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)c->p, .len = c->len },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	int ret;

	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api)) {
		result(c, false, errno);
		if (uffd >= 0)
			close(uffd);
		return;
	}
	ret = ioctl(uffd, UFFDIO_REGISTER, &reg);
	result(c, !ret, errno);
	close(uffd);
}

static void c_mbind(struct cell *c)
{
	unsigned long mask = 1;
	long ret = syscall(__NR_mbind, c->p, c->len, MPOL_BIND, &mask,
			   sizeof(mask) * 8, 0);

	result(c, !ret, errno);
}

/* move_pages() without nodes: where page 0 is, or why it has none. */
static void c_move_pages(struct cell *c)
{
	void *pages[1] = { c->p };
	int status[1] = { -1 };
	unsigned char v;
	long ret;

	load(c->p, &v);
	ret = syscall(__NR_move_pages, 0, 1, pages, NULL, status, 0);
	if (ret)
		result(c, false, errno);
	else if (status[0] >= 0)
		snprintf(c->res, RES_LEN, "node %d", status[0]);
	else
		snprintf(c->res, RES_LEN, "-%s", errname(-status[0]));
}

struct row {
	const char *what;
	void (*run)(struct cell *c);
	const char *want[NCOLS];
	const char *why;
	int flags;		/* the mapping's: MAP_SHARED unless set */
};

/*
 * The expected results, by column (remap, fault, batched, huge, bar, dma,
 * dma behind an IOMMU, regs); WORKS8 and the like fill a row.
 */
#define ALL(v)		{ v, v, v, v, v, v, v, v }
/* PFN maps one way, pages (fault, batched, dma behind an IOMMU) another */
#define KIND(pfn, pg)	{ pfn, pg, pg, pfn, pfn, pfn, pg, pfn }
#define NO_USERFAULTFD	"7.3-debug:ENOSYS;EINVAL"
#define NO_NUMA(v)	"7.3-debug:ENOSYS;" v

static const struct row rows[] = {
	{ "`write()` from the mapping to a file", c_write_from, ALL("works"),
	  "`copy_from_user()` walks the page tables: whatever the process can read", 0 },
	{ "`read()` from a file into the mapping", c_read_into,
	  { "works", "works", "works", "works", "works", "works", "works", "EFAULT" },
	  "`copy_to_user()`; the register page is mapped read-only", 0 },
	{ "`O_DIRECT` read into the mapping (brd)", c_odirect_read, KIND("EFAULT", "works"),
	  "the block layer pins the buffer with GUP, which refuses `VM_IO` and `VM_PFNMAP` (`check_vma_flags()`)", 0 },
	{ "`O_DIRECT` write from the mapping (brd)", c_odirect_write, KIND("EFAULT", "works"),
	  "the same pin, for reading", 0 },
	{ "io_uring `IORING_REGISTER_BUFFERS`", c_io_uring,
	  KIND("EFAULT", "6.1:EOPNOTSUPP;works"),
	  "a long-term GUP pin (`FOLL_LONGTERM`); 6.1 also refuses file pages that are not shmem or hugetlbfs (`io_sqe_buffer_register()`)", 0 },
	{ "`vmsplice()` into a pipe", c_vmsplice, KIND("EFAULT", "works"),
	  "`vmsplice_to_pipe()` takes the pages with GUP", 0 },
	{ "`process_vm_readv()`", c_pvm_read, KIND("EFAULT", "works"),
	  "`process_vm_rw_single_vec()`: `pin_user_pages_remote()`, and no `vm_ops->access` fallback", 0 },
	{ "`process_vm_writev()`", c_pvm_write, KIND("EFAULT", "works"),
	  "the same", 0 },
	{ "`/proc/PID/mem` read (gdb)", c_mem_read,
	  { "works", "works", "works", "works", "works", "works", "works", "EIO" },
	  "`__access_remote_vm()`: GUP, else the VMA's `vm_ops->access`, which every PFN-mapped node has but the register page (a debugger's read of a register can have side effects)", 0 },
	{ "`/proc/PID/mem` write (gdb)", c_mem_write,
	  { "works", "works", "works", "works", "works", "works", "works", "EIO" },
	  "the same", 0 },
	{ "`ptrace(PTRACE_PEEKDATA)` (gdb)", c_ptrace_peek,
	  { "works", "works", "works", "works", "works", "works", "works", "EIO" },
	  "the same", 0 },
	{ "`mmap(MAP_POPULATE)`", c_populate, ALL("works"),
	  "`__mm_populate()` skips `VM_IO` and `VM_PFNMAP`, and its failure does not fail `mmap()`", 0 },
	{ "`MADV_POPULATE_READ`", c_populate_read, KIND("EINVAL", "works"),
	  "`madvise_populate()`: GUP refuses the VMA (`check_vma_flags()`)", 0 },
	{ "`MADV_POPULATE_WRITE`", c_populate_write, KIND("EINVAL", "works"),
	  "the same", 0 },
	{ "`MADV_DONTNEED`", c_dontneed, KIND("EINVAL", "works"),
	  "`madvise_dontneed_free_valid_vma()`: not `VM_PFNMAP`", 0 },
	{ "`MADV_FREE`", c_free, ALL("EINVAL"),
	  "anonymous memory only (`madvise_free_single_vma()`)", 0 },
	{ "`MADV_COLD`", c_cold, KIND("EINVAL", "works"),
	  "`can_madv_lru_vma()`: not `VM_PFNMAP`", 0 },
	{ "`MADV_PAGEOUT`", c_pageout, KIND("EINVAL", "works"),
	  "the same", 0 },
	{ "`MADV_WIPEONFORK`", c_wipeonfork, ALL("EINVAL"),
	  "private anonymous memory only (`madvise_vma_behavior()`)", 0 },
	{ "`MADV_DONTFORK`", c_dontfork, ALL("works"),
	  "sets `VM_DONTCOPY`: a child has no mapping", 0 },
	{ "`MADV_DODUMP`", c_dodump, ALL("EINVAL"),
	  "refused on `VM_SPECIAL` (`madvise_vma_behavior()`): every node's VMA has `VM_DONTEXPAND`", 0 },
	{ "`mlock()`", c_mlock, ALL("0, not locked"),
	  "`mlock_fixup()` leaves a `VM_SPECIAL` VMA unlocked, and succeeds", 0 },
	{ "`mlockall(MCL_CURRENT)`", c_mlockall, ALL("0, not locked"),
	  "the same, for each VMA", 0 },
	{ "`mprotect(PROT_READ)`", c_mprotect_ro, ALL("works"),
	  "nothing refuses it", 0 },
	{ "`mprotect(PROT_EXEC)`", c_mprotect_exec, ALL("EACCES"),
	  "every node clears `VM_MAYEXEC`", 0 },
	{ "`mremap()` shrink", c_mremap_shrink,
	  { "works", "works", "works", "works", "works", "works", "works", "n/a" },
	  "the register page is one page", 0 },
	{ "`mremap()` move", c_mremap_move, ALL("works"),
	  "the page tables move with the VMA (`move_vma()`)", 0 },
	{ "`mremap()` expand", c_mremap_expand, ALL("EFAULT"),
	  "`VM_DONTEXPAND` (`vma_to_resize()` in 6.1 and 6.12, `check_prep_vma()` in 7.3)", 0 },
	{ "`fork()`: the child reads it", c_fork, ALL("works"),
	  "a PFN map's page tables are copied (`vma_needs_copy()`); pages fault in again", 0 },
	{ "`fork()`: the child reads a `MAP_PRIVATE` mapping", c_fork,
	  { "mmap: EINVAL", "works", "works", "mmap: EINVAL", "mmap: EINVAL",
	    "mmap: EINVAL", "mmap: EINVAL", "mmap: EINVAL" },
	  "only the page-backed nodes allow `MAP_PRIVATE` ([policy.md](policy.md)); the child shares the parent's pages until either writes", MAP_PRIVATE },
	{ "core dump (`VmFlags` `dd`)", c_dump, ALL("left out"),
	  "`vma_dump_size()` skips `VM_DONTDUMP`, which every node's VMA has", 0 },
	{ "`mincore()` after a load", c_mincore,
	  KIND("6.1:not resident;6.12:not resident;resident", "resident"),
	  "6.1 and 6.12 walk with `walk_page_range()`, whose `walk_page_test()` makes a PFN map a hole looked up in the page cache; 7.3's `walk_page_range_vma()` finds its present PTEs", 0 },
	{ "smaps `Rss` after a load", c_rss, KIND("0", "counted"),
	  "`smaps_pte_entry()` counts what `vm_normal_page()` finds: pages, not PFNs", 0 },
	{ "userfaultfd `UFFDIO_REGISTER`", c_uffd, ALL(NO_USERFAULTFD),
	  "`vma_can_userfault()`: anonymous, shmem and hugetlbfs only (the debug kernel has no `CONFIG_USERFAULTFD`)", 0 },
	{ "`mbind(MPOL_BIND)`", c_mbind, ALL(NO_NUMA("works")),
	  "sets the policy; nothing moves (`vma_migratable()`); no `CONFIG_NUMA` on the debug kernel", 0 },
	{ "`move_pages()` query after a load", c_move_pages,
	  KIND("6.1:-EFAULT;7.3-debug:ENOSYS;-ENOENT", NO_NUMA("node 0")),
	  "`do_pages_stat_array()`: no page behind a PFN (6.1's `follow_page()` with `FOLL_DUMP`: `-EFAULT`)", 0 },
};

/* Run one cell on a fresh mapping: 0, or -1 when the node cannot be opened. */
static int run_cell(const struct row *r, int ni, char *res)
{
	const struct node *n = &nodes[ni];
	struct cell c = { .n = n, .len = n->len };

	c.fd = open(n->path, n->prot & PROT_WRITE ? O_RDWR : O_RDONLY);
	if (c.fd < 0)
		return -1;
	c.p = mmap(NULL, c.len, n->prot, r->flags ? r->flags : MAP_SHARED,
		   c.fd, 0);
	if (c.p == MAP_FAILED) {
		snprintf(res, RES_LEN, "mmap: %s", errname(errno));
		close(c.fd);
		return 0;
	}
	r->run(&c);
	munmap(c.p, c.len);
	close(c.fd);
	snprintf(res, RES_LEN, "%s", c.res);
	return 0;
}

/* "6.1", "6.12", "7.3", or "7.3-debug" for the project's debug kernel. */
static void kernel_series(char *buf, size_t len)
{
	struct utsname u;
	unsigned int major = 0, minor = 0;

	uname(&u);
	sscanf(u.release, "%u.%u", &major, &minor);
	snprintf(buf, len, "%u.%u%s", major, minor,
		 strstr(u.release, "debug") ? "-debug" : "");
}

/*
 * A cell's expected value on @series: "6.1:X;Y" is X on 6.1, Y elsewhere;
 * "7.3-debug" takes 7.3's exception when it has none of its own.
 */
static void expected(const char *spec, const char *series, char *out)
{
	char base[32], item[RES_LEN];
	const char *p = spec, *def = NULL, *exact = NULL, *basev = NULL;
	size_t n, deflen = 0, exlen = 0, blen = 0;

	snprintf(base, sizeof(base), "%s", series);
	if (strchr(base, '-'))
		*strchr(base, '-') = '\0';
	for (; *p; p += n + !!p[n]) {
		const char *colon;

		n = strcspn(p, ";");
		snprintf(item, sizeof(item), "%.*s", (int)n, p);
		colon = isdigit((unsigned char)item[0]) ? strchr(item, ':') : NULL;
		if (!colon) {
			def = p;
			deflen = n;
		} else if ((size_t)(colon - item) == strlen(series) &&
			   !strncmp(item, series, colon - item)) {
			exact = p + (colon - item) + 1;
			exlen = n - (colon - item) - 1;
		} else if ((size_t)(colon - item) == strlen(base) &&
			   !strncmp(item, base, colon - item)) {
			basev = p + (colon - item) + 1;
			blen = n - (colon - item) - 1;
		}
	}
	if (exact)
		snprintf(out, RES_LEN, "%.*s", (int)exlen, exact);
	else if (basev)
		snprintf(out, RES_LEN, "%.*s", (int)blen, basev);
	else
		snprintf(out, RES_LEN, "%.*s", (int)deflen, def ? def : "");
}

/* A value as the table shows it: errno names as code. */
static void show(const char *v, size_t n)
{
	if (n > 6 && !strncmp(v, "mmap: ", 6))
		printf("`mmap()`: `%.*s`", (int)n - 6, v + 6);
	else if (n && (v[0] == 'E' || (v[0] == '-' && v[1] == 'E')))
		printf("`%.*s`", (int)n, v);
	else
		printf("%.*s", (int)n, v);
}

/* A cell of docs/using.md: the default, then each series' exception. */
static void show_spec(const char *spec)
{
	const char *p, *colon;
	size_t n;
	int ex = 0;

	for (p = spec; *p; p += n + !!p[n]) {
		n = strcspn(p, ";");
		colon = isdigit((unsigned char)*p) ? memchr(p, ':', n) : NULL;
		if (!colon)
			show(p, n);
	}
	for (p = spec; *p; p += n + !!p[n]) {
		n = strcspn(p, ";");
		colon = isdigit((unsigned char)*p) ? memchr(p, ':', n) : NULL;
		if (!colon)
			continue;
		printf("%s%.*s: ", ex++ ? "; " : " (", (int)(colon - p), p);
		show(colon + 1, n - (colon - p) - 1);
	}
	if (ex)
		printf(")");
}

static void print_table(void)
{
	unsigned int i, c;

	printf("| consumer |");
	for (c = 0; c < NCOLS; c++)
		printf(" %s |", col_name[c]);
	printf(" why |\n|---|");
	for (c = 0; c < NCOLS; c++)
		printf("---|");
	printf("---|\n");
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		printf("| %s |", rows[i].what);
		for (c = 0; c < NCOLS; c++) {
			printf(" ");
			show_spec(rows[i].want[c]);
			printf(" |");
		}
		printf(" %s |\n", rows[i].why);
	}
}

/* Where the DMA node's mapping comes from: VM_MIXEDMAP behind an IOMMU. */
static int dma_column(void)
{
	char flags[512];
	int fd = open(nodes[N_DMA].path, O_RDONLY), col = -1;
	long rss;
	void *p;

	if (fd < 0)
		return -1;
	p = mmap(NULL, PS, PROT_READ, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED && !smaps(p, flags, sizeof(flags), &rss))
		col = has_flag(flags, "mm") ? C_DMA_IOMMU : C_DMA;
	if (p != MAP_FAILED)
		munmap(p, PS);
	close(fd);
	return col;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	char series[32], res[RES_LEN], want[RES_LEN];
	static unsigned char bar_saved[2 * PS];
	bool run[NCOLS] = { false };
	unsigned int i, c;
	int dma, bar = -1;

	if (argc == 2 && !strcmp(argv[1], "--table")) {
		print_table();
		return 0;
	}
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	if (argc == 2 && !strcmp(argv[1], "--observed")) {
		printf("| consumer |");
		for (c = 0; c < NNODES; c++)
			printf(" %s |", nodes[c].col);
		printf("\n");
		for (i = 0; i < ARRAY_SIZE(rows); i++) {
			printf("| %s |", rows[i].what);
			for (c = 0; c < NNODES; c++)
				printf(" %s |", run_cell(&rows[i], c, res) ?
				       "absent" : res);
			printf("\n");
			fflush(stdout);
		}
		return 0;
	}

	ksft_print_header();
	if (geteuid())
		ksft_exit_skip("O_DIRECT on brd and the PCI nodes need root\n");
	if (mmd_ensure())
		ksft_exit_fail_msg("cannot load mmapdemo: %s\n", strerror(errno));
	kernel_series(series, sizeof(series));
	dma = dma_column();
	if (dma == C_DMA_IOMMU) {
		/* The IOMMU lane: the other columns ran in the suite's guest. */
		run[C_DMA_IOMMU] = true;
	} else {
		for (c = 0; c < NCOLS; c++)
			run[c] = c != C_DMA_IOMMU &&
				 access(nodes[col_node[c]].path, F_OK) == 0;
	}
	printf("# kernel series %s; columns:", series);
	for (c = 0; c < NCOLS; c++)
		if (run[c])
			printf(" %s", col_name[c]);
	printf("\n");
	if (run[C_BAR]) {
		bar = open(nodes[N_BAR].path, O_RDWR);
		if (bar < 0 || pread(bar, bar_saved, sizeof(bar_saved), 0) !=
		    (ssize_t)sizeof(bar_saved))
			ksft_exit_fail_msg("cannot save the BAR's bytes\n");
	}

	ksft_set_plan(ARRAY_SIZE(rows) + (bar >= 0));
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		int bad = 0;

		for (c = 0; c < NCOLS; c++) {
			if (!run[c])
				continue;
			expected(rows[i].want[c], series, want);
			if (run_cell(&rows[i], col_node[c], res))
				snprintf(res, RES_LEN, "cannot open");
			if (strcmp(res, want)) {
				ksft_print_msg("%s on %s: %s, expected %s\n",
					       rows[i].what, col_name[c], res, want);
				bad = 1;
			}
		}
		ksft_test_result(!bad, "%s\n", rows[i].what);
	}
	if (bar >= 0) {
		ksft_test_result(pwrite(bar, bar_saved, sizeof(bar_saved), 0) ==
				 (ssize_t)sizeof(bar_saved),
				 "the BAR's bytes are put back\n");
		close(bar);
	}
	ksft_finished();
}
