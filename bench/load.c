/*
 * bench/load.c - fast loader for the benchmark database, and small queries
 * the benchmark needs on it.
 *
 * Usage:
 *   load fill DB [ORDERS]     DB must be a database made by `dropline demo`
 *                             with no orders yet. Adds a catalog (variants and
 *                             retailer SKUs for brands 501 and 502), then
 *                             ORDERS orders (default 1,000,000) of retailer
 *                             500, 3 lines each, with shipments and
 *                             cancellations where their status calls for them.
 *   load pick-cancel DB N     prints "order_id line_id" for up to N orders a
 *                             retailer can still cancel (open, unacknowledged,
 *                             nothing shipped or canceled), newest first.
 *   load info DB              prints row counts and the status mix.
 *   load last-event DB        prints the newest event's id (0 when none).
 *
 * It writes through SQL directly (bench only): one connection,
 * synchronous=OFF and journal_mode=OFF during the load, transactions of
 * 25,000 orders; journal_mode=WAL is restored at the end, as dropline
 * expects. Values are pseudo-random but reproducible (fixed seed).
 *
 * The mix of statuses, by order (independent of position in the list):
 *   68% open, not acknowledged        12% open, acknowledged
 *   15% closed (acknowledged, fully shipped in one shipment)
 *    3% partial (acknowledged, first line shipped)
 *    2% canceled by the retailer before acknowledgement (all lines)
 * i.e. 30% acknowledged. 70% go to brand 501, 30% to brand 502. Order ids
 * follow ordered_at, which spans the 400 days before the load.
 *
 * Build: gcc -std=c17 -O2 bench/load.c -o load $(pkg-config --cflags --libs sqlite3)
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#define BATCH 25000
#define VARIANTS_PER_BRAND 240

static sqlite3 *db;

static void die(const char *what)
{
	fprintf(stderr, "load: %s: %s\n", what, db ? sqlite3_errmsg(db) : "?");
	exit(1);
}

static void exec(const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "load: %s: %s\n", sql, err ? err : "?");
		exit(1);
	}
}

static sqlite3_stmt *prep(const char *sql)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		die(sql);
	return st;
}

static void step_done(sqlite3_stmt *st, const char *what)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		die(what);
	sqlite3_reset(st);
}

static int64_t query_int(const char *sql)
{
	sqlite3_stmt *st = prep(sql);
	int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	return v;
}

/* xorshift64*: reproducible and fast. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}
static int64_t rnd_in(int64_t lo, int64_t hi) /* inclusive */
{
	return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}
#define PICK(arr) ((arr)[rnd() % (sizeof(arr) / sizeof((arr)[0]))])

static const char *const first_names[] = {
	"Tammy",  "James",   "Maria",   "Robert",  "Linda",  "Michael", "Barbara", "David",
	"Emily",  "Daniel",  "Sofia",   "Olivia",  "Ethan",  "Noah",    "Ava",     "Liam",
	"Grace",  "Hannah",  "Lucas",   "Mia",     "Aiden",  "Chloe",   "Jacob",   "Zoe",
	"Priya",  "Wei",     "Fatima",  "Carlos",  "Yuki",   "Andre",   "Nadia",   "Omar"};
static const char *const last_names[] = {
	"Watkins", "Smith",  "Johnson",  "Garcia", "Miller",   "Davis",   "Rodriguez", "Martinez",
	"Lopez",   "Wilson", "Anderson", "Thomas", "Moore",    "Jackson", "Martin",    "Lee",
	"Thompson", "White", "Harris",   "Clark",  "Lewis",    "Walker",  "Young",     "Allen",
	"Nguyen",  "Patel",  "Kim",      "Chen",   "Okonkwo",  "Silva",   "Kowalski",  "Haddad"};
static const char *const streets[] = {
	"Hermosa Ave", "Main St",     "Oak Ave",     "Maple Dr",    "Cedar Ln",   "Elm St",
	"Pine St",     "Washington Blvd", "Lake Shore Dr", "Sunset Blvd", "Park Ave", "2nd St",
	"Mission St",  "Market St",   "Broadway",    "Highland Ave", "River Rd",  "Hillcrest Dr"};
static const struct {
	const char *city, *state, *zip3;
} places[] = {
	{"Hermosa Beach", "CA", "902"}, {"Los Angeles", "CA", "900"}, {"San Diego", "CA", "921"},
	{"Portland", "OR", "972"},	{"Seattle", "WA", "981"},     {"Austin", "TX", "787"},
	{"Dallas", "TX", "752"},	{"Chicago", "IL", "606"},     {"Brooklyn", "NY", "112"},
	{"Boston", "MA", "021"},	{"Miami", "FL", "331"},	      {"Atlanta", "GA", "303"},
	{"Denver", "CO", "802"},	{"Phoenix", "AZ", "850"},     {"Minneapolis", "MN", "554"},
	{"Nashville", "TN", "372"},	{"Philadelphia", "PA", "191"}, {"Columbus", "OH", "432"}};
static const char *const nouns[] = {"Side Table", "Nightstand", "Dresser",   "Bookcase",
				    "Desk",	  "Lamp",	"Armchair",  "Sofa",
				    "Rug",	  "Mirror",	"Bench",     "Coffee Table",
				    "Bed Frame",  "Ottoman",	"Sideboard", "Floor Lamp"};
static const char *const woods[] = {"Walnut", "Oak", "Ash", "Maple", "Teak", "Cherry", "Pine",
				    "Birch"};
static const char *const colors[] = {"Black", "White", "Natural", "Espresso", "Grey",
				     "Navy",  "Sage",  "Terracotta"};

struct variant {
	int64_t id;
	int64_t lead;
};
static struct variant brand_variants[2][VARIANTS_PER_BRAND + 4];
static int nbrand_variants[2];

/* Adds VARIANTS_PER_BRAND variants to each demo brand, with retailer SKUs for some. */
static void fill_catalog(void)
{
	sqlite3_stmt *v = prep("INSERT INTO variants (id, brand_id, identifier, upc, name, "
			       "description, attributes, lead_time_hours) "
			       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
	sqlite3_stmt *sku = prep(
		"INSERT INTO retailer_skus (retailer_id, variant_id, sku) VALUES (500, ?1, ?2)");
	exec("BEGIN");
	for (int b = 0; b < 2; b++) {
		int64_t brand = 501 + b;
		for (int i = 0; i < VARIANTS_PER_BRAND; i++) {
			int64_t id = (b == 0 ? 3000000 : 4000000) + i + 1;
			char ident[32], upc[24], name[96], desc[96], attrs[160];
			snprintf(ident, sizeof ident, "%s-%05d", b == 0 ? "MC" : "DB", 10000 + i);
			snprintf(upc, sizeof upc, "%d%011d", 6 + b, 20000000 + i * 37);
			const char *wood = PICK(woods), *noun = PICK(nouns), *color = PICK(colors);
			snprintf(name, sizeof name, "%s %s", wood, noun);
			snprintf(desc, sizeof desc, "%s finish, solid %s", color, wood);
			snprintf(attrs, sizeof attrs,
				 "[{\"name\":\"color\",\"value\":\"%s\"},{\"name\":\"material\","
				 "\"value\":\"%s\"}]",
				 color, wood);
			int64_t lead = (i % 5 == 0) ? 48 : (i % 7 == 0 ? 120 : 0);
			sqlite3_bind_int64(v, 1, id);
			sqlite3_bind_int64(v, 2, brand);
			sqlite3_bind_text(v, 3, ident, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(v, 4, upc, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(v, 5, name, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(v, 6, desc, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(v, 7, attrs, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(v, 8, lead);
			step_done(v, "insert variant");
			if (i % 4 == 0) {
				char s[32];
				snprintf(s, sizeof s, "RS-%c%05d", b == 0 ? 'M' : 'D', i);
				sqlite3_bind_int64(sku, 1, id);
				sqlite3_bind_text(sku, 2, s, -1, SQLITE_TRANSIENT);
				step_done(sku, "insert retailer sku");
			}
		}
	}
	exec("COMMIT");
	sqlite3_finalize(v);
	sqlite3_finalize(sku);
	/* Every variant of each brand, demo ones included. */
	sqlite3_stmt *all = prep("SELECT id, brand_id, lead_time_hours FROM variants "
				 "WHERE brand_id IN (501, 502) ORDER BY id");
	while (sqlite3_step(all) == SQLITE_ROW) {
		int b = sqlite3_column_int64(all, 1) == 501 ? 0 : 1;
		if (nbrand_variants[b] < VARIANTS_PER_BRAND + 4) {
			brand_variants[b][nbrand_variants[b]].id = sqlite3_column_int64(all, 0);
			brand_variants[b][nbrand_variants[b]].lead = sqlite3_column_int64(all, 2);
			nbrand_variants[b]++;
		}
	}
	sqlite3_finalize(all);
}

enum kind { OPEN_NEW, OPEN_ACKED, CLOSED, PARTIAL, CANCELED };

static enum kind pick_kind(void)
{
	int64_t r = rnd_in(0, 99);
	if (r < 68)
		return OPEN_NEW;
	if (r < 80)
		return OPEN_ACKED;
	if (r < 95)
		return CLOSED;
	if (r < 98)
		return PARTIAL;
	return CANCELED;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void bind_int_or_null(sqlite3_stmt *st, int i, int64_t v)
{
	if (v)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fill(const char *path, int64_t norders)
{
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		die("open");
	if (query_int("SELECT count(*) FROM variants WHERE id = 1000065") != 1) {
		fprintf(stderr, "load: %s is not a `dropline demo` database\n", path);
		return 1;
	}
	if (query_int("SELECT count(*) FROM orders") != 0) {
		fprintf(stderr, "load: %s already has orders\n", path);
		return 1;
	}
	/* Load only: no durability, no rollback journal. WAL is restored at the end. */
	exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF;"
	     "PRAGMA cache_size=-1048576; PRAGMA temp_store=MEMORY;");
	fill_catalog();

	sqlite3_stmt *addr = prep(
		"INSERT INTO addresses (id, type, name1, name2, street1, street2, city, province, "
		"postal_code, country, phone1, phone2, fax, email) "
		"VALUES (?1, ?2, ?3, NULL, ?4, ?5, ?6, ?7, ?8, 'US', ?9, NULL, NULL, ?10)");
	sqlite3_stmt *ord = prep(
		"INSERT INTO orders (id, retailer_id, brand_id, purchase_order_number, "
		"customer_order_number, retailer_order_number, sold_to_id, ship_to_id, "
		"shipping_method_id, requested_shipping_method_id, gift_message, status, "
		"is_acknowledged, ordered_at, received_at, acknowledge_by, fulfill_by, "
		"acknowledged_at, pickup_on, closed_at, canceled_at, version) "
		"VALUES (?1, 500, ?2, ?3, ?4, ?5, NULL, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
		"?15, ?16, NULL, ?17, ?18, ?19)");
	sqlite3_stmt *line = prep(
		"INSERT INTO order_lines (id, order_id, variant_id, quantity, quantity_shipped, "
		"quantity_canceled, quantity_returned, net_price_cents, price_cents, status, "
		"canceled_at, closed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?8, ?9, ?10, ?11)");
	sqlite3_stmt *ship = prep(
		"INSERT INTO shipments (order_id, retailer_id, brand_id, tracking_number, "
		"shipping_method_id, shipped_at, is_acknowledged, acknowledged_at) "
		"VALUES (?1, 500, ?2, ?3, ?4, ?5, ?6, ?7)");
	sqlite3_stmt *ship_line = prep("INSERT INTO shipment_lines (shipment_id, order_line_id, "
				       "quantity) VALUES (?1, ?2, ?3)");
	sqlite3_stmt *cancel = prep(
		"INSERT INTO cancels (order_id, retailer_id, brand_id, reason_id, canceled_by, "
		"canceled_at, is_acknowledged, acknowledged_at) "
		"VALUES (?1, 500, ?2, 1, 'retailer', ?3, ?4, ?5)");
	sqlite3_stmt *cancel_line = prep("INSERT INTO cancel_lines (cancel_id, order_line_id, "
					 "quantity) VALUES (?1, ?2, ?3)");

	int64_t now = (int64_t)time(NULL);
	int64_t span = 400LL * 86400;
	int64_t start = now - span - 86400;
	int64_t line_id = query_int("SELECT coalesce(max(id), 0) FROM order_lines");
	int64_t addr_id = query_int("SELECT coalesce(max(id), 0) FROM addresses");
	double t0 = now_s();
	exec("BEGIN");
	for (int64_t i = 1; i <= norders; i++) {
		/* --- ship-to address --- */
		const char *first = PICK(first_names), *last = PICK(last_names);
		int pl = (int)(rnd() % (sizeof places / sizeof places[0]));
		char name1[80], street1[80], street2[32], zip[8], phone[24], email[96];
		snprintf(name1, sizeof name1, "%s %s", first, last);
		snprintf(street1, sizeof street1, "%d %s", (int)rnd_in(1, 9999), PICK(streets));
		bool has_street2 = rnd() % 4 == 0;
		snprintf(street2, sizeof street2, "Apt %d", (int)rnd_in(1, 40));
		snprintf(zip, sizeof zip, "%s%02d", places[pl].zip3, (int)rnd_in(1, 99));
		snprintf(phone, sizeof phone, "(%03d) %03d-%04d", (int)rnd_in(201, 989),
			 (int)rnd_in(200, 999), (int)rnd_in(0, 9999));
		snprintf(email, sizeof email, "%c.%s%d@example.com", first[0] | 0x20, last,
			 (int)(i % 1000));
		for (char *p = email; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p |= 0x20;
		addr_id++;
		sqlite3_bind_int64(addr, 1, addr_id);
		bind_text_or_null(addr, 2, rnd() % 3 == 0 ? "commercial" : "residential");
		sqlite3_bind_text(addr, 3, name1, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(addr, 4, street1, -1, SQLITE_TRANSIENT);
		bind_text_or_null(addr, 5, has_street2 ? street2 : NULL);
		sqlite3_bind_text(addr, 6, places[pl].city, -1, SQLITE_STATIC);
		sqlite3_bind_text(addr, 7, places[pl].state, -1, SQLITE_STATIC);
		sqlite3_bind_text(addr, 8, zip, -1, SQLITE_TRANSIENT);
		bind_text_or_null(addr, 9, rnd() % 5 ? phone : NULL);
		bind_text_or_null(addr, 10, rnd() % 3 ? email : NULL);
		step_done(addr, "insert address");

		/* --- order --- */
		int b = rnd_in(0, 99) < 70 ? 0 : 1;
		int64_t brand = 501 + b;
		enum kind k = pick_kind();
		int64_t ordered = start + span * (i - 1) / norders + rnd_in(0, 30);
		int64_t received = ordered + rnd_in(20, 900);
		int64_t acked = (k == OPEN_NEW || k == CANCELED) ? 0 : received + rnd_in(600, 20 * 3600);
		int64_t shipped = acked ? acked + rnd_in(3600, 60 * 3600) : 0;
		int64_t canceled = k == CANCELED ? received + rnd_in(60, 6 * 3600) : 0;
		/* Three distinct variants of the brand. */
		int nv = nbrand_variants[b], vi[3];
		vi[0] = (int)(rnd() % (uint64_t)nv);
		do
			vi[1] = (int)(rnd() % (uint64_t)nv);
		while (vi[1] == vi[0]);
		do
			vi[2] = (int)(rnd() % (uint64_t)nv);
		while (vi[2] == vi[0] || vi[2] == vi[1]);
		int64_t lead = 0;
		for (int l = 0; l < 3; l++)
			if (brand_variants[b][vi[l]].lead > lead)
				lead = brand_variants[b][vi[l]].lead;
		char po[32], con[32], ron[32];
		snprintf(po, sizeof po, "PO%08" PRId64, 10000000 + i);
		snprintf(con, sizeof con, "W-%07" PRId64, 3000000 + i * 3);
		snprintf(ron, sizeof ron, "R%09" PRId64, 100000000 + i * 7);
		bool generic = rnd() % 7 == 0;
		const char *status = k == CLOSED     ? "closed"
				     : k == PARTIAL  ? "partial"
				     : k == CANCELED ? "canceled"
						     : "open";
		int64_t closed_at = k == CLOSED ? shipped : 0;
		sqlite3_bind_int64(ord, 1, i);
		sqlite3_bind_int64(ord, 2, brand);
		sqlite3_bind_text(ord, 3, po, -1, SQLITE_TRANSIENT);
		bind_text_or_null(ord, 4, rnd() % 2 ? con : NULL);
		bind_text_or_null(ord, 5, rnd() % 4 == 0 ? ron : NULL);
		sqlite3_bind_int64(ord, 6, addr_id);
		bind_int_or_null(ord, 7, generic ? 0 : rnd_in(1, 3));
		bind_int_or_null(ord, 8, generic ? rnd_in(1, 5) : 0);
		bind_text_or_null(ord, 9,
				  rnd() % 20 == 0 ? "[\"Happy birthday!\",\"Love, the Okonkwos\"]"
						  : NULL);
		sqlite3_bind_text(ord, 10, status, -1, SQLITE_STATIC);
		sqlite3_bind_int(ord, 11, acked != 0);
		sqlite3_bind_int64(ord, 12, ordered);
		sqlite3_bind_int64(ord, 13, received);
		sqlite3_bind_int64(ord, 14, received + 24 * 3600);
		sqlite3_bind_int64(ord, 15, received + (72 + lead) * 3600);
		bind_int_or_null(ord, 16, acked);
		bind_int_or_null(ord, 17, closed_at);
		bind_int_or_null(ord, 18, canceled);
		sqlite3_bind_int64(ord, 19, k == OPEN_NEW ? 1 : k == OPEN_ACKED ? 2 : 3);
		step_done(ord, "insert order");

		/* --- lines --- */
		int64_t lids[3], qty[3];
		for (int l = 0; l < 3; l++) {
			int64_t q = rnd() % 4 == 0 ? rnd_in(2, 4) : 1;
			int64_t net = rnd_in(15, 900) * 100 + (rnd() % 2 ? 0 : 99);
			int64_t price = net * rnd_in(150, 190) / 100;
			int64_t q_ship = 0, q_can = 0, l_closed = 0, l_canceled = 0;
			const char *ls = "open";
			if (k == CLOSED || (k == PARTIAL && l == 0)) {
				q_ship = q;
				ls = "closed";
				l_closed = shipped;
			} else if (k == CANCELED) {
				q_can = q;
				ls = "canceled";
				l_canceled = canceled;
			}
			lids[l] = ++line_id;
			qty[l] = q;
			sqlite3_bind_int64(line, 1, line_id);
			sqlite3_bind_int64(line, 2, i);
			sqlite3_bind_int64(line, 3, brand_variants[b][vi[l]].id);
			sqlite3_bind_int64(line, 4, q);
			sqlite3_bind_int64(line, 5, q_ship);
			sqlite3_bind_int64(line, 6, q_can);
			sqlite3_bind_int64(line, 7, net);
			sqlite3_bind_int64(line, 8, price);
			sqlite3_bind_text(line, 9, ls, -1, SQLITE_STATIC);
			bind_int_or_null(line, 10, l_canceled);
			bind_int_or_null(line, 11, l_closed);
			step_done(line, "insert order line");
		}

		/* --- shipment or cancellation --- */
		if (k == CLOSED || k == PARTIAL) {
			char tracking[32];
			snprintf(tracking, sizeof tracking, "1Z%06" PRIX64 "%010" PRId64,
				 rnd() & 0xffffff, i);
			bool r_ack = rnd() % 5 != 0;
			sqlite3_bind_int64(ship, 1, i);
			sqlite3_bind_int64(ship, 2, brand);
			sqlite3_bind_text(ship, 3, tracking, -1, SQLITE_TRANSIENT);
			bind_int_or_null(ship, 4, rnd_in(1, 3));
			sqlite3_bind_int64(ship, 5, shipped);
			sqlite3_bind_int(ship, 6, r_ack);
			bind_int_or_null(ship, 7, r_ack ? shipped + rnd_in(600, 86400) : 0);
			step_done(ship, "insert shipment");
			int64_t sid = sqlite3_last_insert_rowid(db);
			for (int l = 0; l < (k == CLOSED ? 3 : 1); l++) {
				sqlite3_bind_int64(ship_line, 1, sid);
				sqlite3_bind_int64(ship_line, 2, lids[l]);
				sqlite3_bind_int64(ship_line, 3, qty[l]);
				step_done(ship_line, "insert shipment line");
			}
		} else if (k == CANCELED) {
			bool b_ack = rnd() % 2 == 0;
			sqlite3_bind_int64(cancel, 1, i);
			sqlite3_bind_int64(cancel, 2, brand);
			sqlite3_bind_int64(cancel, 3, canceled);
			sqlite3_bind_int(cancel, 4, b_ack);
			bind_int_or_null(cancel, 5, b_ack ? canceled + rnd_in(600, 86400) : 0);
			step_done(cancel, "insert cancel");
			int64_t cid = sqlite3_last_insert_rowid(db);
			for (int l = 0; l < 3; l++) {
				sqlite3_bind_int64(cancel_line, 1, cid);
				sqlite3_bind_int64(cancel_line, 2, lids[l]);
				sqlite3_bind_int64(cancel_line, 3, qty[l]);
				step_done(cancel_line, "insert cancel line");
			}
		}

		if (i % BATCH == 0 || i == norders) {
			exec("COMMIT");
			if (i % 200000 == 0 || i == norders)
				fprintf(stderr, "load: %" PRId64 " orders, %.0f s\n", i,
					now_s() - t0);
			if (i != norders)
				exec("BEGIN");
		}
	}
	sqlite3_finalize(addr);
	sqlite3_finalize(ord);
	sqlite3_finalize(line);
	sqlite3_finalize(ship);
	sqlite3_finalize(ship_line);
	sqlite3_finalize(cancel);
	sqlite3_finalize(cancel_line);
	/* What dropline expects to find: WAL, and every constraint holding. */
	exec("PRAGMA journal_mode=WAL");
	exec("PRAGMA foreign_keys=ON");
	if (query_int("SELECT count(*) FROM pragma_foreign_key_check") != 0) {
		fprintf(stderr, "load: foreign key check failed\n");
		return 1;
	}
	fprintf(stderr, "load: done, %" PRId64 " orders in %.0f s\n", norders, now_s() - t0);
	sqlite3_stmt *left = sqlite3_next_stmt(db, NULL);
	if (left != NULL)
		fprintf(stderr, "load: statement left: %s\n", sqlite3_sql(left));
	if (sqlite3_close(db) != SQLITE_OK)
		die("close");
	return 0;
}

static int pick_cancel(const char *path, int64_t n)
{
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		die("open");
	sqlite3_busy_timeout(db, 5000);
	/* Open, unacknowledged, retailer 500; nothing canceled or shipped on its first line. */
	sqlite3_stmt *st = prep("SELECT o.id, l.id FROM orders o "
				"JOIN order_lines l ON l.order_id = o.id "
				"WHERE o.retailer_id = 500 AND o.is_acknowledged = 0 "
				"AND o.status = 'open' AND l.quantity_canceled = 0 "
				"AND l.quantity_shipped = 0 "
				"AND NOT EXISTS (SELECT 1 FROM cancels k WHERE k.order_id = o.id) "
				"AND l.id = (SELECT min(id) FROM order_lines WHERE order_id = o.id) "
				"ORDER BY o.id DESC LIMIT ?1");
	sqlite3_bind_int64(st, 1, n);
	while (sqlite3_step(st) == SQLITE_ROW)
		printf("%lld %lld\n", (long long)sqlite3_column_int64(st, 0),
		       (long long)sqlite3_column_int64(st, 1));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return 0;
}

static int info(const char *path)
{
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		die("open");
	const char *const q[] = {
		"SELECT count(*) FROM orders", "SELECT count(*) FROM order_lines",
		"SELECT count(*) FROM addresses", "SELECT count(*) FROM shipments",
		"SELECT count(*) FROM cancels", "SELECT count(*) FROM variants",
		"SELECT count(*) FROM orders WHERE is_acknowledged = 1"};
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
		printf("%-55s %lld\n", q[i], (long long)query_int(q[i]));
	sqlite3_close(db);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "fill") == 0)
		return fill(argv[2], argc > 3 ? strtoll(argv[3], NULL, 10) : 1000000);
	if (argc == 4 && strcmp(argv[1], "pick-cancel") == 0)
		return pick_cancel(argv[2], strtoll(argv[3], NULL, 10));
	if (argc == 3 && strcmp(argv[1], "info") == 0)
		return info(argv[2]);
	if (argc == 3 && strcmp(argv[1], "last-event") == 0) {
		if (sqlite3_open_v2(argv[2], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
			die("open");
		sqlite3_busy_timeout(db, 5000);
		printf("%lld\n", (long long)query_int("SELECT coalesce(max(id), 0) FROM events"));
		sqlite3_close(db);
		return 0;
	}
	fprintf(stderr, "usage: load fill DB [ORDERS] | load pick-cancel DB N | load info DB | "
			"load last-event DB\n");
	return 2;
}
