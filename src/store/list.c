/* Composed, keyset-paginated list queries; see list.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/text.h"
#include "list.h"

struct list_cond *list_cond(struct list_query *q, const char *lhs, const char *op, const char *rhs)
{
	if (q->nconds == LIST_MAX_CONDS) {
		q->overflow = true;
		return NULL;
	}
	struct list_cond *c = &q->conds[q->nconds++];
	memset(c, 0, sizeof(*c));
	c->lhs = lhs;
	c->op = op;
	c->rhs = rhs;
	return c;
}

/* True when the counts table answers the count of q's rows. */
static bool count_from_counts(const struct list_query *q)
{
	if (q->counts_from == NULL)
		return false;
	for (size_t i = 0; i < q->nconds; i++)
		if (!q->conds[i].countable)
			return false;
	return true;
}

/* Appends " WHERE c1 AND c2 ..." with the placeholders ?1..?n. */
static void add_where(struct text *s, const struct list_query *q)
{
	char num[24];
	for (size_t i = 0; i < q->nconds; i++) {
		const struct list_cond *c = &q->conds[i];
		text_add_str(s, i == 0 ? " WHERE " : " AND ");
		text_add_str(s, c->lhs);
		text_add_str(s, c->op);
		snprintf(num, sizeof(num), "?%zu", i + 1);
		text_add_str(s, num);
		text_add_str(s, c->rhs);
	}
}

static void bind_conds(sqlite3_stmt *st, const struct list_query *q)
{
	for (size_t i = 0; i < q->nconds; i++) {
		const struct list_cond *c = &q->conds[i];
		if (c->is_text)
			sqlite3_bind_text(st, (int)i + 1, c->text, -1, SQLITE_STATIC);
		else
			sqlite3_bind_int64(st, (int)i + 1, c->number);
	}
}

/* The parameter numbers after the conditions: the keyset id, then the limit. */
static void add_keyset(struct text *s, const struct list_query *q, const char *op)
{
	char buf[64];
	text_add_str(s, q->nconds ? " AND " : " WHERE ");
	text_add_str(s, q->id_column);
	snprintf(buf, sizeof(buf), " %s ?%zu", op, q->nconds + 1);
	text_add_str(s, buf);
}

/* Runs a composed query answering at most one integer. */
static store_status query_integer(store_conn *c, struct text *s, const struct list_query *q,
				  int64_t keyset, int64_t *out, bool *found)
{
	if (s->failed)
		return STORE_ERROR;
	sqlite3_stmt *st = store_stmt_sql(c, s->s);
	if (st == NULL)
		return STORE_ERROR;
	bind_conds(st, q);
	if (keyset != 0)
		sqlite3_bind_int64(st, (int)q->nconds + 1, keyset);
	int rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	if (*found)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return *found ? STORE_OK : store_status_of(c, rc, "list look-around");
}

store_status store_list_run(store_conn *c, const struct list_query *q, struct page *page)
{
	struct text main = {0}, count = {0}, other = {0};
	const struct page_request *pr = &q->page;
	bool before = pr->direction == PAGE_BEFORE;
	store_status res = STORE_ERROR;
	char buf[96];
	memset(page, 0, sizeof(*page));
	if (q->overflow)
		return STORE_ERROR;

	text_add_str(&main, q->select);
	add_where(&main, q);
	if (pr->direction != PAGE_FIRST)
		add_keyset(&main, q, before ? "<" : ">");
	snprintf(buf, sizeof(buf), " ORDER BY %s %s LIMIT ?%zu", q->id_column,
		 before ? "DESC" : "ASC", q->nconds + 2);
	text_add_str(&main, buf);

	sqlite3_stmt *st = main.failed ? NULL : store_stmt_sql(c, main.s);
	if (st == NULL || (page->rows = json_array()) == NULL)
		goto out;
	bind_conds(st, q);
	if (pr->direction != PAGE_FIRST)
		sqlite3_bind_int64(st, (int)q->nconds + 1, pr->cursor_id);
	/* One more than the page tells whether there is more in this direction. */
	sqlite3_bind_int64(st, (int)q->nconds + 2, pr->limit + 1);
	int rc;
	int64_t n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ == pr->limit) {
			*(before ? &page->more_before : &page->more_after) = true;
			continue;
		}
		json_t *rec = store_row_record(st);
		if (rec == NULL || (before ? json_array_insert_new(page->rows, 0, rec)
					   : json_array_append_new(page->rows, rec)) != 0) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_reset(st);
	if ((res = store_status_of(c, rc, "list")) != STORE_OK)
		goto out;

	size_t got = json_array_size(page->rows);
	if (q->one) {
		page->count = (int64_t)got;
		goto out;
	}
	/* Whether anything lies on the other side of the page. */
	if (got > 0) {
		json_t *edge = json_array_get(page->rows, before ? got - 1 : 0);
		int64_t edge_id = json_integer_value(json_object_get(edge, "id")), one = 0;
		bool found = false;
		text_add_str(&other, "SELECT 1 ");
		text_add_str(&other, q->from);
		add_where(&other, q);
		add_keyset(&other, q, before ? ">" : "<");
		text_add_str(&other, " LIMIT 1");
		res = query_integer(c, &other, q, edge_id, &one, &found);
		if (res != STORE_OK)
			goto out;
		*(before ? &page->more_after : &page->more_before) = found;
	}
	bool found = false;
	if (count_from_counts(q)) {
		/* The alias is the id column's: "o.id" -> "o.n". */
		size_t alias = strcspn(q->id_column, ".");
		snprintf(buf, sizeof(buf), "SELECT coalesce(sum(%.*s.n), 0) ", (int)alias,
			 q->id_column);
		text_add_str(&count, buf);
		text_add_str(&count, q->counts_from);
	} else {
		text_add_str(&count, "SELECT count(*) ");
		text_add_str(&count, q->from);
	}
	add_where(&count, q);
	res = query_integer(c, &count, q, 0, &page->count, &found);
out:
	if (res != STORE_OK) {
		json_decref(page->rows);
		page->rows = NULL;
	}
	free(main.s);
	free(count.s);
	free(other.s);
	return res;
}

store_status store_list_children(store_conn *c, json_t *parents, stmt_id stmt, int parent_column,
				 const char *key)
{
	json_t *ids = json_array(), *by_id = json_object();
	store_status res = ids && by_id ? STORE_OK : STORE_ERROR;
	size_t i;
	json_t *parent;
	char id_text[24];
	json_array_foreach(parents, i, parent)
	{
		json_t *children = json_array();
		json_t *id = json_object_get(parent, "id");
		snprintf(id_text, sizeof(id_text), "%lld", (long long)json_integer_value(id));
		if (res != STORE_OK || children == NULL || json_array_append(ids, id) != 0 ||
		    json_object_set(by_id, id_text, children) != 0 ||
		    json_object_set_new(parent, key, children) != 0)
			res = STORE_ERROR;
	}
	char *ids_text = res == STORE_OK ? json_dumps(ids, JSON_COMPACT) : NULL;
	sqlite3_stmt *st = ids_text ? store_stmt(c, stmt) : NULL;
	if (st == NULL)
		res = STORE_ERROR;
	if (res == STORE_OK) {
		sqlite3_bind_text(st, 1, ids_text, -1, SQLITE_STATIC);
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			snprintf(id_text, sizeof(id_text), "%lld",
				 (long long)sqlite3_column_int64(st, parent_column));
			json_t *list = json_object_get(by_id, id_text);
			json_t *child = list ? store_row_record(st) : NULL;
			if (child == NULL || json_array_append_new(list, child) != 0) {
				rc = SQLITE_NOMEM;
				break;
			}
		}
		res = store_status_of(c, rc, "list children");
		sqlite3_reset(st);
	}
	free(ids_text);
	json_decref(ids);
	json_decref(by_id);
	return res;
}

store_status store_list_attach_nested(store_conn *c, json_t *parents, stmt_id stmt, const char *key,
				      stmt_id lines_stmt)
{
	store_status res = store_list_children(c, parents, stmt, 1, key);
	if (res != STORE_OK)
		return res;
	/* Every child of the page in one array, to fetch all their lines at once. */
	json_t *all = json_array();
	size_t i, j;
	json_t *parent, *child;
	if (all == NULL)
		return STORE_ERROR;
	json_array_foreach(parents, i, parent)
	{
		json_array_foreach(json_object_get(parent, key), j, child)
		{
			if (json_array_append(all, child) != 0)
				res = STORE_ERROR;
		}
	}
	if (res == STORE_OK)
		res = store_list_children(c, all, lines_stmt, 1, "lines");
	json_decref(all);
	return res;
}
