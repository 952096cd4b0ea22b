/*
 * Records of every resource, read the same way: one by id for a party,
 * a keyset page under filters, the stamps that validate cached copies.
 *
 * A record is a JSON object keyed by column name with raw values (epoch
 * seconds, integer cents, 0/1), with its children (lines, shipments ...)
 * as arrays; the API shapes it into the public representation. Each kind
 * declares, inside the store, its select, its scope by party and the
 * filters a list may use by name (src/store/records.c); callers name a
 * filter as the API's query parameter is named.
 */
#ifndef DROPLINE_STORE_RECORDS_H
#define DROPLINE_STORE_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "domain/apikey.h"
#include "store/store.h"
#include "store/store_list.h"

typedef enum {
	RECORD_ORDER,
	RECORD_SHIPMENT,
	RECORD_CANCEL,
	RECORD_CONNECTION,
	RECORD_EVENT,
	RECORD_WEBHOOK,
	RECORD_KIND_COUNT,
} record_kind;

typedef enum {
	FILTER_EQ,
	FILTER_LT,
	FILTER_LTE,
	FILTER_GT,
	FILTER_GTE,
	FILTER_IN, /* text is a JSON array of values */
} filter_op;

/* One condition: the kind's filter `name` compared with a number or a text. */
struct record_cond {
	const char *name;
	filter_op op;
	bool is_text;
	int64_t number;
	const char *text; /* borrowed until the query ran */
};

#define RECORD_MAX_CONDS 24

struct record_filter {
	party_kind party; /* whose records: PARTY_RETAILER or PARTY_BRAND */
	int64_t party_id;
	struct record_cond conds[RECORD_MAX_CONDS];
	size_t nconds;
	struct page_request page;
};

/*
 * Adds a condition; false when the filter is full or the kind has no filter
 * of that name taking that operator (a bug in a route's declaration).
 */
bool record_filter_add(struct record_filter *f, record_kind kind, const struct record_cond *cond);

/* True when records of `kind` can be filtered by `name` with `op`. */
bool store_records_filterable(record_kind kind, const char *name, filter_op op);

/*
 * store_records_stamp() reads the stamp of one record of a party (its
 * version and the catalog's generation); STORE_NOT_FOUND when it is not the
 * party's.
 */
store_status store_records_stamp(store_conn *c, record_kind kind, party_kind party,
				 int64_t party_id, int64_t id, struct record_stamp *stamp);

/* One record of a party with its children; STORE_NOT_FOUND when not its own. */
store_status store_records_get(store_conn *c, record_kind kind, party_kind party, int64_t party_id,
			       int64_t id, json_t **record);

/*
 * store_records_page() answers one page of a filter with only each row's
 * "id" and "version" (oldest first), the count of all matches, whether
 * rows lie before and after, and the catalog's generation: what it takes
 * to tell which representations a cache already holds.
 */
store_status store_records_page(store_conn *c, record_kind kind, const struct record_filter *f,
				struct page *page, int64_t *generation);

/*
 * store_records_fetch() reads the whole records (with children) of a
 * party's `ids` (a JSON array of integers), oldest first. The caller frees
 * *rows.
 */
store_status store_records_fetch(store_conn *c, record_kind kind, party_kind party,
				 int64_t party_id, const char *ids, json_t **rows);

/* Who a record concerns: the parties of its order, and the order. */
struct record_parties {
	int64_t retailer_id;
	int64_t brand_id;
	int64_t order_id;
	char purchase_order_number[33];
};

/*
 * store_records_parties() reads who a record (an order, a shipment, a
 * cancellation) concerns, whoever asks; STORE_NOT_FOUND when there is none.
 */
store_status store_records_parties(store_conn *c, record_kind kind, int64_t id,
				   struct record_parties *out);

/*
 * store_records_acknowledge() marks a party's record acknowledged at `now`
 * (kinds that have an acknowledgement: orders, shipments, cancellations);
 * *changed tells whether it was not yet. A record that is not the party's
 * changes nothing.
 */
store_status store_records_acknowledge(store_conn *c, record_kind kind, party_kind party,
				       int64_t party_id, int64_t id, int64_t now, bool *changed);

#endif
