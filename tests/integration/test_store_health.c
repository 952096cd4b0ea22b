/*
 * A store that cannot write says so (docs/reliability.md): serve refuses
 * to start on a database it may not write, instead of answering every
 * POST with 500 behind a healthy /healthz; failing checkpoints and a WAL
 * growing past its bound are logged once per streak; and the stop line
 * says "stopped cleanly" only when the final checkpoint succeeded.
 *
 * Making a file unwritable: chmod 0444 for a user; root writes through
 * any mode, so as root the file is made immutable (chattr +i), and a case
 * that cannot be arranged is skipped with a line saying why.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "binary.h"
#include "harness.h"
#include "internal.h"
#include "store/store.h"

static char dir[256];
static char db[320];
static bool immutable; /* chattr +i was set on db: undone in teardown */

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/dropline-health-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/dropline.db", dir);
	immutable = false;
}

static void teardown(void)
{
	char cmd[700];
	if (immutable) {
		snprintf(cmd, sizeof(cmd), "chattr -i '%s'", db);
		ck_assert_int_eq(system(cmd), 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Makes db unwritable for this process; false (said why) when it cannot be done here. */
static bool make_unwritable(void)
{
	if (geteuid() != 0) {
		ck_assert_int_eq(chmod(db, 0444), 0);
		return true;
	}
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "chattr +i '%s' 2>/dev/null", db);
	if (system(cmd) != 0) {
		fprintf(stderr,
			"skipped: running as root, and chattr +i does not work on %s: "
			"no way to make a file unwritable here\n",
			dir);
		return false;
	}
	immutable = true;
	return true;
}

static void make_database(void)
{
	struct bin_run r;
	bin_run(&r, dir, NULL, (const char *[]){"demo", "--db", db, NULL});
	ck_assert_msg(r.status == 0, "%s", r.err);
}

START_TEST(serve_refuses_a_database_it_cannot_write)
{
	make_database();
	if (!make_unwritable())
		return;
	/* Before: "serving", /healthz 200 and every POST 500. */
	struct bin_run r;
	bin_run(&r, dir, NULL,
		(const char *[]){"serve", "--db", db, "--listen", "127.0.0.1:0", NULL});
	ck_assert_msg(r.status == 1, "exit %d: %s", r.status, r.err);
	ck_assert_msg(strstr(r.err, "cannot write database") != NULL, "%s", r.err);
	ck_assert_msg(strstr(r.err, "read-only") != NULL, "%s", r.err);
	ck_assert_msg(strstr(r.err, "serving on") == NULL, "%s", r.err);
}
END_TEST

START_TEST(store_open_refuses_a_database_it_cannot_write)
{
	make_database();
	if (!make_unwritable())
		return;
	store *s = NULL;
	char err[STORE_ERR_MAX];
	ck_assert_int_eq(store_open(db, NULL, &s, err), STORE_ERROR);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(err, "read-only") != NULL, "%s", err);
	/* Reading it stays possible (keys list, backup). */
	struct store_options ro = {.mode = STORE_OPEN_READ_ONLY};
	ck_assert_int_eq(store_open(db, &ro, &s, err), STORE_OK);
	store_close(s);
}
END_TEST

START_TEST(the_stop_line_says_when_the_final_checkpoint_failed)
{
	make_database();
	char err_path[400], text[8192];
	snprintf(err_path, sizeof(err_path), "%s/serve.err", dir);
	unsigned port = 0;
	pid_t pid = bin_serve(dir, db, err_path, &port);
	/* A reader holding a snapshot over a WAL with frames: no checkpoint can truncate it. */
	sqlite3 *h = NULL;
	ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(h,
				      "CREATE TABLE reader_mark (x); INSERT INTO reader_mark "
				      "VALUES (1); BEGIN; SELECT count(*) FROM reader_mark;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	ck_assert_int_eq(bin_stop(pid), 0);
	sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(h);
	bin_read_all(err_path, text, sizeof(text));
	ck_assert_msg(strstr(text, "stopped cleanly") == NULL, "%s", text);
	ck_assert_msg(strstr(text, "final checkpoint") != NULL, "%s", text);
	/* The next start reads the WAL: nothing was lost. */
	pid = bin_serve(dir, db, err_path, &port);
	ck_assert_int_eq(bin_stop(pid), 0);
	bin_read_all(err_path, text, sizeof(text));
	ck_assert_msg(strstr(text, "stopped cleanly") != NULL, "%s", text);
}
END_TEST

/* ---- logs of the WAL's health, through the store's own writer ---------------- */

/* stderr into a file for the length of a test; the file's text on the way back. */
static int saved_stderr = -1;

static void capture_stderr(const char *path)
{
	fflush(stderr);
	saved_stderr = dup(2);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(dup2(fd, 2), 0);
	close(fd);
}

static void release_stderr(const char *path, char *buf, size_t cap)
{
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	bin_read_all(path, buf, cap);
}

static size_t occurrences(const char *text, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}

static store_status fill(store_conn *c, void *ctx)
{
	int bytes = *(int *)ctx;
	char sql[160];
	snprintf(sql, sizeof(sql),
		 "CREATE TABLE IF NOT EXISTS filler (b BLOB); INSERT INTO filler VALUES "
		 "(randomblob(%d))",
		 bytes);
	return store_status_of(c, store_exec(c, sql), "fill");
}

/* A small commit: the WAL hook sees the emptied WAL (and logs "back within" now, not later). */
static void bytes_written_once(store *s)
{
	int bytes = 10;
	ck_assert_int_eq(store_tx(s, "fill", fill, &bytes), STORE_OK);
}

static store *open_migrated(uint64_t wal_warn_bytes)
{
	store *s = NULL;
	char err[STORE_ERR_MAX];
	struct store_options o = {.wal_warn_bytes = wal_warn_bytes};
	ck_assert_msg(store_open(db, &o, &s, err) == STORE_OK, "%s", err);
	ck_assert_msg(store_migrate(s, NULL, err) == STORE_OK, "%s", err);
	/* The migrations' writes out of the WAL: the test's own start from empty. */
	ck_assert_msg(store_checkpoint(s, err) == STORE_OK, "%s", err);
	bytes_written_once(s);
	return s;
}

START_TEST(a_wal_past_its_bound_is_logged_once_a_streak)
{
	char log_path[400], text[16384];
	snprintf(log_path, sizeof(log_path), "%s/store.err", dir);
	store *s = open_migrated(256 << 10);
	capture_stderr(log_path);
	/* A reader holds its snapshot: checkpoints cannot reset the WAL, which grows. */
	sqlite3 *h = NULL;
	ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
	ck_assert_int_eq(
		sqlite3_exec(h, "BEGIN; SELECT count(*) FROM schema_migrations;", NULL, NULL, NULL),
		SQLITE_OK);
	int bytes = 100000;
	for (int i = 0; i < 12; i++)
		ck_assert_int_eq(store_tx(s, "fill", fill, &bytes), STORE_OK);
	sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(h);
	/* The reader gone, a checkpoint empties the WAL; the next commit finds it small. */
	char err[STORE_ERR_MAX];
	ck_assert_int_eq(store_checkpoint(s, err), STORE_OK);
	bytes = 10;
	ck_assert_int_eq(store_tx(s, "fill", fill, &bytes), STORE_OK);
	release_stderr(log_path, text, sizeof(text));
	store_close(s);
	ck_assert_msg(occurrences(text, "the WAL grew past its bound") == 1, "%s", text);
	ck_assert_msg(occurrences(text, "the WAL is back within its bound") == 1, "%s", text);
}
END_TEST

START_TEST(failing_checkpoints_are_logged_once_a_streak)
{
	char log_path[400], text[16384];
	snprintf(log_path, sizeof(log_path), "%s/store.err", dir);
	store *s = open_migrated(0);
	/* The file stops taking writes while open: the WAL still does, checkpoints fail. */
	if (!make_unwritable() || geteuid() != 0) {
		if (geteuid() != 0)
			fprintf(stderr, "skipped: only root can make an open file unwritable "
					"(chattr +i); chmod does not stop an open descriptor\n");
		store_close(s);
		return;
	}
	capture_stderr(log_path);
	int bytes = 500000;
	for (int i = 0; i < 24; i++)
		ck_assert_int_eq(store_tx(s, "fill", fill, &bytes), STORE_OK);
	char err[STORE_ERR_MAX];
	ck_assert_int_ne(store_checkpoint(s, err), STORE_OK);
	release_stderr(log_path, text, sizeof(text));
	ck_assert_msg(occurrences(text, "checkpoint failed") == 1, "%s", text);
	/* Writable again: the next checkpoint succeeds and says so. */
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "chattr -i '%s'", db);
	ck_assert_int_eq(system(cmd), 0);
	immutable = false;
	capture_stderr(log_path);
	ck_assert_int_eq(store_tx(s, "fill", fill, &bytes), STORE_OK);
	release_stderr(log_path, text, sizeof(text));
	ck_assert_msg(occurrences(text, "checkpoints succeed again") == 1, "%s", text);
	store_close(s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("store_health");
	TCase *tc = tcase_create("store_health");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, serve_refuses_a_database_it_cannot_write);
	tcase_add_test(tc, store_open_refuses_a_database_it_cannot_write);
	tcase_add_test(tc, the_stop_line_says_when_the_final_checkpoint_failed);
	tcase_add_test(tc, a_wal_past_its_bound_is_logged_once_a_streak);
	tcase_add_test(tc, failing_checkpoints_are_logged_once_a_streak);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
