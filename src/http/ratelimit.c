/* Token buckets per API key; see include/http/ratelimit.h. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include "http/ratelimit.h"

struct bucket {
	int64_t key_id; /* 0: empty slot */
	double tokens;
	double updated;
};

/*
 * An open-addressing table: keys are few (one per integration) and never
 * removed, so it only grows, at half full.
 */
struct rate_limiter {
	double rate, burst;
	pthread_mutex_t lock;
	struct bucket *slots;
	size_t cap, used;
};

struct rate_limiter *rate_limiter_new(double rate, double burst)
{
	struct rate_limiter *rl = calloc(1, sizeof(*rl));
	if (rl == NULL)
		return NULL;
	rl->rate = rate;
	rl->burst = burst < 1 ? 1 : burst;
	rl->cap = 64;
	rl->slots = calloc(rl->cap, sizeof(*rl->slots));
	if (rl->slots == NULL) {
		free(rl);
		return NULL;
	}
	pthread_mutex_init(&rl->lock, NULL);
	return rl;
}

void rate_limiter_free(struct rate_limiter *rl)
{
	if (rl == NULL)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl->slots);
	free(rl);
}

static size_t slot_of(int64_t key_id, size_t cap)
{
	uint64_t h = (uint64_t)key_id * 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 32) & (cap - 1);
}

/* The bucket of key_id, made full when new; NULL when the table cannot grow. */
static struct bucket *bucket_of(struct rate_limiter *rl, int64_t key_id, double now)
{
	size_t i = slot_of(key_id, rl->cap);
	while (rl->slots[i].key_id != 0 && rl->slots[i].key_id != key_id)
		i = (i + 1) & (rl->cap - 1);
	if (rl->slots[i].key_id == key_id)
		return &rl->slots[i];
	if ((rl->used + 1) * 2 > rl->cap) {
		size_t cap = rl->cap * 2;
		struct bucket *slots = calloc(cap, sizeof(*slots));
		if (slots == NULL)
			return NULL;
		for (size_t j = 0; j < rl->cap; j++) {
			if (rl->slots[j].key_id == 0)
				continue;
			size_t k = slot_of(rl->slots[j].key_id, cap);
			while (slots[k].key_id != 0)
				k = (k + 1) & (cap - 1);
			slots[k] = rl->slots[j];
		}
		free(rl->slots);
		rl->slots = slots;
		rl->cap = cap;
		return bucket_of(rl, key_id, now);
	}
	rl->used++;
	rl->slots[i] = (struct bucket){.key_id = key_id, .tokens = rl->burst, .updated = now};
	return &rl->slots[i];
}

unsigned rate_limiter_take(struct rate_limiter *rl, int64_t key_id, double now)
{
	unsigned wait = 0;
	pthread_mutex_lock(&rl->lock);
	struct bucket *b = bucket_of(rl, key_id, now);
	if (b != NULL) {
		if (now > b->updated) {
			b->tokens = fmin(rl->burst, b->tokens + (now - b->updated) * rl->rate);
			b->updated = now;
		}
		if (b->tokens >= 1) {
			b->tokens -= 1;
		} else {
			double seconds = ceil((1 - b->tokens) / rl->rate);
			wait = seconds < 1 ? 1 : seconds > 3600 ? 3600 : (unsigned)seconds;
		}
	}
	pthread_mutex_unlock(&rl->lock);
	return wait;
}
