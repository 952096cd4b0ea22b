/*
 * Test harness: a real Dropline server in-process on an ephemeral port over
 * a fresh temporary database, and a libcurl client to call it.
 */
#ifndef DROPLINE_TEST_HARNESS_H
#define DROPLINE_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <check.h>
#include <jansson.h>

#include "api/route.h"
#include "domain/apikey.h"
#include "http/server.h"
#include "store/store.h"

struct test_server {
	char dir[256]; /* temporary directory holding the database */
	char db_path[300];
	store *store;
	struct api *app;
	struct server *srv;
	uint16_t port;
	struct metrics *metrics; /* the registry /metrics renders */
	struct logger *log;	 /* the harness's, when DROPLINE_TEST_ACCESS_LOG is set */
};

/* Opens a fresh migrated database (with the demo catalog when `demo`). */
void ts_open_store(struct test_server *ts, bool demo);

/* ts_open_store() and a server with the real route table on 127.0.0.1:0. */
void ts_start(struct test_server *ts, bool demo);

struct api_options; /* api/api.h */

/* ts_start() with application options (webhooks). */
void ts_start_api(struct test_server *ts, bool demo, const struct api_options *ao);

/* The same with another route table (HTTP layer tests). */
void ts_start_routes(struct test_server *ts, bool demo, const struct route *routes, size_t n,
		     const struct server_options *opts);

/* Stops the server, closes the store and removes the temporary files. */
void ts_stop(struct test_server *ts);

/* Makes a key for a party; returns its text (caller frees) and its id. */
char *ts_key(struct test_server *ts, party_kind party, int64_t party_id, int64_t *key_id);

/*
 * The demo fixture most suites share: a server over the demo catalog, the
 * client pointed at it, and a fresh key for each demo party (retailers 500,
 * 600 and 700, brands 501 and 502). ts_stop_demo() frees the keys and stops it.
 */
struct demo_keys {
	char *key500, *key600, *key700, *key501, *key502;
	int64_t key500_id;
};

void ts_start_demo(struct test_server *ts, struct demo_keys *keys);
void ts_stop_demo(struct test_server *ts, struct demo_keys *keys);

/* Revokes a key through the store, as `dropline keys revoke` does. */
void ts_revoke(struct test_server *ts, int64_t key_id);

/* Runs SQL on the server's database through a connection of its own (fails the test on error). */
void ts_exec(const struct test_server *ts, const char *sql);

/* "http://127.0.0.1:PORT" + path; caller frees. */
char *ts_url(const struct test_server *ts, const char *path);

struct http_response {
	long status;
	char *body;
	size_t body_len;
	char *headers; /* raw header block */
	size_t headers_len;
	json_t *json; /* parsed body, NULL when not JSON */
};

struct http_call {
	const char *method;
	const char *path;
	const char *key;	    /* Bearer key, or NULL */
	const char *body;	    /* NULL for none */
	size_t body_len;	    /* 0: strlen(body) */
	const char *content_type;   /* NULL: application/json when there is a body */
	const char *const *headers; /* extra "Name: value" lines, NULL-terminated */
};

/* Performs a call; fails the test when the transport fails. */
void http_do(const struct test_server *ts, const struct http_call *call, struct http_response *out);

/* Shorthands. */
void http_get(const struct test_server *ts, const char *path, const char *key,
	      struct http_response *out);
void http_send(const struct test_server *ts, const char *method, const char *path, const char *key,
	       const char *body, struct http_response *out);

/* A response header's value (case-insensitive name); caller frees; NULL when absent. */
char *http_header(const struct http_response *r, const char *name);

void http_response_free(struct http_response *r);

/* The error code of a contract error body, or "" when there is none. */
const char *http_error_code(const struct http_response *r);

/* The error body's field problem at `field` (borrowed), or NULL when it lists none. */
json_t *http_error_field(const struct http_response *r, const char *field);

/* True when the error body lists a field problem at `field`. */
bool http_error_has_field(const struct http_response *r, const char *field);

/* Runs a suite and returns the process exit status. */
int run_suite(Suite *s);

#endif
