/*
 * wav.c — thin libsndfile wrapper with atomic file replacement (atomic_file).
 */
#include "wav.h"

#include "atomic_file.h"
#include "error.h"

#include <sndfile.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct wav_writer {
	SNDFILE *file;
	atomic_file out; /* the WAV is written to PATH.part, renamed when complete */
};

int wav_open(const char *path, int sample_rate, int channels, wav_sample_format format, wav_writer **out, char *err,
             size_t errlen)
{
	*out = NULL;
	wav_writer *w = calloc(1, sizeof *w);
	if (!w)
		return error_set(err, errlen, "out of memory");
	if (atomic_file_open(&w->out, path, err, errlen) < 0) {
		free(w);
		return -1;
	}
	SF_INFO info = {.samplerate = sample_rate,
	                .channels = channels,
	                .format = SF_FORMAT_WAV | (format == WAV_FLOAT32 ? SF_FORMAT_FLOAT : SF_FORMAT_PCM_16)};
	/* libsndfile writes through the descriptor; the FILE is only closed
	 * (and renamed) by atomic_file_commit. */
	w->file = sf_open_fd(fileno(w->out.f), SFM_WRITE, &info, SF_FALSE);
	if (!w->file) {
		error_set(err, errlen, "cannot write %s: %s", path, sf_strerror(NULL));
		atomic_file_abort(&w->out);
		free(w);
		return -1;
	}
	/* Clip instead of wrapping around when a float exceeds ±1 in PCM. */
	sf_command(w->file, SFC_SET_CLIPPING, NULL, SF_TRUE);
	/* Float files would get a PEAK chunk, which holds the time of writing:
	 * the same render must give the same bytes. */
	sf_command(w->file, SFC_SET_ADD_PEAK_CHUNK, NULL, SF_FALSE);
	*out = w;
	return 0;
}

int wav_write(wav_writer *w, const float *interleaved, int64_t frames, char *err, size_t errlen)
{
	if (sf_writef_float(w->file, interleaved, frames) != frames)
		return error_set(err, errlen, "cannot write %s: %s", w->out.part, sf_strerror(w->file));
	return 0;
}

int wav_close(wav_writer *w, char *err, size_t errlen)
{
	int rc;
	if (sf_close(w->file) != 0) {
		rc = error_set(err, errlen, "cannot finish %s (the partial file is %s)", w->out.path, w->out.part);
		fclose(w->out.f); /* the partial recording is kept */
	} else {
		rc = atomic_file_commit(&w->out, err, errlen);
	}
	free(w);
	return rc;
}

void wav_abort(wav_writer *w)
{
	sf_close(w->file);
	atomic_file_abort(&w->out);
	free(w);
}

int wav_read(const char *path, float **samples, int64_t *frames, int *channels, int *sample_rate, char *err,
             size_t errlen)
{
	*samples = NULL;
	SF_INFO info;
	memset(&info, 0, sizeof info);
	SNDFILE *f = sf_open(path, SFM_READ, &info);
	if (!f)
		return error_set(err, errlen, "cannot read %s: %s", path, sf_strerror(NULL));
	if (info.frames <= 0 || info.channels <= 0 || info.frames > (int64_t)1 << 32) {
		sf_close(f);
		return error_set(err, errlen, "%s holds no audio", path);
	}
	float *buf = malloc(sizeof(float) * (size_t)info.frames * (size_t)info.channels);
	if (!buf) {
		sf_close(f);
		return error_set(err, errlen, "out of memory reading %s", path);
	}
	sf_count_t got = sf_readf_float(f, buf, info.frames);
	sf_close(f);
	if (got <= 0) {
		free(buf);
		return error_set(err, errlen, "cannot decode the audio in %s", path);
	}
	*samples = buf;
	*frames = got;
	*channels = info.channels;
	*sample_rate = info.samplerate;
	return 0;
}
