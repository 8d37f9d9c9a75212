/*
 * dataset — latent trajectories encoded from a corpus, paired with
 * coordinates in control space: what `terraind train` fits a terrain to
 * (docs/dataset-format.md).
 *
 * Threads: non-RT only (allocation, file I/O).
 */
#ifndef TERRAIND_DATASET_H
#define TERRAIND_DATASET_H

#include <stddef.h>

#include "terrain.h"

typedef struct dataset_item {
	char source[512]; /* the audio file it was encoded from */
	int frames;
	float *latents; /* frames × latent_dim */
	float *coords;  /* frames × control_dim, or NULL until laid out */
} dataset_item;

typedef struct dataset {
	terrain_model_info model; /* the model that encoded it */
	int latent_dim, control_dim;
	int n_items;
	dataset_item *items;
} dataset;

dataset *dataset_new(const terrain_model_info *model, int latent_dim, int control_dim);
/* Appends an item (copies `latents`). */
int dataset_add(dataset *d, const char *source, const float *latents, int frames, char *err, size_t errlen);
void dataset_free(dataset *d);
int dataset_total_frames(const dataset *d);
int dataset_has_coords(const dataset *d);

int dataset_load(const char *path, dataset **out, char *err, size_t errlen);
int dataset_save(const dataset *d, const char *path, char *err, size_t errlen);

/* Automatic and simple layouts: every frame of every item gets a
 * coordinate in [-0.9, 0.9]^2 (control_dim 2).
 *   "pca"    the first two principal components of all latent frames,
 *            so similar sounds land near each other
 *   "line"   each item along its own horizontal line, in time order
 *   "circle" each item around its own circle, in time order
 *   "spiral" all items one after another along one spiral */
int dataset_layout(dataset *d, const char *layout, char *err, size_t errlen);
/* The same, the PCA reading only the latent channels `latents` (n_latents
 * of them; 0: every channel): e.g. a model's timbre latents without its
 * pitch and loudness, so that sounds group by what they are rather than
 * by how high or loud they are played. The other layouts ignore them. */
int dataset_layout_latents(dataset *d, const char *layout, const int *latents, int n_latents, char *err, size_t errlen);
/* "lda": Fisher's linear discriminant analysis of the frames (on the
 * channels `latents`, as above), each item in the group item_group[i]
 * (0 to n_groups - 1, at least 2 groups): the two directions along which
 * the groups lie furthest apart for their spread, so that each group (an
 * instrument, a speaker) gets a region of its own. */
int dataset_layout_lda(dataset *d, const int *item_group, int n_groups, const int *latents, int n_latents, char *err,
                       size_t errlen);

/* User paths (nn_terrain's record): a JSON file of strokes, each a
 * polyline laid over one item's frames, time-aligned by arc length:
 * {"strokes": [{"item": 0, "points": [[x, y], ...]}, ...]}. */
int dataset_apply_paths(dataset *d, const char *path, char *err, size_t errlen);

#endif
