/* The OSC fuzzers' engine: the demo model and terrain, with its render
 * thread running, so that what the dispatcher queues is applied as live
 * (loop commands, tempo, session loads answered, gestures played), and
 * requests that reach the worker let go of what they carry. Header-only:
 * each fuzzer is one program. */
#ifndef TERRAIND_FUZZ_ENGINE_H
#define TERRAIND_FUZZ_ENGINE_H

#include <stdlib.h>

#include "engine.h"
#include "model.h"
#include "osc.h"
#include "terrain_json.h"

/* The worker is not here: a request's files are closed and its text freed
 * (loads and saves are the worker's and have fuzzers of their own). */
static inline int fuzz_drop_request(void *ctx, const osc_request *req)
{
	(void)ctx;
	osc_request_release(req);
	return 0;
}

/* The demo scene playing on a running render thread (nobody pulls the
 * audio: the ring fills and the thread follows controls every period). */
static inline engine *fuzz_running_engine(void)
{
	char err[512], warning[256];
	model *m;
	terrain *t;
	scene *s;
	engine *e;
	if (model_load("models/demo.ts", NULL, &m, err, sizeof err) < 0 ||
	    terrain_load("terrains/demo.json", &t, err, sizeof err) < 0 ||
	    scene_create(m, t, 20, 48000, 8, &s, err, sizeof err, warning, sizeof warning) < 0 ||
	    engine_create(48000, 128, 0, 0, &e, err, sizeof err) < 0 || engine_start(e, s, err, sizeof err) < 0)
		abort();
	model_free(m); /* the scene holds its own references */
	terrain_free(t);
	return e;
}

/* After each input: the answers of what was applied meanwhile, and what
 * the render thread retired. */
static inline void fuzz_settle(osc_context *o)
{
	osc_pending_collect(o);
	engine_collect(o->engine);
}

#endif
