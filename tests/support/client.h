/*
 * Client helpers of the resource suites (orders, shipments, cancels), once
 * instead of a copy in each file: members read with assertions, requests
 * with printf-formatted bodies and an Idempotency-Key, demo orders, GETs
 * that must answer 200, list ids, error bodies, the limit=2 pagination walk,
 * and threads racing the same request.
 *
 * Which server: a suite calls client_use(&ts) in its setup, after
 * ts_start(). The helpers are called hundreds of times in a file, always
 * against the suite's one server, so a `&ts` in every call would be noise
 * at each call site and the same in all of them; the harness's http_*()
 * keep their explicit server as the plumbing underneath. A helper called
 * before client_use() fails the test saying so.
 *
 * Helpers that fail the test use ck_assert and so belong to the test's own
 * thread; raw_call() and the racers are the ones for other threads.
 */
#ifndef DROPLINE_TEST_CLIENT_H
#define DROPLINE_TEST_CLIENT_H

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "harness.h"

/* The demo catalog's parties, as path prefixes. */
#define R500 "/v1/retailers/500"
#define R600 "/v1/retailers/600"
#define B501 "/v1/brands/501"
#define B502 "/v1/brands/502"

/* Order lines of the demo catalog, as JSON text for create_order()'s array. */
/* 5 of GBD34315 (variant 1000065, upc 123456789012). */
#define LINE_5                                                                                     \
	"{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 5, \"net_price\": "           \
	"\"250.00\", \"price\": \"450.00\"}"
/* 2 of "1234" (variant 100084, upc 123456789456). */
#define LINE_2                                                                                     \
	"{\"variant\": {\"identifier\": \"1234\"}, \"quantity\": 2, \"net_price\": \"100.00\", "   \
	"\"price\": \"180.00\"}"
/* 4 of DB-100, brand 502's. */
#define LINE_502                                                                                   \
	"{\"variant\": {\"identifier\": \"DB-100\"}, \"quantity\": 4, \"net_price\": \"10.00\", "  \
	"\"price\": \"20.00\"}"

/* The server the helpers below call; from the suite's setup, after ts_start(). */
void client_use(const struct test_server *ts);

/* ---- members ----------------------------------------------------------- */

/* Member `k` of `o`, which must be an integer. */
json_int_t num(json_t *o, const char *k);

/* Member `k` of `o`, which must be a string (borrowed). */
const char *str(json_t *o, const char *k);

/* A time member in the server's form, "YYYY-MM-DDTHH:MM:SSZ", as epoch seconds. */
int64_t epoch_of(json_t *o, const char *k);

/* A time member in any form time_parse_iso8601() reads, as epoch seconds. */
int64_t epoch_of_lenient(json_t *o, const char *k);

/* An order's line `i`, which must exist (borrowed), and its id. */
json_t *line_at(json_t *order, size_t i);
int64_t line_id(json_t *order, size_t i);

/* ---- requests ---------------------------------------------------------- */

/*
 * A request with a printf-formatted body (none when fmt is NULL) and, unless
 * idem_key is NULL, an Idempotency-Key. The caller frees r.
 */
__attribute__((format(printf, 6, 7))) void callf(const char *method, const char *path,
						 const char *key, const char *idem_key,
						 struct http_response *r, const char *fmt, ...);

/* callf() taking its arguments as a va_list, for a suite's own printf-like wrappers. */
__attribute__((format(printf, 6, 0))) void vcallf(const char *method, const char *path,
						  const char *key, const char *idem_key,
						  struct http_response *r, const char *fmt,
						  va_list ap);

/*
 * POST path with a printf-formatted body, expecting 201; returns the
 * created resource (caller frees). A va_list, for a suite's own wrappers.
 */
__attribute__((format(printf, 3, 0))) json_t *vpost_created(const char *path, const char *key,
							    const char *fmt, va_list ap);

/* PUT without a body, with an Idempotency-Key. The caller frees r. */
void put_with_key(const char *path, const char *key, const char *idem_key, struct http_response *r);

/*
 * Creates an order of `retailer` with `lines` (JSON array text), purchase
 * order "PO-<n>" with n counting up, expecting 201; returns it (caller frees).
 */
json_t *create_order(int retailer, const char *key, const char *lines);

/*
 * A valid order document: purchase order `po`, `ordered_at` as written, one
 * unit of variant `identifier` at 250.00/450.00, shipped to Tammy Watkins in
 * Hermosa Beach by UPSN GROUND. A new reference.
 */
json_t *order_document(const char *po, const char *ordered_at, const char *identifier);

/* GET path expecting 200 and a JSON body; returns the body (caller frees). */
json_t *get_ok(const char *path, const char *key);

/* GET {side}/{what}/{id}/ expecting 200; caller frees. */
json_t *get_one(const char *side, const char *what, int64_t id, const char *key);

/* The count a list path answers (200, an integer count). */
int64_t list_count(const char *path, const char *key);

/* PUT {side}/{what}/{id}/acknowledge/ with no body; the caller frees r. */
void put_ack(const char *side, const char *what, int64_t id, const char *key,
	     struct http_response *r);

/* ---- error bodies ------------------------------------------------------ */

/* The error's message, "" when none. */
const char *error_message(const struct http_response *r);

/* The message of the field problem at `field`, or NULL. */
const char *field_message(const struct http_response *r, const char *field);

/* How many field problems the error lists. */
size_t field_count(const struct http_response *r);

/* ---- lists ------------------------------------------------------------- */

/* A page's result ids are exactly `ids` (n of them), in that order, and count is n. */
void expect_ids(json_t *page, const int64_t *ids, size_t n, const char *what);

/* GET path and check its ids as expect_ids() does. */
void expect_list(const char *path, const char *key, const int64_t *ids, size_t n);

/*
 * Follows next from {base}?{query}limit=2, then previous back; the ids must
 * be `ids` (n of them, at most 16) both ways, and the links must stay under
 * `base` and carry the query's first parameter. `query` is "" or ends in '&'.
 */
void walk_both_ways(const char *base, const char *key, const char *query, const int64_t *ids,
		    size_t n);

/* ---- time and text ----------------------------------------------------- */

/* Waits until time_now() moves to the next second. */
void next_second(void);

/* Replaces every `token` in `s` (a malloc'd string, freed) with `value`. */
char *replace(char *s, const char *token, long long value);

/* ---- races ------------------------------------------------------------- */

/* One request without ck_assert (for threads): the status, or -1 when the transport failed. */
long raw_call(const char *method, const char *path, const char *key, const char *body);

/* A request to run at the same time as others; run_racers() fills start and status. */
struct racer {
	pthread_barrier_t *start;
	const char *method, *path, *key;
	char body[512]; /* "" for none */
	long status;
};

/* Runs n racers (at most 32) at once behind one barrier; each status is then set. */
void run_racers(struct racer *racers, size_t n);

#endif
