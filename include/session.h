/*
 * session — the files of the looper and of a performance: a loop's take as
 * JSON (a gesture file with its period, docs/gesture-format.md), a session
 * (stored points, loops, tempo, the voices' mix: docs/session-format.md),
 * and the names and ranges of the loop settings that /loop/N/set and
 * session files share.
 *
 * Pure conversions between JSON text and values: no engine, no files, no
 * sockets (osc_looper.c reads and writes the confined files and applies
 * what was read), so every check is unit-tested on text.
 *
 * Threads: any non-RT thread (they allocate).
 */
#ifndef TERRAIND_SESSION_H
#define TERRAIND_SESSION_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "gesture.h"
#include "looper.h"
#include "terrain.h"

enum { SESSION_POINTS = 128, SESSION_MAX_VOICES = LOOPER_MAX_VOICES };

/* ---- loop settings by name ---------------------------------------------- */

/* The key called `name` ("rate", "quantize"...); -1 when there is none. */
int loop_setting_find(const char *name, loop_key *key);
const char *loop_setting_name(loop_key key);
/* Every key's name, for an error: "rate, reverse, ... mode or voice". */
void loop_setting_names(char *out, size_t n);
/* A word setting's value as its word ("beat"); NULL for a number setting. */
const char *loop_setting_word(loop_key key, double value);
/* Checks a value for `key` of settings `s` (a number, or for quantize and
 * mode a word): 0 and *out, or -1 and the reason ("rate is a number from
 * 0.05 to 20"). Voices are 0 .. max_voices-1; start stays below end. */
int loop_setting_check(const loop_settings *s, loop_key key, double number, const char *word, int max_voices,
                       double *out, char *why, size_t whylen);

/* ---- takes ------------------------------------------------------------------ */

/* {"length": L, "points": [[t, x, y], ...]} (with "format" and "version":
 * a gesture file). */
cJSON *session_take_to_json(const gesture *g, double length);
/* A take from a gesture object or array: its points (2 to
 * LOOPER_MAX_FRAMES), its period ("length", else the last point's time).
 * `source` names it in errors. */
int session_take_from_json(const cJSON *obj, const char *source, gesture **out, double *length, char *why,
                           size_t whylen);
/* A loop's exported take as a gesture (NULL: out of memory). */
gesture *session_gesture_of(const loop_export *x);

/* ---- sessions ----------------------------------------------------------- */

typedef struct stored_point {
	int dim; /* 0: empty */
	float coord[TERRAIN_MAX_CONTROL_DIM];
} stored_point;

typedef struct session_loop {
	gesture *take; /* NULL: the loop is empty (a loaded session clears it) */
	double length;
	int stopped;
	loop_settings settings;
} session_loop;

typedef struct session {
	double bpm;
	int meter;
	stored_point points[SESSION_POINTS];
	int n_voices;
	float gain[SESSION_MAX_VOICES], pan[SESSION_MAX_VOICES];
	session_loop loops[LOOPER_LOOPS];
} session;

/* An empty session for max_voices voices (loops on their default voices);
 * NULL when out of memory. session_free frees the takes too. */
session *session_new(int max_voices);
void session_free(session *s);

/* The whole session as JSON text (the caller frees it), NULL when out of memory. */
char *session_to_json(const session *s);
/* Reads and checks a whole session (voices 0 .. max_voices-1) into s, a
 * session_new(); -1 and the reason on the first error. */
int session_from_json(const char *text, int max_voices, session *s, char *why, size_t whylen);

#endif
