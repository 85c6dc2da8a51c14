// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mmapdemo-bar: a PCI memory BAR (QEMU's ivshmem-plain, BAR 2, RAM
 * that the host sees in a file) mapped to userspace write-combining, with
 * read()/write() on the same bytes, and every mapping revoked when the
 * device is removed.  The model for a driver whose mmap() exposes device
 * memory that can go away: a BAR of a hot-pluggable or resettable device.
 *
 * Why faults and not an eager remap: the memory is revocable.  A remap at
 * mmap() time (7.3's mmap_action_simple_ioremap(), 6.x's vm_iomap_memory())
 * fills the page tables before or while the VMA is being linked into the
 * file's address_space, so a removal that zaps in between misses them and
 * they outlive the device (vfio-pci's CVE-2020-12888, and why it moved to
 * faults).  Here prepare installs nothing; each fault inserts one PFN under
 * @lock held for reading after checking @gone, and removal sets @gone and
 * zaps under @lock held for writing: a PTE is either zapped or never made.
 * Eager mapping stays right for memory that outlives every mapping
 * (drivers/char/hpet.c's registers).
 *
 * Caching: pgprot_writecombine() on the mapping, and the kernel's own
 * mapping of the BAR is write-combining too (pci_iomap_wc(), pci.c).  On
 * x86 that one is also the range's PAT reservation (memtype_reserve()),
 * which vmf_insert_pfn() looks up for each PTE (pfnmap_setup_cachemode_pfn()
 * in 7.3, track_pfn_insert() in 6.x): with an uncached kernel mapping,
 * every user PTE would silently be uncached as well.
 */
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/splice.h>
#include <linux/uio.h>

#include "compat.h"
#include "mmapdemo.h"

void mmapdemo_bar_free(struct kref *ref)
{
	kfree(container_of(ref, struct mmapdemo_bar, ref));
}

/*
 * Every file of the device shares one address_space (mapping.c), made at
 * the first open and freed at the last release, so that
 * mmapdemo_bar_revoke() finds every mapping whatever node it came from.
 */
static int mmapdemo_bar_open(struct inode *inode, struct file *file)
{
	struct mmapdemo_bar *bar = container_of(file->private_data,
						struct mmapdemo_bar, misc);
	struct inode *mi;
	int ret = 0;

	mutex_lock(&bar->open_lock);
	if (bar->gone) {
		ret = -ENODEV;
		goto out_unlock;
	}
	if (!bar->open_count) {
		mi = mmapdemo_inode_get();
		if (IS_ERR(mi)) {
			ret = PTR_ERR(mi);
			goto out_unlock;
		}
		bar->inode = mi;
	}
	bar->open_count++;
	kref_get(&bar->ref);
	file->f_mapping = bar->inode->i_mapping;
	file->private_data = bar;
out_unlock:
	mutex_unlock(&bar->open_lock);
	return ret;
}

/* The last VMA is gone before the last release: each holds its file. */
static int mmapdemo_bar_release(struct inode *inode, struct file *file)
{
	struct mmapdemo_bar *bar = file->private_data;

	mutex_lock(&bar->open_lock);
	if (!--bar->open_count) {
		mmapdemo_inode_put(bar->inode);
		bar->inode = NULL;
	}
	mutex_unlock(&bar->open_lock);
	kref_put(&bar->ref, mmapdemo_bar_free);
	return 0;
}

/*
 * Removal: from here on every fault gets SIGBUS and every read, write and
 * mmap() ENODEV; then every PTE goes.  The caller releases the BAR after
 * this returns: no PTE, no kernel access can reach it any more.
 */
void mmapdemo_bar_revoke(struct mmapdemo_bar *bar)
{
	down_write(&bar->lock);
	mutex_lock(&bar->open_lock);
	bar->gone = true;
	if (bar->inode)
		unmap_mapping_range(bar->inode->i_mapping, 0, 0, 1);
	mutex_unlock(&bar->open_lock);
	up_write(&bar->lock);
}

/*
 * read()/write() go through a bounce page: @lock is not held while
 * copying to or from userspace, whose buffer may be a mapping of this very
 * BAR, faulting, and taking @lock for reading again behind a removal that
 * waits for it (an rwsem lets no new reader past a waiting writer).
 */
static ssize_t mmapdemo_bar_rw(struct kiocb *iocb, struct iov_iter *iter,
			       bool write)
{
	struct mmapdemo_bar *bar = iocb->ki_filp->private_data;
	loff_t pos = iocb->ki_pos;
	ssize_t done = 0, ret = 0;
	void *bounce;

	if (pos < 0)
		return -EINVAL;
	if (READ_ONCE(bar->gone))
		return -ENODEV;
	if (pos >= bar->len)
		return write && iov_iter_count(iter) ? -ENOSPC : 0;
	bounce = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	while (iov_iter_count(iter) && pos < bar->len) {
		size_t n = min_t(size_t, iov_iter_count(iter), PAGE_SIZE);
		size_t copied;

		n = min_t(loff_t, n, bar->len - pos);
		copied = n;

		if (write && copy_from_iter(bounce, n, iter) != n) {
			ret = -EFAULT;
			break;
		}
		down_read(&bar->lock);
		if (bar->gone) {
			up_read(&bar->lock);
			ret = -ENODEV;
			break;
		}
		if (write)
			memcpy_toio(bar->vaddr + pos, bounce, n);
		else
			memcpy_fromio(bounce, bar->vaddr + pos, n);
		up_read(&bar->lock);
		if (!write)
			copied = copy_to_iter(bounce, n, iter);
		pos += copied;
		done += copied;
		if (copied != n) {
			ret = -EFAULT;
			break;
		}
		if (fatal_signal_pending(current))
			break;
		cond_resched();
	}
	kfree(bounce);
	iocb->ki_pos = pos;
	return done ? done : ret;
}

static ssize_t mmapdemo_bar_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	return mmapdemo_bar_rw(iocb, to, false);
}

static ssize_t mmapdemo_bar_write_iter(struct kiocb *iocb,
				       struct iov_iter *from)
{
	return mmapdemo_bar_rw(iocb, from, true);
}

static loff_t mmapdemo_bar_llseek(struct file *file, loff_t offset, int whence)
{
	struct mmapdemo_bar *bar = file->private_data;

	return fixed_size_llseek(file, offset, whence, bar->len);
}

/* One PFN per fault; SIGBUS once the device is gone. */
static vm_fault_t mmapdemo_bar_fault(struct vm_fault *vmf)
{
	struct mmapdemo_bar *bar = vmf->vma->vm_private_data;
	vm_fault_t ret = VM_FAULT_SIGBUS;

	down_read(&bar->lock);
	if (!bar->gone && vmf->pgoff < bar->len >> PAGE_SHIFT)
		ret = vmf_insert_pfn(vmf->vma, vmf->address,
				     PHYS_PFN(bar->start) + vmf->pgoff);
	up_read(&bar->lock);
	return ret;
}

/*
 * ptrace, /proc/PID/mem, gdb: get_user_pages() refuses VM_PFNMAP, and the
 * core falls back to ->access.  generic_access_phys() (CONFIG_HAVE_IOREMAP_
 * PROT) needs a present PTE (follow_pfnmap_start() in 6.12 and 7.3,
 * follow_pte() in 6.1), which a page nobody touched yet does not have; the
 * driver reads its own kernel mapping instead, under the same rule as
 * read().
 */
static int mmapdemo_bar_access(struct vm_area_struct *vma, unsigned long addr,
			       void *buf, int len, int write)
{
	struct mmapdemo_bar *bar = vma->vm_private_data;
	resource_size_t off = ((resource_size_t)vma->vm_pgoff << PAGE_SHIFT) +
			      (addr - vma->vm_start);
	int ret = len;

	if (write && !(vma->vm_flags & VM_WRITE))
		return -EACCES;
	if (off >= bar->len)
		return -EINVAL;
	ret = min_t(resource_size_t, len, bar->len - off);
	down_read(&bar->lock);
	if (bar->gone)
		ret = -ENODEV;
	else if (write)
		memcpy_toio(bar->vaddr + off, buf, ret);
	else
		memcpy_fromio(buf, bar->vaddr + off, ret);
	up_read(&bar->lock);
	return ret;
}

static const struct vm_operations_struct mmapdemo_bar_vm_ops = {
	.fault = mmapdemo_bar_fault,
	.access = mmapdemo_bar_access,
};

/*
 * Everything is checked here, before a VMA exists; the VMA gets the
 * flags of a remapped PFN range (no struct page behind it, never copied
 * by fork's COW, never dumped) and a write-combining page_prot, and no
 * action: faults fill it.
 */
int mmapdemo_bar_mmap_prepare(struct vm_area_desc *desc)
{
	struct mmapdemo_bar *bar = desc->file->private_data;
	unsigned long pages = bar->len >> PAGE_SHIFT;

	if (vma_desc_test_any(desc, VMA_EXEC_BIT))
		return -EPERM;
	if (!vma_desc_test_any(desc, VMA_MAYSHARE_BIT))
		return -EINVAL;		/* a private copy of device memory */
	if (desc->pgoff >= pages || vma_desc_pages(desc) > pages - desc->pgoff)
		return -EINVAL;		/* written so that it cannot wrap */
	/* Unlocked: a removal after this finds no PTE, and faults see @gone. */
	if (READ_ONCE(bar->gone))
		return -ENODEV;

	desc->page_prot = pgprot_writecombine(desc->page_prot);
	vma_desc_clear_flags(desc, VMA_MAYEXEC_BIT);
	vma_desc_set_flags(desc, VMA_IO_BIT, VMA_PFNMAP_BIT,
			   VMA_DONTEXPAND_BIT, VMA_DONTDUMP_BIT);
	desc->vm_ops = &mmapdemo_bar_vm_ops;
	desc->private_data = bar;
	return 0;
}

const struct file_operations mmapdemo_bar_fops = {
	.owner = THIS_MODULE,
	.open = mmapdemo_bar_open,
	.release = mmapdemo_bar_release,
	.read_iter = mmapdemo_bar_read_iter,
	.write_iter = mmapdemo_bar_write_iter,
	.splice_read = copy_splice_read,
	.splice_write = iter_file_splice_write,
	.llseek = mmapdemo_bar_llseek,
	.fsync = noop_fsync,
#ifdef MMAPDEMO_CLASSIC_MMAP
	.mmap = mmapdemo_classic_bar_mmap,
#else
	.mmap_prepare = mmapdemo_bar_mmap_prepare,
#endif
};
