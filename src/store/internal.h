/*
 * Inside the SQLite store: connections and their prepared statements.
 * Nothing outside src/store/ includes this file (but white-box unit tests).
 */
#ifndef DROPLINE_STORE_INTERNAL_H
#define DROPLINE_STORE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <jansson.h>
#include <sqlite3.h>

#include "domain/apikey.h"
#include "domain/log.h"
#include "statements.h"
#include "store/store.h"
#include "store/store_fulfilment.h"

/* Statements whose text is composed at run time (lists with filters). */
#define STORE_DYNAMIC_STMTS 32

struct dynamic_stmt {
	char *sql;
	sqlite3_stmt *stmt;
};

struct store_conn {
	sqlite3 *db;
	sqlite3_stmt *stmts[STMT_COUNT]; /* prepared on first use, kept */
	struct dynamic_stmt dynamic[STORE_DYNAMIC_STMTS];
	unsigned dynamic_next; /* the slot to reuse when all are taken */
	bool in_use;	       /* readers: borrowed by a thread */
	/* The last failure store_status_of() saw (BUSY, FULL, ERROR); the committer's. */
	store_status last_failure;
	const struct logger *log; /* the store's */
};

struct store {
	char *path;
	const struct logger *log; /* the options' logger, or own_log */
	struct logger *own_log;	  /* made when the options gave none */
	unsigned busy_timeout_ms;
	uint64_t max_bytes; /* 0: no cap */
	store_conn writer;
	pthread_mutex_t writer_lock;
	/*
	 * The thread inside a store_tx() or a batch (store_thread_id()), 0
	 * when none: a store_tx() or store_read() it calls runs inside that
	 * transaction.
	 */
	atomic_ulong writer_tid;

	store_conn *readers;
	unsigned nreaders;
	pthread_mutex_t readers_lock;
	pthread_cond_t readers_free;

	/* The WAL's health, kept by the writer's WAL hook (under the writer lock). */
	uint64_t wal_warn_bytes; /* log when the WAL holds more than this */
	unsigned page_size;	 /* bytes of a WAL frame's page */
	bool checkpoint_failing; /* the last checkpoint failed: logged once a streak */
	bool wal_over;		 /* the WAL is past wal_warn_bytes: logged once a streak */
};

/*
 * store_stmt() returns the connection's prepared statement `id`, preparing
 * it on first use, reset and with its bindings cleared; NULL (logged) when
 * it cannot be prepared. The statement stays owned by the connection.
 */
sqlite3_stmt *store_stmt(store_conn *c, stmt_id id);

/*
 * store_stmt_sql() is store_stmt() for a statement composed at run time from
 * the store's own fixed fragments (never from request text: values are
 * always bound). The connection keeps the last STORE_DYNAMIC_STMTS of them
 * prepared, so a list with the same filters is prepared once.
 */
sqlite3_stmt *store_stmt_sql(store_conn *c, const char *sql);

/*
 * store_row_record() turns the current row into a JSON object keyed by
 * column name (integers, text, null). NULL when out of memory.
 */
json_t *store_row_record(sqlite3_stmt *st);

/* Runs SQL with no results (pragmas, BEGIN, COMMIT, SAVEPOINT) on a connection. */
int store_exec(store_conn *c, const char *sql);

/*
 * The calling thread's pthread_self() as a number (glibc's pthread_t is
 * one, never 0), which tells the writer's owner apart without a system call.
 */
unsigned long store_thread_id(void);

/* BEGIN IMMEDIATE on the writer, retried while busy (the caller holds writer_lock). */
store_status store_begin_immediate(store *s, const char *name);

/* Maps an SQLite result code to a store status (and logs errors). */
store_status store_status_of(store_conn *c, int rc, const char *what);

/*
 * Binds ?1 a record's id, ?2 1 for a retailer or 2 for a brand, ?3 the
 * party's id: the scope of the statements that read one record of a party.
 */
void store_bind_scope(sqlite3_stmt *st, int64_t id, party_kind party, int64_t party_id);

/*
 * store_step_one() steps a statement that answers at most one row: calls
 * `row` on it and answers STORE_OK, or STORE_NOT_FOUND when there is none.
 * Resets the statement either way.
 */
typedef void (*store_row_fn)(sqlite3_stmt *st, void *out);
store_status store_step_one(store_conn *c, sqlite3_stmt *st, store_row_fn row, void *out,
			    const char *what);

/* store_step_done() steps a statement that answers no row (a write) once, and resets it. */
store_status store_step_done(store_conn *c, sqlite3_stmt *st, const char *what);

/*
 * store_insert_lines() inserts the lines of a shipment or a cancellation:
 * `stmt` takes ?1 the parent's id, ?2 the order line's id, ?3 the quantity.
 */
store_status store_insert_lines(store_conn *c, stmt_id stmt, int64_t parent_id,
				const struct line_quantity *lines, size_t n, const char *what);

/* Binds text that may be NULL (bound as SQL NULL). */
int store_bind_text_or_null(sqlite3_stmt *st, int idx, const char *text);

/* Reads a column that may be NULL as a malloc'd copy (NULL for SQL NULL). */
char *store_column_strdup(sqlite3_stmt *st, int col);

/* Logs an SQLite failure with its context to stderr, once per event. */
void store_log_error(store_conn *c, const char *what);

#endif
