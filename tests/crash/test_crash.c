/*
 * Durability under kill -9 (issue 7). The real `dropline serve` runs as a
 * child process; four client threads create orders and cancellations while
 * it is killed with SIGKILL at a random moment, many times over one
 * database. After every kill the database must pass SQLite's integrity check
 * and the schema's invariants, and after every restart every request that was
 * answered 2xx must be stored exactly as answered, no request that was
 * answered with an error may have left a trace, and a request whose outcome
 * is unknown (the connection died) must be wholly there or wholly absent.
 *
 * A second test retries, after the restart, every request with an
 * Idempotency-Key whose outcome was unknown, as a client is told to: the
 * contract says such a retry replays the first response, so it must never
 * apply the request a second time.
 *
 * Environment: DROPLINE_BIN (the binary), DROPLINE_CRASH_CYCLES (default 40),
 * DROPLINE_CRASH_IDEMPOTENCY_CYCLES (default 10), DROPLINE_CRASH_SEED (the kill
 * delays; default from the clock, printed), DROPLINE_CRASH_KEEP (keep the
 * temporary directory).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include "harness.h"
#include "receiver.h"

#define THREADS	       4
#define MAX_PER_THREAD 400   /* requests per thread per cycle, at most */
#define THREAD_MAX_MS  10000 /* a thread stops on its own after this */
#define START_WAIT_MS  10000 /* an ASan build starts slowly */
#define KILL_MIN_MS    50
#define KILL_MAX_MS    400
#define ORDER_QTY      3
#define VARIANT_ID     1000065 /* GBD34315 */
#define MAX_REPORTED   30      /* problems printed in detail, at most */

/* ---------------------------------------------------------------- records */

typedef enum {
	K_ORDER,     /* a new order, quantity 3 of GBD34315: expect 201 */
	K_ORDER_DUP, /* an existing purchase order number, quantity 2: expect 409 */
	K_ORDER_BAD, /* a fresh number with an unknown variant: expect 400 */
	K_CANCEL,    /* a cancellation of `qty` units of one line: 201, or 409 when too many */
} req_kind;

typedef enum {
	OUT_REPLY,   /* an HTTP answer came back: `status` */
	OUT_UNKNOWN, /* the connection died after it was made: applied or not */
	OUT_REFUSED, /* the connection was refused: the request never reached a server */
} outcome;

struct rec {
	req_kind kind;
	int cycle;
	char po[48];
	char *body;	   /* what was sent */
	char idem_key[64]; /* Idempotency-Key, "" for none */
	bool brand;	   /* a cancellation by the brand (else the retailer) */
	int qty;	   /* units ordered or asked to cancel */
	int64_t order_id;  /* K_CANCEL: its order; K_ORDER_DUP: the order that must remain */
	int64_t line_id;   /* K_CANCEL: the order line */
	int expect;	   /* the status a correct server answers */
	outcome out;
	long status;
	json_t *json; /* the 2xx body */
	int64_t id;   /* from a 2xx: the order's or the cancellation's id */
	bool retry;   /* made by the retry pass after a restart */
};

static void rec_free(struct rec *r)
{
	free(r->body);
	json_decref(r->json);
}

static bool is_2xx(const struct rec *r)
{
	return r->out == OUT_REPLY && r->status >= 200 && r->status < 300;
}

static bool is_error(const struct rec *r)
{
	return r->out == OUT_REPLY && r->status >= 400;
}

struct rec_list {
	struct rec *v;
	size_t n, cap;
};

/* Appends a zeroed record; NULL when out of memory. */
static struct rec *rec_add(struct rec_list *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct rec *v = realloc(l->v, cap * sizeof(*v));
		if (v == NULL)
			return NULL;
		l->v = v;
		l->cap = cap;
	}
	struct rec *r = &l->v[l->n++];
	memset(r, 0, sizeof(*r));
	return r;
}

/* ------------------------------------------------------------ the fixture */

static char dir[256], db[320], bin[512];
static char rkey[128], bkey[128];
static pid_t server_pid = -1;
static unsigned child_port;
static char server_err[400];
static uint64_t rng_state;
static bool webhook_flags; /* serve with the webhook allow flags and quick retries */

/* Kills a running server before a failing assertion ends the test. */
static void kill_server(void)
{
	if (server_pid > 0) {
		kill(server_pid, SIGKILL);
		waitpid(server_pid, NULL, 0);
		server_pid = -1;
	}
}

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			kill_server();                                                             \
			ck_assert_msg((cond), __VA_ARGS__);                                        \
		}                                                                                  \
	} while (0)

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 32);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void read_all(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, cap - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
}

/* Runs `dropline args...` to completion; returns its exit status, stdout in `out`. */
static int run_cli(const char *const *args, char *out, size_t cap)
{
	char out_path[400], err_path[400];
	snprintf(out_path, sizeof(out_path), "%s/cli.out", dir);
	snprintf(err_path, sizeof(err_path), "%s/cli.err", dir);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char *argv[16];
		size_t n = 0;
		argv[n++] = bin;
		for (; args[n - 1] != NULL && n < 15; n++)
			argv[n] = (char *)(uintptr_t)args[n - 1];
		argv[n] = NULL;
		int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (o < 0 || e < 0)
			_exit(127);
		dup2(o, 1);
		dup2(e, 2);
		execv(bin, argv);
		_exit(127);
	}
	int status = 0;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	read_all(out_path, out, cap);
	char err[4096];
	read_all(err_path, err, sizeof(err));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(stderr, "dropline %s: %s", args[0], err);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void create_key(const char *party, char *key, size_t cap)
{
	char out[512];
	int st = run_cli((const char *[]){"keys", "create", party, party[2] == 'r' ? "500" : "501",
					  "--db", db, NULL},
			 out, sizeof(out));
	ck_assert_int_eq(st, 0);
	snprintf(key, cap, "%.*s", (int)strcspn(out, "\r\n"), out);
	ck_assert_msg(strncmp(key, "dl_", 3) == 0, "unexpected key output '%s'", out);
}

static void setup(void)
{
	const char *b = getenv("DROPLINE_BIN");
	ck_assert_msg(b != NULL && *b, "DROPLINE_BIN is not set");
	snprintf(bin, sizeof(bin), "%s", b);
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/dropline-crash-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/crash.db", dir);
	json_object_seed(0); /* before any thread touches jansson */
	char out[512];
	ck_assert_int_eq(run_cli((const char *[]){"demo", "--db", db, NULL}, out, sizeof(out)), 0);
	create_key("--retailer", rkey, sizeof(rkey));
	create_key("--brand", bkey, sizeof(bkey));
	const char *seed = getenv("DROPLINE_CRASH_SEED");
	rng_state = seed && *seed ? strtoull(seed, NULL, 10)
				  : (uint64_t)time(NULL) ^ (uint64_t)getpid() << 20;
	if (rng_state == 0)
		rng_state = 88172645463325252ULL;
	printf("crash: seed %" PRIu64 " (DROPLINE_CRASH_SEED to repeat), directory %s\n", rng_state,
	       dir);
	fflush(stdout);
}

static void teardown(void)
{
	kill_server();
	if (getenv("DROPLINE_CRASH_KEEP") != NULL)
		return;
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

/* Starts `dropline serve` on the database; sets server_pid and child_port. */
static void start_server(int cycle)
{
	snprintf(server_err, sizeof(server_err), "%s/serve-%d.err", dir, cycle);
	pid_t parent = getpid();
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* A test killed by its timeout must not leave a server behind. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		int null = open("/dev/null", O_WRONLY);
		int err = open(server_err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (null < 0 || err < 0)
			_exit(127);
		dup2(null, 1);
		dup2(err, 2);
		unsetenv("DROPLINE_DB");
		unsetenv("DROPLINE_LISTEN");
		unsetenv("DROPLINE_THREADS");
		if (webhook_flags)
			execl(bin, bin, "serve", "--db", db, "--listen", "127.0.0.1:0",
			      "--rate-limit", "0", "--threads", "4", "--webhook-allow-http",
			      "--webhook-allow-private", "--webhook-retry-base", "0.05",
			      "--webhook-timeout", "2", (char *)NULL);
		else
			execl(bin, bin, "serve", "--db", db, "--listen", "127.0.0.1:0",
			      "--rate-limit", "0", "--threads", "4", (char *)NULL);
		_exit(127);
	}
	server_pid = pid;
	child_port = 0;
	char text[8192] = "";
	int64_t deadline = now_ms() + START_WAIT_MS;
	while (child_port == 0 && now_ms() < deadline) {
		sleep_ms(20);
		read_all(server_err, text, sizeof(text));
		const char *at = strstr(text, "(port ");
		if (at != NULL) {
			child_port = (unsigned)strtoul(at + 6, NULL, 10);
			break;
		}
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			server_pid = -1;
			ck_assert_msg(0, "cycle %d: the server exited at start (status 0x%x): %s",
				      cycle, (unsigned)status, text);
		}
	}
	CHECK(child_port != 0, "cycle %d: no port line within %d ms: %s", cycle, START_WAIT_MS,
	      text);
}

/* An ASan or UBSan report in the server's stderr is a finding of its own. */
static bool sanitizer_report(const char *path, char *excerpt, size_t cap)
{
	static char text[1 << 20];
	read_all(path, text, sizeof(text));
	const char *at = strstr(text, "ERROR: AddressSanitizer");
	if (at == NULL)
		at = strstr(text, "runtime error:");
	if (at == NULL)
		at = strstr(text, "ERROR: LeakSanitizer");
	if (at != NULL)
		snprintf(excerpt, cap, "%.600s", at);
	return at != NULL;
}

/* ------------------------------------------------------------ the client */

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

/* True when a header line starts with `text` (case-insensitive). */
static bool has_line(const char *block, const char *text)
{
	size_t n = strlen(text);
	for (const char *line = block; line != NULL && *line; line = strchr(line, '\n')) {
		line += *line == '\n';
		if (strncasecmp(line, text, n) == 0)
			return true;
	}
	return false;
}

struct reply {
	outcome out;
	long status;
	json_t *json;
	bool replayed; /* Idempotent-Replayed: true */
	char error[128];
};

/* One request on a fresh connection; never asserts (it runs in the client threads). */
static void call(CURL *h, unsigned port, const char *method, const char *path, const char *key,
		 const char *body, const char *idem_key, struct reply *out)
{
	memset(out, 0, sizeof(*out));
	char url[256], line[256];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, path);
	struct curl_slist *list = NULL;
	snprintf(line, sizeof(line), "Authorization: Bearer %s", key);
	list = curl_slist_append(list, line);
	list = curl_slist_append(list, "Expect:");
	if (body != NULL)
		list = curl_slist_append(list, "Content-Type: application/json");
	if (idem_key != NULL && *idem_key) {
		snprintf(line, sizeof(line), "Idempotency-Key: %s", idem_key);
		list = curl_slist_append(list, line);
	}
	struct buffer resp = {0}, headers = {0};
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (body != NULL) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &headers);
	/* One connection per request: no silent resend on a reused dead connection. */
	curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	CURLcode rc = curl_easy_perform(h);
	if (rc == CURLE_OK) {
		out->out = OUT_REPLY;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
		out->json = resp.data ? json_loads(resp.data, 0, NULL) : NULL;
		out->replayed = has_line(headers.data, "Idempotent-Replayed: true");
	} else {
		out->out = rc == CURLE_COULDNT_CONNECT ? OUT_REFUSED : OUT_UNKNOWN;
		snprintf(out->error, sizeof(out->error), "%s", curl_easy_strerror(rc));
	}
	free(resp.data);
	free(headers.data);
	curl_slist_free_all(list);
}

static int64_t jint(json_t *o, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(o, key));
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static char *order_body(const char *po, const char *identifier, int qty)
{
	char buf[1024];
	snprintf(buf, sizeof(buf),
		 "{\"purchase_order_number\":\"%s\",\"ordered_at\":\"2016-07-06T10:25\","
		 "\"ship_to\":{\"name1\":\"Tammy Watkins\",\"street1\":\"1332 Hermosa Ave\","
		 "\"city\":\"Hermosa Beach\",\"province\":\"CA\",\"postal_code\":\"90254\","
		 "\"country\":\"US\"},\"shipping_method\":{\"code\":\"GROUND\",\"carrier\":"
		 "{\"code\":\"UPSN\"}},\"order_lines\":[{\"variant\":{\"identifier\":\"%s\"},"
		 "\"quantity\":%d,\"net_price\":\"250.00\",\"price\":\"450.00\"}]}",
		 po, identifier, qty);
	return strdup(buf);
}

static char *cancel_body(int64_t order_id, int reason, int64_t line_id, int qty)
{
	char buf[256];
	snprintf(buf, sizeof(buf),
		 "{\"order_id\":%" PRId64
		 ",\"reason_id\":%d,\"cancel_lines\":[{\"order_line_id\":%" PRId64
		 ",\"quantity\":%d}]}",
		 order_id, reason, line_id, qty);
	return strdup(buf);
}

/* Stores the reply into the record; takes over r->json. */
static void rec_reply(struct rec *rec, struct reply *r)
{
	rec->out = r->out;
	rec->status = r->status;
	if (is_2xx(rec)) {
		rec->json = r->json;
		rec->id = jint(r->json, "id");
	} else {
		json_decref(r->json);
	}
	r->json = NULL;
}

/* ----------------------------------------------------------- the workers */

struct worker {
	int cycle, thread;
	bool idempotent; /* the second test: keys on every POST, only whole cancels */
	unsigned port;
	atomic_bool *stop;
	struct rec_list recs;
	bool oom;
};

/* Sends one request described by a prepared record; false when the server is gone. */
static bool worker_send(struct worker *w, CURL *h, struct rec *rec)
{
	char path[96];
	const char *key = rkey;
	if (rec->kind == K_CANCEL) {
		key = rec->brand ? bkey : rkey;
		snprintf(path, sizeof(path),
			 rec->brand ? "/v1/brands/501/cancels/" : "/v1/retailers/500/cancels/");
	} else {
		snprintf(path, sizeof(path), "/v1/retailers/500/orders/");
	}
	struct reply r;
	call(h, w->port, "POST", path, key, rec->body, rec->idem_key, &r);
	rec_reply(rec, &r);
	return rec->out == OUT_REPLY;
}

static struct rec *worker_rec(struct worker *w, req_kind kind, const char *po)
{
	struct rec *rec = rec_add(&w->recs);
	if (rec == NULL) {
		w->oom = true;
		return NULL;
	}
	rec->kind = kind;
	rec->cycle = w->cycle;
	snprintf(rec->po, sizeof(rec->po), "%s", po);
	return rec;
}

/* The order is named by index: adding a record may move the list. */
static struct rec *worker_cancel(struct worker *w, size_t order, bool brand, int reason, int qty)
{
	char po[48];
	snprintf(po, sizeof(po), "%s", w->recs.v[order].po);
	int64_t order_id = w->recs.v[order].id;
	int64_t line_id = jint(
		json_array_get(json_object_get(w->recs.v[order].json, "order_lines"), 0), "id");
	struct rec *rec = worker_rec(w, K_CANCEL, po);
	if (rec == NULL)
		return NULL;
	rec->brand = brand;
	rec->qty = qty;
	rec->order_id = order_id;
	rec->line_id = line_id;
	rec->expect = qty <= ORDER_QTY ? 201 : 409;
	rec->body = cancel_body(order_id, reason, line_id, qty);
	if (w->idempotent)
		snprintf(rec->idem_key, sizeof(rec->idem_key), "cancel-%s-%d", po, reason);
	return rec;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	CURL *h = curl_easy_init();
	if (h == NULL) {
		w->oom = true;
		return NULL;
	}
	int64_t until = now_ms() + THREAD_MAX_MS;
	for (int n = 0; n < MAX_PER_THREAD && !atomic_load(w->stop) && now_ms() < until; n++) {
		char po[32];
		snprintf(po, sizeof(po), "%c%d-%d-%d", w->idempotent ? 'I' : 'C', w->cycle,
			 w->thread, n);
		struct rec *o = worker_rec(w, K_ORDER, po);
		if (o == NULL)
			break;
		o->qty = ORDER_QTY;
		o->expect = 201;
		o->body = order_body(po, "GBD34315", ORDER_QTY);
		if (w->idempotent)
			snprintf(o->idem_key, sizeof(o->idem_key), "order-%s", po);
		if (!worker_send(w, h, o))
			break;
		if (o->status != 201 || o->json == NULL)
			continue;
		/* Index, not pointer: the list may move when it grows. */
		size_t oi = w->recs.n - 1;
		struct rec *c = NULL, *d = NULL;
		bool alive = true;
		switch (w->idempotent ? 0 : n % 6) {
		case 0: /* the brand cannot supply one unit */
			c = worker_cancel(w, oi, true, 2, 1);
			alive = c && worker_send(w, h, c);
			break;
		case 1: /* the retailer cancels one, then the brand another */
			c = worker_cancel(w, oi, false, 1, 1);
			alive = c && worker_send(w, h, c);
			if (alive) {
				d = worker_cancel(w, oi, true, 3, 1);
				alive = d && worker_send(w, h, d);
			}
			break;
		case 2: /* more than is open: 409, nothing applied */
			c = worker_cancel(w, oi, true, 2, ORDER_QTY + 1);
			alive = c && worker_send(w, h, c);
			break;
		case 3: { /* the same purchase order number again: 409 */
			struct rec *dup = worker_rec(w, K_ORDER_DUP, po);
			if (dup == NULL)
				break;
			dup->qty = 2;
			dup->expect = 409;
			dup->order_id = w->recs.v[oi].id;
			dup->body = order_body(po, "GBD34315", 2);
			alive = worker_send(w, h, dup);
			break;
		}
		case 5: { /* a fresh number, an unknown variant: 400 */
			char bad[48];
			snprintf(bad, sizeof(bad), "%s-bad", po);
			struct rec *b = worker_rec(w, K_ORDER_BAD, bad);
			if (b == NULL)
				break;
			b->qty = ORDER_QTY;
			b->expect = 400;
			b->body = order_body(bad, "NOPE-CRASH", ORDER_QTY);
			alive = worker_send(w, h, b);
			break;
		}
		default: break;
		}
		if (!alive || w->oom)
			break;
	}
	curl_easy_cleanup(h);
	return NULL;
}

/* --------------------------------------------------------------- checking */

struct totals {
	int cycles;
	long sent, acknowledged, errors, unknown, refused;
	long unknown_applied, unknown_absent;
	long lost;	 /* 2xx answers whose data is missing or different */
	long violations; /* every other broken promise */
	long retries, replayed, reexecuted, retried_fresh;
};

static struct rec_list all; /* every request of every cycle */

static void problem(long *counter, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(long *counter, const char *fmt, ...)
{
	static int reported;
	(*counter)++;
	if (reported++ >= MAX_REPORTED)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("crash: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
	fflush(stdout);
}

/* Sum of the quantities of cancellations on a line: those answered 2xx, and those unknown. */
static void cancel_sums(int64_t line_id, long *known, long *unknown, size_t *nknown,
			size_t *nunknown)
{
	*known = *unknown = 0;
	*nknown = *nunknown = 0;
	for (size_t i = 0; i < all.n; i++) {
		const struct rec *r = &all.v[i];
		if (r->kind != K_CANCEL || r->line_id != line_id)
			continue;
		if (is_2xx(r)) {
			*known += r->qty;
			(*nknown)++;
		} else if (r->out == OUT_UNKNOWN) {
			*unknown += r->qty;
			(*nunknown)++;
		}
	}
}

static long long sql_scalar(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long v = -1;
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Invariants that must hold on every row, whatever was acknowledged. */
static const struct {
	const char *what;
	const char *sql;
} invariants[] = {
	{"order lines with quantity_shipped + quantity_canceled > quantity",
	 "SELECT count(*) FROM order_lines WHERE quantity_shipped + quantity_canceled > quantity"},
	{"order lines whose quantity_canceled is not the sum of their cancel lines",
	 "SELECT count(*) FROM order_lines l WHERE quantity_canceled <> "
	 "(SELECT coalesce(sum(quantity), 0) FROM cancel_lines WHERE order_line_id = l.id)"},
	{"order lines whose quantity_shipped is not the sum of their shipment lines",
	 "SELECT count(*) FROM order_lines l WHERE quantity_shipped <> "
	 "(SELECT coalesce(sum(quantity), 0) FROM shipment_lines WHERE order_line_id = l.id)"},
	{"order lines whose status does not follow from their quantities",
	 "SELECT count(*) FROM order_lines WHERE status <> CASE WHEN quantity_canceled = quantity "
	 "THEN 'canceled' WHEN quantity_shipped + quantity_canceled = quantity THEN 'closed' "
	 "WHEN quantity_shipped > 0 THEN 'partial' ELSE 'open' END"},
	{"orders whose status does not follow from their lines",
	 "SELECT count(*) FROM orders o JOIN (SELECT order_id, sum(quantity) q, "
	 "sum(quantity_shipped) s, sum(quantity_canceled) c FROM order_lines GROUP BY order_id) t "
	 "ON t.order_id = o.id WHERE o.status <> CASE WHEN t.c = t.q THEN 'canceled' "
	 "WHEN t.s + t.c = t.q THEN 'closed' WHEN t.s > 0 THEN 'partial' ELSE 'open' END"},
	{"order lines with canceled_at set iff not canceled",
	 "SELECT count(*) FROM order_lines WHERE (status = 'canceled') <> (canceled_at IS NOT "
	 "NULL)"},
	{"orders with canceled_at set iff not canceled",
	 "SELECT count(*) FROM orders WHERE (status = 'canceled') <> (canceled_at IS NOT NULL)"},
	{"order_counts rows that differ from the orders they count",
	 "SELECT count(*) FROM (SELECT retailer_id, brand_id, status, is_acknowledged, count(*) n "
	 "FROM orders GROUP BY 1, 2, 3, 4 EXCEPT SELECT retailer_id, brand_id, status, "
	 "is_acknowledged, n FROM order_counts WHERE n > 0)"},
	{"order_counts rows that count orders that do not exist",
	 "SELECT count(*) FROM order_counts c WHERE n <> (SELECT count(*) FROM orders o WHERE "
	 "o.retailer_id = c.retailer_id AND o.brand_id = c.brand_id AND o.status = c.status AND "
	 "o.is_acknowledged = c.is_acknowledged)"},
	{"cancel_counts rows that differ from the cancellations they count",
	 "SELECT count(*) FROM cancel_counts c WHERE n <> (SELECT count(*) FROM cancels k WHERE "
	 "k.retailer_id = c.retailer_id AND k.brand_id = c.brand_id AND k.reason_id = c.reason_id "
	 "AND k.canceled_by = c.canceled_by AND k.is_acknowledged = c.is_acknowledged)"},
	/* Events (CONTRACT.md section 10): no change without its event, no event without its
	   change. */
	{"orders without exactly one order.created event",
	 "SELECT count(*) FROM orders o WHERE (SELECT count(*) FROM events e WHERE "
	 "e.type = 'order.created' AND e.object_id = o.id) <> 1"},
	{"acknowledged orders without exactly one order.acknowledged event",
	 "SELECT count(*) FROM orders o WHERE o.is_acknowledged = 1 AND (SELECT count(*) FROM "
	 "events e WHERE e.type = 'order.acknowledged' AND e.object_id = o.id) <> 1"},
	{"cancellations without exactly one cancel.created event",
	 "SELECT count(*) FROM cancels k WHERE (SELECT count(*) FROM events e WHERE "
	 "e.type = 'cancel.created' AND e.object_id = k.id) <> 1"},
	{"shipments without exactly one shipment.created event",
	 "SELECT count(*) FROM shipments s WHERE (SELECT count(*) FROM events e WHERE "
	 "e.type = 'shipment.created' AND e.object_id = s.id) <> 1"},
	{"events about an object that does not exist",
	 "SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM orders WHERE "
	 "e.object_kind = 'order' AND id = e.object_id) AND NOT EXISTS (SELECT 1 FROM cancels "
	 "WHERE e.object_kind = 'cancel' AND id = e.object_id) AND NOT EXISTS (SELECT 1 FROM "
	 "shipments WHERE e.object_kind = 'shipment' AND id = e.object_id)"},
	{"order.acknowledged events of orders not acknowledged",
	 "SELECT count(*) FROM events e JOIN orders o ON o.id = e.object_id WHERE "
	 "e.type = 'order.acknowledged' AND o.is_acknowledged = 0"},
	{"events whose parties are not their order's",
	 "SELECT count(*) FROM events e JOIN orders o ON o.id = e.order_id WHERE "
	 "e.retailer_id <> o.retailer_id OR e.brand_id <> o.brand_id"},
	{"orders without lines", "SELECT count(*) FROM orders o WHERE NOT EXISTS "
				 "(SELECT 1 FROM order_lines WHERE order_id = o.id)"},
	{"cancellations without lines", "SELECT count(*) FROM cancels c WHERE NOT EXISTS "
					"(SELECT 1 FROM cancel_lines WHERE cancel_id = c.id)"},
	{"cancel lines on another order's line",
	 "SELECT count(*) FROM cancel_lines cl JOIN cancels c ON c.id = cl.cancel_id "
	 "JOIN order_lines l ON l.id = cl.order_line_id WHERE l.order_id <> c.order_id"},
	{"orders sharing a purchase order number",
	 "SELECT count(*) FROM (SELECT 1 FROM orders GROUP BY retailer_id, purchase_order_number "
	 "HAVING count(*) > 1)"},
};

static long long po_count(sqlite3 *h, const char *po, int64_t *id)
{
	sqlite3_stmt *st = NULL;
	long long n = -1;
	*id = 0;
	if (sqlite3_prepare_v2(h,
			       "SELECT count(*), max(id) FROM orders WHERE retailer_id = 500 AND "
			       "purchase_order_number = ?",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, po, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			n = sqlite3_column_int64(st, 0);
			*id = sqlite3_column_int64(st, 1);
		}
	}
	sqlite3_finalize(st);
	return n;
}

/*
 * After a kill, before the restart: the file as the next server will find it,
 * opened read-only. Checks its integrity, the invariants, and every request
 * of every cycle so far against what it was answered.
 */
static void check_database(int cycle, struct totals *t)
{
	sqlite3 *h = NULL;
	int rc = sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL);
	CHECK(rc == SQLITE_OK, "cycle %d: cannot open %s read-only: %s", cycle, db,
	      h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
	sqlite3_busy_timeout(h, 5000);
	/* One read transaction: one snapshot for every check. */
	CHECK(sqlite3_exec(h, "BEGIN", NULL, NULL, NULL) == SQLITE_OK, "cycle %d: BEGIN: %s", cycle,
	      sqlite3_errmsg(h));

	sqlite3_stmt *st = NULL;
	CHECK(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK,
	      "integrity_check: %s", sqlite3_errmsg(h));
	int rows = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *msg = (const char *)sqlite3_column_text(st, 0);
		if (rows++ == 0 && msg != NULL && strcmp(msg, "ok") == 0)
			continue;
		problem(&t->violations, "cycle %d: integrity_check: %s", cycle,
			msg ? msg : "(null)");
	}
	if (rows == 0)
		problem(&t->violations, "cycle %d: integrity_check returned nothing: %s", cycle,
			sqlite3_errmsg(h));
	sqlite3_finalize(st);
	CHECK(sqlite3_prepare_v2(h, "PRAGMA foreign_key_check", -1, &st, NULL) == SQLITE_OK,
	      "foreign_key_check: %s", sqlite3_errmsg(h));
	while (sqlite3_step(st) == SQLITE_ROW)
		problem(&t->violations, "cycle %d: foreign_key_check: a row of %s breaks its key",
			cycle, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);

	for (size_t i = 0; i < sizeof(invariants) / sizeof(invariants[0]); i++) {
		long long n = sql_scalar(h, invariants[i].sql);
		if (n != 0)
			problem(&t->violations, "cycle %d: %lld %s", cycle, n, invariants[i].what);
	}

	sqlite3_stmt *order_st = NULL, *cancel_st = NULL, *line_st = NULL;
	CHECK(sqlite3_prepare_v2(
		      h,
		      "SELECT o.retailer_id, o.purchase_order_number, l.id, l.variant_id, "
		      "l.quantity, l.net_price_cents, l.price_cents, "
		      "(SELECT count(*) FROM order_lines WHERE order_id = o.id) "
		      "FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.id = ?",
		      -1, &order_st, NULL) == SQLITE_OK,
	      "%s", sqlite3_errmsg(h));
	CHECK(sqlite3_prepare_v2(
		      h,
		      "SELECT c.order_id, c.canceled_by, c.reason_id, cl.id, cl.order_line_id, "
		      "cl.quantity, (SELECT count(*) FROM cancel_lines WHERE cancel_id = c.id) "
		      "FROM cancels c JOIN cancel_lines cl ON cl.cancel_id = c.id "
		      "WHERE c.id = ?",
		      -1, &cancel_st, NULL) == SQLITE_OK,
	      "%s", sqlite3_errmsg(h));
	CHECK(sqlite3_prepare_v2(h, "SELECT quantity_canceled FROM order_lines WHERE id = ?", -1,
				 &line_st, NULL) == SQLITE_OK,
	      "%s", sqlite3_errmsg(h));

	for (size_t i = 0; i < all.n; i++) {
		struct rec *r = &all.v[i];
		int64_t found_id = 0;
		if (r->kind == K_ORDER && is_2xx(r)) {
			json_t *line = json_array_get(json_object_get(r->json, "order_lines"), 0);
			sqlite3_bind_int64(order_st, 1, r->id);
			bool ok = sqlite3_step(order_st) == SQLITE_ROW &&
				  sqlite3_column_int64(order_st, 0) == 500 &&
				  strcmp((const char *)sqlite3_column_text(order_st, 1), r->po) ==
					  0 &&
				  sqlite3_column_int64(order_st, 2) == jint(line, "id") &&
				  sqlite3_column_int64(order_st, 3) == VARIANT_ID &&
				  sqlite3_column_int64(order_st, 4) == r->qty &&
				  sqlite3_column_int64(order_st, 5) == 25000 &&
				  sqlite3_column_int64(order_st, 6) == 45000 &&
				  sqlite3_column_int64(order_st, 7) == 1;
			sqlite3_reset(order_st);
			if (!ok)
				problem(&t->lost,
					"cycle %d (after kill): order %" PRId64
					" (%s), answered %ld, "
					"is missing or differs in the database",
					cycle, r->id, r->po, r->status);
			/* Its line's canceled quantity: acknowledged ones, plus some unknown ones.
			 */
			long known, unknown;
			size_t nk, nu;
			cancel_sums(jint(line, "id"), &known, &unknown, &nk, &nu);
			sqlite3_bind_int64(line_st, 1, jint(line, "id"));
			long qc = sqlite3_step(line_st) == SQLITE_ROW
					  ? sqlite3_column_int(line_st, 0)
					  : -1;
			sqlite3_reset(line_st);
			if (ok && qc < known)
				problem(&t->lost,
					"cycle %d (after kill): order line %" PRId64
					" has %ld canceled, "
					"but %ld were acknowledged",
					cycle, jint(line, "id"), qc, known);
			else if (ok && qc > known + unknown)
				problem(&t->violations,
					"cycle %d (after kill): order line %" PRId64 " has %ld "
					"canceled, more than the %ld acknowledged and %ld unknown",
					cycle, jint(line, "id"), qc, known, unknown);
		} else if (r->kind == K_CANCEL && is_2xx(r)) {
			sqlite3_bind_int64(cancel_st, 1, r->id);
			json_t *cl = json_array_get(json_object_get(r->json, "cancel_lines"), 0);
			bool ok = sqlite3_step(cancel_st) == SQLITE_ROW &&
				  sqlite3_column_int64(cancel_st, 0) == r->order_id &&
				  strcmp((const char *)sqlite3_column_text(cancel_st, 1),
					 r->brand ? "brand" : "retailer") == 0 &&
				  /* A cancel line's id is its order line's (seed 000). */
				  sqlite3_column_int64(cancel_st, 4) == jint(cl, "id") &&
				  sqlite3_column_int64(cancel_st, 4) == r->line_id &&
				  sqlite3_column_int64(cancel_st, 5) == r->qty &&
				  sqlite3_column_int64(cancel_st, 6) == 1;
			sqlite3_reset(cancel_st);
			if (!ok)
				problem(&t->lost,
					"cycle %d (after kill): cancellation %" PRId64
					" of order %" PRId64
					", answered %ld, is missing or differs in the database",
					cycle, r->id, r->order_id, r->status);
		} else if (r->kind == K_ORDER_BAD ||
			   (r->kind == K_ORDER && (is_error(r) || r->out == OUT_REFUSED))) {
			long long n = po_count(h, r->po, &found_id);
			if (n != 0)
				problem(&t->violations,
					"cycle %d (after kill): %s was answered %ld%s, yet "
					"order %" PRId64 " has that number",
					cycle, r->po, r->status,
					r->out == OUT_REFUSED ? " (never connected)" : "",
					found_id);
		} else if (r->kind == K_ORDER_DUP) {
			long long n = po_count(h, r->po, &found_id);
			if (n != 1 || found_id != r->order_id)
				problem(&t->violations,
					"cycle %d (after kill): %s: %lld orders, id %" PRId64
					", after a duplicate answered %ld; expected only order "
					"%" PRId64,
					cycle, r->po, n, found_id, r->status, r->order_id);
		}
	}
	sqlite3_finalize(order_st);
	sqlite3_finalize(cancel_st);
	sqlite3_finalize(line_st);
	sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(h);
}

/* A GET as the given party; the answer's JSON (NULL when there is no answer). */
static json_t *get_json(CURL *h, const char *key, const char *path, long *status)
{
	struct reply r;
	call(h, child_port, "GET", path, key, NULL, NULL, &r);
	*status = r.out == OUT_REPLY ? r.status : 0;
	return r.json;
}

/* The purchase order number's orders, through the list filter. */
static json_t *list_po(CURL *h, const char *po, long *status)
{
	char path[160];
	snprintf(path, sizeof(path), "/v1/retailers/500/orders/?purchase_order_number=%s", po);
	return get_json(h, rkey, path, status);
}

/* The order without what a later cancellation legitimately changes. */
static json_t *order_stable(json_t *o)
{
	json_t *c = json_deep_copy(o);
	static const char *const order_keys[] = {"status", "canceled_at", "closed_at", "cancels"};
	static const char *const line_keys[] = {"status", "canceled_at", "closed_at",
						"quantity_canceled"};
	for (size_t i = 0; i < 4; i++)
		json_object_del(c, order_keys[i]);
	size_t i;
	json_t *line;
	json_array_foreach(json_object_get(c, "order_lines"), i,
			   line) for (size_t k = 0; k < 4; k++) json_object_del(line, line_keys[k]);
	return c;
}

/* The order GET matches what its creation answered, and its cancels what they answered. */
static void check_order_http(CURL *h, int cycle, struct rec *r, struct totals *t)
{
	char path[96];
	long status;
	snprintf(path, sizeof(path), "/v1/retailers/500/orders/%" PRId64 "/", r->id);
	json_t *got = get_json(h, rkey, path, &status);
	json_t *a = order_stable(r->json), *b = got ? order_stable(got) : NULL;
	if (status != 200 || got == NULL || !json_equal(a, b)) {
		char *want = json_dumps(a, JSON_COMPACT),
		     *have = b ? json_dumps(b, JSON_COMPACT) : NULL;
		problem(&t->lost,
			"cycle %d (after restart): GET order %" PRId64 " (%s) answered %ld;\n"
			"  created as %s\n  now       %s",
			cycle, r->id, r->po, status, want, have ? have : "(nothing)");
		free(want);
		free(have);
	}
	json_decref(a);
	json_decref(b);
	if (status != 200 || got == NULL) {
		json_decref(got);
		return;
	}
	json_t *line = json_array_get(json_object_get(got, "order_lines"), 0);
	long known, unknown;
	size_t nk, nu;
	cancel_sums(jint(line, "id"), &known, &unknown, &nk, &nu);
	long qc = (long)jint(line, "quantity_canceled");
	if (qc < known)
		problem(&t->lost,
			"cycle %d (after restart): order %" PRId64 " line %" PRId64 " shows %ld "
			"canceled, but %ld were acknowledged",
			cycle, r->id, jint(line, "id"), qc, known);
	else if (qc > known + unknown)
		problem(&t->violations,
			"cycle %d (after restart): order %" PRId64 " line %" PRId64
			" shows %ld canceled: more than %ld acknowledged + %ld unknown",
			cycle, r->id, jint(line, "id"), qc, known, unknown);
	/* The order's cancels: every acknowledged one, and at most the unknown ones besides. */
	json_t *cancels = json_object_get(got, "cancels");
	size_t listed = json_array_size(cancels), matched = 0;
	for (size_t i = 0; i < all.n; i++) {
		const struct rec *c = &all.v[i];
		if (c->kind != K_CANCEL || c->order_id != r->id || !is_2xx(c))
			continue;
		bool found = false;
		size_t k;
		json_t *item;
		json_array_foreach(cancels, k, item) found = found || jint(item, "id") == c->id;
		if (!found)
			problem(&t->lost,
				"cycle %d (after restart): order %" PRId64 " does not list its "
				"acknowledged cancellation %" PRId64,
				cycle, r->id, c->id);
		matched += found;
	}
	if (listed > matched + nu) {
		problem(&t->violations,
			"cycle %d (after restart): order %" PRId64 " lists %zu "
			"cancellations: %zu acknowledged, %zu unknown",
			cycle, r->id, listed, nk, nu);
	} else {
		/* Cancellations with no answer: the extra ones listed were applied. */
		t->unknown_applied += (long)(listed - matched);
		t->unknown_absent += (long)(nu - (listed - matched));
	}
	json_decref(got);
}

static void check_cancel_http(CURL *h, int cycle, struct rec *r, struct totals *t)
{
	char path[96];
	long status;
	snprintf(path, sizeof(path),
		 r->brand ? "/v1/brands/501/cancels/%" PRId64 "/"
			  : "/v1/retailers/500/cancels/%" PRId64 "/",
		 r->id);
	json_t *got = get_json(h, r->brand ? bkey : rkey, path, &status);
	if (status != 200 || !json_equal(got, r->json)) {
		char *want = json_dumps(r->json, JSON_COMPACT);
		char *have = got ? json_dumps(got, JSON_COMPACT) : NULL;
		problem(&t->lost,
			"cycle %d (after restart): GET cancellation %" PRId64 " answered %ld;\n"
			"  created as %s\n  now       %s",
			cycle, r->id, status, want, have ? have : "(nothing)");
		free(want);
		free(have);
	}
	json_decref(got);
}

/* An order POST with no answer: wholly there, as sent, or not at all. */
static void check_unknown_order_http(CURL *h, int cycle, struct rec *r, struct totals *t)
{
	long status;
	json_t *list = list_po(h, r->po, &status);
	json_t *results = json_object_get(list, "results");
	size_t n = json_array_size(results);
	if (status != 200 || list == NULL) {
		problem(&t->violations, "cycle %d: list by %s answered %ld", cycle, r->po, status);
	} else if (n == 0) {
		t->unknown_absent++;
	} else {
		json_t *o = json_array_get(results, 0);
		json_t *line = json_array_get(json_object_get(o, "order_lines"), 0);
		json_t *v = json_object_get(line, "variant");
		bool as_sent =
			n == 1 && strcmp(jstr(o, "purchase_order_number"), r->po) == 0 &&
			json_array_size(json_object_get(o, "order_lines")) == 1 &&
			jint(v, "id") == VARIANT_ID && jint(line, "quantity") == r->qty &&
			strcmp(jstr(json_object_get(o, "ship_to"), "name1"), "Tammy Watkins") == 0;
		if (!as_sent) {
			char *text = json_dumps(results, JSON_COMPACT);
			problem(&t->violations,
				"cycle %d: order POST %s with no answer left %zu orders, "
				"not as sent: %s",
				cycle, r->po, n, text);
			free(text);
		}
		t->unknown_applied++;
	}
	json_decref(list);
}

/* An error answer (or a refused connection) left no order with that number. */
static void check_error_order_http(CURL *h, int cycle, struct rec *r, struct totals *t)
{
	long status;
	json_t *list = list_po(h, r->po, &status);
	json_t *results = json_object_get(list, "results");
	size_t n = json_array_size(results);
	long before = t->violations;
	if (status != 200 || list == NULL) {
		problem(&t->violations, "cycle %d: list by %s answered %ld", cycle, r->po, status);
	} else if (r->kind == K_ORDER_DUP) {
		json_t *o = json_array_get(results, 0);
		json_t *line = json_array_get(json_object_get(o, "order_lines"), 0);
		if (n != 1 || jint(o, "id") != r->order_id || jint(line, "quantity") != ORDER_QTY)
			problem(&t->violations,
				"cycle %d: after a duplicate of %s answered %ld, %zu orders "
				"with that number (expected order %" PRId64 " with quantity %d)",
				cycle, r->po, r->status, n, r->order_id, ORDER_QTY);
	} else if (n != 0) {
		problem(&t->violations,
			"cycle %d: %s was answered %ld%s, yet order %" PRId64 " has that "
			"number",
			cycle, r->po, r->status, r->out == OUT_REFUSED ? " (never connected)" : "",
			jint(json_array_get(results, 0), "id"));
	}
	/* A duplicate or an invalid order with no answer: it cannot have been applied. */
	if (r->out == OUT_UNKNOWN && t->violations == before)
		t->unknown_absent++;
	json_decref(list);
}

/* After the restart: this cycle's requests, through the API. */
static void check_cycle_http(CURL *h, int cycle, size_t from, struct totals *t)
{
	for (size_t i = from; i < all.n; i++) {
		struct rec *r = &all.v[i];
		if (r->cycle != cycle)
			continue;
		if (r->kind == K_ORDER && is_2xx(r))
			check_order_http(h, cycle, r, t);
		else if (r->kind == K_CANCEL && is_2xx(r))
			check_cancel_http(h, cycle, r, t);
		else if (r->kind == K_ORDER && r->out == OUT_UNKNOWN)
			check_unknown_order_http(h, cycle, r, t);
		else if (r->kind != K_CANCEL &&
			 (r->kind != K_ORDER || is_error(r) || r->out == OUT_REFUSED))
			check_error_order_http(h, cycle, r, t);
	}
}

/* Statuses other than the one a correct server answers are findings too. */
static void count_cycle(int cycle, size_t from, struct totals *t)
{
	for (size_t i = from; i < all.n; i++) {
		struct rec *r = &all.v[i];
		if (r->out == OUT_REFUSED) {
			t->refused++;
			continue;
		}
		t->sent++;
		if (r->out == OUT_UNKNOWN) {
			t->unknown++;
			continue;
		}
		if (is_2xx(r))
			t->acknowledged++;
		else
			t->errors++;
		if (r->status != r->expect)
			problem(&t->violations, "cycle %d: %s %s answered %ld, expected %d", cycle,
				r->kind == K_CANCEL ? "cancellation of" : "order", r->po, r->status,
				r->expect);
		if (is_2xx(r) && (r->json == NULL || r->id <= 0))
			problem(&t->violations, "cycle %d: %s answered %ld without an id", cycle,
				r->po, r->status);
	}
}

/* --------------------------------------------------- idempotent retries */

/* The open quantity of a line is read back; the canceled one is returned (-1: unknown). */
static long line_canceled(CURL *h, int64_t order_id)
{
	char path[96];
	long status;
	snprintf(path, sizeof(path), "/v1/retailers/500/orders/%" PRId64 "/", order_id);
	json_t *o = get_json(h, rkey, path, &status);
	long qc = status == 200 ? (long)jint(json_array_get(json_object_get(o, "order_lines"), 0),
					     "quantity_canceled")
				: -1;
	json_decref(o);
	return qc;
}

/*
 * Retries, with the same Idempotency-Key and body, each request of the cycle
 * whose outcome was unknown. Whatever the first attempt did, the retry must
 * leave the request applied exactly once: replayed if the first was applied,
 * performed now if it was not.
 */
static void retry_unknown(CURL *h, int cycle, size_t from, size_t to, struct totals *t)
{
	for (size_t i = from; i < to; i++) {
		if (all.v[i].out != OUT_UNKNOWN || all.v[i].idem_key[0] == '\0')
			continue;
		struct rec orig = all.v[i]; /* a copy: `all` may move below */
		t->retries++;
		bool applied;
		int64_t existing = 0;
		long before = 0;
		long status;
		if (orig.kind == K_ORDER) {
			json_t *list = list_po(h, orig.po, &status);
			json_t *o = json_array_get(json_object_get(list, "results"), 0);
			applied = o != NULL;
			existing = jint(o, "id");
			json_decref(list);
		} else {
			long known, unknown;
			size_t nk, nu;
			cancel_sums(orig.line_id, &known, &unknown, &nk, &nu);
			before = line_canceled(h, orig.order_id);
			applied = before > known; /* one unknown cancellation per line here */
		}
		struct reply r;
		const char *path = orig.kind == K_ORDER ? "/v1/retailers/500/orders/"
							: "/v1/brands/501/cancels/";
		call(h, child_port, "POST", path, orig.kind == K_ORDER ? rkey : bkey, orig.body,
		     orig.idem_key, &r);
		bool replayed = r.replayed;
		struct rec *n = rec_add(&all);
		CHECK(n != NULL, "out of memory");
		*n = orig;
		n->body = strdup(orig.body);
		n->json = NULL;
		n->retry = true;
		n->expect = 201;
		rec_reply(n, &r);
		t->sent++;
		if (n->out != OUT_REPLY) {
			problem(&t->violations, "cycle %d: the retry of %s got no answer: %s",
				cycle, orig.po, r.error);
			continue;
		}
		if (is_2xx(n))
			t->acknowledged++;
		else
			t->errors++;
		const char *what = orig.kind == K_ORDER ? "order" : "cancellation of";
		if (applied && is_2xx(n) && replayed &&
		    (orig.kind != K_ORDER || n->id == existing)) {
			t->replayed++;
		} else if (!applied && is_2xx(n) && !replayed) {
			t->retried_fresh++;
		} else if (applied && orig.kind == K_ORDER && n->status == 409) {
			/* The key forgot the order the first attempt made: the retry is refused. */
			problem(&t->reexecuted,
				"cycle %d: retried %s %s (key %s): the first attempt had "
				"created order %" PRId64
				", yet the retry was run again and answered 409 "
				"instead of replaying 201",
				cycle, what, orig.po, orig.idem_key, existing);
			n->kind = K_ORDER_DUP;
			n->order_id = existing;
		} else if (applied && orig.kind == K_CANCEL && is_2xx(n) && !replayed) {
			long after = line_canceled(h, orig.order_id);
			problem(&t->reexecuted,
				"cycle %d: retried %s %s (key %s): the first attempt had "
				"been applied (line %" PRId64
				" canceled %ld), yet the retry was applied "
				"again as cancellation %" PRId64 " (now %ld canceled)",
				cycle, what, orig.po, orig.idem_key, orig.line_id, before, n->id,
				after);
		} else {
			problem(&t->violations,
				"cycle %d: retried %s %s (key %s, first attempt %s): "
				"answered %ld%s",
				cycle, what, orig.po, orig.idem_key,
				applied ? "applied" : "not applied", n->status,
				replayed ? " (replayed)" : "");
		}
	}
}

/* ------------------------------------------------------------- the runs */

static int env_int(const char *name, int fallback, int lo, int hi)
{
	const char *v = getenv(name);
	if (v == NULL || *v == '\0')
		return fallback;
	int n = atoi(v);
	return n < lo ? lo : n > hi ? hi : n;
}

static void print_totals(const char *name, const struct totals *t, double seconds)
{
	printf("crash %s: cycles %d, requests sent %ld, acknowledged (2xx) %ld, errors (4xx/5xx) "
	       "%ld, "
	       "unknown outcomes %ld (applied %ld, absent %ld), refused connections %ld, lost %ld, "
	       "other violations %ld, %.1f s\n",
	       name, t->cycles, t->sent, t->acknowledged, t->errors, t->unknown, t->unknown_applied,
	       t->unknown_absent, t->refused, t->lost, t->violations, seconds);
	if (t->retries > 0)
		printf("crash %s: idempotent retries %ld: replayed %ld, performed fresh %ld, "
		       "applied a "
		       "second time or refused though applied %ld\n",
		       name, t->retries, t->replayed, t->retried_fresh, t->reexecuted);
	fflush(stdout);
}

static void run_cycles(const char *name, int cycles, bool idempotent, struct totals *t)
{
	int64_t started = now_ms();
	CHECK(curl_global_init(CURL_GLOBAL_ALL) == CURLE_OK, "curl_global_init");
	CURL *h = curl_easy_init();
	CHECK(h != NULL, "curl_easy_init");
	start_server(0);
	for (int cycle = 1; cycle <= cycles; cycle++) {
		atomic_bool stop;
		atomic_init(&stop, false);
		struct worker workers[THREADS];
		pthread_t threads[THREADS];
		for (int i = 0; i < THREADS; i++) {
			workers[i] = (struct worker){.cycle = cycle,
						     .thread = i,
						     .idempotent = idempotent,
						     .port = child_port,
						     .stop = &stop};
			CHECK(pthread_create(&threads[i], NULL, worker_run, &workers[i]) == 0,
			      "pthread_create");
		}
		long delay = KILL_MIN_MS + (long)(rnd() % (KILL_MAX_MS - KILL_MIN_MS + 1));
		sleep_ms(delay);
		int status = 0;
		pid_t done = waitpid(server_pid, &status, WNOHANG);
		char report[700] = "";
		if (done == server_pid) {
			server_pid = -1;
			atomic_store(&stop, true);
			for (int i = 0; i < THREADS; i++)
				pthread_join(threads[i], NULL);
			sanitizer_report(server_err, report, sizeof(report));
			CHECK(0,
			      "cycle %d: the server died on its own (status 0x%x) before the kill: "
			      "%s",
			      cycle, (unsigned)status, report);
		}
		kill(server_pid, SIGKILL);
		atomic_store(&stop, true);
		for (int i = 0; i < THREADS; i++)
			pthread_join(threads[i], NULL);
		waitpid(server_pid, &status, 0);
		server_pid = -1;
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		      "cycle %d: the server ended with status 0x%x, not by the kill", cycle,
		      (unsigned)status);
		if (sanitizer_report(server_err, report, sizeof(report)))
			problem(&t->violations, "cycle %d: sanitizer report from the server: %s",
				cycle, report);
		size_t from = all.n;
		for (int i = 0; i < THREADS; i++) {
			CHECK(!workers[i].oom, "cycle %d: out of memory in thread %d", cycle, i);
			for (size_t k = 0; k < workers[i].recs.n; k++) {
				struct rec *r = rec_add(&all);
				CHECK(r != NULL, "out of memory");
				*r = workers[i].recs.v[k];
			}
			free(workers[i].recs.v);
		}
		count_cycle(cycle, from, t);
		size_t to = all.n;
		check_database(cycle, t);
		start_server(cycle);
		check_cycle_http(h, cycle, from, t);
		if (idempotent)
			retry_unknown(h, cycle, from, to, t);
		t->cycles = cycle;
		long acked = 0, unknown = 0;
		for (size_t i = from; i < to; i++) {
			acked += is_2xx(&all.v[i]);
			unknown += all.v[i].out == OUT_UNKNOWN;
		}
		printf("crash %s: cycle %2d: killed after %3ld ms: %3zu requests, %3ld "
		       "acknowledged, "
		       "%ld unknown\n",
		       name, cycle, delay, to - from, acked, unknown);
		fflush(stdout);
	}
	/* The end: a clean stop, and the database once more as the last server left it. */
	kill(server_pid, SIGTERM);
	int status = 0;
	pid_t done = 0;
	for (int i = 0; i < 1000 && done == 0; i++) {
		done = waitpid(server_pid, &status, WNOHANG);
		if (done == 0)
			sleep_ms(20);
	}
	CHECK(done == server_pid, "the server did not stop within 20 s of SIGTERM");
	server_pid = -1;
	char report[700] = "";
	if (sanitizer_report(server_err, report, sizeof(report)))
		problem(&t->violations, "last server: sanitizer report: %s", report);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		problem(&t->violations, "the last server ended with status 0x%x after SIGTERM",
			(unsigned)status);
	check_database(cycles + 1, t);
	curl_easy_cleanup(h);
	curl_global_cleanup();
	print_totals(name, t, (double)(now_ms() - started) / 1000.0);
	for (size_t i = 0; i < all.n; i++)
		rec_free(&all.v[i]);
	free(all.v);
	memset(&all, 0, sizeof(all));
}

START_TEST(acknowledged_requests_survive_kill_9)
{
	struct totals t = {0};
	int cycles = env_int("DROPLINE_CRASH_CYCLES", 40, 1, 1000);
	run_cycles("durability", cycles, false, &t);
	ck_assert_int_ge(t.cycles, cycles);
	ck_assert_int_gt(t.acknowledged, 0);
	ck_assert_int_gt(t.unknown, 0); /* the kills did land on requests in flight */
	ck_assert_msg(t.lost == 0, "%ld acknowledged requests lost or changed (see above)", t.lost);
	ck_assert_msg(t.violations == 0, "%ld violations (see above)", t.violations);
}
END_TEST

START_TEST(idempotent_retry_after_kill_9_applies_once)
{
	struct totals t = {0};
	int cycles = env_int("DROPLINE_CRASH_IDEMPOTENCY_CYCLES", 10, 1, 1000);
	run_cycles("idempotency", cycles, true, &t);
	ck_assert_int_ge(t.cycles, cycles);
	ck_assert_msg(t.lost == 0, "%ld acknowledged requests lost or changed (see above)", t.lost);
	ck_assert_msg(t.violations == 0, "%ld violations (see above)", t.violations);
	ck_assert_msg(t.reexecuted == 0,
		      "%ld idempotent retries after a kill ran a request whose first attempt had "
		      "been applied (see above)",
		      t.reexecuted);
}
END_TEST

/* ---------------------------------------------------------------- webhooks */

/*
 * A receiver in this process: each delivery's Dropline-Event-Id, checked
 * against the id in its body; one request in ten answered 500, so that
 * kills also land between retries.
 */
#define HOOK_MAX 20000

static struct {
	pthread_mutex_t lock;
	int64_t ids[HOOK_MAX];
	size_t n;
	long mismatched; /* header id and body id differ */
	uint64_t rng;
} hooks;

/* Records each delivery's id; one in ten answered 500, so retries cross the kills too. */
static unsigned on_delivery(void *ctx, struct MHD_Connection *c, const char *text)
{
	(void)ctx;
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Dropline-Event-Id");
	int64_t id = h ? strtoll(h, NULL, 10) : -1;
	json_t *body = json_loads(text, 0, NULL);
	int64_t body_id = jint(body, "id");
	json_decref(body);
	unsigned status = 200;
	pthread_mutex_lock(&hooks.lock);
	hooks.rng = hooks.rng * 6364136223846793005ULL + 1442695040888963407ULL;
	if ((hooks.rng >> 33) % 10 == 0)
		status = 500;
	if (id != body_id)
		hooks.mismatched++;
	if (status == 200 && hooks.n < HOOK_MAX)
		hooks.ids[hooks.n++] = id;
	pthread_mutex_unlock(&hooks.lock);
	return status;
}

static size_t hooks_received(int64_t id)
{
	size_t times = 0;
	pthread_mutex_lock(&hooks.lock);
	for (size_t i = 0; i < hooks.n; i++)
		times += hooks.ids[i] == id;
	pthread_mutex_unlock(&hooks.lock);
	return times;
}

/* Every event of retailer 500's feed after `after`, as ids (at most cap). */
static size_t feed_ids(CURL *h, int64_t after, int64_t *ids, size_t cap)
{
	size_t n = 0;
	for (;;) {
		char path[128];
		snprintf(path, sizeof(path),
			 "/v1/retailers/500/events/?after=%" PRId64 "&limit=250", after);
		struct reply r;
		call(h, child_port, "GET", path, rkey, NULL, NULL, &r);
		CHECK(r.out == OUT_REPLY && r.status == 200, "feed: %ld %s", r.status, r.error);
		json_t *rows = json_object_get(r.json, "results");
		size_t i;
		json_t *e;
		json_array_foreach(rows, i, e)
		{
			if (n < cap)
				ids[n++] = jint(e, "id");
			after = jint(e, "id");
		}
		size_t got = json_array_size(rows);
		json_decref(r.json);
		if (got < 250)
			return n;
	}
}

START_TEST(webhook_deliveries_survive_kill_9)
{
	int cycles = env_int("DROPLINE_CRASH_WEBHOOK_CYCLES", 12, 1, 1000);
	pthread_mutex_init(&hooks.lock, NULL);
	hooks.n = 0;
	hooks.rng = rng_state;
	struct receiver rx;
	receiver_start(&rx, on_delivery, NULL);
	unsigned rx_port = rx.port;
	webhook_flags = true;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	CURL *h = curl_easy_init();
	ck_assert_ptr_nonnull(h);
	start_server(0);
	char body[256];
	snprintf(body, sizeof(body),
		 "{\"url\": \"http://127.0.0.1:%u/hook\", \"event_types\": [\"order.*\"]}",
		 rx_port);
	struct reply r;
	call(h, child_port, "POST", "/v1/retailers/500/webhooks/", rkey, body, NULL, &r);
	CHECK(r.out == OUT_REPLY && r.status == 201, "subscribe: %ld %s", r.status, r.error);
	int64_t since = jint(r.json, "last_delivered_event_id");
	json_decref(r.json);
	long created = 0;
	for (int cycle = 1; cycle <= cycles; cycle++) {
		long delay = KILL_MIN_MS + (long)(rnd() % (KILL_MAX_MS - KILL_MIN_MS));
		int64_t until = now_ms() + delay;
		for (int i = 0; now_ms() < until; i++) {
			char po[48];
			snprintf(po, sizeof(po), "WH-%d-%d", cycle, i);
			char *order = order_body(po, "GBD34315", 1);
			call(h, child_port, "POST", "/v1/retailers/500/orders/", rkey, order, NULL,
			     &r);
			free(order);
			created += r.out == OUT_REPLY && r.status == 201;
			json_decref(r.json);
		}
		kill(server_pid, SIGKILL);
		int status;
		waitpid(server_pid, &status, 0);
		server_pid = -1;
		start_server(100 + cycle);
		printf("crash webhooks: cycle %2d: killed after %3ld ms, %ld orders so far, %zu "
		       "deliveries\n",
		       cycle, delay, created, hooks.n);
		fflush(stdout);
	}
	/* Every committed event arrives, at least once, after the last restart. */
	static int64_t ids[HOOK_MAX];
	size_t n = feed_ids(h, since, ids, HOOK_MAX);
	CHECK(n >= (size_t)created, "%zu events in the feed for %ld orders acknowledged", n,
	      created);
	size_t duplicates = 0;
	for (size_t i = 0; i < n; i++) {
		size_t times = 0;
		for (int w = 0; w < 6000 && (times = hooks_received(ids[i])) == 0; w++)
			sleep_ms(10);
		CHECK(times > 0, "event %" PRId64 " (%zu of %zu) was never delivered", ids[i],
		      i + 1, n);
		duplicates += times - 1;
	}
	/* Nothing arrives that is not in the feed: a redelivery keeps its event's id. */
	pthread_mutex_lock(&hooks.lock);
	for (size_t i = 0; i < hooks.n; i++) {
		bool known = false;
		for (size_t k = 0; k < n && !known; k++)
			known = ids[k] == hooks.ids[i];
		CHECK(known, "a delivery with id %" PRId64 " that is no event", hooks.ids[i]);
	}
	long mismatched = hooks.mismatched;
	pthread_mutex_unlock(&hooks.lock);
	CHECK(mismatched == 0, "%ld deliveries whose header id is not their body's", mismatched);
	printf("crash webhooks: %zu events, all delivered; %zu duplicates, each with its id\n", n,
	       duplicates);
	kill(server_pid, SIGTERM);
	int status;
	waitpid(server_pid, &status, 0);
	server_pid = -1;
	curl_easy_cleanup(h);
	curl_global_cleanup();
	receiver_stop(&rx);
	pthread_mutex_destroy(&hooks.lock);
	webhook_flags = false;
}
END_TEST

int main(void)
{
	Suite *s = suite_create("crash");
	TCase *tc = tcase_create("crash");
	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, acknowledged_requests_survive_kill_9);
	tcase_add_test(tc, idempotent_retry_after_kill_9_applies_once);
	tcase_add_test(tc, webhook_deliveries_survive_kill_9);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
