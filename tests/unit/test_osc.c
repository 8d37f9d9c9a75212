/* Unit tests for osc.c: real OSC packets (built with liblo) through the
 * dispatcher, replies captured from the send callback, effects checked on
 * a running engine. */
#include "test_util.h"

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>

#include "osc_fixture.h"
#include "version.h"

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	config_defaults(&f->config);
	f->config.n_mappings = 5;
	f->config.mappings[3] =
	    (config_mapping){.address = "/m/*", .to = MAP_XY, .in_max = {1, 1, 1}, .voice = MAPPING_VOICE_TOUCH};
	f->config.mappings[4] = (config_mapping){.address = "/v5", .to = MAP_XY, .in_max = {1, 1, 1}, .voice = 5};
	f->config.mappings[2] =
	    (config_mapping){.address = "/1/push1", .to = MAP_LOAD_TERRAIN, .in_max = {1, 1, 1}, .path = "demo.json"};
	f->config.mappings[0] = (config_mapping){.address = "/1/xy1", .to = MAP_XY, .in_max = {1, 1, 1}};
	f->config.mappings[1] =
	    (config_mapping){.address = "/p/*", .to = MAP_XY, .swap = 1, .invert = {0, 1}, .in_max = {1, 1, 1}};
	*state = f;
	return fixture_start(f);
}

static int teardown(void **state)
{
	fixture_stop(*state);
	return 0;
}

static void wait_target(fixture *f, float x, float y)
{
	float target[TERRAIN_MAX_CONTROL_DIM];
	for (int i = 0; i < 200; i++) { /* the render thread applies events within a period */
		engine_target(f->engine, target);
		if (fabsf(target[0] - x) < 1e-5f && fabsf(target[1] - y) < 1e-5f)
			return;
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	fail_msg("target is (%g, %g), expected (%g, %g)", target[0], target[1], x, y);
}

static void xy_with_any_numeric_tags_moves_the_cursor_and_is_answered(void **state)
{
	fixture *f = *state;
	lo_message m = lo_message_new();
	lo_message_add_float(m, 0.25f);
	lo_message_add_double(m, -0.5);
	send_message(f, "/xy", m);
	assert_string_equal(last_reply(f)->path, "/done");
	assert_string_equal(last_reply(f)->arg0, "/xy");
	wait_target(f, 0.25f, -0.5f);
	m = lo_message_new();
	lo_message_add_int32(m, 1);
	lo_message_add_int64(m, 0);
	send_message(f, "/xy", m);
	wait_target(f, 1, 0);
}

static void bad_arguments_get_a_reason(void **state)
{
	fixture *f = *state;
	lo_message m = lo_message_new();
	lo_message_add_float(m, 0.5f);
	send_message(f, "/xy", m);
	expect_fail(f, "/xy", "expects 2 numbers (x y), got 1 argument");
	m = lo_message_new();
	lo_message_add_float(m, NAN);
	lo_message_add_float(m, 0);
	send_message(f, "/xy", m);
	expect_fail(f, "/xy", "argument 1 is not a finite number");
	m = lo_message_new();
	lo_message_add_string(m, "x");
	lo_message_add_float(m, 0);
	send_message(f, "/xy", m);
	expect_fail(f, "/xy", "argument 1 has type 's'");
	send_message(f, "/what", lo_message_new());
	expect_fail(f, "/what", "unknown address");
	m = lo_message_new();
	lo_message_add_float(m, 5);
	send_message(f, "/gain", m);
	expect_fail(f, "/gain", "out of range");
	m = lo_message_new();
	lo_message_add_float(m, 1);
	send_message(f, "/gesture/stop", m);
	expect_fail(f, "/gesture/stop", "expects no arguments");
}

static void malformed_packets_are_answered_not_crashed_on(void **state)
{
	fixture *f = *state;
	const char garbage[] = "\x01\x02\x03\x04garbage!";
	osc_handle_packet(&f->osc, garbage, 12, &f->peer);
	expect_fail(f, "?", "not an OSC packet");
	const char truncated[12] = "/xy\0,ff\0\0\0"; /* promises two floats, holds none */
	osc_handle_packet(&f->osc, truncated, sizeof truncated, &f->peer);
	expect_fail(f, "/xy", "malformed OSC message");
	unsigned char bundle[32] = "#bundle";
	bundle[15] = 1;   /* timetag: immediately */
	bundle[19] = 200; /* element size larger than the bundle */
	osc_handle_packet(&f->osc, bundle, sizeof bundle, &f->peer);
	expect_fail(f, "#bundle", "bad size");
	osc_handle_packet(&f->osc, "", 0, &f->peer);
	expect_fail(f, "?", "not an OSC packet (0 bytes)");
	assert_true(atomic_load(&f->osc.malformed) >= 4);
}

static void nested_bundles_are_walked_with_a_depth_limit(void **state)
{
	fixture *f = *state;
	lo_bundle inner = lo_bundle_new(LO_TT_IMMEDIATE), outer = lo_bundle_new(LO_TT_IMMEDIATE);
	lo_message m = lo_message_new();
	lo_message_add_float(m, -0.75f);
	lo_message_add_float(m, 0.75f);
	lo_bundle_add_message(inner, "/xy", m);
	lo_bundle_add_bundle(outer, inner);
	size_t size;
	void *data = lo_bundle_serialise(outer, NULL, &size);
	osc_handle_packet(&f->osc, data, size, &f->peer);
	free(data);
	assert_string_equal(last_reply(f)->path, "/done");
	wait_target(f, -0.75f, 0.75f);
	lo_bundle_free_recursive(outer);
	/* 9 levels deep: refused, not recursed into forever. */
	lo_bundle b = lo_bundle_new(LO_TT_IMMEDIATE);
	for (int i = 0; i < 9; i++) {
		lo_bundle wrap = lo_bundle_new(LO_TT_IMMEDIATE);
		lo_bundle_add_bundle(wrap, b);
		b = wrap;
	}
	data = lo_bundle_serialise(b, NULL, &size);
	osc_handle_packet(&f->osc, data, size, &f->peer);
	free(data);
	lo_bundle_free_recursive(b);
	expect_fail(f, "#bundle", "nested too deeply");
}

static void touchosc_mappings_scale_swap_and_invert_onto_the_bounds(void **state)
{
	fixture *f = *state;
	lo_message m = lo_message_new();
	lo_message_add_float(m, 0.25f);
	lo_message_add_float(m, 1.0f);
	send_message(f, "/1/xy1", m);
	wait_target(f, -0.5f, 1.0f); /* 0..1 onto the demo terrain's [-1, 1] */
	m = lo_message_new();
	lo_message_add_float(m, 0.25f);
	lo_message_add_float(m, 1.0f);
	send_message(f, "/p/7", m); /* swapped, then y inverted */
	wait_target(f, 1.0f, 0.5f);
}

static void stylus_pressure_drives_the_gain_on_a_2d_terrain(void **state)
{
	fixture *f = *state;
	lo_message m = lo_message_new();
	lo_message_add_float(m, 0.1f);
	lo_message_add_float(m, 0.2f);
	lo_message_add_float(m, 0.5f);
	send_message(f, "/stylus", m);
	assert_string_equal(last_reply(f)->path, "/done");
	wait_target(f, 0.1f, 0.2f);
	assert_float_equal(engine_get_gain(f->engine), 0.5f, 1e-6);
	m = lo_message_new();
	lo_message_add_float(m, 2.0f);
	send_message(f, "/gain", m);
	assert_float_equal(engine_get_gain(f->engine), 1.0f, 1e-6); /* user gain × pressure */
}

static void loads_are_confined_and_queued_for_the_worker(void **state)
{
	fixture *f = *state;
	lo_message m = lo_message_new();
	lo_message_add_string(m, "/etc/passwd");
	send_message(f, "/load/model", m);
	expect_fail(f, "/load/model", "outside the allowed directories");
	assert_int_equal(f->n_requests, 0);
	m = lo_message_new();
	lo_message_add_string(m, "demo.json");
	send_message(f, "/load/terrain", m);
	assert_int_equal(f->n_requests, 1);
	assert_int_equal(f->requests[0].type, OSC_LOAD_TERRAIN);
	assert_contains(f->requests[0].path, "/terrains/demo.json");
	assert_true(f->requests[0].fd >= 0); /* opened when confined: the worker reads what was checked */
	m = lo_message_new();
	lo_message_add_int32(m, 3);
	send_message(f, "/load/model", m);
	expect_fail(f, "/load/model", "expects one string argument");
}

static void a_button_mapped_to_a_load_queues_it_on_press_only(void **state)
{
	fixture *f = *state;
	lo_message m = lo_message_new();
	lo_message_add_float(m, 1.0f);
	send_message(f, "/1/push1", m);
	assert_int_equal(f->n_requests, 1);
	assert_int_equal(f->requests[0].type, OSC_LOAD_TERRAIN);
	assert_contains(f->requests[0].path, "/terrains/demo.json");
	assert_string_equal(f->requests[0].address, "/1/push1");
	m = lo_message_new();
	lo_message_add_float(m, 0.0f);
	send_message(f, "/1/push1", m); /* the release */
	assert_int_equal(f->n_requests, 1);
	assert_string_equal(last_reply(f)->path, "/done");
}

static void status_reply_is_key_value_pairs(void **state)
{
	fixture *f = *state;
	send_message(f, "/status", lo_message_new());
	const reply *r = last_reply(f);
	assert_string_equal(r->path, "/status.reply");
	assert_true(r->argc >= 20 && r->argc % 2 == 0);
	/* every key a string, and the engine's, the network's, the scene's and the tempo's all there */
	static const char *const expected[] = {"version",     "model",          "terrain",    "frames",
	                                       "xruns",       "voices_active",  "latency_ms", "messages",
	                                       "udp_dropped", "grains_started", "tempo",      "link"};
	for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
		char key[64];
		snprintf(key, sizeof key, ",%s,", expected[i]);
		if (!strstr(r->keys, key))
			fail_msg("/status.reply has no key %s: %s", expected[i], r->keys);
	}
}

/* What the daemon tells osc_set_origin shows in /status: the version first
 * (arg0, arg1), the configuration and data; the JACK routing's counts only
 * when audio.jack_ports asked for one. */
static void status_says_which_terraind_and_configuration(void **state)
{
	fixture *f = *state;
	send_message(f, "/status", lo_message_new());
	const reply *r = last_reply(f);
	assert_string_equal(r->arg0, "version");
	assert_string_equal(r->arg1, terraind_version());
	assert_null(strstr(r->keys, ",config,"));
	osc_set_origin(&f->osc, "", "/home/u/.local/share/terraind:/usr/share/terraind", NULL);
	send_message(f, "/status", lo_message_new());
	r = last_reply(f);
	assert_non_null(strstr(r->keys, ",config,"));
	assert_non_null(strstr(r->keys, ",data_dirs,"));
	assert_null(strstr(r->keys, ",jack_ports_connected,"));
}

static void serialise(const char *path, lo_message m, osc_packet *p, void **buffer)
{
	size_t size;
	*buffer = lo_message_serialise(m, path, NULL, &size);
	lo_message_free(m);
	p->data = *buffer;
	p->size = size;
	p->peer = (osc_peer){.connection = 0};
}

static lo_message xy(float x, float y)
{
	lo_message m = lo_message_new();
	lo_message_add_float(m, x);
	lo_message_add_float(m, y);
	return m;
}

static void a_burst_keeps_only_the_newest_cursor_move_per_address(void **state)
{
	fixture *f = *state;
	osc_packet p[6];
	void *buffers[6];
	serialise("/xy", xy(0.1f, 0.1f), &p[0], &buffers[0]);
	serialise("/1/xy1", xy(0.0f, 0.0f), &p[1], &buffers[1]);
	serialise("/xy", xy(0.2f, 0.2f), &p[2], &buffers[2]);
	serialise("/status", lo_message_new(), &p[3], &buffers[3]);
	serialise("/xy", xy(0.3f, -0.3f), &p[4], &buffers[4]);
	serialise("/1/xy1", xy(1.0f, 1.0f), &p[5], &buffers[5]);
	int replies = f->n_replies;
	osc_handle_batch(&f->osc, p, 6);
	assert_int_equal(atomic_load(&f->osc.coalesced), 3);
	assert_int_equal(f->n_replies - replies, 3); /* /status.reply, /done /xy, /done /1/xy1 */
	wait_target(f, 1.0f, 1.0f);                  /* the last one wins */
	for (int i = 0; i < 6; i++)
		free(buffers[i]);
}

static void replies_are_rate_limited_under_a_flood(void **state)
{
	fixture *f = *state;
	for (int i = 0; i < OSC_MAX_REPLIES_PER_SECOND + 500; i++)
		send_message(f, "/nope", lo_message_new());
	assert_true(f->n_replies <= OSC_MAX_REPLIES_PER_SECOND);
	assert_true(atomic_load(&f->osc.replies_suppressed) >= 500);
	send_message(f, "/status", lo_message_new()); /* never limited */
	assert_string_equal(last_reply(f)->path, "/status.reply");
}

/* A 3-D terrain (x, y, pressure) with the demo's 4 latents. */
static void play_3d_terrain(fixture *f)
{
	terrain_shape shape = {.control_dim = 3, .latent_dim = 4, .n_features = 8, .n_layers = 2, .widths = {16, 4}};
	terrain *t;
	char err[256];
	assert_int_equal(terrain_create(&shape, &t, err, sizeof err), 0);
	for (int k = 0; k < 3; k++)
		t->bounds_min[k] = -1, t->bounds_max[k] = 1;
	assert_int_equal(terrain_finish(t, err, sizeof err), 0);
	osc_set_terrain(&f->osc, t);
	terrain_free(t);
}

static void send_stylus(fixture *f, float x, float y, float p)
{
	lo_message m = lo_message_new();
	lo_message_add_float(m, x);
	lo_message_add_float(m, y);
	lo_message_add_float(m, p);
	send_message(f, "/stylus", m);
}

/* A lifted stylus (pressure 0) on a 2-D terrain is silence; once a 3-D
 * terrain plays, pressure is an axis and must no longer hold the gain at 0. */
static void a_3d_terrain_releases_the_pressure_gain(void **state)
{
	fixture *f = *state;
	send_stylus(f, 0.1f, 0.2f, 0.0f);
	assert_float_equal(engine_get_gain(f->engine), 0.0f, 1e-6);
	play_3d_terrain(f);
	assert_float_equal(engine_get_gain(f->engine), f->config.gain, 1e-6);
}

/* SIGHUP's new config gain is the user's gain: still multiplied by the
 * stylus pressure, not written over it. */
static void a_reloaded_config_gain_keeps_the_pressure(void **state)
{
	fixture *f = *state;
	send_stylus(f, 0.1f, 0.2f, 0.5f);
	config next = f->config;
	next.gain = 0.5f;
	osc_set_config(&f->osc, &next);
	assert_float_equal(engine_get_gain(f->engine), 0.25f, 1e-6);
}

static void add_training_pair(fixture *f, int n_values)
{
	lo_message m = lo_message_new();
	for (int i = 0; i < n_values; i++)
		lo_message_add_float(m, 0.01f * (float)i);
	send_message(f, "/train/add", m);
}

/* Issue 14's heap overflow: a 3-D terrain with the latent size of the
 * playing 2-D one, then /train/add. The old pairs go, the new ones have the
 * new width (ASan would catch a write past the buffer). */
static void training_pairs_follow_the_terrain_shape(void **state)
{
	fixture *f = *state;
	for (int i = 0; i < 3; i++)
		add_training_pair(f, 2 + 4);
	assert_int_equal(pairs_kept(&f->osc.training), 3);
	play_3d_terrain(f);
	assert_int_equal(pairs_kept(&f->osc.training), 0);
	add_training_pair(f, 2 + 4);
	expect_fail(f, "/train/add", "expects 7 numbers");
	for (int i = 0; i < 300; i++)
		add_training_pair(f, 3 + 4);
	assert_int_equal(pairs_kept(&f->osc.training), 300);
	assert_int_equal(training_pairs_width(&f->osc.training), 7);
}

/* The clock /notify leases follow in these tests: moved by hand. */
static int64_t fake_now_ns;

static int64_t fake_clock(void)
{
	return fake_now_ns;
}

/* Subscribers now: 200 ms on, every subscriber (10 updates a second) is
 * due, and each gets one /cursor. */
static int subscribers(fixture *f)
{
	fake_now_ns += 200000000;
	int before = f->cursors;
	osc_notify_tick(&f->osc);
	return f->cursors - before;
}

static void notify_from_port(fixture *f, int port)
{
	struct sockaddr_in *a = (struct sockaddr_in *)&f->peer.addr;
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	f->peer.len = sizeof *a;
	lo_message m = lo_message_new();
	lo_message_add_int32(m, 10);
	send_message(f, "/notify", m);
}

/* `terraind_client.py watch` run again and again subscribes from a new
 * port each time: a subscription that is not renewed must end, so that
 * its slot comes free and no more datagrams go to a dead port. */
static void notify_subscriptions_expire_unless_renewed(void **state)
{
	fixture *f = *state;
	f->osc.now = fake_clock;
	fake_now_ns = 1000000000;
	/* 10 s leases: each 1 s tick below lets the others' leases run down */
	for (int port = 9100; port < 9100 + OSC_MAX_SUBSCRIBERS; port++) {
		notify_from_port(f, port);
		assert_string_equal(last_reply(f)->path, "/done");
	}
	notify_from_port(f, 9999);
	expect_fail(f, "/notify", "too many subscribers");
	assert_int_equal(subscribers(f), OSC_MAX_SUBSCRIBERS);
	/* 9100 renews every 3 s (as terraind_client.py watch does); the others let their lease run out */
	for (int s = 3; s <= 12; s += 3) {
		fake_now_ns = 1000000000 + (int64_t)s * 1000000000;
		assert_int_equal(subscribers(f), s < OSC_NOTIFY_LEASE_S ? OSC_MAX_SUBSCRIBERS : 1);
		notify_from_port(f, 9100);
		assert_string_equal(last_reply(f)->path, "/done");
	}
	assert_int_equal(subscribers(f), 1);
	notify_from_port(f, 9999); /* a slot is free again */
	assert_string_equal(last_reply(f)->path, "/done");
	assert_int_equal(subscribers(f), 2);
	notify_from_port(f, 9999); /* and /notify 0 frees it at once */
	lo_message stop = lo_message_new();
	lo_message_add_int32(stop, 0);
	send_message(f, "/notify", stop);
	assert_int_equal(subscribers(f), 1);
}

/* The fixture's sender becomes a peer on the network (192.0.2.7, a
 * documentation address), as net.c would report it. */
static void become_remote(fixture *f)
{
	struct sockaddr_in *a = (struct sockaddr_in *)&f->peer.addr;
	memset(&f->peer, 0, sizeof f->peer);
	a->sin_family = AF_INET;
	a->sin_port = htons(5000);
	inet_pton(AF_INET, "192.0.2.7", &a->sin_addr);
	f->peer.len = sizeof *a;
}

static lo_message one_string_message(const char *s)
{
	lo_message m = lo_message_new();
	lo_message_add_string(m, s);
	return m;
}

static lo_message press(void)
{
	lo_message m = lo_message_new();
	lo_message_add_float(m, 1.0f);
	return m;
}

static void admin_requests_from_remote_peers_need_remote_admin(void **state)
{
	fixture *f = *state;
	become_remote(f);
	send_message(f, "/quit", lo_message_new());
	expect_fail(f, "/quit", "/quit is refused to remote peers: set osc.remote_admin to true to allow it");
	send_message(f, "/load/terrain", one_string_message("demo.json"));
	expect_fail(f, "/load/terrain", "is refused to remote peers");
	send_message(f, "/load/model", one_string_message("demo.ts"));
	expect_fail(f, "/load/model", "is refused to remote peers");
	send_message(f, "/train/save", one_string_message("mine.json"));
	expect_fail(f, "/train/save", "is refused to remote peers");
	send_message(f, "/1/push1", press()); /* a button mapped to a load */
	expect_fail(f, "/1/push1", "is refused to remote peers");
	assert_int_equal(f->n_requests, 0);
	send_message(f, "/xy", xy(0.1f, 0.1f)); /* playing is not administration */
	assert_string_equal(last_reply(f)->path, "/done");

	f->config.remote_admin = 1;
	osc_set_config(&f->osc, &f->config);
	send_message(f, "/load/terrain", one_string_message("demo.json"));
	assert_int_equal(f->n_requests, 1);
	send_message(f, "/quit", lo_message_new());
	assert_int_equal(f->n_requests, 2);
	assert_int_equal(f->requests[1].type, OSC_QUIT);

	/* With a password, remote administration must come over an
	 * authenticated TCP session: UDP has none. */
	snprintf(f->config.password, sizeof f->config.password, "s3cret");
	osc_set_config(&f->osc, &f->config);
	send_message(f, "/quit", lo_message_new());
	expect_fail(f, "/quit", "over UDP while osc.password is set");
	assert_int_equal(f->n_requests, 2);
	f->peer.connection = 7; /* net.c hands over TCP packets only after /auth */
	send_message(f, "/quit", lo_message_new());
	assert_int_equal(f->n_requests, 3);
}

static void train_save_writes_only_terrain_files_and_overwrites_only_when_asked(void **state)
{
	fixture *f = *state;
	send_message(f, "/train/save", one_string_message("demo.ts"));
	expect_fail(f, "/train/save", "demo.ts: a terrain is saved as a .json file");
	send_message(f, "/train/save", one_string_message("terrains/x.json.bak"));
	expect_fail(f, "/train/save", "a terrain is saved as a .json file");
	lo_message m = one_string_message("mine.json");
	lo_message_add_int32(m, 2);
	send_message(f, "/train/save", m);
	expect_fail(f, "/train/save", "optionally 1 to overwrite");
	assert_int_equal(f->n_requests, 0);
	send_message(f, "/train/save", one_string_message("terrains/mine.json"));
	assert_int_equal(f->n_requests, 1);
	assert_int_equal(f->requests[0].type, OSC_SAVE_TERRAIN);
	assert_false(f->requests[0].overwrite);
	assert_true(f->requests[0].fd >= 0); /* the directory, opened when confined */
	assert_contains(f->requests[0].path, "/terrains/mine.json");
	m = one_string_message("terrains/mine.json");
	lo_message_add_int32(m, 1);
	send_message(f, "/train/save", m);
	assert_int_equal(f->n_requests, 2);
	assert_true(f->requests[1].overwrite);
}

static void peers_outside_the_allow_list_are_refused_and_counted(void **state)
{
	fixture *f = *state;
	assert_true(osc_peer_allowed(&f->osc, &f->peer)); /* loopback: always */
	become_remote(f);
	assert_false(osc_peer_allowed(&f->osc, &f->peer));
	assert_int_equal(atomic_load(&f->osc.refused), 1);
	char err[256];
	assert_int_equal(access_parse_rule("192.0.2.0/24", &f->config.allow[0], err, sizeof err), 0);
	f->config.n_allow = 1;
	osc_set_config(&f->osc, &f->config);
	assert_true(osc_peer_allowed(&f->osc, &f->peer));
	assert_int_equal(atomic_load(&f->osc.refused), 1);
	send_message(f, "/status", lo_message_new());
	const reply *r = last_reply(f);
	assert_string_equal(r->path, "/status.reply");
}

static void send_packet(fixture *f, const char *path, lo_message m, int expect)
{
	size_t size;
	void *data = lo_message_serialise(m, path, NULL, &size);
	assert_int_equal(osc_authenticate(&f->osc, data, size, &f->peer), expect);
	free(data);
	lo_message_free(m);
}

static void a_tcp_session_starts_with_the_password(void **state)
{
	fixture *f = *state;
	assert_false(osc_needs_password(&f->osc));
	snprintf(f->config.password, sizeof f->config.password, "s3cret");
	osc_set_config(&f->osc, &f->config);
	assert_true(osc_needs_password(&f->osc));
	f->peer.connection = 7;
	send_packet(f, "/xy", xy(0.1f, 0.1f), -1);
	expect_fail(f, "/xy", "needs /auth <password> first");
	send_packet(f, "/auth", one_string_message("s3cre"), -1);
	expect_fail(f, "/auth", "wrong password");
	send_packet(f, "/auth", xy(1, 2), -1);
	expect_fail(f, "/auth", "expects one string");
	send_packet(f, "/auth", one_string_message("s3cret"), 0);
	assert_string_equal(last_reply(f)->path, "/done");
	assert_string_equal(last_reply(f)->arg0, "/auth");
}

/* Voice 0's latent 0 (the demo's pitch) near `want`, playing the audio
 * callback's part meanwhile. */
static void wait_pitch_latent(fixture *f, float want)
{
	float z[4] = {0}, out[PERIOD * 2];
	for (int i = 0; i < 2000; i++) {
		if (engine_latent(f->engine, z, 4) == 4 && fabsf(z[0] - want) < 1e-3f)
			return;
		engine_pull(f->engine, out, PERIOD, 2);
		nanosleep(&(struct timespec){0, 1000000000L * PERIOD / RATE}, NULL);
	}
	fail_msg("voice 0's pitch latent is %g, expected %g", z[0], want);
}

static lo_message one_float(float v)
{
	lo_message m = lo_message_new();
	lo_message_add_float(m, v);
	return m;
}

/* The daemon's own MIDI input speaks OSC as an internal peer: no /done,
 * its /fail delivered without taking the replies' budget; /voice/N/pitch
 * sets the demo's pitch latent (f0 = 220 * 2^z0). */
static void the_internal_peer_gets_no_done_and_a_pitch_sets_the_pitch_latent(void **state)
{
	fixture *f = *state;
	f->peer.connection = OSC_CONNECTION_INTERNAL;
	send_message(f, "/voice/0/pitch", one_float(440.0f));
	lo_message xy = lo_message_new();
	lo_message_add_float(xy, 0.1f);
	lo_message_add_float(xy, 0.2f);
	send_message(f, "/voice/0/xy", xy);
	assert_int_equal(f->n_replies, 0);
	wait_pitch_latent(f, 1.0f); /* an octave above 220 Hz */
	send_message(f, "/voice/0/pitch", one_float(110.0f));
	wait_pitch_latent(f, -1.0f); /* glides there (smoothing is 0 in this fixture: at once) */
	send_message(f, "/voice/9/pitch", one_float(440.0f));
	assert_int_equal(f->n_replies, 1);
	expect_fail(f, "/voice/9/pitch", "no such voice");
	for (int i = 0; i < OSC_MAX_REPLIES_PER_SECOND + 10; i++)
		send_message(f, "/nope", lo_message_new());
	assert_int_equal(atomic_load(&f->osc.replies_suppressed), 0);
	f->peer.connection = 0; /* a controller's pitch is checked as any value */
	send_message(f, "/voice/1/pitch", one_float(30000.0f));
	expect_fail(f, "/voice/1/pitch", "pitch in Hz 30000 is out of range (0 to 20000)");
	send_message(f, "/voice/0/pitch", one_float(0.0f));
	assert_string_equal(last_reply(f)->path, "/done");
}

/* Waits until voice n sounds (at (x, y)) or is free: the render thread
 * applies events at its next frame, a release after its fade, so this
 * plays the audio callback's part (a period every 2.67 ms) meanwhile. */
static void wait_voice(fixture *f, int n, int sounding, float x, float y)
{
	float target[TERRAIN_MAX_CONTROL_DIM], out[PERIOD * 2];
	int now = 0;
	for (int i = 0; i < 2000; i++) {
		now = engine_voice_target(f->engine, n, target);
		if (now == sounding && (!sounding || (fabsf(target[0] - x) < 1e-5f && fabsf(target[1] - y) < 1e-5f)))
			return;
		engine_pull(f->engine, out, PERIOD, 2);
		nanosleep(&(struct timespec){0, 1000000000L * PERIOD / RATE}, NULL);
	}
	fail_msg("voice %d: sounding %d at (%g, %g); expected sounding %d at (%g, %g)", n, now, target[0], target[1],
	         sounding, x, y);
}

static lo_message touch_state(float down)
{
	lo_message m = lo_message_new();
	lo_message_add_float(m, down);
	return m;
}

static void a_touch_mapping_gives_each_touch_its_voice_and_z_0_releases_it(void **state)
{
	fixture *f = *state;
	send_message(f, "/m/3", xy(0.25f, 1.0f));
	wait_voice(f, 2, 1, -0.5f, 1.0f); /* touch 3 -> voice 2, onto the bounds */
	send_message(f, "/m/3/z", touch_state(1));
	assert_string_equal(last_reply(f)->path, "/done");
	send_message(f, "/m/3/z", touch_state(0));
	wait_voice(f, 2, 0, 0, 0);
	send_message(f, "/v5", xy(1.0f, 0.0f));
	wait_voice(f, 5, 1, 1.0f, -1.0f); /* "voice": 5 */
	send_message(f, "/m/9", xy(0.5f, 0.5f));
	expect_fail(f, "/m/9", "touch 9 has no voice: touches 1 to 8 play voices 0 to 7");
	send_message(f, "/m/0", xy(0.5f, 0.5f));
	expect_fail(f, "/m/0", "touch number N from 1");
	send_message(f, "/m/2/x", xy(0.5f, 0.5f));
	expect_fail(f, "/m/2/x", "expects /m/N or /m/N/z");
}

static lo_message tuio(const char *command)
{
	lo_message m = lo_message_new();
	lo_message_add_string(m, command);
	return m;
}

/* One TUIO 1.1 frame as a tracker sends it: a bundle of source, alive,
 * set (s x y X Y m) per cursor, fseq. */
static void send_tuio_frame(fixture *f, int32_t fseq, const int32_t *alive, int n_alive, const float (*sets)[3],
                            int n_sets)
{
	lo_bundle b = lo_bundle_new(LO_TT_IMMEDIATE);
	lo_message m = tuio("source");
	lo_message_add_string(m, "test@localhost");
	lo_bundle_add_message(b, "/tuio/2Dcur", m);
	m = tuio("alive");
	for (int i = 0; i < n_alive; i++)
		lo_message_add_int32(m, alive[i]);
	lo_bundle_add_message(b, "/tuio/2Dcur", m);
	for (int i = 0; i < n_sets; i++) {
		m = tuio("set");
		lo_message_add_int32(m, (int32_t)sets[i][0]);
		for (int k = 1; k < 6; k++)
			lo_message_add_float(m, k < 3 ? sets[i][k] : 0.0f);
		lo_bundle_add_message(b, "/tuio/2Dcur", m);
	}
	m = tuio("fseq");
	lo_message_add_int32(m, fseq);
	lo_bundle_add_message(b, "/tuio/2Dcur", m);
	size_t size;
	void *data = lo_bundle_serialise(b, NULL, &size);
	osc_handle_packet(&f->osc, data, size, &f->peer);
	free(data);
	lo_bundle_free_recursive(b);
}

static void tuio_cursors_play_voices_and_end_with_their_sessions(void **state)
{
	fixture *f = *state;
	send_tuio_frame(f, 1, (int32_t[]){5, 7}, 2, (const float[][3]){{5, 0.25f, 0.0f}, {7, 0.75f, 1.0f}}, 2);
	wait_voice(f, 0, 1, -0.5f, 1.0f); /* TUIO's y points down: the top edge is the terrain's top */
	wait_voice(f, 1, 1, 0.5f, -1.0f);
	assert_int_equal(f->n_replies, 0); /* TUIO senders get no /done */
	send_tuio_frame(f, 2, (int32_t[]){7}, 1, NULL, 0);
	wait_voice(f, 0, 0, 0, 0); /* session 5 lifted */
	wait_voice(f, 1, 1, 0.5f, -1.0f);
	send_tuio_frame(f, 3, (int32_t[]){7, 9}, 2, (const float[][3]){{9, 0.2f, 0.1f}}, 1);
	wait_voice(f, 0, 1, -0.6f, 0.8f); /* a new session takes the freed voice */
	assert_int_equal(f->n_replies, 0);
	send_message(f, "/tuio/2Dcur", tuio("bogus"));
	expect_fail(f, "/tuio/2Dcur", "source, alive, set or fseq");
	lo_message m = tuio("set");
	lo_message_add_string(m, "five");
	lo_message_add_float(m, 0.5f);
	lo_message_add_float(m, 0.5f);
	send_message(f, "/tuio/2Dcur", m);
	expect_fail(f, "/tuio/2Dcur", "must be an integer");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(xy_with_any_numeric_tags_moves_the_cursor_and_is_answered, setup, teardown),
	    cmocka_unit_test_setup_teardown(bad_arguments_get_a_reason, setup, teardown),
	    cmocka_unit_test_setup_teardown(malformed_packets_are_answered_not_crashed_on, setup, teardown),
	    cmocka_unit_test_setup_teardown(nested_bundles_are_walked_with_a_depth_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(touchosc_mappings_scale_swap_and_invert_onto_the_bounds, setup, teardown),
	    cmocka_unit_test_setup_teardown(stylus_pressure_drives_the_gain_on_a_2d_terrain, setup, teardown),
	    cmocka_unit_test_setup_teardown(loads_are_confined_and_queued_for_the_worker, setup, teardown),
	    cmocka_unit_test_setup_teardown(status_reply_is_key_value_pairs, setup, teardown),
	    cmocka_unit_test_setup_teardown(status_says_which_terraind_and_configuration, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_button_mapped_to_a_load_queues_it_on_press_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_burst_keeps_only_the_newest_cursor_move_per_address, setup, teardown),
	    cmocka_unit_test_setup_teardown(replies_are_rate_limited_under_a_flood, setup, teardown),
	    cmocka_unit_test_setup_teardown(the_internal_peer_gets_no_done_and_a_pitch_sets_the_pitch_latent, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(training_pairs_follow_the_terrain_shape, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_3d_terrain_releases_the_pressure_gain, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_reloaded_config_gain_keeps_the_pressure, setup, teardown),
	    cmocka_unit_test_setup_teardown(notify_subscriptions_expire_unless_renewed, setup, teardown),
	    cmocka_unit_test_setup_teardown(admin_requests_from_remote_peers_need_remote_admin, setup, teardown),
	    cmocka_unit_test_setup_teardown(train_save_writes_only_terrain_files_and_overwrites_only_when_asked, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(peers_outside_the_allow_list_are_refused_and_counted, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_tcp_session_starts_with_the_password, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_touch_mapping_gives_each_touch_its_voice_and_z_0_releases_it, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(tuio_cursors_play_voices_and_end_with_their_sessions, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
