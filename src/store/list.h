/*
 * Keyset-paginated lists for every resource, composed from fixed SQL
 * fragments: a condition is "lhs ?N rhs" with its value bound as parameter
 * N, so the same set of filters always gives the same text, and that text
 * is prepared once per connection (store_stmt_sql()). Nothing here ever
 * splices a value into SQL. Internal to src/store/.
 */
#ifndef DROPLINE_STORE_LIST_H
#define DROPLINE_STORE_LIST_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "internal.h"
#include "store/store_list.h"

#define LIST_MAX_CONDS 32

/* One condition: lhs op ?N rhs, e.g. "o.ordered_at" " < " ?3 "". */
struct list_cond {
	const char *lhs;
	const char *op;
	const char *rhs;
	bool is_text;
	int64_t number;
	const char *text;
	bool countable; /* its column is also in the query's counts table */
};

struct list_query {
	const char *select;    /* "SELECT ... FROM orders o JOIN ..." (no WHERE) */
	const char *from;      /* "FROM orders o": for the count and the look-around */
	const char *id_column; /* "o.id" */
	/*
	 * "FROM order_counts o": a table of running counts (column n) with the
	 * same alias and the columns of the countable conditions. When every
	 * condition is countable, the count sums it instead of counting rows.
	 */
	const char *counts_from;
	struct list_cond conds[LIST_MAX_CONDS];
	size_t nconds;
	struct page_request page;
	bool one;      /* a single row by id: no count, no look-around */
	bool overflow; /* more conditions than LIST_MAX_CONDS were added */
};

/*
 * Adds the condition "lhs op ?N rhs" and returns it for its value (number,
 * or is_text and text, which the caller keeps alive until the query ran)
 * and its countable flag. NULL (and the query fails) past LIST_MAX_CONDS.
 */
struct list_cond *list_cond(struct list_query *q, const char *lhs, const char *op, const char *rhs);

/*
 * store_list_run() answers a page: the rows as records, oldest first; the
 * count of all matches; and whether rows exist after and before the page.
 * The caller frees page->rows.
 */
store_status store_list_run(store_conn *c, const struct list_query *q, struct page *page);

/*
 * store_list_children() attaches to each record of `parents` (by its "id")
 * an array `key` of the records `stmt` answers when bound with the JSON
 * array of parent ids at ?1; each child's column `parent_column` (its first
 * or second) names its parent.
 */
store_status store_list_children(store_conn *c, json_t *parents, stmt_id stmt, int parent_column,
				 const char *key);

/*
 * store_list_attach_nested() attaches to each record of `parents` its
 * children as `key` (by `stmt`, parent id in column 1), and to every child
 * its lines as "lines" (by `lines_stmt`, child id in column 1): the
 * shipments or cancellations of a page of orders, in two queries.
 */
store_status store_list_attach_nested(store_conn *c, json_t *parents, stmt_id stmt, const char *key,
				      stmt_id lines_stmt);

#endif
