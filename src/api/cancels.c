/*
 * Cancellations: POST, GET lists and single cancellations, and PUT
 * .../acknowledge/ on both sides (CONTRACT.md section 6).
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/line_changes.h"
#include "api/list.h"
#include "api/records.h"
#include "api/representation.h"
#include "domain/timeutil.h"
#include "store/store_cancels.h"

#define ID_MAX			  ((int64_t)9007199254740991)
#define REASON_RETAILER_REQUESTED 1
#define REASON_MAX		  5

static const char *const parties[] = {"retailer", "brand", NULL};

const struct query_param api_cancels_list_query[] = {
	{.name = "is_acknowledged", .type = QUERY_BOOLEAN},
	{.name = "canceled_at", .type = QUERY_EPOCH, .flags = QUERY_RANGE},
	{.name = "order_id", .type = QUERY_INTEGER, .min = 1, .max = ID_MAX},
	{.name = "reason_id", .type = QUERY_INTEGER, .min = 1, .max = REASON_MAX},
	{.name = "canceled_by", .type = QUERY_CHOICE, .choices = parties},
	LIST_QUERY_PARAMS,
	{.name = NULL},
};

static const struct record_kind cancel_kind = {"cancellation", store_cancels_get,
					       cancel_representation};

struct cancel_request {
	int64_t order_id;
	int64_t reason_id;
	bool cancel_remaining;
	struct line_change *changes;
	size_t nchanges;
};

static bool cancel_request_parse(json_t *body, party_kind party, struct cancel_request *r,
				 field_errors *fe)
{
	static const char *const keys[] = {"order_id", "reason_id", "cancel_lines",
					   "cancel_remaining", NULL};
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
	if (validate_integer(body, "reason_id", true, 1, REASON_MAX, true, &p, fe, &r->reason_id) &&
	    party == PARTY_BRAND && r->reason_id == REASON_RETAILER_REQUESTED)
		field_errors_add(fe, "reason_id",
				 "reason 1 (Retailer Requested Cancellation) is the retailer's: a "
				 "brand cancels with reasons 2 to 5");
	json_t *remaining = json_object_get(body, "cancel_remaining");
	bool has_lines = json_object_get(body, "cancel_lines") != NULL;
	if (remaining != NULL && !json_is_boolean(remaining))
		field_errors_add(fe, "cancel_remaining", "must be true or false");
	r->cancel_remaining = json_is_true(remaining);
	if (r->cancel_remaining && has_lines)
		field_errors_add(fe, "cancel_remaining",
				 "send either cancel_lines or cancel_remaining, not both");
	else if (!r->cancel_remaining && !has_lines)
		field_errors_add(fe, "cancel_lines",
				 "is required (or send \"cancel_remaining\": true)");
	else if (has_lines)
		line_changes_parse(body, "cancel_lines", true, fe, &r->changes, &r->nchanges);
	if (p.failed)
		fe->oom = true;
	json_path_free(&p);
	return field_errors_count(fe) == before && !fe->oom;
}

typedef enum {
	REFUSED_NONE,
	REFUSED_ACKNOWLEDGED, /* a retailer, after the brand acknowledged */
	REFUSED_NOTHING_OPEN, /* cancel_remaining on an order with nothing open */
} refusal;

struct create {
	struct cancel_request *in;
	party_kind party;
	int64_t party_id;
	int64_t now;
	field_errors *fe;
	field_errors *conflicts;
	refusal refused;
	int64_t cancel_id;
};

/*
 * One transaction, under the write lock from its start: the order's state
 * (so a racing acknowledgement or shipment is either wholly before or wholly
 * after), the lines named, the open quantities checked, then quantities,
 * statuses and canceled_at written with the cancellation, or nothing.
 */
static store_status create_tx(store_conn *c, void *ctx)
{
	struct create *cc = ctx;
	struct cancel_request *in = cc->in;
	struct order_state order;
	struct line_state *lines = NULL;
	size_t nlines = 0;
	struct line_quantity *inserts = NULL;
	store_status st = store_fulfilment_order(c, cc->party, cc->party_id, in->order_id, &order,
						 &lines, &nlines);
	if (st != STORE_OK)
		return st;
	if (cc->party == PARTY_RETAILER && order.is_acknowledged) {
		cc->refused = REFUSED_ACKNOWLEDGED;
		st = STORE_REJECTED;
		goto out;
	}
	if (in->cancel_remaining) {
		free(in->changes);
		in->changes = NULL;
		if (!line_changes_remaining(lines, nlines, &in->changes, &in->nchanges)) {
			st = STORE_ERROR;
			goto out;
		}
		if (in->nchanges == 0) {
			cc->refused = REFUSED_NOTHING_OPEN;
			st = STORE_REJECTED;
			goto out;
		}
	}
	st = line_changes_settle(c, &order, lines, nlines, in->changes, in->nchanges,
				 "cancel_lines", CHANGE_CANCEL, cc->now, cc->fe, cc->conflicts,
				 &inserts);
	if (st != STORE_OK)
		goto out;
	struct cancel_insert k = {.order_id = order.id,
				  .retailer_id = order.retailer_id,
				  .brand_id = order.brand_id,
				  .reason_id = in->reason_id,
				  .canceled_by = cc->party,
				  .canceled_at = cc->now,
				  .lines = inserts,
				  .nlines = in->nchanges};
	st = store_cancels_insert(c, &k, &cc->cancel_id);
out:
	free(inserts);
	free(lines);
	return st;
}

handler_result api_cancels_create(struct request *req)
{
	struct cancel_request in;
	field_errors fe, conflicts;
	field_errors_init(&fe);
	field_errors_init(&conflicts);
	party_kind party = req->route.route->party;
	if (!cancel_request_parse(req->body, party, &in, &fe)) {
		reply_field_errors(req, "validation_failed", &fe);
		goto out;
	}
	struct create cc = {.in = &in,
			    .party = party,
			    .party_id = request_arg(req, 0),
			    .now = time_now(),
			    .fe = &fe,
			    .conflicts = &conflicts};
	store_status st = store_tx(req->store, "create cancellation", create_tx, &cc);
	if (st == STORE_OK)
		reply_record(req, 201, &cancel_kind, party, cc.party_id, cc.cancel_id);
	else if (st == STORE_NOT_FOUND)
		reply_error(req, 404, "not_found", "no order %lld here", (long long)in.order_id);
	else if (st == STORE_REJECTED && cc.refused == REFUSED_ACKNOWLEDGED)
		reply_error(
			req, 409, "conflict",
			"order %lld was already acknowledged by the brand: a retailer may cancel "
			"only before that; ask the brand to cancel",
			(long long)in.order_id);
	else if (st == STORE_REJECTED && cc.refused == REFUSED_NOTHING_OPEN)
		reply_error(req, 409, "conflict",
			    "order %lld has nothing open to cancel: every unit is shipped or "
			    "canceled",
			    (long long)in.order_id);
	else if (st == STORE_REJECTED)
		reply_line_changes_refused(req, &fe, &conflicts,
					   "more than is open on the order; nothing was canceled");
	else
		reply_store_error(req, st);
out:
	free(in.changes);
	field_errors_free(&fe);
	field_errors_free(&conflicts);
	return HANDLER_OK;
}

handler_result api_cancels_get(struct request *req)
{
	return reply_record_of_route(req, &cancel_kind);
}

struct list {
	struct cancel_filter filter;
	struct page page;
};

static store_status list_read(store_conn *c, void *ctx)
{
	struct list *l = ctx;
	return store_cancels_list(c, &l->filter, &l->page);
}

handler_result api_cancels_list(struct request *req)
{
	struct list l;
	memset(&l, 0, sizeof(l));
	if (!list_page_start(req, &l.filter.page))
		return HANDLER_OK;
	struct cancel_filter *f = &l.filter;
	f->party = req->route.route->party;
	f->party_id = request_arg(req, 0);
	const struct query_value *v = query_find(&req->query, "is_acknowledged", QUERY_OP_EQ);
	f->is_acknowledged = v ? (int)v->number : -1;
	v = query_find(&req->query, "order_id", QUERY_OP_EQ);
	f->order_id = v ? v->number : 0;
	v = query_find(&req->query, "reason_id", QUERY_OP_EQ);
	f->reason_id = v ? v->number : 0;
	v = query_find(&req->query, "canceled_by", QUERY_OP_EQ);
	f->canceled_by = v == NULL ? PARTY_NONE : v->number == 0 ? PARTY_RETAILER : PARTY_BRAND;
	list_time_bounds(req, "canceled_at", f->canceled_at);
	store_status st = store_read(req->store, list_read, &l);
	if (st != STORE_OK)
		reply_store_error(req, st);
	else
		list_reply(req, &l.page, cancel_representation);
	return HANDLER_OK;
}

struct acknowledge {
	party_kind party;
	int64_t party_id;
	int64_t cancel_id;
	int64_t now;
	bool own;
};

/* Only the other side acknowledges: the side that canceled already knows. */
static store_status acknowledge_tx(store_conn *c, void *ctx)
{
	struct acknowledge *a = ctx;
	json_t *rec = NULL;
	store_status st = store_cancels_get(c, a->party, a->party_id, a->cancel_id, &rec);
	if (st != STORE_OK)
		return st;
	const char *by = json_string_value(json_object_get(rec, "canceled_by"));
	a->own = by != NULL && strcmp(by, party_kind_name(a->party)) == 0;
	json_decref(rec);
	if (a->own)
		return STORE_REJECTED;
	bool changed = false;
	return store_cancels_acknowledge(c, a->party, a->party_id, a->cancel_id, a->now, &changed);
}

handler_result api_cancels_acknowledge(struct request *req)
{
	struct acknowledge a = {.party = req->route.route->party,
				.party_id = request_arg(req, 0),
				.cancel_id = request_arg(req, 1),
				.now = time_now()};
	store_status st = store_tx(req->store, "acknowledge cancellation", acknowledge_tx, &a);
	if (st == STORE_OK)
		reply_record(req, 200, &cancel_kind, a.party, a.party_id, a.cancel_id);
	else if (st == STORE_NOT_FOUND)
		reply_error(req, 404, "not_found", "no cancellation %lld here",
			    (long long)a.cancel_id);
	else if (st == STORE_REJECTED)
		reply_error(req, 409, "conflict",
			    "cancellation %lld was made by this %s: the other side acknowledges it",
			    (long long)a.cancel_id, party_kind_name(a.party));
	else
		reply_store_error(req, st);
	return HANDLER_OK;
}
