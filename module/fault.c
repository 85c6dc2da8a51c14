// SPDX-License-Identifier: GPL-2.0
/*
 * Strategy "fault": map nothing at mmap() time; hand out one page per page
 * fault from vm_operations.fault.
 *
 * When to choose it: the memory is made of ordinary pages (struct page
 * exists) and a mapping may be large and sparsely used.  mmap() is O(1) and
 * pages that are never touched cost nothing.  It is what uio's logical
 * maps do, and the shape the page cache has.
 *
 * What it costs: one trap into the kernel per page on first touch (see
 * batched fault-around for a cheaper variant).  In return the VMA is a
 * normal one: get_user_pages() works on it, MAP_PRIVATE gets copy-on-write
 * from the core mm, MAP_POPULATE pre-faults it, MADV_DONTNEED drops the PTEs
 * and the next touch faults the same shared page back in.
 *
 * Context: the handler runs in the faulting task, with either its mmap_lock
 * held for reading or (6.4+) only this VMA's lock.  It may sleep, but it must
 * not take mmap_lock and must not wait for anything an mmap() call holds.
 * It only reads vm_private_data, which the VMA's reference keeps valid.
 */
#include <linux/mman.h>
#include <linux/sched/mm.h>

#include "compat.h"
#include "mmapdemo.h"

vm_fault_t mmapdemo_page_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mmapdemo_buf *buf = vma->vm_private_data;
	pgoff_t idx = vmf->pgoff & (MMAPDEMO_REGION_PAGES - 1);
	struct page *page;

	/*
	 * Past the end of the buffer: SIGBUS, as for a file mapping past
	 * EOF.  Returning 0 or VM_FAULT_NOPAGE without installing a page
	 * would make the CPU retry the access forever (a livelock), and
	 * returning some other page would expose memory that is not ours.
	 */
	if (idx >= buf->nr_pages) {
		atomic64_inc(&mmapdemo.sigbus);
		return VM_FAULT_SIGBUS;
	}

	/*
	 * The core mm installs vmf->page and drops the reference we pass it
	 * when the PTE goes away (or, for a MAP_PRIVATE write, right after
	 * copying it).  On a tail page of a 2 MiB compound folio get_page()
	 * counts on the folio, which is where the core will drop it
	 * (buffer.c).  The core also locks the page around installing it.
	 */
	page = buf->pages[idx];
	get_page(page);
	vmf->page = page;
	mmapdemo_count_pages(vma, 1, 1);
	return 0;
}

static const struct vm_operations_struct mmapdemo_fault_vm_ops = {
	.open = mmapdemo_vma_open,
	.close = mmapdemo_vma_close,
	.fault = mmapdemo_page_fault,
};

static int mmapdemo_fault_mmap(struct vm_area_struct *vma,
			       struct mmapdemo_buf *buf, pgoff_t first)
{
	/* One fault per page is the point: see mmapdemo_fault_area(). */
	vm_flags_set(vma, VM_NOHUGEPAGE);
	return 0;	/* everything happens at fault time */
}

/*
 * Where to put a mapping.  The pages we hand out may belong to 2 MiB
 * compound folios (for the huge strategy).  If a mapping sat on the 2 MiB
 * grid, the core mm would map such a folio with one PMD (finish_fault()
 * does that for any large folio; 6.1 even ignores VM_NOHUGEPAGE there) and
 * this strategy would stop showing one fault per page.  So a mapping large
 * enough to hold a PMD is placed one page off the grid.  MAP_FIXED picks
 * its own address and bypasses this.
 */
static unsigned long mmapdemo_fault_area(struct file *file,
					 unsigned long addr, unsigned long len,
					 unsigned long pgoff, unsigned long flags)
{
	struct mm_struct *mm = current->mm;

	if (len < PMD_SIZE || (flags & MAP_FIXED))
		return mm_get_unmapped_area(mm, file, addr, len, pgoff, flags);
	addr = mm_get_unmapped_area(mm, file, addr, len + PAGE_SIZE, pgoff,
				    flags);
	if (!IS_ERR_VALUE(addr) &&
	    !(((addr >> PAGE_SHIFT) - pgoff) & (PTRS_PER_PMD - 1)))
		addr += PAGE_SIZE;	/* the gap we asked for has room */
	return addr;
}

const struct mmapdemo_strategy mmapdemo_fault = {
	.name = "fault",
	.allow_private = true,
	.allow_past_end = true,
	.vm_ops = &mmapdemo_fault_vm_ops,
	.mmap = mmapdemo_fault_mmap,
	.get_unmapped_area = mmapdemo_fault_area,
};
