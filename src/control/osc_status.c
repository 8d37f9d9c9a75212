/*
 * osc_status.c — see osc_status.h.
 */
#include "osc_status.h"

void osc_status_add_int(lo_message m, const char *key, int64_t value)
{
	lo_message_add_string(m, key);
	if (value >= INT32_MIN && value <= INT32_MAX)
		lo_message_add_int32(m, (int32_t)value);
	else
		lo_message_add_int64(m, value);
}

void osc_status_add_float(lo_message m, const char *key, double value)
{
	lo_message_add_string(m, key);
	lo_message_add_float(m, (float)value);
}

void osc_status_add_string(lo_message m, const char *key, const char *value)
{
	lo_message_add_string(m, key);
	lo_message_add_string(m, value);
}

void osc_status_add_xruns(lo_message m, uint64_t xruns)
{
	int64_t count = xruns > INT64_MAX ? INT64_MAX : (int64_t)xruns;
	osc_status_add_int(m, "xruns", count);
	osc_status_add_int(m, "underruns", count); /* deprecated alias: drop at the next format version */
}
