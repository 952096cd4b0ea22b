/*
 * Running it in production (CONTRACT.md section 19): GET /metrics in the
 * Prometheus text format, whose counters move with requests and whose
 * labels are route templates, never ids; /livez and /readyz (503 when the
 * store cannot answer or a migration is missing); every log line JSON with
 * ts and level, in process and from the binary; HTTPS with a certificate
 * made here by openssl; --no-metrics.
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "api/api.h"
#include "binary.h"
#include "client.h"
#include "domain/log.h"
#include "domain/text.h"
#include "harness.h"

static struct test_server ts;
static struct demo_keys demo;

static void setup(void)
{
	ts_start_demo(&ts, &demo);
}

static void teardown(void)
{
	/* The binaries' directories and files too: the whole temporary directory. */
	char dir[sizeof(ts.dir)];
	memcpy(dir, ts.dir, sizeof(dir));
	ts_stop_demo(&ts, &demo);
	if (strstr(dir, "/dropline-test-") != NULL && strchr(dir, '\'') == NULL) {
		char cmd[sizeof(dir) + 32];
		snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
		ck_assert_int_eq(system(cmd), 0);
	}
}

/* ---- the exposition format ------------------------------------------------ */

/*
 * Checks one sample line: name, optional {label="value",...} (values with
 * \\, \" and \n escapes), one space, a number. Sets *value. False when it
 * is not one.
 */
static bool sample_line(const char *line, double *value)
{
	const char *p = line;
	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' || *p == ':'))
		return false;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
	       *p == '_' || *p == ':')
		p++;
	if (*p == '{') {
		p++;
		while (*p != '}') {
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_'))
				return false;
			while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			       (*p >= '0' && *p <= '9') || *p == '_')
				p++;
			if (p[0] != '=' || p[1] != '"')
				return false;
			p += 2;
			while (*p != '"') {
				if (*p == '\0' || *p == '\n')
					return false;
				if (*p == '\\') {
					p++;
					if (*p != '\\' && *p != '"' && *p != 'n')
						return false;
				}
				p++;
			}
			p++;
			if (*p == ',')
				p++;
			else if (*p != '}')
				return false;
		}
		p++;
	}
	if (*p != ' ')
		return false;
	p++;
	if (strcmp(p, "+Inf") == 0 || strcmp(p, "-Inf") == 0 || strcmp(p, "NaN") == 0) {
		*value = strcmp(p, "NaN") == 0	  ? NAN
			 : strcmp(p, "+Inf") == 0 ? INFINITY
						  : -INFINITY;
		return true;
	}
	char *end = NULL;
	*value = strtod(p, &end);
	return end != p && *end == '\0';
}

/* GET /metrics, checking the status, the type and every line's shape; caller frees. */
static char *metrics_text(void)
{
	struct http_response r;
	http_get(&ts, "/metrics", NULL, &r);
	ck_assert_int_eq(r.status, 200);
	char *type = http_header(&r, "Content-Type");
	ck_assert_ptr_nonnull(type);
	ck_assert_msg(strncmp(type, "text/plain; version=0.0.4", 25) == 0, "%s", type);
	free(type);
	ck_assert_ptr_nonnull(r.body);
	ck_assert_uint_eq(strlen(r.body), r.body_len);
	ck_assert(r.body_len > 0 && r.body[r.body_len - 1] == '\n');
	char *text = strdup(r.body);
	http_response_free(&r);
	char *copy = strdup(text), *save = NULL;
	size_t samples = 0;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		double v;
		if (line[0] == '#') {
			ck_assert_msg(strncmp(line, "# HELP ", 7) == 0 ||
					      strncmp(line, "# TYPE ", 7) == 0,
				      "comment: %s", line);
			continue;
		}
		ck_assert_msg(sample_line(line, &v), "not a sample: '%s'", line);
		samples++;
	}
	free(copy);
	ck_assert_uint_gt(samples, 10);
	return text;
}

/* The value of the sample `series` (name{labels} exactly as written), 0 when absent. */
static double sample_value(const char *text, const char *series)
{
	size_t n = strlen(series);
	for (const char *at = text; (at = strstr(at, series)) != NULL; at += n) {
		if ((at == text || at[-1] == '\n') && at[n] == ' ')
			return strtod(at + n + 1, NULL);
	}
	return 0;
}

START_TEST(metrics_parse_and_name_every_series_asked_for)
{
	char *text = metrics_text();
	static const char *const families[] = {
		"dropline_http_requests_total counter",
		"dropline_http_request_duration_seconds histogram",
		"dropline_http_requests_in_flight gauge",
		"dropline_commit_batch_size histogram",
		"dropline_events_written_total counter",
		"dropline_long_polls_open gauge",
		"dropline_database_size_bytes gauge",
		"dropline_database_wal_size_bytes gauge",
		"dropline_cache_requests_total counter",
		"dropline_webhook_deliveries_total counter",
		"dropline_webhook_disabled_total counter",
		"dropline_webhook_queue_depth gauge",
		"dropline_webhook_requests_in_flight gauge",
		"process_resident_memory_bytes gauge",
		"process_start_time_seconds gauge",
		"dropline_build_info gauge",
	};
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		char type[128];
		snprintf(type, sizeof(type), "# TYPE %s\n", families[i]);
		ck_assert_msg(strstr(text, type) != NULL, "no %s", type);
	}
	ck_assert_double_gt(sample_value(text, "process_resident_memory_bytes"), 1e6);
	/* The demo catalog may still sit in the WAL: the two files hold it together. */
	ck_assert_double_gt(sample_value(text, "dropline_database_size_bytes") +
				    sample_value(text, "dropline_database_wal_size_bytes"),
			    4096);
	free(text);
}
END_TEST

START_TEST(counters_move_with_requests_labelled_by_route_template)
{
	const char *list = "dropline_http_requests_total{route=\"/v1/retailers/:party_id/orders\","
			   "method=\"GET\",status=\"200\"}";
	const char *one = "dropline_http_requests_total{route=\"/v1/retailers/:party_id/orders/"
			  ":id\",method=\"GET\",status=\"404\"}";
	const char *created = "dropline_http_requests_total{route=\"/v1/retailers/:party_id/"
			      "orders\",method=\"POST\",status=\"201\"}";
	char *before = metrics_text();
	double list0 = sample_value(before, list), one0 = sample_value(before, one);
	double batches0 = sample_value(before, "dropline_commit_batch_size_count");
	double writes0 = sample_value(before, "dropline_commit_batch_size_sum");
	double events0 = sample_value(before, "dropline_events_written_total");
	free(before);

	struct http_response r;
	for (int i = 0; i < 3; i++) {
		http_get(&ts, "/v1/retailers/500/orders/", demo.key500, &r);
		ck_assert_int_eq(r.status, 200);
		http_response_free(&r);
	}
	http_get(&ts, "/v1/retailers/500/orders/987654321", demo.key500, &r);
	ck_assert_int_eq(r.status, 404);
	http_response_free(&r);
	http_get(&ts, "/v1/nowhere/24680", NULL, &r);
	ck_assert_int_eq(r.status, 404);
	http_response_free(&r);
	json_decref(create_order(500, demo.key500, "[" LINE_5 "]"));

	char *after = metrics_text();
	ck_assert_double_eq(sample_value(after, list) - list0, 3);
	ck_assert_double_eq(sample_value(after, one) - one0, 1);
	ck_assert_double_eq(sample_value(after, created), 1);
	ck_assert_double_ge(sample_value(after, "dropline_commit_batch_size_count") - batches0, 1);
	ck_assert_double_eq(sample_value(after, "dropline_commit_batch_size_sum") - writes0, 1);
	/* An order made is an event in its retailer's and its brand's feed, at least. */
	ck_assert_double_ge(sample_value(after, "dropline_events_written_total") - events0, 1);
	ck_assert_double_ge(sample_value(after,
					 "dropline_http_request_duration_seconds_count{route=\"/v1/"
					 "retailers/:party_id/orders\",method=\"GET\"}"),
			    3);
	/* A path that matched no route is counted as such, without its text. */
	ck_assert_double_ge(sample_value(after, "dropline_http_requests_total{route=\"unmatched\","
						"method=\"GET\",status=\"404\"}"),
			    1);
	/* No id in any label: not the party's, not the order asked for, not the path's. */
	ck_assert_ptr_null(strstr(after, "/v1/retailers/500"));
	ck_assert_ptr_null(strstr(after, "987654321"));
	ck_assert_ptr_null(strstr(after, "24680"));
	ck_assert_ptr_null(strstr(after, "nowhere"));
	free(after);
}
END_TEST

START_TEST(metrics_need_no_key_and_take_no_query)
{
	struct http_response r;
	http_get(&ts, "/metrics?route=x", NULL, &r);
	ck_assert_int_eq(r.status, 400);
	http_response_free(&r);
	http_send(&ts, "POST", "/metrics", NULL, "{}", &r);
	ck_assert_int_eq(r.status, 405);
	http_response_free(&r);
	http_get(&ts, "/metrics", demo.key500, &r);
	ck_assert_int_eq(r.status, 200);
	http_response_free(&r);
}
END_TEST

/* ---- probes ----------------------------------------------------------------- */

START_TEST(livez_and_readyz_answer_without_a_key)
{
	struct http_response r;
	http_get(&ts, "/livez", NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(str(r.json, "status"), "ok");
	http_response_free(&r);
	http_get(&ts, "/readyz/", NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(str(r.json, "status"), "ready");
	ck_assert_int_eq(num(r.json, "schema_version"), store_latest_version());
	http_response_free(&r);
}
END_TEST

START_TEST(readyz_is_503_while_a_migration_is_missing)
{
	ts_exec(&ts, "DELETE FROM schema_migrations WHERE version = "
		     "(SELECT max(version) FROM schema_migrations)");
	struct http_response r;
	http_get(&ts, "/readyz", NULL, &r);
	ck_assert_int_eq(r.status, 503);
	ck_assert_str_eq(http_error_code(&r), "unavailable");
	ck_assert_ptr_nonnull(strstr(error_message(&r), "schema version"));
	http_response_free(&r);
	/* Alive all the same: the process answers. */
	http_get(&ts, "/livez", NULL, &r);
	ck_assert_int_eq(r.status, 200);
	http_response_free(&r);
}
END_TEST

START_TEST(readyz_is_503_when_the_store_cannot_answer)
{
	/* The probe's own query fails: the table it reads is gone. */
	ts_exec(&ts, "ALTER TABLE schema_migrations RENAME TO schema_migrations_away");
	struct http_response r;
	http_get(&ts, "/readyz", NULL, &r);
	ck_assert_int_eq(r.status, 503);
	ck_assert_str_eq(http_error_code(&r), "unavailable");
	http_response_free(&r);
	http_get(&ts, "/livez", NULL, &r);
	ck_assert_int_eq(r.status, 200);
	http_response_free(&r);
	ts_exec(&ts, "ALTER TABLE schema_migrations_away RENAME TO schema_migrations");
	http_get(&ts, "/readyz", NULL, &r);
	ck_assert_int_eq(r.status, 200);
	http_response_free(&r);
}
END_TEST

/* ---- log lines ---------------------------------------------------------------- */

/* "2026-12-05T08:00:00.123Z": RFC 3339, UTC, milliseconds. */
static bool rfc3339_ms(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
	if (strlen(s) != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
			return false;
	return true;
}

/* Every line of `text` is a JSON object with ts and a known level; returns the count. */
static size_t check_log_lines(const char *text, size_t *access_lines)
{
	char *copy = strdup(text), *save = NULL;
	size_t n = 0;
	*access_lines = 0;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_error_t err;
		json_t *o = json_loads(line, 0, &err);
		ck_assert_msg(json_is_object(o), "not a JSON line: %s", line);
		const char *ts_text = json_string_value(json_object_get(o, "ts"));
		const char *level = json_string_value(json_object_get(o, "level"));
		ck_assert_msg(ts_text && rfc3339_ms(ts_text), "ts: %s", line);
		log_level parsed;
		ck_assert_msg(level && log_level_parse(level, &parsed), "level: %s", line);
		/* ts and level come first, as a reader scanning the log expects. */
		ck_assert_msg(strncmp(line, "{\"ts\":", 6) == 0, "%s", line);
		if (json_object_get(o, "request_id") != NULL) {
			(*access_lines)++;
			ck_assert_str_eq(level, "info");
			ck_assert_ptr_nonnull(json_object_get(o, "method"));
			ck_assert_ptr_nonnull(json_object_get(o, "path"));
			ck_assert_ptr_nonnull(json_object_get(o, "status"));
			ck_assert_ptr_nonnull(json_object_get(o, "duration_ms"));
		}
		json_decref(o);
		n++;
	}
	free(copy);
	return n;
}

START_TEST(server_log_lines_are_json_with_ts_and_level)
{
	ts_stop_demo(&ts, &demo);
	FILE *f = tmpfile();
	ck_assert_ptr_nonnull(f);
	struct logger *lg = logger_new(f, LOG_DEBUG);
	struct server_options opts = {.log = lg};
	ts_start_routes(&ts, true, api_routes, api_routes_count, &opts);
	char *key = ts_key(&ts, PARTY_RETAILER, 500, NULL);
	struct http_response r;
	http_get(&ts, "/v1/retailers/500/orders/", key, &r);
	http_response_free(&r);
	http_get(&ts, "/v1/retailers/500/orders/", "wrong", &r);
	http_response_free(&r);
	/* A path that is not UTF-8 still makes a valid JSON line (with ts and level). */
	http_get(&ts, "/v1/%ff%fe", NULL, &r);
	http_response_free(&r);
	server_stop(ts.srv, 2000); /* lines are written as requests complete */
	ts.srv = NULL;
	log_write(lg, LOG_DEBUG, "a debug line with a \"quote\" and \xff bad byte");
	fflush(f);
	long size = ftell(f);
	ck_assert_int_gt(size, 0);
	char *text = calloc(1, (size_t)size + 1);
	rewind(f);
	ck_assert_uint_eq(fread(text, 1, (size_t)size, f), (size_t)size);
	size_t access = 0;
	size_t lines = check_log_lines(text, &access);
	ck_assert_uint_ge(access, 2);
	ck_assert_uint_ge(lines, 5); /* three requests, the stop line and the debug line */
	free(text);
	free(key);
	fclose(f);
	logger_free(lg);
	demo = (struct demo_keys){0};
}
END_TEST

START_TEST(log_level_filters_lines)
{
	FILE *f = tmpfile();
	ck_assert_ptr_nonnull(f);
	struct logger *lg = logger_new(f, LOG_WARN);
	log_write(lg, LOG_DEBUG, "hidden");
	log_write(lg, LOG_INFO, "hidden");
	log_write(lg, LOG_WARN, "shown %d", 1);
	log_json(lg, LOG_ERROR, json_pack("{s:s, s:s}", "message", "shown", "level", "debug"));
	log_write(NULL, LOG_ERROR, "nowhere");
	fflush(f);
	rewind(f);
	char line[512];
	int n = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		ck_assert_ptr_null(strstr(line, "hidden"));
		n++;
	}
	ck_assert_int_eq(n, 2);
	rewind(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	ck_assert_ptr_nonnull(strstr(line, "\"level\":\"warn\""));
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	/* A field cannot change the line's own level. */
	ck_assert_ptr_nonnull(strstr(line, "\"level\":\"error\""));
	ck_assert_ptr_null(strstr(line, "debug"));
	fclose(f);
	logger_free(lg);
}
END_TEST

/* ---- the binary: every line JSON, --no-metrics, TLS --------------------------- */

/* The binary, in its own directory; its stderr in dir/stderr. */
struct served {
	char dir[300], db[350], err[350];
	pid_t pid;
	unsigned port;
};

static void serve_binary(struct served *s)
{
	snprintf(s->dir, sizeof(s->dir), "%s/bin", ts.dir);
	ck_assert_int_eq(mkdir(s->dir, 0700), 0);
	snprintf(s->db, sizeof(s->db), "%s/d.db", s->dir);
	snprintf(s->err, sizeof(s->err), "%s/stderr", s->dir);
	s->pid = bin_serve(s->dir, s->db, s->err, &s->port);
}

/* GET http://127.0.0.1:port/path from the binary's server: the status. */
static long binary_get(const struct served *s, const char *path)
{
	struct test_server other = {.port = (uint16_t)s->port};
	struct http_response r;
	http_get(&other, path, NULL, &r);
	long status = r.status;
	http_response_free(&r);
	return status;
}

START_TEST(every_line_of_dropline_serve_is_json)
{
	setenv("DROPLINE_LOG_LEVEL", "debug", 1);
	struct served s;
	serve_binary(&s);
	unsetenv("DROPLINE_LOG_LEVEL");
	ck_assert_int_eq(binary_get(&s, "/livez"), 200);
	ck_assert_int_eq(binary_get(&s, "/metrics"), 200);
	ck_assert_int_eq(kill(s.pid, SIGHUP), 0);
	char text[16384];
	ck_assert(bin_wait_for(s.err, "SIGHUP received", text, sizeof(text)));
	ck_assert_int_eq(binary_get(&s, "/readyz"), 200);
	ck_assert_int_eq(bin_stop(s.pid), 0);
	bin_read_all(s.err, text, sizeof(text));
	size_t access = 0;
	size_t lines = check_log_lines(text, &access);
	ck_assert_uint_eq(access, 3);
	/* migrations applied, start, SIGHUP, SIGTERM, stopped, stopped cleanly */
	ck_assert_uint_ge(lines, access + 5);
	ck_assert_ptr_nonnull(strstr(text, "\"port\":"));
	ck_assert_ptr_nonnull(strstr(text, "stopped cleanly"));
}
END_TEST

START_TEST(no_metrics_turns_metrics_off)
{
	setenv("DROPLINE_NO_METRICS", "1", 1);
	struct served s;
	serve_binary(&s);
	unsetenv("DROPLINE_NO_METRICS");
	ck_assert_int_eq(binary_get(&s, "/metrics"), 404);
	ck_assert_int_eq(binary_get(&s, "/livez"), 200);
	ck_assert_int_eq(bin_stop(s.pid), 0);
	char text[16384];
	bin_read_all(s.err, text, sizeof(text));
	size_t access = 0;
	check_log_lines(text, &access);
	ck_assert_uint_eq(access, 2);
	ck_assert_ptr_nonnull(strstr(text, "\"metrics\":false"));
}
END_TEST

START_TEST(at_warn_only_what_goes_wrong_is_written)
{
	/* In process: no access line at warn. */
	ts_stop_demo(&ts, &demo);
	FILE *f = tmpfile();
	ck_assert_ptr_nonnull(f);
	struct logger *lg = logger_new(f, LOG_WARN);
	struct server_options opts = {.log = lg};
	ts_start_routes(&ts, true, api_routes, api_routes_count, &opts);
	struct http_response r;
	http_get(&ts, "/livez", NULL, &r);
	ck_assert_int_eq(r.status, 200);
	http_response_free(&r);
	server_stop(ts.srv, 2000);
	ts.srv = NULL;
	fflush(f);
	ck_assert_int_eq(ftell(f), 0);
	fclose(f);
	logger_free(lg);
	demo = (struct demo_keys){0};

	/* The binary at warn: a start error is written, as JSON; no start line. */
	struct bin_run run;
	bin_run(&run, ts.dir, (const char *const[]){"DROPLINE_LOG_LEVEL=warn", NULL},
		(const char *const[]){"serve", "--db", "w.db", "--listen", "127.0.0.1:0",
				      "--tls-cert", "missing.pem", "--tls-key", "missing.pem",
				      NULL});
	ck_assert_int_eq(run.status, 1);
	size_t access_lines = 0;
	ck_assert_uint_eq(check_log_lines(run.err, &access_lines), 1);
	ck_assert_ptr_nonnull(strstr(run.err, "cannot read the TLS certificate missing.pem"));
	ck_assert_ptr_nonnull(strstr(run.err, "\"level\":\"error\""));
	char db[400];
	snprintf(db, sizeof(db), "%s/w.db", ts.dir);
	ck_assert_int_ne(access(db, F_OK), 0); /* nothing was started, nothing created */
}
END_TEST

START_TEST(tls_options_go_together_and_bad_values_are_refused)
{
	struct bin_run run;
	bin_run(&run, ts.dir, NULL,
		(const char *const[]){"serve", "--db", "x.db", "--tls-cert", "c.pem", NULL});
	ck_assert_int_eq(run.status, 2);
	ck_assert_ptr_nonnull(strstr(run.err, "go together"));
	bin_run(&run, ts.dir, (const char *const[]){"DROPLINE_TLS_KEY=k.pem", NULL},
		(const char *const[]){"serve", "--db", "x.db", NULL});
	ck_assert_int_eq(run.status, 2);
	bin_run(&run, ts.dir, NULL,
		(const char *const[]){"serve", "--db", "x.db", "--log-level", "loud", NULL});
	ck_assert_int_eq(run.status, 2);
	ck_assert_ptr_nonnull(strstr(run.err, "debug, info, warn or error"));
	bin_run(&run, ts.dir, (const char *const[]){"DROPLINE_NO_METRICS=maybe", NULL},
		(const char *const[]){"serve", "--db", "x.db", NULL});
	ck_assert_int_eq(run.status, 2);
	/* A file that is no certificate: a clear start error, exit 1, nothing served. */
	char junk[400];
	snprintf(junk, sizeof(junk), "%s/junk.pem", ts.dir);
	FILE *f = fopen(junk, "w");
	ck_assert_ptr_nonnull(f);
	fputs("not a certificate\n", f);
	fclose(f);
	bin_run(&run, ts.dir, NULL,
		(const char *const[]){"serve", "--db", "x.db", "--listen", "127.0.0.1:0",
				      "--tls-cert", junk, "--tls-key", junk, NULL});
	ck_assert_int_eq(run.status, 1);
	ck_assert_ptr_nonnull(strstr(run.err, "is not a PEM file"));
}
END_TEST

/* Makes a self-signed certificate for 127.0.0.1 with openssl in dir. */
static void make_certificate(const char *dir, char *cert, char *key, size_t cap)
{
	snprintf(cert, cap, "%s/cert.pem", dir);
	snprintf(key, cap, "%s/key.pem", dir);
	char cmd[2048];
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
		 "-addext subjectAltName=IP:127.0.0.1 -keyout '%s' -out '%s' 2>/dev/null",
		 key, cert);
	ck_assert_msg(system(cmd) == 0, "openssl could not make a certificate");
}

static size_t collect(char *data, size_t size, size_t n, void *cls)
{
	struct text *t = cls;
	text_add(t, data, size * n);
	return size * n;
}

/* GET over HTTPS trusting `ca`: the status, or -1 when the transport failed. */
static long https_get(unsigned port, const char *path, const char *ca, const char *key,
		      struct text *body)
{
	CURL *c = curl_easy_init();
	ck_assert_ptr_nonnull(c);
	char url[256], auth[256];
	snprintf(url, sizeof(url), "https://127.0.0.1:%u%s", port, path);
	struct curl_slist *headers = NULL;
	if (key != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
		headers = curl_slist_append(headers, auth);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	long status = -1;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	return status;
}

/* Reads a whole small file into a malloc'd text. */
static char *slurp(const char *path)
{
	char *buf = calloc(1, 65536);
	bin_read_all(path, buf, 65536);
	ck_assert_uint_gt(strlen(buf), 0);
	return buf;
}

/* A directory for certificates, apart from the test server's. */
static void cert_dir(char *dir, size_t cap)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, cap, "%s/dropline-tls-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

START_TEST(https_with_a_self_signed_certificate)
{
	char dir[300], cert[400], key[400];
	cert_dir(dir, sizeof(dir));
	make_certificate(dir, cert, key, sizeof(cert));
	char *cert_pem = slurp(cert), *key_pem = slurp(key);
	ts_stop_demo(&ts, &demo);
	struct server_options opts = {.tls_cert = cert_pem, .tls_key = key_pem};
	ts_start_routes(&ts, true, api_routes, api_routes_count, &opts);
	char *k500 = ts_key(&ts, PARTY_RETAILER, 500, NULL);
	struct text body = {0};
	ck_assert_int_eq(https_get(ts.port, "/v1/retailers/500/orders/", cert, k500, &body), 200);
	ck_assert_ptr_nonnull(body.s);
	json_t *page = json_loads(body.s, 0, NULL);
	ck_assert_ptr_nonnull(page);
	ck_assert(json_is_array(json_object_get(page, "data")) ||
		  json_object_get(page, "count") != NULL);
	json_decref(page);
	text_free(&body);
	ck_assert_int_eq(https_get(ts.port, "/livez", cert, NULL, &body), 200);
	text_free(&body);
	/* A client that does not trust the certificate gets nothing. */
	char other[400], other_key[400];
	char sub[350];
	snprintf(sub, sizeof(sub), "%s/other", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	make_certificate(sub, other, other_key, sizeof(other));
	ck_assert_int_eq(https_get(ts.port, "/livez", other, NULL, &body), -1);
	text_free(&body);
	/* A reload with a key that is not the certificate's is refused; the pair in use stays. */
	char *other_pem = slurp(other), *other_key_pem = slurp(other_key);
	char err[SERVER_ERR_MAX];
	ck_assert(!server_tls_reload(ts.srv, other_pem, key_pem, err));
	ck_assert_ptr_nonnull(strstr(err, "not the certificate's key"));
	ck_assert(!server_tls_reload(ts.srv, "junk", other_key_pem, err));
	ck_assert_int_eq(https_get(ts.port, "/livez", cert, NULL, &body), 200);
	text_free(&body);
	/* The other pair, reloaded: new handshakes present it, the old one is gone. */
	ck_assert_msg(server_tls_reload(ts.srv, other_pem, other_key_pem, err), "%s", err);
	ck_assert_int_eq(https_get(ts.port, "/livez", other, NULL, &body), 200);
	text_free(&body);
	ck_assert_int_eq(https_get(ts.port, "/livez", cert, NULL, &body), -1);
	text_free(&body);
	free(other_pem);
	free(other_key_pem);
	/* Plain HTTP to the HTTPS port is no answer either. */
	CURL *c = curl_easy_init();
	char url[128];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/livez", ts.port);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	long status = 0;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	ck_assert_int_ne(status, 200);
	text_free(&body);
	unlink(other);
	unlink(other_key);
	rmdir(sub);
	unlink(cert);
	unlink(key);
	rmdir(dir);
	free(k500);
	free(cert_pem);
	free(key_pem);
	demo = (struct demo_keys){0};
}
END_TEST

START_TEST(https_from_the_binary)
{
	char cert[400], key[400];
	make_certificate(ts.dir, cert, key, sizeof(cert));
	char dir[300], db[350], err[350];
	snprintf(dir, sizeof(dir), "%s/bin", ts.dir);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	snprintf(db, sizeof(db), "%s/d.db", dir);
	snprintf(err, sizeof(err), "%s/stderr", dir);
	setenv("DROPLINE_TLS_CERT", cert, 1);
	setenv("DROPLINE_TLS_KEY", key, 1);
	unsigned port = 0;
	pid_t pid = bin_serve(dir, db, err, &port);
	unsetenv("DROPLINE_TLS_CERT");
	unsetenv("DROPLINE_TLS_KEY");
	struct text body = {0};
	ck_assert_int_eq(https_get(port, "/readyz", cert, NULL, &body), 200);
	ck_assert_ptr_nonnull(strstr(body.s, "ready"));
	text_free(&body);
	/* A renewed certificate in the same files, then SIGHUP: served without a restart. */
	char renewed[350], old_cert[400], old_key[400];
	snprintf(renewed, sizeof(renewed), "%s/renewed", dir);
	ck_assert_int_eq(mkdir(renewed, 0700), 0);
	snprintf(old_cert, sizeof(old_cert), "%s/old-cert.pem", dir);
	snprintf(old_key, sizeof(old_key), "%s/old-key.pem", dir);
	ck_assert_int_eq(rename(cert, old_cert), 0);
	ck_assert_int_eq(rename(key, old_key), 0);
	char new_cert[400], new_key[400];
	make_certificate(renewed, new_cert, new_key, sizeof(new_cert));
	ck_assert_int_eq(rename(new_cert, cert), 0);
	ck_assert_int_eq(rename(new_key, key), 0);
	ck_assert_int_eq(kill(pid, SIGHUP), 0);
	char text[8192];
	ck_assert(bin_wait_for(err, "reloaded", text, sizeof(text)));
	ck_assert_int_eq(https_get(port, "/readyz", cert, NULL, &body), 200);
	text_free(&body);
	ck_assert_int_eq(https_get(port, "/readyz", old_cert, NULL, &body), -1);
	text_free(&body);
	/* A key that does not match: the pair in use is kept, still serving. */
	ck_assert_int_eq(rename(old_key, key), 0);
	ck_assert_int_eq(kill(pid, SIGHUP), 0);
	ck_assert(bin_wait_for(err, "is kept", text, sizeof(text)));
	ck_assert_int_eq(https_get(port, "/readyz", cert, NULL, &body), 200);
	text_free(&body);
	ck_assert_int_eq(bin_stop(pid), 0);
	bin_read_all(err, text, sizeof(text));
	ck_assert_ptr_nonnull(strstr(text, "serving HTTPS"));
	ck_assert_ptr_nonnull(strstr(text, "\"tls\":true"));
	unlink(db);
	unlink(err);
	unlink(cert);
	unlink(key);
	unlink(old_cert);
	rmdir(renewed);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("operations");
	TCase *tc = tcase_create("operations");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, metrics_parse_and_name_every_series_asked_for);
	tcase_add_test(tc, counters_move_with_requests_labelled_by_route_template);
	tcase_add_test(tc, metrics_need_no_key_and_take_no_query);
	tcase_add_test(tc, livez_and_readyz_answer_without_a_key);
	tcase_add_test(tc, readyz_is_503_while_a_migration_is_missing);
	tcase_add_test(tc, readyz_is_503_when_the_store_cannot_answer);
	tcase_add_test(tc, server_log_lines_are_json_with_ts_and_level);
	tcase_add_test(tc, log_level_filters_lines);
	tcase_add_test(tc, every_line_of_dropline_serve_is_json);
	tcase_add_test(tc, no_metrics_turns_metrics_off);
	tcase_add_test(tc, at_warn_only_what_goes_wrong_is_written);
	tcase_add_test(tc, tls_options_go_together_and_bad_values_are_refused);
	tcase_add_test(tc, https_with_a_self_signed_certificate);
	tcase_add_test(tc, https_from_the_binary);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
