/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A single-producer single-consumer ring of records in a shared mapping of
 * /dev/mmapdemo, between two unrelated processes.
 *
 * The producer fills a record, then publishes it with a release store of
 * head; the consumer reads head with an acquire load before reading the
 * record, and hands the slot back with a release store of tail.  Without
 * that pairing the consumer could see the new head before the record's
 * bytes (torn or stale data) on weakly ordered CPUs, and the compiler may
 * reorder it anywhere.  Each record carries its sequence number and a
 * payload derived from it, so the consumer detects any torn, stale,
 * duplicated or lost record.
 */
#ifndef MMAPDEMO_RING_H
#define MMAPDEMO_RING_H

#include <sched.h>
#include <stdint.h>
#include <stdio.h>

struct mmd_record {
	uint64_t seq;
	uint64_t payload[6];
	uint64_t check;		/* seq ^ all payload words */
};

struct mmd_ring {
	uint64_t head;		/* records produced; written by producer */
	uint64_t pad0[7];	/* keep head and tail on separate lines */
	uint64_t tail;		/* records consumed; written by consumer */
	uint64_t pad1[7];
	struct mmd_record rec[];
};

static inline uint64_t mmd_ring_slots(size_t len)
{
	return (len - sizeof(struct mmd_ring)) / sizeof(struct mmd_record);
}

static inline int mmd_ring_produce(struct mmd_ring *r, size_t len,
				   uint64_t count)
{
	uint64_t slots = mmd_ring_slots(len), seq, i;

	for (seq = 1; seq <= count; seq++) {
		struct mmd_record *rec;

		/* wait for room: the consumer releases slots via tail */
		while (seq - 1 - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) >=
		       slots)
			sched_yield();
		rec = &r->rec[(seq - 1) % slots];
		rec->seq = seq;
		rec->check = seq;
		for (i = 0; i < 6; i++) {
			rec->payload[i] = seq * 0x9e3779b97f4a7c15ULL + i;
			rec->check ^= rec->payload[i];
		}
		__atomic_store_n(&r->head, seq, __ATOMIC_RELEASE);
	}
	return 0;
}

static inline int mmd_ring_consume(struct mmd_ring *r, size_t len,
				   uint64_t count)
{
	uint64_t slots = mmd_ring_slots(len), seq, i, check;

	for (seq = 1; seq <= count; seq++) {
		struct mmd_record *rec;

		while (__atomic_load_n(&r->head, __ATOMIC_ACQUIRE) < seq)
			sched_yield();
		rec = &r->rec[(seq - 1) % slots];
		check = rec->seq;
		for (i = 0; i < 6; i++) {
			if (rec->payload[i] != seq * 0x9e3779b97f4a7c15ULL + i) {
				fprintf(stderr, "ring: record %llu word %llu torn\n",
					(unsigned long long)seq,
					(unsigned long long)i);
				return 1;
			}
			check ^= rec->payload[i];
		}
		if (rec->seq != seq || rec->check != check) {
			fprintf(stderr, "ring: record %llu has seq %llu\n",
				(unsigned long long)seq,
				(unsigned long long)rec->seq);
			return 1;
		}
		__atomic_store_n(&r->tail, seq, __ATOMIC_RELEASE);
	}
	return 0;
}

#endif /* MMAPDEMO_RING_H */
