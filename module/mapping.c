// SPDX-License-Identifier: GPL-2.0
/*
 * One address_space that every mapping of a device hangs off, owned by
 * the driver, so that one unmap_mapping_range() finds every PTE of every
 * mapping of that device: the way to revoke mappings when the memory
 * behind them goes (a PCI device removed, a buffer replaced).
 *
 * A driver needs this as soon as it must take memory away from userspace.
 * The address_space a file would have otherwise is its inode's: the
 * device node's inode, which belongs to devtmpfs (or to whatever
 * filesystem a mknod'ed copy lives on): two nodes of one device, two
 * address_spaces, and a zap through one misses the other's mappings.  So,
 * as DRM (drm_open_helper()) and vfio (vfio_fs_inode_new()) do, the
 * driver makes an inode of its own on a private pseudo filesystem, and
 * open() points file->f_mapping at it: the core links every VMA of the
 * file into that mapping's i_mmap tree (vma_link_file()), whichever node
 * the file was opened through.
 *
 * The pseudo filesystem's mount holds a reference on this module
 * (get_filesystem() of its fs_type), so it is mounted only while a file
 * of a device is open: the first open makes the inode, the last release
 * frees it, and rmmod stays possible whenever nothing is open.
 */
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>

#include "mmapdemo.h"

#define MMAPDEMO_FS_MAGIC	0x6d6d6430	/* "mmd0": the fs is never mounted by name */

static int mmapdemo_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, MMAPDEMO_FS_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type mmapdemo_fs_type = {
	.name = "mmapdemo",
	.owner = THIS_MODULE,
	.init_fs_context = mmapdemo_fs_init_fs_context,
	.kill_sb = kill_anon_super,
};

static struct vfsmount *mmapdemo_fs_mnt;
static int mmapdemo_fs_count;

/* A fresh inode with an empty address_space; mmapdemo_inode_put() frees it. */
struct inode *mmapdemo_inode_get(void)
{
	struct inode *inode;
	int ret;

	ret = simple_pin_fs(&mmapdemo_fs_type, &mmapdemo_fs_mnt,
			    &mmapdemo_fs_count);
	if (ret)
		return ERR_PTR(ret);
	inode = alloc_anon_inode(mmapdemo_fs_mnt->mnt_sb);
	if (IS_ERR(inode))
		simple_release_fs(&mmapdemo_fs_mnt, &mmapdemo_fs_count);
	return inode;
}

void mmapdemo_inode_put(struct inode *inode)
{
	iput(inode);
	simple_release_fs(&mmapdemo_fs_mnt, &mmapdemo_fs_count);
}
