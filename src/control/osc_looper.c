/*
 * osc_looper.c — /loop/N/..., /tempo, /meter and /link, and the loop files
 * on the worker (see osc_looper.h).
 */
#include "osc_looper.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "json_util.h"
#include "log.h"
#include "osc_internal.h"
#include "osc_status.h"
#include "session.h"

enum { LOOP_FILE_MAX_BYTES = 4 << 20 }; /* a loop: at most LOOPER_MAX_FRAMES points */

void osc_looper_init(osc_looper *l, int max_voices)
{
	memset(l, 0, sizeof *l);
	l->max_voices = max_voices;
	atomic_store(&l->bpm, 120.0);
	atomic_store(&l->meter, 4);
}

void osc_looper_destroy(osc_looper *l)
{
	tempo_link *link = atomic_exchange(&l->link, NULL);
	if (link)
		tempo_link_free(link);
}

double osc_looper_bpm(osc_looper *l)
{
	tempo_link *link = atomic_load(&l->link);
	return link && tempo_link_enabled(link) ? tempo_link_tempo(link) : atomic_load(&l->bpm);
}

/* ---- loop commands --------------------------------------------------------------- */

static const char *state_of(osc_context *o, int n)
{
	loop_info info;
	engine_loop_info(o->engine, n, &info);
	return looper_state_name(info.state);
}

void osc_loop_refusal(osc_context *o, const loop_command *c, char *why, size_t len)
{
	const char *state = state_of(o, c->loop);
	int n = c->loop;
	switch (c->op) {
	case LOOP_RECORD:
		snprintf(why, len,
		         "loop %d is %s: end it first (/loop/%d/overdub ends an overdub; a finishing recording ends on "
		         "the grid)",
		         n, state, n);
		break;
	case LOOP_OVERDUB: snprintf(why, len, "loop %d is %s: overdub needs a playing loop", n, state); break;
	case LOOP_PLAY:
		snprintf(why, len, "loop %d is %s: record or load a take first, or end the recording", n, state);
		break;
	case LOOP_STOP: snprintf(why, len, "loop %d is %s: nothing to stop", n, state); break;
	case LOOP_UNDO: snprintf(why, len, "loop %d has nothing to undo", n); break;
	case LOOP_REDO: snprintf(why, len, "loop %d has nothing to redo", n); break;
	case LOOP_LOAD: snprintf(why, len, "loop %d is %s: end the recording before loading a take", n, state); break;
	default: snprintf(why, len, "loop %d is %s", n, state); break;
	}
}

void osc_looper_send(osc_call *r, const loop_command *c)
{
	if (c->op != LOOP_TEMPO && c->op != LOOP_METER)
		atomic_store(&r->o->looper.touched[c->loop], 1);
	osc_job *j = osc_job_new(r->peer, r->address, OSC_JOB_REPLY);
	if (!j) {
		osc_call_fail(r, "out of memory");
		return;
	}
	osc_job_send(r->o, j, ENGINE_FROM_NETWORK, c, NULL);
	osc_job_seal(r->o, j);
}

static void loop_record(osc_call *r, int n)
{
	double voice = 0;
	if (r->argc > 1) {
		osc_call_fail(r, "expects at most one argument: the voice to record (default 0)");
		return;
	}
	if (r->argc == 1 && osc_call_number_in(r, 0, 0, r->o->looper.max_voices - 1, "voice", &voice) < 0)
		return;
	loop_command c = {.op = LOOP_RECORD, .loop = n, .value = floor(voice)};
	osc_looper_send(r, &c);
}

static void loop_simple(osc_call *r, int n, loop_op op)
{
	if (osc_call_no_arguments(r) < 0)
		return;
	loop_command c = {.op = op, .loop = n};
	osc_looper_send(r, &c);
}

static void loop_set(osc_call *r, int n)
{
	char keys[160];
	loop_setting_names(keys, sizeof keys);
	if (r->argc != 2 || !osc_arg_is_string(r->types[0])) {
		osc_call_fail(r, "expects a key and a value: %s", keys);
		return;
	}
	loop_key key;
	if (loop_setting_find((const char *)r->argv[0], &key) < 0) {
		osc_call_fail(r, "unknown key '%s': %s", (const char *)r->argv[0], keys);
		return;
	}
	char why[256];
	double value;
	int word = osc_arg_is_string(r->types[1]);
	if (!word && !osc_arg_is_number(r->types[1])) {
		osc_call_fail(r, "the value must be a number or a word");
		return;
	}
	loop_info info; /* checked against the settings the loop plays with */
	engine_loop_info(r->o->engine, n, &info);
	if (loop_setting_check(&info.settings, key, word ? 0 : osc_call_number(r, 1),
	                       word ? (const char *)r->argv[1] : NULL, r->o->looper.max_voices, &value, why,
	                       sizeof why) < 0) {
		osc_call_fail(r, "%s", why);
		return;
	}
	loop_command c = {.op = LOOP_SET, .loop = n, .key = key, .value = value};
	osc_looper_send(r, &c);
}

/* ---- loop files ------------------------------------------------------------------ */

osc_job *osc_looper_save_job(osc_call *r, const char *what, osc_job_kind kind)
{
	const char *path, *name;
	char resolved[CONFIG_PATH_MAX], why[512];
	int overwrite;
	if (osc_call_save_path(r, what, &path, &overwrite) < 0 || osc_admin_refused(r->o, r->peer, r->address))
		return NULL;
	int dirfd = osc_open_confined(r->o, path, 1, &name, resolved, sizeof resolved, why, sizeof why);
	osc_job *j = dirfd >= 0 ? osc_job_new(r->peer, r->address, kind) : NULL;
	if (!j) {
		if (dirfd >= 0)
			close(dirfd);
		osc_call_fail(r, "%s", dirfd < 0 ? why : "out of memory");
		return NULL;
	}
	osc_job_set_file(j, dirfd, name, resolved, overwrite);
	return j;
}

void osc_looper_submit_load(osc_call *r, int type, int loop)
{
	if (r->argc != 1 || !osc_arg_is_string(r->types[0])) {
		osc_call_fail(r, "expects one string argument: the %s file",
		              type == OSC_LOAD_LOOP ? "loop" : "session");
		return;
	}
	if (osc_admin_refused(r->o, r->peer, r->address))
		return;
	osc_request req = {.type = (osc_request_type)type, .loop = loop};
	char why[512];
	req.fd = osc_open_confined(r->o, (const char *)r->argv[0], 0, NULL, req.path, sizeof req.path, why, sizeof why);
	if (req.fd < 0) {
		osc_call_fail(r, "%s", why);
		return;
	}
	osc_submit(r, &req);
}

/* /loop/N/save PATH [1]: the render thread copies the take, the worker
 * writes it (osc_pending.h). */
static void loop_save(osc_call *r, int n)
{
	osc_job *j = osc_looper_save_job(r, "a loop", OSC_JOB_SAVE_LOOP);
	if (!j)
		return;
	loop_command c = {.op = LOOP_EXPORT, .loop = n};
	osc_job_send(r->o, j, ENGINE_FROM_NETWORK, &c, NULL);
	osc_job_seal(r->o, j);
}

void osc_looper_load_loop(osc_context *o, const osc_request *req)
{
	char through[64], why[512], *text = NULL;
	snprintf(through, sizeof through, "/proc/self/fd/%d", req->fd);
	cJSON *root = NULL;
	gesture *g = NULL;
	double length = 0;
	if (json_read_file(through, LOOP_FILE_MAX_BYTES, &text, why, sizeof why) == 0 &&
	    (root = json_parse(text, why, sizeof why)) != NULL)
		session_take_from_json(root, req->path, &g, &length, why, sizeof why);
	cJSON_free(text);
	cJSON_Delete(root);
	osc_job *j = g ? osc_job_new(&req->peer, req->address, OSC_JOB_REPLY) : NULL;
	if (!j) {
		gesture_free(g);
		osc_reply_fail(o, &req->peer, req->address, "%s", g ? "out of memory" : why);
		return;
	}
	atomic_store(&o->looper.touched[req->loop], 1);
	loop_command c = {.op = LOOP_LOAD, .loop = req->loop, .value = length};
	osc_job_send(o, j, ENGINE_FROM_WORKER, &c, g);
	osc_job_seal(o, j);
}

/* /loop/N/get: /loop/N/info with the loop's state and settings, as
 * "key", value pairs (as /status.reply). */
static void loop_get(osc_call *r, int n)
{
	if (osc_call_no_arguments(r) < 0)
		return;
	loop_info info;
	engine_loop_info(r->o->engine, n, &info);
	lo_message m = lo_message_new();
	if (!m) {
		osc_call_fail(r, "out of memory");
		return;
	}
	osc_status_add_string(m, "state", looper_state_name(info.state));
	osc_status_add_float(m, "position", info.position);
	osc_status_add_float(m, "length", info.length);
	osc_status_add_float(m, "start_beat", info.start_beat);
	osc_status_add_int(m, "frames", info.frames);
	osc_status_add_int(m, "can_undo", info.can_undo);
	osc_status_add_int(m, "can_redo", info.can_redo);
	osc_status_add_int(m, "full", (int64_t)info.full_count);
	for (int k = 0; k < LOOP_KEYS; k++) {
		double v = looper_setting(&info.settings, (loop_key)k);
		const char *word = loop_setting_word((loop_key)k, v);
		if (word)
			osc_status_add_string(m, loop_setting_name((loop_key)k), word);
		else
			osc_status_add_float(m, loop_setting_name((loop_key)k), v);
	}
	char path[32];
	snprintf(path, sizeof path, "/loop/%d/info", n);
	osc_send(r->o, r->peer, path, m);
	lo_message_free(m);
}
static void dispatch_loop(osc_call *r)
{
	const char *verb;
	int n = osc_call_index(r, "/loop/", LOOPER_LOOPS, "loop", &verb);
	if (n < 0)
		return;
	static const struct {
		const char *verb;
		loop_op op;
	} simple[] = {{"overdub", LOOP_OVERDUB}, {"play", LOOP_PLAY}, {"stop", LOOP_STOP},
	              {"undo", LOOP_UNDO},       {"redo", LOOP_REDO}, {"clear", LOOP_CLEAR}};
	for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
		if (strcmp(verb, simple[i].verb) == 0) {
			loop_simple(r, n, simple[i].op);
			return;
		}
	if (strcmp(verb, "record") == 0)
		loop_record(r, n);
	else if (strcmp(verb, "set") == 0)
		loop_set(r, n);
	else if (strcmp(verb, "save") == 0)
		loop_save(r, n);
	else if (strcmp(verb, "load") == 0)
		osc_looper_submit_load(r, OSC_LOAD_LOOP, n);
	else if (strcmp(verb, "get") == 0)
		loop_get(r, n);
	else
		osc_call_fail(
		    r, "unknown address: a loop takes record, overdub, play, stop, undo, redo, clear, set, save, load "
		       "and get");
}

/* ---- tempo ------------------------------------------------------------------------- */

static void handle_tempo(osc_call *r, int meter)
{
	double v;
	if (r->argc != 1) {
		osc_call_fail(r, meter ? "expects one number: beats in a bar (1 to 32)"
		                       : "expects one number: beats per minute");
		return;
	}
	if (osc_call_number_in(r, 0, meter ? 1 : 20, meter ? 32 : 999, meter ? "beats in a bar" : "tempo", &v) < 0)
		return;
	if (meter && v != floor(v)) {
		osc_call_fail(r, "beats in a bar must be a whole number");
		return;
	}
	/* The control side keeps the tempo at once: the engine takes it in
	 * order with what follows, and /done says when. */
	loop_command c = {.op = meter ? LOOP_METER : LOOP_TEMPO, .value = v};
	osc_looper_send(r, &c);
	tempo_link *link = atomic_load(&r->o->looper.link);
	if (meter) {
		atomic_store(&r->o->looper.meter, (int)v);
	} else {
		atomic_store(&r->o->looper.bpm, v);
		if (link && tempo_link_enabled(link))
			tempo_link_set_tempo(link, v); /* every peer's tempo */
	}
}

/* /link 0|1: Ableton Link on or off (off by default). The first /link 1
 * starts the session, at the present tempo; joining peers take the
 * session's tempo, as Link does. It makes the daemon talk to the local
 * network: remote peers need osc.remote_admin, as for files. */
static void handle_link(osc_call *r)
{
	double on;
	if (r->argc != 1) {
		osc_call_fail(r, "expects one number: 1 (on) or 0 (off)");
		return;
	}
	if (osc_call_number_in(r, 0, 0, 1, "link", &on) < 0 || osc_admin_refused(r->o, r->peer, r->address))
		return;
	osc_looper *l = &r->o->looper;
	tempo_link *link = atomic_load(&l->link);
	if (!link && on) {
		char why[256];
		link = tempo_link_create(atomic_load(&l->bpm), why, sizeof why);
		if (!link) {
			osc_call_fail(r, "%s", why);
			return;
		}
		atomic_store(&l->link, link);
		engine_set_link(r->o->engine, link);
	}
	if (link)
		tempo_link_enable(link, on == 1);
	if (link && on == 0)
		atomic_store(&l->bpm, tempo_link_tempo(link)); /* the tempo stays where Link left it */
	osc_call_done(r);
}

/* ---- dispatch, notify, status ------------------------------------------------------------ */

int osc_looper_dispatch(osc_call *r)
{
	const char *address = r->address;
	if (strncmp(address, "/loop/", 6) == 0)
		dispatch_loop(r);
	else if (strncmp(address, "/point/", 7) == 0)
		osc_points_dispatch(r);
	else if (strcmp(address, "/tempo") == 0 || strcmp(address, "/meter") == 0)
		handle_tempo(r, address[1] == 'm');
	else if (strcmp(address, "/link") == 0)
		handle_link(r);
	else if (strcmp(address, "/session/save") == 0)
		osc_session_save(r);
	else if (strcmp(address, "/session/load") == 0)
		osc_session_request_load(r);
	else
		return 0;
	return 1;
}

void osc_looper_notify(osc_context *o, const osc_peer *peer)
{
	for (int n = 0; n < LOOPER_LOOPS; n++) {
		loop_info info;
		engine_loop_info(o->engine, n, &info);
		if (info.state == LOOP_EMPTY && !atomic_load(&o->looper.touched[n]))
			continue;
		lo_message m = lo_message_new();
		if (!m)
			return;
		lo_message_add_string(m, looper_state_name(info.state));
		lo_message_add_float(m, (float)info.position);
		lo_message_add_float(m, (float)info.length);
		char path[32];
		snprintf(path, sizeof path, "/loop/%d/state", n);
		osc_send(o, peer, path, m);
		lo_message_free(m);
	}
}

void osc_looper_watch(osc_context *o)
{
	for (int n = 0; n < LOOPER_LOOPS; n++) {
		loop_info info;
		engine_loop_info(o->engine, n, &info);
		if (info.full_count == o->looper.full_seen[n])
			continue;
		o->looper.full_seen[n] = info.full_count;
		log_warn("loop %d: the recording filled its take (%d latent frames, %.1f s) and ended there; it plays",
		         n, info.frames, info.length);
	}
}
