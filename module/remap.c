// SPDX-License-Identifier: GPL-2.0
/*
 * Strategy "remap": build every page table entry at mmap() time with
 * remap_pfn_range(), asked for as the prepare's action.
 *
 * When to choose it: the memory is a fixed, physically known range (device
 * BARs, reserved carve-outs, a DMA buffer) and the mapping is used right
 * away in full.  It is what drivers/char/mem.c (mmap_mem_prepare()) and
 * uio's physical maps do.
 *
 * What it costs: mmap() itself does all the work, proportional to the
 * mapping's size, under mmap_lock held for writing; no faults follow.  The
 * VMA becomes VM_PFNMAP ("raw PFNs, no struct page semantics"): no
 * get_user_pages() on it (so no O_DIRECT or RDMA into it), no
 * madvise(MADV_DONTNEED), no page references held by the page tables.
 * That last point is why the VMA pins the whole buffer through its map
 * (vma.c): nothing else keeps the pages alive while the PTEs exist.
 *
 * The action is one PFN range: mmap_action_remap() records it, and the
 * core runs remap_pfn_range_complete() once the VMA exists (it sets
 * VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP in prepare already,
 * remap_pfn_range_prepare()).  A prepare holds one action, so the buffer
 * is one physically contiguous range (buffer.c).  On 6.x, classic.c maps
 * with remap_pfn_range() itself, run by run.
 */
#include "mmapdemo.h"

static void mmapdemo_remap_prepare(struct vm_area_desc *desc,
				   struct mmapdemo_buf *buf, pgoff_t first)
{
	/* The whole VMA from the buffer's page @first: checked by prepare. */
	mmap_action_remap_full(desc, page_to_pfn(buf->pages[first]));
}

/*
 * No .fault: every page is present from the start, and an access the page
 * tables cannot satisfy (there is none inside a validated VMA) would get
 * SIGBUS from the core mm.
 */
static const struct vm_operations_struct mmapdemo_remap_vm_ops = {
#ifndef MMAPDEMO_CLASSIC_MMAP
	.mapped = mmapdemo_vma_mapped,
#endif
	.open = mmapdemo_vma_open,
	.close = mmapdemo_vma_close,
	/* debuggers: GUP cannot pin a VM_PFNMAP page (vma.c) */
	.access = mmapdemo_vma_access,
};

const struct mmapdemo_strategy mmapdemo_remap = {
	.name = "remap",
	/*
	 * A private writable mapping would need COW of PFN-mapped memory:
	 * remap_pfn_range() only supports that for one contiguous range
	 * covering the whole VMA, and rewrites vm_pgoff to do it.
	 */
	.allow_private = false,
	.allow_past_end = false,
	.eager = true,
	.vm_ops = &mmapdemo_remap_vm_ops,
	.prepare = mmapdemo_remap_prepare,
};
