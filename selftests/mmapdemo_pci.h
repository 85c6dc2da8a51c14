/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PCI functions behind the PCI half's nodes, from sysfs: shared by
 * mmapdemo_bar.c (ivshmem-plain), mmapdemo_dma.c (edu) and, without the
 * harness, mmapdemo_inject.c.
 */
#ifndef MMAPDEMO_PCI_H
#define MMAPDEMO_PCI_H

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#define PCI_DEVICES	"/sys/bus/pci/devices"
#define PCI_DRIVER	"/sys/bus/pci/drivers/mmapdemo"

/* "0x1af4\n" in a PCI function's sysfs @attr: the value, or -1. */
static inline long pci_attr(const char *bdf, const char *attr)
{
	char path[PATH_MAX];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/%s", bdf, attr);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%li", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static inline bool pci_is(const char *bdf, long vendor, long device)
{
	return pci_attr(bdf, "vendor") == vendor &&
	       pci_attr(bdf, "device") == device;
}

/* How many functions of @vendor:@device the guest has. */
static inline int pci_functions(long vendor, long device)
{
	DIR *d = opendir(PCI_DEVICES);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && pci_is(e->d_name, vendor, device))
			n++;
	closedir(d);
	return n;
}

/* The first function of @vendor:@device into @bdf: 0, or -ENODEV. */
static inline int pci_find(long vendor, long device, char *bdf, size_t len)
{
	DIR *d = opendir(PCI_DEVICES);
	struct dirent *e;
	int ret = -ENODEV;

	if (!d)
		return ret;
	while (ret && (e = readdir(d)))
		if (e->d_name[0] != '.' && pci_is(e->d_name, vendor, device) &&
		    strlen(e->d_name) < len) {
			memcpy(bdf, e->d_name, strlen(e->d_name) + 1);
			ret = 0;
		}
	closedir(d);
	return ret;
}

/* A misc node's PCI function, from its @link ("/sys/class/misc/X/device"). */
static inline int pci_node_bdf(const char *link, char *bdf, size_t len)
{
	char target[PATH_MAX], *slash;
	ssize_t n = readlink(link, target, sizeof(target) - 1);

	if (n < 0)
		return -errno;
	target[n] = '\0';
	slash = strrchr(target, '/');
	slash = slash ? slash + 1 : target;
	if (strlen(slash) >= len)
		return -ENAMETOOLONG;
	memcpy(bdf, slash, strlen(slash) + 1);
	return 0;
}

/* BAR @bar's "start end flags" line of sysfs resource: 0 or -1. */
static inline int pci_bar_range(const char *bdf, int bar,
				unsigned long long *start,
				unsigned long long *end)
{
	char path[PATH_MAX], line[128];
	unsigned long long flags;
	int i, ret = -1;
	FILE *f;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/resource", bdf);
	f = fopen(path, "r");
	if (!f)
		return -1;
	for (i = 0; i <= bar && fgets(line, sizeof(line), f); i++)
		if (i == bar &&
		    sscanf(line, "%llx %llx %llx", start, end, &flags) == 3 &&
		    *end > *start)
			ret = 0;
	fclose(f);
	return ret;
}

/*
 * The memory types x86's PAT lists (debugfs) over [@start, @end): how
 * many lines of type @type cover it all, and how many others overlap it.
 * -1 without the list (no CONFIG_X86_PAT or debugfs, or nopat).
 */
static inline int pat_types(unsigned long long start, unsigned long long end,
			    const char *type, int *other)
{
	unsigned long long s, e;
	char line[256], t[64];
	int covering = 0;
	FILE *f;

	if (access("/sys/kernel/debug/x86", F_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	f = fopen("/sys/kernel/debug/x86/pat_memtype_list", "r");
	if (!f)
		return -1;
	*other = 0;
	/* "PAT: [mem 0x<start>-0x<end, exclusive>] write-combining" */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "PAT: [mem 0x%llx-0x%llx] %63s", &s, &e, t) != 3 ||
		    s >= end || e <= start)
			continue;
		if (!strcmp(t, type) && s <= start && e >= end)
			covering++;
		else if (strcmp(t, type))
			(*other)++;
	}
	fclose(f);
	return covering;
}

/* An mmap() of a node that must fail, with @err. */
struct pci_refusal {
	const char *what;
	int prot, flags, err;
	off_t off;
	size_t len;
};

#ifdef __KSELFTEST_HARNESS_H
/* Each refusal of @bad fails with its errno and maps nothing. */
static inline void pci_expect_refusals(struct __test_metadata *_metadata,
				       int fd, const struct pci_refusal *bad,
				       unsigned int n)
{
	unsigned int i;
	void *p;

	for (i = 0; i < n; i++) {
		errno = 0;
		p = mmap(NULL, bad[i].len, bad[i].prot, bad[i].flags, fd,
			 bad[i].off);
		EXPECT_EQ(MAP_FAILED, p) TH_LOG("%s mapped", bad[i].what);
		EXPECT_EQ(bad[i].err, errno)
			TH_LOG("%s: %s", bad[i].what, strerror(errno));
		if (p != MAP_FAILED)
			munmap(p, bad[i].len);
	}
}
#endif /* __KSELFTEST_HARNESS_H */

/* Wait up to @ms for @node to exist (@present) or not. */
static inline bool pci_wait_node(const char *node, bool present, int ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int waited;

	for (waited = 0; waited <= ms; waited += 10) {
		if ((access(node, F_OK) == 0) == present)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

#endif /* MMAPDEMO_PCI_H */
