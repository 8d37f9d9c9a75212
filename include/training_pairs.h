/*
 * training_pairs — the live training set that /train/add fills and
 * /train/run fits a terrain to: pairs of a control coordinate and the
 * latent vector the terrain should give there.
 *
 * Every pair has the shape of the terrain that was playing when it was
 * added (control_dim + latent_dim numbers). When the playing terrain
 * changes shape (either size), pairs of the old shape cannot train the new
 * one: they are dropped, and the storage is re-sized for the new shape
 * before anything is written to it.
 *
 * Threads: any non-RT thread (the network thread adds, the worker copies);
 * an internal mutex guards everything. Never call from an RT thread.
 */
#ifndef TERRAIND_TRAINING_PAIRS_H
#define TERRAIND_TRAINING_PAIRS_H

#include <pthread.h>

enum { TRAINING_PAIRS_MAX = 100000 };

typedef struct training_pairs {
	pthread_mutex_t lock;
	int control_dim, latent_dim;
	float *values; /* n pairs × (control_dim + latent_dim) */
	int n, capacity;
} training_pairs;

void training_pairs_init(training_pairs *p);
void training_pairs_destroy(training_pairs *p);

/* Sets the shape of the pairs to come; drops the pairs kept if it differs
 * from theirs. Returns how many pairs were dropped. */
int training_pairs_set_shape(training_pairs *p, int control_dim, int latent_dim);

/* Appends one pair of `n_values` numbers (coordinates, then latents).
 * Returns 0; -1 when n_values is not control_dim + latent_dim (the shape
 * changed since the caller read it); -2 when TRAINING_PAIRS_MAX pairs are
 * kept already; -3 when out of memory. */
int training_pairs_add(training_pairs *p, const float *values, int n_values);

void training_pairs_clear(training_pairs *p);
/* Numbers in one pair (control_dim + latent_dim) for the current shape. */
int training_pairs_width(training_pairs *p);

/* Copies the pairs out, split: *coords gets count × control_dim values,
 * *latents count × latent_dim (malloc'd, the caller frees both). Returns
 * the count, or -1 when out of memory (nothing to free then). */
int training_pairs_copy(training_pairs *p, float **coords, float **latents, int *control_dim, int *latent_dim);

#endif
