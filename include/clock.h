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

/* A CLOCK_MONOTONIC deadline `ns` from now, for waits that take an
 * absolute time: a wall-clock step (NTP, a suspended laptop) never makes
 * them wait too long or return at once. */
static inline struct timespec clock_deadline_in(int64_t ns)
{
	int64_t at = clock_now_ns() + ns;
	return (struct timespec){.tv_sec = (time_t)(at / 1000000000), .tv_nsec = (long)(at % 1000000000)};
}

#endif
