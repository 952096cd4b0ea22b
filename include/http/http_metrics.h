/*
 * The HTTP server's series: requests by route template, method and status,
 * their latency by route and method, requests in flight, long-polls held,
 * and the process's resident memory and start time (docs/operations.md).
 *
 * Counts are kept in fixed tables of atomics, one row per route of the
 * table plus one for requests that matched none: a request costs a few
 * atomic additions, and no label value comes from what a client sent (the
 * route's template, never its path; a method or status outside the known
 * few is counted as "other").
 */
#ifndef DROPLINE_HTTP_HTTP_METRICS_H
#define DROPLINE_HTTP_HTTP_METRICS_H

#include <stddef.h>

#include "api/route.h"

struct metrics;
struct http_metrics;

/*
 * Makes the tables for a route table of n routes and registers the
 * request series and the process's (process_resident_memory_bytes,
 * process_start_time_seconds) in m. NULL on no memory (or a name taken). Free it after
 * the last render of m.
 */
struct http_metrics *http_metrics_new(struct metrics *m, const struct route *routes, size_t n);

/* Counts one answered request; route is NULL when it matched none. */
void http_metrics_observe(struct http_metrics *hm, const struct route *route, const char *method,
			  unsigned status, double seconds);

/* NULL is ignored. */
void http_metrics_free(struct http_metrics *hm);

#endif
