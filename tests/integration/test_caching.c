/*
 * GET through the representation cache and ETags: the same state answers
 * the same bytes with the same ETag, If-None-Match answers 304, and every
 * kind of change (acknowledgement, shipment, its acknowledgement,
 * cancellation, catalog import) shows in the next GET of both parties,
 * never a stale copy. Orders, shipments, cancellations and list pages of
 * each alike.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "harness.h"
#include "store/embedded.h"

#define R500 "/v1/retailers/500"
#define B501 "/v1/brands/501"

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

/* Creates a 2-unit order of brand 501; returns its id and its line's id. */
static int64_t create_order(const char *po, int64_t *line_id)
{
	char body[1024];
	snprintf(body, sizeof(body),
		 "{\"purchase_order_number\": \"%s\", \"ordered_at\": \"2016-07-06T10:25\","
		 " \"ship_to\": {\"name1\": \"Tammy Watkins\", \"street1\": \"1332 Hermosa Ave\","
		 " \"city\": \"Hermosa Beach\", \"province\": \"CA\", \"postal_code\": \"90254\","
		 " \"country\": \"US\"}, \"shipping_method\": {\"code\": \"GROUND\","
		 " \"carrier\": {\"code\": \"UPSN\"}}, \"order_lines\": [{\"variant\":"
		 " {\"identifier\": \"GBD34315\"}, \"quantity\": 3, \"net_price\": \"250.00\","
		 " \"price\": \"450.00\"}]}",
		 po);
	struct http_response r;
	http_send(&ts, "POST", R500 "/orders/", demo.key500, body, &r);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	int64_t id = json_integer_value(json_object_get(r.json, "id"));
	json_t *line = json_array_get(json_object_get(r.json, "order_lines"), 0);
	*line_id = json_integer_value(json_object_get(line, "id"));
	http_response_free(&r);
	return id;
}

/* GET with an optional If-None-Match; returns the ETag (caller frees). */
static char *get_order(const char *side, const char *key, int64_t id, const char *if_none_match,
		       struct http_response *r)
{
	char path[96], header[128];
	snprintf(path, sizeof(path), "%s/orders/%lld/", side, (long long)id);
	const char *headers[] = {header, NULL};
	if (if_none_match != NULL)
		snprintf(header, sizeof(header), "If-None-Match: %s", if_none_match);
	struct http_call call = {.method = "GET",
				 .path = path,
				 .key = key,
				 .headers = if_none_match ? headers : NULL};
	http_do(&ts, &call, r);
	return http_header(r, "ETag");
}

/* The ETag and body of a 200 GET; the body is compared across calls. */
static char *get_ok(const char *side, const char *key, int64_t id, json_t **body)
{
	struct http_response r;
	char *etag = get_order(side, key, id, NULL, &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	ck_assert_ptr_nonnull(etag);
	*body = json_incref(r.json);
	http_response_free(&r);
	return etag;
}

START_TEST(the_same_state_answers_the_same_bytes_and_etag)
{
	int64_t line;
	int64_t id = create_order("CACHE-1", &line);
	struct http_response a, b;
	char *e1 = get_order(R500, demo.key500, id, NULL, &a);
	char *e2 = get_order(R500, demo.key500, id, NULL, &b);
	ck_assert_int_eq(a.status, 200);
	ck_assert_int_eq(b.status, 200);
	ck_assert_ptr_nonnull(e1);
	ck_assert_str_eq(e1, e2);
	ck_assert_uint_eq(a.body_len, b.body_len);
	ck_assert_int_eq(memcmp(a.body, b.body, a.body_len), 0);
	http_response_free(&a);
	http_response_free(&b);

	/* If-None-Match: 304 with the ETag and no body, in each accepted form. */
	const char *forms[] = {e1, "*", NULL, NULL};
	char weak[128], listed[160];
	snprintf(weak, sizeof(weak), "W/%s", e1);
	snprintf(listed, sizeof(listed), "\"other\", %s", e1);
	forms[2] = weak;
	forms[3] = listed;
	for (size_t i = 0; i < 4; i++) {
		struct http_response r;
		char *e = get_order(R500, demo.key500, id, forms[i], &r);
		ck_assert_msg(r.status == 304, "If-None-Match: %s gave %ld", forms[i], r.status);
		ck_assert_uint_eq(r.body_len, 0);
		ck_assert_str_eq(e, e1);
		free(e);
		http_response_free(&r);
	}
	struct http_response r;
	char *e = get_order(R500, demo.key500, id, "\"v1.g1\"", &r);
	ck_assert_int_eq(r.status, 200);
	free(e);
	http_response_free(&r);
	free(e1);
	free(e2);
}
END_TEST

START_TEST(another_party_gets_404_even_when_the_order_is_cached)
{
	int64_t line;
	int64_t id = create_order("CACHE-2", &line);
	json_t *body;
	free(get_ok(R500, demo.key500, id, &body));
	json_decref(body);
	struct http_response r;
	char *e = get_order("/v1/retailers/600", demo.key600, id, NULL, &r);
	ck_assert_int_eq(r.status, 404);
	ck_assert_ptr_null(e);
	http_response_free(&r);
	/* Not even a 304 for a guessed ETag. */
	e = get_order("/v1/retailers/600", demo.key600, id, "*", &r);
	ck_assert_int_eq(r.status, 404);
	free(e);
	http_response_free(&r);
}
END_TEST

/* Both parties' next GET shows `what` changed: a new ETag, and check() holds on the body. */
static void expect_change(int64_t id, char **retailer_etag, char **brand_etag,
			  bool (*check)(json_t *order), const char *what)
{
	const char *sides[] = {R500, B501};
	const char *keys[] = {demo.key500, demo.key501};
	char **etags[] = {retailer_etag, brand_etag};
	for (int i = 0; i < 2; i++) {
		/* The client's old ETag no longer matches. */
		struct http_response r;
		char *e = get_order(sides[i], keys[i], id, *etags[i], &r);
		ck_assert_msg(r.status == 200, "%s: %s still answers %ld", what, sides[i],
			      r.status);
		ck_assert_str_ne(e, *etags[i]);
		ck_assert_msg(check(r.json), "%s: %s answers the old order", what, sides[i]);
		free(*etags[i]);
		*etags[i] = e;
		http_response_free(&r);
	}
}

static json_t *first(json_t *order, const char *array)
{
	return json_array_get(json_object_get(order, array), 0);
}

static bool is_acknowledged(json_t *o)
{
	return json_is_true(json_object_get(o, "is_acknowledged"));
}

static bool has_shipment(json_t *o)
{
	return json_array_size(json_object_get(o, "shipments")) == 1 &&
	       json_integer_value(json_object_get(first(o, "order_lines"), "quantity_shipped")) ==
		       1;
}

static bool shipment_acknowledged(json_t *o)
{
	return json_is_true(json_object_get(first(o, "shipments"), "is_acknowledged"));
}

static bool has_cancel(json_t *o)
{
	return json_array_size(json_object_get(o, "cancels")) == 1 &&
	       json_integer_value(json_object_get(first(o, "order_lines"), "quantity_canceled")) ==
		       1;
}

static bool brand_renamed(json_t *o)
{
	const char *name = json_string_value(json_object_get(json_object_get(o, "brand"), "name"));
	return name != NULL && strcmp(name, "Marla Cielo Renamed") == 0;
}

/* Sends a request that must answer `status`; returns the answer's id (0 when none). */
static int64_t send_expect(const char *method, const char *path, const char *key, const char *body,
			   long status)
{
	struct http_response r;
	http_send(&ts, method, path, key, body, &r);
	ck_assert_msg(r.status == status, "%s %s: %ld %s", method, path, r.status, r.body);
	int64_t id = json_integer_value(json_object_get(r.json, "id"));
	http_response_free(&r);
	return id;
}

/* A catalog import of the demo catalog with brand 501 renamed. */
static void rename_brand_501(const char *name)
{
	json_t *catalog = json_loadb(embedded_demo_catalog, embedded_demo_catalog_len, 0, NULL);
	ck_assert_ptr_nonnull(catalog);
	json_t *brand = json_array_get(json_object_get(catalog, "brands"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(brand, "id")), 501);
	json_object_set_new(brand, "name", json_string(name));
	char *text = json_dumps(catalog, 0);
	json_decref(catalog);
	field_errors fe;
	field_errors_init(&fe);
	ck_assert_int_eq(catalog_import_text(ts.store, text, strlen(text), &fe, NULL),
			 CATALOG_IMPORTED);
	field_errors_free(&fe);
	free(text);
}

START_TEST(every_kind_of_change_shows_in_the_next_get_of_both_parties)
{
	int64_t line;
	int64_t id = create_order("CACHE-3", &line);
	json_t *rb, *bb;
	char *re = get_ok(R500, demo.key500, id, &rb);
	char *be = get_ok(B501, demo.key501, id, &bb);
	json_decref(rb);
	json_decref(bb);
	char path[96], body[512];

	snprintf(path, sizeof(path), B501 "/orders/%lld/acknowledge/", (long long)id);
	send_expect("PUT", path, demo.key501, NULL, 200);
	expect_change(id, &re, &be, is_acknowledged, "acknowledgement");

	snprintf(body, sizeof(body),
		 "{\"order_id\": %lld, \"tracking_number\": \"1Z999AA10123456784\","
		 " \"shipment_lines\": [{\"order_line_id\": %lld, \"quantity\": 1}]}",
		 (long long)id, (long long)line);
	int64_t shipment = send_expect("POST", B501 "/shipments/", demo.key501, body, 201);
	expect_change(id, &re, &be, has_shipment, "shipment");

	snprintf(path, sizeof(path), R500 "/shipments/%lld/acknowledge/", (long long)shipment);
	send_expect("PUT", path, demo.key500, NULL, 200);
	expect_change(id, &re, &be, shipment_acknowledged, "shipment acknowledgement");

	snprintf(body, sizeof(body),
		 "{\"order_id\": %lld, \"reason_id\": 2, \"cancel_lines\":"
		 " [{\"order_line_id\": %lld, \"quantity\": 1}]}",
		 (long long)id, (long long)line);
	send_expect("POST", B501 "/cancels/", demo.key501, body, 201);
	expect_change(id, &re, &be, has_cancel, "cancellation");

	/* A catalog import renames the brand: names shown in old orders follow. */
	rename_brand_501("Marla Cielo Renamed");
	expect_change(id, &re, &be, brand_renamed, "catalog import");
	free(re);
	free(be);
}
END_TEST

/* The order with `id` in a list page's results, or NULL. */
static json_t *in_page(json_t *page, int64_t id)
{
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(page, "results"), i, o)
	{
		if (json_integer_value(json_object_get(o, "id")) == id)
			return o;
	}
	return NULL;
}

START_TEST(list_pages_show_the_same_orders_as_get_and_every_change)
{
	int64_t lines[3];
	int64_t ids[3] = {create_order("CACHE-L1", &lines[0]), create_order("CACHE-L2", &lines[1]),
			  create_order("CACHE-L3", &lines[2])};
	/* Twice: the second page comes from the cache. */
	for (int round = 0; round < 2; round++) {
		struct http_response page;
		http_get(&ts, R500 "/orders/?limit=2", demo.key500, &page);
		ck_assert_int_eq(page.status, 200);
		ck_assert_int_eq(json_integer_value(json_object_get(page.json, "count")), 3);
		ck_assert_int_eq(json_array_size(json_object_get(page.json, "results")), 2);
		ck_assert(json_is_string(json_object_get(page.json, "next")));
		ck_assert(json_is_null(json_object_get(page.json, "previous")));
		for (int i = 0; i < 2; i++) {
			json_t *body;
			free(get_ok(R500, demo.key500, ids[i], &body));
			ck_assert_msg(json_equal(in_page(page.json, ids[i]), body),
				      "round %d: order %d of the page differs from its GET", round,
				      i);
			json_decref(body);
		}
		http_response_free(&page);
	}
	/* The brand acknowledges the second: both sides' pages show it. */
	char path[96];
	snprintf(path, sizeof(path), B501 "/orders/%lld/acknowledge/", (long long)ids[1]);
	send_expect("PUT", path, demo.key501, NULL, 200);
	const char *pages[][2] = {{R500 "/orders/", NULL}, {B501 "/orders/", NULL}};
	pages[0][1] = demo.key500;
	pages[1][1] = demo.key501;
	for (int i = 0; i < 2; i++) {
		struct http_response page;
		http_get(&ts, pages[i][0], pages[i][1], &page);
		ck_assert_int_eq(page.status, 200);
		ck_assert(is_acknowledged(in_page(page.json, ids[1])));
		ck_assert(!is_acknowledged(in_page(page.json, ids[0])));
		http_response_free(&page);
	}
	/* Filtered by is_acknowledged, the brand's poll no longer has it. */
	struct http_response poll;
	http_get(&ts, B501 "/orders/?is_acknowledged=0", demo.key501, &poll);
	ck_assert_int_eq(json_integer_value(json_object_get(poll.json, "count")), 2);
	ck_assert_ptr_null(in_page(poll.json, ids[1]));
	ck_assert_ptr_nonnull(in_page(poll.json, ids[2]));
	http_response_free(&poll);
}
END_TEST

/* GET path with an optional If-None-Match: the status, and the ETag (caller frees). */
static long conditional_get(const char *path, const char *key, const char *if_none_match,
			    char **etag)
{
	char header[160];
	const char *headers[] = {header, NULL};
	if (if_none_match != NULL)
		snprintf(header, sizeof(header), "If-None-Match: %s", if_none_match);
	struct http_call call = {.method = "GET",
				 .path = path,
				 .key = key,
				 .headers = if_none_match ? headers : NULL};
	struct http_response r;
	http_do(&ts, &call, &r);
	long status = r.status;
	if (status == 304)
		ck_assert_uint_eq(r.body_len, 0);
	*etag = http_header(&r, "ETag");
	http_response_free(&r);
	return status;
}

/* The current ETag of path (200 expected); it answers 304 while nothing changes. */
static char *etag_now(const char *path, const char *key)
{
	char *etag = NULL, *again = NULL;
	ck_assert_int_eq(conditional_get(path, key, NULL, &etag), 200);
	ck_assert_ptr_nonnull(etag);
	ck_assert_msg(conditional_get(path, key, etag, &again) == 304, "%s: no 304 for %s", path,
		      etag);
	ck_assert_str_eq(again, etag);
	free(again);
	return etag;
}

/* The ETag answers 304 still. */
static void expect_unchanged(const char *path, const char *key, const char *etag)
{
	char *again = NULL;
	ck_assert_msg(conditional_get(path, key, etag, &again) == 304, "%s changed", path);
	free(again);
}

/* After a change, the old ETag answers 200 with another ETag. */
static void expect_changed(const char *path, const char *key, const char *old)
{
	char *etag = NULL;
	ck_assert_msg(conditional_get(path, key, old, &etag) == 200, "%s: still %s", path, old);
	ck_assert_ptr_nonnull(etag);
	ck_assert_str_ne(etag, old);
	free(etag);
}

START_TEST(shipments_and_cancellations_have_etags_as_orders_do)
{
	int64_t line;
	int64_t id = create_order("CACHE-S", &line);
	char body[256], ship_r[96], ship_b[96], cancel_r[96], cancel_b[96], path[128];
	snprintf(body, sizeof(body),
		 "{\"order_id\": %lld, \"tracking_number\": \"1Z\", \"shipment_lines\":"
		 " [{\"order_line_id\": %lld, \"quantity\": 1}]}",
		 (long long)id, (long long)line);
	int64_t sid = send_expect("POST", B501 "/shipments/", demo.key501, body, 201);
	snprintf(body, sizeof(body),
		 "{\"order_id\": %lld, \"reason_id\": 2, \"cancel_lines\":"
		 " [{\"order_line_id\": %lld, \"quantity\": 1}]}",
		 (long long)id, (long long)line);
	int64_t cid = send_expect("POST", B501 "/cancels/", demo.key501, body, 201);
	snprintf(ship_r, sizeof(ship_r), R500 "/shipments/%lld/", (long long)sid);
	snprintf(ship_b, sizeof(ship_b), B501 "/shipments/%lld/", (long long)sid);
	snprintf(cancel_r, sizeof(cancel_r), R500 "/cancels/%lld/", (long long)cid);
	snprintf(cancel_b, sizeof(cancel_b), B501 "/cancels/%lld/", (long long)cid);

	char *sr = etag_now(ship_r, demo.key500), *sb = etag_now(ship_b, demo.key501);
	char *cr = etag_now(cancel_r, demo.key500), *cb = etag_now(cancel_b, demo.key501);
	/* Another retailer: 404 even though the shipment is cached. */
	char *none = NULL;
	snprintf(path, sizeof(path), "/v1/retailers/600/shipments/%lld/", (long long)sid);
	ck_assert_int_eq(conditional_get(path, demo.key600, sr, &none), 404);
	free(none);

	/* The retailer acknowledges both: each shows it on both sides. */
	snprintf(path, sizeof(path), "%sacknowledge/", ship_r);
	send_expect("PUT", path, demo.key500, NULL, 200);
	expect_changed(ship_r, demo.key500, sr);
	expect_changed(ship_b, demo.key501, sb);
	expect_unchanged(cancel_r, demo.key500, cr);
	snprintf(path, sizeof(path), "%sacknowledge/", cancel_r);
	send_expect("PUT", path, demo.key500, NULL, 200);
	expect_changed(cancel_r, demo.key500, cr);
	expect_changed(cancel_b, demo.key501, cb);
	free(sr);
	free(sb);
	free(cr);
	free(cb);

	/* A catalog change (the brand's name is on every line's variant) shows too. */
	sr = etag_now(ship_r, demo.key500);
	cr = etag_now(cancel_r, demo.key500);
	rename_brand_501("Marla Cielo Home");
	expect_changed(ship_r, demo.key500, sr);
	expect_changed(cancel_r, demo.key500, cr);
	free(sr);
	free(cr);
}
END_TEST

START_TEST(list_pages_answer_304_until_a_row_or_the_list_changes)
{
	int64_t line;
	int64_t first = create_order("CACHE-E1", &line);
	struct {
		const char *path;
		const char *key;
		char *etag;
	} lists[] = {
		{R500 "/orders/", demo.key500, NULL},
		{B501 "/orders/?is_acknowledged=0", demo.key501, NULL},
		{R500 "/shipments/", demo.key500, NULL},
		{B501 "/cancels/", demo.key501, NULL},
		{R500 "/connections/", demo.key500, NULL},
	};
	size_t n = sizeof(lists) / sizeof(lists[0]);
	for (size_t i = 0; i < n; i++)
		lists[i].etag = etag_now(lists[i].path, lists[i].key);
	/* A new order: the order lists change; the others do not. */
	create_order("CACHE-E2", &line);
	for (size_t i = 0; i < n; i++) {
		if (i < 2) {
			expect_changed(lists[i].path, lists[i].key, lists[i].etag);
			free(lists[i].etag);
			lists[i].etag = etag_now(lists[i].path, lists[i].key);
		} else {
			expect_unchanged(lists[i].path, lists[i].key, lists[i].etag);
		}
	}
	/* A change to a row on the page: the first order acknowledged. */
	char path[96];
	snprintf(path, sizeof(path), B501 "/orders/%lld/acknowledge/", (long long)first);
	send_expect("PUT", path, demo.key501, NULL, 200);
	expect_changed(lists[0].path, demo.key500, lists[0].etag);
	expect_changed(lists[1].path, demo.key501, lists[1].etag);
	for (size_t i = 0; i < n; i++)
		free(lists[i].etag);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("caching");
	TCase *tc = tcase_create("caching");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, the_same_state_answers_the_same_bytes_and_etag);
	tcase_add_test(tc, another_party_gets_404_even_when_the_order_is_cached);
	tcase_add_test(tc, every_kind_of_change_shows_in_the_next_get_of_both_parties);
	tcase_add_test(tc, list_pages_show_the_same_orders_as_get_and_every_change);
	tcase_add_test(tc, shipments_and_cancellations_have_etags_as_orders_do);
	tcase_add_test(tc, list_pages_answer_304_until_a_row_or_the_list_changes);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
