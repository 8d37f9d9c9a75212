/*
 * score.c — reading OSC scores (include/score.h).
 *
 * cJSON keeps no positions, so the line of each entry is found by a small
 * scan of the text for the starts of the top-level array's elements
 * (outside strings); errors can then say where to look.
 */
#include "score.h"

#include "error.h"
#include "json_util.h"

#include <lo/lo.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The line (from 1) where each element of the top-level array starts;
 * returns how many were found (at most max). */
static int element_lines(const char *text, int *lines, int max)
{
	int depth = 0, line = 1, n = 0, in_string = 0, escaped = 0, expecting = 0;
	for (const char *p = text; *p; p++) {
		char ch = *p;
		if (ch == '\n')
			line++;
		if (in_string) {
			if (escaped)
				escaped = 0;
			else if (ch == '\\')
				escaped = 1;
			else if (ch == '"')
				in_string = 0;
			continue;
		}
		if (depth == 1 && expecting && ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n' && ch != ']') {
			if (n < max)
				lines[n] = line;
			n++;
			expecting = 0;
		}
		if (ch == '"')
			in_string = 1;
		else if (ch == '[' || ch == '{')
			expecting = ++depth == 1;
		else if (ch == ']' || ch == '}')
			depth--;
		else if (ch == ',' && depth == 1)
			expecting = 1;
	}
	return n < max ? n : max;
}

static int entry_error(const char *source, int line, int index, char *err, size_t errlen, const char *what)
{
	return error_set(err, errlen, "%s:%d: entry %d: %s", source, line, index, what);
}

/* One argument onto the message; -1 with a reason for what OSC cannot carry. */
static int add_argument(lo_message m, const cJSON *arg, char *why, size_t whylen)
{
	if (cJSON_IsNumber(arg)) {
		double v = arg->valuedouble;
		if (v == floor(v) && fabs(v) <= INT32_MAX)
			lo_message_add_int32(m, (int32_t)v);
		else
			lo_message_add_float(m, (float)v);
	} else if (cJSON_IsString(arg)) {
		lo_message_add_string(m, arg->valuestring);
	} else if (cJSON_IsTrue(arg)) {
		lo_message_add_true(m);
	} else if (cJSON_IsFalse(arg)) {
		lo_message_add_false(m);
	} else if (cJSON_IsNull(arg)) {
		lo_message_add_nil(m);
	} else {
		return error_set(why, whylen,
		                 "an argument is an %s; arguments are numbers, strings, true, false or null",
		                 cJSON_IsArray(arg) ? "array" : "object");
	}
	return 0;
}

/* One entry [t, "/address", args...] into ev; `previous` is the time of
 * the entry before (times ascend). */
static int read_entry(const cJSON *entry, double previous, score_event *ev, char *why, size_t whylen)
{
	const cJSON *t = cJSON_GetArrayItem(entry, 0), *address = cJSON_GetArrayItem(entry, 1);
	if (!cJSON_IsArray(entry) || !t || !address)
		return error_set(why, whylen, "expected [time, \"/address\", arguments...]");
	if (!cJSON_IsNumber(t) || !isfinite(t->valuedouble) || t->valuedouble < 0 || t->valuedouble > SCORE_MAX_SECONDS)
		return error_set(why, whylen, "the time must be a number of seconds from 0 to %d", SCORE_MAX_SECONDS);
	if (t->valuedouble < previous)
		return error_set(why, whylen, "at %g s, before the entry before it (%g s): times must ascend",
		                 t->valuedouble, previous);
	if (!cJSON_IsString(address) || address->valuestring[0] != '/')
		return error_set(why, whylen, "the second element must be an OSC address (a string starting with /)");
	lo_message m = lo_message_new();
	if (!m)
		return error_set(why, whylen, "out of memory");
	int rc = 0;
	for (const cJSON *arg = address->next; arg && rc == 0; arg = arg->next)
		rc = add_argument(m, arg, why, whylen);
	if (rc == 0) {
		ev->time = t->valuedouble;
		ev->address = strdup(address->valuestring);
		ev->packet = lo_message_serialise(m, address->valuestring, NULL, &ev->size);
		if (!ev->address || !ev->packet)
			rc = error_set(why, whylen, "out of memory");
	}
	lo_message_free(m);
	return rc;
}

int score_parse(const char *text, const char *source, score *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	snprintf(out->source, sizeof out->source, "%s", source);
	char why[512];
	cJSON *root = json_parse(text, why, sizeof why);
	if (!root)
		return error_set(err, errlen, "%s: %s", source, why);
	int rc = 0;
	int n = cJSON_GetArraySize(root);
	int *lines = n > 0 ? calloc((size_t)n, sizeof(int)) : NULL;
	out->events = n > 0 ? calloc((size_t)n, sizeof(score_event)) : NULL;
	if (!cJSON_IsArray(root))
		rc =
		    error_set(err, errlen, "%s: a score is a JSON array of [time, \"/address\", arguments...]", source);
	else if (n > 0 && (!lines || !out->events))
		rc = error_set(err, errlen, "%s: out of memory", source);
	else
		element_lines(text, lines, n);
	double previous = 0;
	const cJSON *entry = root->child;
	for (int i = 0; rc == 0 && i < n; i++, entry = entry->next) {
		score_event *ev = &out->events[i];
		ev->index = i;
		ev->line = lines[i];
		if (read_entry(entry, previous, ev, why, sizeof why) < 0)
			rc = entry_error(source, ev->line, i, err, errlen, why);
		out->n_events = i + 1;
		previous = ev->time;
	}
	free(lines);
	cJSON_Delete(root);
	if (rc < 0)
		score_free(out);
	return rc;
}

int score_load(const char *path, score *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	char *text;
	if (json_read_file(path, SCORE_MAX_BYTES, &text, err, errlen) < 0)
		return -1;
	int rc = score_parse(text, path, out, err, errlen);
	cJSON_free(text);
	return rc;
}

void score_free(score *s)
{
	for (int i = 0; i < s->n_events; i++) {
		free(s->events[i].address);
		free(s->events[i].packet);
	}
	free(s->events);
	s->events = NULL;
	s->n_events = 0;
}

double score_end(const score *s)
{
	return s->n_events > 0 ? s->events[s->n_events - 1].time : 0.0;
}

void score_event_where(const score *s, const score_event *ev, char *out, size_t len)
{
	snprintf(out, len, "%s:%d: entry %d (%s at %g s)", s->source, ev->line, ev->index, ev->address, ev->time);
}
