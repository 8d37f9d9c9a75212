/* Unit tests for osc_call.c: arguments read from real liblo messages, at
 * every numeric type, and the tags that count as numbers and strings. */
#include "test_util.h"

#include <math.h>

#include "osc_call.h"

/* A call over a message built with liblo (its argument pointers are only
 * 4-byte aligned, as in a received packet). */
static osc_call call_of(lo_message m)
{
	osc_call c = {.types = lo_message_get_types(m), .argv = lo_message_get_argv(m), .argc = lo_message_get_argc(m)};
	return c;
}

static void every_numeric_type_reads_as_its_value(void **state)
{
	(void)state;
	lo_message m = lo_message_new();
	lo_message_add_int32(m, -7);
	lo_message_add_int64(m, (int64_t)1 << 40);
	lo_message_add_float(m, 0.25f);
	lo_message_add_double(m, -1.5e-3);
	osc_call c = call_of(m);
	assert_string_equal(c.types, "ihfd");
	assert_float_equal(osc_call_number(&c, 0), -7.0, 0);
	assert_float_equal(osc_call_number(&c, 1), 1099511627776.0, 0);
	assert_float_equal(osc_call_number(&c, 2), 0.25, 0);
	assert_float_equal(osc_call_number(&c, 3), -1.5e-3, 0);
	lo_message_free(m);
}

static void values_that_are_not_finite_read_as_nan(void **state)
{
	(void)state;
	lo_message m = lo_message_new();
	lo_message_add_float(m, INFINITY);
	lo_message_add_double(m, -INFINITY);
	lo_message_add_float(m, NAN);
	osc_call c = call_of(m);
	for (int i = 0; i < 3; i++)
		assert_true(isnan(osc_call_number(&c, i)));
	lo_message_free(m);
}

static void number_and_string_tags(void **state)
{
	(void)state;
	for (const char *t = "ihfd"; *t; t++) {
		assert_true(osc_arg_is_number(*t));
		assert_false(osc_arg_is_string(*t));
	}
	assert_true(osc_arg_is_string('s'));
	assert_true(osc_arg_is_string('S'));
	for (const char *t = "bTFNIctm"; *t; t++) {
		assert_false(osc_arg_is_number(*t));
		assert_false(osc_arg_is_string(*t));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_numeric_type_reads_as_its_value),
	    cmocka_unit_test(values_that_are_not_finite_read_as_nan),
	    cmocka_unit_test(number_and_string_tags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
