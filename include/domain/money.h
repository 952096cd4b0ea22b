/*
 * Money: exact amounts in integer minor units (cents), never floating point.
 *
 * Responses carry money as a decimal string with two places ("250.00").
 * Requests may send a string or a JSON number with at most two decimals,
 * never negative. Amounts are capped at MONEY_MAX_CENTS so that a price times
 * a quantity of up to MONEY_MAX_QUANTITY cannot overflow int64.
 */
#ifndef DROPLINE_DOMAIN_MONEY_H
#define DROPLINE_DOMAIN_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 10^13 cents = 100 billion in major units: far above any order line. */
#define MONEY_MAX_CENTS ((int64_t)10000000000000)
/* Largest quantity on one line; keeps cents * quantity within int64. */
#define MONEY_MAX_QUANTITY ((int64_t)100000)

/* Longest text money_format() writes, with its terminating NUL. */
#define MONEY_TEXT_MAX 24

/*
 * money_parse_text() parses a decimal string such as "250", "250.5", "250.00"
 * into cents. Accepted: digits, optionally '.' followed by one or two digits.
 * Rejected: empty text, signs, exponents, spaces, more than two decimals,
 * leading '.', trailing '.', values above MONEY_MAX_CENTS.
 * Returns true and sets *cents on success; false leaves *cents untouched.
 * `len` is the text length: the text need not be NUL-terminated.
 */
bool money_parse_text(const char *text, size_t len, int64_t *cents);

/*
 * money_parse_integer() and money_parse_real() accept a JSON number as
 * jansson read it. An integer is whole units. A real is accepted only when it has at most two
 * decimals when read back from its shortest decimal form (so 19.99 is 1999 cents and 19.999 is
 * rejected), is finite, non-negative and at most MONEY_MAX_CENTS.
 */
bool money_parse_integer(int64_t units, int64_t *cents);
bool money_parse_real(double value, int64_t *cents);

/*
 * money_format() writes cents as "123.45" into out (at least MONEY_TEXT_MAX
 * bytes). Negative amounts are written with a leading '-'. Returns out.
 */
char *money_format(int64_t cents, char out[MONEY_TEXT_MAX]);

#endif
