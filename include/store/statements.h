/*
 * Every SQL statement of the SQLite store, by name. Each connection prepares
 * a statement once, on first use, and reuses it (store_stmt()).
 * Included by src/store/ only; lives under include/ so that the statement
 * list is one place a PostgreSQL port can read.
 */
#ifndef DROPLINE_STORE_STATEMENTS_H
#define DROPLINE_STORE_STATEMENTS_H

#define STORE_STATEMENTS(X)                                                   \
	X(STMT_HEALTH, "SELECT coalesce(max(version), 0) FROM schema_migrations")              \
	X(STMT_KEY_INSERT,                                                    \
	  "INSERT INTO api_keys (retailer_id, brand_id, hash, created_at) "   \
	  "VALUES (?1, ?2, ?3, ?4)")                                          \
	X(STMT_KEY_FIND,                                                      \
	  "SELECT id, retailer_id, brand_id, hash, created_at, revoked_at "   \
	  "FROM api_keys WHERE id = ?1")                                      \
	X(STMT_KEY_LIST,                                                      \
	  "SELECT id, retailer_id, brand_id, hash, created_at, revoked_at "   \
	  "FROM api_keys ORDER BY id")                                        \
	X(STMT_KEY_REVOKE,                                                    \
	  "UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?2) "        \
	  "WHERE id = ?1")                                                    \
	X(STMT_RETAILER_EXISTS, "SELECT 1 FROM retailers WHERE id = ?1")      \
	X(STMT_BRAND_EXISTS, "SELECT 1 FROM brands WHERE id = ?1")            \
	X(STMT_RETAILER_UPSERT,                                               \
	  "INSERT INTO retailers (id, name) VALUES (?1, ?2) "                 \
	  "ON CONFLICT (id) DO UPDATE SET name = excluded.name")              \
	X(STMT_BRAND_UPSERT,                                                  \
	  "INSERT INTO brands (id, name) VALUES (?1, ?2) "                    \
	  "ON CONFLICT (id) DO UPDATE SET name = excluded.name")              \
	X(STMT_CARRIER_CODE_OWNER, "SELECT id FROM carriers WHERE code = ?1") \
	X(STMT_CARRIER_UPSERT,                                                \
	  "INSERT INTO carriers (id, name, code) VALUES (?1, ?2, ?3) "        \
	  "ON CONFLICT (id) DO UPDATE SET name = excluded.name, "             \
	  "code = excluded.code")                                             \
	X(STMT_GENERIC_METHOD_BY_NAME,                                        \
	  "SELECT id FROM generic_shipping_methods WHERE name = ?1")          \
	X(STMT_SHIPPING_METHOD_CODE_OWNER,                                    \
	  "SELECT id FROM shipping_methods WHERE carrier_id = ?1 AND code = ?2") \
	X(STMT_SHIPPING_METHOD_EXISTS,                                        \
	  "SELECT 1 FROM shipping_methods WHERE id = ?1")                     \
	X(STMT_SHIPPING_METHOD_UPSERT,                                        \
	  "INSERT INTO shipping_methods "                                     \
	  "(id, name, code, carrier_id, generic_shipping_method_id) "         \
	  "VALUES (?1, ?2, ?3, ?4, ?5) "                                      \
	  "ON CONFLICT (id) DO UPDATE SET name = excluded.name, "             \
	  "code = excluded.code, carrier_id = excluded.carrier_id, "          \
	  "generic_shipping_method_id = excluded.generic_shipping_method_id") \
	X(STMT_CONNECTION_UPSERT,                                             \
	  "INSERT INTO connections "                                          \
	  "(retailer_id, brand_id, hours_to_acknowledge, hours_to_fulfill) "  \
	  "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (retailer_id, brand_id) DO "   \
	  "UPDATE SET hours_to_acknowledge = excluded.hours_to_acknowledge, " \
	  "hours_to_fulfill = excluded.hours_to_fulfill")                     \
	X(STMT_CONNECTION_METHODS_CLEAR,                                      \
	  "DELETE FROM connection_shipping_methods "                          \
	  "WHERE retailer_id = ?1 AND brand_id = ?2")                         \
	X(STMT_CONNECTION_METHOD_ADD,                                         \
	  "INSERT OR IGNORE INTO connection_shipping_methods "                \
	  "(retailer_id, brand_id, shipping_method_id) VALUES (?1, ?2, ?3)")  \
	X(STMT_VARIANT_BRAND, "SELECT brand_id FROM variants WHERE id = ?1")  \
	X(STMT_VARIANT_IDENTIFIER_OWNER,                                      \
	  "SELECT id FROM variants WHERE brand_id = ?1 AND identifier = ?2")  \
	X(STMT_VARIANT_UPSERT,                                                \
	  "INSERT INTO variants (id, brand_id, identifier, upc, name, "       \
	  "description, attributes, lead_time_hours) "                        \
	  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "                          \
	  "ON CONFLICT (id) DO UPDATE SET brand_id = excluded.brand_id, "     \
	  "identifier = excluded.identifier, upc = excluded.upc, "            \
	  "name = excluded.name, description = excluded.description, "        \
	  "attributes = excluded.attributes, "                                \
	  "lead_time_hours = excluded.lead_time_hours")                       \
	X(STMT_RETAILER_SKU_OWNER,                                            \
	  "SELECT variant_id FROM retailer_skus "                             \
	  "WHERE retailer_id = ?1 AND sku = ?2")                              \
	X(STMT_RETAILER_SKU_UPSERT,                                           \
	  "INSERT INTO retailer_skus (retailer_id, variant_id, sku) "         \
	  "VALUES (?1, ?2, ?3) ON CONFLICT (retailer_id, variant_id) "        \
	  "DO UPDATE SET sku = excluded.sku")

typedef enum {
#define STMT_ENUM(name, sql) name,
	STORE_STATEMENTS(STMT_ENUM)
#undef STMT_ENUM
	STMT_COUNT
} stmt_id;

#endif
