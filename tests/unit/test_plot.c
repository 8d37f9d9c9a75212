/* Unit tests for plot.c's overlays: paths and labels are plain points,
 * drawn where their coordinates fall. */
#include "test_util.h"

#include "plot.h"
#include "terrain_json.h"

enum { SIZE = 128 };

static terrain *flat_terrain(void)
{
	/* one latent, constant 0.5: a flat picture, so any white is an overlay */
	static const char *json =
	    "{\"format\":\"terraind-terrain\",\"version\":1,\"control_dim\":2,\"latent_dim\":1,"
	    "\"bounds\":{\"min\":[-1,-1],\"max\":[1,1]},"
	    "\"network\":{\"type\":\"fourier-cppn\",\"layers\":[{\"weight\":[[0,0]],\"bias\":[0.5]}]}}";
	terrain *t;
	char err[512];
	if (terrain_from_json(json, "flat.json", &t, err, sizeof err) < 0)
		fail_msg("%s", err);
	return t;
}

static int white(const unsigned char *rgb, int x, int y)
{
	const unsigned char *p = rgb + ((size_t)y * SIZE + x) * 3;
	return p[0] == 255 && p[1] == 255 && p[2] == 255;
}

static int count_white(const unsigned char *rgb, int x0, int y0, int x1, int y1)
{
	int n = 0;
	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++)
			n += white(rgb, x, y);
	return n;
}

static void paths_are_drawn_where_their_points_fall(void **state)
{
	(void)state;
	terrain *t = flat_terrain();
	static unsigned char rgb[SIZE * SIZE * 3];
	const float xy[] = {-1, 1, 0, 0, 1, -1}; /* top left, centre, bottom right */
	plot_path path = {.xy = xy, .n = 3};
	plot_options o = {.width = SIZE, .height = SIZE, .channels = {0, -1, -1}, .paths = &path, .n_paths = 1};
	char err[256];
	assert_int_equal(plot_terrain(t, &o, rgb, err, sizeof err), 0);
	assert_true(white(rgb, 0, 0));
	assert_true(white(rgb, SIZE / 2, SIZE / 2));
	assert_true(white(rgb, SIZE - 1, SIZE - 1));
	assert_int_equal(count_white(rgb, 0, 0, SIZE, SIZE), 4 + 9 + 4); /* 3x3 dots, two cut by the edges */
	terrain_free(t);
}

static void labels_are_rings_with_their_names_beside_them(void **state)
{
	(void)state;
	terrain *t = flat_terrain();
	static unsigned char rgb[SIZE * SIZE * 3], bare[SIZE * SIZE * 3];
	plot_label labels[] = {{.name = "violin", .x = -0.5f, .y = 0.5f}, {.name = "cello", .x = 0.9f, .y = -0.5f}};
	plot_options o = {.width = SIZE, .height = SIZE, .channels = {0, -1, -1}};
	char err[256];
	assert_int_equal(plot_terrain(t, &o, bare, err, sizeof err), 0);
	assert_int_equal(count_white(bare, 0, 0, SIZE, SIZE), 0);
	o.labels = labels;
	o.n_labels = 2;
	assert_int_equal(plot_terrain(t, &o, rgb, err, sizeof err), 0);
	/* violin at pixel (32, 32): its ring there, its name to the right */
	assert_true(count_white(rgb, 28, 28, 37, 37) > 8);
	assert_true(count_white(rgb, 38, 28, 38 + 36, 37) > 30);
	assert_int_equal(count_white(rgb, 0, 28, 27, 37), 0);
	/* cello near the right edge (pixel 121, 95): its name goes to the left */
	assert_true(count_white(rgb, 117, 91, 126, 100) > 8);
	assert_true(count_white(rgb, 80, 91, 116, 100) > 30);
	/* text has a black halo so it reads on any colour */
	int black = 0;
	for (size_t i = 0; i < sizeof rgb; i += 3)
		black += rgb[i] == 0 && rgb[i + 1] == 0 && rgb[i + 2] == 0;
	assert_true(black > 100);
	/* a label off the picture is not drawn */
	plot_label away = {.name = "x", .x = 3, .y = 0};
	o.labels = &away;
	o.n_labels = 1;
	assert_int_equal(plot_terrain(t, &o, rgb, err, sizeof err), 0);
	assert_memory_equal(rgb, bare, sizeof rgb);
	terrain_free(t);
}

static void names_make_room_for_each_other_and_for_rings(void **state)
{
	(void)state;
	terrain *t = flat_terrain();
	static unsigned char rgb[SIZE * SIZE * 3];
	/* rings at pixels (32, 64) and (44, 64): the first name, on the right,
	 * would cover the second ring, so it goes to the left */
	plot_label labels[] = {{.name = "aaaa", .x = -0.5f, .y = 0}, {.name = "bbbb", .x = -0.3f, .y = 0}};
	plot_options o = {.width = SIZE, .height = SIZE, .channels = {0, -1, -1}, .labels = labels, .n_labels = 2};
	char err[256];
	assert_int_equal(plot_terrain(t, &o, rgb, err, sizeof err), 0);
	assert_true(count_white(rgb, 2, 58, 28, 70) > 20);  /* aaaa, left of its ring */
	assert_true(count_white(rgb, 50, 58, 74, 70) > 20); /* bbbb, right of its ring */
	/* a third name level with them has no room left or right: a line above or below */
	plot_label three[] = {labels[0], labels[1], {.name = "cccc", .x = -0.1f, .y = 0}};
	o.labels = three;
	o.n_labels = 3;
	assert_int_equal(plot_terrain(t, &o, rgb, err, sizeof err), 0);
	assert_true(count_white(rgb, 50, 49, 90, 58) + count_white(rgb, 50, 70, 90, 79) > 20);
	terrain_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(paths_are_drawn_where_their_points_fall),
	    cmocka_unit_test(labels_are_rings_with_their_names_beside_them),
	    cmocka_unit_test(names_make_room_for_each_other_and_for_rings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
