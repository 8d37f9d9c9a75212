/* Unit tests for midi_voices.c: notes take free voices, the oldest is
 * stolen (and fades on its own voice), the pedal holds, keys struck again. */
#include "test_util.h"

#include "midi_voices.h"

static midi_note_id key(int channel, int k)
{
	return (midi_note_id){.source = 0, .channel = (uint8_t)channel, .key = (uint8_t)k};
}

static int on(midi_voices *p, midi_note_id n, int *released, int *n_released)
{
	return midi_voices_note_on(p, n, 0, released, n_released);
}

static void notes_take_free_voices_from_the_first(void **state)
{
	(void)state;
	midi_voices p;
	midi_voices_init(&p, 1, 4);
	int rel[4], n;
	assert_int_equal(on(&p, key(0, 60), rel, &n), 1);
	assert_int_equal(n, 0);
	assert_int_equal(on(&p, key(0, 64), rel, &n), 2);
	assert_int_equal(midi_voices_find(&p, key(0, 64)), 2);
	assert_int_equal(midi_voices_note_off(&p, key(0, 60)), 1);
	assert_int_equal(midi_voices_find(&p, key(0, 60)), -1);
	assert_int_equal(midi_voices_note_off(&p, key(0, 60)), -1); /* already off */
	assert_int_equal(midi_voices_note_off(&p, key(3, 64)), -1); /* another channel's key */
}

static void a_new_note_takes_the_voice_released_longest_ago(void **state)
{
	(void)state;
	midi_voices p;
	midi_voices_init(&p, 0, 4);
	int rel[4], n;
	on(&p, key(0, 60), rel, &n); /* voice 0 */
	on(&p, key(0, 62), rel, &n); /* 1 */
	on(&p, key(0, 64), rel, &n); /* 2 */
	midi_voices_note_off(&p, key(0, 62));
	midi_voices_note_off(&p, key(0, 60));
	/* voice 3 was never used: first; then 1 (released before 0) */
	assert_int_equal(on(&p, key(0, 65), rel, &n), 3);
	midi_voices_note_off(&p, key(0, 65));
	assert_int_equal(on(&p, key(0, 67), rel, &n), 1);
	assert_int_equal(n, 0);
}

static void voices_busy_elsewhere_are_taken_last(void **state)
{
	(void)state;
	midi_voices p;
	midi_voices_init(&p, 1, 3);
	int rel[4], n;
	/* voice 1 plays a loop: the note goes to 2 */
	assert_int_equal(midi_voices_note_on(&p, key(0, 60), 1u << 1, rel, &n), 2);
	/* every free voice busy: one is taken all the same */
	assert_int_equal(midi_voices_note_on(&p, key(0, 62), (1u << 1) | (1u << 3), rel, &n), 1);
}

static void a_full_pool_releases_its_oldest_note_onto_its_own_fade(void **state)
{
	(void)state;
	midi_voices p;
	midi_voices_init(&p, 1, 3);
	int rel[4], n;
	on(&p, key(0, 60), rel, &n);                      /* voice 1 */
	on(&p, key(0, 62), rel, &n);                      /* voice 2: two held, one voice kept free */
	assert_int_equal(on(&p, key(0, 64), rel, &n), 3); /* the kept voice... */
	assert_int_equal(n, 1);
	assert_int_equal(rel[0], 1); /* ...while the oldest (60) fades on voice 1 */
	assert_int_equal(midi_voices_find(&p, key(0, 60)), -1);
	assert_int_equal(on(&p, key(0, 65), rel, &n), 1); /* next: 62 is the oldest, voice 1 is free */
	assert_int_equal(n, 1);
	assert_int_equal(rel[0], 2);
}

static void one_voice_is_taken_over_without_a_release(void **state)
{
	(void)state;
	midi_voices p;
	midi_voices_init(&p, 5, 1);
	int rel[4], n;
	assert_int_equal(on(&p, key(0, 60), rel, &n), 5);
	assert_int_equal(on(&p, key(0, 62), rel, &n), 5);
	assert_int_equal(n, 0); /* no /voice/5/off before it starts again */
	assert_int_equal(midi_voices_find(&p, key(0, 62)), 5);
	assert_int_equal(midi_voices_find(&p, key(0, 60)), -1);
}

static void a_key_struck_again_releases_its_sounding_note(void **state)
{
	(void)state;
	midi_voices p;
	midi_voices_init(&p, 0, 8);
	int rel[4], n;
	assert_int_equal(on(&p, key(0, 60), rel, &n), 0);
	assert_int_equal(on(&p, key(0, 60), rel, &n), 1);
	assert_int_equal(n, 1);
	assert_int_equal(rel[0], 0);
	assert_int_equal(midi_voices_find(&p, key(0, 60)), 1);
}

static void the_pedal_holds_notes_until_it_is_lifted(void **state)
{
	(void)state;
	midi_voices p;
	midi_voices_init(&p, 0, 8);
	int rel[MIDI_VOICES_MAX], n;
	on(&p, key(2, 60), rel, &n);
	on(&p, key(2, 64), rel, &n);
	on(&p, key(5, 67), rel, &n);
	assert_int_equal(midi_voices_sustain(&p, 0, 1 << 2, 1, rel), 0);
	assert_int_equal(midi_voices_note_off(&p, key(2, 60)), -1); /* held by the pedal */
	assert_int_equal(midi_voices_find(&p, key(2, 60)), 0);
	assert_int_equal(midi_voices_note_off(&p, key(5, 67)), 2);       /* another channel's pedal is up */
	assert_int_equal(midi_voices_sustain(&p, 0, 1 << 2, 0, rel), 1); /* lifted: 60 ends, 64 is still down */
	assert_int_equal(rel[0], 0);
	assert_int_equal(midi_voices_find(&p, key(2, 64)), 1);
	/* the oldest sustained note is stolen before the oldest held one */
	midi_voices_init(&p, 0, 3);
	on(&p, key(0, 60), rel, &n);
	on(&p, key(0, 62), rel, &n);
	midi_voices_sustain(&p, 0, 1, 1, rel);
	midi_voices_note_off(&p, key(0, 62));
	on(&p, key(0, 64), rel, &n);
	assert_int_equal(n, 1);
	assert_int_equal(rel[0], 1); /* 62, sustained, though 60 is older */
}

static void release_all_ends_a_sources_notes_on_channels(void **state)
{
	(void)state;
	midi_voices p;
	midi_voices_init(&p, 0, 8);
	int rel[MIDI_VOICES_MAX], n;
	on(&p, key(1, 60), rel, &n);
	on(&p, key(2, 60), rel, &n);
	midi_note_id other = {.source = 1, .channel = 1, .key = 60};
	midi_voices_note_on(&p, other, 0, rel, &n);
	assert_int_equal(midi_voices_release_all(&p, 0, 1 << 1, rel), 1);
	assert_int_equal(rel[0], 0);
	assert_int_equal(midi_voices_find(&p, other), 2);
	assert_int_equal(midi_voices_release_all(&p, 0, 0xFFFF, rel), 1);
	assert_int_equal(midi_voices_find(&p, key(2, 60)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(notes_take_free_voices_from_the_first),
	    cmocka_unit_test(a_new_note_takes_the_voice_released_longest_ago),
	    cmocka_unit_test(voices_busy_elsewhere_are_taken_last),
	    cmocka_unit_test(a_full_pool_releases_its_oldest_note_onto_its_own_fade),
	    cmocka_unit_test(one_voice_is_taken_over_without_a_release),
	    cmocka_unit_test(a_key_struck_again_releases_its_sounding_note),
	    cmocka_unit_test(the_pedal_holds_notes_until_it_is_lifted),
	    cmocka_unit_test(release_all_ends_a_sources_notes_on_channels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
