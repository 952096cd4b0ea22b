/*
 * Country and province codes; see include/domain/geo.h.
 *
 * Every table is kept sorted (strcmp order) for bsearch(); the unit tests
 * check each table exhaustively against an independent list, so an entry out
 * of order shows up there as a missing code.
 */
#include <stdlib.h>
#include <string.h>

#include "domain/geo.h"

#define PROVINCE_TEXT_MAX 32

typedef char code2[3];

/*
 * ISO 3166-1 alpha-2, officially assigned codes only (249, as published by
 * the ISO 3166 Maintenance Agency and shipped in Debian's iso-codes).
 * Reserved and user-assigned codes such as EU, UK, AC or XK are not here.
 */
static const code2 countries[] = {
	"AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX",
	"AZ", "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ",
	"BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK",
	"CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM",
	"DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR",
	"GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS",
	"GT", "GU", "GW", "GY", "HK", "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN",
	"IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN",
	"KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV",
	"LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ",
	"MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI",
	"NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM",
	"PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW", "SA", "SB", "SC",
	"SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST", "SV",
	"SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR",
	"TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
	"VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
};

/*
 * USPS codes: the 50 states, DC, the inhabited territories (AS GU MP PR VI),
 * the freely associated states USPS delivers to (FM MH PW) and the military
 * "states" AA, AE, AP. UM has no USPS code and no civilian mail.
 */
static const code2 us_provinces[] = {
	"AA", "AE", "AK", "AL", "AP", "AR", "AS", "AZ", "CA", "CO", "CT", "DC", "DE",
	"FL", "FM", "GA", "GU", "HI", "IA", "ID", "IL", "IN", "KS", "KY", "LA", "MA",
	"MD", "ME", "MH", "MI", "MN", "MO", "MP", "MS", "MT", "NC", "ND", "NE", "NH",
	"NJ", "NM", "NV", "NY", "OH", "OK", "OR", "PA", "PR", "PW", "RI", "SC", "SD",
	"TN", "TX", "UT", "VA", "VI", "VT", "WA", "WI", "WV", "WY",
};

/* Canada: 10 provinces and 3 territories, Canada Post codes. */
static const code2 ca_provinces[] = {
	"AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT",
};

struct province_table {
	const char *country;
	const code2 *codes;
	size_t count;
};

static const struct province_table province_tables[] = {
	{"CA", ca_provinces, sizeof(ca_provinces) / sizeof(ca_provinces[0])},
	{"US", us_provinces, sizeof(us_provinces) / sizeof(us_provinces[0])},
};

static int compare_code(const void *key, const void *elem)
{
	return strcmp(key, elem);
}

/*
 * Only exactly two upper-case ASCII letters can be in any table; checking
 * the shape first also keeps the search from comparing long strings.
 */
static bool in_table(const char *code, const code2 *table, size_t count)
{
	if (code == NULL)
		return false;
	for (size_t i = 0; i < 2; i++) {
		if (code[i] < 'A' || code[i] > 'Z')
			return false;
	}
	if (code[2] != '\0')
		return false;
	return bsearch(code, table, count, sizeof(table[0]), compare_code) != NULL;
}

static const struct province_table *provinces_of(const char *country)
{
	if (country == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(province_tables) / sizeof(province_tables[0]); i++) {
		if (strcmp(country, province_tables[i].country) == 0)
			return &province_tables[i];
	}
	return NULL;
}

bool geo_country_is_valid(const char *code)
{
	return in_table(code, countries, sizeof(countries) / sizeof(countries[0]));
}

bool geo_country_has_provinces(const char *country)
{
	return provinces_of(country) != NULL;
}

bool geo_province_is_valid(const char *country, const char *province)
{
	if (country == NULL || province == NULL)
		return false;
	const struct province_table *pt = provinces_of(country);
	if (pt != NULL)
		return in_table(province, pt->codes, pt->count);
	/* Free text elsewhere; strnlen stops early on an overlong string. */
	size_t len = strnlen(province, PROVINCE_TEXT_MAX + 1);
	return len > 0 && len <= PROVINCE_TEXT_MAX;
}
