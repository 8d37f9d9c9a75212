/*
 * corpus_labels.c — named places of a laid-out corpus. The medoid is
 * computed on at most MEDOID_POINTS frames a label (every k-th frame): its
 * cost is quadratic in the points, and a few thousand frames place a label
 * as well as all of them.
 */
#include "corpus_labels.h"

#include "error.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { MEDOID_POINTS = 2000 };

int corpus_label_of(const char *source, char *name, size_t len, char *err, size_t errlen)
{
	const char *base = strrchr(source, '/');
	base = base ? base + 1 : source;
	size_t n = strcspn(base, "_.");
	if (n == 0)
		return error_set(err, errlen, "%s: its file name does not start with a label (name_...)", source);
	if (n >= len)
		return error_set(err, errlen, "%s: its label is longer than %zu bytes", source, len - 1);
	for (size_t i = 0; i < n; i++)
		if (base[i] < 0x20 || base[i] > 0x7e)
			return error_set(err, errlen, "%s: its label is not printable ASCII", source);
	memcpy(name, base, n);
	name[n] = '\0';
	return 0;
}

static int find_label(const terrain_label *labels, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(labels[i].name, name) == 0)
			return i;
	return -1;
}

/* Every k-th frame of the items that carry `label` (item_label[i]) into
 * xy; returns how many. */
static int gather_points(const dataset *d, const int *item_label, int label, int stride, float *xy)
{
	int n = 0, seen = 0;
	for (int i = 0; i < d->n_items; i++) {
		if (item_label[i] != label)
			continue;
		for (int f = 0; f < d->items[i].frames; f++, seen++)
			if (seen % stride == 0 && n < MEDOID_POINTS) {
				memcpy(xy + 2 * n, d->items[i].coords + (size_t)f * d->control_dim, 2 * sizeof(float));
				n++;
			}
	}
	return n;
}

static void medoid(const float *xy, int n, float *at)
{
	double best = DBL_MAX;
	for (int a = 0; a < n; a++) {
		double sum = 0;
		for (int b = 0; b < n && sum < best; b++) {
			double dx = xy[2 * a] - xy[2 * b], dy = xy[2 * a + 1] - xy[2 * b + 1];
			sum += sqrt(dx * dx + dy * dy);
		}
		if (sum < best) {
			best = sum;
			at[0] = xy[2 * a];
			at[1] = xy[2 * a + 1];
		}
	}
}

int corpus_label_items(const dataset *d, int *item_label, terrain_label *labels, int *n_labels, int *frames, char *err,
                       size_t errlen)
{
	*n_labels = 0;
	for (int i = 0; i < d->n_items; i++) {
		char name[TERRAIN_LABEL_MAX];
		if (corpus_label_of(d->items[i].source, name, sizeof name, err, errlen) < 0)
			return -1;
		int k = find_label(labels, *n_labels, name);
		if (k < 0 && *n_labels == TERRAIN_MAX_LABELS)
			return error_set(err, errlen, "the corpus has more than %d labels (file name prefixes)",
			                 TERRAIN_MAX_LABELS);
		if (k < 0) {
			k = (*n_labels)++;
			memset(&labels[k], 0, sizeof labels[k]);
			memcpy(labels[k].name, name, sizeof name);
			frames[k] = 0;
		}
		item_label[i] = k;
		frames[k] += d->items[i].frames;
	}
	return 0;
}

int corpus_labels(const dataset *d, terrain_label *labels, int *n_labels, char *err, size_t errlen)
{
	if (d->control_dim < 2)
		return error_set(err, errlen, "labels need 2-D coordinates; this dataset has %d control dimension(s)",
		                 d->control_dim);
	int *item_label = malloc(sizeof(int) * (size_t)(d->n_items > 0 ? d->n_items : 1));
	float *xy = malloc(sizeof(float) * 2 * MEDOID_POINTS);
	int frames[TERRAIN_MAX_LABELS];
	int rc = item_label && xy ? corpus_label_items(d, item_label, labels, n_labels, frames, err, errlen)
	                          : error_set(err, errlen, "out of memory");
	for (int i = 0; rc == 0 && i < d->n_items; i++)
		if (!d->items[i].coords)
			rc = error_set(err, errlen, "%s has no coordinates: lay the dataset out first",
			               d->items[i].source);
	for (int k = 0; rc == 0 && k < *n_labels; k++) {
		int stride = (frames[k] + MEDOID_POINTS - 1) / MEDOID_POINTS;
		medoid(xy, gather_points(d, item_label, k, stride > 0 ? stride : 1, xy), labels[k].at);
	}
	free(item_label);
	free(xy);
	return rc;
}
