/*
 * Orders: POST /v1/retailers/{id}/orders/ (seed 001 "Create a new Order",
 * CONTRACT.md section 5) and PUT /v1/brands/{id}/orders/{id}/acknowledge/.
 * Reads and lists are the shared api_get and api_list.
 */
#include <stdlib.h>
#include <string.h>

#include "domain/geo.h"
#include "domain/money.h"
#include "domain/rules.h"
#include "domain/sla.h"
#include "domain/timeutil.h"
#include "bodies.h"
#include "handler.h"
#include "list.h"
#include "parts.h"
#include "representation.h"
#include "store/store_orders.h"

static store_status order_may_acknowledge(store_conn *c, struct api_request *req, int64_t id);

const struct resource order_resource = {.name = "order",
					.kind = RECORD_ORDER,
					.represent = order_representation,
					.event_kind = "order",
					.may_acknowledge = order_may_acknowledge};

static const char *const status_names[] = {"open", "partial", "closed", "canceled", NULL};

const struct query_param api_orders_list_query[] = {
	{.name = "purchase_order_number", .type = QUERY_TEXT, .max_len = PO_NUMBER_MAX},
	{.name = "status",
	 .type = QUERY_CHOICE,
	 .flags = QUERY_REPEATABLE,
	 .choices = status_names},
	{.name = "is_acknowledged", .type = QUERY_BOOLEAN},
	{.name = "ordered_at", .type = QUERY_EPOCH, .flags = QUERY_RANGE},
	{.name = "received_at", .type = QUERY_EPOCH, .flags = QUERY_RANGE},
	{.name = "fulfill_by", .type = QUERY_EPOCH, .flags = QUERY_RANGE},
	{.name = "acknowledged_at", .type = QUERY_EPOCH, .flags = QUERY_RANGE},
	{.name = "closed_at", .type = QUERY_EPOCH, .flags = QUERY_RANGE},
	LIST_QUERY_PARAMS,
	{.name = NULL},
};

/* ---- the body ------------------------------------------------------------ */

/* Country codes are ISO 3166-1; provinces are known, and required, for some countries. */
static void address_rules(struct spec_walk *w, json_t *obj, void *out, bool fields_ok)
{
	(void)obj;
	(void)fields_ok;
	const struct address *a = out;
	const char *country = a->country;
	if (country != NULL && !geo_country_is_valid(country)) {
		spec_error(w, "country", "unknown country code '%s' (ISO 3166-1 alpha-2, like US)",
			   country);
		country = NULL;
	}
	if (country == NULL || !geo_country_has_provinces(country))
		return;
	if (a->province == NULL) {
		json_t *given = json_object_get(obj, "province");
		if (given == NULL || json_is_null(given))
			spec_error(w, "province", "is required");
	} else if (!geo_province_is_valid(country, a->province)) {
		spec_error(w, "province", "unknown province code '%s' for country %s", a->province,
			   country);
	}
}

#define ADDRESS_TEXT(field, flags_, limit)                                                         \
	{                                                                                          \
		.name = #field, .type = SPEC_TEXT, .flags = (flags_),                              \
		.offset = offsetof(struct address, field), .max = (limit)                          \
	}
static const struct spec_field address_fields[] = {
	ADDRESS_TEXT(type, 0, TEXT_CODE_MAX),
	ADDRESS_TEXT(name1, SPEC_REQUIRED, TEXT_NAME_MAX),
	ADDRESS_TEXT(name2, 0, TEXT_NAME_MAX),
	ADDRESS_TEXT(street1, SPEC_REQUIRED, TEXT_NAME_MAX),
	ADDRESS_TEXT(street2, 0, TEXT_NAME_MAX),
	ADDRESS_TEXT(city, SPEC_REQUIRED, 128),
	ADDRESS_TEXT(province, 0, TEXT_CODE_MAX),
	ADDRESS_TEXT(postal_code, SPEC_REQUIRED, TEXT_CODE_MAX),
	ADDRESS_TEXT(country, SPEC_REQUIRED, TEXT_CODE_MAX),
	ADDRESS_TEXT(phone1, 0, TEXT_CODE_MAX),
	ADDRESS_TEXT(phone2, 0, TEXT_CODE_MAX),
	ADDRESS_TEXT(fax, 0, TEXT_CODE_MAX),
	ADDRESS_TEXT(email, 0, 254),
	{.name = NULL},
};
#undef ADDRESS_TEXT
static const struct spec address_spec = {address_fields, sizeof(struct address), address_rules};

static const char *const requested_methods[] = {"Next Day", "Expedited",   "Ground",
						"LTL",	    "White Glove", NULL};

static const struct spec_field requested_fields[] = {
	{.name = "name",
	 .type = SPEC_CHOICE,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct requested_body, name),
	 .choices = requested_methods},
	{.name = NULL},
};
static const struct spec requested_spec = {requested_fields, sizeof(struct requested_body), NULL};

static const struct spec_field order_line_fields[] = {
	{.name = "variant",
	 .type = SPEC_OBJECT,
	 .flags = SPEC_REQUIRED | SPEC_OK_FLAG,
	 .offset = offsetof(struct order_line_body, variant),
	 .ok_offset = offsetof(struct order_line_body, variant_ok),
	 .object = &variant_spec},
	{.name = "quantity",
	 .type = SPEC_INTEGER,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct order_line_body, quantity),
	 .min = 1,
	 .max = MONEY_MAX_QUANTITY,
	 .message = "must be a positive integer (at most 100000)"},
	{.name = "net_price",
	 .type = SPEC_MONEY,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct order_line_body, net_price_cents)},
	{.name = "price",
	 .type = SPEC_MONEY,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct order_line_body, price_cents)},
	{.name = NULL},
};
static const struct spec order_line_spec = {order_line_fields, sizeof(struct order_line_body),
					    NULL};

static bool member_is_object(json_t *obj, const char *key)
{
	return json_is_object(json_object_get(obj, key));
}

static bool member_absent(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return v == NULL || json_is_null(v);
}

/* Exactly one of shipping_method and requested_shipping_method. */
static void order_rules(struct spec_walk *w, json_t *obj, void *out, bool fields_ok)
{
	(void)out;
	(void)fields_ok;
	bool method = member_is_object(obj, "shipping_method");
	bool requested = member_is_object(obj, "requested_shipping_method");
	if (method && requested)
		spec_error(w, "requested_shipping_method",
			   "send either shipping_method or requested_shipping_method, not both");
	else if (member_absent(obj, "shipping_method") &&
		 member_absent(obj, "requested_shipping_method"))
		spec_error(w, "shipping_method",
			   "is required (or send requested_shipping_method instead)");
}

#define ORDER_TEXT(field, flags_)                                                                  \
	{                                                                                          \
		.name = #field, .type = SPEC_TEXT, .flags = (flags_),                              \
		.offset = offsetof(struct order_body, field), .max = PO_NUMBER_MAX                 \
	}
#define ORDER_OBJECT(field, member, flags_, ok, spec_)                                             \
	{                                                                                          \
		.name = #field, .type = SPEC_OBJECT, .flags = (flags_) | SPEC_OK_FLAG,             \
		.offset = offsetof(struct order_body, member),                                     \
		.ok_offset = offsetof(struct order_body, ok), .object = &(spec_)                   \
	}
static const struct spec_field order_fields[] = {
	ORDER_TEXT(purchase_order_number, SPEC_REQUIRED),
	ORDER_TEXT(customer_order_number, 0),
	ORDER_TEXT(retailer_order_number, 0),
	{.name = "ordered_at",
	 .type = SPEC_TIME,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct order_body, ordered_at)},
	{.name = "ship_to",
	 .type = SPEC_OBJECT,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct order_body, ship_to),
	 .object = &address_spec},
	ORDER_OBJECT(sold_to, sold_to, 0, has_sold_to, address_spec),
	{.name = "gift_message",
	 .type = SPEC_TEXTS,
	 .offset = offsetof(struct order_body, gift_message),
	 .max = GIFT_MESSAGE_MAX_CHARS,
	 .max_items = GIFT_MESSAGE_MAX_LINES,
	 .message = "must be a string (\"\" for an empty line)",
	 .noun = "lines"},
	ORDER_OBJECT(shipping_method, shipping_method, 0, has_method, method_spec),
	ORDER_OBJECT(requested_shipping_method, requested, 0, has_requested, requested_spec),
	{.name = "order_lines",
	 .type = SPEC_LIST,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct order_body, lines),
	 .count_offset = offsetof(struct order_body, nlines),
	 .min_items = 1,
	 .max_items = ORDER_MAX_LINES,
	 .object = &order_line_spec,
	 .noun = "lines"},
	{.name = NULL},
};
#undef ORDER_TEXT
#undef ORDER_OBJECT
const struct spec order_body_spec = {order_fields, sizeof(struct order_body), order_rules};

/* ---- creating an order ---------------------------------------------------- */

struct create {
	struct api_request *req;
	const struct order_body *in;
	int64_t retailer_id;
	int64_t now;
	field_errors *fe;
	char *gift_message; /* the gift message as JSON text, or NULL */
	int64_t order_id;
	char *text; /* the order as created: its event's data and the answer */
};

static const char *const variant_fields[] = {
	[VARIANT_BY_ID] = "id",
	[VARIANT_BY_RETAILER_SKU] = "identifier",
	[VARIANT_BY_BRAND_SKU] = "identifier",
	[VARIANT_BY_UPC] = "upc",
};

/* Reports a line's variant that did not resolve, at the field that named it. */
static void variant_problem(field_errors *fe, size_t line, const struct variant_ref *ref,
			    variant_match match, store_status st)
{
	char path[96];
	snprintf(path, sizeof(path), "order_lines[%zu].variant.%s", line, variant_fields[match]);
	if (st == STORE_CONFLICT)
		field_errors_add(fe, path,
				 "matches variants of several brands: send the variant id");
	else if (match == VARIANT_BY_ID)
		field_errors_add(fe, path, "no variant has id %lld", (long long)ref->id);
	else if (match == VARIANT_BY_UPC)
		field_errors_add(fe, path, "no variant has upc '%s'", ref->upc);
	else
		field_errors_add(fe, path, "no variant has identifier '%s'", ref->identifier);
}

/*
 * Resolves every line whose variant was well-formed; fills variant ids, the
 * order's brand and the largest lead time. Problems go to cc->fe; returns
 * how many lines could not be used.
 */
static store_status resolve_lines(store_conn *c, struct create *cc, struct order_line_insert *lines,
				  int64_t *brand_id, int64_t *max_lead, size_t *problems)
{
	const struct order_body *in = cc->in;
	size_t brand_line = 0, before = field_errors_count(cc->fe);
	*brand_id = 0;
	*max_lead = 0;
	for (size_t i = 0; i < in->nlines; i++) {
		if (!in->lines[i].variant_ok) {
			(*problems)++;
			continue;
		}
		struct resolved_variant v = {0};
		store_status st =
			store_variants_resolve(c, cc->retailer_id, &in->lines[i].variant, &v);
		if (st == STORE_NOT_FOUND || st == STORE_CONFLICT) {
			variant_problem(cc->fe, i, &in->lines[i].variant, v.match, st);
			continue;
		}
		if (st != STORE_OK)
			return st;
		char path[64];
		snprintf(path, sizeof(path), "order_lines[%zu].variant", i);
		for (size_t j = 0; j < i; j++) {
			if (lines[j].variant_id == v.id) {
				field_errors_add(
					cc->fe, path,
					"is the same variant as order_lines[%zu]: send one line "
					"per variant",
					j);
				break;
			}
		}
		if (*brand_id == 0) {
			*brand_id = v.brand_id;
			brand_line = i;
		} else if (v.brand_id != *brand_id) {
			field_errors_add(
				cc->fe, path,
				"is a variant of brand %lld, but order_lines[%zu] is of brand "
				"%lld: an order goes to one brand",
				(long long)v.brand_id, brand_line, (long long)*brand_id);
		}
		lines[i].variant_id = v.id;
		lines[i].quantity = in->lines[i].quantity;
		lines[i].net_price_cents = in->lines[i].net_price_cents;
		lines[i].price_cents = in->lines[i].price_cents;
		if (v.lead_time_hours > *max_lead)
			*max_lead = v.lead_time_hours;
	}
	*problems += field_errors_count(cc->fe) - before;
	return STORE_OK;
}

static store_status shipping_resolve(store_conn *c, struct create *cc, int64_t brand_id,
				     struct order_insert *o)
{
	const struct order_body *in = cc->in;
	store_status st;
	if (in->has_requested) {
		st = store_generic_methods_find(c, in->requested.name,
						&o->requested_shipping_method_id);
		if (st == STORE_NOT_FOUND)
			field_errors_add(cc->fe, "requested_shipping_method.name",
					 "unknown service level '%s'", in->requested.name);
		return st == STORE_NOT_FOUND ? STORE_OK : st;
	}
	if (!in->has_method)
		return STORE_OK; /* already reported by the body check */
	const char *carrier = in->shipping_method.carrier.code, *code = in->shipping_method.code;
	bool allowed = false;
	st = store_shipping_methods_find(c, cc->retailer_id, brand_id, carrier, code,
					 &o->shipping_method_id, &allowed);
	if (st == STORE_NOT_FOUND)
		field_errors_add(cc->fe, "shipping_method",
				 "carrier '%s' has no shipping method '%s'", carrier, code);
	else if (st == STORE_OK && !allowed)
		field_errors_add(cc->fe, "shipping_method",
				 "'%s' of carrier '%s' is not allowed on the connection with brand "
				 "%lld",
				 code, carrier, (long long)brand_id);
	return st == STORE_NOT_FOUND ? STORE_OK : st;
}

/*
 * The rules that need the catalog: each line's variant, one brand, its
 * connection, the shipping method. Problems go to cc->fe; only a store
 * failure is returned. Also run, without inserting, for a body that failed
 * its own checks, so that every problem is reported at once.
 */
static store_status catalog_check(store_conn *c, struct create *cc, struct order_line_insert *lines,
				  struct order_insert *o, struct connection_sla *sla,
				  int64_t *max_lead)
{
	size_t problems = 0;
	int64_t brand_id = 0;
	store_status st = resolve_lines(c, cc, lines, &brand_id, max_lead, &problems);
	if (st != STORE_OK || problems > 0 || brand_id == 0)
		return st;
	st = store_connections_get(c, cc->retailer_id, brand_id, sla);
	if (st == STORE_NOT_FOUND) {
		field_errors_add(cc->fe, "order_lines",
				 "the variants are of brand %lld, which is not connected to this "
				 "retailer",
				 (long long)brand_id);
		return STORE_OK;
	}
	if (st != STORE_OK)
		return st;
	o->brand_id = brand_id;
	return shipping_resolve(c, cc, brand_id, o);
}

/* The purchase order number is the retailer's already: 409 naming the order. */
static store_status refuse_duplicate(struct api_request *req, const char *po, int64_t existing)
{
	struct refusal *r = api_refuse(req, REFUSED_PO_TAKEN);
	r->id = existing;
	refusal_text(r, "%s", po);
	r->members = json_pack("{s:I}", "order_id", (json_int_t)existing);
	r->fields = json_pack("[{s:s, s:s}]", "field", "purchase_order_number", "message",
			      "is already used by another order");
	return STORE_REJECTED;
}

/*
 * The create transaction: the duplicate check, the catalog rules, the
 * deadlines and the insert, all under the write lock, so two requests with
 * one purchase order number cannot both pass the check.
 */
static store_status create_tx(store_conn *c, void *ctx)
{
	struct create *cc = ctx;
	const struct order_body *in = cc->in;
	int64_t existing = 0;
	store_status st =
		store_orders_find_po(c, cc->retailer_id, in->purchase_order_number, &existing);
	if (st == STORE_OK)
		return refuse_duplicate(cc->req, in->purchase_order_number, existing);
	if (st != STORE_NOT_FOUND)
		return st;

	struct order_line_insert *lines = calloc(in->nlines, sizeof(*lines));
	if (lines == NULL)
		return STORE_ERROR;
	int64_t max_lead = 0;
	struct order_insert o = {
		.retailer_id = cc->retailer_id,
		.purchase_order_number = in->purchase_order_number,
		.customer_order_number = in->customer_order_number,
		.retailer_order_number = in->retailer_order_number,
		.sold_to = in->has_sold_to ? &in->sold_to : NULL,
		.ship_to = &in->ship_to,
		.gift_message = cc->gift_message,
		.ordered_at = in->ordered_at,
		.received_at = cc->now,
		.lines = lines,
		.nlines = in->nlines,
	};
	struct connection_sla sla = {0};
	st = catalog_check(c, cc, lines, &o, &sla, &max_lead);
	if (st == STORE_OK && (field_errors_count(cc->fe) > 0 || cc->fe->oom))
		st = api_reject_fields(cc->req, REFUSED_FIELDS, cc->fe);
	if (st == STORE_OK) {
		sla_deadlines(cc->now, sla.hours_to_acknowledge, sla.hours_to_fulfill, max_lead,
			      &o.acknowledge_by, &o.fulfill_by);
		st = store_orders_insert(c, &o, &cc->order_id);
		/* The writer is serial, so only a rule we missed can get here. */
		if (st == STORE_CONFLICT &&
		    store_orders_find_po(c, cc->retailer_id, in->purchase_order_number,
					 &existing) == STORE_OK)
			st = refuse_duplicate(cc->req, in->purchase_order_number, existing);
	}
	if (st == STORE_OK)
		st = api_emit(c, cc->req, "order.created", &order_resource, cc->order_id,
			      &cc->text);
	free(lines);
	return st;
}

/* catalog_check() alone, on a read connection, for a body with problems of its own. */
static store_status check_only_read(store_conn *c, void *ctx)
{
	struct create *cc = ctx;
	size_t n = cc->in->nlines ? cc->in->nlines : 1;
	struct order_line_insert *lines = calloc(n, sizeof(*lines));
	if (lines == NULL)
		return STORE_ERROR;
	struct order_insert o = {0};
	struct connection_sla sla = {0};
	int64_t max_lead = 0;
	store_status st = catalog_check(c, cc, lines, &o, &sla, &max_lead);
	free(lines);
	return st;
}

void api_orders_create(struct api_request *req)
{
	struct order_body in;
	field_errors fe;
	memset(&in, 0, sizeof(in));
	field_errors_init(&fe);
	struct create cc = {.req = req,
			    .in = &in,
			    .retailer_id = request_arg(req, 0),
			    .now = time_now(),
			    .fe = &fe};
	if (!spec_read(&order_body_spec, req->body, &in, NULL, &fe)) {
		/* The catalog's problems too, so that every problem is answered at once. */
		if (req->body == NULL || fe.oom || api_read(req, check_only_read, &cc))
			api_reject_fields(req, REFUSED_FIELDS, &fe);
		goto out;
	}
	if (in.gift_message != NULL) {
		cc.gift_message = json_dumps(in.gift_message, JSON_COMPACT | JSON_ENSURE_ASCII);
		if (cc.gift_message == NULL) {
			api_reject(req, REFUSED_INTERNAL, 0);
			goto out;
		}
	}
	if (api_tx(req, "create order", create_tx, &cc)) {
		api_text(req, 201, cc.text);
		cc.text = NULL;
	}
out:
	free(cc.text);
	free(cc.gift_message);
	spec_free(&order_body_spec, &in);
	field_errors_free(&fe);
}

/* ---- acknowledging an order ----------------------------------------------- */

/* A canceled order cannot be acknowledged (again is harmless). */
static store_status order_may_acknowledge(store_conn *c, struct api_request *req, int64_t id)
{
	struct order_state order;
	store_status st = store_fulfilment_order(c, request_party(req), request_arg(req, 0), id,
						 &order, NULL, NULL);
	if (st != STORE_OK)
		return st;
	bool changes = false;
	refusal_code refused = rules_acknowledge_order(&order, &changes);
	return refused == REFUSED_NONE ? STORE_OK : api_reject(req, refused, id);
}
