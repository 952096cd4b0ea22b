/*
 * The OAuth2 token request (RFC 6749 section 4.4, client credentials), as
 * POST /auth/token/ receives it (CONTRACT.md section 18): its parameters in
 * an application/x-www-form-urlencoded or a JSON body, the client's
 * credentials in the body or in HTTP Basic (RFC 6749 section 2.3.1), and
 * the RFC 6749 section 5.2 error each mistake gets. Pure: no store, no I/O.
 */
#ifndef DROPLINE_DOMAIN_OAUTH_H
#define DROPLINE_DOMAIN_OAUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/apikey.h"

/* The one scope a token has: a key's rights on its party's paths. */
#define OAUTH_SCOPE "read write"

/* A parameter longer than this is refused (invalid_request). */
#define OAUTH_PARAM_MAX 256

typedef enum {
	OAUTH_OK = 0,
	OAUTH_INVALID_REQUEST,	      /* 400 */
	OAUTH_INVALID_CLIENT,	      /* 401, WWW-Authenticate: Basic */
	OAUTH_UNSUPPORTED_GRANT_TYPE, /* 400 */
	OAUTH_INVALID_SCOPE,	      /* 400 */
} oauth_error;

struct oauth_token_request {
	oauth_error error;
	const char *description; /* static text for error_description; NULL when OK */
	/* Who the request says it is: set whenever a well-formed client_id was found, also
	 * on a later error (the rate limit counts the client's requests). 0: none. */
	int64_t client_id;
	uint8_t secret[APIKEY_SECRET_BYTES]; /* set when error is OAUTH_OK */
	bool basic;			     /* the client used HTTP Basic */
};

/*
 * oauth_parse_token_request() reads a token request: the Authorization
 * header's value and the Content-Type (both may be NULL) and the raw body
 * (len bytes, need not be NUL-terminated). Fills *out: error is OAUTH_OK
 * when the request is a well-formed client-credentials grant by a client
 * whose id and secret have the right shape (whether they match is the
 * store's to say). Unknown parameters are ignored (RFC 6749 section 3.2);
 * a parameter given twice, or credentials both in Basic and in the body,
 * are invalid_request.
 */
void oauth_parse_token_request(const char *authorization, const char *content_type,
			       const char *body, size_t len, struct oauth_token_request *out);

/* "invalid_request", "invalid_client", ...; the HTTP status of each. */
const char *oauth_error_name(oauth_error e);
unsigned oauth_error_status(oauth_error e);

/* The client id as the client sends it: "dlc_7". */
#define OAUTH_CLIENT_ID_MAX 32
void oauth_client_id_format(int64_t id, char out[OAUTH_CLIENT_ID_MAX]);

#endif
