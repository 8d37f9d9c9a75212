/* Unit tests for limiter.c: below the ceiling the signal passes untouched;
 * above it no sample ever leaves ±LIMITER_CEILING, the level comes back
 * over ~100 ms, and non-finite samples play as silence. */
#include "test_util.h"

#include <math.h>

#include "limiter.h"

enum { RATE = 48000 };

static void a_quiet_signal_passes_untouched(void **state)
{
	(void)state;
	limiter l;
	limiter_init(&l, RATE);
	for (int i = 0; i < RATE / 10; i++) {
		float s = 0.5f * sinf(0.05f * (float)i), frame[2] = {s, -s};
		assert_int_equal(limiter_frame(&l, frame), 0);
		assert_true(frame[0] == s && frame[1] == -s);
	}
}

static void no_sample_leaves_the_ceiling(void **state)
{
	(void)state;
	limiter l;
	limiter_init(&l, RATE);
	int limited = 0;
	for (int i = 0; i < RATE; i++) {
		float s = 8.0f * sinf(0.01f * (float)i), frame[2] = {s, 0.25f * s};
		limited += limiter_frame(&l, frame);
		assert_true(fabsf(frame[0]) <= LIMITER_CEILING && fabsf(frame[1]) <= LIMITER_CEILING);
	}
	assert_true(limited > RATE / 2);
}

static void both_channels_turn_down_together(void **state)
{
	(void)state;
	limiter l;
	limiter_init(&l, RATE);
	float frame[2] = {2.0f, 0.5f};
	assert_int_equal(limiter_frame(&l, frame), 1);
	/* stereo-linked: the image stays where it was */
	assert_float_equal(frame[0], LIMITER_CEILING, 1e-6);
	assert_float_equal(frame[1] / frame[0], 0.25f, 1e-6);
}

static void the_level_comes_back_over_about_100_ms(void **state)
{
	(void)state;
	limiter l;
	limiter_init(&l, RATE);
	float peak[2] = {4.0f, 4.0f};
	limiter_frame(&l, peak);
	float after[2] = {0.5f, 0.5f};
	limiter_frame(&l, after);
	assert_true(after[0] < 0.2f); /* still turned down right after the peak */
	/* after the envelope decays below the ceiling (ln(4/0.98) x 100 ms ~ 141 ms) */
	float later[2] = {0.5f, 0.5f};
	for (int i = 0; i < RATE * 15 / 100; i++) {
		later[0] = later[1] = 0.5f;
		limiter_frame(&l, later);
	}
	assert_float_equal(later[0], 0.5f, 1e-6);
}

static void non_finite_samples_play_as_silence(void **state)
{
	(void)state;
	limiter l;
	limiter_init(&l, RATE);
	float frame[2] = {NAN, INFINITY};
	limiter_frame(&l, frame);
	assert_true(frame[0] == 0.0f && frame[1] == 0.0f);
	float next[2] = {0.3f, 0.3f}; /* and they leave nothing behind */
	assert_int_equal(limiter_frame(&l, next), 0);
	assert_true(next[0] == 0.3f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_quiet_signal_passes_untouched),
	    cmocka_unit_test(no_sample_leaves_the_ceiling),
	    cmocka_unit_test(both_channels_turn_down_together),
	    cmocka_unit_test(the_level_comes_back_over_about_100_ms),
	    cmocka_unit_test(non_finite_samples_play_as_silence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
