// SPDX-License-Identifier: GPL-2.0
/*
 * The classic f_op->mmap, for kernels without f_op->mmap_prepare (6.1,
 * 6.12): Kbuild builds this file only for them.  A driver for those
 * kernels alone would write mmapdemo_classic() and mmapdemo_classic_remap()
 * as its whole mmap: called with the VMA already made, set its flags with
 * vm_flags_set(), its vm_ops and vm_private_data, remap_pfn_range() it,
 * count it.  Here the same prepare and ->mapped as on 7.3 do the checks
 * and the counting, so that both kernels run one driver.
 *
 * Two differences with 7.3's core, both visible below: a failing f_op->mmap
 * gets no vm_ops->close (mmap_file() installs empty vm_ops: 6.1's own
 * dummy_vm_ops, 6.12's vma_dummy_vm_ops), so the prepared map waits on the
 * file for release; and 6.x does not export alloc_contig_pages(), so the
 * buffer is 2 MiB blocks and remap maps it run by run.
 */
#include <linux/gfp.h>
#include <linux/sched/signal.h>

#include "mmapdemo.h"

/* One 2 MiB block: a split order-9 allocation, or 512 single pages. */
static int mmapdemo_alloc_block(struct mmapdemo_buf *buf, unsigned long first,
				unsigned long n)
{
	struct page *page = NULL;
	unsigned long i;

	/* A whole block is a wish: give up at once, quietly, if it is not. */
	if (n == MMAPDEMO_PMD_PAGES)
		page = alloc_pages(MMAPDEMO_GFP | __GFP_NORETRY | __GFP_NOWARN,
				   MMAPDEMO_PMD_ORDER);
	if (page) {
		/*
		 * 512 pages with a refcount of one each, no folio left.  One
		 * buddy allocation never crosses a memory section (mmzone.h
		 * refuses a largest order bigger than a section), so its
		 * struct pages are contiguous and page + i is the i-th page.
		 */
		split_page(page, MMAPDEMO_PMD_ORDER);
		for (i = 0; i < n; i++)
			buf->pages[first + i] = page + i;
		__set_bit(first / MMAPDEMO_PMD_PAGES, buf->contig);
		return 0;
	}
	for (i = 0; i < n; i++) {
		page = alloc_page(MMAPDEMO_GFP);
		if (!page)
			return -ENOMEM;
		buf->pages[first + i] = page;
	}
	return 0;
}

/* Block by block, so that blocks stay 2 MiB-aligned in the buffer. */
int mmapdemo_buf_alloc_pages(struct mmapdemo_buf *buf)
{
	unsigned long filled;
	int ret;

	for (filled = 0; filled < buf->nr_pages; filled += MMAPDEMO_PMD_PAGES) {
		if (fatal_signal_pending(current))
			return -EINTR;
		ret = mmapdemo_alloc_block(buf, filled,
					   min(MMAPDEMO_PMD_PAGES,
					       buf->nr_pages - filled));
		if (ret)
			return ret;
		cond_resched();
	}
	return 0;
}

/*
 * remap_pfn_range() needs one physically contiguous range: map the VMA one
 * run of adjacent pages at a time.  On failure mmap_region() unmaps
 * whatever was mapped.
 */
static int mmapdemo_classic_remap(struct vm_area_struct *vma,
				  struct mmapdemo_buf *buf)
{
	unsigned long addr = vma->vm_start;
	pgoff_t idx = mmapdemo_vma_first(vma);
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
		if (ret)
			return ret;
		addr += run << PAGE_SHIFT;
		idx += run;
	}
	return 0;
}

/*
 * What 7.3's __mmap_region() does around a prepare, for a VMA that exists
 * already: describe it, let the node's prepare check and change the
 * description, apply the result to the VMA.
 */
static __always_inline int
mmapdemo_classic_prepare(struct file *file, struct vm_area_struct *vma,
			 struct vm_area_desc *desc,
			 int (*prepare)(struct vm_area_desc *desc))
{
	int ret;

	/*
	 * vm_ops starts as the VMA's empty ones (vma_init()), as 7.3 starts
	 * a descriptor with vma_dummy_vm_ops: a prepare that sets none must
	 * not leave NULL, which makes the VMA anonymous to the core
	 * (vma_is_anonymous()), and a read fault in a read-only shared one
	 * then maps the zero page instead of SIGBUS (do_anonymous_page()).
	 */
	*desc = (struct vm_area_desc){
		.mm = vma->vm_mm,
		.file = file,
		.start = vma->vm_start,
		.end = vma->vm_end,
		.pgoff = vma->vm_pgoff,
		.vm_flags = vma->vm_flags,
		.page_prot = vma->vm_page_prot,
		.vm_ops = vma->vm_ops,
	};
	ret = prepare(desc);
	if (ret)
		return ret;
	vm_flags_clear(vma, vma->vm_flags & ~desc->vm_flags);
	vm_flags_set(vma, desc->vm_flags & ~vma->vm_flags);
	vma->vm_page_prot = desc->page_prot;
	vma->vm_ops = desc->vm_ops;
	vma->vm_private_data = desc->private_data;
	return 0;
}

/* The buffer's nodes: then run the action and call ->mapped. */
static int mmapdemo_classic(struct file *file, struct vm_area_struct *vma,
			    int (*prepare)(struct vm_area_desc *desc))
{
	struct vm_area_desc desc;
	struct mmapdemo_map *map;
	int ret;

	ret = mmapdemo_classic_prepare(file, vma, &desc, prepare);
	if (ret)
		return ret;
	map = desc.private_data;

	/*
	 * On failure the core unmaps what was mapped after we return, and
	 * calls nothing of ours: the map stays parked on the file until
	 * release, so that the buffer outlives those page table entries.
	 */
	if (desc.action.type == MMAP_REMAP_PFN) {
		ret = mmapdemo_classic_remap(vma, map->buf);
		if (ret)
			return ret;
	}
	return mmapdemo_vma_mapped(vma->vm_start, vma->vm_end, vma->vm_pgoff,
				   file, &vma->vm_private_data);
}

int mmapdemo_classic_mmap(struct file *file, struct vm_area_struct *vma)
{
	return mmapdemo_classic(file, vma, mmapdemo_mmap_prepare);
}

int mmapdemo_classic_fault_mmap(struct file *file, struct vm_area_struct *vma)
{
	return mmapdemo_classic(file, vma, mmapdemo_fault_mmap_prepare);
}

int mmapdemo_classic_batched_mmap(struct file *file,
				  struct vm_area_struct *vma)
{
	return mmapdemo_classic(file, vma, mmapdemo_batched_mmap_prepare);
}

int mmapdemo_classic_huge_mmap(struct file *file, struct vm_area_struct *vma)
{
	return mmapdemo_classic(file, vma, mmapdemo_huge_mmap_prepare);
}

#if IS_ENABLED(CONFIG_PCI)
/* The BAR: flags, caching and vm_ops; faults fill it (bar.c says why). */
int mmapdemo_classic_bar_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vm_area_desc desc;

	return mmapdemo_classic_prepare(file, vma, &desc,
					mmapdemo_bar_mmap_prepare);
}

/* edu's registers: 7.3's simple_ioremap action is 6.x's vm_iomap_memory(). */
int mmapdemo_classic_regs_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vm_area_desc desc;
	int ret;

	ret = mmapdemo_classic_prepare(file, vma, &desc,
				       mmapdemo_regs_mmap_prepare);
	if (ret)
		return ret;
	return vm_iomap_memory(vma, desc.action.simple_ioremap.start_phys_addr,
			       desc.action.simple_ioremap.size);
}
#endif
