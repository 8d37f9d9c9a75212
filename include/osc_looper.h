/*
 * osc_looper — the OSC side of the gesture looper, stored points, tempo
 * and session files (docs/osc.md, "Gesture looper", "Stored points",
 * "Sessions"): argument checks, a /fail with the reason for every refusal,
 * and the commands handed to the engine, which plays the loops on the
 * render thread (looper.h) and answers each command once applied.
 *
 * It keeps what the control side must know without asking the render
 * thread: each loop's settings (the last /loop/N/set values), the stored
 * points, the tempo and meter. Loop and session files are read and written
 * here, on the control thread (session.c converts them): they are small (a
 * loop is at most LOOPER_MAX_FRAMES points) and confined like the other
 * file commands.
 *
 * Threads: osc_looper_dispatch on the OSC thread (the engine's control
 * producer); osc_looper_notify and osc_looper_bpm on the OSC or the
 * notifier thread (they read only atomics and the engine's published state).
 */
#ifndef TERRAIND_OSC_LOOPER_H
#define TERRAIND_OSC_LOOPER_H

#include <lo/lo.h>
#include <stdatomic.h>

#include "looper.h"
#include "osc_call.h"
#include "session.h"
#include "tempo_link.h"

enum { OSC_POINTS = SESSION_POINTS }; /* /point/0/... to /point/127/... */

typedef struct osc_looper {
	loop_settings settings[LOOPER_LOOPS]; /* OSC thread */
	atomic_int touched[LOOPER_LOOPS];     /* a command reached it: /notify reports it */
	stored_point points[OSC_POINTS];      /* OSC thread */
	_Atomic double bpm;
	_Atomic(tempo_link *) link; /* started by the first /link 1, kept until osc_looper_destroy */
	atomic_int meter;
	int max_voices;
	uint64_t full_seen[LOOPER_LOOPS]; /* osc_looper_watch's thread only */
} osc_looper;

struct osc_context;
struct osc_peer;

void osc_looper_init(osc_looper *l, int max_voices);
/* After the engine has stopped (it reads the Link session). */
void osc_looper_destroy(osc_looper *l);
/* Handles /loop/N/..., /point/K/..., /tempo, /meter, /session/save and
 * /session/load; returns 0 when the address is none of these. */
int osc_looper_dispatch(osc_call *c);
/* /loop/N/state STATE POSITION LENGTH for each loop in use. */
void osc_looper_notify(struct osc_context *o, const struct osc_peer *peer);
/* Says in the log when a recording filled its take and ended (the render
 * thread cannot); called every few ms by the notifier thread. */
void osc_looper_watch(struct osc_context *o);
/* The tempo: Link's while it is enabled, else the last /tempo (any thread). */
double osc_looper_bpm(osc_looper *l);

#endif
