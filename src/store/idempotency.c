/* Idempotency-Key records; see include/store/store_idempotency.h. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "store/store_idempotency.h"

/* Binds the (party_kind, party_id, key) triple at 1, 2, 3. */
static void bind_key(sqlite3_stmt *st, party_kind party, int64_t party_id, const char *key)
{
	sqlite3_bind_text(st, 1, party_kind_name(party), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, party_id);
	sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
}

store_status store_idempotency_claim(store_conn *c, struct idempotency_claim *claim)
{
	int64_t oldest = claim->now - IDEMPOTENCY_TTL_SECONDS;
	sqlite3_stmt *st = store_stmt(c, STMT_IDEM_EXPIRE);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, oldest);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	store_status res = store_status_of(c, rc, "expire idempotency keys");
	if (res != STORE_OK)
		return res;

	if ((st = store_stmt(c, STMT_IDEM_FIND)) == NULL)
		return STORE_ERROR;
	bind_key(st, claim->party, claim->party_id, claim->key);
	sqlite3_bind_int64(st, 4, oldest);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const void *hash = sqlite3_column_blob(st, 0);
		bool same = hash != NULL && sqlite3_column_bytes(st, 0) == IDEMPOTENCY_HASH_BYTES &&
			    memcmp(hash, claim->hash, IDEMPOTENCY_HASH_BYTES) == 0;
		claim->status = (unsigned)sqlite3_column_int(st, 1);
		if (!same) {
			claim->outcome = IDEMPOTENCY_MISMATCH;
		} else if (claim->status == 0) {
			claim->outcome = IDEMPOTENCY_IN_PROGRESS;
		} else {
			claim->outcome = IDEMPOTENCY_REPLAY;
			claim->body = store_column_strdup(st, 2);
			if (claim->body == NULL)
				res = STORE_ERROR;
		}
		sqlite3_reset(st);
		return res;
	}
	sqlite3_reset(st);
	if ((res = store_status_of(c, rc, "find idempotency key")) != STORE_OK)
		return res;

	if ((st = store_stmt(c, STMT_IDEM_CLAIM)) == NULL)
		return STORE_ERROR;
	bind_key(st, claim->party, claim->party_id, claim->key);
	sqlite3_bind_blob(st, 4, claim->hash, IDEMPOTENCY_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, claim->now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	claim->outcome = IDEMPOTENCY_NEW;
	return store_status_of(c, rc, "claim idempotency key");
}

store_status store_idempotency_complete(store_conn *c, party_kind party, int64_t party_id,
					const char *key, unsigned status, const char *body)
{
	sqlite3_stmt *st = store_stmt(c, STMT_IDEM_COMPLETE);
	if (st == NULL)
		return STORE_ERROR;
	bind_key(st, party, party_id, key);
	sqlite3_bind_int(st, 4, (int)status);
	sqlite3_bind_text(st, 5, body, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return store_status_of(c, rc, "complete idempotency key");
}

store_status store_idempotency_release(store_conn *c, party_kind party, int64_t party_id,
				       const char *key)
{
	sqlite3_stmt *st = store_stmt(c, STMT_IDEM_RELEASE);
	if (st == NULL)
		return STORE_ERROR;
	bind_key(st, party, party_id, key);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return store_status_of(c, rc, "release idempotency key");
}

store_status store_idempotency_release_all_pending(store_conn *c)
{
	sqlite3_stmt *st = store_stmt(c, STMT_IDEM_RELEASE_PENDING);
	if (st == NULL)
		return STORE_ERROR;
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return store_status_of(c, rc, "release pending idempotency keys");
}
