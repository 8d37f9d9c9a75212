/*
 * pages — zeroed buffers in mappings of their own, given back to the
 * system when freed.
 *
 * For the large buffers that every swap makes and drops (a terrain's
 * weights and panels, a scene's audio buffers). Through malloc, in a heap the daemon never trims
 * (model_keep_heap: the render thread must never wait on a page fault),
 * each swap freed blocks that the next one's, of other sizes or made in
 * another order, did not fit: the heap grew by a terrain's panels at swaps
 * no one could foresee (docs/robustness.md, the stage soak). A mapping of
 * its own leaves no hole behind. Its pages are made resident when it is
 * mapped, so a real-time thread that writes it first never waits on a
 * fault; the mapping's system calls are for non-RT threads.
 *
 * Threads: any non-RT thread.
 */
#ifndef TERRAIND_PAGES_H
#define TERRAIND_PAGES_H

#include <stddef.h>

enum { PAGES_ALIGNMENT = 64 }; /* of every buffer: a cache line, a panel's rows */

/* bytes of zeroes, PAGES_ALIGNMENT-aligned; NULL when out of memory. */
void *pages_alloc(size_t bytes);

/* Unmaps a buffer from pages_alloc; NULL does nothing. */
void pages_free(void *p);

#endif
