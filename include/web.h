/*
 * web — the web surface (docs/web.md): HTTP for the page's files in web/
 * and a WebSocket that carries OSC packets, served by libwebsockets on a
 * thread of its own (non-RT; one event loop for every page).
 *
 * Each WebSocket is one OSC client: what the page sends goes, as it is, to
 * the daemon's own OSC port from a UDP socket of the page's own (so the
 * dispatcher, its validation, /fail reasons, rate limits and /notify treat
 * a page exactly as any controller, and only the network thread ever
 * feeds the engine), and every datagram that comes back (/done, /fail,
 * /notify's /cursor, /voice/N/cursor, /status.reply) goes to the page.
 * The page's `/web/picture` requests are answered here, from web_picture.
 *
 * Beyond loopback a page must show the token (?token= in the WebSocket's
 * address); config_validate refuses such a bind without one.
 *
 * Threads: web_start/web_stop on the main thread; everything else on the
 * web thread.
 */
#ifndef TERRAIND_WEB_H
#define TERRAIND_WEB_H

#include <stddef.h>

#include "config.h"
#include "web_picture.h"

typedef struct web_server web_server;

typedef struct web_options {
	const char *bind;     /* the address to listen on */
	int port;             /* 1..65535 */
	const char *token;    /* "" = none needed */
	const char *root;     /* the page's files (web/) */
	const char *osc_bind; /* the OSC socket's address (a wildcard: loopback is used) */
	int osc_port;
} web_options;

/* Listens (so that a busy port is an error at start-up), then starts the
 * web thread. */
int web_start(const web_options *options, web_picture *picture, web_server **out, char *err, size_t errlen);
/* web_start as the configuration says (http.*, next to osc.*; the page's
 * files in `root`, the installation's web/: install_dirs_web_root):
 * nothing when the port is 0 (*out NULL); http.token "auto" is replaced by
 * a generated token. Logs the address to open. When http.port is not set
 * and the default port (the OSC port + 1) cannot be served, a warning and
 * no web surface; when it is set, an error. */
int web_start_configured(const config *c, const char *root, web_picture *picture, web_server **out, char *err,
                         size_t errlen);
/* Stops the thread and closes every page's connection; NULL is a no-op. */
void web_stop(web_server *s);

#endif
