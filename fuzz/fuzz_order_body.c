/*
 * Order bodies (POST /v1/retailers/{id}/orders/): the input is read with
 * json_loadb(JSON_REJECT_DUPLICATES) as src/http/checks.c does, then walked
 * against the real order_body_spec (src/api/orders.c). A body that passes
 * has every field the create transaction relies on, within its documented
 * bounds (lengths in characters); one that fails says why (at least one
 * field error) unless memory ran out.
 */
#include <stdbool.h>

#include <jansson.h>

#include "bodies.h"
#include "domain/money.h"
#include "domain/spec.h"
#include "domain/timeutil.h"
#include "fuzz_util.h"

static bool text_ok(const char *s, size_t max)
{
	return s != NULL && s[0] != '\0' && utf8_length(s, strlen(s)) <= max;
}

static void check_accepted(const struct order_body *r)
{
	FUZZ_CHECK(text_ok(r->purchase_order_number, 32));
	FUZZ_CHECK(r->customer_order_number == NULL || text_ok(r->customer_order_number, 32));
	FUZZ_CHECK(r->retailer_order_number == NULL || text_ok(r->retailer_order_number, 32));
	char when[TIME_TEXT_MAX];
	FUZZ_CHECK(time_format_iso8601(r->ordered_at, when) != NULL);
	FUZZ_CHECK(text_ok(r->ship_to.name1, 255) && text_ok(r->ship_to.street1, 255));
	FUZZ_CHECK(text_ok(r->ship_to.city, 128) && text_ok(r->ship_to.postal_code, 32));
	FUZZ_CHECK(text_ok(r->ship_to.country, 32));
	if (r->has_sold_to)
		FUZZ_CHECK(text_ok(r->sold_to.name1, 255) && text_ok(r->sold_to.country, 32));
	/* Exactly one of shipping_method (carrier + code) and requested_shipping_method. */
	bool method = r->has_method && r->shipping_method.carrier.code != NULL &&
		      r->shipping_method.code != NULL;
	FUZZ_CHECK(method != (r->has_requested && r->requested.name != NULL));
	FUZZ_CHECK(r->nlines >= 1 && r->nlines <= ORDER_MAX_LINES && r->lines != NULL);
	for (size_t i = 0; i < r->nlines; i++) {
		const struct order_line_body *l = &r->lines[i];
		FUZZ_CHECK(l->variant_ok);
		FUZZ_CHECK(l->variant.id > 0 || l->variant.identifier != NULL ||
			   l->variant.upc != NULL);
		FUZZ_CHECK(l->quantity >= 1 && l->quantity <= MONEY_MAX_QUANTITY);
		FUZZ_CHECK(l->net_price_cents >= 0 && l->net_price_cents <= MONEY_MAX_CENTS);
		FUZZ_CHECK(l->price_cents >= 0 && l->price_cents <= MONEY_MAX_CENTS);
	}
	if (r->gift_message != NULL) {
		/* Stored as JSON text: it must read back as an array of strings. */
		char *text = json_dumps(r->gift_message, JSON_COMPACT | JSON_ENSURE_ASCII);
		json_t *g = text ? json_loads(text, 0, NULL) : NULL;
		FUZZ_CHECK(json_is_array(g) && json_array_size(g) <= GIFT_MESSAGE_MAX_LINES);
		json_decref(g);
		free(text);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	if (body == NULL)
		return 0;
	struct order_body r;
	memset(&r, 0, sizeof(r));
	field_errors fe;
	field_errors_init(&fe);
	FUZZ_REQUIRE(!fe.oom);
	bool ok = spec_read(&order_body_spec, body, &r, NULL, &fe);
	if (ok)
		check_accepted(&r);
	else
		FUZZ_CHECK(field_errors_count(&fe) > 0 || fe.oom);
	/* Every reported problem names a field (possibly "") and says something. */
	size_t i;
	json_t *item;
	json_array_foreach(fe.list, i, item)
	{
		FUZZ_CHECK(json_is_string(json_object_get(item, "field")));
		FUZZ_CHECK(json_string_length(json_object_get(item, "message")) > 0);
	}
	/* The error list is what the 400 answer carries: it must serialise. */
	char *text = json_dumps(fe.list, JSON_COMPACT);
	FUZZ_CHECK(text != NULL);
	free(text);
	spec_free(&order_body_spec, &r);
	field_errors_free(&fe);
	json_decref(body);
	return 0;
}
