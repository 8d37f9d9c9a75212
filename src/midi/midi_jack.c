/*
 * midi_jack.c — JACK MIDI input (midi_in.h's backend "jack").
 *
 * One client, "terraind-midi", with an input port per connected source
 * ("in_1", "in_2", ...), so that each controller keeps its own running
 * status and MPE zones. The process callback (JACK's real-time thread)
 * only copies events into the inbox and wakes the network thread; ports
 * are registered and connected on the MIDI thread, which JACK wakes
 * through the port registration callback (a controller plugged in, or a
 * client started, registers ports). Chosen over RtMidi 5.0, which opens
 * one JACK client (two threads) per input, has no hot-plug notice and
 * connects by index (docs/midi.md, "Why not RtMidi").
 */
#include "midi_in.h"

#include "error.h"

#include <jack/jack.h>
#include <jack/midiport.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "midi_voices.h"

typedef struct midi_jack {
	jack_client_t *client;
	midi_inbox *inbox;
	_Atomic(jack_port_t *) ports[MIDI_SOURCES]; /* registered on the MIDI thread, read by process */
	sem_t changed;                              /* ports came or went */
	atomic_int dead;                            /* the server shut us down */
} midi_jack;

static int process(jack_nframes_t frames, void *arg)
{
	midi_jack *j = arg;
	int64_t now = clock_now_ns();
	size_t pushed = midi_inbox_take_resets(j->inbox); /* before this cycle's events */
	for (int slot = 0; slot < MIDI_SOURCES; slot++) {
		jack_port_t *port = atomic_load_explicit(&j->ports[slot], memory_order_acquire);
		if (!port)
			continue;
		void *buffer = jack_port_get_buffer(port, frames);
		uint32_t n = jack_midi_get_event_count(buffer);
		for (uint32_t i = 0; i < n; i++) {
			jack_midi_event_t ev;
			if (jack_midi_event_get(&ev, buffer, i) == 0)
				pushed += midi_inbox_push(j->inbox, slot, ev.buffer, ev.size, now);
		}
	}
	if (pushed)
		midi_inbox_wake(j->inbox);
	return 0;
}

/* JACK's notification thread: no server calls here, only a wake-up. */
static void port_registered(jack_port_id_t port, int registered, void *arg)
{
	(void)port, (void)registered;
	sem_post(&((midi_jack *)arg)->changed);
}

static void port_connected(jack_port_id_t a, jack_port_id_t b, int connect, void *arg)
{
	(void)a, (void)b, (void)connect;
	sem_post(&((midi_jack *)arg)->changed);
}

static void shut_down(void *arg)
{
	midi_jack *j = arg;
	atomic_store(&j->dead, 1);
	sem_post(&j->changed);
}

static void jack_close(void *b)
{
	midi_jack *j = b;
	if (!j)
		return;
	/* midi_in_stop keeps a client whose server died (closing it can wait
	 * on a server that is no longer there, and libjack's thread may still
	 * call process); this closes one that works, or never opened. */
	if (j->client && !atomic_load(&j->dead))
		jack_client_close(j->client);
	sem_destroy(&j->changed);
	free(j);
}

static void *jack_open(midi_inbox *inbox, char *err, size_t errlen)
{
	midi_jack *j = calloc(1, sizeof *j);
	if (!j) {
		error_set(err, errlen, "out of memory");
		return NULL;
	}
	j->inbox = inbox;
	sem_init(&j->changed, 0, 0);
	jack_status_t status;
	j->client = jack_client_open("terraind-midi", JackNoStartServer, &status);
	if (!j->client) {
		error_set(err, errlen, "no JACK server answers (status 0x%x)", (unsigned)status);
		jack_close(j);
		return NULL;
	}
	jack_set_process_callback(j->client, process, j);
	jack_set_port_registration_callback(j->client, port_registered, j);
	jack_set_port_connect_callback(j->client, port_connected, j);
	jack_on_shutdown(j->client, shut_down, j);
	if (jack_activate(j->client) != 0) {
		error_set(err, errlen, "the JACK client cannot be activated");
		jack_close(j);
		return NULL;
	}
	return j;
}

static int jack_wait(void *b, int timeout_ms)
{
	midi_jack *j = b;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L)
		until.tv_sec++, until.tv_nsec -= 1000000000L;
	if (sem_timedwait(&j->changed, &until) != 0)
		return 0;
	while (sem_trywait(&j->changed) == 0) /* a burst of registrations: one scan */
		;
	return 1;
}

/* "name" and its aliases, one a line, for matching. */
static void port_text(jack_client_t *c, const char *name, midi_port *p)
{
	snprintf(p->name, sizeof p->name, "%s", name);
	snprintf(p->match, sizeof p->match, "%s", name);
	jack_port_t *port = jack_port_by_name(c, name);
	int size = jack_port_name_size();
	char *aliases[2] = {malloc((size_t)size), malloc((size_t)size)};
	int n = port && aliases[0] && aliases[1] ? jack_port_get_aliases(port, aliases) : 0;
	for (int i = 0; i < n; i++)
		snprintf(p->match + strlen(p->match), sizeof p->match - strlen(p->match), "\n%s", aliases[i]);
	free(aliases[0]);
	free(aliases[1]);
}

static int jack_sources(void *b, midi_port *ports, int max)
{
	midi_jack *j = b;
	if (atomic_load(&j->dead))
		return 0;
	const char **names = jack_get_ports(j->client, NULL, JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput);
	const char *own = jack_get_client_name(j->client);
	size_t own_len = strlen(own);
	int n = 0;
	for (int i = 0; names && names[i] && n < max; i++)
		if (!(strncmp(names[i], own, own_len) == 0 && names[i][own_len] == ':'))
			port_text(j->client, names[i], &ports[n++]);
	jack_free(names);
	return n;
}

static int jack_connect_port(void *b, int slot, const char *name, char *err, size_t errlen)
{
	midi_jack *j = b;
	jack_port_t *port = atomic_load(&j->ports[slot]);
	if (!port) {
		char short_name[16];
		snprintf(short_name, sizeof short_name, "in_%d", slot + 1);
		port = jack_port_register(j->client, short_name, JACK_DEFAULT_MIDI_TYPE, JackPortIsInput, 0);
		if (!port)
			return error_set(err, errlen, "cannot register the JACK port %s", short_name);
		atomic_store_explicit(&j->ports[slot], port, memory_order_release);
	}
	int rc = jack_connect(j->client, name, jack_port_name(port));
	if (rc != 0 && !jack_port_by_name(j->client, name))
		return MIDI_PORT_GONE;
	if (rc != 0 && !jack_port_connected_to(port, name))
		return error_set(err, errlen, "JACK refused to connect %s (error %d)", name, rc);
	return 0;
}

static int jack_connected(void *b, int slot, const char *name)
{
	midi_jack *j = b;
	jack_port_t *port = atomic_load(&j->ports[slot]);
	return port && !atomic_load(&j->dead) && jack_port_connected_to(port, name);
}

static const char *jack_failed(void *b)
{
	return atomic_load(&((midi_jack *)b)->dead) ? "the JACK server went away" : NULL;
}

const midi_backend midi_backend_jack = {
    .name = "jack",
    .open = jack_open,
    .wait = jack_wait,
    .sources = jack_sources,
    .connect = jack_connect_port,
    .connected = jack_connected,
    .failed = jack_failed,
    .close = jack_close,
};
