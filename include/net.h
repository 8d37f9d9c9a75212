/*
 * net — the sockets in front of osc.c: one thread that receives OSC over
 * UDP (and over TCP, OSC 1.0 stream framing with a 32-bit length prefix,
 * when a TCP port is configured) and sends replies from the same socket, so
 * clients get answers from the port they wrote to. TUIO, when a TUIO port
 * is configured, arrives on a second UDP socket read the same way (its
 * senders expect no replies; a /fail leaves from the OSC port).
 *
 * Threads: net_start/net_stop on the main thread; the network thread is the
 * only caller of osc_handle_packet. net_send may be called from any non-RT
 * thread (the worker replies to loads).
 */
#ifndef TERRAIND_NET_H
#define TERRAIND_NET_H

#include <stddef.h>

#include "osc.h"

typedef struct net_server net_server;

/* Binds the sockets (so that a busy port is an error at start-up),
 * installs net_send as the OSC context's sender, then starts the network
 * thread. tcp_port and tuio_port are 0 for none; the TUIO port is a second
 * UDP socket (TUIO senders send to 3333 by convention) whose datagrams go
 * through the same dispatcher. */
int net_start(const char *bind_address, int udp_port, int tcp_port, int tuio_port, osc_context *o, net_server **out,
              char *err, size_t errlen);
void net_stop(net_server *s);

/* An osc_callbacks.send implementation; ctx is the net_server. Replies
 * to an OSC_CONNECTION_INTERNAL peer go to the watch's `reply` (below). */
void net_send(void *ctx, const osc_peer *peer, const void *data, size_t size);

/* One more descriptor for the network thread to wait on, for a source of
 * OSC inside the daemon (the MIDI input, midi_in.h): when `fd` is
 * readable, the network thread calls ready(ctx), from which it may hand
 * packets to osc_handle_packet, as the engine's one control producer.
 * Replies to OSC_CONNECTION_INTERNAL peers go to reply(ctx, ...), from
 * whichever thread answers. One watch; set while the network thread runs
 * (any non-RT thread), kept until net_stop: stop the watch's owner after
 * net_stop. */
void net_watch(net_server *s, int fd, void (*ready)(void *ctx), void (*reply)(void *ctx, const void *data, size_t size),
               void *ctx);

#endif
