/*
 * Cancellations (CONTRACT.md section 6): POST .../cancels/ on both sides,
 * the retailer's acknowledgement window, reasons, open quantities (nothing
 * applied when any line asks too much), every way of naming a line,
 * cancel_remaining on fresh and partly shipped orders, statuses and
 * timestamps on lines and orders, acknowledgement by the other side only,
 * list filters and pagination on both sides, parties that are not the
 * order's, validation with field paths, Idempotency-Key, and two races:
 * many cancels of one line at once, and a retailer cancel against the
 * brand's acknowledgement.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "domain/timeutil.h"
#include "client.h"
#include "harness.h"

static struct test_server ts;
static struct demo_keys demo;

/* 3 of GBD34316 (variant 1000066, retailer 500's RS-OAK-1). */
#define LINE_3                                                                                     \
	"{\"variant\": {\"identifier\": \"GBD34316\"}, \"quantity\": 3, \"net_price\": "           \
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

/* POST {side}/cancels/ with a formatted body. */
__attribute__((format(printf, 4, 5))) static void
post_cancel(const char *side, const char *key, struct http_response *r, const char *fmt, ...)
{
	char path[96];
	snprintf(path, sizeof(path), "%s/cancels/", side);
	va_list ap;
	va_start(ap, fmt);
	vcallf("POST", path, key, NULL, r, fmt, ap);
	va_end(ap);
}

/* The same, expecting 201; returns the cancellation (caller frees). */
__attribute__((format(printf, 3, 4))) static json_t *cancel_ok(const char *side, const char *key,
							       const char *fmt, ...)
{
	char path[96];
	snprintf(path, sizeof(path), "%s/cancels/", side);
	va_list ap;
	va_start(ap, fmt);
	json_t *c = vpost_created(path, key, fmt, ap);
	va_end(ap);
	return c;
}

/* A one-line order of 5 GBD34315 for retailer 500; returns its id. */
static int64_t order_of_5(void)
{
	json_t *o = create_order(500, demo.key500, "[" LINE_5 "]");
	int64_t id = num(o, "id");
	json_decref(o);
	return id;
}

static json_t *order_of_500(int64_t id)
{
	return get_one(R500, "orders", id, demo.key500);
}

static void acknowledge_order(int64_t id)
{
	struct http_response r;
	put_ack(B501, "orders", id, demo.key501, &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	http_response_free(&r);
}

static void ship(int64_t order_id, int64_t order_line_id, int quantity)
{
	struct http_response r;
	callf("POST", B501 "/shipments/", demo.key501, NULL, &r,
	      "{\"order_id\": %lld, \"tracking_number\": \"1Z999\","
	      " \"shipment_lines\": [{\"order_line_id\": %lld, \"quantity\": %d}]}",
	      (long long)order_id, (long long)order_line_id, quantity);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	http_response_free(&r);
}

/* ---- creating, and the retailer's window -------------------------------- */

START_TEST(retailer_cancels_before_acknowledgement)
{
	json_t *o = create_order(500, demo.key500, "[" LINE_5 ", " LINE_2 "]");
	int64_t id = num(o, "id"), l0 = line_id(o, 0), l1 = line_id(o, 1);
	char po[40];
	snprintf(po, sizeof(po), "%s", str(o, "purchase_order_number"));
	json_decref(o);

	/* Part of line 0 and all of line 1, one by variant, one by line id. */
	int64_t before = time_now();
	json_t *c = cancel_ok(R500, demo.key500,
			      "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_lines\": ["
			      "{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 2},"
			      "{\"order_line_id\": %lld, \"quantity\": 2}]}",
			      (long long)id, (long long)l1);
	int64_t after = time_now();
	ck_assert(json_is_integer(json_object_get(c, "id")));
	ck_assert_int_eq(num(c, "order_id"), id);
	ck_assert_str_eq(str(c, "purchase_order_number"), po);
	ck_assert_int_eq(num(c, "reason_id"), 1);
	ck_assert_str_eq(str(c, "reason"), "Retailer Requested Cancellation");
	ck_assert_str_eq(str(c, "canceled_by"), "retailer");
	int64_t at = epoch_of_lenient(c, "canceled_at");
	ck_assert(at >= before && at <= after);
	ck_assert(json_is_false(json_object_get(c, "is_acknowledged")));
	ck_assert(json_is_null(json_object_get(c, "acknowledged_at")));
	json_t *lines = json_object_get(c, "cancel_lines");
	ck_assert_int_eq(json_array_size(lines), 2);
	json_t *cl0 = json_array_get(lines, 0), *cl1 = json_array_get(lines, 1);
	ck_assert(json_is_integer(json_object_get(cl0, "id")));
	ck_assert_int_eq(num(cl0, "order_line_id"), l0);
	ck_assert_int_eq(num(cl0, "quantity"), 2);
	ck_assert_int_eq(num(json_object_get(cl0, "variant"), "id"), 1000065);
	ck_assert_str_eq(str(json_object_get(cl0, "variant"), "identifier"), "GBD34315");
	ck_assert_int_eq(num(cl1, "order_line_id"), l1);
	ck_assert_int_eq(num(cl1, "quantity"), 2);
	ck_assert_int_eq(num(json_object_get(cl1, "variant"), "id"), 100084);

	/* The order: line 0 still open with 2 canceled, line 1 canceled. */
	o = order_of_500(id);
	json_t *ol0 = line_at(o, 0), *ol1 = line_at(o, 1);
	ck_assert_int_eq(num(ol0, "quantity_canceled"), 2);
	ck_assert_str_eq(str(ol0, "status"), "open");
	ck_assert(json_is_null(json_object_get(ol0, "canceled_at")));
	ck_assert_int_eq(num(ol1, "quantity_canceled"), 2);
	ck_assert_str_eq(str(ol1, "status"), "canceled");
	ck_assert_int_eq(epoch_of_lenient(ol1, "canceled_at"), at);
	ck_assert(json_is_null(json_object_get(ol1, "closed_at")));
	ck_assert_str_eq(str(o, "status"), "open");
	ck_assert(json_is_null(json_object_get(o, "canceled_at")));
	/* The order's cancels array is the cancellation as GET shows it. */
	json_t *single = get_one(R500, "cancels", num(c, "id"), demo.key500);
	ck_assert(json_equal(single, c));
	ck_assert_int_eq(json_array_size(json_object_get(o, "cancels")), 1);
	ck_assert(json_equal(json_array_get(json_object_get(o, "cancels"), 0), c));
	json_decref(single);
	json_decref(o);
	/* The brand sees the same order and the same cancellation. */
	json_t *bo = get_one(B501, "orders", id, demo.key501);
	ck_assert(json_equal(json_array_get(json_object_get(bo, "cancels"), 0), c));
	json_decref(bo);
	json_t *bc = get_one(B501, "cancels", num(c, "id"), demo.key501);
	ck_assert(json_equal(bc, c));
	json_decref(bc);
	json_decref(c);

	/* The remaining 3 of line 0: the whole order is canceled now. */
	c = cancel_ok(R500, demo.key500,
		      "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_lines\": ["
		      "{\"order_line_id\": %lld, \"quantity\": 3}]}",
		      (long long)id, (long long)l0);
	int64_t at2 = epoch_of_lenient(c, "canceled_at");
	json_decref(c);
	o = order_of_500(id);
	ck_assert_int_eq(num(line_at(o, 0), "quantity_canceled"), 5);
	ck_assert_str_eq(str(line_at(o, 0), "status"), "canceled");
	ck_assert_int_eq(epoch_of_lenient(line_at(o, 0), "canceled_at"), at2);
	/* Line 1 keeps the time it was canceled. */
	ck_assert_int_eq(epoch_of_lenient(line_at(o, 1), "canceled_at"), at);
	ck_assert_str_eq(str(o, "status"), "canceled");
	ck_assert_int_eq(epoch_of_lenient(o, "canceled_at"), at2);
	ck_assert(json_is_null(json_object_get(o, "closed_at")));
	ck_assert(json_is_false(json_object_get(o, "is_acknowledged")));
	ck_assert_int_eq(json_array_size(json_object_get(o, "cancels")), 2);
	json_decref(o);
	/* The order list filters see it canceled. */
	int64_t ids[] = {id};
	expect_list(R500 "/orders/?status=canceled", demo.key500, ids, 1);
}
END_TEST

START_TEST(retailer_cancel_after_acknowledgement_is_409_and_changes_nothing)
{
	int64_t id = order_of_5();
	acknowledge_order(id);
	json_t *before = order_of_500(id);
	struct http_response r;
	post_cancel(R500, demo.key500, &r,
		    "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_lines\": ["
		    "{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1}]}",
		    (long long)id);
	ck_assert_msg(r.status == 409, "%ld %s", r.status, r.body);
	ck_assert_str_eq(http_error_code(&r), "conflict");
	ck_assert_msg(strstr(error_message(&r), "acknowledged") != NULL, "%s", r.body);
	http_response_free(&r);
	/* cancel_remaining as well. */
	post_cancel(R500, demo.key500, &r,
		    "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_remaining\": true}",
		    (long long)id);
	ck_assert_msg(r.status == 409, "%ld %s", r.status, r.body);
	http_response_free(&r);
	json_t *after = order_of_500(id);
	ck_assert(json_equal(before, after));
	ck_assert_int_eq(list_count(R500 "/cancels/", demo.key500), 0);
	json_decref(before);
	json_decref(after);
	/* The brand still may, with its own reasons. */
	json_t *c = cancel_ok(B501, demo.key501,
			      "{\"order_id\": %lld, \"reason_id\": 2, \"cancel_lines\": ["
			      "{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1}]}",
			      (long long)id);
	ck_assert_str_eq(str(c, "canceled_by"), "brand");
	json_decref(c);
}
END_TEST

START_TEST(retailer_cancel_after_a_shipment_is_409)
{
	/* A first shipment acknowledges the order: the retailer's window is closed. */
	json_t *o = create_order(500, demo.key500, "[" LINE_5 "]");
	int64_t id = num(o, "id"), l0 = line_id(o, 0);
	json_decref(o);
	ship(id, l0, 1);
	struct http_response r;
	post_cancel(R500, demo.key500, &r,
		    "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_remaining\": true}",
		    (long long)id);
	ck_assert_msg(r.status == 409, "%ld %s", r.status, r.body);
	http_response_free(&r);
	o = order_of_500(id);
	ck_assert_int_eq(num(line_at(o, 0), "quantity_canceled"), 0);
	json_decref(o);
}
END_TEST

START_TEST(brand_may_not_use_reason_1)
{
	int64_t id = order_of_5();
	struct http_response r;
	post_cancel(B501, demo.key501, &r,
		    "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_lines\": ["
		    "{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1}]}",
		    (long long)id);
	ck_assert_msg(r.status == 400, "%ld %s", r.status, r.body);
	ck_assert_str_eq(http_error_code(&r), "validation_failed");
	ck_assert_msg(http_error_has_field(&r, "reason_id"), "%s", r.body);
	ck_assert_uint_eq(field_count(&r), 1);
	http_response_free(&r);
	/* With cancel_remaining too. */
	post_cancel(B501, demo.key501, &r,
		    "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_remaining\": true}",
		    (long long)id);
	ck_assert_int_eq(r.status, 400);
	ck_assert(http_error_has_field(&r, "reason_id"));
	http_response_free(&r);
	json_t *o = order_of_500(id);
	ck_assert_int_eq(num(line_at(o, 0), "quantity_canceled"), 0);
	json_decref(o);
	ck_assert_int_eq(list_count(B501 "/cancels/", demo.key501), 0);
}
END_TEST

START_TEST(brand_reasons_2_to_5_are_accepted_with_their_text)
{
	static const char *const texts[] = {NULL,
					    NULL,
					    "Not Enough Inventory",
					    "Can't Meet Fulfillment Deadline",
					    "Product Listing and/or Pricing Error",
					    "Unfulfillable Address"};
	int64_t id = order_of_5();
	acknowledge_order(id);
	for (int reason = 2; reason <= 5; reason++) {
		json_t *c = cancel_ok(
			B501, demo.key501,
			"{\"order_id\": %lld, \"reason_id\": %d, \"cancel_lines\": ["
			"{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1}]}",
			(long long)id, reason);
		ck_assert_int_eq(num(c, "reason_id"), reason);
		ck_assert_str_eq(str(c, "reason"), texts[reason]);
		ck_assert_str_eq(str(c, "canceled_by"), "brand");
		json_decref(c);
	}
	json_t *o = order_of_500(id);
	ck_assert_int_eq(num(line_at(o, 0), "quantity_canceled"), 4);
	ck_assert_str_eq(str(line_at(o, 0), "status"), "open");
	ck_assert_str_eq(str(o, "status"), "open");
	ck_assert_int_eq(json_array_size(json_object_get(o, "cancels")), 4);
	json_decref(o);
	/* Reasons 2-5 are open to retailers too: only reason 1 is restricted (to retailers). */
	int64_t id2 = order_of_5();
	json_t *c = cancel_ok(R500, demo.key500,
			      "{\"order_id\": %lld, \"reason_id\": 5, \"cancel_remaining\": true}",
			      (long long)id2);
	ck_assert_str_eq(str(c, "reason"), "Unfulfillable Address");
	ck_assert_str_eq(str(c, "canceled_by"), "retailer");
	json_decref(c);
}
END_TEST

/* ---- open quantities ----------------------------------------------------- */

START_TEST(more_than_open_is_409_naming_the_line_and_changes_nothing)
{
	json_t *o = create_order(500, demo.key500, "[" LINE_5 ", " LINE_2 "]");
	int64_t id = num(o, "id"), l0 = line_id(o, 0);
	json_decref(o);
	json_decref(cancel_ok(R500, demo.key500,
			      "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_lines\": ["
			      "{\"order_line_id\": %lld, \"quantity\": 1}]}",
			      (long long)id, (long long)l0));
	json_t *before = order_of_500(id);
	struct http_response r;
	/* 4 are open on line 0; 5 asked. */
	post_cancel(R500, demo.key500, &r,
		    "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_lines\": ["
		    "{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 5}]}",
		    (long long)id);
	ck_assert_msg(r.status == 409, "%ld %s", r.status, r.body);
	ck_assert_str_eq(http_error_code(&r), "conflict");
	const char *m = field_message(&r, "cancel_lines[0].quantity");
	ck_assert_msg(m != NULL, "%s", r.body);
	char line_text[32];
	snprintf(line_text, sizeof(line_text), "%lld", (long long)l0);
	ck_assert_msg(strstr(m, "only 4") != NULL, "no open quantity in '%s'", m);
	ck_assert_msg(strstr(m, line_text) != NULL, "no line id %s in '%s'", line_text, m);
	ck_assert_uint_eq(field_count(&r), 1);
	http_response_free(&r);
	json_t *after = order_of_500(id);
	ck_assert(json_equal(before, after));
	json_decref(after);
	ck_assert_int_eq(list_count(R500 "/cancels/", demo.key500), 1);

	/* Exactly the open quantity is fine. */
	json_decref(cancel_ok(R500, demo.key500,
			      "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_lines\": ["
			      "{\"order_line_id\": %lld, \"quantity\": 4}]}",
			      (long long)id, (long long)l0));
	/* Then nothing is open on line 0: even 1 is too much ("only 0"). */
	json_decref(before);
	before = order_of_500(id);
	post_cancel(R500, demo.key500, &r,
		    "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_lines\": ["
		    "{\"order_line_id\": %lld, \"quantity\": 1}]}",
		    (long long)id, (long long)l0);
	ck_assert_int_eq(r.status, 409);
	m = field_message(&r, "cancel_lines[0].quantity");
	ck_assert_msg(m != NULL && strstr(m, "only 0") != NULL, "%s", r.body);
	http_response_free(&r);
	after = order_of_500(id);
	ck_assert(json_equal(before, after));
	json_decref(after);
	json_decref(before);
}
END_TEST

START_TEST(shipped_units_are_not_open)
{
	json_t *o = create_order(500, demo.key500, "[" LINE_5 "]");
	int64_t id = num(o, "id"), l0 = line_id(o, 0);
	json_decref(o);
	ship(id, l0, 3);
	json_t *before = order_of_500(id);
	struct http_response r;
	post_cancel(B501, demo.key501, &r,
		    "{\"order_id\": %lld, \"reason_id\": 2, \"cancel_lines\": ["
		    "{\"order_line_id\": %lld, \"quantity\": 3}]}",
		    (long long)id, (long long)l0);
	ck_assert_msg(r.status == 409, "%ld %s", r.status, r.body);
	const char *m = field_message(&r, "cancel_lines[0].quantity");
	ck_assert_msg(m != NULL && strstr(m, "only 2") != NULL, "%s", r.body);
	http_response_free(&r);
	json_t *after = order_of_500(id);
	ck_assert(json_equal(before, after));
	json_decref(before);
	json_decref(after);
}
END_TEST

START_TEST(one_bad_line_applies_nothing)
{
	json_t *o = create_order(500, demo.key500, "[" LINE_5 ", " LINE_2 ", " LINE_3 "]");
	int64_t id = num(o, "id"), l0 = line_id(o, 0), l1 = line_id(o, 1), l2 = line_id(o, 2);
	json_decref(o);
	json_t *before = order_of_500(id);
	struct http_response r;
	/* Line 0: 1 of 5, fine; line 1: 3 of 2, too much. */
	post_cancel(R500, demo.key500, &r,
		    "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_lines\": ["
		    "{\"order_line_id\": %lld, \"quantity\": 1},"
		    "{\"order_line_id\": %lld, \"quantity\": 3}]}",
		    (long long)id, (long long)l0, (long long)l1);
	ck_assert_msg(r.status == 409, "%ld %s", r.status, r.body);
	ck_assert_msg(http_error_has_field(&r, "cancel_lines[1].quantity"), "%s", r.body);
	ck_assert_msg(!http_error_has_field(&r, "cancel_lines[0].quantity"), "%s", r.body);
	ck_assert_uint_eq(field_count(&r), 1);
	http_response_free(&r);
	json_t *after = order_of_500(id);
	ck_assert(json_equal(before, after));
	json_decref(after);
	/* Two bad lines: both named at once, still nothing applied. */
	post_cancel(R500, demo.key500, &r,
		    "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_lines\": ["
		    "{\"order_line_id\": %lld, \"quantity\": 6},"
		    "{\"order_line_id\": %lld, \"quantity\": 1},"
		    "{\"order_line_id\": %lld, \"quantity\": 4}]}",
		    (long long)id, (long long)l0, (long long)l1, (long long)l2);
	ck_assert_msg(r.status == 409, "%ld %s", r.status, r.body);
	ck_assert(http_error_has_field(&r, "cancel_lines[0].quantity"));
	ck_assert(http_error_has_field(&r, "cancel_lines[2].quantity"));
	ck_assert(!http_error_has_field(&r, "cancel_lines[1].quantity"));
	http_response_free(&r);
	after = order_of_500(id);
	ck_assert(json_equal(before, after));
	json_decref(after);
	json_decref(before);
	ck_assert_int_eq(list_count(R500 "/cancels/", demo.key500), 0);
}
END_TEST

/* ---- naming lines ---------------------------------------------------------- */

START_TEST(lines_by_identifier_upc_retailer_sku_id_and_order_line_id)
{
	json_t *o = create_order(500, demo.key500, "[" LINE_5 ", " LINE_2 ", " LINE_3 "]");
	int64_t id = num(o, "id"), l0 = line_id(o, 0), l1 = line_id(o, 1), l2 = line_id(o, 2);
	json_decref(o);
	/* Brand SKU, UPC, the retailer's own SKU. */
	json_t *c = cancel_ok(R500, demo.key500,
			      "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_lines\": ["
			      "{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1},"
			      "{\"variant\": {\"upc\": \"123456789456\"}, \"quantity\": 1},"
			      "{\"variant\": {\"identifier\": \"RS-OAK-1\"}, \"quantity\": 1}]}",
			      (long long)id);
	json_t *lines = json_object_get(c, "cancel_lines");
	ck_assert_int_eq(json_array_size(lines), 3);
	ck_assert_int_eq(num(json_array_get(lines, 0), "order_line_id"), l0);
	ck_assert_int_eq(num(json_array_get(lines, 1), "order_line_id"), l1);
	ck_assert_int_eq(num(json_array_get(lines, 2), "order_line_id"), l2);
	json_t *v2 = json_object_get(json_array_get(lines, 2), "variant");
	ck_assert_int_eq(num(v2, "id"), 1000066);
	ck_assert_str_eq(str(v2, "identifier"), "GBD34316");
	ck_assert_str_eq(str(v2, "retailer_identifier"), "RS-OAK-1");
	json_decref(c);
	/* Variant id (number and digit string) and order_line_id, by the brand. */
	c = cancel_ok(B501, demo.key501,
		      "{\"order_id\": \"%lld\", \"reason_id\": 3, \"cancel_lines\": ["
		      "{\"variant\": {\"id\": 1000065}, \"quantity\": 1},"
		      "{\"variant\": {\"id\": \"100084\"}, \"quantity\": 1},"
		      "{\"order_line_id\": %lld, \"quantity\": 1}]}",
		      (long long)id, (long long)l2);
	lines = json_object_get(c, "cancel_lines");
	ck_assert_int_eq(num(json_array_get(lines, 0), "order_line_id"), l0);
	ck_assert_int_eq(num(json_array_get(lines, 1), "order_line_id"), l1);
	ck_assert_int_eq(num(json_array_get(lines, 2), "order_line_id"), l2);
	json_decref(c);
	/* The retailer's SKU also names the line for the brand: it is the order's retailer's. */
	c = cancel_ok(B501, demo.key501,
		      "{\"order_id\": %lld, \"reason_id\": 3, \"cancel_lines\": ["
		      "{\"variant\": {\"identifier\": \"RS-OAK-1\"}, \"quantity\": 1}]}",
		      (long long)id);
	ck_assert_int_eq(
		num(json_array_get(json_object_get(c, "cancel_lines"), 0), "order_line_id"), l2);
	json_decref(c);
	o = order_of_500(id);
	ck_assert_int_eq(num(line_at(o, 0), "quantity_canceled"), 2);
	ck_assert_int_eq(num(line_at(o, 1), "quantity_canceled"), 2);
	ck_assert_str_eq(str(line_at(o, 1), "status"), "canceled");
	ck_assert_int_eq(num(line_at(o, 2), "quantity_canceled"), 3);
	ck_assert_str_eq(str(line_at(o, 2), "status"), "canceled");
	ck_assert_str_eq(str(o, "status"), "open");
	json_decref(o);
}
END_TEST

/* ---- cancel_remaining ---------------------------------------------------- */

START_TEST(cancel_remaining_on_a_fresh_order_cancels_everything)
{
	json_t *o = create_order(500, demo.key500, "[" LINE_5 ", " LINE_2 "]");
	int64_t id = num(o, "id"), l0 = line_id(o, 0), l1 = line_id(o, 1);
	json_decref(o);
	json_t *c = cancel_ok(R500, demo.key500,
			      "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_remaining\": true}",
			      (long long)id);
	json_t *lines = json_object_get(c, "cancel_lines");
	ck_assert_int_eq(json_array_size(lines), 2);
	ck_assert_int_eq(num(json_array_get(lines, 0), "order_line_id"), l0);
	ck_assert_int_eq(num(json_array_get(lines, 0), "quantity"), 5);
	ck_assert_int_eq(num(json_array_get(lines, 1), "order_line_id"), l1);
	ck_assert_int_eq(num(json_array_get(lines, 1), "quantity"), 2);
	int64_t at = epoch_of_lenient(c, "canceled_at");
	json_decref(c);
	o = order_of_500(id);
	ck_assert_str_eq(str(o, "status"), "canceled");
	ck_assert_int_eq(epoch_of_lenient(o, "canceled_at"), at);
	ck_assert(json_is_null(json_object_get(o, "closed_at")));
	for (size_t i = 0; i < 2; i++) {
		json_t *l = line_at(o, i);
		ck_assert_int_eq(num(l, "quantity_canceled"), num(l, "quantity"));
		ck_assert_int_eq(num(l, "quantity_shipped"), 0);
		ck_assert_str_eq(str(l, "status"), "canceled");
		ck_assert_int_eq(epoch_of_lenient(l, "canceled_at"), at);
		ck_assert(json_is_null(json_object_get(l, "closed_at")));
	}
	json_decref(o);
}
END_TEST

START_TEST(cancel_remaining_after_a_partial_shipment_closes_the_order)
{
	json_t *o = create_order(500, demo.key500, "[" LINE_5 "]");
	int64_t id = num(o, "id"), l0 = line_id(o, 0);
	json_decref(o);
	ship(id, l0, 2);
	o = order_of_500(id);
	ck_assert_str_eq(str(o, "status"), "partial");
	json_decref(o);
	json_t *c = cancel_ok(B501, demo.key501,
			      "{\"order_id\": %lld, \"reason_id\": 2, \"cancel_remaining\": true}",
			      (long long)id);
	json_t *lines = json_object_get(c, "cancel_lines");
	ck_assert_int_eq(json_array_size(lines), 1);
	ck_assert_int_eq(num(json_array_get(lines, 0), "order_line_id"), l0);
	ck_assert_int_eq(num(json_array_get(lines, 0), "quantity"), 3);
	int64_t at = epoch_of_lenient(c, "canceled_at");
	json_decref(c);
	o = order_of_500(id);
	json_t *l = line_at(o, 0);
	ck_assert_int_eq(num(l, "quantity_shipped"), 2);
	ck_assert_int_eq(num(l, "quantity_canceled"), 3);
	ck_assert_str_eq(str(l, "status"), "closed");
	/* A closed line carries the time it closed (docs/api.md 4.3, order line closed_at). */
	ck_assert_msg(json_is_string(json_object_get(l, "closed_at")),
		      "order line %lld is closed but GET order shows closed_at %s", (long long)l0,
		      json_is_null(json_object_get(l, "closed_at")) ? "null" : "not a time");
	ck_assert_int_eq(epoch_of_lenient(l, "closed_at"), at);
	ck_assert(json_is_null(json_object_get(l, "canceled_at")));
	ck_assert_str_eq(str(o, "status"), "closed");
	ck_assert_int_eq(epoch_of_lenient(o, "closed_at"), at);
	ck_assert(json_is_null(json_object_get(o, "canceled_at")));
	json_decref(o);
}
END_TEST

START_TEST(cancel_remaining_of_two_lines_one_partly_shipped)
{
	json_t *o = create_order(500, demo.key500, "[" LINE_5 ", " LINE_2 "]");
	int64_t id = num(o, "id"), l0 = line_id(o, 0), l1 = line_id(o, 1);
	json_decref(o);
	ship(id, l0, 2);
	json_t *c = cancel_ok(B501, demo.key501,
			      "{\"order_id\": %lld, \"reason_id\": 3, \"cancel_remaining\": true}",
			      (long long)id);
	json_t *lines = json_object_get(c, "cancel_lines");
	ck_assert_int_eq(json_array_size(lines), 2);
	ck_assert_int_eq(num(json_array_get(lines, 0), "quantity"), 3);
	ck_assert_int_eq(num(json_array_get(lines, 1), "order_line_id"), l1);
	ck_assert_int_eq(num(json_array_get(lines, 1), "quantity"), 2);
	json_decref(c);
	o = order_of_500(id);
	ck_assert_str_eq(str(line_at(o, 0), "status"), "closed");
	ck_assert_str_eq(str(line_at(o, 1), "status"), "canceled");
	ck_assert(json_is_string(json_object_get(line_at(o, 1), "canceled_at")));
	/* One unit shipped: the order is closed, not canceled. */
	ck_assert_str_eq(str(o, "status"), "closed");
	ck_assert(json_is_string(json_object_get(o, "closed_at")));
	ck_assert(json_is_null(json_object_get(o, "canceled_at")));
	json_decref(o);
}
END_TEST

START_TEST(cancel_remaining_with_nothing_open_is_409)
{
	/* Everything canceled already. */
	int64_t id = order_of_5();
	json_decref(cancel_ok(R500, demo.key500,
			      "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_remaining\": true}",
			      (long long)id));
	json_t *before = order_of_500(id);
	struct http_response r;
	post_cancel(R500, demo.key500, &r,
		    "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_remaining\": true}",
		    (long long)id);
	ck_assert_msg(r.status == 409, "%ld %s", r.status, r.body);
	ck_assert_str_eq(http_error_code(&r), "conflict");
	http_response_free(&r);
	post_cancel(B501, demo.key501, &r,
		    "{\"order_id\": %lld, \"reason_id\": 2, \"cancel_remaining\": true}",
		    (long long)id);
	ck_assert_msg(r.status == 409, "%ld %s", r.status, r.body);
	ck_assert_msg(strstr(error_message(&r), "nothing open") != NULL, "%s", r.body);
	http_response_free(&r);
	json_t *after = order_of_500(id);
	ck_assert(json_equal(before, after));
	json_decref(before);
	json_decref(after);
	/* Everything shipped. */
	json_t *o = create_order(500, demo.key500, "[" LINE_2 "]");
	int64_t id2 = num(o, "id"), l = line_id(o, 0);
	json_decref(o);
	ship(id2, l, 2);
	post_cancel(B501, demo.key501, &r,
		    "{\"order_id\": %lld, \"reason_id\": 2, \"cancel_remaining\": true}",
		    (long long)id2);
	ck_assert_msg(r.status == 409, "%ld %s", r.status, r.body);
	http_response_free(&r);
	ck_assert_int_eq(list_count(B501 "/cancels/", demo.key501), 1);
}
END_TEST

/* ---- acknowledgement ------------------------------------------------------- */

START_TEST(retailer_acknowledges_a_brand_cancellation)
{
	int64_t id = order_of_5();
	json_t *c = cancel_ok(B501, demo.key501,
			      "{\"order_id\": %lld, \"reason_id\": 2, \"cancel_lines\": ["
			      "{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 2}]}",
			      (long long)id);
	int64_t cid = num(c, "id");
	json_decref(c);
	struct http_response r;
	/* The brand made it: it may not acknowledge it. */
	put_ack(B501, "cancels", cid, demo.key501, &r);
	ck_assert_msg(r.status == 409, "%ld %s", r.status, r.body);
	ck_assert_str_eq(http_error_code(&r), "conflict");
	http_response_free(&r);
	c = get_one(R500, "cancels", cid, demo.key500);
	ck_assert(json_is_false(json_object_get(c, "is_acknowledged")));
	json_decref(c);
	int64_t before = time_now();
	put_ack(R500, "cancels", cid, demo.key500, &r);
	int64_t after = time_now();
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	ck_assert_int_eq(num(r.json, "id"), cid);
	ck_assert(json_is_true(json_object_get(r.json, "is_acknowledged")));
	int64_t at = epoch_of_lenient(r.json, "acknowledged_at");
	ck_assert(at >= before && at <= after);
	json_t *first = json_incref(r.json);
	http_response_free(&r);
	/* Twice: 200, unchanged. */
	sleep(1);
	put_ack(R500, "cancels", cid, demo.key500, &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	ck_assert_int_eq(epoch_of_lenient(r.json, "acknowledged_at"), at);
	ck_assert(json_equal(r.json, first));
	http_response_free(&r);
	/* Still refused to the brand afterwards. */
	put_ack(B501, "cancels", cid, demo.key501, &r);
	ck_assert_int_eq(r.status, 409);
	http_response_free(&r);
	/* Both sides see it acknowledged, also on the order. */
	c = get_one(B501, "cancels", cid, demo.key501);
	ck_assert(json_equal(c, first));
	json_decref(c);
	json_t *o = order_of_500(id);
	ck_assert(json_equal(json_array_get(json_object_get(o, "cancels"), 0), first));
	json_decref(o);
	json_decref(first);
}
END_TEST

START_TEST(brand_acknowledges_a_retailer_cancellation)
{
	int64_t id = order_of_5();
	json_t *c = cancel_ok(R500, demo.key500,
			      "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_remaining\": true}",
			      (long long)id);
	int64_t cid = num(c, "id");
	json_decref(c);
	struct http_response r;
	put_ack(R500, "cancels", cid, demo.key500, &r);
	ck_assert_msg(r.status == 409, "%ld %s", r.status, r.body);
	ck_assert_str_eq(http_error_code(&r), "conflict");
	http_response_free(&r);
	put_ack(B501, "cancels", cid, demo.key501, &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	ck_assert(json_is_true(json_object_get(r.json, "is_acknowledged")));
	ck_assert_str_eq(str(r.json, "canceled_by"), "retailer");
	int64_t at = epoch_of_lenient(r.json, "acknowledged_at");
	json_t *first = json_incref(r.json);
	http_response_free(&r);
	sleep(1);
	put_ack(B501, "cancels", cid, demo.key501, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(epoch_of_lenient(r.json, "acknowledged_at"), at);
	ck_assert(json_equal(r.json, first));
	http_response_free(&r);
	put_ack(R500, "cancels", cid, demo.key500, &r);
	ck_assert_int_eq(r.status, 409);
	http_response_free(&r);
	c = get_one(R500, "cancels", cid, demo.key500);
	ck_assert(json_equal(c, first));
	json_decref(c);
	json_decref(first);
	/* No such cancellation: 404. */
	put_ack(B501, "cancels", cid + 100, demo.key501, &r);
	ck_assert_int_eq(r.status, 404);
	http_response_free(&r);
}
END_TEST

START_TEST(acknowledging_a_fully_canceled_order_is_409)
{
	int64_t id = order_of_5();
	json_decref(cancel_ok(R500, demo.key500,
			      "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_remaining\": true}",
			      (long long)id));
	json_t *before = order_of_500(id);
	struct http_response r;
	put_ack(B501, "orders", id, demo.key501, &r);
	ck_assert_msg(r.status == 409, "%ld %s", r.status, r.body);
	ck_assert_str_eq(http_error_code(&r), "conflict");
	ck_assert_msg(strstr(error_message(&r), "canceled") != NULL, "%s", r.body);
	http_response_free(&r);
	json_t *after = order_of_500(id);
	ck_assert(json_equal(before, after));
	ck_assert(json_is_false(json_object_get(after, "is_acknowledged")));
	json_decref(before);
	json_decref(after);
	/* Nor shipped. */
	callf("POST", B501 "/shipments/", demo.key501, NULL, &r,
	      "{\"order_id\": %lld, \"tracking_number\": \"1Z1\", \"shipment_lines\": ["
	      "{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1}]}",
	      (long long)id);
	ck_assert_msg(r.status == 409, "%ld %s", r.status, r.body);
	http_response_free(&r);
	/* A partly canceled order can still be acknowledged. */
	int64_t id2 = order_of_5();
	json_decref(cancel_ok(R500, demo.key500,
			      "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_lines\": ["
			      "{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 4}]}",
			      (long long)id2));
	acknowledge_order(id2);
}
END_TEST

/* ---- lists ------------------------------------------------------------------- */

START_TEST(list_filters_on_both_sides)
{
	/* A: retailer cancel (reason 1) on order oa, acknowledged by the brand.
	 * B: brand cancel (reason 2) on order ob, acknowledged by the retailer.
	 * C: brand cancel (reason 3) on order ob, not acknowledged.
	 * D: retailer 600's order with brand 501 (brand side only).
	 * E: retailer 500's order with brand 502 (retailer side only). */
	int64_t oa = order_of_5(), ob = order_of_5();
	json_t *c = cancel_ok(R500, demo.key500,
			      "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_lines\": ["
			      "{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1}]}",
			      (long long)oa);
	int64_t a = num(c, "id");
	json_decref(c);
	c = cancel_ok(B501, demo.key501,
		      "{\"order_id\": %lld, \"reason_id\": 2, \"cancel_lines\": ["
		      "{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1}]}",
		      (long long)ob);
	int64_t b = num(c, "id");
	json_decref(c);
	c = cancel_ok(B501, demo.key501,
		      "{\"order_id\": %lld, \"reason_id\": 3, \"cancel_lines\": ["
		      "{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1}]}",
		      (long long)ob);
	int64_t cc = num(c, "id");
	json_decref(c);
	json_t *o600 = create_order(600, demo.key600, "[" LINE_5 "]");
	int64_t od = num(o600, "id");
	json_decref(o600);
	c = cancel_ok(R600, demo.key600,
		      "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_remaining\": true}",
		      (long long)od);
	int64_t d = num(c, "id");
	json_decref(c);
	json_t *o502 = create_order(500, demo.key500, "[" LINE_502 "]");
	int64_t oe = num(o502, "id");
	json_decref(o502);
	c = cancel_ok(B502, demo.key502,
		      "{\"order_id\": %lld, \"reason_id\": 4, \"cancel_remaining\": true}",
		      (long long)oe);
	int64_t e = num(c, "id");
	json_decref(c);
	struct http_response r;
	put_ack(B501, "cancels", a, demo.key501, &r);
	ck_assert_int_eq(r.status, 200);
	http_response_free(&r);
	put_ack(R500, "cancels", b, demo.key500, &r);
	ck_assert_int_eq(r.status, 200);
	http_response_free(&r);

	char path[160];
	/* Retailer 500: a, b, cc, e. */
	{
		int64_t all[] = {a, b, cc, e}, ack1[] = {a, b}, ack0[] = {cc, e}, by_oa[] = {a},
			by_ob[] = {b, cc}, r3[] = {cc}, r1[] = {a}, by_r[] = {a},
			by_b[] = {b, cc, e};
		expect_list(R500 "/cancels/", demo.key500, all, 4);
		expect_list(R500 "/cancels", demo.key500, all, 4);
		expect_list(R500 "/cancels/?is_acknowledged=1", demo.key500, ack1, 2);
		expect_list(R500 "/cancels/?is_acknowledged=0", demo.key500, ack0, 2);
		snprintf(path, sizeof(path), R500 "/cancels/?order_id=%lld", (long long)oa);
		expect_list(path, demo.key500, by_oa, 1);
		snprintf(path, sizeof(path), R500 "/cancels/?order_id=%lld", (long long)ob);
		expect_list(path, demo.key500, by_ob, 2);
		snprintf(path, sizeof(path), R500 "/cancels/?order_id=%lld", (long long)od);
		expect_list(path, demo.key500, NULL, 0);
		expect_list(R500 "/cancels/?reason_id=3", demo.key500, r3, 1);
		expect_list(R500 "/cancels/?reason_id=1", demo.key500, r1, 1);
		expect_list(R500 "/cancels/?reason_id=5", demo.key500, NULL, 0);
		expect_list(R500 "/cancels/?canceled_by=retailer", demo.key500, by_r, 1);
		expect_list(R500 "/cancels/?canceled_by=brand", demo.key500, by_b, 3);
		snprintf(path, sizeof(path),
			 R500 "/cancels/?canceled_by=brand&is_acknowledged=0&order_id=%lld",
			 (long long)ob);
		expect_list(path, demo.key500, r3, 1);
	}
	/* Brand 501: a, b, cc, d. */
	{
		int64_t all[] = {a, b, cc, d}, ack1[] = {a, b}, ack0[] = {cc, d}, by_od[] = {d},
			r2[] = {b}, r1[] = {a, d}, by_r[] = {a, d}, by_b[] = {b, cc};
		expect_list(B501 "/cancels/", demo.key501, all, 4);
		expect_list(B501 "/cancels/?is_acknowledged=1", demo.key501, ack1, 2);
		expect_list(B501 "/cancels/?is_acknowledged=0", demo.key501, ack0, 2);
		snprintf(path, sizeof(path), B501 "/cancels/?order_id=%lld", (long long)od);
		expect_list(path, demo.key501, by_od, 1);
		snprintf(path, sizeof(path), B501 "/cancels/?order_id=%lld", (long long)oe);
		expect_list(path, demo.key501, NULL, 0);
		expect_list(B501 "/cancels/?reason_id=2", demo.key501, r2, 1);
		expect_list(B501 "/cancels/?reason_id=1", demo.key501, r1, 2);
		expect_list(B501 "/cancels/?canceled_by=retailer", demo.key501, by_r, 2);
		expect_list(B501 "/cancels/?canceled_by=brand", demo.key501, by_b, 2);
	}
	/* Retailer 600 and brand 502 see only theirs. */
	{
		int64_t only_d[] = {d}, only_e[] = {e};
		expect_list(R600 "/cancels/", demo.key600, only_d, 1);
		expect_list(B502 "/cancels/", demo.key502, only_e, 1);
	}
	/* Every result has the full representation. */
	json_t *page = get_ok(B501 "/cancels/", demo.key501);
	static const char *const keys[] = {"id",
					   "order_id",
					   "purchase_order_number",
					   "reason_id",
					   "reason",
					   "canceled_by",
					   "canceled_at",
					   "is_acknowledged",
					   "acknowledged_at",
					   "cancel_lines",
					   NULL};
	size_t i;
	json_t *item;
	json_array_foreach(json_object_get(page, "results"), i, item)
	{
		for (const char *const *k = keys; *k != NULL; k++)
			ck_assert_msg(json_object_get(item, *k) != NULL, "lacks %s", *k);
		json_t *single = get_one(B501, "cancels", num(item, "id"), demo.key501);
		ck_assert(json_equal(single, item));
		json_decref(single);
	}
	json_decref(page);
	/* Bad filter values and unknown parameters name themselves. */
	static const char *const bad[][2] = {
		{R500 "/cancels/?canceled_by=someone", "canceled_by"},
		{R500 "/cancels/?reason_id=6", "reason_id"},
		{R500 "/cancels/?reason_id=0", "reason_id"},
		{R500 "/cancels/?is_acknowledged=yes", "is_acknowledged"},
		{R500 "/cancels/?canceled_at_gt=2016-07-06", "canceled_at_gt"},
		{R500 "/cancels/?canceled_at=1467800700", "canceled_at"},
		{R500 "/cancels/?order_id=abc", "order_id"},
		{R500 "/cancels/?limit=251", "limit"},
		{R500 "/cancels/?cursor=nope", "cursor"},
		{B501 "/cancels/?status=open", "status"},
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		http_get(&ts, bad[k][0],
			 strncmp(bad[k][0], B501, strlen(B501)) == 0 ? demo.key501 : demo.key500,
			 &r);
		ck_assert_msg(r.status == 400, "%s: %ld %s", bad[k][0], r.status, r.body);
		ck_assert_str_eq(http_error_code(&r), "invalid_parameter");
		ck_assert_msg(http_error_has_field(&r, bad[k][1]), "%s: %s", bad[k][0], r.body);
		http_response_free(&r);
	}
}
END_TEST

START_TEST(canceled_at_filters_at_exact_boundaries_on_both_sides)
{
	int64_t oa = order_of_5();
	json_t *c = cancel_ok(R500, demo.key500,
			      "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_lines\": ["
			      "{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1}]}",
			      (long long)oa);
	int64_t a = num(c, "id"), ta = epoch_of_lenient(c, "canceled_at");
	json_decref(c);
	next_second();
	c = cancel_ok(B501, demo.key501,
		      "{\"order_id\": %lld, \"reason_id\": 2, \"cancel_lines\": ["
		      "{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1}]}",
		      (long long)oa);
	int64_t b = num(c, "id"), tb = epoch_of_lenient(c, "canceled_at");
	json_decref(c);
	ck_assert_int_gt(tb, ta);
	static const char *const sides[] = {R500, B501};
	for (size_t s = 0; s < 2; s++) {
		const char *side = sides[s];
		const char *key = s == 0 ? demo.key500 : demo.key501;
		int64_t both[] = {a, b}, only_a[] = {a}, only_b[] = {b};
		char path[160];
		snprintf(path, sizeof(path), "%s/cancels/?canceled_at_lt=%lld", side,
			 (long long)ta);
		expect_list(path, key, NULL, 0);
		snprintf(path, sizeof(path), "%s/cancels/?canceled_at_lte=%lld", side,
			 (long long)ta);
		expect_list(path, key, only_a, 1);
		snprintf(path, sizeof(path), "%s/cancels/?canceled_at_lt=%lld", side,
			 (long long)tb);
		expect_list(path, key, only_a, 1);
		snprintf(path, sizeof(path), "%s/cancels/?canceled_at_lte=%lld", side,
			 (long long)tb);
		expect_list(path, key, both, 2);
		snprintf(path, sizeof(path), "%s/cancels/?canceled_at_gt=%lld", side,
			 (long long)ta);
		expect_list(path, key, only_b, 1);
		snprintf(path, sizeof(path), "%s/cancels/?canceled_at_gte=%lld", side,
			 (long long)ta);
		expect_list(path, key, both, 2);
		snprintf(path, sizeof(path), "%s/cancels/?canceled_at_gt=%lld", side,
			 (long long)tb);
		expect_list(path, key, NULL, 0);
		snprintf(path, sizeof(path), "%s/cancels/?canceled_at_gte=%lld", side,
			 (long long)tb);
		expect_list(path, key, only_b, 1);
		/* A range: [ta, tb) */
		snprintf(path, sizeof(path), "%s/cancels/?canceled_at_gte=%lld&canceled_at_lt=%lld",
			 side, (long long)ta, (long long)tb);
		expect_list(path, key, only_a, 1);
		snprintf(path, sizeof(path), "%s/cancels/?canceled_at_gt=%lld&canceled_at_lte=%lld",
			 side, (long long)ta, (long long)tb);
		expect_list(path, key, only_b, 1);
	}
}
END_TEST

START_TEST(pagination_with_limit_2_both_ways_on_both_sides)
{
	int64_t id = order_of_5();
	int64_t ids[5];
	for (int i = 0; i < 5; i++) {
		json_t *c = cancel_ok(
			i % 2 ? B501 : R500, i % 2 ? demo.key501 : demo.key500,
			"{\"order_id\": %lld, \"reason_id\": %d, \"cancel_lines\": ["
			"{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1}]}",
			(long long)id, i % 2 ? 2 : 1);
		ids[i] = num(c, "id");
		json_decref(c);
	}
	walk_both_ways(R500 "/cancels/", demo.key500, "", ids, 5);
	walk_both_ways(B501 "/cancels/", demo.key501, "", ids, 5);
	/* Filters ride along in the links. */
	json_t *page = get_ok(B501 "/cancels/?canceled_by=retailer&limit=2", demo.key501);
	int64_t first2[] = {ids[0], ids[2]};
	json_t *results = json_object_get(page, "results");
	ck_assert_int_eq(json_array_size(results), 2);
	ck_assert_int_eq(num(page, "count"), 3);
	for (size_t i = 0; i < 2; i++)
		ck_assert_int_eq(num(json_array_get(results, i), "id"), first2[i]);
	const char *next = json_string_value(json_object_get(page, "next"));
	ck_assert_ptr_nonnull(next);
	ck_assert_msg(strstr(next, "canceled_by=retailer") != NULL, "%s", next);
	json_t *p2 = get_ok(next, demo.key501);
	int64_t last1[] = {ids[4]};
	ck_assert_int_eq(json_array_size(json_object_get(p2, "results")), 1);
	ck_assert_int_eq(num(json_array_get(json_object_get(p2, "results"), 0), "id"), last1[0]);
	ck_assert(json_is_null(json_object_get(p2, "next")));
	json_decref(p2);
	json_decref(page);
}
END_TEST

/* ---- parties ------------------------------------------------------------------ */

START_TEST(other_parties_get_404)
{
	int64_t id = order_of_5();
	json_t *c = cancel_ok(R500, demo.key500,
			      "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_lines\": ["
			      "{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1}]}",
			      (long long)id);
	int64_t cid = num(c, "id");
	json_decref(c);
	json_t *before = order_of_500(id);
	struct http_response r;
	/* Retailer 600 (connected to 501 too) on retailer 500's order. */
	post_cancel(R600, demo.key600, &r,
		    "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_lines\": ["
		    "{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1}]}",
		    (long long)id);
	ck_assert_msg(r.status == 404, "%ld %s", r.status, r.body);
	ck_assert_str_eq(http_error_code(&r), "not_found");
	http_response_free(&r);
	post_cancel(R600, demo.key600, &r,
		    "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_remaining\": true}",
		    (long long)id);
	ck_assert_int_eq(r.status, 404);
	http_response_free(&r);
	char path[128];
	snprintf(path, sizeof(path), R600 "/cancels/%lld/", (long long)cid);
	http_get(&ts, path, demo.key600, &r);
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(http_error_code(&r), "not_found");
	http_response_free(&r);
	put_ack(R600, "cancels", cid, demo.key600, &r);
	ck_assert_int_eq(r.status, 404);
	http_response_free(&r);
	ck_assert_int_eq(list_count(R600 "/cancels/", demo.key600), 0);
	/* Brand 502 on brand 501's order. */
	post_cancel(B502, demo.key502, &r,
		    "{\"order_id\": %lld, \"reason_id\": 2, \"cancel_lines\": ["
		    "{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1}]}",
		    (long long)id);
	ck_assert_msg(r.status == 404, "%ld %s", r.status, r.body);
	http_response_free(&r);
	post_cancel(B502, demo.key502, &r,
		    "{\"order_id\": %lld, \"reason_id\": 2, \"cancel_remaining\": true}",
		    (long long)id);
	ck_assert_int_eq(r.status, 404);
	http_response_free(&r);
	snprintf(path, sizeof(path), B502 "/cancels/%lld/", (long long)cid);
	http_get(&ts, path, demo.key502, &r);
	ck_assert_int_eq(r.status, 404);
	http_response_free(&r);
	put_ack(B502, "cancels", cid, demo.key502, &r);
	ck_assert_int_eq(r.status, 404);
	http_response_free(&r);
	ck_assert_int_eq(list_count(B502 "/cancels/", demo.key502), 0);
	/* No such order. */
	post_cancel(R500, demo.key500, &r,
		    "{\"order_id\": 999999, \"reason_id\": 1, \"cancel_remaining\": true}");
	ck_assert_int_eq(r.status, 404);
	http_response_free(&r);
	/* A key on another party's path: 403. */
	post_cancel(R600, demo.key500, &r,
		    "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_remaining\": true}",
		    (long long)id);
	ck_assert_int_eq(r.status, 403);
	http_response_free(&r);
	post_cancel(R500, demo.key501, &r,
		    "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_remaining\": true}",
		    (long long)id);
	ck_assert_int_eq(r.status, 403);
	http_response_free(&r);
	json_t *after = order_of_500(id);
	ck_assert(json_equal(before, after));
	json_decref(before);
	json_decref(after);
	c = get_one(R500, "cancels", cid, demo.key500);
	ck_assert(json_is_false(json_object_get(c, "is_acknowledged")));
	json_decref(c);
}
END_TEST

/* ---- validation --------------------------------------------------------------- */

struct bad_case {
	const char *body;  /* "ORDER" is replaced by the order's id, "OTHER_LINE" by a line of
			      another order */
	const char *field; /* the field path the error must name */
};

static const struct bad_case bad_cases[] = {
	{"{\"reason_id\": 1, \"cancel_remaining\": true}", "order_id"},
	{"{\"order_id\": \"abc\", \"reason_id\": 1, \"cancel_remaining\": true}", "order_id"},
	{"{\"order_id\": 0, \"reason_id\": 1, \"cancel_remaining\": true}", "order_id"},
	{"{\"order_id\": ORDER, \"cancel_remaining\": true}", "reason_id"},
	{"{\"order_id\": ORDER, \"reason_id\": 0, \"cancel_remaining\": true}", "reason_id"},
	{"{\"order_id\": ORDER, \"reason_id\": 6, \"cancel_remaining\": true}", "reason_id"},
	{"{\"order_id\": ORDER, \"reason_id\": 1.5, \"cancel_remaining\": true}", "reason_id"},
	{"{\"order_id\": ORDER, \"reason_id\": 1, \"cancel_remaining\": true, \"cancel_lines\": "
	 "[{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1}]}",
	 "cancel_remaining"},
	{"{\"order_id\": ORDER, \"reason_id\": 1}", "cancel_lines"},
	{"{\"order_id\": ORDER, \"reason_id\": 1, \"cancel_remaining\": false}", "cancel_lines"},
	{"{\"order_id\": ORDER, \"reason_id\": 1, \"cancel_remaining\": \"yes\"}",
	 "cancel_remaining"},
	{"{\"order_id\": ORDER, \"reason_id\": 1, \"cancel_remaining\": 1}", "cancel_remaining"},
	{"{\"order_id\": ORDER, \"reason_id\": 1, \"cancel_lines\": []}", "cancel_lines"},
	{"{\"order_id\": ORDER, \"reason_id\": 1, \"cancel_lines\": {}}", "cancel_lines"},
	{"{\"order_id\": ORDER, \"reason_id\": 1, \"cancel_lines\": "
	 "[{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 0}]}",
	 "cancel_lines[0].quantity"},
	{"{\"order_id\": ORDER, \"reason_id\": 1, \"cancel_lines\": "
	 "[{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": -1}]}",
	 "cancel_lines[0].quantity"},
	{"{\"order_id\": ORDER, \"reason_id\": 1, \"cancel_lines\": "
	 "[{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": \"1\"}]}",
	 "cancel_lines[0].quantity"},
	{"{\"order_id\": ORDER, \"reason_id\": 1, \"cancel_lines\": "
	 "[{\"variant\": {\"identifier\": \"GBD34315\"}}]}",
	 "cancel_lines[0].quantity"},
	{"{\"order_id\": ORDER, \"reason_id\": 1, \"cancel_remaining\": true, \"colour\": \"red\"}",
	 "colour"},
	{"{\"order_id\": ORDER, \"reason_id\": 1, \"cancel_lines\": "
	 "[{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1, \"note\": \"x\"}]}",
	 "cancel_lines[0].note"},
	{"{\"order_id\": ORDER, \"reason_id\": 1, \"cancel_lines\": "
	 "[{\"variant\": {\"sku\": \"GBD34315\"}, \"quantity\": 1}]}",
	 "cancel_lines[0].variant.sku"},
	{"{\"order_id\": ORDER, \"reason_id\": 1, \"cancel_lines\": [{\"quantity\": 1}]}",
	 "cancel_lines[0]"},
	{"{\"order_id\": ORDER, \"reason_id\": 1, \"cancel_lines\": [\"GBD34315\"]}",
	 "cancel_lines[0]"},
	{"{\"order_id\": ORDER, \"reason_id\": 1, \"cancel_lines\": "
	 "[{\"order_line_id\": OTHER_LINE, \"quantity\": 1}]}",
	 "cancel_lines[0].order_line_id"},
	{"{\"order_id\": ORDER, \"reason_id\": 1, \"cancel_lines\": "
	 "[{\"variant\": {\"identifier\": \"1234\"}, \"quantity\": 1}]}",
	 "cancel_lines[0].variant"},
	{"{\"order_id\": ORDER, \"reason_id\": 1, \"cancel_lines\": "
	 "[{\"variant\": {\"identifier\": \"NOPE\"}, \"quantity\": 1}]}",
	 "cancel_lines[0].variant"},
	{"{\"order_id\": ORDER, \"reason_id\": 1, \"cancel_lines\": "
	 "[{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1},"
	 " {\"variant\": {\"id\": 1000065}, \"quantity\": 1}]}",
	 "cancel_lines[1]"},
	{"[1, 2]", ""},
};

START_TEST(each_validation_rule_names_its_field)
{
	const struct bad_case *c = &bad_cases[_i];
	int64_t id = order_of_5();
	json_t *other = create_order(500, demo.key500, "[" LINE_2 "]");
	int64_t other_line = line_id(other, 0);
	json_decref(other);
	char *body = replace(strdup(c->body), "OTHER_LINE", other_line);
	body = replace(body, "ORDER", id);
	json_t *before = order_of_500(id);
	struct http_response r;
	http_send(&ts, "POST", R500 "/cancels/", demo.key500, body, &r);
	ck_assert_msg(r.status == 400, "%s: %ld %s", body, r.status, r.body);
	ck_assert_msg(strcmp(http_error_code(&r), "validation_failed") == 0, "%s: %s", body,
		      r.body);
	ck_assert_msg(http_error_has_field(&r, c->field), "%s: expected field '%s' in %s", body,
		      c->field, r.body);
	http_response_free(&r);
	json_t *after = order_of_500(id);
	ck_assert(json_equal(before, after));
	json_decref(before);
	json_decref(after);
	ck_assert_int_eq(list_count(R500 "/cancels/", demo.key500), 0);
	free(body);
}
END_TEST

START_TEST(several_problems_are_reported_at_once)
{
	struct http_response r;
	http_send(&ts, "POST", B501 "/cancels/", demo.key501,
		  "{\"reason_id\": 1, \"colour\": \"red\", \"cancel_lines\": "
		  "[{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 0}, {\"quantity\": "
		  "1}]}",
		  &r);
	ck_assert_msg(r.status == 400, "%ld %s", r.status, r.body);
	ck_assert(http_error_has_field(&r, "order_id"));
	ck_assert(http_error_has_field(&r, "reason_id"));
	ck_assert(http_error_has_field(&r, "colour"));
	ck_assert(http_error_has_field(&r, "cancel_lines[0].quantity"));
	ck_assert(http_error_has_field(&r, "cancel_lines[1]"));
	ck_assert_uint_eq(field_count(&r), 5);
	http_response_free(&r);
	/* Invalid JSON and a wrong content type. */
	http_send(&ts, "POST", R500 "/cancels/", demo.key500, "{\"order_id\": 1,}", &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(http_error_code(&r), "invalid_json");
	http_response_free(&r);
	struct http_call call = {.method = "POST",
				 .path = R500 "/cancels/",
				 .key = demo.key500,
				 .body = "order_id=1",
				 .content_type = "application/x-www-form-urlencoded"};
	http_do(&ts, &call, &r);
	ck_assert_int_eq(r.status, 415);
	http_response_free(&r);
}
END_TEST

/* ---- Idempotency-Key --------------------------------------------------------- */

START_TEST(idempotency_key_replays_a_cancel_and_refuses_another_body)
{
	int64_t id = order_of_5();
	struct http_response first, again, other;
	callf("POST", R500 "/cancels/", demo.key500, "cancel-1", &first,
	      "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_lines\": ["
	      "{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1}]}",
	      (long long)id);
	ck_assert_msg(first.status == 201, "%ld %s", first.status, first.body);
	callf("POST", R500 "/cancels/", demo.key500, "cancel-1", &again,
	      "{\"reason_id\": 1, \"order_id\": %lld,  \"cancel_lines\": ["
	      "{\"quantity\": 1, \"variant\": {\"identifier\": \"GBD34315\"}}]}",
	      (long long)id);
	ck_assert_int_eq(again.status, 201);
	char *replayed = http_header(&again, "Idempotent-Replayed");
	ck_assert_ptr_nonnull(replayed);
	ck_assert_str_eq(replayed, "true");
	free(replayed);
	ck_assert_uint_eq(again.body_len, first.body_len);
	ck_assert(memcmp(again.body, first.body, first.body_len) == 0);
	callf("POST", R500 "/cancels/", demo.key500, "cancel-1", &other,
	      "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_lines\": ["
	      "{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 2}]}",
	      (long long)id);
	ck_assert_int_eq(other.status, 409);
	ck_assert_str_eq(http_error_code(&other), "conflict");
	http_response_free(&other);
	json_t *o = order_of_500(id);
	ck_assert_int_eq(num(line_at(o, 0), "quantity_canceled"), 1);
	json_decref(o);
	ck_assert_int_eq(list_count(R500 "/cancels/", demo.key500), 1);
	/* Acknowledging with a key replays too. */
	int64_t cid = num(first.json, "id");
	char path[128];
	snprintf(path, sizeof(path), B501 "/cancels/%lld/acknowledge/", (long long)cid);
	http_response_free(&again);
	put_with_key(path, demo.key501, "ack-1", &other);
	ck_assert_int_eq(other.status, 200);
	put_with_key(path, demo.key501, "ack-1", &again);
	ck_assert_int_eq(again.status, 200);
	replayed = http_header(&again, "Idempotent-Replayed");
	ck_assert_ptr_nonnull(replayed);
	free(replayed);
	ck_assert(json_equal(again.json, other.json));
	http_response_free(&again);
	http_response_free(&other);
	http_response_free(&first);
}
END_TEST

/* ---- races ----------------------------------------------------------------------- */

#define CANCEL_RACERS 20

START_TEST(twenty_brand_cancels_of_one_unit_race_for_five_units)
{
	curl_global_init(CURL_GLOBAL_ALL);
	json_t *o = create_order(500, demo.key500, "[" LINE_5 "]");
	int64_t id = num(o, "id"), l0 = line_id(o, 0);
	json_decref(o);
	struct racer racers[CANCEL_RACERS];
	memset(racers, 0, sizeof(racers));
	for (int i = 0; i < CANCEL_RACERS; i++) {
		racers[i].method = "POST";
		racers[i].path = B501 "/cancels/";
		racers[i].key = demo.key501;
		snprintf(racers[i].body, sizeof(racers[i].body),
			 "{\"order_id\": %lld, \"reason_id\": 2, \"cancel_lines\": "
			 "[{\"order_line_id\": %lld, \"quantity\": 1}]}",
			 (long long)id, (long long)l0);
	}
	run_racers(racers, CANCEL_RACERS);
	int created = 0, conflicts = 0;
	for (int i = 0; i < CANCEL_RACERS; i++) {
		created += racers[i].status == 201;
		conflicts += racers[i].status == 409;
	}
	ck_assert_msg(created == 5 && conflicts == CANCEL_RACERS - 5,
		      "%d created, %d conflicts of %d", created, conflicts, CANCEL_RACERS);
	o = order_of_500(id);
	ck_assert_int_eq(num(line_at(o, 0), "quantity_canceled"), 5);
	ck_assert_str_eq(str(line_at(o, 0), "status"), "canceled");
	ck_assert_str_eq(str(o, "status"), "canceled");
	ck_assert_int_eq(json_array_size(json_object_get(o, "cancels")), 5);
	json_decref(o);
	ck_assert_int_eq(list_count(B501 "/cancels/", demo.key501), 5);
	curl_global_cleanup();
}
END_TEST

#define ROUNDS 10

START_TEST(retailer_cancel_races_brand_acknowledgement)
{
	curl_global_init(CURL_GLOBAL_ALL);
	int cancel_first = 0, ack_first = 0;
	for (int round = 0; round < ROUNDS; round++) {
		int64_t id = order_of_5();
		struct racer racers[2];
		memset(racers, 0, sizeof(racers));
		racers[0].method = "POST";
		racers[0].path = R500 "/cancels/";
		racers[0].key = demo.key500;
		snprintf(racers[0].body, sizeof(racers[0].body),
			 "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_remaining\": true}",
			 (long long)id);
		char ack_path[128];
		snprintf(ack_path, sizeof(ack_path), B501 "/orders/%lld/acknowledge/",
			 (long long)id);
		racers[1].method = "PUT";
		racers[1].path = ack_path;
		racers[1].key = demo.key501;
		run_racers(racers, 2);
		long cancel = racers[0].status, ack = racers[1].status;
		json_t *o = order_of_500(id);
		json_int_t canceled = num(line_at(o, 0), "quantity_canceled");
		const char *status = str(o, "status");
		bool acknowledged = json_is_true(json_object_get(o, "is_acknowledged"));
		size_t ncancels = json_array_size(json_object_get(o, "cancels"));
		/* The cancel came first: canceled, and the acknowledgement refused. */
		bool a = cancel == 201 && ack == 409 && canceled == 5 &&
			 strcmp(status, "canceled") == 0 && !acknowledged && ncancels == 1;
		/* The acknowledgement came first: nothing canceled. */
		bool b = cancel == 409 && ack == 200 && canceled == 0 &&
			 strcmp(status, "open") == 0 && acknowledged && ncancels == 0;
		ck_assert_msg(a || b,
			      "round %d: cancel %ld, acknowledge %ld, quantity_canceled %lld, "
			      "status %s, is_acknowledged %d, %zu cancels",
			      round, cancel, ack, (long long)canceled, status, acknowledged,
			      ncancels);
		cancel_first += a;
		ack_first += b;
		json_decref(o);
	}
	ck_assert_int_eq(cancel_first + ack_first, ROUNDS);
	curl_global_cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cancels");
	TCase *tc = tcase_create("cancels");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, retailer_cancels_before_acknowledgement);
	tcase_add_test(tc, retailer_cancel_after_acknowledgement_is_409_and_changes_nothing);
	tcase_add_test(tc, retailer_cancel_after_a_shipment_is_409);
	tcase_add_test(tc, brand_may_not_use_reason_1);
	tcase_add_test(tc, brand_reasons_2_to_5_are_accepted_with_their_text);
	tcase_add_test(tc, more_than_open_is_409_naming_the_line_and_changes_nothing);
	tcase_add_test(tc, shipped_units_are_not_open);
	tcase_add_test(tc, one_bad_line_applies_nothing);
	tcase_add_test(tc, lines_by_identifier_upc_retailer_sku_id_and_order_line_id);
	tcase_add_test(tc, cancel_remaining_on_a_fresh_order_cancels_everything);
	tcase_add_test(tc, cancel_remaining_after_a_partial_shipment_closes_the_order);
	tcase_add_test(tc, cancel_remaining_of_two_lines_one_partly_shipped);
	tcase_add_test(tc, cancel_remaining_with_nothing_open_is_409);
	tcase_add_test(tc, retailer_acknowledges_a_brand_cancellation);
	tcase_add_test(tc, brand_acknowledges_a_retailer_cancellation);
	tcase_add_test(tc, acknowledging_a_fully_canceled_order_is_409);
	tcase_add_test(tc, list_filters_on_both_sides);
	tcase_add_test(tc, canceled_at_filters_at_exact_boundaries_on_both_sides);
	tcase_add_test(tc, pagination_with_limit_2_both_ways_on_both_sides);
	tcase_add_test(tc, other_parties_get_404);
	tcase_add_loop_test(tc, each_validation_rule_names_its_field, 0,
			    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, several_problems_are_reported_at_once);
	tcase_add_test(tc, idempotency_key_replays_a_cancel_and_refuses_another_body);
	tcase_add_test(tc, twenty_brand_cancels_of_one_unit_race_for_five_units);
	tcase_add_test(tc, retailer_cancel_races_brand_acknowledgement);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
