/*
 * Connections (CONTRACT.md section 18): each side lists and reads its own
 * connections with their SLA hours and allowed shipping methods, nobody
 * else's; ETags and 304 follow the catalog; lists page like every list.
 */
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
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

static json_t *get_json(const char *path, const char *key, long want)
{
	struct http_response r;
	http_get(&ts, path, key, &r);
	ck_assert_msg(r.status == want, "GET %s: %ld %s", path, r.status, r.body);
	json_t *j = json_incref(r.json);
	http_response_free(&r);
	return j;
}

/* The connection of `results` between retailer and brand, or NULL. */
static json_t *find(json_t *results, int64_t retailer, int64_t brand)
{
	size_t i;
	json_t *c;
	json_array_foreach(results, i, c)
	{
		if (json_integer_value(json_object_get(json_object_get(c, "retailer"), "id")) ==
			    retailer &&
		    json_integer_value(json_object_get(json_object_get(c, "brand"), "id")) == brand)
			return c;
	}
	return NULL;
}

START_TEST(retailer_lists_its_brands_with_sla_and_methods)
{
	json_t *page = get_json("/v1/retailers/500/connections/", demo.key500, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(page, "count")), 2);
	ck_assert(json_is_null(json_object_get(page, "next")));
	json_t *results = json_object_get(page, "results");
	json_t *c = find(results, 500, 501);
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(find(results, 500, 502));
	ck_assert_ptr_null(find(results, 600, 501));
	/* Exactly the contract's properties. */
	static const char *const keys[] = {"id",
					   "retailer",
					   "brand",
					   "acknowledge_hours",
					   "fulfill_hours",
					   "inventory_stale_hours",
					   "shipping_methods"};
	ck_assert_uint_eq(json_object_size(c), sizeof(keys) / sizeof(keys[0]));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		ck_assert_msg(json_object_get(c, keys[i]) != NULL, "no %s", keys[i]);
	ck_assert(json_integer_value(json_object_get(c, "id")) > 0);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "retailer"), "name")),
			 "Demo Retailer");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "brand"), "name")),
			 "Marla Cielo");
	ck_assert_int_eq(json_integer_value(json_object_get(c, "acknowledge_hours")), 24);
	ck_assert_int_eq(json_integer_value(json_object_get(c, "fulfill_hours")), 72);
	ck_assert_int_eq(json_integer_value(json_object_get(c, "inventory_stale_hours")), 24);
	json_t *methods = json_object_get(c, "shipping_methods");
	ck_assert_uint_eq(json_array_size(methods), 3);
	json_t *m = json_array_get(methods, 0);
	ck_assert_str_eq(json_string_value(json_object_get(m, "code")), "GROUND");
	ck_assert_str_eq(json_string_value(json_object_get(m, "name")), "UPS Ground");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(m, "carrier"), "code")),
			 "UPSN");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(m, "carrier"), "name")),
			 "UPS");
	ck_assert_str_eq(json_string_value(json_object_get(m, "generic")), "Ground");
	json_decref(page);
}
END_TEST

START_TEST(brand_lists_its_retailers)
{
	json_t *page = get_json("/v1/brands/501/connections/", demo.key501, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(page, "count")), 3);
	json_t *results = json_object_get(page, "results");
	ck_assert_ptr_nonnull(find(results, 500, 501));
	ck_assert_ptr_nonnull(find(results, 600, 501));
	json_t *late = find(results, 700, 501);
	ck_assert_ptr_nonnull(late);
	/* The demo's retailer for trying deadlines: due at once, stale at once. */
	ck_assert_int_eq(json_integer_value(json_object_get(late, "acknowledge_hours")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(late, "fulfill_hours")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(late, "inventory_stale_hours")), 0);
	json_decref(page);
	page = get_json("/v1/brands/502/connections/", demo.key502, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(page, "count")), 1);
	json_decref(page);
	/* Retailer 600 and brand 502 stay unconnected. */
	page = get_json("/v1/retailers/600/connections/", demo.key600, 200);
	ck_assert_ptr_null(find(json_object_get(page, "results"), 600, 502));
	json_decref(page);
}
END_TEST

START_TEST(one_connection_only_for_its_parties)
{
	json_t *page = get_json("/v1/brands/502/connections/", demo.key502, 200);
	int64_t id = json_integer_value(
		json_object_get(json_array_get(json_object_get(page, "results"), 0), "id"));
	json_decref(page);
	char path[96];
	snprintf(path, sizeof(path), "/v1/brands/502/connections/%lld/", (long long)id);
	json_t *c = get_json(path, demo.key502, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(c, "id")), id);
	json_decref(c);
	snprintf(path, sizeof(path), "/v1/retailers/500/connections/%lld", (long long)id);
	c = get_json(path, demo.key500, 200);
	json_decref(c);
	/* Not retailer 600's, not brand 501's: 404, as for any object of another party. */
	struct http_response r;
	snprintf(path, sizeof(path), "/v1/retailers/600/connections/%lld/", (long long)id);
	http_get(&ts, path, demo.key600, &r);
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(http_error_code(&r), "not_found");
	http_response_free(&r);
	snprintf(path, sizeof(path), "/v1/brands/501/connections/%lld/", (long long)id);
	http_get(&ts, path, demo.key501, &r);
	ck_assert_int_eq(r.status, 404);
	http_response_free(&r);
	/* Another party's key: 403. */
	http_get(&ts, "/v1/retailers/500/connections/", demo.key600, &r);
	ck_assert_int_eq(r.status, 403);
	http_response_free(&r);
	http_get(&ts, "/v1/retailers/500/connections/", NULL, &r);
	ck_assert_int_eq(r.status, 401);
	http_response_free(&r);
}
END_TEST

START_TEST(read_only_and_checked_query)
{
	struct http_response r;
	http_send(&ts, "POST", "/v1/retailers/500/connections/", demo.key500, "{}", &r);
	ck_assert_int_eq(r.status, 405);
	char *allow = http_header(&r, "Allow");
	ck_assert_str_eq(allow, "GET, HEAD");
	free(allow);
	http_response_free(&r);
	http_get(&ts, "/v1/retailers/500/connections/?brand=501", demo.key500, &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(http_error_code(&r), "invalid_parameter");
	ck_assert(http_error_has_field(&r, "brand"));
	http_response_free(&r);
}
END_TEST

START_TEST(pages_follow_next)
{
	json_t *page = get_json("/v1/brands/501/connections/?limit=2", demo.key501, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(page, "results")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(page, "count")), 3);
	const char *next = json_string_value(json_object_get(page, "next"));
	ck_assert_ptr_nonnull(next);
	json_t *rest = get_json(next, demo.key501, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(rest, "results")), 1);
	ck_assert(json_is_null(json_object_get(rest, "next")));
	ck_assert(json_is_string(json_object_get(rest, "previous")));
	json_decref(rest);
	json_decref(page);
}
END_TEST

/* A conditional GET with If-None-Match; returns the status and the new ETag (caller frees). */
static long conditional(const char *path, const char *key, const char *etag, char **new_etag)
{
	char header[160];
	snprintf(header, sizeof(header), "If-None-Match: %s", etag);
	const char *const headers[] = {header, NULL};
	struct http_call call = {.method = "GET", .path = path, .key = key, .headers = headers};
	struct http_response r;
	http_do(&ts, &call, &r);
	long status = r.status;
	*new_etag = http_header(&r, "ETag");
	http_response_free(&r);
	return status;
}

START_TEST(etags_follow_the_catalog)
{
	static const char *const paths[] = {"/v1/retailers/700/connections/",
					    "/v1/retailers/700/connections/4/"};
	for (size_t i = 0; i < 2; i++) {
		struct http_response r;
		http_get(&ts, paths[i], demo.key700, &r);
		ck_assert_msg(r.status == 200, "%s: %ld %s", paths[i], r.status, r.body);
		char *etag = http_header(&r, "ETag");
		ck_assert_ptr_nonnull(etag);
		http_response_free(&r);
		char *again = NULL;
		ck_assert_int_eq(conditional(paths[i], demo.key700, etag, &again), 304);
		ck_assert_str_eq(again, etag);
		free(again);
		/* A catalog change (the connection's hours) makes the copy stale. */
		field_errors fe;
		field_errors_init(&fe);
		char doc[256];
		snprintf(doc, sizeof(doc),
			 "{\"connections\": [{\"retailer_id\": 700, \"brand_id\": 501, "
			 "\"hours_to_acknowledge\": %zu, \"hours_to_fulfill\": 0, "
			 "\"inventory_stale_hours\": 0, \"shipping_method_ids\": [1]}]}",
			 i + 1);
		ck_assert_int_eq(catalog_import_text(ts.store, doc, strlen(doc), &fe, NULL),
				 CATALOG_IMPORTED);
		field_errors_free(&fe);
		ck_assert_int_eq(conditional(paths[i], demo.key700, etag, &again), 200);
		ck_assert_str_ne(again, etag);
		free(again);
		free(etag);
	}
	json_t *c = get_json("/v1/retailers/700/connections/4/", demo.key700, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(c, "acknowledge_hours")), 2);
	ck_assert_uint_eq(json_array_size(json_object_get(c, "shipping_methods")), 1);
	json_decref(c);
}
END_TEST

static Suite *connections_suite(void)
{
	Suite *s = suite_create("connections");
	TCase *tc = tcase_create("connections");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, retailer_lists_its_brands_with_sla_and_methods);
	tcase_add_test(tc, brand_lists_its_retailers);
	tcase_add_test(tc, one_connection_only_for_its_parties);
	tcase_add_test(tc, read_only_and_checked_query);
	tcase_add_test(tc, pages_follow_next);
	tcase_add_test(tc, etags_follow_the_catalog);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(connections_suite());
}
