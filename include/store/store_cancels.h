/*
 * Cancellations in the store: the insert, the acknowledgement, and the
 * cancellations of a page of orders. They are read as records
 * (store/store_records.h, RECORD_CANCEL).
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

/* Which side made a cancellation on a party's orders; STORE_NOT_FOUND when not its own. */
store_status store_cancels_made_by(store_conn *c, party_kind party, int64_t party_id,
				   int64_t cancel_id, party_kind *by);

/* Attaches to each order record its cancellations (with lines) as "cancels". */
store_status store_cancels_attach(store_conn *c, json_t *orders);

#endif
