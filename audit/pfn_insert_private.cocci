// SPDX-License-Identifier: GPL-2.0
/// vmf_insert_pfn(), vmf_insert_pfn_prot(), vmf_insert_pfn_pmd() or
/// vmf_insert_pfn_pud() in a driver whose VMAs are VM_PFNMAP
/// (VMA_PFNMAP_BIT) and that never looks at whether the mapping is shared
/// (VM_SHARED, VM_MAYSHARE, their VMA_*_BIT, is_cow_mapping() and its
/// vma_, vma_desc_ and vma_flags_ forms, MAP_SHARED), so a MAP_PRIVATE mapping is not refused.
///
/// Why it is a bug (mmapdemo docs/guide.md section 11, "MAP_PRIVATE and
/// copy-on-write"): a private writable mapping is a COW mapping, and the
/// core cannot copy-on-write raw PFNs: vmf_insert_pfn_prot() has
/// BUG_ON((vma->vm_flags & VM_PFNMAP) && vma_is_cow_mapping(vma)) (7.3,
/// mm/memory.c; the PMD and PUD variants too, mm/huge_memory.c).  Every
/// MAP_PRIVATE mapping is a COW mapping (do_mmap() leaves VM_MAYWRITE set
/// for it, whatever the file's mode), so an mmap(MAP_PRIVATE) by any user
/// who can open the node crashes the kernel on the first touch.
///
/// The flag and the test are looked for in every file spatch sees with
/// the call (make audit: the driver's directory).
///
// Confidence: Moderate
// Guide: section 11
// Options: --no-includes --include-headers

virtual report
virtual org
virtual context

@pfnmap@
@@
(
VM_PFNMAP
|
VMA_PFNMAP_BIT
)

@shared@
expression list es;
@@
(
VM_SHARED
|
VM_MAYSHARE
|
VMA_SHARED_BIT
|
VMA_MAYSHARE_BIT
|
MAP_SHARED
|
is_cow_mapping(es)
|
vma_is_cow_mapping(es)
|
vma_desc_is_cow_mapping(es)
|
vma_flags_is_cow_mapping(es)
)

@r depends on pfnmap && !shared@
expression list es;
position p;
@@
\(vmf_insert_pfn@p\|vmf_insert_pfn_prot@p\|vmf_insert_pfn_pmd@p\|vmf_insert_pfn_pud@p\)(es)

@depends on context && r@
position r.p;
expression list es;
identifier f;
@@
* f@p(es)

@script:python depends on report && r@
p << r.p;
@@
coccilib.report.print_report(p[0], "pfn_insert_private: PFNs inserted into a VM_PFNMAP VMA, MAP_PRIVATE never refused: BUG_ON on a COW mapping (guide section 11)")

@script:python depends on org && r@
p << r.p;
@@
coccilib.org.print_todo(p[0], "pfn_insert_private")
