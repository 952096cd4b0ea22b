/*
 * Records of any resource through one representation cache, keyed by kind,
 * party kind and id, and valid for one stamp (version and catalog
 * generation). GETs answer the stamp as ETag and 304 to a client that has
 * it; list pages answer an ETag made of their rows' stamps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "domain/timeutil.h"
#include "handler.h"
#include "list.h"
#include "records.h"
#include "representation.h"

/* How many times a committed write's record is read back before answering its id alone. */
#define READ_BACK_ATTEMPTS 3

static uint64_t cache_key(record_kind kind, party_kind party, int64_t id)
{
	return ((uint64_t)id << 5) | ((uint64_t)kind << 2) | (uint64_t)party;
}

static bool is_read(const struct api_request *req)
{
	return strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
}

/* What rendering one record reads, in one snapshot. */
struct record_read {
	const struct resource *resource;
	party_kind party;
	int64_t party_id;
	int64_t id;
	const char *if_none_match; /* NULL unless a conditional GET */
	struct reply_cache *cache; /* NULL inside a write transaction */
	struct record_stamp stamp;
	char etag[ETAG_MAX];
	bool not_modified;
	char *cached; /* the representation cached for this stamp */
	size_t cached_len;
	json_t *record; /* else the record to shape */
};

static store_status record_read_tx(store_conn *c, void *ctx)
{
	struct record_read *r = ctx;
	store_status st =
		store_records_stamp(c, r->resource->kind, r->party, r->party_id, r->id, &r->stamp);
	if (st != STORE_OK)
		return st;
	etag_format(REPRESENTATION_REVISION, &r->stamp, r->etag);
	if (etag_matches(r->if_none_match, r->etag)) {
		r->not_modified = true;
		return STORE_OK;
	}
	r->cached = reply_cache_get(r->cache, cache_key(r->resource->kind, r->party, r->id),
				    &r->stamp, &r->cached_len);
	if (r->cached != NULL)
		return STORE_OK;
	return store_records_get(c, r->resource->kind, r->party, r->party_id, r->id, &r->record);
}

static void record_read_free(struct record_read *r)
{
	free(r->cached);
	json_decref(r->record);
	r->cached = NULL;
	r->record = NULL;
}

/* The record as the answer: the cached text, or its shape, encoded (and cached). */
static bool answer_text(struct api_request *req, struct record_read *r)
{
	struct reply *reply = &req->reply;
	if (r->cached != NULL) {
		reply->body = r->cached;
		reply->body_len = r->cached_len;
		r->cached = NULL;
		return true;
	}
	json_t *body = r->resource->represent(r->record);
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (text == NULL)
		return false;
	reply->body = text;
	reply->body_len = strlen(text);
	reply_cache_put(r->cache, cache_key(r->resource->kind, r->party, r->id), &r->stamp, text,
			reply->body_len);
	return true;
}

void records_render(struct api_request *req)
{
	struct outcome *o = &req->out;
	bool read = is_read(req);
	/* Inside a write transaction nothing is committed yet: never cache what it sees. */
	bool in_tx = store_in_own_tx(req->app->store);
	struct record_read r = {.resource = o->resource,
				.party = o->party,
				.party_id = o->party_id,
				.id = o->id,
				.if_none_match = read ? req->if_none_match : NULL,
				.cache = in_tx ? NULL : req->app->cache};
	store_status st = STORE_ERROR;
	for (int attempt = 0; attempt < (read ? 1 : READ_BACK_ATTEMPTS); attempt++) {
		record_read_free(&r);
		st = store_read(req->app->store, record_read_tx, &r);
		if (st == STORE_OK || st == STORE_NOT_FOUND)
			break;
	}
	if (st == STORE_NOT_FOUND) {
		api_reject_missing(req, o->resource->name, o->id);
	} else if (st != STORE_OK && read) {
		api_reject_store(req, st);
	} else if (st != STORE_OK) {
		fprintf(stderr,
			"{\"level\":\"error\",\"component\":\"api\",\"message\":\"committed %s "
			"%lld "
			"answered with its id only: reading it back failed\"}\n",
			o->resource->name, (long long)o->id);
		api_json(req, o->status, json_pack("{s:I}", "id", (json_int_t)o->id));
	} else if (r.not_modified) {
		req->reply.status = 304;
		outcome_header(o, "ETag", r.etag);
	} else if (answer_text(req, &r)) {
		req->reply.status = o->status;
		if (read)
			outcome_header(o, "ETag", r.etag);
	} else {
		api_reject(req, REFUSED_INTERNAL, 0);
	}
	record_read_free(&r);
}

struct acknowledgement {
	struct api_request *req;
	const struct resource *resource;
	party_kind party;
	int64_t party_id;
	int64_t id;
	int64_t now;
	char *text; /* the record acknowledged now: its event's data and the answer */
};

static store_status acknowledge_tx(store_conn *c, void *ctx)
{
	struct acknowledgement *a = ctx;
	struct record_stamp stamp;
	store_status st =
		store_records_stamp(c, a->resource->kind, a->party, a->party_id, a->id, &stamp);
	if (st == STORE_NOT_FOUND)
		return api_reject_missing(a->req, a->resource->name, a->id);
	if (st == STORE_OK && a->resource->may_acknowledge != NULL)
		st = a->resource->may_acknowledge(c, a->req, a->id);
	if (st != STORE_OK)
		return st;
	bool changed = false;
	st = store_records_acknowledge(c, a->resource->kind, a->party, a->party_id, a->id, a->now,
				       &changed);
	/* Only the first acknowledgement is news; again answers the record as it is. */
	if (st != STORE_OK || !changed || a->resource->event_kind == NULL)
		return st;
	char type[64];
	snprintf(type, sizeof(type), "%s.acknowledged", a->resource->event_kind);
	return api_emit(c, a->req, type, a->resource, a->id, &a->text);
}

void api_acknowledge(struct api_request *req)
{
	struct acknowledgement a = {.req = req,
				    .resource = req->route.route->resource,
				    .party = request_party(req),
				    .party_id = request_arg(req, 0),
				    .id = request_arg(req, 1),
				    .now = time_now()};
	if (!api_tx(req, "acknowledge", acknowledge_tx, &a)) {
		free(a.text);
		return;
	}
	if (a.text != NULL)
		api_text(req, 200, a.text);
	else
		api_record(req, 200, a.resource, a.id);
}

void api_get(struct api_request *req)
{
	const struct resource *res = req->route.route->resource;
	api_record(req, 200, res, request_arg(req, 1));
}

/* ---- lists --------------------------------------------------------------- */

static const filter_op filter_ops[] = {
	[QUERY_OP_EQ] = FILTER_EQ, [QUERY_OP_LT] = FILTER_LT,	[QUERY_OP_LTE] = FILTER_LTE,
	[QUERY_OP_GT] = FILTER_GT, [QUERY_OP_GTE] = FILTER_GTE,
};

/* Texts of the filter's IN conditions, kept until the query ran. */
struct in_texts {
	char *text[QUERY_MAX_PAIRS];
	size_t n;
};

static bool is_page_parameter(const char *name)
{
	return strcmp(name, "limit") == 0 || strcmp(name, "cursor") == 0;
}

/*
 * The store's filter from the checked query: each parameter is the filter
 * of its name; a repeatable one is one IN condition over all its values.
 * False when the store cannot filter as the route declares (a bug).
 */
static bool filter_from_query(const struct api_request *req, record_kind kind,
			      struct record_filter *f, struct in_texts *in)
{
	const struct query *q = &req->query;
	for (size_t i = 0; i < q->count; i++) {
		const struct query_value *v = &q->values[i];
		const struct query_param *p = v->param;
		if (is_page_parameter(p->name))
			continue;
		struct record_cond cond = {.name = p->name,
					   .op = filter_ops[v->op],
					   .is_text =
						   p->type == QUERY_TEXT || p->type == QUERY_CHOICE,
					   .number = v->number,
					   .text = v->text};
		if (p->flags & QUERY_REPEATABLE) {
			bool first = true;
			for (size_t j = 0; j < i && first; j++)
				first = q->values[j].param != p;
			if (!first)
				continue;
			json_t *values = json_array();
			for (size_t j = i; values != NULL && j < q->count; j++)
				if (q->values[j].param == p &&
				    json_array_append_new(values, json_string(q->values[j].text)) !=
					    0) {
					json_decref(values);
					values = NULL;
				}
			char *text = values ? json_dumps(values, JSON_COMPACT) : NULL;
			json_decref(values);
			if (text == NULL || in->n == QUERY_MAX_PAIRS) {
				free(text);
				return false;
			}
			in->text[in->n++] = text;
			cond.op = FILTER_IN;
			cond.is_text = true;
			cond.text = text;
		}
		if (!record_filter_add(f, kind, &cond))
			return false;
	}
	return true;
}

/* What a list page reads, in one snapshot. */
struct list_read {
	const struct resource *resource;
	struct record_filter filter;
	const char *if_none_match;
	struct reply_cache *cache;
	struct page page; /* rows of {"id", "version"} */
	int64_t generation;
	char etag[ETAG_MAX];
	bool not_modified;
	size_t n;
	char **texts; /* per row: its representation, NULL until known */
	size_t *lens;
	json_t *records; /* the records of the rows not cached, oldest first */
};

/*
 * A page's ETag: a hash of everything its body is made of besides the
 * request's own path and query (the same for the same URL): the shapes'
 * revision, the catalog generation, the count, the look-around and each
 * row's id and version.
 */
static void list_etag(struct list_read *l)
{
	int64_t head[6] = {REPRESENTATION_REVISION, l->resource->kind,	 l->generation,
			   l->page.count,	    l->page.more_before, l->page.more_after};
	unsigned char hash[16];
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, sizeof(hash));
	crypto_generichash_update(&st, (const unsigned char *)head, sizeof(head));
	for (size_t i = 0; i < l->n; i++) {
		json_t *row = json_array_get(l->page.rows, i);
		int64_t v[2] = {json_integer_value(json_object_get(row, "id")),
				json_integer_value(json_object_get(row, "version"))};
		crypto_generichash_update(&st, (const unsigned char *)v, sizeof(v));
	}
	crypto_generichash_final(&st, hash, sizeof(hash));
	char hex[2 * sizeof(hash) + 1];
	sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
	snprintf(l->etag, sizeof(l->etag), "\"l%s\"", hex);
}

static store_status list_read_tx(store_conn *c, void *ctx)
{
	struct list_read *l = ctx;
	record_kind kind = l->resource->kind;
	store_status st = store_records_page(c, kind, &l->filter, &l->page, &l->generation);
	if (st != STORE_OK)
		return st;
	l->n = json_array_size(l->page.rows);
	list_etag(l);
	if (etag_matches(l->if_none_match, l->etag)) {
		l->not_modified = true;
		return STORE_OK;
	}
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
			l->cache, cache_key(kind, l->filter.party, json_integer_value(id)), &stamp,
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
	st = store_records_fetch(c, kind, l->filter.party, l->filter.party_id, ids, &l->records);
	free(ids);
	return st;
}

/* Shapes and encodes the records the cache did not hold, and keeps them there. */
static bool list_fill(struct list_read *l)
{
	size_t i = 0, j;
	json_t *rec;
	json_array_foreach(l->records, j, rec)
	{
		int64_t id = json_integer_value(json_object_get(rec, "id"));
		/* Both run oldest first: the next uncached row is this record's. */
		while (i < l->n && l->texts[i] != NULL)
			i++;
		if (i == l->n || json_integer_value(json_object_get(json_array_get(l->page.rows, i),
								    "id")) != id)
			return false;
		json_t *body = l->resource->represent(rec);
		l->texts[i] = body ? json_dumps(body, JSON_COMPACT) : NULL;
		json_decref(body);
		if (l->texts[i] == NULL)
			return false;
		l->lens[i] = strlen(l->texts[i]);
		struct record_stamp stamp = {json_integer_value(json_object_get(rec, "version")),
					     l->generation};
		reply_cache_put(l->cache, cache_key(l->resource->kind, l->filter.party, id), &stamp,
				l->texts[i], l->lens[i]);
	}
	for (i = 0; i < l->n; i++)
		if (l->texts[i] == NULL)
			return false;
	return true;
}

static void list_answer(struct api_request *req, struct list_read *l)
{
	if (l->not_modified) {
		outcome_clear(&req->out);
		req->out.kind = OUTCOME_TEXT;
		req->out.status = 304;
		outcome_header(&req->out, "ETag", l->etag);
		return;
	}
	if (!list_fill(l)) {
		api_reject(req, REFUSED_INTERNAL, 0);
		return;
	}
	json_t *rows = l->page.rows;
	int64_t first = json_integer_value(json_object_get(json_array_get(rows, 0), "id"));
	int64_t last = json_integer_value(json_object_get(json_array_get(rows, l->n - 1), "id"));
	size_t len = 0;
	char *text = list_envelope(req, &l->page, first, last, l->texts, l->lens, l->n, &len);
	if (text == NULL) {
		api_reject(req, REFUSED_INTERNAL, 0);
		return;
	}
	outcome_clear(&req->out);
	req->out.kind = OUTCOME_TEXT;
	req->out.status = 200;
	req->out.text = text;
	req->out.len = len;
	outcome_header(&req->out, "ETag", l->etag);
}

/* A list page of `resource`; order_id > 0: of that order only. */
static void list_records(struct api_request *req, const struct resource *resource, int64_t order_id)
{
	struct list_read l;
	struct in_texts in = {.n = 0};
	memset(&l, 0, sizeof(l));
	l.resource = resource;
	l.cache = req->app->cache;
	l.if_none_match = req->if_none_match;
	l.filter.party = request_party(req);
	l.filter.party_id = request_arg(req, 0);
	if (!list_page_start(req, &l.filter.page))
		goto out;
	struct record_cond of_order = {.name = "order_id", .op = FILTER_EQ, .number = order_id};
	if (!filter_from_query(req, l.resource->kind, &l.filter, &in) ||
	    (order_id > 0 && !record_filter_add(&l.filter, l.resource->kind, &of_order))) {
		api_reject(req, REFUSED_INTERNAL, 0);
		goto out;
	}
	if (api_read(req, list_read_tx, &l))
		list_answer(req, &l);
out:
	for (size_t i = 0; i < l.n && l.texts != NULL; i++)
		free(l.texts[i]);
	for (size_t i = 0; i < in.n; i++)
		free(in.text[i]);
	free(l.texts);
	free(l.lens);
	json_decref(l.page.rows);
	json_decref(l.records);
}

void api_list(struct api_request *req)
{
	list_records(req, req->route.route->resource, 0);
}

struct order_check {
	struct api_request *req;
	int64_t order_id;
};

static store_status order_check_read(store_conn *c, void *ctx)
{
	struct order_check *o = ctx;
	struct record_stamp stamp;
	store_status st = store_records_stamp(c, RECORD_ORDER, request_party(o->req),
					      request_arg(o->req, 0), o->order_id, &stamp);
	return st == STORE_NOT_FOUND ? api_reject_missing(o->req, "order", o->order_id) : st;
}

void api_list_of_order(struct api_request *req, const struct resource *resource, int64_t order_id)
{
	struct order_check o = {.req = req, .order_id = order_id};
	if (api_read(req, order_check_read, &o))
		list_records(req, resource, order_id);
}
