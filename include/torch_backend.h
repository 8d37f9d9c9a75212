/*
 * torch_backend — the only part of terraind that speaks C++ and libtorch.
 *
 * A thin C face over TorchScript: load a module, read its buffers and
 * attributes, call a method on a float (batch, channels, time) buffer, and
 * read named tensors out of nn_terrain checkpoints. Everything model-specific
 * (the nn~ conventions, validation) lives in model.c, in C.
 *
 * Threads: every function may block (file I/O, allocation inside libtorch)
 * and must never be called from the audio callback. One module must not be
 * used by two threads at once (streaming models keep state between calls).
 * Errors: functions return 0 on success, -1 on failure with a one-line
 * sentence in the caller's `err` buffer; libtorch exceptions never escape.
 *
 * Loading: the C++ lives in a shared object of its own
 * (libterraind-torch.so, torch_backend.cpp), which torch_loader.c opens the
 * first time a function here is called: commands that need no model (help,
 * eval, plot of the C kernels, argument errors) start at once, and the
 * BLAS kernels are chosen (blas_kernels.h) before libtorch loads its BLAS.
 * The object hands the loader one table of its functions (tb_api); the
 * functions below are the loader's, calling through it. If the object or
 * libtorch cannot be loaded, each says so in `err` (tb_load first).
 */
#ifndef TERRAIND_TORCH_BACKEND_H
#define TERRAIND_TORCH_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tb_module tb_module;

enum { TB_NAME_MAX = 64, TB_MAX_DIMS = 8 };

/* Load a TorchScript file (or a libtorch archive) in eval mode. */
int tb_load(const char *path, tb_module **out, char *err, size_t errlen);
void tb_free(tb_module *module);

/* Names of the module's methods that have a `<name>_params` buffer: the
 * result of `get_methods()` when the module exports it, else every method
 * for which `<name>_params` exists (old RAVE v1 exports). Returns the count
 * (at most `max`), or -1 with `err` filled. */
int tb_list_methods(tb_module *module, char (*names)[TB_NAME_MAX], int max, char *err, size_t errlen);

/* Names returned by the module's `get_attributes()`; 0 when it has none. */
int tb_list_attributes(tb_module *module, char (*names)[TB_NAME_MAX], int max);

int tb_has_method(tb_module *module, const char *name);

/* An integer: a plain int attribute, or a one-element tensor attribute or
 * buffer. Returns 0 and sets *value, or -1 when absent or not an integer. */
int tb_get_int(tb_module *module, const char *name, int64_t *value);

/* An integer tensor attribute/buffer (e.g. `decode_params`). Returns the
 * number of elements (values beyond `max` are not copied) or -1. */
int tb_get_int_array(tb_module *module, const char *name, int64_t *values, int max);

/* A List[str] attribute (e.g. `decode_output_labels`). Returns the count. */
int tb_get_string_list(tb_module *module, const char *name, char (*values)[TB_NAME_MAX], int max);

/* A float tensor by (dotted) name, searched among attributes, parameters
 * and buffers. Writes its shape (up to TB_MAX_DIMS) and, when `data` is not
 * NULL, up to `capacity` values in row-major order. Returns the element
 * count or -1 with `err` filled. */
int64_t tb_get_tensor(tb_module *module, const char *name, float *data, int64_t capacity, int64_t *shape, int *ndim,
                      char *err, size_t errlen);

/* Call `method` on a (batch, in_channels, in_time) float buffer and copy the
 * result, which must be (batch, out_channels, out_time), into `out`. */
typedef struct tb_shape {
	int64_t batch, channels, time;
} tb_shape;

int tb_call(tb_module *module, const char *method, const float *in, tb_shape in_shape, float *out, tb_shape out_shape,
            char *err, size_t errlen);

/* Reference forward of an nn_terrain checkpoint, computed with libtorch
 * operators from the tensors in the file: the yardstick for terrain.c. */
int tb_nn_terrain_forward(tb_module *module, const float *coords, int64_t count, int64_t in_dim, float *out,
                          int64_t out_dim, char *err, size_t errlen);

/* Trains nn_terrain's network (Fourier features, four PReLU layers of
 * `channels`, a linear output) on coordinate -> latent pairs with MSE and
 * Adam, on the CPU. `progress` is called after every epoch; returning
 * non-zero stops early (what was learned so far is kept). On success the
 * parameters are written to the caller's arrays: fourier (in_dim ×
 * features, NULL when gauss_scale is 0), weights[5] and biases[5] (row-major,
 * as nn.Linear), prelu[4]. */
typedef struct tb_train_options {
	int epochs, batch, channels, features;
	double lr, gauss_scale;
	uint64_t seed;
} tb_train_options;

typedef int (*tb_train_progress)(void *ctx, int epoch, int epochs, double loss);

int tb_train_cppn(const float *coords, const float *targets, int64_t count, int in_dim, int out_dim,
                  const tb_train_options *options, tb_train_progress progress, void *ctx, float *fourier,
                  float *const *weights, float *const *biases, float *prelu, double *final_loss, char *err,
                  size_t errlen);

/* Streaming state snapshots, for control below the latent frame: a
 * decode can be taken back and made again with other latents. The state
 * is every tensor the module and its submodules hold other than
 * parameters (buffers and tensor attributes: RAVE's cached convolutions),
 * plus libtorch's default random generator (RAVE adds noise). State kept
 * elsewhere (an int attribute, a list) is not captured: model.c checks at
 * load that a restored decode repeats itself before relying on it.
 * tb_state_prepare allocates a copy of each tensor once; tb_state_save
 * copies into them in place (no allocation unless a tensor changed shape);
 * tb_state_restore copies back. Same thread rules as tb_call. */
int tb_state_prepare(tb_module *module, char *err, size_t errlen);
/* Saves the state of batch rows [0, rows) of the tensors marked per row
 * (tb_state_mark_rows), and the others whole (rows < 0: everything):
 * a streaming model keeps a row of state for every batch row it could
 * decode (RAVE: 64), and a decode of n rows reads and writes only the
 * first n. tb_state_restore puts back what the last save took. */
int tb_state_save(tb_module *module, int rows, char *err, size_t errlen);
int tb_state_restore(tb_module *module, char *err, size_t errlen);
/* Bytes one tb_state_save of `rows` rows copies (0 before tb_state_prepare). */
int64_t tb_state_bytes(const tb_module *module, int rows);
/* After a whole save and decodes of `rows` rows since: marks per row the
 * state tensors those decodes left unchanged beyond row `rows` of their
 * first dimension (the others are saved whole from then on). */
int tb_state_mark_rows(tb_module *module, int rows, char *err, size_t errlen);

/* Process-wide settings. */
void tb_set_threads(int threads);
int tb_get_threads(void);
void tb_manual_seed(uint64_t seed);

/* A matrix product and a 1-D convolution in float through libtorch (so on
 * the BLAS kernels in use), against the same computed in double precision
 * by plain loops: 0, or -1 with how far apart they are. Run once after
 * loading, before the kernels are trusted. */
int tb_blas_check(char *err, size_t errlen);

/* Whether the backend is loaded (nothing loads it). */
int tb_loaded(void);

/* What libterraind-torch.so hands the loader: every function above. */
enum { TB_API_VERSION = 2 };
typedef struct tb_api {
	int version;
	int (*load)(const char *, tb_module **, char *, size_t);
	void (*free)(tb_module *);
	int (*list_methods)(tb_module *, char (*)[TB_NAME_MAX], int, char *, size_t);
	int (*list_attributes)(tb_module *, char (*)[TB_NAME_MAX], int);
	int (*has_method)(tb_module *, const char *);
	int (*get_int)(tb_module *, const char *, int64_t *);
	int (*get_int_array)(tb_module *, const char *, int64_t *, int);
	int (*get_string_list)(tb_module *, const char *, char (*)[TB_NAME_MAX], int);
	int64_t (*get_tensor)(tb_module *, const char *, float *, int64_t, int64_t *, int *, char *, size_t);
	int (*call)(tb_module *, const char *, const float *, tb_shape, float *, tb_shape, char *, size_t);
	int (*nn_terrain_forward)(tb_module *, const float *, int64_t, int64_t, float *, int64_t, char *, size_t);
	int (*train_cppn)(const float *, const float *, int64_t, int, int, const tb_train_options *, tb_train_progress,
	                  void *, float *, float *const *, float *const *, float *, double *, char *, size_t);
	int (*state_prepare)(tb_module *, char *, size_t);
	int (*state_save)(tb_module *, int, char *, size_t);
	int (*state_restore)(tb_module *, char *, size_t);
	int64_t (*state_bytes)(const tb_module *, int);
	void (*set_threads)(int);
	int (*get_threads)(void);
	void (*manual_seed)(uint64_t);
	int (*blas_check)(char *, size_t);
	int (*state_mark_rows)(tb_module *, int, char *, size_t);
} tb_api;

/* The one symbol libterraind-torch.so exports. */
const tb_api *terraind_torch_api(void);

#ifdef __cplusplus
}
#endif

#endif
