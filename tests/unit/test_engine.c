/* Unit tests for engine.c, driven the way the audio callback drives it:
 * engine_pull() once per period, with the real render thread and the demo
 * model behind it. */
#include "test_util.h"

#include <math.h>
#include <time.h>

#include "clock.h"
#include "engine.h"
#include "demo_scene.h"
#include "terrain_json.h"

enum { RATE = 48000, PERIOD = 128 };

typedef struct fixture {
	engine *engine;
	float out[PERIOD * 2];
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	char err[256];
	if (engine_create(RATE, PERIOD, 0, 1, &f->engine, err, sizeof err) < 0 ||
	    engine_start(f->engine, demo_scene(RATE, 0), err, sizeof err) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	engine_free(f->engine);
	free(f);
	return 0;
}

/* Plays `periods` callbacks in real time (one period every 2.67 ms). */
static float play(fixture *f, int periods)
{
	float peak = 0;
	for (int i = 0; i < periods; i++) {
		engine_pull(f->engine, f->out, PERIOD, 2);
		for (int k = 0; k < PERIOD * 2; k++)
			peak = fmaxf(peak, fabsf(f->out[k]));
		nanosleep(&(struct timespec){0, 1000000000L * PERIOD / RATE}, NULL);
	}
	return peak;
}

static void the_engine_plays_without_underruns_in_real_time(void **state)
{
	fixture *f = *state;
	float peak = play(f, 200);
	engine_stats s;
	engine_stats_read(f->engine, &s);
	assert_true(peak > 0.01f);
	if (!sanitizer_build())
		assert_int_equal(s.underruns, 0);
	if (!sanitizer_build())
		assert_true(s.frames_rendered >= 200 * PERIOD / 512);
	else
		assert_true(s.frames_rendered > 0);
	assert_int_equal(s.audio_frames_out, 200 * PERIOD);
}

static void a_cursor_event_moves_the_target_and_measures_latency(void **state)
{
	fixture *f = *state;
	control_event ev = {.type = CONTROL_TARGET, .dim = 2, .value = {0.25f, -0.5f}, .received_ns = clock_now_ns()};
	assert_int_equal(engine_send(f->engine, &ev), 0);
	play(f, 40);
	float target[TERRAIN_MAX_CONTROL_DIM];
	engine_target(f->engine, target);
	assert_float_equal(target[0], 0.25f, 0);
	assert_float_equal(target[1], -0.5f, 0);
	engine_stats s;
	engine_stats_read(f->engine, &s);
	assert_true(s.latency_ns > 0);
	/* The move is heard after the audio already queued: the ring's target,
	 * at most a frame staged, a period or two in the callback; half as much
	 * again for this test's own nanosleep pacing, plus 5 ms of wake-up. A
	 * sanitizer build's real-time figures say nothing (5 to 20 times slower). */
	double queued_ms = 1e3 * (double)(engine_target_fill(f->engine) + 512 + 2 * PERIOD) / RATE;
	print_message("latency %.2f ms; the audio queued ahead %.2f ms\n", s.latency_ns / 1e6, queued_ms);
	if (!sanitizer_build())
		assert_true(s.latency_ns / 1e6 < 1.5 * queued_ms + 5.0);
	ev = (control_event){.type = CONTROL_TARGET, .first_axis = 1, .dim = 1, .value = {5.0f}};
	engine_send(f->engine, &ev);
	play(f, 10);
	engine_target(f->engine, target);
	assert_float_equal(target[0], 0.25f, 0); /* only y moved, and was clamped */
	assert_float_equal(target[1], 1.0f, 0);
	engine_stats_read(f->engine, &s);
	assert_int_equal(s.clamped, 1);
}

static void gain_glides_and_fade_out_reaches_silence(void **state)
{
	fixture *f = *state;
	play(f, 20);
	engine_set_gain(f->engine, 0.0f);
	play(f, 40); /* > 5 time constants of 10 ms */
	assert_true(play(f, 5) < 1e-3f);
	engine_set_gain(f->engine, 1.0f);
	play(f, 40);
	assert_true(play(f, 5) > 0.01f);
	engine_fade_out(f->engine);
	play(f, 25); /* 50 ms fade */
	assert_true(engine_faded(f->engine));
	assert_float_equal(play(f, 2), 0.0f, 0);
}

static void a_published_voice_is_swapped_in_and_the_old_one_retired(void **state)
{
	fixture *f = *state;
	control_event ev = {.type = CONTROL_TARGET, .dim = 2, .value = {0.5f, 0.5f}};
	engine_send(f->engine, &ev);
	play(f, 10);
	assert_int_equal(engine_collect(f->engine), 0); /* nothing retired before a swap */
	engine_publish(f->engine, demo_scene(RATE, 0));
	/* The render thread swaps at its next frame boundary and hands the old
	 * voice back to this (worker) thread through the retire ring. */
	int retired = 0;
	for (int i = 0; i < 2000 && retired == 0; i++) { /* up to 5 s: sanitizer builds are slow */
		play(f, 1);
		retired += engine_collect(f->engine);
	}
	play(f, 20);
	retired += engine_collect(f->engine);
	engine_stats s;
	engine_stats_read(f->engine, &s);
	assert_int_equal(s.swaps, 1);
	assert_int_equal(retired, 1); /* the old scene, once (ASan would catch a double free or a leak) */
	if (!sanitizer_build())
		assert_int_equal(s.underruns, 0);
	float target[TERRAIN_MAX_CONTROL_DIM];
	engine_target(f->engine, target);
	assert_float_equal(target[0], 0.5f, 0); /* the cursor carried over */
}

/* A scene of `m` (shared: the scene takes its own reference) and the
 * terrain at `terrain_path`. */
static scene *scene_with_model(model *m, const char *terrain_path)
{
	terrain *t;
	scene *s;
	char err[1024], warn[256];
	assert_int_equal(terrain_load(terrain_path, &t, err, sizeof err), 0);
	assert_int_equal(scene_create(m, t, 0, RATE, 8, &s, err, sizeof err, warn, sizeof warn), 0);
	terrain_free(t); /* the scene holds it */
	return s;
}

/* Device frames rendered from a swap until the old scene is retired, on
 * an offline engine (its own clock: exact counts) with engine.crossfade_ms;
 * the new scene with a model of its own (a crossfade) or the old scene's
 * (a morph). */
static long frames_until_retired(float crossfade_ms, int same_model)
{
	engine *e;
	char err[256];
	assert_int_equal(engine_create(RATE, PERIOD, 0, 0, &e, err, sizeof err), 0);
	engine_set_crossfade(e, crossfade_ms);
	engine_start_offline(e, demo_scene(RATE, 0));
	float out[2 * 4096];
	int64_t now = 0;
	size_t made = engine_render_offline(e, now);
	engine_pull(e, out, made, 2);
	engine_publish(e, same_model ? scene_with_model(engine_latest_scene(e)->model, "terrains/demo.json")
	                             : demo_scene(RATE, 0));
	long frames = 0;
	while (engine_collect(e) == 0 && frames < 10 * RATE) {
		now += (int64_t)(1e9 * (double)made / RATE);
		made = engine_render_offline(e, now);
		engine_pull(e, out, made, 2);
		frames += (long)made;
	}
	engine_free(e);
	return frames;
}

/* Phase, in radians, of the 220 Hz component of x[0 .. n), sample j taken
 * as the output's sample from + j. */
static double tone_phase(const float *x, size_t n, size_t from)
{
	double in = 0, quadrature = 0;
	for (size_t j = 0; j < n; j++) {
		double angle = 2 * M_PI * 220.0 * (double)(from + j) / RATE;
		in += x[j] * cos(angle);
		quadrature += x[j] * sin(angle);
	}
	return atan2(quadrature, in);
}

/* A swap that keeps the model (a new terrain) must not decode the model
 * twice a frame while it fades: counter_state.ts's 220 Hz tone takes its
 * phase from the count of its decode calls, so each extra call moves it
 * on by 512 samples (0.35 of a cycle). On an offline engine, the tone
 * after such a swap goes on in phase with the tone before it. */
static void a_terrain_swap_keeps_the_models_stream_whole(void **state)
{
	(void)state;
	enum { SECONDS = 2, WINDOW = RATE / 10 };
	engine *e;
	char err[1024];
	scene *first = test_scene(test_model_path("counter_state.ts"), "terrains/demo.json", RATE, 0);
	assert_int_equal(engine_create(RATE, PERIOD, 0, 0, &e, err, sizeof err), 0);
	engine_start_offline(e, first);
	control_event ev = {.type = CONTROL_TARGET, .dim = 2, .value = {0.3f, -0.2f}};
	assert_int_equal(engine_send(e, &ev), 0);
	float *mono = calloc(SECONDS * RATE, sizeof(float)), out[2 * 4096];
	size_t heard = 0;
	int64_t now = 0;
	int swapped = 0;
	while (heard < SECONDS * RATE) {
		if (!swapped && heard >= RATE / 2) {
			engine_publish(e, scene_with_model(first->model, "terrains/demo.json"));
			swapped = 1;
		}
		size_t made = engine_render_offline(e, now);
		now += (int64_t)(1e9 * (double)made / RATE);
		engine_pull(e, out, made, 2);
		for (size_t j = 0; j < made && heard < SECONDS * RATE; j++)
			mono[heard++] = out[2 * j];
		engine_collect(e);
	}
	const size_t before = RATE / 4, after = SECONDS * RATE - WINDOW;
	double shift = tone_phase(mono + after, WINDOW, after) - tone_phase(mono + before, WINDOW, before);
	shift = remainder(shift, 2 * M_PI);
	engine_stats st;
	engine_stats_read(e, &st);
	print_message("tone's phase after the swap: %+.3f rad from before it (each extra decode call: 2.18 rad on)\n",
	              shift);
	assert_int_equal(st.swaps, 1);
	assert_true(fabs(shift) < 0.1);
	free(mono);
	engine_free(e);
}

/* engine.crossfade_ms sets how long the old scene plays on under the new
 * (0: the longest of 50 ms and both scenes' frames). */
static void a_swap_crossfades_for_engine_crossfade_ms(void **state)
{
	(void)state;
	for (int same_model = 0; same_model <= 1; same_model++) {
		long automatic = frames_until_retired(0, same_model), long_fade = frames_until_retired(300, same_model);
		print_message("%s: retired after %ld frames (auto), %ld frames (300 ms)\n",
		              same_model ? "morph" : "crossfade", automatic, long_fade);
		assert_true(automatic >= RATE * 50 / 1000 && automatic <= RATE * 50 / 1000 + 512);
		assert_true(long_fade >= RATE * 300 / 1000 && long_fade <= RATE * 300 / 1000 + 512);
	}
}

/* The bug this pins down: a voice published and replaced before the render
 * thread picked it up shares the playing scene's model; freeing it must not
 * free that model (ASan/TSan builds catch a use after free here). */
static void a_voice_replaced_before_pickup_leaves_shared_parts_alive(void **state)
{
	fixture *f = *state;
	scene *playing = engine_latest_scene(f->engine);
	terrain *t;
	char err[1024], warn[256];
	for (int round = 0; round < 3; round++) {
		scene *a, *b;
		assert_int_equal(terrain_load("terrains/demo.json", &t, err, sizeof err), 0);
		assert_int_equal(scene_create(playing->model, t, 0, RATE, 8, &a, err, sizeof err, warn, sizeof warn),
		                 0);
		assert_int_equal(scene_create(playing->model, t, 0, RATE, 8, &b, err, sizeof err, warn, sizeof warn),
		                 0);
		terrain_free(t);
		engine_publish(f->engine, a);
		engine_publish(f->engine, b); /* `a` is most likely still pending: freed here */
		play(f, 10);
		engine_collect(f->engine);
		playing = engine_latest_scene(f->engine);
	}
	assert_true(play(f, 20) > 0.01f);
	/* the last outgoing scene holds the model until its crossfade ends and it is collected */
	for (int i = 0; i < 2000 && playing->model->refs != 1; i++) {
		play(f, 1);
		engine_collect(f->engine);
	}
	assert_int_equal(playing->model->refs, 1);
}

/* The gesture holds its first point for 50 ms of its own time, then jumps:
 * the jump is seen 50 ms after the start, give or take what publishing
 * waits for (a frame being rendered, a period) and the test's pacing. */
static void a_gesture_plays_its_points_in_time(void **state)
{
	fixture *f = *state;
	gesture *g;
	char err[256];
	assert_int_equal(
	    gesture_from_json("[[0, -1, -1], [0.05, -1, -1], [0.05, 0.75, 0.25]]", "g", &g, err, sizeof err), 0);
	control_event ev = {.type = CONTROL_GESTURE, .gesture = g};
	engine_send(f->engine, &ev);
	float target[TERRAIN_MAX_CONTROL_DIM] = {0};
	for (int i = 0; i < 400 && target[0] != -1.0f; i++) { /* the render thread picks it up */
		play(f, 1);
		engine_target(f->engine, target);
	}
	int64_t started = clock_now_ns();
	assert_float_equal(target[0], -1.0f, 0);               /* the first point, held for 50 ms */
	for (int i = 0; i < 2000 && target[0] != 0.75f; i++) { /* reached after 50 ms of gesture time */
		play(f, 1);
		engine_target(f->engine, target);
	}
	double held_ms = (clock_now_ns() - started) / 1e6;
	print_message("the first point held %.1f ms (50 ms in the gesture)\n", held_ms);
	assert_float_equal(target[0], 0.75f, 0);
	assert_float_equal(target[1], 0.25f, 0);
	if (!sanitizer_build()) /* its time is the wall clock's: judged where the engine keeps real time */
		assert_true(held_ms > 50.0 - 1e3 * (512 + 2 * PERIOD) / RATE && held_ms < 50.0 + 30.0);
	engine_collect(f->engine);
}

/* A model whose decode throws while playing (here: from the first call,
 * loaded without warm-up so that the load lets it through): each failed
 * frame is played as silence and counted, nothing crashes, and the sound
 * comes back as soon as a working model is swapped in. */
static void a_decode_that_throws_while_playing_is_silence_then_recovers(void **state)
{
	(void)state;
	model_options options = model_default_options();
	options.warmup_frames = 0;
	model *m;
	terrain *t;
	scene *v;
	engine *e;
	char err[1024], warn[256];
	assert_int_equal(model_load(test_model_path("throws.ts"), &options, &m, err, sizeof err), 0);
	assert_int_equal(terrain_load("terrains/demo.json", &t, err, sizeof err), 0);
	assert_int_equal(scene_create(m, t, 0, RATE, 8, &v, err, sizeof err, warn, sizeof warn), 0);
	model_free(m);
	terrain_free(t);
	assert_int_equal(engine_create(RATE, PERIOD, 0, 0, &e, err, sizeof err), 0);
	assert_int_equal(engine_start(e, v, err, sizeof err), 0);
	fixture f = {.engine = e};
	assert_float_equal(play(&f, 40), 0.0f, 0);
	engine_stats s;
	engine_stats_read(e, &s);
	assert_true(s.decode_errors >= 5);
	assert_int_equal(s.decode_errors, s.frames_rendered); /* every frame failed, and time went on */
	engine_publish(e, demo_scene(RATE, 0));
	float peak = 0; /* sound within a second (a sanitizer build under load takes longer than 20 periods) */
	for (int i = 0; i < 40 && peak <= 0.01f; i++)
		peak = play(&f, 10);
	assert_true(peak > 0.01f);
	play(&f, 30); /* the crossfade's end: the failing scene's last decodes */
	engine_stats_read(e, &s);
	uint64_t errors = s.decode_errors;
	play(&f, 20);
	engine_stats_read(e, &s);
	assert_int_equal(s.decode_errors, errors);
	engine_free(e);
}

static void the_callback_counts_an_empty_ring_as_an_underrun(void **state)
{
	(void)state;
	engine *e;
	char err[256];
	float out[PERIOD];
	assert_int_equal(engine_create(RATE, PERIOD, 0, 0, &e, err, sizeof err), 0);
	out[0] = 1;
	engine_pull(e, out, PERIOD, 1); /* nothing rendered yet: silence, counted */
	assert_float_equal(out[0], 0, 0);
	engine_stats s;
	engine_stats_read(e, &s);
	assert_int_equal(s.underruns, 1);
	engine_free(e);
}

/* A device at 44.1 kHz playing the 48 kHz demo model: the render thread
 * resamples, and the pitch is the same as at the model's own rate. */
static void a_device_at_another_rate_gets_resampled_audio_at_the_right_pitch(void **state)
{
	(void)state;
	enum { DEVICE_RATE = 44100, N = 8192 };
	engine *e;
	char err[256];
	assert_int_equal(engine_create(DEVICE_RATE, PERIOD, 40, 0, &e, err, sizeof err), 0);
	scene *v = demo_scene(DEVICE_RATE, 0);
	assert_non_null(v->resampler);
	assert_int_equal(engine_start(e, v, err, sizeof err), 0);
	control_event ev = {.type = CONTROL_TARGET, .dim = 2, .value = {0.0f, 0.0f}};
	engine_send(e, &ev);
	static float out[2 * (N + 4096)];
	/* Paced ten times slower under sanitizers, so that the render thread
	 * keeps up there too: this checks pitch, not timing. */
	const long pace_ns = 1000000000L * PERIOD / DEVICE_RATE * (sanitizer_build() ? 10 : 1);
	for (int done = 0; done < N + 4096; done += PERIOD) {
		engine_pull(e, out + 2 * done, PERIOD, 2);
		nanosleep(&(struct timespec){0, pace_ns}, NULL);
	}
	double f0 = estimate_f0(out + 2 * 8192, 4096, DEVICE_RATE, 2);
	print_message("f0 at (0, 0), played at 44.1 kHz: %.1f Hz\n", f0);
	assert_float_equal(f0, 220.0 * pow(2.0, -1.01), 6.0); /* the demo terrain's z0 there is -1.01 */
	engine_free(e);
}

/* What the callback hands the device is what the recorder gets: the same
 * samples, in order (after gain and limiter), frame for frame. */
static void the_callback_output_is_recorded(void **state)
{
	fixture *f = *state;
	enum { PERIODS = 10 };
	static float played[PERIODS * PERIOD * 2], recorded[PERIODS * PERIOD * 2];
	ring *rec = engine_record_ring(f->engine);
	assert_non_null(rec);
	engine_set_gain(f->engine, 0.5f); /* the recording is of the output, after the gain */
	play(f, 60);                      /* the gain's 10 ms glide is over */
	while (ring_readable(rec) > 0)    /* what played so far: not this test's */
		ring_read(rec, recorded, ring_readable(rec) < PERIODS * PERIOD ? ring_readable(rec) : PERIODS * PERIOD);
	for (int i = 0; i < PERIODS; i++) {
		engine_pull(f->engine, played + (size_t)i * PERIOD * 2, PERIOD, 2);
		nanosleep(&(struct timespec){0, 1000000000L * PERIOD / RATE}, NULL);
	}
	assert_int_equal(ring_readable(rec), PERIODS * PERIOD);
	assert_int_equal(ring_read(rec, recorded, PERIODS * PERIOD), PERIODS * PERIOD);
	assert_memory_equal(recorded, played, sizeof played);
	float peak = 0;
	for (size_t i = 0; i < sizeof played / sizeof played[0]; i++)
		peak = fmaxf(peak, fabsf(played[i]));
	assert_true(peak > 0.01f); /* sound, not two equal silences */
}

/* A recorder that falls behind (here: none drains the ring) loses what
 * does not fit, and the engine counts every frame lost, so that /status and
 * the log can say the file has gaps. */
static void the_recording_counts_what_it_lost(void **state)
{
	fixture *f = *state;
	ring *rec = engine_record_ring(f->engine);
	float out[PERIOD * 2];
	uint64_t pulled = 0;
	engine_stats s;
	do {
		engine_pull(f->engine, out, PERIOD, 2);
		pulled += PERIOD;
		engine_stats_read(f->engine, &s);
	} while (s.record_lost == 0 && pulled < (1u << 21));
	for (int i = 0; i < 10; i++)
		engine_pull(f->engine, out, PERIOD, 2), pulled += PERIOD;
	engine_stats_read(f->engine, &s);
	assert_true(s.record_lost > 10 * PERIOD);
	assert_int_equal(s.record_lost + ring_readable(rec), pulled);
}

/* A gain that would take the output to twice full scale must never reach
 * the device beyond the ceiling (a wrapped or clipped sample is a crack on
 * stage). */
static void the_limiter_keeps_every_sample_below_the_ceiling(void **state)
{
	fixture *f = *state;
	float loud = play(f, 100);
	assert_true(loud > 0.01f);
	float gain = 2.0f / loud; /* the demo is quiet: twice full scale without a limiter */
	engine_set_gain(f->engine, gain);
	float peak = play(f, 200);
	engine_stats s;
	engine_stats_read(f->engine, &s);
	print_message("peak at gain 1: %.3f, at gain %.1f: %.3f\n", loud, gain, peak);
	assert_true(peak <= ENGINE_CEILING);
	assert_true(peak > 0.5f * ENGINE_CEILING); /* limited, not muted */
	assert_true(s.limited > 0);
}

static int collect_until(engine *e, int want)
{
	int freed = 0;
	for (int i = 0; i < 2000 && freed < want; i++) {
		freed += engine_collect(e);
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	return freed;
}

/* The worker may not collect for seconds (a long /train/run) while
 * gestures keep arriving: every retired gesture must still reach it. */
static void retired_items_are_never_dropped_while_the_worker_is_busy(void **state)
{
	fixture *f = *state;
	enum { GESTURES = 600 }; /* more than the retire ring holds */
	for (int i = 0; i < GESTURES; i++) {
		gesture *g = calloc(1, sizeof *g);
		g->points = calloc(2, sizeof *g->points);
		g->control_dim = 2;
		g->n_points = 2;
		g->points[1].time = 10.0;
		control_event ev = {.type = CONTROL_GESTURE, .gesture = g};
		assert_int_equal(engine_send(f->engine, &ev), 0);
	}
	play(f, 20); /* the render thread applies them all, retiring all but the last */
	control_event stop = {.type = CONTROL_STOP_GESTURE};
	assert_int_equal(engine_send(f->engine, &stop), 0);
	play(f, 5);
	assert_int_equal(collect_until(f->engine, GESTURES), GESTURES);
}

/* A frame longer than the audio ring can hold would load and never play:
 * refused at load, saying why. */
static void a_frame_longer_than_the_ring_is_refused_at_load(void **state)
{
	(void)state;
	model *m;
	terrain *t;
	scene *v = NULL;
	char err[1024], warn[256];
	terrain_shape shape = {.control_dim = 2, .latent_dim = 4, .n_features = 8, .n_layers = 2, .widths = {16, 4}};
	assert_int_equal(model_load(test_model_path("long_frame.ts"), NULL, &m, err, sizeof err), 0);
	assert_int_equal(terrain_create(&shape, &t, err, sizeof err), 0);
	t->bounds_min[0] = t->bounds_min[1] = -1;
	t->bounds_max[0] = t->bounds_max[1] = 1;
	assert_int_equal(terrain_finish(t, err, sizeof err), 0);
	assert_int_equal(scene_create(m, t, 0, RATE, 8, &v, err, sizeof err, warn, sizeof warn), -1);
	assert_null(v);
	assert_contains(err, "longer than the live engine can buffer");
	assert_int_equal(scene_create(m, t, 0, 8000, 8, &v, err, sizeof err, warn, sizeof warn), 0); /* 16384: fits */
	scene_free(v);
	model_free(m);
	terrain_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(the_engine_plays_without_underruns_in_real_time, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_cursor_event_moves_the_target_and_measures_latency, setup, teardown),
	    cmocka_unit_test_setup_teardown(gain_glides_and_fade_out_reaches_silence, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_published_voice_is_swapped_in_and_the_old_one_retired, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_voice_replaced_before_pickup_leaves_shared_parts_alive, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_gesture_plays_its_points_in_time, setup, teardown),
	    cmocka_unit_test(a_decode_that_throws_while_playing_is_silence_then_recovers),
	    cmocka_unit_test(the_callback_counts_an_empty_ring_as_an_underrun),
	    cmocka_unit_test(a_device_at_another_rate_gets_resampled_audio_at_the_right_pitch),
	    cmocka_unit_test_setup_teardown(the_callback_output_is_recorded, setup, teardown),
	    cmocka_unit_test_setup_teardown(the_recording_counts_what_it_lost, setup, teardown),
	    cmocka_unit_test(a_swap_crossfades_for_engine_crossfade_ms),
	    cmocka_unit_test(a_terrain_swap_keeps_the_models_stream_whole),
	    cmocka_unit_test_setup_teardown(the_limiter_keeps_every_sample_below_the_ceiling, setup, teardown),
	    cmocka_unit_test_setup_teardown(retired_items_are_never_dropped_while_the_worker_is_busy, setup, teardown),
	    cmocka_unit_test(a_frame_longer_than_the_ring_is_refused_at_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
