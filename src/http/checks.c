/* The checks before a handler; see include/http/checks.h. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http/auth.h"
#include "http/checks.h"
#include "http/idempotency.h"

/* True for "application/json" with optional parameters (charset). */
static bool content_type_is_json(const char *ct)
{
	static const char json[] = "application/json";
	if (ct == NULL)
		return false;
	while (*ct == ' ')
		ct++;
	if (strncasecmp(ct, json, sizeof(json) - 1) != 0)
		return false;
	ct += sizeof(json) - 1;
	while (*ct == ' ')
		ct++;
	return *ct == '\0' || *ct == ';';
}

static void reply_unauthorized(struct request *req, const char *message)
{
	reply_error(req, 401, "unauthorized", "%s", message);
	reply_header(req, "WWW-Authenticate", "Bearer realm=\"dropline\"");
}

/* The key, then its rate; false when either answered. */
static bool check_caller(struct request *req, const struct request_input *in)
{
	const struct route *route = req->route.route;
	store_status st;
	switch (auth_authenticate(req->store, in->authorization, route->party, request_arg(req, 0),
				  &req->caller, &st)) {
	case AUTH_OK: break;
	case AUTH_MISSING:
		reply_unauthorized(req, "an API key is required: Authorization: Bearer <key>");
		return false;
	case AUTH_INVALID:
		reply_unauthorized(req, "the API key is not valid or was revoked");
		return false;
	case AUTH_FORBIDDEN:
		reply_error(req, 403, "forbidden", "this key is %s %lld's, not %s %lld's",
			    party_kind_name(req->caller.party), (long long)req->caller.party_id,
			    party_kind_name(route->party), (long long)request_arg(req, 0));
		return false;
	case AUTH_STORE_FAILED: reply_store_error(req, st); return false;
	}
	if (in->limiter == NULL)
		return true;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	unsigned wait = rate_limiter_take(in->limiter, req->caller.key_id,
					  (double)now.tv_sec + (double)now.tv_nsec / 1e9);
	if (wait == 0)
		return true;
	char seconds[16];
	snprintf(seconds, sizeof(seconds), "%u", wait);
	reply_error(req, 429, "rate_limited", "too many requests with this key; retry in %u s",
		    wait);
	reply_header(req, "Retry-After", seconds);
	return false;
}

/* Content type, JSON syntax, and a body where the route takes none; false when answered. */
static bool check_body(struct request *req, const struct request_input *in)
{
	if (in->body_len == 0)
		return true;
	if (!content_type_is_json(in->content_type)) {
		reply_error(req, 415, "unsupported_media_type",
			    "the body must be JSON, sent as Content-Type: application/json");
		return false;
	}
	json_error_t jerr;
	req->body = json_loadb(in->body, in->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (req->body == NULL) {
		reply_error(req, 400, "invalid_json", "invalid JSON at line %d, column %d: %s",
			    jerr.line, jerr.column, jerr.text);
		return false;
	}
	if (req->route.route->accepts_body)
		return true;
	/* An empty object is what some clients send with every PUT. */
	bool empty = json_is_object(req->body) && json_object_size(req->body) == 0;
	json_decref(req->body);
	req->body = NULL;
	if (!empty)
		reply_error(req, 400, "validation_failed", "this request takes no body");
	return empty;
}

checks_result request_check(struct request *req, const struct route *routes, size_t nroutes,
			    const struct request_input *in)
{
	route_match m = router_match(routes, nroutes, req->method, req->path, &req->route);
	if (m == ROUTE_NOT_FOUND) {
		reply_error(req, 404, "not_found", "no such route: %s %.200s", req->method,
			    req->path);
		return CHECKS_ANSWERED;
	}
	if (m == ROUTE_METHOD_NOT_ALLOWED) {
		reply_error(req, 405, "method_not_allowed", "%s is not allowed here; allowed: %s",
			    req->method, req->route.allow);
		reply_header(req, "Allow", req->route.allow);
		return CHECKS_ANSWERED;
	}
	const struct route *route = req->route.route;
	if (in->body_too_large) {
		reply_error(req, 413, "payload_too_large", "the body is larger than %zu bytes",
			    in->body_limit);
		return CHECKS_ANSWERED;
	}
	if (route->party != PARTY_NONE && !check_caller(req, in))
		return CHECKS_ANSWERED;
	field_errors fe;
	field_errors_init(&fe);
	bool query_ok = query_parse(route->query, in->pairs, in->npairs, &req->query, &fe);
	if (!query_ok)
		reply_field_errors(req, "invalid_parameter", &fe);
	field_errors_free(&fe);
	if (!query_ok || !check_body(req, in))
		return CHECKS_ANSWERED;
	req->if_none_match = in->if_none_match;
	if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)
		return CHECKS_READ;
	/* An idempotent reply is stored with the write: it is built inside it. */
	req->may_defer_reply = in->idempotency_key == NULL;
	return CHECKS_WRITE;
}

void request_handle(struct request *req, const struct request_input *in)
{
	if (idempotency_run(req, in->idempotency_key, in->body, in->body_len) != HANDLER_OK ||
	    req->reply.status == 0) {
		reply_clear(&req->reply);
		req->after_commit.build = NULL;
		reply_error(req, 500, "internal", "internal error");
	}
}
