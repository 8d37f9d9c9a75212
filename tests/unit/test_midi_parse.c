/* Unit tests for midi_parse.c: running status, real-time bytes inside
 * messages, SysEx and its fragments, truncation and undefined bytes. */
#include "test_util.h"

#include "midi_parse.h"

typedef struct parsed {
	size_t n;
	midi_msg m[16];
} parsed;

static parsed parse(midi_parser *p, const uint8_t *bytes, size_t n)
{
	parsed r;
	r.n = midi_parse(p, bytes, n, r.m, 16);
	return r;
}

static void expect_msg(const parsed *r, size_t i, int kind, int channel, int data1, int data2)
{
	assert_true(i < r->n);
	assert_int_equal(r->m[i].kind, kind);
	assert_int_equal(r->m[i].channel, channel);
	assert_int_equal(r->m[i].data1, data1);
	assert_int_equal(r->m[i].data2, data2);
}

static void channel_messages_are_read_with_their_data(void **state)
{
	(void)state;
	midi_parser p;
	midi_parser_init(&p);
	const uint8_t bytes[] = {0x90, 60,   100, 0x81, 60,   0,    0xB2, 74, 64, 0xC3,
	                         5,    0xD4, 90,  0xE5, 0x00, 0x40, 0xA6, 61, 33};
	parsed r = parse(&p, bytes, sizeof bytes);
	assert_int_equal(r.n, 7);
	expect_msg(&r, 0, MIDI_NOTE_ON, 0, 60, 100);
	expect_msg(&r, 1, MIDI_NOTE_OFF, 1, 60, 0);
	expect_msg(&r, 2, MIDI_CONTROL, 2, 74, 64);
	expect_msg(&r, 3, MIDI_PROGRAM, 3, 5, 0);
	expect_msg(&r, 4, MIDI_CHANNEL_PRESSURE, 4, 90, 0);
	expect_msg(&r, 5, MIDI_PITCH_BEND, 5, 0x00, 0x40);
	assert_int_equal(midi_bend_value(&r.m[5]), 0);
	expect_msg(&r, 6, MIDI_POLY_PRESSURE, 6, 61, 33);
	assert_int_equal(p.dropped, 0);
}

static void bend_values_span_minus_8192_to_8191(void **state)
{
	(void)state;
	midi_msg lo = {.kind = MIDI_PITCH_BEND, .data1 = 0, .data2 = 0};
	midi_msg hi = {.kind = MIDI_PITCH_BEND, .data1 = 0x7F, .data2 = 0x7F};
	assert_int_equal(midi_bend_value(&lo), -8192);
	assert_int_equal(midi_bend_value(&hi), 8191);
}

static void running_status_repeats_the_last_channel_status(void **state)
{
	(void)state;
	midi_parser p;
	midi_parser_init(&p);
	/* a chord and a bend sweep the way keyboards send them: one status byte */
	const uint8_t bytes[] = {0x90, 60, 100, 64, 90, 67, 80, 0xE0, 0, 64, 0, 70};
	parsed r = parse(&p, bytes, sizeof bytes);
	assert_int_equal(r.n, 5);
	expect_msg(&r, 1, MIDI_NOTE_ON, 0, 64, 90);
	expect_msg(&r, 2, MIDI_NOTE_ON, 0, 67, 80);
	expect_msg(&r, 4, MIDI_PITCH_BEND, 0, 0, 70);
	/* a message split between two reads is still read whole */
	r = parse(&p, (const uint8_t[]){0xB0, 1}, 2);
	assert_int_equal(r.n, 0);
	r = parse(&p, (const uint8_t[]){99}, 1);
	expect_msg(&r, 0, MIDI_CONTROL, 0, 1, 99);
}

static void realtime_bytes_inside_a_message_change_nothing(void **state)
{
	(void)state;
	midi_parser p;
	midi_parser_init(&p);
	/* clock, active sensing, start and the undefined F9 and FD between data bytes */
	const uint8_t bytes[] = {0x90, 0xF8, 60, 0xFE, 100, 0xF9, 62, 0xFD, 0xFA, 101, 0xFF};
	parsed r = parse(&p, bytes, sizeof bytes);
	assert_int_equal(r.n, 2);
	expect_msg(&r, 0, MIDI_NOTE_ON, 0, 60, 100);
	expect_msg(&r, 1, MIDI_NOTE_ON, 0, 62, 101);
	assert_int_equal(p.realtime, 6);
	assert_int_equal(p.dropped, 0);
}

static void sysex_is_skipped_and_a_status_inside_it_ends_the_fragment(void **state)
{
	(void)state;
	midi_parser p;
	midi_parser_init(&p);
	uint8_t bytes[600];
	size_t n = 0;
	bytes[n++] = 0xF0;
	for (int i = 0; i < 500; i++) /* longer than any buffer: skipped, never stored */
		bytes[n++] = (uint8_t)(i & 0x7F);
	bytes[n++] = 0xF7;
	bytes[n++] = 0x90, bytes[n++] = 60, bytes[n++] = 100;
	bytes[n++] = 0xF0, bytes[n++] = 0x7E, bytes[n++] = 0x01; /* a fragment: cut by a status */
	bytes[n++] = 0x80, bytes[n++] = 60, bytes[n++] = 0;
	parsed r = parse(&p, bytes, n);
	assert_int_equal(r.n, 2);
	expect_msg(&r, 0, MIDI_NOTE_ON, 0, 60, 100);
	expect_msg(&r, 1, MIDI_NOTE_OFF, 0, 60, 0);
	assert_int_equal(p.sysex, 2);
	/* running status does not survive a SysEx: these data bytes are stray */
	r = parse(&p, (const uint8_t[]){0xF0, 1, 0xF7, 61, 0}, 5);
	assert_int_equal(r.n, 0);
	assert_int_equal(p.dropped, 2);
}

static void truncated_messages_and_stray_data_are_dropped(void **state)
{
	(void)state;
	midi_parser p;
	midi_parser_init(&p);
	/* data with no status, a note-on cut after its key, then a whole one */
	const uint8_t bytes[] = {60, 100, 0x90, 60, 0xB0, 7, 127};
	parsed r = parse(&p, bytes, sizeof bytes);
	assert_int_equal(r.n, 1);
	expect_msg(&r, 0, MIDI_CONTROL, 0, 7, 127);
	assert_int_equal(p.dropped, 3);
}

static void system_common_cancels_running_status_and_skips_its_data(void **state)
{
	(void)state;
	midi_parser p;
	midi_parser_init(&p);
	/* song position's two bytes are not a note; after it, no running status */
	const uint8_t bytes[] = {0x90, 60, 100, 0xF2, 0x10, 0x20, 61, 100, 0xF3, 5, 0xF1, 0x31, 0xF6};
	parsed r = parse(&p, bytes, sizeof bytes);
	assert_int_equal(r.n, 1);
	expect_msg(&r, 0, MIDI_NOTE_ON, 0, 60, 100);
	assert_int_equal(p.dropped, 2); /* 61 and 100 */
}

static void undefined_system_common_bytes_are_dropped(void **state)
{
	(void)state;
	midi_parser p;
	midi_parser_init(&p);
	const uint8_t bytes[] = {0x90, 60, 0xF4, 100, 0xF5, 0x90, 62, 90};
	parsed r = parse(&p, bytes, sizeof bytes);
	assert_int_equal(r.n, 1);
	expect_msg(&r, 0, MIDI_NOTE_ON, 0, 62, 90);
	/* the cut note, F4, the stray 100, F5 */
	assert_int_equal(p.dropped, 4);
}

static void an_events_end_drops_the_message_it_cut_short(void **state)
{
	(void)state;
	midi_parser p;
	midi_parser_init(&p);
	parsed r = parse(&p, (const uint8_t[]){0x90, 60}, 2);
	midi_parse_event_end(&p); /* a JACK event of two bytes: truncated */
	r = parse(&p, (const uint8_t[]){61, 100}, 2);
	/* the next event's bytes are not its velocity; with running status they are a note of their own */
	assert_int_equal(r.n, 1);
	expect_msg(&r, 0, MIDI_NOTE_ON, 0, 61, 100);
	assert_int_equal(p.dropped, 1);
	/* a SysEx split over events goes on being skipped */
	parse(&p, (const uint8_t[]){0xF0, 1, 2}, 3);
	midi_parse_event_end(&p);
	r = parse(&p, (const uint8_t[]){3, 4, 0xF7, 0xB0, 1, 2}, 6);
	assert_int_equal(r.n, 1);
	expect_msg(&r, 0, MIDI_CONTROL, 0, 1, 2);
}

static void messages_beyond_the_output_are_counted(void **state)
{
	(void)state;
	midi_parser p;
	midi_parser_init(&p);
	const uint8_t bytes[] = {0x90, 60, 1, 61, 1, 62, 1};
	midi_msg out[2];
	assert_int_equal(midi_parse(&p, bytes, sizeof bytes, out, 2), 2);
	assert_int_equal(p.messages, 3);
	assert_int_equal(p.dropped, 1);
}

/* Random bytes never make the parser read outside its state: every
 * message it produces has a channel status and 7-bit data. */
static void random_bytes_give_only_well_formed_messages(void **state)
{
	(void)state;
	midi_parser p;
	midi_parser_init(&p);
	uint32_t seed = 12345;
	for (int i = 0; i < 200000; i++) {
		seed = seed * 1664525u + 1013904223u;
		midi_msg m;
		if (midi_parse_byte(&p, (uint8_t)(seed >> 24), &m)) {
			assert_in_range(m.kind, MIDI_NOTE_OFF, MIDI_PITCH_BEND);
			assert_true(m.channel < 16 && m.data1 < 128 && m.data2 < 128);
		}
	}
	assert_true(p.messages > 0 && p.dropped > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(channel_messages_are_read_with_their_data),
	    cmocka_unit_test(bend_values_span_minus_8192_to_8191),
	    cmocka_unit_test(running_status_repeats_the_last_channel_status),
	    cmocka_unit_test(realtime_bytes_inside_a_message_change_nothing),
	    cmocka_unit_test(sysex_is_skipped_and_a_status_inside_it_ends_the_fragment),
	    cmocka_unit_test(truncated_messages_and_stray_data_are_dropped),
	    cmocka_unit_test(system_common_cancels_running_status_and_skips_its_data),
	    cmocka_unit_test(undefined_system_common_bytes_are_dropped),
	    cmocka_unit_test(an_events_end_drops_the_message_it_cut_short),
	    cmocka_unit_test(messages_beyond_the_output_are_counted),
	    cmocka_unit_test(random_bytes_give_only_well_formed_messages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
