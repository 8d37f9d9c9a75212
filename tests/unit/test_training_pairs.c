/* Unit tests for training_pairs.c: the /train/add store keeps pairs of one
 * shape, and a change of shape can never make it write past its buffer. */
#include "test_util.h"

#include "training_pairs.h"

static void pair(float *v, int width, float base)
{
	for (int i = 0; i < width; i++)
		v[i] = base + (float)i;
}

static void pairs_are_kept_and_copied_split_into_coordinates_and_latents(void **state)
{
	(void)state;
	training_pairs p;
	training_pairs_init(&p);
	training_pairs_set_shape(&p, 2, 3);
	float v[5];
	for (int i = 0; i < 300; i++) { /* past the first growth (256) */
		pair(v, 5, 10.0f * (float)i);
		assert_int_equal(training_pairs_add(&p, v, 5), 0);
	}
	float *x, *y;
	int cd, ld;
	assert_int_equal(training_pairs_copy(&p, &x, &y, &cd, &ld), 300);
	assert_int_equal(cd, 2);
	assert_int_equal(ld, 3);
	assert_float_equal(x[2 * 299 + 1], 2991.0f, 0);
	assert_float_equal(y[3 * 299 + 0], 2992.0f, 0);
	assert_float_equal(y[3 * 299 + 2], 2994.0f, 0);
	free(x);
	free(y);
	training_pairs_destroy(&p);
}

/* The heap overflow of issue 14: a 3-D terrain with the latent size of the
 * playing 2-D one. Pairs of the old shape must go, and the new, wider pairs
 * must fit (under ASan an overflow here is a crash). */
static void a_new_control_dimension_drops_the_old_pairs_and_resizes(void **state)
{
	(void)state;
	training_pairs p;
	training_pairs_init(&p);
	training_pairs_set_shape(&p, 2, 4);
	float v[7];
	for (int i = 0; i < 256; i++) { /* exactly a full first block of 6-float pairs */
		pair(v, 6, (float)i);
		assert_int_equal(training_pairs_add(&p, v, 6), 0);
	}
	assert_int_equal(training_pairs_set_shape(&p, 3, 4), 256);
	assert_int_equal(pairs_kept(&p), 0);
	assert_int_equal(training_pairs_width(&p), 7);
	pair(v, 6, 0);
	assert_int_equal(training_pairs_add(&p, v, 6), -1); /* read with the old width: refused */
	for (int i = 0; i < 300; i++) {
		pair(v, 7, (float)i);
		assert_int_equal(training_pairs_add(&p, v, 7), 0);
	}
	float *x, *y;
	int cd, ld;
	assert_int_equal(training_pairs_copy(&p, &x, &y, &cd, &ld), 300);
	assert_int_equal(cd, 3);
	assert_float_equal(x[3 * 299 + 2], 301.0f, 0);
	assert_float_equal(y[4 * 299 + 3], 305.0f, 0);
	free(x);
	free(y);
	training_pairs_destroy(&p);
}

static void the_same_shape_keeps_the_pairs(void **state)
{
	(void)state;
	training_pairs p;
	training_pairs_init(&p);
	training_pairs_set_shape(&p, 2, 4);
	float v[6] = {0};
	assert_int_equal(training_pairs_add(&p, v, 6), 0);
	assert_int_equal(training_pairs_set_shape(&p, 2, 4), 0);
	assert_int_equal(pairs_kept(&p), 1);
	assert_int_equal(training_pairs_set_shape(&p, 2, 8), 1); /* another latent size drops them too */
	assert_int_equal(pairs_kept(&p), 0);
	training_pairs_clear(&p);
	training_pairs_destroy(&p);
}

static void the_store_is_bounded(void **state)
{
	(void)state;
	training_pairs p;
	training_pairs_init(&p);
	training_pairs_set_shape(&p, 1, 1);
	float v[2] = {1, 2};
	for (int i = 0; i < TRAINING_PAIRS_MAX; i++)
		assert_int_equal(training_pairs_add(&p, v, 2), 0);
	assert_int_equal(training_pairs_add(&p, v, 2), -2);
	assert_int_equal(pairs_kept(&p), TRAINING_PAIRS_MAX);
	training_pairs_clear(&p);
	assert_int_equal(pairs_kept(&p), 0);
	training_pairs_destroy(&p);
}

static void an_empty_store_copies_to_nothing(void **state)
{
	(void)state;
	training_pairs p;
	training_pairs_init(&p);
	float *x, *y;
	int cd, ld;
	assert_int_equal(training_pairs_copy(&p, &x, &y, &cd, &ld), 0);
	free(x);
	free(y);
	float v[1] = {0};
	assert_int_equal(training_pairs_add(&p, v, 0), -1); /* no shape yet */
	training_pairs_destroy(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(pairs_are_kept_and_copied_split_into_coordinates_and_latents),
	    cmocka_unit_test(a_new_control_dimension_drops_the_old_pairs_and_resizes),
	    cmocka_unit_test(the_same_shape_keeps_the_pairs),
	    cmocka_unit_test(the_store_is_bounded),
	    cmocka_unit_test(an_empty_store_copies_to_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
