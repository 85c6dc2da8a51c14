/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmapdemo(1): the userspace side of /dev/mmapdemo.
 */
#ifndef MMAPDEMO_TOOL_H
#define MMAPDEMO_TOOL_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

/* Print "mmapdemo: <what>: <strerror(err)>". */
void mmd_error(const char *what, int err);
/* The same for opening a device node, with a hint for known causes. */
void mmd_error_node(const char *node, int err);
int mmd_open(int flags);	/* with mmd_error_node() on failure */
int mmd_open_node(unsigned int s, int flags);	/* strategy @s's node */

/* A command: "mmapdemo NAME ARGS". */
struct mmd_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;	/* what follows the name in its usage */
	const char *help;	/* one line; NULL: internal, not listed */
	void (*more)(FILE *f);	/* further lines of its --help */
};

extern const struct mmd_command *mmd_cmd;	/* the one running */

/*
 * Command-line parsing, the same for every command.  mmd_getopt() is
 * getopt_long() over the command's arguments (argv[0] is the command), in
 * any order, plus -h/--help: it returns each option, then -1 with the
 * operands in argv[optind..argc - 1].  An argument that reads as a negative
 * number is an operand (so that its parser can refuse it by name).
 * --help prints the usage and exits 0; a bad option, or a missing value,
 * is said with the usage line, exit 2.
 */
int mmd_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *longopts);
/* "mmapdemo CMD: <fmt>" and the usage line on stderr; returns 2. */
int mmd_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* Exactly @n operands left after mmd_getopt(), else a usage error (2). */
int mmd_operands(int argc, char **argv, int n);
/*
 * @s as a number for @what (an operand's name or an option): decimal, or
 * hex after 0x; with @units, a K, M or G suffix (KiB, MiB, GiB).  Nothing
 * empty, negative, trailing or outside [min, max]: false, said.
 */
bool mmd_parse_num(const char *what, const char *s, bool units,
		   uint64_t min, uint64_t max, uint64_t *val);
/* The strategy called @name, or -1 (said, with the names there are). */
int mmd_strategy_by_name(const char *name);
/* "remap, fault, batched, huge" */
const char *mmd_strategy_names(void);
void mmd_usage_strategy(FILE *f);	/* the "STRATEGY is one of" line */
void mmd_usage_numbers(FILE *f);	/* how numbers are written */
int mmd_info(int fd, struct mmapdemo_info *info);
int mmd_stats(int fd, struct mmapdemo_stats *st);
/*
 * Write VAL to MMD_TRACEFS/FILE, opened O_WRONLY | OFLAG (O_TRUNC for a
 * setting, O_APPEND for a list such as a trigger file): 0 or -errno.
 */
#define MMD_TRACEFS	"/sys/kernel/tracing"
int mmd_tracefs_write(const char *file, const char *val, int oflag);
const char *mmd_size_str(uint64_t bytes, char *buf, size_t len);

/* bench's further --help lines: its tables, for --only. */
void bench_usage_more(FILE *f);

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
