/*
 * main.c — dispatches subcommands; nothing else.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "model.h"
#include "version.h"

typedef struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} command;

static const command commands[] = {
    {"serve", cmd_serve, "serve [--config F] [--port N] ...   play live, controlled over OSC (the default)"},
    {"devices", cmd_devices, "devices                        list the audio output devices"},
    {"info", cmd_info, "info MODEL.ts|TERRAIN.json     what a model or terrain offers"},
    {"import", cmd_import, "import PRESET.pt -o OUT.json   convert an nn_terrain checkpoint"},
    {"eval", cmd_eval, "eval TERRAIN < coords         latent vectors for coordinates on stdin"},
    {"render", cmd_render, "render --gesture G.json -o OUT.wav   render a gesture offline"},
    {"encode", cmd_encode, "encode --model M AUDIO... -o D.json   encode a corpus into a dataset"},
    {"train", cmd_train, "train D.json -o T.json         fit a terrain to a dataset (libtorch)"},
    {"plot", cmd_plot, "plot T.json -o T.png           picture a terrain (and a dataset's paths)"},
};

static void usage(FILE *out)
{
	fprintf(out, "terraind %s — a latent-terrain synthesiser\n\nusage: terraind COMMAND [ARGS]\n\ncommands:\n",
	        terraind_version());
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %s\n", commands[i].summary);
	fprintf(out, "\nSee README.md and docs/ for the file formats and the OSC reference.\n");
}

int main(int argc, char **argv)
{
	/* Before any thread exists: threads inherit it (POSIX), so every
	 * decode, offline or live, runs with denormals flushed. */
	model_flush_denormals();
	model_keep_heap();
	/* No subcommand, or only options: the daemon. */
	if (argc < 2 || (argv[1][0] == '-' && strcmp(argv[1], "--help") != 0 && strcmp(argv[1], "-h") != 0 &&
	                 strcmp(argv[1], "--version") != 0))
		return cmd_serve(argc, argv);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("terraind %s\n", terraind_version());
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "terraind: unknown command '%s' (try terraind --help)\n", argv[1]);
	return EXIT_USAGE;
}
