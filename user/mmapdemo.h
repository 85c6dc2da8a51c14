/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmapdemo(1): the userspace side of /dev/mmapdemo.
 */
#ifndef MMAPDEMO_TOOL_H
#define MMAPDEMO_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/mmapdemo.h>

/* Paths, FNV-1a, the pattern, libkmod: shared with the selftests. */
#include "../selftests/mmapdemo_common.h"

/* What the driver promises for each strategy (see the uapi header). */
struct mmd_strategy {
	const char *name;
	const char *node;	/* maps with this strategy from offset 0 */
	bool private_cow;	/* MAP_PRIVATE: copy-on-write, else EINVAL */
	unsigned int batch;	/* pages one fault maps; 0: never faults */
	bool pmd;		/* maps 2 MiB blocks with one PMD */
};

extern const struct mmd_strategy mmd_strategies[MMAPDEMO_STRATEGY_SLOTS];
extern const char *mmd_prog;	/* argv[0] as a path we can re-execute */

/* Print "mmapdemo: <what>: <strerror(err)>" and a hint for known cases. */
void mmd_error(const char *what, int err);
int mmd_open(int flags);	/* with mmd_error() on failure */
int mmd_open_node(unsigned int s, int flags);	/* strategy @s's node */
/* "-s NAME": consumed, its number; absent: remap; unknown: -1 (said) */
int mmd_parse_strategy(int *argc, char ***argv);
int mmd_info(int fd, struct mmapdemo_info *info);
int mmd_stats(int fd, struct mmapdemo_stats *st);
/*
 * Write VAL to MMD_TRACEFS/FILE, opened O_WRONLY | OFLAG (O_TRUNC for a
 * setting, O_APPEND for a list such as a trigger file): 0 or -errno.
 */
#define MMD_TRACEFS	"/sys/kernel/tracing"
int mmd_tracefs_write(const char *file, const char *val, int oflag);
const char *mmd_size_str(uint64_t bytes, char *buf, size_t len);

int cmd_info(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_trace_demo(int argc, char **argv);
int cmd_peer(int argc, char **argv);
int cmd_read(int argc, char **argv);
int cmd_write(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_unload(int argc, char **argv);
int cmd_status(int argc, char **argv);

#endif /* MMAPDEMO_TOOL_H */
