/*
 * The checks every request passes before its handler, in the contract's
 * order, independent of the transport: the server feeds them what
 * libmicrohttpd received, the fuzz harness what it made up.
 *
 * body size (413), route and method (404, 405), key (401, 403) and rate
 * (429), query (400 invalid_parameter), content type (415), the body's
 * values and depth before parsing (413, 400 invalid_json; a body budget
 * spent: 503), JSON syntax (400 invalid_json), a body where none is taken
 * (400). A request that
 * fails one is refused: the refusal is its outcome (api/request.h).
 */
#ifndef DROPLINE_HTTP_CHECKS_H
#define DROPLINE_HTTP_CHECKS_H

#include <stdbool.h>
#include <stddef.h>

#include "api/query.h"
#include "api/request.h"
#include "api/route.h"
#include "http/budget.h"
#include "http/ratelimit.h"

/* What a request brought besides its method and path; every pointer may be NULL. */
struct request_input {
	const char *authorization;
	const char *content_type;
	const char *idempotency_key;
	const char *if_none_match;
	const struct query_pair *pairs; /* the query, as decoded pairs */
	size_t npairs;
	const char *body; /* raw bytes, body_len of them */
	size_t body_len;
	bool body_too_large; /* over body_limit: the body was not kept */
	size_t body_limit;
	bool body_over_budget; /* the process's body budget was spent: the body was not kept */
	/*
	 * The process's budget for bodies (NULL: none): the parsed tree's bound
	 * is taken from it before parsing, and added to *budget_held.
	 */
	struct body_budget *budget;
	size_t *budget_held;
	struct rate_limiter *limiter; /* NULL for no limit */
};

typedef enum {
	CHECKS_REFUSED, /* a check failed: the request's outcome is its refusal */
	CHECKS_READ,	/* passed, a read: run it now (api_handle_read()) */
	CHECKS_WRITE,	/* passed, a write: run it in a write transaction */
} checks_result;

/*
 * request_check() matches the route and checks the request against it,
 * filling req->route, caller, query, body, raw body, idempotency key and
 * if_none_match. The input must outlive the request.
 */
checks_result request_check(struct api_request *req, const struct route *routes, size_t nroutes,
			    const struct request_input *in);

/*
 * The same in two steps, for a server that answers before the body
 * arrives: request_check_head() needs only the head (route and method, a
 * body declared too large, key and rate) and is what a client without a
 * valid key, or on no route, gets before any `100 Continue`;
 * request_check_rest(), on a request that passed it, checks the rest
 * (a body that grew too large, query, body). request_check() is both.
 */
checks_result request_check_head(struct api_request *req, const struct route *routes,
				 size_t nroutes, const struct request_input *in);
checks_result request_check_rest(struct api_request *req, const struct request_input *in);

#endif
