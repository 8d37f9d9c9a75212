/*
 * terrain_preview — a terrain over many coordinates for pictures (the web
 * surface's 256×256 picture), in bfloat16 where the CPU has AVX512_BF16.
 *
 * A picture's colours have 8 bits, so its products need not carry fp32's
 * 24: weights and each layer's inputs are rounded to bfloat16 (8
 * significant bits) and summed in fp32, twice the multiply-adds per
 * instruction of the fp32 kernels. The result moves a latent by well under
 * 1 % of its range over a picture (test_terrain_preview measures it); the
 * sound never goes through this path, nor `terraind plot`'s files. On a
 * CPU without AVX512_BF16, or with another kernel variant chosen
 * (terrain_select_kernel), it is terrain_eval_batch().
 *
 * Not real-time safe (it allocates); any number of threads at once.
 */
#ifndef TERRAIND_TERRAIN_PREVIEW_H
#define TERRAIND_TERRAIN_PREVIEW_H

#include "terrain.h"

#include <stddef.h>

/* As terrain_eval_batch(): latents of `count` coordinates (control_dim
 * floats each) into `latents` (latent_dim floats each); -1 with a sentence
 * when memory runs out. */
int terrain_eval_batch_preview(const terrain *t, const float *coords, size_t count, float *latents, char *err,
                               size_t errlen);

/* "avx512-bf16" when the preview runs in bfloat16, else the fp32 kernel's
 * name (terrain_kernel_name()). */
const char *terrain_preview_kernel_name(void);

#endif
