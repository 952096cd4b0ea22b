/* Cancellations in the SQLite store; see include/store/store_cancels.h. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "list.h"
#include "store/store_cancels.h"

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
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	store_status res = store_status_of(c, rc, "insert cancel");
	if (res != STORE_OK)
		return res;
	*id = sqlite3_last_insert_rowid(c->db);
	for (size_t i = 0; i < k->nlines && res == STORE_OK; i++) {
		if ((st = store_stmt(c, STMT_CANCEL_LINE_INSERT)) == NULL)
			return STORE_ERROR;
		sqlite3_bind_int64(st, 1, *id);
		sqlite3_bind_int64(st, 2, k->lines[i].order_line_id);
		sqlite3_bind_int64(st, 3, k->lines[i].quantity);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		res = store_status_of(c, rc, "insert cancel line");
	}
	return res;
}

store_status store_cancels_list(store_conn *c, const struct cancel_filter *f, struct page *page)
{
	struct list_query q = {.select = SQL_CANCEL_SELECT,
			       .from = "FROM cancels k",
			       .id_column = "k.id",
			       .counts_from = "FROM cancel_counts k",
			       .page = f->page,
			       .one = f->cancel_id > 0};
	list_cond_number(&q, f->party == PARTY_RETAILER ? "k.retailer_id = " : "k.brand_id = ", "",
			 f->party_id);
	list_cond_countable(&q);
	if (f->cancel_id > 0)
		list_cond_number(&q, "k.id = ", "", f->cancel_id);
	if (f->order_id > 0)
		list_cond_number(&q, "k.order_id = ", "", f->order_id);
	if (f->reason_id > 0) {
		list_cond_number(&q, "k.reason_id = ", "", f->reason_id);
		list_cond_countable(&q);
	}
	if (f->canceled_by != PARTY_NONE) {
		list_cond_text(&q, "k.canceled_by = ", "", party_kind_name(f->canceled_by));
		list_cond_countable(&q);
	}
	if (f->is_acknowledged >= 0) {
		list_cond_number(&q, "k.is_acknowledged = ", "", f->is_acknowledged);
		list_cond_countable(&q);
	}
	list_cond_times(&q, "k.canceled_at", f->canceled_at);
	store_status res = store_list_run(c, &q, page);
	if (res == STORE_OK)
		res = store_list_children(c, page->rows, STMT_CANCEL_LINES_OF, 1, "lines");
	if (res != STORE_OK) {
		json_decref(page->rows);
		page->rows = NULL;
	}
	return res;
}

store_status store_cancels_get(store_conn *c, party_kind party, int64_t party_id, int64_t cancel_id,
			       json_t **cancel)
{
	struct cancel_filter f = {.party = party,
				  .party_id = party_id,
				  .cancel_id = cancel_id,
				  .is_acknowledged = -1,
				  .page = {.limit = 1}};
	struct page page;
	*cancel = NULL;
	store_status res = store_cancels_list(c, &f, &page);
	if (res != STORE_OK)
		return res;
	if (json_array_size(page.rows) == 1)
		*cancel = json_incref(json_array_get(page.rows, 0));
	json_decref(page.rows);
	return *cancel ? STORE_OK : STORE_NOT_FOUND;
}

store_status store_cancels_acknowledge(store_conn *c, party_kind party, int64_t party_id,
				       int64_t cancel_id, int64_t now, bool *changed)
{
	sqlite3_stmt *st = store_stmt(c, STMT_CANCEL_ACKNOWLEDGE);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int(st, 1, party == PARTY_RETAILER ? 1 : 2);
	sqlite3_bind_int64(st, 2, party_id);
	sqlite3_bind_int64(st, 3, cancel_id);
	sqlite3_bind_int64(st, 4, now);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	*changed = sqlite3_changes(c->db) > 0;
	return store_status_of(c, rc, "acknowledge cancel");
}

store_status store_cancels_attach(store_conn *c, json_t *orders)
{
	return store_list_attach_nested(c, orders, STMT_CANCELS_OF_ORDERS, "cancels",
					STMT_CANCEL_LINES_OF);
}
