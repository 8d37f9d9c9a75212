/*
 * retire.c — what the render thread is done with (scenes, gestures) goes
 * back to the worker, which frees it: memory is never freed on a real-time
 * thread. What the retire ring cannot take yet waits on intrusive lists,
 * oldest first, so nothing is ever dropped or leaked when the worker is
 * slow to collect (it may be training for seconds).
 */
#include "engine_internal.h"

static void defer(deferred_list *d, scene *s, gesture *g)
{
	if (s) {
		s->retired_next = NULL;
		if (d->last_scene)
			d->last_scene->retired_next = s;
		else
			d->scenes = s;
		d->last_scene = s;
	}
	if (g) {
		g->retired_next = NULL;
		if (d->last_gesture)
			d->last_gesture->retired_next = g;
		else
			d->gestures = g;
		d->last_gesture = g;
	}
}

/* Hands what was deferred to the ring while it has room, oldest first. */
void engine_hand_over_deferred(engine *e)
{
	deferred_list *d = &e->deferred;
	while (d->scenes || d->gestures) {
		retired item = {d->scenes, d->scenes ? NULL : d->gestures};
		/* The next link is read before the hand-over: once in the ring,
		 * the worker may free the item at any moment (TSan caught it). */
		scene *next_scene = item.scene ? item.scene->retired_next : NULL;
		gesture *next_gesture = item.scene ? NULL : item.gesture->retired_next;
		if (ring_write(e->retire, &item, 1) != 1)
			return;
		if (item.scene) {
			d->scenes = next_scene;
			if (!d->scenes)
				d->last_scene = NULL;
		} else {
			d->gestures = next_gesture;
			if (!d->gestures)
				d->last_gesture = NULL;
		}
	}
}

/* Passes a scene or gesture the render thread is done with to the worker,
 * which frees it: memory is never freed on a real-time thread, and nothing
 * is dropped (or leaked) when the worker is slow to collect. */
void engine_retire(engine *e, scene *s, gesture *g)
{
	engine_hand_over_deferred(e);
	retired item = {s, g};
	if (e->deferred.scenes || e->deferred.gestures || ring_write(e->retire, &item, 1) != 1)
		defer(&e->deferred, s, g);
}

int engine_collect(engine *e)
{
	retired item;
	int freed = 0;
	while (ring_read(e->retire, &item, 1) == 1) {
		scene_free(item.scene);
		gesture_free(item.gesture);
		freed++;
	}
	return freed;
}

void engine_free_deferred(engine *e)
{
	for (scene *s = e->deferred.scenes, *next; s; s = next) {
		next = s->retired_next;
		scene_free(s);
	}
	for (gesture *g = e->deferred.gestures, *next; g; g = next) {
		next = g->retired_next;
		gesture_free(g);
	}
}
