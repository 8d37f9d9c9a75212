/*
 * scene.c — scenes: a model and a terrain with the buffers of a batched
 * decode, built and freed on non-RT threads (engine.h).
 */
#include "engine_internal.h"

#include <math.h>
#include <stdlib.h>

#include "error.h"
#include "pages.h"
#include "resampler.h"

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
	/* The audio buffers, the scene's large part, in mappings of their own
	 * (pages.h): a swap makes and frees them, and in the heap they left holes
	 * the next scene missed. Resident from the start: the render thread,
	 * which writes them first, never waits on a page fault. */
	s->planar = pages_alloc((size_t)s->rows * (size_t)m->audio_channels * n * sizeof(float));
	s->row_used = calloc((size_t)s->rows, 1);
	s->mix = pages_alloc(n * ENGINE_CHANNELS * sizeof(float));
	s->resampled = pages_alloc(capacity * ENGINE_CHANNELS * sizeof(float));
	int parts_ok = 1;
	if (m->twin) {
		const size_t own_rows = ((size_t)s->rows + 1) / 2; /* the larger part */
		for (int p = 0; p < 2; p++) {
			s->part_latents[p] = calloc(own_rows * (size_t)t->latent_dim * (size_t)per_call, sizeof(float));
			s->part_planar[p] = pages_alloc(own_rows * (size_t)m->audio_channels * n * sizeof(float));
			parts_ok = parts_ok && s->part_latents[p] && s->part_planar[p];
		}
	}
	int resampling = device_rate != m->sample_rate, converter = 0;
	if (resampling && (s->resampler = malloc(sizeof *s->resampler)) != NULL)
		converter = resampler_init(s->resampler, m->sample_rate, device_rate) == 0;
	if (!s->latents || !s->scratch || !s->planar || !parts_ok || !s->row_used || !s->mix || !s->resampled ||
	    (resampling && !converter)) {
		scene_free(s);
		return error_set(err, errlen, "cannot prepare the scene: out of memory");
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
	if (s->resampler) {
		resampler_destroy(s->resampler);
		free(s->resampler);
	}
	model_free(s->model); /* NULL unless fully built, when it holds references */
	terrain_free(s->terrain);
	free(s->latents);
	free(s->scratch);
	pages_free(s->planar);
	for (int p = 0; p < 2; p++) {
		free(s->part_latents[p]);
		pages_free(s->part_planar[p]);
	}
	free(s->row_used);
	pages_free(s->mix);
	pages_free(s->resampled);
	free(s);
}
