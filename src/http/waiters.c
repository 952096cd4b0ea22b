/* Long-polls held without a thread; see include/http/waiters.h. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/timeutil.h"
#include "http/waiters.h"

#define BUCKETS 4096 /* parties hash into these */

struct waiters {
	pthread_mutex_t lock;
	pthread_cond_t changed; /* a new earliest deadline, or stopping */
	pthread_t thread;
	bool stopping;
	bool joined;
	uint64_t (*news)(void *ctx);
	void (*tick)(void *ctx);
	void *ctx;
	unsigned tick_ms;
	struct waiter *buckets[BUCKETS];
	struct waiter **heap; /* by until_ms, earliest first */
	size_t count, cap;
};

static size_t bucket_of(party_kind party, int64_t id)
{
	uint64_t h = ((uint64_t)id << 2 | (uint64_t)party) * UINT64_C(0x9E3779B97F4A7C15);
	return (size_t)(h >> 52) % BUCKETS;
}

/* ---- the heap of deadlines --------------------------------------------------- */

static void heap_set(struct waiters *ws, size_t i, struct waiter *w)
{
	ws->heap[i] = w;
	w->heap_index = i;
}

static void heap_up(struct waiters *ws, size_t i)
{
	struct waiter *w = ws->heap[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (ws->heap[parent]->until_ms <= w->until_ms)
			break;
		heap_set(ws, i, ws->heap[parent]);
		i = parent;
	}
	heap_set(ws, i, w);
}

static void heap_down(struct waiters *ws, size_t i)
{
	struct waiter *w = ws->heap[i];
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= ws->count)
			break;
		if (child + 1 < ws->count &&
		    ws->heap[child + 1]->until_ms < ws->heap[child]->until_ms)
			child++;
		if (ws->heap[child]->until_ms >= w->until_ms)
			break;
		heap_set(ws, i, ws->heap[child]);
		i = child;
	}
	heap_set(ws, i, w);
}

/* Takes w out of its bucket and the heap (the caller holds the lock). */
static void unlink_waiter(struct waiters *ws, struct waiter *w)
{
	if (w->prev != NULL)
		w->prev->next = w->next;
	else
		ws->buckets[bucket_of(w->party, w->party_id)] = w->next;
	if (w->next != NULL)
		w->next->prev = w->prev;
	w->prev = w->next = NULL;
	size_t i = w->heap_index;
	struct waiter *last = ws->heap[--ws->count];
	if (i < ws->count) {
		heap_set(ws, i, last);
		heap_up(ws, i);
		heap_down(ws, ws->heap[i] == last ? last->heap_index : i);
	}
}

/* ---- waking ------------------------------------------------------------------ */

/*
 * Collects into a list the waiters to wake (unlinked, under the lock), so
 * that their wake() runs after the lock is released.
 */
struct woken {
	struct waiter *head;
};

static void collect(struct woken *wk, struct waiter *w)
{
	w->next = wk->head;
	wk->head = w;
}

static void wake_all(struct woken *wk)
{
	for (struct waiter *w = wk->head, *next; w != NULL; w = next) {
		next = w->next;
		w->next = NULL;
		w->wake(w);
	}
}

static void *hub_main(void *arg)
{
	struct waiters *ws = arg;
	int64_t next_tick = time_monotonic_ms() + ws->tick_ms;
	pthread_mutex_lock(&ws->lock);
	while (!ws->stopping) {
		int64_t now = time_monotonic_ms();
		struct woken wk = {NULL};
		while (ws->count > 0 && ws->heap[0]->until_ms <= now) {
			struct waiter *w = ws->heap[0];
			unlink_waiter(ws, w);
			collect(&wk, w);
		}
		if (wk.head != NULL) {
			pthread_mutex_unlock(&ws->lock);
			wake_all(&wk);
			pthread_mutex_lock(&ws->lock);
			continue;
		}
		if (ws->tick != NULL && now >= next_tick) {
			pthread_mutex_unlock(&ws->lock);
			ws->tick(ws->ctx);
			next_tick = time_monotonic_ms() + ws->tick_ms;
			pthread_mutex_lock(&ws->lock);
			continue;
		}
		int64_t until = next_tick;
		if (ws->count > 0 && ws->heap[0]->until_ms < until)
			until = ws->heap[0]->until_ms;
		/* The condition variable keeps CLOCK_REALTIME: sleep by the difference. */
		int64_t ms = until - now;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += (time_t)(ms / 1000);
		ts.tv_nsec += (long)(ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&ws->changed, &ws->lock, &ts);
	}
	/* Stopping: every waiter answers now. */
	struct woken wk = {NULL};
	while (ws->count > 0) {
		struct waiter *w = ws->heap[0];
		unlink_waiter(ws, w);
		collect(&wk, w);
	}
	pthread_mutex_unlock(&ws->lock);
	wake_all(&wk);
	return NULL;
}

struct waiters *waiters_new(uint64_t (*news)(void *ctx), void (*tick)(void *ctx), void *ctx,
			    unsigned tick_ms)
{
	struct waiters *ws = calloc(1, sizeof(*ws));
	if (ws == NULL)
		return NULL;
	ws->news = news;
	ws->tick = tick;
	ws->ctx = ctx;
	ws->tick_ms = tick_ms ? tick_ms : 1000;
	pthread_mutex_init(&ws->lock, NULL);
	pthread_cond_init(&ws->changed, NULL);
	if (pthread_create(&ws->thread, NULL, hub_main, ws) != 0) {
		pthread_cond_destroy(&ws->changed);
		pthread_mutex_destroy(&ws->lock);
		free(ws);
		return NULL;
	}
	return ws;
}

wait_result waiters_hold(struct waiters *ws, struct waiter *w, uint64_t seen_seq)
{
	wait_result res = WAIT_HELD;
	pthread_mutex_lock(&ws->lock);
	if (ws->stopping) {
		res = WAIT_STOPPED;
	} else if (ws->news(ws->ctx) != seen_seq) {
		res = WAIT_NEWS;
	} else if (ws->count == ws->cap) {
		size_t cap = ws->cap ? ws->cap * 2 : 256;
		/* An array of pointers: the size of a pointer is meant. */
		struct waiter **heap = realloc(
			ws->heap, cap * sizeof(*heap)); // NOLINT(bugprone-sizeof-expression)
		if (heap == NULL)
			res = WAIT_NEWS; /* no room to park it: it runs again, and answers */
		else {
			ws->heap = heap;
			ws->cap = cap;
		}
	}
	if (res == WAIT_HELD) {
		size_t b = bucket_of(w->party, w->party_id);
		w->prev = NULL;
		w->next = ws->buckets[b];
		if (w->next != NULL)
			w->next->prev = w;
		ws->buckets[b] = w;
		heap_set(ws, ws->count++, w);
		heap_up(ws, w->heap_index);
		if (w->heap_index == 0)
			pthread_cond_signal(&ws->changed);
	}
	pthread_mutex_unlock(&ws->lock);
	return res;
}

void waiters_notify(struct waiters *ws, party_kind party, int64_t party_id)
{
	struct woken wk = {NULL};
	pthread_mutex_lock(&ws->lock);
	if (party_id == 0) {
		while (ws->count > 0) {
			struct waiter *w = ws->heap[ws->count - 1];
			unlink_waiter(ws, w);
			collect(&wk, w);
		}
	}
	struct waiter *w = party_id == 0 ? NULL : ws->buckets[bucket_of(party, party_id)];
	while (w != NULL) {
		struct waiter *next = w->next;
		if (w->party == party && w->party_id == party_id) {
			unlink_waiter(ws, w);
			collect(&wk, w);
		}
		w = next;
	}
	pthread_mutex_unlock(&ws->lock);
	wake_all(&wk);
}

size_t waiters_count(struct waiters *ws)
{
	pthread_mutex_lock(&ws->lock);
	size_t n = ws->count;
	pthread_mutex_unlock(&ws->lock);
	return n;
}

void waiters_stop(struct waiters *ws)
{
	if (ws == NULL)
		return;
	pthread_mutex_lock(&ws->lock);
	bool joined = ws->joined;
	ws->stopping = true;
	ws->joined = true;
	pthread_cond_signal(&ws->changed);
	pthread_mutex_unlock(&ws->lock);
	if (!joined)
		pthread_join(ws->thread, NULL);
}

void waiters_free(struct waiters *ws)
{
	if (ws == NULL)
		return;
	waiters_stop(ws);
	free(ws->heap);
	pthread_cond_destroy(&ws->changed);
	pthread_mutex_destroy(&ws->lock);
	free(ws);
}
