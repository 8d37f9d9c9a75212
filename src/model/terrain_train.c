/*
 * terrain_train.c — a terrain's arrays handed to the torch backend's
 * trainer, then finished.
 */
#include "terrain_train.h"

enum { TRAIN_LAYERS = 5 };

int terrain_train(const float *coords, const float *latents, int count, int control_dim, int latent_dim,
                  const tb_train_options *options, tb_train_progress progress, void *ctx, terrain **out, double *loss,
                  char *err, size_t errlen)
{
	int ch = options->channels;
	terrain_shape shape = {.control_dim = control_dim,
	                       .latent_dim = latent_dim,
	                       .n_features = options->gauss_scale > 0 ? options->features : 0,
	                       .n_layers = TRAIN_LAYERS,
	                       .widths = {ch, ch, ch, ch, latent_dim}};
	terrain *t;
	if (terrain_create(&shape, &t, err, errlen) < 0)
		return -1;
	float *weights[TRAIN_LAYERS], *biases[TRAIN_LAYERS], prelu[TRAIN_LAYERS - 1];
	for (int i = 0; i < TRAIN_LAYERS; i++)
		weights[i] = t->layers[i].weight, biases[i] = t->layers[i].bias;
	int rc = tb_train_cppn(coords, latents, count, control_dim, latent_dim, options, progress, ctx, t->fourier,
	                       weights, biases, prelu, loss, err, errlen);
	for (int i = 0; rc == 0 && i < TRAIN_LAYERS - 1; i++)
		t->layers[i].prelu = prelu[i];
	t->gauss_scale = (float)options->gauss_scale;
	return terrain_adopt(t, rc, out, err, errlen);
}
