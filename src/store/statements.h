/*
 * Every SQL statement of the SQLite store, by name. Each connection prepares
 * a statement once, on first use, and reuses it (store_stmt()).
 * Private to src/store/: the build gives no other layer its directory.
 */
#ifndef DROPLINE_STORE_STATEMENTS_H
#define DROPLINE_STORE_STATEMENTS_H

/* The statement list is laid out by hand, one statement a block. */
/* clang-format off */
/* A shipment's columns, shared by its list and by the order representation. */
#define SQL_SHIPMENT_SELECT                                                   \
	"SELECT s.id, s.order_id, o.purchase_order_number, "                  \
	"s.tracking_number, s.shipping_method_id, "                           \
	"sm.name AS shipping_method_name, sm.code AS shipping_method_code, "  \
	"ca.id AS carrier_id, ca.name AS carrier_name, "                      \
	"ca.code AS carrier_code, g.name AS generic_name, "                   \
	"g.description AS generic_description, g.type AS generic_type, "     \
	"s.shipped_at, s.is_acknowledged, s.acknowledged_at, s.version "      \
	"FROM shipments s JOIN orders o ON o.id = s.order_id "                \
	"LEFT JOIN shipping_methods sm ON sm.id = s.shipping_method_id "      \
	"LEFT JOIN carriers ca ON ca.id = sm.carrier_id "                     \
	"LEFT JOIN generic_shipping_methods g "                               \
	"ON g.id = sm.generic_shipping_method_id"

/* A cancellation's columns, shared by its list and by the order representation. */
#define SQL_CANCEL_SELECT                                                     \
	"SELECT k.id, k.order_id, o.purchase_order_number, k.reason_id, "     \
	"cr.text AS reason, k.canceled_by, k.canceled_at, k.is_acknowledged, " \
	"k.acknowledged_at, k.version FROM cancels k "                       \
	"JOIN orders o ON o.id = k.order_id "                                 \
	"JOIN cancel_reasons cr ON cr.id = k.reason_id"

/* An event's columns, for its feed and the order's timeline. */
#define SQL_EVENT_SELECT                                                      \
	"SELECT e.id, e.type, e.created_at, e.actor_party, e.actor_party_id, " \
	"CASE WHEN e.actor_client_id IS NULL THEN e.actor_key_id "           \
	"ELSE 'dlc_' || e.actor_client_id END AS actor_key_id, e.retailer_id, e.brand_id, e.order_id, "             \
	"e.purchase_order_number, e.object_kind, e.object_id, e.data, "       \
	"1 AS version FROM events e"

/*
 * A party's feed: among its next ?7 events after ?2 (an id), those of one
 * order (?3, 0 for any) and of some types (?4 a JSON array of exact types,
 * ?5 one of prefixes; both NULL for any), oldest first, at most ?6. The
 * scan is bounded so that a filter matching little costs no more than ?7
 * index entries; SQL_EVENT_SCANNED says how far it went.
 */
#define SQL_EVENT_SCAN(party_column)                                          \
	"SELECT id FROM events WHERE " party_column " = ?1 AND id > ?2 "        \
	"ORDER BY id LIMIT ?7"
#define SQL_EVENT_FEED(party_column)                                          \
	SQL_EVENT_SELECT " WHERE e.id IN (" SQL_EVENT_SCAN(party_column) ") "    \
	"AND (?3 = 0 OR e.order_id = ?3) "                                     \
	"AND ((?4 IS NULL AND ?5 IS NULL) "                                    \
	"OR e.type IN (SELECT value FROM json_each(?4)) "                      \
	"OR EXISTS (SELECT 1 FROM json_each(?5) p "                            \
	"WHERE substr(e.type, 1, length(p.value)) = p.value)) "                \
	"ORDER BY e.id LIMIT ?6"
/* How far that scan went: its newest id (?2 when none) and how many it saw. */
#define SQL_EVENT_SCANNED(party_column)                                       \
	"SELECT coalesce(max(id), ?2), count(*) FROM ("                        \
	"SELECT id FROM events WHERE " party_column " = ?1 AND id > ?2 "        \
	"ORDER BY id LIMIT ?3)"

#define STORE_STATEMENTS(X)                                                   \
	X(STMT_HEALTH, "SELECT coalesce(max(version), 0) FROM schema_migrations")              \
	X(STMT_BEGIN, "BEGIN")                                                                 \
	X(STMT_COMMIT, "COMMIT")                                                               \
	X(STMT_ROLLBACK, "ROLLBACK")                                                           \
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
	X(STMT_CLIENT_INSERT,                                                 \
	  "INSERT INTO oauth_clients (retailer_id, brand_id, secret_hash, "   \
	  "created_at) VALUES (?1, ?2, ?3, ?4)")                              \
	X(STMT_CLIENT_FIND,                                                   \
	  "SELECT id, retailer_id, brand_id, secret_hash, created_at, "       \
	  "revoked_at, 0 FROM oauth_clients WHERE id = ?1")                   \
	X(STMT_CLIENT_LIST,                                                   \
	  "SELECT c.id, c.retailer_id, c.brand_id, c.secret_hash, "           \
	  "c.created_at, c.revoked_at, (SELECT count(*) FROM oauth_tokens t " \
	  "WHERE t.client_id = c.id AND t.expires_at > ?1) "                  \
	  "FROM oauth_clients c ORDER BY c.id")                               \
	X(STMT_CLIENT_REVOKE,                                                 \
	  "UPDATE oauth_clients SET revoked_at = coalesce(revoked_at, ?2) "   \
	  "WHERE id = ?1")                                                    \
	X(STMT_CLIENT_TOKENS_DELETE,                                          \
	  "DELETE FROM oauth_tokens WHERE client_id = ?1")                    \
	X(STMT_TOKEN_DELETE_EXPIRED,                                          \
	  "DELETE FROM oauth_tokens WHERE client_id = ?1 AND expires_at <= ?2") \
	X(STMT_TOKEN_DELETE_OLDEST,                                           \
	  "DELETE FROM oauth_tokens WHERE client_id = ?1 AND id <= "          \
	  "(SELECT id FROM oauth_tokens WHERE client_id = ?1 "                \
	  "ORDER BY id DESC LIMIT 1 OFFSET ?2)")                              \
	X(STMT_TOKEN_INSERT,                                                  \
	  "INSERT INTO oauth_tokens (client_id, hash, created_at, expires_at) " \
	  "VALUES (?1, ?2, ?3, ?4)")                                          \
	X(STMT_TOKEN_FIND,                                                    \
	  "SELECT t.id, t.client_id, c.retailer_id, c.brand_id, t.hash, "     \
	  "t.expires_at, c.revoked_at FROM oauth_tokens t "                   \
	  "JOIN oauth_clients c ON c.id = t.client_id WHERE t.id = ?1")       \
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
	  "INSERT INTO connections (retailer_id, brand_id, "                  \
	  "hours_to_acknowledge, hours_to_fulfill, inventory_stale_hours) "   \
	  "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (retailer_id, brand_id) DO " \
	  "UPDATE SET hours_to_acknowledge = excluded.hours_to_acknowledge, " \
	  "hours_to_fulfill = excluded.hours_to_fulfill, "                    \
	  "inventory_stale_hours = excluded.inventory_stale_hours")           \
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
	  "DO UPDATE SET sku = excluded.sku")                                  \
	X(STMT_IDEM_EXPIRE,                                                    \
	  "DELETE FROM idempotency_keys WHERE (party_kind, party_id, key) IN " \
	  "(SELECT party_kind, party_id, key FROM idempotency_keys "           \
	  "WHERE created_at < ?1 LIMIT 100)")                                  \
	X(STMT_IDEM_FIND,                                                      \
	  "SELECT request_hash, status, response_body FROM idempotency_keys "  \
	  "WHERE party_kind = ?1 AND party_id = ?2 AND key = ?3 "              \
	  "AND created_at >= ?4")                                              \
	X(STMT_IDEM_RECORD,                                                    \
	  "INSERT INTO idempotency_keys (party_kind, party_id, key, "          \
	  "request_hash, status, response_body, created_at) "                  \
	  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "                               \
	  "ON CONFLICT (party_kind, party_id, key) DO UPDATE SET "             \
	  "request_hash = excluded.request_hash, status = excluded.status, "   \
	  "response_body = excluded.response_body, "                           \
	  "created_at = excluded.created_at")                                  \
	X(STMT_FUL_ORDER,                                                      \
	  "SELECT id, retailer_id, brand_id, "                                 \
	  "is_acknowledged, coalesce(acknowledged_at, 0), status, "            \
	  "coalesce(closed_at, 0), coalesce(canceled_at, 0) FROM orders "      \
	  "WHERE id = ?1 AND (CASE ?2 WHEN 1 THEN retailer_id "                \
	  "ELSE brand_id END) = ?3")                                           \
	X(STMT_FUL_LINES,                                                      \
	  "SELECT id, variant_id, quantity, quantity_shipped, "                \
	  "quantity_canceled, status, coalesce(closed_at, 0), "                \
	  "coalesce(canceled_at, 0) FROM order_lines WHERE order_id = ?1 "     \
	  "ORDER BY id")                                                       \
	X(STMT_FUL_SAVE_LINE,                                                  \
	  "UPDATE order_lines SET quantity_shipped = ?2, "                     \
	  "quantity_canceled = ?3, status = ?4, closed_at = nullif(?5, 0), "   \
	  "canceled_at = nullif(?6, 0) WHERE id = ?1")                         \
	X(STMT_FUL_SAVE_ORDER,                                                 \
	  "UPDATE orders SET status = ?2, closed_at = nullif(?3, 0), "         \
	  "canceled_at = nullif(?4, 0), is_acknowledged = ?5, "                \
	  "acknowledged_at = nullif(?6, 0), version = version + 1 "            \
	  "WHERE id = ?1")                                                     \
	X(STMT_SHIPPING_METHOD_BY_CODE,                                        \
	  "SELECT m.id FROM shipping_methods m JOIN carriers c "               \
	  "ON c.id = m.carrier_id WHERE c.code = ?1 AND m.code = ?2")          \
	X(STMT_SHIPMENT_INSERT,                                                \
	  "INSERT INTO shipments (order_id, retailer_id, brand_id, "           \
	  "tracking_number, shipping_method_id, shipped_at) "                  \
	  "VALUES (?1, ?2, ?3, ?4, nullif(?5, 0), ?6)")                        \
	X(STMT_SHIPMENT_LINE_INSERT,                                           \
	  "INSERT INTO shipment_lines (shipment_id, order_line_id, quantity) " \
	  "VALUES (?1, ?2, ?3)")                                               \
	X(STMT_SHIPMENT_ACKNOWLEDGE,                                           \
	  "UPDATE shipments SET is_acknowledged = 1, acknowledged_at = ?4 "    \
	  "WHERE id = ?1 AND is_acknowledged = 0 AND "                         \
	  "(CASE ?2 WHEN 1 THEN retailer_id ELSE brand_id END) = ?3")          \
	X(STMT_SHIPMENT_LINES_OF,                                              \
	  "SELECT sl.id, sl.shipment_id, sl.order_line_id, "                   \
	  "v.id AS variant_id, v.brand_id AS variant_brand_id, "               \
	  "vb.name AS variant_brand_name, v.name AS variant_name, "            \
	  "v.description AS variant_description, "                             \
	  "v.identifier AS variant_identifier, v.upc AS variant_upc, "         \
	  "v.attributes AS variant_attributes, "                               \
	  "rs.sku AS variant_retailer_identifier, sl.quantity "                \
	  "FROM shipment_lines sl JOIN order_lines l ON l.id = sl.order_line_id " \
	  "JOIN orders o ON o.id = l.order_id "                                \
	  "JOIN variants v ON v.id = l.variant_id "                            \
	  "JOIN brands vb ON vb.id = v.brand_id "                              \
	  "LEFT JOIN retailer_skus rs ON rs.retailer_id = o.retailer_id "      \
	  "AND rs.variant_id = v.id "                                          \
	  "WHERE sl.shipment_id IN (SELECT value FROM json_each(?1)) "         \
	  "ORDER BY sl.shipment_id, sl.id")                                    \
	X(STMT_SHIPMENTS_OF_ORDERS,                                            \
	  SQL_SHIPMENT_SELECT                                                  \
	  " WHERE s.order_id IN (SELECT value FROM json_each(?1)) "            \
	  "ORDER BY s.order_id, s.id")                                         \
	X(STMT_CANCEL_INSERT,                                                  \
	  "INSERT INTO cancels (order_id, retailer_id, brand_id, reason_id, "  \
	  "canceled_by, canceled_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")         \
	X(STMT_CANCEL_LINE_INSERT,                                             \
	  "INSERT INTO cancel_lines (cancel_id, order_line_id, quantity) "     \
	  "VALUES (?1, ?2, ?3)")                                               \
	X(STMT_CANCEL_ACKNOWLEDGE,                                             \
	  "UPDATE cancels SET is_acknowledged = 1, acknowledged_at = ?4 "      \
	  "WHERE id = ?1 AND is_acknowledged = 0 AND "                         \
	  "(CASE ?2 WHEN 1 THEN retailer_id ELSE brand_id END) = ?3")          \
	X(STMT_CANCEL_MADE_BY,                                                 \
	  "SELECT canceled_by FROM cancels WHERE id = ?1 AND "                 \
	  "(CASE ?2 WHEN 1 THEN retailer_id ELSE brand_id END) = ?3")          \
	X(STMT_CANCEL_LINES_OF,                                                \
	  "SELECT cl.id, cl.cancel_id, cl.order_line_id, "                     \
	  "v.id AS variant_id, v.brand_id AS variant_brand_id, "               \
	  "vb.name AS variant_brand_name, v.name AS variant_name, "            \
	  "v.description AS variant_description, "                             \
	  "v.identifier AS variant_identifier, v.upc AS variant_upc, "         \
	  "v.attributes AS variant_attributes, "                               \
	  "rs.sku AS variant_retailer_identifier, cl.quantity "                \
	  "FROM cancel_lines cl JOIN order_lines l ON l.id = cl.order_line_id " \
	  "JOIN orders o ON o.id = l.order_id "                                \
	  "JOIN variants v ON v.id = l.variant_id "                            \
	  "JOIN brands vb ON vb.id = v.brand_id "                              \
	  "LEFT JOIN retailer_skus rs ON rs.retailer_id = o.retailer_id "      \
	  "AND rs.variant_id = v.id "                                          \
	  "WHERE cl.cancel_id IN (SELECT value FROM json_each(?1)) "           \
	  "ORDER BY cl.cancel_id, cl.id")                                      \
	X(STMT_CANCELS_OF_ORDERS,                                              \
	  SQL_CANCEL_SELECT                                                    \
	  " WHERE k.order_id IN (SELECT value FROM json_each(?1)) "            \
	  "ORDER BY k.order_id, k.id")                                         \
	X(STMT_VARIANT_BY_ID,                                                  \
	  "SELECT id, brand_id, lead_time_hours FROM variants WHERE id = ?1")  \
	X(STMT_VARIANT_BY_RETAILER_SKU,                                        \
	  "SELECT v.id, v.brand_id, v.lead_time_hours FROM retailer_skus s "   \
	  "JOIN variants v ON v.id = s.variant_id "                            \
	  "WHERE s.retailer_id = ?1 AND s.sku = ?2")                           \
	X(STMT_VARIANT_BY_BRAND_SKU,                                           \
	  "SELECT v.id, v.brand_id, v.lead_time_hours, "                       \
	  "c.retailer_id IS NOT NULL AS connected FROM variants v "            \
	  "LEFT JOIN connections c ON c.brand_id = v.brand_id "                \
	  "AND c.retailer_id = ?1 WHERE v.identifier = ?2 "                    \
	  "ORDER BY connected DESC, v.id LIMIT 2")                             \
	X(STMT_VARIANT_BY_UPC,                                                 \
	  "SELECT v.id, v.brand_id, v.lead_time_hours, "                       \
	  "c.retailer_id IS NOT NULL AS connected FROM variants v "            \
	  "LEFT JOIN connections c ON c.brand_id = v.brand_id "                \
	  "AND c.retailer_id = ?1 WHERE v.upc = ?2 "                           \
	  "ORDER BY connected DESC, v.id LIMIT 2")                             \
	X(STMT_CONNECTION_GET,                                                 \
	  "SELECT hours_to_acknowledge, hours_to_fulfill, "                    \
	  "inventory_stale_hours FROM connections "                            \
	  "WHERE retailer_id = ?1 AND brand_id = ?2")                          \
	X(STMT_SHIPPING_METHOD_FIND,                                           \
	  "SELECT m.id, EXISTS (SELECT 1 FROM connection_shipping_methods a "  \
	  "WHERE a.retailer_id = ?1 AND a.brand_id = ?2 "                      \
	  "AND a.shipping_method_id = m.id) FROM shipping_methods m "          \
	  "JOIN carriers c ON c.id = m.carrier_id "                            \
	  "WHERE c.code = ?3 AND m.code = ?4")                                 \
	X(STMT_ORDER_FIND_PO,                                                  \
	  "SELECT id FROM orders WHERE retailer_id = ?1 "                      \
	  "AND purchase_order_number = ?2")                                    \
	X(STMT_ADDRESS_INSERT,                                                 \
	  "INSERT INTO addresses (type, name1, name2, street1, street2, city, " \
	  "province, postal_code, country, phone1, phone2, fax, email) "       \
	  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)")   \
	X(STMT_ORDER_INSERT,                                                   \
	  "INSERT INTO orders (retailer_id, brand_id, purchase_order_number, " \
	  "customer_order_number, retailer_order_number, sold_to_id, "         \
	  "ship_to_id, shipping_method_id, requested_shipping_method_id, "     \
	  "gift_message, ordered_at, received_at, acknowledge_by, fulfill_by) " \
	  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)") \
	X(STMT_ORDER_LINE_INSERT,                                              \
	  "INSERT INTO order_lines (order_id, variant_id, quantity, "          \
	  "net_price_cents, price_cents) VALUES (?1, ?2, ?3, ?4, ?5)")         \
	X(STMT_ORDER_ACKNOWLEDGE,                                              \
	  "UPDATE orders SET is_acknowledged = 1, acknowledged_at = ?4, "      \
	  "version = version + 1 WHERE id = ?1 AND is_acknowledged = 0 AND "   \
	  "(CASE ?2 WHEN 1 THEN retailer_id ELSE brand_id END) = ?3")          \
	X(STMT_EVENT_INSERT,                                                   \
	  "INSERT INTO events (type, created_at, actor_party, actor_party_id, " \
	  "actor_key_id, retailer_id, brand_id, order_id, "                    \
	  "purchase_order_number, object_kind, object_id, data, "              \
	  "actor_client_id) VALUES "                                           \
	  "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)")          \
	X(STMT_EVENT_FEED_RETAILER, SQL_EVENT_FEED("retailer_id"))             \
	X(STMT_EVENT_FEED_BRAND, SQL_EVENT_FEED("brand_id"))                   \
	X(STMT_EVENT_SCANNED_RETAILER, SQL_EVENT_SCANNED("retailer_id"))       \
	X(STMT_EVENT_SCANNED_BRAND, SQL_EVENT_SCANNED("brand_id"))             \
	X(STMT_EVENT_PARTIES_AFTER,                                            \
	  "SELECT id, retailer_id, brand_id FROM events WHERE id > ?1 "        \
	  "ORDER BY id LIMIT ?2")                                              \
	X(STMT_EVENT_LAST_ID,                                                  \
	  "SELECT coalesce(max(id), 0) FROM events")                           \
	X(STMT_EVENT_PRUNED_THROUGH,                                           \
	  "SELECT pruned_through FROM event_retention WHERE id = 1")           \
	X(STMT_EVENT_PRUNE,                                                    \
	  "DELETE FROM events WHERE id IN (SELECT id FROM events "             \
	  "WHERE created_at < ?1 ORDER BY id LIMIT ?2) RETURNING id")          \
	X(STMT_EVENT_PRUNED_SET,                                               \
	  "UPDATE event_retention SET pruned_through = max(pruned_through, ?1) " \
	  "WHERE id = 1")                                                      \
	X(STMT_EVENT_STAMP,                                                    \
	  "SELECT 1, (SELECT generation FROM catalog_generation) "             \
	  "FROM events e WHERE e.id = ?1 "                                     \
	  "AND (CASE ?2 WHEN 1 THEN e.retailer_id ELSE e.brand_id END) = ?3")  \
	X(STMT_WEBHOOK_STAMP,                                                  \
	  "SELECT w.version, (SELECT generation FROM catalog_generation) "     \
	  "FROM webhooks w WHERE w.id = ?1 "                                   \
	  "AND (CASE ?2 WHEN 1 THEN w.retailer_id ELSE w.brand_id END) = ?3")  \
	X(STMT_WEBHOOK_COUNT,                                                  \
	  "SELECT count(*) FROM webhooks "                                     \
	  "WHERE (CASE ?1 WHEN 1 THEN retailer_id ELSE brand_id END) = ?2")    \
	X(STMT_WEBHOOK_INSERT,                                                 \
	  "INSERT INTO webhooks (retailer_id, brand_id, url, event_types, "    \
	  "description, secret_sealed, created_at, last_delivered_event_id) "  \
	  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "                               \
	  "(SELECT coalesce(max(id), 0) FROM events)) RETURNING id")           \
	X(STMT_WEBHOOK_DELETE,                                                 \
	  "DELETE FROM webhooks WHERE id = ?1 "                                \
	  "AND (CASE ?2 WHEN 1 THEN retailer_id ELSE brand_id END) = ?3 "      \
	  "RETURNING id")                                                      \
	X(STMT_WEBHOOK_ENABLE,                                                 \
	  "UPDATE webhooks SET status = 'enabled', disabled_reason = NULL, "   \
	  "failing_since = NULL, attempts = 0, version = version + 1 "         \
	  "WHERE id = ?1 "                                                     \
	  "AND (CASE ?2 WHEN 1 THEN retailer_id ELSE brand_id END) = ?3 "      \
	  "RETURNING id")                                                      \
	X(STMT_WEBHOOK_ACTIVE,                                                 \
	  "SELECT id, retailer_id, brand_id, url, event_types, secret_sealed, " \
	  "last_delivered_event_id, failing_since, attempts FROM webhooks "    \
	  "WHERE status = 'enabled' ORDER BY id")                              \
	X(STMT_WEBHOOK_DELIVERED,                                              \
	  "UPDATE webhooks SET last_delivered_event_id = ?2, "                 \
	  "failing_since = NULL, attempts = 0, version = version + 1 "         \
	  "WHERE id = ?1 AND last_delivered_event_id < ?2")                    \
	X(STMT_WEBHOOK_FAILED,                                                 \
	  "UPDATE webhooks SET attempts = attempts + 1, "                      \
	  "failing_since = coalesce(failing_since, ?2) WHERE id = ?1")         \
	X(STMT_WEBHOOK_DISABLE,                                                \
	  "UPDATE webhooks SET status = 'disabled', disabled_reason = ?2, "    \
	  "version = version + 1 WHERE id = ?1 AND status = 'enabled'")        \
	X(STMT_WEBHOOK_LOG,                                                    \
	  "INSERT INTO webhook_deliveries (webhook_id, event_id, attempt, "    \
	  "status_code, error, duration_ms, attempted_at) "                    \
	  "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 "                                 \
	  "WHERE EXISTS (SELECT 1 FROM webhooks WHERE id = ?1)")               \
	X(STMT_WEBHOOK_LOG_TRIM,                                               \
	  "DELETE FROM webhook_deliveries WHERE webhook_id = ?1 AND id <= "    \
	  "(SELECT id FROM webhook_deliveries WHERE webhook_id = ?1 "          \
	  "ORDER BY id DESC LIMIT 1 OFFSET ?2)")                               \
	X(STMT_WEBHOOK_DELIVERIES,                                             \
	  "SELECT d.event_id, d.attempt, d.status_code, d.error, "             \
	  "d.duration_ms, d.attempted_at FROM webhook_deliveries d "           \
	  "WHERE d.webhook_id = ?1 ORDER BY d.id DESC LIMIT ?2")               \
	X(STMT_ORDER_PARTIES,                                                  \
	  "SELECT retailer_id, brand_id, id, purchase_order_number "           \
	  "FROM orders WHERE id = ?1")                                         \
	X(STMT_SHIPMENT_PARTIES,                                               \
	  "SELECT s.retailer_id, s.brand_id, s.order_id, "                     \
	  "o.purchase_order_number FROM shipments s "                          \
	  "JOIN orders o ON o.id = s.order_id WHERE s.id = ?1")                \
	X(STMT_CANCEL_PARTIES,                                                 \
	  "SELECT k.retailer_id, k.brand_id, k.order_id, "                     \
	  "o.purchase_order_number FROM cancels k "                            \
	  "JOIN orders o ON o.id = k.order_id WHERE k.id = ?1")                \
	X(STMT_CATALOG_GENERATION,                                             \
	  "SELECT generation FROM catalog_generation")                         \
	X(STMT_ORDER_STAMP,                                                    \
	  "SELECT o.version, (SELECT generation FROM catalog_generation) "     \
	  "FROM orders o WHERE o.id = ?1 "                                     \
	  "AND (CASE ?2 WHEN 1 THEN o.retailer_id ELSE o.brand_id END) = ?3")  \
	X(STMT_SHIPMENT_STAMP,                                                 \
	  "SELECT s.version, (SELECT generation FROM catalog_generation) "     \
	  "FROM shipments s WHERE s.id = ?1 "                                  \
	  "AND (CASE ?2 WHEN 1 THEN s.retailer_id ELSE s.brand_id END) = ?3")  \
	X(STMT_CANCEL_STAMP,                                                   \
	  "SELECT k.version, (SELECT generation FROM catalog_generation) "     \
	  "FROM cancels k WHERE k.id = ?1 "                                    \
	  "AND (CASE ?2 WHEN 1 THEN k.retailer_id ELSE k.brand_id END) = ?3")  \
	X(STMT_CONNECTION_STAMP,                                               \
	  "SELECT 1, (SELECT generation FROM catalog_generation) "             \
	  "FROM connections c WHERE c.id = ?1 "                                \
	  "AND (CASE ?2 WHEN 1 THEN c.retailer_id ELSE c.brand_id END) = ?3")  \
	X(STMT_CONNECTION_METHODS_OF,                                          \
	  "SELECT c.id AS connection_id, sm.code, sm.name, "                   \
	  "ca.code AS carrier_code, ca.name AS carrier_name, "                 \
	  "g.name AS generic FROM connections c "                              \
	  "JOIN connection_shipping_methods a ON a.retailer_id = c.retailer_id " \
	  "AND a.brand_id = c.brand_id "                                       \
	  "JOIN shipping_methods sm ON sm.id = a.shipping_method_id "          \
	  "JOIN carriers ca ON ca.id = sm.carrier_id "                         \
	  "JOIN generic_shipping_methods g "                                   \
	  "ON g.id = sm.generic_shipping_method_id "                           \
	  "WHERE c.id IN (SELECT value FROM json_each(?1)) "                   \
	  "ORDER BY c.id, sm.id")                                              \
	X(STMT_ORDER_LINES_OF,                                                 \
	  "SELECT l.id, l.order_id, v.id AS variant_id, "                      \
	  "v.brand_id AS variant_brand_id, vb.name AS variant_brand_name, "    \
	  "v.name AS variant_name, v.description AS variant_description, "     \
	  "v.identifier AS variant_identifier, v.upc AS variant_upc, "         \
	  "v.attributes AS variant_attributes, "                               \
	  "rs.sku AS variant_retailer_identifier, l.quantity, "                \
	  "l.quantity_shipped, l.quantity_returned, l.quantity_canceled, "     \
	  "l.net_price_cents, l.price_cents, l.status, l.canceled_at, l.closed_at "         \
	  "FROM order_lines l JOIN orders o ON o.id = l.order_id "             \
	  "JOIN variants v ON v.id = l.variant_id "                            \
	  "JOIN brands vb ON vb.id = v.brand_id "                              \
	  "LEFT JOIN retailer_skus rs ON rs.retailer_id = o.retailer_id "      \
	  "AND rs.variant_id = v.id "                                          \
	  "WHERE l.order_id IN (SELECT value FROM json_each(?1)) "             \
	  "ORDER BY l.order_id, l.id")

/* clang-format on */

typedef enum {
#define STMT_ENUM(name, sql) name,
	STORE_STATEMENTS(STMT_ENUM)
#undef STMT_ENUM
		STMT_COUNT
} stmt_id;

#endif
