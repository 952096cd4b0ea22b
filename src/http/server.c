/*
 * The HTTP server on libmicrohttpd.
 *
 * A request's life: its context is allocated when libmicrohttpd has read
 * the request line (on_request_line(), so that every request is logged);
 * the first access-handler call, with the whole head and no byte of the
 * body, checks the framing (framing.c), a declared size, the route and the
 * key, and answers a refusal at once when a body would follow (then no
 * `100 Continue` is sent and the body is not read; 0.9.75 closes a
 * connection answered on the first call, so a refusal without a body waits
 * for the final call); the upload calls accumulate the body; the final call
 * checks the query and the body, runs the handler and queues its reply. The
 * completion callback writes the access-log line and frees the context.
 *
 * Writes (POST, PUT) take one more step: once checked, the request is
 * suspended and handed to the store's committer as a job. The committer runs
 * the handler inside a batch (group commit), and after the batch's COMMIT
 * resumes the connection, whose next access-handler call queues the reply.
 * A waiting write holds no worker thread, and no 2xx leaves before its
 * batch is durable.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "api/api.h"
#include "http/checks.h"
#include "domain/log.h"
#include "domain/metrics.h"
#include "domain/timeutil.h"
#include "http/http_metrics.h"
#include "http/framing.h"
#include "http/ratelimit.h"
#include "http/server.h"
#include "http/waiters.h"
#include "tls.h"

struct server {
	struct MHD_Daemon *daemon;
	int listen_fd;
	uint16_t port;
	struct api *app;
	const struct route *routes;
	size_t nroutes;
	struct server_options opts;
	struct rate_limiter *limiter; /* NULL when there is no limit */
	struct waiters *waiters;      /* long-polls held */
	atomic_int in_flight;
	struct http_metrics *metrics; /* NULL when there is no registry */
	struct tls_keys *tls;	      /* the certificate and key; NULL without TLS */
	struct body_budget budget;    /* bytes of bodies and parsed trees held */
	atomic_bool trimming;	      /* a thread is returning freed memory */
	atomic_bool trim_again;	      /* more was freed while it did */
};

/* Where a request is on its way to a reply. */
enum request_phase {
	PHASE_RECEIVING,  /* headers and body arriving; not dispatched yet */
	PHASE_COMMITTING, /* a write, suspended, with the committer */
	PHASE_INLINE,	  /* a write the committer refused (stopping): run here */
	PHASE_WAITING,	  /* a long-poll, suspended, held until news or its deadline */
	PHASE_RERUN,	  /* a long-poll woken: run it again */
	PHASE_ANSWERED,	  /* the reply is set: queue it */
};

struct pairs {
	struct query_pair items[QUERY_MAX_PAIRS + 1];
	size_t count;
};

/* What the server keeps per request besides what handlers see. */
struct request_state {
	struct api_request req;
	struct server *srv;
	bool begun;	   /* the head was seen (the first access-handler call) */
	bool head_refused; /* request_check_head() refused it: answer at the final call */
	char *raw_target;  /* the request target as received, up to a NUL (owned) */
	size_t raw_target_len;
	uintptr_t raw_target_end; /* where it ended in libmicrohttpd's buffer */
	char *body;
	size_t body_len;
	size_t body_cap;
	bool body_too_large;
	bool body_over_budget;
	size_t budget_held; /* taken from the server's body budget: body_cap and the tree's bound */
	struct timespec started;
	struct MHD_Connection *conn; /* a write's or a long-poll's, to resume it */
	struct waiter waiter;	     /* a long-poll's place among the held */
	struct request_input input;  /* what the checks and the handler read */
	atomic_int phase;	     /* enum request_phase */
	bool waited;		     /* a long-poll that was held: its answer closes */
};

void server_options_defaults(struct server_options *o)
{
	if (o->listen == NULL)
		o->listen = "127.0.0.1:8080";
	if (o->threads == 0)
		o->threads = 2;
	if (o->connection_limit == 0)
		o->connection_limit = 1024;
	if (o->timeout_seconds == 0)
		o->timeout_seconds = 30;
	if (o->idle_timeout == 0)
		o->idle_timeout = SERVER_IDLE_TIMEOUT;
	if (o->body_limit == 0)
		o->body_limit = SERVER_BODY_LIMIT;
	if (o->body_memory == 0)
		o->body_memory = BODY_BUDGET_DEFAULT;
}

/* A request that held this much gives its memory back to the system when it ends. */
#define TRIM_AFTER_BYTES ((size_t)1 << 20)

/* Under AddressSanitizer its allocator holds the memory; it has its own trim. */
extern void __sanitizer_purge_allocator(void) __attribute__((weak));

/*
 * glibc keeps what a large tree freed in its arenas; malloc_trim() hands
 * the free pages back. One thread at a time trims, and trims again when
 * more was freed while it did, so the last large request leaves nothing
 * behind.
 */

static void memory_return(struct server *srv)
{
	atomic_store(&srv->trim_again, true);
	while (atomic_exchange(&srv->trim_again, false)) {
		if (atomic_exchange(&srv->trimming, true))
			return; /* the thread trimming now sees trim_again */
		if (__sanitizer_purge_allocator != NULL)
			__sanitizer_purge_allocator();
		else
			malloc_trim(0);
		atomic_store(&srv->trimming, false);
	}
}

/* Frees the raw body (a parsed request keeps its tree only) and gives back its budget. */
static void body_release(struct request_state *rs)
{
	body_budget_give(&rs->srv->budget, rs->body_cap);
	rs->budget_held -= rs->body_cap;
	free(rs->body);
	rs->body = NULL;
	rs->body_len = rs->body_cap = 0;
	rs->input.body = NULL;
	rs->input.body_len = 0;
}

static void state_free(struct request_state *rs)
{
	struct server *srv = rs->srv;
	size_t held = rs->budget_held;
	api_request_clear(&rs->req);
	free(rs->raw_target);
	free(rs->body);
	body_budget_give(&srv->budget, held);
	free(rs);
	if (held >= TRIM_AFTER_BYTES)
		memory_return(srv);
}

/* A client's X-Request-Id is kept when it is short and plain; else a fresh id. */
static void request_id_set(struct api_request *req, struct MHD_Connection *conn)
{
	const char *given = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
	if (given != NULL) {
		size_t n = strlen(given);
		bool plain = n > 0 && n < REQUEST_ID_MAX;
		for (size_t i = 0; plain && i < n; i++) {
			char ch = given[i];
			plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
				(ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.';
		}
		if (plain) {
			memcpy(req->request_id, given, n + 1);
			return;
		}
	}
	unsigned char bytes[8];
	randombytes_buf(bytes, sizeof(bytes));
	sodium_bin2hex(req->request_id, sizeof(req->request_id), bytes, sizeof(bytes));
}

/* Appends upload data, refusing to grow past the body limit. */
static void body_append(struct request_state *rs, const char *data, size_t size)
{
	size_t limit = rs->srv->opts.body_limit;
	if (rs->body_too_large || rs->body_over_budget)
		return;
	if (size > limit || rs->body_len > limit - size) {
		rs->body_too_large = true;
		body_release(rs);
		return;
	}
	if (rs->body_len + size > rs->body_cap) {
		size_t cap = rs->body_cap ? rs->body_cap : 4096;
		while (cap < rs->body_len + size)
			cap *= 2;
		if (!body_budget_take(&rs->srv->budget, cap - rs->body_cap)) {
			/* Bodies already hold the process's budget: 503, retry. */
			rs->body_over_budget = true;
			body_release(rs);
			return;
		}
		rs->budget_held += cap - rs->body_cap;
		char *body = realloc(rs->body, cap);
		if (body == NULL) {
			/* Treated like an oversized body: the client sees 413, not a crash. */
			rs->body_too_large = true;
			body_budget_give(&rs->srv->budget, cap - rs->body_cap);
			rs->budget_held -= cap - rs->body_cap;
			body_release(rs);
			return;
		}
		rs->body = body;
		rs->body_cap = cap;
	}
	memcpy(rs->body + rs->body_len, data, size);
	rs->body_len += size;
}

static enum MHD_Result collect_pair(void *cls, enum MHD_ValueKind kind, const char *key,
				    size_t key_size, const char *value, size_t value_size)
{
	(void)kind;
	struct pairs *p = cls;
	if (p->count == QUERY_MAX_PAIRS + 1)
		return MHD_NO; /* query_parse() reports "too many" */
	p->items[p->count].key = key;
	p->items[p->count].value = value;
	/* A %00 decodes to a NUL that would silently cut the text short. */
	p->items[p->count].has_nul =
		strlen(key) != key_size || (value != NULL && strlen(value) != value_size);
	p->count++;
	return MHD_YES;
}

/* What a checked request needs next. */
typedef enum {
	NEXT_ANSWER, /* its outcome is decided: render and queue it */
	NEXT_COMMIT, /* a write: hand it to the committer */
	NEXT_HOLD,   /* a long-poll with nothing yet: hold it */
} next_step;

/* The head's part of rs->input: the headers the checks and the handler read. */
static void input_head(struct request_state *rs, struct MHD_Connection *conn)
{
	struct server *srv = rs->srv;
	rs->input = (struct request_input){
		.authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_AUTHORIZATION),
		.content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							    MHD_HTTP_HEADER_CONTENT_TYPE),
		.idempotency_key =
			MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Idempotency-Key"),
		.if_none_match = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_IF_NONE_MATCH),
		.body_limit = srv->opts.body_limit,
		.body_over_budget = rs->body_over_budget,
		.budget = &srv->budget,
		.budget_held = &rs->budget_held,
		.limiter = srv->limiter,
	};
}

/*
 * Gathers the query and the body into rs->input and runs the checks the
 * head did not (request_check_rest()); a read runs at once. Says what the
 * request needs next.
 */
static next_step dispatch(struct request_state *rs, struct MHD_Connection *conn)
{
	/*
	 * The pairs are needed by the checks only (the parsed query keeps what
	 * it needs): on the stack, not in what a held long-poll keeps.
	 */
	struct pairs pairs;
	pairs.count = 0;
	MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, collect_pair, &pairs);
	rs->input.pairs = pairs.items;
	rs->input.npairs = pairs.count;
	rs->input.body = rs->body;
	rs->input.body_len = rs->body_len;
	rs->input.body_too_large = rs->body_too_large;
	rs->input.body_over_budget = rs->body_over_budget;
	checks_result checked = request_check_rest(&rs->req, &rs->input);
	/*
	 * The handler reads the parsed tree; the bytes are not needed while a
	 * write waits, except by a route that reads its body raw (the token
	 * endpoint's form).
	 */
	if (rs->req.raw_body == NULL)
		body_release(rs);
	rs->input.pairs = NULL; /* gone with this frame */
	rs->input.npairs = 0;
	switch (checked) {
	case CHECKS_REFUSED: return NEXT_ANSWER;
	case CHECKS_READ:
		api_handle_read(&rs->req);
		return rs->req.out.kind == OUTCOME_WAIT ? NEXT_HOLD : NEXT_ANSWER;
	case CHECKS_WRITE: return NEXT_COMMIT;
	}
	return NEXT_ANSWER;
}

/* A held long-poll is woken (news, its deadline, a stop): run it again. */
static void long_poll_woken(struct waiter *w)
{
	struct request_state *rs =
		(struct request_state *)((char *)w - offsetof(struct request_state, waiter));
	atomic_store(&rs->phase, PHASE_RERUN);
	MHD_resume_connection(rs->conn);
}

/* Suspends a long-poll and parks it until its party's news or its deadline. */
static enum MHD_Result hold(struct request_state *rs, struct MHD_Connection *conn)
{
	struct api_request *req = &rs->req;
	rs->conn = conn;
	rs->waiter = (struct waiter){.party = req->caller.party,
				     .party_id = req->caller.party_id,
				     .until_ms = req->out.wait_until_ms,
				     .wake = long_poll_woken};
	/* Suspend first: it may be woken before waiters_hold() returns. */
	atomic_store(&rs->phase, PHASE_WAITING);
	MHD_suspend_connection(conn);
	switch (waiters_hold(rs->srv->waiters, &rs->waiter, req->out.wait_seq)) {
	case WAIT_HELD: rs->waited = true; return MHD_YES;
	case WAIT_STOPPED:
		req->wait_deadline_ms = 1; /* the server stops: answer now */
					   /* fall through */
	case WAIT_NEWS: break;
	}
	atomic_store(&rs->phase, PHASE_RERUN);
	MHD_resume_connection(conn);
	return MHD_YES;
}

/* Called by the committer once the write's batch is settled: wake the connection. */
static void write_done(struct api_request *req, void *cls)
{
	(void)req;
	struct request_state *rs = cls;
	atomic_store(&rs->phase, PHASE_ANSWERED);
	MHD_resume_connection(rs->conn);
}

/* Queues the request's reply with its headers. */
static enum MHD_Result queue_reply(struct request_state *rs, struct MHD_Connection *conn)
{
	struct reply *r = &rs->req.reply;
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		r->body_len, r->body ? r->body : (char *)"",
		r->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	r->body = NULL; /* the response owns it now */
	r->body_len = 0;
	bool typed = false; /* a reply that is not JSON names its own type */
	for (size_t i = 0; i < r->nheaders; i++)
		typed |= strcasecmp(r->headers[i].name, MHD_HTTP_HEADER_CONTENT_TYPE) == 0;
	if (!typed)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	MHD_add_response_header(resp, "X-Request-Id", rs->req.request_id);
	for (size_t i = 0; i < r->nheaders; i++)
		MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
	/*
	 * A long-poll that was held answers with Connection: close. Kept
	 * alive, libmicrohttpd 0.9.75 would zero the connection's whole memory
	 * pool (CONNECTION_MEMORY_LIMIT) for its next request, and the next
	 * long-poll on it would hold all of it: 64 KiB each instead of the two
	 * pages a fresh connection touches (docs/performance.md, 10,000
	 * long-polls). A client that polls reconnects; one that catches up
	 * (answered at once) keeps its connection.
	 */
	if (rs->waited)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	enum MHD_Result ret = MHD_queue_response(conn, r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* A body follows the head: Transfer-Encoding, or a Content-Length other than 0. */
static bool body_expected(struct MHD_Connection *conn)
{
	if (MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING))
		return true;
	const char *cl =
		MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	return cl != NULL && strspn(cl, "0") != strlen(cl);
}

/* Content-Length larger than the limit: answer before reading the body. */
static bool declared_too_large(struct MHD_Connection *conn, size_t limit)
{
	const char *cl =
		MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl == NULL)
		return false;
	char *end = NULL;
	errno = 0;
	unsigned long long n = strtoull(cl, &end, 10);
	return end != cl && (errno == ERANGE || n > limit);
}

/* The headers of a head, as received, for framing_check(). */
struct head_scan {
	struct framing_header *headers;
	size_t *value_sizes;
	size_t count, cap;
};

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
				      size_t key_size, const char *value, size_t value_size)
{
	(void)kind;
	(void)key_size;
	struct head_scan *h = cls;
	if (h->count == h->cap)
		return MHD_NO;
	h->headers[h->count] = (struct framing_header){.name = key, .value = value ? value : ""};
	h->value_sizes[h->count] = value ? value_size : 0;
	h->count++;
	return MHD_YES;
}

/*
 * libmicrohttpd ends a header value at its first NUL byte, so a value of
 * "Bearer KEY\0junk" reads as "Bearer KEY". It keeps each value where it
 * was received, in the head [head, head_end), with the line's CR LF (or
 * bare LF) overwritten by NULs. So the byte after a value's terminator is
 * another NUL (its CR LF), or the first byte of the next header (a bare
 * LF); anything else means the value held a NUL. A name or a value
 * outside the head was rebuilt from an obsolete line folding (0.9.75 glues
 * the next line to the name). Both are marked damaged.
 * tests/integration/test_framing.c fails if a libmicrohttpd changes this.
 */
static void mark_damaged(struct head_scan *h, uintptr_t head, uintptr_t head_end)
{
	for (size_t i = 0; i < h->count; i++) {
		const char *value = h->headers[i].value;
		uintptr_t v = (uintptr_t)value, k = (uintptr_t)h->headers[i].name;
		size_t n = h->value_sizes[i];
		if (k < head || k >= head_end || v < head || v >= head_end ||
		    n >= head_end - v - 1) {
			h->headers[i].damaged = true;
			continue;
		}
		const char *after = value + n + 1;
		bool next_line =
			i + 1 < h->count && (uintptr_t)after == (uintptr_t)h->headers[i + 1].name;
		h->headers[i].damaged = *after != '\0' && !next_line;
	}
}

/* framing_check() on what libmicrohttpd parsed; false when the request is refused. */
static bool head_framed(struct request_state *rs, struct MHD_Connection *conn, const char *method,
			const char *version)
{
	if (rs->raw_target == NULL) {
		api_refuse(&rs->req, REFUSED_INTERNAL);
		return false;
	}
	int n = MHD_get_connection_values_n(conn, MHD_HEADER_KIND, NULL, NULL);
	size_t cap = n > 0 ? (size_t)n : 1;
	struct head_scan h = {.headers = calloc(cap, sizeof(*h.headers)),
			      .value_sizes = calloc(cap, sizeof(*h.value_sizes)),
			      .cap = cap};
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
	bool ok = false;
	if (h.headers == NULL || h.value_sizes == NULL || info == NULL) {
		api_refuse(&rs->req, REFUSED_INTERNAL);
		goto out;
	}
	MHD_get_connection_values_n(conn, MHD_HEADER_KIND, collect_header, &h);
	mark_damaged(&h, (uintptr_t)method, (uintptr_t)method + info->header_size);
	struct framing_input in = {
		.version = version,
		.target = rs->raw_target,
		.target_len = rs->raw_target_len,
		/* The target ends right before the space before the version, unless a NUL cut it.
		 */
		.target_cut = rs->raw_target_end + 1 != (uintptr_t)version,
		.headers = h.headers,
		.nheaders = h.count,
	};
	ok = framing_check(&rs->req, &in);
out:
	free(h.headers);
	free(h.value_sizes);
	return ok;
}

static struct request_state *request_state_new(struct server *srv)
{
	struct request_state *rs = calloc(1, sizeof(*rs));
	if (rs == NULL)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &rs->started);
	rs->srv = srv;
	api_request_init(&rs->req, srv->app);
	atomic_init(&rs->phase, PHASE_RECEIVING);
	return rs;
}

/*
 * libmicrohttpd has read a request line: the request's state starts here,
 * with the target as received (before it is split and percent-decoded),
 * so that every request is logged, also one libmicrohttpd refuses itself.
 */
static void *on_request_line(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)conn;
	struct request_state *rs = request_state_new(cls);
	if (rs == NULL)
		return NULL;
	size_t n = strlen(uri);
	rs->raw_target = malloc(n + 1);
	if (rs->raw_target == NULL) {
		state_free(rs);
		return NULL;
	}
	memcpy(rs->raw_target, uri, n + 1);
	rs->raw_target_len = n;
	rs->raw_target_end = (uintptr_t)uri + n;
	return rs;
}

/* Queues the request's outcome as its reply now. */
static enum MHD_Result answer_now(struct request_state *rs, struct MHD_Connection *conn)
{
	api_render(&rs->req);
	atomic_store(&rs->phase, PHASE_ANSWERED);
	return queue_reply(rs, conn);
}

/*
 * The first access-handler call: the head is complete, no byte of the body
 * read. What the head alone decides is answered now, and then
 * libmicrohttpd sends no `100 Continue` and reads no body: the framing, a
 * body declared too large, the route and method, the key and its rate.
 */
static enum MHD_Result request_begin(struct request_state *rs, struct MHD_Connection *conn,
				     const char *url, const char *method, const char *version)
{
	struct server *srv = rs->srv;
	rs->begun = true;
	atomic_fetch_add(&srv->in_flight, 1);
	rs->req.method = method;
	rs->req.path = framing_path(url);
	request_id_set(&rs->req, conn);
	/* It sent a request: it has the longer timeout from now on. */
	if (srv->opts.idle_timeout != srv->opts.timeout_seconds)
		MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT,
					  (unsigned int)srv->opts.timeout_seconds);
	if (!head_framed(rs, conn, method, version))
		return answer_now(rs, conn);
	if (declared_too_large(conn, srv->opts.body_limit)) {
		/* Answer now; libmicrohttpd closes the connection unread. */
		rs->body_too_large = true;
		api_refuse(&rs->req, REFUSED_TOO_LARGE)->number = (int64_t)srv->opts.body_limit;
		return answer_now(rs, conn);
	}
	input_head(rs, conn);
	if (request_check_head(&rs->req, srv->routes, srv->nroutes, &rs->input) == CHECKS_REFUSED) {
		/*
		 * A body on its way is not read: answering now does that, and
		 * closes the connection (libmicrohttpd 0.9.75 keeps no connection
		 * answered at the first call). Without a body the final call,
		 * which comes at once, answers and keeps the connection.
		 */
		if (body_expected(conn))
			return answer_now(rs, conn);
		rs->head_refused = true;
	}
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	struct server *srv = cls;
	struct request_state *rs = *req_cls;
	if (rs == NULL) {
		/* on_request_line() ran out of memory: head_framed() answers 500. */
		rs = request_state_new(srv);
		if (rs == NULL)
			return MHD_NO;
		*req_cls = rs;
	}
	if (!rs->begun)
		return request_begin(rs, conn, url, method, version);
	if (*upload_data_size > 0) {
		body_append(rs, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	switch ((enum request_phase)atomic_load(&rs->phase)) {
	case PHASE_RECEIVING: {
		if (rs->req.reply.status != 0 || rs->head_refused)
			break;
		next_step next = dispatch(rs, conn);
		if (next == NEXT_HOLD)
			return hold(rs, conn);
		if (next == NEXT_ANSWER)
			break;
		/* Suspend first: the committer may resume it before submit() returns. */
		rs->conn = conn;
		atomic_store(&rs->phase, PHASE_COMMITTING);
		MHD_suspend_connection(conn);
		if (!api_write_submit(&rs->req, write_done, rs)) {
			atomic_store(&rs->phase, PHASE_INLINE);
			MHD_resume_connection(conn);
		}
		return MHD_YES;
	}
	case PHASE_COMMITTING:
	case PHASE_WAITING: return MHD_YES; /* not resumed yet: nothing to send */
	case PHASE_RERUN:
		api_handle_read(&rs->req);
		if (rs->req.out.kind == OUTCOME_WAIT)
			return hold(rs, conn);
		break;
	case PHASE_INLINE: api_write_inline(&rs->req); break;
	case PHASE_ANSWERED: break;
	}
	/* The one place an outcome becomes a reply (a write's, after its commit). */
	return answer_now(rs, conn);
}

/*
 * A text for the access log: `s` itself when it is valid UTF-8, else a
 * copy with every byte from 0x80 up written as %XX (caller frees *copy).
 */
static const char *log_text(const char *s, char **copy)
{
	*copy = NULL;
	json_t *probe = json_string(s);
	if (probe != NULL) {
		json_decref(probe);
		return s;
	}
	size_t n = strlen(s);
	if (n > (SIZE_MAX - 1) / 3 || (*copy = malloc(3 * n + 1)) == NULL)
		return "(unprintable)";
	char *out = *copy;
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p >= 0x80) {
			static const char hex[] = "0123456789ABCDEF";
			*out++ = '%';
			*out++ = hex[*p >> 4];
			*out++ = hex[*p & 15];
		} else {
			*out++ = (char)*p;
		}
	}
	*out = '\0';
	return *copy;
}

/*
 * Every request that got as far as its request line is logged, also one
 * libmicrohttpd refused itself (its status then is libmicrohttpd's, and
 * its method unknown: null).
 */
static void access_log(struct server *srv, struct request_state *rs, struct MHD_Connection *conn,
		       enum MHD_RequestTerminationCode toe)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double ms = (double)(now.tv_sec - rs->started.tv_sec) * 1e3 +
		    (double)(now.tv_nsec - rs->started.tv_nsec) / 1e6;
	unsigned status = rs->req.reply.status;
	if (status == 0) {
		const union MHD_ConnectionInfo *info =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_HTTP_STATUS);
		status = info ? info->http_status : 0;
	}
	http_metrics_observe(srv->metrics, rs->begun ? rs->req.route.route : NULL,
			     rs->begun ? rs->req.method : NULL, status, ms / 1e3);
	if (!log_enabled(srv->opts.log, LOG_INFO))
		return;
	char *method_copy = NULL, *path_copy = NULL;
	const char *method = rs->begun ? log_text(rs->req.method, &method_copy) : NULL;
	const char *path = rs->begun ? rs->req.path : rs->raw_target ? rs->raw_target : "";
	path = log_text(path, &path_copy);
	log_json(srv->opts.log, LOG_INFO,
		 json_pack("{s:s?, s:s, s:i, s:f, s:s, s:b}", "method", method, "path", path,
			   "status", (int)status, "duration_ms", ms, "request_id",
			   rs->req.request_id, "completed",
			   toe == MHD_REQUEST_TERMINATED_COMPLETED_OK));
	free(method_copy);
	free(path_copy);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct server *srv = cls;
	struct request_state *rs = *req_cls;
	if (rs == NULL)
		return;
	*req_cls = NULL;
	access_log(srv, rs, conn, toe);
	bool begun = rs->begun;
	state_free(rs);
	if (begun)
		atomic_fetch_sub(&srv->in_flight, 1);
}

/*
 * libmicrohttpd's own messages (a client that hung up mid-request, a full
 * connection table) as JSON lines beside the access log, or nowhere when
 * there is no log.
 */
static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct server *srv = cls;
	if (!log_enabled(srv->opts.log, LOG_WARN))
		return;
	char message[512];
	vsnprintf(message, sizeof(message), fmt, ap);
	size_t n = strlen(message);
	while (n > 0 && (message[n - 1] == '\n' || message[n - 1] == ' '))
		message[--n] = '\0';
	text_make_utf8(message);
	log_json(srv->opts.log, LOG_WARN,
		 json_pack("{s:s, s:s}", "component", "http", "message", message));
}

/*
 * Binds and listens on "ADDR:PORT" ("127.0.0.1:8080", "[::1]:0",
 * "localhost:8080"). Returns the socket, or -1 with err set.
 */
static int listen_on(const char *listen_addr, char err[SERVER_ERR_MAX])
{
	const char *colon = strrchr(listen_addr, ':');
	if (colon == NULL || colon == listen_addr || colon[1] == '\0') {
		snprintf(err, SERVER_ERR_MAX, "cannot listen on '%s': expected ADDR:PORT",
			 listen_addr);
		return -1;
	}
	size_t hlen = (size_t)(colon - listen_addr);
	char host[256];
	if (hlen >= sizeof(host)) {
		snprintf(err, SERVER_ERR_MAX, "cannot listen on '%.64s...': address too long",
			 listen_addr);
		return -1;
	}
	memcpy(host, listen_addr, hlen);
	host[hlen] = '\0';
	if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
		memmove(host, host + 1, hlen - 2);
		host[hlen - 2] = '\0';
	}
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(host, colon + 1, &hints, &res);
	if (rc != 0) {
		snprintf(err, SERVER_ERR_MAX, "cannot listen on %s: %s", listen_addr,
			 gai_strerror(rc));
		return -1;
	}
	int fd = -1, saved_errno = 0;
	for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			    ai->ai_protocol);
		if (fd < 0) {
			saved_errno = errno;
			continue;
		}
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 511) == 0)
			break;
		saved_errno = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		snprintf(err, SERVER_ERR_MAX, "cannot listen on %s: %s", listen_addr,
			 strerror(saved_errno));
	return fd;
}

static uint16_t bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return 0;
}

/* Undoes a server_start() that got as far as the listening socket; NULL for its caller. */
static struct server *start_failed(struct server *srv)
{
	waiters_free(srv->waiters);
	http_metrics_free(srv->metrics);
	tls_keys_free(srv->tls);
	close(srv->listen_fd);
	rate_limiter_free(srv->limiter);
	free(srv);
	return NULL;
}

/* The hub's view of the API: its news sequence, and its periodic work. */
static uint64_t events_seq(void *ctx)
{
	return api_events_seq(ctx);
}

static void periodic_work(void *ctx)
{
	api_tick(ctx);
}

static double long_polls_held(void *ctx)
{
	struct server *srv = ctx;
	return (double)waiters_count(srv->waiters);
}

static double requests_in_flight(void *ctx)
{
	struct server *srv = ctx;
	return (double)atomic_load(&srv->in_flight);
}

/* The server's series in the registry; false on no memory or a name taken. */
static bool metrics_register(struct server *srv)
{
	struct metrics *m = srv->opts.metrics;
	srv->metrics = http_metrics_new(m, srv->routes, srv->nroutes);
	return srv->metrics != NULL &&
	       metrics_add_gauge(m, "dropline_http_requests_in_flight",
				 "Requests received and not answered yet (long-polls included).",
				 requests_in_flight, srv) &&
	       metrics_add_gauge(m, "dropline_long_polls_open",
				 "Long-poll requests held, waiting for news or their deadline.",
				 long_polls_held, srv);
}

/*
 * Parses the TLS certificate and key, when there are, into the holder the
 * handshakes read (tls.h). False, with err set, when only one is given,
 * TLS is missing, or they are not a pair.
 */
static bool tls_setup(struct server *srv, char err[SERVER_ERR_MAX])
{
	const char *cert = srv->opts.tls_cert, *key = srv->opts.tls_key;
	if (cert == NULL && key == NULL)
		return true;
	if (cert == NULL || key == NULL) {
		snprintf(err, SERVER_ERR_MAX, "TLS needs both a certificate and its key");
		return false;
	}
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES ||
	    MHD_is_feature_supported(MHD_FEATURE_HTTPS_CERT_CALLBACK) != MHD_YES) {
		snprintf(err, SERVER_ERR_MAX, "this libmicrohttpd was built without TLS support");
		return false;
	}
	srv->tls = tls_keys_new(cert, key, err, SERVER_ERR_MAX);
	return srv->tls != NULL;
}

/* Each connection knows its server, for the TLS callback below. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	(void)conn;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		*socket_context = cls;
}

/*
 * GnuTLS asks for the certificate at each handshake: the pair in place
 * now. libmicrohttpd makes the connection the session's pointer.
 */
static int tls_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
			const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
			gnutls_pcert_st **pcert, unsigned int *pcert_length, gnutls_privkey_t *pkey)
{
	(void)req_ca_dn;
	(void)nreqs;
	(void)pk_algos;
	(void)pk_algos_length;
	struct MHD_Connection *conn = gnutls_session_get_ptr(session);
	const union MHD_ConnectionInfo *info =
		conn ? MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT) : NULL;
	struct server *srv = info ? info->socket_context : NULL;
	if (srv == NULL || srv->tls == NULL)
		return -1;
	tls_keys_current(srv->tls, pcert, pcert_length, pkey);
	return 0;
}

bool server_tls_reload(struct server *srv, const char *cert_pem, const char *key_pem,
		       char err[SERVER_ERR_MAX])
{
	if (srv->tls == NULL) {
		snprintf(err, SERVER_ERR_MAX, "the server was started without TLS");
		return false;
	}
	return tls_keys_replace(srv->tls, cert_pem, key_pem, err, SERVER_ERR_MAX);
}

/* A commit gave a party events: its long-polls run again. */
static void party_has_news(party_kind party, int64_t party_id, void *ctx)
{
	struct server *srv = ctx;
	waiters_notify(srv->waiters, party, party_id);
}

struct server *server_start(struct api *app, const struct route *routes, size_t nroutes,
			    const struct server_options *opts, char err[SERVER_ERR_MAX])
{
	struct server *srv = calloc(1, sizeof(*srv));
	if (srv == NULL) {
		snprintf(err, SERVER_ERR_MAX, "out of memory");
		return NULL;
	}
	srv->opts = *opts;
	server_options_defaults(&srv->opts);
	srv->app = app;
	srv->routes = routes;
	srv->nroutes = nroutes;
	atomic_init(&srv->in_flight, 0);
	body_budget_init(&srv->budget, srv->opts.body_memory);
	atomic_init(&srv->trimming, false);
	atomic_init(&srv->trim_again, false);
	if (srv->opts.rate_limit > 0) {
		double burst =
			srv->opts.rate_burst > 0 ? srv->opts.rate_burst : 2 * srv->opts.rate_limit;
		srv->limiter = rate_limiter_new(srv->opts.rate_limit, burst);
		if (srv->limiter == NULL) {
			snprintf(err, SERVER_ERR_MAX, "out of memory");
			free(srv);
			return NULL;
		}
	}
	srv->listen_fd = listen_on(srv->opts.listen, err);
	if (srv->listen_fd < 0) {
		rate_limiter_free(srv->limiter);
		free(srv);
		return NULL;
	}
	srv->port = bound_port(srv->listen_fd);
	srv->waiters = waiters_new(events_seq, periodic_work, app, SERVER_TICK_MS);
	if (srv->waiters == NULL) {
		snprintf(err, SERVER_ERR_MAX, "cannot start the server: out of memory or threads");
		return start_failed(srv);
	}
	if (srv->opts.metrics != NULL && !metrics_register(srv)) {
		snprintf(err, SERVER_ERR_MAX, "cannot start the server: out of memory for metrics");
		return start_failed(srv);
	}
	bool tls_ok = tls_setup(srv, err);
	/* Parsed: the caller's texts are not kept (server.h). */
	srv->opts.tls_cert = srv->opts.tls_key = NULL;
	if (!tls_ok)
		return start_failed(srv);
	api_listen_events(app, party_has_news, srv);
	if (!api_webhooks_start(app)) {
		api_listen_events(app, NULL, NULL);
		snprintf(err, SERVER_ERR_MAX, "cannot start the webhook delivery thread");
		return start_failed(srv);
	}
	/*
	 * Thread pool + epoll: measured on 2 cores against thread-per-connection
	 * (docs/architecture.md). ITC lets server_stop() quiesce the daemon.
	 */
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
			 MHD_ALLOW_SUSPEND_RESUME;
	/* The certificate is asked for at each handshake: server_tls_reload() replaces it. */
	struct MHD_OptionItem tls[] = {
		{MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, srv},
		{MHD_OPTION_HTTPS_CERT_CALLBACK, 0, (void *)(intptr_t)tls_retrieve},
		{MHD_OPTION_END, 0, NULL}};
	struct MHD_OptionItem no_tls[] = {{MHD_OPTION_END, 0, NULL}};
	if (srv->tls != NULL)
		flags |= MHD_USE_TLS;
	/* The logger first: libmicrohttpd warns about any option before it. */
	srv->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
		MHD_OPTION_LISTEN_SOCKET, (MHD_socket)srv->listen_fd, MHD_OPTION_THREAD_POOL_SIZE,
		(unsigned int)srv->opts.threads, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned int)srv->opts.connection_limit, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned int)srv->opts.per_ip_limit,
		/* Until a connection sends a request; request_begin() sets the longer one. */
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)srv->opts.idle_timeout,
		MHD_OPTION_URI_LOG_CALLBACK, on_request_line, srv,
		/* Headers and MHD's own buffers; bodies are accumulated by us. */
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_ARRAY,
		srv->tls != NULL ? tls : no_tls, MHD_OPTION_END);
	if (srv->daemon == NULL) {
		if (srv->tls != NULL)
			snprintf(err, SERVER_ERR_MAX, "cannot start the HTTPS server on %s",
				 srv->opts.listen);
		else
			snprintf(err, SERVER_ERR_MAX, "cannot start the HTTP server on %s",
				 srv->opts.listen);
		api_listen_events(app, NULL, NULL);
		api_webhooks_stop(app);
		return start_failed(srv);
	}
	return srv;
}

uint16_t server_port(const struct server *srv)
{
	return srv->port;
}

void server_stop(struct server *srv, unsigned grace_ms)
{
	if (srv == NULL)
		return;
	MHD_socket fd = MHD_quiesce_daemon(srv->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	/* Long-polls answer now, with what they have. */
	api_listen_events(srv->app, NULL, NULL);
	waiters_stop(srv->waiters);
	struct timespec tick = {.tv_sec = 0, .tv_nsec = 10 * 1000000L};
	for (unsigned waited = 0; waited < grace_ms && atomic_load(&srv->in_flight) > 0;
	     waited += 10)
		nanosleep(&tick, NULL);
	/*
	 * Settle every write still queued (each resumes its connection), so
	 * that none is suspended when the daemon stops: libmicrohttpd forbids
	 * stopping with suspended connections. Later writes run inline.
	 */
	api_stop_writes(srv->app);
	/* Deliveries stop after the last writes: what they committed goes at the next start. */
	api_webhooks_stop(srv->app);
	/* The writes it just settled were resumed: let them send their answers. */
	for (unsigned waited = 0; waited < 2000 && atomic_load(&srv->in_flight) > 0; waited += 10)
		nanosleep(&tick, NULL);
	MHD_stop_daemon(srv->daemon);
	if (log_enabled(srv->opts.log, LOG_INFO)) {
		struct api_stats stats;
		api_stats(srv->app, &stats);
		log_json(srv->opts.log, LOG_INFO,
			 json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "component", "server",
				   "message", "stopped", "batches", (json_int_t)stats.batches,
				   "writes", (json_int_t)stats.writes, "largest_batch",
				   (json_int_t)stats.largest_batch, "cache_hits",
				   (json_int_t)stats.cache_hits, "cache_misses",
				   (json_int_t)stats.cache_misses));
	}
	rate_limiter_free(srv->limiter);
	http_metrics_free(srv->metrics);
	tls_keys_free(srv->tls);
	waiters_free(srv->waiters);
	free(srv);
}
