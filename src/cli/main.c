/*
 * The dropline command line (CONTRACT.md sections 9 and 19). Exit status:
 * 0 done, 1 the work failed (one line on stderr says why), 2 the command
 * line was wrong.
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
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "api/api.h"
#include "catalog/catalog.h"
#include "domain/apikey.h"
#include "domain/log.h"
#include "domain/metrics.h"
#include "domain/oauth.h"
#include "domain/timeutil.h"
#include "http/server.h"
#include "store/embedded.h"
#include "store/store_backup.h"
#include "store/store_keys.h"
#include "store/store_oauth.h"

#define EXIT_USAGE		2
#define DEFAULT_DB		"./dropline.db"
#define DEFAULT_LISTEN		"127.0.0.1:8080"
#define DEFAULT_THREADS		2
#define MAX_THREADS		256
#define SHUTDOWN_GRACE_MS	10000
#define DEFAULT_RATE_LIMIT	100
#define DEFAULT_RATE_LIMIT_TEXT "100"
#define MAX_RATE_LIMIT		1000000
#define MAX_RETENTION_DAYS	3650
#define DEFAULT_PER_ADDRESS	64
#define MAX_PER_ADDRESS		100000
#define MAX_IDLE_TIMEOUT	3600
#define MAX_PORT		65535
#define DEFAULT_MAX_CONNECTIONS 1024
#define MAX_MAX_CONNECTIONS	1000000
#define MAX_TOKEN_TTL		INT64_C(31622400) /* 366 days */

static const char usage_main[] =
	"usage: dropline COMMAND [OPTIONS] [ARGUMENTS]\n"
	"\n"
	"Dropline: a purchase-order exchange for dropship commerce.\n"
	"\n"
	"commands:\n"
	"  serve             serve the HTTP API (applies migrations first)\n"
	"  demo              load the demo catalog (idempotent)\n"
	"  keys create       make an API key for a retailer or a brand\n"
	"  keys list         list API keys (never the keys themselves)\n"
	"  keys revoke ID    revoke an API key at once\n"
	"  clients create    make an OAuth2 client for a retailer or a brand\n"
	"  clients list      list OAuth2 clients (never their secrets)\n"
	"  clients revoke ID revoke an OAuth2 client and its access tokens at once\n"
	"  catalog import F  upsert a catalog JSON file\n"
	"  migrate           apply database migrations\n"
	"  backup DEST       copy the database consistently, also while it is served\n"
	"\n"
	"  dropline COMMAND --help   help on one command\n"
	"  dropline --version        print the version\n"
	"\n"
	"Options may come before or after the arguments; '--' ends the options.\n"
	"Only serve, demo and migrate create a missing database.\n"
	"\n"
	"environment: DROPLINE_DB (default " DEFAULT_DB
	"), DROPLINE_LISTEN (default " DEFAULT_LISTEN "),\n"
	"             DROPLINE_THREADS (default 2), DROPLINE_RATE_LIMIT "
	"(default " DEFAULT_RATE_LIMIT_TEXT "),\n"
	"             DROPLINE_EVENT_RETENTION_DAYS (default 30), DROPLINE_LOG_LEVEL\n"
	"             (default info), DROPLINE_NO_METRICS, DROPLINE_TLS_CERT, DROPLINE_TLS_KEY,\n"
	"             DROPLINE_MAX_CONNECTIONS (default 1024),\n"
	"             DROPLINE_MAX_CONNECTIONS_PER_ADDRESS (default 64),\n"
	"             DROPLINE_IDLE_TIMEOUT (default 10);\n"
	"             options given on the command line win.\n"
	"exit status: 0 done, 1 the work failed, 2 the command line was wrong.\n";

static const char usage_serve[] =
	"usage: dropline serve [--db FILE] [--listen ADDR:PORT] [--threads N] [--rate-limit N]\n"
	"                      [--event-retention-days N] [--log-level LEVEL] [--no-metrics]\n"
	"                      [--tls-cert FILE --tls-key FILE] [--max-connections N]\n"
	"                      [--max-connections-per-address N] [--idle-timeout SECONDS]\n"
	"                      [--token-ttl SECONDS]\n"
	"                      [--webhook-retry-base SECONDS]\n"
	"                      [--webhook-timeout SECONDS] [--webhook-give-up SECONDS]\n"
	"                      [--webhook-allow-http] [--webhook-allow-private]\n"
	"                      [--webhook-key-file FILE]\n"
	"\n"
	"Applies migrations, then serves the API until SIGTERM or SIGINT, which\n"
	"stop accepting, finish the requests in flight and exit 0. SIGHUP does not\n"
	"stop it: it reloads the TLS certificate and key files (a pair that is refused\n"
	"leaves the one in use), or logs a line when there is no TLS.\n"
	"Every line it writes on stderr is one JSON object with ts and level.\n"
	"  --db FILE            database file, created when missing (DROPLINE_DB,\n"
	"                       default " DEFAULT_DB ")\n"
	"  --listen ADDR:PORT   address to listen on; PORT from 1 to 65535, or 0 for any\n"
	"                       free port, shown in the start line (DROPLINE_LISTEN,\n"
	"                       default " DEFAULT_LISTEN ")\n"
	"  --threads N          worker threads, 1-256 (DROPLINE_THREADS, default 2)\n"
	"  --rate-limit N       requests a second per API key, bursts of 2 s worth; 0 for no\n"
	"                       limit (DROPLINE_RATE_LIMIT, default " DEFAULT_RATE_LIMIT_TEXT ")\n"
	"  --event-retention-days N\n"
	"                       days events are kept, 1-3650; a feed read after an older\n"
	"                       one answers 410 (DROPLINE_EVENT_RETENTION_DAYS, default 30)\n"
	"  --log-level LEVEL    debug, info, warn or error: the lowest level written; access\n"
	"                       lines are info (DROPLINE_LOG_LEVEL, default info)\n"
	"  --no-metrics         GET /metrics answers 404 (DROPLINE_NO_METRICS=1); it needs\n"
	"                       no key otherwise, so mind who can reach --listen\n"
	"  --tls-cert FILE      serve HTTPS with this PEM certificate (chain) (DROPLINE_TLS_CERT)\n"
	"  --tls-key FILE       and this PEM private key (DROPLINE_TLS_KEY); both or neither;\n"
	"                       read at start, and again on SIGHUP\n"
	"  --max-connections N  connections open at once, 1-1000000, long-polls included;\n"
	"                       the open-files limit is raised to fit when it can be\n"
	"                       (DROPLINE_MAX_CONNECTIONS, default 1024)\n"
	"  --max-connections-per-address N\n"
	"                       open connections one client address may hold, 0-100000;\n"
	"                       0 for no limit, as behind a proxy where every client has\n"
	"                       the proxy's address (DROPLINE_MAX_CONNECTIONS_PER_ADDRESS,\n"
	"                       default 64)\n"
	"  --idle-timeout SECONDS\n"
	"                       how long a new connection may stay silent before its first\n"
	"                       request, 1-3600 (DROPLINE_IDLE_TIMEOUT, default 10)\n"
	"  --token-ttl SECONDS  life of an OAuth2 access token, 60-31622400\n"
	"                       (DROPLINE_TOKEN_TTL, default 36000)\n"
	"  --webhook-retry-base SECONDS\n"
	"                       first retry of a failed delivery, doubling up to 1 h;\n"
	"                       fractions and units allowed: 0.2, 90s, 5m (default 10)\n"
	"  --webhook-timeout SECONDS\n"
	"                       time a receiver has to answer 2xx (default 10)\n"
	"  --webhook-give-up SECONDS\n"
	"                       failures this long disable a subscription (default 3d)\n"
	"  --webhook-allow-http accept http:// webhook URLs (default: https only)\n"
	"  --webhook-allow-private\n"
	"                       let webhooks reach loopback, private and link-local\n"
	"                       addresses (default: refused)\n"
	"  --webhook-key-file FILE\n"
	"                       the key sealing webhook secrets, made on first use, mode\n"
	"                       0600 (default: the database's path + .webhook-key)\n";

static const char usage_demo[] =
	"usage: dropline demo [--db FILE]\n"
	"\n"
	"Applies migrations and loads the demo catalog: retailers 500 and 600,\n"
	"brands 501 and 502, their connections, carriers, shipping methods and\n"
	"variants. Running it again changes nothing.\n"
	"  --db FILE   database file, created when missing (DROPLINE_DB, default " DEFAULT_DB ")\n";

static const char usage_keys[] =
	"usage: dropline keys create (--retailer ID | --brand ID) [--db FILE]\n"
	"       dropline keys list [--db FILE]\n"
	"       dropline keys revoke KEY_ID [--db FILE]\n"
	"\n"
	"create prints only the new key on stdout; it is shown once and only its\n"
	"hash is stored. A key works under its party's path prefix only. list\n"
	"opens the database read-only. The database must exist and be migrated.\n"
	"  --db FILE   database file (DROPLINE_DB, default " DEFAULT_DB ")\n";

static const char usage_clients[] =
	"usage: dropline clients create (--retailer ID | --brand ID) [--db FILE]\n"
	"       dropline clients list [--db FILE]\n"
	"       dropline clients revoke CLIENT_ID [--db FILE]\n"
	"\n"
	"OAuth2 clients (client credentials, POST /auth/token/). create prints\n"
	"client_id=... and client_secret=... on stdout (eval-able); the secret is\n"
	"shown once and only its hash is stored. A client's access tokens work\n"
	"where a key of its party does. revoke (CLIENT_ID as dlc_7 or 7) ends the\n"
	"client and every token it holds at once. list opens the database\n"
	"read-only. The database must exist and be migrated.\n"
	"  --db FILE   database file (DROPLINE_DB, default " DEFAULT_DB ")\n";

static const char usage_catalog[] =
	"usage: dropline catalog import FILE.json [--db FILE]\n"
	"\n"
	"Upserts retailers, brands, carriers, shipping methods, connections and\n"
	"variants (with retailer SKUs) in one transaction. A file with any problem\n"
	"changes nothing; each problem is printed with its path in the file.\n"
	"The format is in docs/catalog.md. The database must exist and be migrated.\n"
	"  --db FILE   database file (DROPLINE_DB, default " DEFAULT_DB ")\n";

static const char usage_migrate[] =
	"usage: dropline migrate [--db FILE]\n"
	"\n"
	"Applies the migrations the database has not seen, each in its own\n"
	"transaction.\n"
	"  --db FILE   database file, created when missing (DROPLINE_DB, default " DEFAULT_DB ")\n";

static const char usage_backup[] =
	"usage: dropline backup [--db FILE] [--force] DEST\n"
	"\n"
	"Copies the database to DEST, also while a server writes to it: one\n"
	"consistent snapshot (SQLite's online backup API), taken without stopping\n"
	"or blocking the server. The copy is written beside DEST, synced, and only\n"
	"then renamed to DEST: a crash or Ctrl-C never leaves half a backup there.\n"
	"To restore: stop the server, copy DEST over the database file, remove the\n"
	"database's -wal and -shm files, start the server.\n"
	"  --db FILE   database file, opened read-only (DROPLINE_DB, default " DEFAULT_DB ")\n"
	"  --force     replace DEST when it exists (otherwise an existing DEST is refused)\n";

/* The options; each command takes a set of them (a bit per option). */
enum option_id {
	OPT_DB,
	OPT_LISTEN,
	OPT_THREADS,
	OPT_RATE_LIMIT,
	OPT_EVENT_RETENTION,
	OPT_MAX_CONNECTIONS,
	OPT_PER_ADDRESS,
	OPT_IDLE_TIMEOUT,
	OPT_TOKEN_TTL,
	OPT_WEBHOOK_RETRY_BASE,
	OPT_WEBHOOK_TIMEOUT,
	OPT_WEBHOOK_GIVE_UP,
	OPT_WEBHOOK_ALLOW_HTTP,
	OPT_WEBHOOK_ALLOW_PRIVATE,
	OPT_WEBHOOK_KEY_FILE,
	OPT_RETAILER,
	OPT_BRAND,
	OPT_FORCE,
	OPT_LOG_LEVEL,
	OPT_NO_METRICS,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_COUNT
};

#define OPT_BIT(id) (1u << (id))

/* getopt_long values: far from the characters it returns itself. */
#define OPT_VALUE_BASE 256
#define OPT_HELP       (OPT_VALUE_BASE + OPT_COUNT)

/* In option_id order, so that longopts[id].name names option id. */
static const struct option longopts[] = {
	{"db", required_argument, NULL, OPT_VALUE_BASE + OPT_DB},
	{"listen", required_argument, NULL, OPT_VALUE_BASE + OPT_LISTEN},
	{"threads", required_argument, NULL, OPT_VALUE_BASE + OPT_THREADS},
	{"rate-limit", required_argument, NULL, OPT_VALUE_BASE + OPT_RATE_LIMIT},
	{"event-retention-days", required_argument, NULL, OPT_VALUE_BASE + OPT_EVENT_RETENTION},
	{"max-connections", required_argument, NULL, OPT_VALUE_BASE + OPT_MAX_CONNECTIONS},
	{"max-connections-per-address", required_argument, NULL, OPT_VALUE_BASE + OPT_PER_ADDRESS},
	{"idle-timeout", required_argument, NULL, OPT_VALUE_BASE + OPT_IDLE_TIMEOUT},
	{"token-ttl", required_argument, NULL, OPT_VALUE_BASE + OPT_TOKEN_TTL},
	{"webhook-retry-base", required_argument, NULL, OPT_VALUE_BASE + OPT_WEBHOOK_RETRY_BASE},
	{"webhook-timeout", required_argument, NULL, OPT_VALUE_BASE + OPT_WEBHOOK_TIMEOUT},
	{"webhook-give-up", required_argument, NULL, OPT_VALUE_BASE + OPT_WEBHOOK_GIVE_UP},
	{"webhook-allow-http", no_argument, NULL, OPT_VALUE_BASE + OPT_WEBHOOK_ALLOW_HTTP},
	{"webhook-allow-private", no_argument, NULL, OPT_VALUE_BASE + OPT_WEBHOOK_ALLOW_PRIVATE},
	{"webhook-key-file", required_argument, NULL, OPT_VALUE_BASE + OPT_WEBHOOK_KEY_FILE},
	{"retailer", required_argument, NULL, OPT_VALUE_BASE + OPT_RETAILER},
	{"brand", required_argument, NULL, OPT_VALUE_BASE + OPT_BRAND},
	{"force", no_argument, NULL, OPT_VALUE_BASE + OPT_FORCE},
	{"log-level", required_argument, NULL, OPT_VALUE_BASE + OPT_LOG_LEVEL},
	{"no-metrics", no_argument, NULL, OPT_VALUE_BASE + OPT_NO_METRICS},
	{"tls-cert", required_argument, NULL, OPT_VALUE_BASE + OPT_TLS_CERT},
	{"tls-key", required_argument, NULL, OPT_VALUE_BASE + OPT_TLS_KEY},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

/* What a command runs with: every setting resolved (line, environment, default). */
struct cli_options {
	const char *db;
	const char *listen;
	unsigned threads;
	int64_t rate_limit;
	int64_t event_retention_days;
	int64_t max_connections;
	int64_t per_address;  /* connections per client address, 0 for no limit */
	int64_t idle_timeout; /* seconds a connection may stay silent before a request */
	int64_t token_ttl;
	struct api_webhook_options webhooks;
	party_kind party;
	int64_t party_id;
	bool force;
	log_level log_level;
	bool no_metrics;
	const char *tls_cert; /* file names; both or neither */
	const char *tls_key;
	const char *arg; /* the command's one positional argument, when it takes one */
};

/* One command: "serve", or "keys create" (a group's word, then its own). */
struct command {
	const char *name;     /* the second word; NULL when the group has one form */
	unsigned options;     /* OPT_BIT()s it takes */
	const char *arg_name; /* its one positional argument ("KEY_ID"), NULL for none */
	int (*run)(const struct cli_options *o);
};

struct command_group {
	const char *name;
	const char *choices; /* its commands' names for messages, NULL when it has one form */
	const char *usage;
	const struct command *commands;
	size_t count;
};

/* The command line as typed, before the command is known. */
struct parsed_line {
	const char *value[OPT_COUNT]; /* last value of each option (NULL: not given) */
	unsigned times[OPT_COUNT];    /* how often each option was given */
	const char **words;	      /* positional arguments, in order (owned array) */
	size_t nwords;
	bool help;
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

/*
 * Checks "ADDR:PORT" as far as the command line can: an address before the
 * last colon (the server resolves it), and a port of digits from 0 to
 * 65535. 0 asks the kernel for a free port, which the start line shows: the
 * tests that run the binary need it to never collide on a fixed port.
 */
static bool listen_address_ok(const char *text)
{
	const char *colon = strrchr(text, ':');
	if (colon == NULL || colon == text)
		return false;
	const char *port = colon + 1;
	size_t digits = strspn(port, "0123456789");
	if (digits == 0 || digits > 5 || port[digits] != '\0')
		return false;
	return strtoul(port, NULL, 10) <= MAX_PORT;
}

/*
 * Reads the options and the positional arguments of a command line whose
 * argv[0] is the command's first word. Options and arguments may be mixed;
 * "--" ends the options. Returns 0, or EXIT_USAGE after saying why.
 */
static int parse_line(int argc, char **argv, struct parsed_line *p)
{
	memset(p, 0, sizeof(*p));
	p->words = calloc((size_t)argc, sizeof(*p->words));
	if (p->words == NULL) {
		fail("out of memory");
		return EXIT_FAILURE;
	}
	optind = 1;
	opterr = 0;
	int ch;
	/*
	 * "-" returns each positional argument in place (as option 1) instead
	 * of stopping at the first, whatever POSIXLY_CORRECT says; ":" tells a
	 * missing value from an unknown option.
	 */
	while ((ch = getopt_long(argc, argv, "-:h", longopts, NULL)) != -1) {
		if (ch == 1) {
			p->words[p->nwords++] = optarg;
		} else if (ch == 'h' || ch == OPT_HELP) {
			p->help = true;
		} else if (ch >= OPT_VALUE_BASE && ch < OPT_VALUE_BASE + OPT_COUNT) {
			int id = ch - OPT_VALUE_BASE;
			p->value[id] = optarg != NULL ? optarg : "";
			p->times[id]++;
		} else if (ch == ':') {
			fail("option '%s' needs a value (see --help)", argv[optind - 1]);
			return EXIT_USAGE;
		} else if (optopt != 0 && optopt < OPT_VALUE_BASE) {
			fail("unknown option '-%c' (see --help)", optopt);
			return EXIT_USAGE;
		} else {
			fail("unknown option '%s' (see --help)", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	/* After "--": all positional. */
	for (; optind < argc; optind++)
		p->words[p->nwords++] = argv[optind];
	return 0;
}

/* The value of a setting: the command line's, else the environment's, else NULL. */
static const char *setting(const struct parsed_line *p, enum option_id id, const char *env_name)
{
	if (p->value[id] != NULL)
		return p->value[id];
	const char *env = env_name ? getenv(env_name) : NULL;
	return env != NULL && *env != '\0' ? env : NULL;
}

/*
 * A duration setting in seconds, fractions allowed, with an optional unit
 * (s, m, h, d: "0.2", "90s", "3d"), from min to max seconds; else dflt.
 */
static bool duration_setting(const struct command *cmd, const struct parsed_line *p,
			     enum option_id id, double min, double max, double dflt, double *out)
{
	*out = dflt;
	const char *v = (cmd->options & OPT_BIT(id)) ? p->value[id] : NULL;
	if (v == NULL)
		return true;
	char *end = NULL;
	errno = 0;
	double n = *v != '\0' && *v != '-' && *v != '+' ? strtod(v, &end) : -1;
	if (end != NULL && errno == 0) {
		static const struct {
			char unit;
			double seconds;
		} units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (end[0] == units[i].unit && end[1] == '\0') {
				n *= units[i].seconds;
				end++;
			}
	}
	if (end != NULL && *end == '\0' && errno == 0 && n >= min && n <= max) {
		*out = n;
		return true;
	}
	fail("--%s must be a duration from %g to %g seconds (a number, or with s, m, h, d), "
	     "not '%s'",
	     longopts[id].name, min, max, v);
	return false;
}

/*
 * A whole-number setting `cmd` takes, from min to max: the line's, else the
 * environment's, else `dflt`. False, after saying why, when it is not.
 */
static bool number_setting(const struct command *cmd, const struct parsed_line *p,
			   enum option_id id, const char *env_name, int64_t min, int64_t max,
			   int64_t dflt, int64_t *out)
{
	*out = dflt;
	const char *v = (cmd->options & OPT_BIT(id)) ? setting(p, id, env_name) : NULL;
	if (v == NULL)
		return true;
	int64_t n = 0;
	bool ok = strcmp(v, "0") == 0 ? (n = 0, true) : parse_id(v, &n);
	if (ok && n >= min && n <= max) {
		*out = n;
		return true;
	}
	char option[64];
	snprintf(option, sizeof(option), "--%s", longopts[id].name);
	fail("%s must be a number from %lld to %lld, not '%s'", p->value[id] ? option : env_name,
	     (long long)min, (long long)max, v);
	return false;
}

/*
 * Fills in the settings `cmd` takes from the line, the environment and the
 * defaults, and checks them. Returns 0, or EXIT_USAGE after saying why.
 */
static int cmd_keys_create(const struct cli_options *o);

static int resolve_settings(const struct command *cmd, const struct parsed_line *p,
			    struct cli_options *o)
{
	const char *v;
	o->db = (v = setting(p, OPT_DB, "DROPLINE_DB")) ? v : DEFAULT_DB;
	if (*o->db == '\0') {
		/* SQLite would open a private temporary database, lost at exit. */
		fail("--db needs a file name");
		return EXIT_USAGE;
	}
	if (cmd->options & OPT_BIT(OPT_LISTEN)) {
		o->listen = (v = setting(p, OPT_LISTEN, "DROPLINE_LISTEN")) ? v : DEFAULT_LISTEN;
		if (!listen_address_ok(o->listen)) {
			fail("%s must be ADDR:PORT with a port from 1 to %d (or 0 for any free "
			     "port), not '%s'",
			     p->value[OPT_LISTEN] ? "--listen" : "DROPLINE_LISTEN", MAX_PORT,
			     o->listen);
			return EXIT_USAGE;
		}
	}
	o->threads = DEFAULT_THREADS;
	if ((cmd->options & OPT_BIT(OPT_THREADS)) &&
	    (v = setting(p, OPT_THREADS, "DROPLINE_THREADS")) && !parse_threads(v, &o->threads)) {
		fail("%s must be a number from 1 to %d, not '%s'",
		     p->value[OPT_THREADS] ? "--threads" : "DROPLINE_THREADS", MAX_THREADS, v);
		return EXIT_USAGE;
	}
	if (!number_setting(cmd, p, OPT_RATE_LIMIT, "DROPLINE_RATE_LIMIT", 0, MAX_RATE_LIMIT,
			    DEFAULT_RATE_LIMIT, &o->rate_limit) ||
	    !number_setting(cmd, p, OPT_EVENT_RETENTION, "DROPLINE_EVENT_RETENTION_DAYS", 1,
			    MAX_RETENTION_DAYS, API_EVENT_RETENTION_DAYS,
			    &o->event_retention_days) ||
	    !number_setting(cmd, p, OPT_MAX_CONNECTIONS, "DROPLINE_MAX_CONNECTIONS", 1,
			    MAX_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS, &o->max_connections) ||
	    !number_setting(cmd, p, OPT_PER_ADDRESS, "DROPLINE_MAX_CONNECTIONS_PER_ADDRESS", 0,
			    MAX_PER_ADDRESS, DEFAULT_PER_ADDRESS, &o->per_address) ||
	    !number_setting(cmd, p, OPT_IDLE_TIMEOUT, "DROPLINE_IDLE_TIMEOUT", 1, MAX_IDLE_TIMEOUT,
			    SERVER_IDLE_TIMEOUT, &o->idle_timeout) ||
	    !number_setting(cmd, p, OPT_TOKEN_TTL, "DROPLINE_TOKEN_TTL", 60, MAX_TOKEN_TTL,
			    API_TOKEN_TTL, &o->token_ttl))
		return EXIT_USAGE;
	if (!duration_setting(cmd, p, OPT_WEBHOOK_RETRY_BASE, 0.01, 3600, API_WEBHOOK_RETRY_BASE,
			      &o->webhooks.retry_base) ||
	    !duration_setting(cmd, p, OPT_WEBHOOK_TIMEOUT, 0.1, 300, API_WEBHOOK_TIMEOUT,
			      &o->webhooks.timeout) ||
	    !duration_setting(cmd, p, OPT_WEBHOOK_GIVE_UP, 1, 365.0 * 86400, API_WEBHOOK_GIVE_UP,
			      &o->webhooks.give_up))
		return EXIT_USAGE;
	o->webhooks.allow_http = p->times[OPT_WEBHOOK_ALLOW_HTTP] > 0;
	o->webhooks.allow_private = p->times[OPT_WEBHOOK_ALLOW_PRIVATE] > 0;
	o->webhooks.key_file = p->value[OPT_WEBHOOK_KEY_FILE];
	if (o->webhooks.key_file != NULL && *o->webhooks.key_file == '\0') {
		fail("--webhook-key-file needs a file name");
		return EXIT_USAGE;
	}
	if (cmd->options & OPT_BIT(OPT_RETAILER)) {
		if (p->times[OPT_RETAILER] + p->times[OPT_BRAND] != 1) {
			fail("%s create needs one of --retailer ID and --brand ID, once",
			     cmd->run == cmd_keys_create ? "keys" : "clients");
			return EXIT_USAGE;
		}
		enum option_id id = p->times[OPT_RETAILER] ? OPT_RETAILER : OPT_BRAND;
		if (!parse_id(p->value[id], &o->party_id)) {
			fail("--%s needs a positive id, not '%s'", longopts[id].name, p->value[id]);
			return EXIT_USAGE;
		}
		o->party = id == OPT_RETAILER ? PARTY_RETAILER : PARTY_BRAND;
	}
	o->force = p->times[OPT_FORCE] > 0;
	o->log_level = LOG_INFO;
	if ((cmd->options & OPT_BIT(OPT_LOG_LEVEL)) &&
	    (v = setting(p, OPT_LOG_LEVEL, "DROPLINE_LOG_LEVEL")) &&
	    !log_level_parse(v, &o->log_level)) {
		fail("%s must be debug, info, warn or error, not '%s'",
		     p->value[OPT_LOG_LEVEL] ? "--log-level" : "DROPLINE_LOG_LEVEL", v);
		return EXIT_USAGE;
	}
	if (cmd->options & OPT_BIT(OPT_NO_METRICS)) {
		o->no_metrics = p->times[OPT_NO_METRICS] > 0;
		const char *env = getenv("DROPLINE_NO_METRICS");
		if (!o->no_metrics && env != NULL && *env != '\0') {
			bool yes = strcmp(env, "1") == 0 || strcmp(env, "yes") == 0 ||
				   strcmp(env, "true") == 0;
			bool no = strcmp(env, "0") == 0 || strcmp(env, "no") == 0 ||
				  strcmp(env, "false") == 0;
			if (!yes && !no) {
				fail("DROPLINE_NO_METRICS must be 1, yes, true, 0, no or false, "
				     "not "
				     "'%s'",
				     env);
				return EXIT_USAGE;
			}
			o->no_metrics = yes;
		}
	}
	if (cmd->options & OPT_BIT(OPT_TLS_CERT)) {
		o->tls_cert = setting(p, OPT_TLS_CERT, "DROPLINE_TLS_CERT");
		o->tls_key = setting(p, OPT_TLS_KEY, "DROPLINE_TLS_KEY");
		if ((o->tls_cert == NULL) != (o->tls_key == NULL)) {
			fail("--tls-cert and --tls-key (DROPLINE_TLS_CERT, DROPLINE_TLS_KEY) go "
			     "together: give both or neither");
			return EXIT_USAGE;
		}
	}
	return 0;
}

/*
 * Finds the command a parsed line names within its group, checks that it
 * takes the options given and the right number of arguments, and resolves
 * its settings. Returns 0, or EXIT_USAGE after saying why.
 */
static int resolve_command(const struct command_group *g, const struct parsed_line *p,
			   const struct command **out, struct cli_options *o)
{
	const struct command *cmd = &g->commands[0];
	size_t first_arg = 0;
	char full_name[64];
	if (cmd->name != NULL) {
		if (p->nwords == 0) {
			fail("%s needs a command: %s (see dropline %s --help)", g->name, g->choices,
			     g->name);
			return EXIT_USAGE;
		}
		cmd = NULL;
		for (size_t i = 0; i < g->count && cmd == NULL; i++)
			if (strcmp(p->words[0], g->commands[i].name) == 0)
				cmd = &g->commands[i];
		if (cmd == NULL) {
			fail("unknown %s command '%s' (see dropline %s --help)", g->name,
			     p->words[0], g->name);
			return EXIT_USAGE;
		}
		first_arg = 1;
		snprintf(full_name, sizeof(full_name), "%s %s", g->name, cmd->name);
	} else {
		snprintf(full_name, sizeof(full_name), "%s", g->name);
	}
	for (int id = 0; id < OPT_COUNT; id++) {
		if (p->times[id] > 0 && !(cmd->options & OPT_BIT(id))) {
			fail("%s takes no option '--%s' (see --help)", full_name,
			     longopts[id].name);
			return EXIT_USAGE;
		}
	}
	size_t want = cmd->arg_name != NULL ? 1 : 0, have = p->nwords - first_arg;
	if (have > want) {
		fail("unexpected argument '%s' (see --help)", p->words[first_arg + want]);
		return EXIT_USAGE;
	}
	if (have < want) {
		fail("%s needs %s (see --help)", full_name, cmd->arg_name);
		return EXIT_USAGE;
	}
	o->arg = want ? p->words[first_arg] : NULL;
	*out = cmd;
	return resolve_settings(cmd, p, o);
}

/* How a command uses the database, which decides how it is opened. */
enum db_use {
	DB_SET_UP, /* create when missing, apply migrations */
	DB_WRITE,  /* must exist and be migrated; nothing is created */
	DB_READ,   /* must exist and be migrated; opened read-only */
	DB_COPY,   /* must exist, any schema this binary can read; opened read-only */
};

/*
 * What went wrong, said once: as a JSON error line when the command logs
 * through a logger (serve), else as fail()'s one plain line.
 */
static void say_failure(const struct logger *log, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void say_failure(const struct logger *log, const char *fmt, ...)
{
	char message[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	if (log != NULL)
		log_write(log, LOG_ERROR, "%s", message);
	else
		fail("%s", message);
}

/*
 * Opens the store for `use`; NULL after saying why. With a logger (serve),
 * what it says goes there as JSON lines, the store's own failures too.
 */
static store *open_logged_store(const char *path, unsigned readers, enum db_use use,
				const struct logger *log)
{
	char err[STORE_ERR_MAX];
	store *s = NULL;
	struct store_options so = {.readers = readers, .busy_timeout_ms = 5000, .log = log};
	so.mode = use == DB_SET_UP  ? STORE_OPEN_CREATE
		  : use == DB_WRITE ? STORE_OPEN_EXISTING
				    : STORE_OPEN_READ_ONLY;
	if (store_open(path, &so, &s, err) != STORE_OK) {
		say_failure(log, "%s", err);
		return NULL;
	}
	int version = 0;
	if (use == DB_SET_UP) {
		int applied = 0;
		if (store_migrate(s, &applied, err) != STORE_OK) {
			say_failure(log, "%s", err);
			store_close(s);
			return NULL;
		}
		if (applied > 0 && log != NULL)
			log_write(log, LOG_INFO, "applied %d migration%s to %s", applied,
				  applied == 1 ? "" : "s", path);
		else if (applied > 0)
			fprintf(stderr, "dropline: applied %d migration%s to %s\n", applied,
				applied == 1 ? "" : "s", path);
	} else if (use != DB_COPY && (store_schema_version(s, &version) != STORE_OK ||
				      version != store_latest_version())) {
		say_failure(log,
			    "database %s is at schema version %d, this dropline needs %d: run "
			    "'dropline migrate --db %s' first",
			    path, version, store_latest_version(), path);
		store_close(s);
		return NULL;
	}
	return s;
}

static store *open_store(const char *path, unsigned readers, enum db_use use)
{
	return open_logged_store(path, readers, use, NULL);
}

static char *read_file(const char *path, size_t *len);

/* The TLS pair's PEM texts, read at start; the key is wiped when freed. */
struct tls_files {
	char *cert, *key;
	size_t key_len;
};

static void tls_files_free(struct tls_files *t)
{
	if (t->key != NULL)
		sodium_memzero(t->key, t->key_len);
	free(t->key);
	free(t->cert);
}

/* Reads one PEM file into a NUL-terminated text; NULL after saying why. */
static char *read_pem(const struct logger *log, const char *what, const char *path, size_t *len)
{
	size_t n = 0;
	char *text = read_file(path, &n);
	if (text == NULL) {
		log_write(log, LOG_ERROR, "cannot read the TLS %s %s: %s", what, path,
			  strerror(errno));
		return NULL;
	}
	char *grown = realloc(text, n + 1);
	if (grown == NULL) {
		free(text);
		log_write(log, LOG_ERROR, "cannot read the TLS %s %s: out of memory", what, path);
		return NULL;
	}
	grown[n] = '\0';
	if (n == 0 || strlen(grown) != n || strstr(grown, "-----BEGIN ") == NULL) {
		sodium_memzero(grown, n);
		free(grown);
		log_write(log, LOG_ERROR, "the TLS %s %s is not a PEM file", what, path);
		return NULL;
	}
	*len = n;
	return grown;
}

static bool tls_files_read(const struct cli_options *o, const struct logger *log,
			   struct tls_files *t)
{
	size_t cert_len = 0;
	if (o->tls_cert == NULL)
		return true;
	t->cert = read_pem(log, "certificate", o->tls_cert, &cert_len);
	t->key = t->cert ? read_pem(log, "key", o->tls_key, &t->key_len) : NULL;
	return t->key != NULL;
}

/*
 * The reload hook (SIGHUP): with TLS, reads the certificate and key files
 * again and puts the new pair in place for the handshakes that follow; a
 * pair that cannot be read or is refused leaves the one in use. SIGHUP must
 * not stop the server: closing the terminal it was started from sends one.
 */
static void serve_reload(const struct cli_options *o, struct server *srv, const struct logger *log)
{
	if (o->tls_cert == NULL) {
		log_write(log, LOG_INFO, "SIGHUP received: nothing to reload, still serving");
		return;
	}
	struct tls_files tls = {0};
	char err[SERVER_ERR_MAX];
	if (!tls_files_read(o, log, &tls))
		log_write(log, LOG_ERROR,
			  "SIGHUP received: the TLS certificate in use is kept, still serving");
	else if (!server_tls_reload(srv, tls.cert, tls.key, err))
		log_write(log, LOG_ERROR,
			  "SIGHUP received: %s; the TLS certificate in use is kept, still serving",
			  err);
	else
		log_write(log, LOG_INFO,
			  "SIGHUP received: TLS certificate %s and key %s reloaded, still serving",
			  o->tls_cert, o->tls_key);
	tls_files_free(&tls);
}

/* Waits, reloading on SIGHUP, until a stop signal arrives; returns it. */
static int serve_wait(const sigset_t *handled, const struct cli_options *o, struct server *srv,
		      const struct logger *log)
{
	for (;;) {
		int sig = 0;
		int rc = sigwait(handled, &sig);
		if (rc != 0) {
			/* Only an invalid set fails: stop rather than spin. */
			log_write(log, LOG_ERROR, "cannot wait for signals: %s", strerror(rc));
			return SIGTERM;
		}
		if (sig != SIGHUP)
			return sig;
		serve_reload(o, srv, log);
	}
}

/*
 * File descriptors serve needs besides its connections: the database's
 * files for each connection to it, the listening socket, epoll and wake-up
 * descriptors of each thread, stdio. Generous on purpose.
 */
#define SERVE_SPARE_FDS(threads) (64 + 8 * (rlim_t)(threads))

/*
 * Raises the soft open-files limit toward the hard one when
 * max_connections needs more than it allows. When the hard limit is too
 * low, says so: connections past what fits are refused by the server.
 */
static void raise_open_files_limit(int64_t max_connections, unsigned threads,
				   const struct logger *log)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		log_write(log, LOG_WARN, "cannot read the open-files limit: %s", strerror(errno));
		return;
	}
	rlim_t need = (rlim_t)max_connections + SERVE_SPARE_FDS(threads);
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		rlim_t want =
			rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ? need : rl.rlim_max;
		struct rlimit raised = {.rlim_cur = want, .rlim_max = rl.rlim_max};
		if (want > rl.rlim_cur && setrlimit(RLIMIT_NOFILE, &raised) == 0)
			rl.rlim_cur = want;
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need)
		log_write(
			log, LOG_WARN,
			"--max-connections %lld needs about %llu open files, and the limit is %llu "
			"(hard limit %llu): connections past about %llu will be refused",
			(long long)max_connections, (unsigned long long)need,
			(unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max,
			rl.rlim_cur > SERVE_SPARE_FDS(threads)
				? (unsigned long long)(rl.rlim_cur - SERVE_SPARE_FDS(threads))
				: 0ULL);
}

static int cmd_serve(const struct cli_options *o)
{
	struct logger *log = logger_new(stderr, o->log_level);
	if (log == NULL) {
		fail("cannot start: out of memory");
		return EXIT_FAILURE;
	}
	/* From here on every line is JSON, through this logger. */
	int rc = EXIT_FAILURE;
	/*
	 * Block the signals serve_wait() takes before any thread starts, so that
	 * only sigwait() sees them.
	 */
	sigset_t handled;
	sigemptyset(&handled);
	sigaddset(&handled, SIGINT);
	sigaddset(&handled, SIGTERM);
	sigaddset(&handled, SIGHUP);
	struct metrics *metrics = o->no_metrics ? NULL : metrics_new();
	if (!o->no_metrics && metrics == NULL) {
		log_write(log, LOG_ERROR, "cannot start: out of memory");
		logger_free(log);
		return EXIT_FAILURE;
	}
	if (pthread_sigmask(SIG_BLOCK, &handled, NULL) != 0 ||
	    signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		log_write(log, LOG_ERROR, "cannot set up signal handling");
		metrics_free(metrics);
		logger_free(log);
		return EXIT_FAILURE;
	}
	struct tls_files tls = {0};
	store *s = NULL;
	struct api *app = NULL;
	struct server *srv = NULL;
	if (!tls_files_read(o, log, &tls))
		goto out;
	raise_open_files_limit(o->max_connections, o->threads, log);
	s = open_logged_store(o->db, o->threads, DB_SET_UP, log);
	if (s == NULL)
		goto out;
	struct server_options so = {.listen = o->listen,
				    .threads = o->threads,
				    .log = log,
				    .metrics = metrics,
				    .tls_cert = tls.cert,
				    .tls_key = tls.key,
				    .connection_limit = (unsigned)o->max_connections,
				    .rate_limit = (double)o->rate_limit,
				    .per_ip_limit = (unsigned)o->per_address,
				    .idle_timeout = (unsigned)o->idle_timeout};
	char err[SERVER_ERR_MAX];
	struct api_options ao = {.event_retention_days = (unsigned)o->event_retention_days,
				 .metrics = metrics,
				 .log = log,
				 .token_ttl = o->token_ttl,
				 .webhooks = o->webhooks};
	app = api_new(s, &ao);
	srv = app ? server_start(app, api_routes, api_routes_count, &so, err) : NULL;
	if (srv == NULL) {
		log_write(log, LOG_ERROR, "%s",
			  app ? err : "cannot start: out of memory or threads");
		goto out;
	}
	/* Parsed by the server: the key's text is wiped now (SIGHUP reads the files again). */
	bool https = tls.cert != NULL;
	tls_files_free(&tls);
	tls = (struct tls_files){0};
	char message[512];
	snprintf(message, sizeof(message),
		 "dropline %s: serving %s on %s (port %u), database %s, %u threads",
		 DROPLINE_VERSION, https ? "HTTPS" : "HTTP", o->listen, server_port(srv), o->db,
		 o->threads);
	log_json(log, LOG_INFO,
		 json_pack("{s:s, s:s, s:s, s:i, s:s, s:i, s:b, s:b, s:s}", "message", message,
			   "version", DROPLINE_VERSION, "listen", o->listen, "port",
			   (int)server_port(srv), "db", o->db, "threads", (int)o->threads, "tls",
			   https, "metrics", metrics != NULL, "log_level",
			   log_level_name(o->log_level)));
	int sig = serve_wait(&handled, o, srv, log);
	log_write(log, LOG_INFO, "%s received, finishing requests in flight",
		  sig == SIGINT ? "SIGINT" : "SIGTERM");
	server_stop(srv, SHUTDOWN_GRACE_MS);
	srv = NULL;
	rc = EXIT_SUCCESS;
out:
	server_stop(srv, SHUTDOWN_GRACE_MS);
	api_free(app);
	/* Every answered write is in the database or its WAL; a clean stop leaves no WAL. */
	char checkpoint_err[STORE_ERR_MAX];
	bool checkpointed = rc == EXIT_SUCCESS && store_checkpoint(s, checkpoint_err) == STORE_OK;
	store_close(s);
	if (rc == EXIT_SUCCESS && checkpointed)
		log_write(log, LOG_INFO, "stopped cleanly");
	else if (rc == EXIT_SUCCESS)
		log_write(log, LOG_WARN,
			  "stopped, but the final %s; every answered write is kept in the WAL file "
			  "beside the database and is read at the next start",
			  checkpoint_err);
	metrics_free(metrics);
	tls_files_free(&tls);
	logger_free(log);
	return rc;
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

static int cmd_demo(const struct cli_options *o)
{
	store *s = open_store(o->db, 1, DB_SET_UP);
	if (s == NULL)
		return EXIT_FAILURE;
	int rc =
		import_catalog(s, "demo catalog", embedded_demo_catalog, embedded_demo_catalog_len);
	store_close(s);
	return rc;
}

static int cmd_migrate(const struct cli_options *o)
{
	store *s = open_store(o->db, 1, DB_SET_UP);
	if (s == NULL)
		return EXIT_FAILURE;
	int version = 0;
	store_status st = store_schema_version(s, &version);
	if (st == STORE_OK)
		fprintf(stderr, "dropline: %s is at schema version %d\n", o->db, version);
	else
		fail("cannot read the schema version of %s: the store %s", o->db,
		     store_status_text(st));
	store_close(s);
	return st == STORE_OK ? EXIT_SUCCESS : EXIT_FAILURE;
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

static int cmd_catalog_import(const struct cli_options *o)
{
	const char *file = o->arg;
	size_t len = 0;
	char *text = read_file(file, &len);
	if (text == NULL) {
		fail("cannot read %s: %s", file, strerror(errno));
		return EXIT_FAILURE;
	}
	store *s = open_store(o->db, 1, DB_WRITE);
	if (s == NULL) {
		free(text);
		return EXIT_FAILURE;
	}
	int rc = import_catalog(s, file, text, len);
	store_close(s);
	free(text);
	return rc;
}

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

static int cmd_keys_create(const struct cli_options *o)
{
	store *s = open_store(o->db, 1, DB_WRITE);
	if (s == NULL)
		return EXIT_FAILURE;
	uint8_t secret[APIKEY_SECRET_BYTES];
	struct key_record rec = {
		.party = o->party, .party_id = o->party_id, .created_at = time_now()};
	apikey_new_secret(secret);
	apikey_hash(secret, rec.hash);
	store_status st = store_tx(s, "create key", key_insert_tx, &rec);
	if (st == STORE_OK) {
		char text[APIKEY_TEXT_MAX];
		apikey_format(rec.id, secret, text);
		printf("%s\n", text);
		sodium_memzero(text, sizeof(text));
		fprintf(stderr,
			"dropline: key %" PRId64 " for %s %" PRId64
			" (shown once; only its hash is stored)\n",
			rec.id, party_kind_name(o->party), o->party_id);
	} else if (st == STORE_NOT_FOUND) {
		fail("there is no %s %" PRId64 " (load a catalog first, e.g. dropline demo)",
		     party_kind_name(o->party), o->party_id);
	} else {
		fail("cannot create the key: the store %s", store_status_text(st));
	}
	sodium_memzero(secret, sizeof(secret));
	store_close(s);
	return st == STORE_OK ? EXIT_SUCCESS : EXIT_FAILURE;
}

static int cmd_keys_list(const struct cli_options *o)
{
	store *s = open_store(o->db, 1, DB_READ);
	if (s == NULL)
		return EXIT_FAILURE;
	printf("%-8s %-8s %-10s %-20s %s\n", "ID", "PARTY", "PARTY_ID", "CREATED", "REVOKED");
	store_status st = store_read(s, key_list_read, NULL);
	if (st != STORE_OK)
		fail("cannot list keys: the store %s", store_status_text(st));
	store_close(s);
	return st == STORE_OK ? EXIT_SUCCESS : EXIT_FAILURE;
}

static int cmd_keys_revoke(const struct cli_options *o)
{
	struct key_revoke r = {.now = time_now()};
	if (!parse_id(o->arg, &r.id)) {
		fail("KEY_ID must be a positive number, not '%s'", o->arg);
		return EXIT_USAGE;
	}
	store *s = open_store(o->db, 1, DB_WRITE);
	if (s == NULL)
		return EXIT_FAILURE;
	store_status st = store_tx(s, "revoke key", key_revoke_tx, &r);
	if (st == STORE_OK)
		fprintf(stderr, "dropline: key %" PRId64 " revoked\n", r.id);
	else if (st == STORE_NOT_FOUND)
		fail("there is no key %" PRId64, r.id);
	else
		fail("cannot revoke the key: the store %s", store_status_text(st));
	store_close(s);
	return st == STORE_OK ? EXIT_SUCCESS : EXIT_FAILURE;
}

static store_status client_insert_tx(store_conn *c, void *ctx)
{
	return store_clients_insert(c, ctx);
}

static void client_print(const struct client_record *rec, void *ctx)
{
	(void)ctx;
	char created[TIME_TEXT_MAX], revoked[TIME_TEXT_MAX], id[OAUTH_CLIENT_ID_MAX];
	time_format_iso8601(rec->created_at, created);
	if (rec->revoked_at)
		time_format_iso8601(rec->revoked_at, revoked);
	oauth_client_id_format(rec->id, id);
	printf("%-12s %-8s %-10" PRId64 " %-20s %-20s %" PRId64 "\n", id,
	       party_kind_name(rec->party), rec->party_id, created, rec->revoked_at ? revoked : "-",
	       rec->live_tokens);
}

struct client_list {
	int64_t now;
};

static store_status client_list_read(store_conn *c, void *ctx)
{
	struct client_list *l = ctx;
	return store_clients_list(c, l->now, client_print, NULL);
}

static store_status client_revoke_tx(store_conn *c, void *ctx)
{
	struct key_revoke *r = ctx;
	return store_clients_revoke(c, r->id, r->now);
}

static int cmd_clients_create(const struct cli_options *o)
{
	store *s = open_store(o->db, 1, DB_WRITE);
	if (s == NULL)
		return EXIT_FAILURE;
	uint8_t secret[APIKEY_SECRET_BYTES];
	struct client_record rec = {
		.party = o->party, .party_id = o->party_id, .created_at = time_now()};
	apikey_new_secret(secret);
	apikey_hash(secret, rec.hash);
	store_status st = store_tx(s, "create client", client_insert_tx, &rec);
	if (st == STORE_OK) {
		char text[APIKEY_TEXT_MAX], id[OAUTH_CLIENT_ID_MAX];
		apikey_secret_format(secret, text);
		oauth_client_id_format(rec.id, id);
		printf("client_id=%s\nclient_secret=%s\n", id, text);
		sodium_memzero(text, sizeof(text));
		fprintf(stderr,
			"dropline: client %s for %s %" PRId64
			" (the secret is shown once; only its hash is stored)\n",
			id, party_kind_name(o->party), o->party_id);
	} else if (st == STORE_NOT_FOUND) {
		fail("there is no %s %" PRId64 " (load a catalog first, e.g. dropline demo)",
		     party_kind_name(o->party), o->party_id);
	} else {
		fail("cannot create the client: the store %s", store_status_text(st));
	}
	sodium_memzero(secret, sizeof(secret));
	store_close(s);
	return st == STORE_OK ? EXIT_SUCCESS : EXIT_FAILURE;
}

static int cmd_clients_list(const struct cli_options *o)
{
	store *s = open_store(o->db, 1, DB_READ);
	if (s == NULL)
		return EXIT_FAILURE;
	struct client_list l = {.now = time_now()};
	printf("%-12s %-8s %-10s %-20s %-20s %s\n", "CLIENT_ID", "PARTY", "PARTY_ID", "CREATED",
	       "REVOKED", "LIVE_TOKENS");
	store_status st = store_read(s, client_list_read, &l);
	if (st != STORE_OK)
		fail("cannot list clients: the store %s", store_status_text(st));
	store_close(s);
	return st == STORE_OK ? EXIT_SUCCESS : EXIT_FAILURE;
}

static int cmd_clients_revoke(const struct cli_options *o)
{
	struct key_revoke r = {.now = time_now()};
	if (!apikey_parse_id(APIKEY_CLIENT_PREFIX, o->arg, strlen(o->arg), &r.id) &&
	    !parse_id(o->arg, &r.id)) {
		fail("CLIENT_ID must be dlc_N or a positive number, not '%s'", o->arg);
		return EXIT_USAGE;
	}
	store *s = open_store(o->db, 1, DB_WRITE);
	if (s == NULL)
		return EXIT_FAILURE;
	store_status st = store_tx(s, "revoke client", client_revoke_tx, &r);
	if (st == STORE_OK)
		fprintf(stderr,
			"dropline: client " APIKEY_CLIENT_PREFIX "%" PRId64
			" revoked, with its access tokens\n",
			r.id);
	else if (st == STORE_NOT_FOUND)
		fail("there is no client " APIKEY_CLIENT_PREFIX "%" PRId64, r.id);
	else
		fail("cannot revoke the client: the store %s", store_status_text(st));
	store_close(s);
	return st == STORE_OK ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* The signals that stop a backup: Ctrl-C, kill, and the terminal closing. */
static const int backup_stop_signals[] = {SIGINT, SIGTERM, SIGHUP};

/* store_backup()'s keep_going: stop once a stop signal is pending (they are blocked). */
static bool backup_keep_going(void *ctx, int remaining, int total)
{
	(void)ctx;
	(void)remaining;
	(void)total;
	sigset_t pending;
	if (sigpending(&pending) != 0)
		return true;
	for (size_t i = 0; i < sizeof(backup_stop_signals) / sizeof(backup_stop_signals[0]); i++)
		if (sigismember(&pending, backup_stop_signals[i]) == 1)
			return false;
	return true;
}

static int cmd_backup(const struct cli_options *o)
{
	if (*o->arg == '\0') {
		fail("backup needs DEST, a file name");
		return EXIT_USAGE;
	}
	/*
	 * A stop signal is held pending until the copy's next step, which then
	 * removes its temporary file: Ctrl-C leaves nothing behind.
	 */
	sigset_t stop;
	sigemptyset(&stop);
	for (size_t i = 0; i < sizeof(backup_stop_signals) / sizeof(backup_stop_signals[0]); i++)
		sigaddset(&stop, backup_stop_signals[i]);
	if (pthread_sigmask(SIG_BLOCK, &stop, NULL) != 0) {
		fail("cannot set up signal handling");
		return EXIT_FAILURE;
	}
	store *s = open_store(o->db, 1, DB_COPY);
	if (s == NULL)
		return EXIT_FAILURE;
	struct store_backup_options bo = {.replace = o->force, .keep_going = backup_keep_going};
	char err[STORE_ERR_MAX];
	store_status st = store_backup(s, o->arg, &bo, err);
	store_close(s);
	struct stat copy;
	if (st == STORE_OK && stat(o->arg, &copy) == 0)
		fprintf(stderr, "dropline: backed up %s to %s (%lld bytes)\n", o->db, o->arg,
			(long long)copy.st_size);
	else if (st == STORE_OK)
		fprintf(stderr, "dropline: backed up %s to %s\n", o->db, o->arg);
	else if (st == STORE_CONFLICT)
		fail("%s (give --force to replace it)", err);
	else if (st == STORE_REJECTED)
		fail("interrupted: %s was not written", o->arg);
	else
		fail("%s", err);
	return st == STORE_OK ? EXIT_SUCCESS : EXIT_FAILURE;
}

#define DB_OPTION OPT_BIT(OPT_DB)
#define WEBHOOK_OPTIONS                                                                            \
	(OPT_BIT(OPT_WEBHOOK_RETRY_BASE) | OPT_BIT(OPT_WEBHOOK_TIMEOUT) |                          \
	 OPT_BIT(OPT_WEBHOOK_GIVE_UP) | OPT_BIT(OPT_WEBHOOK_ALLOW_HTTP) |                          \
	 OPT_BIT(OPT_WEBHOOK_ALLOW_PRIVATE) | OPT_BIT(OPT_WEBHOOK_KEY_FILE))

static const struct command serve_commands[] = {
	{NULL,
	 DB_OPTION | OPT_BIT(OPT_LISTEN) | OPT_BIT(OPT_THREADS) | OPT_BIT(OPT_RATE_LIMIT) |
		 OPT_BIT(OPT_EVENT_RETENTION) | OPT_BIT(OPT_LOG_LEVEL) | OPT_BIT(OPT_NO_METRICS) |
		 OPT_BIT(OPT_TLS_CERT) | OPT_BIT(OPT_TLS_KEY) | OPT_BIT(OPT_MAX_CONNECTIONS) |
		 OPT_BIT(OPT_PER_ADDRESS) | OPT_BIT(OPT_IDLE_TIMEOUT) | OPT_BIT(OPT_TOKEN_TTL) |
		 WEBHOOK_OPTIONS,
	 NULL, cmd_serve},
};
static const struct command demo_commands[] = {{NULL, DB_OPTION, NULL, cmd_demo}};
static const struct command migrate_commands[] = {{NULL, DB_OPTION, NULL, cmd_migrate}};
static const struct command backup_commands[] = {
	{NULL, DB_OPTION | OPT_BIT(OPT_FORCE), "DEST", cmd_backup}};
static const struct command keys_commands[] = {
	{"create", DB_OPTION | OPT_BIT(OPT_RETAILER) | OPT_BIT(OPT_BRAND), NULL, cmd_keys_create},
	{"list", DB_OPTION, NULL, cmd_keys_list},
	{"revoke", DB_OPTION, "KEY_ID", cmd_keys_revoke},
};
static const struct command clients_commands[] = {
	{"create", DB_OPTION | OPT_BIT(OPT_RETAILER) | OPT_BIT(OPT_BRAND), NULL,
	 cmd_clients_create},
	{"list", DB_OPTION, NULL, cmd_clients_list},
	{"revoke", DB_OPTION, "CLIENT_ID", cmd_clients_revoke},
};
static const struct command catalog_commands[] = {
	{"import", DB_OPTION, "FILE.json", cmd_catalog_import}};

#define GROUP(name, choices, usage, list)                                                          \
	{                                                                                          \
		name, choices, usage, list, sizeof(list) / sizeof((list)[0])                       \
	}

static const struct command_group groups[] = {
	GROUP("serve", NULL, usage_serve, serve_commands),
	GROUP("demo", NULL, usage_demo, demo_commands),
	GROUP("keys", "create, list or revoke", usage_keys, keys_commands),
	GROUP("clients", "create, list or revoke", usage_clients, clients_commands),
	GROUP("catalog", "import", usage_catalog, catalog_commands),
	GROUP("migrate", NULL, usage_migrate, migrate_commands),
	GROUP("backup", NULL, usage_backup, backup_commands),
};

/* Runs one command line; argv[0] is the command's first word. */
static int run_command(int argc, char **argv)
{
	const struct command_group *g = NULL;
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]) && g == NULL; i++)
		if (strcmp(argv[0], groups[i].name) == 0)
			g = &groups[i];
	if (g == NULL) {
		fail("unknown command '%s' (see dropline --help)", argv[0]);
		return EXIT_USAGE;
	}
	struct parsed_line line;
	int rc = parse_line(argc, argv, &line);
	const struct command *cmd = NULL;
	struct cli_options o = {0};
	if (rc != 0)
		goto out;
	if (line.help) {
		fputs(g->usage, stdout);
		goto out;
	}
	rc = resolve_command(g, &line, &cmd, &o);
	if (rc != 0)
		goto out;
	rc = cmd->run(&o);
out:
	free(line.words);
	return rc;
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
