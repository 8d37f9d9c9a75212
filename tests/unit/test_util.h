/*
 * test_util.h — shared helpers for the cmocka unit tests. Tests run from
 * the repository root; generated test models live in $BUILD/models.
 */
#ifndef TERRAIND_TEST_UTIL_H
#define TERRAIND_TEST_UTIL_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "training_pairs.h"

#define FIXTURES "tests/fixtures"

/* Path of a generated test model (scripts/make_test_models.py). */
static inline const char *test_model_path(const char *name)
{
	static char path[4][512];
	static int next;
	const char *build = getenv("BUILD");
	char *p = path[next++ % 4];
	snprintf(p, sizeof path[0], "%s/models/%s", build && *build ? build : "build", name);
	return p;
}

/* Sanitizer builds (make asan / make tsan set TERRAIND_SANITIZER) run 5 to
 * 20 times slower: real-time properties (no underrun) cannot hold there and
 * are checked only in the normal build; everything functional still is. */
static inline int sanitizer_build(void)
{
	const char *s = getenv("TERRAIND_SANITIZER");
	return s && *s;
}

/* glibc's heap as mallinfo2 sees it: bytes it holds from the system (all
 * arenas) and bytes in use. Measurable only with glibc's own allocator:
 * a sanitizer build allocates with its own, and other systems have no
 * mallinfo2 (both read 0 there). */
static inline int heap_measurable(void)
{
#if defined(__GLIBC__)
	return !sanitizer_build();
#else
	return 0;
#endif
}

typedef struct heap_bytes {
	size_t held, in_use;
} heap_bytes;

static inline heap_bytes heap_now(void)
{
#if defined(__GLIBC__)
	struct mallinfo2 m = mallinfo2();
	return (heap_bytes){m.arena, m.uordblks};
#else
	return (heap_bytes){0, 0};
#endif
}

/* Asserts that `text` contains `needle`, printing both when it does not. */
#define assert_contains(text, needle)                                                                                  \
	do {                                                                                                           \
		if (!strstr((text), (needle)))                                                                         \
			fail_msg("expected \"%s\" in: %s", (needle), (text));                                          \
	} while (0)

/* A deterministic pseudo-random float in [lo, hi) (xorshift). */
static inline float test_random(uint32_t *state, float lo, float hi)
{
	uint32_t x = *state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return lo + (hi - lo) * (float)(x >> 8) / (float)(1u << 24);
}

/* Fundamental frequency by normalised autocorrelation, 50–1000 Hz, of `n`
 * frames of `stride`-interleaved audio (the first channel). */
static inline double estimate_f0(const float *x, int n, int rate, int stride)
{
	int best_lag = 0;
	double best = -1;
	for (int lag = rate / 1000; lag <= rate / 50; lag++) {
		double num = 0, e1 = 0, e2 = 0;
		for (int i = 0; i + lag < n; i++) {
			double a = x[i * stride], b = x[(i + lag) * stride];
			num += a * b;
			e1 += a * a;
			e2 += b * b;
		}
		double r = num / sqrt(e1 * e2 + 1e-12);
		if (r > best + 1e-3) { /* first clear maximum: avoids octave errors */
			best = r;
			best_lag = lag;
		}
	}
	return (double)rate / best_lag;
}

/* The pairs a training set keeps now (through the copy /train/run takes). */
static inline int pairs_kept(training_pairs *p)
{
	float *coords = NULL, *latents = NULL;
	int control_dim, latent_dim;
	int n = training_pairs_copy(p, &coords, &latents, &control_dim, &latent_dim);
	free(coords);
	free(latents);
	return n;
}

#endif
