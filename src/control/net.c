/*
 * net.c — UDP and TCP sockets for OSC, one poll() loop on one thread.
 *
 * Datagrams are handled as they arrive; nothing is buffered beyond the
 * kernel's socket buffer, so a flood costs CPU on this thread only and
 * never reaches the render or audio threads except as control events the
 * engine's ring may drop (and count).
 *
 * TCP replies come from several threads (this one, the worker, the
 * notifier). Each reply is one whole frame, length prefix and body, added
 * under the clients' lock to the connection's output buffer and written
 * from there as far as the kernel takes it; this thread writes the rest
 * when the socket is writable. Frames never interleave, and a short write
 * never desynchronises the stream. While a client that stops reading has a
 * full buffer, further replies to it are dropped whole and counted
 * (replies_suppressed), as datagrams would be: the stream stays in step.
 */
#include "net.h"

#include "error.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "osc_stream.h"

enum {
	MAX_PACKET = 65536,
	MAX_TCP_CLIENTS = 8,
	BURST_MAX = 256,         /* datagrams read before handling them together */
	BURST_BYTES = 1 << 20,   /* room for them */
	TCP_OUT_BYTES = 1 << 18, /* replies a TCP client has not read yet */
};

typedef struct tcp_client {
	int fd;             /* -1: free slot */
	uint64_t id;        /* the osc_peer's `connection`: never reused */
	osc_stream in;      /* incoming frames (this thread only) */
	unsigned char *out; /* outgoing whole frames not yet taken by the kernel (clients_lock) */
	size_t out_used;
	int hung_up; /* shut down by a sender; this thread drops it on the hang-up */
	struct sockaddr_storage addr;
	socklen_t len;
	bool authenticated; /* no password needed, or /auth passed */
} tcp_client;

struct net_server {
	int udp_fd, tcp_fd;
	int tuio_fd; /* TUIO 1.1 over UDP (-1: none): read like udp_fd; replies, if any, leave from udp_fd */
	osc_context *osc;
	pthread_t thread;
	atomic_bool running;
	/* Guards the slots' fd, id and output buffers: other threads send
	 * replies, this thread accepts and drops connections. Non-RT threads only. */
	pthread_mutex_t clients_lock;
	uint64_t last_id;
	tcp_client clients[MAX_TCP_CLIENTS];
	unsigned char *burst; /* BURST_BYTES */
	osc_packet packets[BURST_MAX];
	/* net_watch (clients_lock): a descriptor inside the daemon (-1: none) */
	int watch_fd;
	void (*watch_ready)(void *ctx);
	void (*watch_reply)(void *ctx, const void *data, size_t size);
	void *watch_ctx;
};

/* The kernel's count of datagrams it dropped on this socket (queue full),
 * sent along with each datagram once SO_RXQ_OVFL is on (Linux). */
static void note_kernel_drops(net_server *s, struct msghdr *msg)
{
#ifdef SO_RXQ_OVFL
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
			uint32_t dropped;
			memcpy(&dropped, CMSG_DATA(c), sizeof dropped);
			atomic_store(&s->osc->udp_dropped, dropped);
		}
#else
	(void)s, (void)msg;
#endif
}

static int open_socket(const char *address, int port, int type, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = type, .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *ai;
	char service[16];
	snprintf(service, sizeof service, "%d", port);
	int rc = getaddrinfo(address, service, &hints, &ai);
	if (rc != 0)
		return error_set(err, errlen, "cannot use bind address %s: %s", address, gai_strerror(rc));
	/* Close-on-exec: the daemon re-executes itself to reconnect the audio. */
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	int one = 1;
	if (fd >= 0 && type == SOCK_STREAM)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || (type == SOCK_STREAM && listen(fd, 4) != 0)) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return error_set(err, errlen, "cannot listen for OSC on %s %s:%d: %s%s",
		                 type == SOCK_STREAM ? "TCP" : "UDP", address, port, strerror(e),
		                 e == EADDRINUSE ? " (another terraind running? choose another port)" : "");
	}
	freeaddrinfo(ai);
	return fd;
}

/* The connection with this id, or NULL once it has closed (lock held). */
static tcp_client *find_client(net_server *s, uint64_t id)
{
	for (int i = 0; i < MAX_TCP_CLIENTS; i++)
		if (s->clients[i].fd >= 0 && s->clients[i].id == id && !s->clients[i].hung_up)
			return &s->clients[i];
	return NULL;
}

/* Ends a connection from any thread: this thread sees the hang-up and
 * drops it (closing here could hand its descriptor to a new connection
 * while this thread still polls it). */
static void hang_up(tcp_client *c, const char *why)
{
	log_warn("closing an OSC TCP connection: %s", why);
	shutdown(c->fd, SHUT_RDWR);
	c->out_used = 0;
	c->hung_up = 1;
}

/* Writes what the kernel takes of the output buffer (lock held). */
static void flush_client(tcp_client *c)
{
	while (c->out_used > 0) {
		ssize_t n = send(c->fd, c->out, c->out_used, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			memmove(c->out, c->out + n, c->out_used - (size_t)n);
			c->out_used -= (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else {
			if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
				hang_up(c, strerror(errno));
			return;
		}
	}
}

static void send_tcp(net_server *s, uint64_t id, const void *data, size_t size)
{
	pthread_mutex_lock(&s->clients_lock);
	tcp_client *c = find_client(s, id);
	if (c && c->out_used + OSC_STREAM_PREFIX + size > TCP_OUT_BYTES)
		atomic_fetch_add(&s->osc->replies_suppressed, 1);
	else if (c) {
		c->out_used += osc_stream_frame(c->out + c->out_used, data, size);
		flush_client(c);
	}
	pthread_mutex_unlock(&s->clients_lock);
}

void net_watch(net_server *s, int fd, void (*ready)(void *ctx), void (*reply)(void *ctx, const void *data, size_t size),
               void *ctx)
{
	pthread_mutex_lock(&s->clients_lock);
	s->watch_ready = ready;
	s->watch_reply = reply;
	s->watch_ctx = ctx;
	s->watch_fd = fd;
	pthread_mutex_unlock(&s->clients_lock);
}

/* A reply to the daemon's own sender: to its watch, not a socket. */
static void send_internal(net_server *s, const void *data, size_t size)
{
	pthread_mutex_lock(&s->clients_lock);
	void (*reply)(void *, const void *, size_t) = s->watch_reply;
	void *ctx = s->watch_ctx;
	pthread_mutex_unlock(&s->clients_lock);
	if (reply)
		reply(ctx, data, size);
}

void net_send(void *ctx, const osc_peer *peer, const void *data, size_t size)
{
	net_server *s = ctx;
	if (peer->connection == OSC_CONNECTION_INTERNAL) {
		send_internal(s, data, size);
		return;
	}
	if (peer->connection) {
		send_tcp(s, peer->connection, data, size);
		return;
	}
	/* Non-blocking: a client that stopped reading must not stall us. */
	sendto(s->udp_fd, data, size, MSG_DONTWAIT, (const struct sockaddr *)&peer->addr, peer->len);
}

/* Reads what is waiting on a UDP socket (up to a burst) and hands it over
 * at once, so that superseded cursor moves in a flood are skipped, not
 * dispatched. */
static void receive_udp(net_server *s, int fd)
{
	size_t used = 0;
	int n = 0, reads = 0; /* reads: refused datagrams count too, so a flood of them ends the burst */
	while (n < BURST_MAX && reads++ < BURST_MAX && BURST_BYTES - used >= MAX_PACKET) {
		osc_packet *p = &s->packets[n];
		p->peer = (osc_peer){.connection = 0};
		struct iovec iov = {s->burst + used, MAX_PACKET};
		union {
			struct cmsghdr align;
			unsigned char bytes[CMSG_SPACE(sizeof(uint32_t))];
		} control;
		struct msghdr msg = {.msg_name = &p->peer.addr,
		                     .msg_namelen = sizeof p->peer.addr,
		                     .msg_iov = &iov,
		                     .msg_iovlen = 1,
		                     .msg_control = control.bytes,
		                     .msg_controllen = sizeof control.bytes};
		ssize_t got = recvmsg(fd, &msg, MSG_DONTWAIT);
		if (got <= 0)
			break;
		p->peer.len = msg.msg_namelen;
		note_kernel_drops(s, &msg);
		/* Outside the allow-list: dropped without a reply, so that a
		 * datagram with a forged sender cannot turn the daemon into a
		 * reflector that sends replies at someone else. */
		if (!osc_peer_allowed(s->osc, &p->peer))
			continue;
		p->data = s->burst + used;
		p->size = (size_t)got;
		used += ((size_t)got + 7) & ~(size_t)7;
		n++;
	}
	if (n > 0)
		osc_handle_batch(s->osc, s->packets, n);
}

static void accept_tcp(net_server *s)
{
	struct sockaddr_storage addr;
	socklen_t len = sizeof addr;
	int fd = accept4(s->tcp_fd, (struct sockaddr *)&addr, &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	/* Replies are small and wanted at once: without this, Nagle's
	 * algorithm and the client's delayed ACK held them back 40 ms or more. */
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (!osc_peer_allowed(s->osc, &(osc_peer){.addr = addr, .len = len})) {
		close(fd); /* outside osc.allow: not a byte read or sent */
		return;
	}
	pthread_mutex_lock(&s->clients_lock);
	for (int i = 0; i < MAX_TCP_CLIENTS; i++) {
		tcp_client *c = &s->clients[i];
		if (c->fd < 0) {
			*c = (tcp_client){.fd = fd,
			                  .id = ++s->last_id,
			                  .in = c->in,
			                  .out = c->out,
			                  .addr = addr,
			                  .len = len,
			                  .authenticated = !osc_needs_password(s->osc)};
			osc_stream_reset(&c->in);
			pthread_mutex_unlock(&s->clients_lock);
			return;
		}
	}
	pthread_mutex_unlock(&s->clients_lock);
	log_warn("refusing an OSC TCP connection: %d clients already connected", MAX_TCP_CLIENTS);
	close(fd);
}

static void drop_client(net_server *s, tcp_client *c)
{
	pthread_mutex_lock(&s->clients_lock);
	close(c->fd);
	c->fd = -1;
	c->id = 0;
	c->out_used = 0;
	osc_stream_reset(&c->in);
	pthread_mutex_unlock(&s->clients_lock);
}

/* Reads what is there and handles every complete length-prefixed packet. */
typedef struct tcp_delivery {
	net_server *server;
	tcp_client *client;
	osc_peer peer;
	int refused; /* a wrong /auth: nothing more is read from this connection */
} tcp_delivery;

static void deliver_tcp_packet(void *ctx, const unsigned char *packet, size_t size)
{
	tcp_delivery *d = ctx;
	if (d->refused)
		return;
	if (!d->client->authenticated) { /* the first packet must be /auth <password> */
		if (osc_authenticate(d->server->osc, packet, size, &d->peer) < 0)
			d->refused = 1;
		else
			d->client->authenticated = true;
		return;
	}
	osc_handle_packet(d->server->osc, packet, size, &d->peer);
}

static void receive_tcp(net_server *s, tcp_client *c)
{
	size_t room;
	unsigned char *space = osc_stream_space(&c->in, &room);
	ssize_t n = recv(c->fd, space, room, MSG_DONTWAIT);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			drop_client(s, c);
		return;
	}
	tcp_delivery d = {s, c, {.addr = c->addr, .len = c->len, .connection = c->id}, 0};
	char why[128];
	if (osc_stream_commit(&c->in, (size_t)n, deliver_tcp_packet, &d, why, sizeof why) < 0) {
		log_warn("closing an OSC TCP connection: %s", why);
		drop_client(s, c);
	} else if (d.refused) {
		drop_client(s, c);
	}
}

static void *net_main(void *arg)
{
	net_server *s = arg;
	while (atomic_load(&s->running)) {
		struct pollfd fds[4 + MAX_TCP_CLIENTS];
		int map[4 + MAX_TCP_CLIENTS], n = 0;
		fds[n] = (struct pollfd){.fd = s->udp_fd, .events = POLLIN};
		map[n++] = -1;
		if (s->tuio_fd >= 0) {
			fds[n] = (struct pollfd){.fd = s->tuio_fd, .events = POLLIN};
			map[n++] = -3;
		}
		if (s->tcp_fd >= 0) {
			fds[n] = (struct pollfd){.fd = s->tcp_fd, .events = POLLIN};
			map[n++] = -2;
		}
		pthread_mutex_lock(&s->clients_lock);
		if (s->watch_fd >= 0) {
			fds[n] = (struct pollfd){.fd = s->watch_fd, .events = POLLIN};
			map[n++] = -4;
		}
		void (*ready)(void *) = s->watch_ready;
		void *watch_ctx = s->watch_ctx;
		for (int i = 0; i < MAX_TCP_CLIENTS; i++)
			if (s->clients[i].fd >= 0) {
				short events = POLLIN | (s->clients[i].out_used ? POLLOUT : 0);
				fds[n] = (struct pollfd){.fd = s->clients[i].fd, .events = events};
				map[n++] = i;
			}
		pthread_mutex_unlock(&s->clients_lock);
		if (poll(fds, (nfds_t)n, 100) <= 0)
			continue;
		for (int i = 0; i < n; i++) {
			if (map[i] >= 0 && (fds[i].revents & POLLOUT)) {
				pthread_mutex_lock(&s->clients_lock);
				flush_client(&s->clients[map[i]]);
				pthread_mutex_unlock(&s->clients_lock);
			}
			if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (map[i] == -1 || map[i] == -3)
				receive_udp(s, fds[i].fd);
			else if (map[i] == -4)
				ready(watch_ctx);
			else if (map[i] == -2)
				accept_tcp(s);
			else if (s->clients[map[i]].fd == fds[i].fd)
				receive_tcp(s, &s->clients[map[i]]);
		}
	}
	return NULL;
}

int net_start(const char *bind_address, int udp_port, int tcp_port, int tuio_port, osc_context *o, net_server **out,
              char *err, size_t errlen)
{
	*out = NULL;
	net_server *s = calloc(1, sizeof *s);
	if (!s)
		return error_set(err, errlen, "out of memory");
	s->osc = o;
	s->tcp_fd = s->tuio_fd = s->watch_fd = -1;
	pthread_mutex_init(&s->clients_lock, NULL);
	for (int i = 0; i < MAX_TCP_CLIENTS; i++)
		s->clients[i].fd = -1;
	s->udp_fd = open_socket(bind_address, udp_port, SOCK_DGRAM, err, errlen);
	if (s->udp_fd < 0 ||
	    (tcp_port && (s->tcp_fd = open_socket(bind_address, tcp_port, SOCK_STREAM, err, errlen)) < 0) ||
	    (tuio_port && (s->tuio_fd = open_socket(bind_address, tuio_port, SOCK_DGRAM, err, errlen)) < 0)) {
		net_stop(s);
		return -1;
	}
	if (!(s->burst = malloc(BURST_BYTES))) {
		net_stop(s);
		return error_set(err, errlen, "out of memory");
	}
	int big = 1 << 20; /* absorb bursts from controllers while this thread is busy */
	setsockopt(s->udp_fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
#ifdef SO_RXQ_OVFL
	int one = 1;
	setsockopt(s->udp_fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
#endif
	for (int i = 0; tcp_port && i < MAX_TCP_CLIENTS; i++)
		if (osc_stream_init(&s->clients[i].in) < 0 || !(s->clients[i].out = malloc(TCP_OUT_BYTES))) {
			net_stop(s);
			return error_set(err, errlen, "out of memory");
		}
	o->cb.send = net_send;
	o->cb.send_ctx = s;
	atomic_store(&s->running, true);
	if (pthread_create(&s->thread, NULL, net_main, s) != 0) {
		atomic_store(&s->running, false);
		net_stop(s);
		return error_set(err, errlen, "cannot start the network thread");
	}
	*out = s;
	return 0;
}

void net_stop(net_server *s)
{
	if (!s)
		return;
	if (atomic_exchange(&s->running, false))
		pthread_join(s->thread, NULL);
	for (int i = 0; i < MAX_TCP_CLIENTS; i++) {
		if (s->clients[i].fd >= 0)
			close(s->clients[i].fd);
		osc_stream_destroy(&s->clients[i].in);
		free(s->clients[i].out);
	}
	pthread_mutex_destroy(&s->clients_lock);
	if (s->udp_fd >= 0)
		close(s->udp_fd);
	if (s->tcp_fd >= 0)
		close(s->tcp_fd);
	if (s->tuio_fd >= 0)
		close(s->tuio_fd);
	free(s->burst);
	free(s);
}
