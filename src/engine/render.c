/*
 * render.c — one latent frame at a time: smooth, evaluate, decode.
 *
 * Smoothing is a one-pole low-pass on the control coordinate, stepped once
 * per latent frame (coefficient exp(-frame / tau)), so it behaves the same
 * at any model ratio. It smooths the cursor rather than the latents: the
 * sound always stays on the terrain's surface.
 */
#include "render.h"

#include "error.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int render_samples_per_call(const render_engine *e)
{
	return e->model->ratio * e->frames_per_call;
}

void render_cursor_init(render_cursor *c, const terrain *t)
{
	memset(c, 0, sizeof *c);
	for (int d = 0; d < t->control_dim; d++)
		c->target[d] = c->cursor[d] = 0.5f * (t->bounds_min[d] + t->bounds_max[d]);
}

void render_cursor_set_smoothing(render_cursor *c, const model *m, float smooth_ms)
{
	double frame_ms = 1000.0 * m->ratio / m->sample_rate;
	c->smooth_coeff = smooth_ms > 0 ? (float)exp(-frame_ms / smooth_ms) : 0.0f;
}

int render_cursor_set_axes(render_cursor *c, const terrain *t, int first, const float *values, int n)
{
	float next[TERRAIN_MAX_CONTROL_DIM];
	memcpy(next, c->target, sizeof next);
	for (int i = 0; i < n; i++) {
		if (!isfinite(values[i]))
			return -1;
		if (first + i >= 0 && first + i < t->control_dim)
			next[first + i] = values[i];
	}
	int clamped = terrain_clamp(t, next);
	if (clamped)
		c->clamped++;
	memcpy(c->target, next, sizeof next);
	if (!c->has_cursor) {
		memcpy(c->cursor, next, sizeof next);
		c->has_cursor = 1;
	}
	return clamped;
}

void render_cursor_step(render_cursor *c, const terrain *t)
{
	const float a = c->smooth_coeff;
	for (int d = 0; d < t->control_dim; d++)
		c->cursor[d] = c->target[d] + a * (c->cursor[d] - c->target[d]);
	if (c->has_pitch)
		c->pitch_now = c->pitch_target + a * (c->pitch_now - c->pitch_target);
}

void render_cursor_set_pitch(render_cursor *c, float hz)
{
	if (!(hz > 0 && isfinite(hz))) {
		c->has_pitch = 0;
		return;
	}
	c->pitch_target = log2f(hz);
	if (!c->has_pitch)
		c->pitch_now = c->pitch_target;
	c->has_pitch = 1;
}

void render_cursor_apply_pitch(const render_cursor *c, const latent_pitch *p, float *latent, int latent_dim)
{
	if (c->has_pitch && p && p->latent < latent_dim)
		latent[p->latent] = p->per_octave * (c->pitch_now - log2f(p->reference_hz));
}

const latent_pitch *render_scene_pitch(const terrain *t, const model *m)
{
	if (t->has_model && t->model.pitch.has)
		return &t->model.pitch;
	return m && m->pitch.has && m->pitch.latent < t->latent_dim ? &m->pitch : NULL;
}

void render_set_smoothing(render_engine *e, float smooth_ms)
{
	render_cursor_set_smoothing(&e->control, e->model, smooth_ms);
}

int render_init(render_engine *e, model *m, terrain *t, float smooth_ms, char *err, size_t errlen, char *warning,
                size_t warnlen)
{
	memset(e, 0, sizeof *e);
	if (terrain_check_model(t, m->id, m->latent_dim, m->sample_rate, m->ratio, err, errlen, warning, warnlen) < 0)
		return -1;
	e->model = m;
	e->terrain = t;
	e->frames_per_call = m->frames_per_call > 0 ? m->frames_per_call : 1;
	e->latent = calloc((size_t)t->latent_dim, sizeof(float));
	e->latents = calloc((size_t)t->latent_dim * (size_t)e->frames_per_call, sizeof(float));
	e->scratch = calloc(terrain_scratch_floats(t), sizeof(float));
	e->planar = calloc((size_t)render_samples_per_call(e) * (size_t)m->audio_channels, sizeof(float));
	if (!e->latent || !e->latents || !e->scratch || !e->planar) {
		render_destroy(e);
		return error_set(err, errlen, "out of memory for the render buffers");
	}
	render_cursor_init(&e->control, t);
	render_set_smoothing(e, smooth_ms);
	return 0;
}

void render_destroy(render_engine *e)
{
	free(e->latent);
	free(e->latents);
	free(e->scratch);
	free(e->planar);
	e->latent = e->latents = e->scratch = e->planar = NULL;
}

int render_set_target(render_engine *e, const float *coord, int dim)
{
	return render_set_axes(e, 0, coord, dim);
}

int render_set_axes(render_engine *e, int first, const float *values, int n)
{
	return render_cursor_set_axes(&e->control, e->terrain, first, values, n);
}

void render_latent(render_engine *e)
{
	render_cursor_step(&e->control, e->terrain);
	terrain_eval(e->terrain, e->control.cursor, e->latent, e->scratch);
}

int render_frame(render_engine *e, float *out, char *err, size_t errlen)
{
	const int frames = e->frames_per_call, dim = e->terrain->latent_dim;
	for (int k = 0; k < frames; k++) {
		render_latent(e);
		for (int z = 0; z < dim; z++)
			e->latents[z * frames + k] = e->latent[z];
	}
	if (model_decode(e->model, e->latents, frames, e->planar, err, errlen) < 0)
		return -1;
	const int n = render_samples_per_call(e), channels = e->model->audio_channels;
	for (int c = 0; c < channels; c++)
		for (int i = 0; i < n; i++)
			out[i * channels + c] = e->planar[c * n + i];
	e->frames += (uint64_t)frames;
	return 0;
}

int render_gesture(render_engine *e, const gesture *g, double tail_seconds, render_sink sink, void *ctx, char *err,
                   size_t errlen)
{
	const model *m = e->model;
	if (g->control_dim != e->terrain->control_dim)
		return error_set(err, errlen,
		                 "the gesture has %d coordinates per point but the terrain has %d control dimensions",
		                 g->control_dim, e->terrain->control_dim);
	/* The target is set once per decode call, as the live render thread
	 * applies control events between calls. */
	const int call_samples = render_samples_per_call(e);
	const double call_seconds = (double)call_samples / m->sample_rate;
	const double end = gesture_duration(g) + (tail_seconds > 0 ? tail_seconds : 0);
	const uint64_t total = (uint64_t)ceil(end / call_seconds - 1e-9);
	float *buffer = malloc(sizeof(float) * (size_t)call_samples * (size_t)m->audio_channels);
	if (!buffer)
		return error_set(err, errlen, "out of memory");
	size_t hint = 0;
	int rc = 0;
	for (uint64_t k = 0; k < total && rc == 0; k++) {
		float coord[GESTURE_MAX_DIM];
		gesture_position(g, (double)k * call_seconds, &hint, coord);
		render_set_target(e, coord, g->control_dim);
		rc = render_frame(e, buffer, err, errlen);
		if (rc == 0 && sink(ctx, buffer, call_samples, err, errlen) != 0)
			rc = -1;
	}
	free(buffer);
	return rc;
}
