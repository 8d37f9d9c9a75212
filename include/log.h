/*
 * log — leveled messages to stderr for the command line and non-RT threads.
 *
 * Threads: any non-real-time thread. Never from the audio callback or the
 * render loop's hot path (stdio locks); those count events in atomics and
 * let a non-RT thread report them.
 */
#ifndef TERRAIND_LOG_H
#define TERRAIND_LOG_H

typedef enum log_level { LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG } log_level;

void log_set_level(log_level level);
/* Parses "error", "warn", "info" or "debug"; returns -1 if unknown. */
int log_parse_level(const char *name, log_level *level);
void log_msg(log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
