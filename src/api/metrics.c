/*
 * GET /metrics and the API's own series: group commit, events, the
 * representation cache, the database's files. The HTTP server registers
 * the requests' series and the process's; see docs/operations.md for the
 * whole list.
 */
#include <stdlib.h>

#include "domain/metrics.h"
#include "handler.h"

void api_metrics(struct api_request *req)
{
	if (req->app->metrics == NULL) {
		api_refuse(req, REFUSED_ROUTE_UNKNOWN);
		return;
	}
	size_t len = 0;
	char *text = metrics_render(req->app->metrics, &len);
	if (text == NULL) {
		api_reject(req, REFUSED_INTERNAL, 0);
		return;
	}
	api_text(req, 200, text);
	outcome_header(&req->out, "Content-Type", METRICS_CONTENT_TYPE);
	outcome_header(&req->out, "Cache-Control", "no-store");
}

/* Upper bounds of the batch-size buckets: 1, 2, 4, ... (store/store.h). */
static void batch_sizes_collect(struct metrics_out *out, void *ctx)
{
	struct api *app = ctx;
	struct store_committer_stats cs;
	store_committer_stats(app->committer, &cs);
	double bounds[STORE_BATCH_BUCKETS];
	for (unsigned i = 0; i < STORE_BATCH_BUCKETS; i++)
		bounds[i] = (double)((uint64_t)1 << i);
	metrics_histogram(out, "", bounds, cs.sizes, STORE_BATCH_BUCKETS, (double)cs.jobs);
}

static void cache_collect(struct metrics_out *out, void *ctx)
{
	struct api *app = ctx;
	struct api_stats st;
	api_stats(app, &st);
	metrics_sample_u64(out, "", "result=\"hit\"", st.cache_hits);
	metrics_sample_u64(out, "", "result=\"miss\"", st.cache_misses);
}

static double database_bytes(void *ctx)
{
	struct api *app = ctx;
	uint64_t db = 0, wal = 0;
	store_file_sizes(app->store, &db, &wal);
	return (double)db;
}

static double wal_bytes(void *ctx)
{
	struct api *app = ctx;
	uint64_t db = 0, wal = 0;
	store_file_sizes(app->store, &db, &wal);
	return (double)wal;
}

static void build_info_collect(struct metrics_out *out, void *ctx)
{
	(void)ctx;
	metrics_sample_u64(out, "", "version=\"" DROPLINE_VERSION "\"", 1);
}

/* Webhook delivery attempts by outcome, and the subscriptions given up on. */
static void webhook_deliveries_collect(struct metrics_out *out, void *ctx)
{
	struct api_webhook_stats st;
	api_webhook_stats(ctx, &st);
	metrics_sample_u64(out, "", "outcome=\"delivered\"", st.delivered);
	metrics_sample_u64(out, "", "outcome=\"failed\"", st.failed);
	metrics_sample_u64(out, "", "outcome=\"refused\"", st.refused);
}

static double webhook_queue_depth(void *ctx)
{
	struct api_webhook_stats st;
	api_webhook_stats(ctx, &st);
	return (double)st.waiting;
}

static double webhook_in_flight(void *ctx)
{
	struct api_webhook_stats st;
	api_webhook_stats(ctx, &st);
	return (double)st.in_flight;
}

static void webhook_disabled_collect(struct metrics_out *out, void *ctx)
{
	struct api_webhook_stats st;
	api_webhook_stats(ctx, &st);
	metrics_sample_u64(out, "", "", st.disabled);
}

bool api_metrics_register(struct api *app)
{
	struct metrics *m = app->metrics;
	return metrics_add(m, "dropline_build_info", "The running version (always 1).",
			   METRIC_GAUGE, build_info_collect, app) &&
	       metrics_add(m, "dropline_commit_batch_size",
			   "Writes settled per group-commit batch (one transaction, one fsync); "
			   "_count is the batches, _sum the writes.",
			   METRIC_HISTOGRAM, batch_sizes_collect, app) &&
	       metrics_add_counter(m, "dropline_events_written_total",
				   "Events committed to the parties' feeds.",
				   &app->events_written) &&
	       metrics_add(m, "dropline_cache_requests_total",
			   "Representation cache lookups by result (hit, miss).", METRIC_COUNTER,
			   cache_collect, app) &&
	       metrics_add_gauge(m, "dropline_database_size_bytes", "Size of the database file.",
				 database_bytes, app) &&
	       metrics_add_gauge(m, "dropline_database_wal_size_bytes",
				 "Size of the database's write-ahead log file.", wal_bytes, app) &&
	       metrics_add(m, "dropline_webhook_deliveries_total",
			   "Webhook delivery attempts by outcome (delivered: a 2xx; failed: "
			   "another answer, a timeout or no connection; refused: the address "
			   "was refused at connect time).",
			   METRIC_COUNTER, webhook_deliveries_collect, app) &&
	       metrics_add(m, "dropline_webhook_disabled_total",
			   "Webhook subscriptions disabled after failing for --webhook-give-up.",
			   METRIC_COUNTER, webhook_disabled_collect, app) &&
	       metrics_add_gauge(m, "dropline_webhook_queue_depth",
				 "Webhook subscriptions with an event waiting to be delivered.",
				 webhook_queue_depth, app) &&
	       metrics_add_gauge(m, "dropline_webhook_requests_in_flight",
				 "Webhook requests under way now.", webhook_in_flight, app);
}
