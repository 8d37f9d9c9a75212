/* Unit tests for midi_config.c: the midi section, MIDI mappings, their
 * errors (each names what is wrong), the default mapping, value shaping. */
#include "test_util.h"

#include "midi_config.h"

static int parse_section(midi_config *m, const char *json, char *err, size_t errlen)
{
	cJSON *root = cJSON_Parse(json);
	assert_non_null(root);
	int rc = midi_config_parse(m, root, err, errlen);
	cJSON_Delete(root);
	return rc;
}

static int parse_map(midi_config *m, const char *json, char *err, size_t errlen)
{
	cJSON *root = cJSON_Parse(json);
	assert_non_null(root);
	assert_true(midi_config_is_mapping(root));
	int rc = midi_config_parse_mapping(m, root, err, errlen);
	cJSON_Delete(root);
	return rc;
}

static void expect_map_error(const char *json, const char *reason)
{
	midi_config m;
	midi_config_defaults(&m);
	char err[512] = "";
	assert_int_equal(parse_map(&m, json, err, sizeof err), -1);
	if (!strstr(err, reason))
		fail_msg("%s: expected '%s' in '%s'", json, reason, err);
}

static void the_section_reads_inputs_backend_zones_and_voices(void **state)
{
	(void)state;
	midi_config m;
	midi_config_defaults(&m);
	char err[256];
	assert_int_equal(parse_section(&m,
	                               "{\"inputs\": [\"Seaboard\", \"*\"], \"backend\": \"jack\", \"mpe\": "
	                               "{\"lower\": 7, \"upper\": 7}, \"voices\": [2, 5], \"defaults\": false}",
	                               err, sizeof err),
	                 0);
	assert_int_equal(m.n_inputs, 2);
	assert_string_equal(m.inputs[0], "Seaboard");
	assert_int_equal(m.backend, MIDI_BACKEND_JACK);
	assert_int_equal(m.mpe_lower, 7);
	assert_int_equal(m.mpe_upper, 7);
	assert_int_equal(m.voice_first, 2);
	assert_int_equal(m.voice_last, 5);
	assert_int_equal(m.defaults, 0);
	assert_int_equal(parse_section(&m, "{\"inputs\": \"Linn\", \"mpe\": \"lower\"}", err, sizeof err), 0);
	assert_int_equal(m.n_inputs, 1);
	assert_int_equal(m.mpe_lower, 15);
	assert_int_equal(midi_config_validate(&m, 8, err, sizeof err), 0);
	assert_int_equal(midi_config_validate(&m, 4, err, sizeof err), -1); /* voices go to 5 */
	assert_non_null(strstr(err, "engine.voices is 4"));
}

static void the_sections_errors_name_the_key(void **state)
{
	(void)state;
	static const struct {
		const char *json, *reason;
	} cases[] = {
	    {"{\"input\": \"x\"}", "unknown key 'midi.input'"},
	    {"{\"backend\": \"coremidi\"}", "'midi.backend' must be"},
	    {"{\"mpe\": {\"lower\": 16}}", "midi.mpe.lower"},
	    {"{\"mpe\": {\"lower\": 8, \"upper\": 8}}", "do not fit"},
	    {"{\"voices\": [3, 1]}", "first <= last"},
	    {"{\"inputs\": [1]}", "midi.inputs[0] must be a string"},
	    {"{\"inputs\": "
	     "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\",\"l\",\"m\",\"n\",\"o\",\"p\","
	     "\"q\"]}",
	     "at most 16"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		midi_config m;
		midi_config_defaults(&m);
		char err[256] = "";
		assert_int_equal(parse_section(&m, cases[i].json, err, sizeof err), -1);
		if (!strstr(err, cases[i].reason))
			fail_msg("%s: expected '%s' in '%s'", cases[i].json, cases[i].reason, err);
	}
}

static void mappings_read_sources_channels_and_targets(void **state)
{
	(void)state;
	midi_config m;
	midi_config_defaults(&m);
	char err[256];
	assert_int_equal(parse_map(&m,
	                           "{\"midi\": \"cc 74\", \"channel\": 3, \"to\": \"y\", \"voice\": 2, \"invert\": "
	                           "true, \"range\": [10, 100], \"curve\": 2}",
	                           err, sizeof err),
	                 0);
	assert_int_equal(parse_map(&m,
	                           "{\"midi\": \"note 36-51\", \"channel\": 10, \"to\": \"point\", \"point\": 4, "
	                           "\"glide_ms\": 250}",
	                           err, sizeof err),
	                 0);
	assert_int_equal(parse_map(&m,
	                           "{\"midi\": \"note\", \"to\": \"voice\", \"start\": \"cursor\", \"keys\": [48, 72], "
	                           "\"pitch\": false}",
	                           err, sizeof err),
	                 0);
	assert_int_equal(
	    parse_map(&m, "{\"midi\": \"cc 20\", \"to\": \"grain\", \"setting\": \"size\", \"out\": [10, 200]}", err,
	              sizeof err),
	    0);
	assert_int_equal(parse_map(&m, "{\"midi\": \"program 2\", \"to\": \"load_terrain\", \"path\": \"speech.json\"}",
	                           err, sizeof err),
	                 0);
	assert_int_equal(m.n_mappings, 5);
	const midi_mapping *cc = &m.mappings[0], *pads = &m.mappings[1], *notes = &m.mappings[2];
	assert_int_equal(cc->source, MIDI_SRC_CC);
	assert_int_equal(cc->lo, 74);
	assert_true(midi_mapping_takes(cc, MIDI_SRC_CC, 74, 2)); /* channel 3 is 2 from 0 */
	assert_false(midi_mapping_takes(cc, MIDI_SRC_CC, 74, 3));
	assert_false(midi_mapping_takes(cc, MIDI_SRC_CC, 75, 2));
	assert_int_equal(cc->voice, 2);
	/* range 10..100, inverted, squared: 55 is half way, then 1 - 0.5 = 0.5, squared 0.25 */
	assert_float_equal(midi_mapping_shape(cc, 55), 0.25f, 1e-6);
	assert_float_equal(midi_mapping_shape(cc, 0), 1.0f, 1e-6); /* clamped to the range */
	assert_int_equal(pads->to, MIDI_TO_POINT);
	assert_int_equal(pads->voice, 0);
	assert_true(midi_mapping_takes(pads, MIDI_SRC_NOTE, 51, 9));
	assert_false(midi_mapping_takes(pads, MIDI_SRC_NOTE, 52, 9));
	assert_float_equal(pads->glide_ms, 250.0f, 1e-6);
	assert_int_equal(notes->start, MIDI_START_CURSOR);
	assert_int_equal(notes->keys_lo, 48);
	assert_int_equal(notes->pitch, 0);
	assert_true(midi_mapping_takes(notes, MIDI_SRC_NOTE, 0, 15));
	assert_float_equal(midi_mapping_out(&m.mappings[3], 0.5f), 105.0f, 1e-4);
	assert_string_equal(m.mappings[4].path, "speech.json");
	char text[32];
	midi_mapping_source_text(pads, text, sizeof text);
	assert_string_equal(text, "note 36-51");
}

static void a_bends_range_is_its_14_bits(void **state)
{
	(void)state;
	midi_config m;
	midi_config_defaults(&m);
	char err[256];
	assert_int_equal(parse_map(&m, "{\"midi\": \"bend\", \"to\": \"x\", \"voice\": 0}", err, sizeof err), 0);
	assert_float_equal(midi_mapping_shape(&m.mappings[0], -8192), 0.0f, 1e-6);
	assert_float_equal(midi_mapping_shape(&m.mappings[0], 8191), 1.0f, 1e-6);
	assert_float_equal(midi_mapping_shape(&m.mappings[0], 0), 0.5f, 1e-4);
}

static void mapping_errors_name_what_is_wrong(void **state)
{
	(void)state;
	expect_map_error("{\"midi\": \"knob 3\", \"to\": \"x\"}", "'midi' is \"knob 3\"");
	expect_map_error("{\"midi\": \"cc\", \"to\": \"x\"}", "needs a controller number");
	expect_map_error("{\"midi\": \"cc 1-5\", \"to\": \"x\"}", "one controller number");
	expect_map_error("{\"midi\": \"note 60-40\", \"to\": \"voice\"}", "a range N-M");
	expect_map_error("{\"midi\": \"bend 3\", \"to\": \"x\"}", "takes no number");
	expect_map_error("{\"midi\": \"cc 1\", \"to\": \"volume\"}", "'to' is \"volume\"");
	expect_map_error("{\"midi\": \"cc 1\", \"to\": \"voice\"}", "takes notes");
	expect_map_error("{\"midi\": \"bend\", \"to\": \"sustain\"}", "takes a controller");
	expect_map_error("{\"midi\": \"cc 1\", \"to\": \"grain\"}", "needs a 'setting'");
	expect_map_error("{\"midi\": \"cc 1\", \"to\": \"grain\", \"setting\": \"pitch\"}", "'setting' must be one of");
	expect_map_error("{\"midi\": \"cc 1\", \"to\": \"loop\", \"command\": \"record\", \"loop\": 8}", "'loop'");
	expect_map_error("{\"midi\": \"cc 1\", \"to\": \"load_model\"}", "'path' is needed");
	expect_map_error("{\"midi\": \"cc 1\", \"to\": \"x\", \"path\": \"a.ts\"}", "'path' belongs only");
	expect_map_error("{\"midi\": \"cc 1\", \"to\": \"x\", \"start\": \"line\"}", "belong to \"to\": \"voice\"");
	expect_map_error("{\"midi\": \"cc 1\", \"to\": \"x\", \"channel\": 17}", "'channel'");
	expect_map_error("{\"midi\": \"cc 1\", \"to\": \"x\", \"voice\": \"output\"}", "'voice' must be");
	expect_map_error("{\"midi\": \"cc 1\", \"to\": \"x\", \"range\": [5, 5]}", "'range' is empty");
	expect_map_error("{\"midi\": \"cc 1\", \"to\": \"x\", \"colour\": 1}", "unknown key 'colour'");
	expect_map_error("{\"midi\": \"cc 1\", \"address\": \"/x\", \"to\": \"x\"}", "a mapping has one source");
	expect_map_error("{\"midi\": \"note\", \"to\": \"point\", \"point\": 100}", "past the last stored point");
	expect_map_error("{\"midi\": \"note\", \"to\": \"voice\", \"line\": [0, 0, 2, 1]}", "fractions");
	expect_map_error("{\"midi\": \"cc 123\", \"to\": \"x\"}", "channel mode message (All Notes Off)");
	expect_map_error("{\"midi\": \"cc 120\", \"to\": \"loop\", \"command\": \"record\"}", "(All Sound Off)");
	expect_map_error("{\"midi\": \"cc 126\", \"to\": \"y\"}", "(Mono On)");
	midi_config m; /* 121 and 122 end no note: a mapping may take them */
	midi_config_defaults(&m);
	char err[256];
	assert_int_equal(parse_map(&m, "{\"midi\": \"cc 121\", \"to\": \"x\"}", err, sizeof err), 0);
}

static void the_default_mapping_plays_with_no_configuration(void **state)
{
	(void)state;
	midi_mapping d[16];
	int n = midi_config_default_mappings(d, 16);
	assert_int_equal(n, 7);
	int found_notes = 0, found_wheel = 0, found_cc74 = 0, found_bend = 0, found_pressure = 0, found_sustain = 0;
	for (int i = 0; i < n; i++) {
		found_notes |= midi_mapping_takes(&d[i], MIDI_SRC_NOTE, 60, 0) && d[i].to == MIDI_TO_VOICE;
		found_wheel |= midi_mapping_takes(&d[i], MIDI_SRC_CC, 1, 5) && d[i].to == MIDI_TO_Y;
		found_cc74 |= midi_mapping_takes(&d[i], MIDI_SRC_CC, 74, 5) && d[i].to == MIDI_TO_Y;
		found_bend |= midi_mapping_takes(&d[i], MIDI_SRC_BEND, 0, 5) && d[i].to == MIDI_TO_X;
		found_pressure |= midi_mapping_takes(&d[i], MIDI_SRC_PRESSURE, 0, 5) && d[i].to == MIDI_TO_PRESSURE;
		found_sustain |= midi_mapping_takes(&d[i], MIDI_SRC_CC, 64, 0) && d[i].to == MIDI_TO_SUSTAIN;
		assert_int_equal(d[i].voice, MIDI_VOICE_NOTES);
	}
	assert_true(found_notes && found_wheel && found_cc74 && found_bend && found_pressure && found_sustain);
	/* velocity 127 is gain 1 */
	assert_float_equal(midi_mapping_out(&d[0], midi_mapping_shape(&d[0], 127)), 1.0f, 1e-6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(the_section_reads_inputs_backend_zones_and_voices),
	    cmocka_unit_test(the_sections_errors_name_the_key),
	    cmocka_unit_test(mappings_read_sources_channels_and_targets),
	    cmocka_unit_test(a_bends_range_is_its_14_bits),
	    cmocka_unit_test(mapping_errors_name_what_is_wrong),
	    cmocka_unit_test(the_default_mapping_plays_with_no_configuration),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
