// SPDX-License-Identifier: GPL-2.0
/// A direct write to vma->vm_flags (=, |=, &=, ^=).
///
/// Why it is a bug (mmapdemo docs/guide.md section 9, "The VMA flags",
/// and section 14): since 6.3 vm_flags is const in struct vm_area_struct
/// and is changed only through vm_flags_set(), vm_flags_clear(),
/// vm_flags_mod() or vm_flags_reset(), which assert mmap_lock held for
/// writing and lock the VMA against per-VMA-lock page faults; code that
/// writes it does not build on 6.3+, and on older kernels changes flags
/// that a concurrent fault reads.  On 7.x a driver sets flags on the
/// descriptor, in mmap_prepare: vma_desc_set_flags(desc, VMA_..._BIT).
///
// Confidence: High
// Guide: section 9
// Options: --no-includes --include-headers

virtual report
virtual org
virtual context

@r@
struct vm_area_struct *vma;
expression E;
position p;
@@
(
vma->vm_flags@p = E
|
vma->vm_flags@p |= E
|
vma->vm_flags@p &= E
|
vma->vm_flags@p ^= E
)

@depends on context && r@
struct vm_area_struct *vma;
position r.p;
@@
* vma->vm_flags@p

@script:python depends on report && r@
p << r.p;
@@
coccilib.report.print_report(p[0], "vm_flags_direct_write: vma->vm_flags written directly; vm_flags_set()/vm_flags_clear(), or the descriptor on 7.x (guide section 9)")

@script:python depends on org && r@
p << r.p;
@@
coccilib.org.print_todo(p[0], "vm_flags_direct_write")
