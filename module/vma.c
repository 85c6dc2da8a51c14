// SPDX-License-Identifier: GPL-2.0
/*
 * Mapping bookkeeping, shared by every strategy.
 *
 * The core mm calls vm_operations.open when it creates a VMA as a copy of
 * ours: fork() (dup_mmap), a split by a partial munmap() or mprotect()
 * (__split_vma), and mremap() moving it (copy_vma).  mlock() does not
 * split it: mlock_fixup() leaves VM_SPECIAL VMAs (VM_PFNMAP, VM_MIXEDMAP,
 * VM_DONTEXPAND, all of ours) alone.  It calls .close
 * for every VMA that goes away.  It does *not* call .open for the VMA that
 * mmap() itself creates; f_op->mmap accounts for that one through
 * mmapdemo_vma_mapped().  Counted that way, live_maps is exactly the number
 * of VMAs mapping the device, whatever was split or forked.
 *
 * Every VMA also holds a reference on the buffer in vm_private_data.  A split
 * or fork copies that pointer, hence the extra reference in .open.  It is
 * the VMA, not the file, that keeps the buffer alive: a mapping outlives
 * close(fd) (the VMA holds its own reference on the struct file, and so on
 * the module through fops->owner: delete_module() fails with EAGAIN, which
 * is EWOULDBLOCK, until the last munmap()).  Freeing the buffer in
 * f_op->release, as many demo drivers do, would leave such a mapping
 * pointing at freed pages.
 *
 * .open runs with the process's mmap_lock held for writing (fork, split,
 * mremap); .close with mmap_lock held, but only for reading when munmap(2)
 * removes the VMA (it downgrades first: vms_complete_munmap_vmas()).  Both
 * may sleep.
 */
#include <linux/lockdep.h>
#include <linux/mmap_lock.h>

#include "mmapdemo.h"
#include "trace.h"

/* Each strategy has vm_operations of its own: they name it. */
unsigned int mmapdemo_vma_strategy(const struct vm_area_struct *vma)
{
	unsigned int s;

	for (s = 0; s < MMAPDEMO_STRATEGY_SLOTS; s++)
		if (mmapdemo_strategies[s] &&
		    mmapdemo_strategies[s]->vm_ops == vma->vm_ops)
			break;
	return s;
}

/*
 * The buffer page mapped at vma->vm_start: vm_pgoff within its region on
 * /dev/mmapdemo, vm_pgoff itself on the other nodes (whose mmap() refuses
 * anything past region 0).
 */
pgoff_t mmapdemo_vma_first(const struct vm_area_struct *vma)
{
	return vma->vm_pgoff & (MMAPDEMO_REGION_PAGES - 1);
}

void mmapdemo_vma_open(struct vm_area_struct *vma)
{
	unsigned int s = mmapdemo_vma_strategy(vma);

	mmapdemo_buf_get(vma->vm_private_data);
	atomic64_inc(&mmapdemo_vma_dev(vma)->strategy[s].live_maps);
}

/* f_op->mmap succeeded for @vma: the one VMA .open is not called for. */
void mmapdemo_vma_mapped(struct vm_area_struct *vma)
{
	mmapdemo_vma_open(vma);
	atomic64_inc(&mmapdemo_vma_dev(vma)->strategy[mmapdemo_vma_strategy(vma)].mmaps);
}

void mmapdemo_vma_close(struct vm_area_struct *vma)
{
	unsigned int s = mmapdemo_vma_strategy(vma);

	atomic64_dec(&mmapdemo_vma_dev(vma)->strategy[s].live_maps);
	mmapdemo_buf_put(vma->vm_private_data);
}

/*
 * vm_operations.access of the PFN-mapped strategies (remap, huge).  A
 * debugger reads another process's memory through access_remote_vm()
 * (/proc/PID/mem, PTRACE_PEEKDATA and POKEDATA, gdb), which pins the page
 * with get_user_pages() first; a VM_PFNMAP VMA has no struct page behind
 * its entries for GUP to pin, so __access_remote_vm() falls back to this
 * hook, and without it the read fails with EIO.  We copy through the
 * kernel's own mapping of the buffer.  Writes need a writable mapping, as
 * GUP asks of a forced write into a shared one (check_vma_flags()).  The
 * caller holds mmap_lock, so the VMA and its buffer reference are stable.
 * process_vm_readv() never falls back: it fails with EFAULT on these VMAs.
 */
int mmapdemo_vma_access(struct vm_area_struct *vma, unsigned long addr,
			void *data, int len, int write)
{
	struct mmapdemo_buf *buf = vma->vm_private_data;
	size_t off = (mmapdemo_vma_first(vma) << PAGE_SHIFT) +
		     (addr - vma->vm_start);
	size_t n;

	if (write && !(vma->vm_flags & VM_WRITE))
		return -EFAULT;
	if (len <= 0 || off >= buf->size)
		return -EFAULT;
	n = min3((size_t)len, buf->size - off, (size_t)(vma->vm_end - addr));
	if (write) {
		memcpy(buf->vaddr + off, data, n);
		mmapdemo_buf_end_write(buf, off, n);
	} else {
		mmapdemo_buf_begin_read(buf, off, n);
		memcpy(data, buf->vaddr + off, n);
	}
	return n;
}

/*
 * The start of every ->fault handler: the buffer page @vmf asks for, in
 * @idx, or false when that lies past the end of the buffer (counted in
 * "sigbus").  The handler must then return VM_FAULT_SIGBUS, as for a file
 * mapping past EOF: returning 0 or VM_FAULT_NOPAGE without installing a
 * page would make the CPU retry the access forever (a livelock), and
 * returning some other page would expose memory that is not ours.
 *
 * ->fault runs with mmap_lock held for reading (fault.c says why);
 * lockdep checks it here on the debug kernel.
 */
bool mmapdemo_fault_idx(const struct vm_fault *vmf, pgoff_t *idx)
{
	const struct mmapdemo_buf *buf = vmf->vma->vm_private_data;

	lockdep_assert_held(&vmf->vma->vm_mm->mmap_lock);
	*idx = vmf->pgoff & (MMAPDEMO_REGION_PAGES - 1);
	if (*idx < buf->nr_pages)
		return true;
	atomic64_inc(&mmapdemo_vma_dev(vmf->vma)->sigbus);
	trace_mmapdemo_sigbus(vmf->vma, *idx, vmf->address);
	return false;
}

/* remap: @pages mapped at mmap() time, no fault. */
void mmapdemo_count_mapped(const struct vm_area_struct *vma,
			   unsigned long pages)
{
	unsigned int s = mmapdemo_vma_strategy(vma);

	atomic64_add(pages, &mmapdemo_vma_dev(vma)->strategy[s].pages_mapped);
}

/*
 * The end of every fault handler that tried to insert: trace the call,
 * count it if it mapped something (a call that mapped nothing is no
 * fault), and pass its return value through.  @order is 0 for PTEs,
 * the PMD order for a PMD.
 */
vm_fault_t mmapdemo_fault_done(const struct vm_area_struct *vma, pgoff_t idx,
			       unsigned long pages, unsigned int order,
			       vm_fault_t ret)
{
	unsigned int s = mmapdemo_vma_strategy(vma);

	trace_mmapdemo_fault(vma, idx, pages, order, ret);
	if (pages) {
		atomic64_inc(&mmapdemo_vma_dev(vma)->strategy[s].faults);
		mmapdemo_count_mapped(vma, pages);
	}
	return ret;
}

u64 mmapdemo_live_maps(struct mmapdemo_dev *dev)
{
	u64 n = 0;
	int s;

	for (s = 0; s < MMAPDEMO_STRATEGY_SLOTS; s++)
		n += atomic64_read(&dev->strategy[s].live_maps);
	return n;
}

void mmapdemo_read_stats(struct mmapdemo_dev *dev, struct mmapdemo_stats *st)
{
	int s;

	memset(st, 0, sizeof(*st));
	st->opens = atomic64_read(&dev->opens);
	st->open_files = atomic64_read(&dev->open_files);
	st->sigbus = atomic64_read(&dev->sigbus);
	st->resizes = atomic64_read(&dev->resizes);
	for (s = 0; s < MMAPDEMO_STRATEGY_SLOTS; s++) {
		struct mmapdemo_strategy_stats *o = &st->strategy[s];

		o->mmaps = atomic64_read(&dev->strategy[s].mmaps);
		o->live_maps = atomic64_read(&dev->strategy[s].live_maps);
		o->faults = atomic64_read(&dev->strategy[s].faults);
		o->pages_mapped =
			atomic64_read(&dev->strategy[s].pages_mapped);
		st->live_maps += o->live_maps;
		st->faults += o->faults;
	}
}
