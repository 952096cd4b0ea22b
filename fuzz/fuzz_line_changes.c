/*
 * Shipment and cancellation lines: the input is read as a JSON body
 * (json_loadb with JSON_REJECT_DUPLICATES, as the server does) and its
 * "shipment_lines" (required, as POST .../shipments/ reads them) and
 * "cancel_lines" (optional) are checked by line_changes_parse(). Accepted
 * lines each name exactly one order line (order_line_id or a variant
 * reference) with a quantity from 1 to MONEY_MAX_QUANTITY. The full
 * shipment and cancellation bodies, which are static in src/api/, are
 * fuzzed through the handlers by fuzz_request.
 */
#include <stdbool.h>

#include <jansson.h>

#include "api/line_changes.h"
#include "api/order_input.h"
#include "domain/money.h"
#include "fuzz_util.h"

static void check(json_t *body, const char *key, bool required)
{
	field_errors fe;
	field_errors_init(&fe);
	FUZZ_REQUIRE(!fe.oom);
	struct line_change *changes = NULL;
	size_t n = 0;
	bool ok = line_changes_parse(body, key, required, &fe, &changes, &n);
	if (ok) {
		json_t *items = json_object_get(body, key);
		if (items == NULL || json_is_null(items)) {
			FUZZ_CHECK(!required && n == 0);
		} else {
			FUZZ_CHECK(n >= 1 && n <= ORDER_MAX_LINES && changes != NULL);
			FUZZ_CHECK(n == json_array_size(items));
		}
		for (size_t i = 0; i < n; i++) {
			const struct line_change *ch = &changes[i];
			bool by_variant = ch->variant.id > 0 || ch->variant.identifier != NULL ||
					  ch->variant.upc != NULL;
			FUZZ_CHECK((ch->order_line_id > 0) != by_variant);
			FUZZ_CHECK(ch->quantity >= 1 && ch->quantity <= MONEY_MAX_QUANTITY);
			FUZZ_CHECK(!ch->matched);
		}
	} else {
		FUZZ_CHECK(field_errors_count(&fe) > 0 || fe.oom);
	}
	char *text = json_dumps(fe.list, JSON_COMPACT);
	FUZZ_CHECK(text != NULL);
	free(text);
	free(changes);
	field_errors_free(&fe);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	if (body == NULL)
		return 0;
	check(body, "shipment_lines", true);
	check(body, "cancel_lines", false);
	json_decref(body);
	return 0;
}
