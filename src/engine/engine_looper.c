/*
 * engine_looper.c — the looper (looper.h) inside the engine: loop commands
 * applied between frames, loops driving their voices each latent frame and
 * recording theirs, Link's beat, and what the loops show other threads.
 */
#include "engine_internal.h"

#include <string.h>

/* A copy of loop n's take in a free export slot; its number, or -1 when
 * every slot is held. */
static int export_take(engine *e, int n)
{
	for (int slot = 0; slot < ENGINE_EXPORT_SLOTS; slot++)
		if (!atomic_load_explicit(&e->export_held[slot], memory_order_acquire)) {
			looper_export(e->loops, n, e->exports[slot]);
			atomic_store_explicit(&e->export_held[slot], 1, memory_order_release);
			return slot;
		}
	return -1;
}

/* A looper command (or an export: op LOOP_EXPORT); a loaded take's
 * gesture is copied, then let go. With a ticket, the result is answered.
 * The answers ring holds more than the control side lets be outstanding
 * (osc_pending.h), so an answer is never dropped. */
void loops_apply(engine *e, const control_event *ev)
{
	loop_command c = ev->loop;
	c.gesture = ev->gesture;
	engine_answer answer = {.ticket = ev->ticket, .slot = -1};
	if (c.op == LOOP_EXPORT) {
		answer.slot = ev->ticket ? export_take(e, c.loop) : -1;
		answer.rc = answer.slot < 0 ? ENGINE_LOOP_NO_SLOT : 0;
	} else {
		answer.rc = looper_command(e->loops, &c) < 0 ? ENGINE_LOOP_REFUSED : 0;
	}
	if (ev->gesture)
		engine_retire(e, NULL, ev->gesture);
	loops_publish(e); /* what a client asks after the /done shows the command applied */
	if (ev->ticket && !ring_push(e->answers, &answer) && answer.slot >= 0)
		engine_export_release(e, answer.slot);
}

/* The loop that drives voice i this frame (voice_latent[i] is set). */
static int looping_voice(const engine *e, int i)
{
	for (int n = 0; n < LOOPER_LOOPS; n++)
		if (e->loop_out[n].voice == i)
			return n;
	return 0;
}

const float *loops_latent(const engine *e, int i, int latent_dim)
{
	const float *latent = e->voice_latent[i];
	return latent && e->loop_out[looping_voice(e, i)].latent_dim == latent_dim ? latent : NULL;
}

/* The loops step by one latent frame and steer their voices: the point of
 * the path goes to both target and cursor (the loop replays what was
 * heard, not smoothed a second time). */
void loops_drive(engine *e, const scene *s)
{
	const terrain *t = s->terrain;
	tempo_link *link = atomic_load_explicit(&e->link, memory_order_acquire);
	double beat, bpm; /* with Link, the beat of the moment this frame will be heard */
	long ahead_us = (long)(1e6 * (double)ring_readable(e->audio) / e->device_rate);
	if (link && tempo_link_beat(link, e->loops->meter, ahead_us, &beat, &bpm))
		looper_sync(e->loops, beat, bpm);
	looper_advance(e->loops, (double)s->model->ratio / s->model->sample_rate, e->loop_out);
	memset(e->voice_latent, 0, sizeof e->voice_latent);
	for (int n = 0; n < LOOPER_LOOPS; n++) {
		const loop_output *o = &e->loop_out[n];
		if (o->release_voice >= 0 && o->release_voice < e->max_voices)
			voices_release(&e->voices, o->release_voice);
		if (o->voice < 0 || o->voice >= e->max_voices)
			continue;
		voice *v = &e->voices.voices[o->voice];
		int dim = o->dim < t->control_dim ? o->dim : t->control_dim;
		engine_stop_gesture(e, v);
		if (render_cursor_set_axes(&v->control, t, 0, o->coord, dim) > 0)
			atomic_fetch_add(&e->clamped, 1);
		memcpy(v->control.cursor, v->control.target, sizeof v->control.cursor);
		v->control.has_cursor = 1;
		v->gain = o->gain;
		e->voice_latent[o->voice] = o->latent;
		if (o->start) { /* a loop takes its voice from a grain as the performer does */
			grains_release_voice(&e->grains, o->voice);
			engine_sound_voice(e, o->voice);
		}
	}
}

/* Recording loops take their source voice's point of latent frame k: its
 * cursor and the latents decoded there. */
void loops_capture(engine *e, scene *s, int k)
{
	const int ld = s->terrain->latent_dim, per_call = s->frames_per_call;
	for (int n = 0; n < LOOPER_LOOPS; n++) {
		int src = looper_recording_voice(e->loops, n);
		if (src < 0 || src >= VOICES_MAX)
			continue;
		const voice *v = &e->voices.voices[src];
		float z[TERRAIN_MAX_LATENT_DIM];
		if (v->state != VOICE_FREE && v->row < s->rows) {
			const float *row = s->latents + (size_t)v->row * ld * per_call;
			for (int c = 0; c < ld; c++)
				z[c] = row[c * per_call + k];
		} else {
			terrain_eval(s->terrain, v->control.cursor, z, s->scratch);
		}
		looper_capture(e->loops, n, v->control.cursor, s->terrain->control_dim, z, ld);
	}
}

void loops_publish(engine *e)
{
	for (int i = 0; i < ENGINE_MAX_VOICES; i++) {
		atomic_store_explicit(&e->voice_gain_bits[i], float_bits(e->voices.voices[i].gain),
		                      memory_order_relaxed);
		atomic_store_explicit(&e->voice_pan_bits[i], float_bits(e->voices.voices[i].pan), memory_order_relaxed);
	}
	for (int n = 0; n < LOOPER_LOOPS; n++) {
		loop_info info;
		looper_info(e->loops, n, &info);
		struct loop_published *p = &e->loop_pub[n];
		atomic_store_explicit(&p->frames, info.frames, memory_order_relaxed);
		atomic_store_explicit(&p->can_undo, info.can_undo, memory_order_relaxed);
		atomic_store_explicit(&p->can_redo, info.can_redo, memory_order_relaxed);
		atomic_store_explicit(&p->position, info.position, memory_order_relaxed);
		atomic_store_explicit(&p->length, info.length, memory_order_relaxed);
		atomic_store_explicit(&p->start_beat, info.start_beat, memory_order_relaxed);
		atomic_store_explicit(&p->full_count, info.full_count, memory_order_relaxed);
		for (int k = 0; k < LOOP_KEYS; k++)
			atomic_store_explicit(&p->setting[k], looper_setting(&info.settings, (loop_key)k),
			                      memory_order_relaxed);
		atomic_store_explicit(&p->state, (int)info.state, memory_order_release);
	}
}

void engine_loop_info(const engine *e, int n, loop_info *info)
{
	struct loop_published *p = (struct loop_published *)&e->loop_pub[n];
	info->state = (loop_state)atomic_load_explicit(&p->state, memory_order_acquire);
	info->frames = atomic_load_explicit(&p->frames, memory_order_relaxed);
	info->can_undo = atomic_load_explicit(&p->can_undo, memory_order_relaxed);
	info->can_redo = atomic_load_explicit(&p->can_redo, memory_order_relaxed);
	info->position = atomic_load_explicit(&p->position, memory_order_relaxed);
	info->length = atomic_load_explicit(&p->length, memory_order_relaxed);
	info->start_beat = atomic_load_explicit(&p->start_beat, memory_order_relaxed);
	info->full_count = atomic_load_explicit(&p->full_count, memory_order_relaxed);
	info->settings = looper_default_settings(0);
	for (int k = 0; k < LOOP_KEYS; k++)
		looper_apply_setting(&info->settings, (loop_key)k,
		                     atomic_load_explicit(&p->setting[k], memory_order_relaxed));
}

int engine_loop_send(engine *e, engine_source source, const loop_command *c, gesture *g, uint64_t ticket)
{
	control_event ev = {.type = CONTROL_LOOP, .gesture = g, .loop = *c, .ticket = ticket};
	if (!atomic_load(&e->running)) { /* nothing would apply it (tests and fuzzers without a render thread) */
		gesture_free(g);
		return ENGINE_LOOP_STOPPED;
	}
	if (engine_send_from(e, source, &ev) < 0) {
		gesture_free(g);
		return ENGINE_LOOP_FULL;
	}
	return 0;
}

int engine_answers(engine *e, engine_answer *out, int max)
{
	return (int)ring_read(e->answers, out, (size_t)max);
}

const loop_export *engine_export(const engine *e, int slot)
{
	return slot >= 0 && slot < ENGINE_EXPORT_SLOTS ? e->exports[slot] : NULL;
}

void engine_export_release(engine *e, int slot)
{
	if (slot >= 0 && slot < ENGINE_EXPORT_SLOTS)
		atomic_store_explicit(&e->export_held[slot], 0, memory_order_release);
}

void engine_set_link(engine *e, tempo_link *l)
{
	atomic_store_explicit(&e->link, l, memory_order_release);
}
