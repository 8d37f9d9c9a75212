/* libFuzzer target: TCP framing (osc_stream), fed the input in pieces of
 * fuzzer-chosen sizes as recv() would, checked against a plain reference
 * parse of the whole input: the same packets, in order, byte for byte, and
 * the same verdict on an impossible size. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "osc_stream.h"

typedef struct delivered {
	const uint8_t *expected; /* the reference's packets, framed, in order */
	size_t expected_size, pos;
} delivered;

static void check_packet(void *ctx, const unsigned char *packet, size_t size)
{
	delivered *d = ctx;
	const uint8_t *p = d->expected + d->pos;
	if (d->pos + OSC_STREAM_PREFIX + size > d->expected_size)
		abort(); /* more packets than the reference */
	uint32_t want = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	if (want != size || memcmp(p + OSC_STREAM_PREFIX, packet, size) != 0)
		abort(); /* another packet than the reference's */
	d->pos += OSC_STREAM_PREFIX + size;
}

/* The reference: how many bytes of `data` are whole frames, and whether a
 * bad size stops the stream before the rest. */
static size_t reference_frames(const uint8_t *data, size_t size, int *bad)
{
	size_t pos = 0;
	*bad = 0;
	while (size - pos >= OSC_STREAM_PREFIX) {
		const uint8_t *p = data + pos;
		uint32_t n = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
		if (n == 0 || n > OSC_STREAM_MAX_PACKET) {
			*bad = 1;
			break;
		}
		if (size - pos < OSC_STREAM_PREFIX + (size_t)n)
			break;
		pos += OSC_STREAM_PREFIX + n;
	}
	return pos;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint32_t seed = data[0] * 2654435761u + 1; /* the first byte picks the piece sizes */
	data++, size--;
	int bad;
	size_t whole = reference_frames(data, size, &bad);
	osc_stream s;
	if (osc_stream_init(&s) < 0)
		abort();
	delivered d = {data, whole, 0};
	int failed = 0;
	char why[128];
	for (size_t pos = 0; pos < size && !failed;) {
		seed = seed * 1103515245u + 12345u;
		size_t room, piece = 1 + (seed >> 16) % 9000;
		unsigned char *space = osc_stream_space(&s, &room);
		if (room == 0)
			abort(); /* the stream must always take more bytes */
		if (piece > room)
			piece = room;
		if (piece > size - pos)
			piece = size - pos;
		memcpy(space, data + pos, piece);
		pos += piece;
		failed = osc_stream_commit(&s, piece, check_packet, &d, why, sizeof why) < 0;
	}
	if (d.pos != whole || failed != bad)
		abort(); /* a packet missed, or a verdict that differs */
	osc_stream_destroy(&s);
	return 0;
}
