/*
 * limiter.c — see limiter.h.
 */
#include "limiter.h"

#include <math.h>

void limiter_init(limiter *l, int sample_rate)
{
	l->envelope = 0.0f;
	l->release = expf(-1.0f / (0.100f * (float)sample_rate));
}

int limiter_frame(limiter *l, float *frame)
{
	float left = isfinite(frame[0]) ? frame[0] : 0.0f;
	float right = isfinite(frame[1]) ? frame[1] : 0.0f;
	float peak = fmaxf(fabsf(left), fabsf(right));
	l->envelope = fmaxf(peak, l->envelope * l->release);
	int limiting = l->envelope > LIMITER_CEILING;
	float g = limiting ? LIMITER_CEILING / l->envelope : 1.0f;
	/* (the clamp only catches the last bit of rounding in ceiling/envelope) */
	frame[0] = fminf(fmaxf(left * g, -LIMITER_CEILING), LIMITER_CEILING);
	frame[1] = fminf(fmaxf(right * g, -LIMITER_CEILING), LIMITER_CEILING);
	return limiting;
}
