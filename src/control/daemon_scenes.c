/*
 * daemon_scenes.c — what the daemon plays: a model and a terrain loaded,
 * together or one at a time, into a scene handed to the engine, with the
 * settings the configuration gives each model (worker thread, and the main
 * thread at start).
 */
#include "daemon_internal.h"

#include <string.h>
#include <unistd.h>

#include "log.h"
#include "terrain_json.h"

static void remember_names(daemon_state *d, const model *m, const terrain *t)
{
	pthread_mutex_lock(&d->lock);
	osc_playing *p = &d->playing;
	snprintf(p->model, sizeof p->model, "%s", m->id);
	snprintf(p->terrain, sizeof p->terrain, "%s", t->name[0] ? t->name : "(unnamed)");
	p->model_rate = m->sample_rate;
	p->ratio = m->ratio;
	p->frames_per_call = m->frames_per_call;
	p->call_ms = model_call_ms(m);
	p->warmup_ms = m->warmup_ms;
	snprintf(p->rate_source, sizeof p->rate_source, "%s", m->rate_source);
	snprintf(p->rate_warning, sizeof p->rate_warning, "%s", m->rate_warning);
	if (d->osc_started)
		osc_set_playing(&d->osc, p);
	pthread_mutex_unlock(&d->lock);
}

/* engine.render_workers as model_load's twin: a second instance decodes half
 * of the voices on the second core (auto: when there is one and the model
 * is heavy enough to need it, model.h). */
static int daemon_twin_policy(int render_workers)
{
	if (render_workers == 1)
		return MODEL_TWIN_NEVER;
	if (render_workers == 2)
		return MODEL_TWIN_ALWAYS;
	return sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? MODEL_TWIN_AUTO : MODEL_TWIN_NEVER;
}

/* How the model at `path` is loaded: the rate chain (the terrain's, the
 * user's, else the device's) and the frames per call, from the model's
 * entry in `models` or the engine's settings. */
model_options daemon_model_options(const daemon_state *d, const char *path, const terrain *t, int device_rate)
{
	model_options options = model_default_options();
	char id[CONFIG_MODEL_ID_MAX];
	model_id_from_path(path, id, sizeof id);
	options.torch_threads = d->cfg.torch_threads;
	options.terrain_rate = t && t->has_model ? t->model.sample_rate : 0;
	options.fallback_rate = device_rate;
	options.warmup_rows = d->cfg.voices;
	options.twin = daemon_twin_policy(d->cfg.render_workers);
	config_model_settings(&d->cfg, id, &options.user_rate, &options.frames_per_call);
	return options;
}

static void log_model(const char *path, const model *m)
{
	log_info("now playing model %s (%d Hz %s, ratio %d, %d latents, %d frame(s) per call: %.1f ms of "
	         "audio per call; warm-up %.1f ms)",
	         path, m->sample_rate, m->rate_source, m->ratio, m->latent_dim, m->frames_per_call, model_call_ms(m),
	         m->warmup_ms);
	if (m->rate_warning[0])
		log_warn("%s: %s", m->id, m->rate_warning);
	if (m->warm_rows > 1)
		log_info("%s: %d voices decode in %.1f ms a call (%.1f ms of audio), warmed up at load", m->id,
		         m->warm_rows, m->decode_rows_ms, model_call_ms(m));
	if (m->twin)
		log_info("%s: voices decode on two threads (a second instance of the model holds half of them)", m->id);
}

/* Builds a scene from a new model or terrain plus the current other half;
 * on success the playing scene's half passes to the new scene. */
int daemon_swap_in(daemon_state *d, model *new_model, terrain *new_terrain, char *err, size_t errlen)
{
	scene *cur = engine_latest_scene(d->engine);
	model *m = new_model ? new_model : cur->model;
	terrain *t = new_terrain ? new_terrain : cur->terrain;
	scene *s;
	char warning[256];
	if (scene_create(m, t, d->cfg.smooth_ms, engine_device_rate(d->engine), engine_max_voices(d->engine), &s, err,
	                 errlen, warning, sizeof warning) < 0)
		return -1;
	if (warning[0])
		log_warn("%s", warning);
	d->last_swap = engine_publish(d->engine, s);
	osc_set_terrain(&d->osc, t);
	web_picture_set_terrain(&d->picture, t);
	remember_names(d, m, t);
	return 0;
}

int daemon_load_model(daemon_state *d, const osc_request *req, char *err, size_t errlen)
{
	model_options options =
	    daemon_model_options(d, req->path, engine_latest_scene(d->engine)->terrain, engine_device_rate(d->engine));
	model *m;
	if (model_load_fd(req->fd, req->path, &options, &m, err, errlen) < 0)
		return -1;
	int rc = daemon_swap_in(d, m, NULL, err, errlen);
	if (rc == 0)
		log_model(req->path, m);
	model_free(m); /* the scene holds its own reference */
	return rc;
}

/* The model a terrain records, when the terrain does not fit the playing
 * model and that model's file (<id>.ts) is in an allowed directory: loaded,
 * so that the terrain comes with its model. NULL otherwise (then the terrain
 * plays with the model that plays, if it fits it). */
static model *model_of_terrain(daemon_state *d, const terrain *t)
{
	const model *playing = engine_latest_scene(d->engine)->model;
	char why[512];
	if (!t->has_model || !t->model.id[0] || strcmp(t->model.id, playing->id) == 0 ||
	    terrain_check_model(t, playing->id, playing->latent_dim, playing->sample_rate, playing->ratio, why,
	                        sizeof why, NULL, 0) == 0)
		return NULL; /* it fits the playing model: it plays with it (the log says whose it was) */
	char name[TERRAIN_NAME_MAX + 4], path[CONFIG_PATH_MAX];
	snprintf(name, sizeof name, "%s.ts", t->model.id);
	/* the allowed directories as now (SIGHUP may change them) */
	int fd = osc_open_confined(&d->osc, name, 0, NULL, path, sizeof path, why, sizeof why);
	if (fd < 0) {
		log_info("terrain made for model '%s': %s (playing it with the model that plays)", t->model.id, why);
		return NULL;
	}
	model_options options = daemon_model_options(d, path, t, engine_device_rate(d->engine));
	model *m = NULL;
	if (model_load_fd(fd, path, &options, &m, why, sizeof why) < 0)
		log_warn("terrain made for model '%s': %s", t->model.id, why);
	close(fd);
	return m;
}

int daemon_load_terrain(daemon_state *d, const osc_request *req, char *err, size_t errlen)
{
	terrain *t;
	if (terrain_load_fd(req->fd, req->path, &t, err, errlen) < 0)
		return -1;
	model *m = model_of_terrain(d, t);
	int rc = daemon_swap_in(d, m, t, err, errlen);
	if (rc == 0)
		log_info("now playing terrain %s (%d -> %d)%s%s", req->path, t->control_dim, t->latent_dim,
		         m ? " with its model " : "", m ? m->path : "");
	else if (t->has_model && t->model.id[0] && !m)
		snprintf(err + strlen(err), errlen - strlen(err),
		         " (it was made for model '%s': put %s.ts in an allowed directory, or load both with "
		         "/load/scene MODEL TERRAIN)",
		         t->model.id, t->model.id);
	model_free(m);   /* the scene holds its own reference */
	terrain_free(t); /* likewise */
	return rc;
}

int daemon_load_scene(daemon_state *d, const osc_request *req, char *err, size_t errlen)
{
	model *m = NULL;
	terrain *t = NULL;
	int rc = -1;
	/* The terrain first: a model that states no sample rate takes the terrain's. */
	if (terrain_load_fd(req->fd2, req->path2, &t, err, errlen) == 0) {
		model_options options = daemon_model_options(d, req->path, t, engine_device_rate(d->engine));
		if (model_load_fd(req->fd, req->path, &options, &m, err, errlen) == 0)
			rc = daemon_swap_in(d, m, t, err, errlen);
	}
	if (rc == 0)
		log_info("now playing scene %s + %s", req->path, req->path2);
	model_free(m); /* the scene holds its own references */
	terrain_free(t);
	return rc;
}

int daemon_load_initial_scene(daemon_state *d, int device_rate, scene **out, char *err, size_t errlen)
{
	model *m = NULL;
	terrain *t = NULL;
	char warning[256];
	int rc = -1;
	/* The terrain first: a model that states no sample rate takes the terrain's. */
	if (terrain_load(d->cfg.terrain, &t, err, errlen) == 0) {
		model_options options = daemon_model_options(d, d->cfg.model, t, device_rate);
		if (model_load(d->cfg.model, &options, &m, err, errlen) == 0 &&
		    scene_create(m, t, d->cfg.smooth_ms, device_rate, d->cfg.voices, out, err, errlen, warning,
		                 sizeof warning) == 0) {
			if (warning[0])
				log_warn("%s", warning);
			if (m->max_rows < d->cfg.voices)
				log_warn("%s: %s", m->id, m->rows_note);
			log_model(d->cfg.model, m);
			remember_names(d, m, t);
			rc = 0;
		}
	}
	model_free(m); /* the scene holds its own references */
	terrain_free(t);
	return rc;
}
