/*
 * cmd_terrain.c — `terraind import` (nn_terrain .pt -> terrain JSON) and
 * `terraind eval` (coordinates on stdin -> latent vectors on stdout).
 */
#include <float.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"
#include "commands.h"
#include "error.h"
#include "log.h"
#include "path.h"
#include "terrain_json.h"

static const char import_usage[] =
    "usage: terraind import PRESET.pt -o OUT.json [--bounds MIN,MAX[,MIN,MAX...]] [--name NAME]\n"
    "Converts an nn_terrain checkpoint into a terrain file; its bounds are nn.terrain.gui's default range\n"
    "(x -16..16, y -4..4) unless --bounds gives MIN,MAX for every axis or one pair per axis.\n";

typedef struct import_args {
	const char *output;
	char name[TERRAIN_NAME_MAX]; /* "" = the checkpoint's file name */
	float bounds[2 * TERRAIN_MAX_CONTROL_DIM];
	int n_bounds; /* 0: nn.terrain.gui's default range */
} import_args;

/* --bounds: "MIN,MAX" for every axis, or one "MIN,MAX" pair per axis
 * ("-16,16,-4,4"); the count is checked against the terrain's axes once
 * it is read (apply_bounds). */
static int parse_bounds(const char *text, import_args *a, char *why, size_t whylen)
{
	int n = 1;
	for (const char *p = text; *p; p++)
		n += *p == ',';
	if (n < 2 || n > 2 * TERRAIN_MAX_CONTROL_DIM)
		return error_set(why, whylen,
		                 "--bounds takes MIN,MAX or one MIN,MAX pair per dimension, e.g. "
		                 "--bounds -16,16,-4,4; not '%.60s'",
		                 text);
	a->n_bounds = n;
	return cli_float_list("--bounds", text, n, -FLT_MAX, FLT_MAX, a->bounds, why, whylen);
}

/* The bounds asked for, on every axis or per axis, each MIN < MAX. */
static int apply_bounds(terrain *t, const float *values, int n, char *why, size_t whylen)
{
	if (n != 2 && n != 2 * t->control_dim)
		return error_set(why, whylen,
		                 "--bounds: %d numbers for a terrain of %d control dimensions: give MIN,MAX for all of "
		                 "them or one MIN,MAX pair per dimension (%d numbers)",
		                 n, t->control_dim, 2 * t->control_dim);
	for (int d = 0; d < t->control_dim; d++) {
		const float *pair = values + (n == 2 ? 0 : 2 * d);
		if (!(pair[0] < pair[1]))
			return error_set(why, whylen, "--bounds: dimension %d has min %g not below max %g", d,
			                 (double)pair[0], (double)pair[1]);
		t->bounds_min[d] = pair[0];
		t->bounds_max[d] = pair[1];
	}
	return 0;
}

static void log_imported(const char *output, const terrain *t)
{
	char bounds[256] = "";
	for (int d = 0, used = 0; d < t->control_dim && used < (int)sizeof bounds; d++)
		used += snprintf(bounds + used, sizeof bounds - (size_t)used, " [%g, %g]", (double)t->bounds_min[d],
		                 (double)t->bounds_max[d]);
	log_info("wrote %s: %d -> %d, %d features, %zu weights, bounds%s", output, t->control_dim, t->latent_dim,
	         t->n_features, t->storage_floats, bounds);
}

static int parse_import_args(int argc, char **argv, import_args *a, char *why, size_t whylen)
{
	static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
	                                         {"bounds", required_argument, NULL, 'b'},
	                                         {"name", required_argument, NULL, 'n'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {NULL, 0, NULL, 0}};
	*a = (import_args){.n_bounds = 0};
	int c;
	while ((c = getopt_long(argc, argv, "o:b:n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': a->output = optarg; break;
		case 'n':
			if (path_copy(a->name, sizeof a->name, optarg, "--name", why, whylen) < 0)
				return CLI_BAD;
			break;
		case 'b':
			if (parse_bounds(optarg, a, why, whylen) < 0)
				return CLI_BAD;
			break;
		case 'h': return CLI_HELP;
		default: return CLI_BAD;
		}
	}
	if (!a->output)
		return error_set(why, whylen, "import needs -o OUT.json");
	return cli_operands(argc, argv, optind, 1, 1, "the PRESET.pt to import", why, whylen);
}

int cmd_import(int argc, char **argv)
{
	import_args a;
	char why[256] = "";
	int parsed = parse_import_args(argc, argv, &a, why, sizeof why);
	if (parsed != CLI_OK)
		return cli_finish(parsed, why, import_usage);
	char err[1024];
	terrain *t;
	if (terrain_import_nn_terrain(argv[optind], -1.0f, 1.0f, &t, err, sizeof err) < 0) {
		log_error("%s", err);
		return EXIT_FAILURE_RUN;
	}
	terrain_set_nn_terrain_gui_bounds(t); /* nn.terrain.gui's range, unless --bounds says otherwise */
	if (a.n_bounds && apply_bounds(t, a.bounds, a.n_bounds, why, sizeof why) < 0) {
		terrain_free(t);
		return cli_finish(CLI_BAD, why, import_usage);
	}
	if (a.name[0])
		memcpy(t->name, a.name, sizeof a.name);
	int rc = terrain_save(t, a.output, err, sizeof err);
	if (rc < 0)
		log_error("%s", err);
	else
		log_imported(a.output, t);
	terrain_free(t);
	return rc < 0 ? EXIT_FAILURE_RUN : EXIT_OK;
}

/* Splits one input line into exactly `dim` numbers; fills `why` if not. */
static int parse_coordinates(char *line, int dim, float *coord, char *why, size_t len)
{
	int n = 0;
	for (char *tok = strtok(line, " \t\r\n"); tok; tok = strtok(NULL, " \t\r\n")) {
		float v;
		if (cli_float("a coordinate", tok, -FLT_MAX, FLT_MAX, &v, NULL, 0) < 0) {
			snprintf(why, len, "'%.40s' is not a finite number", tok);
			return -1;
		}
		if (n < dim)
			coord[n] = v;
		n++;
	}
	if (n != dim) {
		snprintf(why, len, "expected %d number%s (the terrain's control dimensions), got %d", dim,
		         dim == 1 ? "" : "s", n);
		return -1;
	}
	return 0;
}

static int is_blank(const char *line)
{
	return line[strspn(line, " \t\r\n")] == '\0' || line[strspn(line, " \t")] == '#';
}

static int eval_stream(const terrain *t, FILE *in, int clamp)
{
	float *scratch = malloc(sizeof(float) * terrain_scratch_floats(t));
	float *latent = malloc(sizeof(float) * (size_t)t->latent_dim);
	if (!scratch || !latent) {
		free(scratch);
		free(latent);
		log_error("out of memory");
		return EXIT_FAILURE_RUN;
	}
	char line[65536], why[160];
	int rc = EXIT_OK;
	for (long lineno = 1; fgets(line, sizeof line, in); lineno++) {
		float coord[TERRAIN_MAX_CONTROL_DIM];
		if (is_blank(line))
			continue;
		if (parse_coordinates(line, t->control_dim, coord, why, sizeof why) < 0) {
			log_error("stdin line %ld: %s", lineno, why);
			rc = EXIT_FAILURE_RUN;
			break;
		}
		if (clamp)
			terrain_clamp(t, coord);
		terrain_eval(t, coord, latent, scratch);
		for (int i = 0; i < t->latent_dim; i++)
			printf(i ? " %.9g" : "%.9g", (double)latent[i]);
		putchar('\n');
	}
	free(scratch);
	free(latent);
	return rc;
}

static const char eval_usage[] = "usage: terraind eval [--clamp] TERRAIN.json|PRESET.pt < coordinates\n"
                                 "Prints the latent vector of each line of coordinates on standard input.\n";

static int parse_eval_args(int argc, char **argv, int *clamp, char *why, size_t whylen)
{
	static const struct option longopts[] = {
	    {"clamp", no_argument, NULL, 'c'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	int c;
	*clamp = 0;
	while ((c = getopt_long(argc, argv, "ch", longopts, NULL)) != -1) {
		if (c == 'h')
			return CLI_HELP;
		if (c != 'c')
			return CLI_BAD;
		*clamp = 1;
	}
	return cli_operands(argc, argv, optind, 1, 1, "the TERRAIN to evaluate", why, whylen);
}

int cmd_eval(int argc, char **argv)
{
	int clamp;
	char why[256] = "";
	int parsed = parse_eval_args(argc, argv, &clamp, why, sizeof why);
	if (parsed != CLI_OK)
		return cli_finish(parsed, why, eval_usage);
	char err[1024];
	terrain *t;
	if (terrain_load(argv[optind], &t, err, sizeof err) < 0) {
		log_error("%s", err);
		return EXIT_FAILURE_RUN;
	}
	int rc = eval_stream(t, stdin, clamp);
	terrain_free(t);
	return rc;
}
