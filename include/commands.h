/*
 * commands — the subcommands of the terraind binary. Each takes the
 * arguments after its name (argv[0] is the subcommand) and returns the
 * process exit status. Only these and main.c print to the terminal.
 */
#ifndef TERRAIND_COMMANDS_H
#define TERRAIND_COMMANDS_H

int cmd_info(int argc, char **argv);
/* `terraind info` alone: the version, the installation, the configuration
 * and data in use. */
int cmd_info_installation(void);
int cmd_import(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_devices(int argc, char **argv);
int cmd_encode(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_plot(int argc, char **argv);

/* Exit statuses shared by every command. */
enum { EXIT_OK = 0, EXIT_FAILURE_RUN = 1, EXIT_USAGE = 2 };

#endif
