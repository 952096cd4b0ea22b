/*
 * The body of POST /v1/retailers/{id}/orders/, checked field by field
 * (seed 001 "Create a new Order" and CONTRACT.md section 5). Checking needs
 * no store: what depends on the catalog (variants, brand, connection,
 * shipping method) is resolved afterwards in the create transaction.
 */
#ifndef DROPLINE_API_ORDER_INPUT_H
#define DROPLINE_API_ORDER_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "domain/validation.h"
#include "store/store_orders.h"

/* Most lines one order may have. */
#define ORDER_MAX_LINES	       500
#define GIFT_MESSAGE_MAX_LINES 10
#define GIFT_MESSAGE_MAX_CHARS 64

struct order_line_request {
	struct variant_ref variant;
	bool variant_ok; /* the variant object was well-formed: it can be looked up */
	int64_t quantity;
	int64_t net_price_cents;
	int64_t price_cents;
};

/* Strings are borrowed from the JSON body, which must outlive this. */
struct order_request {
	const char *purchase_order_number;
	const char *customer_order_number; /* NULL when absent */
	const char *retailer_order_number; /* NULL when absent */
	int64_t ordered_at;
	bool has_sold_to;
	struct address_insert sold_to;
	struct address_insert ship_to;
	char *gift_message;			/* JSON array text (owned), NULL when absent */
	const char *carrier_code, *method_code; /* shipping_method, or NULL */
	const char *requested_method;		/* requested_shipping_method.name, or NULL */
	struct order_line_request *lines;	/* owned */
	size_t nlines;
};

/*
 * order_request_parse() checks every field of `body` and fills `out`,
 * adding each problem to fe with its JSON path. Returns true when there was
 * none. Free `out` with order_request_free() either way.
 */
bool order_request_parse(json_t *body, struct order_request *out, field_errors *fe);

void order_request_free(struct order_request *r);

/*
 * money_read() reads a money value (string, or number with at most two
 * decimals, not negative) at obj.key; required. Shared with other bodies.
 */
bool money_read(json_t *obj, const char *key, json_path *p, field_errors *fe, int64_t *cents);

/*
 * variant_ref_read() reads a line's "variant" object (id, identifier, upc;
 * at least one). Shared with shipment and cancellation lines.
 */
bool variant_ref_read(json_t *variant, json_path *p, field_errors *fe, struct variant_ref *out);

#endif
