/* Events in the SQLite store; see include/store/store_events.h. */
#include "list.h"
#include "store/store_events.h"
#include "tables.h"

/* Binds an id, or NULL for 0. */
static void bind_id_or_null(sqlite3_stmt *st, int idx, int64_t id)
{
	if (id > 0)
		sqlite3_bind_int64(st, idx, id);
	else
		sqlite3_bind_null(st, idx);
}

store_status store_events_insert(store_conn *c, const struct event_insert *e, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c, STMT_EVENT_INSERT);
	if (st == NULL)
		return STORE_ERROR;
	bool system = e->actor_party == PARTY_NONE;
	sqlite3_bind_text(st, 1, e->type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, e->created_at);
	sqlite3_bind_text(st, 3, system ? "system" : party_kind_name(e->actor_party), -1,
			  SQLITE_STATIC);
	bind_id_or_null(st, 4, system ? 0 : e->actor_party_id);
	bind_id_or_null(st, 5, e->actor_key_id);
	bind_id_or_null(st, 6, e->retailer_id);
	sqlite3_bind_int64(st, 7, e->brand_id);
	bind_id_or_null(st, 8, e->order_id);
	store_bind_text_or_null(st, 9, e->purchase_order_number);
	sqlite3_bind_text(st, 10, e->object_kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, e->object_id);
	sqlite3_bind_text(st, 12, e->data, -1, SQLITE_STATIC);
	bind_id_or_null(st, 13, e->actor_client_id);
	store_status res = store_step_done(c, st, "insert event");
	if (res == STORE_OK)
		*id = sqlite3_last_insert_rowid(c->db);
	return res;
}

struct scanned {
	int64_t through, count;
};

static void scanned_row(sqlite3_stmt *st, void *out)
{
	struct scanned *s = out;
	s->through = sqlite3_column_int64(st, 0);
	s->count = sqlite3_column_int64(st, 1);
}

/* How far a feed's bounded scan went (when the page came out short). */
static store_status feed_scanned(store_conn *c, struct event_feed *f)
{
	sqlite3_stmt *st = store_stmt(c, f->party == PARTY_RETAILER ? STMT_EVENT_SCANNED_RETAILER
								    : STMT_EVENT_SCANNED_BRAND);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, f->party_id);
	sqlite3_bind_int64(st, 2, f->after);
	sqlite3_bind_int64(st, 3, f->scan_limit);
	struct scanned s = {f->after, 0};
	store_status res = store_step_one(c, st, scanned_row, &s, "event scan");
	f->scanned_through = s.through;
	f->scanned_all = s.count < f->scan_limit;
	return res;
}

store_status store_events_feed(store_conn *c, struct event_feed *f, json_t **rows)
{
	*rows = NULL;
	f->scanned_through = f->after;
	f->scanned_all = false;
	if (f->party != PARTY_RETAILER && f->party != PARTY_BRAND)
		return STORE_ERROR;
	sqlite3_stmt *st = store_stmt(c, f->party == PARTY_RETAILER ? STMT_EVENT_FEED_RETAILER
								    : STMT_EVENT_FEED_BRAND);
	if (st == NULL || (*rows = json_array()) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, f->party_id);
	sqlite3_bind_int64(st, 2, f->after);
	sqlite3_bind_int64(st, 3, f->order_id);
	store_bind_text_or_null(st, 4, f->types_json);
	store_bind_text_or_null(st, 5, f->prefixes_json);
	sqlite3_bind_int64(st, 6, f->limit);
	sqlite3_bind_int64(st, 7, f->scan_limit);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *rec = store_row_record(st);
		if (rec == NULL || json_array_append_new(*rows, rec) != 0) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_reset(st);
	store_status res = store_status_of(c, rc, "event feed");
	if (res == STORE_OK && (int64_t)json_array_size(*rows) < f->limit)
		res = feed_scanned(c, f);
	if (res != STORE_OK) {
		json_decref(*rows);
		*rows = NULL;
	}
	return res;
}

static void id_row(sqlite3_stmt *st, void *out)
{
	*(int64_t *)out = sqlite3_column_int64(st, 0);
}

store_status store_events_pruned_through(store_conn *c, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c, STMT_EVENT_PRUNED_THROUGH);
	if (st == NULL)
		return STORE_ERROR;
	*id = 0;
	store_status res = store_step_one(c, st, id_row, id, "events pruned through");
	return res == STORE_NOT_FOUND ? STORE_OK : res;
}

store_status store_events_last_id(store_conn *c, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c, STMT_EVENT_LAST_ID);
	if (st == NULL)
		return STORE_ERROR;
	*id = 0;
	store_status res = store_step_one(c, st, id_row, id, "last event");
	return res == STORE_NOT_FOUND ? STORE_OK : res;
}

store_status store_events_parties_after(store_conn *c, int64_t after, int64_t limit,
					store_event_parties_fn each, void *ctx, int64_t *last)
{
	sqlite3_stmt *st = store_stmt(c, STMT_EVENT_PARTIES_AFTER);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, limit);
	*last = after;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*last = sqlite3_column_int64(st, 0);
		each(sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2), ctx);
	}
	sqlite3_reset(st);
	return store_status_of(c, rc, "events after");
}

store_status store_events_prune(store_conn *c, int64_t before, int64_t limit, int64_t *deleted)
{
	sqlite3_stmt *st = store_stmt(c, STMT_EVENT_PRUNE);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_int64(st, 2, limit);
	int64_t newest = 0;
	*deleted = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		if (id > newest)
			newest = id;
		(*deleted)++;
	}
	sqlite3_reset(st);
	store_status res = store_status_of(c, rc, "prune events");
	if (res != STORE_OK || newest == 0)
		return res;
	if ((st = store_stmt(c, STMT_EVENT_PRUNED_SET)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, newest);
	return store_step_done(c, st, "events pruned");
}

static const struct filter_column event_filters[] = {
	{"order_id", "e.order_id", FILTER_OPS_EQ, false},
	{NULL, NULL, 0, false},
};

/* An order's timeline: its events, read as records of kind RECORD_EVENT. */
const struct record_table store_event_table = {
	.select = SQL_EVENT_SELECT,
	.stamp_select = "SELECT e.id, 1 AS version FROM events e",
	.from = "FROM events e",
	.id_column = "e.id",
	.counts_from = NULL,
	.party_column = {[PARTY_RETAILER] = "e.retailer_id", [PARTY_BRAND] = "e.brand_id"},
	.stamp_stmt = STMT_EVENT_STAMP,
	.filters = event_filters,
	.attach = NULL,
};
