/*
 * engine_internal.h — the engine's own header, shared by its files and by
 * nobody else (include/engine.h is the engine's interface).
 *
 * The engine is one object worked on by several threads; each file holds
 * one concern and says which thread runs it:
 *
 *   engine.c         lifecycle, setters and the render loop        main / render thread
 *   scene.c          scenes built and freed                         worker
 *   swap.c           scenes handed over, and the crossfade          worker / render thread
 *   retire.c         what the render thread is done with, freed     render thread / worker
 *   controls.c       control events applied between frames          network thread / render thread
 *   decode.c         one decode call: rows, mix, resampling         render thread
 *   decode_parts.c   a twin model's rows decoded on the worker      render thread / render worker
 *   subframe.c       re-decoding the playing frame after a move     render thread
 *   overload.c       fill target, xrun margin, shedding, priority   render thread
 *   engine_looper.c  the looper's commands and loops in the frame   render thread (and control)
 *   publish.c        what other threads may read (atomics)          render thread / any
 *   callback.c       engine_pull: ring to device, gain, limiter     audio callback
 *
 * Fields of struct engine are grouped by the thread that owns them; a
 * field read by another thread is an atomic.
 */
#ifndef TERRAIND_ENGINE_INTERNAL_H
#define TERRAIND_ENGINE_INTERNAL_H

#include "engine.h"

#include <stdbool.h>

#include "audio_patch.h"
#include "clock.h"
#include "limiter.h"
#include "render_worker.h"
#include "resampler.h"
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

enum { OUTGOING_FRAMES = 2 * (ENGINE_MAX_FRAME + 64) }; /* one new and one old frame at the device rate */
_Static_assert((int)LOOPER_MAX_VOICES >= (int)ENGINE_MAX_VOICES, "a loop (and a session) can name every voice");

typedef struct retired {
	scene *scene;
	gesture *gesture;
} retired;

/* The twin's half of a decode, run on the render worker (decode_parts.c). */
typedef struct twin_job {
	struct engine *engine;
	model *model;
	const float *latents;
	float *audio;
	int rows, frames;
	int realtime; /* the priority the render thread has now: the worker follows it */
	int rc;
	char error[256];
} twin_job;

/* What the retire ring could not take yet (the worker is busy, e.g.
 * training), oldest first: intrusive lists, so never full. */
typedef struct deferred_list {
	scene *scenes, *last_scene;
	gesture *gestures, *last_gesture;
} deferred_list;

struct engine {
	ring *control[ENGINE_SOURCES], *audio, *retire, *record;
	ring *answers; /* render thread -> the notifier: applied loop commands (engine_answers) */
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
	scene *outgoing;                       /* the scene fading out after a swap, or NULL */
	float *outgoing_audio;                 /* its device-rate stereo frames not yet mixed in */
	size_t outgoing_frames;                /* how many */
	size_t xfade_done, xfade_len;          /* device frames into the crossfade, and its length */
	int morph_done,
	    morph_len; /* a swap that keeps the model: latent frames into the morph, and its length (0: none) */
	int64_t recent_render_ns; /* a slowly decaying peak of the frames' render times */
	int behind;               /* frames in a row that took longer than they last */
	int on_time;              /* frames in a row since, while demoted */
	int demoted;              /* real-time priority given up while overloaded */
	char error[512];
	/* sub-frame control (subframe.h) */
	int subframe;                         /* engine.subframe */
	float *staged;                        /* the newest frame at the device rate, stereo */
	size_t staged_frames, staged_pos;     /* its length, and how much of it is in the ring */
	voice_pool pool_before, pool_decoded; /* the voices as it began, and as its last decode left them */
	resampler resampler_before;           /* the scene's converter as it began (when it resamples) */
	const scene *snapshot_scene;          /* the scene whose model state was saved before it, or NULL */
	int redecodes_now;                    /* re-decodes of it so far */
	int move_refused;                     /* a move found no CPU for a re-decode (counted once a frame) */
	int move_late;                        /* a move came too late in the frame to decode it again */
	subframe_refusal short_why;           /* why nothing was saved before it (CPU, a glitch...), or NOT */
	uint64_t glitches_seen;               /* xruns + late frames when last looked at */
	uint64_t underruns_seen;              /* xruns when the ring's target last looked */
	double caution;                       /* the ring's added margin after xruns (fill_target.h) */
	int calm_frames;                      /* frames left at frame rate after a glitch (SUBFRAME_CALM_MS) */
	audio_patch patch;         /* a re-decode's audio laid over what the ring holds (callback reads it) */
	atomic_size_t pull_frames; /* the frames of the callback's last call: how far it may be reading */

	/* the render worker: a second core for a twin model's rows (decode_parts.c) */
	render_worker worker;
	twin_job twin;
	int worker_realtime; /* the worker thread's own: whether it runs at real-time priority */

	/* audio callback only */
	uint64_t frames_read;
	uint64_t audible_seen; /* the last swap serial the callback reached */
	float gain_now, fade_level;
	float gain_step; /* per-sample glide coefficient */
	limiter limiter; /* the output's peak limiter (limiter.h) */

	/* shared counters */
	atomic_uint_fast64_t frames_rendered, underruns, dropped_schedule, decode_errors, swaps, frames_out, clamped;
	atomic_uint_fast64_t limited, voices_shed, overloaded;
	atomic_uint_fast64_t record_lost; /* frames the recording lost (its ring was full) */
	atomic_uint_fast64_t redecodes, redecode_ns, redecodes_refused, redecodes_late;
	atomic_int refused_why;                                /* the last refusal's subframe_refusal */
	atomic_int_fast64_t refused_cost_ns, refused_frame_ns; /* a frame's cost and length then */
	atomic_uint_fast64_t queued_replaced;                  /* re-decodes that replaced audio already in the ring */
	atomic_int render_threads;
	atomic_uint_fast64_t worker_decodes;
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
		_Atomic double setting[LOOP_KEYS];
	} loop_pub[LOOPER_LOOPS];
	_Atomic(tempo_link *) link; /* Ableton Link, when the control side started it */
	/* LOOP_EXPORT's copies: the render thread fills a free slot and answers
	 * with it; the consumer of the answers gives it back */
	loop_export *exports[ENGINE_EXPORT_SLOTS];
	atomic_int export_held[ENGINE_EXPORT_SLOTS];
	/* a swap is audible once the callback reaches the ring index where it began */
	atomic_uint_fast64_t swap_frame, taken_serial, audible_serial;
};

static inline float voice_smoothing(const engine *e, const scene *s)
{
	return e->smooth_ms >= 0 ? e->smooth_ms : s->smooth_ms;
}

/* The samples of one decode call: frames_per_call latent frames. */
static inline int call_samples(const scene *s)
{
	return s->model->ratio * s->frames_per_call;
}

static inline double frame_ms(const scene *s)
{
	return 1000.0 * call_samples(s) / s->model->sample_rate;
}

static inline int64_t call_ns(const scene *s)
{
	return (int64_t)(1e9 * call_samples(s) / s->model->sample_rate);
}

/* Frames of the staged frame not yet in the ring. */
static inline size_t staged_left(const engine *e)
{
	return e->staged_frames - e->staged_pos;
}

/* The ring index of the next frame's first sample. */
static inline uint64_t next_frame_index(const engine *e)
{
	return e->frames_written + staged_left(e);
}

/* Floats through atomic_uint, for the values other threads read. */
static inline unsigned float_bits(float f)
{
	union {
		float f;
		unsigned u;
	} b = {.f = f};
	return b.u;
}

static inline float bits_float(unsigned u)
{
	union {
		float f;
		unsigned u;
	} b = {.u = u};
	return b.f;
}

/* ---- engine.c (render thread) ---- */
/* Moves the staged frame into the ring, as far as the fill target allows. */
void push_staged(engine *e);

/* ---- retire.c ---- */
/* Passes a scene or gesture the render thread is done with to the worker. */
void engine_retire(engine *e, scene *s, gesture *g);
/* Hands what was deferred to the retire ring while it has room. */
void engine_hand_over_deferred(engine *e);
/* engine_free: frees what never reached the worker. */
void engine_free_deferred(engine *e);

/* ---- swap.c (render thread; the last, the callback) ---- */
/* Takes a published scene, if any: the voices carry over, the old scene fades out. */
void swap_take_pending(engine *e);
/* After a frame of the new scene: mixes the outgoing scene's audio under
 * its `frames` stereo frames, or, where the swap kept the model, counts the
 * frame's step of the morph; retires the outgoing scene at the end. */
void swap_crossfade(engine *e, float *out, size_t frames);
/* z, latent frame k of the new scene's frame at `cursor`, moved towards the
 * outgoing terrain's latents there while a morph lasts (a no-op otherwise). */
void swap_morph_latents(engine *e, const voice *v, int k, float *z);
/* The callback: marks a swap audible once its first sample is played. */
void swap_check_audible(engine *e);

/* ---- controls.c (render thread) ---- */
/* Applies the events that arrived (and scheduled ones now due) at `now`. */
void controls_drain(engine *e, int64_t now);
/* Voices playing gestures move to where their gestures are at `now`. */
void controls_play_gestures(engine *e, int64_t now);
void engine_stop_gesture(engine *e, voice *v);
/* Sounds voice n in the current scene; counts a refusal (no row free). */
void engine_sound_voice(engine *e, int n);

/* ---- decode.c (render thread) ---- */
/* The voices' next call in scene s, mixed into s->mix. */
void decode_and_mix(engine *e, scene *s);
/* Latent frame k of every sounding voice's row; returns the rows in use. */
int decode_evaluate_rows(engine *e, scene *s, int k);
/* Decodes the rows in use (silence when the decode fails). */
void decode_rows(engine *e, scene *s, int rows);
/* The mixed call at the device rate: where it is and how many frames. */
float *decode_to_device_rate(engine *e, scene *s, size_t *frames);

/* ---- decode_parts.c (render thread; the render worker) ---- */
/* Starts the render worker (live engines); without it twins decode in turn. */
void decode_parts_start_worker(engine *e);
/* Threads that decode scene s's voices (engine_stats.render_threads). */
int decode_parts_threads(const engine *e, const scene *s);
/* Decodes `rows` rows of s->latents into s->planar half on the model, half
 * on its twin on the render worker; -1 (e->error says why) when either failed. */
int decode_parts(engine *e, scene *s, int rows);

/* ---- engine_looper.c (render thread) ---- */
/* A CONTROL_LOOP event: a looper command or an export, answered by serial. */
void loops_apply(engine *e, const control_event *ev);
/* The loops step one latent frame and steer their voices. */
void loops_drive(engine *e, const scene *s);
/* Recording loops take their source voice's point of latent frame k. */
void loops_capture(engine *e, scene *s, int k);
/* The latents a latent-mode loop plays on voice i this frame, or NULL. */
const float *loops_latent(const engine *e, int i, int latent_dim);
/* What the loops are doing, for engine_loop_info. */
void loops_publish(engine *e);

/* ---- publish.c (render thread) ---- */
void publish_targets(engine *e);
void publish_latent(engine *e, const float *latent, int n);

/* ---- overload.c (render thread) ---- */
/* Audio kept ahead of the callback before the next frame is rendered. */
size_t engine_render_threshold(const engine *e, const scene *s);
int engine_set_realtime(int on);
void overload_watch(engine *e, int64_t took_ns, const scene *s);
void overload_follow_xruns(engine *e, const scene *s);

/* ---- subframe.c (render thread) ---- */
int subframe_state_of(const engine *e, const scene *s);
/* Saves the model's state and the voices before a frame, when a re-decode may come. */
void subframe_save_before_frame(engine *e, scene *s);
/* Re-decodes the staged frame when a voice moved and the CPU has room. */
void subframe_redecode_if_moved(engine *e);

#endif
