/*
 * audio.c — PortAudio output, float32, interleaved, 1 or 2 channels.
 */
#include "audio.h"

#include "error.h"

#include <ctype.h>
#include <fcntl.h>
#include <pa_jack.h>
#include <portaudio.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

struct audio_stream {
	pthread_mutex_t lock; /* guards `stream` against status readers (non-RT threads only) */
	PaDeviceIndex device;
	char name[256];
	int rate, period, channels;
	PaStream *stream;
	engine *engine;
	atomic_uint_fast64_t underflows;
};

int audio_init(char *err, size_t errlen)
{
	/* JACK shows this name in the graph ("terraind:out_0"; a second
	 * daemon on the same server gets "terraind-01"). */
	PaJack_SetClientName(AUDIO_JACK_CLIENT_NAME);
	/* PortAudio probes every back end; ALSA without a card and JACK
	 * without a server print pages of noise to stderr. Hide it. */
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	int devnull = open("/dev/null", O_WRONLY);
	if (saved >= 0 && devnull >= 0)
		dup2(devnull, STDERR_FILENO);
	PaError rc = Pa_Initialize();
	if (saved >= 0) {
		dup2(saved, STDERR_FILENO);
		close(saved);
	}
	if (devnull >= 0)
		close(devnull);
	if (rc != paNoError)
		return error_set(err, errlen, "cannot initialise PortAudio: %s", Pa_GetErrorText(rc));
	return 0;
}

/* Set when a stream was left open because its server died: Pa_Terminate
 * would try to close it and hang (see close_stream). */
static atomic_int abandoned_streams;

void audio_terminate(void)
{
	if (!atomic_load(&abandoned_streams))
		Pa_Terminate();
}

int audio_list_devices(FILE *out)
{
	int n = Pa_GetDeviceCount();
	int outputs = 0;
	PaDeviceIndex def = Pa_GetDefaultOutputDevice();
	for (int i = 0; i < n; i++) {
		const PaDeviceInfo *info = Pa_GetDeviceInfo(i);
		if (!info || info->maxOutputChannels < 1)
			continue;
		outputs++;
		fprintf(out, "%c %2d  %-40s  %-28s  %2d ch  %6.0f Hz\n", i == def ? '*' : ' ', i, info->name,
		        Pa_GetHostApiInfo(info->hostApi)->name, info->maxOutputChannels, info->defaultSampleRate);
	}
	if (outputs == 0)
		fprintf(out, "no output devices: start JACK (e.g. jackd -d dummy -r 48000 -p 128 &, or -d alsa) or "
		             "connect a sound card\n");
	return outputs;
}

static int name_matches(const char *name, const char *pattern)
{
	size_t n = strlen(pattern);
	for (const char *p = name; *p; p++)
		if (strncasecmp(p, pattern, n) == 0)
			return 1;
	return 0;
}

static PaDeviceIndex find_device(const char *device, char *err, size_t errlen)
{
	int n = Pa_GetDeviceCount();
	if (n <= 0) {
		error_set(err, errlen,
		          "no audio device found: start JACK (jackd -d dummy -r 48000 -p 128 & for a "
		          "silent test, or jackd -d alsa) or connect a sound card, then try again");
		return paNoDevice;
	}
	if (!device[0]) {
		PaDeviceIndex def = Pa_GetDefaultOutputDevice();
		if (def == paNoDevice)
			error_set(err, errlen,
			          "there is no default output device: choose one with --device (see "
			          "terraind devices)");
		return def;
	}
	char *end;
	long index = strtol(device, &end, 10);
	if (*end == '\0') {
		const PaDeviceInfo *info = index >= 0 && index < n ? Pa_GetDeviceInfo((PaDeviceIndex)index) : NULL;
		if (info && info->maxOutputChannels > 0)
			return (PaDeviceIndex)index;
		error_set(err, errlen, "device %ld is not an output device (see terraind devices)", index);
		return paNoDevice;
	}
	for (int i = 0; i < n; i++) {
		const PaDeviceInfo *info = Pa_GetDeviceInfo(i);
		if (info && info->maxOutputChannels > 0 && name_matches(info->name, device))
			return i;
	}
	error_set(err, errlen, "no output device matches \"%s\" (see terraind devices)", device);
	return paNoDevice;
}

static PaStreamParameters output_parameters(const audio_stream *s)
{
	const PaDeviceInfo *info = Pa_GetDeviceInfo(s->device);
	PaStreamParameters p = {.device = s->device,
	                        .channelCount = s->channels,
	                        .sampleFormat = paFloat32,
	                        .suggestedLatency = info->defaultLowOutputLatency,
	                        .hostApiSpecificStreamInfo = NULL};
	return p;
}

int audio_choose(const char *device, int preferred_rate, int period, audio_stream **out, char *err, size_t errlen)
{
	*out = NULL;
	PaDeviceIndex index = find_device(device, err, errlen);
	if (index == paNoDevice)
		return -1;
	audio_stream *s = calloc(1, sizeof *s);
	if (!s)
		return error_set(err, errlen, "out of memory");
	const PaDeviceInfo *info = Pa_GetDeviceInfo(index);
	pthread_mutex_init(&s->lock, NULL);
	s->device = index;
	snprintf(s->name, sizeof s->name, "%s", info->name);
	s->channels = info->maxOutputChannels >= 2 ? 2 : 1;
	s->period = period;
	PaStreamParameters p = output_parameters(s);
	s->rate = preferred_rate;
	if (Pa_IsFormatSupported(NULL, &p, preferred_rate) != paFormatIsSupported) {
		s->rate = (int)info->defaultSampleRate;
		log_info("%s cannot run at %d Hz: opening it at %d Hz and resampling", s->name, preferred_rate,
		         s->rate);
	}
	*out = s;
	return 0;
}

int audio_rate(const audio_stream *s)
{
	return s->rate;
}

int audio_period(const audio_stream *s)
{
	return s->period;
}

const char *audio_device_name(const audio_stream *s)
{
	return s->name;
}

/* RT: the audio callback. */
static int audio_callback(const void *input, void *output, unsigned long frames, const PaStreamCallbackTimeInfo *time,
                          PaStreamCallbackFlags flags, void *user)
{
	(void)input;
	(void)time;
	audio_stream *s = user;
	if (flags & paOutputUnderflow)
		atomic_fetch_add_explicit(&s->underflows, 1, memory_order_relaxed);
	engine_pull(s->engine, output, frames, s->channels);
	return paContinue;
}

int audio_start(audio_stream *s, engine *e, char *err, size_t errlen)
{
	s->engine = e;
	PaStreamParameters p = output_parameters(s);
	PaError rc =
	    Pa_OpenStream(&s->stream, NULL, &p, s->rate, (unsigned long)s->period, paClipOff, audio_callback, s);
	if (rc == paNoError && (rc = Pa_StartStream(s->stream)) != paNoError) {
		Pa_CloseStream(s->stream);
		s->stream = NULL;
	}
	if (rc != paNoError)
		return error_set(err, errlen, "cannot start audio on %s at %d Hz: %s", s->name, s->rate,
		                 Pa_GetErrorText(rc));
	return 0;
}

/* Stops and closes the PortAudio stream, unless its server went away:
 * PortAudio's JACK back end asserts when it cannot deactivate a client
 * whose server is gone; that stream's memory is the only loss. */
static int close_stream(audio_stream *s)
{
	int abandoned = 0;
	pthread_mutex_lock(&s->lock);
	if (s->stream && Pa_IsStreamActive(s->stream) == 1) {
		Pa_StopStream(s->stream);
		Pa_CloseStream(s->stream);
	} else if (s->stream) {
		atomic_store(&abandoned_streams, 1);
		abandoned = 1;
	}
	s->stream = NULL;
	pthread_mutex_unlock(&s->lock);
	return abandoned;
}

int audio_close(audio_stream *s)
{
	if (!s)
		return 0;
	int abandoned = close_stream(s);
	pthread_mutex_destroy(&s->lock);
	free(s);
	return abandoned;
}

int audio_jack_client(const audio_stream *s, char *name, size_t len, char *err, size_t errlen)
{
	const PaDeviceInfo *info = Pa_GetDeviceInfo(s->device);
	const PaHostApiInfo *api = info ? Pa_GetHostApiInfo(info->hostApi) : NULL;
	const char *client = NULL;
	if (!api || api->type != paJACK)
		return error_set(err, errlen, "terraind plays through %s (%s), not through JACK", s->name,
		                 api ? api->name : "an unknown host API");
	/* PortAudio's client name belongs to libjack: not freed here, whatever
	 * pa_jack.h says (19.6 returns jack_get_client_name's own buffer). */
	if (PaJack_GetClientName(&client) != paNoError || !client)
		return error_set(err, errlen, "PortAudio does not say which JACK client it opened");
	snprintf(name, len, "%s", client);
	return 0;
}

double audio_cpu_load(audio_stream *s)
{
	pthread_mutex_lock(&s->lock);
	double load = s->stream ? Pa_GetStreamCpuLoad(s->stream) : 0.0;
	pthread_mutex_unlock(&s->lock);
	return load;
}

uint64_t audio_device_underflows(const audio_stream *s)
{
	return atomic_load(&s->underflows);
}

int audio_stopped(audio_stream *s)
{
	pthread_mutex_lock(&s->lock);
	int stopped = !s->stream || Pa_IsStreamActive(s->stream) != 1;
	pthread_mutex_unlock(&s->lock);
	return stopped;
}
