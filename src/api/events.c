/*
 * Events (CONTRACT.md section 10): every change writes one, in its own
 * transaction (api_emit()); each party reads its feed after an id, waiting
 * up to 30 s for news (a long-poll that holds no thread: the transport
 * parks the request and the API tells it when the party has news); an
 * order's timeline is a list of its events.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/timeutil.h"
#include "handler.h"
#include "domain/text.h"
#include "list.h"
#include "store/store_events.h"
#include "webhooks.h"

#define FEED_DEFAULT_LIMIT 100
#define FEED_MAX_LIMIT	   250
#define FEED_MAX_WAIT	   30
/*
 * A feed read looks at no more of the party's events than this: a filter
 * that matches little answers a short page with a next past what it
 * skipped, instead of scanning a month of events (docs/reliability.md).
 */
#define FEED_SCAN_MAX  10000
#define EVENT_TYPE_MAX 64
/* How many events one announcement reads at a time. */
#define ANNOUNCE_BATCH 1000

/* Every type an event can have (CONTRACT.md section 10). */
static const char *const event_types[] = {
	"order.created",
	"order.acknowledged",
	"order.backordered",
	"order.late_acknowledgement",
	"order.late_fulfillment",
	"cancel.created",
	"cancel.acknowledged",
	"cancel_request.created",
	"cancel_request.accepted",
	"cancel_request.rejected",
	"cancel_request.withdrawn",
	"shipment.created",
	"shipment.acknowledged",
	"invoice.created",
	"invoice.acknowledged",
	"rma.created",
	"rma.approved",
	"rma.rejected",
	"rma.received",
	"credit.created",
	"inventory.updated",
	NULL,
};

/* A type filter: a type, or a kind's prefix "order.*". */
bool api_event_type_filter_valid(const char *text)
{
	size_t n = strlen(text);
	bool prefix = n > 2 && strcmp(text + n - 2, ".*") == 0;
	for (const char *const *t = event_types; *t != NULL; t++) {
		if (prefix ? strncmp(*t, text, n - 1) == 0 : strcmp(*t, text) == 0)
			return true;
	}
	return false;
}

const struct query_param api_events_query[] = {
	{.name = "after", .type = QUERY_INTEGER, .min = 0, .max = SPEC_ID_MAX},
	{.name = "type",
	 .type = QUERY_TEXT,
	 .flags = QUERY_REPEATABLE,
	 .max_len = EVENT_TYPE_MAX,
	 .check = api_event_type_filter_valid,
	 .check_message = "is not an event type, nor a kind's prefix like order.*"},
	{.name = "order_id", .type = QUERY_INTEGER, .min = 1, .max = SPEC_ID_MAX},
	{.name = "limit", .type = QUERY_INTEGER, .min = 1, .max = FEED_MAX_LIMIT},
	{.name = "wait", .type = QUERY_INTEGER, .min = 0, .max = FEED_MAX_WAIT},
	{.name = NULL},
};

const struct query_param api_timeline_query[] = {
	LIST_QUERY_PARAMS,
	{.name = NULL},
};

/* ---- the representation ---------------------------------------------------- */

static json_t *col(json_t *rec, const char *name)
{
	json_t *v = json_object_get(rec, name);
	return json_incref(v ? v : json_null());
}

/* The event as the feed and webhooks show it: its data is the representation stored with it. */
static json_t *event_representation(json_t *rec)
{
	char when[TIME_TEXT_MAX];
	const char *data = json_string_value(json_object_get(rec, "data"));
	json_t *object = data ? json_loads(data, 0, NULL) : NULL;
	if (object == NULL ||
	    time_format_iso8601(json_integer_value(json_object_get(rec, "created_at")), when) ==
		    NULL) {
		json_decref(object);
		return NULL;
	}
	return json_pack("{s:o, s:o, s:s, s:{s:o, s:o, s:o}, s:o, s:o, s:{s:o, s:o}, s:o}", "id",
			 col(rec, "id"), "type", col(rec, "type"), "created_at", when, "actor",
			 "party", col(rec, "actor_party"), "party_id", col(rec, "actor_party_id"),
			 "key_id", col(rec, "actor_key_id"), "order_id", col(rec, "order_id"),
			 "purchase_order_number", col(rec, "purchase_order_number"), "object",
			 "kind", col(rec, "object_kind"), "id", col(rec, "object_id"), "data",
			 object);
}

char *api_event_text(json_t *record)
{
	json_t *e = event_representation(record);
	char *text = e ? json_dumps(e, JSON_COMPACT) : NULL;
	json_decref(e);
	return text;
}

const struct resource event_resource = {
	.name = "event", .kind = RECORD_EVENT, .represent = event_representation};

/* ---- writing ----------------------------------------------------------------- */

store_status api_emit(store_conn *c, struct api_request *req, const char *type,
		      const struct resource *resource, int64_t id, char **text)
{
	struct record_parties parties;
	json_t *record = NULL, *body = NULL;
	char *data = NULL;
	store_status st = store_records_parties(c, resource->kind, id, &parties);
	if (st == STORE_OK)
		st = store_records_get(c, resource->kind, PARTY_BRAND, parties.brand_id, id,
				       &record);
	if (st == STORE_OK) {
		body = resource->represent(record);
		data = body ? json_dumps(body, JSON_COMPACT) : NULL;
		if (data == NULL)
			st = STORE_ERROR;
	}
	if (st == STORE_OK) {
		struct event_insert e = {.type = type,
					 .created_at = time_now(),
					 .actor_party = req->caller.party,
					 .actor_party_id = req->caller.party_id,
					 .actor_key_id = req->caller.key_id,
					 .actor_client_id = req->caller.client_id,
					 .retailer_id = parties.retailer_id,
					 .brand_id = parties.brand_id,
					 .order_id = parties.order_id,
					 .purchase_order_number = parties.purchase_order_number,
					 .object_kind = resource->event_kind,
					 .object_id = id,
					 .data = data};
		int64_t event_id = 0;
		st = store_events_insert(c, &e, &event_id);
	}
	if (st == STORE_OK && text != NULL) {
		*text = data;
		data = NULL;
	}
	free(data);
	json_decref(body);
	json_decref(record);
	return st == STORE_NOT_FOUND ? STORE_ERROR : st;
}

/* ---- announcing what commits made -------------------------------------------- */

/* The parties one announcement has told already (a batch touches few). */
struct told {
	struct api *app;
	int64_t parties[64][2];
	size_t n;
	bool everyone; /* told everyone at once: the rest need no telling */
};

static void tell(struct told *t, party_kind party, int64_t id)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->parties[i][0] == party && t->parties[i][1] == id)
			return;
	if (t->everyone)
		return;
	if (t->n == sizeof(t->parties) / sizeof(t->parties[0])) {
		/* More parties than one announcement tracks: wake every long-poll once. */
		t->everyone = true;
		t->app->listener(PARTY_RETAILER, 0, t->app->listener_ctx);
		return;
	}
	t->parties[t->n][0] = party;
	t->parties[t->n][1] = id;
	t->n++;
	t->app->listener(party, id, t->app->listener_ctx);
}

static void tell_parties(int64_t retailer_id, int64_t brand_id, void *ctx)
{
	struct told *t = ctx;
	if (retailer_id > 0)
		tell(t, PARTY_RETAILER, retailer_id);
	tell(t, PARTY_BRAND, brand_id);
}

static store_status last_read(store_conn *c, void *ctx)
{
	return store_events_last_id(c, ctx);
}

struct announce {
	struct api *app;
	struct told *told;
	int64_t last;
};

static store_status parties_read(store_conn *c, void *ctx)
{
	struct announce *a = ctx;
	return store_events_parties_after(c, a->app->events_announced, ANNOUNCE_BATCH, tell_parties,
					  a->told, &a->last);
}

void api_events_announce(struct api *app)
{
	webhook_engine_committed(app->webhook_engine);
	pthread_mutex_lock(&app->events_lock);
	int64_t newest = 0;
	if (store_read(app->store, last_read, &newest) == STORE_OK &&
	    newest > app->events_announced) {
		atomic_fetch_add(&app->events_written,
				 (uint_fast64_t)(newest - app->events_announced));
		/* The sequence moves before anyone is told (api/api.h). */
		atomic_fetch_add(&app->events_seq, 1);
		struct told told = {.app = app};
		while (app->listener != NULL && app->events_announced < newest) {
			struct announce a = {.app = app, .told = &told};
			if (store_read(app->store, parties_read, &a) != STORE_OK ||
			    a.last == app->events_announced)
				break;
			app->events_announced = a.last;
		}
		app->events_announced = newest;
	}
	pthread_mutex_unlock(&app->events_lock);
}

/* ---- reading the feed -------------------------------------------------------- */

/* The query's type filters as JSON arrays of exact types and of prefixes. */
static bool type_filters(const struct query *q, char **types, char **prefixes)
{
	json_t *exact = json_array(), *prefix = json_array();
	bool ok = exact != NULL && prefix != NULL;
	for (size_t i = 0; ok && i < q->count; i++) {
		const struct query_value *v = &q->values[i];
		if (strcmp(v->param->name, "type") != 0)
			continue;
		size_t n = strlen(v->text);
		if (n > 2 && strcmp(v->text + n - 2, ".*") == 0)
			ok = json_array_append_new(prefix, json_stringn(v->text, n - 1)) == 0;
		else
			ok = json_array_append_new(exact, json_string(v->text)) == 0;
	}
	*types = *prefixes = NULL;
	bool any = json_array_size(exact) + json_array_size(prefix) > 0;
	if (ok && any) {
		*types = json_dumps(exact, JSON_COMPACT);
		*prefixes = json_dumps(prefix, JSON_COMPACT);
		ok = *types != NULL && *prefixes != NULL;
	}
	json_decref(exact);
	json_decref(prefix);
	return ok;
}

static int64_t query_number(const struct query *q, const char *name, int64_t absent)
{
	const struct query_value *v = query_find(q, name, QUERY_OP_EQ);
	return v ? v->number : absent;
}

struct feed_read {
	struct api_request *req;
	struct event_feed feed;
	json_t *rows;
};

static store_status feed_read_tx(store_conn *c, void *ctx)
{
	struct feed_read *f = ctx;
	int64_t pruned = 0;
	store_status st = store_events_pruned_through(c, &pruned);
	if (st != STORE_OK)
		return st;
	if (f->feed.after < pruned) {
		struct refusal *r = api_refuse(f->req, REFUSED_EVENTS_EXPIRED);
		r->id = f->feed.after;
		r->number = pruned;
		return STORE_REJECTED;
	}
	return store_events_feed(c, &f->feed, &f->rows);
}

/* The link to the next page: the same request after `after`. */
static char *next_link(const struct api_request *req, int64_t after)
{
	struct text t = {0};
	text_add_str(&t, req->path);
	if (t.len == 0 || t.s[t.len - 1] != '/')
		text_add_str(&t, "/");
	char number[32];
	snprintf(number, sizeof(number), "?after=%lld", (long long)after);
	text_add_str(&t, number);
	for (size_t i = 0; i < req->query.count; i++) {
		const struct query_value *v = &req->query.values[i];
		if (strcmp(v->param->name, "after") == 0)
			continue;
		text_add_str(&t, "&");
		text_add_str(&t, v->param->name);
		text_add_str(&t, "=");
		/* Values are checked: types, numbers, nothing that needs escaping. */
		text_add_str(&t, v->text);
	}
	if (t.failed) {
		text_free(&t);
		return NULL;
	}
	return t.s;
}

static void feed_answer(struct api_request *req, const struct feed_read *f)
{
	json_t *results = json_array();
	/* A short page examined every event up to scanned_through: next starts there. */
	int64_t last = (int64_t)json_array_size(f->rows) < f->feed.limit ? f->feed.scanned_through
									 : f->feed.after;
	size_t i;
	json_t *rec;
	json_array_foreach(f->rows, i, rec)
	{
		json_t *e = event_representation(rec);
		if (e == NULL || results == NULL || json_array_append_new(results, e) != 0) {
			json_decref(results);
			api_reject(req, REFUSED_INTERNAL, 0);
			return;
		}
		int64_t id = json_integer_value(json_object_get(rec, "id"));
		if (id > last)
			last = id;
	}
	char *next = next_link(req, last);
	json_t *body =
		next && results ? json_pack("{s:o, s:s}", "results", results, "next", next) : NULL;
	free(next);
	if (body == NULL) {
		api_reject(req, REFUSED_INTERNAL, 0);
		return;
	}
	api_json(req, 200, body);
}

void api_events_feed(struct api_request *req)
{
	const struct query *q = &req->query;
	struct feed_read f = {.req = req,
			      .feed = {.party = request_party(req),
				       .party_id = request_arg(req, 0),
				       .after = query_number(q, "after", 0),
				       .order_id = query_number(q, "order_id", 0),
				       .limit = query_number(q, "limit", FEED_DEFAULT_LIMIT),
				       .scan_limit = FEED_SCAN_MAX}};
	if (req->wait_after > f.feed.after)
		f.feed.after = req->wait_after;
	char *types = NULL, *prefixes = NULL;
	if (!type_filters(q, &types, &prefixes)) {
		api_reject(req, REFUSED_INTERNAL, 0);
		goto out;
	}
	f.feed.types_json = types;
	f.feed.prefixes_json = prefixes;
	/* Read the sequence first: news after it wakes the request (api/api.h). */
	uint64_t seq = api_events_seq(req->app);
	if (!api_read(req, feed_read_tx, &f))
		goto out;
	int64_t wait = query_number(q, "wait", 0), now = time_monotonic_ms();
	/* Nothing for it, and nothing left unexamined: wait for news, from where it got to. */
	if (json_array_size(f.rows) == 0 && f.feed.scanned_all && wait > 0) {
		if (req->wait_deadline_ms == 0)
			req->wait_deadline_ms = now + wait * 1000;
		if (now < req->wait_deadline_ms) {
			req->wait_after = f.feed.scanned_through;
			outcome_clear(&req->out);
			req->out.kind = OUTCOME_WAIT;
			req->out.wait_until_ms = req->wait_deadline_ms;
			req->out.wait_seq = seq;
			goto out;
		}
	}
	feed_answer(req, &f);
out:
	free(types);
	free(prefixes);
	json_decref(f.rows);
}

/* GET .../orders/{id}/events/: the order's events, as a list page, if it is the party's. */
void api_order_events(struct api_request *req)
{
	api_list_of_order(req, &event_resource, request_arg(req, 1));
}
