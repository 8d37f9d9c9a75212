/*
 * plot — a picture of a terrain over its bounds (first two control axes),
 * as PNG: one latent channel as a height map (a perceptual colour ramp),
 * or three channels as red, green and blue; a dataset's coordinates drawn
 * on top as white dots.
 *
 * Threads: non-RT only.
 */
#ifndef TERRAIND_PLOT_H
#define TERRAIND_PLOT_H

#include <stddef.h>

#include "dataset.h"
#include "terrain.h"

typedef struct plot_options {
	int width, height;
	int channels[3];        /* latent channels; channels[1] < 0: one channel as a height map */
	const dataset *overlay; /* may be NULL */
} plot_options;

/* -1 with a sentence unless every channel the options use (one, or three
 * for RGB) is one of the terrain's latents. plot_terrain checks it too. */
int plot_check_channels(const terrain *t, const plot_options *o, char *err, size_t errlen);

/* rgb: width × height × 3 bytes, row 0 at the top (max y). */
int plot_terrain(const terrain *t, const plot_options *o, unsigned char *rgb, char *err, size_t errlen);
int plot_write_png(const char *path, const unsigned char *rgb, int width, int height, char *err, size_t errlen);

#endif
