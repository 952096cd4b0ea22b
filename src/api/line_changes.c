/* Shipment and cancellation lines; see include/api/line_changes.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/line_changes.h"
#include "api/order_input.h"
#include "domain/money.h"
#include "http/request.h"

#define ID_MAX ((int64_t)9007199254740991)

bool line_changes_parse(json_t *body, const char *key, bool required, field_errors *fe,
			struct line_change **out, size_t *n)
{
	static const char *const keys[] = {"variant", "order_line_id", "quantity", NULL};
	json_t *items = NULL;
	json_path p;
	json_path_init(&p);
	*out = NULL;
	*n = 0;
	size_t before = field_errors_count(fe);
	if (!validate_array(body, key, required, &p, fe, &items) || items == NULL)
		goto out;
	size_t count = json_array_size(items);
	if (count == 0 || count > ORDER_MAX_LINES) {
		size_t saved = json_path_push_key(&p, key);
		field_errors_add(fe, json_path_text(&p), "must have from 1 to %d lines",
				 ORDER_MAX_LINES);
		json_path_pop(&p, saved);
		goto out;
	}
	if ((*out = calloc(count, sizeof(**out))) == NULL) {
		fe->oom = true;
		goto out;
	}
	*n = count;
	size_t saved = json_path_push_key(&p, key);
	size_t i;
	json_t *item;
	json_array_foreach(items, i, item)
	{
		size_t at = json_path_push_index(&p, i);
		struct line_change *ch = &(*out)[i];
		if (!json_is_object(item)) {
			field_errors_add(fe, json_path_text(&p), "must be an object");
			json_path_pop(&p, at);
			continue;
		}
		validate_known_keys(item, keys, &p, fe);
		json_t *variant = NULL, *given_id = json_object_get(item, "order_line_id"),
		       *given_variant = json_object_get(item, "variant");
		bool has_id = given_id != NULL && !json_is_null(given_id);
		bool has_variant = given_variant != NULL && !json_is_null(given_variant);
		validate_integer(item, "order_line_id", false, 1, ID_MAX, true, &p, fe,
				 &ch->order_line_id);
		if (validate_object(item, "variant", false, &p, fe, &variant) && variant != NULL) {
			size_t v = json_path_push_key(&p, "variant");
			variant_ref_read(variant, &p, fe, &ch->variant);
			json_path_pop(&p, v);
		}
		if (has_id && has_variant)
			field_errors_add(fe, json_path_text(&p),
					 "send either variant or order_line_id, not both");
		else if (!has_id && !has_variant)
			field_errors_add(fe, json_path_text(&p), "needs variant or order_line_id");
		json_t *q = json_object_get(item, "quantity");
		size_t qk = json_path_push_key(&p, "quantity");
		if (q == NULL || json_is_null(q))
			field_errors_add(fe, json_path_text(&p), "is required");
		else if (!json_is_integer(q) || json_integer_value(q) < 1 ||
			 json_integer_value(q) > MONEY_MAX_QUANTITY)
			field_errors_add(fe, json_path_text(&p), "must be a positive integer");
		else
			ch->quantity = json_integer_value(q);
		json_path_pop(&p, qk);
		json_path_pop(&p, at);
	}
	json_path_pop(&p, saved);
out:
	if (p.failed)
		fe->oom = true;
	json_path_free(&p);
	return field_errors_count(fe) == before && !fe->oom;
}

/* Finds each change's order line; problems go to fe. */
static store_status match(store_conn *c, const struct order_state *order,
			  const struct line_state *lines, size_t nlines,
			  struct line_change *changes, size_t n, const char *key, field_errors *fe)
{
	char path[96];
	for (size_t i = 0; i < n; i++) {
		struct line_change *ch = &changes[i];
		size_t found = nlines;
		if (ch->matched)
			continue;
		if (ch->order_line_id != 0) {
			for (size_t l = 0; l < nlines; l++)
				if (lines[l].id == ch->order_line_id)
					found = l;
			if (found == nlines) {
				snprintf(path, sizeof(path), "%s[%zu].order_line_id", key, i);
				field_errors_add(
					fe, path, "order line %lld is not a line of order %lld",
					(long long)ch->order_line_id, (long long)order->id);
				continue;
			}
		} else {
			struct resolved_variant v = {0};
			store_status st =
				store_variants_resolve(c, order->retailer_id, &ch->variant, &v);
			if (st != STORE_OK && st != STORE_NOT_FOUND && st != STORE_CONFLICT)
				return st;
			for (size_t l = 0; st == STORE_OK && l < nlines; l++)
				if (lines[l].variant_id == v.id)
					found = l;
			if (found == nlines) {
				snprintf(path, sizeof(path), "%s[%zu].variant", key, i);
				field_errors_add(
					fe, path, "%s",
					st == STORE_CONFLICT
						? "matches variants of several brands: send the "
						  "variant id or order_line_id"
						: "names no line of this order");
				continue;
			}
		}
		for (size_t j = 0; j < i; j++) {
			if (changes[j].matched && changes[j].line == found) {
				snprintf(path, sizeof(path), "%s[%zu]", key, i);
				field_errors_add(fe, path, "names the same order line as %s[%zu]",
						 key, j);
				break;
			}
		}
		ch->line = found;
		ch->matched = true;
	}
	return STORE_OK;
}

static size_t check_open(const struct line_state *lines, const struct line_change *changes,
			 size_t n, const char *key, field_errors *conflicts)
{
	size_t problems = 0;
	char path[96];
	for (size_t i = 0; i < n; i++) {
		const struct line_state *l = &lines[changes[i].line];
		int64_t open = status_open_quantity(l->f.q);
		if (changes[i].quantity <= open)
			continue;
		snprintf(path, sizeof(path), "%s[%zu].quantity", key, i);
		field_errors_add(conflicts, path,
				 "%lld asked, but only %lld of order line %lld %s open",
				 (long long)changes[i].quantity, (long long)open, (long long)l->id,
				 open == 1 ? "is" : "are");
		problems++;
	}
	return problems;
}

static store_status apply(store_conn *c, struct order_state *order, struct line_state *lines,
			  size_t nlines, const struct line_change *changes, size_t n,
			  change_kind kind, int64_t now)
{
	for (size_t i = 0; i < n; i++) {
		struct line_state *l = &lines[changes[i].line];
		if (kind == CHANGE_SHIP)
			l->f.q.shipped += changes[i].quantity;
		else
			l->f.q.canceled += changes[i].quantity;
		status_settle(&l->f, now);
		store_status st = store_fulfilment_save_line(c, l);
		if (st != STORE_OK)
			return st;
	}
	memset(&order->f.q, 0, sizeof(order->f.q));
	for (size_t l = 0; l < nlines; l++)
		status_add(&order->f.q, lines[l].f.q);
	status_settle(&order->f, now);
	if (kind == CHANGE_SHIP && !order->is_acknowledged) {
		order->is_acknowledged = true;
		order->acknowledged_at = now;
	}
	return store_fulfilment_save_order(c, order);
}

bool line_changes_remaining(const struct line_state *lines, size_t nlines, struct line_change **out,
			    size_t *n)
{
	*out = calloc(nlines ? nlines : 1, sizeof(**out));
	*n = 0;
	if (*out == NULL)
		return false;
	for (size_t l = 0; l < nlines; l++) {
		int64_t open = status_open_quantity(lines[l].f.q);
		if (open == 0)
			continue;
		struct line_change *ch = &(*out)[(*n)++];
		ch->order_line_id = lines[l].id;
		ch->quantity = open;
		ch->line = l;
		ch->matched = true;
	}
	return true;
}

store_status line_changes_settle(store_conn *c, struct order_state *order, struct line_state *lines,
				 size_t nlines, struct line_change *changes, size_t n,
				 const char *key, change_kind kind, int64_t now, field_errors *fe,
				 field_errors *conflicts, struct line_quantity **applied)
{
	*applied = NULL;
	store_status st = match(c, order, lines, nlines, changes, n, key, fe);
	if (st != STORE_OK)
		return st;
	if (field_errors_count(fe) > 0 || fe->oom)
		return STORE_REJECTED;
	if (check_open(lines, changes, n, key, conflicts) > 0 || conflicts->oom)
		return STORE_REJECTED;
	if ((*applied = calloc(n ? n : 1, sizeof(**applied))) == NULL)
		return STORE_ERROR;
	for (size_t i = 0; i < n; i++) {
		(*applied)[i].order_line_id = lines[changes[i].line].id;
		(*applied)[i].quantity = changes[i].quantity;
	}
	return apply(c, order, lines, nlines, changes, n, kind, now);
}

void reply_line_changes_refused(struct request *req, const field_errors *fe,
				const field_errors *conflicts, const char *message)
{
	if (fe->oom || conflicts->oom) {
		reply_error(req, 500, "internal", "internal error");
		return;
	}
	if (field_errors_count(fe) > 0) {
		reply_field_errors(req, "validation_failed", fe);
		return;
	}
	reply_json(req, 409, error_body("conflict", message, conflicts->list));
}
