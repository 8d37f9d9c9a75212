/*
 * demo_voice.h — the bundled demo model and terrain as a voice, for the
 * tests that drive the live engine. The voice holds its own references.
 */
#ifndef TERRAIND_TEST_DEMO_VOICE_H
#define TERRAIND_TEST_DEMO_VOICE_H

#include "engine.h"
#include "terrain_json.h"
#include "test_util.h"

static inline voice *demo_voice(int device_rate, float smooth_ms)
{
	model *m;
	terrain *t;
	voice *v;
	char err[1024], warn[256];
	if (model_load("models/demo.ts", NULL, &m, err, sizeof err) < 0 ||
	    terrain_load("terrains/demo.json", &t, err, sizeof err) < 0 ||
	    voice_create(m, t, smooth_ms, device_rate, &v, err, sizeof err, warn, sizeof warn) < 0)
		fail_msg("%s", err);
	model_free(m);
	terrain_free(t);
	return v;
}

#endif
