/*
 * Long-polls held without a thread (CONTRACT.md section 10): a request
 * that waits for its party's news is parked here, its connection
 * suspended, until the party has news, its deadline passes, or the server
 * stops; then `wake` resumes it and it runs again. Thousands held at once
 * cost a small struct each: parties are found through a hash of lists,
 * deadlines through a heap, both under one lock, and one thread keeps time.
 */
#ifndef DROPLINE_HTTP_WAITERS_H
#define DROPLINE_HTTP_WAITERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/apikey.h"

struct waiter {
	/* Set by the caller before waiters_hold(). */
	party_kind party;
	int64_t party_id;
	int64_t until_ms;		/* time_monotonic_ms() deadline */
	void (*wake)(struct waiter *w); /* called once, under no lock of the caller */
	/* The hub's own. */
	struct waiter *prev, *next; /* in its party's bucket */
	size_t heap_index;
};

struct waiters;

/*
 * Makes a hub and starts its thread. `news` answers the current news
 * sequence (api_events_seq()); `tick` (may be NULL) is called every
 * tick_ms on the hub's thread (periodic work). NULL when out of memory or
 * threads.
 */
struct waiters *waiters_new(uint64_t (*news)(void *ctx), void (*tick)(void *ctx), void *ctx,
			    unsigned tick_ms);

typedef enum {
	WAIT_HELD,    /* parked: wake() will be called */
	WAIT_NEWS,    /* news came since seen_seq: run the request again now */
	WAIT_STOPPED, /* the hub is stopping: answer now */
} wait_result;

/* Parks w unless there is news since seen_seq or the hub is stopping. */
wait_result waiters_hold(struct waiters *ws, struct waiter *w, uint64_t seen_seq);

/* Wakes every waiter of a party; of every party when party_id is 0. */
void waiters_notify(struct waiters *ws, party_kind party, int64_t party_id);

/* Waiters held now. */
size_t waiters_count(struct waiters *ws);

/* Wakes every waiter and holds none from then on; stops the thread. Once is enough. */
void waiters_stop(struct waiters *ws);

/* Stops the hub when running, and frees it. NULL is ignored. */
void waiters_free(struct waiters *ws);

#endif
