/* Unit tests for voices.c: rows, envelopes, release, shedding, and the mix
 * (pan law, gain glides), on synthetic decoder output. */
#include "test_util.h"

#include "voices.h"

enum { N = 480, RATE = 48000, ROWS = 8 };

static float planar[ROWS * 2 * N], stereo[2 * N];

/* Every row plays a constant 0.5 (mono) so levels are easy to read. */
static void fill_planar(int channels)
{
	for (int i = 0; i < ROWS * channels * N; i++)
		planar[i] = 0.5f;
}

static void new_rows_are_the_lowest_free_and_the_batch_follows_the_voices(void **state)
{
	(void)state;
	voice_pool p;
	unsigned char used[ROWS] = {0};
	voices_init(&p, 4, 50);
	assert_int_equal(voices_rows_in_use(&p, ROWS), 0);
	assert_int_equal(voices_start(&p, 3, ROWS, used, N, RATE), 0);
	assert_int_equal(p.voices[3].row, 0);
	assert_int_equal(voices_start(&p, 1, ROWS, used, N, RATE), 0);
	assert_int_equal(p.voices[1].row, 1);
	assert_int_equal(voices_rows_in_use(&p, ROWS), 2);
	assert_int_equal(voices_rows_in_use(&p, 1), 1); /* a scene of one row: voice 1's row lies beyond it */
	assert_int_equal(voices_start(&p, 3, ROWS, used, N, RATE), 0); /* already sounding: same row */
	assert_int_equal(p.voices[3].row, 0);
	assert_int_equal(voices_sounding(&p), 2);
}

static void a_released_voice_fades_out_then_frees_its_row(void **state)
{
	(void)state;
	voice_pool p;
	unsigned char used[ROWS] = {0};
	voices_init(&p, 4, 10); /* 10 ms = 480 samples = one frame here */
	fill_planar(1);
	voices_start(&p, 0, ROWS, used, N, RATE);
	voices_start(&p, 1, ROWS, used, N, RATE);
	voices_mix(&p, planar, 1, N, RATE, stereo); /* attack: 5 ms on fresh rows */
	voices_mix(&p, planar, 1, N, RATE, stereo);
	assert_float_equal(stereo[2 * (N - 1)], 1.0f, 1e-5);   /* two voices at 0.5, centre: 0 dB each */
	render_cursor_set_pitch(&p.voices[0].control, 440.0f); /* a note's pitch (/voice/0/pitch) */
	voices_release(&p, 0);
	voices_mix(&p, planar, 1, N, RATE, stereo);
	assert_int_equal(p.voices[0].control.has_pitch, 0);  /* a freed voice forgets it */
	assert_float_equal(stereo[0], 1.0f, 1e-2);           /* the release starts where it was */
	assert_float_equal(stereo[2 * (N - 1)], 0.5f, 1e-2); /* and ends at silence for voice 0 */
	assert_int_equal(p.voices[0].state, VOICE_FREE);
	assert_int_equal(voices_rows_in_use(&p, ROWS), 2); /* voice 1 keeps row 1 */
	/* row 0 comes free: the next voice takes it, and fades in over a frame, as it was used */
	assert_int_equal(voices_start(&p, 2, ROWS, used, N, RATE), 0);
	assert_int_equal(p.voices[2].row, 0);
	voices_mix(&p, planar, 1, N, RATE, stereo);
	assert_true(stereo[2 * (N / 2)] < 0.5f + 0.5f * 0.6f); /* halfway up a frame-long attack */
	assert_true(stereo[2 * (N / 2)] > 0.5f + 0.5f * 0.4f);
}

static void a_voice_back_before_its_release_ends_keeps_its_row(void **state)
{
	(void)state;
	voice_pool p;
	unsigned char used[ROWS] = {0};
	voices_init(&p, 2, 1000);
	voices_start(&p, 1, ROWS, used, N, RATE);
	voices_release(&p, 1);
	assert_int_equal(p.voices[1].state, VOICE_RELEASING);
	assert_int_equal(voices_start(&p, 1, ROWS, used, N, RATE), 0);
	assert_int_equal(p.voices[1].state, VOICE_ON);
	assert_int_equal(p.voices[1].row, 0);
}

static void no_more_voices_than_the_maximum_or_the_rows(void **state)
{
	(void)state;
	voice_pool p;
	unsigned char used[ROWS] = {0};
	voices_init(&p, 2, 50);
	assert_int_equal(voices_start(&p, 0, ROWS, used, N, RATE), 0);
	assert_int_equal(voices_start(&p, 1, ROWS, used, N, RATE), 0);
	assert_int_equal(voices_start(&p, 5, ROWS, used, N, RATE), -1); /* the maximum */
	voices_init(&p, 8, 50);
	unsigned char one[1] = {0};
	assert_int_equal(voices_start(&p, 0, 1, one, N, RATE), 0);
	assert_int_equal(voices_start(&p, 1, 1, one, N, RATE), -1); /* a model with one row */
}

static void the_quietest_voice_is_shed_first_then_the_oldest(void **state)
{
	(void)state;
	voice_pool p;
	unsigned char used[ROWS] = {0};
	voices_init(&p, 4, 50);
	for (int i = 0; i < 3; i++)
		voices_start(&p, i, ROWS, used, N, RATE);
	fill_planar(1);
	for (int i = 0; i < N; i++)
		planar[1 * N + i] = 0.1f; /* row 1 (voice 1) is the quietest */
	voices_mix(&p, planar, 1, N, RATE, stereo);
	assert_int_equal(voices_to_shed(&p), 1);
	for (int i = 0; i < N; i++)
		planar[1 * N + i] = 0.5f;
	voices_mix(&p, planar, 1, N, RATE, stereo);
	assert_int_equal(voices_to_shed(&p), 0); /* equal levels: the oldest */
	voices_release(&p, 0);                   /* shed: releasing, and out of the choice */
	assert_int_equal(voices_to_shed(&p), 1);
	voices_release(&p, 1);
	assert_int_equal(voices_to_shed(&p), -1); /* never the last voice playing on */
	voices_init(&p, 4, 50);
	voices_start(&p, 0, ROWS, used, N, RATE);
	assert_int_equal(voices_to_shed(&p), -1); /* never the last voice */
}

static void pan_is_equal_power_and_glides(void **state)
{
	(void)state;
	voice_pool p;
	unsigned char used[ROWS] = {0};
	voices_init(&p, 1, 50);
	fill_planar(1);
	voices_start(&p, 0, ROWS, used, N, RATE);
	voices_mix(&p, planar, 1, N, RATE, stereo);
	p.voices[0].pan = -1.0f; /* hard left */
	voices_mix(&p, planar, 1, N, RATE, stereo);
	for (int i = 1; i < N; i++) /* a glide, never a step */
		assert_true(fabsf(stereo[2 * i] - stereo[2 * (i - 1)]) < 0.01f);
	voices_mix(&p, planar, 1, N, RATE, stereo);
	assert_float_equal(stereo[0], 0.5f * (float)M_SQRT2, 1e-5);
	assert_float_equal(stereo[1], 0.0f, 1e-5);
	/* a stereo model is balanced: hard left keeps the left channel as it is */
	fill_planar(2);
	voices_mix(&p, planar, 2, N, RATE, stereo);
	assert_float_equal(stereo[0], 0.5f, 1e-5);
	assert_float_equal(stereo[1], 0.0f, 1e-5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(new_rows_are_the_lowest_free_and_the_batch_follows_the_voices),
	    cmocka_unit_test(a_released_voice_fades_out_then_frees_its_row),
	    cmocka_unit_test(a_voice_back_before_its_release_ends_keeps_its_row),
	    cmocka_unit_test(no_more_voices_than_the_maximum_or_the_rows),
	    cmocka_unit_test(the_quietest_voice_is_shed_first_then_the_oldest),
	    cmocka_unit_test(pan_is_equal_power_and_glides),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
