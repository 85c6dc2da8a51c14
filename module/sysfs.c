// SPDX-License-Identifier: GPL-2.0
/*
 * The statistics as sysfs attributes of the misc device /dev/mmapdemo (the
 * other nodes share its counters and have none of their own), so that a
 * shell user can watch faults happen without an ioctl:
 *
 *   /sys/class/misc/mmapdemo/{buffer_size,opens,open_files,live_maps,
 *                             faults,sigbus,resizes}
 *   /sys/class/misc/mmapdemo/<strategy>/{mmaps,live_maps,faults,pages_mapped}
 *
 * They read the same counters as MMAPDEMO_IOC_STATS.  The per-strategy
 * directories are built from the strategy table at load time, so a new
 * strategy needs nothing here.
 */
#include <linux/device.h>
#include <linux/stddef.h>
#include <linux/sysfs.h>

#include "mmapdemo.h"

struct mmapdemo_stat_attr {
	struct device_attribute dattr;
	size_t offset;		/* of a __u64 in struct mmapdemo_stats */
};

/* misc_register() makes the miscdevice the device's driver data. */
static struct mmapdemo_dev *mmapdemo_sysfs_dev(struct device *d)
{
	struct miscdevice *misc = dev_get_drvdata(d);

	return container_of(misc, struct mmapdemo_node, misc)->dev;
}

static ssize_t mmapdemo_stat_show(struct device *dev,
				  struct device_attribute *attr, char *out)
{
	struct mmapdemo_stat_attr *sa =
		container_of(attr, struct mmapdemo_stat_attr, dattr);
	struct mmapdemo_stats st;
	u64 val;

	mmapdemo_read_stats(mmapdemo_sysfs_dev(dev), &st);
	memcpy(&val, (u8 *)&st + sa->offset, sizeof(val));
	return sysfs_emit(out, "%llu\n", val);
}

#define MMAPDEMO_STAT(_name, _offset) {					\
	.dattr = {							\
		.attr = { .name = _name, .mode = 0444 },		\
		.show = mmapdemo_stat_show,				\
	},								\
	.offset = (_offset),						\
}

static ssize_t buffer_size_show(struct device *dev,
				struct device_attribute *attr, char *out)
{
	struct mmapdemo_buf *buf = mmapdemo_cur_buf(mmapdemo_sysfs_dev(dev));
	ssize_t ret = sysfs_emit(out, "%zu\n", buf->size);

	mmapdemo_buf_put(buf);
	return ret;
}
static DEVICE_ATTR_RO(buffer_size);

static struct mmapdemo_stat_attr mmapdemo_dev_stats[] = {
	MMAPDEMO_STAT("opens", offsetof(struct mmapdemo_stats, opens)),
	MMAPDEMO_STAT("open_files",
		      offsetof(struct mmapdemo_stats, open_files)),
	MMAPDEMO_STAT("live_maps", offsetof(struct mmapdemo_stats, live_maps)),
	MMAPDEMO_STAT("faults", offsetof(struct mmapdemo_stats, faults)),
	MMAPDEMO_STAT("sigbus", offsetof(struct mmapdemo_stats, sigbus)),
	MMAPDEMO_STAT("resizes", offsetof(struct mmapdemo_stats, resizes)),
};

static struct attribute *mmapdemo_dev_attrs[] = {
	&dev_attr_buffer_size.attr,
	&mmapdemo_dev_stats[0].dattr.attr,
	&mmapdemo_dev_stats[1].dattr.attr,
	&mmapdemo_dev_stats[2].dattr.attr,
	&mmapdemo_dev_stats[3].dattr.attr,
	&mmapdemo_dev_stats[4].dattr.attr,
	&mmapdemo_dev_stats[5].dattr.attr,
	NULL
};

static const struct attribute_group mmapdemo_dev_group = {
	.attrs = mmapdemo_dev_attrs,
};

/* Fields of struct mmapdemo_strategy_stats shown per strategy. */
static const struct {
	const char *name;
	size_t offset;
} mmapdemo_strategy_fields[] = {
	{ "mmaps", offsetof(struct mmapdemo_strategy_stats, mmaps) },
	{ "live_maps", offsetof(struct mmapdemo_strategy_stats, live_maps) },
	{ "faults", offsetof(struct mmapdemo_strategy_stats, faults) },
	{ "pages_mapped",
	  offsetof(struct mmapdemo_strategy_stats, pages_mapped) },
};

#define MMAPDEMO_NR_FIELDS ARRAY_SIZE(mmapdemo_strategy_fields)

static struct mmapdemo_strategy_group {
	struct attribute_group group;
	struct attribute *attrs[MMAPDEMO_NR_FIELDS + 1];
	struct mmapdemo_stat_attr stats[MMAPDEMO_NR_FIELDS];
} mmapdemo_strategy_groups[MMAPDEMO_STRATEGY_SLOTS];

/* The device's group first, then one per strategy, NULL-terminated. */
const struct attribute_group *mmapdemo_groups[MMAPDEMO_STRATEGY_SLOTS + 2] = {
	&mmapdemo_dev_group,
};

/* Fill in the per-strategy groups; before misc_register(). */
void mmapdemo_sysfs_init(void)
{
	int s, f, n = 1;

	for (s = 0; s < MMAPDEMO_STRATEGY_SLOTS; s++) {
		struct mmapdemo_strategy_group *g = &mmapdemo_strategy_groups[s];

		if (!mmapdemo_strategies[s])
			continue;
		for (f = 0; f < MMAPDEMO_NR_FIELDS; f++) {
			struct mmapdemo_stat_attr *sa = &g->stats[f];

			sysfs_attr_init(&sa->dattr.attr);
			sa->dattr.attr.name = mmapdemo_strategy_fields[f].name;
			sa->dattr.attr.mode = 0444;
			sa->dattr.show = mmapdemo_stat_show;
			sa->offset = offsetof(struct mmapdemo_stats, strategy) +
				     s * sizeof(struct mmapdemo_strategy_stats) +
				     mmapdemo_strategy_fields[f].offset;
			g->attrs[f] = &sa->dattr.attr;
		}
		g->group.name = mmapdemo_strategies[s]->name;
		g->group.attrs = g->attrs;
		mmapdemo_groups[n++] = &g->group;
	}
}
