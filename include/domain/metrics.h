/*
 * The metrics registry: series other code registers, rendered on demand in
 * the Prometheus text exposition format (version 0.0.4), written directly.
 *
 * A series family is a name, a help line, a type and a way to read it: an
 * atomic counter its owner increments, a function that answers a gauge's
 * value, or, for labelled families and histograms, a collector that writes
 * its samples when /metrics is read. Reading costs nothing until then: the
 * owners keep their own numbers and the registry only asks.
 *
 *   metrics_add_counter(m, "dropline_webhook_deliveries_total", "...", &counter);
 *   metrics_add_gauge(m, "dropline_webhook_queue_depth", "...", queue_depth, engine);
 *   metrics_add(m, "dropline_webhook_deliveries_total", "...", METRIC_COUNTER,
 *               deliveries_collect, engine);   with metrics_sample(out, "", "outcome=\"ok\"", n)
 *
 * Label values must be bounded (a route template, a status, an outcome;
 * never an id): every distinct value is a series a scraper keeps forever.
 *
 * There is no global registry: whoever runs the server makes one and hands
 * it down through each part's options. Families are registered and read
 * under one lock; a collector must not register.
 */
#ifndef DROPLINE_DOMAIN_METRICS_H
#define DROPLINE_DOMAIN_METRICS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
	METRIC_COUNTER,
	METRIC_GAUGE,
	METRIC_HISTOGRAM,
} metric_type;

/* The Content-Type of the rendered text. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct metrics;
struct metrics_out; /* where a collector writes its samples */

/* An empty registry; NULL on no memory. */
struct metrics *metrics_new(void);

/* NULL is ignored. What the collectors' contexts point to is not the registry's. */
void metrics_free(struct metrics *m);

/*
 * A collector writes the samples of its family (for a histogram: each
 * bucket, _sum and _count) with the functions below.
 */
typedef void (*metrics_collect_fn)(struct metrics_out *out, void *ctx);

/*
 * metrics_add() registers a family. `name` must be a valid metric name
 * ([a-zA-Z_:][a-zA-Z0-9_:]*) not registered yet; `help` is one line. The
 * name and help are copied; ctx must outlive the registry's use. False on
 * a bad or taken name, or no memory.
 */
bool metrics_add(struct metrics *m, const char *name, const char *help, metric_type type,
		 metrics_collect_fn collect, void *ctx);

/* A counter without labels: the value an atomic its owner increments. */
bool metrics_add_counter(struct metrics *m, const char *name, const char *help,
			 const atomic_uint_fast64_t *value);

/* A gauge without labels: fn(ctx) answers its value when read. */
bool metrics_add_gauge(struct metrics *m, const char *name, const char *help,
		       double (*fn)(void *ctx), void *ctx);

/*
 * Writes one sample of the family being collected: its name followed by
 * `suffix` ("" or "_bucket", "_sum", "_count"), the labels (`labels` is
 * the text between the braces, 'route="/v1/x",method="GET"', or "" for
 * none; make values with metrics_label_value()) and the value.
 */
void metrics_sample(struct metrics_out *out, const char *suffix, const char *labels, double value);
void metrics_sample_u64(struct metrics_out *out, const char *suffix, const char *labels,
			uint64_t value);

/*
 * Writes a whole histogram's samples: for each of the n upper bounds
 * `bounds` (ascending, +Inf implied) the number of observations at or
 * below it (counts[i] counts those in bucket i alone, counts[n] those above
 * the last bound), then _sum and _count. `labels` as for metrics_sample().
 */
void metrics_histogram(struct metrics_out *out, const char *labels, const double *bounds,
		       const uint64_t *counts, size_t n, double sum);

/*
 * Escapes a label value (backslash, double quote, newline) into out, of
 * size cap; the value is cut short, never overflowed. Returns out.
 */
char *metrics_label_value(const char *value, char *out, size_t cap);

/*
 * Renders every family, in the order registered, into a malloc'd
 * NUL-terminated text (*len its length); NULL on no memory.
 */
char *metrics_render(struct metrics *m, size_t *len);

#endif
