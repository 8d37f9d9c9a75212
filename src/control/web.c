/*
 * web.c — the web surface's server: libwebsockets on its own thread, the
 * page's files from web/, and one WebSocket per page bridged to the OSC
 * port (see web.h; the routing in web_bridge.c, the picture in
 * web_picture.c).
 */
#include "web.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "error.h"
#include "log.h"
#include "web_bridge.h"

enum {
	WEB_TICK_US = 5000, /* how often replies are collected: well within a 60 Hz display */
	WEB_QUEUE_MAX = 256 /* packets waiting for a page that reads slowly; newer ones are dropped */
};

/* One packet on its way to a page, after the room lws_write wants before it. */
typedef struct web_out {
	struct web_out *next;
	size_t size;
	unsigned char *buffer; /* LWS_PRE bytes, then the packet */
} web_out;

/* One page (lws allocates it, zeroed, per WebSocket). */
typedef struct web_session {
	struct web_session *next;
	struct lws *wsi;
	int udp; /* this page's socket, connected to the OSC port */
	web_out *head, *tail;
	int queued;
	unsigned char *in; /* the packet being received (fragments joined) */
	size_t in_size;
	bool in_too_big;
	int channels[3]; /* the picture asked for (/web/picture), when wants_picture */
	bool wants_picture;
	uint64_t picture_sent; /* the terrain version it shows */
	char peer[64];
} web_session;

struct web_server {
	struct lws_context *context;
	struct lws_http_mount mount;
	char root[PATH_MAX];
	char token[WEB_TOKEN_MAX];
	struct sockaddr_storage osc;
	socklen_t osc_len;
	web_picture *picture;
	web_session *sessions;
	lws_sorted_usec_list_t tick;
	unsigned char datagram[WEB_PACKET_MAX];
	pthread_t thread;
	atomic_bool stopping;
	uint64_t dropped; /* packets a slow page missed (logged when it closes) */
};

/* ---- the queue to a page ------------------------------------------------ */

static void queue_buffer(web_session *ss, unsigned char *buffer, size_t size)
{
	web_out *o = buffer ? malloc(sizeof *o) : NULL;
	if (!o || ss->queued >= WEB_QUEUE_MAX) {
		free(o);
		free(buffer);
		return;
	}
	*o = (web_out){.size = size, .buffer = buffer};
	if (ss->tail)
		ss->tail->next = o;
	else
		ss->head = o;
	ss->tail = o;
	ss->queued++;
	lws_callback_on_writable(ss->wsi);
}

static void queue_copy(web_session *ss, const void *data, size_t size)
{
	unsigned char *buffer = malloc(LWS_PRE + size);
	if (buffer)
		memcpy(buffer + LWS_PRE, data, size);
	queue_buffer(ss, buffer, size);
}

static void queue_fail(web_session *ss, const char *address, const char *reason)
{
	size_t size;
	unsigned char *buffer = web_bridge_fail_packet(address, reason, LWS_PRE, &size);
	queue_buffer(ss, buffer, size);
}

static void drop_queue(web_session *ss)
{
	while (ss->head) {
		web_out *o = ss->head;
		ss->head = o->next;
		free(o->buffer);
		free(o);
	}
	ss->tail = NULL;
	ss->queued = 0;
}

/* ---- a page's session ------------------------------------------------------ */

static int open_session(web_server *s, web_session *ss, struct lws *wsi)
{
	ss->wsi = wsi;
	ss->udp = socket(s->osc.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ss->in = malloc(WEB_PACKET_MAX);
	lws_get_peer_simple(wsi, ss->peer, sizeof ss->peer);
	if (ss->udp < 0 || !ss->in || connect(ss->udp, (struct sockaddr *)&s->osc, s->osc_len) < 0) {
		log_error("web: cannot open an OSC socket for the page from %s: %s", ss->peer, strerror(errno));
		if (ss->udp >= 0)
			close(ss->udp);
		ss->udp = -1;
		free(ss->in);
		ss->in = NULL;
		return -1; /* lws closes the connection */
	}
	ss->next = s->sessions;
	s->sessions = ss;
	log_info("web: a page connected from %s", ss->peer);
	return 0;
}

static void close_session(web_server *s, web_session *ss)
{
	for (web_session **p = &s->sessions; *p; p = &(*p)->next)
		if (*p == ss) {
			*p = ss->next;
			log_info("web: the page from %s left", ss->peer);
			break;
		}
	if (ss->in) /* opened (open_session undoes itself when it fails) */
		close(ss->udp);
	ss->udp = -1;
	free(ss->in);
	ss->in = NULL;
	drop_queue(ss);
}

/* A whole packet from the page: to the OSC port, or answered here. */
static void handle_packet(web_session *ss)
{
	char address[64], reason[256];
	int channels[3];
	switch (web_bridge_route(ss->in, ss->in_size, channels, address, sizeof address, reason, sizeof reason)) {
	case WEB_ROUTE_OSC:
		if (send(ss->udp, ss->in, ss->in_size, 0) < 0)
			queue_fail(ss, "/web", strerror(errno));
		break;
	case WEB_ROUTE_PICTURE:
		memcpy(ss->channels, channels, sizeof channels);
		ss->wants_picture = true;
		ss->picture_sent = 0; /* sent at the next tick, even if the terrain is the same */
		break;
	case WEB_ROUTE_FAIL: queue_fail(ss, address, reason); break;
	}
}

static void receive_fragment(web_session *ss, struct lws *wsi, const void *in, size_t len)
{
	if (lws_is_first_fragment(wsi))
		ss->in_size = 0, ss->in_too_big = false;
	if (ss->in_size + len > WEB_PACKET_MAX)
		ss->in_too_big = true;
	else {
		memcpy(ss->in + ss->in_size, in, len);
		ss->in_size += len;
	}
	if (!lws_is_final_fragment(wsi))
		return;
	if (ss->in_too_big)
		queue_fail(ss, "/web", "a packet larger than 65507 bytes (what one OSC datagram can carry)");
	else
		handle_packet(ss);
}

static int write_next(web_session *ss, struct lws *wsi)
{
	web_out *o = ss->head;
	if (!o)
		return 0;
	if (lws_write(wsi, o->buffer + LWS_PRE, o->size, LWS_WRITE_BINARY) < (int)o->size)
		return -1;
	ss->head = o->next;
	if (!ss->head)
		ss->tail = NULL;
	ss->queued--;
	free(o->buffer);
	free(o);
	if (ss->head)
		lws_callback_on_writable(wsi);
	return 0;
}

/* Beyond loopback (or with http.token set) the WebSocket's address must
 * carry ?token=. */
static const char *header(struct lws *wsi, enum lws_token_indexes h, char *buf, int len)
{
	return lws_hdr_total_length(wsi, h) > 0 && lws_hdr_copy(wsi, buf, len, h) > 0 ? buf : NULL;
}

static int page_accepted(web_server *s, struct lws *wsi)
{
	char buf[WEB_TOKEN_MAX + 8], peer[64], origin[256], host[256];
	const char *given = lws_get_urlarg_by_name(wsi, "token=", buf, sizeof buf);
	const char *o = header(wsi, WSI_TOKEN_ORIGIN, origin, sizeof origin),
	           *h = header(wsi, WSI_TOKEN_HOST, host, sizeof host);
	lws_get_peer_simple(wsi, peer, sizeof peer);
	if (!web_origin_allowed(o, h, s->token[0] != '\0')) {
		log_warn("web: refused a page from %s: it came from %s to %s, not from this daemon's own page", peer,
		         o ? o : "(no origin)", h ? h : "(no host)");
		return 0;
	}
	if (web_token_accepts(s->token, given))
		return 1;
	log_warn("web: refused a page from %s: %s token", peer, given ? "wrong" : "no");
	return 0;
}

static int callback_surface(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	web_server *s = lws_context_user(lws_get_context(wsi));
	web_session *ss = user;
	switch (reason) {
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		if (!page_accepted(s, wsi)) {
			lws_return_http_status(wsi, HTTP_STATUS_FORBIDDEN, "wrong or missing token, or another site");
			return -1;
		}
		return 0;
	case LWS_CALLBACK_ESTABLISHED: return open_session(s, ss, wsi);
	case LWS_CALLBACK_RECEIVE: receive_fragment(ss, wsi, in, len); return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE: return write_next(ss, wsi);
	case LWS_CALLBACK_CLOSED: close_session(s, ss); return 0;
	default: return 0;
	}
}

static const struct lws_protocols protocols[] = {
    {"http", lws_callback_http_dummy, 0, 0, 0, NULL, 0},
    {"terraind", callback_surface, sizeof(web_session), 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* ---- the tick: replies to pages, pictures ---------------------------------- */

static void send_picture(web_server *s, web_session *ss)
{
	const unsigned char *rgb;
	char err[256];
	size_t size;
	web_picture_info info;
	if (web_picture_get(s->picture, ss->channels, &rgb, &info, err, sizeof err) < 0) {
		queue_fail(ss, "/web/picture", err);
		ss->wants_picture = false;
		return;
	}
	unsigned char *packet =
	    web_bridge_picture_packet(&info, WEB_PICTURE_SIZE, WEB_PICTURE_SIZE, rgb, LWS_PRE, &size);
	queue_buffer(ss, packet, size);
	size_t labels_size = 0;
	unsigned char *labels = web_bridge_labels_packet(&info, LWS_PRE, &labels_size);
	queue_buffer(ss, labels, labels_size);
	ss->picture_sent = info.version;
}

static void pump_session(web_server *s, web_session *ss, uint64_t version)
{
	ssize_t got;
	while ((got = recv(ss->udp, s->datagram, sizeof s->datagram, 0)) > 0)
		queue_copy(ss, s->datagram, (size_t)got);
	if (ss->wants_picture && ss->picture_sent != version)
		send_picture(s, ss);
}

static void tick(lws_sorted_usec_list_t *sul)
{
	web_server *s = (web_server *)((char *)sul - offsetof(web_server, tick));
	uint64_t version = web_picture_version(s->picture);
	for (web_session *ss = s->sessions; ss; ss = ss->next)
		pump_session(s, ss, version);
	lws_sul_schedule(s->context, 0, &s->tick, tick, WEB_TICK_US);
}

static void *web_main(void *arg)
{
	web_server *s = arg;
	while (!atomic_load(&s->stopping))
		lws_service(s->context, 0);
	return NULL;
}

/* ---- start and stop ---------------------------------------------------------- */

static void log_from_lws(int level, const char *line)
{
	int n = (int)strcspn(line, "\n");
	if (level & LLL_ERR)
		log_error("web: %.*s", n, line);
	else
		log_warn("web: %.*s", n, line);
}

/* The OSC socket's address as seen from here: a wildcard bind is reached
 * on loopback. */
static int resolve_osc(web_server *s, const char *bind, int port, char *err, size_t errlen)
{
	const char *host = strcmp(bind, "0.0.0.0") == 0 ? "127.0.0.1" : strcmp(bind, "::") == 0 ? "::1" : bind;
	char service[16];
	snprintf(service, sizeof service, "%d", port);
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM}, *list;
	int rc = getaddrinfo(host, service, &hints, &list);
	if (rc != 0)
		return error_set(err, errlen, "the web surface cannot reach OSC at %s:%d: %s", host, port,
		                 gai_strerror(rc));
	memcpy(&s->osc, list->ai_addr, list->ai_addrlen);
	s->osc_len = list->ai_addrlen;
	freeaddrinfo(list);
	return 0;
}

/* Whether the port can be listened on, asked of the kernel first: a busy
 * port is then a sentence with its reason (and libwebsockets 4.1 leaks
 * when its listening socket fails inside lws_create_context). */
static int probe_port(const web_options *o, char *err, size_t errlen)
{
	char service[16];
	snprintf(service, sizeof service, "%d", o->port);
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *list;
	int rc = getaddrinfo(o->bind, service, &hints, &list);
	if (rc != 0)
		return error_set(err, errlen, "the web surface's address %s: %s", o->bind, gai_strerror(rc));
	int fd = socket(list->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	rc = fd < 0 ? -1 : 0;
	if (rc == 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one); /* as libwebsockets does */
	if (rc == 0 && bind(fd, list->ai_addr, list->ai_addrlen) < 0)
		rc = -1;
	if (rc < 0)
		error_set(
		    err, errlen,
		    "cannot serve the web surface on %s:%d: %s (is the port in use? set http.port or --http-port, 0 "
		    "for none)",
		    o->bind, o->port, strerror(errno));
	if (fd >= 0)
		close(fd);
	freeaddrinfo(list);
	return rc;
}

static int create_context(web_server *s, const web_options *o, char *err, size_t errlen)
{
	if (probe_port(o, err, errlen) < 0)
		return -1;
	s->mount = (struct lws_http_mount){.mountpoint = "/",
	                                   .mountpoint_len = 1,
	                                   .origin = s->root,
	                                   .def = "index.html",
	                                   .origin_protocol = LWSMPRO_FILE};
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	info.port = o->port;
	info.iface = o->bind;
	info.protocols = protocols;
	info.mounts = &s->mount;
	info.user = s;
	info.gid = (gid_t)-1;
	info.uid = (uid_t)-1;
	if (!strchr(o->bind, ':'))
		info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	lws_set_log_level(LLL_ERR | LLL_WARN, log_from_lws);
	s->context = lws_create_context(&info);
	if (!s->context)
		return error_set(err, errlen,
		                 "cannot serve the web surface on %s:%d (is the port in use? set http.port or "
		                 "--http-port, 0 for none)",
		                 o->bind, o->port);
	return 0;
}

int web_start(const web_options *o, web_picture *picture, web_server **out, char *err, size_t errlen)
{
	*out = NULL;
	web_server *s = calloc(1, sizeof *s);
	if (!s)
		return error_set(err, errlen, "out of memory for the web surface");
	s->picture = picture;
	snprintf(s->token, sizeof s->token, "%s", o->token);
	char index[PATH_MAX + 16];
	int rc = -1;
	if (!realpath(o->root, s->root))
		error_set(err, errlen, "the web surface's files (%s): %s", o->root, strerror(errno));
	else if (snprintf(index, sizeof index, "%s/index.html", s->root), access(index, R_OK) < 0)
		error_set(err, errlen, "the web surface's page %s: %s", index, strerror(errno));
	else if (resolve_osc(s, o->osc_bind, o->osc_port, err, errlen) == 0 && create_context(s, o, err, errlen) == 0)
		rc = 0;
	if (rc == 0) {
		lws_sul_schedule(s->context, 0, &s->tick, tick, WEB_TICK_US);
		int e = pthread_create(&s->thread, NULL, web_main, s);
		if (e != 0) {
			error_set(err, errlen, "cannot start the web thread: %s", strerror(e));
			rc = -1;
		}
	}
	if (rc < 0) {
		if (s->context)
			lws_context_destroy(s->context);
		free(s);
		return -1;
	}
	*out = s;
	return 0;
}

int web_start_configured(const config *c, const char *root, web_picture *picture, web_server **out, char *err,
                         size_t errlen)
{
	*out = NULL;
	const int port = config_http_port(c);
	if (port == 0) {
		log_info("web surface off (http.port 0)");
		return 0;
	}
	char token[WEB_TOKEN_MAX];
	snprintf(token, sizeof token, "%s", c->http_token);
	if (strcmp(token, "auto") == 0 && web_token_generate(token, sizeof token, err, errlen) < 0)
		return -1;
	web_options o = {
	    .bind = c->http_bind, .port = port, .token = token, .root = root, .osc_bind = c->bind, .osc_port = c->port};
	/* The default port (the OSC port + 1) is a convenience: when it is
	 * taken, the daemon plays without the web surface and says so. A port
	 * asked for is a promise: not getting it stops the daemon. */
	const int asked = c->http_port > 0;
	if (!asked && (port == c->tcp_port || port == c->tuio_port)) {
		log_warn("web surface off: its default port %d (the OSC port + 1) is taken by OSC; set http.port",
		         port);
		return 0;
	}
	if (web_start(&o, picture, out, err, errlen) < 0) {
		if (asked)
			return -1;
		log_warn("web surface off: %s", err);
		return 0;
	}
	log_info("web surface: open http://%s:%d/%s%s", strchr(c->http_bind, ':') ? "[::1]" : c->http_bind, port,
	         token[0] ? "?token=" : "", token);
	return 0;
}

void web_stop(web_server *s)
{
	if (!s)
		return;
	atomic_store(&s->stopping, true);
	lws_cancel_service(s->context);
	pthread_join(s->thread, NULL);
	lws_context_destroy(s->context); /* closes the pages (close_session for each) */
	free(s);
}
