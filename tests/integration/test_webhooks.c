/*
 * Webhooks (CONTRACT.md section 11): a receiver inside the test, on
 * loopback (the server runs with --webhook-allow-http and
 * --webhook-allow-private), gets each event signed with the subscription's
 * secret, with its headers, in id order under retries, after 500s and
 * timeouts; DELETE stops deliveries; a subscription that keeps failing is
 * disabled with a reason and enable resumes it at the same event; the
 * delivery log shows every attempt. With the default flags, URLs that
 * reach inside are refused at subscribe time, and at connect time.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "api/api.h"
#include "client.h"
#include "handler.h"
#include "harness.h"
#include "receiver.h"
#include "webhooks.h"

/* ---- the receiver ------------------------------------------------------------------ */

#define MAX_RECEIVED 256

struct received {
	int64_t event_id, webhook_id;
	char type[64];
	char signature[160];
	char content_type[64];
	char *body;
};

/* What the test's receiver saw, and how it is to answer. */
struct receiver_state {
	struct receiver http;
	pthread_mutex_t lock;
	struct received got[MAX_RECEIVED];
	size_t n;      /* requests answered 2xx */
	size_t tries;  /* every request */
	int fail_next; /* answer this many requests with fail_status */
	unsigned fail_status;
	int sleep_next; /* hold this many requests for sleep_ms first */
	unsigned sleep_ms;
	bool always_fail;
};

static struct receiver_state rx;

static int64_t header_number(struct MHD_Connection *c, const char *name)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
	return v ? strtoll(v, NULL, 10) : -1;
}

static void header_copy(struct MHD_Connection *c, const char *name, char *out, size_t n)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
	snprintf(out, n, "%s", v ? v : "");
}

static unsigned on_hook(void *ctx, struct MHD_Connection *c, const char *body)
{
	(void)ctx;
	pthread_mutex_lock(&rx.lock);
	rx.tries++;
	unsigned status = 200, sleep_ms = 0;
	if (rx.sleep_next > 0) {
		rx.sleep_next--;
		sleep_ms = rx.sleep_ms;
	}
	if (rx.always_fail) {
		status = rx.fail_status;
	} else if (rx.fail_next > 0) {
		rx.fail_next--;
		status = rx.fail_status;
	}
	pthread_mutex_unlock(&rx.lock);
	if (sleep_ms > 0) {
		struct timespec ts = {.tv_sec = sleep_ms / 1000,
				      .tv_nsec = (long)(sleep_ms % 1000) * 1000000L};
		nanosleep(&ts, NULL);
		status = 200; /* too late: the sender gave up already */
	}
	if (status == 200 && sleep_ms == 0) {
		pthread_mutex_lock(&rx.lock);
		if (rx.n < MAX_RECEIVED) {
			struct received *r = &rx.got[rx.n++];
			r->event_id = header_number(c, "Dropline-Event-Id");
			r->webhook_id = header_number(c, "Dropline-Webhook-Id");
			header_copy(c, "Dropline-Event-Type", r->type, sizeof(r->type));
			header_copy(c, "Dropline-Signature", r->signature, sizeof(r->signature));
			header_copy(c, "Content-Type", r->content_type, sizeof(r->content_type));
			r->body = strdup(body);
		}
		pthread_mutex_unlock(&rx.lock);
	}
	return status;
}

static void rx_start(void)
{
	memset(&rx, 0, sizeof(rx));
	pthread_mutex_init(&rx.lock, NULL);
	rx.fail_status = 500;
	receiver_start(&rx.http, on_hook, NULL);
}

static void rx_stop(void)
{
	receiver_stop(&rx.http);
	for (size_t i = 0; i < rx.n; i++)
		free(rx.got[i].body);
	pthread_mutex_destroy(&rx.lock);
}

static size_t received_count(void)
{
	pthread_mutex_lock(&rx.lock);
	size_t n = rx.n;
	pthread_mutex_unlock(&rx.lock);
	return n;
}

/* Waits (up to a minute: a bound for a hung test, not a timing assertion) for n deliveries. */
static void wait_received(size_t n)
{
	for (int i = 0; i < 6000 && received_count() < n; i++)
		usleep(10000);
	ck_assert_uint_ge(received_count(), n);
}

/* ---- the server ------------------------------------------------------------------------ */

static struct test_server ts;
static struct demo_keys demo;

static void start(bool allow, double give_up)
{
	struct api_options ao = {.webhooks = {.retry_base = 0.2,
					      .timeout = 1,
					      .give_up = give_up,
					      .allow_http = allow,
					      .allow_private = allow}};
	ts_start_api(&ts, true, &ao);
	client_use(&ts);
	demo.key500 = ts_key(&ts, PARTY_RETAILER, 500, &demo.key500_id);
	demo.key600 = ts_key(&ts, PARTY_RETAILER, 600, NULL);
	demo.key700 = ts_key(&ts, PARTY_RETAILER, 700, NULL);
	demo.key501 = ts_key(&ts, PARTY_BRAND, 501, NULL);
	demo.key502 = ts_key(&ts, PARTY_BRAND, 502, NULL);
}

static void setup(void)
{
	rx_start();
	start(true, 3600);
}

static void setup_give_up(void)
{
	rx_start();
	start(true, 1);
}

static void setup_default(void)
{
	rx_start();
	start(false, 0);
}

static void teardown(void)
{
	ts_stop_demo(&ts, &demo);
	rx_stop();
}

/* Subscribes; returns the 201 body (caller frees). */
static json_t *subscribe(const char *side, const char *key, const char *types)
{
	struct http_response r;
	callf("POST", side, key, NULL, &r,
	      "{\"url\": \"http://127.0.0.1:%u/hook\", \"event_types\": %s, "
	      "\"description\": \"test\"}",
	      (unsigned)rx.http.port, types);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	json_t *j = json_incref(r.json);
	http_response_free(&r);
	return j;
}

static bool verify(const char *secret, const struct received *r)
{
	long long t = 0;
	char hex[65] = "";
	if (sscanf(r->signature, "t=%lld,v1=%64[0-9a-f]", &t, hex) != 2)
		return false;
	char stamp[32];
	snprintf(stamp, sizeof(stamp), "%lld.", t);
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)stamp, strlen(stamp));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)r->body, strlen(r->body));
	crypto_auth_hmacsha256_final(&st, mac);
	char want[65];
	sodium_bin2hex(want, sizeof(want), mac, sizeof(mac));
	return strcmp(want, hex) == 0;
}

/* The id of the object an event's body is about. */
static int64_t data_id(const char *body)
{
	json_t *doc = json_loads(body, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	int64_t id = num(json_object_get(doc, "data"), "id");
	json_decref(doc);
	return id;
}

/* ---- the tests ---------------------------------------------------------------------------- */

START_TEST(test_signed_with_headers)
{
	json_t *w = subscribe(R500 "/webhooks/", demo.key500, "[\"order.*\"]");
	const char *secret = str(w, "secret");
	ck_assert_int_eq(strncmp(secret, "whsec_", 6), 0);
	ck_assert_str_eq(str(w, "status"), "enabled");
	ck_assert(json_is_null(json_object_get(w, "disabled_reason")));
	/* The secret is shown once: never in a read. */
	char path[128];
	snprintf(path, sizeof(path), R500 "/webhooks/%lld/", (long long)num(w, "id"));
	json_t *one = get_ok(path, demo.key500);
	ck_assert_ptr_null(json_object_get(one, "secret"));
	ck_assert_str_eq(str(one, "url"), str(w, "url"));
	json_decref(one);
	json_t *list = get_ok(R500 "/webhooks/", demo.key500);
	ck_assert_uint_eq(json_array_size(json_object_get(list, "results")), 1);
	ck_assert_ptr_null(
		json_object_get(json_array_get(json_object_get(list, "results"), 0), "secret"));
	json_decref(list);
	/* Not another party's. */
	struct http_response r;
	snprintf(path, sizeof(path), R600 "/webhooks/%lld/", (long long)num(w, "id"));
	http_get(&ts, path, demo.key600, &r);
	ck_assert_int_eq(r.status, 404);
	http_response_free(&r);

	json_t *order = create_order(500, demo.key500, "[" LINE_5 "]");
	wait_received(1);
	struct received *got = &rx.got[0];
	ck_assert_str_eq(got->type, "order.created");
	ck_assert_str_eq(got->content_type, "application/json");
	ck_assert_int_eq(got->webhook_id, num(w, "id"));
	ck_assert_msg(verify(secret, got), "signature %s does not verify", got->signature);
	/* The body is the event as the feed shows it. */
	json_t *feed = get_ok(R500 "/events/", demo.key500);
	json_t *event = json_array_get(json_object_get(feed, "results"), 0);
	ck_assert_int_eq(num(event, "id"), got->event_id);
	json_t *body = json_loads(got->body, 0, NULL);
	ck_assert(json_equal(body, event));
	/* A signature does not verify with another secret or another body. */
	ck_assert(!verify("whsec_other", got));
	json_decref(body);
	json_decref(feed);
	json_decref(order);
	json_decref(w);
}
END_TEST

START_TEST(test_types_and_prefixes)
{
	json_t *w1 = subscribe(B501 "/webhooks/", demo.key501, "[\"cancel.created\"]");
	json_t *w2 = subscribe(B501 "/webhooks/", demo.key501, "[\"order.*\", \"cancel.*\"]");
	json_t *order = create_order(500, demo.key500, "[" LINE_5 "]");
	struct http_response r;
	callf("POST", B501 "/cancels/", demo.key501, NULL, &r,
	      "{\"order_id\": %lld, \"reason_id\": 2, \"cancel_remaining\": true}",
	      (long long)num(order, "id"));
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	http_response_free(&r);
	/* w2: order.created, cancel.created; w1: cancel.created. */
	wait_received(3);
	size_t for_w1 = 0, for_w2 = 0;
	for (size_t i = 0; i < received_count(); i++) {
		if (rx.got[i].webhook_id == num(w1, "id")) {
			ck_assert_str_eq(rx.got[i].type, "cancel.created");
			for_w1++;
		} else {
			ck_assert_int_eq(rx.got[i].webhook_id, num(w2, "id"));
			ck_assert_str_eq(rx.got[i].type,
					 for_w2 == 0 ? "order.created" : "cancel.created");
			for_w2++;
		}
	}
	ck_assert_uint_eq(for_w1, 1);
	ck_assert_uint_eq(for_w2, 2);
	json_decref(order);
	json_decref(w1);
	json_decref(w2);
}
END_TEST

/* Every event after a first that fails three times: in order, the first with its id again. */
START_TEST(test_order_under_retries)
{
	json_t *w = subscribe(R500 "/webhooks/", demo.key500, "[\"order.created\"]");
	pthread_mutex_lock(&rx.lock);
	rx.fail_next = 3;
	pthread_mutex_unlock(&rx.lock);
	json_t *o[3];
	for (int i = 0; i < 3; i++)
		o[i] = create_order(500, demo.key500, "[" LINE_5 "]");
	wait_received(3);
	ck_assert_uint_eq(rx.tries, 6);
	for (size_t i = 0; i < 3; i++) {
		ck_assert_str_eq(rx.got[i].type, "order.created");
		ck_assert_int_eq(data_id(rx.got[i].body), num(o[i], "id"));
		if (i > 0)
			ck_assert_int_gt(rx.got[i].event_id, rx.got[i - 1].event_id);
	}
	/* The log, newest first: the three deliveries, the three 500s before them. */
	char path[128];
	snprintf(path, sizeof(path), R500 "/webhooks/%lld/deliveries/", (long long)num(w, "id"));
	json_t *log = NULL;
	for (int i = 0; i < 600; i++) {
		json_decref(log);
		log = get_ok(path, demo.key500);
		if (json_array_size(json_object_get(log, "results")) == 6)
			break;
		usleep(10000);
	}
	json_t *rows = json_object_get(log, "results");
	ck_assert_uint_eq(json_array_size(rows), 6);
	for (size_t i = 0; i < 6; i++) {
		json_t *a = json_array_get(rows, i);
		bool failed = i >= 3;
		ck_assert_int_eq(num(a, "status_code"), failed ? 500 : 200);
		ck_assert_int_eq(num(a, "attempt"),
				 failed ? (json_int_t)(6 - i) : (i == 2 ? 4 : 1));
		ck_assert_int_eq(num(a, "event_id"), rx.got[failed ? 0 : 2 - i].event_id);
		ck_assert(failed ? json_is_string(json_object_get(a, "error"))
				 : json_is_null(json_object_get(a, "error")));
		ck_assert(json_is_integer(json_object_get(a, "duration_ms")));
		ck_assert(json_is_string(json_object_get(a, "attempted_at")));
	}
	json_decref(log);
	snprintf(path, sizeof(path), R500 "/webhooks/%lld/deliveries/?limit=2",
		 (long long)num(w, "id"));
	log = get_ok(path, demo.key500);
	ck_assert_uint_eq(json_array_size(json_object_get(log, "results")), 2);
	json_decref(log);
	/* The cursor is the last event delivered. */
	snprintf(path, sizeof(path), R500 "/webhooks/%lld/", (long long)num(w, "id"));
	json_t *one = get_ok(path, demo.key500);
	ck_assert_int_eq(num(one, "last_delivered_event_id"), rx.got[2].event_id);
	json_decref(one);
	for (int i = 0; i < 3; i++)
		json_decref(o[i]);
	json_decref(w);
}
END_TEST

START_TEST(test_receiver_timeout)
{
	json_t *w = subscribe(R500 "/webhooks/", demo.key500, "[\"order.created\"]");
	pthread_mutex_lock(&rx.lock);
	rx.sleep_next = 1;
	rx.sleep_ms = 2500; /* the server waits 1 s */
	pthread_mutex_unlock(&rx.lock);
	json_t *o = create_order(500, demo.key500, "[" LINE_5 "]");
	wait_received(1);
	char path[128];
	snprintf(path, sizeof(path), R500 "/webhooks/%lld/deliveries/", (long long)num(w, "id"));
	/* The receiver has answered; the log row of that answer follows it. */
	json_t *log = NULL;
	for (int i = 0; i < 3000; i++) {
		json_decref(log);
		log = get_ok(path, demo.key500);
		if (json_array_size(json_object_get(log, "results")) >= 2)
			break;
		usleep(10000);
	}
	json_t *rows = json_object_get(log, "results");
	ck_assert_uint_eq(json_array_size(rows), 2);
	json_t *timed_out = json_array_get(rows, 1);
	ck_assert(json_is_null(json_object_get(timed_out, "status_code")));
	ck_assert_msg(strstr(str(timed_out, "error"), "imeout") != NULL ||
			      strstr(str(timed_out, "error"), "timed out") != NULL,
		      "%s", str(timed_out, "error"));
	ck_assert_int_eq(num(timed_out, "event_id"), rx.got[0].event_id);
	json_decref(log);
	json_decref(o);
	json_decref(w);
}
END_TEST

START_TEST(test_delete)
{
	json_t *w1 = subscribe(R500 "/webhooks/", demo.key500, "[\"order.created\"]");
	json_t *w2 = subscribe(R500 "/webhooks/", demo.key500, "[\"order.created\"]");
	char path[128];
	snprintf(path, sizeof(path), R500 "/webhooks/%lld/", (long long)num(w1, "id"));
	struct http_response r;
	http_send(&ts, "DELETE", path, demo.key600, NULL, &r);
	ck_assert_int_eq(r.status, 403);
	http_response_free(&r);
	http_send(&ts, "DELETE", path, demo.key500, NULL, &r);
	ck_assert_int_eq(r.status, 204);
	http_response_free(&r);
	http_get(&ts, path, demo.key500, &r);
	ck_assert_int_eq(r.status, 404);
	http_response_free(&r);
	http_send(&ts, "DELETE", path, demo.key500, NULL, &r);
	ck_assert_int_eq(r.status, 404);
	http_response_free(&r);
	json_t *o = create_order(500, demo.key500, "[" LINE_5 "]");
	json_t *o2 = create_order(500, demo.key500, "[" LINE_5 "]");
	/* w2 gets both; w1, deleted before them, nothing. */
	wait_received(2);
	for (size_t i = 0; i < received_count(); i++)
		ck_assert_int_eq(rx.got[i].webhook_id, num(w2, "id"));
	json_decref(o);
	json_decref(o2);
	json_decref(w1);
	json_decref(w2);
}
END_TEST

START_TEST(test_disable_then_enable)
{
	json_t *w = subscribe(R500 "/webhooks/", demo.key500, "[\"order.created\"]");
	pthread_mutex_lock(&rx.lock);
	rx.always_fail = true;
	pthread_mutex_unlock(&rx.lock);
	json_t *o = create_order(500, demo.key500, "[" LINE_5 "]");
	char path[128];
	snprintf(path, sizeof(path), R500 "/webhooks/%lld/", (long long)num(w, "id"));
	json_t *one = NULL;
	for (int i = 0; i < 3000; i++) {
		json_decref(one);
		one = get_ok(path, demo.key500);
		if (strcmp(str(one, "status"), "disabled") == 0)
			break;
		usleep(10000);
	}
	ck_assert_str_eq(str(one, "status"), "disabled");
	ck_assert_ptr_nonnull(strstr(str(one, "disabled_reason"), "answered 500"));
	json_decref(one);
	ck_assert_uint_eq(received_count(), 0);
	pthread_mutex_lock(&rx.lock);
	rx.always_fail = false;
	pthread_mutex_unlock(&rx.lock);
	snprintf(path, sizeof(path), R500 "/webhooks/%lld/enable/", (long long)num(w, "id"));
	struct http_response r;
	http_send(&ts, "PUT", path, demo.key500, NULL, &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	ck_assert_str_eq(str(r.json, "status"), "enabled");
	ck_assert(json_is_null(json_object_get(r.json, "disabled_reason")));
	http_response_free(&r);
	/* The event held back is the one delivered, nothing was dropped. */
	wait_received(1);
	ck_assert_int_eq(data_id(rx.got[0].body), num(o, "id"));
	json_decref(o);
	json_decref(w);
}
END_TEST

START_TEST(test_bad_bodies)
{
	struct http_response r;
	static const char *const bad[] = {
		"{\"url\": \"http://127.0.0.1:1/\", \"event_types\": []}",
		"{\"url\": \"http://127.0.0.1:1/\", \"event_types\": [\"order.nope\"]}",
		"{\"url\": \"http://127.0.0.1:1/\", \"event_types\": [\"order.created\", "
		"\"order.created\"]}",
		"{\"url\": \"http://127.0.0.1:1/\", \"event_types\": [\"*\"]}",
		"{\"url\": \"not a url\", \"event_types\": [\"order.*\"]}",
		"{\"url\": \"ftp://127.0.0.1/\", \"event_types\": [\"order.*\"]}",
		"{\"event_types\": [\"order.*\"]}",
		"{\"url\": \"http://127.0.0.1:1/\", \"event_types\": [\"order.*\"], \"x\": 1}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		http_send(&ts, "POST", R500 "/webhooks/", demo.key500, bad[i], &r);
		ck_assert_msg(r.status == 400, "%s: %ld %s", bad[i], r.status, r.body);
		ck_assert_str_eq(str(json_object_get(r.json, "error"), "code"),
				 "validation_failed");
		http_response_free(&r);
	}
	json_t *list = get_ok(R500 "/webhooks/", demo.key500);
	ck_assert_uint_eq(json_array_size(json_object_get(list, "results")), 0);
	json_decref(list);
}
END_TEST

/* ---- with the default flags ---------------------------------------------------------------- */

START_TEST(test_refused_inside)
{
	static const char *const urls[] = {
		"http://93.184.215.14/",    "https://127.0.0.1/",
		"https://127.1.2.3:8443/x", "https://10.1.2.3/",
		"https://172.16.0.1/",	    "https://172.31.255.255/",
		"https://192.168.1.1/",	    "https://169.254.169.254/latest/meta-data/",
		"https://[::1]/",	    "https://[::ffff:127.0.0.1]/",
		"https://[fe80::1]/",	    "https://[fd00::1]/",
		"https://0.0.0.0/",	    "https://100.64.0.1/",
		"https://localhost/",	    "https://localhost:9000/hook",
	};
	struct http_response r;
	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		callf("POST", R500 "/webhooks/", demo.key500, NULL, &r,
		      "{\"url\": \"%s\", \"event_types\": [\"order.*\"]}", urls[i]);
		ck_assert_msg(r.status == 400, "%s: %ld %s", urls[i], r.status, r.body);
		ck_assert_ptr_nonnull(field_message(&r, "url"));
		http_response_free(&r);
	}
	/* A public address is accepted (nothing is sent: no event follows). */
	callf("POST", R500 "/webhooks/", demo.key500, NULL, &r,
	      "{\"url\": \"https://93.184.215.14/hook\", \"event_types\": [\"order.*\"]}");
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	http_response_free(&r);
	/* The key file sits beside the database, 0600. */
	char key_path[400];
	snprintf(key_path, sizeof(key_path), "%s.webhook-key", ts.db_path);
	struct stat st;
	ck_assert_int_eq(stat(key_path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq((int)st.st_size, 32);
}
END_TEST

/* A bound on what a party can make the server keep: 50 subscriptions. */
START_TEST(test_subscription_limit)
{
	struct http_response r;
	for (int i = 0; i < API_WEBHOOKS_PER_PARTY; i++) {
		callf("POST", R500 "/webhooks/", demo.key500, NULL, &r,
		      "{\"url\": \"https://93.184.215.14/%d\", \"event_types\": [\"order.*\"]}", i);
		ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
		http_response_free(&r);
	}
	callf("POST", R500 "/webhooks/", demo.key500, NULL, &r,
	      "{\"url\": \"https://93.184.215.14/x\", \"event_types\": [\"order.*\"]}");
	ck_assert_msg(r.status == 409, "%ld %s", r.status, r.body);
	ck_assert_ptr_nonnull(strstr(error_message(&r), "at most 50"));
	http_response_free(&r);
	/* Another party is not bound by it. */
	callf("POST", R600 "/webhooks/", demo.key600, NULL, &r,
	      "{\"url\": \"https://93.184.215.14/x\", \"event_types\": [\"order.*\"]}");
	ck_assert_int_eq(r.status, 201);
	http_response_free(&r);
}
END_TEST

/*
 * Connect time: a subscription whose host reaches loopback now (DNS
 * rebinding, simulated by accepting it at subscribe time) is not sent to.
 */
START_TEST(test_refused_at_connect)
{
	ts.app->webhooks.allow_private = true;
	ts.app->webhooks.allow_http = true;
	json_t *w = subscribe(R500 "/webhooks/", demo.key500, "[\"order.created\"]");
	ts.app->webhooks.allow_private = false;
	json_t *o = create_order(500, demo.key500, "[" LINE_5 "]");
	char path[128];
	snprintf(path, sizeof(path), R500 "/webhooks/%lld/deliveries/", (long long)num(w, "id"));
	json_t *log = NULL;
	for (int i = 0; i < 3000; i++) {
		json_decref(log);
		log = get_ok(path, demo.key500);
		if (json_array_size(json_object_get(log, "results")) > 0)
			break;
		usleep(10000);
	}
	json_t *a = json_array_get(json_object_get(log, "results"), 0);
	ck_assert_ptr_nonnull(a);
	ck_assert(json_is_null(json_object_get(a, "status_code")));
	ck_assert_ptr_nonnull(strstr(str(a, "error"), "loopback"));
	ck_assert_uint_eq(rx.tries, 0);
	json_decref(log);
	json_decref(o);
	json_decref(w);
}
END_TEST

/* The server signs as docs/api.md section 10.4 verifies, on its example. */
START_TEST(test_sign_as_documented)
{
	static const char body[] = "{\"id\":42,\"type\":\"order.created\"}";
	char sig[WEBHOOK_SIGNATURE_MAX];
	webhook_sign("whsec_example_do_not_use", 1764921600, body, strlen(body), sig);
	ck_assert_str_eq(sig, "t=1764921600,v1="
			      "fe8b9c5dcd38fcbff4c068a2dcd76d65d685a068f587776c51fdc57e3324db0b");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("webhooks");
	TCase *tc = tcase_create("delivery");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_sign_as_documented);
	tcase_add_test(tc, test_signed_with_headers);
	tcase_add_test(tc, test_types_and_prefixes);
	tcase_add_test(tc, test_order_under_retries);
	tcase_add_test(tc, test_receiver_timeout);
	tcase_add_test(tc, test_delete);
	tcase_add_test(tc, test_bad_bodies);
	suite_add_tcase(s, tc);
	tc = tcase_create("give up");
	tcase_add_checked_fixture(tc, setup_give_up, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_disable_then_enable);
	suite_add_tcase(s, tc);
	tc = tcase_create("default flags");
	tcase_add_checked_fixture(tc, setup_default, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_refused_inside);
	tcase_add_test(tc, test_subscription_limit);
	tcase_add_test(tc, test_refused_at_connect);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
