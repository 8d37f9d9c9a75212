/* Unit tests for path.c: a path or name that does not fit is refused with
 * a sentence, never cut short. */
#include "test_util.h"

#include "path.h"

static void a_path_that_fits_is_copied_whole(void **state)
{
	(void)state;
	char dst[8], err[256];
	assert_int_equal(path_copy(dst, sizeof dst, "a/b.ts", "the model path", err, sizeof err), 0);
	assert_string_equal(dst, "a/b.ts");
	assert_int_equal(path_copy(dst, sizeof dst, "1234567", "the model path", err, sizeof err), 0);
	assert_string_equal(dst, "1234567");
}

static void a_path_one_byte_too_long_is_refused_and_left_alone(void **state)
{
	(void)state;
	char dst[8] = "old", err[256];
	assert_int_equal(path_copy(dst, sizeof dst, "12345678", "the model path", err, sizeof err), -1);
	assert_string_equal(dst, "old");
	assert_contains(err, "the model path is longer than 7 bytes (it begins '12345678");
	char big[1024], long_path[1100];
	memset(long_path, 'x', sizeof long_path - 1);
	long_path[sizeof long_path - 1] = '\0';
	assert_int_equal(path_copy(big, sizeof big, long_path, "the path", err, sizeof err), -1);
	assert_contains(err, "the path is longer than 1023 bytes");
}

static void formatted_paths_are_refused_when_they_would_not_fit(void **state)
{
	(void)state;
	char dst[10] = "old", err[256];
	assert_int_equal(path_format(dst, sizeof dst, "the path", err, sizeof err, "%s.part", "abcd"), 0);
	assert_string_equal(dst, "abcd.part");
	assert_int_equal(path_format(dst, sizeof dst, "the path", err, sizeof err, "%s.part", "abcde"), -1);
	assert_string_equal(dst, "abcd.part");
	assert_contains(err, "the path is longer than 9 bytes (it begins 'abcde.part");
}

static void the_stem_drops_directory_and_last_extension(void **state)
{
	(void)state;
	char name[16], err[256];
	assert_int_equal(path_stem("models/demo.ts", name, sizeof name, "x", err, sizeof err), 0);
	assert_string_equal(name, "demo");
	assert_int_equal(path_stem("demo", name, sizeof name, "x", err, sizeof err), 0);
	assert_string_equal(name, "demo");
	assert_int_equal(path_stem("a.b/my.terrain.json", name, sizeof name, "x", err, sizeof err), 0);
	assert_string_equal(name, "my.terrain");
	assert_int_equal(path_stem("dir/.hidden", name, sizeof name, "x", err, sizeof err), 0);
	assert_string_equal(name, ".hidden");
	/* only the stem has to fit, not the directory or the extension */
	assert_int_equal(path_stem("a/very/long/directory/abc.json", name, 4, "x", err, sizeof err), 0);
	assert_string_equal(name, "abc");
	assert_int_equal(path_stem("d/abcd.json", name, 4, "the output's file name", err, sizeof err), -1);
	assert_contains(err, "the output's file name is longer than 3 bytes");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_path_that_fits_is_copied_whole),
	    cmocka_unit_test(a_path_one_byte_too_long_is_refused_and_left_alone),
	    cmocka_unit_test(formatted_paths_are_refused_when_they_would_not_fit),
	    cmocka_unit_test(the_stem_drops_directory_and_last_extension),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
