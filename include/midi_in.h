/*
 * midi_in — the daemon's MIDI input (docs/midi.md): the ports named by
 * midi.inputs (--midi NAME) are found and connected, on JACK MIDI when a
 * JACK server runs (the tests' path, and what PipeWire and a2jmidid offer)
 * or else on the ALSA sequencer; a controller plugged in later is
 * connected when it appears, one unplugged ends its notes and nothing
 * else. What the inputs send is played (midi_play.h) as the daemon's own
 * OSC, on the network thread, which stays the engine's one control
 * producer:
 *
 *   JACK's process thread (RT) or the ALSA reader --inbox ring + eventfd-->
 *   network thread: midi_play --> osc_handle_packet (an internal peer:
 *   no /done; a /fail is logged) --> engine_send
 *
 *   MIDI thread: lists the ports, connects those that match, notices
 *   those that went (JACK: woken by port registrations; ALSA: it also
 *   reads the sequencer's events, and the announce port's)
 *
 * Threads: midi_in_start/midi_in_stop on the main thread (stop after
 * net_stop); midi_in_configure and midi_in_status on any non-RT thread.
 * midi_inbox_push and midi_inbox_wake are the backends' and RT-safe (the
 * wake is one non-blocking eventfd write, as engine_pull posts a
 * semaphore).
 */
#ifndef TERRAIND_MIDI_IN_H
#define TERRAIND_MIDI_IN_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <lo/lo.h>

#include "midi_config.h"
#include "ring.h"

struct osc_context;
struct net_server;

enum {
	MIDI_PORT_NAME_MAX = 320, /* JACK's full port name is at most 320 bytes */
	MIDI_CHUNK_BYTES = 12,
	MIDI_INBOX_CHUNKS = 4096, /* 48 KiB of MIDI between two reads of the network thread */
	MIDI_PORT_GONE = -2,
	MIDI_DIRECT_SLOT = 15, /* MIDI_SOURCES - 1: ALSA senders that write to our port themselves */
};

/* Bytes of one input as they came (a JACK event may be cut into several). */
typedef struct midi_chunk {
	int64_t when_ns; /* arrival (clock.h), for the delay figure */
	uint8_t source;  /* the input slot */
	uint8_t size;    /* bytes used */
	uint8_t reset;   /* the input went away or was replaced: its notes end */
	uint8_t last;    /* the event's last chunk (midi_parse_event_end) */
	uint8_t bytes[MIDI_CHUNK_BYTES];
} midi_chunk;

/* The backends' side of the input: a ring to the network thread and the
 * eventfd that wakes it. The ring has one producer, the backend's thread
 * that reads MIDI (JACK's process thread, or the ALSA reader); resets are
 * asked for from the MIDI thread and put in the ring by that producer, in
 * order with the bytes. */
typedef struct midi_inbox {
	ring *ring;
	int wake_fd;
	atomic_uint resets; /* bit s: input s is to be reset (midi_inbox_reset) */
} midi_inbox;

/* The producer, RT-safe: bytes of input `source`, cut into chunks; what
 * does not fit is dropped and counted by the ring. Returns the chunks
 * written. */
size_t midi_inbox_push(midi_inbox *b, int source, const uint8_t *bytes, size_t n, int64_t when_ns);
/* Any thread, RT-safe: input `source` went away or is new: its notes end
 * and its parser and zones start afresh, after the bytes pushed so far. */
void midi_inbox_reset(midi_inbox *b, int source);
/* The producer, RT-safe, before it pushes a batch: puts the resets asked
 * for into the ring; returns how many. */
size_t midi_inbox_take_resets(midi_inbox *b);
/* The producer, RT-safe: wakes the network thread (once after a batch). */
void midi_inbox_wake(midi_inbox *b);

/* A port the backend can see: its name (as /status shows it) and the
 * text midi.inputs are matched against (the name and its aliases). */
typedef struct midi_port {
	char name[MIDI_PORT_NAME_MAX];
	char match[2 * MIDI_PORT_NAME_MAX];
} midi_port;

/* A platform's MIDI input, as the MIDI thread drives it (midi_jack.c,
 * midi_alsa.c). All on the MIDI thread but open (main thread). */
typedef struct midi_backend {
	const char *name; /* "jack", "alsa" */
	/* NULL with a sentence when the platform is not there */
	void *(*open)(midi_inbox *inbox, char *err, size_t errlen);
	/* Waits up to timeout_ms for ports to come or go (the ALSA backend
	 * reads its events meanwhile); 1 when they may have. */
	int (*wait)(void *b, int timeout_ms);
	/* The ports that send MIDI (our own left out); their count. */
	int (*sources)(void *b, midi_port *ports, int max);
	/* Connects port `name` as input `slot` (0 .. MIDI_SOURCES-1): 0, -1
	 * with a sentence, or MIDI_PORT_GONE when it went away meanwhile. */
	int (*connect)(void *b, int slot, const char *name, char *err, size_t errlen);
	/* Whether input `slot` still hears port `name`. */
	int (*connected)(void *b, int slot, const char *name);
	/* Why it stopped (the JACK server went away), or NULL while it works. */
	const char *(*failed)(void *b);
	void (*close)(void *b);
} midi_backend;

extern const midi_backend midi_backend_jack;
extern const midi_backend midi_backend_alsa;

typedef struct midi_in midi_in;

/* Starts MIDI when midi.inputs names any: picks the backend (midi.backend;
 * auto: JACK if a server answers, else the ALSA sequencer if
 * /dev/snd/seq exists), registers with the network thread (net_watch)
 * and starts the MIDI thread. *out is NULL and 0 is returned when MIDI is
 * off or no backend is there (the log says why: a controller is never a
 * reason not to play); -1 only for what is wrong in the daemon (memory,
 * threads). `voices` is engine.voices. */
int midi_in_start(const midi_config *c, struct osc_context *o, struct net_server *net, int voices, midi_in **out,
                  char *err, size_t errlen);
void midi_in_stop(midi_in *m);
/* A reloaded configuration (SIGHUP): mappings at the next batch, inputs at
 * the next scan. */
void midi_in_configure(midi_in *m, const midi_config *c);
/* /status.reply's MIDI keys: midi (the backend, or "off"), midi_inputs (the
 * connected ports, ", " between them), midi_messages, midi_dropped (bytes
 * the parser or the ring dropped), midi_unmapped, midi_delay_ms (arrival
 * to the dispatcher, the last batch's). m may be NULL (MIDI off). */
void midi_in_status(midi_in *m, lo_message reply);

/* Whether a pattern of midi.inputs takes a port: "*" takes every port,
 * anything else is a part of its name or aliases, in any case. */
int midi_in_matches(const char *pattern, const midi_port *port);

#endif
