/*
 * log.c — one line per message, "terraind: <level>: <text>", on stderr, so
 * stdout stays clean for data (eval output, info).
 */
#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

static atomic_int current_level = LOG_INFO;
static const char *const level_names[] = {"error", "warn", "info", "debug"};

void log_set_level(log_level level)
{
	atomic_store(&current_level, (int)level);
}

int log_parse_level(const char *name, log_level *level)
{
	for (int i = 0; i <= LOG_DEBUG; i++)
		if (strcmp(name, level_names[i]) == 0) {
			*level = (log_level)i;
			return 0;
		}
	return -1;
}

void log_msg(log_level level, const char *fmt, ...)
{
	if ((int)level > atomic_load(&current_level))
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	/* One fputs per line keeps lines from two threads whole. */
	char out[1100];
	snprintf(out, sizeof out, "terraind: %s: %s\n", level_names[level], line);
	fputs(out, stderr);
}
