/* Unit tests for include/domain/status.h. */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>

#include "domain/status.h"

static quantities qty(int64_t ordered, int64_t shipped, int64_t canceled)
{
	return (quantities){.ordered = ordered, .shipped = shipped, .canceled = canceled};
}

static void assert_line(int64_t o, int64_t s, int64_t c, fulfilment_status want, int64_t want_open)
{
	quantities q = qty(o, s, c);
	fulfilment_status got = status_derive(q);
	ck_assert_msg(got == want, "{%lld,%lld,%lld}: got %s, want %s", (long long)o, (long long)s,
		      (long long)c, status_name(got), status_name(want));
	int64_t open = status_open_quantity(q);
	ck_assert_msg(open == want_open, "{%lld,%lld,%lld}: open %lld, want %lld", (long long)o,
		      (long long)s, (long long)c, (long long)open, (long long)want_open);
}

/* --- status_derive and status_open_quantity ------------------------------ */

START_TEST(derive_line_combinations)
{
	assert_line(10, 0, 0, STATUS_OPEN, 10);	    /* all open */
	assert_line(10, 3, 0, STATUS_PARTIAL, 7);   /* some shipped */
	assert_line(10, 10, 0, STATUS_CLOSED, 0);   /* all shipped */
	assert_line(10, 0, 10, STATUS_CANCELED, 0); /* all canceled */
	assert_line(10, 4, 6, STATUS_CLOSED, 0);    /* canceled + shipped, nothing open */
	assert_line(10, 9, 1, STATUS_CLOSED, 0);
	assert_line(10, 0, 4, STATUS_OPEN, 6);	  /* canceled + open, nothing shipped */
	assert_line(10, 0, 9, STATUS_OPEN, 1);	  /* one unit left is still open */
	assert_line(10, 3, 4, STATUS_PARTIAL, 3); /* shipped + canceled + open */
	assert_line(10, 9, 0, STATUS_PARTIAL, 1); /* one unit short */
}
END_TEST

START_TEST(derive_single_unit)
{
	assert_line(1, 0, 0, STATUS_OPEN, 1);
	assert_line(1, 1, 0, STATUS_CLOSED, 0);
	assert_line(1, 0, 1, STATUS_CANCELED, 0);
}
END_TEST

START_TEST(derive_nothing_ordered)
{
	/* No units (an order without lines): nothing to ship, nothing canceled. */
	assert_line(0, 0, 0, STATUS_OPEN, 0);
}
END_TEST

START_TEST(derive_order_sums)
{
	/* One line fully canceled, one fully shipped: the order is closed. */
	assert_line(5 + 5, 0 + 5, 5 + 0, STATUS_CLOSED, 0);
	/* One line fully canceled, one untouched: still open, not canceled. */
	assert_line(5 + 5, 0, 5, STATUS_OPEN, 5);
	/* Every line canceled. */
	assert_line(3 + 7, 0, 3 + 7, STATUS_CANCELED, 0);
	/* One line shipped, one untouched. */
	assert_line(2 + 8, 2, 0, STATUS_PARTIAL, 8);
	/* Shipped, canceled and open lines together. */
	assert_line(2 + 3 + 5, 2, 3, STATUS_PARTIAL, 5);
}
END_TEST

START_TEST(open_quantity_never_negative)
{
	/* Over-settled data must not report negative open units. */
	assert_line(10, 12, 0, STATUS_CLOSED, 0);
	assert_line(10, 8, 8, STATUS_CLOSED, 0);
	ck_assert_int_eq(status_open_quantity(qty(10, 0, 11)), 0);
	ck_assert_int_eq(status_open_quantity(qty(0, 1, 0)), 0);
	ck_assert_int_eq(status_open_quantity(qty(-5, 0, 0)), 0);
}
END_TEST

START_TEST(extremes_do_not_overflow)
{
	/* UBSan aborts on any signed overflow in here. */
	const int64_t v[] = {INT64_MIN, INT64_MIN + 1, -1, 0, 1, INT64_MAX - 1, INT64_MAX};
	const size_t n = sizeof(v) / sizeof(v[0]);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			for (size_t k = 0; k < n; k++) {
				quantities q = qty(v[i], v[j], v[k]);
				ck_assert(status_open_quantity(q) >= 0);
				fulfilment_status s = status_derive(q);
				ck_assert(s == STATUS_OPEN || s == STATUS_PARTIAL ||
					  s == STATUS_CLOSED || s == STATUS_CANCELED);
			}
		}
	}
	ck_assert(status_open_quantity(qty(INT64_MAX, 0, 0)) == INT64_MAX);
	ck_assert(status_open_quantity(qty(INT64_MAX, INT64_MAX, INT64_MAX)) == 0);
	ck_assert(status_derive(qty(INT64_MAX, INT64_MAX, 1)) == STATUS_CLOSED);
	ck_assert(status_derive(qty(INT64_MAX, 0, INT64_MAX)) == STATUS_CANCELED);
}
END_TEST

/*
 * Every consistent small line, judged unit by unit straight from the
 * header's wording rather than from sums.
 */
START_TEST(derive_exhaustive_small)
{
	enum { UNIT_OPEN, UNIT_SHIPPED, UNIT_CANCELED };
	for (int o = 0; o <= 6; o++) {
		for (int s = 0; s <= o; s++) {
			for (int c = 0; c <= o - s; c++) {
				int unit[6];
				for (int u = 0; u < o; u++)
					unit[u] = u < s	      ? UNIT_SHIPPED
						  : u < s + c ? UNIT_CANCELED
							      : UNIT_OPEN;

				bool every_canceled = o > 0, every_settled = true,
				     any_shipped = false;
				int open_units = 0;
				for (int u = 0; u < o; u++) {
					every_canceled &= unit[u] == UNIT_CANCELED;
					every_settled &= unit[u] != UNIT_OPEN;
					any_shipped |= unit[u] == UNIT_SHIPPED;
					open_units += unit[u] == UNIT_OPEN;
				}
				fulfilment_status want = every_canceled ? STATUS_CANCELED
							 : every_settled && any_shipped
								 ? STATUS_CLOSED
							 : any_shipped ? STATUS_PARTIAL
								       : STATUS_OPEN;
				assert_line(o, s, c, want, open_units);
			}
		}
	}
}
END_TEST

/* --- status_name and status_parse ---------------------------------------- */

START_TEST(names)
{
	ck_assert_str_eq(status_name(STATUS_OPEN), "open");
	ck_assert_str_eq(status_name(STATUS_PARTIAL), "partial");
	ck_assert_str_eq(status_name(STATUS_CLOSED), "closed");
	ck_assert_str_eq(status_name(STATUS_CANCELED), "canceled");
	ck_assert_str_eq(status_name((fulfilment_status)99), "unknown");
	ck_assert_str_eq(status_name((fulfilment_status)-1), "unknown");
}
END_TEST

START_TEST(parse_known)
{
	const fulfilment_status all[] = {STATUS_OPEN, STATUS_PARTIAL, STATUS_CLOSED,
					 STATUS_CANCELED};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		fulfilment_status got = (fulfilment_status)99;
		ck_assert_int_eq(status_parse(status_name(all[i]), &got), 0);
		ck_assert_int_eq(got, all[i]);
	}
	fulfilment_status got = (fulfilment_status)99;
	ck_assert_int_eq(status_parse("canceled", &got), 0);
	ck_assert_int_eq(got, STATUS_CANCELED);
	ck_assert_int_eq(status_parse("open", NULL), 0);
}
END_TEST

START_TEST(parse_unknown)
{
	static const char *const bad[] = {
		"",    "Open",	    "OPEN",	  " open",   "open ",	    "opened",
		"ope", "cancelled", "canceled\n", "unknown", "closed,open", "partially",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fulfilment_status got = (fulfilment_status)99;
		ck_assert_msg(status_parse(bad[i], &got) == -1, "\"%s\" should be unknown", bad[i]);
		ck_assert_int_eq(got, 99);
	}
	fulfilment_status got = (fulfilment_status)99;
	ck_assert_int_eq(status_parse(NULL, &got), -1);
	ck_assert_int_eq(got, 99);
	ck_assert_int_eq(status_parse(status_name((fulfilment_status)99), &got), -1);
}
END_TEST

START_TEST(settle_stamps_closed_at_once)
{
	struct fulfilment f = {.q = {.ordered = 3, .shipped = 1}};
	status_settle(&f, 100);
	ck_assert_int_eq(f.status, STATUS_PARTIAL);
	ck_assert_int_eq(f.closed_at, 0);
	f.q.shipped = 3;
	status_settle(&f, 200);
	ck_assert_int_eq(f.status, STATUS_CLOSED);
	ck_assert_int_eq(f.closed_at, 200);
	/* Settling again later keeps the first time it closed. */
	status_settle(&f, 300);
	ck_assert_int_eq(f.closed_at, 200);
	ck_assert_int_eq(f.canceled_at, 0);
}
END_TEST

START_TEST(settle_stamps_canceled_at_and_the_rest_closes)
{
	struct fulfilment f = {.q = {.ordered = 2, .canceled = 2}};
	status_settle(&f, 50);
	ck_assert_int_eq(f.status, STATUS_CANCELED);
	ck_assert_int_eq(f.canceled_at, 50);
	ck_assert_int_eq(f.closed_at, 0);
	/* Partly shipped, then the unfulfilled rest canceled: closed, not canceled. */
	struct fulfilment g = {.q = {.ordered = 5, .shipped = 2}};
	status_settle(&g, 10);
	g.q.canceled = 3;
	status_settle(&g, 20);
	ck_assert_int_eq(g.status, STATUS_CLOSED);
	ck_assert_int_eq(g.closed_at, 20);
	ck_assert_int_eq(g.canceled_at, 0);
}
END_TEST

START_TEST(add_sums_an_orders_lines)
{
	quantities total = {0};
	status_add(&total, (quantities){.ordered = 2, .shipped = 1});
	status_add(&total, (quantities){.ordered = 3, .canceled = 3});
	ck_assert_int_eq(total.ordered, 5);
	ck_assert_int_eq(total.shipped, 1);
	ck_assert_int_eq(total.canceled, 3);
	ck_assert_int_eq(status_derive(total), STATUS_PARTIAL);
	ck_assert_int_eq(status_open_quantity(total), 1);
}
END_TEST

static Suite *status_suite(void)
{
	Suite *s = suite_create("status");

	TCase *tc = tcase_create("derive");
	tcase_add_test(tc, derive_line_combinations);
	tcase_add_test(tc, derive_single_unit);
	tcase_add_test(tc, derive_nothing_ordered);
	tcase_add_test(tc, derive_order_sums);
	tcase_add_test(tc, open_quantity_never_negative);
	tcase_add_test(tc, extremes_do_not_overflow);
	tcase_add_test(tc, derive_exhaustive_small);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_test(tc, names);
	tcase_add_test(tc, parse_known);
	tcase_add_test(tc, parse_unknown);
	tcase_add_test(tc, settle_stamps_closed_at_once);
	tcase_add_test(tc, settle_stamps_canceled_at_and_the_rest_closes);
	tcase_add_test(tc, add_sums_an_orders_lines);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(status_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
