/*
 * Bearer-key authentication for /v1/ routes (CONTRACT.md section 3).
 */
#ifndef DROPLINE_API_AUTH_H
#define DROPLINE_API_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "api/request.h"

/*
 * auth_parse_bearer() finds the token of an "Authorization: Bearer TOKEN"
 * value: the scheme is case-insensitive, spaces around the token are
 * skipped. Returns false when the header is not a Bearer credential.
 * *token points into header; *len is its length.
 */
bool auth_parse_bearer(const char *header, const char **token, size_t *len);

/*
 * api_authenticate() checks the key in `authorization` (the header's value,
 * NULL when absent) against the store, reading the key's row each time so
 * that a revocation takes effect at once, and then that its party may use
 * the request's route (its party kind, and the party id of the path). Fills
 * req->caller for a valid key. False when the request is refused (401, 403,
 * or the store's failure): the refusal is its outcome.
 */
bool api_authenticate(struct api_request *req, const char *authorization);

#endif
