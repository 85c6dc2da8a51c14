// SPDX-License-Identifier: GPL-2.0
/*
 * The shared buffer: what every mapping, read() and ioctl of the device sees.
 *
 * Why the page allocator and not kmalloc() or vmalloc():
 *  - slab memory must never be mapped into userspace: its pages are shared
 *    with unrelated kernel objects, and a fault handler may not take page
 *    references on it;
 *  - each page here is an order-0 page with its own refcount (split_page()
 *    turns a higher-order block into independent pages).  A fault handler
 *    can get_page() any one of them, and __free_page() below only drops our
 *    reference: if someone still holds a page (get_user_pages() on a fault
 *    mapping), it is freed when they let go, not under their feet;
 *  - allocating in PMD-sized blocks first gives physically contiguous,
 *    naturally aligned runs, so the remap strategy needs few
 *    remap_pfn_range() calls;
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

#include "compat.h"
#include "mmapdemo.h"

/* Largest block we ask for: one PMD (2 MiB on x86-64), if the buddy has it. */
#define MMAPDEMO_BLOCK_ORDER \
	min_t(unsigned int, PMD_SHIFT - PAGE_SHIFT, MAX_PAGE_ORDER)

static void mmapdemo_free_pages(struct page **pages, unsigned long n)
{
	while (n--)
		__free_page(pages[n]);
}

struct mmapdemo_buf *mmapdemo_buf_alloc(size_t size)
{
	unsigned int order = MMAPDEMO_BLOCK_ORDER;
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

	while (filled < buf->nr_pages) {
		/* Large blocks are a wish: give up quickly, quietly. */
		gfp_t gfp = GFP_KERNEL | __GFP_ZERO |
			    (order ? __GFP_NORETRY | __GFP_NOWARN : 0);
		struct page *page;
		unsigned long i;

		while (order && (1UL << order) > buf->nr_pages - filled)
			order--;
		page = alloc_pages(gfp, order);
		if (!page) {
			if (!order)
				goto err_free_pages;
			order--;
			continue;
		}
		split_page(page, order);
		for (i = 0; i < (1UL << order); i++)
			buf->pages[filled++] = nth_page(page, i);
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
