/*
 * The rules of the contract as pure functions over plain order and line
 * state (CONTRACT.md sections 5-7): who may do what to an order, and what a
 * shipment or a cancellation does to its quantities and statuses. Nothing
 * here reads or writes the store; handlers load the state, ask these
 * functions, and save what they answer.
 *
 * A decision is a refusal_code: REFUSED_NONE allows it.
 */
#ifndef DROPLINE_DOMAIN_RULES_H
#define DROPLINE_DOMAIN_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/apikey.h"
#include "domain/order.h"
#include "domain/refusal.h"
#include "domain/status.h"
#include "domain/validation.h"

/* Cancellation reasons (CONTRACT.md section 6). */
#define CANCEL_REASON_RETAILER_REQUESTED 1
#define CANCEL_REASON_MAX		 5

/* An order as the rules see it. */
struct order_state {
	int64_t id;
	int64_t retailer_id;
	int64_t brand_id;
	bool is_acknowledged;
	int64_t acknowledged_at; /* 0 when not acknowledged */
	struct fulfilment f;	 /* totals over the lines */
};

/* One order line as the rules see it. */
struct line_state {
	int64_t id;
	int64_t variant_id;
	struct fulfilment f;
	bool changed; /* set by rules_apply_changes(): the line needs saving */
};

/* A brand acknowledges an order: a canceled one cannot be. *changes: not yet acknowledged. */
refusal_code rules_acknowledge_order(const struct order_state *o, bool *changes);

/* A retailer cancels only before the brand acknowledged; a brand at any time. */
refusal_code rules_cancel_order(party_kind by, const struct order_state *o);

/* Reason 1 (Retailer Requested Cancellation) is the retailer's own. */
bool rules_cancel_reason_allowed(party_kind by, int64_t reason_id);

/* Only the side that did not make a cancellation acknowledges it. */
refusal_code rules_acknowledge_cancel(party_kind who, party_kind canceled_by);

/* A canceled order cannot be shipped. */
refusal_code rules_ship_order(const struct order_state *o);

/* What a change of quantities on an order line is. */
typedef enum {
	CHANGE_SHIP,
	CHANGE_CANCEL,
} change_kind;

/*
 * One line of a shipment or a cancellation: it names an order line by id,
 * or by variant (which the caller resolves into variant_id first), and a
 * quantity.
 */
struct line_change {
	int64_t order_line_id;	    /* 0 when named by variant */
	struct variant_ref variant; /* as the client sent it */
	bool has_variant;	    /* a variant was sent */
	int64_t variant_id;	    /* resolved by the caller; 0 when it names nothing */
	bool ambiguous;		    /* the variant matched several: the caller reported it */
	int64_t quantity;
	size_t line;  /* after matching: index into the order's lines */
	bool matched; /* line is set */
};

/*
 * rules_match_changes() finds each unmatched change's line among the
 * order's, by order_line_id or by variant_id. A change that names no line,
 * or the same line as an earlier one, is a problem at "key[i]..." in fe.
 * Returns true when every change matched one line of its own.
 */
bool rules_match_changes(int64_t order_id, const struct line_state *lines, size_t nlines,
			 struct line_change *changes, size_t n, const char *key, field_errors *fe);

/*
 * rules_check_open() refuses a change asking for more than is open on its
 * line: each such change is a problem at "key[i].quantity" in conflicts.
 * Returns how many there were.
 */
size_t rules_check_open(const struct line_state *lines, const struct line_change *changes, size_t n,
			const char *key, field_errors *conflicts);

/*
 * rules_apply_changes() adds the matched changes' quantities to their
 * lines (marking them changed), settles each changed line's and the
 * order's status and stamps at `now`; a shipment also acknowledges an
 * order that was not. The caller saves the changed lines and the order.
 */
void rules_apply_changes(struct order_state *o, struct line_state *lines, size_t nlines,
			 const struct line_change *changes, size_t n, change_kind kind,
			 int64_t now);

/*
 * rules_remaining_changes() makes one change per line with open units, for
 * all of them (cancel_remaining). *out is malloc'd (the caller frees it);
 * *n may be 0. False when out of memory.
 */
bool rules_remaining_changes(const struct line_state *lines, size_t nlines,
			     struct line_change **out, size_t *n);

#endif
