/*
 * version.c — see version.h. TERRAIND_VERSION comes from the Makefile
 * (the VERSION file); only this file is rebuilt when it changes.
 */
#include "version.h"

#ifndef TERRAIND_VERSION
#error "TERRAIND_VERSION is set by the Makefile from the VERSION file"
#endif

const char *terraind_version(void)
{
	return TERRAIND_VERSION;
}
