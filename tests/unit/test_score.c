/*
 * test_score.c — OSC scores: the parser (types, lines, errors) and the
 * offline player (score_render.c) on the demo model through the real
 * dispatcher and engine: pitch where the score puts the cursor, the same
 * samples twice, a /fail named by its line.
 */
#include "test_util.h"

#include <lo/lo.h>

#include "config.h"
#include "engine.h"
#include "score.h"
#include "score_render.h"
#include "terrain_json.h"

enum { RATE = 48000, MAX_SECONDS = 8 };

static void parse_ok(const char *text, score *sc)
{
	char err[512];
	if (score_parse(text, "s.json", sc, err, sizeof err) < 0)
		fail_msg("%s", err);
}

static void parse_fails(const char *text, const char *expected)
{
	score sc;
	char err[512] = "";
	assert_int_equal(score_parse(text, "s.json", &sc, err, sizeof err), -1);
	assert_contains(err, expected);
	assert_int_equal(sc.n_events, 0);
	score_free(&sc);
}

static void entries_become_osc_messages_with_their_lines(void **state)
{
	(void)state;
	score sc;
	parse_ok("[\n  [0, \"/xy\", 0.25, -1],\n\n  [0.5, \"/grain/window\", \"hann\"], [1.5, \"/x\", true, false, "
	         "null, 3000000000]\n]",
	         &sc);
	assert_int_equal(sc.n_events, 3);
	assert_int_equal(sc.events[0].line, 2);
	assert_int_equal(sc.events[1].line, 4);
	assert_int_equal(sc.events[2].line, 4);
	assert_int_equal(sc.events[2].index, 2);
	assert_true(score_end(&sc) == 1.5);
	const char *types[] = {"fi", "s", "TFNf"};
	for (int i = 0; i < 3; i++) {
		int result;
		lo_message m = lo_message_deserialise(sc.events[i].packet, sc.events[i].size, &result);
		assert_non_null(m);
		assert_string_equal(lo_message_get_types(m), types[i]);
		assert_string_equal((const char *)sc.events[i].packet, sc.events[i].address);
		lo_message_free(m);
	}
	char where[256];
	score_event_where(&sc, &sc.events[1], where, sizeof where);
	assert_string_equal(where, "s.json:4: entry 1 (/grain/window at 0.5 s)");
	score_free(&sc);
	parse_ok("[]", &sc);
	assert_int_equal(sc.n_events, 0);
	score_free(&sc);
}

static void bad_scores_are_refused_with_the_entry_named(void **state)
{
	(void)state;
	parse_fails("[[0, \"/xy\", 1,\n 2]", "s.json: invalid JSON at line 2");
	parse_fails("{\"a\": 1}", "a score is a JSON array");
	parse_fails("[[0, \"/xy\"],\n 5]", "s.json:2: entry 1: expected [time, \"/address\"");
	parse_fails("[[0]]", "s.json:1: entry 0: expected [time");
	parse_fails("[[-1, \"/xy\"]]", "entry 0: the time must be a number of seconds");
	parse_fails("[[\"0\", \"/xy\"]]", "entry 0: the time must be");
	parse_fails("[[1, \"/xy\"],\n[0.5, \"/xy\"]]", "s.json:2: entry 1: at 0.5 s, before the entry before it (1 s)");
	parse_fails("[[0, \"xy\"]]", "must be an OSC address");
	parse_fails("[[0, \"/xy\", [1, 2]]]", "an argument is an array");
	parse_fails("[[0, \"/s\", \"],[\\\"\"],\n[0, 1]]", "s.json:2: entry 1: the second"); /* [ in strings */
}

/* The strongest partial between 50 and 1000 Hz (1 Hz steps) of n stereo
 * frames' left channel: the demo model's fundamental is its loudest. */
static double peak_hz(const float *stereo, int n)
{
	double best = 0, best_hz = 0;
	for (int hz = 50; hz <= 1000; hz++) {
		double re = 0, im = 0, w = 2 * M_PI * hz / RATE;
		for (int i = 0; i < n; i++) {
			re += stereo[2 * i] * cos(w * i);
			im += stereo[2 * i] * sin(w * i);
		}
		if (re * re + im * im > best) {
			best = re * re + im * im;
			best_hz = hz;
		}
	}
	return best_hz;
}

typedef struct capture {
	float *audio; /* stereo */
	int64_t frames;
} capture;

static int keep_frames(void *ctx, const float *interleaved, int frames, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	capture *c = ctx;
	assert_true(c->frames + frames <= (int64_t)MAX_SECONDS * RATE);
	memcpy(c->audio + 2 * c->frames, interleaved, sizeof(float) * 2 * (size_t)frames);
	c->frames += frames;
	return 0;
}

/* Renders `sc` on the demo scene into c (allocated); returns the rc. */
static int render_score(score *sc, uint64_t seed, capture *c, char *err, size_t errlen)
{
	model *m;
	terrain *t;
	config cfg;
	config_defaults(&cfg);
	if (model_load("models/demo.ts", NULL, &m, err, errlen) < 0 ||
	    terrain_load("terrains/demo.json", &t, err, errlen) < 0)
		fail_msg("%s", err);
	c->audio = calloc((size_t)MAX_SECONDS * RATE * 2, sizeof(float));
	c->frames = 0;
	score_settings st = {.config = &cfg, .smooth_ms = 0, .tail_seconds = 0.2, .seed = seed};
	uint64_t frames;
	int rc = score_render(sc, m, t, &st, keep_frames, c, &frames, err, errlen);
	assert_int_equal((int64_t)frames, c->frames);
	model_free(m);
	terrain_free(t);
	score_free(sc);
	return rc;
}

static int render_text(const char *text, uint64_t seed, capture *c, char *err, size_t errlen)
{
	score sc;
	parse_ok(text, &sc);
	return render_score(&sc, seed, c, err, errlen);
}

/* The README's example: every entry passes the dispatcher, and it sounds. */
static void the_bundled_demo_score_renders(void **state)
{
	(void)state;
	score sc;
	capture c;
	char err[1024];
	if (score_load("terrains/demo-score.json", &sc, err, sizeof err) < 0)
		fail_msg("%s", err);
	double end = score_end(&sc);
	if (render_score(&sc, 1, &c, err, sizeof err) < 0)
		fail_msg("%s", err);
	assert_int_equal(c.frames, (int64_t)((end + 0.2) * RATE + 0.5));
	double energy = 0;
	for (int64_t i = 0; i < 2 * c.frames; i++)
		energy += c.audio[i] * c.audio[i];
	assert_true(energy / (double)c.frames > 1e-4);
	free(c.audio);
}

static void the_score_moves_the_cursor_in_virtual_time(void **state)
{
	(void)state;
	capture c;
	char err[1024];
	/* The demo terrain: (0, 0) sounds at 109 Hz, (0.8, 0.8) at 321 Hz. */
	assert_int_equal(render_text("[[0, \"/xy\", 0, 0], [0.5, \"/xy\", 0.8, 0.8]]", 1, &c, err, sizeof err), 0);
	assert_int_equal(c.frames, (int64_t)(0.7 * RATE + 0.5));
	double low = peak_hz(c.audio + 2 * (RATE / 10), RATE / 4),
	       high = peak_hz(c.audio + 2 * (RATE * 11 / 20), RATE / 8);
	if (fabs(low - 109.4) > 3 || fabs(high - 320.6) > 6)
		fail_msg("%g Hz, then %g Hz", low, high);
	/* The change comes at the first decode call at or after 0.5 s. */
	double just_before = peak_hz(c.audio + 2 * (RATE / 2 - 4096), 4096);
	if (fabs(just_before - 109.4) > 12)
		fail_msg("%g Hz just before the move", just_before);
	free(c.audio);
}

static void the_same_score_and_seed_give_the_same_samples(void **state)
{
	(void)state;
	const char *text = "[[0, \"/xy\", 0.3, 0.9], [0.2, \"/voice/1/xy\", -0.5, 0.5], [0.4, \"/voice/1/off\"]]";
	capture a, b;
	char err[1024];
	assert_int_equal(render_text(text, 7, &a, err, sizeof err), 0);
	assert_int_equal(render_text(text, 7, &b, err, sizeof err), 0);
	assert_int_equal(a.frames, b.frames);
	assert_memory_equal(a.audio, b.audio, sizeof(float) * 2 * (size_t)a.frames);
	free(a.audio);
	free(b.audio);
}

static void a_failed_entry_stops_the_render_with_its_line(void **state)
{
	(void)state;
	capture c;
	char err[1024] = "";
	assert_int_equal(render_text("[[0, \"/xy\", 0, 0],\n [0.1, \"/xy\", 1]]", 1, &c, err, sizeof err), -1);
	assert_contains(err, "s.json:2: entry 1 (/xy at 0.1 s): expects 2 numbers");
	assert_true(c.frames < RATE / 5);
	free(c.audio);
	assert_int_equal(render_text("[[0, \"/nowhere\"]]", 1, &c, err, sizeof err), -1);
	assert_contains(err, "s.json:1: entry 0 (/nowhere at 0 s): unknown address");
	free(c.audio);
	/* A value out of range; a request the live daemon gives its worker. */
	assert_int_equal(render_text("[[0.1, \"/gain\", -3]]", 1, &c, err, sizeof err), -1);
	assert_contains(err, "entry 0 (/gain at 0.1 s)");
	free(c.audio);
	assert_int_equal(render_text("[[0, \"/quit\"]]", 1, &c, err, sizeof err), -1);
	assert_contains(err, "not available in a score");
	free(c.audio);
}

/* Loops play in scores: a take recorded in virtual time plays back on its
 * own voice (loop 0 plays on voice 7) the path voice 0 drew; a command the
 * looper refuses fails the render at its entry. */
static void a_loop_recorded_in_a_score_plays_back(void **state)
{
	(void)state;
	capture c;
	char err[1024] = "";
	/* voice 0 at (0.8, 0.8), 321 Hz, while it is recorded; then it is released */
	const char *text = "[[0, \"/xy\", 0.8, 0.8], [0.1, \"/loop/0/record\"], [0.6, \"/loop/0/record\"],\n"
	                   " [0.7, \"/voice/0/off\"], [1.5, \"/loop/0/stop\"]]";
	if (render_text(text, 1, &c, err, sizeof err) < 0)
		fail_msg("%s", err);
	/* from 0.9 s only the loop sounds: the take's 321 Hz, on voice 7 */
	double hz = peak_hz(c.audio + 2 * (RATE * 9 / 10), RATE / 4);
	if (fabs(hz - 320.6) > 6)
		fail_msg("the loop plays %g Hz, not the recorded 321 Hz", hz);
	free(c.audio);
	assert_int_equal(render_text("[[0, \"/xy\", 0, 0],\n [0.2, \"/loop/3/play\"]]", 1, &c, err, sizeof err), -1);
	assert_contains(err, "s.json:2: entry 1 (/loop/3/play at 0.2 s): loop 3 is empty");
	free(c.audio);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(entries_become_osc_messages_with_their_lines),
	    cmocka_unit_test(bad_scores_are_refused_with_the_entry_named),
	    cmocka_unit_test(the_score_moves_the_cursor_in_virtual_time),
	    cmocka_unit_test(the_same_score_and_seed_give_the_same_samples),
	    cmocka_unit_test(a_failed_entry_stops_the_render_with_its_line),
	    cmocka_unit_test(the_bundled_demo_score_renders),
	    cmocka_unit_test(a_loop_recorded_in_a_score_plays_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
