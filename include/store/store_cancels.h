/*
 * Cancellations in the store.
 */
#ifndef DROPLINE_STORE_CANCELS_H
#define DROPLINE_STORE_CANCELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "domain/apikey.h"
#include "store/store.h"
#include "store/store_fulfilment.h"
#include "store/store_list.h"

struct cancel_insert {
	int64_t order_id, retailer_id, brand_id;
	int64_t reason_id;
	party_kind canceled_by;
	int64_t canceled_at;
	const struct line_quantity *lines;
	size_t nlines;
};

/* Stores a cancellation and its lines; sets *id. */
store_status store_cancels_insert(store_conn *c, const struct cancel_insert *k, int64_t *id);

struct cancel_filter {
	party_kind party;
	int64_t party_id;
	int64_t cancel_id;	/* one cancellation, 0 for all */
	int64_t order_id;	/* 0 for all */
	int64_t reason_id;	/* 0 for all */
	party_kind canceled_by; /* PARTY_NONE for both */
	int is_acknowledged;	/* -1 for any */
	struct time_bound canceled_at[BOUND_COUNT];
	struct page_request page;
};

/* A page of cancellation records, each with its line records under "lines". */
store_status store_cancels_list(store_conn *c, const struct cancel_filter *f, struct page *page);

/* One cancellation on a party's orders, or STORE_NOT_FOUND. The caller frees *cancel. */
store_status store_cancels_get(store_conn *c, party_kind party, int64_t party_id, int64_t cancel_id,
			       json_t **cancel);

/* Marks a cancellation on a party's order acknowledged; *changed tells whether it was not yet. */
store_status store_cancels_acknowledge(store_conn *c, party_kind party, int64_t party_id,
				       int64_t cancel_id, int64_t now, bool *changed);

/* Attaches to each order record its cancellations (with lines) as "cancels". */
store_status store_cancels_attach(store_conn *c, json_t *orders);

#endif
