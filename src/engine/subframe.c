/*
 * subframe.c — control below the latent frame (subframe.h): its pure
 * decisions and arithmetic, then the engine's side, which saves the model's
 * state before each frame and decodes the playing frame again after a move.
 */
#include "subframe.h"

#include "engine_internal.h"

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

/* ---- the engine's side (render thread) ---- */

int subframe_state_of(const engine *e, const scene *s)
{
	return !e->subframe          ? ENGINE_SUBFRAME_OFF_CONFIG
	       : !s->model->subframe ? ENGINE_SUBFRAME_OFF_MODEL
	                             : ENGINE_SUBFRAME_ON;
}

/* The looper and the grains advance once per decode call, and a re-decode
 * restores only the model and the voices: while either runs, a re-decode
 * would move loops and grains on twice in one frame. */
static int loops_or_grains_run(const engine *e)
{
	return e->grains.on || atomic_load_explicit(&e->grains.sounding, memory_order_relaxed) > 0 ||
	       looper_any_running(e->loops);
}

/* Before a frame: its model state and voices, for a re-decode, when
 * sub-frame control is on, no swap is fading, no loop or grain runs and the
 * CPU has room for at least one (else nothing is saved and the frame goes
 * to the ring whole). */
void subframe_save_before_frame(engine *e, scene *s)
{
	e->snapshot_scene = NULL;
	e->redecodes_now = 0;
	e->move_refused = 0;
	e->cpu_short = 0;
	if (atomic_load_explicit(&e->subframe_state, memory_order_relaxed) != ENGINE_SUBFRAME_ON || e->outgoing ||
	    loops_or_grains_run(e))
		return;
	/* An xrun or a late frame: the CPU is short (other processes, voices):
	 * frame rate for SUBFRAME_CALM_MS before re-decoding again. */
	uint64_t glitches = atomic_load(&e->underruns) + atomic_load(&e->overloaded);
	if (glitches != e->glitches_seen) {
		e->glitches_seen = glitches;
		e->calm_frames = (int)ceil(SUBFRAME_CALM_MS / frame_ms(s));
	}
	if (e->calm_frames > 0)
		e->calm_frames--;
	e->cpu_short = e->calm_frames > 0 || e->behind > 0 || e->demoted ||
	               !subframe_affordable(e->recent_render_ns, call_ns(s), 0);
	if (e->cpu_short || model_state_save(s->model, e->error, sizeof e->error) < 0)
		return;
	e->pool_before = e->voices;
	if (s->resampler) /* the converter too: the new audio goes through it from where the old began */
		e->resampler_before = *s->resampler;
	e->snapshot_scene = s;
}

/* The probe armed for a move at the next frame's first sample moves to
 * `index`, where a re-decode made the move audible. */
static void move_latency_probe(engine *e, uint64_t from, uint64_t index)
{
	if (atomic_load_explicit(&e->probe_armed, memory_order_acquire) &&
	    atomic_load_explicit(&e->probe_frame, memory_order_relaxed) == from)
		atomic_store_explicit(&e->probe_frame, index, memory_order_relaxed);
}

/* A voice moved far enough while the staged frame plays: decode it again
 * from the saved state with the new targets and replace what the ring has
 * not taken yet (subframe.h). Only while the CPU has room: the frame's
 * decode and its re-decodes within SUBFRAME_CPU_SHARE of the frame, and
 * enough of it left that the next frame is not already due. */
void subframe_redecode_if_moved(engine *e)
{
	scene *s = e->current;
	if ((e->snapshot_scene != s && !e->cpu_short) || e->outgoing ||
	    !subframe_moved(&e->pool_decoded, &e->voices, s->terrain))
		return;
	if (e->cpu_short || e->behind > 0 || e->demoted ||
	    !subframe_affordable(e->recent_render_ns, call_ns(s), e->redecodes_now)) {
		if (!e->move_refused && e->redecodes_now == 0)
			atomic_fetch_add(&e->redecodes_refused, 1);
		e->move_refused = 1;
		return;
	}
	const int64_t period_ns = (int64_t)(1e9 * e->period / e->device_rate);
	const int64_t left_ns = (int64_t)(1e9 * (double)staged_left(e) / e->device_rate);
	if (left_ns < e->recent_render_ns + 2 * period_ns) /* the next frame is nearly due: it takes the move */
		return;
	voice_pool now = e->voices;
	if (subframe_voices(&e->voices, &e->pool_before, &e->pool_decoded, &now) < 0)
		return;
	int64_t t0 = clock_now_ns();
	if (model_state_restore(s->model, e->error, sizeof e->error) < 0) {
		e->voices = now;
		e->snapshot_scene = NULL; /* the frame plays on as it was */
		return;
	}
	if (s->resampler)
		*s->resampler = e->resampler_before;
	decode_and_mix(e, s);
	size_t frames;
	const float *fresh = decode_to_device_rate(e, s, &frames);
	const uint64_t end = next_frame_index(e);
	size_t fade = e->staged_pos == 0 ? 0 : (size_t)(SUBFRAME_FADE_MS * e->device_rate / 1000);
	subframe_replace(e->staged, e->staged_pos, e->staged_frames, fresh, fade);
	e->pool_decoded = e->voices;
	e->redecodes_now++;
	move_latency_probe(e, end, e->frames_written + fade / 2);
	atomic_fetch_add(&e->redecodes, 1);
	atomic_fetch_add(&e->redecode_ns, (uint64_t)(clock_now_ns() - t0));
}
