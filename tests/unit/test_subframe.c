/* Unit tests for sub-frame control: the model state snapshot (torch
 * backend, model_load's check), the decisions and crossfade of subframe.c,
 * and the live engine answering a cursor jump within the playing frame. */
#include "test_util.h"

#include <time.h>

#include "clock.h"
#include "demo_scene.h"
#include "engine.h"
#include "subframe.h"

enum { RATE = 48000, PERIOD = 128 };

static model *load(const char *path)
{
	model *m;
	char err[1024];
	if (model_load(path, NULL, &m, err, sizeof err) < 0)
		fail_msg("%s", err);
	return m;
}

static double max_difference(const float *a, const float *b, size_t n)
{
	double worst = 0;
	for (size_t i = 0; i < n; i++)
		worst = fmax(worst, fabs((double)a[i] - (double)b[i]));
	return worst;
}

/* Two rows: save, decode z1 then z2; restore, decode them again: the same
 * audio within 1e-6, the second frame included (the state the re-decode
 * leaves goes on as the first one did). Without the restore the same
 * latents decode differently: the model does keep state. */
static void check_restore_repeats(const char *path)
{
	enum { ROWS = 2 };
	model *m = load(path);
	assert_int_equal(m->subframe, 1);
	const size_t nlat = (size_t)ROWS * m->latent_dim, naudio = (size_t)ROWS * m->audio_channels * m->ratio;
	float *z0 = malloc(nlat * sizeof(float)), *z1 = malloc(nlat * sizeof(float)),
	      *z2 = malloc(nlat * sizeof(float));
	float *a1 = malloc(naudio * sizeof(float)), *a2 = malloc(naudio * sizeof(float));
	float *b1 = malloc(naudio * sizeof(float)), *b2 = malloc(naudio * sizeof(float));
	uint32_t seed = 7;
	for (size_t i = 0; i < nlat; i++) {
		z0[i] = test_random(&seed, -1, 1);
		z1[i] = test_random(&seed, -1, 1);
		z2[i] = test_random(&seed, -1, 1);
	}
	char err[512];
	assert_int_equal(model_decode_rows(m, z0, ROWS, 1, a1, err, sizeof err), 0);
	assert_int_equal(model_state_save(m, ROWS, err, sizeof err), 0); /* the rows decoded: no more */
	assert_int_equal(model_decode_rows(m, z1, ROWS, 1, a1, err, sizeof err), 0);
	assert_int_equal(model_decode_rows(m, z2, ROWS, 1, a2, err, sizeof err), 0);
	assert_int_equal(model_state_restore(m, err, sizeof err), 0);
	assert_int_equal(model_decode_rows(m, z1, ROWS, 1, b1, err, sizeof err), 0);
	assert_int_equal(model_decode_rows(m, z2, ROWS, 1, b2, err, sizeof err), 0);
	if (max_difference(a1, b1, naudio) > 1e-6 || max_difference(a2, b2, naudio) > 1e-6)
		fail_msg("%s: restored decodes differ by %g and %g", path, max_difference(a1, b1, naudio),
		         max_difference(a2, b2, naudio));
	assert_int_equal(model_decode_rows(m, z1, ROWS, 1, b1, err, sizeof err), 0);
	assert_true(max_difference(a1, b1, naudio) > 1e-4);
	free(z0), free(z1), free(z2), free(a1), free(a2), free(b1), free(b2);
	model_free(m);
}

static void a_restored_decode_repeats_the_first_on_streaming_models(void **state)
{
	(void)state;
	check_restore_repeats(test_model_path("rave_bench.ts")); /* cached convolutions, in-place buffers */
	check_restore_repeats(test_model_path("long_tone.ts"));  /* a buffer decode replaces */
	check_restore_repeats("models/demo.ts");                 /* buffers and torch.randn noise */
}

static void a_model_keeping_state_outside_its_tensors_falls_back_to_frame_rate(void **state)
{
	(void)state;
	model *m = load(test_model_path("counter_state.ts"));
	assert_int_equal(m->subframe, 0);
	assert_contains(m->subframe_note, "keeps state elsewhere");
	char text[8192] = "";
	FILE *f = fmemopen(text, sizeof text - 1, "w");
	model_describe(m, f);
	fclose(f);
	assert_contains(text, "sub-frame:      no, control at frame rate");

	/* The engine says so, and plays on at frame rate. */
	scene *s;
	terrain *t;
	engine *e;
	char err[512], warn[256];
	assert_int_equal(terrain_load("terrains/demo.json", &t, err, sizeof err), 0);
	assert_int_equal(scene_create(m, t, 0, RATE, 8, &s, err, sizeof err, warn, sizeof warn), 0);
	assert_int_equal(engine_create(RATE, PERIOD, 0, 0, &e, err, sizeof err), 0);
	assert_int_equal(engine_start(e, s, err, sizeof err), 0);
	engine_stats st;
	engine_stats_read(e, &st);
	assert_int_equal(st.subframe, ENGINE_SUBFRAME_OFF_MODEL);
	assert_contains(engine_subframe_text(st.subframe), "cannot be repeated");
	engine_free(e);
	terrain_free(t);
	model_free(m);
}

static void the_crossfade_starts_at_the_old_audio_and_ends_on_the_new(void **state)
{
	(void)state;
	enum { N = 64, FROM = 16, FADE = 8 };
	float staged[2 * N], fresh[2 * N];
	for (int i = 0; i < 2 * N; i++)
		staged[i] = 1.0f, fresh[i] = -1.0f;
	subframe_replace(staged, FROM, N, fresh, FADE);
	for (int i = 0; i < FROM; i++) /* already in the ring: untouched */
		assert_true(staged[2 * i] == 1.0f);
	assert_true(staged[2 * FROM] == 1.0f); /* the fade begins on the old sample */
	for (int i = FROM + 1; i < FROM + FADE; i++)
		assert_true(staged[2 * i] < staged[2 * (i - 1)]);
	for (int i = FROM + FADE; i < N; i++)
		assert_true(staged[2 * i] == -1.0f && staged[2 * i + 1] == -1.0f);
	/* from 0: a cut, the new frame continues the state the old began from */
	subframe_replace(staged, 0, N, fresh, 0);
	assert_true(staged[0] == -1.0f);
}

static terrain *square_terrain(void)
{
	terrain_shape shape = {.control_dim = 2, .latent_dim = 4, .n_layers = 1, .widths = {4}};
	terrain *t;
	char err[256];
	assert_int_equal(terrain_create(&shape, &t, err, sizeof err), 0);
	for (int d = 0; d < 2; d++)
		t->bounds_min[d] = -1, t->bounds_max[d] = 1;
	assert_int_equal(terrain_finish(t, err, sizeof err), 0);
	return t;
}

static void a_move_counts_beyond_one_percent_of_the_bounds_on_a_sounding_voice(void **state)
{
	(void)state;
	terrain *t = square_terrain();
	voice_pool decoded, now;
	voices_init(&decoded, 8, 50);
	decoded.voices[0].state = VOICE_ON;
	now = decoded;
	now.voices[0].control.target[1] = 0.015f; /* 0.75 % of the span of 2 */
	assert_false(subframe_moved(&decoded, &now, t));
	now.voices[0].control.target[1] = 0.03f; /* 1.5 % */
	assert_true(subframe_moved(&decoded, &now, t));
	now = decoded;
	now.voices[3].control.target[0] = 0.5f; /* a silent voice's target */
	assert_false(subframe_moved(&decoded, &now, t));
	terrain_free(t);
}

static void the_voices_decoded_again_start_where_the_frame_began_with_the_new_targets(void **state)
{
	(void)state;
	voice_pool before, decoded, now, out;
	voices_init(&before, 8, 50);
	before.voices[0].state = VOICE_ON;
	before.voices[0].control.has_cursor = 1;
	before.voices[0].control.cursor[0] = 0.1f;
	before.voices[0].env = 0.5f;
	decoded = before;
	decoded.voices[0].control.cursor[0] = 0.2f; /* the frame's smoothing step */
	decoded.voices[0].env = 0.7f;
	now = decoded;
	now.voices[0].control.target[0] = 0.9f;
	now.voices[0].gain = 2.0f;
	assert_int_equal(subframe_voices(&out, &before, &decoded, &now), 0);
	assert_true(out.voices[0].control.cursor[0] == 0.1f);
	assert_true(out.voices[0].control.target[0] == 0.9f);
	assert_true(out.voices[0].env == 0.5f);
	assert_true(out.voices[0].gain == 2.0f);
	/* a voice started since: no re-decode, `out` untouched */
	now.voices[2].state = VOICE_ON;
	out.voices[0].env = 0.25f;
	assert_int_equal(subframe_voices(&out, &before, &decoded, &now), -1);
	assert_true(out.voices[0].env == 0.25f);
}

static void re_decodes_back_off_beyond_the_cpu_share(void **state)
{
	(void)state;
	const int64_t frame = 42000000, ms = 1000000;
	assert_true(subframe_affordable(5 * ms, frame, 0));
	assert_true(subframe_affordable(5 * ms, frame, 3));   /* 5 decodes: 25 ms of 42 */
	assert_false(subframe_affordable(5 * ms, frame, 4));  /* 6: 30 ms, beyond 60 % */
	assert_false(subframe_affordable(15 * ms, frame, 0)); /* a heavy model (8 voices) */
}

static void a_refusal_names_its_first_reason_and_the_cpu_one_its_figures(void **state)
{
	(void)state;
	const int64_t frame = 42670000, ms = 1000000;
	assert_int_equal(subframe_refused(0, 0, 0, 5 * ms, frame, 0), SUBFRAME_REFUSED_NOT);
	assert_int_equal(subframe_refused(1, 1, 1, 20 * ms, frame, 0), SUBFRAME_REFUSED_GLITCH);
	assert_int_equal(subframe_refused(0, 1, 1, 20 * ms, frame, 0), SUBFRAME_REFUSED_BEHIND);
	assert_int_equal(subframe_refused(0, 0, 1, 20 * ms, frame, 0), SUBFRAME_REFUSED_SHEDDING);
	assert_int_equal(subframe_refused(0, 0, 0, 13 * ms, frame, 0), SUBFRAME_REFUSED_CPU); /* 30.5 % */
	assert_int_equal(subframe_refused(0, 0, 0, 12 * ms, frame, 0), SUBFRAME_REFUSED_NOT);
	char text[192];
	subframe_refusal_text(SUBFRAME_REFUSED_CPU, 13 * ms, frame, text, sizeof text);
	assert_string_equal(
	    text, "a frame's decode took 13.0 ms of its 42.7 ms (30.5 %): a re-decode needs it under 30 %, so "
	          "that the frame's decodes keep within 60 % of it");
	subframe_refusal_text(SUBFRAME_REFUSED_NOT, 0, frame, text, sizeof text);
	assert_string_equal(text, "");
	subframe_refusal_text(SUBFRAME_REFUSED_GLITCH, 0, frame, text, sizeof text);
	assert_non_null(strstr(text, "xrun"));
}

/* ---- the live engine: a jump mid-frame ------------------------------------- */

typedef struct live {
	engine *engine;
	float out[PERIOD * 2];
} live;

static void play_period(live *l, float *mono)
{
	engine_pull(l->engine, l->out, PERIOD, 2);
	if (mono)
		for (int i = 0; i < PERIOD; i++)
			mono[i] = l->out[2 * i];
	nanosleep(&(struct timespec){0, 1000000000L * PERIOD / RATE}, NULL);
}

static void move(live *l, float x)
{
	control_event ev = {.type = CONTROL_TARGET, .dim = 2, .received_ns = clock_now_ns()};
	ev.value[0] = x;
	assert_int_equal(engine_send(l->engine, &ev), 0);
}

/* Normalised autocorrelation of x[0 .. n) at `lag`. */
static double correlation_at(const float *x, int n, int lag)
{
	double num = 0, e1 = 0, e2 = 0;
	for (int i = 0; i + lag < n; i++) {
		num += (double)x[i] * x[i + lag];
		e1 += (double)x[i] * x[i];
		e2 += (double)x[i + lag] * x[i + lag];
	}
	return num / sqrt(e1 * e2 + 1e-12);
}

/* long_tone live at x = 0 with sub-frame control on or off, played 1.3 s
 * at 440 Hz (past the back-off, 1 s, of a glitch at start), then to 21 ms
 * into the time of a frame just rendered. Returns the glitches counted
 * from 0.27 s on (st: the stats at the end). */
static uint64_t start_long_tone(live *l, int subframe, model **m, terrain **t, engine_stats *st)
{
	scene *s;
	char err[512], warn[256];
	*m = load(test_model_path("long_tone.ts"));
	assert_int_equal(terrain_load(FIXTURES "/long_tone_terrain.json", t, err, sizeof err), 0);
	assert_int_equal(scene_create(*m, *t, 0, RATE, 8, &s, err, sizeof err, warn, sizeof warn), 0);
	assert_int_equal(engine_create(RATE, PERIOD, 0, 0, &l->engine, err, sizeof err), 0);
	engine_set_subframe(l->engine, subframe);
	assert_int_equal(engine_start(l->engine, s, err, sizeof err), 0);
	move(l, 0.0f);
	for (int i = 0; i < 500; i++) {
		play_period(l, NULL);
		if (i == 100)
			engine_stats_read(l->engine, st);
	}
	const uint64_t early = st->underruns + st->overloaded;
	engine_stats_read(l->engine, st);
	uint64_t frames = st->frames_rendered;
	for (int i = 0; i < 200 && st->frames_rendered == frames; i++) {
		play_period(l, NULL);
		engine_stats_read(l->engine, st);
	}
	for (int i = 0; i < 8; i++)
		play_period(l, NULL);
	return early;
}

/* long_tone plays 440 * 2^x Hz in frames of 85 ms. Seconds from a jump
 * x = 0 -> -1 (440 -> 220 Hz), sent 21 ms after a frame was rendered, to
 * where the output plays mostly the new pitch: the first 5 ms window whose
 * correlation at 440 Hz's period (109 samples; +1 for 440 Hz, -1 for 220)
 * turns negative. */
static double jump_heard_after(int subframe, engine_stats *st, uint64_t *glitches, size_t *queued)
{
	enum { WINDOW = 240, LAG = 109, HEARD = RATE / 2, PERIODS = HEARD / PERIOD };
	live l;
	model *m;
	terrain *t;
	const uint64_t early = start_long_tone(&l, subframe, &m, &t, st);
	*queued = engine_target_fill(l.engine); /* the audio the ring keeps ahead when the jump comes */
	move(&l, -1.0f);
	float *heard = calloc(HEARD, sizeof(float));
	for (int i = 0; i < PERIODS; i++)
		play_period(&l, heard + i * PERIOD);
	engine_stats_read(l.engine, st);
	*glitches = st->underruns + st->overloaded - early; /* those the jump could meet */
	double at = -1;
	for (int start = 0; start + WINDOW <= PERIODS * PERIOD && at < 0; start += 24)
		if (correlation_at(heard + start, WINDOW, LAG) < 0)
			at = (double)(start + WINDOW / 2) / RATE;
	free(heard);
	engine_free(l.engine);
	terrain_free(t);
	model_free(m);
	return at;
}

static void a_jump_mid_frame_is_heard_before_the_next_frame_boundary(void **state)
{
	(void)state;
	engine_stats on, off;
	uint64_t glitches, ignored;
	size_t queued, ignored_queue;
	double with = jump_heard_after(1, &on, &glitches, &queued),
	       without = jump_heard_after(0, &off, &ignored, &ignored_queue);
	print_message("jump heard after %.1f ms (sub-frame), %.1f ms (frame rate, frames of 85.3 ms); "
	              "latency probe %.1f / %.1f ms\n",
	              with * 1e3, without * 1e3, on.latency_ns / 1e6, off.latency_ns / 1e6);
	assert_int_equal(on.subframe, ENGINE_SUBFRAME_ON);
	assert_int_equal(off.subframe, ENGINE_SUBFRAME_OFF_CONFIG);
	assert_true(with >= 0 && without >= 0); /* the new pitch came either way */
	assert_int_equal(off.redecodes, 0);
	if (glitches > 0) { /* an xrun or a late frame within a second of the jump: it backs off, by design */
		print_message("%llu xruns or late frames: the machine is short of CPU; not judged\n",
		              (unsigned long long)glitches);
		return;
	}
	assert_true(on.redecodes >= 1);
	if (sanitizer_build())
		return;
	/* The frame rendered ~21 ms before the jump plays until ~75 ms after
	 * it (plus the ring): at frame rate the jump waits that long. */
	assert_true(with < 0.040);
	assert_true(without > 0.050);
	assert_true(on.latency_ns > 0 && on.latency_ns < 40000000);
	/* and before the audio the ring already held had played: the new decode
	 * replaced it (audio_patch.h), heard a period and a crossfade later */
	print_message("ring ahead at the jump: %.1f ms; re-decodes over queued audio: %llu\n", 1e3 * queued / RATE,
	              (unsigned long long)on.queued_replaced);
	assert_true(on.queued_replaced >= 1);
	assert_true(with < (double)queued / RATE);
}

/* A loop that starts recording after a frame was decoded, with a move in
 * the same breath: the move must not decode that frame again, which would
 * record (and drive loops and grains) once more for the same frame. The
 * take holds one call's frames for each frame rendered since, none more.
 * Checked broken: without subframe.c's guard it recorded 0.427 s over 4
 * frames of 85.3 ms. */
static void a_loop_started_mid_frame_records_each_frame_once(void **state)
{
	(void)state;
	live l;
	model *m;
	terrain *t;
	engine_stats st;
	start_long_tone(&l, 1, &m, &t, &st);
	engine_stats_read(l.engine, &st);
	const uint64_t before = st.frames_rendered, redecodes = st.redecodes;
	loop_command record = {.op = LOOP_RECORD, .loop = 0, .value = 0};
	assert_int_equal(engine_loop_send(l.engine, ENGINE_FROM_NETWORK, &record, NULL, 0), 0);
	move(&l, -1.0f);
	for (int i = 0; i < 150; i++)
		play_period(&l, NULL);
	nanosleep(&(struct timespec){0, 300000000L}, NULL); /* nothing pulled: the ring fills, the thread rests */
	engine_stats_read(l.engine, &st);
	loop_info info;
	engine_loop_info(l.engine, 0, &info);
	const double call_s = (double)m->frames_per_call * m->ratio / m->sample_rate;
	const double rendered = (double)(st.frames_rendered - before);
	print_message("recorded %.3f s over %.0f frames of %.1f ms; re-decodes %llu\n", info.position, rendered,
	              call_s * 1e3, (unsigned long long)(st.redecodes - redecodes));
	assert_int_equal(info.state, LOOP_RECORDING);
	assert_true(rendered >= 2);
	/* a frame that was already rendering when the command came records
	 * nothing: one call fewer then; never one more */
	assert_true(info.position < rendered * call_s + call_s / 4);
	assert_true(info.position > (rendered - 1) * call_s - call_s / 4);
	engine_free(l.engine);
	terrain_free(t);
	model_free(m);
}

/* slow.ts takes about four frames to decode one: no re-decode can fit,
 * so nothing is decoded twice however the cursor moves (the engine falls
 * behind as it is, and must not add to it). */
static void a_model_too_heavy_for_re_decodes_plays_at_frame_rate(void **state)
{
	(void)state;
	live l;
	char err[512];
	assert_int_equal(engine_create(RATE, PERIOD, 0, 0, &l.engine, err, sizeof err), 0);
	assert_int_equal(engine_start(l.engine, test_scene(test_model_path("slow.ts"), "terrains/demo.json", RATE, 0),
	                              err, sizeof err),
	                 0);
	engine_stats st;
	engine_stats_read(l.engine, &st);
	assert_int_equal(st.subframe, ENGINE_SUBFRAME_ON); /* the model could: the CPU cannot */
	for (int i = 0; i < 120; i++) {
		if (i % 10 == 5)
			move(&l, i % 20 == 5 ? 0.8f : -0.8f);
		play_period(&l, NULL);
	}
	engine_stats_read(l.engine, &st);
	assert_true(st.frames_rendered > 2);
	assert_int_equal(st.redecodes, 0);
	assert_true(st.redecodes_refused >= 1); /* and the moves that waited are counted, with why */
	assert_true(strstr(st.redecodes_refused_why, "a frame's decode took") ||
	            strstr(st.redecodes_refused_why, "behind") || strstr(st.redecodes_refused_why, "late frame"));
	engine_free(l.engine);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_restored_decode_repeats_the_first_on_streaming_models),
	    cmocka_unit_test(a_model_keeping_state_outside_its_tensors_falls_back_to_frame_rate),
	    cmocka_unit_test(the_crossfade_starts_at_the_old_audio_and_ends_on_the_new),
	    cmocka_unit_test(a_move_counts_beyond_one_percent_of_the_bounds_on_a_sounding_voice),
	    cmocka_unit_test(the_voices_decoded_again_start_where_the_frame_began_with_the_new_targets),
	    cmocka_unit_test(re_decodes_back_off_beyond_the_cpu_share),
	    cmocka_unit_test(a_refusal_names_its_first_reason_and_the_cpu_one_its_figures),
	    cmocka_unit_test(a_jump_mid_frame_is_heard_before_the_next_frame_boundary),
	    cmocka_unit_test(a_loop_started_mid_frame_records_each_frame_once),
	    cmocka_unit_test(a_model_too_heavy_for_re_decodes_plays_at_frame_rate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
