/*
 * One request as the API sees it, with no transport in it: the matched
 * route and its path arguments, the authenticated caller, the checked
 * query, the parsed body, and what the request came to.
 *
 * A handler sets the request's outcome (a record to show, a body, or a
 * refusal) and nothing else; api_render() turns the outcome into the reply
 * exactly once: inside the write transaction for a request with an
 * Idempotency-Key (its reply is stored with it), after the commit
 * otherwise. The HTTP server only sends the reply.
 */
#ifndef DROPLINE_API_REQUEST_H
#define DROPLINE_API_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "api/query.h"
#include "api/route.h"
#include "domain/apikey.h"
#include "domain/refusal.h"
#include "domain/validation.h"

#define REQUEST_ID_MAX	  65
#define REPLY_MAX_HEADERS 6

struct api;
struct resource;

struct caller {
	party_kind party; /* PARTY_NONE on routes that need no key */
	int64_t party_id;
	int64_t key_id;	   /* the API key, 0 for a request made with an OAuth access token */
	int64_t client_id; /* the OAuth client whose access token it is, else 0 */
};

typedef enum {
	OUTCOME_NONE,	 /* not decided yet */
	OUTCOME_RECORD,	 /* show one record of `resource`, read when rendered */
	OUTCOME_JSON,	 /* this document */
	OUTCOME_TEXT,	 /* these bytes of JSON (or none) */
	OUTCOME_REFUSAL, /* the refusal */
	OUTCOME_WAIT,	 /* nothing yet: hold the request (a long-poll, api/api.h) */
} outcome_kind;

struct reply_header {
	char *name; /* owned */
	char *value;
};

struct outcome {
	outcome_kind kind;
	unsigned status; /* RECORD, JSON, TEXT */
	/* RECORD: whose record, and which. */
	const struct resource *resource;
	party_kind party;
	int64_t party_id;
	int64_t id;
	json_t *json; /* JSON: owned */
	char *text;   /* TEXT: owned; NULL for no body */
	size_t len;
	struct refusal refusal; /* REFUSAL */
	/* WAIT: until this time (time_monotonic_ms()), or news for the caller's party since seq. */
	int64_t wait_until_ms;
	uint64_t wait_seq;
	struct reply_header headers[REPLY_MAX_HEADERS];
	size_t nheaders;
};

/* What api_render() made of an outcome: what the server sends. */
struct reply {
	unsigned status; /* 0 until rendered */
	char *body;	 /* owned JSON text, NULL for none */
	size_t body_len;
	struct reply_header headers[REPLY_MAX_HEADERS];
	size_t nheaders;
};

struct api_request {
	struct api *app;
	const char *method; /* borrowed from the transport for the request's life */
	const char *path;
	struct route_result route;
	struct caller caller;
	struct query query;
	json_t *body; /* parsed JSON body, NULL when there was none (the bytes are not kept) */
	/* A ROUTE_BODY_RAW route's body as received (the server owns it); else NULL. */
	const char *raw_body;
	size_t raw_body_len;
	const char *idempotency_key; /* NULL when none */
	const char *authorization;   /* the header, NULL when none (the token endpoint's) */
	const char *content_type;    /* the header, NULL when none */
	const char *if_none_match;   /* NULL when none */
	int64_t wait_deadline_ms;    /* a long-poll's deadline once it started waiting, else 0 */
	int64_t wait_after; /* a held feed read resumes after this event id (0: as asked) */
	char request_id[REQUEST_ID_MAX];
	struct outcome out;
	struct reply reply;
	void *priv; /* the API's own per-request state */
};

/* Prepares a request of `app` for a transport that fills method, path and the rest. */
void api_request_init(struct api_request *req, struct api *app);

/* Frees everything the request holds (query, body, outcome, reply, private state). */
void api_request_clear(struct api_request *req);

/* The route's n-th path argument (0 is the party id on /v1/ routes). */
int64_t request_arg(const struct api_request *req, size_t n);

/*
 * Refusals. api_refuse() makes `code` the request's outcome and returns
 * its refusal, for the values its message template names; the other
 * api_reject*() helpers of src/api/handler.h fill the common ones.
 */
struct refusal *api_refuse(struct api_request *req, refusal_code code);

/* Refuses with fe's problems as the refusal's fields (internal when fe ran out of memory). */
void api_refuse_fields(struct api_request *req, refusal_code code, const field_errors *fe);

/* Adds a reply header to the outcome (name and value copied). */
void outcome_header(struct outcome *o, const char *name, const char *value);

/* Adds a header to a rendered reply (name and value copied). */
void reply_add_header(struct reply *r, const char *name, const char *value);

/* Frees what an outcome holds and makes it OUTCOME_NONE. */
void outcome_clear(struct outcome *o);

/* Frees what a reply holds and makes it unrendered. */
void reply_clear(struct reply *r);

/*
 * api_render() turns req->out into req->reply, once: a request already
 * rendered keeps its reply. A record is read here (from the committed
 * state, through the representation cache; for GET with its ETag and 304).
 * Never fails: what cannot be rendered becomes the 500 body.
 */
void api_render(struct api_request *req);

#endif
