/*
 * terrain.c — creation, validation and evaluation of the Fourier CPPN.
 *
 * All numbers of a terrain live in one allocation (`storage`) so that a
 * swap is one pointer and freeing is one call. The single-coordinate path is
 * written for the render thread: two ping-pong scratch vectors, vector code
 * in registers, no calls that could allocate. The batch path runs the same
 * kernels over blocks of coordinates, without BLAS.
 */
#include "terrain.h"

#include "error.h"
#include "pages.h"
#include "terrain_internal.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static size_t panel_floats(int in, int out)
{
	return panel_outputs(out) * (size_t)in;
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
	_Static_assert(PAGES_ALIGNMENT % PANEL_ALIGN == 0, "panels are loaded aligned");
	size_t panel_bytes = panels * sizeof(float);
	terrain *t = calloc(1, sizeof *t);
	/* The two large blocks in mappings of their own: a swap frees and makes
	 * them, and in the heap they left holes the next terrain missed. */
	float *storage = pages_alloc(total * sizeof *storage);
	float *panel_storage = pages_alloc(panel_bytes);
	if (!t || !storage || !panel_storage) {
		free(t);
		pages_free(storage);
		pages_free(panel_storage);
		return error_set(err, errlen, "out of memory for a terrain of %zu weights", total);
	}
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
	pages_free(t->storage);
	pages_free(t->panel_storage);
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

static const struct terrain_kernel *pick_kernel(void);

int terrain_finish(terrain *t, char *err, size_t errlen)
{
	pick_kernel(); /* here, off the render thread: terrain_eval() reads the choice */
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

/* Kernel variants: every evaluation routine below is inlined into one
 * entry point per instruction set, compiled with that target: AVX-512
 * (16-float vectors in registers), AVX2+FMA (the same code in 8-float
 * halves) and the portable build (the compiler's baseline: SSE2 on x86-64,
 * NEON on ARM). The best one this CPU runs is picked by feature (never by
 * vendor or model: "arch=haswell" clones are never picked on AMD) the first
 * time a terrain is finished. Only the portable one exists elsewhere (ARM,
 * Apple's toolchain, -DTERRAIN_PORTABLE) and under ThreadSanitizer (where
 * the earlier target_clones dispatch crashed in its resolver; this explicit
 * dispatch has not been tried there). */
/* A variant's vectors and tiles, constants at every call site so that the
 * loops below unroll into straight-line code over registers: `lanes` floats
 * per native vector (4 SSE/NEON, 8 AVX2, 16 AVX-512), tiles of `rows` rows
 * × `vecs` vectors of sums for batches, `single_vecs` vectors for one
 * coordinate. */
typedef struct kernel_shape {
	int lanes, rows, vecs, single_vecs;
} kernel_shape;

enum { TILE_MAX_ROWS = 8 };

/* The heart of every layer: sums[r][k] = Σ_i in[r][i] · w[i][k] for a tile
 * of `rows` rows (stride in_stride) and `vecs` vectors of outputs (w's
 * inputs `w_stride` floats apart). rows × vecs accumulators stay in
 * registers; each input costs `vecs` loads, `rows` broadcasts and
 * rows × vecs fused multiply-adds. One definition per native vector width:
 * a wider GCC vector than the target has is split element by element. */
#define DEFINE_TILE_SUMS(name, lanes)                                                                                  \
	typedef float name##_vec __attribute__((vector_size(4 * (lanes))));                                            \
	INLINE void name(const float *w, int w_stride, const float *in, size_t in_stride, int n, int rows, int vecs,   \
	                 float *sums, int sums_stride)                                                                 \
	{                                                                                                              \
		name##_vec acc[TILE_MAX_ROWS][PANEL_WIDE / (lanes)];                                                   \
		_Pragma("GCC unroll 8") for (int r = 0; r < rows; r++)                                                 \
		    _Pragma("GCC unroll 16") for (int k = 0; k < vecs; k++) acc[r][k] = (name##_vec){0};               \
		for (int i = 0; i < n; i++) {                                                                          \
			const name##_vec *wi = (const name##_vec *)(w + (size_t)i * (size_t)w_stride);                 \
			_Pragma("GCC unroll 8") for (int r = 0; r < rows; r++)                                         \
			{                                                                                              \
				const float v = in[(size_t)r * in_stride + (size_t)i];                                 \
				_Pragma("GCC unroll 16") for (int k = 0; k < vecs; k++) acc[r][k] += wi[k] * v;        \
			}                                                                                              \
		}                                                                                                      \
		_Pragma("GCC unroll 8") for (int r = 0; r < rows; r++)                                                 \
		    _Pragma("GCC unroll 16") for (int k = 0; k < vecs; k++) memcpy(                                    \
		        sums + (size_t)r * (size_t)sums_stride + (size_t)k * (lanes), &acc[r][k], sizeof(name##_vec)); \
	}

DEFINE_TILE_SUMS(tile_sums4, 4)
DEFINE_TILE_SUMS(tile_sums8, 8)
DEFINE_TILE_SUMS(tile_sums16, 16)

INLINE void tile_sums(kernel_shape shape, const float *w, int w_stride, const float *in, size_t in_stride, int n,
                      int rows, int vecs, float *sums, int sums_stride)
{
	if (shape.lanes == 16)
		tile_sums16(w, w_stride, in, in_stride, n, rows, vecs, sums, sums_stride);
	else if (shape.lanes == 8)
		tile_sums8(w, w_stride, in, in_stride, n, rows, vecs, sums, sums_stride);
	else
		tile_sums4(w, w_stride, in, in_stride, n, rows, vecs, sums, sums_stride);
}

/* out[r] = act(W in[r] + b) for a tile of `rows` rows, panel by panel;
 * wide panels in passes of `vecs` vectors. */
INLINE void layer_tile(kernel_shape shape, const terrain_layer *l, const float *in, size_t in_stride, int rows,
                       int vecs, float *out, size_t out_stride)
{
	float sums[TILE_MAX_ROWS * PANEL_WIDE] __attribute__((aligned(64)));
	const float *panel = l->panels;
	const int step = vecs * shape.lanes;
	for (int first = 0; first < l->out;) {
		const int width = l->out - first >= PANEL_WIDE ? PANEL_WIDE : PANEL_NARROW;
		if (width == PANEL_WIDE)
			for (int k = 0; k < PANEL_WIDE; k += step)
				tile_sums(shape, panel + k, PANEL_WIDE, in, in_stride, l->in, rows, vecs, sums + k,
				          PANEL_WIDE);
		else
			tile_sums(shape, panel, PANEL_NARROW, in, in_stride, l->in, rows, PANEL_NARROW / shape.lanes,
			          sums, PANEL_WIDE);
		const int count = l->out - first < width ? l->out - first : width;
		for (int r = 0; r < rows; r++)
			bias_prelu(l, first, count, sums + r * PANEL_WIDE, out + (size_t)r * out_stride + first);
		panel += (size_t)width * (size_t)l->in;
		first += width;
	}
}

/* One coordinate: two ping-pong vectors in `scratch`. */
INLINE void eval_one(kernel_shape shape, const terrain *t, const float *coord, float *latent, float *scratch)
{
	size_t half = terrain_scratch_floats(t) / 2;
	float *a = scratch, *b = scratch + half;
	network_inputs(t, coord, a);
	for (int i = 0; i < t->n_layers; i++) {
		float *dst = (i + 1 == t->n_layers) ? latent : b;
		layer_tile(shape, &t->layers[i], a, 0, 1, shape.single_vecs, dst, 0);
		float *tmp = a;
		a = b;
		b = tmp;
	}
}

/* Rows through one layer, a tile at a time (the rest one by one). */
INLINE void layer_rows(kernel_shape shape, const terrain_layer *l, const float *in, size_t in_stride, int rows,
                       float *out, size_t out_stride)
{
	int r = 0;
	for (; r + shape.rows <= rows; r += shape.rows)
		layer_tile(shape, l, in + (size_t)r * in_stride, in_stride, shape.rows, shape.vecs,
		           out + (size_t)r * out_stride, out_stride);
	for (; r < rows; r++)
		layer_tile(shape, l, in + (size_t)r * in_stride, in_stride, 1, shape.single_vecs,
		           out + (size_t)r * out_stride, out_stride);
}

/* Up to BLOCK_ROWS coordinates through the whole network, layer by layer,
 * with every intermediate in `scratch` (2 × BLOCK_ROWS rows of the widest
 * layer: small enough to stay in the core's L2 cache). */
enum { BLOCK_ROWS = 48 };

INLINE void eval_block(kernel_shape shape, const terrain *t, const float *coords, int rows, float *latents,
                       float *scratch)
{
	const size_t stride = terrain_scratch_floats(t) / 2;
	float *a = scratch, *b = scratch + (size_t)BLOCK_ROWS * stride;
	for (int r = 0; r < rows; r++)
		network_inputs(t, coords + (size_t)r * (size_t)t->control_dim, a + (size_t)r * stride);
	for (int i = 0; i < t->n_layers; i++) {
		const int last = i + 1 == t->n_layers;
		layer_rows(shape, &t->layers[i], a, stride, rows, last ? latents : b,
		           last ? (size_t)t->latent_dim : stride);
		float *tmp = a;
		a = b;
		b = tmp;
	}
}

typedef struct terrain_kernel {
	const char *name;
	int (*supported)(void);
	void (*eval_one)(const terrain *t, const float *coord, float *latent, float *scratch);
	void (*eval_block)(const terrain *t, const float *coords, int rows, float *latents, float *scratch);
} terrain_kernel;

/* One variant: both entry points compiled for `target`, with the vectors
 * and tiles that fit its register file. */
#define TERRAIN_KERNEL(suffix, target, ...)                                                                            \
	target static void eval_one_##suffix(const terrain *t, const float *coord, float *latent, float *scratch)      \
	{                                                                                                              \
		eval_one((kernel_shape){__VA_ARGS__}, t, coord, latent, scratch);                                      \
	}                                                                                                              \
	target static void eval_block_##suffix(const terrain *t, const float *coords, int rows, float *latents,        \
	                                       float *scratch)                                                         \
	{                                                                                                              \
		eval_block((kernel_shape){__VA_ARGS__}, t, coords, rows, latents, scratch);                            \
	}

static int always(void)
{
	return 1;
}

/* Portable: 4-float vectors; tiles of 2 rows × 16 outputs (8 of SSE's 16
 * registers hold sums), one coordinate 32 outputs at a time. */
TERRAIN_KERNEL(portable, , .lanes = 4, .rows = 2, .vecs = 4, .single_vecs = 8)
#if TERRAIN_X86_VARIANTS
/* AVX2+FMA: 8-float vectors; tiles of 4 rows × 16 outputs (8 of the 16 ymm
 * registers), one coordinate 64 outputs at a time (8 independent sums). */
TERRAIN_KERNEL(avx2, __attribute__((target("avx2,fma"))), .lanes = 8, .rows = 4, .vecs = 2, .single_vecs = 8)
/* AVX-512: 16-float vectors; tiles of 6 rows × 64 outputs (24 of the 32
 * zmm registers), one coordinate 64 outputs at a time. */
TERRAIN_KERNEL(avx512, __attribute__((target("avx512f,avx2,fma"))), .lanes = 16, .rows = 6, .vecs = 4, .single_vecs = 4)

static int has_avx2(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

static int has_avx512(void)
{
	return has_avx2() && __builtin_cpu_supports("avx512f");
}
#endif

/* Best first. */
static const terrain_kernel kernels[] = {
#if TERRAIN_X86_VARIANTS
    {"avx512", has_avx512, eval_one_avx512, eval_block_avx512},
    {"avx2-fma", has_avx2, eval_one_avx2, eval_block_avx2},
#endif
    {"portable", always, eval_one_portable, eval_block_portable},
};

static const terrain_kernel *kernel; /* set by pick_kernel(), before any terrain is finished */
static pthread_once_t kernel_once = PTHREAD_ONCE_INIT;

static void pick_best_kernel(void)
{
	size_t i = 0;
	while (!kernels[i].supported())
		i++;
	kernel = &kernels[i];
}

static const terrain_kernel *pick_kernel(void)
{
	pthread_once(&kernel_once, pick_best_kernel);
	return kernel;
}

const char *terrain_kernel_name(void)
{
	return pick_kernel()->name;
}

int terrain_select_kernel(const char *name, char *err, size_t errlen)
{
	pick_kernel();
	for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++)
		if (strcmp(kernels[i].name, name) == 0) {
			if (!kernels[i].supported())
				return error_set(err, errlen, "this CPU cannot run the %s kernels", name);
			kernel = &kernels[i];
			return 0;
		}
	return error_set(err, errlen, "this build has no %s kernels", name);
}

void terrain_eval(const terrain *t, const float *coord, float *latent, float *scratch)
{
	kernel->eval_one(t, coord, latent, scratch);
}

int terrain_eval_batch(const terrain *t, const float *coords, size_t count, float *latents, char *err, size_t errlen)
{
	const terrain_kernel *k = pick_kernel();
	size_t bytes = sizeof(float) * BLOCK_ROWS * terrain_scratch_floats(t);
	float *scratch = aligned_alloc(PANEL_ALIGN, (bytes + PANEL_ALIGN - 1) / PANEL_ALIGN * PANEL_ALIGN);
	if (!scratch)
		return error_set(err, errlen, "out of memory for a batch of %d coordinates", BLOCK_ROWS);
	for (size_t start = 0; start < count; start += BLOCK_ROWS) {
		const int rows = count - start < BLOCK_ROWS ? (int)(count - start) : BLOCK_ROWS;
		k->eval_block(t, coords + start * (size_t)t->control_dim, rows, latents + start * (size_t)t->latent_dim,
		              scratch);
	}
	free(scratch);
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
