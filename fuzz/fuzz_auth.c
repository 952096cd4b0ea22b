/*
 * Authorization headers and API keys: auth_parse_bearer() on the input as a
 * header value, then apikey_parse() on the token it finds, as
 * api_authenticate() does; and apikey_parse() on the raw input (it takes a
 * length: ASan sees any read past it). A parsed key is exactly the text
 * apikey_format() writes for its id and secret: one key, one spelling; the
 * same for OAuth access tokens ("dlt_").
 *
 * And the OAuth2 token request (oauth_parse_token_request()): the first
 * byte picks the Content-Type (form, JSON, another, none), the rest up to
 * the first newline is the Authorization value (none when empty), and what
 * follows is the body (an exact-size copy). Then the same bytes again as
 * HTTP Basic credentials, base64-encoded, so that the fuzzer controls the
 * decoded "client_id:client_secret". A request is either refused with one
 * RFC 6749 error and its description, or accepted with a client id that
 * reads back from its text.
 */
#include <stdbool.h>
#include <strings.h>

#include <sodium.h>

#include "domain/apikey.h"
#include "domain/oauth.h"
#include "api/auth.h"
#include "fuzz_util.h"

static void check_key(const char *text, size_t len)
{
	int64_t id = 0;
	uint8_t secret[APIKEY_SECRET_BYTES];
	if (!apikey_parse(text, len, &id, secret))
		return;
	FUZZ_CHECK(id > 0);
	char again[APIKEY_TEXT_MAX];
	apikey_format(id, secret, again);
	FUZZ_CHECK(strlen(again) == len && memcmp(again, text, len) == 0);
}

static void check_token(const char *text, size_t len)
{
	int64_t id = 0;
	uint8_t secret[APIKEY_SECRET_BYTES];
	if (!apikey_parse_prefixed(APIKEY_TOKEN_PREFIX, text, len, &id, secret))
		return;
	FUZZ_CHECK(id > 0);
	char again[APIKEY_TEXT_MAX];
	apikey_format_prefixed(APIKEY_TOKEN_PREFIX, id, secret, again);
	FUZZ_CHECK(strlen(again) == len && memcmp(again, text, len) == 0);
}

static void check_token_request(const char *authorization, const char *content_type,
				const char *body, size_t len)
{
	/* An exact-size copy, so a read past the body shows. */
	char *copy = malloc(len ? len : 1);
	FUZZ_REQUIRE(copy != NULL);
	memcpy(copy, body, len);
	struct oauth_token_request tr;
	oauth_parse_token_request(authorization, content_type, copy, len, &tr);
	free(copy);
	if (tr.error == OAUTH_OK) {
		FUZZ_CHECK(tr.description == NULL);
		FUZZ_CHECK(tr.client_id > 0);
		char id[OAUTH_CLIENT_ID_MAX];
		int64_t back = 0;
		oauth_client_id_format(tr.client_id, id);
		FUZZ_CHECK(apikey_parse_id(APIKEY_CLIENT_PREFIX, id, strlen(id), &back));
		FUZZ_CHECK(back == tr.client_id);
		char secret[APIKEY_TEXT_MAX];
		apikey_secret_format(tr.secret, secret);
		uint8_t again[APIKEY_SECRET_BYTES];
		FUZZ_CHECK(apikey_secret_parse(secret, strlen(secret), again));
		FUZZ_CHECK(memcmp(again, tr.secret, sizeof(again)) == 0);
	} else {
		FUZZ_CHECK(tr.description != NULL && tr.description[0] != '\0');
		unsigned status = oauth_error_status(tr.error);
		FUZZ_CHECK(status == 400 || status == 401);
		FUZZ_CHECK((status == 401) == (tr.error == OAUTH_INVALID_CLIENT));
		FUZZ_CHECK(tr.client_id >= 0);
		static const uint8_t zero[APIKEY_SECRET_BYTES];
		FUZZ_CHECK(memcmp(tr.secret, zero, sizeof(zero)) == 0);
	}
}

static void fuzz_token_request(const uint8_t *data, size_t size)
{
	static const char *const types[] = {"application/x-www-form-urlencoded",
					    "application/json; charset=utf-8", "text/plain", NULL};
	if (size == 0)
		return;
	const char *content_type = types[data[0] % 4];
	const char *rest = (const char *)data + 1;
	size_t n = size - 1;
	const char *nl = memchr(rest, '\n', n);
	size_t auth_len = nl ? (size_t)(nl - rest) : 0;
	char *authorization =
		nl && auth_len > 0 ? fuzz_strndup((const uint8_t *)rest, auth_len) : NULL;
	const char *body = nl ? nl + 1 : rest;
	size_t body_len = nl ? n - auth_len - 1 : n;
	check_token_request(authorization, content_type, body, body_len);
	free(authorization);

	/* The same bytes as the Basic credentials of a well-formed form body. */
	size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	char *basic = malloc(cap + 6);
	FUZZ_REQUIRE(basic != NULL);
	memcpy(basic, "Basic ", 6);
	sodium_bin2base64(basic + 6, cap, (const unsigned char *)rest, n,
			  sodium_base64_VARIANT_ORIGINAL);
	static const char grant[] = "grant_type=client_credentials";
	check_token_request(basic, types[0], grant, sizeof(grant) - 1);
	free(basic);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	FUZZ_REQUIRE(apikey_init());
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_key((const char *)data, size);
	check_token((const char *)data, size);
	fuzz_token_request(data, size);

	char *header = fuzz_strndup(data, size);
	const char *token = NULL;
	size_t len = 0;
	if (auth_parse_bearer(header, &token, &len)) {
		size_t hlen = strlen(header);
		FUZZ_CHECK(token > header && token + len <= header + hlen);
		FUZZ_CHECK(len > 0);
		for (size_t i = 0; i < len; i++)
			FUZZ_CHECK(token[i] != ' ' && token[i] != '\t' && token[i] != '\0');
		/* Only blanks around the token, and the scheme before it. */
		for (const char *p = token + len; *p; p++)
			FUZZ_CHECK(*p == ' ' || *p == '\t');
		const char *s = header;
		while (*s == ' ' || *s == '\t')
			s++;
		FUZZ_CHECK(strncasecmp(s, "Bearer", 6) == 0);
		for (const char *p = s + 6; p < token; p++)
			FUZZ_CHECK(*p == ' ' || *p == '\t');
		/* An exact-size copy, so a read past the token shows. */
		char *copy = malloc(len);
		FUZZ_REQUIRE(copy != NULL);
		memcpy(copy, token, len);
		check_key(copy, len);
		check_token(copy, len);
		free(copy);
	}
	free(header);
	return 0;
}
