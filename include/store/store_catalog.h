/*
 * Catalog rows: retailers, brands, carriers, shipping methods, connections,
 * variants and retailer SKUs. The upserts assume their references were
 * checked by the caller with the lookups below, inside the same transaction.
 */
#ifndef DROPLINE_STORE_CATALOG_H
#define DROPLINE_STORE_CATALOG_H

#include "store/store.h"

typedef enum {
	CATALOG_RETAILER,
	CATALOG_BRAND,
	CATALOG_SHIPPING_METHOD,
} catalog_kind;

/* STORE_OK when the row of that kind and id exists, else STORE_NOT_FOUND. */
store_status store_catalog_exists(store_conn *c, catalog_kind kind, int64_t id);

/* Lookups that answer an id, or STORE_NOT_FOUND. */
store_status store_catalog_carrier_by_code(store_conn *c, const char *code, int64_t *id);
store_status store_catalog_generic_method_by_name(store_conn *c, const char *name, int64_t *id);
store_status store_catalog_shipping_method_by_code(store_conn *c, int64_t carrier_id,
						   const char *code, int64_t *id);
store_status store_catalog_variant_brand(store_conn *c, int64_t variant_id, int64_t *brand_id);
store_status store_catalog_variant_by_identifier(store_conn *c, int64_t brand_id,
						 const char *identifier, int64_t *id);
store_status store_catalog_variant_by_retailer_sku(store_conn *c, int64_t retailer_id,
						   const char *sku, int64_t *variant_id);

struct catalog_shipping_method {
	int64_t id;
	const char *name;
	const char *code;
	int64_t carrier_id;
	int64_t generic_shipping_method_id;
};

struct catalog_connection {
	int64_t retailer_id;
	int64_t brand_id;
	int64_t hours_to_acknowledge;
	int64_t hours_to_fulfill;
	int64_t inventory_stale_hours;
	const int64_t *shipping_method_ids; /* the allowed set, replaced whole */
	size_t shipping_method_count;
};

struct catalog_variant {
	int64_t id;
	int64_t brand_id;
	const char *identifier; /* the brand's SKU */
	const char *upc;	/* may be NULL */
	const char *name;
	const char *description; /* may be NULL */
	const char *attributes;	 /* JSON array text */
	int64_t lead_time_hours;
};

store_status store_catalog_upsert_party(store_conn *c, catalog_kind kind, int64_t id,
					const char *name);
store_status store_catalog_upsert_carrier(store_conn *c, int64_t id, const char *name,
					  const char *code);
store_status store_catalog_upsert_shipping_method(store_conn *c,
						  const struct catalog_shipping_method *m);
store_status store_catalog_upsert_connection(store_conn *c, const struct catalog_connection *conn);
store_status store_catalog_upsert_variant(store_conn *c, const struct catalog_variant *v);
store_status store_catalog_upsert_retailer_sku(store_conn *c, int64_t retailer_id,
					       int64_t variant_id, const char *sku);

#endif
