/*
 * midi_voices — which voice each MIDI note sounds on.
 *
 * A pool of the engine's voices (midi.voices: 1 to engine.voices - 1 by
 * default, leaving voice 0 to the OSC cursor) is shared by every note of
 * every source:
 *   - a note-on takes the voice released longest ago (a voice never used
 *     counts as released at the start), so that a released note's fade
 *     runs out before its voice is taken again; voices that sound for
 *     someone else (a loop, an OSC hand: `busy`) are taken last;
 *   - when the notes held would leave no voice free, the oldest note (one
 *     the sustain pedal holds first) is released, fading with its
 *     envelope on its own voice while the new note starts on another: at
 *     most pool - 1 notes sound held, one voice is kept for the release;
 *   - a key struck again while its note sounds (held or sustained)
 *     releases that note first;
 *   - note-off releases the note's voice, unless its channel's sustain
 *     pedal is down: then the note is held until the pedal is lifted.
 * Every change that releases a voice is reported to the caller, which
 * sends it to the engine (/voice/N/off).
 *
 * Pure bookkeeping: no allocation, I/O or locks. Threads: one caller at a
 * time (the network thread, where MIDI is played).
 */
#ifndef TERRAIND_MIDI_VOICES_H
#define TERRAIND_MIDI_VOICES_H

#include <stdint.h>

enum {
	MIDI_VOICES_MAX = 32, /* ENGINE_MAX_VOICES */
	MIDI_SOURCES = 16,    /* inputs played at once (midi_in.h) */
};

/* A note: which source, channel (0..15) and key played it. */
typedef struct midi_note_id {
	uint8_t source, channel, key;
} midi_note_id;

typedef enum midi_voice_state {
	MIDI_VOICE_FREE,      /* never used, or released */
	MIDI_VOICE_HELD,      /* a key is down on it */
	MIDI_VOICE_SUSTAINED, /* its key is up, the pedal holds it */
} midi_voice_state;

typedef struct midi_voice {
	midi_voice_state state;
	midi_note_id note;
	uint64_t started;  /* the pool's clock when its note started: the oldest is stolen first */
	uint64_t released; /* when it was last released: the longest released is taken first */
} midi_voice;

typedef struct midi_voices {
	int first, count; /* engine voices first .. first+count-1 */
	midi_voice v[MIDI_VOICES_MAX];
	uint16_t sustain[MIDI_SOURCES]; /* per source, the channels whose pedal is down */
	uint64_t clock;
} midi_voices;

/* Voices first .. first+count-1 (count 1 .. MIDI_VOICES_MAX). */
void midi_voices_init(midi_voices *p, int first, int count);

/* The voice a note-on takes (an engine voice number). `released`
 * receives the voices released to make room or because the key was struck
 * again (at most 2), *n_released their count; none of them is the voice
 * returned, which starts the new note. `busy`: bit i set when engine voice
 * i sounds for someone else. */
int midi_voices_note_on(midi_voices *p, midi_note_id note, uint32_t busy, int *released, int *n_released);
/* The voice to release for a note-off (-1: no such note, or the pedal
 * holds it now). */
int midi_voices_note_off(midi_voices *p, midi_note_id note);
/* Every held note of a source on `channels` (bits) has its key lifted
 * (All Notes Off): the pedal keeps those it holds; the others' voices go
 * to `released` (at most MIDI_VOICES_MAX), the count is returned. */
int midi_voices_notes_off(midi_voices *p, int source, uint16_t channels, int *released);
/* The voice a sounding note (held or sustained) plays on, or -1. */
int midi_voices_find(const midi_voices *p, midi_note_id note);
/* The pedal of `channels` (bits) of a source goes down or up; lifting it
 * releases the notes it held: their voices go to `released` (at most
 * MIDI_VOICES_MAX), the count is returned. */
int midi_voices_sustain(midi_voices *p, int source, uint16_t channels, int down, int *released);
/* Releases every note of a source on `channels` (bits): a zone changed, or
 * the source went away. Returns the count, voices in `released`. */
int midi_voices_release_all(midi_voices *p, int source, uint16_t channels, int *released);

#endif
