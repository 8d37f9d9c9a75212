/*
 * json_scope.c — cJSON's allocations bumped from mappings of a scope's
 * own, so that a large parse never grows the heap (json_scope.h says why).
 */
#include "json_scope.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

/* The first mapping holds a small file's tree; each further one doubles,
 * so a terrain of 11 MB of nodes takes six. Pages are only made resident
 * as cJSON writes them. */
enum { FIRST_CHUNK_BYTES = 256 * 1024, ALIGNMENT = 16 };

typedef struct chunk {
	struct chunk *next; /* the one mapped before it */
	size_t size, used;  /* bytes mapped; bytes handed out, this header included */
} chunk;

struct json_scope {
	json_scope *outer; /* the scope that was innermost when this one opened */
	chunk *chunks;     /* newest first */
	size_t bytes;
};

static _Thread_local json_scope *innermost;

static size_t round_up(size_t n)
{
	return (n + ALIGNMENT - 1) & ~(size_t)(ALIGNMENT - 1);
}

static chunk *map_chunk(size_t request, size_t previous_size)
{
	size_t size = previous_size ? 2 * previous_size : FIRST_CHUNK_BYTES;
	while (size < round_up(sizeof(chunk)) + request)
		size *= 2;
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	chunk *c = p;
	c->size = size;
	c->used = round_up(sizeof(chunk));
	return c;
}

static void *scope_take(json_scope *s, size_t n)
{
	n = round_up(n ? n : 1);
	chunk *c = s->chunks;
	if (!c || c->size - c->used < n) {
		chunk *fresh = map_chunk(n, c ? c->size : 0);
		if (!fresh)
			return malloc(n); /* freed by cJSON_Delete, as outside a scope */
		fresh->next = c;
		s->chunks = c = fresh;
	}
	void *p = (char *)c + c->used;
	c->used += n;
	s->bytes += n;
	return p;
}

static int scope_holds(const json_scope *s, const void *p)
{
	for (const chunk *c = s->chunks; c; c = c->next)
		if ((uintptr_t)p >= (uintptr_t)c && (uintptr_t)p < (uintptr_t)c + c->size)
			return 1;
	return 0;
}

static void *hook_malloc(size_t n)
{
	return innermost ? scope_take(innermost, n) : malloc(n);
}

/* A scope's memory is given back when it closes; anything else came from
 * malloc (before the scope, or when no mapping could be had). */
static void hook_free(void *p)
{
	for (const json_scope *s = innermost; s; s = s->outer)
		if (scope_holds(s, p))
			return;
	free(p);
}

/* Installed before main: cJSON's hooks are one global that every thread
 * reads, so setting them later would race with threads already using
 * cJSON. Outside a scope they are malloc and free, as cJSON's own. */
__attribute__((constructor)) static void install_hooks(void)
{
	cJSON_Hooks hooks = {hook_malloc, hook_free};
	cJSON_InitHooks(&hooks);
}

json_scope *json_scope_open(void)
{
	json_scope *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->outer = innermost;
	innermost = s;
	return s;
}

void json_scope_close(json_scope *s)
{
	if (!s)
		return;
	innermost = s->outer;
	for (chunk *c = s->chunks, *next; c; c = next) {
		next = c->next;
		munmap(c, c->size);
	}
	free(s);
}

size_t json_scope_bytes(const json_scope *s)
{
	return s ? s->bytes : 0;
}
