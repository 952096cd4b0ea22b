/*
 * Matching a request's method and path against the static route table.
 *
 * Patterns are literal segments and ":name" segments; a ":name" segment
 * matches a positive decimal integer (no sign, at most 18 digits) that is
 * handed to the handler in args[]. Every path matches with or without one
 * trailing slash. A path whose segments match some route but none with this
 * method is "method not allowed", with the methods that would match.
 */
#ifndef DROPLINE_API_ROUTE_H
#define DROPLINE_API_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "domain/apikey.h"

#define ROUTE_MAX_ARGS 4
/*
 * accepts_body of a route that reads its body itself, whatever its type
 * (the token endpoint's form): the checks keep it raw, with the
 * Authorization and Content-Type headers, and the route answers its own
 * errors.
 */
#define ROUTE_BODY_RAW 2
/* Enough for every method of the table, comma-separated. */
#define ROUTE_ALLOW_MAX 64

struct api_request;
struct query_param;
struct resource;

/* A handler sets the request's outcome (api/request.h); one that does not answers 500. */
typedef void (*handler_fn)(struct api_request *req);

struct route {
	const char *method;  /* "GET", "POST", "PUT" */
	const char *pattern; /* "/v1/retailers/:retailer_id/orders/:id" */
	handler_fn handler;
	/*
	 * Who may call it: PARTY_NONE needs no key; otherwise the key's party
	 * must be this kind and its id the route's first argument.
	 */
	party_kind party;
	const struct query_param *query; /* accepted query parameters, may be NULL */
	int accepts_body; /* 1 when the route reads a JSON body; ROUTE_BODY_RAW: its own */
	/* The resource the route serves, for the shared handlers (api_get, api_list). */
	const struct resource *resource;
};

typedef enum {
	ROUTE_FOUND,
	ROUTE_METHOD_NOT_ALLOWED,
	ROUTE_NOT_FOUND,
} route_match;

struct route_result {
	const struct route *route; /* set when ROUTE_FOUND */
	int64_t args[ROUTE_MAX_ARGS];
	size_t nargs;
	char allow[ROUTE_ALLOW_MAX]; /* set when ROUTE_METHOD_NOT_ALLOWED */
};

/*
 * router_match() finds the route for `method` and `path` in `table` (of n
 * routes). HEAD matches GET routes. Returns ROUTE_FOUND and fills
 * res->route and res->args, ROUTE_METHOD_NOT_ALLOWED and fills res->allow
 * ("GET, POST"), or ROUTE_NOT_FOUND.
 */
route_match router_match(const struct route *table, size_t n, const char *method, const char *path,
			 struct route_result *res);

#endif
