/*
 * path.c — see path.h.
 */
#include "path.h"

#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int too_long(size_t size, const char *what, const char *text, char *err, size_t errlen)
{
	return error_set(err, errlen, "%s is longer than %zu bytes (it begins '%.60s...')", what, size - 1, text);
}

int path_copy(char *dst, size_t size, const char *src, const char *what, char *err, size_t errlen)
{
	size_t n = strlen(src);
	if (n >= size)
		return too_long(size, what, src, err, errlen);
	memcpy(dst, src, n + 1);
	return 0;
}

int path_format(char *dst, size_t size, const char *what, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return error_set(err, errlen, "cannot format %s", what);
	if ((size_t)n >= size) {
		char start[64];
		va_start(ap, fmt);
		vsnprintf(start, sizeof start, fmt, ap);
		va_end(ap);
		return too_long(size, what, start, err, errlen);
	}
	va_start(ap, fmt);
	vsnprintf(dst, size, fmt, ap);
	va_end(ap);
	return 0;
}

int path_stem(const char *path, char *name, size_t size, const char *what, char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	const char *dot = strrchr(base, '.');
	size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	if (n >= size)
		return too_long(size, what, base, err, errlen);
	memcpy(name, base, n);
	name[n] = '\0';
	return 0;
}
