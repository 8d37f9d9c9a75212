/*
 * json_scope — cJSON nodes allocated in memory of their own, given back to
 * the system whole when the scope closes.
 *
 * Why: a terrain file holds one number per weight (a rave_bench terrain:
 * 1.7 MB of text, 117 791 numbers), and cJSON makes a node of each: 9.4 MB
 * of small blocks through malloc, freed again once the weights are copied
 * out. The daemon asks glibc never to give freed heap memory back
 * (model_keep_heap: the render thread must never wait on a page fault),
 * so every such parse left 11.9 MB (nodes and text) resident for good,
 * and a swap's parse, beside the terrains, scenes and replies of that
 * moment, raised the heap's high-water mark in steps at swaps no one could
 * foresee (docs/robustness.md, the stage soak). Inside a scope cJSON allocates from
 * a few anonymous mappings instead, unmapped when the scope closes: a
 * parse leaves nothing behind in the heap.
 *
 * Use, on one thread:
 *     json_scope *s = json_scope_open();
 *     cJSON *root = json_parse(text, ...);   ... read it ...
 *     cJSON_Delete(root);                     costs nothing for the scope's nodes
 *     json_scope_close(s);                    the scope's memory goes back
 * Free the tree as always (a node that had to come from malloc, when no
 * mapping could be had, is freed then); memory cJSON returns inside a
 * scope (cJSON_Print's text) is released with cJSON_free, never free().
 * Nothing made in a scope may outlive it or leave its thread. Scopes nest.
 * When no scope can be had, json_scope_open returns NULL and cJSON
 * allocates with malloc as before; json_scope_close(NULL) does nothing.
 *
 * Threads: any non-RT thread; a scope belongs to the thread that opened it.
 */
#ifndef TERRAIND_JSON_SCOPE_H
#define TERRAIND_JSON_SCOPE_H

#include <stddef.h>

typedef struct json_scope json_scope;

/* Opens a scope on this thread: cJSON allocates from it until it closes. */
json_scope *json_scope_open(void);

/* Closes the innermost scope of this thread (s) and unmaps its memory. */
void json_scope_close(json_scope *s);

/* Bytes cJSON has taken from the scope so far (measurements, tests). */
size_t json_scope_bytes(const json_scope *s);

#endif
