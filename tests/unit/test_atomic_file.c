/* Unit tests for atomic_file.c: a file is replaced whole or not at all. */
#include "test_util.h"

#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"

static char *read_all(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static int exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static void text_replaces_the_file_and_leaves_no_part_file(void **state)
{
	(void)state;
	const char *path = "build/tests/atomic.txt";
	char err[256];
	assert_int_equal(atomic_file_write_text(path, "first", err, sizeof err), 0);
	assert_string_equal(read_all(path), "first\n");
	assert_int_equal(atomic_file_write_text(path, "second", err, sizeof err), 0);
	assert_string_equal(read_all(path), "second\n");
	assert_false(exists("build/tests/atomic.txt.part"));
	remove(path);
}

static void until_committed_the_old_file_stays_and_abort_keeps_it(void **state)
{
	(void)state;
	const char *path = "build/tests/atomic-abort.txt";
	char err[256];
	assert_int_equal(atomic_file_write_text(path, "good", err, sizeof err), 0);
	atomic_file a;
	assert_int_equal(atomic_file_open(&a, path, err, sizeof err), 0);
	fputs("half", a.f);
	fflush(a.f);
	assert_string_equal(read_all(path), "good\n"); /* readers never see the new one half-written */
	assert_true(exists("build/tests/atomic-abort.txt.part"));
	atomic_file_abort(&a);
	assert_string_equal(read_all(path), "good\n");
	assert_false(exists("build/tests/atomic-abort.txt.part"));
	remove(path);
}

static void a_failed_write_keeps_the_old_file(void **state)
{
	(void)state;
	const char *path = "build/tests/atomic-full.txt";
	char err[256];
	assert_int_equal(atomic_file_write_text(path, "good", err, sizeof err), 0);
	atomic_file a;
	assert_int_equal(atomic_file_open(&a, path, err, sizeof err), 0);
	/* a disk that fills up: the stream's error flag, as a failed write sets it */
	fclose(a.f);
	a.f = fopen("/dev/full", "wb");
	assert_non_null(a.f);
	fputs("new content that cannot be written", a.f);
	fflush(a.f);
	assert_int_equal(atomic_file_commit(&a, err, sizeof err), -1);
	assert_contains(err, "cannot write build/tests/atomic-full.txt");
	assert_string_equal(read_all(path), "good\n");
	assert_false(exists("build/tests/atomic-full.txt.part"));
	remove(path);
}

static void missing_directories_and_overlong_paths_are_errors(void **state)
{
	(void)state;
	char err[256];
	assert_int_equal(atomic_file_write_text("build/tests/no/such/dir/x.txt", "x", err, sizeof err), -1);
	assert_contains(err, "cannot write build/tests/no/such/dir/x.txt: No such file or directory");
	static char long_path[PATH_MAX + 10];
	memset(long_path, 'a', sizeof long_path - 1);
	atomic_file a;
	assert_int_equal(atomic_file_open(&a, long_path, err, sizeof err), -1);
	assert_contains(err, "is longer than");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(text_replaces_the_file_and_leaves_no_part_file),
	    cmocka_unit_test(until_committed_the_old_file_stays_and_abort_keeps_it),
	    cmocka_unit_test(a_failed_write_keeps_the_old_file),
	    cmocka_unit_test(missing_directories_and_overlong_paths_are_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
