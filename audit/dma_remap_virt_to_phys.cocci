// SPDX-License-Identifier: GPL-2.0
/// remap_pfn_range(), io_remap_pfn_range(), vm_iomap_memory() or an
/// mmap_action remap of virt_to_phys(), __pa(), virt_to_pfn() or
/// virt_to_page() of a kernel address, in a driver that allocates DMA
/// memory (calls a function whose name has "dma_alloc": the DMA API's
/// own, dma_alloc_coherent(), dma_alloc_wc(), ..., or a driver's wrapper
/// of them).  A heuristic: the address remapped is not traced to the
/// allocation.
///
/// Why it is a bug (mmapdemo docs/guide.md section 16, "Let the DMA layer
/// map what it allocated"): behind an IOMMU the CPU address of a coherent
/// buffer is a vmalloc() address over scattered pages, and virt_to_phys()
/// of it is no physical address at all; with a device or restricted DMA
/// pool it is not in the linear map; on a non-coherent architecture the
/// PTEs must be uncached.  dma_mmap_coherent() (dma_mmap_attrs()) knows
/// which, and checks the offset and length too.
///
// Confidence: Moderate
// Comments: a heuristic: the remapped address is not traced to the DMA
//  allocation, only found in a driver that makes one (mmapdemo
//  docs/audit.md)
// Guide: section 16
// Options: --no-includes --include-headers

virtual report
virtual org
virtual context

@dmaalloc@
identifier fn =~ "dma_alloc";
@@
fn(...)

@r depends on dmaalloc@
identifier conv =~ "^\(virt_to_phys\|__pa\|virt_to_pfn\|virt_to_page\)$";
identifier remap =~ "^\(remap_pfn_range\|io_remap_pfn_range\|vm_iomap_memory\|mmap_action_remap\|mmap_action_remap_full\|mmap_action_ioremap\|mmap_action_ioremap_full\|mmap_action_simple_ioremap\)$";
position p;
@@
remap@p(..., <+... conv(...) ...+>, ...)

@depends on context@
position r.p;
identifier f;
expression list es;
@@
* f@p(es)

@script:python depends on report@
p << r.p;
@@
coccilib.report.print_report(p[0], "dma_remap_virt_to_phys: a CPU address remapped through virt_to_phys() in a driver that allocates DMA memory: a dma_alloc_coherent() buffer behind an IOMMU or a DMA pool is not there; dma_mmap_coherent() (guide section 16)")

@script:python depends on org@
p << r.p;
@@
coccilib.org.print_todo(p[0], "dma_remap_virt_to_phys")
