/*
 * decode_parts.c — both cores: a model with a twin (model.twin, a second
 * instance with its own streaming state) decodes half of the voices' rows
 * on the render worker while the render thread decodes the other half.
 * Row r belongs to instance r % 2 as its row r / 2, always: a streaming
 * model's state for a voice lives in one instance's row, so a row never
 * moves between them. Voices take the lowest free row, so two sounding
 * voices already decode on both cores. The audio is scattered back into
 * the scene's rows and mixed in one place, as with one instance; the audio
 * callback sees nothing of it.
 */
#include "engine_internal.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

/* The worker's first act: the render thread's per-thread settings. */
static void worker_begins(void *arg)
{
	engine *e = arg;
	model_flush_denormals();
	e->worker_realtime = engine_set_realtime(1);
}

void decode_parts_start_worker(engine *e)
{
	char why[128];
	if (render_worker_start(&e->worker, worker_begins, e, why, sizeof why) < 0)
		log_warn("%s: models with a second instance decode both halves on the render thread", why);
}

int decode_parts_threads(const engine *e, const scene *s)
{
	return s->model->twin && render_worker_running(&e->worker) ? 2 : 1;
}

/* Runs on the render worker. */
static void decode_twin_rows(void *arg)
{
	twin_job *job = arg;
	engine *e = job->engine;
	if (job->realtime != e->worker_realtime) /* the render thread gave up priority (overload.c), or took it back */
		e->worker_realtime = engine_set_realtime(job->realtime) && job->realtime;
	job->rc = model_decode_rows(job->model, job->latents, job->rows, job->frames, job->audio, job->error,
	                            sizeof job->error);
	atomic_fetch_add_explicit(&e->worker_decodes, 1, memory_order_relaxed);
}

/* Rows part, part + 2, ... of `rows` between the scene's layout and the part's. */
static void gather_latents(scene *s, int part, int rows)
{
	const size_t floats = (size_t)s->terrain->latent_dim * (size_t)s->frames_per_call;
	for (int r = part, i = 0; r < rows; r += 2, i++)
		memcpy(s->part_latents[part] + (size_t)i * floats, s->latents + (size_t)r * floats,
		       floats * sizeof(float));
}

static void scatter_audio(scene *s, int part, int rows)
{
	const size_t floats = (size_t)s->model->audio_channels * (size_t)call_samples(s);
	for (int r = part, i = 0; r < rows; r += 2, i++)
		memcpy(s->planar + (size_t)r * floats, s->part_planar[part] + (size_t)i * floats,
		       floats * sizeof(float));
}

int decode_parts(engine *e, scene *s, int rows)
{
	const int own_rows = (rows + 1) / 2, twin_rows = rows / 2;
	gather_latents(s, 0, rows);
	gather_latents(s, 1, rows);
	twin_job *job = &e->twin;
	*job = (twin_job){.engine = e,
	                  .model = s->model->twin,
	                  .latents = s->part_latents[1],
	                  .audio = s->part_planar[1],
	                  .rows = twin_rows,
	                  .frames = s->frames_per_call,
	                  .realtime = e->realtime && !e->demoted};
	int posted = twin_rows > 0 && render_worker_post(&e->worker, decode_twin_rows, job) == 0;
	int rc = model_decode_rows(s->model, s->part_latents[0], own_rows, s->frames_per_call, s->part_planar[0],
	                           e->error, sizeof e->error);
	if (twin_rows > 0 && !posted) /* offline, or no worker: in turn, on this thread */
		job->rc = model_decode_rows(job->model, job->latents, job->rows, job->frames, job->audio, job->error,
		                            sizeof job->error);
	render_worker_wait(&e->worker);
	if (rc == 0 && twin_rows > 0 && job->rc < 0) {
		snprintf(e->error, sizeof e->error, "%s", job->error);
		rc = -1;
	}
	scatter_audio(s, 0, rows);
	if (twin_rows > 0)
		scatter_audio(s, 1, rows);
	return rc;
}
