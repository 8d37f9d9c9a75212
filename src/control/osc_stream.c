/*
 * osc_stream.c — TCP framing (include/osc_stream.h).
 *
 * The buffer holds one prefix and one largest packet: frames complete in
 * it are handled before more bytes are read into it, so whatever a client
 * sends, its connection costs that much memory and no more.
 */
#include "osc_stream.h"

#include "error.h"

#include <stdlib.h>
#include <string.h>

int osc_stream_init(osc_stream *s)
{
	s->used = 0;
	s->buf = malloc(OSC_STREAM_PREFIX + OSC_STREAM_MAX_PACKET);
	return s->buf ? 0 : -1;
}

void osc_stream_destroy(osc_stream *s)
{
	free(s->buf);
	s->buf = NULL;
	s->used = 0;
}

void osc_stream_reset(osc_stream *s)
{
	s->used = 0;
}

unsigned char *osc_stream_space(osc_stream *s, size_t *room)
{
	*room = OSC_STREAM_PREFIX + OSC_STREAM_MAX_PACKET - s->used;
	return s->buf + s->used;
}

static uint32_t read_size(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int osc_stream_commit(osc_stream *s, size_t n, osc_stream_packet_fn packet, void *ctx, char *why, size_t whylen)
{
	s->used += n;
	size_t pos = 0;
	while (s->used - pos >= OSC_STREAM_PREFIX) {
		uint32_t size = read_size(s->buf + pos);
		if (size == 0 || size > OSC_STREAM_MAX_PACKET) {
			s->used = 0;
			return error_set(why, whylen, "packet size %u is out of range (1 to %d bytes)", size,
			                 OSC_STREAM_MAX_PACKET);
		}
		if (s->used - pos < OSC_STREAM_PREFIX + (size_t)size)
			break;
		packet(ctx, s->buf + pos + OSC_STREAM_PREFIX, size);
		pos += OSC_STREAM_PREFIX + size;
	}
	memmove(s->buf, s->buf + pos, s->used - pos);
	s->used -= pos;
	return 0;
}

size_t osc_stream_frame(unsigned char *out, const void *packet, size_t size)
{
	out[0] = (unsigned char)(size >> 24);
	out[1] = (unsigned char)(size >> 16);
	out[2] = (unsigned char)(size >> 8);
	out[3] = (unsigned char)size;
	memcpy(out + OSC_STREAM_PREFIX, packet, size);
	return OSC_STREAM_PREFIX + size;
}
