/*
 * osc.c — the OSC interface (docs/osc.md): the context's life and shared
 * state, and the routing of each message to its handler.
 *
 * Validation happens before anything reaches the engine: argument counts
 * and types (any numeric tag: i, h, f, d), finiteness, ranges. A bad
 * message costs one /fail reply and never a sound change. The handlers live
 * with their concern (osc_internal.h lists the files); this file only
 * routes: fixed addresses, /voice/N/..., /grain/..., the looper's
 * addresses, then the configuration's mappings.
 */
#include "osc_internal.h"

#include <string.h>

#include "clock.h"
#include "log.h"
#include "osc_looper.h"

int osc_init(osc_context *o, engine *e, const config *c, const terrain *t, osc_callbacks cb)
{
	memset(o, 0, sizeof *o);
	o->engine = e;
	o->cb = cb;
	o->config = *c;
	o->user_gain = c->gain;
	o->pressure_gain = 1.0f;
	o->notify_lease_ns = (int64_t)OSC_NOTIFY_LEASE_S * 1000000000;
	o->now = clock_now_ns;
	o->started_ns = clock_now_ns();
	pthread_mutex_init(&o->lock, NULL);
	training_pairs_init(&o->training);
	tuio_init(&o->tuio, engine_max_voices(e));
	osc_looper_init(&o->looper, engine_max_voices(e));
	osc_pending_init(&o->pending);
	osc_set_terrain(o, t);
	engine_set_gain(e, o->user_gain * o->pressure_gain);
	return 0;
}

void osc_destroy(osc_context *o)
{
	training_pairs_destroy(&o->training);
	osc_looper_destroy(&o->looper);
	osc_pending_destroy(&o->pending);
	pthread_mutex_destroy(&o->lock);
}

/* The sound's gain is always user gain × pressure gain, whoever changes
 * either: the config's gain is the user's. */
static void apply_gain_locked(osc_context *o)
{
	engine_set_gain(o->engine, o->user_gain * o->pressure_gain);
}

void osc_set_config(osc_context *o, const config *c)
{
	pthread_mutex_lock(&o->lock);
	o->config = *c;
	o->user_gain = c->gain;
	apply_gain_locked(o);
	pthread_mutex_unlock(&o->lock);
}

void osc_set_terrain(osc_context *o, const terrain *t)
{
	/* Pairs of another shape cannot train this terrain. */
	int dropped = training_pairs_set_shape(&o->training, t->control_dim, t->latent_dim);
	if (dropped > 0)
		log_info("dropped %d training pair(s): the new terrain maps %d -> %d", dropped, t->control_dim,
		         t->latent_dim);
	pthread_mutex_lock(&o->lock);
	if (t->control_dim >= 3 && o->pressure_gain != 1.0f) {
		/* Pressure is an axis of this terrain now, no longer a gain: a
		 * lifted stylus must not leave the new terrain silent. */
		o->pressure_gain = 1.0f;
		apply_gain_locked(o);
	}
	o->control_dim = t->control_dim;
	o->latent_dim = t->latent_dim;
	memcpy(o->bounds_min, t->bounds_min, sizeof o->bounds_min);
	memcpy(o->bounds_max, t->bounds_max, sizeof o->bounds_max);
	pthread_mutex_unlock(&o->lock);
}

void osc_set_playing(osc_context *o, const osc_playing *p)
{
	pthread_mutex_lock(&o->lock);
	o->playing = *p;
	pthread_mutex_unlock(&o->lock);
}

void osc_set_audio(osc_context *o, struct audio_stream *audio, int64_t started_ns)
{
	o->audio = audio;
	o->started_ns = started_ns;
}

void osc_set_midi(osc_context *o, struct midi_in *midi)
{
	atomic_store(&o->midi, midi);
}

void osc_set_origin(osc_context *o, const char *config_file, const char *data_dirs, const struct jack_ports *jack)
{
	o->config_file = config_file;
	o->data_dirs = data_dirs;
	o->jack = jack;
}

void osc_set_gain(osc_context *o, float user, float pressure)
{
	pthread_mutex_lock(&o->lock);
	if (user >= 0)
		o->user_gain = user;
	if (pressure >= 0)
		o->pressure_gain = pressure;
	apply_gain_locked(o);
	pthread_mutex_unlock(&o->lock);
}

int osc_terrain_dim(osc_context *o)
{
	pthread_mutex_lock(&o->lock);
	int dim = o->control_dim;
	pthread_mutex_unlock(&o->lock);
	return dim;
}

/* ---- routing ---------------------------------------------------------- */

typedef struct route {
	const char *address;
	void (*handle)(osc_call *c);
} route;

static const route routes[] = {
    {"/xy", osc_handle_xy},
    {"/stylus", osc_handle_stylus},
    {"/gesture", osc_handle_gesture},
    {"/gesture/stop", osc_handle_gesture_stop},
    {"/gain", osc_handle_gain},
    {"/smooth", osc_handle_smooth},
    {"/status", osc_handle_status},
    {"/load/model", osc_handle_load_model},
    {"/load/terrain", osc_handle_load_terrain},
    {"/load/scene", osc_handle_load_scene},
    {"/quit", osc_handle_quit},
    {"/notify", osc_handle_notify},
    {"/train/add", osc_handle_train_add},
    {"/train/clear", osc_handle_train_clear},
    {"/train/run", osc_handle_train_run},
    {"/train/save", osc_handle_train_save},
    {"/tuio/2Dcur", osc_handle_tuio_cursor},
};

static const route voice_routes[] = {
    {"xy", osc_handle_xy},           {"stylus", osc_handle_stylus},
    {"gesture", osc_handle_gesture}, {"gesture/stop", osc_handle_gesture_stop},
    {"gain", osc_handle_voice_gain}, {"pan", osc_handle_voice_pan},
    {"off", osc_handle_voice_off},   {"pitch", osc_handle_voice_pitch},
};

/* The N of /voice/N/..., with what follows it in *verb; -1 when there is
 * no number (the caller says what is wrong). */
static int voice_number(const char *address, const char **verb)
{
	const char *rest;
	int n = osc_leading_number(address + strlen("/voice/"), &rest);
	if (n < 0 || *rest != '/')
		return -1;
	*verb = rest + 1;
	return n;
}

static void dispatch_voice(osc_call *c)
{
	const char *verb;
	int n = voice_number(c->address, &verb), voices = engine_max_voices(c->o->engine);
	if (n < 0 || n >= voices) {
		osc_call_fail(c, "no such voice: voices are /voice/0/... to /voice/%d/... (engine.voices is %d)",
		              voices - 1, voices);
		return;
	}
	for (size_t i = 0; i < sizeof voice_routes / sizeof voice_routes[0]; i++)
		if (strcmp(verb, voice_routes[i].address) == 0) {
			c->voice = n;
			voice_routes[i].handle(c);
			return;
		}
	osc_call_fail(c, "unknown address: a voice takes xy, stylus, gesture, gesture/stop, gain, pan, pitch and off");
}

void osc_dispatch(osc_call *c)
{
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
		if (strcmp(c->address, routes[i].address) == 0) {
			routes[i].handle(c);
			return;
		}
	if (strncmp(c->address, "/voice/", strlen("/voice/")) == 0) {
		dispatch_voice(c);
		return;
	}
	if (strncmp(c->address, "/grain/", strlen("/grain/")) == 0) {
		osc_dispatch_grain(c);
		return;
	}
	if (osc_looper_dispatch(c))
		return;
	config_mapping m;
	int log_unmapped;
	if (osc_find_mapping(c->o, c->address, &m, &log_unmapped)) {
		osc_handle_mapped(c, &m);
		return;
	}
	if (log_unmapped)
		log_info("unmapped OSC address %s (types '%s')", c->address, c->types);
	osc_call_fail(c, "unknown address");
}
