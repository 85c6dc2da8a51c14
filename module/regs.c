// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mmapdemo-regs: the page of edu's registers (BAR 0), mapped
 * read-only and uncached, all of it at mmap() time by 7.3's
 * mmap_action_simple_ioremap() (vm_iomap_memory() on 6.x).  The model for
 * a driver that lets userspace read device registers without a system
 * call: a status page, a free-running counter (drivers/char/hpet.c).
 *
 * Uncached (pgprot_noncached()), never write-combining: registers have
 * side effects and an order, and write-combining lets the CPU merge and
 * reorder accesses.  Read-only: on this page are edu's DMA registers,
 * which take any address; a process that could write them could make the
 * device read or write any page of the machine.  The copy ioctl of
 * /dev/mmapdemo-dma is the interface for that, and it checks its ranges.
 *
 * Eager, unlike the BAR node's faults: a register page is one page and
 * every reader wants it.  The price is the window between the action and
 * the VMA's link into the address_space that removal zaps, which
 * mmapdemo_dma_revoke() closes with the mm barrier dma.c describes: the
 * prepare below notes its mm.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>

#include "compat.h"
#include "mmapdemo.h"

static int mmapdemo_regs_open(struct inode *inode, struct file *file)
{
	return mmapdemo_dma_attach(container_of(file->private_data,
						struct mmapdemo_dma, regs_misc),
				   file);
}

int mmapdemo_regs_mmap_prepare(struct vm_area_desc *desc)
{
	struct mmapdemo_dma *dma = desc->file->private_data;
	int ret;

	if (vma_desc_test_any(desc, VMA_WRITE_BIT, VMA_EXEC_BIT))
		return -EPERM;
	if (!vma_desc_test_any(desc, VMA_MAYSHARE_BIT))
		return -EINVAL;
	if (desc->pgoff || vma_desc_pages(desc) != 1)
		return -EINVAL;		/* the first page of BAR 0, whole */

	down_read(&dma->lock);
	ret = dma->gone ? -ENODEV : mmapdemo_dma_note_mm(dma, desc->mm);
	up_read(&dma->lock);
	if (ret)
		return ret;

	/* Nor writable or executable later, through mprotect(). */
	vma_desc_clear_flags(desc, VMA_MAYWRITE_BIT, VMA_MAYEXEC_BIT);
	desc->page_prot = pgprot_noncached(desc->page_prot);
	mmap_action_simple_ioremap(desc, dma->regs_phys, PAGE_SIZE);
	return 0;
}

const struct file_operations mmapdemo_regs_fops = {
	.owner = THIS_MODULE,
	.open = mmapdemo_regs_open,
	.release = mmapdemo_dma_detach,
	.llseek = noop_llseek,
#ifdef MMAPDEMO_CLASSIC_MMAP
	.mmap = mmapdemo_classic_regs_mmap,
#else
	.mmap_prepare = mmapdemo_regs_mmap_prepare,
#endif
};
