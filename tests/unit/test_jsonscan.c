/* Unit tests for include/domain/jsonscan.h: what it counts, where it stops. */
#include <check.h>
#include <string.h>

#include "domain/jsonscan.h"

static json_scan_status scan(const char *s, size_t max_values, size_t max_depth,
			     struct json_scan *out)
{
	return json_scan(s, strlen(s), max_values, max_depth, out);
}

START_TEST(counts_every_kind_of_value_once)
{
	struct json_scan r;
	/* object, "a", [, 1, -2.5e3, "x", true, false, null, "b", {} : 11. */
	ck_assert_int_eq(
		scan("{\"a\": [1, -2.5e3, \"x\", true, false, null], \"b\": {}}", 100, 10, &r),
		JSON_SCAN_OK);
	ck_assert_uint_eq(r.values, 11);
	ck_assert_uint_eq(r.max_depth, 2);
}
END_TEST

START_TEST(brackets_and_quotes_inside_strings_are_text)
{
	struct json_scan r;
	ck_assert_int_eq(scan("[\"[[{{\", \"a\\\"]]\\\\\", \"}\"]", 100, 1, &r), JSON_SCAN_OK);
	ck_assert_uint_eq(r.values, 4);
	ck_assert_uint_eq(r.max_depth, 1);
}
END_TEST

START_TEST(stops_past_the_value_limit_where_it_is)
{
	struct json_scan r;
	ck_assert_int_eq(scan("[{},\n{},{}]", 3, 10, &r), JSON_SCAN_TOO_MANY);
	ck_assert_int_eq(r.line, 2);
	ck_assert_int_eq(r.column, 4);
	ck_assert_int_eq(scan("[{},{}]", 3, 10, &r), JSON_SCAN_OK);
}
END_TEST

START_TEST(stops_past_the_depth_limit)
{
	struct json_scan r;
	ck_assert_int_eq(scan("[[[]]]", 100, 2, &r), JSON_SCAN_TOO_DEEP);
	ck_assert_int_eq(r.column, 3);
	ck_assert_int_eq(scan("[[]] [[]]", 100, 2, &r), JSON_SCAN_OK);
}
END_TEST

START_TEST(numbers_that_underflow_to_zero)
{
	struct json_scan r;
	const char *under[] = {"[1E-400]", "[0.1e-330]", "{\"p\": 5e-999}", "[-1e-400]"};
	for (size_t i = 0; i < sizeof(under) / sizeof(under[0]); i++)
		ck_assert_msg(scan(under[i], 100, 10, &r) == JSON_SCAN_UNDERFLOW, "%s", under[i]);
	const char *fine[] = {"[0]",	"[0.0]",    "[0e-400]", "[-0]",	  "[1e-300]",
			      "[0.01]", "[1E+400]", "[123]",	"[1e308]"};
	for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++)
		ck_assert_msg(scan(fine[i], 100, 10, &r) == JSON_SCAN_OK, "%s", fine[i]);
}
END_TEST

START_TEST(a_long_number_is_read_whole)
{
	/* 0.000...01 with 500 zeros: longer than the scan's stack buffer. */
	char text[600] = "[0.";
	memset(text + 3, '0', 500);
	strcpy(text + 503, "1]");
	struct json_scan r;
	ck_assert_int_eq(scan(text, 100, 10, &r), JSON_SCAN_UNDERFLOW);
}
END_TEST

START_TEST(malformed_input_is_left_to_the_parser)
{
	struct json_scan r;
	ck_assert_int_eq(scan("]]]}}{\"unterminated", 100, 10, &r), JSON_SCAN_OK);
	ck_assert_int_eq(scan("", 100, 10, &r), JSON_SCAN_OK);
	ck_assert_uint_eq(r.values, 0);
	ck_assert_int_eq(json_scan("[1e-400]", 4, 100, 10, &r), JSON_SCAN_OK); /* cut at "[1e-" */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("jsonscan");
	TCase *tc = tcase_create("jsonscan");
	tcase_add_test(tc, counts_every_kind_of_value_once);
	tcase_add_test(tc, brackets_and_quotes_inside_strings_are_text);
	tcase_add_test(tc, stops_past_the_value_limit_where_it_is);
	tcase_add_test(tc, stops_past_the_depth_limit);
	tcase_add_test(tc, numbers_that_underflow_to_zero);
	tcase_add_test(tc, a_long_number_is_read_whole);
	tcase_add_test(tc, malformed_input_is_left_to_the_parser);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
