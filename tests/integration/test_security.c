/*
 * Isolation between parties and hostile input: every route against every
 * kind of key, injection-shaped values in every filter, keys never in the
 * access log, and no internals in error bodies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "domain/log.h"
#include "harness.h"

static struct test_server ts;
static FILE *access_log;
static struct logger *access_logger;
static char *retailer500, *retailer600, *brand501, *brand502, *revoked500;

static void setup(void)
{
	access_log = tmpfile();
	ck_assert_ptr_nonnull(access_log);
	access_logger = logger_new(access_log, LOG_INFO);
	ck_assert_ptr_nonnull(access_logger);
	struct server_options opts = {.log = access_logger};
	ts_start_routes(&ts, true, api_routes, api_routes_count, &opts);
	int64_t revoked_id;
	retailer500 = ts_key(&ts, PARTY_RETAILER, 500, NULL);
	retailer600 = ts_key(&ts, PARTY_RETAILER, 600, NULL);
	brand501 = ts_key(&ts, PARTY_BRAND, 501, NULL);
	brand502 = ts_key(&ts, PARTY_BRAND, 502, NULL);
	revoked500 = ts_key(&ts, PARTY_RETAILER, 500, &revoked_id);
	ts_revoke(&ts, revoked_id);
}

static void teardown(void)
{
	ts_stop(&ts);
	logger_free(access_logger);
	fclose(access_log);
	free(retailer500);
	free(retailer600);
	free(brand501);
	free(brand502);
	free(revoked500);
}

/* The route's pattern with the party id and 1 for other ids. */
static void fill_path(const char *pattern, int64_t party_id, char *out, size_t cap)
{
	size_t n = 0;
	int arg = 0;
	for (const char *p = pattern; *p && n + 24 < cap;) {
		if (*p == ':') {
			n += (size_t)snprintf(out + n, cap - n, "%lld",
					      arg++ == 0 ? (long long)party_id : 1LL);
			while (*p && *p != '/')
				p++;
		} else {
			out[n++] = *p++;
		}
	}
	out[n] = '\0';
}

static long call(const struct route *r, int64_t party_id, const char *key)
{
	char path[256];
	fill_path(r->pattern, party_id, path, sizeof(path));
	struct http_response resp;
	struct http_call c = {.method = r->method,
			      .path = path,
			      .key = key,
			      .body = r->accepts_body ? "{}" : NULL};
	http_do(&ts, &c, &resp);
	long status = resp.status;
	if (status == 401) {
		char *h = http_header(&resp, "WWW-Authenticate");
		ck_assert_msg(h != NULL, "%s %s: 401 without WWW-Authenticate", r->method, path);
		free(h);
	}
	http_response_free(&resp);
	return status;
}

START_TEST(every_route_against_every_kind_of_key)
{
	int checked = 0;
	for (size_t i = 0; i < api_routes_count; i++) {
		const struct route *r = &api_routes[i];
		if (r->party == PARTY_NONE)
			continue;
		bool retailer = r->party == PARTY_RETAILER;
		int64_t own = retailer ? 500 : 501;
		const char *own_key = retailer ? retailer500 : brand501;
		const char *same_kind_other = retailer ? retailer600 : brand502;
		const char *other_kind = retailer ? brand501 : retailer500;
		long s = call(r, own, NULL);
		ck_assert_msg(s == 401, "%s %s without a key: %ld", r->method, r->pattern, s);
		s = call(r, own, revoked500);
		ck_assert_msg(s == (retailer ? 401 : 401), "%s %s revoked: %ld", r->method,
			      r->pattern, s);
		s = call(r, own, "dl_1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
		ck_assert_msg(s == 401, "%s %s forged key: %ld", r->method, r->pattern, s);
		s = call(r, own, same_kind_other);
		ck_assert_msg(s == 403, "%s %s other party's key: %ld", r->method, r->pattern, s);
		s = call(r, own, other_kind);
		ck_assert_msg(s == 403, "%s %s other kind's key: %ld", r->method, r->pattern, s);
		s = call(r, own, own_key);
		ck_assert_msg(s != 401 && s != 403, "%s %s own key: %ld", r->method, r->pattern, s);
		checked++;
	}
	ck_assert_int_ge(checked, 20);
}
END_TEST

/* Posts one order as retailer 500 and returns its id. */
static int64_t post_order(const char *po)
{
	char body[1024];
	snprintf(body, sizeof(body),
		 "{\"purchase_order_number\": \"%s\", \"ordered_at\": \"2016-07-06T10:25\","
		 " \"ship_to\": {\"name1\": \"T\", \"street1\": \"S\", \"city\": \"C\","
		 " \"province\": \"CA\", \"postal_code\": \"90254\", \"country\": \"US\"},"
		 " \"shipping_method\": {\"code\": \"GROUND\", \"carrier\": {\"code\": \"UPSN\"}},"
		 " \"order_lines\": [{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 2,"
		 " \"net_price\": \"1.00\", \"price\": \"2.00\"}]}",
		 po);
	struct http_response r;
	http_send(&ts, "POST", "/v1/retailers/500/orders/", retailer500, body, &r);
	ck_assert_msg(r.status == 201, "%s", r.body);
	int64_t id = json_integer_value(json_object_get(r.json, "id"));
	http_response_free(&r);
	return id;
}

/* A snapshot of everything retailer 500 can see. */
static char *snapshot(void)
{
	struct http_response r;
	http_get(&ts, "/v1/retailers/500/orders/?limit=250", retailer500, &r);
	ck_assert_int_eq(r.status, 200);
	char *s = strdup(r.body);
	http_response_free(&r);
	return s;
}

START_TEST(injection_shaped_filter_values_are_400_and_change_nothing)
{
	post_order("INJ-1");
	char *before = snapshot();
	static const char *const filters[] = {
		"status",	   "is_acknowledged", "ordered_at_lt",
		"received_at_gte", "fulfill_by_gt",   "acknowledged_at_lte",
		"closed_at_lt",	   "limit",	      "cursor",
	};
	static const char *const values[] = {
		"%27%20OR%201%3D1%20--",
		"1%00",
		"%C0%AE%C0%AE",
		"99999999999999999999999999",
		"-99999999999999999999",
		"1e10",
		"0x10",
		"%22%3B%20DROP%20TABLE%20orders%3B",
	};
	for (size_t f = 0; f < sizeof(filters) / sizeof(filters[0]); f++) {
		for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
			char path[256];
			snprintf(path, sizeof(path), "/v1/retailers/500/orders/?%s=%s", filters[f],
				 values[v]);
			struct http_response r;
			http_get(&ts, path, retailer500, &r);
			ck_assert_msg(r.status == 400, "%s: %ld %s", path, r.status, r.body);
			ck_assert_str_eq(http_error_code(&r), "invalid_parameter");
			http_response_free(&r);
		}
	}
	/* A purchase order number is free text: hostile text matches nothing and breaks nothing. */
	struct http_response r;
	http_get(&ts, "/v1/retailers/500/orders/?purchase_order_number=%27%20OR%201%3D1%20--",
		 retailer500, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "count")), 0);
	http_response_free(&r);
	char *after = snapshot();
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}
END_TEST

START_TEST(injection_shaped_body_values_are_refused_or_stored_verbatim)
{
	/* As data, a quote is just a character: stored and returned as sent. */
	int64_t id = post_order("O'Brien\\\"; DROP TABLE orders; --");
	char path[64];
	snprintf(path, sizeof(path), "/v1/retailers/500/orders/%lld/", (long long)id);
	struct http_response r;
	http_get(&ts, path, retailer500, &r);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "purchase_order_number")),
			 "O'Brien\"; DROP TABLE orders; --");
	http_response_free(&r);
	/* Huge numbers and overlong UTF-8 are refused. */
	static const char *const bodies[] = {
		"{\"order_id\": 99999999999999999999999, \"reason_id\": 2, \"cancel_remaining\": "
		"true}",
		"{\"order_id\": 1, \"reason_id\": 1e300, \"cancel_remaining\": true}",
		"{\"order_id\": \"1 OR 1=1\", \"reason_id\": 2, \"cancel_remaining\": true}",
		"{\"order_id\": 1, \"reason_id\": 2, \"cancel_lines\": [{\"order_line_id\": 1, "
		"\"quantity\": 1e2}]}",
		"{\"order_id\": 1, \"reason_id\": 2, \"cancel_remaining\": true, \"x\": "
		"\"\xc0\xae\"}",
	};
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		http_send(&ts, "POST", "/v1/brands/501/cancels/", brand501, bodies[i], &r);
		ck_assert_msg(r.status == 400, "%s: %ld %s", bodies[i], r.status, r.body);
		http_response_free(&r);
	}
	http_get(&ts, "/v1/brands/501/cancels/", brand501, &r);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "count")), 0);
	http_response_free(&r);
}
END_TEST

START_TEST(keys_never_reach_the_access_log)
{
	struct http_response r;
	http_get(&ts, "/v1/retailers/500/orders/", retailer500, &r);
	http_response_free(&r);
	http_get(&ts, "/v1/retailers/500/orders/", revoked500, &r);
	http_response_free(&r);
	/* The log line is written when the request completes: stop to flush every line. */
	server_stop(ts.srv, 2000);
	ts.srv = NULL;
	fflush(access_log);
	rewind(access_log);
	char line[4096];
	int lines = 0;
	while (fgets(line, sizeof(line), access_log) != NULL) {
		lines++;
		ck_assert_msg(strstr(line, retailer500 + 5) == NULL, "key in log: %s", line);
		ck_assert_msg(strstr(line, revoked500 + 5) == NULL, "key in log: %s", line);
		ck_assert_msg(strstr(line, "Bearer") == NULL, "credential in log: %s", line);
	}
	ck_assert_int_ge(lines, 2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("security");
	TCase *tc = tcase_create("security");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, every_route_against_every_kind_of_key);
	tcase_add_test(tc, injection_shaped_filter_values_are_400_and_change_nothing);
	tcase_add_test(tc, injection_shaped_body_values_are_refused_or_stored_verbatim);
	tcase_add_test(tc, keys_never_reach_the_access_log);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
