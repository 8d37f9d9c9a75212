/*
 * engine.c — the render thread and the audio callback's side of it.
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
#include "engine.h"

#include "error.h"

#include <math.h>
#include <sched.h>
#include <samplerate.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "fill_target.h"
#include "subframe.h"
#include "voices.h"

enum {
	AUDIO_RING_FRAMES = ENGINE_AUDIO_RING,
	CONTROL_RING_EVENTS = 4096,
	RETIRE_RING_ITEMS = 256,
	RECORD_RING_FRAMES = 1 << 19, /* ~11 s of slack for the recorder thread */
	SCHEDULE_MAX = 256,
	PULL_CHUNK = 256,
	OVERLOAD_FRAMES = 3, /* frames behind in a row before a voice is shed */
	RECOVER_FRAMES = 50, /* frames on time before real-time priority comes back */
	DEFAULT_VOICES = 8,
};

typedef struct retired {
	scene *scene;
	gesture *gesture;
} retired;

/* What the retire ring could not take yet (the worker is busy, e.g.
 * training), oldest first: intrusive lists, so never full. */
typedef struct deferred_list {
	scene *scenes, *last_scene;
	gesture *gestures, *last_gesture;
} deferred_list;

struct engine {
	ring *control, *audio, *retire, *record;
	_Atomic(scene *) pending;
	scene *latest; /* worker: the newest scene handed over (or the initial one) */
	int device_rate, period;
	size_t ring_extra; /* ring_ms in frames, when fixed by the config */
	int ring_fixed;
	atomic_size_t target_fill;
	atomic_bool running;
	pthread_t thread;
	int thread_started;
	sem_t wake;
	int max_voices;
	float release_ms, crossfade_ms;
	int shed;        /* release voices when behind (engine_set_shedding) */
	int offline;     /* driven by engine_render_offline: no render thread, no overload watch */
	uint64_t serial; /* worker: swaps published */

	atomic_int render_started;
	int realtime; /* written by the render thread before render_started */

	/* render thread only */
	scene *current;
	voice_pool voices;
	grains grains;   /* the granular synthesiser: it borrows voices from the pool */
	float smooth_ms; /* the live smoothing time (a /smooth message), kept across swaps; <0: the scene's */
	uint64_t frames_written;
	control_event schedule[SCHEDULE_MAX];
	int n_scheduled;
	deferred_list deferred;
	looper *loops;                         /* the gesture looper */
	loop_output loop_out[LOOPER_LOOPS];    /* what the loops asked of their voices this frame */
	const float *voice_latent[VOICES_MAX]; /* latent-mode loops: the latents a voice decodes */
	loop_export *export;                   /* engine_loop_export's copy */
	scene *outgoing;                       /* the scene fading out after a swap, or NULL */
	float *outgoing_audio;                 /* its device-rate stereo frames not yet mixed in */
	size_t outgoing_frames;                /* how many */
	size_t xfade_done, xfade_len;          /* device frames into the crossfade, and its length */
	int64_t recent_render_ns;              /* a slowly decaying peak of the frames' render times */
	int behind;                            /* frames in a row that took longer than they last */
	int on_time;                           /* frames in a row since, while demoted */
	int demoted;                           /* real-time priority given up while overloaded */
	char error[512];
	/* sub-frame control (subframe.h) */
	int subframe;                         /* engine.subframe */
	float *staged;                        /* the newest frame at the device rate, stereo */
	size_t staged_frames, staged_pos;     /* its length, and how much of it is in the ring */
	voice_pool pool_before, pool_decoded; /* the voices as it began, and as its last decode left them */
	const scene *snapshot_scene;          /* the scene whose model state was saved before it, or NULL */
	int redecodes_now;                    /* re-decodes of it so far */
	int move_refused;                     /* a move found no CPU for a re-decode (counted once a frame) */
	int cpu_short;                        /* nothing was saved before it for want of CPU */
	uint64_t glitches_seen;               /* xruns + late frames when last looked at */
	uint64_t underruns_seen;              /* xruns when the ring's target last looked */
	double caution;                       /* the ring's added margin after xruns (fill_target.h) */
	int calm_frames;                      /* frames left at frame rate after a glitch (SUBFRAME_CALM_MS) */

	/* audio callback only */
	uint64_t frames_read;
	uint64_t audible_seen; /* the last swap serial the callback reached */
	float gain_now, fade_level;
	float gain_step;                    /* per-sample glide coefficient */
	float limiter_env, limiter_release; /* peak envelope, and its per-sample decay */

	/* shared counters */
	atomic_uint_fast64_t frames_rendered, underruns, dropped_schedule, decode_errors, swaps, frames_out, clamped;
	atomic_uint_fast64_t limited, resample_errors, voices_shed, overloaded;
	atomic_uint_fast64_t redecodes, redecode_ns, redecodes_refused;
	atomic_int subframe_state;
	atomic_int voices_active, voices_max, realtime_now;
	atomic_int_fast64_t latency_ns, render_ns_max;
	atomic_uint_fast64_t probe_frame;
	atomic_int_fast64_t probe_ns;
	atomic_int probe_armed;
	atomic_uint gain_bits;
	/* snapshots of each voice's target (and whether it sounds), for status and /notify */
	atomic_uint target_bits[ENGINE_MAX_VOICES][TERRAIN_MAX_CONTROL_DIM];
	atomic_int sounding[ENGINE_MAX_VOICES];
	atomic_uint latent_bits[ENGINE_LATENT_SNAPSHOT]; /* snapshot of voice 0's last latents, for /notify */
	atomic_int latent_count;
	atomic_int fading, faded;
	atomic_uint voice_gain_bits[ENGINE_MAX_VOICES], voice_pan_bits[ENGINE_MAX_VOICES];
	struct loop_published {
		atomic_int state, frames, can_undo, can_redo;
		_Atomic double position, length, start_beat;
		atomic_uint_fast64_t full_count;
	} loop_pub[LOOPER_LOOPS];
	_Atomic(tempo_link *) link;         /* Ableton Link, when the control side started it */
	atomic_uint_fast64_t loop_answered; /* the serial of the last loop command the render thread applied */
	atomic_int loop_result;             /* and what looper_command returned */
	uint64_t loop_asked;                /* control thread: the last serial it sent */
	/* a swap is audible once the callback reaches the ring index where it began */
	atomic_uint_fast64_t swap_frame, taken_serial, audible_serial;
};

enum { OUTGOING_FRAMES = 2 * (ENGINE_MAX_FRAME + 64) }; /* one new and one old frame at the device rate */
_Static_assert((int)LOOPER_MAX_VOICES >= (int)ENGINE_MAX_VOICES, "a loop (and a session) can name every voice");

/* ---- scenes (worker thread) ------------------------------------------ */

static int check_frame_fits(const model *m, size_t n, int device_rate, double rate_ratio, size_t capacity, char *err,
                            size_t errlen)
{
	if (capacity <= ENGINE_MAX_FRAME)
		return 0;
	/* It would load and then never render: the ring must hold a whole
	 * call's audio on top of the audio kept ahead of the callback. */
	return error_set(err, errlen,
	                 "one decode call of this model (%d samples at %d Hz, %.0f at the device's %d Hz) is "
	                 "longer than the live engine can buffer (%d samples): play it offline with "
	                 "`terraind render`, or use a model with a smaller ratio or fewer frames per call",
	                 (int)n, m->sample_rate, ceil((double)n * rate_ratio), device_rate, (int)ENGINE_MAX_FRAME);
}

int scene_create(model *m, terrain *t, float smooth_ms, int device_rate, int max_voices, scene **out, char *err,
                 size_t errlen, char *warning, size_t warnlen)
{
	*out = NULL;
	if (terrain_check_model(t, m->id, m->latent_dim, m->sample_rate, m->ratio, err, errlen, warning, warnlen) < 0)
		return -1;
	double rate_ratio = (double)device_rate / m->sample_rate;
	/* One decode call: frames_per_call latent frames (1 for streaming
	 * models; more for non-causal ones, issue 15). */
	const int per_call = m->frames_per_call > 0 ? m->frames_per_call : 1;
	size_t n = (size_t)m->ratio * (size_t)per_call, capacity = (size_t)ceil(n * rate_ratio) + 64;
	if (check_frame_fits(m, n, device_rate, rate_ratio, capacity, err, errlen) < 0)
		return -1;
	scene *s = calloc(1, sizeof *s);
	if (!s)
		return error_set(err, errlen, "out of memory");
	s->rows = max_voices < 1 ? 1 : max_voices > m->max_rows ? (m->max_rows > 0 ? m->max_rows : 1) : max_voices;
	s->frames_per_call = per_call;
	s->smooth_ms = smooth_ms;
	s->rate_ratio = rate_ratio;
	s->resampled_capacity = capacity;
	s->latents = calloc((size_t)s->rows * (size_t)t->latent_dim * (size_t)per_call, sizeof(float));
	s->scratch = calloc(terrain_scratch_floats(t), sizeof(float));
	s->planar = calloc((size_t)s->rows * (size_t)m->audio_channels * n, sizeof(float));
	s->row_used = calloc((size_t)s->rows, 1);
	s->mix = calloc(n * ENGINE_CHANNELS, sizeof(float));
	s->resampled = calloc(capacity * ENGINE_CHANNELS, sizeof(float));
	int src_error = 0;
	if (device_rate != m->sample_rate)
		s->resampler = src_new(SRC_SINC_MEDIUM_QUALITY, ENGINE_CHANNELS, &src_error);
	if (!s->latents || !s->scratch || !s->planar || !s->row_used || !s->mix || !s->resampled || src_error) {
		scene_free(s);
		return error_set(err, errlen, "cannot prepare the scene: %s",
		                 src_error ? src_strerror(src_error) : "out of memory");
	}
	s->model = m;
	s->terrain = t;
	m->refs++;
	t->refs++;
	*out = s;
	return 0;
}

void scene_free(scene *s)
{
	if (!s)
		return;
	if (s->resampler)
		src_delete(s->resampler);
	model_free(s->model); /* NULL unless fully built, when it holds references */
	terrain_free(s->terrain);
	free(s->latents);
	free(s->scratch);
	free(s->planar);
	free(s->row_used);
	free(s->mix);
	free(s->resampled);
	free(s);
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
	e->outgoing_audio = malloc(sizeof(float) * ENGINE_CHANNELS * OUTGOING_FRAMES);
	e->export = malloc(sizeof *e->export);
	e->staged = malloc(sizeof(float) * ENGINE_CHANNELS * ENGINE_MAX_FRAME);
	if (!e->control || !e->audio || !e->retire || (record && !e->record) || !e->outgoing_audio || !e->export ||
	    !e->staged || sem_init(&e->wake, 0, 0) != 0) {
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
	e->limiter_release = expf(-1.0f / (0.100f * (float)device_rate));
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
	for (scene *s = e->deferred.scenes, *next; s; s = next) {
		next = s->retired_next;
		scene_free(s);
	}
	for (gesture *g = e->deferred.gestures, *next; g; g = next) {
		next = g->retired_next;
		gesture_free(g);
	}
	scene_free(atomic_exchange(&e->pending, NULL));
	scene_free(e->current);
	scene_free(e->outgoing);
	free(e->outgoing_audio);
	free(e->export);
	looper_free(e->loops);
	free(e->staged);
	free_gesture_of_voices(e);
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
static size_t render_threshold(const engine *e, const scene *s)
{
	if (e->ring_fixed)
		return e->ring_extra;
	/* The decode's cost: the model's warm-up decode, or what frames took
	 * lately if more (a batch of voices costs more than one). */
	double cost_ms = s->model->decode_ms;
	if ((double)e->recent_render_ns * 1e-6 > cost_ms)
		cost_ms = (double)e->recent_render_ns * 1e-6;
	return fill_target_frames(e->period, e->device_rate, cost_ms, e->caution);
}

static void defer(deferred_list *d, scene *s, gesture *g)
{
	if (s) {
		s->retired_next = NULL;
		if (d->last_scene)
			d->last_scene->retired_next = s;
		else
			d->scenes = s;
		d->last_scene = s;
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
	while (d->scenes || d->gestures) {
		retired item = {d->scenes, d->scenes ? NULL : d->gestures};
		/* The next link is read before the hand-over: once in the ring,
		 * the worker may free the item at any moment (TSan caught it). */
		scene *next_scene = item.scene ? item.scene->retired_next : NULL;
		gesture *next_gesture = item.scene ? NULL : item.gesture->retired_next;
		if (ring_write(e->retire, &item, 1) != 1)
			return;
		if (item.scene) {
			d->scenes = next_scene;
			if (!d->scenes)
				d->last_scene = NULL;
		} else {
			d->gestures = next_gesture;
			if (!d->gestures)
				d->last_gesture = NULL;
		}
	}
}

/* Passes a scene or gesture the render thread is done with to the worker,
 * which frees it: memory is never freed on a real-time thread, and nothing
 * is dropped (or leaked) when the worker is slow to collect. */
static void retire(engine *e, scene *s, gesture *g)
{
	hand_over_deferred(e);
	retired item = {s, g};
	if (e->deferred.scenes || e->deferred.gestures || ring_write(e->retire, &item, 1) != 1)
		defer(&e->deferred, s, g);
}

static float voice_smoothing(const engine *e, const scene *s)
{
	return e->smooth_ms >= 0 ? e->smooth_ms : s->smooth_ms;
}

/* The samples of one decode call: frames_per_call latent frames. */
static int call_samples(const scene *s)
{
	return s->model->ratio * s->frames_per_call;
}

static double frame_ms(const scene *s)
{
	return 1000.0 * call_samples(s) / s->model->sample_rate;
}

/* Frames of the staged frame not yet in the ring. */
static size_t staged_left(const engine *e)
{
	return e->staged_frames - e->staged_pos;
}

/* The ring index of the next frame's first sample. */
static uint64_t next_frame_index(const engine *e)
{
	return e->frames_written + staged_left(e);
}

static int subframe_state(const engine *e, const scene *s)
{
	return !e->subframe           ? ENGINE_SUBFRAME_OFF_CONFIG
	       : !s->model->subframe  ? ENGINE_SUBFRAME_OFF_MODEL
	       : s->resampler != NULL ? ENGINE_SUBFRAME_OFF_RESAMPLING
	                              : ENGINE_SUBFRAME_ON;
}

/* The old scene plays on under the new one for the crossfade (both decode
 * meanwhile), then retires. A swap during a crossfade retires the scene
 * that was already fading out. */
static void start_crossfade(engine *e, scene *old, const scene *s)
{
	if (e->outgoing)
		retire(e, e->outgoing, NULL);
	e->outgoing = NULL;
	if (e->behind > 0 || e->demoted) {
		/* Behind already: decoding the old scene on for a crossfade would
		 * only prolong the glitches. The swap cuts (the ring's audio of the
		 * old scene still plays first). */
		retire(e, old, NULL);
		return;
	}
	double ms = e->crossfade_ms;
	if (ms <= 0) {
		ms = 50.0;
		if (frame_ms(old) > ms)
			ms = frame_ms(old);
		if (frame_ms(s) > ms)
			ms = frame_ms(s);
	}
	size_t len = (size_t)(ms * e->device_rate / 1000.0);
	e->outgoing = old;
	e->outgoing_frames = 0;
	e->xfade_done = 0;
	e->xfade_len = len > 0 ? len : 1;
}

/* Voices carry over to the new scene: same targets (clamped to its
 * bounds), same rows; its smoothing follows the new model's frame. */
static void take_pending_scene(engine *e)
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
	atomic_store(&e->target_fill, render_threshold(e, s));
	atomic_store(&e->subframe_state, subframe_state(e, s));
	atomic_fetch_add(&e->swaps, 1);
	atomic_store_explicit(&e->swap_frame, next_frame_index(e), memory_order_relaxed);
	atomic_store_explicit(&e->taken_serial, s->serial, memory_order_release);
}

static void arm_latency_probe(engine *e, int64_t received_ns)
{
	if (atomic_load_explicit(&e->probe_armed, memory_order_acquire))
		return;
	atomic_store_explicit(&e->probe_ns, received_ns, memory_order_relaxed);
	atomic_store_explicit(&e->probe_frame, next_frame_index(e), memory_order_relaxed);
	atomic_store_explicit(&e->probe_armed, 1, memory_order_release);
}

static void stop_gesture(engine *e, voice *v)
{
	if (v->playing)
		retire(e, NULL, v->playing);
	v->playing = NULL;
}

/* Sounds voice n in the current scene; counts a refusal (no row free). */
static void sound_voice(engine *e, int n)
{
	const scene *s = e->current;
	if (voices_start(&e->voices, n, s->rows, s->row_used, call_samples(s), s->model->sample_rate) < 0)
		atomic_fetch_add(&e->voices_shed, 1);
}

/* A looper command (or an export: op LOOP_EXPORT); a loaded take's
 * gesture is copied, then let go. The result goes back with the serial. */
static void loop_event(engine *e, const control_event *ev)
{
	loop_command c = ev->loop;
	c.gesture = ev->gesture;
	int rc = 0;
	if (c.op == LOOP_EXPORT)
		looper_export(e->loops, c.loop, e->export);
	else
		rc = looper_command(e->loops, &c);
	if (ev->gesture)
		retire(e, NULL, ev->gesture);
	atomic_store_explicit(&e->loop_result, rc, memory_order_relaxed);
	atomic_store_explicit(&e->loop_answered, ev->serial, memory_order_release);
}

static void apply_event(engine *e, const control_event *ev, int64_t now)
{
	if (ev->type == CONTROL_GRAIN) {
		grains_apply(&e->grains, ev->first_axis, ev->value, ev->dim);
		return;
	}
	if (ev->voice < 0 || ev->voice >= e->max_voices) {
		if (ev->gesture)
			retire(e, NULL, ev->gesture);
		return;
	}
	if (ev->type != CONTROL_SMOOTH) /* the performer takes a voice a grain had borrowed */
		grains_release_voice(&e->grains, ev->voice);
	voice *v = &e->voices.voices[ev->voice];
	const terrain *t = e->current->terrain;
	switch (ev->type) {
	case CONTROL_TARGET:
		stop_gesture(e, v); /* a live hand takes over from a playing gesture */
		if (render_cursor_set_axes(&v->control, t, ev->first_axis, ev->value, ev->dim) > 0)
			atomic_fetch_add(&e->clamped, 1);
		sound_voice(e, ev->voice);
		arm_latency_probe(e, ev->received_ns);
		break;
	case CONTROL_SMOOTH:
		e->smooth_ms = ev->value[0];
		for (int i = 0; i < VOICES_MAX; i++)
			render_cursor_set_smoothing(&e->voices.voices[i].control, e->current->model, e->smooth_ms);
		break;
	case CONTROL_GESTURE:
		stop_gesture(e, v);
		v->playing = ev->gesture;
		v->gesture_start_ns = now;
		v->gesture_hint = 0;
		sound_voice(e, ev->voice);
		break;
	case CONTROL_STOP_GESTURE: stop_gesture(e, v); break;
	case CONTROL_VOICE_OFF: voices_release(&e->voices, ev->voice); break;
	case CONTROL_VOICE_GAIN: v->gain = ev->value[0]; break;
	case CONTROL_VOICE_PAN: v->pan = ev->value[0]; break;
	case CONTROL_GRAIN: break; /* applied above */
	case CONTROL_LOOP: loop_event(e, ev); break;
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

static void publish_loops(engine *e)
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
}

void engine_voice_mix(const engine *e, int n, float *gain, float *pan)
{
	*gain = bits_float(atomic_load_explicit(&e->voice_gain_bits[n], memory_order_relaxed));
	*pan = bits_float(atomic_load_explicit(&e->voice_pan_bits[n], memory_order_relaxed));
}

static void publish_targets(engine *e)
{
	for (int i = 0; i < ENGINE_MAX_VOICES; i++) {
		const voice *v = &e->voices.voices[i];
		for (int d = 0; d < TERRAIN_MAX_CONTROL_DIM; d++)
			atomic_store_explicit(&e->target_bits[i][d], float_bits(v->control.target[d]),
			                      memory_order_relaxed);
		atomic_store_explicit(&e->sounding[i], v->state != VOICE_FREE, memory_order_release);
	}
	atomic_store(&e->voices_active, voices_sounding(&e->voices));
	publish_loops(e);
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
	publish_targets(e);
}

static void play_gestures(engine *e, int64_t now)
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
			stop_gesture(e, v);
	}
}

/* One latent frame of smoothing for every sounding voice. */
static void step_voices(engine *e, const scene *s)
{
	for (int i = 0; i < VOICES_MAX; i++)
		if (e->voices.voices[i].state != VOICE_FREE)
			render_cursor_step(&e->voices.voices[i].control, s->terrain);
}

/* The loop that drives voice i this frame (voice_latent[i] is set). */
static int looping_voice(const engine *e, int i)
{
	for (int n = 0; n < LOOPER_LOOPS; n++)
		if (e->loop_out[n].voice == i)
			return n;
	return 0;
}

/* The loops step by one latent frame and steer their voices: the point of
 * the path goes to both target and cursor (the loop replays what was
 * heard, not smoothed a second time). */
static void drive_loops(engine *e, const scene *s)
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
		stop_gesture(e, v);
		if (render_cursor_set_axes(&v->control, t, 0, o->coord, dim) > 0)
			atomic_fetch_add(&e->clamped, 1);
		memcpy(v->control.cursor, v->control.target, sizeof v->control.cursor);
		v->control.has_cursor = 1;
		v->gain = o->gain;
		e->voice_latent[o->voice] = o->latent;
		if (o->start) { /* a loop takes its voice from a grain as the performer does */
			grains_release_voice(&e->grains, o->voice);
			sound_voice(e, o->voice);
		}
	}
}

/* Recording loops take their source voice's point of latent frame k: its
 * cursor and the latents decoded there. */
static void capture_loops(engine *e, scene *s, int k)
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

/* Each sounding voice's latent vector at its cursor goes to latent frame
 * k of its row (rows × latent_dim × frames_per_call, as decode takes them);
 * returns the rows in use. */
static int evaluate_rows(engine *e, scene *s, int k)
{
	const int ld = s->terrain->latent_dim, per_call = s->frames_per_call;
	int rows = 0;
	for (int i = 0; i < VOICES_MAX; i++) {
		const voice *v = &e->voices.voices[i];
		if (v->state == VOICE_FREE || v->row >= s->rows)
			continue;
		float z[TERRAIN_MAX_LATENT_DIM];
		const float *from_loop = e->voice_latent[i];
		if (from_loop && e->loop_out[looping_voice(e, i)].latent_dim == ld) /* a latent-mode loop plays it */
			memcpy(z, from_loop, sizeof(float) * (size_t)ld);
		else
			terrain_eval(s->terrain, v->control.cursor, z, s->scratch);
		float *row = s->latents + (size_t)v->row * ld * per_call;
		for (int c = 0; c < ld; c++)
			row[c * per_call + k] = z[c];
		if (v->row + 1 > rows)
			rows = v->row + 1;
	}
	return rows;
}

/* Decodes the rows in use (silence when none sounds, or when the decode
 * fails: time is kept either way). */
static void decode_rows(engine *e, scene *s, int rows)
{
	if (rows > 0 && model_decode_rows(s->model, s->latents, rows, s->frames_per_call, s->planar, e->error,
	                                  sizeof e->error) < 0) {
		memset(s->planar, 0, sizeof(float) * (size_t)rows * (size_t)s->model->audio_channels * call_samples(s));
		atomic_fetch_add(&e->decode_errors, 1);
	}
}

/* The voices' next call in the playing scene, mixed into s->mix: per
 * latent frame the cursors step and the terrain is evaluated, then one
 * decode of every row and frame. */
static void decode_and_mix(engine *e, scene *s)
{
	const model *m = s->model;
	int rows = 0;
	grains_begin_call(&e->grains, &e->voices, s->terrain, s->rows, s->row_used, call_samples(s), m->sample_rate);
	for (int k = 0; k < s->frames_per_call; k++) {
		drive_loops(e, s);
		step_voices(e, s);
		rows = evaluate_rows(e, s, k);
		capture_loops(e, s, k);
	}
	decode_rows(e, s, rows);
	grains_window(&e->grains, &e->voices, s->planar, m->audio_channels, call_samples(s));
	voices_mix(&e->voices, s->planar, m->audio_channels, call_samples(s), m->sample_rate, s->mix);
	grains_end_call(&e->grains, &e->voices);
	for (int i = 0; i < VOICES_MAX; i++) /* a voice whose release ended lets its gesture go */
		if (e->voices.voices[i].state == VOICE_FREE && e->voices.voices[i].playing)
			stop_gesture(e, &e->voices.voices[i]);
	const voice *first = &e->voices.voices[0];
	if (first->state != VOICE_FREE) { /* its last frame's latents, for /notify */
		float z[TERRAIN_MAX_LATENT_DIM];
		const int ld = s->terrain->latent_dim, per_call = s->frames_per_call;
		const float *row = s->latents + (size_t)first->row * ld * per_call;
		for (int c = 0; c < ld; c++)
			z[c] = row[c * per_call + per_call - 1];
		publish_latent(e, z, ld);
	}
}

/* The mixed frame at the device rate: where it is and how many frames. */
static float *to_device_rate(engine *e, scene *s, size_t *frames)
{
	const int n = call_samples(s);
	*frames = (size_t)n;
	if (!s->resampler)
		return s->mix;
	SRC_DATA d = {.data_in = s->mix,
	              .data_out = s->resampled,
	              .input_frames = n,
	              .output_frames = (long)s->resampled_capacity,
	              .src_ratio = s->rate_ratio};
	if (src_process(s->resampler, &d) != 0) {
		/* Keep time with silence of the frame's length at the device rate. */
		atomic_fetch_add(&e->resample_errors, 1);
		src_reset(s->resampler);
		*frames = (size_t)lround(n * s->rate_ratio);
		memset(s->resampled, 0, sizeof(float) * ENGINE_CHANNELS * *frames);
	} else {
		*frames = (size_t)d.output_frames_gen;
	}
	return s->resampled;
}

/* Real-time priority for the render thread, below the audio callback's
 * (JACK gives its clients priority 5 and up by default): without it, any
 * busy process on a 2-core machine can delay a decode past the ring's
 * slack. Best effort: without the right (rtprio limit), it runs as a
 * normal thread and the daemon says so. */
static int set_realtime(int on)
{
	struct sched_param param = {.sched_priority = on ? 2 : 0};
	return pthread_setschedparam(pthread_self(), on ? SCHED_FIFO : SCHED_OTHER, &param) == 0;
}

/* A frame that took longer to make than it lasts: shed a voice after a
 * few in a row; with one left, give up real-time priority (a decode that
 * cannot keep up must not hold a core at real-time priority forever). */
static void watch_overload(engine *e, int64_t took_ns, const scene *s)
{
	int64_t lasts_ns = (int64_t)(1e9 * call_samples(s) / s->model->sample_rate);
	if (took_ns <= lasts_ns) {
		e->behind = 0;
		if (e->demoted && ++e->on_time >= RECOVER_FRAMES && e->realtime) {
			atomic_store(&e->realtime_now, set_realtime(1));
			e->demoted = 0;
		}
		return;
	}
	atomic_fetch_add(&e->overloaded, 1);
	e->on_time = 0;
	if (++e->behind < OVERLOAD_FRAMES)
		return;
	e->behind = 0;
	int shed = e->shed ? voices_to_shed(&e->voices) : -1;
	if (shed >= 0) {
		voices_release(&e->voices, shed);
		atomic_fetch_add(&e->voices_shed, 1);
	} else if (e->realtime && !e->demoted) {
		set_realtime(0);
		atomic_store(&e->realtime_now, 0);
		e->demoted = 1;
	}
}

/* One more frame of the outgoing scene, at the voices' present cursors
 * and levels, appended at the device rate to what waits to be mixed in. */
static void render_outgoing(engine *e)
{
	scene *o = e->outgoing;
	int rows = 0;
	for (int k = 0; k < o->frames_per_call; k++)
		rows = evaluate_rows(e, o, k);
	decode_rows(e, o, rows);
	/* Grains have no window in the old scene's timeline: they rise with the new one. */
	grains_silence(&e->grains, &e->voices, o->planar, rows, o->model->audio_channels, call_samples(o));
	voices_mix_held(&e->voices, o->planar, rows, o->model->audio_channels, call_samples(o), o->mix);
	size_t frames;
	const float *audio = to_device_rate(e, o, &frames);
	memcpy(e->outgoing_audio + ENGINE_CHANNELS * e->outgoing_frames, audio,
	       sizeof(float) * ENGINE_CHANNELS * frames);
	e->outgoing_frames += frames;
}

/* Equal power: the new scene rises as sin, the old falls as cos of the
 * same angle, so the sum of their powers stays constant. */
static void crossfade(engine *e, float *out, size_t frames)
{
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
	if (e->xfade_done >= e->xfade_len) {
		retire(e, e->outgoing, NULL);
		e->outgoing = NULL;
	}
}

static int64_t call_ns(const scene *s)
{
	return (int64_t)(1e9 * call_samples(s) / s->model->sample_rate);
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
static void save_before_frame(engine *e, scene *s)
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
	e->snapshot_scene = s;
}

/* Moves the staged frame into the ring: all of it, or while it can still
 * be re-decoded only up to the fill target. */
static void push_staged(engine *e)
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
static void redecode_if_moved(engine *e)
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
	decode_and_mix(e, s);
	size_t frames;
	const float *fresh = to_device_rate(e, s, &frames);
	const uint64_t end = next_frame_index(e);
	size_t fade = e->staged_pos == 0 ? 0 : (size_t)(SUBFRAME_FADE_MS * e->device_rate / 1000);
	subframe_replace(e->staged, e->staged_pos, e->staged_frames, fresh, fade);
	e->pool_decoded = e->voices;
	e->redecodes_now++;
	move_latency_probe(e, end, e->frames_written + fade / 2);
	atomic_fetch_add(&e->redecodes, 1);
	atomic_fetch_add(&e->redecode_ns, (uint64_t)(clock_now_ns() - t0));
}

/* More margin in the ring after an xrun, less as time passes without. */
static void follow_xruns(engine *e, const scene *s)
{
	uint64_t underruns = atomic_load_explicit(&e->underruns, memory_order_relaxed);
	if (underruns != e->underruns_seen) {
		e->underruns_seen = underruns;
		e->caution = fill_caution_after_xrun(e->caution);
	} else {
		e->caution = fill_caution_decay(e->caution, frame_ms(s));
	}
}

static void render_one(engine *e)
{
	scene *s = e->current;
	int64_t t0 = clock_now_ns();
	save_before_frame(e, s);
	decode_and_mix(e, s);
	size_t frames;
	float *out = to_device_rate(e, s, &frames);
	if (e->outgoing)
		crossfade(e, out, frames);
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
	follow_xruns(e, s);
	atomic_store(&e->target_fill, render_threshold(e, s));
	if (!e->offline) /* offline, time is virtual: how long a frame took changes nothing */
		watch_overload(e, took, s);
}

/* A pending scene, events that arrived, then gestures' positions, all at
 * time `now` (the monotonic clock live, the virtual clock offline). */
static void follow_controls_at(engine *e, int64_t now)
{
	hand_over_deferred(e);
	take_pending_scene(e);
	drain_controls(e, now);
	play_gestures(e, now);
	redecode_if_moved(e);
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

static void *render_main(void *arg)
{
	engine *e = arg;
	model_flush_denormals();
	e->realtime = set_realtime(1);
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
	sound_voice(e, 0); /* the performer's cursor sounds from the start */
	atomic_store(&e->target_fill, render_threshold(e, initial));
	atomic_store(&e->subframe_state, subframe_state(e, initial));
	atomic_store(&e->running, true);
	publish_targets(e);
}

int engine_start(engine *e, scene *initial, char *err, size_t errlen)
{
	prepare_start(e, initial);
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
	if (!e->thread_started)
		return;
	atomic_store(&e->running, false);
	sem_post(&e->wake);
	pthread_join(e->thread, NULL);
	e->thread_started = 0;
}

/* ---- worker ------------------------------------------------------------ */

scene *engine_current_scene(engine *e)
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

int engine_collect(engine *e)
{
	retired item;
	int freed = 0;
	while (ring_read(e->retire, &item, 1) == 1) {
		scene_free(item.scene);
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

/* A swap becomes audible when the callback reaches the ring index of its
 * first sample. */
static void check_swap_audible(engine *e)
{
	uint64_t taken = atomic_load_explicit(&e->taken_serial, memory_order_acquire);
	if (taken == e->audible_seen || e->frames_read < atomic_load_explicit(&e->swap_frame, memory_order_relaxed))
		return;
	e->audible_seen = taken;
	atomic_store_explicit(&e->audible_serial, taken, memory_order_release);
}

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
	check_swap_audible(e);
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
	s->voices_active = atomic_load(&e->voices_active);
	s->voices_max = atomic_load(&e->voices_max);
	s->voices_shed = atomic_load(&e->voices_shed);
	s->overloaded = atomic_load(&e->overloaded);
	s->render_realtime = atomic_load(&e->realtime_now);
	s->subframe = atomic_load(&e->subframe_state);
	s->redecodes = atomic_load(&e->redecodes);
	s->redecode_ns = atomic_load(&e->redecode_ns);
	s->redecodes_refused = atomic_load(&e->redecodes_refused);
}

const char *engine_subframe_text(int state)
{
	switch (state) {
	case ENGINE_SUBFRAME_ON: return "on";
	case ENGINE_SUBFRAME_OFF_CONFIG: return "off: engine.subframe is false";
	case ENGINE_SUBFRAME_OFF_MODEL:
		return "off: the model's decode cannot be repeated from a snapshot of its state (see terraind info)";
	default: return "off: the device rate differs from the model's (resampled)";
	}
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

/* ---- looper (control thread) ------------------------------------------------ */

int engine_loop_command(engine *e, const loop_command *c, gesture *g, int timeout_ms)
{
	control_event ev = {.type = CONTROL_LOOP, .gesture = g, .loop = *c, .serial = ++e->loop_asked};
	if (!atomic_load(&e->running)) { /* nothing would apply it (tests and fuzzers without a render thread) */
		gesture_free(g);
		return ENGINE_LOOP_TIMED_OUT;
	}
	if (engine_send(e, &ev) < 0) {
		gesture_free(g);
		return ENGINE_LOOP_FULL;
	}
	if (timeout_ms <= 0)
		return 0; /* queued: applied in order with what follows */
	/* The render thread applies it between two frames: a period or so. */
	for (int waited = 0; waited <= timeout_ms; waited++) {
		if (atomic_load_explicit(&e->loop_answered, memory_order_acquire) == ev.serial)
			return atomic_load_explicit(&e->loop_result, memory_order_relaxed) < 0 ? ENGINE_LOOP_REFUSED
			                                                                       : 0;
		nanosleep(&(struct timespec){0, 1000 * 1000}, NULL);
	}
	return ENGINE_LOOP_TIMED_OUT;
}

void engine_set_link(engine *e, tempo_link *l)
{
	atomic_store_explicit(&e->link, l, memory_order_release);
}

const loop_export *engine_loop_export(engine *e, int n, int timeout_ms)
{
	loop_command c = {.op = LOOP_EXPORT, .loop = n};
	return engine_loop_command(e, &c, NULL, timeout_ms) == 0 ? e->export : NULL;
}
