/*
 * daemon — the live instrument: its threads (render, audio callback,
 * network, worker, notifier), their start in the order that never glitches,
 * signals, reloads, reconnecting the audio, and the clean stop.
 *
 * `terraind serve` (src/cli/cmd_serve.c) builds the configuration from the
 * file and the command line and hands it here.
 *
 * Threads: daemon_run on the main thread, which it keeps until the daemon
 * stops (SIGINT, SIGTERM or /quit).
 */
#ifndef TERRAIND_DAEMON_H
#define TERRAIND_DAEMON_H

#include <stddef.h>

#include "config.h"

typedef struct daemon_options {
	/* SIGHUP: builds the configuration again (file and command line) into
	 * *next; 0, or -1 with a reason (the current one is kept). */
	int (*reload)(void *ctx, config *next, char *err, size_t errlen);
	void *reload_ctx;
	const char *config_path; /* the file read ("" = the built-in defaults): the log, /status */
	const char *data_dirs;   /* the data roots, ':'-separated (config_locate.h): /status */
	const char *web_root;    /* the web surface's files (install_dirs_web_root) */
	/* The whole command line: the daemon executes itself again with it to
	 * reconnect an audio server that went away and came back. */
	char **argv;
} daemon_options;

/* Plays until told to stop; returns the process's exit status (0, or 1
 * with the reason in the log). */
int daemon_run(const config *c, const daemon_options *options);

#endif
