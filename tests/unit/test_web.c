/*
 * test_web.c — the web surface's C parts: the page's token, the routing of
 * its packets (to the OSC port, answered here, refused with a sentence),
 * the packets the web thread writes (read back with liblo), the picture
 * cache (plotted once per terrain version and channels, references taken
 * and dropped), the http.* checks, and web_start's start-up errors.
 */
#include "test_util.h"

#include <ctype.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <lo/lo.h>
#include <lo/lo_lowlevel.h>

#include "config.h"
#include "plot.h"
#include "terrain_json.h"
#include "web.h"
#include "web_bridge.h"
#include "web_picture.h"

/* ---- the token -------------------------------------------------------------- */

static void test_token_needed_only_when_set(void **state)
{
	(void)state;
	assert_true(web_token_accepts("", NULL));
	assert_true(web_token_accepts("", "anything"));
	assert_false(web_token_accepts("s3cret", NULL));
	assert_false(web_token_accepts("s3cret", ""));
	assert_false(web_token_accepts("s3cret", "s3cre"));
	assert_false(web_token_accepts("s3cret", "s3cret!"));
	assert_false(web_token_accepts("s3cret", "S3cret"));
	assert_true(web_token_accepts("s3cret", "s3cret"));
}

static void test_generated_tokens_are_random_hex(void **state)
{
	(void)state;
	char a[WEB_TOKEN_MAX], b[WEB_TOKEN_MAX], err[128];
	assert_int_equal(web_token_generate(a, sizeof a, err, sizeof err), 0);
	assert_int_equal(web_token_generate(b, sizeof b, err, sizeof err), 0);
	assert_int_equal(strlen(a), 32);
	for (int i = 0; i < 32; i++)
		assert_true(isxdigit((unsigned char)a[i]));
	assert_string_not_equal(a, b);
	assert_int_equal(web_token_generate(a, 16, err, sizeof err), -1);
}

static void test_only_the_daemons_own_page_connects(void **state)
{
	(void)state;
	/* the page itself, and clients that are not browsers */
	assert_true(web_origin_allowed("http://127.0.0.1:9001", "127.0.0.1:9001", 0));
	assert_true(web_origin_allowed("http://localhost:9001", "localhost:9001", 0));
	assert_true(web_origin_allowed("http://[::1]:9001", "[::1]:9001", 0));
	assert_true(web_origin_allowed(NULL, "127.0.0.1:9001", 0));
	/* another site open in the same browser */
	assert_false(web_origin_allowed("https://example.com", "127.0.0.1:9001", 0));
	assert_false(web_origin_allowed("http://127.0.0.1:8000", "127.0.0.1:9001", 0));
	assert_false(web_origin_allowed("null", "127.0.0.1:9001", 0));
	assert_false(web_origin_allowed("http://127.0.0.1:9001", NULL, 0));
	/* a name made to point at loopback: refused without a token */
	assert_false(web_origin_allowed("http://rebind.example:9001", "rebind.example:9001", 0));
	/* with a token, any host name the page was opened under (a LAN address) */
	assert_true(web_origin_allowed("http://192.168.1.20:9001", "192.168.1.20:9001", 1));
	assert_false(web_origin_allowed("http://evil.example", "192.168.1.20:9001", 1));
}

/* ---- routing ------------------------------------------------------------------ */

static size_t serialise(lo_message m, const char *path, unsigned char *out, size_t room)
{
	size_t size = lo_message_length(m, path);
	assert_true(size <= room);
	lo_message_serialise(m, path, out, &size);
	lo_message_free(m);
	return size;
}

static web_route route(const unsigned char *packet, size_t size, int channels[3], char *reason)
{
	char address[64];
	return web_bridge_route(packet, size, channels, address, sizeof address, reason, 256);
}

static void test_control_messages_go_to_the_osc_port(void **state)
{
	(void)state;
	unsigned char packet[256];
	int channels[3];
	char reason[256];
	lo_message m = lo_message_new();
	lo_message_add_float(m, 0.5f);
	lo_message_add_float(m, 0.25f);
	size_t size = serialise(m, "/voice/0/xy", packet, sizeof packet);
	assert_int_equal(route(packet, size, channels, reason), WEB_ROUTE_OSC);
	/* What the dispatcher judges, not the bridge: bundles, garbage, and an
	 * address that only starts like the page's own. */
	assert_int_equal(route((const unsigned char *)"#bundle\0\0\0\0\0\0\0\0\1", 16, channels, reason),
	                 WEB_ROUTE_OSC);
	assert_int_equal(route((const unsigned char *)"\xff\xfe", 2, channels, reason), WEB_ROUTE_OSC);
	assert_int_equal(route((const unsigned char *)"/web", 4, channels, reason), WEB_ROUTE_OSC);
	assert_int_equal(route((const unsigned char *)"/web/pic", 8, channels, reason),
	                 WEB_ROUTE_OSC); /* unterminated */
}

static void test_picture_requests_are_answered_here(void **state)
{
	(void)state;
	unsigned char packet[256];
	int channels[3];
	char reason[256];
	lo_message m = lo_message_new();
	lo_message_add_int32(m, 2);
	size_t size = serialise(m, "/web/picture", packet, sizeof packet);
	assert_int_equal(route(packet, size, channels, reason), WEB_ROUTE_PICTURE);
	assert_int_equal(channels[0], 2);
	assert_int_equal(channels[1], -1);

	m = lo_message_new();
	for (int k = 0; k < 3; k++)
		lo_message_add_int32(m, 3 - k);
	size = serialise(m, "/web/picture", packet, sizeof packet);
	assert_int_equal(route(packet, size, channels, reason), WEB_ROUTE_PICTURE);
	assert_int_equal(channels[0], 3);
	assert_int_equal(channels[1], 2);
	assert_int_equal(channels[2], 1);
}

static void test_bad_page_requests_get_a_sentence(void **state)
{
	(void)state;
	unsigned char packet[256];
	int channels[3];
	char reason[256], address[64];
	lo_message m = lo_message_new();
	lo_message_add_float(m, 1.0f);
	size_t size = serialise(m, "/web/picture", packet, sizeof packet);
	assert_int_equal(web_bridge_route(packet, size, channels, address, sizeof address, reason, sizeof reason),
	                 WEB_ROUTE_FAIL);
	assert_string_equal(address, "/web/picture");
	assert_contains(reason, "one latent channel (a height map) or three");

	m = lo_message_new();
	lo_message_add_int32(m, 0);
	lo_message_add_int32(m, -1);
	lo_message_add_int32(m, 2);
	size = serialise(m, "/web/picture", packet, sizeof packet);
	assert_int_equal(route(packet, size, channels, reason), WEB_ROUTE_FAIL);
	assert_contains(reason, "count from 0");

	m = lo_message_new();
	size = serialise(m, "/web/quit", packet, sizeof packet);
	assert_int_equal(web_bridge_route(packet, size, channels, address, sizeof address, reason, sizeof reason),
	                 WEB_ROUTE_FAIL);
	assert_string_equal(address, "/web/quit");
	assert_contains(reason, "unknown web surface request /web/quit");
}

/* ---- the packets the web thread writes ---------------------------------------------- */

/* liblo's arguments are only 4-byte aligned: read through memcpy. */
static int32_t arg_i(lo_arg *a)
{
	int32_t v;
	memcpy(&v, a, sizeof v);
	return v;
}

static float arg_f(lo_arg *a)
{
	float v;
	memcpy(&v, a, sizeof v);
	return v;
}

static lo_message read_back(unsigned char *packet, size_t size, const char *address)
{
	assert_string_equal((const char *)packet, address);
	int result = 0;
	lo_message m = lo_message_deserialise(packet, size, &result);
	assert_non_null(m);
	return m;
}

static void test_fail_packet_reads_as_osc(void **state)
{
	(void)state;
	size_t size;
	unsigned char *buffer = web_bridge_fail_packet("/web/picture", "no terrain is playing yet", 16, &size);
	assert_non_null(buffer);
	lo_message m = read_back(buffer + 16, size, "/fail");
	assert_string_equal(lo_message_get_types(m), "ss");
	assert_string_equal((const char *)lo_message_get_argv(m)[0], "/web/picture");
	assert_string_equal((const char *)lo_message_get_argv(m)[1], "no terrain is playing yet");
	lo_message_free(m);
	free(buffer);
}

static void test_picture_packet_reads_as_osc(void **state)
{
	(void)state;
	web_picture_info info = {.version = 7, .control_dim = 3, .latent_dim = 8};
	for (int d = 0; d < 3; d++)
		info.bounds_min[d] = -1.0f - d, info.bounds_max[d] = 1.0f + d;
	unsigned char rgb[5 * 3 * 3];
	for (size_t i = 0; i < sizeof rgb; i++)
		rgb[i] = (unsigned char)(i * 5);
	size_t size;
	unsigned char *buffer = web_bridge_picture_packet(&info, 5, 3, rgb, 8, &size);
	assert_non_null(buffer);
	assert_int_equal(size % 4, 0);
	lo_message m = read_back(buffer + 8, size, "/web/picture");
	assert_string_equal(lo_message_get_types(m), "iiiiiffffffb");
	lo_arg **argv = lo_message_get_argv(m);
	assert_int_equal(arg_i(argv[0]), 7);
	assert_int_equal(arg_i(argv[1]), 5);
	assert_int_equal(arg_i(argv[2]), 3);
	assert_int_equal(arg_i(argv[3]), 3);
	assert_int_equal(arg_i(argv[4]), 8);
	for (int d = 0; d < 3; d++) {
		assert_float_equal(arg_f(argv[5 + 2 * d]), -1.0f - d, 0);
		assert_float_equal(arg_f(argv[6 + 2 * d]), 1.0f + d, 0);
	}
	assert_int_equal(lo_blob_datasize((lo_blob)argv[11]), sizeof rgb);
	assert_memory_equal(lo_blob_dataptr((lo_blob)argv[11]), rgb, sizeof rgb);
	lo_message_free(m);
	free(buffer);
}

static void test_labels_packet_reads_as_osc(void **state)
{
	(void)state;
	web_picture_info info = {.version = 9, .control_dim = 2, .latent_dim = 8, .n_labels = 2};
	info.labels[0] = (terrain_label){.name = "violin", .at = {0.5f, -0.25f}};
	info.labels[1] = (terrain_label){.name = "choir", .at = {-1.0f, 1.0f}};
	size_t size;
	unsigned char *buffer = web_bridge_labels_packet(&info, 8, &size);
	assert_non_null(buffer);
	lo_message m = read_back(buffer + 8, size, "/web/labels");
	assert_string_equal(lo_message_get_types(m), "isffsff");
	lo_arg **argv = lo_message_get_argv(m);
	assert_int_equal(arg_i(argv[0]), 9);
	assert_string_equal((const char *)argv[1], "violin"); /* (4-byte aligned: not through the union) */
	assert_float_equal(arg_f(argv[2]), 0.5f, 0);
	assert_float_equal(arg_f(argv[3]), -0.25f, 0);
	assert_string_equal((const char *)argv[4], "choir");
	assert_float_equal(arg_f(argv[6]), 1.0f, 0);
	lo_message_free(m);
	free(buffer);
	/* a terrain without labels: the version alone, so a page forgets the last terrain's */
	info.n_labels = 0;
	buffer = web_bridge_labels_packet(&info, 0, &size);
	m = read_back(buffer, size, "/web/labels");
	assert_string_equal(lo_message_get_types(m), "i");
	lo_message_free(m);
	free(buffer);
}

/* ---- the picture cache ---------------------------------------------------------- */

static terrain *load_demo(void)
{
	terrain *t;
	char err[256];
	if (terrain_load("terrains/demo.json", &t, err, sizeof err) < 0)
		fail_msg("%s", err);
	return t;
}

static void test_picture_is_the_plot_and_is_cached_per_version(void **state)
{
	(void)state;
	web_picture p;
	web_picture_init(&p);
	const unsigned char *rgb;
	web_picture_info info;
	char err[256];
	const int height_of_1[3] = {1, -1, -1}, rgb_012[3] = {0, 1, 2};
	assert_int_equal(web_picture_get(&p, height_of_1, &rgb, &info, err, sizeof err), -1);
	assert_contains(err, "no terrain is playing yet");

	terrain *t = load_demo();
	web_picture_set_terrain(&p, t);
	assert_int_equal(t->refs, 2); /* the picture holds its own reference */
	assert_int_equal(web_picture_get(&p, height_of_1, &rgb, &info, err, sizeof err), 0);
	assert_int_equal(info.version, web_picture_version(&p));
	assert_int_equal(info.control_dim, t->control_dim);
	assert_int_equal(info.latent_dim, t->latent_dim);
	assert_float_equal(info.bounds_max[0], t->bounds_max[0], 0);

	/* the same pixels as plot.c draws for a screen (the preview: bfloat16 where the CPU has it) */
	const size_t bytes = (size_t)WEB_PICTURE_SIZE * WEB_PICTURE_SIZE * 3;
	unsigned char *expected = malloc(bytes);
	plot_options o = {.width = WEB_PICTURE_SIZE, .height = WEB_PICTURE_SIZE, .channels = {1, -1, -1}, .preview = 1};
	assert_int_equal(plot_terrain(t, &o, expected, err, sizeof err), 0);
	assert_memory_equal(rgb, expected, bytes);

	/* cached: not plotted again while nothing changed (the marker stays) */
	((unsigned char *)rgb)[0] ^= 0xff;
	const unsigned char *again;
	assert_int_equal(web_picture_get(&p, height_of_1, &again, &info, err, sizeof err), 0);
	assert_int_equal(again[0], expected[0] ^ 0xff);
	/* other channels, or a new terrain version: plotted afresh */
	assert_int_equal(web_picture_get(&p, rgb_012, &again, &info, err, sizeof err), 0);
	assert_int_equal(web_picture_get(&p, height_of_1, &again, &info, err, sizeof err), 0);
	assert_memory_equal(again, expected, bytes);
	((unsigned char *)again)[0] ^= 0xff;
	uint64_t before = info.version;
	web_picture_set_terrain(&p, t);
	assert_int_equal(t->refs, 2); /* the same terrain again: one reference, not two */
	assert_int_equal(web_picture_get(&p, height_of_1, &again, &info, err, sizeof err), 0);
	assert_true(info.version > before);
	assert_memory_equal(again, expected, bytes);

	/* a channel the terrain lacks: plot.c's sentence */
	const int missing[3] = {t->latent_dim, -1, -1};
	assert_int_equal(web_picture_get(&p, missing, &again, &info, err, sizeof err), -1);
	assert_non_null(strstr(err, "channel"));

	terrain *other = load_demo();
	web_picture_set_terrain(&p, other);
	assert_int_equal(t->refs, 1); /* the previous terrain's reference dropped */
	web_picture_destroy(&p);
	assert_int_equal(other->refs, 1);
	terrain_free(other);
	terrain_free(t);
	free(expected);
}

/* ---- configuration and start-up ------------------------------------------------- */

static void test_config_needs_a_token_beyond_loopback(void **state)
{
	(void)state;
	config c;
	char err[512];
	config_defaults(&c);
	assert_int_equal(config_http_port(&c), 9001); /* next to the OSC port */
	assert_int_equal(config_validate(&c, err, sizeof err), 0);
	snprintf(c.http_bind, sizeof c.http_bind, "0.0.0.0");
	assert_int_equal(config_validate(&c, err, sizeof err), -1);
	assert_contains(err, "binding the web surface to 0.0.0.0 reaches beyond this machine: set http.token");
	snprintf(c.http_token, sizeof c.http_token, "auto");
	assert_int_equal(config_validate(&c, err, sizeof err), 0);
	c.http_port = 0; /* off: nothing to check */
	c.http_token[0] = '\0';
	assert_int_equal(config_validate(&c, err, sizeof err), 0);
	c.http_port = 9000;
	assert_int_equal(config_validate(&c, err, sizeof err), -1);
	assert_contains(err, "the web surface's port 9000 is taken by OSC");
	c.http_port = -1; /* the default gives way at start instead */
	c.tcp_port = 9001;
	snprintf(c.http_bind, sizeof c.http_bind, "127.0.0.1");
	assert_int_equal(config_validate(&c, err, sizeof err), 0);
	assert_int_equal(config_parse(&c, "{\"http\": {\"port\": 8080, \"bind\": \"::1\", \"token\": \"t\"}}", "test",
	                              err, sizeof err),
	                 0);
	assert_int_equal(c.http_port, 8080);
	assert_string_equal(c.http_bind, "::1");
	assert_string_equal(c.http_token, "t");
	assert_int_equal(config_parse(&c, "{\"http\": {\"prot\": 1}}", "test", err, sizeof err), -1);
}

static void test_start_up_errors_are_sentences(void **state)
{
	(void)state;
	web_picture p;
	web_picture_init(&p);
	web_server *s;
	char err[512];
	/* a busy port */
	int busy = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	assert_int_equal(bind(busy, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(busy, 1), 0);
	getsockname(busy, (struct sockaddr *)&a, &len);
	web_options o = {.bind = "127.0.0.1",
	                 .port = ntohs(a.sin_port),
	                 .token = "",
	                 .root = "web",
	                 .osc_bind = "127.0.0.1",
	                 .osc_port = 9000};
	assert_int_equal(web_start(&o, &p, &s, err, sizeof err), -1);
	assert_null(s);
	assert_contains(err, "is the port in use? set http.port or --http-port");
	close(busy);
	/* no page to serve */
	o.root = "tests/fixtures";
	assert_int_equal(web_start(&o, &p, &s, err, sizeof err), -1);
	assert_contains(err, "the web surface's page");
	assert_contains(err, "index.html");
	/* a free port: starts and stops */
	o.root = "web";
	o.port = ntohs(a.sin_port);
	assert_int_equal(web_start(&o, &p, &s, err, sizeof err), 0);
	assert_non_null(s);
	web_stop(s);
	web_picture_destroy(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_token_needed_only_when_set),
	    cmocka_unit_test(test_generated_tokens_are_random_hex),
	    cmocka_unit_test(test_only_the_daemons_own_page_connects),
	    cmocka_unit_test(test_control_messages_go_to_the_osc_port),
	    cmocka_unit_test(test_picture_requests_are_answered_here),
	    cmocka_unit_test(test_bad_page_requests_get_a_sentence),
	    cmocka_unit_test(test_fail_packet_reads_as_osc),
	    cmocka_unit_test(test_picture_packet_reads_as_osc),
	    cmocka_unit_test(test_labels_packet_reads_as_osc),
	    cmocka_unit_test(test_picture_is_the_plot_and_is_cached_per_version),
	    cmocka_unit_test(test_config_needs_a_token_beyond_loopback),
	    cmocka_unit_test(test_start_up_errors_are_sentences),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
