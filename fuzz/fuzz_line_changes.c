/*
 * Shipment and cancellation bodies: the input is read as a JSON body
 * (json_loadb with JSON_REJECT_DUPLICATES, as the server does) and walked
 * against the real shipment_body_spec and cancel_body_spec (for both
 * parties, whose reasons differ). Accepted lines each name exactly one
 * order line (order_line_id or a variant reference) with a quantity from 1
 * to MONEY_MAX_QUANTITY; an accepted cancellation has its lines or
 * cancel_remaining, not both, and a brand's never has reason 1.
 */
#include <stdbool.h>

#include <jansson.h>

#include "bodies.h"
#include "domain/money.h"
#include "fuzz_util.h"

static void check_lines(const struct line_change *changes, size_t n)
{
	FUZZ_CHECK(n <= ORDER_MAX_LINES);
	for (size_t i = 0; i < n; i++) {
		const struct line_change *ch = &changes[i];
		bool by_variant = ch->variant.id > 0 || ch->variant.identifier != NULL ||
				  ch->variant.upc != NULL;
		FUZZ_CHECK((ch->order_line_id > 0) != by_variant);
		FUZZ_CHECK(by_variant == ch->has_variant);
		FUZZ_CHECK(ch->quantity >= 1 && ch->quantity <= MONEY_MAX_QUANTITY);
		FUZZ_CHECK(!ch->matched);
	}
}

/* Every problem names a field and says something, and the list serialises. */
static void check_problems(bool ok, const field_errors *fe)
{
	if (!ok)
		FUZZ_CHECK(field_errors_count(fe) > 0 || fe->oom);
	char *text = json_dumps(fe->list, JSON_COMPACT);
	FUZZ_CHECK(text != NULL);
	free(text);
}

static void check_shipment(json_t *body)
{
	struct shipment_body in;
	memset(&in, 0, sizeof(in));
	field_errors fe;
	field_errors_init(&fe);
	FUZZ_REQUIRE(!fe.oom);
	bool ok = spec_read(&shipment_body_spec, body, &in, NULL, &fe);
	if (ok) {
		FUZZ_CHECK(in.order_id > 0 && in.tracking_number != NULL);
		FUZZ_CHECK(in.nchanges >= 1 && in.changes != NULL);
		check_lines(in.changes, in.nchanges);
	}
	check_problems(ok, &fe);
	spec_free(&shipment_body_spec, &in);
	field_errors_free(&fe);
}

static void check_cancel(json_t *body, party_kind party)
{
	struct cancel_body in;
	memset(&in, 0, sizeof(in));
	field_errors fe;
	field_errors_init(&fe);
	FUZZ_REQUIRE(!fe.oom);
	bool ok = spec_read(&cancel_body_spec, body, &in, &party, &fe);
	if (ok) {
		FUZZ_CHECK(in.order_id > 0);
		FUZZ_CHECK(in.reason_id >= 1 && in.reason_id <= CANCEL_REASON_MAX);
		FUZZ_CHECK(party != PARTY_BRAND || in.reason_id != CANCEL_REASON_RETAILER_REQUESTED);
		FUZZ_CHECK(in.cancel_remaining != (in.nchanges > 0));
		check_lines(in.changes, in.nchanges);
	}
	check_problems(ok, &fe);
	spec_free(&cancel_body_spec, &in);
	field_errors_free(&fe);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	if (body == NULL)
		return 0;
	check_shipment(body);
	check_cancel(body, PARTY_RETAILER);
	check_cancel(body, PARTY_BRAND);
	json_decref(body);
	return 0;
}
