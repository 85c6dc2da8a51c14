// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo(1): load the module, map /dev/mmapdemo and prove that every view
 * of its buffer shows the same bytes, show its counters.
 *
 * This file: command dispatch, device access with errors a person can act
 * on, "info" and "stats".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "mmapdemo.h"

const struct mmd_strategy mmd_strategies[MMAPDEMO_STRATEGY_SLOTS] = {
	[MMAPDEMO_STRATEGY_REMAP] = { "remap", MMD_DEV, false, 0, false },
	[MMAPDEMO_STRATEGY_FAULT] = { "fault", MMD_DEV "-fault", true, 1, false },
	[MMAPDEMO_STRATEGY_BATCHED] = { "batched", MMD_DEV "-batched", true,
					MMAPDEMO_BATCH_PAGES, false },
	/* below 2 MiB huge maps 4 KiB pages, one per fault */
	[MMAPDEMO_STRATEGY_HUGE] = { "huge", MMD_DEV "-huge", false, 1, true },
};

const char *mmd_prog = "mmapdemo";

void mmd_error(const char *what, int err)
{
	struct group *gr;
	struct stat st;

	fprintf(stderr, "mmapdemo: %s: %s\n", what, strerror(err));
	if (err == ENOENT && !strstr(what, ".ko"))
		fprintf(stderr,
			"  %s does not exist: is the module loaded?\n"
			"  run `mmapdemo load` (or `insmod build/$(uname -r)/module/mmapdemo.ko`)\n",
			MMD_DEV);
	else if ((err == EACCES || err == EPERM) && !stat(MMD_DEV, &st) &&
		 st.st_gid && (gr = getgrgid(st.st_gid)))
		fprintf(stderr,
			"  %s is mode %04o, group %s: ask for membership\n"
			"  (usermod -aG %s USER, then log in again), or run as root\n",
			MMD_DEV, st.st_mode & 07777, gr->gr_name, gr->gr_name);
	else if ((err == EACCES || err == EPERM) && !stat(MMD_DEV, &st))
		fprintf(stderr,
			"  %s is mode %04o, owner uid %u: run as root, or install the\n"
			"  udev rule udev/60-mmapdemo.rules (group mmapdemo, mode 0660);\n"
			"  for a quick test, mmapdemo load mode=0666\n",
			MMD_DEV, st.st_mode & 07777, st.st_uid);
}

int mmd_open(int flags)
{
	int fd = open(MMD_DEV, flags | O_CLOEXEC);

	if (fd < 0)
		mmd_error("open " MMD_DEV, errno);
	return fd;
}

int mmd_open_node(unsigned int s, int flags)
{
	const char *node = mmd_strategies[s].node;
	char what[64];
	int fd = open(node, flags | O_CLOEXEC);

	if (fd < 0) {
		snprintf(what, sizeof(what), "open %s", node);
		mmd_error(what, errno);
	}
	return fd;
}

int mmd_info(int fd, struct mmapdemo_info *info)
{
	if (ioctl(fd, MMAPDEMO_IOC_INFO, info)) {
		mmd_error("ioctl MMAPDEMO_IOC_INFO", errno);
		return -1;
	}
	if (info->abi_version != MMAPDEMO_ABI_VERSION) {
		fprintf(stderr, "mmapdemo: the module speaks ABI %u, this tool %u: rebuild one of them\n",
			info->abi_version, MMAPDEMO_ABI_VERSION);
		return -1;
	}
	return 0;
}

int mmd_stats(int fd, struct mmapdemo_stats *st)
{
	if (ioctl(fd, MMAPDEMO_IOC_STATS, st)) {
		mmd_error("ioctl MMAPDEMO_IOC_STATS", errno);
		return -1;
	}
	return 0;
}

int mmd_tracefs_write(const char *file, const char *val, int oflag)
{
	char path[160];
	int fd, ret = 0;

	snprintf(path, sizeof(path), MMD_TRACEFS "/%s", file);
	fd = open(path, O_WRONLY | oflag);
	if (fd < 0 || write(fd, val, strlen(val)) < 0)
		ret = -errno;
	if (fd >= 0)
		close(fd);
	return ret;
}

const char *mmd_size_str(uint64_t bytes, char *buf, size_t len)
{
	if (bytes >= (1ULL << 20) && !(bytes & ((1ULL << 20) - 1)))
		snprintf(buf, len, "%llu MiB", (unsigned long long)bytes >> 20);
	else if (bytes >= 1024 && !(bytes & 1023))
		snprintf(buf, len, "%llu KiB", (unsigned long long)bytes >> 10);
	else
		snprintf(buf, len, "%llu bytes", (unsigned long long)bytes);
	return buf;
}

static bool want_json(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--json"))
			return true;
	return false;
}

int cmd_info(int argc, char **argv)
{
	struct mmapdemo_info info;
	struct utsname u;
	char sz[32], mx[32];
	int fd, s, first = 1;

	fd = mmd_open(O_RDONLY);
	if (fd < 0 || mmd_info(fd, &info))
		return 1;
	close(fd);
	uname(&u);
	if (want_json(argc, argv)) {
		printf("{\"device\": \"%s\", \"kernel\": \"%s\", \"abi_version\": %u, "
		       "\"buffer_size\": %llu, \"page_size\": %u, \"max_size\": %llu, "
		       "\"region_size\": %llu, \"huge_blocks\": %u, \"huge_pmd\": %s, "
		       "\"one_range\": %s, \"strategies\": [",
		       MMD_DEV, u.release, info.abi_version,
		       (unsigned long long)info.buffer_size, info.page_size,
		       (unsigned long long)info.max_size,
		       (unsigned long long)info.region_size, info.huge_blocks,
		       info.flags & MMAPDEMO_INFO_HUGE_PMD ? "true" : "false",
		       info.flags & MMAPDEMO_INFO_ONE_RANGE ? "true" : "false");
		for (s = 0; s < MMAPDEMO_STRATEGY_SLOTS; s++) {
			if (!(info.strategies & (1U << s)))
				continue;
			printf("%s{\"name\": \"%s\", \"node\": \"%s\", \"offset\": %llu}",
			       first ? "" : ", ",
			       mmd_strategies[s].name ? mmd_strategies[s].name : "?",
			       mmd_strategies[s].node ? mmd_strategies[s].node : "?",
			       (unsigned long long)MMAPDEMO_OFFSET(s));
			first = 0;
		}
		printf("]}\n");
		return 0;
	}
	printf("device       %s (kernel %s)\n", MMD_DEV, u.release);
	printf("ABI version  %u\n", info.abi_version);
	printf("buffer       %s (%llu pages of %u bytes), at most %s\n",
	       mmd_size_str(info.buffer_size, sz, sizeof(sz)),
	       (unsigned long long)info.buffer_size / info.page_size,
	       info.page_size, mmd_size_str(info.max_size, mx, sizeof(mx)));
	printf("2 MiB blocks %u physically contiguous; huge maps them %s\n",
	       info.huge_blocks, info.flags & MMAPDEMO_INFO_HUGE_PMD ?
	       "by PMD" : "by 4 KiB pages (no PFN PMDs on this kernel)");
	printf("layout       %s\n", info.flags & MMAPDEMO_INFO_ONE_RANGE ?
	       "one physical range (remap: one mmap action)" :
	       "2 MiB blocks (remap: run by run)");
	printf("strategies   its node from offset 0, or %s at offset + buffer offset:\n",
	       MMD_DEV);
	for (s = 0; s < MMAPDEMO_STRATEGY_SLOTS; s++)
		if (info.strategies & (1U << s))
			printf("  %-8s   %-22s offset %#llx\n",
			       mmd_strategies[s].name ? mmd_strategies[s].name : "?",
			       mmd_strategies[s].node ? mmd_strategies[s].node : "?",
			       (unsigned long long)MMAPDEMO_OFFSET(s));
	return 0;
}

int cmd_stats(int argc, char **argv)
{
	struct mmapdemo_info info;
	struct mmapdemo_stats st;
	int fd, s, first = 1;

	fd = mmd_open(O_RDONLY);
	if (fd < 0 || mmd_info(fd, &info) || mmd_stats(fd, &st))
		return 1;
	close(fd);
	if (want_json(argc, argv)) {
		printf("{\"opens\": %llu, \"open_files\": %llu, \"live_maps\": %llu, "
		       "\"faults\": %llu, \"sigbus\": %llu, \"resizes\": %llu, "
		       "\"strategies\": {",
		       (unsigned long long)st.opens,
		       (unsigned long long)st.open_files,
		       (unsigned long long)st.live_maps,
		       (unsigned long long)st.faults,
		       (unsigned long long)st.sigbus,
		       (unsigned long long)st.resizes);
		for (s = 0; s < MMAPDEMO_STRATEGY_SLOTS; s++) {
			struct mmapdemo_strategy_stats *t = &st.strategy[s];

			if (!(info.strategies & (1U << s)))
				continue;
			printf("%s\"%s\": {\"mmaps\": %llu, \"live_maps\": %llu, "
			       "\"faults\": %llu, \"pages_mapped\": %llu}",
			       first ? "" : ", ", mmd_strategies[s].name,
			       (unsigned long long)t->mmaps,
			       (unsigned long long)t->live_maps,
			       (unsigned long long)t->faults,
			       (unsigned long long)t->pages_mapped);
			first = 0;
		}
		printf("}}\n");
		return 0;
	}
	printf("opens %llu, open files %llu (a mapping keeps its file open), "
	       "live mappings %llu\nfaults %llu, refused with SIGBUS %llu, "
	       "resizes %llu\n\n",
	       (unsigned long long)st.opens, (unsigned long long)st.open_files,
	       (unsigned long long)st.live_maps, (unsigned long long)st.faults,
	       (unsigned long long)st.sigbus, (unsigned long long)st.resizes);
	printf("%-8s %10s %10s %10s %13s\n", "strategy", "mmaps", "live VMAs",
	       "faults", "pages mapped");
	for (s = 0; s < MMAPDEMO_STRATEGY_SLOTS; s++) {
		struct mmapdemo_strategy_stats *t = &st.strategy[s];

		if (!(info.strategies & (1U << s)))
			continue;
		printf("%-8s %10llu %10llu %10llu %13llu\n",
		       mmd_strategies[s].name, (unsigned long long)t->mmaps,
		       (unsigned long long)t->live_maps,
		       (unsigned long long)t->faults,
		       (unsigned long long)t->pages_mapped);
	}
	return 0;
}

/* "-s NAME" or "--strategy NAME": the strategy's number, default remap. */
int mmd_parse_strategy(int *argc, char ***argv)
{
	unsigned int s;

	if (*argc < 3 || (strcmp((*argv)[1], "-s") &&
			  strcmp((*argv)[1], "--strategy")))
		return MMAPDEMO_STRATEGY_REMAP;
	for (s = 0; s < MMAPDEMO_STRATEGY_SLOTS; s++) {
		if (mmd_strategies[s].name &&
		    !strcmp(mmd_strategies[s].name, (*argv)[2])) {
			*argc -= 2;
			*argv += 2;
			return s;
		}
	}
	fprintf(stderr, "mmapdemo: unknown strategy '%s'\n", (*argv)[2]);
	return -1;
}

/*
 * Map the pages around [off, off + len) of @fd, the node of the strategy;
 * returns the address of byte @off and the mapping in @map/@maplen.
 */
static unsigned char *map_range(int fd, unsigned long long off,
				size_t len, int prot, void **map, size_t *maplen)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned long long start = off & ~(unsigned long long)(page - 1);

	*maplen = off + len - start;
	*map = mmap(NULL, *maplen, prot, MAP_SHARED, fd, start);
	if (*map == MAP_FAILED) {
		mmd_error("mmap", errno);
		return NULL;
	}
	return (unsigned char *)*map + (off - start);
}

int cmd_write(int argc, char **argv)
{
	int s = mmd_parse_strategy(&argc, &argv);
	unsigned long long off;
	unsigned char *p;
	size_t len, maplen;
	void *map;
	int fd;

	if (s < 0 || argc != 3) {
		fprintf(stderr, "usage: mmapdemo write [-s STRATEGY] OFFSET TEXT\n");
		return 2;
	}
	off = strtoull(argv[1], NULL, 0);
	len = strlen(argv[2]);
	fd = mmd_open_node(s, O_RDWR);
	if (fd < 0)
		return 1;
	p = map_range(fd, off, len ? len : 1, PROT_READ | PROT_WRITE, &map,
		      &maplen);
	if (!p)
		return 1;
	memcpy(p, argv[2], len);
	munmap(map, maplen);
	close(fd);
	printf("wrote %zu bytes at %#llx through a %s mapping\n", len, off,
	       mmd_strategies[s].name);
	return 0;
}

int cmd_read(int argc, char **argv)
{
	int s = mmd_parse_strategy(&argc, &argv);
	unsigned long long off;
	unsigned char *p;
	size_t len, maplen, i;
	void *map;
	int fd;

	if (s < 0 || argc != 3) {
		fprintf(stderr, "usage: mmapdemo read [-s STRATEGY] OFFSET LENGTH\n");
		return 2;
	}
	off = strtoull(argv[1], NULL, 0);
	len = strtoull(argv[2], NULL, 0);
	fd = mmd_open_node(s, O_RDONLY);
	if (fd < 0)
		return 1;
	p = map_range(fd, off, len ? len : 1, PROT_READ, &map, &maplen);
	if (!p)
		return 1;
	/* the bytes as text; anything unprintable as \xNN */
	for (i = 0; i < len; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			putchar(p[i]);
		else
			printf("\\x%02x", p[i]);
	}
	putchar('\n');
	munmap(map, maplen);
	close(fd);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
	const char *help;
} commands[] = {
	{ "verify", cmd_verify, "[-s STRATEGY]",
	  "prove that every view of the buffer shows the same bytes" },
	{ "bench", cmd_bench, "[--reps N] [--touch-mib M] [--only T,..] [--json F]",
	  "every strategy against the floor, hugetlb, THP, udmabuf" },
	{ "trace-demo", cmd_trace_demo, "[-o DIR]",
	  "the kernel's call graph of mmap, first store, munmap (root)" },
	{ "info", cmd_info, "[--json]", "buffer size, strategies, ABI" },
	{ "stats", cmd_stats, "[--json]", "opens, mappings, faults per strategy" },
	{ "write", cmd_write, "[-s STRATEGY] OFFSET TEXT",
	  "store TEXT at buffer OFFSET through a mapping" },
	{ "read", cmd_read, "[-s STRATEGY] OFFSET LENGTH",
	  "print LENGTH bytes at buffer OFFSET through a mapping" },
	{ "load", cmd_load, "[PATH.ko] [size=N] [mode=0NNN]",
	  "load the module (libkmod), wait for " MMD_DEV },
	{ "unload", cmd_unload, "", "unload the module, or say who holds it" },
	{ "status", cmd_status, "", "is the module loaded, who holds it" },
	{ "__peer", cmd_peer, "", NULL },	/* verify re-executes itself */
};

static void usage(FILE *f)
{
	unsigned int i;

	fprintf(f, "usage: mmapdemo COMMAND [ARGS]\n\n"
		"Maps %s and shows, with real bytes, that the kernel buffer\n"
		"behind it is shared.  Commands:\n\n", MMD_DEV);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].help)
			fprintf(f, "  %-10s %-34s %s\n", commands[i].name,
				commands[i].args, commands[i].help);
	fprintf(f, "\n'mmapdemo COMMAND --help' for one command; man mmapdemo "
		"(user/mmapdemo.1) for all.\n");
}

int main(int argc, char **argv)
{
	unsigned int i;

	mmd_prog = argv[0];
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		if (argc > 2 && commands[i].help &&
		    (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
			printf("usage: mmapdemo %s %s\n  %s\n", commands[i].name,
			       commands[i].args, commands[i].help);
			return 0;
		}
		return commands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "mmapdemo: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
