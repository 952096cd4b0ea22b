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
 * line_changes_match() finds each change's order line in `lines` (variant
 * resolution as for orders, for the order's retailer). A line of another
 * order, an unknown variant or one order line named twice are field
 * problems at "key[i]...".
 */
store_status line_changes_match(store_conn *c, const struct order_state *order,
				const struct line_state *lines, size_t nlines,
				struct line_change *changes, size_t n, const char *key,
				field_errors *fe);

/*
 * line_changes_check_open() adds a problem for each change asking for more
 * than is open on its line ("only 2 units of order line 17 are open").
 * Returns how many there were; such a request is a 409 and changes nothing.
 */
size_t line_changes_check_open(const struct line_state *lines, const struct line_change *changes,
			       size_t n, const char *key, field_errors *conflicts);

/*
 * line_changes_apply() adds the quantities to the lines, settles each
 * changed line's and the order's status (stamping closed_at/canceled_at),
 * and writes them. A shipment also acknowledges an unacknowledged order.
 */
store_status line_changes_apply(store_conn *c, struct order_state *order,
				struct line_state *lines, size_t nlines,
				const struct line_change *changes, size_t n, change_kind kind,
				int64_t now);

/* Every open unit of the order as changes (cancel_remaining); *n may be 0. */
bool line_changes_remaining(const struct line_state *lines, size_t nlines,
			    struct line_change **out, size_t *n);

/* Answers 409 with the conflicts as fields. */
void reply_conflicts(struct request *req, const char *message, const field_errors *conflicts);

#endif
