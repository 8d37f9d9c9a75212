/*
 * render_worker.c — a second render thread, one job at a time
 * (include/render_worker.h). Two semaphores: `go` carries a job to the
 * worker, `done` carries it back. sem_post neither blocks nor allocates,
 * and the job's fields are published by the post and read after the wait
 * (both are full memory barriers).
 */
#include "render_worker.h"

#include <errno.h>

#include "error.h"

static void *worker_main(void *arg)
{
	render_worker *w = arg;
	if (w->on_start)
		w->on_start(w->start_arg);
	for (;;) {
		while (sem_wait(&w->go) < 0 && errno == EINTR)
			;
		if (atomic_load_explicit(&w->stopping, memory_order_acquire))
			break;
		w->job(w->arg);
		sem_post(&w->done);
	}
	return NULL;
}

int render_worker_start(render_worker *w, render_job on_start, void *start_arg, char *err, size_t errlen)
{
	*w = (render_worker){.on_start = on_start, .start_arg = start_arg};
	if (sem_init(&w->go, 0, 0) < 0)
		return error_set(err, errlen, "cannot start a render worker: no semaphore");
	if (sem_init(&w->done, 0, 0) < 0) {
		sem_destroy(&w->go);
		return error_set(err, errlen, "cannot start a render worker: no semaphore");
	}
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		sem_destroy(&w->go);
		sem_destroy(&w->done);
		return error_set(err, errlen, "cannot start a render worker thread");
	}
	w->started = 1;
	return 0;
}

bool render_worker_running(const render_worker *w)
{
	return w->started && !atomic_load_explicit(&w->stopping, memory_order_relaxed);
}

int render_worker_post(render_worker *w, render_job job, void *arg)
{
	if (!render_worker_running(w) || w->busy)
		return -1;
	w->job = job;
	w->arg = arg;
	w->busy = 1;
	sem_post(&w->go);
	return 0;
}

void render_worker_wait(render_worker *w)
{
	if (!w->busy)
		return;
	while (sem_wait(&w->done) < 0 && errno == EINTR)
		;
	w->busy = 0;
}

void render_worker_stop(render_worker *w)
{
	if (!w->started)
		return;
	render_worker_wait(w);
	atomic_store_explicit(&w->stopping, true, memory_order_release);
	sem_post(&w->go);
	pthread_join(w->thread, NULL);
	sem_destroy(&w->go);
	sem_destroy(&w->done);
	w->started = 0;
}
