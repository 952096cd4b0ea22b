/*
 * The HTTP server: libmicrohttpd in thread-pool mode with epoll (chosen by
 * measurement, docs/architecture.md), serving a static route table.
 */
#ifndef DROPLINE_HTTP_SERVER_H
#define DROPLINE_HTTP_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "api/route.h"

#define SERVER_BODY_LIMIT ((size_t)1 << 20) /* 1 MiB, CONTRACT.md section 1 */
#define SERVER_ERR_MAX	  256
/* Seconds a new connection may stay silent before its first request. */
#define SERVER_IDLE_TIMEOUT 10
/* How often the server runs the API's periodic work (event retention). */
#define SERVER_TICK_MS 5000

struct server_options {
	const char *listen;	   /* "ADDR:PORT"; port 0 picks a free one */
	unsigned threads;	   /* worker threads (>= 1) */
	unsigned connection_limit; /* open connections at once */
	unsigned per_ip_limit;	   /* open connections per client address, 0 = none */
	unsigned timeout_seconds;  /* idle timeout of a connection that sent a request */
	unsigned idle_timeout;	   /* seconds a new connection may stay silent */
	size_t body_limit;	   /* largest request body accepted */
	FILE *access_log;	   /* one JSON line per request; NULL for none */
	double rate_limit;	   /* requests a second per API key; 0 for no limit */
	double rate_burst;	   /* requests a key may make at once; 0: 2 s worth */
};

/* Defaults for every field not set (0/NULL). */
void server_options_defaults(struct server_options *o);

struct server;
struct api;

/*
 * server_start() binds the listening socket and starts the worker threads
 * serving `app` (api/api.h) through the route table. On failure returns
 * NULL with one line in err ("cannot listen on 127.0.0.1:8080: Address
 * already in use"). The application and the route table must outlive the
 * server.
 */
struct server *server_start(struct api *app, const struct route *routes, size_t nroutes,
			    const struct server_options *opts, char err[SERVER_ERR_MAX]);

/* The bound port (useful after asking for port 0). */
uint16_t server_port(const struct server *srv);

/*
 * server_stop() stops accepting connections, waits up to grace_ms for the
 * requests in flight to be answered, settles the application's queued
 * writes (api_stop_writes()), then stops the threads and frees the server.
 * NULL is ignored.
 */
void server_stop(struct server *srv, unsigned grace_ms);

#endif
