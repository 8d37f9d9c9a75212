/*
 * osc_pending — OSC requests the render thread answers: loop commands,
 * tempo and meter, loop and session saves and loads. The network thread
 * never waits for the render thread (which may be decoding a 150 ms frame):
 * it queues the commands, each with a ticket, and returns at once. When
 * the render thread has applied a command it answers the ticket
 * (engine_answers); the notifier thread collects the answers every few ms
 * (osc_pending_collect) and answers the sender: `/done` when every command
 * of the request was applied, `/fail` with the reason when one was
 * refused. A request whose commands could not be queued fails at once and
 * none of its commands is ever applied later.
 *
 * A request is a job: one or more tickets (a session load clears, sets and
 * loads eight loops). A save's job also collects the takes the render
 * thread copied (LOOP_EXPORT), then hands the file to the worker, which
 * writes it and answers.
 *
 * At most OSC_PENDING_MAX tickets are outstanding (fewer than the engine's
 * answers ring holds, so no answer is ever dropped); beyond it a request
 * fails with "busy".
 *
 * Threads: jobs are made and sent on the network thread or the worker (for
 * file loads); collected on the notifier thread, or by the offline
 * renderer between frames. A mutex guards the table; never an RT thread.
 */
#ifndef TERRAIND_OSC_PENDING_H
#define TERRAIND_OSC_PENDING_H

#include <pthread.h>
#include <stdint.h>

#include "config.h"
#include "engine.h"
#include "session.h"

struct osc_context;
struct osc_peer;

enum { OSC_PENDING_MAX = 512 };
_Static_assert((int)OSC_PENDING_MAX < (int)ENGINE_ANSWERS, "the engine can always answer every outstanding ticket");

typedef enum osc_job_kind {
	OSC_JOB_REPLY,        /* /done when applied */
	OSC_JOB_SAVE_LOOP,    /* the take exported, then written to `name` in `dirfd` */
	OSC_JOB_SAVE_SESSION, /* every take exported into `session`, then written */
} osc_job_kind;

typedef struct osc_job osc_job;

typedef struct osc_pending {
	pthread_mutex_t lock;
	uint64_t next_ticket;
	int n;
	struct osc_ticket {
		uint64_t ticket;
		osc_job *job;
		loop_command command; /* what it asked, to word a refusal */
	} tickets[OSC_PENDING_MAX];
} osc_pending;

void osc_pending_init(osc_pending *p);
/* After the engine has stopped: jobs still waiting are dropped unanswered. */
void osc_pending_destroy(osc_pending *p);

/* A job answering `peer` for `address`; NULL when out of memory (the
 * caller answers /fail). */
osc_job *osc_job_new(const struct osc_peer *peer, const char *address, osc_job_kind kind);
/* Saves: where the file goes (a directory descriptor, owned by the job
 * from now on, and the file's name in it) and whether it may replace one. */
void osc_job_set_file(osc_job *j, int dirfd, const char *name, const char *path, int overwrite);
/* OSC_JOB_SAVE_SESSION: the session the takes go into (owned by the job). */
void osc_job_set_session(osc_job *j, session *s);

/* Queues a command of the job from `source`'s thread (LOOP_LOAD: with its
 * take `g`, owned from now on). 0, or -1 when it could not be queued: the
 * job then fails with the reason, and nothing more of it is sent. */
int osc_job_send(struct osc_context *o, osc_job *j, engine_source source, const loop_command *c, gesture *g);
/* Every command is sent: the job ends (answered) once all are applied, or
 * now if they already are, or if none could be queued. The job belongs
 * to the table from here; do not touch it after. */
void osc_job_seal(struct osc_context *o, osc_job *j);
/* Fails the job with `why` (the first failure is its answer). */
void osc_job_fail(struct osc_context *o, osc_job *j, const char *why);
/* Whether the job failed already (a send was refused): stop sending. */
int osc_job_failed(struct osc_context *o, const osc_job *j);

/* Collects the render thread's answers and ends the jobs they complete. */
void osc_pending_collect(struct osc_context *o);

#endif
