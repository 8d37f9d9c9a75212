/*
 * resampler.c — see resampler.h.
 *
 * The input is read as one stream: history (the block before's last
 * RESAMPLER_TAPS frames) followed by the block. An output sample at stream
 * position t (fractional) is the sum over the RESAMPLER_TAPS input frames
 * around it, floor(t) - TAPS/2 + 1 .. floor(t) + TAPS/2, each weighted by
 * the filter at its distance from t; the filter is tabulated per phase
 * (the fraction of t) and interpolated linearly between phases.
 */
#include "resampler.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { HALF = RESAMPLER_TAPS / 2 };
#define KAISER_BETA 8.0 /* about 80 dB of stop-band attenuation */
#define CUTOFF 0.45     /* of the lower rate: the transition band ends short of its Nyquist */

/* The modified Bessel function of order 0 (the Kaiser window), by its series. */
static double bessel_i0(double x)
{
	double sum = 1, term = 1;
	for (int k = 1; k < 50; k++) {
		term *= (x / (2 * k)) * (x / (2 * k));
		sum += term;
		if (term < 1e-12 * sum)
			break;
	}
	return sum;
}

/* The windowed sinc at distance x (input samples) for a cut-off fc
 * (cycles per input sample). */
static double filter_at(double x, double fc)
{
	double edge = x / HALF;
	if (fabs(edge) >= 1)
		return 0;
	double sinc = x == 0 ? 1 : sin(2 * M_PI * fc * x) / (2 * M_PI * fc * x);
	return 2 * fc * sinc * bessel_i0(KAISER_BETA * sqrt(1 - edge * edge)) / bessel_i0(KAISER_BETA);
}

int resampler_init(resampler *r, int in_rate, int out_rate)
{
	memset(r, 0, sizeof *r);
	r->step = (double)in_rate / out_rate;
	r->phase = HALF - 1; /* the first output's taps start at the history's first frame */
	r->table = malloc(sizeof(float) * (RESAMPLER_PHASES + 1) * RESAMPLER_TAPS);
	if (!r->table)
		return -1;
	double fc = CUTOFF * (out_rate < in_rate ? (double)out_rate / in_rate : 1.0);
	for (int p = 0; p <= RESAMPLER_PHASES; p++) {
		double frac = (double)p / RESAMPLER_PHASES, sum = 0, w[RESAMPLER_TAPS];
		for (int k = 0; k < RESAMPLER_TAPS; k++)
			sum += w[k] = filter_at(frac + HALF - 1 - k, fc);
		for (int k = 0; k < RESAMPLER_TAPS; k++) /* unity gain at DC in every phase */
			r->table[p * RESAMPLER_TAPS + k] = (float)(w[k] / sum);
	}
	return 0;
}

void resampler_destroy(resampler *r)
{
	free(r->table);
	r->table = NULL;
}

size_t resampler_output_frames(const resampler *r, size_t frames)
{
	/* outputs while the last tap, floor(t) + HALF, is within the stream */
	double end = (double)(RESAMPLER_TAPS + frames - HALF);
	if (r->phase >= end)
		return 0;
	return (size_t)ceil((end - r->phase) / r->step);
}

/* Frame i of the stream [history | in]: its two channels. */
static inline const float *stream_frame(const resampler *r, const float *in, long i)
{
	return i < RESAMPLER_TAPS ? r->history + 2 * i : in + 2 * (i - RESAMPLER_TAPS);
}

size_t resampler_process(resampler *r, const float *in, size_t frames, float *out)
{
	size_t n = resampler_output_frames(r, frames);
	for (size_t j = 0; j < n; j++) {
		double t = r->phase + (double)j * r->step;
		long first = (long)floor(t) - HALF + 1;
		double where = (t - floor(t)) * RESAMPLER_PHASES;
		int p = (int)where;
		float mix = (float)(where - p);
		const float *a = r->table + p * RESAMPLER_TAPS, *b = a + RESAMPLER_TAPS;
		float left = 0, right = 0;
		for (int k = 0; k < RESAMPLER_TAPS; k++) {
			const float *x = stream_frame(r, in, first + k);
			float h = a[k] + mix * (b[k] - a[k]);
			left += h * x[0];
			right += h * x[1];
		}
		out[2 * j] = left;
		out[2 * j + 1] = right;
	}
	/* the stream's last RESAMPLER_TAPS frames become the history */
	float keep[RESAMPLER_TAPS * RESAMPLER_CHANNELS];
	for (long i = 0; i < RESAMPLER_TAPS; i++)
		memcpy(keep + 2 * i, stream_frame(r, in, (long)frames + i), sizeof(float) * 2);
	memcpy(r->history, keep, sizeof keep);
	r->phase += (double)n * r->step - (double)frames;
	return n;
}
