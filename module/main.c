// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo: a character device whose mmap() exposes one kernel buffer to
 * userspace, through remap_pfn_range() or a page fault handler, and read()
 * and write() on the same bytes.  A reference for writing a driver's mmap.
 *
 * From userspace (see include/uapi/linux/mmapdemo.h for the whole ABI):
 *
 *	int fd = open("/dev/mmapdemo-fault", O_RDWR);
 *	off_t size = lseek(fd, 0, SEEK_END);
 *	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
 *	p[0] = 1;	// first touch: one page fault, served by fault.c
 *
 * Module parameters, checked at load (insmod fails with EINVAL and says
 * why, leaving nothing behind):
 *	size=N[K|M|G]	buffer size, rounded up to pages; 4M by default,
 *			at most 1G
 *	mode=0NNN	permissions of the /dev/mmapdemo* nodes; 0600 by
 *			default, no execute bits
 *
 * This file: parameters, registration, load and unload.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "mmapdemo.h"

/* The one device; its handlers find it through the file or the VMA. */
static struct mmapdemo_dev mmapdemo_dev;

static char mmapdemo_size_arg[32] = "4M";
module_param_string(size, mmapdemo_size_arg, sizeof(mmapdemo_size_arg), 0444);
MODULE_PARM_DESC(size, "Buffer size: 1 byte to 1G, K/M/G suffix allowed, rounded up to pages (default 4M)");

ushort mmapdemo_mode = 0600;
module_param_named(mode, mmapdemo_mode, ushort, 0444);
MODULE_PARM_DESC(mode, "Permissions of the /dev/mmapdemo* nodes, 0 to 0666 (default 0600; prefer the udev rule)");

/* "4096", "64K", "4M", "1G", optionally with a trailing newline. */
static int mmapdemo_parse_size(const char *arg, size_t *size)
{
	char num[sizeof(mmapdemo_size_arg)];
	unsigned int shift = 0;
	unsigned long long n;
	size_t len;

	strscpy(num, arg, sizeof(num));
	len = strlen(num);
	if (len && num[len - 1] == '\n')
		num[--len] = '\0';
	if (len) {
		switch (num[len - 1]) {
		case 'k': case 'K':
			shift = 10;
			break;
		case 'm': case 'M':
			shift = 20;
			break;
		case 'g': case 'G':
			shift = 30;
			break;
		}
		if (shift)
			num[--len] = '\0';
	}
	/* kstrtoull() rejects empty strings, junk and overflow. */
	if (kstrtoull(num, 0, &n) || !n || n > (MMAPDEMO_MAX_SIZE >> shift))
		return -EINVAL;
	*size = PAGE_ALIGN((size_t)n << shift);
	return 0;
}

/* The nodes: name, file_operations and the strategy offset 0 maps with. */
static const struct {
	const char *name;
	const struct file_operations *fops;
	unsigned int strategy;
} mmapdemo_node_table[MMAPDEMO_NODES] = {
	{ "mmapdemo", &mmapdemo_fops, MMAPDEMO_STRATEGY_REMAP },
	{ "mmapdemo-fault", &mmapdemo_fault_fops, MMAPDEMO_STRATEGY_FAULT },
	{ "mmapdemo-batched", &mmapdemo_batched_fops, MMAPDEMO_STRATEGY_BATCHED },
	{ "mmapdemo-huge", &mmapdemo_huge_fops, MMAPDEMO_STRATEGY_HUGE },
};

static int __init mmapdemo_init(void)
{
	struct mmapdemo_dev *dev = &mmapdemo_dev;
	size_t size;
	int i, ret;

	if (mmapdemo_parse_size(mmapdemo_size_arg, &size)) {
		pr_err("size=%s is not valid: give 1 to %llu bytes, K/M/G suffix allowed\n",
		       mmapdemo_size_arg, MMAPDEMO_MAX_SIZE);
		return -EINVAL;
	}
	if (mmapdemo_mode & ~0666) {
		pr_err("mode=%#o is not valid: permission bits 0666 at most\n",
		       mmapdemo_mode);
		return -EINVAL;
	}

	mutex_init(&dev->lock);
	/* -ENOMEM, or -EINTR when insmod is killed while allocating. */
	dev->buf = mmapdemo_buf_alloc(size);
	if (IS_ERR(dev->buf))
		return PTR_ERR(dev->buf);

	mmapdemo_sysfs_init();
	for (i = 0; i < MMAPDEMO_NODES; i++) {
		struct mmapdemo_node *node = &dev->nodes[i];

		node->dev = dev;
		node->strategy = mmapdemo_node_table[i].strategy;
		node->misc.minor = MISC_DYNAMIC_MINOR;
		node->misc.name = mmapdemo_node_table[i].name;
		node->misc.fops = mmapdemo_node_table[i].fops;
		node->misc.mode = mmapdemo_mode;
		/*
		 * The counters are the device's: one set of attributes, on
		 * /dev/mmapdemo, there before the uevent announces it.
		 */
		if (!i)
			node->misc.groups = mmapdemo_groups;
		ret = misc_register(&node->misc);
		if (ret)
			goto err_deregister_nodes;
	}
	/* Binds the devices present now and any that appear later. */
	ret = mmapdemo_pci_register();
	if (ret)
		goto err_deregister_nodes;
	return 0;

err_deregister_nodes:
	while (i--)
		misc_deregister(&dev->nodes[i].misc);
	mmapdemo_buf_put(dev->buf);
	return ret;
}

static void __exit mmapdemo_exit(void)
{
	struct mmapdemo_dev *dev = &mmapdemo_dev;
	int i;

	mmapdemo_pci_unregister();
	for (i = MMAPDEMO_NODES - 1; i >= 0; i--)
		misc_deregister(&dev->nodes[i].misc);
	/*
	 * Every open file holds a module reference (fops->owner) and every
	 * mapping holds its file, so nothing can reach the device now and
	 * this is the buffer's last reference.
	 */
	mmapdemo_buf_put(dev->buf);
}

module_init(mmapdemo_init);
module_exit(mmapdemo_exit);

MODULE_DESCRIPTION("Reference driver: a kernel buffer mapped by remap_pfn_range and by page faults");
MODULE_LICENSE("GPL");
MODULE_VERSION(MMAPDEMO_VERSION);
