/* Unit tests for json_util.c: errors that say where and what. */
#include "test_util.h"

#include "json_util.h"

static void syntax_errors_name_line_and_column(void **state)
{
	(void)state;
	char err[256];
	assert_null(json_parse("{\n  \"a\": 1,\n  \"b\": ]\n}", err, sizeof err));
	assert_contains(err, "line 3, column 8");
	assert_null(json_parse("{} trailing", err, sizeof err));
	assert_contains(err, "line 1");
}

static void typed_getters_explain_what_is_wrong(void **state)
{
	(void)state;
	char err[256];
	cJSON *o = json_parse("{\"n\": 2.5, \"s\": 3, \"big\": 99}", err, sizeof err);
	int i;
	const char *s;
	double d;
	assert_int_equal(json_get_int(o, "n", 0, 10, &i, err, sizeof err), -1);
	assert_contains(err, "'n' must be an integer");
	assert_int_equal(json_get_int(o, "big", 0, 10, &i, err, sizeof err), -1);
	assert_contains(err, "'big' is 99, expected 0 to 10");
	assert_int_equal(json_get_int(o, "none", 0, 10, &i, err, sizeof err), -1);
	assert_contains(err, "'none' is missing");
	assert_int_equal(json_get_string(o, "s", &s, err, sizeof err), -1);
	assert_contains(err, "'s' must be a string");
	assert_int_equal(json_get_number(o, "n", &d, err, sizeof err), 0);
	assert_float_equal(d, 2.5, 0);
	cJSON_Delete(o);
}

static void floats_are_written_with_nine_digits_and_read_back_exactly(void **state)
{
	(void)state;
	float v[3] = {0.1f, -3.14159274f, 1e-20f}, back[3];
	cJSON *arr = json_float_array(v, 3);
	char *text = cJSON_PrintUnformatted(arr);
	char err[256];
	cJSON *parsed = json_parse(text, err, sizeof err);
	assert_int_equal(json_read_floats(parsed, 3, back, "v", err, sizeof err), 0);
	assert_memory_equal(v, back, sizeof v);
	assert_int_equal(json_read_floats(parsed, 4, back, "v", err, sizeof err), -1);
	assert_contains(err, "v has 3 values, expected 4");
	free(text);
	cJSON_Delete(arr);
	cJSON_Delete(parsed);
}

static void read_file_refuses_missing_binary_and_oversized_files(void **state)
{
	(void)state;
	char *text, err[256];
	assert_int_equal(json_read_file("no/such.json", 100, &text, err, sizeof err), -1);
	assert_contains(err, "cannot open no/such.json");
	assert_int_equal(json_read_file("models/demo.ts", 1 << 24, &text, err, sizeof err), -1);
	assert_contains(err, "NUL bytes");
	assert_int_equal(json_read_file("README.md", 10, &text, err, sizeof err), -1);
	assert_contains(err, "larger than 10 bytes");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(syntax_errors_name_line_and_column),
	    cmocka_unit_test(typed_getters_explain_what_is_wrong),
	    cmocka_unit_test(floats_are_written_with_nine_digits_and_read_back_exactly),
	    cmocka_unit_test(read_file_refuses_missing_binary_and_oversized_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
