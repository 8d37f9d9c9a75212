/*
 * terrain_preview.c — the terrain over many coordinates in bfloat16, for
 * pictures (include/terrain_preview.h says what it trades).
 *
 * VDPBF16PS (AVX512_BF16: AMD Zen 4 and later, Intel Cooper Lake and
 * Sapphire Rapids) multiplies 16 pairs of bf16 numbers by 16 others and
 * adds both products of each pair into an fp32 sum. On Zen 4 it issues as
 * fast as an fp32 FMA, which does one product a lane, so a layer's tile
 * takes half the time (1.9–2.0x on a 6 × 64 tile, tests/bench). The panels
 * are terrain.c's (terrain_internal.h) with the inputs taken in pairs, and
 * each layer's inputs are packed the same way: one 32-bit word per pair,
 * broadcast to every lane. Sums, bias and PReLU stay fp32.
 */
#include "terrain_preview.h"

#include "error.h"
#include "terrain_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if TERRAIN_X86_VARIANTS
#include <immintrin.h>

#define BF16_TARGET __attribute__((target("avx512f,avx512bf16")))

enum {
	BF16_LANES = 16,      /* fp32 sums in a 512-bit vector */
	BF16_TILE_ROWS = 6,   /* 6 rows × 4 vectors of sums: 24 of the 32 zmm registers */
	BF16_BLOCK_ROWS = 48, /* coordinates through the network together (in L2, as terrain.c's) */
};

/* fp32 to bf16, rounded to the nearest, ties to even (a terrain holds
 * finite numbers only: terrain_finish checks). */
static uint32_t bf16_bits(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof u);
	return (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
}

/* x[2p] in the low half of word p, x[2p + 1] in the high half; 0 past n. */
static void pack_pairs(const float *x, int n, uint32_t *words)
{
	for (int p = 0; 2 * p < n; p++)
		words[p] = bf16_bits(x[2 * p]) | (2 * p + 1 < n ? bf16_bits(x[2 * p + 1]) << 16 : 0u);
}

/* The same for a layer's inputs, 32 at a time: pairs in words are bf16
 * numbers in order in memory, what VCVTNE2PS2BF16 writes (same rounding).
 * Writes whole 64-byte vectors: `words` has room for n rounded up to 32. */
BF16_TARGET static void pack_row(const float *x, int n, uint32_t *words)
{
	for (int i = 0; i < n; i += 2 * BF16_LANES) {
		const int left = n - i;
		const __mmask16 lo = left >= BF16_LANES ? 0xffff : (__mmask16)((1u << left) - 1),
		                hi = left >= 2 * BF16_LANES ? 0xffff
		                     : left > BF16_LANES    ? (__mmask16)((1u << (left - BF16_LANES)) - 1)
		                                            : 0;
		const __m512bh both = _mm512_cvtne2ps_pbh(_mm512_maskz_loadu_ps(hi, x + i + BF16_LANES),
		                                          _mm512_maskz_loadu_ps(lo, x + i));
		_mm512_storeu_si512(words + i / 2, (__m512i)both);
	}
}

static int pairs_of(int n)
{
	return (n + 1) / 2;
}

/* A layer's panels in pairs: for each panel (PANEL_WIDE outputs, the last
 * PANEL_NARROW), for each pair p of inputs, one word per output k holding
 * W[k][2p] and W[k][2p + 1]. */
typedef struct bf16_layer {
	const terrain_layer *l;
	uint32_t *panels;
} bf16_layer;

static size_t pair_panel_words(const terrain_layer *l)
{
	return panel_outputs(l->out) * (size_t)pairs_of(l->in);
}

static void fill_pair_panels(const terrain_layer *l, uint32_t *dst)
{
	for (int first = 0; first < l->out;) {
		const int width = l->out - first >= PANEL_WIDE ? PANEL_WIDE : PANEL_NARROW;
		for (int p = 0; p < pairs_of(l->in); p++)
			for (int k = 0; k < width; k++, dst++) {
				if (first + k >= l->out) { /* the narrow panel's padding */
					*dst = 0;
					continue;
				}
				const float *row = l->weight + (size_t)(first + k) * (size_t)l->in;
				pack_pairs(row + 2 * p, l->in - 2 * p < 2 ? 1 : 2,
				           dst); /* the last pair of an odd row: one */
			}
		first += width;
	}
}

/* sums[r][k] = Σ_p in[r][p] · w[p][k] over pairs of inputs, for a tile of
 * `rows` × `vecs` vectors (constants at each call: the loops unroll into
 * registers). */
BF16_TARGET static inline __attribute__((always_inline)) void tile_sums_bf16(const uint32_t *w, int w_stride,
                                                                             const uint32_t *in, size_t in_stride,
                                                                             int pairs, int rows, int vecs, float *sums)
{
	__m512 acc[BF16_TILE_ROWS][PANEL_WIDE / BF16_LANES];
	_Pragma("GCC unroll 8") for (int r = 0; r < rows; r++) _Pragma("GCC unroll 4") for (int k = 0; k < vecs; k++)
	    acc[r][k] = _mm512_setzero_ps();
	for (int p = 0; p < pairs; p++) {
		__m512bh wv[PANEL_WIDE / BF16_LANES];
		_Pragma("GCC unroll 4") for (int k = 0; k < vecs; k++) wv[k] =
		    (__m512bh)_mm512_loadu_si512(w + (size_t)p * (size_t)w_stride + (size_t)k * BF16_LANES);
		_Pragma("GCC unroll 8") for (int r = 0; r < rows; r++)
		{
			const __m512bh v = (__m512bh)_mm512_set1_epi32((int)in[(size_t)r * in_stride + (size_t)p]);
			_Pragma("GCC unroll 4") for (int k = 0; k < vecs; k++) acc[r][k] =
			    _mm512_dpbf16_ps(acc[r][k], wv[k], v);
		}
	}
	_Pragma("GCC unroll 8") for (int r = 0; r < rows; r++) _Pragma("GCC unroll 4") for (int k = 0; k < vecs; k++)
	    _mm512_storeu_ps(sums + (size_t)r * PANEL_WIDE + (size_t)k * BF16_LANES, acc[r][k]);
}

/* out[r] = act(W in[r] + b) for a tile of `rows` packed rows, panel by panel. */
BF16_TARGET static inline __attribute__((always_inline)) void
layer_tile_bf16(const bf16_layer *b, const uint32_t *in, size_t in_stride, int rows, float *out, size_t out_stride)
{
	float sums[BF16_TILE_ROWS * PANEL_WIDE] __attribute__((aligned(64)));
	const terrain_layer *l = b->l;
	const int pairs = pairs_of(l->in);
	const uint32_t *panel = b->panels;
	for (int first = 0; first < l->out;) {
		const int width = l->out - first >= PANEL_WIDE ? PANEL_WIDE : PANEL_NARROW;
		if (width == PANEL_WIDE)
			tile_sums_bf16(panel, PANEL_WIDE, in, in_stride, pairs, rows, PANEL_WIDE / BF16_LANES, sums);
		else
			tile_sums_bf16(panel, PANEL_NARROW, in, in_stride, pairs, rows, PANEL_NARROW / BF16_LANES,
			               sums);
		const int count = l->out - first < width ? l->out - first : width;
		for (int r = 0; r < rows; r++)
			bias_prelu(l, first, count, sums + r * PANEL_WIDE, out + (size_t)r * out_stride + first);
		panel += (size_t)width * (size_t)pairs;
		first += width;
	}
}

BF16_TARGET static void layer_rows_bf16(const bf16_layer *b, const uint32_t *in, size_t in_stride, int rows, float *out,
                                        size_t out_stride)
{
	int r = 0;
	for (; r + BF16_TILE_ROWS <= rows; r += BF16_TILE_ROWS)
		layer_tile_bf16(b, in + (size_t)r * in_stride, in_stride, BF16_TILE_ROWS, out + (size_t)r * out_stride,
		                out_stride);
	for (; r < rows; r++)
		layer_tile_bf16(b, in + (size_t)r * in_stride, in_stride, 1, out + (size_t)r * out_stride, out_stride);
}

/* The buffers of one batch: every layer's pair panels, and a block's
 * activations (fp32, `stride` floats a row) and packed inputs (`words` a
 * row). A layer's inputs are packed before its outputs overwrite them, so
 * one fp32 buffer serves every layer. */
typedef struct bf16_batch {
	bf16_layer layers[TERRAIN_MAX_LAYERS];
	uint32_t *panel_words, *packed;
	float *act;
	size_t stride, words;
} bf16_batch;

static void free_batch(bf16_batch *b)
{
	free(b->panel_words);
	free(b->packed);
	free(b->act);
}

static int make_batch(const terrain *t, bf16_batch *b)
{
	memset(b, 0, sizeof *b);
	size_t total = 0;
	for (int i = 0; i < t->n_layers; i++)
		total += pair_panel_words(&t->layers[i]);
	b->stride = terrain_scratch_floats(t) / 2;
	b->words = (b->stride + 2 * BF16_LANES - 1) / (2 * BF16_LANES) * BF16_LANES; /* pack_row's whole vectors */
	b->panel_words = malloc(sizeof(uint32_t) * total);
	b->packed = malloc(sizeof(uint32_t) * BF16_BLOCK_ROWS * b->words);
	b->act = malloc(sizeof(float) * BF16_BLOCK_ROWS * b->stride);
	if (!b->panel_words || !b->packed || !b->act) {
		free_batch(b);
		return -1;
	}
	uint32_t *next = b->panel_words;
	for (int i = 0; i < t->n_layers; i++) {
		b->layers[i] = (bf16_layer){.l = &t->layers[i], .panels = next};
		fill_pair_panels(&t->layers[i], next);
		next += pair_panel_words(&t->layers[i]);
	}
	return 0;
}

BF16_TARGET static void eval_block_bf16(const terrain *t, const bf16_batch *b, const float *coords, int rows,
                                        float *latents)
{
	for (int r = 0; r < rows; r++)
		network_inputs(t, coords + (size_t)r * (size_t)t->control_dim, b->act + (size_t)r * b->stride);
	for (int i = 0; i < t->n_layers; i++) {
		const int last = i + 1 == t->n_layers;
		for (int r = 0; r < rows; r++)
			pack_row(b->act + (size_t)r * b->stride, t->layers[i].in, b->packed + (size_t)r * b->words);
		layer_rows_bf16(&b->layers[i], b->packed, b->words, rows, last ? latents : b->act,
		                last ? (size_t)t->latent_dim : b->stride);
	}
}

/* bf16 only where the CPU has it and the AVX-512 kernels are the ones
 * chosen: a test or bench that picks another variant gets that one. */
static int bf16_runs(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx512bf16") && strcmp(terrain_kernel_name(), "avx512") == 0;
}

int terrain_eval_batch_preview(const terrain *t, const float *coords, size_t count, float *latents, char *err,
                               size_t errlen)
{
	if (!bf16_runs())
		return terrain_eval_batch(t, coords, count, latents, err, errlen);
	bf16_batch b;
	if (make_batch(t, &b) < 0)
		return error_set(err, errlen, "out of memory for a batch of %d coordinates", BF16_BLOCK_ROWS);
	for (size_t start = 0; start < count; start += BF16_BLOCK_ROWS) {
		const int rows = count - start < BF16_BLOCK_ROWS ? (int)(count - start) : BF16_BLOCK_ROWS;
		eval_block_bf16(t, &b, coords + start * (size_t)t->control_dim, rows,
		                latents + start * (size_t)t->latent_dim);
	}
	free_batch(&b);
	return 0;
}

const char *terrain_preview_kernel_name(void)
{
	return bf16_runs() ? "avx512-bf16" : terrain_kernel_name();
}

#else /* no AVX-512 variants in this build: the fp32 batch kernels */

int terrain_eval_batch_preview(const terrain *t, const float *coords, size_t count, float *latents, char *err,
                               size_t errlen)
{
	return terrain_eval_batch(t, coords, count, latents, err, errlen);
}

const char *terrain_preview_kernel_name(void)
{
	return terrain_kernel_name();
}

#endif
