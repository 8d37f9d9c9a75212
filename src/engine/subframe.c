/*
 * subframe.c — control below the latent frame (subframe.h): its pure
 * decisions and arithmetic, then the engine's side, which saves the model's
 * state before each frame and decodes the playing frame again after a move.
 */
#include "subframe.h"

#include "engine_internal.h"

#include <math.h>
#include <stdio.h>
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

subframe_refusal subframe_refused(int calm_frames, int behind, int shedding, int64_t cost_ns, int64_t frame_ns,
                                  int redecodes)
{
	return calm_frames > 0                                      ? SUBFRAME_REFUSED_GLITCH
	       : behind > 0                                         ? SUBFRAME_REFUSED_BEHIND
	       : shedding                                           ? SUBFRAME_REFUSED_SHEDDING
	       : !subframe_affordable(cost_ns, frame_ns, redecodes) ? SUBFRAME_REFUSED_CPU
	                                                            : SUBFRAME_REFUSED_NOT;
}

void subframe_refusal_text(subframe_refusal why, int64_t cost_ns, int64_t frame_ns, char *out, size_t len)
{
	switch (why) {
	case SUBFRAME_REFUSED_GLITCH: snprintf(out, len, "an xrun or a late frame less than a second before"); break;
	case SUBFRAME_REFUSED_BEHIND: snprintf(out, len, "the render thread was behind the audio"); break;
	case SUBFRAME_REFUSED_SHEDDING: snprintf(out, len, "voices were being shed for overload"); break;
	case SUBFRAME_REFUSED_CPU:
		snprintf(
		    out, len,
		    "a frame's decode took %.1f ms of its %.1f ms (%.1f %%): a re-decode needs it under %.0f %%, so "
		    "that the frame's decodes keep within %.0f %% of it",
		    (double)cost_ns * 1e-6, (double)frame_ns * 1e-6,
		    frame_ns > 0 ? 100.0 * (double)cost_ns / (double)frame_ns : 0.0, 50.0 * SUBFRAME_CPU_SHARE,
		    100.0 * SUBFRAME_CPU_SHARE);
		break;
	default: snprintf(out, len, "%s", ""); break;
	}
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
	e->move_late = 0;
	e->short_why = SUBFRAME_REFUSED_NOT;
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
	e->short_why = subframe_refused(e->calm_frames, e->behind, e->demoted, e->recent_render_ns, call_ns(s), 0);
	/* the rows the frame's decode takes (a voice that starts after the save
	 * sounds in a row that decode leaves alone: its state needs no saving) */
	if (e->short_why != SUBFRAME_REFUSED_NOT ||
	    model_state_save(s->model, voices_rows_in_use(&e->voices, s->rows), e->error, sizeof e->error) < 0)
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

/* The new decode of the staged frame replaces the old: what the ring holds
 * of it from a callback's reach on goes out as a patch the callback lays
 * over the queued audio, crossfading into it (audio_patch.h), and the rest
 * of the staged frame is overwritten before it reaches the ring. Without a
 * free patch slot, or nothing queued beyond the callback's reach, only the
 * staged rest is replaced, after a crossfade. Returns the ring index where
 * the new audio is heard (the middle of the crossfade). */
static uint64_t replace_queued(engine *e, const float *fresh)
{
	const size_t fade = (size_t)(SUBFRAME_FADE_MS * e->device_rate / 1000);
	const uint64_t frame_start = e->frames_written - e->staged_pos; /* the ring index of staged[0] */
	/* the callback may be copying its current call's frames now: the patch starts past them */
	size_t reach = atomic_load_explicit(&e->pull_frames, memory_order_relaxed);
	reach = reach > (size_t)e->period ? reach : (size_t)e->period;
	uint64_t from = ring_consumed(e->audio) + reach;
	from = from > frame_start ? from : frame_start;
	float *patch = from < e->frames_written ? audio_patch_begin(&e->patch) : NULL;
	if (!patch) {
		const size_t at_once = e->staged_pos == 0 ? 0 : fade;
		subframe_replace(e->staged, e->staged_pos, e->staged_frames, fresh, at_once);
		return e->frames_written + at_once / 2;
	}
	const size_t first = (size_t)(from - frame_start), queued = e->staged_pos - first;
	subframe_replace(e->staged, first, e->staged_frames, fresh, 0);
	memcpy(patch, e->staged + ENGINE_CHANNELS * first, sizeof(float) * ENGINE_CHANNELS * queued);
	audio_patch_publish(&e->patch, from, queued);
	atomic_fetch_add_explicit(&e->queued_replaced, 1, memory_order_relaxed);
	return from + fade / 2;
}

/* A move that found no CPU for a re-decode, once a frame: counted, and
 * why, with what a frame cost then, for /status. */
static void count_refusal(engine *e, const scene *s, subframe_refusal why)
{
	atomic_store_explicit(&e->refused_cost_ns, e->recent_render_ns, memory_order_relaxed);
	atomic_store_explicit(&e->refused_frame_ns, call_ns(s), memory_order_relaxed);
	atomic_store_explicit(&e->refused_why, (int)why, memory_order_relaxed);
	atomic_fetch_add(&e->redecodes_refused, 1);
}

/* A voice moved far enough while the staged frame plays: decode it again
 * from the saved state with the new targets and replace what the ring has
 * not taken yet (subframe.h). Only while the CPU has room: the frame's
 * decode and its re-decodes within SUBFRAME_CPU_SHARE of the frame, and
 * enough of it left that the next frame is not already due. */
void subframe_redecode_if_moved(engine *e)
{
	scene *s = e->current;
	if (e->snapshot_scene == s && loops_or_grains_run(e)) {
		/* a loop or grains started after the frame was saved: the frame
		 * plays on as it was, and goes to the ring whole */
		e->snapshot_scene = NULL;
		return;
	}
	if ((e->snapshot_scene != s && e->short_why == SUBFRAME_REFUSED_NOT) || e->outgoing ||
	    !subframe_moved(&e->pool_decoded, &e->voices, s->terrain))
		return;
	subframe_refusal why =
	    e->short_why != SUBFRAME_REFUSED_NOT
	        ? e->short_why
	        : subframe_refused(0, e->behind, e->demoted, e->recent_render_ns, call_ns(s), e->redecodes_now);
	if (why != SUBFRAME_REFUSED_NOT) {
		if (!e->move_refused && e->redecodes_now == 0)
			count_refusal(e, s, why);
		e->move_refused = 1;
		return;
	}
	const int64_t period_ns = (int64_t)(1e9 * e->period / e->device_rate);
	/* All the audio there is before the device runs dry: the rest of the
	 * frame and the ring. Too little to decode this frame again and then
	 * the next one: the next frame takes the move. */
	const size_t queued = staged_left(e) + ring_readable(e->audio);
	const int64_t queued_ns = (int64_t)(1e9 * (double)queued / e->device_rate);
	if (queued_ns < 2 * e->recent_render_ns + 2 * period_ns) {
		if (!e->move_late && e->redecodes_now == 0)
			atomic_fetch_add(&e->redecodes_late, 1);
		e->move_late = 1;
		return;
	}
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
	const uint64_t heard = replace_queued(e, fresh);
	e->pool_decoded = e->voices;
	e->redecodes_now++;
	move_latency_probe(e, end, heard);
	atomic_fetch_add(&e->redecodes, 1);
	atomic_fetch_add(&e->redecode_ns, (uint64_t)(clock_now_ns() - t0));
}
