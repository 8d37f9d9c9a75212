/*
 * midi_bridge.c — MIDI into the OSC dispatcher (midi_bridge.h).
 *
 * Packets are written by midi_action_osc into a buffer on the stack: a
 * MIDI message costs no allocation on its way to the dispatcher.
 */
#include "midi_bridge.h"

#include <netinet/in.h>
#include <string.h>

#include "clock.h"
#include "engine.h"

static void emit(void *ctx, const midi_action *a)
{
	midi_bridge *b = ctx;
	uint8_t packet[512];
	size_t size = midi_action_osc(a, packet, sizeof packet);
	if (size)
		osc_handle_packet(b->osc, packet, size, &b->peer);
}

static osc_peer internal_peer(void)
{
	osc_peer p = {.len = sizeof(struct sockaddr_in), .connection = OSC_CONNECTION_INTERNAL};
	struct sockaddr_in *a = (struct sockaddr_in *)&p.addr;
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return p;
}

void midi_bridge_init(midi_bridge *b, osc_context *o, const midi_config *c, int voices)
{
	memset(b, 0, sizeof *b);
	b->osc = o;
	b->peer = internal_peer();
	midi_play_init(&b->play, c, voices, emit, b);
}

void midi_bridge_begin(midi_bridge *b)
{
	osc_context *o = b->osc;
	midi_world *w = &b->world;
	memset(w, 0, sizeof *w);
	pthread_mutex_lock(&o->lock);
	w->control_dim = o->control_dim;
	memcpy(w->min, o->bounds_min, sizeof w->min);
	memcpy(w->max, o->bounds_max, sizeof w->max);
	pthread_mutex_unlock(&o->lock);
	int voices = engine_max_voices(o->engine);
	for (int v = 0; v < voices && v < MIDI_VOICES_MAX; v++)
		if (engine_voice_target(o->engine, v, w->target[v]))
			w->sounding |= 1u << v;
	w->points = o->looper.points; /* the dispatcher's thread's, as this is */
	w->now_ns = clock_now_ns();
}

void midi_bridge_bytes(midi_bridge *b, int source, const uint8_t *bytes, size_t n, int event_end)
{
	midi_play_bytes(&b->play, &b->world, source, bytes, n);
	if (event_end)
		midi_play_event_end(&b->play, source);
}

void midi_bridge_reset(midi_bridge *b, int source)
{
	midi_play_source_reset(&b->play, source);
}

void midi_bridge_end(midi_bridge *b)
{
	midi_play_flush(&b->play, &b->world);
}
