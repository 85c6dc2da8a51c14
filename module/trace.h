/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of the mmap paths, in tracefs under events/mmapdemo/:
 *
 *   mmapdemo_mmap    every mmap() of the device, refused ones included:
 *                    what its mmap_prepare returned (a failure of the
 *                    core or the action after that is not in it)
 *   mmapdemo_fault   every fault handler call that tried to insert: one
 *                    event per call, so a PMD is one event of order 9
 *   mmapdemo_sigbus  a fault past the end of the buffer
 *   mmapdemo_resize  every MMAPDEMO_IOC_RESIZE with valid arguments; a
 *                    refused one (EBUSY, ENOMEM, EINTR) has old_size 0
 *   mmapdemo_close   every vm_ops->close: whether ->mapped had accepted
 *                    the VMA, and how the caller holds mmap_lock as lockdep
 *                    knows it: "read", "write", "none" (a bug), or "held"
 *                    where lockdep cannot tell (not built in, or turned
 *                    off by an earlier report)
 *
 * Why tracepoints as well as the counters: a counter says how many, an
 * event says which process, which page, what the handler returned and
 * when.  A disabled tracepoint costs a patched-out branch, so they stay
 * in the fault path.  The selftest mmapdemo_trace checks that the events
 * and the counters agree.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM mmapdemo

#if !defined(_MMAPDEMO_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _MMAPDEMO_TRACE_H

#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/tracepoint.h>

#include "mmapdemo.h"

#define mmapdemo_show_strategy(s)					\
	__print_symbolic(s,						\
			 { MMAPDEMO_STRATEGY_REMAP, "remap" },		\
			 { MMAPDEMO_STRATEGY_FAULT, "fault" },		\
			 { MMAPDEMO_STRATEGY_BATCHED, "batched" },	\
			 { MMAPDEMO_STRATEGY_HUGE, "huge" })

TRACE_EVENT(mmapdemo_mmap,
	    TP_PROTO(const struct vm_area_desc *desc, unsigned int strategy,
		     int ret),
	    TP_ARGS(desc, strategy, ret),
	    TP_STRUCT__entry(__field(unsigned int, strategy)
			     __field(unsigned long, offset)
			     __field(unsigned long, len)
			     __field(bool, shared)
			     __field(int, ret)
	    ),
	    TP_fast_assign(__entry->strategy = strategy;
			   __entry->offset = (desc->pgoff &
					      (MMAPDEMO_REGION_PAGES - 1)) <<
					     PAGE_SHIFT;
			   __entry->len = desc->end - desc->start;
			   __entry->shared = vma_desc_test_any(desc,
							       VMA_MAYSHARE_BIT);
			   __entry->ret = ret;
	    ),
	    TP_printk("strategy=%s offset=%#lx len=%#lx shared=%d ret=%d",
		      mmapdemo_show_strategy(__entry->strategy), __entry->offset,
		      __entry->len, __entry->shared, __entry->ret)
);

TRACE_EVENT(mmapdemo_fault,
	    TP_PROTO(const struct vm_area_struct *vma, pgoff_t idx,
		     unsigned long pages, unsigned int order, vm_fault_t result),
	    TP_ARGS(vma, idx, pages, order, result),
	    TP_STRUCT__entry(__field(unsigned int, strategy)
			     __field(unsigned long, idx)
			     __field(unsigned long, pages)
			     __field(unsigned int, order)
			     __field(unsigned int, result)
	    ),
	    TP_fast_assign(__entry->strategy = mmapdemo_vma_strategy(vma);
			   __entry->idx = idx;
			   __entry->pages = pages;
			   __entry->order = order;
			   __entry->result = (__force unsigned int)result;
	    ),
	    TP_printk("strategy=%s idx=%lu pages=%lu order=%u result=%#x",
		      mmapdemo_show_strategy(__entry->strategy), __entry->idx,
		      __entry->pages, __entry->order, __entry->result)
);

TRACE_EVENT(mmapdemo_sigbus,
	    TP_PROTO(const struct vm_area_struct *vma, pgoff_t idx,
		     unsigned long address),
	    TP_ARGS(vma, idx, address),
	    TP_STRUCT__entry(__field(unsigned int, strategy)
			     __field(unsigned long, idx)
			     __field(unsigned long, address)
	    ),
	    TP_fast_assign(__entry->strategy = mmapdemo_vma_strategy(vma);
			   __entry->idx = idx;
			   __entry->address = address;
	    ),
	    TP_printk("strategy=%s idx=%lu address=%#lx",
		      mmapdemo_show_strategy(__entry->strategy), __entry->idx,
		      __entry->address)
);

TRACE_EVENT(mmapdemo_resize,
	    TP_PROTO(size_t old_size, size_t new_size, int ret),
	    TP_ARGS(old_size, new_size, ret),
	    TP_STRUCT__entry(__field(size_t, old_size)
			     __field(size_t, new_size)
			     __field(int, ret)
	    ),
	    TP_fast_assign(__entry->old_size = old_size;
			   __entry->new_size = new_size;
			   __entry->ret = ret;
	    ),
	    TP_printk("old_size=%zu new_size=%zu ret=%d", __entry->old_size,
		      __entry->new_size, __entry->ret)
);

/* How the caller of vm_ops->close holds mmap_lock, as lockdep knows it. */
#ifndef MMAPDEMO_LOCK_HELD
#define MMAPDEMO_LOCK_HELD	0	/* lockdep cannot tell the mode */
#define MMAPDEMO_LOCK_READ	1
#define MMAPDEMO_LOCK_WRITE	2
#define MMAPDEMO_LOCK_NONE	3	/* lockdep: not held at all */

static inline int mmapdemo_mmap_lock_mode(struct mm_struct *mm)
{
	int w, r;

	if (!IS_ENABLED(CONFIG_LOCKDEP))
		return MMAPDEMO_LOCK_HELD;
	/*
	 * lockdep_is_held_type(): 0 asks for a writer, 1 for a reader; it
	 * answers -1 once lockdep is off (debug_locks 0).
	 */
	w = lockdep_is_held_type(&mm->mmap_lock, 0);
	if (w == 1)
		return MMAPDEMO_LOCK_WRITE;
	r = lockdep_is_held_type(&mm->mmap_lock, 1);
	if (r == 1)
		return MMAPDEMO_LOCK_READ;
	return w < 0 || r < 0 ? MMAPDEMO_LOCK_HELD : MMAPDEMO_LOCK_NONE;
}
#endif

TRACE_EVENT(mmapdemo_close,
	    TP_PROTO(const struct vm_area_struct *vma, bool mapped),
	    TP_ARGS(vma, mapped),
	    TP_STRUCT__entry(__field(unsigned int, strategy)
			     __field(bool, mapped)
			     __field(int, lock)
	    ),
	    TP_fast_assign(__entry->strategy = mmapdemo_vma_strategy(vma);
			   __entry->mapped = mapped;
			   __entry->lock = mmapdemo_mmap_lock_mode(vma->vm_mm);
	    ),
	    TP_printk("strategy=%s mapped=%d mmap_lock=%s",
		      mmapdemo_show_strategy(__entry->strategy),
		      __entry->mapped,
		      __print_symbolic(__entry->lock,
				       { MMAPDEMO_LOCK_HELD, "held" },
				       { MMAPDEMO_LOCK_READ, "read" },
				       { MMAPDEMO_LOCK_WRITE, "write" },
				       { MMAPDEMO_LOCK_NONE, "none" }))
);

#endif /* _MMAPDEMO_TRACE_H */

/* define_trace.h includes this file again, by this path. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
