/* Unit tests for fill_target.c: the ring's target follows the decode's
 * cost, keeps its floors, grows after xruns and comes back down. */
#include "test_util.h"

#include "fill_target.h"

enum { RATE = 48000, PERIOD = 128 };

static double target_ms(double cost_ms, double caution)
{
	return 1000.0 * (double)fill_target_frames(PERIOD, RATE, cost_ms, caution) / RATE;
}

static void a_calm_target_is_two_periods_and_one_and_a_half_decodes(void **state)
{
	(void)state;
	/* rave_bench's 8 ms frames: 2 x 2.67 + 1.5 x 8 = 17.3 ms */
	assert_float_equal(target_ms(8.0, 0.0), 2 * 2.6667 + 12.0, 0.05);
	/* twice the cost, more audio ahead */
	assert_true(target_ms(16.0, 0.0) > target_ms(8.0, 0.0) + 11.9);
}

static void a_cheap_model_keeps_the_floors(void **state)
{
	(void)state;
	assert_float_equal(target_ms(0.5, 0.0), 10.0, 0.03); /* 10 ms */
	/* three periods when they are longer than 10 ms */
	assert_int_equal(fill_target_frames(2048, RATE, 0.5, 0.0), 3 * 2048);
}

static void xruns_add_margin_up_to_a_limit(void **state)
{
	(void)state;
	double c = 0.0;
	c = fill_caution_after_xrun(c);
	assert_float_equal(target_ms(8.0, c), 2 * 2.6667 + 2.0 * 8.0, 0.05);
	for (int i = 0; i < 10; i++)
		c = fill_caution_after_xrun(c);
	assert_float_equal(c, FILL_MARGIN_MAX - FILL_MARGIN_CALM, 1e-12);
	assert_float_equal(target_ms(8.0, c), 2 * 2.6667 + 2.5 * 8.0, 0.05);
}

static void the_margin_decays_once_xruns_stop(void **state)
{
	(void)state;
	double c = fill_caution_after_xrun(0.0);
	/* 30 s of 42.7 ms frames: 1/e of it left; three minutes later, nothing to speak of */
	for (int i = 0; i < 703; i++)
		c = fill_caution_decay(c, 42.7);
	assert_float_equal(c, FILL_MARGIN_STEP / 2.71828, 0.01);
	for (int i = 0; i < 6 * 703; i++)
		c = fill_caution_decay(c, 42.7);
	assert_true(c < 0.001);
	assert_float_equal(target_ms(8.0, c), target_ms(8.0, 0.0), 0.03);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_calm_target_is_two_periods_and_one_and_a_half_decodes),
	    cmocka_unit_test(a_cheap_model_keeps_the_floors),
	    cmocka_unit_test(xruns_add_margin_up_to_a_limit),
	    cmocka_unit_test(the_margin_decays_once_xruns_stop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
