/*
 * API keys at rest: only a hash of each key's secret is stored.
 */
#ifndef DROPLINE_STORE_KEYS_H
#define DROPLINE_STORE_KEYS_H

#include "domain/apikey.h"
#include "store/store.h"

struct key_record {
	int64_t id;
	party_kind party;
	int64_t party_id;
	uint8_t hash[APIKEY_HASH_BYTES];
	int64_t created_at;
	int64_t revoked_at; /* 0 when not revoked */
};

/*
 * store_keys_insert() stores a new key for a party that must exist
 * (STORE_NOT_FOUND otherwise) and sets rec->id.
 */
store_status store_keys_insert(store_conn *c, struct key_record *rec);

/* store_keys_find() reads one key by id (revoked or not). */
store_status store_keys_find(store_conn *c, int64_t id, struct key_record *rec);

/*
 * store_keys_list() calls `each` for every key, oldest first. The record is
 * borrowed for the duration of the call.
 */
typedef void (*store_keys_each_fn)(const struct key_record *rec, void *ctx);
store_status store_keys_list(store_conn *c, store_keys_each_fn each, void *ctx);

/*
 * store_keys_revoke() marks a key revoked at `now`; revoking a revoked key
 * keeps its first revocation time. STORE_NOT_FOUND for an unknown id.
 */
store_status store_keys_revoke(store_conn *c, int64_t id, int64_t now);

#endif
