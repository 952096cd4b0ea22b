/*
 * Online backup with SQLite's backup API. See include/store/store_backup.h
 * for the contract.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "store/store_backup.h"

/* What mkstemp() fills in after dest's name. */
static const char tmp_suffix[] = ".tmp-XXXXXX";

/*
 * How often a step that found the source locked is tried again, 10 ms
 * apart. The snapshot is held, so this only happens if a WAL recovery runs
 * while the copy starts.
 */
#define BACKUP_BUSY_ATTEMPTS 500

/* fsyncs the directory that holds `path`, so that a new name in it is durable. */
static int sync_parent_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash == NULL ? strdup(".")
				  : strndup(path, slash == path ? 1 : (size_t)(slash - path));
	if (dir == NULL) {
		errno = ENOMEM;
		return -1;
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = fd < 0 ? -1 : fsync(fd);
	int saved = errno;
	if (fd >= 0)
		close(fd);
	free(dir);
	errno = saved;
	return rc;
}

/* STORE_CONFLICT when dest exists and may not be replaced; STORE_ERROR when it is the database. */
static store_status check_dest(const store *s, const char *dest, bool replace,
			       char err[STORE_ERR_MAX])
{
	struct stat dest_st, src_st;
	if (stat(dest, &dest_st) != 0) {
		if (errno == ENOENT)
			return STORE_OK;
		snprintf(err, STORE_ERR_MAX, "cannot use %s: %s", dest, strerror(errno));
		return STORE_ERROR;
	}
	if (stat(s->path, &src_st) == 0 && src_st.st_dev == dest_st.st_dev &&
	    src_st.st_ino == dest_st.st_ino) {
		snprintf(err, STORE_ERR_MAX, "%s is the database itself", dest);
		return STORE_ERROR;
	}
	if (!replace) {
		snprintf(err, STORE_ERR_MAX, "%s exists", dest);
		return STORE_CONFLICT;
	}
	return STORE_OK;
}

/*
 * Copies the source, in steps, into the open `copy`. The source connection
 * is read-only and its own, so the copy never waits on, or takes a lock
 * from, the store's connections.
 */
static store_status copy_pages(const store *s, sqlite3 *copy, const char *tmp,
			       const struct store_backup_options *o, char err[STORE_ERR_MAX])
{
	int pages = o->pages_per_step > 0 ? o->pages_per_step : STORE_BACKUP_STEP_PAGES;
	store_status st = STORE_ERROR;
	sqlite3 *src = NULL;
	sqlite3_backup *b = NULL;
	bool in_snapshot = false;

	int rc = sqlite3_open_v2(s->path, &src, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_busy_timeout(src, (int)s->busy_timeout_ms);
	/*
	 * BEGIN is deferred: the SELECT starts the read transaction. Held until
	 * the end, it makes every step read the same snapshot, so the copy is
	 * consistent and is not restarted by the server's commits.
	 */
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(src, "BEGIN; SELECT count(*) FROM sqlite_schema", NULL, NULL,
				  NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, STORE_ERR_MAX, "cannot read database %s: %s", s->path,
			 src ? sqlite3_errmsg(src) : sqlite3_errstr(rc));
		goto out;
	}
	in_snapshot = true;
	b = sqlite3_backup_init(copy, "main", src, "main");
	if (b == NULL) {
		snprintf(err, STORE_ERR_MAX, "cannot back up %s: %s", s->path,
			 sqlite3_errmsg(copy));
		goto out;
	}
	for (unsigned busy = 0;;) {
		if (o->keep_going != NULL && !o->keep_going(o->ctx, sqlite3_backup_remaining(b),
							    sqlite3_backup_pagecount(b))) {
			snprintf(err, STORE_ERR_MAX, "stopped before the copy was complete");
			st = STORE_REJECTED;
			goto out;
		}
		rc = sqlite3_backup_step(b, pages);
		if (rc == SQLITE_DONE)
			break;
		if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
			if (++busy > BACKUP_BUSY_ATTEMPTS) {
				snprintf(err, STORE_ERR_MAX, "cannot back up %s: it stayed locked",
					 s->path);
				goto out;
			}
			sqlite3_sleep(10);
			continue;
		}
		if (rc != SQLITE_OK) {
			snprintf(err, STORE_ERR_MAX, "cannot back up %s to %s: %s", s->path, tmp,
				 sqlite3_errstr(rc));
			goto out;
		}
	}
	rc = sqlite3_backup_finish(b);
	b = NULL;
	if (rc != SQLITE_OK) {
		snprintf(err, STORE_ERR_MAX, "cannot back up %s to %s: %s", s->path, tmp,
			 sqlite3_errstr(rc));
		goto out;
	}
	st = STORE_OK;
out:
	if (b != NULL)
		sqlite3_backup_finish(b);
	/* A read transaction has nothing to keep; ending it cannot lose data. */
	if (in_snapshot)
		(void)sqlite3_exec(src, "ROLLBACK", NULL, NULL, NULL);
	if (src != NULL && sqlite3_close(src) != SQLITE_OK && st == STORE_OK) {
		snprintf(err, STORE_ERR_MAX, "cannot close database %s", s->path);
		st = STORE_ERROR;
	}
	return st;
}

/*
 * Gives the complete copy its name: rename() replaces an existing dest
 * atomically; link() refuses one atomically, also one made during the copy.
 */
static store_status place_copy(const char *tmp, const char *dest, bool replace,
			       char err[STORE_ERR_MAX])
{
	if (replace ? rename(tmp, dest) != 0 : link(tmp, dest) != 0) {
		if (errno == EEXIST) {
			snprintf(err, STORE_ERR_MAX, "%s exists", dest);
			return STORE_CONFLICT;
		}
		snprintf(err, STORE_ERR_MAX, "cannot write %s: %s", dest, strerror(errno));
		return STORE_ERROR;
	}
	if (!replace && unlink(tmp) != 0) {
		snprintf(err, STORE_ERR_MAX, "backup written to %s, but cannot remove %s: %s", dest,
			 tmp, strerror(errno));
		return STORE_ERROR;
	}
	if (sync_parent_dir(dest) != 0) {
		snprintf(err, STORE_ERR_MAX,
			 "backup written to %s, but cannot sync its directory: %s", dest,
			 strerror(errno));
		return STORE_ERROR;
	}
	return STORE_OK;
}

store_status store_backup(store *s, const char *dest, const struct store_backup_options *opts,
			  char err[STORE_ERR_MAX])
{
	static const struct store_backup_options defaults = {0};
	const struct store_backup_options *o = opts != NULL ? opts : &defaults;
	char *tmp = NULL;
	int fd = -1;
	sqlite3 *copy = NULL;
	bool tmp_exists = false;
	err[0] = '\0';

	store_status st = check_dest(s, dest, o->replace, err);
	if (st != STORE_OK)
		return st;
	st = STORE_ERROR;
	size_t len = strlen(dest);
	if (len > SIZE_MAX - sizeof(tmp_suffix) ||
	    (tmp = malloc(len + sizeof(tmp_suffix))) == NULL) {
		snprintf(err, STORE_ERR_MAX, "out of memory");
		goto out;
	}
	memcpy(tmp, dest, len);
	memcpy(tmp + len, tmp_suffix, sizeof(tmp_suffix));
	fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, STORE_ERR_MAX, "cannot create %s: %s", tmp, strerror(errno));
		goto out;
	}
	tmp_exists = true;
	/*
	 * The copy needs no journal: until it is renamed into place, a copy cut
	 * short is thrown away, never repaired.
	 */
	int rc = sqlite3_open_v2(tmp, &copy, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(copy, "PRAGMA journal_mode=OFF", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, STORE_ERR_MAX, "cannot write %s: %s", tmp,
			 copy ? sqlite3_errmsg(copy) : sqlite3_errstr(rc));
		goto out;
	}
	st = copy_pages(s, copy, tmp, o, err);
	if (st != STORE_OK)
		goto out;
	st = STORE_ERROR;
	rc = sqlite3_close(copy);
	copy = NULL;
	if (rc != SQLITE_OK) {
		snprintf(err, STORE_ERR_MAX, "cannot write %s: %s", tmp, sqlite3_errstr(rc));
		goto out;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		snprintf(err, STORE_ERR_MAX, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	/* On failure the cleanup below removes the temporary name if it is still there. */
	st = place_copy(tmp, dest, o->replace, err);
out:
	if (copy != NULL)
		sqlite3_close(copy);
	if (fd >= 0)
		close(fd);
	if (tmp_exists && st != STORE_OK)
		unlink(tmp);
	free(tmp);
	return st;
}
