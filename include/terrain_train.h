/*
 * terrain_train — fits a new terrain of nn_terrain's shape (Fourier
 * features, four PReLU layers, a linear output) to coordinate -> latent
 * pairs, with libtorch's autograd (torch_backend). Shared by the `train`
 * command and the daemon's /train/run.
 *
 * Threads: any non-real-time thread; it runs for as long as training does.
 */
#ifndef TERRAIND_TERRAIN_TRAIN_H
#define TERRAIND_TERRAIN_TRAIN_H

#include "terrain.h"
#include "torch_backend.h"

/* coords: count × control_dim, latents: count × latent_dim. On success
 * *out is a finished terrain (bounds [-1, 1], no model information: the
 * caller fills those in) and *loss the final mean squared error.
 * `progress` as in tb_train_cppn (non-zero stops early, keeping what was
 * learned). */
int terrain_train(const float *coords, const float *latents, int count, int control_dim, int latent_dim,
                  const tb_train_options *options, tb_train_progress progress, void *ctx, terrain **out, double *loss,
                  char *err, size_t errlen);

#endif
