/*
 * Types every list in the store shares: pages, directions, time bounds.
 */
#ifndef DROPLINE_STORE_LIST_TYPES_H
#define DROPLINE_STORE_LIST_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

/* Comparison of a time bound, in the order of query_op's range operators. */
typedef enum { BOUND_LT, BOUND_LTE, BOUND_GT, BOUND_GTE, BOUND_COUNT } bound_op;

struct time_bound {
	bool set;
	int64_t value;
};

typedef enum {
	PAGE_FIRST,  /* from the oldest */
	PAGE_AFTER,  /* ids greater than cursor_id, ascending */
	PAGE_BEFORE, /* ids smaller than cursor_id, the page still answered ascending */
} page_direction;

struct page_request {
	page_direction direction;
	int64_t cursor_id;
	int64_t limit;
};

struct page {
	json_t *rows;	  /* records, oldest first */
	int64_t count;	  /* rows matching the filter, over all pages */
	bool more_after;  /* rows exist after the last one of the page */
	bool more_before; /* rows exist before the first one */
};

#endif
