/*
 * alloc_interpose — replaces malloc, calloc, realloc and free in the test
 * or bench binary that includes it (include it in one file per binary): each
 * call is reported to alloc_observed(), which that file defines, and then
 * handed to glibc's own allocator. C++ operator new calls malloc, so
 * libtorch's allocations are seen too. Test- and bench-only: the production
 * binary never links this.
 *
 * ASan and TSan interpose the allocator themselves and cannot coexist with
 * this: include it only in a build without them.
 */
#ifndef TERRAIND_ALLOC_INTERPOSE_H
#define TERRAIND_ALLOC_INTERPOSE_H

#include <stddef.h>

typedef enum alloc_call { ALLOC_MALLOC, ALLOC_CALLOC, ALLOC_REALLOC, ALLOC_FREE } alloc_call;

static const char *const alloc_call_names[] = {"malloc", "calloc", "realloc", "free"};

/* Defined by the including file; called on the allocating thread, before
 * the call is served. It must not allocate. */
static void alloc_observed(alloc_call call);

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

void *malloc(size_t n)
{
	alloc_observed(ALLOC_MALLOC);
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	alloc_observed(ALLOC_CALLOC);
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	alloc_observed(ALLOC_REALLOC);
	return __libc_realloc(p, n);
}

void free(void *p)
{
	alloc_observed(ALLOC_FREE);
	__libc_free(p);
}

#endif
