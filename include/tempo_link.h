/*
 * tempo_link — Ableton Link behind a C interface (src/control/tempo_link.cpp, the
 * only user of Link's C++ headers, as torch_backend.cpp is of libtorch's):
 * tempo and beat phase shared with the other Link peers on the network
 * (Ableton Live, phones, other terraind).
 *
 * A session starts disabled (Link sends nothing until tempo_link_enable);
 * Link finds its peers by UDP multicast on every interface that is up.
 *
 * Threads: create/free/enable and the tempo on non-RT threads (Link's own
 * threads do the networking); tempo_link_beat on the render thread: it
 * reads Link's audio-thread session state (no locks, no allocation).
 */
#ifndef TERRAIND_TEMPO_LINK_H
#define TERRAIND_TEMPO_LINK_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tempo_link tempo_link;

/* A disabled Link session at `bpm`; NULL with the reason in err. */
tempo_link *tempo_link_create(double bpm, char *err, unsigned long errlen);
void tempo_link_free(tempo_link *l);

void tempo_link_enable(tempo_link *l, int on);
int tempo_link_enabled(const tempo_link *l);
/* Peers in the session (0 while disabled or alone). */
int tempo_link_peers(const tempo_link *l);
/* The session's tempo, and a new one for every peer. */
double tempo_link_tempo(const tempo_link *l);
void tempo_link_set_tempo(tempo_link *l, double bpm);

/* Render thread: the beat (bars of `quantum` beats keep their phase with
 * the peers) and tempo at `ahead_us` microseconds from now, when the audio
 * rendered now will be heard. Returns 0 while disabled (nothing written). */
int tempo_link_beat(tempo_link *l, double quantum, long ahead_us, double *beat, double *bpm);

#ifdef __cplusplus
}
#endif

#endif
