/*
 * osc_call — one OSC message being handled: who sent it, its address and
 * arguments, and the answers to it. The dispatchers (osc.c, and
 * osc_looper.c for the looper's addresses) share it, so that every handler
 * reads arguments and answers its sender the same way.
 *
 * Threads: the control thread that handles the packet.
 */
#ifndef TERRAIND_OSC_CALL_H
#define TERRAIND_OSC_CALL_H

#include <stdint.h>

#include <lo/lo.h>

struct osc_context;
struct osc_peer;

typedef struct osc_call {
	struct osc_context *o;
	const struct osc_peer *peer;
	const char *address;
	const char *types;
	lo_arg **argv;
	int argc;
	int64_t received_ns, apply_ns; /* arrival (latency probe) and the bundle's time */
	lo_message msg;
	int voice; /* /voice/N/...: N; 0 for the plain addresses */
} osc_call;

/* Any numeric tag counts as a number (i, h, f, d); s and S as a string. */
int osc_arg_is_number(char type);
int osc_arg_is_string(char type);

/* Argument i (a number: check its type first) as a double; NAN when it
 * is not finite. */
double osc_call_number(const osc_call *c, int i);

/* The arguments of a save: PATH, then optionally 1 to replace an existing
 * file (so that a typo cannot destroy another file); PATH must end in
 * .json (`what`, e.g. "a loop", names the file in the /fail). 0, or -1
 * and a /fail. Confining the path is the caller's next step. */
int osc_call_save_path(osc_call *c, const char *what, const char **path, int *overwrite);

/* Reads exactly `n` finite numbers into out (n < 0: any count from 1 to
 * `max`); else -1 and a /fail naming `what` and what is wrong. */
int osc_call_numbers(osc_call *c, int n, float *out, int max, const char *what);
/* Argument i, a number within [min, max]; else -1 and a /fail naming `what`. */
int osc_call_number_in(osc_call *c, int i, double min, double max, const char *what, double *out);
/* The one argument, a string; else -1 and a /fail. */
int osc_call_string(osc_call *c, const char **out);
/* N of PREFIX N/verb, 0 <= N < count, with the verb in *verb; else -1 and
 * a /fail naming the addresses there are (`noun`: "loop"). */
int osc_call_index(osc_call *c, const char *prefix, int count, const char *noun, const char **verb);
/* 0 when there are no arguments; else -1 and a /fail. */
int osc_call_no_arguments(osc_call *c);

/* `/fail <address> <reason>` to the sender. */
void osc_call_fail(osc_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* `/done <address>` to the sender. */
void osc_call_done(osc_call *c);
/* `/done` for a control message, when osc.reply_controls asks for it. */
void osc_call_done_control(osc_call *c);

#endif
