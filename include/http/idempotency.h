/*
 * Idempotency-Key on POST and PUT (CONTRACT.md section 5), once for every
 * route: the same key (per caller) with the same method, path and body
 * within 24 hours replays the first response with Idempotent-Replayed: true;
 * the same key with another request is 409. The request runs in one
 * transaction with the record of its response, so a crash never leaves an
 * effect whose key has forgotten it. Responses of 500 and above are not kept
 * (and their effects rolled back), so a retry after a failure runs again.
 */
#ifndef DROPLINE_HTTP_IDEMPOTENCY_H
#define DROPLINE_HTTP_IDEMPOTENCY_H

#include <stddef.h>

#include "http/request.h"

#define IDEMPOTENCY_KEY_MAX 255

/*
 * idempotency_run() runs the route's handler for `req`, under `key` when
 * it is not NULL. `body` is the raw request body. Returns the handler's
 * result (HANDLER_OK when the reply came from a replay or a refusal).
 */
handler_result idempotency_run(struct request *req, const char *key, const char *body,
			       size_t body_len);

#endif
