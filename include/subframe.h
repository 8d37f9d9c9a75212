/*
 * subframe — control below the latent frame: the decisions and arithmetic
 * of decoding the playing frame again when a cursor moves.
 *
 * A streaming decoder turns one latent into a whole frame of audio (2048
 * samples for RAVE), so a move used to wait for the next frame boundary.
 * The engine keeps the newest frame's audio staged, out of the ring the
 * callback reads, and moves it into the ring only as far as the fill
 * target, so the unplayed rest can still be replaced. Before each frame it
 * saves the model's streaming state (model_state_save) and the voices. When
 * a sounding voice's target moves far enough while the frame plays, it
 * restores both, decodes the same frame again with the new targets and
 * replaces the staged rest with the new audio at the same position, after a
 * short equal-power crossfade from the old; the state the new decode leaves
 * is the one kept. This module decides (moved? affordable?) and does the
 * arithmetic (the voices to decode again, the crossfade); engine.c decodes.
 *
 * Pure functions: no allocation, locks or system calls. Threads: the render
 * thread (and tests).
 */
#ifndef TERRAIND_SUBFRAME_H
#define TERRAIND_SUBFRAME_H

#include <stddef.h>
#include <stdint.h>

#include "terrain.h"
#include "voices.h"

enum {
	SUBFRAME_FADE_MS = 3,    /* the crossfade from the old frame's audio to the new */
	SUBFRAME_CALM_MS = 1000, /* frame rate for this long after an xrun or a late frame */
};
/* A move counts when a target axis moved this share of its bounds' span. */
#define SUBFRAME_MOVE 0.01f
/* The frame's decode and its re-decodes keep within this share of the
 * frame's duration: beyond it (many voices, a heavy model) control falls
 * back to frame rate before anything can glitch. */
#define SUBFRAME_CPU_SHARE 0.6

/* Whether a voice sounding in `now` has a target that moved far enough
 * from the one `decoded` (the voices as the staged frame's last decode
 * left them) was decoded with. */
int subframe_moved(const voice_pool *decoded, const voice_pool *now, const terrain *t);

/* The voices to decode the frame again with: `before` (as the frame
 * began) with now's targets, gains, pans and gestures. Returns -1, writing
 * nothing, when a voice started or was released since (`decoded` and `now`
 * differ in state): its row's fade does not carry over, and the next frame
 * takes the change. */
int subframe_voices(voice_pool *out, const voice_pool *before, const voice_pool *decoded, const voice_pool *now);

/* Whether one more re-decode may run: the frame's decode and the
 * re-decodes so far plus this one (cost_ns each, the recent frame cost)
 * within SUBFRAME_CPU_SHARE of frame_ns. */
int subframe_affordable(int64_t cost_ns, int64_t frame_ns, int redecodes);

/* Why a move found no re-decode (/status redecodes_refused_why). */
typedef enum subframe_refusal {
	SUBFRAME_REFUSED_NOT,      /* none: it may run */
	SUBFRAME_REFUSED_GLITCH,   /* an xrun or a late frame under SUBFRAME_CALM_MS ago */
	SUBFRAME_REFUSED_BEHIND,   /* the render thread is behind the audio */
	SUBFRAME_REFUSED_SHEDDING, /* voices are shed for overload */
	SUBFRAME_REFUSED_CPU,      /* the decodes would pass SUBFRAME_CPU_SHARE of the frame */
} subframe_refusal;

/* The first reason that holds, in the order above (calm_frames: the
 * frames of calm still to come after a glitch). */
subframe_refusal subframe_refused(int calm_frames, int behind, int shedding, int64_t cost_ns, int64_t frame_ns,
                                  int redecodes);

/* A sentence for a refusal: for SUBFRAME_REFUSED_CPU it names what a
 * frame's decode costs (cost_ns of frame_ns) and the share a re-decode
 * needs it under; "" for none. */
void subframe_refusal_text(subframe_refusal why, int64_t cost_ns, int64_t frame_ns, char *out, size_t len);

/* Replaces staged stereo frames [from, frames) with fresh's at the same
 * positions, fading over the first `fade` (0: a cut, right for from == 0,
 * where the new frame continues the state the old one began from). */
void subframe_replace(float *staged, size_t from, size_t frames, const float *fresh, size_t fade);

#endif
