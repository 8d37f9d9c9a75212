/* Unit tests for tuio.c: TUIO 1.1 cursor frames to voice actions. */
#include "test_util.h"

#include "tuio.h"

typedef struct frame_result {
	int n;
	tuio_action a[TUIO_MAX_ACTIONS];
} frame_result;

/* One TUIO frame: alive list, then sets (session, x, y), then fseq. */
static frame_result frame(tuio_tracker *t, int32_t fseq, const int32_t *alive, int n_alive, const float (*sets)[3],
                          int n_sets)
{
	frame_result r;
	assert_int_equal(tuio_alive(t, alive, n_alive), 0);
	for (int i = 0; i < n_sets; i++)
		assert_int_equal(tuio_set(t, (int32_t)sets[i][0], sets[i][1], sets[i][2]), 0);
	r.n = tuio_frame(t, fseq, r.a);
	return r;
}

static void expect_move(const frame_result *r, int i, int voice, float x, float y)
{
	assert_true(i < r->n);
	assert_int_equal(r->a[i].voice, voice);
	assert_int_equal(r->a[i].ended, 0);
	assert_float_equal(r->a[i].x, x, 1e-6);
	assert_float_equal(r->a[i].y, y, 1e-6);
}

static void expect_end(const frame_result *r, int i, int voice)
{
	assert_true(i < r->n);
	assert_int_equal(r->a[i].voice, voice);
	assert_int_equal(r->a[i].ended, 1);
}

static void new_sessions_take_the_lowest_free_voices_and_keep_them(void **state)
{
	(void)state;
	tuio_tracker t;
	tuio_init(&t, 4);
	frame_result r = frame(&t, 1, (int32_t[]){7, 9}, 2, (const float[][3]){{7, 0.1f, 0.2f}, {9, 0.8f, 0.9f}}, 2);
	assert_int_equal(r.n, 2);
	expect_move(&r, 0, 0, 0.1f, 0.2f);
	expect_move(&r, 1, 1, 0.8f, 0.9f);
	r = frame(&t, 2, (int32_t[]){7, 9}, 2, (const float[][3]){{9, 0.5f, 0.5f}}, 1);
	assert_int_equal(r.n, 1);
	expect_move(&r, 0, 1, 0.5f, 0.5f); /* session 9 keeps voice 1 */
}

static void sessions_missing_from_alive_end_and_free_their_voice(void **state)
{
	(void)state;
	tuio_tracker t;
	tuio_init(&t, 4);
	frame(&t, 1, (int32_t[]){7, 9}, 2, (const float[][3]){{7, 0.1f, 0.2f}, {9, 0.8f, 0.9f}}, 2);
	frame_result r = frame(&t, 2, (int32_t[]){9}, 1, NULL, 0);
	assert_int_equal(r.n, 1);
	expect_end(&r, 0, 0);
	r = frame(&t, 3, NULL, 0, NULL, 0); /* nothing touches */
	assert_int_equal(r.n, 1);
	expect_end(&r, 0, 1);
	r = frame(&t, 4, NULL, 0, NULL, 0);
	assert_int_equal(r.n, 0); /* ended once only */
}

static void a_new_touch_reuses_the_freed_voice_whose_last_position_is_nearest(void **state)
{
	(void)state;
	tuio_tracker t;
	tuio_init(&t, 4);
	frame(&t, 1, (int32_t[]){1, 2, 3}, 3, (const float[][3]){{1, 0.1f, 0.1f}, {2, 0.9f, 0.9f}, {3, 0.5f, 0.1f}}, 3);
	frame(&t, 2, (int32_t[]){3}, 1, NULL, 0); /* voices 0 (at 0.1, 0.1) and 1 (at 0.9, 0.9) freed */
	frame_result r = frame(&t, 3, (int32_t[]){3, 4}, 2, (const float[][3]){{4, 0.8f, 0.7f}}, 1);
	assert_int_equal(r.n, 1);
	expect_move(&r, 0, 1, 0.8f, 0.7f); /* nearest to voice 1's last touch, not the lowest (0) */
	r = frame(&t, 4, (int32_t[]){3, 4, 5}, 3, (const float[][3]){{5, 0.9f, 0.9f}}, 1);
	expect_move(&r, 0, 0, 0.9f, 0.9f); /* the only freed voice left, however far */
	r = frame(&t, 5, (int32_t[]){3, 4, 5, 6}, 4, (const float[][3]){{6, 0.0f, 0.0f}}, 1);
	expect_move(&r, 0, 3, 0.0f, 0.0f); /* none freed by TUIO: the lowest free */
}

static void touches_beyond_the_voices_are_refused_and_counted(void **state)
{
	(void)state;
	tuio_tracker t;
	tuio_init(&t, 1);
	frame_result r = frame(&t, 1, (int32_t[]){1, 2}, 2, (const float[][3]){{1, 0.1f, 0.1f}, {2, 0.2f, 0.2f}}, 2);
	assert_int_equal(r.n, 1);
	expect_move(&r, 0, 0, 0.1f, 0.1f);
	assert_int_equal(t.refused, 1);
	r = frame(&t, 2, (int32_t[]){2}, 1, (const float[][3]){{2, 0.3f, 0.3f}}, 1);
	assert_int_equal(r.n, 2); /* session 1 lifted: session 2 gets its voice */
	expect_end(&r, 0, 0);
	expect_move(&r, 1, 0, 0.3f, 0.3f);
}

static void late_frames_are_dropped_except_after_a_reset(void **state)
{
	(void)state;
	tuio_tracker t;
	tuio_init(&t, 4);
	frame(&t, 500, (int32_t[]){1}, 1, (const float[][3]){{1, 0.1f, 0.1f}}, 1);
	frame_result r = frame(&t, 499, (int32_t[]){1}, 1, (const float[][3]){{1, 0.9f, 0.9f}}, 1);
	assert_int_equal(r.n, 0); /* late: overtaken by frame 500 */
	r = frame(&t, 500, (int32_t[]){1}, 1, (const float[][3]){{1, 0.2f, 0.2f}}, 1);
	expect_move(&r, 0, 0, 0.2f, 0.2f); /* the same number again is taken (TuioClient) */
	r = frame(&t, 3, (int32_t[]){1}, 1, (const float[][3]){{1, 0.3f, 0.3f}}, 1);
	expect_move(&r, 0, 0, 0.3f, 0.3f); /* far lower: the sender restarted */
	r = frame(&t, -1, (int32_t[]){1}, 1, (const float[][3]){{1, 0.4f, 0.4f}}, 1);
	expect_move(&r, 0, 0, 0.4f, 0.4f); /* unnumbered */
}

static void sets_outside_the_alive_list_or_frame_are_ignored(void **state)
{
	(void)state;
	tuio_tracker t;
	tuio_init(&t, 4);
	frame_result r = frame(&t, 1, (int32_t[]){1}, 1, (const float[][3]){{2, 0.5f, 0.5f}}, 1);
	assert_int_equal(r.n, 0);
	assert_int_equal(tuio_set(&t, 1, 0.5f, 0.5f), 0); /* no alive: an incomplete frame */
	assert_int_equal(tuio_frame(&t, 2, r.a), 0);
	int32_t many[TUIO_MAX_SESSIONS + 1] = {0};
	assert_int_equal(tuio_alive(&t, many, TUIO_MAX_SESSIONS + 1), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(new_sessions_take_the_lowest_free_voices_and_keep_them),
	    cmocka_unit_test(sessions_missing_from_alive_end_and_free_their_voice),
	    cmocka_unit_test(a_new_touch_reuses_the_freed_voice_whose_last_position_is_nearest),
	    cmocka_unit_test(touches_beyond_the_voices_are_refused_and_counted),
	    cmocka_unit_test(late_frames_are_dropped_except_after_a_reset),
	    cmocka_unit_test(sets_outside_the_alive_list_or_frame_are_ignored),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
