/*
 * The application and the way requests run: reads at once, writes in the
 * committer's batches (group commit), each through the Idempotency-Key
 * handling. See include/api/api.h and src/api/handler.h.
 */
#include <stdlib.h>
#include <string.h>

#include "domain/log.h"
#include "domain/timeutil.h"
#include "handler.h"
#include "idempotency.h"
#include "store/store_events.h"
#include "webhooks.h"

#include <curl/curl.h>
#include <stdio.h>

static store_status last_event_read(store_conn *c, void *ctx)
{
	return store_events_last_id(c, ctx);
}

/* After every committed batch, on the committer's thread. */
static void batch_committed(void *ctx)
{
	api_events_announce(ctx);
}

struct api *api_new(struct store *s, const struct api_options *opts)
{
	struct api *app = calloc(1, sizeof(*app));
	if (app == NULL)
		return NULL;
	app->store = s;
	app->metrics = opts ? opts->metrics : NULL;
	app->log = opts ? opts->log : NULL;
	atomic_init(&app->events_written, 0);
	pthread_mutex_init(&app->events_lock, NULL);
	atomic_init(&app->events_seq, 1);
	unsigned days = opts && opts->event_retention_days ? opts->event_retention_days
							   : API_EVENT_RETENTION_DAYS;
	app->event_retention_seconds = (int64_t)days * 24 * 3600;
	app->token_ttl = opts && opts->token_ttl > 0 ? opts->token_ttl : API_TOKEN_TTL;
	size_t cache_bytes = opts && opts->cache_bytes ? opts->cache_bytes : API_CACHE_BYTES;
	app->cache = reply_cache_new(cache_bytes);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		reply_cache_free(app->cache);
		pthread_mutex_destroy(&app->events_lock);
		free(app);
		return NULL;
	}
	app->curl_ready = true;
	app->webhooks = opts ? opts->webhooks : (struct api_webhook_options){0};
	struct api_webhook_options *w = &app->webhooks;
	if (w->retry_base <= 0)
		w->retry_base = API_WEBHOOK_RETRY_BASE;
	if (w->timeout <= 0)
		w->timeout = API_WEBHOOK_TIMEOUT;
	if (w->give_up <= 0)
		w->give_up = API_WEBHOOK_GIVE_UP;
	char *key_path = NULL;
	if (w->key_file == NULL) {
		size_t n = strlen(store_path(s)) + sizeof(".webhook-key");
		if ((key_path = malloc(n)) != NULL)
			snprintf(key_path, n, "%s.webhook-key", store_path(s));
	}
	const char *path = w->key_file ? w->key_file : key_path;
	app->webhook_keys = path ? webhook_keyring_new(path) : NULL;
	free(key_path);
	w->key_file = NULL; /* the keyring holds its own copy */
	app->webhook_engine = app->webhook_keys ? webhook_engine_new(app) : NULL;
	/* Only events committed from now on are news. */
	if (app->cache == NULL || app->webhook_engine == NULL ||
	    store_read(s, last_event_read, &app->events_announced) != STORE_OK ||
	    (app->committer = store_committer_start(s, 0)) == NULL) {
		api_free(app);
		return NULL;
	}
	store_committer_on_commit(app->committer, batch_committed, app);
	if (app->metrics != NULL && !api_metrics_register(app)) {
		api_free(app);
		return NULL;
	}
	return app;
}

void api_listen_events(struct api *app, api_events_listener fn, void *ctx)
{
	pthread_mutex_lock(&app->events_lock);
	app->listener = fn;
	app->listener_ctx = ctx;
	pthread_mutex_unlock(&app->events_lock);
}

uint64_t api_events_seq(struct api *app)
{
	return atomic_load(&app->events_seq);
}

/* Events older than the retention, a bounded number per pass. */
#define PRUNE_BATCH 10000

struct prune {
	int64_t before;
	int64_t deleted;
};

static store_status prune_tx(store_conn *c, void *ctx)
{
	struct prune *p = ctx;
	return store_events_prune(c, p->before, PRUNE_BATCH, &p->deleted);
}

void api_tick(struct api *app)
{
	int64_t now = time_now();
	if (now - app->last_prune < 60)
		return;
	app->last_prune = now;
	struct prune p = {.before = now - app->event_retention_seconds};
	do {
		p.deleted = 0;
		store_status st = store_tx(app->store, "event retention", prune_tx, &p);
		if (st != STORE_OK) {
			log_write(app->log, LOG_WARN,
				  "event retention: the store %s; tried again in a minute",
				  store_status_text(st));
			break;
		}
	} while (p.deleted == PRUNE_BATCH);
}

void api_stop_writes(struct api *app)
{
	store_committer_stop(app->committer);
}

bool api_webhooks_start(struct api *app)
{
	return webhook_engine_start(app->webhook_engine);
}

void api_webhooks_stop(struct api *app)
{
	webhook_engine_stop(app->webhook_engine);
}

void api_webhook_stats(struct api *app, struct api_webhook_stats *out)
{
	if (app->webhook_engine == NULL) {
		*out = (struct api_webhook_stats){0};
		return;
	}
	webhook_engine_stats(app->webhook_engine, out);
}

void api_free(struct api *app)
{
	if (app == NULL)
		return;
	webhook_engine_free(app->webhook_engine);
	webhook_keyring_free(app->webhook_keys);
	if (app->curl_ready)
		curl_global_cleanup();
	store_committer_free(app->committer);
	reply_cache_free(app->cache);
	pthread_mutex_destroy(&app->events_lock);
	free(app);
}

void api_stats(struct api *app, struct api_stats *out)
{
	struct store_committer_stats cs;
	struct reply_cache_stats rs;
	store_committer_stats(app->committer, &cs);
	reply_cache_stats(app->cache, &rs);
	*out = (struct api_stats){.batches = cs.batches,
				  .writes = cs.jobs,
				  .largest_batch = cs.max_batch,
				  .cache_hits = rs.hits,
				  .cache_misses = rs.misses};
}

bool api_is_write(const char *method)
{
	return strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
	       strcmp(method, "DELETE") == 0;
}

void api_run_handler(struct api_request *req)
{
	/* A write may run again (a lost batch, a busy store): start afresh. */
	outcome_clear(&req->out);
	reply_clear(&req->reply);
	req->route.route->handler(req);
	if (req->out.kind == OUTCOME_NONE)
		api_reject(req, REFUSED_INTERNAL, 0);
}

void api_handle_read(struct api_request *req)
{
	api_run_handler(req);
}

/* The request's whole write: through the Idempotency-Key handling when it has a key. */
static void run_write(struct api_request *req)
{
	if (req->idempotency_key != NULL && req->caller.party != PARTY_NONE)
		idempotency_run(req);
	else
		api_run_handler(req);
}

/* A request answering 5xx keeps nothing of what it did. */
static bool write_failed(const struct api_request *req)
{
	if (req->reply.status != 0)
		return req->reply.status >= 500;
	return req->out.kind == OUTCOME_REFUSAL &&
	       refusal_entry(req->out.refusal.code)->status >= 500;
}

/* A write handed to the committer. */
struct write_job {
	struct store_job job;
	struct api_request *req;
	api_write_done done;
	void *cls;
};

static store_status job_run(void *ctx)
{
	struct write_job *wj = ctx;
	run_write(wj->req);
	return write_failed(wj->req) ? STORE_REJECTED : STORE_OK;
}

/* A batch that failed kept nothing: whatever the request prepared must not go out. */
static void settle(struct api_request *req, store_status st)
{
	if (st == STORE_OK)
		return;
	reply_clear(&req->reply);
	api_reject_store(req, st);
}

static void job_done(void *ctx, store_status st)
{
	struct write_job *wj = ctx;
	settle(wj->req, st);
	wj->done(wj->req, wj->cls);
}

bool api_write_submit(struct api_request *req, api_write_done done, void *cls)
{
	struct write_job *wj = calloc(1, sizeof(*wj));
	if (wj == NULL)
		return false;
	free(req->priv);
	req->priv = wj; /* freed with the request */
	wj->job = (struct store_job){.run = job_run, .done = job_done, .ctx = wj};
	wj->req = req;
	wj->done = done;
	wj->cls = cls;
	return store_committer_submit(req->app->committer, &wj->job);
}

static store_status inline_tx(store_conn *c, void *ctx)
{
	(void)c; /* the handler's own store calls join this transaction */
	struct api_request *req = ctx;
	run_write(req);
	return write_failed(req) ? STORE_REJECTED : STORE_OK;
}

void api_write_inline(struct api_request *req)
{
	store_status st = store_tx(req->app->store, "request", inline_tx, req);
	/* REJECTED: the request's own 5xx, rolled back; its answer stands. */
	settle(req, st == STORE_REJECTED ? STORE_OK : st);
	if (st == STORE_OK && !store_in_own_tx(req->app->store))
		api_events_announce(req->app);
}

bool api_tx(struct api_request *req, const char *name, store_tx_fn fn, void *ctx)
{
	store_status st = store_tx(req->app->store, name, fn, ctx);
	if (st == STORE_OK)
		return true;
	if (st != STORE_REJECTED || req->out.kind != OUTCOME_REFUSAL)
		api_reject_store(req, st == STORE_REJECTED ? STORE_ERROR : st);
	return false;
}

bool api_read(struct api_request *req, store_tx_fn fn, void *ctx)
{
	store_status st = store_read(req->app->store, fn, ctx);
	if (st == STORE_OK)
		return true;
	if (st != STORE_REJECTED || req->out.kind != OUTCOME_REFUSAL)
		api_reject_store(req, st == STORE_REJECTED ? STORE_ERROR : st);
	return false;
}

bool api_read_body(struct api_request *req, const struct spec *spec, void *out, void *context)
{
	field_errors fe;
	field_errors_init(&fe);
	bool ok = spec_read(spec, req->body, out, context, &fe);
	if (!ok)
		api_reject_fields(req, REFUSED_FIELDS, &fe);
	field_errors_free(&fe);
	return ok;
}
