/*
 * confine.c — see confine.h.
 */
#include "confine.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "path.h"

/* True if `path` (a real path) is `dir` (a real path) or lies below it. */
static int path_is_inside(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0' || (n == 1 && dir[0] == '/'));
}

static int inside_allowed(const confine_dirs *allowed, const char *real)
{
	for (int i = 0; i < allowed->n; i++) {
		char dir[PATH_MAX];
		if (realpath(allowed->dir[i], dir) && path_is_inside(real, dir))
			return 1;
	}
	return 0;
}

enum { MAX_SYMLINKS = 40 }; /* as the kernel's limit on links followed in one lookup */

typedef struct resolution {
	char path[PATH_MAX];
	int exists;   /* every component exists */
	int via_link; /* a symbolic link was followed */
} resolution;

/* Appends one component to r->path and, while everything so far exists,
 * looks at it: a symbolic link is replaced by its target, which is put in
 * front of what remains to be walked (`rest`). Returns 0 or an errno. */
static int resolve_component(resolution *r, const char *name, size_t n, char *rest, size_t rest_size, int *links)
{
	size_t used = strlen(r->path);
	if (used + 1 + n >= sizeof r->path)
		return ENAMETOOLONG;
	r->path[used] = '/';
	memcpy(r->path + used + 1, name, n);
	r->path[used + 1 + n] = '\0';
	struct stat st;
	if (!r->exists)
		return 0;
	if (lstat(r->path, &st) != 0) {
		r->exists = 0;
		return errno == ENOENT ? 0 : errno;
	}
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t len = readlink(r->path, target, sizeof target - 1);
		if (len < 0)
			return errno;
		if (++*links > MAX_SYMLINKS)
			return ELOOP;
		target[len] = '\0';
		r->via_link = 1;
		r->path[target[0] == '/' ? 0 : used] = '\0'; /* drop the link's name (all of it: absolute) */
		char joined[2 * PATH_MAX];
		if ((size_t)snprintf(joined, sizeof joined, "%s/%s", target, rest) >= rest_size)
			return ENAMETOOLONG;
		snprintf(rest, rest_size, "%s", joined);
		return 0;
	}
	rest += strspn(rest, "/");
	return *rest && !S_ISDIR(st.st_mode) ? ENOTDIR : 0;
}

/* Like realpath(3), but a missing tail is kept (with "." and ".." applied
 * as written): the destination of a dangling link, or of a path that does
 * not exist, is still known, so it can be called outside. Returns 0 or an
 * errno. */
static int resolve(const char *path, resolution *r)
{
	r->exists = 1;
	r->via_link = 0;
	r->path[0] = '\0'; /* "" is the root: components are appended as "/name" */
	if (path[0] != '/' && !getcwd(r->path, sizeof r->path))
		return errno;
	if (strcmp(r->path, "/") == 0)
		r->path[0] = '\0';
	char todo[2 * PATH_MAX];
	if ((size_t)snprintf(todo, sizeof todo, "%s", path) >= sizeof todo)
		return ENAMETOOLONG;
	int links = 0;
	char *p = todo;
	for (;;) {
		p += strspn(p, "/");
		if (!*p)
			break;
		size_t n = strcspn(p, "/");
		char name[NAME_MAX + 1];
		if (n > NAME_MAX)
			return ENAMETOOLONG;
		memcpy(name, p, n);
		name[n] = '\0';
		/* What is left moves to the front of todo, where a link's target
		 * can be put before it. */
		memmove(todo, p + n, strlen(p + n) + 1);
		p = todo;
		if (strcmp(name, ".") == 0)
			continue;
		if (strcmp(name, "..") == 0) {
			char *slash = strrchr(r->path, '/');
			if (slash)
				*slash = '\0';
			continue;
		}
		int rc = resolve_component(r, name, n, todo, sizeof todo, &links);
		if (rc != 0)
			return rc;
	}
	if (!r->path[0])
		snprintf(r->path, sizeof r->path, "/");
	return 0;
}

/* Resolves `requested` to an existing real path inside an allowed
 * directory. Relative paths are tried against each allowed directory,
 * then the working directory. A candidate that leads outside counts as
 * "outside" (rather than "not found") when it exists, went through a
 * symbolic link, or was meant for an allowed directory; a bare name that
 * merely is not in the working directory does not. */
static int confine(const confine_dirs *allowed, const char *requested, char *real, char *err, size_t errlen)
{
	if (!requested[0])
		return error_set(err, errlen, "the path is empty");
	int outside = 0, problem = ENOENT;
	int relative = requested[0] != '/';
	for (int i = 0; i <= allowed->n; i++) {
		int in_working_dir = i == allowed->n;
		char candidate[2 * PATH_MAX + 2], dir[PATH_MAX];
		if (!in_working_dir && (!relative || !realpath(allowed->dir[i], dir)))
			continue;
		if (path_format(candidate, sizeof candidate, "the path", err, errlen, "%s%s%s",
		                in_working_dir ? "" : dir, in_working_dir ? "" : "/", requested) < 0)
			return -1;
		resolution r;
		int rc = resolve(candidate, &r);
		if (rc != 0) {
			problem = rc;
			continue;
		}
		if (!inside_allowed(allowed, r.path)) {
			outside |= r.exists || r.via_link || !in_working_dir || !relative;
			continue;
		}
		if (r.exists)
			return path_copy(real, PATH_MAX, r.path, "the resolved path", err, errlen);
	}
	if (outside)
		return error_set(err, errlen,
		                 "%s is outside the allowed directories (allowed_dirs in the configuration)",
		                 requested);
	return error_set(err, errlen, "%s: %s", requested, strerror(problem));
}

/* Opens a confined real path without following a link at its end, then
 * checks where the descriptor really points: if a directory on the way
 * was swapped for a link after confine() looked, the file opened is
 * elsewhere and is refused. O_NONBLOCK: opening a FIFO must not hang the
 * network thread (it is then refused as not a regular file). */
static int open_checked(const confine_dirs *allowed, const char *requested, const char *real, int directory, char *err,
                        size_t errlen)
{
	int fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | (directory ? O_DIRECTORY : 0));
	if (fd < 0 && errno == ELOOP) /* the last component became a link after confine() looked */
		return error_set(err, errlen, "%s is outside the allowed directories (it changed into a link)",
		                 requested);
	if (fd < 0)
		return error_set(err, errlen, "%s: %s", requested, strerror(errno));
	struct stat st;
	char link[64], actual[PATH_MAX];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, actual, sizeof actual - 1);
	int ok = n > 0 && fstat(fd, &st) == 0;
	if (ok)
		actual[n] = '\0';
	const char *why = !ok                                ? "cannot be checked (is /proc mounted?)"
	                  : !inside_allowed(allowed, actual) ? "is outside the allowed directories"
	                  : directory || S_ISREG(st.st_mode) ? NULL
	                                                     : "is not a regular file";
	if (why) {
		close(fd);
		return error_set(err, errlen, "%s %s", requested, why);
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

int confine_open(const confine_dirs *allowed, const char *requested, char *resolved, size_t len, char *err,
                 size_t errlen)
{
	char real[PATH_MAX];
	if (confine(allowed, requested, real, err, errlen) < 0)
		return -1;
	int fd = open_checked(allowed, requested, real, 0, err, errlen);
	if (fd >= 0 && path_copy(resolved, len, real, "the resolved path", err, errlen) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int confine_open_dir(const confine_dirs *allowed, const char *requested, const char **name, char *resolved, size_t len,
                     char *err, size_t errlen)
{
	char dir[PATH_MAX], real[PATH_MAX];
	const char *slash = strrchr(requested, '/');
	*name = slash ? slash + 1 : requested;
	if (!**name || strcmp(*name, ".") == 0 || strcmp(*name, "..") == 0)
		return error_set(err, errlen, "'%s' does not name a file", requested);
	int rc;
	if (slash)
		rc = path_format(dir, sizeof dir, "the directory", err, errlen, "%.*s",
		                 slash == requested ? 1 : (int)(slash - requested), requested);
	else /* a bare name goes to the first allowed directory */
		rc = path_copy(dir, sizeof dir, allowed->n > 0 ? allowed->dir[0] : ".", "the directory", err, errlen);
	if (rc < 0 || confine(allowed, dir, real, err, errlen) < 0)
		return -1;
	int fd = open_checked(allowed, dir, real, 1, err, errlen);
	if (fd >= 0 && path_format(resolved, len, "the path", err, errlen, "%s/%s", real, *name) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}
