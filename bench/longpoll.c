/*
 * bench/longpoll.c - many idle long-polls held by the server, what they
 * cost it in memory, and what they do to the latency of other requests.
 *
 * Usage: longpoll PORT SERVER_PID KEY N SECONDS
 *   PORT        dropline on 127.0.0.1:PORT
 *   SERVER_PID  its pid, for VmRSS and VmHWM from /proc/PID/status
 *   KEY         retailer 500's API key
 *   N           long-polls to hold (each on its own connection)
 *   SECONDS     length of each GET phase
 * Environment: DL_MIN_ID, DL_MAX_ID (the orders GET asks for, default
 * 1-1000000), DL_AFTER (the feed's newest event id: the long-polls ask
 * for events after it, so that they wait), DL_GET_CONNS (default 8).
 *
 * 1. "without": GET /v1/retailers/500/orders/{random id}/ on DL_GET_CONNS
 *    keep-alive connections, each sending its next request when the last
 *    is answered, for SECONDS; every latency is kept (p50, p99, max).
 * 2. opens N connections, each sending
 *    GET /v1/retailers/500/events/?after=DL_AFTER&wait=30 and sending it
 *    again on the same connection (or a new one, when the server closed
 *    it) each time it is answered: the server holds them all, idle.
 * 3. "with": the same GET load again, for SECONDS, while they are held.
 * The server's VmRSS is sampled every 0.5 s throughout; VmHWM (peak) is
 * read at each phase's end (the caller may reset it first through
 * /proc/PID/clear_refs). One line of results a phase, "key=value" words.
 *
 * Build: gcc -std=c17 -O2 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
 *        bench/longpoll.c -o longpoll -lpthread
 */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF 16384 /* an order document is ~3 KB, a long-poll answer less */

static uint16_t port;
static int server_pid;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A field of /proc/PID/status in KiB ("VmRSS", "VmHWM"), -1 when unreadable. */
static long status_kib(const char *field)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", server_pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	long v = -1;
	size_t n = strlen(field);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, n) == 0 && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

/* One client connection and the request it repeats. */
struct conn {
	int fd;
	char req[512];
	size_t req_len, sent;
	char buf[BUF];
	size_t got;
	double started; /* when the request was sent */
	bool pending;	/* a long-poll sent whole and not answered yet */
};

static int open_conn(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Whether buf holds one whole response: sets *status and *close_after
 * (the server said Connection: close). Returns its length, 0 when not yet.
 */
static size_t whole_response(const char *buf, size_t len, int *status, bool *close_after)
{
	const char *end = memmem(buf, len, "\r\n\r\n", 4);
	if (end == NULL)
		return 0;
	size_t head = (size_t)(end - buf) + 4;
	*status = len > 12 ? atoi(buf + 9) : 0;
	size_t body = 0;
	*close_after = false;
	for (const char *p = buf; p < end;) {
		const char *eol = memmem(p, (size_t)(end - p) + 2, "\r\n", 2);
		if (eol == NULL)
			break;
		if (strncasecmp(p, "Content-Length:", 15) == 0)
			body = strtoul(p + 15, NULL, 10);
		else if (strncasecmp(p, "Connection:", 11) == 0 &&
			 memmem(p, (size_t)(eol - p), "close", 5) != NULL)
			*close_after = true;
		p = eol + 2;
	}
	return len >= head + body ? head + body : 0;
}

/* ---- the GET load ------------------------------------------------------------ */

struct get_load {
	int conns;
	double seconds;
	const char *key;
	long min_id, max_id;
	/* results */
	double *lat; /* ms */
	size_t nlat, cap;
	long errors, non200;
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static long rnd_in(long lo, long hi)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return lo + (long)((rng * 0x2545f4914f6cdd1dull) % (uint64_t)(hi - lo + 1));
}

static void get_request(struct get_load *g, struct conn *c)
{
	c->req_len = (size_t)snprintf(c->req, sizeof(c->req),
				      "GET /v1/retailers/500/orders/%ld/ HTTP/1.1\r\n"
				      "Host: 127.0.0.1\r\nAuthorization: Bearer %s\r\n\r\n",
				      rnd_in(g->min_id, g->max_id), g->key);
	c->sent = 0;
	c->got = 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Sends and receives on c until it would block. False when the connection broke. */
static bool pump(struct conn *c, int *status, bool *done, bool *close_after)
{
	*done = false;
	while (c->sent < c->req_len) {
		ssize_t n = send(c->fd, c->req + c->sent, c->req_len - c->sent, MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOTCONN;
		c->sent += (size_t)n;
	}
	for (;;) {
		ssize_t n = recv(c->fd, c->buf + c->got, sizeof(c->buf) - c->got, 0);
		if (n == 0)
			return false;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK;
		c->got += (size_t)n;
		size_t len = whole_response(c->buf, c->got, status, close_after);
		if (len > 0) {
			*done = true;
			return true;
		}
		if (c->got == sizeof(c->buf))
			return false;
	}
}

static void run_get_load(struct get_load *g)
{
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct conn *cs = calloc((size_t)g->conns, sizeof(*cs));
	if (ep < 0 || cs == NULL) {
		perror("longpoll: get load");
		exit(1);
	}
	for (int i = 0; i < g->conns; i++) {
		cs[i].fd = open_conn();
		if (cs[i].fd < 0) {
			perror("longpoll: connect");
			exit(1);
		}
		get_request(g, &cs[i]);
		struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET,
					 .data.ptr = &cs[i]};
		epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
		cs[i].started = now_s();
	}
	double end = now_s() + g->seconds;
	struct epoll_event evs[64];
	while (now_s() < end) {
		int n = epoll_wait(ep, evs, 64, 100);
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			int status = 0;
			bool done = false, close_after = false;
			bool ok = pump(c, &status, &done, &close_after);
			if (ok && !done)
				continue;
			double t = now_s();
			if (done) {
				if (g->nlat == g->cap) {
					g->cap = g->cap ? g->cap * 2 : 65536;
					g->lat = realloc(g->lat, g->cap * sizeof(*g->lat));
					if (g->lat == NULL)
						exit(1);
				}
				g->lat[g->nlat++] = (t - c->started) * 1e3;
				if (status != 200)
					g->non200++;
			} else {
				g->errors++;
			}
			if (!ok || close_after) {
				close(c->fd);
				c->fd = open_conn();
				if (c->fd < 0)
					exit(1);
				struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET,
							 .data.ptr = c};
				epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
			}
			get_request(g, c);
			c->started = t;
			/* Edge-triggered: send now, the socket is writable. */
			pump(c, &status, &done, &close_after);
		}
	}
	for (int i = 0; i < g->conns; i++)
		close(cs[i].fd);
	free(cs);
	close(ep);
	qsort(g->lat, g->nlat, sizeof(*g->lat), cmp_double);
}

static void report_get(const char *phase, struct get_load *g)
{
	double p50 = g->nlat ? g->lat[g->nlat / 2] : 0;
	double p99 = g->nlat ? g->lat[(size_t)((double)g->nlat * 0.99)] : 0;
	double mx = g->nlat ? g->lat[g->nlat - 1] : 0;
	printf("phase=%s get_requests=%zu get_rps=%.0f get_p50_ms=%.2f get_p99_ms=%.2f "
	       "get_max_ms=%.2f get_non200=%ld get_errors=%ld\n",
	       phase, g->nlat, (double)g->nlat / g->seconds, p50, p99, mx, g->non200, g->errors);
	fflush(stdout);
}

/* ---- the long-polls ------------------------------------------------------------ */

struct polls {
	int n;
	const char *key;
	const char *after;
	atomic_bool stop;
	atomic_long opened, answered, answered_200, reconnects, errors, pending;
	int ep;
	struct conn *cs;
};

static void poll_request(struct polls *p, struct conn *c)
{
	c->req_len = (size_t)snprintf(c->req, sizeof(c->req),
				      "GET /v1/retailers/500/events/?after=%s&wait=30 HTTP/1.1\r\n"
				      "Host: 127.0.0.1\r\nAuthorization: Bearer %s\r\n\r\n",
				      p->after, p->key);
	c->sent = 0;
	c->got = 0;
}

static bool poll_connect(struct polls *p, struct conn *c)
{
	c->fd = open_conn();
	if (c->fd < 0)
		return false;
	poll_request(p, c);
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.ptr = c};
	return epoll_ctl(p->ep, EPOLL_CTL_ADD, c->fd, &ev) == 0;
}

/* Keeps p->pending equal to the long-polls sent whole and not answered. */
static void set_pending(struct polls *p, struct conn *c, bool pending)
{
	if (c->pending != pending)
		atomic_fetch_add(&p->pending, pending ? 1 : -1);
	c->pending = pending;
}

static void *polls_main(void *arg)
{
	struct polls *p = arg;
	struct epoll_event evs[256];
	int next = 0;
	double t0 = now_s();
	while (!atomic_load(&p->stop)) {
		/* Open them at up to 2,000 a second: the server's accept backlog is 511. */
		long due = (long)((now_s() - t0) * 2000) + 100;
		while (next < p->n && next < due) {
			if (!poll_connect(p, &p->cs[next])) {
				perror("longpoll: connect");
				atomic_fetch_add(&p->errors, 1);
			} else {
				atomic_fetch_add(&p->opened, 1);
			}
			next++;
		}
		int n = epoll_wait(p->ep, evs, 256, 20);
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			int status = 0;
			bool done = false, close_after = false;
			bool ok = pump(c, &status, &done, &close_after);
			set_pending(p, c, ok && !done && c->sent == c->req_len);
			if (ok && !done)
				continue;
			if (done) {
				atomic_fetch_add(&p->answered, 1);
				if (status == 200)
					atomic_fetch_add(&p->answered_200, 1);
			}
			if (!ok || close_after) {
				if (!ok && !done)
					atomic_fetch_add(&p->errors, 1);
				close(c->fd);
				atomic_fetch_add(&p->reconnects, 1);
				if (!poll_connect(p, c))
					atomic_fetch_add(&p->errors, 1);
				continue;
			}
			poll_request(p, c);
			ok = pump(c, &status, &done, &close_after);
			set_pending(p, c, ok && !done && c->sent == c->req_len);
		}
	}
	return NULL;
}

/* ---- RSS sampling ----------------------------------------------------------------- */

struct sampler {
	atomic_bool stop;
	atomic_long max_rss;
};

static void *sampler_main(void *arg)
{
	struct sampler *s = arg;
	while (!atomic_load(&s->stop)) {
		long rss = status_kib("VmRSS");
		if (rss > atomic_load(&s->max_rss))
			atomic_store(&s->max_rss, rss);
		struct timespec ts = {.tv_sec = 0, .tv_nsec = 500000000L};
		nanosleep(&ts, NULL);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: longpoll PORT SERVER_PID KEY N SECONDS\n");
		return 2;
	}
	port = (uint16_t)atoi(argv[1]);
	server_pid = atoi(argv[2]);
	const char *key = argv[3];
	int n = atoi(argv[4]);
	double seconds = atof(argv[5]);
	const char *env;
	long min_id = (env = getenv("DL_MIN_ID")) ? atol(env) : 1;
	long max_id = (env = getenv("DL_MAX_ID")) ? atol(env) : 1000000;
	const char *after = (env = getenv("DL_AFTER")) ? env : "0";
	int get_conns = (env = getenv("DL_GET_CONNS")) ? atoi(env) : 8;
	if (port == 0 || server_pid <= 0 || n < 0 || seconds <= 0 || get_conns <= 0) {
		fprintf(stderr, "longpoll: bad arguments\n");
		return 2;
	}
	/* N connections and then some. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)n + 256) {
		rl.rlim_cur = rl.rlim_max < (rlim_t)n + 256 ? rl.rlim_max : (rlim_t)n + 256;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	struct sampler smp = {0};
	atomic_store(&smp.max_rss, 0);
	pthread_t sampler;
	pthread_create(&sampler, NULL, sampler_main, &smp);

	/* 1. without */
	long rss0 = status_kib("VmRSS");
	struct get_load g0 = {.conns = get_conns,
			      .seconds = seconds,
			      .key = key,
			      .min_id = min_id,
			      .max_id = max_id};
	run_get_load(&g0);
	report_get("without", &g0);
	printf("phase=without rss_start_kib=%ld rss_end_kib=%ld rss_max_kib=%ld hwm_kib=%ld\n",
	       rss0, status_kib("VmRSS"), atomic_load(&smp.max_rss), status_kib("VmHWM"));
	fflush(stdout);

	/* 2. open the long-polls */
	struct polls p = {.n = n, .key = key, .after = after};
	p.ep = epoll_create1(EPOLL_CLOEXEC);
	p.cs = calloc((size_t)(n > 0 ? n : 1), sizeof(*p.cs));
	if (p.ep < 0 || p.cs == NULL) {
		perror("longpoll");
		return 1;
	}
	pthread_t poller;
	pthread_create(&poller, NULL, polls_main, &p);
	double t0 = now_s();
	while (atomic_load(&p.pending) < n && now_s() - t0 < 60) {
		struct timespec ts = {.tv_sec = 0, .tv_nsec = 100000000L};
		nanosleep(&ts, NULL);
	}
	/* Let the server take the last ones in. */
	sleep(2);
	printf("phase=open longpolls=%d sent=%ld opened=%ld in_s=%.1f answered=%ld errors=%ld "
	       "rss_kib=%ld hwm_kib=%ld\n",
	       n, atomic_load(&p.pending), atomic_load(&p.opened), now_s() - t0,
	       atomic_load(&p.answered), atomic_load(&p.errors), status_kib("VmRSS"),
	       status_kib("VmHWM"));
	fflush(stdout);

	/* 3. with */
	atomic_store(&smp.max_rss, 0);
	struct get_load g1 = {.conns = get_conns,
			      .seconds = seconds,
			      .key = key,
			      .min_id = min_id,
			      .max_id = max_id};
	run_get_load(&g1);
	report_get("with", &g1);
	printf("phase=with longpolls_sent=%ld answered=%ld answered_200=%ld reconnects=%ld "
	       "errors=%ld rss_end_kib=%ld rss_max_kib=%ld hwm_kib=%ld\n",
	       atomic_load(&p.pending), atomic_load(&p.answered), atomic_load(&p.answered_200),
	       atomic_load(&p.reconnects), atomic_load(&p.errors), status_kib("VmRSS"),
	       atomic_load(&smp.max_rss), status_kib("VmHWM"));
	fflush(stdout);

	atomic_store(&p.stop, true);
	pthread_join(poller, NULL);
	for (int i = 0; i < n; i++)
		if (p.cs[i].fd > 0)
			close(p.cs[i].fd);
	free(p.cs);
	close(p.ep);
	atomic_store(&smp.stop, true);
	pthread_join(sampler, NULL);
	free(g0.lat);
	free(g1.lat);
	return 0;
}
