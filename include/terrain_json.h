/*
 * terrain_json — terraind's terrain file (docs/terrain-format.md) and
 * nn_terrain checkpoint import.
 *
 * Threads: non-RT only (file I/O, allocation). A loaded terrain is handed
 * to the render thread as a pointer.
 */
#ifndef TERRAIND_TERRAIN_JSON_H
#define TERRAIND_TERRAIN_JSON_H

#include <stddef.h>

#include "terrain.h"

enum { TERRAIN_FORMAT_VERSION = 1 };

/* Parses a terrain from JSON text; `source` names it in error messages. */
int terrain_from_json(const char *text, const char *source, terrain **out, char *err, size_t errlen);
/* Loads a terrain file: `.json`, or an nn_terrain `.pt` checkpoint. */
int terrain_load(const char *path, terrain **out, char *err, size_t errlen);
/* The same through a descriptor opened by confine_open (read via
 * /proc/self/fd, so that the path is never looked up again); `name` is
 * the file's name for its suffix and for messages. */
int terrain_load_fd(int fd, const char *name, terrain **out, char *err, size_t errlen);
/* Returns the JSON text, released with cJSON_free (cJSON allocates it:
 * within a json_scope it is the scope's). */
char *terrain_to_json(const terrain *t);
/* Writes atomically (temporary file, then rename): a failed save never
 * destroys the previous file. Replaces an existing file. */
int terrain_save(const terrain *t, const char *path, char *err, size_t errlen);
/* The same as `name` in the directory open as `dirfd`
 * (confine_open_dir). The temporary file is created fresh
 * (O_EXCL | O_NOFOLLOW), so a link planted at the target or beside it is
 * never written through. Without `overwrite`, an existing file is kept and
 * the save fails saying so ("already exists"). */
int terrain_save_at(const terrain *t, int dirfd, const char *name, int overwrite, char *err, size_t errlen);

/* Reads an nn_terrain checkpoint with libtorch. Its control bounds are not
 * stored in the file: they are set to `bounds_min`/`bounds_max` on every
 * axis. */
int terrain_import_nn_terrain(const char *path, float bounds_min, float bounds_max, terrain **out, char *err,
                              size_t errlen);

/* The range nn.terrain.gui draws and plays a terrain over, its default
 * `values_boundary`: x -16..16, y -4..4 (a scale, not a clamp); the
 * pre-trained presets were made at that range. Axes beyond the GUI's two
 * keep [-1, 1]. Loading a .pt checkpoint as a terrain uses it. */
void terrain_set_nn_terrain_gui_bounds(terrain *t);

#endif
