/*
 * pages.c — buffers mapped and unmapped whole (pages.h says why).
 */
#include "pages.h"

#include <sys/mman.h>
#include <unistd.h>

/* The mapping's size, kept in front of the buffer: pages_free needs it. */
typedef union {
	size_t mapped;
	char align[PAGES_ALIGNMENT];
} header;

/* Every page made resident here, on the thread that asks, so that whoever
 * writes the buffer first never faults: by mmap itself where the system
 * offers it (Linux), else by writing a zero into each page. */
#ifndef MAP_POPULATE
#define MAP_POPULATE 0
#endif

static void touch_unpopulated(char *p, size_t bytes)
{
	if (MAP_POPULATE)
		return; /* mmap made them resident */
	long page = sysconf(_SC_PAGESIZE);
	for (size_t at = 0; at < bytes; at += (size_t)page)
		((volatile char *)p)[at] = 0;
}

void *pages_alloc(size_t bytes)
{
	if (bytes > (size_t)-1 / 2)
		return NULL;
	size_t mapped = sizeof(header) + (bytes ? bytes : 1);
	void *p = mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	touch_unpopulated(p, mapped);
	header *h = p;
	h->mapped = mapped;
	return h + 1;
}

void pages_free(void *p)
{
	if (!p)
		return;
	header *h = (header *)p - 1;
	munmap(h, h->mapped);
}
