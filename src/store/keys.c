/* API keys in the SQLite store; see include/store/store_keys.h. */
#include <string.h>

#include "internal.h"
#include "store/store_keys.h"

/* A row that only says "there is one". */
static void no_row(sqlite3_stmt *st, void *out)
{
	(void)st;
	(void)out;
}

static store_status party_exists(store_conn *c, party_kind party, int64_t id)
{
	sqlite3_stmt *st =
		store_stmt(c, party == PARTY_RETAILER ? STMT_RETAILER_EXISTS : STMT_BRAND_EXISTS);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	return store_step_one(c, st, no_row, NULL, "party exists");
}

store_status store_keys_insert(store_conn *c, struct key_record *rec)
{
	if (rec->party != PARTY_RETAILER && rec->party != PARTY_BRAND)
		return STORE_REJECTED;
	store_status res = party_exists(c, rec->party, rec->party_id);
	if (res != STORE_OK)
		return res;
	sqlite3_stmt *st = store_stmt(c, STMT_KEY_INSERT);
	if (st == NULL)
		return STORE_ERROR;
	if (rec->party == PARTY_RETAILER)
		sqlite3_bind_int64(st, 1, rec->party_id);
	else
		sqlite3_bind_int64(st, 2, rec->party_id);
	sqlite3_bind_blob(st, 3, rec->hash, APIKEY_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, rec->created_at);
	res = store_step_done(c, st, "insert key");
	if (res == STORE_OK)
		rec->id = sqlite3_last_insert_rowid(c->db);
	return res;
}

/* Fills rec from a row of STMT_KEY_FIND / STMT_KEY_LIST. */
static void key_from_row(sqlite3_stmt *st, struct key_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->id = sqlite3_column_int64(st, 0);
	if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
		rec->party = PARTY_RETAILER;
		rec->party_id = sqlite3_column_int64(st, 1);
	} else {
		rec->party = PARTY_BRAND;
		rec->party_id = sqlite3_column_int64(st, 2);
	}
	const void *hash = sqlite3_column_blob(st, 3);
	if (hash != NULL && sqlite3_column_bytes(st, 3) == APIKEY_HASH_BYTES)
		memcpy(rec->hash, hash, APIKEY_HASH_BYTES);
	rec->created_at = sqlite3_column_int64(st, 4);
	rec->revoked_at = sqlite3_column_int64(st, 5);
}

static void key_row(sqlite3_stmt *st, void *out)
{
	key_from_row(st, out);
}

store_status store_keys_find(store_conn *c, int64_t id, struct key_record *rec)
{
	sqlite3_stmt *st = store_stmt(c, STMT_KEY_FIND);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	return store_step_one(c, st, key_row, rec, "find key");
}

store_status store_keys_list(store_conn *c, store_keys_each_fn each, void *ctx)
{
	sqlite3_stmt *st = store_stmt(c, STMT_KEY_LIST);
	if (st == NULL)
		return STORE_ERROR;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct key_record rec;
		key_from_row(st, &rec);
		each(&rec, ctx);
	}
	sqlite3_reset(st);
	return store_status_of(c, rc, "list keys");
}

store_status store_keys_revoke(store_conn *c, int64_t id, int64_t now)
{
	sqlite3_stmt *st = store_stmt(c, STMT_KEY_REVOKE);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	store_status res = store_step_done(c, st, "revoke key");
	if (res == STORE_OK && sqlite3_changes(c->db) == 0)
		res = STORE_NOT_FOUND;
	return res;
}
