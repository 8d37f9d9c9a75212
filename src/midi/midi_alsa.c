/*
 * midi_alsa.c — ALSA sequencer input (midi_in.h's backend "alsa"), where
 * no JACK server runs.
 *
 * One sequencer client, "terraind", with one writable port that every
 * source is subscribed to; an event's sender tells the inputs apart. The
 * MIDI thread reads the sequencer here (midi_backend.wait): MIDI events
 * are turned back into bytes (snd_midi_event, running status off) and go
 * to the inbox like JACK's, and the system announce port's events (a
 * client or port that starts or exits) say when to scan again.
 */
#include "midi_in.h"

#include "error.h"

#include <alsa/asoundlib.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "midi_voices.h"

typedef struct midi_alsa {
	snd_seq_t *seq;
	int port;
	snd_midi_event_t *decoder;
	midi_inbox *inbox;
	snd_seq_addr_t slots[MIDI_SOURCES]; /* the sender each input slot hears (client 0: none) */
	midi_port found[64];                /* address_of's scan */
} midi_alsa;

static void alsa_close(void *b)
{
	midi_alsa *a = b;
	if (!a)
		return;
	if (a->decoder)
		snd_midi_event_free(a->decoder);
	if (a->seq)
		snd_seq_close(a->seq);
	free(a);
}

static void *alsa_open(midi_inbox *inbox, char *err, size_t errlen)
{
	if (access("/dev/snd/seq", R_OK | W_OK) != 0) {
		error_set(err, errlen, "there is no ALSA sequencer (/dev/snd/seq: %s)", strerror(errno));
		return NULL;
	}
	midi_alsa *a = calloc(1, sizeof *a);
	if (!a) {
		error_set(err, errlen, "out of memory");
		return NULL;
	}
	a->inbox = inbox;
	int rc = snd_seq_open(&a->seq, "default", SND_SEQ_OPEN_DUPLEX, SND_SEQ_NONBLOCK);
	if (rc >= 0) {
		snd_seq_set_client_name(a->seq, "terraind");
		rc = a->port =
		    snd_seq_create_simple_port(a->seq, "midi in", SND_SEQ_PORT_CAP_WRITE | SND_SEQ_PORT_CAP_SUBS_WRITE,
		                               SND_SEQ_PORT_TYPE_MIDI_GENERIC | SND_SEQ_PORT_TYPE_APPLICATION);
	}
	if (rc >= 0) /* hot-plug: clients and ports that start and exit */
		rc = snd_seq_connect_from(a->seq, a->port, SND_SEQ_CLIENT_SYSTEM, SND_SEQ_PORT_SYSTEM_ANNOUNCE);
	if (rc >= 0 && (rc = snd_midi_event_new(256, &a->decoder)) >= 0)
		snd_midi_event_no_status(a->decoder, 1);
	if (rc < 0) {
		error_set(err, errlen, "the ALSA sequencer cannot be opened: %s", snd_strerror(rc));
		alsa_close(a);
		return NULL;
	}
	return a;
}

/* The input slot of a sender: its own when midi_in connected it, else the
 * slot kept for senders that write to terraind's port themselves
 * (aplaymidi -p terraind:0, a port subscribed by hand). */
static int slot_of(const midi_alsa *a, snd_seq_addr_t from)
{
	for (int s = 0; s < MIDI_SOURCES; s++)
		if (a->slots[s].client == from.client && a->slots[s].port == from.port && from.client != 0)
			return s;
	return MIDI_DIRECT_SLOT;
}

/* One event: 1 when ports came or went. */
static int take_event(midi_alsa *a, snd_seq_event_t *ev)
{
	switch (ev->type) {
	case SND_SEQ_EVENT_CLIENT_START:
	case SND_SEQ_EVENT_CLIENT_EXIT:
	case SND_SEQ_EVENT_PORT_START:
	case SND_SEQ_EVENT_PORT_EXIT:
	case SND_SEQ_EVENT_PORT_UNSUBSCRIBED: return 1;
	default: break;
	}
	unsigned char bytes[256];
	snd_midi_event_reset_decode(a->decoder);
	long n = snd_midi_event_decode(a->decoder, bytes, sizeof bytes, ev);
	int slot = n > 0 ? slot_of(a, ev->source) : -1;
	if (slot >= 0)
		midi_inbox_push(a->inbox, slot, bytes, (size_t)n, clock_now_ns());
	return 0;
}

static int alsa_wait(void *b, int timeout_ms)
{
	midi_alsa *a = b;
	if (midi_inbox_take_resets(a->inbox)) /* this thread asked for them: in order before what it reads */
		midi_inbox_wake(a->inbox);
	struct pollfd fds[4];
	int n = snd_seq_poll_descriptors(a->seq, fds, 4, POLLIN);
	if (poll(fds, (nfds_t)n, timeout_ms) <= 0)
		return 0;
	int changed = 0, pushed = 0;
	snd_seq_event_t *ev;
	while (snd_seq_event_input(a->seq, &ev) >= 0 && ev) {
		int c = take_event(a, ev);
		changed |= c;
		pushed |= !c;
	}
	if (pushed)
		midi_inbox_wake(a->inbox);
	return changed;
}

static int alsa_sources(void *b, midi_port *ports, int max)
{
	midi_alsa *a = b;
	snd_seq_client_info_t *client;
	snd_seq_port_info_t *port;
	snd_seq_client_info_alloca(&client);
	snd_seq_port_info_alloca(&port);
	snd_seq_client_info_set_client(client, -1);
	int n = 0, own = snd_seq_client_id(a->seq);
	const unsigned wanted = SND_SEQ_PORT_CAP_READ | SND_SEQ_PORT_CAP_SUBS_READ;
	while (n < max && snd_seq_query_next_client(a->seq, client) >= 0) {
		int c = snd_seq_client_info_get_client(client);
		if (c == own || c == SND_SEQ_CLIENT_SYSTEM)
			continue;
		snd_seq_port_info_set_client(port, c);
		snd_seq_port_info_set_port(port, -1);
		while (n < max && snd_seq_query_next_port(a->seq, port) >= 0) {
			unsigned caps = snd_seq_port_info_get_capability(port);
			if ((caps & wanted) != wanted || (caps & SND_SEQ_PORT_CAP_NO_EXPORT))
				continue;
			midi_port *p = &ports[n++];
			snprintf(p->name, sizeof p->name, "%s:%s", snd_seq_client_info_get_name(client),
			         snd_seq_port_info_get_name(port));
			snprintf(p->match, sizeof p->match, "%s\n%d:%d", p->name, c, snd_seq_port_info_get_port(port));
		}
	}
	return n;
}

/* The sender a source's name stands for ("client:port" as alsa_sources
 * wrote it): found again by scanning. */
static int address_of(midi_alsa *a, const char *name, snd_seq_addr_t *addr)
{
	int n = alsa_sources(a, a->found, 64);
	for (int i = 0; i < n; i++)
		if (strcmp(a->found[i].name, name) == 0) {
			const char *numbers = strchr(a->found[i].match, '\n') + 1;
			int c, p;
			if (sscanf(numbers, "%d:%d", &c, &p) != 2)
				return -1;
			addr->client = (unsigned char)c;
			addr->port = (unsigned char)p;
			return 0;
		}
	return -1;
}

static int alsa_connect(void *b, int slot, const char *name, char *err, size_t errlen)
{
	midi_alsa *a = b;
	snd_seq_addr_t addr;
	if (address_of(a, name, &addr) < 0)
		return MIDI_PORT_GONE;
	int rc = snd_seq_connect_from(a->seq, a->port, addr.client, addr.port);
	if (rc < 0 && rc != -EBUSY) /* EBUSY: already subscribed */
		return error_set(err, errlen, "the ALSA sequencer refused %s: %s", name, snd_strerror(rc));
	a->slots[slot] = addr;
	return 0;
}

static int alsa_connected(void *b, int slot, const char *name)
{
	midi_alsa *a = b;
	snd_seq_addr_t addr;
	int there =
	    address_of(a, name, &addr) == 0 && addr.client == a->slots[slot].client && addr.port == a->slots[slot].port;
	if (!there)
		a->slots[slot].client = 0;
	return there;
}

static const char *alsa_failed(void *b)
{
	(void)b;
	return NULL;
}

const midi_backend midi_backend_alsa = {
    .name = "alsa",
    .open = alsa_open,
    .wait = alsa_wait,
    .sources = alsa_sources,
    .connect = alsa_connect,
    .connected = alsa_connected,
    .failed = alsa_failed,
    .close = alsa_close,
};
