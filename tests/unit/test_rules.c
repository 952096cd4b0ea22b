/*
 * The contract's rules (include/domain/rules.h), driven from tables of
 * cases the way jansson's test suites are data: each row is a state, what
 * is asked, and the decision the contract gives.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "domain/rules.h"
#include "harness.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* An order with one line of `ordered` units, of which `shipped` and `canceled`. */
static struct order_state order_of(bool acknowledged, int64_t ordered, int64_t shipped,
				   int64_t canceled)
{
	struct order_state o = {.id = 17, .retailer_id = 500, .brand_id = 501};
	o.is_acknowledged = acknowledged;
	o.acknowledged_at = acknowledged ? 1000 : 0;
	o.f.q = (quantities){ordered, shipped, canceled};
	o.f.status = status_derive(o.f.q);
	return o;
}

/* ---- who may do what -------------------------------------------------------- */

static const struct {
	const char *what;
	bool acknowledged;
	int64_t ordered, shipped, canceled;
	refusal_code acknowledge; /* a brand acknowledges */
	bool changes;		  /* ... and that changes the order */
	refusal_code ship;	  /* a brand ships */
	refusal_code retailer_cancel, brand_cancel;
} order_cases[] = {
	{"new", false, 5, 0, 0, REFUSED_NONE, true, REFUSED_NONE, REFUSED_NONE, REFUSED_NONE},
	{"acknowledged", true, 5, 0, 0, REFUSED_NONE, false, REFUSED_NONE,
	 REFUSED_RETAILER_CANCEL_ACKNOWLEDGED, REFUSED_NONE},
	{"partly shipped", true, 5, 2, 0, REFUSED_NONE, false, REFUSED_NONE,
	 REFUSED_RETAILER_CANCEL_ACKNOWLEDGED, REFUSED_NONE},
	{"partly canceled, new", false, 5, 0, 2, REFUSED_NONE, true, REFUSED_NONE, REFUSED_NONE,
	 REFUSED_NONE},
	{"canceled whole, new", false, 5, 0, 5, REFUSED_ORDER_CANCELED_ACKNOWLEDGE, false,
	 REFUSED_ORDER_CANCELED_SHIP, REFUSED_NONE, REFUSED_NONE},
	/* Acknowledging again is harmless, even once canceled. */
	{"canceled after acknowledgement", true, 5, 0, 5, REFUSED_NONE, false,
	 REFUSED_ORDER_CANCELED_SHIP, REFUSED_RETAILER_CANCEL_ACKNOWLEDGED, REFUSED_NONE},
	{"closed", true, 5, 5, 0, REFUSED_NONE, false, REFUSED_NONE,
	 REFUSED_RETAILER_CANCEL_ACKNOWLEDGED, REFUSED_NONE},
};

START_TEST(order_decisions)
{
	for (size_t i = 0; i < ARRAY_LEN(order_cases); i++) {
		const char *what = order_cases[i].what;
		struct order_state o = order_of(order_cases[i].acknowledged, order_cases[i].ordered,
						order_cases[i].shipped, order_cases[i].canceled);
		bool changes = !order_cases[i].changes;
		ck_assert_msg(rules_acknowledge_order(&o, &changes) == order_cases[i].acknowledge,
			      "acknowledge %s", what);
		ck_assert_msg(changes == order_cases[i].changes, "acknowledge %s changes", what);
		ck_assert_msg(rules_ship_order(&o) == order_cases[i].ship, "ship %s", what);
		ck_assert_msg(rules_cancel_order(PARTY_RETAILER, &o) ==
				      order_cases[i].retailer_cancel,
			      "retailer cancels %s", what);
		ck_assert_msg(rules_cancel_order(PARTY_BRAND, &o) == order_cases[i].brand_cancel,
			      "brand cancels %s", what);
	}
}
END_TEST

START_TEST(cancel_reasons_and_acknowledgements)
{
	static const struct {
		party_kind by;
		int64_t reason;
		bool allowed;
	} reasons[] = {
		{PARTY_RETAILER, 1, true}, {PARTY_RETAILER, 2, true}, {PARTY_RETAILER, 5, true},
		{PARTY_BRAND, 1, false},   {PARTY_BRAND, 2, true},    {PARTY_BRAND, 5, true},
	};
	for (size_t i = 0; i < ARRAY_LEN(reasons); i++)
		ck_assert_msg(rules_cancel_reason_allowed(reasons[i].by, reasons[i].reason) ==
				      reasons[i].allowed,
			      "%s reason %lld", party_kind_name(reasons[i].by),
			      (long long)reasons[i].reason);
	/* Only the other side acknowledges a cancellation. */
	ck_assert_int_eq(rules_acknowledge_cancel(PARTY_RETAILER, PARTY_BRAND), REFUSED_NONE);
	ck_assert_int_eq(rules_acknowledge_cancel(PARTY_BRAND, PARTY_RETAILER), REFUSED_NONE);
	ck_assert_int_eq(rules_acknowledge_cancel(PARTY_BRAND, PARTY_BRAND), REFUSED_OWN_CANCEL);
	ck_assert_int_eq(rules_acknowledge_cancel(PARTY_RETAILER, PARTY_RETAILER),
			 REFUSED_OWN_CANCEL);
}
END_TEST

/* ---- line changes ------------------------------------------------------------ */

/* Three lines: ids 11, 12, 13, variants 101, 102, 103, with open units 5, 2, 0. */
static void three_lines(struct order_state *o, struct line_state lines[3])
{
	static const quantities q[3] = {{5, 0, 0}, {4, 1, 1}, {3, 2, 1}};
	*o = order_of(false, 0, 0, 0);
	memset(&o->f.q, 0, sizeof(o->f.q));
	for (int i = 0; i < 3; i++) {
		lines[i] = (struct line_state){.id = 11 + i, .variant_id = 101 + i};
		lines[i].f.q = q[i];
		lines[i].f.status = status_derive(q[i]);
		status_add(&o->f.q, q[i]);
	}
	o->f.status = status_derive(o->f.q);
}

static const struct {
	const char *what;
	int64_t order_line_id, variant_id, quantity;
	const char *problem; /* the field of the problem, NULL for none */
	bool too_many;	     /* more than is open */
} change_cases[] = {
	{"by line id", 11, 0, 5, NULL, false},
	{"by variant", 0, 102, 2, NULL, false},
	{"all that is open", 12, 0, 2, NULL, false},
	{"one more than open", 12, 0, 3, NULL, true},
	{"on a settled line", 13, 0, 1, NULL, true},
	{"a line of another order", 99, 0, 1, "lines[0].order_line_id", false},
	{"a variant on no line", 0, 999, 1, "lines[0].variant", false},
	{"an unknown variant", 0, 0, 1, "lines[0].variant", false},
};

START_TEST(single_changes_match_and_count)
{
	for (size_t i = 0; i < ARRAY_LEN(change_cases); i++) {
		struct order_state o;
		struct line_state lines[3];
		three_lines(&o, lines);
		struct line_change ch = {.order_line_id = change_cases[i].order_line_id,
					 .variant_id = change_cases[i].variant_id,
					 .has_variant = change_cases[i].order_line_id == 0,
					 .quantity = change_cases[i].quantity};
		field_errors fe, conflicts;
		field_errors_init(&fe);
		field_errors_init(&conflicts);
		bool matched = rules_match_changes(o.id, lines, 3, &ch, 1, "lines", &fe);
		const char *problem = change_cases[i].problem;
		ck_assert_msg(matched == (problem == NULL), "%s: matched", change_cases[i].what);
		if (problem != NULL) {
			const char *field = json_string_value(
				json_object_get(json_array_get(fe.list, 0), "field"));
			ck_assert_msg(field && strcmp(field, problem) == 0, "%s: problem at %s",
				      change_cases[i].what, field ? field : "(none)");
		} else {
			size_t n = rules_check_open(lines, &ch, 1, "lines", &conflicts);
			ck_assert_msg((n > 0) == change_cases[i].too_many, "%s: open",
				      change_cases[i].what);
			if (n > 0)
				ck_assert_str_eq(
					json_string_value(json_object_get(
						json_array_get(conflicts.list, 0), "field")),
					"lines[0].quantity");
		}
		field_errors_free(&fe);
		field_errors_free(&conflicts);
	}
}
END_TEST

START_TEST(one_line_named_twice_is_a_problem)
{
	struct order_state o;
	struct line_state lines[3];
	three_lines(&o, lines);
	struct line_change ch[2] = {{.order_line_id = 11, .quantity = 1},
				    {.variant_id = 101, .has_variant = true, .quantity = 1}};
	field_errors fe;
	field_errors_init(&fe);
	ck_assert(!rules_match_changes(o.id, lines, 3, ch, 2, "cancel_lines", &fe));
	ck_assert_uint_eq(field_errors_count(&fe), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(fe.list, 0), "field")),
			 "cancel_lines[1]");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(fe.list, 0), "message")),
			 "names the same order line as cancel_lines[0]");
	field_errors_free(&fe);
}
END_TEST

/* What applying changes does to quantities, statuses, stamps and acknowledgement. */
static const struct {
	const char *what;
	change_kind kind;
	int64_t quantities[3]; /* per line, 0 for no change */
	fulfilment_status line_status[3];
	fulfilment_status order_status;
	bool acknowledged;
} apply_cases[] = {
	{"ship part of line 1",
	 CHANGE_SHIP,
	 {2, 0, 0},
	 {STATUS_PARTIAL, STATUS_PARTIAL, STATUS_CLOSED},
	 STATUS_PARTIAL,
	 true},
	{"ship all that is open",
	 CHANGE_SHIP,
	 {5, 2, 0},
	 {STATUS_CLOSED, STATUS_CLOSED, STATUS_CLOSED},
	 STATUS_CLOSED,
	 true},
	{"cancel line 1 whole",
	 CHANGE_CANCEL,
	 {5, 0, 0},
	 {STATUS_CANCELED, STATUS_PARTIAL, STATUS_CLOSED},
	 STATUS_PARTIAL,
	 false},
	{"cancel the rest",
	 CHANGE_CANCEL,
	 {5, 2, 0},
	 {STATUS_CANCELED, STATUS_CLOSED, STATUS_CLOSED},
	 STATUS_CLOSED,
	 false},
};

START_TEST(applying_changes_settles_statuses)
{
	for (size_t i = 0; i < ARRAY_LEN(apply_cases); i++) {
		struct order_state o;
		struct line_state lines[3];
		three_lines(&o, lines);
		struct line_change ch[3];
		size_t n = 0;
		for (size_t l = 0; l < 3; l++)
			if (apply_cases[i].quantities[l] > 0)
				ch[n++] = (struct line_change){.order_line_id = lines[l].id,
							       .quantity =
								       apply_cases[i].quantities[l],
							       .line = l,
							       .matched = true};
		rules_apply_changes(&o, lines, 3, ch, n, apply_cases[i].kind, 5000);
		for (size_t l = 0; l < 3; l++) {
			ck_assert_msg(lines[l].f.status == apply_cases[i].line_status[l],
				      "%s: line %zu is %s", apply_cases[i].what, l,
				      status_name(lines[l].f.status));
			ck_assert_msg(lines[l].changed == (apply_cases[i].quantities[l] > 0),
				      "%s: line %zu changed", apply_cases[i].what, l);
		}
		ck_assert_msg(o.f.status == apply_cases[i].order_status, "%s: order is %s",
			      apply_cases[i].what, status_name(o.f.status));
		ck_assert_msg(o.is_acknowledged == apply_cases[i].acknowledged, "%s: acknowledged",
			      apply_cases[i].what);
		if (o.is_acknowledged)
			ck_assert_int_eq(o.acknowledged_at, 5000);
		if (o.f.status == STATUS_CLOSED)
			ck_assert_int_eq(o.f.closed_at, 5000);
	}
}
END_TEST

START_TEST(remaining_changes_are_every_open_unit)
{
	struct order_state o;
	struct line_state lines[3];
	three_lines(&o, lines);
	struct line_change *changes = NULL;
	size_t n = 0;
	ck_assert(rules_remaining_changes(lines, 3, &changes, &n));
	ck_assert_uint_eq(n, 2); /* line 13 has nothing open */
	ck_assert_int_eq(changes[0].order_line_id, 11);
	ck_assert_int_eq(changes[0].quantity, 5);
	ck_assert_int_eq(changes[1].order_line_id, 12);
	ck_assert_int_eq(changes[1].quantity, 2);
	ck_assert(changes[0].matched && changes[1].matched);
	free(changes);
	/* Nothing open at all: no change. */
	for (int i = 0; i < 3; i++)
		lines[i].f.q.canceled = lines[i].f.q.ordered - lines[i].f.q.shipped;
	ck_assert(rules_remaining_changes(lines, 3, &changes, &n));
	ck_assert_uint_eq(n, 0);
	free(changes);
}
END_TEST

static Suite *rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("decisions");
	tcase_add_test(tc, order_decisions);
	tcase_add_test(tc, cancel_reasons_and_acknowledgements);
	suite_add_tcase(s, tc);
	tc = tcase_create("line changes");
	tcase_add_test(tc, single_changes_match_and_count);
	tcase_add_test(tc, one_line_named_twice_is_a_problem);
	tcase_add_test(tc, applying_changes_settles_statuses);
	tcase_add_test(tc, remaining_changes_are_every_open_unit);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(rules_suite());
}
