/* Unit tests for config.c: strict keys, values, mappings, path confinement. */
#include "test_util.h"

#include <limits.h>
#include <sys/stat.h>
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
	assert_int_equal(c.n_allow, 5); /* the private ranges */
	assert_int_equal(config_validate(&c, err, sizeof err), 0);
	assert_true(config_find_mapping(&c, "/1/xy1")->swap);
	assert_int_equal(config_find_mapping(&c, "/1/xy1")->voice, 0);
	assert_int_equal(config_find_mapping(&c, "/1/multixy1/4/z")->voice, MAPPING_VOICE_TOUCH);
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

static void mappings_target_voices_and_the_tuio_port_is_read(void **state)
{
	(void)state;
	config c;
	char err[512];
	config_defaults(&c);
	assert_int_equal(c.tuio_port, 0); /* off unless asked */
	const char *text =
	    "{\"osc\": {\"tuio_port\": 3333}, \"mappings\": ["
	    "{\"address\": \"/1/multixy1/*\", \"to\": \"xy\", \"voice\": \"touch\"},"
	    "{\"address\": \"/2/xy1\", \"to\": \"xy\", \"voice\": 3}, {\"address\": \"/1/xy1\", \"to\": \"xy\"}]}";
	if (config_parse(&c, text, "t.json", err, sizeof err) < 0)
		fail_msg("%s", err);
	assert_int_equal(c.tuio_port, 3333);
	assert_int_equal(config_find_mapping(&c, "/1/multixy1/2")->voice, MAPPING_VOICE_TOUCH);
	assert_int_equal(config_find_mapping(&c, "/2/xy1")->voice, 3);
	assert_int_equal(config_find_mapping(&c, "/1/xy1")->voice, 0);
	assert_int_equal(config_validate(&c, err, sizeof err), 0);
	c.voices = 3;
	assert_int_equal(config_validate(&c, err, sizeof err), -1);
	assert_contains(err, "mappings[1] moves voice 3, but engine.voices is 3");
	c.voices = 8;
	c.tuio_port = c.port;
	assert_int_equal(config_validate(&c, err, sizeof err), -1);
	assert_contains(err, "TUIO port must differ");
	expect_refused("{\"mappings\": [{\"address\": \"/a\", \"to\": \"xy\", \"voice\": \"touch\"}]}",
	               "needs an address ending in '*'");
	expect_refused("{\"mappings\": [{\"address\": \"/a*\", \"to\": \"xy\", \"voice\": \"all\"}]}",
	               "'voice' must be a voice number (0 to 31) or \"touch\"");
	expect_refused("{\"mappings\": [{\"address\": \"/a\", \"to\": \"xy\", \"voice\": 32}]}", "'voice' is 32");
	expect_refused("{\"mappings\": [{\"address\": \"/a\", \"to\": \"gain\", \"voice\": 1}]}",
	               "'voice' applies only to xy, xyz, x and y");
	expect_refused("{\"osc\": {\"tuio_port\": -1}}", "'tuio_port' is -1");
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

static void the_allow_list_and_admin_keys_are_read_and_checked(void **state)
{
	(void)state;
	config c;
	char err[512];
	config_defaults(&c);
	const char *text = "{\"osc\": {\"bind\": \"0.0.0.0\", \"allow\": [\"192.168.0.0/16\", \"fe80::/10\", "
	                   "\"10.0.0.7\"], \"remote_admin\": true, \"password\": \"s3cret\"}}";
	if (config_parse(&c, text, "t.json", err, sizeof err) < 0)
		fail_msg("%s", err);
	assert_int_equal(c.n_allow, 3);
	assert_int_equal(c.allow[1].prefix, 10);
	assert_true(c.remote_admin);
	assert_string_equal(c.password, "s3cret");
	assert_int_equal(config_validate(&c, err, sizeof err), 0);
	expect_refused("{\"osc\": {\"allow\": \"192.168.0.0/16\"}}", "'allow' must be an array");
	expect_refused("{\"osc\": {\"allow\": [\"192.168.1.0/16\"]}}", "allow[0]: '192.168.1.0/16' has bits set");
	expect_refused("{\"osc\": {\"allow\": [\"10.0.0.0/8\", \"tablet\"]}}", "allow[1]: 'tablet' is not an IP");
	expect_refused("{\"osc\": {\"allow\": [7]}}", "allow[0] must be a string");
	expect_refused("{\"osc\": {\"remote_admin\": 1}}", "'remote_admin' must be true or false");
}

static void binding_beyond_loopback_needs_an_allow_list(void **state)
{
	(void)state;
	config c;
	char err[512];
	config_defaults(&c);
	snprintf(c.bind, sizeof c.bind, "0.0.0.0");
	assert_int_equal(config_validate(&c, err, sizeof err), -1);
	assert_contains(err, "osc.allow");
	snprintf(c.bind, sizeof c.bind, "::");
	assert_int_equal(config_validate(&c, err, sizeof err), -1);
	snprintf(c.bind, sizeof c.bind, "::1");
	assert_int_equal(config_validate(&c, err, sizeof err), 0);
	snprintf(c.bind, sizeof c.bind, "0.0.0.0");
	assert_int_equal(access_parse_rule("192.168.0.0/16", &c.allow[0], err, sizeof err), 0);
	c.n_allow = 1;
	assert_int_equal(config_validate(&c, err, sizeof err), 0);
}

/* MIDI mappings sit in `mappings` beside OSC ones (midi_config.c reads
 * them); the midi section; errors name the entry by its place. */
static void midi_mappings_and_the_midi_section_are_read(void **state)
{
	(void)state;
	config c;
	config_defaults(&c);
	assert_int_equal(c.midi.n_inputs, 0);
	char err[512];
	const char *text = "{\"midi\": {\"inputs\": [\"Seaboard\"], \"mpe\": \"lower\"},"
	                   " \"mappings\": [{\"address\": \"/1/xy1\", \"to\": \"xy\"},"
	                   " {\"midi\": \"cc 74\", \"to\": \"y\"}, {\"address\": \"/1/fader1\", \"to\": \"gain\"}]}";
	if (config_parse(&c, text, "t.json", err, sizeof err) < 0)
		fail_msg("%s", err);
	assert_int_equal(c.n_mappings, 2);
	assert_string_equal(c.mappings[1].address, "/1/fader1");
	assert_int_equal(c.midi.n_mappings, 1);
	assert_int_equal(c.midi.mappings[0].lo, 74);
	assert_int_equal(c.midi.mpe_lower, 15);
	assert_string_equal(c.midi.inputs[0], "Seaboard");
	assert_int_equal(config_validate(&c, err, sizeof err), 0);
	/* a new mappings array replaces the MIDI ones too */
	assert_int_equal(config_parse(&c, "{\"mappings\": []}", "t.json", err, sizeof err), 0);
	assert_int_equal(c.midi.n_mappings, 0);
	expect_refused("{\"mappings\": [{\"address\": \"/a\", \"to\": \"x\"}, {\"midi\": \"cc 300\", \"to\": \"y\"}]}",
	               "mappings[1]: 'midi': \"cc 300\"");
	expect_refused("{\"midi\": {\"inputs\": 3}}", "'midi.inputs' must be");
	config_defaults(&c);
	assert_int_equal(config_parse(&c, "{\"midi\": {\"voices\": [1, 9]}}", "t.json", err, sizeof err), 0);
	assert_int_equal(config_validate(&c, err, sizeof err), -1);
	assert_contains(err, "midi.voices goes to voice 9, but engine.voices is 8");
}

static void the_jack_server_and_ports_are_read_and_checked(void **state)
{
	(void)state;
	config c;
	char err[512];
	config_defaults(&c);
	assert_int_equal(c.n_jack_ports, 0);
	assert_string_equal(c.jack_server, "");
	assert_int_equal(config_parse(&c,
	                              "{\"audio\": {\"jack_server\": \"rack\", "
	                              "\"jack_ports\": [\"jt_rack:send_1\", \"jt_rack:send_[2-4]\"]}}",
	                              "t.json", err, sizeof err),
	                 0);
	assert_string_equal(c.jack_server, "rack");
	assert_int_equal(c.n_jack_ports, 2);
	assert_string_equal(c.jack_ports[0], "jt_rack:send_1");
	assert_string_equal(c.jack_ports[1], "jt_rack:send_[2-4]");
	expect_refused("{\"audio\": {\"jack_ports\": \"jt_rack:send_1\"}}",
	               "'jack_ports' must be an array of at most 16 port names or patterns");
	expect_refused("{\"audio\": {\"jack_ports\": [\"a:b\", \"\"]}}",
	               "jack_ports[1] must be a non-empty string of fewer than 320 characters");
	expect_refused("{\"audio\": {\"jack_ports\": [1]}}", "jack_ports[0] must be a non-empty string");
	expect_refused("{\"audio\": {\"jack_server\": 7}}", "'jack_server' must be a string");
	expect_refused("{\"audio\": {\"jack_port\": []}}", "unknown key 'audio.jack_port'");
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
	    cmocka_unit_test(mappings_target_voices_and_the_tuio_port_is_read),
	    cmocka_unit_test(unknown_keys_and_bad_values_are_named),
	    cmocka_unit_test(validate_checks_values_that_depend_on_each_other),
	    cmocka_unit_test(the_allow_list_and_admin_keys_are_read_and_checked),
	    cmocka_unit_test(binding_beyond_loopback_needs_an_allow_list),
	    cmocka_unit_test(the_jack_server_and_ports_are_read_and_checked),
	    cmocka_unit_test(the_model_rate_and_frames_per_call_are_read),
	    cmocka_unit_test(midi_mappings_and_the_midi_section_are_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
