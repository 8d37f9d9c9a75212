/*
 * fill_target.c — the render thread's ring target (see fill_target.h).
 */
#include "fill_target.h"

#include <math.h>

size_t fill_target_frames(int period, int rate, double cost_ms, double caution)
{
	double margin = FILL_MARGIN_CALM + caution;
	size_t decode = 2 * (size_t)period + (size_t)ceil((1.0 + margin) * cost_ms * 1e-3 * rate);
	/* Scheduling hiccups of several milliseconds happen on busy or virtual
	 * machines even to a real-time thread: never less than 10 ms or three
	 * periods, however cheap the model. */
	size_t floor_frames = (size_t)(0.010 * rate);
	if (floor_frames < 3 * (size_t)period)
		floor_frames = 3 * (size_t)period;
	return decode > floor_frames ? decode : floor_frames;
}

double fill_caution_after_xrun(double caution)
{
	double next = caution + FILL_MARGIN_STEP;
	return next < FILL_MARGIN_MAX - FILL_MARGIN_CALM ? next : FILL_MARGIN_MAX - FILL_MARGIN_CALM;
}

double fill_caution_decay(double caution, double frame_ms)
{
	return caution * exp(-frame_ms / FILL_CAUTION_DECAY_MS);
}
