/*
 * Orders in the store: the lookups that order creation needs, the insert
 * and acknowledgement. Orders are read as records (store/store_records.h).
 */
#ifndef DROPLINE_STORE_ORDERS_H
#define DROPLINE_STORE_ORDERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "domain/apikey.h"
#include "store/store.h"
#include "domain/order.h"

typedef enum {
	VARIANT_BY_ID,
	VARIANT_BY_RETAILER_SKU,
	VARIANT_BY_BRAND_SKU,
	VARIANT_BY_UPC,
} variant_match;

struct resolved_variant {
	int64_t id;
	int64_t brand_id;
	int64_t lead_time_hours;
	variant_match match;
};

/*
 * store_variants_resolve() finds the variant a line names, for `retailer_id`,
 * by the first of id, identifier, upc that is given (CONTRACT.md section 5):
 * an identifier is the retailer's own SKU when it has one, else a brand SKU.
 * Brand SKUs and UPCs are looked up among the brands connected to the
 * retailer first. STORE_NOT_FOUND when nothing matches; STORE_CONFLICT when
 * several connected brands have that SKU or UPC.
 */
store_status store_variants_resolve(store_conn *c, int64_t retailer_id,
				    const struct variant_ref *ref, struct resolved_variant *out);

struct connection_sla {
	int64_t hours_to_acknowledge;
	int64_t hours_to_fulfill;
	int64_t inventory_stale_hours;
};

/* The connection between a retailer and a brand, or STORE_NOT_FOUND. */
store_status store_connections_get(store_conn *c, int64_t retailer_id, int64_t brand_id,
				   struct connection_sla *out);

/*
 * store_shipping_methods_find() finds a carrier's method by code; *allowed
 * tells whether the connection allows it. STORE_NOT_FOUND when no such
 * method exists.
 */
store_status store_shipping_methods_find(store_conn *c, int64_t retailer_id, int64_t brand_id,
					 const char *carrier_code, const char *code, int64_t *id,
					 bool *allowed);

/* A generic shipping method ("Ground") by name, or STORE_NOT_FOUND. */
store_status store_generic_methods_find(store_conn *c, const char *name, int64_t *id);

/* The id of the retailer's order with that purchase order number, or STORE_NOT_FOUND. */
store_status store_orders_find_po(store_conn *c, int64_t retailer_id, const char *po,
				  int64_t *order_id);

struct order_line_insert {
	int64_t variant_id;
	int64_t quantity;
	int64_t net_price_cents;
	int64_t price_cents;
};

struct order_insert {
	int64_t retailer_id, brand_id;
	const char *purchase_order_number;
	const char *customer_order_number; /* may be NULL */
	const char *retailer_order_number; /* may be NULL */
	const struct address *sold_to;	   /* may be NULL */
	const struct address *ship_to;
	int64_t shipping_method_id;	      /* 0 when requested_shipping_method_id is set */
	int64_t requested_shipping_method_id; /* 0 when shipping_method_id is set */
	const char *gift_message;	      /* JSON array text, or NULL */
	int64_t ordered_at, received_at, acknowledge_by, fulfill_by;
	const struct order_line_insert *lines;
	size_t nlines;
};

/*
 * store_orders_insert() stores an order, its addresses and lines (inside
 * the caller's transaction) and sets *order_id. STORE_CONFLICT when the
 * purchase order number is taken.
 */
store_status store_orders_insert(store_conn *c, const struct order_insert *o, int64_t *order_id);

#endif
