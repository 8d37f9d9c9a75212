/*
 * atomic_file.c — see atomic_file.h.
 */
#include "atomic_file.h"

#include "error.h"
#include "path.h"

#include <errno.h>
#include <string.h>

int atomic_file_open(atomic_file *a, const char *path, char *err, size_t errlen)
{
	a->f = NULL;
	if (path_copy(a->path, sizeof a->path, path, "the path", err, errlen) < 0 ||
	    path_format(a->part, sizeof a->part, "the path", err, errlen, "%s.part", path) < 0)
		return -1;
	a->f = fopen(a->part, "wb");
	if (!a->f)
		return error_set(err, errlen, "cannot write %s: %s", path, strerror(errno));
	return 0;
}

int atomic_file_commit(atomic_file *a, char *err, size_t errlen)
{
	int written = !ferror(a->f);
	int saved = errno;
	if (fclose(a->f) != 0) {
		written = 0;
		saved = errno;
	}
	a->f = NULL;
	if (!written) {
		remove(a->part);
		return error_set(err, errlen, "cannot write %s: %s", a->path, strerror(saved));
	}
	if (rename(a->part, a->path) != 0)
		return error_set(err, errlen, "cannot replace %s: %s (the complete new file is %s)", a->path,
		                 strerror(errno), a->part);
	return 0;
}

void atomic_file_abort(atomic_file *a)
{
	if (a->f)
		fclose(a->f);
	a->f = NULL;
	remove(a->part);
}

int atomic_file_write_text(const char *path, const char *text, char *err, size_t errlen)
{
	atomic_file a;
	if (atomic_file_open(&a, path, err, errlen) < 0)
		return -1;
	fputs(text, a.f);
	fputc('\n', a.f);
	return atomic_file_commit(&a, err, errlen);
}
