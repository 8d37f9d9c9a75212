/*
 * cmd_model.c — `terraind info FILE`: what a model (or terrain) offers.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"
#include "commands.h"
#include "log.h"
#include "model.h"
#include "terrain_json.h"

static void describe_terrain(const char *path, const terrain *t)
{
	printf("terrain:        %s\n", path);
	printf("name:           %s\n", t->name[0] ? t->name : "(none)");
	printf("control dims:   %d\n", t->control_dim);
	printf("latent size:    %d\n", t->latent_dim);
	printf("bounds:        ");
	for (int d = 0; d < t->control_dim; d++)
		printf(" [%g, %g]", (double)t->bounds_min[d], (double)t->bounds_max[d]);
	printf("\nfourier:        %d features (gauss scale %g)\n", t->n_features, (double)t->gauss_scale);
	printf("layers:        ");
	for (int i = 0; i < t->n_layers; i++)
		printf(" %d->%d%s", t->layers[i].in, t->layers[i].out, t->layers[i].has_prelu ? "+prelu" : "");
	printf("\nweights:        %zu\n", t->storage_floats);
	if (t->has_model)
		printf("made for:       model '%s', %d latents, %d Hz, ratio %d\n", t->model.id, t->model.latent_dim,
		       t->model.sample_rate, t->model.ratio);
	const latent_pitch *p = &t->model.pitch;
	if (t->has_model && p->has)
		printf("pitch:          latent %d = %g * log2(f / %g Hz): MIDI notes play it in tune\n", p->latent,
		       (double)p->per_octave, (double)p->reference_hz);
	for (int i = 0; i < t->n_labels; i++)
		printf("%s %s at (%.2f, %.2f)\n", i ? "               " : "labels:        ", t->labels[i].name,
		       (double)t->labels[i].at[0], (double)t->labels[i].at[1]);
}

static int is_terrain_path(const char *path)
{
	size_t n = strlen(path);
	return n > 5 && strcmp(path + n - 5, ".json") == 0;
}

static const char info_usage[] =
    "usage: terraind info [--threads N] [--model-rate HZ] [--frames-per-call N] [MODEL.ts|TERRAIN.json]\n"
    "Describes what a model or a terrain offers; without one, this installation: its version, the\n"
    "configuration `terraind serve` reads (and where it looked) and the data directories.\n";

static int parse_info_args(int argc, char **argv, model_options *options, char *why, size_t whylen)
{
	static const struct option longopts[] = {{"threads", required_argument, NULL, 't'},
	                                         {"model-rate", required_argument, NULL, 'M'},
	                                         {"frames-per-call", required_argument, NULL, 'F'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {NULL, 0, NULL, 0}};
	int c, rc = 0;
	while (rc == 0 && (c = getopt_long(argc, argv, "t:M:F:h", longopts, NULL)) != -1) {
		switch (c) {
		/* the same limits as the config's engine.torch_threads, model_rate, frames_per_call */
		case 't': rc = cli_int("--threads", optarg, 1, 64, &options->torch_threads, why, whylen); break;
		case 'M': rc = cli_int("--model-rate", optarg, 8000, 384000, &options->user_rate, why, whylen); break;
		case 'F':
			rc = cli_int("--frames-per-call", optarg, 1, 64, &options->frames_per_call, why, whylen);
			break;
		case 'h': return CLI_HELP;
		default: return CLI_BAD;
		}
	}
	if (rc < 0)
		return CLI_BAD;
	return cli_operands(argc, argv, optind, 0, 1, "the MODEL.ts or TERRAIN.json to describe", why, whylen);
}

int cmd_info(int argc, char **argv)
{
	model_options options = model_default_options();
	options.inspect_only = 1;
	char why[256] = "";
	int parsed = parse_info_args(argc, argv, &options, why, sizeof why);
	if (parsed != CLI_OK)
		return cli_finish(parsed, why, info_usage);
	if (optind == argc)
		return cmd_info_installation();
	const char *path = argv[optind];
	char err[1024];
	if (is_terrain_path(path)) {
		terrain *t;
		if (terrain_load(path, &t, err, sizeof err) < 0) {
			log_error("%s", err);
			return EXIT_FAILURE_RUN;
		}
		describe_terrain(path, t);
		terrain_free(t);
		return EXIT_OK;
	}
	model *m;
	if (model_load(path, &options, &m, err, sizeof err) < 0) {
		log_error("%s", err);
		return EXIT_FAILURE_RUN;
	}
	model_describe(m, stdout);
	model_free(m);
	return EXIT_OK;
}
