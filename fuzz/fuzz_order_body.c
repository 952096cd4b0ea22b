/*
 * Order bodies (POST /v1/retailers/{id}/orders/): the input is read with
 * json_loadb(JSON_REJECT_DUPLICATES) as src/http/server.c does, then checked
 * by order_request_parse(). A body that passes has every field the create
 * transaction relies on, within its documented bounds; one that fails says
 * why (at least one field error) unless memory ran out.
 */
#include <stdbool.h>

#include <jansson.h>

#include "api/order_input.h"
#include "domain/money.h"
#include "domain/timeutil.h"
#include "fuzz_util.h"

static bool text_ok(const char *s, size_t max)
{
	return s != NULL && s[0] != '\0' && strlen(s) <= max;
}

static void check_accepted(const struct order_request *r)
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
	bool method = r->carrier_code != NULL && r->method_code != NULL;
	FUZZ_CHECK(method != (r->requested_method != NULL));
	FUZZ_CHECK(r->nlines >= 1 && r->nlines <= ORDER_MAX_LINES && r->lines != NULL);
	for (size_t i = 0; i < r->nlines; i++) {
		const struct order_line_request *l = &r->lines[i];
		FUZZ_CHECK(l->variant_ok);
		FUZZ_CHECK(l->variant.id > 0 || l->variant.identifier != NULL ||
			   l->variant.upc != NULL);
		FUZZ_CHECK(l->quantity >= 1 && l->quantity <= MONEY_MAX_QUANTITY);
		FUZZ_CHECK(l->net_price_cents >= 0 && l->net_price_cents <= MONEY_MAX_CENTS);
		FUZZ_CHECK(l->price_cents >= 0 && l->price_cents <= MONEY_MAX_CENTS);
	}
	if (r->gift_message != NULL) {
		/* Stored as JSON text: it must read back as an array of strings. */
		json_t *g = json_loads(r->gift_message, 0, NULL);
		FUZZ_CHECK(json_is_array(g) && json_array_size(g) <= GIFT_MESSAGE_MAX_LINES);
		json_decref(g);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	if (body == NULL)
		return 0;
	struct order_request r;
	field_errors fe;
	field_errors_init(&fe);
	FUZZ_REQUIRE(!fe.oom);
	bool ok = order_request_parse(body, &r, &fe);
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
	order_request_free(&r);
	field_errors_free(&fe);
	json_decref(body);
	return 0;
}
