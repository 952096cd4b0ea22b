/*
 * Idempotency-Key records (CONTRACT.md section 5): per caller and key, the
 * hash of the first request and, once answered, its response.
 */
#ifndef DROPLINE_STORE_IDEMPOTENCY_H
#define DROPLINE_STORE_IDEMPOTENCY_H

#include <stdint.h>

#include "domain/apikey.h"
#include "store/store.h"

#define IDEMPOTENCY_HASH_BYTES	32
#define IDEMPOTENCY_TTL_SECONDS ((int64_t)24 * 3600)

typedef enum {
	IDEMPOTENCY_NEW,	 /* first use: a placeholder now holds the key */
	IDEMPOTENCY_REPLAY,	 /* same request answered before: status and body set */
	IDEMPOTENCY_MISMATCH,	 /* the key was used with another request */
	IDEMPOTENCY_IN_PROGRESS, /* the first request with this key is still running */
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
 * store_idempotency_claim() looks the key up (forgetting it when older than
 * 24 hours) and, when it is new, stores a placeholder for it. Run it in its
 * own write transaction.
 */
store_status store_idempotency_claim(store_conn *c, struct idempotency_claim *claim);

/* Stores the answer to a claimed key. */
store_status store_idempotency_complete(store_conn *c, party_kind party, int64_t party_id,
					const char *key, unsigned status, const char *body);

/* Forgets a claimed key whose request failed (5xx), so that a retry runs again. */
store_status store_idempotency_release(store_conn *c, party_kind party, int64_t party_id,
				       const char *key);

/* Forgets placeholders left by a previous process that stopped mid-request. */
store_status store_idempotency_release_all_pending(store_conn *c);

#endif
