/* Test harness; see harness.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sqlite3.h>

#include "api/api.h"
#include "catalog/catalog.h"
#include "domain/log.h"
#include "domain/metrics.h"
#include "domain/timeutil.h"
#include "client.h"
#include "harness.h"
#include "openapi_log.h"
#include "store/embedded.h"
#include "store/store_keys.h"

void ts_open_store(struct test_server *ts, bool demo)
{
	memset(ts, 0, sizeof(*ts));
	ck_assert(apikey_init());
	const char *tmp = getenv("TMPDIR");
	snprintf(ts->dir, sizeof(ts->dir), "%s/dropline-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(ts->dir));
	snprintf(ts->db_path, sizeof(ts->db_path), "%s/test.db", ts->dir);
	char err[STORE_ERR_MAX];
	struct store_options so = {.readers = 4, .busy_timeout_ms = 5000};
	ck_assert_msg(store_open(ts->db_path, &so, &ts->store, err) == STORE_OK, "%s", err);
	ck_assert_msg(store_migrate(ts->store, NULL, err) == STORE_OK, "%s", err);
	if (demo) {
		field_errors fe;
		field_errors_init(&fe);
		catalog_result res = catalog_import_text(ts->store, embedded_demo_catalog,
							 embedded_demo_catalog_len, &fe, NULL);
		ck_assert_int_eq(res, CATALOG_IMPORTED);
		field_errors_free(&fe);
	}
}

static void start_with(struct test_server *ts, bool demo, const struct route *routes, size_t n,
		       const struct server_options *opts, const struct api_options *ao)
{
	ts_open_store(ts, demo);
	struct server_options so = {0};
	if (opts != NULL)
		so = *opts;
	so.listen = "127.0.0.1:0";
	if (so.threads == 0)
		so.threads = 4;
	if (so.log == NULL && getenv("DROPLINE_TEST_ACCESS_LOG") != NULL) {
		ts->log = logger_new(stderr, LOG_DEBUG);
		so.log = ts->log;
	}
	ts->metrics = metrics_new();
	ck_assert_ptr_nonnull(ts->metrics);
	so.metrics = ts->metrics;
	char err[SERVER_ERR_MAX];
	struct api_options aopts = {0};
	if (ao != NULL)
		aopts = *ao;
	aopts.metrics = so.metrics;
	ts->app = api_new(ts->store, &aopts);
	ck_assert_ptr_nonnull(ts->app);
	ts->srv = server_start(ts->app, routes, n, &so, err);
	ck_assert_msg(ts->srv != NULL, "%s", err);
	ts->port = server_port(ts->srv);
	ck_assert_uint_ne(ts->port, 0);
}

void ts_start_routes(struct test_server *ts, bool demo, const struct route *routes, size_t n,
		     const struct server_options *opts)
{
	start_with(ts, demo, routes, n, opts, NULL);
}

void ts_start_api(struct test_server *ts, bool demo, const struct api_options *ao)
{
	start_with(ts, demo, api_routes, api_routes_count, NULL, ao);
}

void ts_start(struct test_server *ts, bool demo)
{
	ts_start_routes(ts, demo, api_routes, api_routes_count, NULL);
}

void ts_stop(struct test_server *ts)
{
	server_stop(ts->srv, 2000);
	ts->srv = NULL;
	api_free(ts->app);
	ts->app = NULL;
	metrics_free(ts->metrics);
	ts->metrics = NULL;
	logger_free(ts->log);
	ts->log = NULL;
	store_close(ts->store);
	ts->store = NULL;
	char path[400];
	static const char *const suffixes[] = {"", "-wal", "-shm", ".webhook-key"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s%s", ts->db_path, suffixes[i]);
		unlink(path);
	}
	rmdir(ts->dir);
}

static store_status insert_key(store_conn *c, void *ctx)
{
	return store_keys_insert(c, ctx);
}

char *ts_key(struct test_server *ts, party_kind party, int64_t party_id, int64_t *key_id)
{
	uint8_t secret[APIKEY_SECRET_BYTES];
	struct key_record rec = {.party = party, .party_id = party_id, .created_at = time_now()};
	apikey_new_secret(secret);
	apikey_hash(secret, rec.hash);
	ck_assert_int_eq(store_tx(ts->store, "test key", insert_key, &rec), STORE_OK);
	char *text = malloc(APIKEY_TEXT_MAX);
	ck_assert_ptr_nonnull(text);
	apikey_format(rec.id, secret, text);
	if (key_id != NULL)
		*key_id = rec.id;
	return text;
}

void ts_start_demo(struct test_server *ts, struct demo_keys *keys)
{
	ts_start(ts, true);
	client_use(ts);
	keys->key500 = ts_key(ts, PARTY_RETAILER, 500, &keys->key500_id);
	keys->key600 = ts_key(ts, PARTY_RETAILER, 600, NULL);
	keys->key700 = ts_key(ts, PARTY_RETAILER, 700, NULL);
	keys->key501 = ts_key(ts, PARTY_BRAND, 501, NULL);
	keys->key502 = ts_key(ts, PARTY_BRAND, 502, NULL);
}

void ts_stop_demo(struct test_server *ts, struct demo_keys *keys)
{
	free(keys->key500);
	free(keys->key600);
	free(keys->key700);
	free(keys->key501);
	free(keys->key502);
	*keys = (struct demo_keys){0};
	ts_stop(ts);
}

static store_status revoke_key(store_conn *c, void *ctx)
{
	return store_keys_revoke(c, *(int64_t *)ctx, time_now());
}

void ts_revoke(struct test_server *ts, int64_t key_id)
{
	ck_assert_int_eq(store_tx(ts->store, "test revoke", revoke_key, &key_id), STORE_OK);
}

void ts_exec(const struct test_server *ts, const char *sql)
{
	sqlite3 *db = NULL;
	ck_assert_int_eq(sqlite3_open(ts->db_path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	char *err = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
	ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, err ? err : sqlite3_errstr(rc));
	sqlite3_free(err);
	sqlite3_close(db);
}

char *ts_url(const struct test_server *ts, const char *path)
{
	size_t n = strlen(path) + 64;
	char *url = malloc(n);
	ck_assert_ptr_nonnull(url);
	snprintf(url, n, "http://127.0.0.1:%u%s", ts->port, path);
	return url;
}

struct buffer {
	char *data;
	size_t len;
};

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct buffer *b = userdata;
	size_t n = size * nmemb;
	char *data = realloc(b->data, b->len + n + 1);
	if (data == NULL)
		return 0;
	memcpy(data + b->len, ptr, n);
	b->data = data;
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

void http_do(const struct test_server *ts, const struct http_call *call, struct http_response *out)
{
	memset(out, 0, sizeof(*out));
	CURL *curl = curl_easy_init();
	ck_assert_ptr_nonnull(curl);
	char *url = ts_url(ts, call->path);
	struct buffer body = {0}, headers = {0};
	struct curl_slist *list = NULL;
	char line[512];
	if (call->key != NULL) {
		snprintf(line, sizeof(line), "Authorization: Bearer %s", call->key);
		list = curl_slist_append(list, line);
	}
	if (call->body != NULL) {
		snprintf(line, sizeof(line), "Content-Type: %s",
			 call->content_type ? call->content_type : "application/json");
		list = curl_slist_append(list, line);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, call->body);
		curl_easy_setopt(
			curl, CURLOPT_POSTFIELDSIZE_LARGE,
			(curl_off_t)(call->body_len ? call->body_len : strlen(call->body)));
	}
	/* No "Expect: 100-continue" round trip: send bodies at once. */
	list = curl_slist_append(list, "Expect:");
	for (const char *const *h = call->headers; h != NULL && *h != NULL; h++)
		list = curl_slist_append(list, *h);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, call->method);
	if (strcmp(call->method, "HEAD") == 0)
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, &headers);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	CURLcode rc = curl_easy_perform(curl);
	ck_assert_msg(rc == CURLE_OK, "%s %s: %s", call->method, call->path,
		      curl_easy_strerror(rc));
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
	out->body = body.data ? body.data : strdup("");
	out->body_len = body.len;
	out->headers = headers.data ? headers.data : strdup("");
	out->headers_len = headers.len;
	out->json = json_loadb(out->body, out->body_len, 0, NULL);
	openapi_log_response(call, out);
	curl_slist_free_all(list);
	curl_easy_cleanup(curl);
	free(url);
}

void http_get(const struct test_server *ts, const char *path, const char *key,
	      struct http_response *out)
{
	struct http_call call = {.method = "GET", .path = path, .key = key};
	http_do(ts, &call, out);
}

void http_send(const struct test_server *ts, const char *method, const char *path, const char *key,
	       const char *body, struct http_response *out)
{
	struct http_call call = {.method = method, .path = path, .key = key, .body = body};
	http_do(ts, &call, out);
}

char *http_header(const struct http_response *r, const char *name)
{
	size_t nlen = strlen(name);
	const char *line = r->headers;
	while (line != NULL && *line != '\0') {
		const char *end = strstr(line, "\r\n");
		size_t len = end ? (size_t)(end - line) : strlen(line);
		if (len > nlen && strncasecmp(line, name, nlen) == 0 && line[nlen] == ':') {
			const char *v = line + nlen + 1;
			while (*v == ' ')
				v++;
			return strndup(v, len - (size_t)(v - line));
		}
		line = end ? end + 2 : NULL;
	}
	return NULL;
}

void http_response_free(struct http_response *r)
{
	free(r->body);
	free(r->headers);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

const char *http_error_code(const struct http_response *r)
{
	const char *code =
		json_string_value(json_object_get(json_object_get(r->json, "error"), "code"));
	return code ? code : "";
}

json_t *http_error_field(const struct http_response *r, const char *field)
{
	json_t *fields = json_object_get(json_object_get(r->json, "error"), "fields");
	size_t i;
	json_t *item;
	json_array_foreach(fields, i, item)
	{
		const char *f = json_string_value(json_object_get(item, "field"));
		if (f != NULL && strcmp(f, field) == 0)
			return item;
	}
	return NULL;
}

bool http_error_has_field(const struct http_response *r, const char *field)
{
	return http_error_field(r, field) != NULL;
}

int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
