/*
 * jack_ports — where terraind's JACK outputs go (audio.jack_ports).
 *
 * PortAudio's JACK back end opens its own client and connects it to the
 * physical outputs; nothing in its API says where else to go. This module
 * opens a second, port-less JACK client (libjack) that routes the outputs
 * of PortAudio's client: at start it takes them off everything that is not
 * a destination (PortAudio's automatic connection to system:playback),
 * then connects each destination as it appears: JackTrip registers its
 * send_N ports only once its peer connects, and again after it reconnects.
 * A destination is connected once each time it appears, so a connection
 * undone by hand (qjackctl) stays undone. After a JACK restart the daemon
 * starts afresh (daemon.c) and so connects again.
 *
 * Destinations: each entry of audio.jack_ports is a port name
 * ("jt_rack:send_1"), or else a POSIX extended regular expression matched
 * against whole names ("jt_rack:send_.*"); entries expand in order, and the
 * k-th destination is fed by output k modulo the number of outputs (two
 * outputs and four destinations: out_0 -> 1st and 3rd, out_1 -> 2nd and 4th).
 *
 * Threads: every function on one non-RT thread (the daemon's main thread),
 * except jack_ports_connected and jack_ports_waiting (any thread). No JACK
 * callback is registered: the client is never activated and adds nothing
 * to JACK's real-time graph; jack_ports_poll is called about once a second.
 */
#ifndef TERRAIND_JACK_PORTS_H
#define TERRAIND_JACK_PORTS_H

#include <stddef.h>

enum {
	JACK_PORTS_NAME_MAX = 320, /* jack_port_name_size() of JACK 1 and 2 */
	JACK_PORTS_MAX_TARGETS = 16,
	JACK_PORTS_MAX_DESTINATIONS = 64,
};

typedef struct jack_ports jack_ports;

/* Checks that each entry is a port name or a valid pattern (before
 * anything starts): -1 with a sentence naming the entry. */
int jack_ports_check(const char *const *targets, int n, char *err, size_t errlen);

/* Connects to the JACK server `server` ("" = $JACK_DEFAULT_SERVER, else
 * "default") without starting one, to route the outputs of the client
 * `own` (PortAudio's) to `targets`; makes the first connections. */
int jack_ports_start(const char *server, const char *own, const char *const *targets, int n, jack_ports **out,
                     char *err, size_t errlen);

/* Connects the destinations that appeared since the last call, and logs
 * what it connected and which entries match no port yet (once each time
 * that changes). Never blocks beyond the JACK server's answers. */
void jack_ports_poll(jack_ports *j);

/* Destinations connected by the last poll, and entries that matched no
 * port (for /status). */
int jack_ports_connected(const jack_ports *j);
int jack_ports_waiting(const jack_ports *j);

void jack_ports_stop(jack_ports *j);

#endif
