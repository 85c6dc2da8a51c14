// SPDX-License-Identifier: GPL-2.0
/*
 * A separate program for the mmapdemo selftests: it opens /dev/mmapdemo and
 * maps it on its own, so that a test can show sharing between processes
 * that have nothing in common but the device (no fork, no inherited fd).
 *
 * usage: mmapdemo_peer OFFSET LENGTH write|check SEED
 *   write: byte i of the mapping = SEED + i
 *   check: exit 0 if byte i of the mapping == SEED + i, else 1
 * usage: mmapdemo_peer OFFSET LENGTH produce|consume COUNT
 *   pass COUNT sequence-numbered records through a ring in the mapping
 *   (see mmapdemo_ring.h); consume exits 1 on a torn or stale record
 * usage: mmapdemo_peer OFFSET LENGTH hold SEED
 *   write like "write", print "mapped", then keep the mapping (and no fd)
 *   until a byte or end of file arrives on standard input: a process that
 *   pins the module through a mapping alone (mmapdemo_tool.sh's unload
 *   test)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mmapdemo_ring.h"

int main(int argc, char **argv)
{
	unsigned long long off, len, arg;
	unsigned char *p;
	size_t i;
	int fd;

	if (argc != 5) {
		fprintf(stderr, "usage: %s OFFSET LENGTH OP ARG\n", argv[0]);
		return 2;
	}
	off = strtoull(argv[1], NULL, 0);
	len = strtoull(argv[2], NULL, 0);
	arg = strtoull(argv[4], NULL, 0);

	fd = open("/dev/mmapdemo", O_RDWR);
	if (fd < 0) {
		perror("peer: open /dev/mmapdemo");
		return 2;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	if (p == MAP_FAILED) {
		perror("peer: mmap");
		return 2;
	}
	close(fd);

	if (!strcmp(argv[3], "write") || !strcmp(argv[3], "hold")) {
		char c;

		for (i = 0; i < len; i++)
			p[i] = (unsigned char)(arg + i);
		if (!strcmp(argv[3], "write"))
			return 0;
		printf("mapped\n");
		fflush(stdout);
		return read(STDIN_FILENO, &c, 1) < 0 ? 2 : 0;
	}
	if (!strcmp(argv[3], "check")) {
		for (i = 0; i < len; i++) {
			if (p[i] != (unsigned char)(arg + i)) {
				fprintf(stderr, "peer: byte %zu is %#x, want %#x\n",
					i, p[i], (unsigned char)(arg + i));
				return 1;
			}
		}
		return 0;
	}
	if (!strcmp(argv[3], "produce"))
		return mmd_ring_produce((struct mmd_ring *)p, len, arg);
	if (!strcmp(argv[3], "consume"))
		return mmd_ring_consume((struct mmd_ring *)p, len, arg);
	fprintf(stderr, "peer: unknown op %s\n", argv[3]);
	return 2;
}
