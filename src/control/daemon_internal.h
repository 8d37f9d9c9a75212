/*
 * daemon_internal.h — the daemon's own header, shared by its files and by
 * nobody else (include/daemon.h is the daemon's interface):
 *
 *   daemon.c         start, stop, signals, the worker and the audio kept alive
 *   daemon_scenes.c  models and terrains loaded into scenes for the engine
 */
#ifndef TERRAIND_DAEMON_INTERNAL_H
#define TERRAIND_DAEMON_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "audio.h"
#include "config.h"
#include "daemon.h"
#include "engine.h"
#include "jack_ports.h"
#include "midi_in.h"
#include "model.h"
#include "net.h"
#include "osc.h"
#include "recorder.h"
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

/* ---- daemon_scenes.c ---- */
/* How the model at `path` is loaded (the rate chain, frames per call, the
 * voices to warm up, a twin for the second core). */
model_options daemon_model_options(const daemon_state *d, const char *path, const terrain *t, int device_rate);
/* Builds a scene from a new model or terrain plus the playing scene's other
 * half, and hands it to the engine. */
int daemon_swap_in(daemon_state *d, model *new_model, terrain *new_terrain, char *err, size_t errlen);
/* /load/model, /load/terrain (with the model it names, when it fits none
 * playing) and /load/scene, from the worker. */
int daemon_load_model(daemon_state *d, const osc_request *req, char *err, size_t errlen);
int daemon_load_terrain(daemon_state *d, const osc_request *req, char *err, size_t errlen);
int daemon_load_scene(daemon_state *d, const osc_request *req, char *err, size_t errlen);
/* The configured model and terrain, at start. */
int daemon_load_initial_scene(daemon_state *d, int device_rate, scene **out, char *err, size_t errlen);

#endif
