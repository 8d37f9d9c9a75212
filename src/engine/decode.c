/*
 * decode.c — one decode call of the playing scene: per latent frame the
 * loops drive their voices, the cursors step and the terrain is evaluated
 * into each sounding voice's batch row; then one decode of all rows, the
 * grains' windows, the mix, and the resampling to the device rate.
 */
#include "engine_internal.h"

#include "resampler.h"

#include <math.h>
#include <string.h>

/* One latent frame of smoothing for every sounding voice. */
static void step_voices(engine *e, const scene *s)
{
	for (int i = 0; i < VOICES_MAX; i++)
		if (e->voices.voices[i].state != VOICE_FREE)
			render_cursor_step(&e->voices.voices[i].control, s->terrain);
}

/* Each sounding voice's latent vector at its cursor goes to latent frame
 * k of its row (rows × latent_dim × frames_per_call, as decode takes them);
 * returns the rows in use. */
int decode_evaluate_rows(engine *e, scene *s, int k)
{
	const int ld = s->terrain->latent_dim, per_call = s->frames_per_call;
	for (int i = 0; i < VOICES_MAX; i++) {
		const voice *v = &e->voices.voices[i];
		if (v->state == VOICE_FREE || v->row >= s->rows)
			continue;
		float z[TERRAIN_MAX_LATENT_DIM];
		const float *from_loop = loops_latent(e, i, ld);
		if (from_loop) /* a latent-mode loop plays it */
			memcpy(z, from_loop, sizeof(float) * (size_t)ld);
		else {
			terrain_eval(s->terrain, v->control.cursor, z, s->scratch);
			/* a note's pitch (/voice/N/pitch) over the terrain's pitch latent */
			render_cursor_apply_pitch(&v->control, render_scene_pitch(s->terrain, s->model), z, ld);
			if (s == e->current)
				swap_morph_latents(e, v, k, z);
		}
		float *row = s->latents + (size_t)v->row * ld * per_call;
		for (int c = 0; c < ld; c++)
			row[c * per_call + k] = z[c];
	}
	return voices_rows_in_use(&e->voices, s->rows);
}

/* Decodes the rows in use (silence when none sounds, or when the decode
 * fails: time is kept either way). */
void decode_rows(engine *e, scene *s, int rows)
{
	if (rows <= 0)
		return;
	int rc = s->model->twin ? decode_parts(e, s, rows)
	                        : model_decode_rows(s->model, s->latents, rows, s->frames_per_call, s->planar, e->error,
	                                            sizeof e->error);
	if (rc < 0) {
		memset(s->planar, 0, sizeof(float) * (size_t)rows * (size_t)s->model->audio_channels * call_samples(s));
		atomic_fetch_add(&e->decode_errors, 1);
	}
}

/* The voices' next call in the playing scene, mixed into s->mix: per
 * latent frame the cursors step and the terrain is evaluated, then one
 * decode of every row and frame. */
void decode_and_mix(engine *e, scene *s)
{
	const model *m = s->model;
	int rows = 0;
	grains_begin_call(&e->grains, &e->voices, s->terrain, s->rows, s->row_used, call_samples(s), m->sample_rate);
	for (int k = 0; k < s->frames_per_call; k++) {
		loops_drive(e, s);
		step_voices(e, s);
		rows = decode_evaluate_rows(e, s, k);
		loops_capture(e, s, k);
	}
	decode_rows(e, s, rows);
	grains_window(&e->grains, &e->voices, s->planar, m->audio_channels, call_samples(s));
	voices_mix(&e->voices, s->planar, m->audio_channels, call_samples(s), m->sample_rate, s->mix);
	grains_end_call(&e->grains, &e->voices);
	for (int i = 0; i < VOICES_MAX; i++) /* a voice whose release ended lets its gesture go */
		if (e->voices.voices[i].state == VOICE_FREE && e->voices.voices[i].playing)
			engine_stop_gesture(e, &e->voices.voices[i]);
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
float *decode_to_device_rate(engine *e, scene *s, size_t *frames)
{
	(void)e;
	const int n = call_samples(s);
	*frames = (size_t)n;
	if (!s->resampler)
		return s->mix;
	*frames = resampler_process(s->resampler, s->mix, (size_t)n, s->resampled);
	return s->resampled;
}
