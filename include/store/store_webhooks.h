/*
 * Webhook subscriptions in the store (CONTRACT.md section 11): a party's
 * subscriptions (a record kind, store_records.h, for reads), their cursor
 * in the event feed and the log of delivery attempts. The cursor moves
 * only with a delivery's 2xx, in the transaction that logs it.
 */
#ifndef DROPLINE_STORE_WEBHOOKS_H
#define DROPLINE_STORE_WEBHOOKS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "domain/apikey.h"
#include "store/store.h"

/* The newest attempts kept per subscription (docs/reliability.md). */
#define STORE_WEBHOOK_LOG_KEEP 1000

struct webhook_insert {
	party_kind party;
	int64_t party_id;
	const char *url;
	const char *event_types; /* JSON array text */
	const char *description; /* NULL: none */
	const char *secret_sealed;
	int64_t created_at;
};

/* How many subscriptions a party has. */
store_status store_webhooks_count(store_conn *c, party_kind party, int64_t party_id, int64_t *n);

/*
 * Stores a subscription whose cursor is the newest event committed so far
 * (it receives the events committed after it); sets *id.
 */
store_status store_webhooks_insert(store_conn *c, const struct webhook_insert *w, int64_t *id);

/* Deletes a party's subscription and its log; STORE_NOT_FOUND when not its own. */
store_status store_webhooks_delete(store_conn *c, party_kind party, int64_t party_id, int64_t id);

/* Enables a party's subscription (its failures forgotten); STORE_NOT_FOUND when not its own. */
store_status store_webhooks_enable(store_conn *c, party_kind party, int64_t party_id, int64_t id);

/*
 * The newest `limit` attempts of a party's subscription, newest first, as
 * records (event_id, attempt, status_code, error, duration_ms,
 * attempted_at); STORE_NOT_FOUND when it is not the party's.
 */
store_status store_webhooks_deliveries(store_conn *c, party_kind party, int64_t party_id,
				       int64_t id, int64_t limit, json_t **rows);

/* An enabled subscription as the delivery engine needs it. */
struct webhook_active {
	int64_t id;
	party_kind party;
	int64_t party_id;
	const char *url;	   /* borrowed for the callback */
	const char *event_types;   /* JSON array text, borrowed */
	const char *secret_sealed; /* borrowed */
	int64_t cursor;		   /* last delivered event id */
	int64_t failing_since;	   /* 0: not failing */
	int64_t attempts;	   /* failed attempts at the current event */
};
typedef store_status (*store_webhook_fn)(const struct webhook_active *w, void *ctx);

/* Calls each() for every enabled subscription, in id order. */
store_status store_webhooks_active(store_conn *c, store_webhook_fn each, void *ctx);

/* One delivery attempt's outcome, recorded in one transaction. */
struct webhook_attempt {
	int64_t webhook_id;
	int64_t event_id;
	int64_t attempt;   /* 1 for the first */
	int status_code;   /* 0: no answer */
	const char *error; /* NULL when delivered */
	int64_t duration_ms;
	int64_t attempted_at;
	bool delivered;	     /* a 2xx: the cursor moves to event_id */
	const char *disable; /* not NULL: the subscription is disabled for this reason */
};
store_status store_webhooks_attempt(store_conn *c, const struct webhook_attempt *a);

#endif
