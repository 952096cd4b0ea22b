/*
 * A bounded, thread-safe cache of reply bodies (serialized representations),
 * each valid for one record_stamp. A lookup hits only when the caller's
 * stamp, read in the same snapshot as the record would be, is the one the
 * body was made for; a changed record or catalog moves the stamp, so a stale
 * body is never answered, and is replaced when the new one is made.
 *
 * Direct-mapped: each key has one slot, and a new body takes its slot over.
 * The bodies held never add up to more than the budget.
 */
#ifndef DROPLINE_API_CACHE_H_INTERNAL
#define DROPLINE_API_CACHE_H_INTERNAL

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct reply_cache;

/* A cache holding at most max_bytes of bodies; NULL when out of memory. */
struct reply_cache *reply_cache_new(size_t max_bytes);

/* NULL is ignored. */
void reply_cache_free(struct reply_cache *c);

/*
 * A malloc'd copy of the body cached for `key` at exactly `stamp` (the
 * caller frees it, *len gets its length), or NULL. A NULL cache misses.
 */
char *reply_cache_get(struct reply_cache *c, uint64_t key, const struct record_stamp *stamp,
		      size_t *len);

/* Keeps a copy of `body` for `key` at `stamp`, when it fits the budget. */
void reply_cache_put(struct reply_cache *c, uint64_t key, const struct record_stamp *stamp,
		     const char *body, size_t len);

/*
 * An ETag: "r<revision>.v<version>.g<generation>" with its quotes. The
 * revision names the representation's shape: a release that changes it
 * bumps it, so that no client keeps a copy of the old shape through a 304.
 */
#define ETAG_MAX 80
void etag_format(unsigned revision, const struct record_stamp *stamp, char out[ETAG_MAX]);

/*
 * True when an If-None-Match header (NULL: none) names `etag`: "*", or one
 * of its comma-separated tags, weak (W/) or not (RFC 9110 13.1.2).
 */
bool etag_matches(const char *if_none_match, const char *etag);

struct reply_cache_stats {
	uint64_t hits, misses;
	size_t bytes; /* held now */
};
void reply_cache_stats(struct reply_cache *c, struct reply_cache_stats *out);

#endif
