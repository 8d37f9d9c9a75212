/* Unit tests for json_util.c: errors that say where and what. */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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
	cJSON_free(text);
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

/* Written to a pipe by a child: a file whose size nobody knows in advance. */
static int pipe_of(size_t bytes)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		char block[4096];
		memset(block, 'x', sizeof block);
		for (size_t sent = 0; sent < bytes;) {
			size_t n = bytes - sent < sizeof block ? bytes - sent : sizeof block;
			ssize_t w = write(fds[1], block, n);
			if (w <= 0)
				_exit(1);
			sent += (size_t)w;
		}
		_exit(0);
	}
	close(fds[1]);
	return fds[0];
}

static void read_file_reads_whole_files_of_any_size_up_to_the_limit(void **state)
{
	(void)state;
	char *text, err[256], path[64];
	const char *file = "build/tests/exactly.json";
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	for (int i = 0; i < 1000; i++)
		fputc('a' + i % 26, f);
	fclose(f);
	assert_int_equal(json_read_file(file, 1000, &text, err, sizeof err), 0); /* exactly the limit */
	assert_int_equal(strlen(text), 1000);
	assert_int_equal(text[999], 'a' + 999 % 26);
	cJSON_free(text);
	assert_int_equal(json_read_file(file, 999, &text, err, sizeof err), -1); /* one byte over */
	assert_contains(err, "larger than 999 bytes");
	remove(file);
	/* a pipe of 200 kB: more than the first guess, read whole */
	int fd = pipe_of(200000);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	assert_int_equal(json_read_file(path, 1 << 20, &text, err, sizeof err), 0);
	assert_int_equal(strlen(text), 200000);
	cJSON_free(text);
	close(fd);
	wait(NULL);
	fd = pipe_of(200000);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	assert_int_equal(json_read_file(path, 150000, &text, err, sizeof err), -1);
	assert_contains(err, "larger than 150000 bytes");
	close(fd);
	wait(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(syntax_errors_name_line_and_column),
	    cmocka_unit_test(typed_getters_explain_what_is_wrong),
	    cmocka_unit_test(floats_are_written_with_nine_digits_and_read_back_exactly),
	    cmocka_unit_test(read_file_refuses_missing_binary_and_oversized_files),
	    cmocka_unit_test(read_file_reads_whole_files_of_any_size_up_to_the_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
