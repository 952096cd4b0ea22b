/* Unit tests for include/domain/money.h. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "domain/money.h"

#define UNTOUCHED ((int64_t)-4242)

static bool parse(const char *s, int64_t *cents)
{
	return money_parse_text(s, strlen(s), cents);
}

static void assert_text(const char *s, int64_t want)
{
	int64_t got = UNTOUCHED;
	ck_assert_msg(parse(s, &got), "\"%s\" should parse", s);
	ck_assert_msg(got == want, "\"%s\": got %lld, want %lld", s, (long long)got,
		      (long long)want);
}

static void assert_text_rejected(const char *s)
{
	int64_t got = UNTOUCHED;
	ck_assert_msg(!parse(s, &got), "\"%s\" should be rejected", s);
	ck_assert_msg(got == UNTOUCHED, "\"%s\": rejected but wrote %lld", s, (long long)got);
}

static void assert_real(double v, int64_t want)
{
	int64_t got = UNTOUCHED;
	ck_assert_msg(money_parse_real(v, &got), "%.17g should parse", v);
	ck_assert_msg(got == want, "%.17g: got %lld, want %lld", v, (long long)got,
		      (long long)want);
}

static void assert_real_rejected(double v)
{
	int64_t got = UNTOUCHED;
	ck_assert_msg(!money_parse_real(v, &got), "%.17g should be rejected", v);
	ck_assert_msg(got == UNTOUCHED, "%.17g: rejected but wrote %lld", v, (long long)got);
}

static void assert_format(int64_t cents, const char *want)
{
	char out[MONEY_TEXT_MAX];
	memset(out, 'x', sizeof(out));
	ck_assert_ptr_eq(money_format(cents, out), out);
	ck_assert_str_eq(out, want);
}

/* --- money_parse_text ---------------------------------------------------- */

START_TEST(text_whole_and_decimals)
{
	assert_text("0", 0);
	assert_text("0.00", 0);
	assert_text("0.0", 0);
	assert_text("1", 100);
	assert_text("250", 25000);
	assert_text("250.00", 25000);
	assert_text("250.5", 25050);
	assert_text("250.50", 25050);
	assert_text("250.05", 25005);
	assert_text("0.01", 1);
	assert_text("0.99", 99);
	assert_text("19.99", 1999);
	assert_text("1234567.89", 123456789);
}
END_TEST

START_TEST(text_leading_zeros_accepted)
{
	assert_text("007", 700);
	assert_text("00.50", 50);
	/* Many zeros must not count toward the cap or overflow anything. */
	assert_text("0000000000000000000000000000000000000001.00", 100);
}
END_TEST

START_TEST(text_rejects_malformed)
{
	assert_text_rejected("");
	assert_text_rejected(".5");
	assert_text_rejected(".50");
	assert_text_rejected(".");
	assert_text_rejected("1.");
	assert_text_rejected("-1");
	assert_text_rejected("-0");
	assert_text_rejected("+1");
	assert_text_rejected("1e2");
	assert_text_rejected("1E2");
	assert_text_rejected("1.5e1");
	assert_text_rejected(" 1");
	assert_text_rejected("1 ");
	assert_text_rejected("\t1");
	assert_text_rejected("1\n");
	assert_text_rejected("1.234");
	assert_text_rejected("1.000");
	assert_text_rejected("1.2.3");
	assert_text_rejected("1..2");
	assert_text_rejected("1,00");
	assert_text_rejected("1,000.00");
	assert_text_rejected("0x10");
	assert_text_rejected("abc");
	assert_text_rejected("1.a");
	assert_text_rejected("1a");
	assert_text_rejected("NaN");
	assert_text_rejected("inf");
}
END_TEST

START_TEST(text_cap)
{
	assert_text("100000000000", MONEY_MAX_CENTS);
	assert_text("100000000000.00", MONEY_MAX_CENTS);
	assert_text("99999999999.99", MONEY_MAX_CENTS - 1);
	assert_text_rejected("100000000000.01");
	assert_text_rejected("100000000001");
	assert_text_rejected("999999999999");
	assert_text_rejected("9223372036854775807");
	assert_text_rejected("9223372036854775808");
	assert_text_rejected("18446744073709551617");
	assert_text_rejected("99999999999999999999999999999999999999999999.99");
}
END_TEST

START_TEST(text_null_and_empty)
{
	int64_t got = UNTOUCHED;
	ck_assert(!money_parse_text(NULL, 0, &got));
	ck_assert(!money_parse_text(NULL, 3, &got));
	ck_assert(!money_parse_text("1", 0, &got));
	ck_assert(!money_parse_text("1", 1, NULL));
	ck_assert(got == UNTOUCHED);
}
END_TEST

START_TEST(text_respects_len)
{
	int64_t got = UNTOUCHED;
	/* Only `len` bytes count: what follows is not part of the amount. */
	ck_assert(money_parse_text("12.345", 5, &got));
	ck_assert(got == 1234);
	ck_assert(money_parse_text("250.00xyz", 6, &got));
	ck_assert(got == 25000);
	ck_assert(money_parse_text("7.", 1, &got));
	ck_assert(got == 700);

	/* Exact-size buffers with no NUL: ASan reports any read past them. */
	const char whole[3] = {'1', '2', '3'};
	ck_assert(money_parse_text(whole, sizeof(whole), &got));
	ck_assert(got == 12300);
	const char dec[4] = {'1', '.', '2', '5'};
	ck_assert(money_parse_text(dec, sizeof(dec), &got));
	ck_assert(got == 125);
	const char trailing_point[2] = {'1', '.'};
	got = UNTOUCHED;
	ck_assert(!money_parse_text(trailing_point, sizeof(trailing_point), &got));
	ck_assert(got == UNTOUCHED);

	/* An embedded NUL inside `len` is a stray byte, not an end. */
	ck_assert(!money_parse_text("1\0", 2, &got));
	ck_assert(!money_parse_text("1.5\0", 4, &got));
	ck_assert(got == UNTOUCHED);
}
END_TEST

/* --- money_parse_integer ------------------------------------------------- */

START_TEST(integer_units)
{
	int64_t got = UNTOUCHED;
	ck_assert(money_parse_integer(0, &got));
	ck_assert(got == 0);
	ck_assert(money_parse_integer(1, &got));
	ck_assert(got == 100);
	ck_assert(money_parse_integer(250, &got));
	ck_assert(got == 25000);
	ck_assert(money_parse_integer(MONEY_MAX_CENTS / 100, &got));
	ck_assert(got == MONEY_MAX_CENTS);
}
END_TEST

START_TEST(integer_rejects)
{
	int64_t got = UNTOUCHED;
	ck_assert(!money_parse_integer(-1, &got));
	ck_assert(!money_parse_integer(MONEY_MAX_CENTS / 100 + 1, &got));
	ck_assert(!money_parse_integer(INT64_MAX, &got));
	ck_assert(!money_parse_integer(INT64_MIN, &got));
	ck_assert(!money_parse_integer(INT64_MAX / 100 + 1, &got));
	ck_assert(!money_parse_integer(1, NULL));
	ck_assert(got == UNTOUCHED);
}
END_TEST

/* --- money_parse_real ---------------------------------------------------- */

START_TEST(real_common_values)
{
	assert_real(19.99, 1999);
	assert_real(0.0, 0);
	assert_real(1.0, 100);
	assert_real(250.0, 25000);
	assert_real(250.5, 25050);
	assert_real(250.05, 25005);
	assert_real(0.01, 1);
	assert_real(0.05, 5);
	assert_real(0.1, 10);
	assert_real(0.3, 30);
	assert_real(1.1, 110);
	assert_real(1234567.89, 123456789);
	assert_real(1e10, 1000000000000); /* shortest form is "1e+10" */
	assert_real(120.0, 12000);	  /* shortest form is "1.2e+02" */
}
END_TEST

START_TEST(real_negative_zero_is_zero)
{
	assert_real(-0.0, 0);
}
END_TEST

START_TEST(real_rejects_extra_decimals)
{
	assert_real_rejected(19.999);
	assert_real_rejected(0.1 + 0.2); /* 0.30000000000000004 */
	assert_real_rejected(0.30000000000000004);
	assert_real_rejected(0.001);
	assert_real_rejected(0.005);
	assert_real_rejected(1.125);
	assert_real_rejected(1e-300);
	assert_real_rejected(5e-324); /* smallest subnormal */
	assert_real_rejected(2.2250738585072014e-308);
}
END_TEST

START_TEST(real_rejects_sign_and_specials)
{
	assert_real_rejected(-1.0);
	assert_real_rejected(-0.01);
	assert_real_rejected(-1e300);
	assert_real_rejected(NAN);
	assert_real_rejected(-NAN);
	assert_real_rejected(INFINITY);
	assert_real_rejected(-INFINITY);

	int64_t got = UNTOUCHED;
	ck_assert(!money_parse_real(1.0, NULL));
	ck_assert(got == UNTOUCHED);
}
END_TEST

START_TEST(real_cap)
{
	assert_real(1e11, MONEY_MAX_CENTS);
	assert_real(99999999999.99, MONEY_MAX_CENTS - 1);
	assert_real_rejected(100000000000.01);
	assert_real_rejected(1e11 + 1);
	assert_real_rejected(1e12);
	assert_real_rejected(1e300);
	assert_real_rejected(1.7976931348623157e308);
	assert_real_rejected(9.2233720368547758e18);
}
END_TEST

/* Every two-decimal amount that a client writes as a JSON number comes back exact. */
START_TEST(real_sweep_two_decimals)
{
	for (int64_t c = 0; c <= 200000; c++)
		assert_real((double)c / 100.0, c);
	for (int64_t c = MONEY_MAX_CENTS - 20000; c <= MONEY_MAX_CENTS; c++)
		assert_real((double)c / 100.0, c);
	for (int64_t c = 1; c <= MONEY_MAX_CENTS; c = c * 7 + 3)
		assert_real((double)c / 100.0, c);
}
END_TEST

START_TEST(real_sweep_three_decimals_rejected)
{
	for (int64_t m = 0; m < 20000; m++) {
		if (m % 10 == 0)
			continue;
		assert_real_rejected((double)m / 1000.0);
	}
}
END_TEST

/* --- money_format -------------------------------------------------------- */

START_TEST(format_values)
{
	assert_format(0, "0.00");
	assert_format(5, "0.05");
	assert_format(10, "0.10");
	assert_format(99, "0.99");
	assert_format(100, "1.00");
	assert_format(1999, "19.99");
	assert_format(25050, "250.50");
	assert_format(123456, "1234.56");
	assert_format(MONEY_MAX_CENTS, "100000000000.00");
}
END_TEST

START_TEST(format_negative)
{
	assert_format(-5, "-0.05");
	assert_format(-100, "-1.00");
	assert_format(-123456, "-1234.56");
}
END_TEST

START_TEST(format_extremes_fit)
{
	assert_format(INT64_MAX, "92233720368547758.07");
	assert_format(INT64_MIN, "-92233720368547758.08");
	char out[MONEY_TEXT_MAX];
	ck_assert_uint_lt(strlen(money_format(INT64_MIN, out)), MONEY_TEXT_MAX);
}
END_TEST

START_TEST(format_then_parse_round_trips)
{
	const int64_t values[] = {0, 1, 9, 10, 99, 100, 101, 12345, 25050, 999999, MONEY_MAX_CENTS};
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char out[MONEY_TEXT_MAX];
		int64_t back = UNTOUCHED;
		money_format(values[i], out);
		ck_assert_msg(parse(out, &back), "\"%s\" should parse", out);
		ck_assert(back == values[i]);
	}
}
END_TEST

static Suite *money_suite(void)
{
	Suite *s = suite_create("money");

	TCase *tc = tcase_create("parse_text");
	tcase_add_test(tc, text_whole_and_decimals);
	tcase_add_test(tc, text_leading_zeros_accepted);
	tcase_add_test(tc, text_rejects_malformed);
	tcase_add_test(tc, text_cap);
	tcase_add_test(tc, text_null_and_empty);
	tcase_add_test(tc, text_respects_len);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse_integer");
	tcase_add_test(tc, integer_units);
	tcase_add_test(tc, integer_rejects);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse_real");
	tcase_add_test(tc, real_common_values);
	tcase_add_test(tc, real_negative_zero_is_zero);
	tcase_add_test(tc, real_rejects_extra_decimals);
	tcase_add_test(tc, real_rejects_sign_and_specials);
	tcase_add_test(tc, real_cap);
	tcase_add_test(tc, real_sweep_two_decimals);
	tcase_add_test(tc, real_sweep_three_decimals_rejected);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_test(tc, format_values);
	tcase_add_test(tc, format_negative);
	tcase_add_test(tc, format_extremes_fit);
	tcase_add_test(tc, format_then_parse_round_trips);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(money_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
