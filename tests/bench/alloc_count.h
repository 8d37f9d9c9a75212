/*
 * alloc_count — counts heap allocations (malloc, calloc, realloc; not
 * free) made by the calling thread while counting is on, through the shared
 * interposition of tests/alloc_interpose.h.
 */
#ifndef TERRAIND_ALLOC_COUNT_H
#define TERRAIND_ALLOC_COUNT_H

#include "../alloc_interpose.h"

static __thread int alloc_counting;
static __thread long alloc_count;

static void alloc_observed(alloc_call call)
{
	if (alloc_counting && call != ALLOC_FREE)
		alloc_count++;
}

static inline void alloc_count_start(void)
{
	alloc_count = 0;
	alloc_counting = 1;
}

static inline long alloc_count_stop(void)
{
	alloc_counting = 0;
	return alloc_count;
}

#endif
