/*
 * config_locate — which configuration file the daemon reads, and what the
 * relative paths in it mean, for an installed terraind as for a clone
 * (install_dirs.h says where each is searched).
 *
 * A relative path is read where it was meant:
 *   - in a configuration that was searched for (the user's, the system's,
 *     the clone's) and in the built-in defaults: under the data roots, the
 *     user's ($XDG_DATA_HOME/terraind) first, then the installation's. Not
 *     the working directory: systemd starts the daemon in /.
 *   - in a file named with --config, and on the command line: the working
 *     directory first (where its author typed it), then the data roots;
 *     the file's allowed_dirs as written (relative to the working
 *     directory, as before).
 * allowed_dirs, when a configuration does not list them, are models/ and
 * terrains/ under each data root: the user's (writable; a bare file name
 * is saved there) and the installation's.
 *
 * Threads: non-RT only.
 */
#ifndef TERRAIND_CONFIG_LOCATE_H
#define TERRAIND_CONFIG_LOCATE_H

#include <stdio.h>

#include "config.h"
#include "install_dirs.h"

typedef struct config_origin {
	char file[CONFIG_PATH_MAX]; /* the file read; "" = the built-in defaults */
	int named;                  /* given with --config */
} config_origin;

/* The defaults, then `named` (--config; NULL: the first configuration
 * file found), with relative paths resolved as above. On error *c is
 * whatever was built so far (callers build into a copy). */
int config_locate_load(config *c, const char *named, const install_dirs *d, config_origin *origin, char *err,
                       size_t errlen);

/* A relative model or terrain given on the command line (applied after
 * config_locate_load): the working directory's when it is there, else the
 * first data root's. Absolute paths, and those already resolved, stay. */
int config_locate_command_line(config *c, const install_dirs *d, char *err, size_t errlen);

/* Creates the allowed directories that lie under the user's data root
 * and do not exist yet ($XDG_DATA_HOME/terraind/models, .../terrains), so
 * that a bare file name can be saved there. Returns how many were made;
 * a directory that cannot be made is logged and left out. */
int config_locate_make_user_dirs(const config *c, const install_dirs *d);

/* The lines `terraind info` and the daemon's start print: the
 * installation, the configuration in use and the files searched, the
 * data roots. */
void config_locate_print(const config_origin *origin, const install_dirs *d, FILE *out);

/* The data roots, joined with ':' (for /status). */
void config_locate_join_roots(const install_dirs *d, char *out, size_t len);

#endif
