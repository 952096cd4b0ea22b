/* Webhook subscriptions in the SQLite store; see include/store/store_webhooks.h. */
#include "store/store_webhooks.h"
#include "tables.h"

/* clang-format off */
static const char webhook_select[] =
	"SELECT w.id, w.retailer_id, w.brand_id, w.url, w.event_types, w.description, "
	"w.status, w.disabled_reason, w.created_at, w.last_delivered_event_id, w.version "
	"FROM webhooks w";
/* clang-format on */

static const struct filter_column webhook_filters[] = {
	{NULL, NULL, 0, false},
};

const struct record_table store_webhook_table = {
	.select = webhook_select,
	.stamp_select = "SELECT w.id, w.version FROM webhooks w",
	.from = "FROM webhooks w",
	.id_column = "w.id",
	.counts_from = NULL,
	.party_column = {[PARTY_RETAILER] = "w.retailer_id", [PARTY_BRAND] = "w.brand_id"},
	.stamp_stmt = STMT_WEBHOOK_STAMP,
	.filters = webhook_filters,
	.attach = NULL,
};

static void bind_party(sqlite3_stmt *st, int idx, party_kind party, int64_t party_id)
{
	sqlite3_bind_int(st, idx, party == PARTY_RETAILER ? 1 : 2);
	sqlite3_bind_int64(st, idx + 1, party_id);
}

static void int64_row(sqlite3_stmt *st, void *out)
{
	*(int64_t *)out = sqlite3_column_int64(st, 0);
}

store_status store_webhooks_count(store_conn *c, party_kind party, int64_t party_id, int64_t *n)
{
	sqlite3_stmt *st = store_stmt(c, STMT_WEBHOOK_COUNT);
	if (st == NULL)
		return STORE_ERROR;
	bind_party(st, 1, party, party_id);
	*n = 0;
	return store_step_one(c, st, int64_row, n, "count webhooks");
}

store_status store_webhooks_insert(store_conn *c, const struct webhook_insert *w, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c, STMT_WEBHOOK_INSERT);
	if (st == NULL)
		return STORE_ERROR;
	if (w->party == PARTY_RETAILER)
		sqlite3_bind_int64(st, 1, w->party_id);
	else
		sqlite3_bind_int64(st, 2, w->party_id);
	sqlite3_bind_text(st, 3, w->url, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, w->event_types, -1, SQLITE_STATIC);
	store_bind_text_or_null(st, 5, w->description);
	sqlite3_bind_text(st, 6, w->secret_sealed, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, w->created_at);
	store_status res = store_step_one(c, st, int64_row, id, "insert webhook");
	return res == STORE_NOT_FOUND ? STORE_ERROR : res;
}

static store_status scoped_change(store_conn *c, stmt_id stmt, party_kind party, int64_t party_id,
				  int64_t id, const char *what)
{
	sqlite3_stmt *st = store_stmt(c, stmt);
	if (st == NULL)
		return STORE_ERROR;
	store_bind_scope(st, id, party, party_id);
	int64_t changed = 0;
	return store_step_one(c, st, int64_row, &changed, what);
}

store_status store_webhooks_delete(store_conn *c, party_kind party, int64_t party_id, int64_t id)
{
	return scoped_change(c, STMT_WEBHOOK_DELETE, party, party_id, id, "delete webhook");
}

store_status store_webhooks_enable(store_conn *c, party_kind party, int64_t party_id, int64_t id)
{
	return scoped_change(c, STMT_WEBHOOK_ENABLE, party, party_id, id, "enable webhook");
}

static void stamp_row(sqlite3_stmt *st, void *out)
{
	(void)st;
	(void)out;
}

store_status store_webhooks_deliveries(store_conn *c, party_kind party, int64_t party_id,
				       int64_t id, int64_t limit, json_t **rows)
{
	*rows = NULL;
	sqlite3_stmt *st = store_stmt(c, STMT_WEBHOOK_STAMP);
	if (st == NULL)
		return STORE_ERROR;
	store_bind_scope(st, id, party, party_id);
	store_status res = store_step_one(c, st, stamp_row, NULL, "webhook");
	if (res != STORE_OK)
		return res;
	st = store_stmt(c, STMT_WEBHOOK_DELIVERIES);
	if (st == NULL || (*rows = json_array()) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, limit);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *rec = store_row_record(st);
		if (rec == NULL || json_array_append_new(*rows, rec) != 0) {
			sqlite3_reset(st);
			return STORE_ERROR;
		}
	}
	res = rc == SQLITE_DONE ? STORE_OK : store_status_of(c, rc, "webhook deliveries");
	sqlite3_reset(st);
	return res;
}

store_status store_webhooks_active(store_conn *c, store_webhook_fn each, void *ctx)
{
	sqlite3_stmt *st = store_stmt(c, STMT_WEBHOOK_ACTIVE);
	if (st == NULL)
		return STORE_ERROR;
	int rc;
	store_status res = STORE_OK;
	while (res == STORE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		bool retailer = sqlite3_column_type(st, 1) != SQLITE_NULL;
		struct webhook_active w = {
			.id = sqlite3_column_int64(st, 0),
			.party = retailer ? PARTY_RETAILER : PARTY_BRAND,
			.party_id = sqlite3_column_int64(st, retailer ? 1 : 2),
			.url = (const char *)sqlite3_column_text(st, 3),
			.event_types = (const char *)sqlite3_column_text(st, 4),
			.secret_sealed = (const char *)sqlite3_column_text(st, 5),
			.cursor = sqlite3_column_int64(st, 6),
			.failing_since = sqlite3_column_int64(st, 7),
			.attempts = sqlite3_column_int64(st, 8),
		};
		if (w.url == NULL || w.event_types == NULL || w.secret_sealed == NULL)
			res = STORE_ERROR;
		else
			res = each(&w, ctx);
	}
	if (res == STORE_OK && rc != SQLITE_DONE)
		res = store_status_of(c, rc, "active webhooks");
	sqlite3_reset(st);
	return res;
}

store_status store_webhooks_attempt(store_conn *c, const struct webhook_attempt *a)
{
	sqlite3_stmt *st = store_stmt(c, STMT_WEBHOOK_LOG);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, a->webhook_id);
	sqlite3_bind_int64(st, 2, a->event_id);
	sqlite3_bind_int64(st, 3, a->attempt);
	if (a->status_code > 0)
		sqlite3_bind_int(st, 4, a->status_code);
	store_bind_text_or_null(st, 5, a->error);
	sqlite3_bind_int64(st, 6, a->duration_ms);
	sqlite3_bind_int64(st, 7, a->attempted_at);
	store_status res = store_step_done(c, st, "log webhook attempt");
	if (res == STORE_OK && (st = store_stmt(c, STMT_WEBHOOK_LOG_TRIM)) != NULL) {
		sqlite3_bind_int64(st, 1, a->webhook_id);
		sqlite3_bind_int64(st, 2, STORE_WEBHOOK_LOG_KEEP);
		res = store_step_done(c, st, "trim webhook log");
	} else if (res == STORE_OK) {
		res = STORE_ERROR;
	}
	if (res != STORE_OK)
		return res;
	st = store_stmt(c, a->delivered ? STMT_WEBHOOK_DELIVERED : STMT_WEBHOOK_FAILED);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, a->webhook_id);
	sqlite3_bind_int64(st, 2, a->delivered ? a->event_id : a->attempted_at);
	res = store_step_done(c, st, "webhook cursor");
	if (res == STORE_OK && a->disable != NULL) {
		if ((st = store_stmt(c, STMT_WEBHOOK_DISABLE)) == NULL)
			return STORE_ERROR;
		sqlite3_bind_int64(st, 1, a->webhook_id);
		sqlite3_bind_text(st, 2, a->disable, -1, SQLITE_STATIC);
		res = store_step_done(c, st, "disable webhook");
	}
	return res;
}
