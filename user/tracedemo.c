// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo trace-demo: what the kernel really calls between mmap(2) and a
 * strategy's handler, on the first touch and at munmap(2), recorded by
 * ftrace's function_graph tracer; the same for the PCI half's BAR and DMA
 * nodes where the guest has their devices.  docs/guide.md quotes these
 * graphs (docs/trace/<kernel>/<name>.txt) and "make check" compares them
 * with a fresh run on each kernel, so the guide cannot go stale.
 *
 * The graph is trimmed to the functions listed below plus every function
 * of the module (":mod:mmapdemo"): function_graph with set_ftrace_filter
 * nests the traced functions by their real call depth and leaves the rest
 * out.  A name the running kernel does not have, or has inlined, is simply
 * not traceable there and so not in its graph.
 *
 * Two precautions, both for determinism and for TCG:
 *  - the other CPUs are taken offline while the tracer is switched on and
 *    off: switching patches the entry of every traced function and the
 *    scheduler's sched_switch tracepoint, and patching code that another
 *    CPU runs crashed a TCG guest (see selftests/mmapdemo_trace.c);
 *  - the whole sequence runs once untraced first, so that the traced run
 *    takes no page fault but the device's own (stack, libc, the strings).
 * Our own lines are picked out of the trace by "-PID" (funcgraph-proc),
 * without set_ftrace_pid, which would hook the scheduler too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmapdemo.h"

#define TFS	MMD_TRACEFS
#define CPUS	"/sys/devices/system/cpu"
#define MAXCPU	64

/* The mmap, fault and unmap paths, as far as each kernel has them. */
static const char *const traced[] = {
	/* mmap(2) down to f_op->mmap */
	"ksys_mmap_pgoff", "vm_mmap_pgoff", "do_mmap", "mmap_region",
	"__mmap_region", "__get_unmapped_area", "mm_get_unmapped_area_vmflags",
	"get_unmapped_area",
	/* 7.x: f_op->mmap_prepare, the VMA, the action, vm_ops->mapped */
	"call_mmap_prepare", "mmap_action_prepare", "remap_pfn_range_prepare",
	"__mmap_new_vma", "mmap_action_complete", "remap_pfn_range_complete",
	"call_vma_mapped", "pfnmap_track",
	/* the DMA layer, for /dev/mmapdemo-dma */
	"dma_mmap_attrs", "dma_direct_mmap", "iommu_dma_mmap", "vm_map_pages",
	/* what a strategy calls to map */
	"remap_pfn_range", "remap_pfn_range_notrack", "track_pfn_remap",
	"vm_insert_page", "vm_insert_pages", "vmf_insert_pfn",
	"vmf_insert_pfn_prot", "vmf_insert_pfn_pmd", "insert_pfn",
	"insert_pfn_pmd",
	/* the page fault */
	"do_user_addr_fault", "lock_vma_under_rcu", "lock_mm_and_find_vma",
	"handle_mm_fault", "__handle_mm_fault", "handle_pte_fault",
	"do_pte_missing", "do_fault", "do_read_fault", "do_shared_fault",
	"do_cow_fault", "__do_fault", "finish_fault", "set_pte_range",
	"create_huge_pmd", "do_page_mkwrite", "fault_dirty_shared_page",
	/* munmap(2) down to vm_ops->close */
	"__vm_munmap", "do_vmi_munmap", "do_vmi_align_munmap",
	"vms_complete_munmap_vmas", "unmap_region", "unmap_vmas",
	"unmap_single_vma", "unmap_page_range", "zap_huge_pmd", "untrack_pfn",
	"remove_vma",
};

/* Traced after the strategies when the guest has the device. */
static const struct {
	const char *name, *path;
} pci_nodes[] = {
	{ "bar", "/dev/mmapdemo-bar" },		/* ivshmem-plain: by fault */
	{ "dma", "/dev/mmapdemo-dma" },		/* edu: dma_mmap_coherent() */
};

static int tfs_write(const char *file, const char *val, bool quiet)
{
	int ret = mmd_tracefs_write(file, val, O_TRUNC);

	if (ret && !quiet)
		fprintf(stderr, "mmapdemo: " TFS "/%s: %s\n", file, strerror(-ret));
	return ret;
}

/* Take CPUs 1.. offline (@on false) or back online; returns 0 or -errno. */
static int other_cpus(bool on, bool *was_online)
{
	char path[96];
	int cpu, fd, ret = 0;

	for (cpu = 1; cpu < MAXCPU; cpu++) {
		char c = '0';

		snprintf(path, sizeof(path), CPUS "/cpu%d/online", cpu);
		fd = open(path, O_RDWR);
		if (fd < 0)
			continue;	/* no such CPU, or not hot-pluggable */
		if (!on) {
			was_online[cpu] = pread(fd, &c, 1, 0) == 1 && c == '1';
			if (was_online[cpu] && pwrite(fd, "0", 1, 0) != 1)
				ret = -errno;
		} else if (was_online[cpu] && pwrite(fd, "1", 1, 0) != 1) {
			ret = -errno;
		}
		close(fd);
	}
	return ret;
}

static int set_filter(void)
{
	char path[] = TFS "/set_ftrace_filter";
	unsigned int i, n = 0;
	int fd;

	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -errno;
	/*
	 * One name per write, each ending in a newline: ftrace's parser joins
	 * a word that a write leaves unterminated to the next write's.  A name
	 * this kernel cannot trace fails its own write and nothing else.
	 */
	for (i = 0; i < sizeof(traced) / sizeof(traced[0]); i++) {
		char word[64];
		int len = snprintf(word, sizeof(word), "%s\n", traced[i]);

		n += write(fd, word, len) == len;
	}
	/* every function of the module */
	if (write(fd, ":mod:mmapdemo\n", 14) != 14 || !n) {
		close(fd);
		return -EINVAL;
	}
	return close(fd) ? -errno : 0;
}

/*
 * The sequence that is traced: mmap at @off, a store to the first byte,
 * munmap.
 */
static int run(int fd, int marker, off_t off, size_t len, bool traced_run)
{
	static const char m1[] = "# mmap(2)", m2[] = "# first store",
			  m3[] = "# munmap(2)";
	volatile unsigned char *p;

	/* With tracing off, a write to trace_marker fails (EBADF): ignored. */
	if (traced_run && tfs_write("tracing_on", "1", false))
		return 1;
	if (write(marker, m1, sizeof(m1) - 1) < 0 && traced_run)
		return 1;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	if (p == MAP_FAILED)
		return 1;
	if (write(marker, m2, sizeof(m2) - 1) < 0 && traced_run)
		return 1;
	p[0] = 0x5a;
	if (write(marker, m3, sizeof(m3) - 1) < 0 && traced_run)
		return 1;
	munmap((void *)p, len);
	if (traced_run)
		tfs_write("tracing_on", "0", false);
	return 0;
}

/*
 * Our lines of the trace, as an indented list of names ("# ..." for the
 * markers): the durations, CPU and closing braces carry nothing a reader
 * of the path needs, and would never compare equal between runs.
 */
static int extract(FILE *out, pid_t pid)
{
	char line[512], me[24];
	int base = -1, n = 0;
	FILE *f;

	snprintf(me, sizeof(me), "-%d ", pid);
	f = fopen(TFS "/trace", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *bar = strrchr(line, '|'), *t, *end;
		int depth;

		if (line[0] == '#' || !strstr(line, me) || !bar)
			continue;
		t = bar + 1;
		if (*t == ' ')
			t++;		/* the separator; the rest is depth */
		depth = strspn(t, " ");
		t += depth;
		t[strcspn(t, "\n")] = '\0';
		if (!strncmp(t, "/* ", 3)) {		/* a marker */
			end = strstr(t, " */");
			if (end)
				*end = '\0';
			fprintf(out, "%s\n", t + 3);
			continue;
		}
		end = strstr(t, "()");
		if (!end)
			continue;	/* a closing brace */
		*end = '\0';
		if (base < 0 || depth < base)
			base = depth;
		fprintf(out, "%*s%s\n", depth - base, "", t);
		n++;
	}
	fclose(f);
	return n;
}

/* One graph, DIR/@name.txt (or stdout): @len bytes of @fd from @off. */
static int trace_one(int fd, const char *name, off_t off, size_t len,
		     const char *dir)
{
	char path[256];
	int marker, n;
	FILE *out = stdout;

	marker = open(TFS "/trace_marker", O_WRONLY);
	if (marker < 0) {
		mmd_error(TFS "/trace_marker", errno);
		return 1;
	}
	if (tfs_write("trace", "", false) || run(fd, marker, off, len, false) ||
	    run(fd, marker, off, len, true)) {
		fprintf(stderr, "mmapdemo: trace-demo %s: the sequence failed: %s\n",
			name, strerror(errno));
		close(marker);
		return 1;
	}
	close(marker);
	if (dir) {
		snprintf(path, sizeof(path), "%s/%s.txt", dir, name);
		out = fopen(path, "w");
		if (!out) {
			mmd_error(path, errno);
			return 1;
		}
	} else {
		printf("== %s\n", name);
	}
	n = extract(out, getpid());
	if (dir)
		fclose(out);
	if (n <= 0) {
		fprintf(stderr, "mmapdemo: trace-demo %s: no traced call of ours (%s)\n",
			name, n ? strerror(-n) : "empty trace");
		return 1;
	}
	return 0;
}

int cmd_trace_demo(int argc, char **argv)
{
	bool was_online[MAXCPU] = { false };
	const char *dir = NULL;
	cpu_set_t cpu0;
	unsigned int s;
	int fd, ret, rc = 0;

	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	struct stat st;

	while (mmd_getopt(argc, argv, "o:", lo) != -1)
		dir = optarg;
	if (mmd_operands(argc, argv, 0))
		return 2;
	/* the output directory first: its error is not the device's */
	if (dir && mkdir(dir, 0755) && errno != EEXIST) {
		mmd_error(dir, errno);
		return 1;
	}
	if (dir && (stat(dir, &st) || !S_ISDIR(st.st_mode))) {
		mmd_error(dir, ENOTDIR);
		return 1;
	}
	if (access(TFS "/trace", F_OK) &&
	    mount("tracefs", TFS, "tracefs", 0, NULL)) {
		mmd_error("mount tracefs on " TFS, errno);
		return 1;
	}
	fd = mmd_open(O_RDWR);
	if (fd < 0)
		return 1;
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu0), &cpu0)) {
		mmd_error("sched_setaffinity(CPU 0)", errno);
		rc = 1;
		goto out_close;
	}
	ret = other_cpus(false, was_online);
	if (ret) {
		mmd_error("taking the other CPUs offline", -ret);
		rc = 1;
		goto out_cpus;
	}
	tfs_write("tracing_on", "0", false);
	tfs_write("current_tracer", "nop", false);
	/* optional: the kernel may lack some of them */
	tfs_write("options/record-cmd", "0", true);
	tfs_write("options/funcgraph-proc", "1", true);
	tfs_write("options/funcgraph-irqs", "0", true);
	ret = set_filter();
	if (ret || tfs_write("current_tracer", "function_graph", false)) {
		fprintf(stderr, "mmapdemo: no function_graph tracer here (%s)\n",
			ret ? strerror(-ret) : "current_tracer");
		rc = 1;
		goto out_tracer;
	}
	for (s = 0; s < MMAPDEMO_STRATEGY_SLOTS; s++)
		if (mmd_strategies[s].name)
			rc |= trace_one(fd, mmd_strategies[s].name,
					MMAPDEMO_OFFSET(s),
					mmd_strategies[s].pmd ? 2UL << 20 : 4096,
					dir);
	/* The PCI half's nodes, where the guest has their devices. */
	for (s = 0; s < sizeof(pci_nodes) / sizeof(pci_nodes[0]); s++) {
		int pfd = open(pci_nodes[s].path, O_RDWR | O_CLOEXEC);

		if (pfd < 0)
			continue;
		rc |= trace_one(pfd, pci_nodes[s].name, 0, 4096, dir);
		close(pfd);
	}

out_tracer:
	tfs_write("current_tracer", "nop", false);
	tfs_write("set_ftrace_filter", "", true);
	tfs_write("options/funcgraph-proc", "0", true);
	tfs_write("options/funcgraph-irqs", "1", true);
	tfs_write("options/record-cmd", "1", true);
	tfs_write("trace", "", true);
	tfs_write("tracing_on", "1", true);
out_cpus:
	ret = other_cpus(true, was_online);
	if (ret)
		mmd_error("bringing the other CPUs back online", -ret);
out_close:
	close(fd);
	return rc;
}
