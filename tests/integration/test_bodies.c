/*
 * What a body may be and how it is read: the pre-parse bounds on its values
 * and nesting (a body cannot become a tree larger than the bound stated in
 * docs/reliability.md), numbers that underflow to zero, lengths counted in
 * characters, and Idempotency-Key fingerprints that ignore JSON spacing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "domain/jsonscan.h"
#include "domain/text.h"

static struct test_server ts;
static struct demo_keys demo;

static void setup(void)
{
	ts_start_demo(&ts, &demo);
	client_use(&ts);
}

static void teardown(void)
{
	ts_stop_demo(&ts, &demo);
}

/* `s` repeated n times, as a malloc'd string. */
static char *repeat(const char *s, size_t n)
{
	size_t len = strlen(s);
	char *out = malloc(len * n + 1);
	ck_assert_ptr_nonnull(out);
	for (size_t i = 0; i < n; i++)
		memcpy(out + i * len, s, len);
	out[len * n] = '\0';
	return out;
}

/* POSTs an order document (taken) to retailer 500; the caller frees r. */
static void post_order(json_t *doc, struct http_response *r)
{
	char *text = json_dumps(doc, JSON_COMPACT);
	ck_assert_ptr_nonnull(text);
	json_decref(doc);
	http_send(&ts, "POST", R500 "/orders/", demo.key500, text, r);
	free(text);
}

START_TEST(many_tiny_values_are_refused_before_parsing)
{
	/* The 1 MiB body that became a 76x tree: {"x":[{},{},...]}. */
	size_t n = 349000;
	char *items = repeat("{},", n);
	items[3 * n - 1] = '\0'; /* no trailing comma */
	size_t len = 3 * n + 16;
	char *body = malloc(len);
	ck_assert_ptr_nonnull(body);
	snprintf(body, len, "{\"x\":[%s]}", items);
	free(items);
	struct http_response r;
	http_send(&ts, "POST", R500 "/orders/", demo.key500, body, &r);
	free(body);
	ck_assert_int_eq(r.status, 413);
	ck_assert_str_eq(http_error_code(&r), "payload_too_large");
	ck_assert_msg(strstr(error_message(&r), "32768 JSON values") != NULL, "%s", r.body);
	http_response_free(&r);
	ck_assert_int_eq(list_count(R500 "/orders/", demo.key500), 0);
}
END_TEST

START_TEST(deep_nesting_is_refused_before_parsing)
{
	char *open = repeat("[", JSON_SCAN_MAX_DEPTH + 1);
	char *close = repeat("]", JSON_SCAN_MAX_DEPTH + 1);
	size_t len = strlen(open) * 2 + 32;
	char *body = malloc(len);
	ck_assert_ptr_nonnull(body);
	snprintf(body, len, "{\"x\":%s%s}", open, close);
	struct http_response r;
	http_send(&ts, "POST", R500 "/orders/", demo.key500, body, &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(http_error_code(&r), "invalid_json");
	ck_assert_msg(strstr(error_message(&r), "nested deeper than 32 levels") != NULL, "%s",
		      r.body);
	http_response_free(&r);
	free(open);
	free(close);
	free(body);
}
END_TEST

/* A line of the largest order: every field a line takes. */
#define FULL_LINE                                                                                  \
	"{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1, \"net_price\": "           \
	"\"250.00\", \"price\": \"450.00\"},"

START_TEST(an_order_of_the_largest_size_passes_the_bounds)
{
	/* 500 lines (ORDER_MAX_LINES): refused for its repeated variant, not for its size. */
	char *lines = repeat(FULL_LINE, 500);
	lines[strlen(lines) - 1] = '\0';
	struct text body = {0};
	text_add_str(&body,
		     "{\"purchase_order_number\": \"PO-BIG\", \"ordered_at\": "
		     "\"2016-07-06T10:25:00Z\", \"ship_to\": {\"name1\": \"T\", \"street1\": "
		     "\"1 A St\", \"city\": \"Hermosa Beach\", \"province\": \"CA\", "
		     "\"postal_code\": \"90254\", \"country\": \"US\"}, \"shipping_method\": "
		     "{\"code\": \"GROUND\", \"carrier\": {\"code\": \"UPSN\"}}, "
		     "\"order_lines\": [");
	text_add_str(&body, lines);
	text_add_str(&body, "]}");
	ck_assert(!body.failed);
	struct http_response r;
	http_send(&ts, "POST", R500 "/orders/", demo.key500, body.s, &r);
	ck_assert_msg(r.status == 400, "%ld %.300s", r.status, r.body);
	ck_assert_str_eq(http_error_code(&r), "validation_failed");
	http_response_free(&r);
	free(lines);
	text_free(&body);
}
END_TEST

/* An order of one line whose price is the number written as %s. */
#define ORDER_PRICED                                                                               \
	"{\"purchase_order_number\": \"PO-TINY\", \"ordered_at\": \"2016-07-06T10:25:00Z\", "      \
	"\"ship_to\": {\"name1\": \"T\", \"street1\": \"1 A St\", \"city\": \"Hermosa Beach\", "   \
	"\"province\": \"CA\", \"postal_code\": \"90254\", \"country\": \"US\"}, "                 \
	"\"shipping_method\": {\"code\": \"GROUND\", \"carrier\": {\"code\": \"UPSN\"}}, "         \
	"\"order_lines\": [{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1, "        \
	"\"net_price\": \"250.00\", \"price\": %s}]}"

START_TEST(a_price_that_underflows_to_zero_is_refused)
{
	/* 1E-400 was stored as 0.00 while 0.001 was refused. */
	const char *tiny[] = {"1E-400", "0.001", "1e-5", "0.1e-330", "-0"};
	for (size_t i = 0; i < sizeof(tiny) / sizeof(tiny[0]); i++) {
		struct http_response r;
		callf("POST", R500 "/orders/", demo.key500, NULL, &r, ORDER_PRICED, tiny[i]);
		if (i == 4) {
			/* Zero written as zero is a price of 0.00. */
			ck_assert_msg(r.status == 201, "%s: %ld %s", tiny[i], r.status, r.body);
		} else {
			ck_assert_msg(r.status == 400, "%s: %ld %s", tiny[i], r.status, r.body);
		}
		http_response_free(&r);
	}
	ck_assert_int_eq(list_count(R500 "/orders/", demo.key500), 1);
}
END_TEST

START_TEST(lengths_count_characters_not_bytes)
{
	/* 200 x "é" (400 bytes) in a 255-character name; 12 CJK characters (36 bytes) of 32. */
	char *name = repeat("\xc3\xa9", 200);
	char *po = repeat("\xe6\xb3\xa8", 12);
	json_t *doc = order_document(po, "2016-07-06T10:25:00Z", "GBD34315");
	json_object_set_new(json_object_get(doc, "ship_to"), "name1", json_string(name));
	struct http_response r;
	post_order(doc, &r);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	ck_assert_str_eq(str(r.json, "purchase_order_number"), po);
	ck_assert_str_eq(str(json_object_get(r.json, "ship_to"), "name1"), name);
	http_response_free(&r);
	/* The list filter takes the same 32 characters. */
	char *escaped = repeat("%E6%B3%A8", 12);
	char path[512];
	snprintf(path, sizeof(path), R500 "/orders/?purchase_order_number=%s", escaped);
	ck_assert_int_eq(list_count(path, demo.key500), 1);
	/* 256 and 33 characters are one too many. */
	char *long_name = repeat("\xc3\xa9", 256);
	doc = order_document("PO-LONG", "2016-07-06T10:25:00Z", "GBD34315");
	json_object_set_new(json_object_get(doc, "ship_to"), "name1", json_string(long_name));
	post_order(doc, &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(field_message(&r, "ship_to.name1"), "must be at most 255 characters");
	http_response_free(&r);
	free(escaped);
	escaped = repeat("%E6%B3%A8", 33);
	snprintf(path, sizeof(path), R500 "/orders/?purchase_order_number=%s", escaped);
	http_get(&ts, path, demo.key500, &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(http_error_code(&r), "invalid_parameter");
	http_response_free(&r);
	free(escaped);
	free(long_name);
	free(name);
	free(po);
}
END_TEST

START_TEST(idempotency_ignores_json_spacing)
{
	json_t *order = create_order(500, demo.key500, "[" LINE_5 "]");
	char path[128];
	snprintf(path, sizeof(path), B501 "/orders/%lld/acknowledge/", (long long)num(order, "id"));
	json_decref(order);
	struct http_response r;
	callf("PUT", path, demo.key501, "ack-spacing", &r, "{}");
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	http_response_free(&r);
	callf("PUT", path, demo.key501, "ack-spacing", &r, "{ }");
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	char *replayed = http_header(&r, "Idempotent-Replayed");
	ck_assert_ptr_nonnull(replayed);
	ck_assert_str_eq(replayed, "true");
	free(replayed);
	http_response_free(&r);
	/* A body with members, spaced and ordered otherwise, is the same request too. */
	callf("POST", R500 "/orders/", demo.key500, "po-spacing", &r,
	      "{\"purchase_order_number\":\"PO-SP\",\"ordered_at\":\"2016-07-06T10:25:00Z\","
	      "\"ship_to\":{\"name1\":\"T\",\"street1\":\"1 A St\",\"city\":\"Hermosa Beach\","
	      "\"province\":\"CA\",\"postal_code\":\"90254\",\"country\":\"US\"},"
	      "\"shipping_method\":{\"code\":\"GROUND\",\"carrier\":{\"code\":\"UPSN\"}},"
	      "\"order_lines\":[%s]}",
	      LINE_2);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	http_response_free(&r);
	callf("POST", R500 "/orders/", demo.key500, "po-spacing", &r,
	      "{ \"ordered_at\" : \"2016-07-06T10:25:00Z\" ,\n \"purchase_order_number\": "
	      "\"PO-SP\","
	      " \"ship_to\": { \"name1\": \"T\", \"street1\": \"1 A St\", \"city\": \"Hermosa "
	      "Beach\", \"province\": \"CA\", \"postal_code\": \"90254\", \"country\": \"US\" },"
	      " \"shipping_method\": {\"carrier\": {\"code\": \"UPSN\"}, \"code\": \"GROUND\"},"
	      "\t\"order_lines\": [ %s ] }",
	      LINE_2);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	replayed = http_header(&r, "Idempotent-Replayed");
	ck_assert_ptr_nonnull(replayed);
	free(replayed);
	http_response_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("bodies");
	TCase *tc = tcase_create("bodies");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, many_tiny_values_are_refused_before_parsing);
	tcase_add_test(tc, deep_nesting_is_refused_before_parsing);
	tcase_add_test(tc, an_order_of_the_largest_size_passes_the_bounds);
	tcase_add_test(tc, a_price_that_underflows_to_zero_is_refused);
	tcase_add_test(tc, lengths_count_characters_not_bytes);
	tcase_add_test(tc, idempotency_ignores_json_spacing);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
