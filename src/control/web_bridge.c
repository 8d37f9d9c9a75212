/*
 * web_bridge.c — routing the web surface's OSC packets, the packets the web
 * thread writes itself, and the page's token (see web_bridge.h).
 */
#include "web_bridge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <lo/lo.h>
#include <lo/lo_lowlevel.h>

#include "access.h"
#include "error.h"

static const char picture_address[] = "/web/picture";

/* The packet's address when it is an OSC message with a terminated one
 * (bundles and garbage: NULL, and the dispatcher judges them). */
static const char *message_address(const void *data, size_t size)
{
	const char *text = data;
	if (size < 4 || text[0] != '/' || !memchr(text, '\0', size))
		return NULL;
	return text;
}

static web_route fail_route(char *reason, size_t reason_len, const char *fmt, const char *arg)
{
	snprintf(reason, reason_len, fmt, arg);
	return WEB_ROUTE_FAIL;
}

/* /web/picture c0 or c0 c1 c2: the latent channels, as int32. */
static web_route picture_route(const void *data, size_t size, int channels[3], char *reason, size_t reason_len)
{
	int result = 0;
	void *copy = malloc(size); /* liblo's deserialiser takes a mutable buffer */
	if (!copy)
		return fail_route(reason, reason_len, "%s", "out of memory");
	memcpy(copy, data, size);
	lo_message m = lo_message_deserialise(copy, size, &result);
	free(copy);
	if (!m)
		return fail_route(reason, reason_len, "%s", "malformed OSC message");
	const char *types = lo_message_get_types(m);
	lo_arg **argv = lo_message_get_argv(m);
	const int n = strcmp(types, "i") == 0 ? 1 : strcmp(types, "iii") == 0 ? 3 : 0;
	web_route route = n ? WEB_ROUTE_PICTURE
	                    : fail_route(reason, reason_len, "%s",
	                                 "expected one latent channel (a height map) or three (red, green, blue), "
	                                 "as int32");
	channels[1] = channels[2] = -1;
	for (int k = 0; k < n; k++) {
		int32_t channel; /* liblo's arguments are 4-byte aligned, its union 8: memcpy, as osc.c */
		memcpy(&channel, argv[k], sizeof channel);
		channels[k] = channel;
		if (channels[k] < 0)
			route = fail_route(reason, reason_len, "%s", "latent channels count from 0");
	}
	lo_message_free(m);
	return route;
}

web_route web_bridge_route(const void *data, size_t size, int channels[3], char *address, size_t address_len,
                           char *reason, size_t reason_len)
{
	const char *path = message_address(data, size);
	if (!path || strncmp(path, "/web/", 5) != 0)
		return WEB_ROUTE_OSC;
	snprintf(address, address_len, "%s", path);
	if (strcmp(path, picture_address) == 0)
		return picture_route(data, size, channels, reason, reason_len);
	return fail_route(reason, reason_len, "unknown web surface request %.60s (only /web/picture)", path);
}

unsigned char *web_bridge_fail_packet(const char *address, const char *reason, size_t headroom, size_t *size)
{
	lo_message m = lo_message_new();
	if (!m)
		return NULL;
	lo_message_add_string(m, address);
	lo_message_add_string(m, reason);
	*size = lo_message_length(m, "/fail");
	unsigned char *buffer = malloc(headroom + *size);
	if (buffer)
		lo_message_serialise(m, "/fail", buffer + headroom, size);
	lo_message_free(m);
	return buffer;
}

static unsigned char *put_int32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16), p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
	return p + 4;
}

static unsigned char *put_float(unsigned char *p, float f)
{
	uint32_t bits;
	memcpy(&bits, &f, sizeof bits);
	return put_int32(p, bits);
}

/* OSC strings: NUL-terminated, padded with NULs to a multiple of 4. */
static size_t padded_string_size(size_t length)
{
	return (length + 4) & ~(size_t)3;
}

unsigned char *web_bridge_picture_packet(const web_picture_info *info, int width, int height, const unsigned char *rgb,
                                         size_t headroom, size_t *size)
{
	char types[8 + 2 * TERRAIN_MAX_CONTROL_DIM] = ",iiiii";
	const int dims = info->control_dim;
	for (int d = 0; d < 2 * dims; d++)
		strcat(types, "f");
	strcat(types, "b");
	const size_t address_size = padded_string_size(strlen(picture_address)),
	             types_size = padded_string_size(strlen(types));
	const size_t bytes = (size_t)width * height * 3, padded = (bytes + 3) & ~(size_t)3;
	*size = address_size + types_size + 4 * (5 + 2 * (size_t)dims) + 4 + padded;
	unsigned char *buffer = calloc(1, headroom + *size); /* zeroed: the padding */
	if (!buffer)
		return NULL;
	unsigned char *p = buffer + headroom;
	memcpy(p, picture_address, strlen(picture_address));
	memcpy(p + address_size, types, strlen(types));
	p = put_int32(p + address_size + types_size, (uint32_t)info->version); /* compared for equality only */
	p = put_int32(p, (uint32_t)width);
	p = put_int32(p, (uint32_t)height);
	p = put_int32(p, (uint32_t)dims);
	p = put_int32(p, (uint32_t)info->latent_dim);
	for (int d = 0; d < dims; d++)
		p = put_float(put_float(p, info->bounds_min[d]), info->bounds_max[d]);
	p = put_int32(p, (uint32_t)bytes);
	memcpy(p, rgb, bytes);
	return buffer;
}

unsigned char *web_bridge_labels_packet(const web_picture_info *info, size_t headroom, size_t *size)
{
	static const char address[] = "/web/labels";
	lo_message m = lo_message_new();
	if (!m)
		return NULL;
	lo_message_add_int32(m, (int32_t)info->version);
	for (int i = 0; i < info->n_labels; i++) {
		lo_message_add_string(m, info->labels[i].name);
		lo_message_add_float(m, info->labels[i].at[0]);
		lo_message_add_float(m, info->labels[i].at[1]);
	}
	*size = lo_message_length(m, address);
	unsigned char *buffer = malloc(headroom + *size);
	if (buffer)
		lo_message_serialise(m, address, buffer + headroom, size);
	lo_message_free(m);
	return buffer;
}

int web_token_generate(char *out, size_t len, char *err, size_t errlen)
{
	unsigned char random[16];
	if (len < 2 * sizeof random + 1)
		return error_set(err, errlen, "no room for a token");
	if (getrandom(random, sizeof random, 0) != (ssize_t)sizeof random)
		return error_set(err, errlen, "cannot read random bytes for the web token");
	for (size_t i = 0; i < sizeof random; i++)
		snprintf(out + 2 * i, 3, "%02x", random[i]);
	return 0;
}

/* The host name of "name:port", "[v6]:port" or "name" (into out). */
static void host_name(const char *host, char *out, size_t len)
{
	const char *end = host[0] == '[' ? strchr(host, ']') : strrchr(host, ':');
	if (host[0] == '[')
		host++;
	size_t n = end ? (size_t)(end - host) : strlen(host);
	snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), host);
}

int web_origin_allowed(const char *origin, const char *host, int token_set)
{
	char name[256];
	if (!host || !*host)
		return 0;
	host_name(host, name, sizeof name);
	if (!token_set && !access_bind_is_loopback(name))
		return 0;
	if (!origin)
		return 1;
	const char *site = strstr(origin, "://");
	return site && strcmp(site + 3, host) == 0;
}

int web_token_accepts(const char *expected, const char *given)
{
	if (!expected[0])
		return 1;
	return given && access_password_matches(expected, given);
}
