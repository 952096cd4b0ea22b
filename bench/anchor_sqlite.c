/*
 * bench/anchor_sqlite.c - the SQLite anchor: what one writer connection can
 * commit at dropline's durability, with no application logic.
 *
 * Usage: anchor_sqlite [--existing] DB SCHEMA.sql SECONDS
 *
 * Without --existing, DB (and its -wal/-shm) is deleted and made afresh from
 * SCHEMA.sql (migrations/0001_initial.sql, run with sqlite3_exec) plus the
 * few catalog rows an order needs (retailer 500, brand 501, their connection,
 * UPS Ground, three variants). With --existing, DB is used as it is (e.g. a
 * copy of the 1M-order benchmark database); it must hold that catalog.
 *
 * The connection is set up as dropline's writer (src/store/store.c):
 * journal_mode=WAL, synchronous=FULL, foreign_keys=ON. Then, for SECONDS, one
 * transaction after another, each BEGIN IMMEDIATE; 1 address + 1 order + 3
 * order lines, with statements prepared once (the same INSERTs as
 * include/store/statements.h); COMMIT.
 *
 * Prints one line:
 *   anchor_sqlite tx=N seconds=S tx_per_s=R p50_ms=A p99_ms=B cpu_us_per_tx=C maxrss_kib=M
 *
 * Build: gcc -std=c17 -O2 bench/anchor_sqlite.c -o anchor_sqlite \
 *   $(pkg-config --cflags --libs sqlite3)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

static sqlite3 *db;

static void die(const char *what)
{
	fprintf(stderr, "anchor_sqlite: %s: %s\n", what, db ? sqlite3_errmsg(db) : "?");
	exit(1);
}

static void exec(const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(sql);
}

static sqlite3_stmt *prep(const char *sql)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		die(sql);
	return st;
}

static void run(sqlite3_stmt *st, const char *what)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		die(what);
	sqlite3_reset(st);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (s != NULL && fread(s, 1, (size_t)n, f) == (size_t)n)
		s[n] = '\0';
	else {
		free(s);
		s = NULL;
	}
	fclose(f);
	return s;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	bool existing = argc > 1 && strcmp(argv[1], "--existing") == 0;
	if (argc != 4 + existing) {
		fprintf(stderr, "usage: %s [--existing] DB SCHEMA.sql SECONDS\n", argv[0]);
		return 2;
	}
	const char *path = argv[1 + existing], *schema_path = argv[2 + existing];
	double seconds = strtod(argv[3 + existing], NULL);
	if (!existing) {
		char aux[4096];
		unlink(path);
		snprintf(aux, sizeof aux, "%s-wal", path);
		unlink(aux);
		snprintf(aux, sizeof aux, "%s-shm", path);
		unlink(aux);
	}
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | (existing ? 0 : SQLITE_OPEN_CREATE),
			    NULL) != SQLITE_OK)
		die("open");
	sqlite3_busy_timeout(db, 5000);
	exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
	if (!existing) {
		char *schema = read_file(schema_path);
		if (schema == NULL) {
			fprintf(stderr, "anchor_sqlite: cannot read %s\n", schema_path);
			return 1;
		}
		exec("BEGIN");
		exec(schema);
		exec("INSERT INTO retailers (id, name) VALUES (500, 'Demo Retailer');"
		     "INSERT INTO brands (id, name) VALUES (501, 'Marla Cielo');"
		     "INSERT INTO connections VALUES (500, 501, 24, 72);"
		     "INSERT INTO carriers (id, name, code) VALUES (2, 'UPS', 'UPSN');"
		     "INSERT INTO shipping_methods VALUES (1, 'UPS Ground', 'GROUND', 2, 3);"
		     "INSERT INTO connection_shipping_methods VALUES (500, 501, 1);"
		     "INSERT INTO variants (id, brand_id, identifier, upc, name) VALUES "
		     "(1000065, 501, 'GBD34315', '123456789012', 'Walnut Side Table'),"
		     "(100084, 501, '1234', '123456789456', 'Contemporary Nightstand'),"
		     "(1000066, 501, 'GBD34316', '123456789013', 'Oak Side Table');");
		exec("COMMIT");
		free(schema);
	}

	sqlite3_stmt *addr = prep(
		"INSERT INTO addresses (type, name1, name2, street1, street2, city, "
		"province, postal_code, country, phone1, phone2, fax, email) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
	sqlite3_stmt *ord = prep(
		"INSERT INTO orders (retailer_id, brand_id, purchase_order_number, "
		"customer_order_number, retailer_order_number, sold_to_id, "
		"ship_to_id, shipping_method_id, requested_shipping_method_id, "
		"gift_message, ordered_at, received_at, acknowledge_by, fulfill_by) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
	sqlite3_stmt *line = prep("INSERT INTO order_lines (order_id, variant_id, quantity, "
				  "net_price_cents, price_cents) VALUES (?1, ?2, ?3, ?4, ?5)");
	sqlite3_stmt *begin = prep("BEGIN IMMEDIATE"), *commit = prep("COMMIT");

	static const int64_t variants[3] = {1000065, 100084, 1000066};
	size_t cap = 1 << 16, n = 0;
	double *lat = malloc(cap * sizeof(*lat));
	struct rusage ru0, ru1;
	getrusage(RUSAGE_SELF, &ru0);
	double t0 = now_s(), t = t0;
	int64_t now = (int64_t)time(NULL);
	while (t - t0 < seconds && lat != NULL) {
		double ts = t;
		char po[32];
		snprintf(po, sizeof po, "A%d-%zu", (int)getpid() % 100000, n);
		run(begin, "begin");
		sqlite3_bind_text(addr, 1, "residential", -1, SQLITE_STATIC);
		sqlite3_bind_text(addr, 2, "Tammy Watkins", -1, SQLITE_STATIC);
		sqlite3_bind_null(addr, 3);
		sqlite3_bind_text(addr, 4, "1332 Hermosa Ave", -1, SQLITE_STATIC);
		sqlite3_bind_text(addr, 5, "Suite 14", -1, SQLITE_STATIC);
		sqlite3_bind_text(addr, 6, "Hermosa Beach", -1, SQLITE_STATIC);
		sqlite3_bind_text(addr, 7, "CA", -1, SQLITE_STATIC);
		sqlite3_bind_text(addr, 8, "90254", -1, SQLITE_STATIC);
		sqlite3_bind_text(addr, 9, "US", -1, SQLITE_STATIC);
		sqlite3_bind_text(addr, 10, "(310) 867-5309", -1, SQLITE_STATIC);
		sqlite3_bind_null(addr, 11);
		sqlite3_bind_null(addr, 12);
		sqlite3_bind_text(addr, 13, "tammy@example.com", -1, SQLITE_STATIC);
		run(addr, "insert address");
		int64_t ship_to = sqlite3_last_insert_rowid(db);
		sqlite3_bind_int64(ord, 1, 500);
		sqlite3_bind_int64(ord, 2, 501);
		sqlite3_bind_text(ord, 3, po, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ord, 4, "W-77812", -1, SQLITE_STATIC);
		sqlite3_bind_null(ord, 5);
		sqlite3_bind_null(ord, 6);
		sqlite3_bind_int64(ord, 7, ship_to);
		sqlite3_bind_int64(ord, 8, 1);
		sqlite3_bind_null(ord, 9);
		sqlite3_bind_null(ord, 10);
		sqlite3_bind_int64(ord, 11, now - 3600);
		sqlite3_bind_int64(ord, 12, now);
		sqlite3_bind_int64(ord, 13, now + 24 * 3600);
		sqlite3_bind_int64(ord, 14, now + 120 * 3600);
		run(ord, "insert order");
		int64_t order_id = sqlite3_last_insert_rowid(db);
		for (int l = 0; l < 3; l++) {
			sqlite3_bind_int64(line, 1, order_id);
			sqlite3_bind_int64(line, 2, variants[l]);
			sqlite3_bind_int64(line, 3, 1 + l % 2);
			sqlite3_bind_int64(line, 4, 25000 + 1000 * l);
			sqlite3_bind_int64(line, 5, 45000 + 1000 * l);
			run(line, "insert order line");
		}
		run(commit, "commit");
		t = now_s();
		if (n == cap) {
			cap *= 2;
			double *grown = realloc(lat, cap * sizeof(*lat));
			if (grown == NULL)
				break;
			lat = grown;
		}
		lat[n++] = t - ts;
	}
	double elapsed = now_s() - t0;
	getrusage(RUSAGE_SELF, &ru1);
	double cpu_us = ((double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
			 (double)(ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec)) *
				1e6 +
			(double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) +
			(double)(ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec);
	if (n == 0)
		die("no transaction completed");
	qsort(lat, n, sizeof(*lat), cmp_double);
	printf("anchor_sqlite tx=%zu seconds=%.2f tx_per_s=%.1f p50_ms=%.3f p99_ms=%.3f "
	       "cpu_us_per_tx=%.1f maxrss_kib=%ld\n",
	       n, elapsed, (double)n / elapsed, lat[n / 2] * 1e3, lat[(n * 99) / 100] * 1e3,
	       cpu_us / (double)n, ru1.ru_maxrss);
	free(lat);
	sqlite3_finalize(addr);
	sqlite3_finalize(ord);
	sqlite3_finalize(line);
	sqlite3_finalize(begin);
	sqlite3_finalize(commit);
	sqlite3_close(db);
	return 0;
}
