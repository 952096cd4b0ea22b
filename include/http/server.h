/*
 * The HTTP server: libmicrohttpd in thread-pool mode with epoll (chosen by
 * measurement, docs/architecture.md), serving a static route table.
 */
#ifndef DROPLINE_HTTP_SERVER_H
#define DROPLINE_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
	/* Access lines (info) and libmicrohttpd's messages (warn); NULL for none. */
	const struct logger *log;
	/*
	 * The registry (domain/metrics.h) where the server adds its series
	 * (requests, latency, long-polls, the process); NULL for none. It must
	 * outlive the server and not be rendered after server_stop() or a
	 * failed server_start() (the server's series read the server).
	 */
	struct metrics *metrics;
	/*
	 * TLS: the certificate (chain) and its private key, PEM text; both or
	 * neither. Parsed by server_start(), not kept: the caller may wipe them.
	 */
	const char *tls_cert;
	const char *tls_key;
	size_t body_memory; /* bytes all bodies and their parsed trees may hold at once */
	double rate_limit;  /* requests a second per API key; 0 for no limit */
	double rate_burst;  /* requests a key may make at once; 0: 2 s worth */
};

/* Defaults for every field not set (0/NULL). */
void server_options_defaults(struct server_options *o);

struct server;
struct api;
struct logger;
struct metrics;

/*
 * server_start() binds the listening socket and starts the worker threads
 * serving `app` (api/api.h) through the route table. On failure returns
 * NULL with one line in err ("cannot listen on 127.0.0.1:8080: Address
 * already in use"). The application and the route table must outlive the
 * server.
 */
struct server *server_start(struct api *app, const struct route *routes, size_t nroutes,
			    const struct server_options *opts, char err[SERVER_ERR_MAX]);

/*
 * Replaces the TLS certificate and key (PEM texts) of a server started with
 * TLS: handshakes from then on use the new pair; connections already open
 * keep theirs. False, with one line in err, when the pair is refused (the
 * old one stays) or the server has no TLS.
 */
bool server_tls_reload(struct server *srv, const char *cert_pem, const char *key_pem,
		       char err[SERVER_ERR_MAX]);

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
