/* The HTTP server's series; see include/http/http_metrics.h. */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "domain/metrics.h"
#include "http/http_metrics.h"

/* The methods counted by name; any other is "other". */
static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "other"};
#define NMETHODS (sizeof(methods) / sizeof(methods[0]))

/* The statuses counted by number; any other is "other"; 0 is a request never answered. */
static const unsigned statuses[] = {0,	 200, 201, 202, 204, 304, 400, 401, 403, 404, 405,
				    406, 409, 410, 412, 413, 415, 422, 429, 500, 503};
#define NSTATUSES (sizeof(statuses) / sizeof(statuses[0]) + 1)

/* Latency buckets, seconds: a millisecond to a long-poll's 30 s and beyond. */
static const double bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
				0.25,  0.5,    1,     2.5,  5,	   10,	 30};
#define NBOUNDS (sizeof(bounds) / sizeof(bounds[0]))

struct latency {
	atomic_uint_fast64_t buckets[NBOUNDS + 1];
	atomic_uint_fast64_t sum_us;
};

struct http_metrics {
	const struct route *routes;
	size_t nroutes;			/* rows: one per route, then "unmatched" */
	atomic_uint_fast64_t *requests; /* [row][method][status] */
	struct latency *latency;	/* [row][method] */
	double started;			/* when it was made, epoch seconds */
};

static size_t method_index(const char *method)
{
	for (size_t i = 0; i + 1 < NMETHODS; i++)
		if (method != NULL && strcmp(method, methods[i]) == 0)
			return i;
	return NMETHODS - 1;
}

static size_t status_index(unsigned status)
{
	for (size_t i = 0; i + 1 < NSTATUSES; i++)
		if (statuses[i] == status)
			return i;
	return NSTATUSES - 1;
}

static const char *row_name(const struct http_metrics *hm, size_t row)
{
	return row < hm->nroutes ? hm->routes[row].pattern : "unmatched";
}

void http_metrics_observe(struct http_metrics *hm, const struct route *route, const char *method,
			  unsigned status, double seconds)
{
	if (hm == NULL)
		return;
	size_t row = hm->nroutes;
	if (route != NULL && route >= hm->routes && route < hm->routes + hm->nroutes)
		row = (size_t)(route - hm->routes);
	size_t m = method_index(method);
	atomic_fetch_add(&hm->requests[(row * NMETHODS + m) * NSTATUSES + status_index(status)], 1);
	struct latency *l = &hm->latency[row * NMETHODS + m];
	size_t b = 0;
	while (b < NBOUNDS && seconds > bounds[b])
		b++;
	atomic_fetch_add(&l->buckets[b], 1);
	atomic_fetch_add(&l->sum_us, (uint_fast64_t)(seconds > 0 ? seconds * 1e6 : 0));
}

/* 'route="...",method="..."' into out. */
static void route_labels(const struct http_metrics *hm, size_t row, size_t m, char *out, size_t cap)
{
	char route[256];
	metrics_label_value(row_name(hm, row), route, sizeof(route));
	snprintf(out, cap, "route=\"%s\",method=\"%s\"", route, methods[m]);
}

static void requests_collect(struct metrics_out *out, void *ctx)
{
	struct http_metrics *hm = ctx;
	char labels[400], status[16];
	for (size_t row = 0; row <= hm->nroutes; row++)
		for (size_t m = 0; m < NMETHODS; m++)
			for (size_t s = 0; s < NSTATUSES; s++) {
				uint64_t n = atomic_load(
					&hm->requests[(row * NMETHODS + m) * NSTATUSES + s]);
				if (n == 0)
					continue;
				if (s + 1 < NSTATUSES)
					snprintf(status, sizeof(status), "%u", statuses[s]);
				else
					snprintf(status, sizeof(status), "other");
				route_labels(hm, row, m, labels, sizeof(labels));
				size_t len = strlen(labels);
				snprintf(labels + len, sizeof(labels) - len, ",status=\"%s\"",
					 status);
				metrics_sample_u64(out, "", labels, n);
			}
}

static void latency_collect(struct metrics_out *out, void *ctx)
{
	struct http_metrics *hm = ctx;
	char labels[400];
	for (size_t row = 0; row <= hm->nroutes; row++)
		for (size_t m = 0; m < NMETHODS; m++) {
			struct latency *l = &hm->latency[row * NMETHODS + m];
			uint64_t counts[NBOUNDS + 1], total = 0;
			for (size_t b = 0; b <= NBOUNDS; b++)
				total += counts[b] = atomic_load(&l->buckets[b]);
			if (total == 0)
				continue;
			route_labels(hm, row, m, labels, sizeof(labels));
			metrics_histogram(out, labels, bounds, counts, NBOUNDS,
					  (double)atomic_load(&l->sum_us) / 1e6);
		}
}

static double resident_bytes(void *ctx);
static double start_time(void *ctx);

struct http_metrics *http_metrics_new(struct metrics *m, const struct route *routes, size_t n)
{
	struct http_metrics *hm = calloc(1, sizeof(*hm));
	if (hm == NULL)
		return NULL;
	hm->routes = routes;
	hm->nroutes = n;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	hm->started = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
	size_t rows = n + 1;
	hm->requests = calloc(rows * NMETHODS * NSTATUSES, sizeof(*hm->requests));
	hm->latency = calloc(rows * NMETHODS, sizeof(*hm->latency));
	if (hm->requests == NULL || hm->latency == NULL ||
	    !metrics_add(m, "dropline_http_requests_total",
			 "Requests answered, by route template, method and status (0: never "
			 "answered).",
			 METRIC_COUNTER, requests_collect, hm) ||
	    !metrics_add(m, "dropline_http_request_duration_seconds",
			 "Time from a request's first byte to its answer, by route template and "
			 "method (long-polls include their wait).",
			 METRIC_HISTOGRAM, latency_collect, hm) ||
	    !metrics_add_gauge(m, "process_resident_memory_bytes", "Resident memory size in bytes.",
			       resident_bytes, NULL) ||
	    !metrics_add_gauge(m, "process_start_time_seconds",
			       "Start time of the process since the epoch, in seconds.", start_time,
			       hm)) {
		http_metrics_free(hm);
		return NULL;
	}
	return hm;
}

void http_metrics_free(struct http_metrics *hm)
{
	if (hm == NULL)
		return;
	free(hm->requests);
	free(hm->latency);
	free(hm);
}

/* Resident set size from /proc/self/statm (pages, second field). */
static double resident_bytes(void *ctx)
{
	(void)ctx;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f == NULL)
		return 0;
	unsigned long size = 0, resident = 0;
	int got = fscanf(f, "%lu %lu", &size, &resident);
	fclose(f);
	long page = sysconf(_SC_PAGESIZE);
	return got == 2 && page > 0 ? (double)resident * (double)page : 0;
}

static double start_time(void *ctx)
{
	const struct http_metrics *hm = ctx;
	return hm->started;
}
