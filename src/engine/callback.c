/*
 * callback.c — the audio callback's side of the engine (engine_pull): it
 * copies audio out of the ring (with a re-decode's patch laid over it,
 * audio_patch.h), glides the gain, fades out on request,
 * limits (limiter.h), feeds the recorder's ring, counts xruns and measures
 * latency. Real-time: no locks, no allocation, no I/O; it only posts the
 * render thread's semaphore.
 */
#include "engine_internal.h"

#include <math.h>
#include <string.h>

static void check_latency_probe(engine *e, size_t got)
{
	if (!atomic_load_explicit(&e->probe_armed, memory_order_acquire))
		return;
	uint64_t probe = atomic_load_explicit(&e->probe_frame, memory_order_relaxed);
	if (e->frames_read + got <= probe)
		return;
	atomic_store(&e->latency_ns, clock_now_ns() - atomic_load_explicit(&e->probe_ns, memory_order_relaxed));
	atomic_store_explicit(&e->probe_armed, 0, memory_order_release);
}

/* Gain glide, fade-out and limiter, per sample, on stereo frames. */
static void apply_gain(engine *e, float *stereo, size_t frames)
{
	const float target = engine_get_gain(e);
	const int fading = atomic_load_explicit(&e->fading, memory_order_relaxed);
	const float fade_step = 1.0f / (0.05f * (float)e->device_rate); /* 50 ms to silence */
	int limited = 0;
	for (size_t i = 0; i < frames; i++) {
		e->gain_now += (target - e->gain_now) * e->gain_step;
		if (fading && e->fade_level > 0.0f)
			e->fade_level = fmaxf(0.0f, e->fade_level - fade_step);
		float g = e->gain_now * e->fade_level;
		stereo[2 * i] *= g;
		stereo[2 * i + 1] *= g;
		limited |= limiter_frame(&e->limiter, stereo + 2 * i);
	}
	if (limited)
		atomic_fetch_add_explicit(&e->limited, 1, memory_order_relaxed);
	if (fading && e->fade_level <= 0.0f)
		atomic_store(&e->faded, 1);
}

void engine_pull(engine *e, float *out, unsigned long frames, int channels)
{
	float chunk[PULL_CHUNK * ENGINE_CHANNELS];
	int short_read = 0;
	for (unsigned long done = 0; done < frames;) {
		size_t want = frames - done < PULL_CHUNK ? frames - done : PULL_CHUNK;
		size_t got = ring_read(e->audio, chunk, want);
		audio_patch_apply(&e->patch, chunk, e->frames_read, got); /* a re-decode's audio over the queued */
		check_latency_probe(e, got);
		e->frames_read += got;
		if (got < want) {
			memset(chunk + got * ENGINE_CHANNELS, 0, sizeof(float) * ENGINE_CHANNELS * (want - got));
			short_read = 1;
		}
		apply_gain(e, chunk, want);
		if (e->record) { /* the recorder's thread fell behind: the file loses what does not fit */
			size_t kept = ring_write(e->record, chunk, want);
			if (kept < want)
				atomic_fetch_add_explicit(&e->record_lost, want - kept, memory_order_relaxed);
		}
		for (size_t i = 0; i < want; i++) {
			if (channels == 1)
				out[done + i] = 0.5f * (chunk[2 * i] + chunk[2 * i + 1]);
			else
				for (int c = 0; c < channels; c++)
					out[(done + i) * (size_t)channels + (size_t)c] =
					    c < 2 ? chunk[2 * i + (size_t)c] : 0.0f;
		}
		done += want;
	}
	swap_check_audible(e);
	if (short_read)
		atomic_fetch_add(&e->underruns, 1);
	atomic_fetch_add(&e->frames_out, frames);
	atomic_store_explicit(&e->pull_frames, frames, memory_order_relaxed);
	if (ring_readable(e->audio) < atomic_load_explicit(&e->target_fill, memory_order_relaxed))
		sem_post(&e->wake);
}

void engine_set_gain(engine *e, float gain)
{
	atomic_store(&e->gain_bits, float_bits(gain));
}

float engine_get_gain(const engine *e)
{
	return bits_float(atomic_load(&e->gain_bits));
}

void engine_fade_out(engine *e)
{
	atomic_store(&e->fading, 1);
}

int engine_faded(const engine *e)
{
	return atomic_load(&e->faded);
}
