/*
 * mpe — the channels of one MIDI source as an MPE receiver keeps them
 * (MIDI Polyphonic Expression 1.0, MMA/AMEI RP-053): zones, their manager
 * and member channels, each channel's pitch bend and bend range, and the
 * RPN traffic that sets them.
 *
 *   lower zone: manager channel 1, members 2 .. 1+lower
 *   upper zone: manager channel 16, members 16-upper .. 15
 *   other channels: plain MIDI (each channel its own bend, ±2 semitones)
 *
 * The MPE Configuration Message (RPN 6 on channel 1 or 16, data entry =
 * member channels, 0 = off) sets a zone; a zone that grows over the other
 * shrinks it, as the specification says. A new zone's members bend ±48
 * semitones and its manager ±2, until RPN 0 (pitch bend sensitivity)
 * says otherwise: sent on a member channel it sets every member of the
 * zone, on the manager or a plain channel that channel alone. A note's
 * bend is its channel's plus, on a member channel, its manager's.
 *
 * Channels here count from 0 (MIDI channel 1 is 0). Pure bookkeeping: no
 * allocation, I/O or locks. Threads: one caller at a time.
 */
#ifndef TERRAIND_MPE_H
#define TERRAIND_MPE_H

#include <stdint.h>

#include "midi_parse.h"

enum {
	MPE_CHANNELS = 16,
	MPE_MEMBER_RANGE = 48, /* semitones: a new zone's member channels */
	MPE_PLAIN_RANGE = 2,   /* a plain channel's and a manager's */
	MPE_LOWER_MANAGER = 0,
	MPE_UPPER_MANAGER = 15,
};

typedef enum mpe_role { MPE_PLAIN, MPE_MANAGER, MPE_MEMBER } mpe_role;

/* What a message did to the state (mpe_feed). */
typedef enum mpe_effect {
	MPE_PASS,  /* not RPN traffic: the caller plays it (a pitch bend is recorded here too) */
	MPE_TAKEN, /* RPN or NRPN selection or data: consumed here */
	MPE_ZONES, /* an MPE Configuration Message changed the zones: notes on changed channels should end */
	MPE_RANGE, /* a bend range changed */
} mpe_effect;

typedef struct mpe_channel {
	int bend;                 /* -8192 .. 8191 */
	float range;              /* semitones at full bend */
	uint8_t rpn_msb, rpn_lsb; /* the selected parameter; 127 127 is none */
	uint8_t nrpn;             /* an NRPN is selected: its data is not ours */
	uint8_t data_msb;         /* RPN 0's last data entry, for a following LSB (cents) */
} mpe_channel;

typedef struct mpe_state {
	int lower, upper; /* member channels of each zone, 0 = no zone */
	mpe_channel ch[MPE_CHANNELS];
} mpe_state;

/* Zones as configured (midi.mpe): 0 .. 15 member channels each. */
void mpe_init(mpe_state *s, int lower, int upper);
/* Sets the zones as a Configuration Message does: the other zone shrinks
 * to fit, bend ranges return to their defaults in both. `upper_zone`
 * picks the zone, `members` 0 .. 15. */
void mpe_configure(mpe_state *s, int upper_zone, int members);

/* Reads a channel message: RPN and NRPN selection and data entry
 * (controllers 6, 38, 98-101) are taken here, pitch bends recorded. */
mpe_effect mpe_feed(mpe_state *s, const midi_msg *m);

mpe_role mpe_role_of(const mpe_state *s, int channel);
/* The manager of the zone a channel belongs to, or -1 (a plain channel). */
int mpe_manager_of(const mpe_state *s, int channel);
/* The channels a message on `channel` speaks for, as bits (1 << channel):
 * a manager's whole zone, otherwise the channel alone. */
uint16_t mpe_scope(const mpe_state *s, int channel);
/* A note's bend on `channel`, in semitones: the channel's, plus its
 * manager's on a member channel. */
float mpe_bend_semitones(const mpe_state *s, int channel);

#endif
