/*
 * OAuth2 client credentials (CONTRACT.md section 18): POST /auth/token/
 * with the client in a form body, a JSON body or HTTP Basic; every bad
 * request gets its RFC 6749 section 5.2 error and nothing else (no token
 * stored); tokens work exactly where a key of their party does, expire,
 * die with their client, are hashed at rest and bounded per client; the
 * feed names the client as the actor; the token endpoint is rate-limited
 * per client; and a RevCascade-style session runs verbatim.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include "api/api.h"
#include "client.h"
#include "domain/oauth.h"
#include "domain/timeutil.h"
#include "harness.h"
#include "store/store_oauth.h"

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

/* ---- helpers ------------------------------------------------------------ */

struct test_client {
	int64_t id;
	char client_id[OAUTH_CLIENT_ID_MAX];
	char secret[APIKEY_TEXT_MAX];
};

static store_status insert_client(store_conn *c, void *ctx)
{
	return store_clients_insert(c, ctx);
}

/* A new client of the party, as `dropline clients create` makes one. */
static struct test_client make_client(party_kind party, int64_t party_id)
{
	struct test_client tc;
	uint8_t secret[APIKEY_SECRET_BYTES];
	struct client_record rec = {.party = party, .party_id = party_id, .created_at = time_now()};
	apikey_new_secret(secret);
	apikey_hash(secret, rec.hash);
	ck_assert_int_eq(store_tx(ts.store, "test client", insert_client, &rec), STORE_OK);
	tc.id = rec.id;
	oauth_client_id_format(rec.id, tc.client_id);
	apikey_secret_format(secret, tc.secret);
	return tc;
}

static store_status revoke_client(store_conn *c, void *ctx)
{
	return store_clients_revoke(c, *(int64_t *)ctx, time_now());
}

/* A number the database answers to `sql`. */
static int64_t db_number(const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	ck_assert_int_eq(sqlite3_open_v2(ts.db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	int64_t n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static int64_t tokens_stored(void)
{
	return db_number("SELECT count(*) FROM oauth_tokens");
}

/* POST /auth/token/ with this body, content type and extra headers. */
static void token_call(const char *body, const char *content_type, const char *authorization,
		       struct http_response *r)
{
	char auth[600];
	const char *headers[2] = {NULL, NULL};
	if (authorization != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: %s", authorization);
		headers[0] = auth;
	}
	struct http_call c = {.method = "POST",
			      .path = "/auth/token/",
			      .body = body,
			      .content_type = content_type,
			      .headers = headers};
	http_do(&ts, &c, r);
}

#define FORM "application/x-www-form-urlencoded"

/* A token of the client by the form body; the caller frees it. */
static char *token_of(const struct test_client *tc)
{
	char body[300];
	snprintf(body, sizeof(body), "grant_type=client_credentials&client_id=%s&client_secret=%s",
		 tc->client_id, tc->secret);
	struct http_response r;
	token_call(body, FORM, NULL, &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	char *token = strdup(str(r.json, "access_token"));
	ck_assert_ptr_nonnull(token);
	http_response_free(&r);
	return token;
}

/* "Basic base64(id:secret)" */
static void basic_of(const char *id, const char *secret, char *out, size_t cap)
{
	char plain[300];
	snprintf(plain, sizeof(plain), "%s:%s", id, secret);
	char b64[sodium_base64_ENCODED_LEN(300, sodium_base64_VARIANT_ORIGINAL)];
	sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)plain, strlen(plain),
			  sodium_base64_VARIANT_ORIGINAL);
	snprintf(out, cap, "Basic %s", b64);
}

/* A successful token answer: RFC 6749 section 5.1, exactly. */
static void assert_token_answer(const struct http_response *r)
{
	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
	ck_assert_int_eq(json_object_size(r->json), 4);
	const char *token = str(r->json, "access_token");
	ck_assert_msg(strncmp(token, "dlt_", 4) == 0, "%s", token);
	ck_assert_str_eq(str(r->json, "token_type"), "Bearer");
	ck_assert_int_eq(num(r->json, "expires_in"), API_TOKEN_TTL);
	ck_assert_str_eq(str(r->json, "scope"), "read write");
	char *cc = http_header(r, "Cache-Control");
	ck_assert_ptr_nonnull(cc);
	ck_assert_str_eq(cc, "no-store");
	free(cc);
}

/* An RFC 6749 section 5.2 error: this status and code, a description, nothing else. */
static void assert_oauth_error(const struct http_response *r, long status, const char *error)
{
	ck_assert_msg(r->status == status, "want %ld %s, got %ld %s", status, error, r->status,
		      r->body);
	ck_assert_msg(json_is_object(r->json), "%s", r->body);
	ck_assert_str_eq(str(r->json, "error"), error);
	ck_assert(json_is_string(json_object_get(r->json, "error_description")));
	ck_assert_msg(json_object_size(r->json) == 2, "%s", r->body);
	char *cc = http_header(r, "Cache-Control");
	ck_assert_ptr_nonnull(cc);
	ck_assert_str_eq(cc, "no-store");
	free(cc);
	char *www = http_header(r, "WWW-Authenticate");
	if (status == 401) {
		ck_assert_ptr_nonnull(www);
		ck_assert_str_eq(www, "Basic realm=\"dropline\"");
	} else {
		ck_assert_ptr_null(www);
	}
	free(www);
}

/* ---- getting a token ---------------------------------------------------- */

START_TEST(form_body_gives_a_bearer_token_that_works_on_its_party)
{
	struct test_client c = make_client(PARTY_BRAND, 501);
	char body[300];
	snprintf(body, sizeof(body), "grant_type=client_credentials&client_id=%s&client_secret=%s",
		 c.client_id, c.secret);
	struct http_response r;
	token_call(body, FORM, NULL, &r);
	assert_token_answer(&r);
	char *token = strdup(str(r.json, "access_token"));
	http_response_free(&r);
	http_get(&ts, B501 "/orders/", token, &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	http_response_free(&r);
	ck_assert_int_eq(tokens_stored(), 1);
	free(token);
}
END_TEST

START_TEST(json_body_and_http_basic_work_too)
{
	struct test_client c = make_client(PARTY_RETAILER, 500);
	char body[300], basic[400];
	snprintf(body, sizeof(body),
		 "{\"grant_type\": \"client_credentials\", \"client_id\": \"%s\", "
		 "\"client_secret\": \"%s\"}",
		 c.client_id, c.secret);
	struct http_response r;
	token_call(body, "application/json", NULL, &r);
	assert_token_answer(&r);
	http_response_free(&r);
	basic_of(c.client_id, c.secret, basic, sizeof(basic));
	token_call("grant_type=client_credentials", FORM, basic, &r);
	assert_token_answer(&r);
	char *token = strdup(str(r.json, "access_token"));
	http_response_free(&r);
	/* Basic with client_id repeated in the body (some libraries do) and a scope. */
	snprintf(body, sizeof(body), "grant_type=client_credentials&client_id=%s&scope=read+write",
		 c.client_id);
	token_call(body, FORM "; charset=UTF-8", basic, &r);
	assert_token_answer(&r);
	http_response_free(&r);
	http_get(&ts, R500 "/orders/", token, &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	http_response_free(&r);
	free(token);
}
END_TEST

/* ---- every bad token request -------------------------------------------- */

struct bad_request {
	const char *name;
	const char *body;	  /* %1$s client_id, %2$s secret */
	const char *content_type; /* NULL: the form type */
	int auth;		  /* 0 none, 1 Basic of the client, 2 the literal below */
	const char *authorization;
	long status;
	const char *error;
};

static const struct bad_request bad_requests[] = {
	{"no body at all", "", NULL, 0, NULL, 400, "invalid_request"},
	{"grant_type missing", "client_id=%1$s&client_secret=%2$s", NULL, 0, NULL, 400,
	 "invalid_request"},
	{"unknown grant", "grant_type=password&client_id=%1$s&client_secret=%2$s", NULL, 0, NULL,
	 400, "unsupported_grant_type"},
	{"authorization_code grant", "grant_type=authorization_code&code=x", NULL, 1, NULL, 400,
	 "unsupported_grant_type"},
	{"client_id missing", "grant_type=client_credentials&client_secret=%2$s", NULL, 0, NULL,
	 400, "invalid_request"},
	{"client_secret missing", "grant_type=client_credentials&client_id=%1$s", NULL, 0, NULL,
	 400, "invalid_request"},
	{"no client authentication", "grant_type=client_credentials", NULL, 0, NULL, 401,
	 "invalid_client"},
	{"wrong secret",
	 "grant_type=client_credentials&client_id=%1$s&client_secret="
	 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	 NULL, 0, NULL, 401, "invalid_client"},
	{"secret of the wrong shape",
	 "grant_type=client_credentials&client_id=%1$s&client_secret=x", NULL, 0, NULL, 401,
	 "invalid_client"},
	{"unknown client", "grant_type=client_credentials&client_id=dlc_999&client_secret=%2$s",
	 NULL, 0, NULL, 401, "invalid_client"},
	{"client_id not ours", "grant_type=client_credentials&client_id=abc&client_secret=%2$s",
	 NULL, 0, NULL, 401, "invalid_client"},
	{"grant_type twice",
	 "grant_type=client_credentials&grant_type=client_credentials&client_id=%1$s&"
	 "client_secret=%2$s",
	 NULL, 0, NULL, 400, "invalid_request"},
	{"bad percent-encoding", "grant_type=client_credentials%%G0&client_id=%1$s", NULL, 0, NULL,
	 400, "invalid_request"},
	{"a percent-encoded NUL", "grant_type=client_credentials%%00&client_id=%1$s", NULL, 0, NULL,
	 400, "invalid_request"},
	{"a parameter over 256 bytes",
	 "grant_type=client_credentials&client_id=%1$s&client_secret=%2$s%2$s%2$s%2$s%2$s%2$s%2$s",
	 NULL, 0, NULL, 400, "invalid_request"},
	{"text/plain body", "grant_type=client_credentials", "text/plain", 0, NULL, 400,
	 "invalid_request"},
	{"invalid JSON", "{\"grant_type\": \"client_credentials\",}", "application/json", 0, NULL,
	 400, "invalid_request"},
	{"JSON not an object", "[\"client_credentials\"]", "application/json", 0, NULL, 400,
	 "invalid_request"},
	{"JSON member not a string",
	 "{\"grant_type\": \"client_credentials\", \"client_id\": 7, \"client_secret\": \"%2$s\"}",
	 "application/json", 0, NULL, 400, "invalid_request"},
	{"unknown scope",
	 "grant_type=client_credentials&client_id=%1$s&client_secret=%2$s&scope=admin", NULL, 0,
	 NULL, 400, "invalid_scope"},
	{"Basic and client_secret in the body", "grant_type=client_credentials&client_secret=%2$s",
	 NULL, 1, NULL, 400, "invalid_request"},
	{"Basic and another client_id in the body", "grant_type=client_credentials&client_id=dlc_9",
	 NULL, 1, NULL, 400, "invalid_request"},
	{"malformed Basic: not base64", "grant_type=client_credentials", NULL, 2, "Basic !!!!", 401,
	 "invalid_client"},
	{"malformed Basic: no colon", "grant_type=client_credentials", NULL, 2,
	 "Basic ZGxjXzFzZWNyZXQ=", 401, "invalid_client"},
	{"malformed Basic: empty", "grant_type=client_credentials", NULL, 2, "Basic ", 401,
	 "invalid_client"},
	{"Basic with a wrong secret", "grant_type=client_credentials", NULL, 2,
	 "Basic ZGxjXzE6QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB", 401,
	 "invalid_client"},
	{"a Bearer header instead of Basic", "grant_type=client_credentials", NULL, 2,
	 "Bearer dl_1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 401, "invalid_client"},
};

START_TEST(each_bad_token_request_gets_its_rfc6749_error_and_no_token)
{
	const struct bad_request *b = &bad_requests[_i];
	struct test_client c = make_client(PARTY_BRAND, 501);
	ck_assert_int_eq(c.id, 1); /* the literal Basic headers above name dlc_1 */
	char body[2048], basic[400];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(body, sizeof(body), b->body, c.client_id, c.secret);
#pragma GCC diagnostic pop
	const char *auth = NULL;
	if (b->auth == 1) {
		basic_of(c.client_id, c.secret, basic, sizeof(basic));
		auth = basic;
	} else if (b->auth == 2) {
		auth = b->authorization;
	}
	struct http_response r;
	token_call(body, b->content_type ? b->content_type : FORM, auth, &r);
	ck_assert_msg(r.status == b->status, "%s: %ld %s", b->name, r.status, r.body);
	assert_oauth_error(&r, b->status, b->error);
	http_response_free(&r);
	ck_assert_int_eq(tokens_stored(), 0);
}
END_TEST

/* ---- a token's life ------------------------------------------------------ */

START_TEST(a_revoked_client_gets_invalid_client_and_its_tokens_die_at_once)
{
	struct test_client c = make_client(PARTY_BRAND, 501);
	char *token = token_of(&c);
	char *token2 = token_of(&c);
	struct http_response r;
	http_get(&ts, B501 "/orders/", token, &r);
	ck_assert_int_eq(r.status, 200);
	http_response_free(&r);
	ck_assert_int_eq(store_tx(ts.store, "revoke", revoke_client, &c.id), STORE_OK);
	ck_assert_int_eq(tokens_stored(), 0);
	http_get(&ts, B501 "/orders/", token, &r);
	ck_assert_int_eq(r.status, 401);
	ck_assert_str_eq(http_error_code(&r), "unauthorized");
	http_response_free(&r);
	http_get(&ts, B501 "/orders/", token2, &r);
	ck_assert_int_eq(r.status, 401);
	http_response_free(&r);
	char body[300];
	snprintf(body, sizeof(body), "grant_type=client_credentials&client_id=%s&client_secret=%s",
		 c.client_id, c.secret);
	token_call(body, FORM, NULL, &r);
	assert_oauth_error(&r, 401, "invalid_client");
	http_response_free(&r);
	ck_assert_int_eq(tokens_stored(), 0);
	free(token);
	free(token2);
}
END_TEST

START_TEST(an_expired_token_is_401_and_says_so)
{
	struct test_client c = make_client(PARTY_BRAND, 501);
	char *token = token_of(&c);
	ts_exec(&ts, "UPDATE oauth_tokens SET expires_at = created_at - 1");
	struct http_response r;
	http_get(&ts, B501 "/orders/", token, &r);
	ck_assert_int_eq(r.status, 401);
	ck_assert_str_eq(http_error_code(&r), "unauthorized");
	const char *message = str(json_object_get(r.json, "error"), "message");
	ck_assert_msg(strstr(message, "expired") != NULL, "%s", message);
	char *www = http_header(&r, "WWW-Authenticate");
	ck_assert_ptr_nonnull(www);
	ck_assert_msg(strncmp(www, "Bearer", 6) == 0, "%s", www);
	free(www);
	http_response_free(&r);
	free(token);
}
END_TEST

START_TEST(a_token_on_another_partys_path_is_403_and_a_forged_one_401)
{
	struct test_client c = make_client(PARTY_BRAND, 501);
	char *token = token_of(&c);
	struct http_response r;
	http_get(&ts, B502 "/orders/", token, &r);
	ck_assert_int_eq(r.status, 403);
	ck_assert_str_eq(http_error_code(&r), "forbidden");
	http_response_free(&r);
	http_get(&ts, R500 "/orders/", token, &r);
	ck_assert_int_eq(r.status, 403);
	http_response_free(&r);
	/* The right id with another secret, and a token that never was. */
	char forged[APIKEY_TEXT_MAX];
	snprintf(forged, sizeof(forged), "%.*sAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		 (int)(strchr(token + 4, '_') + 1 - token), token);
	http_get(&ts, B501 "/orders/", forged, &r);
	ck_assert_int_eq(r.status, 401);
	http_response_free(&r);
	http_get(&ts, B501 "/orders/", "dlt_99_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &r);
	ck_assert_int_eq(r.status, 401);
	http_response_free(&r);
	/* A client secret is not a bearer token. */
	http_get(&ts, B501 "/orders/", c.secret, &r);
	ck_assert_int_eq(r.status, 401);
	http_response_free(&r);
	free(token);
}
END_TEST

/* True when `needle` occurs in the file at `path` (absent file: false). */
static bool file_contains(const char *path, const char *needle)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return false;
	size_t n = strlen(needle), cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	ck_assert_ptr_nonnull(buf);
	size_t got;
	while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
	}
	fclose(f);
	bool found = false;
	for (size_t i = 0; i + n <= len && !found; i++)
		found = memcmp(buf + i, needle, n) == 0;
	free(buf);
	return found;
}

START_TEST(secrets_and_tokens_are_only_hashes_at_rest)
{
	struct test_client c = make_client(PARTY_BRAND, 501);
	char *token = token_of(&c);
	const char *secret_part = strrchr(token, '_') + 1;
	char wal[400];
	snprintf(wal, sizeof(wal), "%s-wal", ts.db_path);
	ck_assert(!file_contains(ts.db_path, c.secret));
	ck_assert(!file_contains(wal, c.secret));
	ck_assert(!file_contains(ts.db_path, secret_part));
	ck_assert(!file_contains(wal, secret_part));
	ck_assert_int_eq(db_number("SELECT count(*) FROM oauth_tokens WHERE length(hash) = 32"), 1);
	free(token);
}
END_TEST

START_TEST(a_client_holds_at_most_the_bound_of_live_tokens)
{
	struct test_client c = make_client(PARTY_BRAND, 501);
	struct test_client other = make_client(PARTY_BRAND, 501);
	char *others = token_of(&other);
	char *first = token_of(&c);
	char *last = NULL;
	for (int i = 0; i < API_TOKENS_PER_CLIENT + 5; i++) {
		free(last);
		last = token_of(&c);
	}
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM oauth_tokens WHERE client_id = %lld",
		 (long long)c.id);
	ck_assert_int_eq(db_number(sql), API_TOKENS_PER_CLIENT);
	struct http_response r;
	http_get(&ts, B501 "/orders/", first, &r);
	ck_assert_int_eq(r.status, 401); /* the oldest made room */
	http_response_free(&r);
	http_get(&ts, B501 "/orders/", last, &r);
	ck_assert_int_eq(r.status, 200);
	http_response_free(&r);
	/* Another client's tokens are not touched. */
	http_get(&ts, B501 "/orders/", others, &r);
	ck_assert_int_eq(r.status, 200);
	http_response_free(&r);
	free(first);
	free(last);
	free(others);
}
END_TEST

START_TEST(the_feed_names_the_client_as_the_actor)
{
	struct test_client c = make_client(PARTY_BRAND, 501);
	char *token = token_of(&c);
	json_t *o = create_order(500, demo.key500, "[" LINE_5 "]");
	int64_t id = num(o, "id");
	json_decref(o);
	char path[96];
	snprintf(path, sizeof(path), B501 "/orders/%lld/acknowledge/", (long long)id);
	struct http_response r;
	put_with_key(path, token, NULL, &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	http_response_free(&r);
	http_get(&ts, B501 "/events/?type=order.acknowledged", demo.key501, &r);
	ck_assert_int_eq(r.status, 200);
	json_t *ev = json_array_get(json_object_get(r.json, "results"), 0);
	json_t *actor = json_object_get(ev, "actor");
	ck_assert_str_eq(str(actor, "party"), "brand");
	ck_assert_int_eq(num(actor, "party_id"), 501);
	ck_assert_str_eq(str(actor, "key_id"), c.client_id);
	http_response_free(&r);
	/* A key's change still names the key's id, a number. */
	http_get(&ts, B501 "/events/?type=order.created", demo.key501, &r);
	ev = json_array_get(json_object_get(r.json, "results"), 0);
	ck_assert_int_eq(num(json_object_get(ev, "actor"), "key_id"), demo.key500_id);
	http_response_free(&r);
	free(token);
}
END_TEST

/* ---- a RevCascade client, verbatim --------------------------------------- */

START_TEST(a_revcascade_style_session_runs_verbatim)
{
	/* The retailer sends an order of two lines. */
	json_t *o = create_order(500, demo.key500, "[" LINE_5 ", " LINE_2 "]");
	int64_t order_id = num(o, "id"), l0 = line_id(o, 0), l1 = line_id(o, 1);
	json_decref(o);
	/* The brand's integration: client credentials, as its OAuth library sends them. */
	struct test_client c = make_client(PARTY_BRAND, 501);
	char body[300];
	snprintf(body, sizeof(body), "grant_type=client_credentials&client_id=%s&client_secret=%s",
		 c.client_id, c.secret);
	struct http_response r;
	token_call(body, FORM, NULL, &r);
	assert_token_answer(&r);
	char *token = strdup(str(r.json, "access_token"));
	http_response_free(&r);
	/* Poll for new orders. */
	http_get(&ts, B501 "/orders/?is_acknowledged=false", token, &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	ck_assert_int_eq(num(r.json, "count"), 1);
	json_t *found = json_array_get(json_object_get(r.json, "results"), 0);
	ck_assert_int_eq(num(found, "id"), order_id);
	http_response_free(&r);
	/* Acknowledge it; the next poll no longer shows it. */
	char path[128];
	snprintf(path, sizeof(path), B501 "/orders/%lld/acknowledge/", (long long)order_id);
	put_with_key(path, token, NULL, &r);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	http_response_free(&r);
	http_get(&ts, B501 "/orders/?is_acknowledged=false", token, &r);
	ck_assert_int_eq(num(r.json, "count"), 0);
	http_response_free(&r);
	/* Ship the first line, cancel the second (out of stock). */
	callf("POST", B501 "/shipments/", token, NULL, &r,
	      "{\"order_id\": %lld, \"tracking_number\": \"1Z999AA10123456784\","
	      " \"shipment_lines\": [{\"order_line_id\": %lld, \"quantity\": 5}]}",
	      (long long)order_id, (long long)l0);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	http_response_free(&r);
	callf("POST", B501 "/cancels/", token, NULL, &r,
	      "{\"order_id\": %lld, \"reason_id\": 2, \"cancel_lines\": ["
	      "{\"order_line_id\": %lld, \"quantity\": 2}]}",
	      (long long)order_id, (long long)l1);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	http_response_free(&r);
	/* The client reads the cancel's lines by `id`: the order line's id. */
	http_get(&ts, B501 "/cancels/", token, &r);
	ck_assert_int_eq(r.status, 200);
	json_t *cancel = json_array_get(json_object_get(r.json, "results"), 0);
	json_t *line = json_array_get(json_object_get(cancel, "cancel_lines"), 0);
	ck_assert_int_eq(num(line, "id"), l1);
	ck_assert_int_eq(num(line, "quantity"), 2);
	http_response_free(&r);
	free(token);
}
END_TEST

/* ---- the rate limit ------------------------------------------------------ */

START_TEST(the_token_endpoint_is_rate_limited_per_client)
{
	ts_stop_demo(&ts, &demo);
	struct server_options so = {.rate_limit = 0.001, .rate_burst = 3};
	ts_start_routes(&ts, true, api_routes, api_routes_count, &so);
	client_use(&ts);
	struct test_client a = make_client(PARTY_BRAND, 501);
	struct test_client b = make_client(PARTY_BRAND, 502);
	char body[300];
	snprintf(body, sizeof(body), "grant_type=client_credentials&client_id=%s&client_secret=%s",
		 a.client_id, a.secret);
	struct http_response r;
	for (int i = 0; i < 3; i++) {
		token_call(body, FORM, NULL, &r);
		ck_assert_msg(r.status == 200, "%d: %ld %s", i, r.status, r.body);
		http_response_free(&r);
	}
	token_call(body, FORM, NULL, &r);
	ck_assert_int_eq(r.status, 429);
	ck_assert_str_eq(http_error_code(&r), "rate_limited");
	http_response_free(&r);
	/* Another client has its own bucket. */
	char *tb = token_of(&b);
	/* a's tokens share a's bucket: it is empty. */
	http_get(&ts, B502 "/orders/", tb, &r);
	ck_assert_int_eq(r.status, 200);
	http_response_free(&r);
	free(tb);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("oauth");
	TCase *tc = tcase_create("oauth");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, form_body_gives_a_bearer_token_that_works_on_its_party);
	tcase_add_test(tc, json_body_and_http_basic_work_too);
	tcase_add_loop_test(tc, each_bad_token_request_gets_its_rfc6749_error_and_no_token, 0,
			    (int)(sizeof(bad_requests) / sizeof(bad_requests[0])));
	tcase_add_test(tc, a_revoked_client_gets_invalid_client_and_its_tokens_die_at_once);
	tcase_add_test(tc, an_expired_token_is_401_and_says_so);
	tcase_add_test(tc, a_token_on_another_partys_path_is_403_and_a_forged_one_401);
	tcase_add_test(tc, secrets_and_tokens_are_only_hashes_at_rest);
	tcase_add_test(tc, a_client_holds_at_most_the_bound_of_live_tokens);
	tcase_add_test(tc, the_feed_names_the_client_as_the_actor);
	tcase_add_test(tc, a_revcascade_style_session_runs_verbatim);
	tcase_add_test(tc, the_token_endpoint_is_rate_limited_per_client);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
