/*
 * audio_patch — new audio for part of what is already queued in a ring,
 * laid over it as the consumer reads (sub-frame control: a frame decoded
 * again after a cursor move replaces the queued audio it supersedes, so the
 * move is heard about a period after the re-decode instead of after
 * everything the ring holds).
 *
 * The ring itself is never rewritten: the producer (the render thread)
 * fills a patch for ring positions [start, start + frames) and publishes
 * it; the consumer (the audio callback) overlays it on what it reads from
 * the ring, crossfading into it over `fade` frames from the first position
 * it plays it at (start, or where it is when it first sees it, if later).
 * Two slots: the consumer plays one while the producer may fill the other,
 * once the consumer has finished fading into the newest (audio_patch_begin
 * says when). Stereo frames.
 *
 * Threads: begin/publish from one producer thread; apply from one consumer
 * thread. Both are real-time safe (no locks, no allocation, bounded time);
 * init/destroy allocate.
 */
#ifndef TERRAIND_AUDIO_PATCH_H
#define TERRAIND_AUDIO_PATCH_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

typedef struct audio_patch_slot {
	float *audio;   /* capacity stereo frames */
	uint64_t start; /* the ring position of its first frame */
	size_t frames;
} audio_patch_slot;

typedef struct audio_patch {
	audio_patch_slot slot[2];
	size_t capacity, fade;
	_Alignas(64) atomic_uint_fast64_t published; /* (serial << 1) | slot of the newest patch; 0: none yet */
	_Alignas(64) atomic_uint_fast64_t taken;     /* the serial the consumer has finished fading into */
	/* producer only */
	uint64_t serial;
	int last_slot;
	/* consumer only */
	uint64_t playing_serial;
	int playing, before; /* the slot it plays, and the one it fades out of (-1: the ring) */
	uint64_t fade_start;
	int fading;
} audio_patch;

int audio_patch_init(audio_patch *p, size_t capacity, size_t fade);
void audio_patch_destroy(audio_patch *p);

/* Producer: the slot to fill (capacity stereo frames), or NULL while the
 * consumer has not finished fading into the newest patch (then the caller
 * does without: nothing of what is queued is replaced). */
float *audio_patch_begin(audio_patch *p);
/* Producer: the slot from begin now holds `frames` frames for ring
 * positions [start, start + frames). */
void audio_patch_publish(audio_patch *p, uint64_t start, size_t frames);

/* Consumer: lays the patches over `frames` stereo frames just read from
 * ring position `pos` (in place). */
void audio_patch_apply(audio_patch *p, float *stereo, uint64_t pos, size_t frames);

#endif
