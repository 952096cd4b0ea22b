/*
 * The HTTP layer against a real server on an ephemeral port: health,
 * authentication (401, 403, revoked keys), routing (404, 405 with Allow),
 * bodies (413, 415, invalid JSON) and declared query parameters.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "handler.h" /* src/api/: an echo handler of its own */
#include "harness.h"

static const char *const statuses[] = {"open", "partial", "closed", "canceled", NULL};
static const struct query_param echo_query[] = {
	{.name = "status", .type = QUERY_CHOICE, .flags = QUERY_REPEATABLE, .choices = statuses},
	{.name = "limit", .type = QUERY_INTEGER, .min = 1, .max = 250},
	{.name = "ordered_at", .type = QUERY_EPOCH, .flags = QUERY_RANGE},
	{.name = NULL},
};

/* Answers what the server handed it: caller, path arguments, query, body. */
static void echo(struct api_request *req)
{
	json_t *args = json_array(), *query = json_object();
	for (size_t i = 0; i < req->route.nargs; i++)
		json_array_append_new(args, json_integer(req->route.args[i]));
	for (size_t i = 0; i < req->query.count; i++) {
		const struct query_value *v = &req->query.values[i];
		char key[64];
		snprintf(key, sizeof(key), "%s%s", v->param->name, query_op_suffix(v->op));
		json_object_set_new(query, key, json_string(v->text));
	}
	api_json(req, req->body ? 201 : 200,
		 json_pack("{s:s, s:I, s:o, s:o, s:O?}", "party",
			   party_kind_name(req->caller.party), "party_id",
			   (json_int_t)req->caller.party_id, "args", args, "query", query, "body",
			   req->body));
}

static const struct route routes[] = {
	{"GET", "/healthz", api_health, PARTY_NONE, NULL, 0, NULL},
	{"GET", "/v1/retailers/:retailer_id/things", echo, PARTY_RETAILER, echo_query, 0, NULL},
	{"POST", "/v1/retailers/:retailer_id/things", echo, PARTY_RETAILER, NULL, 1, NULL},
	{"GET", "/v1/retailers/:retailer_id/things/:id", echo, PARTY_RETAILER, NULL, 0, NULL},
	{"PUT", "/v1/brands/:brand_id/things/:id/acknowledge", echo, PARTY_BRAND, NULL, 0, NULL},
};

static struct test_server ts;
static char *retailer_key, *other_retailer_key, *brand_key;
static int64_t retailer_key_id;

static void setup(void)
{
	ts_start_routes(&ts, true, routes, sizeof(routes) / sizeof(routes[0]), NULL);
	retailer_key = ts_key(&ts, PARTY_RETAILER, 500, &retailer_key_id);
	other_retailer_key = ts_key(&ts, PARTY_RETAILER, 600, NULL);
	brand_key = ts_key(&ts, PARTY_BRAND, 501, NULL);
}

static void teardown(void)
{
	free(retailer_key);
	free(other_retailer_key);
	free(brand_key);
	ts_stop(&ts);
}

START_TEST(healthz_answers_without_a_key)
{
	struct http_response r;
	http_get(&ts, "/healthz", NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "ok");
	ck_assert_int_ge(json_integer_value(json_object_get(r.json, "schema_version")), 1);
	char *ct = http_header(&r, "Content-Type");
	ck_assert_str_eq(ct, "application/json");
	free(ct);
	char *rid = http_header(&r, "X-Request-Id");
	ck_assert_ptr_nonnull(rid);
	ck_assert_uint_eq(strlen(rid), 16);
	free(rid);
	http_response_free(&r);
}
END_TEST

START_TEST(real_route_table_serves_healthz)
{
	/* The production table, not the test one: what `dropline serve` answers. */
	struct test_server real;
	ts_start(&real, true);
	struct http_response r;
	http_get(&real, "/healthz/", NULL, &r);
	ck_assert_int_eq(r.status, 200);
	http_response_free(&r);
	http_get(&real, "/nope", NULL, &r);
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(http_error_code(&r), "not_found");
	http_response_free(&r);
	ts_stop(&real);
}
END_TEST

START_TEST(missing_key_is_401_with_www_authenticate)
{
	struct http_response r;
	http_get(&ts, "/v1/retailers/500/things", NULL, &r);
	ck_assert_int_eq(r.status, 401);
	ck_assert_str_eq(http_error_code(&r), "unauthorized");
	char *h = http_header(&r, "WWW-Authenticate");
	ck_assert_ptr_nonnull(h);
	ck_assert(strncmp(h, "Bearer", 6) == 0);
	free(h);
	http_response_free(&r);
}
END_TEST

START_TEST(unknown_and_malformed_keys_are_401)
{
	static const char *const bad[] = {
		"dl_1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", /* right shape, wrong secret */
		"dl_999_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", /* no such key id */
		"not-a-key",
		"dl_1_short",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct http_response r;
		http_get(&ts, "/v1/retailers/500/things", bad[i], &r);
		ck_assert_msg(r.status == 401, "%s: %ld", bad[i], r.status);
		ck_assert_str_eq(http_error_code(&r), "unauthorized");
		char *h = http_header(&r, "WWW-Authenticate");
		ck_assert_ptr_nonnull(h);
		free(h);
		http_response_free(&r);
	}
	/* A Basic credential is not a key either. */
	struct http_response r;
	const char *const headers[] = {"Authorization: Basic dXNlcjpwYXNz", NULL};
	struct http_call call = {
		.method = "GET", .path = "/v1/retailers/500/things", .headers = headers};
	http_do(&ts, &call, &r);
	ck_assert_int_eq(r.status, 401);
	http_response_free(&r);
}
END_TEST

START_TEST(valid_key_reaches_the_handler_with_its_party)
{
	struct http_response r;
	http_get(&ts, "/v1/retailers/500/things/42/", retailer_key, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "party")), "retailer");
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "party_id")), 500);
	json_t *args = json_object_get(r.json, "args");
	ck_assert_int_eq(json_integer_value(json_array_get(args, 0)), 500);
	ck_assert_int_eq(json_integer_value(json_array_get(args, 1)), 42);
	http_response_free(&r);
}
END_TEST

START_TEST(key_of_another_party_is_403)
{
	struct http_response r;
	http_get(&ts, "/v1/retailers/500/things", other_retailer_key, &r);
	ck_assert_int_eq(r.status, 403);
	ck_assert_str_eq(http_error_code(&r), "forbidden");
	http_response_free(&r);
	/* A brand key on a retailer path, and a retailer key on a brand path. */
	http_get(&ts, "/v1/retailers/501/things", brand_key, &r);
	ck_assert_int_eq(r.status, 403);
	http_response_free(&r);
	http_send(&ts, "PUT", "/v1/brands/501/things/1/acknowledge/", retailer_key, NULL, &r);
	ck_assert_int_eq(r.status, 403);
	http_response_free(&r);
	http_send(&ts, "PUT", "/v1/brands/501/things/1/acknowledge/", brand_key, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	http_response_free(&r);
}
END_TEST

START_TEST(revoked_key_stops_working_at_once)
{
	struct http_response r;
	http_get(&ts, "/v1/retailers/500/things", retailer_key, &r);
	ck_assert_int_eq(r.status, 200);
	http_response_free(&r);
	ts_revoke(&ts, retailer_key_id);
	http_get(&ts, "/v1/retailers/500/things", retailer_key, &r);
	ck_assert_int_eq(r.status, 401);
	ck_assert_str_eq(http_error_code(&r), "unauthorized");
	http_response_free(&r);
}
END_TEST

START_TEST(unknown_route_is_404_in_the_error_format)
{
	static const char *const paths[] = {"/",
					    "/v1/retailers/500/nothing",
					    "/v1/retailers/abc/things",
					    "/v1/retailers/0/things",
					    "/v1/retailers/500/things//",
					    "/v1/retailers/500/things/1/2"};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct http_response r;
		http_get(&ts, paths[i], retailer_key, &r);
		ck_assert_msg(r.status == 404, "%s: %ld", paths[i], r.status);
		ck_assert_str_eq(http_error_code(&r), "not_found");
		ck_assert(json_is_string(
			json_object_get(json_object_get(r.json, "error"), "message")));
		ck_assert(
			json_is_array(json_object_get(json_object_get(r.json, "error"), "fields")));
		http_response_free(&r);
	}
}
END_TEST

START_TEST(wrong_method_is_405_with_allow)
{
	struct http_response r;
	http_send(&ts, "DELETE", "/v1/retailers/500/things/", retailer_key, NULL, &r);
	ck_assert_int_eq(r.status, 405);
	ck_assert_str_eq(http_error_code(&r), "method_not_allowed");
	char *allow = http_header(&r, "Allow");
	ck_assert_ptr_nonnull(allow);
	ck_assert_str_eq(allow, "GET, HEAD, POST");
	free(allow);
	http_response_free(&r);
	http_send(&ts, "POST", "/healthz", NULL, "{}", &r);
	ck_assert_int_eq(r.status, 405);
	allow = http_header(&r, "Allow");
	ck_assert_str_eq(allow, "GET, HEAD");
	free(allow);
	http_response_free(&r);
}
END_TEST

START_TEST(body_over_one_mebibyte_is_413)
{
	size_t n = ((size_t)1 << 20) + 1;
	char *big = malloc(n + 1);
	ck_assert_ptr_nonnull(big);
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	big[n] = '\0';
	struct http_response r;
	struct http_call call = {.method = "POST",
				 .path = "/v1/retailers/500/things",
				 .key = retailer_key,
				 .body = big,
				 .body_len = n};
	http_do(&ts, &call, &r);
	ck_assert_int_eq(r.status, 413);
	ck_assert_str_eq(http_error_code(&r), "payload_too_large");
	http_response_free(&r);
	/* Exactly 1 MiB is accepted. */
	big[n - 2] = '}';
	call.body_len = n - 1;
	http_do(&ts, &call, &r);
	ck_assert_int_eq(r.status, 201);
	http_response_free(&r);
	/* Chunked, with no Content-Length to answer early: still 413. */
	const char *const chunked[] = {"Transfer-Encoding: chunked", NULL};
	call.body_len = n;
	big[n - 2] = ' ';
	call.headers = chunked;
	http_do(&ts, &call, &r);
	ck_assert_int_eq(r.status, 413);
	http_response_free(&r);
	free(big);
}
END_TEST

START_TEST(body_that_is_not_json_is_415)
{
	struct http_response r;
	struct http_call call = {.method = "POST",
				 .path = "/v1/retailers/500/things",
				 .key = retailer_key,
				 .body = "a=1",
				 .content_type = "text/plain"};
	http_do(&ts, &call, &r);
	ck_assert_int_eq(r.status, 415);
	ck_assert_str_eq(http_error_code(&r), "unsupported_media_type");
	http_response_free(&r);
	call.body = "{}";
	call.content_type = "application/json; charset=utf-8";
	http_do(&ts, &call, &r);
	ck_assert_int_eq(r.status, 201);
	http_response_free(&r);
}
END_TEST

START_TEST(invalid_json_is_400_naming_line_and_column)
{
	struct http_response r;
	http_send(&ts, "POST", "/v1/retailers/500/things", retailer_key,
		  "{\n  \"variant\": {\"identifier\": \"GBD34315\",}\n}", &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(http_error_code(&r), "invalid_json");
	const char *message =
		json_string_value(json_object_get(json_object_get(r.json, "error"), "message"));
	ck_assert_msg(strstr(message, "line 2") != NULL && strstr(message, "column") != NULL, "%s",
		      message);
	http_response_free(&r);
	/* Duplicate keys are ambiguous: refused too. */
	http_send(&ts, "POST", "/v1/retailers/500/things", retailer_key, "{\"a\": 1, \"a\": 2}",
		  &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(http_error_code(&r), "invalid_json");
	http_response_free(&r);
}
END_TEST

START_TEST(undeclared_query_parameter_is_400)
{
	struct http_response r;
	http_get(&ts, "/v1/retailers/500/things?limit=5&colour=red&status=shipped", retailer_key,
		 &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(http_error_code(&r), "invalid_parameter");
	ck_assert(http_error_has_field(&r, "colour"));
	ck_assert(http_error_has_field(&r, "status"));
	ck_assert(!http_error_has_field(&r, "limit"));
	http_response_free(&r);
	/* A route that declares no parameters takes none. */
	http_get(&ts, "/v1/retailers/500/things/1?limit=5", retailer_key, &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert(http_error_has_field(&r, "limit"));
	http_response_free(&r);
}
END_TEST

START_TEST(declared_query_parameters_reach_the_handler)
{
	struct http_response r;
	http_get(&ts,
		 "/v1/retailers/500/things?status=open&status=closed&ordered_at_gte=1467800700",
		 retailer_key, &r);
	ck_assert_int_eq(r.status, 200);
	json_t *q = json_object_get(r.json, "query");
	ck_assert_str_eq(json_string_value(json_object_get(q, "ordered_at_gte")), "1467800700");
	ck_assert_ptr_nonnull(json_object_get(q, "status"));
	http_response_free(&r);
}
END_TEST

START_TEST(client_request_id_is_echoed)
{
	struct http_response r;
	const char *const headers[] = {"X-Request-Id: trace-123", NULL};
	struct http_call call = {.method = "GET", .path = "/healthz", .headers = headers};
	http_do(&ts, &call, &r);
	char *rid = http_header(&r, "X-Request-Id");
	ck_assert_str_eq(rid, "trace-123");
	free(rid);
	http_response_free(&r);
}
END_TEST

START_TEST(route_without_body_refuses_one)
{
	struct http_response r;
	http_send(&ts, "PUT", "/v1/brands/501/things/1/acknowledge", brand_key, "{\"x\": 1}", &r);
	ck_assert_int_eq(r.status, 400);
	http_response_free(&r);
	http_send(&ts, "PUT", "/v1/brands/501/things/1/acknowledge", brand_key, "{}", &r);
	ck_assert_int_eq(r.status, 200);
	http_response_free(&r);
}
END_TEST

START_TEST(rate_limit_answers_429_with_retry_after)
{
	/* A server of its own, with a small limit: 3 requests a second, bursts of 3. */
	struct test_server limited;
	struct server_options opts = {.rate_limit = 3, .rate_burst = 3};
	ts_start_routes(&limited, true, routes, sizeof(routes) / sizeof(routes[0]), &opts);
	char *key = ts_key(&limited, PARTY_RETAILER, 500, NULL);
	char *other = ts_key(&limited, PARTY_RETAILER, 500, NULL);
	struct http_response r;
	for (int i = 0; i < 3; i++) {
		http_get(&limited, "/v1/retailers/500/things", key, &r);
		ck_assert_int_eq(r.status, 200);
		http_response_free(&r);
	}
	http_get(&limited, "/v1/retailers/500/things", key, &r);
	ck_assert_int_eq(r.status, 429);
	ck_assert_str_eq(http_error_code(&r), "rate_limited");
	char *retry = http_header(&r, "Retry-After");
	ck_assert_ptr_nonnull(retry);
	ck_assert_int_ge(atoi(retry), 1);
	free(retry);
	http_response_free(&r);
	/* Another key has its own bucket; the health check needs no key and is not limited. */
	http_get(&limited, "/v1/retailers/500/things", other, &r);
	ck_assert_int_eq(r.status, 200);
	http_response_free(&r);
	for (int i = 0; i < 5; i++) {
		http_get(&limited, "/healthz", NULL, &r);
		ck_assert_int_eq(r.status, 200);
		http_response_free(&r);
	}
	free(key);
	free(other);
	ts_stop(&limited);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("http");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, healthz_answers_without_a_key);
	tcase_add_test(tc, real_route_table_serves_healthz);
	tcase_add_test(tc, missing_key_is_401_with_www_authenticate);
	tcase_add_test(tc, unknown_and_malformed_keys_are_401);
	tcase_add_test(tc, valid_key_reaches_the_handler_with_its_party);
	tcase_add_test(tc, key_of_another_party_is_403);
	tcase_add_test(tc, revoked_key_stops_working_at_once);
	tcase_add_test(tc, unknown_route_is_404_in_the_error_format);
	tcase_add_test(tc, wrong_method_is_405_with_allow);
	tcase_add_test(tc, body_over_one_mebibyte_is_413);
	tcase_add_test(tc, body_that_is_not_json_is_415);
	tcase_add_test(tc, invalid_json_is_400_naming_line_and_column);
	tcase_add_test(tc, undeclared_query_parameter_is_400);
	tcase_add_test(tc, declared_query_parameters_reach_the_handler);
	tcase_add_test(tc, client_request_id_is_echoed);
	tcase_add_test(tc, route_without_body_refuses_one);
	tcase_add_test(tc, rate_limit_answers_429_with_retry_after);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
