/* Unit tests for osc_status.c: /status.reply's keys and their OSC types. */
#include "test_util.h"

#include "osc_status.h"

/* The value after `key` in a key, value message, and its type tag. */
static lo_arg *value_of(lo_message m, const char *key, char *type)
{
	const char *types = lo_message_get_types(m);
	lo_arg **argv = lo_message_get_argv(m);
	int argc = lo_message_get_argc(m);
	for (int i = 0; i + 1 < argc; i += 2)
		if (types[i] == 's' && strcmp(&argv[i]->s, key) == 0) {
			*type = types[i + 1];
			return argv[i + 1];
		}
	fail_msg("no key '%s' in the reply", key);
	return NULL;
}

static void counters_are_int32_until_they_outgrow_it(void **state)
{
	(void)state;
	lo_message m = lo_message_new();
	osc_status_add_int(m, "small", 42);
	osc_status_add_int(m, "edge", INT32_MAX);
	osc_status_add_int(m, "large", (int64_t)INT32_MAX + 1);
	osc_status_add_float(m, "load", 0.25);
	osc_status_add_string(m, "device", "dummy");
	assert_string_equal(lo_message_get_types(m), "sisishsfss");
	char type;
	assert_int_equal(value_of(m, "small", &type)->i, 42);
	assert_int_equal(value_of(m, "edge", &type)->i, INT32_MAX);
	assert_true(value_of(m, "large", &type)->h == (int64_t)INT32_MAX + 1);
	assert_int_equal(type, 'h');
	assert_true(value_of(m, "load", &type)->f == 0.25f);
	assert_string_equal(&value_of(m, "device", &type)->s, "dummy");
	lo_message_free(m);
}

static void xruns_keep_their_deprecated_alias_underruns(void **state)
{
	(void)state;
	lo_message m = lo_message_new();
	osc_status_add_xruns(m, 7);
	assert_int_equal(lo_message_get_argc(m), 4);
	char type;
	assert_int_equal(value_of(m, "xruns", &type)->i, 7);
	assert_int_equal(type, 'i');
	assert_int_equal(value_of(m, "underruns", &type)->i, 7);
	lo_message_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(counters_are_int32_until_they_outgrow_it),
	    cmocka_unit_test(xruns_keep_their_deprecated_alias_underruns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
