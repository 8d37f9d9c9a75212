/*
 * fill_target — how much audio the render thread keeps in the ring ahead
 * of the callback: the smaller, the sooner a move is heard (with sub-frame
 * control a move is heard once the ring's audio has played); the larger,
 * the more a slow decode or a scheduling hiccup can take without an xrun.
 *
 * The render thread decodes the next frame when the ring holds less than
 * the target, so the target must cover the decode (its recent cost) and the
 * callback's period, plus a margin for frames slower than the recent ones.
 * The margin adapts: half the recent cost on a machine that keeps up, and
 * up to three times that after xruns, coming back down over FILL_CAUTION_DECAY_MS
 * once they stop (a jitter buffer's rule: make room where time has shown
 * it is needed, give it back when it is not).
 *
 * Pure functions: no allocation, locks or system calls. Threads: the
 * render thread (and tests).
 */
#ifndef TERRAIND_FILL_TARGET_H
#define TERRAIND_FILL_TARGET_H

#include <stddef.h>

/* The margin, in recent decode costs, with no xrun lately... */
#define FILL_MARGIN_CALM 0.5
/* ...what each xrun adds to it, and its most. */
#define FILL_MARGIN_STEP 0.5
#define FILL_MARGIN_MAX 1.5
/* The time over which the added margin decays to 1/e of itself. */
#define FILL_CAUTION_DECAY_MS 30000.0

/* Device frames to keep in the ring: at least 10 ms and three periods, and
 * two periods plus the recent decode cost (cost_ms) times 1 + the margin
 * (FILL_MARGIN_CALM + caution). */
size_t fill_target_frames(int period, int rate, double cost_ms, double caution);

/* The caution after an xrun (caution starts at 0). */
double fill_caution_after_xrun(double caution);

/* The caution after a frame of frame_ms without an xrun. */
double fill_caution_decay(double caution, double frame_ms);

#endif
