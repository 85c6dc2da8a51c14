// SPDX-License-Identifier: GPL-2.0
/*
 * The shared buffer: what every mapping, read() and ioctl of the device sees.
 *
 * Why the page allocator and not kmalloc() or vmalloc():
 *  - slab memory must never be mapped into userspace: its pages are shared
 *    with unrelated kernel objects, and a fault handler may not take page
 *    references on it;
 *  - every page of the buffer is an order-0 page with its own refcount.
 *    The core mm gets nothing else from this driver: no large folio, which
 *    it would rmap and account as if it belonged to the page cache (see
 *    the TODO in __folio_rmap_sanity_checks(), include/linux/rmap.h).  A
 *    fault handler can get_page() any page, and the reference lands where
 *    the core will drop it;
 *  - still, as far as the size and the allocator allow, the buffer is made
 *    of physically contiguous, 2 MiB-aligned blocks: one order-9
 *    allocation *without* __GFP_COMP, cut into 512 order-0 pages by
 *    split_page().  Remap then needs few remap_pfn_range() calls, and the
 *    huge strategy can map such a block by one PMD of raw PFNs (huge.c).
 *    Never get_page() a tail of a higher-order allocation that was not
 *    split: it would count on a page that owns nothing (a classic demo
 *    driver bug);
 *  - we drop only our own reference when freeing: if someone still holds a
 *    page (get_user_pages() on a fault mapping), it is freed when they let
 *    go, not under their feet;
 *  - __GFP_ZERO: pages straight from the allocator hold whatever the kernel
 *    left in them.  Mapping them unzeroed would leak kernel data.
 *
 * Allocating up to 1 GiB can take long and can run the machine out of
 * memory, so it stops as soon as the calling task is killed (load, RESIZE:
 * -EINTR) and it fails (-ENOMEM) rather than invoking the OOM killer
 * (__GFP_RETRY_MAYFAIL): pinning driver memory is never worth killing a
 * process for.
 *
 * The kernel itself reaches the buffer through one vmap() of all its pages.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "mmapdemo.h"

#define MMAPDEMO_GFP	(GFP_KERNEL | __GFP_ZERO | __GFP_RETRY_MAYFAIL)

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
		 * struct pages are contiguous on every memory model and
		 * page + i is the i-th page (7.3 has no nth_page() any more).
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

static void mmapdemo_free_pages(struct page **pages, unsigned long n)
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
	unsigned long filled, nblocks;
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

	/* Block by block, so that blocks stay 2 MiB-aligned in the buffer. */
	for (filled = 0; filled < buf->nr_pages; filled += MMAPDEMO_PMD_PAGES) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto err_free_pages;
		}
		ret = mmapdemo_alloc_block(buf, filled,
					   min(MMAPDEMO_PMD_PAGES,
					       buf->nr_pages - filled));
		if (ret)
			goto err_free_pages;
		cond_resched();
	}

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
 * versions of <asm-generic/cacheflush.h>.
 */
void mmapdemo_buf_begin_read(struct mmapdemo_buf *buf, size_t off, size_t len)
{
	invalidate_kernel_vmap_range(buf->vaddr + off, len);
}

void mmapdemo_buf_end_write(struct mmapdemo_buf *buf, size_t off, size_t len)
{
	flush_kernel_vmap_range(buf->vaddr + off, len);
}
