/*
 * Per-key request rate limits: a token bucket per API key, refilled at
 * `rate` tokens a second up to `burst`. One request takes one token; a key
 * with no token left is told when the next one comes (429, Retry-After).
 */
#ifndef DROPLINE_HTTP_RATELIMIT_H
#define DROPLINE_HTTP_RATELIMIT_H

#include <stdint.h>

struct rate_limiter;

/* NULL when out of memory. rate > 0, burst >= 1. */
struct rate_limiter *rate_limiter_new(double rate, double burst);
void rate_limiter_free(struct rate_limiter *rl);

/*
 * rate_limiter_take() takes a token of key_id's bucket at time `now`
 * (seconds, monotonic). Returns 0 when the request may go on, else the whole
 * seconds (at least 1) until a token is back. Thread-safe. A bucket that
 * cannot be made (no memory) lets the request through.
 */
unsigned rate_limiter_take(struct rate_limiter *rl, int64_t key_id, double now);

#endif
