/*
 * Address codes: ISO 3166-1 alpha-2 country codes, and the province codes
 * validated for the countries where we know them (US states, districts and
 * territories with USPS codes incl. military AA/AE/AP; Canadian provinces and
 * territories). Codes are upper case; lookups are case-sensitive, so "us" is
 * not a country code.
 */
#ifndef DROPLINE_DOMAIN_GEO_H
#define DROPLINE_DOMAIN_GEO_H

#include <stdbool.h>

/* True when `code` is an assigned ISO 3166-1 alpha-2 code. */
bool geo_country_is_valid(const char *code);

/* True when province codes of `country` are known and validated. */
bool geo_country_has_provinces(const char *country);

/*
 * True when `province` is a valid code for `country`. For a country whose
 * provinces are not known (geo_country_has_provinces() false) any non-empty
 * text of at most 32 bytes is accepted.
 */
bool geo_province_is_valid(const char *country, const char *province);

#endif
