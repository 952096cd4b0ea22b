/* Shipments in the SQLite store; see include/store/store_shipments.h. */
#include "list.h"
#include "store/store_shipments.h"
#include "tables.h"

static void id_row(sqlite3_stmt *st, void *out)
{
	*(int64_t *)out = sqlite3_column_int64(st, 0);
}

store_status store_shipping_methods_by_code(store_conn *c, const char *carrier_code,
					    const char *code, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c, STMT_SHIPPING_METHOD_BY_CODE);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(st, 1, carrier_code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
	return store_step_one(c, st, id_row, id, "shipping method by code");
}

store_status store_shipments_insert(store_conn *c, const struct shipment_insert *s, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c, STMT_SHIPMENT_INSERT);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, s->order_id);
	sqlite3_bind_int64(st, 2, s->retailer_id);
	sqlite3_bind_int64(st, 3, s->brand_id);
	sqlite3_bind_text(st, 4, s->tracking_number, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, s->shipping_method_id);
	sqlite3_bind_int64(st, 6, s->shipped_at);
	store_status res = store_step_done(c, st, "insert shipment");
	if (res != STORE_OK)
		return res;
	*id = sqlite3_last_insert_rowid(c->db);
	return store_insert_lines(c, STMT_SHIPMENT_LINE_INSERT, *id, s->lines, s->nlines,
				  "insert shipment line");
}

store_status store_shipments_attach(store_conn *c, json_t *orders)
{
	return store_list_attach_nested(c, orders, STMT_SHIPMENTS_OF_ORDERS, "shipments",
					STMT_SHIPMENT_LINES_OF);
}

static store_status shipment_lines(store_conn *c, json_t *shipments)
{
	return store_list_children(c, shipments, STMT_SHIPMENT_LINES_OF, 1, "lines");
}

static const struct filter_column shipment_filters[] = {
	{"is_acknowledged", "s.is_acknowledged", FILTER_OPS_EQ, true},
	{"shipped_at", "s.shipped_at", FILTER_OPS_RANGE, false},
	{"order_id", "s.order_id", FILTER_OPS_EQ, false},
	{NULL, NULL, 0, false},
};

const struct record_table store_shipment_table = {
	.select = SQL_SHIPMENT_SELECT,
	.stamp_select = "SELECT s.id, s.version FROM shipments s",
	.from = "FROM shipments s",
	.id_column = "s.id",
	.counts_from = "FROM shipment_counts s",
	.party_column = {[PARTY_RETAILER] = "s.retailer_id", [PARTY_BRAND] = "s.brand_id"},
	.stamp_stmt = STMT_SHIPMENT_STAMP,
	.has_parties = true,
	.parties_stmt = STMT_SHIPMENT_PARTIES,
	.acknowledgeable = true,
	.acknowledge_stmt = STMT_SHIPMENT_ACKNOWLEDGE,
	.filters = shipment_filters,
	.attach = shipment_lines,
};
