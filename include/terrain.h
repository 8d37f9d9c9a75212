/*
 * terrain — a latent terrain: nn_terrain's Fourier-feature CPPN, evaluated
 * in plain C.
 *
 *   h = 2π·(x·B); h = [sin h, cos h]; h = PReLU(W1 h + b1); ...; z = Wn h + bn
 *
 * terrain_eval() is real-time safe: no allocation, no locks, no I/O, bounded
 * time (proportional to the number of weights). The caller supplies scratch
 * memory of terrain_scratch_floats() floats, allocated off the RT path.
 * terrain_eval_batch() evaluates many coordinates in blocks that stay in
 * cache (plots, tests); it allocates and is not real-time safe. Both run
 * the best kernel variant the CPU has (AVX-512, AVX2+FMA or portable C),
 * picked by feature when the first terrain is finished.
 *
 * Threads: a terrain is immutable once built; any number of threads may
 * evaluate it at once, each with its own scratch.
 */
#ifndef TERRAIND_TERRAIN_H
#define TERRAIND_TERRAIN_H

#include <stddef.h>

enum {
	TERRAIN_MAX_CONTROL_DIM = 8,
	TERRAIN_MAX_LATENT_DIM = 1024,
	TERRAIN_MAX_LAYERS = 16,
	TERRAIN_MAX_WIDTH = 4096,
	TERRAIN_MAX_WEIGHTS = 4 * 1024 * 1024,
	TERRAIN_NAME_MAX = 128,
	TERRAIN_MAX_LABELS = 64,
	TERRAIN_LABEL_MAX = 48, /* bytes of a label's name, with its terminating zero */
};

/* A named place on the terrain (first two control axes): where a corpus's
 * instrument, speaker or sound lies, for pictures and the web surface.
 * Labels describe the terrain; evaluation never reads them. */
typedef struct terrain_label {
	char name[TERRAIN_LABEL_MAX];
	float at[2];
} terrain_label;

typedef struct terrain_layer {
	int in, out;
	float *weight; /* out × in, row-major */
	float *bias;   /* out */
	int has_prelu;
	float prelu;
	float *panels; /* the weights regrouped for terrain_eval (terrain.c says how); set by terrain_finish */
} terrain_layer;

/* A latent that is the sound's pitch (docs/terrain-format.md, "pitch"):
 * latent `latent` = per_octave * log2(f / reference_hz) at f Hz. A note's
 * pitch can then set it while the terrain gives the other latents. */
typedef struct latent_pitch {
	int has; /* 0: no latent is pitch */
	int latent;
	float reference_hz, per_octave;
} latent_pitch;

/* The model a terrain was made for; zero/empty fields are unknown. */
typedef struct terrain_model_info {
	char id[TERRAIN_NAME_MAX];
	int latent_dim, sample_rate, ratio;
	latent_pitch pitch;
} terrain_model_info;

typedef struct terrain {
	char name[TERRAIN_NAME_MAX];
	int control_dim, latent_dim;
	float bounds_min[TERRAIN_MAX_CONTROL_DIM], bounds_max[TERRAIN_MAX_CONTROL_DIM];
	int has_model;
	terrain_model_info model;
	int n_labels;
	terrain_label labels[TERRAIN_MAX_LABELS];
	float gauss_scale;
	int n_features; /* F; 0 = no Fourier layer */
	float *fourier; /* control_dim × F, row-major */
	int n_layers;
	terrain_layer layers[TERRAIN_MAX_LAYERS];
	float *storage; /* one block holding fourier, weights and biases */
	size_t storage_floats;
	float *panel_storage; /* one aligned block holding every layer's panels */
	int refs;             /* references (terrain_create gives 1; voices take more). Non-RT threads only. */
} terrain;

/* Describes a network shape; terrain_create() allocates every array
 * (zero-filled) so that loaders only fill numbers in, then call
 * terrain_finish(). */
typedef struct terrain_shape {
	int control_dim, latent_dim, n_features, n_layers;
	int widths[TERRAIN_MAX_LAYERS]; /* outputs of each layer; the last must equal latent_dim */
} terrain_shape;

int terrain_create(const terrain_shape *shape, terrain **out, char *err, size_t errlen);
/* Drops a reference; frees the terrain with the last one. */
void terrain_free(terrain *t);

/* Call once the numbers are filled in (and again after changing them):
 * checks bounds and that every number is finite, then prepares the layout
 * terrain_eval() reads. A terrain is ready to evaluate only after this. */
int terrain_finish(terrain *t, char *err, size_t errlen);

/* The end of a loader: when filling `t` went well (`filled` is 0) and
 * terrain_finish() agrees, hands `t` over in *out and returns 0; otherwise
 * frees it and returns -1 (`err` says why). */
int terrain_adopt(terrain *t, int filled, terrain **out, char *err, size_t errlen);

size_t terrain_scratch_floats(const terrain *t);

/* RT-safe. `coord` has control_dim values (not clamped here), `latent`
 * receives latent_dim values. */
void terrain_eval(const terrain *t, const float *coord, float *latent, float *scratch);

/* Not RT-safe (allocates). coords: count × control_dim; latents: count × latent_dim. */
int terrain_eval_batch(const terrain *t, const float *coords, size_t count, float *latents, char *err, size_t errlen);

/* The kernel variant evaluations run: "avx512", "avx2-fma" or "portable". */
const char *terrain_kernel_name(void);

/* Benchmarks and tests: makes every later evaluation run the variant
 * `name`. -1 with a sentence when this build or CPU lacks it. Process-wide;
 * call while no other thread evaluates a terrain. */
int terrain_select_kernel(const char *name, char *err, size_t errlen);

/* RT-safe. Clamps `coord` into the bounds in place; returns how many axes
 * were outside. */
int terrain_clamp(const terrain *t, float *coord);

/* Checks that the terrain fits a model with these properties. Returns -1
 * with `err` on a mismatch that would make the sound wrong (latent size,
 * sample rate, ratio); a differing id only fills `warning` (files get
 * renamed). */
int terrain_check_model(const terrain *t, const char *model_id, int latent_dim, int sample_rate, int ratio, char *err,
                        size_t errlen, char *warning, size_t warnlen);

#endif
