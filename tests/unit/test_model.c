/* Unit tests for model.c: the nn~ conventions, on our generated models and
 * on real nn~ files, and a clear sentence for every broken model. */
#include "test_util.h"

#include <dlfcn.h>
#include <math.h>

#include "model.h"

static model *load_ok(const char *path)
{
	model *m;
	char err[1024];
	if (model_load(path, NULL, &m, err, sizeof err) < 0)
		fail_msg("%s", err);
	return m;
}

static void expect_load_error(const char *path, const char *message)
{
	model *m = (model *)1;
	char err[1024] = "";
	if (model_load(path, NULL, &m, err, sizeof err) == 0)
		fail_msg("%s loaded but should have been refused", path);
	assert_null(m);
	assert_contains(err, path);
	assert_contains(err, message);
}

static void demo_model_follows_the_conventions(void **state)
{
	(void)state;
	model *m = load_ok("models/demo.ts");
	assert_int_equal(m->sample_rate, 48000);
	assert_int_equal(m->ratio, 512);
	assert_int_equal(m->latent_dim, 4);
	assert_int_equal(m->audio_channels, 1);
	assert_true(m->has_encode);
	assert_int_equal(m->n_latent_labels, 4);
	assert_string_equal(m->latent_labels[0], "pitch");
	assert_string_equal(m->id, "demo");
	const model_method *dec = model_find_method(m, "decode");
	assert_non_null(dec);
	assert_int_equal(dec->in_ratio, 512);
	model_free(m);
}

/* A daemon that may play N voices warms every batch size up to N at load
 * (the first call at a size costs several warm ones), and times the last;
 * it stops early only at a batch whose warm call took longer than the audio
 * it makes (a sanitizer build may: the demo's frame is 10.7 ms); the
 * offline commands (no warmup_rows) warm one row only. */
static void every_batch_size_up_to_the_voices_is_warmed_up_at_load(void **state)
{
	(void)state;
	char err[1024];
	model *m;
	model_options o = model_default_options();
	o.warmup_rows = 4;
	if (model_load("models/demo.ts", &o, &m, err, sizeof err) < 0)
		fail_msg("%s", err);
	int rows = m->warm_rows;
	double rows_ms = m->decode_rows_ms, call_ms = model_call_ms(m);
	model_free(m);
	assert_in_range(rows, 2, 4);
	assert_true(rows_ms > 0);
	if (rows < 4)
		assert_true(rows_ms > call_ms);
	m = load_ok("models/demo.ts");
	rows = m->warm_rows;
	rows_ms = m->decode_rows_ms;
	model_free(m);
	assert_int_equal(rows, 0);
	assert_float_equal(rows_ms, 0, 0);
}

static void stereo_and_long_ratio_models_are_understood(void **state)
{
	(void)state;
	model *m = load_ok(test_model_path("stereo44k.ts"));
	assert_int_equal(m->sample_rate, 44100);
	assert_int_equal(m->audio_channels, 2);
	assert_int_equal(m->ratio, 2048);
	assert_int_equal(m->latent_dim, 64);
	float latents[64] = {0}, audio[2 * 2048];
	char err[256];
	assert_int_equal(model_decode(m, latents, 1, audio, err, sizeof err), 0);
	model_free(m);
	m = load_ok(test_model_path("m2l_like.ts"));
	assert_int_equal(m->ratio, 4096);
	assert_int_equal(m->latent_dim, 64);
	model_free(m);
}

static void rave_v1_layout_falls_back_to_sampling_rate_and_params_buffers(void **state)
{
	(void)state;
	model *m = load_ok(test_model_path("rave_v1_like.ts"));
	assert_int_equal(m->latent_dim, 8);
	assert_int_equal(m->ratio, 2048);
	assert_int_equal(m->sample_rate, 48000); /* its sampling_rate buffer (no `sr`) */
	assert_non_null(model_find_method(m, "decode"));
	model_free(m);
}

static void demo_encode_recovers_the_pitch_it_decoded(void **state)
{
	(void)state;
	model *m = load_ok("models/demo.ts");
	enum { FRAMES = 24 };
	float z[4 * FRAMES], audio[512 * FRAMES], back[4 * FRAMES];
	char err[256];
	for (int f = 0; f < FRAMES; f++) {
		z[0 * FRAMES + f] = 0.5f;  /* pitch: 311 Hz */
		z[1 * FRAMES + f] = 0.0f;  /* loudness */
		z[2 * FRAMES + f] = 0.0f;  /* brightness */
		z[3 * FRAMES + f] = -2.0f; /* tonal */
	}
	assert_int_equal(model_decode(m, z, FRAMES, audio, err, sizeof err), 0);
	assert_int_equal(model_encode(m, audio, FRAMES, back, err, sizeof err), 0);
	for (int f = 4; f < FRAMES; f++)
		assert_float_equal(back[0 * FRAMES + f], 0.5f, 0.1f);
	model_free(m);
}

static void real_nn_tilde_files_without_decode_are_refused_clearly(void **state)
{
	(void)state;
	expect_load_error(FIXTURES "/nn_tilde/features.ts", "no 'decode' method");
	expect_load_error(FIXTURES "/nn_tilde/effects.ts", "no 'decode' method");
	expect_load_error(FIXTURES "/nn_tilde/demo_mc.ts", "no 'decode' method");
	expect_load_error(FIXTURES "/nn_tilde/wavetable.ts", "no 'decode' method");
	expect_load_error(FIXTURES "/nn_tilde/demo_buffers.ts", "no 'decode' method");
}

static void real_nn_tilde_files_can_be_inspected(void **state)
{
	(void)state;
	model_options options = model_default_options();
	options.inspect_only = 1;
	model *m;
	char err[1024];
	assert_int_equal(model_load(FIXTURES "/nn_tilde/effects.ts", &options, &m, err, sizeof err), 0);
	const model_method *add = model_find_method(m, "add");
	assert_non_null(add);
	assert_int_equal(add->in_channels, 2);
	assert_int_equal(model_find_method(m, "rms")->out_ratio, 1024);
	assert_contains(m->unplayable, "no 'decode' method");
	model_free(m);
	assert_int_equal(model_load(FIXTURES "/nn_tilde/demo_mc.ts", &options, &m, err, sizeof err), 0);
	assert_int_equal(model_find_method(m, "batch")->in_ratio, 2048);
	model_free(m);
	assert_int_equal(model_load(FIXTURES "/nn_tilde/demo_attributes.ts", &options, &m, err, sizeof err), 0);
	assert_int_equal(m->n_attributes, 6);
	model_free(m);
	assert_int_equal(model_load(FIXTURES "/nn_tilde/features.ts", &options, &m, err, sizeof err), 0);
	assert_int_equal(m->sample_rate, 44100);
	model_free(m);
}

static void broken_models_get_one_sentence_each(void **state)
{
	(void)state;
	expect_load_error("no/such/model.ts", "cannot load TorchScript");
	expect_load_error("README.md", "cannot load TorchScript");
	expect_load_error(FIXTURES "/nn_terrain/m2l-demo.pt", "nn_terrain terrain checkpoint, not an autoencoder");
	expect_load_error(test_model_path("no_decode.ts"), "no 'decode' method");
	expect_load_error(test_model_path("bad_params.ts"), "'decode_params' must be an integer tensor of 4 values");
	expect_load_error(test_model_path("zero_ratio.ts"), "decode_params = [4, 0, 1, 1]");
	expect_load_error(test_model_path("wrong_shape.ts"), "decode returned shape (1, 1, 256), expected (1, 1, 512)");
	expect_load_error(test_model_path("throws.ts"), "RuntimeError: decoder exploded");
}

/* The report starts with the path of the library libtorch's BLAS calls
 * resolve to: a library loaded in this process whose sgemm_ is the one the
 * process calls (a wrong or made-up path fails here). */
static void the_blas_reported_is_the_library_libtorch_calls(void **state)
{
	(void)state;
	model *m = load_ok("models/demo.ts"); /* libtorch is loaded and initialised */
	char blas[512], path[512];
	model_blas_library(blas, sizeof blas);
	print_message("BLAS: %s\n", blas);
	snprintf(path, sizeof path, "%s", blas);
	path[strcspn(path, " ")] = '\0';
	void *library = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	if (!library)
		fail_msg("the reported BLAS \"%s\" is not a library loaded in this process", blas);
	void *called = dlsym(RTLD_DEFAULT, "sgemm_");
	assert_non_null(called);
	assert_ptr_equal(dlsym(library, "sgemm_"), called);
	dlclose(library);
	model_free(m);
}

/* RAVE v1 --stereo: mono encode, stereo decode. Layouts are per method. */
static void a_rave_v1_stereo_export_encodes_mono_and_decodes_stereo(void **state)
{
	(void)state;
	model *m = load_ok(test_model_path("rave_v1_stereo.ts"));
	assert_int_equal(m->audio_channels, 2);
	assert_int_equal(m->encode_channels, 1);
	assert_int_equal(m->latent_dim, 8);
	assert_int_equal(m->ratio, 2048);
	static float audio[2 * 2 * 2048], latents[8 * 2];
	for (int i = 0; i < 2 * 2048; i++)
		audio[i] = 0.5f * sinf(0.01f * (float)i);
	char err[256];
	assert_int_equal(model_encode(m, audio, 2, latents, err, sizeof err), 0);
	assert_int_equal(model_decode(m, latents, 2, audio, err, sizeof err), 0);
	float left = 0, right = 0;
	for (int i = 0; i < 2 * 2048; i++)
		left += fabsf(audio[i]), right += fabsf(audio[2 * 2048 + i]);
	assert_true(isfinite(left) && isfinite(right));
	assert_true(left > 0 && right > 0);
	model_free(m);
}

/* ---- files written by the upstream export code (scripts/make_upstream_models.py) ---- */

static model *load_upstream(const char *name, const model_options *options)
{
	char path[256];
	model *m;
	char err[1024];
	snprintf(path, sizeof path, "upstream/%s", name);
	if (model_load(test_model_path(path), options, &m, err, sizeof err) < 0)
		fail_msg("%s", err);
	return m;
}

static void the_sample_rate_comes_from_the_model_then_the_terrain_then_the_user_then_the_device(void **state)
{
	(void)state;
	model_options o = model_default_options();
	o.warmup_frames = 0;
	o.user_rate = 22050;
	o.fallback_rate = 48000;
	/* Stable Audio Open's export keeps it under `sample_rate`: it wins over the user's. */
	model *m = load_upstream("sao_stream.ts", &o);
	assert_int_equal(m->sample_rate, 44100);
	assert_contains(m->rate_source, "'sample_rate'");
	assert_string_equal(m->rate_warning, "");
	model_free(m);
	/* Music2Latent-scripted states none: the terrain's, then the user's, then the device's. */
	o.terrain_rate = 32000;
	m = load_upstream("m2l_mono.ts", &o);
	assert_int_equal(m->sample_rate, 32000);
	assert_contains(m->rate_source, "terrain");
	model_free(m);
	o.terrain_rate = 0;
	m = load_upstream("m2l_mono.ts", &o);
	assert_int_equal(m->sample_rate, 22050);
	assert_string_equal(m->rate_warning, "");
	model_free(m);
	o.user_rate = 0;
	m = load_upstream("m2l_mono.ts", &o);
	assert_int_equal(m->sample_rate, 48000);
	assert_contains(m->rate_source, "device");
	assert_contains(m->rate_warning, "does not state its sample rate");
	assert_contains(m->rate_warning, "--model-rate");
	model_free(m);
}

static void music2latent_decodes_several_frames_a_call_within_its_noise_buffer(void **state)
{
	(void)state;
	model *m = load_upstream("m2l_mono.ts", NULL);
	assert_true(m->non_causal);
	assert_int_equal(m->ratio, 4096);
	assert_int_equal(m->frames_per_call, 2); /* 8192 samples, its README's shortest buffer */
	assert_int_equal(m->max_frames_per_call, 120);
	assert_true(m->warmup_ms > 0 && m->decode_ms > 0);
	assert_float_equal(model_call_ms(m), 1000.0 * 8192 / 44100, 1e-6);
	enum { TOO_MANY = 121 };
	float *z = calloc(64 * TOO_MANY, sizeof *z), *audio = calloc(4096 * TOO_MANY, sizeof *audio);
	char err[256];
	assert_int_equal(model_decode(m, z, TOO_MANY, audio, err, sizeof err), -1);
	assert_contains(err, "at most 120");
	assert_int_equal(model_decode(m, z, 4, audio, err, sizeof err), 0);
	free(z);
	free(audio);
	model_free(m);
	/* a user's frames_per_call beyond the buffer is refused at load */
	model_options o = model_default_options();
	o.frames_per_call = 200;
	char why[1024];
	assert_int_equal(model_load(test_model_path("upstream/m2l_mono.ts"), &o, &m, why, sizeof why), -1);
	assert_contains(why, "frames_per_call 200");
	/* streaming models stay at one frame a call unless told */
	m = load_upstream("sao_stream.ts", NULL);
	assert_int_equal(m->frames_per_call, 1);
	assert_int_equal(m->max_frames_per_call, 0);
	model_free(m);
	o.frames_per_call = 3;
	m = load_upstream("sao_stream.ts", &o);
	assert_int_equal(m->frames_per_call, 3);
	model_free(m);
}

static void upstream_layouts_are_per_method(void **state)
{
	(void)state;
	model *m = load_upstream("m2l_stereo.ts", NULL);
	assert_int_equal(m->encode_channels, 1);
	assert_int_equal(m->audio_channels, 2);
	assert_int_equal(m->latent_dim, 64);
	assert_int_equal(m->n_attributes, 1); /* get_attributes() == ["none"] */
	model_free(m);
	m = load_upstream("sao_stream.ts", NULL);
	assert_int_equal(m->encode_channels, 2);
	assert_int_equal(m->audio_channels, 2);
	assert_int_equal(m->ratio, 2048);
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(demo_model_follows_the_conventions),
	    cmocka_unit_test(every_batch_size_up_to_the_voices_is_warmed_up_at_load),
	    cmocka_unit_test(stereo_and_long_ratio_models_are_understood),
	    cmocka_unit_test(a_rave_v1_stereo_export_encodes_mono_and_decodes_stereo),
	    cmocka_unit_test(rave_v1_layout_falls_back_to_sampling_rate_and_params_buffers),
	    cmocka_unit_test(demo_encode_recovers_the_pitch_it_decoded),
	    cmocka_unit_test(real_nn_tilde_files_without_decode_are_refused_clearly),
	    cmocka_unit_test(real_nn_tilde_files_can_be_inspected),
	    cmocka_unit_test(broken_models_get_one_sentence_each),
	    cmocka_unit_test(the_blas_reported_is_the_library_libtorch_calls),
	    cmocka_unit_test(the_sample_rate_comes_from_the_model_then_the_terrain_then_the_user_then_the_device),
	    cmocka_unit_test(music2latent_decodes_several_frames_a_call_within_its_noise_buffer),
	    cmocka_unit_test(upstream_layouts_are_per_method),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
