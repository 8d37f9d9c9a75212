/*
 * engine — the live sound path between the control thread and the audio
 * callback: a pool of voices decoded together.
 *
 *   OSC thread --control ring--> render thread --audio ring--> audio callback
 *   worker ------pending scene--> render thread --retire ring--> worker
 *
 * A *scene* is what the voices play through: a model and a terrain, with
 * the buffers of a batched decode and the resampler. Loading a model or a
 * terrain builds a new scene on the worker thread (non-RT); the render
 * thread swaps it in at a frame boundary with one atomic exchange and hands
 * the old one back through the retire ring, so memory is never freed on the
 * render or audio thread and a failed load never touches what is playing.
 *
 * A *voice* is one sounding stream: a control source (a cursor, a stylus,
 * a touch, a gesture, a loop: looper.h), its own smoothing and terrain evaluation, its gain,
 * pan and envelope, and one row of the model's batch. Every latent frame,
 * all sounding voices are decoded in one call of batch = the highest row in
 * use + 1 (as mc.nn~ does), so the cost follows the voices that sound. A
 * voice keeps its row while it sounds; a streaming model keeps its state
 * per row, so a voice starting on a row another voice used fades in over a
 * latent frame (the row still holds that voice's tail), a fresh row over
 * 5 ms. A released voice fades out over release_ms, then frees its row.
 * Voice 0 sounds from the start (the performer's cursor, as before voices).
 *
 * Threads and real-time safety:
 *   engine_create/engine_free/engine_start/engine_stop  main thread, not RT
 *   engine_set_voices                                   main thread, before engine_start
 *   engine_send (control events)                        the OSC (network) thread, RT-safe
 *   engine_send_from, engine_loop_send                  one thread per engine_source, RT-safe
 *   engine_answers, engine_export_release               one consumer thread (the notifier)
 *   engine_publish/engine_collect                       one worker thread, not RT
 *   engine_pull                                         the audio callback only, RT-safe: no locks,
 *                                                       no allocation, no I/O; it posts a semaphore
 *                                                       (a non-blocking futex wake) to wake the renderer
 *   engine_stats_read, engine_voice_target              any thread, RT-safe (atomic loads)
 */
#ifndef TERRAIND_ENGINE_H
#define TERRAIND_ENGINE_H

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "gesture.h"
#include "limiter.h"
#include "grains.h"
#include "looper.h"
#include "model.h"
#include "render.h"
#include "ring.h"
#include "tempo_link.h"
#include "terrain.h"

enum {
	ENGINE_CHANNELS = 2,                /* the audio ring always carries stereo frames */
	ENGINE_AUDIO_RING = 1 << 17,        /* frames: 2.7 s at 48 kHz */
	ENGINE_MAX_FRAME = 1 << 16,         /* the longest latent frame at the device rate (half the ring) */
	ENGINE_MAX_VOICES = MODEL_MAX_ROWS, /* engine.voices is 1 to this */
};

typedef enum control_type {
	CONTROL_TARGET,       /* move voice `voice`'s target (axes first_axis .. first_axis+dim-1); sounds it */
	CONTROL_SMOOTH,       /* value[0] = smoothing time in ms, every voice */
	CONTROL_GESTURE,      /* voice `voice` plays `gesture` (ownership passes to the engine); sounds it */
	CONTROL_STOP_GESTURE, /* voice `voice` stops its gesture where it is */
	CONTROL_VOICE_OFF,    /* release voice `voice` (fades out over release_ms) */
	CONTROL_VOICE_GAIN,   /* value[0]: voice `voice`'s gain, 0 to 4 */
	CONTROL_VOICE_PAN,    /* value[0]: voice `voice`'s pan, -1 (left) to 1 (right) */
	CONTROL_GRAIN,        /* a granular setting (grains.h): first_axis = the grain_setting, dim values */
	CONTROL_LOOP,         /* `loop`: a looper command (LOOP_LOAD: its take is `gesture`, owned by the engine) */
	CONTROL_VOICE_PITCH,  /* value[0]: voice `voice`'s pitch in Hz for the scene's pitch latent; 0: none */
} control_type;

typedef struct control_event {
	control_type type;
	int voice;      /* 0 .. voices-1 */
	int first_axis; /* CONTROL_TARGET sets axes first_axis .. first_axis+dim-1 */
	int dim;
	float value[TERRAIN_MAX_CONTROL_DIM];
	int64_t received_ns; /* when the message arrived (latency measurement) */
	int64_t apply_ns;    /* 0 = now; else a monotonic time to apply it (OSC bundle timetags) */
	gesture *gesture;
	loop_command loop; /* CONTROL_LOOP */
	uint64_t ticket;   /* CONTROL_LOOP: answered with it when applied (engine_answers); 0 = no answer */
} control_event;

typedef struct scene {
	model *model;        /* referenced (refs) for the scene's lifetime */
	terrain *terrain;    /* likewise */
	float smooth_ms;     /* the configured smoothing, until a /smooth message */
	int rows;            /* batch rows allocated: voices that can sound at once in this scene */
	int frames_per_call; /* latent frames decoded in one call (the model's) */
	float *latents;      /* rows × latent_dim: one latent vector per row */
	float *scratch;      /* terrain evaluation scratch */
	float *planar;       /* rows × audio_channels × ratio, as decode returns it */
	/* With a twin model (model.twin): row r decodes on instance r % 2 as its
	 * row r / 2, so that voices taking the lowest free row share the two
	 * evenly; each instance's rows are gathered here for its call. */
	float *part_latents[2], *part_planar[2];
	unsigned char *row_used;     /* rows: a voice has sounded on it (its state holds a tail) */
	float *mix;                  /* the voices mixed: ratio stereo frames */
	struct resampler *resampler; /* model rate -> device rate (resampler.h), NULL when they match */
	double rate_ratio;           /* device rate / model rate */
	float *resampled;            /* stereo after resampling */
	size_t resampled_capacity;   /* frames */
	uint64_t serial;             /* set by engine_publish: which swap brought it */
	struct scene *retired_next;  /* the render thread's list of scenes waiting to be freed */
} scene;

/* Builds a scene on a non-RT thread, with room for `max_voices` voices (or
 * 1 when the model decodes one stream at a time). On success the scene
 * holds a reference to the model and to the terrain (the caller keeps its
 * own and drops it with model_free/terrain_free when done); scene_free
 * drops them, so a model shared by the playing scene and a new one lives as
 * long as either does. */
int scene_create(model *m, terrain *t, float smooth_ms, int device_rate, int max_voices, scene **out, char *err,
                 size_t errlen, char *warning, size_t warnlen);
void scene_free(scene *s);

typedef struct engine_stats {
	uint64_t frames_rendered; /* latent frames */
	uint64_t underruns;       /* callbacks that found too little audio */
	uint64_t dropped_events;  /* control events lost to a full ring or schedule */
	uint64_t clamped;         /* targets outside the bounds */
	uint64_t decode_errors;   /* frames the model failed to decode (silence was played) */
	int64_t latency_ns;       /* last measured control-to-audio latency, -1 if none yet */
	int64_t render_ns_max;    /* slowest frame (render + resample) */
	uint64_t swaps;
	uint64_t audio_frames_out; /* device frames the callback has delivered */
	uint64_t limited;          /* callbacks in which the output limiter turned the level down */
	uint64_t record_lost;      /* frames played but missing from the --record file: its writer fell behind */
	int voices_active;         /* voices sounding (releasing ones included) */
	int voices_max;            /* engine.voices, or fewer when the model decodes fewer at once */
	uint64_t voices_shed;      /* voices released or refused because decoding fell behind or no row was free */
	uint64_t overloaded;       /* frames the render thread took longer to make than they last */
	int render_realtime;       /* the render thread runs at real-time priority now (it gives it up
	                            * while it cannot keep up with one voice) */

	/* sub-frame control (subframe.h) */
	int subframe;                    /* engine_subframe_state for the playing scene */
	uint64_t redecodes;              /* frames decoded again because a cursor moved while they played */
	uint64_t redecode_ns;            /* the time those re-decodes took, in all */
	uint64_t redecodes_refused;      /* frames in which a move found no CPU for a re-decode (frame rate) */
	uint64_t redecodes_late;         /* frames in which a move came too late to decode the frame again in time */
	char redecodes_refused_why[192]; /* why the last refusal ("" for none) */
	uint64_t queued_replaced;        /* re-decodes whose audio replaced audio already queued for the device */

	/* both cores (decode_parts.c) */
	int render_threads;      /* threads decoding the playing scene's voices: 2 with a twin model, else 1 */
	uint64_t worker_decodes; /* decode calls the render worker made (a twin's half of the voices) */
} engine_stats;

/* Sub-frame control (subframe.h) for the playing scene: on, or why off. */
typedef enum engine_subframe_state {
	ENGINE_SUBFRAME_ON,
	ENGINE_SUBFRAME_OFF_CONFIG, /* engine.subframe is false */
	ENGINE_SUBFRAME_OFF_MODEL,  /* the model failed model_load's snapshot check */
} engine_subframe_state;
/* "on", or "off: why", for /status. */
const char *engine_subframe_text(int state);

typedef struct engine engine;

/* device_rate and period describe the audio stream; ring_ms is the audio
 * left in the ring when the next latent frame is rendered (0 = auto: three
 * periods, or two periods plus 1.5 to 2.5 times the recent decode time if
 * more: fill_target.h). */
int engine_create(int device_rate, int period, float ring_ms, int record, engine **out, char *err, size_t errlen);
void engine_free(engine *e);

/* Voices at most (1 .. ENGINE_MAX_VOICES, default 8) and the release fade
 * (default 50 ms). Before engine_start. */
void engine_set_voices(engine *e, int max_voices, float release_ms);
/* The equal-power crossfade of a swap (model, terrain, scene, training
 * result), in ms; 0 (the default) is the longest of 50 ms and both
 * scenes' latent frames. Before engine_start. */
void engine_set_crossfade(engine *e, float crossfade_ms);
/* Whether voices are shed when decoding falls behind (default 1). Off,
 * every voice plays on, late: for takes where no voice may drop out
 * (and sanitizer builds, which are always late). Before engine_start. */
void engine_set_shedding(engine *e, int shed);
/* Sub-frame control (default 1): a cursor move re-decodes the playing
 * frame and is heard within it (subframe.h); 0: at the next frame. Before
 * engine_start. */
void engine_set_subframe(engine *e, int on);
int engine_max_voices(const engine *e);

/* Starts the render thread on `initial` (owned from now on); voice 0 sounds. */
int engine_start(engine *e, scene *initial, char *err, size_t errlen);
void engine_stop(engine *e);
/* Offline (`terraind render --score`): no render thread and no audio
 * device; the caller plays both parts, in virtual time. After
 * engine_start_offline (voice 0 sounds, as with engine_start), each
 * engine_render_offline applies the control events sent so far and the
 * gestures' positions as at virtual time now_ns, renders one decode call
 * into the audio ring and returns how many device frames that added: the
 * caller takes them with engine_pull (gain, limiter, as live) and calls
 * engine_collect. Voices are never shed offline (a frame's cost in real
 * time changes nothing), so the same controls give the same samples.
 * Both on one thread, which is then the render thread. */
void engine_start_offline(engine *e, scene *initial);
size_t engine_render_offline(engine *e, int64_t now_ns);
/* Seeds the engine's own generator (the grains' spray). Before a start. */
void engine_set_seed(engine *e, uint64_t seed);
/* The granular synthesiser's counters, and its scanner's point (axes 0
 * and 1; returns whether it is on). Any thread. */
void engine_grains_stats(const engine *e, grains_stats *s);
int engine_grain_cursor(const engine *e, float *xy);
/* Whether the render thread got real-time (SCHED_FIFO) priority. */
int engine_render_realtime(const engine *e);

/* The newest scene published (worker thread): the one the render thread
 * plays, or the one it takes up at its next frame boundary. A load builds
 * on it, so two loads in a row chain instead of the second undoing the
 * first. (engine.c's `current` is the render thread's own.) */
scene *engine_latest_scene(engine *e);

/* Control from the network thread (ENGINE_FROM_NETWORK). Returns 0, or -1
 * when the ring is full (the event is counted as dropped). */
int engine_send(engine *e, const control_event *ev);

/* Worker: hand a new scene to the render thread, which crossfades to it at
 * the next frame; returns the swap's serial number, for
 * engine_wait_audible. engine_collect frees what the render thread has
 * retired and returns how many scenes and gestures that was (a swap retires
 * exactly one scene, after its crossfade: tests use the count). */
uint64_t engine_publish(engine *e, scene *s);
/* Worker: waits (polling, up to timeout_ms) until the callback has played
 * the first sample of the swap `serial`; returns 0, or -1 on time-out (no
 * audio is running). A load's /done waits for this. */
int engine_wait_audible(engine *e, uint64_t serial, int timeout_ms);
int engine_collect(engine *e);
/* For an engine whose render thread is not running (fuzzers, tests):
 * drops queued control events, freeing their gestures. */
void engine_discard_controls(engine *e);

/* Audio callback: fills `frames` frames of `channels` (1 or 2) interleaved
 * output. */
void engine_pull(engine *e, float *out, unsigned long frames, int channels);

/* Gain (any thread): the callback glides to it over ~10 ms. After the gain
 * a peak limiter (instant attack, 100 ms release) keeps every output sample
 * within ±ENGINE_CEILING, and non-finite samples become silence: no fader,
 * model or gain can make the output clip or wrap. */
#define ENGINE_CEILING LIMITER_CEILING

void engine_set_gain(engine *e, float gain);
float engine_get_gain(const engine *e);
/* Fade to silence (signals); engine_faded() turns true once silent. */
void engine_fade_out(engine *e);
int engine_faded(const engine *e);

void engine_stats_read(const engine *e, engine_stats *s);
/* The cursor target the render thread last applied to voice 0
 * (TERRAIN_MAX_CONTROL_DIM values). */
void engine_target(const engine *e, float *target);
/* Voice n's target; returns whether it sounds (0 for a free voice). */
int engine_voice_target(const engine *e, int n, float *target);
/* The latent vector of the last rendered frame: its first `max` values
 * (at most ENGINE_LATENT_SNAPSHOT); returns how many were written. */
enum { ENGINE_LATENT_SNAPSHOT = 64 };
int engine_latent(const engine *e, float *latent, int max);
int engine_device_rate(const engine *e);
size_t engine_target_fill(const engine *e);
/* The ring of recorded output (stereo float frames), or NULL. */
ring *engine_record_ring(engine *e);

/* The gesture looper (looper.h) plays on the render thread: commands are
 * CONTROL_LOOP events; each latent frame the loops drive their voices and
 * record theirs. What a loop is doing, and its settings, as of the last
 * frame (any thread): */
void engine_loop_info(const engine *e, int n, loop_info *info);

/* Who sends control events: each source is one thread, with a ring of its
 * own (the rings are single-producer). The network thread handles OSC; the
 * worker applies what it read from files (loop takes, sessions). */
typedef enum engine_source { ENGINE_FROM_NETWORK, ENGINE_FROM_WORKER, ENGINE_SOURCES } engine_source;
/* engine_send from another source's thread. */
int engine_send_from(engine *e, engine_source source, const control_event *ev);

/* Queues a loop command (LOOP_LOAD: with its take `g`, which the engine
 * owns from now on; LOOP_EXPORT: a copy of the take into an export slot)
 * and returns at once, never waiting for the render thread. A nonzero
 * `ticket` asks for an answer when it has been applied (engine_answers).
 * Returns 0; ENGINE_LOOP_FULL when the control queue is full, or
 * ENGINE_LOOP_STOPPED when no render thread runs: then nothing is queued
 * and nothing will ever be applied. The source's thread only. */
enum {
	ENGINE_LOOP_REFUSED = -1, /* it did nothing in the loop's state: engine_loop_info says which */
	ENGINE_LOOP_FULL = -2,
	ENGINE_LOOP_STOPPED = -3,
	ENGINE_LOOP_NO_SLOT = -4, /* LOOP_EXPORT: every export slot is still held */
};
int engine_loop_send(engine *e, engine_source source, const loop_command *c, gesture *g, uint64_t ticket);

/* An applied command's answer: its ticket, 0 or ENGINE_LOOP_REFUSED /
 * ENGINE_LOOP_NO_SLOT, and for LOOP_EXPORT the slot that holds the copy
 * (engine_export; give it back with engine_export_release). */
typedef struct engine_answer {
	uint64_t ticket;
	int rc;
	int slot;
} engine_answer;
enum { ENGINE_EXPORT_SLOTS = 16, ENGINE_ANSWERS = 1024 };
/* Takes up to `max` answers, oldest first; returns how many. One consumer
 * thread (the notifier, or the offline renderer). */
int engine_answers(engine *e, engine_answer *out, int max);
/* An export slot's copy of a take, valid until engine_export_release. */
const loop_export *engine_export(const engine *e, int slot);
void engine_export_release(engine *e, int slot);

/* The Link session the loops' beat and tempo follow while it is enabled
 * (NULL: none). Owned by the caller, which keeps it until engine_free. */
void engine_set_link(engine *e, tempo_link *l);
/* Voice n's gain and pan, as last set (any thread). */
void engine_voice_mix(const engine *e, int n, float *gain, float *pan);

#endif
