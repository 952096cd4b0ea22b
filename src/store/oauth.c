/* OAuth2 clients and access tokens in the SQLite store; see include/store/store_oauth.h. */
#include <string.h>

#include "internal.h"
#include "store/store_oauth.h"

static void no_row(sqlite3_stmt *st, void *out)
{
	(void)st;
	(void)out;
}

store_status store_clients_insert(store_conn *c, struct client_record *rec)
{
	if (rec->party != PARTY_RETAILER && rec->party != PARTY_BRAND)
		return STORE_REJECTED;
	sqlite3_stmt *st = store_stmt(c, rec->party == PARTY_RETAILER ? STMT_RETAILER_EXISTS
								      : STMT_BRAND_EXISTS);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, rec->party_id);
	store_status res = store_step_one(c, st, no_row, NULL, "party exists");
	if (res != STORE_OK)
		return res;
	st = store_stmt(c, STMT_CLIENT_INSERT);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, rec->party == PARTY_RETAILER ? 1 : 2, rec->party_id);
	sqlite3_bind_blob(st, 3, rec->hash, APIKEY_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, rec->created_at);
	res = store_step_done(c, st, "insert client");
	if (res == STORE_OK)
		rec->id = sqlite3_last_insert_rowid(c->db);
	return res;
}

/* Columns 1 and 2 (retailer_id, brand_id) of a row: whose it is. */
static void party_of(sqlite3_stmt *st, party_kind *party, int64_t *party_id)
{
	if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
		*party = PARTY_RETAILER;
		*party_id = sqlite3_column_int64(st, 1);
	} else {
		*party = PARTY_BRAND;
		*party_id = sqlite3_column_int64(st, 2);
	}
}

static void hash_of(sqlite3_stmt *st, int col, uint8_t hash[APIKEY_HASH_BYTES])
{
	const void *h = sqlite3_column_blob(st, col);
	if (h != NULL && sqlite3_column_bytes(st, col) == APIKEY_HASH_BYTES)
		memcpy(hash, h, APIKEY_HASH_BYTES);
}

/* A row of STMT_CLIENT_FIND / STMT_CLIENT_LIST. */
static void client_row(sqlite3_stmt *st, void *out)
{
	struct client_record *rec = out;
	memset(rec, 0, sizeof(*rec));
	rec->id = sqlite3_column_int64(st, 0);
	party_of(st, &rec->party, &rec->party_id);
	hash_of(st, 3, rec->hash);
	rec->created_at = sqlite3_column_int64(st, 4);
	rec->revoked_at = sqlite3_column_int64(st, 5);
	rec->live_tokens = sqlite3_column_int64(st, 6);
}

store_status store_clients_find(store_conn *c, int64_t id, struct client_record *rec)
{
	sqlite3_stmt *st = store_stmt(c, STMT_CLIENT_FIND);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	return store_step_one(c, st, client_row, rec, "find client");
}

store_status store_clients_list(store_conn *c, int64_t now, store_clients_each_fn each, void *ctx)
{
	sqlite3_stmt *st = store_stmt(c, STMT_CLIENT_LIST);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, now);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct client_record rec;
		client_row(st, &rec);
		each(&rec, ctx);
	}
	sqlite3_reset(st);
	return store_status_of(c, rc, "list clients");
}

store_status store_clients_revoke(store_conn *c, int64_t id, int64_t now)
{
	sqlite3_stmt *st = store_stmt(c, STMT_CLIENT_REVOKE);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	store_status res = store_step_done(c, st, "revoke client");
	if (res == STORE_OK && sqlite3_changes(c->db) == 0)
		return STORE_NOT_FOUND;
	if (res != STORE_OK)
		return res;
	st = store_stmt(c, STMT_CLIENT_TOKENS_DELETE);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	return store_step_done(c, st, "delete client tokens");
}

store_status store_tokens_issue(store_conn *c, int64_t client_id, const uint8_t *hash, int64_t now,
				int64_t expires_at, int64_t max_live, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c, STMT_TOKEN_DELETE_EXPIRED);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, client_id);
	sqlite3_bind_int64(st, 2, now);
	store_status res = store_step_done(c, st, "delete expired tokens");
	if (res != STORE_OK)
		return res;
	/* Keep the newest max_live - 1: with the new one, max_live. */
	st = store_stmt(c, STMT_TOKEN_DELETE_OLDEST);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, client_id);
	sqlite3_bind_int64(st, 2, max_live > 1 ? max_live - 1 : 0);
	res = store_step_done(c, st, "delete oldest tokens");
	if (res != STORE_OK)
		return res;
	st = store_stmt(c, STMT_TOKEN_INSERT);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, client_id);
	sqlite3_bind_blob(st, 2, hash, APIKEY_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, expires_at);
	res = store_step_done(c, st, "insert token");
	if (res == STORE_OK)
		*id = sqlite3_last_insert_rowid(c->db);
	return res;
}

static void token_row(sqlite3_stmt *st, void *out)
{
	struct token_record *rec = out;
	memset(rec, 0, sizeof(*rec));
	rec->id = sqlite3_column_int64(st, 0);
	rec->client_id = sqlite3_column_int64(st, 1);
	/* Columns 2 and 3: the client's retailer_id, brand_id. */
	if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
		rec->party = PARTY_RETAILER;
		rec->party_id = sqlite3_column_int64(st, 2);
	} else {
		rec->party = PARTY_BRAND;
		rec->party_id = sqlite3_column_int64(st, 3);
	}
	hash_of(st, 4, rec->hash);
	rec->expires_at = sqlite3_column_int64(st, 5);
	rec->client_revoked_at = sqlite3_column_int64(st, 6);
}

store_status store_tokens_find(store_conn *c, int64_t id, struct token_record *rec)
{
	sqlite3_stmt *st = store_stmt(c, STMT_TOKEN_FIND);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	return store_step_one(c, st, token_row, rec, "find token");
}
