/*
 * Idempotency-Key on POST and PUT (CONTRACT.md section 5), once for every
 * route: the same key (per caller) with the same method, path and body
 * within 24 hours replays the first response with Idempotent-Replayed: true;
 * the same key with another request is 409. The request runs in one
 * transaction with the record of its response, so a crash never leaves an
 * effect whose key has forgotten it. Responses of 500 and above are not kept
 * (and their effects rolled back), so a retry after a failure runs again.
 * Internal to src/api/.
 */
#ifndef DROPLINE_API_IDEMPOTENCY_H
#define DROPLINE_API_IDEMPOTENCY_H

#include "api/request.h"

#define IDEMPOTENCY_KEY_MAX 255

/*
 * idempotency_run() runs the route's handler for `req` under its
 * Idempotency-Key, rendering its reply inside the transaction (the reply is
 * stored with the key), or replays the stored reply, or refuses.
 */
void idempotency_run(struct api_request *req);

#endif
