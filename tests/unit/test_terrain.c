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
	enum { N = 2500 }; /* many internal blocks, and a tail */
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

/* The network's formula in double precision, straight from the row-major
 * weights (no panels, no polynomial sincos): the reference every kernel
 * variant must reproduce. */
static void reference_eval(const terrain *t, const float *coord, double *out)
{
	double a[TERRAIN_MAX_WIDTH], b[TERRAIN_MAX_WIDTH];
	int f = t->n_features;
	for (int j = 0; j < f; j++) {
		double p = 0;
		for (int d = 0; d < t->control_dim; d++)
			p += 2 * M_PI * coord[d] * t->fourier[d * f + j];
		a[j] = sin(p);
		a[f + j] = cos(p);
	}
	for (int i = 0; i < t->n_layers; i++) {
		const terrain_layer *l = &t->layers[i];
		double *dst = i + 1 == t->n_layers ? out : b;
		for (int o = 0; o < l->out; o++) {
			double v = l->bias[o];
			for (int k = 0; k < l->in; k++)
				v += (double)l->weight[(size_t)o * l->in + k] * a[k];
			dst[o] = l->has_prelu && v < 0 ? l->prelu * v : v;
		}
		if (dst == b)
			memcpy(a, b, sizeof(double) * (size_t)l->out);
	}
}

/* One kernel variant (avx512, avx2-fma, portable) against the reference,
 * one coordinate at a time and in a batch whose row count leaves tails of
 * every tile and block. Skipped, with the reason, where this build or CPU
 * has no such variant (test_terrain_portable has only the portable one). */
static void variant_matches_the_reference(const char *variant)
{
	char err[256];
	const char *before = terrain_kernel_name();
	if (terrain_select_kernel(variant, err, sizeof err) < 0) {
		printf("skipped: %s\n", err);
		skip();
	}
	assert_string_equal(terrain_kernel_name(), variant);
	/* 2 -> 40 features -> 128 (two wide panels), 80 (a wide and a narrow
	 * one), 7 (one zero-padded narrow panel) */
	terrain_shape shape = {
	    .control_dim = 2, .latent_dim = 7, .n_features = 40, .n_layers = 3, .widths = {128, 80, 7}};
	terrain *t;
	assert_int_equal(terrain_create(&shape, &t, err, sizeof err), 0);
	uint32_t seed = 11;
	for (size_t i = 0; i < t->storage_floats; i++)
		t->storage[i] = test_random(&seed, -0.3f, 0.3f);
	t->layers[0].prelu = 0.25f;
	t->layers[1].prelu = -0.1f;
	assert_int_equal(terrain_finish(t, err, sizeof err), 0);
	enum { N = 2 * 48 + 13 };
	float coords[N * 2], batch[N * 7], one[7];
	float *scratch = malloc(sizeof(float) * terrain_scratch_floats(t));
	for (int i = 0; i < N * 2; i++)
		coords[i] = test_random(&seed, -1, 1);
	assert_int_equal(terrain_eval_batch(t, coords, N, batch, err, sizeof err), 0);
	for (int i = 0; i < N; i++) {
		double want[7];
		reference_eval(t, coords + 2 * i, want);
		terrain_eval(t, coords + 2 * i, one, scratch);
		for (int k = 0; k < 7; k++) {
			assert_float_equal(one[k], want[k], 1e-5);
			assert_float_equal(batch[7 * i + k], want[k], 1e-5);
		}
	}
	free(scratch);
	terrain_free(t);
	assert_int_equal(terrain_select_kernel(before, err, sizeof err), 0);
}

static void avx512_kernels_match_the_reference(void **state)
{
	(void)state;
	variant_matches_the_reference("avx512");
}

static void avx2_kernels_match_the_reference(void **state)
{
	(void)state;
	variant_matches_the_reference("avx2-fma");
}

static void portable_kernels_match_the_reference(void **state)
{
	(void)state;
	variant_matches_the_reference("portable");
}

static void unknown_kernel_is_refused_with_a_reason(void **state)
{
	(void)state;
	char err[256];
	assert_int_equal(terrain_select_kernel("avx1024", err, sizeof err), -1);
	assert_contains(err, "no avx1024 kernels");
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
	    cmocka_unit_test(avx512_kernels_match_the_reference),
	    cmocka_unit_test(avx2_kernels_match_the_reference),
	    cmocka_unit_test(portable_kernels_match_the_reference),
	    cmocka_unit_test(unknown_kernel_is_refused_with_a_reason),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
