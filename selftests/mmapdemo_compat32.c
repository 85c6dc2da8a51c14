// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo from a 32-bit process (built with -m32): the ioctl ABI must have
 * the same layout for 32-bit userspace (fops->compat_ioctl), and offsets
 * past 4 GiB, which select a strategy, must reach the driver through
 * mmap2() and a 64-bit off_t.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/mmapdemo.h>

#include "kselftest_harness.h"

FIXTURE(compat) {
	int fd;
	struct mmapdemo_info info;
};

FIXTURE_SETUP(compat)
{
	self->fd = open("/dev/mmapdemo", O_RDWR);
	if (self->fd < 0)
		SKIP(return, "/dev/mmapdemo: %s (load the module first)",
		     strerror(errno));
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_INFO, &self->info));
}

FIXTURE_TEARDOWN(compat)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(compat, really_32bit)
{
	ASSERT_EQ(4, sizeof(long));
	ASSERT_EQ(8, sizeof(off_t));
}

TEST_F(compat, info_and_stats)
{
	struct mmapdemo_stats st;

	EXPECT_EQ(MMAPDEMO_ABI_VERSION, self->info.abi_version);
	EXPECT_EQ(MMAPDEMO_REGION_SIZE, self->info.region_size);
	EXPECT_EQ(0, self->info.buffer_size % self->info.page_size);
	EXPECT_NE(0, self->info.strategies & (1U << MMAPDEMO_STRATEGY_FAULT));
	memset(&st, 0xff, sizeof(st));
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_STATS, &st));
	EXPECT_LE(1, st.open_files);
	EXPECT_GT(1000000, st.live_maps);	/* not garbage */
}

TEST_F(compat, fill_checksum_and_errors)
{
	struct mmapdemo_fill fill = { .offset = 4096, .length = 100,
				      .flags = MMAPDEMO_FILL_INCREMENT,
				      .seed = 9 };
	struct mmapdemo_checksum sum = { .offset = 4096, .length = 100 };
	unsigned char buf[100];

	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_FILL, &fill));
	ASSERT_EQ(100, pread(self->fd, buf, 100, 4096));
	EXPECT_EQ(9, buf[0]);
	EXPECT_EQ(108, buf[99]);
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_CHECKSUM, &sum));
	EXPECT_NE(0, sum.sum);
	fill.flags = 1U << 9;
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_FILL, &fill));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO(MMAPDEMO_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_INFO, (void *)16));
	EXPECT_EQ(EFAULT, errno);
}

/* Every strategy's region lies beyond 4 GiB but the first. */
TEST_F(compat, mmap_every_strategy)
{
	unsigned int s;

	for (s = 0; s < MMAPDEMO_STRATEGY_SLOTS; s++) {
		volatile unsigned char *p;
		unsigned char c;

		if (!(self->info.strategies & (1U << s)))
			continue;
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->fd, (off_t)MMAPDEMO_OFFSET(s) + 8192);
		ASSERT_TRUE(p != MAP_FAILED) TH_LOG("strategy %u: %s", s,
						strerror(errno));
		p[5] = 0x50 + s;
		ASSERT_EQ(1, pread(self->fd, &c, 1, 8192 + 5));
		EXPECT_EQ(0x50 + s, c);
		ASSERT_EQ(0, munmap((void *)p, 4096));
	}
}

TEST_HARNESS_MAIN
