/*
 * osc_requests.c — requests the worker carries out (loads, quit), with
 * the checks made before they are queued: who may ask (admin requests),
 * and which file (confined to the allowed directories and opened at once).
 */
#include "osc_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access.h"
#include "atomic_file.h"
#include "osc_looper.h"

/* Hands a request to the worker, which answers /done or /fail when it has
 * finished (loads and training take seconds). */
void osc_submit(osc_call *c, osc_request *req)
{
	req->peer = *c->peer;
	snprintf(req->address, sizeof req->address, "%s", c->address);
	if (c->o->cb.request(c->o->cb.ctx, req) < 0) {
		osc_request_release(req);
		osc_call_fail(c, "busy: other requests are still queued, try again");
	}
}

/* Requests that change files or stop the daemon are for this machine's
 * users: a peer elsewhere on the network needs osc.remote_admin, and, when
 * a password guards TCP, to come through an authenticated TCP session
 * (UDP has no session to authenticate). */
static int admin_refused(osc_call *c)
{
	return osc_admin_refused(c->o, c->peer, c->address);
}

int osc_admin_refused(osc_context *o, const osc_peer *peer, const char *address)
{
	if (access_is_loopback((const struct sockaddr *)&peer->addr, peer->len))
		return 0;
	pthread_mutex_lock(&o->lock);
	int remote_admin = o->config.remote_admin, password = o->config.password[0] != '\0';
	pthread_mutex_unlock(&o->lock);
	if (!remote_admin)
		osc_reply_fail(o, peer, address,
		               "%s is refused to remote peers: set osc.remote_admin to true to allow it", address);
	else if (password && peer->connection == 0)
		osc_reply_fail(
		    o, peer, address,
		    "%s is refused to remote peers over UDP while osc.password is set: send it over TCP after /auth",
		    address);
	else
		return 0;
	return 1;
}

int osc_open_confined(osc_context *o, const char *path, int new_file, const char **name, char *resolved, size_t len,
                      char *why, size_t whylen)
{
	pthread_mutex_lock(&o->lock);
	confine_dirs allowed = config_allowed(&o->config);
	int fd = new_file ? confine_open_dir(&allowed, path, name, resolved, len, why, whylen)
	                  : confine_open(&allowed, path, resolved, len, why, whylen);
	pthread_mutex_unlock(&o->lock);
	return fd;
}

/* A request about a file: `path` is confined to the allowed directories
 * and opened in the same step (an existing file to read, or the directory
 * of one to write), so that the worker reads or writes what was checked
 * and nothing swapped in since. */
void osc_submit_file(osc_call *c, osc_request_type type, const char *path, int new_file, int overwrite)
{
	if (admin_refused(c))
		return;
	osc_request req = {.type = type, .overwrite = overwrite};
	char why[512];
	const char *name;
	req.fd = osc_open_confined(c->o, path, new_file, &name, req.path, sizeof req.path, why, sizeof why);
	if (req.fd < 0)
		osc_call_fail(c, "%s", why);
	else
		osc_submit(c, &req);
}

void osc_queue_load(osc_call *c, osc_request_type type, const char *path)
{
	osc_submit_file(c, type, path, 0, 0);
}

static void queue_request(osc_call *c, osc_request_type type)
{
	if (type != OSC_QUIT) {
		const char *path;
		if (osc_call_string(c, &path) == 0)
			osc_queue_load(c, type, path);
		return;
	}
	if (osc_call_no_arguments(c) < 0)
		return;
	if (admin_refused(c))
		return;
	osc_request req = {.type = type, .fd = -1};
	osc_submit(c, &req);
}

void osc_request_release(const osc_request *req)
{
	if (req->type == OSC_WRITE_TEXT)
		free(req->text);
	if (!osc_request_has_file(req))
		return;
	close(req->fd);
	if (req->type == OSC_LOAD_SCENE)
		close(req->fd2);
}

/* /load/scene MODEL TERRAIN: both confined and opened now, swapped together
 * (a terrain made for another model fails against the playing one, and the
 * model against the playing terrain, when loaded one at a time). */
void osc_handle_load_scene(osc_call *c)
{
	if (c->argc != 2 || !osc_arg_is_string(c->types[0]) || !osc_arg_is_string(c->types[1])) {
		osc_call_fail(c, "expects two strings: the model, then the terrain");
		return;
	}
	if (admin_refused(c))
		return;
	osc_request req = {.type = OSC_LOAD_SCENE};
	char why[512];
	req.fd = osc_open_confined(c->o, (const char *)c->argv[0], 0, NULL, req.path, sizeof req.path, why, sizeof why);
	req.fd2 = req.fd < 0 ? -1
	                     : osc_open_confined(c->o, (const char *)c->argv[1], 0, NULL, req.path2, sizeof req.path2,
	                                         why, sizeof why);
	if (req.fd2 < 0) {
		if (req.fd >= 0)
			close(req.fd);
		osc_call_fail(c, "%s", why);
		return;
	}
	osc_submit(c, &req);
}

void osc_handle_load_model(osc_call *c)
{
	queue_request(c, OSC_LOAD_MODEL);
}

void osc_handle_load_terrain(osc_call *c)
{
	queue_request(c, OSC_LOAD_TERRAIN);
}

void osc_handle_quit(osc_call *c)
{
	queue_request(c, OSC_QUIT);
}

/* A save's text, written where its directory was confined and opened. */
static void write_text(osc_context *o, const osc_request *req)
{
	char why[512];
	const char *name = strrchr(req->path, '/') + 1; /* confined paths are absolute */
	if (atomic_file_write_at(req->fd, name, req->text, req->overwrite, why, sizeof why) == 0) {
		osc_reply_done(o, &req->peer, req->address);
		return;
	}
	if (strstr(why, "already exists"))
		snprintf(why + strlen(why), sizeof why - strlen(why), ": add 1 after the path to replace it");
	osc_reply_fail(o, &req->peer, req->address, "%s", why);
}

int osc_run_file_request(osc_context *o, const osc_request *req)
{
	switch (req->type) {
	case OSC_WRITE_TEXT: write_text(o, req); break;
	case OSC_LOAD_LOOP: osc_looper_load_loop(o, req); break;
	case OSC_LOAD_SESSION: osc_session_load(o, req); break;
	default: return 0;
	}
	osc_request_release(req);
	return 1;
}
