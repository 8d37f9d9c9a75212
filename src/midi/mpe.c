/*
 * mpe.c — MPE zones and bend ranges (mpe.h).
 *
 * RPN data entry is read as the MIDI specification has it: controllers
 * 101 and 100 select a parameter (127 127 deselects), 99 and 98 select a
 * non-registered one (whose data is someone else's), 6 and 38 carry the
 * value. Only RPN 0 (bend range) and RPN 6 (MPE configuration) mean
 * anything here; other RPNs are taken and ignored.
 */
#include "mpe.h"

#include <string.h>

enum {
	CC_DATA_MSB = 6,
	CC_DATA_LSB = 38,
	CC_NRPN_LSB = 98,
	CC_NRPN_MSB = 99,
	CC_RPN_LSB = 100,
	CC_RPN_MSB = 101,
	RPN_BEND_RANGE = 0,
	RPN_MPE_CONFIG = 6,
	RPN_NONE = 127,
};

static int is_member(const mpe_state *s, int ch)
{
	return (s->lower > 0 && ch >= 1 && ch <= s->lower) ||
	       (s->upper > 0 && ch >= MPE_UPPER_MANAGER - s->upper && ch < MPE_UPPER_MANAGER);
}

mpe_role mpe_role_of(const mpe_state *s, int ch)
{
	if ((ch == MPE_LOWER_MANAGER && s->lower > 0) || (ch == MPE_UPPER_MANAGER && s->upper > 0))
		return MPE_MANAGER;
	return is_member(s, ch) ? MPE_MEMBER : MPE_PLAIN;
}

int mpe_manager_of(const mpe_state *s, int ch)
{
	switch (mpe_role_of(s, ch)) {
	case MPE_PLAIN: return -1;
	case MPE_MANAGER: return ch;
	default: return s->lower > 0 && ch <= s->lower ? MPE_LOWER_MANAGER : MPE_UPPER_MANAGER;
	}
}

uint16_t mpe_scope(const mpe_state *s, int ch)
{
	if (mpe_role_of(s, ch) != MPE_MANAGER)
		return (uint16_t)(1u << ch);
	uint16_t bits = (uint16_t)(1u << ch);
	for (int c = 0; c < MPE_CHANNELS; c++)
		if (mpe_manager_of(s, c) == ch)
			bits |= (uint16_t)(1u << c);
	return bits;
}

float mpe_bend_semitones(const mpe_state *s, int ch)
{
	const mpe_channel *c = &s->ch[ch];
	float semitones = c->range * (float)c->bend / 8192.0f;
	if (mpe_role_of(s, ch) == MPE_MEMBER) {
		const mpe_channel *m = &s->ch[mpe_manager_of(s, ch)];
		semitones += m->range * (float)m->bend / 8192.0f;
	}
	return semitones;
}

/* Every channel's range back to its role's default. */
static void default_ranges(mpe_state *s)
{
	for (int c = 0; c < MPE_CHANNELS; c++)
		s->ch[c].range = mpe_role_of(s, c) == MPE_MEMBER ? MPE_MEMBER_RANGE : MPE_PLAIN_RANGE;
}

void mpe_init(mpe_state *s, int lower, int upper)
{
	memset(s, 0, sizeof *s);
	for (int c = 0; c < MPE_CHANNELS; c++)
		s->ch[c].rpn_msb = s->ch[c].rpn_lsb = RPN_NONE;
	s->lower = lower;
	s->upper = upper;
	if (lower + upper > 14) /* both zones cannot have that many: the upper gives way */
		s->upper = lower >= 15 ? 0 : 14 - lower;
	default_ranges(s);
}

void mpe_configure(mpe_state *s, int upper_zone, int members)
{
	members = members < 0 ? 0 : members > 15 ? 15 : members;
	int *zone = upper_zone ? &s->upper : &s->lower, *other = upper_zone ? &s->lower : &s->upper;
	*zone = members;
	/* Managers are channels 1 and 16, so members of both fit in 14
	 * channels; 15 members leave no room for the other zone at all. */
	if (members == 15)
		*other = 0;
	else if (*other > 14 - members)
		*other = 14 - members;
	default_ranges(s);
}

/* RPN 0 on a member channel sets the whole zone's members. */
static void set_range(mpe_state *s, int ch, float semitones)
{
	if (mpe_role_of(s, ch) != MPE_MEMBER) {
		s->ch[ch].range = semitones;
		return;
	}
	int manager = mpe_manager_of(s, ch);
	for (int c = 0; c < MPE_CHANNELS; c++)
		if (c != manager && mpe_manager_of(s, c) == manager)
			s->ch[c].range = semitones;
}

static mpe_effect data_entry(mpe_state *s, int ch, int lsb, int value)
{
	mpe_channel *c = &s->ch[ch];
	if (c->nrpn || c->rpn_msb != 0)
		return MPE_TAKEN;
	if (c->rpn_lsb == RPN_BEND_RANGE) {
		if (!lsb)
			c->data_msb = (uint8_t)value;
		set_range(s, ch, (float)c->data_msb + (lsb ? (float)value / 100.0f : 0.0f));
		return MPE_RANGE;
	}
	if (c->rpn_lsb == RPN_MPE_CONFIG && !lsb && (ch == MPE_LOWER_MANAGER || ch == MPE_UPPER_MANAGER)) {
		mpe_configure(s, ch == MPE_UPPER_MANAGER, value);
		return MPE_ZONES;
	}
	return MPE_TAKEN;
}

static mpe_effect control(mpe_state *s, const midi_msg *m)
{
	mpe_channel *c = &s->ch[m->channel];
	switch (m->data1) {
	case CC_RPN_MSB: c->rpn_msb = m->data2, c->nrpn = 0; return MPE_TAKEN;
	case CC_RPN_LSB: c->rpn_lsb = m->data2, c->nrpn = 0; return MPE_TAKEN;
	case CC_NRPN_MSB:
	case CC_NRPN_LSB: c->nrpn = 1; return MPE_TAKEN;
	case CC_DATA_MSB: return data_entry(s, m->channel, 0, m->data2);
	case CC_DATA_LSB: return data_entry(s, m->channel, 1, m->data2);
	default: return MPE_PASS;
	}
}

mpe_effect mpe_feed(mpe_state *s, const midi_msg *m)
{
	if (m->channel >= MPE_CHANNELS)
		return MPE_TAKEN;
	if (m->kind == MIDI_CONTROL)
		return control(s, m);
	if (m->kind == MIDI_PITCH_BEND)
		s->ch[m->channel].bend = midi_bend_value(m);
	return MPE_PASS;
}
