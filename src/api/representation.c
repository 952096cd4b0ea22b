/* Order representation; see include/api/representation.h. */
#include <string.h>

#include <stdio.h>

#include "domain/money.h"
#include "domain/status.h"
#include "domain/timeutil.h"
#include "representation.h"

/* Borrowed column of a record; json null when absent. */
static json_t *col(json_t *rec, const char *name)
{
	json_t *v = json_object_get(rec, name);
	return v ? v : json_null();
}

/* A new reference to a column's value, for json_pack "o". */
static json_t *take(json_t *rec, const char *name)
{
	return json_incref(col(rec, name));
}

json_t *time_value(json_t *epoch)
{
	char text[TIME_TEXT_MAX];
	if (!json_is_integer(epoch) || time_format_iso8601(json_integer_value(epoch), text) == NULL)
		return json_null();
	return json_string(text);
}

static json_t *time_col(json_t *rec, const char *name)
{
	return time_value(col(rec, name));
}

static json_t *money_col(json_t *rec, const char *name)
{
	char text[MONEY_TEXT_MAX];
	return json_string(money_format(json_integer_value(col(rec, name)), text));
}

static json_t *bool_col(json_t *rec, const char *name)
{
	return json_boolean(json_integer_value(col(rec, name)) != 0);
}

/* The address whose columns start with `prefix`, or null when it has no id. */
static json_t *address(json_t *rec, const char *prefix)
{
	static const char *const keys[] = {"id",	  "type",    "name1",  "name2",
					   "street1",	  "street2", "city",   "province",
					   "postal_code", "country", "phone1", "phone2",
					   "fax",	  "email",   NULL};
	char name[64];
	snprintf(name, sizeof(name), "%s_id", prefix);
	if (json_is_null(col(rec, name)))
		return json_null();
	json_t *a = json_object();
	for (const char *const *k = keys; a != NULL && *k != NULL; k++) {
		snprintf(name, sizeof(name), "%s_%s", prefix, *k);
		if (json_object_set_new(a, *k, take(rec, name)) != 0) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

static json_t *shipping_method(json_t *rec)
{
	if (json_is_null(col(rec, "shipping_method_id")))
		return json_null();
	return json_pack("{s:o, s:o, s:o, s:{s:o, s:o, s:o}, s:{s:o, s:o, s:o}}", "id",
			 take(rec, "shipping_method_id"), "name", take(rec, "shipping_method_name"),
			 "code", take(rec, "shipping_method_code"), "carrier", "id",
			 take(rec, "carrier_id"), "name", take(rec, "carrier_name"), "code",
			 take(rec, "carrier_code"), "generic_shipping_method", "name",
			 take(rec, "generic_name"), "description", take(rec, "generic_description"),
			 "type", take(rec, "generic_type"));
}

static json_t *requested_shipping_method(json_t *rec)
{
	if (json_is_null(col(rec, "requested_shipping_method_id")))
		return json_null();
	return json_pack("{s:o, s:o, s:o}", "id", take(rec, "requested_shipping_method_id"), "name",
			 take(rec, "requested_name"), "description",
			 take(rec, "requested_description"));
}

static json_t *gift_message(json_t *rec)
{
	const char *text = json_string_value(col(rec, "gift_message"));
	json_t *lines = text ? json_loads(text, 0, NULL) : NULL;
	return lines ? lines : json_null();
}

json_t *line_variant_representation(json_t *line)
{
	const char *attrs_text = json_string_value(col(line, "variant_attributes"));
	json_t *attributes = attrs_text ? json_loads(attrs_text, 0, NULL) : NULL;
	return json_pack(
		"{s:o, s:{s:o, s:o}, s:o, s:o, s:o, s:o, s:o, s:o}", "id", take(line, "variant_id"),
		"brand", "id", take(line, "variant_brand_id"), "name",
		take(line, "variant_brand_name"), "name", take(line, "variant_name"), "description",
		take(line, "variant_description"), "identifier", take(line, "variant_identifier"),
		"retailer_identifier", take(line, "variant_retailer_identifier"), "upc",
		take(line, "variant_upc"), "attributes", attributes ? attributes : json_array());
}

static json_t *order_line(json_t *line)
{
	int64_t quantity = json_integer_value(col(line, "quantity"));
	int64_t price = json_integer_value(col(line, "price_cents"));
	char subtotal[MONEY_TEXT_MAX];
	/* quantity <= MONEY_MAX_QUANTITY and price <= MONEY_MAX_CENTS: no overflow. */
	money_format(quantity * price, subtotal);
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:o, s:o}", "id",
			 take(line, "id"), "variant", line_variant_representation(line), "quantity",
			 take(line, "quantity"), "quantity_shipped", take(line, "quantity_shipped"),
			 "quantity_returned", take(line, "quantity_returned"), "quantity_canceled",
			 take(line, "quantity_canceled"), "net_price",
			 money_col(line, "net_price_cents"), "price",
			 money_col(line, "price_cents"), "subtotal", json_string(subtotal),
			 "status", json_string_value(col(line, "status")), "canceled_at",
			 time_col(line, "canceled_at"), "closed_at", time_col(line, "closed_at"));
}

/* Shapes each record of rec[key] with `shape`; an empty array when there is none. */
static json_t *shaped(json_t *rec, const char *key, json_t *(*shape)(json_t *))
{
	json_t *out = json_array();
	size_t i;
	json_t *item;
	json_array_foreach(json_object_get(rec, key), i, item)
	{
		if (out == NULL || json_array_append_new(out, shape(item)) != 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

/* A shipment line: its own id, which order line, its variant, how many. */
static json_t *shipment_line(json_t *line)
{
	return json_pack("{s:o, s:o, s:o, s:o}", "id", take(line, "id"), "order_line_id",
			 take(line, "order_line_id"), "variant", line_variant_representation(line),
			 "quantity", take(line, "quantity"));
}

/*
 * A cancel line: seed 000 says its id is "RevCascade's static identifier for
 * the Order Line", so id is the order line's id, as order_line_id is (a
 * cancellation has one line per order line).
 */
static json_t *cancel_line(json_t *line)
{
	return json_pack("{s:o, s:o, s:o, s:o}", "id", take(line, "order_line_id"), "order_line_id",
			 take(line, "order_line_id"), "variant", line_variant_representation(line),
			 "quantity", take(line, "quantity"));
}

json_t *shipment_representation(json_t *rec)
{
	json_t *lines = shaped(rec, "lines", shipment_line);
	if (lines == NULL)
		return NULL;
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id", take(rec, "id"),
			 "order_id", take(rec, "order_id"), "purchase_order_number",
			 take(rec, "purchase_order_number"), "tracking_number",
			 take(rec, "tracking_number"), "shipping_method", shipping_method(rec),
			 "shipped_at", time_col(rec, "shipped_at"), "is_acknowledged",
			 bool_col(rec, "is_acknowledged"), "acknowledged_at",
			 time_col(rec, "acknowledged_at"), "shipment_lines", lines);
}

json_t *cancel_representation(json_t *rec)
{
	json_t *lines = shaped(rec, "lines", cancel_line);
	if (lines == NULL)
		return NULL;
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
			 take(rec, "id"), "order_id", take(rec, "order_id"),
			 "purchase_order_number", take(rec, "purchase_order_number"), "reason_id",
			 take(rec, "reason_id"), "reason", take(rec, "reason"), "canceled_by",
			 take(rec, "canceled_by"), "canceled_at", time_col(rec, "canceled_at"),
			 "is_acknowledged", bool_col(rec, "is_acknowledged"), "acknowledged_at",
			 time_col(rec, "acknowledged_at"), "cancel_lines", lines);
}

json_t *order_representation(json_t *rec)
{
	json_t *lines = shaped(rec, "lines", order_line);
	if (lines == NULL)
		return NULL;
	json_t *brand = json_pack("{s:o, s:o}", "id", take(rec, "brand_id"), "name",
				  take(rec, "brand_name"));
	json_t *o = json_pack(
		"{s:o, s:{s:o, s:o}, s:O, s:[O], s:o, s:o, s:o, s:o, s:o, s:n, s:n, s:o, s:o, s:o}",
		"id", take(rec, "id"), "retailer", "id", take(rec, "retailer_id"), "name",
		take(rec, "retailer_name"), "brand", brand, "brands", brand,
		"purchase_order_number", take(rec, "purchase_order_number"),
		"customer_order_number", take(rec, "customer_order_number"),
		"retailer_order_number", take(rec, "retailer_order_number"), "sold_to",
		address(rec, "sold_to"), "ship_to", address(rec, "ship_to"), "bill_to", "ship_from",
		"shipping_method", shipping_method(rec), "requested_shipping_method",
		requested_shipping_method(rec), "gift_message", gift_message(rec));
	json_decref(brand);
	json_t *shipments = shaped(rec, "shipments", shipment_representation);
	json_t *cancels = shaped(rec, "cancels", cancel_representation);
	json_t *rest = json_pack(
		"{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:[], s:[], "
		"s:[], s:[]}",
		"status", take(rec, "status"), "is_acknowledged", bool_col(rec, "is_acknowledged"),
		"acknowledge_by", time_col(rec, "acknowledge_by"), "fulfill_by",
		time_col(rec, "fulfill_by"), "received_at", time_col(rec, "received_at"),
		"ordered_at", time_col(rec, "ordered_at"), "acknowledged_at",
		time_col(rec, "acknowledged_at"), "pickup_on", time_col(rec, "pickup_on"),
		"closed_at", time_col(rec, "closed_at"), "canceled_at",
		time_col(rec, "canceled_at"), "order_lines", lines, "shipments", shipments,
		"cancels", cancels, "invoices", "rmas", "credits", "memos");
	if (o == NULL || rest == NULL || json_object_update(o, rest) != 0) {
		json_decref(o);
		json_decref(rest);
		return NULL;
	}
	json_decref(rest);
	return o;
}

/* A shipping method a connection allows: code, name, carrier and generic level. */
static json_t *connection_method(json_t *m)
{
	return json_pack("{s:o, s:o, s:{s:o, s:o}, s:o}", "code", take(m, "code"), "name",
			 take(m, "name"), "carrier", "code", take(m, "carrier_code"), "name",
			 take(m, "carrier_name"), "generic", take(m, "generic"));
}

json_t *connection_representation(json_t *rec)
{
	json_t *methods = shaped(rec, "shipping_methods", connection_method);
	if (methods == NULL)
		return NULL;
	return json_pack("{s:o, s:{s:o, s:o}, s:{s:o, s:o}, s:o, s:o, s:o, s:o}", "id",
			 take(rec, "id"), "retailer", "id", take(rec, "retailer_id"), "name",
			 take(rec, "retailer_name"), "brand", "id", take(rec, "brand_id"), "name",
			 take(rec, "brand_name"), "acknowledge_hours",
			 take(rec, "hours_to_acknowledge"), "fulfill_hours",
			 take(rec, "hours_to_fulfill"), "inventory_stale_hours",
			 take(rec, "inventory_stale_hours"), "shipping_methods", methods);
}
