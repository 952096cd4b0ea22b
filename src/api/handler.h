/*
 * What every resource of src/api/ is built from. A handler is
 *   parse  (api_read_body: the body against its declared spec),
 *   load, decide, save (api_tx: one transaction whose callback reads the
 *          state, asks domain/rules.h, and records a refusal where it finds
 *          one with api_reject*()),
 *   answer (api_record: the record to show; rendered later, once).
 * Reads of one record and lists need no handler of their own: a route row
 * names its resource and api_get or api_list.
 *
 * Internal to src/api/.
 */
#ifndef DROPLINE_API_HANDLER_H
#define DROPLINE_API_HANDLER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "api/api.h"
#include "api/request.h"
#include "cache.h"
#include "domain/spec.h"
#include "domain/validation.h"
#include "store/store.h"
#include "store/store_records.h"

struct api {
	store *store;
	struct reply_cache *cache;
	store_committer *committer;
	int64_t event_retention_seconds;
	/* Long-polls: the events already announced, and who hears of new ones. */
	pthread_mutex_t events_lock; /* one announcer at a time */
	int64_t events_announced;    /* the newest event id told to the listener */
	atomic_uint_fast64_t events_seq;
	api_events_listener listener;
	void *listener_ctx;
	int64_t last_prune;		     /* time_now() of the last retention pass */
	struct metrics *metrics;	     /* NULL: /metrics is off */
	const struct logger *log;	     /* may be NULL */
	atomic_uint_fast64_t events_written; /* events committed since start */
	int64_t token_ttl;		     /* seconds an OAuth access token lives */
	/* Webhooks (webhooks.h): their options, the key sealing secrets, the engine. */
	struct api_webhook_options webhooks;
	struct webhook_keyring *webhook_keys;
	struct webhook_engine *webhook_engine;
	bool curl_ready; /* curl_global_init() succeeded: api_free() undoes it */
};

/* A kind of record the API shows: its name in messages, the store's kind, its shape. */
struct resource {
	const char *name; /* "order": "no order 7 here" */
	record_kind kind;
	json_t *(*represent)(json_t *record); /* NULL on no memory */
	const char *event_kind;		      /* "order" of "order.created"; NULL: no events */
	/*
	 * For kinds a party acknowledges (api_acknowledge): the rule the
	 * record must pass first, inside the transaction, for the request's
	 * party; STORE_OK, or a refusal recorded with api_reject*(). NULL:
	 * any record of the party may be acknowledged.
	 */
	store_status (*may_acknowledge)(store_conn *c, struct api_request *req, int64_t id);
};

extern const struct resource order_resource;
extern const struct resource shipment_resource;
extern const struct resource cancel_resource;
extern const struct resource connection_resource;

/*
 * Runs the route's handler afresh (a write may run again after a lost
 * batch); a handler that decided nothing is refused as internal.
 */
void api_run_handler(struct api_request *req);

/* The route's party: PARTY_RETAILER on /v1/retailers/..., PARTY_BRAND on /v1/brands/.... */
party_kind request_party(const struct api_request *req);

/*
 * api_read_body() reads the request's body against `spec` into `out`
 * (context goes to the spec's rules hooks). On any problem the request is
 * refused with all of them (400 validation_failed) and false is returned.
 * Free `out` with spec_free() either way.
 */
bool api_read_body(struct api_request *req, const struct spec *spec, void *out, void *context);

/*
 * api_tx() runs `fn` in a write transaction (a savepoint of the batch when
 * the committer runs the request). True when it committed; otherwise the
 * request is refused: by the callback (STORE_REJECTED, with the refusal it
 * recorded) or for the store's failure (busy, full, broken).
 */
bool api_tx(struct api_request *req, const char *name, store_tx_fn fn, void *ctx);

/* api_read() is api_tx() for a read transaction (one snapshot). */
bool api_read(struct api_request *req, store_tx_fn fn, void *ctx);

/*
 * Refusing from a handler or a transaction callback: each makes the
 * refusal the request's outcome and returns STORE_REJECTED, which a
 * callback returns as it is.
 */
store_status api_reject(struct api_request *req, refusal_code code, int64_t id);
store_status api_reject_missing(struct api_request *req, const char *kind, int64_t id);
/* Takes fe's problems as the refusal's fields (a 500 when fe ran out of memory). */
store_status api_reject_fields(struct api_request *req, refusal_code code, field_errors *fe);
/* A failed store call: 503 when busy or full, else 500. */
store_status api_reject_store(struct api_request *req, store_status st);

/* The outcome "show record `id` of `resource`" for the route's party. */
void api_record(struct api_request *req, unsigned status, const struct resource *resource,
		int64_t id);

/* The outcome "answer this document" (taken over). */
void api_json(struct api_request *req, unsigned status, json_t *body);

/* The outcome "answer this JSON text" (taken over; NULL: no body). */
void api_text(struct api_request *req, unsigned status, char *text);

/*
 * api_emit() writes the event `type` ("shipment.created") about record
 * `id` of `resource`, inside the caller's write transaction: the actor is
 * the request's caller, the parties are those of the record's order, and
 * the data is the record's representation as of now. When `text` is not
 * NULL it gets that representation (malloc'd, the caller frees it), which
 * is also what a write answers.
 */
store_status api_emit(store_conn *c, struct api_request *req, const char *type,
		      const struct resource *resource, int64_t id, char **text);

/* Announces the events committed since the last call (after every commit). */
void api_events_announce(struct api *app);

/*
 * PUT .../{resources}/{id}/acknowledge/: marks a record of the route's
 * resource acknowledged (again is harmless), once its may_acknowledge rule
 * allows it, and answers the record.
 */
void api_acknowledge(struct api_request *req);

/* GET .../{resources}/{id}/: one record of the route's resource. */
void api_get(struct api_request *req);

/* GET .../{resources}/: a page of the route's resource under the query's filters. */
void api_list(struct api_request *req);

/*
 * api_list_of_order() is api_list() for the records of one order of the
 * route's party (its timeline): 404 when the order is not the party's.
 */
void api_list_of_order(struct api_request *req, const struct resource *resource, int64_t order_id);

/* ---- the resources (one file each), for the route table ------------------ */

/* Orders (orders.c). */
extern const struct query_param api_orders_list_query[];
void api_orders_create(struct api_request *req);

/* Shipments (shipments.c). */
extern const struct query_param api_shipments_list_query[];
void api_shipments_create(struct api_request *req);

/* Cancellations (cancels.c), both sides. */
extern const struct query_param api_cancels_list_query[];
void api_cancels_create(struct api_request *req);

/* POST /auth/token/ (token.c): OAuth2 client credentials. */
void api_token(struct api_request *req);

/* Connections (connections.c), both sides. */
extern const struct query_param api_connections_list_query[];

/* Events (events.c): the feed, with long-polls, and an order's timeline. */
extern const struct query_param api_events_query[];
extern const struct query_param api_timeline_query[];
void api_events_feed(struct api_request *req);
void api_order_events(struct api_request *req);
extern const struct resource event_resource;
/* A type filter: an event type ("order.created") or a kind's prefix ("order.*"). */
bool api_event_type_filter_valid(const char *text);
/* An event record (store_events_feed()) as the feed and webhooks show it; malloc'd, or NULL. */
char *api_event_text(json_t *record);

/* Webhooks (webhooks.c), both sides. */
extern const struct resource webhook_resource;
extern const struct query_param api_webhooks_list_query[];
extern const struct query_param api_webhook_deliveries_query[];
void api_webhooks_create(struct api_request *req);
void api_webhooks_delete(struct api_request *req);
void api_webhooks_enable(struct api_request *req);
void api_webhooks_deliveries(struct api_request *req);

/* GET /healthz: 200 {"status": "ok", ...} when the store answers, else 503. */
void api_health(struct api_request *req);

/* GET /livez: 200 {"status": "ok"} whenever the process answers; touches nothing. */
void api_livez(struct api_request *req);

/*
 * GET /readyz: 200 {"status": "ready", ...} when every migration is applied
 * and the store answers; 503 unavailable otherwise.
 */
void api_readyz(struct api_request *req);

/* GET /metrics: the registry in the Prometheus text format; 404 when metrics are off. */
void api_metrics(struct api_request *req);

/* Registers the API's own series in its registry (src/api/metrics.c). False on no memory. */
bool api_metrics_register(struct api *app);

#endif
