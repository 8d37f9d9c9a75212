/*
 * config — the daemon's configuration (config/terraind.json), command-line
 * overrides, and the OSC address mappings (TouchOSC and friends).
 *
 * Strict: an unknown key or a bad value is an error naming the key, so a
 * typo never silently falls back to a default on stage.
 *
 * Threads: non-RT only. A loaded config is copied, never shared mutably.
 */
#ifndef TERRAIND_CONFIG_H
#define TERRAIND_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "access.h"
#include "confine.h"
#include "log.h"
#include "midi_config.h"

enum {
	CONFIG_PATH_MAX = 1024,
	CONFIG_MAX_DIRS = CONFINE_MAX_DIRS,
	CONFIG_MAX_VOICES = 32, /* ENGINE_MAX_VOICES */
	CONFIG_MAX_MAPPINGS = 64,
	CONFIG_ADDRESS_MAX = 128,
	CONFIG_MAX_ALLOW = 32,
	CONFIG_PASSWORD_MAX = 128,
	CONFIG_MAX_MODEL_OVERRIDES = 16,
	CONFIG_MODEL_ID_MAX = 64,
	CONFIG_MAX_JACK_PORTS = 16, /* JACK_PORTS_MAX_TARGETS */
	CONFIG_JACK_PORT_MAX = 320, /* JACK_PORTS_NAME_MAX: jack_port_name_size() */
	CONFIG_JACK_SERVER_MAX = 64,
};

typedef enum mapping_target {
	MAP_XY,           /* two values -> the first two control axes */
	MAP_XYZ,          /* three values -> three axes (accelerometers, stylus) */
	MAP_X,            /* one value -> axis 0 */
	MAP_Y,            /* one value -> axis 1 */
	MAP_PRESSURE,     /* one value -> axis 2 when the terrain has one, else the gain */
	MAP_GAIN,         /* one value -> output gain */
	MAP_LOAD_MODEL,   /* a button: on press (value >= 0.5), load `path` as the model */
	MAP_LOAD_TERRAIN, /* a button: on press, load `path` as the terrain */
} mapping_target;

enum { MAPPING_VOICE_TOUCH = -1 };

typedef struct config_mapping {
	char address[CONFIG_ADDRESS_MAX]; /* exact, or ending in '*' for a prefix */
	mapping_target to;
	int swap;                   /* exchange the first two values (portrait layouts) */
	int invert[3];              /* per value: v -> in_max - (v - in_min) */
	float in_min[3], in_max[3]; /* input range per value, mapped onto the terrain's bounds */
	char path[CONFIG_PATH_MAX]; /* MAP_LOAD_MODEL and MAP_LOAD_TERRAIN: what to load, confined like the /load
	                               requests */
	int voice; /* the voice it moves (0 .. CONFIG_MAX_VOICES-1), or MAPPING_VOICE_TOUCH: the number after the
	              prefix, minus 1 (TouchOSC's multixy touches count from 1; <prefix>N/z 0 releases it) */
} config_mapping;

/* Per-model settings, by model id (the file name without its extension):
 * they win over engine.model_rate and engine.frames_per_call. */
typedef struct config_model_override {
	char id[CONFIG_MODEL_ID_MAX];
	int model_rate;      /* 0 = not overridden */
	int frames_per_call; /* 0 = not overridden */
} config_model_override;

typedef struct config {
	char model[CONFIG_PATH_MAX];
	char terrain[CONFIG_PATH_MAX];
	/* osc */
	int port;
	char bind[64];
	int tcp_port;  /* 0 = no TCP */
	int tuio_port; /* 0 = none; else a second UDP port for TUIO (3333 by convention) */
	int log_unmapped;
	int reply_controls; /* answer /done to every control message (scsynth style); off for controllers that mind */
	/* who may talk (docs/configuration.md, "Access control"): loopback
	 * always; others when a rule matches. Binding beyond loopback needs
	 * at least one rule. */
	int n_allow;
	access_rule allow[CONFIG_MAX_ALLOW];
	int remote_admin;                   /* non-loopback peers may /quit, /load/... and /train/save */
	char password[CONFIG_PASSWORD_MAX]; /* "" = none; else a TCP session starts with /auth <password> */
	/* http: the web surface (docs/web.md) */
	int http_port;                        /* -1 = the OSC port + 1 (the default), 0 = off */
	char http_bind[64];                   /* default 127.0.0.1 */
	char http_token[CONFIG_PASSWORD_MAX]; /* "" = none (loopback only), "auto" = generated at start */
	/* audio */
	char device[256]; /* name substring or index; "" = default output */
	int sample_rate;  /* 0 = the model's rate when the device supports it */
	int period;       /* frames per callback */
	float ring_ms;    /* audio kept ready beyond one latent frame; 0 = auto */
	char record[CONFIG_PATH_MAX];
	char jack_server[CONFIG_JACK_SERVER_MAX]; /* "" = $JACK_DEFAULT_SERVER, else "default" */
	int n_jack_ports;                         /* where the JACK outputs go (jack_ports.h); 0 = PortAudio's choice */
	char jack_ports[CONFIG_MAX_JACK_PORTS][CONFIG_JACK_PORT_MAX];
	/* engine */
	int torch_threads;
	int model_rate;      /* the model's rate when it states none (0 = the device's, as nn~) */
	int frames_per_call; /* latent frames per decode call (0 = the model's default) */
	float smooth_ms;
	float gain;
	int voices;         /* voices sounding at most at once (engine.voices) */
	float release_ms;   /* a released voice's fade */
	float crossfade_ms; /* a swap's crossfade; 0 = auto (at least a latent frame, 50 ms) */
	int shed_voices;    /* release the quietest voice when decoding falls behind */
	int subframe;       /* a cursor move re-decodes the playing frame (engine.subframe) */
	int render_workers; /* threads that decode voices: 0 auto, 1, or 2 (engine.render_workers) */
	log_level log_level;
	int n_allowed_dirs;
	char allowed_dirs[CONFIG_MAX_DIRS][CONFIG_PATH_MAX];
	int n_mappings;
	config_mapping mappings[CONFIG_MAX_MAPPINGS];
	int n_model_overrides;
	config_model_override model_overrides[CONFIG_MAX_MODEL_OVERRIDES];
	midi_config midi; /* the midi section and the MIDI entries of mappings (midi_config.h) */
} config;

void config_defaults(config *c);
/* Applies a JSON text on top of *c; `source` names it in errors. */
int config_parse(config *c, const char *text, const char *source, char *err, size_t errlen);
int config_load(config *c, const char *path, char *err, size_t errlen);
/* Checks values that depend on each other (after overrides). */
int config_validate(const config *c, char *err, size_t errlen);
/* The web surface's port: http.port, the OSC port + 1 by default; 0 = off. */
int config_http_port(const config *c);
void config_print(const config *c, FILE *out);

/* A model's rate and frames per call: its entry in `models`, else the
 * engine's (0 = the model's own). */
void config_model_settings(const config *c, const char *model_id, int *model_rate, int *frames_per_call);

/* The mapping for an OSC address, or NULL. */
const config_mapping *config_find_mapping(const config *c, const char *address);

/* The allowed directories as confine.h takes them (pointers into *c, valid
 * while it is). */
confine_dirs config_allowed(const config *c);

#endif
