/*
 * temp_tree.h — small trees of folders and files in a temporary folder,
 * for the tests of install_dirs and config_locate (which look at what
 * exists on disk). temp_tree_setup and temp_tree_teardown make and remove
 * the folder around each test; at("a/b") is its path.
 */
#ifndef TERRAIND_TEMP_TREE_H
#define TERRAIND_TEMP_TREE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char base[256]; /* the tree's root */

/* mkdir -p base/<rel> */
static inline void make_dir(const char *rel)
{
	char path[2048];
	snprintf(path, sizeof path, "%s/%s", base, rel);
	for (char *p = strchr(path + 1, '/');; p = strchr(p + 1, '/')) {
		if (p)
			*p = '\0';
		mkdir(path, 0755);
		if (!p)
			break;
		*p = '/';
	}
}

static inline void make_file(const char *rel, const char *text)
{
	char path[2048], dir[1024];
	snprintf(dir, sizeof dir, "%s", rel);
	char *slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		make_dir(dir);
	}
	snprintf(path, sizeof path, "%s/%s", base, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* base/<rel>, in one of a few rotating buffers. */
static inline const char *at(const char *rel)
{
	static char paths[8][1024];
	static int next;
	char *p = paths[next++ % 8];
	snprintf(p, sizeof paths[0], "%s/%s", base, rel);
	return p;
}

static inline int temp_tree_setup(void **state)
{
	(void)state;
	snprintf(base, sizeof base, "%s/terraind-install-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(base));
	return 0;
}

static inline int temp_tree_teardown(void **state)
{
	(void)state;
	char command[512];
	snprintf(command, sizeof command, "rm -rf '%s'", base);
	return system(command) == 0 ? 0 : -1;
}

#endif
