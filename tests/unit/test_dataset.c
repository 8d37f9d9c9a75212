/* Unit tests for dataset.c: JSON, layouts, user strokes. */
#include "test_util.h"

#include <math.h>

#include "dataset.h"

static dataset *two_clusters(void)
{
	terrain_model_info info = {.id = "m", .latent_dim = 3, .sample_rate = 48000, .ratio = 512};
	dataset *d = dataset_new(&info, 3, 2);
	float a[10 * 3], b[10 * 3];
	uint32_t seed = 3;
	for (int i = 0; i < 30; i++) {
		a[i] = test_random(&seed, -0.1f, 0.1f) + (i % 3 == 0 ? 2.0f : 0.0f);
		b[i] = test_random(&seed, -0.1f, 0.1f) - (i % 3 == 0 ? 2.0f : 0.0f);
	}
	char err[256];
	assert_int_equal(dataset_add(d, "a.wav", a, 10, err, sizeof err), 0);
	assert_int_equal(dataset_add(d, "b.wav", b, 10, err, sizeof err), 0);
	return d;
}

static float cluster_gap(dataset *d)
{
	float ax = 0, bx = 0;
	for (int f = 0; f < 10; f++) {
		ax += d->items[0].coords[2 * f] / 10;
		bx += d->items[1].coords[2 * f] / 10;
	}
	return fabsf(ax - bx);
}

static void pca_reads_only_the_latents_it_is_given(void **state)
{
	(void)state;
	dataset *d = two_clusters(); /* the clusters differ on latent 0 only */
	char err[256];
	const int others[] = {1, 2}, first[] = {0};
	assert_int_equal(dataset_layout_latents(d, "pca", others, 2, err, sizeof err), 0);
	assert_true(cluster_gap(d) < 0.9f); /* noise: the clusters mix */
	assert_int_equal(dataset_layout_latents(d, "pca", first, 1, err, sizeof err), 0);
	assert_true(cluster_gap(d) > 1.5f);
	const int missing[] = {1, 3};
	assert_int_equal(dataset_layout_latents(d, "pca", missing, 2, err, sizeof err), -1);
	assert_contains(err, "latent 3 does not exist (the dataset has 3 latents: 0 to 2)");
	dataset_free(d);
}

/* Three groups that differ by a little along latent 1, while latent 0
 * varies a lot within each: a PCA follows latent 0 and mixes the groups;
 * the discriminant analysis finds latent 1 and sets them apart. */
static dataset *three_groups(int *groups)
{
	terrain_model_info info = {.id = "m", .latent_dim = 2};
	dataset *d = dataset_new(&info, 2, 2);
	uint32_t seed = 7;
	char err[256];
	for (int i = 0; i < 9; i++) {
		float z[20 * 2];
		for (int f = 0; f < 20; f++) {
			z[2 * f] = test_random(&seed, -5, 5);
			z[2 * f + 1] = 0.3f * (float)(i % 3) + test_random(&seed, -0.05f, 0.05f);
		}
		char name[32];
		snprintf(name, sizeof name, "g%d_%d.wav", i % 3, i);
		assert_int_equal(dataset_add(d, name, z, 20, err, sizeof err), 0);
		groups[i] = i % 3;
	}
	return d;
}

/* The mean first coordinate of each group; whether they are apart by at
 * least `gap` with no frame of one group among another's. */
static int groups_apart(const dataset *d, const int *groups, float gap)
{
	float lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
	for (int i = 0; i < d->n_items; i++)
		for (int f = 0; f < d->items[i].frames; f++) {
			float x = d->items[i].coords[2 * f];
			lo[groups[i]] = fminf(lo[groups[i]], x);
			hi[groups[i]] = fmaxf(hi[groups[i]], x);
		}
	int order[3] = {0, 1, 2};
	if (lo[0] > lo[2]) /* the axis may point either way */
		order[0] = 2, order[2] = 0;
	return lo[order[1]] - hi[order[0]] >= gap && lo[order[2]] - hi[order[1]] >= gap;
}

static void lda_sets_groups_apart_where_pca_mixes_them(void **state)
{
	(void)state;
	int groups[9];
	dataset *d = three_groups(groups);
	char err[256];
	assert_int_equal(dataset_layout(d, "pca", err, sizeof err), 0);
	assert_false(groups_apart(d, groups, 0.1f));
	assert_int_equal(dataset_layout_lda(d, groups, 3, NULL, 0, err, sizeof err), 0);
	assert_true(groups_apart(d, groups, 0.3f));
	for (int i = 0; i < d->n_items; i++)
		for (int f = 0; f < 2 * d->items[i].frames; f++)
			assert_true(fabsf(d->items[i].coords[f]) <= 0.9f + 1e-6f);
	/* its errors */
	assert_int_equal(dataset_layout_lda(d, groups, 1, NULL, 0, err, sizeof err), -1);
	assert_contains(err, "the lda layout needs at least 2 groups of sounds, the corpus has 1");
	groups[4] = 3;
	assert_int_equal(dataset_layout_lda(d, groups, 3, NULL, 0, err, sizeof err), -1);
	assert_contains(err, "item 4's group 3 is not one of the 3");
	groups[4] = 1;
	const int missing[] = {2};
	assert_int_equal(dataset_layout_lda(d, groups, 3, missing, 1, err, sizeof err), -1);
	assert_contains(err, "latent 2 does not exist");
	assert_int_equal(dataset_layout(d, "lda", err, sizeof err), -1);
	assert_contains(err, "the lda layout needs each item's group");
	dataset_free(d);
}

static void pca_puts_similar_sounds_together_and_different_ones_apart(void **state)
{
	(void)state;
	dataset *d = two_clusters();
	char err[256];
	assert_int_equal(dataset_layout(d, "pca", err, sizeof err), 0);
	float ax = 0, bx = 0;
	for (int f = 0; f < 10; f++) {
		ax += d->items[0].coords[2 * f] / 10;
		bx += d->items[1].coords[2 * f] / 10;
		for (int k = 0; k < 2; k++)
			assert_true(fabsf(d->items[0].coords[2 * f + k]) <= 0.9f + 1e-6f);
	}
	assert_true(fabsf(ax - bx) > 1.5f); /* the clusters sit at opposite ends of the first axis */
	dataset_free(d);
}

static void shapes_lay_each_item_out_in_time_order(void **state)
{
	(void)state;
	dataset *d = two_clusters();
	char err[256];
	assert_int_equal(dataset_layout(d, "line", err, sizeof err), 0);
	assert_float_equal(d->items[0].coords[0], -0.9f, 1e-6);
	assert_float_equal(d->items[0].coords[2 * 9], 0.9f, 1e-6);
	assert_true(d->items[0].coords[1] != d->items[1].coords[1]); /* one line each */
	assert_int_equal(dataset_layout(d, "zigzag", err, sizeof err), -1);
	assert_contains(err, "unknown layout \"zigzag\"");
	dataset_free(d);
}

static float radius_at(const dataset_item *it, int f)
{
	return hypotf(it->coords[2 * f], it->coords[2 * f + 1]);
}

/* Counter-clockwise angle from frame f-1 to frame f of an item, in (-pi, pi]. */
static double turn_at(const dataset_item *it, int f)
{
	double a =
	    atan2(it->coords[2 * f + 1], it->coords[2 * f]) - atan2(it->coords[2 * f - 1], it->coords[2 * f - 2]);
	return a > M_PI ? a - 2 * M_PI : a <= -M_PI ? a + 2 * M_PI : a;
}

/* circle: each item goes once around its own circle (centred, constant
 * radius, a different one per item, inside the layout's 0.9), in time order. */
static void the_circle_layout_puts_each_item_once_around_its_own_circle(void **state)
{
	(void)state;
	dataset *d = two_clusters();
	char err[256];
	assert_int_equal(dataset_layout(d, "circle", err, sizeof err), 0);
	for (int i = 0; i < 2; i++) {
		const dataset_item *it = &d->items[i];
		double turned = 0;
		for (int f = 1; f < it->frames; f++) {
			assert_float_equal(radius_at(it, f), radius_at(it, 0), 1e-5);
			assert_true(turn_at(it, f) > 0); /* time runs counter-clockwise */
			turned += turn_at(it, f);
		}
		assert_true(radius_at(it, 0) > 0.1f && radius_at(it, 0) <= 0.9f + 1e-6f);
		assert_float_equal(turned, 2 * M_PI, 1e-4); /* once around: it ends where it began */
	}
	assert_true(fabsf(radius_at(&d->items[0], 0) - radius_at(&d->items[1], 0)) > 0.1f);
	dataset_free(d);
}

/* spiral: all items along one spiral, in corpus order: the radius grows
 * with every frame, from item to item, and the whole corpus turns 3 times. */
static void the_spiral_layout_winds_the_whole_corpus_outwards_three_times(void **state)
{
	(void)state;
	dataset *d = two_clusters();
	char err[256];
	assert_int_equal(dataset_layout(d, "spiral", err, sizeof err), 0);
	/* The corpus as one sequence of 20 frames: item 0, then item 1. */
	dataset_item all = {.frames = 20, .coords = (float[40]){0}};
	memcpy(all.coords, d->items[0].coords, sizeof(float) * 20);
	memcpy(all.coords + 20, d->items[1].coords, sizeof(float) * 20);
	double turned = 0;
	for (int f = 1; f < all.frames; f++) {
		assert_true(radius_at(&all, f) > radius_at(&all, f - 1));
		assert_true(turn_at(&all, f) > 0);
		turned += turn_at(&all, f);
	}
	assert_true(radius_at(&all, 19) <= 0.9f + 1e-6f);
	assert_float_equal(turned, 3 * 2 * M_PI, 1e-4);
	dataset_free(d);
}

static void strokes_are_followed_by_arc_length(void **state)
{
	(void)state;
	dataset *d = two_clusters();
	char err[256];
	const char *path = "build/tests/strokes.json";
	FILE *f = fopen(path, "w");
	fputs("{\"strokes\": [{\"item\": 1, \"points\": [[0, 0], [0.9, 0], [0.9, 0.9]]},"
	      " {\"item\": 0, \"points\": [[-0.5, -0.5], [-0.5, 0.4]]}]}",
	      f);
	fclose(f);
	assert_int_equal(dataset_apply_paths(d, path, err, sizeof err), 0);
	const float *c = d->items[1].coords;
	assert_float_equal(c[0], 0, 1e-6);
	assert_float_equal(c[2 * 9], 0.9f, 1e-6);
	assert_float_equal(c[2 * 9 + 1], 0.9f, 1e-6);
	assert_float_equal(c[2 * 5], 0.9f, 0.11f); /* half the length: the corner */
	f = fopen(path, "w");
	fputs("{\"strokes\": [{\"item\": 0, \"points\": [[0, 0], [1, 1]]}]}", f);
	fclose(f);
	assert_int_equal(dataset_apply_paths(d, path, err, sizeof err), -1);
	assert_contains(err, "item 1 (b.wav) has no stroke");
	f = fopen(path, "w");
	fputs("{\"strokes\": [{\"item\": 5, \"points\": [[0, 0], [1, 1]]}]}", f);
	fclose(f);
	assert_int_equal(dataset_apply_paths(d, path, err, sizeof err), -1);
	assert_contains(err, "'item' is 5, expected 0 to 1");
	remove(path);
	dataset_free(d);
}

static void datasets_round_trip_and_bad_files_are_named(void **state)
{
	(void)state;
	dataset *d = two_clusters(), *back;
	char err[256];
	const char *path = "build/tests/dataset.json";
	assert_int_equal(dataset_layout(d, "line", err, sizeof err), 0);
	assert_int_equal(dataset_save(d, path, err, sizeof err), 0);
	assert_int_equal(dataset_load(path, &back, err, sizeof err), 0);
	assert_int_equal(back->n_items, 2);
	assert_int_equal(dataset_total_frames(back), 20);
	assert_true(dataset_has_coords(back));
	assert_memory_equal(back->items[1].latents, d->items[1].latents, sizeof(float) * 30);
	assert_string_equal(back->model.id, "m");
	dataset_free(back);
	FILE *f = fopen(path, "w");
	fputs("{\"format\": \"terraind-dataset\", \"model\": {\"latent_dim\": 3}, \"control_dim\": 2,"
	      " \"items\": [{\"source\": \"x\", \"latents\": [[1, 2]]}]}",
	      f);
	fclose(f);
	assert_int_equal(dataset_load(path, &back, err, sizeof err), -1);
	assert_contains(err, "items[0].latents[0] has 2 columns, expected 3");
	f = fopen(path, "w");
	fputs("{\"format\": \"terraind-dataset\", \"model\": {\"latent_dim\": 3}, \"control_dim\": 2, \"items\": []}",
	      f);
	fclose(f);
	assert_int_equal(dataset_load(path, &back, err, sizeof err), -1);
	assert_contains(err, "an empty corpus");
	remove(path);
	dataset_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(pca_puts_similar_sounds_together_and_different_ones_apart),
	    cmocka_unit_test(pca_reads_only_the_latents_it_is_given),
	    cmocka_unit_test(lda_sets_groups_apart_where_pca_mixes_them),
	    cmocka_unit_test(shapes_lay_each_item_out_in_time_order),
	    cmocka_unit_test(the_circle_layout_puts_each_item_once_around_its_own_circle),
	    cmocka_unit_test(the_spiral_layout_winds_the_whole_corpus_outwards_three_times),
	    cmocka_unit_test(strokes_are_followed_by_arc_length),
	    cmocka_unit_test(datasets_round_trip_and_bad_files_are_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
