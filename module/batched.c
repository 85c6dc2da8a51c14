// SPDX-License-Identifier: GPL-2.0
/*
 * Strategy "batched": like "fault", but one fault maps an aligned run of
 * MMAPDEMO_BATCH_PAGES neighbouring pages: fault-around for a driver.
 * The process can say how it will touch the mapping, with the same
 * madvise() hints the page cache reads for readahead: after MADV_SEQUENTIAL
 * a run is MMAPDEMO_BATCH_SEQ_PAGES (2 MiB of 4 KiB pages), after
 * MADV_RANDOM it is the one page touched.
 *
 * When to choose it: mappings are touched mostly in order (streaming, a
 * frame buffer, a ring).  The page cache does the same for files
 * (fault_around_bytes, 64 KiB by default) and TTM prefaults neighbouring
 * pages of graphics buffers.  Sequential first touch takes 1/16 of the
 * faults of strategy "fault", 1/512 after MADV_SEQUENTIAL.
 *
 * What it costs: each fault does up to a run's worth of work, and pages
 * the process never touches get page table entries anyway (the pages exist
 * already, so no extra memory beyond page tables).  Touching pages at
 * random gains little; MADV_RANDOM says so, and each fault then maps only
 * its own page.
 *
 * How: the handler installs the PTEs itself with vm_insert_pages() and
 * returns VM_FAULT_NOPAGE.  vm_insert_pages() takes a page reference and
 * an rmap entry per page, exactly what the core does for a page returned
 * in vmf->page, and takes the page table lock once per batch of up to 8
 * entries of one page table (insert_pages(), 6.1 to 7.3): twice for a run
 * of 16 pages inside one page table, 64 times for 512, and at most once
 * more for a run that crosses into the next page table (every 2 MiB of
 * address space), instead of once per page as vm_insert_page() would.  It
 * may run here, under mmap_lock held for reading, because mmap() already
 * set VM_MIXEDMAP; otherwise it would have to set that flag itself, which
 * needs mmap_lock for writing.
 * It stops at a slot that is already populated (another thread got there
 * first, or part of the run was touched before) with -EBUSY; we skip that
 * slot and go on with the rest.
 *
 * Context: as for fault.c (mmap_lock held for reading, asserted in
 * mmapdemo_fault_idx()).
 */
#include "compat.h"
#include "mmapdemo.h"

/*
 * Pages one fault maps, from the hints madvise() keeps in vm_flags.  The
 * flags are stable here: madvise() changes them with mmap_lock held for
 * writing (madvise_need_mmap_write(); 7.3: get_lock_mode()), and this
 * handler runs with it held for reading.
 */
static pgoff_t mmapdemo_batch_pages(const struct vm_area_struct *vma)
{
	if (vma->vm_flags & VM_RAND_READ)
		return 1;
	if (vma->vm_flags & VM_SEQ_READ)
		return MMAPDEMO_BATCH_SEQ_PAGES;
	return MMAPDEMO_BATCH_PAGES;
}

static vm_fault_t mmapdemo_batched_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mmapdemo_buf *buf = mmapdemo_vma_buf(vma);
	pgoff_t first = mmapdemo_vma_first(vma);
	unsigned long mapped = 0;
	vm_fault_t ret = VM_FAULT_NOPAGE;
	pgoff_t idx, run, start, end, i;

	if (!mmapdemo_fault_idx(vmf, &idx))
		return VM_FAULT_SIGBUS;

	/* The run containing idx, aligned in buffer pages, inside the VMA. */
	run = mmapdemo_batch_pages(vma);
	start = max(round_down(idx, run), first);
	end = min3(round_down(idx, run) + run, first + vma_pages(vma),
		   (pgoff_t)buf->nr_pages);

	for (i = start; i < end; ) {
		unsigned long addr = vma->vm_start + ((i - first) << PAGE_SHIFT);
		unsigned long left = end - i;
		int err;

		/* On return, @left is the number of pages not inserted. */
		err = vm_insert_pages(vma, addr, &buf->pages[i], &left);
		mapped += end - i - left;
		i = end - left;
		if (!err)
			break;
		if (err != -EBUSY) {
			/* idx >= i: the page asked for is not mapped. */
			if (idx >= i)
				ret = vmf_error(err);
			break;
		}
		i++;		/* populated already: leave it alone */
	}
	/* A fault that mapped nothing (the whole run was there) is none. */
	return mmapdemo_fault_done(vma, idx, mapped, 0, ret);
}

static const struct vm_operations_struct mmapdemo_batched_vm_ops = {
#ifndef MMAPDEMO_CLASSIC_MMAP
	.mapped = mmapdemo_vma_mapped,
#endif
	.open = mmapdemo_vma_open,
	.close = mmapdemo_vma_close,
	.fault = mmapdemo_batched_fault,
};

static void mmapdemo_batched_prepare(struct vm_area_desc *desc,
				     struct mmapdemo_buf *buf, pgoff_t first)
{
	/*
	 * Pages with struct page, inserted from the fault handler:
	 * vm_insert_pages() wants VM_MIXEDMAP set beforehand when it runs
	 * with mmap_lock held only for reading.
	 */
	vma_desc_set_flags(desc, VMA_MIXEDMAP_BIT);
}

const struct mmapdemo_strategy mmapdemo_batched = {
	.name = "batched",
	.allow_private = true,	/* inserted read-only; a write copies */
	.allow_past_end = true,
	.vm_ops = &mmapdemo_batched_vm_ops,
	.prepare = mmapdemo_batched_prepare,
};
