/*
 * How each kind of record is read: its select, its scope by party, the
 * filters its lists take by name, and its children. One declaration per
 * kind, in that kind's file (orders.c, shipments.c, cancels.c,
 * connections.c); records.c reads any of them the same way. Internal to
 * src/store/.
 */
#ifndef DROPLINE_STORE_TABLES_H
#define DROPLINE_STORE_TABLES_H

#include <stdbool.h>

#include "internal.h"
#include "store/store_records.h"

/* Operators a filter takes, as bits of 1 << filter_op. */
#define FILTER_OPS_EQ (1u << FILTER_EQ)
#define FILTER_OPS_RANGE                                                                           \
	((1u << FILTER_LT) | (1u << FILTER_LTE) | (1u << FILTER_GT) | (1u << FILTER_GTE))
#define FILTER_OPS_IN (1u << FILTER_IN)

/* A filter a list of the kind may use: the API's name and the column it compares. */
struct filter_column {
	const char *name;   /* "is_acknowledged" */
	const char *column; /* "k.is_acknowledged" */
	unsigned ops;	    /* FILTER_OPS_* */
	bool countable;	    /* the kind's counts table has this column */
};

struct record_table {
	const char *select;	     /* every column of a record: "SELECT ... FROM t x JOIN ..." */
	const char *stamp_select;    /* "SELECT x.id, x.version FROM t x" */
	const char *from;	     /* "FROM t x": for counts and look-arounds */
	const char *id_column;	     /* "x.id" */
	const char *counts_from;     /* "FROM t_counts x" (running counts), or NULL */
	const char *party_column[3]; /* by party_kind: "x.retailer_id", "x.brand_id" */
	stmt_id stamp_stmt;	     /* ?1 id, ?2 1 retailer / 2 brand, ?3 party id */
	bool has_parties;	     /* belongs to an order: parties_stmt reads who it concerns */
	stmt_id parties_stmt; /* ?1 id: retailer_id, brand_id, order_id, purchase_order_number */
	bool acknowledgeable; /* has is_acknowledged and acknowledged_at */
	stmt_id acknowledge_stmt;	     /* the scope as stamp_stmt\'s, ?4 now */
	const struct filter_column *filters; /* ends with a NULL name */
	/* Attaches the children of a page of records (lines ...); NULL when none. */
	store_status (*attach)(store_conn *c, json_t *rows);
};

extern const struct record_table store_order_table;
extern const struct record_table store_shipment_table;
extern const struct record_table store_cancel_table;
extern const struct record_table store_connection_table;
extern const struct record_table store_event_table;
extern const struct record_table store_webhook_table;

#endif
