/* Unit tests for net.c with real sockets on loopback: TCP replies are whole
 * frames whatever the threads and however slow the reader, a reply never
 * reaches a later connection, and no descriptor leaks into a child. */
#include "test_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "net.h"
#include "terrain_json.h"

typedef struct fixture {
	engine *engine;
	terrain *terrain;
	osc_context osc;
	net_server *net;
	int tcp_port;
} fixture;

static int free_tcp_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	getsockname(fd, (struct sockaddr *)&a, &len);
	close(fd);
	return ntohs(a.sin_port);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	char err[1024];
	config c;
	config_defaults(&c);
	if (terrain_load("terrains/demo.json", &f->terrain, err, sizeof err) < 0 ||
	    engine_create(48000, 128, 0, 0, &f->engine, err, sizeof err) < 0) {
		print_error("%s\n", err);
		return -1;
	}
	osc_callbacks cb = {0};
	osc_init(&f->osc, f->engine, &c, f->terrain, cb);
	for (int tries = 0; tries < 5 && !f->net; tries++) {
		f->tcp_port = free_tcp_port();
		net_start("127.0.0.1", f->tcp_port, f->tcp_port, 0, &f->osc, &f->net, err, sizeof err);
	}
	if (!f->net) {
		print_error("%s\n", err);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	net_stop(f->net);
	osc_destroy(&f->osc);
	engine_free(f->engine);
	terrain_free(f->terrain);
	free(f);
	return 0;
}

static int connect_tcp(fixture *f)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {
	    .sin_family = AF_INET, .sin_port = htons((uint16_t)f->tcp_port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	return fd;
}

static void send_frame(int fd, const char *path, lo_message m)
{
	size_t size;
	unsigned char *data = lo_message_serialise(m, path, NULL, &size);
	unsigned char prefix[4] = {(unsigned char)(size >> 24), (unsigned char)(size >> 16), (unsigned char)(size >> 8),
	                           (unsigned char)size};
	assert_int_equal(send(fd, prefix, 4, MSG_NOSIGNAL), 4);
	assert_int_equal(send(fd, data, size, MSG_NOSIGNAL), (ssize_t)size);
	free(data);
	lo_message_free(m);
}

/* Reads exactly n bytes; returns 0 at a clean end of stream before the
 * first byte, -1 at an end in the middle (a torn frame), n otherwise. */
static ssize_t read_exactly(int fd, unsigned char *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 10000) != 1)
			fail_msg("no data for 10 s");
		ssize_t r = recv(fd, buf + got, n - got, 0);
		if (r <= 0)
			return got == 0 ? 0 : -1;
		got += (size_t)r;
	}
	return (ssize_t)n;
}

/* The next frame's OSC address ("" at the end of the stream); fails the
 * test if the frame is torn or not a valid OSC message. */
static void read_frame(int fd, char *path, size_t len)
{
	static unsigned char body[1 << 17];
	unsigned char prefix[4];
	ssize_t r = read_exactly(fd, prefix, 4);
	if (r == 0) {
		path[0] = '\0';
		return;
	}
	assert_int_equal(r, 4);
	uint32_t size = (uint32_t)prefix[0] << 24 | (uint32_t)prefix[1] << 16 | (uint32_t)prefix[2] << 8 | prefix[3];
	if (size == 0 || size > sizeof body)
		fail_msg("a frame of %u bytes: the stream is out of step", size);
	if (read_exactly(fd, body, size) != (ssize_t)size)
		fail_msg("a torn frame (%u bytes announced)", size);
	int result;
	lo_message m = lo_message_deserialise(body, size, &result);
	if (!m)
		fail_msg("a frame that is not an OSC message (liblo error %d)", result);
	lo_message_free(m);
	size_t n = strnlen((const char *)body, len - 1);
	memcpy(path, body, n);
	path[n] = '\0';
}

/* Subscribes over TCP and returns the daemon's peer for that connection. */
static osc_peer subscribe(fixture *f, int fd)
{
	lo_message m = lo_message_new();
	lo_message_add_int32(m, 1);
	send_frame(fd, "/notify", m);
	char path[64];
	read_frame(fd, path, sizeof path);
	assert_string_equal(path, "/done");
	pthread_mutex_lock(&f->osc.lock);
	osc_peer peer = f->osc.subscribers[f->osc.n_subscribers - 1].peer;
	pthread_mutex_unlock(&f->osc.lock);
	assert_true(peer.connection != 0);
	return peer;
}

/* Reads frames until a /status.reply: every frame before it must be a
 * whole /t message (a reader thread, so that the daemon can drain). */
typedef struct reader {
	int fd, frames;
	atomic_int done;
	pthread_t thread;
} reader;

static void *read_frames(void *arg)
{
	reader *r = arg;
	char path[64];
	for (;;) {
		read_frame(r->fd, path, sizeof path);
		if (strcmp(path, "/status.reply") == 0)
			break;
		assert_string_equal(path, "/t");
		r->frames++;
	}
	atomic_store(&r->done, 1);
	return NULL;
}

static void start_reader(reader *r, int fd)
{
	*r = (reader){.fd = fd};
	pthread_create(&r->thread, NULL, read_frames, r);
}

/* Asks for /status until the reader has seen a reply (a reply sent while
 * the buffer is full is dropped); returns the whole /t frames read. */
static int finish_reader(reader *r)
{
	int64_t deadline = clock_now_ns() + 10000000000LL;
	while (!atomic_load(&r->done) && clock_now_ns() < deadline) {
		send_frame(r->fd, "/status", lo_message_new());
		for (int i = 0; i < 100 && !atomic_load(&r->done); i++)
			nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	assert_true(atomic_load(&r->done));
	pthread_join(r->thread, NULL);
	return r->frames;
}

typedef struct sender {
	fixture *f;
	osc_peer peer;
	int count, size;
} sender;

static void *send_many(void *arg)
{
	sender *s = arg;
	char text[1024];
	for (int i = 0; i < s->count; i++) {
		int n = (s->size + i * 7) % (int)sizeof text; /* frames of many sizes */
		memset(text, 'a' + i % 26, (size_t)n);
		text[n] = '\0';
		lo_message m = lo_message_new();
		lo_message_add_string(m, text);
		size_t size;
		void *data = lo_message_serialise(m, "/t", NULL, &size);
		net_send(s->f->net, &s->peer, data, size);
		free(data);
		lo_message_free(m);
	}
	return NULL;
}

static void frames_from_many_threads_never_interleave(void **state)
{
	fixture *f = *state;
	int fd = connect_tcp(f);
	osc_peer peer = subscribe(f, fd);
	enum { THREADS = 4, EACH = 3000 };
	pthread_t threads[THREADS];
	sender senders[THREADS];
	for (int i = 0; i < THREADS; i++) {
		senders[i] = (sender){f, peer, EACH, 100 * i};
		pthread_create(&threads[i], NULL, send_many, &senders[i]);
	}
	reader r;
	start_reader(&r, fd);
	for (int i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);
	int frames = finish_reader(&r);
	print_message("%d whole frames of %d sent\n", frames, THREADS * EACH);
	assert_true(frames > EACH);
	close(fd);
}

/* A client that stops reading: the kernel takes part of a frame, the
 * daemon's buffer fills, replies are dropped whole; when the client reads
 * again it finds whole frames only, and the stream still in step. */
static void a_slow_reader_gets_whole_frames_and_stays_in_step(void **state)
{
	fixture *f = *state;
	int fd = connect_tcp(f);
	osc_peer peer = subscribe(f, fd);
	uint64_t suppressed = atomic_load(&f->osc.replies_suppressed);
	sender s = {f, peer, 20000, 500}; /* ~20 MB: far more than the kernel and the daemon buffer */
	send_many(&s);
	assert_true(atomic_load(&f->osc.replies_suppressed) > suppressed);
	reader r;
	start_reader(&r, fd);
	int frames = finish_reader(&r);
	print_message("%d whole frames of 20000, the rest dropped whole\n", frames);
	assert_true(frames > 0 && frames < 20000);
	close(fd);
}

static int open_descriptors(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void wait_descriptors(int want)
{
	int64_t deadline = clock_now_ns() + 5000000000LL;
	while (open_descriptors() != want && clock_now_ns() < deadline)
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	assert_int_equal(open_descriptors(), want);
}

/* The old reply path kept a descriptor number: once a connection closed,
 * the next one got the same number and its replies. */
static void a_reply_to_a_closed_connection_never_reaches_a_new_one(void **state)
{
	fixture *f = *state;
	int before = open_descriptors();
	int a = connect_tcp(f);
	osc_peer old = subscribe(f, a);
	close(a);
	wait_descriptors(before); /* the daemon has closed its side too */
	int b = connect_tcp(f);
	subscribe(f, b);
	lo_message m = lo_message_new();
	lo_message_add_string(m, "for the closed connection");
	size_t size;
	void *data = lo_message_serialise(m, "/secret", NULL, &size);
	net_send(f->net, &old, data, size);
	free(data);
	lo_message_free(m);
	send_frame(b, "/status", lo_message_new());
	char path[64];
	read_frame(b, path, sizeof path);
	assert_string_equal(path, "/status.reply");
	close(b);
}

/* terraind re-executes itself to reconnect the audio: no socket may leak
 * into the new program. A child program lists the descriptors it inherited
 * (the test's own sockets are close-on-exec too). */
static void every_socket_is_close_on_exec(void **state)
{
	fixture *f = *state;
	int fd = connect_tcp(f);
	subscribe(f, fd); /* the daemon's side is accepted by now */
	FILE *child = popen("ls -l /proc/self/fd", "r");
	assert_non_null(child);
	char line[512];
	int inherited = 0, listed = 0;
	while (fgets(line, sizeof line, child)) {
		listed++;
		if (strstr(line, "socket:")) {
			inherited++;
			print_error("inherited by exec: %s", line);
		}
	}
	assert_int_equal(pclose(child), 0);
	assert_true(listed > 3); /* the listing itself worked */
	assert_int_equal(inherited, 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(frames_from_many_threads_never_interleave, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_slow_reader_gets_whole_frames_and_stays_in_step, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_reply_to_a_closed_connection_never_reaches_a_new_one, setup, teardown),
	    cmocka_unit_test_setup_teardown(every_socket_is_close_on_exec, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
