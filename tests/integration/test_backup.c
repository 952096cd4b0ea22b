/*
 * `dropline backup` (CONTRACT.md section 19) with the real binary: a backup
 * taken while a server takes orders, restored as README.md says (stop,
 * copy over the database file, remove -wal and -shm, start), serves every
 * order made before the backup started, body for body, and none made after
 * it; an existing DEST is kept unless --force; a backup stopped by a
 * signal leaves nothing behind. And store_backup() in-process, one page a
 * step with a commit between every two steps: the copy is the snapshot of
 * its start.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "binary.h"
#include "harness.h"
#include "store/store_backup.h"

static char dir[256], db[320], dest[320];

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/dropline-backup-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/dropline.db", dir);
	snprintf(dest, sizeof(dest), "%s/backup.db", dir);
}

static void teardown(void)
{
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* The text of PRAGMA integrity_check on a database file ("ok" when sound). */
static void integrity(const char *path, char *out, size_t cap)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	ck_assert_int_eq(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	ck_assert_int_eq(sqlite3_close(h), SQLITE_OK);
}

static long long count_rows(const char *path, const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	ck_assert_int_eq(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	long long n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	ck_assert_int_eq(sqlite3_close(h), SQLITE_OK);
	return n;
}

/* True when some file in the test's directory has ".tmp-" in its name. */
static bool temporary_file_left(void)
{
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	bool found = false;
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		found = found || strstr(e->d_name, ".tmp-") != NULL;
	closedir(d);
	return found;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

/* The demo catalog in `db`, and a retailer 500 key (caller frees). */
static char *demo_with_key(void)
{
	struct bin_run r;
	bin_run(&r, dir, NULL, (const char *[]){"demo", "--db", db, NULL});
	ck_assert_msg(r.status == 0, "%s", r.err);
	bin_run(&r, dir, NULL,
		(const char *[]){"keys", "create", "--retailer", "500", "--db", db, NULL});
	ck_assert_msg(r.status == 0, "%s", r.err);
	r.out[strcspn(r.out, "\n")] = '\0';
	char *key = strdup(r.out);
	ck_assert_ptr_nonnull(key);
	return key;
}

static void order_body(char *buf, size_t cap, const char *tag, int n)
{
	snprintf(buf, cap,
		 "{\"purchase_order_number\": \"%s-%d\", \"ordered_at\": \"2016-07-06T10:25\","
		 " \"ship_to\": {\"name1\": \"T\", \"street1\": \"S\", \"city\": \"C\","
		 " \"province\": \"CA\", \"postal_code\": \"90254\", \"country\": \"US\"},"
		 " \"shipping_method\": {\"code\": \"GROUND\", \"carrier\": {\"code\": \"UPSN\"}},"
		 " \"order_lines\": [{\"variant\": {\"identifier\": \"GBD34315\"},"
		 " \"quantity\": %d, \"net_price\": \"1.00\", \"price\": \"2.00\"}]}",
		 tag, n, 1 + n % 5);
}

/* When an order was sent and answered, relative to the backup. */
enum phase { BEFORE_BACKUP, DURING_BACKUP, AFTER_BACKUP };

struct order_made {
	long status;
	long long id;
	enum phase sent, answered;
	char *body; /* the 201 body */
};

#define WRITER_MAX 4000

/* A client POSTing orders one after another until told to stop. */
struct writer {
	unsigned port;
	const char *key;
	_Atomic int phase; /* enum phase, set by the test */
	atomic_bool stop;
	atomic_int created; /* orders answered 201 so far */
	int sent;
	struct order_made *orders; /* WRITER_MAX of them */
};

static size_t collect(char *data, size_t size, size_t n, void *ctx)
{
	char **body = ctx;
	size_t old = *body ? strlen(*body) : 0, add = size * n;
	char *grown = realloc(*body, old + add + 1);
	if (grown == NULL)
		return 0;
	memcpy(grown + old, data, add);
	grown[old + add] = '\0';
	*body = grown;
	return add;
}

/* Runs on its own thread: no check assertions here, the test reads what it recorded. */
static void *write_orders(void *arg)
{
	struct writer *w = arg;
	char url[96], auth[160], body[1024];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/v1/retailers/500/orders/", w->port);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", w->key);
	struct curl_slist *h = curl_slist_append(NULL, auth);
	h = h ? curl_slist_append(h, "Content-Type: application/json") : NULL;
	CURL *curl = curl_easy_init();
	if (h == NULL || curl == NULL)
		goto out;
	for (; w->sent < WRITER_MAX && !atomic_load(&w->stop); w->sent++) {
		struct order_made *o = &w->orders[w->sent];
		order_body(body, sizeof(body), "W", w->sent);
		curl_easy_reset(curl);
		curl_easy_setopt(curl, CURLOPT_URL, url);
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
		curl_easy_setopt(curl, CURLOPT_WRITEDATA, &o->body);
		curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
		curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
		o->sent = (enum phase)atomic_load(&w->phase);
		CURLcode rc = curl_easy_perform(curl);
		o->answered = (enum phase)atomic_load(&w->phase);
		if (rc == CURLE_OK)
			curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &o->status);
		json_t *doc = o->body ? json_loads(o->body, 0, NULL) : NULL;
		o->id = doc ? json_integer_value(json_object_get(doc, "id")) : 0;
		json_decref(doc);
		if (o->status != 201) {
			w->sent++;
			break; /* the test fails on it */
		}
		atomic_fetch_add(&w->created, 1);
	}
out:
	curl_easy_cleanup(curl);
	curl_slist_free_all(h);
	return NULL;
}

/* Waits (at most 30 s) until the writer has created `n` orders. */
static bool wait_created(struct writer *w, int n)
{
	for (int i = 0; i < 600 && atomic_load(&w->created) < n; i++) {
		struct timespec ts = {0, 50 * 1000000L};
		nanosleep(&ts, NULL);
	}
	return atomic_load(&w->created) >= n;
}

/* The restore of README.md: the backup copied over the database file, its -wal and -shm gone. */
static void restore(const char *backup, const char *database)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", backup, database);
	ck_assert_int_eq(system(cmd), 0);
	static const char *const suffixes[] = {"-wal", "-shm"};
	for (size_t i = 0; i < 2; i++) {
		char path[400];
		snprintf(path, sizeof(path), "%s%s", database, suffixes[i]);
		ck_assert(unlink(path) == 0 || errno == ENOENT);
	}
}

#define ORDERS_FIRST 20

START_TEST(backup_under_write_load_restores_every_order_made_before_it)
{
	char *key = demo_with_key();
	char err_path[400], text[512];
	snprintf(err_path, sizeof(err_path), "%s/serve.err", dir);
	unsigned port = 0;
	pid_t pid = bin_serve(dir, db, err_path, &port);
	struct test_server ts = {.port = (uint16_t)port};

	/* Orders made before anything else starts. */
	struct order_made first[ORDERS_FIRST];
	for (int i = 0; i < ORDERS_FIRST; i++) {
		char body[1024];
		order_body(body, sizeof(body), "F", i);
		struct http_response resp;
		http_send(&ts, "POST", "/v1/retailers/500/orders/", key, body, &resp);
		ck_assert_int_eq(resp.status, 201);
		first[i].id = json_integer_value(json_object_get(resp.json, "id"));
		first[i].body = strdup(resp.body);
		ck_assert_ptr_nonnull(first[i].body);
		http_response_free(&resp);
	}

	/* A client writing throughout; the backup starts once it is well under way. */
	curl_global_init(CURL_GLOBAL_ALL);
	struct writer *w = calloc(1, sizeof(*w));
	ck_assert_ptr_nonnull(w);
	w->orders = calloc(WRITER_MAX, sizeof(*w->orders));
	ck_assert_ptr_nonnull(w->orders);
	w->port = port;
	w->key = key;
	atomic_init(&w->phase, BEFORE_BACKUP);
	atomic_init(&w->stop, false);
	atomic_init(&w->created, 0);
	pthread_t thread;
	ck_assert_int_eq(pthread_create(&thread, NULL, write_orders, w), 0);
	ck_assert_msg(wait_created(w, 20), "the writer made %d orders", atomic_load(&w->created));

	atomic_store(&w->phase, DURING_BACKUP);
	struct bin_run r;
	bin_run(&r, dir, NULL, (const char *[]){"backup", "--db", db, dest, NULL});
	atomic_store(&w->phase, AFTER_BACKUP);
	int created_at_end = atomic_load(&w->created);
	/* Orders made once the backup was complete, which it must not hold. */
	bool more = wait_created(w, created_at_end + 10);
	atomic_store(&w->stop, true);
	ck_assert_int_eq(pthread_join(thread, NULL), 0);
	ck_assert_msg(r.status == 0, "backup: exit %d: %s", r.status, r.err);
	ck_assert_msg(more, "the writer stopped at %d orders", atomic_load(&w->created));
	ck_assert_ptr_nonnull(strstr(r.err, "backed up"));
	int during = 0;
	for (int i = 0; i < w->sent; i++) {
		/* The server was never held up to failing by the backup. */
		ck_assert_msg(w->orders[i].status == 201, "order %d: %ld", i, w->orders[i].status);
		during += w->orders[i].answered == DURING_BACKUP;
	}
	fprintf(stderr, "backup under load: %d orders before, %d answered while it ran, %d after\n",
		ORDERS_FIRST + created_at_end - during, during,
		atomic_load(&w->created) - created_at_end);
	struct stat copy;
	ck_assert_int_eq(stat(dest, &copy), 0);
	fprintf(stderr, "backup under load: %lld bytes\n", (long long)copy.st_size);
	integrity(dest, text, sizeof(text));
	ck_assert_str_eq(text, "ok");
	ck_assert_int_eq(bin_stop(pid), 0);

	restore(dest, db);
	snprintf(err_path, sizeof(err_path), "%s/serve-restored.err", dir);
	pid = bin_serve(dir, db, err_path, &port);
	ts.port = (uint16_t)port;
	char path[96];
	struct http_response resp;
	for (int i = 0; i < ORDERS_FIRST + w->sent; i++) {
		const struct order_made *o =
			i < ORDERS_FIRST ? &first[i] : &w->orders[i - ORDERS_FIRST];
		bool before = i < ORDERS_FIRST || o->answered == BEFORE_BACKUP;
		bool after = i >= ORDERS_FIRST && o->sent == AFTER_BACKUP;
		if (!before && !after)
			continue; /* in flight while the snapshot was taken: either way is right */
		snprintf(path, sizeof(path), "/v1/retailers/500/orders/%lld/", o->id);
		http_get(&ts, path, key, &resp);
		if (before) {
			ck_assert_msg(resp.status == 200, "order %lld: %ld", o->id, resp.status);
			ck_assert_str_eq(resp.body, o->body);
		} else {
			ck_assert_msg(resp.status == 404, "order %lld, made after the backup: %ld",
				      o->id, resp.status);
		}
		http_response_free(&resp);
	}
	ck_assert_int_eq(bin_stop(pid), 0);
	integrity(db, text, sizeof(text));
	ck_assert_str_eq(text, "ok");

	for (int i = 0; i < ORDERS_FIRST; i++)
		free(first[i].body);
	for (int i = 0; i < WRITER_MAX; i++)
		free(w->orders[i].body);
	free(w->orders);
	free(w);
	free(key);
	curl_global_cleanup();
}
END_TEST

START_TEST(existing_dest_is_kept_unless_forced)
{
	free(demo_with_key());
	write_text(dest, "keep me\n");
	struct bin_run r;
	bin_run(&r, dir, NULL, (const char *[]){"backup", "--db", db, dest, NULL});
	ck_assert_int_eq(r.status, 1);
	char expected[600];
	snprintf(expected, sizeof(expected), "dropline: %s exists (give --force to replace it)\n",
		 dest);
	ck_assert_str_eq(r.err, expected);
	char text[512];
	bin_read_all(dest, text, sizeof(text));
	ck_assert_str_eq(text, "keep me\n");

	bin_run(&r, dir, NULL, (const char *[]){"backup", "--db", db, dest, "--force", NULL});
	ck_assert_msg(r.status == 0, "%s", r.err);
	integrity(dest, text, sizeof(text));
	ck_assert_str_eq(text, "ok");
	ck_assert_int_eq(count_rows(dest, "SELECT count(*) FROM retailers"), 3);

	/* --force does not let a backup overwrite the database it copies. */
	bin_run(&r, dir, NULL, (const char *[]){"backup", "--db", db, "--force", db, NULL});
	ck_assert_int_eq(r.status, 1);
	ck_assert_uint_eq(strcspn(r.err, "\n") + 1, strlen(r.err));
	ck_assert_ptr_nonnull(strstr(r.err, "is the database itself"));
	integrity(db, text, sizeof(text));
	ck_assert_str_eq(text, "ok");
	ck_assert_int_eq(count_rows(db, "SELECT count(*) FROM retailers"), 3);
	ck_assert(!temporary_file_left());
}
END_TEST

/*
 * A stop signal (Ctrl-C) during a backup: exit 1, DEST not written, and the
 * temporary copy removed. The signal is made pending before the program
 * starts (blocked, raised, then exec keeps it pending), so the backup sees
 * it at its first step whatever the timing.
 */
START_TEST(backup_stopped_by_a_signal_leaves_nothing)
{
	free(demo_with_key());
	const char *bin = getenv("DROPLINE_BIN");
	ck_assert_ptr_nonnull(bin);
	char err_path[400];
	snprintf(err_path, sizeof(err_path), "%s/backup.err", dir);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		sigset_t block;
		sigemptyset(&block);
		sigaddset(&block, SIGINT);
		if (err < 0 || dup2(err, 2) < 0 || sigprocmask(SIG_BLOCK, &block, NULL) != 0 ||
		    raise(SIGINT) != 0)
			_exit(127);
		alarm(BIN_RUN_SECONDS);
		execl(bin, bin, "backup", "--db", db, dest, (char *)NULL);
		_exit(127);
	}
	int status = 0;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 1);
	char text[1024], expected[600];
	bin_read_all(err_path, text, sizeof(text));
	snprintf(expected, sizeof(expected), "dropline: interrupted: %s was not written\n", dest);
	ck_assert_str_eq(text, expected);
	struct stat st;
	ck_assert(stat(dest, &st) != 0 && errno == ENOENT);
	ck_assert(!temporary_file_left());
}
END_TEST

struct committer_between_steps {
	struct test_server *ts;
	int steps;
};

/* keep_going that commits a new key before every step, as a busy server would. */
static bool commit_a_key(void *ctx, int remaining, int total)
{
	(void)remaining;
	(void)total;
	struct committer_between_steps *c = ctx;
	free(ts_key(c->ts, PARTY_RETAILER, 500, NULL));
	/* Bounded: a copy that restarted on every commit would never end. */
	return ++c->steps < 10000;
}

/*
 * The copy holds its snapshot: one page a step, a key committed before each
 * step by another connection, and the copy still ends, is sound, and has
 * exactly the keys of its start.
 */
START_TEST(snapshot_copy_ignores_commits_between_its_steps)
{
	struct test_server ts;
	ts_open_store(&ts, true);
	for (int i = 0; i < 5; i++)
		free(ts_key(&ts, PARTY_RETAILER, 500, NULL));
	store *source = NULL;
	char err[STORE_ERR_MAX];
	struct store_options so = {.readers = 1, .mode = STORE_OPEN_READ_ONLY};
	ck_assert_msg(store_open(ts.db_path, &so, &source, err) == STORE_OK, "%s", err);
	struct committer_between_steps c = {.ts = &ts};
	struct store_backup_options bo = {
		.pages_per_step = 1, .keep_going = commit_a_key, .ctx = &c};
	store_status st = store_backup(source, dest, &bo, err);
	ck_assert_msg(st == STORE_OK, "%s: %s", store_status_text(st), err);
	store_close(source);
	char text[512];
	integrity(dest, text, sizeof(text));
	ck_assert_str_eq(text, "ok");
	/* Many steps, each after a commit; none of those commits is in the copy. */
	ck_assert_int_gt(c.steps, 50);
	ck_assert_int_eq(count_rows(dest, "SELECT count(*) FROM api_keys"), 5);
	ck_assert_int_eq(count_rows(ts.db_path, "SELECT count(*) FROM api_keys"), 5 + c.steps);
	ts_stop(&ts);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("backup");
	TCase *tc = tcase_create("backup");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, backup_under_write_load_restores_every_order_made_before_it);
	tcase_add_test(tc, existing_dest_is_kept_unless_forced);
	tcase_add_test(tc, backup_stopped_by_a_signal_leaves_nothing);
	tcase_add_test(tc, snapshot_copy_ignores_commits_between_its_steps);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
