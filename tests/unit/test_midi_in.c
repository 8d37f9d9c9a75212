/* Unit tests for midi_in.c's pure parts: which ports midi.inputs names,
 * the inbox (bytes cut into chunks, what does not fit counted), and the
 * OSC packets MIDI's actions become (read back with liblo). The ports
 * themselves are tested end to end on JACK (tests/e2e/test_midi.sh). */
#include "test_util.h"

#include <lo/lo.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "midi_in.h"
#include "midi_play.h"

static midi_port port(const char *name, const char *alias)
{
	midi_port p;
	snprintf(p.name, sizeof p.name, "%s", name);
	snprintf(p.match, sizeof p.match, "%s\n%s", name, alias);
	return p;
}

static void inputs_match_names_and_aliases_in_any_case(void **state)
{
	(void)state;
	midi_port seaboard =
	    port("a2j:Seaboard BLOCK [24] (capture): Seaboard BLOCK MIDI 1", "alsa_pcm:Seaboard-BLOCK/midi_capture_1");
	assert_true(midi_in_matches("seaboard", &seaboard));
	assert_true(midi_in_matches("midi_capture_1", &seaboard)); /* an alias */
	assert_true(midi_in_matches("*", &seaboard));
	assert_false(midi_in_matches("LinnStrument", &seaboard));
}

static void the_inbox_cuts_long_events_and_counts_what_does_not_fit(void **state)
{
	(void)state;
	midi_inbox b = {.ring = ring_create(4, sizeof(midi_chunk)), .wake_fd = eventfd(0, EFD_NONBLOCK)};
	uint8_t sysex[30];
	memset(sysex, 0x11, sizeof sysex);
	sysex[0] = 0xF0;
	sysex[29] = 0xF7;
	assert_int_equal(midi_inbox_push(&b, 3, sysex, sizeof sysex, 42), 3); /* 12 + 12 + 6 */
	midi_chunk c[4];
	assert_int_equal(ring_read(b.ring, c, 4), 3);
	assert_int_equal(c[0].source, 3);
	assert_int_equal(c[0].size, 12);
	assert_int_equal(c[2].size, 6);
	assert_int_equal(c[2].bytes[5], 0xF7);
	assert_true(!c[0].last && !c[1].last && c[2].last);
	assert_int_equal(c[1].when_ns, 42);
	assert_int_equal(midi_inbox_push(&b, 0, sysex, sizeof sysex, 0) + midi_inbox_push(&b, 0, sysex, 12, 0), 4);
	assert_int_equal(ring_dropped(b.ring), 0);
	assert_int_equal(midi_inbox_push(&b, 0, sysex, 1, 0), 0); /* full: dropped and counted */
	assert_int_equal(ring_dropped(b.ring), 1);
	/* a reset asked for from another thread goes in when the producer next pushes */
	ring_read(b.ring, c, 4);
	midi_inbox_reset(&b, 2);
	midi_inbox_reset(&b, 9);
	assert_int_equal(ring_readable(b.ring), 0);
	assert_int_equal(midi_inbox_take_resets(&b), 2);
	assert_int_equal(midi_inbox_take_resets(&b), 0);
	assert_int_equal(ring_read(b.ring, c, 4), 2);
	assert_true(c[0].reset && c[0].source == 2 && c[1].reset && c[1].source == 9);
	midi_inbox_wake(&b);
	uint64_t n;
	assert_int_equal(read(b.wake_fd, &n, sizeof n), sizeof n);
	assert_int_equal(n, 1);
	close(b.wake_fd);
	ring_free(b.ring);
}

static void actions_become_osc_packets(void **state)
{
	(void)state;
	uint8_t buf[128];
	midi_action xy = {.address = "/voice/3/xy", .n = 2, .v = {0.25f, -1.5f}};
	size_t size = midi_action_osc(&xy, buf, sizeof buf);
	assert_int_equal(size % 4, 0);
	int result = 0;
	lo_message m = lo_message_deserialise(buf, size, &result);
	assert_non_null(m);
	assert_string_equal(lo_get_path(buf, (ssize_t)size), "/voice/3/xy");
	assert_string_equal(lo_message_get_types(m), "ff");
	float v[2]; /* liblo's arguments are 4-byte aligned, not a union's 8 */
	memcpy(&v[0], lo_message_get_argv(m)[0], sizeof v[0]);
	memcpy(&v[1], lo_message_get_argv(m)[1], sizeof v[1]);
	assert_float_equal(v[0], 0.25f, 0);
	assert_float_equal(v[1], -1.5f, 0);
	lo_message_free(m);
	midi_action load = {.address = "/load/terrain", .text = "speech.json"};
	size = midi_action_osc(&load, buf, sizeof buf);
	m = lo_message_deserialise(buf, size, &result);
	assert_non_null(m);
	assert_string_equal(lo_message_get_types(m), "s");
	assert_string_equal((const char *)lo_message_get_argv(m)[0], "speech.json");
	lo_message_free(m);
	midi_action off = {.address = "/voice/12/off"};
	size = midi_action_osc(&off, buf, sizeof buf);
	m = lo_message_deserialise(buf, size, &result);
	assert_non_null(m);
	assert_int_equal(lo_message_get_argc(m), 0);
	lo_message_free(m);
	assert_int_equal(midi_action_osc(&xy, buf, 20), 0); /* does not fit */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(inputs_match_names_and_aliases_in_any_case),
	    cmocka_unit_test(the_inbox_cuts_long_events_and_counts_what_does_not_fit),
	    cmocka_unit_test(actions_become_osc_packets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
