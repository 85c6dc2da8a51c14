// SPDX-License-Identifier: GPL-2.0
/// f_op->release frees a buffer, named by a structure field, that the
/// driver's mmap path maps: the same field appears in a remap, an
/// insert, an mmap_action or the page a fault returns.
///
/// Why it is a bug (mmapdemo docs/guide.md section 10, "Lifetime", and
/// section 14 "the memory lives as long as the last VMA, not the last
/// fd"): each VMA holds a reference on its struct file, so release() of
/// one file runs after that file's last munmap(); but a buffer of the
/// device, shared by every open, is then freed under the live page table
/// entries of another file's mapping (open twice, map one, close the
/// other): a use-after-free from userspace.  Freeing a buffer that only
/// this open file's VMAs map is safe, and is what a finding must be told
/// apart from: the owner is per-open when it comes from
/// file->private_data allocated in open().
///
/// The field match is by name only (E->buf freed, E2->buf mapped): a
/// driver whose release frees a per-open copy that no VMA shares is
/// reported too.  Read the findings.
///
// Confidence: Low
// Guide: section 10
// Options: --no-includes --include-headers

virtual report
virtual org
virtual context

@fo@
identifier fops, rel;
@@
struct file_operations fops = {
	.release = rel,
};

@freed exists@
identifier fo.rel, fld;
expression E;
position p;
@@
rel(...)
{
	... when any
	\(kfree@p\|kvfree@p\|vfree@p\|free_pages_exact@p\|free_pages@p\|__free_pages@p\|free_page@p\|dma_free_coherent@p\|dma_free_attrs@p\|dma_free_wc@p\|dma_free_noncoherent@p\|gen_pool_free@p\)(..., E->fld, ...);
	... when any
}

@maps@
identifier freed.fld;
expression E1, E2;
struct vm_fault *vmf;
@@
(
\(remap_pfn_range\|io_remap_pfn_range\|remap_vmalloc_range\|remap_vmalloc_range_partial\|vm_insert_page\|vm_insert_pages\|vm_map_pages\|vm_map_pages_zero\|vmf_insert_pfn\|vmf_insert_pfn_prot\|vmf_insert_mixed\|vm_iomap_memory\|dma_mmap_coherent\|dma_mmap_attrs\|dma_mmap_wc\|dma_mmap_pages\|mmap_action_remap\|mmap_action_remap_full\|mmap_action_ioremap\|mmap_action_ioremap_full\|mmap_action_simple_ioremap\|mmap_action_map_kernel_pages\|mmap_action_map_kernel_pages_full\)(...,<+... E1->fld ...+>,...)
|
vmf->page = <+... E2->fld ...+>
)

@depends on context && maps@
position freed.p;
identifier f;
expression list es;
@@
* f@p(es)

@script:python depends on report && maps@
p << freed.p;
fld << freed.fld;
@@
coccilib.report.print_report(p[0], "release_frees_mapped_buffer: release() frees ->%s, which the mmap path maps (guide section 10)" % fld)

@script:python depends on org && maps@
p << freed.p;
@@
coccilib.org.print_todo(p[0], "release_frees_mapped_buffer")
