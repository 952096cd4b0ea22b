/*
 * POST /auth/token/: OAuth2 client credentials (RFC 6749 section 4.4,
 * CONTRACT.md section 18). The client's secret is checked against its
 * hash; a fresh access token is stored as a hash and shown once. Every
 * answer, error or not, is RFC 6749's (section 5.1 and 5.2) with
 * Cache-Control: no-store.
 */
#include <sodium.h>

#include "domain/oauth.h"
#include "domain/timeutil.h"
#include "handler.h"
#include "store/store_oauth.h"

static void no_store(struct api_request *req)
{
	outcome_header(&req->out, "Cache-Control", "no-store");
	outcome_header(&req->out, "Pragma", "no-cache");
}

static void token_error(struct api_request *req, oauth_error e, const char *description)
{
	json_t *body = json_pack("{s:s, s:s}", "error", oauth_error_name(e), "error_description",
				 description);
	if (body == NULL) {
		api_reject(req, REFUSED_INTERNAL, 0);
		return;
	}
	api_json(req, oauth_error_status(e), body);
	no_store(req);
	if (e == OAUTH_INVALID_CLIENT)
		outcome_header(&req->out, "WWW-Authenticate", "Basic realm=\"dropline\"");
}

struct issue {
	const struct oauth_token_request *tr;
	int64_t now, ttl;
	bool client_ok;
	int64_t token_id;
	uint8_t secret[APIKEY_SECRET_BYTES];
};

static store_status issue_tx(store_conn *c, void *ctx)
{
	struct issue *is = ctx;
	struct client_record client;
	uint8_t hash[APIKEY_HASH_BYTES];
	store_status st = store_clients_find(c, is->tr->client_id, &client);
	if (st == STORE_NOT_FOUND)
		return STORE_OK; /* client_ok stays false */
	if (st != STORE_OK)
		return st;
	apikey_hash(is->tr->secret, hash);
	if (!apikey_hash_equal(hash, client.hash) || client.revoked_at != 0)
		return STORE_OK;
	is->client_ok = true;
	apikey_new_secret(is->secret);
	apikey_hash(is->secret, hash);
	return store_tokens_issue(c, client.id, hash, is->now, is->now + is->ttl,
				  API_TOKENS_PER_CLIENT, &is->token_id);
}

void api_token(struct api_request *req)
{
	struct oauth_token_request tr;
	oauth_parse_token_request(req->authorization, req->content_type, req->raw_body,
				  req->raw_body_len, &tr);
	if (tr.error != OAUTH_OK) {
		token_error(req, tr.error, tr.description);
		return;
	}
	struct issue is = {.tr = &tr, .now = time_now(), .ttl = req->app->token_ttl};
	bool ok = api_tx(req, "issue token", issue_tx, &is);
	sodium_memzero(tr.secret, sizeof(tr.secret));
	if (ok && !is.client_ok) {
		token_error(req, OAUTH_INVALID_CLIENT, "unknown client or wrong secret");
	} else if (ok) {
		char token[APIKEY_TEXT_MAX];
		apikey_format_prefixed(APIKEY_TOKEN_PREFIX, is.token_id, is.secret, token);
		json_t *body =
			json_pack("{s:s, s:s, s:I, s:s}", "access_token", token, "token_type",
				  "Bearer", "expires_in", (json_int_t)is.ttl, "scope", OAUTH_SCOPE);
		sodium_memzero(token, sizeof(token));
		if (body == NULL) {
			api_reject(req, REFUSED_INTERNAL, 0);
		} else {
			api_json(req, 200, body);
			no_store(req);
		}
	}
	sodium_memzero(is.secret, sizeof(is.secret));
}
