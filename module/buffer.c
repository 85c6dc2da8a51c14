// SPDX-License-Identifier: GPL-2.0
/*
 * The shared buffer: what every mapping, read() and ioctl of the device sees.
 *
 * Why the page allocator and not kmalloc() or vmalloc():
 *  - slab memory must never be mapped into userspace: its pages are shared
 *    with unrelated kernel objects, and a fault handler may not take page
 *    references on it;
 *  - every allocation here is one refcounted unit: an order-0 page, or a
 *    2 MiB *compound* folio (__GFP_COMP) whose tail pages share the head's
 *    refcount.  A fault handler can get_page() any page, head or tail, and
 *    the reference lands where the core mm will drop it.  get_page() on a
 *    tail of a higher-order allocation made *without* __GFP_COMP would
 *    count on a page that owns nothing: a classic demo-driver bug;
 *  - the buffer is built from 2 MiB folios as far as the size and the
 *    allocator allow: physically contiguous and aligned, so remap needs
 *    few remap_pfn_range() calls and the huge strategy can map each one
 *    with a single PMD entry, the way the page cache maps large folios;
 *  - we drop only our own reference when freeing: if someone still holds
 *    a page (get_user_pages() on a fault mapping), it is freed when they
 *    let go, not under their feet;
 *  - __GFP_ZERO: pages straight from the allocator hold whatever the kernel
 *    left in them.  Mapping them unzeroed would leak kernel data.
 *
 * The kernel itself reaches the buffer through one vmap() of all its pages.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "mmapdemo.h"

#define MMAPDEMO_PMD_ORDER	(PMD_SHIFT - PAGE_SHIFT)
#define MMAPDEMO_PMD_PAGES	BIT(MMAPDEMO_PMD_ORDER)

/*
 * Drop our reference on every allocation: order-0 pages and folio heads.
 * A folio's size is read before the put: once freed, its tail pages no
 * longer know they were tails.
 */
static void mmapdemo_free_pages(struct page **pages, unsigned long n)
{
	unsigned long i, nr;

	for (i = 0; i < n; i += nr) {
		nr = compound_nr(pages[i]);
		put_page(pages[i]);
	}
}

struct mmapdemo_buf *mmapdemo_buf_alloc(size_t size)
{
	struct mmapdemo_buf *buf;
	unsigned long filled = 0;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return NULL;
	buf->size = size;
	buf->nr_pages = size >> PAGE_SHIFT;
	buf->pages = kvcalloc(buf->nr_pages, sizeof(*buf->pages), GFP_KERNEL);
	if (!buf->pages)
		goto err_free_buf;

	/* Block by block, so that folios stay 2 MiB-aligned in the buffer. */
	while (filled < buf->nr_pages) {
		unsigned long i, n = min(MMAPDEMO_PMD_PAGES,
					 buf->nr_pages - filled);
		struct page *page = NULL;

		/* A whole 2 MiB folio is a wish: give up quickly, quietly. */
		if (n == MMAPDEMO_PMD_PAGES)
			page = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_COMP |
					   __GFP_NORETRY | __GFP_NOWARN,
					   MMAPDEMO_PMD_ORDER);
		if (page) {
			/*
			 * Where it sits in the buffer, as the page cache
			 * would record it: finish_fault() compares it with
			 * i_size before mapping a PMD (see file.c, open).
			 */
			page->index = filled;
			for (i = 0; i < n; i++)
				buf->pages[filled++] = nth_page(page, i);
			buf->huge_blocks++;
		} else {
			for (i = 0; i < n; i++) {
				page = alloc_page(GFP_KERNEL | __GFP_ZERO);
				if (!page)
					goto err_free_pages;
				buf->pages[filled++] = page;
			}
		}
		cond_resched();
	}

	buf->vaddr = vmap(buf->pages, buf->nr_pages, VM_MAP, PAGE_KERNEL);
	if (!buf->vaddr)
		goto err_free_pages;
	kref_init(&buf->ref);
	return buf;

err_free_pages:
	mmapdemo_free_pages(buf->pages, filled);
	kvfree(buf->pages);
err_free_buf:
	kfree(buf);
	return NULL;
}

static void mmapdemo_buf_release(struct kref *ref)
{
	struct mmapdemo_buf *buf = container_of(ref, struct mmapdemo_buf, ref);

	vunmap(buf->vaddr);
	mmapdemo_free_pages(buf->pages, buf->nr_pages);
	kvfree(buf->pages);
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
struct mmapdemo_buf *mmapdemo_cur_buf(void)
{
	struct mmapdemo_buf *buf;

	mutex_lock(&mmapdemo.lock);
	buf = mmapdemo_buf_get(mmapdemo.buf);
	mutex_unlock(&mmapdemo.lock);
	return buf;
}
