/*
 * web_picture — the terrain's picture for the web surface: the playing
 * terrain (a reference of its own, swapped in when the scene changes) and
 * its last picture, plotted by plot.c and kept until the terrain or the
 * channels asked for change, so that every page gets the same picture
 * without plotting it again.
 *
 * Threads: web_picture_set_terrain on the threads that own terrain
 * references (the main thread at start, then the worker that swaps scenes:
 * terrain reference counts are not atomic); web_picture_get on the web
 * thread only. A mutex guards the terrain while it is plotted; never taken
 * on an RT thread.
 */
#ifndef TERRAIND_WEB_PICTURE_H
#define TERRAIND_WEB_PICTURE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "terrain.h"

enum { WEB_PICTURE_SIZE = 256 };

/* What a page needs besides the pixels: which terrain it shows, the
 * terrain's shape, to map the surface to control coordinates, and its
 * labels (the named places the page can show over the picture). */
typedef struct web_picture_info {
	uint64_t version;
	int control_dim, latent_dim;
	float bounds_min[TERRAIN_MAX_CONTROL_DIM], bounds_max[TERRAIN_MAX_CONTROL_DIM];
	int n_labels;
	terrain_label labels[TERRAIN_MAX_LABELS];
} web_picture_info;

typedef struct web_picture {
	pthread_mutex_t lock; /* guards terrain and version */
	terrain *terrain;     /* a reference of our own; NULL before the first */
	uint64_t version;     /* bumped by every web_picture_set_terrain */
	/* the cache (web thread only) */
	uint64_t cached_version;
	int cached_channels[3];
	unsigned char *rgb; /* WEB_PICTURE_SIZE² × 3, NULL until the first plot */
} web_picture;

void web_picture_init(web_picture *p);
/* Drops the terrain reference and the cache (after the web thread stopped). */
void web_picture_destroy(web_picture *p);

/* The terrain now playing: takes a reference to it, drops the previous. */
void web_picture_set_terrain(web_picture *p, terrain *t);
uint64_t web_picture_version(web_picture *p);

/* The picture of the playing terrain for `channels` (channels[1] < 0: a
 * height map of channels[0], else red, green, blue): WEB_PICTURE_SIZE²
 * RGB bytes, row 0 at the top, valid until the next call. Plots only when
 * the terrain or the channels changed since the last call. -1 with a
 * sentence (no terrain yet, a channel the terrain lacks). */
int web_picture_get(web_picture *p, const int channels[3], const unsigned char **rgb, web_picture_info *info, char *err,
                    size_t errlen);

#endif
