/*
 * osc_stream — OSC 1.0 stream framing for TCP: each packet is preceded by
 * its size as a 32-bit big-endian integer.
 *
 * A receiving stream collects bytes as they come (in any pieces) and hands
 * over each complete packet; a size of 0 or beyond OSC_STREAM_MAX_PACKET
 * means the stream is out of step for good, and the connection must end.
 * osc_stream_frame writes one whole frame for sending.
 *
 * Threads: a stream belongs to one thread (the network thread). No locks,
 * no allocation after osc_stream_init.
 */
#ifndef TERRAIND_OSC_STREAM_H
#define TERRAIND_OSC_STREAM_H

#include <stddef.h>
#include <stdint.h>

enum { OSC_STREAM_MAX_PACKET = 65536, OSC_STREAM_PREFIX = 4 };

typedef struct osc_stream {
	unsigned char *buf; /* OSC_STREAM_PREFIX + OSC_STREAM_MAX_PACKET bytes */
	size_t used;
} osc_stream;

typedef void (*osc_stream_packet_fn)(void *ctx, const unsigned char *packet, size_t size);

/* Returns 0, or -1 when out of memory. */
int osc_stream_init(osc_stream *s);
void osc_stream_destroy(osc_stream *s);
void osc_stream_reset(osc_stream *s);

/* Where the next received bytes go, and how many fit (never 0). */
unsigned char *osc_stream_space(osc_stream *s, size_t *room);
/* Takes `n` bytes written at osc_stream_space() and calls `packet` for
 * each frame now complete, in order. Returns 0, or -1 (with the reason in
 * `why`) when the stream announced an impossible size. */
int osc_stream_commit(osc_stream *s, size_t n, osc_stream_packet_fn packet, void *ctx, char *why, size_t whylen);

/* Writes the size prefix and the packet to `out`, which must hold
 * OSC_STREAM_PREFIX + size bytes. Returns the bytes written. */
size_t osc_stream_frame(unsigned char *out, const void *packet, size_t size);

#endif
