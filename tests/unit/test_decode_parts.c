/* Unit tests for both cores: model_load's twin (a second instance of the
 * module, with its own streaming state) and decode_parts.c, which decodes
 * half of the voices' rows on it. The twin comes when asked, or when the
 * voices cost one core more than MODEL_TWIN_SHARE; its state is saved and
 * restored with the model's (sub-frame control); voices sound the same on
 * two instances as on one; live, the render worker decodes its half. */
#include "test_util.h"

#include <time.h>

#include "engine.h"
#include "model.h"

enum { RATE = 48000, PERIOD = 128, VOICES = 5 };

static model *load_with_twin(const char *path, int twin, int rows)
{
	model_options o = model_default_options();
	o.twin = twin;
	o.warmup_rows = rows;
	model *m;
	char err[1024];
	if (model_load(path, &o, &m, err, sizeof err) < 0)
		fail_msg("%s", err);
	return m;
}

static void a_twin_comes_when_asked(void **state)
{
	(void)state;
	model *m = load_with_twin(test_model_path("rave_bench.ts"), MODEL_TWIN_ALWAYS, 4);
	assert_non_null(m->twin);
	assert_null(m->twin->twin);
	assert_true(m->twin->module != m->module); /* its own module: its own state */
	assert_int_equal(m->twin->sample_rate, m->sample_rate);
	assert_int_equal(m->twin->latent_dim, m->latent_dim);
	assert_int_equal(m->twin->ratio, m->ratio);
	assert_int_equal(m->twin->subframe, 1);
	assert_int_equal(m->subframe, 1);
	assert_in_range(m->twin->warm_rows, 2, 2); /* warmed up for its half of the rows */
	model_free(m);
	m = load_with_twin(test_model_path("rave_bench.ts"), MODEL_TWIN_NEVER, 4);
	assert_null(m->twin);
	model_free(m);
	m = load_with_twin(test_model_path("rave_bench.ts"), MODEL_TWIN_ALWAYS, 1); /* one voice: no half */
	assert_null(m->twin);
	model_free(m);
}

/* Auto: a model whose voices cost a core more than MODEL_TWIN_SHARE of
 * their audio gets a twin (slow.ts: one row costs ~4x its frame on any
 * machine); a cheap one (long_tone.ts: a sine) does not. */
static void a_twin_comes_when_the_voices_need_a_second_core(void **state)
{
	(void)state;
	model *m = load_with_twin(test_model_path("slow.ts"), MODEL_TWIN_AUTO, 4);
	assert_non_null(m->twin);
	model_free(m);
	m = load_with_twin(test_model_path("long_tone.ts"), MODEL_TWIN_AUTO, 8);
	print_message("long_tone: 8 rows decode in %.2f ms of a %.1f ms frame\n", m->decode_rows_ms, model_call_ms(m));
	assert_true(m->decode_rows_ms < MODEL_TWIN_SHARE * model_call_ms(m));
	assert_null(m->twin);
	model_free(m);
}

static double max_difference(const float *a, const float *b, size_t n)
{
	double worst = 0;
	for (size_t i = 0; i < n; i++)
		worst = fmax(worst, fabs((double)a[i] - (double)b[i]));
	return worst;
}

/* Sub-frame control restores the state before a frame and decodes it
 * again: the twin's rows must come back too. */
static void the_twins_state_is_saved_and_restored_with_the_model(void **state)
{
	(void)state;
	enum { ROWS = 2 };
	model *m = load_with_twin(test_model_path("rave_bench.ts"), MODEL_TWIN_ALWAYS, 2 * ROWS);
	const size_t nlat = (size_t)ROWS * m->latent_dim, naudio = (size_t)ROWS * m->audio_channels * m->ratio;
	float *z = malloc(nlat * sizeof(float)), *first = malloc(naudio * sizeof(float)),
	      *again = malloc(naudio * sizeof(float));
	uint32_t seed = 3;
	for (size_t i = 0; i < nlat; i++)
		z[i] = test_random(&seed, -1, 1);
	char err[512];
	assert_int_equal(model_state_save(m, 2 * ROWS, err, sizeof err), 0); /* the twin's half: ROWS */
	assert_int_equal(model_decode_rows(m->twin, z, ROWS, 1, first, err, sizeof err), 0);
	assert_int_equal(model_state_restore(m, err, sizeof err), 0);
	assert_int_equal(model_decode_rows(m->twin, z, ROWS, 1, again, err, sizeof err), 0);
	assert_true(max_difference(first, again, naudio) <= 1e-6);
	/* and without the restore the twin's state had moved on */
	assert_int_equal(model_decode_rows(m->twin, z, ROWS, 1, again, err, sizeof err), 0);
	assert_true(max_difference(first, again, naudio) > 1e-4);
	free(z), free(first), free(again);
	model_free(m);
}

/* A small random terrain for rave_bench's 16 latents (fixed seed). */
static terrain *random_terrain(int latent_dim)
{
	char err[512];
	terrain *t;
	terrain_shape s = {
	    .control_dim = 2, .latent_dim = latent_dim, .n_features = 32, .n_layers = 2, .widths = {32, latent_dim}};
	assert_int_equal(terrain_create(&s, &t, err, sizeof err), 0);
	uint32_t seed = 11;
	for (size_t i = 0; i < t->storage_floats; i++)
		t->storage[i] = test_random(&seed, -0.5f, 0.5f);
	for (int d = 0; d < 2; d++)
		t->bounds_min[d] = -1, t->bounds_max[d] = 1;
	assert_int_equal(terrain_finish(t, err, sizeof err), 0);
	return t;
}

static void sound_voices(engine *e, int step)
{
	for (int v = 0; v < VOICES; v++) {
		control_event ev = {.type = CONTROL_TARGET, .voice = v, .dim = 2};
		ev.value[0] = sinf(0.3f * (float)step + (float)v);
		ev.value[1] = cosf(0.2f * (float)step + 2.0f * (float)v);
		assert_int_equal(engine_send(e, &ev), 0);
	}
}

/* `frames` device frames of VOICES voices moving, rendered offline. */
static float *render_voices(model *m, terrain *t, size_t frames)
{
	char err[512], warn[256];
	scene *s;
	engine *e;
	assert_int_equal(scene_create(m, t, 20, RATE, 8, &s, err, sizeof err, warn, sizeof warn), 0);
	assert_int_equal(engine_create(RATE, PERIOD, 0, 0, &e, err, sizeof err), 0);
	engine_set_voices(e, 8, 50);
	engine_start_offline(e, s);
	float *out = calloc(2 * frames, sizeof(float));
	int64_t now = 0;
	for (size_t done = 0, step = 0; done < frames; step++) {
		sound_voices(e, (int)step);
		size_t made = engine_render_offline(e, now);
		assert_int_equal(made, m->ratio); /* a whole call each time, whatever the machine's speed */
		size_t take = made < frames - done ? made : frames - done;
		engine_pull(e, out + 2 * done, take, 2);
		done += take;
		now += (int64_t)(1e9 * (double)made / RATE);
	}
	engine_stats st;
	engine_stats_read(e, &st);
	assert_int_equal(st.decode_errors, 0);
	assert_int_equal(st.render_threads, 1); /* offline: no render worker, the halves in turn */
	engine_free(e);
	return out;
}

/* Row r decodes on instance r % 2: five voices on a twin sound as they do
 * on one instance, once the warm-ups' different states have left the
 * convolutions' caches (the first half second is not compared). */
static void voices_sound_the_same_on_a_twin_as_on_one_instance(void **state)
{
	(void)state;
	const size_t frames = RATE * 2, settled = RATE / 2;
	terrain *t = random_terrain(16);
	model *one = load_with_twin(test_model_path("rave_bench.ts"), MODEL_TWIN_NEVER, 8);
	model *two = load_with_twin(test_model_path("rave_bench.ts"), MODEL_TWIN_ALWAYS, 8);
	float *a = render_voices(one, t, frames), *b = render_voices(two, t, frames);
	double peak = 0;
	for (size_t i = 2 * settled; i < 2 * frames; i++)
		peak = fmax(peak, fabs(a[i]));
	double diff = max_difference(a + 2 * settled, b + 2 * settled, 2 * (frames - settled));
	print_message("peak %.3f, largest difference %.2g\n", peak, diff);
	assert_true(peak > 0.01);
	assert_true(diff <= 1e-4 * fmax(peak, 1.0));
	free(a), free(b);
	model_free(one);
	model_free(two);
	terrain_free(t);
}

/* Live: the render worker decodes the twin's rows while the render thread
 * decodes the model's, and the voices play. */
static void live_the_render_worker_decodes_half_of_the_voices(void **state)
{
	(void)state;
	char err[512], warn[256];
	terrain *t = random_terrain(16);
	model *m = load_with_twin(test_model_path("rave_bench.ts"), MODEL_TWIN_ALWAYS, 8);
	scene *s;
	engine *e;
	assert_int_equal(scene_create(m, t, 20, RATE, 8, &s, err, sizeof err, warn, sizeof warn), 0);
	assert_int_equal(engine_create(RATE, PERIOD, 0, 0, &e, err, sizeof err), 0);
	engine_set_voices(e, 8, 50);
	engine_set_shedding(e, 0);
	assert_int_equal(engine_start(e, s, err, sizeof err), 0);
	float out[2 * PERIOD], peak = 0;
	for (int i = 0; i < RATE / PERIOD; i++) { /* a second */
		if (i % 16 == 0)
			sound_voices(e, i);
		engine_pull(e, out, PERIOD, 2);
		for (int k = 0; k < 2 * PERIOD; k++)
			peak = fmaxf(peak, fabsf(out[k]));
		nanosleep(&(struct timespec){0, 1000000000L * PERIOD / RATE}, NULL);
	}
	engine_stats st;
	engine_stats_read(e, &st);
	print_message("%llu frames, %llu on the worker, %llu xruns, peak %.3f\n",
	              (unsigned long long)st.frames_rendered, (unsigned long long)st.worker_decodes,
	              (unsigned long long)st.underruns, (double)peak);
	assert_int_equal(st.render_threads, 2);
	assert_int_equal(st.decode_errors, 0);
	assert_int_equal(st.voices_active, VOICES);
	assert_true(st.worker_decodes > 0);
	assert_true(st.worker_decodes <= st.frames_rendered + st.redecodes); /* sub-frame re-decodes too */
	assert_true(peak > 0.01f);
	engine_free(e);
	model_free(m);
	terrain_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_twin_comes_when_asked),
	    cmocka_unit_test(a_twin_comes_when_the_voices_need_a_second_core),
	    cmocka_unit_test(the_twins_state_is_saved_and_restored_with_the_model),
	    cmocka_unit_test(voices_sound_the_same_on_a_twin_as_on_one_instance),
	    cmocka_unit_test(live_the_render_worker_decodes_half_of_the_voices),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
