// SPDX-License-Identifier: GPL-2.0
/*
 * The lifetime of a mapping, shared by every strategy.
 *
 * 7.3's mmap() runs f_op->mmap_prepare (file.c) before the VMA exists,
 * then the prepare's action (remap: the page tables), then
 * vm_operations.mapped, only for a VMA it created and only if the action
 * succeeded (mmap_action_complete() -> mmap_action_finish(), mm/util.c).
 * ->mapped is where a mapping starts to count; it is given the range and
 * the file, not the VMA.  If the action or ->mapped fails, the core unmaps
 * the new VMA (mmap_action_finish(); not when a stacking driver calls us
 * through compat_vma_mmap(), which leaves that to its caller) and so calls
 * .close for a VMA that ->mapped never accepted: .close must tell the two
 * apart (map->mapped).  On 6.x classic.c calls the same ->mapped from its
 * f_op->mmap.
 *
 * The core calls .open when it creates a VMA as a copy of ours: fork()
 * (dup_mmap), a split by a partial munmap() or mprotect() (__split_vma),
 * and mremap() moving it (copy_vma).  mlock() does not split it:
 * mlock_fixup() leaves VM_SPECIAL VMAs (VM_PFNMAP, VM_MIXEDMAP,
 * VM_DONTEXPAND, all of ours) alone.  It calls .close for every VMA that
 * goes away.  Counted that way, live_maps is exactly the number of VMAs
 * mapping the device, whatever was split or forked.
 *
 * Every VMA also holds a reference on its map (vm_private_data), and the
 * map one on the buffer.  A split or fork copies the pointer, hence the
 * extra reference in .open.  It is the VMA, not the file, that keeps the
 * buffer alive: a mapping outlives close(fd) (the VMA holds its own
 * reference on the struct file, and so on the module through
 * fops->owner: delete_module() fails with EAGAIN, which is EWOULDBLOCK,
 * until the last munmap()).  Freeing the buffer in f_op->release, as many
 * demo drivers do, would leave such a mapping pointing at freed pages.
 *
 * .open runs with the process's mmap_lock held for writing (fork, split,
 * mremap), ->mapped too (inside mmap()).  .close runs with mmap_lock held,
 * for reading where the unmap is told it may drop the lock, which it
 * downgrades before remove_vma() (vms_complete_munmap_vmas() on 6.12 and
 * 7.3, do_mas_align_munmap() on 6.1 unless next to a VM_GROWSDOWN or
 * VM_GROWSUP VMA): munmap(2) (__vm_munmap()), and an mremap() that shrinks
 * in place (the mremap(2) syscall: do_mas_munmap(..., true) on 6.1,
 * do_vmi_munmap(..., true) on 6.12; 7.3: mremap_at() ->
 * shrink_vma(vrm, true) -> do_vmi_munmap(..., true)).  For writing
 * otherwise: at exit (exit_mmap()); when mremap() moves the VMA (its old
 * range goes through do_munmap() in 6.1's move_vma(),
 * do_vmi_munmap(..., false) in 6.12's move_vma() and 7.3's
 * unmap_source_vma()) or shrinks it to move it (MREMAP_FIXED: do_munmap()
 * on 6.1 and 6.12, shrink_vma(vrm, false) on 7.3); when mmap() fails
 * after the VMA exists (7.3: mmap_action_finish() -> do_munmap()); and
 * when MAP_FIXED replaces it (6.1's __mmap_region(), the unlock = false of
 * init_vma_munmap() on 6.12 and 7.3).  So .close may rely on mmap_lock
 * being held, not on how.  The mmapdemo_close event says how, on a kernel
 * with lockdep (mmapdemo_trace asserts munmap's and exit's).  All may
 * sleep.
 */
#include <linux/lockdep.h>
#include <linux/mmap_lock.h>
#include <linux/slab.h>

#include "mmapdemo.h"
#include "trace.h"

/*
 * The buffer page mapped at vma->vm_start: vm_pgoff within its region on
 * /dev/mmapdemo, vm_pgoff itself on the other nodes (whose mmap() refuses
 * anything past region 0).
 */
pgoff_t mmapdemo_vma_first(const struct vm_area_struct *vma)
{
	return vma->vm_pgoff & (MMAPDEMO_REGION_PAGES - 1);
}

static void mmapdemo_map_release(struct kref *ref)
{
	struct mmapdemo_map *map = container_of(ref, struct mmapdemo_map, ref);

	mmapdemo_buf_put(map->buf);
	kfree(map);
}

/* May free the buffer, which sleeps: process context only. */
void mmapdemo_map_put(struct mmapdemo_map *map)
{
	kref_put(&map->ref, mmapdemo_map_release);
}

/*
 * vm_operations.mapped: the VMA exists at [@start, @end) and the action
 * has run.  @file is the VMA's file, which a stacking caller may have
 * changed (vm_area_desc says so): the device comes from the map.  The
 * map's reference, held by the file's pending list since prepare, becomes
 * the VMA's, and the mapping counts as live from the same locked section
 * on, so that RESIZE sees it all along.
 *
 * The buffer needs no re-check against the current one: RESIZE refuses
 * while a map is pending (EBUSY), so the buffer prepare checked the
 * request against is still the current one.  Never fails, so a failure
 * here never has to be undone.
 */
int mmapdemo_vma_mapped(unsigned long start, unsigned long end, pgoff_t pgoff,
			const struct file *file, void **vm_private_data)
{
	struct mmapdemo_map *map = *vm_private_data;
	struct mmapdemo_dev *dev = map->dev;
	unsigned int s = map->strategy;

	mutex_lock(&dev->lock);
	list_del_init(&map->pending);
	dev->pending_maps--;
	atomic64_inc(&dev->strategy[s].live_maps);
	mutex_unlock(&dev->lock);
	map->mapped = true;

	atomic64_inc(&dev->strategy[s].mmaps);
	if (mmapdemo_strategies[s]->eager)
		atomic64_add((end - start) >> PAGE_SHIFT,
			     &dev->strategy[s].pages_mapped);
	return 0;
}

/* A copy of one of our VMAs (fork, split, mremap): one more reference. */
void mmapdemo_vma_open(struct vm_area_struct *vma)
{
	struct mmapdemo_map *map = mmapdemo_vma_map(vma);

	kref_get(&map->ref);
	if (map->mapped)
		atomic64_inc(&map->dev->strategy[map->strategy].live_maps);
}

void mmapdemo_vma_close(struct vm_area_struct *vma)
{
	struct mmapdemo_map *map = mmapdemo_vma_map(vma);
	struct mmapdemo_dev *dev = map->dev;

	mmap_assert_locked(vma->vm_mm);
	trace_mmapdemo_close(vma, map->mapped);
	if (map->mapped) {
		atomic64_dec(&dev->strategy[map->strategy].live_maps);
		mmapdemo_map_put(map);
		return;
	}
	/*
	 * The action or ->mapped failed and the core is unmapping a VMA it
	 * never handed over: take the map back from the file's pending
	 * list (the first such close does), count nothing.  Only if that
	 * unmap itself failed (do_munmap()'s result is not checked by
	 * mmap_action_finish()) can the VMA live on, be copied and be
	 * closed more than once.
	 */
	mutex_lock(&dev->lock);
	if (!list_empty(&map->pending)) {
		list_del_init(&map->pending);
		dev->pending_maps--;
	}
	mutex_unlock(&dev->lock);
	mmapdemo_map_put(map);
}

/*
 * vm_operations.access of the PFN-mapped strategies (remap, huge).  A
 * debugger reads another process's memory through access_remote_vm()
 * (/proc/PID/mem, PTRACE_PEEKDATA and POKEDATA, gdb), which pins the page
 * with get_user_pages() first; a VM_PFNMAP VMA has no struct page behind
 * its entries for GUP to pin, so __access_remote_vm() falls back to this
 * hook, and without it the read fails with EIO.  That fallback exists
 * only on architectures with CONFIG_HAVE_IOREMAP_PROT (x86-64 and arm64
 * among them; 6.1 to 7.3), the same condition as for
 * generic_access_phys(), the hook of drivers that map MMIO: elsewhere the
 * read fails with EIO whatever the driver does.  We copy through the
 * kernel's own mapping of the buffer.  Writes need a writable mapping, as
 * GUP asks of a forced write into a shared one (check_vma_flags()).  The
 * caller holds mmap_lock, so the VMA and its buffer reference are stable.
 * process_vm_readv() never falls back: it fails with EFAULT on these VMAs.
 */
int mmapdemo_vma_access(struct vm_area_struct *vma, unsigned long addr,
			void *data, int len, int write)
{
	struct mmapdemo_buf *buf = mmapdemo_vma_buf(vma);
	size_t off = (mmapdemo_vma_first(vma) << PAGE_SHIFT) +
		     (addr - vma->vm_start);
	size_t n;

	if (write && !(vma->vm_flags & VM_WRITE))
		return -EFAULT;
	if (len <= 0 || off >= buf->size)
		return -EFAULT;
	n = min3((size_t)len, buf->size - off, (size_t)(vma->vm_end - addr));
	if (write) {
		memcpy(buf->vaddr + off, data, n);
		mmapdemo_buf_end_write(buf, off, n);
	} else {
		mmapdemo_buf_begin_read(buf, off, n);
		memcpy(data, buf->vaddr + off, n);
	}
	return n;
}

/*
 * The start of every ->fault handler: the buffer page @vmf asks for, in
 * @idx, or false when that lies past the end of the buffer (counted in
 * "sigbus").  The handler must then return VM_FAULT_SIGBUS, as for a file
 * mapping past EOF: VM_FAULT_NOPAGE without installing a page would make
 * the CPU retry the access forever (a livelock), 0 without a page would
 * oops (__do_fault() goes on with vmf->page, NULL), and some other page
 * would expose memory that is not ours.
 *
 * ->fault runs with mmap_lock held for reading (fault.c says why);
 * lockdep checks it here on the debug kernel.
 */
bool mmapdemo_fault_idx(const struct vm_fault *vmf, pgoff_t *idx)
{
	const struct mmapdemo_buf *buf = mmapdemo_vma_buf(vmf->vma);

	lockdep_assert_held(&vmf->vma->vm_mm->mmap_lock);
	*idx = vmf->pgoff & (MMAPDEMO_REGION_PAGES - 1);
	if (*idx < buf->nr_pages)
		return true;
	atomic64_inc(&mmapdemo_vma_dev(vmf->vma)->sigbus);
	trace_mmapdemo_sigbus(vmf->vma, *idx, vmf->address);
	return false;
}

/* @pages mapped by a fault. */
void mmapdemo_count_mapped(const struct vm_area_struct *vma,
			   unsigned long pages)
{
	unsigned int s = mmapdemo_vma_strategy(vma);

	atomic64_add(pages, &mmapdemo_vma_dev(vma)->strategy[s].pages_mapped);
}

/*
 * The end of every fault handler that tried to insert: trace the call,
 * count it as a fault if @pages is not 0, and pass its return value
 * through.  @pages is what the handler supplied, which is not always what
 * this call mapped: fault.c hands its page to the core, which maps
 * nothing if another thread mapped the same page first, and
 * vmf_insert_pfn() and vmf_insert_pfn_pmd() return VM_FAULT_NOPAGE for an
 * entry that is already there too; such a fault counts, as the uapi
 * header says.  A batched fault that found its whole run mapped supplies
 * nothing and is no fault.  @order is 0 for PTEs, the PMD order for a PMD.
 */
vm_fault_t mmapdemo_fault_done(const struct vm_area_struct *vma, pgoff_t idx,
			       unsigned long pages, unsigned int order,
			       vm_fault_t ret)
{
	unsigned int s = mmapdemo_vma_strategy(vma);

	trace_mmapdemo_fault(vma, idx, pages, order, ret);
	if (pages) {
		atomic64_inc(&mmapdemo_vma_dev(vma)->strategy[s].faults);
		mmapdemo_count_mapped(vma, pages);
	}
	return ret;
}

u64 mmapdemo_live_maps(struct mmapdemo_dev *dev)
{
	u64 n = 0;
	int s;

	for (s = 0; s < MMAPDEMO_STRATEGY_SLOTS; s++)
		n += atomic64_read(&dev->strategy[s].live_maps);
	return n;
}

void mmapdemo_read_stats(struct mmapdemo_dev *dev, struct mmapdemo_stats *st)
{
	int s;

	memset(st, 0, sizeof(*st));
	st->opens = atomic64_read(&dev->opens);
	st->open_files = atomic64_read(&dev->open_files);
	st->sigbus = atomic64_read(&dev->sigbus);
	st->resizes = atomic64_read(&dev->resizes);
	for (s = 0; s < MMAPDEMO_STRATEGY_SLOTS; s++) {
		struct mmapdemo_strategy_stats *o = &st->strategy[s];

		o->mmaps = atomic64_read(&dev->strategy[s].mmaps);
		o->live_maps = atomic64_read(&dev->strategy[s].live_maps);
		o->faults = atomic64_read(&dev->strategy[s].faults);
		o->pages_mapped =
			atomic64_read(&dev->strategy[s].pages_mapped);
		st->live_maps += o->live_maps;
		st->faults += o->faults;
	}
}
