/*
 * POST /v1/retailers/{id}/orders/: the seed's examples, every validation
 * rule with its field path, variant resolution and its priority, brands and
 * connections, shipping methods, deadlines, duplicate purchase order
 * numbers (also racing), and that a refused request stores nothing.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "catalog/catalog.h"
#include "domain/timeutil.h"
#include "client.h"
#include "harness.h"

static struct test_server ts;
static struct demo_keys demo;

static void setup(void)
{
	ts_start_demo(&ts, &demo);
}

static void teardown(void)
{
	ts_stop_demo(&ts, &demo);
}

/* A valid order body; tests change one thing at a time with json_object_set_new. */
static json_t *valid_order(const char *po)
{
	return order_document(po, "2016-07-06T10:25", "GBD34315");
}

/* Posts `body` (taken over) as retailer `retailer` with `key`. */
static void post_order(int retailer, const char *key, json_t *body, struct http_response *r)
{
	char path[64];
	snprintf(path, sizeof(path), "/v1/retailers/%d/orders/", retailer);
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	http_send(&ts, "POST", path, key, text, r);
	free(text);
}

/* Sets a member at a dotted path of objects ("ship_to.country"); value taken over. */
static void set_at(json_t *root, const char *path, json_t *value)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", path);
	json_t *obj = root;
	char *key = buf, *dot;
	while ((dot = strchr(key, '.')) != NULL) {
		*dot = '\0';
		obj = json_object_get(obj, key);
		ck_assert_ptr_nonnull(obj);
		key = dot + 1;
	}
	if (value == NULL)
		json_object_del(obj, key);
	else
		json_object_set_new(obj, key, value);
}

static json_t *line0(json_t *order)
{
	return json_array_get(json_object_get(order, "order_lines"), 0);
}

static long long db_count(const char *table)
{
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	ck_assert_int_eq(sqlite3_open_v2(ts.db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	long long n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static char *read_data(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/orders/%s", getenv("DROPLINE_TEST_DATA"), name);
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "%s", path);
	static char buf[16384];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strdup(buf);
}

/* Every property of the seed's "Order Properties", and ours. */
static void assert_every_property(json_t *o)
{
	static const char *const keys[] = {"id",
					   "retailer",
					   "brand",
					   "brands",
					   "purchase_order_number",
					   "customer_order_number",
					   "retailer_order_number",
					   "sold_to",
					   "ship_to",
					   "bill_to",
					   "ship_from",
					   "shipping_method",
					   "requested_shipping_method",
					   "gift_message",
					   "status",
					   "is_acknowledged",
					   "acknowledge_by",
					   "fulfill_by",
					   "received_at",
					   "ordered_at",
					   "acknowledged_at",
					   "pickup_on",
					   "closed_at",
					   "canceled_at",
					   "order_lines",
					   "shipments",
					   "cancels",
					   "invoices",
					   "rmas",
					   "credits",
					   "memos",
					   NULL};
	for (const char *const *k = keys; *k != NULL; k++)
		ck_assert_msg(json_object_get(o, *k) != NULL, "order lacks %s", *k);
	static const char *const address_keys[] = {"id",	  "type",    "name1",  "name2",
						   "street1",	  "street2", "city",   "province",
						   "postal_code", "country", "phone1", "phone2",
						   "fax",	  "email",   NULL};
	for (const char *const *k = address_keys; *k != NULL; k++)
		ck_assert_msg(json_object_get(json_object_get(o, "ship_to"), *k) != NULL,
			      "ship_to lacks %s", *k);
	static const char *const line_keys[] = {"id",
						"variant",
						"quantity",
						"quantity_shipped",
						"quantity_returned",
						"quantity_canceled",
						"net_price",
						"price",
						"subtotal",
						"status",
						"canceled_at",
						NULL};
	for (const char *const *k = line_keys; *k != NULL; k++)
		ck_assert_msg(json_object_get(line0(o), *k) != NULL, "line lacks %s", *k);
	static const char *const variant_keys[] = {
		"id", "brand", "name", "description", "identifier", "upc", "attributes", NULL};
	for (const char *const *k = variant_keys; *k != NULL; k++)
		ck_assert_msg(json_object_get(json_object_get(line0(o), "variant"), *k) != NULL,
			      "variant lacks %s", *k);
	ck_assert(json_is_null(json_object_get(o, "bill_to")));
	ck_assert(json_is_null(json_object_get(o, "ship_from")));
	ck_assert_int_eq(json_array_size(json_object_get(o, "brands")), 1);
	ck_assert(json_equal(json_array_get(json_object_get(o, "brands"), 0),
			     json_object_get(o, "brand")));
}

START_TEST(seed_example_1_is_created_with_every_property)
{
	char *body = read_data("seed_example_1.json");
	struct http_response r;
	http_send(&ts, "POST", "/v1/retailers/500/orders/", demo.key500, body, &r);
	free(body);
	ck_assert_msg(r.status == 201, "%s", r.body);
	json_t *o = r.json;
	assert_every_property(o);
	ck_assert_str_eq(json_string_value(json_object_get(o, "purchase_order_number")), "3138720");
	ck_assert_str_eq(json_string_value(json_object_get(o, "ordered_at")),
			 "2016-07-06T10:25:00Z");
	ck_assert_str_eq(json_string_value(json_object_get(o, "status")), "open");
	ck_assert(json_is_false(json_object_get(o, "is_acknowledged")));
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(o, "retailer"), "id")),
			 500);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(o, "brand"), "id")),
			 501);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "brand"), "name")),
			 "Marla Cielo");
	json_t *sm = json_object_get(o, "shipping_method");
	ck_assert_str_eq(json_string_value(json_object_get(sm, "code")), "GROUND");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(sm, "carrier"), "code")),
			 "UPSN");
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_object_get(sm, "generic_shipping_method"), "name")),
			 "Ground");
	ck_assert(json_is_null(json_object_get(o, "requested_shipping_method")));
	ck_assert(json_is_null(json_object_get(o, "sold_to")));
	json_t *l = line0(o);
	ck_assert_str_eq(json_string_value(json_object_get(l, "net_price")), "250.00");
	ck_assert_str_eq(json_string_value(json_object_get(l, "price")), "450.00");
	ck_assert_str_eq(json_string_value(json_object_get(l, "subtotal")), "450.00");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(l, "variant"), "id")),
			 1000065);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "ship_to"), "name1")),
			 "Tammy Watkins");
	ck_assert(json_is_null(json_object_get(json_object_get(o, "ship_to"), "email")));
	http_response_free(&r);
}
END_TEST

START_TEST(seed_example_2_is_created_with_sold_to_and_gift_message)
{
	char *body = read_data("seed_example_2.json");
	struct http_response r;
	http_send(&ts, "POST", "/v1/retailers/500/orders/", demo.key500, body, &r);
	free(body);
	ck_assert_msg(r.status == 201, "%s", r.body);
	assert_every_property(r.json);
	ck_assert_str_eq(
		json_string_value(json_object_get(json_object_get(r.json, "sold_to"), "name1")),
		"James Watkins");
	json_t *gift = json_object_get(r.json, "gift_message");
	ck_assert_int_eq(json_array_size(gift), 5);
	ck_assert_str_eq(json_string_value(json_array_get(gift, 1)), "This one's for you!");
	ck_assert_str_eq(json_string_value(json_array_get(gift, 2)), "");
	http_response_free(&r);
}
END_TEST

START_TEST(seed_example_as_published_is_invalid_json_with_line_and_column)
{
	char *body = read_data("seed_example_1_as_published.json");
	struct http_response r;
	http_send(&ts, "POST", "/v1/retailers/500/orders/", demo.key500, body, &r);
	free(body);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(http_error_code(&r), "invalid_json");
	const char *m = error_message(&r);
	ck_assert_msg(strstr(m, "line 21") != NULL, "%s", m);
	http_response_free(&r);
	ck_assert_int_eq(db_count("orders"), 0);
}
END_TEST

START_TEST(deadlines_follow_the_connection_sla_and_lead_time)
{
	struct http_response r;
	int64_t before = time_now();
	post_order(500, demo.key500, valid_order("PO-SLA-1"), &r);
	int64_t after = time_now();
	ck_assert_int_eq(r.status, 201);
	int64_t received, ack_by, fulfill_by;
	ck_assert(time_parse_iso8601(json_string_value(json_object_get(r.json, "received_at")), 20,
				     &received));
	ck_assert(time_parse_iso8601(json_string_value(json_object_get(r.json, "acknowledge_by")),
				     20, &ack_by));
	ck_assert(time_parse_iso8601(json_string_value(json_object_get(r.json, "fulfill_by")), 20,
				     &fulfill_by));
	ck_assert(received >= before && received <= after);
	ck_assert_int_eq(ack_by - received, 24 * 3600);
	ck_assert_int_eq(fulfill_by - received, 72 * 3600);
	http_response_free(&r);
	/* GBD34316 has a 48 h lead time: fulfil SLA 72 h + 48 h. */
	json_t *o = valid_order("PO-SLA-2");
	json_t *lines = json_pack("[{s:{s:s}, s:i, s:s, s:s}, {s:{s:s}, s:i, s:s, s:s}]", "variant",
				  "identifier", "GBD34315", "quantity", 1, "net_price", "1",
				  "price", "2", "variant", "identifier", "GBD34316", "quantity", 2,
				  "net_price", "3", "price", "4.5");
	set_at(o, "order_lines", lines);
	post_order(500, demo.key500, o, &r);
	ck_assert_int_eq(r.status, 201);
	ck_assert(time_parse_iso8601(json_string_value(json_object_get(r.json, "received_at")), 20,
				     &received));
	ck_assert(time_parse_iso8601(json_string_value(json_object_get(r.json, "fulfill_by")), 20,
				     &fulfill_by));
	ck_assert_int_eq(fulfill_by - received, 120 * 3600);
	json_t *l1 = json_array_get(json_object_get(r.json, "order_lines"), 1);
	ck_assert_str_eq(json_string_value(json_object_get(l1, "subtotal")), "9.00");
	ck_assert_str_eq(json_string_value(json_object_get(l1, "price")), "4.50");
	http_response_free(&r);
}
END_TEST

struct bad_case {
	const char *path;  /* where to change the valid body ("a.b") */
	const char *value; /* JSON text to put there; NULL removes the member */
	const char *field; /* the field path the error must name */
};

static const struct bad_case bad_cases[] = {
	{"purchase_order_number", NULL, "purchase_order_number"},
	{"purchase_order_number", "\"\"", "purchase_order_number"},
	{"purchase_order_number", "\"123456789012345678901234567890123\"", "purchase_order_number"},
	{"purchase_order_number", "3138720", "purchase_order_number"},
	{"customer_order_number", "\"\"", "customer_order_number"},
	{"customer_order_number", "\"123456789012345678901234567890123\"", "customer_order_number"},
	{"retailer_order_number", "\"\"", "retailer_order_number"},
	{"ordered_at", NULL, "ordered_at"},
	{"ordered_at", "\"yesterday\"", "ordered_at"},
	{"ordered_at", "\"2016-02-30T10:25\"", "ordered_at"},
	{"ordered_at", "1467800700", "ordered_at"},
	{"ship_to", NULL, "ship_to"},
	{"ship_to.country", "\"USA\"", "ship_to.country"},
	{"ship_to.country", "\"XX\"", "ship_to.country"},
	{"ship_to.country", "\"\"", "ship_to.country"},
	{"ship_to.province", "\"ZZ\"", "ship_to.province"},
	{"ship_to.province", NULL, "ship_to.province"},
	{"ship_to.name1", NULL, "ship_to.name1"},
	{"ship_to.street1", NULL, "ship_to.street1"},
	{"ship_to.city", "\"\"", "ship_to.city"},
	{"ship_to.postal_code", NULL, "ship_to.postal_code"},
	{"ship_to.name2", "\"\"", "ship_to.name2"},
	{"ship_to.phone1", "\"\"", "ship_to.phone1"},
	{"ship_to.colour", "\"red\"", "ship_to.colour"},
	{"sold_to",
	 "{\"name1\": \"A\", \"street1\": \"B\", \"city\": \"C\", \"province\": \"QC\","
	 " \"postal_code\": \"H2X\", \"country\": \"US\"}",
	 "sold_to.province"},
	{"sold_to", "\"James\"", "sold_to"},
	{"gift_message", "[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\",\"11\"]",
	 "gift_message"},
	{"gift_message",
	 "[\"ok\", \"12345678901234567890123456789012345678901234567890123456789012345\"]",
	 "gift_message[1]"},
	{"gift_message", "[7]", "gift_message[0]"},
	{"gift_message", "\"Hi\"", "gift_message"},
	{"shipping_method", NULL, "shipping_method"},
	{"shipping_method.code", "\"TELEPORT\"", "shipping_method"},
	{"shipping_method.carrier", NULL, "shipping_method.carrier"},
	{"shipping_method.carrier.code", "\"DHL\"", "shipping_method"},
	{"shipping_method.speed", "1", "shipping_method.speed"},
	{"requested_shipping_method", "{\"name\": \"Ground\"}", "requested_shipping_method"},
	{"order_lines", "[]", "order_lines"},
	{"order_lines", NULL, "order_lines"},
	{"order_lines", "{}", "order_lines"},
	{"colour", "\"red\"", "colour"},
	{"status", "\"closed\"", "status"},
};

START_TEST(each_validation_rule_names_its_field)
{
	const struct bad_case *c = &bad_cases[_i];
	json_t *o = valid_order("PO-BAD");
	json_t *value = NULL;
	if (c->value != NULL) {
		value = json_loads(c->value, JSON_DECODE_ANY, NULL);
		ck_assert_ptr_nonnull(value);
	}
	set_at(o, c->path, value);
	struct http_response r;
	post_order(500, demo.key500, o, &r);
	ck_assert_msg(r.status == 400, "%s=%s: %ld %s", c->path, c->value, r.status, r.body);
	ck_assert_str_eq(http_error_code(&r), "validation_failed");
	ck_assert_msg(http_error_has_field(&r, c->field), "%s=%s: expected field %s in %s", c->path,
		      c->value, c->field, r.body);
	http_response_free(&r);
	ck_assert_int_eq(db_count("orders"), 0);
}
END_TEST

struct line_case {
	const char *line; /* the whole order line as JSON */
	const char *field;
};

static const struct line_case line_cases[] = {
	{"{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 0, \"net_price\": \"1\", "
	 "\"price\": \"1\"}",
	 "order_lines[0].quantity"},
	{"{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": -1, \"net_price\": \"1\", "
	 "\"price\": \"1\"}",
	 "order_lines[0].quantity"},
	{"{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1.5, \"net_price\": \"1\", "
	 "\"price\": \"1\"}",
	 "order_lines[0].quantity"},
	{"{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": \"2\", \"net_price\": \"1\", "
	 "\"price\": \"1\"}",
	 "order_lines[0].quantity"},
	{"{\"variant\": {\"identifier\": \"GBD34315\"}, \"net_price\": \"1\", \"price\": \"1\"}",
	 "order_lines[0].quantity"},
	{"{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1, \"net_price\": \"1.234\", "
	 "\"price\": \"1\"}",
	 "order_lines[0].net_price"},
	{"{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1, \"net_price\": \"-1.00\", "
	 "\"price\": \"1\"}",
	 "order_lines[0].net_price"},
	{"{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1, \"net_price\": -1, "
	 "\"price\": \"1\"}",
	 "order_lines[0].net_price"},
	{"{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1, \"net_price\": 19.999, "
	 "\"price\": \"1\"}",
	 "order_lines[0].net_price"},
	{"{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1, \"net_price\": \"abc\", "
	 "\"price\": \"1\"}",
	 "order_lines[0].net_price"},
	{"{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1, \"net_price\": \"1\"}",
	 "order_lines[0].price"},
	{"{\"variant\": {}, \"quantity\": 1, \"net_price\": \"1\", \"price\": \"1\"}",
	 "order_lines[0].variant"},
	{"{\"quantity\": 1, \"net_price\": \"1\", \"price\": \"1\"}", "order_lines[0].variant"},
	{"{\"variant\": {\"identifier\": \"\"}, \"quantity\": 1, \"net_price\": \"1\", \"price\": "
	 "\"1\"}",
	 "order_lines[0].variant.identifier"},
	{"{\"variant\": {\"sku\": \"GBD34315\"}, \"quantity\": 1, \"net_price\": \"1\", \"price\": "
	 "\"1\"}",
	 "order_lines[0].variant.sku"},
	{"{\"variant\": {\"id\": \"12ab\"}, \"quantity\": 1, \"net_price\": \"1\", \"price\": "
	 "\"1\"}",
	 "order_lines[0].variant.id"},
	{"{\"variant\": {\"id\": 999}, \"quantity\": 1, \"net_price\": \"1\", \"price\": \"1\"}",
	 "order_lines[0].variant.id"},
	{"{\"variant\": {\"identifier\": \"NOPE\"}, \"quantity\": 1, \"net_price\": \"1\", "
	 "\"price\": \"1\"}",
	 "order_lines[0].variant.identifier"},
	{"{\"variant\": {\"upc\": \"000000000000\"}, \"quantity\": 1, \"net_price\": \"1\", "
	 "\"price\": \"1\"}",
	 "order_lines[0].variant.upc"},
	{"{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1, \"net_price\": \"1\", "
	 "\"price\": \"1\", \"tax\": \"1\"}",
	 "order_lines[0].tax"},
	{"\"GBD34315\"", "order_lines[0]"},
};

START_TEST(each_line_rule_names_its_field)
{
	const struct line_case *c = &line_cases[_i];
	json_t *o = valid_order("PO-LINE");
	json_t *line = json_loads(c->line, JSON_DECODE_ANY, NULL);
	ck_assert_ptr_nonnull(line);
	set_at(o, "order_lines", json_pack("[o]", line));
	struct http_response r;
	post_order(500, demo.key500, o, &r);
	ck_assert_msg(r.status == 400, "%s: %ld %s", c->line, r.status, r.body);
	ck_assert_msg(http_error_has_field(&r, c->field), "%s: expected %s in %s", c->line,
		      c->field, r.body);
	http_response_free(&r);
	ck_assert_int_eq(db_count("order_lines"), 0);
}
END_TEST

START_TEST(several_errors_are_reported_at_once)
{
	json_t *o = valid_order("PO-MANY");
	set_at(o, "ship_to.country", json_string("USA"));
	set_at(o, "ordered_at", json_string("soon"));
	set_at(o, "colour", json_string("red"));
	json_t *lines = json_pack("[{s:{s:s}, s:i, s:s, s:s}, {s:{s:s}, s:i, s:s, s:s},"
				  " {s:{s:s}, s:i, s:s, s:s}]",
				  "variant", "identifier", "GBD34315", "quantity", 0, "net_price",
				  "1", "price", "1", "variant", "identifier", "1234", "quantity", 1,
				  "net_price", "1", "price", "1", "variant", "upc", "999",
				  "quantity", 1, "net_price", "1", "price", "1");
	set_at(o, "order_lines", lines);
	struct http_response r;
	post_order(500, demo.key500, o, &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert(http_error_has_field(&r, "ship_to.country"));
	ck_assert(http_error_has_field(&r, "ordered_at"));
	ck_assert(http_error_has_field(&r, "colour"));
	ck_assert(http_error_has_field(&r, "order_lines[0].quantity"));
	/* Catalog problems come in the same answer as the body's own. */
	ck_assert(http_error_has_field(&r, "order_lines[2].variant.upc"));
	ck_assert_int_eq(field_count(&r), 5);
	ck_assert_str_eq(error_message(&r), "5 fields are invalid");
	http_response_free(&r);
	/* Shape-valid but unknown variants: reported together, each at its path. */
	o = valid_order("PO-MANY-2");
	lines = json_pack("[{s:{s:s}, s:i, s:s, s:s}, {s:{s:s}, s:i, s:s, s:s},"
			  " {s:{s:s}, s:i, s:s, s:s}]",
			  "variant", "identifier", "GBD34315", "quantity", 1, "net_price", "1",
			  "price", "1", "variant", "identifier", "NOPE", "quantity", 1, "net_price",
			  "1", "price", "1", "variant", "upc", "999", "quantity", 1, "net_price",
			  "1", "price", "1");
	set_at(o, "order_lines", lines);
	post_order(500, demo.key500, o, &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert(http_error_has_field(&r, "order_lines[1].variant.identifier"));
	ck_assert(http_error_has_field(&r, "order_lines[2].variant.upc"));
	http_response_free(&r);
	ck_assert_int_eq(db_count("orders"), 0);
	ck_assert_int_eq(db_count("addresses"), 0);
}
END_TEST

/* Posts a one-line order naming the variant by `variant` (JSON) and returns the resolved id. */
static int64_t resolve(const char *po, const char *variant)
{
	json_t *o = valid_order(po);
	json_t *v = json_loads(variant, 0, NULL);
	ck_assert_ptr_nonnull(v);
	json_object_set_new(line0(o), "variant", v);
	struct http_response r;
	post_order(500, demo.key500, o, &r);
	ck_assert_msg(r.status == 201, "%s: %s", variant, r.body);
	int64_t id = json_integer_value(
		json_object_get(json_object_get(line0(r.json), "variant"), "id"));
	http_response_free(&r);
	return id;
}

START_TEST(variant_resolves_in_each_of_its_four_ways)
{
	ck_assert_int_eq(resolve("R-ID", "{\"id\": 100084}"), 100084);
	ck_assert_int_eq(resolve("R-ID-TEXT", "{\"id\": \"1000066\"}"), 1000066);
	ck_assert_int_eq(resolve("R-RSKU", "{\"identifier\": \"RS-OAK-1\"}"), 1000066);
	ck_assert_int_eq(resolve("R-BSKU", "{\"identifier\": \"GBD34316\"}"), 1000066);
	ck_assert_int_eq(resolve("R-UPC", "{\"upc\": \"123456789456\"}"), 100084);
}
END_TEST

START_TEST(variant_resolution_priority_is_id_then_identifier_then_upc)
{
	/* id beats identifier and upc that name other variants. */
	ck_assert_int_eq(resolve("P-1", "{\"id\": 100084, \"identifier\": \"GBD34315\", "
					"\"upc\": \"123456789013\"}"),
			 100084);
	/* identifier beats upc. */
	ck_assert_int_eq(
		resolve("P-2", "{\"identifier\": \"GBD34315\", \"upc\": \"123456789456\"}"),
		1000065);
	/* The retailer's own SKU beats a brand SKU with the same text. */
	field_errors fe;
	field_errors_init(&fe);
	const char *doc = "{\"variants\": [{\"id\": 1000070, \"brand_id\": 501, \"identifier\": "
			  "\"RS-OAK-1\", \"name\": \"Decoy\"}]}";
	ck_assert_int_eq(catalog_import_text(ts.store, doc, strlen(doc), &fe, NULL),
			 CATALOG_IMPORTED);
	field_errors_free(&fe);
	ck_assert_int_eq(resolve("P-3", "{\"identifier\": \"RS-OAK-1\"}"), 1000066);
	/* A retailer without that SKU gets the brand SKU. */
	json_t *o = valid_order("P-4");
	json_object_set_new(line0(o), "variant", json_pack("{s:s}", "identifier", "RS-OAK-1"));
	struct http_response r;
	post_order(600, demo.key600, o, &r);
	ck_assert_msg(r.status == 201, "%s", r.body);
	ck_assert_int_eq(json_integer_value(
				 json_object_get(json_object_get(line0(r.json), "variant"), "id")),
			 1000070);
	http_response_free(&r);
}
END_TEST

START_TEST(retailer_identifier_shows_the_retailers_own_sku)
{
	json_t *o = valid_order("RS-1");
	json_object_set_new(line0(o), "variant", json_pack("{s:s}", "identifier", "RS-OAK-1"));
	struct http_response r;
	post_order(500, demo.key500, o, &r);
	ck_assert_int_eq(r.status, 201);
	json_t *v = json_object_get(line0(r.json), "variant");
	ck_assert_str_eq(json_string_value(json_object_get(v, "identifier")), "GBD34316");
	ck_assert_str_eq(json_string_value(json_object_get(v, "retailer_identifier")), "RS-OAK-1");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(v, "brand"), "name")),
			 "Marla Cielo");
	http_response_free(&r);
}
END_TEST

START_TEST(brand_not_connected_is_refused)
{
	/* Retailer 600 is connected to 501 only; DB-100 is brand 502's. */
	json_t *o = valid_order("NC-1");
	json_object_set_new(line0(o), "variant", json_pack("{s:s}", "identifier", "DB-100"));
	struct http_response r;
	post_order(600, demo.key600, o, &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_msg(http_error_has_field(&r, "order_lines"), "%s", r.body);
	ck_assert_ptr_nonnull(strstr(r.body, "not connected"));
	http_response_free(&r);
	ck_assert_int_eq(db_count("orders"), 0);
}
END_TEST

START_TEST(lines_of_two_brands_or_one_variant_twice_are_refused)
{
	json_t *o = valid_order("TB-1");
	set_at(o, "order_lines",
	       json_pack("[{s:{s:s}, s:i, s:s, s:s}, {s:{s:s}, s:i, s:s, s:s}]", "variant",
			 "identifier", "GBD34315", "quantity", 1, "net_price", "1", "price", "1",
			 "variant", "identifier", "DB-100", "quantity", 1, "net_price", "1",
			 "price", "1"));
	struct http_response r;
	post_order(500, demo.key500, o, &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert(http_error_has_field(&r, "order_lines[1].variant"));
	http_response_free(&r);
	o = valid_order("TB-2");
	set_at(o, "order_lines",
	       json_pack("[{s:{s:s}, s:i, s:s, s:s}, {s:{s:i}, s:i, s:s, s:s}]", "variant",
			 "identifier", "GBD34315", "quantity", 1, "net_price", "1", "price", "1",
			 "variant", "id", 1000065, "quantity", 1, "net_price", "1", "price", "1"));
	post_order(500, demo.key500, o, &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert(http_error_has_field(&r, "order_lines[1].variant"));
	http_response_free(&r);
}
END_TEST

START_TEST(requested_shipping_method_instead_of_a_carrier_method)
{
	json_t *o = valid_order("RQ-1");
	set_at(o, "shipping_method", NULL);
	set_at(o, "requested_shipping_method", json_pack("{s:s}", "name", "Expedited"));
	struct http_response r;
	post_order(500, demo.key500, o, &r);
	ck_assert_msg(r.status == 201, "%s", r.body);
	ck_assert(json_is_null(json_object_get(r.json, "shipping_method")));
	json_t *rq = json_object_get(r.json, "requested_shipping_method");
	ck_assert_str_eq(json_string_value(json_object_get(rq, "name")), "Expedited");
	ck_assert(json_is_integer(json_object_get(rq, "id")));
	ck_assert(json_is_string(json_object_get(rq, "description")));
	http_response_free(&r);
	o = valid_order("RQ-2");
	set_at(o, "shipping_method", NULL);
	set_at(o, "requested_shipping_method", json_pack("{s:s}", "name", "Teleport"));
	post_order(500, demo.key500, o, &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert(http_error_has_field(&r, "requested_shipping_method.name"));
	http_response_free(&r);
}
END_TEST

START_TEST(shipping_method_must_be_allowed_on_the_connection)
{
	field_errors fe;
	field_errors_init(&fe);
	const char *doc = "{\"shipping_methods\": [{\"id\": 9, \"name\": \"UPS 2nd Day Air\", "
			  "\"code\": \"2ND_DAY_AIR\", \"carrier_code\": \"UPSN\", "
			  "\"generic_shipping_method\": \"Expedited\"}]}";
	ck_assert_int_eq(catalog_import_text(ts.store, doc, strlen(doc), &fe, NULL),
			 CATALOG_IMPORTED);
	field_errors_free(&fe);
	json_t *o = valid_order("SM-1");
	set_at(o, "shipping_method.code", json_string("2ND_DAY_AIR"));
	struct http_response r;
	post_order(500, demo.key500, o, &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert(http_error_has_field(&r, "shipping_method"));
	ck_assert_ptr_nonnull(strstr(r.body, "not allowed"));
	http_response_free(&r);
	/* FedEx Ground is allowed. */
	o = valid_order("SM-2");
	set_at(o, "shipping_method",
	       json_pack("{s:s, s:{s:s}}", "code", "FEDEX_GROUND", "carrier", "code", "FDEG"));
	post_order(500, demo.key500, o, &r);
	ck_assert_int_eq(r.status, 201);
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_object_get(r.json, "shipping_method"), "name")),
			 "FedEx Ground");
	http_response_free(&r);
}
END_TEST

START_TEST(money_accepts_numbers_and_strings_exactly)
{
	json_t *o = valid_order("M-1");
	json_object_set_new(line0(o), "net_price", json_integer(250));
	json_object_set_new(line0(o), "price", json_real(19.99));
	json_object_set_new(line0(o), "quantity", json_integer(3));
	struct http_response r;
	post_order(500, demo.key500, o, &r);
	ck_assert_int_eq(r.status, 201);
	ck_assert_str_eq(json_string_value(json_object_get(line0(r.json), "net_price")), "250.00");
	ck_assert_str_eq(json_string_value(json_object_get(line0(r.json), "price")), "19.99");
	ck_assert_str_eq(json_string_value(json_object_get(line0(r.json), "subtotal")), "59.97");
	http_response_free(&r);
}
END_TEST

START_TEST(ordered_at_with_offset_is_stored_in_utc)
{
	json_t *o = valid_order("T-1");
	set_at(o, "ordered_at", json_string("2016-07-06T23:25:30-05:00"));
	struct http_response r;
	post_order(500, demo.key500, o, &r);
	ck_assert_int_eq(r.status, 201);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "ordered_at")),
			 "2016-07-07T04:25:30Z");
	http_response_free(&r);
}
END_TEST

START_TEST(full_address_and_order_numbers_round_trip)
{
	json_t *o = valid_order("FULL-1");
	set_at(o, "customer_order_number", json_string("C-77"));
	set_at(o, "retailer_order_number", json_string("R-88"));
	set_at(o, "ship_to",
	       json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:n, s:s}",
			 "type", "residential", "name1", "Jack Avery", "name2", "c/o Bryant",
			 "street1", "1 Main St", "street2", "Suite 2", "city", "Toronto",
			 "province", "ON", "postal_code", "M5V 2T6", "country", "CA", "phone1",
			 "4165550000", "phone2", "4165550001", "fax", "email", "jack@example.com"));
	struct http_response r;
	post_order(500, demo.key500, o, &r);
	ck_assert_msg(r.status == 201, "%s", r.body);
	json_t *a = json_object_get(r.json, "ship_to");
	ck_assert_str_eq(json_string_value(json_object_get(a, "province")), "ON");
	ck_assert_str_eq(json_string_value(json_object_get(a, "email")), "jack@example.com");
	ck_assert(json_is_null(json_object_get(a, "fax")));
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "customer_order_number")),
			 "C-77");
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "retailer_order_number")),
			 "R-88");
	http_response_free(&r);
	/* A country without known provinces needs none. */
	o = valid_order("FULL-2");
	set_at(o, "ship_to.country", json_string("GB"));
	set_at(o, "ship_to.province", NULL);
	post_order(500, demo.key500, o, &r);
	ck_assert_msg(r.status == 201, "%s", r.body);
	http_response_free(&r);
}
END_TEST

START_TEST(duplicate_purchase_order_number_is_409_naming_the_order)
{
	struct http_response r;
	post_order(500, demo.key500, valid_order("DUP-1"), &r);
	ck_assert_int_eq(r.status, 201);
	json_int_t first = json_integer_value(json_object_get(r.json, "id"));
	http_response_free(&r);
	post_order(500, demo.key500, valid_order("DUP-1"), &r);
	ck_assert_int_eq(r.status, 409);
	ck_assert_str_eq(http_error_code(&r), "conflict");
	ck_assert_int_eq(
		json_integer_value(json_object_get(json_object_get(r.json, "error"), "order_id")),
		first);
	char id_text[32];
	snprintf(id_text, sizeof(id_text), "%lld", (long long)first);
	ck_assert_ptr_nonnull(strstr(error_message(&r), id_text));
	http_response_free(&r);
	/* Another retailer may use the same number. */
	post_order(600, demo.key600, valid_order("DUP-1"), &r);
	ck_assert_int_eq(r.status, 201);
	http_response_free(&r);
	ck_assert_int_eq(db_count("orders"), 2);
}
END_TEST

#define RACERS 8

START_TEST(duplicate_purchase_order_numbers_racing_create_one_order)
{
	curl_global_init(CURL_GLOBAL_ALL);
	json_t *order = valid_order("RACE-1");
	char *body = json_dumps(order, JSON_COMPACT);
	json_decref(order);
	ck_assert_ptr_nonnull(body);
	struct racer racers[RACERS];
	memset(racers, 0, sizeof(racers));
	for (int i = 0; i < RACERS; i++) {
		racers[i].method = "POST";
		racers[i].path = "/v1/retailers/500/orders/";
		racers[i].key = demo.key500;
		int n = snprintf(racers[i].body, sizeof(racers[i].body), "%s", body);
		ck_assert(n > 0 && (size_t)n < sizeof(racers[i].body));
	}
	free(body);
	run_racers(racers, RACERS);
	int created = 0, conflicts = 0;
	for (int i = 0; i < RACERS; i++) {
		created += racers[i].status == 201;
		conflicts += racers[i].status == 409;
	}
	ck_assert_int_eq(created, 1);
	ck_assert_int_eq(conflicts, RACERS - 1);
	ck_assert_int_eq(db_count("orders"), 1);
	ck_assert_int_eq(db_count("order_lines"), 1);
	ck_assert_int_eq(db_count("addresses"), 1);
}
END_TEST

#define MIXERS 24

struct mixer {
	pthread_barrier_t *start;
	int kind; /* 0: valid, 1: unknown variant (refused in the transaction), 2: duplicate */
	char po[32];
	long status;
	json_t *body; /* the answer */
};

static void *mix(void *arg)
{
	struct mixer *me = arg;
	json_t *order = valid_order(me->po);
	if (me->kind == 1)
		json_object_set_new(line0(order), "variant", json_pack("{s:s}", "upc", "000"));
	char *body = json_dumps(order, JSON_COMPACT);
	json_decref(order);
	pthread_barrier_wait(me->start);
	struct http_response r;
	http_send(&ts, "POST", "/v1/retailers/500/orders/", demo.key500, body, &r);
	me->status = r.status;
	me->body = json_incref(r.json);
	http_response_free(&r);
	free(body);
	return NULL;
}

/*
 * Writes at once, so that they share batches of the group commit: those
 * that fail their rules (inside the transaction) leave nothing, and the
 * others are stored exactly as answered.
 */
START_TEST(concurrent_writes_some_failing_apply_exactly_the_valid_ones)
{
	curl_global_init(CURL_GLOBAL_ALL);
	struct http_response r;
	post_order(500, demo.key500, valid_order("MIX-TAKEN"), &r);
	ck_assert_int_eq(r.status, 201);
	http_response_free(&r);

	pthread_barrier_t start;
	pthread_barrier_init(&start, NULL, MIXERS);
	pthread_t threads[MIXERS];
	struct mixer mixers[MIXERS];
	for (int i = 0; i < MIXERS; i++) {
		mixers[i] = (struct mixer){.start = &start, .kind = i % 3};
		if (mixers[i].kind == 2)
			snprintf(mixers[i].po, sizeof(mixers[i].po), "MIX-TAKEN");
		else
			snprintf(mixers[i].po, sizeof(mixers[i].po), "MIX-%d", i);
		ck_assert_int_eq(pthread_create(&threads[i], NULL, mix, &mixers[i]), 0);
	}
	for (int i = 0; i < MIXERS; i++)
		pthread_join(threads[i], NULL);
	pthread_barrier_destroy(&start);

	int created = 0;
	for (int i = 0; i < MIXERS; i++) {
		struct mixer *m = &mixers[i];
		static const long expected[] = {201, 400, 409};
		ck_assert_msg(m->status == expected[m->kind], "request %d (kind %d): %ld", i,
			      m->kind, m->status);
		if (m->kind == 0) {
			created++;
			/* Stored exactly as answered. */
			char path[96];
			snprintf(path, sizeof(path), "/v1/retailers/500/orders/%lld/",
				 (long long)json_integer_value(json_object_get(m->body, "id")));
			struct http_response got;
			http_get(&ts, path, demo.key500, &got);
			ck_assert_int_eq(got.status, 200);
			ck_assert_msg(json_equal(got.json, m->body),
				      "order %s differs from its 201", m->po);
			http_response_free(&got);
		} else if (m->kind == 1) {
			ck_assert_str_eq(json_string_value(json_object_get(
						 json_object_get(m->body, "error"), "code")),
					 "validation_failed");
		}
		json_decref(m->body);
	}
	ck_assert_int_eq(created, MIXERS / 3);
	ck_assert_int_eq(db_count("orders"), 1 + MIXERS / 3);
	ck_assert_int_eq(db_count("order_lines"), 1 + MIXERS / 3);
	ck_assert_int_eq(db_count("addresses"), 1 + MIXERS / 3);
	struct http_response list;
	http_get(&ts, "/v1/retailers/500/orders/", demo.key500, &list);
	ck_assert_int_eq(json_integer_value(json_object_get(list.json, "count")), 1 + MIXERS / 3);
	http_response_free(&list);
}
END_TEST

START_TEST(rejected_request_stores_nothing)
{
	/* Valid in shape, refused by the catalog: nothing of it may remain. */
	json_t *o = valid_order("NOTHING-1");
	set_at(o, "sold_to",
	       json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "name1", "A", "street1", "B", "city",
			 "C", "province", "CA", "postal_code", "1", "country", "US"));
	json_object_set_new(line0(o), "variant", json_pack("{s:s}", "upc", "000"));
	struct http_response r;
	post_order(500, demo.key500, o, &r);
	ck_assert_int_eq(r.status, 400);
	http_response_free(&r);
	ck_assert_int_eq(db_count("orders"), 0);
	ck_assert_int_eq(db_count("order_lines"), 0);
	ck_assert_int_eq(db_count("addresses"), 0);
	struct http_response list;
	http_get(&ts, "/v1/retailers/500/orders/", demo.key500, &list);
	ck_assert_int_eq(json_integer_value(json_object_get(list.json, "count")), 0);
	http_response_free(&list);
}
END_TEST

START_TEST(creating_needs_the_retailers_own_key)
{
	char *brand_key = ts_key(&ts, PARTY_BRAND, 501, NULL);
	struct http_response r;
	post_order(500, brand_key, valid_order("K-1"), &r);
	ck_assert_int_eq(r.status, 403);
	http_response_free(&r);
	post_order(500, demo.key600, valid_order("K-1"), &r);
	ck_assert_int_eq(r.status, 403);
	http_response_free(&r);
	post_order(500, NULL, valid_order("K-1"), &r);
	ck_assert_int_eq(r.status, 401);
	http_response_free(&r);
	/* Brands do not create orders. */
	json_t *order = valid_order("K-2");
	char *body = json_dumps(order, JSON_COMPACT);
	json_decref(order);
	http_send(&ts, "POST", "/v1/brands/501/orders/", brand_key, body, &r);
	free(body);
	ck_assert_int_eq(r.status, 405);
	http_response_free(&r);
	free(brand_key);
	ck_assert_int_eq(db_count("orders"), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("orders_create");
	TCase *tc = tcase_create("orders_create");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, seed_example_1_is_created_with_every_property);
	tcase_add_test(tc, seed_example_2_is_created_with_sold_to_and_gift_message);
	tcase_add_test(tc, seed_example_as_published_is_invalid_json_with_line_and_column);
	tcase_add_test(tc, deadlines_follow_the_connection_sla_and_lead_time);
	tcase_add_loop_test(tc, each_validation_rule_names_its_field, 0,
			    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_loop_test(tc, each_line_rule_names_its_field, 0,
			    (int)(sizeof(line_cases) / sizeof(line_cases[0])));
	tcase_add_test(tc, several_errors_are_reported_at_once);
	tcase_add_test(tc, variant_resolves_in_each_of_its_four_ways);
	tcase_add_test(tc, variant_resolution_priority_is_id_then_identifier_then_upc);
	tcase_add_test(tc, retailer_identifier_shows_the_retailers_own_sku);
	tcase_add_test(tc, brand_not_connected_is_refused);
	tcase_add_test(tc, lines_of_two_brands_or_one_variant_twice_are_refused);
	tcase_add_test(tc, requested_shipping_method_instead_of_a_carrier_method);
	tcase_add_test(tc, shipping_method_must_be_allowed_on_the_connection);
	tcase_add_test(tc, money_accepts_numbers_and_strings_exactly);
	tcase_add_test(tc, ordered_at_with_offset_is_stored_in_utc);
	tcase_add_test(tc, full_address_and_order_numbers_round_trip);
	tcase_add_test(tc, duplicate_purchase_order_number_is_409_naming_the_order);
	tcase_add_test(tc, duplicate_purchase_order_numbers_racing_create_one_order);
	tcase_add_test(tc, concurrent_writes_some_failing_apply_exactly_the_valid_ones);
	tcase_add_test(tc, rejected_request_stores_nothing);
	tcase_add_test(tc, creating_needs_the_retailers_own_key);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
