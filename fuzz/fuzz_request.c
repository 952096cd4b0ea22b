/*
 * Whole requests, in process: what src/http/server.c's dispatch() does once
 * libmicrohttpd has parsed a request, through the same request_check()
 * (route, authenticate, check the query, read the JSON body), then the
 * handler as the API runs it (a write under Idempotency-Key, in a
 * transaction) and the one renderer of outcomes, over the real route table,
 * handlers and a real store, without sockets. This reaches every body spec
 * and everything after every parser.
 *
 * Input, HTTP/1.1-like:
 *   METHOD SP TARGET LF          target = path ["?" query]
 *   Name: value LF ...           Authorization, Content-Type, Idempotency-Key
 *   LF
 *   body bytes
 * An Authorization value "@r", "@s", "@b" or "@c" stands for "Bearer <key>"
 * of retailer 500, retailer 600, brand 501 or brand 502 (keys with random
 * secrets cannot be written into seed files); any other value is sent as is.
 *
 * The store holds the demo catalog and three orders made at start-up (open;
 * acknowledged and partly shipped; canceled); each input runs in a
 * transaction that is rolled back. Checks: every request gets exactly one
 * reply, a JSON body, and never a 5xx (client input must not make the
 * server fail).
 */
#include <stdbool.h>
#include <strings.h>

#include <jansson.h>

#include "api/api.h"
#include "http/checks.h"
#include "http/server.h"
#include "fuzz_store.h"
#include "fuzz_util.h"

/* One parsed input. */
struct http_input {
	char *method;
	char *path;
	char *query; /* raw, NULL when the target has no '?' */
	char *authorization, *content_type, *idempotency_key;
	const char *body;
	size_t body_len;
};

/* The next line of [*pos, size): malloc'd, without its LF or a CR before it. */
static char *next_line(const uint8_t *data, size_t size, size_t *pos, bool *ended)
{
	const uint8_t *lf = memchr(data + *pos, '\n', size - *pos);
	size_t end = lf ? (size_t)(lf - data) : size;
	size_t n = end - *pos;
	if (n > 0 && data[*pos + n - 1] == '\r')
		n--;
	char *line = fuzz_strndup(data + *pos, n);
	*ended = lf == NULL;
	*pos = lf ? end + 1 : size;
	return line;
}

static char *header_value(const char *line)
{
	const char *v = strchr(line, ':') + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	size_t n = strlen(v);
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	return fuzz_strndup((const uint8_t *)v, n);
}

static bool header_is(const char *line, const char *name)
{
	size_t n = strlen(name);
	return strncasecmp(line, name, n) == 0 && line[n] == ':';
}

static void input_parse(const uint8_t *data, size_t size, struct http_input *in)
{
	memset(in, 0, sizeof(*in));
	size_t pos = 0;
	bool ended = false;
	char *first = next_line(data, size, &pos, &ended);
	char *sp = strchr(first, ' ');
	const char *target = "/";
	if (sp != NULL) {
		*sp = '\0';
		target = sp + 1;
	}
	in->method = strdup(first);
	FUZZ_REQUIRE(in->method != NULL);
	const char *q = strchr(target, '?');
	size_t plen = q ? (size_t)(q - target) : strlen(target);
	/* libmicrohttpd hands over the path unescaped; a %00 ends it. */
	in->path = fuzz_url_decode(target, plen, false, NULL);
	if (q != NULL) {
		in->query = strdup(q + 1);
		FUZZ_REQUIRE(in->query != NULL);
	}
	free(first);
	while (!ended) {
		char *line = next_line(data, size, &pos, &ended);
		if (line[0] == '\0') {
			free(line);
			break;
		}
		char **slot = NULL;
		if (header_is(line, "Authorization"))
			slot = &in->authorization;
		else if (header_is(line, "Content-Type"))
			slot = &in->content_type;
		else if (header_is(line, "Idempotency-Key"))
			slot = &in->idempotency_key;
		if (slot != NULL && *slot == NULL) /* the first one counts, as in MHD's lookup */
			*slot = header_value(line);
		free(line);
	}
	in->body = (const char *)data + pos;
	in->body_len = size - pos;
	/* "@r": the Bearer key of a party the store knows. */
	if (in->authorization != NULL && in->authorization[0] == '@' &&
	    fuzz_store_key(in->authorization[1]) != NULL && in->authorization[2] == '\0') {
		const char *key = fuzz_store_key(in->authorization[1]);
		size_t n = strlen("Bearer ") + strlen(key) + 1;
		char *value = malloc(n);
		FUZZ_REQUIRE(value != NULL);
		snprintf(value, n, "Bearer %s", key);
		free(in->authorization);
		in->authorization = value;
	}
}

static void input_free(struct http_input *in)
{
	free(in->method);
	free(in->path);
	free(in->query);
	free(in->authorization);
	free(in->content_type);
	free(in->idempotency_key);
}

/* The real checks and handler, as server.c's dispatch() runs them (no rate limit). */
static void dispatch(struct api_request *req, const struct http_input *in)
{
	struct fuzz_pairs pairs;
	fuzz_pairs_split(in->query ? in->query : "", in->query ? strlen(in->query) : 0, &pairs);
	struct request_input input = {.authorization = in->authorization,
				      .content_type = in->content_type,
				      .idempotency_key = in->idempotency_key,
				      .pairs = pairs.items,
				      .npairs = pairs.count,
				      .body = in->body,
				      .body_len = in->body_len,
				      .body_limit = SERVER_BODY_LIMIT};
	switch (request_check(req, api_routes, api_routes_count, &input)) {
	case CHECKS_REFUSED: break;
	case CHECKS_READ: api_handle_read(req); break;
	/* Each input is rolled back, never committed: a write is a savepoint of that. */
	case CHECKS_WRITE: api_write_inline(req); break;
	}
	api_render(req);
	fuzz_pairs_free(&pairs);
}

struct run {
	const struct http_input *in;
	unsigned status;
	char *body; /* the reply body, taken over */
};

/* The application over the fuzz store, made once. */
static struct api *app;

static void run_request(void *ctx)
{
	struct run *run = ctx;
	struct api_request req;
	api_request_init(&req, app);
	req.method = run->in->method;
	req.path = run->in->path;
	strcpy(req.request_id, "fuzz");
	/* A long-poll's deadline long past: a feed answers at once, never waits. */
	req.wait_deadline_ms = 1;
	dispatch(&req, run->in);
	run->status = req.reply.status;
	run->body = req.reply.body;
	req.reply.body = NULL;
	FUZZ_CHECK(req.reply.nheaders <= REPLY_MAX_HEADERS);
	api_request_clear(&req);
}

static void check_reply(const struct run *run)
{
	if (run->status >= 500 || run->status < 200)
		fprintf(stderr, "reply %u to a client request: %s\n", run->status,
			run->body ? run->body : "(no body)");
	FUZZ_CHECK(run->status >= 200 && run->status < 500);
	FUZZ_CHECK(run->body != NULL);
	json_t *body = json_loads(run->body, 0, NULL);
	FUZZ_CHECK(body != NULL);
	if (run->status >= 400)
		FUZZ_CHECK(json_is_string(json_object_get(json_object_get(body, "error"), "code")));
	json_decref(body);
}

/* Start-up requests, committed: the orders later inputs act on. */
static void setup_request(const char *text)
{
	struct http_input in;
	input_parse((const uint8_t *)text, strlen(text), &in);
	struct run run = {.in = &in};
	run_request(&run);
	if (run.status >= 300) {
		fprintf(stderr, "fuzz_request setup: %s -> %u %s\n", text, run.status,
			run.body ? run.body : "");
		abort();
	}
	free(run.body);
	input_free(&in);
}

#define ORDER_BODY(po, lines)                                                                      \
	"{\"purchase_order_number\": \"" po "\", \"ordered_at\": \"2016-07-06T10:25\","            \
	"\"ship_to\": {\"name1\": \"Tammy Watkins\", \"street1\": \"1332 Hermosa Ave\","           \
	"\"city\": \"Hermosa Beach\", \"province\": \"CA\", \"postal_code\": \"90254\","           \
	"\"country\": \"US\"}, \"shipping_method\": {\"code\": \"GROUND\", \"carrier\": "          \
	"{\"code\": \"UPSN\"}}, \"order_lines\": [" lines "]}"

/* DROPLINE_FUZZ_VERBOSE=1: print each request's answer (to see what seeds reach). */
static bool verbose;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	verbose = getenv("DROPLINE_FUZZ_VERBOSE") != NULL;
	app = api_new(fuzz_store(), NULL);
	FUZZ_REQUIRE(app != NULL);
	/* Order 1: open, brand 501, two lines. */
	setup_request(
		"POST /v1/retailers/500/orders/\nAuthorization: @r\n"
		"Content-Type: application/json\n\n" ORDER_BODY(
			"PO-1", "{\"variant\": {\"identifier\": \"GBD34315\"}, \"quantity\": 3,"
				"\"net_price\": \"250.00\", \"price\": \"450.00\"},"
				"{\"variant\": {\"id\": 100084}, \"quantity\": 2,"
				"\"net_price\": 39, \"price\": 68.5}"));
	/* Order 2: acknowledged by brand 501, then one unit shipped. */
	setup_request("POST /v1/retailers/500/orders/\nAuthorization: @r\n"
		      "Content-Type: application/json\n\n" ORDER_BODY(
			      "PO-2", "{\"variant\": {\"upc\": \"123456789013\"}, \"quantity\": 2,"
				      "\"net_price\": \"10.00\", \"price\": \"20.00\"}"));
	setup_request("PUT /v1/brands/501/orders/2/acknowledge/\nAuthorization: @b\n\n");
	setup_request("POST /v1/brands/501/shipments/\nAuthorization: @b\n"
		      "Content-Type: application/json\n\n"
		      "{\"order_id\": 2, \"tracking_number\": \"1Z999\", \"shipment_lines\": "
		      "[{\"variant\": {\"id\": 1000066}, \"quantity\": 1}]}");
	/* Order 3: brand 502, canceled whole by the retailer. */
	setup_request("POST /v1/retailers/500/orders/\nAuthorization: @r\n"
		      "Content-Type: application/json\n\n" ORDER_BODY(
			      "PO-3", "{\"variant\": {\"identifier\": \"DB-100\"}, \"quantity\": 1,"
				      "\"net_price\": \"5.00\", \"price\": \"9.99\"}"));
	setup_request("POST /v1/retailers/500/cancels/\nAuthorization: @r\n"
		      "Content-Type: application/json\n\n"
		      "{\"order_id\": 3, \"reason_id\": 1, \"cancel_remaining\": true}");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_input in;
	input_parse(data, size, &in);
	struct run run = {.in = &in};
	fuzz_store_rollback(run_request, &run);
	if (verbose)
		fprintf(stderr, "%s %s -> %u %.300s\n", in.method, in.path, run.status,
			run.body ? run.body : "");
	check_reply(&run);
	free(run.body);
	input_free(&in);
	return 0;
}
