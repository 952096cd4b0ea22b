/*
 * Cancellations (CONTRACT.md section 6): POST .../cancels/ and PUT
 * .../cancels/{id}/acknowledge/ on both sides. Reads and lists are the
 * shared api_get and api_list.
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
#include "store/store_cancels.h"

static store_status cancel_may_acknowledge(store_conn *c, struct api_request *req, int64_t id);

const struct resource cancel_resource = {.name = "cancellation",
					 .kind = RECORD_CANCEL,
					 .represent = cancel_representation,
					 .event_kind = "cancel",
					 .may_acknowledge = cancel_may_acknowledge};

static const char *const parties[] = {"retailer", "brand", NULL};

const struct query_param api_cancels_list_query[] = {
	{.name = "is_acknowledged", .type = QUERY_BOOLEAN},
	{.name = "canceled_at", .type = QUERY_EPOCH, .flags = QUERY_RANGE},
	{.name = "order_id", .type = QUERY_INTEGER, .min = 1, .max = SPEC_ID_MAX},
	{.name = "reason_id", .type = QUERY_INTEGER, .min = 1, .max = CANCEL_REASON_MAX},
	{.name = "canceled_by", .type = QUERY_CHOICE, .choices = parties},
	LIST_QUERY_PARAMS,
	{.name = NULL},
};

/* A brand's reasons, and exactly one of cancel_lines and cancel_remaining. */
static void cancel_rules(struct spec_walk *w, json_t *obj, void *out, bool fields_ok)
{
	(void)fields_ok;
	const struct cancel_body *in = out;
	const party_kind *party = spec_context(w);
	if (in->reason_id != 0 && !rules_cancel_reason_allowed(*party, in->reason_id))
		spec_error(w, "reason_id",
			   "reason 1 (Retailer Requested Cancellation) is the retailer's: a brand "
			   "cancels with reasons 2 to 5");
	json_t *lines = json_object_get(obj, "cancel_lines");
	bool has_lines = lines != NULL && !json_is_null(lines);
	if (in->cancel_remaining && has_lines)
		spec_error(w, "cancel_remaining",
			   "send either cancel_lines or cancel_remaining, not both");
	else if (!in->cancel_remaining && !has_lines)
		spec_error(w, "cancel_lines", "is required (or send \"cancel_remaining\": true)");
}

static const struct spec_field cancel_fields[] = {
	{.name = "order_id",
	 .type = SPEC_ID,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct cancel_body, order_id)},
	{.name = "reason_id",
	 .type = SPEC_INTEGER,
	 .flags = SPEC_REQUIRED | SPEC_DIGITS,
	 .offset = offsetof(struct cancel_body, reason_id),
	 .min = 1,
	 .max = CANCEL_REASON_MAX},
	LINE_CHANGES_FIELD("cancel_lines", 0, struct cancel_body, changes, nchanges),
	{.name = "cancel_remaining",
	 .type = SPEC_BOOLEAN,
	 .offset = offsetof(struct cancel_body, cancel_remaining)},
	{.name = NULL},
};
const struct spec cancel_body_spec = {cancel_fields, sizeof(struct cancel_body), cancel_rules};

struct create {
	struct api_request *req;
	struct cancel_body *in;
	party_kind party;
	int64_t party_id;
	int64_t now;
	int64_t cancel_id;
	char *text; /* the cancellation as made: its event's data and the answer */
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
	struct cancel_body *in = cc->in;
	struct order_state order;
	struct line_state *lines = NULL;
	size_t nlines = 0;
	struct line_quantity *inserts = NULL;
	struct line_change *remaining = NULL;
	field_errors fe;
	field_errors_init(&fe);
	store_status st = store_fulfilment_order(c, cc->party, cc->party_id, in->order_id, &order,
						 &lines, &nlines);
	if (st == STORE_NOT_FOUND)
		st = api_reject_missing(cc->req, "order", in->order_id);
	if (st != STORE_OK)
		goto out;
	refusal_code refused = rules_cancel_order(cc->party, &order);
	if (refused != REFUSED_NONE) {
		st = api_reject(cc->req, refused, order.id);
		goto out;
	}
	struct line_change *changes = in->changes;
	size_t n = in->nchanges;
	if (in->cancel_remaining) {
		if (!rules_remaining_changes(lines, nlines, &remaining, &n)) {
			st = STORE_ERROR;
			goto out;
		}
		if (n == 0) {
			st = api_reject(cc->req, REFUSED_NOTHING_OPEN, order.id);
			goto out;
		}
		changes = remaining;
	}
	st = line_changes_settle(cc->req, c, &order, lines, nlines, changes, n, "cancel_lines",
				 CHANGE_CANCEL, REFUSED_CANCEL_NOT_OPEN, cc->now, &fe, &inserts);
	if (st != STORE_OK)
		goto out;
	struct cancel_insert k = {.order_id = order.id,
				  .retailer_id = order.retailer_id,
				  .brand_id = order.brand_id,
				  .reason_id = in->reason_id,
				  .canceled_by = cc->party,
				  .canceled_at = cc->now,
				  .lines = inserts,
				  .nlines = n};
	st = store_cancels_insert(c, &k, &cc->cancel_id);
	if (st == STORE_OK)
		st = api_emit(c, cc->req, "cancel.created", &cancel_resource, cc->cancel_id,
			      &cc->text);
out:
	field_errors_free(&fe);
	free(remaining);
	free(inserts);
	free(lines);
	return st;
}

void api_cancels_create(struct api_request *req)
{
	struct cancel_body in;
	memset(&in, 0, sizeof(in));
	party_kind party = request_party(req);
	if (!api_read_body(req, &cancel_body_spec, &in, &party))
		goto out;
	struct create cc = {.req = req,
			    .in = &in,
			    .party = party,
			    .party_id = request_arg(req, 0),
			    .now = time_now()};
	if (api_tx(req, "create cancellation", create_tx, &cc)) {
		api_text(req, 201, cc.text);
		cc.text = NULL;
	}
	free(cc.text);
out:
	spec_free(&cancel_body_spec, &in);
}

/* Only the other side acknowledges: the side that canceled already knows. */
static store_status cancel_may_acknowledge(store_conn *c, struct api_request *req, int64_t id)
{
	party_kind party = request_party(req), by = PARTY_NONE;
	store_status st = store_cancels_made_by(c, party, request_arg(req, 0), id, &by);
	if (st != STORE_OK)
		return st;
	refusal_code refused = rules_acknowledge_cancel(party, by);
	if (refused == REFUSED_NONE)
		return STORE_OK;
	api_refuse(req, refused)->id = id;
	req->out.refusal.kind = party_kind_name(party);
	return STORE_REJECTED;
}
