// SPDX-License-Identifier: GPL-2.0
/*
 * Deliberately broken code, loaded only by scripts/check-the-checker on the
 * debug kernel to prove that each gate of "make check" sees its class of
 * bug.  Each bug= value commits one bug at load time and the load succeeds,
 * so that the gates, not a failed insmod, have to notice:
 *
 *   kasan	read a kmalloc() object after kfree()
 *   lockdep	take two mutexes in both orders (an ABBA deadlock in waiting)
 *   atomic	allocate with GFP_KERNEL (may sleep) under a spinlock
 *   leak	lose the only pointer to a kmalloc() object
 *   warn	WARN_ON() something that is true
 *   list	list_add() next to an entry whose links are corrupt
 *   badpage	free a page that is still locked
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

static char *bug = "";
module_param(bug, charp, 0444);
MODULE_PARM_DESC(bug, "kasan, lockdep, atomic, leak, warn, list or badpage");

static DEFINE_MUTEX(bugs_a);
static DEFINE_MUTEX(bugs_b);
static DEFINE_SPINLOCK(bugs_lock);
static void *bugs_sink;

static noinline void bugs_kasan(void)
{
	char *p = kmalloc(32, GFP_KERNEL);

	if (!p)
		return;
	kfree(p);
	pr_info("stale byte %d\n", READ_ONCE(p[8]));
}

static noinline void bugs_lockdep(void)
{
	mutex_lock(&bugs_a);
	mutex_lock(&bugs_b);
	mutex_unlock(&bugs_b);
	mutex_unlock(&bugs_a);
	mutex_lock(&bugs_b);
	mutex_lock(&bugs_a);
	mutex_unlock(&bugs_a);
	mutex_unlock(&bugs_b);
}

static noinline void bugs_atomic(void)
{
	void *p;

	/* GFP_KERNEL may sleep: might_sleep() in the allocator catches it. */
	spin_lock(&bugs_lock);
	p = kmalloc(64, GFP_KERNEL);
	spin_unlock(&bugs_lock);
	kfree(p);
}

static noinline void bugs_leak(void)
{
	bugs_sink = kmalloc(128, GFP_KERNEL);
	WRITE_ONCE(bugs_sink, NULL);
}

static noinline void bugs_list(void)
{
	LIST_HEAD(head);
	struct list_head a, b;

	list_add(&a, &head);
	a.prev = &b;		/* head->next->prev should be &head */
	list_add(&b, &head);
}

static noinline void bugs_badpage(void)
{
	struct page *page = alloc_page(GFP_KERNEL);

	if (!page)
		return;
	__SetPageLocked(page);
	__free_page(page);
}

static int __init bugs_init(void)
{
	if (!strcmp(bug, "kasan"))
		bugs_kasan();
	else if (!strcmp(bug, "lockdep"))
		bugs_lockdep();
	else if (!strcmp(bug, "atomic"))
		bugs_atomic();
	else if (!strcmp(bug, "leak"))
		bugs_leak();
	else if (!strcmp(bug, "warn"))
		WARN_ON(strlen(bug) == 4);
	else if (!strcmp(bug, "list"))
		bugs_list();
	else if (!strcmp(bug, "badpage"))
		bugs_badpage();
	else
		return -EINVAL;
	return 0;
}

static void __exit bugs_exit(void)
{
}

module_init(bugs_init);
module_exit(bugs_exit);

MODULE_DESCRIPTION("Planted bugs that the debug kernel's checkers must report");
MODULE_LICENSE("GPL");
MODULE_INFO(test, "Y");
