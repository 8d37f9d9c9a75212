/*
 * osc_internal.h — what the OSC interface's files share, and nobody else
 * (include/osc.h is its interface). One file a concern:
 *
 *   osc.c           the context's life and shared state; routing a message to its handler
 *   osc_packet.c    packets and bundles taken apart, timetags
 *   osc_batch.c     bursts: a cursor superseded later in the burst is skipped
 *   osc_call.c      one message's arguments read, its sender answered (osc_call.h)
 *   osc_reply.c     /done and /fail (rate-limited), and any other message to a peer
 *   osc_controls.c  cursors, gestures, gain, smoothing, voices, grains: control events
 *   osc_mapping.c   configured mappings (TouchOSC): ranges, swaps, touches as voices
 *   osc_tuio.c      TUIO 1.1 cursors
 *   osc_requests.c  loads and quit, handed to the worker; admin checks, confined files
 *   osc_training.c  /train/...
 *   osc_notify.c    /notify subscriptions and the updates they receive
 *   osc_status.c    /status.reply, assembled in one place
 *   osc_auth.c      who may talk (osc.allow), TCP passwords
 *   osc_pending.c   requests the render thread answers, by ticket (osc_pending.h)
 *   osc_looper.c    loops, tempo, Link (osc_looper.h); osc_points.c, osc_session.c
 *
 * Threads: as osc.h says; every function here runs on the thread that
 * handles the message (the network thread) unless its comment says more.
 */
#ifndef TERRAIND_OSC_INTERNAL_H
#define TERRAIND_OSC_INTERNAL_H

#include "osc.h"
#include "osc_call.h"

/* ---- osc.c ---- */
/* Finds the handler of c->address and runs it (or answers /fail). */
void osc_dispatch(osc_call *c);
/* The output's gain is user × pressure: sets either (a negative value
 * leaves it). Any non-RT thread. */
void osc_set_gain(osc_context *o, float user, float pressure);
/* The playing terrain's control axes. */
int osc_terrain_dim(osc_context *o);

/* ---- osc_controls.c ---- */
/* Hands an event for the call's voice to the engine as it is (applied at
 * once); -1 and a /fail when the control queue is full. */
int osc_push_event(osc_call *c, control_event *ev);
/* The same, stamped with the message's arrival and its bundle's time. */
int osc_queue_event(osc_call *c, control_event *ev);
/* osc_queue_event, then /done when controls are answered. */
void osc_send_event(osc_call *c, control_event *ev);
/* Moves the call's voice: axes first .. first+n-1 of its target. */
void osc_send_axes(osc_call *c, int first, const float *values, int n);
void osc_handle_xy(osc_call *c);
void osc_handle_stylus(osc_call *c);
void osc_handle_gesture(osc_call *c);
void osc_handle_gesture_stop(osc_call *c);
void osc_handle_gain(osc_call *c);
void osc_handle_smooth(osc_call *c);
void osc_handle_voice_gain(osc_call *c);
void osc_handle_voice_pan(osc_call *c);
void osc_handle_voice_off(osc_call *c);
void osc_handle_voice_pitch(osc_call *c);
/* /grain/<verb> (grains.h validates). */
void osc_dispatch_grain(osc_call *c);

/* ---- osc_mapping.c ---- */
/* 0..1 values onto the terrain's bounds, axes first .. first+n-1. */
void osc_to_bounds(osc_context *o, int first, float *v, int n);
/* The decimal number at p (up to 4 digits), with what follows in *rest;
 * -1 when there is none. */
int osc_leading_number(const char *p, const char **rest);
/* A copy of the mapping for `address` and whether unmapped addresses are
 * logged; 0 when there is none. */
int osc_find_mapping(osc_context *o, const char *address, config_mapping *out, int *log_unmapped);
void osc_handle_mapped(osc_call *c, const config_mapping *m);

/* ---- osc_tuio.c ---- */
void osc_handle_tuio_cursor(osc_call *c);

/* ---- osc_requests.c ---- */
/* Hands a request to the worker, which answers when it has finished. */
void osc_submit(osc_call *c, osc_request *req);
/* A load of `path` (confined and opened now) by the worker. */
void osc_queue_load(osc_call *c, osc_request_type type, const char *path);
/* A request about a file, confined and opened now (new_file: its directory). */
void osc_submit_file(osc_call *c, osc_request_type type, const char *path, int new_file, int overwrite);
void osc_handle_load_model(osc_call *c);
void osc_handle_load_terrain(osc_call *c);
void osc_handle_load_scene(osc_call *c);
void osc_handle_quit(osc_call *c);

/* ---- osc_training.c ---- */
void osc_handle_train_add(osc_call *c);
void osc_handle_train_clear(osc_call *c);
void osc_handle_train_run(osc_call *c);
void osc_handle_train_save(osc_call *c);

/* ---- osc_notify.c ---- */
void osc_handle_notify(osc_call *c);

/* ---- osc_status.c ---- */
/* /status.reply, every key, to a peer (any non-RT thread). */
void osc_status_send(osc_context *o, const osc_peer *peer);
void osc_handle_status(osc_call *c);

/* ---- osc_packet.c ---- */
/* The address of a raw message, printable, for /fail replies. */
void osc_packet_address(const char *data, size_t size, char *out, size_t len);

#endif
