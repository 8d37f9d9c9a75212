/*
 * osc_controls.c — the performer's controls as control events for the
 * engine: cursors (/xy, /stylus), gestures, gain, smoothing, the voices'
 * own gain, pan and release, and the granular synthesiser's settings.
 */
#include "osc_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Hands an event for the call's voice to the engine as it is (applied at
 * once); -1 and a /fail when the control queue is full. */
int osc_push_event(osc_call *c, control_event *ev)
{
	ev->voice = c->voice;
	if (engine_send(c->o->engine, ev) < 0) {
		gesture_free(ev->gesture);
		osc_call_fail(c, "the control queue is full (the event was dropped)");
		return -1;
	}
	return 0;
}

/* The same, stamped with the message's arrival (latency probe) and its
 * bundle's time (applied then). */
int osc_queue_event(osc_call *c, control_event *ev)
{
	ev->received_ns = c->received_ns;
	ev->apply_ns = c->apply_ns;
	return osc_push_event(c, ev);
}

void osc_send_event(osc_call *c, control_event *ev)
{
	if (osc_queue_event(c, ev) == 0)
		osc_call_done_control(c);
}

void osc_send_axes(osc_call *c, int first, const float *values, int n)
{
	control_event ev = {.type = CONTROL_TARGET, .first_axis = first, .dim = n};
	memcpy(ev.value, values, sizeof(float) * (size_t)n);
	osc_send_event(c, &ev);
}

void osc_handle_xy(osc_call *c)
{
	float v[2];
	if (osc_call_numbers(c, 2, v, 2, "x y") == 0)
		osc_send_axes(c, 0, v, 2);
}

/* x, y and a pressure: the third axis when the terrain has one, else gain
 * (voice 0's is the output's pressure gain, as before voices; another
 * voice's is its own gain). */
static void send_stylus(osc_call *c, const float *v)
{
	if (osc_terrain_dim(c->o) >= 3) {
		osc_send_axes(c, 0, v, 3);
		return;
	}
	float pressure = fminf(fmaxf(v[2], 0.0f), 1.0f);
	if (c->voice == 0)
		osc_set_gain(c->o, -1, pressure);
	else {
		control_event gain = {.type = CONTROL_VOICE_GAIN, .value = {pressure}};
		if (osc_push_event(c, &gain) < 0)
			return;
	}
	osc_send_axes(c, 0, v, 2);
}

void osc_handle_stylus(osc_call *c)
{
	float v[3];
	if (osc_call_numbers(c, 3, v, 3, "x y pressure") == 0)
		send_stylus(c, v);
}

void osc_handle_gain(osc_call *c)
{
	float g;
	if (osc_call_numbers(c, 1, &g, 1, "gain") < 0)
		return;
	if (g < 0 || g > 4) {
		osc_call_fail(c, "gain %g is out of range (0 to 4)", (double)g);
		return;
	}
	osc_set_gain(c->o, g, -1);
	osc_reply_done(c->o, c->peer, c->address);
}

void osc_handle_smooth(osc_call *c)
{
	control_event ev = {.type = CONTROL_SMOOTH};
	if (osc_call_numbers(c, 1, ev.value, 1, "milliseconds") < 0)
		return;
	if (ev.value[0] < 0 || ev.value[0] > 10000) {
		osc_call_fail(c, "smoothing %g ms is out of range (0 to 10000)", (double)ev.value[0]);
		return;
	}
	osc_send_event(c, &ev);
}

/* /gesture t1 x1 y1 t2 x2 y2 ...: points of the terrain's dimension. */
void osc_handle_gesture(osc_call *c)
{
	int dim = osc_terrain_dim(c->o);
	int stride = dim + 1;
	enum { MAX_ARGS = 3 * 4096 };
	if (c->argc < stride || c->argc % stride != 0 || c->argc > MAX_ARGS) {
		osc_call_fail(c, "expects groups of %d numbers (t then %d coordinate%s), at most %d numbers; got %d",
		              stride, dim, dim == 1 ? "" : "s", MAX_ARGS, c->argc);
		return;
	}
	float *values = malloc(sizeof(float) * (size_t)c->argc);
	gesture *g = calloc(1, sizeof *g);
	if (g)
		g->points = calloc((size_t)(c->argc / stride), sizeof *g->points);
	if (!values || !g || !g->points) {
		free(values);
		gesture_free(g);
		osc_call_fail(c, "out of memory");
		return;
	}
	int ok = osc_call_numbers(c, -1, values, MAX_ARGS, "t x y ...") == 0;
	g->control_dim = dim;
	for (int i = 0; ok && i < c->argc / stride; i++) {
		gesture_point *p = &g->points[g->n_points++];
		p->time = values[i * stride];
		memcpy(p->coord, values + i * stride + 1, sizeof(float) * (size_t)dim);
		if (p->time < 0 || (i > 0 && p->time < p[-1].time)) {
			osc_call_fail(c, "point %d: times must be ascending and not negative", i);
			ok = 0;
		}
	}
	free(values);
	if (!ok) {
		gesture_free(g);
		return;
	}
	control_event ev = {.type = CONTROL_GESTURE, .gesture = g};
	osc_send_event(c, &ev);
}

void osc_handle_gesture_stop(osc_call *c)
{
	if (osc_call_no_arguments(c) < 0)
		return;
	control_event ev = {.type = CONTROL_STOP_GESTURE};
	osc_send_event(c, &ev);
}

static void send_voice_value(osc_call *c, control_type type, float min, float max, const char *what)
{
	control_event ev = {.type = type};
	if (osc_call_numbers(c, 1, ev.value, 1, what) < 0)
		return;
	if (ev.value[0] < min || ev.value[0] > max) {
		osc_call_fail(c, "%s %g is out of range (%g to %g)", what, (double)ev.value[0], (double)min,
		              (double)max);
		return;
	}
	if (osc_push_event(c, &ev) == 0)
		osc_reply_done(c->o, c->peer, c->address);
}

void osc_handle_voice_gain(osc_call *c)
{
	send_voice_value(c, CONTROL_VOICE_GAIN, 0, 4, "gain");
}

void osc_handle_voice_pan(osc_call *c)
{
	send_voice_value(c, CONTROL_VOICE_PAN, -1, 1, "pan");
}

/* /voice/N/pitch Hz: the note MIDI plays on voice N (0: the terrain's pitch again). */
void osc_handle_voice_pitch(osc_call *c)
{
	send_voice_value(c, CONTROL_VOICE_PITCH, 0, 20000, "pitch in Hz");
}

void osc_handle_voice_off(osc_call *c)
{
	if (osc_call_no_arguments(c) < 0)
		return;
	control_event ev = {.type = CONTROL_VOICE_OFF};
	osc_send_event(c, &ev);
}

void osc_dispatch_grain(osc_call *c)
{
	float v[4] = {0};
	const char *word = NULL;
	if (c->argc == 1 && osc_arg_is_string(c->types[0]))
		word = (const char *)c->argv[0];
	else if (c->argc > 0 && osc_call_numbers(c, -1, v, 4, "the setting's values") < 0)
		return;
	control_event ev = {.type = CONTROL_GRAIN};
	char why[256];
	if (grains_message(c->address + strlen("/grain/"), osc_terrain_dim(c->o), v, word ? 0 : c->argc, word,
	                   &ev.first_axis, ev.value, &ev.dim, why, sizeof why) < 0)
		osc_call_fail(c, "%s", why);
	else
		osc_send_event(c, &ev);
}
