/*
 * bench/anchor_http.c - the HTTP anchor: libmicrohttpd and jansson with no
 * application logic, set up exactly as `dropline serve` sets up its daemon
 * (src/http/server.c): MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC, a pool of
 * THREADS threads (default 2), connection limit 1024, timeout 30 s,
 * per-connection memory limit 64 KiB, our own listening socket (backlog 511)
 * on 127.0.0.1 only.
 *
 * Usage: anchor_http PORT FILE [THREADS]
 *
 *   GET (any path)   200 with the bytes of FILE (e.g. a real order document
 *                    fetched from dropline), Content-Type application/json and
 *                    an X-Request-Id header, like dropline's answers.
 *   POST (any path)  the body is accumulated, then parsed with json_loadb
 *                    (JSON_REJECT_DUPLICATES, as dropline does); 201 with the
 *                    same bytes as GET, or 400 when it is not JSON.
 *
 * As dropline, it answers nothing on the first access-handler call: 0.9.75
 * drops keep-alive for a reply queued on the first call.
 *
 * On SIGTERM/SIGINT it stops and prints to stderr
 *   cpu_us=N requests=N posts=N bad_json=N
 *
 * Build: gcc -std=c17 -O2 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
 *   bench/anchor_http.c -o anchor_http \
 *   $(pkg-config --cflags --libs libmicrohttpd jansson) -lpthread
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

static atomic_uint_fast64_t g_requests, g_posts, g_bad_json;
static struct MHD_Response *g_doc;	/* the file's bytes */
static struct MHD_Response *g_bad;	/* 400 body */

struct req_state {
	char *body;
	size_t len, cap;
	bool too_large;
};

#define BODY_LIMIT (1024 * 1024)

static void body_append(struct req_state *rs, const char *data, size_t size)
{
	if (rs->too_large)
		return;
	if (rs->len + size > BODY_LIMIT) {
		rs->too_large = true;
		return;
	}
	if (rs->len + size > rs->cap) {
		size_t cap = rs->cap ? rs->cap : 4096;
		while (cap < rs->len + size)
			cap *= 2;
		char *b = realloc(rs->body, cap);
		if (b == NULL) {
			rs->too_large = true;
			return;
		}
		rs->body = b;
		rs->cap = cap;
	}
	memcpy(rs->body + rs->len, data, size);
	rs->len += size;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
			       const char *method, const char *version, const char *upload_data,
			       size_t *upload_data_size, void **req_cls)
{
	(void)cls;
	(void)url;
	(void)version;
	struct req_state *rs = *req_cls;
	if (rs == NULL) {
		/* First call: headers only; answer on a later call to keep keep-alive. */
		rs = calloc(1, sizeof(*rs));
		if (rs == NULL)
			return MHD_NO;
		*req_cls = rs;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		body_append(rs, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	atomic_fetch_add_explicit(&g_requests, 1, memory_order_relaxed);
	if (strcmp(method, MHD_HTTP_METHOD_POST) == 0 || strcmp(method, MHD_HTTP_METHOD_PUT) == 0) {
		atomic_fetch_add_explicit(&g_posts, 1, memory_order_relaxed);
		json_error_t err;
		json_t *doc = rs->too_large
				      ? NULL
				      : json_loadb(rs->body ? rs->body : "", rs->len,
						   JSON_REJECT_DUPLICATES, &err);
		if (doc == NULL) {
			atomic_fetch_add_explicit(&g_bad_json, 1, memory_order_relaxed);
			return MHD_queue_response(conn, MHD_HTTP_BAD_REQUEST, g_bad);
		}
		json_decref(doc);
		return MHD_queue_response(conn, MHD_HTTP_CREATED, g_doc);
	}
	return MHD_queue_response(conn, MHD_HTTP_OK, g_doc);
}

static void completed(void *cls, struct MHD_Connection *conn, void **req_cls,
		      enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	struct req_state *rs = *req_cls;
	if (rs != NULL) {
		free(rs->body);
		free(rs);
		*req_cls = NULL;
	}
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	while (buf != NULL) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		cap *= 2;
		char *b = realloc(buf, cap);
		if (b == NULL) {
			free(buf);
			buf = NULL;
		}
		buf = b;
	}
	fclose(f);
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s PORT FILE [THREADS]\n", argv[0]);
		return 2;
	}
	long port = strtol(argv[1], NULL, 10);
	unsigned threads = argc == 4 ? (unsigned)strtoul(argv[3], NULL, 10) : 2;
	if (port <= 0 || port > 65535 || threads == 0) {
		fprintf(stderr, "bad port or thread count\n");
		return 2;
	}
	size_t doc_len = 0;
	char *doc = read_file(argv[2], &doc_len);
	if (doc == NULL || doc_len == 0) {
		fprintf(stderr, "cannot read %s\n", argv[2]);
		return 1;
	}
	static const char bad[] = "{\"error\":{\"code\":\"invalid_json\",\"message\":\"invalid "
				  "JSON\",\"fields\":[]}}";
	g_doc = MHD_create_response_from_buffer(doc_len, doc, MHD_RESPMEM_PERSISTENT);
	g_bad = MHD_create_response_from_buffer(sizeof bad - 1, (void *)bad,
						MHD_RESPMEM_PERSISTENT);
	if (g_doc == NULL || g_bad == NULL)
		return 1;
	/* The headers dropline sends: Content-Type, and a 16-hex-digit request id. */
	MHD_add_response_header(g_doc, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	MHD_add_response_header(g_doc, "X-Request-Id", "4f2a9c0d7be31a56");
	MHD_add_response_header(g_bad, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	MHD_add_response_header(g_bad, "X-Request-Id", "4f2a9c0d7be31a56");

	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 511) != 0) {
		fprintf(stderr, "cannot listen on 127.0.0.1:%ld: %s\n", port, strerror(errno));
		return 1;
	}

	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	struct MHD_Daemon *d = MHD_start_daemon(
		flags, 0, NULL, NULL, handler, NULL, MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
		MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned int)1024, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)0,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
		MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "MHD_start_daemon failed\n");
		return 1;
	}
	fprintf(stderr, "anchor_http: 127.0.0.1:%ld, %zu bytes, %u threads\n", port, doc_len,
		threads);

	int sig = 0;
	while (sigwait(&stop, &sig) != 0) {
	}
	MHD_stop_daemon(d);
	close(fd);
	MHD_destroy_response(g_doc);
	MHD_destroy_response(g_bad);
	free(doc);

	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	long long cpu_us = ((long long)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL +
			   ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
	fprintf(stderr, "cpu_us=%lld requests=%llu posts=%llu bad_json=%llu\n", cpu_us,
		(unsigned long long)atomic_load(&g_requests),
		(unsigned long long)atomic_load(&g_posts),
		(unsigned long long)atomic_load(&g_bad_json));
	return 0;
}
