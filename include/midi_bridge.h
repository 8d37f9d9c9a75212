/*
 * midi_bridge — MIDI into the OSC dispatcher: what midi_play makes of the
 * inputs' bytes goes to osc_handle_packet as the packets of an internal
 * peer (OSC_CONNECTION_INTERNAL: loopback, so that a mapping may load a
 * terrain as a local controller may; no /done; a /fail goes to the
 * network layer's watch), and the world midi_play needs (the terrain's
 * bounds, the voices' targets, the stored points) is read from the OSC
 * context. The daemon's MIDI input (midi_in.c) and the MIDI fuzzer drive
 * it the same way.
 *
 * Threads: the network thread (the dispatcher's, the engine's control
 * producer), or one thread with no network thread (fuzzers, tests).
 */
#ifndef TERRAIND_MIDI_BRIDGE_H
#define TERRAIND_MIDI_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

#include "midi_play.h"
#include "osc.h"

typedef struct midi_bridge {
	osc_context *osc;
	osc_peer peer;
	midi_world world; /* as of midi_bridge_begin */
	midi_play play;
} midi_bridge;

/* `voices` is engine.voices. */
void midi_bridge_init(midi_bridge *b, osc_context *o, const midi_config *c, int voices);
/* A batch: begin (the world as it is now), the inputs' bytes and resets,
 * end (the notes' expression, once). */
void midi_bridge_begin(midi_bridge *b);
void midi_bridge_bytes(midi_bridge *b, int source, const uint8_t *bytes, size_t n, int event_end);
void midi_bridge_reset(midi_bridge *b, int source);
void midi_bridge_end(midi_bridge *b);

#endif
