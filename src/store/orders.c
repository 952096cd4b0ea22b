/* Orders in the SQLite store; see include/store/store_orders.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "store/store_cancels.h"
#include "store/store_orders.h"
#include "store/store_shipments.h"
#include "tables.h"

static void variant_row(sqlite3_stmt *st, void *out)
{
	struct resolved_variant *v = out;
	v->id = sqlite3_column_int64(st, 0);
	v->brand_id = sqlite3_column_int64(st, 1);
	v->lead_time_hours = sqlite3_column_int64(st, 2);
}

/*
 * A brand SKU or UPC lookup answers up to two rows, connected brands first:
 * one connected match wins; two connected matches are ambiguous; with no
 * connected match an unconnected one is answered, so that the caller can say
 * "not connected" rather than "unknown".
 */
static store_status resolve_shared(store_conn *c, stmt_id id, int64_t retailer_id, const char *text,
				   struct resolved_variant *out)
{
	sqlite3_stmt *st = store_stmt(c, id);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, retailer_id);
	sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	store_status res = STORE_NOT_FOUND;
	if (rc == SQLITE_ROW) {
		variant_row(st, out);
		bool connected = sqlite3_column_int(st, 3) != 0;
		res = STORE_OK;
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW && (sqlite3_column_int(st, 3) != 0 || !connected))
			res = STORE_CONFLICT;
		else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			res = store_status_of(c, rc, "resolve variant");
	} else if (rc != SQLITE_DONE) {
		res = store_status_of(c, rc, "resolve variant");
	}
	sqlite3_reset(st);
	return res;
}

store_status store_variants_resolve(store_conn *c, int64_t retailer_id,
				    const struct variant_ref *ref, struct resolved_variant *out)
{
	sqlite3_stmt *st;
	if (ref->id > 0) {
		out->match = VARIANT_BY_ID;
		if ((st = store_stmt(c, STMT_VARIANT_BY_ID)) == NULL)
			return STORE_ERROR;
		sqlite3_bind_int64(st, 1, ref->id);
		return store_step_one(c, st, variant_row, out, "variant by id");
	}
	if (ref->identifier != NULL) {
		out->match = VARIANT_BY_RETAILER_SKU;
		if ((st = store_stmt(c, STMT_VARIANT_BY_RETAILER_SKU)) == NULL)
			return STORE_ERROR;
		sqlite3_bind_int64(st, 1, retailer_id);
		sqlite3_bind_text(st, 2, ref->identifier, -1, SQLITE_STATIC);
		store_status res =
			store_step_one(c, st, variant_row, out, "variant by retailer sku");
		if (res != STORE_NOT_FOUND)
			return res;
		out->match = VARIANT_BY_BRAND_SKU;
		return resolve_shared(c, STMT_VARIANT_BY_BRAND_SKU, retailer_id, ref->identifier,
				      out);
	}
	if (ref->upc != NULL) {
		out->match = VARIANT_BY_UPC;
		return resolve_shared(c, STMT_VARIANT_BY_UPC, retailer_id, ref->upc, out);
	}
	return STORE_NOT_FOUND;
}

static void sla_row(sqlite3_stmt *st, void *out)
{
	struct connection_sla *sla = out;
	sla->hours_to_acknowledge = sqlite3_column_int64(st, 0);
	sla->hours_to_fulfill = sqlite3_column_int64(st, 1);
	sla->inventory_stale_hours = sqlite3_column_int64(st, 2);
}

store_status store_connections_get(store_conn *c, int64_t retailer_id, int64_t brand_id,
				   struct connection_sla *out)
{
	sqlite3_stmt *st = store_stmt(c, STMT_CONNECTION_GET);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, retailer_id);
	sqlite3_bind_int64(st, 2, brand_id);
	return store_step_one(c, st, sla_row, out, "connection");
}

struct method_found {
	int64_t id;
	bool allowed;
};

static void method_row(sqlite3_stmt *st, void *out)
{
	struct method_found *m = out;
	m->id = sqlite3_column_int64(st, 0);
	m->allowed = sqlite3_column_int(st, 1) != 0;
}

store_status store_shipping_methods_find(store_conn *c, int64_t retailer_id, int64_t brand_id,
					 const char *carrier_code, const char *code, int64_t *id,
					 bool *allowed)
{
	sqlite3_stmt *st = store_stmt(c, STMT_SHIPPING_METHOD_FIND);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, retailer_id);
	sqlite3_bind_int64(st, 2, brand_id);
	sqlite3_bind_text(st, 3, carrier_code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, code, -1, SQLITE_STATIC);
	struct method_found m = {0};
	store_status res = store_step_one(c, st, method_row, &m, "shipping method");
	*id = m.id;
	*allowed = m.allowed;
	return res;
}

static void id_row(sqlite3_stmt *st, void *out)
{
	*(int64_t *)out = sqlite3_column_int64(st, 0);
}

store_status store_generic_methods_find(store_conn *c, const char *name, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c, STMT_GENERIC_METHOD_BY_NAME);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	return store_step_one(c, st, id_row, id, "generic method");
}

store_status store_orders_find_po(store_conn *c, int64_t retailer_id, const char *po,
				  int64_t *order_id)
{
	sqlite3_stmt *st = store_stmt(c, STMT_ORDER_FIND_PO);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, retailer_id);
	sqlite3_bind_text(st, 2, po, -1, SQLITE_STATIC);
	return store_step_one(c, st, id_row, order_id, "order by po");
}

static store_status address_insert(store_conn *c, const struct address *a, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c, STMT_ADDRESS_INSERT);
	if (st == NULL)
		return STORE_ERROR;
	const char *values[] = {a->type,   a->name1,	a->name2,	a->street1, a->street2,
				a->city,   a->province, a->postal_code, a->country, a->phone1,
				a->phone2, a->fax,	a->email};
	for (int i = 0; i < 13; i++)
		store_bind_text_or_null(st, i + 1, values[i]);
	store_status res = store_step_done(c, st, "insert address");
	if (res == STORE_OK)
		*id = sqlite3_last_insert_rowid(c->db);
	return res;
}

/* Binds an id, or NULL for 0. */
static void bind_id_or_null(sqlite3_stmt *st, int idx, int64_t id)
{
	if (id > 0)
		sqlite3_bind_int64(st, idx, id);
	else
		sqlite3_bind_null(st, idx);
}

store_status store_orders_insert(store_conn *c, const struct order_insert *o, int64_t *order_id)
{
	int64_t ship_to = 0, sold_to = 0;
	store_status res = address_insert(c, o->ship_to, &ship_to);
	if (res == STORE_OK && o->sold_to != NULL)
		res = address_insert(c, o->sold_to, &sold_to);
	if (res != STORE_OK)
		return res;
	sqlite3_stmt *st = store_stmt(c, STMT_ORDER_INSERT);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, o->retailer_id);
	sqlite3_bind_int64(st, 2, o->brand_id);
	sqlite3_bind_text(st, 3, o->purchase_order_number, -1, SQLITE_STATIC);
	store_bind_text_or_null(st, 4, o->customer_order_number);
	store_bind_text_or_null(st, 5, o->retailer_order_number);
	bind_id_or_null(st, 6, sold_to);
	sqlite3_bind_int64(st, 7, ship_to);
	bind_id_or_null(st, 8, o->shipping_method_id);
	bind_id_or_null(st, 9, o->requested_shipping_method_id);
	store_bind_text_or_null(st, 10, o->gift_message);
	sqlite3_bind_int64(st, 11, o->ordered_at);
	sqlite3_bind_int64(st, 12, o->received_at);
	sqlite3_bind_int64(st, 13, o->acknowledge_by);
	sqlite3_bind_int64(st, 14, o->fulfill_by);
	res = store_step_done(c, st, "insert order");
	if (res != STORE_OK)
		return res;
	*order_id = sqlite3_last_insert_rowid(c->db);
	for (size_t i = 0; i < o->nlines && res == STORE_OK; i++) {
		const struct order_line_insert *l = &o->lines[i];
		if ((st = store_stmt(c, STMT_ORDER_LINE_INSERT)) == NULL)
			return STORE_ERROR;
		sqlite3_bind_int64(st, 1, *order_id);
		sqlite3_bind_int64(st, 2, l->variant_id);
		sqlite3_bind_int64(st, 3, l->quantity);
		sqlite3_bind_int64(st, 4, l->net_price_cents);
		sqlite3_bind_int64(st, 5, l->price_cents);
		res = store_step_done(c, st, "insert order line");
	}
	return res;
}

/* An address's columns, prefixed: "st.id AS ship_to_id, st.type AS ship_to_type, ..." */
#define ADDRESS_COLUMNS(a, p)                                                                      \
	a ".id AS " p "_id, " a ".type AS " p "_type, " a ".name1 AS " p "_name1, " a              \
	  ".name2 AS " p "_name2, " a ".street1 AS " p "_street1, " a ".street2 AS " p             \
	  "_street2, " a ".city AS " p "_city, " a ".province AS " p "_province, " a               \
	  ".postal_code AS " p "_postal_code, " a ".country AS " p "_country, " a ".phone1 AS " p  \
	  "_phone1, " a ".phone2 AS " p "_phone2, " a ".fax AS " p "_fax, " a ".email AS " p       \
	  "_email"

/* clang-format off */
static const char order_select[] =
	"SELECT o.id, o.retailer_id, r.name AS retailer_name, o.brand_id, b.name AS brand_name, "
	"o.purchase_order_number, o.customer_order_number, o.retailer_order_number, "
	ADDRESS_COLUMNS("so", "sold_to") ", " ADDRESS_COLUMNS("st", "ship_to") ", "
	"o.shipping_method_id, sm.name AS shipping_method_name, sm.code AS shipping_method_code, "
	"ca.id AS carrier_id, ca.name AS carrier_name, ca.code AS carrier_code, "
	"g.name AS generic_name, g.description AS generic_description, g.type AS generic_type, "
	"o.requested_shipping_method_id, rq.name AS requested_name, "
	"rq.description AS requested_description, o.gift_message, o.status, o.is_acknowledged, "
	"o.ordered_at, o.received_at, o.acknowledge_by, o.fulfill_by, o.acknowledged_at, "
	"o.pickup_on, o.closed_at, o.canceled_at, o.version "
	"FROM orders o JOIN retailers r ON r.id = o.retailer_id "
	"JOIN brands b ON b.id = o.brand_id JOIN addresses st ON st.id = o.ship_to_id "
	"LEFT JOIN addresses so ON so.id = o.sold_to_id "
	"LEFT JOIN shipping_methods sm ON sm.id = o.shipping_method_id "
	"LEFT JOIN carriers ca ON ca.id = sm.carrier_id "
	"LEFT JOIN generic_shipping_methods g ON g.id = sm.generic_shipping_method_id "
	"LEFT JOIN generic_shipping_methods rq ON rq.id = o.requested_shipping_method_id";
/* clang-format on */

static const struct filter_column order_filters[] = {
	{"purchase_order_number", "o.purchase_order_number", FILTER_OPS_EQ, false},
	{"status", "o.status", FILTER_OPS_EQ | FILTER_OPS_IN, true},
	{"is_acknowledged", "o.is_acknowledged", FILTER_OPS_EQ, true},
	{"ordered_at", "o.ordered_at", FILTER_OPS_RANGE, false},
	{"received_at", "o.received_at", FILTER_OPS_RANGE, false},
	{"fulfill_by", "o.fulfill_by", FILTER_OPS_RANGE, false},
	{"acknowledged_at", "o.acknowledged_at", FILTER_OPS_RANGE, false},
	{"closed_at", "o.closed_at", FILTER_OPS_RANGE, false},
	{NULL, NULL, 0, false},
};

/* An order's lines, shipments and cancellations: three queries for a whole page. */
static store_status order_children(store_conn *c, json_t *orders)
{
	store_status res = store_list_children(c, orders, STMT_ORDER_LINES_OF, 1, "lines");
	if (res == STORE_OK)
		res = store_shipments_attach(c, orders);
	if (res == STORE_OK)
		res = store_cancels_attach(c, orders);
	return res;
}

const struct record_table store_order_table = {
	.select = order_select,
	.stamp_select = "SELECT o.id, o.version FROM orders o",
	.from = "FROM orders o",
	.id_column = "o.id",
	.counts_from = "FROM order_counts o",
	.party_column = {[PARTY_RETAILER] = "o.retailer_id", [PARTY_BRAND] = "o.brand_id"},
	.stamp_stmt = STMT_ORDER_STAMP,
	.has_parties = true,
	.parties_stmt = STMT_ORDER_PARTIES,
	.acknowledgeable = true,
	.acknowledge_stmt = STMT_ORDER_ACKNOWLEDGE,
	.filters = order_filters,
	.attach = order_children,
};
