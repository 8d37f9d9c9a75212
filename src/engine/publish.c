/*
 * publish.c — what the render thread shows other threads: voices' targets,
 * gains and pans, the latest latents, the counters (/status, /notify). All
 * atomics, written by the render thread and read by anyone.
 */
#include "engine_internal.h"

void publish_targets(engine *e)
{
	for (int i = 0; i < ENGINE_MAX_VOICES; i++) {
		const voice *v = &e->voices.voices[i];
		for (int d = 0; d < TERRAIN_MAX_CONTROL_DIM; d++)
			atomic_store_explicit(&e->target_bits[i][d], float_bits(v->control.target[d]),
			                      memory_order_relaxed);
		atomic_store_explicit(&e->sounding[i], v->state != VOICE_FREE, memory_order_release);
	}
	atomic_store(&e->voices_active, voices_sounding(&e->voices));
	loops_publish(e);
}

int engine_voice_target(const engine *e, int n, float *target)
{
	if (n < 0 || n >= ENGINE_MAX_VOICES)
		return 0;
	int sounding = atomic_load_explicit(&e->sounding[n], memory_order_acquire);
	for (int d = 0; d < TERRAIN_MAX_CONTROL_DIM; d++)
		target[d] = bits_float(atomic_load_explicit(&e->target_bits[n][d], memory_order_relaxed));
	return sounding;
}

void engine_target(const engine *e, float *target)
{
	engine_voice_target(e, 0, target);
}

void engine_voice_mix(const engine *e, int n, float *gain, float *pan)
{
	*gain = bits_float(atomic_load_explicit(&e->voice_gain_bits[n], memory_order_relaxed));
	*pan = bits_float(atomic_load_explicit(&e->voice_pan_bits[n], memory_order_relaxed));
}

void publish_latent(engine *e, const float *latent, int n)
{
	if (n > ENGINE_LATENT_SNAPSHOT)
		n = ENGINE_LATENT_SNAPSHOT;
	for (int i = 0; i < n; i++)
		atomic_store_explicit(&e->latent_bits[i], float_bits(latent[i]), memory_order_relaxed);
	atomic_store_explicit(&e->latent_count, n, memory_order_release);
}

int engine_latent(const engine *e, float *latent, int max)
{
	int n = atomic_load_explicit(&e->latent_count, memory_order_acquire);
	if (n > max)
		n = max;
	for (int i = 0; i < n; i++)
		latent[i] = bits_float(atomic_load_explicit(&e->latent_bits[i], memory_order_relaxed));
	return n;
}

void engine_stats_read(const engine *e, engine_stats *s)
{
	s->frames_rendered = atomic_load(&e->frames_rendered);
	s->underruns = atomic_load(&e->underruns);
	s->dropped_events = atomic_load(&e->dropped_schedule);
	for (int source = 0; source < ENGINE_SOURCES; source++)
		s->dropped_events += ring_dropped(e->control[source]);
	s->clamped = atomic_load(&e->clamped);
	s->decode_errors = atomic_load(&e->decode_errors);
	s->latency_ns = atomic_load(&e->latency_ns);
	s->render_ns_max = atomic_load(&e->render_ns_max);
	s->swaps = atomic_load(&e->swaps);
	s->audio_frames_out = atomic_load(&e->frames_out);
	s->limited = atomic_load(&e->limited);
	s->record_lost = atomic_load(&e->record_lost);
	s->voices_active = atomic_load(&e->voices_active);
	s->voices_max = atomic_load(&e->voices_max);
	s->voices_shed = atomic_load(&e->voices_shed);
	s->overloaded = atomic_load(&e->overloaded);
	s->render_realtime = atomic_load(&e->realtime_now);
	s->subframe = atomic_load(&e->subframe_state);
	s->redecodes = atomic_load(&e->redecodes);
	s->redecode_ns = atomic_load(&e->redecode_ns);
	s->redecodes_refused = atomic_load(&e->redecodes_refused);
	s->redecodes_late = atomic_load(&e->redecodes_late);
	subframe_refusal_text((subframe_refusal)atomic_load(&e->refused_why), atomic_load(&e->refused_cost_ns),
	                      atomic_load(&e->refused_frame_ns), s->redecodes_refused_why,
	                      sizeof s->redecodes_refused_why);
	s->queued_replaced = atomic_load(&e->queued_replaced);
	s->render_threads = atomic_load(&e->render_threads);
	s->worker_decodes = atomic_load(&e->worker_decodes);
}

const char *engine_subframe_text(int state)
{
	switch (state) {
	case ENGINE_SUBFRAME_ON: return "on";
	case ENGINE_SUBFRAME_OFF_CONFIG: return "off: engine.subframe is false";
	case ENGINE_SUBFRAME_OFF_MODEL:
		return "off: the model's decode cannot be repeated from a snapshot of its state (see terraind info)";
	default: return "off";
	}
}
