/*
 * One HTTP request as handlers see it, and the ways they answer it.
 *
 * The server allocates a request on libmicrohttpd's first access-handler
 * call, fills it (matched route, path arguments, authenticated caller,
 * checked query, parsed body) and frees it when the connection reports the
 * request completed. A handler sets exactly one reply with the reply_*()
 * functions; the server queues it.
 */
#ifndef DROPLINE_HTTP_REQUEST_H
#define DROPLINE_HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "domain/apikey.h"
#include "domain/validation.h"
#include "http/query.h"
#include "http/router.h"
#include "store/store.h"

#define REQUEST_ID_MAX	  65
#define REPLY_MAX_HEADERS 6

struct caller {
	party_kind party; /* PARTY_NONE on routes that need no key */
	int64_t party_id;
	int64_t key_id;
};

struct reply_header {
	char *name;
	char *value;
};

struct reply {
	unsigned status; /* 0 until a reply is set */
	char *body;	 /* malloc'd JSON text */
	size_t body_len;
	struct reply_header headers[REPLY_MAX_HEADERS];
	size_t nheaders;
};

/*
 * A reply built once the request's write has committed, on the worker
 * thread and through a read connection, instead of inside the write
 * transaction (which the committer runs for a whole batch, one request
 * after the other). A handler sets it through request_after_commit().
 */
struct after_commit {
	void (*build)(struct request *req, const struct after_commit *ac);
	unsigned status;
	const void *what; /* the handler's own description of the reply */
	party_kind party;
	int64_t party_id;
	int64_t id;
};

struct reply_cache;

struct request {
	store *store;
	struct reply_cache *cache; /* serialized representations (http/cache.h); may be NULL */
	const char *method;	   /* owned by libmicrohttpd for the request's life */
	const char *path;
	struct route_result route;
	struct query query;
	json_t *body; /* parsed JSON body, or NULL when there was none */
	struct caller caller;
	const char *if_none_match; /* the If-None-Match header, or NULL */
	char request_id[REQUEST_ID_MAX];
	struct reply reply;
	/*
	 * Set by the server for a write whose reply need not be stored with
	 * it (no Idempotency-Key): the handler may defer reading its reply
	 * until after the commit (request_after_commit()).
	 */
	bool may_defer_reply;
	struct after_commit after_commit; /* build == NULL: none */
	void *server_private;		  /* the server's own per-request state */
};

/*
 * When req->may_defer_reply, records `ac` to be built after the commit,
 * sets the reply's status (so the write counts as answered with it) and
 * returns true; otherwise returns false and the caller answers now.
 */
bool request_after_commit(struct request *req, const struct after_commit *ac);

/* The route's n-th path argument (0 is the party id on /v1/ routes). */
int64_t request_arg(const struct request *req, size_t n);

/*
 * reply_json() answers `status` with `body`, which it takes over (and frees
 * even on failure). A body that cannot be serialised becomes a 500.
 */
void reply_json(struct request *req, unsigned status, json_t *body);

/* reply_text() answers `status` with JSON text it takes over (NULL: no body). */
void reply_text(struct request *req, unsigned status, char *body, size_t len);

/* reply_error() answers with the contract's error shape and no fields. */
void reply_error(struct request *req, unsigned status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * reply_field_errors() answers 400 with `code` and every field problem
 * collected in fe ("2 fields are invalid"). fe stays the caller's.
 */
void reply_field_errors(struct request *req, const char *code, const field_errors *fe);

/* reply_store_error() answers a failed store call: 503 when busy, else 500. */
void reply_store_error(struct request *req, store_status st);

/* Adds a header to the reply (copied). Later replies keep earlier headers. */
void reply_header(struct request *req, const char *name, const char *value);

/* Frees what a reply holds and makes it unset. */
void reply_clear(struct reply *r);

/*
 * error_body() builds {"error": {"code", "message", "fields": [...]}}.
 * `fields` is borrowed and may be NULL (an empty list). NULL on no memory.
 */
json_t *error_body(const char *code, const char *message, json_t *fields);

#endif
