/*
 * The list machinery every collection shares (CONTRACT.md section 8):
 * opaque cursors, next/previous links that carry the request's filters, and
 * the {"count", "next", "previous", "results"} envelope.
 */
#ifndef DROPLINE_API_LIST_H_INTERNAL
#define DROPLINE_API_LIST_H_INTERNAL

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "api/request.h"
#include "store/store_list.h"

#define LIST_DEFAULT_LIMIT 50
#define LIST_MAX_LIMIT	   250
#define LIST_CURSOR_MAX	   64

/*
 * list_cursor_decode() reads a cursor made by list_cursor_encode(). False
 * for anything else.
 */
bool list_cursor_decode(const char *text, page_direction *dir, int64_t *id);

/* True when text is a cursor of a list: the query check of "cursor" parameters. */
bool list_cursor_valid(const char *text);

/* The "limit" and "cursor" parameters every list declares. */
#define LIST_QUERY_PARAMS                                                                          \
	{.name = "limit", .type = QUERY_INTEGER, .min = 1, .max = LIST_MAX_LIMIT},                 \
	{                                                                                          \
		.name = "cursor", .type = QUERY_TEXT, .max_len = LIST_CURSOR_MAX,                  \
		.check = list_cursor_valid, .check_message = "is not a cursor of this list"        \
	}

/* Writes the cursor for a page after (or before) `id` into out. */
void list_cursor_encode(page_direction dir, int64_t id, char out[LIST_CURSOR_MAX]);

/*
 * list_page_start() reads the limit and cursor parameters of the request.
 * A bad cursor refuses the request (400) and returns false.
 */
bool list_page_start(struct api_request *req, struct page_request *page);

/*
 * list_envelope() writes {"count", "next", "previous", "results"} with the
 * results already encoded: texts[i] (compact JSON, as json_dumps() writes
 * them) of the rows whose ids run from first_id to last_id, oldest first;
 * links to the pages after and before when page->more_after/more_before,
 * carrying the request's other parameters. Returns the malloc'd text (its
 * length in *len), or NULL when out of memory. The texts stay the caller's.
 */
char *list_envelope(const struct api_request *req, const struct page *page, int64_t first_id,
		    int64_t last_id, char *const *texts, const size_t *lens, size_t n, size_t *len);

#endif
