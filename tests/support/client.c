/* Client helpers of the resource suites; see client.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "client.h"
#include "domain/timeutil.h"

static const struct test_server *server;

void client_use(const struct test_server *ts)
{
	server = ts;
}

static const struct test_server *the_server(void)
{
	ck_assert_msg(server != NULL, "client_use() was not called in the suite's setup");
	return server;
}

/* ---- members ----------------------------------------------------------- */

json_int_t num(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	ck_assert_msg(json_is_integer(v), "'%s' is not an integer", k);
	return json_integer_value(v);
}

const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	ck_assert_msg(s != NULL, "'%s' is not a string", k);
	return s;
}

int64_t epoch_of(json_t *o, const char *k)
{
	const char *s = str(o, k);
	ck_assert_msg(strlen(s) == 20 && s[10] == 'T' && s[19] == 'Z', "'%s' is '%s'", k, s);
	return epoch_of_lenient(o, k);
}

int64_t epoch_of_lenient(json_t *o, const char *k)
{
	const char *s = str(o, k);
	int64_t t = 0;
	ck_assert_msg(time_parse_iso8601(s, strlen(s), &t), "'%s' is not a time: %s", k, s);
	return t;
}

json_t *line_at(json_t *order, size_t i)
{
	json_t *l = json_array_get(json_object_get(order, "order_lines"), i);
	ck_assert_ptr_nonnull(l);
	return l;
}

int64_t line_id(json_t *order, size_t i)
{
	return num(line_at(order, i), "id");
}

/* ---- requests ---------------------------------------------------------- */

void vcallf(const char *method, const char *path, const char *key, const char *idem_key,
	    struct http_response *r, const char *fmt, va_list ap)
{
	char body[4096];
	if (fmt != NULL) {
		int n = vsnprintf(body, sizeof(body), fmt, ap);
		ck_assert(n > 0 && (size_t)n < sizeof(body));
	}
	char header[320];
	const char *headers[] = {header, NULL};
	if (idem_key != NULL)
		snprintf(header, sizeof(header), "Idempotency-Key: %s", idem_key);
	struct http_call call = {.method = method,
				 .path = path,
				 .key = key,
				 .body = fmt != NULL ? body : NULL,
				 .headers = idem_key ? headers : NULL};
	http_do(the_server(), &call, r);
}

void callf(const char *method, const char *path, const char *key, const char *idem_key,
	   struct http_response *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vcallf(method, path, key, idem_key, r, fmt, ap);
	va_end(ap);
}

json_t *vpost_created(const char *path, const char *key, const char *fmt, va_list ap)
{
	char body[4096];
	int n = vsnprintf(body, sizeof(body), fmt, ap);
	ck_assert(n > 0 && (size_t)n < sizeof(body));
	struct http_response r;
	http_send(the_server(), "POST", path, key, body, &r);
	ck_assert_msg(r.status == 201, "POST %s %s: %ld %s", path, body, r.status, r.body);
	json_t *j = json_incref(r.json);
	http_response_free(&r);
	return j;
}

void put_with_key(const char *path, const char *key, const char *idem_key, struct http_response *r)
{
	callf("PUT", path, key, idem_key, r, NULL);
}

static int po_seq;

json_t *create_order(int retailer, const char *key, const char *lines)
{
	char path[64];
	snprintf(path, sizeof(path), "/v1/retailers/%d/orders/", retailer);
	struct http_response r;
	callf("POST", path, key, NULL, &r,
	      "{\"purchase_order_number\": \"PO-%d\", \"ordered_at\": \"2016-07-06T10:25\","
	      " \"ship_to\": {\"name1\": \"T\", \"street1\": \"1 Main\", \"city\": \"Hermosa "
	      "Beach\","
	      " \"province\": \"CA\", \"postal_code\": \"90254\", \"country\": \"US\"},"
	      " \"shipping_method\": {\"code\": \"GROUND\", \"carrier\": {\"code\": \"UPSN\"}},"
	      " \"order_lines\": %s}",
	      ++po_seq, lines);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	json_t *o = json_incref(r.json);
	http_response_free(&r);
	return o;
}

json_t *order_document(const char *po, const char *ordered_at, const char *identifier)
{
	json_t *o = json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s}, s:{s:s, s:{s:s}},"
			      " s:[{s:{s:s}, s:i, s:s, s:s}]}",
			      "purchase_order_number", po, "ordered_at", ordered_at, "ship_to",
			      "name1", "Tammy Watkins", "street1", "1332 Hermosa Ave", "city",
			      "Hermosa Beach", "province", "CA", "postal_code", "90254", "country",
			      "US", "shipping_method", "code", "GROUND", "carrier", "code", "UPSN",
			      "order_lines", "variant", "identifier", identifier, "quantity", 1,
			      "net_price", "250.00", "price", "450.00");
	ck_assert_ptr_nonnull(o);
	return o;
}

json_t *get_ok(const char *path, const char *key)
{
	struct http_response r;
	http_get(the_server(), path, key, &r);
	ck_assert_msg(r.status == 200, "GET %s: %ld %s", path, r.status, r.body);
	ck_assert_ptr_nonnull(r.json);
	json_t *j = json_incref(r.json);
	http_response_free(&r);
	return j;
}

json_t *get_one(const char *side, const char *what, int64_t id, const char *key)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s/%lld/", side, what, (long long)id);
	return get_ok(path, key);
}

int64_t list_count(const char *path, const char *key)
{
	json_t *page = get_ok(path, key);
	int64_t n = num(page, "count");
	json_decref(page);
	return n;
}

void put_ack(const char *side, const char *what, int64_t id, const char *key,
	     struct http_response *r)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s/%lld/acknowledge/", side, what, (long long)id);
	http_send(the_server(), "PUT", path, key, NULL, r);
}

/* ---- error bodies ------------------------------------------------------ */

const char *error_message(const struct http_response *r)
{
	const char *m =
		json_string_value(json_object_get(json_object_get(r->json, "error"), "message"));
	return m ? m : "";
}

const char *field_message(const struct http_response *r, const char *field)
{
	return json_string_value(json_object_get(http_error_field(r, field), "message"));
}

size_t field_count(const struct http_response *r)
{
	return json_array_size(json_object_get(json_object_get(r->json, "error"), "fields"));
}

/* ---- lists ------------------------------------------------------------- */

void expect_ids(json_t *page, const int64_t *ids, size_t n, const char *what)
{
	json_t *results = json_object_get(page, "results");
	ck_assert_msg(json_array_size(results) == n, "%s: %zu results, expected %zu", what,
		      json_array_size(results), n);
	ck_assert_msg(num(page, "count") == (json_int_t)n, "%s: count %lld, expected %zu", what,
		      (long long)num(page, "count"), n);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(num(json_array_get(results, i), "id") == ids[i],
			      "%s: result %zu is %lld, expected %lld", what, i,
			      (long long)num(json_array_get(results, i), "id"), (long long)ids[i]);
}

void expect_list(const char *path, const char *key, const int64_t *ids, size_t n)
{
	json_t *page = get_ok(path, key);
	expect_ids(page, ids, n, path);
	json_decref(page);
}

void walk_both_ways(const char *base, const char *key, const char *query, const int64_t *ids,
		    size_t n)
{
	char start[256];
	snprintf(start, sizeof(start), "%s?%slimit=2", base, query);
	int64_t seen[16];
	size_t nseen = 0, pages = 0;
	char *path = strdup(start);
	for (;;) {
		ck_assert_uint_lt(pages++, 10);
		json_t *page = get_ok(path, key);
		ck_assert_int_eq(num(page, "count"), (json_int_t)n);
		json_t *results = json_object_get(page, "results");
		size_t m = json_array_size(results);
		ck_assert_msg(m >= 1 && m <= 2, "%s: %zu results", path, m);
		for (size_t i = 0; i < m; i++) {
			ck_assert_uint_lt(nseen, 16);
			seen[nseen++] = num(json_array_get(results, i), "id");
		}
		json_t *prev = json_object_get(page, "previous");
		if (pages == 1)
			ck_assert_msg(json_is_null(prev), "%s: first page has a previous", path);
		else
			ck_assert_msg(json_is_string(prev) && strncmp(json_string_value(prev), base,
								      strlen(base)) == 0,
				      "%s: no previous link", path);
		json_t *next = json_object_get(page, "next");
		if (json_is_null(next)) {
			json_decref(page);
			break;
		}
		const char *link = json_string_value(next);
		ck_assert_ptr_nonnull(link);
		ck_assert_msg(strncmp(link, base, strlen(base)) == 0 && strstr(link, "limit=2") &&
				      strstr(link, "cursor="),
			      "bad next link %s", link);
		if (*query != '\0') {
			char filter[64];
			snprintf(filter, sizeof(filter), "%.*s", (int)strcspn(query, "&"), query);
			ck_assert_msg(strstr(link, filter) != NULL, "next link %s lacks %s", link,
				      filter);
		}
		free(path);
		path = strdup(link);
		json_decref(page);
	}
	ck_assert_uint_eq(pages, (n + 1) / 2);
	ck_assert_uint_eq(nseen, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(seen[i], ids[i]);
	/* Back from the last page. */
	nseen = 0;
	size_t back_pages = 0;
	for (;;) {
		ck_assert_uint_lt(back_pages++, 10);
		json_t *page = get_ok(path, key);
		ck_assert_int_eq(num(page, "count"), (json_int_t)n);
		json_t *results = json_object_get(page, "results");
		size_t m = json_array_size(results);
		ck_assert(m >= 1 && m <= 2);
		/* Oldest first within the page too. */
		for (size_t i = 1; i < m; i++)
			ck_assert_int_lt(num(json_array_get(results, i - 1), "id"),
					 num(json_array_get(results, i), "id"));
		for (size_t i = m; i-- > 0;) {
			ck_assert_uint_lt(nseen, 16);
			seen[nseen++] = num(json_array_get(results, i), "id");
		}
		json_t *next = json_object_get(page, "next");
		if (back_pages == 1)
			ck_assert(json_is_null(next));
		else
			ck_assert(json_is_string(next));
		json_t *prev = json_object_get(page, "previous");
		if (json_is_null(prev)) {
			json_decref(page);
			break;
		}
		ck_assert_ptr_nonnull(json_string_value(prev));
		free(path);
		path = strdup(json_string_value(prev));
		json_decref(page);
	}
	ck_assert_uint_eq(back_pages, pages);
	ck_assert_uint_eq(nseen, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(seen[n - 1 - i], ids[i]);
	free(path);
}

/* ---- time and text ----------------------------------------------------- */

void next_second(void)
{
	int64_t now = time_now();
	while (time_now() == now) {
		struct timespec t = {.tv_sec = 0, .tv_nsec = 20 * 1000 * 1000};
		nanosleep(&t, NULL);
	}
}

char *replace(char *s, const char *token, long long value)
{
	char num_text[32];
	snprintf(num_text, sizeof(num_text), "%lld", value);
	char *at;
	while ((at = strstr(s, token)) != NULL) {
		size_t n = strlen(s) - strlen(token) + strlen(num_text) + 1;
		char *out = malloc(n);
		ck_assert_ptr_nonnull(out);
		snprintf(out, n, "%.*s%s%s", (int)(at - s), s, num_text, at + strlen(token));
		free(s);
		s = out;
	}
	return s;
}

/* ---- races ------------------------------------------------------------- */

static size_t discard(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	(void)ptr;
	(void)userdata;
	return size * nmemb;
}

long raw_call(const char *method, const char *path, const char *key, const char *body)
{
	if (server == NULL)
		return -1;
	CURL *curl = curl_easy_init();
	if (curl == NULL)
		return -1;
	char url[256], auth[256];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", server->port, path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
	struct curl_slist *list = curl_slist_append(NULL, auth);
	list = curl_slist_append(list, "Expect:");
	if (body != NULL) {
		list = curl_slist_append(list, "Content-Type: application/json");
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
	}
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	long status = -1;
	if (curl_easy_perform(curl) == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(list);
	curl_easy_cleanup(curl);
	return status;
}

static void *race(void *arg)
{
	struct racer *me = arg;
	pthread_barrier_wait(me->start);
	me->status = raw_call(me->method, me->path, me->key, me->body[0] ? me->body : NULL);
	return NULL;
}

void run_racers(struct racer *racers, size_t n)
{
	pthread_barrier_t start;
	pthread_t threads[32];
	ck_assert_uint_le(n, 32);
	ck_assert_int_eq(pthread_barrier_init(&start, NULL, (unsigned)n), 0);
	for (size_t i = 0; i < n; i++) {
		racers[i].start = &start;
		racers[i].status = 0;
		ck_assert_int_eq(pthread_create(&threads[i], NULL, race, &racers[i]), 0);
	}
	for (size_t i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	pthread_barrier_destroy(&start);
}
