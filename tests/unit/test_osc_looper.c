/* Unit tests for the looper's OSC side (osc_looper.c, osc_pending.c,
 * osc_session.c) over a running engine: a loop command is queued and the
 * network thread goes on at once; its /done comes when the render thread
 * has applied it (collected as the notifier does), a refusal says why from
 * the loop's state, and a command that could not be queued fails at once
 * and is never applied later. Files go to the worker as requests. */
#include "osc_fixture.h"

#include <time.h>

#include "osc_looper.h"

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	config_defaults(&f->config);
	snprintf(f->config.allowed_dirs[0], CONFIG_PATH_MAX, "build/tests");
	f->config.n_allowed_dirs = 1;
	*state = f;
	return fixture_start(f);
}

static int teardown(void **state)
{
	fixture_stop(*state);
	return 0;
}

/* Sends `path` without arguments; the number of replies before it. */
static int send0(fixture *f, const char *path)
{
	int before = f->n_replies;
	send_message(f, path, lo_message_new());
	return before;
}

/* Collects the render thread's answers, as the notifier thread does every
 * few ms, until `address` is answered after reply number `since`; that
 * reply. */
static const reply *answer_after(fixture *f, int since, const char *address)
{
	for (int i = 0; i < 2000; i++) {
		osc_pending_collect(&f->osc);
		for (int k = since; k < f->n_replies; k++) {
			const reply *r = &f->replies[k % MAX_REPLIES];
			if ((!strcmp(r->path, "/done") || !strcmp(r->path, "/fail")) && !strcmp(r->arg0, address))
				return r;
		}
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	fail_msg("%s was never answered", address);
	return NULL;
}

static int replies_to(fixture *f, const char *address)
{
	int n = 0;
	for (int k = f->n_replies - 1; k >= 0 && k >= f->n_replies - MAX_REPLIES; k--)
		n += !strcmp(f->replies[k % MAX_REPLIES].arg0, address);
	return n;
}

/* The worker's request of `type`, taken out of the fixture (its files are
 * then the caller's). */
static osc_request take_request(fixture *f, osc_request_type type)
{
	for (int i = 0; i < f->n_requests; i++)
		if (f->requests[i].type == type) {
			osc_request req = f->requests[i];
			f->requests[i] = f->requests[--f->n_requests];
			return req;
		}
	fail_msg("no worker request of type %d", (int)type);
	return (osc_request){.fd = -1};
}

/* Plays `ms` of audio as a callback would, so that frames are rendered
 * (and loops record and play them). */
static void play_for(fixture *f, int ms)
{
	float out[PERIOD * 2];
	for (int i = 0; i < ms * RATE / 1000 / PERIOD; i++) {
		engine_pull(f->engine, out, PERIOD, 2);
		nanosleep(&(struct timespec){0, 1000000000L * PERIOD / RATE}, NULL);
	}
}

static loop_info info_of(fixture *f, int n)
{
	loop_info info;
	engine_loop_info(f->engine, n, &info);
	return info;
}

static void a_loop_command_is_answered_when_applied_and_the_thread_goes_on(void **state)
{
	fixture *f = *state;
	int before = send0(f, "/loop/0/record");
	send0(f, "/status");
	/* the network thread went on at once: /status is answered, /loop/0/record not yet */
	assert_int_equal(f->n_replies, before + 1);
	assert_string_equal(last_reply(f)->path, "/status.reply");
	assert_string_equal(answer_after(f, before, "/loop/0/record")->path, "/done");
	assert_int_equal(info_of(f, 0).state, LOOP_RECORDING); /* applied before it was answered */
	play_for(f, 100);
	before = send0(f, "/loop/0/record");
	assert_string_equal(answer_after(f, before, "/loop/0/record")->path, "/done");
	assert_int_equal(info_of(f, 0).state, LOOP_PLAYING);
	assert_int_equal(replies_to(f, "/loop/0/record"), 2); /* each answered once */
}

static void a_refusal_says_why_from_the_loops_state(void **state)
{
	fixture *f = *state;
	const reply *r = answer_after(f, send0(f, "/loop/3/play"), "/loop/3/play");
	assert_string_equal(r->path, "/fail");
	assert_contains(r->arg1, "loop 3 is empty: record or load a take first");
	assert_contains(answer_after(f, send0(f, "/loop/3/undo"), "/loop/3/undo")->arg1, "loop 3 has nothing to undo");
}

static void settings_are_read_back_from_what_the_engine_plays(void **state)
{
	fixture *f = *state;
	lo_message m = lo_message_new();
	lo_message_add_string(m, "rotate");
	lo_message_add_float(m, 90.0f);
	int before = f->n_replies;
	send_message(f, "/loop/2/set", m);
	assert_string_equal(answer_after(f, before, "/loop/2/set")->path, "/done");
	assert_float_equal(info_of(f, 2).settings.rotate, 90.0f, 0); /* published by the render thread */
	m = lo_message_new();
	lo_message_add_string(m, "colour");
	lo_message_add_float(m, 1.0f);
	send_message(f, "/loop/2/set", m);
	expect_fail(f, "/loop/2/set", "unknown key 'colour'");
	send0(f, "/loop/2/get");
	const reply *r = last_reply(f);
	assert_string_equal(r->path, "/loop/2/info");
	assert_non_null(strstr(r->keys, ",state,") && strstr(r->keys, ",rotate,"));
}

static void a_command_that_cannot_be_queued_fails_now_and_never_applies(void **state)
{
	fixture *f = *state;
	engine_stop(f->engine);
	send0(f, "/loop/1/record");
	expect_fail(f, "/loop/1/record", "the engine is not running");
	osc_pending_collect(&f->osc);
	assert_int_equal(replies_to(f, "/loop/1/record"), 1);
	assert_int_equal(info_of(f, 1).state, LOOP_EMPTY);
}

/* Outstanding tickets are bounded below what the engine can answer: the
 * request beyond fails "busy" at once; the others are all answered. */
static void too_many_outstanding_commands_fail_busy(void **state)
{
	fixture *f = *state;
	for (int i = 0; i < OSC_PENDING_MAX + 1; i++) {
		lo_message m = lo_message_new();
		lo_message_add_float(m, 100.0f + (float)(i % 50));
		send_message(f, "/tempo", m);
	}
	expect_fail(f, "/tempo", "busy");
	int done = 0;
	for (int i = 0; i < 3000 && done < OSC_PENDING_MAX; i++) {
		int before = f->n_replies;
		osc_pending_collect(&f->osc);
		for (int k = before; k < f->n_replies; k++)
			done += !strcmp(f->replies[k % MAX_REPLIES].path, "/done");
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	assert_int_equal(done, OSC_PENDING_MAX);
}

/* /loop/N/save: the render thread copies the take, the worker writes it;
 * /loop/N/load: the worker reads it and the loop plays it. */
static void a_loop_saves_through_the_worker_and_loads_back(void **state)
{
	fixture *f = *state;
	answer_after(f, send0(f, "/loop/0/record"), "/loop/0/record");
	play_for(f, 200);
	answer_after(f, send0(f, "/loop/0/record"), "/loop/0/record");
	const char *path = "build/tests/osc-looper-take.json";
	remove(path);
	lo_message m = lo_message_new();
	lo_message_add_string(m, "osc-looper-take.json");
	send_message(f, "/loop/0/save", m);
	for (int i = 0; i < 2000 && f->n_requests == 0; i++) {
		osc_pending_collect(&f->osc);
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	if (f->n_requests == 0)
		fail_msg("/loop/0/save went nowhere: %s %s %s", last_reply(f)->path, last_reply(f)->arg0,
		         last_reply(f)->arg1);
	osc_request write = take_request(f, OSC_WRITE_TEXT);
	assert_non_null(strstr(write.text, "\"points\""));
	assert_int_equal(osc_run_file_request(&f->osc, &write), 1); /* as the worker does */
	assert_string_equal(last_reply(f)->path, "/done");
	assert_string_equal(last_reply(f)->arg0, "/loop/0/save");
	assert_int_equal(access(path, F_OK), 0);
	m = lo_message_new();
	lo_message_add_string(m, "osc-looper-take.json");
	int before = f->n_replies;
	send_message(f, "/loop/5/load", m);
	osc_request load = take_request(f, OSC_LOAD_LOOP);
	assert_int_equal(load.loop, 5);
	assert_int_equal(osc_run_file_request(&f->osc, &load), 1);
	assert_string_equal(answer_after(f, before, "/loop/5/load")->path, "/done");
	assert_int_equal(info_of(f, 5).state, LOOP_PLAYING);
	assert_int_equal(info_of(f, 5).frames, info_of(f, 0).frames);
	remove(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(a_loop_command_is_answered_when_applied_and_the_thread_goes_on, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(a_refusal_says_why_from_the_loops_state, setup, teardown),
	    cmocka_unit_test_setup_teardown(settings_are_read_back_from_what_the_engine_plays, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_command_that_cannot_be_queued_fails_now_and_never_applies, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(too_many_outstanding_commands_fail_busy, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_loop_saves_through_the_worker_and_loads_back, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
