/* Real-time safety, proven: while the audio callback's code runs
 * (engine_pull), any call to an allocator, a lock, a sleep or blocking I/O
 * is counted by interposed versions of those functions, and the test fails
 * if there was one. The render thread runs meanwhile, cursor events, gain
 * changes, gestures and scene swaps keep arriving. */
#include "test_util.h"

#include <dlfcn.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "demo_scene.h"
#include "looper.h"
#include "midi_in.h"

/* volatile: the compiler treats malloc as a builtin that reads no global,
 * and would otherwise drop the store around it. */
static __thread volatile int in_callback;
static atomic_int violations;
static const char *_Atomic last_violation;

static void note(const char *what)
{
	if (in_callback) {
		atomic_fetch_add(&violations, 1);
		atomic_store(&last_violation, what);
	}
}

/* ASan and TSan interpose the allocator themselves: this test's own
 * interposition cannot coexist with theirs, so it is compiled, and runs,
 * in the normal build only (main() reports the skip). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZER_BUILD 1
#else
#define SANITIZER_BUILD 0
#endif
#if !SANITIZER_BUILD
#include "../alloc_interpose.h"

static void alloc_observed(alloc_call call)
{
	note(alloc_call_names[call]);
}

/* The rest resolve the real function on first use. */
#define INTERPOSE(ret, name, params, args)                                                                             \
	ret name params                                                                                                \
	{                                                                                                              \
		static ret(*real) params;                                                                              \
		if (!real)                                                                                             \
			real = (ret(*) params)dlsym(RTLD_NEXT, #name);                                                 \
		note(#name);                                                                                           \
		return real args;                                                                                      \
	}

INTERPOSE(int, pthread_mutex_lock, (pthread_mutex_t * m), (m))
INTERPOSE(int, pthread_cond_wait, (pthread_cond_t * c, pthread_mutex_t *m), (c, m))
INTERPOSE(int, pthread_cond_timedwait, (pthread_cond_t * c, pthread_mutex_t *m, const struct timespec *t), (c, m, t))
INTERPOSE(int, sem_wait, (sem_t * s), (s))
INTERPOSE(int, sem_timedwait, (sem_t * s, const struct timespec *t), (s, t))
INTERPOSE(int, nanosleep, (const struct timespec *a, struct timespec *b), (a, b))
INTERPOSE(int, usleep, (useconds_t u), (u))
INTERPOSE(ssize_t, write, (int fd, const void *b, size_t n), (fd, b, n))
INTERPOSE(ssize_t, read, (int fd, void *b, size_t n), (fd, b, n))
INTERPOSE(ssize_t, sendto, (int fd, const void *b, size_t n, int f, const struct sockaddr *a, socklen_t l),
          (fd, b, n, f, a, l))
INTERPOSE(ssize_t, recvfrom, (int fd, void *b, size_t n, int f, struct sockaddr *a, socklen_t *l), (fd, b, n, f, a, l))
#endif

enum { RATE = 48000, PERIOD = 128 };

static void the_interposition_catches_a_forbidden_call(void **state)
{
	(void)state;
	atomic_store(&violations, 0);
	in_callback = 1;
	void *volatile p = malloc(16); /* volatile: the compiler may not elide the pair */
	in_callback = 0;
	free(p);
	assert_int_equal(atomic_load(&violations), 1);
	assert_string_equal(atomic_load(&last_violation), "malloc");
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	in_callback = 1;
	pthread_mutex_lock(&lock);
	in_callback = 0;
	pthread_mutex_unlock(&lock);
	assert_int_equal(atomic_load(&violations), 2);
	assert_string_equal(atomic_load(&last_violation), "pthread_mutex_lock");
	atomic_store(&violations, 0);
}

static void the_audio_callback_path_never_allocates_locks_or_blocks(void **state)
{
	(void)state;
	engine *e;
	char err[256];
	assert_int_equal(engine_create(RATE, PERIOD, 40, 1, &e, err, sizeof err), 0);
	assert_int_equal(engine_start(e, demo_scene(RATE, 20), err, sizeof err), 0);
	static float out[PERIOD * 2];
	atomic_store(&violations, 0);
	for (int cycle = 0; cycle < 1500; cycle++) {
		if (cycle % 7 == 0) {
			control_event ev = {
			    .type = CONTROL_TARGET, .dim = 2, .value = {cycle % 2 ? 0.5f : -0.5f, 0.3f}};
			engine_send(e, &ev);
		}
		if (cycle % 100 == 50)
			engine_set_gain(e, cycle % 200 ? 0.5f : 1.0f);
		if (cycle == 600) {
			engine_publish(e, demo_scene(RATE, 20)); /* a swap while playing */
		}
		if (cycle == 900) {
			gesture *g;
			assert_int_equal(gesture_from_json("[[0, 0, 0], [0.5, 1, 1]]", "g", &g, err, sizeof err), 0);
			control_event ev = {.type = CONTROL_GESTURE, .gesture = g};
			engine_send(e, &ev);
		}
		if (cycle == 1400)
			engine_fade_out(e);
		in_callback = 1;
		engine_pull(e, out, PERIOD, cycle % 2 ? 2 : 1);
		in_callback = 0;
		engine_collect(e);
		nanosleep(&(struct timespec){0, 1000000000L * PERIOD / RATE}, NULL);
	}
	engine_stats s;
	engine_stats_read(e, &s);
	engine_free(e);
	if (atomic_load(&violations))
		fail_msg("the callback path called %s (%d forbidden calls)", atomic_load(&last_violation),
		         atomic_load(&violations));
	assert_int_equal(s.swaps, 1);
	assert_true(s.frames_rendered > 100);
}

/* The looper's render-thread side (looper.h): recording, playing,
 * overdubbing, undo, a take filling up, a loaded gesture, with the
 * interposition armed around every call. */
static void the_looper_never_allocates_locks_or_blocks(void **state)
{
	(void)state;
	looper *l;
	assert_int_equal(looper_create(8, &l), 0);
	gesture *g;
	char err[256];
	assert_int_equal(gesture_from_json("[[0, 0, 0], [0.5, 1, 1]]", "g", &g, err, sizeof err), 0);
	static loop_output out[LOOPER_LOOPS];
	const loop_op script[] = {LOOP_RECORD, LOOP_RECORD, LOOP_OVERDUB, LOOP_OVERDUB, LOOP_UNDO, LOOP_REDO,
	                          LOOP_STOP,   LOOP_PLAY,   LOOP_RECORD,  LOOP_UNDO,    LOOP_LOAD, LOOP_CLEAR};
	float xy[2] = {0.1f, 0.2f}, z[4] = {0};
	atomic_store(&violations, 0);
	in_callback = 1;
	for (int frame = 0; frame < LOOPER_MAX_FRAMES + 2000; frame++) {
		if (frame % 97 == 0) {
			loop_command c = {
			    .op = script[(frame / 97) % 12], .loop = frame % 3, .value = 1.0, .gesture = g};
			looper_command(l, &c);
			loop_command mode = {
			    .op = LOOP_SET, .loop = 2, .key = LOOP_KEY_MODE, .value = LOOP_MODE_LATENT};
			looper_command(l, &mode);
		}
		if (frame == 1000) { /* loop 7 records until its take is full */
			loop_command c = {.op = LOOP_RECORD, .loop = 7};
			looper_command(l, &c);
		}
		looper_advance(l, 0.0107, out);
		for (int n = 0; n < LOOPER_LOOPS; n++)
			if (looper_recording_voice(l, n) >= 0)
				looper_capture(l, n, xy, 2, z, 4);
	}
	in_callback = 0;
	loop_info info;
	looper_info(l, 7, &info);
	gesture_free(g);
	looper_free(l);
	if (atomic_load(&violations))
		fail_msg("the looper called %s (%d forbidden calls)", atomic_load(&last_violation),
		         atomic_load(&violations));
	assert_int_equal(info.full_count, 1);
}

/* What JACK's process callback does with MIDI (midi_jack.c): the resets
 * asked for, then each event into the inbox (long SysEx cut into chunks,
 * a full ring dropping). Its one system call, the non-blocking eventfd
 * write that wakes the network thread, stays out of the count, as the
 * audio callback's semaphore post does. */
static void the_midi_inbox_producer_never_allocates_locks_or_blocks(void **state)
{
	(void)state;
	midi_inbox box = {.ring = ring_create(256, sizeof(midi_chunk)), .wake_fd = -1};
	uint8_t note[] = {0x91, 60, 100}, sysex[100];
	memset(sysex, 0x11, sizeof sysex);
	sysex[0] = 0xF0, sysex[99] = 0xF7;
	static midi_chunk out[64];
	atomic_store(&violations, 0);
	for (int i = 0; i < 20000; i++) {
		if (i % 50 == 0)
			midi_inbox_reset(&box, i % 16); /* the MIDI thread asks */
		in_callback = 1;
		midi_inbox_take_resets(&box);
		midi_inbox_push(&box, i % 16, i % 10 ? note : sysex, i % 10 ? sizeof note : sizeof sysex, i);
		in_callback = 0;
		if (i % 50 == 0) /* the network thread reads less than comes: the ring fills and drops */
			ring_read(box.ring, out, 64);
	}
	uint64_t dropped = ring_dropped(box.ring);
	ring_free(box.ring);
	if (atomic_load(&violations))
		fail_msg("the MIDI inbox called %s (%d forbidden calls)", atomic_load(&last_violation),
		         atomic_load(&violations));
	assert_true(dropped > 0);
}

int main(void)
{
#if SANITIZER_BUILD
	/* Exit status 77: skipped (tests/run.sh), not passed. */
	puts("skipped in a sanitizer build: ASan and TSan interpose malloc and free, as this test must; "
	     "it runs in the normal build");
	return 77;
#endif
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(the_interposition_catches_a_forbidden_call),
	    cmocka_unit_test(the_audio_callback_path_never_allocates_locks_or_blocks),
	    cmocka_unit_test(the_looper_never_allocates_locks_or_blocks),
	    cmocka_unit_test(the_midi_inbox_producer_never_allocates_locks_or_blocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
