/* Bearer-key authentication; see include/http/auth.h. */
#include <string.h>
#include <strings.h>

#include "http/auth.h"
#include "store/store_keys.h"

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

auth_result auth_authenticate(store *s, const char *header, party_kind party, int64_t party_id,
			      struct caller *caller, store_status *st)
{
	const char *token;
	size_t len;
	uint8_t secret[APIKEY_SECRET_BYTES], hash[APIKEY_HASH_BYTES];
	struct key_lookup k = {0};
	*st = STORE_OK;
	if (!auth_parse_bearer(header, &token, &len))
		return AUTH_MISSING;
	if (!apikey_parse(token, len, &k.id, secret))
		return AUTH_INVALID;
	apikey_hash(secret, hash);
	*st = store_read(s, find_key, &k);
	if (*st == STORE_NOT_FOUND) {
		*st = STORE_OK;
		return AUTH_INVALID;
	}
	if (*st != STORE_OK)
		return AUTH_STORE_FAILED;
	if (!apikey_hash_equal(hash, k.rec.hash) || k.rec.revoked_at != 0)
		return AUTH_INVALID;
	caller->party = k.rec.party;
	caller->party_id = k.rec.party_id;
	caller->key_id = k.rec.id;
	if (k.rec.party != party || k.rec.party_id != party_id)
		return AUTH_FORBIDDEN;
	return AUTH_OK;
}
