/* Idempotency-Key records; see include/store/store_idempotency.h. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "store/store_idempotency.h"

/* Binds the (party_kind, party_id, key) triple at 1, 2, 3. */
static void bind_key(sqlite3_stmt *st, const struct idempotency_claim *claim)
{
	sqlite3_bind_text(st, 1, party_kind_name(claim->party), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, claim->party_id);
	sqlite3_bind_text(st, 3, claim->key, -1, SQLITE_STATIC);
}

store_status store_idempotency_find(store_conn *c, struct idempotency_claim *claim)
{
	int64_t oldest = claim->now - IDEMPOTENCY_TTL_SECONDS;
	sqlite3_stmt *st = store_stmt(c, STMT_IDEM_EXPIRE);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, oldest);
	store_status res = store_step_done(c, st, "expire idempotency keys");
	if (res != STORE_OK)
		return res;

	if ((st = store_stmt(c, STMT_IDEM_FIND)) == NULL)
		return STORE_ERROR;
	bind_key(st, claim);
	sqlite3_bind_int64(st, 4, oldest);
	int rc = sqlite3_step(st);
	claim->outcome = IDEMPOTENCY_NEW;
	if (rc == SQLITE_ROW) {
		const void *hash = sqlite3_column_blob(st, 0);
		bool same = hash != NULL && sqlite3_column_bytes(st, 0) == IDEMPOTENCY_HASH_BYTES &&
			    memcmp(hash, claim->hash, IDEMPOTENCY_HASH_BYTES) == 0;
		claim->status = (unsigned)sqlite3_column_int(st, 1);
		if (!same) {
			claim->outcome = IDEMPOTENCY_MISMATCH;
		} else {
			claim->outcome = IDEMPOTENCY_REPLAY;
			claim->body = store_column_strdup(st, 2);
			if (claim->body == NULL)
				res = STORE_ERROR;
		}
	} else {
		res = store_status_of(c, rc, "find idempotency key");
	}
	sqlite3_reset(st);
	return res;
}

store_status store_idempotency_record(store_conn *c, const struct idempotency_claim *claim,
				      unsigned status, const char *body)
{
	sqlite3_stmt *st = store_stmt(c, STMT_IDEM_RECORD);
	if (st == NULL)
		return STORE_ERROR;
	bind_key(st, claim);
	sqlite3_bind_blob(st, 4, claim->hash, IDEMPOTENCY_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, (int)status);
	sqlite3_bind_text(st, 6, body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, claim->now);
	return store_step_done(c, st, "record idempotency key");
}
