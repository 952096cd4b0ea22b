/*
 * The dropline command line (CONTRACT.md section 9). Exit status: 0 done,
 * 1 the work failed (one line on stderr says why), 2 the command line was
 * wrong.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "api/api.h"
#include "catalog/catalog.h"
#include "domain/apikey.h"
#include "domain/timeutil.h"
#include "http/server.h"
#include "store/embedded.h"
#include "store/store_keys.h"

#define EXIT_USAGE		2
#define DEFAULT_DB		"./dropline.db"
#define DEFAULT_LISTEN		"127.0.0.1:8080"
#define MAX_THREADS		256
#define SHUTDOWN_GRACE_MS	10000
#define DEFAULT_RATE_LIMIT	100
#define DEFAULT_RATE_LIMIT_TEXT "100"
#define MAX_RATE_LIMIT		1000000

static const char usage_main[] =
	"usage: dropline COMMAND [OPTIONS]\n"
	"\n"
	"Dropline: a purchase-order exchange for dropship commerce.\n"
	"\n"
	"commands:\n"
	"  serve             serve the HTTP API (applies migrations first)\n"
	"  demo              load the demo catalog (idempotent)\n"
	"  keys create       make an API key for a retailer or a brand\n"
	"  keys list         list API keys (never the keys themselves)\n"
	"  keys revoke ID    revoke an API key at once\n"
	"  catalog import F  upsert a catalog JSON file\n"
	"  migrate           apply database migrations\n"
	"\n"
	"  dropline COMMAND --help   help on one command\n"
	"  dropline --version        print the version\n"
	"\n"
	"environment: DROPLINE_DB (default " DEFAULT_DB
	"), DROPLINE_LISTEN (default " DEFAULT_LISTEN "),\n"
	"             DROPLINE_THREADS (default 2), DROPLINE_RATE_LIMIT "
	"(default " DEFAULT_RATE_LIMIT_TEXT ");\n"
	"             options given on the command line win.\n";

static const char usage_serve[] =
	"usage: dropline serve [--db FILE] [--listen ADDR:PORT] [--threads N] [--rate-limit N]\n"
	"\n"
	"Applies migrations, then serves the API until SIGTERM or SIGINT, which\n"
	"stop accepting, finish the requests in flight and exit 0.\n"
	"  --db FILE            database file (DROPLINE_DB, default " DEFAULT_DB ")\n"
	"  --listen ADDR:PORT   address to listen on (DROPLINE_LISTEN, default " DEFAULT_LISTEN
	")\n"
	"  --threads N          worker threads, 1-256 (DROPLINE_THREADS, default 2)\n"
	"  --rate-limit N       requests a second per API key, bursts of 2 s worth; 0 for no\n"
	"                       limit (DROPLINE_RATE_LIMIT, default " DEFAULT_RATE_LIMIT_TEXT ")\n";

static const char usage_demo[] =
	"usage: dropline demo [--db FILE]\n"
	"\n"
	"Applies migrations and loads the demo catalog: retailers 500 and 600,\n"
	"brands 501 and 502, their connections, carriers, shipping methods and\n"
	"variants. Running it again changes nothing.\n"
	"  --db FILE   database file (DROPLINE_DB, default " DEFAULT_DB ")\n";

static const char usage_keys[] =
	"usage: dropline keys create (--retailer ID | --brand ID) [--db FILE]\n"
	"       dropline keys list [--db FILE]\n"
	"       dropline keys revoke KEY_ID [--db FILE]\n"
	"\n"
	"create prints only the new key on stdout; it is shown once and only its\n"
	"hash is stored. A key works under its party's path prefix only.\n"
	"  --db FILE   database file (DROPLINE_DB, default " DEFAULT_DB ")\n";

static const char usage_catalog[] =
	"usage: dropline catalog import FILE.json [--db FILE]\n"
	"\n"
	"Upserts retailers, brands, carriers, shipping methods, connections and\n"
	"variants (with retailer SKUs) in one transaction. A file with any problem\n"
	"changes nothing; each problem is printed with its path in the file.\n"
	"The format is in docs/catalog.md.\n"
	"  --db FILE   database file (DROPLINE_DB, default " DEFAULT_DB ")\n";

static const char usage_migrate[] =
	"usage: dropline migrate [--db FILE]\n"
	"\n"
	"Applies the migrations the database has not seen, each in its own\n"
	"transaction.\n"
	"  --db FILE   database file (DROPLINE_DB, default " DEFAULT_DB ")\n";

struct cli_options {
	const char *db;
	const char *listen;
	unsigned threads;
	int64_t rate_limit;
	party_kind party;
	int64_t party_id;
};

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("dropline: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Reads a positive integer of at most 18 digits. */
static bool parse_id(const char *text, int64_t *out)
{
	char *end = NULL;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v <= 0 || text[0] == '+' || text[0] == ' ')
		return false;
	*out = v;
	return true;
}

static bool parse_threads(const char *text, unsigned *out)
{
	int64_t v = 0;
	if (!parse_id(text, &v) || v > MAX_THREADS)
		return false;
	*out = (unsigned)v;
	return true;
}

enum { OPT_DB = 1000, OPT_LISTEN, OPT_THREADS, OPT_RATE_LIMIT, OPT_RETAILER, OPT_BRAND, OPT_HELP };

/* Reads a whole number from 0 to MAX_RATE_LIMIT. */
static bool parse_rate(const char *text, int64_t *out)
{
	if (strcmp(text, "0") == 0) {
		*out = 0;
		return true;
	}
	return parse_id(text, out) && *out <= MAX_RATE_LIMIT;
}

/*
 * Parses the options of a command. `allowed` lists the OPT_* it takes.
 * Positional arguments are left in argv[optind..]. Returns 0 to go on, or an
 * exit status (help printed: 0; bad option: 2).
 */
static int parse_options(int argc, char **argv, const int *allowed, const char *usage,
			 struct cli_options *o)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, OPT_DB},
		{"listen", required_argument, NULL, OPT_LISTEN},
		{"threads", required_argument, NULL, OPT_THREADS},
		{"rate-limit", required_argument, NULL, OPT_RATE_LIMIT},
		{"retailer", required_argument, NULL, OPT_RETAILER},
		{"brand", required_argument, NULL, OPT_BRAND},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *env;
	o->db = (env = getenv("DROPLINE_DB")) && *env ? env : DEFAULT_DB;
	o->listen = (env = getenv("DROPLINE_LISTEN")) && *env ? env : DEFAULT_LISTEN;
	o->threads = 2;
	if ((env = getenv("DROPLINE_THREADS")) && *env && !parse_threads(env, &o->threads)) {
		fail("DROPLINE_THREADS must be a number from 1 to %d, not '%s'", MAX_THREADS, env);
		return EXIT_USAGE;
	}
	o->rate_limit = DEFAULT_RATE_LIMIT;
	if ((env = getenv("DROPLINE_RATE_LIMIT")) && *env && !parse_rate(env, &o->rate_limit)) {
		fail("DROPLINE_RATE_LIMIT must be a number from 0 to %d, not '%s'", MAX_RATE_LIMIT,
		     env);
		return EXIT_USAGE;
	}
	optind = 1;
	opterr = 0;
	int ch;
	while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (ch == 'h' || ch == OPT_HELP) {
			fputs(usage, stdout);
			return -1;
		}
		bool ok = false;
		for (const int *a = allowed; *a; a++)
			ok = ok || *a == ch;
		if (ch == '?' || ch == ':' || !ok) {
			const char *bad = argv[optind - 1];
			if (ch == '?' && optopt != 0)
				fail("option '%s' needs a value (see --help)", bad);
			else
				fail("unknown option '%s' (see --help)", bad);
			return EXIT_USAGE;
		}
		switch (ch) {
		case OPT_DB: o->db = optarg; break;
		case OPT_LISTEN: o->listen = optarg; break;
		case OPT_THREADS:
			if (!parse_threads(optarg, &o->threads)) {
				fail("--threads must be a number from 1 to %d, not '%s'",
				     MAX_THREADS, optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_RATE_LIMIT:
			if (!parse_rate(optarg, &o->rate_limit)) {
				fail("--rate-limit must be a number from 0 to %d, not '%s'",
				     MAX_RATE_LIMIT, optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_RETAILER:
		case OPT_BRAND:
			if (o->party != PARTY_NONE) {
				fail("give one of --retailer and --brand, once");
				return EXIT_USAGE;
			}
			if (!parse_id(optarg, &o->party_id)) {
				fail("--%s needs a positive id, not '%s'",
				     ch == OPT_RETAILER ? "retailer" : "brand", optarg);
				return EXIT_USAGE;
			}
			o->party = ch == OPT_RETAILER ? PARTY_RETAILER : PARTY_BRAND;
			break;
		}
	}
	return 0;
}

/* Opens the store; `migrate` applies migrations, otherwise the schema must be current. */
static store *open_store(const char *path, unsigned readers, bool migrate)
{
	char err[STORE_ERR_MAX];
	store *s = NULL;
	struct store_options so = {.readers = readers, .busy_timeout_ms = 5000};
	if (store_open(path, &so, &s, err) != STORE_OK) {
		fail("%s", err);
		return NULL;
	}
	int version = 0;
	if (migrate) {
		int applied = 0;
		if (store_migrate(s, &applied, err) != STORE_OK) {
			fail("%s", err);
			store_close(s);
			return NULL;
		}
		if (applied > 0)
			fprintf(stderr, "dropline: applied %d migration%s to %s\n", applied,
				applied == 1 ? "" : "s", path);
	} else if (store_schema_version(s, &version) != STORE_OK ||
		   version != store_latest_version()) {
		fail("database %s is at schema version %d, this dropline needs %d: run 'dropline "
		     "migrate --db %s' first",
		     path, version, store_latest_version(), path);
		store_close(s);
		return NULL;
	}
	return s;
}

/* The positional arguments left after the options must be exactly `want`. */
static bool positional(int argc, char **argv, int want, const char *usage)
{
	if (argc - optind == want)
		return true;
	if (argc - optind > want)
		fail("unexpected argument '%s' (see --help)", argv[optind + want]);
	else
		fputs(usage, stderr);
	return false;
}

static int cmd_serve(int argc, char **argv)
{
	static const int allowed[] = {OPT_DB, OPT_LISTEN, OPT_THREADS, OPT_RATE_LIMIT, 0};
	struct cli_options o = {0};
	int rc = parse_options(argc, argv, allowed, usage_serve, &o);
	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if (!positional(argc, argv, 0, usage_serve))
		return EXIT_USAGE;

	/* Block the stop signals before any thread starts, so that only sigwait() sees them. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	store *s = open_store(o.db, o.threads, true);
	if (s == NULL)
		return EXIT_FAILURE;
	struct server_options so = {.listen = o.listen,
				    .threads = o.threads,
				    .access_log = stderr,
				    .rate_limit = (double)o.rate_limit};
	char err[SERVER_ERR_MAX];
	struct api *app = api_new(s, NULL);
	struct server *srv = app ? server_start(app, api_routes, api_routes_count, &so, err) : NULL;
	if (srv == NULL) {
		fail("%s", app ? err : "cannot start: out of memory or threads");
		api_free(app);
		store_close(s);
		return EXIT_FAILURE;
	}
	fprintf(stderr, "dropline %s: serving on %s (port %u), database %s, %u threads\n",
		DROPLINE_VERSION, o.listen, server_port(srv), o.db, o.threads);
	int sig = 0;
	sigwait(&stop, &sig);
	fprintf(stderr, "dropline: %s received, finishing requests in flight\n",
		sig == SIGINT ? "SIGINT" : "SIGTERM");
	server_stop(srv, SHUTDOWN_GRACE_MS);
	api_free(app);
	store_close(s);
	fprintf(stderr, "dropline: stopped cleanly\n");
	return EXIT_SUCCESS;
}

/* Prints every problem of a catalog document, one a line. */
static void print_field_errors(const char *source, const field_errors *fe)
{
	size_t i;
	json_t *item;
	json_array_foreach(fe->list, i, item)
	{
		const char *field = json_string_value(json_object_get(item, "field"));
		const char *message = json_string_value(json_object_get(item, "message"));
		fprintf(stderr, "dropline: %s: %s%s%s\n", source, field && *field ? field : "",
			field && *field ? ": " : "", message ? message : "");
	}
}

static int import_catalog(store *s, const char *source, const char *text, size_t len)
{
	field_errors fe;
	field_errors_init(&fe);
	struct catalog_counts n = {0};
	catalog_result res = catalog_import_text(s, text, len, &fe, &n);
	if (res == CATALOG_IMPORTED)
		fprintf(stderr,
			"dropline: %s: %zu retailers, %zu brands, %zu carriers, %zu shipping "
			"methods, "
			"%zu connections, %zu variants, %zu retailer SKUs upserted\n",
			source, n.retailers, n.brands, n.carriers, n.shipping_methods,
			n.connections, n.variants, n.retailer_skus);
	else if (res == CATALOG_INVALID)
		print_field_errors(source, &fe);
	else
		fail("%s: the store failed; nothing was imported", source);
	if (res == CATALOG_INVALID)
		fail("%s: %zu problem%s; nothing was imported", source, field_errors_count(&fe),
		     field_errors_count(&fe) == 1 ? "" : "s");
	field_errors_free(&fe);
	return res == CATALOG_IMPORTED ? EXIT_SUCCESS : EXIT_FAILURE;
}

static int cmd_demo(int argc, char **argv)
{
	static const int allowed[] = {OPT_DB, 0};
	struct cli_options o = {0};
	int rc = parse_options(argc, argv, allowed, usage_demo, &o);
	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if (!positional(argc, argv, 0, usage_demo))
		return EXIT_USAGE;
	store *s = open_store(o.db, 1, true);
	if (s == NULL)
		return EXIT_FAILURE;
	rc = import_catalog(s, "demo catalog", embedded_demo_catalog, embedded_demo_catalog_len);
	store_close(s);
	return rc;
}

static int cmd_migrate(int argc, char **argv)
{
	static const int allowed[] = {OPT_DB, 0};
	struct cli_options o = {0};
	int rc = parse_options(argc, argv, allowed, usage_migrate, &o);
	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if (!positional(argc, argv, 0, usage_migrate))
		return EXIT_USAGE;
	store *s = open_store(o.db, 1, true);
	if (s == NULL)
		return EXIT_FAILURE;
	int version = 0;
	store_schema_version(s, &version);
	fprintf(stderr, "dropline: %s is at schema version %d\n", o.db, version);
	store_close(s);
	return EXIT_SUCCESS;
}

/* Reads a whole file; NULL with errno set on failure. Caller frees. */
static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, n = 0;
	for (;;) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *nbuf = ncap > cap ? realloc(buf, ncap) : NULL;
			if (nbuf == NULL) {
				free(buf);
				fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			buf = nbuf;
			cap = ncap;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	int failed = ferror(f);
	fclose(f);
	if (failed) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	*len = n;
	return buf;
}

static int cmd_catalog(int argc, char **argv)
{
	static const int allowed[] = {OPT_DB, 0};
	struct cli_options o = {0};
	if (argc < 2 || strcmp(argv[1], "import") != 0) {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
			fputs(usage_catalog, stdout);
			return EXIT_SUCCESS;
		}
		fputs(usage_catalog, stderr);
		return EXIT_USAGE;
	}
	int rc = parse_options(argc - 1, argv + 1, allowed, usage_catalog, &o);
	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if (!positional(argc - 1, argv + 1, 1, usage_catalog))
		return EXIT_USAGE;
	const char *file = argv[1 + optind];
	size_t len = 0;
	char *text = read_file(file, &len);
	if (text == NULL) {
		fail("cannot read %s: %s", file, strerror(errno));
		return EXIT_FAILURE;
	}
	store *s = open_store(o.db, 1, false);
	if (s == NULL) {
		free(text);
		return EXIT_FAILURE;
	}
	rc = import_catalog(s, file, text, len);
	store_close(s);
	free(text);
	return rc;
}

struct key_create {
	struct key_record rec;
};

static store_status key_insert_tx(store_conn *c, void *ctx)
{
	return store_keys_insert(c, ctx);
}

static void key_print(const struct key_record *rec, void *ctx)
{
	(void)ctx;
	char created[TIME_TEXT_MAX], revoked[TIME_TEXT_MAX];
	time_format_iso8601(rec->created_at, created);
	if (rec->revoked_at)
		time_format_iso8601(rec->revoked_at, revoked);
	printf("%-8" PRId64 " %-8s %-10" PRId64 " %-20s %s\n", rec->id, party_kind_name(rec->party),
	       rec->party_id, created, rec->revoked_at ? revoked : "-");
}

static store_status key_list_read(store_conn *c, void *ctx)
{
	(void)ctx;
	return store_keys_list(c, key_print, NULL);
}

struct key_revoke {
	int64_t id;
	int64_t now;
};

static store_status key_revoke_tx(store_conn *c, void *ctx)
{
	struct key_revoke *r = ctx;
	return store_keys_revoke(c, r->id, r->now);
}

static int cmd_keys(int argc, char **argv)
{
	static const int allowed_create[] = {OPT_DB, OPT_RETAILER, OPT_BRAND, 0};
	static const int allowed_other[] = {OPT_DB, 0};
	struct cli_options o = {0};
	if (argc < 2) {
		fputs(usage_keys, stderr);
		return EXIT_USAGE;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
		fputs(usage_keys, stdout);
		return EXIT_SUCCESS;
	}
	bool create = strcmp(sub, "create") == 0, list = strcmp(sub, "list") == 0,
	     revoke = strcmp(sub, "revoke") == 0;
	if (!create && !list && !revoke) {
		fail("unknown keys command '%s' (create, list or revoke)", sub);
		return EXIT_USAGE;
	}
	int rc = parse_options(argc - 1, argv + 1, create ? allowed_create : allowed_other,
			       usage_keys, &o);
	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if (!positional(argc - 1, argv + 1, revoke ? 1 : 0, usage_keys))
		return EXIT_USAGE;
	int64_t revoke_id = 0;
	if (revoke && !parse_id(argv[1 + optind], &revoke_id)) {
		fail("KEY_ID must be a positive number, not '%s'", argv[1 + optind]);
		return EXIT_USAGE;
	}
	if (create && o.party == PARTY_NONE) {
		fail("keys create needs --retailer ID or --brand ID");
		return EXIT_USAGE;
	}
	store *s = open_store(o.db, 1, false);
	if (s == NULL)
		return EXIT_FAILURE;
	store_status st;
	rc = EXIT_SUCCESS;
	if (create) {
		uint8_t secret[APIKEY_SECRET_BYTES];
		struct key_record rec = {
			.party = o.party, .party_id = o.party_id, .created_at = time_now()};
		apikey_new_secret(secret);
		apikey_hash(secret, rec.hash);
		st = store_tx(s, "create key", key_insert_tx, &rec);
		if (st == STORE_OK) {
			char text[APIKEY_TEXT_MAX];
			apikey_format(rec.id, secret, text);
			printf("%s\n", text);
			fprintf(stderr,
				"dropline: key %" PRId64 " for %s %" PRId64
				" (shown once; only its hash is stored)\n",
				rec.id, party_kind_name(o.party), o.party_id);
		} else if (st == STORE_NOT_FOUND) {
			fail("there is no %s %" PRId64
			     " (load a catalog first, e.g. dropline demo)",
			     party_kind_name(o.party), o.party_id);
		} else {
			fail("cannot create the key: the store %s", store_status_text(st));
		}
		sodium_memzero(secret, sizeof(secret));
	} else if (list) {
		printf("%-8s %-8s %-10s %-20s %s\n", "ID", "PARTY", "PARTY_ID", "CREATED",
		       "REVOKED");
		st = store_read(s, key_list_read, NULL);
		if (st != STORE_OK)
			fail("cannot list keys: the store %s", store_status_text(st));
	} else {
		struct key_revoke r = {.id = revoke_id, .now = time_now()};
		st = store_tx(s, "revoke key", key_revoke_tx, &r);
		if (st == STORE_OK)
			fprintf(stderr, "dropline: key %" PRId64 " revoked\n", revoke_id);
		else if (st == STORE_NOT_FOUND)
			fail("there is no key %" PRId64, revoke_id);
		else
			fail("cannot revoke the key: the store %s", store_status_text(st));
	}
	if (st != STORE_OK)
		rc = EXIT_FAILURE;
	store_close(s);
	return rc;
}

/* Runs one command; argv[0] is the command's name. */
static int run_command(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} commands[] = {
		{"serve", cmd_serve},	  {"demo", cmd_demo},	    {"keys", cmd_keys},
		{"catalog", cmd_catalog}, {"migrate", cmd_migrate},
	};
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			return commands[i].run(argc, argv);
	fail("unknown command '%s' (see dropline --help)", argv[0]);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	if (!apikey_init()) {
		fail("cannot initialise libsodium");
		return EXIT_FAILURE;
	}
	if (argc < 2) {
		fputs(usage_main, stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		if (argc >= 3) {
			char help[] = "--help";
			char *sub_argv[] = {argv[2], help, NULL};
			return run_command(2, sub_argv);
		}
		fputs(usage_main, stdout);
		return EXIT_SUCCESS;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("dropline %s\n", DROPLINE_VERSION);
		return EXIT_SUCCESS;
	}
	return run_command(argc - 1, argv + 1);
}
