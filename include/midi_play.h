/*
 * midi_play — MIDI played as the daemon's own OSC: bytes from up to
 * MIDI_SOURCES inputs become /voice/N/xy, /voice/N/gain, /voice/N/pitch,
 * /voice/N/off, /point/K/go, /loop/N/..., /grain/... (docs/midi.md), through
 * the mapping table (midi_config.h: the configured MIDI mappings first,
 * then the default ones). The OSC dispatcher then checks and applies them
 * as it does a controller's, so MIDI needs no path of its own into the
 * engine, and whatever MIDI moves, the looper records.
 *
 *   bytes --midi_parse--> messages --mpe--> zones, bends
 *         --mappings--> notes (midi_voices: which voice) and controls
 *         --> actions (an OSC address and its arguments)
 *
 * A note starts its voice where the mapping says (along a line by key, at
 * a stored point, at the cursor) with a gain from its velocity and, where
 * the terrain names a pitch latent, the note's pitch (/voice/N/pitch, in
 * Hz). Then its expression moves it: a bend moves its x (by the keys'
 * scale: one semitone is the distance between two keys on the line) and
 * its pitch; y sources (CC74, the mod wheel) set its y; pressure its
 * pressure (the third axis where the terrain has one, else its gain).
 * Messages on an MPE member channel move that channel's note, on a
 * manager channel every note of the zone, on a plain channel every note
 * of the channel; poly pressure the key's note.
 *
 * Note-ons and note-offs are sent as they come; expression is gathered
 * and sent by midi_play_flush, once per batch of input, only what changed:
 * a stream of bends costs one /voice/N/xy per note per batch, and the
 * engine smooths it as it smooths /voice/N/xy.
 *
 * Pure: no I/O, allocation or locks; what it needs of the daemon (the
 * terrain's bounds, the voices' targets, the stored points) comes in a
 * midi_world. Threads: one caller at a time (the network thread).
 */
#ifndef TERRAIND_MIDI_PLAY_H
#define TERRAIND_MIDI_PLAY_H

#include <stddef.h>
#include <stdint.h>

#include "midi_config.h"
#include "midi_parse.h"
#include "midi_voices.h"
#include "mpe.h"
#include "session.h"
#include "terrain.h"

enum { MIDI_PLAY_MAPPINGS = MIDI_MAX_MAPPINGS + 8 }; /* the configured ones, then the defaults */

/* What the daemon is now, as MIDI needs to know it (the caller fills it
 * before each batch). */
typedef struct midi_world {
	int control_dim;
	float min[TERRAIN_MAX_CONTROL_DIM], max[TERRAIN_MAX_CONTROL_DIM]; /* the terrain's bounds */
	float target[MIDI_VOICES_MAX][TERRAIN_MAX_CONTROL_DIM];           /* each voice's target */
	uint32_t sounding;                                                /* bit v: voice v sounds */
	const stored_point *points;                                       /* SESSION_POINTS of them, or NULL */
	int64_t now_ns;                                                   /* when (clock.h) */
} midi_world;

/* One OSC message: an address and its numbers, or one string. */
typedef struct midi_action {
	char address[40];
	int n;
	float v[3];
	const char *text; /* NULL, or the only argument */
} midi_action;

typedef void (*midi_emit)(void *ctx, const midi_action *a);

/* The action as an OSC packet (floats, or one string) in buf; its size,
 * or 0 when it does not fit in cap bytes. */
size_t midi_action_osc(const midi_action *a, uint8_t *buf, size_t cap);

/* A note sounding on a voice (indexed by the engine's voice number). */
typedef struct midi_sounding {
	int on;
	midi_note_id id;
	int map;                              /* the mapping that started it */
	float start[TERRAIN_MAX_CONTROL_DIM]; /* where it started */
	float per_semitone;                   /* x per semitone of bend */
	float x, y;                           /* x and y set by a mapping (NAN: not set: the start's) */
	float bend;                           /* semitones moving x (0 unless the bend goes to x) */
	float pressure;                       /* 0..1; NAN until a pressure message */
	float velocity_gain, gain;
	float hz; /* 0: no pitch */
	/* what was sent, so that a flush sends only changes */
	float sent[TERRAIN_MAX_CONTROL_DIM], sent_gain, sent_hz;
} midi_sounding;

/* One input's channels. */
typedef struct midi_source_state {
	midi_parser parser;
	mpe_state mpe;
	uint8_t cc[MPE_CHANNELS][128];
	uint16_t cc_set[MPE_CHANNELS][8];  /* bit: this controller has been sent on this channel */
	uint16_t pressed[MPE_CHANNELS][8]; /* bit: this controller's button is down (presses act on the edge) */
} midi_source_state;

typedef struct midi_counts {
	uint64_t messages; /* channel messages played */
	uint64_t unmapped; /* channel messages no mapping takes */
	uint64_t notes;    /* notes started */
	uint64_t actions;  /* OSC messages made */
} midi_counts;

typedef struct midi_play {
	midi_mapping maps[MIDI_PLAY_MAPPINGS];
	int n_maps;
	int mpe_lower, mpe_upper;
	midi_voices voices;
	midi_sounding sounding[MIDI_VOICES_MAX];
	midi_source_state sources[MIDI_SOURCES];
	/* where MIDI last put a voice it moves by one axis (a knob for x,
	 * another for y): the engine's published target lags a frame behind */
	float placed[MIDI_VOICES_MAX][TERRAIN_MAX_CONTROL_DIM];
	int64_t placed_ns[MIDI_VOICES_MAX];
	midi_emit emit;
	void *emit_ctx;
	midi_counts counts;
} midi_play;

/* Mappings and voices from the configuration; `voices` is engine.voices. */
void midi_play_init(midi_play *p, const midi_config *c, int voices, midi_emit emit, void *ctx);
/* A reloaded configuration: new mappings; sounding notes play on. */
void midi_play_configure(midi_play *p, const midi_config *c);

/* Bytes from input `source` (0 .. MIDI_SOURCES-1), as they came. */
void midi_play_bytes(midi_play *p, const midi_world *w, int source, const uint8_t *bytes, size_t n);
/* The end of one of the input's events: a message cut short is dropped. */
void midi_play_event_end(midi_play *p, int source);
/* Sends the notes' expression that changed since the last flush. */
void midi_play_flush(midi_play *p, const midi_world *w);
/* An input went away (or was replaced): its notes end, its state resets. */
void midi_play_source_reset(midi_play *p, int source);

/* The pitch of a key bent by `semitones`, in Hz (A4 = key 69 = 440 Hz). */
double midi_key_hz(double key, double semitones);

#endif
