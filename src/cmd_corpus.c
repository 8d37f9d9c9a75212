/*
 * cmd_corpus.c — from a folder of sounds to a terrain:
 *   terraind encode --model M AUDIO... -o DATASET.json
 *   terraind train DATASET.json -o TERRAIN.json [--layout --paths --epochs ...]
 *   terraind plot TERRAIN.json -o TERRAIN.png [--channel N | --rgb A,B,C] [--dataset D.json]
 */
#include <getopt.h>
#include <math.h>
#include <samplerate.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "dataset.h"
#include "error.h"
#include "log.h"
#include "model.h"
#include "plot.h"
#include "terrain_json.h"
#include "terrain_train.h"
#include "torch_backend.h"
#include "wav.h"

/* ---- progress ------------------------------------------------------------- */

/* A bar on a terminal, a plain line every 10 % otherwise (logs, CI). */
static void progress(const char *what, double fraction, const char *detail)
{
	static int last_decile = -1;
	if (isatty(STDERR_FILENO)) {
		int filled = (int)(fraction * 30);
		fprintf(stderr, "\r%-10s [%.*s%*s] %3.0f%% %s", what, filled, "##############################",
		        30 - filled, "", 100 * fraction, detail);
		if (fraction >= 1)
			fputc('\n', stderr);
		return;
	}
	int decile = (int)(fraction * 10);
	if (decile != last_decile || fraction >= 1) {
		fprintf(stderr, "terraind: %s %3.0f%% %s\n", what, 100 * fraction, detail);
		last_decile = decile;
	}
}

/* ---- encode --------------------------------------------------------------- */

/* Mixes or duplicates channels to what the model takes, channel-major. */
static float *model_channels(const float *in, int64_t frames, int in_ch, int out_ch)
{
	float *out = malloc(sizeof(float) * (size_t)frames * out_ch);
	for (int64_t i = 0; out && i < frames; i++) {
		float mix = 0;
		for (int c = 0; c < in_ch; c++)
			mix += in[i * in_ch + c] / in_ch;
		for (int c = 0; c < out_ch; c++)
			out[c * frames + i] = (in_ch == out_ch) ? in[i * in_ch + c] : mix;
	}
	return out;
}

static float *resample(const float *in, int64_t frames, int channels, int from, int to, int64_t *out_frames)
{
	if (from == to) {
		*out_frames = frames;
		float *copy = malloc(sizeof(float) * (size_t)frames * channels);
		if (copy)
			memcpy(copy, in, sizeof(float) * (size_t)frames * channels);
		return copy;
	}
	double ratio = (double)to / from;
	*out_frames = (int64_t)ceil(frames * ratio) + 16;
	float *out = malloc(sizeof(float) * (size_t)*out_frames * channels);
	SRC_DATA d = {.data_in = in,
	              .data_out = out,
	              .input_frames = frames,
	              .output_frames = *out_frames,
	              .src_ratio = ratio,
	              .end_of_input = 1};
	if (!out || src_simple(&d, SRC_SINC_MEDIUM_QUALITY, channels) != 0) {
		free(out);
		return NULL;
	}
	*out_frames = d.output_frames_gen;
	return out;
}

/* Encodes one file into `latents` (frames × latent_dim). */
static int encode_file(model *m, const char *path, float **latents, int *frames, char *err, size_t errlen)
{
	float *audio, *resampled = NULL, *planar = NULL, *chunk_in = NULL, *chunk_out = NULL;
	int64_t n, n_rs;
	int ch, rate, rc = -1;
	if (wav_read(path, &audio, &n, &ch, &rate, err, errlen) < 0)
		return -1;
	resampled = resample(audio, n, ch, rate, m->sample_rate, &n_rs);
	free(audio);
	if (resampled)
		planar = model_channels(resampled, n_rs, ch, m->encode_channels);
	free(resampled);
	*frames = (int)(n_rs / m->ratio);
	if (!planar || *frames < 1) {
		free(planar);
		return error_set(err, errlen, "%s: %s", path,
		                 planar ? "shorter than one latent frame" : "cannot resample");
	}
	/* latent frames per encode call: bounded memory for long files, and
	 * never more than the model takes in one call */
	const int CHUNK = m->max_frames_per_call > 0 && m->max_frames_per_call < 64 ? m->max_frames_per_call : 64;
	const int zdim = m->encode_latent_dim, ach = m->encode_channels;
	*latents = malloc(sizeof(float) * (size_t)*frames * zdim);
	chunk_in = malloc(sizeof(float) * (size_t)CHUNK * m->ratio * ach);
	chunk_out = malloc(sizeof(float) * (size_t)CHUNK * zdim);
	for (int f = 0; *latents && chunk_in && chunk_out && f < *frames; f += CHUNK) {
		int k = *frames - f < CHUNK ? *frames - f : CHUNK;
		for (int c = 0; c < ach; c++)
			memcpy(chunk_in + (size_t)c * k * m->ratio, planar + c * n_rs + (int64_t)f * m->ratio,
			       sizeof(float) * (size_t)k * m->ratio);
		if (model_encode(m, chunk_in, k, chunk_out, err, errlen) < 0)
			goto done;
		for (int j = 0; j < k; j++)
			for (int z = 0; z < zdim; z++)
				(*latents)[(size_t)(f + j) * zdim + z] = chunk_out[(size_t)z * k + j];
	}
	rc = *latents && chunk_in && chunk_out ? 0 : error_set(err, errlen, "out of memory");
done:
	if (rc < 0) {
		free(*latents);
		*latents = NULL;
	}
	free(planar), free(chunk_in), free(chunk_out);
	return rc;
}

int cmd_encode(int argc, char **argv)
{
	static const struct option longopts[] = {{"model", required_argument, NULL, 'm'},
	                                         {"output", required_argument, NULL, 'o'},
	                                         {"seed", required_argument, NULL, 'S'},
	                                         {"model-rate", required_argument, NULL, 'M'},
	                                         {NULL, 0, NULL, 0}};
	const char *model_path = "models/demo.ts", *output = NULL;
	unsigned long long seed = 0;
	model_options options = model_default_options();
	int c;
	while ((c = getopt_long(argc, argv, "m:o:S:M:", longopts, NULL)) != -1) {
		if (c == 'm')
			model_path = optarg;
		else if (c == 'o')
			output = optarg;
		else if (c == 'S')
			seed = strtoull(optarg, NULL, 10);
		else if (c == 'M')
			options.user_rate = atoi(optarg);
		else
			return EXIT_USAGE;
	}
	if (!output || optind >= argc) {
		fprintf(stderr, "usage: terraind encode [--model M.ts] [--seed N] [--model-rate HZ] AUDIO... -o "
		                "DATASET.json\n");
		return EXIT_USAGE;
	}
	char err[1024];
	model *m;
	if (model_load(model_path, &options, &m, err, sizeof err) < 0) {
		log_error("%s", err);
		return EXIT_FAILURE_RUN;
	}
	if (m->rate_warning[0])
		log_warn("%s: %s", m->id, m->rate_warning);
	/* VAE encoders (RAVE, Stable Audio Open without --skip-bottleneck)
	 * sample their posterior: a seeded generator makes a corpus encode the
	 * same way every time. */
	model_seed(seed);
	if (!m->has_encode) {
		log_error("%s has no 'encode' method: it cannot turn audio into latents", model_path);
		model_free(m);
		return EXIT_FAILURE_RUN;
	}
	if (m->encode_latent_dim != m->latent_dim)
		log_warn("encode gives %d latents but decode takes %d: the dataset keeps the first %d",
		         m->encode_latent_dim, m->latent_dim, m->latent_dim);
	terrain_model_info info = {.latent_dim = m->latent_dim, .sample_rate = m->sample_rate, .ratio = m->ratio};
	snprintf(info.id, sizeof info.id, "%s", m->id);
	dataset *d = dataset_new(&info, m->latent_dim, 2);
	int failed = 0, files = argc - optind;
	for (int i = optind; i < argc; i++) {
		float *latents = NULL;
		int frames = 0;
		char detail[600];
		snprintf(detail, sizeof detail, "%s", argv[i]);
		progress("encoding", (double)(i - optind) / files, detail);
		if (encode_file(m, argv[i], &latents, &frames, err, sizeof err) < 0) {
			log_error("skipping %s", err);
			failed++;
			continue;
		}
		/* keep the decoder's latents: the first latent_dim of what encode gives */
		for (int f = 0; f < frames; f++)
			memmove(latents + (size_t)f * m->latent_dim, latents + (size_t)f * m->encode_latent_dim,
			        sizeof(float) * m->latent_dim);
		if (dataset_add(d, argv[i], latents, frames, err, sizeof err) < 0)
			log_error("%s", err), failed++;
		free(latents);
	}
	progress("encoding", 1.0, "");
	int rc = EXIT_OK;
	if (d->n_items == 0) {
		log_error("nothing was encoded (an empty or unreadable corpus): %s not written", output);
		rc = EXIT_FAILURE_RUN;
	} else if (dataset_save(d, output, err, sizeof err) < 0) {
		log_error("%s", err);
		rc = EXIT_FAILURE_RUN;
	} else {
		log_info("wrote %s: %d file(s), %d latent frames%s", output, d->n_items, dataset_total_frames(d),
		         failed ? "; some files were skipped (see above)" : "");
		rc = failed ? EXIT_FAILURE_RUN : EXIT_OK;
	}
	dataset_free(d);
	model_free(m);
	return rc;
}

/* ---- train ----------------------------------------------------------------- */

static atomic_int interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	atomic_store(&interrupted, 1);
}

typedef struct train_clock {
	struct timespec start;
} train_clock;

static int train_progress(void *ctx, int epoch, int epochs, double loss)
{
	train_clock *tc = ctx;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double elapsed = (double)(now.tv_sec - tc->start.tv_sec) + (now.tv_nsec - tc->start.tv_nsec) / 1e9;
	char detail[128];
	snprintf(detail, sizeof detail, "epoch %d/%d, loss %.5f, %.0f s left", epoch, epochs, loss,
	         elapsed / epoch * (epochs - epoch));
	progress("training", (double)epoch / epochs, detail);
	if (atomic_load(&interrupted)) {
		fputc('\n', stderr);
		log_warn("interrupted: saving what was learned after %d epoch(s)", epoch);
		return 1;
	}
	return 0;
}

typedef struct train_args {
	const char *dataset, *output, *layout, *paths;
	tb_train_options opt;
} train_args;

static int parse_train_args(int argc, char **argv, train_args *a)
{
	static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
	                                         {"layout", required_argument, NULL, 'L'},
	                                         {"paths", required_argument, NULL, 'P'},
	                                         {"epochs", required_argument, NULL, 'e'},
	                                         {"lr", required_argument, NULL, 'l'},
	                                         {"batch", required_argument, NULL, 'b'},
	                                         {"gauss-scale", required_argument, NULL, 'g'},
	                                         {"channels", required_argument, NULL, 'c'},
	                                         {"features", required_argument, NULL, 'f'},
	                                         {"seed", required_argument, NULL, 's'},
	                                         {NULL, 0, NULL, 0}};
	*a = (train_args){.layout = "pca",
	                  .opt = {.epochs = 100,
	                          .batch = 32,
	                          .channels = 128,
	                          .features = 256,
	                          .lr = 1e-3,
	                          .gauss_scale = 0.2,
	                          .seed = 0}};
	int c;
	while ((c = getopt_long(argc, argv, "o:L:P:e:l:b:g:c:f:s:", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': a->output = optarg; break;
		case 'L': a->layout = optarg; break;
		case 'P': a->paths = optarg; break;
		case 'e': a->opt.epochs = atoi(optarg); break;
		case 'l': a->opt.lr = atof(optarg); break;
		case 'b': a->opt.batch = atoi(optarg); break;
		case 'g': a->opt.gauss_scale = atof(optarg); break;
		case 'c': a->opt.channels = atoi(optarg); break;
		case 'f': a->opt.features = atoi(optarg); break;
		case 's': a->opt.seed = strtoull(optarg, NULL, 10); break;
		default: return -1;
		}
	}
	if (optind + 1 != argc || !a->output || a->opt.epochs < 1 || a->opt.batch < 1 || a->opt.channels < 1 ||
	    a->opt.channels > 4096 || a->opt.features < 1 || a->opt.features > 2048 || !(a->opt.lr > 0) ||
	    !(a->opt.gauss_scale >= 0))
		return -1;
	a->dataset = argv[optind];
	return 0;
}

/* Flattens the dataset into coordinate and target arrays. */
static int training_pairs(const dataset *d, float **x, float **y)
{
	int n = dataset_total_frames(d), k = 0;
	*x = malloc(sizeof(float) * (size_t)n * d->control_dim);
	*y = malloc(sizeof(float) * (size_t)n * d->latent_dim);
	for (int i = 0; *x && *y && i < d->n_items; i++, k += d->items[i - 1].frames) {
		memcpy(*x + (size_t)k * d->control_dim, d->items[i].coords,
		       sizeof(float) * (size_t)d->items[i].frames * d->control_dim);
		memcpy(*y + (size_t)k * d->latent_dim, d->items[i].latents,
		       sizeof(float) * (size_t)d->items[i].frames * d->latent_dim);
	}
	return *x && *y ? n : -1;
}

static terrain *train_terrain(const train_args *a, const dataset *d, double *loss, char *err, size_t errlen)
{
	terrain *t = NULL;
	float *x, *y;
	int n = training_pairs(d, &x, &y);
	train_clock tc;
	clock_gettime(CLOCK_MONOTONIC, &tc.start);
	int rc = n < 0 ? -1
	               : terrain_train(x, y, n, d->control_dim, d->latent_dim, &a->opt, train_progress, &tc, &t, loss,
	                               err, errlen);
	free(x), free(y);
	if (rc < 0)
		return NULL;
	t->has_model = 1;
	t->model = d->model;
	t->model.latent_dim = d->latent_dim;
	return t;
}

int cmd_train(int argc, char **argv)
{
	train_args a;
	if (parse_train_args(argc, argv, &a) < 0) {
		fprintf(stderr, "usage: terraind train DATASET.json -o TERRAIN.json [--layout pca|line|circle|spiral]\n"
		                "       [--paths STROKES.json] [--epochs N] [--lr X] [--batch N] [--gauss-scale X]\n"
		                "       [--channels N] [--features N] [--seed N]\n");
		return EXIT_USAGE;
	}
	char err[1024];
	dataset *d;
	if (dataset_load(a.dataset, &d, err, sizeof err) < 0) {
		log_error("%s", err);
		return EXIT_FAILURE_RUN;
	}
	int rc = 0;
	if (a.paths)
		rc = dataset_apply_paths(d, a.paths, err, sizeof err);
	else if (!dataset_has_coords(d))
		rc = dataset_layout(d, a.layout, err, sizeof err);
	terrain *t = NULL;
	double loss = 0;
	struct sigaction sa = {.sa_handler = on_interrupt}, old;
	sigaction(SIGINT, &sa, &old);
	if (rc == 0)
		t = train_terrain(&a, d, &loss, err, sizeof err);
	sigaction(SIGINT, &old, NULL);
	if (t) {
		const char *base = strrchr(a.output, '/');
		snprintf(t->name, sizeof t->name, "%.*s", (int)strcspn(base ? base + 1 : a.output, "."),
		         base ? base + 1 : a.output);
		rc = terrain_save(t, a.output, err, sizeof err);
	}
	if (!t || rc < 0)
		log_error("%s", err);
	else
		log_info("wrote %s: %d pairs, final mean squared error %.6f (RMS %.4f per latent)", a.output,
		         dataset_total_frames(d), loss, sqrt(loss));
	terrain_free(t);
	dataset_free(d);
	return t && rc == 0 ? EXIT_OK : EXIT_FAILURE_RUN;
}

/* ---- plot ------------------------------------------------------------------- */

int cmd_plot(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'}, {"channel", required_argument, NULL, 'c'},
	    {"rgb", required_argument, NULL, 'r'},    {"dataset", required_argument, NULL, 'd'},
	    {"size", required_argument, NULL, 's'},   {"layout", required_argument, NULL, 'L'},
	    {"paths", required_argument, NULL, 'P'},  {NULL, 0, NULL, 0}};
	const char *output = NULL, *overlay = NULL, *layout = "pca", *paths = NULL;
	plot_options o = {.width = 512, .height = 512, .channels = {0, -1, -1}};
	int c, ok = 1;
	while ((c = getopt_long(argc, argv, "o:c:r:d:s:L:P:", longopts, NULL)) != -1) {
		if (c == 'L')
			layout = optarg;
		else if (c == 'P')
			paths = optarg;
		else if (c == 'o')
			output = optarg;
		else if (c == 'c')
			o.channels[0] = atoi(optarg);
		else if (c == 'r')
			ok = sscanf(optarg, "%d,%d,%d", &o.channels[0], &o.channels[1], &o.channels[2]) == 3;
		else if (c == 'd')
			overlay = optarg;
		else if (c == 's')
			ok = sscanf(optarg, "%d", &o.width) == 1 && o.width >= 16 && o.width <= 8192;
		else
			ok = 0;
	}
	o.height = o.width;
	if (!ok || !output || optind + 1 != argc) {
		fprintf(stderr,
		        "usage: terraind plot TERRAIN.json -o OUT.png [--channel N | --rgb A,B,C] [--size PIXELS]\n"
		        "       [--dataset D.json [--layout pca|line|circle|spiral | --paths STROKES.json]]\n");
		return EXIT_USAGE;
	}
	char err[1024];
	terrain *t = NULL;
	dataset *d = NULL;
	unsigned char *rgb = malloc((size_t)o.width * o.height * 3);
	/* The dataset's paths are laid out as `train` laid them (same layout
	 * or strokes; the layouts are deterministic). */
	int rc = rgb && terrain_load(argv[optind], &t, err, sizeof err) == 0 &&
	         (!overlay || (dataset_load(overlay, &d, err, sizeof err) == 0 &&
	                       (paths ? dataset_apply_paths(d, paths, err, sizeof err) == 0
	                              : dataset_has_coords(d) || dataset_layout(d, layout, err, sizeof err) == 0)));
	o.overlay = d;
	if (rc)
		rc = plot_terrain(t, &o, rgb, err, sizeof err) == 0 &&
		     plot_write_png(output, rgb, o.width, o.height, err, sizeof err) == 0;
	if (!rc)
		log_error("%s", rgb ? err : "out of memory");
	else
		log_info("wrote %s (%dx%d)", output, o.width, o.height);
	free(rgb);
	terrain_free(t);
	dataset_free(d);
	return rc ? EXIT_OK : EXIT_FAILURE_RUN;
}
