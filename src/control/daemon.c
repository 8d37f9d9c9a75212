/*
 * daemon.c — the live instrument (daemon.h); `terraind serve` parses its
 * command line in src/cli/cmd_serve.c.
 *
 * Start-up order matters for "never glitch": the model is loaded and warmed
 * up, the render thread fills the audio ring, and only then does the audio
 * stream start; OSC opens last. Shut-down runs the other way, after a
 * 50 ms fade so that stopping never clicks.
 *
 * Threads here: the main thread waits for signals (SIGINT/SIGTERM: fade
 * and exit; SIGHUP: reload the config), the worker thread performs loads
 * requested over OSC and frees what the render thread retired. Signals are
 * blocked in every other thread, so no handler ever runs on an RT thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <sys/wait.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audio.h"
#include "clock.h"
#include "commands.h"
#include "config.h"
#include "daemon.h"
#include "engine.h"
#include "error.h"
#include "jack_ports.h"
#include "log.h"
#include "midi_in.h"
#include "net.h"
#include "osc.h"
#include "path.h"
#include "recorder.h"
#include "terrain_json.h"
#include "terrain_train.h"
#include "torch_backend.h"
#include "web.h"
#include "web_picture.h"

enum { QUEUE_MAX = 8 };

typedef struct daemon_state {
	config cfg;
	const daemon_options *options;
	engine *engine;
	audio_stream *audio;
	net_server *net;
	osc_context osc;
	midi_in *midi;       /* NULL: MIDI off (midi_in.h) */
	web_server *web;     /* the web surface (NULL when http.port is 0) */
	web_picture picture; /* the terrain it shows: set wherever the scene's terrain changes */
	recorder *recorder;
	jack_ports *jack; /* audio.jack_ports' connections (NULL: none asked for) */
	int64_t started_ns, next_jack_poll_ns;
	/* worker */
	pthread_t worker, notifier;
	bool worker_started, notifier_started;
	uint64_t last_swap;   /* worker: the serial of the last scene published */
	pthread_mutex_t lock; /* queue, names */
	pthread_cond_t wake;
	osc_request queue[QUEUE_MAX];
	int n_queued;
	bool stopping;
	osc_playing playing; /* what plays, for the log and /status (osc_set_playing) */
	bool osc_started;
	/* main thread: audio lost and being reconnected */
	int64_t audio_lost_ns, next_retry_ns;
	int restart; /* restarts so far to reconnect the audio (TERRAIND_RESTART) */
} daemon_state;

/* ---- configuration ------------------------------------------------------- */

/* After a restart to reconnect the audio (TERRAIND_RESTART=n), record to
 * "<name>.<n>.wav" so the recording made before it is kept. */
static int number_recording_after_restart(daemon_state *d, char *err, size_t errlen)
{
	const char *restart = getenv("TERRAIND_RESTART");
	char *end = NULL;
	long n = restart ? strtol(restart, &end, 10) : 0;
	if (restart && (end == restart || *end || n < 0 || n >= INT_MAX))
		return error_set(err, errlen, "TERRAIND_RESTART must be a count of restarts, not '%.40s'", restart);
	d->restart = (int)n;
	if (!d->restart || !d->cfg.record[0])
		return 0;
	char numbered[sizeof d->cfg.record];
	const char *dot = strrchr(d->cfg.record, '.');
	int stem = dot && !strchr(dot, '/') ? (int)(dot - d->cfg.record) : (int)strlen(d->cfg.record);
	if (path_format(numbered, sizeof numbered, "the numbered recording path", err, errlen, "%.*s.%d%s", stem,
	                d->cfg.record, d->restart, d->cfg.record + stem) < 0)
		return -1;
	memcpy(d->cfg.record, numbered, sizeof numbered);
	log_info("restarted to reconnect the audio (%d); recording to %s", d->restart, d->cfg.record);
	return 0;
}

/* ---- loading ----------------------------------------------------------------- */

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
static model_options daemon_model_options(const daemon_state *d, const char *path, const terrain *t, int device_rate)
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
static int swap_in(daemon_state *d, model *new_model, terrain *new_terrain, char *err, size_t errlen)
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

static int load_model_request(daemon_state *d, const osc_request *req, char *err, size_t errlen)
{
	model_options options =
	    daemon_model_options(d, req->path, engine_latest_scene(d->engine)->terrain, engine_device_rate(d->engine));
	model *m;
	if (model_load_fd(req->fd, req->path, &options, &m, err, errlen) < 0)
		return -1;
	int rc = swap_in(d, m, NULL, err, errlen);
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

static int load_terrain_request(daemon_state *d, const osc_request *req, char *err, size_t errlen)
{
	terrain *t;
	if (terrain_load_fd(req->fd, req->path, &t, err, errlen) < 0)
		return -1;
	model *m = model_of_terrain(d, t);
	int rc = swap_in(d, m, t, err, errlen);
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

static int load_scene_request(daemon_state *d, const osc_request *req, char *err, size_t errlen)
{
	model *m = NULL;
	terrain *t = NULL;
	int rc = -1;
	/* The terrain first: a model that states no sample rate takes the terrain's. */
	if (terrain_load_fd(req->fd2, req->path2, &t, err, errlen) == 0) {
		model_options options = daemon_model_options(d, req->path, t, engine_device_rate(d->engine));
		if (model_load_fd(req->fd, req->path, &options, &m, err, errlen) == 0)
			rc = swap_in(d, m, t, err, errlen);
	}
	if (rc == 0)
		log_info("now playing scene %s + %s", req->path, req->path2);
	model_free(m); /* the scene holds its own references */
	terrain_free(t);
	return rc;
}

typedef struct live_training {
	daemon_state *d;
	const osc_peer *peer;
} live_training;

static int report_training(void *ctx, int epoch, int epochs, double loss)
{
	live_training *lt = ctx;
	osc_send_progress(&lt->d->osc, lt->peer, epoch, epochs, loss);
	pthread_mutex_lock(&lt->d->lock);
	bool stopping = lt->d->stopping;
	pthread_mutex_unlock(&lt->d->lock);
	return stopping; /* shutting down: stop, keep what was learned */
}

/* /train/run: a new terrain, of the playing one's shape and bounds, fitted
 * to the pairs collected with /train/add, on this (worker) thread while the
 * render thread goes on playing; swapped in when done. */
static int train_request(daemon_state *d, const osc_request *req, char *err, size_t errlen)
{
	float *x, *y;
	int cd, ld;
	int n = training_pairs_copy(&d->osc.training, &x, &y, &cd, &ld);
	const terrain *cur = engine_latest_scene(d->engine)->terrain;
	tb_train_options opt = {.epochs = req->epochs,
	                        .batch = 32,
	                        .channels = 128,
	                        .features = 256,
	                        .lr = 1e-3,
	                        .gauss_scale = cur->gauss_scale > 0 ? cur->gauss_scale : 0.2,
	                        .seed = 0};
	terrain *t = NULL;
	double loss;
	live_training lt = {d, &req->peer};
	int rc = n < 2 ? error_set(err, errlen, "%d training pair(s): add some with /train/add first", n < 0 ? 0 : n)
	               : terrain_train(x, y, n, cd, ld, &opt, report_training, &lt, &t, &loss, err, errlen);
	if (rc == 0) {
		memcpy(t->bounds_min, cur->bounds_min, sizeof t->bounds_min);
		memcpy(t->bounds_max, cur->bounds_max, sizeof t->bounds_max);
		t->has_model = cur->has_model;
		t->model = cur->model;
		snprintf(t->name, sizeof t->name, "live");
		rc = swap_in(d, NULL, t, err, errlen);
		log_info("trained a terrain on %d pair(s), %d epoch(s): final mean squared error %.6f", n, req->epochs,
		         loss);
	}
	terrain_free(t); /* the scene holds its own reference */
	free(x);
	free(y);
	return rc;
}

/* Saves into the directory osc.c opened when it confined the path. */
static int save_request(daemon_state *d, const osc_request *req, char *err, size_t errlen)
{
	const char *name = strrchr(req->path, '/') + 1; /* confined paths are absolute */
	int rc = terrain_save_at(engine_latest_scene(d->engine)->terrain, req->fd, name, req->overwrite, err, errlen);
	if (rc == 0)
		log_info("saved the playing terrain to %s", req->path);
	else if (strstr(err, "already exists"))
		snprintf(err + strlen(err), errlen - strlen(err), ": add 1 after the path to replace it");
	return rc;
}

static void run_request(daemon_state *d, const osc_request *req)
{
	char err[1024];
	int rc = 0;
	if (osc_run_file_request(&d->osc, req))
		return;
	if (req->type == OSC_QUIT) {
		osc_reply_done(&d->osc, &req->peer, req->address);
		log_info("quit requested over OSC");
		kill(getpid(), SIGTERM);
		return;
	}
	switch (req->type) {
	case OSC_LOAD_MODEL: rc = load_model_request(d, req, err, sizeof err); break;
	case OSC_LOAD_TERRAIN: rc = load_terrain_request(d, req, err, sizeof err); break;
	case OSC_LOAD_SCENE: rc = load_scene_request(d, req, err, sizeof err); break;
	case OSC_TRAIN: rc = train_request(d, req, err, sizeof err); break;
	default: rc = save_request(d, req, err, sizeof err); break;
	}
	osc_request_release(req);
	if (rc == 0) {
		/* As scsynth answers after the real-time stage: /done once the new
		 * sound is audible, not when it was queued (a save changes no sound). */
		if (req->type != OSC_SAVE_TERRAIN && engine_wait_audible(d->engine, d->last_swap, 2000) < 0)
			log_warn("%s: the new sound was not heard within 2 s (is the audio running?)", req->address);
		osc_reply_done(&d->osc, &req->peer, req->address);
		return;
	}
	log_error("%s failed%s: %s", req->address,
	          req->type == OSC_SAVE_TERRAIN ? "" : ", still playing the previous one", err);
	osc_reply_fail(&d->osc, &req->peer, req->address, "%s", err);
}

/* ---- worker thread ----------------------------------------------------------- */

static int queue_request(void *ctx, const osc_request *req)
{
	daemon_state *d = ctx;
	pthread_mutex_lock(&d->lock);
	int ok = d->n_queued < QUEUE_MAX;
	if (ok)
		d->queue[d->n_queued++] = *req;
	pthread_cond_signal(&d->wake);
	pthread_mutex_unlock(&d->lock);
	return ok ? 0 : -1;
}

static void report_problems(daemon_state *d, engine_stats *last)
{
	engine_stats now;
	engine_stats_read(d->engine, &now);
	if (now.decode_errors > last->decode_errors)
		log_error("the model failed to decode %llu frame(s) (played as silence)",
		          (unsigned long long)(now.decode_errors - last->decode_errors));
	if (now.record_lost > last->record_lost)
		log_error("the recording lost %.1f ms of what played (the disk did not keep up): %s has gaps",
		          1000.0 * (double)(now.record_lost - last->record_lost) / engine_device_rate(d->engine),
		          d->cfg.record);
	if (now.underruns > last->underruns)
		log_warn("audio underrun: %llu callback(s) found the ring short",
		         (unsigned long long)(now.underruns - last->underruns));
	*last = now;
}

static void *worker_main(void *arg)
{
	daemon_state *d = arg;
	engine_stats last;
	engine_stats_read(d->engine, &last);
	pthread_mutex_lock(&d->lock);
	while (!d->stopping) {
		if (d->n_queued > 0) {
			osc_request req = d->queue[0];
			memmove(d->queue, d->queue + 1, sizeof(osc_request) * (size_t)--d->n_queued);
			pthread_mutex_unlock(&d->lock);
			run_request(d, &req);
			pthread_mutex_lock(&d->lock);
			continue;
		}
		struct timespec deadline = clock_deadline_in(100 * 1000 * 1000); /* d->wake waits on CLOCK_MONOTONIC */
		pthread_cond_timedwait(&d->wake, &d->lock, &deadline);
		pthread_mutex_unlock(&d->lock);
		engine_collect(d->engine);
		report_problems(d, &last);
		pthread_mutex_lock(&d->lock);
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

/* /notify pushes: a small non-RT thread, so that loads on the worker never
 * hold them up. 5 ms ticks: enough for the 60 updates a second allowed. */
static void *notifier_main(void *arg)
{
	daemon_state *d = arg;
	for (;;) {
		pthread_mutex_lock(&d->lock);
		bool stopping = d->stopping;
		pthread_mutex_unlock(&d->lock);
		if (stopping)
			return NULL;
		osc_pending_collect(&d->osc);
		osc_notify_tick(&d->osc);
		nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
	}
}

/* ---- start and stop -------------------------------------------------------------- */

static int load_initial_scene(daemon_state *d, int device_rate, scene **out, char *err, size_t errlen)
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

/* audio.jack_ports: a routing that cannot happen (not playing through
 * JACK) is said, and the sound plays where PortAudio put it. */
static void start_jack_ports(daemon_state *d)
{
	if (!d->cfg.n_jack_ports)
		return;
	char own[JACK_PORTS_NAME_MAX], why[512];
	const char *ports[CONFIG_MAX_JACK_PORTS];
	for (int i = 0; i < d->cfg.n_jack_ports; i++)
		ports[i] = d->cfg.jack_ports[i];
	if (audio_jack_client(d->audio, own, sizeof own, why, sizeof why) < 0 ||
	    jack_ports_start(d->cfg.jack_server, own, ports, d->cfg.n_jack_ports, &d->jack, why, sizeof why) < 0)
		log_warn("audio.jack_ports: %s; the outputs stay where PortAudio connected them", why);
}

/* About once a second: destinations that appeared (JackTrip's ports once
 * its peer connects) are connected. */
static void route_jack_ports(daemon_state *d)
{
	int64_t now = clock_now_ns();
	if (!d->jack || now < d->next_jack_poll_ns || audio_stopped(d->audio))
		return;
	d->next_jack_poll_ns = now + 1000000000;
	jack_ports_poll(d->jack);
}

static int start_audio(daemon_state *d, char *err, size_t errlen)
{
	/* The model decides the preferred rate; peek at it before opening the device. */
	model_options options = daemon_model_options(d, d->cfg.model, NULL, 0);
	options.warmup_frames = 0;
	options.inspect_only = 1;
	model *probe;
	if (model_load(d->cfg.model, &options, &probe, err, errlen) < 0)
		return -1;
	int preferred = d->cfg.sample_rate ? d->cfg.sample_rate : probe->sample_rate;
	model_free(probe);
	/* libjack reads it when PortAudio opens its client; the restart that
	 * reconnects (and `terraind devices` in device_available) inherit it. */
	if (d->cfg.jack_server[0])
		setenv("JACK_DEFAULT_SERVER", d->cfg.jack_server, 1);
	if (audio_init(err, errlen) < 0 ||
	    audio_choose(d->cfg.device, preferred, d->cfg.period, &d->audio, err, errlen) < 0)
		return -1;
	int rate = audio_rate(d->audio);
	scene *s;
	if (engine_create(rate, d->cfg.period, d->cfg.ring_ms, d->cfg.record[0] != 0, &d->engine, err, errlen) < 0)
		return -1;
	engine_set_voices(d->engine, d->cfg.voices, d->cfg.release_ms);
	engine_set_crossfade(d->engine, d->cfg.crossfade_ms);
	engine_set_shedding(d->engine, d->cfg.shed_voices);
	engine_set_subframe(d->engine, d->cfg.subframe);
	if (load_initial_scene(d, rate, &s, err, errlen) < 0)
		return -1;
	engine_set_gain(d->engine, d->cfg.gain); /* until osc_init takes over the gain */
	if (engine_start(d->engine, s, err, errlen) < 0)
		return -1;
	if (d->cfg.record[0] &&
	    recorder_start(engine_record_ring(d->engine), d->cfg.record, rate, &d->recorder, err, errlen) < 0)
		return -1;
	if (audio_start(d->audio, d->engine, err, errlen) < 0)
		return -1;
	start_jack_ports(d);
	return 0;
}

static int start(daemon_state *d, char *err, size_t errlen)
{
	d->started_ns = clock_now_ns();
	web_picture_init(&d->picture);
	char blas[512];
	if (start_audio(d, err, errlen) < 0)
		return -1;
	model_blas_library(blas, sizeof blas);
	log_info("libtorch runs on %s, %d thread(s)", blas, d->cfg.torch_threads);
	if (!engine_render_realtime(d->engine))
		log_warn("the render thread has no real-time priority (raise the rtprio limit: add your user to the "
		         "'audio' group, see docs/troubleshooting.md); expect underruns on a busy machine");
	osc_callbacks cb = {.request = queue_request, .ctx = d};
	osc_init(&d->osc, d->engine, &d->cfg, engine_latest_scene(d->engine)->terrain, cb);
	osc_set_audio(&d->osc, d->audio, d->started_ns);
	osc_set_origin(&d->osc, d->options->config_path, d->options->data_dirs, d->jack);
	osc_set_playing(&d->osc, &d->playing);
	d->osc_started = true;
	if (net_start(d->cfg.bind, d->cfg.port, d->cfg.tcp_port, d->cfg.tuio_port, &d->osc, &d->net, err, errlen) < 0)
		return -1;
	/* Logged before the worker exists: after that, the names change under d->lock. */
	log_info("ready in %.2f s: model %s, terrain %s, %s at %d Hz, period %d; OSC on udp %s:%d%s",
	         (clock_now_ns() - d->started_ns) / 1e9, d->playing.model, d->playing.terrain,
	         audio_device_name(d->audio), audio_rate(d->audio), d->cfg.period, d->cfg.bind, d->cfg.port,
	         d->cfg.tcp_port ? " and tcp" : "");
	if (d->cfg.tuio_port)
		log_info("TUIO cursors on udp %s:%d", d->cfg.bind, d->cfg.tuio_port);
	if (midi_in_start(&d->cfg.midi, &d->osc, d->net, engine_max_voices(d->engine), &d->midi, err, errlen) < 0)
		return -1;
	osc_set_midi(&d->osc, d->midi);
	web_picture_set_terrain(&d->picture, engine_latest_scene(d->engine)->terrain);
	if (web_start_configured(&d->cfg, d->options->web_root, &d->picture, &d->web, err, errlen) < 0)
		return -1;
	/* Each thread is joined at the end only if it started (a failed
	 * pthread_create leaves its handle unspecified). */
	int rc = pthread_create(&d->worker, NULL, worker_main, d);
	d->worker_started = rc == 0;
	if (rc == 0) {
		rc = pthread_create(&d->notifier, NULL, notifier_main, d);
		d->notifier_started = rc == 0;
	}
	if (rc != 0)
		return error_set(err, errlen, "cannot start the %s thread: %s",
		                 d->worker_started ? "notifier" : "worker", strerror(rc));
	return 0;
}

static void stop_workers(daemon_state *d)
{
	if (!d->worker_started && !d->notifier_started)
		return;
	pthread_mutex_lock(&d->lock);
	d->stopping = true;
	pthread_cond_signal(&d->wake);
	pthread_mutex_unlock(&d->lock);
	if (d->worker_started)
		pthread_join(d->worker, NULL);
	if (d->notifier_started)
		pthread_join(d->notifier, NULL);
	d->worker_started = d->notifier_started = false;
}

static void finish_recording(daemon_state *d)
{
	char err[512];
	if (d->recorder && recorder_stop(d->recorder, err, sizeof err) < 0)
		log_error("%s", err);
	else if (d->recorder)
		log_info("recorded %s", d->cfg.record);
	d->recorder = NULL;
}

/* An engine whose audio stream had to be abandoned: its callback thread
 * (libjack's) is never joined and may still read it, so it lives until the
 * process ends (held here, so that leak checkers see it reachable; volatile,
 * or the compiler drops a store nothing reads). */
static engine *volatile kept_for_an_abandoned_stream;

static void stop(daemon_state *d)
{
	web_stop(d->web);
	stop_workers(d);
	net_stop(d->net); /* before jack_ports_stop: /status reads its counts */
	if (d->osc_started)
		osc_set_midi(&d->osc, NULL);
	midi_in_stop(d->midi); /* after the network thread, which plays its MIDI */
	d->midi = NULL;
	/* libjack cannot talk to a server that went away: the client is left */
	if (!d->audio || !audio_stopped(d->audio))
		jack_ports_stop(d->jack);
	int abandoned = audio_close(d->audio);
	if (d->engine)
		engine_stop(d->engine);
	finish_recording(d);
	if (abandoned)
		kept_for_an_abandoned_stream = d->engine;
	else
		engine_free(d->engine);
	web_picture_destroy(&d->picture);
	audio_terminate();
}

/* Fades out (at most ~0.3 s) so that stopping never clicks. */
static void fade_out(daemon_state *d)
{
	engine_fade_out(d->engine);
	for (int i = 0; i < 30 && !engine_faded(d->engine); i++)
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
}

static void reload_config(daemon_state *d)
{
	config next;
	char err[1024];
	if (d->options->reload(d->options->reload_ctx, &next, err, sizeof err) < 0) {
		log_error("SIGHUP: keeping the current configuration: %s", err);
		return;
	}
	/* Ports, device and model need a restart; mappings, directories,
	 * gain and logging change at once. */
	log_set_level(next.log_level);
	osc_set_config(&d->osc, &next); /* sets the user gain (× the stylus pressure, if any) */
	midi_in_configure(d->midi, &next.midi);
	d->cfg.gain = next.gain;
	log_info("SIGHUP: reloaded %s (%d mapping(s))",
	         d->options->config_path[0] ? d->options->config_path : "the built-in defaults", next.n_mappings);
}

/* True when a fresh process sees an output device: `terraind devices` in
 * a child (PortAudio only notices a new JACK server on a fresh start). */
static int device_available(void)
{
	pid_t pid;
	char *argv[] = {"terraind", "devices", NULL};
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	int status = -1;
	if (posix_spawn(&pid, "/proc/self/exe", &actions, NULL, argv, environ) == 0)
		waitpid(pid, &status, 0);
	posix_spawn_file_actions_destroy(&actions);
	return status == 0;
}

/* Reconnecting: PortAudio (19.6) cannot close a stream whose JACK server
 * died, nor re-scan devices, without hanging; a new process can. So the
 * daemon stops its threads (finishing any recording), and executes itself
 * again with the same arguments. The new process starts in well under a
 * second and numbers its recording so the first one is kept. */
static void restart_to_reconnect(daemon_state *d)
{
	log_info("the audio device is back: restarting terraind to reconnect");
	stop_workers(d);
	net_stop(d->net);
	engine_stop(d->engine);
	finish_recording(d);
	char restarts[16];
	snprintf(restarts, sizeof restarts, "%d", d->restart + 1);
	setenv("TERRAIND_RESTART", restarts, 1);
	execv("/proc/self/exe", d->options->argv);
	log_error("cannot restart terraind: %s", strerror(errno));
	exit(EXIT_FAILURE_RUN);
}

/* When the audio server goes away (JACK stopped or restarted), the
 * daemon stays up and keeps answering OSC, checks every second whether a
 * device is back, and then reconnects. */
static void keep_audio_alive(daemon_state *d)
{
	if (!audio_stopped(d->audio))
		return;
	int64_t now = clock_now_ns();
	if (!d->audio_lost_ns) {
		d->audio_lost_ns = d->next_retry_ns = now;
		log_error("the audio stream stopped (was the JACK server shut down?): waiting for it to come back; "
		          "OSC keeps answering");
	}
	if (now < d->next_retry_ns)
		return;
	d->next_retry_ns = now + 1000000000;
	if (device_available())
		restart_to_reconnect(d);
}

/* Signals are blocked in every thread terraind creates and taken by
 * sigtimedwait on the main thread. Threads created by libraries with their
 * own signal mask (libjack's, when its server dies) could still receive one:
 * there the handler only writes the signal number to a pipe the main
 * thread reads (async-signal-safe). */
static int signal_pipe[2] = {-1, -1};

static void forward_signal(int sig)
{
	int saved = errno;
	unsigned char byte = (unsigned char)sig;
	if (write(signal_pipe[1], &byte, 1) < 0) {
		/* a full pipe already holds a pending signal */
	}
	errno = saved;
}

static void install_signal_handlers(void)
{
	if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		return;
	struct sigaction sa = {.sa_handler = forward_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static int next_signal(const sigset_t *set)
{
	unsigned char byte;
	if (signal_pipe[0] >= 0 && read(signal_pipe[0], &byte, 1) == 1)
		return byte;
	return sigtimedwait(set, NULL, &(struct timespec){0, 200 * 1000 * 1000});
}

static void wait_for_signals(daemon_state *d, const sigset_t *set)
{
	for (;;) {
		int sig = next_signal(set);
		if (sig == SIGHUP) {
			reload_config(d);
		} else if (sig == SIGINT || sig == SIGTERM) {
			log_info("%s: fading out", sig == SIGINT ? "SIGINT" : "SIGTERM");
			fade_out(d);
			return;
		} else {
			keep_audio_alive(d);
			route_jack_ports(d);
		}
	}
}

int daemon_run(const config *c, const daemon_options *options)
{
	daemon_state d = {.cfg = *c, .options = options};
	char err[1024] = "";
	if (number_recording_after_restart(&d, err, sizeof err) < 0) {
		log_error("%s", err);
		return EXIT_FAILURE_RUN;
	}
	/* Every thread created from here inherits the blocked set: signals are
	 * taken only by sigtimedwait below, never by an RT thread. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	install_signal_handlers();
	pthread_mutex_init(&d.lock, NULL);
	pthread_condattr_t monotonic;
	pthread_condattr_init(&monotonic);
	pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC);
	pthread_cond_init(&d.wake, &monotonic);
	pthread_condattr_destroy(&monotonic);
	int rc = EXIT_OK;
	if (start(&d, err, sizeof err) < 0) {
		log_error("%s", err);
		rc = EXIT_FAILURE_RUN;
	} else {
		wait_for_signals(&d, &set);
	}
	stop(&d);
	if (d.osc_started)
		osc_destroy(&d.osc);
	log_info("stopped");
	return rc;
}
