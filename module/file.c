// SPDX-License-Identifier: GPL-2.0
/*
 * file_operations of /dev/mmapdemo: open/release, read_iter/write_iter,
 * splice, fsync and llseek with the semantics of a fixed-size file, and the
 * mmap entry point.
 *
 * mmap() reaches us as: mmap(2) (rejects an unaligned offset) ->
 * vm_mmap_pgoff() (takes mmap_lock for writing) -> do_mmap() (checks prot
 * against the file mode, page-aligns the length, rejects offset overflow,
 * picks the address)
 * -> mmap_region() (creates the VMA) -> f_op->mmap, i.e. mmapdemo_mmap().
 * We therefore run with mmap_lock held: we may sleep, but must not fault on
 * user memory or take a lock that is held while doing so.  Our job is to
 * say no to anything we do not support, fix the VMA's flags, and install
 * vm_ops (and, for remap, the page tables).  MAP_POPULATE, if asked for,
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
	atomic64_inc(&mmapdemo.opens);
	atomic64_inc(&mmapdemo.open_files);
	return 0;
}

/*
 * Called when the last reference to the file goes, which is after the last
 * munmap() when the file is mapped: every VMA holds a file reference.
 * Nothing is freed here; the buffer belongs to its references (buffer.c).
 */
static int mmapdemo_release(struct inode *inode, struct file *file)
{
	atomic64_dec(&mmapdemo.open_files);
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
	buf = mmapdemo_cur_buf();
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
	buf = mmapdemo_cur_buf();
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
	struct mmapdemo_buf *buf = mmapdemo_cur_buf();
	loff_t ret;

	ret = fixed_size_llseek(file, offset, whence, buf->size);
	mmapdemo_buf_put(buf);
	return ret;
}

static int mmapdemo_do_mmap(struct vm_area_struct *vma)
{
	unsigned int region = mmapdemo_vma_strategy(vma);
	pgoff_t first = mmapdemo_vma_first(vma);
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

	mutex_lock(&mmapdemo.lock);
	buf = mmapdemo.buf;
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
	mutex_unlock(&mmapdemo.lock);
	return ret;
}

static int mmapdemo_mmap(struct file *file, struct vm_area_struct *vma)
{
	int ret = mmapdemo_do_mmap(vma);

	trace_mmapdemo_mmap(vma, ret);
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
	 * msync() and fsync() have nothing to write back: the mapped pages
	 * are the buffer.  Without .fsync both fail with EINVAL.
	 */
	.fsync = noop_fsync,
	.mmap = mmapdemo_mmap,
	.get_unmapped_area = mmapdemo_get_unmapped_area,
	.unlocked_ioctl = mmapdemo_ioctl,
	/* Every ABI struct has the same layout for 32-bit userspace. */
	.compat_ioctl = compat_ptr_ioctl,
};
