/*
 * The API as the HTTP server uses it: the application (store, group
 * commit, representation cache), the route table, and the two ways a
 * checked request runs: a read at once, a write in a batch of the group
 * commit. Nothing here shows the store's types: the server knows requests,
 * outcomes and replies only.
 */
#ifndef DROPLINE_API_API_H
#define DROPLINE_API_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/request.h"
#include "api/route.h"

/* 8 MiB of cached representations (~2,700 orders): docs/performance.md. */
#define API_CACHE_BYTES ((size_t)8 << 20)

/* Events are kept this long by default (CONTRACT.md section 10). */
#define API_EVENT_RETENTION_DAYS 30

struct metrics;
struct logger;
/* OAuth access tokens live this long by default (CONTRACT.md section 18). */
#define API_TOKEN_TTL 36000
/* At most this many live access tokens per OAuth client (docs/reliability.md). */
#define API_TOKENS_PER_CLIENT 100
/* Webhook delivery (CONTRACT.md section 11); 0 or NULL fields take the defaults. */
#define API_WEBHOOK_RETRY_BASE 10.0		 /* seconds to the first retry, then doubling */
#define API_WEBHOOK_RETRY_MAX  3600.0		 /* at most this long between attempts */
#define API_WEBHOOK_TIMEOUT    10.0		 /* seconds for the receiver's answer */
#define API_WEBHOOK_GIVE_UP    (3.0 * 24 * 3600) /* failing this long disables */
#define API_WEBHOOKS_PER_PARTY 50		 /* subscriptions a party may have */

struct api_webhook_options {
	double retry_base;    /* seconds, fractions allowed */
	double timeout;	      /* seconds */
	double give_up;	      /* seconds */
	bool allow_http;      /* http:// URLs too */
	bool allow_private;   /* URLs reaching loopback, private, link-local addresses too */
	const char *key_file; /* the key sealing the secrets; NULL: "<database>.webhook-key" */
};

struct api_options {
	size_t cache_bytes;	       /* serialized representations kept; 0: API_CACHE_BYTES */
	unsigned event_retention_days; /* 0: API_EVENT_RETENTION_DAYS */
	/*
	 * The registry GET /metrics renders (domain/metrics.h), where the API
	 * registers its own series (group commit, events, cache, database
	 * size); NULL turns /metrics off (404). It must outlive the API.
	 */
	struct metrics *metrics;
	const struct logger *log; /* domain/log.h; NULL: no lines */
	int64_t token_ttl;	  /* seconds; 0: API_TOKEN_TTL */
	struct api_webhook_options webhooks;
};

struct api;
struct store; /* store/store.h: opaque here */

/* The route table (CONTRACT.md section 4 and part two). */
extern const struct route api_routes[];
extern const size_t api_routes_count;

/*
 * api_new() makes the application over an open store and starts its
 * committer thread. NULL when out of memory or threads. The store must
 * outlive it.
 */
struct api *api_new(struct store *s, const struct api_options *opts);

/*
 * api_stop_writes() settles every write already queued (each one's done()
 * is called) and stops the committer: writes submitted later are refused
 * (run them with api_write_inline()). Once is enough.
 */
void api_stop_writes(struct api *app);

/* Stops the committer when running, and frees the application. NULL is ignored. */
void api_free(struct api *app);

struct api_stats {
	uint64_t batches, writes, largest_batch; /* group commit */
	uint64_t cache_hits, cache_misses;
};
void api_stats(struct api *app, struct api_stats *out);

/* True for the methods that write (POST, PUT, DELETE). */
bool api_is_write(const char *method);

/* Runs a checked read's handler; the outcome is then rendered with api_render(). */
void api_handle_read(struct api_request *req);

/*
 * api_write_submit() queues a checked write for the committer, which runs
 * it inside a batch and, once the batch is settled, calls done(req, cls)
 * on its own thread: the outcome is final (a failed batch's requests are
 * refused with the store's status) and is rendered after that with
 * api_render() on the caller's thread. False when the committer is
 * stopping: run the write with api_write_inline() instead.
 */
typedef void (*api_write_done)(struct api_request *req, void *cls);
bool api_write_submit(struct api_request *req, api_write_done done, void *cls);

/* Runs a checked write in a transaction of its own, on the calling thread. */
void api_write_inline(struct api_request *req);

/*
 * Long-polls. A read whose outcome is OUTCOME_WAIT asks the transport to
 * hold it, without a thread, until its caller's party has news or
 * out.wait_until_ms passes, then to run it again with api_handle_read().
 * The API calls the listener, on the thread that committed, for every party
 * that a commit gave events, after api_events_seq() has moved past them:
 * a transport that finds api_events_seq() above out.wait_seq when it is
 * about to hold a request runs it again at once instead, so no event falls
 * between the read and the hold. A party_id of 0 means every party: a
 * commit that touched more parties than it tracks wakes every long-poll.
 */
typedef void (*api_events_listener)(party_kind party, int64_t party_id, void *ctx);
void api_listen_events(struct api *app, api_events_listener fn, void *ctx);
uint64_t api_events_seq(struct api *app);

/*
 * Webhook delivery: one thread driving every subscription (libcurl's multi
 * interface), started and stopped with the server. api_webhooks_start()
 * answers false when the thread cannot start; stopping abandons requests in
 * flight (their events are delivered again: at least once).
 */
bool api_webhooks_start(struct api *app);
void api_webhooks_stop(struct api *app);

/* Counters for /metrics (section 19): attempts by outcome and what waits. */
struct api_webhook_stats {
	uint64_t delivered; /* answered 2xx */
	uint64_t failed;    /* answered otherwise, timed out or could not connect */
	uint64_t refused;   /* the address was refused at connect time */
	uint64_t disabled;  /* subscriptions given up on */
	uint64_t in_flight; /* requests under way now */
	uint64_t waiting;   /* subscriptions with an event to deliver (queue depth) */
};
void api_webhook_stats(struct api *app, struct api_webhook_stats *out);

/* Periodic work (the transport calls it every few seconds): event retention. */
void api_tick(struct api *app);

#endif
