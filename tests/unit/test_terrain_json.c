/* Unit tests for terrain_json.c: the file format, its errors, and the
 * nn_terrain import checked against libtorch's own forward. */
#include "test_util.h"

#include <fcntl.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json_util.h"
#include "model.h"
#include "terrain_json.h"
#include "torch_backend.h"

static const char *const presets[] = {
    FIXTURES "/nn_terrain/percussion-terrain-demo.pt",
    FIXTURES "/nn_terrain/m2l-demo.pt",
    FIXTURES "/nn_terrain/stable-audio-terrain-demo.pt",
};

/* Max |C eval − libtorch forward| over random coordinates in [-1, 1]^2. */
static float max_error_against_libtorch(const char *preset, const terrain *t, int count)
{
	char err[1024];
	tb_module *mod;
	assert_int_equal(tb_load(preset, &mod, err, sizeof err), 0);
	float *coords = malloc(sizeof(float) * (size_t)count * t->control_dim);
	float *want = malloc(sizeof(float) * (size_t)count * t->latent_dim);
	float *got = malloc(sizeof(float) * t->latent_dim);
	float *scratch = malloc(sizeof(float) * terrain_scratch_floats(t));
	uint32_t seed = 12345;
	for (int i = 0; i < count * t->control_dim; i++)
		coords[i] = test_random(&seed, -1, 1);
	if (tb_nn_terrain_forward(mod, coords, count, t->control_dim, want, t->latent_dim, err, sizeof err) < 0)
		fail_msg("%s", err);
	float worst = 0;
	for (int i = 0; i < count; i++) {
		terrain_eval(t, coords + i * t->control_dim, got, scratch);
		for (int j = 0; j < t->latent_dim; j++)
			worst = fmaxf(worst, fabsf(got[j] - want[(size_t)i * t->latent_dim + j]));
	}
	tb_free(mod);
	free(coords);
	free(want);
	free(got);
	free(scratch);
	return worst;
}

static void imported_presets_match_libtorch_forward_to_1e_4(void **state)
{
	(void)state;
	for (size_t p = 0; p < sizeof presets / sizeof presets[0]; p++) {
		terrain *t;
		char err[1024];
		if (terrain_import_nn_terrain(presets[p], -1, 1, &t, err, sizeof err) < 0)
			fail_msg("%s", err);
		assert_int_equal(t->control_dim, 2);
		float worst = max_error_against_libtorch(presets[p], t, 500);
		print_message("%s: max |C - libtorch| = %.3g\n", presets[p], (double)worst);
		assert_true(worst < 1e-4f);
		terrain_free(t);
	}
}

static void preset_dimensions_are_read_from_the_checkpoint(void **state)
{
	(void)state;
	terrain *t;
	char err[1024];
	assert_int_equal(terrain_import_nn_terrain(presets[1], -2, 2, &t, err, sizeof err), 0);
	assert_int_equal(t->latent_dim, 64);
	assert_int_equal(t->n_features, 512);
	assert_int_equal(t->n_layers, 5);
	assert_int_equal(t->layers[1].in, 256);
	assert_float_equal(t->bounds_min[1], -2, 0);
	assert_float_equal(t->bounds_max[0], 2, 0);
	assert_string_equal(t->name, "m2l-demo");
	terrain_free(t);
}

static void saved_terrain_loads_back_with_identical_numbers(void **state)
{
	(void)state;
	terrain *t, *back;
	char err[1024];
	assert_int_equal(terrain_import_nn_terrain(presets[0], -1, 1, &t, err, sizeof err), 0);
	t->has_model = 1;
	t->model = (terrain_model_info){.id = "perc", .latent_dim = 4, .sample_rate = 44100, .ratio = 2048};
	const char *path = "build/tests/roundtrip-terrain.json";
	assert_int_equal(terrain_save(t, path, err, sizeof err), 0);
	if (terrain_load(path, &back, err, sizeof err) < 0)
		fail_msg("%s", err);
	assert_int_equal(back->storage_floats, t->storage_floats);
	assert_memory_equal(back->storage, t->storage, sizeof(float) * t->storage_floats);
	for (int i = 0; i < t->n_layers; i++)
		assert_float_equal(back->layers[i].prelu, t->layers[i].prelu, 0);
	assert_string_equal(back->model.id, "perc");
	assert_int_equal(back->model.ratio, 2048);
	terrain_free(t);
	terrain_free(back);
	remove(path);
}

static void file_text(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	fclose(f);
}

/* /train/save's writer: an existing file is kept unless asked, and a link
 * planted at the target is replaced, never written through. */
static void saving_into_a_directory_keeps_existing_files_and_never_follows_links(void **state)
{
	(void)state;
	char dir[] = "build/tests/save.XXXXXX", path[256], text[64], err[512];
	assert_non_null(mkdtemp(dir));
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dirfd >= 0);
	terrain *t;
	assert_int_equal(terrain_load("terrains/demo.json", &t, err, sizeof err), 0);
#define AT(name) (snprintf(path, sizeof path, "%s/%s", dir, name), path)
	FILE *f = fopen(AT("victim.txt"), "w");
	fputs("precious", f);
	fclose(f);
	assert_int_equal(symlink("victim.txt", AT("planted.json")), 0);
	f = fopen(AT("old.json"), "w");
	fputs("old", f);
	fclose(f);

	assert_int_equal(terrain_save_at(t, dirfd, "old.json", 0, err, sizeof err), -1);
	assert_contains(err, "old.json already exists");
	file_text(AT("old.json"), text, sizeof text);
	assert_string_equal(text, "old");
	assert_int_equal(terrain_save_at(t, dirfd, "planted.json", 0, err, sizeof err), -1);
	assert_contains(err, "already exists");
	assert_int_equal(terrain_save_at(t, dirfd, "planted.json", 1, err, sizeof err), 0);
	file_text(AT("victim.txt"), text, sizeof text);
	assert_string_equal(text, "precious"); /* the link was replaced, its target untouched */
	struct stat st;
	assert_int_equal(lstat(AT("planted.json"), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(terrain_save_at(t, dirfd, "old.json", 1, err, sizeof err), 0);
	assert_int_equal(terrain_save_at(t, dirfd, "new.json", 0, err, sizeof err), 0);
	terrain *back;
	if (terrain_load(AT("new.json"), &back, err, sizeof err) < 0)
		fail_msg("%s", err);
	assert_memory_equal(back->storage, t->storage, sizeof(float) * t->storage_floats);
	terrain_free(back);
	if (terrain_load(AT("old.json"), &back, err, sizeof err) < 0)
		fail_msg("%s", err);
	terrain_free(back);
#undef AT
	terrain_free(t);
	close(dirfd);
	char command[300];
	snprintf(command, sizeof command, "ls -A '%s' | grep -q tmp", dir);
	assert_int_not_equal(system(command), 0); /* no temporary file left behind */
	snprintf(command, sizeof command, "rm -rf '%s'", dir);
	assert_int_equal(system(command), 0);
}

static void the_demo_terrain_loads(void **state)
{
	(void)state;
	terrain *t;
	char err[1024];
	if (terrain_load("terrains/demo.json", &t, err, sizeof err) < 0)
		fail_msg("%s", err);
	assert_int_equal(t->control_dim, 2);
	assert_int_equal(t->latent_dim, 4);
	assert_true(t->has_model);
	assert_string_equal(t->model.id, "demo");
	terrain_free(t);
}

/* A small valid terrain; tests break one thing at a time. */
static const char *valid_json =
    "{\"format\":\"terraind-terrain\",\"version\":1,\"control_dim\":2,\"latent_dim\":1,"
    "\"bounds\":{\"min\":[-1,-1],\"max\":[1,1]},"
    "\"network\":{\"type\":\"fourier-cppn\",\"gauss_scale\":0.2,\"fourier\":[[0.1,0.2],[0.3,0.4]],"
    "\"layers\":[{\"weight\":[[1,0,0,0],[0,1,0,0]],\"bias\":[0,0],\"prelu\":0.25},"
    "{\"weight\":[[1,-1]],\"bias\":[0.5]}]}}";

static char *replaced(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	assert_non_null(at);
	char *out = malloc(strlen(text) + strlen(to) + 1);
	sprintf(out, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	return out;
}

static void expect_refused(const char *from, const char *to, const char *message)
{
	char *text = replaced(valid_json, from, to);
	terrain *t;
	char err[1024];
	if (terrain_from_json(text, "t.json", &t, err, sizeof err) == 0)
		fail_msg("accepted a terrain with %s replaced by %s", from, to);
	assert_null(t);
	assert_contains(err, "t.json: ");
	assert_contains(err, message);
	free(text);
}

static void a_valid_small_terrain_loads(void **state)
{
	(void)state;
	terrain *t;
	char err[1024];
	if (terrain_from_json(valid_json, "t.json", &t, err, sizeof err) < 0)
		fail_msg("%s", err);
	assert_int_equal(t->n_features, 2);
	assert_float_equal(t->gauss_scale, 0.2f, 1e-7);
	terrain_free(t);
}

static void every_broken_key_is_named_in_the_error(void **state)
{
	(void)state;
	expect_refused("\"terraind-terrain\"", "\"other\"", "'format' is \"other\"");
	expect_refused("\"version\":1", "\"version\":2", "'version' 2 is not supported");
	expect_refused("\"control_dim\":2", "\"control_dim\":9", "'control_dim' is 9");
	expect_refused("\"latent_dim\":1,", "\"latent_dim\":\"one\",", "'latent_dim' must be an integer");
	expect_refused("\"max\":[1,1]", "\"max\":[1,-1]", "bounds.min[1] (-1) must be less than bounds.max[1] (-1)");
	expect_refused("\"min\":[-1,-1]", "\"min\":[-1]", "bounds.min has 1 values, expected 2");
	expect_refused("[[1,0,0,0],[0,1,0,0]]", "[[1,0,0],[0,1,0]]",
	               "network.layers[0].weight[0] has 3 columns, expected 4");
	expect_refused("\"bias\":[0.5]", "\"bias\":[0.5,1]", "network.layers[1].bias has 2 values, expected 1");
	expect_refused("\"prelu\":0.25", "\"prelu\":null", "network.layers[0].prelu must be a number");
	expect_refused("\"bias\":[0.5]}", "\"bias\":[0.5],\"prelu\":1}", "last layer must not have a PReLU");
	expect_refused("[[1,-1]]", "[[1,-1],[0,0]]", "last layer has 2 outputs but latent_dim is 1");
	expect_refused("\"fourier-cppn\"", "\"mlp\"", "network.type is \"mlp\"");
	expect_refused("[0.3,0.4]", "[0.3,\"x\"]", "network.fourier[1][1] must be a finite number");
	expect_refused("[0.3,0.4]", "[0.3,1e999]", "network.fourier[1][1] must be a finite number");
	expect_refused("\"network\":", "\"net\":", "'network' must be an object");
	expect_refused("}}", "}", "invalid JSON at line 1");
}

static void model_section_must_agree_with_the_terrain(void **state)
{
	(void)state;
	expect_refused("\"bounds\"", "\"model\":{\"latent_dim\":8},\"bounds\"",
	               "model.latent_dim is 8 but the terrain's latent_dim is 1");
	expect_refused("\"bounds\"", "\"model\":{\"ratio\":-5},\"bounds\"", "model: 'ratio' is -5");
	expect_refused("\"bounds\"", "\"model\":{\"id\":3},\"bounds\"", "model.id must be a string");
}

static void labels_load_save_and_load_back(void **state)
{
	(void)state;
	char *text = replaced(valid_json, "\"bounds\"",
	                      "\"labels\":[{\"name\":\"violin\",\"at\":[0.5,-0.25]},"
	                      "{\"name\":\"choir aahs\",\"at\":[-1,1]}],\"bounds\"");
	terrain *t, *back;
	char err[1024];
	if (terrain_from_json(text, "t.json", &t, err, sizeof err) < 0)
		fail_msg("%s", err);
	assert_int_equal(t->n_labels, 2);
	assert_string_equal(t->labels[0].name, "violin");
	assert_float_equal(t->labels[0].at[0], 0.5f, 0);
	assert_float_equal(t->labels[0].at[1], -0.25f, 0);
	assert_string_equal(t->labels[1].name, "choir aahs");
	char *saved = terrain_to_json(t);
	if (terrain_from_json(saved, "saved.json", &back, err, sizeof err) < 0)
		fail_msg("%s", err);
	assert_int_equal(back->n_labels, 2);
	assert_memory_equal(back->labels, t->labels, sizeof(terrain_label) * 2);
	terrain_free(back);
	terrain_free(t);
	cJSON_free(saved);
	free(text);
	/* a terrain without labels writes none */
	assert_int_equal(terrain_from_json(valid_json, "t.json", &t, err, sizeof err), 0);
	saved = terrain_to_json(t);
	assert_null(strstr(saved, "labels"));
	cJSON_free(saved);
	terrain_free(t);
}

static void broken_labels_are_named_in_the_error(void **state)
{
	(void)state;
	const char *at = "\"bounds\"";
	expect_refused(at, "\"labels\":{},\"bounds\"", "'labels' must be an array");
	expect_refused(at, "\"labels\":[3],\"bounds\"", "labels[0] must be an object");
	expect_refused(at, "\"labels\":[{\"at\":[0,0]}],\"bounds\"", "labels[0].name must be a non-empty string");
	expect_refused(at, "\"labels\":[{\"name\":\"\",\"at\":[0,0]}],\"bounds\"",
	               "labels[0].name must be a non-empty string");
	expect_refused(at, "\"labels\":[{\"name\":\"a\\u0007\",\"at\":[0,0]}],\"bounds\"",
	               "labels[0].name must be printable ASCII (byte 1 is not)");
	expect_refused(at,
	               "\"labels\":[{\"name\":\"0123456789012345678901234567890123456789012345678\",\"at\":[0,0]}],"
	               "\"bounds\"",
	               "labels[0].name is 49 bytes long, at most 47 are allowed");
	expect_refused(at, "\"labels\":[{\"name\":\"a\",\"at\":[0]}],\"bounds\"", "labels[0].at has 1 values");
	expect_refused(at, "\"labels\":[{\"name\":\"a\",\"at\":[0,0]},{\"name\":\"b\",\"at\":[0,1.5]}],\"bounds\"",
	               "labels[1].at[1] (1.5) lies outside the bounds (-1 to 1)");
}

static void a_pitch_latent_is_read_written_and_checked(void **state)
{
	(void)state;
	char *text =
	    replaced(valid_json, "\"bounds\"",
	             "\"model\":{\"id\":\"m\",\"pitch\":{\"latent\":0,\"reference_hz\":220,\"per_octave\":1.5}},"
	             "\"bounds\"");
	terrain *t, *back;
	char err[1024];
	if (terrain_from_json(text, "t.json", &t, err, sizeof err) < 0)
		fail_msg("%s", err);
	assert_int_equal(t->model.pitch.has, 1);
	assert_int_equal(t->model.pitch.latent, 0);
	assert_float_equal(t->model.pitch.reference_hz, 220.0f, 0);
	assert_float_equal(t->model.pitch.per_octave, 1.5f, 0);
	char *saved = terrain_to_json(t);
	if (terrain_from_json(saved, "saved.json", &back, err, sizeof err) < 0)
		fail_msg("%s", err);
	assert_memory_equal(&back->model.pitch, &t->model.pitch, sizeof t->model.pitch);
	terrain_free(back);
	terrain_free(t);
	cJSON_free(saved);
	free(text);
	expect_refused("\"bounds\"",
	               "\"model\":{\"pitch\":{\"latent\":1,\"reference_hz\":220,\"per_octave\":1}},\"bounds\"",
	               "model.pitch must be {\"latent\": 0 to 0");
	expect_refused("\"bounds\"",
	               "\"model\":{\"pitch\":{\"latent\":0,\"reference_hz\":0,\"per_octave\":1}},\"bounds\"",
	               "reference_hz must be above 0");
	expect_refused("\"bounds\"", "\"model\":{\"pitch\":{\"latent\":0,\"per_octave\":1}},\"bounds\"",
	               "'reference_hz' is missing");
}

/* A terrain of rave_bench's size (1.4 MB of JSON) with random weights, saved to path. */
static void save_large_terrain(const char *path, uint32_t seed)
{
	terrain_shape shape = {
	    .control_dim = 2, .latent_dim = 16, .n_features = 128, .n_layers = 3, .widths = {256, 256, 16}};
	terrain *t;
	char err[512];
	assert_int_equal(terrain_create(&shape, &t, err, sizeof err), 0);
	for (size_t i = 0; i < t->storage_floats; i++)
		t->storage[i] = test_random(&seed, -1, 1);
	assert_int_equal(terrain_finish(t, err, sizeof err), 0);
	assert_int_equal(terrain_save(t, path, err, sizeof err), 0);
	terrain_free(t);
}

/* The daemon's heap is never trimmed (model_keep_heap), so whatever a
 * terrain swap takes from it stays resident for good, and holes that the
 * next swap's blocks do not fit grow it further: the stage soak's memory
 * steps. Loading, saving and swapping large terrains must leave it as it
 * was: the parse in a json_scope, the weights in pages of their own. */
static void swapping_large_terrains_leaves_the_heap_as_it_was(void **state)
{
	(void)state;
	if (!heap_measurable()) {
		printf("skipped: glibc's heap cannot be measured here (a sanitizer's allocator, or no glibc)\n");
		skip();
	}
	model_keep_heap();
	const char *paths[2] = {"build/tests/large-terrain-a.json", "build/tests/large-terrain-b.json"};
	char err[512];
	size_t before = heap_now().held;
	save_large_terrain(paths[0], 1);
	save_large_terrain(paths[1], 2);
	terrain *playing = NULL;
	for (int swap = 0; swap < 12; swap++) {
		terrain *next;
		if (terrain_load(paths[swap % 2], &next, err, sizeof err) < 0)
			fail_msg("%s", err);
		terrain_free(playing); /* two alive at once, as in a swap's crossfade */
		playing = next;
	}
	size_t grown = heap_now().held - before;
	print_message("heap grown by %zu kB over 2 saves and 12 loads of %zu kB of weights each\n", grown / 1024,
	              playing->storage_floats * sizeof(float) / 1024);
	assert_true(grown <= 64 * 1024);
	terrain_free(playing);
	remove(paths[0]);
	remove(paths[1]);
}

static void files_that_are_not_terrains_are_refused(void **state)
{
	(void)state;
	terrain *t;
	char err[1024];
	assert_int_equal(terrain_load("no/such/file.json", &t, err, sizeof err), -1);
	assert_contains(err, "cannot open no/such/file.json");
	assert_int_equal(terrain_load(FIXTURES "/nn_tilde/features.ts", &t, err, sizeof err), -1);
	assert_contains(err, "NUL bytes");
	assert_int_equal(terrain_load(FIXTURES "/nn_tilde/ABOUT.md", &t, err, sizeof err), -1);
	assert_contains(err, "invalid JSON");
	assert_int_equal(terrain_import_nn_terrain(FIXTURES "/nn_tilde/features.ts", -1, 1, &t, err, sizeof err), -1);
	assert_contains(err, "not a usable nn_terrain checkpoint");
	assert_contains(err, "m_in_dim");
	assert_int_equal(terrain_import_nn_terrain("README.md", -1, 1, &t, err, sizeof err), -1);
	assert_contains(err, "not an nn_terrain checkpoint");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(imported_presets_match_libtorch_forward_to_1e_4),
	    cmocka_unit_test(preset_dimensions_are_read_from_the_checkpoint),
	    cmocka_unit_test(saved_terrain_loads_back_with_identical_numbers),
	    cmocka_unit_test(saving_into_a_directory_keeps_existing_files_and_never_follows_links),
	    cmocka_unit_test(the_demo_terrain_loads),
	    cmocka_unit_test(a_valid_small_terrain_loads),
	    cmocka_unit_test(every_broken_key_is_named_in_the_error),
	    cmocka_unit_test(model_section_must_agree_with_the_terrain),
	    cmocka_unit_test(labels_load_save_and_load_back),
	    cmocka_unit_test(broken_labels_are_named_in_the_error),
	    cmocka_unit_test(a_pitch_latent_is_read_written_and_checked),
	    cmocka_unit_test(files_that_are_not_terrains_are_refused),
	    cmocka_unit_test(swapping_large_terrains_leaves_the_heap_as_it_was),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
