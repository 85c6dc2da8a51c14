// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl ABI of <linux/mmapdemo.h>.
 *
 * FILL and CHECKSUM exist so that tests can prove visibility in both
 * directions: what the kernel wrote appears in a mapping, and what a
 * mapping wrote is what the kernel reads.  Every field is checked: unknown
 * flags and nonzero reserved fields fail with EINVAL (so they can be given
 * meaning later), ranges past the end with EINVAL, bad pointers with
 * EFAULT, unknown commands with ENOTTY.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/err.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "mmapdemo.h"
#include "trace.h"

/* Work on large buffers in steps, yielding the CPU in between. */
#define MMAPDEMO_STEP	SZ_1M

static bool mmapdemo_range_ok(const struct mmapdemo_buf *buf, u64 off, u64 len)
{
	return off <= buf->size && len <= buf->size - off;
}

static long mmapdemo_ioc_info(struct mmapdemo_dev *dev, void __user *argp)
{
	struct mmapdemo_info info;
	struct mmapdemo_buf *buf;
	int s;

	memset(&info, 0, sizeof(info));
	info.abi_version = MMAPDEMO_ABI_VERSION;
	info.page_size = PAGE_SIZE;
	info.max_size = MMAPDEMO_MAX_SIZE;
	info.region_size = MMAPDEMO_REGION_SIZE;
	for (s = 0; s < MMAPDEMO_STRATEGY_SLOTS; s++)
		if (mmapdemo_strategies[s])
			info.strategies |= 1U << s;
	buf = mmapdemo_cur_buf(dev);
	info.buffer_size = buf->size;
	info.huge_blocks = mmapdemo_buf_huge_blocks(buf);
	if (MMAPDEMO_HAVE_PMD_PFNMAP)
		info.flags |= MMAPDEMO_INFO_HUGE_PMD;
	if (buf->one_range)
		info.flags |= MMAPDEMO_INFO_ONE_RANGE;
	mmapdemo_buf_put(buf);
	return copy_to_user(argp, &info, sizeof(info)) ? -EFAULT : 0;
}

static long mmapdemo_ioc_stats(struct mmapdemo_dev *dev, void __user *argp)
{
	struct mmapdemo_stats st;

	mmapdemo_read_stats(dev, &st);
	return copy_to_user(argp, &st, sizeof(st)) ? -EFAULT : 0;
}

static void mmapdemo_fill(u8 *p, size_t len, u8 seed, bool increment)
{
	size_t done = 0;

	while (done < len) {
		size_t n = min_t(size_t, len - done, MMAPDEMO_STEP);
		size_t i;

		if (!increment) {
			memset(p + done, seed, n);
		} else {
			for (i = 0; i < n; i++)
				p[done + i] = (u8)(seed + done + i);
		}
		done += n;
		cond_resched();
	}
}

static long mmapdemo_ioc_fill(struct file *file, void __user *argp)
{
	struct mmapdemo_fill req;
	struct mmapdemo_buf *buf;
	long ret = 0;

	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.flags & ~MMAPDEMO_FILL_FLAGS)
		return -EINVAL;
	buf = mmapdemo_cur_buf(mmapdemo_file_dev(file));
	if (!mmapdemo_range_ok(buf, req.offset, req.length)) {
		ret = -EINVAL;
		goto out_put;
	}
	mmapdemo_fill(buf->vaddr + req.offset, req.length, req.seed,
		      req.flags & MMAPDEMO_FILL_INCREMENT);
	mmapdemo_buf_end_write(buf, req.offset, req.length);
out_put:
	mmapdemo_buf_put(buf);
	return ret;
}

static u64 mmapdemo_fnv1a(const u8 *p, size_t len)
{
	u64 h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h = (h ^ p[i]) * 0x100000001b3ULL;
		if ((i & (MMAPDEMO_STEP - 1)) == MMAPDEMO_STEP - 1)
			cond_resched();
	}
	return h;
}

static long mmapdemo_ioc_checksum(struct file *file, void __user *argp)
{
	struct mmapdemo_checksum req;
	struct mmapdemo_buf *buf;
	long ret = 0;

	if (!(file->f_mode & FMODE_READ))
		return -EBADF;
	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.flags || req.reserved)
		return -EINVAL;
	buf = mmapdemo_cur_buf(mmapdemo_file_dev(file));
	if (!mmapdemo_range_ok(buf, req.offset, req.length)) {
		ret = -EINVAL;
		goto out_put;
	}
	mmapdemo_buf_begin_read(buf, req.offset, req.length);
	req.sum = mmapdemo_fnv1a(buf->vaddr + req.offset, req.length);
	if (copy_to_user(argp, &req, sizeof(req)))
		ret = -EFAULT;
out_put:
	mmapdemo_buf_put(buf);
	return ret;
}

/*
 * Replacing the buffer under a live mapping would leave that mapping on the
 * old pages (remap) or mixing old and new (fault), so RESIZE requires that
 * no VMA maps the device and that no mmap() is between its prepare and
 * ->mapped (a pending map: its action maps the current buffer).  The check
 * is made under dev->lock, which prepare holds while it parks a map and
 * ->mapped while it turns it into a live mapping: they cannot interleave.
 * A fork or split can only add a VMA to a device that is already mapped.
 * A map the core gave up on after prepare stays pending until its file is
 * released (file.c), and RESIZE answers EBUSY until then.
 */
static int mmapdemo_swap_buf(struct mmapdemo_dev *dev, size_t size)
{
	struct mmapdemo_buf *nbuf, *old;

	if (mmapdemo_live_maps(dev))
		return -EBUSY;		/* fail fast, before allocating */

	/* Killable: -EINTR, with the old buffer untouched. */
	nbuf = mmapdemo_buf_alloc(size);
	if (IS_ERR(nbuf))
		return PTR_ERR(nbuf);

	mutex_lock(&dev->lock);
	if (mmapdemo_live_maps(dev) || dev->pending_maps) {
		mutex_unlock(&dev->lock);
		mmapdemo_buf_put(nbuf);
		return -EBUSY;
	}
	old = dev->buf;
	dev->buf = nbuf;
	trace_mmapdemo_resize(old->size, size, 0);
	mutex_unlock(&dev->lock);

	atomic64_inc(&dev->resizes);
	/* Freed now, or when a read/write still copying from it is done. */
	mmapdemo_buf_put(old);
	return 0;
}

static long mmapdemo_ioc_resize(struct file *file, void __user *argp)
{
	struct mmapdemo_resize req;
	int ret;

	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	/* Pins up to MMAPDEMO_MAX_SIZE of unswappable memory. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.flags || req.reserved)
		return -EINVAL;
	if (!req.size || req.size > MMAPDEMO_MAX_SIZE)
		return -EINVAL;

	ret = mmapdemo_swap_buf(mmapdemo_file_dev(file), PAGE_ALIGN(req.size));
	/* Success was traced with the old size, under the lock. */
	if (ret)
		trace_mmapdemo_resize(0, PAGE_ALIGN(req.size), ret);
	return ret;
}

long mmapdemo_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case MMAPDEMO_IOC_INFO:
		return mmapdemo_ioc_info(mmapdemo_file_dev(file), argp);
	case MMAPDEMO_IOC_STATS:
		return mmapdemo_ioc_stats(mmapdemo_file_dev(file), argp);
	case MMAPDEMO_IOC_FILL:
		return mmapdemo_ioc_fill(file, argp);
	case MMAPDEMO_IOC_CHECKSUM:
		return mmapdemo_ioc_checksum(file, argp);
	case MMAPDEMO_IOC_RESIZE:
		return mmapdemo_ioc_resize(file, argp);
	default:
		return -ENOTTY;
	}
}
