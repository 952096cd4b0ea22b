/* Bearer-key authentication; see include/http/auth.h. */
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "api/auth.h"
#include "handler.h"
#include "domain/timeutil.h"
#include "store/store_keys.h"
#include "store/store_oauth.h"

bool auth_parse_bearer(const char *header, const char **token, size_t *len)
{
	static const char scheme[] = "Bearer";
	if (header == NULL)
		return false;
	while (*header == ' ' || *header == '\t')
		header++;
	if (strncasecmp(header, scheme, sizeof(scheme) - 1) != 0)
		return false;
	const char *s = header + sizeof(scheme) - 1;
	if (*s != ' ' && *s != '\t')
		return false;
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = 0;
	while (s[n] != '\0' && s[n] != ' ' && s[n] != '\t')
		n++;
	const char *rest = s + n;
	while (*rest == ' ' || *rest == '\t')
		rest++;
	if (n == 0 || *rest != '\0')
		return false;
	*token = s;
	*len = n;
	return true;
}

struct key_lookup {
	int64_t id;
	struct key_record rec;
};

static store_status find_key(store_conn *c, void *ctx)
{
	struct key_lookup *k = ctx;
	return store_keys_find(c, k->id, &k->rec);
}

static store_status find_token(store_conn *c, void *ctx)
{
	struct token_record *t = ctx;
	return store_tokens_find(c, t->id, t);
}

/*
 * An OAuth access token ("dlt_..."): good while it has not expired and its
 * client is not revoked, read each time like a key. Fills req->caller.
 */
static bool authenticate_token(struct api_request *req, const char *token, size_t len)
{
	uint8_t secret[APIKEY_SECRET_BYTES], hash[APIKEY_HASH_BYTES];
	struct token_record t = {0};
	if (!apikey_parse_prefixed(APIKEY_TOKEN_PREFIX, token, len, &t.id, secret)) {
		api_refuse(req, REFUSED_KEY_INVALID);
		return false;
	}
	apikey_hash(secret, hash);
	sodium_memzero(secret, sizeof(secret));
	store_status st = store_read(req->app->store, find_token, &t);
	if (st == STORE_NOT_FOUND ||
	    (st == STORE_OK && (!apikey_hash_equal(hash, t.hash) || t.client_revoked_at != 0))) {
		api_refuse(req, REFUSED_KEY_INVALID);
		return false;
	}
	if (st != STORE_OK) {
		api_reject_store(req, st);
		return false;
	}
	if (t.expires_at <= time_now()) {
		api_refuse(req, REFUSED_TOKEN_EXPIRED);
		return false;
	}
	req->caller.party = t.party;
	req->caller.party_id = t.party_id;
	req->caller.key_id = 0;
	req->caller.client_id = t.client_id;
	return true;
}

bool api_authenticate(struct api_request *req, const char *authorization)
{
	const char *token;
	size_t len;
	uint8_t secret[APIKEY_SECRET_BYTES], hash[APIKEY_HASH_BYTES];
	struct key_lookup k = {0};
	party_kind party = request_party(req);
	int64_t party_id = request_arg(req, 0);
	if (!auth_parse_bearer(authorization, &token, &len)) {
		api_refuse(req, REFUSED_KEY_MISSING);
		return false;
	}
	size_t tp = sizeof(APIKEY_TOKEN_PREFIX) - 1;
	if (len > tp && memcmp(token, APIKEY_TOKEN_PREFIX, tp) == 0) {
		if (!authenticate_token(req, token, len))
			return false;
	} else {
		if (!apikey_parse(token, len, &k.id, secret)) {
			api_refuse(req, REFUSED_KEY_INVALID);
			return false;
		}
		apikey_hash(secret, hash);
		sodium_memzero(secret, sizeof(secret));
		store_status st = store_read(req->app->store, find_key, &k);
		if (st == STORE_NOT_FOUND ||
		    (st == STORE_OK &&
		     (!apikey_hash_equal(hash, k.rec.hash) || k.rec.revoked_at != 0))) {
			api_refuse(req, REFUSED_KEY_INVALID);
			return false;
		}
		if (st != STORE_OK) {
			api_reject_store(req, st);
			return false;
		}
		req->caller.party = k.rec.party;
		req->caller.party_id = k.rec.party_id;
		req->caller.key_id = k.rec.id;
	}
	if (req->caller.party != party || req->caller.party_id != party_id) {
		struct refusal *r = api_refuse(req, REFUSED_KEY_FORBIDDEN);
		refusal_text(r, "%s %lld", party_kind_name(req->caller.party),
			     (long long)req->caller.party_id);
		refusal_text2(r, "%s %lld", party_kind_name(party), (long long)party_id);
		return false;
	}
	return true;
}
