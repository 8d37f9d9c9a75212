/*
 * jack_ports.c — see jack_ports.h. Not on the real-time path: the daemon's
 * main thread calls it, and its JACK client is never activated.
 */
#include "jack_ports.h"

#include <errno.h>
#include <jack/jack.h>
#include <regex.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "log.h"

typedef char port_name[JACK_PORTS_NAME_MAX];

struct jack_ports {
	jack_client_t *client;
	char own[JACK_PORTS_NAME_MAX]; /* PortAudio's client, whose outputs are routed */
	int n_targets;
	port_name targets[JACK_PORTS_MAX_TARGETS];
	/* destinations present at the last poll, as "<client's uuid> <port
	 * name>": one that is still there is not connected again (a
	 * disconnection made by hand stays); a client that came back under the
	 * same name has a new uuid (a port's own id is its slot, reused), so
	 * its ports are connected again */
	int n_seen;
	port_name seen[JACK_PORTS_MAX_DESTINATIONS];
	char waiting_logged[512]; /* the entries last logged as matching nothing */
	atomic_int connected, waiting;
};

/* A list of port names from libjack, NULL-terminated (jack_free). */
typedef struct port_list {
	int n;
	port_name names[JACK_PORTS_MAX_DESTINATIONS];
} port_list;

static int check_target(const char *t, char *err, size_t errlen)
{
	if (!t[0] || strlen(t) >= JACK_PORTS_NAME_MAX)
		return error_set(err, errlen,
		                 "audio.jack_ports: '%.60s' must be a port name or pattern of 1 to %d bytes", t,
		                 JACK_PORTS_NAME_MAX - 1);
	regex_t re;
	int rc = regcomp(&re, t, REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		char why[128];
		regerror(rc, &re, why, sizeof why);
		return error_set(err, errlen, "audio.jack_ports: '%s' is neither a port name nor a valid pattern (%s)",
		                 t, why);
	}
	regfree(&re);
	return 0;
}

int jack_ports_check(const char *const *targets, int n, char *err, size_t errlen)
{
	if (n > JACK_PORTS_MAX_TARGETS)
		return error_set(err, errlen, "audio.jack_ports: at most %d entries", JACK_PORTS_MAX_TARGETS);
	for (int i = 0; i < n; i++)
		if (check_target(targets[i], err, errlen) < 0)
			return -1;
	return 0;
}

static int contains(const port_list *l, const char *name)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->names[i], name) == 0)
			return 1;
	return 0;
}

static void add_name(port_list *l, const char *name)
{
	if (l->n < JACK_PORTS_MAX_DESTINATIONS && strlen(name) < JACK_PORTS_NAME_MAX && !contains(l, name))
		snprintf(l->names[l->n++], JACK_PORTS_NAME_MAX, "%s", name);
}

/* Adds the audio ports libjack lists for `pattern` (anchored to whole
 * names) with `flags`. Returns how many it found. */
static int add_matching(jack_client_t *c, const char *pattern, unsigned long flags, port_list *l)
{
	char anchored[JACK_PORTS_NAME_MAX + 8];
	snprintf(anchored, sizeof anchored, "^(%s)$", pattern);
	const char **ports = jack_get_ports(c, anchored, JACK_DEFAULT_AUDIO_TYPE, flags);
	int found = 0;
	for (int i = 0; ports && ports[i]; i++, found++)
		add_name(l, ports[i]);
	jack_free(ports);
	return found;
}

/* `own`'s output ports: its name with the pattern's special characters
 * escaped, then ":.*". */
static void own_outputs(jack_ports *j, port_list *outs)
{
	char pattern[2 * JACK_PORTS_NAME_MAX + 8], *p = pattern;
	for (const char *s = j->own; *s; s++) {
		if (strchr(".[]{}()\\*+?^$|", *s))
			*p++ = '\\';
		*p++ = *s;
	}
	snprintf(p, sizeof pattern - (size_t)(p - pattern), ":.*");
	outs->n = 0;
	add_matching(j->client, pattern, JackPortIsOutput, outs);
}

/* Every destination, in the order of the entries: a port's exact name
 * first, else the entry as a pattern. Entries that match nothing are
 * listed in `waiting`. */
static void destinations(jack_ports *j, port_list *dests, char *waiting, size_t len)
{
	dests->n = 0;
	waiting[0] = '\0';
	int n_waiting = 0;
	for (int i = 0; i < j->n_targets; i++) {
		jack_port_t *port = jack_port_by_name(j->client, j->targets[i]);
		if (port && (jack_port_flags(port) & JackPortIsInput))
			add_name(dests, j->targets[i]);
		else if (add_matching(j->client, j->targets[i], JackPortIsInput, dests) == 0) {
			size_t used = strlen(waiting);
			snprintf(waiting + used, len - used, "%s%s", n_waiting++ ? ", " : "", j->targets[i]);
		}
	}
	atomic_store(&j->waiting, n_waiting);
}

/* At start: PortAudio connected its outputs to the physical playback
 * ports; audio.jack_ports says where they go instead. */
static void disconnect_others(jack_ports *j, const port_list *outs, const port_list *dests)
{
	for (int o = 0; o < outs->n; o++) {
		jack_port_t *port = jack_port_by_name(j->client, outs->names[o]);
		const char **conns = port ? jack_port_get_all_connections(j->client, port) : NULL;
		for (int i = 0; conns && conns[i]; i++)
			if (!contains(dests, conns[i]) && jack_disconnect(j->client, outs->names[o], conns[i]) == 0)
				log_info("audio.jack_ports: %s no longer plays to %s", outs->names[o], conns[i]);
		jack_free(conns);
	}
}

static int was_seen(const jack_ports *j, const char *id)
{
	for (int i = 0; i < j->n_seen; i++)
		if (strcmp(j->seen[i], id) == 0)
			return 1;
	return 0;
}

/* "<uuid of the port's client> <port name>" into id[JACK_PORTS_NAME_MAX]. */
static void port_identity(jack_client_t *c, const char *port, char *id)
{
	char client[JACK_PORTS_NAME_MAX];
	snprintf(client, sizeof client, "%.*s", (int)strcspn(port, ":"), port);
	char *uuid = jack_get_uuid_for_client_name(c, client);
	snprintf(id, JACK_PORTS_NAME_MAX, "%.40s %s", uuid ? uuid : "?", port);
	jack_free(uuid);
}

/* Connects the destinations not seen at the last poll; counts those
 * connected now. */
static void connect_new(jack_ports *j, const port_list *outs, const port_list *dests)
{
	int connected = 0, n_ids = 0;
	port_name ids[JACK_PORTS_MAX_DESTINATIONS];
	for (int k = 0; k < dests->n && outs->n > 0; k++) {
		const char *out = outs->names[k % outs->n], *dest = dests->names[k];
		port_identity(j->client, dest, ids[n_ids]);
		if (!was_seen(j, ids[n_ids++])) {
			int rc = jack_connect(j->client, out, dest);
			if (rc == 0)
				log_info("audio.jack_ports: %s -> %s", out, dest);
			else if (rc != EEXIST)
				log_warn("audio.jack_ports: cannot connect %s to %s (JACK error %d)", out, dest, rc);
		}
		jack_port_t *port = jack_port_by_name(j->client, out);
		connected += port && jack_port_connected_to(port, dest);
	}
	atomic_store(&j->connected, connected);
	j->n_seen = n_ids;
	memcpy(j->seen, ids, sizeof ids[0] * (size_t)n_ids);
}

static void route(jack_ports *j, int first)
{
	port_list outs, dests;
	char waiting[sizeof j->waiting_logged];
	own_outputs(j, &outs);
	if (outs.n == 0) {
		if (first)
			log_warn("audio.jack_ports: JACK has no output ports of %s: nothing to connect", j->own);
		return;
	}
	destinations(j, &dests, waiting, sizeof waiting);
	if (first)
		disconnect_others(j, &outs, &dests);
	connect_new(j, &outs, &dests);
	if (strcmp(waiting, j->waiting_logged) != 0 && waiting[0])
		log_info("audio.jack_ports: waiting for %s (connected as soon as it appears)", waiting);
	snprintf(j->waiting_logged, sizeof j->waiting_logged, "%s", waiting);
}

int jack_ports_start(const char *server, const char *own, const char *const *targets, int n, jack_ports **out,
                     char *err, size_t errlen)
{
	*out = NULL;
	if (jack_ports_check(targets, n, err, errlen) < 0)
		return -1;
	jack_ports *j = calloc(1, sizeof *j);
	if (!j)
		return error_set(err, errlen, "out of memory");
	snprintf(j->own, sizeof j->own, "%s", own);
	j->n_targets = n;
	for (int i = 0; i < n; i++)
		snprintf(j->targets[i], JACK_PORTS_NAME_MAX, "%s", targets[i]);
	char name[64];
	snprintf(name, sizeof name, "%.40s-ports", own);
	jack_status_t status;
	j->client = server && server[0] ? jack_client_open(name, JackNoStartServer | JackServerName, &status, server)
	                                : jack_client_open(name, JackNoStartServer, &status);
	if (!j->client) {
		free(j);
		return error_set(err, errlen,
		                 "audio.jack_ports: cannot reach the JACK server %s (status 0x%x): is it running, as "
		                 "this user?",
		                 server && server[0] ? server : "(default)", (unsigned)status);
	}
	route(j, 1);
	*out = j;
	return 0;
}

void jack_ports_poll(jack_ports *j)
{
	if (j)
		route(j, 0);
}

int jack_ports_connected(const jack_ports *j)
{
	return j ? atomic_load(&j->connected) : 0;
}

int jack_ports_waiting(const jack_ports *j)
{
	return j ? atomic_load(&j->waiting) : 0;
}

void jack_ports_stop(jack_ports *j)
{
	if (!j)
		return;
	jack_client_close(j->client);
	free(j);
}
