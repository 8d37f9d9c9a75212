/*
 * voices.c — the voice pool (include/voices.h).
 *
 * Envelopes are linear ramps per sample; gain and pan interpolate linearly
 * from the last frame's value to the asked one across each frame (a fader
 * moved 100 times a second never zippers). A release of release_ms at the
 * model's rate; an attack of one latent frame on a reused row (capped at
 * 50 ms) or 5 ms on a fresh one.
 */
#include "voices.h"

#include <math.h>
#include <string.h>

enum { FRESH_ATTACK_MS = 5, REUSED_ATTACK_MAX_MS = 50 };

void voices_init(voice_pool *p, int max, float release_ms)
{
	memset(p, 0, sizeof *p);
	p->max = max < 1 ? 1 : max > VOICES_MAX ? VOICES_MAX : max;
	p->release_ms = release_ms > 0 ? release_ms : 1.0f;
	for (int i = 0; i < VOICES_MAX; i++)
		p->voices[i].gain = p->voices[i].gain_now = 1.0f;
}

static int row_taken(const voice_pool *p, int row)
{
	for (int i = 0; i < VOICES_MAX; i++)
		if (p->voices[i].state != VOICE_FREE && p->voices[i].row == row)
			return 1;
	return 0;
}

int voices_start(voice_pool *p, int n, int rows, unsigned char *row_used, int frame_samples, int rate)
{
	voice *v = &p->voices[n];
	if (v->state == VOICE_ON)
		return 0;
	if (v->state == VOICE_RELEASING) { /* back before it faded out: same row, rises again */
		v->state = VOICE_ON;
		return 0;
	}
	if (voices_sounding(p) >= p->max)
		return -1;
	int row = 0;
	while (row < rows && row_taken(p, row))
		row++;
	if (row >= rows)
		return -1;
	float attack_ms = FRESH_ATTACK_MS;
	if (row_used[row]) {
		attack_ms = 1000.0f * (float)frame_samples / (float)rate;
		if (attack_ms > REUSED_ATTACK_MAX_MS)
			attack_ms = REUSED_ATTACK_MAX_MS;
	}
	row_used[row] = 1;
	v->state = VOICE_ON;
	v->row = row;
	v->env = 0.0f;
	v->attack = 1000.0f / (attack_ms * (float)rate);
	v->gain_now = v->gain;
	v->pan_now = v->pan;
	v->started = ++p->starts;
	v->level = 0.0f;
	return 0;
}

void voices_release(voice_pool *p, int n)
{
	if (p->voices[n].state == VOICE_ON)
		p->voices[n].state = VOICE_RELEASING;
}

/* A voice that stops sounding forgets its pitch: whoever takes it next
 * plays the terrain's. */
static void set_free(voice *v)
{
	v->state = VOICE_FREE;
	v->control.has_pitch = 0;
}

void voices_stop(voice_pool *p, int n)
{
	set_free(&p->voices[n]);
	p->voices[n].env = 0.0f;
}

int voices_sounding(const voice_pool *p)
{
	int n = 0;
	for (int i = 0; i < VOICES_MAX; i++)
		n += p->voices[i].state != VOICE_FREE;
	return n;
}

int voices_rows_in_use(const voice_pool *p, int rows)
{
	int in_use = 0;
	for (int i = 0; i < VOICES_MAX; i++) {
		const voice *v = &p->voices[i];
		if (v->state != VOICE_FREE && v->row < rows && v->row + 1 > in_use)
			in_use = v->row + 1;
	}
	return in_use;
}

int voices_to_shed(const voice_pool *p)
{
	int pick = -1, on = 0;
	for (int i = 0; i < VOICES_MAX; i++) {
		const voice *v = &p->voices[i];
		if (v->state != VOICE_ON) /* a releasing voice is on its way out already */
			continue;
		on++;
		const voice *best = pick < 0 ? NULL : &p->voices[pick];
		if (!best || v->level < best->level || (v->level == best->level && v->started < best->started))
			pick = i;
	}
	return on > 1 ? pick : -1;
}

/* Left and right gains for a pan: equal power, 0 dB each at the centre. */
static void pan_gains(float pan, int channels, float *l, float *r)
{
	if (channels == 1) {
		float theta = (pan + 1.0f) * 0.25f * (float)M_PI;
		*l = (float)M_SQRT2 * cosf(theta);
		*r = (float)M_SQRT2 * sinf(theta);
	} else { /* a stereo model: balance */
		*l = pan > 0 ? 1.0f - pan : 1.0f;
		*r = pan < 0 ? 1.0f + pan : 1.0f;
	}
}

static void mix_voice(voice *v, const float *planar, int channels, int n, float release_step, float *stereo)
{
	const float *left = planar + (size_t)v->row * channels * n, *right = left + (channels > 1 ? n : 0);
	float l0, r0, l1, r1;
	pan_gains(v->pan_now, channels, &l0, &r0);
	pan_gains(v->pan, channels, &l1, &r1);
	const float g0 = v->gain_now, g1 = v->gain, inv = 1.0f / (float)n;
	const float target = v->state == VOICE_ON ? 1.0f : 0.0f;
	const float step = v->state == VOICE_ON ? v->attack : release_step;
	float env = v->env, energy = 0.0f;
	for (int i = 0; i < n; i++) {
		env = target > env ? fminf(target, env + step) : fmaxf(target, env - step);
		float w = (float)i * inv, g = env * (g0 + (g1 - g0) * w);
		float a = left[i], b = right[i];
		energy += 0.5f * (a * a + b * b);
		stereo[2 * i] += g * (l0 + (l1 - l0) * w) * a;
		stereo[2 * i + 1] += g * (r0 + (r1 - r0) * w) * b;
	}
	v->env = env;
	v->gain_now = g1;
	v->pan_now = v->pan;
	v->level = sqrtf(energy * inv);
	if (v->state == VOICE_RELEASING && env <= 0.0f)
		set_free(v);
}

void voices_mix(voice_pool *p, const float *planar, int channels, int frame_samples, int rate, float *stereo)
{
	memset(stereo, 0, sizeof(float) * 2 * (size_t)frame_samples);
	const float release_step = 1000.0f / (p->release_ms * (float)rate);
	for (int i = 0; i < VOICES_MAX; i++)
		if (p->voices[i].state != VOICE_FREE)
			mix_voice(&p->voices[i], planar, channels, frame_samples, release_step, stereo);
}

void voices_mix_held(const voice_pool *p, const float *planar, int rows, int channels, int frame_samples, float *stereo)
{
	memset(stereo, 0, sizeof(float) * 2 * (size_t)frame_samples);
	for (int k = 0; k < VOICES_MAX; k++) {
		if (p->voices[k].state == VOICE_FREE || p->voices[k].row >= rows) /* a row the scene does not have */
			continue;
		/* The same mix, on a copy held where the voice is now: no glide
		 * (asked = present), no envelope move (rising at step 0). */
		voice held = p->voices[k];
		held.state = VOICE_ON;
		held.attack = 0.0f;
		held.gain = held.gain_now;
		held.pan = held.pan_now;
		mix_voice(&held, planar, channels, frame_samples, 0.0f, stereo);
	}
}
