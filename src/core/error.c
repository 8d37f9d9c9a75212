/* error.c — see error.h. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

int error_set(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}
