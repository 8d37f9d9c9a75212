/*
 * limiter — the output's last stage: a stereo-linked peak limiter that no
 * fader, model or gain can push past.
 *
 * The envelope jumps to a louder peak at once (instant attack) and decays
 * over about 100 ms; a frame is scaled by ceiling / envelope whenever the
 * envelope is above the ceiling. Since the envelope is never below the
 * frame's own peak, no sample can leave ±LIMITER_CEILING; below the
 * ceiling the signal passes untouched. A non-finite sample (a NaN from a
 * model) is played as silence, never as noise or a wrapped value.
 *
 * Threads: the audio callback (RT-safe: arithmetic only). One limiter per
 * stream; not shared.
 */
#ifndef TERRAIND_LIMITER_H
#define TERRAIND_LIMITER_H

#define LIMITER_CEILING 0.98f

typedef struct limiter {
	float envelope; /* the peak envelope */
	float release;  /* its per-sample decay */
} limiter;

/* A limiter at rest for a stream of `sample_rate` frames a second. */
void limiter_init(limiter *l, int sample_rate);

/* Limits one stereo frame (frame[0], frame[1]) in place; returns whether
 * it turned the level down. */
int limiter_frame(limiter *l, float *frame);

#endif
