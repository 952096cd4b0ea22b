/*
 * The request bodies of the resources, as their specs fill them. Each
 * spec is declared in its resource's file; the structs are here so that
 * the fuzz harnesses and tests can check what a body becomes. Internal to
 * src/api/.
 */
#ifndef DROPLINE_API_BODIES_H
#define DROPLINE_API_BODIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "domain/order.h"
#include "domain/rules.h"
#include "domain/spec.h"
#include "parts.h"

/* POST /v1/retailers/{id}/orders/ (orders.c). */
struct order_line_body {
	struct variant_ref variant;
	bool variant_ok; /* well-formed: it can be looked up */
	int64_t quantity;
	int64_t net_price_cents;
	int64_t price_cents;
};

struct requested_body {
	const char *name;
};

struct order_body {
	const char *purchase_order_number;
	const char *customer_order_number;
	const char *retailer_order_number;
	int64_t ordered_at;
	struct address ship_to;
	struct address sold_to;
	bool has_sold_to;
	const json_t *gift_message;
	struct method_body shipping_method;
	bool has_method;
	struct requested_body requested;
	bool has_requested;
	struct order_line_body *lines;
	size_t nlines;
};

extern const struct spec order_body_spec;

/* POST .../cancels/ (cancels.c); the rules hook reads the caller's party_kind as context. */
struct cancel_body {
	int64_t order_id;
	int64_t reason_id;
	bool cancel_remaining;
	struct line_change *changes;
	size_t nchanges;
};

extern const struct spec cancel_body_spec;

/* POST /v1/brands/{id}/shipments/ (shipments.c). */
struct shipment_body {
	int64_t order_id;
	const char *tracking_number;
	struct method_body method;
	bool has_method;
	struct line_change *changes;
	size_t nchanges;
};

extern const struct spec shipment_body_spec;

#endif
