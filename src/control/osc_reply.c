/*
 * osc_reply.c — answers and other messages to a peer: /done and /fail
 * (rate-limited, so a flood of requests never becomes a flood of replies),
 * and osc_send for the rest.
 */
#include "osc_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "clock.h"
#include "log.h"

void osc_send(osc_context *o, const osc_peer *peer, const char *path, lo_message m)
{
	size_t size = 0;
	void *data = lo_message_serialise(m, path, NULL, &size);
	if (data) {
		if (o->cb.send)
			o->cb.send(o->cb.send_ctx, peer, data, size);
		free(data);
	}
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
	if (peer->connection == OSC_CONNECTION_INTERNAL) /* the daemon's own MIDI wants no /done */
		return;
	if (!reply_allowed(o))
		return;
	lo_message m = lo_message_new();
	if (!m)
		return; /* out of memory: nothing can be sent */
	lo_message_add_string(m, address);
	osc_send(o, peer, "/done", m);
	lo_message_free(m);
}

void osc_reply_fail(osc_context *o, const osc_peer *peer, const char *address, const char *fmt, ...)
{
	atomic_fetch_add(&o->failures, 1);
	if (peer->connection != OSC_CONNECTION_INTERNAL && !reply_allowed(o))
		return; /* under a flood, not even formatted */
	char reason[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	log_debug("/fail %s: %s", address, reason);
	lo_message m = lo_message_new();
	if (!m)
		return; /* out of memory: nothing can be sent */
	lo_message_add_string(m, address);
	lo_message_add_string(m, reason);
	osc_send(o, peer, "/fail", m);
	lo_message_free(m);
}
