/*
 * model_describe.c — what a model offers, in words: `terraind info`'s
 * report and its verdict, and which BLAS libtorch runs on (model.h).
 */
#include "model.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blas_kernels.h"
#include "torch_backend.h"

void model_blas_kernels(char *buf, size_t len)
{
	char *(*corename)(void) = (char *(*)(void))dlsym(RTLD_DEFAULT, "openblas_get_corename");
	if (corename)
		snprintf(buf, len, "kernels %s (%s)", corename(), blas_kernels_text());
	else
		snprintf(buf, len, "kernels: %s", blas_kernels_text());
}

void model_blas_library(char *buf, size_t len)
{
	/* libtorch calls the Fortran BLAS symbol sgemm_; whichever library the
	 * dynamic linker bound it to is the BLAS that runs every convolution. */
	void *sym = dlsym(RTLD_DEFAULT, "sgemm_");
	Dl_info info;
	if (!sym || !dladdr(sym, &info) || !info.dli_fname) {
		snprintf(buf, len, "unknown (no sgemm_ symbol found)");
		return;
	}
	char real[PATH_MAX];
	const char *file = realpath(info.dli_fname, real) ? real : info.dli_fname;
	/* OpenBLAS may be loaded for LAPACK while another library (BLIS) has
	 * sgemm_: its configuration describes the BLAS only when sgemm_ is
	 * OpenBLAS's (Debian's OpenBLAS libblas.so.3 lies in an openblas folder) */
	char *(*openblas_config)(void) = (char *(*)(void))dlsym(RTLD_DEFAULT, "openblas_get_config");
	const int openblas = openblas_config && strstr(file, "openblas");
	char kernels[400];
	model_blas_kernels(kernels, sizeof kernels);
	if (openblas)
		snprintf(buf, len, "%s (OpenBLAS %s), %s", file, openblas_config(), kernels);
	else if (strstr(file, "blis"))
		snprintf(buf, len, "%s (BLIS)", file);
	else
		snprintf(buf, len, "%s%s", file,
		         strstr(file, "openblas") ? ""
		                                  : " (not OpenBLAS: expect slow decoding; "
		                                    "apt-get install libopenblas0-pthread)");
}

static void describe_method(const model_method *mm, FILE *out)
{
	fprintf(out, "  %-16s in %4d ch × ratio %-5d -> out %4d ch × ratio %d\n", mm->name, mm->in_channels,
	        mm->in_ratio, mm->out_channels, mm->out_ratio);
}

static void describe_methods(const model *m, FILE *out)
{
	fprintf(out, "methods:\n");
	for (int i = 0; i < m->n_methods; i++)
		describe_method(&m->methods[i], out);
	if (m->n_attributes > 0) {
		fprintf(out, "attributes:    ");
		for (int i = 0; i < m->n_attributes; i++)
			fprintf(out, " %s", m->attributes[i]);
		fprintf(out, "\n");
	}
}

static void describe_layout(const model *m, FILE *out)
{
	fprintf(out, "layout:         decode %d latents -> %d audio channel%s (%s)", m->latent_dim, m->audio_channels,
	        m->audio_channels == 1 ? "" : "s", m->audio_channels == 1 ? "mono" : "stereo");
	if (m->has_encode)
		fprintf(out, "; encode %d audio channel%s (%s) -> %d latents\n", m->encode_channels,
		        m->encode_channels == 1 ? "" : "s", m->encode_channels == 1 ? "mono" : "stereo",
		        m->encode_latent_dim);
	else
		fprintf(out, "; no encode\n");
}

static void describe_calls(const model *m, FILE *out)
{
	fprintf(out, "frames per call: %d (%s", m->frames_per_call,
	        m->non_causal ? "a non-causal decoder: it needs context around each frame"
	                      : "a streaming decoder: one frame at a time");
	if (m->max_frames_per_call > 0)
		fprintf(out, "; at most %d per call", m->max_frames_per_call);
	fprintf(out, ")\nlatency:        %d samples per call, %.1f ms of audio (%.1f ms more than one frame)\n",
	        m->ratio * m->frames_per_call, model_call_ms(m), model_call_ms(m) - 1000.0 * m->ratio / m->sample_rate);
	if (m->warmup_ms > 0)
		fprintf(out, "warm-up:        %.1f ms at load%s; one decode call then took %.2f ms\n", m->warmup_ms,
		        m->non_causal ? " (2 s of audio decoded from silence: its STFT state starts empty)" : "",
		        m->decode_ms);
}

static void describe_subframe(const model *m, FILE *out)
{
	if (m->subframe)
		fprintf(
		    out,
		    "sub-frame:      yes: a cursor move is answered within the playing frame (its state is snapshot "
		    "each frame: %.2f MB for one voice, %.2f MB for all; engine.subframe)\n",
		    (double)model_state_bytes(m, 1) / 1e6, (double)model_state_bytes(m, -1) / 1e6);
	else if (m->subframe_note[0])
		fprintf(out, "sub-frame:      no, control at frame rate (every %.1f ms): %s\n", model_call_ms(m),
		        m->subframe_note);
}

static void describe_verdict(const model *m, FILE *out)
{
	if (m->unplayable[0])
		fprintf(out, "verdict:        not playable: %s.\n                What to do: %s.\n", m->unplayable,
		        m->advice);
	else if (m->rate_warning[0])
		fprintf(out, "verdict:        playable, with a warning: %s.\n", m->rate_warning);
	else
		fprintf(out, "verdict:        playable (%s, %d Hz %s, %d frame%s per call)\n",
		        m->audio_channels == 1 ? "mono" : "stereo", m->sample_rate, m->rate_source, m->frames_per_call,
		        m->frames_per_call == 1 ? "" : "s");
}

void model_describe(const model *m, FILE *out)
{
	fprintf(out, "model:          %s\n", m->path);
	fprintf(out, "id:             %s\n", m->id);
	if (m->sample_rate)
		fprintf(out, "sample rate:    %d Hz (%s)\n", m->sample_rate, m->rate_source);
	if (m->unplayable[0]) {
		describe_methods(m, out);
		describe_verdict(m, out);
		return;
	}
	fprintf(out, "audio channels: %d (%s)\n", m->audio_channels, m->audio_channels == 1 ? "mono" : "stereo");
	fprintf(out, "latent size:    %d\n", m->latent_dim);
	fprintf(out, "ratio:          %d samples per latent frame (%.2f ms, %.2f frames/s)\n", m->ratio,
	        1000.0 * m->ratio / m->sample_rate, (double)m->sample_rate / m->ratio);
	if (m->has_encode)
		fprintf(out, "encode:         yes, from %d audio channel%s (%s)\n", m->encode_channels,
		        m->encode_channels == 1 ? "" : "s", m->encode_channels == 1 ? "mono" : "stereo");
	else
		fprintf(out, "encode:         no\n");
	describe_layout(m, out);
	describe_calls(m, out);
	if (m->max_rows > 1)
		fprintf(out, "voices:         up to %d decoded together (one call, batch = voices sounding)\n",
		        m->max_rows);
	else if (m->rows_note[0])
		fprintf(out, "voices:         %s\n", m->rows_note);
	describe_subframe(m, out);
	describe_methods(m, out);
	if (m->n_latent_labels > 0) {
		fprintf(out, "latent labels: ");
		for (int i = 0; i < m->n_latent_labels; i++)
			fprintf(out, " %s", m->latent_labels[i]);
		fprintf(out, "\n");
	}
	if (m->pitch.has)
		fprintf(out,
		        "pitch:          latent %d = %g * log2(f / %g Hz) (pitch_params): MIDI notes play it in tune\n",
		        m->pitch.latent, (double)m->pitch.per_octave, (double)m->pitch.reference_hz);
	char blas[1024];
	model_blas_library(blas, sizeof blas);
	fprintf(out, "torch threads:  %d\n", tb_get_threads());
	fprintf(out, "BLAS:           %s\n", blas);
	describe_verdict(m, out);
}
