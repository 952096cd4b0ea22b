/*
 * SQLite store: connections, pragmas, the transaction runner and the
 * statement cache. See include/store/store.h for the contract.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "store/embedded.h"

static const char *const stmt_sql[STMT_COUNT] = {
#define STMT_SQL(name, sql) [name] = sql, /* NOLINT(bugprone-macro-parentheses) */
	STORE_STATEMENTS(STMT_SQL)
#undef STMT_SQL
};

/* How many times store_tx() retries a transaction that found the store busy. */
#define STORE_TX_ATTEMPTS 3

const char *store_path(const store *s)
{
	return s->path;
}

const char *store_status_text(store_status st)
{
	switch (st) {
	case STORE_OK: return "ok";
	case STORE_NOT_FOUND: return "not found";
	case STORE_CONFLICT: return "conflict";
	case STORE_BUSY: return "busy";
	case STORE_ERROR: return "error";
	case STORE_REJECTED: return "rejected";
	case STORE_FULL: return "full";
	}
	return "unknown";
}

void store_log_error(store_conn *c, const char *what)
{
	log_json(c->log, LOG_ERROR,
		 json_pack("{s:s, s:s, s:i, s:s}", "component", "store", "what", what, "sqlite",
			   sqlite3_extended_errcode(c->db), "message", sqlite3_errmsg(c->db)));
}

store_status store_status_of(store_conn *c, int rc, const char *what)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW: return STORE_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: c->last_failure = STORE_BUSY; return STORE_BUSY;
	case SQLITE_CONSTRAINT: return STORE_CONFLICT;
	case SQLITE_FULL:
		store_log_error(c, what);
		c->last_failure = STORE_FULL;
		return STORE_FULL;
	default:
		store_log_error(c, what);
		c->last_failure = STORE_ERROR;
		return STORE_ERROR;
	}
}

sqlite3_stmt *store_stmt(store_conn *c, stmt_id id)
{
	sqlite3_stmt *st = c->stmts[id];
	if (st == NULL) {
		int rc = sqlite3_prepare_v3(c->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &st,
					    NULL);
		if (rc != SQLITE_OK) {
			store_log_error(c, stmt_sql[id]);
			sqlite3_finalize(st);
			return NULL;
		}
		c->stmts[id] = st;
		return st;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

sqlite3_stmt *store_stmt_sql(store_conn *c, const char *sql)
{
	for (unsigned i = 0; i < STORE_DYNAMIC_STMTS; i++) {
		struct dynamic_stmt *d = &c->dynamic[i];
		if (d->sql != NULL && strcmp(d->sql, sql) == 0) {
			sqlite3_reset(d->stmt);
			sqlite3_clear_bindings(d->stmt);
			return d->stmt;
		}
	}
	sqlite3_stmt *st = NULL;
	char *copy = strdup(sql);
	if (copy == NULL)
		return NULL;
	if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		store_log_error(c, sql);
		sqlite3_finalize(st);
		free(copy);
		return NULL;
	}
	struct dynamic_stmt *d = &c->dynamic[c->dynamic_next];
	c->dynamic_next = (c->dynamic_next + 1) % STORE_DYNAMIC_STMTS;
	sqlite3_finalize(d->stmt);
	free(d->sql);
	d->sql = copy;
	d->stmt = st;
	return st;
}

json_t *store_row_record(sqlite3_stmt *st)
{
	json_t *rec = json_object();
	int n = sqlite3_column_count(st);
	for (int i = 0; rec != NULL && i < n; i++) {
		json_t *v;
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER: v = json_integer(sqlite3_column_int64(st, i)); break;
		case SQLITE_NULL: v = json_null(); break;
		default:
			v = json_stringn((const char *)sqlite3_column_text(st, i),
					 (size_t)sqlite3_column_bytes(st, i));
			break;
		}
		if (v == NULL || json_object_set_new(rec, sqlite3_column_name(st, i), v) != 0) {
			json_decref(rec);
			rec = NULL;
		}
	}
	return rec;
}

void store_bind_scope(sqlite3_stmt *st, int64_t id, party_kind party, int64_t party_id)
{
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, party == PARTY_RETAILER ? 1 : 2);
	sqlite3_bind_int64(st, 3, party_id);
}

store_status store_step_one(store_conn *c, sqlite3_stmt *st, store_row_fn row, void *out,
			    const char *what)
{
	int rc = sqlite3_step(st);
	store_status res;
	if (rc == SQLITE_ROW) {
		row(st, out);
		res = STORE_OK;
	} else if (rc == SQLITE_DONE) {
		res = STORE_NOT_FOUND;
	} else {
		res = store_status_of(c, rc, what);
	}
	sqlite3_reset(st);
	return res;
}

store_status store_step_done(store_conn *c, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return store_status_of(c, rc, what);
}

store_status store_insert_lines(store_conn *c, stmt_id stmt, int64_t parent_id,
				const struct line_quantity *lines, size_t n, const char *what)
{
	store_status res = STORE_OK;
	for (size_t i = 0; i < n && res == STORE_OK; i++) {
		sqlite3_stmt *st = store_stmt(c, stmt);
		if (st == NULL)
			return STORE_ERROR;
		sqlite3_bind_int64(st, 1, parent_id);
		sqlite3_bind_int64(st, 2, lines[i].order_line_id);
		sqlite3_bind_int64(st, 3, lines[i].quantity);
		res = store_step_done(c, st, what);
	}
	return res;
}

int store_bind_text_or_null(sqlite3_stmt *st, int idx, const char *text)
{
	if (text == NULL)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, text, -1, SQLITE_TRANSIENT);
}

char *store_column_strdup(sqlite3_stmt *st, int col)
{
	const unsigned char *text = sqlite3_column_text(st, col);
	return text == NULL ? NULL : strdup((const char *)text);
}

int store_exec(store_conn *c, const char *sql)
{
	return sqlite3_exec(c->db, sql, NULL, NULL, NULL);
}

static void conn_close(store_conn *c)
{
	for (int i = 0; i < STMT_COUNT; i++) {
		sqlite3_finalize(c->stmts[i]);
		c->stmts[i] = NULL;
	}
	for (unsigned i = 0; i < STORE_DYNAMIC_STMTS; i++) {
		sqlite3_finalize(c->dynamic[i].stmt);
		free(c->dynamic[i].sql);
		c->dynamic[i].stmt = NULL;
		c->dynamic[i].sql = NULL;
	}
	if (c->db != NULL) {
		int rc = sqlite3_close(c->db);
		if (rc != SQLITE_OK)
			fprintf(stderr, "store: closing a connection: %s\n", sqlite3_errstr(rc));
		c->db = NULL;
	}
}

/*
 * Caps the database file at max_bytes (rounded down to whole pages, at
 * least one page more than it has), through max_page_count: a write that
 * would grow past it fails with SQLITE_FULL, as on a full disk.
 */
static int apply_size_cap(store_conn *c, uint64_t max_bytes)
{
	sqlite3_stmt *st = NULL;
	int64_t page_size = 4096;
	if (sqlite3_prepare_v2(c->db, "PRAGMA page_size", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		page_size = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	/* 0 would only ask for the current value; SQLite raises 1 to the pages in use. */
	uint64_t pages = max_bytes / (uint64_t)page_size;
	char sql[64];
	/* A pragma takes no bound parameter; the number is ours, not a client's. */
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %llu",
		 (unsigned long long)(pages ? pages : 1));
	return store_exec(c, sql);
}

store_status store_set_max_bytes(store *s, uint64_t max_bytes)
{
	pthread_mutex_lock(&s->writer_lock);
	s->max_bytes = max_bytes;
	/* 0 lifts the cap: SQLite's own limit is about 4 billion pages. */
	int rc = apply_size_cap(&s->writer, max_bytes ? max_bytes : (uint64_t)4294967294 * 4096);
	pthread_mutex_unlock(&s->writer_lock);
	return rc == SQLITE_OK ? STORE_OK : STORE_ERROR;
}

/*
 * Opens one connection with the pragmas every connection needs. synchronous
 * is FULL: in WAL mode NORMAL can lose the last transactions on power loss,
 * and a 201 must mean the order is on disk. In STORE_OPEN_READ_ONLY the
 * "writer" too is opened as a reader: setting the journal mode would write.
 */
static store_status conn_open(store *s, store_conn *c, bool writer, store_open_mode open_mode,
			      char err[STORE_ERR_MAX])
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	if (writer && open_mode == STORE_OPEN_CREATE)
		flags |= SQLITE_OPEN_CREATE;
	if (open_mode == STORE_OPEN_READ_ONLY) {
		flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX;
		writer = false;
	}
	memset(c, 0, sizeof(*c));
	c->log = s->log;
	int rc = sqlite3_open_v2(s->path, &c->db, flags, NULL);
	if (rc != SQLITE_OK) {
		/* SQLite says "unable to open database file"; name the common cause. */
		bool missing = !(flags & SQLITE_OPEN_CREATE) && access(s->path, F_OK) != 0 &&
			       errno == ENOENT;
		if (missing)
			snprintf(err, STORE_ERR_MAX, "no database at %s", s->path);
		else
			snprintf(err, STORE_ERR_MAX, "cannot open database %s: %s", s->path,
				 c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		conn_close(c);
		return missing ? STORE_NOT_FOUND : STORE_ERROR;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, (int)s->busy_timeout_ms);
	const char *pragmas =
		writer ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
		       : "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA query_only=ON;";
	rc = store_exec(c, pragmas);
	if (rc != SQLITE_OK) {
		snprintf(err, STORE_ERR_MAX, "cannot use database %s: %s", s->path,
			 sqlite3_errmsg(c->db));
		conn_close(c);
		return (rc & 0xff) == SQLITE_BUSY ? STORE_BUSY : STORE_ERROR;
	}
	if (writer && s->max_bytes > 0 && apply_size_cap(c, s->max_bytes) != SQLITE_OK) {
		snprintf(err, STORE_ERR_MAX, "cannot use database %s: %s", s->path,
			 sqlite3_errmsg(c->db));
		conn_close(c);
		return STORE_ERROR;
	}
	if (writer && sqlite3_db_readonly(c->db, "main") == 1) {
		/* SQLite opens a file it may not write read-only, silently: every write would fail.
		 */
		snprintf(err, STORE_ERR_MAX,
			 "cannot write database %s: it opens read-only (may this user write the "
			 "file and its directory? is it immutable or on a read-only mount?)",
			 s->path);
		conn_close(c);
		return STORE_ERROR;
	}
	if (writer) {
		/* journal_mode answers a row; check that WAL really took. */
		sqlite3_stmt *st = NULL;
		bool wal = false;
		if (sqlite3_prepare_v2(c->db, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW) {
			const unsigned char *mode = sqlite3_column_text(st, 0);
			wal = mode != NULL && strcmp((const char *)mode, "wal") == 0;
		}
		sqlite3_finalize(st);
		if (!wal) {
			snprintf(err, STORE_ERR_MAX,
				 "cannot use database %s: WAL mode is not available there",
				 s->path);
			conn_close(c);
			return STORE_ERROR;
		}
	}
	return STORE_OK;
}

/* One line of the store's health, through the store's logger as store_log_error() writes. */
static void log_health(const struct logger *log, log_level level, const char *message,
		       store_conn *c, uint64_t wal_bytes)
{
	json_t *line = json_pack("{s:s, s:s, s:I}", "component", "store", "message", message,
				 "wal_bytes", (json_int_t)wal_bytes);
	if (line != NULL && c != NULL) {
		json_object_set_new(line, "sqlite", json_integer(sqlite3_extended_errcode(c->db)));
		json_object_set_new(line, "sqlite_message", json_string(sqlite3_errmsg(c->db)));
	}
	log_json(log, level, line);
}

/*
 * After every commit of the writer: checkpoint once the WAL holds
 * STORE_CHECKPOINT_PAGES (what SQLite's own hook does, which this one
 * replaces), and say when checkpoints fail or the WAL grows past its bound,
 * once per streak each, not once per commit.
 */
static int wal_hook(void *ctx, sqlite3 *db, const char *name, int pages)
{
	store *s = ctx;
	(void)name;
	store_conn *c = &s->writer;
	uint64_t bytes = (uint64_t)pages * s->page_size;
	if (pages >= STORE_CHECKPOINT_PAGES) {
		int in_log = 0, done = 0;
		int rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, &in_log,
						   &done);
		if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY) {
			if (!s->checkpoint_failing)
				log_health(c->log, LOG_ERROR,
					   "checkpoint failed: the WAL keeps every write and grows "
					   "until one succeeds",
					   c, bytes);
			s->checkpoint_failing = true;
		} else if (rc == SQLITE_OK && s->checkpoint_failing) {
			log_health(c->log, LOG_INFO, "checkpoints succeed again", NULL, bytes);
			s->checkpoint_failing = false;
		}
	}
	if (bytes > s->wal_warn_bytes && !s->wal_over) {
		log_health(c->log, LOG_WARN,
			   "the WAL grew past its bound: checkpoints are not keeping up (a reader "
			   "holding an old snapshot, or a failing disk)",
			   NULL, bytes);
		s->wal_over = true;
	} else if (bytes <= s->wal_warn_bytes && s->wal_over) {
		log_health(c->log, LOG_INFO, "the WAL is back within its bound", NULL, bytes);
		s->wal_over = false;
	}
	return SQLITE_OK;
}

store_status store_checkpoint(store *s, char err[STORE_ERR_MAX])
{
	pthread_mutex_lock(&s->writer_lock);
	store_conn *c = &s->writer;
	int rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	store_status st = STORE_OK;
	if (rc != SQLITE_OK) {
		snprintf(err, STORE_ERR_MAX, "checkpoint of %s failed: %s", s->path,
			 sqlite3_errmsg(c->db));
		st = (rc & 0xff) == SQLITE_BUSY ? STORE_BUSY : STORE_ERROR;
	}
	pthread_mutex_unlock(&s->writer_lock);
	return st;
}

int store_latest_version(void)
{
	int latest = 0;
	for (size_t i = 0; i < embedded_migrations_count; i++)
		if (embedded_migrations[i].version > latest)
			latest = embedded_migrations[i].version;
	return latest;
}

static store_status ensure_migrations_table(store_conn *c)
{
	int rc = store_exec(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
			       "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
			       "applied_at INTEGER NOT NULL)");
	return store_status_of(c, rc, "create schema_migrations");
}

static store_status read_schema_version(store_conn *c, int *version)
{
	sqlite3_stmt *st = NULL;
	*version = 0;
	/*
	 * Only STORE_OPEN_CREATE makes the table; a database opened otherwise
	 * may not have it yet (never migrated): version 0.
	 */
	int rc = sqlite3_prepare_v2(c->db,
				    "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = "
				    "'schema_migrations'",
				    -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_ROW)
		return store_status_of(c, rc, "read schema version");
	rc = sqlite3_prepare_v2(c->db, "SELECT coalesce(max(version), 0) FROM schema_migrations",
				-1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			*version = sqlite3_column_int(st, 0);
	}
	sqlite3_finalize(st);
	return store_status_of(c, rc, "read schema version");
}

store_status store_schema_version(store *s, int *version)
{
	pthread_mutex_lock(&s->writer_lock);
	store_status st = read_schema_version(&s->writer, version);
	pthread_mutex_unlock(&s->writer_lock);
	return st;
}

/*
 * Process-wide SQLite settings, before its first use: no memory statistics,
 * which otherwise take a global mutex on every allocation of every
 * connection (measured: the readers contended on it).
 */
static void sqlite_configure(void)
{
	/* SQLITE_MISUSE when SQLite was already in use (a test): only slower, never wrong. */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

store_status store_open(const char *path, const struct store_options *opts, store **out,
			char err[STORE_ERR_MAX])
{
	static pthread_once_t configured = PTHREAD_ONCE_INIT;
	pthread_once(&configured, sqlite_configure);
	*out = NULL;
	err[0] = '\0';
	store *s = calloc(1, sizeof(*s));
	if (s == NULL || (s->path = strdup(path)) == NULL) {
		free(s);
		snprintf(err, STORE_ERR_MAX, "out of memory");
		return STORE_ERROR;
	}
	s->log = opts ? opts->log : NULL;
	if (s->log == NULL) {
		s->own_log = logger_new(stderr, LOG_INFO);
		s->log = s->own_log;
	}
	s->busy_timeout_ms = opts && opts->busy_timeout_ms ? opts->busy_timeout_ms : 5000;
	s->max_bytes = opts ? opts->max_bytes : 0;
	s->nreaders = opts && opts->readers ? opts->readers : 1;
	pthread_mutex_init(&s->writer_lock, NULL);
	atomic_init(&s->writer_tid, 0);
	pthread_mutex_init(&s->readers_lock, NULL);
	pthread_cond_init(&s->readers_free, NULL);

	store_open_mode mode = opts ? opts->mode : STORE_OPEN_CREATE;
	store_status st = conn_open(s, &s->writer, true, mode, err);
	if (st != STORE_OK)
		goto fail;
	s->wal_warn_bytes =
		opts && opts->wal_warn_bytes ? opts->wal_warn_bytes : STORE_WAL_WARN_BYTES;
	s->page_size = 4096;
	if (mode != STORE_OPEN_READ_ONLY) {
		sqlite3_stmt *ps = NULL;
		if (sqlite3_prepare_v2(s->writer.db, "PRAGMA page_size", -1, &ps, NULL) ==
			    SQLITE_OK &&
		    sqlite3_step(ps) == SQLITE_ROW && sqlite3_column_int(ps, 0) > 0)
			s->page_size = (unsigned)sqlite3_column_int(ps, 0);
		sqlite3_finalize(ps);
		sqlite3_wal_hook(s->writer.db, wal_hook, s);
	}
	/* The other modes must not change a database that was never migrated. */
	st = mode == STORE_OPEN_CREATE ? ensure_migrations_table(&s->writer) : STORE_OK;
	if (st != STORE_OK) {
		snprintf(err, STORE_ERR_MAX, "cannot write database %s: %s", path,
			 sqlite3_errmsg(s->writer.db));
		goto fail;
	}
	int version = 0;
	st = read_schema_version(&s->writer, &version);
	if (st != STORE_OK) {
		snprintf(err, STORE_ERR_MAX, "cannot read database %s: %s", path,
			 sqlite3_errmsg(s->writer.db));
		goto fail;
	}
	if (version > store_latest_version()) {
		snprintf(err, STORE_ERR_MAX,
			 "database %s has schema version %d, newer than this dropline knows (%d): "
			 "run a newer dropline",
			 path, version, store_latest_version());
		st = STORE_ERROR;
		goto fail;
	}
	s->readers = calloc(s->nreaders, sizeof(*s->readers));
	if (s->readers == NULL) {
		snprintf(err, STORE_ERR_MAX, "out of memory");
		st = STORE_ERROR;
		goto fail;
	}
	for (unsigned i = 0; i < s->nreaders; i++) {
		st = conn_open(s, &s->readers[i], false, mode, err);
		if (st != STORE_OK)
			goto fail;
	}
	*out = s;
	return STORE_OK;
fail:
	store_close(s);
	return st;
}

void store_close(store *s)
{
	if (s == NULL)
		return;
	if (s->readers != NULL)
		for (unsigned i = 0; i < s->nreaders; i++)
			conn_close(&s->readers[i]);
	free(s->readers);
	conn_close(&s->writer);
	pthread_cond_destroy(&s->readers_free);
	pthread_mutex_destroy(&s->readers_lock);
	pthread_mutex_destroy(&s->writer_lock);
	free(s->path);
	logger_free(s->own_log);
	free(s);
}

static store_status apply_migration(store_conn *c, void *ctx)
{
	const struct embedded_migration *m = ctx;
	int rc = store_exec(c, m->sql);
	if (rc != SQLITE_OK)
		return store_status_of(c, rc, m->name);
	sqlite3_stmt *st = NULL;
	rc = sqlite3_prepare_v2(c->db,
				"INSERT INTO schema_migrations (version, name, applied_at) "
				"VALUES (?1, ?2, unixepoch())",
				-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int(st, 1, m->version);
		sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	return store_status_of(c, rc, "record migration");
}

store_status store_migrate(store *s, int *applied, char err[STORE_ERR_MAX])
{
	int count = 0;
	store_status st = STORE_OK;
	err[0] = '\0';
	for (size_t i = 0; i < embedded_migrations_count; i++) {
		const struct embedded_migration *m = &embedded_migrations[i];
		int version = 0;
		st = store_schema_version(s, &version);
		if (st != STORE_OK)
			break;
		if (m->version <= version)
			continue;
		st = store_tx(s, m->name, apply_migration, (void *)(uintptr_t)m);
		if (st != STORE_OK) {
			pthread_mutex_lock(&s->writer_lock);
			snprintf(err, STORE_ERR_MAX, "migration %s failed: %s", m->name,
				 sqlite3_errmsg(s->writer.db));
			pthread_mutex_unlock(&s->writer_lock);
			break;
		}
		count++;
	}
	if (applied != NULL)
		*applied = count;
	return st;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

unsigned long store_thread_id(void)
{
	return (unsigned long)pthread_self();
}

bool store_in_own_tx(store *s)
{
	return atomic_load(&s->writer_tid) == store_thread_id();
}

store_status store_begin_immediate(store *s, const char *name)
{
	store_status st = STORE_BUSY;
	for (int attempt = 0; attempt < STORE_TX_ATTEMPTS && st == STORE_BUSY; attempt++) {
		if (attempt > 0)
			sleep_ms(10L << attempt);
		st = store_status_of(&s->writer, store_exec(&s->writer, "BEGIN IMMEDIATE"), name);
	}
	return st;
}

/*
 * A store_tx() inside another: a savepoint in the outer transaction, so the
 * inner one can fail alone and the outer one still decides what commits.
 */
static store_status nested_tx(store *s, const char *name, store_tx_fn fn, void *ctx)
{
	store_conn *c = &s->writer;
	/*
	 * SQLite rolled the outer transaction back (a full disk): writing on
	 * now would commit on its own, outside it. Fail like the statement did.
	 */
	if (sqlite3_get_autocommit(c->db))
		return c->last_failure != STORE_OK ? c->last_failure : STORE_ERROR;
	int rc = store_exec(c, "SAVEPOINT nested");
	store_status st = store_status_of(c, rc, name);
	if (st != STORE_OK)
		return st;
	st = fn(c, ctx);
	if (st != STORE_OK)
		store_exec(c, "ROLLBACK TO nested");
	rc = store_exec(c, "RELEASE nested");
	if (st == STORE_OK)
		st = store_status_of(c, rc, name);
	return st;
}

store_status store_tx(store *s, const char *name, store_tx_fn fn, void *ctx)
{
	if (store_in_own_tx(s))
		return nested_tx(s, name, fn, ctx);
	store_conn *c = &s->writer;
	store_status st = STORE_BUSY;
	pthread_mutex_lock(&s->writer_lock);
	atomic_store(&s->writer_tid, store_thread_id());
	for (int attempt = 0; attempt < STORE_TX_ATTEMPTS; attempt++) {
		if (attempt > 0)
			sleep_ms(10L << attempt);
		int rc = store_exec(c, "BEGIN IMMEDIATE");
		st = store_status_of(c, rc, name);
		if (st == STORE_BUSY)
			continue;
		if (st != STORE_OK)
			break;
		st = fn(c, ctx);
		if (st == STORE_OK) {
			rc = store_exec(c, "COMMIT");
			st = store_status_of(c, rc, name);
			if (st == STORE_OK)
				break;
		}
		/* Also after a failed COMMIT: SQLite may keep the transaction open. */
		if (!sqlite3_get_autocommit(c->db))
			store_exec(c, "ROLLBACK");
		if (st != STORE_BUSY)
			break;
	}
	atomic_store(&s->writer_tid, 0);
	pthread_mutex_unlock(&s->writer_lock);
	return st;
}

/* Runs a prepared statement that answers no rows (BEGIN, COMMIT) once. */
static int step_stmt(store_conn *c, stmt_id id)
{
	sqlite3_stmt *st = store_stmt(c, id);
	if (st == NULL)
		return SQLITE_ERROR;
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static store_conn *reader_acquire(store *s)
{
	store_conn *c = NULL;
	pthread_mutex_lock(&s->readers_lock);
	for (;;) {
		for (unsigned i = 0; i < s->nreaders; i++) {
			if (!s->readers[i].in_use) {
				c = &s->readers[i];
				c->in_use = true;
				break;
			}
		}
		if (c != NULL)
			break;
		pthread_cond_wait(&s->readers_free, &s->readers_lock);
	}
	pthread_mutex_unlock(&s->readers_lock);
	return c;
}

static void reader_release(store *s, store_conn *c)
{
	pthread_mutex_lock(&s->readers_lock);
	c->in_use = false;
	pthread_cond_signal(&s->readers_free);
	pthread_mutex_unlock(&s->readers_lock);
}

store_status store_read(store *s, store_tx_fn fn, void *ctx)
{
	/* Inside a write transaction, read what it has written so far. */
	if (store_in_own_tx(s))
		return fn(&s->writer, ctx);
	store_conn *c = reader_acquire(s);
	/* Prepared once: parsing BEGIN and COMMIT was a tenth of a cached GET (perf). */
	int rc = step_stmt(c, STMT_BEGIN);
	store_status st = store_status_of(c, rc, "begin read");
	if (st == STORE_OK) {
		st = fn(c, ctx);
		/* A read transaction has nothing to keep: end it either way. */
		step_stmt(c, st == STORE_OK ? STMT_COMMIT : STMT_ROLLBACK);
	}
	reader_release(s, c);
	return st;
}

static store_status health_check(store_conn *c, void *ctx)
{
	int *version = ctx;
	sqlite3_stmt *st = store_stmt(c, STMT_HEALTH);
	if (st == NULL)
		return STORE_ERROR;
	int rc = sqlite3_step(st);
	store_status res = rc == SQLITE_ROW ? STORE_OK : store_status_of(c, rc, "health");
	if (res == STORE_OK)
		*version = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return res;
}

store_status store_health(store *s, int *schema_version)
{
	int version = 0;
	store_status st = store_read(s, health_check, &version);
	if (schema_version != NULL)
		*schema_version = version;
	return st;
}

void store_file_sizes(store *s, uint64_t *db_bytes, uint64_t *wal_bytes)
{
	struct stat st;
	*db_bytes = stat(s->path, &st) == 0 ? (uint64_t)st.st_size : 0;
	*wal_bytes = 0;
	size_t n = strlen(s->path);
	char *wal = malloc(n + sizeof("-wal"));
	if (wal == NULL)
		return;
	memcpy(wal, s->path, n);
	memcpy(wal + n, "-wal", sizeof("-wal"));
	if (stat(wal, &st) == 0)
		*wal_bytes = (uint64_t)st.st_size;
	free(wal);
}
