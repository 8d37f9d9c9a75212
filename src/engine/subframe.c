/*
 * subframe.c — see subframe.h.
 */
#include "subframe.h"

#include <math.h>
#include <string.h>

int subframe_moved(const voice_pool *decoded, const voice_pool *now, const terrain *t)
{
	for (int i = 0; i < VOICES_MAX; i++) {
		if (now->voices[i].state == VOICE_FREE)
			continue;
		const float *a = decoded->voices[i].control.target, *b = now->voices[i].control.target;
		for (int d = 0; d < t->control_dim; d++)
			if (fabsf(a[d] - b[d]) > SUBFRAME_MOVE * (t->bounds_max[d] - t->bounds_min[d]))
				return 1;
	}
	return 0;
}

int subframe_voices(voice_pool *out, const voice_pool *before, const voice_pool *decoded, const voice_pool *now)
{
	for (int i = 0; i < VOICES_MAX; i++)
		if (decoded->voices[i].state != now->voices[i].state)
			return -1;
	*out = *before;
	out->starts = now->starts;
	for (int i = 0; i < VOICES_MAX; i++) {
		voice *v = &out->voices[i];
		const voice *n = &now->voices[i];
		render_cursor control = n->control; /* target, smoothing, counts */
		if (v->control.has_cursor)          /* the cursor glides on from where the frame began */
			memcpy(control.cursor, v->control.cursor, sizeof control.cursor);
		v->control = control;
		v->playing = n->playing;
		v->gesture_start_ns = n->gesture_start_ns;
		v->gesture_hint = n->gesture_hint;
		v->gain = n->gain;
		v->pan = n->pan;
	}
	return 0;
}

int subframe_affordable(int64_t cost_ns, int64_t frame_ns, int redecodes)
{
	return (double)(2 + redecodes) * (double)cost_ns <= SUBFRAME_CPU_SHARE * (double)frame_ns;
}

void subframe_replace(float *staged, size_t from, size_t frames, const float *fresh, size_t fade)
{
	for (size_t i = from; i < frames; i++) {
		size_t k = i - from;
		if (k < fade) {
			float angle = (float)(0.5 * M_PI * (double)k / (double)fade), up = sinf(angle),
			      down = cosf(angle);
			staged[2 * i] = up * fresh[2 * i] + down * staged[2 * i];
			staged[2 * i + 1] = up * fresh[2 * i + 1] + down * staged[2 * i + 1];
		} else {
			staged[2 * i] = fresh[2 * i];
			staged[2 * i + 1] = fresh[2 * i + 1];
		}
	}
}
