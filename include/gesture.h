/*
 * gesture — a timed list of control points: what `terraind render` plays
 * offline and what a gesture message plays live (docs/gesture-format.md).
 *
 * Accepted JSON: a plain array of points `[[t, x, y], ...]` (or
 * `[t, x, y, z]`, any control dimension up to 8), t in seconds, ascending;
 * or an object `{"format": "terraind-gesture", "version": 1, "points": [...]}`.
 *
 * Threads: loading on non-RT threads; a loaded gesture is read-only.
 */
#ifndef TERRAIND_GESTURE_H
#define TERRAIND_GESTURE_H

#include <stddef.h>

enum { GESTURE_MAX_DIM = 8, GESTURE_MAX_POINTS = 1000000 };

typedef struct gesture_point {
	double time;
	float coord[GESTURE_MAX_DIM];
} gesture_point;

typedef struct gesture {
	int control_dim;
	size_t n_points;
	gesture_point *points;
	/* the engine's list of gestures waiting to be freed (render thread only):
	 * intrusive, so that retiring one never allocates and never drops it */
	struct gesture *retired_next;
} gesture;

int gesture_from_json(const char *text, const char *source, gesture **out, char *err, size_t errlen);
int gesture_load(const char *path, gesture **out, char *err, size_t errlen);
void gesture_free(gesture *g);

/* Duration: the last point's time. */
double gesture_duration(const gesture *g);

/* The position at time t: linear between the points around t (two points
 * with the same time make a jump), the first point before it, the last
 * after it. `hint` (start at 0) remembers where the previous lookup ended,
 * so a player walking forward does O(1) work per call. RT-safe. */
void gesture_position(const gesture *g, double t, size_t *hint, float *coord);

#endif
