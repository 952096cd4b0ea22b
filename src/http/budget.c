/* The body budget; see include/http/budget.h. */
#include "http/budget.h"

void body_budget_init(struct body_budget *b, size_t limit)
{
	atomic_init(&b->used, 0);
	b->limit = limit;
}

bool body_budget_take(struct body_budget *b, size_t n)
{
	size_t used = atomic_load(&b->used);
	do {
		if (n > b->limit || used > b->limit - n)
			return false;
	} while (!atomic_compare_exchange_weak(&b->used, &used, used + n));
	return true;
}

void body_budget_give(struct body_budget *b, size_t n)
{
	atomic_fetch_sub(&b->used, n);
}

size_t body_budget_used(struct body_budget *b)
{
	return atomic_load(&b->used);
}
