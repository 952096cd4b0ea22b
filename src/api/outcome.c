/*
 * Outcomes and their one renderer; see include/api/request.h and
 * src/api/handler.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handler.h"
#include "records.h"

/* Last resort when even an error body cannot be built. */
static const char internal_body[] =
	"{\"error\": {\"code\": \"internal\", \"message\": \"internal error\", \"fields\": []}}";

void api_request_init(struct api_request *req, struct api *app)
{
	memset(req, 0, sizeof(*req));
	req->app = app;
}

void api_request_clear(struct api_request *req)
{
	query_free(&req->query);
	json_decref(req->body);
	req->body = NULL;
	outcome_clear(&req->out);
	reply_clear(&req->reply);
	free(req->priv);
	req->priv = NULL;
}

int64_t request_arg(const struct api_request *req, size_t n)
{
	return n < req->route.nargs ? req->route.args[n] : 0;
}

party_kind request_party(const struct api_request *req)
{
	return req->route.route != NULL ? req->route.route->party : PARTY_NONE;
}

static void headers_clear(struct reply_header *h, size_t *n)
{
	for (size_t i = 0; i < *n; i++) {
		free(h[i].name);
		free(h[i].value);
	}
	*n = 0;
}

void outcome_clear(struct outcome *o)
{
	json_decref(o->json);
	free(o->text);
	refusal_clear(&o->refusal);
	headers_clear(o->headers, &o->nheaders);
	memset(o, 0, sizeof(*o));
}

void reply_clear(struct reply *r)
{
	free(r->body);
	headers_clear(r->headers, &r->nheaders);
	memset(r, 0, sizeof(*r));
}

/* Appends a copy of a header to a list of REPLY_MAX_HEADERS (dropped when full). */
static void header_add(struct reply_header *h, size_t *n, const char *name, const char *value)
{
	if (*n == REPLY_MAX_HEADERS)
		return;
	char *nc = strdup(name), *vc = strdup(value);
	if (nc == NULL || vc == NULL) {
		free(nc);
		free(vc);
		return;
	}
	h[*n].name = nc;
	h[*n].value = vc;
	(*n)++;
}

void outcome_header(struct outcome *o, const char *name, const char *value)
{
	header_add(o->headers, &o->nheaders, name, value);
}

void reply_add_header(struct reply *r, const char *name, const char *value)
{
	header_add(r->headers, &r->nheaders, name, value);
}

struct refusal *api_refuse(struct api_request *req, refusal_code code)
{
	outcome_clear(&req->out);
	req->out.kind = OUTCOME_REFUSAL;
	req->out.refusal.code = code;
	return &req->out.refusal;
}

store_status api_reject(struct api_request *req, refusal_code code, int64_t id)
{
	api_refuse(req, code)->id = id;
	return STORE_REJECTED;
}

store_status api_reject_missing(struct api_request *req, const char *kind, int64_t id)
{
	struct refusal *r = api_refuse(req, REFUSED_NOT_FOUND);
	r->kind = kind;
	r->id = id;
	return STORE_REJECTED;
}

void api_refuse_fields(struct api_request *req, refusal_code code, const field_errors *fe)
{
	if (fe->oom)
		api_refuse(req, REFUSED_INTERNAL);
	else
		api_refuse(req, code)->fields = json_incref(fe->list);
}

store_status api_reject_fields(struct api_request *req, refusal_code code, field_errors *fe)
{
	api_refuse_fields(req, code, fe);
	return STORE_REJECTED;
}

store_status api_reject_store(struct api_request *req, store_status st)
{
	refusal_code code = st == STORE_BUSY   ? REFUSED_BUSY
			    : st == STORE_FULL ? REFUSED_FULL
					       : REFUSED_INTERNAL;
	return api_reject(req, code, 0);
}

void api_record(struct api_request *req, unsigned status, const struct resource *resource,
		int64_t id)
{
	outcome_clear(&req->out);
	req->out.kind = OUTCOME_RECORD;
	req->out.status = status;
	req->out.resource = resource;
	req->out.party = request_party(req);
	req->out.party_id = request_arg(req, 0);
	req->out.id = id;
}

void api_json(struct api_request *req, unsigned status, json_t *body)
{
	outcome_clear(&req->out);
	req->out.kind = OUTCOME_JSON;
	req->out.status = status;
	req->out.json = body;
}

void api_text(struct api_request *req, unsigned status, char *text)
{
	outcome_clear(&req->out);
	req->out.kind = OUTCOME_TEXT;
	req->out.status = status;
	req->out.text = text;
	req->out.len = text ? strlen(text) : 0;
}

/* Sets the fixed 500 body; never fails. */
static void render_internal(struct reply *r)
{
	reply_clear(r);
	r->status = 500;
	r->body = strdup(internal_body);
	r->body_len = r->body ? strlen(internal_body) : 0;
}

static void render_refusal(struct api_request *req)
{
	const struct refusal *rf = &req->out.refusal;
	json_t *body = refusal_body(rf);
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (text == NULL) {
		render_internal(&req->reply);
		return;
	}
	req->reply.status = refusal_entry(rf->code)->status;
	req->reply.body = text;
	req->reply.body_len = strlen(text);
	char name[256], value[256];
	if (refusal_header(rf, name, value, sizeof(value)))
		outcome_header(&req->out, name, value);
}

void api_render(struct api_request *req)
{
	struct outcome *o = &req->out;
	struct reply *r = &req->reply;
	if (r->status != 0)
		return;
	switch (o->kind) {
	case OUTCOME_WAIT: /* only a transport that holds requests can answer it */
	case OUTCOME_NONE:
		api_reject(req, REFUSED_INTERNAL, 0);
		render_refusal(req);
		break;
	case OUTCOME_REFUSAL: render_refusal(req); break;
	case OUTCOME_JSON:
		r->body = o->json ? json_dumps(o->json, JSON_COMPACT) : NULL;
		if (r->body == NULL) {
			render_internal(r);
			return;
		}
		r->status = o->status;
		r->body_len = strlen(r->body);
		break;
	case OUTCOME_TEXT:
		r->status = o->status;
		r->body = o->text;
		r->body_len = o->text ? o->len : 0;
		o->text = NULL;
		break;
	case OUTCOME_RECORD:
		/* Reads the record; may turn the outcome into a refusal or a text. */
		records_render(req);
		if (r->status == 0) {
			api_render(req);
			return;
		}
		break;
	}
	/* The outcome's headers go with it (moved, not copied). */
	for (size_t i = 0; i < o->nheaders && r->nheaders < REPLY_MAX_HEADERS; i++) {
		r->headers[r->nheaders++] = o->headers[i];
		o->headers[i].name = NULL;
		o->headers[i].value = NULL;
	}
	o->nheaders = 0;
	if (r->status == 0)
		render_internal(r);
}
