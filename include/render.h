/*
 * render — the sound path shared by the live daemon and offline rendering:
 *
 *   target coordinate --one-pole smoothing per latent frame--> cursor
 *   cursor --terrain_eval--> latent vector --model_decode--> one frame of audio
 *
 * A decode call takes the model's frames_per_call latent frames (1 for
 * streaming models): the cursor steps and the terrain is evaluated once per
 * frame, then the frames are decoded together.
 *
 * Offline (`terraind render`) a gesture clock drives it; live, the render
 * thread applies control events from its ring at frame boundaries. Both call
 * render_set_target() and render_frame() in the same order, so an offline
 * render is exactly what the daemon would have played.
 *
 * Threads: render_init/render_destroy on a non-RT thread (they allocate).
 * render_set_target and render_frame on the render thread only; neither
 * allocates in terraind's code (render_frame runs libtorch's decode, which
 * may: that is why it is never called from the audio callback).
 */
#ifndef TERRAIND_RENDER_H
#define TERRAIND_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "gesture.h"
#include "model.h"
#include "terrain.h"

/* The control side of one sounding stream: where it is asked to go
 * (target) and where it is (cursor, smoothed once per latent frame). The
 * live engine keeps one per voice; a render_engine keeps one. */
typedef struct render_cursor {
	float target[TERRAIN_MAX_CONTROL_DIM];
	float cursor[TERRAIN_MAX_CONTROL_DIM];
	int has_cursor;     /* the first target places the cursor without a glide */
	float smooth_coeff; /* per latent frame; 0 = no smoothing */
	uint64_t clamped;   /* targets that fell outside the bounds */
	/* a pitch for the scene's pitch latent (/voice/N/pitch): log2 of Hz,
	 * asked for and smoothed like the cursor */
	float pitch_target, pitch_now;
	int has_pitch;
} render_cursor;

/* At the centre of the terrain's bounds, not yet placed. */
void render_cursor_init(render_cursor *c, const terrain *t);
/* Time constant of the one-pole smoothing, for the latent frames of `m`. */
void render_cursor_set_smoothing(render_cursor *c, const model *m, float smooth_ms);
/* Sets axes first .. first+n-1 of the target; non-finite values are
 * refused (-1), values outside the bounds clamped and counted. Returns the
 * number of clamped axes. */
int render_cursor_set_axes(render_cursor *c, const terrain *t, int first, const float *values, int n);
/* One latent frame of smoothing: the cursor moves toward the target (and
 * the pitch toward its own). */
void render_cursor_step(render_cursor *c, const terrain *t);
/* A pitch in Hz for the pitch latent, played while it is set; 0 (or
 * anything not above 0 and finite) sets none: the terrain's latent again.
 * The first pitch is taken at once, later ones glide as the cursor does. */
void render_cursor_set_pitch(render_cursor *c, float hz);
/* After the terrain has given `latent` (latent_dim values): the pitch
 * latent `p` names (NULL: none) from the cursor's pitch, if it has one. */
void render_cursor_apply_pitch(const render_cursor *c, const latent_pitch *p, float *latent, int latent_dim);
/* The pitch latent a scene plays: the terrain's model.pitch, else the
 * model's pitch_params; NULL when neither says. */
const latent_pitch *render_scene_pitch(const terrain *t, const model *m);

typedef struct render_engine {
	model *model;     /* not owned */
	terrain *terrain; /* not owned */
	render_cursor control;
	float *latent;  /* latent_dim: the last frame's latents */
	float *latents; /* latent_dim × frames_per_call, channel-major, as decode takes them */
	int frames_per_call;
	float *scratch;  /* terrain scratch */
	float *planar;   /* audio_channels × ratio·frames_per_call, as decode returns it */
	uint64_t frames; /* latent frames rendered */
} render_engine;

/* Checks that terrain and model fit (latent size, rate, ratio) and
 * allocates the buffers. `warning` receives a non-fatal remark (model id). */
int render_init(render_engine *e, model *m, terrain *t, float smooth_ms, char *err, size_t errlen, char *warning,
                size_t warnlen);
void render_destroy(render_engine *e);

/* Time constant of the cursor's one-pole smoothing, in milliseconds. */
void render_set_smoothing(render_engine *e, float smooth_ms);

/* Sets the first `dim` axes of the target (others keep their value).
 * Non-finite values are refused (-1); values outside the bounds are
 * clamped and counted. Returns the number of clamped axes. */
int render_set_target(render_engine *e, const float *coord, int dim);
/* The same for axes first .. first+n-1 (a fader that moves only y). */
int render_set_axes(render_engine *e, int first, const float *values, int n);

/* One latent frame's control step: the cursor moves (smoothing) and the
 * terrain is evaluated there into e->latent. */
void render_latent(render_engine *e);
/* Renders one decode call (frames_per_call latent frames, each a
 * render_latent): `out` receives render_samples_per_call() ×
 * audio_channels samples, interleaved. */
int render_frame(render_engine *e, float *out, char *err, size_t errlen);

/* Samples per render_frame call, for sizing buffers. */
int render_samples_per_call(const render_engine *e);

/* Offline: plays `g` from t = 0 to its end plus `tail_seconds`, handing
 * each rendered frame to `sink` (return non-zero from it to stop). */
typedef int (*render_sink)(void *ctx, const float *interleaved, int frames, char *err, size_t errlen);
int render_gesture(render_engine *e, const gesture *g, double tail_seconds, render_sink sink, void *ctx, char *err,
                   size_t errlen);

#endif
