/*
 * The store: the only part of Dropline that speaks SQL.
 *
 * Everything above this header (handlers, the catalog importer, the CLI) sees
 * opaque handles, plain C structs and store_status codes, never a statement
 * or an SQL string, so a PostgreSQL backend can implement these headers
 * (store.h and the store_*.h of each resource) without touching its callers.
 *
 * The SQLite backend keeps:
 *   - one writer connection; every write goes through store_tx(), which
 *     serialises writers on a mutex and runs the callback inside
 *     BEGIN IMMEDIATE ... COMMIT (a second SQLite writer adds no throughput),
 *     or through the committer (group commit: many jobs, one COMMIT);
 *   - a pool of read connections, one per server worker thread, opened with
 *     SQLITE_OPEN_NOMUTEX since each is used by one thread at a time;
 *   - statements prepared once per connection and reused.
 */
#ifndef DROPLINE_STORE_STORE_H
#define DROPLINE_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct logger;

/*
 * What names one state of a record's representation: the record's own
 * version and the catalog's generation (names it shows come from the
 * catalog). Both only grow; equal stamps, equal representations.
 */
struct record_stamp {
	int64_t version;
	int64_t generation;
};

typedef struct store store;
typedef struct store_conn store_conn;

typedef enum {
	STORE_OK = 0,
	STORE_NOT_FOUND, /* the row asked for does not exist */
	STORE_CONFLICT,	 /* a uniqueness or state rule refused the change */
	STORE_BUSY,	 /* the database stayed locked past the busy timeout */
	STORE_ERROR,	 /* anything else: I/O, corruption, a bug */
	STORE_REJECTED,	 /* a callback refused the change (its own rules) */
	STORE_FULL,	 /* the disk (or the configured size cap) is full: nothing written */
} store_status;

/*
 * What store_open() may do to the file at its path. Only the commands that
 * set a database up (serve, demo, migrate) create one: the others must not
 * leave an empty file behind a mistyped path.
 */
typedef enum {
	STORE_OPEN_CREATE = 0, /* read-write; a missing file is created */
	STORE_OPEN_EXISTING,   /* read-write; a missing file is STORE_NOT_FOUND */
	STORE_OPEN_READ_ONLY,  /* read only: the database is not written (store_tx() fails);
				  a missing file is STORE_NOT_FOUND. SQLite may leave the
				  -wal and -shm files it needs to read a WAL database. */
} store_open_mode;

struct store_options {
	unsigned readers;	  /* read connections to keep (>= 1) */
	unsigned busy_timeout_ms; /* how long a locked database is waited for */
	uint64_t max_bytes;	  /* cap on the database file's size, 0 for none */
	store_open_mode mode;	  /* 0: STORE_OPEN_CREATE */
	/* Where failures are logged (domain/log.h); NULL: JSON lines on stderr. */
	const struct logger *log;
	uint64_t wal_warn_bytes; /* log when the WAL grows past this; 0: STORE_WAL_WARN_BYTES */
};

/* The WAL size past which a line is logged: checkpoints are not keeping up. */
#define STORE_WAL_WARN_BYTES ((uint64_t)64 << 20)

/* Pages in the WAL after which the writer checkpoints (SQLite's own default). */
#define STORE_CHECKPOINT_PAGES 1000

/* Longest message store_open() and store_migrate() write into err. */
#define STORE_ERR_MAX 512

/*
 * store_open() opens the database at `path` as opts->mode says, sets WAL
 * mode (not in STORE_OPEN_READ_ONLY, which reads the file in the mode it
 * has), synchronous=FULL, foreign keys and the busy timeout, and refuses a
 * database whose schema is newer than this binary's migrations.
 * On failure returns non-OK, leaves *out NULL and writes one line into err:
 * STORE_NOT_FOUND with "no database at PATH" when the mode needs an
 * existing file and there is none.
 * The caller owns the store and frees it with store_close().
 */
store_status store_open(const char *path, const struct store_options *opts, store **out,
			char err[STORE_ERR_MAX]);

/* Changes the database size cap (0 lifts it) for the writes that follow. */
store_status store_set_max_bytes(store *s, uint64_t max_bytes);

/* Closes every connection. NULL is ignored. */
void store_close(store *s);

/*
 * store_checkpoint() copies the whole WAL into the database and truncates
 * it (what a clean stop does before closing). STORE_OK when it did; else
 * one line in err (a reader still holds an old snapshot, the file cannot be
 * written): the WAL keeps the writes, and the next open reads them.
 */
store_status store_checkpoint(store *s, char err[STORE_ERR_MAX]);

/*
 * store_migrate() applies, in version order, each embedded migration the
 * database has not recorded, each in its own transaction together with its
 * row in schema_migrations. *applied (may be NULL) gets how many ran.
 */
store_status store_migrate(store *s, int *applied, char err[STORE_ERR_MAX]);

/* Highest migration version recorded in the database (0 when none). */
store_status store_schema_version(store *s, int *version);

/* Highest migration version this binary knows. */
int store_latest_version(void);

/*
 * store_tx() runs `fn` on the writer connection inside BEGIN IMMEDIATE.
 * When fn returns STORE_OK the transaction commits, otherwise it rolls back
 * and fn's status is returned. A busy database is retried a bounded number of
 * times before STORE_BUSY (fn may then run more than once). `name` names the
 * transaction in error logs.
 * Called from inside fn (on the same thread), store_tx() runs as a savepoint
 * of the outer transaction, and store_read() reads through the writer, so a
 * whole request can be made one transaction (see http/idempotency.c).
 */
typedef store_status (*store_tx_fn)(store_conn *c, void *ctx);
store_status store_tx(store *s, const char *name, store_tx_fn fn, void *ctx);

/*
 * Group commit. A store_job is one unit of write work (one HTTP request)
 * that the committer thread runs inside a batch: one transaction for every
 * job queued while the previous batch was committing, each job in a
 * savepoint of its own, and one COMMIT (one fsync) for all of them.
 *
 * run() is called on the committer thread; the store_tx() and store_read()
 * calls it makes join the batch's transaction (savepoints, and reads that
 * see what the batch wrote). A run() that returns non-OK is rolled back
 * alone; the other jobs of its batch are not affected.
 *
 * done() is called on the committer thread once the batch is settled:
 *   STORE_OK  the job ran, and what it kept is durable (nothing, when its
 *             run() failed);
 *   other     the batch failed (BUSY, FULL, ERROR): nothing of the job was
 *             kept, and anything it prepared from what it read must not be
 *             answered.
 * Jobs of a failed batch that had not run yet are run in the next batch
 * instead. When SQLite rolls the whole transaction back during a job (a
 * full disk), that job fails and the jobs before it run once more in the
 * next batch, so run() must be able to start afresh.
 * The job must stay valid until done() is called; `next` and `retried`
 * are the committer's (zero them before the first submit).
 */
struct store_job {
	store_status (*run)(void *ctx);
	void (*done)(void *ctx, store_status st);
	void *ctx;
	struct store_job *next; /* the committer's */
	unsigned retried;	/* the committer's: times run again after a lost batch */
};

typedef struct store_committer store_committer;

/*
 * Batch sizes are counted in buckets of powers of two: bucket i holds the
 * batches that settled at most 2^i jobs (and more than 2^(i-1)); the last
 * bucket, STORE_BATCH_BUCKETS, those above 2^(STORE_BATCH_BUCKETS-1).
 */
#define STORE_BATCH_BUCKETS 8

struct store_committer_stats {
	uint64_t batches;			 /* transactions committed or failed */
	uint64_t jobs;				 /* jobs settled (done() called) */
	uint64_t max_batch;			 /* most jobs in one batch */
	uint64_t sizes[STORE_BATCH_BUCKETS + 1]; /* batches by jobs settled, as above */
};

/*
 * Starts the committer thread of `s`, taking at most max_batch jobs per
 * batch (0: 128). NULL when the thread cannot be started. Other store_tx()
 * callers keep working: they wait for the batch in progress.
 */
store_committer *store_committer_start(store *s, unsigned max_batch);

/*
 * Sets a function the committer calls on its thread after every batch that
 * committed, before the jobs' done(): what it committed is visible to
 * readers by then (the API wakes long-polls with it). Set it before the
 * first submit.
 */
void store_committer_on_commit(store_committer *cm, void (*fn)(void *ctx), void *ctx);

/* Queues a job. False when the committer is stopping: run it some other way. */
bool store_committer_submit(store_committer *cm, struct store_job *job);

/*
 * Settles every job already queued and stops the thread; submit() refuses
 * jobs from then on. Once is enough; NULL is ignored.
 */
void store_committer_stop(store_committer *cm);

/* Stops the committer when still running, and frees it. NULL is ignored. */
void store_committer_free(store_committer *cm);

void store_committer_stats(store_committer *cm, struct store_committer_stats *out);

/*
 * store_read() borrows a read connection (waiting for one when all are in
 * use), runs `fn` inside one read transaction, so that it sees a single
 * snapshot, and gives the connection back.
 */
store_status store_read(store *s, store_tx_fn fn, void *ctx);

/*
 * True when the calling thread is inside a write transaction of this store
 * (a store_tx() or a committer batch): what it reads is not committed yet.
 */
bool store_in_own_tx(store *s);

/*
 * store_health() checks that a read connection answers, and reads the
 * schema version through it.
 */
store_status store_health(store *s, int *schema_version);

/*
 * store_file_sizes() reads the size of the database file and of its
 * write-ahead log (0 when there is none) from the file system.
 */
void store_file_sizes(store *s, uint64_t *db_bytes, uint64_t *wal_bytes);

/* Text of a status for logs and messages: "ok", "not found", ... */
const char *store_status_text(store_status st);

/* The path the store was opened at. */
const char *store_path(const store *s);

#endif
