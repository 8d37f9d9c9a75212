/*
 * osc_points.c — stored points (docs/osc.md, "Stored points"): a place on
 * the terrain kept under a number, recalled by a pad (/point/K/go), at once
 * or as a glide. The points live in the OSC context, under its lock (a
 * session load on the worker replaces them).
 */
#include "osc_internal.h"

#include <stdlib.h>
#include <string.h>

#include "osc_looper.h"

enum { MAX_GLIDE_MS = 60000 };

static void point_store(osc_call *r, int k)
{
	int dim = osc_terrain_dim(r->o);
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
	pthread_mutex_lock(&r->o->lock);
	r->o->looper.points[k] = next;
	pthread_mutex_unlock(&r->o->lock);
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

static void point_go(osc_call *r, int k)
{
	double ms = 0, voice = 0;
	stored_point point;
	pthread_mutex_lock(&r->o->lock);
	point = r->o->looper.points[k];
	pthread_mutex_unlock(&r->o->lock);
	const stored_point *p = &point;
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
	if (p->dim != osc_terrain_dim(r->o)) {
		osc_call_fail(r, "point %d has %d coordinates, the terrain %d: store it again", k, p->dim,
		              osc_terrain_dim(r->o));
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

void osc_points_dispatch(osc_call *r)
{
	const char *verb;
	int k = osc_call_index(r, "/point/", OSC_POINTS, "point", &verb);
	if (k < 0)
		return;
	if (strcmp(verb, "store") == 0) {
		point_store(r, k);
	} else if (strcmp(verb, "go") == 0) {
		point_go(r, k);
	} else if (strcmp(verb, "clear") != 0) {
		osc_call_fail(r, "unknown address: a point takes store, go and clear");
	} else if (osc_call_no_arguments(r) == 0) {
		pthread_mutex_lock(&r->o->lock);
		r->o->looper.points[k].dim = 0;
		pthread_mutex_unlock(&r->o->lock);
		osc_call_done(r);
	}
}
