/*
 * Reading orders: keyset pagination walked both ways on both sides, every
 * list filter and operator with its boundaries, bad query parameters, one
 * order on each side and across parties, acknowledgement, Idempotency-Key
 * replays on POST and PUT, and that a refused request stores nothing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "harness.h"

/* 2016-07-06T10:25:00Z, the seed's ordered_at. */
#define T0   INT64_C(1467800700)
#define HOUR INT64_C(3600)

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

/* Epoch seconds as "YYYY-MM-DDTHH:MM:SSZ". */
static void iso_of(int64_t epoch, char out[32])
{
	time_t t = (time_t)epoch;
	struct tm tm;
	ck_assert_ptr_nonnull(gmtime_r(&t, &tm));
	ck_assert_uint_eq(strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm), 20);
}

/* POSTs an order as `retailer`; the response is the caller's to free. */
static void post_order_as(int retailer, const char *key, const char *po, const char *ordered_at,
			  const char *identifier, const char *idempotency_key,
			  struct http_response *r)
{
	char path[64];
	snprintf(path, sizeof(path), "/v1/retailers/%d/orders/", retailer);
	json_t *order = order_document(po, ordered_at, identifier);
	char *body = json_dumps(order, JSON_COMPACT);
	json_decref(order);
	ck_assert_ptr_nonnull(body);
	callf("POST", path, key, idempotency_key, r, "%s", body);
	free(body);
}

/* Creates an order (201) and returns its id. */
static int64_t create_order_as(int retailer, const char *key, const char *po,
			       const char *ordered_at, const char *identifier)
{
	struct http_response r;
	post_order_as(retailer, key, po, ordered_at, identifier, NULL, &r);
	ck_assert_msg(r.status == 201, "POST %s: %ld %s", po, r.status, r.body);
	json_t *id = json_object_get(r.json, "id");
	ck_assert(json_is_integer(id));
	int64_t value = json_integer_value(id);
	ck_assert_int_gt(value, 0);
	http_response_free(&r);
	return value;
}

/* Retailer 500's order with PO `po`, ordered at epoch `ordered_at`, of variant `identifier`. */
static int64_t new_order(const char *po, int64_t ordered_at, const char *identifier)
{
	char when[32];
	iso_of(ordered_at, when);
	return create_order_as(500, demo.key500, po, when, identifier);
}

static json_t *order_get(const char *side, int party, int64_t id, const char *key)
{
	char path[96];
	snprintf(path, sizeof(path), "/v1/%s/%d/orders/%lld/", side, party, (long long)id);
	return get_ok(path, key);
}

/* Checks that one list page, GET base+"?"+query, holds exactly the ids given, with count n. */
static void expect_page(const char *base, const char *key, const char *query, size_t n,
			const int64_t *ids)
{
	char path[512];
	snprintf(path, sizeof(path), "%s?%s%slimit=250", base, query, *query ? "&" : "");
	json_t *page = get_ok(path, key);
	json_t *results = json_object_get(page, "results");
	ck_assert_msg(json_integer_value(json_object_get(page, "count")) == (json_int_t)n,
		      "%s: count %lld, expected %zu", path,
		      (long long)json_integer_value(json_object_get(page, "count")), n);
	ck_assert_msg(json_array_size(results) == n, "%s: %zu results, expected %zu", path,
		      json_array_size(results), n);
	for (size_t i = 0; i < n; i++) {
		int64_t got = json_integer_value(json_object_get(json_array_get(results, i), "id"));
		ck_assert_msg(got == ids[i], "%s: results[%zu] is %lld, expected %lld", path, i,
			      (long long)got, (long long)ids[i]);
	}
	ck_assert(json_is_null(json_object_get(page, "next")));
	ck_assert(json_is_null(json_object_get(page, "previous")));
	json_decref(page);
}

/*
 * The list of retailer 500 and of brand 501, filtered by `query`, holds
 * exactly the `n` ids that follow, in this order.
 */
static void expect_orders(const char *query, size_t n, ...)
{
	int64_t ids[16];
	ck_assert_uint_le(n, 16);
	va_list ap;
	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		ids[i] = va_arg(ap, int64_t);
	va_end(ap);
	expect_page("/v1/retailers/500/orders/", demo.key500, query, n, ids);
	expect_page("/v1/brands/501/orders/", demo.key501, query, n, ids);
}

/* expect_orders() with a query built by printf. */
static void expect_ordersf(size_t n, int64_t a, int64_t b, int64_t c, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void expect_ordersf(size_t n, int64_t a, int64_t b, int64_t c, const char *fmt, ...)
{
	char query[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(query, sizeof(query), fmt, ap);
	va_end(ap);
	expect_orders(query, n, a, b, c);
}

/*
 * A 400 invalid_parameter on `path` naming every field of the NULL-terminated
 * list and no other. The response is freed before any assertion, so that a
 * failure leaks nothing under CK_FORK=no.
 */
static void expect_bad(const char *path, const char *key, const char *const *fields)
{
	struct http_response r;
	http_get(&ts, path, key, &r);
	char body[1024];
	snprintf(body, sizeof(body), "%s", r.body);
	long status = r.status;
	bool code_ok = strcmp(http_error_code(&r), "invalid_parameter") == 0;
	const char *missing = NULL;
	size_t n = 0;
	for (const char *const *f = fields; *f != NULL; f++, n++)
		if (missing == NULL && !http_error_has_field(&r, *f))
			missing = *f;
	size_t listed = field_count(&r);
	http_response_free(&r);
	ck_assert_msg(status == 400, "GET %s: %ld %s", path, status, body);
	ck_assert_msg(code_ok, "GET %s: %s", path, body);
	ck_assert_msg(missing == NULL, "GET %s: no field '%s' in %s", path, missing, body);
	ck_assert_msg(listed == n, "GET %s: %zu fields listed, expected %zu: %s", path, listed, n,
		      body);
}

static void expect_bad1(const char *path, const char *field)
{
	const char *const fields[] = {field, NULL};
	expect_bad(path, demo.key500, fields);
}

/* PUT .../acknowledge/ as brand `brand`, optionally with an Idempotency-Key. */
static void acknowledge(int brand, const char *key, int64_t id, const char *idempotency_key,
			struct http_response *r)
{
	char path[96];
	snprintf(path, sizeof(path), "/v1/brands/%d/orders/%lld/acknowledge/", brand,
		 (long long)id);
	callf("PUT", path, key, idempotency_key, r, NULL);
}

/* Acknowledges as brand 501 (200) and returns acknowledged_at. */
static int64_t acknowledge_ok(int64_t id)
{
	struct http_response r;
	acknowledge(501, demo.key501, id, NULL, &r);
	ck_assert_msg(r.status == 200, "acknowledge %lld: %ld %s", (long long)id, r.status, r.body);
	ck_assert(json_is_true(json_object_get(r.json, "is_acknowledged")));
	int64_t at = epoch_of(r.json, "acknowledged_at");
	http_response_free(&r);
	return at;
}

/* ---- pagination -------------------------------------------------------- */

struct walk {
	int64_t ids[512];
	size_t n;
	size_t pages;
	char *last_path; /* the link that answered the last page (forward walks) */
};

static void walk_free(struct walk *w)
{
	free(w->last_path);
	w->last_path = NULL;
}

/* Checks a next/previous link: a path of this list, with the limit, the filters, a cursor. */
static void check_link(const char *link, const char *base, const char *const *must_contain)
{
	ck_assert_msg(strncmp(link, base, strlen(base)) == 0 && link[strlen(base)] == '?',
		      "link '%s' is not under %s", link, base);
	ck_assert_msg(strstr(link, "cursor=") != NULL, "link '%s' has no cursor", link);
	for (const char *const *s = must_contain; s != NULL && *s != NULL; s++)
		ck_assert_msg(strstr(link, *s) != NULL, "link '%s' lacks '%s'", link, *s);
	/* One cursor only: the request's own is replaced, not repeated. */
	ck_assert_ptr_null(strstr(strstr(link, "cursor=") + 1, "cursor="));
}

/* Follows `next` from `start` to the end; every page counts `count` and holds 1..limit rows. */
static void walk_forward(const char *base, const char *start, const char *key, int64_t count,
			 size_t limit, const char *const *must_contain, struct walk *w)
{
	char *path = strdup(start);
	memset(w, 0, sizeof(*w));
	for (;;) {
		ck_assert_msg(w->pages++ < 200, "no end after 200 pages");
		json_t *page = get_ok(path, key);
		ck_assert_msg(json_integer_value(json_object_get(page, "count")) == count,
			      "%s: count %lld, expected %lld", path,
			      (long long)json_integer_value(json_object_get(page, "count")),
			      (long long)count);
		json_t *results = json_object_get(page, "results");
		size_t n = json_array_size(results);
		ck_assert_msg(n >= 1 && n <= limit, "%s: %zu results", path, n);
		for (size_t i = 0; i < n; i++) {
			ck_assert_uint_lt(w->n, sizeof(w->ids) / sizeof(w->ids[0]));
			w->ids[w->n++] = json_integer_value(
				json_object_get(json_array_get(results, i), "id"));
		}
		json_t *previous = json_object_get(page, "previous");
		if (w->pages == 1) {
			ck_assert_msg(json_is_null(previous), "%s: first page has a previous",
				      path);
		} else {
			ck_assert_msg(json_is_string(previous), "%s: no previous", path);
			check_link(json_string_value(previous), base, must_contain);
		}
		json_t *next = json_object_get(page, "next");
		ck_assert_ptr_nonnull(next);
		if (json_is_null(next)) {
			json_decref(page);
			break;
		}
		ck_assert(json_is_string(next));
		check_link(json_string_value(next), base, must_contain);
		free(path);
		path = strdup(json_string_value(next));
		json_decref(page);
	}
	w->last_path = path;
}

/* From the last page (`last_path`) follows `previous` back to the start. */
static void walk_backward(const char *base, const char *last_path, const char *key, int64_t count,
			  size_t limit, const char *const *must_contain, struct walk *w)
{
	char *path = strdup(last_path);
	memset(w, 0, sizeof(*w));
	for (;;) {
		ck_assert_msg(w->pages++ < 200, "no start after 200 pages");
		json_t *page = get_ok(path, key);
		ck_assert_msg(json_integer_value(json_object_get(page, "count")) == count,
			      "%s: count %lld, expected %lld", path,
			      (long long)json_integer_value(json_object_get(page, "count")),
			      (long long)count);
		json_t *results = json_object_get(page, "results");
		size_t n = json_array_size(results);
		ck_assert_msg(n >= 1 && n <= limit, "%s: %zu results", path, n);
		/* Collected back to front, turned around at the end. */
		for (size_t i = n; i-- > 0;) {
			ck_assert_uint_lt(w->n, sizeof(w->ids) / sizeof(w->ids[0]));
			w->ids[w->n++] = json_integer_value(
				json_object_get(json_array_get(results, i), "id"));
		}
		json_t *next = json_object_get(page, "next");
		if (w->pages == 1) {
			ck_assert_msg(json_is_null(next), "%s: last page has a next", path);
		} else {
			ck_assert_msg(json_is_string(next), "%s: no next going back", path);
			check_link(json_string_value(next), base, must_contain);
		}
		json_t *previous = json_object_get(page, "previous");
		ck_assert_ptr_nonnull(previous);
		if (json_is_null(previous)) {
			json_decref(page);
			break;
		}
		ck_assert(json_is_string(previous));
		check_link(json_string_value(previous), base, must_contain);
		free(path);
		path = strdup(json_string_value(previous));
		json_decref(page);
	}
	free(path);
	for (size_t i = 0; i < w->n / 2; i++) {
		int64_t t = w->ids[i];
		w->ids[i] = w->ids[w->n - 1 - i];
		w->ids[w->n - 1 - i] = t;
	}
}

/* Every id of `expected`, once each, in that (ascending) order. */
static void expect_walk(const struct walk *w, const int64_t *expected, size_t n, const char *what)
{
	ck_assert_msg(w->n == n, "%s: saw %zu ids, expected %zu", what, w->n, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(w->ids[i] == expected[i], "%s: id %zu is %lld, expected %lld", what,
			      i, (long long)w->ids[i], (long long)expected[i]);
}

/* Walks a list both ways with limit 7 and checks it sees exactly `expected`. */
static void walk_limit_7(const char *base, const char *key, const char *filter,
			 const int64_t *expected, size_t n, const char *const *must_contain)
{
	char start[256];
	snprintf(start, sizeof(start), "%s?%s%slimit=7", base, filter, *filter ? "&" : "");
	struct walk fw, bw;
	walk_forward(base, start, key, (int64_t)n, 7, must_contain, &fw);
	expect_walk(&fw, expected, n, start);
	ck_assert_uint_eq(fw.pages, (n + 6) / 7);
	walk_backward(base, fw.last_path, key, (int64_t)n, 7, must_contain, &bw);
	expect_walk(&bw, expected, n, "previous walk");
	ck_assert_uint_eq(bw.pages, fw.pages);
	walk_free(&fw);
}

#define WALK_ORDERS 120

START_TEST(pagination_walks_120_orders_both_ways_on_both_sides)
{
	int64_t ids[WALK_ORDERS];
	char po[32];
	for (int i = 0; i < WALK_ORDERS; i++) {
		snprintf(po, sizeof(po), "WALK-%03d", i);
		ids[i] = new_order(po, T0 + i * 60, "GBD34315");
		if (i > 0)
			ck_assert_int_gt(ids[i], ids[i - 1]);
	}
	const char *const limit7[] = {"limit=7", NULL};
	walk_limit_7("/v1/retailers/500/orders/", demo.key500, "", ids, WALK_ORDERS, limit7);
	walk_limit_7("/v1/brands/501/orders/", demo.key501, "", ids, WALK_ORDERS, limit7);

	/* Without the trailing slash the links are the same list's. */
	struct walk w;
	walk_forward("/v1/retailers/500/orders/", "/v1/retailers/500/orders?limit=50", demo.key500,
		     WALK_ORDERS, 50, NULL, &w);
	expect_walk(&w, ids, WALK_ORDERS, "limit=50 without trailing slash");
	ck_assert_uint_eq(w.pages, 3);
	walk_free(&w);

	/* The default limit is 50; 250 takes all. */
	json_t *page = get_ok("/v1/retailers/500/orders/", demo.key500);
	ck_assert_uint_eq(json_array_size(json_object_get(page, "results")), 50);
	ck_assert(json_is_string(json_object_get(page, "next")));
	json_decref(page);
	page = get_ok("/v1/brands/501/orders/?limit=250", demo.key501);
	ck_assert_uint_eq(json_array_size(json_object_get(page, "results")), WALK_ORDERS);
	ck_assert(json_is_null(json_object_get(page, "next")));
	ck_assert(json_is_null(json_object_get(page, "previous")));
	json_decref(page);

	/* A filtered walk: ordered_at >= that of order 47 (and open), so 73 match. */
	char filter[96], gte[64];
	snprintf(filter, sizeof(filter), "ordered_at_gte=%lld&status=open",
		 (long long)(T0 + 47 * 60));
	snprintf(gte, sizeof(gte), "ordered_at_gte=%lld", (long long)(T0 + 47 * 60));
	const char *const carried[] = {"limit=7", gte, "status=open", NULL};
	walk_limit_7("/v1/retailers/500/orders/", demo.key500, filter, ids + 47, WALK_ORDERS - 47,
		     carried);
	walk_limit_7("/v1/brands/501/orders/", demo.key501, filter, ids + 47, WALK_ORDERS - 47,
		     carried);
}
END_TEST

START_TEST(pagination_from_a_middle_cursor_goes_both_ways)
{
	int64_t ids[10];
	char po[32];
	for (int i = 0; i < 10; i++) {
		snprintf(po, sizeof(po), "MID-%d", i);
		ids[i] = new_order(po, T0, "GBD34315");
	}
	/* Page 2 of limit 3 is ids[3..5]; its previous is ids[0..2], its next ids[6..8]. */
	json_t *p1 = get_ok("/v1/retailers/500/orders/?limit=3", demo.key500);
	const char *next = json_string_value(json_object_get(p1, "next"));
	ck_assert_ptr_nonnull(next);
	json_t *p2 = get_ok(next, demo.key500);
	json_t *r2 = json_object_get(p2, "results");
	ck_assert_uint_eq(json_array_size(r2), 3);
	for (size_t i = 0; i < 3; i++)
		ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(r2, i), "id")),
				 ids[3 + i]);
	json_t *back = get_ok(json_string_value(json_object_get(p2, "previous")), demo.key500);
	ck_assert(json_equal(json_object_get(back, "results"), json_object_get(p1, "results")));
	ck_assert(json_is_null(json_object_get(back, "previous")));
	json_t *p3 = get_ok(json_string_value(json_object_get(p2, "next")), demo.key500);
	json_t *r3 = json_object_get(p3, "results");
	ck_assert_uint_eq(json_array_size(r3), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(r3, 0), "id")), ids[6]);
	ck_assert_int_eq(json_integer_value(json_object_get(p3, "count")), 10);
	json_decref(p1);
	json_decref(p2);
	json_decref(back);
	json_decref(p3);
}
END_TEST

/* ---- filters ------------------------------------------------------------ */

START_TEST(filter_purchase_order_number_is_exact)
{
	int64_t a = new_order("F-1", T0, "GBD34315");
	int64_t b = new_order("F-10", T0, "GBD34315");
	int64_t c = new_order("PO #7/a&b", T0, "GBD34315");
	expect_orders("purchase_order_number=F-1", 1, a);
	expect_orders("purchase_order_number=F-10", 1, b);
	expect_orders("purchase_order_number=F-", 0);
	expect_orders("purchase_order_number=F-2", 0);
	/* Percent-encoded reserved characters. */
	expect_orders("purchase_order_number=PO%20%237%2Fa%26b", 1, c);
	/* Retailer 600's order with the same number is brand 501's, not retailer 500's. */
	int64_t other = create_order_as(600, demo.key600, "F-1", "2016-07-06T10:25", "GBD34315");
	expect_page("/v1/retailers/500/orders/", demo.key500, "purchase_order_number=F-1", 1, &a);
	int64_t both[] = {a, other};
	expect_page("/v1/brands/501/orders/", demo.key501, "purchase_order_number=F-1", 2, both);
	expect_page("/v1/retailers/600/orders/", demo.key600, "purchase_order_number=F-1", 1,
		    &other);
}
END_TEST

START_TEST(filter_status_single_and_repeated)
{
	int64_t a = new_order("S-1", T0, "GBD34315");
	int64_t b = new_order("S-2", T0, "GBD34316");
	expect_orders("status=open", 2, a, b);
	expect_orders("status=closed", 0);
	expect_orders("status=partial", 0);
	expect_orders("status=canceled", 0);
	expect_orders("status=open&status=closed", 2, a, b);
	expect_orders("status=closed&status=open", 2, a, b);
	expect_orders("status=partial&status=canceled&status=closed", 0);
	expect_orders("status=open&purchase_order_number=S-2", 1, b);
	/* Every order listed says open. */
	json_t *page = get_ok("/v1/retailers/500/orders/?status=open", demo.key500);
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(page, "results"), i, o)
		ck_assert_str_eq(json_string_value(json_object_get(o, "status")), "open");
	json_decref(page);
}
END_TEST

START_TEST(filter_is_acknowledged_before_and_after_acknowledging)
{
	int64_t a = new_order("A-1", T0, "GBD34315");
	int64_t b = new_order("A-2", T0, "GBD34315");
	int64_t c = new_order("A-3", T0, "GBD34315");
	expect_orders("is_acknowledged=0", 3, a, b, c);
	expect_orders("is_acknowledged=1", 0);
	acknowledge_ok(b);
	expect_orders("is_acknowledged=1", 1, b);
	expect_orders("is_acknowledged=0", 2, a, c);
	expect_orders("is_acknowledged=1&status=open", 1, b);
	expect_orders("is_acknowledged=0&purchase_order_number=A-2", 0);
	expect_orders("", 3, a, b, c);
}
END_TEST

START_TEST(filter_ordered_at_operators_at_exact_boundaries)
{
	int64_t a = new_order("O-1", T0, "GBD34315");
	int64_t b = new_order("O-2", T0 + 60, "GBD34315");
	int64_t c = new_order("O-3", T0 + 120, "GBD34315");
	/* The stored ordered_at is what was sent. */
	json_t *o = order_get("retailers", 500, b, demo.key500);
	ck_assert_str_eq(json_string_value(json_object_get(o, "ordered_at")),
			 "2016-07-06T10:26:00Z");
	ck_assert_int_eq(epoch_of(o, "ordered_at"), T0 + 60);
	json_decref(o);
	int64_t m = T0 + 60;
	expect_ordersf(1, a, 0, 0, "ordered_at_lt=%lld", (long long)m);
	expect_ordersf(2, a, b, 0, "ordered_at_lte=%lld", (long long)m);
	expect_ordersf(1, c, 0, 0, "ordered_at_gt=%lld", (long long)m);
	expect_ordersf(2, b, c, 0, "ordered_at_gte=%lld", (long long)m);
	/* At the ends. */
	expect_ordersf(0, 0, 0, 0, "ordered_at_lt=%lld", (long long)T0);
	expect_ordersf(1, a, 0, 0, "ordered_at_lte=%lld", (long long)T0);
	expect_ordersf(3, a, b, c, "ordered_at_gte=%lld", (long long)T0);
	expect_ordersf(2, b, c, 0, "ordered_at_gt=%lld", (long long)T0);
	expect_ordersf(0, 0, 0, 0, "ordered_at_gt=%lld", (long long)(T0 + 120));
	expect_ordersf(1, c, 0, 0, "ordered_at_gte=%lld", (long long)(T0 + 120));
	expect_ordersf(3, a, b, c, "ordered_at_lte=%lld", (long long)(T0 + 120));
	expect_ordersf(2, a, b, 0, "ordered_at_lt=%lld", (long long)(T0 + 120));
	/* One second either side. */
	expect_ordersf(2, a, b, 0, "ordered_at_lt=%lld", (long long)(m + 1));
	expect_ordersf(1, c, 0, 0, "ordered_at_gte=%lld", (long long)(m + 1));
	expect_ordersf(1, a, 0, 0, "ordered_at_lte=%lld", (long long)(m - 1));
	expect_ordersf(2, b, c, 0, "ordered_at_gt=%lld", (long long)(m - 1));
	/* Combined into a window. */
	expect_ordersf(1, b, 0, 0, "ordered_at_gt=%lld&ordered_at_lt=%lld", (long long)T0,
		       (long long)(T0 + 120));
	expect_ordersf(3, a, b, c, "ordered_at_gte=%lld&ordered_at_lte=%lld", (long long)T0,
		       (long long)(T0 + 120));
	expect_ordersf(0, 0, 0, 0, "ordered_at_gt=%lld&ordered_at_lt=%lld", (long long)m,
		       (long long)m);
	expect_ordersf(3, a, b, c, "ordered_at_gte=0");
}
END_TEST

START_TEST(filter_received_at_operators)
{
	int64_t now = (int64_t)time(NULL);
	int64_t a = new_order("R-1", T0, "GBD34315");
	int64_t b = new_order("R-2", T0, "GBD34316");
	json_t *o = order_get("retailers", 500, b, demo.key500);
	int64_t received = epoch_of(o, "received_at");
	json_decref(o);
	ck_assert_int_ge(received, now - 5);
	ck_assert_int_le(received, now + 60);
	/* Far from now: all or nothing. */
	expect_ordersf(2, a, b, 0, "received_at_gte=%lld", (long long)(now - 24 * HOUR));
	expect_ordersf(2, a, b, 0, "received_at_gt=%lld", (long long)(now - 24 * HOUR));
	expect_ordersf(0, 0, 0, 0, "received_at_lt=%lld", (long long)(now - 24 * HOUR));
	expect_ordersf(0, 0, 0, 0, "received_at_lte=%lld", (long long)(now - 24 * HOUR));
	expect_ordersf(2, a, b, 0, "received_at_lt=%lld", (long long)(now + 24 * HOUR));
	expect_ordersf(2, a, b, 0, "received_at_lte=%lld", (long long)(now + 24 * HOUR));
	expect_ordersf(0, 0, 0, 0, "received_at_gt=%lld", (long long)(now + 24 * HOUR));
	expect_ordersf(0, 0, 0, 0, "received_at_gte=%lld", (long long)(now + 24 * HOUR));
	/* At b's own received_at: lte and gte include it, lt and gt leave it out. */
	expect_ordersf(0, 0, 0, 0, "received_at_gt=%lld&purchase_order_number=R-2",
		       (long long)received);
	expect_ordersf(1, b, 0, 0, "received_at_gte=%lld&purchase_order_number=R-2",
		       (long long)received);
	expect_ordersf(0, 0, 0, 0, "received_at_lt=%lld&purchase_order_number=R-2",
		       (long long)received);
	expect_ordersf(1, b, 0, 0, "received_at_lte=%lld&purchase_order_number=R-2",
		       (long long)received);
}
END_TEST

START_TEST(filter_fulfill_by_tells_lead_times_apart)
{
	int64_t now = (int64_t)time(NULL);
	int64_t a = new_order("FB-1", T0, "GBD34315"); /* no lead time: received + 72 h */
	int64_t b = new_order("FB-2", T0, "GBD34316"); /* 48 h lead time: received + 120 h */
	int64_t c = new_order("FB-3", T0, "RS-OAK-1"); /* retailer 500's SKU of GBD34316 */
	json_t *oa = order_get("retailers", 500, a, demo.key500);
	json_t *ob = order_get("retailers", 500, b, demo.key500);
	json_t *oc = order_get("retailers", 500, c, demo.key500);
	int64_t fa = epoch_of(oa, "fulfill_by"), fb = epoch_of(ob, "fulfill_by");
	ck_assert_int_eq(fa, epoch_of(oa, "received_at") + 72 * HOUR);
	ck_assert_int_eq(fb, epoch_of(ob, "received_at") + 120 * HOUR);
	ck_assert_int_eq(epoch_of(oc, "fulfill_by"), epoch_of(oc, "received_at") + 120 * HOUR);
	json_decref(oa);
	json_decref(ob);
	json_decref(oc);
	expect_ordersf(2, b, c, 0, "fulfill_by_gt=%lld", (long long)(now + 100 * HOUR));
	expect_ordersf(2, b, c, 0, "fulfill_by_gte=%lld", (long long)(now + 100 * HOUR));
	expect_ordersf(1, a, 0, 0, "fulfill_by_lt=%lld", (long long)(now + 100 * HOUR));
	expect_ordersf(1, a, 0, 0, "fulfill_by_lte=%lld", (long long)(now + 100 * HOUR));
	expect_ordersf(3, a, b, c, "fulfill_by_gt=%lld", (long long)now);
	expect_ordersf(0, 0, 0, 0, "fulfill_by_lt=%lld", (long long)now);
	expect_ordersf(0, 0, 0, 0, "fulfill_by_gt=%lld", (long long)(now + 200 * HOUR));
	expect_ordersf(3, a, b, c, "fulfill_by_lte=%lld", (long long)(now + 200 * HOUR));
	/* Exact boundaries at a's fulfill_by. */
	expect_ordersf(1, a, 0, 0, "fulfill_by_lte=%lld&purchase_order_number=FB-1", (long long)fa);
	expect_ordersf(0, 0, 0, 0, "fulfill_by_lt=%lld&purchase_order_number=FB-1", (long long)fa);
	expect_ordersf(1, a, 0, 0, "fulfill_by_gte=%lld&purchase_order_number=FB-1", (long long)fa);
	expect_ordersf(0, 0, 0, 0, "fulfill_by_gt=%lld&purchase_order_number=FB-1", (long long)fa);
	/* Combined with another time filter. */
	expect_ordersf(2, b, c, 0, "fulfill_by_gt=%lld&ordered_at_lte=%lld",
		       (long long)(now + 100 * HOUR), (long long)T0);
}
END_TEST

START_TEST(filter_acknowledged_at_matches_only_acknowledged_orders)
{
	int64_t now = (int64_t)time(NULL);
	int64_t a = new_order("K-1", T0, "GBD34315");
	int64_t b = new_order("K-2", T0, "GBD34315");
	expect_orders("acknowledged_at_gte=0", 0);
	expect_ordersf(0, 0, 0, 0, "acknowledged_at_lte=%lld", (long long)(now + 24 * HOUR));
	int64_t at = acknowledge_ok(b);
	ck_assert_int_ge(at, now - 5);
	ck_assert_int_le(at, now + 60);
	expect_orders("acknowledged_at_gte=0", 1, b);
	expect_orders("acknowledged_at_gt=0", 1, b);
	expect_orders("acknowledged_at_lt=0", 0);
	expect_orders("acknowledged_at_lte=0", 0);
	expect_ordersf(1, b, 0, 0, "acknowledged_at_lte=%lld", (long long)(now + 24 * HOUR));
	expect_ordersf(1, b, 0, 0, "acknowledged_at_lt=%lld", (long long)(now + 24 * HOUR));
	expect_ordersf(0, 0, 0, 0, "acknowledged_at_gt=%lld", (long long)(now + 24 * HOUR));
	expect_ordersf(0, 0, 0, 0, "acknowledged_at_gte=%lld", (long long)(now + 24 * HOUR));
	/* Exact boundaries at b's acknowledged_at. */
	expect_ordersf(1, b, 0, 0, "acknowledged_at_lte=%lld", (long long)at);
	expect_ordersf(0, 0, 0, 0, "acknowledged_at_lt=%lld", (long long)at);
	expect_ordersf(1, b, 0, 0, "acknowledged_at_gte=%lld", (long long)at);
	expect_ordersf(0, 0, 0, 0, "acknowledged_at_gt=%lld", (long long)at);
	/* a, unacknowledged, has a null acknowledged_at and matches none. */
	json_t *o = order_get("brands", 501, a, demo.key501);
	ck_assert(json_is_null(json_object_get(o, "acknowledged_at")));
	json_decref(o);
}
END_TEST

START_TEST(filter_closed_at_matches_nothing_while_no_order_is_closed)
{
	int64_t now = (int64_t)time(NULL);
	int64_t a = new_order("C-1", T0, "GBD34315");
	acknowledge_ok(a);
	expect_orders("closed_at_gte=0", 0);
	expect_orders("closed_at_gt=0", 0);
	expect_ordersf(0, 0, 0, 0, "closed_at_lt=%lld", (long long)(now + 1000 * HOUR));
	expect_ordersf(0, 0, 0, 0, "closed_at_lte=%lld", (long long)(now + 1000 * HOUR));
	expect_orders("closed_at_lte=0", 0);
	json_t *o = order_get("retailers", 500, a, demo.key500);
	ck_assert(json_is_null(json_object_get(o, "closed_at")));
	json_decref(o);
	expect_orders("", 1, a);
}
END_TEST

/* ---- bad parameters ---------------------------------------------------- */

START_TEST(bad_list_parameters_are_400_naming_the_field)
{
	new_order("B-1", T0, "GBD34315");
	expect_bad1("/v1/retailers/500/orders/?colour=red", "colour");
	expect_bad1("/v1/retailers/500/orders/?limit=0", "limit");
	expect_bad1("/v1/retailers/500/orders/?limit=251", "limit");
	expect_bad1("/v1/retailers/500/orders/?limit=x", "limit");
	expect_bad1("/v1/retailers/500/orders/?limit=-1", "limit");
	expect_bad1("/v1/retailers/500/orders/?limit=", "limit");
	expect_bad1("/v1/retailers/500/orders/?limit=5&limit=6", "limit");
	expect_bad1("/v1/retailers/500/orders/?is_acknowledged=2", "is_acknowledged");
	expect_bad1("/v1/retailers/500/orders/?is_acknowledged=yes", "is_acknowledged");
	expect_bad1("/v1/retailers/500/orders/?status=shipped", "status");
	expect_bad1("/v1/retailers/500/orders/?status=open&status=OPEN", "status");
	expect_bad1("/v1/retailers/500/orders/?ordered_at_lt=abc", "ordered_at_lt");
	expect_bad1("/v1/retailers/500/orders/?ordered_at_gte=2016-07-06T10:25:00Z",
		    "ordered_at_gte");
	expect_bad1("/v1/retailers/500/orders/?received_at_gt=1.5", "received_at_gt");
	expect_bad1("/v1/retailers/500/orders/?ordered_at=1467800700", "ordered_at");
	expect_bad1("/v1/retailers/500/orders/?ordered_at_eq=1467800700", "ordered_at_eq");
	expect_bad1("/v1/retailers/500/orders/?shipped_at_gte=0", "shipped_at_gte");
	expect_bad1("/v1/retailers/500/orders/?cursor=garbage", "cursor");
	expect_bad1("/v1/retailers/500/orders/?cursor=%21%21%21", "cursor");
	expect_bad1("/v1/retailers/500/orders/?cursor=Zm9v", "cursor"); /* base64 of "foo" */
	expect_bad1("/v1/retailers/500/orders/?cursor=", "cursor");
	expect_bad1("/v1/retailers/500/orders/?cursor=YTE%80", "cursor"); /* not base64url */
	/* The limits themselves are fine. */
	json_t *page = get_ok("/v1/retailers/500/orders/?limit=1", demo.key500);
	json_decref(page);
	page = get_ok("/v1/retailers/500/orders/?limit=250", demo.key500);
	json_decref(page);

	/* Several at once: every one is listed. */
	static const char *const many[] = {
		"colour", "limit", "is_acknowledged", "status", "ordered_at_lt", "ordered_at", NULL,
	};
	expect_bad("/v1/retailers/500/orders/?colour=red&limit=0&is_acknowledged=2&status=shipped"
		   "&ordered_at_lt=abc&ordered_at=5",
		   demo.key500, many);
	/* The same on the brand side. */
	expect_bad("/v1/brands/501/orders/?colour=red&limit=0&is_acknowledged=2&status=shipped"
		   "&ordered_at_lt=abc&ordered_at=5",
		   demo.key501, many);
	const char *const cursor[] = {"cursor", NULL};
	expect_bad("/v1/brands/501/orders/?cursor=garbage", demo.key501, cursor);
	/* Nothing was created by any of it. */
	ck_assert_int_eq(list_count("/v1/retailers/500/orders/", demo.key500), 1);
}
END_TEST

START_TEST(bad_cursor_is_listed_with_other_bad_parameters)
{
	/* CONTRACT.md 2: every field problem is reported at once, not only the first. */
	const char *const both[] = {"limit", "cursor", NULL};
	expect_bad("/v1/retailers/500/orders/?limit=0&cursor=garbage", demo.key500, both);
}
END_TEST

/* ---- one order -------------------------------------------------------- */

START_TEST(one_order_reads_the_same_on_both_sides_and_not_elsewhere)
{
	struct http_response created;
	post_order_as(500, demo.key500, "G-1", "2016-07-06T10:25", "GBD34315", NULL, &created);
	ck_assert_int_eq(created.status, 201);
	int64_t id = json_integer_value(json_object_get(created.json, "id"));
	ck_assert_str_eq(json_string_value(json_object_get(created.json, "status")), "open");
	ck_assert(json_is_false(json_object_get(created.json, "is_acknowledged")));
	ck_assert_int_eq(epoch_of(created.json, "ordered_at"), T0);

	json_t *by_retailer = order_get("retailers", 500, id, demo.key500);
	json_t *by_brand = order_get("brands", 501, id, demo.key501);
	ck_assert_msg(json_equal(created.json, by_retailer), "201 body differs from GET");
	ck_assert_msg(json_equal(by_retailer, by_brand), "retailer and brand read differently");
	ck_assert_int_eq(json_integer_value(json_object_get(by_retailer, "id")), id);
	/* Without the trailing slash too. */
	char path[96];
	snprintf(path, sizeof(path), "/v1/brands/501/orders/%lld", (long long)id);
	json_t *no_slash = get_ok(path, demo.key501);
	ck_assert(json_equal(no_slash, by_brand));
	json_decref(no_slash);
	/* The list shows the same representation. */
	json_t *page = get_ok("/v1/brands/501/orders/", demo.key501);
	ck_assert(json_equal(json_array_get(json_object_get(page, "results"), 0), by_brand));
	json_decref(page);

	/* Other parties' orders that must stay apart. */
	int64_t of600 = create_order_as(600, demo.key600, "G-1", "2016-07-06T10:25", "GBD34315");
	int64_t of502 = create_order_as(500, demo.key500, "G-2", "2016-07-06T10:25", "DB-100");

	struct http_response r;
	snprintf(path, sizeof(path), "/v1/retailers/600/orders/%lld/", (long long)id);
	http_get(&ts, path, demo.key600, &r);
	ck_assert_msg(r.status == 404, "GET %s as retailer 600: %ld %s", path, r.status, r.body);
	ck_assert_str_eq(http_error_code(&r), "not_found");
	http_response_free(&r);
	snprintf(path, sizeof(path), "/v1/brands/502/orders/%lld/", (long long)id);
	http_get(&ts, path, demo.key502, &r);
	ck_assert_msg(r.status == 404, "GET %s as brand 502: %ld %s", path, r.status, r.body);
	ck_assert_str_eq(http_error_code(&r), "not_found");
	http_response_free(&r);
	/* Nor the other way: retailer 500 does not read retailer 600's. */
	snprintf(path, sizeof(path), "/v1/retailers/500/orders/%lld/", (long long)of600);
	http_get(&ts, path, demo.key500, &r);
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(http_error_code(&r), "not_found");
	http_response_free(&r);
	/* An id that does not exist at all answers the same. */
	http_get(&ts, "/v1/retailers/500/orders/999999/", demo.key500, &r);
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(http_error_code(&r), "not_found");
	http_response_free(&r);
	/* Retailer 600's key on retailer 500's order path is forbidden. */
	snprintf(path, sizeof(path), "/v1/retailers/500/orders/%lld/", (long long)id);
	http_get(&ts, path, demo.key600, &r);
	ck_assert_int_eq(r.status, 403);
	ck_assert_str_eq(http_error_code(&r), "forbidden");
	http_response_free(&r);

	/* Lists: each party sees its own. */
	expect_page("/v1/retailers/600/orders/", demo.key600, "", 1, &of600);
	expect_page("/v1/brands/502/orders/", demo.key502, "", 1, &of502);
	int64_t r500[] = {id, of502}, b501[] = {id, of600};
	expect_page("/v1/retailers/500/orders/", demo.key500, "", 2, r500);
	expect_page("/v1/brands/501/orders/", demo.key501, "", 2, b501);

	json_decref(by_retailer);
	json_decref(by_brand);
	http_response_free(&created);
}
END_TEST

/* ---- acknowledge ------------------------------------------------------- */

START_TEST(acknowledge_sets_it_once_and_only_for_the_brand)
{
	int64_t now = (int64_t)time(NULL);
	int64_t id = new_order("ACK-1", T0, "GBD34315");
	int64_t of502 = new_order("ACK-2", T0, "DB-100");
	struct http_response r;
	acknowledge(501, demo.key501, id, NULL, &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	ck_assert(json_is_true(json_object_get(r.json, "is_acknowledged")));
	int64_t at = epoch_of(r.json, "acknowledged_at");
	ck_assert_int_ge(at, now - 5);
	ck_assert_int_le(at, now + 60);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "id")), id);
	json_t *first = json_incref(r.json);
	http_response_free(&r);

	/* Again: 200, unchanged. */
	acknowledge(501, demo.key501, id, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert(json_is_true(json_object_get(r.json, "is_acknowledged")));
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "acknowledged_at")),
			 json_string_value(json_object_get(first, "acknowledged_at")));
	ck_assert(json_equal(r.json, first));
	http_response_free(&r);

	/* Both sides read it. */
	json_t *o = order_get("retailers", 500, id, demo.key500);
	ck_assert(json_equal(o, first));
	json_decref(o);

	/* A retailer key on the brand route. */
	acknowledge(501, demo.key500, id, NULL, &r);
	ck_assert_int_eq(r.status, 403);
	ck_assert_str_eq(http_error_code(&r), "forbidden");
	http_response_free(&r);
	/* Brand 502 on brand 501's order, on its own path. */
	acknowledge(502, demo.key502, id, NULL, &r);
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(http_error_code(&r), "not_found");
	http_response_free(&r);
	/* Brand 501 on brand 502's order; and an order that does not exist. */
	acknowledge(501, demo.key501, of502, NULL, &r);
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(http_error_code(&r), "not_found");
	http_response_free(&r);
	acknowledge(501, demo.key501, 999999, NULL, &r);
	ck_assert_int_eq(r.status, 404);
	http_response_free(&r);
	/* The refused ones changed nothing. */
	o = order_get("brands", 502, of502, demo.key502);
	ck_assert(json_is_false(json_object_get(o, "is_acknowledged")));
	ck_assert(json_is_null(json_object_get(o, "acknowledged_at")));
	json_decref(o);
	/* Acknowledge takes no query parameters. */
	char path[96];
	snprintf(path, sizeof(path), "/v1/brands/501/orders/%lld/acknowledge/?limit=1",
		 (long long)id);
	http_send(&ts, "PUT", path, demo.key501, NULL, &r);
	ck_assert_int_eq(r.status, 400);
	http_response_free(&r);
	json_decref(first);
}
END_TEST

/* ---- idempotency ------------------------------------------------------- */

START_TEST(idempotency_key_replays_the_create_and_refuses_another_body)
{
	struct http_response first, again, other, r600;
	post_order_as(500, demo.key500, "IDEM-1", "2016-07-06T10:25", "GBD34315", "k1", &first);
	ck_assert_msg(first.status == 201, "%ld %s", first.status, first.body);
	char *replayed = http_header(&first, "Idempotent-Replayed");
	ck_assert_ptr_null(replayed);

	post_order_as(500, demo.key500, "IDEM-1", "2016-07-06T10:25", "GBD34315", "k1", &again);
	ck_assert_int_eq(again.status, first.status);
	ck_assert_uint_eq(again.body_len, first.body_len);
	ck_assert(memcmp(again.body, first.body, first.body_len) == 0);
	replayed = http_header(&again, "Idempotent-Replayed");
	ck_assert_ptr_nonnull(replayed);
	ck_assert_str_eq(replayed, "true");
	free(replayed);
	ck_assert_int_eq(list_count("/v1/retailers/500/orders/", demo.key500), 1);

	/* Same key, another body: 409 and nothing stored. */
	post_order_as(500, demo.key500, "IDEM-2", "2016-07-06T10:25", "GBD34315", "k1", &other);
	ck_assert_int_eq(other.status, 409);
	ck_assert_str_eq(http_error_code(&other), "conflict");
	ck_assert_int_eq(list_count("/v1/retailers/500/orders/", demo.key500), 1);
	ck_assert_int_eq(
		list_count("/v1/retailers/500/orders/?purchase_order_number=IDEM-2", demo.key500),
		0);
	http_response_free(&other);

	/* Keys are per caller: retailer 600 with k1 on its own path is new. */
	post_order_as(600, demo.key600, "IDEM-1", "2016-07-06T10:25", "GBD34315", "k1", &r600);
	ck_assert_msg(r600.status == 201, "%ld %s", r600.status, r600.body);
	replayed = http_header(&r600, "Idempotent-Replayed");
	ck_assert_ptr_null(replayed);
	ck_assert_int_ne(json_integer_value(json_object_get(r600.json, "id")),
			 json_integer_value(json_object_get(first.json, "id")));
	ck_assert_int_eq(list_count("/v1/retailers/600/orders/", demo.key600), 1);
	ck_assert_int_eq(list_count("/v1/retailers/500/orders/", demo.key500), 1);
	ck_assert_int_eq(list_count("/v1/brands/501/orders/", demo.key501), 2);
	http_response_free(&r600);

	/* The replay still answers after the other uses. */
	post_order_as(500, demo.key500, "IDEM-1", "2016-07-06T10:25", "GBD34315", "k1", &other);
	ck_assert_int_eq(other.status, 201);
	ck_assert_uint_eq(other.body_len, first.body_len);
	ck_assert(memcmp(other.body, first.body, first.body_len) == 0);
	http_response_free(&other);

	/* Without a key, the same body is a duplicate purchase order number. */
	post_order_as(500, demo.key500, "IDEM-1", "2016-07-06T10:25", "GBD34315", NULL, &other);
	ck_assert_int_eq(other.status, 409);
	ck_assert_str_eq(http_error_code(&other), "conflict");
	http_response_free(&other);
	ck_assert_int_eq(list_count("/v1/retailers/500/orders/", demo.key500), 1);

	http_response_free(&first);
	http_response_free(&again);
}
END_TEST

START_TEST(idempotency_key_replays_the_acknowledge)
{
	int64_t id = new_order("IDEM-ACK-1", T0, "GBD34315");
	int64_t id2 = new_order("IDEM-ACK-2", T0, "GBD34315");
	struct http_response first, again, r;
	acknowledge(501, demo.key501, id, "a1", &first);
	ck_assert_msg(first.status == 200, "%ld %s", first.status, first.body);
	char *replayed = http_header(&first, "Idempotent-Replayed");
	ck_assert_ptr_null(replayed);
	ck_assert(json_is_true(json_object_get(first.json, "is_acknowledged")));

	acknowledge(501, demo.key501, id, "a1", &again);
	ck_assert_int_eq(again.status, 200);
	replayed = http_header(&again, "Idempotent-Replayed");
	ck_assert_ptr_nonnull(replayed);
	ck_assert_str_eq(replayed, "true");
	free(replayed);
	ck_assert_uint_eq(again.body_len, first.body_len);
	ck_assert(memcmp(again.body, first.body, first.body_len) == 0);

	/* The same key on another order's acknowledge is another request: 409, nothing done. */
	acknowledge(501, demo.key501, id2, "a1", &r);
	ck_assert_int_eq(r.status, 409);
	ck_assert_str_eq(http_error_code(&r), "conflict");
	http_response_free(&r);
	json_t *o = order_get("brands", 501, id2, demo.key501);
	ck_assert(json_is_false(json_object_get(o, "is_acknowledged")));
	json_decref(o);
	expect_orders("is_acknowledged=1", 1, id);

	/* A key the retailer used is not the brand's. */
	struct http_response created;
	post_order_as(500, demo.key500, "IDEM-ACK-3", "2016-07-06T10:25", "GBD34315", "shared",
		      &created);
	ck_assert_int_eq(created.status, 201);
	acknowledge(501, demo.key501, id2, "shared", &r);
	ck_assert_int_eq(r.status, 200);
	replayed = http_header(&r, "Idempotent-Replayed");
	ck_assert_ptr_null(replayed);
	ck_assert(json_is_true(json_object_get(r.json, "is_acknowledged")));
	http_response_free(&r);
	http_response_free(&created);

	http_response_free(&first);
	http_response_free(&again);
}
END_TEST

/* ---- refused requests ---------------------------------------------------- */

START_TEST(rejected_create_stores_nothing)
{
	int64_t id = new_order("KEEP-1", T0, "GBD34315");
	static const char *const bad[] = {
		/* quantity zero */
		"{\"purchase_order_number\": \"BAD-1\", \"ordered_at\": \"2016-07-06T10:25\","
		" \"ship_to\": {\"name1\": \"Tammy Watkins\", \"street1\": \"1332 Hermosa Ave\","
		" \"city\": \"Hermosa Beach\", \"province\": \"CA\", \"postal_code\": \"90254\","
		" \"country\": \"US\"}, \"shipping_method\": {\"code\": \"GROUND\", \"carrier\":"
		" {\"code\": \"UPSN\"}}, \"order_lines\": [{\"variant\": {\"identifier\":"
		" \"GBD34315\"}, \"quantity\": 0, \"net_price\": \"250.00\", \"price\": "
		"\"450.00\"}]}",
		/* unknown variant */
		"{\"purchase_order_number\": \"BAD-1\", \"ordered_at\": \"2016-07-06T10:25\","
		" \"ship_to\": {\"name1\": \"Tammy Watkins\", \"street1\": \"1332 Hermosa Ave\","
		" \"city\": \"Hermosa Beach\", \"province\": \"CA\", \"postal_code\": \"90254\","
		" \"country\": \"US\"}, \"shipping_method\": {\"code\": \"GROUND\", \"carrier\":"
		" {\"code\": \"UPSN\"}}, \"order_lines\": [{\"variant\": {\"identifier\":"
		" \"NOPE\"}, \"quantity\": 1, \"net_price\": \"250.00\", \"price\": \"450.00\"}]}",
		/* a second line of another brand */
		"{\"purchase_order_number\": \"BAD-1\", \"ordered_at\": \"2016-07-06T10:25\","
		" \"ship_to\": {\"name1\": \"Tammy Watkins\", \"street1\": \"1332 Hermosa Ave\","
		" \"city\": \"Hermosa Beach\", \"province\": \"CA\", \"postal_code\": \"90254\","
		" \"country\": \"US\"}, \"shipping_method\": {\"code\": \"GROUND\", \"carrier\":"
		" {\"code\": \"UPSN\"}}, \"order_lines\": [{\"variant\": {\"identifier\":"
		" \"GBD34315\"}, \"quantity\": 1, \"net_price\": \"250.00\", \"price\": "
		"\"450.00\"},"
		" {\"variant\": {\"identifier\": \"DB-100\"}, \"quantity\": 1, \"net_price\":"
		" \"250.00\", \"price\": \"450.00\"}]}",
		/* an unknown field */
		"{\"purchase_order_number\": \"BAD-1\", \"colour\": \"red\"}",
		/* not JSON */
		"{\"purchase_order_number\": \"BAD-1\",",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct http_response r;
		http_send(&ts, "POST", "/v1/retailers/500/orders/", demo.key500, bad[i], &r);
		ck_assert_msg(r.status == 400, "body %zu: %ld %s", i, r.status, r.body);
		const char *code = http_error_code(&r);
		ck_assert_msg(strcmp(code, "validation_failed") == 0 ||
				      strcmp(code, "invalid_json") == 0,
			      "body %zu: %s", i, r.body);
		http_response_free(&r);
		ck_assert_int_eq(list_count("/v1/retailers/500/orders/", demo.key500), 1);
		ck_assert_int_eq(list_count("/v1/brands/501/orders/", demo.key501), 1);
		ck_assert_int_eq(list_count("/v1/brands/502/orders/", demo.key502), 0);
	}
	/* A 400 on a list stores nothing either. */
	expect_bad1("/v1/retailers/500/orders/?limit=0", "limit");
	int64_t only[] = {id};
	expect_page("/v1/retailers/500/orders/", demo.key500, "", 1, only);
	/* The number the refused requests used is still free. */
	int64_t next = new_order("BAD-1", T0, "GBD34315");
	ck_assert_int_gt(next, id);
	ck_assert_int_eq(list_count("/v1/retailers/500/orders/", demo.key500), 2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("orders_list");
	TCase *tc = tcase_create("orders_list");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, pagination_walks_120_orders_both_ways_on_both_sides);
	tcase_add_test(tc, pagination_from_a_middle_cursor_goes_both_ways);
	tcase_add_test(tc, filter_purchase_order_number_is_exact);
	tcase_add_test(tc, filter_status_single_and_repeated);
	tcase_add_test(tc, filter_is_acknowledged_before_and_after_acknowledging);
	tcase_add_test(tc, filter_ordered_at_operators_at_exact_boundaries);
	tcase_add_test(tc, filter_received_at_operators);
	tcase_add_test(tc, filter_fulfill_by_tells_lead_times_apart);
	tcase_add_test(tc, filter_acknowledged_at_matches_only_acknowledged_orders);
	tcase_add_test(tc, filter_closed_at_matches_nothing_while_no_order_is_closed);
	tcase_add_test(tc, bad_list_parameters_are_400_naming_the_field);
	tcase_add_test(tc, bad_cursor_is_listed_with_other_bad_parameters);
	tcase_add_test(tc, one_order_reads_the_same_on_both_sides_and_not_elsewhere);
	tcase_add_test(tc, acknowledge_sets_it_once_and_only_for_the_brand);
	tcase_add_test(tc, idempotency_key_replays_the_create_and_refuses_another_body);
	tcase_add_test(tc, idempotency_key_replays_the_acknowledge);
	tcase_add_test(tc, rejected_create_stores_nothing);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
