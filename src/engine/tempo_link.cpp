/*
 * tempo_link.cpp — see tempo_link.h.
 */
#include "tempo_link.h"

#include <ableton/Link.hpp>

#include <chrono>
#include <cstdio>
#include <exception>
#include <new>

struct tempo_link {
	ableton::Link link;
	explicit tempo_link(double bpm) : link(bpm)
	{
	}
};

extern "C" {

tempo_link *tempo_link_create(double bpm, char *err, unsigned long errlen)
{
	try {
		return new tempo_link(bpm);
	} catch (const std::exception &e) {
		std::snprintf(err, errlen, "cannot start Ableton Link: %s", e.what());
	} catch (...) {
		std::snprintf(err, errlen, "cannot start Ableton Link");
	}
	return nullptr;
}

void tempo_link_free(tempo_link *l)
{
	delete l;
}

void tempo_link_enable(tempo_link *l, int on)
{
	l->link.enable(on != 0);
}

int tempo_link_enabled(const tempo_link *l)
{
	return l->link.isEnabled();
}

int tempo_link_peers(const tempo_link *l)
{
	return (int)l->link.numPeers();
}

double tempo_link_tempo(const tempo_link *l)
{
	return l->link.captureAppSessionState().tempo();
}

void tempo_link_set_tempo(tempo_link *l, double bpm)
{
	auto state = l->link.captureAppSessionState();
	state.setTempo(bpm, l->link.clock().micros());
	l->link.commitAppSessionState(state);
}

int tempo_link_beat(tempo_link *l, double quantum, long ahead_us, double *beat, double *bpm)
{
	if (!l->link.isEnabled())
		return 0;
	const auto state = l->link.captureAudioSessionState();
	const auto at = l->link.clock().micros() + std::chrono::microseconds(ahead_us);
	*beat = state.beatAtTime(at, quantum);
	*bpm = state.tempo();
	return 1;
}
}
