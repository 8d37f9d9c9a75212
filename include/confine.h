/*
 * confine — where files may be read and written: paths confined to a list
 * of allowed directories (the configuration's `allowed_dirs`), resolved
 * and opened in one step.
 *
 * Relative paths are tried against each allowed directory, then the
 * working directory. Symbolic links are followed only where they stay
 * inside: one that leads out, even to a file that does not exist, is
 * refused as "outside the allowed directories". What is opened is checked,
 * not only what was resolved: the descriptor's own path (/proc/self/fd)
 * must lie inside, so a directory swapped for a link between the two
 * steps is caught. Read and write through the descriptor, never through
 * the path again.
 *
 * Threads: any non-RT thread. The directory list is the caller's; it is
 * read, never kept.
 */
#ifndef TERRAIND_CONFINE_H
#define TERRAIND_CONFINE_H

#include <stddef.h>

enum { CONFINE_MAX_DIRS = 8 };

/* The allowed directories, in the order they are tried. */
typedef struct confine_dirs {
	int n;
	const char *dir[CONFINE_MAX_DIRS];
} confine_dirs;

/* Resolves `requested` inside one of the allowed directories, opens it
 * read-only and returns the descriptor (close-on-exec; the caller closes
 * it). Fills `resolved` with the real path (for messages); -1 with a
 * reason if the file does not exist, is not a regular file, or lies
 * outside. */
int confine_open(const confine_dirs *allowed, const char *requested, char *resolved, size_t len, char *err,
                 size_t errlen);

/* The same for a file to be written (it may not exist yet): opens its
 * directory, which must lie inside an allowed directory, and sets *name to
 * the file's plain name within `requested` (a bare name goes to the first
 * allowed directory). Create the file with openat(dirfd, ...). */
int confine_open_dir(const confine_dirs *allowed, const char *requested, const char **name, char *resolved, size_t len,
                     char *err, size_t errlen);

#endif
