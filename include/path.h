/*
 * path — copying paths and names into fixed buffers without ever cutting
 * them short. A path that does not fit is an error that says so ("the
 * model path is longer than 1023 bytes"), never a silently truncated path
 * that would open, or overwrite, another file.
 *
 * Threads: any; RT-safe: no (they format error sentences).
 */
#ifndef TERRAIND_PATH_H
#define TERRAIND_PATH_H

#include <stddef.h>

/* Copies src into dst[size]. `what` names it in the error ("the model
 * path"). */
int path_copy(char *dst, size_t size, const char *src, const char *what, char *err, size_t errlen);

/* snprintf into dst[size], refused (dst untouched) when the result would
 * not fit. */
int path_format(char *dst, size_t size, const char *what, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* The file name without its directory and its last extension:
 * "models/demo.ts" -> "demo", "a/.hidden" -> ".hidden". */
int path_stem(const char *path, char *name, size_t size, const char *what, char *err, size_t errlen);

#endif
