/*
 * score_render — plays an OSC score (score.h) offline through the live
 * daemon's dispatcher (osc.c) and engine (engine.c, voices.c), in virtual
 * time, as scsynth's non-real-time mode does.
 *
 * There is no render thread, audio device or network: this module is all
 * three. The virtual clock is the number of device frames made so far.
 * Before each decode call, every entry whose time has come is handed to
 * osc_handle_packet() as if it had arrived from a loopback peer; the
 * engine then applies the events at that call's boundary (the live render
 * thread applies them at call boundaries too), renders the call
 * (engine_render_offline) and the audio is pulled as the audio callback
 * pulls it (gain, limiter). Time never depends on the machine: the same
 * score, model, terrain and seed give the same samples.
 *
 * Errors: the first /fail the dispatcher answers stops the render, named
 * by the score's line and entry. Requests that the live daemon hands to its
 * worker (loads, training, saves, /quit) are refused in a score.
 *
 * Threads: one non-RT thread (the caller's), which plays every part.
 */
#ifndef TERRAIND_SCORE_RENDER_H
#define TERRAIND_SCORE_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "model.h"
#include "render.h"
#include "score.h"
#include "terrain.h"

typedef struct score_settings {
	const config *config; /* voices, release, crossfade, gain, mappings (config_defaults() for none) */
	float smooth_ms;      /* the scene's smoothing */
	double tail_seconds;  /* rendered after the last entry */
	uint64_t seed;        /* torch's generator and the grains' spray */
} score_settings;

/* Plays `sc` on model `m` and terrain `t` (the caller keeps both), handing
 * the stereo frames at the model's rate to `sink`. Returns 0, or -1 with
 * the reason in err. *frames_out receives the frames rendered. */
int score_render(const score *sc, model *m, terrain *t, const score_settings *settings, render_sink sink, void *ctx,
                 uint64_t *frames_out, char *err, size_t errlen);

#endif
