/*
 * osc_call.c — reading one message's arguments and answering its sender
 * (see osc_call.h).
 */
#include "osc_call.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "osc.h"

int osc_arg_is_number(char type)
{
	return type == LO_INT32 || type == LO_INT64 || type == LO_FLOAT || type == LO_DOUBLE;
}

int osc_arg_is_string(char type)
{
	return type == LO_STRING || type == LO_SYMBOL;
}

/* liblo's argument pointers are only 4-byte aligned: the values are read
 * with memcpy rather than through the (8-byte aligned) lo_arg union. */
double osc_call_number(const osc_call *c, int i)
{
	const void *p = c->argv[i];
	int32_t i32;
	int64_t i64;
	float f;
	double d;
	switch (c->types[i]) {
	case LO_INT32:
		memcpy(&i32, p, sizeof i32);
		d = i32;
		break;
	case LO_INT64:
		memcpy(&i64, p, sizeof i64);
		d = (double)i64;
		break;
	case LO_FLOAT:
		memcpy(&f, p, sizeof f);
		d = f;
		break;
	default: memcpy(&d, p, sizeof d); break;
	}
	return isfinite(d) ? d : NAN;
}

int osc_call_save_path(osc_call *c, const char *what, const char **path, int *overwrite)
{
	double flag = 0;
	if (c->argc < 1 || c->argc > 2 || !osc_arg_is_string(c->types[0]) ||
	    (c->argc == 2 && (!osc_arg_is_number(c->types[1]) || ((flag = osc_call_number(c, 1)) != 0 && flag != 1)))) {
		osc_call_fail(c, "expects a path, then optionally 1 to overwrite an existing file");
		return -1;
	}
	*path = (const char *)c->argv[0];
	*overwrite = flag == 1;
	size_t len = strlen(*path);
	if (len < 5 || strcmp(*path + len - 5, ".json") != 0) {
		osc_call_fail(c, "%s: %s is saved as a .json file", *path, what);
		return -1;
	}
	return 0;
}

void osc_call_fail(osc_call *c, const char *fmt, ...)
{
	char reason[480];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	osc_reply_fail(c->o, c->peer, c->address, "%s", reason);
}

void osc_call_done(osc_call *c)
{
	osc_reply_done(c->o, c->peer, c->address);
}

/* Reads exactly `n` finite numbers (n < 0: any count, at most `max`). */
int osc_call_numbers(osc_call *c, int n, float *out, int max, const char *what)
{
	if ((n >= 0 && c->argc != n) || (n < 0 && (c->argc < 1 || c->argc > max))) {
		if (n >= 0)
			osc_call_fail(c, "expects %d number%s (%s), got %d argument%s", n, n == 1 ? "" : "s", what,
			              c->argc, c->argc == 1 ? "" : "s");
		else
			osc_call_fail(c, "expects 1 to %d numbers (%s), got %d", max, what, c->argc);
		return -1;
	}
	for (int i = 0; i < c->argc; i++) {
		if (!osc_arg_is_number(c->types[i])) {
			osc_call_fail(c, "argument %d has type '%c'; expected a number (i, h, f or d)", i + 1,
			              c->types[i]);
			return -1;
		}
		double v = osc_call_number(c, i);
		if (!isfinite(v) || fabs(v) > 1e30) {
			osc_call_fail(c, "argument %d is not a finite number", i + 1);
			return -1;
		}
		out[i] = (float)v;
	}
	return 0;
}

int osc_call_string(osc_call *c, const char **out)
{
	if (c->argc != 1 || !osc_arg_is_string(c->types[0])) {
		osc_call_fail(c, "expects one string argument");
		return -1;
	}
	*out = (const char *)c->argv[0];
	return 0;
}

void osc_call_done_control(osc_call *c)
{
	pthread_mutex_lock(&c->o->lock);
	int reply = c->o->config.reply_controls;
	pthread_mutex_unlock(&c->o->lock);
	if (reply)
		osc_reply_done(c->o, c->peer, c->address);
}

/* Argument i, a number within [min, max]; else a /fail naming `what`. */
int osc_call_number_in(osc_call *c, int i, double min, double max, const char *what, double *out)
{
	if (i >= c->argc || !osc_arg_is_number(c->types[i])) {
		osc_call_fail(c, "argument %d (%s) must be a number", i + 1, what);
		return -1;
	}
	double x = osc_call_number(c, i);
	if (!(x >= min && x <= max)) {
		osc_call_fail(c, "%s %g is out of range (%g to %g)", what, x, min, max);
		return -1;
	}
	*out = x;
	return 0;
}

int osc_call_no_arguments(osc_call *c)
{
	if (c->argc == 0)
		return 0;
	osc_call_fail(c, "expects no arguments");
	return -1;
}

int osc_call_index(osc_call *c, const char *prefix, int count, const char *noun, const char **verb)
{
	const char *p = c->address + strlen(prefix);
	char *end = (char *)p;
	long n = *p >= '0' && *p <= '9' ? strtol(p, &end, 10) : -1;
	if (n < 0 || *end != '/' || n >= count || end - p > 4) {
		osc_call_fail(c, "no such %s: %ss are %s0/... to %s%d/...", noun, noun, prefix, prefix, count - 1);
		return -1;
	}
	*verb = end + 1;
	return (int)n;
}
