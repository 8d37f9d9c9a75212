/*
 * install_dirs — where terraind finds its configuration and its data
 * (models/, terrains/, web/) when it is not run from a clone.
 *
 * A binary belongs to one installation, found from where the executable
 * lies (so a copy under DESTDIR, or one moved with its prefix, still finds
 * its own files):
 *   - installed: <prefix>/bin/terraind beside <prefix>/share/terraind/
 *     (`make install PREFIX=...`, the Debian package's /usr);
 *   - a clone: the executable in a build folder of a clone (build/terraind,
 *     build/asan/terraind), whose root holds config/, models/, terrains/;
 *   - otherwise the prefix it was compiled for (TERRAIND_PREFIX).
 *
 * Configuration files, the first that exists wins:
 *   1. $XDG_CONFIG_HOME/terraind/terraind.json (default ~/.config): the user's;
 *   2. installed: <prefix>/etc/terraind/terraind.json (/etc/terraind/ for
 *      the prefix /usr), then /etc/terraind/terraind.json;
 *      a clone: <clone>/config/terraind.json.
 * A clone's binary never reads /etc: the system's configuration belongs
 * to the installed terraind and points into its data, another version's.
 *
 * Data roots, searched in order: $XDG_DATA_HOME/terraind (default
 * ~/.local/share/terraind: the user's own models and terrains, writable),
 * then the installation's data (<prefix>/share/terraind, or the clone).
 *
 * install_dirs_find is a function of its inputs (an environment and an
 * executable's path) and of what exists on disk: tests feed it both.
 *
 * Threads: non-RT only (it looks at the file system).
 */
#ifndef TERRAIND_INSTALL_DIRS_H
#define TERRAIND_INSTALL_DIRS_H

#include <stddef.h>

enum { INSTALL_PATH_MAX = 1024, INSTALL_MAX_CONFIGS = 4, INSTALL_MAX_ROOTS = 2 };

typedef enum install_kind {
	INSTALL_PREFIX,   /* <prefix>/bin/terraind with <prefix>/share/terraind */
	INSTALL_CLONE,    /* built in a clone of the repository */
	INSTALL_COMPILED, /* neither: the prefix given at compile time */
} install_kind;

/* What the search depends on; NULL or "" where unset. */
typedef struct install_env {
	const char *xdg_config_home, *xdg_data_home, *home;
	const char *exe;    /* the running executable's real path */
	const char *prefix; /* the compile-time prefix (TERRAIND_PREFIX) */
} install_env;

typedef struct install_dirs {
	install_kind kind;
	char root[INSTALL_PATH_MAX];      /* the prefix, or the clone's root */
	char data[INSTALL_PATH_MAX];      /* the installation's data: models/, terrains/, web/ */
	char user_data[INSTALL_PATH_MAX]; /* $XDG_DATA_HOME/terraind; "" without HOME */
	int n_configs;
	char configs[INSTALL_MAX_CONFIGS][INSTALL_PATH_MAX]; /* the configuration files to try, in order */
	int n_roots;
	char roots[INSTALL_MAX_ROOTS][INSTALL_PATH_MAX]; /* data roots, in order: the user's, the installation's */
} install_dirs;

/* The running process's environment: getenv, /proc/self/exe (into
 * exe[len]) and the compile-time prefix. */
install_env install_env_current(char *exe, size_t len);

/* Where the installation is and what to search. -1 with a sentence only
 * when a path does not fit. */
int install_dirs_find(const install_env *env, install_dirs *d, char *err, size_t errlen);

/* The first configuration file that exists, or NULL (built-in defaults). */
const char *install_dirs_config_file(const install_dirs *d);

/* `relative` under the first data root that holds it; when none does,
 * under the installation's (so that an error names where it belongs). */
int install_dirs_data_path(const install_dirs *d, const char *relative, char *out, size_t len, char *err,
                           size_t errlen);

/* The web surface's files: <data>/web. */
int install_dirs_web_root(const install_dirs *d, char *out, size_t len, char *err, size_t errlen);

/* A name for the kind, for `terraind info` and /status: "installed",
 * "clone", "compiled prefix". */
const char *install_kind_name(install_kind kind);

#endif
