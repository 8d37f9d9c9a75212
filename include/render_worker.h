/*
 * render_worker — a second render thread that takes one job at a time from
 * the render thread and hands it back finished: the engine's way to use a
 * second core (a model's twin decodes half of the voices' rows there while
 * the render thread decodes the other half).
 *
 * Threads: render_worker_start/stop on a non-RT thread. post and wait from
 * one thread only (the render thread, or engine_start's before it runs):
 * they do not allocate or lock; post never blocks; wait blocks until the
 * job posted last has run, which is as long as that job takes. One job at a
 * time: post after wait. Never from the audio callback.
 */
#ifndef TERRAIND_RENDER_WORKER_H
#define TERRAIND_RENDER_WORKER_H

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

typedef void (*render_job)(void *arg);

typedef struct render_worker {
	pthread_t thread;
	sem_t go, done;
	render_job job; /* written before `go` is posted, read after it is taken */
	void *arg;
	render_job on_start; /* runs once on the worker's thread, first (denormals, priority) */
	void *start_arg;
	atomic_bool stopping;
	int started;
	int busy; /* the poster's: a job posted and not yet waited for */
} render_worker;

/* Starts the thread; `on_start` (may be NULL) runs on it first. -1 and a
 * sentence in `err` when the thread cannot start: the caller then runs its
 * jobs itself. */
int render_worker_start(render_worker *w, render_job on_start, void *start_arg, char *err, size_t errlen);
/* Whether jobs can be posted (started and not stopped). */
bool render_worker_running(const render_worker *w);
/* Hands `job(arg)` to the worker; -1 when it is not running or still busy
 * (the caller runs the job itself). */
int render_worker_post(render_worker *w, render_job job, void *arg);
/* Waits until the job posted last has run; returns at once when none is
 * outstanding. */
void render_worker_wait(render_worker *w);
/* Finishes the outstanding job, ends the thread and joins it; harmless on a
 * worker never started or already stopped. */
void render_worker_stop(render_worker *w);

#endif
