/*
 * midi_parse — a MIDI 1.0 byte stream into channel messages.
 *
 * Bytes may come from anywhere (a JACK MIDI event, an ALSA sequencer
 * event decoded to bytes, a fuzzer) and may be anything: the parser keeps
 * what the MIDI 1.0 specification says a receiver keeps, and drops the
 * rest without a sound change:
 *   - running status: data bytes after a complete channel message reuse
 *     its status; system common messages (F1-F7) cancel it;
 *   - real-time bytes (F8-FF, undefined F9 and FD included) may appear
 *     anywhere, even between the data bytes of a message or inside a
 *     SysEx, and leave everything as it was;
 *   - SysEx (F0 ... F7) is skipped whole, however long; a status byte
 *     inside it ends it (a fragment), and is then read as usual;
 *   - a status byte before a message is complete drops the partial
 *     message (truncation); data bytes with no status to belong to,
 *     and the undefined system common bytes F4 and F5, are dropped.
 * What is dropped is counted, so that /status can say a source sends
 * garbage.
 *
 * Pure: no allocation, no I/O, no locks; bounded time per byte. Threads:
 * one parser per source, used by one thread at a time.
 */
#ifndef TERRAIND_MIDI_PARSE_H
#define TERRAIND_MIDI_PARSE_H

#include <stddef.h>
#include <stdint.h>

typedef enum midi_kind {
	MIDI_NOTE_OFF = 0x8,
	MIDI_NOTE_ON = 0x9, /* velocity 0 is a note-off, as MIDI 1.0 says: the consumer treats it so */
	MIDI_POLY_PRESSURE = 0xA,
	MIDI_CONTROL = 0xB,
	MIDI_PROGRAM = 0xC,
	MIDI_CHANNEL_PRESSURE = 0xD,
	MIDI_PITCH_BEND = 0xE,
} midi_kind;

typedef struct midi_msg {
	uint8_t kind;    /* midi_kind */
	uint8_t channel; /* 0 .. 15 (MIDI's channels 1 .. 16) */
	uint8_t data1;   /* key, controller, program or pressure */
	uint8_t data2;   /* velocity, value or pressure; 0 for one-byte messages */
} midi_msg;

/* A pitch bend's value, -8192 .. 8191 (0 is the centre). */
static inline int midi_bend_value(const midi_msg *m)
{
	return (int)(m->data1 | m->data2 << 7) - 8192;
}

/* The channel mode messages that end notes (MIDI 1.0, controllers 120 to
 * 127): All Sound Off ends every note of the channel; All Notes Off, and
 * the omni and mono/poly switches that imply it (124 to 127), lift every
 * key, the sustain pedal keeping what it holds. 121 (Reset All
 * Controllers) and 122 (Local Control) end nothing. */
enum { MIDI_CC_ALL_SOUND_OFF = 120, MIDI_CC_ALL_NOTES_OFF = 123, MIDI_CC_POLY_ON = 127 };

static inline int midi_cc_ends_notes(int controller)
{
	return controller == MIDI_CC_ALL_SOUND_OFF ||
	       (controller >= MIDI_CC_ALL_NOTES_OFF && controller <= MIDI_CC_POLY_ON);
}

typedef struct midi_parser {
	uint8_t status;    /* running status: the channel message being read, 0 for none */
	uint8_t data[2];   /* data bytes read so far */
	uint8_t have;      /* how many */
	uint8_t skip;      /* data bytes of a system common message still to skip */
	uint8_t in_sysex;  /* inside F0 ... F7 */
	uint64_t messages; /* channel messages produced */
	uint64_t dropped;  /* bytes or partial messages dropped (stray data, truncation, undefined status) */
	uint64_t sysex;    /* SysEx messages skipped (fragments too) */
	uint64_t realtime; /* real-time bytes seen (clock, start, stop, active sensing...) */
} midi_parser;

void midi_parser_init(midi_parser *p);

/* Feeds one byte; returns 1 and fills *out when it completes a channel
 * message, 0 otherwise. */
int midi_parse_byte(midi_parser *p, uint8_t byte, midi_msg *out);

/* The end of a transport's event (a JACK MIDI event, an ALSA sequencer
 * event): each carries whole messages, so a message still incomplete
 * here was cut short, and is dropped (counted); running status and a
 * SysEx spanning events carry on. */
void midi_parse_event_end(midi_parser *p);

/* Feeds n bytes; writes at most max messages to out and returns how many
 * (messages beyond max are counted as dropped). */
size_t midi_parse(midi_parser *p, const uint8_t *bytes, size_t n, midi_msg *out, size_t max);

#endif
