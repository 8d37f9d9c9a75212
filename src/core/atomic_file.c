/*
 * atomic_file.c — see atomic_file.h.
 */
#include "atomic_file.h"

#include "error.h"
#include "path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

/* Creates a temporary file beside the target: a fresh name, O_EXCL and
 * O_NOFOLLOW, so that nothing planted there (a link to elsewhere, an old
 * temporary file) is ever written through. */
static int create_temporary(int dirfd, const char *name, char *tmp, size_t len)
{
	static atomic_uint counter;
	for (int attempt = 0; attempt < 100; attempt++) {
		snprintf(tmp, len, ".%s.%ld.%u.tmp", name, (long)getpid(), atomic_fetch_add(&counter, 1));
		int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

static int write_all(int fd, const char *text, size_t size)
{
	while (size > 0) {
		ssize_t n = write(fd, text, size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		text += n;
		size -= (size_t)n;
	}
	return 0;
}

/* Puts the finished temporary file in place. Without `overwrite`, an
 * existing name is kept (RENAME_NOREPLACE, or a hard link where the file
 * system lacks it): checking first and renaming after would leave a window. */
static int move_into_place(int dirfd, const char *tmp, const char *name, int overwrite)
{
	if (overwrite)
		return renameat(dirfd, tmp, dirfd, name);
	if (renameat2(dirfd, tmp, dirfd, name, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	if (linkat(dirfd, tmp, dirfd, name, 0) != 0)
		return -1;
	unlinkat(dirfd, tmp, 0);
	return 0;
}

int atomic_file_write_at(int dirfd, const char *name, const char *text, int overwrite, char *err, size_t errlen)
{
	char tmp[NAME_MAX + 64];
	int fd = strlen(name) > NAME_MAX ? (errno = ENAMETOOLONG, -1) : create_temporary(dirfd, name, tmp, sizeof tmp);
	int ok = fd >= 0 && write_all(fd, text, strlen(text)) == 0 && write_all(fd, "\n", 1) == 0 && fsync(fd) == 0;
	int e = errno;
	if (fd >= 0 && close(fd) != 0 && ok)
		ok = 0, e = errno;
	if (ok && move_into_place(dirfd, tmp, name, overwrite) == 0)
		return 0;
	if (ok)
		e = errno;
	if (fd >= 0)
		unlinkat(dirfd, tmp, 0);
	if (e == EEXIST)
		return error_set(err, errlen, "%s already exists (not overwritten)", name);
	return error_set(err, errlen, "cannot write %s: %s", name, strerror(e));
}
