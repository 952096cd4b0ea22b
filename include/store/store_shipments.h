/*
 * Shipments in the store: the insert, the acknowledgement, and the
 * shipments of a page of orders. They are read as records
 * (store/store_records.h, RECORD_SHIPMENT).
 */
#ifndef DROPLINE_STORE_SHIPMENTS_H
#define DROPLINE_STORE_SHIPMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "store/store.h"
#include "store/store_fulfilment.h"

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

/* Attaches to each order record its shipments (with lines) as "shipments". */
store_status store_shipments_attach(store_conn *c, json_t *orders);

#endif
