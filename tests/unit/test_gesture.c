/* Unit tests for gesture.c: both accepted forms, every refusal, playback. */
#include "test_util.h"

#include "gesture.h"

static gesture *parse_ok(const char *text)
{
	gesture *g;
	char err[512];
	if (gesture_from_json(text, "g.json", &g, err, sizeof err) < 0)
		fail_msg("%s", err);
	return g;
}

static void expect_refused(const char *text, const char *message)
{
	gesture *g;
	char err[512];
	if (gesture_from_json(text, "g.json", &g, err, sizeof err) == 0)
		fail_msg("accepted %s", text);
	assert_null(g);
	assert_contains(err, "g.json: ");
	assert_contains(err, message);
}

static void plain_array_of_xy_points_is_accepted(void **state)
{
	(void)state;
	gesture *g = parse_ok("[[0, 0.1, 0.2], [0.5, -0.3, 0.4], [1.25, 1, 1]]");
	assert_int_equal(g->control_dim, 2);
	assert_int_equal(g->n_points, 3);
	assert_float_equal(g->points[1].coord[0], -0.3f, 1e-7);
	assert_float_equal(gesture_duration(g), 1.25, 1e-12);
	gesture_free(g);
}

static void object_form_with_xyz_points_is_accepted(void **state)
{
	(void)state;
	gesture *g =
	    parse_ok("{\"format\": \"terraind-gesture\", \"version\": 1, \"points\": [[0, 0, 0, 0.5], [1, 1, 1, 1]]}");
	assert_int_equal(g->control_dim, 3);
	assert_float_equal(g->points[0].coord[2], 0.5f, 0);
	gesture_free(g);
}

static void bad_gestures_are_refused_with_the_point_named(void **state)
{
	(void)state;
	expect_refused("[]", "no points");
	expect_refused("[[0, 0.1, 0.2], [1, 0.3]]", "point 1 must be an array [t, x, y] of 3 numbers");
	expect_refused("[[1, 0, 0], [0.5, 0, 0]]", "point 1 is at 0.5 s, before the previous point (1 s)");
	expect_refused("[[-1, 0, 0]]", "point 0 has a negative time");
	expect_refused("[[0, 0, \"up\"]]", "point 0[2] must be a finite number");
	expect_refused("[[0]]", "point 0 must be an array [t, x, ...]");
	expect_refused("{\"points\": 3}", "'points' must be an array");
	expect_refused("{\"format\": \"midi\", \"points\": []}", "'format' must be \"terraind-gesture\"");
	expect_refused("[[0, 0, 0],", "invalid JSON at line 1");
	expect_refused("42", "a gesture must be an array of points");
}

static void position_interpolates_between_points_and_holds_at_the_ends(void **state)
{
	(void)state;
	gesture *g = parse_ok("[[1, 0, 0], [2, 1, -1], [2, 5, 5], [3, 5, 5]]");
	size_t hint = 0;
	float c[2];
	gesture_position(g, 0.0, &hint, c);
	assert_float_equal(c[0], 0, 0);
	gesture_position(g, 1.5, &hint, c);
	assert_float_equal(c[0], 0.5f, 1e-6);
	assert_float_equal(c[1], -0.5f, 1e-6);
	gesture_position(g, 2.0, &hint, c); /* two points at t = 2: a jump */
	assert_float_equal(c[0], 5, 0);
	gesture_position(g, 10.0, &hint, c);
	assert_float_equal(c[1], 5, 0);
	gesture_position(g, 1.25, &hint, c); /* going back in time rescans */
	assert_float_equal(c[0], 0.25f, 1e-6);
	gesture_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(plain_array_of_xy_points_is_accepted),
	    cmocka_unit_test(object_form_with_xyz_points_is_accepted),
	    cmocka_unit_test(bad_gestures_are_refused_with_the_point_named),
	    cmocka_unit_test(position_interpolates_between_points_and_holds_at_the_ends),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
