/*
 * What shipments and cancellations change on an order, inside their write
 * transaction: the order's state, its lines' quantities and statuses.
 */
#ifndef DROPLINE_STORE_FULFILMENT_H
#define DROPLINE_STORE_FULFILMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/apikey.h"
#include "domain/status.h"
#include "store/store.h"

#define PO_NUMBER_MAX 32

struct order_state {
	int64_t id;
	int64_t retailer_id;
	int64_t brand_id;
	char purchase_order_number[PO_NUMBER_MAX + 1];
	bool is_acknowledged;
	int64_t acknowledged_at; /* 0 when not acknowledged */
	struct fulfilment f;	 /* totals over the lines */
};

/* A quantity shipped or canceled on one order line. */
struct line_quantity {
	int64_t order_line_id;
	int64_t quantity;
};

struct line_state {
	int64_t id;
	int64_t variant_id;
	struct fulfilment f;
};

/*
 * store_fulfilment_order() reads a party's order and its lines (in id
 * order; the caller frees *lines). STORE_NOT_FOUND when the order is not
 * the party's.
 */
store_status store_fulfilment_order(store_conn *c, party_kind party, int64_t party_id,
				    int64_t order_id, struct order_state *order,
				    struct line_state **lines, size_t *nlines);

/* Writes a line's quantities, status and stamps. */
store_status store_fulfilment_save_line(store_conn *c, const struct line_state *line);

/* Writes the order's status, stamps and acknowledgement, and bumps its version. */
store_status store_fulfilment_save_order(store_conn *c, const struct order_state *order);

#endif
