/* Unit tests for session.c: loop takes and sessions to JSON and back, and
 * every refusal with its reason. */
#include "test_util.h"

#include "session.h"

enum { VOICES = 8 };

static gesture *triangle(void)
{
	gesture *g = calloc(1, sizeof *g);
	g->points = calloc(3, sizeof *g->points);
	g->control_dim = 2;
	g->n_points = 3;
	const float xy[3][2] = {{0, 0}, {0.5f, 0.25f}, {-0.5f, 0.75f}};
	for (int i = 0; i < 3; i++) {
		g->points[i].time = 0.25 * i;
		memcpy(g->points[i].coord, xy[i], sizeof xy[i]);
	}
	return g;
}

static session *example(void)
{
	session *s = session_new(VOICES);
	s->bpm = 96;
	s->meter = 3;
	s->points[5] = (stored_point){.dim = 2, .coord = {0.5f, -0.5f}};
	s->n_voices = 2;
	s->gain[1] = 0.5f;
	s->pan[1] = -0.25f;
	s->loops[2].take = triangle();
	s->loops[2].length = 1.0;
	s->loops[2].stopped = 1;
	looper_apply_setting(&s->loops[2].settings, LOOP_KEY_RATE, 0.5);
	looper_apply_setting(&s->loops[2].settings, LOOP_KEY_QUANTIZE, LOOP_QUANTIZE_BAR);
	return s;
}

static void a_session_comes_back_as_it_was_saved(void **state)
{
	(void)state;
	session *s = example(), *back = session_new(VOICES);
	char *text = session_to_json(s), why[256];
	assert_int_equal(session_from_json(text, VOICES, back, why, sizeof why), 0);
	assert_float_equal(back->bpm, 96, 0);
	assert_int_equal(back->meter, 3);
	assert_int_equal(back->points[5].dim, 2);
	assert_float_equal(back->points[5].coord[1], -0.5f, 0);
	assert_int_equal(back->points[4].dim, 0);
	assert_float_equal(back->gain[1], 0.5f, 0);
	assert_float_equal(back->pan[1], -0.25f, 0);
	const session_loop *l = &back->loops[2];
	assert_non_null(l->take);
	assert_null(back->loops[0].take);
	assert_int_equal(l->take->n_points, 3);
	assert_float_equal(l->take->points[2].coord[1], 0.75f, 0);
	assert_float_equal(l->length, 1.0, 0);
	assert_int_equal(l->stopped, 1);
	assert_float_equal(l->settings.rate, 0.5f, 0);
	assert_int_equal(l->settings.quantize, LOOP_QUANTIZE_BAR);
	assert_int_equal(l->settings.voice, VOICES - 1 - 2);
	char *again = session_to_json(back);
	assert_string_equal(again, text);
	free(again);
	free(text);
	session_free(s);
	session_free(back);
}

/* The example's text with one substring replaced, then read. */
static int read_changed(const char *from, const char *to, char *why, size_t whylen)
{
	session *s = example();
	char *text = session_to_json(s), changed[8192];
	session_free(s);
	char *at = strstr(text, from);
	assert_non_null(at);
	snprintf(changed, sizeof changed, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	free(text);
	session *back = session_new(VOICES);
	int rc = session_from_json(changed, VOICES, back, why, whylen);
	session_free(back);
	return rc;
}

static void every_refusal_names_what_is_wrong(void **state)
{
	(void)state;
	static const struct {
		const char *from, *to, *reason;
	} cases[] = {
	    {"\"terraind-session\"", "\"terraind-terrain\"", "'format' must be"},
	    {"\"tempo\":\t96", "\"tempo\":\t5", "'tempo' must be 20 to 999"},
	    {"\"meter\":\t3", "\"meter\":\t0", "meter"},
	    {"\"voice\":\t1", "\"voice\":\t8", "voice"},
	    {"\"gain\":\t0.5", "\"gain\":\t9", "gain is 0 to 4"},
	    {"\"rate\":\t0.5", "\"rate\":\t0", "loop 2: rate is a number from 0.05 to 20"},
	    {"\"quantize\":\t\"bar\"", "\"quantize\":\t\"often\"", "off, beat or bar"},
	    {"\"rate\":\t0.5", "\"speed\":\t0.5", "unknown setting 'speed'"},
	    {"\"end\":\t1", "\"end\":\t0", "must stay below end"},
	    {"\"length\":\t1", "\"length\":\t0.1", "'length' must be"},
	    {"\"loop\":\t2", "\"loop\":\t8", "loop"},
	    {"\"point\":\t5", "\"point\":\t500", "point"},
	    {"\"points\":\t[[", "\"points\":\t[[9, 0, 0], [", "times must ascend"},
	    {"\"loops\":\t[", "\"loops\":\t{", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char why[512] = "";
		if (read_changed(cases[i].from, cases[i].to, why, sizeof why) != -1 || !strstr(why, cases[i].reason))
			fail_msg("%s -> %s: got '%s', expected '%s'", cases[i].from, cases[i].to, why, cases[i].reason);
	}
}

static void a_loop_needs_two_points_and_appears_once(void **state)
{
	(void)state;
	char why[512];
	session *s = session_new(VOICES);
	const char *one_point = "{\"format\": \"terraind-session\", \"tempo\": 120, \"meter\": 4, "
	                        "\"loops\": [{\"loop\": 0, \"points\": [[0, 0, 0]]}]}";
	assert_int_equal(session_from_json(one_point, VOICES, s, why, sizeof why), -1);
	assert_non_null(strstr(why, "a loop has 2 to 8192 points"));
	session_free(s);
	s = session_new(VOICES);
	const char *twice = "{\"format\": \"terraind-session\", \"tempo\": 120, \"meter\": 4, \"loops\": ["
	                    "{\"loop\": 1, \"points\": [[0, 0, 0], [1, 1, 1]]},"
	                    "{\"loop\": 1, \"points\": [[0, 0, 0], [1, 1, 1]]}]}";
	assert_int_equal(session_from_json(twice, VOICES, s, why, sizeof why), -1);
	assert_non_null(strstr(why, "loop 1 appears twice"));
	session_free(s);
}

static void a_take_without_length_lasts_until_its_last_point(void **state)
{
	(void)state;
	char why[256];
	double length;
	gesture *g;
	cJSON *plain = cJSON_Parse("[[0, 0, 0], [0.5, 1, 0], [2, 1, 1]]");
	assert_int_equal(session_take_from_json(plain, "plain", &g, &length, why, sizeof why), 0);
	assert_float_equal(length, 2.0, 0);
	cJSON *made = session_take_to_json(g, 2.5); /* (numbers as raw text: read back as a file is) */
	char *text = cJSON_Print(made);
	cJSON *saved = cJSON_Parse(text);
	free(text);
	cJSON_Delete(made);
	gesture *back;
	assert_int_equal(session_take_from_json(saved, "saved", &back, &length, why, sizeof why), 0);
	assert_float_equal(length, 2.5, 0);
	assert_int_equal(back->n_points, 3);
	assert_float_equal(back->points[1].coord[0], 1.0f, 0);
	gesture_free(g);
	gesture_free(back);
	cJSON_Delete(plain);
	cJSON_Delete(saved);
}

static void settings_are_checked_by_name(void **state)
{
	(void)state;
	loop_key key;
	double v;
	char why[256];
	loop_settings s = looper_default_settings(0);
	assert_int_equal(loop_setting_find("quantize", &key), 0);
	assert_int_equal(loop_setting_check(&s, key, 0, "beat", VOICES, &v, why, sizeof why), 0);
	assert_float_equal(v, LOOP_QUANTIZE_BEAT, 0);
	assert_string_equal(loop_setting_word(key, v), "beat");
	assert_int_equal(loop_setting_check(&s, key, 1, NULL, VOICES, &v, why, sizeof why), -1);
	assert_int_equal(loop_setting_find("voice", &key), 0);
	assert_int_equal(loop_setting_check(&s, key, 7, NULL, VOICES, &v, why, sizeof why), 0);
	assert_int_equal(loop_setting_check(&s, key, 8, NULL, VOICES, &v, why, sizeof why), -1);
	assert_string_equal(why, "voice is a number from 0 to 7");
	s.end = 0.5f;
	assert_int_equal(loop_setting_check(&s, LOOP_KEY_START, 0.5, NULL, VOICES, &v, why, sizeof why), -1);
	assert_int_equal(loop_setting_check(&s, LOOP_KEY_START, 0.25, NULL, VOICES, &v, why, sizeof why), 0);
	assert_int_equal(loop_setting_check(&s, LOOP_KEY_REVERSE, 0.5, NULL, VOICES, &v, why, sizeof why), -1);
	assert_int_equal(loop_setting_find("colour", &key), -1);
	char names[160];
	loop_setting_names(names, sizeof names); /* what /loop/N/set answers with a bad key */
	assert_string_equal(
	    names, "rate, reverse, start, end, offset_x, offset_y, scale, rotate, gain, quantize, mode or voice");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_session_comes_back_as_it_was_saved),
	    cmocka_unit_test(every_refusal_names_what_is_wrong),
	    cmocka_unit_test(a_loop_needs_two_points_and_appears_once),
	    cmocka_unit_test(a_take_without_length_lasts_until_its_last_point),
	    cmocka_unit_test(settings_are_checked_by_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
