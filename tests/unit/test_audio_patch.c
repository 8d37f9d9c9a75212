/* Unit tests for audio_patch.c: a patch replaces the queued audio from its
 * start, after an equal-power crossfade, and the ring's own audio plays
 * before and after it; a consumer that sees it late fades in where it is,
 * with no step; a second patch fades out of the first; the producer gets
 * no slot while the consumer may still read it; producer and consumer on
 * two threads never tear a patch (TSan build: no race either). */
#include "test_util.h"

#include <pthread.h>
#include <time.h>

#include "audio_patch.h"

enum { CAPACITY = 1024, FADE = 64 };

/* The ring's audio (old) and the patches' (new): both channels the same. */
static float old_at(uint64_t at)
{
	return 0.25f + 1e-4f * (float)at;
}

static float new_at(uint64_t at, int k)
{
	return -0.5f - 0.1f * (float)k + 1e-4f * (float)at;
}

static void read_ring(float *stereo, uint64_t pos, size_t frames)
{
	for (size_t i = 0; i < frames; i++)
		stereo[2 * i] = stereo[2 * i + 1] = old_at(pos + i);
}

static void publish(audio_patch *p, uint64_t start, size_t frames, int k)
{
	float *slot = audio_patch_begin(p);
	assert_non_null(slot);
	for (size_t i = 0; i < frames; i++)
		slot[2 * i] = slot[2 * i + 1] = new_at(start + i, k);
	audio_patch_publish(p, start, frames);
}

/* Plays [from, to) in chunks of `chunk` into out (indexed by position). */
static void play(audio_patch *p, float *out, uint64_t from, uint64_t to, size_t chunk)
{
	for (uint64_t pos = from; pos < to; pos += chunk) {
		size_t n = to - pos < chunk ? (size_t)(to - pos) : chunk;
		read_ring(out + 2 * pos, pos, n);
		audio_patch_apply(p, out + 2 * pos, pos, n);
	}
}

static float out_buffer[2 * 4096];

static void a_patch_replaces_the_queued_audio_after_a_crossfade(void **state)
{
	(void)state;
	audio_patch p;
	assert_int_equal(audio_patch_init(&p, CAPACITY, FADE), 0);
	play(&p, out_buffer, 0, 128, 128); /* nothing published: the ring plays */
	publish(&p, 300, 500, 0);
	play(&p, out_buffer, 128, 1024, 128);
	for (uint64_t at = 0; at < 300; at++)
		assert_float_equal(out_buffer[2 * at], old_at(at), 0);
	for (uint64_t at = 300; at < 300 + FADE; at++) { /* equal power: the two weights' squares sum to 1 */
		float up = (out_buffer[2 * at] - old_at(at)) / (new_at(at, 0) - old_at(at));
		assert_true(up >= -1e-4f && up <= 1.0001f);
		if (at > 300)
			assert_true(up >=
			            (out_buffer[2 * at - 2] - old_at(at - 1)) / (new_at(at - 1, 0) - old_at(at - 1)) -
			                1e-4f);
	}
	for (uint64_t at = 300 + FADE; at < 800; at++)
		assert_float_equal(out_buffer[2 * at], new_at(at, 0), 0);
	for (uint64_t at = 800; at < 1024; at++) /* after it, the ring: the producer's newer audio */
		assert_float_equal(out_buffer[2 * at], old_at(at), 0);
	assert_float_equal(out_buffer[2 * 500 + 1], out_buffer[2 * 500], 0);
	audio_patch_destroy(&p);
}

/* Published for position 100 when the consumer is already at 256: it fades
 * in from 256, so no sample jumps by more than the fade's step allows (up
 * to the patch's end, where this test's ring has nothing newer). */
static void a_late_patch_fades_in_where_the_consumer_is(void **state)
{
	(void)state;
	audio_patch p;
	assert_int_equal(audio_patch_init(&p, CAPACITY, FADE), 0);
	play(&p, out_buffer, 0, 256, 128);
	publish(&p, 100, 600, 0);
	play(&p, out_buffer, 256, 1024, 128);
	assert_float_equal(out_buffer[2 * 255], old_at(255), 0);
	float worst = 0;
	for (uint64_t at = 1; at < 700; at++)
		worst = fmaxf(worst, fabsf(out_buffer[2 * at] - out_buffer[2 * at - 2]));
	/* the old and new signals differ by ~0.75: a step without the fade */
	assert_true(worst < 0.75f * 2.0f / FADE);
	assert_float_equal(out_buffer[2 * 500], new_at(500, 0), 0);
	audio_patch_destroy(&p);
}

static void the_producer_waits_until_the_consumer_has_faded_in(void **state)
{
	(void)state;
	audio_patch p;
	assert_int_equal(audio_patch_init(&p, CAPACITY, FADE), 0);
	publish(&p, 200, 400, 0);
	assert_null(audio_patch_begin(&p)); /* not seen yet */
	play(&p, out_buffer, 0, 128, 128);
	assert_null(audio_patch_begin(&p)); /* seen, the fade not begun */
	play(&p, out_buffer, 128, 256, 128);
	assert_null(audio_patch_begin(&p)); /* fading */
	play(&p, out_buffer, 256, 384, 128);
	assert_non_null(audio_patch_begin(&p)); /* faded in: the other slot is free */
	audio_patch_destroy(&p);
}

/* A second patch over the first: the first plays until the second starts,
 * then the fade goes from the first's audio (not the ring's) to the second's. */
static void a_second_patch_fades_out_of_the_first(void **state)
{
	(void)state;
	audio_patch p;
	assert_int_equal(audio_patch_init(&p, CAPACITY, FADE), 0);
	publish(&p, 100, 700, 0);
	play(&p, out_buffer, 0, 256, 128);
	publish(&p, 400, 500, 1);
	play(&p, out_buffer, 256, 1024, 128);
	assert_float_equal(out_buffer[2 * 399], new_at(399, 0), 0);
	float first = (out_buffer[2 * 400] - new_at(400, 0)); /* the fade starts at the first patch's audio */
	assert_true(fabsf(first) < 1e-6f);
	for (uint64_t at = 400 + FADE; at < 900; at++)
		assert_float_equal(out_buffer[2 * at], new_at(at, 1), 0);
	assert_float_equal(out_buffer[2 * 950], old_at(950), 0);
	audio_patch_destroy(&p);
}

/* Two threads: the producer fills a slot with one value throughout and
 * publishes it whenever it may; the consumer checks that every frame it
 * plays from a settled patch is one value (a torn patch would mix two). */
typedef struct race {
	audio_patch p;
	atomic_uint_fast64_t position;
	atomic_int done;
	int torn, patches_seen;
} race;

static void *producer(void *arg)
{
	race *r = arg;
	uint64_t last_start = 0;
	for (int k = 1; !atomic_load(&r->done); k++) {
		float *slot = audio_patch_begin(&r->p);
		uint64_t now = atomic_load(&r->position);
		if (!slot || now < last_start + 256) /* half of the last patch played first */
			continue;
		uint64_t start = last_start = now + 64;
		for (size_t i = 0; i < 512; i++)
			slot[2 * i] = slot[2 * i + 1] = (float)k;
		audio_patch_publish(&r->p, start, 512);
	}
	return NULL;
}

static void producer_and_consumer_on_two_threads_never_tear_a_patch(void **state)
{
	(void)state;
	static race r;
	r = (race){0};
	assert_int_equal(audio_patch_init(&r.p, CAPACITY, 8), 0);
	pthread_t thread;
	assert_int_equal(pthread_create(&thread, NULL, producer, &r), 0);
	float chunk[2 * 64];
	for (uint64_t pos = 0; pos < 64 * 10000; pos += 64) {
		for (int i = 0; i < 128; i++)
			chunk[i] = 0.0f;
		audio_patch_apply(&r.p, chunk, pos, 64);
		/* once faded in, a chunk within one patch holds one whole value */
		if (!r.p.fading && r.p.playing >= 0 && pos >= r.p.fade_start + r.p.fade &&
		    pos + 64 <= r.p.slot[r.p.playing].start + r.p.slot[r.p.playing].frames) {
			r.patches_seen++;
			for (int i = 1; i < 128; i++)
				if (chunk[i] != chunk[0])
					r.torn++;
		}
		atomic_store(&r.position, pos + 64);
		nanosleep(&(struct timespec){0, 20000}, NULL); /* a callback's pace, roughly: the producer runs */
	}
	atomic_store(&r.done, 1);
	pthread_join(thread, NULL);
	print_message("%d chunks played from a patch, %d torn\n", r.patches_seen, r.torn);
	assert_true(r.patches_seen > 100);
	assert_int_equal(r.torn, 0);
	audio_patch_destroy(&r.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_patch_replaces_the_queued_audio_after_a_crossfade),
	    cmocka_unit_test(a_late_patch_fades_in_where_the_consumer_is),
	    cmocka_unit_test(the_producer_waits_until_the_consumer_has_faded_in),
	    cmocka_unit_test(a_second_patch_fades_out_of_the_first),
	    cmocka_unit_test(producer_and_consumer_on_two_threads_never_tear_a_patch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
