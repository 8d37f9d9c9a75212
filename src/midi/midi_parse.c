/*
 * midi_parse.c — the MIDI 1.0 receiver's state machine (midi_parse.h).
 *
 * One byte at a time, so that a message split across two JACK events or
 * two reads is still read whole, and a source that sends garbage costs a
 * counter, never a wrong note: a data byte is only ever read as part of
 * the message whose status byte came before it.
 */
#include "midi_parse.h"

#include <string.h>

enum {
	SYSEX_START = 0xF0,
	MTC_QUARTER_FRAME = 0xF1,
	SONG_POSITION = 0xF2,
	SONG_SELECT = 0xF3,
	TUNE_REQUEST = 0xF6,
	SYSEX_END = 0xF7,
	REALTIME_FIRST = 0xF8,
};

void midi_parser_init(midi_parser *p)
{
	memset(p, 0, sizeof *p);
}

/* Data bytes a channel message of this status carries. */
static int data_bytes(uint8_t status)
{
	uint8_t kind = status >> 4;
	return kind == MIDI_PROGRAM || kind == MIDI_CHANNEL_PRESSURE ? 1 : 2;
}

/* Data bytes a system common message carries (F4 and F5 are undefined:
 * none, and what follows them is stray). */
static int system_common_bytes(uint8_t status)
{
	switch (status) {
	case MTC_QUARTER_FRAME:
	case SONG_SELECT: return 1;
	case SONG_POSITION: return 2;
	default: return 0;
	}
}

/* A status byte below F8: whatever was being read ends here. */
static void take_status(midi_parser *p, uint8_t byte)
{
	if (p->in_sysex)
		p->in_sysex = 0; /* a SysEx fragment: already counted when it began */
	else if (p->have > 0 || p->skip > 0)
		p->dropped++; /* a message cut short */
	p->have = 0;
	p->skip = 0;
	if (byte < 0xF0) {
		p->status = byte;
		return;
	}
	p->status = 0; /* system common messages cancel running status */
	if (byte == SYSEX_START) {
		p->in_sysex = 1;
		p->sysex++;
	} else if (byte == 0xF4 || byte == 0xF5) {
		p->dropped++;
	} else if (byte != SYSEX_END && byte != TUNE_REQUEST) {
		p->skip = (uint8_t)system_common_bytes(byte);
	}
}

static int take_data(midi_parser *p, uint8_t byte, midi_msg *out)
{
	if (p->in_sysex)
		return 0;
	if (p->skip > 0) {
		p->skip--;
		return 0;
	}
	if (!p->status) {
		p->dropped++;
		return 0;
	}
	p->data[p->have++] = byte;
	if (p->have < data_bytes(p->status))
		return 0;
	*out = (midi_msg){.kind = (uint8_t)(p->status >> 4),
	                  .channel = (uint8_t)(p->status & 0x0F),
	                  .data1 = p->data[0],
	                  .data2 = p->have > 1 ? p->data[1] : 0};
	p->have = 0; /* running status: the next data byte starts the same kind of message */
	p->messages++;
	return 1;
}

int midi_parse_byte(midi_parser *p, uint8_t byte, midi_msg *out)
{
	if (byte >= REALTIME_FIRST) {
		p->realtime++;
		return 0;
	}
	if (byte & 0x80) {
		take_status(p, byte);
		return 0;
	}
	return take_data(p, byte, out);
}

void midi_parse_event_end(midi_parser *p)
{
	if (p->have > 0 || p->skip > 0)
		p->dropped++;
	p->have = 0;
	p->skip = 0;
}

size_t midi_parse(midi_parser *p, const uint8_t *bytes, size_t n, midi_msg *out, size_t max)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++) {
		midi_msg m;
		if (!midi_parse_byte(p, bytes[i], &m))
			continue;
		if (count < max)
			out[count++] = m;
		else
			p->dropped++;
	}
	return count;
}
