/*
 * wav — audio files through libsndfile: writing renders and recordings,
 * reading corpora and test signals.
 *
 * A writer writes to "<path>.part" and renames on wav_close(): a crash or a
 * full disk never leaves a truncated file under the final name, and never
 * replaces a good previous file with a broken one.
 *
 * Threads: non-RT only (file I/O).
 */
#ifndef TERRAIND_WAV_H
#define TERRAIND_WAV_H

#include <stddef.h>
#include <stdint.h>

typedef struct wav_writer wav_writer;

typedef enum wav_sample_format { WAV_PCM16, WAV_FLOAT32 } wav_sample_format;

int wav_open(const char *path, int sample_rate, int channels, wav_sample_format format, wav_writer **out, char *err,
             size_t errlen);
int wav_write(wav_writer *w, const float *interleaved, int64_t frames, char *err, size_t errlen);
/* Finishes the file and moves it into place. Always frees `w`. */
int wav_close(wav_writer *w, char *err, size_t errlen);
/* Gives up: deletes the partial file, leaves any previous file alone. */
void wav_abort(wav_writer *w);

/* Reads a whole file as interleaved floats (caller frees *samples). */
int wav_read(const char *path, float **samples, int64_t *frames, int *channels, int *sample_rate, char *err,
             size_t errlen);

#endif
