/*
 * audio — the PortAudio output stream. Its callback is the only real-time
 * thread terraind owns: it calls engine_pull() and counts the device's own
 * underflows, nothing else.
 *
 * Threads: everything here on the main thread except the callback.
 */
#ifndef TERRAIND_AUDIO_H
#define TERRAIND_AUDIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine.h"

typedef struct audio_stream audio_stream;

/* The JACK client name PortAudio asks for (JACK may add a suffix). */
#define AUDIO_JACK_CLIENT_NAME "terraind"

/* Initialises PortAudio (silencing the probe noise of absent ALSA/JACK
 * back ends). Call once before anything else here. audio_terminate() is
 * skipped when a stream had to be abandoned (its JACK server died):
 * PortAudio would hang closing it. */
int audio_init(char *err, size_t errlen);
void audio_terminate(void);

/* Prints every output device: index, name, host API, channels, rate. */
int audio_list_devices(FILE *out);

/* Chooses a device ("" = default output, a number = index, else a name
 * substring) and a rate: `preferred_rate` if the device supports it, else
 * its own default. Opens nothing yet. */
int audio_choose(const char *device, int preferred_rate, int period, audio_stream **out, char *err, size_t errlen);
int audio_rate(const audio_stream *s);
/* Frames per callback, as configured. */
int audio_period(const audio_stream *s);
const char *audio_device_name(const audio_stream *s);

/* Opens and starts the stream, playing `engine`. */
int audio_start(audio_stream *s, engine *e, char *err, size_t errlen);
/* Stops and closes the stream; returns 1 when it had to be abandoned (its
 * JACK server went away: PortAudio cannot close it without hanging), 0
 * otherwise. An abandoned stream's callback thread is never joined: what
 * the callback reads (the engine) must then outlive the process. */
int audio_close(audio_stream *s);

/* The JACK client PortAudio opened for the stream ("terraind", or
 * "terraind-01" beside another), when the stream plays through JACK;
 * -1 with a sentence otherwise (ALSA, OSS). */
int audio_jack_client(const audio_stream *s, char *name, size_t len, char *err, size_t errlen);

double audio_cpu_load(audio_stream *s);
uint64_t audio_device_underflows(const audio_stream *s);
/* True when the stream stopped on its own (e.g. the JACK server went away). */
int audio_stopped(audio_stream *s);

#endif
