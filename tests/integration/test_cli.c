/*
 * The dropline binary as a user runs it: commands, options, exit statuses,
 * one-line errors, keys, catalog import, and serve with a clean SIGTERM.
 * Every usage form of --help and the README runs as written; commands that
 * need an existing database create none; ports are checked; SIGHUP does not
 * stop the server.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <sys/wait.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>

#include <curl/curl.h>

#include "binary.h"
#include "harness.h"

static char dir[256], db[320];

/* Runs dropline from the test's directory with `env` set (see bin_run()). */
static void run_cli_env(struct bin_run *r, const char *const *env, const char *const *args)
{
	bin_run(r, dir, env, args);
}

static void run_cli(struct bin_run *r, const char *const *args)
{
	run_cli_env(r, NULL, args);
}

static size_t count_lines(const char *text)
{
	size_t n = 0;
	for (; *text; text++)
		n += *text == '\n';
	return n;
}

static long long scalar(const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	ck_assert_int_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	long long v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/dropline-cli-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/dropline.db", dir);
}

static void teardown(void)
{
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(version_and_help)
{
	struct bin_run r;
	run_cli(&r, (const char *[]){"--version", NULL});
	ck_assert_int_eq(r.status, 0);
	ck_assert(strncmp(r.out, "dropline ", 9) == 0);
	run_cli(&r, (const char *[]){"--help", NULL});
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "serve"));
	ck_assert_ptr_nonnull(strstr(r.out, "catalog import"));
	static const char *const commands[] = {"serve",	  "demo",    "keys",  "clients",
					       "catalog", "migrate", "backup"};
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		run_cli(&r, (const char *[]){commands[i], "--help", NULL});
		ck_assert_msg(r.status == 0, "%s --help: %d", commands[i], r.status);
		ck_assert_msg(strstr(r.out, "usage: dropline") != NULL, "%s", r.out);
		run_cli(&r, (const char *[]){"help", commands[i], NULL});
		ck_assert_int_eq(r.status, 0);
	}
}
END_TEST

START_TEST(unknown_command_and_option_exit_2_with_one_line)
{
	struct bin_run r;
	run_cli(&r, (const char *[]){"frobnicate", NULL});
	ck_assert_int_eq(r.status, 2);
	ck_assert_uint_eq(count_lines(r.err), 1);
	run_cli(&r, (const char *[]){"serve", "--colour", "red", NULL});
	ck_assert_int_eq(r.status, 2);
	ck_assert_uint_eq(count_lines(r.err), 1);
	ck_assert_ptr_nonnull(strstr(r.err, "--colour"));
	run_cli(&r, (const char *[]){"serve", "--threads", "0", NULL});
	ck_assert_int_eq(r.status, 2);
	run_cli(&r, (const char *[]){"demo", "--listen", "127.0.0.1:1", NULL});
	ck_assert_int_eq(r.status, 2);
	run_cli(&r, (const char *[]){"keys", "create", NULL});
	ck_assert_int_eq(r.status, 2);
}
END_TEST

START_TEST(demo_loads_the_catalog_and_is_idempotent)
{
	struct bin_run r;
	run_cli(&r, (const char *[]){"demo", NULL});
	ck_assert_msg(r.status == 0, "%s", r.err);
	run_cli(&r, (const char *[]){"demo", "--db", db, NULL});
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_int_eq(scalar("SELECT count(*) FROM retailers"), 3);
	ck_assert_int_eq(scalar("SELECT count(*) FROM variants"), 4);
	ck_assert_int_eq(scalar("SELECT count(*) FROM connections"), 4);
}
END_TEST

START_TEST(keys_create_list_revoke)
{
	struct bin_run r;
	run_cli(&r, (const char *[]){"demo", NULL});
	run_cli(&r, (const char *[]){"keys", "create", "--retailer", "500", NULL});
	ck_assert_msg(r.status == 0, "%s", r.err);
	/* stdout is the key alone. */
	ck_assert_uint_eq(count_lines(r.out), 1);
	ck_assert(strncmp(r.out, "dl_1_", 5) == 0);
	char key[128];
	snprintf(key, sizeof(key), "%.*s", (int)strcspn(r.out, "\n"), r.out);
	const char *secret = key + 5;
	/* Only a hash is stored: the secret is nowhere in the database file. */
	ck_assert_int_eq(scalar("SELECT count(*) FROM api_keys WHERE length(hash) = 32"), 1);
	run_cli(&r, (const char *[]){"keys", "list", NULL});
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_null(strstr(r.out, secret));
	ck_assert_ptr_nonnull(strstr(r.out, "retailer"));
	run_cli(&r, (const char *[]){"keys", "create", "--brand", "501", "--db", db, NULL});
	ck_assert_int_eq(r.status, 0);
	run_cli(&r, (const char *[]){"keys", "create", "--brand", "999", NULL});
	ck_assert_int_eq(r.status, 1);
	ck_assert_uint_eq(count_lines(r.err), 1);
	run_cli(&r, (const char *[]){"keys", "revoke", "1", NULL});
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(
		scalar("SELECT count(*) FROM api_keys WHERE id = 1 AND revoked_at IS NOT NULL"), 1);
	run_cli(&r, (const char *[]){"keys", "revoke", "77", NULL});
	ck_assert_int_eq(r.status, 1);
}
END_TEST

static bool file_exists(const char *path);
static char *file_bytes(const char *path, size_t *len);

/* True when needle occurs in the len bytes at hay. */
static bool bytes_contain(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return true;
	return false;
}

/* The value of "NAME=value" on a line of text (copied into out). */
static void line_value(const char *text, const char *name, char *out, size_t cap)
{
	const char *at = strstr(text, name);
	ck_assert_msg(at != NULL, "no %s in %s", name, text);
	at += strlen(name);
	snprintf(out, cap, "%.*s", (int)strcspn(at, "\n"), at);
}

START_TEST(clients_create_list_revoke)
{
	struct bin_run r;
	run_cli(&r, (const char *[]){"demo", NULL});
	/* Options anywhere, as for keys. */
	run_cli(&r, (const char *[]){"clients", "--db", db, "create", "--brand", "501", NULL});
	ck_assert_msg(r.status == 0, "%s", r.err);
	/* stdout: the two lines an integrator needs, eval-able; the note on stderr. */
	ck_assert_uint_eq(count_lines(r.out), 2);
	char id[64], secret[128];
	line_value(r.out, "client_id=", id, sizeof(id));
	line_value(r.out, "client_secret=", secret, sizeof(secret));
	ck_assert_str_eq(id, "dlc_1");
	ck_assert_uint_eq(strlen(secret), 43);
	ck_assert_ptr_nonnull(strstr(r.err, "shown once"));
	/* Only a hash is stored. */
	ck_assert_int_eq(
		scalar("SELECT count(*) FROM oauth_clients WHERE length(secret_hash) = 32"), 1);
	size_t len = 0;
	char *bytes = file_bytes(db, &len);
	ck_assert(!bytes_contain(bytes, len, secret));
	free(bytes);
	run_cli(&r, (const char *[]){"clients", "create", "--retailer", "500", NULL});
	ck_assert_msg(r.status == 0, "%s", r.err);
	run_cli(&r, (const char *[]){"clients", "list", NULL});
	ck_assert_int_eq(r.status, 0);
	ck_assert_uint_eq(count_lines(r.out), 3);
	ck_assert_ptr_null(strstr(r.out, secret));
	ck_assert_ptr_nonnull(strstr(r.out, "dlc_1"));
	ck_assert_ptr_nonnull(strstr(r.out, "retailer"));
	/* Bad lines: exit 2, one line, nothing made. */
	run_cli(&r, (const char *[]){"clients", "create", NULL});
	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.err, "dropline: clients create needs one of --retailer ID and "
				"--brand ID, once\n");
	run_cli(&r,
		(const char *[]){"clients", "create", "--brand", "501", "--retailer", "500", NULL});
	ck_assert_int_eq(r.status, 2);
	run_cli(&r, (const char *[]){"clients", "list", "--brand", "501", NULL});
	ck_assert_int_eq(r.status, 2);
	run_cli(&r, (const char *[]){"clients", "revoke", "dlc_x", NULL});
	ck_assert_int_eq(r.status, 2);
	run_cli(&r, (const char *[]){"clients", "create", "--brand", "999", NULL});
	ck_assert_int_eq(r.status, 1);
	ck_assert_uint_eq(count_lines(r.err), 1);
	ck_assert_int_eq(scalar("SELECT count(*) FROM oauth_clients"), 2);
	/* Revoke by dlc_N or by number; an unknown client is exit 1. */
	run_cli(&r, (const char *[]){"clients", "revoke", "dlc_1", NULL});
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_int_eq(scalar("SELECT count(*) FROM oauth_clients WHERE id = 1 AND revoked_at IS "
				"NOT NULL"),
			 1);
	run_cli(&r, (const char *[]){"clients", "revoke", "--db", db, "2", NULL});
	ck_assert_msg(r.status == 0, "%s", r.err);
	run_cli(&r, (const char *[]){"clients", "revoke", "dlc_77", NULL});
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "dropline: there is no client dlc_77\n");
	/* A database that is not there: no file made. */
	char missing[400];
	snprintf(missing, sizeof(missing), "%s/missing.db", dir);
	run_cli(&r, (const char *[]){"clients", "list", "--db", missing, NULL});
	ck_assert_int_eq(r.status, 1);
	ck_assert(!file_exists(missing));
}
END_TEST

/*
 * --token-ttl (and DROPLINE_TOKEN_TTL): checked on the line, and the life
 * a served token is given.
 */
START_TEST(token_ttl_is_checked_and_used)
{
	struct bin_run r;
	run_cli(&r, (const char *[]){"serve", "--token-ttl", "59", NULL});
	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.err,
			 "dropline: --token-ttl must be a number from 60 to 31622400, not '59'\n");
	run_cli_env(&r, (const char *[]){"DROPLINE_TOKEN_TTL=ten", NULL},
		    (const char *[]){"serve", NULL});
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "DROPLINE_TOKEN_TTL"));
	run_cli(&r, (const char *[]){"keys", "list", "--token-ttl", "60", NULL});
	ck_assert_int_eq(r.status, 2);
	/* A server started with DROPLINE_TOKEN_TTL=120 gives tokens 120 s. */
	run_cli(&r, (const char *[]){"demo", NULL});
	run_cli(&r, (const char *[]){"clients", "create", "--brand", "501", NULL});
	ck_assert_msg(r.status == 0, "%s", r.err);
	char id[64], secret[128], body[300], err_path[400];
	line_value(r.out, "client_id=", id, sizeof(id));
	line_value(r.out, "client_secret=", secret, sizeof(secret));
	snprintf(body, sizeof(body), "grant_type=client_credentials&client_id=%s&client_secret=%s",
		 id, secret);
	snprintf(err_path, sizeof(err_path), "%s/serve.err", dir);
	unsigned port = 0;
	ck_assert_int_eq(setenv("DROPLINE_TOKEN_TTL", "120", 1), 0);
	pid_t pid = bin_serve(dir, db, err_path, &port);
	ck_assert_int_eq(unsetenv("DROPLINE_TOKEN_TTL"), 0);
	struct test_server t = {.port = (uint16_t)port};
	struct http_response resp;
	struct http_call c = {.method = "POST",
			      .path = "/auth/token/",
			      .body = body,
			      .content_type = "application/x-www-form-urlencoded"};
	http_do(&t, &c, &resp);
	long status = resp.status;
	json_int_t expires_in = json_integer_value(json_object_get(resp.json, "expires_in"));
	http_response_free(&resp);
	ck_assert_int_eq(bin_stop(pid), 0);
	ck_assert_int_eq(status, 200);
	ck_assert_int_eq(expires_in, 120);
}
END_TEST

START_TEST(catalog_import_good_and_bad_files)
{
	const char *data = getenv("DROPLINE_TEST_DATA");
	ck_assert_ptr_nonnull(data);
	char good[400], bad[400];
	snprintf(good, sizeof(good), "%s/catalog_good.json", data);
	snprintf(bad, sizeof(bad), "%s/catalog_bad.json", data);
	struct bin_run r;
	run_cli(&r, (const char *[]){"migrate", NULL});
	ck_assert_int_eq(r.status, 0);
	run_cli(&r, (const char *[]){"catalog", "import", good, NULL});
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_int_eq(scalar("SELECT count(*) FROM retailer_skus WHERE sku = 'R7-STOOL'"), 1);
	run_cli(&r, (const char *[]){"catalog", "import", bad, NULL});
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "connections[0].brand_id"));
	ck_assert_ptr_nonnull(strstr(r.err, "variants[0].identifier"));
	ck_assert_int_eq(scalar("SELECT count(*) FROM retailers WHERE id = 710"), 0);
	run_cli(&r, (const char *[]){"catalog", "import", "/nonexistent.json", NULL});
	ck_assert_int_eq(r.status, 1);
}
END_TEST

static bool file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* The whole content of a file; caller frees. */
static char *file_bytes(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	long size = ftell(f);
	ck_assert_int_ge(size, 0);
	ck_assert_int_eq(fseek(f, 0, SEEK_SET), 0);
	char *buf = malloc((size_t)size + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	*len = (size_t)size;
	return buf;
}

START_TEST(commands_other_than_migrate_refuse_an_unmigrated_database)
{
	/* An empty file, as older versions left behind a mistyped --db. */
	FILE *f = fopen(db, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	struct bin_run r;
	run_cli(&r, (const char *[]){"keys", "list", NULL});
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "dropline migrate"));
	ck_assert_uint_eq(count_lines(r.err), 1);
	/* keys list opened it read-only: still empty. */
	size_t len = 0;
	free(file_bytes(db, &len));
	ck_assert_uint_eq(len, 0);
	run_cli(&r, (const char *[]){"keys", "revoke", "1", NULL});
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "dropline migrate"));
}
END_TEST

/*
 * Every command that needs an existing database, given a path where there is
 * none: one line, exit 1, and no file made (a mistyped --db used to leave an
 * empty database behind and then advise 'migrate').
 */
START_TEST(commands_that_need_a_database_create_none)
{
	const char *data = getenv("DROPLINE_TEST_DATA");
	ck_assert_ptr_nonnull(data);
	char good[400], missing[400], copy[400], expected[600];
	snprintf(good, sizeof(good), "%s/catalog_good.json", data);
	snprintf(missing, sizeof(missing), "%s/typo.db", dir);
	snprintf(copy, sizeof(copy), "%s/copy.db", dir);
	const char *const *forms[] = {
		(const char *[]){"keys", "list", "--db", missing, NULL},
		(const char *[]){"keys", "create", "--retailer", "500", "--db", missing, NULL},
		(const char *[]){"keys", "revoke", "1", "--db", missing, NULL},
		(const char *[]){"catalog", "import", good, "--db", missing, NULL},
		(const char *[]){"backup", "--db", missing, copy, NULL},
	};
	snprintf(expected, sizeof(expected), "dropline: no database at %s\n", missing);
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	struct bin_run r;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		run_cli(&r, forms[i]);
		ck_assert_msg(r.status == 1, "%s %s: exit %d", forms[i][0], forms[i][1], r.status);
		ck_assert_str_eq(r.err, expected);
		ck_assert_str_eq(r.out, "");
		for (size_t k = 0; k < sizeof(suffixes) / sizeof(suffixes[0]); k++) {
			char path[420];
			snprintf(path, sizeof(path), "%s%s", missing, suffixes[k]);
			ck_assert_msg(!file_exists(path), "%s %s made %s", forms[i][0], forms[i][1],
				      path);
		}
		ck_assert(!file_exists(copy));
	}
	/* The default database, and a directory that does not exist, alike. */
	run_cli(&r, (const char *[]){"keys", "list", NULL});
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "dropline: no database at ./dropline.db\n");
	ck_assert(!file_exists(db));
	run_cli(&r, (const char *[]){"keys", "create", "--brand", "501", "--db",
				     "/nonexistent-dir/x.db", NULL});
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "dropline: no database at /nonexistent-dir/x.db\n");
}
END_TEST

/* journal_mode of a database file, read without changing it. */
static void journal_mode(const char *path, char *out, size_t cap)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	ck_assert_int_eq(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(h);
}

/*
 * keys list opens the database read-only: a database in rollback-journal
 * mode (which any read-write open by dropline turns into WAL) is left byte
 * for byte as it was, and no -wal or -shm appears.
 */
START_TEST(keys_list_reads_without_writing)
{
	struct bin_run r;
	run_cli(&r, (const char *[]){"demo", NULL});
	ck_assert_int_eq(r.status, 0);
	run_cli(&r, (const char *[]){"keys", "create", "--retailer", "500", NULL});
	ck_assert_int_eq(r.status, 0);
	sqlite3 *h = NULL;
	ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(h, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL),
			 SQLITE_OK);
	ck_assert_int_eq(sqlite3_close(h), SQLITE_OK);
	char mode[16], wal[400], shm[400];
	journal_mode(db, mode, sizeof(mode));
	ck_assert_str_eq(mode, "delete");
	snprintf(wal, sizeof(wal), "%s-wal", db);
	snprintf(shm, sizeof(shm), "%s-shm", db);
	size_t before_len = 0, after_len = 0;
	char *before = file_bytes(db, &before_len);

	run_cli(&r, (const char *[]){"keys", "list", NULL});
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "retailer 500"));
	char *after = file_bytes(db, &after_len);
	ck_assert(before_len == after_len && memcmp(before, after, before_len) == 0);
	ck_assert(!file_exists(wal) && !file_exists(shm));
	free(after);

	/* The comparison sees a write: keys create changes the file. */
	run_cli(&r, (const char *[]){"keys", "create", "--brand", "501", NULL});
	ck_assert_int_eq(r.status, 0);
	after = file_bytes(db, &after_len);
	ck_assert(before_len != after_len || memcmp(before, after, before_len) != 0);
	free(after);
	free(before);
}
END_TEST

/*
 * Each usage form of --help and the README as written: options after the
 * arguments. Then options before and between, under POSIXLY_CORRECT too,
 * and "--" ending them.
 */
START_TEST(every_usage_form_works_as_written)
{
	const char *data = getenv("DROPLINE_TEST_DATA");
	ck_assert_ptr_nonnull(data);
	char good[400], dest[400];
	snprintf(good, sizeof(good), "%s/catalog_good.json", data);
	snprintf(dest, sizeof(dest), "%s/backup.db", dir);
	struct bin_run r;
#define EXPECT_OK(...)                                                                             \
	do {                                                                                       \
		run_cli(&r, (const char *[]){__VA_ARGS__, NULL});                                  \
		ck_assert_msg(r.status == 0, "%s: exit %d: %s", #__VA_ARGS__, r.status, r.err);    \
	} while (0)
	/* dropline migrate [--db FILE] */
	EXPECT_OK("migrate", "--db", db);
	/* dropline demo [--db FILE] */
	EXPECT_OK("demo", "--db", db);
	/* dropline keys create (--retailer ID | --brand ID) [--db FILE] */
	EXPECT_OK("keys", "create", "--retailer", "500", "--db", db);
	ck_assert(strncmp(r.out, "dl_1_", 5) == 0);
	EXPECT_OK("keys", "create", "--brand", "501", "--db", db);
	ck_assert(strncmp(r.out, "dl_2_", 5) == 0);
	/* dropline keys list [--db FILE] */
	EXPECT_OK("keys", "list", "--db", db);
	ck_assert_uint_eq(count_lines(r.out), 3);
	/* dropline keys revoke KEY_ID [--db FILE] */
	EXPECT_OK("keys", "revoke", "1", "--db", db);
	ck_assert_int_eq(
		scalar("SELECT count(*) FROM api_keys WHERE id = 1 AND revoked_at IS NOT NULL"), 1);
	/* dropline catalog import FILE.json [--db FILE] */
	EXPECT_OK("catalog", "import", good, "--db", db);
	ck_assert_int_eq(scalar("SELECT count(*) FROM retailer_skus WHERE sku = 'R7-STOOL'"), 1);
	/* dropline backup --db FILE DEST (CONTRACT.md 19); dropline backup [--db FILE] [--force]
	 * DEST */
	EXPECT_OK("backup", "--db", db, dest);
	ck_assert(file_exists(dest));
	EXPECT_OK("backup", "--db", db, "--force", dest);
	/* dropline serve [--db FILE] [--listen ...] [--threads N] [--rate-limit N]: start_server().
	 */

	/* Options before and between the arguments. */
	EXPECT_OK("keys", "--db", db, "revoke", "2");
	EXPECT_OK("catalog", "--db", db, "import", good);
	EXPECT_OK("backup", dest, "--force", "--db", db);
	/* POSIXLY_CORRECT does not bring back stopping at the first argument. */
	run_cli_env(&r, (const char *[]){"POSIXLY_CORRECT=1", NULL},
		    (const char *[]){"keys", "revoke", "2", "--db", db, NULL});
	ck_assert_msg(r.status == 0, "%s", r.err);
	/* The environment supplies what the line does not give. */
	char env_db[420];
	snprintf(env_db, sizeof(env_db), "DROPLINE_DB=%s", db);
	run_cli_env(&r, (const char *[]){env_db, NULL}, (const char *[]){"keys", "list", NULL});
	ck_assert_int_eq(r.status, 0);
	ck_assert_uint_eq(count_lines(r.out), 3);
	/* "--" ends the options: after it, "--db" is an argument. */
	run_cli(&r, (const char *[]){"keys", "revoke", "--", "1", "--db", db, NULL});
	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.err, "dropline: unexpected argument '--db' (see --help)\n");
	/* ... and lets a file name start with '-'. */
	char odd[400];
	snprintf(odd, sizeof(odd), "%s/-catalog.json", dir);
	size_t len = 0;
	char *text = file_bytes(good, &len);
	FILE *f = fopen(odd, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	fclose(f);
	free(text);
	EXPECT_OK("catalog", "import", "--db", db, "--", "-catalog.json");
	/* An option the command does not take is named, whatever its place. */
	run_cli(&r, (const char *[]){"keys", "list", "--retailer", "500", NULL});
	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.err, "dropline: keys list takes no option '--retailer' (see --help)\n");
#undef EXPECT_OK
}
END_TEST

/*
 * --listen takes ports 1-65535, and 0 for any free one (the tests that run
 * the binary use it); anything else is refused before the database is
 * touched, from the line or the environment.
 */
START_TEST(listen_port_outside_0_65535_is_refused)
{
	static const char *const bad[] = {"127.0.0.1:99999", "127.0.0.1:65536", "127.0.0.1:-1",
					  "127.0.0.1:http",  "127.0.0.1:",	"127.0.0.1",
					  ":8080",	     "127.0.0.1:8080x"};
	struct bin_run r;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run_cli(&r, (const char *[]){"serve", "--listen", bad[i], NULL});
		ck_assert_msg(r.status == 2, "%s: exit %d", bad[i], r.status);
		ck_assert_uint_eq(count_lines(r.err), 1);
		ck_assert_ptr_nonnull(strstr(r.err, "--listen must be ADDR:PORT"));
		ck_assert_ptr_nonnull(strstr(r.err, "65535"));
		ck_assert_ptr_nonnull(strstr(r.err, bad[i]));
	}
	run_cli_env(&r, (const char *[]){"DROPLINE_LISTEN=127.0.0.1:99999", NULL},
		    (const char *[]){"serve", NULL});
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "DROPLINE_LISTEN must be ADDR:PORT"));
	ck_assert(!file_exists(db));
	/* The variable matters to serve only: other commands ignore it. */
	run_cli_env(&r, (const char *[]){"DROPLINE_LISTEN=127.0.0.1:99999", NULL},
		    (const char *[]){"migrate", NULL});
	ck_assert_int_eq(r.status, 0);
}
END_TEST

/*
 * --max-connections takes 1 to 1000000; anything else is refused before
 * the database is touched, from the line or the environment.
 */
START_TEST(max_connections_outside_1_1000000_is_refused)
{
	static const char *const bad[] = {"0", "1000001", "-5", "ten", "", "10x", "+10"};
	struct bin_run r;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run_cli(&r, (const char *[]){"serve", "--max-connections", bad[i], NULL});
		ck_assert_msg(r.status == 2, "'%s': exit %d", bad[i], r.status);
		ck_assert_uint_eq(count_lines(r.err), 1);
		ck_assert_msg(
			strstr(r.err, "--max-connections must be a number from 1 to 1000000") !=
				NULL,
			"%s", r.err);
	}
	run_cli_env(&r, (const char *[]){"DROPLINE_MAX_CONNECTIONS=0", NULL},
		    (const char *[]){"serve", NULL});
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "DROPLINE_MAX_CONNECTIONS must be a number"));
	ck_assert(!file_exists(db));
	/* Other commands do not take it. */
	run_cli(&r, (const char *[]){"migrate", "--max-connections", "10", NULL});
	ck_assert_int_eq(r.status, 2);
}
END_TEST

/* The soft open-files limit of process pid, from /proc. */
static unsigned long long open_files_limit(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	unsigned long long soft = 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "Max open files", 14) == 0)
			soft = strtoull(line + 14, NULL, 10);
	fclose(f);
	return soft;
}

/*
 * serve raises its soft open-files limit to what --max-connections needs
 * when the hard limit allows it; when it does not, it says so in one line
 * and serves anyway.
 */
START_TEST(serve_raises_the_open_files_limit_for_max_connections)
{
	struct bin_run r;
	run_cli(&r, (const char *[]){"migrate", NULL});
	ck_assert_int_eq(r.status, 0);
	struct rlimit rl;
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < 4096)
		return; /* this machine's hard limit leaves nothing to raise */
	/* This test runs in a process of its own: its limits end with it. */
	rl.rlim_cur = 256;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	ck_assert_int_eq(setenv("DROPLINE_MAX_CONNECTIONS", "2000", 1), 0);
	char err_path[400], text[8192];
	snprintf(err_path, sizeof(err_path), "%s/serve.err", dir);
	unsigned port = 0;
	pid_t pid = bin_serve(dir, db, err_path, &port);
	ck_assert_uint_ge(open_files_limit(pid), 2000);
	ck_assert_int_eq(bin_stop(pid), 0);
	bin_read_all(err_path, text, sizeof(text));
	ck_assert_msg(strstr(text, "open files") == NULL, "%s", text);

	/* A hard limit below the need: one line says what will happen. */
	rl.rlim_cur = rl.rlim_max = 512;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	pid = bin_serve(dir, db, err_path, &port);
	ck_assert_uint_eq(open_files_limit(pid), 512);
	struct test_server ts = {.port = (uint16_t)port};
	struct http_response resp;
	http_get(&ts, "/healthz", NULL, &resp);
	ck_assert_int_eq(resp.status, 200);
	http_response_free(&resp);
	ck_assert_int_eq(bin_stop(pid), 0);
	bin_read_all(err_path, text, sizeof(text));
	ck_assert_msg(strstr(text, "--max-connections 2000 needs about") != NULL &&
			      strstr(text, "the limit is 512") != NULL,
		      "%s", text);
}
END_TEST

START_TEST(unwritable_database_path_fails_with_one_line)
{
	struct bin_run r;
	run_cli(&r, (const char *[]){"serve", "--db", "/nonexistent-dir/x/dropline.db", NULL});
	ck_assert_int_eq(r.status, 1);
	ck_assert_uint_eq(count_lines(r.err), 1);
	ck_assert_ptr_nonnull(strstr(r.err, "/nonexistent-dir/x/dropline.db"));
}
END_TEST

START_TEST(busy_port_fails_with_one_line)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 1), 0);
	socklen_t len = sizeof(sa);
	getsockname(fd, (struct sockaddr *)&sa, &len);
	char listen_addr[64];
	snprintf(listen_addr, sizeof(listen_addr), "127.0.0.1:%u", ntohs(sa.sin_port));
	struct bin_run r;
	run_cli(&r, (const char *[]){"serve", "--listen", listen_addr, NULL});
	close(fd);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "Address already in use"));
	/* The migration note may precede it; the failure itself is one line. */
	ck_assert_uint_le(count_lines(r.err), 2);
}
END_TEST

START_TEST(serve_stops_cleanly_on_sigterm)
{
	const char *bin = getenv("DROPLINE_BIN");
	char err_path[400];
	snprintf(err_path, sizeof(err_path), "%s/serve.err", dir);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (err < 0 || chdir(dir) != 0)
			_exit(127);
		dup2(err, 2);
		execl(bin, bin, "serve", "--listen", "127.0.0.1:0", "--threads", "2", (char *)NULL);
		_exit(127);
	}
	/* Wait for the "serving on ... (port N)" line. */
	unsigned port = 0;
	char text[8192];
	for (int i = 0; i < 200 && port == 0; i++) {
		struct timespec ts = {0, 50 * 1000000L};
		nanosleep(&ts, NULL);
		bin_read_all(err_path, text, sizeof(text));
		const char *at = strstr(text, "(port ");
		if (at != NULL)
			port = (unsigned)strtoul(at + 6, NULL, 10);
	}
	ck_assert_msg(port != 0, "server did not start: %s", text);
	struct test_server ts = {.port = (uint16_t)port};
	struct http_response resp;
	http_get(&ts, "/healthz", NULL, &resp);
	ck_assert_int_eq(resp.status, 200);
	http_response_free(&resp);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	int status = 0;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	bin_read_all(err_path, text, sizeof(text));
	ck_assert_ptr_nonnull(strstr(text, "stopped cleanly"));
	/* The access log line of the health check is JSON with the request id. */
	ck_assert_ptr_nonnull(strstr(text, "\"path\":\"/healthz\""));
	ck_assert_ptr_nonnull(strstr(text, "\"request_id\""));
}
END_TEST

/* Starts `dropline serve` on a free port over `db`; returns its pid and port. */
static pid_t start_server(const char *err_path, unsigned *port)
{
	return bin_serve(dir, db, err_path, port);
}

#define LOAD_THREADS 4
#define LOAD_MAX     400

struct loader {
	unsigned port;
	const char *key;
	int thread;
	int sent;
	long status[LOAD_MAX];
	int64_t order_id[LOAD_MAX];
};

/* Posts orders until the server stops answering; records each outcome. */
static void *load(void *arg)
{
	struct loader *l = arg;
	struct test_server ts = {.port = (uint16_t)l->port};
	for (l->sent = 0; l->sent < LOAD_MAX; l->sent++) {
		char body[1024];
		snprintf(body, sizeof(body),
			 "{\"purchase_order_number\": \"T%d-%d\", \"ordered_at\": "
			 "\"2016-07-06T10:25\","
			 " \"ship_to\": {\"name1\": \"T\", \"street1\": \"S\", \"city\": \"C\","
			 " \"province\": \"CA\", \"postal_code\": \"90254\", \"country\": \"US\"},"
			 " \"shipping_method\": {\"code\": \"GROUND\", \"carrier\": {\"code\": "
			 "\"UPSN\"}},"
			 " \"order_lines\": [{\"variant\": {\"identifier\": \"GBD34315\"},"
			 " \"quantity\": 1, \"net_price\": \"1.00\", \"price\": \"2.00\"}]}",
			 l->thread, l->sent);
		CURL *curl = curl_easy_init();
		char url[64], auth[160];
		snprintf(url, sizeof(url), "http://127.0.0.1:%u/v1/retailers/500/orders/", l->port);
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", l->key);
		struct curl_slist *h = curl_slist_append(NULL, auth);
		h = curl_slist_append(h, "Content-Type: application/json");
		FILE *sink = fopen("/dev/null", "w");
		curl_easy_setopt(curl, CURLOPT_URL, url);
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_WRITEDATA, sink);
		curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
		curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
		CURLcode rc = curl_easy_perform(curl);
		long status = 0;
		if (rc == CURLE_OK)
			curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
		l->status[l->sent] = status;
		fclose(sink);
		curl_slist_free_all(h);
		curl_easy_cleanup(curl);
		(void)ts;
		if (rc != CURLE_OK)
			break; /* the server has stopped listening */
	}
	return NULL;
}

START_TEST(sigterm_under_load_answers_in_flight_requests_and_exits_0)
{
	struct bin_run r;
	run_cli(&r, (const char *[]){"demo", NULL});
	ck_assert_int_eq(r.status, 0);
	run_cli(&r, (const char *[]){"keys", "create", "--retailer", "500", NULL});
	ck_assert_int_eq(r.status, 0);
	char key[128];
	snprintf(key, sizeof(key), "%.*s", (int)strcspn(r.out, "\n"), r.out);
	char err_path[400];
	snprintf(err_path, sizeof(err_path), "%s/serve.err", dir);
	unsigned port = 0;
	pid_t pid = start_server(err_path, &port);

	curl_global_init(CURL_GLOBAL_ALL);
	static struct loader loaders[LOAD_THREADS];
	pthread_t threads[LOAD_THREADS];
	for (int i = 0; i < LOAD_THREADS; i++) {
		loaders[i] = (struct loader){.port = port, .key = key, .thread = i};
		ck_assert_int_eq(pthread_create(&threads[i], NULL, load, &loaders[i]), 0);
	}
	struct timespec pause = {0, 300 * 1000000L};
	nanosleep(&pause, NULL);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	int status = 0;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	for (int i = 0; i < LOAD_THREADS; i++)
		pthread_join(threads[i], NULL);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);

	/* Every answer was complete and final: a 201 is stored, nothing else was answered. */
	long long created = 0;
	for (int i = 0; i < LOAD_THREADS; i++) {
		for (int n = 0; n < loaders[i].sent; n++) {
			long st = loaders[i].status[n];
			ck_assert_msg(st == 201, "thread %d request %d: %ld", i, n, st);
			created++;
		}
	}
	ck_assert_int_gt(created, 0);
	/* The database is clean and holds at least every acknowledged order. */
	ck_assert_int_eq(scalar("SELECT count(*) FROM pragma_integrity_check WHERE "
				"integrity_check = 'ok'"),
			 1);
	long long stored = scalar("SELECT count(*) FROM orders");
	ck_assert_int_ge(stored, created);
	/* At most one in-flight order per client was stored without its answer arriving. */
	ck_assert_int_le(stored, created + LOAD_THREADS);
	/* The last lines of the log (the access log precedes them). */
	FILE *f = fopen(err_path, "r");
	ck_assert_ptr_nonnull(f);
	fseek(f, -512, SEEK_END);
	char text[1024];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	ck_assert_msg(strstr(text, "stopped cleanly") != NULL, "%s", text);
}
END_TEST

/*
 * SIGHUP (a closed terminal, or a reload) does not stop the server: it says
 * so, answers the next request, and SIGTERM still stops it cleanly.
 */
/* A socket to the server on `port` from loopback address `from`, with a 30 s safety net on reads.
 */
static int connect_from(unsigned port, const char *from)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	struct sockaddr_in src = {.sin_family = AF_INET};
	ck_assert_int_eq(inet_pton(AF_INET, from, &src.sin_addr), 1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&src, sizeof(src)), 0);
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	struct timeval tv = {.tv_sec = 30};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Sends a GET /healthz on fd; true when a 200 comes back, false when the server closed it. */
static bool healthz_on(int fd)
{
	static const char raw[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	if (write(fd, raw, sizeof(raw) - 1) != (ssize_t)(sizeof(raw) - 1))
		return false;
	char reply[512] = {0};
	ssize_t got = read(fd, reply, sizeof(reply) - 1);
	return got > 0 && strncmp(reply, "HTTP/1.1 200 ", 13) == 0;
}

/*
 * --max-connections-per-address and --idle-timeout (and their variables)
 * are checked like every number, and reach the server.
 */
START_TEST(connection_options_are_checked_and_applied)
{
	struct bin_run r;
	static const char *const bad_per_address[] = {"-1", "x", "100001", "1.5", ""};
	for (size_t i = 0; i < sizeof(bad_per_address) / sizeof(bad_per_address[0]); i++) {
		run_cli(&r, (const char *[]){"serve", "--max-connections-per-address",
					     bad_per_address[i], NULL});
		ck_assert_msg(r.status == 2, "%s: exit %d", bad_per_address[i], r.status);
		ck_assert_uint_eq(count_lines(r.err), 1);
		ck_assert_msg(strstr(r.err, "--max-connections-per-address must be a number from 0 "
					    "to 100000") != NULL,
			      "%s", r.err);
	}
	static const char *const bad_idle[] = {"0", "3601", "ten"};
	for (size_t i = 0; i < sizeof(bad_idle) / sizeof(bad_idle[0]); i++) {
		run_cli(&r, (const char *[]){"serve", "--idle-timeout", bad_idle[i], NULL});
		ck_assert_msg(r.status == 2, "%s: exit %d", bad_idle[i], r.status);
		ck_assert_msg(strstr(r.err, "--idle-timeout must be a number from 1 to 3600") !=
				      NULL,
			      "%s", r.err);
	}
	run_cli_env(&r, (const char *[]){"DROPLINE_IDLE_TIMEOUT=0", NULL},
		    (const char *[]){"serve", NULL});
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "DROPLINE_IDLE_TIMEOUT must be a number"));
	run_cli_env(&r, (const char *[]){"DROPLINE_MAX_CONNECTIONS_PER_ADDRESS=many", NULL},
		    (const char *[]){"serve", NULL});
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "DROPLINE_MAX_CONNECTIONS_PER_ADDRESS must be"));
	ck_assert(!file_exists(db));
	run_cli(&r, (const char *[]){"keys", "list", "--idle-timeout", "5", NULL});
	ck_assert_int_eq(r.status, 2);

	/* Two connections an address, one second to send a first request (from the environment). */
	ck_assert_int_eq(setenv("DROPLINE_MAX_CONNECTIONS_PER_ADDRESS", "2", 1), 0);
	ck_assert_int_eq(setenv("DROPLINE_IDLE_TIMEOUT", "1", 1), 0);
	char err_path[400];
	snprintf(err_path, sizeof(err_path), "%s/serve.err", dir);
	unsigned port = 0;
	pid_t pid = start_server(err_path, &port);
	int a = connect_from(port, "127.0.0.1"), b = connect_from(port, "127.0.0.1");
	ck_assert(healthz_on(a));
	ck_assert(healthz_on(b));
	/* A third from the same address is closed unanswered. */
	int c = connect_from(port, "127.0.0.1");
	ck_assert(!healthz_on(c));
	close(c);
	/* A silent one from another address is closed by the server after the idle timeout. */
	int d = connect_from(port, "127.0.0.2");
	char byte;
	ck_assert_int_eq(read(d, &byte, 1), 0);
	close(d);
	/* The two that sent a request are still served. */
	ck_assert(healthz_on(a));
	ck_assert(healthz_on(b));
	close(a);
	close(b);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	int status = 0;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

START_TEST(serve_keeps_serving_after_sighup)
{
	struct bin_run r;
	run_cli(&r, (const char *[]){"migrate", NULL});
	ck_assert_int_eq(r.status, 0);
	char err_path[400];
	snprintf(err_path, sizeof(err_path), "%s/serve.err", dir);
	unsigned port = 0;
	pid_t pid = start_server(err_path, &port);
	ck_assert_int_eq(kill(pid, SIGHUP), 0);
	/* The line says the signal was taken; only then is the request meaningful. */
	char text[8192];
	ck_assert_msg(bin_wait_for(err_path, "SIGHUP received", text, sizeof(text)),
		      "no SIGHUP line: %s", text);
	struct test_server ts = {.port = (uint16_t)port};
	struct http_response resp;
	http_get(&ts, "/healthz", NULL, &resp);
	ck_assert_int_eq(resp.status, 200);
	http_response_free(&resp);
	/* -1 had SIGHUP (or SIGTERM) killed it instead of stopping it cleanly. */
	ck_assert_int_eq(bin_stop(pid), 0);
	bin_read_all(err_path, text, sizeof(text));
	ck_assert_ptr_nonnull(strstr(text, "stopped cleanly"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("cli");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, version_and_help);
	tcase_add_test(tc, unknown_command_and_option_exit_2_with_one_line);
	tcase_add_test(tc, demo_loads_the_catalog_and_is_idempotent);
	tcase_add_test(tc, keys_create_list_revoke);
	tcase_add_test(tc, clients_create_list_revoke);
	tcase_add_test(tc, token_ttl_is_checked_and_used);
	tcase_add_test(tc, catalog_import_good_and_bad_files);
	tcase_add_test(tc, commands_other_than_migrate_refuse_an_unmigrated_database);
	tcase_add_test(tc, commands_that_need_a_database_create_none);
	tcase_add_test(tc, keys_list_reads_without_writing);
	tcase_add_test(tc, every_usage_form_works_as_written);
	tcase_add_test(tc, listen_port_outside_0_65535_is_refused);
	tcase_add_test(tc, max_connections_outside_1_1000000_is_refused);
	tcase_add_test(tc, serve_raises_the_open_files_limit_for_max_connections);
	tcase_add_test(tc, unwritable_database_path_fails_with_one_line);
	tcase_add_test(tc, busy_port_fails_with_one_line);
	tcase_add_test(tc, serve_stops_cleanly_on_sigterm);
	tcase_add_test(tc, sigterm_under_load_answers_in_flight_requests_and_exits_0);
	tcase_add_test(tc, serve_keeps_serving_after_sighup);
	tcase_add_test(tc, connection_options_are_checked_and_applied);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
