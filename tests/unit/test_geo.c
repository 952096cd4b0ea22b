/* Unit tests for include/domain/geo.h. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "domain/geo.h"

/*
 * Expected code lists, written out here independently of src/domain/geo.c
 * so that a missing, extra or misplaced (unsorted) entry there fails a test.
 */
static const char iso_countries[] =
	"AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ "
	"BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ "
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ "
	"DE DJ DK DM DO DZ "
	"EC EE EG EH ER ES ET "
	"FI FJ FK FM FO FR "
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY "
	"HK HM HN HR HT HU "
	"ID IE IL IM IN IO IQ IR IS IT "
	"JE JM JO JP "
	"KE KG KH KI KM KN KP KR KW KY KZ "
	"LA LB LC LI LK LR LS LT LU LV LY "
	"MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ "
	"NA NC NE NF NG NI NL NO NP NR NU NZ "
	"OM "
	"PA PE PF PG PH PK PL PM PN PR PS PT PW PY "
	"QA "
	"RE RO RS RU RW "
	"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ "
	"TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ "
	"UA UG UM US UY UZ "
	"VA VC VE VG VI VN VU "
	"WF WS "
	"YE YT "
	"ZA ZM ZW";

/* Listed by kind, not alphabetically, to be checked against as a set. */
static const char us_codes[] =
	/* 50 states */
	"AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD "
	"MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC "
	"SD TN TX UT VT VA WA WV WI WY "
	/* district, territories, freely associated states, military */
	"DC AS GU MP PR VI FM MH PW AA AE AP";

static const char ca_codes[] = "AB BC MB NB NL NS NT NU ON PE QC SK YT";

/* True when the two letters of `code` appear as a word in `list`. */
static bool listed(const char *list, const char code[3])
{
	for (const char *p = list; *p != '\0'; p += p[2] == ' ' ? 3 : 2) {
		if (p[0] == code[0] && p[1] == code[1])
			return true;
	}
	return false;
}

static size_t count_listed(const char *list)
{
	return (strlen(list) + 1) / 3;
}

/* --- geo_country_is_valid ------------------------------------------------ */

START_TEST(country_every_two_letter_code)
{
	size_t valid = 0;
	for (char a = 'A'; a <= 'Z'; a++) {
		for (char b = 'A'; b <= 'Z'; b++) {
			const char code[3] = {a, b, '\0'};
			bool want = listed(iso_countries, code);
			if (geo_country_is_valid(code) != want)
				ck_abort_msg("%s: got %d, want %d", code, !want, want);
			if (want)
				valid++;
		}
	}
	ck_assert_uint_eq(count_listed(iso_countries), 249);
	ck_assert_uint_eq(valid, 249);
}
END_TEST

START_TEST(country_common_codes)
{
	ck_assert(geo_country_is_valid("US"));
	ck_assert(geo_country_is_valid("CA"));
	ck_assert(geo_country_is_valid("GB"));
	ck_assert(geo_country_is_valid("DE"));
	ck_assert(geo_country_is_valid("AD")); /* first in the table */
	ck_assert(geo_country_is_valid("ZW")); /* last in the table */
	ck_assert(geo_country_is_valid("SS")); /* South Sudan, 2011 */
	ck_assert(geo_country_is_valid("BQ"));
	ck_assert(geo_country_is_valid("CW"));
	ck_assert(geo_country_is_valid("SX"));
}
END_TEST

START_TEST(country_reserved_codes_rejected)
{
	ck_assert(!geo_country_is_valid("UK")); /* exceptionally reserved; GB is assigned */
	ck_assert(!geo_country_is_valid("EU"));
	ck_assert(!geo_country_is_valid("AC"));
	ck_assert(!geo_country_is_valid("XK")); /* Kosovo: user-assigned, not official */
	ck_assert(!geo_country_is_valid("AN")); /* Netherlands Antilles, withdrawn 2010 */
	ck_assert(!geo_country_is_valid("YU"));
	ck_assert(!geo_country_is_valid("ZZ"));
	ck_assert(!geo_country_is_valid("AA"));
}
END_TEST

START_TEST(country_case_and_shape)
{
	ck_assert(!geo_country_is_valid("us"));
	ck_assert(!geo_country_is_valid("Us"));
	ck_assert(!geo_country_is_valid("uS"));
	ck_assert(!geo_country_is_valid(NULL));
	ck_assert(!geo_country_is_valid(""));
	ck_assert(!geo_country_is_valid("U"));
	ck_assert(!geo_country_is_valid("USA"));
	ck_assert(!geo_country_is_valid("US "));
	ck_assert(!geo_country_is_valid(" US"));
	ck_assert(!geo_country_is_valid("U S"));
	ck_assert(!geo_country_is_valid("840"));
	ck_assert(!geo_country_is_valid("\xc3\x9c"));
	ck_assert(!geo_country_is_valid("U\xff"));
}
END_TEST

/* --- geo_country_has_provinces ------------------------------------------- */

START_TEST(has_provinces)
{
	ck_assert(geo_country_has_provinces("US"));
	ck_assert(geo_country_has_provinces("CA"));
	ck_assert(!geo_country_has_provinces("MX"));
	ck_assert(!geo_country_has_provinces("GB"));
	ck_assert(
		!geo_country_has_provinces("PR")); /* a US state code, but as a country free text */
	ck_assert(!geo_country_has_provinces("us"));
	ck_assert(!geo_country_has_provinces("ca"));
	ck_assert(!geo_country_has_provinces("USA"));
	ck_assert(!geo_country_has_provinces(""));
	ck_assert(!geo_country_has_provinces(NULL));
}
END_TEST

/* --- geo_province_is_valid ----------------------------------------------- */

static void check_every_code(const char *country, const char *list, size_t want_count)
{
	size_t valid = 0;
	for (char a = 'A'; a <= 'Z'; a++) {
		for (char b = 'A'; b <= 'Z'; b++) {
			const char code[3] = {a, b, '\0'};
			bool want = listed(list, code);
			if (geo_province_is_valid(country, code) != want)
				ck_abort_msg("%s-%s: got %d, want %d", country, code, !want, want);
			if (want)
				valid++;
		}
	}
	ck_assert_uint_eq(count_listed(list), want_count);
	ck_assert_uint_eq(valid, want_count);
}

START_TEST(us_every_two_letter_code)
{
	check_every_code("US", us_codes, 62);
}
END_TEST

START_TEST(us_codes_by_name)
{
	ck_assert(geo_province_is_valid("US", "NY"));
	ck_assert(geo_province_is_valid("US", "CA"));
	ck_assert(geo_province_is_valid("US", "DC"));
	ck_assert(geo_province_is_valid("US", "PR"));
	ck_assert(geo_province_is_valid("US", "AE"));
	ck_assert(!geo_province_is_valid("US", "UM")); /* no USPS code */
	ck_assert(!geo_province_is_valid("US", "ny"));
	ck_assert(!geo_province_is_valid("US", "New York"));
	ck_assert(!geo_province_is_valid("US", "NYC"));
	ck_assert(!geo_province_is_valid("US", "US-NY"));
	ck_assert(!geo_province_is_valid("US", "NY "));
	ck_assert(!geo_province_is_valid("US", ""));
	ck_assert(!geo_province_is_valid("US", NULL));
}
END_TEST

START_TEST(ca_every_two_letter_code)
{
	check_every_code("CA", ca_codes, 13);
}
END_TEST

START_TEST(ca_codes_by_name)
{
	ck_assert(geo_province_is_valid("CA", "ON"));
	ck_assert(geo_province_is_valid("CA", "QC"));
	ck_assert(geo_province_is_valid("CA", "NU"));
	ck_assert(!geo_province_is_valid("CA", "PQ")); /* Quebec's pre-1990s code */
	ck_assert(!geo_province_is_valid("CA", "NF")); /* Newfoundland's before 2002 */
	ck_assert(!geo_province_is_valid("CA", "YK"));
	ck_assert(!geo_province_is_valid("CA", "NY")); /* a US code is not Canadian */
	ck_assert(!geo_province_is_valid("CA", "on"));
	ck_assert(!geo_province_is_valid("CA", "Ontario"));
	ck_assert(!geo_province_is_valid("CA", ""));
}
END_TEST

START_TEST(other_countries_free_text)
{
	ck_assert(geo_province_is_valid("GB", "Greater London"));
	ck_assert(geo_province_is_valid("FR", "\xc3\x8ele-de-France")); /* UTF-8 */
	ck_assert(geo_province_is_valid("DE", "BY"));
	ck_assert(geo_province_is_valid("MX", "x"));
	/* Not a US code, and MX is not validated: free text is accepted. */
	ck_assert(geo_province_is_valid("MX", "ZZ"));
	/* Only emptiness and length are judged, not content. */
	ck_assert(geo_province_is_valid("GB", " "));
	ck_assert(!geo_province_is_valid("GB", ""));
	ck_assert(!geo_province_is_valid("GB", NULL));
}
END_TEST

START_TEST(other_countries_length_limit)
{
	char buf[40];
	memset(buf, 'x', sizeof(buf));
	buf[32] = '\0';
	ck_assert(geo_province_is_valid("GB", buf));
	buf[32] = 'x';
	buf[33] = '\0';
	ck_assert(!geo_province_is_valid("GB", buf));

	/* 32 bytes, fewer characters: the limit counts bytes. */
	const char *e_acute = "\xc3\xa9";
	char utf8[64] = "";
	for (int i = 0; i < 16; i++)
		strcat(utf8, e_acute);
	ck_assert(geo_province_is_valid("FR", utf8));
	strcat(utf8, "x");
	ck_assert(!geo_province_is_valid("FR", utf8));

	size_t big = 100000;
	char *huge = malloc(big + 1);
	ck_assert_ptr_nonnull(huge);
	memset(huge, 'y', big);
	huge[big] = '\0';
	ck_assert(!geo_province_is_valid("GB", huge));
	free(huge);
}
END_TEST

START_TEST(country_not_checked_by_province)
{
	/*
	 * Country validity is geo_country_is_valid()'s job: an unknown or
	 * lower-case country has no known provinces, so the text is free.
	 */
	ck_assert(geo_province_is_valid("XX", "Anywhere"));
	ck_assert(geo_province_is_valid("us", "Anywhere"));
	ck_assert(!geo_province_is_valid(NULL, "NY"));
}
END_TEST

static Suite *geo_suite(void)
{
	Suite *s = suite_create("geo");

	TCase *tc = tcase_create("country");
	tcase_add_test(tc, country_every_two_letter_code);
	tcase_add_test(tc, country_common_codes);
	tcase_add_test(tc, country_reserved_codes_rejected);
	tcase_add_test(tc, country_case_and_shape);
	tcase_add_test(tc, has_provinces);
	suite_add_tcase(s, tc);

	tc = tcase_create("province");
	tcase_add_test(tc, us_every_two_letter_code);
	tcase_add_test(tc, us_codes_by_name);
	tcase_add_test(tc, ca_every_two_letter_code);
	tcase_add_test(tc, ca_codes_by_name);
	tcase_add_test(tc, other_countries_free_text);
	tcase_add_test(tc, other_countries_length_limit);
	tcase_add_test(tc, country_not_checked_by_province);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(geo_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
