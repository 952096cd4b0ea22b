/*
 * Group commit (store_committer): a batch with jobs that fail their rules
 * keeps only the others; a job reads what the earlier jobs of its batch
 * wrote; done() comes only once the batch is on disk; stopping settles
 * what is queued; and a crash in the middle of a batch loses that batch
 * only, never the one committed before it.
 */
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "internal.h" /* src/store/: to make SQLite drop a batch's transaction */
#include "harness.h"
#include "store/store_keys.h"

/* Rows of api_keys with this hash: ids are reused after a rollback, hashes are not. */
static long long key_rows(const char *db_path, const uint8_t hash[APIKEY_HASH_BYTES])
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	ck_assert_int_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM api_keys WHERE hash = ?1", -1,
					    &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_blob(st, 1, hash, APIKEY_HASH_BYTES, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	long long v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* What the jobs of one test share with it. */
struct bench {
	store *store;
	const char *db_path;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	bool release_blocker; /* the blocking job may finish */
	bool blocker_running;
	int settled;
};

enum job_kind {
	JOB_BLOCK,     /* waits for the test's signal: the next jobs queue behind it */
	JOB_KEEP,      /* inserts a key and succeeds */
	JOB_FAIL_RULE, /* inserts a key, then fails its rules: must leave nothing */
	JOB_NO_PARTY,  /* a key for a party that does not exist: the store refuses it */
	JOB_LOSE_TX,   /* inserts a key, then the transaction is lost (as on a full disk) */
};

struct test_job {
	struct store_job job;
	struct bench *b;
	enum job_kind kind;
	int64_t key_id;			 /* the key it inserted (0: none) */
	uint8_t hash[APIKEY_HASH_BYTES]; /* that key's hash */
	int keys_seen;			 /* keys it could read when it ran */
	store_status run_status;
	store_status done_status;
	long long rows_at_done; /* its key's rows on another connection, in done() */
	bool done;
};

static store_status insert_key_tx(store_conn *c, void *ctx)
{
	struct key_record *rec = ctx;
	return store_keys_insert(c, rec);
}

/* What SQLite does on some full-disk and I/O errors: rolls the whole transaction back. */
static store_status insert_key_then_lose_tx(store_conn *c, void *ctx)
{
	store_status st = store_keys_insert(c, ctx);
	ck_assert_int_eq(st, STORE_OK);
	ck_assert_int_eq(store_exec(c, "ROLLBACK"), SQLITE_OK);
	c->last_failure = STORE_FULL;
	return STORE_FULL;
}

static void count_key(const struct key_record *rec, void *ctx)
{
	(void)rec;
	(*(int *)ctx)++;
}

static store_status count_keys_read(store_conn *c, void *ctx)
{
	return store_keys_list(c, count_key, ctx);
}

static store_status job_run(void *ctx)
{
	struct test_job *tj = ctx;
	struct bench *b = tj->b;
	if (tj->kind == JOB_BLOCK) {
		pthread_mutex_lock(&b->lock);
		b->blocker_running = true;
		pthread_cond_broadcast(&b->changed);
		while (!b->release_blocker)
			pthread_cond_wait(&b->changed, &b->lock);
		pthread_mutex_unlock(&b->lock);
		return tj->run_status = STORE_OK;
	}
	struct key_record rec = {.party = PARTY_RETAILER,
				 .party_id = tj->kind == JOB_NO_PARTY ? 999999 : 500,
				 .created_at = 1700000000};
	randombytes_buf(rec.hash, sizeof(rec.hash));
	memcpy(tj->hash, rec.hash, sizeof(tj->hash));
	store_status st =
		store_tx(b->store, "test insert",
			 tj->kind == JOB_LOSE_TX ? insert_key_then_lose_tx : insert_key_tx, &rec);
	if (st == STORE_OK)
		tj->key_id = rec.id;
	tj->keys_seen = 0;
	ck_assert_int_eq(store_read(b->store, count_keys_read, &tj->keys_seen), STORE_OK);
	if (st == STORE_OK && tj->kind == JOB_FAIL_RULE)
		st = STORE_REJECTED;
	return tj->run_status = st;
}

static void job_done(void *ctx, store_status st)
{
	struct test_job *tj = ctx;
	tj->done_status = st;
	if (tj->key_id > 0)
		tj->rows_at_done = key_rows(tj->b->db_path, tj->hash);
	pthread_mutex_lock(&tj->b->lock);
	tj->done = true;
	tj->b->settled++;
	pthread_cond_broadcast(&tj->b->changed);
	pthread_mutex_unlock(&tj->b->lock);
}

static void bench_init(struct bench *b, struct test_server *ts)
{
	memset(b, 0, sizeof(*b));
	b->store = ts->store;
	b->db_path = ts->db_path;
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->changed, NULL);
}

static void bench_destroy(struct bench *b)
{
	pthread_cond_destroy(&b->changed);
	pthread_mutex_destroy(&b->lock);
}

static void job_init(struct test_job *tj, struct bench *b, enum job_kind kind)
{
	memset(tj, 0, sizeof(*tj));
	tj->b = b;
	tj->kind = kind;
	tj->run_status = tj->done_status = STORE_ERROR;
	tj->rows_at_done = -1;
	tj->job = (struct store_job){.run = job_run, .done = job_done, .ctx = tj};
}

static void wait_settled(struct bench *b, int n)
{
	pthread_mutex_lock(&b->lock);
	while (b->settled < n)
		pthread_cond_wait(&b->changed, &b->lock);
	pthread_mutex_unlock(&b->lock);
}

static int count_keys(store *s)
{
	int n = 0;
	ck_assert_int_eq(store_read(s, count_keys_read, &n), STORE_OK);
	return n;
}

/* A store with the demo catalog, a committer on it, and what its jobs share. */
struct rig {
	struct test_server ts;
	struct bench b;
	store_committer *cm;
	int keys_before;
};

static void rig_open(struct rig *r, unsigned max_batch)
{
	ts_open_store(&r->ts, true);
	bench_init(&r->b, &r->ts);
	r->keys_before = count_keys(r->ts.store);
	r->cm = store_committer_start(r->ts.store, max_batch);
	ck_assert_ptr_nonnull(r->cm);
}

static void rig_close(struct rig *r)
{
	store_committer_free(r->cm);
	bench_destroy(&r->b);
	ts_stop(&r->ts);
}

/* Holds the committer with a blocking job, so that the jobs queued meanwhile form one batch. */
static void block_and_queue(store_committer *cm, struct bench *b, struct test_job *blocker,
			    struct test_job *jobs, int n)
{
	job_init(blocker, b, JOB_BLOCK);
	ck_assert(store_committer_submit(cm, &blocker->job));
	pthread_mutex_lock(&b->lock);
	while (!b->blocker_running)
		pthread_cond_wait(&b->changed, &b->lock);
	pthread_mutex_unlock(&b->lock);
	for (int i = 0; i < n; i++)
		ck_assert(store_committer_submit(cm, &jobs[i].job));
	pthread_mutex_lock(&b->lock);
	b->release_blocker = true;
	pthread_cond_broadcast(&b->changed);
	pthread_mutex_unlock(&b->lock);
}

#define MIXED 12

START_TEST(a_mixed_batch_keeps_only_the_jobs_that_succeeded)
{
	struct rig r;
	rig_open(&r, 0);

	/* A first job holds the committer, so the next MIXED queue up into one batch. */
	struct test_job blocker, jobs[MIXED];
	for (int i = 0; i < MIXED; i++)
		job_init(&jobs[i], &r.b,
			 i % 3 == 0   ? JOB_KEEP
			 : i % 3 == 1 ? JOB_FAIL_RULE
				      : JOB_NO_PARTY);
	block_and_queue(r.cm, &r.b, &blocker, jobs, MIXED);
	wait_settled(&r.b, MIXED + 1);

	struct store_committer_stats stats;
	store_committer_stats(r.cm, &stats);
	ck_assert_int_eq(stats.batches, 2);
	ck_assert_int_eq(stats.jobs, MIXED + 1);
	ck_assert_int_eq(stats.max_batch, MIXED);

	int kept = 0;
	for (int i = 0; i < MIXED; i++) {
		struct test_job *tj = &jobs[i];
		/* The batch committed: every job is settled with OK, failed ones included. */
		ck_assert_int_eq(tj->done_status, STORE_OK);
		switch (tj->kind) {
		case JOB_KEEP:
			kept++;
			ck_assert_int_eq(tj->run_status, STORE_OK);
			/* It saw the keys the earlier jobs of its batch kept, and its own. */
			ck_assert_int_eq(tj->keys_seen, r.keys_before + kept);
			ck_assert_int_eq(key_rows(r.ts.db_path, tj->hash), 1);
			/* On disk, seen from another connection, before done() was called. */
			ck_assert_int_eq(tj->rows_at_done, 1);
			break;
		case JOB_FAIL_RULE:
			ck_assert_int_eq(tj->run_status, STORE_REJECTED);
			ck_assert_int_gt(tj->key_id, 0);
			ck_assert_int_eq(key_rows(r.ts.db_path, tj->hash), 0);
			break;
		case JOB_NO_PARTY:
			ck_assert_int_eq(tj->run_status, STORE_NOT_FOUND);
			ck_assert_int_eq(tj->key_id, 0);
			break;
		case JOB_BLOCK:
		case JOB_LOSE_TX: ck_abort(); break;
		}
	}
	ck_assert_int_eq(kept, MIXED / 3);
	ck_assert_int_eq(count_keys(r.ts.store), r.keys_before + kept);
	rig_close(&r);
}
END_TEST

START_TEST(a_lost_transaction_fails_its_job_and_runs_the_others_again)
{
	struct rig r;
	rig_open(&r, 0);
	struct test_job blocker, jobs[4];
	job_init(&jobs[0], &r.b, JOB_KEEP);
	job_init(&jobs[1], &r.b, JOB_KEEP);
	job_init(&jobs[2], &r.b, JOB_LOSE_TX);
	job_init(&jobs[3], &r.b, JOB_KEEP);
	block_and_queue(r.cm, &r.b, &blocker, jobs, 4);
	wait_settled(&r.b, 5);

	/* The job in whose run the transaction was lost: failed, its key gone. */
	ck_assert_int_eq(jobs[2].done_status, STORE_FULL);
	ck_assert_int_eq(key_rows(r.ts.db_path, jobs[2].hash), 0);
	/* The others, the two before it run again: committed, each key once. */
	int keep[] = {0, 1, 3};
	for (int i = 0; i < 3; i++) {
		struct test_job *tj = &jobs[keep[i]];
		ck_assert_int_eq(tj->done_status, STORE_OK);
		ck_assert_int_eq(tj->run_status, STORE_OK);
		ck_assert_int_eq(key_rows(r.ts.db_path, tj->hash), 1);
	}
	ck_assert_int_eq(jobs[0].job.retried, 1);
	ck_assert_int_eq(jobs[3].job.retried, 0); /* it had not run */
	ck_assert_int_eq(count_keys(r.ts.store), r.keys_before + 3);
	struct store_committer_stats stats;
	store_committer_stats(r.cm, &stats);
	ck_assert_int_eq(stats.batches, 3); /* the blocker's, the lost one, the rerun */
	ck_assert_int_eq(stats.jobs, 5);
	rig_close(&r);
}
END_TEST

START_TEST(stopping_settles_every_queued_job_then_refuses_more)
{
	struct rig r;
	rig_open(&r, 4);
	struct test_job jobs[10];
	for (int i = 0; i < 10; i++) {
		job_init(&jobs[i], &r.b, JOB_KEEP);
		ck_assert(store_committer_submit(r.cm, &jobs[i].job));
	}
	store_committer_stop(r.cm);
	ck_assert_int_eq(r.b.settled, 10);
	for (int i = 0; i < 10; i++) {
		ck_assert(jobs[i].done);
		ck_assert_int_eq(jobs[i].done_status, STORE_OK);
	}
	struct store_committer_stats stats;
	store_committer_stats(r.cm, &stats);
	ck_assert_uint_le(stats.max_batch, 4); /* max_batch is honoured */
	ck_assert_int_eq(stats.jobs, 10);
	struct test_job late;
	job_init(&late, &r.b, JOB_KEEP);
	ck_assert(!store_committer_submit(r.cm, &late.job));
	ck_assert(!late.done);
	ck_assert_int_eq(count_keys(r.ts.store), r.keys_before + 10);
	rig_close(&r);
}
END_TEST

/* A job that inserts its key, then kills the process before the batch commits. */
static store_status crashing_run(void *ctx)
{
	struct test_job *tj = ctx;
	(void)job_run(ctx);
	ck_assert_int_gt(tj->key_id, 0);
	raise(SIGKILL); /* like kill -9: the batch never commits */
	return STORE_OK;
}

START_TEST(a_crash_inside_a_batch_loses_that_batch_only)
{
	struct test_server ts;
	ts_open_store(&ts, true);
	int keys_before = count_keys(ts.store);
	store_close(ts.store); /* the child opens its own */
	ts.store = NULL;
	int pipefd[2];
	ck_assert_int_eq(pipe(pipefd), 0);

	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(pipefd[0]);
		char err[STORE_ERR_MAX];
		store *s = NULL;
		struct store_options so = {.readers = 1};
		if (store_open(ts.db_path, &so, &s, err) != STORE_OK)
			_exit(3);
		struct bench b;
		memset(&b, 0, sizeof(b));
		b.store = s;
		b.db_path = ts.db_path;
		pthread_mutex_init(&b.lock, NULL);
		pthread_cond_init(&b.changed, NULL);
		store_committer *cm = store_committer_start(s, 0);
		/* Batch 1: two keys, committed and settled. */
		struct test_job first[2];
		for (int i = 0; i < 2; i++) {
			job_init(&first[i], &b, JOB_KEEP);
			store_committer_submit(cm, &first[i].job);
		}
		wait_settled(&b, 2);
		/* Batch 2: a key, then the crash before its COMMIT. */
		struct test_job doomed[2];
		job_init(&doomed[0], &b, JOB_KEEP);
		job_init(&doomed[1], &b, JOB_KEEP);
		doomed[1].job.run = crashing_run;
		uint8_t hashes[2][APIKEY_HASH_BYTES];
		memcpy(hashes[0], first[0].hash, APIKEY_HASH_BYTES);
		memcpy(hashes[1], first[1].hash, APIKEY_HASH_BYTES);
		if (write(pipefd[1], hashes, sizeof(hashes)) != (ssize_t)sizeof(hashes))
			_exit(4);
		/* Hold the committer so both land in one batch. */
		struct test_job blocker;
		block_and_queue(cm, &b, &blocker, doomed, 2);
		for (;;)
			pause(); /* the crashing job ends the process */
	}
	close(pipefd[1]);
	uint8_t hashes[2][APIKEY_HASH_BYTES];
	ck_assert_int_eq(read(pipefd[0], hashes, sizeof(hashes)), (ssize_t)sizeof(hashes));
	close(pipefd[0]);
	int status = 0;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		      "the child should die of SIGKILL (status %d)", status);

	/* Reopen, as a restarted server would: batch 1 is there, batch 2 is not. */
	char err[STORE_ERR_MAX];
	struct store_options so = {.readers = 1};
	ck_assert_msg(store_open(ts.db_path, &so, &ts.store, err) == STORE_OK, "%s", err);
	ck_assert_int_eq(key_rows(ts.db_path, hashes[0]), 1);
	ck_assert_int_eq(key_rows(ts.db_path, hashes[1]), 1);
	ck_assert_int_eq(count_keys(ts.store), keys_before + 2);
	sqlite3 *db = NULL;
	ck_assert_int_eq(sqlite3_open(ts.db_path, &db), SQLITE_OK);
	sqlite3_stmt *st = NULL;
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL),
			 SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	sqlite3_close(db);
	ts_stop(&ts);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("committer");
	TCase *tc = tcase_create("group commit");
	tcase_add_test(tc, a_mixed_batch_keeps_only_the_jobs_that_succeeded);
	tcase_add_test(tc, a_lost_transaction_fails_its_job_and_runs_the_others_again);
	tcase_add_test(tc, stopping_settles_every_queued_job_then_refuses_more);
	tcase_add_test(tc, a_crash_inside_a_batch_loses_that_batch_only);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
