/* Unit tests for config.c: strict keys, values, mappings, path confinement. */
#include "test_util.h"

#include <unistd.h>

#include "config.h"

static void expect_refused(const char *text, const char *message)
{
	config c;
	config_defaults(&c);
	config before = c;
	char err[512];
	if (config_parse(&c, text, "t.json", err, sizeof err) == 0)
		fail_msg("accepted %s", text);
	assert_contains(err, "t.json: ");
	assert_contains(err, message);
	assert_memory_equal(&c, &before, sizeof c); /* a bad file changes nothing */
}

static void defaults_are_valid_and_the_shipped_config_loads(void **state)
{
	(void)state;
	config c;
	char err[512];
	config_defaults(&c);
	assert_int_equal(config_validate(&c, err, sizeof err), 0);
	assert_string_equal(c.bind, "127.0.0.1");
	if (config_load(&c, "config/terraind.json", err, sizeof err) < 0)
		fail_msg("%s", err);
	assert_int_equal(c.period, 128);
	assert_true(c.n_mappings >= 3);
	if (config_load(&c, "config/touchosc-portrait.json", err, sizeof err) < 0)
		fail_msg("%s", err);
	assert_string_equal(c.bind, "0.0.0.0");
	assert_true(config_find_mapping(&c, "/1/xy1")->swap);
}

static void values_and_mappings_are_read(void **state)
{
	(void)state;
	config c;
	char err[512];
	config_defaults(&c);
	const char *text =
	    "{\"osc\": {\"port\": 9100, \"tcp_port\": 9101}, \"audio\": {\"period\": 256, \"device\": \"USB\"},"
	    "\"engine\": {\"smooth_ms\": 5, \"gain\": 0.5}, \"log_level\": \"debug\","
	    "\"mappings\": [{\"address\": \"/1/multixy1/*\", \"to\": \"xy\", \"swap\": true,"
	    "\"invert\": [true, false], \"range\": [[0, 2], [-1, 1]]}]}";
	if (config_parse(&c, text, "t.json", err, sizeof err) < 0)
		fail_msg("%s", err);
	assert_int_equal(c.port, 9100);
	assert_int_equal(c.tcp_port, 9101);
	assert_int_equal(c.period, 256);
	assert_string_equal(c.device, "USB");
	assert_float_equal(c.gain, 0.5f, 0);
	assert_int_equal(c.log_level, LOG_DEBUG);
	const config_mapping *m = config_find_mapping(&c, "/1/multixy1/3");
	assert_non_null(m);
	assert_true(m->swap);
	assert_true(m->invert[0]);
	assert_false(m->invert[1]);
	assert_float_equal(m->in_max[0], 2, 0);
	assert_float_equal(m->in_min[1], -1, 0);
	assert_null(config_find_mapping(&c, "/1/multixy2/1"));
	assert_string_equal(c.model, "models/demo.ts"); /* untouched keys keep their defaults */
}

static void unknown_keys_and_bad_values_are_named(void **state)
{
	(void)state;
	expect_refused("{\"osc\": {\"prot\": 9000}}", "unknown key 'osc.prot'");
	expect_refused("{\"modle\": \"x.ts\"}", "unknown key 'modle'");
	expect_refused("{\"osc\": {\"port\": 70000}}", "'port' is 70000, expected 1 to 65535");
	expect_refused("{\"audio\": {\"period\": \"small\"}}", "'period' must be an integer");
	expect_refused("{\"engine\": {\"gain\": -1}}", "'gain' must be a number from 0 to 4");
	expect_refused("{\"osc\": {\"log_unmapped\": 1}}", "'log_unmapped' must be true or false");
	expect_refused("{\"log_level\": \"loud\"}", "'log_level' must be");
	expect_refused("{\"allowed_dirs\": \"models\"}", "'allowed_dirs' must be an array");
	expect_refused("{\"mappings\": [{\"address\": \"1/xy1\", \"to\": \"xy\"}]}",
	               "mappings[0]: 'address' must start with '/'");
	expect_refused("{\"mappings\": [{\"address\": \"/a\", \"to\": \"z\"}]}", "mappings[0]: 'to' is \"z\"");
	expect_refused("{\"mappings\": [{\"address\": \"/a\", \"to\": \"gain\", \"swap\": true}]}", "'swap' needs");
	expect_refused("{\"mappings\": [{\"address\": \"/a\", \"to\": \"xy\", \"range\": [1, 1]}]}",
	               "range 0 is empty");
	expect_refused("{\"mappings\": [{\"address\": \"/a\", \"to\": \"xy\", \"invert\": [true]}]}",
	               "'invert' must be");
	expect_refused("{\"mappings\": [{\"address\": \"/a\", \"to\": \"xy\", \"colour\": 1}]}",
	               "unknown key 'colour'");
	expect_refused("{\"mappings\": [{\"address\": \"/b\", \"to\": \"load_model\"}]}", "'path' is needed");
	expect_refused("{\"mappings\": [{\"address\": \"/b\", \"to\": \"xy\", \"path\": \"x.ts\"}]}",
	               "'path' belongs only");
	expect_refused("[1, 2]", "one JSON object");
	expect_refused("{\"osc\": {", "invalid JSON");
}

static void validate_checks_values_that_depend_on_each_other(void **state)
{
	(void)state;
	config c;
	char err[512];
	config_defaults(&c);
	c.tcp_port = c.port;
	assert_int_equal(config_validate(&c, err, sizeof err), -1);
	assert_contains(err, "TCP port must differ");
}

static void paths_are_confined_to_the_allowed_directories(void **state)
{
	(void)state;
	config c;
	char err[512], resolved[CONFIG_PATH_MAX], cwd[CONFIG_PATH_MAX];
	config_defaults(&c);
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(config_confine_path(&c, "demo.ts", resolved, sizeof resolved, err, sizeof err), 0);
	assert_contains(resolved, "/models/demo.ts");
	assert_int_equal(config_confine_path(&c, "terrains/demo.json", resolved, sizeof resolved, err, sizeof err), 0);
	assert_int_equal(config_confine_path(&c, "/etc/passwd", resolved, sizeof resolved, err, sizeof err), -1);
	assert_contains(err, "outside the allowed directories");
	assert_int_equal(config_confine_path(&c, "models/../README.md", resolved, sizeof resolved, err, sizeof err),
	                 -1);
	assert_contains(err, "outside the allowed directories");
	assert_int_equal(
	    config_confine_path(&c, "../../../../../../etc/passwd", resolved, sizeof resolved, err, sizeof err), -1);
	assert_int_equal(config_confine_path(&c, "missing.ts", resolved, sizeof resolved, err, sizeof err), -1);
	assert_contains(err, "No such file");
	/* A symbolic link inside an allowed directory that points outside is refused. */
	const char *link_path = "build/tests/escape-link";
	remove(link_path);
	assert_int_equal(symlink("/etc/passwd", link_path), 0);
	snprintf(c.allowed_dirs[0], CONFIG_PATH_MAX, "build/tests");
	assert_int_equal(config_confine_path(&c, "escape-link", resolved, sizeof resolved, err, sizeof err), -1);
	remove(link_path);
}

static void the_model_rate_and_frames_per_call_are_read(void **state)
{
	(void)state;
	config c;
	char err[512];
	config_defaults(&c);
	assert_int_equal(c.model_rate, 0);      /* the device's rate, as nn~ */
	assert_int_equal(c.frames_per_call, 0); /* the model's default */
	assert_int_equal(config_parse(&c, "{\"engine\": {\"model_rate\": 44100, \"frames_per_call\": 4}}", "t.json",
	                              err, sizeof err),
	                 0);
	assert_int_equal(c.model_rate, 44100);
	assert_int_equal(c.frames_per_call, 4);
	expect_refused("{\"engine\": {\"frames_per_call\": 65}}", "frames_per_call");
	expect_refused("{\"engine\": {\"model_rate\": -1}}", "model_rate");
	/* per model, by id: wins over the engine's for that model only */
	assert_int_equal(
	    config_parse(&c, "{\"models\": {\"m2l\": {\"frames_per_call\": 8}, \"sao\": {\"model_rate\": 48000}}}",
	                 "t.json", err, sizeof err),
	    0);
	int rate, frames;
	config_model_settings(&c, "m2l", &rate, &frames);
	assert_int_equal(rate, 44100);
	assert_int_equal(frames, 8);
	config_model_settings(&c, "sao", &rate, &frames);
	assert_int_equal(rate, 48000);
	assert_int_equal(frames, 4);
	config_model_settings(&c, "demo", &rate, &frames);
	assert_int_equal(rate, 44100);
	assert_int_equal(frames, 4);
	expect_refused("{\"models\": {\"m2l\": {\"frames_per_call\": 0}}}", "models.m2l: ");
	expect_refused("{\"models\": {\"m2l\": {\"ratio\": 2}}}", "ratio");
	expect_refused("{\"models\": [1]}", "'models' must be an object");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(defaults_are_valid_and_the_shipped_config_loads),
	    cmocka_unit_test(values_and_mappings_are_read),
	    cmocka_unit_test(unknown_keys_and_bad_values_are_named),
	    cmocka_unit_test(validate_checks_values_that_depend_on_each_other),
	    cmocka_unit_test(paths_are_confined_to_the_allowed_directories),
	    cmocka_unit_test(the_model_rate_and_frames_per_call_are_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
