/* Unit tests for include/api/route.h. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "api/request.h"
#include "api/route.h"

static void dummy_handler(struct api_request *req)
{
	(void)req;
}

/* Shaped like the real API; the indexes below name each route. */
enum {
	R_HEALTHZ,
	R_ORDERS_LIST,
	R_ORDERS_CREATE,
	R_ORDER_GET,
	R_ORDER_ACK,
	R_COUNT,
};

static const struct route table[R_COUNT] = {
	[R_HEALTHZ] = {"GET", "/healthz", dummy_handler, PARTY_NONE, NULL, 0, NULL},
	[R_ORDERS_LIST] = {"GET", "/v1/retailers/:retailer_id/orders", dummy_handler,
			   PARTY_RETAILER, NULL, 0, NULL},
	[R_ORDERS_CREATE] = {"POST", "/v1/retailers/:retailer_id/orders", dummy_handler,
			     PARTY_RETAILER, NULL, 1, NULL},
	[R_ORDER_GET] = {"GET", "/v1/retailers/:retailer_id/orders/:id", dummy_handler,
			 PARTY_RETAILER, NULL, 0, NULL},
	[R_ORDER_ACK] = {"PUT", "/v1/brands/:brand_id/orders/:id/acknowledge", dummy_handler,
			 PARTY_BRAND, NULL, 1, NULL},
};

/* Fills a result with garbage so a test sees what router_match() really set. */
static void poison(struct route_result *res)
{
	memset(res, 0x5a, sizeof(*res));
}

/* Index of a matched route in the table, -1 for NULL or a foreign pointer. */
static long route_index(const struct route *r)
{
	for (size_t i = 0; i < R_COUNT; i++)
		if (r == &table[i])
			return (long)i;
	return -1;
}

static void assert_found(const char *method, const char *path, size_t want_route, size_t want_nargs,
			 int64_t arg0, int64_t arg1)
{
	struct route_result res;
	poison(&res);
	route_match m = router_match(table, R_COUNT, method, path, &res);
	ck_assert_msg(m == ROUTE_FOUND, "%s %s: got %d, want ROUTE_FOUND", method, path, (int)m);
	ck_assert_msg(res.route == &table[want_route], "%s %s: matched route %ld, want %zu", method,
		      path, route_index(res.route), want_route);
	ck_assert_msg(res.nargs == want_nargs, "%s %s: nargs %zu, want %zu", method, path,
		      res.nargs, want_nargs);
	if (want_nargs > 0)
		ck_assert_msg(res.args[0] == arg0, "%s %s: args[0] %lld, want %lld", method, path,
			      (long long)res.args[0], (long long)arg0);
	if (want_nargs > 1)
		ck_assert_msg(res.args[1] == arg1, "%s %s: args[1] %lld, want %lld", method, path,
			      (long long)res.args[1], (long long)arg1);
	ck_assert_msg(res.allow[0] == '\0', "%s %s: allow \"%.*s\" on a match", method, path,
		      ROUTE_ALLOW_MAX, res.allow);
}

static void assert_not_found(const char *method, const char *path)
{
	struct route_result res;
	poison(&res);
	route_match m = router_match(table, R_COUNT, method, path, &res);
	ck_assert_msg(m == ROUTE_NOT_FOUND, "%s \"%s\": got %d, want ROUTE_NOT_FOUND", method, path,
		      (int)m);
	ck_assert_msg(res.route == NULL, "%s \"%s\": route set on not found", method, path);
	ck_assert_msg(res.nargs == 0, "%s \"%s\": nargs %zu on not found", method, path, res.nargs);
	ck_assert_msg(res.allow[0] == '\0', "%s \"%s\": allow set on not found", method, path);
}

static void assert_not_allowed(const char *method, const char *path, const char *want_allow)
{
	struct route_result res;
	poison(&res);
	route_match m = router_match(table, R_COUNT, method, path, &res);
	ck_assert_msg(m == ROUTE_METHOD_NOT_ALLOWED, "%s %s: got %d, want ROUTE_METHOD_NOT_ALLOWED",
		      method, path, (int)m);
	ck_assert_msg(res.route == NULL, "%s %s: route set on method not allowed", method, path);
	ck_assert_msg(memchr(res.allow, '\0', sizeof(res.allow)) != NULL,
		      "%s %s: allow not NUL-terminated", method, path);
	ck_assert_msg(strcmp(res.allow, want_allow) == 0, "%s %s: allow \"%s\", want \"%s\"",
		      method, path, res.allow, want_allow);
}

/* --- matching ------------------------------------------------------------ */

START_TEST(literal_path_matches)
{
	assert_found("GET", "/healthz", R_HEALTHZ, 0, 0, 0);
}
END_TEST

START_TEST(one_trailing_slash_matches)
{
	assert_found("GET", "/healthz/", R_HEALTHZ, 0, 0, 0);
	assert_found("GET", "/v1/retailers/5/orders/", R_ORDERS_LIST, 1, 5, 0);
	assert_found("POST", "/v1/retailers/5/orders/", R_ORDERS_CREATE, 1, 5, 0);
	assert_found("GET", "/v1/retailers/5/orders/7/", R_ORDER_GET, 2, 5, 7);
	assert_found("PUT", "/v1/brands/3/orders/9/acknowledge/", R_ORDER_ACK, 2, 3, 9);
}
END_TEST

START_TEST(integer_args_filled_in_order)
{
	assert_found("GET", "/v1/retailers/12/orders", R_ORDERS_LIST, 1, 12, 0);
	assert_found("POST", "/v1/retailers/12/orders", R_ORDERS_CREATE, 1, 12, 0);
	assert_found("GET", "/v1/retailers/12/orders/345", R_ORDER_GET, 2, 12, 345);
	assert_found("PUT", "/v1/brands/345/orders/12/acknowledge", R_ORDER_ACK, 2, 345, 12);
}
END_TEST

START_TEST(largest_accepted_args)
{
	/* 18 digits is the documented maximum. */
	assert_found("GET", "/v1/retailers/999999999999999999/orders/1", R_ORDER_GET, 2,
		     INT64_C(999999999999999999), 1);
	assert_found("GET", "/v1/retailers/1/orders/100000000000000000", R_ORDER_GET, 2, 1,
		     INT64_C(100000000000000000));
}
END_TEST

START_TEST(double_slashes_do_not_match)
{
	assert_not_found("GET", "/healthz//");
	assert_not_found("GET", "//healthz");
	assert_not_found("GET", "/v1/retailers/5/orders//");
	assert_not_found("POST", "/v1/retailers/5/orders//");
	assert_not_found("GET", "/v1/retailers/5/orders/7//");
	assert_not_found("GET", "/v1//retailers/5/orders");
	assert_not_found("GET", "/v1/retailers//5/orders");
	assert_not_found("GET", "/v1/retailers/5//orders");
	assert_not_found("GET", "/v1/retailers/5//orders/7");
	assert_not_found("GET", "/v1/retailers/5/orders//7");
	assert_not_found("PUT", "/v1/brands/3/orders/9//acknowledge");
}
END_TEST

START_TEST(bad_id_segments_do_not_match)
{
	static const char *const bad[] = {
		"abc",
		"0",
		"00",
		"-5",
		"+5",
		"5x",
		"x5",
		"0x10",
		"1.5",
		"1e3",
		" 5",
		"5 ",
		"%35",
		"1234567890123456789", /* 19 digits */
		"9223372036854775807",
		"99999999999999999999999",
	};
	char path[128];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), "/v1/retailers/%s/orders", bad[i]);
		assert_not_found("GET", path);
		assert_not_found("POST", path);
		snprintf(path, sizeof(path), "/v1/retailers/5/orders/%s", bad[i]);
		assert_not_found("GET", path);
		snprintf(path, sizeof(path), "/v1/brands/%s/orders/9/acknowledge", bad[i]);
		assert_not_found("PUT", path);
	}
}
END_TEST

START_TEST(empty_id_segment_does_not_match)
{
	assert_not_found("GET", "/v1/retailers//orders");
	assert_not_found("GET", "/v1/retailers//orders/7");
	assert_not_found("PUT", "/v1/brands//orders/9/acknowledge");
	assert_not_found("PUT", "/v1/brands/3/orders//acknowledge");
}
END_TEST

START_TEST(extra_segments_do_not_match)
{
	assert_not_found("GET", "/healthz/x");
	assert_not_found("GET", "/healthzz");
	assert_not_found("GET", "/v1/retailers/5/orders/7/extra");
	assert_not_found("GET", "/v1/retailers/5/orders/7/8");
	assert_not_found("PUT", "/v1/brands/3/orders/9/acknowledge/x");
	assert_not_found("PUT", "/v1/brands/3/orders/9/acknowledgement");
	/* The acknowledge route exists for brands only. */
	assert_not_found("PUT", "/v1/retailers/3/orders/9/acknowledge");
}
END_TEST

START_TEST(prefix_only_does_not_match)
{
	assert_not_found("GET", "/v1");
	assert_not_found("GET", "/v1/");
	assert_not_found("GET", "/v1/retailers");
	assert_not_found("GET", "/v1/retailers/");
	assert_not_found("GET", "/v1/retailers/5");
	assert_not_found("GET", "/v1/retailers/5/");
	assert_not_found("GET", "/v1/retailers/5/ord");
	assert_not_found("PUT", "/v1/brands/3/orders/9");
	assert_not_found("GET", "/healt");
	assert_not_found("GET", "/");
	assert_not_found("GET", "");
}
END_TEST

START_TEST(unknown_path_is_not_found)
{
	assert_not_found("GET", "/nope");
	assert_not_found("POST", "/nope");
	assert_not_found("GET", "/v1/orders");
	assert_not_found("GET", "/V1/retailers/5/orders");
	assert_not_found("GET", "/HEALTHZ");
	assert_not_found("GET", "healthz");
	assert_not_found("DELETE", "/v2/retailers/5/orders");
}
END_TEST

/* --- methods ------------------------------------------------------------- */

START_TEST(wrong_method_on_orders_collection_lists_allowed)
{
	/* GET implies HEAD; the list follows the table's order. */
	assert_not_allowed("PUT", "/v1/retailers/5/orders", "GET, HEAD, POST");
	assert_not_allowed("DELETE", "/v1/retailers/5/orders", "GET, HEAD, POST");
	assert_not_allowed("PATCH", "/v1/retailers/5/orders/", "GET, HEAD, POST");
}
END_TEST

START_TEST(wrong_method_on_other_paths_lists_allowed)
{
	assert_not_allowed("POST", "/healthz", "GET, HEAD");
	assert_not_allowed("DELETE", "/healthz/", "GET, HEAD");
	assert_not_allowed("POST", "/v1/retailers/5/orders/7", "GET, HEAD");
	assert_not_allowed("PUT", "/v1/retailers/5/orders/7", "GET, HEAD");
	/* A PUT-only route: neither GET nor HEAD is offered. */
	assert_not_allowed("GET", "/v1/brands/3/orders/9/acknowledge", "PUT");
	assert_not_allowed("HEAD", "/v1/brands/3/orders/9/acknowledge", "PUT");
	assert_not_allowed("POST", "/v1/brands/3/orders/9/acknowledge/", "PUT");
}
END_TEST

START_TEST(methods_are_case_sensitive)
{
	assert_not_allowed("get", "/healthz", "GET, HEAD");
	assert_not_allowed("post", "/v1/retailers/5/orders", "GET, HEAD, POST");
}
END_TEST

START_TEST(head_matches_get_route)
{
	assert_found("HEAD", "/healthz", R_HEALTHZ, 0, 0, 0);
	assert_found("HEAD", "/healthz/", R_HEALTHZ, 0, 0, 0);
	/* The GET route of the collection, not the POST one. */
	assert_found("HEAD", "/v1/retailers/8/orders", R_ORDERS_LIST, 1, 8, 0);
	assert_found("HEAD", "/v1/retailers/8/orders/2", R_ORDER_GET, 2, 8, 2);
}
END_TEST

START_TEST(same_path_picks_route_by_method)
{
	assert_found("GET", "/v1/retailers/4/orders", R_ORDERS_LIST, 1, 4, 0);
	assert_found("POST", "/v1/retailers/4/orders", R_ORDERS_CREATE, 1, 4, 0);
}
END_TEST

START_TEST(result_is_reset_on_every_call)
{
	struct route_result res;
	/* A match, then a method-not-allowed: no route or args carried over. */
	ck_assert_int_eq(router_match(table, R_COUNT, "GET", "/v1/retailers/5/orders/7", &res),
			 ROUTE_FOUND);
	ck_assert_int_eq(router_match(table, R_COUNT, "DELETE", "/healthz", &res),
			 ROUTE_METHOD_NOT_ALLOWED);
	ck_assert_ptr_null(res.route);
	ck_assert_uint_eq(res.nargs, 0);
	ck_assert_str_eq(res.allow, "GET, HEAD");
	/* Then a match: the earlier allow text is gone. */
	ck_assert_int_eq(router_match(table, R_COUNT, "GET", "/healthz", &res), ROUTE_FOUND);
	ck_assert_str_eq(res.allow, "");
	ck_assert_ptr_eq(res.route, &table[R_HEALTHZ]);
}
END_TEST

START_TEST(empty_table_finds_nothing)
{
	struct route_result res;
	poison(&res);
	ck_assert_int_eq(router_match(table, 0, "GET", "/healthz", &res), ROUTE_NOT_FOUND);
	ck_assert_ptr_null(res.route);
}
END_TEST

static Suite *router_suite(void)
{
	Suite *s = suite_create("router");

	TCase *tc = tcase_create("match");
	tcase_add_test(tc, literal_path_matches);
	tcase_add_test(tc, one_trailing_slash_matches);
	tcase_add_test(tc, integer_args_filled_in_order);
	tcase_add_test(tc, largest_accepted_args);
	tcase_add_test(tc, double_slashes_do_not_match);
	tcase_add_test(tc, bad_id_segments_do_not_match);
	tcase_add_test(tc, empty_id_segment_does_not_match);
	tcase_add_test(tc, extra_segments_do_not_match);
	tcase_add_test(tc, prefix_only_does_not_match);
	tcase_add_test(tc, unknown_path_is_not_found);
	tcase_add_test(tc, empty_table_finds_nothing);
	suite_add_tcase(s, tc);

	tc = tcase_create("methods");
	tcase_add_test(tc, wrong_method_on_orders_collection_lists_allowed);
	tcase_add_test(tc, wrong_method_on_other_paths_lists_allowed);
	tcase_add_test(tc, methods_are_case_sensitive);
	tcase_add_test(tc, head_matches_get_route);
	tcase_add_test(tc, same_path_picks_route_by_method);
	tcase_add_test(tc, result_is_reset_on_every_call);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	return run_suite(router_suite());
}
