/*
 * model — an autoencoder that follows the nn~ / RAVE conventions.
 *
 * A model is a TorchScript module whose methods (`encode`, `decode`, ...)
 * each take one float tensor (batch, channels, time) and have a buffer
 * `<method>_params = [in_channels, in_ratio, out_channels, out_ratio]`.
 * model_load() discovers the methods, the sample rate (`sr`, `sample_rate`
 * or RAVE v1's `sampling_rate`; else a rate the caller knows; else the
 * caller's fallback, the device's rate as nn~ does, with a warning), the
 * latent size and ratio (from `decode_params`), the channel layout of each
 * method, how many latent frames one decode call takes, checks that they
 * agree, and warms the model up off the audio path so that the first real
 * call is neither slow nor noisy.
 *
 * Threads: model_load/model_free on a non-RT thread. model_decode and
 * model_encode run libtorch and may allocate: call them from the render
 * thread (never the audio callback), one thread per model at a time, in
 * order (streaming models keep state between calls).
 */
#ifndef TERRAIND_MODEL_H
#define TERRAIND_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "terrain.h"

/* The libtorch module behind a model: opaque here (torch_backend.h is
 * model.c's business, not its callers'). */
struct tb_module;

enum {
	MODEL_NAME_MAX = 64, /* a method's, an attribute's, a label's or the model's id (MODEL_NAME_MAX) */
	MODEL_MAX_METHODS = 32,
	MODEL_MAX_LATENTS = 1024,
	MODEL_MAX_CHANNELS = 2,
	MODEL_MAX_LABELS = 1024,
	MODEL_MAX_ROWS = 32, /* streams decoded in one call (voices) */
};

typedef struct model_method {
	char name[MODEL_NAME_MAX];
	int in_channels, in_ratio, out_channels, out_ratio;
} model_method;

typedef struct model {
	struct tb_module *module;
	char path[1024];
	char id[MODEL_NAME_MAX]; /* file name without directory and extension */
	int sample_rate;
	char rate_source[64];   /* where sample_rate came from, e.g. "'sr' attribute" */
	char rate_warning[384]; /* "" when the model states its rate */
	int latent_dim;         /* decode input channels */
	int ratio;              /* audio samples per latent frame */
	int audio_channels;     /* decode output channels: 1 or 2 */
	int has_encode;
	int encode_channels;   /* encode input channels: 1 or 2, independent of decode's output
	                        * (RAVE v1 --stereo exports encode mono and decode stereo) */
	int encode_latent_dim; /* encode output channels (RAVE: may exceed latent_dim) */
	int n_methods;
	model_method methods[MODEL_MAX_METHODS];
	int n_attributes;
	char attributes[MODEL_MAX_METHODS][MODEL_NAME_MAX];
	int n_latent_labels;
	char (*latent_labels)[MODEL_NAME_MAX];
	latent_pitch pitch;   /* a `pitch_params` buffer [latent, reference_hz, per_octave]: which latent is pitch */
	char unplayable[768]; /* inspect mode: why the model cannot be played ("" if it can) */
	char advice[256];     /* with `unplayable`: what to do about it */
	/* Latent frames per decode call: 1 for streaming models; more for
	 * non-causal decoders (Music2Latent), which sound right only on longer
	 * buffers. The audio of a whole call is the live latency it costs. */
	int frames_per_call;
	int max_frames_per_call; /* the most one call accepts (0 = no known limit) */
	int non_causal;          /* a diffusion decoder with a fixed noise buffer (Music2Latent) */
	double decode_ms;        /* time of one warm decode call of frames_per_call frames (0 if not warmed up) */
	double warmup_ms;        /* the whole warm-up, measured */
	int warm_rows;           /* rows of the batch warmed up at load (model_options.warmup_rows; 0: none) */
	double decode_rows_ms;   /* time of one warm decode call of warm_rows rows */
	int max_rows;            /* streams one decode call takes: MODEL_MAX_ROWS, or 1 when a batch of 2
	                          * failed at load (an export for one stream); 1 when not probed */
	char rows_note[256];     /* why max_rows is 1, when it is ("" otherwise) */
	int subframe;            /* 1: a decode can be taken back and made again (tb_state_*): the engine
	                          * answers a cursor move within the playing frame; 0: frame-rate control */
	char subframe_note[256]; /* why subframe is 0 ("" when it is 1, or not checked) */
	/* A second instance of the same module with its own streaming state, for a
	 * render worker to decode half of the voices' rows on another core
	 * (model_options.twin); NULL when there is none. model_state_save and
	 * _restore cover it; model_free frees it. */
	struct model *twin;
	int refs; /* references (model_load gives 1; voices take more). Non-RT threads only, never concurrently. */
} model;

typedef struct model_options {
	int torch_threads; /* 1 recommended: see shared facts on latency spikes */
	int warmup_frames; /* latent frames decoded at load (0 = none) */
	int warmup_rows;   /* with warmup_frames: a batch of this many rows decoded too (the voices a
	                    * daemon may play), its cost in decode_rows_ms; 0 or 1: none */
	int inspect_only;  /* `terraind info`: accept models without a usable decode, say why in `unplayable` */
	/* Sample rates for a model that states none, in this order: the
	 * terrain's model.sample_rate, the user's (--model-rate / model_rate),
	 * else fallback_rate (the device's, as nn~ plays; 44100 offline). */
	int terrain_rate, user_rate, fallback_rate;
	int frames_per_call; /* 0 = the model's default (see model.c) */
	int twin;            /* MODEL_TWIN_*: load a twin (model.twin) warmed up for half of warmup_rows */
} model_options;

enum { MODEL_OFFLINE_FALLBACK_RATE = 44100 };

/* When model_load loads a twin: never, always (a model that decodes several
 * rows), or when warmup_rows rows cost one core more than MODEL_TWIN_SHARE
 * of the audio they make (a cheap model gains nothing from a second core
 * and would pay the load time and memory twice). */
enum { MODEL_TWIN_NEVER = 0, MODEL_TWIN_ALWAYS = 1, MODEL_TWIN_AUTO = -1 };
#define MODEL_TWIN_SHARE 0.25

model_options model_default_options(void);

/* Loads and validates; on failure returns -1, *out stays NULL and `err`
 * says what is wrong in terms of the nn~ conventions. */
int model_load(const char *path, const model_options *options, model **out, char *err, size_t errlen);
/* The same through a descriptor opened by confine_open (libtorch
 * reads "/proc/self/fd/N", so the path is not looked up again); `path`
 * names the file for the id and messages. */
int model_load_fd(int fd, const char *path, const model_options *options, model **out, char *err, size_t errlen);
/* A model's id: its file name without directory and extension. */
void model_id_from_path(const char *path, char *id, size_t len);

/* Drops a reference; frees the model with the last one. */
void model_free(model *m);

/* latents: latent_dim × frames (channel-major); audio: audio_channels ×
 * (frames·ratio), channel-major. */
int model_decode(model *m, const float *latents, int frames, float *audio, char *err, size_t errlen);
/* `rows` streams at once, as nn~'s multichannel mode (mc.nn~) does: latents
 * rows × latent_dim × frames, audio rows × audio_channels × (frames·ratio),
 * each row channel-major. A streaming model keeps state per row. */
int model_decode_rows(model *m, const float *latents, int rows, int frames, float *audio, char *err, size_t errlen);
/* Sub-frame control (render thread, like model_decode_rows): the model's
 * streaming state before a decode, and back to it so that the same frame
 * is decoded again with other latents. Only for a model whose `subframe`
 * is 1: model_load checked that a decode after a restore repeats the first
 * within 1e-6 (a model keeping state outside its tensors fails it). */
int model_state_save(model *m, int rows, char *err, size_t errlen); /* and its twin's */
int model_state_restore(model *m, char *err, size_t errlen);
/* The save before a decode of `rows` rows (rows < 0: all rows) takes only
 * those rows of the state tensors kept per batch row, as model_load found
 * them (RAVE's cached convolutions keep 64: a voice's snapshot is 1/64 of
 * the whole); model_state_bytes says how many bytes that is. */
int64_t model_state_bytes(const model *m, int rows);

/* audio: encode_channels × (frames·ratio); latents: encode_latent_dim × frames. */
int model_encode(model *m, const float *audio, int frames, float *latents, char *err, size_t errlen);

const model_method *model_find_method(const model *m, const char *name);

/* Threads of the BLAS libtorch and terrain_eval_batch use (OpenBLAS keeps
 * its own pool; model_load sets it to the torch thread count). */
void model_set_blas_threads(int threads);

/* Denormal floats (below 1e-38) flushed to zero on the calling thread:
 * streaming decoders decay their state toward zero, and arithmetic on
 * denormals is up to 100 times slower on x86 (measured: rave_bench, batch
 * 8, 28 -> 15 ms a frame). Call it on every thread that decodes (the
 * render thread, the main thread of the offline commands): the flags are
 * per thread. x86 (SSE) only; elsewhere a no-op. */
void model_flush_denormals(void);

/* libtorch allocates every decode's tensors afresh (megabytes for a batch
 * of voices); glibc returns blocks that large to the kernel on free, and
 * the next decode takes them back one page fault at a time (in a perf
 * profile of 8 voices, a third of the time was the kernel). Raising the
 * mmap and trim thresholds keeps them in the heap. Call once, at start,
 * before any thread (glibc; elsewhere a no-op). */
void model_keep_heap(void);

/* Seeds libtorch's generator: models that draw noise decode repeatably. */
void model_seed(uint64_t seed);

/* The shared library libtorch's BLAS calls resolve to, e.g.
 * "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 (OpenBLAS ...)". */
void model_blas_library(char *buf, size_t len);
/* The OpenBLAS kernels that run, and why those (blas_kernels.h):
 * "kernels SkylakeX (chosen from the CPU's features: AVX-512 ...)". */
void model_blas_kernels(char *buf, size_t len);

/* Audio seconds of one decode call: what a cursor move waits for beyond
 * the decode itself, in milliseconds. */
double model_call_ms(const model *m);

/* Human-readable summary, as printed by `terraind info`, ending with a
 * compatibility verdict (playable or not, why, and what to do). */
void model_describe(const model *m, FILE *out);

#endif
