/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mmapdemo: one kernel buffer, mapped into userspace several ways.
 *
 * The device holds one zeroed, page-rounded buffer.  Every way of looking
 * at it shows the same bytes: read()/write() at offsets 0..size-1, and
 * mmap() through one of several *strategies*.
 *
 * Choosing a strategy needs no ioctl.  Each has a node of its own, a file
 * of the buffer's size mapped from offset 0:
 *
 *	/dev/mmapdemo		remap
 *	/dev/mmapdemo-fault	fault
 *	/dev/mmapdemo-batched	batched
 *	/dev/mmapdemo-huge	huge
 *
 * so fio, dd or Python's mmap module reach every strategy by its path.
 * /dev/mmapdemo also reaches them all through one fd: its offset space is
 * cut into regions of MMAPDEMO_REGION_SIZE bytes, region N mapping the
 * buffer with strategy N, so
 *
 *	mmap(NULL, len, prot, MAP_SHARED, fd, MMAPDEMO_OFFSET(s) + off)
 *
 * maps buffer bytes off..off+len-1 with strategy s.  On the other nodes
 * the offset is a buffer offset only: a region offset there is past the
 * end [EINVAL].
 *
 * What mmap() and every other call accept and refuse, with the errno:
 * docs/policy.md of the mmapdemo sources, the one table of the policy.
 *
 * Offsets are 64-bit: userspace must use a 64-bit off_t (on 32-bit
 * systems, -D_FILE_OFFSET_BITS=64, which glibc needs for mmap() to take
 * the whole offset); the check below refuses to compile otherwise.
 */
#ifndef _UAPI_LINUX_MMAPDEMO_H
#define _UAPI_LINUX_MMAPDEMO_H

#include <linux/ioctl.h>
#include <linux/types.h>

#if !defined(__KERNEL__) && defined(__SIZEOF_LONG__) && __SIZEOF_LONG__ < 8 && \
	(!defined(_FILE_OFFSET_BITS) || _FILE_OFFSET_BITS != 64)
#error "mmapdemo: a 32-bit off_t truncates MMAPDEMO_OFFSET(); build with -D_FILE_OFFSET_BITS=64"
#endif

#define MMAPDEMO_ABI_VERSION	1

#define MMAPDEMO_REGION_SHIFT	40
#define MMAPDEMO_REGION_SIZE	(1ULL << MMAPDEMO_REGION_SHIFT)
#define MMAPDEMO_OFFSET(strategy) ((__u64)(strategy) << MMAPDEMO_REGION_SHIFT)

/* Strategies, by region number. */
#define MMAPDEMO_STRATEGY_REMAP		0	/* remap_pfn_range() at mmap() */
#define MMAPDEMO_STRATEGY_FAULT		1	/* .fault, one page per fault */
#define MMAPDEMO_STRATEGY_BATCHED	2	/* .fault maps a run of pages */
#define MMAPDEMO_STRATEGY_HUGE		3	/* 2 MiB blocks mapped by a PMD */
#define MMAPDEMO_STRATEGY_SLOTS		8	/* array size in the ABI */

/*
 * Pages one fault of the batched strategy maps: an aligned run of
 * MMAPDEMO_BATCH_PAGES, of MMAPDEMO_BATCH_SEQ_PAGES after
 * madvise(MADV_SEQUENTIAL), and only the page touched after
 * madvise(MADV_RANDOM).
 */
#define MMAPDEMO_BATCH_PAGES	16
#define MMAPDEMO_BATCH_SEQ_PAGES	512

/* Largest buffer the module accepts (module parameter or RESIZE). */
#define MMAPDEMO_MAX_SIZE	(1ULL << 30)

struct mmapdemo_info {
	__u32 abi_version;	/* MMAPDEMO_ABI_VERSION */
	__u32 page_size;
	__u64 buffer_size;	/* bytes, a multiple of page_size */
	__u64 max_size;		/* MMAPDEMO_MAX_SIZE */
	__u64 region_size;	/* MMAPDEMO_REGION_SIZE */
	__u32 strategies;	/* bit N set: strategy N is available */
	__u32 huge_blocks;	/* 2 MiB blocks physically contiguous (huge) */
	__u32 flags;		/* MMAPDEMO_INFO_* */
	__u32 reserved32;
	__u64 reserved[3];
};

/* info.flags: huge maps 2 MiB blocks by PMD on this kernel. */
#define MMAPDEMO_INFO_HUGE_PMD	(1U << 0)
/*
 * info.flags: the buffer is one physically contiguous range (kernels with
 * mmap_prepare, where remap maps a whole mapping with one action).  A
 * size is then accepted only if the kernel can find that much contiguous
 * memory: large ones can fail with ENOMEM while plenty is free.
 */
#define MMAPDEMO_INFO_ONE_RANGE	(1U << 1)

struct mmapdemo_strategy_stats {
	__u64 mmaps;		/* successful mmap() calls */
	__u64 live_maps;	/* VMAs now referring to the device */
	/*
	 * Calls of the fault handlers that supplied at least one page, and
	 * the pages supplied (remap: mapped at mmap() time, no fault).
	 * fault: the page handed to the core; huge: 512 for a PMD, 1 for a
	 * PTE (for both, if another thread mapped the same page first, the
	 * core keeps that one and both faults count); batched: exactly the
	 * pages vm_insert_pages() inserted.
	 */
	__u64 faults;
	__u64 pages_mapped;
};

struct mmapdemo_stats {
	__u64 opens;		/* open() calls since load */
	__u64 open_files;	/* open file descriptions now */
	__u64 live_maps;	/* VMAs now, all strategies */
	__u64 faults;		/* all strategies */
	__u64 sigbus;		/* faults refused: past the end of the buffer */
	__u64 resizes;
	struct mmapdemo_strategy_stats strategy[MMAPDEMO_STRATEGY_SLOTS];
};

/* FILL: the kernel writes a pattern into [offset, offset + length). */
#define MMAPDEMO_FILL_INCREMENT	(1U << 0)	/* byte i = seed + i, else seed */
#define MMAPDEMO_FILL_FLAGS	MMAPDEMO_FILL_INCREMENT

struct mmapdemo_fill {
	__u64 offset;
	__u64 length;
	__u32 flags;		/* MMAPDEMO_FILL_*; unknown bits: EINVAL */
	__u32 seed;		/* low 8 bits used */
};

/*
 * CHECKSUM: the kernel reads [offset, offset + length) and returns its
 * 64-bit FNV-1a hash (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
 */
struct mmapdemo_checksum {
	__u64 offset;
	__u64 length;
	__u32 flags;		/* must be 0 */
	__u32 reserved;		/* must be 0 */
	__u64 sum;		/* out */
};

/*
 * RESIZE: replace the buffer by a new zeroed one of @size bytes (rounded up
 * to pages).  EBUSY while any mapping exists; needs CAP_SYS_ADMIN and a
 * writable fd (else EPERM, EBADF).
 */
struct mmapdemo_resize {
	__u64 size;
	__u32 flags;		/* must be 0 */
	__u32 reserved;		/* must be 0 */
};

/*
 * DMA_COPY, on /dev/mmapdemo-dma only (QEMU's edu device): the device's
 * DMA engine reads [src, src + length) of the node's buffer into the
 * device's own memory, then writes that to [dst, dst + length).  length is
 * 1 to MMAPDEMO_DMA_COPY_MAX; both ranges lie inside the buffer (its size:
 * lseek(fd, 0, SEEK_END)).  Any bad field is EINVAL and nothing reaches
 * the device; ENODEV once the device is removed, ETIMEDOUT if it never
 * finishes.  Needs a writable fd (EBADF).  MMAPDEMO_DMA_STREAMING makes
 * the device use streaming mappings of a kernel page (dma_map_single())
 * instead of the buffer's coherent one: the path that bounces through
 * swiotlb.
 */
#define MMAPDEMO_DMA_STREAMING	(1U << 0)
#define MMAPDEMO_DMA_FLAGS	MMAPDEMO_DMA_STREAMING
/*
 * edu's memory is 4 KiB, but QEMU 7.2's edu refuses a transfer that
 * reaches its last byte, off by one, by aborting the whole VM.
 */
#define MMAPDEMO_DMA_COPY_MAX	4095

struct mmapdemo_dma_copy {
	__u64 src;
	__u64 dst;
	__u32 length;
	__u32 flags;		/* MMAPDEMO_DMA_*; unknown bits: EINVAL */
};

#define MMAPDEMO_IOC_MAGIC	0xB6
#define MMAPDEMO_IOC_INFO	_IOR(MMAPDEMO_IOC_MAGIC, 0x00, struct mmapdemo_info)
#define MMAPDEMO_IOC_STATS	_IOR(MMAPDEMO_IOC_MAGIC, 0x01, struct mmapdemo_stats)
#define MMAPDEMO_IOC_FILL	_IOW(MMAPDEMO_IOC_MAGIC, 0x02, struct mmapdemo_fill)
#define MMAPDEMO_IOC_CHECKSUM	_IOWR(MMAPDEMO_IOC_MAGIC, 0x03, struct mmapdemo_checksum)
#define MMAPDEMO_IOC_RESIZE	_IOW(MMAPDEMO_IOC_MAGIC, 0x04, struct mmapdemo_resize)
#define MMAPDEMO_IOC_DMA_COPY	_IOW(MMAPDEMO_IOC_MAGIC, 0x05, struct mmapdemo_dma_copy)

#endif /* _UAPI_LINUX_MMAPDEMO_H */
