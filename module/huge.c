// SPDX-License-Identifier: GPL-2.0
/*
 * Strategy "huge": each 2 MiB block of the buffer is mapped by one PMD
 * entry on its first touch; 512 pages for the price of one fault, and one
 * TLB entry instead of 512.
 *
 * When to choose it: large buffers touched widely (frame buffers, DMA
 * rings, shared scratch space), where faults and TLB misses dominate.  It
 * needs physically contiguous, 2 MiB-aligned memory (buffer.c allocates
 * 2 MiB compound folios when it can) and a mapping address on the same
 * 2 MiB grid as the file offset (mmap() places it so, through
 * thp_get_unmapped_area()).  Where either is missing, for the tail of the
 * buffer, or a mapping split by munmap()/mprotect(), it falls back to
 * 4 KiB pages: an access never fails because a PMD could not be used.
 *
 * How: the fault handler is the one of strategy "fault".  It hands the core
 * mm a page of a compound folio; when the page middle directory entry is
 * still empty and the block fits in the VMA, the core's finish_fault()
 * maps the whole folio with one PMD (do_set_pmd()), exactly as it does for
 * large folios of the page cache, with a folio reference and rmap for the
 * PMD.  /proc/<pid>/smaps then shows it as FilePmdMapped.
 *
 * Why not vm_operations.huge_fault with vmf_insert_pfn_pmd(), as DAX and
 * vfio-pci do: that needs VM_PFNMAP, which hides the mapping from smaps
 * and GUP; 6.1 never calls ->huge_fault for a VMA that is not DAX
 * (hugepage_vma_check()); and before 6.12 a PFN-mapped PMD has no special
 * bit, so get_user_pages_fast() would take references through it on the
 * first page only.  Handing the core a folio works the same on both.
 */
#include "mmapdemo.h"

static const struct vm_operations_struct mmapdemo_huge_vm_ops = {
	.open = mmapdemo_vma_open,
	.close = mmapdemo_vma_close,
	.fault = mmapdemo_page_fault,
};

static int mmapdemo_huge_mmap(struct vm_area_struct *vma,
			      struct mmapdemo_buf *buf, pgoff_t first)
{
	return 0;	/* placement did the work: see get_unmapped_area */
}

const struct mmapdemo_strategy mmapdemo_huge = {
	.name = "huge",
	.allow_private = false,	/* 2 MiB blocks are for sharing */
	.allow_past_end = true,
	.vm_ops = &mmapdemo_huge_vm_ops,
	.mmap = mmapdemo_huge_mmap,
	/* Same 2 MiB alignment as the file offset, for len >= 2 MiB. */
	.get_unmapped_area = thp_get_unmapped_area,
};
