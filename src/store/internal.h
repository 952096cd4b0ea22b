/*
 * Inside the SQLite store: connections and their prepared statements.
 * Nothing outside src/store/ includes this file.
 */
#ifndef DROPLINE_STORE_INTERNAL_H
#define DROPLINE_STORE_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>

#include "store/statements.h"
#include "store/store.h"

struct store_conn {
	sqlite3 *db;
	sqlite3_stmt *stmts[STMT_COUNT]; /* prepared on first use, kept */
	bool in_use;                     /* readers: borrowed by a thread */
};

struct store {
	char *path;
	unsigned busy_timeout_ms;
	store_conn writer;
	pthread_mutex_t writer_lock;

	store_conn *readers;
	unsigned nreaders;
	pthread_mutex_t readers_lock;
	pthread_cond_t readers_free;
};

/*
 * store_stmt() returns the connection's prepared statement `id`, preparing
 * it on first use, reset and with its bindings cleared; NULL (logged) when
 * it cannot be prepared. The statement stays owned by the connection.
 */
sqlite3_stmt *store_stmt(store_conn *c, stmt_id id);

/* Maps an SQLite result code to a store status (and logs errors). */
store_status store_status_of(store_conn *c, int rc, const char *what);

/* Binds text that may be NULL (bound as SQL NULL). */
int store_bind_text_or_null(sqlite3_stmt *st, int idx, const char *text);

/* Reads a column that may be NULL as a malloc'd copy (NULL for SQL NULL). */
char *store_column_strdup(sqlite3_stmt *st, int col);

/* Logs an SQLite failure with its context to stderr, once per event. */
void store_log_error(store_conn *c, const char *what);

#endif
