/* The OAuth2 token request; see include/domain/oauth.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <sodium.h>

#include "domain/oauth.h"

/* The parameters the endpoint reads; others are ignored (RFC 6749 section 3.2). */
enum param { P_GRANT_TYPE, P_CLIENT_ID, P_CLIENT_SECRET, P_SCOPE, P_COUNT };
static const char *const param_names[P_COUNT] = {"grant_type", "client_id", "client_secret",
						 "scope"};

struct params {
	char value[P_COUNT][OAUTH_PARAM_MAX + 1];
	size_t len[P_COUNT];
	bool given[P_COUNT];
};

static bool fail(struct oauth_token_request *out, oauth_error e, const char *description)
{
	out->error = e;
	out->description = description;
	return false;
}

const char *oauth_error_name(oauth_error e)
{
	switch (e) {
	case OAUTH_OK: return "ok";
	case OAUTH_INVALID_REQUEST: return "invalid_request";
	case OAUTH_INVALID_CLIENT: return "invalid_client";
	case OAUTH_UNSUPPORTED_GRANT_TYPE: return "unsupported_grant_type";
	case OAUTH_INVALID_SCOPE: return "invalid_scope";
	}
	return "invalid_request";
}

unsigned oauth_error_status(oauth_error e)
{
	if (e == OAUTH_OK)
		return 200;
	return e == OAUTH_INVALID_CLIENT ? 401 : 400;
}

void oauth_client_id_format(int64_t id, char out[OAUTH_CLIENT_ID_MAX])
{
	snprintf(out, OAUTH_CLIENT_ID_MAX, APIKEY_CLIENT_PREFIX "%" PRId64, id);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decodes application/x-www-form-urlencoded text (%XX, '+' for space) into
 * out (at most OAUTH_PARAM_MAX bytes, then NUL). False when malformed, too
 * long, or decoding to a NUL.
 */
static bool form_decode(const char *s, size_t n, char out[OAUTH_PARAM_MAX + 1], size_t *out_len)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (i + 2 >= n)
				return false;
			int hi = hex_value(s[i + 1]);
			int lo = hex_value(s[i + 2]);
			if (hi < 0 || lo < 0)
				return false;
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if (c == '\0' || o == OAUTH_PARAM_MAX)
			return false;
		out[o++] = c;
	}
	out[o] = '\0';
	*out_len = o;
	return true;
}

static int param_index(const char *name, size_t len)
{
	for (int i = 0; i < P_COUNT; i++)
		if (strlen(param_names[i]) == len && memcmp(param_names[i], name, len) == 0)
			return i;
	return -1;
}

/* Reads a form body into p; false (with the error) when malformed. */
static bool read_form(const char *body, size_t len, struct params *p,
		      struct oauth_token_request *out)
{
	size_t i = 0;
	while (i < len) {
		size_t end = i;
		while (end < len && body[end] != '&')
			end++;
		if (end > i) {
			const char *eq = memchr(body + i, '=', end - i);
			size_t name_end = eq ? (size_t)(eq - body) : end;
			char name[OAUTH_PARAM_MAX + 1];
			size_t name_len = 0;
			if (!form_decode(body + i, name_end - i, name, &name_len))
				return fail(out, OAUTH_INVALID_REQUEST,
					    "the form body is not valid percent-encoding");
			int k = param_index(name, name_len);
			if (k >= 0) {
				if (p->given[k])
					return fail(out, OAUTH_INVALID_REQUEST,
						    "a parameter is given more than once");
				size_t vstart = eq ? name_end + 1 : end;
				if (!form_decode(body + vstart, end - vstart, p->value[k],
						 &p->len[k]))
					return fail(out, OAUTH_INVALID_REQUEST,
						    "a parameter is not valid percent-encoding "
						    "or is too long");
				p->given[k] = true;
			}
		}
		i = end + 1;
	}
	return true;
}

/* Reads a JSON object body into p; false (with the error) when it is not one. */
static bool read_json(const char *body, size_t len, struct params *p,
		      struct oauth_token_request *out)
{
	json_error_t jerr;
	json_t *doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return fail(out, OAUTH_INVALID_REQUEST, "the body is not a JSON object");
	}
	bool ok = true;
	for (int k = 0; k < P_COUNT && ok; k++) {
		json_t *v = json_object_get(doc, param_names[k]);
		if (v == NULL)
			continue;
		size_t n = json_string_length(v);
		const char *s = json_string_value(v);
		if (s == NULL || n > OAUTH_PARAM_MAX || memchr(s, '\0', n) != NULL) {
			ok = fail(out, OAUTH_INVALID_REQUEST,
				  "each parameter must be a string of at most 256 characters");
			break;
		}
		memcpy(p->value[k], s, n);
		p->value[k][n] = '\0';
		p->len[k] = n;
		p->given[k] = true;
	}
	json_decref(doc);
	return ok;
}

/* True for "TYPE" with optional parameters, case-insensitive. */
static bool media_type_is(const char *ct, const char *type)
{
	if (ct == NULL)
		return false;
	while (*ct == ' ')
		ct++;
	size_t n = strlen(type);
	if (strncasecmp(ct, type, n) != 0)
		return false;
	ct += n;
	while (*ct == ' ')
		ct++;
	return *ct == '\0' || *ct == ';';
}

/*
 * Reads "Basic BASE64(id:secret)" into p's client_id and client_secret
 * (each form-decoded, RFC 6749 section 2.3.1). False, with invalid_client,
 * when the header is not that.
 */
static bool read_basic(const char *header, struct params *p, struct oauth_token_request *out)
{
	static const char scheme[] = "Basic";
	out->basic = true;
	while (*header == ' ' || *header == '\t')
		header++;
	if (strncasecmp(header, scheme, sizeof(scheme) - 1) != 0 ||
	    (header[sizeof(scheme) - 1] != ' ' && header[sizeof(scheme) - 1] != '\t'))
		return fail(out, OAUTH_INVALID_CLIENT,
			    "authenticate the client with HTTP Basic or with client_id and "
			    "client_secret in the body");
	const char *b64 = header + sizeof(scheme) - 1;
	while (*b64 == ' ' || *b64 == '\t')
		b64++;
	size_t n = strlen(b64);
	while (n > 0 && (b64[n - 1] == ' ' || b64[n - 1] == '\t'))
		n--;
	/* Both parts at most OAUTH_PARAM_MAX encoded three times over, and a colon. */
	unsigned char raw[3 * 2 * OAUTH_PARAM_MAX + 1];
	size_t raw_len = 0;
	const char *end = NULL;
	int rc = sodium_base642bin(raw, sizeof(raw), b64, n, NULL, &raw_len, &end,
				   sodium_base64_VARIANT_ORIGINAL);
	if (rc != 0 || end != b64 + n)
		rc = sodium_base642bin(raw, sizeof(raw), b64, n, NULL, &raw_len, &end,
				       sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	if (n == 0 || rc != 0 || end != b64 + n)
		return fail(out, OAUTH_INVALID_CLIENT, "the Basic credentials are not base64");
	const unsigned char *colon = memchr(raw, ':', raw_len);
	if (colon == NULL)
		return fail(out, OAUTH_INVALID_CLIENT,
			    "the Basic credentials must be client_id:client_secret");
	size_t id_len = (size_t)(colon - raw);
	if (!form_decode((const char *)raw, id_len, p->value[P_CLIENT_ID], &p->len[P_CLIENT_ID]) ||
	    !form_decode((const char *)colon + 1, raw_len - id_len - 1, p->value[P_CLIENT_SECRET],
			 &p->len[P_CLIENT_SECRET]))
		return fail(out, OAUTH_INVALID_CLIENT, "the Basic credentials are malformed");
	p->given[P_CLIENT_ID] = p->given[P_CLIENT_SECRET] = true;
	return true;
}

/* Each space-separated scope is "read" or "write". */
static bool scope_ok(const char *s)
{
	size_t n = strlen(s);
	size_t i = 0;
	if (n == 0)
		return false;
	while (i < n) {
		size_t end = i;
		while (end < n && s[end] != ' ')
			end++;
		size_t w = end - i;
		if (!((w == 4 && memcmp(s + i, "read", 4) == 0) ||
		      (w == 5 && memcmp(s + i, "write", 5) == 0)))
			return false;
		i = end + 1;
	}
	return s[n - 1] != ' ';
}

static bool parse(const char *authorization, const char *content_type, const char *body, size_t len,
		  struct params *p, struct oauth_token_request *out)
{
	if (len > 0) {
		if (media_type_is(content_type, "application/x-www-form-urlencoded")) {
			if (!read_form(body, len, p, out))
				return false;
		} else if (media_type_is(content_type, "application/json")) {
			if (!read_json(body, len, p, out))
				return false;
		} else {
			return fail(out, OAUTH_INVALID_REQUEST,
				    "the body must be application/x-www-form-urlencoded or "
				    "application/json");
		}
	}
	if (authorization != NULL) {
		if (p->given[P_CLIENT_SECRET])
			return fail(out, OAUTH_INVALID_REQUEST,
				    "use one client authentication: HTTP Basic or client_secret "
				    "in the body, not both");
		struct params basic;
		memset(&basic, 0, sizeof(basic));
		if (!read_basic(authorization, &basic, out))
			return false;
		if (p->given[P_CLIENT_ID] &&
		    (p->len[P_CLIENT_ID] != basic.len[P_CLIENT_ID] ||
		     memcmp(p->value[P_CLIENT_ID], basic.value[P_CLIENT_ID], p->len[P_CLIENT_ID]) !=
			     0))
			return fail(
				out, OAUTH_INVALID_REQUEST,
				"client_id in the body is not the one of the Basic credentials");
		for (int k = P_CLIENT_ID; k <= P_CLIENT_SECRET; k++) {
			memcpy(p->value[k], basic.value[k], basic.len[k] + 1);
			p->len[k] = basic.len[k];
			p->given[k] = true;
		}
		sodium_memzero(&basic, sizeof(basic));
	}
	if (p->given[P_CLIENT_ID] && !apikey_parse_id(APIKEY_CLIENT_PREFIX, p->value[P_CLIENT_ID],
						      p->len[P_CLIENT_ID], &out->client_id))
		out->client_id = 0;
	if (!p->given[P_GRANT_TYPE])
		return fail(out, OAUTH_INVALID_REQUEST, "grant_type is missing");
	if (strcmp(p->value[P_GRANT_TYPE], "client_credentials") != 0)
		return fail(out, OAUTH_UNSUPPORTED_GRANT_TYPE,
			    "the only grant_type is client_credentials");
	if (!p->given[P_CLIENT_ID] && !p->given[P_CLIENT_SECRET])
		return fail(out, OAUTH_INVALID_CLIENT,
			    "no client authentication: send client_id and client_secret, or "
			    "HTTP Basic");
	if (!p->given[P_CLIENT_ID])
		return fail(out, OAUTH_INVALID_REQUEST, "client_id is missing");
	if (!p->given[P_CLIENT_SECRET])
		return fail(out, OAUTH_INVALID_REQUEST, "client_secret is missing");
	if (p->given[P_SCOPE] && !scope_ok(p->value[P_SCOPE]))
		return fail(out, OAUTH_INVALID_SCOPE, "the scope may only be read and write");
	if (out->client_id == 0 ||
	    !apikey_secret_parse(p->value[P_CLIENT_SECRET], p->len[P_CLIENT_SECRET], out->secret))
		return fail(out, OAUTH_INVALID_CLIENT, "unknown client or wrong secret");
	return true;
}

void oauth_parse_token_request(const char *authorization, const char *content_type,
			       const char *body, size_t len, struct oauth_token_request *out)
{
	memset(out, 0, sizeof(*out));
	struct params p;
	memset(&p, 0, sizeof(p));
	if (parse(authorization, content_type, body, len, &p, out))
		out->error = OAUTH_OK;
	else
		sodium_memzero(out->secret, sizeof(out->secret));
	sodium_memzero(&p, sizeof(p));
}
