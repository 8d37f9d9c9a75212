/* Unit tests for cli_args.c: option values are taken whole or refused with
 * a sentence that names the option, the range and what was given. */
#include "test_util.h"

#include <float.h>

#include "cli_args.h"

static void whole_numbers_in_range_are_taken(void **state)
{
	(void)state;
	char err[256];
	int v = 0;
	assert_int_equal(cli_int("--port", "7000", 1, 65535, &v, err, sizeof err), 0);
	assert_int_equal(v, 7000);
	assert_int_equal(cli_int("--x", "-3", -5, 5, &v, err, sizeof err), 0);
	assert_int_equal(v, -3);
	assert_int_equal(cli_int("--x", "65535", 1, 65535, &v, err, sizeof err), 0);
	assert_int_equal(v, 65535);
}

static void bad_whole_numbers_are_refused_and_named(void **state)
{
	(void)state;
	static const char *const bad[] = {"",      "abc", "12abc", " 5", "5 ", "1.5", "0x10", "99999999999999999999",
	                                  "70000", "0",   NULL};
	char err[256];
	for (int i = 0; bad[i]; i++) {
		int v = 42;
		assert_int_equal(cli_int("--port", bad[i], 1, 65535, &v, err, sizeof err), -1);
		assert_int_equal(v, 42); /* untouched on failure */
		assert_contains(err, "--port takes a whole number from 1 to 65535, not '");
		assert_contains(err, bad[i]);
	}
}

static void numbers_are_finite_whole_and_in_range(void **state)
{
	(void)state;
	static const char *const bad[] = {"",    "abc",  "20ms",  " 1",   "nan",   "NaN",
	                                  "inf", "-inf", "1e400", "-0.5", "10001", NULL};
	char err[256];
	double d = 7;
	for (int i = 0; bad[i]; i++) {
		assert_int_equal(cli_double("--smooth", bad[i], 0, 10000, &d, err, sizeof err), -1);
		assert_contains(err, "--smooth takes a number from 0 to 10000, not '");
	}
	assert_true(d == 7);
	assert_int_equal(cli_double("--tail", "0.25", 0, 10, &d, err, sizeof err), 0);
	assert_true(d == 0.25);
	assert_int_equal(cli_double("--lr", "1e-3", 1e-9, 10, &d, err, sizeof err), 0);
	assert_true(d == 1e-3);
	float f = 0;
	assert_int_equal(cli_float("--smooth", "12.5", 0, 10000, &f, err, sizeof err), 0);
	assert_true(f == 12.5f);
	/* an unbounded float range still refuses what a float cannot hold */
	assert_int_equal(cli_float("--b", "1e39", -FLT_MAX, FLT_MAX, &f, err, sizeof err), -1);
	assert_int_equal(cli_float("--b", "inf", -FLT_MAX, FLT_MAX, &f, err, sizeof err), -1);
}

static void seeds_take_the_whole_64_bit_range_and_no_sign(void **state)
{
	(void)state;
	char err[256];
	uint64_t s = 0;
	assert_int_equal(cli_seed("--seed", "18446744073709551615", &s, err, sizeof err), 0);
	assert_true(s == UINT64_MAX);
	assert_int_equal(cli_seed("--seed", "0", &s, err, sizeof err), 0);
	assert_true(s == 0);
	static const char *const bad[] = {"-1", "+1", "", "18446744073709551616", "1x", NULL};
	for (int i = 0; bad[i]; i++) {
		assert_int_equal(cli_seed("--seed", bad[i], &s, err, sizeof err), -1);
		assert_contains(err, "--seed takes a whole number from 0 to 18446744073709551615");
	}
}

static void lists_need_exactly_n_good_items(void **state)
{
	(void)state;
	char err[256];
	int rgb[3] = {0};
	assert_int_equal(cli_int_list("--rgb", "0,1,2", 3, 0, 99, rgb, err, sizeof err), 0);
	assert_int_equal(rgb[0], 0);
	assert_int_equal(rgb[1], 1);
	assert_int_equal(rgb[2], 2);
	assert_int_equal(cli_int_list("--rgb", "0,1,-3", 3, 0, 99, rgb, err, sizeof err), -1);
	assert_contains(err, "--rgb takes a whole number from 0 to 99, not '-3'");
	static const char *const wrong_count[] = {"0,1", "0,1,2,3", "0,1,2,", ",0,1", "", NULL};
	for (int i = 0; wrong_count[i]; i++) {
		assert_int_equal(cli_int_list("--rgb", wrong_count[i], 3, 0, 99, rgb, err, sizeof err), -1);
		assert_true(strstr(err, "--rgb takes 3 whole numbers separated by commas") ||
		            strstr(err, "--rgb takes a whole number"));
	}
	char long_item[200];
	memset(long_item, '1', sizeof long_item - 1);
	long_item[sizeof long_item - 1] = '\0';
	assert_int_equal(cli_int_list("--rgb", long_item, 3, 0, 99, rgb, err, sizeof err), -1);
	float bounds[2];
	assert_int_equal(cli_float_list("--bounds", "-2,2.5", 2, -FLT_MAX, FLT_MAX, bounds, err, sizeof err), 0);
	assert_true(bounds[0] == -2.0f && bounds[1] == 2.5f);
	assert_int_equal(cli_float_list("--bounds", "-1,nan", 2, -FLT_MAX, FLT_MAX, bounds, err, sizeof err), -1);
	assert_contains(err, "not 'nan'");
}

static void operands_are_counted(void **state)
{
	(void)state;
	char err[256];
	char *argv[] = {"plot", "-o", "x.png", "a.json", "b.json"};
	assert_int_equal(cli_operands(4, argv, 3, 1, 1, "the TERRAIN.json", err, sizeof err), 0);
	assert_int_equal(cli_operands(3, argv, 3, 1, 1, "the TERRAIN.json", err, sizeof err), -1);
	assert_string_equal(err, "missing the TERRAIN.json");
	assert_int_equal(cli_operands(5, argv, 3, 1, 1, "the TERRAIN.json", err, sizeof err), -1);
	assert_string_equal(err, "unexpected argument 'b.json'");
	assert_int_equal(cli_operands(5, argv, 3, 1, -1, "files", err, sizeof err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(whole_numbers_in_range_are_taken),
	    cmocka_unit_test(bad_whole_numbers_are_refused_and_named),
	    cmocka_unit_test(numbers_are_finite_whole_and_in_range),
	    cmocka_unit_test(seeds_take_the_whole_64_bit_range_and_no_sign),
	    cmocka_unit_test(lists_need_exactly_n_good_items),
	    cmocka_unit_test(operands_are_counted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
