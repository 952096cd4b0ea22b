/*
 * Events in the store (CONTRACT.md section 10): written in the transaction
 * of the change they tell; read as a party's feed after an id, as an
 * order's timeline (a record kind, store_records.h), and by the notifier
 * that wakes long-polls after each commit.
 */
#ifndef DROPLINE_STORE_EVENTS_H
#define DROPLINE_STORE_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "domain/apikey.h"
#include "store/store.h"

struct event_insert {
	const char *type; /* "shipment.created" */
	int64_t created_at;
	party_kind actor_party; /* PARTY_NONE: the server itself ("system") */
	int64_t actor_party_id;
	int64_t actor_key_id;	 /* 0: none */
	int64_t actor_client_id; /* the OAuth client whose token made it; 0: none */
	int64_t retailer_id, brand_id;
	int64_t order_id; /* 0: none */
	const char *purchase_order_number;
	const char *object_kind; /* "shipment" */
	int64_t object_id;
	const char *data; /* the object's representation, JSON text */
};

/* Stores an event inside the caller's write transaction; sets *id. */
store_status store_events_insert(store_conn *c, const struct event_insert *e, int64_t *id);

struct event_feed {
	party_kind party;
	int64_t party_id;
	int64_t after;		/* events with a greater id */
	int64_t order_id;	/* 0: of any order */
	const char *types_json; /* JSON array of exact types; NULL with prefixes_json NULL: all */
	const char *prefixes_json; /* JSON array of type prefixes ("order.") */
	int64_t limit;
	int64_t scan_limit; /* examine at most this many of the party's events */
	/* Set by store_events_feed() when it returned fewer than limit rows: */
	int64_t scanned_through; /* every party event up to this id was examined */
	bool scanned_all;	 /* the scan reached the party's newest event */
};

/*
 * A party's events after an id that pass the filters, oldest first, as
 * records (store_records.h), looking at no more than scan_limit of them.
 */
store_status store_events_feed(store_conn *c, struct event_feed *f, json_t **rows);

/* Every event up to this id was deleted by retention (0: none). */
store_status store_events_pruned_through(store_conn *c, int64_t *id);

/* The newest event's id (0 when there is none). */
store_status store_events_last_id(store_conn *c, int64_t *id);

/*
 * store_events_parties_after() calls each(retailer_id, brand_id) for every
 * event after `after` (at most `limit`, oldest first) and sets *last to the
 * newest id it saw (after when none): who a commit has news for.
 */
typedef void (*store_event_parties_fn)(int64_t retailer_id, int64_t brand_id, void *ctx);
store_status store_events_parties_after(store_conn *c, int64_t after, int64_t limit,
					store_event_parties_fn each, void *ctx, int64_t *last);

/*
 * store_events_prune() deletes at most `limit` of the oldest events made
 * before `before` (epoch seconds) and records the newest id deleted as
 * pruned; *deleted gets how many (inside the caller's write transaction).
 */
store_status store_events_prune(store_conn *c, int64_t before, int64_t limit, int64_t *deleted);

#endif
