/*
 * osc_notify.c — /notify subscriptions: leases renewed by the client, and
 * the updates pushed to subscribers (cursors, latents, loops, status).
 */
#include "osc_internal.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "osc_looper.h"

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
void osc_handle_notify(osc_call *c)
{
	float rate = 30.0f;
	if (c->argc > 0 && osc_call_numbers(c, 1, &rate, 1, "updates per second") < 0)
		return;
	if (rate != 0 && (rate < 1 || rate > 60)) {
		osc_call_fail(c, "rate %g is out of range (1 to 60 updates a second, 0 to stop)", (double)rate);
		return;
	}
	osc_context *o = c->o;
	int64_t now = o->now();
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

static void send_floats(osc_context *o, const osc_peer *peer, const char *path, const float *v, int n)
{
	lo_message m = lo_message_new();
	if (!m)
		return; /* out of memory: this update is skipped */
	for (int i = 0; i < n; i++)
		lo_message_add_float(m, v[i]);
	osc_send(o, peer, path, m);
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
	int64_t now = o->now();
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
			osc_status_send(o, &due[i]);
	}
}
