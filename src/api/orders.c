/*
 * Orders: POST /v1/retailers/{id}/orders/, GET lists and single orders on
 * both sides, PUT /v1/brands/{id}/orders/{id}/acknowledge/.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/list.h"
#include "api/order_input.h"
#include "api/records.h"
#include "api/representation.h"
#include "http/cache.h"
#include "domain/sla.h"
#include "domain/timeutil.h"
#include "store/store_orders.h"

static const char *const status_names[] = {"open", "partial", "closed", "canceled", NULL};

const struct query_param api_orders_list_query[] = {
	{.name = "purchase_order_number", .type = QUERY_TEXT, .max_len = 32},
	{.name = "status",
	 .type = QUERY_CHOICE,
	 .flags = QUERY_REPEATABLE,
	 .choices = status_names},
	{.name = "is_acknowledged", .type = QUERY_BOOLEAN},
	{.name = "ordered_at", .type = QUERY_EPOCH, .flags = QUERY_RANGE},
	{.name = "received_at", .type = QUERY_EPOCH, .flags = QUERY_RANGE},
	{.name = "fulfill_by", .type = QUERY_EPOCH, .flags = QUERY_RANGE},
	{.name = "acknowledged_at", .type = QUERY_EPOCH, .flags = QUERY_RANGE},
	{.name = "closed_at", .type = QUERY_EPOCH, .flags = QUERY_RANGE},
	LIST_QUERY_PARAMS,
	{.name = NULL},
};

/* The order_time_column each time filter maps to, by name. */
static const char *const time_filters[ORDER_TIME_COUNT] = {
	[ORDER_TIME_ORDERED_AT] = "ordered_at", [ORDER_TIME_RECEIVED_AT] = "received_at",
	[ORDER_TIME_FULFILL_BY] = "fulfill_by", [ORDER_TIME_ACKNOWLEDGED_AT] = "acknowledged_at",
	[ORDER_TIME_CLOSED_AT] = "closed_at",
};

/* The party of the route: retailer routes start /v1/retailers/. */
static party_kind route_party(const struct request *req)
{
	return req->route.route->party;
}

struct create {
	const struct order_request *in;
	int64_t retailer_id;
	int64_t now;
	field_errors *fe;
	int64_t existing_id; /* set when the purchase order number is taken */
	int64_t order_id;
};

static const char *const variant_fields[] = {
	[VARIANT_BY_ID] = "id",
	[VARIANT_BY_RETAILER_SKU] = "identifier",
	[VARIANT_BY_BRAND_SKU] = "identifier",
	[VARIANT_BY_UPC] = "upc",
};

/* Reports a line's variant that did not resolve, at the field that named it. */
static void variant_problem(field_errors *fe, size_t line, const struct variant_ref *ref,
			    variant_match match, store_status st)
{
	char path[96];
	snprintf(path, sizeof(path), "order_lines[%zu].variant.%s", line, variant_fields[match]);
	if (st == STORE_CONFLICT)
		field_errors_add(fe, path,
				 "matches variants of several brands: send the variant id");
	else if (match == VARIANT_BY_ID)
		field_errors_add(fe, path, "no variant has id %lld", (long long)ref->id);
	else if (match == VARIANT_BY_UPC)
		field_errors_add(fe, path, "no variant has upc '%s'", ref->upc);
	else
		field_errors_add(fe, path, "no variant has identifier '%s'", ref->identifier);
}

/*
 * Resolves every line whose variant was well-formed; fills variant ids, the
 * order's brand and the largest lead time. Returns how many problems it found.
 */
static store_status resolve_lines(store_conn *c, struct create *cc, struct order_line_insert *lines,
				  int64_t *brand_id, int64_t *max_lead, size_t *problems)
{
	const struct order_request *in = cc->in;
	size_t brand_line = 0, before = field_errors_count(cc->fe);
	*brand_id = 0;
	*max_lead = 0;
	for (size_t i = 0; i < in->nlines; i++) {
		if (!in->lines[i].variant_ok) {
			(*problems)++;
			continue;
		}
		struct resolved_variant v = {0};
		store_status st =
			store_variants_resolve(c, cc->retailer_id, &in->lines[i].variant, &v);
		if (st == STORE_NOT_FOUND || st == STORE_CONFLICT) {
			variant_problem(cc->fe, i, &in->lines[i].variant, v.match, st);
			continue;
		}
		if (st != STORE_OK)
			return st;
		char path[64];
		snprintf(path, sizeof(path), "order_lines[%zu].variant", i);
		for (size_t j = 0; j < i; j++) {
			if (lines[j].variant_id == v.id) {
				field_errors_add(
					cc->fe, path,
					"is the same variant as order_lines[%zu]: send one line "
					"per variant",
					j);
				break;
			}
		}
		if (*brand_id == 0) {
			*brand_id = v.brand_id;
			brand_line = i;
		} else if (v.brand_id != *brand_id) {
			field_errors_add(
				cc->fe, path,
				"is a variant of brand %lld, but order_lines[%zu] is of brand "
				"%lld: an order goes to one brand",
				(long long)v.brand_id, brand_line, (long long)*brand_id);
		}
		lines[i].variant_id = v.id;
		lines[i].quantity = in->lines[i].quantity;
		lines[i].net_price_cents = in->lines[i].net_price_cents;
		lines[i].price_cents = in->lines[i].price_cents;
		if (v.lead_time_hours > *max_lead)
			*max_lead = v.lead_time_hours;
	}
	*problems += field_errors_count(cc->fe) - before;
	return STORE_OK;
}

static store_status shipping_resolve(store_conn *c, struct create *cc, int64_t brand_id,
				     struct order_insert *o)
{
	const struct order_request *in = cc->in;
	store_status st;
	if (in->requested_method != NULL) {
		st = store_generic_methods_find(c, in->requested_method,
						&o->requested_shipping_method_id);
		if (st == STORE_NOT_FOUND)
			field_errors_add(cc->fe, "requested_shipping_method.name",
					 "unknown service level '%s'", in->requested_method);
		return st == STORE_NOT_FOUND ? STORE_OK : st;
	}
	if (in->carrier_code == NULL || in->method_code == NULL)
		return STORE_OK; /* already reported by the body check */
	bool allowed = false;
	st = store_shipping_methods_find(c, cc->retailer_id, brand_id, in->carrier_code,
					 in->method_code, &o->shipping_method_id, &allowed);
	if (st == STORE_NOT_FOUND)
		field_errors_add(cc->fe, "shipping_method",
				 "carrier '%s' has no shipping method '%s'", in->carrier_code,
				 in->method_code);
	else if (st == STORE_OK && !allowed)
		field_errors_add(cc->fe, "shipping_method",
				 "'%s' of carrier '%s' is not allowed on the connection with brand "
				 "%lld",
				 in->method_code, in->carrier_code, (long long)brand_id);
	return st == STORE_NOT_FOUND ? STORE_OK : st;
}

/*
 * The rules that need the catalog: each line's variant, one brand, its
 * connection, the shipping method. Problems go to cc->fe; only a store
 * failure is returned. Also run, without inserting, for a body that failed
 * its own checks, so that every problem is reported at once.
 */
static store_status catalog_check(store_conn *c, struct create *cc, struct order_line_insert *lines,
				  struct order_insert *o, struct connection_sla *sla,
				  int64_t *max_lead)
{
	size_t problems = 0;
	int64_t brand_id = 0;
	store_status st = resolve_lines(c, cc, lines, &brand_id, max_lead, &problems);
	if (st != STORE_OK || problems > 0 || brand_id == 0)
		return st;
	st = store_connections_get(c, cc->retailer_id, brand_id, sla);
	if (st == STORE_NOT_FOUND) {
		field_errors_add(cc->fe, "order_lines",
				 "the variants are of brand %lld, which is not connected to this "
				 "retailer",
				 (long long)brand_id);
		return STORE_OK;
	}
	if (st != STORE_OK)
		return st;
	o->brand_id = brand_id;
	return shipping_resolve(c, cc, brand_id, o);
}

/*
 * The create transaction: the duplicate check, the catalog rules, the
 * deadlines and the insert, all under the write lock, so two requests with
 * one purchase order number cannot both pass the check.
 */
static store_status create_tx(store_conn *c, void *ctx)
{
	struct create *cc = ctx;
	const struct order_request *in = cc->in;
	store_status st = store_orders_find_po(c, cc->retailer_id, in->purchase_order_number,
					       &cc->existing_id);
	if (st == STORE_OK)
		return STORE_REJECTED;
	if (st != STORE_NOT_FOUND)
		return st;
	cc->existing_id = 0;

	struct order_line_insert *lines = calloc(in->nlines, sizeof(*lines));
	if (lines == NULL)
		return STORE_ERROR;
	int64_t max_lead = 0;
	struct order_insert o = {
		.retailer_id = cc->retailer_id,
		.purchase_order_number = in->purchase_order_number,
		.customer_order_number = in->customer_order_number,
		.retailer_order_number = in->retailer_order_number,
		.sold_to = in->has_sold_to ? &in->sold_to : NULL,
		.ship_to = &in->ship_to,
		.gift_message = in->gift_message,
		.ordered_at = in->ordered_at,
		.received_at = cc->now,
		.lines = lines,
		.nlines = in->nlines,
	};
	struct connection_sla sla = {0};
	st = catalog_check(c, cc, lines, &o, &sla, &max_lead);
	if (st == STORE_OK && (field_errors_count(cc->fe) > 0 || cc->fe->oom))
		st = STORE_REJECTED;
	if (st == STORE_OK) {
		sla_deadlines(cc->now, sla.hours_to_acknowledge, sla.hours_to_fulfill, max_lead,
			      &o.acknowledge_by, &o.fulfill_by);
		st = store_orders_insert(c, &o, &cc->order_id);
		/* The writer is serial, so only a rule we missed can get here. */
		if (st == STORE_CONFLICT &&
		    store_orders_find_po(c, cc->retailer_id, in->purchase_order_number,
					 &cc->existing_id) == STORE_OK)
			st = STORE_REJECTED;
	}
	free(lines);
	return st;
}

/* catalog_check() alone, on a read connection, for a body with problems of its own. */
static store_status check_only_read(store_conn *c, void *ctx)
{
	struct create *cc = ctx;
	size_t n = cc->in->nlines ? cc->in->nlines : 1;
	struct order_line_insert *lines = calloc(n, sizeof(*lines));
	if (lines == NULL)
		return STORE_ERROR;
	struct order_insert o = {0};
	struct connection_sla sla = {0};
	int64_t max_lead = 0;
	store_status st = catalog_check(c, cc, lines, &o, &sla, &max_lead);
	free(lines);
	return st;
}

static const struct record_kind order_kind = {"order", store_orders_get, order_representation};

static void reply_duplicate(struct request *req, const char *po, int64_t existing_id)
{
	char message[160];
	snprintf(message, sizeof(message), "purchase_order_number '%s' is already order %lld", po,
		 (long long)existing_id);
	json_t *body = json_pack("{s:{s:s, s:s, s:I, s:[{s:s, s:s}]}}", "error", "code", "conflict",
				 "message", message, "order_id", (json_int_t)existing_id, "fields",
				 "field", "purchase_order_number", "message",
				 "is already used by another order");
	reply_json(req, 409, body);
}

handler_result api_orders_create(struct request *req)
{
	struct order_request in;
	field_errors fe;
	field_errors_init(&fe);
	struct create cc = {
		.in = &in, .retailer_id = request_arg(req, 0), .now = time_now(), .fe = &fe};
	if (!order_request_parse(req->body, &in, &fe)) {
		if (req->body != NULL && !fe.oom) {
			store_status st = store_read(req->store, check_only_read, &cc);
			if (st != STORE_OK) {
				reply_store_error(req, st);
				goto out;
			}
		}
		reply_field_errors(req, "validation_failed", &fe);
		goto out;
	}
	store_status st = store_tx(req->store, "create order", create_tx, &cc);
	if (st == STORE_OK)
		reply_record(req, 201, &order_kind, PARTY_RETAILER, cc.retailer_id, cc.order_id);
	else if (st == STORE_REJECTED && cc.existing_id > 0)
		reply_duplicate(req, in.purchase_order_number, cc.existing_id);
	else if (st == STORE_REJECTED)
		reply_field_errors(req, "validation_failed", &fe);
	else
		reply_store_error(req, st);
out:
	order_request_free(&in);
	field_errors_free(&fe);
	return HANDLER_OK;
}

/* An order's representation in the cache, per party kind. */
static uint64_t order_cache_key(int64_t id, party_kind party)
{
	return ((uint64_t)id << 2) | (uint64_t)party;
}

/* What GET .../orders/{id}/ reads, in one snapshot. */
struct order_read {
	party_kind party;
	int64_t party_id;
	int64_t id;
	const char *if_none_match;
	struct reply_cache *cache;
	uint64_t key;
	struct record_stamp stamp;
	char etag[ETAG_MAX];
	bool not_modified;
	char *cached; /* the cached representation, when it is still this stamp's */
	size_t cached_len;
	json_t *record; /* else the record to shape */
};

/*
 * The order's stamp first; then nothing more when the client already has
 * this state (304), the cached text when it was made for this stamp, or the
 * record. The stamp and the record come from the same snapshot, so the text
 * cached for a stamp is always that stamp's.
 */
static store_status order_read_tx(store_conn *c, void *ctx)
{
	struct order_read *r = ctx;
	store_status st = store_orders_stamp(c, r->party, r->party_id, r->id, &r->stamp);
	if (st != STORE_OK)
		return st;
	etag_format(REPRESENTATION_REVISION, &r->stamp, r->etag);
	if (etag_matches(r->if_none_match, r->etag)) {
		r->not_modified = true;
		return STORE_OK;
	}
	r->cached = reply_cache_get(r->cache, r->key, &r->stamp, &r->cached_len);
	if (r->cached != NULL)
		return STORE_OK;
	return store_orders_get(c, r->party, r->party_id, r->id, &r->record);
}

handler_result api_orders_get(struct request *req)
{
	struct order_read r = {.party = req->route.route->party,
			       .party_id = request_arg(req, 0),
			       .id = request_arg(req, 1),
			       .if_none_match = req->if_none_match,
			       .cache = req->cache};
	r.key = order_cache_key(r.id, r.party);
	store_status st = store_read(req->store, order_read_tx, &r);
	if (st == STORE_NOT_FOUND) {
		reply_error(req, 404, "not_found", "no order %lld here", (long long)r.id);
	} else if (st != STORE_OK) {
		reply_store_error(req, st);
	} else if (r.not_modified) {
		reply_text(req, 304, NULL, 0);
		reply_header(req, "ETag", r.etag);
	} else if (r.cached != NULL) {
		reply_text(req, 200, r.cached, r.cached_len);
		r.cached = NULL;
		reply_header(req, "ETag", r.etag);
	} else {
		json_t *body = order_representation(r.record);
		reply_json(req, 200, body);
		if (req->reply.status == 200) {
			reply_cache_put(r.cache, r.key, &r.stamp, req->reply.body,
					req->reply.body_len);
			reply_header(req, "ETag", r.etag);
		}
	}
	free(r.cached);
	json_decref(r.record);
	return HANDLER_OK;
}

/* Fills the filter from the checked query; statuses_json is malloc'd. */
static void filter_from_query(const struct request *req, struct order_filter *f)
{
	const struct query *q = &req->query;
	f->party = route_party(req);
	f->party_id = request_arg(req, 0);
	f->is_acknowledged = -1;
	json_t *statuses = NULL;
	for (size_t i = 0; i < q->count; i++) {
		const struct query_value *v = &q->values[i];
		const char *name = v->param->name;
		if (strcmp(name, "purchase_order_number") == 0) {
			f->purchase_order_number = v->text;
		} else if (strcmp(name, "status") == 0) {
			if (statuses == NULL)
				statuses = json_array();
			json_array_append_new(statuses, json_string(v->text));
		} else if (strcmp(name, "is_acknowledged") == 0) {
			f->is_acknowledged = (int)v->number;
		}
	}
	for (int col = 0; col < ORDER_TIME_COUNT; col++)
		list_time_bounds(req, time_filters[col], f->times[col]);
	f->statuses_json = statuses ? json_dumps(statuses, JSON_COMPACT) : NULL;
	json_decref(statuses);
}

/*
 * A list page through the representation cache: the page's ids and stamps
 * first, then, in the same snapshot, the records of the orders whose
 * representation the cache does not hold at that stamp.
 */
struct cached_list {
	struct order_filter filter;
	struct reply_cache *cache;
	struct page page; /* rows of {"id", "version"} */
	int64_t generation;
	size_t n;
	char **texts; /* per row: its representation, NULL until known */
	size_t *lens;
	json_t *records; /* the records of the rows not cached, oldest first */
};

static store_status cached_list_tx(store_conn *c, void *ctx)
{
	struct cached_list *l = ctx;
	store_status st = store_orders_page_stamps(c, &l->filter, &l->page, &l->generation);
	if (st != STORE_OK)
		return st;
	l->n = json_array_size(l->page.rows);
	l->texts = calloc(l->n ? l->n : 1, sizeof(*l->texts));
	l->lens = calloc(l->n ? l->n : 1, sizeof(*l->lens));
	json_t *misses = json_array();
	if (l->texts == NULL || l->lens == NULL || misses == NULL) {
		json_decref(misses);
		return STORE_ERROR;
	}
	for (size_t i = 0; i < l->n; i++) {
		json_t *row = json_array_get(l->page.rows, i);
		json_t *id = json_object_get(row, "id");
		struct record_stamp stamp = {json_integer_value(json_object_get(row, "version")),
					     l->generation};
		l->texts[i] = reply_cache_get(
			l->cache, order_cache_key(json_integer_value(id), l->filter.party), &stamp,
			&l->lens[i]);
		if (l->texts[i] == NULL && json_array_append(misses, id) != 0)
			st = STORE_ERROR;
	}
	size_t nmisses = json_array_size(misses);
	char *ids = st == STORE_OK && nmisses > 0 ? json_dumps(misses, JSON_COMPACT) : NULL;
	json_decref(misses);
	if (st != STORE_OK || nmisses == 0)
		return st;
	if (ids == NULL)
		return STORE_ERROR;
	struct order_filter f = {.party = l->filter.party,
				 .party_id = l->filter.party_id,
				 .ids_json = ids,
				 .is_acknowledged = -1,
				 .page = {.direction = PAGE_FIRST, .limit = (int64_t)nmisses}};
	struct page p;
	st = store_orders_list(c, &f, &p);
	free(ids);
	if (st == STORE_OK)
		l->records = p.rows;
	return st;
}

/* Shapes and encodes the records the cache did not hold, and keeps them there. */
static bool cached_list_fill(struct cached_list *l)
{
	size_t i = 0, j;
	json_t *rec;
	json_array_foreach(l->records, j, rec)
	{
		int64_t id = json_integer_value(json_object_get(rec, "id"));
		/* Both lists run oldest first: the next uncached row is this record's. */
		while (i < l->n && l->texts[i] != NULL)
			i++;
		if (i == l->n || json_integer_value(json_object_get(json_array_get(l->page.rows, i),
								    "id")) != id)
			return false;
		json_t *body = order_representation(rec);
		l->texts[i] = body ? json_dumps(body, JSON_COMPACT) : NULL;
		json_decref(body);
		if (l->texts[i] == NULL)
			return false;
		l->lens[i] = strlen(l->texts[i]);
		struct record_stamp stamp = {json_integer_value(json_object_get(rec, "version")),
					     l->generation};
		reply_cache_put(l->cache, order_cache_key(id, l->filter.party), &stamp, l->texts[i],
				l->lens[i]);
	}
	for (i = 0; i < l->n; i++)
		if (l->texts[i] == NULL)
			return false;
	return true;
}

handler_result api_orders_list(struct request *req)
{
	struct cached_list l;
	memset(&l, 0, sizeof(l));
	l.cache = req->cache;
	if (!list_page_start(req, &l.filter.page))
		return HANDLER_OK;
	filter_from_query(req, &l.filter);
	store_status st = store_read(req->store, cached_list_tx, &l);
	free((char *)(uintptr_t)l.filter.statuses_json);
	if (st != STORE_OK) {
		reply_store_error(req, st);
	} else if (!cached_list_fill(&l)) {
		reply_error(req, 500, "internal", "internal error");
	} else {
		json_t *rows = l.page.rows;
		int64_t first = json_integer_value(json_object_get(json_array_get(rows, 0), "id"));
		int64_t last =
			json_integer_value(json_object_get(json_array_get(rows, l.n - 1), "id"));
		list_reply_texts(req, &l.page, first, last, l.texts, l.lens, l.n);
	}
	for (size_t i = 0; i < l.n && l.texts != NULL; i++)
		free(l.texts[i]);
	free(l.texts);
	free(l.lens);
	json_decref(l.page.rows);
	json_decref(l.records);
	return HANDLER_OK;
}

struct acknowledge {
	int64_t brand_id;
	int64_t order_id;
	int64_t now;
	bool canceled;
};

static store_status acknowledge_tx(store_conn *c, void *ctx)
{
	struct acknowledge *a = ctx;
	json_t *rec = NULL;
	store_status st = store_orders_get(c, PARTY_BRAND, a->brand_id, a->order_id, &rec);
	if (st != STORE_OK)
		return st;
	const char *status = json_string_value(json_object_get(rec, "status"));
	bool acknowledged = json_integer_value(json_object_get(rec, "is_acknowledged")) != 0;
	a->canceled = status != NULL && strcmp(status, "canceled") == 0;
	json_decref(rec);
	if (acknowledged)
		return STORE_OK; /* again: unchanged */
	if (a->canceled)
		return STORE_REJECTED;
	bool changed = false;
	return store_orders_acknowledge(c, a->brand_id, a->order_id, a->now, &changed);
}

handler_result api_orders_acknowledge(struct request *req)
{
	struct acknowledge a = {.brand_id = request_arg(req, 0),
				.order_id = request_arg(req, 1),
				.now = time_now()};
	store_status st = store_tx(req->store, "acknowledge order", acknowledge_tx, &a);
	if (st == STORE_OK)
		reply_record(req, 200, &order_kind, PARTY_BRAND, a.brand_id, a.order_id);
	else if (st == STORE_NOT_FOUND)
		reply_error(req, 404, "not_found", "no order %lld here", (long long)a.order_id);
	else if (st == STORE_REJECTED)
		reply_error(req, 409, "conflict",
			    "order %lld is canceled: there is nothing to acknowledge",
			    (long long)a.order_id);
	else
		reply_store_error(req, st);
	return HANDLER_OK;
}
