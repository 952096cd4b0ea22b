/* Money in integer cents; see include/domain/money.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "domain/money.h"

#define MAX_UNITS (MONEY_MAX_CENTS / 100)

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool money_parse_text(const char *text, size_t len, int64_t *cents)
{
	if (text == NULL || cents == NULL || len == 0)
		return false;

	size_t i = 0;
	int64_t units = 0;
	while (i < len && is_digit(text[i])) {
		/*
		 * Stop as soon as the whole part alone is over the cap: the
		 * accumulator then never exceeds ten times the cap, far from the
		 * int64 limit however many digits arrive.
		 */
		units = units * 10 + (text[i] - '0');
		if (units > MAX_UNITS)
			return false;
		i++;
	}
	if (i == 0)
		return false; /* empty whole part: ".5", "-1", " 1", "" */

	int64_t frac = 0;
	if (i < len && text[i] == '.') {
		i++;
		size_t start = i;
		while (i < len && is_digit(text[i]) && i - start < 2) {
			frac = frac * 10 + (text[i] - '0');
			i++;
		}
		size_t ndigits = i - start;
		if (ndigits == 0)
			return false; /* "1." */
		if (ndigits == 1)
			frac *= 10; /* "250.5" is fifty cents */
	}
	if (i != len)
		return false; /* third decimal, exponent, sign, space, anything else */

	int64_t total = units * 100 + frac;
	if (total > MONEY_MAX_CENTS)
		return false;
	*cents = total;
	return true;
}

bool money_parse_integer(int64_t units, int64_t *cents)
{
	if (cents == NULL || units < 0 || units > MAX_UNITS)
		return false;
	*cents = units * 100;
	return true;
}

/*
 * Writes the shortest "%.*e" text of value that strtod reads back as the
 * same double. Exponent notation (rather than %g) gives one fixed shape to
 * take apart, whatever the magnitude.
 */
static void shortest_exp_text(double value, char *buf, size_t size)
{
	/* 17 significant digits (precision 16) always round-trip a double. */
	for (int prec = 0; prec < 16; prec++) {
		snprintf(buf, size, "%.*e", prec, value);
		if (strtod(buf, NULL) == value)
			return;
	}
	snprintf(buf, size, "%.*e", 16, value);
}

bool money_parse_real(double value, int64_t *cents)
{
	if (cents == NULL || !isfinite(value) || value < 0)
		return false;
	if (value == 0) {
		/* -0.0 compares equal to 0 and is taken as zero, not as a sign. */
		*cents = 0;
		return true;
	}
	/*
	 * Anything above the cap is rejected here, which also bounds the
	 * decimal exponent below so the plain text built later stays short.
	 */
	if (value > (double)MAX_UNITS) /* NOLINT(bugprone-integer-division): exact, 10^11 */
		return false;

	char exp_text[64];
	shortest_exp_text(value, exp_text, sizeof(exp_text));

	/*
	 * exp_text is "d[<point>ddd]e<sign>dd". The decimal point is whatever
	 * the locale says, so collect digits rather than look for '.'.
	 */
	char digits[24];
	size_t ndigits = 0;
	const char *p = exp_text;
	for (; *p != '\0' && *p != 'e' && *p != 'E'; p++) {
		if (is_digit(*p) && ndigits < sizeof(digits))
			digits[ndigits++] = *p;
	}
	if (*p == '\0' || ndigits == 0)
		return false;
	long exponent = strtol(p + 1, NULL, 10);

	/* A shortest form has no trailing zeros, but do not rely on it. */
	while (ndigits > 1 && digits[ndigits - 1] == '0')
		ndigits--;

	/*
	 * value = d1.d2d3... * 10^exponent, so the digits after the point
	 * number (ndigits - 1 - exponent). More than two is a rejection by
	 * the text rules; deciding it now keeps tiny values such as 1e-300
	 * from asking for hundreds of zeros.
	 */
	long decimals = (long)ndigits - 1 - exponent;
	if (decimals > 2)
		return false;

	/*
	 * Plain decimal text: exponent is at most 11 here (value <= 1e11)
	 * and at least -2 (decimals <= 2 with one digit), so 32 bytes hold it.
	 */
	char plain[32];
	size_t n = 0;
	if (exponent < 0) {
		plain[n++] = '0';
		plain[n++] = '.';
		for (long z = -1; z > exponent; z--)
			plain[n++] = '0';
		for (size_t k = 0; k < ndigits; k++)
			plain[n++] = digits[k];
	} else {
		size_t whole = (size_t)exponent + 1;
		for (size_t k = 0; k < whole; k++)
			plain[n++] = (char)(k < ndigits ? digits[k] : '0');
		if (ndigits > whole) {
			plain[n++] = '.';
			for (size_t k = whole; k < ndigits; k++)
				plain[n++] = digits[k];
		}
	}
	return money_parse_text(plain, n, cents);
}

char *money_format(int64_t cents, char out[MONEY_TEXT_MAX])
{
	/* Unsigned magnitude so INT64_MIN does not overflow when negated. */
	uint64_t mag = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
	char tmp[MONEY_TEXT_MAX];
	size_t n = 0;

	tmp[n++] = (char)('0' + mag % 10);
	mag /= 10;
	tmp[n++] = (char)('0' + mag % 10);
	mag /= 10;
	tmp[n++] = '.';
	do {
		tmp[n++] = (char)('0' + mag % 10);
		mag /= 10;
	} while (mag != 0);
	if (cents < 0)
		tmp[n++] = '-';

	/* At most 19 digits + '.' + '-' = 22 bytes, inside MONEY_TEXT_MAX. */
	size_t k = 0;
	while (n > 0)
		out[k++] = tmp[--n];
	out[k] = '\0';
	return out;
}
