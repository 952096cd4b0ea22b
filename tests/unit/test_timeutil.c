/* Unit tests for include/domain/timeutil.h. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/timeutil.h"

#define UNTOUCHED     ((int64_t)-4242)
#define EPOCH_MAX     ((int64_t)253402300799) /* 9999-12-31T23:59:59Z */
#define EPOCH_EXAMPLE ((int64_t)1467800700)   /* 2016-07-06T10:25:00Z */

static void assert_parse(const char *s, int64_t want)
{
	int64_t got = UNTOUCHED;
	ck_assert_msg(time_parse_iso8601(s, strlen(s), &got), "\"%s\" should parse", s);
	ck_assert_msg(got == want, "\"%s\": got %lld, want %lld", s, (long long)got,
		      (long long)want);
}

static void assert_rejected(const char *s)
{
	int64_t got = UNTOUCHED;
	ck_assert_msg(!time_parse_iso8601(s, strlen(s), &got), "\"%s\" should be rejected", s);
	ck_assert_msg(got == UNTOUCHED, "\"%s\": rejected but wrote %lld", s, (long long)got);
}

static void assert_format(int64_t epoch, const char *want)
{
	char out[TIME_TEXT_MAX];
	memset(out, 'x', sizeof(out));
	ck_assert_ptr_eq(time_format_iso8601(epoch, out), out);
	ck_assert_str_eq(out, want);
}

static void assert_epoch(const char *s, int64_t want)
{
	int64_t got = UNTOUCHED;
	ck_assert_msg(time_parse_epoch(s, &got), "\"%s\" should parse", s);
	ck_assert_msg(got == want, "\"%s\": got %lld, want %lld", s, (long long)got,
		      (long long)want);
}

static void assert_epoch_rejected(const char *s)
{
	int64_t got = UNTOUCHED;
	ck_assert_msg(!time_parse_epoch(s, &got), "\"%s\" should be rejected", s);
	ck_assert(got == UNTOUCHED);
}

/* --- time_parse_iso8601: shapes ------------------------------------------ */

START_TEST(parse_all_shapes_agree)
{
	assert_parse("2016-07-06T10:25:00Z", EPOCH_EXAMPLE);
	assert_parse("2016-07-06T10:25:00", EPOCH_EXAMPLE);
	assert_parse("2016-07-06T10:25", EPOCH_EXAMPLE);
	assert_parse("2016-07-06T10:25Z", EPOCH_EXAMPLE);
	assert_parse("2016-07-06 10:25:00", EPOCH_EXAMPLE);
	assert_parse("2016-07-06 10:25", EPOCH_EXAMPLE);
	assert_parse("2016-07-06T10:25:00+00:00", EPOCH_EXAMPLE);
	assert_parse("2016-07-06T10:25:00-00:00", EPOCH_EXAMPLE);
	assert_parse("2016-07-06T10:25:00+0000", EPOCH_EXAMPLE);
	assert_parse("2016-07-06T10:25:00+00", EPOCH_EXAMPLE);
}
END_TEST

START_TEST(parse_fraction_dropped_not_rounded)
{
	assert_parse("2016-07-06T10:25:00.0Z", EPOCH_EXAMPLE);
	assert_parse("2016-07-06T10:25:00.5", EPOCH_EXAMPLE);
	assert_parse("2016-07-06T10:25:00.999999999Z", EPOCH_EXAMPLE);
	assert_parse("2016-07-06T10:25:59.999", EPOCH_EXAMPLE + 59);
	assert_parse("2016-07-06T12:25:00.75+02:00", EPOCH_EXAMPLE);

	/* However long, the fraction is skipped, not accumulated. */
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "2016-07-06T10:25:00.");
	memset(buf + n, '9', 200);
	strcpy(buf + n + 200, "Z");
	assert_parse(buf, EPOCH_EXAMPLE);
}
END_TEST

START_TEST(parse_known_instants)
{
	assert_parse("1970-01-01T00:00:00Z", 0);
	assert_parse("1970-01-01T00:00:01Z", 1);
	assert_parse("1970-01-02T00:00", 86400);
	assert_parse("1972-02-29T00:00:00Z", 68169600);
	assert_parse("2000-03-01T00:00:00Z", 951868800);
	assert_parse("2016-12-31T23:59:59Z", 1483228799);
	assert_parse("2017-01-01T00:00:00Z", 1483228800);
	assert_parse("2038-01-19T03:14:08Z", 2147483648); /* past 32-bit time_t */
	assert_parse("9999-12-31T23:59:59Z", EPOCH_MAX);
	assert_parse("9999-12-31T23:59:59.999Z", EPOCH_MAX);
}
END_TEST

/* --- time_parse_iso8601: calendar ---------------------------------------- */

START_TEST(parse_leap_years)
{
	assert_parse("2000-02-29T00:00:00Z", 951782400);   /* divisible by 400: leap */
	assert_parse("2024-02-29T12:00:00Z", 1709208000);  /* divisible by 4: leap */
	assert_parse("2400-02-29T00:00:00Z", 13574563200); /* divisible by 400: leap */
	assert_parse("2100-02-28T00:00:00Z", 4107456000);
	assert_parse("2100-03-01T00:00:00Z", 4107542400); /* right after Feb 28 */
	assert_rejected("2100-02-29T00:00:00Z");	  /* century, not /400 */
	assert_rejected("2200-02-29T00:00:00Z");
	assert_rejected("2300-02-29T00:00:00Z");
	assert_rejected("1900-02-29T00:00:00Z"); /* not leap, and before 1970 */
	assert_rejected("2023-02-29T00:00:00Z");
	assert_rejected("2024-02-30T00:00:00Z");
	assert_rejected("2000-02-30T00:00:00Z");
}
END_TEST

START_TEST(parse_day_of_month_limits)
{
	static const char *const ok[] = {
		"2024-01-31T00:00", "2024-03-31T00:00", "2024-04-30T00:00", "2024-05-31T00:00",
		"2024-06-30T00:00", "2024-07-31T00:00", "2024-08-31T00:00", "2024-09-30T00:00",
		"2024-10-31T00:00", "2024-11-30T00:00", "2024-12-31T00:00", "2023-02-28T00:00",
	};
	static const char *const bad[] = {
		"2024-04-31T00:00", "2024-06-31T00:00", "2024-09-31T00:00", "2024-11-31T00:00",
		"2024-01-32T00:00", "2024-12-32T00:00", "2024-01-00T00:00", "2024-00-10T00:00",
		"2024-13-01T00:00", "2024-99-01T00:00",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int64_t got;
		ck_assert_msg(time_parse_iso8601(ok[i], strlen(ok[i]), &got), "%s", ok[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_rejected(bad[i]);
}
END_TEST

START_TEST(parse_time_of_day_limits)
{
	assert_parse("2016-07-06T23:59:59Z", EPOCH_EXAMPLE - (10 * 3600 + 25 * 60) + 86399);
	assert_parse("2016-07-06T00:00:00Z", EPOCH_EXAMPLE - (10 * 3600 + 25 * 60));
	assert_rejected("2016-07-06T24:00:00Z");
	assert_rejected("2016-07-06T23:60:00Z");
	assert_rejected("2016-07-06T23:59:61Z");
	assert_rejected("2016-07-06T99:00Z");
}
END_TEST

START_TEST(parse_leap_second_reads_as_59)
{
	assert_parse("2016-12-31T23:59:60Z", 1483228799);
	assert_parse("2016-12-31T23:59:60.5Z", 1483228799);
}
END_TEST

START_TEST(parse_year_range)
{
	assert_rejected("1969-12-31T23:59:59Z");
	assert_rejected("1969-12-31T23:00:00-01:00"); /* 1970 in UTC, but the year field is out */
	assert_rejected("0000-01-01T00:00:00Z");
	assert_rejected("10000-01-01T00:00:00Z");
	assert_rejected("99999-12-31T00:00:00Z");
}
END_TEST

/* --- time_parse_iso8601: offsets ----------------------------------------- */

START_TEST(parse_offsets)
{
	assert_parse("2016-07-06T12:25:00+02:00", EPOCH_EXAMPLE);
	assert_parse("2016-07-06T12:25:00+0200", EPOCH_EXAMPLE);
	assert_parse("2016-07-06T12:25:00+02", EPOCH_EXAMPLE);
	assert_parse("2016-07-06T12:25+02:00", EPOCH_EXAMPLE);
	assert_parse("2016-07-06T05:25:00-05:00", EPOCH_EXAMPLE);
	assert_parse("2016-07-06T05:25-05", EPOCH_EXAMPLE);
	assert_parse("2016-07-06T15:55:00+05:30", EPOCH_EXAMPLE);
	assert_parse("2016-07-06T15:55:00+0530", EPOCH_EXAMPLE);
	assert_parse("2016-07-06T06:55:00-03:30", EPOCH_EXAMPLE);
	assert_parse("2016-07-07T10:24:00+23:59", EPOCH_EXAMPLE);
	assert_parse("2016-07-05T10:26:00-23:59", EPOCH_EXAMPLE);
}
END_TEST

START_TEST(parse_offsets_cross_midnight_and_year)
{
	/* Local next day, UTC previous day. */
	assert_parse("2016-07-07T01:00:00+05:00", 1467835200); /* 2016-07-06T20:00Z */
	/* Local previous day, UTC next day, across New Year. */
	assert_parse("2016-12-31T22:00:00-03:00", 1483232400); /* 2017-01-01T01:00Z */
	/* Local New Year, UTC still the old year. */
	assert_parse("2017-01-01T01:00:00+03:00", 1483221600); /* 2016-12-31T22:00Z */
	/* Across a leap day. */
	assert_parse("2024-03-01T01:00:00+02:00", 1709208000 + 11 * 3600); /* 2024-02-29T23:00Z */
}
END_TEST

START_TEST(parse_offset_result_in_range)
{
	assert_parse("1970-01-01T01:00:00+01:00", 0);
	assert_parse("1970-01-01T00:00:00-00:01", 60);
	assert_rejected("1970-01-01T00:00:00+00:01"); /* -60 */
	assert_rejected("1970-01-01T00:30:00+01:00");
	assert_rejected("1970-01-01T00:00+23:59");
	assert_parse("9999-12-31T23:59:59+00:01", EPOCH_MAX - 60);
	assert_rejected("9999-12-31T23:59:59-00:01"); /* year 10000 in UTC */
	assert_rejected("9999-12-31T20:00:00-05:00");
}
END_TEST

START_TEST(parse_offset_malformed)
{
	assert_rejected("2016-07-06T10:25:00+24:00");
	assert_rejected("2016-07-06T10:25:00+99");
	assert_rejected("2016-07-06T10:25:00+05:60");
	assert_rejected("2016-07-06T10:25:00+5:00");
	assert_rejected("2016-07-06T10:25:00+5");
	assert_rejected("2016-07-06T10:25:00+05:0");
	assert_rejected("2016-07-06T10:25:00+050");
	assert_rejected("2016-07-06T10:25:00+05:");
	assert_rejected("2016-07-06T10:25:00+");
	assert_rejected("2016-07-06T10:25:00-");
	assert_rejected("2016-07-06T10:25:00+05:00:00");
	assert_rejected("2016-07-06T10:25:00+05:00Z");
	assert_rejected("2016-07-06T10:25:00Z+05:00");
	assert_rejected("2016-07-06T10:25:00 +05:00");
	assert_rejected("2016-07-06T10:25:00UTC");
	assert_rejected("2016-07-06T10:25:00z");
}
END_TEST

/* --- time_parse_iso8601: malformed text ---------------------------------- */

START_TEST(parse_trailing_garbage)
{
	assert_rejected("2016-07-06T10:25:00Zx");
	assert_rejected("2016-07-06T10:25:00ZZ");
	assert_rejected("2016-07-06T10:25:00Z ");
	assert_rejected("2016-07-06T10:25:00 ");
	assert_rejected("2016-07-06T10:25 ");
	assert_rejected("2016-07-06T10:25:00\n");
	assert_rejected("2016-07-06T10:25:00+02:00 ");
	assert_rejected("2016-07-06T10:25:00.5.5");
	assert_rejected("2016-07-06T10:25:001");
}
END_TEST

START_TEST(parse_malformed)
{
	assert_rejected("");
	assert_rejected("2016");
	assert_rejected("2016-07-06");
	assert_rejected("2016-07-06T");
	assert_rejected("2016-07-06T10");
	assert_rejected("2016-07-06T10:");
	assert_rejected("2016-07-06T10:2");
	assert_rejected("2016-07-06T10:25:");
	assert_rejected("2016-07-06T10:25:0");
	assert_rejected("2016-07-06T10:25:00.");
	assert_rejected("2016-07-06T10:25.5");
	assert_rejected("2016-07-06T1025");
	assert_rejected("2016-7-6T10:25");
	assert_rejected("16-07-06T10:25");
	assert_rejected("2016/07/06T10:25");
	assert_rejected("20160706T102500Z");
	assert_rejected("2016-07-06t10:25");
	assert_rejected("2016-07-06_10:25");
	assert_rejected("2016-07-06  10:25");
	assert_rejected(" 2016-07-06T10:25");
	assert_rejected("+2016-07-06T10:25");
	assert_rejected("-2016-07-06T10:25");
	assert_rejected("2016-07-06T-1:25");
	assert_rejected("2016-07-06T+1:25");
	assert_rejected("2016-0a-06T10:25");
	assert_rejected("now");
}
END_TEST

START_TEST(parse_null_and_empty)
{
	int64_t got = UNTOUCHED;
	ck_assert(!time_parse_iso8601(NULL, 0, &got));
	ck_assert(!time_parse_iso8601(NULL, 20, &got));
	ck_assert(!time_parse_iso8601("2016-07-06T10:25:00Z", 0, &got));
	ck_assert(!time_parse_iso8601("2016-07-06T10:25:00Z", 20, NULL));
	ck_assert(got == UNTOUCHED);
}
END_TEST

START_TEST(parse_respects_len)
{
	int64_t got = UNTOUCHED;
	const char *s = "2016-07-06T12:25:00+02:00garbage";
	ck_assert(time_parse_iso8601(s, 25, &got)); /* "...+02:00" */
	ck_assert(got == EPOCH_EXAMPLE);
	got = UNTOUCHED;
	ck_assert(time_parse_iso8601(s, 22, &got)); /* "...+02" */
	ck_assert(got == EPOCH_EXAMPLE);
	got = UNTOUCHED;
	ck_assert(!time_parse_iso8601(s, 23, &got)); /* "...+02:" */
	ck_assert(!time_parse_iso8601(s, 24, &got)); /* "...+02:0" */
	ck_assert(!time_parse_iso8601(s, 26, &got)); /* "...+02:00g" */
	ck_assert(got == UNTOUCHED);
	ck_assert(time_parse_iso8601(s, 16, &got)); /* "2016-07-06T12:25" */
	ck_assert(got == EPOCH_EXAMPLE + 7200);
	got = UNTOUCHED;
	ck_assert(!time_parse_iso8601(s, 15, &got));
	ck_assert(!time_parse_iso8601(s, 10, &got));
	ck_assert(got == UNTOUCHED);

	/* Exact-size buffers with no NUL: ASan reports any read past them. */
	const char exact[16] = {'2', '0', '1', '6', '-', '0', '7', '-',
				'0', '6', 'T', '1', '0', ':', '2', '5'};
	ck_assert(time_parse_iso8601(exact, sizeof(exact), &got));
	ck_assert(got == EPOCH_EXAMPLE);
	const char cut_fraction[20] = {'2', '0', '1', '6', '-', '0', '7', '-', '0', '6',
				       'T', '1', '0', ':', '2', '5', ':', '0', '0', '.'};
	got = UNTOUCHED;
	ck_assert(!time_parse_iso8601(cut_fraction, sizeof(cut_fraction), &got));
	const char cut_offset[20] = {'2', '0', '1', '6', '-', '0', '7', '-', '0', '6',
				     'T', '1', '0', ':', '2', '5', ':', '0', '0', '+'};
	ck_assert(!time_parse_iso8601(cut_offset, sizeof(cut_offset), &got));
	ck_assert(got == UNTOUCHED);

	/* An embedded NUL inside `len` is a stray byte, not an end. */
	ck_assert(!time_parse_iso8601("2016-07-06T10:25\0", 17, &got));
	ck_assert(!time_parse_iso8601("2016-07-06T10:25:00Z\0", 21, &got));
	ck_assert(got == UNTOUCHED);
}
END_TEST

/* --- time_format_iso8601 ------------------------------------------------- */

START_TEST(format_known_instants)
{
	assert_format(0, "1970-01-01T00:00:00Z");
	assert_format(1, "1970-01-01T00:00:01Z");
	assert_format(86399, "1970-01-01T23:59:59Z");
	assert_format(EPOCH_EXAMPLE, "2016-07-06T10:25:00Z");
	assert_format(951782400, "2000-02-29T00:00:00Z");
	assert_format(951868800, "2000-03-01T00:00:00Z");
	assert_format(1709208000, "2024-02-29T12:00:00Z");
	assert_format(4107542400, "2100-03-01T00:00:00Z");
	assert_format(1483228799, "2016-12-31T23:59:59Z");
	assert_format(1483228800, "2017-01-01T00:00:00Z");
	assert_format(2147483648, "2038-01-19T03:14:08Z");
	assert_format(EPOCH_MAX, "9999-12-31T23:59:59Z");
}
END_TEST

START_TEST(format_out_of_range)
{
	char out[TIME_TEXT_MAX];
	ck_assert_ptr_null(time_format_iso8601(-1, out));
	ck_assert_ptr_null(time_format_iso8601(EPOCH_MAX + 1, out));
	ck_assert_ptr_null(time_format_iso8601(INT64_MIN, out));
	ck_assert_ptr_null(time_format_iso8601(INT64_MAX, out));
}
END_TEST

/*
 * Walks every day from 1970 to 9999 with a plain calendar counter written
 * independently here, and checks both directions against it at a time of
 * day that changes from day to day.
 */
START_TEST(format_and_parse_every_day)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y = 1970, m = 1, d = 1;
	int64_t day = 0;
	for (;;) {
		int64_t secs = (day * 7919) % 86400;
		int64_t t = day * 86400 + secs;
		char want[64]; /* roomier than needed: gcc cannot see y <= 9999 */
		snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d,
			 (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));

		/*
		 * Plain ifs: every ck_assert records its location through
		 * Check's pipe, which would dominate three million rounds.
		 */
		char out[TIME_TEXT_MAX];
		if (time_format_iso8601(t, out) == NULL)
			ck_abort_msg("day %lld: not formatted", (long long)day);
		if (strcmp(out, want) != 0)
			ck_abort_msg("day %lld: formatted %s, want %s", (long long)day, out, want);
		int64_t back = UNTOUCHED;
		if (!time_parse_iso8601(want, strlen(want), &back) || back != t)
			ck_abort_msg("%s: parsed %lld, want %lld", want, (long long)back,
				     (long long)t);

		if (y == 9999 && m == 12 && d == 31)
			break;
		bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
		int last = m == 2 && leap ? 29 : mdays[m - 1];
		if (++d > last) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
		day++;
	}
	ck_assert_int_eq(day, 2932896); /* days from 1970-01-01 to 9999-12-31 */
}
END_TEST

/* --- time_parse_epoch ---------------------------------------------------- */

START_TEST(epoch_accepts)
{
	assert_epoch("0", 0);
	assert_epoch("1", 1);
	assert_epoch("1467800700", EPOCH_EXAMPLE);
	assert_epoch("-1", -1);
	assert_epoch("-0", 0);
	assert_epoch("007", 7);
	assert_epoch("123456789012345678", 123456789012345678);
	assert_epoch("999999999999999999", 999999999999999999);
	assert_epoch("-999999999999999999", -999999999999999999);
	assert_epoch("000000000000000001", 1);
}
END_TEST

START_TEST(epoch_rejects)
{
	assert_epoch_rejected("");
	assert_epoch_rejected("-");
	assert_epoch_rejected("--1");
	assert_epoch_rejected("+1");
	assert_epoch_rejected(" 1");
	assert_epoch_rejected("1 ");
	assert_epoch_rejected("1a");
	assert_epoch_rejected("1.5");
	assert_epoch_rejected("1e3");
	assert_epoch_rejected("0x10");
	assert_epoch_rejected("1234567890123456789"); /* 19 digits */
	assert_epoch_rejected("0000000000000000001"); /* 19 digits, even if small */
	assert_epoch_rejected("9223372036854775807");
	assert_epoch_rejected("99999999999999999999999");
	assert_epoch_rejected("-1234567890123456789");
	assert_epoch_rejected("2016-07-06T10:25:00Z");

	int64_t got = UNTOUCHED;
	ck_assert(!time_parse_epoch(NULL, &got));
	ck_assert(!time_parse_epoch("1", NULL));
	ck_assert(got == UNTOUCHED);
}
END_TEST

/* --- time_now ------------------------------------------------------------ */

START_TEST(now_is_wall_clock)
{
	int64_t before = (int64_t)time(NULL);
	int64_t now = time_now();
	int64_t after = (int64_t)time(NULL);
	ck_assert(now >= before - 1 && now <= after + 1);
	ck_assert(now > 1600000000); /* 2020: any real clock is past this */
	char out[TIME_TEXT_MAX];
	ck_assert_ptr_nonnull(time_format_iso8601(now, out));
}
END_TEST

static Suite *timeutil_suite(void)
{
	Suite *s = suite_create("timeutil");

	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, parse_all_shapes_agree);
	tcase_add_test(tc, parse_fraction_dropped_not_rounded);
	tcase_add_test(tc, parse_known_instants);
	tcase_add_test(tc, parse_leap_years);
	tcase_add_test(tc, parse_day_of_month_limits);
	tcase_add_test(tc, parse_time_of_day_limits);
	tcase_add_test(tc, parse_leap_second_reads_as_59);
	tcase_add_test(tc, parse_year_range);
	tcase_add_test(tc, parse_offsets);
	tcase_add_test(tc, parse_offsets_cross_midnight_and_year);
	tcase_add_test(tc, parse_offset_result_in_range);
	tcase_add_test(tc, parse_offset_malformed);
	tcase_add_test(tc, parse_trailing_garbage);
	tcase_add_test(tc, parse_malformed);
	tcase_add_test(tc, parse_null_and_empty);
	tcase_add_test(tc, parse_respects_len);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	/* The every-day walk takes a few seconds under sanitizers. */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, format_known_instants);
	tcase_add_test(tc, format_out_of_range);
	tcase_add_test(tc, format_and_parse_every_day);
	suite_add_tcase(s, tc);

	tc = tcase_create("epoch_and_now");
	tcase_add_test(tc, epoch_accepts);
	tcase_add_test(tc, epoch_rejects);
	tcase_add_test(tc, now_is_wall_clock);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(timeutil_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
