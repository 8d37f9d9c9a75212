/*
 * error — the one way modules report failure: a sentence in the caller's
 * buffer and -1 as the return value (liblo's habit: libraries never print).
 *
 * Threads: any non-RT thread (vsnprintf may take locale locks).
 */
#ifndef TERRAIND_ERROR_H
#define TERRAIND_ERROR_H

#include <stddef.h>

/* Formats into err (when err is not NULL) and returns -1, so that a
 * failing function can end with `return error_set(err, errlen, ...)`. */
int error_set(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
