/*
 * Shipments (CONTRACT.md section 7): POST /v1/brands/{id}/shipments/ moving
 * quantities and statuses (open, partial, closed, with closed_at on lines and
 * orders), the first shipment acknowledging the order, open quantities (409,
 * nothing applied), every way of naming a line, validation with field paths,
 * shipping methods, canceled orders, reading on both sides and in the order's
 * "shipments", the retailer's acknowledgement, list filters at their
 * boundaries and pagination both ways, parties that are not the order's,
 * twenty shipments racing for five units, and Idempotency-Key on POST and PUT.
 */
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "domain/timeutil.h"
#include "client.h"
#include "harness.h"

static struct test_server ts;
static struct demo_keys demo;

/* 10 of GBD34315 and 10 of GBD34316 (variant 1000066, retailer 500's RS-OAK-1). */
#define LINE_10_WALNUT                                                                             \
	"{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 10, \"net_price\": "          \
	"\"250.00\", \"price\": \"450.00\"}"
#define LINE_10_OAK                                                                                \
	"{\"variant\": {\"identifier\": \"GBD34316\"}, \"quantity\": 10, \"net_price\": "          \
	"\"300.00\", \"price\": \"520.00\"}"

static void setup(void)
{
	ts_start_demo(&ts, &demo);
}

static void teardown(void)
{
	ts_stop_demo(&ts, &demo);
}

/* ---- helpers ------------------------------------------------------------ */

static json_t *shipment_line_at(json_t *shipment, size_t i)
{
	json_t *l = json_array_get(json_object_get(shipment, "shipment_lines"), i);
	ck_assert_ptr_nonnull(l);
	return l;
}

/* POST {side}/shipments/ with a formatted body; the caller frees r. */
__attribute__((format(printf, 4, 5))) static void
post_shipment(const char *side, const char *key, struct http_response *r, const char *fmt, ...)
{
	char path[96];
	snprintf(path, sizeof(path), "%s/shipments/", side);
	va_list ap;
	va_start(ap, fmt);
	vcallf("POST", path, key, NULL, r, fmt, ap);
	va_end(ap);
}

/* Brand 501 ships, expecting 201; returns the shipment (caller frees). */
__attribute__((format(printf, 1, 2))) static json_t *ship_ok(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	json_t *s = vpost_created(B501 "/shipments/", demo.key501, fmt, ap);
	va_end(ap);
	return s;
}

/* Brand 501 ships `quantity` of one order line; returns the shipment (caller frees). */
static json_t *ship_line(int64_t order_id, int64_t order_line_id, int quantity)
{
	return ship_ok("{\"order_id\": %lld, \"tracking_number\": \"1Z999AA10123456784\","
		       " \"shipment_lines\": [{\"order_line_id\": %lld, \"quantity\": %d}]}",
		       (long long)order_id, (long long)order_line_id, quantity);
}

/* The same, keeping only the shipment's id. */
static int64_t ship_line_id(int64_t order_id, int64_t order_line_id, int quantity)
{
	json_t *s = ship_line(order_id, order_line_id, quantity);
	int64_t id = num(s, "id");
	json_decref(s);
	return id;
}

/* A one-line order of 5 GBD34315 for retailer 500; its id, and its line's id when asked. */
static int64_t order_of_5(int64_t *line)
{
	json_t *o = create_order(500, demo.key500, "[" LINE_5 "]");
	int64_t id = num(o, "id");
	if (line != NULL)
		*line = line_id(o, 0);
	json_decref(o);
	return id;
}

static json_t *order_of_500(int64_t id)
{
	return get_one(R500, "orders", id, demo.key500);
}

/* GET {side}/{what}/{id}/ expecting 404 not_found. */
static void expect_404(const char *side, const char *what, int64_t id, const char *key)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s/%lld/", side, what, (long long)id);
	struct http_response r;
	http_get(&ts, path, key, &r);
	ck_assert_msg(r.status == 404, "GET %s: %ld %s", path, r.status, r.body);
	ck_assert_str_eq(http_error_code(&r), "not_found");
	http_response_free(&r);
}

/* The retailer 500 acknowledges a shipment (200); returns the answer (caller frees). */
static json_t *ack_ok(int64_t id)
{
	struct http_response r;
	put_ack(R500, "shipments", id, demo.key500, &r);
	ck_assert_msg(r.status == 200, "acknowledge shipment %lld: %ld %s", (long long)id, r.status,
		      r.body);
	json_t *j = json_incref(r.json);
	http_response_free(&r);
	return j;
}

/* {side}/shipments/?{query} holds exactly `ids`, built by printf. */
__attribute__((format(printf, 5, 6))) static void
expect_listf(const char *side, const char *key, const int64_t *ids, size_t n, const char *fmt, ...)
{
	char query[256], path[384];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(query, sizeof(query), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/shipments/?%s", side, query);
	expect_list(path, key, ids, n);
}

/* Runs SQL on the test database, as an operator with sqlite3 would. */
__attribute__((format(printf, 1, 2))) static void db_exec(const char *fmt, ...)
{
	char sql[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	sqlite3 *db = NULL;
	ck_assert_int_eq(sqlite3_open_v2(ts.db_path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	char *err = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
	char msg[256];
	snprintf(msg, sizeof(msg), "%s", err ? err : "");
	sqlite3_free(err);
	sqlite3_close(db);
	ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, msg);
}

/* The shipment representation has exactly the contract's properties. */
static void assert_shipment_shape(json_t *s)
{
	static const char *const keys[] = {"id",
					   "order_id",
					   "purchase_order_number",
					   "tracking_number",
					   "shipping_method",
					   "shipped_at",
					   "is_acknowledged",
					   "acknowledged_at",
					   "shipment_lines",
					   NULL};
	size_t n = 0;
	for (const char *const *k = keys; *k != NULL; k++, n++)
		ck_assert_msg(json_object_get(s, *k) != NULL, "shipment lacks %s", *k);
	ck_assert_uint_eq(json_object_size(s), n);
	json_t *lines = json_object_get(s, "shipment_lines");
	ck_assert(json_is_array(lines));
	ck_assert_uint_ge(json_array_size(lines), 1);
	size_t i;
	json_t *l;
	json_array_foreach(lines, i, l)
	{
		ck_assert_uint_eq(json_object_size(l), 4);
		ck_assert(json_is_integer(json_object_get(l, "id")));
		ck_assert(json_is_integer(json_object_get(l, "order_line_id")));
		ck_assert(json_is_integer(json_object_get(l, "quantity")));
		json_t *v = json_object_get(l, "variant");
		static const char *const variant_keys[] = {
			"id",	       "brand",	     "name",
			"description", "identifier", "retailer_identifier",
			"upc",	       "attributes", NULL};
		for (const char *const *k = variant_keys; *k != NULL; k++)
			ck_assert_msg(json_object_get(v, *k) != NULL, "variant lacks %s", *k);
	}
}

/* ---- statuses ------------------------------------------------------------------ */

START_TEST(partial_then_closed_and_the_first_shipment_acknowledges_the_order)
{
	int64_t before = time_now();
	json_t *o = create_order(500, demo.key500, "[" LINE_5 ", " LINE_2 "]");
	int64_t id = num(o, "id"), l0 = line_id(o, 0), l1 = line_id(o, 1);
	const char *po = str(o, "purchase_order_number");
	ck_assert(json_is_false(json_object_get(o, "is_acknowledged")));
	ck_assert(json_is_null(json_object_get(o, "acknowledged_at")));

	/* 2 of 5 on the first line. */
	json_t *s1 =
		ship_ok("{\"order_id\": %lld, \"tracking_number\": \"1Z-A\", \"shipment_lines\":"
			" [{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 2}]}",
			(long long)id);
	assert_shipment_shape(s1);
	ck_assert_int_gt(num(s1, "id"), 0);
	ck_assert_int_eq(num(s1, "order_id"), id);
	ck_assert_str_eq(str(s1, "purchase_order_number"), po);
	ck_assert_str_eq(str(s1, "tracking_number"), "1Z-A");
	ck_assert(json_is_null(json_object_get(s1, "shipping_method")));
	int64_t t1 = epoch_of(s1, "shipped_at");
	ck_assert_int_ge(t1, before);
	ck_assert_int_le(t1, time_now());
	ck_assert(json_is_false(json_object_get(s1, "is_acknowledged")));
	ck_assert(json_is_null(json_object_get(s1, "acknowledged_at")));
	ck_assert_uint_eq(json_array_size(json_object_get(s1, "shipment_lines")), 1);
	json_t *sl = shipment_line_at(s1, 0);
	ck_assert_int_gt(num(sl, "id"), 0);
	ck_assert_int_eq(num(sl, "order_line_id"), l0);
	ck_assert_int_eq(num(sl, "quantity"), 2);
	ck_assert_int_eq(num(json_object_get(sl, "variant"), "id"), 1000065);
	ck_assert_str_eq(str(json_object_get(sl, "variant"), "identifier"), "GBD34315");

	json_t *after1 = order_of_500(id);
	ck_assert_str_eq(str(after1, "status"), "partial");
	ck_assert_str_eq(str(line_at(after1, 0), "status"), "partial");
	ck_assert_int_eq(num(line_at(after1, 0), "quantity_shipped"), 2);
	ck_assert_int_eq(num(line_at(after1, 0), "quantity_canceled"), 0);
	ck_assert(json_is_null(json_object_get(line_at(after1, 0), "closed_at")));
	ck_assert_str_eq(str(line_at(after1, 1), "status"), "open");
	ck_assert_int_eq(num(line_at(after1, 1), "quantity_shipped"), 0);
	ck_assert(json_is_null(json_object_get(after1, "closed_at")));
	ck_assert(json_is_null(json_object_get(after1, "canceled_at")));
	/* The first shipment acknowledged the order, at its own time. */
	ck_assert(json_is_true(json_object_get(after1, "is_acknowledged")));
	ck_assert_int_eq(epoch_of(after1, "acknowledged_at"), t1);
	ck_assert_uint_eq(json_array_size(json_object_get(after1, "shipments")), 1);
	ck_assert_msg(json_equal(json_array_get(json_object_get(after1, "shipments"), 0), s1),
		      "the order's shipment differs from the 201 body");
	/* The brand reads the same order. */
	json_t *by_brand = get_one(B501, "orders", id, demo.key501);
	ck_assert(json_equal(by_brand, after1));
	json_decref(by_brand);

	/* The rest of the first line: it closes, the order stays partial. */
	next_second();
	json_t *s2 = ship_line(id, l0, 3);
	int64_t t2 = epoch_of(s2, "shipped_at");
	ck_assert_int_gt(t2, t1);
	json_t *after2 = order_of_500(id);
	ck_assert_str_eq(str(after2, "status"), "partial");
	ck_assert(json_is_null(json_object_get(after2, "closed_at")));
	ck_assert_str_eq(str(line_at(after2, 0), "status"), "closed");
	ck_assert_int_eq(num(line_at(after2, 0), "quantity_shipped"), 5);
	ck_assert_int_eq(epoch_of(line_at(after2, 0), "closed_at"), t2);
	ck_assert_str_eq(str(line_at(after2, 1), "status"), "open");
	/* A later shipment does not move acknowledged_at. */
	ck_assert_int_eq(epoch_of(after2, "acknowledged_at"), t1);
	ck_assert_uint_eq(json_array_size(json_object_get(after2, "shipments")), 2);

	/* The second line by order_line_id: everything shipped, the order closes. */
	next_second();
	json_t *s3 = ship_line(id, l1, 2);
	int64_t t3 = epoch_of(s3, "shipped_at");
	ck_assert_int_gt(t3, t2);
	json_t *after3 = order_of_500(id);
	ck_assert_str_eq(str(after3, "status"), "closed");
	ck_assert_int_eq(epoch_of(after3, "closed_at"), t3);
	ck_assert(json_is_null(json_object_get(after3, "canceled_at")));
	ck_assert_str_eq(str(line_at(after3, 1), "status"), "closed");
	ck_assert_int_eq(num(line_at(after3, 1), "quantity_shipped"), 2);
	ck_assert_int_eq(epoch_of(line_at(after3, 1), "closed_at"), t3);
	/* The first line keeps the time it closed. */
	ck_assert_int_eq(epoch_of(line_at(after3, 0), "closed_at"), t2);
	ck_assert_int_eq(epoch_of(after3, "acknowledged_at"), t1);
	json_t *shipments = json_object_get(after3, "shipments");
	ck_assert_uint_eq(json_array_size(shipments), 3);
	ck_assert_int_eq(num(json_array_get(shipments, 0), "id"), num(s1, "id"));
	ck_assert_int_eq(num(json_array_get(shipments, 1), "id"), num(s2, "id"));
	ck_assert_int_eq(num(json_array_get(shipments, 2), "id"), num(s3, "id"));
	/* The order lists show it closed. */
	char path[128];
	snprintf(path, sizeof(path), R500 "/orders/?status=closed&closed_at_gte=%lld",
		 (long long)t3);
	json_t *closed = get_ok(path, demo.key500);
	int64_t only[] = {id};
	expect_ids(closed, only, 1, path);
	ck_assert_msg(json_equal(json_array_get(json_object_get(closed, "results"), 0), after3),
		      "the order reads differently in the list");
	json_decref(closed);

	/* Nothing is open: another shipment is 409 and changes nothing. */
	struct http_response r;
	post_shipment(B501, demo.key501, &r,
		      "{\"order_id\": %lld, \"tracking_number\": \"1Z-D\","
		      " \"shipment_lines\": [{\"order_line_id\": %lld, \"quantity\": 1}]}",
		      (long long)id, (long long)l0);
	ck_assert_msg(r.status == 409, "%ld %s", r.status, r.body);
	ck_assert_str_eq(http_error_code(&r), "conflict");
	const char *m = field_message(&r, "shipment_lines[0].quantity");
	ck_assert_msg(m != NULL && strstr(m, "only 0") != NULL, "%s", r.body);
	http_response_free(&r);
	json_t *after4 = order_of_500(id);
	ck_assert_msg(json_equal(after3, after4), "a refused shipment changed the order");
	ck_assert_int_eq(list_count(B501 "/shipments/", demo.key501), 3);
	ck_assert_int_eq(list_count(R500 "/shipments/", demo.key500), 3);

	json_decref(after4);
	json_decref(after3);
	json_decref(after2);
	json_decref(after1);
	json_decref(s3);
	json_decref(s2);
	json_decref(s1);
	json_decref(o);
}
END_TEST

START_TEST(shipping_an_acknowledged_order_keeps_its_acknowledged_at)
{
	int64_t l0;
	int64_t id = order_of_5(&l0);
	struct http_response r;
	char path[128];
	snprintf(path, sizeof(path), B501 "/orders/%lld/acknowledge/", (long long)id);
	http_send(&ts, "PUT", path, demo.key501, NULL, &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	int64_t acked = epoch_of(r.json, "acknowledged_at");
	http_response_free(&r);
	next_second();
	json_t *s = ship_line(id, l0, 5);
	ck_assert_int_gt(epoch_of(s, "shipped_at"), acked);
	json_t *o = order_of_500(id);
	ck_assert(json_is_true(json_object_get(o, "is_acknowledged")));
	ck_assert_int_eq(epoch_of(o, "acknowledged_at"), acked);
	ck_assert_str_eq(str(o, "status"), "closed");
	ck_assert_int_eq(epoch_of(o, "closed_at"), epoch_of(s, "shipped_at"));
	json_decref(o);
	json_decref(s);
}
END_TEST

START_TEST(canceled_units_are_not_open_and_a_canceled_order_is_409)
{
	/* 2 of 5 canceled (set up in the database): 3 remain to ship. */
	int64_t l0;
	int64_t id = order_of_5(&l0);
	db_exec("UPDATE order_lines SET quantity_canceled = 2 WHERE id = %lld", (long long)l0);
	struct http_response r;
	post_shipment(B501, demo.key501, &r,
		      "{\"order_id\": %lld, \"tracking_number\": \"1Z\","
		      " \"shipment_lines\": [{\"order_line_id\": %lld, \"quantity\": 4}]}",
		      (long long)id, (long long)l0);
	ck_assert_msg(r.status == 409, "%ld %s", r.status, r.body);
	const char *m = field_message(&r, "shipment_lines[0].quantity");
	ck_assert_msg(m != NULL && strstr(m, "only 3") != NULL, "%s", r.body);
	http_response_free(&r);
	json_t *s = ship_line(id, l0, 3);
	json_t *o = order_of_500(id);
	/* Every unit shipped or canceled, some shipped: closed. */
	ck_assert_str_eq(str(o, "status"), "closed");
	ck_assert_str_eq(str(line_at(o, 0), "status"), "closed");
	ck_assert_int_eq(num(line_at(o, 0), "quantity_shipped"), 3);
	ck_assert_int_eq(num(line_at(o, 0), "quantity_canceled"), 2);
	ck_assert_int_eq(epoch_of(o, "closed_at"), epoch_of(s, "shipped_at"));
	ck_assert(json_is_null(json_object_get(o, "canceled_at")));
	json_decref(o);
	json_decref(s);

	/* A canceled order (set up in the database as a full cancellation leaves it). */
	int64_t l1;
	int64_t canceled = order_of_5(&l1);
	int64_t now = time_now();
	db_exec("UPDATE order_lines SET quantity_canceled = quantity, status = 'canceled',"
		" canceled_at = %lld WHERE order_id = %lld;"
		" UPDATE orders SET status = 'canceled', canceled_at = %lld WHERE id = %lld",
		(long long)now, (long long)canceled, (long long)now, (long long)canceled);
	json_t *before = order_of_500(canceled);
	ck_assert_str_eq(str(before, "status"), "canceled");
	post_shipment(B501, demo.key501, &r,
		      "{\"order_id\": %lld, \"tracking_number\": \"1Z\","
		      " \"shipment_lines\": [{\"order_line_id\": %lld, \"quantity\": 1}]}",
		      (long long)canceled, (long long)l1);
	ck_assert_msg(r.status == 409, "%ld %s", r.status, r.body);
	ck_assert_str_eq(http_error_code(&r), "conflict");
	ck_assert_msg(strstr(error_message(&r), "canceled") != NULL, "%s", r.body);
	http_response_free(&r);
	json_t *after = order_of_500(canceled);
	ck_assert_msg(json_equal(before, after), "a refused shipment changed a canceled order");
	/* Not acknowledged by the refused shipment either. */
	ck_assert(json_is_false(json_object_get(after, "is_acknowledged")));
	json_decref(before);
	json_decref(after);
	ck_assert_int_eq(list_count(B501 "/shipments/", demo.key501), 1);
}
END_TEST

/* ---- open quantities ----------------------------------------------------------- */

START_TEST(more_than_open_is_409_naming_the_line_and_changes_nothing)
{
	/* On a fresh order: 6 of 5. The refused shipment does not acknowledge the order. */
	int64_t l0;
	int64_t id = order_of_5(&l0);
	json_t *fresh = order_of_500(id);
	struct http_response r;
	post_shipment(B501, demo.key501, &r,
		      "{\"order_id\": %lld, \"tracking_number\": \"1Z\", \"shipment_lines\":"
		      " [{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 6}]}",
		      (long long)id);
	ck_assert_msg(r.status == 409, "%ld %s", r.status, r.body);
	ck_assert_str_eq(http_error_code(&r), "conflict");
	ck_assert_uint_eq(field_count(&r), 1);
	const char *m = field_message(&r, "shipment_lines[0].quantity");
	ck_assert_msg(m != NULL && strstr(m, "only 5") != NULL, "%s", r.body);
	http_response_free(&r);
	json_t *still = order_of_500(id);
	ck_assert_msg(json_equal(fresh, still), "a refused shipment changed the order");
	ck_assert(json_is_false(json_object_get(still, "is_acknowledged")));
	json_decref(still);
	json_decref(fresh);

	/* After shipping 2: 4 of the 3 open. */
	json_t *s = ship_line(id, l0, 2);
	json_decref(s);
	json_t *before = order_of_500(id);
	json_t *brand_before = get_one(B501, "orders", id, demo.key501);
	json_t *list_before = get_ok(R500 "/shipments/", demo.key500);
	json_t *brand_list_before = get_ok(B501 "/shipments/", demo.key501);
	post_shipment(B501, demo.key501, &r,
		      "{\"order_id\": %lld, \"tracking_number\": \"1Z\", \"shipment_lines\":"
		      " [{\"order_line_id\": %lld, \"quantity\": 4}]}",
		      (long long)id, (long long)l0);
	ck_assert_msg(r.status == 409, "%ld %s", r.status, r.body);
	ck_assert_str_eq(http_error_code(&r), "conflict");
	ck_assert_uint_eq(field_count(&r), 1);
	m = field_message(&r, "shipment_lines[0].quantity");
	ck_assert_msg(m != NULL && strstr(m, "4 asked") != NULL && strstr(m, "only 3") != NULL,
		      "%s", r.body);
	ck_assert_msg(strstr(error_message(&r), "nothing was shipped") != NULL, "%s", r.body);
	http_response_free(&r);
	json_t *after = order_of_500(id);
	json_t *brand_after = get_one(B501, "orders", id, demo.key501);
	json_t *list_after = get_ok(R500 "/shipments/", demo.key500);
	json_t *brand_list_after = get_ok(B501 "/shipments/", demo.key501);
	ck_assert_msg(json_equal(before, after), "the order changed");
	ck_assert_msg(json_equal(brand_before, brand_after), "the brand's order changed");
	ck_assert_msg(json_equal(list_before, list_after), "the retailer's shipment list changed");
	ck_assert_msg(json_equal(brand_list_before, brand_list_after),
		      "the brand's shipment list changed");
	ck_assert_int_eq(num(list_after, "count"), 1);
	json_decref(before);
	json_decref(after);
	json_decref(brand_before);
	json_decref(brand_after);
	json_decref(list_before);
	json_decref(list_after);
	json_decref(brand_list_before);
	json_decref(brand_list_after);

	/* Exactly what is open is fine. */
	s = ship_line(id, l0, 3);
	json_decref(s);
	json_t *o = order_of_500(id);
	ck_assert_int_eq(num(line_at(o, 0), "quantity_shipped"), 5);
	ck_assert_str_eq(str(o, "status"), "closed");
	json_decref(o);
}
END_TEST

/* ---- naming lines ------------------------------------------------------------------ */

/* Checks one shipment line: its order line, variant and quantity. */
static void expect_shipment_line(json_t *s, size_t i, int64_t order_line, int64_t variant,
				 int64_t quantity)
{
	json_t *l = shipment_line_at(s, i);
	ck_assert_msg(num(l, "order_line_id") == order_line,
		      "shipment_lines[%zu].order_line_id is %lld, expected %lld", i,
		      (long long)num(l, "order_line_id"), (long long)order_line);
	ck_assert_int_eq(num(json_object_get(l, "variant"), "id"), variant);
	ck_assert_int_eq(num(l, "quantity"), quantity);
}

START_TEST(lines_by_identifier_upc_retailer_sku_id_and_order_line_id)
{
	json_t *o = create_order(500, demo.key500, "[" LINE_10_WALNUT ", " LINE_10_OAK "]");
	int64_t id = num(o, "id"), walnut = line_id(o, 0), oak = line_id(o, 1);
	json_decref(o);

	/* The brand SKU, and the retailer's own SKU. */
	json_t *s =
		ship_ok("{\"order_id\": %lld, \"tracking_number\": \"T1\", \"shipment_lines\": ["
			"{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1},"
			" {\"variant\": {\"identifier\": \"RS-OAK-1\"}, \"quantity\": 2}]}",
			(long long)id);
	ck_assert_uint_eq(json_array_size(json_object_get(s, "shipment_lines")), 2);
	expect_shipment_line(s, 0, walnut, 1000065, 1);
	expect_shipment_line(s, 1, oak, 1000066, 2);
	/* The shipment line's variant shows both SKUs, as the order line does. */
	json_t *v = json_object_get(shipment_line_at(s, 1), "variant");
	ck_assert_str_eq(str(v, "identifier"), "GBD34316");
	ck_assert_str_eq(str(v, "retailer_identifier"), "RS-OAK-1");
	json_decref(s);

	/* The UPC, and the variant id (a number). */
	s = ship_ok("{\"order_id\": %lld, \"tracking_number\": \"T2\", \"shipment_lines\": ["
		    "{\"variant\": {\"upc\": \"123456789012\"}, \"quantity\": 3},"
		    " {\"variant\": {\"id\": 1000066}, \"quantity\": 1}]}",
		    (long long)id);
	expect_shipment_line(s, 0, walnut, 1000065, 3);
	expect_shipment_line(s, 1, oak, 1000066, 1);
	json_decref(s);

	/* order_line_id first, then the variant id as a string; order_id as a string too. */
	s = ship_ok("{\"order_id\": \"%lld\", \"tracking_number\": \"T3\", \"shipment_lines\": ["
		    "{\"order_line_id\": %lld, \"quantity\": 1},"
		    " {\"variant\": {\"id\": \"1000065\"}, \"quantity\": 2}]}",
		    (long long)id, (long long)oak);
	ck_assert_int_eq(num(s, "order_id"), id);
	expect_shipment_line(s, 0, oak, 1000066, 1);
	expect_shipment_line(s, 1, walnut, 1000065, 2);
	json_decref(s);

	/* The brand SKU of the retailer-SKU variant; order_line_id as a string. */
	s = ship_ok("{\"order_id\": %lld, \"tracking_number\": \"T4\", \"shipment_lines\": ["
		    "{\"variant\": {\"identifier\": \"GBD34316\"}, \"quantity\": 1},"
		    " {\"order_line_id\": \"%lld\", \"quantity\": 1}]}",
		    (long long)id, (long long)walnut);
	expect_shipment_line(s, 0, oak, 1000066, 1);
	expect_shipment_line(s, 1, walnut, 1000065, 1);
	json_decref(s);

	/* Shipped so far: walnut 1+3+2+1 = 7, oak 2+1+1+1 = 5. */
	json_t *before = order_of_500(id);
	ck_assert_int_eq(num(line_at(before, 0), "quantity_shipped"), 7);
	ck_assert_int_eq(num(line_at(before, 1), "quantity_shipped"), 5);
	ck_assert_str_eq(str(line_at(before, 0), "status"), "partial");
	ck_assert_str_eq(str(line_at(before, 1), "status"), "partial");
	ck_assert_str_eq(str(before, "status"), "partial");
	ck_assert_uint_eq(json_array_size(json_object_get(before, "shipments")), 4);

	/* One line fine (1 of 3 walnut), the other too much (6 of 5 oak): nothing applied. */
	struct http_response r;
	post_shipment(B501, demo.key501, &r,
		      "{\"order_id\": %lld, \"tracking_number\": \"T5\", \"shipment_lines\": ["
		      "{\"variant\": {\"upc\": \"123456789012\"}, \"quantity\": 1},"
		      " {\"variant\": {\"identifier\": \"RS-OAK-1\"}, \"quantity\": 6}]}",
		      (long long)id);
	ck_assert_msg(r.status == 409, "%ld %s", r.status, r.body);
	ck_assert_str_eq(http_error_code(&r), "conflict");
	ck_assert_uint_eq(field_count(&r), 1);
	ck_assert_ptr_null(field_message(&r, "shipment_lines[0].quantity"));
	const char *m = field_message(&r, "shipment_lines[1].quantity");
	ck_assert_msg(m != NULL && strstr(m, "only 5") != NULL, "%s", r.body);
	http_response_free(&r);
	/* Both too much: both named. */
	post_shipment(B501, demo.key501, &r,
		      "{\"order_id\": %lld, \"tracking_number\": \"T6\", \"shipment_lines\": ["
		      "{\"order_line_id\": %lld, \"quantity\": 4},"
		      " {\"order_line_id\": %lld, \"quantity\": 6}]}",
		      (long long)id, (long long)walnut, (long long)oak);
	ck_assert_msg(r.status == 409, "%ld %s", r.status, r.body);
	ck_assert_uint_eq(field_count(&r), 2);
	m = field_message(&r, "shipment_lines[0].quantity");
	ck_assert_msg(m != NULL && strstr(m, "only 3") != NULL, "%s", r.body);
	m = field_message(&r, "shipment_lines[1].quantity");
	ck_assert_msg(m != NULL && strstr(m, "only 5") != NULL, "%s", r.body);
	http_response_free(&r);
	json_t *after = order_of_500(id);
	ck_assert_msg(json_equal(before, after), "a refused shipment changed the order");
	ck_assert_int_eq(list_count(B501 "/shipments/", demo.key501), 4);
	json_decref(before);
	json_decref(after);
}
END_TEST

/* ---- validation --------------------------------------------------------------- */

struct bad_case {
	const char *body;  /* "ORDER" is replaced by the order's id, "OTHER_LINE" by a line of
			      another order, "LINE" by the order's own line */
	const char *field; /* the field path the error must name */
};

#define LINES_OK "\"shipment_lines\": [{\"order_line_id\": LINE, \"quantity\": 1}]"

static const struct bad_case bad_cases[] = {
	{"{\"tracking_number\": \"1Z\", " LINES_OK "}", "order_id"},
	{"{\"order_id\": null, \"tracking_number\": \"1Z\", " LINES_OK "}", "order_id"},
	{"{\"order_id\": \"abc\", \"tracking_number\": \"1Z\", " LINES_OK "}", "order_id"},
	{"{\"order_id\": 0, \"tracking_number\": \"1Z\", " LINES_OK "}", "order_id"},
	{"{\"order_id\": 1.5, \"tracking_number\": \"1Z\", " LINES_OK "}", "order_id"},
	{"{\"order_id\": ORDER, " LINES_OK "}", "tracking_number"},
	{"{\"order_id\": ORDER, \"tracking_number\": \"\", " LINES_OK "}", "tracking_number"},
	{"{\"order_id\": ORDER, \"tracking_number\": 12345, " LINES_OK "}", "tracking_number"},
	{"{\"order_id\": ORDER, \"tracking_number\": "
	 "\"12345678901234567890123456789012345678901234567890123456789012345\", " LINES_OK "}",
	 "tracking_number"},
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\"}", "shipment_lines"},
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"shipment_lines\": []}",
	 "shipment_lines"},
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"shipment_lines\": {}}",
	 "shipment_lines"},
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"shipment_lines\": "
	 "[{\"order_line_id\": LINE, \"quantity\": 0}]}",
	 "shipment_lines[0].quantity"},
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"shipment_lines\": "
	 "[{\"order_line_id\": LINE, \"quantity\": -1}]}",
	 "shipment_lines[0].quantity"},
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"shipment_lines\": "
	 "[{\"order_line_id\": LINE, \"quantity\": \"1\"}]}",
	 "shipment_lines[0].quantity"},
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"shipment_lines\": "
	 "[{\"order_line_id\": LINE, \"quantity\": 1.5}]}",
	 "shipment_lines[0].quantity"},
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"shipment_lines\": "
	 "[{\"order_line_id\": LINE}]}",
	 "shipment_lines[0].quantity"},
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"colour\": \"red\", " LINES_OK "}",
	 "colour"},
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"shipped_at\": "
	 "\"2016-07-06T10:25:00Z\", " LINES_OK "}",
	 "shipped_at"},
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"shipment_lines\": "
	 "[{\"order_line_id\": LINE, \"quantity\": 1, \"note\": \"x\"}]}",
	 "shipment_lines[0].note"},
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"shipment_lines\": "
	 "[{\"variant\": {\"sku\": \"GBD34315\"}, \"quantity\": 1}]}",
	 "shipment_lines[0].variant.sku"},
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"shipment_lines\": [{\"quantity\": "
	 "1}]}",
	 "shipment_lines[0]"},
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"shipment_lines\": [\"GBD34315\"]}",
	 "shipment_lines[0]"},
	/* null is the same as leaving a field out: the line names no order line at all. */
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"shipment_lines\": "
	 "[{\"variant\": null, \"quantity\": 1}]}",
	 "shipment_lines[0]"},
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"shipment_lines\": "
	 "[{\"order_line_id\": null, \"quantity\": 1}]}",
	 "shipment_lines[0]"},
	/* A variant of the brand that is not on the order, another brand's, an unknown one. */
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"shipment_lines\": "
	 "[{\"variant\": {\"identifier\": \"1234\"}, \"quantity\": 1}]}",
	 "shipment_lines[0].variant"},
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"shipment_lines\": "
	 "[{\"variant\": {\"id\": 2000001}, \"quantity\": 1}]}",
	 "shipment_lines[0].variant"},
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"shipment_lines\": "
	 "[{\"variant\": {\"identifier\": \"NOPE\"}, \"quantity\": 1}]}",
	 "shipment_lines[0].variant"},
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"shipment_lines\": "
	 "[{\"order_line_id\": OTHER_LINE, \"quantity\": 1}]}",
	 "shipment_lines[0].order_line_id"},
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"shipment_lines\": "
	 "[{\"order_line_id\": 999999, \"quantity\": 1}]}",
	 "shipment_lines[0].order_line_id"},
	/* The same line twice, named alike or differently. */
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"shipment_lines\": "
	 "[{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1},"
	 " {\"variant\": {\"id\": 1000065}, \"quantity\": 1}]}",
	 "shipment_lines[1]"},
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"shipment_lines\": "
	 "[{\"order_line_id\": LINE, \"quantity\": 1}, {\"order_line_id\": LINE, \"quantity\": "
	 "1}]}",
	 "shipment_lines[1]"},
	/* Both ways of naming a line in one. */
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"shipment_lines\": "
	 "[{\"variant\": {\"identifier\": \"GBD34315\"}, \"order_line_id\": LINE, \"quantity\": "
	 "1}]}",
	 "shipment_lines[0]"},
	/* Shipping methods. */
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"shipping_method\": {\"code\": "
	 "\"TELEPORT\", \"carrier\": {\"code\": \"UPSN\"}}, " LINES_OK "}",
	 "shipping_method"},
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"shipping_method\": {\"code\": "
	 "\"GROUND\", \"carrier\": {\"code\": \"FDEG\"}}, " LINES_OK "}",
	 "shipping_method"},
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"shipping_method\": {\"code\": "
	 "\"GROUND\"}, " LINES_OK "}",
	 "shipping_method.carrier"},
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"shipping_method\": {\"carrier\": "
	 "{\"code\": \"UPSN\"}}, " LINES_OK "}",
	 "shipping_method.code"},
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"shipping_method\": {\"code\": "
	 "\"GROUND\", \"carrier\": {\"code\": \"UPSN\"}, \"speed\": 1}, " LINES_OK "}",
	 "shipping_method.speed"},
	{"{\"order_id\": ORDER, \"tracking_number\": \"1Z\", \"shipping_method\": "
	 "\"GROUND\", " LINES_OK "}",
	 "shipping_method"},
	{"[1, 2]", ""},
};

START_TEST(each_validation_rule_names_its_field)
{
	const struct bad_case *c = &bad_cases[_i];
	int64_t line;
	int64_t id = order_of_5(&line);
	json_t *other = create_order(500, demo.key500, "[" LINE_5 "]");
	int64_t other_line = line_id(other, 0);
	json_decref(other);
	char *body = replace(strdup(c->body), "OTHER_LINE", other_line);
	body = replace(body, "LINE", line);
	body = replace(body, "ORDER", id);
	json_t *before = order_of_500(id);
	struct http_response r;
	http_send(&ts, "POST", B501 "/shipments/", demo.key501, body, &r);
	/* Everything is copied and freed before the assertions: a failure leaks nothing. */
	char text[2048], sent[1024];
	snprintf(text, sizeof(text), "%s", r.body);
	snprintf(sent, sizeof(sent), "%s", body);
	free(body);
	long status = r.status;
	bool code_ok = strcmp(http_error_code(&r), "validation_failed") == 0;
	bool has_field = http_error_has_field(&r, c->field);
	http_response_free(&r);
	json_t *after = order_of_500(id);
	bool unchanged = json_equal(before, after);
	bool unacknowledged = json_is_false(json_object_get(after, "is_acknowledged"));
	json_decref(before);
	json_decref(after);
	ck_assert_msg(status == 400, "%s: %ld %s", sent, status, text);
	ck_assert_msg(code_ok, "%s: %s", sent, text);
	ck_assert_msg(has_field, "%s: expected field '%s' in %s", sent, c->field, text);
	ck_assert_msg(unchanged, "%s: the order changed", sent);
	ck_assert_msg(unacknowledged, "%s: the order was acknowledged", sent);
	ck_assert_int_eq(list_count(B501 "/shipments/", demo.key501), 0);
	ck_assert_int_eq(list_count(R500 "/shipments/", demo.key500), 0);
}
END_TEST

START_TEST(several_problems_are_reported_at_once)
{
	struct http_response r;
	http_send(&ts, "POST", B501 "/shipments/", demo.key501,
		  "{\"tracking_number\": \"\", \"colour\": \"red\", \"shipment_lines\": "
		  "[{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 0}, {\"quantity\": "
		  "1}]}",
		  &r);
	ck_assert_msg(r.status == 400, "%ld %s", r.status, r.body);
	ck_assert_str_eq(http_error_code(&r), "validation_failed");
	ck_assert(http_error_has_field(&r, "order_id"));
	ck_assert(http_error_has_field(&r, "tracking_number"));
	ck_assert(http_error_has_field(&r, "colour"));
	ck_assert(http_error_has_field(&r, "shipment_lines[0].quantity"));
	ck_assert(http_error_has_field(&r, "shipment_lines[1]"));
	ck_assert_uint_eq(field_count(&r), 5);
	http_response_free(&r);
	/* Checked against the order: an unknown method and a line not on it, together. */
	int64_t id = order_of_5(NULL);
	post_shipment(B501, demo.key501, &r,
		      "{\"order_id\": %lld, \"tracking_number\": \"1Z\", \"shipping_method\":"
		      " {\"code\": \"TELEPORT\", \"carrier\": {\"code\": \"UPSN\"}}, "
		      "\"shipment_lines\": [{\"variant\": {\"identifier\": \"GBD34315\"}, "
		      "\"quantity\": 1}, {\"variant\": {\"upc\": \"123456789456\"}, "
		      "\"quantity\": 1}]}",
		      (long long)id);
	ck_assert_msg(r.status == 400, "%ld %s", r.status, r.body);
	ck_assert(http_error_has_field(&r, "shipping_method"));
	ck_assert(http_error_has_field(&r, "shipment_lines[1].variant"));
	ck_assert_uint_eq(field_count(&r), 2);
	http_response_free(&r);
	/* Invalid JSON and a wrong content type. */
	http_send(&ts, "POST", B501 "/shipments/", demo.key501, "{\"order_id\": 1,}", &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(http_error_code(&r), "invalid_json");
	http_response_free(&r);
	struct http_call call = {.method = "POST",
				 .path = B501 "/shipments/",
				 .key = demo.key501,
				 .body = "order_id=1",
				 .content_type = "application/x-www-form-urlencoded"};
	http_do(&ts, &call, &r);
	ck_assert_int_eq(r.status, 415);
	http_response_free(&r);
	ck_assert_int_eq(list_count(B501 "/shipments/", demo.key501), 0);
}
END_TEST

START_TEST(a_known_shipping_method_is_shown_on_the_shipment)
{
	int64_t line;
	int64_t id = order_of_5(&line);
	json_t *s =
		ship_ok("{\"order_id\": %lld, \"tracking_number\": \"7946\", \"shipping_method\":"
			" {\"code\": \"FEDEX_GROUND\", \"carrier\": {\"code\": \"FDEG\"}},"
			" \"shipment_lines\": [{\"order_line_id\": %lld, \"quantity\": 1}]}",
			(long long)id, (long long)line);
	assert_shipment_shape(s);
	json_t *sm = json_object_get(s, "shipping_method");
	ck_assert(json_is_object(sm));
	ck_assert(json_is_integer(json_object_get(sm, "id")));
	ck_assert_str_eq(str(sm, "code"), "FEDEX_GROUND");
	ck_assert_str_eq(str(sm, "name"), "FedEx Ground");
	ck_assert_str_eq(str(json_object_get(sm, "carrier"), "code"), "FDEG");
	ck_assert_str_eq(str(json_object_get(sm, "generic_shipping_method"), "name"), "Ground");
	/* The order keeps its own method (UPS Ground). */
	json_t *o = order_of_500(id);
	ck_assert_str_eq(str(json_object_get(o, "shipping_method"), "code"), "GROUND");
	ck_assert(json_equal(json_array_get(json_object_get(o, "shipments"), 0), s));
	json_decref(o);
	/* Another method of the same carrier as the order's. */
	json_t *s2 =
		ship_ok("{\"order_id\": %lld, \"tracking_number\": \"1Z2\", \"shipping_method\":"
			" {\"code\": \"NEXT_DAY_AIR\", \"carrier\": {\"code\": \"UPSN\"}},"
			" \"shipment_lines\": [{\"order_line_id\": %lld, \"quantity\": 1}]}",
			(long long)id, (long long)line);
	ck_assert_str_eq(str(json_object_get(s2, "shipping_method"), "name"), "UPS Next Day Air");
	json_decref(s2);
	json_t *read = get_one(R500, "shipments", num(s, "id"), demo.key500);
	ck_assert(json_equal(read, s));
	json_decref(read);
	json_decref(s);
}
END_TEST

/* ---- reading and acknowledging ------------------------------------------------------ */

START_TEST(retailer_reads_and_acknowledges_a_shipment)
{
	json_t *o = create_order(500, demo.key500, "[" LINE_5 ", " LINE_10_OAK "]");
	int64_t id = num(o, "id"), l0 = line_id(o, 0), l1 = line_id(o, 1);
	json_decref(o);
	json_t *s =
		ship_ok("{\"order_id\": %lld, \"tracking_number\": \"1Z-R\", \"shipment_lines\":"
			" [{\"order_line_id\": %lld, \"quantity\": 2},"
			" {\"order_line_id\": %lld, \"quantity\": 3}]}",
			(long long)id, (long long)l0, (long long)l1);
	int64_t sid = num(s, "id");

	/* Both sides read the same shipment, alone, in lists and in the order. */
	json_t *r500 = get_one(R500, "shipments", sid, demo.key500);
	json_t *b501 = get_one(B501, "shipments", sid, demo.key501);
	ck_assert_msg(json_equal(r500, s), "the retailer reads another shipment than the 201");
	ck_assert_msg(json_equal(b501, s), "the brand reads another shipment than the 201");
	char path[128];
	snprintf(path, sizeof(path), R500 "/shipments/%lld", (long long)sid);
	json_t *no_slash = get_ok(path, demo.key500);
	ck_assert(json_equal(no_slash, s));
	json_decref(no_slash);
	json_t *page = get_ok(R500 "/shipments/", demo.key500);
	int64_t only[] = {sid};
	expect_ids(page, only, 1, "retailer list");
	ck_assert(json_equal(json_array_get(json_object_get(page, "results"), 0), s));
	ck_assert(json_is_null(json_object_get(page, "next")));
	ck_assert(json_is_null(json_object_get(page, "previous")));
	json_decref(page);
	expect_list(B501 "/shipments/", demo.key501, only, 1);
	o = order_of_500(id);
	ck_assert_uint_eq(json_array_size(json_object_get(o, "shipments")), 1);
	ck_assert(json_equal(json_array_get(json_object_get(o, "shipments"), 0), s));
	json_decref(o);

	/* The retailer acknowledges receipt. */
	int64_t before = time_now();
	json_t *acked = ack_ok(sid);
	ck_assert(json_is_true(json_object_get(acked, "is_acknowledged")));
	int64_t at = epoch_of(acked, "acknowledged_at");
	ck_assert_int_ge(at, before);
	ck_assert_int_le(at, time_now());
	/* Nothing else changed. */
	json_t *expected = json_deep_copy(s);
	json_object_set_new(expected, "is_acknowledged", json_true());
	json_object_set(expected, "acknowledged_at", json_object_get(acked, "acknowledged_at"));
	ck_assert_msg(json_equal(acked, expected), "acknowledging changed more than the flag");
	json_decref(expected);

	/* Again: 200, unchanged, acknowledged_at kept. */
	next_second();
	json_t *again = ack_ok(sid);
	ck_assert_msg(json_equal(again, acked), "a second acknowledgement changed the shipment");
	json_decref(again);
	json_t *read = get_one(B501, "shipments", sid, demo.key501);
	ck_assert(json_equal(read, acked));
	json_decref(read);
	o = order_of_500(id);
	ck_assert(json_equal(json_array_get(json_object_get(o, "shipments"), 0), acked));
	json_decref(o);

	/* Acknowledging takes no body ({} is accepted) and no query parameters. */
	struct http_response r;
	char ack_path[128];
	snprintf(ack_path, sizeof(ack_path), R500 "/shipments/%lld/acknowledge/", (long long)sid);
	http_send(&ts, "PUT", ack_path, demo.key500, "{}", &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	ck_assert(json_equal(r.json, acked));
	http_response_free(&r);
	http_send(&ts, "PUT", ack_path, demo.key500, "{\"is_acknowledged\": true}", &r);
	ck_assert_msg(r.status == 400, "%ld %s", r.status, r.body);
	ck_assert_str_eq(http_error_code(&r), "validation_failed");
	http_response_free(&r);
	snprintf(ack_path, sizeof(ack_path), R500 "/shipments/%lld/acknowledge/?limit=1",
		 (long long)sid);
	http_send(&ts, "PUT", ack_path, demo.key500, NULL, &r);
	ck_assert_msg(r.status == 400, "%ld %s", r.status, r.body);
	ck_assert_str_eq(http_error_code(&r), "invalid_parameter");
	http_response_free(&r);

	/* The brand cannot acknowledge: there is no such route for brands. */
	put_ack(B501, "shipments", sid, demo.key501, &r);
	ck_assert_msg(r.status == 404, "%ld %s", r.status, r.body);
	ck_assert_str_eq(http_error_code(&r), "not_found");
	http_response_free(&r);
	/* A brand key on the retailer's route. */
	put_ack(R500, "shipments", sid, demo.key501, &r);
	ck_assert_int_eq(r.status, 403);
	ck_assert_str_eq(http_error_code(&r), "forbidden");
	http_response_free(&r);
	/* Retailers do not create shipments; GET is the only method of the list. */
	post_shipment(R500, demo.key500, &r,
		      "{\"order_id\": %lld, \"tracking_number\": \"1Z\", \"shipment_lines\": "
		      "[{\"order_line_id\": %lld, \"quantity\": 1}]}",
		      (long long)id, (long long)l0);
	ck_assert_msg(r.status == 405, "%ld %s", r.status, r.body);
	ck_assert_str_eq(http_error_code(&r), "method_not_allowed");
	http_response_free(&r);
	/* An unknown shipment. */
	put_ack(R500, "shipments", 999999, demo.key500, &r);
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(http_error_code(&r), "not_found");
	http_response_free(&r);
	expect_404(R500, "shipments", 999999, demo.key500);
	/* Without a key. */
	http_get(&ts, R500 "/shipments/", NULL, &r);
	ck_assert_int_eq(r.status, 401);
	http_response_free(&r);

	json_decref(acked);
	json_decref(b501);
	json_decref(r500);
	json_decref(s);
}
END_TEST

START_TEST(list_filters_at_exact_boundaries_on_both_sides)
{
	int64_t la, lb;
	int64_t oa = order_of_5(&la);
	int64_t ob = order_of_5(&lb);
	json_t *s = ship_line(oa, la, 1);
	int64_t s1 = num(s, "id"), t1 = epoch_of(s, "shipped_at");
	json_decref(s);
	next_second();
	s = ship_line(oa, la, 1);
	int64_t s2 = num(s, "id"), t2 = epoch_of(s, "shipped_at");
	json_decref(s);
	next_second();
	s = ship_line(ob, lb, 1);
	int64_t s3 = num(s, "id"), t3 = epoch_of(s, "shipped_at");
	json_decref(s);
	ck_assert(t1 < t2 && t2 < t3);
	json_t *acked = ack_ok(s2);
	json_decref(acked);

	static const char *const sides[] = {R500, B501};
	for (size_t k = 0; k < 2; k++) {
		const char *side = sides[k];
		const char *key = k == 0 ? demo.key500 : demo.key501;
		int64_t all[] = {s1, s2, s3}, v1[] = {s1}, v2[] = {s2}, v3[] = {s3},
			v12[] = {s1, s2}, v13[] = {s1, s3}, v23[] = {s2, s3};
		expect_listf(side, key, all, 3, "limit=250");
		expect_listf(side, key, v2, 1, "is_acknowledged=1");
		expect_listf(side, key, v13, 2, "is_acknowledged=0");
		expect_listf(side, key, v12, 2, "order_id=%lld", (long long)oa);
		expect_listf(side, key, v3, 1, "order_id=%lld", (long long)ob);
		expect_listf(side, key, v1, 1, "order_id=%lld&is_acknowledged=0", (long long)oa);
		expect_listf(side, key, NULL, 0, "order_id=999999");
		expect_listf(side, key, NULL, 0, "shipped_at_lt=%lld", (long long)t1);
		expect_listf(side, key, v1, 1, "shipped_at_lte=%lld", (long long)t1);
		expect_listf(side, key, v23, 2, "shipped_at_gt=%lld", (long long)t1);
		expect_listf(side, key, all, 3, "shipped_at_gte=%lld", (long long)t1);
		expect_listf(side, key, v1, 1, "shipped_at_lt=%lld", (long long)t2);
		expect_listf(side, key, v12, 2, "shipped_at_lte=%lld", (long long)t2);
		expect_listf(side, key, v3, 1, "shipped_at_gt=%lld", (long long)t2);
		expect_listf(side, key, v23, 2, "shipped_at_gte=%lld", (long long)t2);
		expect_listf(side, key, NULL, 0, "shipped_at_gt=%lld", (long long)t3);
		expect_listf(side, key, v3, 1, "shipped_at_gte=%lld", (long long)t3);
		expect_listf(side, key, v2, 1, "shipped_at_gte=%lld&shipped_at_lt=%lld",
			     (long long)t2, (long long)t3);
		expect_listf(side, key, v2, 1, "shipped_at_gt=%lld&shipped_at_lte=%lld",
			     (long long)t1, (long long)t2);
		expect_listf(side, key, v3, 1, "shipped_at_gt=%lld&is_acknowledged=0",
			     (long long)t1);
	}

	/* Bad parameters name themselves. */
	static const struct {
		const char *query, *field;
	} bad[] = {
		{"is_acknowledged=2", "is_acknowledged"},
		{"is_acknowledged=yes", "is_acknowledged"},
		{"shipped_at=1467800700", "shipped_at"},
		{"shipped_at_gte=2016-07-06", "shipped_at_gte"},
		{"order_id=0", "order_id"},
		{"order_id=abc", "order_id"},
		{"limit=0", "limit"},
		{"limit=251", "limit"},
		{"cursor=nope", "cursor"},
		{"status=open", "status"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char path[160];
		snprintf(path, sizeof(path), R500 "/shipments/?%s", bad[i].query);
		struct http_response r;
		http_get(&ts, path, demo.key500, &r);
		long status = r.status;
		bool code_ok = strcmp(http_error_code(&r), "invalid_parameter") == 0;
		bool has_field = http_error_has_field(&r, bad[i].field);
		char text[1024];
		snprintf(text, sizeof(text), "%s", r.body);
		http_response_free(&r);
		ck_assert_msg(status == 400 && code_ok && has_field, "GET %s: %ld %s", path, status,
			      text);
	}
}
END_TEST

START_TEST(pagination_with_limit_2_over_5_shipments_both_ways_on_both_sides)
{
	int64_t la, lb;
	int64_t oa = order_of_5(&la);
	int64_t ob = order_of_5(&lb);
	/* a, b, a, b, a */
	int64_t ids[5];
	for (int i = 0; i < 5; i++)
		ids[i] = ship_line_id(i % 2 ? ob : oa, i % 2 ? lb : la, 1);
	walk_both_ways(R500 "/shipments/", demo.key500, "", ids, 5);
	walk_both_ways(B501 "/shipments/", demo.key501, "", ids, 5);
	/* A filter rides along in the links. */
	char query[64];
	snprintf(query, sizeof(query), "order_id=%lld&", (long long)oa);
	int64_t of_a[] = {ids[0], ids[2], ids[4]};
	walk_both_ways(R500 "/shipments/", demo.key500, query, of_a, 3);
	walk_both_ways(B501 "/shipments/", demo.key501, query, of_a, 3);
	/* Each shipment in a list reads as it does alone. */
	json_t *page = get_ok(B501 "/shipments/?limit=250", demo.key501);
	for (size_t i = 0; i < 5; i++) {
		json_t *one = get_one(R500, "shipments", ids[i], demo.key500);
		ck_assert(json_equal(json_array_get(json_object_get(page, "results"), i), one));
		json_decref(one);
	}
	json_decref(page);
}
END_TEST

/* ---- parties ------------------------------------------------------------------------- */

START_TEST(other_parties_get_404)
{
	int64_t l0;
	int64_t id = order_of_5(&l0);
	json_t *before = order_of_500(id);

	/* Brand 502 ships on brand 501's order: 404, nothing done. */
	struct http_response r;
	post_shipment(B502, demo.key502, &r,
		      "{\"order_id\": %lld, \"tracking_number\": \"1Z\", \"shipment_lines\": "
		      "[{\"order_line_id\": %lld, \"quantity\": 1}]}",
		      (long long)id, (long long)l0);
	ck_assert_msg(r.status == 404, "%ld %s", r.status, r.body);
	ck_assert_str_eq(http_error_code(&r), "not_found");
	http_response_free(&r);
	json_t *after = order_of_500(id);
	ck_assert_msg(json_equal(before, after), "another brand's shipment changed the order");
	json_decref(after);
	json_decref(before);
	/* An order that does not exist answers the same. */
	post_shipment(B501, demo.key501, &r,
		      "{\"order_id\": 999999, \"tracking_number\": \"1Z\", \"shipment_lines\": "
		      "[{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1}]}");
	ck_assert_msg(r.status == 404, "%ld %s", r.status, r.body);
	ck_assert_str_eq(http_error_code(&r), "not_found");
	http_response_free(&r);
	/* Brand 501 on brand 502's order. */
	json_t *o502 = create_order(500, demo.key500, "[" LINE_502 "]");
	post_shipment(B501, demo.key501, &r,
		      "{\"order_id\": %lld, \"tracking_number\": \"1Z\", \"shipment_lines\": "
		      "[{\"order_line_id\": %lld, \"quantity\": 1}]}",
		      (long long)num(o502, "id"), (long long)line_id(o502, 0));
	ck_assert_msg(r.status == 404, "%ld %s", r.status, r.body);
	http_response_free(&r);
	json_decref(o502);
	/* Keys on another party's path are forbidden. */
	post_shipment(B502, demo.key501, &r,
		      "{\"order_id\": %lld, \"tracking_number\": \"1Z\", \"shipment_lines\": "
		      "[{\"order_line_id\": %lld, \"quantity\": 1}]}",
		      (long long)id, (long long)l0);
	ck_assert_int_eq(r.status, 403);
	http_response_free(&r);
	post_shipment(B501, demo.key500, &r,
		      "{\"order_id\": %lld, \"tracking_number\": \"1Z\", \"shipment_lines\": "
		      "[{\"order_line_id\": %lld, \"quantity\": 1}]}",
		      (long long)id, (long long)l0);
	ck_assert_int_eq(r.status, 403);
	http_response_free(&r);
	ck_assert_int_eq(list_count(B501 "/shipments/", demo.key501), 0);
	ck_assert_int_eq(list_count(B502 "/shipments/", demo.key502), 0);

	/* Brand 501's shipment on retailer 500's order. */
	int64_t sid = ship_line_id(id, l0, 2);
	expect_404(R600, "shipments", sid, demo.key600);
	expect_404(B502, "shipments", sid, demo.key502);
	put_ack(R600, "shipments", sid, demo.key600, &r);
	ck_assert_msg(r.status == 404, "%ld %s", r.status, r.body);
	ck_assert_str_eq(http_error_code(&r), "not_found");
	http_response_free(&r);
	json_t *s = get_one(R500, "shipments", sid, demo.key500);
	ck_assert(json_is_false(json_object_get(s, "is_acknowledged")));
	json_decref(s);
	/* Retailer 500's key on retailer 600's path. */
	char path[128];
	snprintf(path, sizeof(path), R600 "/shipments/%lld/", (long long)sid);
	http_get(&ts, path, demo.key500, &r);
	ck_assert_int_eq(r.status, 403);
	http_response_free(&r);
	/* Lists of other parties do not include it, also when filtered by its order. */
	ck_assert_int_eq(list_count(R600 "/shipments/", demo.key600), 0);
	ck_assert_int_eq(list_count(B502 "/shipments/", demo.key502), 0);
	expect_listf(R600, demo.key600, NULL, 0, "order_id=%lld", (long long)id);
	expect_listf(B502, demo.key502, NULL, 0, "order_id=%lld", (long long)id);

	/* Retailer 600's order from brand 501: each retailer sees only its own. */
	json_t *o600 = create_order(600, demo.key600, "[" LINE_5 "]");
	int64_t sid600 = ship_line_id(num(o600, "id"), line_id(o600, 0), 1);
	json_decref(o600);
	int64_t own500[] = {sid}, own600[] = {sid600}, both[] = {sid, sid600};
	expect_list(R500 "/shipments/", demo.key500, own500, 1);
	expect_list(R600 "/shipments/", demo.key600, own600, 1);
	expect_list(B501 "/shipments/", demo.key501, both, 2);
	expect_404(R500, "shipments", sid600, demo.key500);
}
END_TEST

/* ---- race ---------------------------------------------------------------------------- */

#define RACERS 20

START_TEST(twenty_shipments_of_one_unit_race_for_five_units)
{
	curl_global_init(CURL_GLOBAL_ALL);
	int64_t l0;
	int64_t id = order_of_5(&l0);
	struct racer racers[RACERS];
	memset(racers, 0, sizeof(racers));
	for (int i = 0; i < RACERS; i++) {
		racers[i].method = "POST";
		racers[i].path = B501 "/shipments/";
		racers[i].key = demo.key501;
		snprintf(racers[i].body, sizeof(racers[i].body),
			 "{\"order_id\": %lld, \"tracking_number\": \"RACE-%d\", "
			 "\"shipment_lines\": [{\"order_line_id\": %lld, \"quantity\": 1}]}",
			 (long long)id, i, (long long)l0);
	}
	run_racers(racers, RACERS);
	int created = 0, conflicts = 0;
	for (int i = 0; i < RACERS; i++) {
		created += racers[i].status == 201;
		conflicts += racers[i].status == 409;
	}
	ck_assert_msg(created == 5 && conflicts == RACERS - 5, "%d created, %d conflicts of %d",
		      created, conflicts, RACERS);
	json_t *o = order_of_500(id);
	ck_assert_int_eq(num(line_at(o, 0), "quantity_shipped"), 5);
	ck_assert_str_eq(str(line_at(o, 0), "status"), "closed");
	ck_assert_str_eq(str(o, "status"), "closed");
	ck_assert(json_is_true(json_object_get(o, "is_acknowledged")));
	ck_assert(!json_is_null(json_object_get(o, "closed_at")));
	json_t *shipments = json_object_get(o, "shipments");
	ck_assert_uint_eq(json_array_size(shipments), 5);
	json_int_t units = 0;
	size_t i;
	json_t *s;
	json_array_foreach(shipments, i, s) units += num(shipment_line_at(s, 0), "quantity");
	ck_assert_int_eq(units, 5);
	json_decref(o);
	ck_assert_int_eq(list_count(B501 "/shipments/", demo.key501), 5);
	ck_assert_int_eq(list_count(R500 "/shipments/", demo.key500), 5);
	curl_global_cleanup();
}
END_TEST

/* ---- Idempotency-Key ------------------------------------------------------------------ */

START_TEST(idempotency_key_replays_a_shipment_and_its_acknowledgement)
{
	int64_t l0;
	int64_t id = order_of_5(&l0);
	struct http_response first, again, other;
	callf("POST", B501 "/shipments/", demo.key501, "ship-1", &first,
	      "{\"order_id\": %lld, \"tracking_number\": \"1Z\", \"shipment_lines\": ["
	      "{\"order_line_id\": %lld, \"quantity\": 2}]}",
	      (long long)id, (long long)l0);
	ck_assert_msg(first.status == 201, "%ld %s", first.status, first.body);
	char *replayed = http_header(&first, "Idempotent-Replayed");
	ck_assert_ptr_null(replayed);
	/* The same document, spaced and ordered differently. */
	callf("POST", B501 "/shipments", demo.key501, "ship-1", &again,
	      "{\"shipment_lines\": [{\"quantity\": 2, \"order_line_id\": %lld}],"
	      "  \"tracking_number\": \"1Z\", \"order_id\": %lld}",
	      (long long)l0, (long long)id);
	ck_assert_msg(again.status == 201, "%ld %s", again.status, again.body);
	replayed = http_header(&again, "Idempotent-Replayed");
	ck_assert_ptr_nonnull(replayed);
	ck_assert_str_eq(replayed, "true");
	free(replayed);
	ck_assert_uint_eq(again.body_len, first.body_len);
	ck_assert(memcmp(again.body, first.body, first.body_len) == 0);
	http_response_free(&again);
	json_t *o = order_of_500(id);
	ck_assert_int_eq(num(line_at(o, 0), "quantity_shipped"), 2);
	ck_assert_uint_eq(json_array_size(json_object_get(o, "shipments")), 1);
	json_decref(o);
	ck_assert_int_eq(list_count(B501 "/shipments/", demo.key501), 1);

	/* The same key with another body: 409, nothing shipped. */
	callf("POST", B501 "/shipments/", demo.key501, "ship-1", &other,
	      "{\"order_id\": %lld, \"tracking_number\": \"1Z\", \"shipment_lines\": ["
	      "{\"order_line_id\": %lld, \"quantity\": 3}]}",
	      (long long)id, (long long)l0);
	ck_assert_int_eq(other.status, 409);
	ck_assert_str_eq(http_error_code(&other), "conflict");
	http_response_free(&other);
	o = order_of_500(id);
	ck_assert_int_eq(num(line_at(o, 0), "quantity_shipped"), 2);
	json_decref(o);
	ck_assert_int_eq(list_count(B501 "/shipments/", demo.key501), 1);
	/* Without a key the same body ships again. */
	callf("POST", B501 "/shipments/", demo.key501, NULL, &other,
	      "{\"order_id\": %lld, \"tracking_number\": \"1Z\", \"shipment_lines\": ["
	      "{\"order_line_id\": %lld, \"quantity\": 2}]}",
	      (long long)id, (long long)l0);
	ck_assert_int_eq(other.status, 201);
	ck_assert_int_ne(num(other.json, "id"), num(first.json, "id"));
	http_response_free(&other);
	ck_assert_int_eq(list_count(B501 "/shipments/", demo.key501), 2);

	/* The retailer's acknowledgement with a key replays too. */
	int64_t sid = num(first.json, "id");
	char path[128];
	snprintf(path, sizeof(path), R500 "/shipments/%lld/acknowledge/", (long long)sid);
	callf("PUT", path, demo.key500, "ack-1", &other, NULL);
	ck_assert_msg(other.status == 200, "%ld %s", other.status, other.body);
	replayed = http_header(&other, "Idempotent-Replayed");
	ck_assert_ptr_null(replayed);
	callf("PUT", path, demo.key500, "ack-1", &again, NULL);
	ck_assert_int_eq(again.status, 200);
	replayed = http_header(&again, "Idempotent-Replayed");
	ck_assert_ptr_nonnull(replayed);
	ck_assert_str_eq(replayed, "true");
	free(replayed);
	ck_assert_uint_eq(again.body_len, other.body_len);
	ck_assert(memcmp(again.body, other.body, other.body_len) == 0);
	http_response_free(&again);
	http_response_free(&other);
	/* The brand's key "ack-1" is its own: unused, so a new shipment. */
	callf("POST", B501 "/shipments/", demo.key501, "ack-1", &other,
	      "{\"order_id\": %lld, \"tracking_number\": \"1Z\", \"shipment_lines\": ["
	      "{\"order_line_id\": %lld, \"quantity\": 1}]}",
	      (long long)id, (long long)l0);
	ck_assert_int_eq(other.status, 201);
	replayed = http_header(&other, "Idempotent-Replayed");
	ck_assert_ptr_null(replayed);
	http_response_free(&other);
	ck_assert_int_eq(list_count(B501 "/shipments/", demo.key501), 3);
	http_response_free(&first);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("shipments");
	TCase *tc = tcase_create("shipments");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, partial_then_closed_and_the_first_shipment_acknowledges_the_order);
	tcase_add_test(tc, shipping_an_acknowledged_order_keeps_its_acknowledged_at);
	tcase_add_test(tc, canceled_units_are_not_open_and_a_canceled_order_is_409);
	tcase_add_test(tc, more_than_open_is_409_naming_the_line_and_changes_nothing);
	tcase_add_test(tc, lines_by_identifier_upc_retailer_sku_id_and_order_line_id);
	tcase_add_loop_test(tc, each_validation_rule_names_its_field, 0,
			    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, several_problems_are_reported_at_once);
	tcase_add_test(tc, a_known_shipping_method_is_shown_on_the_shipment);
	tcase_add_test(tc, retailer_reads_and_acknowledges_a_shipment);
	tcase_add_test(tc, list_filters_at_exact_boundaries_on_both_sides);
	tcase_add_test(tc, pagination_with_limit_2_over_5_shipments_both_ways_on_both_sides);
	tcase_add_test(tc, other_parties_get_404);
	tcase_add_test(tc, twenty_shipments_of_one_unit_race_for_five_units);
	tcase_add_test(tc, idempotency_key_replays_a_shipment_and_its_acknowledgement);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
