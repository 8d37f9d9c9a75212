/* Unit tests for midi_play.c: MIDI bytes in, the daemon's OSC out, with
 * the default mapping and configured ones; notes, MPE fingers, pressure,
 * sustain, pads, loops, grains, coalescing, zone changes. */
#include "test_util.h"

#include "midi_play.h"

typedef struct recorded {
	int n;
	midi_action a[256];
	char text[256][64];
} recorded;

static void record(void *ctx, const midi_action *a)
{
	recorded *r = ctx;
	if (r->n < 256) {
		r->a[r->n] = *a;
		if (a->text)
			snprintf(r->text[r->n], sizeof r->text[0], "%s", a->text);
		r->n++;
	}
}

/* The last action to `address`, or NULL. */
static const midi_action *last(const recorded *r, const char *address)
{
	for (int i = r->n - 1; i >= 0; i--)
		if (strcmp(r->a[i].address, address) == 0)
			return &r->a[i];
	return NULL;
}

static int count(const recorded *r, const char *address)
{
	int n = 0;
	for (int i = 0; i < r->n; i++)
		n += strcmp(r->a[i].address, address) == 0;
	return n;
}

/* The demo terrain's shape: x and y from -1 to 1. */
static midi_world world(int dim)
{
	midi_world w;
	memset(&w, 0, sizeof w);
	w.control_dim = dim;
	for (int d = 0; d < dim; d++)
		w.min[d] = -1.0f, w.max[d] = 1.0f;
	return w;
}

typedef struct fixture {
	midi_play play;
	midi_config config;
	recorded out;
	midi_world w;
} fixture;

static fixture *setup(const char *const *mappings, int n)
{
	fixture *f = calloc(1, sizeof *f);
	midi_config_defaults(&f->config);
	for (int i = 0; i < n; i++) {
		cJSON *m = cJSON_Parse(mappings[i]);
		char err[256];
		if (midi_config_parse_mapping(&f->config, m, err, sizeof err) < 0)
			fail_msg("%s: %s", mappings[i], err);
		cJSON_Delete(m);
	}
	midi_play_init(&f->play, &f->config, 8, record, &f->out);
	f->w = world(2);
	return f;
}

static void send(fixture *f, int source, const uint8_t *bytes, size_t n)
{
	midi_play_bytes(&f->play, &f->w, source, bytes, n);
}

#define SEND(f, ...)                                                                                                   \
	do {                                                                                                           \
		const uint8_t b_[] = {__VA_ARGS__};                                                                    \
		send(f, 0, b_, sizeof b_);                                                                             \
	} while (0)

/* Bend by a value -8192..8191 on a channel (0..15). */
static void bend(fixture *f, int channel, int value)
{
	int raw = value + 8192;
	SEND(f, (uint8_t)(0xE0 | channel), (uint8_t)(raw & 0x7F), (uint8_t)(raw >> 7));
}

static void a_note_starts_a_voice_in_tune_along_the_terrain(void **state)
{
	(void)state;
	fixture *f = setup(NULL, 0);
	SEND(f, 0x90, 60, 127);
	/* pitch, gain, then the position that sounds it */
	assert_int_equal(f->out.n, 3);
	assert_string_equal(f->out.a[0].address, "/voice/1/pitch");
	assert_float_equal(f->out.a[0].v[0], 261.626f, 0.01f);
	assert_string_equal(f->out.a[1].address, "/voice/1/gain");
	assert_float_equal(f->out.a[1].v[0], 1.0f, 1e-6);
	assert_string_equal(f->out.a[2].address, "/voice/1/xy");
	/* key 60 is half way from 36 to 84: the middle of the terrain */
	assert_float_equal(f->out.a[2].v[0], 0.0f, 1e-6);
	assert_float_equal(f->out.a[2].v[1], 0.0f, 1e-6);
	SEND(f, 0x90, 72, 64); /* running status: a second note */
	const midi_action *xy = last(&f->out, "/voice/2/xy");
	assert_non_null(xy);
	assert_float_equal(xy->v[0], 0.5f, 1e-6); /* 36 keys to the right of 36 of 48: 3/4 across */
	assert_float_equal(last(&f->out, "/voice/2/gain")->v[0], 64.0f / 127.0f, 1e-6);
	assert_float_equal(last(&f->out, "/voice/2/pitch")->v[0], 523.25f, 0.01f);
	SEND(f, 0x80, 60, 0);
	assert_non_null(last(&f->out, "/voice/1/off"));
	SEND(f, 0x90, 72, 0); /* velocity 0 is a note-off */
	assert_non_null(last(&f->out, "/voice/2/off"));
	assert_int_equal(f->play.counts.notes, 2);
	free(f);
}

static void mpe_fingers_move_their_own_voices(void **state)
{
	(void)state;
	fixture *f = setup(NULL, 0);
	SEND(f, 0xB0, 101, 0, 100, 6, 6, 15); /* MPE Configuration Message: lower zone, 15 members */
	assert_int_equal(f->play.sources[0].mpe.lower, 15);
	for (int finger = 0; finger < 4; finger++)
		SEND(f, (uint8_t)(0x91 + finger), (uint8_t)(48 + 12 * finger), 100); /* channels 2..5 */
	f->out.n = 0;
	/* each finger slides its own way: +12, -12, +1 semitone, none; and its own CC74 */
	bend(f, 1, 2048);
	bend(f, 2, -2048);
	bend(f, 3, 171);
	for (int finger = 0; finger < 4; finger++)
		SEND(f, (uint8_t)(0xB1 + finger), 74, (uint8_t)(finger * 40));
	assert_int_equal(f->out.n, 0); /* gathered until the flush */
	midi_play_flush(&f->play, &f->w);
	float step = 2.0f / 48.0f; /* x per semitone: 48 keys across the terrain */
	float base[4] = {-0.5f, 0.0f, 0.5f, 1.0f};
	float moved[4] = {12, -12, 171.0f / 8192.0f * 48.0f, 0};
	for (int finger = 0; finger < 4; finger++) {
		char address[32];
		snprintf(address, sizeof address, "/voice/%d/xy", finger + 1);
		const midi_action *xy = last(&f->out, address);
		assert_non_null(xy);
		float x = base[finger] + moved[finger] * step;
		assert_float_equal(xy->v[0], x > 1 ? 1 : x, 1e-4);
		assert_float_equal(xy->v[1], -1.0f + 2.0f * finger * 40 / 127.0f, 1e-4);
		snprintf(address, sizeof address, "/voice/%d/pitch", finger + 1);
		if (moved[finger] != 0)
			assert_float_equal(last(&f->out, address)->v[0], midi_key_hz(48 + 12 * finger, moved[finger]),
			                   0.02);
	}
	assert_null(last(&f->out, "/voice/4/pitch")); /* unbent: nothing new to say */
	/* the manager's bend (±2) moves every finger */
	f->out.n = 0;
	bend(f, 0, 8191);
	midi_play_flush(&f->play, &f->w);
	assert_int_equal(count(&f->out, "/voice/1/pitch") + count(&f->out, "/voice/2/pitch") +
	                     count(&f->out, "/voice/3/pitch") + count(&f->out, "/voice/4/pitch"),
	                 4);
	free(f);
}

static void a_stream_of_bends_sends_once_a_flush(void **state)
{
	(void)state;
	fixture *f = setup(NULL, 0);
	SEND(f, 0x91, 60, 100);
	f->out.n = 0;
	for (int i = 0; i < 100; i++)
		bend(f, 1, i * 10);
	midi_play_flush(&f->play, &f->w);
	assert_int_equal(count(&f->out, "/voice/1/xy"), 1);
	assert_int_equal(count(&f->out, "/voice/1/pitch"), 1);
	/* nothing changed: nothing sent */
	f->out.n = 0;
	midi_play_flush(&f->play, &f->w);
	assert_int_equal(f->out.n, 0);
	free(f);
}

static void a_plain_channels_bend_and_wheel_move_all_its_notes(void **state)
{
	(void)state;
	fixture *f = setup(NULL, 0);
	SEND(f, 0x90, 60, 100, 64, 100);
	SEND(f, 0x93, 60, 100); /* another channel */
	f->out.n = 0;
	bend(f, 0, 8191);      /* +2 semitones, plain channel 1 */
	SEND(f, 0xB0, 1, 127); /* mod wheel: y to the top */
	midi_play_flush(&f->play, &f->w);
	assert_float_equal(last(&f->out, "/voice/1/xy")->v[0], 2 * 2.0f / 48.0f, 1e-3);
	assert_float_equal(last(&f->out, "/voice/1/xy")->v[1], 1.0f, 1e-6);
	assert_float_equal(last(&f->out, "/voice/2/xy")->v[1], 1.0f, 1e-6);
	assert_null(last(&f->out, "/voice/3/xy"));
	/* a note struck after the wheel moved starts where the wheel is */
	SEND(f, 0x90, 67, 100);
	assert_float_equal(last(&f->out, "/voice/4/xy")->v[1], 1.0f, 1e-6);
	free(f);
}

static void velocity_and_pressure_change_the_gain(void **state)
{
	(void)state;
	fixture *f = setup(NULL, 0);
	SEND(f, 0x91, 60, 127, 0x92, 62, 32);
	assert_float_equal(last(&f->out, "/voice/1/gain")->v[0], 1.0f, 1e-6);
	assert_float_equal(last(&f->out, "/voice/2/gain")->v[0], 32.0f / 127.0f, 1e-6);
	SEND(f, 0xD1, 64); /* channel pressure on channel 2: half way */
	midi_play_flush(&f->play, &f->w);
	assert_float_equal(last(&f->out, "/voice/1/gain")->v[0], 64.0f / 127.0f, 1e-6);
	assert_float_equal(last(&f->out, "/voice/2/gain")->v[0], 32.0f / 127.0f, 1e-6); /* another channel */
	SEND(f, 0xA2, 62, 64, 0xA2, 63, 0); /* poly pressure on the key, and on a key not down */
	midi_play_flush(&f->play, &f->w);
	assert_float_equal(last(&f->out, "/voice/2/gain")->v[0], 32.0f / 127.0f * 64.0f / 127.0f, 1e-6);
	free(f);
}

static void on_a_3d_terrain_pressure_is_the_third_axis(void **state)
{
	(void)state;
	fixture *f = setup(NULL, 0);
	f->w = world(3);
	SEND(f, 0x90, 60, 100);
	const midi_action *s = last(&f->out, "/voice/1/stylus");
	assert_non_null(s);
	assert_int_equal(s->n, 3);
	assert_float_equal(s->v[2], 1.0f, 1e-6); /* fully pressed until pressure says */
	SEND(f, 0xD0, 0);
	midi_play_flush(&f->play, &f->w);
	assert_float_equal(last(&f->out, "/voice/1/stylus")->v[2], -1.0f, 1e-6);
	assert_float_equal(last(&f->out, "/voice/1/gain")->v[0], 100.0f / 127.0f, 1e-6); /* gain is velocity */
	free(f);
}

static void the_pedal_holds_released_notes(void **state)
{
	(void)state;
	fixture *f = setup(NULL, 0);
	SEND(f, 0x90, 60, 100, 0xB0, 64, 127, 0x80, 60, 0);
	assert_null(last(&f->out, "/voice/1/off"));
	SEND(f, 0xB0, 64, 0);
	assert_non_null(last(&f->out, "/voice/1/off"));
	free(f);
}

static void a_full_pool_steals_the_oldest_note(void **state)
{
	(void)state;
	fixture *f = setup(NULL, 0); /* voices 1 to 7: six held notes at most */
	for (int k = 0; k < 7; k++)
		SEND(f, 0x90, (uint8_t)(60 + k), 100);
	assert_non_null(last(&f->out, "/voice/1/off")); /* the first note, released onto its fade */
	assert_non_null(last(&f->out, "/voice/7/xy"));  /* the seventh plays on the voice kept free */
	free(f);
}

static void pads_recall_stored_points_and_a_pad_starts_a_loop(void **state)
{
	(void)state;
	const char *maps[] = {
	    "{\"midi\": \"note 36-51\", \"channel\": 10, \"to\": \"point\", \"point\": 8, \"glide_ms\": 100}",
	    "{\"midi\": \"cc 80\", \"to\": \"loop\", \"loop\": 2, \"command\": \"record\"}",
	    "{\"midi\": \"cc 81\", \"to\": \"loop\", \"loop\": 2, \"command\": \"stop\"}",
	};
	fixture *f = setup(maps, 3);
	SEND(f, 0x99, 38, 100);
	const midi_action *go = last(&f->out, "/point/10/go");
	assert_non_null(go);
	assert_float_equal(go->v[0], 100.0f, 1e-6);
	assert_float_equal(go->v[1], 0.0f, 1e-6);
	assert_null(last(&f->out, "/voice/1/xy")); /* a pad is not a note */
	SEND(f, 0x90, 60, 100);                    /* channel 1: the default notes */
	assert_non_null(last(&f->out, "/voice/1/xy"));
	/* the record button records the newest note's voice, once per press */
	SEND(f, 0xB0, 80, 127, 80, 127);
	assert_int_equal(count(&f->out, "/loop/2/record"), 1);
	assert_float_equal(last(&f->out, "/loop/2/record")->v[0], 1.0f, 1e-6);
	SEND(f, 0xB0, 80, 0, 80, 127, 81, 127);
	assert_int_equal(count(&f->out, "/loop/2/record"), 2);
	assert_non_null(last(&f->out, "/loop/2/stop"));
	free(f);
}

static void controllers_set_grains_voices_and_loads(void **state)
{
	(void)state;
	const char *maps[] = {
	    "{\"midi\": \"cc 20\", \"to\": \"grain\", \"setting\": \"size\", \"out\": [10, 210]}",
	    "{\"midi\": \"cc 21\", \"to\": \"grain\", \"setting\": \"on\"}",
	    "{\"midi\": \"cc 22\", \"to\": \"x\", \"voice\": 3}",
	    "{\"midi\": \"cc 23\", \"to\": \"gain\", \"voice\": \"output\", \"out\": [0, 2]}",
	    "{\"midi\": \"program 4-5\", \"to\": \"load_terrain\", \"path\": \"speech.json\"}",
	};
	fixture *f = setup(maps, 5);
	f->w.target[3][1] = 0.25f;
	SEND(f, 0xB0, 20, 127, 21, 127, 22, 0, 23, 127, 0xC0, 5, 0xC0, 9);
	assert_float_equal(last(&f->out, "/grain/size")->v[0], 210.0f, 1e-4);
	assert_int_equal(last(&f->out, "/grain/on")->n, 0);
	const midi_action *xy = last(&f->out, "/voice/3/xy");
	assert_float_equal(xy->v[0], -1.0f, 1e-6);
	assert_float_equal(xy->v[1], 0.25f, 1e-6); /* its y stays where it was */
	assert_float_equal(last(&f->out, "/gain")->v[0], 2.0f, 1e-6);
	assert_int_equal(count(&f->out, "/load/terrain"), 1); /* program 9 is no one's */
	assert_string_equal(f->out.text[f->out.n - 1], "speech.json");
	assert_int_equal(f->play.counts.unmapped, 1);
	free(f);
}

static void notes_start_at_stored_points_or_the_cursor(void **state)
{
	(void)state;
	const char *maps[] = {
	    "{\"midi\": \"note 36-51\", \"to\": \"voice\", \"start\": \"point\", \"point\": 0}",
	    "{\"midi\": \"note 60-72\", \"to\": \"voice\", \"start\": \"cursor\", \"pitch\": false}",
	};
	fixture *f = setup(maps, 2);
	stored_point points[SESSION_POINTS];
	memset(points, 0, sizeof points);
	points[2] = (stored_point){.dim = 2, .coord = {0.3f, -0.7f}};
	f->w.points = points;
	f->w.target[0][0] = -0.4f, f->w.target[0][1] = 0.6f;
	SEND(f, 0x90, 38, 100);
	assert_float_equal(last(&f->out, "/voice/1/xy")->v[0], 0.3f, 1e-6);
	assert_float_equal(last(&f->out, "/voice/1/xy")->v[1], -0.7f, 1e-6);
	SEND(f, 0x90, 65, 100);
	assert_float_equal(last(&f->out, "/voice/2/xy")->v[0], -0.4f, 1e-6);
	assert_float_equal(last(&f->out, "/voice/2/xy")->v[1], 0.6f, 1e-6);
	assert_null(last(&f->out, "/voice/2/pitch"));
	free(f);
}

static void all_notes_off_lifts_the_channels_keys_and_the_pedal_keeps_its_own(void **state)
{
	(void)state;
	fixture *f = setup(NULL, 0);
	SEND(f, 0xB0, 64, 127, 0x90, 60, 100);   /* channel 1, pedal down: voice 1 */
	SEND(f, 0x91, 62, 100);                  /* channel 2: voice 2 */
	const uint8_t other[] = {0x90, 64, 100}; /* another source, channel 1: voice 3 */
	send(f, 2, other, sizeof other);
	SEND(f, 0xB0, 123, 0);
	assert_null(last(&f->out, "/voice/1/off")); /* the pedal holds it */
	SEND(f, 0xB1, 123, 0);
	assert_non_null(last(&f->out, "/voice/2/off"));
	SEND(f, 0xB0, 64, 0);
	assert_non_null(last(&f->out, "/voice/1/off")); /* lifting the pedal ends it */
	assert_null(last(&f->out, "/voice/3/off"));     /* the other source plays on */
	assert_int_equal(f->play.counts.unmapped, 0);
	free(f);
}

static void all_sound_off_ends_the_pedals_notes_too_and_speaks_for_an_mpe_zone(void **state)
{
	(void)state;
	fixture *f = setup(NULL, 0);
	SEND(f, 0xB0, 101, 0, 100, 6, 6, 15); /* a lower zone: manager channel 1, members 2 to 16 */
	SEND(f, 0xB0, 64, 127, 0x91, 60, 100, 0x92, 64, 100, 0x81, 60, 0);
	assert_null(last(&f->out, "/voice/1/off")); /* released, held by the zone's pedal */
	SEND(f, 0xB0, 120, 0);
	assert_non_null(last(&f->out, "/voice/1/off"));
	assert_non_null(last(&f->out, "/voice/2/off"));
	SEND(f, 0xB0, 64, 0);
	for (uint8_t cc = 124; cc <= 127; cc++) { /* omni and mono/poly imply All Notes Off */
		SEND(f, 0x93, 67, 100);
		int offs = f->out.n;
		SEND(f, 0xB0, cc, 0);
		assert_true(f->out.n > offs);
	}
	SEND(f, 0x93, 67, 100); /* Reset All Controllers ends no note */
	int before = count(&f->out, "/voice/3/off") + count(&f->out, "/voice/4/off");
	SEND(f, 0xB0, 121, 0);
	assert_int_equal(count(&f->out, "/voice/3/off") + count(&f->out, "/voice/4/off"), before);
	free(f);
}

static void a_zone_change_ends_the_sources_notes(void **state)
{
	(void)state;
	fixture *f = setup(NULL, 0);
	SEND(f, 0x91, 60, 100);
	SEND(f, 0xB0, 101, 0, 100, 6, 6, 15);
	assert_non_null(last(&f->out, "/voice/1/off"));
	/* another source's notes play on */
	const uint8_t other[] = {0x91, 62, 100};
	send(f, 3, other, sizeof other);
	SEND(f, 0xB0, 101, 0, 100, 6, 6, 0);
	assert_null(last(&f->out, "/voice/2/off"));
	midi_play_source_reset(&f->play, 3);
	assert_non_null(last(&f->out, "/voice/2/off"));
	free(f);
}

static void garbage_bytes_play_nothing_wrong(void **state)
{
	(void)state;
	fixture *f = setup(NULL, 0);
	/* stray data, a SysEx fragment, undefined status bytes, a truncated note, real-time in a message */
	SEND(f, 60, 100, 0xF0, 1, 2, 3, 0xF4, 61, 0xF5, 0x90, 62, 0xF9, 0xB0, 0xF8, 74, 0xFD, 10, 0xF7, 0xF7);
	assert_null(last(&f->out, "/voice/1/xy"));
	assert_true(f->play.sources[0].parser.dropped >= 4);
	uint32_t seed = 7;
	for (int i = 0; i < 20000; i++) {
		seed = seed * 1664525u + 1013904223u;
		uint8_t b = (uint8_t)(seed >> 24);
		send(f, (int)(seed >> 8) % MIDI_SOURCES, &b, 1);
		if (i % 64 == 0)
			midi_play_flush(&f->play, &f->w);
	}
	for (int i = 0; i < f->out.n; i++) { /* whatever came out is well-formed */
		int voice = -1;
		if (sscanf(f->out.a[i].address, "/voice/%d/", &voice) == 1)
			assert_in_range(voice, 1, 7);
		for (int k = 0; k < f->out.a[i].n; k++)
			assert_true(isfinite(f->out.a[i].v[k]));
	}
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_note_starts_a_voice_in_tune_along_the_terrain),
	    cmocka_unit_test(mpe_fingers_move_their_own_voices),
	    cmocka_unit_test(a_stream_of_bends_sends_once_a_flush),
	    cmocka_unit_test(a_plain_channels_bend_and_wheel_move_all_its_notes),
	    cmocka_unit_test(velocity_and_pressure_change_the_gain),
	    cmocka_unit_test(on_a_3d_terrain_pressure_is_the_third_axis),
	    cmocka_unit_test(the_pedal_holds_released_notes),
	    cmocka_unit_test(a_full_pool_steals_the_oldest_note),
	    cmocka_unit_test(pads_recall_stored_points_and_a_pad_starts_a_loop),
	    cmocka_unit_test(controllers_set_grains_voices_and_loads),
	    cmocka_unit_test(notes_start_at_stored_points_or_the_cursor),
	    cmocka_unit_test(all_notes_off_lifts_the_channels_keys_and_the_pedal_keeps_its_own),
	    cmocka_unit_test(all_sound_off_ends_the_pedals_notes_too_and_speaks_for_an_mpe_zone),
	    cmocka_unit_test(a_zone_change_ends_the_sources_notes),
	    cmocka_unit_test(garbage_bytes_play_nothing_wrong),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
