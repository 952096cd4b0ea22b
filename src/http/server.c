/*
 * The HTTP server on libmicrohttpd.
 *
 * A request's life: the first access-handler call allocates its context and
 * answers nothing (0.9.75 drops keep-alive for a reply queued on the first
 * call), except an early 413 when Content-Length is already too large; the
 * upload calls accumulate the body; the final call routes, authenticates,
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
#include <netdb.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "api/api.h"
#include "http/checks.h"
#include "domain/timeutil.h"
#include "http/ratelimit.h"
#include "http/server.h"
#include "http/waiters.h"

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
	char *body;
	size_t body_len;
	size_t body_cap;
	bool body_too_large;
	struct timespec started;
	struct MHD_Connection *conn; /* a write's or a long-poll's, to resume it */
	struct waiter waiter;	     /* a long-poll's place among the held */
	struct pairs pairs;	     /* the query, as libmicrohttpd decoded it */
	struct request_input input;  /* what the checks and the handler read */
	atomic_int phase;	     /* enum request_phase */
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
	if (o->body_limit == 0)
		o->body_limit = SERVER_BODY_LIMIT;
}

static void state_free(struct request_state *rs)
{
	api_request_clear(&rs->req);
	free(rs->body);
	free(rs);
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
	if (rs->body_too_large)
		return;
	if (size > limit || rs->body_len > limit - size) {
		rs->body_too_large = true;
		free(rs->body);
		rs->body = NULL;
		rs->body_len = rs->body_cap = 0;
		return;
	}
	if (rs->body_len + size > rs->body_cap) {
		size_t cap = rs->body_cap ? rs->body_cap : 4096;
		while (cap < rs->body_len + size)
			cap *= 2;
		char *body = realloc(rs->body, cap);
		if (body == NULL) {
			/* Treated like an oversized body: the client sees 413, not a crash. */
			rs->body_too_large = true;
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

/*
 * Gathers what libmicrohttpd received into rs->input and runs the checks;
 * a read runs at once. Says what the request needs next.
 */
static next_step dispatch(struct request_state *rs, struct MHD_Connection *conn)
{
	struct server *srv = rs->srv;
	MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, collect_pair, &rs->pairs);
	rs->input = (struct request_input){
		.authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_AUTHORIZATION),
		.content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							    MHD_HTTP_HEADER_CONTENT_TYPE),
		.idempotency_key =
			MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Idempotency-Key"),
		.if_none_match = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_IF_NONE_MATCH),
		.pairs = rs->pairs.items,
		.npairs = rs->pairs.count,
		.body = rs->body,
		.body_len = rs->body_len,
		.body_too_large = rs->body_too_large,
		.body_limit = srv->opts.body_limit,
		.limiter = srv->limiter,
	};
	switch (request_check(&rs->req, srv->routes, srv->nroutes, &rs->input)) {
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
	case WAIT_HELD: return MHD_YES;
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
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	MHD_add_response_header(resp, "X-Request-Id", rs->req.request_id);
	for (size_t i = 0; i < r->nheaders; i++)
		MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
	enum MHD_Result ret = MHD_queue_response(conn, r->status, resp);
	MHD_destroy_response(resp);
	return ret;
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

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	(void)version;
	struct server *srv = cls;
	struct request_state *rs = *req_cls;
	if (rs == NULL) {
		rs = calloc(1, sizeof(*rs));
		if (rs == NULL)
			return MHD_NO;
		clock_gettime(CLOCK_MONOTONIC, &rs->started);
		rs->srv = srv;
		api_request_init(&rs->req, srv->app);
		rs->req.method = method;
		rs->req.path = url;
		atomic_init(&rs->phase, PHASE_RECEIVING);
		request_id_set(&rs->req, conn);
		*req_cls = rs;
		atomic_fetch_add(&srv->in_flight, 1);
		if (declared_too_large(conn, srv->opts.body_limit)) {
			/* Answer now; libmicrohttpd closes the connection unread. */
			rs->body_too_large = true;
			api_refuse(&rs->req, REFUSED_TOO_LARGE)->number =
				(int64_t)srv->opts.body_limit;
			api_render(&rs->req);
			return queue_reply(rs, conn);
		}
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		body_append(rs, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	switch ((enum request_phase)atomic_load(&rs->phase)) {
	case PHASE_RECEIVING: {
		if (rs->req.reply.status != 0)
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
	api_render(&rs->req);
	atomic_store(&rs->phase, PHASE_ANSWERED);
	return queue_reply(rs, conn);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)conn;
	struct server *srv = cls;
	struct request_state *rs = *req_cls;
	if (rs == NULL)
		return;
	*req_cls = NULL;
	FILE *log = srv->opts.access_log;
	if (log != NULL) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		double ms = (double)(now.tv_sec - rs->started.tv_sec) * 1e3 +
			    (double)(now.tv_nsec - rs->started.tv_nsec) / 1e6;
		json_t *line = json_pack("{s:s, s:s, s:i, s:f, s:s, s:b}", "method", rs->req.method,
					 "path", rs->req.path, "status", (int)rs->req.reply.status,
					 "duration_ms", ms, "request_id", rs->req.request_id,
					 "completed", toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
		char *text = line ? json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(4)) : NULL;
		if (text != NULL)
			fprintf(log, "%s\n", text);
		free(text);
		json_decref(line);
	}
	state_free(rs);
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
	if (srv->opts.access_log == NULL)
		return;
	char message[512];
	vsnprintf(message, sizeof(message), fmt, ap);
	size_t n = strlen(message);
	while (n > 0 && (message[n - 1] == '\n' || message[n - 1] == ' '))
		message[--n] = '\0';
	text_make_utf8(message);
	json_t *line = json_pack("{s:s, s:s, s:s}", "level", "warn", "component", "http", "message",
				 message);
	char *text = line ? json_dumps(line, JSON_COMPACT) : NULL;
	if (text != NULL)
		fprintf(srv->opts.access_log, "%s\n", text);
	free(text);
	json_decref(line);
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
	/* The logger first: libmicrohttpd warns about any option before it. */
	srv->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
		MHD_OPTION_LISTEN_SOCKET, (MHD_socket)srv->listen_fd, MHD_OPTION_THREAD_POOL_SIZE,
		(unsigned int)srv->opts.threads, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned int)srv->opts.connection_limit, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned int)srv->opts.per_ip_limit, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned int)srv->opts.timeout_seconds,
		/* Headers and MHD's own buffers; bodies are accumulated by us. */
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_END);
	if (srv->daemon == NULL) {
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
	if (srv->opts.access_log != NULL) {
		struct api_stats stats;
		api_stats(srv->app, &stats);
		json_t *line = json_pack(
			"{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "level", "info", "component",
			"server", "message", "stopped", "batches", (json_int_t)stats.batches,
			"writes", (json_int_t)stats.writes, "largest_batch",
			(json_int_t)stats.largest_batch, "cache_hits", (json_int_t)stats.cache_hits,
			"cache_misses", (json_int_t)stats.cache_misses);
		char *text = line ? json_dumps(line, JSON_COMPACT) : NULL;
		if (text != NULL)
			fprintf(srv->opts.access_log, "%s\n", text);
		free(text);
		json_decref(line);
	}
	rate_limiter_free(srv->limiter);
	waiters_free(srv->waiters);
	free(srv);
}
