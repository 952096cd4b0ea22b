/*
 * Bearer-key authentication for /v1/ routes (CONTRACT.md section 3).
 */
#ifndef DROPLINE_HTTP_AUTH_H
#define DROPLINE_HTTP_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "http/request.h"
#include "store/store.h"

typedef enum {
	AUTH_OK,
	AUTH_MISSING,	/* no Authorization header, or not a Bearer one */
	AUTH_INVALID,	/* malformed, unknown or revoked key */
	AUTH_FORBIDDEN, /* a valid key of another party than the path's */
	AUTH_STORE_FAILED,
} auth_result;

/*
 * auth_parse_bearer() finds the token of an "Authorization: Bearer TOKEN"
 * value: the scheme is case-insensitive, spaces around the token are
 * skipped. Returns false when the header is not a Bearer credential.
 * *token points into header; *len is its length.
 */
bool auth_parse_bearer(const char *header, const char **token, size_t *len);

/*
 * auth_authenticate() checks the key in `header` (may be NULL) against the
 * store, reading the key's row each time so a revocation takes effect at
 * once, and then that its party may use a route of kind `party` for party
 * id `party_id`. On AUTH_OK and AUTH_FORBIDDEN fills *caller.
 */
auth_result auth_authenticate(store *s, const char *header, party_kind party, int64_t party_id,
			      struct caller *caller, store_status *st);

#endif
