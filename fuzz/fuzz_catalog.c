/*
 * Catalog import: catalog_import_text() on the input, against a store opened
 * once per process (a temporary database with the demo catalog already in
 * it, so references and "already the code of another ..." paths are
 * reachable). Each input runs inside a transaction that is rolled back, so
 * inputs do not see each other's rows. A document is either imported or
 * refused with its problems listed; a store failure (CATALOG_FAILED) means
 * the importer let through something the database refused, and is a finding.
 */
#include <stdbool.h>

#include "catalog/catalog.h"
#include "fuzz_store.h"
#include "fuzz_util.h"

struct input {
	const uint8_t *data;
	size_t size;
};

static void import(void *ctx)
{
	const struct input *in = ctx;
	field_errors fe;
	field_errors_init(&fe);
	FUZZ_REQUIRE(!fe.oom);
	struct catalog_counts counts = {0};
	catalog_result res =
		catalog_import_text(fuzz_store(), (const char *)in->data, in->size, &fe, &counts);
	switch (res) {
	case CATALOG_IMPORTED: FUZZ_CHECK(field_errors_count(&fe) == 0); break;
	case CATALOG_INVALID: FUZZ_CHECK(field_errors_count(&fe) > 0); break;
	case CATALOG_FAILED:
		fprintf(stderr, "catalog import failed in the store for a client document\n");
		FUZZ_CHECK(res != CATALOG_FAILED);
		break;
	}
	char *text = json_dumps(fe.list, JSON_COMPACT);
	FUZZ_CHECK(text != NULL);
	free(text);
	field_errors_free(&fe);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_store();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	fuzz_store_rollback(import, &in);
	return 0;
}
