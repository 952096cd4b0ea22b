/* Records of every kind, read one way; see include/store/store_records.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "tables.h"

static const struct record_table *const tables[RECORD_KIND_COUNT] = {
	[RECORD_ORDER] = &store_order_table,   [RECORD_SHIPMENT] = &store_shipment_table,
	[RECORD_CANCEL] = &store_cancel_table, [RECORD_CONNECTION] = &store_connection_table,
	[RECORD_EVENT] = &store_event_table,   [RECORD_WEBHOOK] = &store_webhook_table,
};

/* The SQL of each operator: "lhs op ?N rhs". */
static const char *const op_sql[] = {
	[FILTER_EQ] = " = ",   [FILTER_LT] = " < ",
	[FILTER_LTE] = " <= ", [FILTER_GT] = " > ",
	[FILTER_GTE] = " >= ", [FILTER_IN] = " IN (SELECT value FROM json_each(",
};

/* Fetches by id take at most this many: more than any page. */
#define FETCH_MAX 1024

static const struct record_table *table_of(record_kind kind)
{
	return (unsigned)kind < RECORD_KIND_COUNT ? tables[kind] : NULL;
}

static const struct filter_column *filter_find(const struct record_table *t, const char *name)
{
	for (const struct filter_column *f = t->filters; f != NULL && f->name != NULL; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

bool store_records_filterable(record_kind kind, const char *name, filter_op op)
{
	const struct record_table *t = table_of(kind);
	const struct filter_column *f = t ? filter_find(t, name) : NULL;
	return f != NULL && (unsigned)op <= FILTER_IN && (f->ops & (1u << op)) != 0;
}

bool record_filter_add(struct record_filter *f, record_kind kind, const struct record_cond *cond)
{
	if (f->nconds == RECORD_MAX_CONDS || !store_records_filterable(kind, cond->name, cond->op))
		return false;
	f->conds[f->nconds++] = *cond;
	return true;
}

/* The query of a kind's records of one party, selecting `select`. */
static bool query_start(struct list_query *q, const struct record_table *t, const char *select,
			party_kind party, int64_t party_id, struct page_request page)
{
	*q = (struct list_query){.select = select,
				 .from = t->from,
				 .id_column = t->id_column,
				 .counts_from = t->counts_from,
				 .page = page};
	if (party != PARTY_RETAILER && party != PARTY_BRAND)
		return false;
	struct list_cond *c = list_cond(q, t->party_column[party], " = ", "");
	if (c == NULL)
		return false;
	c->number = party_id;
	c->countable = true;
	return true;
}

static bool query_filters(struct list_query *q, const struct record_table *t,
			  const struct record_filter *f)
{
	for (size_t i = 0; i < f->nconds; i++) {
		const struct record_cond *rc = &f->conds[i];
		const struct filter_column *fc = filter_find(t, rc->name);
		if (fc == NULL || (fc->ops & (1u << rc->op)) == 0)
			return false;
		struct list_cond *c =
			list_cond(q, fc->column, op_sql[rc->op], rc->op == FILTER_IN ? "))" : "");
		if (c == NULL)
			return false;
		c->is_text = rc->is_text;
		c->number = rc->number;
		c->text = rc->text;
		c->countable = fc->countable;
	}
	return true;
}

/* A page's rows, with their children attached; frees them on failure. */
static store_status run_with_children(store_conn *c, const struct record_table *t,
				      const struct list_query *q, struct page *page)
{
	store_status res = store_list_run(c, q, page);
	if (res == STORE_OK && t->attach != NULL)
		res = t->attach(c, page->rows);
	if (res != STORE_OK) {
		json_decref(page->rows);
		page->rows = NULL;
	}
	return res;
}

store_status store_records_stamp(store_conn *c, record_kind kind, party_kind party,
				 int64_t party_id, int64_t id, struct record_stamp *stamp)
{
	const struct record_table *t = table_of(kind);
	sqlite3_stmt *st = t ? store_stmt(c, t->stamp_stmt) : NULL;
	if (st == NULL)
		return STORE_ERROR;
	store_bind_scope(st, id, party, party_id);
	int rc = sqlite3_step(st);
	store_status res = STORE_NOT_FOUND;
	if (rc == SQLITE_ROW) {
		stamp->version = sqlite3_column_int64(st, 0);
		stamp->generation = sqlite3_column_int64(st, 1);
		res = STORE_OK;
	} else if (rc != SQLITE_DONE) {
		res = store_status_of(c, rc, "record stamp");
	}
	sqlite3_reset(st);
	return res;
}

store_status store_records_get(store_conn *c, record_kind kind, party_kind party, int64_t party_id,
			       int64_t id, json_t **record)
{
	const struct record_table *t = table_of(kind);
	struct list_query q;
	struct page page;
	*record = NULL;
	if (t == NULL || !query_start(&q, t, t->select, party, party_id,
				      (struct page_request){.direction = PAGE_FIRST, .limit = 1}))
		return STORE_ERROR;
	q.one = true;
	struct list_cond *cond = list_cond(&q, t->id_column, " = ", "");
	if (cond == NULL)
		return STORE_ERROR;
	cond->number = id;
	store_status res = run_with_children(c, t, &q, &page);
	if (res != STORE_OK)
		return res;
	if (json_array_size(page.rows) == 1)
		*record = json_incref(json_array_get(page.rows, 0));
	json_decref(page.rows);
	return *record ? STORE_OK : STORE_NOT_FOUND;
}

store_status store_records_page(store_conn *c, record_kind kind, const struct record_filter *f,
				struct page *page, int64_t *generation)
{
	const struct record_table *t = table_of(kind);
	struct list_query q;
	memset(page, 0, sizeof(*page));
	if (t == NULL || !query_start(&q, t, t->stamp_select, f->party, f->party_id, f->page) ||
	    !query_filters(&q, t, f))
		return STORE_ERROR;
	store_status res = store_list_run(c, &q, page);
	if (res != STORE_OK)
		return res;
	sqlite3_stmt *st = store_stmt(c, STMT_CATALOG_GENERATION);
	int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
	if (rc == SQLITE_ROW)
		*generation = sqlite3_column_int64(st, 0);
	else
		res = st ? store_status_of(c, rc, "catalog generation") : STORE_ERROR;
	if (st != NULL)
		sqlite3_reset(st);
	if (res != STORE_OK) {
		json_decref(page->rows);
		page->rows = NULL;
	}
	return res;
}

store_status store_records_fetch(store_conn *c, record_kind kind, party_kind party,
				 int64_t party_id, const char *ids, json_t **rows)
{
	const struct record_table *t = table_of(kind);
	struct list_query q;
	struct page page;
	*rows = NULL;
	if (t == NULL ||
	    !query_start(&q, t, t->select, party, party_id,
			 (struct page_request){.direction = PAGE_FIRST, .limit = FETCH_MAX}))
		return STORE_ERROR;
	q.one = true; /* no count, no look-around: the caller has them */
	struct list_cond *cond =
		list_cond(&q, t->id_column, " IN (SELECT value FROM json_each(", "))");
	if (cond == NULL)
		return STORE_ERROR;
	cond->is_text = true;
	cond->text = ids;
	store_status res = run_with_children(c, t, &q, &page);
	if (res == STORE_OK)
		*rows = page.rows;
	return res;
}

store_status store_records_acknowledge(store_conn *c, record_kind kind, party_kind party,
				       int64_t party_id, int64_t id, int64_t now, bool *changed)
{
	const struct record_table *t = table_of(kind);
	*changed = false;
	if (t == NULL || !t->acknowledgeable)
		return STORE_ERROR;
	sqlite3_stmt *st = store_stmt(c, t->acknowledge_stmt);
	if (st == NULL)
		return STORE_ERROR;
	store_bind_scope(st, id, party, party_id);
	sqlite3_bind_int64(st, 4, now);
	store_status res = store_step_done(c, st, "acknowledge");
	*changed = res == STORE_OK && sqlite3_changes(c->db) > 0;
	return res;
}

static void parties_row(sqlite3_stmt *st, void *out)
{
	struct record_parties *p = out;
	p->retailer_id = sqlite3_column_int64(st, 0);
	p->brand_id = sqlite3_column_int64(st, 1);
	p->order_id = sqlite3_column_int64(st, 2);
	const unsigned char *po = sqlite3_column_text(st, 3);
	snprintf(p->purchase_order_number, sizeof(p->purchase_order_number), "%s",
		 po ? (const char *)po : "");
}

store_status store_records_parties(store_conn *c, record_kind kind, int64_t id,
				   struct record_parties *out)
{
	const struct record_table *t = table_of(kind);
	memset(out, 0, sizeof(*out));
	if (t == NULL || !t->has_parties)
		return STORE_ERROR;
	sqlite3_stmt *st = store_stmt(c, t->parties_stmt);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	return store_step_one(c, st, parties_row, out, "record parties");
}
