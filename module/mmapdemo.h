/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmapdemo internals shared by the module's files.
 *
 *   main.c    module parameters, device registration, load/unload
 *   file.c    file_operations of the nodes: open/release, read/write
 *             iter, splice, fsync, llseek, and mmap_prepare with every
 *             check common to all strategies
 *   classic.c only for kernels without mmap_prepare (6.x): the same
 *             prepare and mapped behind a classic f_op->mmap
 *   buffer.c  the shared buffer: allocation, lifetime (kref), kernel access
 *   vma.c     mapping lifetime: vm_operations mapped/open/close,
 *             statistics
 *   remap.c   strategy "remap": remap_pfn_range() at mmap() time, as an
 *             mmap action
 *   fault.c   strategy "fault": one page per page fault
 *   batched.c strategy "batched": a run of 16 pages per page fault,
 *             inserted with vm_insert_pages()
 *   huge.c    strategy "huge": a 2 MiB block per fault, one PMD of raw
 *             PFNs (huge_fault), 4 KiB PFNs where that is not possible
 *   ioctl.c   the ioctl ABI of <linux/mmapdemo.h>
 *   sysfs.c   the same statistics as sysfs attributes
 *   trace.c   the tracepoints of trace.h (mmap, fault, sigbus, resize)
 *   pci.c     the PCI driver: binds ivshmem-plain, claims its memory BAR;
 *             binds edu (dma.c)
 *   bar.c     /dev/mmapdemo-bar: that BAR mapped write-combining by
 *             fault, revoked on removal
 *   dma.c     /dev/mmapdemo-dma: edu's dma_alloc_coherent() buffer,
 *             dma_mmap_coherent(), the copy ioctl, revoked on removal
 *   regs.c    /dev/mmapdemo-regs: edu's register page, read-only and
 *             uncached, by 7.3's simple_ioremap action
 *   mapping.c the driver-owned address_space that revocation zaps
 */
#ifndef MMAPDEMO_H
#define MMAPDEMO_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <uapi/linux/mmapdemo.h>

#include "compat.h"

/* modinfo's version; dkms.conf and debian/changelog carry the same. */
#define MMAPDEMO_VERSION	"0.11.0"

/* Region arithmetic in pages, see the offset layout in the uapi header. */
#define MMAPDEMO_REGION_PGSHIFT	(MMAPDEMO_REGION_SHIFT - PAGE_SHIFT)
#define MMAPDEMO_REGION_PAGES	BIT(MMAPDEMO_REGION_PGSHIFT)

/* The buffer's blocks, one PMD each. */
#define MMAPDEMO_PMD_ORDER	(PMD_SHIFT - PAGE_SHIFT)
#define MMAPDEMO_PMD_PAGES	BIT(MMAPDEMO_PMD_ORDER)

/*
 * The buffer: order-0 pages, each with its own refcount, physically
 * contiguous (see buffer.c), so remap_pfn_range(), a fault handler
 * returning vmf->page, vm_insert_pages() and a PFN PMD are all valid on
 * them.
 *
 * Lifetime: one reference belongs to the device while this is its current
 * buffer, one to every mapping of it (struct mmapdemo_map), and one to
 * each read/write/ioctl for the duration of the call.  The pages are
 * freed with the last one, so no path can reach freed memory, whatever
 * the order of close, munmap, RESIZE and rmmod.
 */
struct mmapdemo_buf {
	struct kref ref;
	size_t size;			/* bytes, multiple of PAGE_SIZE */
	unsigned long nr_pages;
	struct page **pages;		/* every page, in buffer order */
	/* bit b: buffer pages [512 b, 512 b + 511] are one aligned block */
	unsigned long *contig;
	void *vaddr;			/* vmap() of all pages, for the kernel */
	bool one_range;			/* pages[] is one physical range */
};

/*
 * How the buffer's pages are allocated (buffer.c, and classic.c on 6.x):
 * zeroed, and failing rather than calling the OOM killer.
 */
#define MMAPDEMO_GFP	(GFP_KERNEL | __GFP_ZERO | __GFP_RETRY_MAYFAIL)

struct mmapdemo_buf *mmapdemo_buf_alloc(size_t size);
void mmapdemo_buf_put(struct mmapdemo_buf *buf);
unsigned int mmapdemo_buf_huge_blocks(const struct mmapdemo_buf *buf);
void mmapdemo_buf_begin_read(struct mmapdemo_buf *buf, size_t off, size_t len);
void mmapdemo_buf_end_write(struct mmapdemo_buf *buf, size_t off, size_t len);
static inline struct mmapdemo_buf *mmapdemo_buf_get(struct mmapdemo_buf *buf)
{
	kref_get(&buf->ref);
	return buf;
}

/*
 * One mmap() of the device: what its VMAs' vm_private_data points to.
 *
 * mmap_prepare creates it, with a reference on the buffer it checked the
 * request against, and parks it on its file's pending list, where RESIZE
 * sees it as a mapping; vm_ops->mapped takes it off (the VMA exists) and
 * counts the mapping.  The core may give up after prepare without calling
 * anything of ours (no memory for the VMA): the map then stays parked
 * until the file is released, which the core always does.  Splits and
 * forks share it: one reference per VMA.
 */
struct mmapdemo_map {
	struct kref ref;
	struct mmapdemo_dev *dev;
	struct mmapdemo_buf *buf;	/* a reference */
	unsigned int strategy;
	bool mapped;			/* ->mapped ran */
	struct list_head pending;	/* on the file's list until ->mapped */
};

/*
 * A strategy: how a VMA gets its pages.  Adding one is a new file that
 * defines a struct mmapdemo_strategy plus one line in the table in file.c.
 */
struct mmapdemo_strategy {
	const char *name;
	/* MAP_PRIVATE allowed: the core mm does copy-on-write for us */
	bool allow_private;
	/* the VMA may reach past the buffer's end; faults there get SIGBUS */
	bool allow_past_end;
	/* every page is mapped by mmap() itself, by the prepare's action */
	bool eager;
	const struct vm_operations_struct *vm_ops;
	/*
	 * Called from mmap_prepare once the common checks passed, with
	 * vm_ops and private_data set: the strategy's VMA flags and action.
	 * @first is the buffer page at desc->start.  Runs under mmap_lock
	 * held for writing, before the VMA exists (7.3: call_mmap_prepare());
	 * on 6.x after, from classic.c's f_op->mmap.
	 */
	void (*prepare)(struct vm_area_desc *desc, struct mmapdemo_buf *buf,
			pgoff_t first);
	/*
	 * Optional: where to place the mapping (f_op->get_unmapped_area),
	 * called before the VMA exists, so before mmap_prepare.
	 */
	unsigned long (*get_unmapped_area)(struct file *file,
					   unsigned long addr, unsigned long len,
					   unsigned long pgoff,
					   unsigned long flags);
};

extern const struct mmapdemo_strategy mmapdemo_remap;
extern const struct mmapdemo_strategy mmapdemo_fault;
extern const struct mmapdemo_strategy mmapdemo_batched;
extern const struct mmapdemo_strategy mmapdemo_huge;

/*
 * The device nodes, one per strategy over the one buffer, each with its own
 * file_operations (drivers/char/mem.c has one per minor): /dev/mmapdemo
 * maps with remap from offset 0 and reaches the other strategies by
 * region (MMAPDEMO_OFFSET()); /dev/mmapdemo-fault, -batched and -huge map
 * with their strategy from offset 0, like a plain file of the buffer's
 * size, for tools that know nothing of regions.
 */
#define MMAPDEMO_NODES	4

struct mmapdemo_dev;

struct mmapdemo_node {
	struct miscdevice misc;
	struct mmapdemo_dev *dev;
	unsigned int strategy;		/* what offset 0 maps with */
};

/* An open file of a node: file->private_data. */
struct mmapdemo_file {
	struct mmapdemo_node *node;
	/* maps prepared but not (yet) mapped: under dev->lock */
	struct list_head pending;
};

/* The device: the buffer and the counters every node shares. */
struct mmapdemo_dev {
	/*
	 * Serialises replacing @buf (RESIZE) against taking a reference to
	 * it in mmap_prepare and read/write/ioctl, and guards the files'
	 * pending lists.  Lock order: mmap_lock, then this.  Never held while
	 * touching user memory, whose page faults take mmap_lock.
	 */
	struct mutex lock;
	struct mmapdemo_buf *buf;
	/* maps on the files' pending lists: RESIZE waits for none */
	unsigned long pending_maps;

	atomic64_t opens;
	atomic64_t open_files;
	atomic64_t sigbus;
	atomic64_t resizes;
	struct {
		atomic64_t mmaps;
		atomic64_t live_maps;
		atomic64_t faults;
		atomic64_t pages_mapped;
	} strategy[MMAPDEMO_STRATEGY_SLOTS];
	struct mmapdemo_node nodes[MMAPDEMO_NODES];
};

/*
 * open() puts a struct mmapdemo_file in file->private_data, and every VMA
 * of ours holds a map that knows its device: no global needed.
 */
static inline struct mmapdemo_node *mmapdemo_file_node(const struct file *file)
{
	return ((struct mmapdemo_file *)file->private_data)->node;
}

static inline struct mmapdemo_dev *mmapdemo_file_dev(const struct file *file)
{
	return mmapdemo_file_node(file)->dev;
}

static inline struct mmapdemo_map *
mmapdemo_vma_map(const struct vm_area_struct *vma)
{
	return vma->vm_private_data;
}

/* From the map, not vm_file: a stacking driver may have changed that. */
static inline struct mmapdemo_dev *
mmapdemo_vma_dev(const struct vm_area_struct *vma)
{
	return mmapdemo_vma_map(vma)->dev;
}

/* The buffer a VMA maps: its map's, whatever RESIZE did since. */
static inline struct mmapdemo_buf *
mmapdemo_vma_buf(const struct vm_area_struct *vma)
{
	return mmapdemo_vma_map(vma)->buf;
}

static inline unsigned int
mmapdemo_vma_strategy(const struct vm_area_struct *vma)
{
	return mmapdemo_vma_map(vma)->strategy;
}

extern const struct mmapdemo_strategy *const
	mmapdemo_strategies[MMAPDEMO_STRATEGY_SLOTS];
extern const struct file_operations mmapdemo_fops;
extern const struct file_operations mmapdemo_fault_fops;
extern const struct file_operations mmapdemo_batched_fops;
extern const struct file_operations mmapdemo_huge_fops;
extern const struct attribute_group *mmapdemo_groups[];
extern ushort mmapdemo_mode;

struct mmapdemo_buf *mmapdemo_cur_buf(struct mmapdemo_dev *dev);
int mmapdemo_buf_alloc_pages(struct mmapdemo_buf *buf);
void mmapdemo_free_pages(struct page **pages, unsigned long n);

/* file.c: the nodes' mmap_prepare */
int mmapdemo_mmap_prepare(struct vm_area_desc *desc);
int mmapdemo_fault_mmap_prepare(struct vm_area_desc *desc);
int mmapdemo_batched_mmap_prepare(struct vm_area_desc *desc);
int mmapdemo_huge_mmap_prepare(struct vm_area_desc *desc);

/* vma.c */
pgoff_t mmapdemo_vma_first(const struct vm_area_struct *vma);
void mmapdemo_map_put(struct mmapdemo_map *map);
int mmapdemo_vma_mapped(unsigned long start, unsigned long end, pgoff_t pgoff,
			const struct file *file, void **vm_private_data);
void mmapdemo_vma_open(struct vm_area_struct *vma);
void mmapdemo_vma_close(struct vm_area_struct *vma);
int mmapdemo_vma_access(struct vm_area_struct *vma, unsigned long addr,
			void *data, int len, int write);
bool mmapdemo_fault_idx(const struct vm_fault *vmf, pgoff_t *idx);
void mmapdemo_count_mapped(const struct vm_area_struct *vma,
			   unsigned long pages);
vm_fault_t mmapdemo_fault_done(const struct vm_area_struct *vma, pgoff_t idx,
			       unsigned long pages, unsigned int order,
			       vm_fault_t ret);
u64 mmapdemo_live_maps(struct mmapdemo_dev *dev);
void mmapdemo_read_stats(struct mmapdemo_dev *dev, struct mmapdemo_stats *st);

/* sysfs.c */
void mmapdemo_sysfs_init(void);

/* ioctl.c */
long mmapdemo_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/*
 * A PCI memory BAR behind /dev/mmapdemo-bar (pci.c, bar.c).  @lock is the
 * revocation lock: faults, read, write and ->access run under it held for
 * reading and check @gone; removal sets @gone and zaps every PTE under it
 * held for writing.  Lock order: mmap_lock, @lock, @open_lock.
 */
struct mmapdemo_bar {
	struct kref ref;		/* the device's, and one per open file */
	phys_addr_t start;
	resource_size_t len;		/* bytes, whole pages */
	void __iomem *vaddr;		/* write-combining, until removal */
	struct rw_semaphore lock;
	bool gone;
	/* the shared address_space (mapping.c), while a file is open */
	struct mutex open_lock;
	unsigned int open_count;
	struct inode *inode;
	struct miscdevice misc;
};

/*
 * edu's DMA buffer behind /dev/mmapdemo-dma (pci.c, dma.c).  @lock is the
 * revocation lock, as in struct mmapdemo_bar: ->mmap and copies run under
 * it held for reading; removal sets @gone under it held for writing.
 * @mms holds (mmgrab()) every mm that ran ->mmap, until the last release.
 * Lock order: mmap_lock, @lock, @engine_lock; @open_lock, mmap_lock.
 */
struct mmapdemo_dma {
	struct kref ref;		/* the device's, and one per open file */
	struct pci_dev *pdev;
	phys_addr_t regs_phys;		/* BAR 0: the register page */
	void __iomem *regs;		/* its kernel mapping, uncached */
	void *cpu_addr;			/* dma_alloc_coherent() */
	dma_addr_t dma_addr;
	size_t size;
	struct rw_semaphore lock;
	bool gone;
	struct mutex engine_lock;	/* one copy at a time */
	bool broken;			/* a copy timed out */
	struct mutex open_lock;
	unsigned int open_count;
	struct inode *inode;
	struct xarray mms;
	struct miscdevice misc;		/* /dev/mmapdemo-dma */
	struct miscdevice regs_misc;	/* /dev/mmapdemo-regs */
};

#if IS_ENABLED(CONFIG_PCI)
int mmapdemo_pci_register(void);
void mmapdemo_pci_unregister(void);
#else
static inline int mmapdemo_pci_register(void) { return 0; }
static inline void mmapdemo_pci_unregister(void) { }
#endif

/* bar.c */
extern const struct file_operations mmapdemo_bar_fops;
int mmapdemo_bar_mmap_prepare(struct vm_area_desc *desc);
void mmapdemo_bar_revoke(struct mmapdemo_bar *bar);
void mmapdemo_bar_free(struct kref *ref);

/* dma.c */
int mmapdemo_edu_probe(struct pci_dev *pdev);
void mmapdemo_edu_remove(struct pci_dev *pdev);
int mmapdemo_dma_attach(struct mmapdemo_dma *dma, struct file *file);
int mmapdemo_dma_detach(struct inode *inode, struct file *file);
int mmapdemo_dma_note_mm(struct mmapdemo_dma *dma, struct mm_struct *mm);
void mmapdemo_dma_free(struct kref *ref);

/* regs.c */
extern const struct file_operations mmapdemo_regs_fops;
int mmapdemo_regs_mmap_prepare(struct vm_area_desc *desc);

/* mapping.c */
struct inode *mmapdemo_inode_get(void);
void mmapdemo_inode_put(struct inode *inode);

#endif /* MMAPDEMO_H */
