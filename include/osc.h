/*
 * osc — parsing, validating and dispatching OSC packets (messages and
 * bundles), and answering every request to its sender as scsynth does:
 * `/done <address>` or `/fail <address> <reason>`.
 *
 * This module never touches a socket: osc_handle_packet() takes the bytes
 * and the sender, and sends replies through a callback. net.c feeds it from
 * UDP/TCP; tests and fuzzers feed it directly.
 *
 * Threads: osc_handle_packet on one control thread (the network thread),
 * which is the single producer of the engine's control ring. osc_set_config
 * and osc_set_terrain may be called from other non-RT threads (a mutex
 * guards the shared fields; never taken on an RT thread).
 */
#ifndef TERRAIND_OSC_H
#define TERRAIND_OSC_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <lo/lo.h>

#include "config.h"
#include "engine.h"
#include "osc_looper.h"
#include "osc_pending.h"
#include "training_pairs.h"
#include "tuio.h"

/* The `connection` of a peer inside the daemon (the MIDI input, which
 * plays its notes as OSC: midi_in.h): it gets no /done, its /fail goes to
 * the network layer's watch (net_watch) and neither counts against the
 * replies' rate limit. */
#define OSC_CONNECTION_INTERNAL UINT64_MAX

typedef struct osc_peer {
	struct sockaddr_storage addr;
	socklen_t len;
	/* 0 for UDP; else the TCP connection's id, unique for the daemon's
	 * lifetime: a reply queued for a connection that has closed goes
	 * nowhere, never to a later connection that got the same descriptor. */
	uint64_t connection;
} osc_peer;

typedef enum osc_request_type {
	OSC_LOAD_MODEL,
	OSC_LOAD_TERRAIN,
	OSC_QUIT,
	OSC_TRAIN,        /* train a new terrain on the collected pairs (`epochs`) */
	OSC_SAVE_TERRAIN, /* save the playing terrain to `path` */
	OSC_LOAD_SCENE,   /* a model (`path`, `fd`) and a terrain (`path2`, `fd2`) swapped together */
	OSC_LOAD_LOOP,    /* a loop file (`fd`) read and loaded into loop `loop` (osc_run_file_request) */
	OSC_LOAD_SESSION, /* a session file (`fd`) read and applied */
	OSC_WRITE_TEXT,   /* `text` written atomically as `path` in the directory `fd` (a loop or session save) */
} osc_request_type;

/* Work the control thread hands to the worker (loads take seconds). */
typedef struct osc_request {
	osc_request_type type;
	char address[64];
	char path[CONFIG_PATH_MAX]; /* the confined real path (for messages: read through fd) */
	/* loads: the file, saves: its directory, opened when confined (see
	 * osc_request_has_file; -1 otherwise). Whoever accepts the request
	 * (the request callback returning 0) closes it. */
	int fd;
	char path2[CONFIG_PATH_MAX]; /* OSC_LOAD_SCENE: the terrain, read through fd2 */
	int fd2;
	int overwrite; /* OSC_SAVE_TERRAIN, OSC_WRITE_TEXT: replace an existing file */
	int epochs;
	int loop;   /* OSC_LOAD_LOOP */
	char *text; /* OSC_WRITE_TEXT: malloc'd, freed with the request */
	osc_peer peer;
} osc_request;

/* Whether the request carries an open file in `fd` (loads and saves only:
 * a request of another type never has its fd closed, even if left 0). */
static inline int osc_request_has_file(const osc_request *req)
{
	return req->type == OSC_LOAD_MODEL || req->type == OSC_LOAD_TERRAIN || req->type == OSC_SAVE_TERRAIN ||
	       req->type == OSC_LOAD_SCENE || req->type == OSC_LOAD_LOOP || req->type == OSC_LOAD_SESSION ||
	       req->type == OSC_WRITE_TEXT;
}

/* Lets go of what the request carries: closes fd (and fd2 for a scene),
 * frees text. */
void osc_request_release(const osc_request *req);

typedef struct osc_callbacks {
	/* Sends one serialised OSC packet to a peer (net_start installs it). */
	void (*send)(void *send_ctx, const osc_peer *peer, const void *data, size_t size);
	void *send_ctx;
	/* Queues a request for the worker; returns -1 if the queue is full
	 * (then req->fd stays the caller's), 0 when it takes the request and
	 * with it req->fd. */
	int (*request)(void *ctx, const osc_request *req);
	void *ctx;
} osc_callbacks;

enum {
	OSC_MAX_SUBSCRIBERS = 8,
	OSC_NOTIFY_LEASE_S = 10, /* a /notify lasts this long unless sent again */
};

/* What plays, as /status reports it: set by the daemon after each swap
 * (osc_set_playing). */
typedef struct osc_playing {
	char model[128], terrain[128]; /* the model's id, the terrain's name */
	int model_rate, ratio, frames_per_call;
	double call_ms, warmup_ms; /* a decode call's audio; the model's warm-up */
	char rate_source[64], rate_warning[384];
} osc_playing;

typedef struct osc_context {
	engine *engine;
	osc_callbacks cb;
	training_pairs training; /* /train/add's store (its own lock), for /train/run */
	tuio_tracker tuio;       /* /tuio/2Dcur sessions -> voices: the network thread only, so unlocked */
	osc_looper looper;       /* stored points, tempo (osc_looper.h) */
	osc_pending pending;     /* requests the render thread answers (osc_pending.h) */
	pthread_mutex_t lock;    /* guards the fields below (non-RT threads only) */
	config config;
	int control_dim, latent_dim;
	float bounds_min[TERRAIN_MAX_CONTROL_DIM], bounds_max[TERRAIN_MAX_CONTROL_DIM];
	float user_gain, pressure_gain;
	osc_playing playing;
	struct audio_stream *audio;     /* the output, for /status (osc_set_audio); NULL offline */
	_Atomic(struct midi_in *) midi; /* the MIDI input, for /status (osc_set_midi); NULL: off */
	int64_t started_ns;             /* the daemon's start: /status uptime_s */
	/* where the configuration and data came from, and audio.jack_ports'
	 * connections, for /status (osc_set_origin) */
	const char *config_file, *data_dirs;
	const struct jack_ports *jack;
	/* /notify subscribers (guarded by lock): each lasts notify_lease_ns
	 * from its last /notify, so that clients that went away free their slot */
	struct osc_subscriber {
		osc_peer peer;
		int64_t period_ns, next_ns, next_status_ns, expires_ns;
	} subscribers[OSC_MAX_SUBSCRIBERS];
	int n_subscribers;
	int64_t notify_lease_ns; /* OSC_NOTIFY_LEASE_S, set by osc_init */
	int64_t (*now)(void);    /* the clock leases and updates follow: clock_now_ns (tests set their own) */
	/* reply rate limit (guarded by lock) */
	int64_t reply_window_ns;
	int replies_in_window;
	/* counters (any thread may read) */
	atomic_uint_fast64_t messages, failures, malformed, coalesced, replies_suppressed;
	/* datagrams the kernel dropped because the socket's queue was full
	 * (written by the network layer where the OS tells: Linux) */
	atomic_uint_fast64_t udp_dropped;
	/* datagrams and TCP connections from peers outside osc.allow, dropped
	 * unanswered (osc_peer_allowed) */
	atomic_uint_fast64_t refused;
} osc_context;

/* One datagram (or TCP packet) as received. */
typedef struct osc_packet {
	const void *data;
	size_t size;
	osc_peer peer;
} osc_packet;

enum { OSC_MAX_REPLIES_PER_SECOND = 1000 };

int osc_init(osc_context *o, engine *e, const config *c, const terrain *t, osc_callbacks cb);
void osc_destroy(osc_context *o);
void osc_set_config(osc_context *o, const config *c);
void osc_set_terrain(osc_context *o, const terrain *t);
/* What /status reports as playing (any non-RT thread). */
void osc_set_playing(osc_context *o, const osc_playing *p);
/* The audio output /status describes, and when the daemon started (before
 * the network starts). */
void osc_set_audio(osc_context *o, struct audio_stream *audio, int64_t started_ns);
/* The MIDI input /status describes (midi_in.h), NULL for none; any non-RT
 * thread (the daemon sets it after the network starts, clears it before
 * the input stops). */
void osc_set_midi(osc_context *o, struct midi_in *midi);
/* The configuration file read ("" = the built-in defaults), the data roots
 * and audio.jack_ports' connections (NULL: none), for /status: kept, not
 * copied (the daemon's own, for its whole run); set before the network
 * starts. */
void osc_set_origin(osc_context *o, const char *config_file, const char *data_dirs, const struct jack_ports *jack);

void osc_handle_packet(osc_context *o, const void *data, size_t size, const osc_peer *peer);
/* A burst of packets read at once: a cursor message (/xy, /stylus, a
 * mapped address) followed later in the burst by another to the same
 * address from the same sender is skipped and counted as coalesced (only
 * the newest position matters), so that a flood costs parsing, not
 * dispatching; everything else is handled in order. */
void osc_handle_batch(osc_context *o, const osc_packet *packets, int n);

/* The worker's share of the looper's files (osc_looper.h): a loop or
 * session file read and applied, or a save's text written, and the sender
 * answered. Returns 0 when the request is none of these. Any non-RT thread
 * but the network thread (the worker; offline, the renderer). */
int osc_run_file_request(osc_context *o, const osc_request *req);

/* Sends /train/progress epoch epochs loss to a peer. */
void osc_send_progress(osc_context *o, const osc_peer *peer, int epoch, int epochs, double loss);

/* Sends due /notify updates (/cursor, /latent, and /status.reply once a
 * second) to subscribers. Called by a non-RT thread every few ms. */
void osc_notify_tick(osc_context *o);

/* Access control (docs/osc.md, "Access control"), for the network layer.
 * Whether a peer may talk at all (loopback, or a match in osc.allow); a
 * refusal is counted in `refused`. */
int osc_peer_allowed(osc_context *o, const osc_peer *peer);
/* Whether TCP sessions must start with /auth (osc.password is set). */
int osc_needs_password(osc_context *o);
/* The first packet of a TCP session when a password is needed: 0 when it
 * is `/auth <password>` with the right one (answered /done), -1 otherwise
 * (answered /fail; the caller closes the connection). */
int osc_authenticate(osc_context *o, const void *data, size_t size, const osc_peer *peer);

void osc_reply_done(osc_context *o, const osc_peer *peer, const char *address);
/* Sends any message to a peer (not rate-limited, as /status.reply). */
void osc_send(osc_context *o, const osc_peer *peer, const char *path, lo_message m);
/* confine_open (new_file 0: an existing file) or confine_open_dir
 * (new_file 1: the directory of a file to write,
 * its last component in *name) under the live configuration's allowed
 * directories, which osc_set_config may replace meanwhile. */
int osc_open_confined(osc_context *o, const char *path, int new_file, const char **name, char *resolved, size_t len,
                      char *why, size_t whylen);
/* Whether a request that changes files is refused to this peer (answered
 * /fail with the reason): remote peers need osc.remote_admin, and TCP after
 * /auth when osc.password is set. */
int osc_admin_refused(osc_context *o, const osc_peer *peer, const char *address);
void osc_reply_fail(osc_context *o, const osc_peer *peer, const char *address, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
