// SPDX-License-Identifier: GPL-2.0
/*
 * The PCI half: a pci_driver that binds QEMU's ivshmem-plain and gives its
 * memory BAR a node, /dev/mmapdemo-bar (bar.c), and QEMU's edu, whose DMA
 * buffer is /dev/mmapdemo-dma (dma.c).  The model for a driver
 * whose memory is a device's: claim the BAR, map it for the kernel with
 * the caching userspace will get, and on removal take every mapping back
 * before letting the BAR go.  Without such a device nothing binds and the
 * module is the kernel-buffer driver alone.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "mmapdemo.h"

/* ivshmem: BAR 0 registers (no use without interrupts), BAR 2 the memory. */
#define MMAPDEMO_PCI_DEVICE_ID_IVSHMEM	0x1110
#define MMAPDEMO_IVSHMEM_BAR		2
/* edu: QEMU's educational device, a DMA engine (dma.c). */
#define MMAPDEMO_PCI_VENDOR_ID_EDU	0x1234
#define MMAPDEMO_PCI_DEVICE_ID_EDU	0x11e8

/* 0 is what a driver_override binding brings (pci_device_id_any): refused. */
enum { MMAPDEMO_IVSHMEM = 1, MMAPDEMO_EDU };

static const struct pci_device_id mmapdemo_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_REDHAT_QUMRANET,
		     MMAPDEMO_PCI_DEVICE_ID_IVSHMEM),
	  .driver_data = MMAPDEMO_IVSHMEM },
	{ PCI_DEVICE(MMAPDEMO_PCI_VENDOR_ID_EDU, MMAPDEMO_PCI_DEVICE_ID_EDU),
	  .driver_data = MMAPDEMO_EDU },
	{ }
};
MODULE_DEVICE_TABLE(pci, mmapdemo_pci_ids);

/* One node name, so one device has it; others are left unbound. */
static DEFINE_MUTEX(mmapdemo_pci_lock);
static bool mmapdemo_bar_bound;
static struct pci_dev *mmapdemo_edu_pdev;

static int mmapdemo_ivshmem_probe(struct pci_dev *pdev)
{
	const int nr = MMAPDEMO_IVSHMEM_BAR;
	struct mmapdemo_bar *bar;
	int ret;

	mutex_lock(&mmapdemo_pci_lock);
	if (mmapdemo_bar_bound) {
		dev_info(&pdev->dev, "/dev/mmapdemo-bar is another device's: not binding\n");
		ret = -EBUSY;
		goto err_unlock;
	}
	bar = kzalloc_obj(*bar, GFP_KERNEL);
	if (!bar) {
		ret = -ENOMEM;
		goto err_unlock;
	}
	kref_init(&bar->ref);
	init_rwsem(&bar->lock);
	mutex_init(&bar->open_lock);

	ret = pci_enable_device_mem(pdev);
	if (ret)
		goto err_free;
	ret = pci_request_region(pdev, nr, KBUILD_MODNAME);
	if (ret)
		goto err_disable;
	bar->start = pci_resource_start(pdev, nr);
	bar->len = pci_resource_len(pdev, nr);
	/* Userspace maps whole pages: a BAR that is not pages is not ours to map. */
	if (!(pci_resource_flags(pdev, nr) & IORESOURCE_MEM) || !bar->len ||
	    !PAGE_ALIGNED(bar->start) || !PAGE_ALIGNED(bar->len)) {
		dev_err(&pdev->dev, "BAR %d %pR is not whole pages of memory\n",
			nr, &pdev->resource[nr]);
		ret = -ENODEV;
		goto err_release;
	}
	/*
	 * The kernel's mapping, write-combining like the users': on x86 it
	 * also reserves the range's memory type, which each user PTE takes.
	 */
	bar->vaddr = pci_iomap_wc(pdev, nr, 0);
	if (!bar->vaddr) {
		ret = -ENOMEM;
		goto err_release;
	}

	bar->misc.minor = MISC_DYNAMIC_MINOR;
	bar->misc.name = "mmapdemo-bar";
	bar->misc.fops = &mmapdemo_bar_fops;
	bar->misc.parent = &pdev->dev;
	bar->misc.mode = mmapdemo_mode;
	ret = misc_register(&bar->misc);
	if (ret)
		goto err_unmap;
	pci_set_drvdata(pdev, bar);
	mmapdemo_bar_bound = true;
	mutex_unlock(&mmapdemo_pci_lock);
	dev_info(&pdev->dev, "BAR %d %pR is /dev/mmapdemo-bar\n", nr,
		 &pdev->resource[nr]);
	return 0;

err_unmap:
	pci_iounmap(pdev, bar->vaddr);
err_release:
	pci_release_region(pdev, nr);
err_disable:
	pci_disable_device(pdev);
err_free:
	kfree(bar);
err_unlock:
	mutex_unlock(&mmapdemo_pci_lock);
	return ret;
}

/*
 * Hot-unplug, `echo 1 > .../remove`, unbind, rmmod: no new open, every
 * mapping revoked, and only then the BAR released.  Open files keep the
 * struct (not the BAR) until their release.
 */
static void mmapdemo_ivshmem_remove(struct pci_dev *pdev)
{
	struct mmapdemo_bar *bar = pci_get_drvdata(pdev);

	misc_deregister(&bar->misc);
	mmapdemo_bar_revoke(bar);
	pci_iounmap(pdev, bar->vaddr);
	pci_release_region(pdev, MMAPDEMO_IVSHMEM_BAR);
	pci_disable_device(pdev);
	mutex_lock(&mmapdemo_pci_lock);
	mmapdemo_bar_bound = false;
	mutex_unlock(&mmapdemo_pci_lock);
	kref_put(&bar->ref, mmapdemo_bar_free);
}

static int mmapdemo_pci_probe(struct pci_dev *pdev,
			      const struct pci_device_id *id)
{
	int ret;

	if (id->driver_data == MMAPDEMO_IVSHMEM)
		return mmapdemo_ivshmem_probe(pdev);
	if (id->driver_data != MMAPDEMO_EDU)
		return -ENODEV;

	mutex_lock(&mmapdemo_pci_lock);
	if (mmapdemo_edu_pdev) {
		dev_info(&pdev->dev, "/dev/mmapdemo-dma is another device's: not binding\n");
		ret = -EBUSY;
	} else {
		ret = mmapdemo_edu_probe(pdev);
		if (!ret)
			mmapdemo_edu_pdev = pdev;
	}
	mutex_unlock(&mmapdemo_pci_lock);
	return ret;
}

static void mmapdemo_pci_remove(struct pci_dev *pdev)
{
	bool edu;

	mutex_lock(&mmapdemo_pci_lock);
	edu = pdev == mmapdemo_edu_pdev;
	mutex_unlock(&mmapdemo_pci_lock);
	if (!edu) {
		mmapdemo_ivshmem_remove(pdev);
		return;
	}
	mmapdemo_edu_remove(pdev);
	mutex_lock(&mmapdemo_pci_lock);
	mmapdemo_edu_pdev = NULL;
	mutex_unlock(&mmapdemo_pci_lock);
}

static struct pci_driver mmapdemo_pci_driver = {
	.name = KBUILD_MODNAME,
	.id_table = mmapdemo_pci_ids,
	.probe = mmapdemo_pci_probe,
	.remove = mmapdemo_pci_remove,
};

int mmapdemo_pci_register(void)
{
	return pci_register_driver(&mmapdemo_pci_driver);
}

void mmapdemo_pci_unregister(void)
{
	pci_unregister_driver(&mmapdemo_pci_driver);
}
