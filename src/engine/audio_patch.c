/*
 * audio_patch.c — new audio laid over queued audio (include/audio_patch.h).
 *
 * The handshake: the producer publishes (serial << 1) | slot with a release
 * store after filling the slot; the consumer acquires it, switches to the
 * slot, and once its crossfade into it has ended stores the serial in
 * `taken` (release). Only then may the producer fill the other slot: the
 * consumer has stopped reading it (it fades out of the previous patch, never
 * back into it), and it plays the newest one, which the producer leaves alone.
 */
#include "audio_patch.h"

#include <math.h>
#include <stdlib.h>

int audio_patch_init(audio_patch *p, size_t capacity, size_t fade)
{
	*p = (audio_patch){.capacity = capacity, .fade = fade > 0 ? fade : 1, .playing = -1, .before = -1};
	for (int s = 0; s < 2; s++)
		if (!(p->slot[s].audio = calloc(2 * capacity, sizeof(float)))) {
			audio_patch_destroy(p);
			return -1;
		}
	return 0;
}

void audio_patch_destroy(audio_patch *p)
{
	for (int s = 0; s < 2; s++) {
		free(p->slot[s].audio);
		p->slot[s].audio = NULL;
	}
}

float *audio_patch_begin(audio_patch *p)
{
	if (atomic_load_explicit(&p->taken, memory_order_acquire) != p->serial)
		return NULL;
	return p->slot[p->serial == 0 ? 0 : 1 - p->last_slot].audio;
}

void audio_patch_publish(audio_patch *p, uint64_t start, size_t frames)
{
	const int s = p->serial == 0 ? 0 : 1 - p->last_slot;
	p->slot[s].start = start;
	p->slot[s].frames = frames < p->capacity ? frames : p->capacity;
	p->last_slot = s;
	p->serial++;
	atomic_store_explicit(&p->published, (p->serial << 1) | (uint64_t)s, memory_order_release);
}

/* What ring position `at` plays through slot s, into out (unchanged when
 * the slot does not cover it). */
static void overlay(const audio_patch *p, int s, uint64_t at, float *out)
{
	if (s < 0 || at < p->slot[s].start || at - p->slot[s].start >= p->slot[s].frames)
		return;
	const float *from = p->slot[s].audio + 2 * (at - p->slot[s].start);
	out[0] = from[0];
	out[1] = from[1];
}

/* A newly published patch: fade into it where it starts, or here if that
 * has passed. */
static void take_newest(audio_patch *p, uint64_t pos)
{
	uint64_t word = atomic_load_explicit(&p->published, memory_order_acquire);
	if ((word >> 1) == p->playing_serial)
		return;
	p->before = p->playing;
	p->playing = (int)(word & 1);
	p->playing_serial = word >> 1;
	p->fade_start = p->slot[p->playing].start > pos ? p->slot[p->playing].start : pos;
	p->fading = 1;
}

void audio_patch_apply(audio_patch *p, float *stereo, uint64_t pos, size_t frames)
{
	take_newest(p, pos);
	if (p->playing < 0)
		return;
	for (size_t i = 0; i < frames; i++) {
		const uint64_t at = pos + i;
		float *out = stereo + 2 * i, old[2] = {out[0], out[1]}, fresh[2];
		overlay(p, p->before, at, old);
		fresh[0] = old[0], fresh[1] = old[1];
		if (!p->fading || at >= p->fade_start)
			overlay(p, p->playing, at, fresh);
		if (p->fading && at >= p->fade_start && at - p->fade_start < p->fade) {
			/* equal power, as subframe_replace */
			const float angle = (float)(0.5 * M_PI * (double)(at - p->fade_start) / (double)p->fade);
			const float up = sinf(angle), down = cosf(angle);
			out[0] = up * fresh[0] + down * old[0];
			out[1] = up * fresh[1] + down * old[1];
		} else {
			out[0] = fresh[0], out[1] = fresh[1];
		}
	}
	if (p->fading && pos + frames >= p->fade_start + p->fade) {
		p->fading = 0;
		p->before = -1;
		atomic_store_explicit(&p->taken, p->playing_serial, memory_order_release);
	}
}
