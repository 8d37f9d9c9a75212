/*
 * osc_auth.c — access control for the network layer: which peers may talk
 * at all (osc.allow), and the password a TCP session starts with.
 */
#include "osc_internal.h"

#include <string.h>

#include "access.h"
#include "log.h"

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
	osc_packet_address(data, size, address, sizeof address);
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
