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

#include "daemon_internal.h"

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
		rc = daemon_swap_in(d, NULL, t, err, errlen);
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
	case OSC_LOAD_MODEL: rc = daemon_load_model(d, req, err, sizeof err); break;
	case OSC_LOAD_TERRAIN: rc = daemon_load_terrain(d, req, err, sizeof err); break;
	case OSC_LOAD_SCENE: rc = daemon_load_scene(d, req, err, sizeof err); break;
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
	if (daemon_load_initial_scene(d, rate, &s, err, errlen) < 0)
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
