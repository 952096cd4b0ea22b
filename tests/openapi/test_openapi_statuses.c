/*
 * The answers docs/openapi.yaml documents on every route that the other
 * integration tests do not reach on the production route table: HEAD, 405
 * with Allow on every path, a body or a query a route does not take (400,
 * 415), an oversized body (413), the rate limit (429 with Retry-After),
 * Idempotency-Key replays and reuse on a PUT, 304 on the brand's side, a
 * client's X-Request-Id. Each test checks what a client sees (status and
 * headers); the response log then lets openapi_responses check every body
 * and header against the document.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "api/api.h"
#include "harness.h"
#include "openapi_log.h"

static struct test_server ts;
static char *retailer, *brand;
static char paths[9][96]; /* the GET routes, with ids of records that exist */
static char ack_paths[3][96];

static const char order_body[] =
	"{\"purchase_order_number\": \"%s\", \"ordered_at\": \"2016-07-06T10:25\","
	" \"ship_to\": {\"name1\": \"T\", \"street1\": \"S\", \"city\": \"C\","
	" \"province\": \"CA\", \"postal_code\": \"90254\", \"country\": \"US\"},"
	" \"shipping_method\": {\"code\": \"GROUND\", \"carrier\": {\"code\": \"UPSN\"}},"
	" \"order_lines\": [{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 3,"
	" \"net_price\": \"1.00\", \"price\": \"2.00\"}]}";

/* POSTs a body; returns the new record's id. */
static int64_t create(const char *path, const char *key, const char *body)
{
	struct http_response r;
	http_send(&ts, "POST", path, key, body, &r);
	ck_assert_msg(r.status == 201, "POST %s: %ld %s", path, r.status, r.body);
	int64_t id = json_integer_value(json_object_get(r.json, "id"));
	http_response_free(&r);
	return id;
}

static int64_t create_order(const char *po)
{
	char body[1024];
	snprintf(body, sizeof(body), order_body, po);
	return create("/v1/retailers/500/orders/", retailer, body);
}

/* An order with a shipment and a brand cancellation, and one the retailer canceled. */
static void setup(void)
{
	char body[256];
	ts_start(&ts, true);
	retailer = ts_key(&ts, PARTY_RETAILER, 500, NULL);
	brand = ts_key(&ts, PARTY_BRAND, 501, NULL);
	long long shipped = (long long)create_order("STATUSES-1");
	snprintf(body, sizeof(body),
		 "{\"order_id\": %lld, \"tracking_number\": \"1Z\", \"shipment_lines\":"
		 " [{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 1}]}",
		 shipped);
	long long shipment = (long long)create("/v1/brands/501/shipments/", brand, body);
	snprintf(body, sizeof(body),
		 "{\"order_id\": %lld, \"reason_id\": 2, \"cancel_remaining\": true}", shipped);
	long long brand_cancel = (long long)create("/v1/brands/501/cancels/", brand, body);
	long long canceled = (long long)create_order("STATUSES-2");
	snprintf(body, sizeof(body),
		 "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_remaining\": true}", canceled);
	long long retailer_cancel = (long long)create("/v1/retailers/500/cancels/", retailer, body);

	/* Every GET route, with and without the trailing slash. */
	snprintf(paths[0], sizeof(paths[0]), "/healthz");
	snprintf(paths[1], sizeof(paths[1]), "/v1/retailers/500/orders/");
	snprintf(paths[2], sizeof(paths[2]), "/v1/retailers/500/orders/%lld/", shipped);
	snprintf(paths[3], sizeof(paths[3]), "/v1/retailers/500/cancels/%lld/", retailer_cancel);
	snprintf(paths[4], sizeof(paths[4]), "/v1/retailers/500/shipments/%lld/", shipment);
	snprintf(paths[5], sizeof(paths[5]), "/v1/brands/501/orders/%lld", shipped);
	snprintf(paths[6], sizeof(paths[6]), "/v1/brands/501/cancels/%lld", brand_cancel);
	snprintf(paths[7], sizeof(paths[7]), "/v1/brands/501/shipments/%lld", shipment);
	snprintf(paths[8], sizeof(paths[8]), "/v1/brands/501/shipments");
	snprintf(ack_paths[0], sizeof(ack_paths[0]),
		 "/v1/retailers/500/shipments/%lld/acknowledge/", shipment);
	snprintf(ack_paths[1], sizeof(ack_paths[1]), "/v1/retailers/500/cancels/%lld/acknowledge/",
		 brand_cancel);
	snprintf(ack_paths[2], sizeof(ack_paths[2]), "/v1/brands/501/cancels/%lld/acknowledge/",
		 retailer_cancel);
}

static void teardown(void)
{
	free(retailer);
	free(brand);
	ts_stop(&ts);
}

/* The key for a path: the retailer's under /v1/retailers/, the brand's under /v1/brands/. */
static const char *key_for(const char *path)
{
	if (strncmp(path, "/v1/retailers/", 14) == 0)
		return retailer;
	return strncmp(path, "/v1/brands/", 11) == 0 ? brand : NULL;
}

static long call(const char *method, const char *path, const char *body, const char *ctype,
		 const char *header, struct http_response *r)
{
	const char *headers[] = {header, NULL};
	struct http_call c = {.method = method,
			      .path = path,
			      .key = key_for(path),
			      .body = body,
			      .content_type = ctype,
			      .headers = header != NULL ? headers : NULL};
	http_do(&ts, &c, r);
	return r->status;
}

START_TEST(head_answers_like_get_without_a_body)
{
	for (int i = 0; i < 9; i++) {
		struct http_response r;
		ck_assert_msg(call("HEAD", paths[i], NULL, NULL, NULL, &r) == 200, "%s", paths[i]);
		ck_assert_uint_eq(r.body_len, 0);
		http_response_free(&r);
	}
}
END_TEST

START_TEST(another_method_is_405_naming_the_allowed_ones)
{
	static const char *const methods[] = {"DELETE", "PATCH", "PUT"};
	for (int i = 0; i < 9; i++) {
		for (int m = 0; m < 3; m++) {
			struct http_response r;
			ck_assert_msg(call(methods[m], paths[i], NULL, NULL, NULL, &r) == 405,
				      "%s %s: %ld", methods[m], paths[i], r.status);
			char *allow = http_header(&r, "Allow");
			ck_assert_ptr_nonnull(allow);
			ck_assert_ptr_nonnull(strstr(allow, "GET"));
			free(allow);
			ck_assert_str_eq(http_error_code(&r), "method_not_allowed");
			http_response_free(&r);
		}
	}
	struct http_response r;
	ck_assert_int_eq(call("GET", ack_paths[0], NULL, NULL, NULL, &r), 405);
	http_response_free(&r);
}
END_TEST

START_TEST(a_body_a_get_does_not_take_is_refused)
{
	for (int i = 0; i < 9; i++) {
		struct http_response r;
		ck_assert_int_eq(call("GET", paths[i], "hello", "text/plain", NULL, &r), 415);
		ck_assert_str_eq(http_error_code(&r), "unsupported_media_type");
		http_response_free(&r);
		ck_assert_int_eq(call("GET", paths[i], "{\"a\": 1", NULL, NULL, &r), 400);
		ck_assert_str_eq(http_error_code(&r), "invalid_json");
		http_response_free(&r);
		ck_assert_int_eq(call("GET", paths[i], "{\"a\": 1}", NULL, NULL, &r), 400);
		ck_assert_str_eq(http_error_code(&r), "validation_failed");
		http_response_free(&r);
		ck_assert_int_eq(call("GET", paths[i], "{}", NULL, NULL, &r), 200);
		http_response_free(&r);
	}
}
END_TEST

START_TEST(a_query_a_route_does_not_take_is_400)
{
	for (int i = 0; i < 9; i++) {
		char path[160];
		snprintf(path, sizeof(path), "%s?colour=red", paths[i]);
		struct http_response r;
		ck_assert_int_eq(call("GET", path, NULL, NULL, NULL, &r), 400);
		ck_assert_str_eq(http_error_code(&r), "invalid_parameter");
		ck_assert(http_error_has_field(&r, "colour"));
		http_response_free(&r);
	}
}
END_TEST

START_TEST(an_acknowledgement_refuses_a_body_and_other_media_types)
{
	for (int i = 0; i < 3; i++) {
		struct http_response r;
		ck_assert_int_eq(call("PUT", ack_paths[i], "{\"note\": 1}", NULL, NULL, &r), 400);
		ck_assert_str_eq(http_error_code(&r), "validation_failed");
		http_response_free(&r);
		ck_assert_int_eq(call("PUT", ack_paths[i], "note", "text/plain", NULL, &r), 415);
		http_response_free(&r);
		ck_assert_int_eq(call("PUT", ack_paths[i], "{}", NULL, NULL, &r), 200);
		http_response_free(&r);
	}
}
END_TEST

/*
 * Sends only the head of a request that declares a 2 MiB body, reads the
 * answer until the server closes, and logs it like any response of the
 * harness. (Sending the body too races the early answer: the client may see
 * its upload cut instead of the 413.)
 */
static long oversized(const char *method, const char *path, struct http_response *out)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(ts.port)};
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	struct timeval tv = {.tv_sec = 30};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	const char *key = key_for(path);
	char head[512];
	int n = snprintf(head, sizeof(head),
			 "%s %s HTTP/1.1\r\nHost: x\r\n%s%s%sContent-Type: application/json\r\n"
			 "Content-Length: %d\r\n\r\n",
			 method, path, key ? "Authorization: Bearer " : "", key ? key : "",
			 key ? "\r\n" : "", 2 * 1024 * 1024);
	ck_assert_int_eq(write(fd, head, (size_t)n), n);
	char *raw = malloc(65536);
	ck_assert_ptr_nonnull(raw);
	size_t len = 0;
	ssize_t got;
	while (len < 65535 && (got = read(fd, raw + len, 65535 - len)) > 0)
		len += (size_t)got;
	close(fd);
	raw[len] = '\0';
	char *end = strstr(raw, "\r\n\r\n");
	ck_assert_msg(end != NULL, "%s %s: no answer: %s", method, path, raw);
	memset(out, 0, sizeof(*out));
	out->headers_len = (size_t)(end - raw) + 4;
	out->headers = strndup(raw, out->headers_len);
	out->body = strdup(end + 4);
	out->body_len = strlen(out->body);
	out->json = json_loads(out->body, 0, NULL);
	ck_assert_int_eq(sscanf(raw, "HTTP/1.1 %ld", &out->status), 1);
	free(raw);
	struct http_call c = {.method = method, .path = path, .key = key};
	openapi_log_response(&c, out);
	return out->status;
}

START_TEST(an_oversized_body_is_413_before_it_is_read)
{
	const char *const targets[][2] = {{"GET", "/healthz"},
					  {"GET", "/v1/brands/501/orders/"},
					  {"PUT", ack_paths[0]},
					  {"POST", "/v1/brands/501/cancels/"},
					  {"DELETE", "/v1/brands/501/orders/"},
					  {"GET", "/nowhere"}};
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		struct http_response r;
		ck_assert_msg(oversized(targets[i][0], targets[i][1], &r) == 413, "%s %s: %ld",
			      targets[i][0], targets[i][1], r.status);
		ck_assert_str_eq(http_error_code(&r), "payload_too_large");
		http_response_free(&r);
	}
}
END_TEST

START_TEST(a_put_with_idempotency_key_replays_and_refuses_reuse)
{
	const char *key = "Idempotency-Key: statuses-ack-1";
	struct http_response r;
	ck_assert_int_eq(call("PUT", ack_paths[0], NULL, NULL, key, &r), 200);
	ck_assert_ptr_null(http_header(&r, "Idempotent-Replayed"));
	http_response_free(&r);
	ck_assert_int_eq(call("PUT", ack_paths[0], NULL, NULL, key, &r), 200);
	char *replayed = http_header(&r, "Idempotent-Replayed");
	ck_assert_str_eq(replayed, "true");
	free(replayed);
	http_response_free(&r);
	/* The same key on another request of the same retailer. */
	ck_assert_int_eq(call("PUT", ack_paths[1], NULL, NULL, key, &r), 409);
	ck_assert_str_eq(http_error_code(&r), "conflict");
	http_response_free(&r);
	ck_assert_int_eq(call("PUT", ack_paths[1], NULL, NULL, "Idempotency-Key: with space", &r),
			 400);
	ck_assert_str_eq(http_error_code(&r), "invalid_parameter");
	http_response_free(&r);
}
END_TEST

START_TEST(the_brand_gets_304_for_the_state_it_has)
{
	struct http_response r;
	ck_assert_int_eq(call("GET", paths[5], NULL, NULL, NULL, &r), 200);
	char *etag = http_header(&r, "ETag");
	ck_assert_ptr_nonnull(etag);
	http_response_free(&r);
	char header[128];
	snprintf(header, sizeof(header), "If-None-Match: %s", etag);
	ck_assert_int_eq(call("GET", paths[5], NULL, NULL, header, &r), 304);
	ck_assert_uint_eq(r.body_len, 0);
	http_response_free(&r);
	ck_assert_int_eq(call("HEAD", paths[5], NULL, NULL, header, &r), 304);
	http_response_free(&r);
	free(etag);
}
END_TEST

START_TEST(a_client_request_id_is_echoed)
{
	struct http_response r;
	ck_assert_int_eq(call("GET", paths[1], NULL, NULL, "X-Request-Id: oms-2016.07_06-1", &r),
			 200);
	char *id = http_header(&r, "X-Request-Id");
	ck_assert_str_eq(id, "oms-2016.07_06-1");
	free(id);
	http_response_free(&r);
}
END_TEST

START_TEST(the_rate_limit_answers_429_with_retry_after_on_every_kind_of_route)
{
	/* One request per 100 s: each key's second request is over the limit. */
	struct test_server limited;
	struct server_options opts = {.rate_limit = 0.01, .rate_burst = 1};
	ts_start_routes(&limited, true, api_routes, api_routes_count, &opts);
	const char *const kinds[][2] = {
		{"GET", "/v1/retailers/500/orders/"},
		{"POST", "/v1/retailers/500/orders/"},
		{"GET", "/v1/brands/501/orders/1/"},
		{"PUT", "/v1/brands/501/orders/1/acknowledge/"},
	};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		party_kind party = kinds[i][1][4] == 'r' ? PARTY_RETAILER : PARTY_BRAND;
		char *key = ts_key(&limited, party, party == PARTY_RETAILER ? 500 : 501, NULL);
		struct http_call c = {.method = kinds[i][0], .path = kinds[i][1], .key = key};
		struct http_response r;
		http_do(&limited, &c, &r); /* the one request of the burst */
		http_response_free(&r);
		http_do(&limited, &c, &r);
		ck_assert_int_eq(r.status, 429);
		ck_assert_str_eq(http_error_code(&r), "rate_limited");
		char *retry = http_header(&r, "Retry-After");
		ck_assert_ptr_nonnull(retry);
		ck_assert_int_ge(atoi(retry), 1);
		free(retry);
		http_response_free(&r);
		free(key);
	}
	struct http_response r;
	http_get(&limited, "/healthz", NULL, &r); /* no key, no limit */
	ck_assert_int_eq(r.status, 200);
	http_response_free(&r);
	ts_stop(&limited);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("openapi_statuses");
	TCase *tc = tcase_create("statuses");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, head_answers_like_get_without_a_body);
	tcase_add_test(tc, another_method_is_405_naming_the_allowed_ones);
	tcase_add_test(tc, a_body_a_get_does_not_take_is_refused);
	tcase_add_test(tc, a_query_a_route_does_not_take_is_400);
	tcase_add_test(tc, an_acknowledgement_refuses_a_body_and_other_media_types);
	tcase_add_test(tc, an_oversized_body_is_413_before_it_is_read);
	tcase_add_test(tc, a_put_with_idempotency_key_replays_and_refuses_reuse);
	tcase_add_test(tc, the_brand_gets_304_for_the_state_it_has);
	tcase_add_test(tc, a_client_request_id_is_echoed);
	tcase_add_test(tc, the_rate_limit_answers_429_with_retry_after_on_every_kind_of_route);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
