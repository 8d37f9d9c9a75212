/*
 * clock — monotonic nanoseconds. clock_gettime(CLOCK_MONOTONIC) is served
 * by the vDSO on Linux (no system call), so it is safe in the audio
 * callback.
 */
#ifndef TERRAIND_CLOCK_H
#define TERRAIND_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t clock_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#endif
