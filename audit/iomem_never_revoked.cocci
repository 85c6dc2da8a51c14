// SPDX-License-Identifier: GPL-2.0
/// Device memory mapped into userspace at mmap() time (io_remap_pfn_range(),
/// vm_iomap_memory(), or remap_pfn_range() of a PCI BAR) by a driver that
/// can disable or reset the device (pci_disable_device(), a PCI reset, a
/// pci_driver .remove) and never takes a mapping back: no
/// unmap_mapping_range(), unmap_mapping_pages(), or zap of a VMA
/// (zap_vma_ptes() on 6.1, zap_special_vma_range() on 7.3) in the
/// whole driver.
///
/// Why it is a bug (mmapdemo docs/guide.md section 15, "memory that can go
/// away is revocable"): the page table entries outlive the device's state
/// they point at.  After a reset or disable, userspace still reaches the
/// BAR (with memory decoding off: on some platforms a machine check, the
/// vfio-pci bug CVE-2020-12888); after a removal, the physical range may
/// be handed to another device.  The fix is the BAR node's: map by fault,
/// and zap every mapping (one address_space the driver owns) before the
/// memory goes.
///
/// A heuristic: whether the device can go away while mapped, and whether
/// that matters, is not in the source; a driver that revokes through a
/// helper of its subsystem is reported.  Confidence Low.
///
// Confidence: Low
// Comments: recall on real fixed bugs in mmapdemo's audit/corpus (make
//  audit-eval); precision on 7.3's drivers/ in docs/audit.md
// Guide: section 15
// Options: --no-includes --include-headers

virtual report
virtual org
virtual context

@revokes@
@@
\(unmap_mapping_range\|unmap_mapping_pages\|unmap_mapping_folio\|zap_vma_ptes\|zap_special_vma_range\|zap_vma_range\|zap_vma\|zap_page_range_single\)(...)

@disables@
@@
\(pci_disable_device\|pcim_disable_device\|pci_reset_function\|pci_reset_function_locked\|__pci_reset_function_locked\|pci_try_reset_function\|pci_reset_bus\)(...)

@removes@
identifier drv, fn;
@@
struct pci_driver drv = {
	.remove = fn,
};

@r depends on (disables || removes) && !revokes@
expression list es;
expression E1, E2, E4, E5;
position p;
@@
(
\(io_remap_pfn_range@p\|vm_iomap_memory@p\)(es)
|
remap_pfn_range@p(E1, E2, <+... pci_resource_start(...) ...+>, E4, E5)
|
\(mmap_action_ioremap@p\|mmap_action_ioremap_full@p\|mmap_action_simple_ioremap@p\)(es)
)

/* The BAR's PFN through a variable or the VMA's vm_pgoff (vfio-pci). */
@rv depends on (disables || removes) && !revokes exists@
expression X, E1, E2, E4, E5;
position p;
@@
X = <+... pci_resource_start(...) ...+>;
... when any
remap_pfn_range@p(E1, E2, <+... X ...+>, E4, E5)

@depends on context && (r || rv)@
position p = {r.p, rv.p};
identifier g;
expression list es;
@@
* g@p(es)

@script:python depends on report && r@
p << r.p;
@@
coccilib.report.print_report(p[0], "iomem_never_revoked: device memory mapped eagerly by a driver that disables or resets the device and never zaps a mapping (guide section 15)")

@script:python depends on report && rv@
p << rv.p;
@@
coccilib.report.print_report(p[0], "iomem_never_revoked: device memory mapped eagerly by a driver that disables or resets the device and never zaps a mapping (guide section 15)")

@script:python depends on org && r@
p << r.p;
@@
coccilib.org.print_todo(p[0], "iomem_never_revoked")

@script:python depends on org && rv@
p << rv.p;
@@
coccilib.org.print_todo(p[0], "iomem_never_revoked")
