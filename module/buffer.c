// SPDX-License-Identifier: GPL-2.0
/*
 * The shared buffer: what every mapping, read() and ioctl of the device sees.
 *
 * Why the page allocator and not kmalloc() or vmalloc():
 *  - slab memory must never be mapped into userspace: its pages are shared
 *    with unrelated kernel objects, and their lifetime is the slab's, not
 *    that of the references a mapping takes;
 *  - every page of the buffer is an order-0 page with its own refcount.
 *    The core mm gets nothing else from this driver: no large folio, which
 *    it would rmap and account as if it belonged to the page cache (see
 *    the TODO in __folio_rmap_sanity_checks(), include/linux/rmap.h, 6.12
 *    and 7.3).  A
 *    fault handler can get_page() any page, and the reference lands where
 *    the core will drop it.  Never get_page() a tail of a higher-order
 *    allocation that was not split: it would count on a page that owns
 *    nothing (a classic demo driver bug);
 *  - the buffer is one physically contiguous range, 2 MiB-aligned when it
 *    is 2 MiB or more: alloc_pages_exact() up to 4 MiB, alloc_contig_pages()
 *    beyond (or when no free block is left), both giving order-0 pages
 *    with a refcount each.  Why: the remap strategy maps a whole VMA with
 *    one mmap action, and an action is one PFN range (remap.c).  The
 *    price: beyond 4 MiB the kernel has to find a range with nothing
 *    unmovable in it and empty it, migrating movable pages away, which
 *    takes time and fails (ENOMEM) when unmovable pages are scattered over
 *    memory: in 2 and 4 GiB guests 512 MiB is found, 1 GiB is not
 *    (docs/guide.md, section 2).  The huge
 *    strategy maps each aligned 2 MiB block of it by one PMD of raw PFNs
 *    (huge.c).  On 6.x, which does not export alloc_contig_pages() (6.1
 *    exports only alloc_contig_range(); on 6.12 both names are macros
 *    over functions named with _noprof, and only
 *    alloc_contig_range_noprof() is exported), classic.c builds the buffer from 2 MiB blocks;
 *  - we drop only our own reference when freeing: if someone still holds a
 *    page (get_user_pages() on a fault mapping), it is freed when they let
 *    go, not under their feet;
 *  - __GFP_ZERO: pages straight from the allocator hold whatever the kernel
 *    left in them.  Mapping them unzeroed would leak kernel data.
 *
 * Allocating up to 1 GiB can take long and can run the machine out of
 * memory, so a killed caller gets -EINTR (load, RESIZE), and it fails
 * (-ENOMEM) rather than invoking the OOM killer (__GFP_RETRY_MAYFAIL):
 * pinning driver memory is never worth killing a process for.  Where the
 * kill is seen: on 6.x before each 2 MiB block (classic.c); here inside
 * the one alloc_contig_pages() call, only while it migrates pages out of
 * a candidate range (__alloc_contig_migrate_range() fails that range, and
 * each later one at once), after which it returns nothing and we answer
 * -EINTR; and, on both, once the pages are allocated and zeroed
 * (mmapdemo_buf_alloc()).
 *
 * The kernel itself reaches the buffer through one vmap() of all its pages.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "mmapdemo.h"

#ifndef MMAPDEMO_CLASSIC_MMAP

/*
 * Fill buf->pages with one contiguous range, 2 MiB-aligned from 2 MiB up.
 *
 * Up to the buddy allocator's largest block (4 MiB on x86-64),
 * alloc_pages_exact(): a block of the next power-of-two order, naturally
 * aligned, split into order-0 pages, the tail given back.  Beyond, or when
 * no such block is free (a machine up for long), alloc_contig_pages(),
 * which can empty a range by migrating pages away; it aligns a range to
 * its size when that is a power of two, so for other sizes ask for 511
 * pages more and keep the part that starts on a 2 MiB boundary: at most
 * 2 MiB more, for a moment, rather than up to twice the buffer.
 */
int mmapdemo_buf_alloc_pages(struct mmapdemo_buf *buf)
{
	unsigned long n = buf->nr_pages, extra = 0, head = 0, i, pfn;
	struct page *page = NULL;

	if (n <= MAX_ORDER_NR_PAGES) {
		void *p = alloc_pages_exact(n << PAGE_SHIFT,
					    MMAPDEMO_GFP | __GFP_NOWARN);

		if (p)
			page = virt_to_page(p);
		else if (n < MMAPDEMO_PMD_PAGES)
			return -ENOMEM;
	}
	if (page) {
		pfn = page_to_pfn(page);
	} else {
		if (!is_power_of_2(n))
			extra = MMAPDEMO_PMD_PAGES - 1;
		page = alloc_contig_pages(n + extra,
					  MMAPDEMO_GFP | __GFP_NOWARN,
					  numa_node_id(), NULL);
		if (!page)
			return fatal_signal_pending(current) ? -EINTR : -ENOMEM;
		pfn = page_to_pfn(page);
		if (extra)
			head = ALIGN(pfn, MMAPDEMO_PMD_PAGES) - pfn;
		if (head)
			free_contig_range(pfn, head);
		if (extra - head)
			free_contig_range(pfn + head + n, extra - head);
		pfn += head;
	}

	/*
	 * One range of PFNs, but not necessarily of struct pages: without
	 * SPARSEMEM_VMEMMAP the memory map is contiguous only within a
	 * memory section (128 MiB on x86-64), and a range this size may
	 * cross one.  So each page from its own PFN, never page + i.
	 */
	for (i = 0; i < n; i++)
		buf->pages[i] = pfn_to_page(pfn + i);
	for (i = 0; i + MMAPDEMO_PMD_PAGES <= n; i += MMAPDEMO_PMD_PAGES)
		__set_bit(i / MMAPDEMO_PMD_PAGES, buf->contig);
	buf->one_range = true;
	return 0;
}
#endif

void mmapdemo_free_pages(struct page **pages, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		if (pages[i])
			put_page(pages[i]);
}

/*
 * A new zeroed buffer of @size bytes (a multiple of PAGE_SIZE), or
 * ERR_PTR(-ENOMEM), or ERR_PTR(-EINTR) if the caller was killed meanwhile.
 */
struct mmapdemo_buf *mmapdemo_buf_alloc(size_t size)
{
	unsigned long nblocks;
	struct mmapdemo_buf *buf;
	int ret = -ENOMEM;

	buf = kzalloc_obj(*buf, GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	buf->size = size;
	buf->nr_pages = size >> PAGE_SHIFT;
	nblocks = DIV_ROUND_UP(buf->nr_pages, MMAPDEMO_PMD_PAGES);
	buf->contig = bitmap_zalloc(nblocks, GFP_KERNEL);
	if (!buf->contig)
		goto err_free_buf;
	/* Zeroed: on failure, mmapdemo_free_pages() skips the holes. */
	buf->pages = kvcalloc(buf->nr_pages, sizeof(*buf->pages), GFP_KERNEL);
	if (!buf->pages)
		goto err_free_bitmap;

	ret = mmapdemo_buf_alloc_pages(buf);
	if (ret)
		goto err_free_pages;
	/* Killed while the allocator zeroed the pages: keep nothing. */
	ret = -EINTR;
	if (fatal_signal_pending(current))
		goto err_free_pages;

	ret = -ENOMEM;
	buf->vaddr = vmap(buf->pages, buf->nr_pages, VM_MAP, PAGE_KERNEL);
	if (!buf->vaddr)
		goto err_free_pages;
	kref_init(&buf->ref);
	return buf;

err_free_pages:
	mmapdemo_free_pages(buf->pages, buf->nr_pages);
	kvfree(buf->pages);
err_free_bitmap:
	bitmap_free(buf->contig);
err_free_buf:
	kfree(buf);
	return ERR_PTR(ret);
}

static void mmapdemo_buf_release(struct kref *ref)
{
	struct mmapdemo_buf *buf = container_of(ref, struct mmapdemo_buf, ref);

	vunmap(buf->vaddr);
	mmapdemo_free_pages(buf->pages, buf->nr_pages);
	kvfree(buf->pages);
	bitmap_free(buf->contig);
	kfree(buf);
}

/*
 * May free the buffer, which sleeps (vunmap): process context only.  The
 * last put comes from module exit, RESIZE, a read/write/ioctl finishing, or
 * vm_operations.close, which runs in process context too.
 */
void mmapdemo_buf_put(struct mmapdemo_buf *buf)
{
	kref_put(&buf->ref, mmapdemo_buf_release);
}

/* A counted reference to the current buffer; put it when done. */
struct mmapdemo_buf *mmapdemo_cur_buf(struct mmapdemo_dev *dev)
{
	struct mmapdemo_buf *buf;

	mutex_lock(&dev->lock);
	buf = mmapdemo_buf_get(dev->buf);
	mutex_unlock(&dev->lock);
	return buf;
}

/* How many 2 MiB blocks are physically contiguous (INFO's huge_blocks). */
unsigned int mmapdemo_buf_huge_blocks(const struct mmapdemo_buf *buf)
{
	return bitmap_weight(buf->contig,
			     DIV_ROUND_UP(buf->nr_pages, MMAPDEMO_PMD_PAGES));
}

/*
 * The kernel's accesses go through the vmap() alias, userspace's through
 * its own mappings: two virtual addresses for one physical page.  On CPUs
 * whose data cache is indexed by virtual address (some ARMv5/v6, MIPS,
 * PA-RISC) the two can hold different bytes, so the kernel invalidates its
 * alias before reading what a user may have written, and writes its alias
 * back after writing.  Architectures without such caches (x86, arm64)
 * do not define ARCH_IMPLEMENTS_FLUSH_KERNEL_VMAP_RANGE and get the empty
 * flush_kernel_vmap_range() and invalidate_kernel_vmap_range() of
 * <linux/highmem.h> (6.1 to 7.3).
 */
void mmapdemo_buf_begin_read(struct mmapdemo_buf *buf, size_t off, size_t len)
{
	invalidate_kernel_vmap_range(buf->vaddr + off, len);
}

void mmapdemo_buf_end_write(struct mmapdemo_buf *buf, size_t off, size_t len)
{
	flush_kernel_vmap_range(buf->vaddr + off, len);
}
