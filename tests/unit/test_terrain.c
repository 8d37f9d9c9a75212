/* Unit tests for terrain.c: evaluation, clamping, batch path, model checks. */
#include "test_util.h"

#include <math.h>

#include "terrain.h"

/* 1 control dim, 1 Fourier feature, one hidden layer of 2, output 1. */
static terrain *tiny_terrain(void)
{
	terrain_shape shape = {.control_dim = 1, .latent_dim = 1, .n_features = 1, .n_layers = 2, .widths = {2, 1}};
	terrain *t;
	char err[256];
	assert_int_equal(terrain_create(&shape, &t, err, sizeof err), 0);
	t->fourier[0] = 0.25f; /* phase = 2π · 0.25 · x */
	float w1[] = {1, 0, 0, -1}, b1[] = {0, 0.5f}, w2[] = {2, 3}, b2[] = {0.1f};
	memcpy(t->layers[0].weight, w1, sizeof w1);
	memcpy(t->layers[0].bias, b1, sizeof b1);
	t->layers[0].prelu = 0.25f;
	memcpy(t->layers[1].weight, w2, sizeof w2);
	memcpy(t->layers[1].bias, b2, sizeof b2);
	assert_int_equal(terrain_finish(t, err, sizeof err), 0);
	return t;
}

static float tiny_expected(float x)
{
	float p = 6.2831853f * 0.25f * x;
	float h0 = sinf(p), h1 = -cosf(p) + 0.5f;
	h0 = h0 < 0 ? 0.25f * h0 : h0;
	h1 = h1 < 0 ? 0.25f * h1 : h1;
	return 2 * h0 + 3 * h1 + 0.1f;
}

static void eval_matches_the_formula_by_hand(void **state)
{
	(void)state;
	terrain *t = tiny_terrain();
	float scratch[64], z;
	assert_true(terrain_scratch_floats(t) <= 64);
	for (float x = -1.0f; x <= 1.0f; x += 0.125f) {
		terrain_eval(t, &x, &z, scratch);
		assert_float_equal(z, tiny_expected(x), 1e-5);
	}
	terrain_free(t);
}

static void batch_eval_equals_single_eval(void **state)
{
	(void)state;
	/* 96 and 70 outputs: full panels of 64 and narrow ones, one zero-padded */
	terrain_shape shape = {
	    .control_dim = 3, .latent_dim = 5, .n_features = 16, .n_layers = 3, .widths = {96, 70, 5}};
	terrain *t;
	char err[256];
	assert_int_equal(terrain_create(&shape, &t, err, sizeof err), 0);
	uint32_t seed = 7;
	for (size_t i = 0; i < t->storage_floats; i++)
		t->storage[i] = test_random(&seed, -0.5f, 0.5f);
	t->layers[0].prelu = t->layers[1].prelu = 0.2f;
	assert_int_equal(terrain_finish(t, err, sizeof err), 0);
	enum { N = 2500 }; /* more than one internal block of 1024 */
	float *coords = malloc(sizeof(float) * N * 3), *batch = malloc(sizeof(float) * N * 5);
	for (int i = 0; i < N * 3; i++)
		coords[i] = test_random(&seed, -1, 1);
	assert_int_equal(terrain_eval_batch(t, coords, N, batch, err, sizeof err), 0);
	float *scratch = malloc(sizeof(float) * terrain_scratch_floats(t)), z[5];
	for (int i = 0; i < N; i++) {
		terrain_eval(t, coords + 3 * i, z, scratch);
		for (int j = 0; j < 5; j++)
			assert_float_equal(z[j], batch[5 * i + j], 1e-4);
	}
	free(coords);
	free(batch);
	free(scratch);
	terrain_free(t);
}

static void network_without_fourier_reads_coordinates_directly(void **state)
{
	(void)state;
	terrain_shape shape = {.control_dim = 2, .latent_dim = 1, .n_features = 0, .n_layers = 1, .widths = {1}};
	terrain *t;
	char err[256];
	assert_int_equal(terrain_create(&shape, &t, err, sizeof err), 0);
	t->layers[0].weight[0] = 2;
	t->layers[0].weight[1] = -1;
	t->layers[0].bias[0] = 0.5f;
	assert_int_equal(terrain_finish(t, err, sizeof err), 0);
	float x[2] = {0.25f, 1.0f}, z, scratch[16];
	terrain_eval(t, x, &z, scratch);
	assert_float_equal(z, 0.5f - 1.0f + 0.5f, 1e-6);
	terrain_free(t);
}

static void clamp_counts_axes_outside_the_bounds(void **state)
{
	(void)state;
	terrain *t = tiny_terrain();
	float x = 3.0f;
	assert_int_equal(terrain_clamp(t, &x), 1);
	assert_float_equal(x, 1.0f, 0);
	x = -0.5f;
	assert_int_equal(terrain_clamp(t, &x), 0);
	assert_float_equal(x, -0.5f, 0);
	terrain_free(t);
}

static void bad_shapes_are_refused_with_a_reason(void **state)
{
	(void)state;
	terrain *t;
	char err[256];
	terrain_shape last_mismatch = {
	    .control_dim = 2, .latent_dim = 4, .n_features = 8, .n_layers = 2, .widths = {16, 3}};
	assert_int_equal(terrain_create(&last_mismatch, &t, err, sizeof err), -1);
	assert_contains(err, "last layer has 3 outputs but latent_dim is 4");
	terrain_shape zero_dim = {.control_dim = 0, .latent_dim = 4, .n_layers = 1, .widths = {4}};
	assert_int_equal(terrain_create(&zero_dim, &t, err, sizeof err), -1);
	assert_contains(err, "control_dim 0");
	terrain_shape huge = {
	    .control_dim = 2, .latent_dim = 4, .n_features = 2048, .n_layers = 3, .widths = {4096, 4096, 4}};
	assert_int_equal(terrain_create(&huge, &t, err, sizeof err), -1);
	assert_contains(err, "weights");
}

static void validate_rejects_non_finite_weights_and_empty_bounds(void **state)
{
	(void)state;
	terrain *t = tiny_terrain();
	char err[256];
	assert_int_equal(terrain_finish(t, err, sizeof err), 0);
	t->layers[1].bias[0] = NAN;
	assert_int_equal(terrain_finish(t, err, sizeof err), -1);
	assert_contains(err, "non-finite");
	t->layers[1].bias[0] = 0;
	t->bounds_min[0] = t->bounds_max[0] = 0.5f;
	assert_int_equal(terrain_finish(t, err, sizeof err), -1);
	assert_contains(err, "min < max");
	terrain_free(t);
}

static void model_check_names_both_values(void **state)
{
	(void)state;
	terrain *t = tiny_terrain();
	char err[256], warn[256];
	t->has_model = 1;
	t->model = (terrain_model_info){.id = "demo", .latent_dim = 1, .sample_rate = 48000, .ratio = 512};
	assert_int_equal(terrain_check_model(t, "demo", 1, 48000, 512, err, sizeof err, warn, sizeof warn), 0);
	assert_string_equal(warn, "");
	assert_int_equal(terrain_check_model(t, "big", 16, 48000, 512, err, sizeof err, warn, sizeof warn), -1);
	assert_contains(err, "produces 1 latents but the model 'big' decodes 16");
	assert_int_equal(terrain_check_model(t, "x", 1, 44100, 512, err, sizeof err, warn, sizeof warn), -1);
	assert_contains(err, "48000 Hz model but 'x' runs at 44100 Hz");
	assert_int_equal(terrain_check_model(t, "x", 1, 48000, 2048, err, sizeof err, warn, sizeof warn), -1);
	assert_contains(err, "ratio 512 but 'x' has ratio 2048");
	assert_int_equal(terrain_check_model(t, "renamed", 1, 48000, 512, err, sizeof err, warn, sizeof warn), 0);
	assert_contains(warn, "made for model 'demo'");
	terrain_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(eval_matches_the_formula_by_hand),
	    cmocka_unit_test(batch_eval_equals_single_eval),
	    cmocka_unit_test(network_without_fourier_reads_coordinates_directly),
	    cmocka_unit_test(clamp_counts_axes_outside_the_bounds),
	    cmocka_unit_test(bad_shapes_are_refused_with_a_reason),
	    cmocka_unit_test(validate_rejects_non_finite_weights_and_empty_bounds),
	    cmocka_unit_test(model_check_names_both_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
