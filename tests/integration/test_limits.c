/*
 * Bounded resources and failing disks: idle and slow connections and a
 * flood of oversized bodies do not keep a normal client out; a full store
 * answers a clear 5xx, writes nothing half, keeps serving reads, and takes
 * writes again when space returns.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sqlite3.h>

#include "api/api.h"
#include "harness.h"

static struct test_server ts;
static char *key;

static void setup(void)
{
	ts_start(&ts, true);
	key = ts_key(&ts, PARTY_RETAILER, 500, NULL);
}

static void teardown(void)
{
	free(key);
	ts_stop(&ts);
}

static int connect_to_server(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(ts.port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void assert_normal_client_answered(void)
{
	struct http_response r;
	http_get(&ts, "/v1/retailers/500/orders/", key, &r);
	ck_assert_int_eq(r.status, 200);
	http_response_free(&r);
}

#define IDLE_CONNECTIONS 300

START_TEST(idle_and_slow_connections_do_not_keep_a_client_out)
{
	int fds[IDLE_CONNECTIONS];
	for (int i = 0; i < IDLE_CONNECTIONS; i++) {
		fds[i] = connect_to_server();
		/* Half send nothing; half send a request line and stop (slowloris). */
		if (i % 2 == 1) {
			const char partial[] =
				"GET /v1/retailers/500/orders/ HTTP/1.1\r\nHost: x\r\nX-Slow: ";
			ck_assert_int_eq(write(fds[i], partial, sizeof(partial) - 1),
					 (ssize_t)(sizeof(partial) - 1));
		}
	}
	assert_normal_client_answered();
	/* Trickle one more byte on each slow one: still answered. */
	for (int i = 1; i < IDLE_CONNECTIONS; i += 2)
		ck_assert_int_eq(write(fds[i], "a", 1), 1);
	assert_normal_client_answered();
	for (int i = 0; i < IDLE_CONNECTIONS; i++)
		close(fds[i]);
}
END_TEST

START_TEST(flood_of_oversized_bodies_is_refused_early)
{
	/* 2 MiB declared: refused from the headers, before the body is read. */
	char head[256];
	for (int i = 0; i < 50; i++) {
		int fd = connect_to_server();
		int n = snprintf(head, sizeof(head),
				 "POST /v1/retailers/500/orders/ HTTP/1.1\r\nHost: x\r\n"
				 "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
				 "Content-Length: %d\r\n\r\n",
				 key, 2 * 1024 * 1024);
		ck_assert_int_eq(write(fd, head, (size_t)n), n);
		char reply[512] = {0};
		ssize_t got = read(fd, reply, sizeof(reply) - 1);
		ck_assert_msg(got > 0 && strstr(reply, " 413 ") != NULL, "%s", reply);
		close(fd);
	}
	/* Real 2 MiB bodies, sent in full. */
	size_t big = (size_t)2 * 1024 * 1024;
	char *body = malloc(big + 1);
	ck_assert_ptr_nonnull(body);
	memset(body, ' ', big);
	body[0] = '{';
	body[big - 1] = '}';
	body[big] = '\0';
	for (int i = 0; i < 5; i++) {
		struct http_response r;
		struct http_call c = {.method = "POST",
				      .path = "/v1/retailers/500/orders/",
				      .key = key,
				      .body = body,
				      .body_len = big};
		http_do(&ts, &c, &r);
		ck_assert_int_eq(r.status, 413);
		http_response_free(&r);
	}
	free(body);
	assert_normal_client_answered();
}
END_TEST

static const char order_body[] =
	"{\"purchase_order_number\": \"%s\", \"ordered_at\": \"2016-07-06T10:25\","
	" \"ship_to\": {\"name1\": \"%s\", \"street1\": \"S\", \"city\": \"C\","
	" \"province\": \"CA\", \"postal_code\": \"90254\", \"country\": \"US\"},"
	" \"shipping_method\": {\"code\": \"GROUND\", \"carrier\": {\"code\": \"UPSN\"}},"
	" \"order_lines\": [{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 2,"
	" \"net_price\": \"1.00\", \"price\": \"2.00\"}]}";

static long post_order(const char *po, size_t name_len, struct http_response *r)
{
	char *name = malloc(name_len + 1);
	memset(name, 'n', name_len);
	name[name_len] = '\0';
	size_t n = sizeof(order_body) + strlen(po) + name_len;
	char *body = malloc(n);
	snprintf(body, n, order_body, po, name);
	http_send(&ts, "POST", "/v1/retailers/500/orders/", key, body, r);
	free(body);
	free(name);
	return r->status;
}

static long long count_rows(const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	ck_assert_int_eq(sqlite3_open_v2(ts.db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	long long n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

START_TEST(full_store_answers_503_writes_nothing_and_recovers)
{
	struct http_response r;
	ck_assert_int_eq(post_order("BEFORE-FULL", 10, &r), 201);
	http_response_free(&r);
	/* No room to grow: the next pages the writes need are refused, as on a full disk. */
	ck_assert_int_eq(store_set_max_bytes(ts.store, 1), STORE_OK);
	long status = 0;
	int attempts = 0;
	/* Names of 200 bytes fill the free pages within a few orders. */
	for (; attempts < 200 && status != 503; attempts++) {
		char po[32];
		snprintf(po, sizeof(po), "FULL-%d", attempts);
		status = post_order(po, 200, &r);
		if (status == 503) {
			ck_assert_str_eq(http_error_code(&r), "unavailable");
			ck_assert_ptr_null(strstr(r.body, "SQLITE"));
			ck_assert_ptr_null(strstr(r.body, "sqlite"));
		} else {
			ck_assert_int_eq(status, 201);
		}
		http_response_free(&r);
	}
	ck_assert_int_eq(status, 503);
	/* Nothing half-written: every stored order has its line and its address. */
	ck_assert_int_eq(count_rows("SELECT count(*) FROM orders o WHERE NOT EXISTS "
				    "(SELECT 1 FROM order_lines l WHERE l.order_id = o.id)"),
			 0);
	ck_assert_int_eq(count_rows("SELECT count(*) FROM addresses a WHERE NOT EXISTS "
				    "(SELECT 1 FROM orders o WHERE o.ship_to_id = a.id)"),
			 0);
	long long stored = count_rows("SELECT count(*) FROM orders");
	/* Reads keep working. */
	http_get(&ts, "/v1/retailers/500/orders/?limit=250", key, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "count")), stored);
	http_response_free(&r);
	struct http_response health;
	http_get(&ts, "/healthz", NULL, &health);
	ck_assert_int_eq(health.status, 200);
	http_response_free(&health);
	/* Space returns: writes work again, the refused one included. */
	ck_assert_int_eq(store_set_max_bytes(ts.store, 0), STORE_OK);
	char po[32];
	snprintf(po, sizeof(po), "FULL-%d", attempts - 1);
	ck_assert_int_eq(post_order(po, 200, &r), 201);
	http_response_free(&r);
	ck_assert_int_eq(count_rows("SELECT count(*) FROM orders"), stored + 1);
	ck_assert_str_eq("ok", count_rows("SELECT count(*) FROM pragma_integrity_check WHERE "
					  "integrity_check = 'ok'") == 1
				       ? "ok"
				       : "not ok");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("limits");
	TCase *tc = tcase_create("limits");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, idle_and_slow_connections_do_not_keep_a_client_out);
	tcase_add_test(tc, flood_of_oversized_bodies_is_refused_early);
	tcase_add_test(tc, full_store_answers_503_writes_nothing_and_recovers);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
