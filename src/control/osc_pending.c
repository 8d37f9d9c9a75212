/*
 * osc_pending.c — see osc_pending.h.
 */
#include "osc_pending.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "osc.h"
#include "osc_looper.h"

struct osc_job {
	osc_peer peer;
	char address[64];
	osc_job_kind kind;
	int outstanding; /* tickets sent and not answered yet */
	int sealed;      /* every ticket sent */
	int failed;
	char why[480]; /* the first failure, worded */
	/* saves */
	int dirfd;
	char name[CONFIG_PATH_MAX], path[CONFIG_PATH_MAX];
	int overwrite;
	session *session; /* OSC_JOB_SAVE_SESSION */
	gesture *take;    /* OSC_JOB_SAVE_LOOP */
	double take_length;
};

void osc_pending_init(osc_pending *p)
{
	memset(p, 0, sizeof *p);
	pthread_mutex_init(&p->lock, NULL);
}

static void job_free(osc_job *j)
{
	if (j->dirfd >= 0)
		close(j->dirfd);
	session_free(j->session);
	gesture_free(j->take);
	free(j);
}

void osc_pending_destroy(osc_pending *p)
{
	/* A job holds tickets in the table; free each job once, at its last. */
	for (int i = 0; i < p->n; i++)
		if (--p->tickets[i].job->outstanding == 0)
			job_free(p->tickets[i].job);
	p->n = 0;
	pthread_mutex_destroy(&p->lock);
}

osc_job *osc_job_new(const osc_peer *peer, const char *address, osc_job_kind kind)
{
	osc_job *j = calloc(1, sizeof *j);
	if (!j)
		return NULL;
	j->peer = *peer;
	snprintf(j->address, sizeof j->address, "%s", address);
	j->kind = kind;
	j->dirfd = -1;
	return j;
}

void osc_job_set_file(osc_job *j, int dirfd, const char *name, const char *path, int overwrite)
{
	j->dirfd = dirfd;
	snprintf(j->name, sizeof j->name, "%s", name);
	snprintf(j->path, sizeof j->path, "%s", path);
	j->overwrite = overwrite;
}

void osc_job_set_session(osc_job *j, session *s)
{
	j->session = s;
}

int osc_job_failed(osc_context *o, const osc_job *j)
{
	pthread_mutex_lock(&o->pending.lock);
	int failed = j->failed;
	pthread_mutex_unlock(&o->pending.lock);
	return failed;
}

/* The first failure is the job's answer (the sender and the collector may
 * both find one). */
void osc_job_fail(osc_context *o, osc_job *j, const char *why)
{
	pthread_mutex_lock(&o->pending.lock);
	if (!j->failed) {
		j->failed = 1;
		snprintf(j->why, sizeof j->why, "%s", why);
	}
	pthread_mutex_unlock(&o->pending.lock);
}

/* A save's file goes to the worker, which writes it and answers. */
static void hand_over_file(osc_context *o, osc_job *j, char *text)
{
	osc_request req = {
	    .type = OSC_WRITE_TEXT, .fd = j->dirfd, .overwrite = j->overwrite, .text = text, .peer = j->peer};
	snprintf(req.address, sizeof req.address, "%s", j->address);
	snprintf(req.path, sizeof req.path, "%s", j->path);
	if (!text) {
		osc_reply_fail(o, &j->peer, j->address, "out of memory");
		return;
	}
	if (o->cb.request(o->cb.ctx, &req) < 0) {
		free(text);
		osc_reply_fail(o, &j->peer, j->address, "busy: other requests are still queued, try again");
		return;
	}
	j->dirfd = -1; /* the request owns it now */
}

static char *take_text(const osc_job *j)
{
	cJSON *root = session_take_to_json(j->take, j->take_length);
	char *text = root ? cJSON_Print(root) : NULL;
	cJSON_Delete(root);
	return text;
}

/* Every ticket answered: the job's answer (lock not held). */
static void finish(osc_context *o, osc_job *j)
{
	if (j->failed)
		osc_reply_fail(o, &j->peer, j->address, "%s", j->why);
	else if (j->kind == OSC_JOB_REPLY)
		osc_reply_done(o, &j->peer, j->address);
	else if (j->kind == OSC_JOB_SAVE_LOOP)
		hand_over_file(o, j, take_text(j));
	else
		hand_over_file(o, j, session_to_json(j->session));
	job_free(j);
}

/* Takes a ticket for a command of j; 0, or -1 when the table is full. */
static uint64_t take_ticket(osc_pending *p, osc_job *j, const loop_command *c)
{
	pthread_mutex_lock(&p->lock);
	uint64_t ticket = 0;
	if (p->n < OSC_PENDING_MAX) {
		ticket = ++p->next_ticket;
		p->tickets[p->n++] = (struct osc_ticket){.ticket = ticket, .job = j, .command = *c};
		j->outstanding++;
	}
	pthread_mutex_unlock(&p->lock);
	return ticket;
}

/* Removes a ticket; its entry, or 0 when unknown. The lock is held. */
static int drop_ticket(osc_pending *p, uint64_t ticket, struct osc_ticket *out)
{
	for (int i = 0; i < p->n; i++)
		if (p->tickets[i].ticket == ticket) {
			*out = p->tickets[i];
			p->tickets[i] = p->tickets[--p->n];
			return 1;
		}
	return 0;
}

/* Whether j has ended: sealed with nothing outstanding. The lock is held. */
static int job_done(const osc_job *j)
{
	return j->sealed && j->outstanding == 0;
}

int osc_job_send(osc_context *o, osc_job *j, engine_source source, const loop_command *c, gesture *g)
{
	if (osc_job_failed(o, j)) {
		gesture_free(g);
		return -1;
	}
	uint64_t ticket = take_ticket(&o->pending, j, c);
	if (!ticket) {
		gesture_free(g);
		osc_job_fail(o, j, "busy: too many loop commands are waiting for the engine, try again");
		return -1;
	}
	int rc = engine_loop_send(o->engine, source, c, g, ticket);
	if (rc == 0)
		return 0;
	/* Never queued: the ticket goes, and the job fails now, applied never. */
	pthread_mutex_lock(&o->pending.lock);
	struct osc_ticket gone;
	if (drop_ticket(&o->pending, ticket, &gone))
		j->outstanding--;
	pthread_mutex_unlock(&o->pending.lock);
	osc_job_fail(o, j,
	             rc == ENGINE_LOOP_FULL ? "the control queue is full (the command was dropped)"
	                                    : "the engine is not running (the command was not queued)");
	return -1;
}

void osc_job_seal(osc_context *o, osc_job *j)
{
	pthread_mutex_lock(&o->pending.lock);
	j->sealed = 1;
	int done = job_done(j);
	pthread_mutex_unlock(&o->pending.lock);
	if (done)
		finish(o, j);
}

/* An export's copy of a take goes into its job: the take's fields are the
 * collector's alone (the sender wrote loop n's other fields before it sent
 * the export, and the answer comes after). */
static void take_export(osc_context *o, osc_job *j, const struct osc_ticket *t, const engine_answer *a)
{
	const loop_export *x = engine_export(o->engine, a->slot);
	int n = t->command.loop;
	if (x->frames == 0 && j->kind == OSC_JOB_SAVE_LOOP) {
		char why[96];
		snprintf(why, sizeof why, "loop %d is empty: nothing to save", n);
		osc_job_fail(o, j, why);
	} else if (x->frames > 0) {
		gesture *g = session_gesture_of(x);
		if (!g)
			osc_job_fail(o, j, "out of memory");
		else if (j->kind == OSC_JOB_SAVE_LOOP) {
			j->take = g;
			j->take_length = x->length;
		} else {
			j->session->loops[n].take = g;
			j->session->loops[n].length = x->length;
		}
	}
	engine_export_release(o->engine, a->slot);
}

static void collect_one(osc_context *o, const engine_answer *a)
{
	pthread_mutex_lock(&o->pending.lock);
	struct osc_ticket t;
	int known = drop_ticket(&o->pending, a->ticket, &t);
	pthread_mutex_unlock(&o->pending.lock);
	if (!known) {
		engine_export_release(o->engine, a->slot);
		return;
	}
	osc_job *j = t.job;
	if (a->rc == ENGINE_LOOP_REFUSED) {
		char why[480];
		osc_loop_refusal(o, &t.command, why, sizeof why);
		osc_job_fail(o, j, why);
	} else if (a->rc == ENGINE_LOOP_NO_SLOT) {
		osc_job_fail(o, j, "busy: too many saves at once, try again");
	} else if (a->slot >= 0) {
		take_export(o, j, &t, a);
	}
	pthread_mutex_lock(&o->pending.lock);
	j->outstanding--;
	int done = job_done(j);
	pthread_mutex_unlock(&o->pending.lock);
	if (done)
		finish(o, j);
}

void osc_pending_collect(osc_context *o)
{
	engine_answer answers[64];
	int n;
	while ((n = engine_answers(o->engine, answers, 64)) > 0)
		for (int i = 0; i < n; i++)
			collect_one(o, &answers[i]);
}
