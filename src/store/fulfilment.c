/* Order and line state for shipments and cancellations; see store_fulfilment.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "store/store_fulfilment.h"

/* Reads status text into the enum; an unknown text (impossible by CHECK) reads as open. */
static fulfilment_status status_column(sqlite3_stmt *st, int col)
{
	fulfilment_status s = STATUS_OPEN;
	const unsigned char *text = sqlite3_column_text(st, col);
	if (text != NULL)
		status_parse((const char *)text, &s);
	return s;
}

store_status store_fulfilment_order(store_conn *c, party_kind party, int64_t party_id,
				    int64_t order_id, struct order_state *order,
				    struct line_state **lines, size_t *nlines)
{
	if (lines != NULL) {
		*lines = NULL;
		*nlines = 0;
	}
	memset(order, 0, sizeof(*order));
	sqlite3_stmt *st = store_stmt(c, STMT_FUL_ORDER);
	if (st == NULL)
		return STORE_ERROR;
	store_bind_scope(st, order_id, party, party_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		order->id = sqlite3_column_int64(st, 0);
		order->retailer_id = sqlite3_column_int64(st, 1);
		order->brand_id = sqlite3_column_int64(st, 2);
		order->is_acknowledged = sqlite3_column_int(st, 3) != 0;
		order->acknowledged_at = sqlite3_column_int64(st, 4);
		order->f.status = status_column(st, 5);
		order->f.closed_at = sqlite3_column_int64(st, 6);
		order->f.canceled_at = sqlite3_column_int64(st, 7);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return STORE_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return store_status_of(c, rc, "fulfilment order");
	if (lines == NULL)
		return STORE_OK;

	if ((st = store_stmt(c, STMT_FUL_LINES)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, order_id);
	size_t cap = 0;
	store_status res = STORE_OK;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*nlines == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct line_state *grown = realloc(*lines, ncap * sizeof(**lines));
			if (grown == NULL) {
				res = STORE_ERROR;
				break;
			}
			*lines = grown;
			cap = ncap;
		}
		struct line_state *l = &(*lines)[(*nlines)++];
		memset(l, 0, sizeof(*l));
		l->id = sqlite3_column_int64(st, 0);
		l->variant_id = sqlite3_column_int64(st, 1);
		l->f.q.ordered = sqlite3_column_int64(st, 2);
		l->f.q.shipped = sqlite3_column_int64(st, 3);
		l->f.q.canceled = sqlite3_column_int64(st, 4);
		l->f.status = status_column(st, 5);
		l->f.closed_at = sqlite3_column_int64(st, 6);
		l->f.canceled_at = sqlite3_column_int64(st, 7);
		status_add(&order->f.q, l->f.q);
	}
	sqlite3_reset(st);
	if (res == STORE_OK)
		res = store_status_of(c, rc, "fulfilment lines");
	if (res != STORE_OK) {
		free(*lines);
		*lines = NULL;
		*nlines = 0;
	}
	return res;
}

static store_status save_line(store_conn *c, const struct line_state *line)
{
	sqlite3_stmt *st = store_stmt(c, STMT_FUL_SAVE_LINE);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, line->id);
	sqlite3_bind_int64(st, 2, line->f.q.shipped);
	sqlite3_bind_int64(st, 3, line->f.q.canceled);
	sqlite3_bind_text(st, 4, status_name(line->f.status), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, line->f.closed_at);
	sqlite3_bind_int64(st, 6, line->f.canceled_at);
	return store_step_done(c, st, "save order line");
}

store_status store_fulfilment_save(store_conn *c, const struct order_state *order,
				   const struct line_state *lines, size_t nlines)
{
	for (size_t i = 0; i < nlines; i++) {
		if (!lines[i].changed)
			continue;
		store_status res = save_line(c, &lines[i]);
		if (res != STORE_OK)
			return res;
	}
	sqlite3_stmt *st = store_stmt(c, STMT_FUL_SAVE_ORDER);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, order->id);
	sqlite3_bind_text(st, 2, status_name(order->f.status), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, order->f.closed_at);
	sqlite3_bind_int64(st, 4, order->f.canceled_at);
	sqlite3_bind_int(st, 5, order->is_acknowledged ? 1 : 0);
	sqlite3_bind_int64(st, 6, order->acknowledged_at);
	return store_step_done(c, st, "save order");
}
