// SPDX-License-Identifier: GPL-2.0
/*
 * Strategy "remap": build every page table entry at mmap() time with
 * remap_pfn_range().
 *
 * When to choose it: the memory is a fixed, physically known range (device
 * BARs, reserved carve-outs, a DMA buffer) and the mapping is used right
 * away in full.  It is what drivers/char/mem.c and uio's physical maps do.
 *
 * What it costs: mmap() itself does all the work, proportional to the
 * mapping's size, under mmap_lock held for writing; no faults follow.  The
 * VMA becomes VM_PFNMAP ("raw PFNs, no struct page semantics"): no
 * get_user_pages() on it (so no O_DIRECT or RDMA into it), no
 * madvise(MADV_DONTNEED), no page references held by the page tables.
 * That last point is why the VMA pins the whole buffer through its kref
 * (vma.c): nothing else keeps the pages alive while the PTEs exist.
 *
 * remap_pfn_range() sets VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP
 * itself.  It needs physically contiguous ranges, so a buffer that came
 * from the allocator in several blocks is mapped one run at a time.
 */
#include "mmapdemo.h"

static int mmapdemo_remap_mmap(struct vm_area_struct *vma,
			       struct mmapdemo_buf *buf, pgoff_t first)
{
	unsigned long addr = vma->vm_start;
	pgoff_t idx = first;
	int ret;

	while (addr < vma->vm_end) {
		unsigned long pfn = page_to_pfn(buf->pages[idx]);
		unsigned long left = (vma->vm_end - addr) >> PAGE_SHIFT;
		unsigned long run = 1;

		/* Extend the run while the next page is physically adjacent. */
		while (run < left &&
		       page_to_pfn(buf->pages[idx + run]) == pfn + run)
			run++;

		ret = remap_pfn_range(vma, addr, pfn, run << PAGE_SHIFT,
				      vma->vm_page_prot);
		/* On failure mmap_region() unmaps whatever was mapped. */
		if (ret)
			return ret;
		addr += run << PAGE_SHIFT;
		idx += run;
	}
	mmapdemo_count_mapped(vma, vma_pages(vma));
	return 0;
}

/*
 * No .fault: every page is present from the start, and an access the page
 * tables cannot satisfy (there is none inside a validated VMA) would get
 * SIGBUS from the core mm.
 */
static const struct vm_operations_struct mmapdemo_remap_vm_ops = {
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
	.vm_ops = &mmapdemo_remap_vm_ops,
	.mmap = mmapdemo_remap_mmap,
};
