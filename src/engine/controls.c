/*
 * controls.c — control events from the network thread (and the worker's
 * file loads: engine_source), applied by the
 * render thread between frames: cursor targets, gestures, voices' gain,
 * pan and release, grain settings, loop commands; events with a time are
 * held until it comes.
 */
#include "engine_internal.h"

#include <string.h>

static void arm_latency_probe(engine *e, int64_t received_ns)
{
	if (atomic_load_explicit(&e->probe_armed, memory_order_acquire))
		return;
	atomic_store_explicit(&e->probe_ns, received_ns, memory_order_relaxed);
	atomic_store_explicit(&e->probe_frame, next_frame_index(e), memory_order_relaxed);
	atomic_store_explicit(&e->probe_armed, 1, memory_order_release);
}

void engine_stop_gesture(engine *e, voice *v)
{
	if (v->playing)
		engine_retire(e, NULL, v->playing);
	v->playing = NULL;
}

/* Sounds voice n in the current scene; counts a refusal (no row free). */
void engine_sound_voice(engine *e, int n)
{
	const scene *s = e->current;
	if (voices_start(&e->voices, n, s->rows, s->row_used, call_samples(s), s->model->sample_rate) < 0)
		atomic_fetch_add(&e->voices_shed, 1);
}

static void apply_event(engine *e, const control_event *ev, int64_t now)
{
	if (ev->type == CONTROL_GRAIN) {
		grains_apply(&e->grains, ev->first_axis, ev->value, ev->dim);
		return;
	}
	if (ev->voice < 0 || ev->voice >= e->max_voices) {
		if (ev->gesture)
			engine_retire(e, NULL, ev->gesture);
		return;
	}
	if (ev->type != CONTROL_SMOOTH) /* the performer takes a voice a grain had borrowed */
		grains_release_voice(&e->grains, ev->voice);
	voice *v = &e->voices.voices[ev->voice];
	const terrain *t = e->current->terrain;
	switch (ev->type) {
	case CONTROL_TARGET:
		engine_stop_gesture(e, v); /* a live hand takes over from a playing gesture */
		if (render_cursor_set_axes(&v->control, t, ev->first_axis, ev->value, ev->dim) > 0)
			atomic_fetch_add(&e->clamped, 1);
		engine_sound_voice(e, ev->voice);
		arm_latency_probe(e, ev->received_ns);
		break;
	case CONTROL_SMOOTH:
		e->smooth_ms = ev->value[0];
		for (int i = 0; i < VOICES_MAX; i++)
			render_cursor_set_smoothing(&e->voices.voices[i].control, e->current->model, e->smooth_ms);
		break;
	case CONTROL_GESTURE:
		engine_stop_gesture(e, v);
		v->playing = ev->gesture;
		v->gesture_start_ns = now;
		v->gesture_hint = 0;
		engine_sound_voice(e, ev->voice);
		break;
	case CONTROL_STOP_GESTURE: engine_stop_gesture(e, v); break;
	case CONTROL_VOICE_OFF: voices_release(&e->voices, ev->voice); break;
	case CONTROL_VOICE_GAIN: v->gain = ev->value[0]; break;
	case CONTROL_VOICE_PAN: v->pan = ev->value[0]; break;
	case CONTROL_GRAIN: break; /* applied above */
	case CONTROL_LOOP: loops_apply(e, ev); break;
	case CONTROL_VOICE_PITCH: render_cursor_set_pitch(&v->control, ev->value[0]); break;
	}
}

void controls_drain(engine *e, int64_t now)
{
	control_event ev;
	for (int source = 0; source < ENGINE_SOURCES; source++)
		while (ring_read(e->control[source], &ev, 1) == 1) {
			if (ev.apply_ns > now && e->n_scheduled < SCHEDULE_MAX)
				e->schedule[e->n_scheduled++] = ev;
			else if (ev.apply_ns > now) {
				atomic_fetch_add(&e->dropped_schedule, 1);
				if (ev.gesture)
					engine_retire(e, NULL, ev.gesture);
			} else
				apply_event(e, &ev, now);
		}
	/* Scheduled events, in arrival order among those due. */
	for (int i = 0; i < e->n_scheduled;) {
		if (e->schedule[i].apply_ns <= now) {
			control_event due = e->schedule[i];
			memmove(e->schedule + i, e->schedule + i + 1,
			        sizeof(control_event) * (size_t)(--e->n_scheduled - i));
			apply_event(e, &due, now);
		} else {
			i++;
		}
	}
	publish_targets(e);
}

void controls_play_gestures(engine *e, int64_t now)
{
	for (int i = 0; i < VOICES_MAX; i++) {
		voice *v = &e->voices.voices[i];
		if (!v->playing)
			continue;
		float coord[GESTURE_MAX_DIM];
		double t = (double)(now - v->gesture_start_ns) * 1e-9;
		gesture_position(v->playing, t, &v->gesture_hint, coord);
		render_cursor_set_axes(&v->control, e->current->terrain, 0, coord, v->playing->control_dim);
		if (t > gesture_duration(v->playing))
			engine_stop_gesture(e, v);
	}
}

int engine_send_from(engine *e, engine_source source, const control_event *ev)
{
	if (ring_push(e->control[source], ev)) {
		sem_post(&e->wake);
		return 0;
	}
	return -1;
}

int engine_send(engine *e, const control_event *ev)
{
	return engine_send_from(e, ENGINE_FROM_NETWORK, ev);
}

void engine_discard_controls(engine *e)
{
	control_event ev;
	for (int source = 0; source < ENGINE_SOURCES; source++)
		while (e->control[source] && ring_read(e->control[source], &ev, 1) == 1)
			gesture_free(ev.gesture);
}
