/*
 * engine.c — the engine's lifecycle and its render loop (engine_internal.h
 * lists the files that hold the rest).
 *
 * The render thread keeps the audio ring filled to a target (one latent
 * frame at the device rate plus ring_ms), so the callback only copies
 * samples out. It sleeps on a semaphore the callback posts when the fill
 * falls below the target, with a one-period timeout so control events are
 * never left waiting.
 *
 * Each latent frame: every sounding voice follows its gesture, steps its
 * cursor and evaluates the terrain into its row; one decode of all rows;
 * the rows are mixed (voices.c), resampled to the device rate and written.
 * Control events and a pending scene are taken between frames, also when
 * the render thread is behind and never leaves its fill loop, so a swap,
 * a release or a gesture never waits for the decoding to catch up.
 *
 * Overload: a frame that took longer to make than it lasts is counted;
 * after a few in a row the quietest voice (the oldest among equals) is
 * released and counted as shed. With one voice left and still behind, the
 * thread gives up its real-time priority until it keeps up again, so a
 * model too heavy for the machine never starves the other threads.
 *
 * Latency is measured, not estimated: when the render thread applies a
 * cursor event it arms a probe with the event's arrival time and the index
 * (in ring samples) of the first sample rendered after it; the callback
 * that plays that sample stores now − arrival.
 *
 * Sub-frame control (subframe.h): each frame is staged, and goes into the
 * ring only as far as the fill target while its model state is saved, so a
 * move can re-decode the rest of it; the probe then moves to where the new
 * audio begins (the middle of its crossfade).
 */
#include "engine_internal.h"
#include "subframe.h"

#include <math.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"

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
	int rings = 1;
	for (int source = 0; source < ENGINE_SOURCES; source++)
		rings &= (e->control[source] = ring_create(CONTROL_RING_EVENTS, sizeof(control_event))) != NULL;
	for (int slot = 0; slot < ENGINE_EXPORT_SLOTS; slot++)
		rings &= (e->exports[slot] = malloc(sizeof(loop_export))) != NULL;
	e->answers = ring_create(ENGINE_ANSWERS, sizeof(engine_answer));
	e->audio = ring_create(AUDIO_RING_FRAMES, ENGINE_CHANNELS * sizeof(float));
	e->retire = ring_create(RETIRE_RING_ITEMS, sizeof(retired));
	e->record = record ? ring_create(RECORD_RING_FRAMES, ENGINE_CHANNELS * sizeof(float)) : NULL;
	e->outgoing_audio = malloc(sizeof(float) * ENGINE_CHANNELS * OUTGOING_FRAMES);
	e->staged = malloc(sizeof(float) * ENGINE_CHANNELS * ENGINE_MAX_FRAME);
	const int patch =
	    audio_patch_init(&e->patch, ENGINE_MAX_FRAME, (size_t)(SUBFRAME_FADE_MS * device_rate / 1000));
	if (!rings || !e->answers || !e->audio || !e->retire || (record && !e->record) || !e->outgoing_audio ||
	    !e->staged || patch < 0 || sem_init(&e->wake, 0, 0) != 0) {
		engine_free(e);
		return error_set(err, errlen, "out of memory for the engine's rings");
	}
	if (looper_create(DEFAULT_VOICES, &e->loops) < 0) { /* engine_set_voices moves the loops' voices */
		engine_free(e);
		return error_set(err, errlen, "out of memory for the looper's takes");
	}
	atomic_init(&e->latency_ns, -1);
	e->smooth_ms = -1.0f; /* until a /smooth message: each scene keeps the configured time */
	e->max_voices = DEFAULT_VOICES;
	e->shed = 1;
	e->subframe = 1;
	e->release_ms = 50.0f;
	grains_init(&e->grains, 0);
	e->gain_now = 1.0f;
	e->fade_level = 1.0f;
	e->gain_step = 1.0f - expf(-1.0f / (0.010f * (float)device_rate));
	limiter_init(&e->limiter, device_rate);
	engine_set_gain(e, 1.0f);
	*out = e;
	return 0;
}

void engine_set_shedding(engine *e, int shed)
{
	e->shed = shed;
}

void engine_set_subframe(engine *e, int on)
{
	e->subframe = on;
}

void engine_set_crossfade(engine *e, float crossfade_ms)
{
	e->crossfade_ms = crossfade_ms > 0 ? crossfade_ms : 0;
}

void engine_set_voices(engine *e, int max_voices, float release_ms)
{
	e->max_voices = max_voices < 1 ? 1 : max_voices > ENGINE_MAX_VOICES ? ENGINE_MAX_VOICES : max_voices;
	e->release_ms = release_ms > 0 ? release_ms : 1.0f;
	/* the loops' default voices follow the number of voices */
	for (int n = 0; e->loops && n < LOOPER_LOOPS; n++)
		e->loops->loops[n].set.voice = looper_default_voice(n, e->max_voices);
}

int engine_max_voices(const engine *e)
{
	return e->max_voices;
}

static void free_gesture_of_voices(engine *e)
{
	for (int i = 0; i < VOICES_MAX; i++) {
		gesture_free(e->voices.voices[i].playing);
		e->voices.voices[i].playing = NULL;
	}
}

void engine_free(engine *e)
{
	if (!e)
		return;
	engine_stop(e);
	engine_collect(e);
	engine_free_deferred(e);
	scene_free(atomic_exchange(&e->pending, NULL));
	scene_free(e->current);
	scene_free(e->outgoing);
	free(e->outgoing_audio);
	for (int slot = 0; slot < ENGINE_EXPORT_SLOTS; slot++)
		free(e->exports[slot]);
	looper_free(e->loops);
	free(e->staged);
	audio_patch_destroy(&e->patch);
	free_gesture_of_voices(e);
	for (int i = 0; i < e->n_scheduled; i++)
		gesture_free(e->schedule[i].gesture);
	engine_discard_controls(e);
	for (int source = 0; source < ENGINE_SOURCES; source++)
		ring_free(e->control[source]);
	ring_free(e->answers);
	ring_free(e->audio);
	ring_free(e->retire);
	ring_free(e->record);
	sem_destroy(&e->wake);
	free(e);
}

/* Moves the staged frame into the ring: all of it, or while it can still
 * be re-decoded only up to the fill target. */
void push_staged(engine *e)
{
	size_t n = staged_left(e);
	if (e->snapshot_scene && e->snapshot_scene == e->current) {
		size_t fill = ring_readable(e->audio), target = atomic_load(&e->target_fill);
		size_t room = fill < target ? target - fill : 0;
		n = n < room ? n : room;
	}
	size_t written = ring_write(e->audio, e->staged + ENGINE_CHANNELS * e->staged_pos, n);
	e->staged_pos += written;
	e->frames_written += written;
}

static void render_one(engine *e)
{
	scene *s = e->current;
	int64_t t0 = clock_now_ns();
	subframe_save_before_frame(e, s);
	decode_and_mix(e, s);
	size_t frames;
	float *out = decode_to_device_rate(e, s, &frames);
	if (e->outgoing)
		swap_crossfade(e, out, frames);
	memcpy(e->staged, out, sizeof(float) * ENGINE_CHANNELS * frames);
	e->staged_frames = frames;
	e->staged_pos = 0;
	e->pool_decoded = e->voices;
	push_staged(e);
	atomic_fetch_add(&e->frames_rendered, 1);
	int64_t took = clock_now_ns() - t0;
	if (took > atomic_load(&e->render_ns_max))
		atomic_store(&e->render_ns_max, took);
	/* The ring keeps ahead of what frames cost now: more voices, more audio
	 * ready before the next decode starts (the peak decays 1/32 a frame). */
	e->recent_render_ns = took > e->recent_render_ns ? took : e->recent_render_ns - e->recent_render_ns / 32;
	overload_follow_xruns(e, s);
	atomic_store(&e->target_fill, engine_render_threshold(e, s));
	if (!e->offline) /* offline, time is virtual: how long a frame took changes nothing */
		overload_watch(e, took, s);
}

/* A pending scene, events that arrived, then gestures' positions, all at
 * time `now` (the monotonic clock live, the virtual clock offline). */
static void follow_controls_at(engine *e, int64_t now)
{
	engine_hand_over_deferred(e);
	swap_take_pending(e);
	controls_drain(e, now);
	controls_play_gestures(e, now);
	subframe_redecode_if_moved(e);
}

static void follow_controls(engine *e)
{
	follow_controls_at(e, clock_now_ns());
}

static void fill_audio(engine *e)
{
	while (atomic_load(&e->running)) {
		push_staged(e);
		if (staged_left(e) > 0 || ring_readable(e->audio) >= atomic_load(&e->target_fill) ||
		    ring_writable(e->audio) < e->current->resampled_capacity)
			return;
		render_one(e);
		/* What arrived while decoding (a swap, a release, a move); and a
		 * gesture keeps time even when the render thread is behind and
		 * never leaves this loop. */
		follow_controls(e);
	}
}

/* Until the callback asks for more audio, or a period at most (a control
 * event may have come: engine_send posts too). The deadline is on the
 * monotonic clock where the C library can wait on it (glibc 2.30), so a
 * wall-clock step never stretches the wait. */
static void wait_for_work(engine *e)
{
	const int64_t period_ns = (int64_t)(1e9 * e->period / e->device_rate);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 30)
	struct timespec deadline = clock_deadline_in(period_ns);
	sem_clockwait(&e->wake, CLOCK_MONOTONIC, &deadline);
#else
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	int64_t at = (int64_t)deadline.tv_sec * 1000000000 + deadline.tv_nsec + period_ns;
	deadline = (struct timespec){.tv_sec = (time_t)(at / 1000000000), .tv_nsec = (long)(at % 1000000000)};
	sem_timedwait(&e->wake, &deadline);
#endif
}

static void *render_main(void *arg)
{
	engine *e = arg;
	model_flush_denormals();
	e->realtime = engine_set_realtime(1);
	atomic_store(&e->realtime_now, e->realtime);
	atomic_store(&e->render_started, 1);
	while (atomic_load(&e->running)) {
		follow_controls(e);
		fill_audio(e);
		wait_for_work(e);
	}
	return NULL;
}

/* What both starts share: the scene, the voices, voice 0 sounding. */
static void prepare_start(engine *e, scene *initial)
{
	e->current = e->latest = initial;
	voices_init(&e->voices, e->max_voices, e->release_ms);
	for (int i = 0; i < VOICES_MAX; i++) {
		render_cursor_init(&e->voices.voices[i].control, initial->terrain);
		render_cursor_set_smoothing(&e->voices.voices[i].control, initial->model, initial->smooth_ms);
	}
	atomic_store(&e->voices_max, initial->rows < e->max_voices ? initial->rows : e->max_voices);
	engine_sound_voice(e, 0); /* the performer's cursor sounds from the start */
	atomic_store(&e->target_fill, engine_render_threshold(e, initial));
	atomic_store(&e->subframe_state, subframe_state_of(e, initial));
	atomic_store(&e->render_threads, 1);
	atomic_store(&e->running, true);
	publish_targets(e);
}

int engine_start(engine *e, scene *initial, char *err, size_t errlen)
{
	prepare_start(e, initial);
	decode_parts_start_worker(e);
	atomic_store(&e->render_threads, decode_parts_threads(e, initial));
	/* Render ahead before the first callback so it starts without an underrun. */
	fill_audio(e);
	if (pthread_create(&e->thread, NULL, render_main, e) != 0) {
		atomic_store(&e->running, false); /* e->current stays: engine_free frees it */
		return error_set(err, errlen, "cannot start the render thread");
	}
	e->thread_started = 1;
	while (!atomic_load(&e->render_started))
		sched_yield();
	return 0;
}

void engine_set_seed(engine *e, uint64_t seed)
{
	grains_seed(&e->grains, seed);
}

void engine_grains_stats(const engine *e, grains_stats *s)
{
	grains_stats_read(&e->grains, s);
}

int engine_grain_cursor(const engine *e, float *xy)
{
	return grains_cursor(&e->grains, xy);
}

void engine_start_offline(engine *e, scene *initial)
{
	e->offline = 1;
	/* Offline every frame goes out whole: a snapshot would hold back all
	 * but the fill target of it (push_staged) and the next frame would
	 * overwrite the rest, and whether a re-decode is affordable depends on
	 * the machine's speed, never on the score. */
	e->subframe = 0;
	prepare_start(e, initial);
}

size_t engine_render_offline(engine *e, int64_t now_ns)
{
	follow_controls_at(e, now_ns);
	uint64_t before = e->frames_written;
	render_one(e);
	return (size_t)(e->frames_written - before);
}

int engine_render_realtime(const engine *e)
{
	return e->realtime;
}

void engine_stop(engine *e)
{
	if (e->thread_started) {
		atomic_store(&e->running, false);
		sem_post(&e->wake);
		pthread_join(e->thread, NULL);
		e->thread_started = 0;
	}
	render_worker_stop(&e->worker); /* after the render thread: it posts the jobs */
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
