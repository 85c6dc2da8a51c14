/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels mmapdemo supports (6.1, 6.12 and 7.3 tested),
 * all here so that the .c files read as code for the newest kernel.
 *
 * Each MMAPDEMO_NO_<api> (a newer API missing), MMAPDEMO_<form> (an older
 * form present) and MMAPDEMO_CLASSIC_MMAP comes from a feature probe in
 * Kbuild (compile a use of the API against the target kernel's headers),
 * not from LINUX_VERSION_CODE: distribution kernels backport APIs, so
 * version numbers lie.  MMAPDEMO_HAVE_PMD_PFNMAP, at the end, comes from a
 * Kconfig symbol instead.  Built in-tree, Kbuild runs no probe (they are
 * inside its KBUILD_EXTMOD block), so this header supplies nothing there
 * but the current API.
 */
#ifndef MMAPDEMO_COMPAT_H
#define MMAPDEMO_COMPAT_H

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>

/*
 * 6.3 made vma->vm_flags const and added vm_flags_set()/vm_flags_clear(),
 * which also take the per-VMA lock for writing (vma_start_write()).  Writing
 * vm_flags directly no longer compiles there; on older kernels these are
 * plain updates (we are called with mmap_lock held for writing, so that is
 * safe).
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
 * 7.3 maps a file through f_op->mmap_prepare(): the driver describes the
 * mapping in a struct vm_area_desc before the VMA exists, asks for at most
 * one action (a PFN remap), and takes its references in vm_ops->mapped.
 * 6.1 and 6.12 have only f_op->mmap.  For them this is the subset of the
 * 7.3 API the driver uses, over a plain vm_flags_t, and classic.c runs
 * the same prepare and mapped behind an f_op->mmap (Kbuild builds it only
 * for those kernels).  The struct gets a name of our own (earlier 6.x
 * kernels had a vm_area_desc of another shape); the helpers keep 7.3's
 * names, so that the driver reads as 7.3 code.  The probe asks for the
 * whole API, so a kernel with part of it builds this and fails loudly.
 */
#ifdef MMAPDEMO_CLASSIC_MMAP
#include <linux/log2.h>

#define VMA_WRITE_BIT		ilog2(VM_WRITE)
#define VMA_EXEC_BIT		ilog2(VM_EXEC)
#define VMA_MAYSHARE_BIT	ilog2(VM_MAYSHARE)
#define VMA_MAYWRITE_BIT	ilog2(VM_MAYWRITE)
#define VMA_MAYEXEC_BIT		ilog2(VM_MAYEXEC)
#define VMA_IO_BIT		ilog2(VM_IO)
#define VMA_PFNMAP_BIT		ilog2(VM_PFNMAP)
#define VMA_MIXEDMAP_BIT	ilog2(VM_MIXEDMAP)
#define VMA_DONTEXPAND_BIT	ilog2(VM_DONTEXPAND)
#define VMA_DONTDUMP_BIT	ilog2(VM_DONTDUMP)

enum mmapdemo_action_type {
	MMAP_NOTHING,
	MMAP_REMAP_PFN,
	MMAP_SIMPLE_IO_REMAP,
};

struct mmapdemo_vm_area_desc {
	struct mm_struct *mm;
	struct file *file;
	unsigned long start;
	unsigned long end;
	pgoff_t pgoff;
	vm_flags_t vm_flags;
	pgprot_t page_prot;
	const struct vm_operations_struct *vm_ops;
	void *private_data;
	struct {
		enum mmapdemo_action_type type;
		unsigned long start_pfn;
		struct {
			phys_addr_t start_phys_addr;
			unsigned long size;
		} simple_ioremap;
	} action;
};

#define vm_area_desc mmapdemo_vm_area_desc

static inline vm_flags_t mmapdemo_vm_flags(const int *bits, size_t n)
{
	vm_flags_t flags = 0;

	while (n--)
		flags |= BIT(bits[n]);
	return flags;
}

/* vma_desc_set_flags(desc, VMA_IO_BIT, VMA_PFNMAP_BIT): as in 7.3 */
#define mmapdemo_mk_vm_flags(...)					\
	mmapdemo_vm_flags((const int[]){ __VA_ARGS__ },			\
			  sizeof((const int[]){ __VA_ARGS__ }) / sizeof(int))
#define vma_desc_test_any(desc, ...)					\
	(((desc)->vm_flags & mmapdemo_mk_vm_flags(__VA_ARGS__)) != 0)
#define vma_desc_set_flags(desc, ...)					\
	((desc)->vm_flags |= mmapdemo_mk_vm_flags(__VA_ARGS__))
#define vma_desc_clear_flags(desc, ...)					\
	((desc)->vm_flags &= ~mmapdemo_mk_vm_flags(__VA_ARGS__))

static inline unsigned long
vma_desc_pages(const struct mmapdemo_vm_area_desc *desc)
{
	return (desc->end - desc->start) >> PAGE_SHIFT;
}

static inline void mmap_action_remap_full(struct mmapdemo_vm_area_desc *desc,
					  unsigned long start_pfn)
{
	desc->action.type = MMAP_REMAP_PFN;
	desc->action.start_pfn = start_pfn;
}

static inline void
mmap_action_simple_ioremap(struct mmapdemo_vm_area_desc *desc,
			   phys_addr_t start_phys_addr, unsigned long size)
{
	desc->action.type = MMAP_SIMPLE_IO_REMAP;
	desc->action.simple_ioremap.start_phys_addr = start_phys_addr;
	desc->action.simple_ioremap.size = size;
}

int mmapdemo_classic_mmap(struct file *file, struct vm_area_struct *vma);
int mmapdemo_classic_fault_mmap(struct file *file, struct vm_area_struct *vma);
int mmapdemo_classic_batched_mmap(struct file *file,
				  struct vm_area_struct *vma);
int mmapdemo_classic_huge_mmap(struct file *file, struct vm_area_struct *vma);
int mmapdemo_classic_bar_mmap(struct file *file, struct vm_area_struct *vma);
int mmapdemo_classic_regs_mmap(struct file *file, struct vm_area_struct *vma);
#elif !IS_ENABLED(CONFIG_CONTIG_ALLOC)
/* 7.3's remap is one action over one PFN range: a buffer in one piece. */
#error "mmapdemo needs CONFIG_CONTIG_ALLOC (alloc_contig_pages())"
#endif

/*
 * The default placement of a mapping: 6.10 replaced the mm->get_unmapped_area
 * method by mm_get_unmapped_area(mm, ...), and by 7.3 that lost its mm
 * argument.
 */
#if defined(MMAPDEMO_MM_GET_UNMAPPED_AREA_MM)
static inline unsigned long
mmapdemo_mm_get_unmapped_area(struct file *file, unsigned long addr,
			      unsigned long len, unsigned long pgoff,
			      unsigned long flags)
{
	return mm_get_unmapped_area(current->mm, file, addr, len, pgoff, flags);
}

#define mm_get_unmapped_area mmapdemo_mm_get_unmapped_area
#elif defined(MMAPDEMO_NO_MM_GET_UNMAPPED_AREA)
static inline unsigned long
mmapdemo_mm_get_unmapped_area(struct file *file, unsigned long addr,
			      unsigned long len, unsigned long pgoff,
			      unsigned long flags)
{
	return current->mm->get_unmapped_area(file, addr, len, pgoff, flags);
}

#define mm_get_unmapped_area mmapdemo_mm_get_unmapped_area
#endif

/*
 * By 7.3 vmf_insert_pfn_pmd() takes a plain PFN; before, a pfn_t from
 * <linux/pfn_t.h>, which is gone there.
 */
#ifdef MMAPDEMO_PFN_T
#include <linux/pfn_t.h>

static inline vm_fault_t mmapdemo_vmf_insert_pfn_pmd(struct vm_fault *vmf,
						     unsigned long pfn,
						     bool write)
{
	return vmf_insert_pfn_pmd(vmf, pfn_to_pfn_t(pfn), write);
}

#define vmf_insert_pfn_pmd mmapdemo_vmf_insert_pfn_pmd
#endif

/*
 * 6.5 added copy_splice_read() for files that are not in the page cache;
 * before, generic_file_splice_read() did the same through ->read_iter.
 */
#ifdef MMAPDEMO_NO_COPY_SPLICE_READ
#define copy_splice_read generic_file_splice_read
#endif

/*
 * 6.6 gave vm_operations.huge_fault the page order of the entry to fill
 * instead of an enum page_entry_size.
 */
#ifdef MMAPDEMO_HUGE_FAULT_PE_SIZE
#define MMAPDEMO_HUGE_FAULT_ARG enum page_entry_size
static inline unsigned int mmapdemo_huge_fault_order(enum page_entry_size pe)
{
	return pe == PE_SIZE_PMD ? PMD_SHIFT - PAGE_SHIFT :
	       pe == PE_SIZE_PUD ? PUD_SHIFT - PAGE_SHIFT : 0;
}
#else
#define MMAPDEMO_HUGE_FAULT_ARG unsigned int
static inline unsigned int mmapdemo_huge_fault_order(unsigned int order)
{
	return order;
}
#endif

/*
 * 7.3 and 6.12 (Debian's 6.12.117 has it from a stable update) allocate
 * one object by its type: kzalloc_obj(*p, gfp) is kzalloc(sizeof(*p), gfp)
 * that cannot get the size wrong.  6.1 gets this fallback.
 */
#ifdef MMAPDEMO_NO_KZALLOC_OBJ
#include <linux/slab.h>
#define kzalloc_obj(P, GFP)	kzalloc(sizeof(P), GFP)
#endif

/*
 * A PFN map by PMD needs the architecture's "special" PMD bit, which tells
 * the core there is no page to take references on behind the entry
 * (CONFIG_ARCH_SUPPORTS_PMD_PFNMAP, 6.12 on x86-64).  vfio-pci inserts PFN
 * PMDs only then, and so do we.  A Kconfig symbol, not a version check.
 */
#define MMAPDEMO_HAVE_PMD_PFNMAP	IS_ENABLED(CONFIG_ARCH_SUPPORTS_PMD_PFNMAP)

#endif /* MMAPDEMO_COMPAT_H */
