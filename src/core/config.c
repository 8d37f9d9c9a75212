/*
 * config.c — strict JSON configuration. Each section has a table of known
 * keys; anything else is refused with its name, so that "prot": 9000 is an
 * error and not a silent default.
 */
#include "config.h"

#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json_util.h"
#include "path.h"

enum { CONFIG_FILE_MAX_BYTES = 1024 * 1024 };

static const char *const mapping_target_names[] = {"xy",       "xyz",  "x",          "y",
                                                   "pressure", "gain", "load_model", "load_terrain"};
static const int mapping_value_count[] = {2, 3, 1, 1, 1, 1, 1, 1};

void config_defaults(config *c)
{
	memset(c, 0, sizeof *c);
	snprintf(c->model, sizeof c->model, "models/demo.ts");
	snprintf(c->terrain, sizeof c->terrain, "terrains/demo.json");
	c->port = 9000;
	snprintf(c->bind, sizeof c->bind, "127.0.0.1");
	c->http_port = -1;
	snprintf(c->http_bind, sizeof c->http_bind, "127.0.0.1");
	c->reply_controls = 1;
	c->period = 128;
	c->torch_threads = 1;
	c->smooth_ms = 20.0f;
	c->voices = 8;
	c->release_ms = 50.0f;
	c->shed_voices = 1;
	c->subframe = 1;
	c->gain = 1.0f;
	c->log_level = LOG_INFO;
	c->n_allowed_dirs = 2;
	snprintf(c->allowed_dirs[0], CONFIG_PATH_MAX, "models");
	snprintf(c->allowed_dirs[1], CONFIG_PATH_MAX, "terrains");
	midi_config_defaults(&c->midi);
}

static int parse_allow(config *c, const cJSON *allow, char *err, size_t errlen)
{
	if (!cJSON_IsArray(allow) || cJSON_GetArraySize(allow) > CONFIG_MAX_ALLOW)
		return error_set(err, errlen, "'allow' must be an array of at most %d addresses or CIDR ranges",
		                 CONFIG_MAX_ALLOW);
	c->n_allow = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, allow)
	{
		char why[256];
		if (!cJSON_IsString(item))
			return error_set(err, errlen, "allow[%d] must be a string (an address or CIDR range)",
			                 c->n_allow);
		if (access_parse_rule(item->valuestring, &c->allow[c->n_allow], why, sizeof why) < 0)
			return error_set(err, errlen, "allow[%d]: %s", c->n_allow, why);
		c->n_allow++;
	}
	return 0;
}

static int parse_osc(config *c, const cJSON *osc, char *err, size_t errlen)
{
	static const char *const known[] = {"port",  "bind",         "tcp_port", "log_unmapped", "reply_controls",
	                                    "allow", "remote_admin", "password", "tuio_port",    NULL};
	if (!cJSON_IsObject(osc))
		return error_set(err, errlen, "'osc' must be an object");
	if (json_check_keys(osc, known, "osc", err, errlen) < 0 ||
	    json_opt_int(osc, "port", 1, 65535, &c->port, err, errlen) < 0 ||
	    json_opt_string(osc, "bind", c->bind, sizeof c->bind, err, errlen) < 0 ||
	    json_opt_int(osc, "tcp_port", 0, 65535, &c->tcp_port, err, errlen) < 0 ||
	    json_opt_int(osc, "tuio_port", 0, 65535, &c->tuio_port, err, errlen) < 0 ||
	    json_opt_bool(osc, "log_unmapped", &c->log_unmapped, err, errlen) < 0 ||
	    json_opt_bool(osc, "reply_controls", &c->reply_controls, err, errlen) < 0 ||
	    json_opt_bool(osc, "remote_admin", &c->remote_admin, err, errlen) < 0 ||
	    json_opt_string(osc, "password", c->password, sizeof c->password, err, errlen) < 0)
		return -1;
	const cJSON *allow = cJSON_GetObjectItemCaseSensitive(osc, "allow");
	return allow ? parse_allow(c, allow, err, errlen) : 0;
}

static int parse_http(config *c, const cJSON *http, char *err, size_t errlen)
{
	static const char *const known[] = {"port", "bind", "token", NULL};
	if (!cJSON_IsObject(http))
		return error_set(err, errlen, "'http' must be an object");
	if (json_check_keys(http, known, "http", err, errlen) < 0 ||
	    json_opt_int(http, "port", 0, 65535, &c->http_port, err, errlen) < 0 ||
	    json_opt_string(http, "bind", c->http_bind, sizeof c->http_bind, err, errlen) < 0 ||
	    json_opt_string(http, "token", c->http_token, sizeof c->http_token, err, errlen) < 0)
		return -1;
	return 0;
}

static int parse_audio(config *c, const cJSON *audio, char *err, size_t errlen)
{
	static const char *const known[] = {"device", "sample_rate", "period",     "ring_ms",
	                                    "record", "jack_server", "jack_ports", NULL};
	if (!cJSON_IsObject(audio))
		return error_set(err, errlen, "'audio' must be an object");
	if (json_check_keys(audio, known, "audio", err, errlen) < 0 ||
	    json_opt_string(audio, "device", c->device, sizeof c->device, err, errlen) < 0 ||
	    json_opt_int(audio, "sample_rate", 0, 384000, &c->sample_rate, err, errlen) < 0 ||
	    json_opt_int(audio, "period", 16, 8192, &c->period, err, errlen) < 0 ||
	    json_opt_float(audio, "ring_ms", 0, 2000, &c->ring_ms, err, errlen) < 0 ||
	    json_opt_string(audio, "record", c->record, sizeof c->record, err, errlen) < 0 ||
	    json_opt_string(audio, "jack_server", c->jack_server, sizeof c->jack_server, err, errlen) < 0 ||
	    json_opt_strings(audio, "jack_ports", "port names or patterns", CONFIG_MAX_JACK_PORTS, CONFIG_JACK_PORT_MAX,
	                     &c->jack_ports[0][0], &c->n_jack_ports, err, errlen) < 0)
		return -1;
	return 0;
}

static int parse_engine(config *c, const cJSON *engine, char *err, size_t errlen)
{
	static const char *const known[] = {"torch_threads", "smooth_ms",    "gain",           "voices",
	                                    "release_ms",    "crossfade_ms", "model_rate",     "frames_per_call",
	                                    "shed_voices",   "subframe",     "render_workers", NULL};
	if (!cJSON_IsObject(engine))
		return error_set(err, errlen, "'engine' must be an object");
	if (json_check_keys(engine, known, "engine", err, errlen) < 0 ||
	    json_opt_int(engine, "torch_threads", 1, 64, &c->torch_threads, err, errlen) < 0 ||
	    json_opt_int(engine, "model_rate", 0, 384000, &c->model_rate, err, errlen) < 0 ||
	    json_opt_int(engine, "frames_per_call", 0, 64, &c->frames_per_call, err, errlen) < 0 ||
	    json_opt_float(engine, "smooth_ms", 0, 10000, &c->smooth_ms, err, errlen) < 0 ||
	    json_opt_float(engine, "gain", 0, 4, &c->gain, err, errlen) < 0 ||
	    json_opt_int(engine, "voices", 1, CONFIG_MAX_VOICES, &c->voices, err, errlen) < 0 ||
	    json_opt_float(engine, "release_ms", 1, 10000, &c->release_ms, err, errlen) < 0 ||
	    json_opt_float(engine, "crossfade_ms", 0, 5000, &c->crossfade_ms, err, errlen) < 0 ||
	    json_opt_bool(engine, "shed_voices", &c->shed_voices, err, errlen) < 0 ||
	    json_opt_bool(engine, "subframe", &c->subframe, err, errlen) < 0 ||
	    json_opt_int(engine, "render_workers", 0, 2, &c->render_workers, err, errlen) < 0)
		return -1;
	return 0;
}

static int parse_allowed_dirs(config *c, const cJSON *root, char *err, size_t errlen)
{
	return json_opt_strings(root, "allowed_dirs", "directory names", CONFIG_MAX_DIRS, CONFIG_PATH_MAX,
	                        &c->allowed_dirs[0][0], &c->n_allowed_dirs, err, errlen);
}

static int parse_target(const cJSON *m, config_mapping *map, char *err, size_t errlen)
{
	const char *to;
	if (json_get_string(m, "to", &to, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < sizeof mapping_target_names / sizeof mapping_target_names[0]; i++)
		if (strcmp(to, mapping_target_names[i]) == 0) {
			map->to = (mapping_target)i;
			return 0;
		}
	return error_set(err, errlen,
	                 "'to' is \"%s\"; expected xy, xyz, x, y, pressure, gain, load_model or load_terrain", to);
}

/* "range": [lo, hi] for every value, or [[lo, hi], ...] one per value. */
static int parse_range(const cJSON *m, config_mapping *map, int values, char *err, size_t errlen)
{
	const cJSON *range = cJSON_GetObjectItemCaseSensitive(m, "range");
	for (int v = 0; v < 3; v++) {
		map->in_min[v] = 0.0f;
		map->in_max[v] = 1.0f;
	}
	if (!range)
		return 0;
	float pair[2];
	if (cJSON_IsArray(range) && cJSON_IsNumber(cJSON_GetArrayItem(range, 0))) {
		if (json_read_floats(range, 2, pair, "range", err, errlen) < 0)
			return -1;
		for (int v = 0; v < 3; v++) {
			map->in_min[v] = pair[0];
			map->in_max[v] = pair[1];
		}
	} else {
		float rows[3][2];
		if (json_read_matrix(range, values, 2, &rows[0][0], "range", err, errlen) < 0)
			return -1;
		for (int v = 0; v < values; v++) {
			map->in_min[v] = rows[v][0];
			map->in_max[v] = rows[v][1];
		}
	}
	for (int v = 0; v < values; v++)
		if (!(map->in_min[v] != map->in_max[v]))
			return error_set(err, errlen, "range %d is empty (min equals max)", v);
	return 0;
}

static int parse_invert(const cJSON *m, config_mapping *map, int values, char *err, size_t errlen)
{
	const cJSON *inv = cJSON_GetObjectItemCaseSensitive(m, "invert");
	if (!inv)
		return 0;
	if (cJSON_IsBool(inv)) {
		for (int v = 0; v < 3; v++)
			map->invert[v] = cJSON_IsTrue(inv);
		return 0;
	}
	if (!cJSON_IsArray(inv) || cJSON_GetArraySize(inv) != values)
		return error_set(err, errlen, "'invert' must be true/false or an array of %d booleans", values);
	for (int v = 0; v < values; v++) {
		const cJSON *b = cJSON_GetArrayItem(inv, v);
		if (!cJSON_IsBool(b))
			return error_set(err, errlen, "invert[%d] must be true or false", v);
		map->invert[v] = cJSON_IsTrue(b);
	}
	return 0;
}

/* "voice": N (0 .. CONFIG_MAX_VOICES-1) or "touch" (a prefix mapping:
 * the number after the prefix picks the voice). Cursor targets only. */
static int parse_voice(const cJSON *m, config_mapping *map, char *err, size_t errlen)
{
	const cJSON *voice = cJSON_GetObjectItemCaseSensitive(m, "voice");
	if (!voice)
		return 0;
	if (map->to != MAP_XY && map->to != MAP_XYZ && map->to != MAP_X && map->to != MAP_Y)
		return error_set(err, errlen, "'voice' applies only to xy, xyz, x and y");
	if (!cJSON_IsString(voice))
		return json_get_int(m, "voice", 0, CONFIG_MAX_VOICES - 1, &map->voice, err, errlen);
	size_t n = strlen(map->address);
	if (strcmp(voice->valuestring, "touch") != 0)
		return error_set(err, errlen, "'voice' must be a voice number (0 to %d) or \"touch\"",
		                 CONFIG_MAX_VOICES - 1);
	if (map->address[n - 1] != '*')
		return error_set(err, errlen,
		                 "'voice': \"touch\" needs an address ending in '*' (/1/multixy1/*): the touch "
		                 "number follows it");
	map->voice = MAPPING_VOICE_TOUCH;
	return 0;
}

static int parse_mapping(const cJSON *m, config_mapping *map, char *err, size_t errlen)
{
	static const char *const known[] = {"address", "to", "swap", "invert", "range", "path", "voice", NULL};
	if (!cJSON_IsObject(m))
		return error_set(err, errlen, "must be an object");
	memset(map, 0, sizeof *map);
	const char *address;
	if (json_check_keys(m, known, "", err, errlen) < 0 || json_get_string(m, "address", &address, err, errlen) < 0)
		return -1;
	if (address[0] != '/' || strlen(address) >= sizeof map->address)
		return error_set(err, errlen, "'address' must start with '/' and be shorter than %d characters",
		                 CONFIG_ADDRESS_MAX);
	snprintf(map->address, sizeof map->address, "%s", address);
	if (parse_target(m, map, err, errlen) < 0 || json_opt_bool(m, "swap", &map->swap, err, errlen) < 0)
		return -1;
	int values = mapping_value_count[map->to];
	int loads = map->to == MAP_LOAD_MODEL || map->to == MAP_LOAD_TERRAIN;
	if (json_opt_string(m, "path", map->path, sizeof map->path, err, errlen) < 0)
		return -1;
	if (loads != (map->path[0] != '\0'))
		return error_set(err, errlen,
		                 loads ? "'path' is needed by load_model and load_terrain"
		                       : "'path' belongs only to load_model and load_terrain");
	if (map->swap && values < 2)
		return error_set(err, errlen, "'swap' needs a mapping to xy or xyz");
	if (parse_voice(m, map, err, errlen) < 0)
		return -1;
	return parse_invert(m, map, values, err, errlen) < 0 ? -1 : parse_range(m, map, values, err, errlen);
}

static int parse_mappings(config *c, const cJSON *maps, char *err, size_t errlen)
{
	if (!cJSON_IsArray(maps) || cJSON_GetArraySize(maps) > CONFIG_MAX_MAPPINGS)
		return error_set(err, errlen, "'mappings' must be an array of at most %d objects", CONFIG_MAX_MAPPINGS);
	c->n_mappings = 0;
	midi_config_clear_mappings(&c->midi);
	const cJSON *m;
	int i = 0;
	cJSON_ArrayForEach(m, maps)
	{
		char why[256];
		int midi = midi_config_is_mapping(m); /* a MIDI source: midi_config.c reads it */
		if ((midi ? midi_config_parse_mapping(&c->midi, m, why, sizeof why)
		          : parse_mapping(m, &c->mappings[c->n_mappings], why, sizeof why)) < 0)
			return error_set(err, errlen, "mappings[%d]: %s", i, why);
		c->n_mappings += !midi;
		i++;
	}
	return 0;
}

/* "models": {"m2l": {"model_rate": 44100, "frames_per_call": 4}, ...} */
static int parse_model_overrides(config *c, const cJSON *models, char *err, size_t errlen)
{
	static const char *const known[] = {"model_rate", "frames_per_call", NULL};
	if (!cJSON_IsObject(models) || cJSON_GetArraySize(models) > CONFIG_MAX_MODEL_OVERRIDES)
		return error_set(err, errlen, "'models' must be an object of at most %d model ids",
		                 CONFIG_MAX_MODEL_OVERRIDES);
	c->n_model_overrides = 0;
	const cJSON *m;
	cJSON_ArrayForEach(m, models)
	{
		config_model_override *o = &c->model_overrides[c->n_model_overrides];
		memset(o, 0, sizeof *o);
		char why[256];
		if (!cJSON_IsObject(m) || strlen(m->string) >= sizeof o->id)
			return error_set(err, errlen,
			                 "models.%.64s must be an object, and the id shorter than %d characters",
			                 m->string, CONFIG_MODEL_ID_MAX);
		snprintf(o->id, sizeof o->id, "%s", m->string);
		if (json_check_keys(m, known, "models", why, sizeof why) < 0 ||
		    json_opt_int(m, "model_rate", 8000, 384000, &o->model_rate, why, sizeof why) < 0 ||
		    json_opt_int(m, "frames_per_call", 1, 64, &o->frames_per_call, why, sizeof why) < 0)
			return error_set(err, errlen, "models.%s: %s", o->id, why);
		c->n_model_overrides++;
	}
	return 0;
}

void config_model_settings(const config *c, const char *model_id, int *model_rate, int *frames_per_call)
{
	*model_rate = c->model_rate;
	*frames_per_call = c->frames_per_call;
	for (int i = 0; i < c->n_model_overrides; i++)
		if (strcmp(c->model_overrides[i].id, model_id) == 0) {
			if (c->model_overrides[i].model_rate)
				*model_rate = c->model_overrides[i].model_rate;
			if (c->model_overrides[i].frames_per_call)
				*frames_per_call = c->model_overrides[i].frames_per_call;
		}
}

static int parse_root(config *c, const cJSON *root, char *err, size_t errlen)
{
	static const char *const known[] = {"model",        "terrain",  "osc",    "audio", "engine", "log_level",
	                                    "allowed_dirs", "mappings", "models", "http",  "midi",   NULL};
	if (!cJSON_IsObject(root))
		return error_set(err, errlen, "the configuration must be one JSON object");
	if (json_check_keys(root, known, "", err, errlen) < 0 ||
	    json_opt_string(root, "model", c->model, sizeof c->model, err, errlen) < 0 ||
	    json_opt_string(root, "terrain", c->terrain, sizeof c->terrain, err, errlen) < 0)
		return -1;
	const cJSON *item;
	if ((item = cJSON_GetObjectItemCaseSensitive(root, "osc")) && parse_osc(c, item, err, errlen) < 0)
		return -1;
	if ((item = cJSON_GetObjectItemCaseSensitive(root, "audio")) && parse_audio(c, item, err, errlen) < 0)
		return -1;
	if ((item = cJSON_GetObjectItemCaseSensitive(root, "http")) && parse_http(c, item, err, errlen) < 0)
		return -1;
	if ((item = cJSON_GetObjectItemCaseSensitive(root, "engine")) && parse_engine(c, item, err, errlen) < 0)
		return -1;
	if (parse_allowed_dirs(c, root, err, errlen) < 0)
		return -1;
	if ((item = cJSON_GetObjectItemCaseSensitive(root, "mappings")) && parse_mappings(c, item, err, errlen) < 0)
		return -1;
	if ((item = cJSON_GetObjectItemCaseSensitive(root, "midi")) &&
	    midi_config_parse(&c->midi, item, err, errlen) < 0)
		return -1;
	if ((item = cJSON_GetObjectItemCaseSensitive(root, "models")) &&
	    parse_model_overrides(c, item, err, errlen) < 0)
		return -1;
	if ((item = cJSON_GetObjectItemCaseSensitive(root, "log_level")) &&
	    (!cJSON_IsString(item) || log_parse_level(item->valuestring, &c->log_level) < 0))
		return error_set(err, errlen, "'log_level' must be \"error\", \"warn\", \"info\" or \"debug\"");
	return 0;
}

int config_parse(config *c, const char *text, const char *source, char *err, size_t errlen)
{
	char why[512];
	cJSON *root = json_parse(text, why, sizeof why);
	/* Parse into a copy: a bad file leaves the current config untouched
	 * (SIGHUP reloads rely on it). */
	config *next = malloc(sizeof *next);
	int rc = -1;
	if (!next)
		snprintf(why, sizeof why, "out of memory");
	else if (root) {
		*next = *c;
		rc = parse_root(next, root, why, sizeof why);
		if (rc == 0)
			*c = *next;
	}
	free(next);
	cJSON_Delete(root);
	return rc < 0 ? error_set(err, errlen, "%s: %s", source, why) : 0;
}

int config_load(config *c, const char *path, char *err, size_t errlen)
{
	char *text;
	if (json_read_file(path, CONFIG_FILE_MAX_BYTES, &text, err, errlen) < 0)
		return -1;
	int rc = config_parse(c, text, path, err, errlen);
	cJSON_free(text);
	return rc;
}

int config_http_port(const config *c)
{
	return c->http_port < 0 ? (c->port < 65535 ? c->port + 1 : c->port - 1) : c->http_port;
}

/* The web surface: its own port, and a token wherever it reaches beyond
 * this machine (anyone on the network could play, load and quit). */
static int validate_http(const config *c, char *err, size_t errlen)
{
	int port = config_http_port(c);
	if (port == 0)
		return 0;
	/* The default port gives way instead (web_start_configured says so). */
	if (c->http_port > 0 && (port == c->port || port == c->tcp_port || port == c->tuio_port))
		return error_set(err, errlen,
		                 "the web surface's port %d is taken by OSC: set http.port (or --http-port) to "
		                 "another, or 0 for no web surface",
		                 port);
	if (!c->http_token[0] && !access_bind_is_loopback(c->http_bind))
		return error_set(err, errlen,
		                 "binding the web surface to %s reaches beyond this machine: set http.token to a "
		                 "secret (or \"auto\" to have one generated and printed at start), or bind it to "
		                 "127.0.0.1",
		                 c->http_bind);
	return 0;
}

int config_validate(const config *c, char *err, size_t errlen)
{
	if (c->port < 1 || c->port > 65535)
		return error_set(err, errlen, "the OSC port %d is out of range (1 to 65535)", c->port);
	if (c->tcp_port == c->port)
		return error_set(err, errlen, "the TCP port must differ from the UDP port (%d)", c->port);
	if (c->tuio_port == c->port)
		return error_set(err, errlen, "the TUIO port must differ from the OSC port (%d)", c->port);
	for (int i = 0; i < c->n_mappings; i++)
		if (c->mappings[i].voice >= c->voices)
			return error_set(err, errlen,
			                 "mappings[%d] moves voice %d, but engine.voices is %d (voices 0 to %d)", i,
			                 c->mappings[i].voice, c->voices, c->voices - 1);
	if (midi_config_validate(&c->midi, c->voices, err, errlen) < 0)
		return -1;
	if (c->period < 16 || c->period > 8192)
		return error_set(err, errlen, "the audio period %d is out of range (16 to 8192 frames)", c->period);
	if (!c->model[0] || !c->terrain[0])
		return error_set(err, errlen, "a model and a terrain are needed");
	/* Anyone on the network could play, load and quit otherwise. */
	if (c->n_allow == 0 && !access_bind_is_loopback(c->bind))
		return error_set(err, errlen,
		                 "binding OSC to %s reaches beyond this machine: list who may connect in osc.allow "
		                 "(addresses or CIDR ranges, e.g. [\"192.168.0.0/16\"]), or bind 127.0.0.1",
		                 c->bind);
	return validate_http(c, err, errlen);
}

void config_print(const config *c, FILE *out)
{
	fprintf(out, "effective configuration:\n");
	fprintf(out, "  model          %s\n  terrain        %s\n", c->model, c->terrain);
	fprintf(out, "  osc            udp %s:%d%s, tcp %s, replies to controls %s\n", c->bind, c->port,
	        c->log_unmapped ? ", logging unmapped addresses" : "", c->tcp_port ? "on" : "off",
	        c->reply_controls ? "on" : "off");
	if (c->tcp_port)
		fprintf(out, "  osc tcp port   %d%s\n", c->tcp_port, c->password[0] ? ", password required" : "");
	if (c->tuio_port)
		fprintf(out, "  tuio port      %d (udp)\n", c->tuio_port);
	if (config_http_port(c))
		fprintf(out, "  web surface    http %s:%d%s\n", c->http_bind, config_http_port(c),
		        c->http_token[0] ? ", token required" : "");
	fprintf(out, "  osc allow      loopback");
	for (int i = 0; i < c->n_allow; i++) {
		char rule[ACCESS_RULE_TEXT_MAX];
		access_format_rule(&c->allow[i], rule, sizeof rule);
		fprintf(out, " %s", rule);
	}
	fprintf(out, "; admin requests from %s\n", c->remote_admin ? "anyone allowed" : "loopback only");
	fprintf(out, "  audio          device \"%s\", rate %s, period %d, ring %s\n",
	        c->device[0] ? c->device : "default", c->sample_rate ? "fixed" : "model's", c->period,
	        c->ring_ms > 0 ? "fixed" : "auto");
	if (c->sample_rate)
		fprintf(out, "  sample rate    %d Hz\n", c->sample_rate);
	if (c->ring_ms > 0)
		fprintf(out, "  ring           next frame rendered below %.1f ms of audio\n", (double)c->ring_ms);
	if (c->record[0])
		fprintf(out, "  record         %s\n", c->record);
	if (c->jack_server[0])
		fprintf(out, "  jack server    %s\n", c->jack_server);
	for (int i = 0; i < c->n_jack_ports; i++)
		fprintf(out, "  %s%s\n", i ? "               " : "jack ports     ", c->jack_ports[i]);
	fprintf(out, "  engine         %d torch thread(s), smoothing %.1f ms, gain %.2f, %d voices (release %.0f ms)\n",
	        c->torch_threads, (double)c->smooth_ms, (double)c->gain, c->voices, (double)c->release_ms);
	fprintf(out, "  render threads %s\n",
	        c->render_workers == 1   ? "1"
	        : c->render_workers == 2 ? "2 (a second instance of every model that decodes several voices)"
	                                 : "auto (2 when the CPU has two cores and a model's voices need them)");
	if (c->model_rate)
		fprintf(out, "  model rate     %d Hz when the model states none\n", c->model_rate);
	if (c->frames_per_call)
		fprintf(out, "  frames/call    %d latent frames per decode call\n", c->frames_per_call);
	fprintf(out, "  allowed dirs  ");
	for (int i = 0; i < c->n_allowed_dirs; i++)
		fprintf(out, " %s", c->allowed_dirs[i]);
	fprintf(out, "\n");
	midi_config_print(&c->midi, out);
	fprintf(out, "  mappings       %d\n", c->n_mappings);
	for (int i = 0; i < c->n_mappings; i++) {
		const config_mapping *m = &c->mappings[i];
		fprintf(out, "    %-24s -> %s%s", m->address, mapping_target_names[m->to], m->swap ? " (swapped)" : "");
		if (m->voice == MAPPING_VOICE_TOUCH)
			fprintf(out, ", a voice per touch");
		else if (m->voice > 0)
			fprintf(out, ", voice %d", m->voice);
		fprintf(out, "\n");
	}
}

const config_mapping *config_find_mapping(const config *c, const char *address)
{
	for (int i = 0; i < c->n_mappings; i++) {
		const char *pattern = c->mappings[i].address;
		size_t n = strlen(pattern);
		if (n > 0 && pattern[n - 1] == '*' ? strncmp(pattern, address, n - 1) == 0
		                                   : strcmp(pattern, address) == 0)
			return &c->mappings[i];
	}
	return NULL;
}

confine_dirs config_allowed(const config *c)
{
	confine_dirs d = {.n = c->n_allowed_dirs};
	for (int i = 0; i < c->n_allowed_dirs; i++)
		d.dir[i] = c->allowed_dirs[i];
	return d;
}
