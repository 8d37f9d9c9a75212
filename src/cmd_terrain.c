/*
 * cmd_terrain.c — `terraind import` (nn_terrain .pt -> terrain JSON) and
 * `terraind eval` (coordinates on stdin -> latent vectors on stdout).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "log.h"
#include "terrain_json.h"

static int parse_float(const char *text, float *out)
{
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v) || fabs(v) > 3.4e38)
		return -1;
	*out = (float)v;
	return 0;
}

/* --bounds: "MIN,MAX" for every axis, or one "MIN,MAX" pair per axis
 * ("-16,16,-4,4"). Returns the count of numbers read, or -1. */
static int parse_bounds(const char *text, float *values, int max)
{
	char copy[256];
	snprintf(copy, sizeof copy, "%s", text);
	int n = 0;
	for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == max || parse_float(tok, &values[n]) < 0)
			return -1;
		n++;
	}
	return n;
}

static int apply_bounds(terrain *t, const float *values, int n)
{
	if (n != 2 && n != 2 * t->control_dim) {
		log_error("--bounds: %d numbers for a terrain of %d control dimensions: give MIN,MAX for all of them "
		          "or one MIN,MAX pair per dimension (%d numbers)",
		          n, t->control_dim, 2 * t->control_dim);
		return -1;
	}
	for (int d = 0; d < t->control_dim; d++) {
		const float *pair = values + (n == 2 ? 0 : 2 * d);
		if (!(pair[0] < pair[1])) {
			log_error("--bounds: dimension %d has min %g not below max %g", d, (double)pair[0],
			          (double)pair[1]);
			return -1;
		}
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

int cmd_import(int argc, char **argv)
{
	static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
	                                         {"bounds", required_argument, NULL, 'b'},
	                                         {"name", required_argument, NULL, 'n'},
	                                         {NULL, 0, NULL, 0}};
	const char *output = NULL, *name = NULL;
	float bounds[2 * TERRAIN_MAX_CONTROL_DIM];
	int n_bounds = 0, c;
	while ((c = getopt_long(argc, argv, "o:b:n:", longopts, NULL)) != -1) {
		if (c == 'o')
			output = optarg;
		else if (c == 'n')
			name = optarg;
		else if (c == 'b' && (n_bounds = parse_bounds(optarg, bounds, 2 * TERRAIN_MAX_CONTROL_DIM)) >= 2)
			continue;
		else {
			fprintf(stderr, "terraind import: --bounds takes MIN,MAX or one MIN,MAX pair per dimension, "
			                "e.g. --bounds -16,16,-4,4\n");
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || !output) {
		fprintf(stderr,
		        "usage: terraind import PRESET.pt -o OUT.json [--bounds MIN,MAX[,MIN,MAX...]] [--name NAME]\n"
		        "(default bounds: nn.terrain.gui's, x -16..16, y -4..4)\n");
		return EXIT_USAGE;
	}
	char err[1024];
	terrain *t;
	if (terrain_import_nn_terrain(argv[optind], -1.0f, 1.0f, &t, err, sizeof err) < 0) {
		log_error("%s", err);
		return EXIT_FAILURE_RUN;
	}
	terrain_set_nn_terrain_gui_bounds(t);
	if (n_bounds && apply_bounds(t, bounds, n_bounds) < 0) {
		terrain_free(t);
		return EXIT_USAGE;
	}
	if (name)
		snprintf(t->name, sizeof t->name, "%s", name);
	int rc = terrain_save(t, output, err, sizeof err);
	if (rc < 0)
		log_error("%s", err);
	else
		log_imported(output, t);
	terrain_free(t);
	return rc < 0 ? EXIT_FAILURE_RUN : EXIT_OK;
}

/* Splits one input line into exactly `dim` numbers; fills `why` if not. */
static int parse_coordinates(char *line, int dim, float *coord, char *why, size_t len)
{
	int n = 0;
	for (char *tok = strtok(line, " \t\r\n"); tok; tok = strtok(NULL, " \t\r\n")) {
		float v;
		if (parse_float(tok, &v) < 0) {
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

int cmd_eval(int argc, char **argv)
{
	static const struct option longopts[] = {{"clamp", no_argument, NULL, 'c'}, {NULL, 0, NULL, 0}};
	int clamp = 0, c;
	while ((c = getopt_long(argc, argv, "c", longopts, NULL)) != -1) {
		if (c != 'c')
			return EXIT_USAGE;
		clamp = 1;
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: terraind eval [--clamp] TERRAIN.json|PRESET.pt < coordinates\n");
		return EXIT_USAGE;
	}
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
