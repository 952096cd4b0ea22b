/*
 * The webhook delivery engine (CONTRACT.md section 11): one thread drives
 * every subscription through libcurl's multi interface.
 *
 * Each subscription has at most one request in flight, for the first event
 * of its party after its cursor that its types match; the cursor moves
 * (in the database, in the transaction that logs the attempt) only after a
 * 2xx, so a failing event holds back the later ones and a crash at any
 * moment redelivers from the first event not acknowledged, with its own
 * id. Failures retry after retry_base seconds, doubling, at most an hour
 * apart; after give_up seconds of failures the subscription is disabled
 * with the reason, and enabling it resumes at the same event.
 *
 * The engine sleeps in curl_multi_poll() and is woken by every commit
 * (webhook_engine_committed(), from the event announcer) and by its
 * retry times, so a new event goes out without polling the database.
 *
 * Where it connects: every address curl is about to connect to passes
 * through open_socket(), which refuses loopback, private, link-local and
 * the other inside addresses (domain/netaddr.h) unless allow_private: the
 * address checked is the address connected, whatever DNS answers later.
 */
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "domain/netaddr.h"
#include "domain/timeutil.h"
#include "handler.h"
#include "store/store_events.h"
#include "store/store_webhooks.h"
#include "webhooks.h"

/* How much of a receiver's answer is read (the rest is not waited for). */
#define RESPONSE_CAP 4096
/* How many of a party's events one look for a subscription's next event examines. */
#define SCAN_LIMIT 1000
/* The longest sleep when nothing is due (a safety net: commits wake the engine). */
#define IDLE_POLL_MS 1000
/* A store that cannot record an attempt is tried again after this long. */
#define STORE_RETRY_MS 1000
#define ERROR_MAX      256

struct transfer;

struct sub {
	int64_t id;
	party_kind party;
	int64_t party_id;
	char *url;
	char *types_json, *prefixes_json; /* NULL, NULL: every type */
	char secret[WEBHOOK_SECRET_MAX];
	bool secret_ok;
	int64_t cursor;		  /* last delivered event id */
	int64_t scanned;	  /* every party event up to here was looked at */
	int64_t failing_since_ms; /* wall clock; 0: not failing */
	int64_t attempts;	  /* failed attempts at the current event */
	int64_t next_at_ms;	  /* monotonic: not before */
	bool idle;		  /* nothing to deliver until news */
	bool seen;		  /* still enabled at the last reload */
	struct transfer *t;
};

struct transfer {
	struct sub *sub;
	CURL *easy;
	struct curl_slist *headers;
	char *body;
	int64_t event_id;
	int64_t started_ms;
	int64_t attempted_at;
	size_t received;
	bool refused; /* the address was refused at connect time */
	char refused_why[64];
	char errbuf[CURL_ERROR_SIZE];
};

struct webhook_engine {
	struct api *app;
	CURLM *multi;
	pthread_t thread;
	atomic_bool running;
	atomic_bool stop;
	atomic_bool pending_change;   /* a write changed subscriptions (not yet committed) */
	atomic_uint_fast64_t changes; /* committed changes; the engine reloads when it moves */
	atomic_uint_fast64_t news;    /* commits seen; idle subscriptions look again */
	struct sub **subs;
	size_t nsubs, cap;
	/* Counters (api_webhook_stats). */
	atomic_uint_fast64_t delivered, failed, refused, disabled, in_flight, waiting;
};

/* ---- subscriptions in memory ------------------------------------------------------ */

static void transfer_free(struct webhook_engine *e, struct transfer *t)
{
	if (t == NULL)
		return;
	curl_multi_remove_handle(e->multi, t->easy);
	curl_easy_cleanup(t->easy);
	curl_slist_free_all(t->headers);
	free(t->body);
	if (t->sub != NULL)
		t->sub->t = NULL;
	free(t);
	atomic_fetch_sub(&e->in_flight, 1);
}

static void sub_free(struct webhook_engine *e, struct sub *s)
{
	if (s == NULL)
		return;
	transfer_free(e, s->t);
	free(s->url);
	free(s->types_json);
	free(s->prefixes_json);
	sodium_memzero(s->secret, sizeof(s->secret));
	free(s);
}

static struct sub *sub_find(struct webhook_engine *e, int64_t id)
{
	for (size_t i = 0; i < e->nsubs; i++)
		if (e->subs[i]->id == id)
			return e->subs[i];
	return NULL;
}

/* A subscription's types as the feed's filters: exact types and prefixes. */
static bool split_types(const char *types, char **exact_json, char **prefixes_json)
{
	json_t *list = json_loads(types, 0, NULL), *exact = json_array(), *prefix = json_array();
	bool ok = list != NULL && exact != NULL && prefix != NULL;
	bool all = false;
	size_t i;
	json_t *t;
	json_array_foreach(list, i, t)
	{
		const char *text = json_string_value(t);
		size_t n = text ? strlen(text) : 0;
		if (!ok || text == NULL)
			continue;
		if (n > 2 && strcmp(text + n - 2, ".*") == 0)
			ok = json_array_append_new(prefix, json_stringn(text, n - 1)) == 0;
		else
			ok = json_array_append_new(exact, json_string(text)) == 0;
	}
	*exact_json = *prefixes_json = NULL;
	if (ok && !all) {
		*exact_json = json_dumps(exact, JSON_COMPACT);
		*prefixes_json = json_dumps(prefix, JSON_COMPACT);
		ok = *exact_json != NULL && *prefixes_json != NULL;
	}
	json_decref(list);
	json_decref(exact);
	json_decref(prefix);
	return ok;
}

static store_status load_one(const struct webhook_active *w, void *ctx)
{
	struct webhook_engine *e = ctx;
	struct sub *s = sub_find(e, w->id);
	if (s != NULL) {
		/* Known: its place in the feed and its retries are the engine's own. */
		s->seen = true;
		return STORE_OK;
	}
	if (e->nsubs == e->cap) {
		size_t cap = e->cap ? 2 * e->cap : 16;
		struct sub **subs = realloc(e->subs, cap * sizeof(struct sub *));
		if (subs == NULL)
			return STORE_ERROR;
		e->subs = subs;
		e->cap = cap;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return STORE_ERROR;
	s->id = w->id;
	s->party = w->party;
	s->party_id = w->party_id;
	s->url = strdup(w->url);
	s->cursor = s->scanned = w->cursor;
	s->failing_since_ms = w->failing_since * 1000;
	s->attempts = w->attempts;
	s->seen = true;
	s->secret_ok = webhook_secret_open(e->app->webhook_keys, w->secret_sealed, s->secret);
	if (s->url == NULL || !split_types(w->event_types, &s->types_json, &s->prefixes_json)) {
		sub_free(e, s);
		return STORE_ERROR;
	}
	e->subs[e->nsubs++] = s;
	return STORE_OK;
}

static store_status load_tx(store_conn *c, void *ctx)
{
	return store_webhooks_active(c, load_one, ctx);
}

/* Reads the enabled subscriptions: new ones join, deleted and disabled ones leave. */
static bool reload(struct webhook_engine *e)
{
	for (size_t i = 0; i < e->nsubs; i++)
		e->subs[i]->seen = false;
	if (store_read(e->app->store, load_tx, e) != STORE_OK)
		return false;
	size_t kept = 0;
	for (size_t i = 0; i < e->nsubs; i++) {
		if (e->subs[i]->seen)
			e->subs[kept++] = e->subs[i];
		else
			sub_free(e, e->subs[i]);
	}
	e->nsubs = kept;
	return true;
}

static void sub_remove(struct webhook_engine *e, struct sub *s)
{
	for (size_t i = 0; i < e->nsubs; i++) {
		if (e->subs[i] == s) {
			e->subs[i] = e->subs[--e->nsubs];
			break;
		}
	}
	sub_free(e, s);
}

/* ---- the next event ---------------------------------------------------------------- */

struct next_read {
	struct event_feed feed;
	json_t *rows;
};

static store_status next_tx(store_conn *c, void *ctx)
{
	struct next_read *n = ctx;
	return store_events_feed(c, &n->feed, &n->rows);
}

/* ---- a request --------------------------------------------------------------------- */

static size_t discard_body(char *data, size_t size, size_t n, void *ctx)
{
	(void)data;
	struct transfer *t = ctx;
	t->received += size * n;
	/* Past the cap the answer is not read further (the transfer ends with a write error). */
	return t->received > RESPONSE_CAP ? 0 : size * n;
}

/* Every address curl connects to comes here first: the one checked is the one used. */
static curl_socket_t open_socket(void *ctx, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct transfer *t = ctx;
	(void)purpose;
	netaddr_class c = NETADDR_INVALID;
	if (a->family == AF_INET)
		c = netaddr_classify(
			(const uint8_t *)&((struct sockaddr_in *)(void *)&a->addr)->sin_addr, 4);
	else if (a->family == AF_INET6)
		c = netaddr_classify(((struct sockaddr_in6 *)(void *)&a->addr)->sin6_addr.s6_addr,
				     16);
	if (c != NETADDR_PUBLIC) {
		t->refused = true;
		snprintf(t->refused_why, sizeof(t->refused_why), "%s", netaddr_class_name(c));
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

static bool add_header(struct curl_slist **list, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static bool add_header(struct curl_slist **list, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		return false;
	struct curl_slist *l = curl_slist_append(*list, line);
	if (l == NULL)
		return false;
	*list = l;
	return true;
}

static bool transfer_start(struct webhook_engine *e, struct sub *s, json_t *rec)
{
	const struct api_webhook_options *o = &e->app->webhooks;
	struct transfer *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return false;
	atomic_fetch_add(&e->in_flight, 1);
	t->sub = s;
	s->t = t;
	t->event_id = json_integer_value(json_object_get(rec, "id"));
	t->body = api_event_text(rec);
	t->easy = curl_easy_init();
	t->attempted_at = time_now();
	const char *type = json_string_value(json_object_get(rec, "type"));
	char signature[WEBHOOK_SIGNATURE_MAX];
	bool ok = t->body != NULL && t->easy != NULL && type != NULL;
	if (ok) {
		webhook_sign(s->secret, t->attempted_at, t->body, strlen(t->body), signature);
		ok = add_header(&t->headers, "Content-Type: application/json") &&
		     add_header(&t->headers, "Dropline-Event-Id: %" PRId64, t->event_id) &&
		     add_header(&t->headers, "Dropline-Event-Type: %s", type) &&
		     add_header(&t->headers, "Dropline-Webhook-Id: %" PRId64, s->id) &&
		     add_header(&t->headers, "Dropline-Signature: %s", signature) &&
		     add_header(&t->headers, "User-Agent: Dropline-Webhooks/%s",
				DROPLINE_VERSION) &&
		     add_header(&t->headers, "Expect:");
	}
	long timeout_ms = (long)(o->timeout * 1000);
	CURL *h = t->easy;
	ok = ok && curl_easy_setopt(h, CURLOPT_URL, s->url) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_POST, 1L) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_POSTFIELDS, t->body) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(t->body)) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_HTTPHEADER, t->headers) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, o->allow_http ? "http,https" : "https") ==
		     CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK &&
	     /* No proxy from the environment: the address checked must be the one reached. */
	     curl_easy_setopt(h, CURLOPT_NOPROXY, "*") == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard_body) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_WRITEDATA, t) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t->errbuf) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_PRIVATE, t) == CURLE_OK;
	if (ok && !o->allow_private)
		ok = curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket) == CURLE_OK &&
		     curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, t) == CURLE_OK;
	t->started_ms = time_monotonic_ms();
	if (ok)
		ok = curl_multi_add_handle(e->multi, h) == CURLM_OK;
	if (!ok) {
		/* Not added: transfer_free()'s remove is harmless on a handle not in the multi. */
		transfer_free(e, t);
		return false;
	}
	return true;
}

/* Looks for the subscription's next event and sends it. */
static void sub_step(struct webhook_engine *e, struct sub *s, int64_t now_ms)
{
	struct next_read n = {.feed = {.party = s->party,
				       .party_id = s->party_id,
				       .after = s->scanned > s->cursor ? s->scanned : s->cursor,
				       .types_json = s->types_json,
				       .prefixes_json = s->prefixes_json,
				       .limit = 1,
				       .scan_limit = SCAN_LIMIT}};
	/* A failing event is retried: it is the first after the cursor. */
	if (s->attempts > 0)
		n.feed.after = s->cursor;
	if (store_read(e->app->store, next_tx, &n) != STORE_OK) {
		s->next_at_ms = now_ms + STORE_RETRY_MS;
		json_decref(n.rows);
		return;
	}
	json_t *rec = json_array_get(n.rows, 0);
	if (rec == NULL) {
		if (n.feed.scanned_through > s->scanned)
			s->scanned = n.feed.scanned_through;
		/* Everything looked at and nothing for it: wait for news. */
		s->idle = n.feed.scanned_all;
	} else {
		int64_t id = json_integer_value(json_object_get(rec, "id"));
		s->scanned = id - 1 > s->scanned ? id - 1 : s->scanned;
		if (!transfer_start(e, s, rec))
			s->next_at_ms = now_ms + STORE_RETRY_MS;
	}
	json_decref(n.rows);
}

/* ---- an answer ----------------------------------------------------------------------- */

static store_status attempt_tx(store_conn *c, void *ctx)
{
	return store_webhooks_attempt(c, ctx);
}

static double retry_delay(const struct api_webhook_options *o, int64_t attempts)
{
	double d = o->retry_base * pow(2.0, (double)(attempts > 30 ? 30 : attempts - 1));
	return d > API_WEBHOOK_RETRY_MAX ? API_WEBHOOK_RETRY_MAX : d;
}

static void transfer_done(struct webhook_engine *e, struct transfer *t, CURLcode result)
{
	const struct api_webhook_options *o = &e->app->webhooks;
	struct sub *s = t->sub;
	long code = 0;
	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code);
	int64_t now_ms = time_monotonic_ms();
	/* A 2xx whose body was cut at the cap was still answered. */
	bool delivered =
		code >= 200 && code < 300 &&
		(result == CURLE_OK || (result == CURLE_WRITE_ERROR && t->received > RESPONSE_CAP));
	char error[ERROR_MAX] = "";
	if (!delivered) {
		if (t->refused)
			snprintf(error, sizeof(error),
				 "refused to connect: the host resolves to a %s address",
				 t->refused_why);
		else if (code > 0)
			snprintf(error, sizeof(error), "the receiver answered %ld", code);
		else
			snprintf(error, sizeof(error), "%s",
				 t->errbuf[0] ? t->errbuf : curl_easy_strerror(result));
	}
	struct webhook_attempt a = {.webhook_id = s->id,
				    .event_id = t->event_id,
				    .attempt = s->attempts + 1,
				    .status_code = (int)code,
				    .error = delivered ? NULL : error,
				    .duration_ms = now_ms - t->started_ms,
				    .attempted_at = t->attempted_at,
				    .delivered = delivered};
	char reason[ERROR_MAX + 128];
	int64_t wall_ms = time_now() * 1000;
	if (!delivered) {
		int64_t since = s->failing_since_ms ? s->failing_since_ms : wall_ms;
		if ((double)(wall_ms - since) >= o->give_up * 1000) {
			char when[TIME_TEXT_MAX];
			if (time_format_iso8601(since / 1000, when) == NULL)
				snprintf(when, sizeof(when), "?");
			snprintf(reason, sizeof(reason),
				 "deliveries of event %" PRId64 " failed since %s (%" PRId64
				 " attempts); the last: %s",
				 t->event_id, when, s->attempts + 1, error);
			a.disable = reason;
		}
	}
	transfer_free(e, t);
	if (store_tx(e->app->store, "webhook attempt", attempt_tx, &a) != STORE_OK) {
		/* Not recorded: the same event goes again (at least once). */
		s->next_at_ms = now_ms + STORE_RETRY_MS;
		return;
	}
	if (delivered) {
		atomic_fetch_add(&e->delivered, 1);
		s->cursor = a.event_id;
		s->scanned = s->cursor > s->scanned ? s->cursor : s->scanned;
		s->attempts = 0;
		s->failing_since_ms = 0;
		s->next_at_ms = 0;
		return;
	}
	atomic_fetch_add(a.error && strncmp(error, "refused", 7) == 0 ? &e->refused : &e->failed,
			 1);
	if (a.disable != NULL) {
		atomic_fetch_add(&e->disabled, 1);
		sub_remove(e, s);
		return;
	}
	if (s->failing_since_ms == 0)
		s->failing_since_ms = wall_ms;
	s->attempts++;
	s->next_at_ms = now_ms + (int64_t)(retry_delay(o, s->attempts) * 1000);
}

/* ---- the thread ------------------------------------------------------------------------ */

static void *engine_main(void *arg)
{
	struct webhook_engine *e = arg;
	uint64_t loaded = (uint64_t)-1, news_seen = 0;
	while (!atomic_load(&e->stop)) {
		uint64_t changes = atomic_load(&e->changes);
		if (changes != loaded && reload(e))
			loaded = changes;
		uint64_t news = atomic_load(&e->news);
		bool fresh = news != news_seen;
		news_seen = news;
		int64_t now = time_monotonic_ms(), wait = IDLE_POLL_MS;
		uint64_t waiting = 0;
		for (size_t i = 0; i < e->nsubs && !atomic_load(&e->stop); i++) {
			struct sub *s = e->subs[i];
			if (!s->secret_ok) {
				/* The key file does not open this secret: nothing can be signed. */
				struct webhook_attempt a = {
					.webhook_id = s->id,
					.event_id = s->cursor + 1,
					.attempt = 1,
					.error = "the server's webhook key does not open this "
						 "subscription's secret",
					.attempted_at = time_now(),
					.disable = "the server's webhook key does not open this "
						   "subscription's secret: delete it and subscribe "
						   "again"};
				if (store_tx(e->app->store, "webhook key", attempt_tx, &a) ==
				    STORE_OK) {
					sub_remove(e, s);
					i--;
				}
				continue;
			}
			if (fresh)
				s->idle = false;
			if (s->t == NULL && !s->idle && now >= s->next_at_ms)
				sub_step(e, s, now);
			if (s->t != NULL || !s->idle)
				waiting++;
			if (s->t == NULL && !s->idle) {
				int64_t until = s->next_at_ms - now;
				if (until < wait)
					wait = until < 0 ? 0 : until;
			}
		}
		atomic_store(&e->waiting, waiting);
		int running = 0;
		curl_multi_perform(e->multi, &running);
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(e->multi, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			struct transfer *t = NULL;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
			if (t != NULL)
				transfer_done(e, t, msg->data.result);
			wait = 0;
		}
		if (wait > 0 && !atomic_load(&e->stop))
			curl_multi_poll(e->multi, NULL, 0, (int)wait, NULL);
	}
	return NULL;
}

struct webhook_engine *webhook_engine_new(struct api *app)
{
	struct webhook_engine *e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->app = app;
	atomic_init(&e->stop, false);
	atomic_init(&e->pending_change, false);
	atomic_init(&e->changes, 0);
	atomic_init(&e->news, 0);
	atomic_init(&e->running, false);
	e->multi = curl_multi_init();
	if (e->multi == NULL) {
		free(e);
		return NULL;
	}
	return e;
}

bool webhook_engine_start(struct webhook_engine *e)
{
	if (atomic_load(&e->running))
		return true;
	atomic_store(&e->stop, false);
	if (pthread_create(&e->thread, NULL, engine_main, e) != 0)
		return false;
	atomic_store(&e->running, true);
	return true;
}

void webhook_engine_stop(struct webhook_engine *e)
{
	if (e == NULL || !atomic_load(&e->running))
		return;
	atomic_store(&e->stop, true);
	curl_multi_wakeup(e->multi);
	pthread_join(e->thread, NULL);
	atomic_store(&e->running, false);
	/* Requests in flight are abandoned: their events go again at the next start. */
	for (size_t i = 0; i < e->nsubs; i++)
		sub_free(e, e->subs[i]);
	e->nsubs = 0;
}

void webhook_engine_free(struct webhook_engine *e)
{
	if (e == NULL)
		return;
	webhook_engine_stop(e);
	free(e->subs);
	curl_multi_cleanup(e->multi);
	free(e);
}

void webhook_engine_changed(struct webhook_engine *e)
{
	if (e != NULL)
		atomic_store(&e->pending_change, true);
}

void webhook_engine_committed(struct webhook_engine *e)
{
	if (e == NULL)
		return;
	if (atomic_exchange(&e->pending_change, false))
		atomic_fetch_add(&e->changes, 1);
	atomic_fetch_add(&e->news, 1);
	if (atomic_load(&e->running))
		curl_multi_wakeup(e->multi);
}

void webhook_engine_stats(struct webhook_engine *e, struct api_webhook_stats *out)
{
	*out = (struct api_webhook_stats){.delivered = atomic_load(&e->delivered),
					  .failed = atomic_load(&e->failed),
					  .refused = atomic_load(&e->refused),
					  .disabled = atomic_load(&e->disabled),
					  .in_flight = atomic_load(&e->in_flight),
					  .waiting = atomic_load(&e->waiting)};
}
