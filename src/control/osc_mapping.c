/*
 * osc_mapping.c — addresses mapped in the configuration (TouchOSC and
 * friends): values normalised along their range onto the terrain's bounds,
 * swapped and inverted for portrait layouts, touches as voices.
 */
#include "osc_internal.h"

#include <math.h>
#include <string.h>

#include "log.h"

/* 0..1 values onto the terrain's bounds, axes first .. first+n-1. */
void osc_to_bounds(osc_context *o, int first, float *v, int n)
{
	pthread_mutex_lock(&o->lock);
	for (int k = 0; k < n; k++)
		v[k] = o->bounds_min[first + k] + v[k] * (o->bounds_max[first + k] - o->bounds_min[first + k]);
	pthread_mutex_unlock(&o->lock);
}

/* The decimal number at p (up to 4 digits), with what follows in *rest;
 * -1 when there is none. */
int osc_leading_number(const char *p, const char **rest)
{
	int n = 0, digits = 0;
	while (*p >= '0' && *p <= '9' && digits < 4)
		n = 10 * n + (*p++ - '0'), digits++;
	*rest = p;
	return digits ? n : -1;
}

/* The voice a mapped message moves: the mapping's, or for "voice":
 * "touch" the touch number after the prefix minus 1 (TouchOSC counts
 * touches from 1); *touch_state tells <prefix>N/z apart. -1 after a /fail. */
static int mapped_voice(osc_call *c, const config_mapping *m, int *touch_state)
{
	int voice = m->voice, voices = engine_max_voices(c->o->engine);
	const char *rest = "";
	if (m->voice == MAPPING_VOICE_TOUCH) {
		int prefix = (int)strlen(m->address) - 1;
		voice = osc_leading_number(c->address + prefix, &rest) - 1;
		if (voice < 0 || (*rest && strcmp(rest, "/z") != 0)) {
			osc_call_fail(c, "expects %.*sN or %.*sN/z with a touch number N from 1", prefix, m->address,
			              prefix, m->address);
			return -1;
		}
	}
	*touch_state = *rest != '\0';
	if (voice >= voices) {
		if (m->voice == MAPPING_VOICE_TOUCH)
			osc_call_fail(
			    c, "touch %d has no voice: touches 1 to %d play voices 0 to %d (engine.voices is %d)",
			    voice + 1, voices, voices - 1, voices);
		else
			osc_call_fail(c, "is mapped to voice %d, but engine.voices is %d", voice, voices);
		return -1;
	}
	return voice;
}

/* <prefix>N/z: TouchOSC's touch-down (1) and touch-up (0). The up
 * releases the touch's voice; the down waits for the touch's x y. */
static void handle_touch_state(osc_call *c)
{
	float down;
	if (osc_call_numbers(c, 1, &down, 1, "touch state: 1 down, 0 up") < 0)
		return;
	if (down >= 0.5f) {
		osc_call_done_control(c);
		return;
	}
	control_event ev = {.type = CONTROL_VOICE_OFF};
	osc_send_event(c, &ev);
}

/* Input value -> 0..1 along the mapping's range, inverted if asked. */
static float normalise(const config_mapping *m, int k, float v)
{
	float u = (v - m->in_min[k]) / (m->in_max[k] - m->in_min[k]);
	return m->invert[k] ? 1.0f - u : u;
}

void osc_handle_mapped(osc_call *c, const config_mapping *m)
{
	static const int counts[] = {[MAP_XY] = 2,       [MAP_XYZ] = 3,  [MAP_X] = 1,          [MAP_Y] = 1,
	                             [MAP_PRESSURE] = 1, [MAP_GAIN] = 1, [MAP_LOAD_MODEL] = 1, [MAP_LOAD_TERRAIN] = 1};
	int touch_state;
	if ((c->voice = mapped_voice(c, m, &touch_state)) < 0)
		return;
	if (touch_state) {
		handle_touch_state(c);
		return;
	}
	/* Extra values are ignored: /accxyz sends x y z to an xy mapping. */
	float v[3];
	if (osc_call_numbers(c, -1, v, 3, "as mapped in the config") < 0)
		return;
	if (c->argc < counts[m->to]) {
		osc_call_fail(c, "is mapped to %d value%s, got %d", counts[m->to], counts[m->to] == 1 ? "" : "s",
		              c->argc);
		return;
	}
	if (m->swap) {
		float t = v[0];
		v[0] = v[1];
		v[1] = t;
	}
	int n = counts[m->to];
	for (int k = 0; k < n; k++)
		v[k] = normalise(m, k, v[k]);
	if (m->to == MAP_LOAD_MODEL || m->to == MAP_LOAD_TERRAIN) {
		if (!(v[0] >= 0.5f)) { /* a button's release */
			osc_call_done_control(c);
			return;
		}
		osc_queue_load(c, m->to == MAP_LOAD_MODEL ? OSC_LOAD_MODEL : OSC_LOAD_TERRAIN, m->path);
		return;
	}
	if (m->to == MAP_GAIN) {
		osc_set_gain(c->o, fminf(fmaxf(v[0], 0.0f), 4.0f), -1);
		osc_call_done_control(c);
		return;
	}
	int first = m->to == MAP_Y ? 1 : m->to == MAP_PRESSURE ? 2 : 0;
	if (m->to == MAP_PRESSURE && osc_terrain_dim(c->o) < 3) {
		osc_set_gain(c->o, -1, fminf(fmaxf(v[0], 0.0f), 1.0f));
		osc_call_done_control(c);
		return;
	}
	osc_to_bounds(c->o, first, v, n);
	osc_send_axes(c, first, v, n);
}

int osc_find_mapping(osc_context *o, const char *address, config_mapping *out, int *log_unmapped)
{
	pthread_mutex_lock(&o->lock);
	const config_mapping *m = config_find_mapping(&o->config, address);
	if (m)
		*out = *m;
	*log_unmapped = o->config.log_unmapped;
	pthread_mutex_unlock(&o->lock);
	return m != NULL;
}
