/*
 * midi_in.c — the daemon's MIDI input (midi_in.h): the MIDI thread that
 * finds and connects ports, and the network thread's side that plays what
 * arrived.
 *
 * MIDI is handed to the network thread rather than sent to the engine
 * from a thread of its own: the engine's control ring has one producer,
 * and the OSC dispatcher there already checks and applies everything MIDI
 * needs (voices, points, loops, grains, loads), so MIDI adds no second
 * way in. The network thread wakes on the inbox's eventfd, as on a socket.
 */
#include "midi_in.h"

#include "error.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "clock.h"
#include "engine.h"
#include "log.h"
#include "midi_bridge.h"
#include "net.h"
#include "osc.h"
#include "osc_status.h"

enum {
	SCAN_MS = 250,        /* the MIDI thread looks at the ports at least this often */
	DRAIN_CHUNKS = 256,   /* read from the inbox at once */
	MAX_PORTS = 64,       /* ports listed in one scan */
	FAIL_LOG_EVERY_S = 5, /* a /fail to MIDI is logged at most this often (with a count) */
	INPUTS_TEXT = 2048,
};

typedef struct midi_slot {
	int used;
	char name[MIDI_PORT_NAME_MAX];
} midi_slot;

struct midi_in {
	const midi_backend *backend;
	void *b;
	midi_inbox inbox;
	midi_bridge bridge; /* the network thread's */
	pthread_t thread;
	int thread_started;
	atomic_int running;
	pthread_mutex_t lock; /* the fields below */
	midi_config config;
	int config_pending;                   /* for the network thread: new mappings */
	midi_slot slots[MIDI_SOURCES];        /* the MIDI thread writes them */
	midi_port ports[MAX_PORTS];           /* the MIDI thread's last scan */
	char failed_port[MIDI_PORT_NAME_MAX]; /* the last port that would not connect (logged once) */
	int backend_failed;
	int64_t fail_log_ns;
	uint64_t fails_unlogged;
	/* published by the network thread after each batch */
	atomic_uint_fast64_t messages, dropped, unmapped, delay_ns;
};

/* ---- the inbox (backends' threads) -------------------------------------------- */

size_t midi_inbox_push(midi_inbox *b, int source, const uint8_t *bytes, size_t n, int64_t when_ns)
{
	size_t chunks = 0;
	for (size_t at = 0; at < n; at += MIDI_CHUNK_BYTES) {
		midi_chunk c = {.when_ns = when_ns, .source = (uint8_t)source};
		c.size = (uint8_t)(n - at < MIDI_CHUNK_BYTES ? n - at : MIDI_CHUNK_BYTES);
		c.last = at + c.size == n;
		memcpy(c.bytes, bytes + at, c.size);
		chunks += (size_t)ring_push(b->ring, &c);
	}
	return chunks;
}

void midi_inbox_reset(midi_inbox *b, int source)
{
	atomic_fetch_or(&b->resets, 1u << source);
}

size_t midi_inbox_take_resets(midi_inbox *b)
{
	unsigned resets = atomic_exchange(&b->resets, 0u);
	size_t n = 0;
	for (int s = 0; resets; s++, resets >>= 1)
		if (resets & 1u) {
			midi_chunk c = {.source = (uint8_t)s, .reset = 1};
			n += (size_t)ring_push(b->ring, &c);
		}
	return n;
}

void midi_inbox_wake(midi_inbox *b)
{
	uint64_t one = 1;
	if (write(b->wake_fd, &one, sizeof one) < 0) {
		/* EAGAIN: the counter is full, the reader is already woken */
	}
}

/* ---- ports (MIDI thread) ----------------------------------------------------------- */

int midi_in_matches(const char *pattern, const midi_port *port)
{
	return strcmp(pattern, "*") == 0 || strcasestr(port->match, pattern) != NULL;
}

static int wanted(midi_in *m, const midi_port *port)
{
	pthread_mutex_lock(&m->lock);
	int yes = 0;
	for (int i = 0; i < m->config.n_inputs && !yes; i++)
		yes = midi_in_matches(m->config.inputs[i], port);
	pthread_mutex_unlock(&m->lock);
	return yes;
}

static int slot_of(midi_in *m, const char *name)
{
	for (int s = 0; s < MIDI_SOURCES; s++)
		if (m->slots[s].used && strcmp(m->slots[s].name, name) == 0)
			return s;
	return -1;
}

/* A free slot, the one that last held `name` first (its JACK port is
 * still named after it in the graph's connections); -1 when full. */
static int free_slot(midi_in *m, const char *name)
{
	int first = -1;
	for (int s = 0; s < MIDI_DIRECT_SLOT; s++) {
		if (m->slots[s].used)
			continue;
		if (strcmp(m->slots[s].name, name) == 0)
			return s;
		if (first < 0)
			first = s;
	}
	return first;
}

/* Inputs whose port went away: their notes end (the sound goes on). */
static void drop_gone(midi_in *m)
{
	for (int s = 0; s < MIDI_SOURCES; s++) {
		if (!m->slots[s].used || m->backend->connected(m->b, s, m->slots[s].name))
			continue;
		log_info("MIDI: %s went away (its notes end; it is connected again when it comes back)",
		         m->slots[s].name);
		pthread_mutex_lock(&m->lock);
		m->slots[s].used = 0;
		pthread_mutex_unlock(&m->lock);
		midi_inbox_reset(&m->inbox, s); /* the backend's producer puts it in the ring */
	}
}

static void connect_port(midi_in *m, const midi_port *port)
{
	int s = free_slot(m, port->name);
	char err[512];
	int rc = s < 0 ? -1 : m->backend->connect(m->b, s, port->name, err, sizeof err);
	if (rc == MIDI_PORT_GONE) /* listed while it was leaving */
		return;
	if (rc < 0) {
		if (s < 0)
			snprintf(err, sizeof err, "%d inputs are connected already", MIDI_DIRECT_SLOT);
		if (strcmp(m->failed_port, port->name) != 0)
			log_warn("MIDI: cannot connect %s: %s", port->name, err);
		snprintf(m->failed_port, sizeof m->failed_port, "%s", port->name);
		return;
	}
	midi_inbox_reset(&m->inbox, s); /* a fresh parser and zones for it */
	pthread_mutex_lock(&m->lock);
	m->slots[s].used = 1;
	snprintf(m->slots[s].name, sizeof m->slots[s].name, "%s", port->name);
	pthread_mutex_unlock(&m->lock);
	log_info("MIDI: connected %s (input %d)", port->name, s + 1);
}

static void scan(midi_in *m)
{
	const char *why = m->backend->failed(m->b);
	if (why) {
		if (!m->backend_failed)
			log_error("MIDI input stopped: %s (the daemon plays on; it reconnects when the audio does)",
			          why);
		m->backend_failed = 1;
		return;
	}
	drop_gone(m);
	int n = m->backend->sources(m->b, m->ports, MAX_PORTS);
	for (int i = 0; i < n; i++)
		if (slot_of(m, m->ports[i].name) < 0 && wanted(m, &m->ports[i]))
			connect_port(m, &m->ports[i]);
}

static void *midi_thread(void *arg)
{
	midi_in *m = arg;
	scan(m);
	while (atomic_load(&m->running)) {
		m->backend->wait(m->b, SCAN_MS);
		scan(m);
	}
	return NULL;
}

/* ---- playing (network thread) -------------------------------------------------------- */

static void take_new_config(midi_in *m)
{
	pthread_mutex_lock(&m->lock);
	int pending = m->config_pending;
	if (pending)
		midi_play_configure(&m->bridge.play, &m->config);
	m->config_pending = 0;
	pthread_mutex_unlock(&m->lock);
}

static void publish(midi_in *m, int64_t delay_ns)
{
	uint64_t dropped = ring_dropped(m->inbox.ring);
	const midi_play *p = &m->bridge.play;
	for (int s = 0; s < MIDI_SOURCES; s++)
		dropped += p->sources[s].parser.dropped;
	atomic_store(&m->messages, p->counts.messages);
	atomic_store(&m->unmapped, p->counts.unmapped);
	atomic_store(&m->dropped, dropped);
	if (delay_ns >= 0)
		atomic_store(&m->delay_ns, (uint64_t)delay_ns);
}

/* net_watch's ready: what arrived since the last call, then the notes'
 * expression, once. */
static void drain(void *ctx)
{
	midi_in *m = ctx;
	uint64_t count;
	if (read(m->inbox.wake_fd, &count, sizeof count) < 0) {
		/* EAGAIN: woken for chunks read in the last call */
	}
	take_new_config(m);
	midi_bridge_begin(&m->bridge);
	int64_t now = m->bridge.world.now_ns, delay = -1;
	midi_chunk chunks[DRAIN_CHUNKS];
	size_t n;
	while ((n = ring_read(m->inbox.ring, chunks, DRAIN_CHUNKS)) > 0)
		for (size_t i = 0; i < n; i++) {
			const midi_chunk *c = &chunks[i];
			if (c->reset) {
				midi_bridge_reset(&m->bridge, c->source);
				continue;
			}
			midi_bridge_bytes(&m->bridge, c->source, c->bytes, c->size, c->last);
			if (now - c->when_ns > delay)
				delay = now - c->when_ns;
		}
	midi_bridge_end(&m->bridge);
	publish(m, delay);
}

/* net_watch's reply: a /fail to what MIDI sent, logged (at most one line
 * every few seconds: a mapping that fails fails at every message). */
static void reply(void *ctx, const void *data, size_t size)
{
	midi_in *m = ctx;
	int result = 0;
	lo_message msg = lo_message_deserialise((void *)data, size, &result);
	if (!msg)
		return;
	const char *path = lo_get_path((void *)data, (ssize_t)size);
	lo_arg **argv = lo_message_get_argv(msg);
	int is_fail = path && strcmp(path, "/fail") == 0 && strcmp(lo_message_get_types(msg), "ss") == 0;
	int64_t now = clock_now_ns();
	pthread_mutex_lock(&m->lock);
	if (is_fail && now - m->fail_log_ns >= (int64_t)FAIL_LOG_EVERY_S * 1000000000) {
		log_warn("MIDI: %s: %s%s", (const char *)argv[0], (const char *)argv[1],
		         m->fails_unlogged ? " (and other refusals since the last one logged)" : "");
		m->fail_log_ns = now;
		m->fails_unlogged = 0;
	} else if (is_fail) {
		m->fails_unlogged++;
	}
	pthread_mutex_unlock(&m->lock);
	lo_message_free(msg);
}

/* ---- start, stop, status ------------------------------------------------------------- */

/* The first backend that opens, in the configured order; -1 with every
 * reason in err when none does. */
static int open_backend(midi_in *m, midi_backend_kind which, char *err, size_t errlen)
{
	static const midi_backend *const order[][2] = {
	    [MIDI_BACKEND_AUTO] = {&midi_backend_jack, &midi_backend_alsa},
	    [MIDI_BACKEND_JACK] = {&midi_backend_jack, NULL},
	    [MIDI_BACKEND_ALSA] = {&midi_backend_alsa, NULL},
	};
	err[0] = '\0';
	for (int i = 0; i < 2 && order[which][i]; i++) {
		char why[256];
		m->b = order[which][i]->open(&m->inbox, why, sizeof why);
		if (m->b) {
			m->backend = order[which][i];
			return 0;
		}
		snprintf(err + strlen(err), errlen - strlen(err), "%s%s: %s", i ? "; " : "", order[which][i]->name,
		         why);
	}
	return -1;
}

static void free_midi(midi_in *m)
{
	if (m->b)
		m->backend->close(m->b);
	if (m->inbox.wake_fd >= 0)
		close(m->inbox.wake_fd);
	ring_free(m->inbox.ring);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

int midi_in_start(const midi_config *c, osc_context *o, net_server *net, int voices, midi_in **out, char *err,
                  size_t errlen)
{
	*out = NULL;
	if (c->n_inputs == 0)
		return 0;
	midi_in *m = calloc(1, sizeof *m);
	if (!m)
		return error_set(err, errlen, "out of memory for MIDI");
	pthread_mutex_init(&m->lock, NULL);
	m->inbox.wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	m->inbox.ring = ring_create(MIDI_INBOX_CHUNKS, sizeof(midi_chunk));
	if (m->inbox.wake_fd < 0 || !m->inbox.ring) {
		free_midi(m);
		return error_set(err, errlen, "cannot make MIDI's inbox: %s", strerror(errno));
	}
	char why[768];
	if (open_backend(m, c->backend, why, sizeof why) < 0) {
		log_warn("MIDI is off: %s", why);
		free_midi(m);
		return 0;
	}
	m->config = *c;
	midi_bridge_init(&m->bridge, o, c, voices);
	net_watch(net, m->inbox.wake_fd, drain, reply, m);
	atomic_store(&m->running, 1);
	int rc = pthread_create(&m->thread, NULL, midi_thread, m);
	if (rc != 0) {
		/* the network thread holds the watch until net_stop: m must outlive it, without a thread */
		log_error("MIDI is off: cannot start its thread: %s", strerror(rc));
		atomic_store(&m->running, 0);
	}
	m->thread_started = rc == 0;
	log_info("MIDI on %s: inputs matching %d name(s) are connected as they appear", m->backend->name, c->n_inputs);
	*out = m;
	return 0;
}

/* An input whose JACK server went away: libjack's threads may still run
 * its process callback, which reaches the inbox, so it is kept (reachable,
 * not a leak) until the process ends or re-executes itself. */
static midi_in *kept_for_a_dead_server;

void midi_in_stop(midi_in *m)
{
	if (!m)
		return;
	atomic_store(&m->running, 0);
	if (m->thread_started)
		pthread_join(m->thread, NULL);
	if (m->backend->failed(m->b)) {
		kept_for_a_dead_server = m;
		return;
	}
	free_midi(m);
}

void midi_in_configure(midi_in *m, const midi_config *c)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->config = *c;
	m->config_pending = 1;
	pthread_mutex_unlock(&m->lock);
}

void midi_in_status(midi_in *m, lo_message reply)
{
	char inputs[INPUTS_TEXT] = "";
	if (m) {
		pthread_mutex_lock(&m->lock);
		for (int s = 0; s < MIDI_SOURCES; s++)
			if (m->slots[s].used)
				snprintf(inputs + strlen(inputs), sizeof inputs - strlen(inputs), "%s%s",
				         inputs[0] ? ", " : "", m->slots[s].name);
		pthread_mutex_unlock(&m->lock);
	}
	osc_status_add_string(reply, "midi", m ? m->backend->name : "off");
	osc_status_add_string(reply, "midi_inputs", inputs);
	osc_status_add_int(reply, "midi_messages", m ? (int64_t)atomic_load(&m->messages) : 0);
	osc_status_add_int(reply, "midi_dropped", m ? (int64_t)atomic_load(&m->dropped) : 0);
	osc_status_add_int(reply, "midi_unmapped", m ? (int64_t)atomic_load(&m->unmapped) : 0);
	osc_status_add_float(reply, "midi_delay_ms", m ? (double)atomic_load(&m->delay_ns) / 1e6 : 0.0);
}
