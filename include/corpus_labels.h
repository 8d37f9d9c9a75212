/*
 * corpus_labels — where each sound family of a corpus lies once its
 * dataset is laid out: the labels `terraind train --labels` stores in the
 * terrain (docs/dataset-format.md, docs/terrain-format.md).
 *
 * An item's label is its source file's name up to the first '_' (without
 * directory or extension): `violin_A4_v110_held.wav` is a "violin". A
 * label lies at the medoid of its frames' coordinates: the frame whose
 * summed (Euclidean) distance to the label's other frames is least, which,
 * unlike a mean, always lies on the label's own paths and is not pulled
 * away by a few outlying frames.
 *
 * Threads: non-RT only (allocates).
 */
#ifndef TERRAIND_CORPUS_LABELS_H
#define TERRAIND_CORPUS_LABELS_H

#include <stddef.h>

#include "dataset.h"
#include "terrain.h"

/* The label of a source path; -1 with a sentence when it has none (an
 * empty name, or not printable ASCII). */
int corpus_label_of(const char *source, char *name, size_t len, char *err, size_t errlen);

/* Which label each item has (item_label[i], an index into labels), the
 * labels' names in order of first appearance (their places are left at
 * 0) and each label's frame count (frames, TERRAIN_MAX_LABELS of them):
 * the groups of the lda layout. */
int corpus_label_items(const dataset *d, int *item_label, terrain_label *labels, int *n_labels, int *frames, char *err,
                       size_t errlen);

/* One label per distinct name among the dataset's items, in order of first
 * appearance, placed at its medoid; the dataset must be laid out (every
 * item has coordinates). At most TERRAIN_MAX_LABELS names. */
int corpus_labels(const dataset *d, terrain_label *labels, int *n_labels, char *err, size_t errlen);

#endif
