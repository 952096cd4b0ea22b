/*
 * Events (CONTRACT.md section 10): every write's event and who sees it;
 * none for a refused request, a second acknowledgement or a replay; the
 * feed's filters, its `next` that is never null, long-polls that answer at
 * once on news and after their time without; exactly once, in order, under
 * four concurrent writers; an order's timeline; retention (410).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "client.h"
#include "domain/timeutil.h"
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

/* The events of a feed page after `after` (caller frees the page). */
static json_t *feed(const char *side, const char *key, int64_t after, const char *query)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/events/?after=%lld%s%s", side, (long long)after,
		 query && *query ? "&" : "", query ? query : "");
	return get_ok(path, key);
}

static json_t *results(json_t *page)
{
	return json_object_get(page, "results");
}

/* The types of a page's events, joined by spaces. */
static void types_of(json_t *page, char *out, size_t n)
{
	size_t used = 0, i;
	json_t *e;
	out[0] = '\0';
	json_array_foreach(results(page), i, e) used += (size_t)snprintf(
		out + used, used < n ? n - used : 0, "%s%s", i ? " " : "", str(e, "type"));
}

static int64_t newest_id(const char *side, const char *key)
{
	json_t *page = feed(side, key, 0, "limit=250");
	size_t n = json_array_size(results(page));
	int64_t id = n ? num(json_array_get(results(page), n - 1), "id") : 0;
	json_decref(page);
	return id;
}

/* The events of a side after `after`, as their types, and the page's ids grow. */
static void expect_types(const char *side, const char *key, int64_t after, const char *want)
{
	json_t *page = feed(side, key, after, NULL);
	char got[512];
	types_of(page, got, sizeof(got));
	ck_assert_msg(strcmp(got, want) == 0, "%s after %lld: '%s', expected '%s'", side,
		      (long long)after, got, want);
	int64_t prev = after;
	size_t i;
	json_t *e;
	json_array_foreach(results(page), i, e)
	{
		ck_assert_int_gt(num(e, "id"), prev);
		prev = num(e, "id");
	}
	json_decref(page);
}

START_TEST(each_write_has_its_event_for_both_parties_only)
{
	int64_t r0 = newest_id(R500, demo.key500), b0 = newest_id(B501, demo.key501);
	json_t *o = create_order(500, demo.key500, "[" LINE_5 "]");
	int64_t id = num(o, "id"), line = line_id(o, 0);

	/* order.created: the actor, the parties' ids, and the 201's order as data. */
	json_t *page = feed(R500, demo.key500, r0, NULL);
	ck_assert_uint_eq(json_array_size(results(page)), 1);
	json_t *e = json_array_get(results(page), 0);
	ck_assert_str_eq(str(e, "type"), "order.created");
	json_t *actor = json_object_get(e, "actor");
	ck_assert_str_eq(str(actor, "party"), "retailer");
	ck_assert_int_eq(num(actor, "party_id"), 500);
	ck_assert_int_eq(num(actor, "key_id"), demo.key500_id);
	ck_assert_int_eq(num(e, "order_id"), id);
	ck_assert_str_eq(str(e, "purchase_order_number"), str(o, "purchase_order_number"));
	ck_assert_str_eq(str(json_object_get(e, "object"), "kind"), "order");
	ck_assert_int_eq(num(json_object_get(e, "object"), "id"), id);
	ck_assert(json_equal(json_object_get(e, "data"), o));
	int64_t time = epoch_of(e, "created_at");
	ck_assert(time > 0);
	ck_assert_uint_eq(json_object_size(e), 8);
	json_decref(page);
	json_decref(o);
	expect_types(B501, demo.key501, b0, "order.created");
	/* Nobody else: another retailer, another brand. */
	expect_types(R600, demo.key600, newest_id(R600, demo.key600), "");
	expect_types(B502, demo.key502, 0, "");

	/* Acknowledge, ship, cancel, acknowledge those: one event each. */
	int64_t mark = newest_id(B501, demo.key501);
	struct http_response r;
	put_ack(B501, "orders", id, demo.key501, &r);
	ck_assert_int_eq(r.status, 200);
	http_response_free(&r);
	callf("POST", B501 "/shipments/", demo.key501, NULL, &r,
	      "{\"order_id\": %lld, \"tracking_number\": \"1Z\", \"shipment_lines\": "
	      "[{\"order_line_id\": %lld, \"quantity\": 2}]}",
	      (long long)id, (long long)line);
	ck_assert_int_eq(r.status, 201);
	int64_t shipment = num(r.json, "id");
	http_response_free(&r);
	callf("POST", B501 "/cancels/", demo.key501, NULL, &r,
	      "{\"order_id\": %lld, \"reason_id\": 2, \"cancel_lines\": "
	      "[{\"order_line_id\": %lld, \"quantity\": 1}]}",
	      (long long)id, (long long)line);
	ck_assert_int_eq(r.status, 201);
	int64_t cancel = num(r.json, "id");
	http_response_free(&r);
	put_ack(R500, "shipments", shipment, demo.key500, &r);
	ck_assert_int_eq(r.status, 200);
	http_response_free(&r);
	put_ack(R500, "cancels", cancel, demo.key500, &r);
	ck_assert_int_eq(r.status, 200);
	http_response_free(&r);
	const char *want = "order.acknowledged shipment.created cancel.created "
			   "shipment.acknowledged cancel.acknowledged";
	expect_types(B501, demo.key501, mark, want);
	expect_types(R500, demo.key500, mark, want);

	/* Nothing new for what changes nothing: again, refused, replayed. */
	mark = newest_id(B501, demo.key501);
	put_ack(B501, "orders", id, demo.key501, &r);
	ck_assert_int_eq(r.status, 200);
	http_response_free(&r);
	put_ack(R500, "shipments", shipment, demo.key500, &r);
	ck_assert_int_eq(r.status, 200);
	http_response_free(&r);
	callf("POST", B501 "/cancels/", demo.key501, NULL, &r,
	      "{\"order_id\": %lld, \"reason_id\": 2, \"cancel_lines\": "
	      "[{\"order_line_id\": %lld, \"quantity\": 99}]}",
	      (long long)id, (long long)line);
	ck_assert_int_eq(r.status, 409);
	http_response_free(&r);
	callf("POST", R500 "/cancels/", demo.key500, NULL, &r,
	      "{\"order_id\": %lld, \"reason_id\": 1, \"cancel_remaining\": true}", (long long)id);
	ck_assert_int_eq(r.status, 409); /* acknowledged: the retailer may not */
	http_response_free(&r);
	expect_types(B501, demo.key501, mark, "");
	callf("POST", B501 "/shipments/", demo.key501, "ship-once", &r,
	      "{\"order_id\": %lld, \"tracking_number\": \"2Z\", \"shipment_lines\": "
	      "[{\"order_line_id\": %lld, \"quantity\": 1}]}",
	      (long long)id, (long long)line);
	ck_assert_int_eq(r.status, 201);
	http_response_free(&r);
	callf("POST", B501 "/shipments/", demo.key501, "ship-once", &r,
	      "{\"order_id\": %lld, \"tracking_number\": \"2Z\", \"shipment_lines\": "
	      "[{\"order_line_id\": %lld, \"quantity\": 1}]}",
	      (long long)id, (long long)line);
	ck_assert_int_eq(r.status, 201); /* the replay */
	http_response_free(&r);
	expect_types(B501, demo.key501, mark, "shipment.created");
}
END_TEST

START_TEST(a_first_shipment_also_acknowledges_the_order)
{
	json_t *o = create_order(500, demo.key500, "[" LINE_5 "]");
	int64_t mark = newest_id(B501, demo.key501);
	struct http_response r;
	callf("POST", B501 "/shipments/", demo.key501, NULL, &r,
	      "{\"order_id\": %lld, \"tracking_number\": \"1Z\", \"shipment_lines\": "
	      "[{\"order_line_id\": %lld, \"quantity\": 1}]}",
	      (long long)num(o, "id"), (long long)line_id(o, 0));
	ck_assert_int_eq(r.status, 201);
	http_response_free(&r);
	expect_types(R500, demo.key500, mark, "shipment.created order.acknowledged");
	/* The order.acknowledged event shows the order as acknowledged. */
	json_t *page = feed(B501, demo.key501, mark, "type=order.acknowledged");
	json_t *data = json_object_get(json_array_get(results(page), 0), "data");
	ck_assert(json_is_true(json_object_get(data, "is_acknowledged")));
	json_decref(page);
	json_decref(o);
}
END_TEST

START_TEST(filters_and_a_next_that_is_never_null)
{
	int64_t start = newest_id(R500, demo.key500);
	json_t *a = create_order(500, demo.key500, "[" LINE_5 "]");
	json_t *b = create_order(500, demo.key500, "[" LINE_5 "]");
	struct http_response r;
	put_ack(B501, "orders", num(a, "id"), demo.key501, &r);
	http_response_free(&r);
	/* Exact types, prefixes, an order. */
	char query[96];
	json_t *page = feed(R500, demo.key500, start, "type=order.acknowledged");
	ck_assert_uint_eq(json_array_size(results(page)), 1);
	json_decref(page);
	page = feed(R500, demo.key500, start, "type=order.*");
	ck_assert_uint_eq(json_array_size(results(page)), 3);
	json_decref(page);
	page = feed(R500, demo.key500, start, "type=shipment.*&type=order.created");
	ck_assert_uint_eq(json_array_size(results(page)), 2);
	json_decref(page);
	snprintf(query, sizeof(query), "order_id=%lld", (long long)num(b, "id"));
	page = feed(R500, demo.key500, start, query);
	ck_assert_uint_eq(json_array_size(results(page)), 1);
	ck_assert_int_eq(num(json_array_get(results(page), 0), "order_id"), num(b, "id"));
	json_decref(page);

	/* limit=1: follow next; each page one event, then an empty page whose next stays. */
	snprintf(query, sizeof(query), "%s/events/?after=%lld&limit=1", R500, (long long)start);
	char path[512];
	snprintf(path, sizeof(path), "%s", query);
	int64_t seen = start;
	for (int i = 0; i < 4; i++) {
		page = get_ok(path, demo.key500);
		const char *next = str(page, "next");
		ck_assert_ptr_nonnull(strstr(next, "limit=1"));
		size_t n = json_array_size(results(page));
		ck_assert_uint_eq(n, i < 3 ? 1 : 0);
		if (n == 1) {
			ck_assert_int_gt(num(json_array_get(results(page), 0), "id"), seen);
			seen = num(json_array_get(results(page), 0), "id");
		} else {
			ck_assert_str_eq(next, path); /* no news: the same request again */
		}
		snprintf(path, sizeof(path), "%s", next);
		json_decref(page);
	}
	/* A filter that matches nothing still moves next past what it examined. */
	int64_t newest = newest_id(R500, demo.key500);
	page = feed(R500, demo.key500, start, "type=cancel.acknowledged");
	ck_assert_uint_eq(json_array_size(results(page)), 0);
	snprintf(query, sizeof(query), R500 "/events/?after=%lld&type=cancel.acknowledged",
		 (long long)newest);
	ck_assert_str_eq(str(page, "next"), query);
	json_decref(page);
	json_decref(a);
	json_decref(b);

	/* Bad filters are 400 naming the parameter. */
	static const char *const bad[] = {"type=order.shipped", "type=nope.*", "wait=31",
					  "after=-1",		"limit=251",   "colour=red"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), R500 "/events/?%s", bad[i]);
		http_get(&ts, path, demo.key500, &r);
		ck_assert_msg(r.status == 400, "%s: %ld", bad[i], r.status);
		ck_assert_str_eq(http_error_code(&r), "invalid_parameter");
		http_response_free(&r);
	}
}
END_TEST

struct poll {
	char path[256];
	const char *key;
	long status;
	size_t events;
	char first_type[64]; /* the first event's type, "" when none */
	int64_t ms;
	bool closed; /* answered with Connection: close */
};

/* Whether a response's header block has "Connection: close" (any case). */
static bool closes(const struct http_response *r)
{
	for (const char *h = r->headers; h != NULL && *h != '\0'; h = strchr(h, '\n')) {
		while (*h == '\n' || *h == '\r')
			h++;
		if (strncasecmp(h, "connection:", 11) == 0) {
			const char *v = h + 11;
			while (*v == ' ')
				v++;
			if (strncasecmp(v, "close", 5) == 0)
				return true;
		}
	}
	return false;
}

static void *long_poll(void *arg)
{
	struct poll *p = arg;
	int64_t start = time_monotonic_ms();
	struct http_response r;
	http_get(&ts, p->path, p->key, &r);
	p->ms = time_monotonic_ms() - start;
	p->status = r.status;
	p->events = json_array_size(json_object_get(r.json, "results"));
	json_t *first = json_array_get(json_object_get(r.json, "results"), 0);
	snprintf(p->first_type, sizeof(p->first_type), "%s",
		 first ? json_string_value(json_object_get(first, "type")) : "");
	p->closed = closes(&r);
	http_response_free(&r);
	return NULL;
}

START_TEST(wait_answers_at_once_on_news_and_after_its_time_without)
{
	/* Nothing new in 1 s: an empty page after about a second. */
	int64_t after = newest_id(B501, demo.key501);
	struct poll quiet = {.key = demo.key501};
	snprintf(quiet.path, sizeof(quiet.path), B501 "/events/?after=%lld&wait=1",
		 (long long)after);
	long_poll(&quiet);
	ck_assert_int_eq(quiet.status, 200);
	ck_assert_uint_eq(quiet.events, 0);
	ck_assert_msg(quiet.ms >= 900 && quiet.ms < 5000, "waited %lld ms", (long long)quiet.ms);

	/* News while waiting: answered at once, long before its 20 s. */
	struct poll news = {.key = demo.key501};
	snprintf(news.path, sizeof(news.path), B501 "/events/?after=%lld&wait=20",
		 (long long)after);
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, long_poll, &news), 0);
	struct timespec pause = {.tv_sec = 0, .tv_nsec = 300 * 1000000L};
	nanosleep(&pause, NULL);
	/* Another brand's news does not wake it; its own does. */
	json_t *other = create_order(500, demo.key500, "[" LINE_502 "]");
	json_decref(other);
	nanosleep(&pause, NULL);
	json_t *o = create_order(500, demo.key500, "[" LINE_5 "]");
	pthread_join(t, NULL);
	ck_assert_int_eq(news.status, 200);
	ck_assert_uint_eq(news.events, 1);
	ck_assert_msg(news.ms < 10000, "answered after %lld ms", (long long)news.ms);

	/*
	 * A filtered wait: the party's news that the filter does not take
	 * leaves it waiting; the event it takes answers it, alone.
	 */
	json_decref(o);
	after = newest_id(B501, demo.key501);
	struct poll filtered = {.key = demo.key501};
	snprintf(filtered.path, sizeof(filtered.path),
		 B501 "/events/?after=%lld&type=order.acknowledged&wait=20", (long long)after);
	ck_assert_int_eq(pthread_create(&t, NULL, long_poll, &filtered), 0);
	nanosleep(&pause, NULL);
	o = create_order(500, demo.key500, "[" LINE_5 "]");
	nanosleep(&pause, NULL);
	struct http_response r;
	put_ack(B501, "orders", num(o, "id"), demo.key501, &r);
	ck_assert_int_eq(r.status, 200);
	http_response_free(&r);
	json_decref(o);
	pthread_join(t, NULL);
	ck_assert_int_eq(filtered.status, 200);
	ck_assert_uint_eq(filtered.events, 1);
	ck_assert_str_eq(filtered.first_type, "order.acknowledged");
}
END_TEST

/*
 * A long-poll that was held answers with Connection: close, so that the
 * server does not keep its connection's memory for the next one
 * (docs/performance.md); its answer is the same page as ever. One answered
 * at once keeps its connection.
 */
START_TEST(a_held_long_poll_closes_its_connection_and_answers_as_ever)
{
	int64_t after = newest_id(B501, demo.key501);
	char path[256];
	snprintf(path, sizeof(path), B501 "/events/?after=%lld&wait=1", (long long)after);
	struct http_response r;
	http_get(&ts, path, demo.key501, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(r.json, "results")), 0);
	char next[128];
	snprintf(next, sizeof(next), B501 "/events/?after=%lld&wait=1", (long long)after);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "next")), next);
	ck_assert_msg(closes(&r), "%s", r.headers);
	http_response_free(&r);

	/* Woken by news while held: the event, and the connection closes too. */
	struct poll news = {.key = demo.key501};
	snprintf(news.path, sizeof(news.path), B501 "/events/?after=%lld&wait=20",
		 (long long)after);
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, long_poll, &news), 0);
	struct timespec pause = {.tv_sec = 0, .tv_nsec = 300 * 1000000L};
	nanosleep(&pause, NULL);
	json_t *o = create_order(500, demo.key500, "[" LINE_5 "]");
	pthread_join(t, NULL);
	ck_assert_int_eq(news.status, 200);
	ck_assert_uint_eq(news.events, 1);
	ck_assert_str_eq(news.first_type, "order.created");
	ck_assert(news.closed);
	json_decref(o);

	/* Something to answer at once: the connection stays open. */
	snprintf(path, sizeof(path), B501 "/events/?after=%lld&wait=1", (long long)after);
	http_get(&ts, path, demo.key501, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(r.json, "results")), 1);
	ck_assert_msg(!closes(&r), "%s", r.headers);
	http_response_free(&r);
}
END_TEST

/* ---- exactly once, in order, under concurrent writers ------------------------ */

#define WRITERS		4
#define ORDERS_A_WRITER 15

static void *writer(void *arg)
{
	(void)arg;
	char body[1024];
	for (int i = 0; i < ORDERS_A_WRITER; i++) {
		json_t *doc = order_document("", "2016-07-06T10:25", "GBD34315");
		char po[48];
		snprintf(po, sizeof(po), "EV-%lx-%d", (unsigned long)pthread_self(), i);
		json_object_set_new(doc, "purchase_order_number", json_string(po));
		char *text = json_dumps(doc, JSON_COMPACT);
		snprintf(body, sizeof(body), "%s", text);
		free(text);
		json_decref(doc);
		if (raw_call("POST", R500 "/orders/", demo.key500, body) != 201)
			return (void *)1;
	}
	return NULL;
}

START_TEST(a_reader_sees_every_event_once_in_order_while_writers_commit)
{
	int64_t start = newest_id(R500, demo.key500);
	pthread_t writers[WRITERS];
	for (int i = 0; i < WRITERS; i++)
		ck_assert_int_eq(pthread_create(&writers[i], NULL, writer, NULL), 0);
	/* The reader follows next with long-polls until it has every event. */
	char path[512];
	snprintf(path, sizeof(path), R500 "/events/?after=%lld&limit=7&wait=5", (long long)start);
	int64_t last = start, seen = 0;
	int64_t deadline = time_monotonic_ms() + 60000;
	while (seen < WRITERS * ORDERS_A_WRITER && time_monotonic_ms() < deadline) {
		json_t *page = get_ok(path, demo.key500);
		size_t i;
		json_t *e;
		json_array_foreach(results(page), i, e)
		{
			ck_assert_msg(num(e, "id") > last, "event %lld after %lld",
				      (long long)num(e, "id"), (long long)last);
			last = num(e, "id");
			seen++;
		}
		snprintf(path, sizeof(path), "%s", str(page, "next"));
		json_decref(page);
	}
	for (int i = 0; i < WRITERS; i++) {
		void *failed = NULL;
		pthread_join(writers[i], &failed);
		ck_assert_ptr_null(failed);
	}
	ck_assert_int_eq(seen, WRITERS * ORDERS_A_WRITER);
	/* And nothing more: no event twice. */
	json_t *page = get_ok(path, demo.key500);
	ck_assert_uint_eq(json_array_size(results(page)), 0);
	json_decref(page);
}
END_TEST

START_TEST(an_orders_timeline)
{
	json_t *o = create_order(500, demo.key500, "[" LINE_5 "]");
	int64_t id = num(o, "id");
	struct http_response r;
	put_ack(B501, "orders", id, demo.key501, &r);
	http_response_free(&r);
	char path[128];
	snprintf(path, sizeof(path), B501 "/orders/%lld/events/", (long long)id);
	json_t *page = get_ok(path, demo.key501);
	ck_assert_int_eq(num(page, "count"), 2);
	ck_assert(json_is_null(json_object_get(page, "next")));
	ck_assert_str_eq(str(json_array_get(results(page), 0), "type"), "order.created");
	ck_assert_str_eq(str(json_array_get(results(page), 1), "type"), "order.acknowledged");
	ck_assert_str_eq(str(json_object_get(json_array_get(results(page), 1), "actor"), "party"),
			 "brand");
	json_decref(page);
	/* Another party's order: 404. */
	snprintf(path, sizeof(path), B502 "/orders/%lld/events/", (long long)id);
	http_get(&ts, path, demo.key502, &r);
	ck_assert_int_eq(r.status, 404);
	http_response_free(&r);
	json_decref(o);
}
END_TEST

START_TEST(retention_forgets_old_events_and_says_so)
{
	json_t *o = create_order(500, demo.key500, "[" LINE_5 "]");
	json_t *p = create_order(500, demo.key500, "[" LINE_5 "]");
	/* The first order's event is 40 days old. */
	char sql[160];
	snprintf(sql, sizeof(sql),
		 "UPDATE events SET created_at = created_at - 40 * 86400 WHERE "
		 "type = 'order.created' AND object_id = %lld",
		 (long long)num(o, "id"));
	ts_exec(&ts, sql);
	api_tick(ts.app);
	struct http_response r;
	http_get(&ts, R500 "/events/?after=0", demo.key500, &r);
	ck_assert_int_eq(r.status, 410);
	ck_assert_str_eq(http_error_code(&r), "events_expired");
	http_response_free(&r);
	/* From the oldest kept on, the feed answers: the second order's event is there. */
	json_t *page = get_ok(R500 "/events/?after=1", demo.key500);
	ck_assert_uint_eq(json_array_size(results(page)), 1);
	ck_assert_int_eq(num(json_array_get(results(page), 0), "order_id"), num(p, "id"));
	json_decref(page);
	json_decref(o);
	json_decref(p);
}
END_TEST

static Suite *events_suite(void)
{
	Suite *s = suite_create("events");
	TCase *tc = tcase_create("events");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, each_write_has_its_event_for_both_parties_only);
	tcase_add_test(tc, a_first_shipment_also_acknowledges_the_order);
	tcase_add_test(tc, filters_and_a_next_that_is_never_null);
	tcase_add_test(tc, wait_answers_at_once_on_news_and_after_its_time_without);
	tcase_add_test(tc, a_held_long_poll_closes_its_connection_and_answers_as_ever);
	tcase_add_test(tc, a_reader_sees_every_event_once_in_order_while_writers_commit);
	tcase_add_test(tc, an_orders_timeline);
	tcase_add_test(tc, retention_forgets_old_events_and_says_so);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(events_suite());
}
