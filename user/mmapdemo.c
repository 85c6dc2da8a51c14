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
	fprintf(stderr, "mmapdemo: %s: %s\n", what, strerror(err));
}

void mmd_error_node(const char *node, int err)
{
	struct group *gr;
	struct stat st;

	fprintf(stderr, "mmapdemo: open %s: %s\n", node, strerror(err));
	if (err == ENOENT)
		fprintf(stderr,
			"  %s does not exist: is the module loaded?\n"
			"  run `mmapdemo load` (or `insmod build/$(uname -r)/module/mmapdemo.ko`)\n",
			node);
	else if ((err == EACCES || err == EPERM) && !stat(node, &st) &&
		 st.st_gid && (gr = getgrgid(st.st_gid)))
		fprintf(stderr,
			"  %s is mode %04o, group %s: ask for membership\n"
			"  (usermod -aG %s USER, then log in again), or run as root\n",
			node, st.st_mode & 07777, gr->gr_name, gr->gr_name);
	else if ((err == EACCES || err == EPERM) && !stat(node, &st))
		fprintf(stderr,
			"  %s is mode %04o, owner uid %u: run as root, or install the\n"
			"  udev rule udev/60-mmapdemo.rules (group mmapdemo, mode 0660);\n"
			"  for a quick test, mmapdemo load mode=0666\n",
			node, st.st_mode & 07777, st.st_uid);
}

int mmd_open(int flags)
{
	int fd = open(MMD_DEV, flags | O_CLOEXEC);

	if (fd < 0)
		mmd_error_node(MMD_DEV, errno);
	return fd;
}

int mmd_open_node(unsigned int s, int flags)
{
	const char *node = mmd_strategies[s].node;
	int fd = open(node, flags | O_CLOEXEC);

	if (fd < 0)
		mmd_error_node(node, errno);
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

/* info and stats: --json, or nothing. */
static int json_opt(int argc, char **argv, bool *json)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 256 },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	*json = false;
	while ((c = mmd_getopt(argc, argv, "", lo)) != -1)
		*json = true;
	return mmd_operands(argc, argv, 0);
}

int cmd_info(int argc, char **argv)
{
	struct mmapdemo_info info;
	struct utsname u;
	char sz[32], mx[32];
	int fd, s, first = 1;
	bool json;

	if (json_opt(argc, argv, &json))
		return 2;
	fd = mmd_open(O_RDONLY);
	if (fd < 0 || mmd_info(fd, &info))
		return 1;
	close(fd);
	uname(&u);
	if (json) {
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
	bool json;

	if (json_opt(argc, argv, &json))
		return 2;
	fd = mmd_open(O_RDONLY);
	if (fd < 0 || mmd_info(fd, &info) || mmd_stats(fd, &st))
		return 1;
	close(fd);
	if (json) {
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

/*
 * read and write: [-s STRATEGY] OFFSET and a LENGTH or a TEXT; the node of
 * the strategy open, the range checked against the buffer.  0, or the exit
 * status.
 */
static int rw_args(int argc, char **argv, bool rd, int *s, uint64_t *off,
		   size_t *len, int *fd)
{
	static const struct option lo[] = {
		{ "strategy", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	struct mmapdemo_info info;
	uint64_t n;
	int c;

	*s = MMAPDEMO_STRATEGY_REMAP;
	while ((c = mmd_getopt(argc, argv, "s:", lo)) != -1) {
		*s = mmd_strategy_by_name(optarg);
		if (*s < 0)
			return 2;
	}
	if (mmd_operands(argc, argv, 2))
		return 2;
	/* the buffer is at most 1 GiB: larger is never valid */
	if (!mmd_parse_num("OFFSET", argv[optind], true, 0, 1ULL << 30,
			   off))
		return 2;
	if (rd) {
		if (!mmd_parse_num("LENGTH", argv[optind + 1], true, 0,
				   1ULL << 30, &n))
			return 2;
		*len = n;
	} else {
		*len = strlen(argv[optind + 1]);
	}
	*fd = mmd_open_node(*s, rd ? O_RDONLY : O_RDWR);
	if (*fd < 0)
		return 1;
	if (mmd_info(*fd, &info)) {
		close(*fd);
		return 1;
	}
	if (*off + (*len ? *len : 1) > info.buffer_size) {
		close(*fd);
		return mmd_usage_error("OFFSET %#llx + %s %zu is past the end of the %llu-byte buffer",
				       (unsigned long long)*off,
				       rd ? "LENGTH" : "TEXT length", *len,
				       (unsigned long long)info.buffer_size);
	}
	return 0;
}

int cmd_write(int argc, char **argv)
{
	unsigned char *p;
	size_t len, maplen;
	uint64_t off;
	void *map;
	int s, fd, ret;

	ret = rw_args(argc, argv, false, &s, &off, &len, &fd);
	if (ret)
		return ret;
	p = map_range(fd, off, len ? len : 1, PROT_READ | PROT_WRITE, &map,
		      &maplen);
	if (!p)
		return 1;
	memcpy(p, argv[optind + 1], len);
	munmap(map, maplen);
	close(fd);
	printf("wrote %zu bytes at %#llx through a %s mapping\n", len,
	       (unsigned long long)off, mmd_strategies[s].name);
	return 0;
}

int cmd_read(int argc, char **argv)
{
	unsigned char *p;
	size_t len, maplen, i;
	uint64_t off;
	void *map;
	int s, fd, ret;

	ret = rw_args(argc, argv, true, &s, &off, &len, &fd);
	if (ret)
		return ret;
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

static void usage_rw(FILE *f)
{
	mmd_usage_strategy(f);
	mmd_usage_numbers(f);
}

static const struct mmd_command commands[] = {
	{ "verify", cmd_verify, "[-s STRATEGY]",
	  "prove that every view of the buffer shows the same bytes",
	  mmd_usage_strategy },
	{ "bench", cmd_bench, "[--reps N] [--touch-mib M] [--only TABLE,..] [--json FILE]",
	  "every strategy against the floor, hugetlb, THP, udmabuf",
	  bench_usage_more },
	{ "trace-demo", cmd_trace_demo, "[-o DIR]",
	  "the kernel's call graph of mmap, first store, munmap (root)", NULL },
	{ "info", cmd_info, "[--json]", "buffer size, strategies, ABI", NULL },
	{ "stats", cmd_stats, "[--json]", "opens, mappings, faults per strategy",
	  NULL },
	{ "write", cmd_write, "[-s STRATEGY] OFFSET TEXT",
	  "store TEXT at buffer OFFSET through a mapping", usage_rw },
	{ "read", cmd_read, "[-s STRATEGY] OFFSET LENGTH",
	  "print LENGTH bytes at buffer OFFSET through a mapping", usage_rw },
	{ "load", cmd_load, "[PATH.ko] [size=N] [mode=0NNN]",
	  "load the module (libkmod), wait for " MMD_DEV, NULL },
	{ "unload", cmd_unload, "", "unload the module, or say who holds it",
	  NULL },
	{ "status", cmd_status, "", "is the module loaded, who holds it",
	  NULL },
	{ "__peer", cmd_peer, "", NULL, NULL },	/* verify re-executes itself */
};

#define NR_COMMANDS	(sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	unsigned int i;

	fprintf(f, "usage: mmapdemo COMMAND [OPTIONS] [ARGS]\n"
		"       mmapdemo --version\n\n"
		"Maps %s and shows, with real bytes, that the kernel buffer\n"
		"behind it is shared.  Commands:\n\n", MMD_DEV);
	for (i = 0; i < NR_COMMANDS; i++)
		if (commands[i].help)
			fprintf(f, "  %-10s %-34s %s\n", commands[i].name,
				commands[i].args, commands[i].help);
	fprintf(f, "\nSTRATEGY is one of: %s.  Options may come anywhere after\n"
		"COMMAND.  'mmapdemo COMMAND --help' for one command; man mmapdemo\n"
		"(user/mmapdemo.1) for all.\n", mmd_strategy_names());
}

/* The tool's version (user/Makefile takes it from module/mmapdemo.h) and
 * the loaded module's.
 */
static int version(void)
{
	char v[64] = "";
	FILE *f;

	printf("mmapdemo tool %s\n", MMD_TOOL_VERSION);
	f = fopen("/sys/module/" MMD_MODNAME "/version", "r");
	if (f) {
		if (fgets(v, sizeof(v), f))
			v[strcspn(v, "\n")] = '\0';
		fclose(f);
	}
	if (*v)
		printf("mmapdemo module %s\n", v);
	else if (!access("/sys/module/" MMD_MODNAME, F_OK))
		printf("mmapdemo module loaded, without a version\n");
	else
		printf("mmapdemo module not loaded\n");
	return 0;
}

static const struct mmd_command *find_command(const char *name)
{
	unsigned int i;

	for (i = 0; i < NR_COMMANDS; i++)
		if (commands[i].help && !strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct mmd_command *cmd = NULL;
	char *word;
	int i;

	mmd_prog = argv[0];
	if (argc >= 2 && !strcmp(argv[1], "__peer")) {
		mmd_cmd = &commands[NR_COMMANDS - 1];
		return cmd_peer(argc - 1, argv + 1);
	}
	/* the command is the first word that names one (before any --) */
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		cmd = find_command(argv[i]);
		if (cmd)
			break;
	}
	if (!cmd) {
		if (argc == 2 && (!strcmp(argv[1], "--help") ||
				  !strcmp(argv[1], "-h"))) {
			usage(stdout);
			return 0;
		}
		if (argc == 2 && (!strcmp(argv[1], "--version") ||
				  !strcmp(argv[1], "-V")))
			return version();
		if (argc < 2)
			fprintf(stderr, "mmapdemo: no command\n\n");
		else if (argv[1][0] == '-')
			fprintf(stderr, "mmapdemo: unknown option '%s' (or no command)\n\n",
				argv[1]);
		else
			fprintf(stderr, "mmapdemo: unknown command '%s'\n\n",
				argv[1]);
		usage(stderr);
		return 2;
	}
	/* options before it are its options: move it to the front */
	word = argv[i];
	memmove(argv + 2, argv + 1, (i - 1) * sizeof(*argv));
	argv[1] = word;
	mmd_cmd = cmd;
	return cmd->fn(argc - 1, argv + 1);
}
