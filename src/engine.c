/*
 * engine.c — the render thread and the audio callback's side of it.
 *
 * The render thread keeps the audio ring filled to a target (one latent
 * frame at the device rate plus ring_ms), so the callback only copies
 * samples out. It sleeps on a semaphore the callback posts when the fill
 * falls below the target, with a one-period timeout so control events are
 * never left waiting.
 *
 * Latency is measured, not estimated: when the render thread applies a
 * cursor event it arms a probe with the event's arrival time and the index
 * (in ring samples) of the first sample rendered after it; the callback
 * that plays that sample stores now − arrival.
 */
#include "engine.h"

#include "error.h"

#include <math.h>
#include <sched.h>
#include <samplerate.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

enum {
	AUDIO_RING_FRAMES = ENGINE_AUDIO_RING,
	CONTROL_RING_EVENTS = 4096,
	RETIRE_RING_ITEMS = 256,
	RECORD_RING_FRAMES = 1 << 19, /* ~11 s of slack for the recorder thread */
	SCHEDULE_MAX = 256,
	PULL_CHUNK = 256,
};

typedef struct retired {
	voice *voice;
	gesture *gesture;
} retired;

/* What the retire ring could not take yet (the worker is busy, e.g.
 * training), oldest first: intrusive lists, so never full. */
typedef struct deferred_list {
	voice *voices, *last_voice;
	gesture *gestures, *last_gesture;
} deferred_list;

struct engine {
	ring *control, *audio, *retire, *record;
	_Atomic(voice *) pending;
	voice *latest; /* worker: the newest voice handed over (or the initial one) */
	int device_rate, period;
	size_t ring_extra; /* ring_ms in frames, when fixed by the config */
	int ring_fixed;
	atomic_size_t target_fill;
	atomic_bool running;
	pthread_t thread;
	int thread_started;
	sem_t wake;

	atomic_int render_started;
	int realtime; /* written by the render thread before render_started */

	/* render thread only */
	voice *current;
	float smooth_ms; /* the live smoothing time, kept across voice swaps */
	uint64_t frames_written;
	control_event schedule[SCHEDULE_MAX];
	int n_scheduled;
	gesture *playing;
	int64_t gesture_start_ns;
	size_t gesture_hint;
	deferred_list deferred;
	char error[512];

	/* audio callback only */
	uint64_t frames_read;
	float gain_now, fade_level;
	float gain_step;                    /* per-sample glide coefficient */
	float limiter_env, limiter_release; /* peak envelope, and its per-sample decay */

	/* shared counters */
	atomic_uint_fast64_t frames_rendered, underruns, dropped_schedule, decode_errors, swaps, frames_out, clamped;
	atomic_uint_fast64_t limited, resample_errors;
	atomic_int_fast64_t latency_ns, render_ns_max;
	atomic_uint_fast64_t probe_frame;
	atomic_int_fast64_t probe_ns;
	atomic_int probe_armed;
	atomic_uint gain_bits;
	atomic_uint target_bits[TERRAIN_MAX_CONTROL_DIM]; /* snapshot of the cursor target, for status and tests */
	atomic_uint latent_bits[ENGINE_LATENT_SNAPSHOT];  /* snapshot of the last frame's latents, for /notify */
	atomic_int latent_count;
	atomic_int fading, faded;
};

/* ---- voices (worker thread) ------------------------------------------ */

int voice_create(model *m, terrain *t, float smooth_ms, int device_rate, voice **out, char *err, size_t errlen,
                 char *warning, size_t warnlen)
{
	*out = NULL;
	voice *v = calloc(1, sizeof *v);
	if (!v)
		return error_set(err, errlen, "out of memory");
	if (render_init(&v->render, m, t, smooth_ms, err, errlen, warning, warnlen) < 0) {
		free(v);
		return -1;
	}
	v->rate_ratio = (double)device_rate / m->sample_rate;
	/* One render call's audio: frames_per_call latent frames (issue 15). */
	size_t n = (size_t)render_samples_per_call(&v->render);
	v->resampled_capacity = (size_t)ceil(n * v->rate_ratio) + 64;
	if (v->resampled_capacity > ENGINE_MAX_FRAME) {
		/* It would load and then never render: the ring must hold a whole
		 * frame on top of the audio kept ahead of the callback. */
		error_set(err, errlen,
		          "one decode call of this model (%d samples at %d Hz, %.0f at the device's %d Hz) is "
		          "longer than the live engine can buffer (%d samples): play it offline with "
		          "`terraind render`, or use a model with a smaller ratio or fewer frames per call",
		          (int)n, m->sample_rate, ceil(n * v->rate_ratio), device_rate, (int)ENGINE_MAX_FRAME);
		render_destroy(&v->render);
		free(v);
		return -1;
	}
	v->frame = calloc(n * (size_t)m->audio_channels, sizeof(float));
	v->stereo = calloc(n * ENGINE_CHANNELS, sizeof(float));
	v->resampled = calloc(v->resampled_capacity * ENGINE_CHANNELS, sizeof(float));
	int src_error = 0;
	if (device_rate != m->sample_rate)
		v->resampler = src_new(SRC_SINC_MEDIUM_QUALITY, ENGINE_CHANNELS, &src_error);
	if (!v->frame || !v->stereo || !v->resampled || src_error) {
		voice_free(v);
		return error_set(err, errlen, "cannot prepare the voice: %s",
		                 src_error ? src_strerror(src_error) : "out of memory");
	}
	v->model = m;
	v->terrain = t;
	m->refs++;
	t->refs++;
	*out = v;
	return 0;
}

void voice_free(voice *v)
{
	if (!v)
		return;
	render_destroy(&v->render);
	if (v->resampler)
		src_delete(v->resampler);
	model_free(v->model); /* NULL unless fully built, when it holds references */
	terrain_free(v->terrain);
	free(v->frame);
	free(v->stereo);
	free(v->resampled);
	free(v);
}

/* ---- creation ---------------------------------------------------------- */

int engine_create(int device_rate, int period, float ring_ms, int record, engine **out, char *err, size_t errlen)
{
	*out = NULL;
	engine *e = calloc(1, sizeof *e);
	if (!e)
		return error_set(err, errlen, "out of memory");
	e->device_rate = device_rate;
	e->period = period;
	e->ring_fixed = ring_ms > 0;
	e->ring_extra = (size_t)(ring_ms * device_rate / 1000.0f);
	e->control = ring_create(CONTROL_RING_EVENTS, sizeof(control_event));
	e->audio = ring_create(AUDIO_RING_FRAMES, ENGINE_CHANNELS * sizeof(float));
	e->retire = ring_create(RETIRE_RING_ITEMS, sizeof(retired));
	e->record = record ? ring_create(RECORD_RING_FRAMES, ENGINE_CHANNELS * sizeof(float)) : NULL;
	if (!e->control || !e->audio || !e->retire || (record && !e->record) || sem_init(&e->wake, 0, 0) != 0) {
		engine_free(e);
		return error_set(err, errlen, "out of memory for the engine's rings");
	}
	atomic_init(&e->latency_ns, -1);
	e->smooth_ms = -1.0f; /* until a /smooth message: each voice keeps the configured time */
	e->gain_now = 1.0f;
	e->fade_level = 1.0f;
	e->gain_step = 1.0f - expf(-1.0f / (0.010f * (float)device_rate));
	e->limiter_release = expf(-1.0f / (0.100f * (float)device_rate));
	engine_set_gain(e, 1.0f);
	*out = e;
	return 0;
}

void engine_free(engine *e)
{
	if (!e)
		return;
	engine_stop(e);
	engine_collect(e);
	for (voice *v = e->deferred.voices, *next; v; v = next) {
		next = v->retired_next;
		voice_free(v);
	}
	for (gesture *g = e->deferred.gestures, *next; g; g = next) {
		next = g->retired_next;
		gesture_free(g);
	}
	voice_free(atomic_exchange(&e->pending, NULL));
	voice_free(e->current);
	gesture_free(e->playing);
	for (int i = 0; i < e->n_scheduled; i++)
		gesture_free(e->schedule[i].gesture);
	if (e->control)
		engine_discard_controls(e);
	ring_free(e->control);
	ring_free(e->audio);
	ring_free(e->retire);
	ring_free(e->record);
	sem_destroy(&e->wake);
	free(e);
}

/* ---- render thread ----------------------------------------------------- */

/* The render thread renders the next latent frame when less than this much
 * audio is left in the ring. Lower means less latency (a cursor move waits
 * behind less audio); the floor is what the decode needs to finish before
 * the ring runs dry, with the callback taking a period at a time. */
static size_t render_threshold(const engine *e, const voice *v)
{
	if (e->ring_fixed)
		return e->ring_extra;
	/* Scheduling hiccups of several milliseconds happen on busy or virtual
	 * machines even to a real-time thread (render_max_ms in /status shows
	 * them): keep at least 10 ms, three periods, and two periods plus twice
	 * the model's decode time. */
	size_t decode = 2 * (size_t)e->period + (size_t)ceil(2.0 * v->model->decode_ms * 1e-3 * e->device_rate);
	size_t floor = (size_t)(0.010 * e->device_rate);
	if (floor < 3 * (size_t)e->period)
		floor = 3 * (size_t)e->period;
	return decode > floor ? decode : floor;
}

static void defer(deferred_list *d, voice *v, gesture *g)
{
	if (v) {
		v->retired_next = NULL;
		if (d->last_voice)
			d->last_voice->retired_next = v;
		else
			d->voices = v;
		d->last_voice = v;
	}
	if (g) {
		g->retired_next = NULL;
		if (d->last_gesture)
			d->last_gesture->retired_next = g;
		else
			d->gestures = g;
		d->last_gesture = g;
	}
}

/* Hands what was deferred to the ring while it has room, oldest first. */
static void hand_over_deferred(engine *e)
{
	deferred_list *d = &e->deferred;
	while (d->voices || d->gestures) {
		retired item = {d->voices, d->voices ? NULL : d->gestures};
		if (ring_write(e->retire, &item, 1) != 1)
			return;
		if (item.voice) {
			d->voices = item.voice->retired_next;
			if (!d->voices)
				d->last_voice = NULL;
		} else {
			d->gestures = item.gesture->retired_next;
			if (!d->gestures)
				d->last_gesture = NULL;
		}
	}
}

/* Passes a voice or gesture the render thread is done with to the worker,
 * which frees it: memory is never freed on a real-time thread, and nothing
 * is dropped (or leaked) when the worker is slow to collect. */
static void retire(engine *e, voice *v, gesture *g)
{
	hand_over_deferred(e);
	retired item = {v, g};
	if (e->deferred.voices || e->deferred.gestures || ring_write(e->retire, &item, 1) != 1)
		defer(&e->deferred, v, g);
}

static void take_pending_voice(engine *e)
{
	voice *v = atomic_exchange_explicit(&e->pending, NULL, memory_order_acq_rel);
	if (!v)
		return;
	voice *old = e->current;
	/* The performer's cursor carries over: same place, same glide. */
	memcpy(v->render.target, old->render.target, sizeof v->render.target);
	memcpy(v->render.cursor, old->render.cursor, sizeof v->render.cursor);
	v->render.has_cursor = old->render.has_cursor;
	if (e->smooth_ms >= 0)
		render_set_smoothing(&v->render, e->smooth_ms);
	terrain_clamp(v->terrain, v->render.target);
	terrain_clamp(v->terrain, v->render.cursor);
	e->current = v;
	atomic_store(&e->target_fill, render_threshold(e, v));
	atomic_fetch_add(&e->swaps, 1);
	retire(e, old, NULL);
}

static void arm_latency_probe(engine *e, int64_t received_ns)
{
	if (atomic_load_explicit(&e->probe_armed, memory_order_acquire))
		return;
	atomic_store_explicit(&e->probe_ns, received_ns, memory_order_relaxed);
	atomic_store_explicit(&e->probe_frame, e->frames_written, memory_order_relaxed);
	atomic_store_explicit(&e->probe_armed, 1, memory_order_release);
}

static void stop_gesture(engine *e)
{
	if (e->playing)
		retire(e, NULL, e->playing);
	e->playing = NULL;
}

static void apply_event(engine *e, const control_event *ev, int64_t now)
{
	render_engine *r = &e->current->render;
	switch (ev->type) {
	case CONTROL_TARGET:
		stop_gesture(e); /* a live hand takes over from a playing gesture */
		if (render_set_axes(r, ev->first_axis, ev->value, ev->dim) > 0)
			atomic_fetch_add(&e->clamped, 1);
		arm_latency_probe(e, ev->received_ns);
		break;
	case CONTROL_SMOOTH:
		e->smooth_ms = ev->value[0];
		render_set_smoothing(r, e->smooth_ms);
		break;
	case CONTROL_GESTURE:
		stop_gesture(e);
		e->playing = ev->gesture;
		e->gesture_start_ns = now;
		e->gesture_hint = 0;
		break;
	case CONTROL_STOP_GESTURE: stop_gesture(e); break;
	}
}

static unsigned float_bits(float f)
{
	union {
		float f;
		unsigned u;
	} b = {.f = f};
	return b.u;
}

static float bits_float(unsigned u)
{
	union {
		float f;
		unsigned u;
	} b = {.u = u};
	return b.f;
}

static void publish_target(engine *e)
{
	const float *t = e->current->render.target;
	for (int d = 0; d < TERRAIN_MAX_CONTROL_DIM; d++)
		atomic_store_explicit(&e->target_bits[d], float_bits(t[d]), memory_order_relaxed);
}

void engine_target(const engine *e, float *target)
{
	for (int d = 0; d < TERRAIN_MAX_CONTROL_DIM; d++)
		target[d] = bits_float(atomic_load_explicit(&e->target_bits[d], memory_order_relaxed));
}

static void publish_latent(engine *e, const float *latent, int n)
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

static void drain_controls(engine *e, int64_t now)
{
	control_event ev;
	while (ring_read(e->control, &ev, 1) == 1) {
		if (ev.apply_ns > now && e->n_scheduled < SCHEDULE_MAX)
			e->schedule[e->n_scheduled++] = ev;
		else if (ev.apply_ns > now) {
			atomic_fetch_add(&e->dropped_schedule, 1);
			if (ev.gesture)
				retire(e, NULL, ev.gesture);
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
	publish_target(e);
}

static void play_gesture(engine *e, int64_t now)
{
	if (!e->playing)
		return;
	float coord[GESTURE_MAX_DIM];
	double t = (double)(now - e->gesture_start_ns) * 1e-9;
	gesture_position(e->playing, t, &e->gesture_hint, coord);
	render_set_target(&e->current->render, coord, e->playing->control_dim);
	if (t > gesture_duration(e->playing))
		stop_gesture(e);
}

static void to_stereo(const voice *v, int frames)
{
	const int ch = v->model->audio_channels;
	for (int i = 0; i < frames; i++) {
		v->stereo[2 * i] = v->frame[i * ch];
		v->stereo[2 * i + 1] = v->frame[i * ch + (ch > 1)];
	}
}

static void render_one(engine *e)
{
	voice *v = e->current;
	const int n = render_samples_per_call(&v->render); /* frames_per_call latent frames (issue 15) */
	int64_t t0 = clock_now_ns();
	if (render_frame(&v->render, v->frame, e->error, sizeof e->error) < 0) {
		/* Keep time with silence; the daemon logs the error count. */
		memset(v->frame, 0, sizeof(float) * (size_t)n * (size_t)v->model->audio_channels);
		atomic_fetch_add(&e->decode_errors, 1);
	}
	to_stereo(v, n);
	const float *out = v->stereo;
	size_t frames = (size_t)n;
	if (v->resampler) {
		SRC_DATA d = {.data_in = v->stereo,
		              .data_out = v->resampled,
		              .input_frames = n,
		              .output_frames = (long)v->resampled_capacity,
		              .src_ratio = v->rate_ratio};
		out = v->resampled;
		if (src_process(v->resampler, &d) != 0) {
			/* Keep time with silence of the frame's length at the device rate. */
			atomic_fetch_add(&e->resample_errors, 1);
			src_reset(v->resampler);
			frames = (size_t)lround(n * v->rate_ratio);
			memset(v->resampled, 0, sizeof(float) * ENGINE_CHANNELS * frames);
		} else {
			frames = (size_t)d.output_frames_gen;
		}
	}
	e->frames_written += ring_write(e->audio, out, frames);
	publish_latent(e, v->render.latent, v->terrain->latent_dim);
	atomic_fetch_add(&e->frames_rendered, 1);
	int64_t took = clock_now_ns() - t0;
	if (took > atomic_load(&e->render_ns_max))
		atomic_store(&e->render_ns_max, took);
}

/* Events that arrived, then the gesture's position, both at this time. */
static void follow_controls(engine *e)
{
	int64_t now = clock_now_ns();
	drain_controls(e, now);
	play_gesture(e, now);
}

static void fill_audio(engine *e)
{
	while (atomic_load(&e->running) && ring_readable(e->audio) < atomic_load(&e->target_fill) &&
	       ring_writable(e->audio) >= e->current->resampled_capacity) {
		render_one(e);
		/* What arrived while decoding; and a gesture keeps time even when
		 * the render thread is behind and never leaves this loop. */
		follow_controls(e);
	}
}

static void wait_for_work(engine *e)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	long ns = (long)(1e9 * e->period / e->device_rate);
	deadline.tv_nsec += ns;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	sem_timedwait(&e->wake, &deadline);
}

/* Real-time scheduling for the render thread, below the audio callback's
 * (JACK gives its clients priority 5 and up by default): without it, any
 * busy process on a 2-core machine can delay a decode past the ring's
 * slack. Best effort: without the right (rtprio limit), it runs as a
 * normal thread and the daemon says so. */
static void request_realtime(engine *e)
{
	struct sched_param param = {.sched_priority = 2};
	e->realtime = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param) == 0;
}

static void *render_main(void *arg)
{
	engine *e = arg;
	request_realtime(e);
	atomic_store(&e->render_started, 1);
	while (atomic_load(&e->running)) {
		hand_over_deferred(e);
		take_pending_voice(e);
		follow_controls(e);
		fill_audio(e);
		wait_for_work(e);
	}
	return NULL;
}

int engine_start(engine *e, voice *initial, char *err, size_t errlen)
{
	e->current = e->latest = initial;
	atomic_store(&e->target_fill, render_threshold(e, initial));
	atomic_store(&e->running, true);
	publish_target(e);
	/* Render ahead before the first callback so it starts without an underrun. */
	fill_audio(e);
	if (pthread_create(&e->thread, NULL, render_main, e) != 0) {
		atomic_store(&e->running, false);
		e->current = NULL;
		return error_set(err, errlen, "cannot start the render thread");
	}
	e->thread_started = 1;
	while (!atomic_load(&e->render_started))
		sched_yield();
	return 0;
}

int engine_render_realtime(const engine *e)
{
	return e->realtime;
}

void engine_stop(engine *e)
{
	if (!e->thread_started)
		return;
	atomic_store(&e->running, false);
	sem_post(&e->wake);
	pthread_join(e->thread, NULL);
	e->thread_started = 0;
}

/* ---- worker ------------------------------------------------------------ */

voice *engine_current_voice(engine *e)
{
	return e->latest;
}

void engine_publish(engine *e, voice *v)
{
	e->latest = v;
	/* If the previous voice was never picked up, it was never played: free
	 * it here (references keep whatever it shares with the playing voice). */
	voice_free(atomic_exchange_explicit(&e->pending, v, memory_order_acq_rel));
	sem_post(&e->wake);
}

int engine_collect(engine *e)
{
	retired item;
	int freed = 0;
	while (ring_read(e->retire, &item, 1) == 1) {
		voice_free(item.voice);
		gesture_free(item.gesture);
		freed++;
	}
	return freed;
}

void engine_discard_controls(engine *e)
{
	control_event ev;
	while (ring_read(e->control, &ev, 1) == 1)
		gesture_free(ev.gesture);
}

/* ---- control thread ------------------------------------------------------ */

int engine_send(engine *e, const control_event *ev)
{
	if (ring_push(e->control, ev)) {
		sem_post(&e->wake);
		return 0;
	}
	return -1;
}

void engine_set_gain(engine *e, float gain)
{
	atomic_store(&e->gain_bits, float_bits(gain));
}

float engine_get_gain(const engine *e)
{
	return bits_float(atomic_load(&e->gain_bits));
}

void engine_fade_out(engine *e)
{
	atomic_store(&e->fading, 1);
}

int engine_faded(const engine *e)
{
	return atomic_load(&e->faded);
}

/* ---- audio callback -------------------------------------------------------- */

static void check_latency_probe(engine *e, size_t got)
{
	if (!atomic_load_explicit(&e->probe_armed, memory_order_acquire))
		return;
	uint64_t probe = atomic_load_explicit(&e->probe_frame, memory_order_relaxed);
	if (e->frames_read + got <= probe)
		return;
	atomic_store(&e->latency_ns, clock_now_ns() - atomic_load_explicit(&e->probe_ns, memory_order_relaxed));
	atomic_store_explicit(&e->probe_armed, 0, memory_order_release);
}

/* A stereo-linked peak limiter: the envelope jumps to a louder peak at
 * once and decays over ~100 ms, and the frame is scaled by ceiling/envelope
 * whenever the envelope is above the ceiling. Since the envelope is never
 * below the frame's own peak, no sample can leave ±ENGINE_CEILING; below
 * the ceiling the signal passes untouched. Returns whether it limited. */
static int limit_frame(engine *e, float *frame)
{
	float l = isfinite(frame[0]) ? frame[0] : 0.0f; /* a NaN from a model is silence, not noise */
	float r = isfinite(frame[1]) ? frame[1] : 0.0f;
	float peak = fmaxf(fabsf(l), fabsf(r));
	e->limiter_env = fmaxf(peak, e->limiter_env * e->limiter_release);
	int limiting = e->limiter_env > ENGINE_CEILING;
	float g = limiting ? ENGINE_CEILING / e->limiter_env : 1.0f;
	/* (the clamp only catches the last bit of rounding in ceiling/envelope) */
	frame[0] = fminf(fmaxf(l * g, -ENGINE_CEILING), ENGINE_CEILING);
	frame[1] = fminf(fmaxf(r * g, -ENGINE_CEILING), ENGINE_CEILING);
	return limiting;
}

/* Gain glide, fade-out and limiter, per sample, on stereo frames. */
static void apply_gain(engine *e, float *stereo, size_t frames)
{
	const float target = engine_get_gain(e);
	const int fading = atomic_load_explicit(&e->fading, memory_order_relaxed);
	const float fade_step = 1.0f / (0.05f * (float)e->device_rate); /* 50 ms to silence */
	int limited = 0;
	for (size_t i = 0; i < frames; i++) {
		e->gain_now += (target - e->gain_now) * e->gain_step;
		if (fading && e->fade_level > 0.0f)
			e->fade_level = fmaxf(0.0f, e->fade_level - fade_step);
		float g = e->gain_now * e->fade_level;
		stereo[2 * i] *= g;
		stereo[2 * i + 1] *= g;
		limited |= limit_frame(e, stereo + 2 * i);
	}
	if (limited)
		atomic_fetch_add_explicit(&e->limited, 1, memory_order_relaxed);
	if (fading && e->fade_level <= 0.0f)
		atomic_store(&e->faded, 1);
}

void engine_pull(engine *e, float *out, unsigned long frames, int channels)
{
	float chunk[PULL_CHUNK * ENGINE_CHANNELS];
	int short_read = 0;
	for (unsigned long done = 0; done < frames;) {
		size_t want = frames - done < PULL_CHUNK ? frames - done : PULL_CHUNK;
		size_t got = ring_read(e->audio, chunk, want);
		check_latency_probe(e, got);
		e->frames_read += got;
		if (got < want) {
			memset(chunk + got * ENGINE_CHANNELS, 0, sizeof(float) * ENGINE_CHANNELS * (want - got));
			short_read = 1;
		}
		apply_gain(e, chunk, want);
		if (e->record && ring_write(e->record, chunk, want) < want)
			atomic_fetch_add(&e->record->dropped, 1);
		for (size_t i = 0; i < want; i++) {
			if (channels == 1)
				out[done + i] = 0.5f * (chunk[2 * i] + chunk[2 * i + 1]);
			else
				for (int c = 0; c < channels; c++)
					out[(done + i) * (size_t)channels + (size_t)c] =
					    c < 2 ? chunk[2 * i + (size_t)c] : 0.0f;
		}
		done += want;
	}
	if (short_read)
		atomic_fetch_add(&e->underruns, 1);
	atomic_fetch_add(&e->frames_out, frames);
	if (ring_readable(e->audio) < atomic_load_explicit(&e->target_fill, memory_order_relaxed))
		sem_post(&e->wake);
}

/* ---- stats ---------------------------------------------------------------- */

void engine_stats_read(const engine *e, engine_stats *s)
{
	s->frames_rendered = atomic_load(&e->frames_rendered);
	s->underruns = atomic_load(&e->underruns);
	s->dropped_events = ring_dropped(e->control) + atomic_load(&e->dropped_schedule);
	s->clamped = atomic_load(&e->clamped);
	s->decode_errors = atomic_load(&e->decode_errors);
	s->latency_ns = atomic_load(&e->latency_ns);
	s->render_ns_max = atomic_load(&e->render_ns_max);
	s->swaps = atomic_load(&e->swaps);
	s->audio_frames_out = atomic_load(&e->frames_out);
	s->limited = atomic_load(&e->limited);
	s->resample_errors = atomic_load(&e->resample_errors);
}

int engine_device_rate(const engine *e)
{
	return e->device_rate;
}

size_t engine_target_fill(const engine *e)
{
	return atomic_load(&e->target_fill);
}

ring *engine_record_ring(engine *e)
{
	return e->record;
}
