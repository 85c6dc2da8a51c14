// SPDX-License-Identifier: GPL-2.0
/*
 * file_operations of the device nodes: open/release, read_iter/write_iter,
 * splice, fsync and llseek with the semantics of a fixed-size file, and the
 * mmap entry points.  One file_operations per node, as drivers/char/mem.c
 * has one per minor: they differ only in how mmap() reads its offset.
 *
 * mmap() reaches us as: mmap(2) (rejects an unaligned offset) ->
 * vm_mmap_pgoff() (takes mmap_lock for writing) -> do_mmap() (checks prot
 * against the file mode, page-aligns the length, rejects offset overflow,
 * picks the address)
 * -> mmap_region() (creates the VMA) -> f_op->mmap, i.e. mmapdemo_mmap().
 * We therefore run with mmap_lock held: we may sleep, but must not fault on
 * user memory or take a lock that is held while doing so.  Our job is to
 * say no to anything we do not support, fix the VMA's flags, and install
 * vm_ops (and, for remap, the page tables).  Every handler finds the
 * device from the file (mmapdemo_file_dev()).  MAP_POPULATE, if asked for,
 * runs after us, once mmap_lock is released (mm_populate() takes it again
 * for reading).
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
 * Nothing to set up per open: every open file sees the current buffer.  The
 * size is not copied into the inode (i_size): the inode belongs to the
 * filesystem the node lives on (devtmpfs, or a disk for a node made with
 * mknod), not to the driver, and it would go stale on RESIZE.  lseek()
 * and INFO report the size.
 */
static int mmapdemo_open(struct inode *inode, struct file *file)
{
	struct mmapdemo_dev *dev = mmapdemo_file_dev(file);

	atomic64_inc(&dev->opens);
	atomic64_inc(&dev->open_files);
	return 0;
}

/*
 * Called when the last reference to the file goes, which is after the last
 * munmap() when the file is mapped: every VMA holds a file reference.
 * Nothing is freed here; the buffer belongs to its references (buffer.c).
 */
static int mmapdemo_release(struct inode *inode, struct file *file)
{
	atomic64_dec(&mmapdemo_file_dev(file)->open_files);
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
 * Everything common to the mmap() of every node and strategy; @region is
 * the strategy, @first the buffer page at vma->vm_start.
 */
static int mmapdemo_do_mmap(struct vm_area_struct *vma, unsigned int region,
			    pgoff_t first)
{
	struct mmapdemo_dev *dev = mmapdemo_vma_dev(vma);
	unsigned long npages = vma_pages(vma);
	const struct mmapdemo_strategy *s;
	struct mmapdemo_buf *buf;
	int ret;

	if (region >= MMAPDEMO_STRATEGY_SLOTS || !mmapdemo_strategies[region])
		return -EINVAL;
	s = mmapdemo_strategies[region];

	/* The buffer is data: no PROT_EXEC, now or later via mprotect(). */
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	/* VM_MAYSHARE is MAP_SHARED, whether or not the fd is writable. */
	if (!(vma->vm_flags & VM_MAYSHARE) && !s->allow_private)
		return -EINVAL;
	/* Stay inside the region; written so that it cannot wrap. */
	if (npages > MMAPDEMO_REGION_PAGES - first)
		return -EINVAL;

	mutex_lock(&dev->lock);
	buf = dev->buf;
	ret = -EINVAL;
	if (first >= buf->nr_pages)
		goto out_unlock;
	if (!s->allow_past_end && npages > buf->nr_pages - first)
		goto out_unlock;

	/*
	 * VM_MAYEXEC cleared: mprotect(PROT_EXEC) fails with EACCES.
	 * VM_DONTEXPAND: mremap() cannot grow the VMA past what we checked
	 * here (it fails with EFAULT).  VM_DONTDUMP: core dumps leave the
	 * device buffer out.  On 6.3+ vm_flags is read-only and these
	 * helpers are the only way to change it (compat.h has them for
	 * older kernels).
	 */
	vm_flags_clear(vma, VM_MAYEXEC);
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = s->vm_ops;
	vma->vm_private_data = buf;

	ret = s->mmap(vma, buf, first);
	if (ret)
		goto out_unlock;
	/* From here on the core mm calls vm_ops->close for this VMA. */
	mmapdemo_vma_mapped(vma);
out_unlock:
	mutex_unlock(&dev->lock);
	return ret;
}

/*
 * /dev/mmapdemo: the offset selects the strategy by region
 * (MMAPDEMO_OFFSET() in the uapi header); region 0, offset 0 up, is remap.
 */
static int mmapdemo_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned int region = vma->vm_pgoff >> MMAPDEMO_REGION_PGSHIFT;
	int ret;

	ret = mmapdemo_do_mmap(vma, region, mmapdemo_vma_first(vma));
	trace_mmapdemo_mmap(vma, region, ret);
	return ret;
}

/*
 * The other nodes: one strategy, the offset is a buffer offset, as in a
 * file.  An offset past region 0 is past the buffer (at most 1 GiB).
 */
static int mmapdemo_node_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned int strategy = mmapdemo_file_node(file)->strategy;
	int ret = -EINVAL;

	if (vma->vm_pgoff < MMAPDEMO_REGION_PAGES)
		ret = mmapdemo_do_mmap(vma, strategy, vma->vm_pgoff);
	trace_mmapdemo_mmap(vma, strategy, ret);
	return ret;
}

/*
 * Called by do_mmap() before the VMA exists, to choose its address; the
 * huge strategy wants the 2 MiB grid.  An offset we will refuse anyway
 * gets the default placement and fails in mmapdemo_mmap().
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
	.mmap = mmapdemo_mmap,
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
	.mmap = mmapdemo_node_mmap,
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
	.mmap = mmapdemo_node_mmap,
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
	.mmap = mmapdemo_node_mmap,
	/* the 2 MiB grid a PMD needs, as for a region-3 mapping */
	.get_unmapped_area = thp_get_unmapped_area,
	.unlocked_ioctl = mmapdemo_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};
