/*
 * Status of an order line or an order, derived from its quantities only
 * (CONTRACT.md section 5): nothing here reads the store.
 */
#ifndef DROPLINE_DOMAIN_STATUS_H
#define DROPLINE_DOMAIN_STATUS_H

#include <stdint.h>

typedef enum {
	STATUS_OPEN,
	STATUS_PARTIAL,
	STATUS_CLOSED,
	STATUS_CANCELED,
} fulfilment_status;

/* Quantities of one line, or the sums over an order's lines. */
typedef struct {
	int64_t ordered;
	int64_t shipped;
	int64_t canceled;
} quantities;

/*
 * status_derive():
 *   canceled - every unit is canceled (ordered > 0, canceled == ordered);
 *   closed   - every unit is shipped or canceled, at least one shipped;
 *   partial  - some unit is shipped but not every unit is settled;
 *   open     - otherwise (a line with canceled and open units but nothing
 *              shipped is still open).
 * For an order pass the sums over its lines.
 */
fulfilment_status status_derive(quantities q);

/* Units still open: ordered - shipped - canceled (never below 0). */
int64_t status_open_quantity(quantities q);

/* A line or an order: its quantities, status, and when it closed or was canceled. */
struct fulfilment {
	quantities q;
	fulfilment_status status;
	int64_t closed_at;   /* 0 until closed */
	int64_t canceled_at; /* 0 until canceled */
};

/*
 * status_settle() re-derives f->status from f->q after a change of
 * quantities, and stamps closed_at or canceled_at with `now` when that
 * status is reached for the first time. Quantities only grow (shipments and
 * cancellations cannot be undone), so a stamp is never cleared.
 */
void status_settle(struct fulfilment *f, int64_t now);

/* Adds a line's quantities to an order's totals. */
void status_add(quantities *total, quantities line);

/* "open", "partial", "closed", "canceled". */
const char *status_name(fulfilment_status s);

/* Parses a status name; returns 0 and sets *out, or -1 when unknown. */
int status_parse(const char *name, fulfilment_status *out);

#endif
