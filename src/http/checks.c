/* The checks before a handler; see include/http/checks.h. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "api/api.h"
#include "api/auth.h"
#include "domain/jsonscan.h"
#include "domain/oauth.h"
#include "http/checks.h"

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

/*
 * Takes one request of the rate of `rate_key` (an API key's id, or minus an
 * OAuth client's id: one bucket per key and per client); false when refused.
 */
static bool check_rate(struct api_request *req, const struct request_input *in, int64_t rate_key)
{
	if (in->limiter == NULL || rate_key == 0)
		return true;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	unsigned wait = rate_limiter_take(in->limiter, rate_key,
					  (double)now.tv_sec + (double)now.tv_nsec / 1e9);
	if (wait == 0)
		return true;
	api_refuse(req, REFUSED_RATE)->number = wait;
	return false;
}

/* The key, then its rate; false when either refused. */
static bool check_caller(struct api_request *req, const struct request_input *in)
{
	if (!api_authenticate(req, in->authorization))
		return false;
	return check_rate(req, in,
			  req->caller.client_id ? -req->caller.client_id : req->caller.key_id);
}

/* The token endpoint counts against the rate of the client it names, if any. */
static bool check_token_rate(struct api_request *req, const struct request_input *in)
{
	if (in->limiter == NULL)
		return true;
	struct oauth_token_request tr;
	oauth_parse_token_request(in->authorization, in->content_type, in->body, in->body_len, &tr);
	int64_t client_id = tr.client_id;
	sodium_memzero(&tr, sizeof(tr));
	return check_rate(req, in, -client_id);
}

/*
 * The likely cause of a JSON syntax error, when the text shows one: the
 * seeds' own examples have trailing commas and missing commas.
 */
static const char *json_error_hint(const char *body, size_t len, const json_error_t *jerr)
{
	size_t at =
		jerr->position > 0 && (size_t)jerr->position <= len ? (size_t)jerr->position : len;
	/* The character jansson stopped at, and the one before it that is not space. */
	size_t i = at > 0 ? at - 1 : 0;
	while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
		i++;
	if (i >= len)
		return NULL;
	char stop = body[i];
	size_t j = i;
	while (j > 0) {
		char ch = body[--j];
		if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n') {
			if (ch == ',' && (stop == '}' || stop == ']'))
				return stop == '}' ? "a trailing comma before '}'?"
						   : "a trailing comma before ']'?";
			if ((ch == '"' || ch == '}' || ch == ']' || (ch >= '0' && ch <= '9') ||
			     ch == 'e' || ch == 'l') &&
			    stop == '"')
				return "a missing comma between two members?";
			break;
		}
	}
	return NULL;
}

/* Content type, JSON syntax, and a body where the route takes none; false when refused. */
static bool check_body(struct api_request *req, const struct request_input *in)
{
	if (req->route.route->accepts_body == ROUTE_BODY_RAW) {
		req->raw_body = in->body;
		req->raw_body_len = in->body_len;
		return true;
	}
	if (in->body_len == 0)
		return true;
	if (!content_type_is_json(in->content_type)) {
		api_refuse(req, REFUSED_MEDIA_TYPE);
		return false;
	}
	/* What the tree can become, before it is built. */
	struct json_scan scan;
	switch (json_scan(in->body, in->body_len, JSON_SCAN_MAX_VALUES, JSON_SCAN_MAX_DEPTH,
			  &scan)) {
	case JSON_SCAN_OK: break;
	case JSON_SCAN_TOO_MANY:
		api_refuse(req, REFUSED_TOO_MANY_VALUES)->number = JSON_SCAN_MAX_VALUES;
		return false;
	case JSON_SCAN_TOO_DEEP:
		refusal_text(api_refuse(req, REFUSED_JSON),
			     "line %d, column %d: nested deeper than %d levels", scan.line,
			     scan.column, JSON_SCAN_MAX_DEPTH);
		return false;
	case JSON_SCAN_UNDERFLOW:
		refusal_text(api_refuse(req, REFUSED_JSON),
			     "line %d, column %d: a number too small to hold (it would be read "
			     "as 0); amounts take at most two decimals",
			     scan.line, scan.column);
		return false;
	}
	if (in->budget != NULL) {
		size_t tree = JSON_SCAN_TREE_BYTES(scan.values, in->body_len);
		if (!body_budget_take(in->budget, tree)) {
			api_refuse(req, REFUSED_MEMORY)->number = 1;
			return false;
		}
		*in->budget_held += tree;
	}
	json_error_t jerr;
	req->body = json_loadb(in->body, in->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (req->body == NULL) {
		struct refusal *r = api_refuse(req, REFUSED_JSON);
		const char *hint = json_error_hint(in->body, in->body_len, &jerr);
		refusal_text(r, "line %d, column %d: %s%s%s%s", jerr.line, jerr.column, jerr.text,
			     hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
		return false;
	}
	if (req->route.route->accepts_body)
		return true;
	/* An empty object is what some clients send with every PUT. */
	bool empty = json_is_object(req->body) && json_object_size(req->body) == 0;
	json_decref(req->body);
	req->body = NULL;
	if (!empty)
		api_refuse(req, REFUSED_BODY_NOT_TAKEN);
	return empty;
}

checks_result request_check_head(struct api_request *req, const struct route *routes,
				 size_t nroutes, const struct request_input *in)
{
	route_match m = router_match(routes, nroutes, req->method, req->path, &req->route);
	if (m == ROUTE_NOT_FOUND) {
		refusal_text(api_refuse(req, REFUSED_ROUTE_UNKNOWN), "%s %.200s", req->method,
			     req->path);
		return CHECKS_REFUSED;
	}
	if (m == ROUTE_METHOD_NOT_ALLOWED) {
		struct refusal *r = api_refuse(req, REFUSED_METHOD);
		refusal_text(r, "%s", req->method);
		refusal_text2(r, "%s", req->route.allow);
		return CHECKS_REFUSED;
	}
	const struct route *route = req->route.route;
	if (in->body_too_large) {
		api_refuse(req, REFUSED_TOO_LARGE)->number = (int64_t)in->body_limit;
		return CHECKS_REFUSED;
	}
	if (in->body_over_budget) {
		api_refuse(req, REFUSED_MEMORY)->number = 1;
		return CHECKS_REFUSED;
	}
	if (route->party != PARTY_NONE && !check_caller(req, in))
		return CHECKS_REFUSED;
	req->authorization = in->authorization;
	req->content_type = in->content_type;
	return api_is_write(req->method) ? CHECKS_WRITE : CHECKS_READ;
}

checks_result request_check_rest(struct api_request *req, const struct request_input *in)
{
	if (in->body_too_large) {
		api_refuse(req, REFUSED_TOO_LARGE)->number = (int64_t)in->body_limit;
		return CHECKS_REFUSED;
	}
	/* The token endpoint's client is named in its body: its rate is checked here. */
	if (req->route.route->accepts_body == ROUTE_BODY_RAW && !check_token_rate(req, in))
		return CHECKS_REFUSED;
	field_errors fe;
	field_errors_init(&fe);
	bool query_ok =
		query_parse(req->route.route->query, in->pairs, in->npairs, &req->query, &fe);
	if (!query_ok)
		api_refuse_fields(req, REFUSED_PARAMETERS, &fe);
	field_errors_free(&fe);
	if (!query_ok || !check_body(req, in))
		return CHECKS_REFUSED;
	req->if_none_match = in->if_none_match;
	req->idempotency_key = in->idempotency_key;
	return api_is_write(req->method) ? CHECKS_WRITE : CHECKS_READ;
}

checks_result request_check(struct api_request *req, const struct route *routes, size_t nroutes,
			    const struct request_input *in)
{
	if (request_check_head(req, routes, nroutes, in) == CHECKS_REFUSED)
		return CHECKS_REFUSED;
	return request_check_rest(req, in);
}
