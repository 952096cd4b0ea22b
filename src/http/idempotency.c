/* Idempotency-Key handling; see include/http/idempotency.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "domain/timeutil.h"
#include "http/idempotency.h"
#include "store/store_idempotency.h"

static store_status claim_tx(store_conn *c, void *ctx)
{
	return store_idempotency_claim(c, ctx);
}

struct completion {
	const struct request *req;
	const char *key;
};

static store_status complete_tx(store_conn *c, void *ctx)
{
	const struct completion *done = ctx;
	const struct request *req = done->req;
	if (req->reply.status >= 500)
		return store_idempotency_release(c, req->caller.party, req->caller.party_id,
						 done->key);
	return store_idempotency_complete(c, req->caller.party, req->caller.party_id, done->key,
					  req->reply.status,
					  req->reply.body ? req->reply.body : "");
}

static store_status recover_tx(store_conn *c, void *ctx)
{
	(void)ctx;
	return store_idempotency_release_all_pending(c);
}

store_status idempotency_recover(store *s)
{
	return store_tx(s, "recover idempotency keys", recover_tx, NULL);
}

/* A key is 1-255 printable ASCII characters. */
static bool key_is_valid(const char *key)
{
	size_t n = strlen(key);
	if (n == 0 || n > IDEMPOTENCY_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (key[i] < 0x21 || key[i] > 0x7e)
			return false;
	return true;
}

/*
 * BLAKE2b of method, path and body: what "the same request" means. The path
 * is taken without its trailing slash (both forms are one route), and a JSON
 * body in its canonical form (compact, keys sorted), so a client that
 * re-serialises the same document is still sending the same request.
 */
static bool request_hash(const struct request *req, const char *body, size_t body_len,
			 uint8_t hash[IDEMPOTENCY_HASH_BYTES])
{
	crypto_generichash_state state;
	size_t path_len = strlen(req->path);
	while (path_len > 1 && req->path[path_len - 1] == '/')
		path_len--;
	char *canonical = NULL;
	if (req->body != NULL) {
		canonical = json_dumps(req->body, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
		if (canonical == NULL)
			return false;
		body = canonical;
		body_len = strlen(canonical);
	}
	crypto_generichash_init(&state, NULL, 0, IDEMPOTENCY_HASH_BYTES);
	crypto_generichash_update(&state, (const unsigned char *)req->method, strlen(req->method));
	crypto_generichash_update(&state, (const unsigned char *)"\n", 1);
	crypto_generichash_update(&state, (const unsigned char *)req->path, path_len);
	crypto_generichash_update(&state, (const unsigned char *)"\n", 1);
	if (body_len > 0)
		crypto_generichash_update(&state, (const unsigned char *)body, body_len);
	crypto_generichash_final(&state, hash, IDEMPOTENCY_HASH_BYTES);
	free(canonical);
	return true;
}

handler_result idempotency_run(struct request *req, const char *key, const char *body,
			       size_t body_len)
{
	const struct route *route = req->route.route;
	bool applies = key != NULL && req->caller.party != PARTY_NONE &&
		       (strcmp(req->method, "POST") == 0 || strcmp(req->method, "PUT") == 0);
	if (!applies)
		return route->handler(req);
	if (!key_is_valid(key)) {
		reply_error(req, 400, "invalid_parameter",
			    "Idempotency-Key must be 1 to %d printable ASCII characters",
			    IDEMPOTENCY_KEY_MAX);
		return HANDLER_OK;
	}
	struct idempotency_claim claim = {.party = req->caller.party,
					  .party_id = req->caller.party_id,
					  .key = key,
					  .now = time_now()};
	if (!request_hash(req, body, body_len, claim.hash)) {
		reply_error(req, 500, "internal", "internal error");
		return HANDLER_OK;
	}
	store_status st = store_tx(req->store, "claim idempotency key", claim_tx, &claim);
	if (st != STORE_OK) {
		free(claim.body);
		reply_store_error(req, st);
		return HANDLER_OK;
	}
	switch (claim.outcome) {
	case IDEMPOTENCY_REPLAY:
		reply_clear(&req->reply);
		req->reply.status = claim.status;
		req->reply.body = claim.body;
		req->reply.body_len = strlen(claim.body);
		reply_header(req, "Idempotent-Replayed", "true");
		return HANDLER_OK;
	case IDEMPOTENCY_MISMATCH:
		reply_error(req, 409, "conflict",
			    "this Idempotency-Key was already used with another request");
		return HANDLER_OK;
	case IDEMPOTENCY_IN_PROGRESS:
		reply_error(req, 409, "conflict",
			    "a request with this Idempotency-Key is still being processed; retry");
		return HANDLER_OK;
	case IDEMPOTENCY_NEW: break;
	}
	handler_result res = route->handler(req);
	if (res != HANDLER_OK || req->reply.status == 0) {
		reply_clear(&req->reply);
		reply_error(req, 500, "internal", "internal error");
	}
	struct completion done = {.req = req, .key = key};
	st = store_tx(req->store, "complete idempotency key", complete_tx, &done);
	if (st != STORE_OK && req->reply.status < 500) {
		/*
		 * The answer stands (its own transaction committed), but the key
		 * could not record it: say so rather than hide it.
		 */
		fprintf(stderr, "{\"level\":\"error\",\"component\":\"idempotency\","
				"\"message\":\"could not record the response\"}\n");
	}
	return HANDLER_OK;
}
