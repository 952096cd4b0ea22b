/*
 * What the bodies of several resources share, declared once: how a line
 * names a variant, a carrier's shipping method, and the lines of a
 * shipment or a cancellation, which name an order line by variant or by
 * order_line_id with a quantity; and what such lines do to an order,
 * inside the caller's write transaction. Internal to src/api/.
 */
#ifndef DROPLINE_API_PARTS_H
#define DROPLINE_API_PARTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/request.h"
#include "domain/rules.h"
#include "domain/spec.h"
#include "store/store.h"
#include "store/store_fulfilment.h"

/* Text limits the bodies share. */
#define TEXT_CODE_MAX 32
#define TEXT_NAME_MAX 255

/* {"id" | "identifier" | "upc"} into struct variant_ref. */
extern const struct spec variant_spec;

/* A carrier's shipping method: {"code", "carrier": {"code"}}. */
struct method_body {
	const char *code;
	struct {
		const char *code;
	} carrier;
};
extern const struct spec method_spec;

/* One line of a shipment or a cancellation, into struct line_change. */
extern const struct spec line_change_spec;

/* The field of a line list: "shipment_lines", "cancel_lines" (1 to ORDER_MAX_LINES). */
#define LINE_CHANGES_FIELD(field, flags_, body, list, count)                                       \
	{                                                                                          \
		.name = field, .type = SPEC_LIST, .flags = (flags_),                               \
		.offset = offsetof(body, list), .count_offset = offsetof(body, count),             \
		.min_items = 1, .max_items = ORDER_MAX_LINES, .object = &line_change_spec,         \
		.noun = "lines"                                                                    \
	}

/*
 * line_changes_settle() does what a shipment or a cancellation does to an
 * order, inside the caller's write transaction: finds each change's order
 * line (a variant resolved as for orders, for the order's retailer),
 * refuses more than is open on a line, applies the quantities with the
 * statuses that follow (domain/rules.h) and saves the changed lines and
 * the order. *applied (malloc'd, n items) gets what to store as the
 * shipment's or cancellation's lines.
 * Problems the caller found already may be in fe: they are answered with
 * the lines' own. Returns STORE_REJECTED, with the request refused and
 * nothing written, when a change names no line of the order or one line
 * twice (400, problems at "key[i]...") or asks for more than is open
 * (`conflict`, a 409 with the problems).
 */
store_status line_changes_settle(struct api_request *req, store_conn *c, struct order_state *order,
				 struct line_state *lines, size_t nlines,
				 struct line_change *changes, size_t n, const char *key,
				 change_kind kind, refusal_code conflict, int64_t now,
				 field_errors *fe, struct line_quantity **applied);

#endif
