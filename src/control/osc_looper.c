/*
 * osc_looper.c — /loop/N/..., /point/K/..., /tempo, /meter and
 * /session/... (see osc_looper.h).
 */
#include "osc_looper.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"
#include "error.h"
#include "json_util.h"
#include "log.h"
#include "osc.h"
#include "osc_status.h"
#include "session.h"

enum {
	LOOP_WAIT_MS = 2000,               /* the render thread applies a command within a frame or so */
	LOOP_FILE_MAX_BYTES = 4 << 20,     /* a loop: at most LOOPER_MAX_FRAMES points */
	SESSION_FILE_MAX_BYTES = 64 << 20, /* every loop, points and voices */
	MAX_GLIDE_MS = 60000,
};

void osc_looper_init(osc_looper *l, int max_voices)
{
	memset(l, 0, sizeof *l);
	l->max_voices = max_voices;
	for (int n = 0; n < LOOPER_LOOPS; n++)
		l->settings[n] = looper_default_settings(looper_default_voice(n, max_voices));
	atomic_store(&l->bpm, 120.0);
	atomic_store(&l->meter, 4);
}

void osc_looper_destroy(osc_looper *l)
{
	tempo_link *link = atomic_exchange(&l->link, NULL);
	if (link)
		tempo_link_free(link);
}

/* The tempo: Link's while it is on (a peer may have changed it), else the last /tempo. */
double osc_looper_bpm(osc_looper *l)
{
	tempo_link *link = atomic_load(&l->link);
	return link && tempo_link_enabled(link) ? tempo_link_tempo(link) : atomic_load(&l->bpm);
}

/* ---- arguments ------------------------------------------------------------ */

/* N of PREFIX N/verb, 0 <= N < count; else -1 and a /fail naming the
 * addresses there are (`noun`: "loop"). */
static int index_of(osc_call *r, const char *prefix, int count, const char *noun, const char **verb)
{
	const char *p = r->address + strlen(prefix);
	char *end = (char *)p;
	long n = *p >= '0' && *p <= '9' ? strtol(p, &end, 10) : -1;
	if (n < 0 || *end != '/' || n >= count || end - p > 4) {
		osc_call_fail(r, "no such %s: %ss are %s0/... to %s%d/...", noun, noun, prefix, prefix, count - 1);
		return -1;
	}
	*verb = end + 1;
	return (int)n;
}

/* ---- loop commands --------------------------------------------------------------- */

static const char *state_of(osc_context *o, int n)
{
	loop_info info;
	engine_loop_info(o->engine, n, &info);
	return looper_state_name(info.state);
}

/* Why the looper did nothing, from the loop's state now. */
static void fail_refused(osc_call *r, const loop_command *c)
{
	const char *state = state_of(r->o, c->loop);
	int n = c->loop;
	switch (c->op) {
	case LOOP_RECORD:
		osc_call_fail(
		    r,
		    "loop %d is %s: end it first (/loop/%d/overdub ends an overdub; a finishing recording ends on the "
		    "grid)",
		    n, state, n);
		break;
	case LOOP_OVERDUB: osc_call_fail(r, "loop %d is %s: overdub needs a playing loop", n, state); break;
	case LOOP_PLAY:
		osc_call_fail(r, "loop %d is %s: record or load a take first, or end the recording", n, state);
		break;
	case LOOP_STOP: osc_call_fail(r, "loop %d is %s: nothing to stop", n, state); break;
	case LOOP_UNDO: osc_call_fail(r, "loop %d has nothing to undo", n); break;
	case LOOP_REDO: osc_call_fail(r, "loop %d has nothing to redo", n); break;
	case LOOP_LOAD: osc_call_fail(r, "loop %d is %s: end the recording before loading a take", n, state); break;
	default: osc_call_fail(r, "loop %d is %s", n, state); break;
	}
}

/* Sends a command and answers once the render thread has applied it
 * (wait 0: queues it, for a command that cannot be refused). */
static int send_loop_command(osc_call *r, const loop_command *c, gesture *g, int reply, int wait)
{
	int rc = engine_loop_command(r->o->engine, c, g, wait ? LOOP_WAIT_MS : 0);
	if (c->op != LOOP_TEMPO && c->op != LOOP_METER)
		atomic_store(&r->o->looper.touched[c->loop], 1);
	if (rc == ENGINE_LOOP_FULL)
		osc_call_fail(r, "the control queue is full (the command was dropped)");
	else if (rc == ENGINE_LOOP_TIMED_OUT)
		osc_call_fail(r, "the engine did not apply it within %d ms (is the audio running?)", LOOP_WAIT_MS);
	else if (rc == ENGINE_LOOP_REFUSED)
		fail_refused(r, c);
	else if (reply)
		osc_call_done(r);
	return rc;
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
	send_loop_command(r, &c, NULL, 1, 1);
}

static void loop_simple(osc_call *r, int n, loop_op op)
{
	if (osc_call_no_arguments(r) < 0)
		return;
	loop_command c = {.op = op, .loop = n};
	if (send_loop_command(r, &c, NULL, 1, 1) == 0 && op == LOOP_CLEAR)
		atomic_store(&r->o->looper.touched[n], 1);
}

static int send_setting(osc_call *r, int n, loop_key key, double value, int reply)
{
	loop_command c = {.op = LOOP_SET, .loop = n, .key = key, .value = value};
	int rc = send_loop_command(r, &c, NULL, reply, reply);
	if (rc == 0)
		looper_apply_setting(&r->o->looper.settings[n], key, value);
	return rc;
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
	if (loop_setting_check(&r->o->looper.settings[n], key, word ? 0 : osc_call_number(r, 1),
	                       word ? (const char *)r->argv[1] : NULL, r->o->looper.max_voices, &value, why,
	                       sizeof why) < 0) {
		osc_call_fail(r, "%s", why);
		return;
	}
	send_setting(r, n, key, value, 1);
}

/* ---- loop files ------------------------------------------------------------------ */

/* PATH [1] (osc_call_save_path), from a peer allowed to write files. */
static int save_target(osc_call *r, const char *what, const char **path, int *overwrite)
{
	if (osc_call_save_path(r, what, path, overwrite) < 0)
		return -1;
	return osc_admin_refused(r->o, r->peer, r->address) ? -1 : 0;
}

/* Writes `text` (freed here; NULL: out of memory) to the confined path,
 * and answers the request. */
static void write_confined(osc_call *r, const char *path, int overwrite, char *text)
{
	char why[512], resolved[CONFIG_PATH_MAX];
	const char *name;
	int dirfd = text ? osc_open_confined(r->o, path, 1, &name, resolved, sizeof resolved, why, sizeof why)
	                 : error_set(why, sizeof why, "out of memory");
	if (dirfd >= 0) {
		int rc = atomic_file_write_at(dirfd, name, text, overwrite, why, sizeof why);
		close(dirfd);
		if (rc < 0 && strstr(why, "already exists"))
			snprintf(why + strlen(why), sizeof why - strlen(why), ": add 1 after the path to replace it");
		if (rc == 0) {
			free(text);
			osc_call_done(r);
			return;
		}
	}
	free(text);
	osc_call_fail(r, "%s", why);
}

/* Reads a confined file whole (the caller frees *text). */
static int read_confined(osc_call *r, const char *path, size_t max_bytes, char **text, char *why, size_t whylen)
{
	char resolved[CONFIG_PATH_MAX], through[64];
	int fd = osc_open_confined(r->o, path, 0, NULL, resolved, sizeof resolved, why, whylen);
	if (fd < 0)
		return -1;
	snprintf(through, sizeof through, "/proc/self/fd/%d", fd);
	int rc = json_read_file(through, max_bytes, text, why, whylen);
	close(fd);
	return rc;
}

static void loop_save(osc_call *r, int n)
{
	const char *path;
	int overwrite;
	if (save_target(r, "a loop", &path, &overwrite) < 0)
		return;
	const loop_export *x = engine_loop_export(r->o->engine, n, LOOP_WAIT_MS);
	gesture *g = x && x->frames > 0 ? session_gesture_of(x) : NULL;
	cJSON *root = g ? session_take_to_json(g, x->length) : NULL;
	if (!x)
		osc_call_fail(r, "the engine did not answer within %d ms (is the audio running?)", LOOP_WAIT_MS);
	else if (x->frames == 0)
		osc_call_fail(r, "loop %d is empty: nothing to save", n);
	else
		write_confined(r, path, overwrite, root ? cJSON_Print(root) : NULL);
	cJSON_Delete(root);
	gesture_free(g);
}

static void loop_load(osc_call *r, int n)
{
	if (r->argc != 1 || !osc_arg_is_string(r->types[0])) {
		osc_call_fail(r, "expects one string argument: the loop file");
		return;
	}
	if (osc_admin_refused(r->o, r->peer, r->address))
		return;
	const char *path = (const char *)r->argv[0];
	char why[512], *text = NULL;
	cJSON *root = NULL;
	gesture *g = NULL;
	double length = 0;
	if (read_confined(r, path, LOOP_FILE_MAX_BYTES, &text, why, sizeof why) == 0 &&
	    (root = json_parse(text, why, sizeof why)) != NULL)
		session_take_from_json(root, path, &g, &length, why, sizeof why);
	free(text);
	cJSON_Delete(root);
	if (!g) {
		osc_call_fail(r, "%s", why);
		return;
	}
	loop_command c = {.op = LOOP_LOAD, .loop = n, .value = length};
	send_loop_command(r, &c, g, 1, 1);
}

/* /loop/N/get: /loop/N/info with the loop's state and settings, as
 * "key", value pairs (as /status.reply). */
static void loop_get(osc_call *r, int n)
{
	if (osc_call_no_arguments(r) < 0)
		return;
	loop_info info;
	engine_loop_info(r->o->engine, n, &info);
	const loop_settings *s = &r->o->looper.settings[n];
	lo_message m = lo_message_new();
	osc_status_add_string(m, "state", looper_state_name(info.state));
	osc_status_add_float(m, "position", info.position);
	osc_status_add_float(m, "length", info.length);
	osc_status_add_float(m, "start_beat", info.start_beat);
	osc_status_add_int(m, "frames", info.frames);
	osc_status_add_int(m, "can_undo", info.can_undo);
	osc_status_add_int(m, "can_redo", info.can_redo);
	osc_status_add_int(m, "full", (int64_t)info.full_count);
	for (int k = 0; k < LOOP_KEYS; k++) {
		double v = looper_setting(s, (loop_key)k);
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
	int n = index_of(r, "/loop/", LOOPER_LOOPS, "loop", &verb);
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
		loop_load(r, n);
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
	loop_command c = {.op = meter ? LOOP_METER : LOOP_TEMPO, .value = v};
	if (send_loop_command(r, &c, NULL, 1, 1) < 0)
		return;
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

/* ---- stored points ------------------------------------------------------------------ */

static int control_dim(osc_context *o)
{
	pthread_mutex_lock(&o->lock);
	int dim = o->control_dim;
	pthread_mutex_unlock(&o->lock);
	return dim;
}

static void point_store(osc_call *r, stored_point *p)
{
	int dim = control_dim(r->o);
	stored_point next = {.dim = dim};
	if (r->argc == 0) {
		engine_voice_target(r->o->engine, 0, next.coord);
	} else if (r->argc != dim) {
		osc_call_fail(r, "expects %d coordinates (the terrain's axes), or none to store voice 0's cursor", dim);
		return;
	} else {
		for (int i = 0; i < dim; i++) {
			double v;
			if (osc_call_number_in(r, i, -1e6, 1e6, "coordinate", &v) < 0)
				return;
			next.coord[i] = (float)v;
		}
	}
	*p = next;
	osc_call_done(r);
}

/* A glide: a two-point gesture from where the voice is asked to be now. */
static gesture *glide(osc_context *o, int voice, const stored_point *p, double ms)
{
	gesture *g = calloc(1, sizeof *g);
	if (g)
		g->points = calloc(2, sizeof *g->points);
	if (!g || !g->points) {
		gesture_free(g);
		return NULL;
	}
	g->control_dim = p->dim;
	g->n_points = 2;
	float from[TERRAIN_MAX_CONTROL_DIM];
	engine_voice_target(o->engine, voice, from);
	memcpy(g->points[0].coord, from, sizeof(float) * (size_t)p->dim);
	g->points[1].time = ms / 1000.0;
	memcpy(g->points[1].coord, p->coord, sizeof(float) * (size_t)p->dim);
	return g;
}

static void point_go(osc_call *r, const stored_point *p, int k)
{
	double ms = 0, voice = 0;
	if (r->argc > 2) {
		osc_call_fail(r, "expects at most two numbers: the glide in ms, then the voice");
		return;
	}
	if ((r->argc >= 1 && osc_call_number_in(r, 0, 0, MAX_GLIDE_MS, "glide (ms)", &ms) < 0) ||
	    (r->argc == 2 && osc_call_number_in(r, 1, 0, r->o->looper.max_voices - 1, "voice", &voice) < 0))
		return;
	if (p->dim == 0) {
		osc_call_fail(r, "point %d is empty: store it first with /point/%d/store", k, k);
		return;
	}
	if (p->dim != control_dim(r->o)) {
		osc_call_fail(r, "point %d has %d coordinates, the terrain %d: store it again", k, p->dim,
		              control_dim(r->o));
		return;
	}
	control_event ev = {.type = CONTROL_TARGET, .voice = (int)voice, .dim = p->dim};
	memcpy(ev.value, p->coord, sizeof(float) * (size_t)p->dim);
	if (ms > 0) {
		ev = (control_event){
		    .type = CONTROL_GESTURE, .voice = (int)voice, .gesture = glide(r->o, (int)voice, p, ms)};
		if (!ev.gesture) {
			osc_call_fail(r, "out of memory");
			return;
		}
	}
	if (engine_send(r->o->engine, &ev) < 0) {
		gesture_free(ev.gesture);
		osc_call_fail(r, "the control queue is full (the event was dropped)");
		return;
	}
	osc_call_done(r);
}

static void dispatch_point(osc_call *r)
{
	const char *verb;
	int k = index_of(r, "/point/", OSC_POINTS, "point", &verb);
	if (k < 0)
		return;
	stored_point *p = &r->o->looper.points[k];
	if (strcmp(verb, "store") == 0) {
		point_store(r, p);
	} else if (strcmp(verb, "go") == 0) {
		point_go(r, p, k);
	} else if (strcmp(verb, "clear") != 0) {
		osc_call_fail(r, "unknown address: a point takes store, go and clear");
	} else if (osc_call_no_arguments(r) == 0) {
		p->dim = 0;
		osc_call_done(r);
	}
}

/* ---- sessions ------------------------------------------------------------------------ */

/* ---- sessions ------------------------------------------------------------------------ */

/* What plays now, as a session. */
static session *capture_session(osc_call *r)
{
	osc_looper *l = &r->o->looper;
	session *s = session_new(l->max_voices);
	if (!s)
		return NULL;
	s->bpm = osc_looper_bpm(l);
	s->meter = atomic_load(&l->meter);
	memcpy(s->points, l->points, sizeof s->points);
	s->n_voices = l->max_voices;
	for (int v = 0; v < l->max_voices; v++)
		engine_voice_mix(r->o->engine, v, &s->gain[v], &s->pan[v]);
	for (int n = 0; n < LOOPER_LOOPS; n++) {
		loop_info info;
		engine_loop_info(r->o->engine, n, &info);
		const loop_export *x = info.frames > 0 ? engine_loop_export(r->o->engine, n, LOOP_WAIT_MS) : NULL;
		session_loop *sl = &s->loops[n];
		if (!x || x->frames == 0)
			continue;
		sl->take = session_gesture_of(x);
		sl->length = x->length;
		sl->stopped = info.state == LOOP_STOPPED;
		sl->settings = l->settings[n];
		if (!sl->take) {
			session_free(s);
			return NULL;
		}
	}
	return s;
}

static void session_save(osc_call *r)
{
	const char *path;
	int overwrite;
	if (save_target(r, "a session", &path, &overwrite) < 0)
		return;
	session *s = capture_session(r);
	write_confined(r, path, overwrite, s ? session_to_json(s) : NULL);
	session_free(s);
}

static int apply_session_loop(osc_call *r, session *s, int n)
{
	session_loop *sl = &s->loops[n];
	loop_command clear = {.op = LOOP_CLEAR, .loop = n};
	if (send_loop_command(r, &clear, NULL, 0, 0) < 0)
		return -1;
	if (!sl->take)
		return 0;
	for (int k = 0; k < LOOP_KEYS; k++)
		if (send_setting(r, n, (loop_key)k, looper_setting(&sl->settings, (loop_key)k), 0) < 0)
			return -1;
	loop_command load = {.op = LOOP_LOAD, .loop = n, .value = sl->length};
	gesture *g = sl->take;
	sl->take = NULL; /* the engine owns it now */
	if (send_loop_command(r, &load, g, 0, 1) < 0)
		return -1;
	loop_command stop = {.op = LOOP_STOP, .loop = n};
	return sl->stopped ? send_loop_command(r, &stop, NULL, 0, 1) : 0;
}

/* Everything the session holds; the loops' commands are queued and the
 * last one waited for, so that /done means all of it is applied. */
static int apply_session(osc_call *r, session *s)
{
	osc_looper *l = &r->o->looper;
	memcpy(l->points, s->points, sizeof l->points);
	for (int v = 0; v < s->n_voices; v++) {
		control_event gain = {.type = CONTROL_VOICE_GAIN, .voice = v, .value = {s->gain[v]}};
		control_event pan = {.type = CONTROL_VOICE_PAN, .voice = v, .value = {s->pan[v]}};
		if (engine_send(r->o->engine, &gain) < 0 || engine_send(r->o->engine, &pan) < 0) {
			osc_call_fail(r, "the control queue is full (the session was loaded in part)");
			return -1;
		}
	}
	for (int n = 0; n < LOOPER_LOOPS; n++)
		if (apply_session_loop(r, s, n) < 0)
			return -1;
	loop_command tempo = {.op = LOOP_TEMPO, .value = s->bpm}, meter = {.op = LOOP_METER, .value = s->meter};
	if (send_loop_command(r, &tempo, NULL, 0, 0) < 0 || send_loop_command(r, &meter, NULL, 0, 1) < 0)
		return -1;
	atomic_store(&l->bpm, s->bpm);
	atomic_store(&l->meter, s->meter);
	tempo_link *link = atomic_load(&l->link);
	if (link && tempo_link_enabled(link))
		tempo_link_set_tempo(link, s->bpm);
	return 0;
}

static void session_load(osc_call *r)
{
	if (r->argc != 1 || !osc_arg_is_string(r->types[0])) {
		osc_call_fail(r, "expects one string argument: the session file");
		return;
	}
	if (osc_admin_refused(r->o, r->peer, r->address))
		return;
	const char *path = (const char *)r->argv[0];
	char why[512], *text = NULL;
	session *s = session_new(r->o->looper.max_voices);
	int rc = !s ? error_set(why, sizeof why, "out of memory")
	            : read_confined(r, path, SESSION_FILE_MAX_BYTES, &text, why, sizeof why);
	if (rc == 0)
		rc = session_from_json(text, r->o->looper.max_voices, s, why, sizeof why);
	free(text);
	if (rc < 0)
		osc_call_fail(r, "%s: %s", path, why);
	else if (apply_session(r, s) == 0)
		osc_call_done(r);
	session_free(s);
}

/* ---- dispatch, notify, status ------------------------------------------------------------ */

int osc_looper_dispatch(osc_call *r)
{
	const char *address = r->address;
	if (strncmp(address, "/loop/", 6) == 0)
		dispatch_loop(r);
	else if (strncmp(address, "/point/", 7) == 0)
		dispatch_point(r);
	else if (strcmp(address, "/tempo") == 0 || strcmp(address, "/meter") == 0)
		handle_tempo(r, address[1] == 'm');
	else if (strcmp(address, "/link") == 0)
		handle_link(r);
	else if (strcmp(address, "/session/save") == 0)
		session_save(r);
	else if (strcmp(address, "/session/load") == 0)
		session_load(r);
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
