/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the mmapdemo selftests: finding or loading the module,
 * reading its statistics, and probing memory accesses that may fault.
 * What the tool (user/) uses too is in mmapdemo_common.h.
 */
#ifndef MMAPDEMO_UTIL_H
#define MMAPDEMO_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libkmod.h>
#include <linux/mmapdemo.h>

#include "mmapdemo_common.h"

#define MMD_MODULE	"/sys/module/mmapdemo"

/*
 * Load mmapdemo: from $MMAPDEMO_KO if set, else by name from the module
 * directory.  Returns 0 or a negative errno (-ETIMEDOUT: no node).
 */
static inline int mmd_load(const char *params)
{
	struct kmod_module *mod;
	struct kmod_ctx *ctx;
	int ret;

	ctx = kmod_new(NULL, NULL);
	if (!ctx)
		return -ENOMEM;
	ret = mmd_kmod_module(ctx, getenv("MMAPDEMO_KO"), &mod);
	if (ret == 0)
		ret = mmd_kmod_insert(mod, params);
	if (mod)
		kmod_module_unref(mod);
	kmod_unref(ctx);
	return ret == MMD_NODE_LATE ? -ETIMEDOUT : ret;
}

/* The loaded module's buffer is one physical range (INFO_ONE_RANGE). */
static inline bool mmd_one_range(void)
{
	struct mmapdemo_info info = { 0 };
	int fd = open(MMD_DEV, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (ioctl(fd, MMAPDEMO_IOC_INFO, &info))
		info.flags = 0;
	close(fd);
	return info.flags & MMAPDEMO_INFO_ONE_RANGE;
}

/* Unload mmapdemo: 0 or a negative errno (-EAGAIN/-EBUSY while in use). */
static inline int mmd_unload(void)
{
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	int ret;

	ctx = kmod_new(NULL, NULL);
	if (!ctx)
		return -ENOMEM;
	ret = kmod_module_new_from_name(ctx, MMD_MODNAME, &mod);
	if (ret == 0)
		ret = mmd_kmod_remove(mod);
	if (mod)
		kmod_module_unref(mod);
	kmod_unref(ctx);
	return ret == MMD_NODE_LATE ? -ETIMEDOUT : ret;
}

/* The device node, loading the module first if needed. */
static inline int mmd_ensure(void)
{
	int ret;

	if (access(MMD_DEV, F_OK) == 0)
		return 0;
	ret = mmd_load(NULL);
	return ret == -EEXIST ? mmd_wait_node(true, MMD_NODE_WAIT_MS) : ret;
}

static inline void mmd_stats(int fd, struct mmapdemo_stats *st)
{
	if (ioctl(fd, MMAPDEMO_IOC_STATS, st)) {
		perror("MMAPDEMO_IOC_STATS");
		exit(1);
	}
}

static inline uint64_t mmd_live(int fd, unsigned int strategy)
{
	struct mmapdemo_stats st;

	mmd_stats(fd, &st);
	return st.strategy[strategy].live_maps;
}

static inline uint64_t mmd_faults(int fd, unsigned int strategy)
{
	struct mmapdemo_stats st;

	mmd_stats(fd, &st);
	return st.strategy[strategy].faults;
}

/* The offset of the first byte of @p that is not zero, or @len. */
static inline size_t mmd_first_nonzero(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			break;
	return i;
}

/*
 * Start mmapdemo_peer (next to this program) as a new process that opens
 * and maps the device on its own: "OFFSET LENGTH OP ARG".  Returns its pid
 * or -1; mmd_run_peer() waits and returns its exit status or -1.
 */
static inline pid_t mmd_spawn_peer(unsigned long long off, size_t len,
				   const char *op, unsigned long long arg)
{
	extern char **environ;
	char path[PATH_MAX], a[3][32], *slash;
	char *argv[6];
	ssize_t n;
	pid_t pid;

	n = readlink("/proc/self/exe", path, sizeof(path) - 32);
	if (n < 0)
		return -1;
	path[n] = '\0';
	slash = strrchr(path, '/');
	strcpy(slash + 1, "mmapdemo_peer");
	snprintf(a[0], sizeof(a[0]), "%llu", off);
	snprintf(a[1], sizeof(a[1]), "%zu", len);
	snprintf(a[2], sizeof(a[2]), "%llu", arg);
	argv[0] = path;
	argv[1] = a[0];
	argv[2] = a[1];
	argv[3] = (char *)op;
	argv[4] = a[2];
	argv[5] = NULL;
	if (posix_spawn(&pid, path, NULL, NULL, argv, environ))
		return -1;
	return pid;
}

static inline int mmd_run_peer(unsigned long long off, size_t len,
			       const char *op, unsigned long long arg)
{
	pid_t pid = mmd_spawn_peer(off, len, op, arg);
	int st;

	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* Read a number from a sysfs file; -1 on error. */
static inline long long mmd_sysfs_ull(const char *path)
{
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

#ifdef __KSELFTEST_HARNESS_H
/*
 * The start of every fixture: the module loaded (else the test is skipped
 * with the reason), /dev/mmapdemo open read-write, its INFO in @info.
 * Returns the fd, or -1 after SKIP.
 */
static inline int mmd_fixture_open(struct __test_metadata *_metadata,
				   struct mmapdemo_info *info)
{
	int fd, ret = mmd_ensure();

	if (ret)
		SKIP(return -1, "mmapdemo is not loaded and loading it failed: %s",
		     strerror(-ret));
	fd = open(MMD_DEV, O_RDWR);
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", MMD_DEV, strerror(errno));
	ASSERT_EQ(0, ioctl(fd, MMAPDEMO_IOC_INFO, info));
	return fd;
}
#endif

/* Field @key ("MemFree", ...) of /proc/meminfo in kB; -1 if missing. */
static inline long long meminfo_kb(const char *key)
{
	char line[256];
	long long v = -1;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			sscanf(line + n + 1, "%lld", &v);
	fclose(f);
	return v;
}

/* Write a string to a sysfs/proc file; 0 or -errno. */
static inline int mmd_write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * Touch memory that may not be accessible: returns 0, SIGSEGV or SIGBUS.
 * The signal handler jumps back here instead of letting the test die.
 */
static sigjmp_buf mmd_jmp;

static inline void mmd_on_signal(int sig)
{
	siglongjmp(mmd_jmp, sig);
}

static inline int mmd_probe(volatile char *p, int write, char val)
{
	struct sigaction sa = { .sa_handler = mmd_on_signal }, osegv, obus;
	int sig;

	sigaction(SIGSEGV, &sa, &osegv);
	sigaction(SIGBUS, &sa, &obus);
	sig = sigsetjmp(mmd_jmp, 1);
	if (!sig) {
		if (write)
			*p = val;
		else
			(void)*p;
	}
	sigaction(SIGSEGV, &osegv, NULL);
	sigaction(SIGBUS, &obus, NULL);
	return sig;
}

#define mmd_probe_read(p)	mmd_probe((volatile char *)(p), 0, 0)
#define mmd_probe_write(p, v)	mmd_probe((volatile char *)(p), 1, (v))

#endif /* MMAPDEMO_UTIL_H */
