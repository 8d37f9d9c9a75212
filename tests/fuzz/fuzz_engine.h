/* The OSC fuzzers' engine: the demo model and terrain, rendering, so that
 * what the dispatcher queues is applied as live (loop commands, tempo,
 * session loads answered, gestures played), and requests that reach the
 * worker let go of what they carry. It renders offline, a frame after each
 * input, on the fuzzer's own thread (as `terraind render --score` does):
 * reproducible, and no threads for LeakSanitizer to stop (its tracer
 * crashed on a live render thread's). Header-only: each fuzzer is one
 * program. */
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

/* The demo scene, started offline: fuzz_settle renders its frames. */
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
	    engine_create(48000, 128, 0, 0, &e, err, sizeof err) < 0)
		abort();
	engine_start_offline(e, s);
	model_free(m); /* the scene holds its own references */
	terrain_free(t);
	return e;
}

/* After each input: a frame rendered (what was queued is applied, in
 * virtual time), its audio taken as the callback would, the answers of
 * what was applied, and what the render side retired. */
static inline void fuzz_settle(osc_context *o)
{
	static int64_t now_ns;
	static float audio[2 * ENGINE_MAX_FRAME];
	now_ns += 20 * 1000 * 1000;
	size_t made = engine_render_offline(o->engine, now_ns);
	engine_pull(o->engine, audio, (unsigned long)made, 2);
	osc_pending_collect(o);
	engine_collect(o->engine);
}

#endif
