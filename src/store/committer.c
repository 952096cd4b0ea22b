/*
 * Group commit: one thread runs queued write jobs in batches, each batch one
 * transaction with a savepoint per job, and one COMMIT (one fsync at
 * synchronous=FULL) for the whole batch. See include/store/store.h.
 *
 * While a batch commits, the next one queues up, so the batches grow with
 * the load by themselves: one job alone is committed at once, with no
 * waiting for company.
 */
#include <pthread.h>
#include <stdlib.h>

#include "internal.h"

#define DEFAULT_MAX_BATCH 128

struct store_committer {
	store *store;
	unsigned max_batch;
	pthread_t thread;

	pthread_mutex_t lock; /* guards everything below */
	pthread_cond_t wake;
	struct store_job *head, *tail;
	bool stopping;
	bool joined; /* store_committer_stop() has run (or is running) */
	struct store_committer_stats stats;
	void (*on_commit)(void *ctx);
	void *on_commit_ctx;
};

/* Puts jobs (a list that ends in NULL) back at the head of the queue, in order. */
static void requeue_front(store_committer *cm, struct store_job *jobs)
{
	if (jobs == NULL)
		return;
	struct store_job *last = jobs;
	while (last->next != NULL)
		last = last->next;
	pthread_mutex_lock(&cm->lock);
	last->next = cm->head;
	cm->head = jobs;
	if (cm->tail == NULL)
		cm->tail = last;
	pthread_mutex_unlock(&cm->lock);
}

/*
 * Runs one batch on the writer connection and returns its status. *ran
 * counts the jobs from the head of the list that ran; the others never ran,
 * because the transaction was lost before their turn.
 */
static store_status run_batch(store *s, struct store_job *jobs, unsigned *ran, bool *lost)
{
	store_conn *c = &s->writer;
	*ran = 0;
	*lost = false;
	c->last_failure = STORE_OK;
	store_status st = store_begin_immediate(s, "batch");
	for (struct store_job *j = jobs; st == STORE_OK && j != NULL; j = j->next) {
		st = store_status_of(c, store_exec(c, "SAVEPOINT job"), "batch savepoint");
		if (st != STORE_OK)
			break;
		store_status job_st = j->run(j->ctx);
		(*ran)++;
		/*
		 * SQLite may roll the whole transaction back on its own (a full
		 * disk, an I/O error): what the earlier jobs did is gone too.
		 */
		if (sqlite3_get_autocommit(c->db)) {
			st = c->last_failure != STORE_OK ? c->last_failure : STORE_ERROR;
			*lost = true;
			break;
		}
		if (job_st != STORE_OK)
			store_exec(c, "ROLLBACK TO job");
		st = store_status_of(c, store_exec(c, "RELEASE job"), "batch release");
	}
	if (st == STORE_OK)
		st = store_status_of(c, store_exec(c, "COMMIT"), "batch commit");
	/* Also after a failed COMMIT: SQLite may keep the transaction open. */
	if (!sqlite3_get_autocommit(c->db))
		store_exec(c, "ROLLBACK");
	return st;
}

/*
 * After a batch: returns the jobs to settle now, and puts back at the head
 * of the queue those that get another chance. Jobs that never ran go to the
 * next batch, when this one made progress (when none ran, BEGIN failed:
 * all of them fail). When SQLite lost the transaction during a job, that
 * job fails, and the ones before it, whose work was lost with it through no
 * fault of theirs, run again in the next batch, once.
 */
static struct store_job *sort_out(struct store_job *batch, unsigned ran, bool lost,
				  store_committer *cm)
{
	struct store_job *settle = NULL, **settle_end = &settle;
	struct store_job *again = NULL, **again_end = &again;
	unsigned i = 0;
	for (struct store_job *j = batch, *next; j != NULL; j = next, i++) {
		next = j->next;
		j->next = NULL;
		bool retry = ran > 0 && (i >= ran || (lost && i + 1 < ran && j->retried == 0));
		if (retry && i < ran)
			j->retried++;
		if (retry) {
			*again_end = j;
			again_end = &j->next;
		} else {
			*settle_end = j;
			settle_end = &j->next;
		}
	}
	requeue_front(cm, again);
	return settle;
}

static void *committer_main(void *arg)
{
	store_committer *cm = arg;
	store *s = cm->store;
	for (;;) {
		pthread_mutex_lock(&cm->lock);
		while (cm->head == NULL && !cm->stopping)
			pthread_cond_wait(&cm->wake, &cm->lock);
		if (cm->head == NULL) {
			pthread_mutex_unlock(&cm->lock);
			break;
		}
		/* Take up to max_batch jobs off the queue. */
		struct store_job *batch = cm->head, *last = cm->head;
		unsigned n = 1;
		while (last->next != NULL && n < cm->max_batch) {
			last = last->next;
			n++;
		}
		cm->head = last->next;
		if (cm->head == NULL)
			cm->tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&cm->lock);

		pthread_mutex_lock(&s->writer_lock);
		atomic_store(&s->writer_tid, store_thread_id());
		unsigned ran = 0;
		bool lost = false;
		store_status st = run_batch(s, batch, &ran, &lost);
		atomic_store(&s->writer_tid, 0);
		pthread_mutex_unlock(&s->writer_lock);
		if (st == STORE_OK && cm->on_commit != NULL)
			cm->on_commit(cm->on_commit_ctx);
		batch = sort_out(batch, ran, lost, cm);
		uint64_t settled = 0;
		for (struct store_job *j = batch; j != NULL; j = j->next)
			settled++;
		/* Counted before done(): whoever a done() wakes sees its batch counted. */
		pthread_mutex_lock(&cm->lock);
		cm->stats.batches++;
		cm->stats.jobs += settled;
		if (settled > cm->stats.max_batch)
			cm->stats.max_batch = settled;
		unsigned bucket = 0;
		while (bucket < STORE_BATCH_BUCKETS && settled > ((uint64_t)1 << bucket))
			bucket++;
		cm->stats.sizes[bucket]++;
		pthread_mutex_unlock(&cm->lock);
		for (struct store_job *j = batch, *next; j != NULL; j = next) {
			next = j->next; /* done() may free the job */
			j->next = NULL;
			j->done(j->ctx, st);
		}
	}
	return NULL;
}

store_committer *store_committer_start(store *s, unsigned max_batch)
{
	store_committer *cm = calloc(1, sizeof(*cm));
	if (cm == NULL)
		return NULL;
	cm->store = s;
	cm->max_batch = max_batch ? max_batch : DEFAULT_MAX_BATCH;
	pthread_mutex_init(&cm->lock, NULL);
	pthread_cond_init(&cm->wake, NULL);
	if (pthread_create(&cm->thread, NULL, committer_main, cm) != 0) {
		pthread_cond_destroy(&cm->wake);
		pthread_mutex_destroy(&cm->lock);
		free(cm);
		return NULL;
	}
	return cm;
}

void store_committer_on_commit(store_committer *cm, void (*fn)(void *ctx), void *ctx)
{
	pthread_mutex_lock(&cm->lock);
	cm->on_commit = fn;
	cm->on_commit_ctx = ctx;
	pthread_mutex_unlock(&cm->lock);
}

bool store_committer_submit(store_committer *cm, struct store_job *job)
{
	job->next = NULL;
	pthread_mutex_lock(&cm->lock);
	bool accepted = !cm->stopping;
	if (accepted) {
		if (cm->tail != NULL)
			cm->tail->next = job;
		else
			cm->head = job;
		cm->tail = job;
		pthread_cond_signal(&cm->wake);
	}
	pthread_mutex_unlock(&cm->lock);
	return accepted;
}

void store_committer_stop(store_committer *cm)
{
	if (cm == NULL)
		return;
	pthread_mutex_lock(&cm->lock);
	bool joined = cm->joined;
	cm->stopping = true;
	cm->joined = true;
	pthread_cond_signal(&cm->wake);
	pthread_mutex_unlock(&cm->lock);
	if (!joined)
		pthread_join(cm->thread, NULL);
}

void store_committer_free(store_committer *cm)
{
	if (cm == NULL)
		return;
	store_committer_stop(cm);
	pthread_cond_destroy(&cm->wake);
	pthread_mutex_destroy(&cm->lock);
	free(cm);
}

void store_committer_stats(store_committer *cm, struct store_committer_stats *out)
{
	pthread_mutex_lock(&cm->lock);
	*out = cm->stats;
	pthread_mutex_unlock(&cm->lock);
}
