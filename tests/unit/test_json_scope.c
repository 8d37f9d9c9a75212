/* Unit tests for json_scope.c: a parse in a scope takes nothing from the
 * heap, and every node is freed where it came from. */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_scope.h"
#include "json_util.h"

enum { NUMBERS = 100000 };

/* A JSON array of NUMBERS numbers, as a terrain's weights are written. */
static char *numbers_text(void)
{
	char *text = malloc((size_t)NUMBERS * 16 + 2), *at = text;
	*at++ = '[';
	for (int i = 0; i < NUMBERS; i++)
		at += sprintf(at, "%s%.6f", i ? "," : "", i * 1e-5);
	strcpy(at, "]");
	return text;
}

static void a_parse_in_a_scope_takes_nothing_from_the_heap(void **state)
{
	(void)state;
	char *text = numbers_text(), err[256];
	/* What the same parse takes from malloc: a node (cJSON's 64 bytes) a number. */
	size_t before = heap_now().in_use;
	cJSON *outside = json_parse(text, err, sizeof err);
	assert_non_null(outside);
	size_t outside_bytes = heap_now().in_use - before;
	cJSON_Delete(outside);

	before = heap_now().in_use;
	json_scope *scope = json_scope_open();
	assert_non_null(scope);
	cJSON *root = json_parse(text, err, sizeof err);
	assert_non_null(root);
	assert_int_equal(cJSON_GetArraySize(root), NUMBERS);
	assert_float_equal(cJSON_GetArrayItem(root, NUMBERS - 1)->valuedouble, (NUMBERS - 1) * 1e-5, 1e-9);
	size_t inside_bytes = heap_now().in_use - before;
	assert_true(json_scope_bytes(scope) >= (size_t)NUMBERS * sizeof(cJSON));
	cJSON_Delete(root);
	json_scope_close(scope);
	/* Gone, all but the scope's own small block, which glibc's per-thread
	 * cache keeps and counts as in use. */
	assert_true(heap_now().in_use <= before + 64);
	print_message("heap taken by a parse of %d numbers: %zu bytes outside a scope, %zu inside\n", NUMBERS,
	              outside_bytes, inside_bytes);
	if (heap_measurable()) {
		assert_true(outside_bytes >= (size_t)NUMBERS * sizeof(cJSON));
		assert_true(inside_bytes < 4096); /* the scope's own few bytes */
	}
	free(text);
}

/* A node from malloc (made before the scope) and one from an outer scope,
 * deleted inside an inner scope: the first goes back to malloc (else the
 * leak checker or the allocator says so), the second is left to its
 * scope (free() on it would abort). */
static void nodes_are_freed_where_they_came_from(void **state)
{
	(void)state;
	cJSON *from_malloc = cJSON_CreateString("before any scope");
	json_scope *outer = json_scope_open();
	cJSON *from_outer = cJSON_CreateString("in the outer scope");
	json_scope *inner = json_scope_open();
	cJSON *from_inner = cJSON_CreateArray();
	cJSON_AddItemToArray(from_inner, cJSON_CreateNumber(1));
	size_t outer_bytes = json_scope_bytes(outer);
	assert_true(json_scope_bytes(inner) > 0);
	cJSON_Delete(from_malloc);
	cJSON_Delete(from_outer);
	cJSON_Delete(from_inner);
	assert_int_equal(json_scope_bytes(outer), outer_bytes); /* the inner scope took the array */
	json_scope_close(inner);
	cJSON *after_inner = cJSON_CreateNumber(2); /* the outer scope is innermost again */
	assert_true(json_scope_bytes(outer) > outer_bytes);
	cJSON_Delete(after_inner);
	json_scope_close(outer);
	cJSON *after = cJSON_CreateNumber(3); /* malloc again: freed by free() */
	cJSON_Delete(after);
	json_scope_close(NULL);
}

/* A file read in a scope is the scope's, text and all. */
static void a_file_read_in_a_scope_is_the_scopes(void **state)
{
	(void)state;
	char *text, err[256];
	json_scope *scope = json_scope_open();
	assert_int_equal(json_read_file("terrains/demo.json", 1 << 24, &text, err, sizeof err), 0);
	assert_true(json_scope_bytes(scope) > strlen(text));
	cJSON *root = json_parse(text, err, sizeof err);
	assert_string_equal(cJSON_GetObjectItem(root, "format")->valuestring, "terraind-terrain");
	cJSON_Delete(root);
	cJSON_free(text);
	json_scope_close(scope);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_parse_in_a_scope_takes_nothing_from_the_heap),
	    cmocka_unit_test(nodes_are_freed_where_they_came_from),
	    cmocka_unit_test(a_file_read_in_a_scope_is_the_scopes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
