/*
 * net.c — UDP and TCP sockets for OSC, one poll() loop on one thread.
 *
 * Datagrams are handled as they arrive; nothing is buffered beyond the
 * kernel's socket buffer, so a flood costs CPU on this thread only and
 * never reaches the render or audio threads except as control events the
 * engine's ring may drop (and count).
 */
#include "net.h"

#include "error.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

enum {
	MAX_PACKET = 65536,
	MAX_TCP_CLIENTS = 8,
	BURST_MAX = 256,       /* datagrams read before handling them together */
	BURST_BYTES = 1 << 20, /* room for them */
};

typedef struct tcp_client {
	int fd;
	size_t used;
	unsigned char *buf; /* length prefix + packet */
	struct sockaddr_storage addr;
	socklen_t len;
	bool authenticated; /* no password needed, or /auth passed */
} tcp_client;

struct net_server {
	int udp_fd, tcp_fd;
	osc_context *osc;
	pthread_t thread;
	atomic_bool running;
	tcp_client clients[MAX_TCP_CLIENTS];
	unsigned char *burst; /* BURST_BYTES */
	osc_packet packets[BURST_MAX];
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
	int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
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
		                 e == EADDRINUSE ? " (another terraind running? choose another port with --port)" : "");
	}
	freeaddrinfo(ai);
	return fd;
}

void net_send(void *ctx, const osc_peer *peer, const void *data, size_t size)
{
	net_server *s = ctx;
	if (peer->tcp_fd >= 0) {
		unsigned char prefix[4] = {(unsigned char)(size >> 24), (unsigned char)(size >> 16),
		                           (unsigned char)(size >> 8), (unsigned char)size};
		if (send(peer->tcp_fd, prefix, 4, MSG_NOSIGNAL | MSG_DONTWAIT) == 4)
			send(peer->tcp_fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
		return;
	}
	/* Non-blocking: a client that stopped reading must not stall us. */
	sendto(s->udp_fd, data, size, MSG_DONTWAIT, (const struct sockaddr *)&peer->addr, peer->len);
}

/* Reads what is waiting (up to a burst) and hands it over at once, so
 * that superseded cursor moves in a flood are skipped, not dispatched. */
static void receive_udp(net_server *s)
{
	size_t used = 0;
	int n = 0, reads = 0; /* reads: refused datagrams count too, so a flood of them ends the burst */
	while (n < BURST_MAX && reads++ < BURST_MAX && BURST_BYTES - used >= MAX_PACKET) {
		osc_packet *p = &s->packets[n];
		p->peer = (osc_peer){.tcp_fd = -1};
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
		ssize_t got = recvmsg(s->udp_fd, &msg, MSG_DONTWAIT);
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
	int fd = accept(s->tcp_fd, (struct sockaddr *)&addr, &len);
	if (fd < 0)
		return;
	if (!osc_peer_allowed(s->osc, &(osc_peer){.addr = addr, .len = len, .tcp_fd = fd})) {
		close(fd); /* outside osc.allow: not a byte read or sent */
		return;
	}
	for (int i = 0; i < MAX_TCP_CLIENTS; i++)
		if (s->clients[i].fd < 0) {
			s->clients[i] =
			    (tcp_client){.fd = fd, .used = 0, .buf = s->clients[i].buf, .addr = addr, .len = len};
			s->clients[i].authenticated = !osc_needs_password(s->osc);
			return;
		}
	log_warn("refusing an OSC TCP connection: %d clients already connected", MAX_TCP_CLIENTS);
	close(fd);
}

static void drop_client(tcp_client *c)
{
	close(c->fd);
	c->fd = -1;
	c->used = 0;
}

/* Reads what is there and handles every complete length-prefixed packet. */
static void receive_tcp(net_server *s, tcp_client *c)
{
	ssize_t n = recv(c->fd, c->buf + c->used, 4 + MAX_PACKET - c->used, MSG_DONTWAIT);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			drop_client(c);
		return;
	}
	c->used += (size_t)n;
	while (c->used >= 4) {
		uint32_t size =
		    (uint32_t)c->buf[0] << 24 | (uint32_t)c->buf[1] << 16 | (uint32_t)c->buf[2] << 8 | c->buf[3];
		if (size == 0 || size > MAX_PACKET) {
			log_warn("closing an OSC TCP connection: packet size %u is out of range", size);
			drop_client(c);
			return;
		}
		if (c->used < 4 + (size_t)size)
			return;
		osc_peer peer = {.addr = c->addr, .len = c->len, .tcp_fd = c->fd};
		if (!c->authenticated) { /* the first packet must be /auth <password> */
			if (osc_authenticate(s->osc, c->buf + 4, size, &peer) < 0) {
				drop_client(c);
				return;
			}
			c->authenticated = true;
		} else {
			osc_handle_packet(s->osc, c->buf + 4, size, &peer);
		}
		memmove(c->buf, c->buf + 4 + size, c->used - 4 - size);
		c->used -= 4 + size;
	}
}

static void *net_main(void *arg)
{
	net_server *s = arg;
	while (atomic_load(&s->running)) {
		struct pollfd fds[2 + MAX_TCP_CLIENTS];
		int map[2 + MAX_TCP_CLIENTS], n = 0;
		fds[n] = (struct pollfd){.fd = s->udp_fd, .events = POLLIN};
		map[n++] = -1;
		if (s->tcp_fd >= 0) {
			fds[n] = (struct pollfd){.fd = s->tcp_fd, .events = POLLIN};
			map[n++] = -2;
		}
		for (int i = 0; i < MAX_TCP_CLIENTS; i++)
			if (s->clients[i].fd >= 0) {
				fds[n] = (struct pollfd){.fd = s->clients[i].fd, .events = POLLIN};
				map[n++] = i;
			}
		if (poll(fds, (nfds_t)n, 100) <= 0)
			continue;
		for (int i = 0; i < n; i++) {
			if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (map[i] == -1)
				receive_udp(s);
			else if (map[i] == -2)
				accept_tcp(s);
			else
				receive_tcp(s, &s->clients[map[i]]);
		}
	}
	return NULL;
}

int net_start(const char *bind_address, int udp_port, int tcp_port, osc_context *o, net_server **out, char *err,
              size_t errlen)
{
	*out = NULL;
	net_server *s = calloc(1, sizeof *s);
	if (!s)
		return error_set(err, errlen, "out of memory");
	s->osc = o;
	s->tcp_fd = -1;
	for (int i = 0; i < MAX_TCP_CLIENTS; i++)
		s->clients[i].fd = -1;
	s->udp_fd = open_socket(bind_address, udp_port, SOCK_DGRAM, err, errlen);
	if (s->udp_fd < 0 ||
	    (tcp_port && (s->tcp_fd = open_socket(bind_address, tcp_port, SOCK_STREAM, err, errlen)) < 0)) {
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
		if (!(s->clients[i].buf = malloc(4 + MAX_PACKET))) {
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
		free(s->clients[i].buf);
	}
	if (s->udp_fd >= 0)
		close(s->udp_fd);
	if (s->tcp_fd >= 0)
		close(s->tcp_fd);
	free(s->burst);
	free(s);
}
