/*
 * midi_play.c — MIDI messages to OSC actions (midi_play.h).
 *
 * The order of a note's first messages matters to the engine: its pitch
 * and gain go before its position, because the position is what sounds
 * the voice, so the note's first frame already has both.
 */
#include "midi_play.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- actions ---------------------------------------------------------------------- */

static void act(midi_play *p, const char *text, int n, const float *v, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void act(midi_play *p, const char *text, int n, const float *v, const char *fmt, ...)
{
	midi_action a = {.n = n, .text = text};
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a.address, sizeof a.address, fmt, ap);
	va_end(ap);
	if (n > 0)
		memcpy(a.v, v, sizeof(float) * (size_t)n);
	p->counts.actions++;
	p->emit(p->emit_ctx, &a);
}

static void act_off(midi_play *p, int voice)
{
	p->sounding[voice].on = 0;
	act(p, NULL, 0, NULL, "/voice/%d/off", voice);
}

static void act_offs(midi_play *p, const int *voices, int n)
{
	for (int i = 0; i < n; i++)
		act_off(p, voices[i]);
}

/* A voice's position: x y (terrains of 1 or 2 axes; /voice/N/xy ignores a
 * second axis a terrain lacks), or x y z through /voice/N/stylus. */
static void act_position(midi_play *p, const midi_world *w, int voice, const float *c)
{
	if (w->control_dim >= 3)
		act(p, NULL, 3, c, "/voice/%d/stylus", voice);
	else
		act(p, NULL, 2, c, "/voice/%d/xy", voice);
}

/* OSC 1.0: a string padded with NULs to a multiple of 4. */
static size_t put_string(uint8_t *buf, size_t at, size_t cap, const char *s)
{
	size_t n = strlen(s), padded = (n + 4) & ~(size_t)3;
	if (at + padded > cap)
		return 0;
	memset(buf + at, 0, padded);
	memcpy(buf + at, s, n);
	return at + padded;
}

size_t midi_action_osc(const midi_action *a, uint8_t *buf, size_t cap)
{
	char tags[8] = ",";
	for (int i = 0; i < a->n && i < 3; i++)
		strcat(tags, "f");
	if (a->text)
		strcat(tags, "s");
	size_t at = put_string(buf, 0, cap, a->address);
	at = at ? put_string(buf, at, cap, tags) : 0;
	for (int i = 0; at && i < a->n && i < 3; i++) {
		if (at + 4 > cap)
			return 0;
		uint32_t bits;
		memcpy(&bits, &a->v[i], 4);
		for (int k = 0; k < 4; k++)
			buf[at + (size_t)k] = (uint8_t)(bits >> (24 - 8 * k));
		at += 4;
	}
	return at && a->text ? put_string(buf, at, cap, a->text) : at;
}

/* ---- set-up ------------------------------------------------------------------------ */

static void load_mappings(midi_play *p, const midi_config *c)
{
	memcpy(p->maps, c->mappings, sizeof(midi_mapping) * (size_t)c->n_mappings);
	p->n_maps = c->n_mappings;
	if (c->defaults)
		p->n_maps += midi_config_default_mappings(p->maps + p->n_maps, MIDI_PLAY_MAPPINGS - p->n_maps);
}

void midi_play_init(midi_play *p, const midi_config *c, int voices, midi_emit emit, void *ctx)
{
	memset(p, 0, sizeof *p);
	p->emit = emit;
	p->emit_ctx = ctx;
	int first = c->voice_first >= 0 ? c->voice_first : (voices > 1 ? 1 : 0);
	int last = c->voice_first >= 0 ? c->voice_last : voices - 1;
	midi_voices_init(&p->voices, first, last - first + 1);
	p->mpe_lower = c->mpe_lower;
	p->mpe_upper = c->mpe_upper;
	load_mappings(p, c);
	for (int s = 0; s < MIDI_SOURCES; s++)
		midi_play_source_reset(p, s);
}

void midi_play_configure(midi_play *p, const midi_config *c)
{
	load_mappings(p, c);
	for (int v = 0; v < MIDI_VOICES_MAX; v++) /* a note keeps playing, on the defaults if need be */
		if (p->sounding[v].map >= p->n_maps)
			p->sounding[v].map = 0;
}

double midi_key_hz(double key, double semitones)
{
	return 440.0 * pow(2.0, (key + semitones - 69.0) / 12.0);
}

/* ---- finding mappings ---------------------------------------------------------------- */

static const midi_mapping *find_map(const midi_play *p, midi_source source, int number, int channel)
{
	for (int i = 0; i < p->n_maps; i++)
		if (midi_mapping_takes(&p->maps[i], source, number, channel))
			return &p->maps[i];
	return NULL;
}

/* Whether a mapping moves the notes (not one fixed voice). */
static int moves_notes(const midi_mapping *m, midi_target to)
{
	return m && m->to == to && m->voice == MIDI_VOICE_NOTES;
}

/* ---- a note's state ------------------------------------------------------------------ */

static float clampf(float v, float lo, float hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Where the note is now: its start, moved by what its expression set. */
static void note_position(const midi_sounding *n, const midi_world *w, float *c)
{
	memcpy(c, n->start, sizeof n->start);
	c[0] = (isnan(n->x) ? n->start[0] : n->x) + n->bend * n->per_semitone;
	if (w->control_dim >= 2 && !isnan(n->y))
		c[1] = n->y;
	if (w->control_dim >= 3 && !isnan(n->pressure))
		c[2] = w->min[2] + n->pressure * (w->max[2] - w->min[2]);
	for (int d = 0; d < w->control_dim && d < TERRAIN_MAX_CONTROL_DIM; d++)
		c[d] = clampf(c[d], w->min[d], w->max[d]);
}

/* Its gain: velocity, a gain mapping, and pressure where the terrain has
 * no pressure axis. */
static float note_gain(const midi_sounding *n, const midi_world *w)
{
	float g = n->velocity_gain * n->gain;
	if (w->control_dim < 3 && !isnan(n->pressure))
		g *= n->pressure;
	return clampf(g, 0.0f, 4.0f);
}

/* Sends what changed of a note since it was last sent. */
static void send_changes(midi_play *p, const midi_world *w, int voice)
{
	midi_sounding *n = &p->sounding[voice];
	if (n->hz > 0 && fabsf(n->hz - n->sent_hz) > 1e-3f * n->hz) {
		act(p, NULL, 1, &n->hz, "/voice/%d/pitch", voice);
		n->sent_hz = n->hz;
	}
	float gain = note_gain(n, w);
	if (gain != n->sent_gain) {
		act(p, NULL, 1, &gain, "/voice/%d/gain", voice);
		n->sent_gain = gain;
	}
	float c[TERRAIN_MAX_CONTROL_DIM];
	note_position(n, w, c);
	int axes = w->control_dim >= 3 ? 3 : 2;
	if (memcmp(c, n->sent, sizeof(float) * (size_t)axes) != 0) {
		act_position(p, w, voice, c);
		memcpy(n->sent, c, sizeof c);
	}
}

/* ---- notes ---------------------------------------------------------------------------- */

/* Where a note of mapping m starts. */
static void start_point(const midi_mapping *m, const midi_world *w, int key, float *c)
{
	for (int d = 0; d < TERRAIN_MAX_CONTROL_DIM; d++)
		c[d] = d < w->control_dim ? 0.5f * (w->min[d] + w->max[d]) : 0.0f;
	if (w->control_dim >= 3)
		c[2] = w->max[2]; /* a note without pressure plays as pressed fully */
	if (m->start == MIDI_START_CURSOR) {
		memcpy(c, w->target[0], sizeof w->target[0]);
		return;
	}
	int k = m->point + key - m->lo;
	if (m->start == MIDI_START_POINT && w->points && k >= 0 && k < SESSION_POINTS &&
	    w->points[k].dim == w->control_dim) {
		memcpy(c, w->points[k].coord, sizeof(float) * (size_t)w->points[k].dim);
		return;
	}
	float t = clampf((float)(key - m->keys_lo) / (float)(m->keys_hi - m->keys_lo), 0.0f, 1.0f);
	for (int d = 0; d < 2 && d < w->control_dim; d++) {
		float f = m->line[d] + t * (m->line[2 + d] - m->line[d]);
		c[d] = w->min[d] + f * (w->max[d] - w->min[d]);
	}
}

/* The y a channel's controllers set for a new note: the channel's own
 * last y controller, else its zone manager's. NAN when neither sent one. */
static float channel_y(const midi_play *p, const midi_world *w, int source, int channel)
{
	const midi_source_state *s = &p->sources[source];
	int manager = mpe_manager_of(&s->mpe, channel);
	for (int pass = 0; pass < 2; pass++) {
		int ch = pass == 0 ? channel : manager;
		if (ch < 0)
			break;
		for (int cc = 0; cc < 128; cc++) {
			if (!(s->cc_set[ch][cc >> 4] >> (cc & 15) & 1u))
				continue;
			const midi_mapping *m = find_map(p, MIDI_SRC_CC, cc, ch);
			if (moves_notes(m, MIDI_TO_Y) && w->control_dim >= 2)
				return w->min[1] + midi_mapping_shape(m, s->cc[ch][cc]) * (w->max[1] - w->min[1]);
		}
	}
	return NAN;
}

/* A note's bend in semitones, and the x it moves, from its channel. */
static void note_bend(midi_play *p, midi_sounding *n)
{
	const mpe_state *mpe = &p->sources[n->id.source].mpe;
	float semitones = mpe_bend_semitones(mpe, n->id.channel);
	const midi_mapping *m = find_map(p, MIDI_SRC_BEND, 0, n->id.channel);
	n->bend = moves_notes(m, MIDI_TO_X) ? semitones : 0.0f;
	if (n->hz > 0)
		n->hz = (float)midi_key_hz(n->id.key, semitones);
}

static void note_on(midi_play *p, const midi_world *w, int source, const midi_msg *msg, const midi_mapping *m)
{
	midi_note_id id = {.source = (uint8_t)source, .channel = msg->channel, .key = msg->data1};
	int released[4], n_released;
	int voice = midi_voices_note_on(&p->voices, id, w->sounding, released, &n_released);
	act_offs(p, released, n_released);
	midi_sounding *n = &p->sounding[voice];
	*n = (midi_sounding){
	    .on = 1, .id = id, .map = (int)(m - p->maps), .x = NAN, .pressure = NAN, .gain = 1.0f, .sent_gain = -1.0f};
	start_point(m, w, msg->data1, n->start);
	n->per_semitone = (w->max[0] - w->min[0]) / (float)(m->keys_hi - m->keys_lo);
	n->y = channel_y(p, w, source, msg->channel);
	n->velocity_gain = midi_mapping_out(m, midi_mapping_shape(m, msg->data2));
	n->hz = m->pitch ? 1.0f : 0.0f;
	note_bend(p, n);
	for (int d = 0; d < TERRAIN_MAX_CONTROL_DIM; d++)
		n->sent[d] = NAN; /* its position is always sent */
	p->counts.notes++;
	send_changes(p, w, voice);
}

static void note_off(midi_play *p, const midi_world *w, int source, const midi_msg *msg)
{
	midi_note_id id = {.source = (uint8_t)source, .channel = msg->channel, .key = msg->data1};
	int voice = midi_voices_note_off(&p->voices, id);
	if (voice < 0)
		return;
	send_changes(p, w, voice); /* where it went last is where it fades */
	act_off(p, voice);
}

/* ---- controls ------------------------------------------------------------------------- */

enum { PLACED_FOR_NS = 100 * 1000000 }; /* longer than a latent frame: the engine has it by then */

/* A fixed voice's axis (x 0, y 1, pressure 2) to a value 0..1 of its
 * bounds; the other axes stay where the voice is: where MIDI put it a
 * moment ago, else its target as the engine publishes it. */
static void move_voice(midi_play *p, const midi_world *w, int voice, int axis, float u)
{
	if (voice < 0 || voice >= MIDI_VOICES_MAX)
		return;
	if (axis == 2 && w->control_dim < 3) {
		act(p, NULL, 1, &u, "/voice/%d/gain", voice);
		return;
	}
	if (axis >= w->control_dim)
		return;
	float *c = p->placed[voice];
	if (w->now_ns - p->placed_ns[voice] > PLACED_FOR_NS || p->placed_ns[voice] == 0)
		memcpy(c, w->target[voice], sizeof p->placed[voice]);
	c[axis] = w->min[axis] + u * (w->max[axis] - w->min[axis]);
	p->placed_ns[voice] = w->now_ns ? w->now_ns : 1;
	act_position(p, w, voice, c);
}

/* Sets a field of the notes on `channels` of a source (key >= 0: that
 * key's note only, for poly pressure); they are sent at the flush. */
static void set_notes(midi_play *p, int source, uint16_t channels, int key, midi_target to, float value)
{
	for (int v = 0; v < MIDI_VOICES_MAX; v++) {
		midi_sounding *n = &p->sounding[v];
		if (!n->on || n->id.source != source || !(channels >> n->id.channel & 1u) ||
		    (key >= 0 && n->id.key != key))
			continue;
		if (to == MIDI_TO_X)
			n->x = value;
		else if (to == MIDI_TO_Y)
			n->y = value;
		else if (to == MIDI_TO_PRESSURE)
			n->pressure = value;
		else if (to == MIDI_TO_GAIN)
			n->gain = value;
	}
}

/* x, y, pressure or gain from a value u (0..1). */
static void axis_control(midi_play *p, const midi_world *w, const midi_mapping *m, int source, int channel, int key,
                         float u)
{
	int axis = m->to == MIDI_TO_X ? 0 : m->to == MIDI_TO_Y ? 1 : 2;
	if (m->to == MIDI_TO_GAIN) {
		float g = midi_mapping_out(m, u);
		if (m->voice == MIDI_VOICE_OUTPUT)
			act(p, NULL, 1, &g, "/gain");
		else if (m->voice >= 0)
			act(p, NULL, 1, &g, "/voice/%d/gain", m->voice);
		else
			set_notes(p, source, mpe_scope(&p->sources[source].mpe, channel), key, m->to, g);
		return;
	}
	if (m->voice >= 0) {
		move_voice(p, w, m->voice, axis, m->to == MIDI_TO_PRESSURE ? midi_mapping_out(m, u) : u);
		return;
	}
	float value = m->to == MIDI_TO_PRESSURE ? midi_mapping_out(m, u)
	              : axis < w->control_dim   ? w->min[axis] + u * (w->max[axis] - w->min[axis])
	                                        : NAN;
	set_notes(p, source, mpe_scope(&p->sources[source].mpe, channel), key, m->to, value);
}

/* The voice a loop records: the mapping's, else the newest held note's. */
static int recorded_voice(const midi_play *p, const midi_mapping *m)
{
	if (m->voice >= 0)
		return m->voice;
	int best = 0;
	uint64_t newest = 0;
	for (int i = 0; i < p->voices.count; i++)
		if (p->voices.v[i].state == MIDI_VOICE_HELD && p->voices.v[i].started > newest) {
			newest = p->voices.v[i].started;
			best = p->voices.first + i;
		}
	return best;
}

/* A press (a note-on, a controller crossing half way up, a program
 * change): `number` is the key or program that pressed it. */
static void press(midi_play *p, const midi_mapping *m, int number)
{
	int offset = m->source == MIDI_SRC_NOTE || m->source == MIDI_SRC_PROGRAM ? number - m->lo : 0;
	switch (m->to) {
	case MIDI_TO_LOOP:
		if (strcmp(m->word, "record") == 0)
			act(p, NULL, 1, (float[]){(float)recorded_voice(p, m)}, "/loop/%d/record", m->loop);
		else
			act(p, NULL, 0, NULL, "/loop/%d/%s", m->loop, m->word);
		break;
	case MIDI_TO_POINT:
		act(p, NULL, 2, (float[]){m->glide_ms, (float)(m->voice < 0 ? 0 : m->voice)}, "/point/%d/go",
		    m->point + offset);
		break;
	case MIDI_TO_LOAD_MODEL: act(p, m->path, 0, NULL, "/load/model"); break;
	case MIDI_TO_LOAD_TERRAIN: act(p, m->path, 0, NULL, "/load/terrain"); break;
	case MIDI_TO_GRAIN: act(p, NULL, 0, NULL, "/grain/%s", m->word); break; /* on, off */
	default: break;
	}
}

static int is_button(const midi_mapping *m)
{
	return m->to == MIDI_TO_LOOP || m->to == MIDI_TO_POINT || m->to == MIDI_TO_LOAD_MODEL ||
	       m->to == MIDI_TO_LOAD_TERRAIN ||
	       (m->to == MIDI_TO_GRAIN && (strcmp(m->word, "on") == 0 || strcmp(m->word, "off") == 0));
}

static void grain_value(midi_play *p, const midi_mapping *m, float u)
{
	float v = strcmp(m->word, "freeze") == 0 ? (u >= 0.5f ? 1.0f : 0.0f) : midi_mapping_out(m, u);
	act(p, NULL, 1, &v, "/grain/%s", m->word);
}

static void sustain(midi_play *p, int source, int channel, int down)
{
	int released[MIDI_VOICES_MAX];
	uint16_t scope = mpe_scope(&p->sources[source].mpe, channel);
	act_offs(p, released, midi_voices_sustain(&p->voices, source, scope, down, released));
}

/* A value-carrying message (controller, bend, pressure, a note's velocity
 * to a non-voice target) through its mapping: `raw` is the message's
 * value, `number` the key, controller or program that sent it. */
static void control(midi_play *p, const midi_world *w, const midi_mapping *m, int source, int channel, int key,
                    float raw, int number)
{
	float u = midi_mapping_shape(m, raw);
	switch (m->to) {
	case MIDI_TO_X:
	case MIDI_TO_Y:
	case MIDI_TO_PRESSURE:
	case MIDI_TO_GAIN: axis_control(p, w, m, source, channel, key, u); break;
	case MIDI_TO_SUSTAIN: sustain(p, source, channel, u >= 0.5f); break;
	case MIDI_TO_GRAIN:
		if (is_button(m))
			press(p, m, number);
		else
			grain_value(p, m, u);
		break;
	default: press(p, m, number); break;
	}
}

/* ---- messages --------------------------------------------------------------------------- */

/* Controllers act on presses at the edge: a button held down presses once. */
static int controller_edge(midi_source_state *s, const midi_msg *msg, int down)
{
	uint16_t *word = &s->pressed[msg->channel][msg->data1 >> 4], bit = (uint16_t)(1u << (msg->data1 & 15));
	int was = (*word & bit) != 0;
	*word = down ? (uint16_t)(*word | bit) : (uint16_t)(*word & ~bit);
	return down && !was;
}

/* All Sound Off, All Notes Off and the switches that imply it: the panic
 * a controller or DAW sends when a note hangs (a note-off lost on the
 * way, docs/midi.md). No mapping takes them (midi_config refuses one).
 * On an MPE manager channel they speak for the zone. */
static void channel_mode(midi_play *p, int source, const midi_msg *msg)
{
	int released[MIDI_VOICES_MAX];
	uint16_t scope = mpe_scope(&p->sources[source].mpe, msg->channel);
	if (msg->data1 == MIDI_CC_ALL_SOUND_OFF)
		act_offs(p, released, midi_voices_release_all(&p->voices, source, scope, released));
	else
		act_offs(p, released, midi_voices_notes_off(&p->voices, source, scope, released));
}

static void on_controller(midi_play *p, const midi_world *w, int source, const midi_msg *msg)
{
	midi_source_state *s = &p->sources[source];
	if (midi_cc_ends_notes(msg->data1)) {
		channel_mode(p, source, msg);
		return;
	}
	s->cc[msg->channel][msg->data1] = msg->data2;
	s->cc_set[msg->channel][msg->data1 >> 4] |= (uint16_t)(1u << (msg->data1 & 15));
	const midi_mapping *m = find_map(p, MIDI_SRC_CC, msg->data1, msg->channel);
	if (!m) {
		p->counts.unmapped++;
		return;
	}
	int down = midi_mapping_shape(m, msg->data2) >= 0.5f;
	if (is_button(m)) {
		if (controller_edge(s, msg, down))
			press(p, m, msg->data1);
		return;
	}
	control(p, w, m, source, msg->channel, -1, msg->data2, msg->data1);
}

/* The notes of a source on `channels` take their channels' bends again. */
static void rebend(midi_play *p, int source, uint16_t channels)
{
	for (int v = 0; v < MIDI_VOICES_MAX; v++) {
		midi_sounding *n = &p->sounding[v];
		if (n->on && n->id.source == source && (channels >> n->id.channel & 1u))
			note_bend(p, n);
	}
}

/* A bend bends every note it speaks for; where it goes to x, it moves them. */
static void on_bend(midi_play *p, const midi_world *w, int source, const midi_msg *msg)
{
	rebend(p, source, mpe_scope(&p->sources[source].mpe, msg->channel));
	const midi_mapping *m = find_map(p, MIDI_SRC_BEND, 0, msg->channel);
	if (!m)
		p->counts.unmapped++;
	else if (!moves_notes(m, MIDI_TO_X))
		control(p, w, m, source, msg->channel, -1, (float)midi_bend_value(msg), 0);
}

static void on_note(midi_play *p, const midi_world *w, int source, const midi_msg *msg)
{
	int on = msg->kind == MIDI_NOTE_ON && msg->data2 > 0;
	if (!on) {
		note_off(p, w, source, msg); /* whatever mapping started it */
		return;
	}
	const midi_mapping *m = find_map(p, MIDI_SRC_NOTE, msg->data1, msg->channel);
	if (!m)
		p->counts.unmapped++;
	else if (m->to == MIDI_TO_VOICE)
		note_on(p, w, source, msg, m);
	else if (is_button(m))
		press(p, m, msg->data1);
	else
		control(p, w, m, source, msg->channel, -1, msg->data2, msg->data1);
}

static void on_pressure(midi_play *p, const midi_world *w, int source, const midi_msg *msg)
{
	int poly = msg->kind == MIDI_POLY_PRESSURE;
	const midi_mapping *m = find_map(p, poly ? MIDI_SRC_POLY_PRESSURE : MIDI_SRC_PRESSURE, 0, msg->channel);
	if (!m)
		p->counts.unmapped++;
	else
		control(p, w, m, source, msg->channel, poly ? msg->data1 : -1, poly ? msg->data2 : msg->data1, 0);
}

static void on_program(midi_play *p, const midi_world *w, int source, const midi_msg *msg)
{
	const midi_mapping *m = find_map(p, MIDI_SRC_PROGRAM, msg->data1, msg->channel);
	if (!m)
		p->counts.unmapped++;
	else if (is_button(m))
		press(p, m, msg->data1);
	else
		control(p, w, m, source, msg->channel, -1, msg->data1, msg->data1);
}

/* Notes on channels whose zone changed end, as the MPE specification
 * asks: their channels mean something else now. */
static void zones_changed(midi_play *p, int source)
{
	int released[MIDI_VOICES_MAX];
	act_offs(p, released, midi_voices_release_all(&p->voices, source, 0xFFFF, released));
}

static void play_message(midi_play *p, const midi_world *w, int source, const midi_msg *msg)
{
	p->counts.messages++;
	switch (mpe_feed(&p->sources[source].mpe, msg)) {
	case MPE_ZONES: zones_changed(p, source); return;
	case MPE_RANGE: rebend(p, source, 0xFFFF); return;
	case MPE_TAKEN: return;
	case MPE_PASS: break;
	}
	switch (msg->kind) {
	case MIDI_NOTE_ON:
	case MIDI_NOTE_OFF: on_note(p, w, source, msg); break;
	case MIDI_CONTROL: on_controller(p, w, source, msg); break;
	case MIDI_PITCH_BEND: on_bend(p, w, source, msg); break;
	case MIDI_POLY_PRESSURE:
	case MIDI_CHANNEL_PRESSURE: on_pressure(p, w, source, msg); break;
	case MIDI_PROGRAM: on_program(p, w, source, msg); break;
	default: break;
	}
}

void midi_play_bytes(midi_play *p, const midi_world *w, int source, const uint8_t *bytes, size_t n)
{
	if (source < 0 || source >= MIDI_SOURCES)
		return;
	midi_parser *parser = &p->sources[source].parser;
	for (size_t i = 0; i < n; i++) {
		midi_msg msg;
		if (midi_parse_byte(parser, bytes[i], &msg))
			play_message(p, w, source, &msg);
	}
}

void midi_play_event_end(midi_play *p, int source)
{
	if (source >= 0 && source < MIDI_SOURCES)
		midi_parse_event_end(&p->sources[source].parser);
}

void midi_play_flush(midi_play *p, const midi_world *w)
{
	for (int v = 0; v < MIDI_VOICES_MAX; v++)
		if (p->sounding[v].on)
			send_changes(p, w, v);
}

void midi_play_source_reset(midi_play *p, int source)
{
	if (source < 0 || source >= MIDI_SOURCES)
		return;
	zones_changed(p, source);
	midi_source_state *s = &p->sources[source];
	memset(s, 0, sizeof *s);
	midi_parser_init(&s->parser);
	mpe_init(&s->mpe, p->mpe_lower, p->mpe_upper);
	p->voices.sustain[source] = 0;
}
