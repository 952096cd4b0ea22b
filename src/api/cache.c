/* Reply bodies cached by stamp; see include/http/cache.h. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"

#define SLOT_BITS 16 /* 65,536 slots (2.5 MiB): few collisions among the hot orders */
#define NSLOTS	  ((size_t)1 << SLOT_BITS)
#define NSTRIPES  64 /* locks, each guarding every 64th slot */

struct slot {
	uint64_t key;
	struct record_stamp stamp;
	char *body; /* NULL: empty */
	size_t len;
};

struct reply_cache {
	size_t max_bytes;
	size_t max_entry; /* a body larger than this is not kept */
	atomic_size_t bytes;
	atomic_uint_fast64_t hits, misses;
	atomic_size_t hand; /* the next slot to evict when the budget is full */
	pthread_mutex_t stripes[NSTRIPES];
	struct slot slots[NSLOTS];
};

static size_t slot_of(uint64_t key)
{
	/* Fibonacci hashing: consecutive ids spread over the slots. */
	return (size_t)((key * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - SLOT_BITS));
}

struct reply_cache *reply_cache_new(size_t max_bytes)
{
	struct reply_cache *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->max_bytes = max_bytes;
	c->max_entry = max_bytes / 64;
	atomic_init(&c->bytes, 0);
	atomic_init(&c->hits, 0);
	atomic_init(&c->misses, 0);
	atomic_init(&c->hand, 0);
	for (size_t i = 0; i < NSTRIPES; i++)
		pthread_mutex_init(&c->stripes[i], NULL);
	return c;
}

void reply_cache_free(struct reply_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < NSLOTS; i++)
		free(c->slots[i].body);
	for (size_t i = 0; i < NSTRIPES; i++)
		pthread_mutex_destroy(&c->stripes[i]);
	free(c);
}

static bool same_stamp(const struct record_stamp *a, const struct record_stamp *b)
{
	return a->version == b->version && a->generation == b->generation;
}

char *reply_cache_get(struct reply_cache *c, uint64_t key, const struct record_stamp *stamp,
		      size_t *len)
{
	if (c == NULL)
		return NULL;
	size_t i = slot_of(key);
	char *copy = NULL;
	pthread_mutex_lock(&c->stripes[i % NSTRIPES]);
	struct slot *s = &c->slots[i];
	if (s->body != NULL && s->key == key && same_stamp(&s->stamp, stamp)) {
		copy = malloc(s->len + 1);
		if (copy != NULL) {
			memcpy(copy, s->body, s->len + 1);
			*len = s->len;
		}
	}
	pthread_mutex_unlock(&c->stripes[i % NSTRIPES]);
	atomic_fetch_add(copy != NULL ? &c->hits : &c->misses, 1);
	return copy;
}

/*
 * Frees the next slot in a sweep over all of them (a clock without
 * reference bits: what was put long ago goes first, whatever its use).
 */
static void evict_one(struct reply_cache *c)
{
	size_t i = atomic_fetch_add(&c->hand, 1) % NSLOTS;
	pthread_mutex_lock(&c->stripes[i % NSTRIPES]);
	struct slot *s = &c->slots[i];
	if (s->body != NULL) {
		atomic_fetch_sub(&c->bytes, s->len);
		free(s->body);
		s->body = NULL;
		s->len = 0;
	}
	pthread_mutex_unlock(&c->stripes[i % NSTRIPES]);
}

void reply_cache_put(struct reply_cache *c, uint64_t key, const struct record_stamp *stamp,
		     const char *body, size_t len)
{
	if (c == NULL || len > c->max_entry)
		return;
	char *copy = malloc(len + 1);
	if (copy == NULL)
		return;
	memcpy(copy, body, len);
	copy[len] = '\0';
	/* Make room first (without holding a lock), a bounded number of slots at a time. */
	for (size_t swept = 0; swept < 1024 && atomic_load(&c->bytes) + len > c->max_bytes; swept++)
		evict_one(c);
	size_t i = slot_of(key);
	pthread_mutex_lock(&c->stripes[i % NSTRIPES]);
	struct slot *s = &c->slots[i];
	/* Never go back to an older stamp (a slow request finishing late). */
	bool older = s->body != NULL && s->key == key &&
		     (s->stamp.version > stamp->version || s->stamp.generation > stamp->generation);
	if (!older) {
		/* Reserve first, so that puts on other stripes cannot overshoot together. */
		size_t freed = s->body != NULL ? s->len : 0;
		size_t after = atomic_fetch_add(&c->bytes, len) + len - freed;
		if (after <= c->max_bytes) {
			atomic_fetch_sub(&c->bytes, freed);
			free(s->body);
			s->key = key;
			s->stamp = *stamp;
			s->body = copy;
			s->len = len;
			copy = NULL;
		} else {
			atomic_fetch_sub(&c->bytes, len);
		}
	}
	pthread_mutex_unlock(&c->stripes[i % NSTRIPES]);
	free(copy);
}

void etag_format(unsigned revision, const struct record_stamp *stamp, char out[ETAG_MAX])
{
	snprintf(out, ETAG_MAX, "\"r%u.v%lld.g%lld\"", revision, (long long)stamp->version,
		 (long long)stamp->generation);
}

bool etag_matches(const char *if_none_match, const char *etag)
{
	if (if_none_match == NULL)
		return false;
	size_t etag_len = strlen(etag);
	const char *p = if_none_match;
	for (;;) {
		p += strspn(p, " \t,");
		if (*p == '\0')
			return false;
		size_t n = strcspn(p, ",");
		size_t end = n;
		while (end > 0 && (p[end - 1] == ' ' || p[end - 1] == '\t'))
			end--;
		const char *tag = p;
		if (end == 1 && tag[0] == '*')
			return true;
		if (end > 2 && tag[0] == 'W' && tag[1] == '/') {
			tag += 2;
			end -= 2;
		}
		if (end == etag_len && memcmp(tag, etag, etag_len) == 0)
			return true;
		p += n;
	}
}

void reply_cache_stats(struct reply_cache *c, struct reply_cache_stats *out)
{
	out->hits = atomic_load(&c->hits);
	out->misses = atomic_load(&c->misses);
	out->bytes = atomic_load(&c->bytes);
}
