/*
 * The request head as RFC 9112 frames it, over raw sockets (a client
 * library would not send these): what a client without a key gets before
 * `100 Continue`; Content-Length with Transfer-Encoding, two Content-Lengths,
 * whitespace before a colon, missing and repeated Host, unknown transfer
 * codings (400 or 501 in the contract's JSON, and the connection closed, so
 * that no smuggled second request is served); absolute-form targets; %00
 * and %2F in a path; a NUL in a header value; and the access-log line of a
 * path that is not UTF-8. Then the connection limits: past the per-address
 * limit a socket is closed while another address is served, and a silent
 * socket is closed after the idle timeout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "api/api.h"
#include "domain/log.h"
#include "client.h"
#include "harness.h"

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

/* A connected socket to `port` from the loopback address `from` ("127.0.0.2"). */
static int connect_from(uint16_t port, const char *from)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	struct sockaddr_in src = {.sin_family = AF_INET};
	ck_assert_int_eq(inet_pton(AF_INET, from, &src.sin_addr), 1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&src, sizeof(src)), 0);
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	/* A safety net, not a measure: a server that never answers fails the test, not hangs it. */
	struct timeval tv = {.tv_sec = 30};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* What a socket receives until the server closes it; *closed false when it did not. */
static char *read_until_closed(int fd, bool *closed)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	ck_assert_ptr_nonnull(buf);
	*closed = false;
	for (;;) {
		if (len + 1024 > cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
		ssize_t got = read(fd, buf + len, cap - len - 1);
		if (got == 0) {
			*closed = true;
			break;
		}
		if (got < 0) {
			/* A reset is a close too (the server did not read all we sent). */
			*closed = errno == ECONNRESET;
			break;
		}
		len += (size_t)got;
	}
	buf[len] = '\0';
	return buf;
}

/* Sends raw bytes on a fresh connection and returns all the server answered before closing. */
static char *exchange(const char *raw, size_t len, bool *closed)
{
	int fd = connect_from(ts.port, "127.0.0.1");
	ck_assert_int_eq(write(fd, raw, len), (ssize_t)len);
	char *reply = read_until_closed(fd, closed);
	close(fd);
	return reply;
}

static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* The reply is one answer with `status` and the JSON error `code`, and the connection closed. */
static void expect_one_error(const char *raw, size_t len, int status, const char *code)
{
	bool closed = false;
	char *reply = exchange(raw, len, &closed);
	char line[32];
	snprintf(line, sizeof(line), "HTTP/1.1 %d ", status);
	ck_assert_msg(strncmp(reply, line, strlen(line)) == 0, "want %d for %s\ngot: %s", status,
		      raw, reply);
	ck_assert_msg(count_of(reply, "\r\nContent-Length: ") == 1,
		      "more than one answer to %s\ngot: %s", raw, reply);
	ck_assert_msg(strstr(reply, "Content-Type: application/json") != NULL, "%s", reply);
	const char *body = strstr(reply, "\r\n\r\n");
	ck_assert_ptr_nonnull(body);
	json_t *j = json_loads(body + 4, 0, NULL);
	ck_assert_msg(j != NULL, "not JSON: %s", body + 4);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
			 code);
	json_decref(j);
	ck_assert_msg(closed, "the connection stayed open after %s", raw);
	free(reply);
}

#define EXPECT_ERROR(raw, status, code) expect_one_error(raw, sizeof(raw) - 1, status, code)

START_TEST(no_key_or_no_route_is_answered_before_100_continue)
{
	char head[512];
	/* A megabyte announced and never sent: the answer must not wait for it. */
	int n = snprintf(head, sizeof(head),
			 "POST " R500 "/orders/ HTTP/1.1\r\nHost: x\r\n"
			 "Content-Type: application/json\r\nExpect: 100-continue\r\n"
			 "Content-Length: 1048576\r\n\r\n");
	expect_one_error(head, (size_t)n, 401, "unauthorized");
	n = snprintf(head, sizeof(head),
		     "POST " R500 "/orders/ HTTP/1.1\r\nHost: x\r\n"
		     "Authorization: Bearer dl_1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n"
		     "Content-Type: application/json\r\nExpect: 100-continue\r\n"
		     "Content-Length: 1048576\r\n\r\n");
	expect_one_error(head, (size_t)n, 401, "unauthorized");
	n = snprintf(head, sizeof(head),
		     "POST /v1/nowhere HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
		     "Expect: 100-continue\r\nContent-Length: 1048576\r\n\r\n",
		     demo.key500);
	expect_one_error(head, (size_t)n, 404, "not_found");
	/* Another party's key: 403, also before the body. */
	n = snprintf(head, sizeof(head),
		     "POST " R500 "/orders/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
		     "Content-Type: application/json\r\nExpect: 100-continue\r\n"
		     "Content-Length: 1048576\r\n\r\n",
		     demo.key600);
	expect_one_error(head, (size_t)n, 403, "forbidden");
	/* With the right key the server asks for the body. */
	n = snprintf(head, sizeof(head),
		     "POST " R500 "/orders/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
		     "Content-Type: application/json\r\nExpect: 100-continue\r\n"
		     "Content-Length: 1048576\r\n\r\n",
		     demo.key500);
	int fd = connect_from(ts.port, "127.0.0.1");
	ck_assert_int_eq(write(fd, head, (size_t)n), n);
	char reply[64] = {0};
	ck_assert_int_gt(read(fd, reply, sizeof(reply) - 1), 0);
	ck_assert_msg(strncmp(reply, "HTTP/1.1 100 Continue", 21) == 0, "%s", reply);
	close(fd);
}
END_TEST

START_TEST(content_length_with_transfer_encoding_is_400_and_closes)
{
	/* Read as chunked, the body ends at "0": what follows would be a second request. */
	EXPECT_ERROR("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
		     "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
		     "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
		     400, "bad_request");
	EXPECT_ERROR("POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
		     "Content-Length: 5\r\n\r\n0\r\n\r\n"
		     "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
		     400, "bad_request");
}
END_TEST

START_TEST(two_different_content_lengths_are_400_and_close)
{
	EXPECT_ERROR("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
		     "Content-Length: 38\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
		     400, "bad_request");
}
END_TEST

START_TEST(whitespace_before_a_colon_is_400)
{
	EXPECT_ERROR("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Foo : bar\r\n\r\n", 400, "bad_request");
	EXPECT_ERROR("POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n"
		     "Content-Length: 3\r\n\r\nabc",
		     400, "bad_request");
	EXPECT_ERROR("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Foo\t: bar\r\n\r\n", 400,
		     "bad_request");
}
END_TEST

START_TEST(http_1_1_needs_exactly_one_host)
{
	EXPECT_ERROR("GET /healthz HTTP/1.1\r\n\r\n", 400, "bad_request");
	EXPECT_ERROR("GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "bad_request");
	/* HTTP/1.0 has no Host requirement. */
	bool closed = false;
	static const char ten[] = "GET /healthz HTTP/1.0\r\n\r\n";
	char *reply = exchange(ten, sizeof(ten) - 1, &closed);
	ck_assert_msg(strncmp(reply, "HTTP/1.0 200 ", 13) == 0 ||
			      strncmp(reply, "HTTP/1.1 200 ", 13) == 0,
		      "%s", reply);
	free(reply);
}
END_TEST

START_TEST(unknown_transfer_coding_is_501_and_closes_at_once)
{
	/* Before: no answer, the connection held until the 30 s timeout. */
	EXPECT_ERROR("POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nabc", 501,
		     "not_implemented");
	EXPECT_ERROR("POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
		     "3\r\nabc\r\n0\r\n\r\n",
		     501, "not_implemented");
	EXPECT_ERROR("POST /healthz HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400,
		     "bad_request");
}
END_TEST

START_TEST(absolute_form_targets_are_served)
{
	char raw[512];
	int n = snprintf(raw, sizeof(raw),
			 "GET http://x:8080" R500 "/orders/ HTTP/1.1\r\nHost: x:8080\r\n"
			 "Authorization: Bearer %s\r\nConnection: close\r\n\r\n",
			 demo.key500);
	bool closed = false;
	char *reply = exchange(raw, (size_t)n, &closed);
	ck_assert_msg(strncmp(reply, "HTTP/1.1 200 ", 13) == 0, "%s", reply);
	free(reply);
	static const char bare[] = "GET HTTP://x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	reply = exchange(bare, sizeof(bare) - 1, &closed);
	/* "http://x" is "/": no route, but read as a path, not as "http://x". */
	ck_assert_msg(strncmp(reply, "HTTP/1.1 404 ", 13) == 0 && strstr(reply, "GET /\"") != NULL,
		      "%s", reply);
	free(reply);
}
END_TEST

START_TEST(nul_and_encoded_slash_in_a_path_are_400)
{
	json_t *order = create_order(500, demo.key500, "[" LINE_5 "]");
	int64_t id = json_integer_value(json_object_get(order, "id"));
	json_decref(order);
	/* Before: the path was cut at %00 and order `id` answered. */
	long long i64 = (long long)id;
	char tails[5][64];
	snprintf(tails[0], sizeof(tails[0]), "%lld%%00/evil", i64);
	snprintf(tails[1], sizeof(tails[1]), "%lld%%00", i64);
	snprintf(tails[2], sizeof(tails[2]), "%lld%%2Fevil", i64);
	snprintf(tails[3], sizeof(tails[3]), "%lld%%2f", i64);
	snprintf(tails[4], sizeof(tails[4]), "%lld/..%%2F%lld", i64, i64);
	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		const char *tail = tails[i];
		char raw[512];
		int n = snprintf(raw, sizeof(raw),
				 "GET " R500 "/orders/%s HTTP/1.1\r\nHost: x\r\n"
				 "Authorization: Bearer %s\r\n\r\n",
				 tail, demo.key500);
		expect_one_error(raw, (size_t)n, 400, "bad_request");
	}
	/* A raw NUL in the target, and control characters. */
	char raw[512];
	int n = snprintf(raw, sizeof(raw),
			 "GET " R500 "/orders/%lld?/evil HTTP/1.1\r\nHost: x\r\n"
			 "Authorization: Bearer %s\r\n\r\n",
			 (long long)id, demo.key500);
	*strchr(raw, '?') = '\0';
	expect_one_error(raw, (size_t)n, 400, "bad_request");
	EXPECT_ERROR("GET /healthz\x01 HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request");
}
END_TEST

START_TEST(nul_in_a_header_value_does_not_authenticate)
{
	char raw[512];
	int n = snprintf(raw, sizeof(raw),
			 "GET " R500 "/orders/ HTTP/1.1\r\nHost: x\r\n"
			 "Authorization: Bearer %s?junk\r\n\r\n",
			 demo.key500);
	*strchr(raw, '?') = '\0';
	expect_one_error(raw, (size_t)n, 400, "bad_request");
	/* The same key as last header, and in the middle. */
	n = snprintf(raw, sizeof(raw),
		     "GET " R500 "/orders/ HTTP/1.1\r\nAuthorization: Bearer %s?junk\r\n"
		     "Host: x\r\n\r\n",
		     demo.key500);
	*strchr(raw, '?') = '\0';
	expect_one_error(raw, (size_t)n, 400, "bad_request");
	/* An obsolete line folding is refused too (RFC 9112 5.2). */
	n = snprintf(raw, sizeof(raw),
		     "GET " R500 "/orders/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer\r\n"
		     " %s\r\n\r\n",
		     demo.key500);
	expect_one_error(raw, (size_t)n, 400, "bad_request");
	/* Without the NUL, with CR LF or bare LF line ends, the key works. */
	char forms[3][512];
	int lens[3];
	lens[0] =
		snprintf(forms[0], sizeof(forms[0]),
			 "GET " R500 "/orders/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
			 "X-Empty:\r\nConnection: close\r\n\r\n",
			 demo.key500);
	lens[1] = snprintf(forms[1], sizeof(forms[1]),
			   "GET " R500 "/orders/ HTTP/1.1\nHost: x\nAuthorization: Bearer %s\n"
			   "Connection: close\n\n",
			   demo.key500);
	lens[2] = snprintf(forms[2], sizeof(forms[2]),
			   "GET " R500
			   "/orders/ HTTP/1.1\r\nAuthorization:   Bearer %s  \r\nHost: x\r\n"
			   "Connection: close\r\n\r\n",
			   demo.key500);
	for (size_t i = 0; i < 3; i++) {
		memcpy(raw, forms[i], sizeof(raw));
		n = lens[i];
		bool closed = false;
		char *reply = exchange(raw, (size_t)n, &closed);
		ck_assert_msg(strncmp(reply, "HTTP/1.1 200 ", 13) == 0, "form %zu: %s", i, reply);
		free(reply);
	}
}
END_TEST

START_TEST(a_path_that_is_not_utf8_is_logged_escaped)
{
	struct test_server logged;
	FILE *log = tmpfile();
	ck_assert_ptr_nonnull(log);
	struct logger *logger = logger_new(log, LOG_INFO);
	ck_assert_ptr_nonnull(logger);
	struct server_options opts = {.log = logger};
	ts_start_routes(&logged, true, api_routes, api_routes_count, &opts);
	uint16_t port = logged.port;
	int fd = connect_from(port, "127.0.0.1");
	static const char raw[] = "GET /probe-%FF HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	ck_assert_int_eq(write(fd, raw, sizeof(raw) - 1), (ssize_t)(sizeof(raw) - 1));
	bool closed = false;
	char *reply = read_until_closed(fd, &closed);
	ck_assert_msg(strncmp(reply, "HTTP/1.1 404 ", 13) == 0, "%s", reply);
	free(reply);
	close(fd);
	/* One libmicrohttpd refuses itself (a malformed Content-Length) is logged too. */
	fd = connect_from(port, "127.0.0.1");
	static const char bad[] =
		"POST /probe-cl HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n";
	ck_assert_int_eq(write(fd, bad, sizeof(bad) - 1), (ssize_t)(sizeof(bad) - 1));
	reply = read_until_closed(fd, &closed);
	free(reply);
	close(fd);
	ts_stop(&logged); /* every completion has run */
	logger_free(logger);
	rewind(log);
	char line[1024];
	bool probe = false, cl = false;
	while (fgets(line, sizeof(line), log) != NULL) {
		json_t *j = json_loads(line, 0, NULL);
		ck_assert_msg(j != NULL, "not JSON: %s", line);
		const char *path = json_string_value(json_object_get(j, "path"));
		if (path != NULL && strcmp(path, "/probe-%FF") == 0) {
			probe = true;
			ck_assert_int_eq(json_integer_value(json_object_get(j, "status")), 404);
			ck_assert_str_eq(json_string_value(json_object_get(j, "method")), "GET");
		}
		if (path != NULL && strcmp(path, "/probe-cl") == 0) {
			cl = true;
			ck_assert_int_eq(json_integer_value(json_object_get(j, "status")), 400);
		}
		json_decref(j);
	}
	fclose(log);
	ck_assert_msg(probe, "no access-log line for GET /probe-%%FF");
	ck_assert_msg(cl, "no access-log line for the malformed Content-Length");
}
END_TEST

/* GET /healthz from `from` on a fresh connection: its status line. */
static bool healthz_answers(uint16_t port, const char *from)
{
	int fd = connect_from(port, from);
	static const char raw[] = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	ck_assert_int_eq(write(fd, raw, sizeof(raw) - 1), (ssize_t)(sizeof(raw) - 1));
	bool closed = false;
	char *reply = read_until_closed(fd, &closed);
	bool ok = strncmp(reply, "HTTP/1.1 200 ", 13) == 0;
	free(reply);
	close(fd);
	return ok;
}

#define PER_ADDRESS 8
#define FLOOD	    200

START_TEST(sockets_past_the_per_address_limit_are_closed_while_others_are_served)
{
	struct test_server limited;
	struct server_options opts = {.per_ip_limit = PER_ADDRESS};
	ts_start_routes(&limited, true, api_routes, api_routes_count, &opts);
	int fds[FLOOD];
	for (int i = 0; i < FLOOD; i++)
		fds[i] = connect_from(limited.port, "127.0.0.1");
	/* Another address is served at once; before, it queued behind the idle sockets. */
	ck_assert(healthz_answers(limited.port, "127.0.0.2"));
	/* The sockets past the limit were closed without a byte; the first ones are open. */
	size_t closed_count = 0;
	for (int i = PER_ADDRESS; i < FLOOD; i++) {
		char byte;
		ssize_t got = read(fds[i], &byte, 1);
		closed_count += got == 0 || (got < 0 && errno == ECONNRESET);
	}
	ck_assert_uint_eq(closed_count, FLOOD - PER_ADDRESS);
	for (int i = PER_ADDRESS; i < FLOOD; i++)
		close(fds[i]);
	/* The first PER_ADDRESS still work. */
	static const char raw[] = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	for (int i = 0; i < PER_ADDRESS; i++) {
		ck_assert_int_eq(write(fds[i], raw, sizeof(raw) - 1), (ssize_t)(sizeof(raw) - 1));
		bool closed = false;
		char *reply = read_until_closed(fds[i], &closed);
		ck_assert_msg(strncmp(reply, "HTTP/1.1 200 ", 13) == 0, "%d: %s", i, reply);
		free(reply);
		close(fds[i]);
	}
	ts_stop(&limited);
}
END_TEST

START_TEST(a_silent_socket_is_closed_after_the_idle_timeout)
{
	struct test_server quick;
	struct server_options opts = {.idle_timeout = 1};
	ts_start_routes(&quick, true, api_routes, api_routes_count, &opts);
	int silent = connect_from(quick.port, "127.0.0.1");
	/* One that sent a request keeps its connection past the idle timeout. */
	int talking = connect_from(quick.port, "127.0.0.1");
	static const char raw[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	ck_assert_int_eq(write(talking, raw, sizeof(raw) - 1), (ssize_t)(sizeof(raw) - 1));
	char reply[512];
	ssize_t got = read(talking, reply, sizeof(reply) - 1);
	ck_assert_int_gt(got, 0);
	/* The silent one is closed by the server (read() returns 0, not the 30 s safety net). */
	char byte;
	ck_assert_int_eq(read(silent, &byte, 1), 0);
	close(silent);
	/* The talking one, idle as long as the silent one was, still answers. */
	ck_assert_int_eq(write(talking, raw, sizeof(raw) - 1), (ssize_t)(sizeof(raw) - 1));
	got = read(talking, reply, sizeof(reply) - 1);
	ck_assert_int_gt(got, 0);
	reply[got] = '\0';
	ck_assert_msg(strncmp(reply, "HTTP/1.1 200 ", 13) == 0, "%s", reply);
	close(talking);
	ts_stop(&quick);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("framing");
	TCase *tc = tcase_create("framing");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, no_key_or_no_route_is_answered_before_100_continue);
	tcase_add_test(tc, content_length_with_transfer_encoding_is_400_and_closes);
	tcase_add_test(tc, two_different_content_lengths_are_400_and_close);
	tcase_add_test(tc, whitespace_before_a_colon_is_400);
	tcase_add_test(tc, http_1_1_needs_exactly_one_host);
	tcase_add_test(tc, unknown_transfer_coding_is_501_and_closes_at_once);
	tcase_add_test(tc, absolute_form_targets_are_served);
	tcase_add_test(tc, nul_and_encoded_slash_in_a_path_are_400);
	tcase_add_test(tc, nul_in_a_header_value_does_not_authenticate);
	tcase_add_test(tc, a_path_that_is_not_utf8_is_logged_escaped);
	tcase_add_test(tc, sockets_past_the_per_address_limit_are_closed_while_others_are_served);
	tcase_add_test(tc, a_silent_socket_is_closed_after_the_idle_timeout);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
