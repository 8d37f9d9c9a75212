/* Unit tests for mpe.c: zones from the MPE Configuration Message, bend
 * ranges from RPN 0, managers and members, notes' bends. */
#include "test_util.h"

#include "mpe.h"

static mpe_effect cc(mpe_state *s, int channel, int controller, int value)
{
	midi_msg m = {
	    .kind = MIDI_CONTROL, .channel = (uint8_t)channel, .data1 = (uint8_t)controller, .data2 = (uint8_t)value};
	return mpe_feed(s, &m);
}

static void bend(mpe_state *s, int channel, int value)
{
	int raw = value + 8192;
	midi_msg m = {.kind = MIDI_PITCH_BEND,
	              .channel = (uint8_t)channel,
	              .data1 = (uint8_t)(raw & 0x7F),
	              .data2 = (uint8_t)(raw >> 7)};
	assert_int_equal(mpe_feed(s, &m), MPE_PASS);
}

/* RPN msb lsb, then data entry msb (and lsb when >= 0), as controllers send them. */
static mpe_effect rpn(mpe_state *s, int channel, int lsb_param, int value, int cents)
{
	assert_int_equal(cc(s, channel, 101, 0), MPE_TAKEN);
	assert_int_equal(cc(s, channel, 100, lsb_param), MPE_TAKEN);
	mpe_effect e = cc(s, channel, 6, value);
	if (cents >= 0)
		e = cc(s, channel, 38, cents);
	return e;
}

static void without_zones_every_channel_is_plain_with_two_semitones(void **state)
{
	(void)state;
	mpe_state s;
	mpe_init(&s, 0, 0);
	for (int c = 0; c < MPE_CHANNELS; c++) {
		assert_int_equal(mpe_role_of(&s, c), MPE_PLAIN);
		assert_int_equal(mpe_manager_of(&s, c), -1);
		assert_int_equal(mpe_scope(&s, c), 1 << c);
	}
	bend(&s, 3, 8191);
	assert_float_equal(mpe_bend_semitones(&s, 3), 2.0f, 1e-3);
	bend(&s, 3, -8192);
	assert_float_equal(mpe_bend_semitones(&s, 3), -2.0f, 1e-6);
}

static void the_configuration_message_makes_a_lower_zone(void **state)
{
	(void)state;
	mpe_state s;
	mpe_init(&s, 0, 0);
	assert_int_equal(rpn(&s, 0, 6, 15, -1), MPE_ZONES);
	assert_int_equal(s.lower, 15);
	assert_int_equal(mpe_role_of(&s, 0), MPE_MANAGER);
	for (int c = 1; c < 16; c++) {
		assert_int_equal(mpe_role_of(&s, c), MPE_MEMBER);
		assert_int_equal(mpe_manager_of(&s, c), 0);
	}
	assert_int_equal(mpe_scope(&s, 0), 0xFFFF);
	assert_int_equal(mpe_scope(&s, 5), 1 << 5);
	/* members bend ±48 semitones, the manager ±2 */
	bend(&s, 5, 4096);
	assert_float_equal(mpe_bend_semitones(&s, 5), 24.0f, 1e-4);
	assert_float_equal(s.ch[0].range, 2.0f, 1e-6);
}

static void the_managers_bend_adds_to_every_members(void **state)
{
	(void)state;
	mpe_state s;
	mpe_init(&s, 7, 0);
	bend(&s, 2, 4096);  /* a member: +24 */
	bend(&s, 0, -8192); /* the manager: -2 for all */
	assert_float_equal(mpe_bend_semitones(&s, 2), 22.0f, 1e-4);
	assert_float_equal(mpe_bend_semitones(&s, 3), -2.0f, 1e-4);
	assert_float_equal(mpe_bend_semitones(&s, 0), -2.0f, 1e-4);
	/* channel 9 is outside a 7-member lower zone: plain, not bent by the manager */
	assert_int_equal(mpe_role_of(&s, 9), MPE_PLAIN);
	assert_float_equal(mpe_bend_semitones(&s, 9), 0.0f, 1e-6);
}

static void an_upper_zone_counts_down_from_channel_16(void **state)
{
	(void)state;
	mpe_state s;
	mpe_init(&s, 0, 0);
	assert_int_equal(rpn(&s, 15, 6, 3, -1), MPE_ZONES);
	assert_int_equal(mpe_role_of(&s, 15), MPE_MANAGER);
	assert_int_equal(mpe_role_of(&s, 14), MPE_MEMBER);
	assert_int_equal(mpe_role_of(&s, 12), MPE_MEMBER);
	assert_int_equal(mpe_role_of(&s, 11), MPE_PLAIN);
	assert_int_equal(mpe_manager_of(&s, 13), 15);
	assert_int_equal(mpe_scope(&s, 15), (1 << 15) | (1 << 14) | (1 << 13) | (1 << 12));
}

static void a_growing_zone_shrinks_the_other(void **state)
{
	(void)state;
	mpe_state s;
	mpe_init(&s, 7, 7);
	assert_int_equal(s.lower + s.upper, 14);
	rpn(&s, 0, 6, 10, -1); /* lower 10: the upper keeps 4 */
	assert_int_equal(s.lower, 10);
	assert_int_equal(s.upper, 4);
	rpn(&s, 15, 6, 15, -1); /* upper 15: no lower zone is left */
	assert_int_equal(s.upper, 15);
	assert_int_equal(s.lower, 0);
	assert_int_equal(mpe_role_of(&s, 0), MPE_MEMBER);
	rpn(&s, 15, 6, 0, -1); /* off: plain MIDI again */
	assert_int_equal(mpe_role_of(&s, 0), MPE_PLAIN);
	assert_int_equal(mpe_role_of(&s, 15), MPE_PLAIN);
}

static void rpn_0_on_a_member_sets_the_zone_and_takes_cents(void **state)
{
	(void)state;
	mpe_state s;
	mpe_init(&s, 15, 0);
	assert_int_equal(rpn(&s, 4, 0, 12, 50), MPE_RANGE);
	for (int c = 1; c < 16; c++)
		assert_float_equal(s.ch[c].range, 12.5f, 1e-6);
	assert_float_equal(s.ch[0].range, 2.0f, 1e-6); /* the manager keeps its own */
	assert_int_equal(rpn(&s, 0, 0, 7, -1), MPE_RANGE);
	assert_float_equal(s.ch[0].range, 7.0f, 1e-6);
	/* a new configuration brings the defaults back */
	rpn(&s, 0, 6, 15, -1);
	assert_float_equal(s.ch[4].range, 48.0f, 1e-6);
	assert_float_equal(s.ch[0].range, 2.0f, 1e-6);
}

static void other_parameters_and_nrpns_change_nothing(void **state)
{
	(void)state;
	mpe_state s;
	mpe_init(&s, 0, 0);
	assert_int_equal(cc(&s, 0, 99, 0), MPE_TAKEN); /* NRPN 0 6: not the MPE configuration */
	assert_int_equal(cc(&s, 0, 98, 6), MPE_TAKEN);
	assert_int_equal(cc(&s, 0, 6, 15), MPE_TAKEN);
	assert_int_equal(s.lower, 0);
	assert_int_equal(rpn(&s, 0, 2, 64, -1), MPE_TAKEN); /* coarse tuning: ignored */
	assert_int_equal(cc(&s, 0, 101, 127), MPE_TAKEN);   /* RPN null: data entry means nothing */
	assert_int_equal(cc(&s, 0, 100, 127), MPE_TAKEN);
	assert_int_equal(cc(&s, 0, 6, 15), MPE_TAKEN);
	assert_int_equal(s.lower, 0);
	assert_float_equal(s.ch[0].range, 2.0f, 1e-6);
	/* a configuration message on a channel that manages no zone is ignored */
	assert_int_equal(rpn(&s, 4, 6, 3, -1), MPE_TAKEN);
	assert_int_equal(s.lower + s.upper, 0);
	/* other controllers pass to the performer */
	assert_int_equal(cc(&s, 0, 74, 64), MPE_PASS);
	assert_int_equal(cc(&s, 0, 64, 127), MPE_PASS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(without_zones_every_channel_is_plain_with_two_semitones),
	    cmocka_unit_test(the_configuration_message_makes_a_lower_zone),
	    cmocka_unit_test(the_managers_bend_adds_to_every_members),
	    cmocka_unit_test(an_upper_zone_counts_down_from_channel_16),
	    cmocka_unit_test(a_growing_zone_shrinks_the_other),
	    cmocka_unit_test(rpn_0_on_a_member_sets_the_zone_and_takes_cents),
	    cmocka_unit_test(other_parameters_and_nrpns_change_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
