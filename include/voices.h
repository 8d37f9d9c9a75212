/*
 * voices — the voice pool: which voices sound, on which row of the
 * model's batch, and how they are mixed (gain, pan, envelope).
 *
 * A voice is one sounding stream. It starts on the lowest free row (so the
 * batch, the highest row in use + 1, stays as small as the voices that
 * sound), fades in (over a latent frame on a row another voice used: a
 * streaming model still holds that voice's tail there; over 5 ms on a
 * fresh row), and fades out over the release time when released, after
 * which its row is free again. Gain and pan glide across a latent frame, so
 * neither ever steps. Pan is equal power, 0 dB at the centre (mono models);
 * stereo models are balanced.
 *
 * Pure bookkeeping and arithmetic: no allocation, no locks, no system
 * calls. Threads: the render thread only (the engine owns the pool).
 */
#ifndef TERRAIND_VOICES_H
#define TERRAIND_VOICES_H

#include <stdint.h>

#include "gesture.h"
#include "model.h"
#include "render.h"

enum { VOICES_MAX = MODEL_MAX_ROWS };

typedef enum voice_state { VOICE_FREE, VOICE_ON, VOICE_RELEASING } voice_state;

typedef struct voice {
	voice_state state;
	int row;               /* batch row while it sounds */
	render_cursor control; /* target and smoothed cursor */
	gesture *playing;      /* the gesture it follows, or NULL (owned by the engine) */
	int64_t gesture_start_ns;
	size_t gesture_hint;
	float gain, pan;         /* what was asked for */
	float gain_now, pan_now; /* where the last frame ended */
	float env;               /* envelope where the last frame ended, 0 to 1 */
	float attack;            /* envelope step per sample while it rises */
	uint64_t started;        /* the pool's start count when it started: the oldest is shed first */
	float level;             /* RMS of its last frame (before gain): the quietest is shed first */
} voice;

typedef struct voice_pool {
	voice voices[VOICES_MAX];
	int max;          /* voices that may sound at once */
	float release_ms; /* the release fade */
	uint64_t starts;
} voice_pool;

/* An empty pool for `max` voices (1 .. VOICES_MAX) and a release time. */
void voices_init(voice_pool *p, int max, float release_ms);

/* Sounds voice n (already sounding: nothing changes, except that a
 * releasing voice comes back). `rows` is how many rows the scene has,
 * row_used which of them a voice has used, frame_samples and rate the
 * model's latent frame. Returns 0, or -1 when no row is free. */
int voices_start(voice_pool *p, int n, int rows, unsigned char *row_used, int frame_samples, int rate);
/* Starts voice n's release fade. */
void voices_release(voice_pool *p, int n);
/* Frees voice n at once, without a fade (a grain whose window has closed). */
void voices_stop(voice_pool *p, int n);

int voices_sounding(const voice_pool *p);
/* The batch a decode of the sounding voices takes: the highest row in use
 * below `rows` (the scene's), plus one; 0 when none sounds. */
int voices_rows_in_use(const voice_pool *p, int rows);
/* The voice to shed under overload: the quietest of those sounding, the
 * oldest among equals; -1 when none (or only one) sounds. */
int voices_to_shed(const voice_pool *p);

/* Mixes one latent frame of every sounding voice from `planar` (rows ×
 * channels × frame_samples, as decode returns it) into `stereo`
 * (frame_samples interleaved stereo frames, overwritten), advancing
 * envelopes and glides; a voice whose release ends becomes free. */
void voices_mix(voice_pool *p, const float *planar, int channels, int frame_samples, int rate, float *stereo);
/* The same mix at the voices' present gain, pan and envelope, changing
 * nothing: a scene fading out after a swap plays on under the new one. */
void voices_mix_held(const voice_pool *p, const float *planar, int rows, int channels, int frame_samples,
                     float *stereo);

#endif
