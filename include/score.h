/*
 * score — OSC scores: a JSON array of timed OSC messages,
 *
 *   [[t_seconds, "/address", arg, ...], ...]
 *
 * read into serialised OSC messages that `terraind render --score` plays
 * through the live dispatcher (osc.c) in virtual time, as scsynth's
 * non-real-time mode plays an OSC score (docs/score-format.md).
 *
 * Arguments: a whole number within int32 becomes an OSC int ('i'), any
 * other number a float ('f'), a string 's', true/false 'T'/'F', null 'N'.
 * Times are seconds from the start, not negative, in ascending order
 * (equal times keep their order). Every error names the file, the line and
 * the entry (counted from 0): "s.json:7: entry 5: ...".
 *
 * Threads: any non-RT thread (it allocates).
 */
#ifndef TERRAIND_SCORE_H
#define TERRAIND_SCORE_H

#include <stddef.h>

enum {
	SCORE_MAX_BYTES = 64 << 20, /* the largest score file read */
	SCORE_MAX_SECONDS = 24 * 3600,
};

typedef struct score_event {
	double time;   /* seconds from the start */
	int index;     /* its position in the array, from 0 */
	int line;      /* the line of the file where it starts, from 1 */
	char *address; /* "/xy" */
	void *packet;  /* the serialised OSC message */
	size_t size;   /* its bytes */
} score_event;

typedef struct score {
	score_event *events;
	int n_events;
	char source[256]; /* the file's name, for messages */
} score;

/* Parses a score's text; `source` names it in errors. On failure *out is
 * empty (score_free is still safe). */
int score_parse(const char *text, const char *source, score *out, char *err, size_t errlen);
int score_load(const char *path, score *out, char *err, size_t errlen);
void score_free(score *s);

/* The time of the last event (0 for an empty score). */
double score_end(const score *s);

/* "s.json:7: entry 5 (/xy at 1.5 s)": where an event is, for messages. */
void score_event_where(const score *s, const score_event *ev, char *out, size_t len);

#endif
