/* Unit tests for corpus_labels.c: labels from file names, placed at
 * their medoids. */
#include "test_util.h"

#include "corpus_labels.h"

static void a_label_is_the_file_name_up_to_the_first_underscore(void **state)
{
	(void)state;
	char name[TERRAIN_LABEL_MAX], err[256];
	assert_int_equal(
	    corpus_label_of("build/instruments/violin_A4_v110_held.wav", name, sizeof name, err, sizeof err), 0);
	assert_string_equal(name, "violin");
	assert_int_equal(corpus_label_of("phrase-07.wav", name, sizeof name, err, sizeof err), 0);
	assert_string_equal(name, "phrase-07");
	assert_int_equal(corpus_label_of("dir/_x.wav", name, sizeof name, err, sizeof err), -1);
	assert_contains(err, "dir/_x.wav: its file name does not start with a label");
	assert_int_equal(corpus_label_of("abcdefgh_1.wav", name, 5, err, sizeof err), -1);
	assert_contains(err, "its label is longer than 4 bytes");
	assert_int_equal(corpus_label_of("caf\xc3\xa9_1.wav", name, sizeof name, err, sizeof err), -1);
	assert_contains(err, "not printable ASCII");
}

/* Frames of one item: a tight cluster around (cx, cy) and one far
 * outlier, which must not move the label. */
static void add_item(dataset *d, const char *source, float cx, float cy)
{
	enum { FRAMES = 9 };
	float z[FRAMES] = {0}, xy[2 * FRAMES];
	char err[256];
	assert_int_equal(dataset_add(d, source, z, FRAMES, err, sizeof err), 0);
	for (int f = 0; f < FRAMES; f++) {
		xy[2 * f] = cx + 0.01f * (float)(f % 3 - 1);
		xy[2 * f + 1] = cy + 0.01f * (float)(f / 3 - 1);
	}
	xy[2 * (FRAMES - 1)] = -cx * 10; /* the outlier: a mean would follow it */
	dataset_item *it = &d->items[d->n_items - 1];
	it->coords = malloc(sizeof xy);
	memcpy(it->coords, xy, sizeof xy);
}

static void each_label_lies_at_its_frames_medoid(void **state)
{
	(void)state;
	terrain_model_info info = {.id = "m", .latent_dim = 1};
	dataset *d = dataset_new(&info, 1, 2);
	add_item(d, "a/violin_A4.wav", 0.5f, 0.5f);
	add_item(d, "a/flute_C5.wav", -0.5f, 0.25f);
	add_item(d, "a/violin_C5.wav", 0.52f, 0.5f);
	terrain_label labels[TERRAIN_MAX_LABELS];
	int n = 0;
	char err[256];
	assert_int_equal(corpus_labels(d, labels, &n, err, sizeof err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(labels[0].name, "violin");
	assert_string_equal(labels[1].name, "flute");
	assert_true(fabsf(labels[0].at[0] - 0.51f) < 0.02f && fabsf(labels[0].at[1] - 0.5f) < 0.02f);
	assert_true(fabsf(labels[1].at[0] + 0.5f) < 0.02f && fabsf(labels[1].at[1] - 0.25f) < 0.02f);
	dataset_free(d);
}

static void labels_need_a_laid_out_dataset(void **state)
{
	(void)state;
	terrain_model_info info = {.id = "m", .latent_dim = 1};
	dataset *d = dataset_new(&info, 1, 2);
	float z[2] = {0};
	char err[256];
	assert_int_equal(dataset_add(d, "violin_A4.wav", z, 2, err, sizeof err), 0);
	terrain_label labels[TERRAIN_MAX_LABELS];
	int n = 0;
	assert_int_equal(corpus_labels(d, labels, &n, err, sizeof err), -1);
	assert_contains(err, "violin_A4.wav has no coordinates: lay the dataset out first");
	dataset_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_label_is_the_file_name_up_to_the_first_underscore),
	    cmocka_unit_test(each_label_lies_at_its_frames_medoid),
	    cmocka_unit_test(labels_need_a_laid_out_dataset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
