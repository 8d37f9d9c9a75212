/* Unit tests for render_worker.c: a posted job runs on the worker's own
 * thread, at the same time as the poster, and its result is there after
 * the wait; jobs run one at a time and in order; a busy or stopped worker
 * refuses a job (its caller runs it itself); stop finishes what was posted. */
#include "test_util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "render_worker.h"

typedef struct probe {
	pthread_t ran_on;
	atomic_int started, release, seen_release;
	long counter;
} probe;

static void note_thread(void *arg)
{
	probe *p = arg;
	p->ran_on = pthread_self();
}

static void count(void *arg)
{
	probe *p = arg;
	p->counter++;
}

/* Runs until the poster says so (or 5 s): only a job on another thread
 * can see the poster's word while the poster is not waiting yet. */
static void wait_for_release(void *arg)
{
	probe *p = arg;
	atomic_store(&p->started, 1);
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (atomic_load(&p->release)) {
			atomic_store(&p->seen_release, 1);
			return;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - t0.tv_sec < 5);
}

static void start(render_worker *w, render_job on_start, void *arg)
{
	char err[128];
	assert_int_equal(render_worker_start(w, on_start, arg, err, sizeof err), 0);
	assert_true(render_worker_running(w));
}

static void a_job_runs_on_the_workers_thread(void **state)
{
	(void)state;
	render_worker w;
	probe started_on = {0}, job = {0};
	start(&w, note_thread, &started_on);
	assert_int_equal(render_worker_post(&w, note_thread, &job), 0);
	render_worker_wait(&w);
	assert_false(pthread_equal(job.ran_on, pthread_self()));
	/* on_start ran there too, before the job */
	assert_true(pthread_equal(started_on.ran_on, job.ran_on));
	render_worker_stop(&w);
}

static void the_job_runs_while_the_poster_goes_on(void **state)
{
	(void)state;
	render_worker w;
	probe p = {0};
	start(&w, NULL, NULL);
	assert_int_equal(render_worker_post(&w, wait_for_release, &p), 0);
	while (!atomic_load(&p.started))
		;
	atomic_store(&p.release, 1); /* the poster works on while the job runs */
	render_worker_wait(&w);
	assert_true(atomic_load(&p.seen_release));
	render_worker_stop(&w);
}

static void jobs_run_one_at_a_time_and_all_of_them(void **state)
{
	(void)state;
	render_worker w;
	probe p = {0};
	start(&w, NULL, NULL);
	for (int i = 0; i < 20000; i++) {
		assert_int_equal(render_worker_post(&w, count, &p), 0);
		render_worker_wait(&w);
		assert_int_equal(p.counter, i + 1); /* the result is there after each wait */
	}
	render_worker_stop(&w);
}

static void a_busy_worker_refuses_a_second_job(void **state)
{
	(void)state;
	render_worker w;
	probe p = {0}, other = {0};
	start(&w, NULL, NULL);
	assert_int_equal(render_worker_post(&w, wait_for_release, &p), 0);
	assert_int_equal(render_worker_post(&w, count, &other), -1);
	atomic_store(&p.release, 1);
	render_worker_wait(&w);
	render_worker_wait(&w); /* nothing outstanding: returns at once */
	assert_int_equal(other.counter, 0);
	render_worker_stop(&w);
}

static void stop_finishes_what_was_posted(void **state)
{
	(void)state;
	render_worker w;
	probe p = {0};
	start(&w, NULL, NULL);
	assert_int_equal(render_worker_post(&w, count, &p), 0);
	render_worker_stop(&w);
	assert_int_equal(p.counter, 1);
	assert_false(render_worker_running(&w));
	assert_int_equal(render_worker_post(&w, count, &p), -1);
	render_worker_stop(&w); /* twice: harmless */
}

static void a_worker_never_started_takes_no_job(void **state)
{
	(void)state;
	render_worker w = {0};
	probe p = {0};
	assert_false(render_worker_running(&w));
	assert_int_equal(render_worker_post(&w, count, &p), -1);
	render_worker_wait(&w);
	render_worker_stop(&w);
	assert_int_equal(p.counter, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_job_runs_on_the_workers_thread),
	    cmocka_unit_test(the_job_runs_while_the_poster_goes_on),
	    cmocka_unit_test(jobs_run_one_at_a_time_and_all_of_them),
	    cmocka_unit_test(a_busy_worker_refuses_a_second_job),
	    cmocka_unit_test(stop_finishes_what_was_posted),
	    cmocka_unit_test(a_worker_never_started_takes_no_job),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
