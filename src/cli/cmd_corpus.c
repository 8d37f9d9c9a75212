/*
 * cmd_corpus.c — from a folder of sounds to a terrain:
 *   terraind encode --model M AUDIO... -o DATASET.json
 *   terraind train DATASET.json -o TERRAIN.json [--layout --layout-latents --paths --labels --epochs ...]
 *   terraind plot TERRAIN.json -o TERRAIN.png [--channel N | --rgb A,B,C] [--dataset D.json] [--no-labels]
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

#include "cli_args.h"
#include "commands.h"
#include "corpus_labels.h"
#include "dataset.h"
#include "error.h"
#include "log.h"
#include "model.h"
#include "path.h"
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

static const char encode_usage[] =
    "usage: terraind encode [--model M.ts] [--seed N] [--model-rate HZ] AUDIO... -o DATASET.json\n"
    "Encodes a corpus of sounds into a dataset of latent frames.\n";

static int parse_encode_args(int argc, char **argv, const char **model_path, const char **output, uint64_t *seed,
                             model_options *options, char *why, size_t whylen)
{
	static const struct option longopts[] = {
	    {"model", required_argument, NULL, 'm'}, {"output", required_argument, NULL, 'o'},
	    {"seed", required_argument, NULL, 'S'},  {"model-rate", required_argument, NULL, 'M'},
	    {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
	int c, rc = 0;
	while (rc == 0 && (c = getopt_long(argc, argv, "m:o:S:M:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': *model_path = optarg; break;
		case 'o': *output = optarg; break;
		case 'S': rc = cli_seed("--seed", optarg, seed, why, whylen); break;
		case 'M': rc = cli_int("--model-rate", optarg, 8000, 384000, &options->user_rate, why, whylen); break;
		case 'h': return CLI_HELP;
		default: return CLI_BAD;
		}
	}
	if (rc < 0)
		return CLI_BAD;
	if (!*output)
		return error_set(why, whylen, "encode needs -o DATASET.json");
	return cli_operands(argc, argv, optind, 1, -1, "the AUDIO files to encode", why, whylen);
}

int cmd_encode(int argc, char **argv)
{
	const char *model_path = "models/demo.ts", *output = NULL;
	uint64_t seed = 0;
	model_options options = model_default_options();
	char why[256] = "";
	int parsed = parse_encode_args(argc, argv, &model_path, &output, &seed, &options, why, sizeof why);
	if (parsed != CLI_OK)
		return cli_finish(parsed, why, encode_usage);
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

/* ---- layouts (train and plot lay a dataset out the same way) ---------------- */

typedef struct layout_choice {
	const char *layout, *paths;
	int latents[TERRAIN_MAX_LATENT_DIM];
	int n_latents; /* 0: the PCA reads every latent */
} layout_choice;

/* --layout-latents A,B,...: any number of channels, checked against the
 * dataset once it is loaded. */
static int parse_layout_latents(const char *text, layout_choice *l, char *why, size_t whylen)
{
	int n = 1;
	for (const char *c = text; *c; c++)
		n += *c == ',';
	if (n > TERRAIN_MAX_LATENT_DIM)
		return error_set(why, whylen, "--layout-latents lists %d channels, at most %d", n,
		                 TERRAIN_MAX_LATENT_DIM);
	l->n_latents = n;
	return cli_int_list("--layout-latents", text, n, 0, TERRAIN_MAX_LATENT_DIM - 1, l->latents, why, whylen);
}

/* The lda layout: the items grouped by their labels (file-name prefixes). */
static int lay_out_by_label(dataset *d, const layout_choice *l, char *err, size_t errlen)
{
	terrain_label names[TERRAIN_MAX_LABELS];
	int frames[TERRAIN_MAX_LABELS], n_groups = 0;
	int *groups = malloc(sizeof(int) * (size_t)(d->n_items > 0 ? d->n_items : 1));
	int rc = groups ? corpus_label_items(d, groups, names, &n_groups, frames, err, errlen)
	                : error_set(err, errlen, "out of memory");
	if (rc == 0)
		rc = dataset_layout_lda(d, groups, n_groups, l->latents, l->n_latents, err, errlen);
	free(groups);
	return rc;
}

/* Strokes drawn by the user, the dataset's own coordinates, or a layout. */
static int lay_out(dataset *d, const layout_choice *l, char *err, size_t errlen)
{
	if (l->paths)
		return dataset_apply_paths(d, l->paths, err, errlen);
	if (dataset_has_coords(d))
		return 0;
	if (strcmp(l->layout, "lda") == 0)
		return lay_out_by_label(d, l, err, errlen);
	return dataset_layout_latents(d, l->layout, l->latents, l->n_latents, err, errlen);
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
	const char *dataset, *output;
	layout_choice lay;
	int labels;                  /* --labels: store where each file-name prefix lies */
	char name[TERRAIN_NAME_MAX]; /* the output's file name without extension */
	tb_train_options opt;
} train_args;

static const char train_usage[] =
    "usage: terraind train DATASET.json -o TERRAIN.json [--layout pca|lda|line|circle|spiral]\n"
    "       [--layout-latents A,B,...] [--paths STROKES.json] [--labels] [--epochs N] [--lr X]\n"
    "       [--batch N] [--gauss-scale X] [--channels N] [--features N] [--seed N]\n"
    "Fits a terrain to a dataset (libtorch); Ctrl-C stops early and keeps what was learned.\n";

static int parse_train_option(int c, train_args *a, char *why, size_t whylen)
{
	tb_train_options *o = &a->opt;
	switch (c) {
	case 'o': a->output = optarg; return 0;
	case 'L': a->lay.layout = optarg; return 0;
	case 'P': a->lay.paths = optarg; return 0;
	case 'Z': return parse_layout_latents(optarg, &a->lay, why, whylen);
	case 'N': a->labels = 1; return 0;
	case 'e': return cli_int("--epochs", optarg, 1, 1000000, &o->epochs, why, whylen);
	case 'l': return cli_double("--lr", optarg, 1e-9, 10, &o->lr, why, whylen);
	case 'b': return cli_int("--batch", optarg, 1, 1 << 20, &o->batch, why, whylen);
	case 'g': return cli_double("--gauss-scale", optarg, 0, 1000, &o->gauss_scale, why, whylen);
	case 'c': return cli_int("--channels", optarg, 1, 4096, &o->channels, why, whylen);
	case 'f': return cli_int("--features", optarg, 1, 2048, &o->features, why, whylen);
	case 's': return cli_seed("--seed", optarg, &o->seed, why, whylen);
	default: return -1;
	}
}

static int parse_train_args(int argc, char **argv, train_args *a, char *why, size_t whylen)
{
	static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
	                                         {"layout", required_argument, NULL, 'L'},
	                                         {"paths", required_argument, NULL, 'P'},
	                                         {"layout-latents", required_argument, NULL, 'Z'},
	                                         {"labels", no_argument, NULL, 'N'},
	                                         {"epochs", required_argument, NULL, 'e'},
	                                         {"lr", required_argument, NULL, 'l'},
	                                         {"batch", required_argument, NULL, 'b'},
	                                         {"gauss-scale", required_argument, NULL, 'g'},
	                                         {"channels", required_argument, NULL, 'c'},
	                                         {"features", required_argument, NULL, 'f'},
	                                         {"seed", required_argument, NULL, 's'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {NULL, 0, NULL, 0}};
	*a = (train_args){.lay = {.layout = "pca"},
	                  .opt = {.epochs = 100,
	                          .batch = 32,
	                          .channels = 128,
	                          .features = 256,
	                          .lr = 1e-3,
	                          .gauss_scale = 0.2,
	                          .seed = 0}};
	int c;
	while ((c = getopt_long(argc, argv, "o:L:P:Z:Ne:l:b:g:c:f:s:h", longopts, NULL)) != -1) {
		if (c == 'h')
			return CLI_HELP;
		if (parse_train_option(c, a, why, whylen) < 0)
			return CLI_BAD;
	}
	if (!a->output)
		return error_set(why, whylen, "train needs -o TERRAIN.json");
	/* checked before hours of training, not after */
	if (path_stem(a->output, a->name, sizeof a->name, "the output's file name", why, whylen) < 0)
		return CLI_BAD;
	if (cli_operands(argc, argv, optind, 1, 1, "the DATASET.json to train on", why, whylen) < 0)
		return CLI_BAD;
	a->dataset = argv[optind];
	return CLI_OK;
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
	char why[256] = "";
	int parsed = parse_train_args(argc, argv, &a, why, sizeof why);
	if (parsed != CLI_OK)
		return cli_finish(parsed, why, train_usage);
	char err[1024];
	dataset *d;
	if (dataset_load(a.dataset, &d, err, sizeof err) < 0) {
		log_error("%s", err);
		return EXIT_FAILURE_RUN;
	}
	terrain_label labels[TERRAIN_MAX_LABELS];
	int n_labels = 0;
	int rc = lay_out(d, &a.lay, err, sizeof err);
	if (rc == 0 && a.labels) /* before hours of training, not after */
		rc = corpus_labels(d, labels, &n_labels, err, sizeof err);
	terrain *t = NULL;
	double loss = 0;
	struct sigaction sa = {.sa_handler = on_interrupt}, old;
	sigaction(SIGINT, &sa, &old);
	if (rc == 0)
		t = train_terrain(&a, d, &loss, err, sizeof err);
	sigaction(SIGINT, &old, NULL);
	if (t) {
		memcpy(t->name, a.name, sizeof a.name);
		memcpy(t->labels, labels, sizeof(terrain_label) * (size_t)n_labels);
		t->n_labels = n_labels;
		rc = terrain_save(t, a.output, err, sizeof err);
	}
	if (!t || rc < 0)
		log_error("%s", err);
	else
		log_info("wrote %s: %d pairs, final mean squared error %.6f (RMS %.4f per latent)%s", a.output,
		         dataset_total_frames(d), loss, sqrt(loss), n_labels ? "; labels:" : "");
	for (int i = 0; t && rc == 0 && i < n_labels; i++)
		log_info("  %s at (%.2f, %.2f)", labels[i].name, (double)labels[i].at[0], (double)labels[i].at[1]);
	terrain_free(t);
	dataset_free(d);
	return t && rc == 0 ? EXIT_OK : EXIT_FAILURE_RUN;
}

/* ---- plot ------------------------------------------------------------------- */

static const char plot_usage[] =
    "usage: terraind plot TERRAIN.json -o OUT.png [--channel N | --rgb A,B,C] [--size PIXELS]\n"
    "       [--dataset D.json [--layout pca|lda|line|circle|spiral [--layout-latents A,B,...]\n"
    "       | --paths STROKES.json]] [--no-labels]\n"
    "Pictures a terrain (one latent as a height map, or three as red, green and blue),\n"
    "with a dataset's paths and the terrain's labels on top.\n";

typedef struct plot_args {
	const char *terrain, *output, *overlay;
	layout_choice lay;
	int no_labels;
	plot_options o;
} plot_args;

enum { CHANNEL_MAX = 65535 }; /* checked against the terrain's latents once it is loaded */

static int parse_plot_option(int c, plot_args *a, char *why, size_t whylen)
{
	switch (c) {
	case 'L': a->lay.layout = optarg; return 0;
	case 'P': a->lay.paths = optarg; return 0;
	case 'Z': return parse_layout_latents(optarg, &a->lay, why, whylen);
	case 'N': a->no_labels = 1; return 0;
	case 'o': a->output = optarg; return 0;
	case 'd': a->overlay = optarg; return 0;
	case 'c': return cli_int("--channel", optarg, 0, CHANNEL_MAX, &a->o.channels[0], why, whylen);
	case 'r': return cli_int_list("--rgb", optarg, 3, 0, CHANNEL_MAX, a->o.channels, why, whylen);
	case 's': return cli_int("--size", optarg, 16, 8192, &a->o.width, why, whylen);
	default: return -1;
	}
}

static int parse_plot_args(int argc, char **argv, plot_args *a, char *why, size_t whylen)
{
	static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
	                                         {"channel", required_argument, NULL, 'c'},
	                                         {"rgb", required_argument, NULL, 'r'},
	                                         {"dataset", required_argument, NULL, 'd'},
	                                         {"size", required_argument, NULL, 's'},
	                                         {"layout", required_argument, NULL, 'L'},
	                                         {"layout-latents", required_argument, NULL, 'Z'},
	                                         {"paths", required_argument, NULL, 'P'},
	                                         {"no-labels", no_argument, NULL, 'N'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {NULL, 0, NULL, 0}};
	*a = (plot_args){.lay = {.layout = "pca"}, .o = {.width = 512, .height = 512, .channels = {0, -1, -1}}};
	int c;
	while ((c = getopt_long(argc, argv, "o:c:r:d:s:L:Z:P:Nh", longopts, NULL)) != -1) {
		if (c == 'h')
			return CLI_HELP;
		if (parse_plot_option(c, a, why, whylen) < 0)
			return CLI_BAD;
	}
	a->o.height = a->o.width;
	if (!a->output)
		return error_set(why, whylen, "plot needs -o OUT.png");
	if (cli_operands(argc, argv, optind, 1, 1, "the TERRAIN.json to plot", why, whylen) < 0)
		return CLI_BAD;
	a->terrain = argv[optind];
	return CLI_OK;
}

/* The dataset's paths as plain points, laid out as `train` laid them
 * (same layout or strokes; the layouts are deterministic). */
static int dataset_paths(const plot_args *a, plot_path **paths, int *n_paths, char *err, size_t errlen)
{
	dataset *d;
	if (dataset_load(a->overlay, &d, err, errlen) < 0)
		return -1;
	int rc = lay_out(d, &a->lay, err, errlen);
	*n_paths = 0;
	*paths = rc == 0 ? calloc((size_t)(d->n_items > 0 ? d->n_items : 1), sizeof **paths) : NULL;
	if (rc == 0 && !*paths)
		rc = error_set(err, errlen, "out of memory");
	for (int i = 0; rc == 0 && i < d->n_items; i++) {
		const dataset_item *it = &d->items[i];
		float *xy = malloc(sizeof(float) * 2 * (size_t)(it->frames > 0 ? it->frames : 1));
		if (!xy) {
			rc = error_set(err, errlen, "out of memory");
			break;
		}
		for (int f = 0; f < it->frames; f++)
			memcpy(xy + 2 * f, it->coords + (size_t)f * d->control_dim, 2 * sizeof(float));
		(*paths)[(*n_paths)++] = (plot_path){.xy = xy, .n = it->frames};
	}
	dataset_free(d);
	return rc;
}

static void free_paths(plot_path *paths, int n)
{
	for (int i = 0; i < n; i++)
		free((void *)paths[i].xy);
	free(paths);
}

static int draw(plot_args *a, const terrain *t, char *err, size_t errlen)
{
	plot_path *paths = NULL;
	plot_label labels[TERRAIN_MAX_LABELS];
	int n_paths = 0;
	unsigned char *rgb = malloc((size_t)a->o.width * a->o.height * 3);
	int rc = rgb ? 0 : error_set(err, errlen, "out of memory");
	if (rc == 0 && a->overlay)
		rc = dataset_paths(a, &paths, &n_paths, err, errlen);
	for (int i = 0; !a->no_labels && i < t->n_labels; i++)
		labels[i] = (plot_label){.name = t->labels[i].name, .x = t->labels[i].at[0], .y = t->labels[i].at[1]};
	a->o.paths = paths;
	a->o.n_paths = n_paths;
	a->o.labels = labels;
	a->o.n_labels = a->no_labels ? 0 : t->n_labels;
	if (rc == 0)
		rc = plot_terrain(t, &a->o, rgb, err, errlen);
	if (rc == 0)
		rc = plot_write_png(a->output, rgb, a->o.width, a->o.height, err, errlen);
	free(rgb);
	free_paths(paths, n_paths);
	return rc;
}

int cmd_plot(int argc, char **argv)
{
	plot_args a;
	char why[256] = "";
	int parsed = parse_plot_args(argc, argv, &a, why, sizeof why);
	if (parsed != CLI_OK)
		return cli_finish(parsed, why, plot_usage);
	char err[1024];
	terrain *t;
	if (terrain_load(a.terrain, &t, err, sizeof err) < 0) {
		log_error("%s", err);
		return EXIT_FAILURE_RUN;
	}
	/* A channel the terrain lacks is a mistake on the command line. */
	if (plot_check_channels(t, &a.o, why, sizeof why) < 0) {
		terrain_free(t);
		return cli_finish(CLI_BAD, why, plot_usage);
	}
	int rc = draw(&a, t, err, sizeof err);
	if (rc < 0)
		log_error("%s", err);
	else
		log_info("wrote %s (%dx%d)", a.output, a.o.width, a.o.height);
	terrain_free(t);
	return rc < 0 ? EXIT_FAILURE_RUN : EXIT_OK;
}
