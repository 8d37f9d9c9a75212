/*
 * osc_looper — the OSC side of the gesture looper, stored points, tempo,
 * Link and session files (docs/osc.md, "Gesture looper", "Stored points",
 * "Sessions"): argument checks, a /fail with the reason for every refusal,
 * and the commands handed to the engine, which plays the loops on the
 * render thread (looper.h).
 *
 * Nothing here waits for the render thread: commands are queued with a
 * ticket (osc_pending.h) and the sender is answered once they are applied.
 * What a loop is doing and its settings are read from what the engine
 * publishes (engine_loop_info), never from a copy that could drift. Files
 * are confined and opened on the network thread (fast), and read, parsed
 * and written on the worker (osc_run_file_request).
 *
 *   osc_looper.c   /loop/N/..., /tempo, /meter, /link; the loop files on the worker
 *   osc_points.c   /point/K/...
 *   osc_session.c  /session/save and /session/load
 *
 * Threads: the dispatchers on the OSC (network) thread; the file work on
 * the worker; osc_looper_notify, osc_looper_watch and osc_looper_bpm on
 * the notifier (they read atomics and the engine's published state). The
 * stored points are guarded by the OSC context's lock.
 */
#ifndef TERRAIND_OSC_LOOPER_H
#define TERRAIND_OSC_LOOPER_H

#include <lo/lo.h>
#include <stdatomic.h>
#include <stddef.h>

#include "looper.h"
#include "osc_call.h"
#include "osc_pending.h"
#include "session.h"
#include "tempo_link.h"

enum { OSC_POINTS = SESSION_POINTS }; /* /point/0/... to /point/127/... */

typedef struct osc_looper {
	atomic_int touched[LOOPER_LOOPS]; /* a command reached it: /notify reports it */
	stored_point points[OSC_POINTS];  /* under the OSC context's lock */
	_Atomic double bpm;
	_Atomic(tempo_link *) link; /* started by the first /link 1, kept until osc_looper_destroy */
	atomic_int meter;
	int max_voices;
	uint64_t full_seen[LOOPER_LOOPS]; /* osc_looper_watch's thread only */
} osc_looper;

struct osc_context;
struct osc_peer;
struct osc_request;

void osc_looper_init(osc_looper *l, int max_voices);
/* After the engine has stopped (it reads the Link session). */
void osc_looper_destroy(osc_looper *l);
/* Handles /loop/N/..., /point/K/..., /tempo, /meter, /link,
 * /session/save and /session/load; returns 0 when the address is none of
 * these. */
int osc_looper_dispatch(osc_call *c);
/* /loop/N/state STATE POSITION LENGTH for each loop in use. */
void osc_looper_notify(struct osc_context *o, const struct osc_peer *peer);
/* Says in the log when a recording filled its take and ended (the render
 * thread cannot); called every few ms by the notifier thread. */
void osc_looper_watch(struct osc_context *o);
/* The tempo: Link's while it is enabled, else the last /tempo (any thread). */
double osc_looper_bpm(osc_looper *l);
/* Why the looper refused a command, worded from the loop's state now. */
void osc_loop_refusal(struct osc_context *o, const loop_command *c, char *why, size_t len);

/* ---- for the looper's files (osc_looper.c, osc_session.c) ---- */
/* One command as a whole request: /done once applied (network thread). */
void osc_looper_send(osc_call *c, const loop_command *command);
/* A save's job: PATH [1] read, the peer allowed to write files, the
 * file's directory confined and opened into the job; NULL after a /fail. */
osc_job *osc_looper_save_job(osc_call *c, const char *what, osc_job_kind kind);
/* A file to load, confined and opened, handed to the worker as `type`. */
void osc_looper_submit_load(osc_call *c, int type, int loop);
/* The worker: a loop file (req->fd) into loop req->loop; a session file. */
void osc_looper_load_loop(struct osc_context *o, const struct osc_request *req);
void osc_session_load(struct osc_context *o, const struct osc_request *req);
/* The network thread: /point/K/... and /session/... */
void osc_points_dispatch(osc_call *c);
void osc_session_save(osc_call *c);
void osc_session_request_load(osc_call *c);

#endif
