/*
 * midi_config.c — the `midi` section and MIDI mappings (midi_config.h).
 *
 * A mapping's keys are read through a table, one reader per key, so that
 * an unknown key is an error naming it and each key's check sits in one
 * place; what depends on several keys (a start only notes have, a path
 * only loads take) is checked once all are read.
 */
#include "midi_config.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "json_util.h"
#include "looper.h"
#include "midi_parse.h"
#include "session.h"

enum { MIDI_MAX_VOICE = 31 }; /* ENGINE_MAX_VOICES - 1 */

static const char *const source_names[] = {"note", "cc", "bend", "pressure", "poly_pressure", "program"};
static const char *const target_names[] = {"voice", "x",    "y",     "pressure",   "gain",        "sustain",
                                           "grain", "loop", "point", "load_model", "load_terrain"};
static const char *const start_names[] = {"line", "point", "cursor"};
static const char *const grain_settings[] = {"position", "size", "density", "spray", "freeze",
                                             "gain",     "on",   "off",     NULL};
static const char *const loop_commands[] = {"record", "overdub", "play", "stop", "undo", "redo", "clear", NULL};

const char *midi_target_name(midi_target t)
{
	return target_names[t];
}

static int name_index(const char *const *names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

static int listed(const char *const *names, const char *name)
{
	for (const char *const *n = names; *n; n++)
		if (strcmp(*n, name) == 0)
			return 1;
	return 0;
}

void midi_config_defaults(midi_config *m)
{
	memset(m, 0, sizeof *m);
	m->backend = MIDI_BACKEND_AUTO;
	m->voice_first = m->voice_last = -1;
	m->defaults = 1;
}

/* ---- sources: "note 36-51", "cc 74", "bend" ... ------------------------------ */

/* Controllers 120 to 127, for the refusal of a mapping of one that ends notes. */
static const char *const channel_mode_names[] = {
    "All Sound Off", "Reset All Controllers", "Local Control", "All Notes Off", "Omni Off", "Omni On", "Mono On",
    "Poly On"};

/* "N" or "N-M" (0..127, N <= M) at s; -1 if it is neither. */
static int read_numbers(const char *s, int *lo, int *hi)
{
	char *end;
	long a = strtol(s, &end, 10), b = a;
	if (end == s || !isdigit((unsigned char)*s))
		return -1;
	if (*end == '-') {
		const char *second = end + 1;
		b = strtol(second, &end, 10);
		if (end == second || !isdigit((unsigned char)*second))
			return -1;
	}
	if (*end || a < 0 || b > 127 || a > b)
		return -1;
	*lo = (int)a, *hi = (int)b;
	return 0;
}

static int parse_source(const char *text, midi_mapping *m, char *err, size_t errlen)
{
	char word[24];
	size_t n = strcspn(text, " ");
	const char *rest = text + n + strspn(text + n, " ");
	if (n >= sizeof word)
		n = sizeof word - 1;
	memcpy(word, text, n);
	word[n] = '\0';
	int s = name_index(source_names, (int)(sizeof source_names / sizeof *source_names), word);
	if (s < 0)
		return error_set(err, errlen,
		                 "'midi' is \"%.40s\"; expected note, note K, note K1-K2, cc N, bend, pressure, "
		                 "poly_pressure or program",
		                 text);
	m->source = (midi_source)s;
	m->lo = 0, m->hi = 127;
	int numbered = m->source == MIDI_SRC_NOTE || m->source == MIDI_SRC_CC || m->source == MIDI_SRC_PROGRAM;
	if (!*rest)
		return m->source == MIDI_SRC_CC
		           ? error_set(err, errlen, "'midi': \"cc\" needs a controller number (cc 74)")
		           : 0;
	if (!numbered || read_numbers(rest, &m->lo, &m->hi) < 0 || (m->source == MIDI_SRC_CC && m->lo != m->hi))
		return error_set(err, errlen, "'midi': \"%.40s\": %s", text,
		                 !numbered                  ? "this source takes no number"
		                 : m->source == MIDI_SRC_CC ? "expected one controller number, 0 to 127"
		                                            : "expected a number or a range N-M, 0 to 127");
	if (m->source == MIDI_SRC_CC && midi_cc_ends_notes(m->lo))
		return error_set(err, errlen,
		                 "'midi': \"%.40s\" is a channel mode message (%s), which ends notes whatever the "
		                 "mappings say; map another controller",
		                 text, channel_mode_names[m->lo - MIDI_CC_ALL_SOUND_OFF]);
	return 0;
}

void midi_mapping_source_text(const midi_mapping *m, char *out, size_t len)
{
	const char *name = source_names[m->source];
	if (m->source == MIDI_SRC_CC)
		snprintf(out, len, "cc %d", m->lo);
	else if ((m->source == MIDI_SRC_NOTE || m->source == MIDI_SRC_PROGRAM) && (m->lo > 0 || m->hi < 127))
		snprintf(out, len, m->lo == m->hi ? "%s %d" : "%s %d-%d", name, m->lo, m->hi);
	else
		snprintf(out, len, "%s", name);
}

/* ---- a mapping's keys, one reader each ------------------------------------------ */

/* One key of an object: its reader fills what `into` points to. */
typedef struct key_reader {
	const char *key;
	int (*read)(void *into, const cJSON *v, char *err, size_t errlen);
} key_reader;

/* Each member of `obj` through its reader in `table` (n of them); a
 * member not there is an error naming it after `prefix`. */
static int read_members(const cJSON *obj, const key_reader *table, size_t n, void *into, const char *prefix, char *err,
                        size_t errlen)
{
	const cJSON *item;
	cJSON_ArrayForEach(item, obj)
	{
		size_t k = 0;
		while (k < n && strcmp(item->string, table[k].key) != 0)
			k++;
		if (k == n)
			return error_set(err, errlen, "unknown key '%s%.40s'", prefix, item->string);
		if (table[k].read(into, item, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int float_in(const cJSON *v, const char *key, double min, double max, float *out, char *err, size_t errlen)
{
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= min && v->valuedouble <= max))
		return error_set(err, errlen, "'%s' must be a number from %g to %g", key, min, max);
	*out = (float)v->valuedouble;
	return 0;
}

static int whole_in(const cJSON *v, const char *key, int min, int max, int *out, char *err, size_t errlen)
{
	float f = 0;
	if (float_in(v, key, min, max, &f, err, errlen) < 0 || f != floorf(f))
		return error_set(err, errlen, "'%s' must be a whole number from %d to %d", key, min, max);
	*out = (int)f;
	return 0;
}

static int bool_in(const cJSON *v, const char *key, int *out, char *err, size_t errlen)
{
	if (!cJSON_IsBool(v))
		return error_set(err, errlen, "'%s' must be true or false", key);
	*out = cJSON_IsTrue(v);
	return 0;
}

static int pair(const cJSON *v, const char *key, float *lo, float *hi, char *err, size_t errlen)
{
	float p[2];
	if (json_read_floats(v, 2, p, key, err, errlen) < 0)
		return -1;
	if (!(p[0] != p[1]))
		return error_set(err, errlen, "'%s' is empty (its two ends are equal)", key);
	*lo = p[0], *hi = p[1];
	return 0;
}

static int read_channel(void *into, const cJSON *v, char *err, size_t errlen)
{
	midi_mapping *m = into;
	return whole_in(v, "channel", 1, 16, &m->channel, err, errlen);
}

static int read_voice(void *into, const cJSON *v, char *err, size_t errlen)
{
	midi_mapping *m = into;
	if (cJSON_IsString(v) && strcmp(v->valuestring, "notes") == 0)
		m->voice = MIDI_VOICE_NOTES;
	else if (cJSON_IsString(v) && strcmp(v->valuestring, "output") == 0 && m->to == MIDI_TO_GAIN)
		m->voice = MIDI_VOICE_OUTPUT;
	else if (cJSON_IsString(v) || whole_in(v, "voice", 0, MIDI_MAX_VOICE, &m->voice, err, errlen) < 0)
		return error_set(err, errlen, "'voice' must be a voice number (0 to %d), \"notes\"%s", MIDI_MAX_VOICE,
		                 m->to == MIDI_TO_GAIN ? " or \"output\"" : "");
	return 0;
}

static int read_range(void *into, const cJSON *v, char *err, size_t errlen)
{
	midi_mapping *m = into;
	return pair(v, "range", &m->in_min, &m->in_max, err, errlen);
}

static int read_out(void *into, const cJSON *v, char *err, size_t errlen)
{
	midi_mapping *m = into;
	return pair(v, "out", &m->out_min, &m->out_max, err, errlen);
}

static int read_invert(void *into, const cJSON *v, char *err, size_t errlen)
{
	midi_mapping *m = into;
	return bool_in(v, "invert", &m->invert, err, errlen);
}

static int read_pitch(void *into, const cJSON *v, char *err, size_t errlen)
{
	midi_mapping *m = into;
	return bool_in(v, "pitch", &m->pitch, err, errlen);
}

static int read_curve(void *into, const cJSON *v, char *err, size_t errlen)
{
	midi_mapping *m = into;
	return float_in(v, "curve", 0.1, 10, &m->curve, err, errlen);
}

static int read_start(void *into, const cJSON *v, char *err, size_t errlen)
{
	midi_mapping *m = into;
	int s = cJSON_IsString(v) ? name_index(start_names, 3, v->valuestring) : -1;
	if (s < 0)
		return error_set(err, errlen, "'start' must be \"line\", \"point\" or \"cursor\"");
	m->start = (midi_start)s;
	return 0;
}

static int read_line(void *into, const cJSON *v, char *err, size_t errlen)
{
	midi_mapping *m = into;
	if (json_read_floats(v, 4, m->line, "line", err, errlen) < 0)
		return -1;
	for (int i = 0; i < 4; i++)
		if (m->line[i] < 0 || m->line[i] > 1)
			return error_set(err, errlen,
			                 "'line' is x0 y0 x1 y1 as fractions of the terrain's bounds, 0 to 1");
	return 0;
}

static int read_keys(void *into, const cJSON *v, char *err, size_t errlen)
{
	midi_mapping *m = into;
	float lo = 0, hi = 0;
	if (pair(v, "keys", &lo, &hi, err, errlen) < 0)
		return -1;
	if (lo < 0 || hi > 127 || lo > hi || lo != floorf(lo) || hi != floorf(hi))
		return error_set(err, errlen, "'keys' must be two keys, 0 to 127, the lower first");
	m->keys_lo = (int)lo, m->keys_hi = (int)hi;
	return 0;
}

static int read_point(void *into, const cJSON *v, char *err, size_t errlen)
{
	midi_mapping *m = into;
	return whole_in(v, "point", 0, SESSION_POINTS - 1, &m->point, err, errlen);
}

static int read_glide(void *into, const cJSON *v, char *err, size_t errlen)
{
	midi_mapping *m = into;
	return float_in(v, "glide_ms", 0, 60000, &m->glide_ms, err, errlen);
}

static int read_loop(void *into, const cJSON *v, char *err, size_t errlen)
{
	midi_mapping *m = into;
	return whole_in(v, "loop", 0, LOOPER_LOOPS - 1, &m->loop, err, errlen);
}

static int read_word(const cJSON *v, const char *key, const char *const *allowed, midi_mapping *m, char *err,
                     size_t errlen)
{
	if (!cJSON_IsString(v) || !listed(allowed, v->valuestring)) {
		char list[160] = "";
		for (const char *const *a = allowed; *a; a++)
			snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", a == allowed ? "" : ", ", *a);
		return error_set(err, errlen, "'%s' must be one of %s", key, list);
	}
	snprintf(m->word, sizeof m->word, "%s", v->valuestring);
	return 0;
}

static int read_command(void *into, const cJSON *v, char *err, size_t errlen)
{
	midi_mapping *m = into;
	return read_word(v, "command", loop_commands, m, err, errlen);
}

static int read_setting(void *into, const cJSON *v, char *err, size_t errlen)
{
	midi_mapping *m = into;
	return read_word(v, "setting", grain_settings, m, err, errlen);
}

static int read_path(void *into, const cJSON *v, char *err, size_t errlen)
{
	midi_mapping *m = into;
	if (!cJSON_IsString(v) || !*v->valuestring || strlen(v->valuestring) >= sizeof m->path)
		return error_set(err, errlen, "'path' must be a file name of fewer than %d characters", MIDI_PATH_MAX);
	snprintf(m->path, sizeof m->path, "%s", v->valuestring);
	return 0;
}

/* "midi" and "to" are read first: the others' defaults and checks depend on them. */
static int read_first(void *into, const cJSON *v, char *err, size_t errlen)
{
	(void)into, (void)v, (void)err, (void)errlen;
	return 0;
}

static const key_reader mapping_keys[] = {
    {"midi", read_first},      {"to", read_first},       {"channel", read_channel}, {"voice", read_voice},
    {"range", read_range},     {"out", read_out},        {"invert", read_invert},   {"curve", read_curve},
    {"start", read_start},     {"line", read_line},      {"keys", read_keys},       {"pitch", read_pitch},
    {"point", read_point},     {"glide_ms", read_glide}, {"loop", read_loop},       {"command", read_command},
    {"setting", read_setting}, {"path", read_path},
};

/* Defaults that depend on the source and the target. */
static void mapping_defaults(midi_mapping *m)
{
	m->voice = MIDI_VOICE_NOTES;
	m->in_min = m->source == MIDI_SRC_BEND ? -8192.0f : 0.0f;
	m->in_max = m->source == MIDI_SRC_BEND ? 8191.0f : 127.0f;
	m->curve = 1.0f;
	m->out_min = 0.0f;
	m->out_max = 1.0f;
	m->start = MIDI_START_LINE;
	memcpy(m->line, (float[4]){0.0f, 0.5f, 1.0f, 0.5f}, sizeof m->line);
	/* a key range lies along the line; all keys, or one: four octaves from C2 */
	int ranged = m->source == MIDI_SRC_NOTE && m->lo < m->hi && (m->lo > 0 || m->hi < 127);
	m->keys_lo = ranged ? m->lo : 36;
	m->keys_hi = ranged ? m->hi : 84;
	m->pitch = 1;
	if (m->to == MIDI_TO_POINT) /* /point/K/go moves voice 0 unless told */
		m->voice = 0;
}

/* Whether a key was given (some targets need one, others refuse it). */
static int has(const cJSON *entry, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(entry, key) != NULL;
}

/* What the keys mean together. */
static int check_mapping(const cJSON *entry, const midi_mapping *m, char *err, size_t errlen)
{
	int notes = m->source == MIDI_SRC_NOTE, loads = m->to == MIDI_TO_LOAD_MODEL || m->to == MIDI_TO_LOAD_TERRAIN;
	if (m->to == MIDI_TO_VOICE && !notes)
		return error_set(err, errlen, "\"to\": \"voice\" takes notes (\"midi\": \"note\" or a key range)");
	if (m->to == MIDI_TO_SUSTAIN && m->source != MIDI_SRC_CC)
		return error_set(err, errlen, "\"to\": \"sustain\" takes a controller (\"midi\": \"cc 64\")");
	if (m->to == MIDI_TO_GRAIN && !m->word[0])
		return error_set(err, errlen, "\"to\": \"grain\" needs a 'setting' (position, size, density, ...)");
	if (m->to == MIDI_TO_LOOP && !m->word[0])
		return error_set(err, errlen, "\"to\": \"loop\" needs a 'command' (record, play, stop, ...)");
	if (loads != (m->path[0] != '\0'))
		return error_set(err, errlen,
		                 loads ? "'path' is needed by load_model and load_terrain"
		                       : "'path' belongs only to load_model and load_terrain");
	if (m->to != MIDI_TO_VOICE &&
	    (has(entry, "start") || has(entry, "line") || has(entry, "keys") || has(entry, "pitch")))
		return error_set(err, errlen, "'start', 'line', 'keys' and 'pitch' belong to \"to\": \"voice\"");
	if (m->start == MIDI_START_POINT && m->point + (m->hi - m->lo) >= SESSION_POINTS)
		return error_set(err, errlen, "keys %d to %d from point %d go past the last stored point (%d)", m->lo,
		                 m->hi, m->point, SESSION_POINTS - 1);
	if (m->to == MIDI_TO_POINT && notes && m->point + (m->hi - m->lo) >= SESSION_POINTS)
		return error_set(err, errlen,
		                 "keys %d to %d from point %d go past the last stored point (%d): give the "
		                 "pads' key range, \"note 36-51\"",
		                 m->lo, m->hi, m->point, SESSION_POINTS - 1);
	return 0;
}

static int parse_target(const cJSON *entry, midi_mapping *m, char *err, size_t errlen)
{
	const char *to;
	if (json_get_string(entry, "to", &to, err, errlen) < 0)
		return -1;
	int t = name_index(target_names, (int)(sizeof target_names / sizeof *target_names), to);
	if (t < 0)
		return error_set(
		    err, errlen,
		    "'to' is \"%.40s\"; a MIDI source goes to voice, x, y, pressure, gain, sustain, grain, "
		    "loop, point, load_model or load_terrain",
		    to);
	m->to = (midi_target)t;
	return 0;
}

static int parse_mapping(const cJSON *entry, midi_mapping *m, char *err, size_t errlen)
{
	const char *source;
	memset(m, 0, sizeof *m);
	if (!cJSON_IsObject(entry))
		return error_set(err, errlen, "must be an object");
	if (has(entry, "address"))
		return error_set(err, errlen, "has both 'address' (OSC) and 'midi': a mapping has one source");
	if (json_get_string(entry, "midi", &source, err, errlen) < 0 || parse_source(source, m, err, errlen) < 0 ||
	    parse_target(entry, m, err, errlen) < 0)
		return -1;
	mapping_defaults(m);
	if (read_members(entry, mapping_keys, sizeof mapping_keys / sizeof mapping_keys[0], m, "", err, errlen) < 0)
		return -1;
	return check_mapping(entry, m, err, errlen);
}

void midi_config_clear_mappings(midi_config *m)
{
	m->n_mappings = 0;
}

int midi_config_is_mapping(const cJSON *entry)
{
	return cJSON_IsObject(entry) && has(entry, "midi");
}

int midi_config_parse_mapping(midi_config *m, const cJSON *entry, char *err, size_t errlen)
{
	if (m->n_mappings >= MIDI_MAX_MAPPINGS)
		return error_set(err, errlen, "more than %d MIDI mappings", MIDI_MAX_MAPPINGS);
	return parse_mapping(entry, &m->mappings[m->n_mappings++], err, errlen);
}

/* ---- the midi section ------------------------------------------------------------- */

int midi_config_add_input(midi_config *m, const char *name, char *err, size_t errlen)
{
	if (m->n_inputs >= MIDI_MAX_INPUTS)
		return error_set(err, errlen, "at most %d MIDI inputs may be named", MIDI_MAX_INPUTS);
	if (!*name || strlen(name) >= MIDI_INPUT_NAME_MAX)
		return error_set(err, errlen, "a MIDI input's name must have 1 to %d characters",
		                 MIDI_INPUT_NAME_MAX - 1);
	snprintf(m->inputs[m->n_inputs++], MIDI_INPUT_NAME_MAX, "%s", name);
	return 0;
}

static int parse_inputs(void *into, const cJSON *v, char *err, size_t errlen)
{
	midi_config *m = into;
	m->n_inputs = 0;
	if (cJSON_IsString(v))
		return midi_config_add_input(m, v->valuestring, err, errlen);
	if (!cJSON_IsArray(v))
		return error_set(err, errlen,
		                 "'midi.inputs' must be a port name (or part of one, or \"*\") or an array of them");
	const cJSON *item;
	cJSON_ArrayForEach(item, v)
	{
		if (!cJSON_IsString(item))
			return error_set(err, errlen, "midi.inputs[%d] must be a string", m->n_inputs);
		if (midi_config_add_input(m, item->valuestring, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int parse_backend(void *into, const cJSON *v, char *err, size_t errlen)
{
	midi_config *m = into;
	static const char *const names[] = {"auto", "jack", "alsa"};
	int b = cJSON_IsString(v) ? name_index(names, 3, v->valuestring) : -1;
	if (b < 0)
		return error_set(err, errlen, "'midi.backend' must be \"auto\", \"jack\" or \"alsa\"");
	m->backend = (midi_backend_kind)b;
	return 0;
}

/* "off", "lower", "upper" (15 member channels), or {"lower": N, "upper": M}. */
static int parse_mpe(void *into, const cJSON *v, char *err, size_t errlen)
{
	midi_config *m = into;
	m->mpe_lower = m->mpe_upper = 0;
	if (cJSON_IsString(v) && strcmp(v->valuestring, "off") == 0)
		return 0;
	if (cJSON_IsString(v) && (strcmp(v->valuestring, "lower") == 0 || strcmp(v->valuestring, "upper") == 0)) {
		*(v->valuestring[0] == 'l' ? &m->mpe_lower : &m->mpe_upper) = 15;
		return 0;
	}
	const cJSON *item;
	if (!cJSON_IsObject(v))
		return error_set(err, errlen,
		                 "'midi.mpe' must be \"off\", \"lower\", \"upper\" or {\"lower\": N, \"upper\": M}");
	cJSON_ArrayForEach(item, v)
	{
		int lower = strcmp(item->string, "lower") == 0;
		if (!lower && strcmp(item->string, "upper") != 0)
			return error_set(err, errlen, "unknown key 'midi.mpe.%.40s' (lower or upper)", item->string);
		if (whole_in(item, lower ? "midi.mpe.lower" : "midi.mpe.upper", 0, 15,
		             lower ? &m->mpe_lower : &m->mpe_upper, err, errlen) < 0)
			return -1;
	}
	if (m->mpe_lower + m->mpe_upper > 14 && m->mpe_lower && m->mpe_upper)
		return error_set(err, errlen, "MPE zones of %d and %d member channels do not fit in 14 channels",
		                 m->mpe_lower, m->mpe_upper);
	return 0;
}

static int parse_voices(void *into, const cJSON *v, char *err, size_t errlen)
{
	midi_config *m = into;
	float range[2];
	if (json_read_floats(v, 2, range, "midi.voices", err, errlen) < 0)
		return -1;
	float lo = range[0], hi = range[1];
	if (lo < 0 || hi > MIDI_MAX_VOICE || lo > hi || lo != floorf(lo) || hi != floorf(hi))
		return error_set(err, errlen,
		                 "'midi.voices' must be [first, last]: voice numbers, 0 to %d, first <= last",
		                 MIDI_MAX_VOICE);
	m->voice_first = (int)lo, m->voice_last = (int)hi;
	return 0;
}

static int parse_defaults(void *into, const cJSON *v, char *err, size_t errlen)
{
	midi_config *m = into;
	return bool_in(v, "midi.defaults", &m->defaults, err, errlen);
}

int midi_config_parse(midi_config *m, const cJSON *section, char *err, size_t errlen)
{
	static const key_reader keys[] = {{"inputs", parse_inputs},
	                                  {"backend", parse_backend},
	                                  {"mpe", parse_mpe},
	                                  {"voices", parse_voices},
	                                  {"defaults", parse_defaults}};
	if (!cJSON_IsObject(section))
		return error_set(err, errlen, "'midi' must be an object");
	return read_members(section, keys, sizeof keys / sizeof keys[0], m, "midi.", err, errlen);
}

int midi_config_validate(const midi_config *m, int voices, char *err, size_t errlen)
{
	if (m->voice_last >= voices)
		return error_set(err, errlen, "midi.voices goes to voice %d, but engine.voices is %d (voices 0 to %d)",
		                 m->voice_last, voices, voices - 1);
	for (int i = 0; i < m->n_mappings; i++)
		if (m->mappings[i].voice >= voices) {
			char source[32];
			midi_mapping_source_text(&m->mappings[i], source, sizeof source);
			return error_set(err, errlen,
			                 "the MIDI mapping of \"%s\" moves voice %d, but engine.voices is %d", source,
			                 m->mappings[i].voice, voices);
		}
	return 0;
}

void midi_config_print(const midi_config *m, FILE *out)
{
	if (m->n_inputs == 0) {
		fprintf(out, "  midi           off (no inputs: --midi NAME or midi.inputs)\n");
		return;
	}
	static const char *const backends[] = {"auto", "jack", "alsa"};
	fprintf(out, "  midi           inputs");
	for (int i = 0; i < m->n_inputs; i++)
		fprintf(out, " \"%s\"", m->inputs[i]);
	fprintf(out, ", backend %s, MPE zones lower %d upper %d", backends[m->backend], m->mpe_lower, m->mpe_upper);
	if (m->voice_first >= 0)
		fprintf(out, ", voices %d to %d", m->voice_first, m->voice_last);
	fprintf(out, ", %d mapping(s)%s\n", m->n_mappings, m->defaults ? " then the defaults" : "");
	for (int i = 0; i < m->n_mappings; i++) {
		char source[32];
		midi_mapping_source_text(&m->mappings[i], source, sizeof source);
		fprintf(out, "    midi %-19s -> %s", source, target_names[m->mappings[i].to]);
		if (m->mappings[i].channel)
			fprintf(out, ", channel %d", m->mappings[i].channel);
		fprintf(out, "\n");
	}
}

/* ---- using a mapping ----------------------------------------------------------------- */

int midi_mapping_takes(const midi_mapping *m, midi_source source, int number, int channel)
{
	if (m->source != source || (m->channel && m->channel != channel + 1))
		return 0;
	int numbered = source == MIDI_SRC_NOTE || source == MIDI_SRC_CC || source == MIDI_SRC_PROGRAM;
	return !numbered || (number >= m->lo && number <= m->hi);
}

float midi_mapping_shape(const midi_mapping *m, float raw)
{
	float u = (raw - m->in_min) / (m->in_max - m->in_min);
	u = u < 0 ? 0 : u > 1 ? 1 : u;
	if (m->invert)
		u = 1.0f - u;
	return m->curve == 1.0f ? u : powf(u, m->curve);
}

float midi_mapping_out(const midi_mapping *m, float u)
{
	return m->out_min + u * (m->out_max - m->out_min);
}

/* ---- the default mapping ---------------------------------------------------------- */

int midi_config_default_mappings(midi_mapping *out, int max)
{
	static const struct {
		midi_source source;
		int controller;
		midi_target to;
	} table[] = {
	    {MIDI_SRC_NOTE, 0, MIDI_TO_VOICE},
	    {MIDI_SRC_BEND, 0, MIDI_TO_X},
	    {MIDI_SRC_CC, 74, MIDI_TO_Y},
	    {MIDI_SRC_CC, 1, MIDI_TO_Y},
	    {MIDI_SRC_PRESSURE, 0, MIDI_TO_PRESSURE},
	    {MIDI_SRC_POLY_PRESSURE, 0, MIDI_TO_PRESSURE},
	    {MIDI_SRC_CC, 64, MIDI_TO_SUSTAIN},
	};
	int n = 0;
	for (size_t i = 0; i < sizeof table / sizeof table[0] && n < max; i++) {
		midi_mapping *m = &out[n++];
		memset(m, 0, sizeof *m);
		m->source = table[i].source;
		m->to = table[i].to;
		m->lo = m->hi = table[i].controller;
		if (m->source != MIDI_SRC_CC)
			m->lo = 0, m->hi = 127;
		mapping_defaults(m);
	}
	return n;
}
