// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo(1)'s command line: every command's options through
 * getopt_long(), in any position, and every number parsed strictly, so
 * that a typo is a usage error (exit 2) naming the argument, never another
 * offset than the one meant or a late mmap() failure.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmapdemo.h"

const struct mmd_command *mmd_cmd;

static void usage_line(FILE *f)
{
	fprintf(f, "usage: mmapdemo %s%s%s\n", mmd_cmd->name,
		*mmd_cmd->args ? " " : "", mmd_cmd->args);
}

int mmd_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mmapdemo %s: ", mmd_cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage_line(stderr);
	return 2;
}

const char *mmd_strategy_names(void)
{
	static char names[128];
	unsigned int s;

	if (!*names)
		for (s = 0; s < MMAPDEMO_STRATEGY_SLOTS; s++)
			if (mmd_strategies[s].name)
				snprintf(names + strlen(names),
					 sizeof(names) - strlen(names), "%s%s",
					 *names ? ", " : "",
					 mmd_strategies[s].name);
	return names;
}

void mmd_usage_strategy(FILE *f)
{
	fprintf(f, "  STRATEGY is one of: %s (default remap)\n",
		mmd_strategy_names());
}

void mmd_usage_numbers(FILE *f)
{
	fprintf(f, "  numbers: decimal, or hex after 0x; sizes and offsets may end in\n"
		"  K, M or G (KiB, MiB, GiB); an argument that starts with '-' goes after --\n");
}

int mmd_strategy_by_name(const char *name)
{
	unsigned int s;

	for (s = 0; s < MMAPDEMO_STRATEGY_SLOTS; s++)
		if (mmd_strategies[s].name && !strcmp(mmd_strategies[s].name, name))
			return s;
	mmd_usage_error("unknown strategy '%s': it is one of %s", name,
			mmd_strategy_names());
	return -1;
}

/*
 * Does option element @a take the next element as its value (--name VALUE,
 * -s VALUE; not --name=VALUE, -sVALUE)?  Long names match as getopt_long()
 * matches them, by any unambiguous prefix.
 */
static bool takes_next(const char *a, const char *shortopts,
		       const struct option *lo)
{
	size_t n;

	if (a[1] == '-') {
		n = strcspn(a + 2, "=");
		if (a[2 + n])
			return false;
		for (; lo->name; lo++)
			if (!strncmp(lo->name, a + 2, n))
				return lo->has_arg == required_argument;
		return false;
	}
	for (a++; *a; a++) {
		const char *o = strchr(shortopts, *a);

		if (o && o[1] == ':')
			return !a[1];
	}
	return false;
}

/*
 * getopt_long() would take "-5" for option '5': hide each such operand
 * behind its '-' until the options are parsed, so that the operand's own
 * parser refuses it by name ("LENGTH '-5' is negative") or, for a TEXT,
 * takes it.
 */
static char *hidden[16];
static unsigned int nhidden;

static void hide_negatives(int argc, char **argv, const char *shortopts,
			   const struct option *lo)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (argv[i][0] != '-' || !argv[i][1])
			continue;
		if (isdigit((unsigned char)argv[i][1]) && nhidden < 16)
			hidden[nhidden++] = argv[i]++;
		else if (takes_next(argv[i], shortopts, lo))
			i++;
	}
}

static char *unhide(char *arg)
{
	unsigned int k;

	for (k = 0; k < nhidden; k++)
		if (arg == hidden[k] + 1)
			return hidden[k];
	return arg;
}

int mmd_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *longopts)
{
	static struct option all[16];
	static char opts[32];
	const char *bad;
	int c, n;

	if (!*opts) {
		for (n = 0; longopts && longopts[n].name && n < 14; n++)
			all[n] = longopts[n];
		all[n] = (struct option){ "help", no_argument, NULL, 'h' };
		/* ':' first: a missing value returns ':', not '?' */
		snprintf(opts, sizeof(opts), ":h%s", shortopts);
		hide_negatives(argc, argv, opts, all);
		opterr = 0;
	}
	c = getopt_long(argc, argv, opts, all, NULL);
	if (c == -1) {
		for (n = optind; n < argc; n++)
			argv[n] = unhide(argv[n]);
		return -1;
	}
	if (optarg)
		optarg = unhide(optarg);
	/* the option in error: a short one by its letter */
	bad = optind > 1 ? argv[optind - 1] : "?";
	switch (c) {
	case 'h':
		usage_line(stdout);
		printf("  %s\n", mmd_cmd->help ? mmd_cmd->help : "");
		if (mmd_cmd->more)
			mmd_cmd->more(stdout);
		exit(0);
	case ':':
		if (optopt > 0 && optopt < 256)
			exit(mmd_usage_error("option '-%c' needs a value", optopt));
		exit(mmd_usage_error("option '%s' needs a value", bad));
	case '?':
		if (optopt && !strncmp(bad, "--", 2) && strchr(bad, '='))
			exit(mmd_usage_error("option '%.*s' takes no value",
					     (int)strcspn(bad, "="), bad));
		if (optopt > 0 && optopt < 256)
			exit(mmd_usage_error("unknown option '-%c'", optopt));
		exit(mmd_usage_error("unknown option '%s'", bad));
	}
	return c;
}

int mmd_operands(int argc, char **argv, int n)
{
	if (argc - optind > n)
		return mmd_usage_error("unexpected argument '%s'",
				       argv[optind + n]);
	if (argc - optind < n)
		return mmd_usage_error("needs %d argument%s, got %d", n,
				       n == 1 ? "" : "s", argc - optind);
	return 0;
}

bool mmd_parse_num(const char *what, const char *s, bool units,
		   uint64_t min, uint64_t max, uint64_t *val)
{
	const char *p = s;
	unsigned long long v;
	int base = 10, shift = 0;
	char *end;

	if (!*s) {
		mmd_usage_error("%s is empty", what);
		return false;
	}
	if (*s == '-') {
		mmd_usage_error("%s '%s' is negative", what, s);
		return false;
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		p += 2;
	}
	/* strtoull() would skip blanks and take a sign: neither is a digit */
	if (!isxdigit((unsigned char)*p) || (base == 10 && !isdigit((unsigned char)*p)))
		goto nan;
	errno = 0;
	v = strtoull(p, &end, base);
	if (units && *end && strchr("KkMmGg", *end)) {
		shift = *end == 'K' || *end == 'k' ? 10 :
			*end == 'M' || *end == 'm' ? 20 : 30;
		end++;
	}
	if (*end)
		goto nan;
	if (errno == ERANGE || v > (UINT64_MAX >> shift)) {
		mmd_usage_error("%s '%s' is too large (at most %llu)", what, s,
				(unsigned long long)max);
		return false;
	}
	v <<= shift;
	if (v < min || v > max) {
		mmd_usage_error("%s '%s' is out of range %llu..%llu", what, s,
				(unsigned long long)min,
				(unsigned long long)max);
		return false;
	}
	*val = v;
	return true;
nan:
	mmd_usage_error("%s '%s' is not a number (decimal, or hex after 0x%s)",
			what, s, units ? "; K, M or G for KiB, MiB, GiB" : "");
	return false;
}
