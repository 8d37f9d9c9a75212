/*
 * recorder.c — see recorder.h.
 */
#include "recorder.h"

#include "error.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "log.h"
#include "wav.h"

enum { CHUNK_FRAMES = 4096, CHANNELS = 2 };

struct recorder {
	ring *source;
	wav_writer *wav;
	pthread_t thread;
	atomic_bool running;
	int failed;
	float chunk[CHUNK_FRAMES * CHANNELS];
	char error[512];
};

static void drain(recorder *r)
{
	size_t n;
	while (!r->failed && (n = ring_read(r->source, r->chunk, CHUNK_FRAMES)) > 0)
		if (wav_write(r->wav, r->chunk, (int64_t)n, r->error, sizeof r->error) < 0) {
			r->failed = 1;
			log_error("recording stopped: %s", r->error);
		}
}

static void *recorder_main(void *arg)
{
	recorder *r = arg;
	const struct timespec pause = {0, 20 * 1000 * 1000};
	while (atomic_load(&r->running)) {
		drain(r);
		nanosleep(&pause, NULL);
	}
	drain(r);
	return NULL;
}

int recorder_start(ring *source, const char *path, int sample_rate, recorder **out, char *err, size_t errlen)
{
	*out = NULL;
	recorder *r = calloc(1, sizeof *r);
	if (!r)
		return error_set(err, errlen, "out of memory");
	r->source = source;
	if (wav_open(path, sample_rate, CHANNELS, WAV_FLOAT32, &r->wav, err, errlen) < 0) {
		free(r);
		return -1;
	}
	atomic_store(&r->running, true);
	if (pthread_create(&r->thread, NULL, recorder_main, r) != 0) {
		wav_abort(r->wav);
		free(r);
		return error_set(err, errlen, "cannot start the recorder thread");
	}
	*out = r;
	return 0;
}

int recorder_stop(recorder *r, char *err, size_t errlen)
{
	if (!r)
		return 0;
	atomic_store(&r->running, false);
	pthread_join(r->thread, NULL);
	int rc = wav_close(r->wav, err, errlen);
	if (r->failed)
		rc = error_set(err, errlen, "%s", r->error);
	free(r);
	return rc;
}
