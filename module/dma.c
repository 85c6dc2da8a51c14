// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mmapdemo-dma: a DMA buffer that QEMU's edu device and userspace
 * share, the buffer from dma_alloc_coherent() and the mapping from
 * dma_mmap_coherent().  The model for a driver whose device reads and
 * writes the memory userspace maps: a capture or a command ring, a frame
 * buffer, a sound card's period buffer.
 *
 * Why the classic f_op->mmap, on 7.3 too: the DMA layer has no
 * mmap_prepare action (7.3's enum mmap_action_type stops at
 * MMAP_MAP_KERNEL_PAGES) and dma_mmap_attrs() takes a vm_area_struct.
 * Why dma_mmap_coherent() and not remap_pfn_range(virt_to_phys(cpu_addr)):
 * only the DMA layer knows what it allocated.  Behind an IOMMU the CPU
 * address is a vmalloc() one over scattered pages (iommu_dma_alloc_remap()),
 * which dma_mmap_attrs() maps with vm_map_pages(), a VM_MIXEDMAP; without
 * one it is the linear map, mapped with remap_pfn_range() (dma_direct_mmap(),
 * VM_PFNMAP); on a non-coherent architecture the PTEs must also be
 * uncached (dma_pgprot()).  The DMA address is the device's, never the
 * CPU's: with an IOMMU it is an IOVA.
 *
 * Why revocation is built in: on removal the buffer goes back with
 * dma_free_coherent(), and no PTE may point at it then.  dma_mmap_coherent()
 * fills the page tables inside ->mmap, before the core links the VMA into
 * the file's address_space (vma_link_file() runs after ->mmap on 6.1, 6.12
 * and 7.3), so a zap in between would miss them.  Each ->mmap notes its mm,
 * and removal takes each noted mm's mmap_lock once after marking the device
 * gone: mmap() holds that lock for writing from ->mmap to the link, so
 * after it every mapping made before is linked and the zap finds it, and
 * every later ->mmap sees @gone.
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/iopoll.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/mmapdemo.h>

#include "compat.h"
#include "mmapdemo.h"

/* edu's registers (QEMU docs/specs/edu.rst), BAR 0. */
#define EDU_ID			0x00	/* 0xRRrr00ed: major, minor, 0xed */
#define EDU_DMA_SRC		0x80
#define EDU_DMA_DST		0x88
#define EDU_DMA_COUNT		0x90
#define EDU_DMA_CMD		0x98
#define EDU_DMA_RUN		BIT(0)	/* set to start, clear when done */
#define EDU_DMA_TO_RAM		BIT(1)	/* else from RAM to the device */
#define EDU_DMA_MEM		0x40000	/* the device's 4 KiB, as a DMA address */
/* (uapi's MMAPDEMO_DMA_COPY_MAX says why not its last byte) */

/* Small: with a 28-bit mask it may have to come from ZONE_DMA. */
#define MMAPDEMO_DMA_SIZE	SZ_64K

/*
 * What the device reaches, which the driver cannot ask it: QEMU's edu has
 * a dma_mask property (28 bits by default) and silently drops the address
 * bits above it, so this must never claim more than the device has.
 */
static unsigned int edu_dma_bits = 28;

static int mmapdemo_set_dma_bits(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 16, 64);
}

static const struct kernel_param_ops edu_dma_bits_ops = {
	.set = mmapdemo_set_dma_bits,
	.get = param_get_uint,
};
module_param_cb(edu_dma_bits, &edu_dma_bits_ops, &edu_dma_bits, 0444);
MODULE_PARM_DESC(edu_dma_bits, "Address bits edu's DMA reaches, 16 to 64: its QEMU dma_mask (default 28)");

void mmapdemo_dma_free(struct kref *ref)
{
	struct mmapdemo_dma *dma = container_of(ref, struct mmapdemo_dma, ref);

	xa_destroy(&dma->mms);
	kfree(dma);
}

/*
 * The shared address_space, as bar.c's, made at the first open of either
 * of the function's nodes (this one and mmapdemo-regs, regs.c).
 */
int mmapdemo_dma_attach(struct mmapdemo_dma *dma, struct file *file)
{
	struct inode *mi;
	int ret = 0;

	mutex_lock(&dma->open_lock);
	if (dma->gone) {
		ret = -ENODEV;
		goto out_unlock;
	}
	if (!dma->open_count) {
		mi = mmapdemo_inode_get();
		if (IS_ERR(mi)) {
			ret = PTR_ERR(mi);
			goto out_unlock;
		}
		dma->inode = mi;
	}
	dma->open_count++;
	kref_get(&dma->ref);
	file->f_mapping = dma->inode->i_mapping;
	file->private_data = dma;
out_unlock:
	mutex_unlock(&dma->open_lock);
	return ret;
}

/* No VMA is left (each holds its file), nor any ->mmap in flight. */
int mmapdemo_dma_detach(struct inode *inode, struct file *file)
{
	struct mmapdemo_dma *dma = file->private_data;
	struct mm_struct *mm;
	unsigned long idx;

	mutex_lock(&dma->open_lock);
	if (!--dma->open_count) {
		xa_for_each(&dma->mms, idx, mm) {
			xa_erase(&dma->mms, idx);
			mmdrop(mm);
		}
		mmapdemo_inode_put(dma->inode);
		dma->inode = NULL;
	}
	mutex_unlock(&dma->open_lock);
	kref_put(&dma->ref, mmapdemo_dma_free);
	return 0;
}

static int mmapdemo_dma_open(struct inode *inode, struct file *file)
{
	return mmapdemo_dma_attach(container_of(file->private_data,
						struct mmapdemo_dma, misc),
				   file);
}

/*
 * Called with @lock held for reading and the device not gone: noted for
 * mmapdemo_dma_revoke() until the last release.
 */
int mmapdemo_dma_note_mm(struct mmapdemo_dma *dma, struct mm_struct *mm)
{
	int ret = xa_insert(&dma->mms, (unsigned long)mm, mm, GFP_KERNEL);

	if (!ret)
		mmgrab(mm);
	return ret == -EBUSY ? 0 : ret;
}

/*
 * Removal: no new ->mmap, ioctl or fault from here on; every mapping
 * linked, then zapped, the register page's too.  The caller frees the
 * buffer and unmaps the registers after this returns.
 */
static void mmapdemo_dma_revoke(struct mmapdemo_dma *dma)
{
	struct mm_struct *mm;
	unsigned long idx;

	/* Waits for a copy in flight: the device is done with the buffer. */
	down_write(&dma->lock);
	dma->gone = true;
	up_write(&dma->lock);

	mutex_lock(&dma->open_lock);
	xa_for_each(&dma->mms, idx, mm) {
		mmap_read_lock(mm);
		mmap_read_unlock(mm);
	}
	if (dma->inode)
		unmap_mapping_range(dma->inode->i_mapping, 0, 0, 1);
	mutex_unlock(&dma->open_lock);
}

/*
 * ptrace, /proc/PID/mem, gdb.  Without an IOMMU the buffer is a PFN range
 * (dma_direct_mmap() calls remap_pfn_range()), which GUP refuses, so
 * __access_remote_vm() falls back to ->access: the CPU reads and writes
 * the coherent buffer at cpu_addr, under the rule of an ioctl.  Behind an
 * IOMMU the VMA holds pages and GUP reaches them without this.
 */
static int mmapdemo_dma_access(struct vm_area_struct *vma, unsigned long addr,
			       void *buf, int len, int write)
{
	struct mmapdemo_dma *dma = vma->vm_file->private_data;
	unsigned long off = (vma->vm_pgoff << PAGE_SHIFT) +
			    (addr - vma->vm_start);
	int ret;

	if (write && !(vma->vm_flags & VM_WRITE))
		return -EACCES;
	if (off >= dma->size)
		return -EINVAL;
	ret = min_t(unsigned long, len, dma->size - off);
	down_read(&dma->lock);
	if (dma->gone)
		ret = -ENODEV;
	else if (write)
		memcpy(dma->cpu_addr + off, buf, ret);
	else
		memcpy(buf, dma->cpu_addr + off, ret);
	up_read(&dma->lock);
	return ret;
}

/*
 * Every check before the VMA is touched; then the DMA layer maps the
 * buffer.  No ->fault: once revoked, a touch finds no PTE and do_fault()
 * answers SIGBUS.
 */
static const struct vm_operations_struct mmapdemo_dma_vm_ops = {
	.access = mmapdemo_dma_access,
};

static int mmapdemo_dma_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mmapdemo_dma *dma = file->private_data;
	unsigned long pages = dma->size >> PAGE_SHIFT;
	int ret;

	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	/* dma_mmap_*() do not check: a private COW copy of a DMA buffer */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_pgoff >= pages || vma_pages(vma) > pages - vma->vm_pgoff)
		return -EINVAL;

	down_read(&dma->lock);
	if (dma->gone) {
		ret = -ENODEV;
		goto out_unlock;
	}
	ret = mmapdemo_dma_note_mm(dma, vma->vm_mm);
	if (ret)
		goto out_unlock;

	vm_flags_clear(vma, VM_MAYEXEC);
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &mmapdemo_dma_vm_ops;
	ret = dma_mmap_coherent(&dma->pdev->dev, vma, dma->cpu_addr,
				dma->dma_addr, dma->size);
out_unlock:
	up_read(&dma->lock);
	return ret;
}

/* One transfer by edu's engine, polled: it takes 100 ms of QEMU's clock. */
static int mmapdemo_edu_dma(struct mmapdemo_dma *dma, u64 src, u64 dst,
			    u32 len, u32 cmd)
{
	u64 state;
	int ret;

	/* writeq() orders the CPU's earlier stores to the buffer before it. */
	writeq(src, dma->regs + EDU_DMA_SRC);
	writeq(dst, dma->regs + EDU_DMA_DST);
	writeq(len, dma->regs + EDU_DMA_COUNT);
	writeq(cmd | EDU_DMA_RUN, dma->regs + EDU_DMA_CMD);
	ret = readq_poll_timeout(dma->regs + EDU_DMA_CMD, state,
				 !(state & EDU_DMA_RUN), USEC_PER_MSEC,
				 2 * USEC_PER_SEC);
	if (ret) {
		/* It may still write: no more copies, removal stops it. */
		dma->broken = true;
		dev_err(&dma->pdev->dev, "edu DMA did not finish\n");
	}
	return ret;
}

/* Buffer -> device -> buffer, both legs through the coherent mapping. */
static int mmapdemo_dma_copy_coherent(struct mmapdemo_dma *dma,
				      const struct mmapdemo_dma_copy *c)
{
	int ret;

	ret = mmapdemo_edu_dma(dma, dma->dma_addr + c->src, EDU_DMA_MEM,
			       c->length, 0);
	if (ret)
		return ret;
	return mmapdemo_edu_dma(dma, EDU_DMA_MEM, dma->dma_addr + c->dst,
				c->length, EDU_DMA_TO_RAM);
}

/*
 * Memory the device reaches by itself.  Without an IOMMU, dma_map_single()
 * of memory past the mask needs swiotlb to bounce it, and x86 sets that up
 * only when forced or with memory above 4 GiB (7.3's pci_swiotlb_detect()):
 * in a 2 GiB guest, 6.1 refused kmalloc()ed bytes at 0x6ef69b38 with a
 * WARNING ("DMA addr ... overflow").  Drivers of such devices allocate
 * from the zone under their mask.
 */
static gfp_t mmapdemo_dma_zone(void)
{
	if (edu_dma_bits < 32)
		return GFP_DMA;
	return edu_dma_bits < 64 ? GFP_DMA32 : 0;
}

/*
 * The same through streaming mappings of a kernel page: map for the
 * direction, let the device work, unmap, and only then does the CPU read.
 * With swiotlb=force each map and unmap copies through the bounce pool.
 */
static int mmapdemo_dma_copy_streaming(struct mmapdemo_dma *dma,
				       const struct mmapdemo_dma_copy *c)
{
	struct device *dev = &dma->pdev->dev;
	dma_addr_t handle;
	void *page;
	int ret;

	page = (void *)__get_free_page(GFP_KERNEL | mmapdemo_dma_zone());
	if (!page)
		return -ENOMEM;
	memcpy(page, dma->cpu_addr + c->src, c->length);
	handle = dma_map_single(dev, page, c->length, DMA_TO_DEVICE);
	ret = dma_mapping_error(dev, handle);
	if (ret)
		goto out_free;
	ret = mmapdemo_edu_dma(dma, handle, EDU_DMA_MEM, c->length, 0);
	dma_unmap_single(dev, handle, c->length, DMA_TO_DEVICE);
	if (ret)
		goto out_free;

	memset(page, 0, c->length);
	handle = dma_map_single(dev, page, c->length, DMA_FROM_DEVICE);
	ret = dma_mapping_error(dev, handle);
	if (ret)
		goto out_free;
	ret = mmapdemo_edu_dma(dma, EDU_DMA_MEM, handle, c->length,
			       EDU_DMA_TO_RAM);
	dma_unmap_single(dev, handle, c->length, DMA_FROM_DEVICE);
	if (!ret)
		memcpy(dma->cpu_addr + c->dst, page, c->length);
out_free:
	free_page((unsigned long)page);
	return ret;
}

/*
 * The ranges are checked before any register is written: edu does not
 * refuse a bad address, it copies to wherever the address points.
 */
static long mmapdemo_dma_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	struct mmapdemo_dma *dma = file->private_data;
	struct mmapdemo_dma_copy c;
	int ret;

	if (cmd != MMAPDEMO_IOC_DMA_COPY)
		return -ENOTTY;
	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	if (copy_from_user(&c, (void __user *)arg, sizeof(c)))
		return -EFAULT;
	if (c.flags & ~MMAPDEMO_DMA_FLAGS ||
	    !c.length || c.length > MMAPDEMO_DMA_COPY_MAX ||
	    c.src > dma->size || c.length > dma->size - c.src ||
	    c.dst > dma->size || c.length > dma->size - c.dst)
		return -EINVAL;

	down_read(&dma->lock);
	if (dma->gone) {
		ret = -ENODEV;
		goto out_unlock;
	}
	ret = mutex_lock_killable(&dma->engine_lock);
	if (ret)
		goto out_unlock;
	if (dma->broken)
		ret = -EIO;
	else if (c.flags & MMAPDEMO_DMA_STREAMING)
		ret = mmapdemo_dma_copy_streaming(dma, &c);
	else
		ret = mmapdemo_dma_copy_coherent(dma, &c);
	mutex_unlock(&dma->engine_lock);
out_unlock:
	up_read(&dma->lock);
	return ret;
}

static loff_t mmapdemo_dma_llseek(struct file *file, loff_t offset, int whence)
{
	struct mmapdemo_dma *dma = file->private_data;

	return fixed_size_llseek(file, offset, whence, dma->size);
}

static const struct file_operations mmapdemo_dma_fops = {
	.owner = THIS_MODULE,
	.open = mmapdemo_dma_open,
	.release = mmapdemo_dma_detach,
	.mmap = mmapdemo_dma_mmap,
	.unlocked_ioctl = mmapdemo_dma_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = mmapdemo_dma_llseek,
};

/*
 * edu: BAR 0 for the registers, bus mastering, a DMA mask from what the
 * device reaches, then the buffer under that mask and its node.
 */
int mmapdemo_edu_probe(struct pci_dev *pdev)
{
	struct mmapdemo_dma *dma;
	u32 id;
	int ret;

	dma = kzalloc_obj(*dma, GFP_KERNEL);
	if (!dma)
		return -ENOMEM;
	kref_init(&dma->ref);
	init_rwsem(&dma->lock);
	mutex_init(&dma->open_lock);
	mutex_init(&dma->engine_lock);
	xa_init(&dma->mms);
	dma->pdev = pdev;
	dma->size = MMAPDEMO_DMA_SIZE;

	ret = pci_enable_device_mem(pdev);
	if (ret)
		goto err_free;
	ret = pci_request_region(pdev, 0, KBUILD_MODNAME);
	if (ret)
		goto err_disable;
	dma->regs_phys = pci_resource_start(pdev, 0);
	dma->regs = pci_iomap(pdev, 0, PAGE_SIZE);
	if (!dma->regs) {
		ret = -ENOMEM;
		goto err_release;
	}
	id = readl(dma->regs + EDU_ID);
	if ((id & 0xff) != 0xed) {
		dev_err(&pdev->dev, "not an edu device (ID register %#x)\n", id);
		ret = -ENODEV;
		goto err_unmap;
	}
	/* Fails when no memory the kernel can allocate lies under the mask. */
	ret = dma_set_mask_and_coherent(&pdev->dev,
					DMA_BIT_MASK(edu_dma_bits));
	if (ret) {
		dev_err(&pdev->dev, "no usable %u-bit DMA: %d\n",
			edu_dma_bits, ret);
		goto err_unmap;
	}
	pci_set_master(pdev);
	dma->cpu_addr = dma_alloc_coherent(&pdev->dev, dma->size,
					   &dma->dma_addr, GFP_KERNEL);
	if (!dma->cpu_addr) {
		ret = -ENOMEM;
		goto err_clear_master;
	}

	dma->misc.minor = MISC_DYNAMIC_MINOR;
	dma->misc.name = "mmapdemo-dma";
	dma->misc.fops = &mmapdemo_dma_fops;
	dma->misc.parent = &pdev->dev;
	dma->misc.mode = mmapdemo_mode;
	ret = misc_register(&dma->misc);
	if (ret)
		goto err_free_coherent;
	dma->regs_misc.minor = MISC_DYNAMIC_MINOR;
	dma->regs_misc.name = "mmapdemo-regs";
	dma->regs_misc.fops = &mmapdemo_regs_fops;
	dma->regs_misc.parent = &pdev->dev;
	dma->regs_misc.mode = mmapdemo_mode;
	ret = misc_register(&dma->regs_misc);
	if (ret)
		goto err_deregister_dma;
	pci_set_drvdata(pdev, dma);
	dev_info(&pdev->dev, "edu ID %#x, %zu KiB DMA buffer, %u-bit mask: /dev/mmapdemo-dma, /dev/mmapdemo-regs\n",
		 id, dma->size / SZ_1K, edu_dma_bits);
	return 0;

err_deregister_dma:
	misc_deregister(&dma->misc);
err_free_coherent:
	dma_free_coherent(&pdev->dev, dma->size, dma->cpu_addr, dma->dma_addr);
err_clear_master:
	pci_clear_master(pdev);
err_unmap:
	pci_iounmap(pdev, dma->regs);
err_release:
	pci_release_region(pdev, 0);
err_disable:
	pci_disable_device(pdev);
err_free:
	kfree(dma);
	return ret;
}

/*
 * Mappings revoked, bus mastering off (a device that timed out stops
 * here), and only then the buffer freed.
 */
void mmapdemo_edu_remove(struct pci_dev *pdev)
{
	struct mmapdemo_dma *dma = pci_get_drvdata(pdev);

	misc_deregister(&dma->regs_misc);
	misc_deregister(&dma->misc);
	mmapdemo_dma_revoke(dma);
	pci_clear_master(pdev);
	dma_free_coherent(&pdev->dev, dma->size, dma->cpu_addr, dma->dma_addr);
	pci_iounmap(pdev, dma->regs);
	pci_release_region(pdev, 0);
	pci_disable_device(pdev);
	kref_put(&dma->ref, mmapdemo_dma_free);
}
