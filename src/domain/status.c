/* Fulfilment status from quantities; see include/domain/status.h. */
#include <string.h>

#include "domain/status.h"

static const char *const status_names[] = {
	[STATUS_OPEN] = "open",
	[STATUS_PARTIAL] = "partial",
	[STATUS_CLOSED] = "closed",
	[STATUS_CANCELED] = "canceled",
};

#define STATUS_COUNT (sizeof(status_names) / sizeof(status_names[0]))

/*
 * Valid quantities are small and never negative, but these functions take
 * whatever a caller summed up: saturate rather than overflow so that bad
 * data gives a wrong status instead of undefined behaviour.
 */
static int64_t add_saturated(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

int64_t status_open_quantity(quantities q)
{
	int64_t settled = add_saturated(q.shipped, q.canceled);
	if (settled >= q.ordered)
		return 0;
	/* settled < ordered here, so only a negative settled can overflow. */
	if (settled < 0 && q.ordered > INT64_MAX + settled)
		return INT64_MAX;
	return q.ordered - settled;
}

fulfilment_status status_derive(quantities q)
{
	if (q.ordered > 0 && q.canceled == q.ordered)
		return STATUS_CANCELED;
	if (q.shipped > 0)
		return status_open_quantity(q) == 0 ? STATUS_CLOSED : STATUS_PARTIAL;
	return STATUS_OPEN;
}

void status_settle(struct fulfilment *f, int64_t now)
{
	f->status = status_derive(f->q);
	if (f->status == STATUS_CLOSED && f->closed_at == 0)
		f->closed_at = now;
	if (f->status == STATUS_CANCELED && f->canceled_at == 0)
		f->canceled_at = now;
}

void status_add(quantities *total, quantities line)
{
	total->ordered = add_saturated(total->ordered, line.ordered);
	total->shipped = add_saturated(total->shipped, line.shipped);
	total->canceled = add_saturated(total->canceled, line.canceled);
}

const char *status_name(fulfilment_status s)
{
	if ((unsigned)s < STATUS_COUNT)
		return status_names[s];
	/* Not a name status_parse() accepts, so a bad value cannot round-trip. */
	return "unknown";
}

int status_parse(const char *name, fulfilment_status *out)
{
	if (name == NULL)
		return -1;
	for (size_t i = 0; i < STATUS_COUNT; i++) {
		if (strcmp(name, status_names[i]) == 0) {
			if (out != NULL)
				*out = (fulfilment_status)i;
			return 0;
		}
	}
	return -1;
}
