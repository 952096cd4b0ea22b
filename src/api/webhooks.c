/*
 * Webhook subscriptions (CONTRACT.md section 11), both sides: create (the
 * secret shown once), read, delete, enable, and the delivery log. The
 * engine that delivers is webhook_engine.c; the key and URL checks are
 * webhook_key.c.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "domain/timeutil.h"
#include "handler.h"
#include "list.h"
#include "store/store_webhooks.h"
#include "webhooks.h"

#define DELIVERIES_DEFAULT 100
#define DELIVERIES_MAX	   STORE_WEBHOOK_LOG_KEEP

/* ---- the representation ---------------------------------------------------- */

static json_t *col(json_t *rec, const char *name)
{
	json_t *v = json_object_get(rec, name);
	return json_incref(v ? v : json_null());
}

static json_t *webhook_representation(json_t *rec)
{
	char when[TIME_TEXT_MAX];
	const char *types = json_string_value(json_object_get(rec, "event_types"));
	json_t *list = types ? json_loads(types, 0, NULL) : NULL;
	if (list == NULL ||
	    time_format_iso8601(json_integer_value(json_object_get(rec, "created_at")), when) ==
		    NULL) {
		json_decref(list);
		return NULL;
	}
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:o}", "id", col(rec, "id"), "url",
			 col(rec, "url"), "event_types", list, "description",
			 col(rec, "description"), "status", col(rec, "status"), "disabled_reason",
			 col(rec, "disabled_reason"), "created_at", when, "last_delivered_event_id",
			 col(rec, "last_delivered_event_id"));
}

const struct resource webhook_resource = {
	.name = "webhook", .kind = RECORD_WEBHOOK, .represent = webhook_representation};

const struct query_param api_webhooks_list_query[] = {
	LIST_QUERY_PARAMS,
	{.name = NULL},
};

const struct query_param api_webhook_deliveries_query[] = {
	{.name = "limit", .type = QUERY_INTEGER, .min = 1, .max = DELIVERIES_MAX},
	{.name = NULL},
};

/* ---- the body ---------------------------------------------------------------- */

static void webhook_rules(struct spec_walk *w, json_t *obj, void *out, bool fields_ok)
{
	(void)obj;
	struct webhook_body *b = out;
	if (!fields_ok || b->event_types == NULL)
		return;
	if (json_array_size(b->event_types) == 0)
		spec_error(w, "event_types", "must name at least one event type or prefix");
	size_t i;
	const json_t *t;
	json_array_foreach(b->event_types, i, t)
	{
		const char *text = json_string_value(t);
		if (text == NULL || !api_event_type_filter_valid(text)) {
			spec_error(w, "event_types",
				   "[%zu] is not an event type, nor a kind's prefix like order.*",
				   i);
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(json_string_value(json_array_get(b->event_types, j)), text) ==
			    0) {
				spec_error(w, "event_types", "[%zu] repeats %s", i, text);
				break;
			}
		}
	}
}

static const struct spec_field webhook_fields[] = {
	{.name = "url",
	 .type = SPEC_TEXT,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct webhook_body, url),
	 .max = WEBHOOK_URL_MAX},
	{.name = "event_types",
	 .type = SPEC_TEXTS,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct webhook_body, event_types),
	 .max = 64,
	 .min_items = 1,
	 .max_items = WEBHOOK_TYPES_MAX,
	 .noun = "event types"},
	{.name = "description",
	 .type = SPEC_TEXT,
	 .offset = offsetof(struct webhook_body, description),
	 .max = WEBHOOK_DESCRIPTION_MAX},
	{.name = NULL},
};

const struct spec webhook_body_spec = {
	.fields = webhook_fields, .size = sizeof(struct webhook_body), .rules = webhook_rules};

/* ---- create -------------------------------------------------------------------- */

struct create {
	struct api_request *req;
	const struct webhook_body *body;
	const char *sealed;
	int64_t id;
	json_t *record;
};

static store_status create_tx(store_conn *c, void *ctx)
{
	struct create *cr = ctx;
	struct api_request *req = cr->req;
	party_kind party = request_party(req);
	int64_t party_id = request_arg(req, 0), n = 0;
	store_status st = store_webhooks_count(c, party, party_id, &n);
	if (st != STORE_OK)
		return st;
	if (n >= API_WEBHOOKS_PER_PARTY) {
		api_refuse(req, REFUSED_WEBHOOK_LIMIT)->number = API_WEBHOOKS_PER_PARTY;
		return STORE_REJECTED;
	}
	char *types = json_dumps(cr->body->event_types, JSON_COMPACT);
	if (types == NULL)
		return STORE_ERROR;
	struct webhook_insert w = {.party = party,
				   .party_id = party_id,
				   .url = cr->body->url,
				   .event_types = types,
				   .description = cr->body->description,
				   .secret_sealed = cr->sealed,
				   .created_at = time_now()};
	st = store_webhooks_insert(c, &w, &cr->id);
	free(types);
	if (st == STORE_OK)
		st = store_records_get(c, RECORD_WEBHOOK, party, party_id, cr->id, &cr->record);
	return st == STORE_NOT_FOUND ? STORE_ERROR : st;
}

void api_webhooks_create(struct api_request *req)
{
	struct webhook_body body = {0};
	char secret[WEBHOOK_SECRET_MAX];
	char *sealed = NULL;
	struct create cr = {.req = req, .body = &body};
	if (!api_read_body(req, &webhook_body_spec, &body, NULL))
		goto out;
	field_errors fe;
	field_errors_init(&fe);
	webhook_url_check(&req->app->webhooks, body.url, &fe);
	bool url_ok = json_array_size(fe.list) == 0 && !fe.oom;
	if (!url_ok)
		api_reject_fields(req, REFUSED_FIELDS, &fe);
	field_errors_free(&fe);
	if (!url_ok)
		goto out;
	if (!webhook_secret_new(secret) ||
	    (sealed = webhook_secret_seal(req->app->webhook_keys, secret)) == NULL) {
		api_reject(req, REFUSED_INTERNAL, 0);
		goto out;
	}
	cr.sealed = sealed;
	if (!api_tx(req, "webhook", create_tx, &cr))
		goto out;
	json_t *rep = webhook_representation(cr.record);
	if (rep == NULL || json_object_set_new(rep, "secret", json_string(secret)) != 0) {
		json_decref(rep);
		api_reject(req, REFUSED_INTERNAL, 0);
		goto out;
	}
	api_json(req, 201, rep);
	webhook_engine_changed(req->app->webhook_engine);
out:
	sodium_memzero(secret, sizeof(secret));
	free(sealed);
	json_decref(cr.record);
	spec_free(&webhook_body_spec, &body);
}

/* ---- delete, enable -------------------------------------------------------------- */

struct change {
	struct api_request *req;
	bool enable;
};

static store_status change_tx(store_conn *c, void *ctx)
{
	struct change *ch = ctx;
	party_kind party = request_party(ch->req);
	int64_t party_id = request_arg(ch->req, 0), id = request_arg(ch->req, 1);
	store_status st = ch->enable ? store_webhooks_enable(c, party, party_id, id)
				     : store_webhooks_delete(c, party, party_id, id);
	if (st == STORE_NOT_FOUND)
		return api_reject_missing(ch->req, "webhook", id);
	return st;
}

void api_webhooks_delete(struct api_request *req)
{
	struct change ch = {.req = req, .enable = false};
	if (!api_tx(req, "webhook delete", change_tx, &ch))
		return;
	api_text(req, 204, NULL);
	webhook_engine_changed(req->app->webhook_engine);
}

void api_webhooks_enable(struct api_request *req)
{
	struct change ch = {.req = req, .enable = true};
	if (!api_tx(req, "webhook enable", change_tx, &ch))
		return;
	api_record(req, 200, &webhook_resource, request_arg(req, 1));
	webhook_engine_changed(req->app->webhook_engine);
}

/* ---- the delivery log -------------------------------------------------------------- */

struct log_read {
	struct api_request *req;
	int64_t limit;
	json_t *rows;
};

static store_status log_tx(store_conn *c, void *ctx)
{
	struct log_read *l = ctx;
	int64_t id = request_arg(l->req, 1);
	store_status st = store_webhooks_deliveries(c, request_party(l->req),
						    request_arg(l->req, 0), id, l->limit, &l->rows);
	if (st == STORE_NOT_FOUND)
		return api_reject_missing(l->req, "webhook", id);
	return st;
}

static json_t *attempt_representation(json_t *rec)
{
	char when[TIME_TEXT_MAX];
	if (time_format_iso8601(json_integer_value(json_object_get(rec, "attempted_at")), when) ==
	    NULL)
		return NULL;
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:s}", "event_id", col(rec, "event_id"),
			 "attempt", col(rec, "attempt"), "status_code", col(rec, "status_code"),
			 "error", col(rec, "error"), "duration_ms", col(rec, "duration_ms"),
			 "attempted_at", when);
}

void api_webhooks_deliveries(struct api_request *req)
{
	const struct query_value *v = query_find(&req->query, "limit", QUERY_OP_EQ);
	struct log_read l = {.req = req, .limit = v ? v->number : DELIVERIES_DEFAULT};
	if (!api_read(req, log_tx, &l))
		goto out;
	json_t *results = json_array();
	size_t i;
	json_t *rec;
	json_array_foreach(l.rows, i, rec)
	{
		json_t *a = attempt_representation(rec);
		if (a == NULL || results == NULL || json_array_append_new(results, a) != 0) {
			json_decref(results);
			api_reject(req, REFUSED_INTERNAL, 0);
			goto out;
		}
	}
	json_t *body = results ? json_pack("{s:o}", "results", results) : NULL;
	if (body == NULL) {
		api_reject(req, REFUSED_INTERNAL, 0);
		goto out;
	}
	api_json(req, 200, body);
out:
	json_decref(l.rows);
}
