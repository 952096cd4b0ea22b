/*
 * The process's memory budget for request bodies: the bytes of every body
 * being received and the bound of every parsed tree held (a write waiting
 * for its batch holds its tree). A request that would take more than is
 * left is answered 503 with Retry-After, so no number of connections can
 * make bodies hold more than the budget (docs/reliability.md).
 */
#ifndef DROPLINE_HTTP_BUDGET_H
#define DROPLINE_HTTP_BUDGET_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/* 128 MiB: 40 of the largest orders at once (500 lines, ~3 MB of tree each). */
#define BODY_BUDGET_DEFAULT ((size_t)128 << 20)

struct body_budget {
	atomic_size_t used;
	size_t limit;
};

void body_budget_init(struct body_budget *b, size_t limit);

/* Takes n bytes; false (nothing taken) when that would pass the limit. */
bool body_budget_take(struct body_budget *b, size_t n);

/* Gives back n bytes taken before. */
void body_budget_give(struct body_budget *b, size_t n);

/* Bytes taken now. */
size_t body_budget_used(struct body_budget *b);

#endif
