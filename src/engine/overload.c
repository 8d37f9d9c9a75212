/*
 * overload.c — keeping up: how much audio the render thread keeps ahead
 * (fill_target.h), its margin after xruns, and what happens when frames
 * take longer to make than they last (voices shed, then real-time priority
 * given up until it keeps up again).
 */
#include "engine_internal.h"

#include <pthread.h>
#include <sched.h>

#include "fill_target.h"

/* The render thread renders the next latent frame when less than this much
 * audio is left in the ring. Lower means less latency (a cursor move waits
 * behind less audio); the floor is what the decode needs to finish before
 * the ring runs dry, with the callback taking a period at a time. */
size_t engine_render_threshold(const engine *e, const scene *s)
{
	if (e->ring_fixed)
		return e->ring_extra;
	/* The decode's cost: the model's warm-up decode, or what frames took
	 * lately if more (a batch of voices costs more than one). */
	double cost_ms = s->model->decode_ms;
	if ((double)e->recent_render_ns * 1e-6 > cost_ms)
		cost_ms = (double)e->recent_render_ns * 1e-6;
	return fill_target_frames(e->period, e->device_rate, cost_ms, e->caution);
}

/* Real-time priority for the render thread, below the audio callback's
 * (JACK gives its clients priority 5 and up by default): without it, any
 * busy process on a 2-core machine can delay a decode past the ring's
 * slack. Best effort: without the right (rtprio limit), it runs as a
 * normal thread and the daemon says so. */
int engine_set_realtime(int on)
{
	struct sched_param param = {.sched_priority = on ? 2 : 0};
	return pthread_setschedparam(pthread_self(), on ? SCHED_FIFO : SCHED_OTHER, &param) == 0;
}

/* A frame that took longer to make than it lasts: shed a voice after a
 * few in a row; with one left, give up real-time priority (a decode that
 * cannot keep up must not hold a core at real-time priority forever). */
void overload_watch(engine *e, int64_t took_ns, const scene *s)
{
	int64_t lasts_ns = (int64_t)(1e9 * call_samples(s) / s->model->sample_rate);
	if (took_ns <= lasts_ns) {
		e->behind = 0;
		if (e->demoted && ++e->on_time >= RECOVER_FRAMES && e->realtime) {
			atomic_store(&e->realtime_now, engine_set_realtime(1));
			e->demoted = 0;
		}
		return;
	}
	atomic_fetch_add(&e->overloaded, 1);
	e->on_time = 0;
	if (++e->behind < OVERLOAD_FRAMES)
		return;
	e->behind = 0;
	int shed = e->shed ? voices_to_shed(&e->voices) : -1;
	if (shed >= 0) {
		voices_release(&e->voices, shed);
		atomic_fetch_add(&e->voices_shed, 1);
	} else if (e->realtime && !e->demoted) {
		engine_set_realtime(0);
		atomic_store(&e->realtime_now, 0);
		e->demoted = 1;
	}
}

/* More margin in the ring after an xrun, less as time passes without. */
void overload_follow_xruns(engine *e, const scene *s)
{
	uint64_t underruns = atomic_load_explicit(&e->underruns, memory_order_relaxed);
	if (underruns != e->underruns_seen) {
		e->underruns_seen = underruns;
		e->caution = fill_caution_after_xrun(e->caution);
	} else {
		e->caution = fill_caution_decay(e->caution, frame_ms(s));
	}
}
