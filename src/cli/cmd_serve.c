/*
 * cmd_serve.c — `terraind serve` (and `terraind` alone) and `terraind
 * devices`: the daemon's command line. The configuration is built from the
 * defaults, then the file, then the options (a path that does not fit is an
 * error, never a truncated path), and handed to daemon_run (daemon.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audio.h"
#include "cli_args.h"
#include "commands.h"
#include "config.h"
#include "config_locate.h"
#include "daemon.h"
#include "error.h"
#include "install_dirs.h"
#include "jack_ports.h"
#include "log.h"
#include "path.h"

typedef struct overrides {
	const char *config_path, *bind, *device, *model, *terrain, *record, *log_level, *password;
	int port, tcp_port, tuio_port, period, sample_rate, model_rate, frames_per_call;
	int http_port, http_port_given;
	int explicit_config;
	const char *midi[MIDI_MAX_INPUTS + 1]; /* --midi NAME, each (one more than fits: an error) */
	int n_midi;
} overrides;

/* A path or name given on the command line that does not fit its config
 * field is an error, never a truncated path. */
static int apply_overrides(config *c, const overrides *o, char *err, size_t errlen)
{
#define COPY(field, value, what)                                                                                       \
	if (value && path_copy(c->field, sizeof c->field, value, what, err, errlen) < 0)                               \
	return -1
	COPY(bind, o->bind, "--bind");
	COPY(device, o->device, "--device");
	COPY(model, o->model, "the --model path");
	COPY(terrain, o->terrain, "the --terrain path");
	COPY(record, o->record, "the --record path");
	COPY(password, o->password, "--password");
#undef COPY
	if (o->port)
		c->port = o->port;
	if (o->tcp_port)
		c->tcp_port = o->tcp_port;
	if (o->tuio_port)
		c->tuio_port = o->tuio_port;
	if (o->http_port_given)
		c->http_port = o->http_port;
	if (o->period)
		c->period = o->period;
	if (o->sample_rate)
		c->sample_rate = o->sample_rate;
	/* --model-rate and --frames-per-call win over the file's per-model entries too. */
	for (int i = 0; i < c->n_model_overrides; i++) {
		if (o->model_rate)
			c->model_overrides[i].model_rate = 0;
		if (o->frames_per_call)
			c->model_overrides[i].frames_per_call = 0;
	}
	if (o->model_rate)
		c->model_rate = o->model_rate;
	if (o->frames_per_call)
		c->frames_per_call = o->frames_per_call;
	if (o->log_level)
		log_parse_level(o->log_level, &c->log_level);
	if (o->n_midi) /* --midi names replace the file's midi.inputs */
		c->midi.n_inputs = 0;
	for (int i = 0; i < o->n_midi; i++)
		if (midi_config_add_input(&c->midi, o->midi[i], err, errlen) < 0)
			return -1;
	return 0;
}

/* What the configuration is built from: the command line, and where this
 * installation keeps its configuration and data. */
typedef struct serve_context {
	overrides over;
	install_dirs dirs;
	config_origin origin; /* the file read */
} serve_context;

/* Defaults, then the config file (--config, else the first found:
 * config_locate.h), then the command line; which file was read into
 * `origin`. */
static int build_config(config *c, serve_context *s, config_origin *origin, char *err, size_t errlen)
{
	const overrides *o = &s->over;
	const char *ports[CONFIG_MAX_JACK_PORTS];
	if (config_locate_load(c, o->explicit_config ? o->config_path : NULL, &s->dirs, origin, err, errlen) < 0 ||
	    apply_overrides(c, o, err, errlen) < 0 || config_locate_command_line(c, &s->dirs, err, errlen) < 0)
		return -1;
	for (int i = 0; i < c->n_jack_ports; i++)
		ports[i] = c->jack_ports[i];
	if (jack_ports_check(ports, c->n_jack_ports, err, errlen) < 0)
		return -1;
	return config_validate(c, err, errlen);
}

static const struct option serve_options[] = {{"config", required_argument, NULL, 'c'},
                                              {"port", required_argument, NULL, 'p'},
                                              {"tcp-port", required_argument, NULL, 'P'},
                                              {"tuio-port", required_argument, NULL, 'T'},
                                              {"bind", required_argument, NULL, 'b'},
                                              {"device", required_argument, NULL, 'd'},
                                              {"model", required_argument, NULL, 'm'},
                                              {"terrain", required_argument, NULL, 't'},
                                              {"period", required_argument, NULL, 'n'},
                                              {"rate", required_argument, NULL, 'r'},
                                              {"model-rate", required_argument, NULL, 'M'},
                                              {"frames-per-call", required_argument, NULL, 'F'},
                                              {"record", required_argument, NULL, 'R'},
                                              {"log-level", required_argument, NULL, 'l'},
                                              {"password", required_argument, NULL, 'w'},
                                              {"http-port", required_argument, NULL, 'H'},
                                              {"midi", required_argument, NULL, 'I'},
                                              {"help", no_argument, NULL, 'h'},
                                              {NULL, 0, NULL, 0}};

static const char serve_usage[] =
    "usage: terraind [serve] [--config FILE] [--port N] [--tcp-port N] [--tuio-port N] [--bind ADDR]\n"
    "                [--device NAME|INDEX] [--model M.ts] [--terrain T.json] [--period FRAMES]\n"
    "                [--rate HZ] [--model-rate HZ] [--frames-per-call N] [--record OUT.wav]\n"
    "                [--log-level error|warn|info|debug] [--password WORD] [--http-port N]\n"
    "                [--midi NAME]... (MIDI inputs: port names or parts of them, \"*\" for all)\n"
    "Plays the terrain live; OSC reference in docs/osc.md.\n";

static int parse_serve_option(int c, overrides *o, char *why, size_t whylen)
{
	log_level level;
	switch (c) {
	case 'c': o->config_path = optarg, o->explicit_config = 1; return 0;
	case 'p': return cli_int("--port", optarg, 1, 65535, &o->port, why, whylen);
	case 'P': return cli_int("--tcp-port", optarg, 1, 65535, &o->tcp_port, why, whylen);
	case 'T': return cli_int("--tuio-port", optarg, 1, 65535, &o->tuio_port, why, whylen);
	case 'b': o->bind = optarg; return 0;
	case 'd': o->device = optarg; return 0;
	case 'm': o->model = optarg; return 0;
	case 't': o->terrain = optarg; return 0;
	case 'n': return cli_int("--period", optarg, 16, 8192, &o->period, why, whylen);
	case 'r': return cli_int("--rate", optarg, 8000, 384000, &o->sample_rate, why, whylen);
	case 'M': return cli_int("--model-rate", optarg, 8000, 384000, &o->model_rate, why, whylen);
	case 'F': return cli_int("--frames-per-call", optarg, 1, 64, &o->frames_per_call, why, whylen);
	case 'R': o->record = optarg; return 0;
	case 'I':
		if (o->n_midi < MIDI_MAX_INPUTS + 1)
			o->midi[o->n_midi++] = optarg;
		return 0;
	case 'w': o->password = optarg; return 0;
	case 'H': o->http_port_given = 1; return cli_int("--http-port", optarg, 0, 65535, &o->http_port, why, whylen);
	case 'l':
		o->log_level = optarg;
		if (log_parse_level(optarg, &level) < 0)
			return error_set(why, whylen, "--log-level takes error, warn, info or debug, not '%.40s'",
			                 optarg);
		return 0;
	default: return -1;
	}
}

static int parse_serve_args(int argc, char **argv, overrides *o, char *why, size_t whylen)
{
	*o = (overrides){0};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:p:P:T:b:d:m:t:n:r:M:F:R:l:w:H:I:h", serve_options, NULL)) != -1) {
		if (c == 'h')
			return CLI_HELP;
		if (parse_serve_option(c, o, why, whylen) < 0)
			return CLI_BAD;
	}
	return cli_operands(argc, argv, optind, 0, 0, "", why, whylen);
}

/* daemon_options.reload: the file and the command line again. s->origin
 * stays the file read at start, which /status and the log name: the
 * network thread reads it (daemon_options.config_path) while this runs,
 * so the reload's own origin goes elsewhere. */
static int reload(void *ctx, config *next, char *err, size_t errlen)
{
	serve_context *s = ctx;
	static config_origin now; /* static: large; only the main thread reloads */
	int rc = build_config(next, s, &now, err, errlen);
	if (rc == 0 && strcmp(now.file, s->origin.file) != 0)
		log_info("SIGHUP: now reading %s", now.file[0] ? now.file : "the built-in defaults");
	return rc;
}

int cmd_serve(int argc, char **argv)
{
	static serve_context s; /* static: install_dirs is large, and reload keeps using it */
	config c;
	char err[1024] = "", exe[INSTALL_PATH_MAX], roots[INSTALL_MAX_ROOTS * (INSTALL_PATH_MAX + 1)],
	     web[INSTALL_PATH_MAX + 8];
	int parsed = parse_serve_args(argc, argv, &s.over, err, sizeof err);
	if (parsed != CLI_OK)
		return cli_finish(parsed, err, serve_usage);
	install_env env = install_env_current(exe, sizeof exe);
	if (install_dirs_find(&env, &s.dirs, err, sizeof err) < 0 ||
	    build_config(&c, &s, &s.origin, err, sizeof err) < 0 ||
	    install_dirs_web_root(&s.dirs, web, sizeof web, err, sizeof err) < 0) {
		log_error("%s", err);
		return EXIT_USAGE;
	}
	log_set_level(c.log_level);
	config_print(&c, stdout);
	config_locate_print(&s.origin, &s.dirs, stdout);
	fflush(stdout);
	config_locate_make_user_dirs(&c, &s.dirs);
	config_locate_join_roots(&s.dirs, roots, sizeof roots);
	daemon_options options = {
	    .reload = reload,
	    .reload_ctx = &s,
	    .config_path = s.origin.file,
	    .data_dirs = roots,
	    .web_root = web,
	    .argv = argv - (argc > 0 && strcmp(argv[0], "serve") == 0), /* the whole command line, for a restart */
	};
	return daemon_run(&c, &options);
}

static const char devices_usage[] = "usage: terraind devices\n"
                                    "Lists the audio output devices PortAudio sees; exits 1 when there is none.\n";

static int parse_devices_args(int argc, char **argv, char *why, size_t whylen)
{
	static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	int c = getopt_long(argc, argv, "h", longopts, NULL);
	if (c != -1)
		return c == 'h' ? CLI_HELP : CLI_BAD;
	return cli_operands(argc, argv, optind, 0, 0, "", why, whylen);
}

int cmd_devices(int argc, char **argv)
{
	char err[512] = "";
	int parsed = parse_devices_args(argc, argv, err, sizeof err);
	if (parsed != CLI_OK)
		return cli_finish(parsed, err, devices_usage);
	if (audio_init(err, sizeof err) < 0) {
		log_error("%s", err);
		return EXIT_FAILURE_RUN;
	}
	int n = audio_list_devices(stdout);
	audio_terminate();
	return n > 0 ? EXIT_OK : EXIT_FAILURE_RUN;
}
