/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bytes that cross the VM boundary through QEMU's ivshmem-plain BAR2
 * (/dev/mmapdemo-bar in the guest, the -I file of scripts/vm-run on the
 * host).  This header is the one definition: mmapdemo_bar.c includes it,
 * and scripts/ivshmem-pattern reads the six numbers below from it.
 *
 * Byte i (0 <= i < MMD_BAR_REGION) of a region is
 *	((i * MUL + ADD) & 0xff) ^ XOR
 * with the region's MUL, ADD and XOR:
 *	HOST   [0, 64 KiB)        the host writes it before the boot
 *	GUEST  [64 KiB, 128 KiB)  the guest stores it through the mapping;
 *	                          the host checks it after the guest exited
 * and [128 KiB, 192 KiB) is the guest's scratch space.  The two differ
 * (byte 0 is 0x03 in one, 0x5f in the other) and neither is zeros, what
 * the host's truncate leaves in a new file.
 */
#ifndef MMAPDEMO_BAR_H
#define MMAPDEMO_BAR_H

#define MMD_BAR_DEV		"/dev/mmapdemo-bar"
#define MMD_BAR_REGION		65536
#define MMD_BAR_HOST_OFF	0
#define MMD_BAR_GUEST_OFF	65536
#define MMD_BAR_SCRATCH_OFF	131072

#define MMD_BAR_HOST_MUL	7
#define MMD_BAR_HOST_ADD	3
#define MMD_BAR_HOST_XOR	0x00
#define MMD_BAR_GUEST_MUL	13
#define MMD_BAR_GUEST_ADD	5
#define MMD_BAR_GUEST_XOR	0x5a

#define MMD_BAR_BYTE(i, mul, add, xor) \
	((unsigned char)((((i) * (mul) + (add)) & 0xff) ^ (xor)))
#define MMD_BAR_HOST_BYTE(i) \
	MMD_BAR_BYTE(i, MMD_BAR_HOST_MUL, MMD_BAR_HOST_ADD, MMD_BAR_HOST_XOR)
#define MMD_BAR_GUEST_BYTE(i) \
	MMD_BAR_BYTE(i, MMD_BAR_GUEST_MUL, MMD_BAR_GUEST_ADD, MMD_BAR_GUEST_XOR)

#endif /* MMAPDEMO_BAR_H */
