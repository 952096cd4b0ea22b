/* The fuzzing store; see fuzz_store.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "domain/timeutil.h"
#include "fuzz_store.h"
#include "fuzz_util.h"
#include "store/embedded.h"
#include "store/store_keys.h"

static store *the_store;
static char dir[256];
static char db_path[320];

struct fixed_key {
	char which;
	party_kind party;
	int64_t party_id;
	char text[APIKEY_TEXT_MAX];
};

static struct fixed_key keys[] = {
	{'r', PARTY_RETAILER, 500, ""},
	{'s', PARTY_RETAILER, 600, ""},
	{'b', PARTY_BRAND, 501, ""},
	{'c', PARTY_BRAND, 502, ""},
};

static void cleanup(void)
{
	store_close(the_store);
	the_store = NULL;
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	char path[400];
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", db_path, suffixes[i]);
		unlink(path);
	}
	rmdir(dir);
}

static store_status insert_key(store_conn *c, void *ctx)
{
	return store_keys_insert(c, ctx);
}

static void make_keys(void)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		/* Fixed secrets: a seed input names a key by letter, the text never matters. */
		uint8_t secret[APIKEY_SECRET_BYTES];
		for (size_t k = 0; k < sizeof(secret); k++)
			secret[k] = (uint8_t)(i * 41 + k * 7 + 1);
		struct key_record rec = {.party = keys[i].party,
					 .party_id = keys[i].party_id,
					 .created_at = time_now()};
		apikey_hash(secret, rec.hash);
		FUZZ_REQUIRE(store_tx(the_store, "fuzz key", insert_key, &rec) == STORE_OK);
		apikey_format(rec.id, secret, keys[i].text);
	}
}

store *fuzz_store(void)
{
	if (the_store != NULL)
		return the_store;
	FUZZ_REQUIRE(apikey_init());
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/dropline-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	FUZZ_REQUIRE(mkdtemp(dir) != NULL);
	snprintf(db_path, sizeof(db_path), "%s/fuzz.db", dir);
	char err[STORE_ERR_MAX];
	struct store_options so = {.readers = 1, .busy_timeout_ms = 5000};
	if (store_open(db_path, &so, &the_store, err) != STORE_OK ||
	    store_migrate(the_store, NULL, err) != STORE_OK) {
		fprintf(stderr, "fuzz store: %s\n", err);
		abort();
	}
	atexit(cleanup);
	field_errors fe;
	field_errors_init(&fe);
	catalog_result res = catalog_import_text(the_store, embedded_demo_catalog,
						 embedded_demo_catalog_len, &fe, NULL);
	FUZZ_REQUIRE(res == CATALOG_IMPORTED);
	field_errors_free(&fe);
	make_keys();
	return the_store;
}

const char *fuzz_store_key(char which)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].which == which && keys[i].text[0] != '\0')
			return keys[i].text;
	return NULL;
}

struct rollback {
	fuzz_store_fn fn;
	void *ctx;
};

static store_status run_then_refuse(store_conn *c, void *ctx)
{
	(void)c;
	struct rollback *r = ctx;
	r->fn(r->ctx);
	return STORE_REJECTED;
}

void fuzz_store_rollback(fuzz_store_fn fn, void *ctx)
{
	struct rollback r = {fn, ctx};
	store_status st = store_tx(fuzz_store(), "fuzz input", run_then_refuse, &r);
	/* STORE_REJECTED is the rollback asked for; anything else is the store failing. */
	FUZZ_REQUIRE(st == STORE_REJECTED);
}
