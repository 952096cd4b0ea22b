/*
 * Catalog import: a JSON document of retailers, brands, carriers, shipping
 * methods, connections and variants (with retailer SKUs), upserted by id in
 * one transaction. A document with any problem changes nothing; every
 * problem is reported with its path in the document. The format is described
 * in docs/catalog.md; data/demo_catalog.json is an example.
 */
#ifndef DROPLINE_CATALOG_CATALOG_H
#define DROPLINE_CATALOG_CATALOG_H

#include <stddef.h>

#include "domain/validation.h"
#include "store/store.h"

struct catalog_counts {
	size_t retailers, brands, carriers, shipping_methods, connections, variants, retailer_skus;
};

typedef enum {
	CATALOG_IMPORTED,
	CATALOG_INVALID, /* the document is wrong: see the field errors */
	CATALOG_FAILED,	 /* the store failed (logged); nothing was changed */
} catalog_result;

/*
 * catalog_import_text() parses `len` bytes of JSON strictly and imports
 * them. Parse errors are reported as one field error at "" naming line and
 * column. `counts` (may be NULL) gets how many rows of each kind were
 * upserted. `fe` must be initialised by the caller, who frees it.
 */
catalog_result catalog_import_text(store *s, const char *text, size_t len, field_errors *fe,
				   struct catalog_counts *counts);

#endif
