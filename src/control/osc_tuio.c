/*
 * osc_tuio.c — TUIO 1.1 cursors (/tuio/2Dcur) as voices: the messages
 * checked here, the sessions followed by tuio.c.
 */
#include "osc_internal.h"

#include <math.h>
#include <string.h>

/* Argument i as a session id or frame number (an integer of any numeric tag). */
static int arg_id(osc_call *c, int i, int32_t *out)
{
	double v = osc_arg_is_number(c->types[i]) ? osc_call_number(c, i) : NAN;
	if (!(v == floor(v) && fabs(v) <= INT32_MAX)) {
		osc_call_fail(c, "argument %d must be an integer (a session id or frame number)", i + 1);
		return -1;
	}
	*out = (int32_t)v;
	return 0;
}

static void tuio_on_alive(osc_call *c)
{
	int32_t sessions[TUIO_MAX_SESSIONS];
	int n = c->argc - 1;
	if (n > TUIO_MAX_SESSIONS) {
		osc_call_fail(c, "alive lists %d sessions; at most %d are followed", n, TUIO_MAX_SESSIONS);
		return;
	}
	for (int i = 0; i < n; i++)
		if (arg_id(c, i + 1, &sessions[i]) < 0)
			return;
	tuio_alive(&c->o->tuio, sessions, n);
}

/* set s x y [X Y m]: velocity and acceleration are not used. */
static void tuio_on_set(osc_call *c)
{
	int32_t session;
	if (c->argc < 4) {
		osc_call_fail(c, "set expects a session id, x and y");
		return;
	}
	if (arg_id(c, 1, &session) < 0)
		return;
	if (!osc_arg_is_number(c->types[2]) || !osc_arg_is_number(c->types[3]) || !isfinite(osc_call_number(c, 2)) ||
	    !isfinite(osc_call_number(c, 3))) {
		osc_call_fail(c, "set expects finite numbers for x and y");
		return;
	}
	if (tuio_set(&c->o->tuio, session, (float)osc_call_number(c, 2), (float)osc_call_number(c, 3)) < 0)
		osc_call_fail(c, "more than %d sets in one frame", TUIO_MAX_SESSIONS);
}

/* fseq n ends the frame: ended sessions release their voices, then each
 * moved session moves (and sounds) its own, y turned upward. */
static void tuio_on_fseq(osc_call *c)
{
	int32_t frame;
	if (c->argc != 2) {
		osc_call_fail(c, "fseq expects one frame number");
		return;
	}
	if (arg_id(c, 1, &frame) < 0)
		return;
	tuio_action actions[TUIO_MAX_ACTIONS];
	int n = tuio_frame(&c->o->tuio, frame, actions);
	for (int i = 0; i < n; i++) {
		control_event ev = {.type = actions[i].ended ? CONTROL_VOICE_OFF : CONTROL_TARGET,
		                    .dim = 2,
		                    .value = {actions[i].x, 1.0f - actions[i].y}};
		if (!actions[i].ended)
			osc_to_bounds(c->o, 0, ev.value, 2);
		c->voice = actions[i].voice;
		if (osc_queue_event(c, &ev) < 0)
			return;
	}
}

/* TUIO senders expect no replies: only a malformed message is answered
 * (/fail). `source` names the sender and is not needed. */
void osc_handle_tuio_cursor(osc_call *c)
{
	const char *command = c->argc > 0 && osc_arg_is_string(c->types[0]) ? (const char *)c->argv[0] : "";
	if (strcmp(command, "alive") == 0)
		tuio_on_alive(c);
	else if (strcmp(command, "set") == 0)
		tuio_on_set(c);
	else if (strcmp(command, "fseq") == 0)
		tuio_on_fseq(c);
	else if (strcmp(command, "source") != 0)
		osc_call_fail(c, "expects a TUIO 1.1 command first: source, alive, set or fseq");
}
