/*
 * The store: migrations on an empty and an up-to-date database, refusal of
 * a newer one, the schema's invariants, and catalog import with good and
 * bad documents.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "harness.h"
#include "store/embedded.h"
#include "store/store_events.h"

/* Runs one query on a side connection and returns its first integer. */
static long long scalar(const char *db_path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	ck_assert_int_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
		      sqlite3_errmsg(db));
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	long long v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* Runs SQL that should fail on a side connection; returns the SQLite code. */
static int exec_rc(const char *db_path, const char *sql)
{
	sqlite3 *db = NULL;
	ck_assert_int_eq(sqlite3_open(db_path, &db), SQLITE_OK);
	sqlite3_exec(db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

static catalog_result import(struct test_server *ts, const char *json, field_errors *fe)
{
	field_errors_init(fe);
	return catalog_import_text(ts->store, json, strlen(json), fe, NULL);
}

START_TEST(migrations_apply_on_an_empty_database)
{
	struct test_server ts;
	ts_open_store(&ts, false);
	int version = 0;
	ck_assert_int_eq(store_schema_version(ts.store, &version), STORE_OK);
	ck_assert_int_eq(version, store_latest_version());
	ck_assert_int_ge(version, 1);
	ck_assert_int_eq(scalar(ts.db_path, "SELECT count(*) FROM schema_migrations"),
			 (long long)embedded_migrations_count);
	ck_assert_int_eq(scalar(ts.db_path, "SELECT count(*) FROM generic_shipping_methods"), 5);
	ck_assert_int_eq(scalar(ts.db_path, "SELECT count(*) FROM cancel_reasons"), 5);
	ts_stop(&ts);
}
END_TEST

START_TEST(migrations_on_an_up_to_date_database_do_nothing)
{
	struct test_server ts;
	ts_open_store(&ts, false);
	char err[STORE_ERR_MAX];
	int applied = -1;
	ck_assert_int_eq(store_migrate(ts.store, &applied, err), STORE_OK);
	ck_assert_int_eq(applied, 0);
	ck_assert_int_eq(scalar(ts.db_path, "SELECT count(*) FROM schema_migrations"),
			 (long long)embedded_migrations_count);
	ts_stop(&ts);
}
END_TEST

START_TEST(database_newer_than_the_binary_is_refused)
{
	struct test_server ts;
	ts_open_store(&ts, false);
	store_close(ts.store);
	ts.store = NULL;
	ck_assert_int_eq(exec_rc(ts.db_path, "INSERT INTO schema_migrations VALUES (9999, "
					     "'9999_future.sql', 0)"),
			 SQLITE_OK);
	char err[STORE_ERR_MAX];
	store *s = NULL;
	struct store_options so = {.readers = 1};
	ck_assert_int_ne(store_open(ts.db_path, &so, &s, err), STORE_OK);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(err, "9999") != NULL && strstr(err, "newer") != NULL, "%s", err);
	ts_stop(&ts);
}
END_TEST

START_TEST(database_uses_wal_and_foreign_keys)
{
	struct test_server ts;
	ts_open_store(&ts, true);
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	ck_assert_int_eq(sqlite3_open(ts.db_path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	sqlite3_close(db);
	/* A variant of a brand that does not exist: refused by the foreign key. */
	ck_assert_int_ne(exec_rc(ts.db_path, "INSERT INTO variants (id, brand_id, identifier, "
					     "name) VALUES (1, 999, 'X', 'x')"),
			 SQLITE_OK);
	ts_stop(&ts);
}
END_TEST

/* One order with one 5-unit line, inserted by SQL, for the CHECK tests. */
static void insert_order(const char *db_path)
{
	const char *sql =
		"INSERT INTO addresses (id, name1, street1, city, province, postal_code, country) "
		"VALUES (1, 'A', 'S', 'C', 'CA', '90254', 'US');"
		"INSERT INTO orders (id, retailer_id, brand_id, purchase_order_number, ship_to_id, "
		"requested_shipping_method_id, ordered_at, received_at, acknowledge_by, "
		"fulfill_by) "
		"VALUES (1, 500, 501, 'PO-1', 1, 3, 0, 0, 0, 0);"
		"INSERT INTO order_lines (id, order_id, variant_id, quantity, net_price_cents, "
		"price_cents) VALUES (1, 1, 1000065, 5, 100, 200);";
	ck_assert_int_eq(exec_rc(db_path, sql), SQLITE_OK);
}

START_TEST(schema_refuses_more_shipped_and_canceled_than_ordered)
{
	struct test_server ts;
	ts_open_store(&ts, true);
	insert_order(ts.db_path);
	ck_assert_int_eq(exec_rc(ts.db_path, "UPDATE order_lines SET quantity_shipped = 3, "
					     "quantity_canceled = 2 WHERE id = 1"),
			 SQLITE_OK);
	ck_assert_int_eq(
		exec_rc(ts.db_path, "UPDATE order_lines SET quantity_shipped = 4 WHERE id = 1"),
		SQLITE_CONSTRAINT);
	ck_assert_int_eq(
		exec_rc(ts.db_path, "UPDATE order_lines SET quantity_canceled = -1 WHERE id = 1"),
		SQLITE_CONSTRAINT);
	ck_assert_int_eq(
		scalar(ts.db_path, "SELECT quantity_shipped FROM order_lines WHERE id = 1"), 3);
	ts_stop(&ts);
}
END_TEST

START_TEST(schema_refuses_a_duplicate_purchase_order_number)
{
	struct test_server ts;
	ts_open_store(&ts, true);
	insert_order(ts.db_path);
	ck_assert_int_eq(
		exec_rc(ts.db_path,
			"INSERT INTO orders (retailer_id, brand_id, purchase_order_number, "
			"ship_to_id, requested_shipping_method_id, ordered_at, received_at, "
			"acknowledge_by, fulfill_by) VALUES (500, 501, 'PO-1', 1, 3, 0, 0, 0, 0)"),
		SQLITE_CONSTRAINT);
	/* The same number at another retailer is another order. */
	ck_assert_int_eq(
		exec_rc(ts.db_path,
			"INSERT INTO orders (retailer_id, brand_id, purchase_order_number, "
			"ship_to_id, requested_shipping_method_id, ordered_at, received_at, "
			"acknowledge_by, fulfill_by) VALUES (600, 501, 'PO-1', 1, 3, 0, 0, 0, 0)"),
		SQLITE_OK);
	ts_stop(&ts);
}
END_TEST

/* Five events of brand 501: four shipment.created, then one order.created. */
static store_status five_events(store_conn *c, void *ctx)
{
	int64_t *ids = ctx;
	for (int i = 0; i < 5; i++) {
		struct event_insert e = {.type = i < 4 ? "shipment.created" : "order.created",
					 .created_at = 1000 + i,
					 .actor_party = PARTY_RETAILER,
					 .actor_party_id = 500,
					 .retailer_id = 500,
					 .brand_id = 501,
					 .object_kind = i < 4 ? "shipment" : "order",
					 .object_id = i + 1,
					 .data = "{}"};
		store_status st = store_events_insert(c, &e, &ids[i]);
		if (st != STORE_OK)
			return st;
	}
	return STORE_OK;
}

static store_status read_feed(store_conn *c, void *ctx)
{
	struct event_feed *f = ctx;
	json_t *rows = NULL;
	store_status st = store_events_feed(c, f, &rows);
	f->limit = (int64_t)json_array_size(rows); /* what came back, for the test */
	json_decref(rows);
	return st;
}

START_TEST(a_feed_read_examines_at_most_its_scan_limit)
{
	struct test_server ts;
	ts_open_store(&ts, true);
	int64_t ids[5];
	ck_assert_int_eq(store_tx(ts.store, "events", five_events, ids), STORE_OK);
	/* A filter that matches the fifth only, scanning two at a time: empty, but moved on. */
	struct event_feed f = {.party = PARTY_BRAND,
			       .party_id = 501,
			       .types_json = "[\"order.created\"]",
			       .prefixes_json = "[]",
			       .limit = 10,
			       .scan_limit = 2};
	ck_assert_int_eq(store_read(ts.store, read_feed, &f), STORE_OK);
	ck_assert_int_eq(f.limit, 0);
	ck_assert_int_eq(f.scanned_through, ids[1]);
	ck_assert(!f.scanned_all);
	f.after = ids[3];
	f.limit = 10;
	ck_assert_int_eq(store_read(ts.store, read_feed, &f), STORE_OK);
	ck_assert_int_eq(f.limit, 1);
	ck_assert_int_eq(f.scanned_through, ids[4]);
	ck_assert(f.scanned_all);
	/* Another brand's feed examines none of them. */
	f.party_id = 502;
	f.after = 0;
	f.limit = 10;
	ck_assert_int_eq(store_read(ts.store, read_feed, &f), STORE_OK);
	ck_assert_int_eq(f.limit, 0);
	ck_assert_int_eq(f.scanned_through, 0);
	ck_assert(f.scanned_all);
	ts_stop(&ts);
}
END_TEST

START_TEST(demo_catalog_has_the_contract_rows)
{
	struct test_server ts;
	ts_open_store(&ts, true);
	const char *p = ts.db_path;
	ck_assert_int_eq(scalar(p, "SELECT count(*) FROM retailers WHERE (id, name) IN "
				   "(VALUES (500, 'Demo Retailer'), (600, 'Second Retailer'))"),
			 2);
	ck_assert_int_eq(scalar(p, "SELECT count(*) FROM brands WHERE (id, name) IN "
				   "(VALUES (501, 'Marla Cielo'), (502, 'Demo Brand'))"),
			 2);
	ck_assert_int_eq(scalar(p,
				"SELECT count(*) FROM connections WHERE hours_to_acknowledge = 24 "
				"AND hours_to_fulfill = 72 AND (retailer_id, brand_id) IN "
				"(VALUES (500, 501), (600, 501), (500, 502))"),
			 3);
	/* Retailer 700, for trying deadlines: due at once, inventory stale at once. */
	ck_assert_int_eq(
		scalar(p, "SELECT count(*) FROM retailers r JOIN connections c ON "
			  "c.retailer_id = r.id WHERE r.id = 700 AND r.name = 'Late Retailer' "
			  "AND c.brand_id = 501 AND c.hours_to_acknowledge = 0 AND "
			  "c.hours_to_fulfill = 0 AND c.inventory_stale_hours = 0"),
		1);
	ck_assert_int_eq(scalar(p, "SELECT count(*) FROM connection_shipping_methods"), 12);
	ck_assert_int_eq(scalar(p, "SELECT count(*) FROM carriers WHERE (name, code) IN "
				   "(VALUES ('UPS', 'UPSN'), ('FedEx', 'FDEG'))"),
			 2);
	ck_assert_int_eq(scalar(p, "SELECT count(*) FROM shipping_methods m JOIN carriers c ON "
				   "c.id = m.carrier_id JOIN generic_shipping_methods g ON "
				   "g.id = m.generic_shipping_method_id WHERE (m.code, m.name, "
				   "c.code, g.name) IN "
				   "(VALUES ('GROUND', 'UPS Ground', 'UPSN', 'Ground'), "
				   "('FEDEX_GROUND', 'FedEx Ground', 'FDEG', 'Ground'), "
				   "('NEXT_DAY_AIR', 'UPS Next Day Air', 'UPSN', 'Next Day'))"),
			 3);
	ck_assert_int_eq(
		scalar(p, "SELECT count(*) FROM variants WHERE "
			  "(id, brand_id, identifier, upc, name, lead_time_hours) IN (VALUES "
			  "(1000065, 501, 'GBD34315', '123456789012', 'Walnut Side Table', 0), "
			  "(100084, 501, '1234', '123456789456', 'Contemporary Nightstand', 0), "
			  "(1000066, 501, 'GBD34316', '123456789013', 'Oak Side Table', 48), "
			  "(2000001, 502, 'DB-100', '223456789012', 'Demo Lamp', 0))"),
		4);
	ck_assert_int_eq(scalar(p, "SELECT count(*) FROM retailer_skus WHERE retailer_id = 500 AND "
				   "variant_id = 1000066 AND sku = 'RS-OAK-1'"),
			 1);
	ts_stop(&ts);
}
END_TEST

START_TEST(demo_catalog_twice_is_harmless)
{
	struct test_server ts;
	ts_open_store(&ts, true);
	field_errors fe;
	ck_assert_int_eq(import(&ts, embedded_demo_catalog, &fe), CATALOG_IMPORTED);
	field_errors_free(&fe);
	ck_assert_int_eq(scalar(ts.db_path, "SELECT count(*) FROM variants"), 4);
	ck_assert_int_eq(scalar(ts.db_path, "SELECT count(*) FROM connections"), 4);
	ck_assert_int_eq(scalar(ts.db_path, "SELECT count(*) FROM retailer_skus"), 1);
	ts_stop(&ts);
}
END_TEST

START_TEST(catalog_import_upserts_by_id)
{
	struct test_server ts;
	ts_open_store(&ts, true);
	field_errors fe;
	const char *doc =
		"{\"brands\": [{\"id\": 502, \"name\": \"Renamed Brand\"}, "
		"{\"id\": 503, \"name\": \"New Brand\"}],"
		" \"variants\": [{\"id\": 3000001, \"brand_id\": \"503\", \"identifier\": \"NB-1\","
		" \"name\": \"Chair\", \"attributes\": [{\"name\": \"color\", \"value\": \"red\"}],"
		" \"lead_time_hours\": 24}]}";
	ck_assert_int_eq(import(&ts, doc, &fe), CATALOG_IMPORTED);
	field_errors_free(&fe);
	ck_assert_int_eq(scalar(ts.db_path, "SELECT count(*) FROM brands WHERE id = 502 AND "
					    "name = 'Renamed Brand'"),
			 1);
	ck_assert_int_eq(scalar(ts.db_path, "SELECT count(*) FROM brands"), 3);
	ck_assert_int_eq(
		scalar(ts.db_path, "SELECT lead_time_hours FROM variants WHERE id = 3000001"), 24);
	ck_assert_int_eq(scalar(ts.db_path, "SELECT json_array_length(attributes) FROM variants "
					    "WHERE id = 3000001"),
			 1);
	ts_stop(&ts);
}
END_TEST

/* A field error at `field` is in the list. */
static bool has_field(const field_errors *fe, const char *field)
{
	size_t i;
	json_t *item;
	json_array_foreach(fe->list, i,
			   item) if (strcmp(json_string_value(json_object_get(item, "field")),
					    field) == 0) return true;
	return false;
}

START_TEST(catalog_import_of_a_bad_file_changes_nothing_and_names_each_problem)
{
	struct test_server ts;
	ts_open_store(&ts, true);
	field_errors fe;
	/* Good rows first, then problems: the good ones must not be kept either. */
	const char *doc =
		"{\"retailers\": [{\"id\": 800, \"name\": \"Fourth Retailer\"}, {\"id\": 0, "
		"\"name\": \"\"}],"
		" \"connections\": [{\"retailer_id\": 800, \"brand_id\": 999, "
		"\"hours_to_acknowledge\": 24,"
		"   \"hours_to_fulfill\": 72, \"shipping_method_ids\": [1, 42]}],"
		" \"shipping_methods\": [{\"id\": 9, \"name\": \"X\", \"code\": \"X\", "
		"\"carrier_code\": \"NOPE\","
		"   \"generic_shipping_method\": \"Teleport\"}],"
		" \"variants\": [{\"id\": 1000099, \"brand_id\": 501, \"identifier\": \"GBD34315\","
		"   \"name\": \"Copy\"}, {\"id\": 1000098, \"brand_id\": 501, \"identifier\": "
		"\"OK-1\","
		"   \"name\": \"Fine\", \"colour\": \"red\"}],"
		" \"warehouses\": []}";
	ck_assert_int_eq(import(&ts, doc, &fe), CATALOG_INVALID);
	ck_assert(has_field(&fe, "retailers[1].id"));
	ck_assert(has_field(&fe, "retailers[1].name"));
	ck_assert(has_field(&fe, "connections[0].brand_id"));
	ck_assert(has_field(&fe, "connections[0].shipping_method_ids[1]"));
	ck_assert(has_field(&fe, "shipping_methods[0].carrier_code"));
	ck_assert(has_field(&fe, "variants[0].identifier"));
	ck_assert(has_field(&fe, "variants[1].colour"));
	ck_assert(has_field(&fe, "warehouses"));
	field_errors_free(&fe);
	ck_assert_int_eq(scalar(ts.db_path, "SELECT count(*) FROM retailers WHERE id = 800"), 0);
	ck_assert_int_eq(scalar(ts.db_path, "SELECT count(*) FROM variants"), 4);
	ts_stop(&ts);
}
END_TEST

START_TEST(catalog_import_of_invalid_json_names_line_and_column)
{
	struct test_server ts;
	ts_open_store(&ts, false);
	field_errors fe;
	ck_assert_int_eq(import(&ts, "{\"retailers\": [\n  {\"id\": 1,}\n]}", &fe),
			 CATALOG_INVALID);
	ck_assert_int_eq(field_errors_count(&fe), 1);
	const char *message =
		json_string_value(json_object_get(json_array_get(fe.list, 0), "message"));
	ck_assert_msg(strstr(message, "line 2") != NULL, "%s", message);
	field_errors_free(&fe);
	ck_assert_int_eq(import(&ts, "[1, 2]", &fe), CATALOG_INVALID);
	field_errors_free(&fe);
	ts_stop(&ts);
}
END_TEST

START_TEST(catalog_import_refuses_a_retailer_sku_taken_by_another_variant)
{
	struct test_server ts;
	ts_open_store(&ts, true);
	field_errors fe;
	const char *doc = "{\"variants\": [{\"id\": 1000065, \"brand_id\": 501, \"identifier\": "
			  "\"GBD34315\", \"name\": \"Walnut Side Table\", \"retailer_skus\": "
			  "[{\"retailer_id\": 500, \"sku\": \"RS-OAK-1\"}]}]}";
	ck_assert_int_eq(import(&ts, doc, &fe), CATALOG_INVALID);
	ck_assert(has_field(&fe, "variants[0].retailer_skus[0].sku"));
	field_errors_free(&fe);
	ts_stop(&ts);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("store");
	tcase_add_test(tc, migrations_apply_on_an_empty_database);
	tcase_add_test(tc, migrations_on_an_up_to_date_database_do_nothing);
	tcase_add_test(tc, database_newer_than_the_binary_is_refused);
	tcase_add_test(tc, database_uses_wal_and_foreign_keys);
	tcase_add_test(tc, schema_refuses_more_shipped_and_canceled_than_ordered);
	tcase_add_test(tc, schema_refuses_a_duplicate_purchase_order_number);
	tcase_add_test(tc, a_feed_read_examines_at_most_its_scan_limit);
	tcase_add_test(tc, demo_catalog_has_the_contract_rows);
	tcase_add_test(tc, demo_catalog_twice_is_harmless);
	tcase_add_test(tc, catalog_import_upserts_by_id);
	tcase_add_test(tc, catalog_import_of_a_bad_file_changes_nothing_and_names_each_problem);
	tcase_add_test(tc, catalog_import_of_invalid_json_names_line_and_column);
	tcase_add_test(tc, catalog_import_refuses_a_retailer_sku_taken_by_another_variant);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
