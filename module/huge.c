// SPDX-License-Identifier: GPL-2.0
/*
 * Strategy "huge": each 2 MiB block of the buffer is mapped by one PMD
 * entry on its first touch; 512 pages for the price of one fault, and one
 * TLB entry instead of 512.
 *
 * When to choose it: large buffers touched widely (frame buffers, DMA
 * rings, shared scratch space), where faults and TLB misses dominate, and
 * memory that is physically contiguous in 2 MiB-aligned blocks.  It is
 * what vfio-pci does for PCI BARs.
 *
 * How: the VMA is VM_PFNMAP, like remap's, but filled lazily.  The core mm
 * calls vm_operations.huge_fault for a fault where the PMD entry is still
 * empty; we insert the block's PFNs there with vmf_insert_pfn_pmd().  The
 * entry is marked special: the core takes no page reference and no rmap
 * for it, which is right for memory the driver owns (the VMA pins the
 * whole buffer through its kref, vma.c).  Where a PMD cannot be used we
 * return VM_FAULT_FALLBACK, and the core calls .fault, which inserts one
 * 4 KiB PFN with vmf_insert_pfn():
 *  - a block the allocator could not give in one piece (buffer.c), the
 *    buffer's last, partial block, or a block only partly inside the VMA
 *    (a mapping not on the 2 MiB grid, or cut by munmap()/mprotect(),
 *    which also split an existing PMD: the core zaps it and the next
 *    touch refaults through .fault);
 *  - a kernel without PMD PFN maps (CONFIG_ARCH_SUPPORTS_PMD_PFNMAP, 6.12
 *    on x86-64).  Older kernels also never call ->huge_fault for a VMA
 *    that is not DAX (6.1's hugepage_vma_check()), so on 6.1 this strategy
 *    maps 4 KiB pages only, and INFO says so (MMAPDEMO_INFO_HUGE_PMD
 *    clear).
 * An access never fails because a PMD could not be used.
 *
 * THP sysfs settings: on 6.12 and 7.3 the core skips the "enabled" policy
 * (always/madvise/never) for a VM_PFNMAP VMA with ->huge_fault
 * (vma_file_bypass_thp_tuneables()): it governs memory the kernel
 * allocates and compacts, not a driver's.  MADV_NOHUGEPAGE and
 * prctl(PR_SET_THP_DISABLE) still make the core skip ->huge_fault
 * (vma_thp_disabled()), checked first.
 *
 * Placement: a PMD needs the mapping address and the buffer offset on the
 * same 2 MiB grid.  thp_get_unmapped_area() places a mapping so when its
 * offset range covers a whole 2 MiB-aligned block (a 2 MiB mapping at an
 * unaligned offset does not), the call is not a 32-bit compat one, a
 * search for the length plus 2 MiB succeeds, and no address hint was free
 * as given (__thp_get_unmapped_area(), 6.1 to 7.3).  Otherwise it falls
 * back to the default placement, and a block gets a PMD only if that
 * happens to be on the grid.
 *
 * Context: ->huge_fault may run with only the per-VMA lock held (6.12,
 * 7.3: create_huge_pmd() calls it without the retry under mmap_lock that
 * vmf_can_call_fault() makes for ->fault), so it must not rely on
 * mmap_lock; ->fault runs with mmap_lock held for reading, as in fault.c
 * (asserted in mmapdemo_fault_idx()).
 * Neither sleeps on anything an mmap() call holds, and both read only
 * vm_private_data, which the VMA's reference keeps valid.
 */
#include <linux/mm.h>
#include <linux/huge_mm.h>

#include "compat.h"
#include "mmapdemo.h"

static vm_fault_t mmapdemo_huge_pmd(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mmapdemo_buf *buf = mmapdemo_vma_buf(vma);
	unsigned long addr = vmf->address & PMD_MASK;
	pgoff_t first = mmapdemo_vma_first(vma);
	pgoff_t idx = first + ((addr - vma->vm_start) >> PAGE_SHIFT);
	vm_fault_t ret;

	if (!MMAPDEMO_HAVE_PMD_PFNMAP)
		return VM_FAULT_FALLBACK;
	/* The whole 2 MiB must be in the VMA and be one aligned block. */
	if (addr < vma->vm_start || addr + PMD_SIZE > vma->vm_end ||
	    idx % MMAPDEMO_PMD_PAGES ||
	    idx + MMAPDEMO_PMD_PAGES > buf->nr_pages ||
	    !test_bit(idx / MMAPDEMO_PMD_PAGES, buf->contig))
		return VM_FAULT_FALLBACK;

	ret = vmf_insert_pfn_pmd(vmf, page_to_pfn(buf->pages[idx]),
				 vmf->flags & FAULT_FLAG_WRITE);
	return mmapdemo_fault_done(vma, idx,
				   ret == VM_FAULT_NOPAGE ? MMAPDEMO_PMD_PAGES : 0,
				   MMAPDEMO_PMD_ORDER, ret);
}

static vm_fault_t mmapdemo_huge_fault(struct vm_fault *vmf,
				      MMAPDEMO_HUGE_FAULT_ARG size)
{
	if (mmapdemo_huge_fault_order(size) != MMAPDEMO_PMD_ORDER)
		return VM_FAULT_FALLBACK;	/* PUD: no 1 GiB blocks */
	return mmapdemo_huge_pmd(vmf);
}

/* One 4 KiB PFN: the fallback for everything a PMD cannot map. */
static vm_fault_t mmapdemo_huge_pte(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mmapdemo_buf *buf = mmapdemo_vma_buf(vma);
	vm_fault_t ret;
	pgoff_t idx;

	if (!mmapdemo_fault_idx(vmf, &idx))
		return VM_FAULT_SIGBUS;
	ret = vmf_insert_pfn(vma, vmf->address, page_to_pfn(buf->pages[idx]));
	return mmapdemo_fault_done(vma, idx, ret == VM_FAULT_NOPAGE, 0, ret);
}

static const struct vm_operations_struct mmapdemo_huge_vm_ops = {
#ifndef MMAPDEMO_CLASSIC_MMAP
	.mapped = mmapdemo_vma_mapped,
#endif
	.open = mmapdemo_vma_open,
	.close = mmapdemo_vma_close,
	.fault = mmapdemo_huge_pte,
	.huge_fault = mmapdemo_huge_fault,
	/* debuggers: GUP cannot pin a VM_PFNMAP page (vma.c) */
	.access = mmapdemo_vma_access,
};

static void mmapdemo_huge_prepare(struct vm_area_desc *desc,
				  struct mmapdemo_buf *buf, pgoff_t first)
{
	/*
	 * Raw PFNs, no struct page semantics: what vmf_insert_pfn() and
	 * vmf_insert_pfn_pmd() require.  Both BUG_ON() a COW VM_PFNMAP VMA
	 * (vmf_insert_pfn_prot(), vmf_insert_pfn_pmd(), 6.1 to 7.3), so
	 * refusing MAP_PRIVATE in prepare (allow_private is false) is
	 * mandatory here, not a policy.  VM_IO: no core dump or
	 * get_user_pages() into it, as with remap_pfn_range().
	 */
	vma_desc_set_flags(desc, VMA_PFNMAP_BIT, VMA_IO_BIT);
}

const struct mmapdemo_strategy mmapdemo_huge = {
	.name = "huge",
	.allow_private = false,	/* PFN maps cannot be copy-on-write */
	.allow_past_end = true,
	.vm_ops = &mmapdemo_huge_vm_ops,
	.prepare = mmapdemo_huge_prepare,
	/* The file offset's 2 MiB alignment, where it can (see the top). */
	.get_unmapped_area = thp_get_unmapped_area,
};
