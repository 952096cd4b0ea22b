/*
 * Shipments: POST /v1/brands/{id}/shipments/, GET lists and single
 * shipments on both sides, PUT /v1/retailers/{id}/shipments/{id}/acknowledge/.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/line_changes.h"
#include "api/list.h"
#include "api/records.h"
#include "api/representation.h"
#include "domain/timeutil.h"
#include "store/store_shipments.h"

#define ID_MAX	     ((int64_t)9007199254740991)
#define TRACKING_MAX 64

const struct query_param api_shipments_list_query[] = {
	{.name = "is_acknowledged", .type = QUERY_BOOLEAN},
	{.name = "shipped_at", .type = QUERY_EPOCH, .flags = QUERY_RANGE},
	{.name = "order_id", .type = QUERY_INTEGER, .min = 1, .max = ID_MAX},
	LIST_QUERY_PARAMS,
	{.name = NULL},
};

struct shipment_request {
	int64_t order_id;
	const char *tracking_number;
	const char *carrier_code, *method_code; /* NULL when no shipping_method */
	struct line_change *changes;
	size_t nchanges;
};

static bool shipment_request_parse(json_t *body, struct shipment_request *r, field_errors *fe)
{
	static const char *const keys[] = {"order_id", "tracking_number", "shipping_method",
					   "shipment_lines", NULL};
	static const char *const method_keys[] = {"code", "carrier", NULL};
	static const char *const carrier_keys[] = {"code", NULL};
	json_path p;
	json_path_init(&p);
	memset(r, 0, sizeof(*r));
	if (body == NULL || !json_is_object(body)) {
		field_errors_add(fe, "", "the body must be a JSON object");
		return false;
	}
	size_t before = field_errors_count(fe);
	validate_known_keys(body, keys, &p, fe);
	validate_integer(body, "order_id", true, 1, ID_MAX, true, &p, fe, &r->order_id);
	validate_string(body, "tracking_number", true, TRACKING_MAX, &p, fe, &r->tracking_number);
	json_t *method = NULL, *carrier = NULL;
	if (validate_object(body, "shipping_method", false, &p, fe, &method) && method != NULL) {
		size_t saved = json_path_push_key(&p, "shipping_method");
		validate_known_keys(method, method_keys, &p, fe);
		validate_string(method, "code", true, 32, &p, fe, &r->method_code);
		if (validate_object(method, "carrier", true, &p, fe, &carrier) && carrier != NULL) {
			size_t at = json_path_push_key(&p, "carrier");
			validate_known_keys(carrier, carrier_keys, &p, fe);
			validate_string(carrier, "code", true, 32, &p, fe, &r->carrier_code);
			json_path_pop(&p, at);
		}
		json_path_pop(&p, saved);
	}
	if (p.failed)
		fe->oom = true;
	json_path_free(&p);
	line_changes_parse(body, "shipment_lines", true, fe, &r->changes, &r->nchanges);
	return field_errors_count(fe) == before && !fe->oom;
}

struct create {
	const struct shipment_request *in;
	int64_t brand_id;
	int64_t now;
	field_errors *fe;
	field_errors *conflicts;
	bool canceled;
	int64_t shipment_id;
};

/*
 * One transaction: the order's state and lines under the write lock, the
 * lines named, the open quantities checked, then the quantities, statuses,
 * acknowledgement and the shipment written, or nothing.
 */
static store_status create_tx(store_conn *c, void *ctx)
{
	struct create *cc = ctx;
	const struct shipment_request *in = cc->in;
	struct order_state order;
	struct line_state *lines = NULL;
	size_t nlines = 0;
	struct line_quantity *inserts = NULL;
	store_status st = store_fulfilment_order(c, PARTY_BRAND, cc->brand_id, in->order_id, &order,
						 &lines, &nlines);
	if (st != STORE_OK)
		return st;
	if (order.f.status == STATUS_CANCELED) {
		cc->canceled = true;
		st = STORE_REJECTED;
		goto out;
	}
	int64_t method_id = 0;
	if (in->method_code != NULL) {
		st = store_shipping_methods_by_code(c, in->carrier_code, in->method_code,
						    &method_id);
		if (st == STORE_NOT_FOUND)
			field_errors_add(cc->fe, "shipping_method",
					 "carrier '%s' has no shipping method '%s'",
					 in->carrier_code, in->method_code);
		else if (st != STORE_OK)
			goto out;
	}
	/* An unknown method is reported with the lines' problems, in one answer. */
	st = line_changes_settle(c, &order, lines, nlines, in->changes, in->nchanges,
				 "shipment_lines", CHANGE_SHIP, cc->now, cc->fe, cc->conflicts,
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
out:
	free(inserts);
	free(lines);
	return st;
}

static const struct record_kind shipment_kind = {"shipment", store_shipments_get,
						 shipment_representation};

handler_result api_shipments_create(struct request *req)
{
	struct shipment_request in;
	field_errors fe, conflicts;
	field_errors_init(&fe);
	field_errors_init(&conflicts);
	if (!shipment_request_parse(req->body, &in, &fe)) {
		reply_field_errors(req, "validation_failed", &fe);
		goto out;
	}
	struct create cc = {.in = &in,
			    .brand_id = request_arg(req, 0),
			    .now = time_now(),
			    .fe = &fe,
			    .conflicts = &conflicts};
	store_status st = store_tx(req->store, "create shipment", create_tx, &cc);
	if (st == STORE_OK)
		reply_record(req, 201, &shipment_kind, PARTY_BRAND, cc.brand_id, cc.shipment_id);
	else if (st == STORE_NOT_FOUND)
		reply_error(req, 404, "not_found", "no order %lld here", (long long)in.order_id);
	else if (st == STORE_REJECTED && cc.canceled)
		reply_error(req, 409, "conflict", "order %lld is canceled: nothing can be shipped",
			    (long long)in.order_id);
	else if (st == STORE_REJECTED)
		reply_line_changes_refused(req, &fe, &conflicts,
					   "more than is open on the order; nothing was shipped");
	else
		reply_store_error(req, st);
out:
	free(in.changes);
	field_errors_free(&fe);
	field_errors_free(&conflicts);
	return HANDLER_OK;
}

handler_result api_shipments_get(struct request *req)
{
	return reply_record_of_route(req, &shipment_kind);
}

struct list {
	struct shipment_filter filter;
	struct page page;
};

static store_status list_read(store_conn *c, void *ctx)
{
	struct list *l = ctx;
	return store_shipments_list(c, &l->filter, &l->page);
}

handler_result api_shipments_list(struct request *req)
{
	struct list l;
	memset(&l, 0, sizeof(l));
	if (!list_page_start(req, &l.filter.page))
		return HANDLER_OK;
	l.filter.party = req->route.route->party;
	l.filter.party_id = request_arg(req, 0);
	const struct query_value *v = query_find(&req->query, "is_acknowledged", QUERY_OP_EQ);
	l.filter.is_acknowledged = v ? (int)v->number : -1;
	v = query_find(&req->query, "order_id", QUERY_OP_EQ);
	l.filter.order_id = v ? v->number : 0;
	list_time_bounds(req, "shipped_at", l.filter.shipped_at);
	store_status st = store_read(req->store, list_read, &l);
	if (st != STORE_OK)
		reply_store_error(req, st);
	else
		list_reply(req, &l.page, shipment_representation);
	return HANDLER_OK;
}

struct acknowledge {
	int64_t retailer_id;
	int64_t shipment_id;
	int64_t now;
};

static store_status acknowledge_tx(store_conn *c, void *ctx)
{
	struct acknowledge *a = ctx;
	json_t *rec = NULL;
	store_status st =
		store_shipments_get(c, PARTY_RETAILER, a->retailer_id, a->shipment_id, &rec);
	json_decref(rec);
	if (st != STORE_OK)
		return st;
	bool changed = false;
	return store_shipments_acknowledge(c, a->retailer_id, a->shipment_id, a->now, &changed);
}

handler_result api_shipments_acknowledge(struct request *req)
{
	struct acknowledge a = {.retailer_id = request_arg(req, 0),
				.shipment_id = request_arg(req, 1),
				.now = time_now()};
	store_status st = store_tx(req->store, "acknowledge shipment", acknowledge_tx, &a);
	if (st == STORE_OK)
		reply_record(req, 200, &shipment_kind, PARTY_RETAILER, a.retailer_id,
			     a.shipment_id);
	else if (st == STORE_NOT_FOUND)
		reply_error(req, 404, "not_found", "no shipment %lld here",
			    (long long)a.shipment_id);
	else
		reply_store_error(req, st);
	return HANDLER_OK;
}
