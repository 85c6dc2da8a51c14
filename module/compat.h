/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels mmapdemo supports (6.1 to 6.12 tested),
 * all here so that the .c files read as code for the newest kernel.
 *
 * Each MMAPDEMO_HAVE_* comes from a feature probe in Kbuild (compile a use
 * of the API against the target kernel's headers), not from
 * LINUX_VERSION_CODE: distribution kernels backport APIs, so version
 * numbers lie.  Built in-tree there is no probe and no fallback is needed:
 * the code is written against the current API.
 */
#ifndef MMAPDEMO_COMPAT_H
#define MMAPDEMO_COMPAT_H

#include <linux/mm.h>
#include <linux/sched/mm.h>

/*
 * 6.3 made vma->vm_flags const and added vm_flags_set()/vm_flags_clear(),
 * which also take care of the per-VMA lock.  Writing vm_flags directly no
 * longer compiles there; on older kernels these are plain updates (we are
 * called with mmap_lock held for writing, so that is safe).
 */
#ifdef MMAPDEMO_NO_VM_FLAGS_SET
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma,
				  vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/*
 * 6.10 replaced the mm->get_unmapped_area method (which drivers called to
 * get the default placement) by mm_get_unmapped_area().
 */
#ifdef MMAPDEMO_NO_MM_GET_UNMAPPED_AREA
static inline unsigned long
mm_get_unmapped_area(struct mm_struct *mm, struct file *file,
		     unsigned long addr, unsigned long len,
		     unsigned long pgoff, unsigned long flags)
{
	return mm->get_unmapped_area(file, addr, len, pgoff, flags);
}
#endif

#endif /* MMAPDEMO_COMPAT_H */
