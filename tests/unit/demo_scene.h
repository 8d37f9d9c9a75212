/*
 * demo_scene.h — the bundled demo model and terrain as a scene, for the
 * tests that drive the live engine. The scene holds its own references.
 */
#ifndef TERRAIND_TEST_DEMO_SCENE_H
#define TERRAIND_TEST_DEMO_SCENE_H

#include "engine.h"
#include "terrain_json.h"
#include "test_util.h"

/* A scene of `model_path` and `terrain_path` for up to 8 voices. */
static inline scene *test_scene(const char *model_path, const char *terrain_path, int device_rate, float smooth_ms)
{
	model *m;
	terrain *t;
	scene *s;
	char err[1024], warn[256];
	if (model_load(model_path, NULL, &m, err, sizeof err) < 0 ||
	    terrain_load(terrain_path, &t, err, sizeof err) < 0 ||
	    scene_create(m, t, smooth_ms, device_rate, 8, &s, err, sizeof err, warn, sizeof warn) < 0)
		fail_msg("%s", err);
	model_free(m);
	terrain_free(t);
	return s;
}

static inline scene *demo_scene(int device_rate, float smooth_ms)
{
	return test_scene("models/demo.ts", "terrains/demo.json", device_rate, smooth_ms);
}

#endif
