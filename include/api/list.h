/*
 * The list machinery every collection shares (CONTRACT.md section 8):
 * opaque cursors, next/previous links that carry the request's filters, and
 * the {"count", "next", "previous", "results"} envelope.
 */
#ifndef DROPLINE_API_LIST_H
#define DROPLINE_API_LIST_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "http/request.h"
#include "store/store_orders.h"

#define LIST_DEFAULT_LIMIT 50
#define LIST_MAX_LIMIT 250
#define LIST_CURSOR_MAX 64

/*
 * list_cursor_decode() reads a cursor made by list_cursor_encode(). False
 * for anything else.
 */
bool list_cursor_decode(const char *text, page_direction *dir, int64_t *id);

/* Writes the cursor for a page after (or before) `id` into out. */
void list_cursor_encode(page_direction dir, int64_t id, char out[LIST_CURSOR_MAX]);

/*
 * list_page_start() reads the limit and cursor parameters of the request.
 * A bad cursor adds a field error at "cursor" and returns false.
 */
bool list_page_start(const struct request *req, int64_t *limit, page_direction *dir,
		     int64_t *cursor_id, field_errors *fe);

/*
 * list_envelope() wraps `results` (taken over) with the count and links:
 * next when more_after (a page after last_id), previous when more_before
 * (a page before first_id). Links keep the request's other parameters.
 */
json_t *list_envelope(const struct request *req, int64_t count, json_t *results, bool more_after,
		      int64_t last_id, bool more_before, int64_t first_id);

#endif
