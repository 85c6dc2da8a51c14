/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmapdemo bench: the kinds of mapping it compares (bench_kinds.c) and the
 * tables that measure them (bench.c).
 */
#ifndef MMAPDEMO_BENCH_H
#define MMAPDEMO_BENCH_H

#include <stdbool.h>
#include <stddef.h>

#define MIB		(1UL << 20)
#define PMD_BYTES	(2UL << 20)

enum bench_kind_id {
	BK_FLOOR,	/* memfd mapped with MAP_POPULATE: nothing left to fault */
	BK_REMAP,	/* the device's four strategies */
	BK_FAULT,
	BK_BATCHED,
	BK_BATCHED_SEQ,	/* batched after madvise(MADV_SEQUENTIAL) */
	BK_HUGE,
	BK_MEMFD,	/* shmem, 4 KiB pages, allocated before the mapping */
	BK_UDMABUF,	/* memfd pages exported as a dma-buf by /dev/udmabuf */
	BK_HUGETLB,	/* memfd_create(MFD_HUGETLB): 2 MiB pages on touch */
	BK_SHMEM_THP,	/* memfd + MADV_HUGEPAGE: shmem THP on touch */
	BK_ANON_THP,	/* private anonymous + MADV_HUGEPAGE */
	BK_RW,		/* pread()/pwrite() on the device: RMW table only */
	BK_NR
};

struct bench_kind {
	const char *name;
	int strategy;		/* device strategy, or -1 */
	size_t max;		/* longest mapping it can make; 0: none */
	char why[160];		/* why it is unavailable, or a caveat */
	bool fresh;		/* a new file per mapping: touch allocates */
	bool persistent;	/* bytes outlive a mapping: in the RMW table */
	int fd;			/* the file it maps (device, memfd, dma-buf) */
	int fresh_fd;		/* fresh: the file of the current mapping */
};

extern struct bench_kind bench_kinds[BK_NR];

/* Set every kind up; the device must be open (fd) with @max bytes. */
void bench_kinds_setup(int dev_fd, size_t max, size_t need);
/* Put back the sysctls setup changed, close every file. */
void bench_kinds_teardown(void);
/* Map @len bytes of kind @k read/write; exits on failure. */
void *bench_map(int k, size_t len);
void *bench_map_persistent(int k, size_t len);
void bench_unmap(int k, void *p, size_t len);
/* The untimed part of a mapping: a fresh file for fresh kinds. */
void bench_prepare(int k, size_t len);

#endif /* MMAPDEMO_BENCH_H */
