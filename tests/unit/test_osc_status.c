/* Unit tests for osc_status.c: /status.reply's keys and their OSC types. */
#include "test_util.h"

#include "osc_status.h"

/* The value after `key` in a key, value message, and its type tag. liblo's
 * argument pointers are only 4-byte aligned: the values are read with
 * memcpy below, never through the (8-byte aligned) lo_arg union. */
static const void *value_of(lo_message m, const char *key, char *type)
{
	const char *types = lo_message_get_types(m);
	lo_arg **argv = lo_message_get_argv(m);
	int argc = lo_message_get_argc(m);
	for (int i = 0; i + 1 < argc; i += 2)
		if (types[i] == 's' && strcmp((const char *)argv[i], key) == 0) {
			*type = types[i + 1];
			return argv[i + 1];
		}
	fail_msg("no key '%s' in the reply", key);
	return NULL;
}

static int32_t int32_of(lo_message m, const char *key, char *type)
{
	int32_t v;
	memcpy(&v, value_of(m, key, type), sizeof v);
	return v;
}

static int64_t int64_of(lo_message m, const char *key, char *type)
{
	int64_t v;
	memcpy(&v, value_of(m, key, type), sizeof v);
	return v;
}

static float float_of(lo_message m, const char *key, char *type)
{
	float v;
	memcpy(&v, value_of(m, key, type), sizeof v);
	return v;
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
	assert_int_equal(int32_of(m, "small", &type), 42);
	assert_int_equal(int32_of(m, "edge", &type), INT32_MAX);
	assert_true(int64_of(m, "large", &type) == (int64_t)INT32_MAX + 1);
	assert_int_equal(type, 'h');
	assert_true(float_of(m, "load", &type) == 0.25f);
	assert_string_equal((const char *)value_of(m, "device", &type), "dummy");
	lo_message_free(m);
}

static void xruns_keep_their_deprecated_alias_underruns(void **state)
{
	(void)state;
	lo_message m = lo_message_new();
	osc_status_add_xruns(m, 7);
	assert_int_equal(lo_message_get_argc(m), 4);
	char type;
	assert_int_equal(int32_of(m, "xruns", &type), 7);
	assert_int_equal(type, 'i');
	assert_int_equal(int32_of(m, "underruns", &type), 7);
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
