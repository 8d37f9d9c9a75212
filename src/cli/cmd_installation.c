/*
 * cmd_installation.c — `terraind info` without a file: which terraind
 * this is, where it is installed, which configuration `terraind serve`
 * would read (and what it searched), and where the data it plays is.
 */
#include <stdio.h>

#include "commands.h"
#include "config_locate.h"
#include "install_dirs.h"
#include "log.h"
#include "version.h"

int cmd_info_installation(void)
{
	char exe[INSTALL_PATH_MAX], err[1024], web[INSTALL_PATH_MAX + 8];
	install_env env = install_env_current(exe, sizeof exe);
	install_dirs d;
	config c;
	config_origin origin = {0};
	printf("terraind %s\n", terraind_version());
	if (install_dirs_find(&env, &d, err, sizeof err) < 0) {
		log_error("%s", err);
		return EXIT_FAILURE_RUN;
	}
	int rc = config_locate_load(&c, NULL, &d, &origin, err, sizeof err);
	config_locate_print(&origin, &d, stdout);
	if (rc < 0) {
		log_error("%s", err);
		return EXIT_FAILURE_RUN;
	}
	printf("  model          %s\n  terrain        %s\n  allowed dirs  ", c.model, c.terrain);
	for (int i = 0; i < c.n_allowed_dirs; i++)
		printf(" %s", c.allowed_dirs[i]);
	if (install_dirs_web_root(&d, web, sizeof web, err, sizeof err) == 0)
		printf("\n  web surface    %s", web);
	printf("\n");
	return EXIT_OK;
}
