// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo load / unload / status, through libkmod: what insmod, rmmod and
 * lsmod do, with errors that say what went wrong and what to do.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <libkmod.h>

#include "mmapdemo.h"

/* The last kernel log line our module printed, from /dev/kmsg. */
static bool last_kernel_message(char *out, size_t len)
{
	char rec[1024];
	bool found = false;
	ssize_t n;
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd < 0)
		return false;
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		char *msg;

		if (n <= 0)
			continue;	/* EPIPE: records were overwritten */
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg || strncmp(msg + 1, MMD_MODNAME ":", strlen(MMD_MODNAME) + 1))
			continue;
		msg[strcspn(msg, "\n")] = '\0';
		snprintf(out, len, "%s", msg + 1);
		found = true;
	}
	close(fd);
	return found;
}

/* The value of modinfo key @key ("vermagic", ...) of @mod, or NULL. */
static char *modinfo(struct kmod_module *mod, const char *key)
{
	struct kmod_list *list = NULL, *l;
	char *val = NULL;

	if (kmod_module_get_info(mod, &list) < 0)
		return NULL;
	kmod_list_foreach(l, list) {
		if (!strcmp(kmod_module_info_get_key(l), key)) {
			val = strdup(kmod_module_info_get_value(l));
			break;
		}
	}
	kmod_module_info_free_list(list);
	return val;
}

/* Every NAME in "NAME=VALUE ..." must be a parameter the module declares. */
static bool params_known(struct kmod_module *mod, const char *params)
{
	struct kmod_list *list = NULL, *l;
	char known[256] = "", *copy, *tok, *save;
	bool ok = true;

	if (kmod_module_get_info(mod, &list) < 0)
		return true;	/* let the kernel judge */
	kmod_list_foreach(l, list) {
		const char *v = kmod_module_info_get_value(l);

		if (strcmp(kmod_module_info_get_key(l), "parmtype"))
			continue;
		/* "size:string" */
		snprintf(known + strlen(known), sizeof(known) - strlen(known),
			 "%s%.*s", *known ? ", " : "", (int)strcspn(v, ":"), v);
	}
	kmod_module_info_free_list(list);

	copy = strdup(params);
	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		size_t n = strcspn(tok, "=");
		const char *k = known;

		for (; *k; k += strcspn(k, ",") + (k[strcspn(k, ",")] ? 2 : 0)) {
			if (strcspn(k, ",") == n && !strncmp(k, tok, n))
				break;
		}
		if (!*k) {
			fprintf(stderr, "mmapdemo: unknown parameter '%.*s': the module takes %s\n",
				(int)n, tok, known);
			ok = false;
		}
	}
	free(copy);
	return ok;
}

static void explain_load_error(struct kmod_module *mod, const char *what,
			       const char *params, int err)
{
	struct utsname u;
	char msg[512];
	char *vermagic;

	uname(&u);
	switch (err) {
	case EEXIST:
		fprintf(stderr, "mmapdemo: the module is already loaded "
			"(see `mmapdemo status`; `mmapdemo unload` first to change parameters)\n");
		return;
	case ENOEXEC:
		vermagic = modinfo(mod, "vermagic");
		fprintf(stderr, "mmapdemo: cannot load %s: %s\n", what, strerror(err));
		fprintf(stderr, "  it was built for kernel %.*s, this is %s:\n"
			"  rebuild it for this kernel: make KVER=%s\n",
			vermagic ? (int)strcspn(vermagic, " ") : 7,
			vermagic ? vermagic : "unknown", u.release, u.release);
		free(vermagic);
		return;
	case EINVAL:
		fprintf(stderr, "mmapdemo: the module refused its parameters '%s'\n",
			params);
		if (last_kernel_message(msg, sizeof(msg)))
			fprintf(stderr, "  kernel says: %s\n", msg);
		return;
	case EPERM:
		fprintf(stderr, "mmapdemo: loading modules needs root (CAP_SYS_MODULE)\n");
		return;
	case ENOSYS:
		fprintf(stderr, "mmapdemo: this kernel (%s) cannot load modules: "
			"try it in a VM with `make demo`\n", u.release);
		return;
	default:
		mmd_error(what, err);
	}
}

int cmd_load(int argc, char **argv)
{
	const char *path = getenv("MMAPDEMO_KO");
	struct kmod_module *mod = NULL;
	char params[512] = "", what[300];
	struct kmod_ctx *ctx;
	struct utsname u;
	int i, err, ret = 1;

	while (mmd_getopt(argc, argv, "", NULL) != -1)
		;
	for (i = optind; i < argc; i++) {
		size_t l = strlen(argv[i]);

		if (strchr(argv[i], '=')) {
			snprintf(params + strlen(params),
				 sizeof(params) - strlen(params), "%s%s",
				 *params ? " " : "", argv[i]);
		} else if (l > 3 && !strcmp(argv[i] + l - 3, ".ko")) {
			path = argv[i];
		} else {
			return mmd_usage_error("'%s' is neither a .ko path nor NAME=VALUE",
					       argv[i]);
		}
	}
	if (path && !*path)
		path = NULL;

	uname(&u);
	ctx = kmod_new(NULL, NULL);
	if (!ctx) {
		fprintf(stderr, "mmapdemo: libkmod: cannot create a context\n");
		return 1;
	}
	err = mmd_kmod_module(ctx, path, &mod);
	if (path) {
		snprintf(what, sizeof(what), "%s", path);
		if (err < 0) {
			mmd_error(path, -err);
			if (-err == ENOENT)
				fprintf(stderr, "  build it first: make KVER=%s\n", u.release);
			goto out;
		}
	} else {
		snprintf(what, sizeof(what), "module %s", MMD_MODNAME);
		if (err < 0) {
			fprintf(stderr, "mmapdemo: %s is not installed in /lib/modules/%s:\n"
				"  give the path of the built module, e.g.\n"
				"  mmapdemo load build/%s/module/mmapdemo.ko\n",
				MMD_MODNAME, u.release, u.release);
			goto out;
		}
	}
	if (!params_known(mod, params))
		goto out;

	err = mmd_kmod_insert(mod, params);
	if (err < 0) {
		explain_load_error(mod, what, params, -err);
		goto out;
	}
	if (err == MMD_NODE_LATE) {
		fprintf(stderr, "mmapdemo: loaded, but %s did not appear within 5 s "
			"(is devtmpfs mounted on /dev?)\n", MMD_DEV);
		goto out;
	}
	printf("mmapdemo: loaded %s%s%s, %s is ready\n", kmod_module_get_path(mod),
	       *params ? " with " : "", params, MMD_DEV);
	ret = 0;
out:
	if (mod)
		kmod_module_unref(mod);
	kmod_unref(ctx);
	return ret;
}

/* Is @path one of the module's device nodes? */
static bool our_node(const char *path)
{
	unsigned int s;

	for (s = 0; s < MMAPDEMO_STRATEGY_SLOTS; s++)
		if (mmd_strategies[s].node && !strcmp(path, mmd_strategies[s].node))
			return true;
	return false;
}

/*
 * Print the processes that have any of the device nodes open or mapped;
 * count them.
 */
static int show_users(void)
{
	DIR *proc = opendir("/proc");
	struct dirent *de;
	int users = 0;

	if (!proc)
		return 0;
	while ((de = readdir(proc))) {
		char path[300], line[512], comm[64] = "?";
		int maps = 0, fds = 0;
		struct dirent *fe;
		FILE *f;
		DIR *fd;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/maps", de->d_name);
		f = fopen(path, "r");
		if (f) {
			while (fgets(line, sizeof(line), f)) {
				char *p = strstr(line, " " MMD_DEV);

				/* the path is the line's last field */
				if (!p)
					continue;
				p[strcspn(p, "\n")] = '\0';
				maps += our_node(p + 1);
			}
			fclose(f);
		}
		snprintf(path, sizeof(path), "/proc/%s/fd", de->d_name);
		fd = opendir(path);
		while (fd && (fe = readdir(fd))) {
			char link[600], target[300];
			ssize_t n;

			snprintf(link, sizeof(link), "%s/%s", path, fe->d_name);
			n = readlink(link, target, sizeof(target) - 1);
			if (n > 0) {
				target[n] = '\0';
				fds += our_node(target);
			}
		}
		if (fd)
			closedir(fd);
		if (!maps && !fds)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		f = fopen(path, "r");
		if (f) {
			if (fgets(comm, sizeof(comm), f))
				comm[strcspn(comm, "\n")] = '\0';
			fclose(f);
		}
		printf("  pid %s (%s): %d mapping(s), %d open fd(s)\n",
		       de->d_name, comm, maps, fds);
		users++;
	}
	closedir(proc);
	return users;
}

int cmd_unload(int argc, char **argv)
{
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	int err, ret = 1;

	while (mmd_getopt(argc, argv, "", NULL) != -1)
		;
	if (mmd_operands(argc, argv, 0))
		return 2;
	ctx = kmod_new(NULL, NULL);
	if (!ctx)
		return 1;
	err = kmod_module_new_from_name(ctx, MMD_MODNAME, &mod);
	if (err < 0 || kmod_module_get_initstate(mod) < 0) {
		fprintf(stderr, "mmapdemo: the module is not loaded\n");
		goto out;
	}
	err = mmd_kmod_remove(mod);
	if (err == -EAGAIN || err == -EBUSY) {
		printf("mmapdemo: refusing to unload: the module is in use "
		       "(refcount %d).\n"
		       "Every open file and every mapping of %s* holds it, even "
		       "after close(); these hold it now:\n",
		       kmod_module_get_refcnt(mod), MMD_DEV);
		if (!show_users())
			printf("  (none visible from here)\n");
		printf("Unmap and close them, then run `mmapdemo unload` again.\n");
		goto out;
	}
	if (err < 0) {
		mmd_error("unload " MMD_MODNAME, -err);
		goto out;
	}
	if (err == MMD_NODE_LATE)
		fprintf(stderr, "mmapdemo: unloaded, but %s is still there\n", MMD_DEV);
	printf("mmapdemo: unloaded\n");
	ret = 0;
out:
	if (mod)
		kmod_module_unref(mod);
	kmod_unref(ctx);
	return ret;
}

int cmd_status(int argc, char **argv)
{
	static const char *const states[] = {
		[KMOD_MODULE_BUILTIN] = "builtin", [KMOD_MODULE_LIVE] = "live",
		[KMOD_MODULE_COMING] = "coming", [KMOD_MODULE_GOING] = "going",
	};
	struct kmod_module *mod = NULL;
	struct kmod_list *holders, *l;
	struct kmod_ctx *ctx;
	struct stat st;
	char size[64] = "?";
	unsigned int s;
	FILE *f;
	int state, ret = 1;

	while (mmd_getopt(argc, argv, "", NULL) != -1)
		;
	if (mmd_operands(argc, argv, 0))
		return 2;
	ctx = kmod_new(NULL, NULL);
	if (!ctx)
		return 1;
	if (kmod_module_new_from_name(ctx, MMD_MODNAME, &mod) < 0)
		goto out;
	state = kmod_module_get_initstate(mod);
	if (state < 0) {
		printf("mmapdemo: not loaded\n");
		goto out;
	}
	printf("mmapdemo: %s, refcount %d", states[state],
	       kmod_module_get_refcnt(mod));
	holders = kmod_module_get_holders(mod);
	printf(", holders:");
	if (!holders)
		printf(" none");
	kmod_list_foreach(l, holders)
		printf(" %s", kmod_module_get_name(kmod_module_get_module(l)));
	kmod_module_unref_list(holders);
	printf("\n");
	f = fopen(MMD_SYSFS "/buffer_size", "r");
	if (f) {
		if (fgets(size, sizeof(size), f))
			size[strcspn(size, "\n")] = '\0';
		fclose(f);
	}
	for (s = 0; s < MMAPDEMO_STRATEGY_SLOTS; s++) {
		const char *node = mmd_strategies[s].node;

		if (!node)
			continue;
		if (stat(node, &st))
			printf("%s: missing\n", node);
		else if (!strcmp(node, MMD_DEV))
			printf("%s: mode %04o, buffer %s bytes\n", node,
			       st.st_mode & 07777, size);
		else
			printf("%s: mode %04o\n", node, st.st_mode & 07777);
	}
	printf("users:\n");
	if (!show_users())
		printf("  none\n");
	ret = 0;
out:
	if (mod)
		kmod_module_unref(mod);
	kmod_unref(ctx);
	return ret;
}
