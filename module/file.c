// SPDX-License-Identifier: GPL-2.0
/*
 * file_operations of the device nodes: open/release, read_iter/write_iter,
 * splice, fsync and llseek with the semantics of a fixed-size file, and
 * mmap_prepare.  One file_operations per node, as drivers/char/mem.c has
 * one per minor, each with its own mmap_prepare.
 *
 * mmap() reaches us as: mmap(2) (rejects an unaligned offset) ->
 * vm_mmap_pgoff() (takes mmap_lock for writing) -> do_mmap() (checks prot
 * against the file mode, page-aligns the length, rejects offset overflow,
 * picks the address) -> mmap_region() -> __mmap_region(), which calls
 * f_op->mmap_prepare (call_mmap_prepare()) *before* the VMA exists, with a
 * struct vm_area_desc describing it.  Our job there is to say no to
 * anything we do not support, fix the VMA's flags, install vm_ops and ask
 * for an action (remap: the page tables).  The core then creates the VMA,
 * runs the action and calls vm_ops->mapped (vma.c).  We run with mmap_lock
 * held: we may sleep, but must not fault on user memory or take a lock
 * that is held while doing so.  MAP_POPULATE, if asked for, runs after
 * all that, once mmap_lock is released (mm_populate() takes it again for
 * reading).  On 6.x, classic.c runs the same prepare from f_op->mmap.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/splice.h>
#include <linux/uio.h>

#include "compat.h"
#include "mmapdemo.h"
#include "trace.h"

/* The strategy table: region N of the offset space maps with entry N. */
const struct mmapdemo_strategy *const
mmapdemo_strategies[MMAPDEMO_STRATEGY_SLOTS] = {
	[MMAPDEMO_STRATEGY_REMAP] = &mmapdemo_remap,
	[MMAPDEMO_STRATEGY_FAULT] = &mmapdemo_fault,
	[MMAPDEMO_STRATEGY_BATCHED] = &mmapdemo_batched,
	[MMAPDEMO_STRATEGY_HUGE] = &mmapdemo_huge,
};

/*
 * misc_open() left our miscdevice in file->private_data; we put our own
 * per-file state there instead: the node, and the maps prepared but not
 * mapped yet.  Every open file sees the current buffer.  The size is not
 * copied into the inode (i_size): the inode belongs to the filesystem the
 * node lives on (devtmpfs, or a disk for a node made with mknod), not to
 * the driver, and it would go stale on RESIZE.  lseek() and INFO report
 * the size.
 */
static int mmapdemo_open(struct inode *inode, struct file *file)
{
	struct mmapdemo_node *node = container_of(file->private_data,
						  struct mmapdemo_node, misc);
	struct mmapdemo_file *mf;

	mf = kzalloc_obj(*mf, GFP_KERNEL);
	if (!mf)
		return -ENOMEM;
	mf->node = node;
	INIT_LIST_HEAD(&mf->pending);
	file->private_data = mf;

	atomic64_inc(&node->dev->opens);
	atomic64_inc(&node->dev->open_files);
	return 0;
}

/*
 * Called when the last reference to the file goes, which is after the last
 * munmap() when the file is mapped: every VMA holds a file reference.  So
 * no VMA of this file is left, and a map still pending is one the core
 * gave up on after prepare (mmapdemo_map): its buffer reference goes now.
 */
static int mmapdemo_release(struct inode *inode, struct file *file)
{
	struct mmapdemo_file *mf = file->private_data;
	struct mmapdemo_dev *dev = mf->node->dev;
	struct mmapdemo_map *map, *next;
	LIST_HEAD(abandoned);

	mutex_lock(&dev->lock);
	list_for_each_entry_safe(map, next, &mf->pending, pending) {
		list_move(&map->pending, &abandoned);
		dev->pending_maps--;
	}
	mutex_unlock(&dev->lock);
	/* Outside the lock: the last put of a buffer sleeps (vunmap). */
	list_for_each_entry_safe(map, next, &abandoned, pending) {
		list_del(&map->pending);
		mmapdemo_map_put(map);
	}
	kfree(mf);
	atomic64_dec(&dev->open_files);
	return 0;
}

/*
 * read_iter/write_iter rather than read/write: readv(), preadv2(), io_uring
 * and the splice family (sendfile(), splice()) then work without the
 * VFS's per-segment fallback.  The semantics are those of a file of fixed
 * size: a read at or past the end returns 0, a write past the end fails
 * with ENOSPC, a write reaching over the end is short.
 */
static ssize_t mmapdemo_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	loff_t pos = iocb->ki_pos;
	struct mmapdemo_buf *buf;
	size_t n, copied;
	ssize_t ret;

	if (pos < 0)
		return -EINVAL;
	buf = mmapdemo_cur_buf(mmapdemo_file_dev(iocb->ki_filp));
	if (pos >= buf->size) {
		ret = 0;			/* end of file */
		goto out_put;
	}
	n = min_t(size_t, iov_iter_count(to), buf->size - pos);
	mmapdemo_buf_begin_read(buf, pos, n);
	copied = copy_to_iter(buf->vaddr + pos, n, to);
	if (!copied && n) {
		ret = -EFAULT;
		goto out_put;
	}
	iocb->ki_pos = pos + copied;
	ret = copied;
out_put:
	mmapdemo_buf_put(buf);
	return ret;
}

static ssize_t mmapdemo_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	loff_t pos = iocb->ki_pos;
	struct mmapdemo_buf *buf;
	size_t n, copied;
	ssize_t ret;

	if (pos < 0)
		return -EINVAL;
	if (!iov_iter_count(from))
		return 0;
	buf = mmapdemo_cur_buf(mmapdemo_file_dev(iocb->ki_filp));
	if (pos >= buf->size) {
		ret = -ENOSPC;			/* a fixed-size file is full */
		goto out_put;
	}
	n = min_t(size_t, iov_iter_count(from), buf->size - pos);
	copied = copy_from_iter(buf->vaddr + pos, n, from);
	mmapdemo_buf_end_write(buf, pos, copied);
	if (!copied) {
		ret = -EFAULT;
		goto out_put;
	}
	iocb->ki_pos = pos + copied;
	ret = copied;
out_put:
	mmapdemo_buf_put(buf);
	return ret;
}

/* SEEK_END is relative to the buffer size; outside [0, size]: EINVAL. */
static loff_t mmapdemo_llseek(struct file *file, loff_t offset, int whence)
{
	struct mmapdemo_buf *buf = mmapdemo_cur_buf(mmapdemo_file_dev(file));
	loff_t ret;

	ret = fixed_size_llseek(file, offset, whence, buf->size);
	mmapdemo_buf_put(buf);
	return ret;
}

/*
 * Everything common to the mmap_prepare of every node and strategy;
 * @strategy maps, @first is the buffer page at desc->start.  Every refusal
 * happens here, before the VMA exists: the core then calls nothing else of
 * ours (no ->mapped, no ->close).
 *
 * The remap action maps the buffer's pages after we return, with
 * dev->lock dropped.  Until ->mapped, nothing of the core's tells RESIZE
 * that this mapping is coming, and RESIZE refuses only while the device
 * is mapped: so the map, with its buffer reference, is made here, and
 * counts as a mapping for RESIZE from here on (dev->pending_maps).
 * mmap_prepare.rst asks prepare to keep no state because the core may
 * still fail (no memory for the VMA) without calling ->mapped or ->close;
 * the map is therefore parked on the file, which the core holds through
 * the whole mmap() and releases in any case (mmapdemo_release()).
 */
static int mmapdemo_prepare(struct vm_area_desc *desc, unsigned int strategy,
			    pgoff_t first)
{
	struct mmapdemo_file *mf = desc->file->private_data;
	struct mmapdemo_dev *dev = mf->node->dev;
	unsigned long npages = vma_desc_pages(desc);
	const struct mmapdemo_strategy *s;
	struct mmapdemo_map *map;
	struct mmapdemo_buf *buf;

	if (strategy >= MMAPDEMO_STRATEGY_SLOTS || !mmapdemo_strategies[strategy])
		return -EINVAL;
	s = mmapdemo_strategies[strategy];

	/*
	 * The buffer is data: no PROT_EXEC, now or later via mprotect().
	 * A process with the READ_IMPLIES_EXEC personality asks for it with
	 * every PROT_READ (do_mmap() adds PROT_EXEC unless the mount of the
	 * node is noexec), so it cannot map the device at all.
	 */
	if (vma_desc_test_any(desc, VMA_EXEC_BIT))
		return -EPERM;
	/* VM_MAYSHARE is MAP_SHARED, whether or not the fd is writable. */
	if (!vma_desc_test_any(desc, VMA_MAYSHARE_BIT) && !s->allow_private)
		return -EINVAL;
	/* Stay inside the region; written so that it cannot wrap. */
	if (npages > MMAPDEMO_REGION_PAGES - first)
		return -EINVAL;

	map = kzalloc_obj(*map, GFP_KERNEL);
	if (!map)
		return -ENOMEM;
	kref_init(&map->ref);
	map->dev = dev;
	map->strategy = strategy;

	mutex_lock(&dev->lock);
	buf = dev->buf;
	if (first >= buf->nr_pages ||
	    (!s->allow_past_end && npages > buf->nr_pages - first))
		goto err_free_map;
	map->buf = mmapdemo_buf_get(buf);
	list_add(&map->pending, &mf->pending);
	dev->pending_maps++;
	mutex_unlock(&dev->lock);

	/*
	 * VM_MAYEXEC cleared: mprotect(PROT_EXEC) fails with EACCES.
	 * VM_DONTEXPAND, for two reasons.  mremap() cannot grow the VMA past
	 * what we checked here (it fails with EFAULT).  And no new mapping
	 * is merged into a neighbouring VMA of the same file, which the core
	 * tries when the flags and offsets match (__mmap_region()).  On 7.3
	 * a merged mapping gets no VMA of its own, so no action and no
	 * ->mapped: this map would stay parked on the file, uncounted, until
	 * the file is released.  On 6.12 the merge is retried after
	 * f_op->mmap, which has counted the map already, and the new VMA is
	 * freed without ->close: a leak.  Both merges test VM_SPECIAL first
	 * (vma_merge_new_range()); 6.1's vma_merge() refuses any VMA with
	 * ->close anyway.  remap and huge are VM_PFNMAP and batched is
	 * VM_MIXEDMAP, both in VM_SPECIAL too; for fault, VM_DONTEXPAND is
	 * the only flag that keeps it apart (mmapdemo_test's
	 * adjacent_mapping_not_merged).  VM_DONTDUMP: core dumps leave the
	 * device buffer out.  The descriptor's flags are a bitmap
	 * (vma_flags_t) named by bit; the core copies them into the VMA.
	 */
	vma_desc_clear_flags(desc, VMA_MAYEXEC_BIT);
	vma_desc_set_flags(desc, VMA_DONTEXPAND_BIT, VMA_DONTDUMP_BIT);
	desc->vm_ops = s->vm_ops;
	desc->private_data = map;
	if (s->prepare)
		s->prepare(desc, map->buf, first);
	return 0;

err_free_map:
	mutex_unlock(&dev->lock);
	kfree(map);
	return -EINVAL;
}

/*
 * /dev/mmapdemo: the offset selects the strategy by region
 * (MMAPDEMO_OFFSET() in the uapi header); region 0, offset 0 up, is remap.
 */
int mmapdemo_mmap_prepare(struct vm_area_desc *desc)
{
	unsigned int region = desc->pgoff >> MMAPDEMO_REGION_PGSHIFT;
	int ret;

	ret = mmapdemo_prepare(desc, region,
			       desc->pgoff & (MMAPDEMO_REGION_PAGES - 1));
	trace_mmapdemo_mmap(desc, region, ret);
	return ret;
}

/*
 * The other nodes: one strategy each, the offset is a buffer offset, as
 * in a file.  An offset past region 0 is past the buffer (at most 1 GiB).
 */
static int mmapdemo_node_prepare(struct vm_area_desc *desc,
				 unsigned int strategy)
{
	int ret = -EINVAL;

	if (desc->pgoff < MMAPDEMO_REGION_PAGES)
		ret = mmapdemo_prepare(desc, strategy, desc->pgoff);
	trace_mmapdemo_mmap(desc, strategy, ret);
	return ret;
}

int mmapdemo_fault_mmap_prepare(struct vm_area_desc *desc)
{
	return mmapdemo_node_prepare(desc, MMAPDEMO_STRATEGY_FAULT);
}

int mmapdemo_batched_mmap_prepare(struct vm_area_desc *desc)
{
	return mmapdemo_node_prepare(desc, MMAPDEMO_STRATEGY_BATCHED);
}

int mmapdemo_huge_mmap_prepare(struct vm_area_desc *desc)
{
	return mmapdemo_node_prepare(desc, MMAPDEMO_STRATEGY_HUGE);
}

/*
 * Called by do_mmap() before the VMA exists, to choose its address; the
 * huge strategy wants the 2 MiB grid.  An offset we will refuse anyway
 * gets the default placement and fails in mmapdemo_mmap_prepare().
 */
static unsigned long mmapdemo_get_unmapped_area(struct file *file,
						unsigned long addr,
						unsigned long len,
						unsigned long pgoff,
						unsigned long flags)
{
	unsigned long region = pgoff >> MMAPDEMO_REGION_PGSHIFT;

	if (region < MMAPDEMO_STRATEGY_SLOTS && mmapdemo_strategies[region] &&
	    mmapdemo_strategies[region]->get_unmapped_area)
		return mmapdemo_strategies[region]->get_unmapped_area(file,
				addr, len, pgoff, flags);
	return mm_get_unmapped_area(file, addr, len, pgoff, flags);
}

/* /dev/mmapdemo: remap, and every strategy by region. */
const struct file_operations mmapdemo_fops = {
	.owner = THIS_MODULE,
	.open = mmapdemo_open,
	.release = mmapdemo_release,
	.read_iter = mmapdemo_read_iter,
	.write_iter = mmapdemo_write_iter,
	/* sendfile(), splice(): through the pipe, by read_iter/write_iter */
	.splice_read = copy_splice_read,
	.splice_write = iter_file_splice_write,
	.llseek = mmapdemo_llseek,
	/*
	 * msync(MS_SYNC) of a shared mapping and fsync() reach .fsync
	 * (vfs_fsync_range()), which has nothing to write back: the mapped
	 * pages are the buffer.  Without it both fail with EINVAL.
	 */
	.fsync = noop_fsync,
#ifdef MMAPDEMO_CLASSIC_MMAP
	.mmap = mmapdemo_classic_mmap,		/* 6.x: classic.c */
#else
	.mmap_prepare = mmapdemo_mmap_prepare,
#endif
	.get_unmapped_area = mmapdemo_get_unmapped_area,
	.unlocked_ioctl = mmapdemo_ioctl,
	/* Every ABI struct has the same layout for 32-bit userspace. */
	.compat_ioctl = compat_ptr_ioctl,
};

/* /dev/mmapdemo-fault: one page per fault, from offset 0. */
const struct file_operations mmapdemo_fault_fops = {
	.owner = THIS_MODULE,
	.open = mmapdemo_open,
	.release = mmapdemo_release,
	.read_iter = mmapdemo_read_iter,
	.write_iter = mmapdemo_write_iter,
	.splice_read = copy_splice_read,
	.splice_write = iter_file_splice_write,
	.llseek = mmapdemo_llseek,
	.fsync = noop_fsync,
#ifdef MMAPDEMO_CLASSIC_MMAP
	.mmap = mmapdemo_classic_fault_mmap,
#else
	.mmap_prepare = mmapdemo_fault_mmap_prepare,
#endif
	.unlocked_ioctl = mmapdemo_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/* /dev/mmapdemo-batched: a run of pages per fault, from offset 0. */
const struct file_operations mmapdemo_batched_fops = {
	.owner = THIS_MODULE,
	.open = mmapdemo_open,
	.release = mmapdemo_release,
	.read_iter = mmapdemo_read_iter,
	.write_iter = mmapdemo_write_iter,
	.splice_read = copy_splice_read,
	.splice_write = iter_file_splice_write,
	.llseek = mmapdemo_llseek,
	.fsync = noop_fsync,
#ifdef MMAPDEMO_CLASSIC_MMAP
	.mmap = mmapdemo_classic_batched_mmap,
#else
	.mmap_prepare = mmapdemo_batched_mmap_prepare,
#endif
	.unlocked_ioctl = mmapdemo_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/* /dev/mmapdemo-huge: 2 MiB per fault where it can, from offset 0. */
const struct file_operations mmapdemo_huge_fops = {
	.owner = THIS_MODULE,
	.open = mmapdemo_open,
	.release = mmapdemo_release,
	.read_iter = mmapdemo_read_iter,
	.write_iter = mmapdemo_write_iter,
	.splice_read = copy_splice_read,
	.splice_write = iter_file_splice_write,
	.llseek = mmapdemo_llseek,
	.fsync = noop_fsync,
#ifdef MMAPDEMO_CLASSIC_MMAP
	.mmap = mmapdemo_classic_huge_mmap,
#else
	.mmap_prepare = mmapdemo_huge_mmap_prepare,
#endif
	/* the 2 MiB grid a PMD needs, as for a region-3 mapping */
	.get_unmapped_area = thp_get_unmapped_area,
	.unlocked_ioctl = mmapdemo_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};
