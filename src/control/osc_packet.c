/*
 * osc_packet.c — OSC packets taken apart: messages deserialised (liblo),
 * bundles walked recursively to a bounded depth, a future timetag turned
 * into a time to apply the bundle's controls at; then osc_dispatch.
 */
#include "osc_internal.h"

#include <string.h>

#include "clock.h"

enum { BUNDLE_MAX_DEPTH = 8, MAX_SCHEDULE_AHEAD_S = 60 };

/* The address of a raw message, printable, for /fail replies. */
void osc_packet_address(const char *data, size_t size, char *out, size_t len)
{
	size_t n = strnlen(data, size < len - 1 ? size : len - 1);
	size_t j = 0;
	for (size_t i = 0; i < n && j + 1 < len; i++)
		out[j++] = (data[i] >= 32 && data[i] < 127) ? data[i] : '?';
	out[j] = '\0';
}

static void handle_message(osc_context *o, const char *data, size_t size, const osc_peer *peer, int64_t apply_ns)
{
	char address[256];
	osc_packet_address(data, size, address, sizeof address);
	int result = 0;
	lo_message msg = lo_message_deserialise((void *)data, size, &result);
	if (!msg) {
		atomic_fetch_add(&o->malformed, 1);
		osc_reply_fail(o, peer, address[0] ? address : "?", "malformed OSC message (liblo error %d)", result);
		return;
	}
	osc_call c = {.o = o,
	              .peer = peer,
	              .address = address,
	              .types = lo_message_get_types(msg),
	              .argv = lo_message_get_argv(msg),
	              .argc = lo_message_get_argc(msg),
	              .received_ns = clock_now_ns(),
	              .apply_ns = apply_ns,
	              .msg = msg};
	atomic_fetch_add(&o->messages, 1);
	osc_dispatch(&c);
	lo_message_free(msg);
}

static uint32_t read_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A bundle timetag as a monotonic deadline (0 = immediately). */
static int64_t timetag_deadline(const unsigned char *p, int64_t now)
{
	lo_timetag tt = {read_be32(p), read_be32(p + 4)};
	if (tt.sec == 0 && tt.frac == 1)
		return 0;
	lo_timetag wall;
	lo_timetag_now(&wall);
	double ahead = lo_timetag_diff(tt, wall);
	if (!(ahead > 0))
		return 0;
	if (ahead > MAX_SCHEDULE_AHEAD_S)
		ahead = MAX_SCHEDULE_AHEAD_S;
	return now + (int64_t)(ahead * 1e9);
}

static void handle_element(osc_context *o, const unsigned char *data, size_t size, const osc_peer *peer,
                           int64_t apply_ns, int depth);

static void handle_bundle(osc_context *o, const unsigned char *data, size_t size, const osc_peer *peer, int depth)
{
	if (size < 16 || depth >= BUNDLE_MAX_DEPTH) {
		atomic_fetch_add(&o->malformed, 1);
		osc_reply_fail(o, peer, "#bundle", size < 16 ? "truncated bundle" : "bundles nested too deeply");
		return;
	}
	int64_t apply_ns = timetag_deadline(data + 8, clock_now_ns());
	for (size_t pos = 16; pos < size;) {
		uint32_t n = pos + 4 <= size ? read_be32(data + pos) : 0;
		if (pos + 4 > size || n == 0 || n % 4 != 0 || n > size - pos - 4) {
			atomic_fetch_add(&o->malformed, 1);
			osc_reply_fail(o, peer, "#bundle", "bundle element at byte %zu has a bad size", pos);
			return;
		}
		handle_element(o, data + pos + 4, n, peer, apply_ns, depth + 1);
		pos += 4 + n;
	}
}

static void handle_element(osc_context *o, const unsigned char *data, size_t size, const osc_peer *peer,
                           int64_t apply_ns, int depth)
{
	if (size >= 8 && memcmp(data, "#bundle", 8) == 0)
		handle_bundle(o, data, size, peer, depth);
	else if (size >= 4 && size % 4 == 0 && data[0] == '/')
		handle_message(o, (const char *)data, size, peer, apply_ns);
	else {
		atomic_fetch_add(&o->malformed, 1);
		osc_reply_fail(o, peer, "?", "not an OSC packet (%zu bytes)", size);
	}
}

void osc_handle_packet(osc_context *o, const void *data, size_t size, const osc_peer *peer)
{
	handle_element(o, data, size, peer, 0, 0);
}
