/* Checking an order creation body; see include/api/order_input.h. */
#include <stdlib.h>
#include <string.h>

#include "api/order_input.h"
#include "domain/geo.h"
#include "domain/money.h"
#include "domain/timeutil.h"

#define TEXT_32	     32
#define NAME_MAX_LEN 255
#define ID_MAX	     ((int64_t)9007199254740991)

static const char *const requested_methods[] = {"Next Day", "Expedited",   "Ground",
						"LTL",	    "White Glove", NULL};

/* Adds a problem at path.key. */
static void error_at(json_path *p, field_errors *fe, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void error_at(json_path *p, field_errors *fe, const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t saved = key ? json_path_push_key(p, key) : p->len;
	field_errors_addv(fe, json_path_text(p), fmt, ap);
	json_path_pop(p, saved);
	va_end(ap);
}

/* Number of UTF-8 code points in a valid UTF-8 string. */
static size_t utf8_chars(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

bool money_read(json_t *obj, const char *key, json_path *p, field_errors *fe, int64_t *cents)
{
	json_t *v = json_object_get(obj, key);
	bool ok = false;
	if (v == NULL || json_is_null(v)) {
		error_at(p, fe, key, "is required");
		return false;
	}
	if (json_is_string(v))
		ok = money_parse_text(json_string_value(v), json_string_length(v), cents);
	else if (json_is_integer(v))
		ok = money_parse_integer(json_integer_value(v), cents);
	else if (json_is_real(v))
		ok = money_parse_real(json_real_value(v), cents);
	if (!ok)
		error_at(p, fe, key,
			 "must be an amount with at most two decimals, not negative, like "
			 "\"250.00\"");
	return ok;
}

bool variant_ref_read(json_t *variant, json_path *p, field_errors *fe, struct variant_ref *out)
{
	static const char *const keys[] = {"id", "identifier", "upc", NULL};
	size_t before = field_errors_count(fe);
	memset(out, 0, sizeof(*out));
	validate_known_keys(variant, keys, p, fe);
	validate_integer(variant, "id", false, 1, ID_MAX, true, p, fe, &out->id);
	validate_string(variant, "identifier", false, 64, p, fe, &out->identifier);
	validate_string(variant, "upc", false, TEXT_32, p, fe, &out->upc);
	if (field_errors_count(fe) != before)
		return false;
	if (out->id == 0 && out->identifier == NULL && out->upc == NULL) {
		error_at(p, fe, NULL, "needs one of id, identifier or upc");
		return false;
	}
	return true;
}

/* Reads an address object; `required` for ship_to. Returns true when present and valid. */
static bool address_read(json_t *body, const char *key, bool required, json_path *p,
			 field_errors *fe, struct address_insert *a, bool *present)
{
	static const char *const keys[] = {
		"type",	       "name1",	  "name2",  "street1", "street2", "city",  "province",
		"postal_code", "country", "phone1", "phone2",  "fax",	  "email", NULL};
	json_t *obj = NULL;
	*present = false;
	if (!validate_object(body, key, required, p, fe, &obj) || obj == NULL)
		return false;
	*present = true;
	size_t before = field_errors_count(fe);
	size_t saved = json_path_push_key(p, key);
	memset(a, 0, sizeof(*a));
	validate_known_keys(obj, keys, p, fe);
	validate_string(obj, "type", false, TEXT_32, p, fe, &a->type);
	validate_string(obj, "name1", true, NAME_MAX_LEN, p, fe, &a->name1);
	validate_string(obj, "name2", false, NAME_MAX_LEN, p, fe, &a->name2);
	validate_string(obj, "street1", true, NAME_MAX_LEN, p, fe, &a->street1);
	validate_string(obj, "street2", false, NAME_MAX_LEN, p, fe, &a->street2);
	validate_string(obj, "city", true, 128, p, fe, &a->city);
	validate_string(obj, "postal_code", true, TEXT_32, p, fe, &a->postal_code);
	validate_string(obj, "phone1", false, TEXT_32, p, fe, &a->phone1);
	validate_string(obj, "phone2", false, TEXT_32, p, fe, &a->phone2);
	validate_string(obj, "fax", false, TEXT_32, p, fe, &a->fax);
	validate_string(obj, "email", false, 254, p, fe, &a->email);
	if (validate_string(obj, "country", true, TEXT_32, p, fe, &a->country) &&
	    !geo_country_is_valid(a->country)) {
		error_at(p, fe, "country",
			 "unknown country code '%s' (ISO 3166-1 alpha-2, like US)", a->country);
		a->country = NULL;
	}
	/* Province codes are known, and required, for some countries only. */
	bool needs_province = a->country != NULL && geo_country_has_provinces(a->country);
	if (validate_string(obj, "province", needs_province, TEXT_32, p, fe, &a->province) &&
	    a->province != NULL && a->country != NULL &&
	    !geo_province_is_valid(a->country, a->province))
		error_at(p, fe, "province", "unknown province code '%s' for country %s",
			 a->province, a->country);
	json_path_pop(p, saved);
	return field_errors_count(fe) == before;
}

static void gift_message_read(json_t *body, json_path *p, field_errors *fe, char **out)
{
	json_t *lines = NULL;
	if (!validate_array(body, "gift_message", false, p, fe, &lines) || lines == NULL)
		return;
	size_t before = field_errors_count(fe);
	size_t saved = json_path_push_key(p, "gift_message");
	if (json_array_size(lines) > GIFT_MESSAGE_MAX_LINES)
		error_at(p, fe, NULL, "must have at most %d lines", GIFT_MESSAGE_MAX_LINES);
	size_t i;
	json_t *line;
	json_array_foreach(lines, i, line)
	{
		size_t at = json_path_push_index(p, i);
		if (!json_is_string(line))
			error_at(p, fe, NULL, "must be a string (\"\" for an empty line)");
		else if (utf8_chars(json_string_value(line), json_string_length(line)) >
			 GIFT_MESSAGE_MAX_CHARS)
			error_at(p, fe, NULL, "must be at most %d characters",
				 GIFT_MESSAGE_MAX_CHARS);
		json_path_pop(p, at);
	}
	json_path_pop(p, saved);
	if (field_errors_count(fe) == before) {
		*out = json_dumps(lines, JSON_COMPACT | JSON_ENSURE_ASCII);
		if (*out == NULL)
			fe->oom = true;
	}
}

static void shipping_read(json_t *body, json_path *p, field_errors *fe, struct order_request *r)
{
	json_t *method = NULL, *requested = NULL;
	bool ok = validate_object(body, "shipping_method", false, p, fe, &method);
	ok = validate_object(body, "requested_shipping_method", false, p, fe, &requested) && ok;
	if (!ok)
		return;
	if (method != NULL && requested != NULL) {
		error_at(p, fe, "requested_shipping_method",
			 "send either shipping_method or requested_shipping_method, not both");
		return;
	}
	if (method == NULL && requested == NULL) {
		error_at(p, fe, "shipping_method",
			 "is required (or send requested_shipping_method instead)");
		return;
	}
	if (method != NULL) {
		static const char *const keys[] = {"code", "carrier", NULL};
		static const char *const carrier_keys[] = {"code", NULL};
		json_t *carrier = NULL;
		size_t saved = json_path_push_key(p, "shipping_method");
		validate_known_keys(method, keys, p, fe);
		validate_string(method, "code", true, TEXT_32, p, fe, &r->method_code);
		if (validate_object(method, "carrier", true, p, fe, &carrier) && carrier != NULL) {
			size_t at = json_path_push_key(p, "carrier");
			validate_known_keys(carrier, carrier_keys, p, fe);
			validate_string(carrier, "code", true, TEXT_32, p, fe, &r->carrier_code);
			json_path_pop(p, at);
		}
		json_path_pop(p, saved);
		return;
	}
	static const char *const keys[] = {"name", NULL};
	size_t saved = json_path_push_key(p, "requested_shipping_method");
	validate_known_keys(requested, keys, p, fe);
	const char *name = NULL;
	if (validate_string(requested, "name", true, TEXT_32, p, fe, &name)) {
		for (const char *const *m = requested_methods; *m != NULL; m++)
			if (strcmp(*m, name) == 0)
				r->requested_method = name;
		if (r->requested_method == NULL)
			error_at(p, fe, "name",
				 "must be one of Next Day, Expedited, Ground, LTL, White Glove");
	}
	json_path_pop(p, saved);
}

static void line_read(json_t *line, json_path *p, field_errors *fe, struct order_line_request *l)
{
	static const char *const keys[] = {"variant", "quantity", "net_price", "price", NULL};
	json_t *variant = NULL;
	validate_known_keys(line, keys, p, fe);
	if (validate_object(line, "variant", true, p, fe, &variant) && variant != NULL) {
		size_t saved = json_path_push_key(p, "variant");
		l->variant_ok = variant_ref_read(variant, p, fe, &l->variant);
		json_path_pop(p, saved);
	}
	json_t *q = json_object_get(line, "quantity");
	if (q == NULL || json_is_null(q))
		error_at(p, fe, "quantity", "is required");
	else if (!json_is_integer(q) || json_integer_value(q) < 1 ||
		 json_integer_value(q) > MONEY_MAX_QUANTITY)
		error_at(p, fe, "quantity", "must be a positive integer (at most %lld)",
			 (long long)MONEY_MAX_QUANTITY);
	else
		l->quantity = json_integer_value(q);
	money_read(line, "net_price", p, fe, &l->net_price_cents);
	money_read(line, "price", p, fe, &l->price_cents);
}

static void lines_read(json_t *body, json_path *p, field_errors *fe, struct order_request *r)
{
	json_t *lines = NULL;
	if (!validate_array(body, "order_lines", true, p, fe, &lines) || lines == NULL)
		return;
	size_t n = json_array_size(lines);
	if (n == 0 || n > ORDER_MAX_LINES) {
		error_at(p, fe, "order_lines", "must have from 1 to %d lines", ORDER_MAX_LINES);
		return;
	}
	r->lines = calloc(n, sizeof(*r->lines));
	if (r->lines == NULL) {
		fe->oom = true;
		return;
	}
	r->nlines = n;
	size_t saved = json_path_push_key(p, "order_lines");
	size_t i;
	json_t *line;
	json_array_foreach(lines, i, line)
	{
		size_t at = json_path_push_index(p, i);
		if (json_is_object(line))
			line_read(line, p, fe, &r->lines[i]);
		else
			error_at(p, fe, NULL, "must be an object");
		json_path_pop(p, at);
	}
	json_path_pop(p, saved);
}

bool order_request_parse(json_t *body, struct order_request *r, field_errors *fe)
{
	static const char *const keys[] = {"purchase_order_number",
					   "customer_order_number",
					   "retailer_order_number",
					   "ordered_at",
					   "sold_to",
					   "ship_to",
					   "gift_message",
					   "shipping_method",
					   "requested_shipping_method",
					   "order_lines",
					   NULL};
	json_path p;
	json_path_init(&p);
	memset(r, 0, sizeof(*r));
	size_t before = field_errors_count(fe);
	if (body == NULL || !json_is_object(body)) {
		field_errors_add(fe, "", "the body must be a JSON object");
		return false;
	}
	validate_known_keys(body, keys, &p, fe);
	validate_string(body, "purchase_order_number", true, TEXT_32, &p, fe,
			&r->purchase_order_number);
	validate_string(body, "customer_order_number", false, TEXT_32, &p, fe,
			&r->customer_order_number);
	validate_string(body, "retailer_order_number", false, TEXT_32, &p, fe,
			&r->retailer_order_number);
	const char *ordered_at = NULL;
	if (validate_string(body, "ordered_at", true, 64, &p, fe, &ordered_at) &&
	    !time_parse_iso8601(ordered_at, strlen(ordered_at), &r->ordered_at))
		error_at(&p, fe, "ordered_at",
			 "must be an ISO-8601 date and time, like \"2016-07-06T10:25:00Z\"");
	bool present;
	address_read(body, "ship_to", true, &p, fe, &r->ship_to, &present);
	address_read(body, "sold_to", false, &p, fe, &r->sold_to, &r->has_sold_to);
	gift_message_read(body, &p, fe, &r->gift_message);
	shipping_read(body, &p, fe, r);
	lines_read(body, &p, fe, r);
	if (p.failed)
		fe->oom = true;
	json_path_free(&p);
	return field_errors_count(fe) == before && !fe->oom;
}

void order_request_free(struct order_request *r)
{
	free(r->gift_message);
	free(r->lines);
	memset(r, 0, sizeof(*r));
}
