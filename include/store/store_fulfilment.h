/*
 * What shipments and cancellations change on an order, inside their write
 * transaction: the order's state and its lines' quantities and statuses,
 * read for the rules (domain/rules.h) and saved as they decided.
 */
#ifndef DROPLINE_STORE_FULFILMENT_H
#define DROPLINE_STORE_FULFILMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/apikey.h"
#include "domain/rules.h"
#include "store/store.h"

/* A quantity shipped or canceled on one order line. */
struct line_quantity {
	int64_t order_line_id;
	int64_t quantity;
};

/*
 * store_fulfilment_order() reads a party's order and its lines (in id
 * order; the caller frees *lines; lines NULL: the order alone).
 * STORE_NOT_FOUND when the order is not the party's.
 */
store_status store_fulfilment_order(store_conn *c, party_kind party, int64_t party_id,
				    int64_t order_id, struct order_state *order,
				    struct line_state **lines, size_t *nlines);

/*
 * store_fulfilment_save() writes the lines marked changed (quantities,
 * status, stamps) and the order (status, stamps, acknowledgement).
 */
store_status store_fulfilment_save(store_conn *c, const struct order_state *order,
				   const struct line_state *lines, size_t nlines);

#endif
