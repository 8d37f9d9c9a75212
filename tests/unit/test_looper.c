/* Unit tests for looper.c: recording, playback period, trim, transform,
 * undo/redo, overdub, the tempo grid, latent mode, a full take, loading. */
#include "test_util.h"

#include "looper.h"

#define FRAME (512.0 / 48000.0) /* the demo model's latent frame */
enum { SRC = 0, VOICES = 8 };

static loop_output out[LOOPER_LOOPS];

/* One frame: the loops step, then record voice SRC at `at`. */
static void frame(looper *l, const float *at, const float *latent, int latent_dim)
{
	looper_advance(l, FRAME, out);
	for (int n = 0; n < LOOPER_LOOPS; n++)
		if (looper_recording_voice(l, n) == SRC)
			looper_capture(l, n, at, 2, latent, latent_dim);
}

static void circle(double t, double period, double r, float *xy)
{
	xy[0] = (float)(r * cos(2 * M_PI * t / period));
	xy[1] = (float)(r * sin(2 * M_PI * t / period));
}

static void command(looper *l, loop_op op, int n, double value)
{
	loop_command c = {.op = op, .loop = n, .value = value};
	assert_int_equal(looper_command(l, &c), 0);
}

static void set(looper *l, int n, loop_key key, double value)
{
	loop_command c = {.op = LOOP_SET, .loop = n, .key = key, .value = value};
	assert_int_equal(looper_command(l, &c), 0);
}

/* Records `frames` frames of a circle (period in seconds, radius r) on loop n. */
static void record_circle(looper *l, int n, int frames, double period, double r)
{
	float xy[2];
	command(l, LOOP_RECORD, n, SRC);
	for (int i = 0; i < frames; i++) {
		circle(i * FRAME, period, r, xy);
		frame(l, xy, NULL, 0);
	}
	command(l, LOOP_RECORD, n, SRC);
}

static looper *new_looper(void)
{
	looper *l;
	assert_int_equal(looper_create(VOICES, &l), 0);
	return l;
}

/* The angle the loop's voice is at, frame by frame, over `frames`. */
static double played_period(looper *l, int n, int frames)
{
	double unwrapped = 0, last = 0;
	int started = 0;
	float still[2] = {0, 0};
	for (int i = 0; i < frames; i++) {
		frame(l, still, NULL, 0);
		assert_int_equal(out[n].voice, VOICES - 1 - n);
		double a = atan2(out[n].coord[1], out[n].coord[0]);
		if (started) {
			double d = a - last;
			d -= 2 * M_PI * floor((d + M_PI) / (2 * M_PI));
			unwrapped += d;
		}
		last = a;
		started = 1;
	}
	/* radians per frame -> the period in seconds */
	return 2 * M_PI / (unwrapped / (frames - 1)) * FRAME;
}

static void a_recorded_circle_plays_back_with_its_period(void **state)
{
	(void)state;
	looper *l = new_looper();
	record_circle(l, 0, 200, 1.0, 0.5); /* 2.13 s: two turns and a bit */
	loop_info info;
	looper_info(l, 0, &info);
	assert_int_equal(info.state, LOOP_PLAYING);
	assert_int_equal(info.frames, 200);
	assert_float_equal(info.length, 200 * FRAME, 1e-6);
	/* well within a frame of the recorded 1 s over the first full turn */
	double period = played_period(l, 0, 90);
	assert_float_equal(period, 1.0, FRAME / 4);
	/* it sounds its voice once, then keeps driving it */
	assert_int_equal(out[0].start, 0);
	/* rate 2: twice as fast */
	set(l, 0, LOOP_KEY_RATE, 2.0);
	assert_float_equal(played_period(l, 0, 40), 0.5, FRAME / 4);
	/* reverse: the angle turns the other way */
	set(l, 0, LOOP_KEY_RATE, 1.0);
	set(l, 0, LOOP_KEY_REVERSE, 1);
	assert_float_equal(played_period(l, 0, 90), -1.0, FRAME / 4);
	looper_free(l);
}

static void the_loop_wraps_within_its_trimmed_window(void **state)
{
	(void)state;
	looper *l = new_looper();
	float x[2];
	command(l, LOOP_RECORD, 0, SRC);
	for (int i = 0; i < 100; i++) { /* a ramp: x is the frame index */
		x[0] = (float)i;
		x[1] = 0;
		frame(l, x, NULL, 0);
	}
	command(l, LOOP_RECORD, 0, SRC);
	set(l, 0, LOOP_KEY_START, 0.25);
	set(l, 0, LOOP_KEY_END, 0.5);
	command(l, LOOP_PLAY, 0, 0);
	float lo = 1e9f, hi = -1e9f;
	for (int i = 0; i < 100; i++) {
		frame(l, x, NULL, 0);
		lo = fminf(lo, out[0].coord[0]);
		hi = fmaxf(hi, out[0].coord[0]);
	}
	assert_float_equal(lo, 25.0f, 1e-3);     /* it starts at 25 % */
	assert_true(hi <= 50.0f && hi >= 49.0f); /* and wraps before 50 % */
	looper_free(l);
}

static void offset_scale_and_rotate_move_the_path(void **state)
{
	(void)state;
	looper *l = new_looper();
	record_circle(l, 1, 94, 94 * FRAME, 0.5); /* one exact turn */
	const loop_take *t = looper_take(l, 1);
	assert_float_equal(t->centre[0], 0.0f, 1e-3);
	command(l, LOOP_PLAY, 1, 0);
	float still[2] = {0, 0};
	frame(l, still, NULL, 0);
	assert_float_equal(out[1].coord[0], 0.5f, 1e-4); /* the first point */
	set(l, 1, LOOP_KEY_OFFSET_X, 0.3);
	command(l, LOOP_PLAY, 1, 0);
	frame(l, still, NULL, 0);
	assert_float_equal(out[1].coord[0], 0.8f, 1e-4);
	set(l, 1, LOOP_KEY_OFFSET_X, 0);
	set(l, 1, LOOP_KEY_SCALE, 0.5);
	set(l, 1, LOOP_KEY_ROTATE, 90);
	command(l, LOOP_PLAY, 1, 0);
	frame(l, still, NULL, 0);
	assert_float_equal(out[1].coord[0], 0.0f, 1e-4); /* (0.5, 0) halved and turned a quarter: (0, 0.25) */
	assert_float_equal(out[1].coord[1], 0.25f, 1e-4);
	looper_free(l);
}

static void undo_restores_the_previous_take_and_redo_the_next(void **state)
{
	(void)state;
	looper *l = new_looper();
	record_circle(l, 0, 100, 1.0, 0.5);
	record_circle(l, 0, 60, 1.0, 0.2);
	assert_int_equal(looper_take(l, 0)->frames, 60);
	assert_true(looper_can_undo(l, 0));
	command(l, LOOP_UNDO, 0, 0);
	assert_int_equal(looper_take(l, 0)->frames, 100);
	assert_float_equal(looper_take(l, 0)->coord[0], 0.5f, 1e-6);
	assert_false(looper_can_undo(l, 0));
	loop_command c = {.op = LOOP_UNDO, .loop = 0};
	assert_int_equal(looper_command(l, &c), -1);
	command(l, LOOP_REDO, 0, 0);
	assert_int_equal(looper_take(l, 0)->frames, 60);
	c.op = LOOP_REDO;
	assert_int_equal(looper_command(l, &c), -1);
	/* undo during a recording drops it: the take plays on */
	float xy[2] = {0.9f, 0.9f};
	command(l, LOOP_RECORD, 0, SRC);
	frame(l, xy, NULL, 0);
	command(l, LOOP_UNDO, 0, 0);
	loop_info info;
	looper_info(l, 0, &info);
	assert_int_equal(info.state, LOOP_PLAYING);
	assert_int_equal(looper_take(l, 0)->frames, 60);
	/* three takes more: the history keeps the last ones, never more buffers than it has */
	for (int k = 0; k < 3; k++)
		record_circle(l, 0, 10 + k, 1.0, 0.1);
	assert_int_equal(looper_take(l, 0)->frames, 12);
	command(l, LOOP_UNDO, 0, 0);
	assert_int_equal(looper_take(l, 0)->frames, 11);
	command(l, LOOP_CLEAR, 0, 0);
	looper_info(l, 0, &info);
	assert_int_equal(info.state, LOOP_EMPTY);
	assert_null(looper_take(l, 0));
	looper_free(l);
}

static void overdub_replaces_the_path_where_it_passes(void **state)
{
	(void)state;
	looper *l = new_looper();
	float zero[2] = {0, 0}, one[2] = {1, 1};
	command(l, LOOP_RECORD, 0, SRC);
	for (int i = 0; i < 50; i++)
		frame(l, zero, NULL, 0);
	command(l, LOOP_RECORD, 0, SRC);
	command(l, LOOP_OVERDUB, 0, 0);
	for (int i = 0; i < 10; i++) /* the first 10 frames become 1 */
		frame(l, one, NULL, 0);
	command(l, LOOP_OVERDUB, 0, 0);
	const loop_take *t = looper_take(l, 0);
	assert_float_equal(t->coord[5 * LOOPER_DIM], 1.0f, 1e-6);
	assert_float_equal(t->coord[20 * LOOPER_DIM], 0.0f, 1e-6);
	command(l, LOOP_UNDO, 0, 0); /* the take before the overdub */
	assert_float_equal(looper_take(l, 0)->coord[5 * LOOPER_DIM], 0.0f, 1e-6);
	looper_free(l);
}

static void quantized_recording_starts_and_ends_on_the_grid(void **state)
{
	(void)state;
	looper *l = new_looper();
	loop_command tempo = {.op = LOOP_TEMPO, .value = 60}; /* a beat a second */
	assert_int_equal(looper_command(l, &tempo), 0);
	set(l, 0, LOOP_KEY_QUANTIZE, LOOP_QUANTIZE_BEAT);
	float xy[2] = {0.1f, 0.2f};
	for (int i = 0; i < 30; i++) /* 0.32 beats in */
		frame(l, xy, NULL, 0);
	command(l, LOOP_RECORD, 0, SRC);
	loop_info info;
	looper_info(l, 0, &info);
	assert_int_equal(info.state, LOOP_WAITING);
	int waited = 0;
	while (looper_recording_voice(l, 0) < 0) {
		frame(l, xy, NULL, 0);
		waited++;
	}
	/* it started with the frame nearest beat 1 */
	assert_float_equal(l->loops[0].rec_start_beat, 1.0, FRAME / 2 + 1e-9);
	assert_true(waited > 60 && waited < 66);
	for (int i = 0; i < 100; i++) /* 1.07 beats */
		frame(l, xy, NULL, 0);
	command(l, LOOP_RECORD, 0, SRC);
	looper_info(l, 0, &info);
	assert_int_equal(info.state, LOOP_FINISHING);
	while (looper_recording_voice(l, 0) >= 0)
		frame(l, xy, NULL, 0);
	looper_info(l, 0, &info);
	assert_int_equal(info.state, LOOP_PLAYING);
	assert_float_equal(info.start_beat, 1.0, FRAME / 2 + 1e-9);
	assert_float_equal(info.length, 2.0, FRAME); /* two beats: it ended on beat 3 */
	/* bar: the next line is a whole bar (4 beats) */
	loop_command meter = {.op = LOOP_METER, .value = 3};
	assert_int_equal(looper_command(l, &meter), 0);
	set(l, 1, LOOP_KEY_QUANTIZE, LOOP_QUANTIZE_BAR);
	command(l, LOOP_RECORD, 1, SRC);
	while (looper_recording_voice(l, 1) < 0)
		frame(l, xy, NULL, 0);
	double b = l->loops[1].rec_start_beat;
	assert_float_equal(b / 3 - floor(b / 3 + 0.5), 0.0, FRAME);
	looper_free(l);
}

static void a_followed_clock_moves_the_grid_with_it(void **state)
{
	(void)state;
	looper *l = new_looper();
	set(l, 0, LOOP_KEY_QUANTIZE, LOOP_QUANTIZE_BAR);
	float xy[2] = {0, 0};
	frame(l, xy, NULL, 0);
	command(l, LOOP_RECORD, 0, SRC); /* waits for bar 1: beat 4 */
	looper_sync(l, 101.5, 90);       /* Link: beat 101.5 at 90 BPM */
	assert_float_equal(l->bpm, 90, 0);
	assert_float_equal(l->loops[0].grid_target, 104.0, 0); /* the next bar of the new beat */
	while (looper_recording_voice(l, 0) < 0)
		frame(l, xy, NULL, 0);
	assert_float_equal(l->loops[0].rec_start_beat, 104.0, 90.0 / 60 * FRAME / 2 + 1e-9);
	looper_free(l);
}

static void latent_mode_replays_the_recorded_latents(void **state)
{
	(void)state;
	looper *l = new_looper();
	set(l, 0, LOOP_KEY_MODE, LOOP_MODE_LATENT);
	float xy[2] = {0, 0}, z[4];
	command(l, LOOP_RECORD, 0, SRC);
	for (int i = 0; i < 20; i++) {
		z[0] = (float)i;
		z[1] = z[2] = z[3] = -1.0f;
		frame(l, xy, z, 4);
	}
	command(l, LOOP_RECORD, 0, SRC);
	frame(l, xy, NULL, 0);
	assert_non_null(out[0].latent);
	assert_int_equal(out[0].latent_dim, 4);
	assert_float_equal(out[0].latent[0], 0.0f, 1e-6);
	frame(l, xy, NULL, 0);
	assert_float_equal(out[0].latent[0], 1.0f, 1e-6);
	assert_float_equal(out[0].latent[3], -1.0f, 1e-6);
	set(l, 0, LOOP_KEY_MODE, LOOP_MODE_CONTROL); /* control mode: the terrain decides again */
	frame(l, xy, NULL, 0);
	assert_null(out[0].latent);
	looper_free(l);
}

static void a_full_take_ends_the_recording_and_plays(void **state)
{
	(void)state;
	looper *l = new_looper();
	float xy[2] = {0.5f, 0.5f};
	command(l, LOOP_RECORD, 2, SRC);
	for (int i = 0; i < LOOPER_MAX_FRAMES + 10; i++)
		frame(l, xy, NULL, 0);
	loop_info info;
	looper_info(l, 2, &info);
	assert_int_equal(info.state, LOOP_PLAYING);
	assert_int_equal(info.frames, LOOPER_MAX_FRAMES);
	assert_int_equal(info.full_count, 1);
	/* the second record of the old take now does nothing but start a new one */
	looper_free(l);
}

static void stop_releases_the_voice_and_play_restarts(void **state)
{
	(void)state;
	looper *l = new_looper();
	assert_false(looper_any_running(l)); /* all empty */
	record_circle(l, 0, 50, 1.0, 0.5);
	float still[2] = {0, 0};
	frame(l, still, NULL, 0);
	assert_int_equal(out[0].start, 1); /* the first frame it plays sounds its voice */
	assert_int_equal(out[0].voice, VOICES - 1);
	assert_true(looper_any_running(l));
	command(l, LOOP_STOP, 0, 0);
	frame(l, still, NULL, 0);
	assert_int_equal(out[0].voice, -1);
	assert_int_equal(out[0].release_voice, VOICES - 1);
	assert_false(looper_any_running(l)); /* stopped, with a take */
	loop_command c = {.op = LOOP_STOP, .loop = 0};
	assert_int_equal(looper_command(l, &c), -1); /* stopped already */
	set(l, 0, LOOP_KEY_VOICE, 3);
	command(l, LOOP_PLAY, 0, 0);
	frame(l, still, NULL, 0);
	assert_int_equal(out[0].voice, 3);
	assert_int_equal(out[0].start, 1);
	assert_true(looper_any_running(l));
	looper_free(l);
}

static void a_loaded_gesture_becomes_a_take(void **state)
{
	(void)state;
	looper *l = new_looper();
	gesture_point p[3] = {{0.0, {0, 0}}, {0.5, {1, 0}}, {1.0, {1, 1}}};
	gesture g = {.control_dim = 2, .n_points = 3, .points = p};
	loop_command c = {.op = LOOP_LOAD, .loop = 0, .value = 1.5, .gesture = &g};
	assert_int_equal(looper_command(l, &c), 0);
	const loop_take *t = looper_take(l, 0);
	assert_int_equal(t->frames, 3);
	assert_float_equal(t->length, 1.5, 1e-9);
	loop_export *x = malloc(sizeof *x);
	looper_export(l, 0, x);
	assert_int_equal(x->frames, 3);
	assert_float_equal(x->time[1], 0.5f, 1e-6);
	assert_float_equal(x->coord[2][1], 1.0f, 1e-6);
	free(x);
	/* between the last point and the end it heads back to the first */
	float still[2] = {0, 0};
	for (int i = 0; i < (int)(1.25 / FRAME); i++)
		frame(l, still, NULL, 0);
	frame(l, still, NULL, 0);
	assert_true(out[0].coord[1] < 0.75f && out[0].coord[1] > 0.25f);
	looper_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_recorded_circle_plays_back_with_its_period),
	    cmocka_unit_test(the_loop_wraps_within_its_trimmed_window),
	    cmocka_unit_test(offset_scale_and_rotate_move_the_path),
	    cmocka_unit_test(undo_restores_the_previous_take_and_redo_the_next),
	    cmocka_unit_test(overdub_replaces_the_path_where_it_passes),
	    cmocka_unit_test(quantized_recording_starts_and_ends_on_the_grid),
	    cmocka_unit_test(a_followed_clock_moves_the_grid_with_it),
	    cmocka_unit_test(latent_mode_replays_the_recorded_latents),
	    cmocka_unit_test(a_full_take_ends_the_recording_and_plays),
	    cmocka_unit_test(stop_releases_the_voice_and_play_restarts),
	    cmocka_unit_test(a_loaded_gesture_becomes_a_take),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
