/*
 * terrain.c — creation, validation and evaluation of the Fourier CPPN.
 *
 * All numbers of a terrain live in one allocation (`storage`) so that a
 * swap is one pointer and freeing is one call. The single-coordinate path is
 * written for the render thread: two ping-pong scratch vectors, plain loops
 * the compiler vectorises, no calls that could allocate.
 */
#include "terrain.h"

#include "error.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const float two_pi = 6.283185307179586f;

/* Panels: terrain_eval() reads each layer's weights regrouped into panels
 * of PANEL_WIDE consecutive outputs (the last outputs in panels of
 * PANEL_NARROW, zero-padded), stored input by input:
 * panel[i][k] = W[first + k][i]. One pass over a panel keeps all its
 * outputs in vector registers and adds one input at a time to all of them
 * (a broadcast and eight fused multiply-adds): no horizontal sums, and eight
 * independent sums keep both FMA pipes busy. The row-major weights stay the
 * layout of files, training and the BLAS batch path. */
enum { PANEL_WIDE = 64, PANEL_NARROW = 8, PANEL_ALIGN = 64 };

static size_t panel_floats(int in, int out)
{
	size_t wide = (size_t)(out / PANEL_WIDE) * PANEL_WIDE;
	size_t narrow = (size_t)((out % PANEL_WIDE + PANEL_NARROW - 1) / PANEL_NARROW) * PANEL_NARROW;
	return (wide + narrow) * (size_t)in;
}

static int check_shape(const terrain_shape *s, size_t *total, size_t *panels, char *err, size_t errlen)
{
	if (s->control_dim < 1 || s->control_dim > TERRAIN_MAX_CONTROL_DIM)
		return error_set(err, errlen, "control_dim %d is out of range (1 to %d)", s->control_dim,
		                 TERRAIN_MAX_CONTROL_DIM);
	if (s->latent_dim < 1 || s->latent_dim > TERRAIN_MAX_LATENT_DIM)
		return error_set(err, errlen, "latent_dim %d is out of range (1 to %d)", s->latent_dim,
		                 TERRAIN_MAX_LATENT_DIM);
	if (s->n_features < 0 || 2 * s->n_features > TERRAIN_MAX_WIDTH)
		return error_set(err, errlen, "%d Fourier features is out of range (0 to %d)", s->n_features,
		                 TERRAIN_MAX_WIDTH / 2);
	if (s->n_layers < 1 || s->n_layers > TERRAIN_MAX_LAYERS)
		return error_set(err, errlen, "%d layers is out of range (1 to %d)", s->n_layers, TERRAIN_MAX_LAYERS);
	size_t n = (size_t)s->control_dim * (size_t)s->n_features;
	*panels = 0;
	int in = s->n_features > 0 ? 2 * s->n_features : s->control_dim;
	for (int i = 0; i < s->n_layers; i++) {
		int out = s->widths[i];
		if (out < 1 || out > TERRAIN_MAX_WIDTH)
			return error_set(err, errlen, "layer %d has %d outputs (1 to %d allowed)", i, out,
			                 TERRAIN_MAX_WIDTH);
		n += (size_t)out * (size_t)in + (size_t)out;
		*panels += panel_floats(in, out);
		if (n > TERRAIN_MAX_WEIGHTS)
			return error_set(err, errlen, "the network has more than %d weights", TERRAIN_MAX_WEIGHTS);
		in = out;
	}
	if (in != s->latent_dim)
		return error_set(err, errlen, "the last layer has %d outputs but latent_dim is %d", in, s->latent_dim);
	*total = n;
	return 0;
}

int terrain_create(const terrain_shape *shape, terrain **out, char *err, size_t errlen)
{
	*out = NULL;
	size_t total = 0, panels = 0;
	if (check_shape(shape, &total, &panels, err, errlen) < 0)
		return -1;
	size_t panel_bytes = (panels * sizeof(float) + PANEL_ALIGN - 1) / PANEL_ALIGN * PANEL_ALIGN;
	terrain *t = calloc(1, sizeof *t);
	float *storage = calloc(total ? total : 1, sizeof *storage);
	float *panel_storage = aligned_alloc(PANEL_ALIGN, panel_bytes);
	if (!t || !storage || !panel_storage) {
		free(t);
		free(storage);
		free(panel_storage);
		return error_set(err, errlen, "out of memory for a terrain of %zu weights", total);
	}
	memset(panel_storage, 0, panel_bytes);
	t->refs = 1;
	t->control_dim = shape->control_dim;
	t->latent_dim = shape->latent_dim;
	t->n_features = shape->n_features;
	t->n_layers = shape->n_layers;
	t->storage = storage;
	t->storage_floats = total;
	t->fourier = storage;
	t->panel_storage = panel_storage;
	float *next = storage + (size_t)shape->control_dim * (size_t)shape->n_features, *next_panel = panel_storage;
	int in = shape->n_features > 0 ? 2 * shape->n_features : shape->control_dim;
	for (int i = 0; i < shape->n_layers; i++) {
		terrain_layer *l = &t->layers[i];
		l->in = in;
		l->out = shape->widths[i];
		l->weight = next;
		next += (size_t)l->in * (size_t)l->out;
		l->bias = next;
		next += l->out;
		l->has_prelu = i + 1 < shape->n_layers;
		l->panels = next_panel;
		next_panel += panel_floats(l->in, l->out);
		in = l->out;
	}
	for (int d = 0; d < t->control_dim; d++) {
		t->bounds_min[d] = -1.0f;
		t->bounds_max[d] = 1.0f;
	}
	*out = t;
	return 0;
}

void terrain_free(terrain *t)
{
	if (!t || --t->refs > 0)
		return;
	free(t->storage);
	free(t->panel_storage);
	free(t);
}

static void fill_panels(terrain_layer *l)
{
	float *dst = l->panels;
	for (int first = 0; first < l->out;) {
		int width = l->out - first >= PANEL_WIDE ? PANEL_WIDE : PANEL_NARROW;
		for (int i = 0; i < l->in; i++)
			for (int k = 0; k < width; k++)
				*dst++ = first + k < l->out ? l->weight[(size_t)(first + k) * (size_t)l->in + (size_t)i]
				                            : 0.0f;
		first += width;
	}
}

static int validate(const terrain *t, char *err, size_t errlen)
{
	for (size_t i = 0; i < t->storage_floats; i++)
		if (!isfinite(t->storage[i]))
			return error_set(err, errlen, "the network holds a non-finite number (weight %zu)", i);
	for (int i = 0; i < t->n_layers; i++)
		if (t->layers[i].has_prelu && !isfinite(t->layers[i].prelu))
			return error_set(err, errlen, "layer %d has a non-finite prelu slope", i);
	for (int d = 0; d < t->control_dim; d++)
		if (!(isfinite(t->bounds_min[d]) && isfinite(t->bounds_max[d]) && t->bounds_min[d] < t->bounds_max[d]))
			return error_set(err, errlen, "bounds on axis %d are [%g, %g]: need finite min < max", d,
			                 (double)t->bounds_min[d], (double)t->bounds_max[d]);
	return 0;
}

int terrain_finish(terrain *t, char *err, size_t errlen)
{
	if (validate(t, err, errlen) < 0)
		return -1;
	for (int i = 0; i < t->n_layers; i++)
		fill_panels(&t->layers[i]);
	return 0;
}

int terrain_adopt(terrain *t, int filled, terrain **out, char *err, size_t errlen)
{
	if (filled == 0 && terrain_finish(t, err, errlen) == 0) {
		*out = t;
		return 0;
	}
	terrain_free(t);
	return -1;
}

size_t terrain_scratch_floats(const terrain *t)
{
	int widest = 2 * t->n_features > t->control_dim ? 2 * t->n_features : t->control_dim;
	for (int i = 0; i < t->n_layers; i++)
		if (t->layers[i].out > widest)
			widest = t->layers[i].out;
	return 2 * (size_t)widest;
}

/* Vector code paths: on x86-64 every hot loop is compiled twice, for
 * AVX+FMA (256-bit vectors, fused multiply-adds) and for the baseline, and
 * the loader picks at start-up by the CPU's features (GCC and clang function
 * multi-versioning). Not "arch=haswell": that clone is picked by CPU model
 * (Intel Haswell and later), never on AMD. Elsewhere (ARM, macOS with
 * Apple's toolchain, or -DTERRAIN_PORTABLE) the plain version is used, and
 * under ThreadSanitizer too: the clones' resolver runs while the program is
 * being relocated, before TSan's runtime is up, and crashes. */
#if defined(__SANITIZE_THREAD__)
#define TERRAIN_UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TERRAIN_UNDER_TSAN 1
#endif
#endif
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__APPLE__) && !defined(TERRAIN_PORTABLE) &&                   \
    !defined(TERRAIN_UNDER_TSAN)
#define SIMD_CLONES __attribute__((target_clones("fma", "default")))
#else
#define SIMD_CLONES
#endif

/* sin and cos of one phase, as a polynomial on [-pi/4, pi/4] after
 * reduction by quadrant (Cephes' sinf/cosf coefficients, ~1e-7 absolute):
 * branch-free, so the feature loop vectorises, unlike libm's sinf. */
static inline void sincos_poly(float p, float *s, float *c)
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

/* h = [sin(2π x·B), cos(2π x·B)] */
SIMD_CLONES
static void fourier_features(const terrain *t, const float *coord, float *h)
{
	const int f = t->n_features, dims = t->control_dim;
	const float *b = t->fourier;
#pragma omp simd
	for (int j = 0; j < f; j++) {
		float acc = 0.0f;
		for (int d = 0; d < dims; d++)
			acc += coord[d] * b[(size_t)d * f + j];
		sincos_poly(two_pi * acc, &h[j], &h[f + j]);
	}
}

static inline float activate(const terrain_layer *l, float v)
{
	return (l->has_prelu && v < 0.0f) ? l->prelu * v : v;
}

typedef float vec8 __attribute__((vector_size(32)));

/* Sums of one panel: sum[k] = Σ_i panel[i][k] · in[i], for `vectors` × 8
 * outputs. Inlined into the cloned callers so that each gets its own
 * vector code and `vectors` is a constant. */
static inline __attribute__((always_inline)) void panel_sums(const float *panel, const float *in, int n, int vectors,
                                                             float *sum)
{
	vec8 acc[PANEL_WIDE / 8] = {0};
	for (int i = 0; i < n; i++) {
		const vec8 *w = (const vec8 *)panel + (size_t)i * vectors;
		const float v = in[i];
		const vec8 x = {v, v, v, v, v, v, v, v};
#pragma GCC unroll 8
		for (int k = 0; k < vectors; k++)
			acc[k] += w[k] * x;
	}
	memcpy(sum, acc, sizeof(vec8) * (size_t)vectors);
}

static void finish_outputs(const terrain_layer *l, const float *sum, int first, int count, float *out)
{
	for (int k = 0; k < count; k++)
		out[first + k] = activate(l, sum[k] + l->bias[first + k]);
}

/* out = act(W in + b), panel by panel. */
SIMD_CLONES
static void dense_layer(const terrain_layer *l, const float *in, float *out)
{
	const float *panel = l->panels;
	float sum[PANEL_WIDE];
	int o = 0;
	for (; o + PANEL_WIDE <= l->out; o += PANEL_WIDE) {
		panel_sums(panel, in, l->in, PANEL_WIDE / 8, sum);
		finish_outputs(l, sum, o, PANEL_WIDE, out);
		panel += (size_t)PANEL_WIDE * (size_t)l->in;
	}
	for (; o < l->out; o += PANEL_NARROW) {
		panel_sums(panel, in, l->in, PANEL_NARROW / 8, sum);
		finish_outputs(l, sum, o, l->out - o < PANEL_NARROW ? l->out - o : PANEL_NARROW, out);
		panel += (size_t)PANEL_NARROW * (size_t)l->in;
	}
}

void terrain_eval(const terrain *t, const float *coord, float *latent, float *scratch)
{
	size_t half = terrain_scratch_floats(t) / 2;
	float *a = scratch, *b = scratch + half;
	if (t->n_features > 0)
		fourier_features(t, coord, a);
	else
		memcpy(a, coord, sizeof(float) * (size_t)t->control_dim);
	for (int i = 0; i < t->n_layers; i++) {
		float *dst = (i + 1 == t->n_layers) ? latent : b;
		dense_layer(&t->layers[i], a, dst);
		float *tmp = a;
		a = b;
		b = tmp;
	}
}

/* Rows of `h` (rows × in) times W^T, plus bias, with the layer's PReLU. */
static void dense_batch(const terrain_layer *l, const float *h, size_t rows, float *out)
{
	for (size_t r = 0; r < rows; r++)
		memcpy(out + r * l->out, l->bias, sizeof(float) * (size_t)l->out);
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, l->out, l->in, 1.0f, h, l->in, l->weight, l->in,
	            1.0f, out, l->out);
	if (!l->has_prelu)
		return;
	const size_t n = rows * (size_t)l->out;
	const float a = l->prelu;
#pragma omp simd
	for (size_t i = 0; i < n; i++)
		out[i] = out[i] < 0.0f ? a * out[i] : out[i];
}

/* h (rows × 2F) = [sin(2π x·B) | cos(2π x·B)]; `proj` is rows × F of room. */
SIMD_CLONES
static void fourier_batch(const terrain *t, const float *coords, size_t rows, float *h, float *proj)
{
	const int f = t->n_features;
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, f, t->control_dim, two_pi, coords,
	            t->control_dim, t->fourier, f, 0.0f, proj, f);
	for (size_t r = 0; r < rows; r++) {
		const float *p = proj + r * (size_t)f;
		float *dst = h + r * 2 * (size_t)f;
#pragma omp simd
		for (int j = 0; j < f; j++)
			sincos_poly(p[j], &dst[j], &dst[f + j]);
	}
}

enum { BATCH_ROWS = 1024 };

int terrain_eval_batch(const terrain *t, const float *coords, size_t count, float *latents, char *err, size_t errlen)
{
	size_t half = terrain_scratch_floats(t) / 2;
	float *a = malloc(sizeof(float) * half * BATCH_ROWS);
	float *b = malloc(sizeof(float) * half * BATCH_ROWS);
	if (!a || !b) {
		free(a);
		free(b);
		return error_set(err, errlen, "out of memory for a batch of %d coordinates", BATCH_ROWS);
	}
	for (size_t start = 0; start < count; start += BATCH_ROWS) {
		size_t rows = count - start < BATCH_ROWS ? count - start : BATCH_ROWS;
		const float *x = coords + start * (size_t)t->control_dim;
		float *in = a, *out = b;
		if (t->n_features > 0)
			fourier_batch(t, x, rows, in, out);
		else
			memcpy(in, x, sizeof(float) * rows * (size_t)t->control_dim);
		for (int i = 0; i < t->n_layers; i++) {
			float *dst = (i + 1 == t->n_layers) ? latents + start * (size_t)t->latent_dim : out;
			dense_batch(&t->layers[i], in, rows, dst);
			float *tmp = in;
			in = out;
			out = tmp;
		}
	}
	free(a);
	free(b);
	return 0;
}

int terrain_clamp(const terrain *t, float *coord)
{
	int clamped = 0;
	for (int d = 0; d < t->control_dim; d++) {
		if (coord[d] < t->bounds_min[d]) {
			coord[d] = t->bounds_min[d];
			clamped++;
		} else if (coord[d] > t->bounds_max[d]) {
			coord[d] = t->bounds_max[d];
			clamped++;
		}
	}
	return clamped;
}

int terrain_check_model(const terrain *t, const char *model_id, int latent_dim, int sample_rate, int ratio, char *err,
                        size_t errlen, char *warning, size_t warnlen)
{
	if (warning && warnlen)
		warning[0] = '\0';
	if (t->latent_dim != latent_dim)
		return error_set(err, errlen, "the terrain produces %d latents but the model '%s' decodes %d",
		                 t->latent_dim, model_id, latent_dim);
	if (!t->has_model)
		return 0;
	if (t->model.sample_rate && t->model.sample_rate != sample_rate)
		return error_set(err, errlen, "the terrain was made for a %d Hz model but '%s' runs at %d Hz",
		                 t->model.sample_rate, model_id, sample_rate);
	if (t->model.ratio && t->model.ratio != ratio)
		return error_set(err, errlen, "the terrain was made for a model with ratio %d but '%s' has ratio %d",
		                 t->model.ratio, model_id, ratio);
	if (t->model.id[0] && strcmp(t->model.id, model_id) != 0 && warning)
		snprintf(warning, warnlen, "the terrain was made for model '%s', playing it with '%s'", t->model.id,
		         model_id);
	return 0;
}
