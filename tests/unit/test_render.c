/* Unit tests for render.c: the sound follows the terrain, smoothing,
 * determinism, refusals. Uses the real demo model and terrain. */
#include "test_util.h"

#include <math.h>

#include "render.h"
#include "terrain_json.h"

typedef struct fixture {
	model *model;
	terrain *terrain;
	render_engine engine;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	char err[1024], warn[256];
	if (model_load("models/demo.ts", NULL, &f->model, err, sizeof err) < 0 ||
	    terrain_load("terrains/demo.json", &f->terrain, err, sizeof err) < 0 ||
	    render_init(&f->engine, f->model, f->terrain, 0.0f, err, sizeof err, warn, sizeof warn) < 0) {
		print_error("%s\n", err);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	render_destroy(&f->engine);
	model_free(f->model);
	terrain_free(f->terrain);
	free(f);
	return 0;
}

enum { SR = 48000, WINDOW = 4096 };

/* Holds the cursor at `xy` for ~0.4 s and returns the f0 of the last 4096 samples. */
static double f0_at(render_engine *e, float x, float y)
{
	float xy[2] = {x, y}, audio[40 * 512];
	char err[256];
	render_set_target(e, xy, 2);
	for (int k = 0; k < 40; k++)
		assert_int_equal(render_frame(e, audio + k * 512, err, sizeof err), 0);
	return estimate_f0(audio + 40 * 512 - WINDOW, WINDOW, SR, 1);
}

/* The tonal point of the terrain with the lowest (or highest) pitch latent. */
static void find_pitch_extreme(const terrain *t, int highest, float *xy, float *pitch)
{
	float z[4], scratch[1024];
	assert_true(terrain_scratch_floats(t) <= 1024);
	*pitch = highest ? -1e9f : 1e9f;
	for (int i = 0; i <= 20; i++)
		for (int j = 0; j <= 20; j++) {
			float c[2] = {-1 + i * 0.1f, -1 + j * 0.1f};
			terrain_eval(t, c, z, scratch);
			int tonal = z[3] < 0.0f && z[1] > -1.5f;
			if (tonal && (highest ? z[0] > *pitch : z[0] < *pitch)) {
				*pitch = z[0];
				memcpy(xy, c, sizeof c);
			}
		}
}

static void moving_between_regions_changes_the_pitch_as_the_terrain_says(void **state)
{
	fixture *f = *state;
	float low_xy[2], high_xy[2], low_z, high_z;
	find_pitch_extreme(f->terrain, 0, low_xy, &low_z);
	find_pitch_extreme(f->terrain, 1, high_xy, &high_z);
	assert_true(high_z - low_z > 0.5f); /* the landscape is not flat */
	double f_low = f0_at(&f->engine, low_xy[0], low_xy[1]);
	double f_high = f0_at(&f->engine, high_xy[0], high_xy[1]);
	double want_ratio = pow(2.0, (double)(fminf(high_z, 2) - fmaxf(low_z, -2))); /* f0 = 220·2^z0, z0 in [-2, 2] */
	print_message("low (%.1f, %.1f): z0 %.2f -> %.1f Hz; high (%.1f, %.1f): z0 %.2f -> %.1f Hz\n", low_xy[0],
	              low_xy[1], low_z, f_low, high_xy[0], high_xy[1], high_z, f_high);
	assert_true(f_high > f_low * 1.3);
	assert_float_equal(f_high / f_low, want_ratio, want_ratio * 0.1);
}

static void smoothing_glides_the_cursor_with_the_given_time_constant(void **state)
{
	fixture *f = *state;
	render_engine *e = &f->engine;
	float audio[512], start[2] = {0, 0}, end[2] = {1, 0};
	char err[256];
	render_set_target(e, start, 2);
	render_frame(e, audio, err, sizeof err);
	render_set_smoothing(e, 1000.0f * 512 / 48000 * 10); /* tau = 10 frames */
	render_set_target(e, end, 2);
	for (int k = 0; k < 10; k++)
		assert_int_equal(render_frame(e, audio, err, sizeof err), 0);
	assert_float_equal(e->control.cursor[0], 1 - expf(-1), 1e-3); /* 63 % of the way after one tau */
	render_set_smoothing(e, 0);
	render_frame(e, audio, err, sizeof err);
	assert_float_equal(e->control.cursor[0], 1, 0);
}

static void non_finite_targets_are_refused_and_outside_ones_clamped(void **state)
{
	fixture *f = *state;
	render_engine *e = &f->engine;
	float good[2] = {0.5f, 0.5f}, nan_xy[2] = {NAN, 0}, far[2] = {7, -7};
	render_set_target(e, good, 2);
	assert_int_equal(render_set_target(e, nan_xy, 2), -1);
	assert_float_equal(e->control.target[0], 0.5f, 0);
	uint64_t before = e->control.clamped;
	assert_int_equal(render_set_target(e, far, 2), 2);
	assert_float_equal(e->control.target[0], 1, 0);
	assert_float_equal(e->control.target[1], -1, 0);
	assert_int_equal(e->control.clamped, before + 1);
}

typedef struct capture {
	float *samples;
	size_t used, capacity;
} capture;

static int capture_sink(void *ctx, const float *x, int frames, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	capture *c = ctx;
	if (c->used + (size_t)frames > c->capacity)
		return -1;
	memcpy(c->samples + c->used, x, sizeof(float) * (size_t)frames);
	c->used += (size_t)frames;
	return 0;
}

static capture render_fresh(const gesture *g)
{
	fixture *f;
	assert_int_equal(setup((void **)&f), 0);
	capture c = {.samples = malloc(sizeof(float) * SR * 2), .capacity = SR * 2};
	char err[256];
	render_set_smoothing(&f->engine, 20);
	model_seed(42);
	assert_int_equal(render_gesture(&f->engine, g, 0.1, capture_sink, &c, err, sizeof err), 0);
	teardown((void **)&f);
	return c;
}

/* /voice/N/pitch's path: a pitch in Hz becomes the pitch latent, after
 * the terrain, and glides as the cursor does. */
static void a_pitch_sets_the_pitch_latent_and_glides(void **state)
{
	fixture *f = *state;
	render_cursor c;
	render_cursor_init(&c, f->terrain);
	c.smooth_coeff = 0.5f;
	latent_pitch p = {.has = 1, .latent = 0, .reference_hz = 220.0f, .per_octave = 1.0f};
	float z[4] = {9, 9, 9, 9};
	render_cursor_apply_pitch(&c, &p, z, 4);
	assert_float_equal(z[0], 9.0f, 0); /* no pitch asked: the terrain's */
	render_cursor_set_pitch(&c, 440.0f);
	render_cursor_apply_pitch(&c, &p, z, 4);
	assert_float_equal(z[0], 1.0f, 1e-5); /* the first pitch at once: one octave above 220 Hz */
	assert_float_equal(z[1], 9.0f, 0);
	render_cursor_set_pitch(&c, 880.0f);
	render_cursor_step(&c, f->terrain);
	render_cursor_apply_pitch(&c, &p, z, 4);
	assert_float_equal(z[0], 1.5f, 1e-5); /* half way (coefficient 0.5), in octaves */
	render_cursor_apply_pitch(&c, &(latent_pitch){.has = 1, .latent = 4, .reference_hz = 1, .per_octave = 1}, z, 4);
	assert_float_equal(z[0], 1.5f, 1e-5); /* a latent the vector lacks: nothing written */
	render_cursor_set_pitch(&c, 0.0f);
	z[0] = 9;
	render_cursor_apply_pitch(&c, &p, z, 4);
	assert_float_equal(z[0], 9.0f, 0); /* 0 Hz: the terrain's pitch again */
	render_cursor_set_pitch(&c, NAN);
	assert_int_equal(c.has_pitch, 0);
	/* the demo terrain says its latent 0 is the demo model's pitch */
	const latent_pitch *demo = render_scene_pitch(f->terrain, f->model);
	assert_non_null(demo);
	assert_int_equal(demo->latent, 0);
	assert_float_equal(demo->reference_hz, 220.0f, 1e-4);
	/* a model's pitch_params, where the terrain says nothing */
	terrain plain = *f->terrain;
	plain.model.pitch.has = 0;
	assert_null(render_scene_pitch(&plain, f->model)); /* the demo model states none */
	model declares = *f->model;
	declares.pitch = (latent_pitch){.has = 1, .latent = 2, .reference_hz = 100, .per_octave = 2};
	assert_int_equal(render_scene_pitch(&plain, &declares)->latent, 2);
	assert_ptr_equal(render_scene_pitch(f->terrain, &declares), &f->terrain->model.pitch); /* the terrain wins */
	declares.pitch.latent = 4;
	assert_null(render_scene_pitch(&plain, &declares)); /* a latent the terrain does not give */
}

static void rendering_a_gesture_is_deterministic(void **state)
{
	(void)state;
	gesture *g;
	char err[256];
	assert_int_equal(
	    gesture_from_json("[[0, -0.5, -0.5], [0.5, 0.5, 0.5], [0.6, 0, 0.9]]", "g", &g, err, sizeof err), 0);
	capture a = render_fresh(g), b = render_fresh(g);
	assert_int_equal(a.used, b.used);
	assert_int_equal(a.used, 66 * 512); /* ceil(0.7 s / 10.67 ms) frames */
	assert_memory_equal(a.samples, b.samples, sizeof(float) * a.used);
	free(a.samples);
	free(b.samples);
	gesture_free(g);
}

static void mismatched_model_terrain_and_gesture_are_refused(void **state)
{
	fixture *f = *state;
	model *stereo;
	render_engine e;
	char err[1024], warn[256];
	assert_int_equal(model_load(test_model_path("stereo44k.ts"), NULL, &stereo, err, sizeof err), 0);
	assert_int_equal(render_init(&e, stereo, f->terrain, 20, err, sizeof err, warn, sizeof warn), -1);
	assert_contains(err, "the terrain produces 4 latents but the model 'stereo44k' decodes 64");
	model_free(stereo);
	gesture *g;
	assert_int_equal(gesture_from_json("[[0, 0.1, 0.2, 0.3]]", "g", &g, err, sizeof err), 0);
	assert_int_equal(render_gesture(&f->engine, g, 0, capture_sink, NULL, err, sizeof err), -1);
	assert_contains(err, "3 coordinates per point but the terrain has 2");
	gesture_free(g);
}

/* frames_per_call N: one render_frame call steps the cursor N times (the
 * glide keeps its time constant) and decodes the N frames in one call. */
static void several_frames_per_call_glide_and_decode_as_single_frames_would(void **state)
{
	(void)state;
	char err[1024], warn[256];
	model_options o = model_default_options();
	o.frames_per_call = 3;
	model *one, *three;
	terrain *t;
	assert_int_equal(model_load("models/demo.ts", NULL, &one, err, sizeof err), 0);
	assert_int_equal(model_load("models/demo.ts", &o, &three, err, sizeof err), 0);
	assert_int_equal(terrain_load("terrains/demo.json", &t, err, sizeof err), 0);
	render_engine a, b;
	assert_int_equal(render_init(&a, one, t, 20, err, sizeof err, warn, sizeof warn), 0);
	assert_int_equal(render_init(&b, three, t, 20, err, sizeof err, warn, sizeof warn), 0);
	assert_int_equal(render_samples_per_call(&a), 512);
	assert_int_equal(render_samples_per_call(&b), 3 * 512);
	float start[2] = {-0.5f, -0.5f}, xy[2] = {0.3f, -0.4f}, singles[3 * 512], together[3 * 512];
	render_set_target(&a, start, 2);
	render_set_target(&b, start, 2);
	render_set_target(&a, xy, 2);
	render_set_target(&b, xy, 2);
	model_seed(7);
	for (int k = 0; k < 3; k++)
		assert_int_equal(render_frame(&a, singles + k * 512, err, sizeof err), 0);
	model_seed(7);
	assert_int_equal(render_frame(&b, together, err, sizeof err), 0);
	assert_int_equal(b.frames, 3);
	for (int d = 0; d < 2; d++) { /* three glide steps either way, still short of the target */
		assert_float_equal(b.control.cursor[d], a.control.cursor[d], 1e-6);
		assert_true(fabsf(b.control.cursor[d] - xy[d]) > 1e-3);
	}
	for (int z = 0; z < t->latent_dim; z++) /* the last frame's latents, as /notify shows them */
		assert_float_equal(b.latent[z], a.latent[z], 1e-6);
	double energy = 0;
	for (int i = 0; i < 3 * 512; i++) {
		assert_true(isfinite(together[i]));
		energy += (double)together[i] * together[i];
	}
	assert_true(energy > 1e-3);
	render_destroy(&a);
	render_destroy(&b);
	model_free(one);
	model_free(three);
	terrain_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(moving_between_regions_changes_the_pitch_as_the_terrain_says, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(smoothing_glides_the_cursor_with_the_given_time_constant, setup, teardown),
	    cmocka_unit_test_setup_teardown(non_finite_targets_are_refused_and_outside_ones_clamped, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_pitch_sets_the_pitch_latent_and_glides, setup, teardown),
	    cmocka_unit_test(rendering_a_gesture_is_deterministic),
	    cmocka_unit_test(several_frames_per_call_glide_and_decode_as_single_frames_would),
	    cmocka_unit_test_setup_teardown(mismatched_model_terrain_and_gesture_are_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
