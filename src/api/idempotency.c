/* Idempotency-Key handling; see src/api/idempotency.h. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "domain/timeutil.h"
#include "handler.h"
#include "idempotency.h"
#include "store/store_idempotency.h"

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
 * is taken without its trailing slash (both forms are one route), and the
 * parsed body in its canonical form (compact, keys sorted), never the bytes
 * sent, so a client that re-serialises the same document (other spacing,
 * other key order) is still sending the same request. A route that takes no
 * body reads `{}` as none (src/http/checks.c): both are the same request.
 */
static bool request_hash(const struct api_request *req, uint8_t hash[IDEMPOTENCY_HASH_BYTES])
{
	crypto_generichash_state state;
	size_t path_len = strlen(req->path);
	while (path_len > 1 && req->path[path_len - 1] == '/')
		path_len--;
	char *canonical = NULL;
	const char *body = NULL;
	size_t body_len = 0;
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

struct idempotent_run {
	struct api_request *req;
	struct idempotency_claim claim;
	bool ran; /* the handler ran (in the last attempt) */
};

/*
 * The whole request in one write transaction: the key's lookup, the
 * handler (whose own transactions become savepoints of this one, and whose
 * reads see what it wrote), and the record of its response. A crash at any
 * point leaves either all of them or none; a 5xx rolls the effects back.
 */
static store_status idempotent_tx(store_conn *c, void *ctx)
{
	struct idempotent_run *run = ctx;
	struct api_request *req = run->req;
	/* A busy store may make store_tx() run this again: start afresh. */
	free(run->claim.body);
	run->claim.body = NULL;
	run->ran = false;
	store_status st = store_idempotency_find(c, &run->claim);
	if (st != STORE_OK || run->claim.outcome != IDEMPOTENCY_NEW)
		return st;
	run->ran = true;
	api_run_handler(req);
	/* The reply is stored with the key: it is rendered now, inside the transaction. */
	api_render(req);
	if (req->reply.status >= 500)
		return STORE_REJECTED;
	return store_idempotency_record(c, &run->claim, req->reply.status,
					req->reply.body ? req->reply.body : "");
}

void idempotency_run(struct api_request *req)
{
	const char *key = req->idempotency_key;
	if (!key_is_valid(key)) {
		api_refuse(req, REFUSED_IDEMPOTENCY_KEY)->number = IDEMPOTENCY_KEY_MAX;
		return;
	}
	struct idempotent_run run = {.req = req,
				     .claim = {.party = req->caller.party,
					       .party_id = req->caller.party_id,
					       .key = key,
					       .now = time_now()}};
	if (!request_hash(req, run.claim.hash)) {
		api_reject(req, REFUSED_INTERNAL, 0);
		return;
	}
	store_status st = store_tx(req->app->store, "idempotent request", idempotent_tx, &run);
	if (st == STORE_OK && run.claim.outcome == IDEMPOTENCY_REPLAY) {
		outcome_clear(&req->out);
		reply_clear(&req->reply);
		req->reply.status = run.claim.status;
		req->reply.body = run.claim.body;
		req->reply.body_len = strlen(run.claim.body);
		run.claim.body = NULL;
		reply_add_header(&req->reply, "Idempotent-Replayed", "true");
	} else if (st == STORE_OK && run.claim.outcome == IDEMPOTENCY_MISMATCH) {
		reply_clear(&req->reply);
		api_refuse(req, REFUSED_IDEMPOTENCY_REUSED);
	} else if (st == STORE_REJECTED && run.ran) {
		/* The handler's own failure, rolled back whole: its 5xx stands. */
	} else if (st != STORE_OK) {
		/* Nothing was committed: whatever the handler answered must not go out. */
		reply_clear(&req->reply);
		api_reject_store(req, st);
	}
	free(run.claim.body);
}
