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
 * Context: the handler runs in the faulting task with its mmap_lock held
 * for reading.  (On 6.12 and 7.3 the core first tries a fault under the
 * per-VMA lock alone, lock_vma_under_rcu(), but for a VMA without
 * ->map_pages vmf_can_call_fault() gives up and the fault is retried under
 * mmap_lock before ->fault is called: do_read_fault(), do_shared_fault(),
 * do_cow_fault().  6.1 has no per-VMA lock; 6.4's took anonymous VMAs
 * only.  mmapdemo_fault_idx() asserts it with lockdep on the debug
 * kernel.)  It may sleep, but must not wait for
 * anything an mmap() call holds.  It only reads vm_private_data, which the
 * VMA's reference keeps valid.
 *
 * The pages are order-0 pages (buffer.c): the core maps exactly the one
 * returned, with a PTE, never a PMD.
 */
#include "mmapdemo.h"

static vm_fault_t mmapdemo_page_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mmapdemo_buf *buf = mmapdemo_vma_buf(vma);
	struct page *page;
	pgoff_t idx;

	/* Past the end of the buffer: SIGBUS (vma.c says why). */
	if (!mmapdemo_fault_idx(vmf, &idx))
		return VM_FAULT_SIGBUS;

	/*
	 * The core mm installs vmf->page (finish_fault()) and drops the
	 * reference we pass it when the PTE goes away (or, for a MAP_PRIVATE
	 * write, right after copying it: do_cow_fault()).  It also locks the
	 * page around installing it (__do_fault()).  If another thread mapped
	 * the same page meanwhile, finish_fault() maps nothing and the core
	 * drops our page: "faults" counts pages handed over (uapi).
	 */
	page = buf->pages[idx];
	get_page(page);
	vmf->page = page;
	return mmapdemo_fault_done(vma, idx, 1, 0, 0);
}

static const struct vm_operations_struct mmapdemo_fault_vm_ops = {
#ifndef MMAPDEMO_CLASSIC_MMAP
	.mapped = mmapdemo_vma_mapped,
#endif
	.open = mmapdemo_vma_open,
	.close = mmapdemo_vma_close,
	.fault = mmapdemo_page_fault,
};

const struct mmapdemo_strategy mmapdemo_fault = {
	.name = "fault",
	.allow_private = true,
	.allow_past_end = true,
	.vm_ops = &mmapdemo_fault_vm_ops,
};
