/*
 * osc_status — the writers of /status.reply's "key", value pairs, shared by
 * the OSC module (engine and network counters) and the daemon (device,
 * model and timing), so that every key is typed the same way.
 *
 * Threads: any non-RT thread (liblo's message functions allocate).
 */
#ifndef TERRAIND_OSC_STATUS_H
#define TERRAIND_OSC_STATUS_H

#include <stdint.h>

#include <lo/lo.h>

/* A counter: int32 ('i') while it fits, int64 ('h') beyond, so that a
 * counter never wraps negative in a long run and small ones stay readable
 * by clients that know only the basic OSC types. */
void osc_status_add_int(lo_message m, const char *key, int64_t value);
void osc_status_add_float(lo_message m, const char *key, double value);
void osc_status_add_string(lo_message m, const char *key, const char *value);

/* `xruns`: callbacks terraind could not fill. Also written as `underruns`,
 * its former name, a deprecated alias kept until the next format version
 * of /status.reply (docs/osc.md). The one place both keys are written. */
void osc_status_add_xruns(lo_message m, uint64_t xruns);

#endif
