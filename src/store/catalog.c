/* Catalog rows in the SQLite store; see include/store/store_catalog.h. */
#include "internal.h"
#include "store/store_catalog.h"

/* An id in column 0, when the caller wants it. */
static void id_row(sqlite3_stmt *st, void *out)
{
	if (out != NULL)
		*(int64_t *)out = sqlite3_column_int64(st, 0);
}

/* Steps a statement answering at most one integer; STORE_NOT_FOUND on none. */
static store_status step_id(store_conn *c, sqlite3_stmt *st, int64_t *out, const char *what)
{
	return store_step_one(c, st, id_row, out, what);
}

store_status store_catalog_exists(store_conn *c, catalog_kind kind, int64_t id)
{
	stmt_id which = kind == CATALOG_RETAILER ? STMT_RETAILER_EXISTS
			: kind == CATALOG_BRAND	 ? STMT_BRAND_EXISTS
						 : STMT_SHIPPING_METHOD_EXISTS;
	sqlite3_stmt *st = store_stmt(c, which);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	return step_id(c, st, NULL, "catalog exists");
}

store_status store_catalog_carrier_by_code(store_conn *c, const char *code, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c, STMT_CARRIER_CODE_OWNER);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	return step_id(c, st, id, "carrier by code");
}

store_status store_catalog_generic_method_by_name(store_conn *c, const char *name, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c, STMT_GENERIC_METHOD_BY_NAME);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	return step_id(c, st, id, "generic method by name");
}

store_status store_catalog_shipping_method_by_code(store_conn *c, int64_t carrier_id,
						   const char *code, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c, STMT_SHIPPING_METHOD_CODE_OWNER);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, carrier_id);
	sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
	return step_id(c, st, id, "shipping method by code");
}

store_status store_catalog_variant_brand(store_conn *c, int64_t variant_id, int64_t *brand_id)
{
	sqlite3_stmt *st = store_stmt(c, STMT_VARIANT_BRAND);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, variant_id);
	return step_id(c, st, brand_id, "variant brand");
}

store_status store_catalog_variant_by_identifier(store_conn *c, int64_t brand_id,
						 const char *identifier, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(c, STMT_VARIANT_IDENTIFIER_OWNER);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, brand_id);
	sqlite3_bind_text(st, 2, identifier, -1, SQLITE_STATIC);
	return step_id(c, st, id, "variant by identifier");
}

store_status store_catalog_variant_by_retailer_sku(store_conn *c, int64_t retailer_id,
						   const char *sku, int64_t *variant_id)
{
	sqlite3_stmt *st = store_stmt(c, STMT_RETAILER_SKU_OWNER);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, retailer_id);
	sqlite3_bind_text(st, 2, sku, -1, SQLITE_STATIC);
	return step_id(c, st, variant_id, "variant by retailer sku");
}

store_status store_catalog_upsert_party(store_conn *c, catalog_kind kind, int64_t id,
					const char *name)
{
	sqlite3_stmt *st =
		store_stmt(c, kind == CATALOG_RETAILER ? STMT_RETAILER_UPSERT : STMT_BRAND_UPSERT);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	return store_step_done(c, st, "upsert party");
}

store_status store_catalog_upsert_carrier(store_conn *c, int64_t id, const char *name,
					  const char *code)
{
	sqlite3_stmt *st = store_stmt(c, STMT_CARRIER_UPSERT);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, code, -1, SQLITE_STATIC);
	return store_step_done(c, st, "upsert carrier");
}

store_status store_catalog_upsert_shipping_method(store_conn *c,
						  const struct catalog_shipping_method *m)
{
	sqlite3_stmt *st = store_stmt(c, STMT_SHIPPING_METHOD_UPSERT);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, m->id);
	sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, m->code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, m->carrier_id);
	sqlite3_bind_int64(st, 5, m->generic_shipping_method_id);
	return store_step_done(c, st, "upsert shipping method");
}

store_status store_catalog_upsert_connection(store_conn *c, const struct catalog_connection *conn)
{
	sqlite3_stmt *st = store_stmt(c, STMT_CONNECTION_UPSERT);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, conn->retailer_id);
	sqlite3_bind_int64(st, 2, conn->brand_id);
	sqlite3_bind_int64(st, 3, conn->hours_to_acknowledge);
	sqlite3_bind_int64(st, 4, conn->hours_to_fulfill);
	sqlite3_bind_int64(st, 5, conn->inventory_stale_hours);
	store_status res = store_step_done(c, st, "upsert connection");
	if (res != STORE_OK)
		return res;
	st = store_stmt(c, STMT_CONNECTION_METHODS_CLEAR);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, conn->retailer_id);
	sqlite3_bind_int64(st, 2, conn->brand_id);
	res = store_step_done(c, st, "clear connection methods");
	for (size_t i = 0; res == STORE_OK && i < conn->shipping_method_count; i++) {
		st = store_stmt(c, STMT_CONNECTION_METHOD_ADD);
		if (st == NULL)
			return STORE_ERROR;
		sqlite3_bind_int64(st, 1, conn->retailer_id);
		sqlite3_bind_int64(st, 2, conn->brand_id);
		sqlite3_bind_int64(st, 3, conn->shipping_method_ids[i]);
		res = store_step_done(c, st, "add connection method");
	}
	return res;
}

store_status store_catalog_upsert_variant(store_conn *c, const struct catalog_variant *v)
{
	sqlite3_stmt *st = store_stmt(c, STMT_VARIANT_UPSERT);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, v->id);
	sqlite3_bind_int64(st, 2, v->brand_id);
	sqlite3_bind_text(st, 3, v->identifier, -1, SQLITE_STATIC);
	store_bind_text_or_null(st, 4, v->upc);
	sqlite3_bind_text(st, 5, v->name, -1, SQLITE_STATIC);
	store_bind_text_or_null(st, 6, v->description);
	sqlite3_bind_text(st, 7, v->attributes ? v->attributes : "[]", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, v->lead_time_hours);
	return store_step_done(c, st, "upsert variant");
}

store_status store_catalog_upsert_retailer_sku(store_conn *c, int64_t retailer_id,
					       int64_t variant_id, const char *sku)
{
	sqlite3_stmt *st = store_stmt(c, STMT_RETAILER_SKU_UPSERT);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, retailer_id);
	sqlite3_bind_int64(st, 2, variant_id);
	sqlite3_bind_text(st, 3, sku, -1, SQLITE_STATIC);
	return store_step_done(c, st, "upsert retailer sku");
}
