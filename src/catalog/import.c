/*
 * Catalog import: the document is declared as specs (domain/spec.h), one
 * per kind of row, and read inside one write transaction. Each row's rules
 * hook checks what needs the store (references, codes taken by another
 * row) and upserts the row, so that later sections see earlier ones; every
 * problem is collected with its path, and any problem rolls the whole
 * transaction back.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "domain/spec.h"
#include "store/store_catalog.h"

#define HOURS_MAX	       8760
#define LEAD_TIME_MAX	       87600
#define NAME_MAX_LEN	       255
#define CODE_MAX_LEN	       32
#define SKU_MAX_LEN	       64
#define DESCRIPTION_MAX	       4096
#define ROWS_MAX	       ((size_t)1000000)
#define STALE_HOURS_DEFAULT    24
#define CONNECTION_METHODS_MAX 1000

struct import {
	store_conn *conn;
	struct catalog_counts counts;
	bool store_failed;
};

/*
 * Notes a store status: OK and NOT_FOUND are answers; anything else is a
 * failure that ends the import. Returns true for STORE_OK.
 */
static bool stored(struct import *im, store_status st)
{
	if (st != STORE_OK && st != STORE_NOT_FOUND)
		im->store_failed = true;
	return st == STORE_OK;
}

/* A row's rules run only on a row without problems, while the store answers. */
static struct import *usable(struct spec_walk *w, bool fields_ok)
{
	struct import *im = spec_context(w);
	return fields_ok && !im->store_failed ? im : NULL;
}

/* Checks that a referenced party exists; reports at `key` when not. */
static bool party_exists(struct spec_walk *w, struct import *im, catalog_kind kind, int64_t id,
			 const char *key)
{
	store_status st = store_catalog_exists(im->conn, kind, id);
	if (stored(im, st))
		return true;
	if (st == STORE_NOT_FOUND)
		spec_error(w, key, "unknown %s %lld",
			   kind == CATALOG_RETAILER ? "retailer" : "brand", (long long)id);
	return false;
}

/* ---- retailers and brands -------------------------------------------------- */

struct party_row {
	int64_t id;
	const char *name;
};

static void party_upsert(struct spec_walk *w, void *out, bool fields_ok, catalog_kind kind)
{
	struct import *im = usable(w, fields_ok);
	const struct party_row *row = out;
	if (im != NULL &&
	    stored(im, store_catalog_upsert_party(im->conn, kind, row->id, row->name)))
		(*(kind == CATALOG_RETAILER ? &im->counts.retailers : &im->counts.brands))++;
}

static void retailer_rules(struct spec_walk *w, json_t *obj, void *out, bool fields_ok)
{
	(void)obj;
	party_upsert(w, out, fields_ok, CATALOG_RETAILER);
}

static void brand_rules(struct spec_walk *w, json_t *obj, void *out, bool fields_ok)
{
	(void)obj;
	party_upsert(w, out, fields_ok, CATALOG_BRAND);
}

static const struct spec_field party_fields[] = {
	{.name = "id",
	 .type = SPEC_ID,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct party_row, id)},
	{.name = "name",
	 .type = SPEC_TEXT,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct party_row, name),
	 .max = NAME_MAX_LEN},
	{.name = NULL},
};
static const struct spec retailer_spec = {party_fields, sizeof(struct party_row), retailer_rules};
static const struct spec brand_spec = {party_fields, sizeof(struct party_row), brand_rules};

/* ---- carriers and shipping methods ------------------------------------------ */

struct carrier_row {
	int64_t id;
	const char *name;
	const char *code;
};

static void carrier_rules(struct spec_walk *w, json_t *obj, void *out, bool fields_ok)
{
	(void)obj;
	struct import *im = usable(w, fields_ok);
	const struct carrier_row *row = out;
	int64_t owner = 0;
	if (im == NULL)
		return;
	if (stored(im, store_catalog_carrier_by_code(im->conn, row->code, &owner)) &&
	    owner != row->id) {
		spec_error(w, "code", "'%s' is already the code of another carrier", row->code);
		return;
	}
	if (!im->store_failed &&
	    stored(im, store_catalog_upsert_carrier(im->conn, row->id, row->name, row->code)))
		im->counts.carriers++;
}

static const struct spec_field carrier_fields[] = {
	{.name = "id",
	 .type = SPEC_ID,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct carrier_row, id)},
	{.name = "name",
	 .type = SPEC_TEXT,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct carrier_row, name),
	 .max = NAME_MAX_LEN},
	{.name = "code",
	 .type = SPEC_TEXT,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct carrier_row, code),
	 .max = CODE_MAX_LEN},
	{.name = NULL},
};
static const struct spec carrier_spec = {carrier_fields, sizeof(struct carrier_row), carrier_rules};

struct method_row {
	struct catalog_shipping_method m;
	const char *carrier_code;
	const char *generic;
};

static void method_rules(struct spec_walk *w, json_t *obj, void *out, bool fields_ok)
{
	(void)obj;
	struct import *im = usable(w, fields_ok);
	struct method_row *row = out;
	int64_t owner = 0;
	if (im == NULL)
		return;
	store_status st =
		store_catalog_carrier_by_code(im->conn, row->carrier_code, &row->m.carrier_id);
	if (!stored(im, st)) {
		if (st == STORE_NOT_FOUND)
			spec_error(w, "carrier_code", "unknown carrier code '%s'",
				   row->carrier_code);
		return;
	}
	st = store_catalog_generic_method_by_name(im->conn, row->generic,
						  &row->m.generic_shipping_method_id);
	if (!stored(im, st)) {
		if (st == STORE_NOT_FOUND)
			spec_error(w, "generic_shipping_method",
				   "unknown generic shipping method '%s' (Next Day, Expedited, "
				   "Ground, LTL or White Glove)",
				   row->generic);
		return;
	}
	if (stored(im, store_catalog_shipping_method_by_code(im->conn, row->m.carrier_id,
							     row->m.code, &owner)) &&
	    owner != row->m.id) {
		spec_error(w, "code", "'%s' is already the code of another method of this carrier",
			   row->m.code);
		return;
	}
	if (!im->store_failed &&
	    stored(im, store_catalog_upsert_shipping_method(im->conn, &row->m)))
		im->counts.shipping_methods++;
}

static const struct spec_field method_fields[] = {
	{.name = "id",
	 .type = SPEC_ID,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct method_row, m.id)},
	{.name = "name",
	 .type = SPEC_TEXT,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct method_row, m.name),
	 .max = NAME_MAX_LEN},
	{.name = "code",
	 .type = SPEC_TEXT,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct method_row, m.code),
	 .max = CODE_MAX_LEN},
	{.name = "carrier_code",
	 .type = SPEC_TEXT,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct method_row, carrier_code),
	 .max = CODE_MAX_LEN},
	{.name = "generic_shipping_method",
	 .type = SPEC_TEXT,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct method_row, generic),
	 .max = NAME_MAX_LEN},
	{.name = NULL},
};
static const struct spec method_spec = {method_fields, sizeof(struct method_row), method_rules};

/* ---- connections ------------------------------------------------------------- */

struct connection_row {
	struct catalog_connection conn;
	const json_t *methods; /* shipping_method_ids */
};

/* The shipping method ids, each an existing method; false (reported) when one is not. */
static bool connection_methods(struct spec_walk *w, struct import *im, const json_t *methods,
			       int64_t *ids)
{
	bool ok = true;
	char key[64];
	for (size_t i = 0; i < json_array_size(methods) && !im->store_failed; i++) {
		json_t *v = json_array_get(methods, i);
		snprintf(key, sizeof(key), "shipping_method_ids[%zu]", i);
		if (!json_is_integer(v) || json_integer_value(v) < 1) {
			spec_error(w, key, "must be a shipping method id");
			ok = false;
			continue;
		}
		ids[i] = json_integer_value(v);
		store_status st = store_catalog_exists(im->conn, CATALOG_SHIPPING_METHOD, ids[i]);
		if (!stored(im, st)) {
			spec_error(w, key, "unknown shipping method %lld", (long long)ids[i]);
			ok = false;
		}
	}
	return ok;
}

static void connection_rules(struct spec_walk *w, json_t *obj, void *out, bool fields_ok)
{
	(void)obj;
	struct import *im = usable(w, fields_ok);
	struct connection_row *row = out;
	if (im == NULL)
		return;
	bool refs_ok = party_exists(w, im, CATALOG_RETAILER, row->conn.retailer_id, "retailer_id");
	refs_ok = party_exists(w, im, CATALOG_BRAND, row->conn.brand_id, "brand_id") && refs_ok;
	size_t count = json_array_size(row->methods);
	int64_t *ids = calloc(count ? count : 1, sizeof(*ids));
	if (ids == NULL) {
		im->store_failed = true;
		return;
	}
	refs_ok = connection_methods(w, im, row->methods, ids) && refs_ok;
	row->conn.shipping_method_ids = ids;
	row->conn.shipping_method_count = count;
	if (refs_ok && !im->store_failed &&
	    stored(im, store_catalog_upsert_connection(im->conn, &row->conn)))
		im->counts.connections++;
	free(ids);
}

#define HOURS(field, flags_)                                                                       \
	{                                                                                          \
		.name = #field, .type = SPEC_INTEGER, .flags = (flags_),                           \
		.offset = offsetof(struct connection_row, conn.field), .min = 0, .max = HOURS_MAX  \
	}
static const struct spec_field connection_fields[] = {
	{.name = "retailer_id",
	 .type = SPEC_ID,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct connection_row, conn.retailer_id)},
	{.name = "brand_id",
	 .type = SPEC_ID,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct connection_row, conn.brand_id)},
	HOURS(hours_to_acknowledge, SPEC_REQUIRED),
	HOURS(hours_to_fulfill, SPEC_REQUIRED),
	HOURS(inventory_stale_hours, 0),
	{.name = "shipping_method_ids",
	 .type = SPEC_ARRAY,
	 .offset = offsetof(struct connection_row, methods),
	 .max_items = CONNECTION_METHODS_MAX},
	{.name = NULL},
};
#undef HOURS

/* The default a connection row starts from (a list's rows are zeroed: set it in the rules). */
static void connection_defaults(struct spec_walk *w, json_t *obj, void *out, bool fields_ok)
{
	struct connection_row *row = out;
	json_t *stale = json_object_get(obj, "inventory_stale_hours");
	if (stale == NULL || json_is_null(stale))
		row->conn.inventory_stale_hours = STALE_HOURS_DEFAULT;
	connection_rules(w, obj, out, fields_ok);
}
static const struct spec connection_spec = {connection_fields, sizeof(struct connection_row),
					    connection_defaults};

/* ---- variants and retailer SKUs ---------------------------------------------- */

struct sku_row {
	int64_t retailer_id;
	const char *sku;
};

static const struct spec_field sku_fields[] = {
	{.name = "retailer_id",
	 .type = SPEC_ID,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct sku_row, retailer_id)},
	{.name = "sku",
	 .type = SPEC_TEXT,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct sku_row, sku),
	 .max = SKU_MAX_LEN},
	{.name = NULL},
};
static const struct spec sku_spec = {sku_fields, sizeof(struct sku_row), NULL};

struct variant_row {
	struct catalog_variant v;
	const json_t *attributes;
	struct sku_row *skus;
	size_t nskus;
};

/* A variant's retailer SKUs, once the variant exists. */
static void variant_skus(struct spec_walk *w, struct import *im, const struct variant_row *row)
{
	char key[96];
	for (size_t i = 0; i < row->nskus && !im->store_failed; i++) {
		const struct sku_row *s = &row->skus[i];
		int64_t owner = 0;
		snprintf(key, sizeof(key), "retailer_skus[%zu].retailer_id", i);
		if (!party_exists(w, im, CATALOG_RETAILER, s->retailer_id, key))
			continue;
		if (stored(im, store_catalog_variant_by_retailer_sku(im->conn, s->retailer_id,
								     s->sku, &owner)) &&
		    owner != row->v.id) {
			snprintf(key, sizeof(key), "retailer_skus[%zu].sku", i);
			spec_error(w, key, "'%s' is already this retailer's SKU of another variant",
				   s->sku);
			continue;
		}
		if (!im->store_failed &&
		    stored(im, store_catalog_upsert_retailer_sku(im->conn, s->retailer_id,
								 row->v.id, s->sku)))
			im->counts.retailer_skus++;
	}
}

static void variant_rules(struct spec_walk *w, json_t *obj, void *out, bool fields_ok)
{
	(void)obj;
	struct import *im = usable(w, fields_ok);
	struct variant_row *row = out;
	int64_t owner = 0;
	if (im == NULL || !party_exists(w, im, CATALOG_BRAND, row->v.brand_id, "brand_id"))
		return;
	if (stored(im, store_catalog_variant_by_identifier(im->conn, row->v.brand_id,
							   row->v.identifier, &owner)) &&
	    owner != row->v.id) {
		spec_error(w, "identifier",
			   "'%s' is already the SKU of another variant of this brand",
			   row->v.identifier);
		return;
	}
	char *attributes =
		row->attributes ? json_dumps(row->attributes, JSON_COMPACT) : strdup("[]");
	if (attributes == NULL) {
		im->store_failed = true;
		return;
	}
	row->v.attributes = attributes;
	if (!im->store_failed && stored(im, store_catalog_upsert_variant(im->conn, &row->v)))
		im->counts.variants++;
	free(attributes);
	row->v.attributes = NULL;
	variant_skus(w, im, row);
}

#define VARIANT_TEXT(field, flags_, limit)                                                         \
	{                                                                                          \
		.name = #field, .type = SPEC_TEXT, .flags = (flags_),                              \
		.offset = offsetof(struct variant_row, v.field), .max = (limit)                    \
	}
static const struct spec_field variant_fields[] = {
	{.name = "id",
	 .type = SPEC_ID,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct variant_row, v.id)},
	{.name = "brand_id",
	 .type = SPEC_ID,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct variant_row, v.brand_id)},
	VARIANT_TEXT(identifier, SPEC_REQUIRED, SKU_MAX_LEN),
	VARIANT_TEXT(upc, 0, CODE_MAX_LEN),
	VARIANT_TEXT(name, SPEC_REQUIRED, NAME_MAX_LEN),
	VARIANT_TEXT(description, 0, DESCRIPTION_MAX),
	{.name = "attributes",
	 .type = SPEC_ARRAY,
	 .offset = offsetof(struct variant_row, attributes),
	 .max_items = ROWS_MAX},
	{.name = "lead_time_hours",
	 .type = SPEC_INTEGER,
	 .offset = offsetof(struct variant_row, v.lead_time_hours),
	 .min = 0,
	 .max = LEAD_TIME_MAX},
	{.name = "retailer_skus",
	 .type = SPEC_LIST,
	 .offset = offsetof(struct variant_row, skus),
	 .count_offset = offsetof(struct variant_row, nskus),
	 .max_items = ROWS_MAX,
	 .object = &sku_spec},
	{.name = NULL},
};
#undef VARIANT_TEXT
static const struct spec variant_spec = {variant_fields, sizeof(struct variant_row), variant_rules};

/* ---- the document ------------------------------------------------------------ */

struct catalog_doc {
	struct party_row *retailers, *brands;
	struct carrier_row *carriers;
	struct method_row *methods;
	struct connection_row *connections;
	struct variant_row *variants;
	size_t nretailers, nbrands, ncarriers, nmethods, nconnections, nvariants;
};

/* Sections are read in this order, so that each sees the rows before it. */
#define SECTION(field, list, count, spec_)                                                         \
	{                                                                                          \
		.name = #field, .type = SPEC_LIST, .offset = offsetof(struct catalog_doc, list),   \
		.count_offset = offsetof(struct catalog_doc, count), .max_items = ROWS_MAX,        \
		.object = &(spec_)                                                                 \
	}
static const struct spec_field doc_fields[] = {
	SECTION(retailers, retailers, nretailers, retailer_spec),
	SECTION(brands, brands, nbrands, brand_spec),
	SECTION(carriers, carriers, ncarriers, carrier_spec),
	SECTION(shipping_methods, methods, nmethods, method_spec),
	SECTION(connections, connections, nconnections, connection_spec),
	SECTION(variants, variants, nvariants, variant_spec),
	{.name = NULL},
};
#undef SECTION
static const struct spec doc_spec = {doc_fields, sizeof(struct catalog_doc), NULL};

struct import_run {
	json_t *doc;
	field_errors *fe;
	struct import im;
};

static store_status import_tx(store_conn *c, void *ctx)
{
	struct import_run *run = ctx;
	struct catalog_doc doc;
	memset(&doc, 0, sizeof(doc));
	run->im = (struct import){.conn = c};
	spec_read(&doc_spec, run->doc, &doc, &run->im, run->fe);
	spec_free(&doc_spec, &doc);
	if (run->im.store_failed || run->fe->oom)
		return STORE_ERROR;
	return field_errors_count(run->fe) ? STORE_REJECTED : STORE_OK;
}

catalog_result catalog_import_text(store *s, const char *text, size_t len, field_errors *fe,
				   struct catalog_counts *counts)
{
	json_error_t jerr;
	json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL) {
		field_errors_add(fe, "", "invalid JSON at line %d, column %d: %s", jerr.line,
				 jerr.column, jerr.text);
		return CATALOG_INVALID;
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		field_errors_add(fe, "", "must be a JSON object");
		return CATALOG_INVALID;
	}
	struct import_run run = {.doc = doc, .fe = fe};
	store_status st = store_tx(s, "catalog import", import_tx, &run);
	json_decref(doc);
	if (st == STORE_OK) {
		if (counts != NULL)
			*counts = run.im.counts;
		return CATALOG_IMPORTED;
	}
	/* A rejected document may still have hit a store failure on the way. */
	if (st == STORE_REJECTED && !run.im.store_failed)
		return CATALOG_INVALID;
	return CATALOG_FAILED;
}
