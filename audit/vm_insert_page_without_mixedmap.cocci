// SPDX-License-Identifier: GPL-2.0
/// vm_insert_page() or vm_insert_pages() called from a page fault handler
/// (a function taking a struct vm_fault *) of a driver that never sets
/// VM_MIXEDMAP (VMA_MIXEDMAP_BIT on 7.x) in its mmap.
///
/// Why it is a bug (mmapdemo docs/guide.md section 7, "batched"): without
/// VM_MIXEDMAP these functions set the flag themselves, which needs
/// mmap_lock held for writing; a fault holds it only for reading.  On
/// 6.1 and 6.12 that is a BUG_ON(mmap_read_trylock()), on 7.3 a
/// VM_WARN_ON_ONCE() and a flag changed under a read lock.
///
/// The flag is looked for in every file spatch sees together with the
/// call: make audit gives spatch a driver's directory as one group, so
/// a flag set in the directory's other files counts; make coccicheck
/// looks at one file at a time and reports more.
///
// Confidence: High
// Guide: section 7
// Options: --no-includes --include-headers

virtual report
virtual org
virtual context

@mixed@
@@
(
VM_MIXEDMAP
|
VMA_MIXEDMAP_BIT
)

@r depends on !mixed exists@
identifier f, vmf;
expression list es;
position p;
@@
f(..., struct vm_fault *vmf, ...)
{
	... when any
	\(vm_insert_page@p\|vm_insert_pages@p\)(es)
	... when any
}

@depends on context && r@
position r.p;
expression list es;
@@
* \(vm_insert_page@p\|vm_insert_pages@p\)(es)

@script:python depends on report && r@
p << r.p;
f << r.f;
@@
coccilib.report.print_report(p[0], "vm_insert_page_without_mixedmap: %s() inserts pages in a fault, VM_MIXEDMAP never set (guide section 7)" % f)

@script:python depends on org && r@
p << r.p;
@@
coccilib.org.print_todo(p[0], "vm_insert_page_without_mixedmap")
