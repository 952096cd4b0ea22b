/* Replies and the contract's error bodies; see include/http/request.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/request.h"

/* Last resort when even an error body cannot be built. */
static const char internal_body[] =
	"{\"error\": {\"code\": \"internal\", \"message\": \"internal error\", \"fields\": []}}";

int64_t request_arg(const struct request *req, size_t n)
{
	return n < req->route.nargs ? req->route.args[n] : 0;
}

void reply_clear(struct reply *r)
{
	free(r->body);
	r->body = NULL;
	r->body_len = 0;
	r->status = 0;
	for (size_t i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	r->nheaders = 0;
}

/* Sets the fixed 500 body; never fails. */
static void reply_internal(struct request *req)
{
	free(req->reply.body);
	req->after_commit.build = NULL; /* a failure replaces a deferred answer */
	req->reply.status = 500;
	req->reply.body = strdup(internal_body);
	req->reply.body_len = req->reply.body ? strlen(internal_body) : 0;
}

bool request_after_commit(struct request *req, const struct after_commit *ac)
{
	if (!req->may_defer_reply)
		return false;
	req->after_commit = *ac;
	free(req->reply.body);
	req->reply.body = NULL;
	req->reply.body_len = 0;
	req->reply.status = ac->status;
	return true;
}

void reply_text(struct request *req, unsigned status, char *body, size_t len)
{
	free(req->reply.body);
	req->after_commit.build = NULL;
	req->reply.status = status;
	req->reply.body = body;
	req->reply.body_len = body != NULL ? len : 0;
}

void reply_json(struct request *req, unsigned status, json_t *body)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (text == NULL) {
		reply_internal(req);
		return;
	}
	free(req->reply.body);
	req->after_commit.build = NULL; /* an answer set now replaces a deferred one */
	req->reply.status = status;
	req->reply.body = text;
	req->reply.body_len = strlen(text);
}

json_t *error_body(const char *code, const char *message, json_t *fields)
{
	json_t *list = fields ? json_incref(fields) : json_array();
	if (list == NULL)
		return NULL;
	return json_pack("{s:{s:s, s:s, s:o}}", "error", "code", code, "message", message, "fields",
			 list);
}

void reply_error(struct request *req, unsigned status, const char *code, const char *fmt, ...)
{
	char message[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	text_make_utf8(message);
	json_t *body = error_body(code, message, NULL);
	if (body == NULL) {
		reply_internal(req);
		return;
	}
	reply_json(req, status, body);
}

void reply_field_errors(struct request *req, const char *code, const field_errors *fe)
{
	if (fe->oom) {
		reply_internal(req);
		return;
	}
	size_t n = field_errors_count(fe);
	const char *what = strcmp(code, "invalid_parameter") == 0 ? "query parameter" : "field";
	char message[64];
	snprintf(message, sizeof(message), "%zu %s%s %s invalid", n, what, n == 1 ? "" : "s",
		 n == 1 ? "is" : "are");
	json_t *body = error_body(code, message, fe->list);
	if (body == NULL) {
		reply_internal(req);
		return;
	}
	reply_json(req, 400, body);
}

void reply_store_error(struct request *req, store_status st)
{
	if (st == STORE_BUSY)
		reply_error(req, 503, "unavailable", "the store is busy; retry shortly");
	else if (st == STORE_FULL)
		reply_error(req, 503, "unavailable",
			    "the store is out of space; nothing was written; retry later");
	else
		reply_error(req, 500, "internal", "internal error");
}

void reply_header(struct request *req, const char *name, const char *value)
{
	struct reply *r = &req->reply;
	if (r->nheaders == REPLY_MAX_HEADERS)
		return;
	char *n = strdup(name), *v = strdup(value);
	if (n == NULL || v == NULL) {
		free(n);
		free(v);
		return;
	}
	r->headers[r->nheaders].name = n;
	r->headers[r->nheaders].value = v;
	r->nheaders++;
}
