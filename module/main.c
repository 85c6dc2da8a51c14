// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo: a character device whose mmap() exposes one kernel buffer to
 * userspace, through remap_pfn_range() or a page fault handler, and read()
 * and write() on the same bytes.  A reference for writing a driver's mmap.
 *
 * From userspace (see include/uapi/linux/mmapdemo.h for the whole ABI):
 *
 *	int fd = open("/dev/mmapdemo", O_RDWR);
 *	struct mmapdemo_info info;
 *	ioctl(fd, MMAPDEMO_IOC_INFO, &info);
 *	char *p = mmap(NULL, info.buffer_size, PROT_READ | PROT_WRITE,
 *		       MAP_SHARED, fd,
 *		       MMAPDEMO_OFFSET(MMAPDEMO_STRATEGY_FAULT));
 *	p[0] = 1;	// first touch: one page fault, served by fault.c
 *
 * Module parameters, checked at load (insmod fails with EINVAL and says
 * why, leaving nothing behind):
 *	size=N[K|M|G]	buffer size, rounded up to pages; 4M by default,
 *			at most 1G
 *	mode=0NNN	permissions of /dev/mmapdemo; 0600 by default, no
 *			execute bits
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

struct mmapdemo_dev mmapdemo;

static char mmapdemo_size_arg[32] = "4M";
module_param_string(size, mmapdemo_size_arg, sizeof(mmapdemo_size_arg), 0444);
MODULE_PARM_DESC(size, "Buffer size: 1 byte to 1G, K/M/G suffix allowed, rounded up to pages (default 4M)");

static ushort mmapdemo_mode = 0600;
module_param_named(mode, mmapdemo_mode, ushort, 0444);
MODULE_PARM_DESC(mode, "Permissions of /dev/mmapdemo, 0 to 0666 (default 0600; prefer the udev rule)");

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

static struct miscdevice mmapdemo_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "mmapdemo",
	.fops = &mmapdemo_fops,
	/* sysfs attributes exist before the uevent announces the device */
	.groups = mmapdemo_groups,
};

static int __init mmapdemo_init(void)
{
	size_t size;
	int ret;

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

	mutex_init(&mmapdemo.lock);
	/* -ENOMEM, or -EINTR when insmod is killed while allocating. */
	mmapdemo.buf = mmapdemo_buf_alloc(size);
	if (IS_ERR(mmapdemo.buf))
		return PTR_ERR(mmapdemo.buf);

	mmapdemo_sysfs_init();
	mmapdemo_misc.mode = mmapdemo_mode;
	ret = misc_register(&mmapdemo_misc);
	if (ret)
		goto err_put_buf;
	return 0;

err_put_buf:
	mmapdemo_buf_put(mmapdemo.buf);
	return ret;
}

static void __exit mmapdemo_exit(void)
{
	misc_deregister(&mmapdemo_misc);
	/*
	 * Every open file holds a module reference (fops->owner) and every
	 * mapping holds its file, so nothing can reach the device now and
	 * this is the buffer's last reference.
	 */
	mmapdemo_buf_put(mmapdemo.buf);
}

module_init(mmapdemo_init);
module_exit(mmapdemo_exit);

MODULE_DESCRIPTION("Reference driver: a kernel buffer mapped by remap_pfn_range and by page faults");
MODULE_LICENSE("GPL");
MODULE_VERSION(MMAPDEMO_VERSION);
