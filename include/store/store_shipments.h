/*
 * Shipments in the store.
 */
#ifndef DROPLINE_STORE_SHIPMENTS_H
#define DROPLINE_STORE_SHIPMENTS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "domain/apikey.h"
#include "store/store.h"
#include "store/store_fulfilment.h"
#include "store/store_list.h"

struct shipment_insert {
	int64_t order_id, retailer_id, brand_id;
	const char *tracking_number;
	int64_t shipping_method_id; /* 0 for none */
	int64_t shipped_at;
	const struct line_quantity *lines;
	size_t nlines;
};

/* Stores a shipment and its lines; sets *id. */
store_status store_shipments_insert(store_conn *c, const struct shipment_insert *s, int64_t *id);

/* Any shipping method by carrier code and code (STORE_NOT_FOUND when none). */
store_status store_shipping_methods_by_code(store_conn *c, const char *carrier_code,
					    const char *code, int64_t *id);

struct shipment_filter {
	party_kind party;
	int64_t party_id;
	int64_t shipment_id; /* one shipment, 0 for all */
	int64_t order_id;    /* 0 for all */
	int is_acknowledged; /* -1 for any */
	struct time_bound shipped_at[BOUND_COUNT];
	struct page_request page;
};

/* A page of shipment records, each with its line records under "lines". */
store_status store_shipments_list(store_conn *c, const struct shipment_filter *f,
				  struct page *page);

/* One shipment of a party, or STORE_NOT_FOUND. The caller frees *shipment. */
store_status store_shipments_get(store_conn *c, party_kind party, int64_t party_id,
				 int64_t shipment_id, json_t **shipment);

/* Marks a retailer's shipment received; *changed tells whether it was not yet. */
store_status store_shipments_acknowledge(store_conn *c, int64_t retailer_id, int64_t shipment_id,
					 int64_t now, bool *changed);

/*
 * Attaches to each order record of `orders` its shipments (with lines) as
 * "shipments". Used for the order representation.
 */
store_status store_shipments_attach(store_conn *c, json_t *orders);

#endif
