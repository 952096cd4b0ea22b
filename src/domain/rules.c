/* The contract's rules over order state; see include/domain/rules.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/rules.h"

refusal_code rules_acknowledge_order(const struct order_state *o, bool *changes)
{
	*changes = false;
	if (o->is_acknowledged)
		return REFUSED_NONE; /* again: harmless, unchanged */
	if (o->f.status == STATUS_CANCELED)
		return REFUSED_ORDER_CANCELED_ACKNOWLEDGE;
	*changes = true;
	return REFUSED_NONE;
}

refusal_code rules_cancel_order(party_kind by, const struct order_state *o)
{
	if (by == PARTY_RETAILER && o->is_acknowledged)
		return REFUSED_RETAILER_CANCEL_ACKNOWLEDGED;
	return REFUSED_NONE;
}

bool rules_cancel_reason_allowed(party_kind by, int64_t reason_id)
{
	return by != PARTY_BRAND || reason_id != CANCEL_REASON_RETAILER_REQUESTED;
}

refusal_code rules_acknowledge_cancel(party_kind who, party_kind canceled_by)
{
	return who == canceled_by ? REFUSED_OWN_CANCEL : REFUSED_NONE;
}

refusal_code rules_ship_order(const struct order_state *o)
{
	return o->f.status == STATUS_CANCELED ? REFUSED_ORDER_CANCELED_SHIP : REFUSED_NONE;
}

/* The index of the line a change names, or nlines when none. */
static size_t line_named(const struct line_state *lines, size_t nlines,
			 const struct line_change *ch)
{
	for (size_t l = 0; l < nlines; l++) {
		if (ch->order_line_id != 0
			    ? lines[l].id == ch->order_line_id
			    : ch->variant_id != 0 && lines[l].variant_id == ch->variant_id)
			return l;
	}
	return nlines;
}

bool rules_match_changes(int64_t order_id, const struct line_state *lines, size_t nlines,
			 struct line_change *changes, size_t n, const char *key, field_errors *fe)
{
	size_t before = field_errors_count(fe);
	char path[96];
	for (size_t i = 0; i < n; i++) {
		struct line_change *ch = &changes[i];
		if (ch->matched)
			continue;
		size_t found = line_named(lines, nlines, ch);
		if (found == nlines) {
			if (ch->order_line_id != 0) {
				snprintf(path, sizeof(path), "%s[%zu].order_line_id", key, i);
				field_errors_add(fe, path,
						 "order line %lld is not a line of order %lld",
						 (long long)ch->order_line_id, (long long)order_id);
			} else if (!ch->ambiguous) {
				/* Unknown, or a variant on no line of this order. */
				snprintf(path, sizeof(path), "%s[%zu].variant", key, i);
				field_errors_add(fe, path, "names no line of this order");
			}
			continue;
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
	return field_errors_count(fe) == before && !fe->oom;
}

size_t rules_check_open(const struct line_state *lines, const struct line_change *changes, size_t n,
			const char *key, field_errors *conflicts)
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

void rules_apply_changes(struct order_state *o, struct line_state *lines, size_t nlines,
			 const struct line_change *changes, size_t n, change_kind kind, int64_t now)
{
	for (size_t i = 0; i < n; i++) {
		struct line_state *l = &lines[changes[i].line];
		if (kind == CHANGE_SHIP)
			l->f.q.shipped += changes[i].quantity;
		else
			l->f.q.canceled += changes[i].quantity;
		status_settle(&l->f, now);
		l->changed = true;
	}
	memset(&o->f.q, 0, sizeof(o->f.q));
	for (size_t l = 0; l < nlines; l++)
		status_add(&o->f.q, lines[l].f.q);
	status_settle(&o->f, now);
	if (kind == CHANGE_SHIP && !o->is_acknowledged) {
		o->is_acknowledged = true;
		o->acknowledged_at = now;
	}
}

bool rules_remaining_changes(const struct line_state *lines, size_t nlines,
			     struct line_change **out, size_t *n)
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
