/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the mmapdemo tool (user/) and the selftests share, as kselftest.h
 * is shared by the tests of a kernel tree: the paths, the checksum the
 * CHECKSUM ioctl computes, the byte pattern FILL writes, and loading and
 * unloading the module through libkmod.  Static inline, so that it lives
 * here, in the directory a kernel tree takes as
 * tools/testing/selftests/mmapdemo/ (the tool includes it from here).
 */
#ifndef MMAPDEMO_COMMON_H
#define MMAPDEMO_COMMON_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <unistd.h>

#include <libkmod.h>
#include <linux/types.h>

#define MMD_DEV		"/dev/mmapdemo"
#define MMD_SYSFS	"/sys/class/misc/mmapdemo"
#define MMD_MODNAME	"mmapdemo"

/* The node did not appear (or go away) in time: see mmd_kmod_insert(). */
#define MMD_NODE_LATE	1
#define MMD_NODE_WAIT_MS	5000

/* 64-bit FNV-1a: what MMAPDEMO_IOC_CHECKSUM returns for the same bytes. */
static inline __u64 mmd_fnv1a(const void *p, size_t len)
{
	const unsigned char *c = p;
	__u64 h = 0xcbf29ce484222325ULL;

	while (len--)
		h = (h ^ *c++) * 0x100000001b3ULL;
	return h;
}

/* Byte i of a pattern is seed + i (FILL with MMAPDEMO_FILL_INCREMENT). */
static inline void mmd_pattern_fill(unsigned char *p, size_t len,
				    unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(seed + i);
}

static inline bool mmd_pattern_ok(const unsigned char *p, size_t len,
				  unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (unsigned char)(seed + i))
			return false;
	return true;
}

/*
 * Wait up to @timeout_ms for MMD_DEV to exist (@present) or not: devtmpfs
 * creates and removes the node from the uevent, asynchronously.  Returns
 * 0 or -ETIMEDOUT.
 */
static inline int mmd_wait_node(bool present, int timeout_ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int waited;

	for (waited = 0; waited <= timeout_ms; waited += 10) {
		if ((access(MMD_DEV, F_OK) == 0) == present)
			return 0;
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}

/*
 * The module object of mmapdemo: the file @ko if it is a path (not NULL
 * nor empty), else mmapdemo by name from the module directory.  Returns 0
 * with *@mod set, or a negative errno with *@mod NULL: -ENOENT when it is
 * not installed.
 */
static inline int mmd_kmod_module(struct kmod_ctx *ctx, const char *ko,
				  struct kmod_module **mod)
{
	int ret;

	*mod = NULL;
	if (ko && *ko)
		return kmod_module_new_from_path(ctx, ko, mod);
	ret = kmod_module_new_from_name(ctx, MMD_MODNAME, mod);
	if (ret < 0)
		return ret;
	if (!kmod_module_get_path(*mod)) {
		kmod_module_unref(*mod);
		*mod = NULL;
		return -ENOENT;
	}
	return 0;
}

/*
 * Insert @mod with @params ("NAME=VALUE ...", or NULL) and wait for its
 * node.  Returns 0; the kernel's negative errno (nothing was loaded); or
 * MMD_NODE_LATE: loaded, but MMD_DEV did not appear within
 * MMD_NODE_WAIT_MS.
 */
static inline int mmd_kmod_insert(struct kmod_module *mod, const char *params)
{
	int ret = kmod_module_insert_module(mod, 0, params);

	if (ret < 0)
		return ret;
	return mmd_wait_node(true, MMD_NODE_WAIT_MS) ? MMD_NODE_LATE : 0;
}

/*
 * Remove @mod without waiting for its users, then wait for the node to
 * go.  Returns 0; the kernel's negative errno (-EAGAIN or -EBUSY while
 * the device is open or mapped); or MMD_NODE_LATE: unloaded, but MMD_DEV
 * is still there after MMD_NODE_WAIT_MS.
 */
static inline int mmd_kmod_remove(struct kmod_module *mod)
{
	int ret = kmod_module_remove_module(mod, KMOD_REMOVE_NOWAIT);

	if (ret < 0)
		return ret;
	return mmd_wait_node(false, MMD_NODE_WAIT_MS) ? MMD_NODE_LATE : 0;
}

#endif /* MMAPDEMO_COMMON_H */
