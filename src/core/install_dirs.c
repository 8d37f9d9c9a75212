/*
 * install_dirs.c — see install_dirs.h.
 */
#include "install_dirs.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "path.h"

#ifndef TERRAIND_PREFIX
#define TERRAIND_PREFIX "/usr/local"
#endif

/* How far above the executable a clone's root may be: build/terraind,
 * build/asan/terraind, build/asan/tests/test_x. */
enum { CLONE_SEARCH_DEPTH = 4 };

install_env install_env_current(char *exe, size_t len)
{
	char real[PATH_MAX];
	exe[0] = '\0';
	if (realpath("/proc/self/exe", real) && strlen(real) < len)
		memcpy(exe, real, strlen(real) + 1);
	return (install_env){.xdg_config_home = getenv("XDG_CONFIG_HOME"),
	                     .xdg_data_home = getenv("XDG_DATA_HOME"),
	                     .home = getenv("HOME"),
	                     .exe = exe,
	                     .prefix = TERRAIND_PREFIX};
}

const char *install_kind_name(install_kind kind)
{
	return kind == INSTALL_PREFIX ? "installed" : kind == INSTALL_CLONE ? "clone" : "compiled prefix";
}

static int is_set(const char *s)
{
	return s && *s;
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* `path` without its last component ("/a/b" -> "/a", "/a" -> "/"). */
static void drop_last(char *path)
{
	char *slash = strrchr(path, '/');
	if (slash)
		slash[slash == path] = '\0';
}

static const char *last_component(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* The executable's absolute path into dir (INSTALL_PATH_MAX): 0 when it
 * is unknown, relative or too long, which finds no installation. */
static int copy_exe(const char *exe, char *dir)
{
	if (!is_set(exe) || exe[0] != '/' || strlen(exe) >= INSTALL_PATH_MAX)
		return 0;
	snprintf(dir, INSTALL_PATH_MAX, "%s", exe);
	return 1;
}

/* <prefix>/bin/terraind beside <prefix>/share/terraind. */
static int find_prefix(const char *exe, char *prefix, size_t len)
{
	char dir[INSTALL_PATH_MAX], share[INSTALL_PATH_MAX + 32];
	if (!copy_exe(exe, dir))
		return 0;
	drop_last(dir); /* <prefix>/bin */
	if (strcmp(last_component(dir), "bin") != 0)
		return 0;
	drop_last(dir);
	snprintf(share, sizeof share, "%s/share/terraind", strcmp(dir, "/") == 0 ? "" : dir);
	if (!is_dir(share) || strlen(dir) >= len)
		return 0;
	snprintf(prefix, len, "%s", dir);
	return 1;
}

/* A clone's root: the nearest folder above the executable that holds
 * config/terraind.json, models/ and the Makefile. */
static int find_clone(const char *exe, char *root, size_t len)
{
	char dir[INSTALL_PATH_MAX], probe[INSTALL_PATH_MAX + 32];
	if (!copy_exe(exe, dir))
		return 0;
	for (int depth = 0; depth < CLONE_SEARCH_DEPTH && strcmp(dir, "/") != 0; depth++) {
		drop_last(dir);
		const char *base = strcmp(dir, "/") == 0 ? "" : dir;
		snprintf(probe, sizeof probe, "%s/config/terraind.json", base);
		if (!is_file(probe))
			continue;
		snprintf(probe, sizeof probe, "%s/models", base);
		if (!is_dir(probe))
			continue;
		snprintf(probe, sizeof probe, "%s/Makefile", base);
		if (is_file(probe) && strlen(dir) < len) {
			snprintf(root, len, "%s", dir);
			return 1;
		}
	}
	return 0;
}

static int add_config(install_dirs *d, char *err, size_t errlen, const char *fmt, const char *a, const char *b)
{
	char path[INSTALL_PATH_MAX];
	if (path_format(path, sizeof path, "a configuration path", err, errlen, fmt, a, b) < 0)
		return -1;
	for (int i = 0; i < d->n_configs; i++)
		if (strcmp(d->configs[i], path) == 0)
			return 0;
	if (d->n_configs < INSTALL_MAX_CONFIGS)
		memcpy(d->configs[d->n_configs++], path, sizeof path);
	return 0;
}

/* The XDG base directory for `xdg` (absolute, else unset: the
 * specification ignores relative ones) or ~/<fallback>; "" without HOME. */
static int xdg_dir(const char *xdg, const char *home, const char *fallback, char *out, size_t len, char *err,
                   size_t errlen)
{
	out[0] = '\0';
	if (is_set(xdg) && xdg[0] == '/')
		return path_format(out, len, "an XDG directory", err, errlen, "%s/terraind", xdg);
	if (is_set(home))
		return path_format(out, len, "an XDG directory", err, errlen, "%s/%s/terraind", home, fallback);
	return 0;
}

/* The system's configuration for an installation under `prefix`: /usr's
 * lives in /etc (the FHS), any other prefix's in <prefix>/etc; then
 * /etc/terraind itself. */
static int add_system_configs(install_dirs *d, const char *prefix, char *err, size_t errlen)
{
	size_t n = strlen(prefix);
	int is_usr = n >= 4 && strcmp(prefix + n - 4, "/usr") == 0;
	char base[INSTALL_PATH_MAX];
	if (path_format(base, sizeof base, "the prefix", err, errlen, "%.*s", (int)(is_usr ? n - 4 : n), prefix) < 0)
		return -1;
	if (add_config(d, err, errlen, "%s/etc/terraind/%s", base, "terraind.json") < 0)
		return -1;
	return add_config(d, err, errlen, "%s/etc/terraind/%s", "", "terraind.json");
}

static int add_root(install_dirs *d, const char *root)
{
	if (!root[0] || d->n_roots >= INSTALL_MAX_ROOTS)
		return 0;
	snprintf(d->roots[d->n_roots++], INSTALL_PATH_MAX, "%s", root);
	return 0;
}

/* Which installation the executable belongs to, and where its data is. */
static int find_installation(const install_env *env, install_dirs *d, char *err, size_t errlen)
{
	if (find_prefix(env->exe, d->root, sizeof d->root)) {
		d->kind = INSTALL_PREFIX;
	} else if (find_clone(env->exe, d->root, sizeof d->root)) {
		d->kind = INSTALL_CLONE;
		return path_copy(d->data, sizeof d->data, d->root, "the clone's path", err, errlen);
	} else {
		d->kind = INSTALL_COMPILED;
		if (path_copy(d->root, sizeof d->root, is_set(env->prefix) ? env->prefix : "/usr/local", "the prefix",
		              err, errlen) < 0)
			return -1;
	}
	return path_format(d->data, sizeof d->data, "the data directory", err, errlen, "%s/share/terraind",
	                   strcmp(d->root, "/") == 0 ? "" : d->root);
}

int install_dirs_find(const install_env *env, install_dirs *d, char *err, size_t errlen)
{
	memset(d, 0, sizeof *d);
	char user_config[INSTALL_PATH_MAX];
	if (find_installation(env, d, err, errlen) < 0 ||
	    xdg_dir(env->xdg_config_home, env->home, ".config", user_config, sizeof user_config, err, errlen) < 0 ||
	    xdg_dir(env->xdg_data_home, env->home, ".local/share", d->user_data, sizeof d->user_data, err, errlen) < 0)
		return -1;
	if (user_config[0] && add_config(d, err, errlen, "%s/%s", user_config, "terraind.json") < 0)
		return -1;
	if (d->kind == INSTALL_CLONE ? add_config(d, err, errlen, "%s/%s", d->root, "config/terraind.json") < 0
	                             : add_system_configs(d, d->root, err, errlen) < 0)
		return -1;
	add_root(d, d->user_data);
	add_root(d, d->data);
	return 0;
}

const char *install_dirs_config_file(const install_dirs *d)
{
	for (int i = 0; i < d->n_configs; i++)
		if (is_file(d->configs[i]))
			return d->configs[i];
	return NULL;
}

int install_dirs_data_path(const install_dirs *d, const char *relative, char *out, size_t len, char *err, size_t errlen)
{
	for (int i = 0; i < d->n_roots; i++) {
		char candidate[2 * INSTALL_PATH_MAX];
		snprintf(candidate, sizeof candidate, "%s/%s", d->roots[i], relative);
		if (access(candidate, F_OK) == 0)
			return path_copy(out, len, candidate, "the data path", err, errlen);
	}
	return path_format(out, len, "the data path", err, errlen, "%s/%s", d->data, relative);
}

int install_dirs_web_root(const install_dirs *d, char *out, size_t len, char *err, size_t errlen)
{
	return path_format(out, len, "the web surface's directory", err, errlen, "%s/web", d->data);
}
