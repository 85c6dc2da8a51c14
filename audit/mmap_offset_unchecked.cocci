// SPDX-License-Identifier: GPL-2.0
/// remap_pfn_range(), io_remap_pfn_range() or an mmap_action remap whose
/// PFN or length comes from the mapping's offset or size (vm_pgoff,
/// vm_end, vma_pages(), vma_start_pgoff(), desc->pgoff, vma_desc_size(),
/// ...; the _full actions always), in a driver where no if () of a
/// function taking the VMA or its descriptor tests the offset or the size
/// (or a variable computed from them, or a helper given the VMA whose
/// name says offset, size or length: mtdchar's get_vm_size(vma)).
///
/// Why it is a bug (mmapdemo docs/guide.md section 1, "the offset and
/// length against the buffer, in a form that cannot wrap", and section 14
/// "offset and length checked against the object"): mmap(2) lets the
/// caller choose both; unchecked, the remap maps whatever physical memory
/// lies past the object: other kernel memory, read and written from
/// userspace.
///
/// A heuristic: a driver that validates the offset and the size by
/// handing them to a lookup (an mmap entry, a region table) and testing
/// what comes back is reported; on 7.3's drivers/ all findings were that.
///
/// The test is looked for in every file spatch sees with the remap (make
/// audit: the driver's directory), and only its presence is checked, not
/// that it is right.  Helpers that check by themselves (vm_iomap_memory(),
/// mmap_action_simple_ioremap(), remap_vmalloc_range(), vm_map_pages(),
/// dma_mmap_*()) are not reported.
///
// Confidence: Low
// Comments: a heuristic: on 7.3's drivers/ every finding reviewed was a
//  driver that validates the offset and size through a lookup it passes
//  them to (mmapdemo docs/audit.md)
// Guide: section 1
// Options: --no-includes --include-headers

virtual report
virtual org
virtual context

/* For rv: the remaps whose extent comes through a variable. */
@derived@
identifier v;
struct vm_area_struct *vma;
struct vm_area_desc *desc;
type T;
@@
(
v = <+... \(vma->vm_pgoff\|vma->vm_end\|vma_pages(vma)\|desc->pgoff\|desc->end\|vma_desc_size(desc)\|vma_desc_pages(desc)\) ...+>;
|
T v = <+... \(vma->vm_pgoff\|vma->vm_end\|vma_pages(vma)\|desc->pgoff\|desc->end\|vma_desc_size(desc)\|vma_desc_pages(desc)\) ...+>;
)

@checked_vma exists@
identifier f, vma;
identifier h =~ "off\|size\|len";
statement S1, S2;
@@
f(..., struct vm_area_struct *vma, ...)
{
	... when any
(
	if (<+... \(vma->vm_pgoff\|vma->vm_end\|vma_pages(vma)\|vma_start_pgoff(vma)\|vma_end_pgoff(vma)\|vma_last_pgoff(vma)\|h(vma)\) ...+>) S1 else S2
|
	if (<+... \(vma->vm_pgoff\|vma->vm_end\|vma_pages(vma)\|vma_start_pgoff(vma)\|vma_end_pgoff(vma)\|vma_last_pgoff(vma)\|h(vma)\) ...+>) S1
)
	... when any
}

@checked_desc exists@
identifier f, desc;
statement S1, S2;
@@
f(..., struct vm_area_desc *desc, ...)
{
	... when any
(
	if (<+... \(desc->pgoff\|desc->end\|vma_desc_size(desc)\|vma_desc_pages(desc)\) ...+>) S1 else S2
|
	if (<+... \(desc->pgoff\|desc->end\|vma_desc_size(desc)\|vma_desc_pages(desc)\) ...+>) S1
)
	... when any
}

@checked_dv_vma exists@
identifier f, a, v;
identifier h =~ "off\|size\|len";
type T;
statement S1, S2;
@@
f(..., struct vm_area_struct *a, ...)
{
	... when any
	T v = <+... \(a->vm_pgoff\|a->vm_end\|vma_pages(a)\|vma_start_pgoff(a)\|vma_end_pgoff(a)\|vma_last_pgoff(a)\|h(a)\) ...+>;
	... when any
(
	if (<+... v ...+>) S1 else S2
|
	if (<+... v ...+>) S1
)
	... when any
}

@checked_av_vma exists@
identifier f, a, v;
identifier h =~ "off\|size\|len";
statement S1, S2;
@@
f(..., struct vm_area_struct *a, ...)
{
	... when any
	v = <+... \(a->vm_pgoff\|a->vm_end\|vma_pages(a)\|vma_start_pgoff(a)\|vma_end_pgoff(a)\|vma_last_pgoff(a)\|h(a)\) ...+>;
	... when any
(
	if (<+... v ...+>) S1 else S2
|
	if (<+... v ...+>) S1
)
	... when any
}

@checked_dv_desc exists@
identifier f, a, v;
type T;
statement S1, S2;
@@
f(..., struct vm_area_desc *a, ...)
{
	... when any
	T v = <+... \(a->pgoff\|a->end\|vma_desc_size(a)\|vma_desc_pages(a)\) ...+>;
	... when any
(
	if (<+... v ...+>) S1 else S2
|
	if (<+... v ...+>) S1
)
	... when any
}

@checked_av_desc exists@
identifier f, a, v;
statement S1, S2;
@@
f(..., struct vm_area_desc *a, ...)
{
	... when any
	v = <+... \(a->pgoff\|a->end\|vma_desc_size(a)\|vma_desc_pages(a)\) ...+>;
	... when any
(
	if (<+... v ...+>) S1 else S2
|
	if (<+... v ...+>) S1
)
	... when any
}

@r depends on !checked_vma && !checked_desc && !checked_dv_vma && !checked_av_vma && !checked_dv_desc && !checked_av_desc@
struct vm_area_struct *vma;
struct vm_area_desc *desc;
expression E1, E2, E3, E4, E5;
position p;
@@
(
\(remap_pfn_range@p\|io_remap_pfn_range@p\)(E1, E2, <+... \(vma->vm_pgoff\|vma->vm_end\|vma_pages(vma)\|vma_start_pgoff(vma)\|vma_end_pgoff(vma)\|vma_last_pgoff(vma)\) ...+>, E4, E5)
|
\(remap_pfn_range@p\|io_remap_pfn_range@p\)(E1, E2, E3, <+... \(vma->vm_pgoff\|vma->vm_end\|vma_pages(vma)\|vma_start_pgoff(vma)\|vma_end_pgoff(vma)\|vma_last_pgoff(vma)\) ...+>, E5)
|
\(mmap_action_remap_full@p\|mmap_action_ioremap_full@p\)(...)
|
\(mmap_action_remap@p\|mmap_action_ioremap@p\)(E1, E2, <+... \(desc->pgoff\|desc->end\|vma_desc_size(desc)\|vma_desc_pages(desc)\) ...+>, E4)
|
\(mmap_action_remap@p\|mmap_action_ioremap@p\)(E1, E2, E3, <+... \(desc->pgoff\|desc->end\|vma_desc_size(desc)\|vma_desc_pages(desc)\) ...+>)
)

@rv depends on !checked_vma && !checked_desc && !checked_dv_vma && !checked_av_vma && !checked_dv_desc && !checked_av_desc@
identifier derived.v;
expression E1, E2, E3, E4, E5;
position p;
@@
(
\(remap_pfn_range@p\|io_remap_pfn_range@p\)(E1, E2, <+... v ...+>, E4, E5)
|
\(remap_pfn_range@p\|io_remap_pfn_range@p\)(E1, E2, E3, <+... v ...+>, E5)
|
\(mmap_action_remap@p\|mmap_action_ioremap@p\)(E1, E2, <+... v ...+>, E4)
|
\(mmap_action_remap@p\|mmap_action_ioremap@p\)(E1, E2, E3, <+... v ...+>)
)

@depends on context && (r || rv)@
position p = {r.p, rv.p};
identifier f;
expression list es;
@@
* f@p(es)

@script:python depends on report && r@
p << r.p;
@@
coccilib.report.print_report(p[0], "mmap_offset_unchecked: remap from the mapping's offset or size, neither ever tested (guide section 1)")

@script:python depends on report && rv@
p << rv.p;
@@
coccilib.report.print_report(p[0], "mmap_offset_unchecked: remap from the mapping's offset or size, neither ever tested (guide section 1)")


@script:python depends on org && r@
p << r.p;
@@
coccilib.org.print_todo(p[0], "mmap_offset_unchecked")

@script:python depends on org && rv@
p << rv.p;
@@
coccilib.org.print_todo(p[0], "mmap_offset_unchecked")
