/*
 * The metrics registry (domain/metrics.h) and the HTTP server's series
 * (http/http_metrics.h): names checked, families rendered in the text
 * format, histograms cumulative, label values escaped, and the bound on
 * what one GET /metrics can cost: every series of every route, method and
 * status filled at once stays under the size docs/reliability.md states.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "api/api.h"
#include "domain/metrics.h"
#include "harness.h"
#include "http/http_metrics.h"

/* The most text a /metrics answer can be: docs/reliability.md. */
#define METRICS_MAX_BYTES (1536 * 1024)

static double seven(void *ctx)
{
	(void)ctx;
	return 7;
}

static void labelled(struct metrics_out *out, void *ctx)
{
	const char *outcome = ctx;
	char value[64], labels[96];
	metrics_label_value(outcome, value, sizeof(value));
	snprintf(labels, sizeof(labels), "outcome=\"%s\"", value);
	metrics_sample_u64(out, "", labels, 3);
	metrics_sample(out, "", "outcome=\"half\"", 0.5);
}

static void histogram(struct metrics_out *out, void *ctx)
{
	(void)ctx;
	static const double bounds[] = {1, 2.5};
	static const uint64_t counts[] = {2, 0, 1};
	metrics_histogram(out, "kind=\"x\"", bounds, counts, 2, 7.25);
}

START_TEST(families_render_in_the_text_format)
{
	struct metrics *m = metrics_new();
	ck_assert_ptr_nonnull(m);
	atomic_uint_fast64_t counter;
	atomic_init(&counter, 41);
	ck_assert(metrics_add_counter(m, "x_deliveries_total", "Deliveries.", &counter));
	ck_assert(metrics_add_gauge(m, "x_queue_depth", "Queued.", seven, NULL));
	ck_assert(metrics_add(m, "x_outcomes_total", "By outcome.", METRIC_COUNTER, labelled,
			      (void *)"we\"ird\\\n"));
	ck_assert(metrics_add(m, "x_seconds", "Latency.", METRIC_HISTOGRAM, histogram, NULL));
	/* Bad names, a taken name, a help on two lines: refused. */
	ck_assert(!metrics_add_gauge(m, "x_queue_depth", "Again.", seven, NULL));
	ck_assert(!metrics_add_gauge(m, "9lives", "Digit first.", seven, NULL));
	ck_assert(!metrics_add_gauge(m, "a-b", "Dash.", seven, NULL));
	ck_assert(!metrics_add_gauge(m, "", "Empty.", seven, NULL));
	ck_assert(!metrics_add_gauge(m, "ok_name", "Two\nlines.", seven, NULL));
	atomic_fetch_add(&counter, 1);
	size_t len = 0;
	char *text = metrics_render(m, &len);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(strlen(text), len);
	ck_assert_str_eq(text, "# HELP x_deliveries_total Deliveries.\n"
			       "# TYPE x_deliveries_total counter\n"
			       "x_deliveries_total 42\n"
			       "# HELP x_queue_depth Queued.\n"
			       "# TYPE x_queue_depth gauge\n"
			       "x_queue_depth 7\n"
			       "# HELP x_outcomes_total By outcome.\n"
			       "# TYPE x_outcomes_total counter\n"
			       "x_outcomes_total{outcome=\"we\\\"ird\\\\\\n\"} 3\n"
			       "x_outcomes_total{outcome=\"half\"} 0.5\n"
			       "# HELP x_seconds Latency.\n"
			       "# TYPE x_seconds histogram\n"
			       "x_seconds_bucket{kind=\"x\",le=\"1\"} 2\n"
			       "x_seconds_bucket{kind=\"x\",le=\"2.5\"} 2\n"
			       "x_seconds_bucket{kind=\"x\",le=\"+Inf\"} 3\n"
			       "x_seconds_sum{kind=\"x\"} 7.25\n"
			       "x_seconds_count{kind=\"x\"} 3\n");
	free(text);
	metrics_free(m);
}
END_TEST

START_TEST(label_values_are_cut_never_overflowed)
{
	char out[8];
	ck_assert_str_eq(metrics_label_value("abcdefghij", out, sizeof(out)), "abcdefg");
	/* An escape is never cut in half. */
	ck_assert_str_eq(metrics_label_value("abcdef\"", out, sizeof(out)), "abcdef");
	ck_assert_str_eq(metrics_label_value("", out, sizeof(out)), "");
}
END_TEST

/*
 * The worst a client can make of /metrics: every route of the table, with
 * every method and status counted, and a latency in every bucket. The
 * labels come from the table and fixed lists only, so this is the most
 * series there can ever be.
 */
START_TEST(every_series_at_once_stays_within_the_bound)
{
	struct metrics *m = metrics_new();
	struct http_metrics *hm = http_metrics_new(m, api_routes, api_routes_count);
	ck_assert_ptr_nonnull(hm);
	static const char *const methods[] = {"GET",	"HEAD",	 "POST", "PUT",
					      "DELETE", "PATCH", "BREW"};
	static const double seconds[] = {0.0005, 0.002, 0.004, 0.008, 0.02, 0.04, 0.08, 0.2,
					 0.4,	 0.8,	2,     4,     8,    20,	  60};
	for (size_t r = 0; r <= api_routes_count; r++)
		for (size_t k = 0; k < sizeof(methods) / sizeof(methods[0]); k++)
			for (unsigned status = 0; status < 600; status++)
				http_metrics_observe(hm,
						     r < api_routes_count ? &api_routes[r] : NULL,
						     methods[k], status, seconds[status % 15]);
	size_t len = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char *text = metrics_render(m, &len);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_ptr_nonnull(text);
	ck_assert_msg(len <= METRICS_MAX_BYTES, "%zu bytes", len);
	/* Nothing a client sent: the unknown method is "other", a status off the list too. */
	ck_assert_ptr_null(strstr(text, "BREW"));
	ck_assert_ptr_null(strstr(text, "PATCH"));
	ck_assert_ptr_null(strstr(text, "status=\"599\""));
	ck_assert_ptr_nonnull(strstr(text, "method=\"other\""));
	ck_assert_ptr_nonnull(strstr(text, "status=\"other\""));
	/* Printed for docs/reliability.md, not asserted: speed lives in bench/. */
	fprintf(stderr, "every series at once: %zu bytes, %zu routes, rendered in %.1f ms\n", len,
		api_routes_count,
		(double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	free(text);
	http_metrics_free(hm);
	metrics_free(m);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("metrics");
	tcase_add_test(tc, families_render_in_the_text_format);
	tcase_add_test(tc, label_values_are_cut_never_overflowed);
	tcase_add_test(tc, every_series_at_once_stays_within_the_bound);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
