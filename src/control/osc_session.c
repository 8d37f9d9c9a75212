/*
 * osc_session.c — /session/save and /session/load (docs/session-format.md):
 * what plays (loops and their settings, stored points, voices' gain and
 * pan, tempo and meter) to a file and back.
 *
 * A save captures on the network thread what the control side knows and
 * the engine publishes, asks the render thread for a copy of each take
 * (osc_pending.h), and the worker writes the file once they have come. A
 * load is read, checked whole and applied on the worker; the sender hears
 * /done once the render thread has applied all of it, or /fail with the
 * first refusal.
 */
#include "osc_internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "json_util.h"
#include "osc_looper.h"

enum { SESSION_FILE_MAX_BYTES = 64 << 20 }; /* every loop, points and voices */

/* What plays now, but the takes (they come from the render thread). */
static session *capture_session(osc_call *r)
{
	osc_context *o = r->o;
	osc_looper *l = &o->looper;
	session *s = session_new(l->max_voices);
	if (!s)
		return NULL;
	s->bpm = osc_looper_bpm(l);
	s->meter = atomic_load(&l->meter);
	pthread_mutex_lock(&o->lock);
	memcpy(s->points, l->points, sizeof s->points);
	pthread_mutex_unlock(&o->lock);
	s->n_voices = l->max_voices;
	for (int v = 0; v < l->max_voices; v++)
		engine_voice_mix(o->engine, v, &s->gain[v], &s->pan[v]);
	for (int n = 0; n < LOOPER_LOOPS; n++) {
		loop_info info;
		engine_loop_info(o->engine, n, &info);
		s->loops[n].stopped = info.state == LOOP_STOPPED;
		s->loops[n].settings = info.settings;
	}
	return s;
}

void osc_session_save(osc_call *r)
{
	osc_job *j = osc_looper_save_job(r, "a session", OSC_JOB_SAVE_SESSION);
	if (!j)
		return;
	session *s = capture_session(r);
	if (!s) {
		osc_job_fail(r->o, j, "out of memory");
		osc_job_seal(r->o, j);
		return;
	}
	osc_job_set_session(j, s);
	for (int n = 0; n < LOOPER_LOOPS; n++) {
		loop_info info;
		engine_loop_info(r->o->engine, n, &info);
		loop_command export = {.op = LOOP_EXPORT, .loop = n};
		if (info.frames > 0 && osc_job_send(r->o, j, ENGINE_FROM_NETWORK, &export, NULL) < 0)
			break;
	}
	osc_job_seal(r->o, j);
}

void osc_session_request_load(osc_call *r)
{
	osc_looper_submit_load(r, OSC_LOAD_SESSION, 0);
}

/* A loop of the session: cleared, then (with a take) its settings, its
 * take, and stopped if it was. 0, or -1 once the job failed. */
static int apply_session_loop(osc_context *o, osc_job *j, session *s, int n)
{
	session_loop *sl = &s->loops[n];
	atomic_store(&o->looper.touched[n], 1);
	loop_command clear = {.op = LOOP_CLEAR, .loop = n};
	if (osc_job_send(o, j, ENGINE_FROM_WORKER, &clear, NULL) < 0)
		return -1;
	if (!sl->take)
		return 0;
	for (int k = 0; k < LOOP_KEYS; k++) {
		loop_command set = {
		    .op = LOOP_SET, .loop = n, .key = (loop_key)k, .value = looper_setting(&sl->settings, (loop_key)k)};
		if (osc_job_send(o, j, ENGINE_FROM_WORKER, &set, NULL) < 0)
			return -1;
	}
	loop_command load = {.op = LOOP_LOAD, .loop = n, .value = sl->length};
	gesture *g = sl->take;
	sl->take = NULL; /* the engine owns it now */
	if (osc_job_send(o, j, ENGINE_FROM_WORKER, &load, g) < 0)
		return -1;
	loop_command stop = {.op = LOOP_STOP, .loop = n};
	return sl->stopped ? osc_job_send(o, j, ENGINE_FROM_WORKER, &stop, NULL) : 0;
}

/* Voices' gain and pan, as control events from the worker. */
static int apply_session_voices(osc_context *o, const session *s)
{
	for (int v = 0; v < s->n_voices; v++) {
		control_event gain = {.type = CONTROL_VOICE_GAIN, .voice = v, .value = {s->gain[v]}};
		control_event pan = {.type = CONTROL_VOICE_PAN, .voice = v, .value = {s->pan[v]}};
		if (engine_send_from(o->engine, ENGINE_FROM_WORKER, &gain) < 0 ||
		    engine_send_from(o->engine, ENGINE_FROM_WORKER, &pan) < 0)
			return -1;
	}
	return 0;
}

/* Everything the session holds, as one job: /done once all of it is
 * applied, /fail with the first refusal. */
static void apply_session(osc_context *o, osc_job *j, session *s)
{
	osc_looper *l = &o->looper;
	pthread_mutex_lock(&o->lock);
	memcpy(l->points, s->points, sizeof l->points);
	pthread_mutex_unlock(&o->lock);
	if (apply_session_voices(o, s) < 0) {
		osc_job_fail(o, j, "the control queue is full (the session was loaded in part)");
		return;
	}
	for (int n = 0; n < LOOPER_LOOPS; n++)
		if (apply_session_loop(o, j, s, n) < 0)
			return;
	loop_command tempo = {.op = LOOP_TEMPO, .value = s->bpm}, meter = {.op = LOOP_METER, .value = s->meter};
	if (osc_job_send(o, j, ENGINE_FROM_WORKER, &tempo, NULL) < 0 ||
	    osc_job_send(o, j, ENGINE_FROM_WORKER, &meter, NULL) < 0)
		return;
	atomic_store(&l->bpm, s->bpm);
	atomic_store(&l->meter, s->meter);
	tempo_link *link = atomic_load(&l->link);
	if (link && tempo_link_enabled(link))
		tempo_link_set_tempo(link, s->bpm);
}

void osc_session_load(osc_context *o, const osc_request *req)
{
	char through[64], why[512], *text = NULL;
	snprintf(through, sizeof through, "/proc/self/fd/%d", req->fd);
	session *s = session_new(o->looper.max_voices);
	int rc = !s ? error_set(why, sizeof why, "out of memory")
	            : json_read_file(through, SESSION_FILE_MAX_BYTES, &text, why, sizeof why);
	if (rc == 0)
		rc = session_from_json(text, o->looper.max_voices, s, why, sizeof why);
	cJSON_free(text);
	osc_job *j = rc == 0 ? osc_job_new(&req->peer, req->address, OSC_JOB_REPLY) : NULL;
	if (!j) {
		osc_reply_fail(o, &req->peer, req->address, "%s: %s", req->path, rc == 0 ? "out of memory" : why);
		session_free(s);
		return;
	}
	apply_session(o, j, s);
	osc_job_seal(o, j);
	session_free(s);
}
