/*
 * test_grains.c — the granular synthesiser's scheduler (grains.c) on a
 * real voice pool and the demo terrain, without a model: a row of ones per
 * voice shows each grain's window where it falls, sample by sample.
 */
#include "test_util.h"

#include <stdio.h>

#include <arpa/inet.h>
#include <lo/lo.h>
#include <netinet/in.h>

#include "demo_scene.h"
#include "grains.h"
#include "osc.h"
#include "terrain_json.h"

enum { RATE = 48000, CALL = 512, ROWS = 8 };

/* Allocations on the render thread's grain path are counted by an
 * interposed allocator (the normal build only: ASan and TSan interpose
 * their own, as test_rt_safety.c explains). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define COUNTS_ALLOCATIONS 0
#else
#define COUNTS_ALLOCATIONS 1
#include "../alloc_interpose.h"

static __thread volatile int counting;
static int allocations;

static void alloc_observed(alloc_call call)
{
	(void)call;
	if (counting)
		allocations++;
}
#endif

typedef struct fixture {
	grains g;
	voice_pool pool;
	terrain *t;
	unsigned char row_used[ROWS];
	float planar[ROWS * CALL];
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	char err[512];
	if (terrain_load("terrains/demo.json", &f->t, err, sizeof err) < 0)
		fail_msg("%s", err);
	grains_init(&f->g, 1);
	voices_init(&f->pool, ROWS, 50);
	for (int i = 0; i < VOICES_MAX; i++)
		render_cursor_init(&f->pool.voices[i].control, f->t);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	terrain_free(f->t);
	free(f);
	return 0;
}

static void set(fixture *f, const char *verb, const float *v, int n, const char *word)
{
	int setting, out_n;
	float out[8];
	char why[256];
	if (grains_message(verb, 2, v, n, word, &setting, out, &out_n, why, sizeof why) < 0)
		fail_msg("/grain/%s: %s", verb, why);
	grains_apply(&f->g, setting, out, out_n);
}

static void set1(fixture *f, const char *verb, float v)
{
	set(f, verb, &v, 1, NULL);
}

/* One decode call: the grains' rows (ones, windowed) summed into `sum`
 * (CALL samples), as the mix would add them. */
static void run_call(fixture *f, float *sum)
{
	grains_begin_call(&f->g, &f->pool, f->t, ROWS, f->row_used, CALL, RATE);
	for (int i = 0; i < ROWS * CALL; i++)
		f->planar[i] = 1.0f;
	grains_window(&f->g, &f->pool, f->planar, 1, CALL);
	memset(sum, 0, sizeof(float) * CALL);
	for (int v = 0; v < VOICES_MAX; v++)
		if (f->pool.voices[v].state != VOICE_FREE)
			for (int k = 0; k < CALL; k++)
				sum[k] += f->planar[f->pool.voices[v].row * CALL + k];
	grains_end_call(&f->g, &f->pool);
}

static void messages_are_validated_with_reasons(void **state)
{
	(void)state;
	int setting, n;
	float out[8];
	char why[256];
	const float four[4] = {0, 0, 0.8f, 0.8f}, two[2] = {2, 0}, big = 5000, half = 0.5f;
	assert_int_equal(grains_message("line", 2, four, 4, NULL, &setting, out, &n, why, sizeof why), 0);
	assert_int_equal(setting, GRAIN_LINE);
	assert_int_equal(n, 4);
	assert_int_equal(grains_message("line", 2, four, 3, NULL, &setting, out, &n, why, sizeof why), -1);
	assert_contains(why, "expects 4 numbers (x0 y0 x1 y1)");
	assert_int_equal(grains_message("line", 1, four, 4, NULL, &setting, out, &n, why, sizeof why), -1);
	assert_contains(why, "2 numbers (x0 x1) on the terrain's axis");
	assert_int_equal(grains_message("area", 1, four, 3, NULL, &setting, out, &n, why, sizeof why), -1);
	assert_contains(why, "scan it with /grain/line");
	assert_int_equal(grains_message("position", 2, two, 2, NULL, &setting, out, &n, why, sizeof why), -1);
	assert_contains(why, "within -1 to 1");
	assert_int_equal(grains_message("position", 1, two, 2, NULL, &setting, out, &n, why, sizeof why), -1);
	assert_int_equal(grains_message("size", 2, &big, 1, NULL, &setting, out, &n, why, sizeof why), -1);
	assert_contains(why, "grain size in ms 5000 is out of range (1 to 2000)");
	assert_int_equal(grains_message("freeze", 2, &half, 1, NULL, &setting, out, &n, why, sizeof why), -1);
	assert_int_equal(grains_message("window", 2, NULL, 0, "tukey", &setting, out, &n, why, sizeof why), 0);
	assert_true(out[0] == GRAIN_TUKEY);
	assert_int_equal(grains_message("window", 2, NULL, 0, "gauss", &setting, out, &n, why, sizeof why), -1);
	assert_contains(why, "hann, tukey or rect");
	assert_int_equal(grains_message("gain", 2, NULL, 0, "loud", &setting, out, &n, why, sizeof why), -1);
	assert_int_equal(grains_message("off", 2, NULL, 0, NULL, &setting, out, &n, why, sizeof why), 0);
	assert_true(setting == GRAIN_ON && n == 1 && out[0] == 0);
	assert_int_equal(grains_message("on", 2, &half, 1, NULL, &setting, out, &n, why, sizeof why), -1);
	assert_int_equal(grains_message("pitch", 2, NULL, 0, NULL, &setting, out, &n, why, sizeof why), -1);
	assert_contains(why, "unknown address");
}

/* 40 ms grains at 8 a second: each starts on its sample (every 6000) and
 * lasts 1920 samples, hann-shaped; none is skipped. */
static void grains_start_on_their_sample_and_last_their_size(void **state)
{
	fixture *f = *state;
	set1(f, "size", 40);
	set1(f, "density", 8);
	set(f, "on", NULL, 0, NULL);
	enum { CALLS = 94 }; /* ~1 s */
	static float out[CALLS * CALL];
	for (int c = 0; c < CALLS; c++)
		run_call(f, out + c * CALL);
	for (int k = 0; k < CALLS * CALL; k++) {
		int in_grain = k % 6000 < 1920;
		float want = in_grain ? grains_window_at(GRAIN_HANN, k % 6000, 1920) : 0.0f;
		if (fabsf(out[k] - want) > 1e-5f)
			fail_msg("sample %d: %g, expected %g", k, (double)out[k], (double)want);
	}
	grains_stats s;
	grains_stats_read(&f->g, &s);
	assert_int_equal(s.started, 9); /* 0, 6000, ..., 48000 */
	assert_int_equal(s.skipped, 0);
}

static void grains_borrow_the_highest_free_voices_and_give_them_back(void **state)
{
	fixture *f = *state;
	float sum[CALL];
	f->pool.voices[7].pan = -0.5f;
	f->pool.voices[7].gain = 2.0f;
	assert_int_equal(voices_start(&f->pool, 0, ROWS, f->row_used, CALL, RATE), 0); /* the performer */
	set1(f, "size", 20);
	set(f, "on", NULL, 0, NULL);
	run_call(f, sum);
	assert_int_equal(f->pool.voices[7].state, VOICE_ON);
	assert_true(f->pool.voices[7].pan == 0.0f && f->pool.voices[7].gain == 1.0f);
	run_call(f, sum); /* 20 ms = 960 samples: over in the second call */
	run_call(f, sum);
	assert_int_equal(f->pool.voices[7].state, VOICE_FREE);
	assert_true(f->pool.voices[7].pan == -0.5f && f->pool.voices[7].gain == 2.0f);
	assert_int_equal(f->pool.voices[0].state, VOICE_ON);
}

static void the_grain_path_never_allocates(void **state)
{
	(void)state;
	if (!COUNTS_ALLOCATIONS) {
		printf("skipped: a sanitizer build interposes malloc itself: allocations are not counted here "
		       "(the normal build counts them)\n");
		skip();
	}
#if COUNTS_ALLOCATIONS
	fixture *f = *state;
	float sum[CALL];
	const float area[3] = {0, 0, 0.5f}, at[2] = {0.5f, 0.5f};
	set1(f, "size", 30);
	set1(f, "density", 300); /* more than the pool: skips too */
	set1(f, "spray", 0.3f);
	set(f, "on", NULL, 0, NULL);
	counting = 1;
	for (int c = 0; c < 200; c++) {
		if (c == 100) {
			counting = 0; /* the settings arrive as the render thread applies them */
			set(f, "area", area, 3, NULL);
			set(f, "position", at, 2, NULL);
			counting = 1;
		}
		run_call(f, sum);
	}
	counting = 0;
	assert_int_equal(allocations, 0);
	grains_stats s;
	grains_stats_read(&f->g, &s);
	assert_true(s.started > 100 && s.skipped > 0);
#endif
}

/* A scene fading out after a swap mixes its voices held: the grains' rows
 * are silenced there, the performer's is not. */
static void grains_are_silent_in_a_scene_fading_out(void **state)
{
	fixture *f = *state;
	float sum[CALL];
	assert_int_equal(voices_start(&f->pool, 0, ROWS, f->row_used, CALL, RATE), 0);
	set1(f, "size", 100);
	set(f, "on", NULL, 0, NULL);
	run_call(f, sum);
	for (int i = 0; i < ROWS * CALL; i++)
		f->planar[i] = 1.0f;
	grains_silence(&f->g, &f->pool, f->planar, 2, 1, CALL);
	assert_int_equal(f->pool.voices[7].row, 1);
	for (int k = 0; k < CALL; k++) {
		assert_true(f->planar[k] == 1.0f);        /* row 0: the performer */
		assert_true(f->planar[CALL + k] == 0.0f); /* row 1: the grain */
	}
}

/* Ten 500 ms grains a second, on 8 voices (one the performer's): the pool
 * fills and the rest are skipped, counted. */
static void grains_with_no_voice_free_are_skipped_and_counted(void **state)
{
	fixture *f = *state;
	float sum[CALL];
	assert_int_equal(voices_start(&f->pool, 0, ROWS, f->row_used, CALL, RATE), 0);
	set1(f, "size", 500);
	set1(f, "density", 40);
	set(f, "on", NULL, 0, NULL);
	for (int c = 0; c < 40; c++)
		run_call(f, sum);
	grains_stats s;
	grains_stats_read(&f->g, &s);
	assert_int_equal(voices_sounding(&f->pool), ROWS);
	assert_int_equal(s.sounding, ROWS - 1);
	assert_true(s.skipped > 0);
	assert_int_equal(s.started + s.skipped, 18); /* 40 calls = 0.427 s: grains at 0, 25, ... 425 ms */
}

static void the_scanner_reads_the_line_and_freeze_holds_it(void **state)
{
	fixture *f = *state;
	float sum[CALL], xy[2];
	const float line[4] = {0, 0, 0.8f, 0.8f};
	set(f, "line", line, 4, NULL);
	set1(f, "position", 0.25f);
	set1(f, "size", 100);
	set(f, "on", NULL, 0, NULL);
	run_call(f, sum);
	assert_true(grains_cursor(&f->g, xy));
	assert_float_equal(xy[0], 0.2f, 1e-6);
	assert_float_equal(f->pool.voices[7].control.cursor[1], 0.2f, 1e-6);
	set1(f, "freeze", 1);
	set1(f, "position", 1);
	run_call(f, sum);
	assert_float_equal(f->pool.voices[7].control.cursor[0], 0.2f, 1e-6); /* held */
	set1(f, "freeze", 0);
	run_call(f, sum);
	assert_float_equal(f->pool.voices[7].control.cursor[0], 0.8f, 1e-6);
	const float area[3] = {0.5f, -0.5f, 0.25f}, at[2] = {1, 0};
	set(f, "area", area, 3, NULL);
	set(f, "position", at, 2, NULL);
	run_call(f, sum);
	assert_float_equal(f->pool.voices[7].control.cursor[0], 0.75f, 1e-6);
	assert_float_equal(f->pool.voices[7].control.cursor[1], -0.5f, 1e-6);
	grains_release_voice(&f->g, 7); /* a /voice/7/xy: the performer's now */
	for (int c = 0; c < 10; c++)
		run_call(f, sum);
	assert_int_equal(f->pool.voices[7].state, VOICE_ON);
}

/* A terrain of control_dim 1 (weights zero: only its axis matters here). */
static terrain *one_axis_terrain(void)
{
	terrain_shape shape = {.control_dim = 1, .latent_dim = 4, .n_features = 8, .n_layers = 2, .widths = {8, 4}};
	terrain *t;
	char err[256];
	if (terrain_create(&shape, &t, err, sizeof err) < 0)
		fail_msg("%s", err);
	t->bounds_min[0] = -2;
	t->bounds_max[0] = 6;
	if (terrain_finish(t, err, sizeof err) < 0)
		fail_msg("%s", err);
	return t;
}

static void a_one_axis_terrain_scans_its_own_axis(void **state)
{
	fixture *f = *state;
	terrain_free(f->t);
	f->t = one_axis_terrain();
	float sum[CALL], x[2];
	int setting, n;
	float out[8];
	char why[256];
	set1(f, "position", 0.25f);
	set(f, "on", NULL, 0, NULL);
	run_call(f, sum);
	assert_float_equal(f->pool.voices[7].control.cursor[0], 0.0f, 1e-6); /* -2 + 0.25 × 8 */
	assert_true(grains_cursor(&f->g, x));
	assert_float_equal(x[0], 0.0f, 1e-6);
	const float segment[2] = {4, 6};
	assert_int_equal(grains_message("line", 1, segment, 2, NULL, &setting, out, &n, why, sizeof why), 0);
	grains_apply(&f->g, setting, out, n);
	run_call(f, sum);
	assert_float_equal(f->pool.voices[7].control.cursor[0], 4.5f, 1e-6);
}

/* The positions of the first grains with spray, from a seed. */
static void spray_positions(uint64_t seed, float spray, float *x, int n)
{
	fixture *f;
	setup((void **)&f);
	grains_seed(&f->g, seed);
	float sum[CALL];
	set1(f, "spray", spray);
	set1(f, "position", 0.5f);
	set1(f, "size", 5);
	set1(f, "density", RATE / CALL); /* one grain a call */
	set(f, "on", NULL, 0, NULL);
	for (int i = 0; i < n; i++) {
		run_call(f, sum);
		x[i] = f->pool.voices[7].control.cursor[0];
	}
	teardown((void **)&f);
}

static void spray_is_drawn_from_the_seed(void **state)
{
	(void)state;
	enum { N = 16 };
	float a[N], b[N], c[N], none[N];
	spray_positions(3, 0.5f, a, N);
	spray_positions(3, 0.5f, b, N);
	spray_positions(4, 0.5f, c, N);
	spray_positions(3, 0.0f, none, N);
	assert_memory_equal(a, b, sizeof a);
	assert_memory_not_equal(a, c, sizeof a);
	float lo = 1, hi = -1;
	for (int i = 0; i < N; i++) {
		assert_float_equal(none[i], 0.0f, 1e-6); /* the diagonal's middle */
		lo = fminf(lo, a[i]);
		hi = fmaxf(hi, a[i]);
	}
	assert_true(lo >= -1.0f && hi <= 1.0f && hi - lo > 0.5f); /* ±0.5 of the line, spread */
}

static void windows_have_their_shapes(void **state)
{
	(void)state;
	enum { N = 1000 };
	assert_true(grains_window_at(GRAIN_HANN, 0, N) < 1e-4f);
	assert_float_equal(grains_window_at(GRAIN_HANN, N / 2, N), 1.0f, 1e-4);
	assert_float_equal(grains_window_at(GRAIN_HANN, 100, N), grains_window_at(GRAIN_HANN, N - 101, N), 1e-5);
	assert_true(grains_window_at(GRAIN_TUKEY, 0, N) < 1e-4f);
	assert_float_equal(grains_window_at(GRAIN_TUKEY, N / 4, N), 1.0f, 1e-6);
	assert_float_equal(grains_window_at(GRAIN_TUKEY, N * 3 / 4 - 1, N), 1.0f, 1e-6);
	assert_float_equal(grains_window_at(GRAIN_RECT, 0, N), 1.0f, 0);
}

/* ---- through the dispatcher and the engine ---------------------------------- */

typedef struct wire {
	char last_fail[256];
	int64_t started, skipped; /* from /status.reply; -1 until one came */
	float cursor[2];
	int cursors;
} wire;

static void status_value(lo_message m, const char *key, int64_t *out)
{
	const char *types = lo_message_get_types(m);
	lo_arg **argv = lo_message_get_argv(m);
	for (int i = 0; i + 1 < lo_message_get_argc(m); i++)
		if (types[i] == 's' && strcmp((const char *)argv[i], key) == 0) { /* liblo aligns to 4 bytes */
			int32_t i32;
			int64_t i64;
			if (types[i + 1] == 'h')
				memcpy(&i64, argv[i + 1], sizeof i64);
			else
				memcpy(&i32, argv[i + 1], sizeof i32);
			*out = types[i + 1] == 'h' ? i64 : i32;
		}
}

static void overhear(void *ctx, const osc_peer *peer, const void *data, size_t size)
{
	(void)peer;
	wire *w = ctx;
	int result;
	lo_message m = lo_message_deserialise((void *)data, size, &result);
	assert_non_null(m);
	lo_arg **argv = lo_message_get_argv(m);
	if (strcmp(data, "/fail") == 0)
		snprintf(w->last_fail, sizeof w->last_fail, "%s: %s", (const char *)argv[0], (const char *)argv[1]);
	else if (strcmp(data, "/status.reply") == 0) {
		status_value(m, "grains_started", &w->started);
		status_value(m, "grains_skipped", &w->skipped);
	} else if (strcmp(data, "/grain/cursor") == 0) {
		assert_string_equal(lo_message_get_types(m), "ff");
		memcpy(&w->cursor[0], argv[0], sizeof(float));
		memcpy(&w->cursor[1], argv[1], sizeof(float));
		w->cursors++;
	}
	lo_message_free(m);
}

static void send_osc(osc_context *o, const osc_peer *peer, const char *path, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	lo_message m = lo_message_new();
	for (const char *t = types; *t; t++)
		if (*t == 'f')
			lo_message_add_float(m, (float)va_arg(ap, double));
		else
			lo_message_add_string(m, va_arg(ap, const char *));
	va_end(ap);
	size_t size;
	void *data = lo_message_serialise(m, path, NULL, &size);
	osc_handle_packet(o, data, size, peer);
	free(data);
	lo_message_free(m);
}

/* /grain/... through osc.c into the engine (offline): reasons for bad
 * values, grains counted in /status.reply, the scanner sent to /notify
 * subscribers as /grain/cursor. */
static void the_dispatcher_drives_grains_and_reports_them(void **state)
{
	(void)state;
	enum { DEVICE_RATE = 48000 };
	engine *e;
	char err[512];
	assert_int_equal(engine_create(DEVICE_RATE, 256, 0, 0, &e, err, sizeof err), 0);
	engine_start_offline(e, demo_scene(DEVICE_RATE, 0));
	wire w = {.started = -1, .skipped = -1};
	osc_context o;
	config c;
	config_defaults(&c);
	terrain *t;
	assert_int_equal(terrain_load("terrains/demo.json", &t, err, sizeof err), 0);
	osc_init(&o, e, &c, t, (osc_callbacks){.send = overhear, .send_ctx = &w});
	osc_peer peer = {.len = sizeof(struct sockaddr_in)};
	struct sockaddr_in *local = (struct sockaddr_in *)&peer.addr;
	local->sin_family = AF_INET;
	local->sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	send_osc(&o, &peer, "/grain/size", "f", 5000.0);
	assert_string_equal(w.last_fail, "/grain/size: grain size in ms 5000 is out of range (1 to 2000)");
	send_osc(&o, &peer, "/grain/window", "s", "gauss");
	assert_contains(w.last_fail, "/grain/window: expects hann, tukey or rect");
	send_osc(&o, &peer, "/grain/loop", "");
	assert_contains(w.last_fail, "/grain/loop: unknown address");
	w.last_fail[0] = '\0';
	send_osc(&o, &peer, "/voice/0/off", "");
	send_osc(&o, &peer, "/grain/line", "ffff", 0.0, 0.0, 0.8, 0.8);
	send_osc(&o, &peer, "/grain/position", "f", 0.5);
	send_osc(&o, &peer, "/grain/window", "s", "rect");
	send_osc(&o, &peer, "/grain/size", "f", 200.0);
	send_osc(&o, &peer, "/grain/density", "f", 100.0); /* 20 at once: more than the 8 voices */
	send_osc(&o, &peer, "/grain/on", "");
	assert_string_equal(w.last_fail, "");
	static float audio[2 * ENGINE_MAX_FRAME];
	for (int call = 0; call < 30; call++) {
		size_t made = engine_render_offline(e, (int64_t)call * 10666667);
		engine_pull(e, audio, made, 2);
		engine_collect(e);
	}
	send_osc(&o, &peer, "/status", "");
	assert_true(w.started >= 8);
	assert_true(w.skipped > 0);
	send_osc(&o, &peer, "/notify", "f", 60.0);
	osc_notify_tick(&o);
	assert_int_equal(w.cursors, 1);
	assert_float_equal(w.cursor[0], 0.4f, 1e-6);
	assert_float_equal(w.cursor[1], 0.4f, 1e-6);
	osc_destroy(&o);
	terrain_free(t);
	engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(messages_are_validated_with_reasons),
	    cmocka_unit_test_setup_teardown(grains_start_on_their_sample_and_last_their_size, setup, teardown),
	    cmocka_unit_test_setup_teardown(grains_borrow_the_highest_free_voices_and_give_them_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(grains_with_no_voice_free_are_skipped_and_counted, setup, teardown),
	    cmocka_unit_test_setup_teardown(the_grain_path_never_allocates, setup, teardown),
	    cmocka_unit_test_setup_teardown(grains_are_silent_in_a_scene_fading_out, setup, teardown),
	    cmocka_unit_test_setup_teardown(the_scanner_reads_the_line_and_freeze_holds_it, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_one_axis_terrain_scans_its_own_axis, setup, teardown),
	    cmocka_unit_test(spray_is_drawn_from_the_seed),
	    cmocka_unit_test(windows_have_their_shapes),
	    cmocka_unit_test(the_dispatcher_drives_grains_and_reports_them),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
