/* Shipments in the SQLite store; see include/store/store_shipments.h. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "list.h"
#include "store/store_shipments.h"

store_status store_shipping_methods_by_code(store_conn *c, const char *carrier_code,
					    const char *code, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c, STMT_SHIPPING_METHOD_BY_CODE);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(st, 1, carrier_code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return STORE_NOT_FOUND;
	return rc == SQLITE_ROW ? STORE_OK : store_status_of(c, rc, "shipping method by code");
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
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	store_status res = store_status_of(c, rc, "insert shipment");
	if (res != STORE_OK)
		return res;
	*id = sqlite3_last_insert_rowid(c->db);
	for (size_t i = 0; i < s->nlines && res == STORE_OK; i++) {
		if ((st = store_stmt(c, STMT_SHIPMENT_LINE_INSERT)) == NULL)
			return STORE_ERROR;
		sqlite3_bind_int64(st, 1, *id);
		sqlite3_bind_int64(st, 2, s->lines[i].order_line_id);
		sqlite3_bind_int64(st, 3, s->lines[i].quantity);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		res = store_status_of(c, rc, "insert shipment line");
	}
	return res;
}

store_status store_shipments_list(store_conn *c, const struct shipment_filter *f, struct page *page)
{
	struct list_query q = {.select = SQL_SHIPMENT_SELECT,
			       .from = "FROM shipments s",
			       .id_column = "s.id",
			       .counts_from = "FROM shipment_counts s",
			       .page = f->page,
			       .one = f->shipment_id > 0};
	list_cond_number(&q, f->party == PARTY_RETAILER ? "s.retailer_id = " : "s.brand_id = ", "",
			 f->party_id);
	list_cond_countable(&q);
	if (f->shipment_id > 0)
		list_cond_number(&q, "s.id = ", "", f->shipment_id);
	if (f->order_id > 0)
		list_cond_number(&q, "s.order_id = ", "", f->order_id);
	if (f->is_acknowledged >= 0) {
		list_cond_number(&q, "s.is_acknowledged = ", "", f->is_acknowledged);
		list_cond_countable(&q);
	}
	list_cond_times(&q, "s.shipped_at", f->shipped_at);
	store_status res = store_list_run(c, &q, page);
	if (res == STORE_OK)
		res = store_list_children(c, page->rows, STMT_SHIPMENT_LINES_OF, 1, "lines");
	if (res != STORE_OK) {
		json_decref(page->rows);
		page->rows = NULL;
	}
	return res;
}

store_status store_shipments_get(store_conn *c, party_kind party, int64_t party_id,
				 int64_t shipment_id, json_t **shipment)
{
	struct shipment_filter f = {.party = party,
				    .party_id = party_id,
				    .shipment_id = shipment_id,
				    .is_acknowledged = -1,
				    .page = {.limit = 1}};
	struct page page;
	*shipment = NULL;
	store_status res = store_shipments_list(c, &f, &page);
	if (res != STORE_OK)
		return res;
	if (json_array_size(page.rows) == 1)
		*shipment = json_incref(json_array_get(page.rows, 0));
	json_decref(page.rows);
	return *shipment ? STORE_OK : STORE_NOT_FOUND;
}

store_status store_shipments_acknowledge(store_conn *c, int64_t retailer_id, int64_t shipment_id,
					 int64_t now, bool *changed)
{
	sqlite3_stmt *st = store_stmt(c, STMT_SHIPMENT_ACKNOWLEDGE);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, retailer_id);
	sqlite3_bind_int64(st, 2, shipment_id);
	sqlite3_bind_int64(st, 3, now);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	*changed = sqlite3_changes(c->db) > 0;
	return store_status_of(c, rc, "acknowledge shipment");
}

store_status store_shipments_attach(store_conn *c, json_t *orders)
{
	return store_list_attach_nested(c, orders, STMT_SHIPMENTS_OF_ORDERS, "shipments",
					STMT_SHIPMENT_LINES_OF);
}
