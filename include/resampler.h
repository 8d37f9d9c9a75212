/*
 * resampler — the live path's sample-rate converter (a model at 44.1 kHz
 * on a 48 kHz interface), with a state that is plain memory.
 *
 * Sub-frame control decodes the playing frame again after a move and
 * replaces the rest of its audio; when the model's rate differs from the
 * device's, the new frame must go through the converter from the state the
 * old one started in. libsamplerate's state can only be copied by
 * allocating (src_clone), which the render thread must not do; this
 * converter's whole state is this struct, saved and restored by
 * assignment.
 *
 * Band-limited interpolation: a Kaiser-windowed sinc of RESAMPLER_TAPS
 * taps, tabulated at RESAMPLER_PHASES sub-sample phases (linear between
 * them), cut off at 0.45 of the lower of the two rates (above 80 dB of
 * stop-band attenuation; a fixed delay of RESAMPLER_TAPS / 2 input
 * samples). How many frames a block gives depends only on the state and
 * the block's length, never on the samples: a re-decoded frame fills the
 * same frames as the one it replaces.
 *
 * Threads: resampler_init and resampler_destroy on a non-RT thread (they
 * allocate and free the table); resampler_process, and saving and
 * restoring the struct by assignment, on one thread at a time (the render
 * thread): no allocation, locks or system calls.
 */
#ifndef TERRAIND_RESAMPLER_H
#define TERRAIND_RESAMPLER_H

#include <stddef.h>

enum { RESAMPLER_TAPS = 48, RESAMPLER_PHASES = 256, RESAMPLER_CHANNELS = 2 };

typedef struct resampler {
	double step;  /* input samples per output sample (in rate / out rate) */
	double phase; /* where the next output sample lies, in input samples after history[0] */
	/* the last RESAMPLER_TAPS input frames, interleaved (stereo) */
	float history[RESAMPLER_TAPS * RESAMPLER_CHANNELS];
	float *table; /* (RESAMPLER_PHASES + 1) x RESAMPLER_TAPS: the filter at each phase (owned) */
} resampler;

/* A converter from in_rate to out_rate, at rest (silence before). -1 when
 * the table cannot be made (out of memory). */
int resampler_init(resampler *r, int in_rate, int out_rate);
/* Frames `frames` stereo input frames will give (at most; exactly, from
 * this state). */
size_t resampler_output_frames(const resampler *r, size_t frames);
/* Converts `frames` stereo frames of `in` into `out` (room for
 * resampler_output_frames); returns the frames written. */
size_t resampler_process(resampler *r, const float *in, size_t frames, float *out);
/* Frees the table. (A saved copy of the state shares it: restore only into
 * the converter it was saved from.) */
void resampler_destroy(resampler *r);

#endif
