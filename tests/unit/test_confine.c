/* Unit tests for confine.c: paths confined to a list of allowed
 * directories, resolved and opened in one step; links followed only while
 * they stay inside; what cannot be written in full is refused. */
#include "test_util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "confine.h"

/* Opens a confined path and returns the first line read through the
 * descriptor; fails the test if it is refused. */
static const char *read_confined(const confine_dirs *d, const char *requested)
{
	static char line[256];
	char err[512], resolved[1024];
	int fd = confine_open(d, requested, resolved, sizeof resolved, err, sizeof err);
	if (fd < 0)
		fail_msg("%s was refused: %s", requested, err);
	ssize_t n = read(fd, line, sizeof line - 1);
	close(fd);
	line[n > 0 ? n : 0] = '\0';
	return line;
}

static void expect_confined_refusal(const confine_dirs *d, const char *requested, const char *why)
{
	char err[512], resolved[1024];
	int fd = confine_open(d, requested, resolved, sizeof resolved, err, sizeof err);
	if (fd >= 0) {
		close(fd);
		fail_msg("%s was opened as %s", requested, resolved);
	}
	assert_contains(err, why);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void paths_are_confined_to_the_allowed_directories(void **state)
{
	(void)state;
	confine_dirs d = {2, {"models", "terrains"}}; /* the default allowed_dirs */
	char err[512], resolved[1024];
	assert_string_equal(read_confined(&d, "demo.json"), read_confined(&d, "terrains/demo.json"));
	int fd = confine_open(&d, "demo.ts", resolved, sizeof resolved, err, sizeof err);
	assert_true(fd >= 0);
	close(fd);
	assert_contains(resolved, "/models/demo.ts");
	expect_confined_refusal(&d, "/etc/passwd", "outside the allowed directories");
	expect_confined_refusal(&d, "/etc/no-such-file", "outside the allowed directories");
	expect_confined_refusal(&d, "models/../README.md", "outside the allowed directories");
	expect_confined_refusal(&d, "../../../../../../etc/passwd", "outside the allowed directories");
	expect_confined_refusal(&d, "missing.ts", "No such file or directory");
	expect_confined_refusal(&d, "", "the path is empty");
}

/* build/tests/confine.XXXXXX/{allowed,outside}: links planted inside the
 * allowed directory, pointing in and out. */
static void symbolic_links_are_followed_only_while_they_stay_inside(void **state)
{
	(void)state;
	char root[] = "build/tests/confine.XXXXXX", path[256];
	assert_non_null(mkdtemp(root));
	char allowed[300];
	snprintf(allowed, sizeof allowed, "%s/allowed", root);
	confine_dirs d = {1, {allowed}};
#define AT(name) (snprintf(path, sizeof path, "%s/%s", root, name), path)
	assert_int_equal(mkdir(AT("allowed"), 0755), 0);
	assert_int_equal(mkdir(AT("allowed/sub"), 0755), 0);
	assert_int_equal(mkdir(AT("outside"), 0755), 0);
	write_text(AT("allowed/inner.json"), "inner");
	write_text(AT("outside/secret.json"), "secret");
	assert_int_equal(symlink("inner.json", AT("allowed/link-in")), 0);
	assert_int_equal(symlink("../inner.json", AT("allowed/sub/link-up-in")), 0);
	assert_int_equal(symlink("../outside/secret.json", AT("allowed/link-out")), 0);
	assert_int_equal(symlink("../outside/missing.json", AT("allowed/dangling-out")), 0);
	assert_int_equal(symlink("missing.json", AT("allowed/dangling-in")), 0);
	assert_int_equal(symlink("../outside", AT("allowed/dir-out")), 0);
	assert_int_equal(symlink("/etc/passwd", AT("allowed/absolute-out")), 0);
	assert_int_equal(symlink("loop-b", AT("allowed/loop-a")), 0);
	assert_int_equal(symlink("loop-a", AT("allowed/loop-b")), 0);
	assert_int_equal(mkfifo(AT("allowed/fifo"), 0644), 0);

	assert_string_equal(read_confined(&d, "inner.json"), "inner");
	assert_string_equal(read_confined(&d, "link-in"), "inner");
	assert_string_equal(read_confined(&d, "sub/link-up-in"), "inner");
	assert_string_equal(read_confined(&d, "sub/../inner.json"), "inner");
	expect_confined_refusal(&d, "link-out", "link-out is outside the allowed directories");
	expect_confined_refusal(&d, "dangling-out", "dangling-out is outside the allowed directories");
	expect_confined_refusal(&d, "absolute-out", "outside the allowed directories");
	expect_confined_refusal(&d, "dir-out/secret.json", "outside the allowed directories");
	expect_confined_refusal(&d, "../outside/secret.json", "outside the allowed directories");
	expect_confined_refusal(&d, "dangling-in", "No such file or directory");
	expect_confined_refusal(&d, "loop-a", "Too many levels of symbolic links");
	expect_confined_refusal(&d, "inner.json/x", "Not a directory");
	expect_confined_refusal(&d, "fifo", "fifo is not a regular file"); /* and opening it did not hang */
	expect_confined_refusal(&d, "sub", "sub is not a regular file");

	/* Files to write: their directory is confined and opened. */
	const char *name;
	char resolved[1024], err[512];
	int dirfd = confine_open_dir(&d, "new.json", &name, resolved, sizeof resolved, err, sizeof err);
	assert_true(dirfd >= 0);
	assert_string_equal(name, "new.json");
	assert_contains(resolved, "/allowed/new.json");
	close(dirfd);
	dirfd = confine_open_dir(&d, AT("allowed/sub/new.json"), &name, resolved, sizeof resolved, err, sizeof err);
	assert_true(dirfd >= 0);
	close(dirfd);
	assert_int_equal(confine_open_dir(&d, "dir-out/new.json", &name, resolved, sizeof resolved, err, sizeof err),
	                 -1);
	assert_contains(err, "outside the allowed directories");
	assert_int_equal(
	    confine_open_dir(&d, AT("outside/new.json"), &name, resolved, sizeof resolved, err, sizeof err), -1);
	assert_contains(err, "outside the allowed directories");
	assert_int_equal(confine_open_dir(&d, "sub/..", &name, resolved, sizeof resolved, err, sizeof err), -1);
	assert_contains(err, "does not name a file");
#undef AT
	char command[300];
	snprintf(command, sizeof command, "rm -rf '%s'", root);
	assert_int_equal(system(command), 0);
}

/* A real path longer than the caller's buffer: refused, never cut short
 * (a truncated path could name another file inside the allowed directory). */
static void confined_paths_that_do_not_fit_are_refused(void **state)
{
	(void)state;
	confine_dirs d = {1, {"build/tests/deep"}};
	char err[512], resolved[1024], dir[2048] = "build/tests/deep";
	char part[201];
	memset(part, 'p', sizeof part - 1);
	part[sizeof part - 1] = '\0';
	mkdir(dir, 0755);
	for (int i = 0; i < 6; i++) { /* 6 levels of 200 bytes: over 1200 bytes */
		snprintf(dir + strlen(dir), sizeof dir - strlen(dir), "/%s", part);
		mkdir(dir, 0755);
	}
	char file[2100], relative[2100];
	snprintf(file, sizeof file, "%s/t.json", dir);
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(relative, sizeof relative, "%s/t.json", dir + strlen("build/tests/deep/"));
	assert_int_equal(confine_open(&d, relative, resolved, sizeof resolved, err, sizeof err), -1);
	assert_contains(err, "the resolved path is longer than 1023 bytes");
	const char *name;
	assert_int_equal(confine_open_dir(&d, relative, &name, resolved, sizeof resolved, err, sizeof err), -1);
	assert_contains(err, "is longer than 1023 bytes");
	/* the same file through a buffer large enough */
	char large[PATH_MAX];
	int fd = confine_open(&d, relative, large, sizeof large, err, sizeof err);
	assert_true(fd >= 0);
	close(fd);
	assert_contains(large, "/t.json");
	remove(file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(paths_are_confined_to_the_allowed_directories),
	    cmocka_unit_test(symbolic_links_are_followed_only_while_they_stay_inside),
	    cmocka_unit_test(confined_paths_that_do_not_fit_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
