/*
 * tuio — TUIO 1.1 cursors (/tuio/2Dcur) as voices: which touch session
 * moves which voice.
 *
 * A TUIO frame is a bundle of `alive s1 s2 ...` (the sessions touching
 * now), `set s x y X Y m` per moved cursor, and `fseq n`. The tracker
 * collects a frame and applies it at its fseq, as the reference client
 * (TuioClient) does, so that a late frame is dropped whole:
 *   - every session missing from the frame's alive list ends: its voice is
 *     released and remembers where the touch was last;
 *   - a set moves the session's voice; a new session takes a voice: among
 *     the voices TUIO freed earlier, the one whose last position is nearest
 *     (TuioClient's rule for reusing cursor ids: a finger lifted and put
 *     down again nearby plays the voice it had), else the lowest free
 *     voice; with none free the touch is refused (counted);
 *   - a frame numbered lower than the last one seen is late (UDP reorders)
 *     and dropped, unless it is more than TUIO_FRAME_RESET below it (the
 *     sender restarted or its counter wrapped); fseq 0 or below (TUIO's
 *     unnumbered frames) is always taken.
 * A set for a session absent from the frame's alive list is ignored.
 * Positions stay in TUIO's space (0..1, y downward); mapping onto the
 * terrain is the caller's.
 *
 * Pure bookkeeping: no I/O, no allocation, no locks. Threads: one caller
 * at a time (osc.c's network thread).
 */
#ifndef TERRAIND_TUIO_H
#define TERRAIND_TUIO_H

#include <stdint.h>

enum {
	TUIO_MAX_VOICES = 32,                                   /* ENGINE_MAX_VOICES */
	TUIO_MAX_SESSIONS = 64,                                 /* alive sessions and sets in one frame */
	TUIO_MAX_ACTIONS = TUIO_MAX_VOICES + TUIO_MAX_SESSIONS, /* what one frame can lead to */
	TUIO_FRAME_RESET = 100,                                 /* as TuioClient */
};

typedef struct tuio_action {
	int voice;
	int ended; /* 1: release the voice; 0: move it to (x, y), which sounds it */
	float x, y;
} tuio_action;

typedef struct tuio_tracker {
	int voices; /* voices 0 .. voices-1 may be taken */
	struct tuio_voice {
		int32_t session;
		int taken;    /* a session plays it */
		int released; /* TUIO freed it: (x, y) is where its touch ended */
		float x, y;
	} voice[TUIO_MAX_VOICES];
	/* the frame being received */
	int has_alive, n_alive, n_set;
	int32_t alive[TUIO_MAX_SESSIONS];
	struct tuio_set {
		int32_t session;
		float x, y;
	} set[TUIO_MAX_SESSIONS];
	int32_t last_frame;
	uint64_t refused; /* sets of sessions that found no free voice (counted per frame) */
} tuio_tracker;

void tuio_init(tuio_tracker *t, int voices);
/* `alive`: starts a frame (a frame left without its fseq is dropped).
 * Returns -1 when n exceeds TUIO_MAX_SESSIONS. */
int tuio_alive(tuio_tracker *t, const int32_t *sessions, int n);
/* `set`: returns -1 when the frame holds TUIO_MAX_SESSIONS sets already. */
int tuio_set(tuio_tracker *t, int32_t session, float x, float y);
/* `fseq`: ends the frame; writes what to do to `out` (room for
 * TUIO_MAX_ACTIONS: releases first, then moves) and returns how many; 0 for a
 * late frame. */
int tuio_frame(tuio_tracker *t, int32_t fseq, tuio_action *out);

#endif
