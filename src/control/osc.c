/*
 * osc.c — the OSC interface (docs/osc.md).
 *
 * Validation happens here, before anything reaches the engine: argument
 * counts and types (any numeric tag: i, h, f, d), finiteness, ranges. A bad
 * message costs one /fail reply and never a sound change. Bundles are
 * walked recursively (bounded depth); a future timetag schedules the
 * bundle's controls at that time.
 */
#include "osc.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access.h"
#include "clock.h"
#include "log.h"
#include "osc_looper.h"
#include "osc_status.h"

enum { BUNDLE_MAX_DEPTH = 8, MAX_SCHEDULE_AHEAD_S = 60 };

int osc_init(osc_context *o, engine *e, const config *c, const terrain *t, osc_callbacks cb)
{
	memset(o, 0, sizeof *o);
	o->engine = e;
	o->cb = cb;
	o->config = *c;
	o->user_gain = c->gain;
	o->pressure_gain = 1.0f;
	o->notify_lease_ns = (int64_t)OSC_NOTIFY_LEASE_S * 1000000000;
	pthread_mutex_init(&o->lock, NULL);
	training_pairs_init(&o->training);
	tuio_init(&o->tuio, engine_max_voices(e));
	osc_looper_init(&o->looper, engine_max_voices(e));
	osc_set_terrain(o, t);
	engine_set_gain(e, o->user_gain * o->pressure_gain);
	return 0;
}

void osc_destroy(osc_context *o)
{
	training_pairs_destroy(&o->training);
	osc_looper_destroy(&o->looper);
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

/* ---- replies ----------------------------------------------------------- */

static void send_message(osc_context *o, const osc_peer *peer, const char *path, lo_message m)
{
	size_t size = 0;
	void *data = lo_message_serialise(m, path, NULL, &size);
	if (data) {
		if (o->cb.send)
			o->cb.send(o->cb.send_ctx, peer, data, size);
		free(data);
	}
}

/* At most OSC_MAX_REPLIES_PER_SECOND /done and /fail replies a second:
 * a flood of requests must not become a flood of replies. /status.reply is
 * never limited. */
void osc_send(osc_context *o, const osc_peer *peer, const char *path, lo_message m)
{
	send_message(o, peer, path, m);
}

static int reply_allowed(osc_context *o)
{
	int64_t now = clock_now_ns();
	pthread_mutex_lock(&o->lock);
	if (now - o->reply_window_ns >= 1000000000) {
		o->reply_window_ns = now;
		o->replies_in_window = 0;
	}
	int ok = o->replies_in_window++ < OSC_MAX_REPLIES_PER_SECOND;
	pthread_mutex_unlock(&o->lock);
	if (!ok)
		atomic_fetch_add(&o->replies_suppressed, 1);
	return ok;
}

void osc_reply_done(osc_context *o, const osc_peer *peer, const char *address)
{
	if (!reply_allowed(o))
		return;
	lo_message m = lo_message_new();
	lo_message_add_string(m, address);
	send_message(o, peer, "/done", m);
	lo_message_free(m);
}

void osc_reply_fail(osc_context *o, const osc_peer *peer, const char *address, const char *fmt, ...)
{
	atomic_fetch_add(&o->failures, 1);
	if (!reply_allowed(o))
		return; /* under a flood, not even formatted */
	char reason[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	log_debug("/fail %s: %s", address, reason);
	lo_message m = lo_message_new();
	lo_message_add_string(m, address);
	lo_message_add_string(m, reason);
	send_message(o, peer, "/fail", m);
	lo_message_free(m);
}

static void done_control(osc_call *c)
{
	pthread_mutex_lock(&c->o->lock);
	int reply = c->o->config.reply_controls;
	pthread_mutex_unlock(&c->o->lock);
	if (reply)
		osc_reply_done(c->o, c->peer, c->address);
}

/* ---- arguments ----------------------------------------------------------- */

/* Reads exactly `n` finite numbers (n < 0: any count, at most `max`). */
static int numbers(osc_call *c, int n, float *out, int max, const char *what)
{
	if ((n >= 0 && c->argc != n) || (n < 0 && (c->argc < 1 || c->argc > max))) {
		if (n >= 0)
			osc_call_fail(c, "expects %d number%s (%s), got %d argument%s", n, n == 1 ? "" : "s", what,
			              c->argc, c->argc == 1 ? "" : "s");
		else
			osc_call_fail(c, "expects 1 to %d numbers (%s), got %d", max, what, c->argc);
		return -1;
	}
	for (int i = 0; i < c->argc; i++) {
		if (!osc_arg_is_number(c->types[i])) {
			osc_call_fail(c, "argument %d has type '%c'; expected a number (i, h, f or d)", i + 1,
			              c->types[i]);
			return -1;
		}
		double v = osc_call_number(c, i);
		if (!isfinite(v) || fabs(v) > 1e30) {
			osc_call_fail(c, "argument %d is not a finite number", i + 1);
			return -1;
		}
		out[i] = (float)v;
	}
	return 0;
}

static int one_string(osc_call *c, const char **out)
{
	if (c->argc != 1 || !osc_arg_is_string(c->types[0])) {
		osc_call_fail(c, "expects one string argument");
		return -1;
	}
	*out = (const char *)c->argv[0];
	return 0;
}

/* ---- control events ------------------------------------------------------ */

/* Queues an event for c->voice; -1 (answered /fail) when the ring is full. */
/* Hands an event for the call's voice to the engine as it is (applied at
 * once); -1 and a /fail when the control queue is full. */
static int push_event(osc_call *c, control_event *ev)
{
	ev->voice = c->voice;
	if (engine_send(c->o->engine, ev) < 0) {
		gesture_free(ev->gesture);
		osc_call_fail(c, "the control queue is full (the event was dropped)");
		return -1;
	}
	return 0;
}

/* The same, stamped with the message's arrival (latency probe) and its
 * bundle's time (applied then). */
static int queue_event(osc_call *c, control_event *ev)
{
	ev->received_ns = c->received_ns;
	ev->apply_ns = c->apply_ns;
	return push_event(c, ev);
}

static void send_event(osc_call *c, control_event *ev)
{
	if (queue_event(c, ev) == 0)
		done_control(c);
}

static void send_axes(osc_call *c, int first, const float *values, int n)
{
	control_event ev = {.type = CONTROL_TARGET, .first_axis = first, .dim = n};
	memcpy(ev.value, values, sizeof(float) * (size_t)n);
	send_event(c, &ev);
}

static void set_gain(osc_context *o, float user, float pressure)
{
	pthread_mutex_lock(&o->lock);
	if (user >= 0)
		o->user_gain = user;
	if (pressure >= 0)
		o->pressure_gain = pressure;
	apply_gain_locked(o);
	pthread_mutex_unlock(&o->lock);
}

static int terrain_dim(osc_context *o)
{
	pthread_mutex_lock(&o->lock);
	int dim = o->control_dim;
	pthread_mutex_unlock(&o->lock);
	return dim;
}

static void handle_xy(osc_call *c)
{
	float v[2];
	if (numbers(c, 2, v, 2, "x y") == 0)
		send_axes(c, 0, v, 2);
}

/* x, y and a pressure: the third axis when the terrain has one, else gain
 * (voice 0's is the output's pressure gain, as before voices; another
 * voice's is its own gain). */
static void send_stylus(osc_call *c, const float *v)
{
	if (terrain_dim(c->o) >= 3) {
		send_axes(c, 0, v, 3);
		return;
	}
	float pressure = fminf(fmaxf(v[2], 0.0f), 1.0f);
	if (c->voice == 0)
		set_gain(c->o, -1, pressure);
	else {
		control_event gain = {.type = CONTROL_VOICE_GAIN, .value = {pressure}};
		if (push_event(c, &gain) < 0)
			return;
	}
	send_axes(c, 0, v, 2);
}

static void handle_stylus(osc_call *c)
{
	float v[3];
	if (numbers(c, 3, v, 3, "x y pressure") == 0)
		send_stylus(c, v);
}

static void handle_gain(osc_call *c)
{
	float g;
	if (numbers(c, 1, &g, 1, "gain") < 0)
		return;
	if (g < 0 || g > 4) {
		osc_call_fail(c, "gain %g is out of range (0 to 4)", (double)g);
		return;
	}
	set_gain(c->o, g, -1);
	osc_reply_done(c->o, c->peer, c->address);
}

static void handle_smooth(osc_call *c)
{
	control_event ev = {.type = CONTROL_SMOOTH};
	if (numbers(c, 1, ev.value, 1, "milliseconds") < 0)
		return;
	if (ev.value[0] < 0 || ev.value[0] > 10000) {
		osc_call_fail(c, "smoothing %g ms is out of range (0 to 10000)", (double)ev.value[0]);
		return;
	}
	send_event(c, &ev);
}

/* /gesture t1 x1 y1 t2 x2 y2 ...: points of the terrain's dimension. */
static void handle_gesture(osc_call *c)
{
	int dim = terrain_dim(c->o);
	int stride = dim + 1;
	enum { MAX_ARGS = 3 * 4096 };
	if (c->argc < stride || c->argc % stride != 0 || c->argc > MAX_ARGS) {
		osc_call_fail(c, "expects groups of %d numbers (t then %d coordinate%s), at most %d numbers; got %d",
		              stride, dim, dim == 1 ? "" : "s", MAX_ARGS, c->argc);
		return;
	}
	float *values = malloc(sizeof(float) * (size_t)c->argc);
	gesture *g = calloc(1, sizeof *g);
	if (g)
		g->points = calloc((size_t)(c->argc / stride), sizeof *g->points);
	if (!values || !g || !g->points) {
		free(values);
		gesture_free(g);
		osc_call_fail(c, "out of memory");
		return;
	}
	int ok = numbers(c, -1, values, MAX_ARGS, "t x y ...") == 0;
	g->control_dim = dim;
	for (int i = 0; ok && i < c->argc / stride; i++) {
		gesture_point *p = &g->points[g->n_points++];
		p->time = values[i * stride];
		memcpy(p->coord, values + i * stride + 1, sizeof(float) * (size_t)dim);
		if (p->time < 0 || (i > 0 && p->time < p[-1].time)) {
			osc_call_fail(c, "point %d: times must be ascending and not negative", i);
			ok = 0;
		}
	}
	free(values);
	if (!ok) {
		gesture_free(g);
		return;
	}
	control_event ev = {.type = CONTROL_GESTURE, .gesture = g};
	send_event(c, &ev);
}

static void handle_gesture_stop(osc_call *c)
{
	if (c->argc != 0) {
		osc_call_fail(c, "expects no arguments");
		return;
	}
	control_event ev = {.type = CONTROL_STOP_GESTURE};
	send_event(c, &ev);
}

/* ---- status and requests ------------------------------------------------- */

static void send_status(osc_context *o, const osc_peer *peer)
{
	engine_stats s;
	engine_stats_read(o->engine, &s);
	lo_message m = lo_message_new();
	if (o->cb.status)
		o->cb.status(o->cb.ctx, m);
	osc_status_add_int(m, "frames", (int64_t)s.frames_rendered);
	osc_status_add_xruns(m, s.underruns);
	osc_status_add_int(m, "dropped", (int64_t)s.dropped_events);
	osc_status_add_int(m, "clamped", (int64_t)s.clamped);
	osc_status_add_int(m, "decode_errors", (int64_t)s.decode_errors);
	osc_status_add_int(m, "resample_errors", (int64_t)s.resample_errors);
	osc_status_add_int(m, "limited", (int64_t)s.limited);
	osc_status_add_int(m, "voices_active", s.voices_active);
	osc_status_add_int(m, "voices_max", s.voices_max);
	osc_status_add_int(m, "voices_shed", (int64_t)s.voices_shed);
	osc_status_add_int(m, "overloaded", (int64_t)s.overloaded);
	osc_status_add_int(m, "render_realtime", s.render_realtime);
	osc_status_add_float(m, "latency_ms", s.latency_ns < 0 ? -1.0 : s.latency_ns / 1e6);
	osc_status_add_string(m, "subframe", engine_subframe_text(s.subframe));
	osc_status_add_int(m, "redecodes", (int64_t)s.redecodes);
	osc_status_add_int(m, "redecodes_refused", (int64_t)s.redecodes_refused);
	osc_status_add_float(m, "render_max_ms", s.render_ns_max / 1e6);
	osc_status_add_float(m, "gain", engine_get_gain(o->engine));
	osc_status_add_int(m, "messages", (int64_t)atomic_load(&o->messages));
	osc_status_add_int(m, "failures", (int64_t)atomic_load(&o->failures));
	osc_status_add_int(m, "malformed", (int64_t)atomic_load(&o->malformed));
	osc_status_add_int(m, "coalesced", (int64_t)atomic_load(&o->coalesced));
	osc_status_add_int(m, "replies_suppressed", (int64_t)atomic_load(&o->replies_suppressed));
	osc_status_add_int(m, "udp_dropped", (int64_t)atomic_load(&o->udp_dropped));
	osc_status_add_int(m, "refused", (int64_t)atomic_load(&o->refused));
	grains_stats g;
	engine_grains_stats(o->engine, &g);
	osc_status_add_int(m, "grains_started", (int64_t)g.started);
	osc_status_add_int(m, "grains_skipped", (int64_t)g.skipped);
	osc_status_add_int(m, "grains_sounding", g.sounding);
	osc_looper_status(o, m);
	send_message(o, peer, "/status.reply", m);
	lo_message_free(m);
}

static void handle_status(osc_call *c)
{
	send_status(c->o, c->peer);
}

static int same_peer(const osc_peer *a, const osc_peer *b)
{
	return a->len == b->len && a->connection == b->connection && memcmp(&a->addr, &b->addr, a->len) == 0;
}

/* Drops subscriptions whose lease ran out (lock held). */
static void expire_subscribers(osc_context *o, int64_t now)
{
	for (int i = 0; i < o->n_subscribers;)
		if (now >= o->subscribers[i].expires_ns)
			o->subscribers[i] = o->subscribers[--o->n_subscribers];
		else
			i++;
}

/* /notify [rate]: push /cursor and /latent `rate` times a second (1 to 60,
 * default 30) and /status.reply once a second to the sender, for
 * OSC_NOTIFY_LEASE_S seconds: a client renews by sending /notify again
 * (a client that vanished stops costing a slot and datagrams to a dead
 * port). /notify 0 stops. At most OSC_MAX_SUBSCRIBERS at once. */
static void handle_notify(osc_call *c)
{
	float rate = 30.0f;
	if (c->argc > 0 && numbers(c, 1, &rate, 1, "updates per second") < 0)
		return;
	if (rate != 0 && (rate < 1 || rate > 60)) {
		osc_call_fail(c, "rate %g is out of range (1 to 60 updates a second, 0 to stop)", (double)rate);
		return;
	}
	osc_context *o = c->o;
	int64_t now = clock_now_ns();
	pthread_mutex_lock(&o->lock);
	expire_subscribers(o, now);
	int i = 0;
	while (i < o->n_subscribers && !same_peer(&o->subscribers[i].peer, c->peer))
		i++;
	int full = i == o->n_subscribers && i == OSC_MAX_SUBSCRIBERS;
	if (rate == 0 && i < o->n_subscribers)
		o->subscribers[i] = o->subscribers[--o->n_subscribers];
	else if (rate != 0 && !full) {
		if (i == o->n_subscribers)
			o->subscribers[o->n_subscribers++] = (struct osc_subscriber){.peer = *c->peer};
		struct osc_subscriber *s = &o->subscribers[i];
		s->period_ns = (int64_t)(1e9 / rate);
		s->expires_ns = now + o->notify_lease_ns;
	}
	pthread_mutex_unlock(&o->lock);
	if (full && rate != 0)
		osc_call_fail(c, "too many subscribers (%d): each /notify lasts %d s unless renewed, try again later",
		              OSC_MAX_SUBSCRIBERS, OSC_NOTIFY_LEASE_S);
	else
		osc_reply_done(o, c->peer, c->address);
}

int osc_subscriber_count(osc_context *o)
{
	pthread_mutex_lock(&o->lock);
	expire_subscribers(o, clock_now_ns());
	int n = o->n_subscribers;
	pthread_mutex_unlock(&o->lock);
	return n;
}

static void send_floats(osc_context *o, const osc_peer *peer, const char *path, const float *v, int n)
{
	lo_message m = lo_message_new();
	for (int i = 0; i < n; i++)
		lo_message_add_float(m, v[i]);
	send_message(o, peer, path, m);
	lo_message_free(m);
}

/* /voice/N/cursor x y ... for each sounding voice. */
static void send_voice_cursors(osc_context *o, const osc_peer *peer, int dim)
{
	float target[TERRAIN_MAX_CONTROL_DIM];
	for (int n = 0; n < engine_max_voices(o->engine); n++)
		if (engine_voice_target(o->engine, n, target)) {
			char path[32];
			snprintf(path, sizeof path, "/voice/%d/cursor", n);
			send_floats(o, peer, path, target, dim);
		}
}

void osc_notify_tick(osc_context *o)
{
	int64_t now = clock_now_ns();
	osc_peer due[OSC_MAX_SUBSCRIBERS];
	int n_due = 0, status_due[OSC_MAX_SUBSCRIBERS];
	osc_looper_watch(o);
	pthread_mutex_lock(&o->lock);
	expire_subscribers(o, now);
	int dim = o->control_dim;
	for (int i = 0; i < o->n_subscribers; i++) {
		struct osc_subscriber *s = &o->subscribers[i];
		if (now < s->next_ns)
			continue;
		s->next_ns = now + s->period_ns;
		status_due[n_due] = now >= s->next_status_ns;
		if (status_due[n_due])
			s->next_status_ns = now + 1000000000;
		due[n_due++] = s->peer;
	}
	pthread_mutex_unlock(&o->lock);
	if (n_due == 0)
		return;
	float cursor[TERRAIN_MAX_CONTROL_DIM], latent[ENGINE_LATENT_SNAPSHOT];
	engine_target(o->engine, cursor);
	int n_latent = engine_latent(o->engine, latent, ENGINE_LATENT_SNAPSHOT);
	float scanner[2];
	int grains_on = engine_grain_cursor(o->engine, scanner);
	for (int i = 0; i < n_due; i++) {
		send_floats(o, &due[i], "/cursor", cursor, dim);
		send_floats(o, &due[i], "/latent", latent, n_latent);
		send_voice_cursors(o, &due[i], dim);
		if (grains_on) /* where the granular scanner reads */
			send_floats(o, &due[i], "/grain/cursor", scanner, dim < 2 ? dim : 2);
		osc_looper_notify(o, &due[i]);
		if (status_due[i])
			send_status(o, &due[i]);
	}
}

/* Hands a request to the worker, which answers /done or /fail when it has
 * finished (loads and training take seconds). */
static void submit(osc_call *c, osc_request *req)
{
	req->peer = *c->peer;
	snprintf(req->address, sizeof req->address, "%s", c->address);
	if (c->o->cb.request(c->o->cb.ctx, req) < 0) {
		osc_request_close_files(req);
		osc_call_fail(c, "busy: other requests are still queued, try again");
	}
}

/* Requests that change files or stop the daemon are for this machine's
 * users: a peer elsewhere on the network needs osc.remote_admin, and, when
 * a password guards TCP, to come through an authenticated TCP session
 * (UDP has no session to authenticate). */
static int admin_refused(osc_call *c)
{
	return osc_admin_refused(c->o, c->peer, c->address);
}

int osc_admin_refused(osc_context *o, const osc_peer *peer, const char *address)
{
	if (access_is_loopback((const struct sockaddr *)&peer->addr, peer->len))
		return 0;
	pthread_mutex_lock(&o->lock);
	int remote_admin = o->config.remote_admin, password = o->config.password[0] != '\0';
	pthread_mutex_unlock(&o->lock);
	if (!remote_admin)
		osc_reply_fail(o, peer, address,
		               "%s is refused to remote peers: set osc.remote_admin to true to allow it", address);
	else if (password && peer->connection == 0)
		osc_reply_fail(
		    o, peer, address,
		    "%s is refused to remote peers over UDP while osc.password is set: send it over TCP after /auth",
		    address);
	else
		return 0;
	return 1;
}

int osc_open_confined(osc_context *o, const char *path, int new_file, const char **name, char *resolved, size_t len,
                      char *why, size_t whylen)
{
	pthread_mutex_lock(&o->lock);
	int fd = new_file ? config_open_confined_dir(&o->config, path, name, resolved, len, why, whylen)
	                  : config_open_confined(&o->config, path, resolved, len, why, whylen);
	pthread_mutex_unlock(&o->lock);
	return fd;
}

/* A request about a file: `path` is confined to the allowed directories
 * and opened in the same step (an existing file to read, or the directory
 * of one to write), so that the worker reads or writes what was checked
 * and nothing swapped in since. */
static void submit_file(osc_call *c, osc_request_type type, const char *path, int new_file, int overwrite)
{
	if (admin_refused(c))
		return;
	osc_request req = {.type = type, .overwrite = overwrite};
	char why[512];
	const char *name;
	req.fd = osc_open_confined(c->o, path, new_file, &name, req.path, sizeof req.path, why, sizeof why);
	if (req.fd < 0)
		osc_call_fail(c, "%s", why);
	else
		submit(c, &req);
}

static void queue_load(osc_call *c, osc_request_type type, const char *path)
{
	submit_file(c, type, path, 0, 0);
}

static void queue_request(osc_call *c, osc_request_type type)
{
	if (type != OSC_QUIT) {
		const char *path;
		if (one_string(c, &path) == 0)
			queue_load(c, type, path);
		return;
	}
	if (c->argc != 0) {
		osc_call_fail(c, "expects no arguments");
		return;
	}
	if (admin_refused(c))
		return;
	osc_request req = {.type = type, .fd = -1};
	submit(c, &req);
}

/* ---- live training ------------------------------------------------------ */

/* /train/add x y [...] z0 z1 ...: one pair, control_dim + latent_dim numbers. */
static void handle_train_add(osc_call *c)
{
	enum { MAX_WIDTH = TERRAIN_MAX_CONTROL_DIM + TERRAIN_MAX_LATENT_DIM };
	int width = training_pairs_width(&c->o->training);
	float v[MAX_WIDTH];
	if (width <= 0 || width > MAX_WIDTH || numbers(c, width, v, width, "coordinates, then the latent vector") < 0)
		return;
	switch (training_pairs_add(&c->o->training, v, width)) {
	case 0: done_control(c); break;
	case -1: osc_call_fail(c, "the terrain changed shape while this pair was read: send it again"); break;
	case -2: osc_call_fail(c, "cannot keep more than %d pairs", TRAINING_PAIRS_MAX); break;
	default: osc_call_fail(c, "out of memory for training pairs"); break;
	}
}

static void handle_train_clear(osc_call *c)
{
	training_pairs_clear(&c->o->training);
	osc_reply_done(c->o, c->peer, c->address);
}

static void handle_train_run(osc_call *c)
{
	float epochs = 10; /* as one of nn.terrain~'s train messages */
	if (c->argc > 0 && numbers(c, 1, &epochs, 1, "epochs") < 0)
		return;
	if (epochs < 1 || epochs > 100000) {
		osc_call_fail(c, "epochs %g is out of range (1 to 100000)", (double)epochs);
		return;
	}
	osc_request req = {.type = OSC_TRAIN, .fd = -1, .epochs = (int)epochs};
	submit(c, &req);
}

/* /train/save PATH [overwrite]: a terrain file (.json) only, and an
 * existing one is replaced only when asked (overwrite 1), so that a typo
 * cannot destroy a model or another terrain. */
static void handle_train_save(osc_call *c)
{
	const char *path;
	int overwrite;
	if (osc_call_save_path(c, "a terrain", &path, &overwrite) == 0)
		submit_file(c, OSC_SAVE_TERRAIN, path, 1, overwrite);
}

void osc_send_progress(osc_context *o, const osc_peer *peer, int epoch, int epochs, double loss)
{
	lo_message m = lo_message_new();
	lo_message_add_int32(m, epoch);
	lo_message_add_int32(m, epochs);
	lo_message_add_float(m, (float)loss);
	send_message(o, peer, "/train/progress", m);
	lo_message_free(m);
}

void osc_request_close_files(const osc_request *req)
{
	if (!osc_request_has_file(req))
		return;
	close(req->fd);
	if (req->type == OSC_LOAD_SCENE)
		close(req->fd2);
}

/* /load/scene MODEL TERRAIN: both confined and opened now, swapped together
 * (a terrain made for another model fails against the playing one, and the
 * model against the playing terrain, when loaded one at a time). */
static void handle_load_scene(osc_call *c)
{
	if (c->argc != 2 || !osc_arg_is_string(c->types[0]) || !osc_arg_is_string(c->types[1])) {
		osc_call_fail(c, "expects two strings: the model, then the terrain");
		return;
	}
	if (admin_refused(c))
		return;
	osc_request req = {.type = OSC_LOAD_SCENE};
	char why[512];
	pthread_mutex_lock(&c->o->lock);
	req.fd =
	    config_open_confined(&c->o->config, (const char *)c->argv[0], req.path, sizeof req.path, why, sizeof why);
	req.fd2 = req.fd < 0 ? -1
	                     : config_open_confined(&c->o->config, (const char *)c->argv[1], req.path2,
	                                            sizeof req.path2, why, sizeof why);
	pthread_mutex_unlock(&c->o->lock);
	if (req.fd2 < 0) {
		if (req.fd >= 0)
			close(req.fd);
		osc_call_fail(c, "%s", why);
		return;
	}
	submit(c, &req);
}

static void handle_load_model(osc_call *c)
{
	queue_request(c, OSC_LOAD_MODEL);
}

static void handle_load_terrain(osc_call *c)
{
	queue_request(c, OSC_LOAD_TERRAIN);
}

static void handle_quit(osc_call *c)
{
	queue_request(c, OSC_QUIT);
}

/* ---- mappings (TouchOSC and friends) -------------------------------------- */

/* 0..1 values onto the terrain's bounds, axes first .. first+n-1. */
static void to_bounds(osc_context *o, int first, float *v, int n)
{
	pthread_mutex_lock(&o->lock);
	for (int k = 0; k < n; k++)
		v[k] = o->bounds_min[first + k] + v[k] * (o->bounds_max[first + k] - o->bounds_min[first + k]);
	pthread_mutex_unlock(&o->lock);
}

/* The decimal number at p (up to 4 digits), with what follows in *rest;
 * -1 when there is none. */
static int leading_number(const char *p, const char **rest)
{
	int n = 0, digits = 0;
	while (*p >= '0' && *p <= '9' && digits < 4)
		n = 10 * n + (*p++ - '0'), digits++;
	*rest = p;
	return digits ? n : -1;
}

/* The voice a mapped message moves: the mapping's, or for "voice":
 * "touch" the touch number after the prefix minus 1 (TouchOSC counts
 * touches from 1); *touch_state tells <prefix>N/z apart. -1 after a /fail. */
static int mapped_voice(osc_call *c, const config_mapping *m, int *touch_state)
{
	int voice = m->voice, voices = engine_max_voices(c->o->engine);
	const char *rest = "";
	if (m->voice == MAPPING_VOICE_TOUCH) {
		int prefix = (int)strlen(m->address) - 1;
		voice = leading_number(c->address + prefix, &rest) - 1;
		if (voice < 0 || (*rest && strcmp(rest, "/z") != 0)) {
			osc_call_fail(c, "expects %.*sN or %.*sN/z with a touch number N from 1", prefix, m->address,
			              prefix, m->address);
			return -1;
		}
	}
	*touch_state = *rest != '\0';
	if (voice >= voices) {
		if (m->voice == MAPPING_VOICE_TOUCH)
			osc_call_fail(
			    c, "touch %d has no voice: touches 1 to %d play voices 0 to %d (engine.voices is %d)",
			    voice + 1, voices, voices - 1, voices);
		else
			osc_call_fail(c, "is mapped to voice %d, but engine.voices is %d", voice, voices);
		return -1;
	}
	return voice;
}

/* <prefix>N/z: TouchOSC's touch-down (1) and touch-up (0). The up
 * releases the touch's voice; the down waits for the touch's x y. */
static void handle_touch_state(osc_call *c)
{
	float down;
	if (numbers(c, 1, &down, 1, "touch state: 1 down, 0 up") < 0)
		return;
	if (down >= 0.5f) {
		done_control(c);
		return;
	}
	control_event ev = {.type = CONTROL_VOICE_OFF};
	send_event(c, &ev);
}

/* Input value -> 0..1 along the mapping's range, inverted if asked. */
static float normalise(const config_mapping *m, int k, float v)
{
	float u = (v - m->in_min[k]) / (m->in_max[k] - m->in_min[k]);
	return m->invert[k] ? 1.0f - u : u;
}

static void handle_mapped(osc_call *c, const config_mapping *m)
{
	static const int counts[] = {[MAP_XY] = 2,       [MAP_XYZ] = 3,  [MAP_X] = 1,          [MAP_Y] = 1,
	                             [MAP_PRESSURE] = 1, [MAP_GAIN] = 1, [MAP_LOAD_MODEL] = 1, [MAP_LOAD_TERRAIN] = 1};
	int touch_state;
	if ((c->voice = mapped_voice(c, m, &touch_state)) < 0)
		return;
	if (touch_state) {
		handle_touch_state(c);
		return;
	}
	/* Extra values are ignored: /accxyz sends x y z to an xy mapping. */
	float v[3];
	if (numbers(c, -1, v, 3, "as mapped in the config") < 0)
		return;
	if (c->argc < counts[m->to]) {
		osc_call_fail(c, "is mapped to %d value%s, got %d", counts[m->to], counts[m->to] == 1 ? "" : "s",
		              c->argc);
		return;
	}
	if (m->swap) {
		float t = v[0];
		v[0] = v[1];
		v[1] = t;
	}
	int n = counts[m->to];
	for (int k = 0; k < n; k++)
		v[k] = normalise(m, k, v[k]);
	if (m->to == MAP_LOAD_MODEL || m->to == MAP_LOAD_TERRAIN) {
		if (!(v[0] >= 0.5f)) { /* a button's release */
			done_control(c);
			return;
		}
		queue_load(c, m->to == MAP_LOAD_MODEL ? OSC_LOAD_MODEL : OSC_LOAD_TERRAIN, m->path);
		return;
	}
	if (m->to == MAP_GAIN) {
		set_gain(c->o, fminf(fmaxf(v[0], 0.0f), 4.0f), -1);
		done_control(c);
		return;
	}
	int first = m->to == MAP_Y ? 1 : m->to == MAP_PRESSURE ? 2 : 0;
	if (m->to == MAP_PRESSURE && terrain_dim(c->o) < 3) {
		set_gain(c->o, -1, fminf(fmaxf(v[0], 0.0f), 1.0f));
		done_control(c);
		return;
	}
	to_bounds(c->o, first, v, n);
	send_axes(c, first, v, n);
}

/* ---- TUIO 1.1 cursors: /tuio/2Dcur (docs/osc.md, "Multi-touch") ------------ */

/* Argument i as a session id or frame number (an integer of any numeric tag). */
static int arg_id(osc_call *c, int i, int32_t *out)
{
	double v = osc_arg_is_number(c->types[i]) ? osc_call_number(c, i) : NAN;
	if (!(v == floor(v) && fabs(v) <= INT32_MAX)) {
		osc_call_fail(c, "argument %d must be an integer (a session id or frame number)", i + 1);
		return -1;
	}
	*out = (int32_t)v;
	return 0;
}

static void tuio_on_alive(osc_call *c)
{
	int32_t sessions[TUIO_MAX_SESSIONS];
	int n = c->argc - 1;
	if (n > TUIO_MAX_SESSIONS) {
		osc_call_fail(c, "alive lists %d sessions; at most %d are followed", n, TUIO_MAX_SESSIONS);
		return;
	}
	for (int i = 0; i < n; i++)
		if (arg_id(c, i + 1, &sessions[i]) < 0)
			return;
	tuio_alive(&c->o->tuio, sessions, n);
}

/* set s x y [X Y m]: velocity and acceleration are not used. */
static void tuio_on_set(osc_call *c)
{
	int32_t session;
	if (c->argc < 4) {
		osc_call_fail(c, "set expects a session id, x and y");
		return;
	}
	if (arg_id(c, 1, &session) < 0)
		return;
	if (!osc_arg_is_number(c->types[2]) || !osc_arg_is_number(c->types[3]) || !isfinite(osc_call_number(c, 2)) ||
	    !isfinite(osc_call_number(c, 3))) {
		osc_call_fail(c, "set expects finite numbers for x and y");
		return;
	}
	if (tuio_set(&c->o->tuio, session, (float)osc_call_number(c, 2), (float)osc_call_number(c, 3)) < 0)
		osc_call_fail(c, "more than %d sets in one frame", TUIO_MAX_SESSIONS);
}

/* fseq n ends the frame: ended sessions release their voices, then each
 * moved session moves (and sounds) its own, y turned upward. */
static void tuio_on_fseq(osc_call *c)
{
	int32_t frame;
	if (c->argc != 2) {
		osc_call_fail(c, "fseq expects one frame number");
		return;
	}
	if (arg_id(c, 1, &frame) < 0)
		return;
	tuio_action actions[TUIO_MAX_ACTIONS];
	int n = tuio_frame(&c->o->tuio, frame, actions);
	for (int i = 0; i < n; i++) {
		control_event ev = {.type = actions[i].ended ? CONTROL_VOICE_OFF : CONTROL_TARGET,
		                    .dim = 2,
		                    .value = {actions[i].x, 1.0f - actions[i].y}};
		if (!actions[i].ended)
			to_bounds(c->o, 0, ev.value, 2);
		c->voice = actions[i].voice;
		if (queue_event(c, &ev) < 0)
			return;
	}
}

/* TUIO senders expect no replies: only a malformed message is answered
 * (/fail). `source` names the sender and is not needed. */
static void handle_tuio_cursor(osc_call *c)
{
	const char *command = c->argc > 0 && osc_arg_is_string(c->types[0]) ? (const char *)c->argv[0] : "";
	if (strcmp(command, "alive") == 0)
		tuio_on_alive(c);
	else if (strcmp(command, "set") == 0)
		tuio_on_set(c);
	else if (strcmp(command, "fseq") == 0)
		tuio_on_fseq(c);
	else if (strcmp(command, "source") != 0)
		osc_call_fail(c, "expects a TUIO 1.1 command first: source, alive, set or fseq");
}

/* ---- dispatch ------------------------------------------------------------- */

typedef struct route {
	const char *address;
	void (*handle)(osc_call *c);
} route;

static const route routes[] = {
    {"/xy", handle_xy},
    {"/stylus", handle_stylus},
    {"/gesture", handle_gesture},
    {"/gesture/stop", handle_gesture_stop},
    {"/gain", handle_gain},
    {"/smooth", handle_smooth},
    {"/status", handle_status},
    {"/load/model", handle_load_model},
    {"/load/terrain", handle_load_terrain},
    {"/load/scene", handle_load_scene},
    {"/quit", handle_quit},
    {"/notify", handle_notify},
    {"/train/add", handle_train_add},
    {"/train/clear", handle_train_clear},
    {"/train/run", handle_train_run},
    {"/train/save", handle_train_save},
    {"/tuio/2Dcur", handle_tuio_cursor},
};

/* ---- voices: /voice/N/<verb> ----------------------------------------------- */

static void send_voice_value(osc_call *c, control_type type, float min, float max, const char *what)
{
	control_event ev = {.type = type};
	if (numbers(c, 1, ev.value, 1, what) < 0)
		return;
	if (ev.value[0] < min || ev.value[0] > max) {
		osc_call_fail(c, "%s %g is out of range (%g to %g)", what, (double)ev.value[0], (double)min,
		              (double)max);
		return;
	}
	if (push_event(c, &ev) == 0)
		osc_reply_done(c->o, c->peer, c->address);
}

static void handle_voice_gain(osc_call *c)
{
	send_voice_value(c, CONTROL_VOICE_GAIN, 0, 4, "gain");
}

static void handle_voice_pan(osc_call *c)
{
	send_voice_value(c, CONTROL_VOICE_PAN, -1, 1, "pan");
}

static void handle_voice_off(osc_call *c)
{
	if (c->argc != 0) {
		osc_call_fail(c, "expects no arguments");
		return;
	}
	control_event ev = {.type = CONTROL_VOICE_OFF};
	send_event(c, &ev);
}

static const route voice_routes[] = {
    {"xy", handle_xy},           {"stylus", handle_stylus},
    {"gesture", handle_gesture}, {"gesture/stop", handle_gesture_stop},
    {"gain", handle_voice_gain}, {"pan", handle_voice_pan},
    {"off", handle_voice_off},
};

/* The N of /voice/N/..., with what follows it in *verb; -1 when there is
 * no number (the caller says what is wrong). */
static int voice_number(const char *address, const char **verb)
{
	const char *rest;
	int n = leading_number(address + strlen("/voice/"), &rest);
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
	osc_call_fail(c, "unknown address: a voice takes xy, stylus, gesture, gesture/stop, gain, pan and off");
}

/* ---- the granular synthesiser: /grain/<verb> (grains.h validates) ------------ */

static void dispatch_grain(osc_call *c)
{
	float v[4] = {0};
	const char *word = NULL;
	if (c->argc == 1 && osc_arg_is_string(c->types[0]))
		word = (const char *)c->argv[0];
	else if (c->argc > 0 && numbers(c, -1, v, 4, "the setting's values") < 0)
		return;
	control_event ev = {.type = CONTROL_GRAIN};
	char why[256];
	if (grains_message(c->address + strlen("/grain/"), terrain_dim(c->o), v, word ? 0 : c->argc, word,
	                   &ev.first_axis, ev.value, &ev.dim, why, sizeof why) < 0)
		osc_call_fail(c, "%s", why);
	else
		send_event(c, &ev);
}

static int find_mapping(osc_context *o, const char *address, config_mapping *out, int *log_unmapped)
{
	pthread_mutex_lock(&o->lock);
	const config_mapping *m = config_find_mapping(&o->config, address);
	if (m)
		*out = *m;
	*log_unmapped = o->config.log_unmapped;
	pthread_mutex_unlock(&o->lock);
	return m != NULL;
}

static void dispatch(osc_call *c)
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
		dispatch_grain(c);
		return;
	}
	if (osc_looper_dispatch(c))
		return;
	config_mapping m;
	int log_unmapped;
	if (find_mapping(c->o, c->address, &m, &log_unmapped)) {
		handle_mapped(c, &m);
		return;
	}
	if (log_unmapped)
		log_info("unmapped OSC address %s (types '%s')", c->address, c->types);
	osc_call_fail(c, "unknown address");
}

/* The address of a raw message, printable, for /fail replies. */
static void packet_address(const char *data, size_t size, char *out, size_t len)
{
	size_t n = strnlen(data, size < len - 1 ? size : len - 1);
	size_t j = 0;
	for (size_t i = 0; i < n && j + 1 < len; i++)
		out[j++] = (data[i] >= 32 && data[i] < 127) ? data[i] : '?';
	out[j] = '\0';
}

static void handle_message(osc_context *o, const char *data, size_t size, const osc_peer *peer, int64_t apply_ns)
{
	char address[256];
	packet_address(data, size, address, sizeof address);
	int result = 0;
	lo_message msg = lo_message_deserialise((void *)data, size, &result);
	if (!msg) {
		atomic_fetch_add(&o->malformed, 1);
		osc_reply_fail(o, peer, address[0] ? address : "?", "malformed OSC message (liblo error %d)", result);
		return;
	}
	osc_call c = {.o = o,
	              .peer = peer,
	              .address = address,
	              .types = lo_message_get_types(msg),
	              .argv = lo_message_get_argv(msg),
	              .argc = lo_message_get_argc(msg),
	              .received_ns = clock_now_ns(),
	              .apply_ns = apply_ns,
	              .msg = msg};
	atomic_fetch_add(&o->messages, 1);
	dispatch(&c);
	lo_message_free(msg);
}

static uint32_t read_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A bundle timetag as a monotonic deadline (0 = immediately). */
static int64_t timetag_deadline(const unsigned char *p, int64_t now)
{
	lo_timetag tt = {read_be32(p), read_be32(p + 4)};
	if (tt.sec == 0 && tt.frac == 1)
		return 0;
	lo_timetag wall;
	lo_timetag_now(&wall);
	double ahead = lo_timetag_diff(tt, wall);
	if (!(ahead > 0))
		return 0;
	if (ahead > MAX_SCHEDULE_AHEAD_S)
		ahead = MAX_SCHEDULE_AHEAD_S;
	return now + (int64_t)(ahead * 1e9);
}

static void handle_element(osc_context *o, const unsigned char *data, size_t size, const osc_peer *peer,
                           int64_t apply_ns, int depth);

static void handle_bundle(osc_context *o, const unsigned char *data, size_t size, const osc_peer *peer, int depth)
{
	if (size < 16 || depth >= BUNDLE_MAX_DEPTH) {
		atomic_fetch_add(&o->malformed, 1);
		osc_reply_fail(o, peer, "#bundle", size < 16 ? "truncated bundle" : "bundles nested too deeply");
		return;
	}
	int64_t apply_ns = timetag_deadline(data + 8, clock_now_ns());
	for (size_t pos = 16; pos < size;) {
		uint32_t n = pos + 4 <= size ? read_be32(data + pos) : 0;
		if (pos + 4 > size || n == 0 || n % 4 != 0 || n > size - pos - 4) {
			atomic_fetch_add(&o->malformed, 1);
			osc_reply_fail(o, peer, "#bundle", "bundle element at byte %zu has a bad size", pos);
			return;
		}
		handle_element(o, data + pos + 4, n, peer, apply_ns, depth + 1);
		pos += 4 + n;
	}
}

static void handle_element(osc_context *o, const unsigned char *data, size_t size, const osc_peer *peer,
                           int64_t apply_ns, int depth)
{
	if (size >= 8 && memcmp(data, "#bundle", 8) == 0)
		handle_bundle(o, data, size, peer, depth);
	else if (size >= 4 && size % 4 == 0 && data[0] == '/')
		handle_message(o, (const char *)data, size, peer, apply_ns);
	else {
		atomic_fetch_add(&o->malformed, 1);
		osc_reply_fail(o, peer, "?", "not an OSC packet (%zu bytes)", size);
	}
}

void osc_handle_packet(osc_context *o, const void *data, size_t size, const osc_peer *peer)
{
	handle_element(o, data, size, peer, 0, 0);
}

/* ---- bursts ---------------------------------------------------------------- */

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);
	return n >= k && strcmp(s + n - k, tail) == 0;
}

static int is_cursor_address(osc_context *o, const char *address)
{
	if (strcmp(address, "/xy") == 0 || strcmp(address, "/stylus") == 0)
		return 1;
	if (strncmp(address, "/voice/", strlen("/voice/")) == 0)
		return ends_with(address, "/xy") || ends_with(address, "/stylus");
	pthread_mutex_lock(&o->lock);
	const config_mapping *m = config_find_mapping(&o->config, address);
	int cursor = m && m->to <= MAP_PRESSURE;
	pthread_mutex_unlock(&o->lock);
	return cursor;
}

static uint64_t packet_key(const osc_packet *p, size_t address_len)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a over address and sender */
	const unsigned char *a = p->data;
	for (size_t i = 0; i < address_len; i++)
		h = (h ^ a[i]) * 1099511628211ull;
	const unsigned char *peer = (const unsigned char *)&p->peer.addr;
	for (socklen_t i = 0; i < p->peer.len && i < sizeof p->peer.addr; i++)
		h = (h ^ peer[i]) * 1099511628211ull;
	return h | 1; /* 0 marks an empty slot */
}

enum { BATCH_TABLE = 1024 }; /* open addressing; more than twice the largest burst */

void osc_handle_batch(osc_context *o, const osc_packet *packets, int n)
{
	uint64_t seen[BATCH_TABLE] = {0};
	unsigned char skip[BATCH_TABLE / 2] = {0};
	if (n > BATCH_TABLE / 2)
		n = BATCH_TABLE / 2;
	/* Newest first: the first time an address is seen it is the latest. */
	for (int i = n - 1; i >= 0; i--) {
		const osc_packet *p = &packets[i];
		const char *data = p->data;
		size_t len = p->size ? strnlen(data, p->size) : 0;
		if (len == 0 || len == p->size || data[0] != '/' || !is_cursor_address(o, data))
			continue;
		uint64_t key = packet_key(p, len);
		size_t slot = key % BATCH_TABLE;
		while (seen[slot] && seen[slot] != key)
			slot = (slot + 1) % BATCH_TABLE;
		if (seen[slot] == key)
			skip[i] = 1; /* (a 64-bit hash: a collision between distinct addresses is negligible) */
		seen[slot] = key;
	}
	for (int i = 0; i < n; i++) {
		if (skip[i])
			atomic_fetch_add(&o->coalesced, 1);
		else
			osc_handle_packet(o, packets[i].data, packets[i].size, &packets[i].peer);
	}
}

/* ---- access control -------------------------------------------------------- */

int osc_peer_allowed(osc_context *o, const osc_peer *peer)
{
	if (access_is_loopback((const struct sockaddr *)&peer->addr, peer->len))
		return 1; /* no lock for the common case */
	pthread_mutex_lock(&o->lock);
	int allowed =
	    access_allowed(o->config.allow, o->config.n_allow, (const struct sockaddr *)&peer->addr, peer->len);
	pthread_mutex_unlock(&o->lock);
	if (!allowed)
		atomic_fetch_add(&o->refused, 1);
	return allowed;
}

int osc_needs_password(osc_context *o)
{
	pthread_mutex_lock(&o->lock);
	int needed = o->config.password[0] != '\0';
	pthread_mutex_unlock(&o->lock);
	return needed;
}

int osc_authenticate(osc_context *o, const void *data, size_t size, const osc_peer *peer)
{
	char address[256];
	packet_address(data, size, address, sizeof address);
	int is_auth = strcmp(address, "/auth") == 0, result = 0;
	lo_message msg = is_auth ? lo_message_deserialise((void *)data, size, &result) : NULL;
	int one_string = msg && strcmp(lo_message_get_types(msg), "s") == 0;
	int ok = 0;
	if (one_string) {
		pthread_mutex_lock(&o->lock);
		ok = access_password_matches(o->config.password, (const char *)lo_message_get_argv(msg)[0]);
		pthread_mutex_unlock(&o->lock);
	}
	if (msg)
		lo_message_free(msg);
	if (ok) {
		osc_reply_done(o, peer, "/auth");
		return 0;
	}
	const char *why = !is_auth      ? "this TCP connection needs /auth <password> first"
	                  : !one_string ? "expects one string (the password)"
	                                : "wrong password";
	osc_reply_fail(o, peer, address[0] ? address : "?", "%s", why);
	log_warn("closing an OSC TCP connection: %s", why);
	return -1;
}
