/*
 * recorder — writes what the audio callback plays to a WAV file.
 *
 * The callback copies its output into a ring (engine_record_ring); this
 * module's thread drains it to disk every few milliseconds. The file is
 * written as "<path>.part" and renamed when recording stops, so a crash
 * never leaves a half-written file under the final name.
 *
 * Threads: recorder_start/recorder_stop on the main thread; the recorder
 * thread is the single consumer of the record ring.
 */
#ifndef TERRAIND_RECORDER_H
#define TERRAIND_RECORDER_H

#include <stddef.h>

#include "ring.h"

typedef struct recorder recorder;

int recorder_start(ring *source, const char *path, int sample_rate, recorder **out, char *err, size_t errlen);
/* Drains what is left, finishes the file. Always frees `r`. */
int recorder_stop(recorder *r, char *err, size_t errlen);

#endif
