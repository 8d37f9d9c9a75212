/*
 * gesture.c — parsing and writing gesture files.
 *
 * Points are validated once here (finite, ascending times, one dimension
 * for all), so the renderers can step through them without checks.
 */
#include "gesture.h"

#include "error.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "json_util.h"

enum { GESTURE_FILE_MAX_BYTES = 64 * 1024 * 1024 };

static const cJSON *points_array(const cJSON *root, char *err, size_t errlen)
{
	if (cJSON_IsArray(root))
		return root;
	if (!cJSON_IsObject(root)) {
		error_set(err, errlen, "a gesture must be an array of points [t, x, y] or an object with \"points\"");
		return NULL;
	}
	const cJSON *format = cJSON_GetObjectItemCaseSensitive(root, "format");
	if (format && (!cJSON_IsString(format) || strcmp(format->valuestring, "terraind-gesture") != 0)) {
		error_set(err, errlen, "'format' must be \"terraind-gesture\"");
		return NULL;
	}
	const cJSON *version = cJSON_GetObjectItemCaseSensitive(root, "version");
	if (version && (!cJSON_IsNumber(version) || version->valuedouble != 1)) {
		error_set(err, errlen, "'version' must be 1");
		return NULL;
	}
	const cJSON *points = cJSON_GetObjectItemCaseSensitive(root, "points");
	if (!cJSON_IsArray(points)) {
		error_set(err, errlen, "'points' must be an array of points [t, x, y]");
		return NULL;
	}
	return points;
}

static int read_point(const cJSON *item, size_t index, int dim, gesture_point *p, char *err, size_t errlen)
{
	char what[64];
	float values[GESTURE_MAX_DIM + 1];
	snprintf(what, sizeof what, "point %zu", index);
	if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) != dim + 1)
		return error_set(err, errlen, "point %zu must be an array [t, %s] of %d numbers like the first point",
		                 index,
		                 dim == 1   ? "x"
		                 : dim == 2 ? "x, y"
		                            : "x, y, z...",
		                 dim + 1);
	if (json_read_floats(item, dim + 1, values, what, err, errlen) < 0)
		return -1;
	/* Time is re-read as a double: float loses milliseconds after ~5 min. */
	p->time = cJSON_GetArrayItem(item, 0)->valuedouble;
	memcpy(p->coord, values + 1, sizeof(float) * (size_t)dim);
	return 0;
}

static int read_points(const cJSON *points, gesture *g, char *err, size_t errlen)
{
	int n = cJSON_GetArraySize(points);
	if (n < 1)
		return error_set(err, errlen, "the gesture has no points");
	if (n > GESTURE_MAX_POINTS)
		return error_set(err, errlen, "the gesture has %d points, at most %d are allowed", n,
		                 GESTURE_MAX_POINTS);
	const cJSON *first = cJSON_GetArrayItem(points, 0);
	int size = cJSON_IsArray(first) ? cJSON_GetArraySize(first) : 0;
	if (size < 2 || size > GESTURE_MAX_DIM + 1)
		return error_set(err, errlen, "point 0 must be an array [t, x, ...] with 1 to %d coordinates",
		                 GESTURE_MAX_DIM);
	g->control_dim = size - 1;
	g->points = calloc((size_t)n, sizeof *g->points);
	if (!g->points)
		return error_set(err, errlen, "out of memory for %d points", n);
	const cJSON *item;
	cJSON_ArrayForEach(item, points)
	{
		gesture_point *p = &g->points[g->n_points];
		if (read_point(item, g->n_points, g->control_dim, p, err, errlen) < 0)
			return -1;
		if (p->time < 0)
			return error_set(err, errlen, "point %zu has a negative time (%g s)", g->n_points, p->time);
		if (g->n_points > 0 && p->time < p[-1].time)
			return error_set(err, errlen,
			                 "point %zu is at %g s, before the previous point (%g s): times must ascend",
			                 g->n_points, p->time, p[-1].time);
		g->n_points++;
	}
	return 0;
}

int gesture_from_json(const char *text, const char *source, gesture **out, char *err, size_t errlen)
{
	*out = NULL;
	char why[512];
	gesture *g = calloc(1, sizeof *g);
	cJSON *root = json_parse(text, why, sizeof why);
	const cJSON *points = root ? points_array(root, why, sizeof why) : NULL;
	int rc = (g && points) ? read_points(points, g, why, sizeof why) : -1;
	if (!g)
		snprintf(why, sizeof why, "out of memory");
	cJSON_Delete(root);
	if (rc < 0) {
		gesture_free(g);
		return error_set(err, errlen, "%s: %s", source, why);
	}
	*out = g;
	return 0;
}

int gesture_load(const char *path, gesture **out, char *err, size_t errlen)
{
	char *text;
	if (json_read_file(path, GESTURE_FILE_MAX_BYTES, &text, err, errlen) < 0)
		return -1;
	int rc = gesture_from_json(text, path, out, err, errlen);
	cJSON_free(text);
	return rc;
}

void gesture_free(gesture *g)
{
	if (!g)
		return;
	free(g->points);
	free(g);
}

double gesture_duration(const gesture *g)
{
	return g->n_points ? g->points[g->n_points - 1].time : 0.0;
}

void gesture_position(const gesture *g, double t, size_t *hint, float *coord)
{
	size_t i = *hint < g->n_points ? *hint : 0;
	if (i > 0 && g->points[i].time > t)
		i = 0; /* time went backwards: rescan */
	while (i + 1 < g->n_points && g->points[i + 1].time <= t)
		i++;
	*hint = i;
	const gesture_point *a = &g->points[i];
	if (i + 1 >= g->n_points || t <= a->time) {
		memcpy(coord, a->coord, sizeof(float) * (size_t)g->control_dim);
		return;
	}
	const gesture_point *b = a + 1;
	float w = (float)((t - a->time) / (b->time - a->time));
	for (int d = 0; d < g->control_dim; d++)
		coord[d] = a->coord[d] + w * (b->coord[d] - a->coord[d]);
}
