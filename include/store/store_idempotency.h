/*
 * Idempotency-Key records (CONTRACT.md section 5): per caller and key, the
 * hash of the request and the response it got. A record is written in the
 * same transaction as the request's effect, so after any crash a key either
 * has its response or the request left no effect.
 */
#ifndef DROPLINE_STORE_IDEMPOTENCY_H
#define DROPLINE_STORE_IDEMPOTENCY_H

#include <stdint.h>

#include "domain/apikey.h"
#include "store/store.h"

#define IDEMPOTENCY_HASH_BYTES	32
#define IDEMPOTENCY_TTL_SECONDS ((int64_t)24 * 3600)

typedef enum {
	IDEMPOTENCY_NEW,      /* not used in the last 24 hours */
	IDEMPOTENCY_REPLAY,   /* same request answered before: status and body set */
	IDEMPOTENCY_MISMATCH, /* the key was used with another request */
} idempotency_outcome;

struct idempotency_claim {
	party_kind party;
	int64_t party_id;
	const char *key;
	uint8_t hash[IDEMPOTENCY_HASH_BYTES];
	int64_t now;
	/* out */
	idempotency_outcome outcome;
	unsigned status;
	char *body; /* malloc'd, for a replay */
};

/*
 * store_idempotency_find() forgets records older than 24 hours, then looks
 * the key up and sets claim->outcome (and status and body for a replay).
 */
store_status store_idempotency_find(store_conn *c, struct idempotency_claim *claim);

/* Records the response to a key's request (inside the request's transaction). */
store_status store_idempotency_record(store_conn *c, const struct idempotency_claim *claim,
				      unsigned status, const char *body);

#endif
