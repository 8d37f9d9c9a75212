/*
 * alloc_count — counts heap allocations made by the calling thread while
 * counting is on, by interposing malloc/calloc/realloc/free over glibc's
 * (a test- and bench-only trick: the production binary never links this).
 * C++ operator new calls malloc, so libtorch's allocations are counted too.
 */
#ifndef TERRAIND_ALLOC_COUNT_H
#define TERRAIND_ALLOC_COUNT_H

#include <stddef.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

static __thread int alloc_counting;
static __thread long alloc_count;

void *malloc(size_t n)
{
	if (alloc_counting)
		alloc_count++;
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	if (alloc_counting)
		alloc_count++;
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	if (alloc_counting)
		alloc_count++;
	return __libc_realloc(p, n);
}

void free(void *p)
{
	__libc_free(p);
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
