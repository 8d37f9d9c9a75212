/*
 * midi_config — the configuration's MIDI (docs/midi.md): the `midi`
 * section (which inputs, which backend, MPE zones, the voices notes play
 * on) and the MIDI entries of `mappings`, those with a "midi" source in
 * place of an OSC "address":
 *
 *   {"midi": "cc 74", "to": "y"}
 *   {"midi": "note 36-51", "channel": 10, "to": "point", "point": 0}
 *   {"midi": "note", "to": "voice", "start": "line", "keys": [36, 84]}
 *
 * Sources: note [K | K1-K2], cc N, bend, pressure (channel), poly_pressure,
 * program [P | P1-P2]; an optional "channel" 1 to 16. Targets: voice (notes
 * start voices), x, y, pressure, gain, sustain, grain, loop, point,
 * load_model, load_terrain. As the config module does, anything unknown
 * or out of range is an error that names the key.
 *
 * Threads: non-RT only (the configuration is parsed and copied there).
 */
#ifndef TERRAIND_MIDI_CONFIG_H
#define TERRAIND_MIDI_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

enum {
	MIDI_MAX_INPUTS = 16,
	MIDI_INPUT_NAME_MAX = 128,
	MIDI_MAX_MAPPINGS = 64,
	MIDI_PATH_MAX = 256,
	MIDI_WORD_MAX = 16,
	MIDI_VOICE_NOTES = -1, /* "voice" not given: the notes the message speaks for */
};

typedef enum midi_backend_kind { MIDI_BACKEND_AUTO, MIDI_BACKEND_JACK, MIDI_BACKEND_ALSA } midi_backend_kind;

typedef enum midi_source {
	MIDI_SRC_NOTE,
	MIDI_SRC_CC,
	MIDI_SRC_BEND,
	MIDI_SRC_PRESSURE,
	MIDI_SRC_POLY_PRESSURE,
	MIDI_SRC_PROGRAM,
} midi_source;

typedef enum midi_target {
	MIDI_TO_VOICE,    /* notes: each note starts a voice (midi_voices.h) */
	MIDI_TO_X,        /* the notes' (or a voice's) x; a bend moves the notes' x by semitones */
	MIDI_TO_Y,        /* the notes' (or a voice's) y */
	MIDI_TO_PRESSURE, /* the third axis where the terrain has one, else the voice's gain */
	MIDI_TO_GAIN,     /* the notes' (or a voice's) gain; the output's with "voice": "output" */
	MIDI_TO_SUSTAIN,  /* the sustain pedal of the message's channel (a manager's: its zone) */
	MIDI_TO_GRAIN,    /* a granular setting (/grain/<setting>) */
	MIDI_TO_LOOP,     /* a loop command (/loop/N/<command>) on a press */
	MIDI_TO_POINT,    /* a stored point recalled (/point/K/go) on a press */
	MIDI_TO_LOAD_MODEL,
	MIDI_TO_LOAD_TERRAIN,
} midi_target;

typedef enum midi_start {
	MIDI_START_LINE,   /* along a line by pitch */
	MIDI_START_POINT,  /* at stored point `point` + key - the range's first key */
	MIDI_START_CURSOR, /* at voice 0's cursor */
} midi_start;

enum { MIDI_VOICE_OUTPUT = -2 }; /* gain: the output's, as /gain */

typedef struct midi_mapping {
	midi_source source;
	int lo, hi;  /* notes: keys lo..hi; cc: controller lo (= hi); program: lo..hi */
	int channel; /* 0: any; else 1..16 */
	midi_target to;
	int voice;              /* MIDI_VOICE_NOTES, MIDI_VOICE_OUTPUT or a voice number */
	float in_min, in_max;   /* the source's range (0..127; bend -8192..8191) */
	int invert;             /* u -> 1 - u */
	float curve;            /* u -> u^curve (1: linear) */
	float out_min, out_max; /* pressure, gain and grain: the range the value lands on */
	/* notes to voices */
	midi_start start;
	float line[4];        /* x0 y0 x1 y1, fractions of the terrain's bounds */
	int keys_lo, keys_hi; /* the keys at the line's ends; a bend moves x by the same scale */
	int pitch;            /* notes drive the terrain's pitch latent where it has one */
	/* point, loop, grain, loads */
	int point;                /* the first stored point (K = point + key - lo for notes) */
	float glide_ms;           /* point: the glide of /point/K/go */
	int loop;                 /* loop: which */
	char word[MIDI_WORD_MAX]; /* loop: the command; grain: the setting */
	char path[MIDI_PATH_MAX]; /* load_model, load_terrain */
} midi_mapping;

typedef struct midi_config {
	int n_inputs;
	char inputs[MIDI_MAX_INPUTS][MIDI_INPUT_NAME_MAX]; /* port names or parts of them, any case; "*" for all */
	midi_backend_kind backend;
	int mpe_lower, mpe_upper;    /* member channels of each MPE zone at start (0: none) */
	int voice_first, voice_last; /* the voices notes take; -1: 1 .. engine.voices - 1 */
	int defaults;                /* the default mappings apply after the configured ones */
	int n_mappings;
	midi_mapping mappings[MIDI_MAX_MAPPINGS];
} midi_config;

void midi_config_defaults(midi_config *m);
/* The `midi` section, over what *m holds. */
int midi_config_parse(midi_config *m, const cJSON *section, char *err, size_t errlen);
/* Adds a name from the command line (--midi NAME); -1 when full. */
int midi_config_add_input(midi_config *m, const char *name, char *err, size_t errlen);
/* `mappings`: forgets the MIDI ones before a new array is read, then
 * whether an entry is a MIDI one (it has "midi"), and reads it. */
void midi_config_clear_mappings(midi_config *m);
int midi_config_is_mapping(const cJSON *entry);
int midi_config_parse_mapping(midi_config *m, const cJSON *entry, char *err, size_t errlen);
/* What depends on engine.voices. */
int midi_config_validate(const midi_config *m, int voices, char *err, size_t errlen);
void midi_config_print(const midi_config *m, FILE *out);

/* The mapping that works with no configuration (docs/midi.md): notes
 * start voices along the terrain by pitch, velocity sets their gain, the
 * mod wheel and CC74 move y, the bend moves x, pressure is pressure, CC64
 * is the sustain pedal. Returns the count written (at most max). */
int midi_config_default_mappings(midi_mapping *out, int max);
/* Whether a mapping takes a message of `source` with `number` (the key,
 * controller or program; ignored for bend and pressure) on `channel`
 * (0..15). */
int midi_mapping_takes(const midi_mapping *m, midi_source source, int number, int channel);
/* A raw value (0..127; a bend -8192..8191) through the mapping's range
 * (clamped), invert and curve: 0..1. */
float midi_mapping_shape(const midi_mapping *m, float raw);
/* 0..1 onto the mapping's out range. */
float midi_mapping_out(const midi_mapping *m, float u);
/* One mapping's source, as written in the config ("cc 74"). */
void midi_mapping_source_text(const midi_mapping *m, char *out, size_t len);
const char *midi_target_name(midi_target t);

#endif
