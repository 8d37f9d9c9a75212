/*
 * training_pairs.c — the /train/add store (include/training_pairs.h).
 *
 * The width of a pair is read and the pair written under one lock, and the
 * storage is always sized for the current shape: a terrain swap between a
 * client reading the width and adding its pair is refused, never written
 * past the end of the buffer.
 */
#include "training_pairs.h"

#include <stdlib.h>
#include <string.h>

void training_pairs_init(training_pairs *p)
{
	memset(p, 0, sizeof *p);
	pthread_mutex_init(&p->lock, NULL);
}

void training_pairs_destroy(training_pairs *p)
{
	free(p->values);
	p->values = NULL;
	pthread_mutex_destroy(&p->lock);
}

int training_pairs_set_shape(training_pairs *p, int control_dim, int latent_dim)
{
	pthread_mutex_lock(&p->lock);
	int dropped = 0;
	if (control_dim != p->control_dim || latent_dim != p->latent_dim) {
		dropped = p->n;
		/* The capacity counted pairs of the old width: start again. */
		free(p->values);
		p->values = NULL;
		p->n = p->capacity = 0;
		p->control_dim = control_dim;
		p->latent_dim = latent_dim;
	}
	pthread_mutex_unlock(&p->lock);
	return dropped;
}

/* Room for one more pair of the current width (lock held). */
static int reserve_one(training_pairs *p, size_t width)
{
	if (p->n < p->capacity)
		return 0;
	int capacity = p->capacity ? 2 * p->capacity : 256;
	if (capacity > TRAINING_PAIRS_MAX)
		capacity = TRAINING_PAIRS_MAX;
	float *grown = realloc(p->values, sizeof(float) * (size_t)capacity * width);
	if (!grown)
		return -1;
	p->values = grown;
	p->capacity = capacity;
	return 0;
}

int training_pairs_add(training_pairs *p, const float *values, int n_values)
{
	pthread_mutex_lock(&p->lock);
	int width = p->control_dim + p->latent_dim;
	int rc = 0;
	if (n_values != width || width <= 0)
		rc = -1;
	else if (p->n >= TRAINING_PAIRS_MAX)
		rc = -2;
	else if (reserve_one(p, (size_t)width) < 0)
		rc = -3;
	else
		memcpy(p->values + (size_t)p->n++ * (size_t)width, values, sizeof(float) * (size_t)width);
	pthread_mutex_unlock(&p->lock);
	return rc;
}

void training_pairs_clear(training_pairs *p)
{
	pthread_mutex_lock(&p->lock);
	p->n = 0;
	pthread_mutex_unlock(&p->lock);
}

int training_pairs_width(training_pairs *p)
{
	pthread_mutex_lock(&p->lock);
	int width = p->control_dim + p->latent_dim;
	pthread_mutex_unlock(&p->lock);
	return width;
}

int training_pairs_copy(training_pairs *p, float **coords, float **latents, int *control_dim, int *latent_dim)
{
	pthread_mutex_lock(&p->lock);
	const int n = p->n, cd = p->control_dim, ld = p->latent_dim;
	const size_t width = (size_t)(cd + ld);
	float *x = malloc(sizeof(float) * (size_t)(n ? n : 1) * (size_t)(cd ? cd : 1));
	float *y = malloc(sizeof(float) * (size_t)(n ? n : 1) * (size_t)(ld ? ld : 1));
	for (int i = 0; x && y && i < n; i++) {
		memcpy(x + (size_t)i * (size_t)cd, p->values + (size_t)i * width, sizeof(float) * (size_t)cd);
		memcpy(y + (size_t)i * (size_t)ld, p->values + (size_t)i * width + cd, sizeof(float) * (size_t)ld);
	}
	pthread_mutex_unlock(&p->lock);
	*control_dim = cd;
	*latent_dim = ld;
	if (!x || !y) {
		free(x);
		free(y);
		*coords = *latents = NULL;
		return -1;
	}
	*coords = x;
	*latents = y;
	return n;
}
