/* Cancellations in the SQLite store; see include/store/store_cancels.h. */
#include <string.h>

#include "list.h"
#include "store/store_cancels.h"
#include "tables.h"

store_status store_cancels_insert(store_conn *c, const struct cancel_insert *k, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c, STMT_CANCEL_INSERT);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, k->order_id);
	sqlite3_bind_int64(st, 2, k->retailer_id);
	sqlite3_bind_int64(st, 3, k->brand_id);
	sqlite3_bind_int64(st, 4, k->reason_id);
	sqlite3_bind_text(st, 5, party_kind_name(k->canceled_by), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, k->canceled_at);
	store_status res = store_step_done(c, st, "insert cancel");
	if (res != STORE_OK)
		return res;
	*id = sqlite3_last_insert_rowid(c->db);
	return store_insert_lines(c, STMT_CANCEL_LINE_INSERT, *id, k->lines, k->nlines,
				  "insert cancel line");
}

static void made_by_row(sqlite3_stmt *st, void *out)
{
	const unsigned char *by = sqlite3_column_text(st, 0);
	bool retailer = by != NULL && strcmp((const char *)by, "retailer") == 0;
	*(party_kind *)out = retailer ? PARTY_RETAILER : PARTY_BRAND;
}

store_status store_cancels_made_by(store_conn *c, party_kind party, int64_t party_id,
				   int64_t cancel_id, party_kind *by)
{
	sqlite3_stmt *st = store_stmt(c, STMT_CANCEL_MADE_BY);
	if (st == NULL)
		return STORE_ERROR;
	store_bind_scope(st, cancel_id, party, party_id);
	return store_step_one(c, st, made_by_row, by, "cancel made by");
}

store_status store_cancels_attach(store_conn *c, json_t *orders)
{
	return store_list_attach_nested(c, orders, STMT_CANCELS_OF_ORDERS, "cancels",
					STMT_CANCEL_LINES_OF);
}

static store_status cancel_lines(store_conn *c, json_t *cancels)
{
	return store_list_children(c, cancels, STMT_CANCEL_LINES_OF, 1, "lines");
}

static const struct filter_column cancel_filters[] = {
	{"is_acknowledged", "k.is_acknowledged", FILTER_OPS_EQ, true},
	{"canceled_at", "k.canceled_at", FILTER_OPS_RANGE, false},
	{"order_id", "k.order_id", FILTER_OPS_EQ, false},
	{"reason_id", "k.reason_id", FILTER_OPS_EQ, true},
	{"canceled_by", "k.canceled_by", FILTER_OPS_EQ, true},
	{NULL, NULL, 0, false},
};

const struct record_table store_cancel_table = {
	.select = SQL_CANCEL_SELECT,
	.stamp_select = "SELECT k.id, k.version FROM cancels k",
	.from = "FROM cancels k",
	.id_column = "k.id",
	.counts_from = "FROM cancel_counts k",
	.party_column = {[PARTY_RETAILER] = "k.retailer_id", [PARTY_BRAND] = "k.brand_id"},
	.stamp_stmt = STMT_CANCEL_STAMP,
	.has_parties = true,
	.parties_stmt = STMT_CANCEL_PARTIES,
	.acknowledgeable = true,
	.acknowledge_stmt = STMT_CANCEL_ACKNOWLEDGE,
	.filters = cancel_filters,
	.attach = cancel_lines,
};
