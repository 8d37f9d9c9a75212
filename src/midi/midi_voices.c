/*
 * midi_voices.c — notes onto voices (midi_voices.h).
 *
 * The pool keeps one voice free of held notes when it has more than one:
 * a stolen note then fades out on its own voice while the new one starts
 * on another, instead of the new note taking over a voice mid-sound.
 */
#include "midi_voices.h"

#include <string.h>

void midi_voices_init(midi_voices *p, int first, int count)
{
	memset(p, 0, sizeof *p);
	p->first = first;
	p->count = count < 1 ? 1 : count > MIDI_VOICES_MAX ? MIDI_VOICES_MAX : count;
}

static int same_note(midi_note_id a, midi_note_id b)
{
	return a.source == b.source && a.channel == b.channel && a.key == b.key;
}

static int sounding(const midi_voice *v)
{
	return v->state != MIDI_VOICE_FREE;
}

/* Index in the pool of a sounding note, or -1. */
static int find_index(const midi_voices *p, midi_note_id note)
{
	for (int i = 0; i < p->count; i++)
		if (sounding(&p->v[i]) && same_note(p->v[i].note, note))
			return i;
	return -1;
}

int midi_voices_find(const midi_voices *p, midi_note_id note)
{
	int i = find_index(p, note);
	return i < 0 ? -1 : p->first + i;
}

/* Frees pool slot i; returns its engine voice. */
static int release_index(midi_voices *p, int i)
{
	p->v[i].state = MIDI_VOICE_FREE;
	p->v[i].released = ++p->clock;
	return p->first + i;
}

/* The note to steal: the oldest the pedal holds, else the oldest held. */
static int oldest_note(const midi_voices *p)
{
	int best = -1;
	for (int i = 0; i < p->count; i++) {
		const midi_voice *v = &p->v[i];
		if (!sounding(v))
			continue;
		if (best < 0)
			best = i;
		else {
			const midi_voice *b = &p->v[best];
			int pedal = v->state == MIDI_VOICE_SUSTAINED, best_pedal = b->state == MIDI_VOICE_SUSTAINED;
			if (pedal > best_pedal || (pedal == best_pedal && v->started < b->started))
				best = i;
		}
	}
	return best;
}

static int notes_sounding(const midi_voices *p)
{
	int n = 0;
	for (int i = 0; i < p->count; i++)
		n += sounding(&p->v[i]);
	return n;
}

/* The free slot released longest ago, taking those someone else sounds
 * on only when there is nothing else. */
static int free_index(const midi_voices *p, uint32_t busy)
{
	int best = -1, best_busy = 1;
	for (int i = 0; i < p->count; i++) {
		const midi_voice *v = &p->v[i];
		if (sounding(v))
			continue;
		int voice = p->first + i;
		int is_busy = voice < 32 && (busy >> voice & 1u);
		if (best < 0 || is_busy < best_busy || (is_busy == best_busy && v->released < p->v[best].released)) {
			best = i;
			best_busy = is_busy;
		}
	}
	return best;
}

int midi_voices_note_on(midi_voices *p, midi_note_id note, uint32_t busy, int *released, int *n_released)
{
	*n_released = 0;
	int again = find_index(p, note);
	if (again >= 0)
		released[(*n_released)++] = release_index(p, again);
	int most = p->count > 1 ? p->count - 1 : 1;
	if (notes_sounding(p) >= most)
		released[(*n_released)++] = release_index(p, oldest_note(p));
	int i = free_index(p, busy);
	/* with one voice, the new note takes over the one just released */
	for (int k = 0; k < *n_released; k++)
		if (released[k] == p->first + i)
			released[k--] = released[--*n_released];
	p->v[i] =
	    (midi_voice){.state = MIDI_VOICE_HELD, .note = note, .started = ++p->clock, .released = p->v[i].released};
	return p->first + i;
}

/* Whether v's note came from `source` on one of `channels` (bits). */
static int played_on(const midi_voice *v, int source, uint16_t channels)
{
	return v->note.source == source && (channels >> v->note.channel & 1u);
}

/* The key of held note i goes up: the pedal of its channel keeps it (-1),
 * else its engine voice is returned for release. */
static int key_up(midi_voices *p, int i)
{
	midi_note_id note = p->v[i].note;
	if (note.source < MIDI_SOURCES && (p->sustain[note.source] >> note.channel & 1u)) {
		p->v[i].state = MIDI_VOICE_SUSTAINED;
		return -1;
	}
	return release_index(p, i);
}

int midi_voices_note_off(midi_voices *p, midi_note_id note)
{
	int i = find_index(p, note);
	if (i < 0 || p->v[i].state != MIDI_VOICE_HELD)
		return -1;
	return key_up(p, i);
}

int midi_voices_notes_off(midi_voices *p, int source, uint16_t channels, int *released)
{
	int n = 0;
	for (int i = 0; i < p->count; i++) {
		const midi_voice *v = &p->v[i];
		if (v->state != MIDI_VOICE_HELD || !played_on(v, source, channels))
			continue;
		int voice = key_up(p, i);
		if (voice >= 0)
			released[n++] = voice;
	}
	return n;
}

/* Releases the sounding notes of a source on `channels` (all of them, or
 * only those the pedal holds); returns the count. */
static int release_matching(midi_voices *p, int source, uint16_t channels, int only_sustained, int *released)
{
	int n = 0;
	for (int i = 0; i < p->count; i++) {
		midi_voice *v = &p->v[i];
		if (!sounding(v) || !played_on(v, source, channels))
			continue;
		if (!only_sustained || v->state == MIDI_VOICE_SUSTAINED)
			released[n++] = release_index(p, i);
	}
	return n;
}

int midi_voices_sustain(midi_voices *p, int source, uint16_t channels, int down, int *released)
{
	if (source < 0 || source >= MIDI_SOURCES)
		return 0;
	if (down) {
		p->sustain[source] |= channels;
		return 0;
	}
	p->sustain[source] &= (uint16_t)~channels;
	return release_matching(p, source, channels, 1, released);
}

int midi_voices_release_all(midi_voices *p, int source, uint16_t channels, int *released)
{
	return release_matching(p, source, channels, 0, released);
}
