/*
 * Whole requests, in process: what src/http/server.c does once
 * libmicrohttpd has parsed a request, through the same framing_check() and
 * request_check()
 * (route, authenticate, check the query, read the JSON body), then the
 * handler as the API runs it (a write under Idempotency-Key, in a
 * transaction) and the one renderer of outcomes, over the real route table,
 * handlers and a real store, without sockets. This reaches every body spec
 * and everything after every parser.
 *
 * Input, raw HTTP/1.x framing as a client sends it (CR LF or LF):
 *   METHOD SP TARGET [SP HTTP/x.y] LF   target = path ["?" query], or absolute
 *                                       form; without a version: HTTP/1.0
 *   Name: value LF ...                  any headers, repeated, folded, with NULs
 *   LF
 *   body bytes                          chunked when Transfer-Encoding says so,
 *                                       Content-Length bytes, else all the rest
 * The head goes through framing_check() as the server's does (a refused
 * head must be answered 400 or 501, in JSON); what libmicrohttpd itself
 * refuses before the server sees it (a header line without a colon, a
 * malformed Content-Length or chunk) is skipped.
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
#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "api/api.h"
#include "http/checks.h"
#include "http/framing.h"
#include "http/server.h"
#include "fuzz_store.h"
#include "fuzz_util.h"

#define FUZZ_MAX_HEADERS 64

/* One parsed input. */
struct http_input {
	char *method;
	char *path;
	char *query; /* raw, NULL when the target has no '?' */
	char *authorization, *content_type, *idempotency_key;
	const char *body;
	size_t body_len;
	char *chunked_body; /* a chunked body, decoded (body points here) */
	/* The head as framing_check() sees it. */
	char *version;
	char *target; /* raw, up to a NUL */
	size_t target_len;
	bool target_cut;
	struct framing_header headers[FUZZ_MAX_HEADERS];
	char *owned[2 * FUZZ_MAX_HEADERS];
	size_t nheaders;
	bool unframed; /* what libmicrohttpd refuses itself, before the server sees it */
};

/* The next line of [*pos, size) without its LF or a CR before it: [*start, *start + *len). */
static bool next_raw_line(const uint8_t *data, size_t size, size_t *pos, size_t *start, size_t *len)
{
	if (*pos >= size)
		return false;
	const uint8_t *lf = memchr(data + *pos, '\n', size - *pos);
	size_t end = lf ? (size_t)(lf - data) : size;
	*start = *pos;
	*len = end - *pos;
	if (*len > 0 && data[*start + *len - 1] == '\r')
		(*len)--;
	*pos = lf ? end + 1 : size;
	return true;
}

static bool header_is(const char *name, const char *want)
{
	return strcasecmp(name, want) == 0;
}

/* The first value of a header, as libmicrohttpd's lookup gives it (copied), or NULL. */
static char *first_value(const struct http_input *in, const char *name)
{
	for (size_t i = 0; i < in->nheaders; i++)
		if (header_is(in->headers[i].name, name))
			return strdup(in->headers[i].value);
	return NULL;
}

/* A header line: name up to the colon (whitespace kept, as libmicrohttpd keeps it), value after it.
 */
static void add_header(struct http_input *in, const uint8_t *line, size_t n)
{
	const uint8_t *nul = memchr(line, '\0', n);
	const uint8_t *colon = memchr(line, ':', nul ? (size_t)(nul - line) : n);
	if (colon == NULL || in->nheaders == FUZZ_MAX_HEADERS) {
		in->unframed = true; /* libmicrohttpd answers 400 (or 431) itself */
		return;
	}
	size_t name_len = (size_t)(colon - line);
	const uint8_t *v = colon + 1, *end = line + n;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	const uint8_t *vnul = memchr(v, '\0', (size_t)(end - v));
	struct framing_header *h = &in->headers[in->nheaders];
	char *name = fuzz_strndup(line, name_len);
	char *value = fuzz_strndup(v, vnul ? (size_t)(vnul - v) : (size_t)(end - v));
	in->owned[2 * in->nheaders] = name;
	in->owned[2 * in->nheaders + 1] = value;
	*h = (struct framing_header){.name = name, .value = value, .damaged = vnul != NULL};
	in->nheaders++;
}

/* A chunked body as libmicrohttpd decodes it; false when it would refuse it. */
static bool decode_chunked(const uint8_t *data, size_t size, struct http_input *in)
{
	size_t pos = 0, len = 0, cap = 64;
	char *out = malloc(cap);
	FUZZ_REQUIRE(out != NULL);
	for (;;) {
		size_t start, n;
		if (!next_raw_line(data, size, &pos, &start, &n))
			goto bad;
		size_t chunk = 0, digits = 0;
		for (; digits < n && isxdigit(data[start + digits]); digits++) {
			if (chunk > ((size_t)1 << 24))
				goto bad;
			int c = data[start + digits];
			chunk = chunk * 16 +
				(size_t)(isdigit(c) ? c - '0' : (tolower(c) - 'a' + 10));
		}
		if (digits == 0 || (digits < n && data[start + digits] != ';'))
			goto bad;
		if (chunk == 0)
			break;
		if (size - pos < chunk)
			goto bad;
		if (len + chunk + 1 > cap) {
			while (len + chunk + 1 > cap)
				cap *= 2;
			char *grown = realloc(out, cap);
			FUZZ_REQUIRE(grown != NULL);
			out = grown;
		}
		memcpy(out + len, data + pos, chunk);
		len += chunk;
		pos += chunk;
		if (!next_raw_line(data, size, &pos, &start, &n) || n != 0)
			goto bad;
	}
	in->chunked_body = out;
	in->body = out;
	in->body_len = len;
	return true;
bad:
	free(out);
	return false;
}

static void input_parse(const uint8_t *data, size_t size, struct http_input *in)
{
	memset(in, 0, sizeof(*in));
	size_t pos = 0, start = 0, n = 0;
	next_raw_line(data, size, &pos, &start, &n);
	const uint8_t *line = data + start;
	/* METHOD SP TARGET [SP HTTP/x.y]; no version reads as HTTP/1.0 (no Host needed). */
	const uint8_t *sp = memchr(line, ' ', n);
	size_t mlen = sp ? (size_t)(sp - line) : n;
	in->method = fuzz_strndup(line, mlen);
	const uint8_t *target = sp ? sp + 1 : line + n;
	size_t tlen = (size_t)(line + n - target);
	in->version = strdup("HTTP/1.0");
	FUZZ_REQUIRE(in->version != NULL);
	const uint8_t *last = NULL;
	for (size_t i = tlen; i > 0 && last == NULL; i--)
		if (target[i - 1] == ' ')
			last = target + i - 1;
	if (last != NULL && (size_t)(line + n - (last + 1)) == 8 &&
	    memcmp(last + 1, "HTTP/", 5) == 0) {
		free(in->version);
		in->version = fuzz_strndup(last + 1, 8);
		tlen = (size_t)(last - target);
	}
	if (tlen == 0) {
		target = (const uint8_t *)"/";
		tlen = 1;
	}
	const uint8_t *tnul = memchr(target, '\0', tlen);
	in->target_cut = tnul != NULL;
	in->target_len = tnul ? (size_t)(tnul - target) : tlen;
	in->target = fuzz_strndup(target, in->target_len);
	const char *q = memchr(in->target, '?', in->target_len);
	size_t plen = q ? (size_t)(q - in->target) : in->target_len;
	/* libmicrohttpd hands over the path unescaped; a %00 ends it. */
	in->path = fuzz_url_decode(in->target, plen, false, NULL);
	if (q != NULL) {
		in->query = strdup(q + 1);
		FUZZ_REQUIRE(in->query != NULL);
	}
	bool ended = false;
	while (!ended) {
		if (!next_raw_line(data, size, &pos, &start, &n)) {
			ended = true;
			break;
		}
		if (n == 0)
			break;
		if (data[start] == ' ' || data[start] == '\t') {
			/* An obsolete line folding: libmicrohttpd glues it to the header's name. */
			if (in->nheaders > 0)
				in->headers[in->nheaders - 1].damaged = true;
			else
				in->unframed = true;
			continue;
		}
		add_header(in, data + start, n);
	}
	in->authorization = first_value(in, "Authorization");
	in->content_type = first_value(in, "Content-Type");
	in->idempotency_key = first_value(in, "Idempotency-Key");
	/* The body: chunked when so framed, else Content-Length bytes, else the rest. */
	char *te = first_value(in, "Transfer-Encoding");
	char *cl = first_value(in, "Content-Length");
	in->body = ended ? "" : (const char *)data + pos;
	in->body_len = ended ? 0 : size - pos;
	if (te != NULL) {
		if (strcasecmp(te, "chunked") == 0 &&
		    !decode_chunked(data + pos, ended ? 0 : size - pos, in))
			in->unframed = true;
	} else if (cl != NULL) {
		char *end = NULL;
		unsigned long long want = strtoull(cl, &end, 10);
		if (end == cl || *end != '\0' || !isdigit((unsigned char)cl[0]))
			in->unframed = true; /* libmicrohttpd's own 400 */
		else if (want < in->body_len)
			in->body_len = (size_t)want;
	}
	free(te);
	free(cl);
	/* "@r": the Bearer key of a party the store knows. */
	if (in->authorization != NULL && in->authorization[0] == '@' &&
	    fuzz_store_key(in->authorization[1]) != NULL && in->authorization[2] == '\0') {
		const char *key = fuzz_store_key(in->authorization[1]);
		size_t kn = strlen("Bearer ") + strlen(key) + 1;
		char *value = malloc(kn);
		FUZZ_REQUIRE(value != NULL);
		snprintf(value, kn, "Bearer %s", key);
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
	free(in->chunked_body);
	free(in->version);
	free(in->target);
	for (size_t i = 0; i < 2 * in->nheaders; i++)
		free(in->owned[i]);
}

/* The real checks and handler, as server.c runs them (no rate limit): framing first. */
static void dispatch(struct api_request *req, const struct http_input *in)
{
	struct framing_input head = {.version = in->version,
				     .target = in->target,
				     .target_len = in->target_len,
				     .target_cut = in->target_cut,
				     .headers = in->headers,
				     .nheaders = in->nheaders};
	if (!framing_check(req, &head)) {
		api_render(req);
		FUZZ_CHECK(req->reply.status == 400 || req->reply.status == 501);
		return;
	}
	req->path = framing_path(in->path);
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
	if ((run->status >= 500 && run->status != 501) || run->status < 200)
		fprintf(stderr, "reply %u to a client request: %s\n", run->status,
			run->body ? run->body : "(no body)");
	/* 501 is the framing's answer to a transfer coding other than chunked. */
	FUZZ_CHECK(run->status >= 200 && (run->status < 500 || run->status == 501));
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
	if (in.unframed) {
		input_free(&in);
		return 0;
	}
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
