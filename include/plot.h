/*
 * plot — a picture of a terrain over its bounds (first two control axes),
 * as PNG: one latent channel as a height map (a perceptual colour ramp),
 * or three channels as red, green and blue; paths (a dataset's, laid out)
 * drawn on top as white dots, and labelled places as rings with their
 * names. The overlays are plain points in control coordinates: plot knows
 * nothing of where they came from.
 *
 * Threads: non-RT only.
 */
#ifndef TERRAIND_PLOT_H
#define TERRAIND_PLOT_H

#include <stddef.h>

#include "terrain.h"

/* A path: n points, (x, y) pairs one after another. */
typedef struct plot_path {
	const float *xy;
	int n;
} plot_path;

/* A named place: a ring at (x, y), the name beside it. */
typedef struct plot_label {
	const char *name;
	float x, y;
} plot_label;

typedef struct plot_options {
	int width, height;
	int channels[3]; /* latent channels; channels[1] < 0: one channel as a height map */
	const plot_path *paths;
	int n_paths;
	const plot_label *labels;
	int n_labels;
	int preview; /* 1: the terrain in bfloat16 where the CPU has it (terrain_preview.h): a picture for a
	                screen, twice as fast; 0: fp32, as the sound hears it (files, comparisons) */
} plot_options;

/* -1 with a sentence unless every channel the options use (one, or three
 * for RGB) is one of the terrain's latents. plot_terrain checks it too. */
int plot_check_channels(const terrain *t, const plot_options *o, char *err, size_t errlen);

/* rgb: width × height × 3 bytes, row 0 at the top (max y). */
int plot_terrain(const terrain *t, const plot_options *o, unsigned char *rgb, char *err, size_t errlen);
int plot_write_png(const char *path, const unsigned char *rgb, int width, int height, char *err, size_t errlen);

#endif
