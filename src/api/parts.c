/* Body parts and line changes several resources share; see parts.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/money.h"
#include "handler.h"
#include "parts.h"
#include "store/store_orders.h"

static void variant_rules(struct spec_walk *w, json_t *obj, void *out, bool fields_ok)
{
	(void)obj;
	const struct variant_ref *v = out;
	if (fields_ok && v->id == 0 && v->identifier == NULL && v->upc == NULL)
		spec_error(w, NULL, "needs one of id, identifier or upc");
}

static const struct spec_field variant_fields[] = {
	{.name = "id", .type = SPEC_ID, .offset = offsetof(struct variant_ref, id)},
	{.name = "identifier",
	 .type = SPEC_TEXT,
	 .offset = offsetof(struct variant_ref, identifier),
	 .max = 64},
	{.name = "upc", .type = SPEC_TEXT, .offset = offsetof(struct variant_ref, upc), .max = 32},
	{.name = NULL},
};
const struct spec variant_spec = {variant_fields, sizeof(struct variant_ref), variant_rules};

static const struct spec_field carrier_fields[] = {
	{.name = "code",
	 .type = SPEC_TEXT,
	 .flags = SPEC_REQUIRED,
	 .offset = 0,
	 .max = TEXT_CODE_MAX},
	{.name = NULL},
};
static const struct spec carrier_spec = {carrier_fields, sizeof(const char *), NULL};

static const struct spec_field method_fields[] = {
	{.name = "code",
	 .type = SPEC_TEXT,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct method_body, code),
	 .max = TEXT_CODE_MAX},
	{.name = "carrier",
	 .type = SPEC_OBJECT,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct method_body, carrier),
	 .object = &carrier_spec},
	{.name = NULL},
};
const struct spec method_spec = {method_fields, sizeof(struct method_body), NULL};

/* A line names its order line one way. */
static void line_change_rules(struct spec_walk *w, json_t *obj, void *out, bool fields_ok)
{
	(void)out;
	(void)fields_ok;
	json_t *id = json_object_get(obj, "order_line_id");
	json_t *variant = json_object_get(obj, "variant");
	bool has_id = id != NULL && !json_is_null(id);
	bool has_variant = variant != NULL && !json_is_null(variant);
	if (has_id && has_variant)
		spec_error(w, NULL, "send either variant or order_line_id, not both");
	else if (!has_id && !has_variant)
		spec_error(w, NULL, "needs variant or order_line_id");
}

static const struct spec_field line_change_fields[] = {
	{.name = "variant",
	 .type = SPEC_OBJECT,
	 .flags = SPEC_OK_FLAG,
	 .offset = offsetof(struct line_change, variant),
	 .ok_offset = offsetof(struct line_change, has_variant),
	 .object = &variant_spec},
	{.name = "order_line_id",
	 .type = SPEC_ID,
	 .offset = offsetof(struct line_change, order_line_id)},
	{.name = "quantity",
	 .type = SPEC_INTEGER,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct line_change, quantity),
	 .min = 1,
	 .max = MONEY_MAX_QUANTITY,
	 .message = "must be a positive integer (at most 100000)"},
	{.name = NULL},
};
const struct spec line_change_spec = {line_change_fields, sizeof(struct line_change),
				      line_change_rules};

/*
 * Resolves the variant of each change that names one (for the order's
 * retailer, as for orders). A variant several brands share is a problem in
 * fe; one that matches nothing is left unresolved for the matching to
 * report. Only a store failure is returned.
 */
static store_status resolve_variants(store_conn *c, int64_t retailer_id,
				     struct line_change *changes, size_t n, const char *key,
				     field_errors *fe)
{
	char path[96];
	for (size_t i = 0; i < n; i++) {
		struct line_change *ch = &changes[i];
		if (ch->matched || ch->order_line_id != 0 || !ch->has_variant)
			continue;
		struct resolved_variant v = {0};
		store_status st = store_variants_resolve(c, retailer_id, &ch->variant, &v);
		if (st == STORE_OK) {
			ch->variant_id = v.id;
		} else if (st == STORE_CONFLICT) {
			snprintf(path, sizeof(path), "%s[%zu].variant", key, i);
			field_errors_add(
				fe, path,
				"matches variants of several brands: send the variant id or "
				"order_line_id");
			ch->ambiguous = true;
		} else if (st != STORE_NOT_FOUND) {
			return st;
		}
	}
	return STORE_OK;
}

store_status line_changes_settle(struct api_request *req, store_conn *c, struct order_state *order,
				 struct line_state *lines, size_t nlines,
				 struct line_change *changes, size_t n, const char *key,
				 change_kind kind, refusal_code conflict, int64_t now,
				 field_errors *fe, struct line_quantity **applied)
{
	*applied = NULL;
	store_status st = resolve_variants(c, order->retailer_id, changes, n, key, fe);
	if (st != STORE_OK)
		return st;
	rules_match_changes(order->id, lines, nlines, changes, n, key, fe);
	if (field_errors_count(fe) > 0 || fe->oom)
		return api_reject_fields(req, REFUSED_FIELDS, fe);
	field_errors conflicts;
	field_errors_init(&conflicts);
	if (rules_check_open(lines, changes, n, key, &conflicts) > 0 || conflicts.oom) {
		api_reject_fields(req, conflict, &conflicts);
		field_errors_free(&conflicts);
		return STORE_REJECTED;
	}
	field_errors_free(&conflicts);
	if ((*applied = calloc(n ? n : 1, sizeof(**applied))) == NULL)
		return STORE_ERROR;
	for (size_t i = 0; i < n; i++) {
		(*applied)[i].order_line_id = lines[changes[i].line].id;
		(*applied)[i].quantity = changes[i].quantity;
	}
	rules_apply_changes(order, lines, nlines, changes, n, kind, now);
	return store_fulfilment_save(c, order, lines, nlines);
}
