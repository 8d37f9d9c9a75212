/*
 * model.c — the nn~ conventions, in C, on top of torch_backend.
 *
 * Loading is strict: a daemon that accepts a malformed model fails later, on
 * stage, with a shape error in the render thread. Every rule broken here is
 * reported in the words of the convention (`decode_params`, `sr`, ...).
 */
#include "model.h"

#include "torch_backend.h"

#include "blas_kernels.h"

_Static_assert((int)MODEL_NAME_MAX == (int)TB_NAME_MAX, "model names are the backend's");

#if defined(__SSE__)
#include <xmmintrin.h>
#endif
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "error.h"
#include "path.h"

#include <dlfcn.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

model_options model_default_options(void)
{
	return (model_options){.torch_threads = 1, .warmup_frames = 4};
}

void model_id_from_path(const char *path, char *id, size_t len)
{
	if (path_stem(path, id, len, "the model's file name", NULL, 0) < 0)
		id[0] = '\0'; /* too long to be any model's id */
}

static int read_method_params(model *m, const char *name, model_method *out, char *err, size_t errlen)
{
	char key[TB_NAME_MAX + 16];
	int64_t p[4];
	snprintf(key, sizeof key, "%.*s_params", TB_NAME_MAX - 1, name);
	int n = tb_get_int_array(m->module, key, p, 4);
	if (n != 4)
		return error_set(
		    err, errlen,
		    "'%s' must be an integer tensor of 4 values [in_channels, in_ratio, out_channels, out_ratio]%s",
		    key, n < 0 ? " (it is missing or not a tensor)" : "");
	for (int i = 0; i < 4; i++)
		if (p[i] < 1 || p[i] > 1 << 20)
			return error_set(err, errlen,
			                 "%s = [%lld, %lld, %lld, %lld]: every value must be between 1 and 1048576",
			                 key, (long long)p[0], (long long)p[1], (long long)p[2], (long long)p[3]);
	snprintf(out->name, sizeof out->name, "%.*s", TB_NAME_MAX - 1, name);
	out->in_channels = (int)p[0];
	out->in_ratio = (int)p[1];
	out->out_channels = (int)p[2];
	out->out_ratio = (int)p[3];
	return 0;
}

static int discover_methods(model *m, char *err, size_t errlen)
{
	char names[MODEL_MAX_METHODS][TB_NAME_MAX];
	char why[512];
	int n = tb_list_methods(m->module, names, MODEL_MAX_METHODS, why, sizeof why);
	if (n < 0)
		return error_set(err, errlen, "cannot list the model's methods: %s", why);
	for (int i = 0; i < n; i++) {
		if (!tb_has_method(m->module, names[i]))
			return error_set(err, errlen, "get_methods() lists '%s' but the model has no such method",
			                 names[i]);
		if (read_method_params(m, names[i], &m->methods[m->n_methods], err, errlen) < 0)
			return -1;
		m->n_methods++;
	}
	m->n_attributes = tb_list_attributes(m->module, m->attributes, MODEL_MAX_METHODS);
	return 0;
}

/* The names the autoencoder families give their rate, in the order tried:
 * nn~ / RAVE v2 `sr`, the Stable Audio Open export's `sample_rate`, RAVE
 * v1's `sampling_rate` buffer. */
static const char *stated_rate(model *m, int64_t *sr)
{
	static const char *const names[] = {"sr", "sample_rate", "sampling_rate"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (tb_get_int(m->module, names[i], sr) == 0)
			return names[i];
	return NULL;
}

/* Music2Latent-scripted states no rate at all (it is 44.1 kHz): such a
 * model plays at a rate the user or the terrain gives, else at the
 * fallback (the device's rate, as nn~ plays every model), with a warning. */
static int resolve_sample_rate(model *m, const model_options *o, char *err, size_t errlen)
{
	int64_t sr = 0;
	const char *name = stated_rate(m, &sr);
	if (name) {
		snprintf(m->rate_source, sizeof m->rate_source, "from the model's '%s'", name);
	} else if (o->terrain_rate > 0) {
		sr = o->terrain_rate;
		snprintf(m->rate_source, sizeof m->rate_source, "from the terrain's model.sample_rate");
	} else if (o->user_rate > 0) {
		sr = o->user_rate;
		snprintf(m->rate_source, sizeof m->rate_source, "from engine.model_rate / --model-rate");
	} else {
		sr = o->fallback_rate > 0 ? o->fallback_rate : MODEL_OFFLINE_FALLBACK_RATE;
		snprintf(m->rate_source, sizeof m->rate_source, "not stated: %s",
		         o->fallback_rate > 0 ? "the device's rate" : "the offline default");
		snprintf(m->rate_warning, sizeof m->rate_warning,
		         "the model does not state its sample rate (no 'sr', 'sample_rate' or 'sampling_rate'): %s "
		         "%lld Hz%s; if it was trained at another rate (Music2Latent: 44100), give it with "
		         "--model-rate HZ or engine.model_rate",
		         o->fallback_rate > 0 ? "playing it at the device's rate," : "assuming", (long long)sr,
		         o->fallback_rate > 0 ? " as nn~ does" : " offline (live: the device's rate, as nn~ does)");
	}
	if (sr < 8000 || sr > 384000)
		return error_set(err, errlen, "sample rate %lld (from %s) is out of range (8000 to 384000 Hz)",
		                 (long long)sr, m->rate_source);
	m->sample_rate = (int)sr;
	return 0;
}

static int check_decode(model *m, char *err, size_t errlen)
{
	const model_method *dec = model_find_method(m, "decode");
	int64_t in_dim;
	if (!dec && tb_get_int(m->module, "m_in_dim", &in_dim) == 0)
		return error_set(err, errlen,
		                 "this is an nn_terrain terrain checkpoint, not an autoencoder: load it as a terrain");
	if (!dec)
		return error_set(err, errlen,
		                 "the model has no 'decode' method with 'decode_params', so it cannot "
		                 "turn latents into sound (is it an nn~ autoencoder export?)");
	if (dec->in_channels > MODEL_MAX_LATENTS)
		return error_set(err, errlen, "decode_params says %d latent channels; terraind supports at most %d",
		                 dec->in_channels, MODEL_MAX_LATENTS);
	if (dec->out_channels > MODEL_MAX_CHANNELS)
		return error_set(err, errlen,
		                 "decode_params says %d audio channels; terraind plays mono or stereo models",
		                 dec->out_channels);
	if (dec->in_ratio % dec->out_ratio != 0)
		return error_set(
		    err, errlen,
		    "decode_params ratios %d and %d do not give a whole number of samples per latent frame",
		    dec->in_ratio, dec->out_ratio);
	m->latent_dim = dec->in_channels;
	m->ratio = dec->in_ratio / dec->out_ratio;
	m->audio_channels = dec->out_channels;
	return 0;
}

static int check_encode(model *m, char *err, size_t errlen)
{
	const model_method *enc = model_find_method(m, "encode");
	if (!enc)
		return 0;
	/* Channel layouts are per method: encode's input need not match
	 * decode's output (RAVE v1 --stereo: mono in, stereo out). */
	if (enc->in_channels < 1 || enc->in_channels > MODEL_MAX_CHANNELS)
		return error_set(err, errlen,
		                 "encode_params says %d audio channels in; terraind encodes mono or stereo",
		                 enc->in_channels);
	if (enc->out_ratio / enc->in_ratio != m->ratio || enc->out_ratio % enc->in_ratio != 0)
		return error_set(err, errlen,
		                 "encode_params gives %d samples per latent frame but decode_params gives %d",
		                 enc->out_ratio / enc->in_ratio, m->ratio);
	m->has_encode = 1;
	m->encode_channels = enc->in_channels;
	m->encode_latent_dim = enc->out_channels;
	return 0;
}

/* OpenBLAS keeps its own thread pool, separate from torch's, and its
 * workers spin-wait for each other: with a real-time render thread and
 * normal-priority workers that is a priority inversion (measured: 50 ms
 * stalls on a 0.3 ms decode). The BLAS gets the same thread count as torch
 * (1 by default), set through OpenBLAS's own call when it is the BLAS. */
void model_set_blas_threads(int threads)
{
	void (*openblas_set_num_threads)(int) = (void (*)(int))dlsym(RTLD_DEFAULT, "openblas_set_num_threads");
	if (openblas_set_num_threads)
		openblas_set_num_threads(threads < 1 ? 1 : threads);
}

static void read_labels(model *m)
{
	m->latent_labels = calloc((size_t)m->latent_dim, TB_NAME_MAX);
	if (!m->latent_labels)
		return;
	int n = tb_get_string_list(m->module, "decode_input_labels", m->latent_labels, m->latent_dim);
	m->n_latent_labels = n < 0 ? 0 : n;
}

/* `pitch_params` = [latent, reference_hz, per_octave]: latent `latent` is
 * per_octave * log2(f / reference_hz) (docs/models.md), so that a note can
 * play in tune (a terrain's model.pitch says the same, and wins). */
static int read_pitch(model *m, char *err, size_t errlen)
{
	float p[3];
	int64_t shape[TB_MAX_DIMS];
	int ndim = 0;
	int64_t n = tb_get_tensor(m->module, "pitch_params", p, 3, shape, &ndim, NULL, 0);
	if (n < 0)
		return 0; /* none */
	if (n != 3 || !(p[0] >= 0 && p[0] < (float)m->latent_dim && p[0] == floorf(p[0])) || !(p[1] > 0) ||
	    !(p[2] != 0 && isfinite(p[2])))
		return error_set(
		    err, errlen,
		    "pitch_params must be [latent (0 to %d), reference Hz (above 0), latent units per octave "
		    "(not 0)]",
		    m->latent_dim - 1);
	m->pitch = (latent_pitch){.has = 1, .latent = (int)p[0], .reference_hz = p[1], .per_octave = p[2]};
	return 0;
}

/* Music2Latent-scripted decodes against a fixed noise buffer drawn at
 * export, init_noise (batch, channels, freq, downscaling_factor · max_length),
 * so that decoding is repeatable: one call takes at most
 * size(-1) / downscaling_factor latent frames (120 for the released model).
 * Its decoder is a non-causal diffusion U-Net: it needs context on both
 * sides of a frame, so it is called on several frames at once. */
static void read_call_limits(model *m)
{
	int64_t shape[TB_MAX_DIMS], factor;
	int ndim = 0;
	if (tb_get_tensor(m->module, "init_noise", NULL, 0, shape, &ndim, NULL, 0) > 0 && ndim >= 1 &&
	    tb_get_int(m->module, "downscaling_factor", &factor) == 0 && factor > 0) {
		m->non_causal = 1;
		m->max_frames_per_call = (int)(shape[ndim - 1] / factor);
	}
}

/* Non-causal models default to the shortest buffer Music2Latent's README
 * asks for (8192 to 16384 samples): 2 frames of 4096. */
enum { NON_CAUSAL_CALL_SAMPLES = 8192 };

static int choose_frames_per_call(model *m, int requested, char *err, size_t errlen)
{
	int frames = requested > 0   ? requested
	             : m->non_causal ? (NON_CAUSAL_CALL_SAMPLES + m->ratio - 1) / m->ratio
	                             : 1;
	if (m->max_frames_per_call > 0 && frames > m->max_frames_per_call) {
		if (requested > 0)
			return error_set(err, errlen,
			                 "frames_per_call %d is more than the model decodes in one call (%d, the "
			                 "length of its init_noise buffer)",
			                 requested, m->max_frames_per_call);
		frames = m->max_frames_per_call;
	}
	m->frames_per_call = frames < 1 ? 1 : frames;
	return 0;
}

/* A non-causal model's streaming STFT state starts empty: its README warns
 * of loud noise for the first seconds. It is run that long on silence at
 * load, on the loading thread, before it is swapped in. */
enum { NON_CAUSAL_WARMUP_SECONDS = 2 };

static int warmup_calls(const model *m, int requested)
{
	if (requested <= 0 || !m->non_causal)
		return requested;
	int call_samples = m->ratio * m->frames_per_call;
	int needed = (NON_CAUSAL_WARMUP_SECONDS * m->sample_rate + call_samples - 1) / call_samples;
	return needed > requested ? needed : requested;
}

/* The latents of silence, as the model's encoder gives them (zeros for a
 * model without one, or when encoding fails: the decode will say why). */
static void silence_latents(model *m, float *latents, int frames)
{
	if (!m->non_causal || !m->has_encode)
		return;
	size_t naudio = (size_t)m->encode_channels * (size_t)m->ratio * (size_t)frames;
	float *audio = calloc(naudio, sizeof *audio);
	float *encoded = calloc((size_t)m->encode_latent_dim * (size_t)frames, sizeof *encoded);
	char ignored[256];
	/* channel-major: the decoder's latent_dim rows are the first ones */
	if (audio && encoded && model_encode(m, audio, frames, encoded, ignored, sizeof ignored) == 0)
		memcpy(latents, encoded, sizeof(float) * (size_t)m->latent_dim * (size_t)frames);
	free(audio);
	free(encoded);
}

static double elapsed_ms(const struct timespec *t0, const struct timespec *t1)
{
	return (double)(t1->tv_sec - t0->tv_sec) * 1e3 + (double)(t1->tv_nsec - t0->tv_nsec) / 1e6;
}

static int warm_up(model *m, int requested_calls, char *err, size_t errlen)
{
	int calls = warmup_calls(m, requested_calls);
	if (calls <= 0)
		return 0;
	const int frames = m->frames_per_call;
	size_t nlat = (size_t)m->latent_dim * (size_t)frames;
	size_t naudio = (size_t)m->audio_channels * (size_t)m->ratio * (size_t)frames;
	float *latents = calloc(nlat, sizeof *latents);
	float *audio = malloc(naudio * sizeof *audio);
	int rc = -1;
	struct timespec start, t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &start);
	if (!latents || !audio) {
		error_set(err, errlen, "out of memory warming the model up");
		goto done;
	}
	/* One call at a time, as the render thread will make them, from a fixed
	 * seed: models that draw noise keep some of it in their state, and a
	 * freshly loaded model must always start from the same state. */
	tb_manual_seed(0);
	silence_latents(m, latents, frames);
	rc = 0;
	for (int i = 0; i < calls && rc == 0; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = model_decode(m, latents, frames, audio, err, errlen);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		/* The last call is the warm one: the first pay for lazy initialisation. */
		m->decode_ms = elapsed_ms(&t0, &t1);
	}
	m->warmup_ms = elapsed_ms(&start, &t1);
done:
	free(latents);
	free(audio);
	return rc;
}

/* The first decode call at each batch size costs 3 to 6 times a warm one
 * (rave_bench: 27 to 67 ms where warm calls take 7 to 16: libtorch builds
 * and caches its convolution kernels per shape, process-wide), and a voice
 * that starts makes the batch one row larger. So a daemon that may play
 * `rows` voices decodes every batch size up to that twice at load, seeded
 * as the probe, and times the last. It stops at the first batch whose warm
 * call takes longer than the audio it makes: more voices than that cannot
 * play in real time anyway (they are shed), and a heavy model would spend
 * seconds here. Rows beyond the first keep the warm-up's state, as they
 * keep the probe's; a voice that takes a row fades in. */
static int warm_rows(model *m, int rows, char *err, size_t errlen)
{
	if (rows > m->max_rows)
		rows = m->max_rows;
	if (rows <= 1)
		return 0;
	const int frames = m->frames_per_call;
	size_t nlat = (size_t)rows * (size_t)m->latent_dim * (size_t)frames;
	size_t naudio = (size_t)rows * (size_t)m->audio_channels * (size_t)m->ratio * (size_t)frames;
	float *latents = calloc(nlat, sizeof *latents), *audio = malloc(naudio * sizeof *audio);
	int rc = -1;
	if (!latents || !audio) {
		error_set(err, errlen, "out of memory warming up a batch of %d", rows);
	} else {
		tb_manual_seed(0);
		struct timespec t0, t1;
		rc = 0;
		for (int batch = 2; batch <= rows && rc == 0; batch++) {
			for (int call = 0; call < 2 && rc == 0; call++) {
				clock_gettime(CLOCK_MONOTONIC, &t0);
				rc = model_decode_rows(m, latents, batch, frames, audio, err, errlen);
				clock_gettime(CLOCK_MONOTONIC, &t1);
			}
			m->warm_rows = batch;
			m->decode_rows_ms = elapsed_ms(&t0, &t1);
			if (m->decode_rows_ms > model_call_ms(m))
				break;
		}
	}
	free(latents);
	free(audio);
	return rc;
}

/* What to do about a model that cannot be played, from why. */
static void advise(model *m)
{
	static const struct {
		const char *symptom, *advice;
	} table[] = {
	    {"nn_terrain terrain",
	     "load it as the terrain (--terrain, /load/terrain), with an autoencoder as the model"},
	    {"no 'decode' method",
	     "export the autoencoder with nn~'s Module (RAVE scripts/export.py, music2latent-scripted export.py, "
	     "streamable-stable-audio-open export.py --streaming)"},
	    {"audio channels", "re-export the model with 1 or 2 audio channels"},
	    {"latent channels", "re-export the model with fewer latent dimensions"},
	    {"samples per latent frame",
	     "re-export the model so that encode_params and decode_params agree on the ratio"},
	    {"sample rate", "give the rate with --model-rate HZ (or engine.model_rate)"},
	    {"frames_per_call", "ask for fewer frames per call (--frames-per-call, engine.frames_per_call)"},
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (strstr(m->unplayable, table[i].symptom)) {
			snprintf(m->advice, sizeof m->advice, "%s", table[i].advice);
			return;
		}
	snprintf(m->advice, sizeof m->advice, "see docs/models.md for the conventions terraind reads");
}

static void probe_rows(model *m);
static void probe_subframe(model *m);
static int load_named(const char *open_path, const char *path, const model_options *options, model **out, char *err,
                      size_t errlen);

static int wants_twin(const model *m, const model_options *options)
{
	if (options->twin == MODEL_TWIN_NEVER || options->inspect_only || options->warmup_frames <= 0 ||
	    options->warmup_rows < 2 || m->max_rows < 2)
		return 0;
	if (options->twin == MODEL_TWIN_ALWAYS)
		return 1;
	/* warm_rows stops short of warmup_rows at a batch slower than real time */
	return m->warm_rows < options->warmup_rows || m->decode_rows_ms > MODEL_TWIN_SHARE * model_call_ms(m);
}

/* The twin: the same file loaded again (its own module, its own state),
 * warmed up for the rows it will decode, half of them. */
static int load_twin(const char *open_path, model *m, const model_options *options, char *err, size_t errlen)
{
	model_options twin_options = *options;
	twin_options.twin = MODEL_TWIN_NEVER;
	twin_options.warmup_rows = options->warmup_rows / 2;
	char why[768];
	if (load_named(open_path, m->path, &twin_options, &m->twin, why, sizeof why) < 0)
		return error_set(err, errlen, "%s (loading its second instance, for a second core)", why);
	/* the same file read twice: anything else is a file replaced in between */
	if (m->twin->sample_rate != m->sample_rate || m->twin->latent_dim != m->latent_dim ||
	    m->twin->ratio != m->ratio || m->twin->audio_channels != m->audio_channels ||
	    m->twin->frames_per_call != m->frames_per_call)
		return error_set(err, errlen, "%s changed while it was loading: load it again", m->path);
	m->subframe = m->subframe && m->twin->subframe;
	return 0;
}

/* Loads `open_path`; `path` is the file as the user knows it (the id and
 * messages use it). They differ for a descriptor opened by confinement. */
static int load_named(const char *open_path, const char *path, const model_options *options, model **out, char *err,
                      size_t errlen)
{
	model_options defaults = model_default_options();
	if (!options)
		options = &defaults;
	*out = NULL;
	model *m = calloc(1, sizeof *m);
	if (!m)
		return error_set(err, errlen, "out of memory");
	m->refs = 1;
	int rc = -1;
	char why[768];
	/* the id is the file name without directory and extension */
	if (path_copy(m->path, sizeof m->path, path, "the model path", err, errlen) < 0 ||
	    path_stem(path, m->id, sizeof m->id, "the model's file name", err, errlen) < 0)
		goto out;
	tb_set_threads(options->torch_threads);
	model_set_blas_threads(options->torch_threads);
	if (tb_load(open_path, &m->module, why, sizeof why) < 0) {
		error_set(err, errlen, "%s: %s", path, why);
		goto out;
	}
	if (discover_methods(m, why, sizeof why) < 0) {
		error_set(err, errlen, "%s: not a usable nn~ model: %s", path, why);
		goto out;
	}
	read_call_limits(m);
	if (check_decode(m, why, sizeof why) < 0 || check_encode(m, why, sizeof why) < 0 ||
	    resolve_sample_rate(m, options, why, sizeof why) < 0 ||
	    choose_frames_per_call(m, options->frames_per_call, why, sizeof why) < 0) {
		if (!options->inspect_only) {
			error_set(err, errlen, "%s: not a usable nn~ model: %s", path, why);
			goto out;
		}
		snprintf(m->unplayable, sizeof m->unplayable, "%s", why);
		advise(m);
		int64_t sr;
		const char *name = m->sample_rate ? NULL : stated_rate(m, &sr);
		if (name && sr >= 8000 && sr <= 384000) { /* shown when stated */
			m->sample_rate = (int)sr;
			snprintf(m->rate_source, sizeof m->rate_source, "from the model's '%s'", name);
		}
		rc = 0;
		goto out;
	}
	read_labels(m);
	if (read_pitch(m, why, sizeof why) < 0) {
		error_set(err, errlen, "%s: %s", path, why);
		goto out;
	}
	m->max_rows = 1;
	if (options->warmup_frames > 0)
		probe_rows(m);
	if (options->warmup_frames > 0 && warm_rows(m, options->warmup_rows, why, sizeof why) < 0) {
		error_set(err, errlen, "%s: the model failed a warm-up decode of %d rows: %s", path,
		          options->warmup_rows, why);
		goto out;
	}
	if (warm_up(m, options->warmup_frames, why, sizeof why) < 0) {
		error_set(err, errlen, "%s: the model failed its warm-up decode: %s", path, why);
		goto out;
	}
	if (options->warmup_frames > 0)
		probe_subframe(m);
	if (wants_twin(m, options) && load_twin(open_path, m, options, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		model_free(m);
	else
		*out = m;
	return rc;
}

int model_load(const char *path, const model_options *options, model **out, char *err, size_t errlen)
{
	return load_named(path, path, options, out, err, errlen);
}

int model_load_fd(int fd, const char *path, const model_options *options, model **out, char *err, size_t errlen)
{
	char open_path[64]; /* libtorch opens by name: the descriptor's own, never the path again */
	snprintf(open_path, sizeof open_path, "/proc/self/fd/%d", fd);
	return load_named(open_path, path, options, out, err, errlen);
}

void model_free(model *m)
{
	if (!m || --m->refs > 0)
		return;
	if (m->module)
		tb_free(m->module);
	model_free(m->twin);
	free(m->latent_labels);
	free(m);
}

const model_method *model_find_method(const model *m, const char *name)
{
	for (int i = 0; i < m->n_methods; i++)
		if (strcmp(m->methods[i].name, name) == 0)
			return &m->methods[i];
	return NULL;
}

static int check_call_length(const model *m, const char *method, int frames, char *err, size_t errlen)
{
	if (m->max_frames_per_call > 0 && frames > m->max_frames_per_call)
		return error_set(err, errlen, "%s of %d latent frames in one call: the model takes at most %d", method,
		                 frames, m->max_frames_per_call);
	return 0;
}

int model_decode(model *m, const float *latents, int frames, float *audio, char *err, size_t errlen)
{
	if (check_call_length(m, "decode", frames, err, errlen) < 0)
		return -1;
	return model_decode_rows(m, latents, 1, frames, audio, err, errlen);
}

int model_decode_rows(model *m, const float *latents, int rows, int frames, float *audio, char *err, size_t errlen)
{
	if (check_call_length(m, "decode", frames, err, errlen) < 0)
		return -1;
	tb_shape in = {rows, m->latent_dim, frames};
	tb_shape out = {rows, m->audio_channels, (int64_t)frames * m->ratio};
	return tb_call(m->module, "decode", latents, in, audio, out, err, errlen);
}

/* Several voices are decoded in one call of batch > 1, which a model
 * exported for one stream may refuse: try a batch of 2 once, before the
 * seeded warm-up (so the warm-up's state and noise stay as they were).
 * Seeded too: the probe leaves its noise in row 1's state, which the
 * second voice starts from (an offline score must render the same twice). */
static void probe_rows(model *m)
{
	m->max_rows = 1;
	tb_manual_seed(0);
	size_t nlat = (size_t)2 * (size_t)m->latent_dim, naudio = (size_t)2 * m->audio_channels * (size_t)m->ratio;
	float *latents = calloc(nlat, sizeof(float)), *audio = malloc(naudio * sizeof(float));
	char why[200];
	if (!latents || !audio)
		snprintf(m->rows_note, sizeof m->rows_note, "out of memory probing a batch of 2");
	else if (model_decode_rows(m, latents, 2, 1, audio, why, sizeof why) < 0)
		snprintf(m->rows_note, sizeof m->rows_note, "one voice at a time: a batch of 2 failed (%s)", why);
	else
		m->max_rows = MODEL_MAX_ROWS;
	free(latents);
	free(audio);
}

/* Of `rows` rows, those the model's own instance decodes (decode_parts.c:
 * row r is the twin's when r is odd), and the twin's. */
static int own_rows(const model *m, int rows)
{
	return rows < 0 || !m->twin ? rows : (rows + 1) / 2;
}

static int twin_rows(int rows)
{
	return rows < 0 ? rows : rows / 2;
}

int model_state_save(model *m, int rows, char *err, size_t errlen)
{
	if (tb_state_save(m->module, own_rows(m, rows), err, errlen) < 0)
		return -1;
	return m->twin ? tb_state_save(m->twin->module, twin_rows(rows), err, errlen) : 0;
}

int64_t model_state_bytes(const model *m, int rows)
{
	return tb_state_bytes(m->module, own_rows(m, rows)) +
	       (m->twin ? tb_state_bytes(m->twin->module, twin_rows(rows)) : 0);
}

int model_state_restore(model *m, char *err, size_t errlen)
{
	if (tb_state_restore(m->module, err, errlen) < 0)
		return -1;
	return m->twin ? tb_state_restore(m->twin->module, err, errlen) : 0;
}

/* Which state tensors keep a row per batch row: from a whole save, three
 * decodes of one row must leave every row past the first as it was (a
 * buffer written at a moving index is caught by the second or third); then
 * the whole state goes back. */
static int mark_state_rows(model *m, const float *latents, int frames, float *audio, char *err, size_t errlen)
{
	if (model_state_save(m, -1, err, errlen) < 0)
		return -1;
	for (int i = 0; i < 3; i++)
		if (model_decode(m, latents, frames, audio, err, errlen) < 0)
			return -1;
	if (tb_state_mark_rows(m->module, 1, err, errlen) < 0)
		return -1;
	return model_state_restore(m, err, errlen);
}

/* Whether a decode can be made again from a snapshot: save (one row, as
 * the engine saves for one voice), decode some latents, restore, decode
 * them again; the two must agree within 1e-6. A model that keeps state
 * where the snapshot does not reach (an int attribute, a list of tensors)
 * decodes the second time from a state one frame on and fails, and plays
 * at frame rate. After the warm-up: the state left is one frame on from
 * it, as any decode leaves it. */
static void probe_subframe(model *m)
{
	enum { SUBFRAME_TOLERANCE_PPM = 1 }; /* 1e-6 */
	m->subframe = 0;
	const int frames = m->frames_per_call;
	size_t nlat = (size_t)m->latent_dim * (size_t)frames;
	size_t naudio = (size_t)m->audio_channels * (size_t)m->ratio * (size_t)frames;
	float *latents = malloc(nlat * sizeof(float)), *first = malloc(naudio * sizeof(float)),
	      *again = malloc(naudio * sizeof(float));
	char why[200];
	if (!latents || !first || !again) {
		snprintf(m->subframe_note, sizeof m->subframe_note, "out of memory checking the state snapshot");
		goto done;
	}
	for (size_t i = 0; i < nlat; i++) /* not silence: a state that ignores zeros would pass */
		latents[i] = 0.8f * sinf(1.7f * (float)i + 0.3f);
	if (tb_state_prepare(m->module, why, sizeof why) < 0 ||
	    mark_state_rows(m, latents, frames, first, why, sizeof why) < 0 ||
	    model_state_save(m, 1, why, sizeof why) < 0 ||
	    model_decode(m, latents, frames, first, why, sizeof why) < 0 ||
	    model_state_restore(m, why, sizeof why) < 0 ||
	    model_decode(m, latents, frames, again, why, sizeof why) < 0) {
		snprintf(m->subframe_note, sizeof m->subframe_note, "%s", why);
		goto done;
	}
	double worst = 0;
	for (size_t i = 0; i < naudio; i++)
		worst = fmax(worst, fabs((double)first[i] - (double)again[i]));
	if (!(worst <= SUBFRAME_TOLERANCE_PPM * 1e-6)) {
		snprintf(m->subframe_note, sizeof m->subframe_note,
		         "a decode after restoring the model's tensors and random generator differs from the first by "
		         "%.3g: the model keeps state elsewhere (a plain attribute?)",
		         worst);
		goto done;
	}
	m->subframe = 1;
done:
	free(latents);
	free(first);
	free(again);
}

int model_encode(model *m, const float *audio, int frames, float *latents, char *err, size_t errlen)
{
	if (!m->has_encode)
		return error_set(err, errlen, "%s has no 'encode' method", m->id);
	if (check_call_length(m, "encode", frames, err, errlen) < 0)
		return -1;
	tb_shape in = {1, m->encode_channels, (int64_t)frames * m->ratio};
	tb_shape out = {1, m->encode_latent_dim, frames};
	return tb_call(m->module, "encode", audio, in, latents, out, err, errlen);
}

void model_keep_heap(void)
{
#if defined(__GLIBC__)
	mallopt(M_MMAP_THRESHOLD, 64 * 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
#endif
}

void model_flush_denormals(void)
{
#if defined(__SSE__)
	_mm_setcsr(_mm_getcsr() | 0x8040); /* FTZ (bit 15) and DAZ (bit 6) */
#endif
}

void model_seed(uint64_t seed)
{
	tb_manual_seed(seed);
}

double model_call_ms(const model *m)
{
	return 1000.0 * m->ratio * m->frames_per_call / m->sample_rate;
}
