/*
 * Catalog import: walks the document inside one write transaction, checks
 * each row's shape and references, upserts the good ones and collects every
 * problem; any problem rolls the whole transaction back.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "store/store_catalog.h"

#define ID_MAX	      ((int64_t)9007199254740991) /* 2^53 - 1: exact in every JSON reader */
#define HOURS_MAX     8760
#define LEAD_TIME_MAX 87600
#define NAME_MAX_LEN  255
#define CODE_MAX_LEN  32
#define SKU_MAX_LEN   64

struct import {
	json_t *doc;
	store_conn *conn;
	field_errors *fe;
	json_path path;
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

/* Adds a problem at path.key. */
static void error_at(struct import *im, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void error_at(struct import *im, const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t saved = json_path_push_key(&im->path, key);
	field_errors_addv(im->fe, json_path_text(&im->path), fmt, ap);
	json_path_pop(&im->path, saved);
	va_end(ap);
}

/* Walks one top-level array, calling `row` on each element that is an object. */
static void each_row(struct import *im, const char *section,
		     void (*row)(struct import *im, json_t *obj))
{
	json_t *list = NULL;
	if (!validate_array(im->doc, section, false, &im->path, im->fe, &list) || list == NULL)
		return;
	size_t index;
	json_t *item;
	json_array_foreach(list, index, item)
	{
		if (im->store_failed)
			return;
		size_t saved = json_path_push_key(&im->path, section);
		json_path_push_index(&im->path, index);
		if (json_is_object(item))
			row(im, item);
		else
			field_errors_add(im->fe, json_path_text(&im->path), "must be an object");
		json_path_pop(&im->path, saved);
	}
}

/* Checks that a referenced party exists; reports at `key` when not. */
static bool party_exists(struct import *im, catalog_kind kind, int64_t id, const char *key)
{
	store_status st = store_catalog_exists(im->conn, kind, id);
	if (stored(im, st))
		return true;
	if (st == STORE_NOT_FOUND)
		error_at(im, key, "unknown %s %lld",
			 kind == CATALOG_RETAILER ? "retailer" : "brand", (long long)id);
	return false;
}

static void party_row(struct import *im, json_t *obj, catalog_kind kind)
{
	static const char *const keys[] = {"id", "name", NULL};
	int64_t id = 0;
	const char *name = NULL;
	size_t before = field_errors_count(im->fe);
	validate_known_keys(obj, keys, &im->path, im->fe);
	validate_integer(obj, "id", true, 1, ID_MAX, true, &im->path, im->fe, &id);
	validate_string(obj, "name", true, NAME_MAX_LEN, &im->path, im->fe, &name);
	if (field_errors_count(im->fe) != before)
		return;
	if (stored(im, store_catalog_upsert_party(im->conn, kind, id, name))) {
		if (kind == CATALOG_RETAILER)
			im->counts.retailers++;
		else
			im->counts.brands++;
	}
}

static void retailer_row(struct import *im, json_t *obj)
{
	party_row(im, obj, CATALOG_RETAILER);
}

static void brand_row(struct import *im, json_t *obj)
{
	party_row(im, obj, CATALOG_BRAND);
}

static void carrier_row(struct import *im, json_t *obj)
{
	static const char *const keys[] = {"id", "name", "code", NULL};
	int64_t id = 0, owner = 0;
	const char *name = NULL, *code = NULL;
	size_t before = field_errors_count(im->fe);
	validate_known_keys(obj, keys, &im->path, im->fe);
	validate_integer(obj, "id", true, 1, ID_MAX, true, &im->path, im->fe, &id);
	validate_string(obj, "name", true, NAME_MAX_LEN, &im->path, im->fe, &name);
	validate_string(obj, "code", true, CODE_MAX_LEN, &im->path, im->fe, &code);
	if (field_errors_count(im->fe) != before)
		return;
	if (stored(im, store_catalog_carrier_by_code(im->conn, code, &owner)) && owner != id) {
		error_at(im, "code", "'%s' is already the code of another carrier", code);
		return;
	}
	if (!im->store_failed && stored(im, store_catalog_upsert_carrier(im->conn, id, name, code)))
		im->counts.carriers++;
}

static void shipping_method_row(struct import *im, json_t *obj)
{
	static const char *const keys[] = {
		"id", "name", "code", "carrier_code", "generic_shipping_method", NULL};
	struct catalog_shipping_method m = {0};
	const char *carrier_code = NULL, *generic = NULL;
	int64_t owner = 0;
	size_t before = field_errors_count(im->fe);
	validate_known_keys(obj, keys, &im->path, im->fe);
	validate_integer(obj, "id", true, 1, ID_MAX, true, &im->path, im->fe, &m.id);
	validate_string(obj, "name", true, NAME_MAX_LEN, &im->path, im->fe, &m.name);
	validate_string(obj, "code", true, CODE_MAX_LEN, &im->path, im->fe, &m.code);
	validate_string(obj, "carrier_code", true, CODE_MAX_LEN, &im->path, im->fe, &carrier_code);
	validate_string(obj, "generic_shipping_method", true, NAME_MAX_LEN, &im->path, im->fe,
			&generic);
	if (field_errors_count(im->fe) != before)
		return;
	store_status st = store_catalog_carrier_by_code(im->conn, carrier_code, &m.carrier_id);
	if (!stored(im, st)) {
		if (st == STORE_NOT_FOUND)
			error_at(im, "carrier_code", "unknown carrier code '%s'", carrier_code);
		return;
	}
	st = store_catalog_generic_method_by_name(im->conn, generic, &m.generic_shipping_method_id);
	if (!stored(im, st)) {
		if (st == STORE_NOT_FOUND)
			error_at(im, "generic_shipping_method",
				 "unknown generic shipping method '%s' (Next Day, Expedited, "
				 "Ground, "
				 "LTL or White Glove)",
				 generic);
		return;
	}
	if (stored(im,
		   store_catalog_shipping_method_by_code(im->conn, m.carrier_id, m.code, &owner)) &&
	    owner != m.id) {
		error_at(im, "code", "'%s' is already the code of another method of this carrier",
			 m.code);
		return;
	}
	if (!im->store_failed && stored(im, store_catalog_upsert_shipping_method(im->conn, &m)))
		im->counts.shipping_methods++;
}

static void connection_row(struct import *im, json_t *obj)
{
	static const char *const keys[] = {"retailer_id",	   "brand_id",
					   "hours_to_acknowledge", "hours_to_fulfill",
					   "shipping_method_ids",  NULL};
	struct catalog_connection conn = {0};
	json_t *methods = NULL;
	size_t before = field_errors_count(im->fe);
	validate_known_keys(obj, keys, &im->path, im->fe);
	validate_integer(obj, "retailer_id", true, 1, ID_MAX, true, &im->path, im->fe,
			 &conn.retailer_id);
	validate_integer(obj, "brand_id", true, 1, ID_MAX, true, &im->path, im->fe, &conn.brand_id);
	validate_integer(obj, "hours_to_acknowledge", true, 0, HOURS_MAX, false, &im->path, im->fe,
			 &conn.hours_to_acknowledge);
	validate_integer(obj, "hours_to_fulfill", true, 0, HOURS_MAX, false, &im->path, im->fe,
			 &conn.hours_to_fulfill);
	validate_array(obj, "shipping_method_ids", false, &im->path, im->fe, &methods);
	if (field_errors_count(im->fe) != before)
		return;
	bool refs_ok = party_exists(im, CATALOG_RETAILER, conn.retailer_id, "retailer_id");
	refs_ok = party_exists(im, CATALOG_BRAND, conn.brand_id, "brand_id") && refs_ok;
	size_t count = methods ? json_array_size(methods) : 0;
	int64_t *ids = count ? calloc(count, sizeof(*ids)) : NULL;
	if (count && ids == NULL) {
		im->store_failed = true;
		return;
	}
	size_t saved = json_path_push_key(&im->path, "shipping_method_ids");
	for (size_t i = 0; i < count && !im->store_failed; i++) {
		json_t *v = json_array_get(methods, i);
		size_t at = json_path_push_index(&im->path, i);
		if (!json_is_integer(v) || json_integer_value(v) < 1) {
			field_errors_add(im->fe, json_path_text(&im->path),
					 "must be a shipping method id");
			refs_ok = false;
		} else {
			ids[i] = json_integer_value(v);
			store_status st =
				store_catalog_exists(im->conn, CATALOG_SHIPPING_METHOD, ids[i]);
			if (!stored(im, st)) {
				field_errors_add(im->fe, json_path_text(&im->path),
						 "unknown shipping method %lld", (long long)ids[i]);
				refs_ok = false;
			}
		}
		json_path_pop(&im->path, at);
	}
	json_path_pop(&im->path, saved);
	conn.shipping_method_ids = ids;
	conn.shipping_method_count = count;
	if (refs_ok && !im->store_failed &&
	    stored(im, store_catalog_upsert_connection(im->conn, &conn)))
		im->counts.connections++;
	free(ids);
}

static void retailer_sku_row(struct import *im, json_t *obj, int64_t variant_id)
{
	static const char *const keys[] = {"retailer_id", "sku", NULL};
	int64_t retailer_id = 0, owner = 0;
	const char *sku = NULL;
	size_t before = field_errors_count(im->fe);
	validate_known_keys(obj, keys, &im->path, im->fe);
	validate_integer(obj, "retailer_id", true, 1, ID_MAX, true, &im->path, im->fe,
			 &retailer_id);
	validate_string(obj, "sku", true, SKU_MAX_LEN, &im->path, im->fe, &sku);
	if (field_errors_count(im->fe) != before ||
	    !party_exists(im, CATALOG_RETAILER, retailer_id, "retailer_id"))
		return;
	if (stored(im, store_catalog_variant_by_retailer_sku(im->conn, retailer_id, sku, &owner)) &&
	    owner != variant_id) {
		error_at(im, "sku", "'%s' is already this retailer's SKU of another variant", sku);
		return;
	}
	if (!im->store_failed &&
	    stored(im, store_catalog_upsert_retailer_sku(im->conn, retailer_id, variant_id, sku)))
		im->counts.retailer_skus++;
}

static void variant_row(struct import *im, json_t *obj)
{
	static const char *const keys[] = {
		"id",	       "brand_id",   "identifier",	"upc",		 "name",
		"description", "attributes", "lead_time_hours", "retailer_skus", NULL};
	struct catalog_variant v = {0};
	json_t *attributes = NULL, *skus = NULL;
	int64_t owner = 0;
	size_t before = field_errors_count(im->fe);
	validate_known_keys(obj, keys, &im->path, im->fe);
	validate_integer(obj, "id", true, 1, ID_MAX, true, &im->path, im->fe, &v.id);
	validate_integer(obj, "brand_id", true, 1, ID_MAX, true, &im->path, im->fe, &v.brand_id);
	validate_string(obj, "identifier", true, SKU_MAX_LEN, &im->path, im->fe, &v.identifier);
	validate_string(obj, "upc", false, CODE_MAX_LEN, &im->path, im->fe, &v.upc);
	validate_string(obj, "name", true, NAME_MAX_LEN, &im->path, im->fe, &v.name);
	validate_string(obj, "description", false, 4096, &im->path, im->fe, &v.description);
	validate_array(obj, "attributes", false, &im->path, im->fe, &attributes);
	validate_integer(obj, "lead_time_hours", false, 0, LEAD_TIME_MAX, false, &im->path, im->fe,
			 &v.lead_time_hours);
	validate_array(obj, "retailer_skus", false, &im->path, im->fe, &skus);
	if (field_errors_count(im->fe) != before ||
	    !party_exists(im, CATALOG_BRAND, v.brand_id, "brand_id"))
		return;
	if (stored(im, store_catalog_variant_by_identifier(im->conn, v.brand_id, v.identifier,
							   &owner)) &&
	    owner != v.id) {
		error_at(im, "identifier",
			 "'%s' is already the SKU of another variant of this brand", v.identifier);
		return;
	}
	char *attributes_text = attributes ? json_dumps(attributes, JSON_COMPACT) : strdup("[]");
	if (attributes_text == NULL) {
		im->store_failed = true;
		return;
	}
	v.attributes = attributes_text;
	if (!im->store_failed && stored(im, store_catalog_upsert_variant(im->conn, &v)))
		im->counts.variants++;
	free(attributes_text);
	if (skus == NULL || im->store_failed)
		return;
	size_t saved = json_path_push_key(&im->path, "retailer_skus");
	size_t index;
	json_t *item;
	json_array_foreach(skus, index, item)
	{
		size_t at = json_path_push_index(&im->path, index);
		if (json_is_object(item))
			retailer_sku_row(im, item, v.id);
		else
			field_errors_add(im->fe, json_path_text(&im->path), "must be an object");
		json_path_pop(&im->path, at);
	}
	json_path_pop(&im->path, saved);
}

static store_status import_tx(store_conn *c, void *ctx)
{
	static const char *const sections[] = {
		"retailers",   "brands",   "carriers", "shipping_methods",
		"connections", "variants", NULL};
	struct import *im = ctx;
	im->conn = c;
	memset(&im->counts, 0, sizeof(im->counts));
	validate_known_keys(im->doc, sections, &im->path, im->fe);
	each_row(im, "retailers", retailer_row);
	each_row(im, "brands", brand_row);
	each_row(im, "carriers", carrier_row);
	each_row(im, "shipping_methods", shipping_method_row);
	each_row(im, "connections", connection_row);
	each_row(im, "variants", variant_row);
	if (im->store_failed || im->fe->oom || im->path.failed)
		return STORE_ERROR;
	return field_errors_count(im->fe) ? STORE_REJECTED : STORE_OK;
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
	struct import im = {.doc = doc, .fe = fe};
	json_path_init(&im.path);
	store_status st = store_tx(s, "catalog import", import_tx, &im);
	json_path_free(&im.path);
	json_decref(doc);
	if (st == STORE_OK) {
		if (counts != NULL)
			*counts = im.counts;
		return CATALOG_IMPORTED;
	}
	/* A rejected document may still have hit a store failure on the way. */
	if (st == STORE_REJECTED && !im.store_failed)
		return CATALOG_INVALID;
	return CATALOG_FAILED;
}
