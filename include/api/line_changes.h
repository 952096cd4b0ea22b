/*
 * What shipments and cancellations share: lines that name an order line by
 * variant or by order_line_id with a quantity, checked against what is still
 * open, and applied to the order in the caller's write transaction with the
 * statuses that follow (CONTRACT.md sections 5-7).
 */
#ifndef DROPLINE_API_LINE_CHANGES_H
#define DROPLINE_API_LINE_CHANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "domain/validation.h"
#include "http/request.h"
#include "store/store_fulfilment.h"
#include "store/store_orders.h"

struct line_change {
	struct variant_ref variant; /* used when order_line_id is 0 */
	int64_t order_line_id;
	int64_t quantity;
	size_t line;  /* after matching: index into the order's lines */
	bool matched; /* line is set */
};

/*
 * line_changes_parse() reads the array `key` of `body` ("shipment_lines",
 * "cancel_lines"): each item an object with either "variant" or
 * "order_line_id", and a positive integer "quantity". Problems go to fe
 * with their paths. *out is malloc'd (the caller frees it), *n its length.
 * `required`: an absent array is a problem.
 */
bool line_changes_parse(json_t *body, const char *key, bool required, field_errors *fe,
			struct line_change **out, size_t *n);

typedef enum {
	CHANGE_SHIP,
	CHANGE_CANCEL,
} change_kind;

/*
 * line_changes_settle() does what a shipment or a cancellation does to an
 * order, inside the caller's write transaction: finds each change's order
 * line (variant resolution as for orders, for the order's retailer; skipped
 * for changes already matched), refuses more than is open on a line, adds
 * the quantities, settles each changed line's and the order's status
 * (stamping closed_at/canceled_at; a shipment also acknowledges the order)
 * and writes them. *applied (malloc'd, n items) gets what to store as the
 * shipment's or cancellation's lines.
 * Returns STORE_REJECTED, with nothing written, when a change names no line
 * of the order or one line twice (problems in fe at "key[i]...") or asks
 * for more than is open (problems in conflicts: a 409).
 */
store_status line_changes_settle(store_conn *c, struct order_state *order, struct line_state *lines,
				 size_t nlines, struct line_change *changes, size_t n,
				 const char *key, change_kind kind, int64_t now, field_errors *fe,
				 field_errors *conflicts, struct line_quantity **applied);

/*
 * reply_line_changes_refused() answers a STORE_REJECTED of
 * line_changes_settle(): 400 with fe's problems, else 409 with the
 * conflicts and `message`.
 */
void reply_line_changes_refused(struct request *req, const field_errors *fe,
				const field_errors *conflicts, const char *message);

/* Every open unit of the order as changes (cancel_remaining); *n may be 0. */
bool line_changes_remaining(const struct line_state *lines, size_t nlines, struct line_change **out,
			    size_t *n);

#endif
