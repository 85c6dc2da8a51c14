// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo_inject: every memory allocation failure each path of mmapdemo
 * can meet, one at a time.
 *
 * /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION with failslab and
 * fail_page_alloc) makes the Nth allocation this thread makes in the
 * kernel fail.  For each path (module load with each size class, open,
 * mmap and first fault of each strategy, mmap of each node (its
 * mmap_prepare, the VMA, the remap action's page tables: after every
 * failure the counters say exactly what was mapped), RESIZE small and large, FILL,
 * CHECKSUM, read, write; the PCI half: binding ivshmem-plain and edu
 * through sysfs, mmap and a store on their nodes, a streaming DMA copy) we
 * run the operation with N = 1, 2, ... until it
 * completes without reaching an Nth allocation: N - 1 is the number of
 * injection points on that path, the kernel's own (VMA, page tables,
 * struct file, module loader) and the driver's.  Each injected failure must
 * end in success or a documented errno (ENOMEM; for a load, also the
 * driver core's EINVAL, for a bind the PCI core's EBUSY: see
 * core_errno()), with nothing half done:
 * after a failed load nothing is registered, after a failed RESIZE the old
 * buffer is intact, after every attempt the device passes a basic check
 * (open, INFO, map, store, CHECKSUM, read back, unmap).  Leaks are the
 * debug kernel's kmemleak's to find (scripts/guest-gates, after this).
 *
 * Run as root on a kernel with fault injection (the 7.3-debug lane of
 * "make fuzz"); INJECT_MAX bounds N (default 4000), INJECT_ONLY=TEXT[,TEXT...]
 * runs only the paths whose name contains one of them.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <sys/mman.h>

#include "kselftest.h"
#include "mmapdemo_pci.h"
#include "mmapdemo_util.h"

#define PS 4096UL

struct state {
	int fd;
	unsigned char *map;
	size_t len;
	uint64_t sum;		/* CHECKSUM of the buffer before the attempt */
	uint64_t size;
	struct mmapdemo_stats before;	/* STATS before the attempt */
	unsigned char buf[64 * 1024];
};

struct path {
	const char *name;
	int (*prepare)(struct state *st, const struct path *p);
	int (*op)(struct state *st, const struct path *p);	/* 0 or -errno */
	int (*after)(struct state *st, const struct path *p, int ret);
	const char *param;	/* load: module parameters */
	int strategy;
	uint64_t arg;		/* a length or a size */
	int mflags;		/* MAP_SHARED or MAP_PRIVATE */
	const char *node;	/* map this node from offset 0, not a region */
};

static int failnth = -1;
static int kmsg = -1;	/* /dev/kmsg, read from where an attempt began */

static void fail_nth_set(unsigned int n)
{
	char b[16];
	int l = snprintf(b, sizeof(b), "%u", n);

	if (pwrite(failnth, b, l, 0) != l)
		ksft_exit_fail_msg("fail-nth: %s\n", strerror(errno));
}

static unsigned int fail_nth_left(void)
{
	char b[16] = { 0 };

	if (pread(failnth, b, sizeof(b) - 1, 0) < 0)
		ksft_exit_fail_msg("fail-nth: %s\n", strerror(errno));
	return strtoul(b, NULL, 10);
}

/*
 * Two allocations the kernel reports with another errno:
 *  - 7.3's module_add_driver() (drivers/base/module.c) returns -EINVAL
 *    when kobject_create_and_add() cannot make /sys/module/mmapdemo/drivers;
 *    bus_add_driver() then logs "failed to create module links for
 *    mmapdemo" and unregisters the PCI driver, and our init unwinds;
 *  - __request_region() (kernel/resource.c) returns NULL when it cannot
 *    allocate the struct resource, as when the range is taken, and
 *    __pci_request_region() (drivers/pci/pci.c) makes both -EBUSY, with
 *    "BAR N: can't reserve" in the log.
 * So a load may fail with EINVAL and a bind with EBUSY, but only with
 * that line in the kernel log since the attempt began: any other EINVAL
 * or EBUSY fails the path.
 */
static void kmsg_skip(void)
{
	lseek(kmsg, 0, SEEK_END);
}

static bool kmsg_has(const char *line)
{
	char rec[1024];
	bool found = false;
	ssize_t n;

	for (;;) {
		n = read(kmsg, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* records overwritten: go on */
			continue;
		if (n <= 0)			/* EAGAIN: read them all */
			break;
		rec[n] = 0;
		if (strstr(rec, line))
			found = true;
	}
	return found;
}

static int load_op(struct state *st, const struct path *p);
static int bind_op(struct state *st, const struct path *p);

static bool core_errno(const struct path *p, int ret)
{
	if (ret == -EINVAL && p->op == load_op)
		return kmsg_has("failed to create module links for mmapdemo");
	if (ret == -EBUSY && p->op == bind_op)
		return kmsg_has(": can't reserve [mem ");
	return false;
}

static uint64_t checksum(int fd, uint64_t off, uint64_t len)
{
	struct mmapdemo_checksum c = { .offset = off, .length = len };

	if (ioctl(fd, MMAPDEMO_IOC_CHECKSUM, &c))
		return 0;
	return c.sum;
}

static uint64_t buffer_size(int fd)
{
	struct mmapdemo_info in;

	return ioctl(fd, MMAPDEMO_IOC_INFO, &in) ? 0 : in.buffer_size;
}

/*
 * The device works: open, INFO, map a page with remap and with fault, a
 * store through one is seen through the other, by CHECKSUM and by read();
 * nothing stays mapped.  Returns 0 or prints what is wrong.
 */
static int usable(const char *why)
{
	unsigned char *a, *b, c = 0;
	struct mmapdemo_stats stats;
	int fd, ret = -1;

	fd = open(MMD_DEV, O_RDWR);
	if (fd < 0) {
		ksft_print_msg("%s: open: %s\n", why, strerror(errno));
		return -1;
	}
	a = mmap(NULL, PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 MMAPDEMO_OFFSET(MMAPDEMO_STRATEGY_REMAP));
	b = mmap(NULL, PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 MMAPDEMO_OFFSET(MMAPDEMO_STRATEGY_FAULT));
	if (a == MAP_FAILED || b == MAP_FAILED || !buffer_size(fd)) {
		ksft_print_msg("%s: mmap/INFO: %s\n", why, strerror(errno));
		goto out;
	}
	a[7] = 0x5a;
	if (b[7] != 0x5a || pread(fd, &c, 1, 7) != 1 || c != 0x5a ||
	    checksum(fd, 7, 1) != mmd_fnv1a(&c, 1)) {
		ksft_print_msg("%s: a store is not seen everywhere\n", why);
		goto out;
	}
	ret = 0;
out:
	if (a != MAP_FAILED)
		munmap(a, PS);
	if (b != MAP_FAILED)
		munmap(b, PS);
	if (!ret && (ioctl(fd, MMAPDEMO_IOC_STATS, &stats) || stats.live_maps)) {
		ksft_print_msg("%s: %llu mappings left\n", why,
			       (unsigned long long)stats.live_maps);
		ret = -1;
	}
	close(fd);
	return ret;
}

/* ---- module load ---- */

/*
 * Only the kernel's work may meet an injected failure: the module file is
 * copied to tmpfs and libkmod's context and module object are made before
 * fail-nth is set, so that the only allocations counted are those of
 * finit_module() (loader, sysfs, our init) on a file tmpfs reads without
 * allocating.  (The project's directory reaches the guest over 9p, and the
 * 9p client does not survive every allocation failure in a reader's
 * context: it is no part of what is tested here.)
 */
static struct kmod_ctx *kctx;
static struct kmod_module *kmod;
static const char *ko_copy = "/tmp/mmapdemo-inject.ko";

static int copy_module(void)
{
	struct kmod_module *m = NULL;
	const char *src = getenv("MMAPDEMO_KO");
	char cmd[512];

	if (!src || !*src) {
		if (kmod_module_new_from_name(kctx, "mmapdemo", &m) ||
		    !(src = kmod_module_get_path(m)))
			return -ENOENT;
	}
	snprintf(cmd, sizeof(cmd), "cp '%s' %s", src, ko_copy);
	if (m)
		kmod_module_unref(m);
	return system(cmd) ? -EIO : 0;
}

static int load_prepare(struct state *st, const struct path *p)
{
	int ret = access(MMD_MODULE, F_OK) ? 0 : mmd_unload();

	if (ret)
		return ret;
	return kmod_module_new_from_path(kctx, ko_copy, &kmod);
}

static int load_op(struct state *st, const struct path *p)
{
	int ret = mmd_kmod_insert(kmod, p->param);

	return ret == MMD_NODE_LATE ? -ETIMEDOUT : ret;
}

static int load_after(struct state *st, const struct path *p, int ret)
{
	struct stat s;

	kmod_module_unref(kmod);
	kmod = NULL;
	if (ret == 0) {
		int fd = open(MMD_DEV, O_RDONLY);
		uint64_t size = fd < 0 ? 0 : buffer_size(fd);

		if (fd >= 0)
			close(fd);
		if (size != p->arg) {
			ksft_print_msg("loaded with %s: size %llu\n", p->param,
				       (unsigned long long)size);
			return -1;
		}
		return usable("after the load");
	}
	/* A failed load leaves nothing behind. */
	if (stat(MMD_MODULE, &s) == 0 || stat(MMD_DEV, &s) == 0 ||
	    stat(MMD_SYSFS, &s) == 0) {
		ksft_print_msg("load failed (%s) but something is registered\n",
			       strerror(-ret));
		return -1;
	}
	return 0;
}

/*
 * A buffer of 2 MiB or more is one contiguous range (module/buffer.c), and
 * hundreds of loads and unloads under KASAN, kmemleak and page_owner
 * scatter unmovable allocations over memory: measured on 7.3-debug, after
 * about 650 loads of size=2052K a plain insmod failed with ENOMEM twice in
 * a row and passed after compaction, and the same is seen after the soak
 * (scripts/guest-fuzz).  That ENOMEM is the buffer's documented answer on
 * a fragmented machine, not an outcome of injection: a load that fails
 * before it reaches the Nth allocation is tried again with the same N, up
 * to five times, each after dropping caches and compacting memory, so
 * that no injection point after the buffer's allocation is skipped; the
 * messages say so.  True when the attempt should be made again.
 */
static bool fragmented(const struct path *p, int ret, unsigned int n, int *tries)
{
	if (ret != -ENOMEM || p->op != load_op || p->arg <= PS || *tries >= 5)
		return false;
	ksft_print_msg("%s: ENOMEM before allocation %u: compacting memory, try %d of 5\n",
		       p->name, n, ++*tries);
	mmd_write_file("/proc/sys/vm/drop_caches", "3");
	mmd_write_file("/proc/sys/vm/compact_memory", "1");
	sleep(1);
	return true;
}

/* ---- open ---- */

static int open_op(struct state *st, const struct path *p)
{
	st->fd = open(MMD_DEV, O_RDWR);
	return st->fd < 0 ? -errno : 0;
}

static int open_after(struct state *st, const struct path *p, int ret)
{
	if (!ret)
		close(st->fd);
	return usable("after open");
}

/* ---- mmap and the first fault ---- */

static int fd_prepare(struct state *st, const struct path *p)
{
	struct mmapdemo_fill f = { .length = 0, .flags = MMAPDEMO_FILL_INCREMENT,
				   .seed = 0x21 };

	st->fd = open(p->node ? p->node : MMD_DEV, O_RDWR);
	if (st->fd < 0)
		return -errno;
	st->size = buffer_size(st->fd);
	f.length = st->size;
	if (ioctl(st->fd, MMAPDEMO_IOC_FILL, &f))
		return -errno;
	st->sum = checksum(st->fd, 0, st->size);
	mmd_stats(st->fd, &st->before);
	return 0;
}

/*
 * Each attempt maps at a new 1 GiB-aligned address, so that the page
 * tables below it do not exist yet: mmap() (remap fills them) and the
 * first fault must allocate them, and those allocations are injected too.
 */
static int mmap_op(struct state *st, const struct path *p)
{
	static uintptr_t hint = 0x300000000000UL;

	hint += 1UL << 30;
	st->len = p->arg;
	st->map = mmap((void *)hint, st->len, PROT_READ | PROT_WRITE, p->mflags,
		       st->fd, p->node ? 0 : MMAPDEMO_OFFSET(p->strategy));
	return st->map == MAP_FAILED ? -errno : 0;
}

/* The mapping shows the buffer's bytes: FILL's pattern, byte i = 0x21 + i. */
static int map_shows_buffer(struct state *st)
{
	size_t i;

	for (i = 0; i < st->len; i += PS / 2)
		if (st->map[i] != (unsigned char)(0x21 + i)) {
			ksft_print_msg("byte %zu through the mapping: %#x\n", i,
				       st->map[i]);
			return -1;
		}
	return 0;
}

/*
 * The counters are exact whatever failed: one more mmap only if mmap()
 * succeeded, which is when ->mapped ran.  A failure after prepare (the
 * VMA, the page tables of the remap action) counts nothing, and the map
 * prepare made goes with the file (usable() then finds no mapping left).
 */
static int mmap_counted(struct state *st, const struct path *p, int ret)
{
	struct mmapdemo_stats now;
	uint64_t was = st->before.strategy[p->strategy].mmaps;

	mmd_stats(st->fd, &now);
	if (now.strategy[p->strategy].mmaps == was + !ret)
		return 0;
	ksft_print_msg("mmap %s: mmaps went from %llu to %llu\n",
		       ret ? "failed" : "succeeded", (unsigned long long)was,
		       (unsigned long long)now.strategy[p->strategy].mmaps);
	return -1;
}

static int mmap_after(struct state *st, const struct path *p, int ret)
{
	int bad = mmap_counted(st, p, ret);

	if (!ret) {
		bad |= map_shows_buffer(st);
		munmap(st->map, st->len);
	}
	close(st->fd);
	return bad ? -1 : usable("after mmap");
}

static int fault_prepare(struct state *st, const struct path *p)
{
	int ret = fd_prepare(st, p);

	return ret ? ret : mmap_op(st, p);
}

/*
 * The first touch: a load, or for MAP_PRIVATE a store of the byte already
 * there, which makes the core copy the page.  An allocation that fails in
 * the fault path (page tables, the private copy) returns VM_FAULT_OOM; for
 * a fault from userspace the core retries it (the second attempt has no
 * failure left to inject), so the touch itself always completes: what
 * must hold is that it sees the right bytes.
 */
static int fault_op(struct state *st, const struct path *p)
{
	if (p->mflags == MAP_PRIVATE)
		return mmd_probe_write(st->map, 0x21) ? -EFAULT : 0;
	return mmd_probe_read(st->map) ? -EFAULT : 0;
}

static int fault_after(struct state *st, const struct path *p, int ret)
{
	int bad = ret || map_shows_buffer(st);

	munmap(st->map, st->len);
	close(st->fd);
	return bad ? -1 : usable("after the first fault");
}

/* ---- RESIZE ---- */

static int resize_op(struct state *st, const struct path *p)
{
	struct mmapdemo_resize rz = { .size = p->arg };

	return ioctl(st->fd, MMAPDEMO_IOC_RESIZE, &rz) ? -errno : 0;
}

static int resize_after(struct state *st, const struct path *p, int ret)
{
	struct mmapdemo_resize back = { .size = st->size };
	uint64_t size = buffer_size(st->fd);
	int bad = 0;

	if (!ret) {
		/* The new buffer, zeroed. */
		memset(st->buf, 0, sizeof(st->buf));
		if (size != p->arg ||
		    checksum(st->fd, 0, PS) != mmd_fnv1a(st->buf, PS)) {
			ksft_print_msg("RESIZE succeeded: size %llu, not zeroed?\n",
				       (unsigned long long)size);
			bad = 1;
		}
		if (ioctl(st->fd, MMAPDEMO_IOC_RESIZE, &back))
			bad = 1;
	} else if (size != st->size || checksum(st->fd, 0, size) != st->sum) {
		ksft_print_msg("RESIZE failed (%s) and the old buffer changed\n",
			       strerror(-ret));
		bad = 1;
	}
	close(st->fd);
	return bad ? -1 : usable("after RESIZE");
}

/* ---- FILL, CHECKSUM, read, write ---- */

static int ioctl_op(struct state *st, const struct path *p)
{
	struct mmapdemo_fill f = { .offset = 0, .length = p->arg, .seed = 0x21,
				   .flags = MMAPDEMO_FILL_INCREMENT };

	if (p->strategy)
		return checksum(st->fd, 0, st->size) == st->sum ? 0 : -EIO;
	return ioctl(st->fd, MMAPDEMO_IOC_FILL, &f) ? -errno : 0;
}

static int rw_op(struct state *st, const struct path *p)
{
	ssize_t n;

	/* The user buffer is already faulted in: only the driver allocates. */
	memset(st->buf, 0, sizeof(st->buf));
	if (p->strategy)
		n = pwrite(st->fd, st->buf, sizeof(st->buf), 0);
	else
		n = pread(st->fd, st->buf, sizeof(st->buf), 0);
	if (n < 0)
		return -errno;
	return n == sizeof(st->buf) ? 0 : -EIO;
}

static int io_after(struct state *st, const struct path *p, int ret)
{
	close(st->fd);
	return usable("after FILL/CHECKSUM/read/write");
}

/* ---- the PCI half: binding each device, and its nodes ---- */

#define BAR_DEV	"/dev/mmapdemo-bar"
#define DMA_DEV	"/dev/mmapdemo-dma"

/*
 * The fuzz guest has ivshmem-plain and edu, each with driver_override
 * "none" (scripts/guest-fuzz), so that the ~2000 injected loads above do
 * not also probe them: that doubled the time of a load point (0.49 s to
 * 1.1 s).  Here a device is handed to us by driver_override and bound
 * through sysfs instead: bind_store() runs the probe in the writing
 * thread (pci_call_probe() calls it directly for a device with no NUMA
 * node, as QEMU's are here), so fail-nth reaches every allocation of
 * probe, and of the misc device and DMA buffer it creates.
 */
static const struct pci_fn {
	long vendor, device;
	const char *node;
} pci_fns[] = {
	{ 0x1af4, 0x1110, BAR_DEV },	/* ivshmem-plain */
	{ 0x1234, 0x11e8, DMA_DEV },	/* edu */
};

static char pci_bdf[ARRAY_SIZE(pci_fns)][32];

static bool pci_bound(int i)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), PCI_DRIVER "/%s", pci_bdf[i]);
	return access(path, F_OK) == 0;
}

static int pci_unbind(int i)
{
	const struct pci_fn *f = &pci_fns[i];

	if (pci_bound(i) && mmd_write_file(PCI_DRIVER "/unbind", pci_bdf[i]))
		return -1;
	return pci_wait_node(f->node, false, 5000) ? 0 : -1;
}

/* driver_override @who, then bound to us or not: 0 or -1. */
static int pci_give(int i, const char *who, bool bind)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver_override",
		 pci_bdf[i]);
	if (mmd_write_file(path, who))
		return -1;
	if (!bind)
		return pci_unbind(i);
	if (!pci_bound(i) && mmd_write_file(PCI_DRIVER "/bind", pci_bdf[i]))
		return -1;
	return pci_wait_node(pci_fns[i].node, true, 5000) ? 0 : -1;
}

static int dma_copy(int fd, uint64_t src, uint64_t dst, uint32_t len,
		    uint32_t flags)
{
	struct mmapdemo_dma_copy c = {
		.src = src, .dst = dst, .length = len, .flags = flags,
	};

	return ioctl(fd, MMAPDEMO_IOC_DMA_COPY, &c) ? -errno : 0;
}

/*
 * The node works: a store through a fresh mapping is read back by read()
 * on the BAR, and copied by the device on the DMA node (it has no read()).
 */
static int pci_usable(const char *node, const char *why)
{
	unsigned char *m, c = 0;
	int fd, ret = -1;

	fd = open(node, O_RDWR);
	if (fd < 0) {
		ksft_print_msg("%s: open %s: %s\n", why, node, strerror(errno));
		return -1;
	}
	m = mmap(NULL, 2 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		ksft_print_msg("%s: mmap %s: %s\n", why, node, strerror(errno));
		close(fd);
		return -1;
	}
	m[9] = 0x6b;
	m[PS + 9] = 0;
	if (strcmp(node, DMA_DEV))
		ret = pread(fd, &c, 1, 9) == 1 && c == 0x6b ? 0 : -1;
	else
		ret = !dma_copy(fd, 9, PS + 9, 1, 0) && m[PS + 9] == 0x6b ? 0 : -1;
	if (ret)
		ksft_print_msg("%s: %s does not work\n", why, node);
	munmap(m, 2 * PS);
	close(fd);
	return ret;
}

/* The write to "bind" is the operation: the file is opened beforehand. */
static int bind_prepare(struct state *st, const struct path *p)
{
	if (pci_give(p->strategy, "mmapdemo", false))
		return -EIO;
	st->fd = open(PCI_DRIVER "/bind", O_WRONLY);
	return st->fd < 0 ? -errno : 0;
}

static int bind_op(struct state *st, const struct path *p)
{
	const char *bdf = pci_bdf[p->strategy];
	ssize_t n = write(st->fd, bdf, strlen(bdf));

	if (n < 0)
		return -errno;
	return n == (ssize_t)strlen(bdf) ? 0 : -EIO;
}

/*
 * A failed probe leaves the device unbound and no node; a probe that
 * absorbed the failure leaves a node that works.
 */
static int bind_after(struct state *st, const struct path *p, int ret)
{
	const char *node = pci_fns[p->strategy].node;
	bool bound = pci_bound(p->strategy);
	int bad = 0;

	close(st->fd);
	if (ret && (bound || access(node, F_OK) == 0)) {
		ksft_print_msg("bind failed (%s) but %s\n", strerror(-ret),
			       bound ? "the device is bound" : "the node exists");
		bad = 1;
	} else if (!ret && (!bound || !pci_wait_node(node, true, 5000))) {
		ksft_print_msg("bind succeeded but %s\n",
			       bound ? "no node" : "the device is not bound");
		bad = 1;
	} else if (!ret) {
		bad = pci_usable(node, "after the bind");
	}
	if (pci_unbind(p->strategy)) {
		ksft_print_msg("%s: unbind: %s\n", node, strerror(errno));
		bad = 1;
	}
	return bad ? -1 : 0;
}

/* The nodes' own paths run with both devices bound. */
static int pci_prepare(struct state *st, const struct path *p)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pci_fns); i++)
		if (pci_give(i, "mmapdemo", true))
			return -EIO;
	st->fd = open(p->node, O_RDWR);
	return st->fd < 0 ? -errno : 0;
}

/* mmap() and a first store: the BAR's PTEs, the DMA buffer's. */
static int pci_map_op(struct state *st, const struct path *p)
{
	int ret = mmap_op(st, p);

	if (ret)
		return ret;
	return mmd_probe_write(st->map + PS, 0x3c) ? -EFAULT : 0;
}

static int pci_map_after(struct state *st, const struct path *p, int ret)
{
	int bad = 0;

	if (!ret) {
		bad = st->map[PS] != 0x3c;
		if (bad)
			ksft_print_msg("%s: a store is not read back\n", p->node);
		munmap(st->map, st->len);
	}
	close(st->fd);
	return bad ? -1 : pci_usable(p->node, "after mmap");
}

/* A copy through a streaming mapping of a kernel page: dma_map_single(). */
static int dma_copy_prepare(struct state *st, const struct path *p)
{
	int ret = pci_prepare(st, p);

	if (ret)
		return ret;
	st->len = 2 * PS;
	st->map = mmap(NULL, st->len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       st->fd, 0);
	if (st->map == MAP_FAILED)
		return -errno;
	memset(st->map, 0x4d, 64);
	memset(st->map + PS, 0, 64);
	return 0;
}

static int dma_copy_op(struct state *st, const struct path *p)
{
	return dma_copy(st->fd, 0, PS, 64, p->strategy);
}

/* The destination holds the copy if it succeeded, and is untouched if not. */
static int dma_copy_after(struct state *st, const struct path *p, int ret)
{
	size_t i;
	int bad = 0;

	for (i = 0; i < 64; i++)
		if (st->map[PS + i] != (ret ? 0 : 0x4d))
			bad = 1;
	if (bad)
		ksft_print_msg("DMA copy %s, and the destination says otherwise\n",
			       ret ? "failed" : "succeeded");
	munmap(st->map, st->len);
	close(st->fd);
	return bad ? -1 : pci_usable(DMA_DEV, "after a DMA copy");
}

/*
 * Afterwards the devices wait unbound again, with driver_override "none",
 * so that the lane's later loads (stress-ng, the soak) do not probe them.
 */
static int pci_put_back(void)
{
	unsigned int i;
	int bad = 0;

	for (i = 0; i < ARRAY_SIZE(pci_fns); i++)
		if (pci_bdf[i][0] && pci_give(i, "none", false))
			bad = 1;
	return bad;
}

#define LOAD(n, prm, size) { .name = n, .prepare = load_prepare, \
	.op = load_op, .after = load_after, .param = prm, .arg = size }
#define MAP(n, s, len, fl) { .name = n, .prepare = fd_prepare, \
	.op = mmap_op, .after = mmap_after, .strategy = s, .arg = len, .mflags = fl }
#define NODE(n, dev, s, len) { .name = n, .prepare = fd_prepare, \
	.op = mmap_op, .after = mmap_after, .strategy = s, .arg = len, \
	.mflags = MAP_SHARED, .node = dev }
#define FAULT(n, s, len, fl) { .name = n, .prepare = fault_prepare, \
	.op = fault_op, .after = fault_after, .strategy = s, .arg = len, .mflags = fl }
#define IO(n, o, a, s, len) { .name = n, .prepare = fd_prepare, .op = o, \
	.after = a, .strategy = s, .arg = len }
#define BIND(n, i) { .name = n, .prepare = bind_prepare, .op = bind_op, \
	.after = bind_after, .strategy = i }
#define PCI(n, dev, o, a, s, len) { .name = n, .prepare = pci_prepare, \
	.op = o, .after = a, .strategy = s, .arg = len, .mflags = MAP_SHARED, \
	.node = dev }

static const struct path paths[] = {
	LOAD("load size=4K", "size=4K", PS),
	LOAD("load size=2052K", "size=2052K", (2UL << 20) + PS),
	LOAD("load size=16M", "size=16M", 16UL << 20),
	{ .name = "open", .op = open_op, .after = open_after },
	MAP("mmap remap", MMAPDEMO_STRATEGY_REMAP, 64 * 1024, MAP_SHARED),
	MAP("mmap fault", MMAPDEMO_STRATEGY_FAULT, 64 * 1024, MAP_SHARED),
	MAP("mmap fault MAP_PRIVATE", MMAPDEMO_STRATEGY_FAULT, 64 * 1024, MAP_PRIVATE),
	MAP("mmap batched", MMAPDEMO_STRATEGY_BATCHED, 64 * 1024, MAP_SHARED),
	MAP("mmap huge", MMAPDEMO_STRATEGY_HUGE, 4UL << 20, MAP_SHARED),
	NODE("mmap /dev/mmapdemo (from offset 0)", "/dev/mmapdemo", MMAPDEMO_STRATEGY_REMAP, 4UL << 20),
	NODE("mmap /dev/mmapdemo-fault", "/dev/mmapdemo-fault", MMAPDEMO_STRATEGY_FAULT, 64 * 1024),
	NODE("mmap /dev/mmapdemo-batched", "/dev/mmapdemo-batched", MMAPDEMO_STRATEGY_BATCHED, 64 * 1024),
	NODE("mmap /dev/mmapdemo-huge", "/dev/mmapdemo-huge", MMAPDEMO_STRATEGY_HUGE, 4UL << 20),
	FAULT("first touch remap (mapped at mmap: no fault)", MMAPDEMO_STRATEGY_REMAP, 64 * 1024, MAP_SHARED),
	FAULT("first fault fault", MMAPDEMO_STRATEGY_FAULT, 64 * 1024, MAP_SHARED),
	FAULT("first fault fault MAP_PRIVATE (a store: COW)", MMAPDEMO_STRATEGY_FAULT, 64 * 1024, MAP_PRIVATE),
	FAULT("first fault batched", MMAPDEMO_STRATEGY_BATCHED, 64 * 1024, MAP_SHARED),
	FAULT("first fault huge", MMAPDEMO_STRATEGY_HUGE, 4UL << 20, MAP_SHARED),
	IO("RESIZE 64K", resize_op, resize_after, 0, 64 * 1024),
	IO("RESIZE 2052K", resize_op, resize_after, 0, (2UL << 20) + PS),
	IO("FILL", ioctl_op, io_after, 0, 4UL << 20),
	IO("CHECKSUM", ioctl_op, io_after, 1, 0),
	IO("read", rw_op, io_after, 0, 0),
	IO("write", rw_op, io_after, 1, 0),
	BIND("bind ivshmem-plain: probe, " BAR_DEV, 0),
	BIND("bind edu: probe, its DMA buffer, " DMA_DEV, 1),
	PCI("mmap and store " BAR_DEV, BAR_DEV, pci_map_op, pci_map_after, 0, 64 * 1024),
	PCI("mmap and store " DMA_DEV, DMA_DEV, pci_map_op, pci_map_after, 0, 64 * 1024),
	{ .name = "DMA copy, streaming", .node = DMA_DEV, .prepare = dma_copy_prepare,
	  .op = dma_copy_op, .after = dma_copy_after, .strategy = MMAPDEMO_DMA_STREAMING },
};

/* INJECT_ONLY: words separated by commas; a path whose name has one runs. */
static bool selected(const char *name, const char *only)
{
	char word[64];
	size_t n;

	for (; *only; only += n + !!only[n]) {
		n = strcspn(only, ",");
		if (n && n < sizeof(word)) {
			memcpy(word, only, n);
			word[n] = '\0';
			if (strstr(name, word))
				return true;
		}
	}
	return false;
}

/* Allocation failures are injected, not wished for: tell the kernel so. */
static void setup_injection(void)
{
	static const char *const knobs[][2] = {
		{ "failslab/ignore-gfp-wait", "N" },
		{ "fail_page_alloc/ignore-gfp-wait", "N" },
		{ "fail_page_alloc/ignore-gfp-highmem", "N" },
		{ "fail_page_alloc/min-order", "0" },
		{ "failslab/verbose", "0" },
		{ "fail_page_alloc/verbose", "0" },
	};
	char path[128];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s", knobs[i][0]);
		if (mmd_write_file(path, knobs[i][1]))
			ksft_exit_fail_msg("%s: %s\n", path, strerror(errno));
	}
}

int main(void)
{
	const char *env = getenv("INJECT_MAX"), *only = getenv("INJECT_ONLY");
	unsigned int max = env ? atoi(env) : 4000, i, n;
	static struct state st;

	if (only && !*only)		/* set but empty: every path */
		only = NULL;

	ksft_print_header();
	if (geteuid())
		ksft_exit_skip("needs root\n");
	failnth = open("/proc/thread-self/fail-nth", O_RDWR);
	if (failnth < 0)
		ksft_exit_skip("no /proc/thread-self/fail-nth: a kernel without CONFIG_FAULT_INJECTION\n");
	setup_injection();
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg < 0)
		ksft_exit_fail_msg("/dev/kmsg: %s\n", strerror(errno));
	if (mmd_ensure())
		ksft_exit_fail_msg("cannot load mmapdemo\n");
	kctx = kmod_new(NULL, NULL);
	if (!kctx || copy_module())
		ksft_exit_fail_msg("cannot find mmapdemo.ko\n");
	/*
	 * Our own text and libraries stay resident: a fault on them would
	 * meet the injected failure instead of the kernel path under test.
	 */
	if (mlockall(MCL_CURRENT))
		ksft_exit_fail_msg("mlockall: %s\n", strerror(errno));
	for (i = 0; i < ARRAY_SIZE(pci_fns); i++)
		if (pci_find(pci_fns[i].vendor, pci_fns[i].device, pci_bdf[i],
			     sizeof(pci_bdf[i])))
			ksft_print_msg("no PCI function %04lx:%04lx: its paths fail\n",
				       pci_fns[i].vendor, pci_fns[i].device);
	ksft_set_plan(ARRAY_SIZE(paths));

	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		const struct path *p = &paths[i];
		unsigned int ok = 0, nomem = 0, core = 0, bad = 0;
		struct timespec t0, t1;

		if (only && !selected(p->name, only)) {
			ksft_test_result_skip("%s: not in INJECT_ONLY\n", p->name);
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (n = 1; n <= max; n++) {
			int ret, after, tries = 0;
again:
			memset(&st, 0, offsetof(struct state, buf));
			st.fd = -1;
			if (p->prepare && (ret = p->prepare(&st, p))) {
				ksft_print_msg("%s: setup: %s\n", p->name, strerror(-ret));
				bad++;
				break;
			}
			kmsg_skip();
			fail_nth_set(n);
			ret = p->op(&st, p);
			if (fail_nth_left()) {
				/* Done without an Nth allocation: N - 1 points. */
				fail_nth_set(0);
				after = p->after(&st, p, ret);
				if (fragmented(p, ret, n, &tries))
					goto again;
				if (ret) {
					ksft_print_msg("%s: fails with nothing injected: %s\n",
						       p->name, strerror(-ret));
					bad++;
				} else if (after) {
					ksft_print_msg("%s: after the run with nothing injected\n",
						       p->name);
					bad++;
				}
				break;
			}
			if (ret == 0) {
				ok++;
			} else if (ret == -ENOMEM) {
				nomem++;
			} else if (core_errno(p, ret)) {
				core++;
			} else {
				ksft_print_msg("%s: allocation %u failed: %s, not ENOMEM\n",
					       p->name, n, strerror(-ret));
				bad++;
			}
			if (p->after(&st, p, ret)) {
				ksft_print_msg("%s: after allocation %u failed\n", p->name, n);
				bad++;
			}
			if (bad > 3)
				break;
		}
		if (n > max) {
			ksft_print_msg("%s: more than %u allocations\n", p->name, max);
			bad++;
		}
		/*
		 * Every path starts from the module loaded with its default
		 * 4 MiB buffer, whatever happened (the load paths leave other
		 * sizes behind).
		 */
		if (p->op == load_op && access(MMD_MODULE, F_OK) == 0 && mmd_unload())
			bad++;
		if (mmd_ensure())
			bad++;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ksft_test_result(!bad, "%s: %u injection points: %u absorbed, %u ENOMEM%s (%ld s)\n",
				 p->name, n - 1, ok, nomem + core,
				 !core ? "" : p->op == load_op ?
				 " or the driver core's EINVAL" :
				 " or the PCI core's EBUSY",
				 (long)(t1.tv_sec - t0.tv_sec));
	}
	if (pci_put_back())
		ksft_exit_fail_msg("the PCI devices could not be unbound\n");
	ksft_finished();
}
