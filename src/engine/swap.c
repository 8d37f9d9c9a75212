/*
 * swap.c — scenes handed from the worker to the render thread, and the
 * equal-power crossfade from the old scene to the new.
 *
 * The worker publishes a scene with one atomic exchange; the render thread
 * takes it between frames, carries the voices over and decodes the old
 * scene on under the new one for the crossfade, then retires it. A swap
 * that keeps the model (a new terrain) morphs instead: the voices' latents
 * move from the old terrain's to the new one's over the same time, in one
 * decode, because both scenes share the model's streaming state, which a
 * second decode a frame would move on twice. The
 * callback marks a swap audible when it reaches the swap's first sample,
 * which is when a load is answered /done.
 */
#include "engine_internal.h"

#include <math.h>
#include <string.h>
#include <time.h>

/* The old scene plays on under the new one for the crossfade (both decode
 * meanwhile), then retires. A swap during a crossfade retires the scene
 * that was already fading out. */
static void start_crossfade(engine *e, scene *old, const scene *s)
{
	if (e->outgoing)
		engine_retire(e, e->outgoing, NULL);
	e->outgoing = NULL;
	e->morph_len = 0;
	double ms = e->crossfade_ms;
	if (ms <= 0) {
		ms = 50.0;
		if (frame_ms(old) > ms)
			ms = frame_ms(old);
		if (frame_ms(s) > ms)
			ms = frame_ms(s);
	}
	if (old->model == s->model) { /* costs nothing: even when behind */
		const double latent_frame_ms = 1000.0 * s->model->ratio / s->model->sample_rate;
		e->outgoing = old;
		e->morph_done = 0;
		e->morph_len = (int)ceil(ms / latent_frame_ms);
		return;
	}
	if (e->behind > 0 || e->demoted) {
		/* Behind already: decoding the old scene on for a crossfade would
		 * only prolong the glitches. The swap cuts (the ring's audio of the
		 * old scene still plays first). */
		engine_retire(e, old, NULL);
		return;
	}
	size_t len = (size_t)(ms * e->device_rate / 1000.0);
	e->outgoing = old;
	e->outgoing_frames = 0;
	e->xfade_done = 0;
	e->xfade_len = len > 0 ? len : 1;
}

/* Voices carry over to the new scene: same targets (clamped to its
 * bounds), same rows; its smoothing follows the new model's frame. */
void swap_take_pending(engine *e)
{
	scene *s = atomic_exchange_explicit(&e->pending, NULL, memory_order_acq_rel);
	if (!s)
		return;
	scene *old = e->current;
	for (int i = 0; i < VOICES_MAX; i++) {
		voice *v = &e->voices.voices[i];
		render_cursor_set_smoothing(&v->control, s->model, voice_smoothing(e, s));
		terrain_clamp(s->terrain, v->control.target);
		terrain_clamp(s->terrain, v->control.cursor);
		if (v->state != VOICE_FREE && v->row >= s->rows) /* a single-row model: one voice sounds */
			v->state = VOICE_FREE;
		if (v->state != VOICE_FREE)
			s->row_used[v->row] = 1;
	}
	e->current = s;
	e->snapshot_scene = NULL; /* the staged frame is the old scene's: no re-decode of it */
	start_crossfade(e, old, s);
	atomic_store(&e->voices_max, s->rows < e->max_voices ? s->rows : e->max_voices);
	atomic_store(&e->target_fill, engine_render_threshold(e, s));
	atomic_store(&e->subframe_state, subframe_state_of(e, s));
	atomic_store(&e->render_threads, decode_parts_threads(e, s));
	atomic_fetch_add(&e->swaps, 1);
	atomic_store_explicit(&e->swap_frame, next_frame_index(e), memory_order_relaxed);
	atomic_store_explicit(&e->taken_serial, s->serial, memory_order_release);
}

/* One more frame of the outgoing scene, at the voices' present cursors
 * and levels, appended at the device rate to what waits to be mixed in. */
static void render_outgoing(engine *e)
{
	scene *o = e->outgoing;
	int rows = 0;
	for (int k = 0; k < o->frames_per_call; k++)
		rows = decode_evaluate_rows(e, o, k);
	decode_rows(e, o, rows);
	/* Grains have no window in the old scene's timeline: they rise with the new one. */
	grains_silence(&e->grains, &e->voices, o->planar, rows, o->model->audio_channels, call_samples(o));
	voices_mix_held(&e->voices, o->planar, rows, o->model->audio_channels, call_samples(o), o->mix);
	size_t frames;
	const float *audio = decode_to_device_rate(e, o, &frames);
	memcpy(e->outgoing_audio + ENGINE_CHANNELS * e->outgoing_frames, audio,
	       sizeof(float) * ENGINE_CHANNELS * frames);
	e->outgoing_frames += frames;
}

/* Linear in the latent space: latent frame j of the morph (from 0) lies
 * (j + 1) / (len + 1) of the way from the old terrain's latents to the
 * new's, and the frame after the last one is the new terrain's own. */
void swap_morph_latents(engine *e, const voice *v, int k, float *z)
{
	if (e->morph_len <= 0 || !e->outgoing)
		return;
	scene *o = e->outgoing;
	const int ld = o->terrain->latent_dim;
	float old[TERRAIN_MAX_LATENT_DIM];
	terrain_eval(o->terrain, v->control.cursor, old, o->scratch);
	render_cursor_apply_pitch(&v->control, render_scene_pitch(o->terrain, o->model), old, ld);
	const float w = (float)(e->morph_done + k + 1) / (float)(e->morph_len + 1);
	for (int c = 0; c < ld; c++)
		z[c] = w * z[c] + (1.0f - w) * old[c];
}

static void retire_outgoing(engine *e)
{
	engine_retire(e, e->outgoing, NULL);
	e->outgoing = NULL;
	e->morph_len = 0;
}

/* Equal power: the new scene rises as sin, the old falls as cos of the
 * same angle, so the sum of their powers stays constant. */
void swap_crossfade(engine *e, float *out, size_t frames)
{
	if (e->morph_len > 0) {
		e->morph_done += e->current->frames_per_call;
		if (e->morph_done >= e->morph_len)
			retire_outgoing(e);
		return;
	}
	while (e->outgoing_frames < frames)
		render_outgoing(e);
	const float *old = e->outgoing_audio;
	for (size_t i = 0; i < frames; i++) {
		double x = (double)(e->xfade_done + i) / (double)e->xfade_len;
		float angle = (float)(0.5 * M_PI * (x < 1.0 ? x : 1.0)), up = sinf(angle), down = cosf(angle);
		out[2 * i] = up * out[2 * i] + down * old[2 * i];
		out[2 * i + 1] = up * out[2 * i + 1] + down * old[2 * i + 1];
	}
	e->outgoing_frames -= frames;
	memmove(e->outgoing_audio, e->outgoing_audio + ENGINE_CHANNELS * frames,
	        sizeof(float) * ENGINE_CHANNELS * e->outgoing_frames);
	e->xfade_done += frames;
	if (e->xfade_done >= e->xfade_len)
		retire_outgoing(e);
}

/* A swap becomes audible when the callback reaches the ring index of its
 * first sample. */
void swap_check_audible(engine *e)
{
	uint64_t taken = atomic_load_explicit(&e->taken_serial, memory_order_acquire);
	if (taken == e->audible_seen || e->frames_read < atomic_load_explicit(&e->swap_frame, memory_order_relaxed))
		return;
	e->audible_seen = taken;
	atomic_store_explicit(&e->audible_serial, taken, memory_order_release);
}

scene *engine_latest_scene(engine *e)
{
	return e->latest;
}

uint64_t engine_publish(engine *e, scene *s)
{
	s->serial = ++e->serial;
	e->latest = s;
	/* If the previous scene was never picked up, it was never played: free
	 * it here (references keep whatever it shares with the playing scene). */
	scene_free(atomic_exchange_explicit(&e->pending, s, memory_order_acq_rel));
	sem_post(&e->wake);
	return s->serial;
}

int engine_wait_audible(engine *e, uint64_t serial, int timeout_ms)
{
	for (int waited = 0; waited <= timeout_ms; waited += 2) {
		if (atomic_load(&e->audible_serial) >= serial)
			return 0;
		nanosleep(&(struct timespec){0, 2 * 1000 * 1000}, NULL);
	}
	return -1;
}
