/*
 * config_locate.c — see config_locate.h.
 */
#include "config_locate.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "log.h"
#include "path.h"

/* The directories allowed when a configuration lists none, under each
 * data root. */
static const char *const default_dirs[] = {"models", "terrains"};

static int is_relative(const char *path)
{
	return path[0] && path[0] != '/';
}

/* A model or terrain path: absolute as given; relative, the working
 * directory's copy when a named file (or the command line) meant it and it
 * is there, else the first data root's. */
static int resolve_data_path(char *field, size_t size, int named, const install_dirs *d, const char *what, char *err,
                             size_t errlen)
{
	if (!is_relative(field) || (named && access(field, F_OK) == 0))
		return 0;
	char resolved[CONFIG_PATH_MAX];
	if (install_dirs_data_path(d, field, resolved, sizeof resolved, err, errlen) < 0)
		return -1;
	return path_copy(field, size, resolved, what, err, errlen);
}

/* Appends `dir` to the allowed list being built. */
static int add_dir(char (*dirs)[CONFIG_PATH_MAX], int *n, const char *dir, char *err, size_t errlen)
{
	if (*n == CONFIG_MAX_DIRS)
		return error_set(err, errlen,
		                 "allowed_dirs: more than %d directories once each relative one is taken under every "
		                 "data root (%s ...): list fewer, or give absolute paths",
		                 CONFIG_MAX_DIRS, dir);
	return path_copy(dirs[(*n)++], CONFIG_PATH_MAX, dir, "an allowed directory", err, errlen);
}

/* Each relative entry becomes one directory under every data root (the
 * user's first, where bare names are saved); absolute ones stay. */
static int expand_dirs(config *c, const char *const *entries, int n_entries, const install_dirs *d, char *err,
                       size_t errlen)
{
	char dirs[CONFIG_MAX_DIRS][CONFIG_PATH_MAX];
	int n = 0;
	for (int i = 0; i < n_entries; i++) {
		if (!is_relative(entries[i])) {
			if (add_dir(dirs, &n, entries[i], err, errlen) < 0)
				return -1;
			continue;
		}
		for (int r = 0; r < d->n_roots; r++) {
			char dir[CONFIG_PATH_MAX];
			if (path_format(dir, sizeof dir, "an allowed directory", err, errlen, "%s/%s", d->roots[r],
			                entries[i]) < 0 ||
			    add_dir(dirs, &n, dir, err, errlen) < 0)
				return -1;
		}
	}
	memcpy(c->allowed_dirs, dirs, sizeof dirs);
	c->n_allowed_dirs = n;
	return 0;
}

static int resolve_allowed_dirs(config *c, int named, const install_dirs *d, char *err, size_t errlen)
{
	if (c->n_allowed_dirs < 0) /* none listed: the defaults, under every root */
		return expand_dirs(c, default_dirs, 2, d, err, errlen);
	if (named) /* as written, relative to the working directory */
		return 0;
	const char *entries[CONFIG_MAX_DIRS];
	char copy[CONFIG_MAX_DIRS][CONFIG_PATH_MAX];
	memcpy(copy, c->allowed_dirs, sizeof copy);
	for (int i = 0; i < c->n_allowed_dirs; i++)
		entries[i] = copy[i];
	return expand_dirs(c, entries, c->n_allowed_dirs, d, err, errlen);
}

int config_locate_load(config *c, const char *named, const install_dirs *d, config_origin *origin, char *err,
                       size_t errlen)
{
	config_defaults(c);
	c->n_allowed_dirs = -1; /* "not listed": set by a file's allowed_dirs */
	const char *file = named ? named : install_dirs_config_file(d);
	origin->named = named != NULL;
	if (path_copy(origin->file, sizeof origin->file, file ? file : "", "the configuration path", err, errlen) < 0)
		return -1;
	if (file && config_load(c, file, err, errlen) < 0)
		return -1;
	if (resolve_data_path(c->model, sizeof c->model, origin->named, d, "the model", err, errlen) < 0 ||
	    resolve_data_path(c->terrain, sizeof c->terrain, origin->named, d, "the terrain", err, errlen) < 0 ||
	    resolve_allowed_dirs(c, origin->named, d, err, errlen) < 0)
		return -1;
	/* A recording named in a searched file goes where the user may write. */
	if (!origin->named && is_relative(c->record) && d->user_data[0]) {
		char record[CONFIG_PATH_MAX];
		if (path_format(record, sizeof record, "the recording path", err, errlen, "%s/%s", d->user_data,
		                c->record) < 0)
			return -1;
		memcpy(c->record, record, sizeof record);
	}
	return 0;
}

int config_locate_command_line(config *c, const install_dirs *d, char *err, size_t errlen)
{
	if (resolve_data_path(c->model, sizeof c->model, 1, d, "the --model path", err, errlen) < 0)
		return -1;
	return resolve_data_path(c->terrain, sizeof c->terrain, 1, d, "the --terrain path", err, errlen);
}

/* mkdir -p. */
static int make_dirs(const char *dir)
{
	char path[CONFIG_PATH_MAX];
	snprintf(path, sizeof path, "%s", dir);
	for (char *p = strchr(path + 1, '/');; p = strchr(p + 1, '/')) {
		if (p)
			*p = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			return -1;
		if (!p)
			return 0;
		*p = '/';
	}
}

int config_locate_make_user_dirs(const config *c, const install_dirs *d)
{
	size_t n = strlen(d->user_data);
	int made = 0;
	for (int i = 0; n && i < c->n_allowed_dirs; i++) {
		const char *dir = c->allowed_dirs[i];
		struct stat st;
		if (strncmp(dir, d->user_data, n) != 0 || dir[n] != '/' || stat(dir, &st) == 0)
			continue;
		if (make_dirs(dir) < 0)
			log_warn("cannot make %s for your own files: %s", dir, strerror(errno));
		else
			made++;
	}
	return made;
}

void config_locate_join_roots(const install_dirs *d, char *out, size_t len)
{
	size_t used = 0;
	out[0] = '\0';
	for (int i = 0; i < d->n_roots && used < len; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%s", i ? ":" : "", d->roots[i]);
}

void config_locate_print(const config_origin *origin, const install_dirs *d, FILE *out)
{
	fprintf(out, "  installation   %s, %s\n", install_kind_name(d->kind), d->root);
	if (origin->file[0])
		fprintf(out, "  configuration  %s%s\n", origin->file, origin->named ? " (--config)" : "");
	else
		fprintf(out, "  configuration  none found: the built-in defaults\n");
	if (!origin->named) {
		fprintf(out, "  searched      ");
		for (int i = 0; i < d->n_configs; i++)
			fprintf(out, " %s%s", d->configs[i], i + 1 < d->n_configs ? "," : "\n");
	}
	fprintf(out, "  data          ");
	for (int i = 0; i < d->n_roots; i++)
		fprintf(out, " %s%s", d->roots[i], i + 1 < d->n_roots ? "," : "\n");
}
