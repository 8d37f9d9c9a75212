/*
 * session.c — loop takes and sessions as JSON (see session.h).
 */
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "json_util.h"

/* ---- loop settings by name -------------------------------------------------- */

typedef struct setting_spec {
	const char *name;
	double min, max;
	const char *const *words; /* a word setting: its values, the index is the value */
} setting_spec;

static const char *const quantize_words[] = {"off", "beat", "bar", NULL};
static const char *const mode_words[] = {"control", "latent", NULL};

/* Indexed by loop_key. */
static const setting_spec settings_table[LOOP_KEYS] = {
    [LOOP_KEY_RATE] = {"rate", 0.05, 20, NULL},
    [LOOP_KEY_REVERSE] = {"reverse", 0, 1, NULL},
    [LOOP_KEY_START] = {"start", 0, 1, NULL},
    [LOOP_KEY_END] = {"end", 0, 1, NULL},
    [LOOP_KEY_OFFSET_X] = {"offset_x", -100, 100, NULL},
    [LOOP_KEY_OFFSET_Y] = {"offset_y", -100, 100, NULL},
    [LOOP_KEY_SCALE] = {"scale", 0.01, 100, NULL},
    [LOOP_KEY_ROTATE] = {"rotate", -3600, 3600, NULL},
    [LOOP_KEY_GAIN] = {"gain", 0, 4, NULL},
    [LOOP_KEY_QUANTIZE] = {"quantize", 0, 2, quantize_words},
    [LOOP_KEY_MODE] = {"mode", 0, 1, mode_words},
    [LOOP_KEY_VOICE] = {"voice", 0, LOOPER_MAX_VOICES - 1, NULL},
};

int loop_setting_find(const char *name, loop_key *key)
{
	for (int i = 0; i < LOOP_KEYS; i++)
		if (name && strcmp(settings_table[i].name, name) == 0) {
			*key = (loop_key)i;
			return 0;
		}
	return -1;
}

const char *loop_setting_name(loop_key key)
{
	return settings_table[key].name;
}

void loop_setting_names(char *out, size_t n)
{
	size_t used = 0;
	out[0] = '\0';
	for (int i = 0; i < LOOP_KEYS && used < n; i++) {
		const char *joint = i == 0 ? "" : i == LOOP_KEYS - 1 ? " or " : ", ";
		int w = snprintf(out + used, n - used, "%s%s", joint, settings_table[i].name);
		used += w > 0 ? (size_t)w : 0;
	}
}

const char *loop_setting_word(loop_key key, double value)
{
	const char *const *words = settings_table[key].words;
	return words ? words[(int)value] : NULL;
}

int loop_setting_check(const loop_settings *s, loop_key key, double number, const char *word, int max_voices,
                       double *out, char *why, size_t whylen)
{
	const setting_spec *spec = &settings_table[key];
	if (spec->words) {
		for (int i = 0; word && spec->words[i]; i++)
			if (strcmp(word, spec->words[i]) == 0) {
				*out = i;
				return 0;
			}
		return error_set(why, whylen, "%s is %s", spec->name,
		                 spec->words == quantize_words ? "off, beat or bar" : "control or latent");
	}
	double max = key == LOOP_KEY_VOICE ? max_voices - 1 : spec->max;
	if (word || !(number >= spec->min && number <= max))
		return error_set(why, whylen, "%s is a number from %g to %g", spec->name, spec->min, max);
	if (key == LOOP_KEY_REVERSE && number != 0 && number != 1)
		return error_set(why, whylen, "reverse is 0 or 1");
	if ((key == LOOP_KEY_START && number >= s->end) || (key == LOOP_KEY_END && number <= s->start))
		return error_set(why, whylen, "start (%g) must stay below end (%g)",
		                 key == LOOP_KEY_START ? number : s->start, key == LOOP_KEY_END ? number : s->end);
	*out = number;
	return 0;
}

static cJSON *settings_to_json(const loop_settings *s)
{
	cJSON *obj = cJSON_CreateObject();
	for (int k = 0; k < LOOP_KEYS; k++) {
		double v = looper_setting(s, (loop_key)k);
		const char *word = loop_setting_word((loop_key)k, v);
		if (word)
			cJSON_AddStringToObject(obj, settings_table[k].name, word);
		else
			cJSON_AddItemToObject(obj, settings_table[k].name, json_float((float)v));
	}
	return obj;
}

static int settings_from_json(const cJSON *obj, int max_voices, loop_settings *s, char *why, size_t whylen)
{
	if (!cJSON_IsObject(obj))
		return error_set(why, whylen, "'settings' must be an object");
	const cJSON *item;
	cJSON_ArrayForEach(item, obj)
	{
		loop_key key;
		double value;
		if (loop_setting_find(item->string, &key) < 0)
			return error_set(why, whylen, "unknown setting '%s'", item->string);
		if (!cJSON_IsNumber(item) && !cJSON_IsString(item))
			return error_set(why, whylen, "setting '%s' must be a number or a word", item->string);
		if (loop_setting_check(s, key, cJSON_IsNumber(item) ? item->valuedouble : 0,
		                       cJSON_IsString(item) ? item->valuestring : NULL, max_voices, &value, why,
		                       whylen) < 0)
			return -1;
		looper_apply_setting(s, key, value);
	}
	return 0;
}

/* ---- takes ------------------------------------------------------------------ */

cJSON *session_take_to_json(const gesture *g, double length)
{
	cJSON *root = cJSON_CreateObject(), *points = cJSON_CreateArray();
	cJSON_AddStringToObject(root, "format", "terraind-gesture");
	cJSON_AddNumberToObject(root, "version", 1);
	cJSON_AddItemToObject(root, "length", json_float((float)length));
	for (size_t i = 0; i < g->n_points; i++) {
		float p[GESTURE_MAX_DIM + 1];
		p[0] = (float)g->points[i].time;
		memcpy(p + 1, g->points[i].coord, sizeof(float) * (size_t)g->control_dim);
		cJSON_AddItemToArray(points, json_float_array(p, g->control_dim + 1));
	}
	cJSON_AddItemToObject(root, "points", points);
	return root;
}

gesture *session_gesture_of(const loop_export *x)
{
	gesture *g = calloc(1, sizeof *g);
	if (g)
		g->points = calloc((size_t)x->frames, sizeof *g->points);
	if (!g || !g->points) {
		gesture_free(g);
		return NULL;
	}
	g->control_dim = x->dim;
	g->n_points = (size_t)x->frames;
	for (int i = 0; i < x->frames; i++) {
		g->points[i].time = x->time[i];
		memcpy(g->points[i].coord, x->coord[i], sizeof(float) * (size_t)x->dim);
	}
	return g;
}

int session_take_from_json(const cJSON *obj, const char *source, gesture **out, double *length, char *why,
                           size_t whylen)
{
	*out = NULL;
	char *text = cJSON_PrintUnformatted(obj);
	if (!text)
		return error_set(why, whylen, "out of memory");
	gesture *g;
	int rc = gesture_from_json(text, source, &g, why, whylen);
	free(text);
	if (rc < 0)
		return -1;
	const cJSON *len = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, "length") : NULL;
	*length = gesture_duration(g);
	if (len && (!cJSON_IsNumber(len) || !(len->valuedouble >= *length) || len->valuedouble > 1e6))
		rc = error_set(why, whylen, "%s: 'length' must be a number of seconds, at least the last point's time",
		               source);
	else if (len)
		*length = len->valuedouble;
	if (rc == 0 && (g->n_points < 2 || g->n_points > LOOPER_MAX_FRAMES || !(*length > 0)))
		rc = error_set(why, whylen,
		               "%s: a loop has 2 to %d points and lasts more than 0 s (this one: %zu, %g s)", source,
		               LOOPER_MAX_FRAMES, g->n_points, *length);
	if (rc < 0) {
		gesture_free(g);
		return -1;
	}
	*out = g;
	return 0;
}

/* ---- sessions ------------------------------------------------------------------ */

session *session_new(int max_voices)
{
	session *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->bpm = 120;
	s->meter = 4;
	for (int v = 0; v < SESSION_MAX_VOICES; v++)
		s->gain[v] = 1.0f;
	for (int n = 0; n < LOOPER_LOOPS; n++)
		s->loops[n].settings = looper_default_settings(looper_default_voice(n, max_voices));
	return s;
}

void session_free(session *s)
{
	if (!s)
		return;
	for (int n = 0; n < LOOPER_LOOPS; n++)
		gesture_free(s->loops[n].take);
	free(s);
}

static cJSON *points_to_json(const session *s)
{
	cJSON *points = cJSON_CreateArray();
	for (int k = 0; k < SESSION_POINTS; k++)
		if (s->points[k].dim > 0) {
			cJSON *p = cJSON_CreateObject();
			cJSON_AddNumberToObject(p, "point", k);
			cJSON_AddItemToObject(p, "coord", json_float_array(s->points[k].coord, s->points[k].dim));
			cJSON_AddItemToArray(points, p);
		}
	return points;
}

static cJSON *voices_to_json(const session *s)
{
	cJSON *voices = cJSON_CreateArray();
	for (int v = 0; v < s->n_voices; v++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "voice", v);
		cJSON_AddItemToObject(o, "gain", json_float(s->gain[v]));
		cJSON_AddItemToObject(o, "pan", json_float(s->pan[v]));
		cJSON_AddItemToArray(voices, o);
	}
	return voices;
}

static cJSON *loops_to_json(const session *s)
{
	cJSON *loops = cJSON_CreateArray();
	for (int n = 0; n < LOOPER_LOOPS; n++) {
		const session_loop *l = &s->loops[n];
		if (!l->take)
			continue;
		cJSON *loop = session_take_to_json(l->take, l->length);
		cJSON_DeleteItemFromObject(loop, "format");
		cJSON_DeleteItemFromObject(loop, "version");
		cJSON_AddNumberToObject(loop, "loop", n);
		cJSON_AddStringToObject(loop, "state", l->stopped ? "stopped" : "playing");
		cJSON_AddItemToObject(loop, "settings", settings_to_json(&l->settings));
		cJSON_AddItemToArray(loops, loop);
	}
	return loops;
}

char *session_to_json(const session *s)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "format", "terraind-session");
	cJSON_AddNumberToObject(root, "version", 1);
	cJSON_AddNumberToObject(root, "tempo", s->bpm);
	cJSON_AddNumberToObject(root, "meter", s->meter);
	cJSON_AddItemToObject(root, "points", points_to_json(s));
	cJSON_AddItemToObject(root, "voices", voices_to_json(s));
	cJSON_AddItemToObject(root, "loops", loops_to_json(s));
	char *text = cJSON_Print(root);
	cJSON_Delete(root);
	return text;
}

static int points_from_json(const cJSON *points, session *s, char *why, size_t whylen)
{
	const cJSON *p;
	cJSON_ArrayForEach(p, points)
	{
		int k;
		const cJSON *coord = cJSON_GetObjectItemCaseSensitive(p, "coord");
		int dim = cJSON_IsArray(coord) ? cJSON_GetArraySize(coord) : 0;
		if (json_get_int(p, "point", 0, SESSION_POINTS - 1, &k, why, whylen) < 0)
			return -1;
		if (dim < 1 || dim > TERRAIN_MAX_CONTROL_DIM)
			return error_set(why, whylen, "point %d: 'coord' must be an array of 1 to %d numbers", k,
			                 TERRAIN_MAX_CONTROL_DIM);
		if (json_read_floats(coord, dim, s->points[k].coord, "coord", why, whylen) < 0)
			return -1;
		s->points[k].dim = dim;
	}
	return 0;
}

static int voices_from_json(const cJSON *voices, int max_voices, session *s, char *why, size_t whylen)
{
	const cJSON *v;
	cJSON_ArrayForEach(v, voices)
	{
		int n;
		double gain, pan;
		if (json_get_int(v, "voice", 0, max_voices - 1, &n, why, whylen) < 0 ||
		    json_get_number(v, "gain", &gain, why, whylen) < 0 ||
		    json_get_number(v, "pan", &pan, why, whylen) < 0)
			return -1;
		if (gain < 0 || gain > 4 || pan < -1 || pan > 1)
			return error_set(why, whylen, "voice %d: gain is 0 to 4 and pan -1 to 1", n);
		s->gain[n] = (float)gain;
		s->pan[n] = (float)pan;
		if (n + 1 > s->n_voices)
			s->n_voices = n + 1;
	}
	return 0;
}

static int loops_from_json(const cJSON *loops, int max_voices, session *s, char *why, size_t whylen)
{
	const cJSON *obj;
	cJSON_ArrayForEach(obj, loops)
	{
		int n;
		char source[32], reason[400];
		if (json_get_int(obj, "loop", 0, LOOPER_LOOPS - 1, &n, why, whylen) < 0)
			return -1;
		session_loop *l = &s->loops[n];
		if (l->take)
			return error_set(why, whylen, "loop %d appears twice", n);
		snprintf(source, sizeof source, "loop %d", n);
		const cJSON *state = cJSON_GetObjectItemCaseSensitive(obj, "state");
		l->stopped = cJSON_IsString(state) && strcmp(state->valuestring, "stopped") == 0;
		if (session_take_from_json(obj, source, &l->take, &l->length, why, whylen) < 0)
			return -1;
		const cJSON *settings = cJSON_GetObjectItemCaseSensitive(obj, "settings");
		if (settings && settings_from_json(settings, max_voices, &l->settings, reason, sizeof reason) < 0)
			return error_set(why, whylen, "loop %d: %s", n, reason);
	}
	return 0;
}

int session_from_json(const char *text, int max_voices, session *s, char *why, size_t whylen)
{
	cJSON *root = json_parse(text, why, whylen);
	if (!root)
		return -1;
	const cJSON *format = cJSON_GetObjectItemCaseSensitive(root, "format");
	const cJSON *points = cJSON_GetObjectItemCaseSensitive(root, "points");
	const cJSON *voices = cJSON_GetObjectItemCaseSensitive(root, "voices");
	const cJSON *loops = cJSON_GetObjectItemCaseSensitive(root, "loops");
	int rc = -1;
	if (!cJSON_IsString(format) || strcmp(format->valuestring, "terraind-session") != 0)
		error_set(why, whylen, "'format' must be \"terraind-session\"");
	else if (json_get_number(root, "tempo", &s->bpm, why, whylen) < 0 ||
	         json_get_int(root, "meter", 1, 32, &s->meter, why, whylen) < 0)
		rc = -1;
	else if (s->bpm < 20 || s->bpm > 999)
		error_set(why, whylen, "'tempo' must be 20 to 999 beats per minute");
	else if ((points && !cJSON_IsArray(points)) || (voices && !cJSON_IsArray(voices)) ||
	         (loops && !cJSON_IsArray(loops)))
		error_set(why, whylen, "'points', 'voices' and 'loops' must be arrays");
	else if (points_from_json(points, s, why, whylen) == 0 &&
	         voices_from_json(voices, max_voices, s, why, whylen) == 0 &&
	         loops_from_json(loops, max_voices, s, why, whylen) == 0)
		rc = 0;
	cJSON_Delete(root);
	return rc;
}
