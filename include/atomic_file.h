/*
 * atomic_file — replacing a file so that readers see the old version or
 * the complete new one, never a half-written one: the new content goes to
 * "PATH.part", which is renamed over PATH once it is completely written.
 * A save that fails leaves the previous file as it was.
 *
 * Used by every writer of terraind's files: terrains, datasets, gestures,
 * plots and WAV files (recordings and renders).
 *
 * Threads: non-RT only (file I/O).
 */
#ifndef TERRAIND_ATOMIC_FILE_H
#define TERRAIND_ATOMIC_FILE_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

typedef struct atomic_file {
	FILE *f;                 /* write the new content here */
	char path[PATH_MAX];     /* the file it replaces */
	char part[PATH_MAX + 8]; /* PATH.part while it is written */
} atomic_file;

/* Creates PATH.part for writing (binary). A path that does not fit is an
 * error, never a truncated name. */
int atomic_file_open(atomic_file *a, const char *path, char *err, size_t errlen);

/* Closes PATH.part and renames it over PATH. If a write or the close
 * failed, PATH.part is removed and PATH left alone; if only the rename
 * failed, the complete PATH.part is kept and the error names it. */
int atomic_file_commit(atomic_file *a, char *err, size_t errlen);

/* Closes and removes PATH.part; PATH is left as it was. */
void atomic_file_abort(atomic_file *a);

/* The whole of `text` and a final newline as file `name` of the directory
 * open as `dirfd` (a confined directory: osc.c opens it), through a fresh
 * temporary file (O_EXCL, O_NOFOLLOW) renamed into place. Without
 * `overwrite` an existing file is kept and the error says "already exists". */
int atomic_file_write_at(int dirfd, const char *name, const char *text, int overwrite, char *err, size_t errlen);

/* The whole of `text` and a final newline as the new content of PATH. */
int atomic_file_write_text(const char *path, const char *text, char *err, size_t errlen);

#endif
