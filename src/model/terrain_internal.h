/*
 * terrain_internal.h — what terrain.c's fp32 kernels and terrain_preview.c's
 * bfloat16 kernels share (private to src/model): the weight panels' shape,
 * which instruction-set variants this build compiles, and the pieces every
 * kernel inlines (the Fourier features, a layer's bias and PReLU).
 */
#ifndef TERRAIND_TERRAIN_INTERNAL_H
#define TERRAIND_TERRAIN_INTERNAL_H

#include "terrain.h"
#include <math.h>
#include <string.h>

static const float two_pi = 6.283185307179586f;

/* Panels: the evaluation kernels read each layer's weights regrouped into
 * panels of PANEL_WIDE consecutive outputs (the last outputs in panels of
 * PANEL_NARROW, zero-padded), stored input by input:
 * panel[i][k] = W[first + k][i]. A pass over a panel keeps a tile of sums
 * (rows × outputs) in vector registers and adds one input at a time to all
 * of them (broadcasts and fused multiply-adds): no horizontal sums, and
 * enough independent sums to keep both FMA pipes busy. The row-major weights
 * stay the layout of files and training. */
enum { PANEL_WIDE = 64, PANEL_NARROW = 16, PANEL_ALIGN = 64 };

/* A layer's outputs as its panels hold them: whole wide panels, the rest
 * in narrow ones, zero-padded. */
static inline size_t panel_outputs(int out)
{
	return (size_t)(out / PANEL_WIDE) * PANEL_WIDE +
	       (size_t)((out % PANEL_WIDE + PANEL_NARROW - 1) / PANEL_NARROW) * PANEL_NARROW;
}

#if defined(__SANITIZE_THREAD__)
#define TERRAIN_UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TERRAIN_UNDER_TSAN 1
#endif
#endif
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__APPLE__) && !defined(TERRAIN_PORTABLE) &&                   \
    !defined(TERRAIN_UNDER_TSAN)
#define TERRAIN_X86_VARIANTS 1
#endif

#define INLINE static inline __attribute__((always_inline))

/* sin and cos of one phase, as a polynomial on [-pi/4, pi/4] after
 * reduction by quadrant (Cephes' sinf/cosf coefficients, ~1e-7 absolute):
 * branch-free, so the feature loop vectorises, unlike libm's sinf. */
INLINE void sincos_poly(float p, float *s, float *c)
{
	float k = nearbyintf(p * 0.636619772f);                                     /* 2/pi */
	float r = ((p - k * 1.5703125f) - k * 4.83751297e-4f) - k * 7.54978995e-8f; /* pi/2 in three parts */
	float r2 = r * r;
	float sr = r + r * r2 * (-1.6666654611e-1f + r2 * (8.3321608736e-3f + r2 * -1.9515295891e-4f));
	float cr = 1.0f - 0.5f * r2 +
	           r2 * r2 * (4.166664568298827e-2f + r2 * (-1.388731625493765e-3f + r2 * 2.443315711809948e-5f));
	int q = (int)k;
	float sv = (q & 1) ? cr : sr;
	float cv = (q & 1) ? sr : cr;
	*s = (q & 2) ? -sv : sv;
	*c = ((q + 1) & 2) ? -cv : cv;
}

/* h = [sin(2π x·B), cos(2π x·B)]: the projections first, into the cosine
 * half, then sin and cos in place; two plain loops that vectorise. */
INLINE void fourier_features(const terrain *t, const float *coord, float *h)
{
	const int f = t->n_features, dims = t->control_dim;
	const float *b = t->fourier;
	float *proj = h + f;
	for (int j = 0; j < f; j++)
		proj[j] = 0.0f;
	for (int d = 0; d < dims; d++) {
		const float x = two_pi * coord[d];
		const float *bd = b + (size_t)d * (size_t)f;
#pragma omp simd
		for (int j = 0; j < f; j++)
			proj[j] += x * bd[j];
	}
#pragma omp simd
	for (int j = 0; j < f; j++)
		sincos_poly(proj[j], &h[j], &h[f + j]);
}

/* The first layer's inputs for one coordinate: its Fourier features, or
 * the coordinate itself in a network without them. */
INLINE void network_inputs(const terrain *t, const float *coord, float *h)
{
	if (t->n_features > 0)
		fourier_features(t, coord, h);
	else
		memcpy(h, coord, sizeof(float) * (size_t)t->control_dim);
}

/* o[k] = PReLU(sum[k] + bias[k]) for `count` outputs of a layer (no PReLU
 * on the last layer: slope 1). */
INLINE void bias_prelu(const terrain_layer *l, int first, int count, const float *sum, float *o)
{
	const float slope = l->has_prelu ? l->prelu : 1.0f;
	const float *bias = l->bias + first;
#pragma omp simd
	for (int k = 0; k < count; k++) {
		const float v = sum[k] + bias[k];
		const float pos = v > 0.0f ? v : 0.0f, neg = v < 0.0f ? v : 0.0f; /* max and min: no branch */
		o[k] = pos + slope * neg;
	}
}

#endif
