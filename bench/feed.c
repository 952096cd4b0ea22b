/*
 * bench/feed.c - reading the event feed: events a second at limit=250.
 *
 * Usage: feed PORT KEY READERS SECONDS
 *   PORT     dropline on 127.0.0.1:PORT
 *   KEY      retailer 500's API key (its feed is read)
 *   READERS  readers at once, each on its own keep-alive connection
 *   SECONDS  how long they read
 * Environment: DL_LIMIT (the page size, default 250).
 *
 * Each reader follows `next` from after=0 as a partner catching up does:
 * GET /v1/retailers/500/events/?after=N&limit=250, then the page's next;
 * at the end of the feed (an empty page) it starts again from after=0.
 * Readers start at different places (reader i after the first i pages of
 * the first), so that they do not read the same pages in step. Events are
 * counted in each page (one "actor" object an event). Prints one line:
 * readers, pages, events, events/s, pages/s, MB/s, page latency p50/p99
 * (ms), non-200 answers, passes over the whole feed.
 *
 * Build: gcc -std=c17 -O2 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
 *        bench/feed.c -o feed -lpthread
 */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint16_t port;
static const char *key;
static int limit = 250;
static double end_time;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct reader {
	pthread_t thread;
	int index;
	long pages, events, non200, passes, errors;
	double bytes;
	double *lat;
	size_t nlat, cap;
	char *buf;
	size_t buf_cap;
};

static int connect_server(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	struct timeval tv = {.tv_sec = 60};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Sends one GET and reads its whole answer into r->buf. Returns the
 * status (0 when the connection broke), the body in *body, *body_len.
 */
static int get(struct reader *r, int fd, long long after, char **body, size_t *body_len)
{
	char req[512];
	int n = snprintf(req, sizeof(req),
			 "GET /v1/retailers/500/events/?after=%lld&limit=%d HTTP/1.1\r\n"
			 "Host: 127.0.0.1\r\nAuthorization: Bearer %s\r\n\r\n",
			 after, limit, key);
	for (int sent = 0; sent < n;) {
		ssize_t k = send(fd, req + sent, (size_t)(n - sent), MSG_NOSIGNAL);
		if (k <= 0)
			return 0;
		sent += (int)k;
	}
	size_t got = 0, head = 0, total = 0;
	int status = 0;
	for (;;) {
		if (got == r->buf_cap) {
			r->buf_cap = r->buf_cap ? r->buf_cap * 2 : 1 << 20;
			r->buf = realloc(r->buf, r->buf_cap + 1);
			if (r->buf == NULL)
				exit(1);
		}
		ssize_t k = recv(fd, r->buf + got, r->buf_cap - got, 0);
		if (k <= 0)
			return 0;
		got += (size_t)k;
		if (head == 0) {
			char *end = memmem(r->buf, got, "\r\n\r\n", 4);
			if (end == NULL)
				continue;
			head = (size_t)(end - r->buf) + 4;
			status = atoi(r->buf + 9);
			size_t len = 0;
			for (char *p = r->buf; p < end;) {
				char *eol = memmem(p, (size_t)(end - p) + 2, "\r\n", 2);
				if (eol == NULL)
					break;
				if (strncasecmp(p, "Content-Length:", 15) == 0)
					len = strtoul(p + 15, NULL, 10);
				p = eol + 2;
			}
			total = head + len;
		}
		if (got >= total)
			break;
	}
	r->buf[total] = '\0';
	*body = r->buf + head;
	*body_len = total - head;
	return status;
}

static size_t count(const char *s, size_t len, const char *needle)
{
	size_t n = 0, nl = strlen(needle);
	for (const char *p = s; (p = memmem(p, len - (size_t)(p - s), needle, nl)) != NULL; p += nl)
		n++;
	return n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	int fd = connect_server();
	long long after = 0;
	int skip = r->index; /* pages to skip before counting: readers out of step */
	while (fd >= 0 && now_s() < end_time) {
		char *body = NULL;
		size_t len = 0;
		double t = now_s();
		int status = get(r, fd, after, &body, &len);
		double ms = (now_s() - t) * 1e3;
		if (status == 0) {
			r->errors++;
			close(fd);
			fd = connect_server();
			continue;
		}
		if (status != 200) {
			r->non200++;
			after = 0;
			continue;
		}
		size_t events = count(body, len, "\"actor\":{");
		const char *next = strstr(body, "\"next\":\"");
		const char *a = next ? strstr(next, "after=") : NULL;
		long long next_after = a ? strtoll(a + 6, NULL, 10) : 0;
		if (skip > 0) {
			skip--;
		} else {
			r->pages++;
			r->events += (long)events;
			r->bytes += (double)len;
			if (r->nlat == r->cap) {
				r->cap = r->cap ? r->cap * 2 : 4096;
				r->lat = realloc(r->lat, r->cap * sizeof(*r->lat));
				if (r->lat == NULL)
					exit(1);
			}
			r->lat[r->nlat++] = ms;
		}
		if (events == 0) {
			after = 0;
			r->passes++;
		} else {
			after = next_after;
		}
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: feed PORT KEY READERS SECONDS\n");
		return 2;
	}
	port = (uint16_t)atoi(argv[1]);
	key = argv[2];
	int readers = atoi(argv[3]);
	double seconds = atof(argv[4]);
	const char *env = getenv("DL_LIMIT");
	if (env != NULL)
		limit = atoi(env);
	if (port == 0 || readers <= 0 || readers > 64 || seconds <= 0 || limit <= 0) {
		fprintf(stderr, "feed: bad arguments\n");
		return 2;
	}
	struct reader *rs = calloc((size_t)readers, sizeof(*rs));
	if (rs == NULL)
		return 1;
	double t0 = now_s();
	end_time = t0 + seconds;
	for (int i = 0; i < readers; i++) {
		rs[i].index = i;
		pthread_create(&rs[i].thread, NULL, reader_main, &rs[i]);
	}
	long pages = 0, events = 0, non200 = 0, passes = 0, errors = 0;
	double bytes = 0;
	size_t nlat = 0;
	for (int i = 0; i < readers; i++) {
		pthread_join(rs[i].thread, NULL);
		pages += rs[i].pages;
		events += rs[i].events;
		non200 += rs[i].non200;
		passes += rs[i].passes;
		errors += rs[i].errors;
		bytes += rs[i].bytes;
		nlat += rs[i].nlat;
	}
	double elapsed = now_s() - t0;
	double *lat = malloc((nlat ? nlat : 1) * sizeof(*lat));
	if (lat == NULL)
		return 1;
	size_t k = 0;
	for (int i = 0; i < readers; i++) {
		memcpy(lat + k, rs[i].lat, rs[i].nlat * sizeof(*lat));
		k += rs[i].nlat;
		free(rs[i].lat);
		free(rs[i].buf);
	}
	qsort(lat, nlat, sizeof(*lat), cmp_double);
	printf("readers=%d limit=%d pages=%ld events=%ld events_per_s=%.0f pages_per_s=%.1f "
	       "mb_per_s=%.1f page_p50_ms=%.2f page_p99_ms=%.2f non200=%ld errors=%ld passes=%ld\n",
	       readers, limit, pages, events, (double)events / elapsed, (double)pages / elapsed,
	       bytes / elapsed / 1e6, nlat ? lat[nlat / 2] : 0,
	       nlat ? lat[(size_t)((double)nlat * 0.99)] : 0, non200, errors, passes);
	free(lat);
	free(rs);
	return 0;
}
