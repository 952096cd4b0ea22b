/*
 * OAuth2 clients and their access tokens (CONTRACT.md section 18). A
 * client belongs to one retailer or brand, as an API key does; its secret
 * and its tokens are kept only as hashes.
 */
#ifndef DROPLINE_STORE_OAUTH_H
#define DROPLINE_STORE_OAUTH_H

#include "domain/apikey.h"
#include "store/store.h"

struct client_record {
	int64_t id;
	party_kind party;
	int64_t party_id;
	uint8_t hash[APIKEY_HASH_BYTES]; /* of the secret */
	int64_t created_at;
	int64_t revoked_at;  /* 0 when not revoked */
	int64_t live_tokens; /* store_clients_list() only: tokens not yet expired */
};

/* A token as authentication needs it: its hash, its life, and its client's party. */
struct token_record {
	int64_t id;
	int64_t client_id;
	party_kind party;
	int64_t party_id;
	uint8_t hash[APIKEY_HASH_BYTES];
	int64_t expires_at;
	int64_t client_revoked_at; /* 0 when the client is not revoked */
};

/* Inserts a client (sets rec->id); STORE_NOT_FOUND when its party does not exist. */
store_status store_clients_insert(store_conn *c, struct client_record *rec);

/* Reads one client by id (revoked or not). */
store_status store_clients_find(store_conn *c, int64_t id, struct client_record *rec);

/* Calls each() for every client, by id, with its live tokens counted at `now`. */
typedef void (*store_clients_each_fn)(const struct client_record *rec, void *ctx);
store_status store_clients_list(store_conn *c, int64_t now, store_clients_each_fn each, void *ctx);

/* Revokes a client and deletes its tokens; STORE_NOT_FOUND when there is no such client. */
store_status store_clients_revoke(store_conn *c, int64_t id, int64_t now);

/*
 * Stores a new token of the client, valid until expires_at: first deletes
 * the client's expired tokens, then its oldest ones until fewer than
 * max_live remain, so that a client never holds more than max_live.
 * Sets *id. Inside the caller's write transaction.
 */
store_status store_tokens_issue(store_conn *c, int64_t client_id, const uint8_t *hash, int64_t now,
				int64_t expires_at, int64_t max_live, int64_t *id);

/* Reads one token with its client's party and revocation. */
store_status store_tokens_find(store_conn *c, int64_t id, struct token_record *rec);

#endif
