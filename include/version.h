/*
 * version — terraind's version, one string for the whole program.
 *
 * The VERSION file at the top of the repository is read by the Makefile
 * alone and compiled into version.c; `terraind --version`, `/status`
 * (and through it the web surface), the man page and the Debian package
 * all show this string (tests/e2e/test_install.sh checks that they agree).
 *
 * Threads: any; RT-safe: yes (a constant).
 */
#ifndef TERRAIND_VERSION_H
#define TERRAIND_VERSION_H

/* "0.1.0": the VERSION file's first line. */
const char *terraind_version(void);

#endif
