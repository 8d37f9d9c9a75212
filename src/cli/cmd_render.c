/*
 * cmd_render.c — `terraind render`: a gesture through the live sound path
 * (render.c), or an OSC score through the live dispatcher and engine
 * (score_render.c), into a WAV file. Deterministic: torch's generator is
 * seeded and the model starts from its freshly loaded state.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"
#include "commands.h"
#include "config.h"
#include "engine.h"
#include "error.h"
#include "gesture.h"
#include "log.h"
#include "render.h"
#include "score_render.h"
#include "terrain_json.h"
#include "wav.h"

typedef struct render_args {
	const char *model, *terrain, *gesture, *score, *output, *config;
	float smooth_ms;
	double tail;
	uint64_t seed;
	int float_output;
	int model_rate, frames_per_call;
} render_args;

static const char render_usage[] =
    "usage: terraind render --gesture G.json -o OUT.wav [--model M.ts] [--terrain T.json]\n"
    "                       [--smooth MS] [--tail SECONDS] [--seed N] [--float]\n"
    "                       [--model-rate HZ] [--frames-per-call N]\n"
    "       terraind render --score S.json -o OUT.wav [--config C.json] [the same options]\n"
    "Renders a gesture offline through the live sound path, or an OSC score (timed OSC\n"
    "messages, docs/score-format.md) through the live dispatcher and engine (stereo);\n"
    "deterministic.\n";

static int parse_render_args(int argc, char **argv, render_args *a, char *why, size_t whylen)
{
	static const struct option longopts[] = {{"model", required_argument, NULL, 'm'},
	                                         {"terrain", required_argument, NULL, 't'},
	                                         {"gesture", required_argument, NULL, 'g'},
	                                         {"score", required_argument, NULL, 'c'},
	                                         {"config", required_argument, NULL, 'C'},
	                                         {"output", required_argument, NULL, 'o'},
	                                         {"smooth", required_argument, NULL, 's'},
	                                         {"tail", required_argument, NULL, 'T'},
	                                         {"seed", required_argument, NULL, 'S'},
	                                         {"float", no_argument, NULL, 'f'},
	                                         {"model-rate", required_argument, NULL, 'M'},
	                                         {"frames-per-call", required_argument, NULL, 'F'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {NULL, 0, NULL, 0}};
	*a = (render_args){.model = "models/demo.ts", .terrain = "terrains/demo.json", .smooth_ms = 20.0f, .tail = 0.5};
	int c, rc = 0;
	while (rc == 0 && (c = getopt_long(argc, argv, "m:t:g:c:C:o:s:T:S:fM:F:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': a->model = optarg; break;
		case 't': a->terrain = optarg; break;
		case 'g': a->gesture = optarg; break;
		case 'c': a->score = optarg; break;
		case 'C': a->config = optarg; break;
		case 'o': a->output = optarg; break;
		/* the same limit as the config's engine.smooth_ms */
		case 's': rc = cli_float("--smooth", optarg, 0, 10000, &a->smooth_ms, why, whylen); break;
		case 'T': rc = cli_double("--tail", optarg, 0, 3600, &a->tail, why, whylen); break;
		case 'S': rc = cli_seed("--seed", optarg, &a->seed, why, whylen); break;
		case 'f': a->float_output = 1; break;
		case 'M': rc = cli_int("--model-rate", optarg, 8000, 384000, &a->model_rate, why, whylen); break;
		case 'F': rc = cli_int("--frames-per-call", optarg, 1, 64, &a->frames_per_call, why, whylen); break;
		case 'h': return CLI_HELP;
		default: return CLI_BAD;
		}
	}
	if (rc < 0)
		return CLI_BAD;
	if (!a->gesture == !a->score || !a->output)
		return error_set(why, whylen, "render needs a --gesture or a --score (one of them), and an -o OUT.wav");
	if (a->config && !a->score)
		return error_set(why, whylen, "--config is for --score (the dispatcher's settings and mappings)");
	return cli_operands(argc, argv, optind, 0, 0, "", why, whylen);
}

static int write_frames(void *ctx, const float *interleaved, int frames, char *err, size_t errlen)
{
	return wav_write(ctx, interleaved, frames, err, errlen);
}

static int open_output(const render_args *a, int rate, int channels, wav_writer **w, char *err, size_t errlen)
{
	return wav_open(a->output, rate, channels, a->float_output ? WAV_FLOAT32 : WAV_PCM16, w, err, errlen);
}

/* Closes the file when all went well, removes it otherwise. */
static int finish_output(wav_writer *w, int rc, char *err, size_t errlen)
{
	if (rc < 0) {
		wav_abort(w);
		return -1;
	}
	return wav_close(w, err, errlen);
}

static int render_to_file(const render_args *a, model *m, terrain *t, const gesture *g, char *err, size_t errlen)
{
	render_engine engine;
	char warning[256];
	if (render_init(&engine, m, t, a->smooth_ms, err, errlen, warning, sizeof warning) < 0)
		return -1;
	if (warning[0])
		log_warn("%s", warning);
	wav_writer *w;
	int rc = open_output(a, m->sample_rate, m->audio_channels, &w, err, errlen);
	if (rc == 0) {
		model_seed(a->seed);
		rc = finish_output(w, render_gesture(&engine, g, a->tail, write_frames, w, err, errlen), err, errlen);
	}
	if (rc == 0)
		log_info("wrote %s: %.2f s, %llu frames of %d samples (%d per decode call), %llu targets clamped to "
		         "the bounds",
		         a->output, (double)engine.frames * m->ratio / m->sample_rate,
		         (unsigned long long)engine.frames, m->ratio, engine.frames_per_call,
		         (unsigned long long)engine.control.clamped);
	render_destroy(&engine);
	return rc;
}

static int score_to_file(const render_args *a, model *m, terrain *t, const score *sc, char *err, size_t errlen)
{
	config c;
	config_defaults(&c);
	if (a->config && (config_load(&c, a->config, err, errlen) < 0 || config_validate(&c, err, errlen) < 0))
		return -1;
	score_settings settings = {.config = &c, .smooth_ms = a->smooth_ms, .tail_seconds = a->tail, .seed = a->seed};
	wav_writer *w;
	if (open_output(a, m->sample_rate, ENGINE_CHANNELS, &w, err, errlen) < 0)
		return -1;
	uint64_t frames;
	int rc = score_render(sc, m, t, &settings, write_frames, w, &frames, err, errlen);
	if (finish_output(w, rc, err, errlen) < 0)
		return -1;
	log_info("wrote %s: %.2f s, %d score entries played through the dispatcher", a->output,
	         (double)frames / m->sample_rate, sc->n_events);
	return 0;
}

/* The gesture or the score, then the terrain, then its model. */
static int load_and_render(const render_args *a, char *err, size_t errlen)
{
	model *m = NULL;
	terrain *t = NULL;
	gesture *g = NULL;
	score sc = {0};
	int rc = -1;
	model_options options = model_default_options();
	options.user_rate = a->model_rate;
	options.frames_per_call = a->frames_per_call;
	int input = a->score ? score_load(a->score, &sc, err, errlen) : gesture_load(a->gesture, &g, err, errlen);
	if (input == 0 && terrain_load(a->terrain, &t, err, errlen) == 0) {
		options.terrain_rate = t->has_model ? t->model.sample_rate : 0;
		if (model_load(a->model, &options, &m, err, errlen) == 0) {
			if (m->rate_warning[0])
				log_warn("%s: %s", m->id, m->rate_warning);
			rc = a->score ? score_to_file(a, m, t, &sc, err, errlen)
			              : render_to_file(a, m, t, g, err, errlen);
		}
	}
	model_free(m);
	terrain_free(t);
	gesture_free(g);
	score_free(&sc);
	return rc;
}

int cmd_render(int argc, char **argv)
{
	render_args a;
	char why[256] = "";
	int parsed = parse_render_args(argc, argv, &a, why, sizeof why);
	if (parsed != CLI_OK)
		return cli_finish(parsed, why, render_usage);
	char err[1024];
	if (load_and_render(&a, err, sizeof err) < 0) {
		log_error("%s", err);
		return EXIT_FAILURE_RUN;
	}
	return EXIT_OK;
}
