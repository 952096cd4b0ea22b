/*
 * Shipments (CONTRACT.md section 7): POST /v1/brands/{id}/shipments/ and
 * PUT /v1/retailers/{id}/shipments/{id}/acknowledge/. Reads and lists are
 * the shared api_get and api_list.
 */
#include <stdlib.h>
#include <string.h>

#include "domain/rules.h"
#include "domain/timeutil.h"
#include "bodies.h"
#include "handler.h"
#include "list.h"
#include "parts.h"
#include "representation.h"
#include "store/store_shipments.h"

#define TRACKING_MAX 64

/* Any shipment of the retailer's may be acknowledged. */
const struct resource shipment_resource = {.name = "shipment",
					   .kind = RECORD_SHIPMENT,
					   .represent = shipment_representation,
					   .event_kind = "shipment"};

const struct query_param api_shipments_list_query[] = {
	{.name = "is_acknowledged", .type = QUERY_BOOLEAN},
	{.name = "shipped_at", .type = QUERY_EPOCH, .flags = QUERY_RANGE},
	{.name = "order_id", .type = QUERY_INTEGER, .min = 1, .max = SPEC_ID_MAX},
	LIST_QUERY_PARAMS,
	{.name = NULL},
};

static const struct spec_field shipment_fields[] = {
	{.name = "order_id",
	 .type = SPEC_ID,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct shipment_body, order_id)},
	{.name = "tracking_number",
	 .type = SPEC_TEXT,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct shipment_body, tracking_number),
	 .max = TRACKING_MAX},
	{.name = "shipping_method",
	 .type = SPEC_OBJECT,
	 .flags = SPEC_OK_FLAG,
	 .offset = offsetof(struct shipment_body, method),
	 .ok_offset = offsetof(struct shipment_body, has_method),
	 .object = &method_spec},
	LINE_CHANGES_FIELD("shipment_lines", SPEC_REQUIRED, struct shipment_body, changes,
			   nchanges),
	{.name = NULL},
};
const struct spec shipment_body_spec = {shipment_fields, sizeof(struct shipment_body), NULL};

struct create {
	struct api_request *req;
	const struct shipment_body *in;
	int64_t brand_id;
	int64_t now;
	int64_t shipment_id;
	char *text; /* the shipment as made: its event's data and the answer */
};

/*
 * One transaction: the order's state and lines under the write lock, the
 * lines named, the open quantities checked, then the quantities, statuses,
 * acknowledgement and the shipment written, or nothing.
 */
static store_status create_tx(store_conn *c, void *ctx)
{
	struct create *cc = ctx;
	const struct shipment_body *in = cc->in;
	struct order_state order;
	struct line_state *lines = NULL;
	size_t nlines = 0;
	struct line_quantity *inserts = NULL;
	field_errors fe;
	field_errors_init(&fe);
	store_status st = store_fulfilment_order(c, PARTY_BRAND, cc->brand_id, in->order_id, &order,
						 &lines, &nlines);
	if (st == STORE_NOT_FOUND)
		st = api_reject_missing(cc->req, "order", in->order_id);
	if (st != STORE_OK)
		goto out;
	refusal_code refused = rules_ship_order(&order);
	if (refused != REFUSED_NONE) {
		st = api_reject(cc->req, refused, order.id);
		goto out;
	}
	bool was_acknowledged = order.is_acknowledged;
	int64_t method_id = 0;
	if (in->has_method) {
		st = store_shipping_methods_by_code(c, in->method.carrier.code, in->method.code,
						    &method_id);
		/* An unknown method is answered with the lines' problems, at once. */
		if (st == STORE_NOT_FOUND)
			field_errors_add(&fe, "shipping_method",
					 "carrier '%s' has no shipping method '%s'",
					 in->method.carrier.code, in->method.code);
		else if (st != STORE_OK)
			goto out;
	}
	st = line_changes_settle(cc->req, c, &order, lines, nlines, in->changes, in->nchanges,
				 "shipment_lines", CHANGE_SHIP, REFUSED_SHIP_NOT_OPEN, cc->now, &fe,
				 &inserts);
	if (st != STORE_OK)
		goto out;
	struct shipment_insert s = {.order_id = order.id,
				    .retailer_id = order.retailer_id,
				    .brand_id = order.brand_id,
				    .tracking_number = in->tracking_number,
				    .shipping_method_id = method_id,
				    .shipped_at = cc->now,
				    .lines = inserts,
				    .nlines = in->nchanges};
	st = store_shipments_insert(c, &s, &cc->shipment_id);
	if (st == STORE_OK)
		st = api_emit(c, cc->req, "shipment.created", &shipment_resource, cc->shipment_id,
			      &cc->text);
	/* The first shipment of an order not acknowledged acknowledges it (section 7). */
	if (st == STORE_OK && !was_acknowledged)
		st = api_emit(c, cc->req, "order.acknowledged", &order_resource, order.id, NULL);
out:
	field_errors_free(&fe);
	free(inserts);
	free(lines);
	return st;
}

void api_shipments_create(struct api_request *req)
{
	struct shipment_body in;
	memset(&in, 0, sizeof(in));
	if (!api_read_body(req, &shipment_body_spec, &in, NULL))
		goto out;
	struct create cc = {
		.req = req, .in = &in, .brand_id = request_arg(req, 0), .now = time_now()};
	if (api_tx(req, "create shipment", create_tx, &cc)) {
		api_text(req, 201, cc.text);
		cc.text = NULL;
	}
	free(cc.text);
out:
	spec_free(&shipment_body_spec, &in);
}
