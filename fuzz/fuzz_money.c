/*
 * Money: money_parse_text() on the raw input (it takes a length and must not
 * read past it; libFuzzer's buffer is exactly `size` bytes, so ASan sees any
 * over-read), checked against a reference reading of the documented grammar;
 * money_format() round trips; money_parse_real() on the input read as a JSON
 * number would be (strtod) and on its first 8 bytes as a double, agreeing
 * with the text reading.
 */
#include <math.h>
#include <stdbool.h>

#include "domain/money.h"
#include "fuzz_util.h"

/*
 * The grammar of include/domain/money.h, read independently: digits, then
 * optionally '.' and one or two digits, nothing else, at most
 * MONEY_MAX_CENTS. Returns true and the value in cents.
 */
static bool reference_parse(const uint8_t *s, size_t len, int64_t *cents)
{
	size_t i = 0;
	unsigned __int128 units = 0;
	while (i < len && s[i] >= '0' && s[i] <= '9') {
		if (units < ((unsigned __int128)1 << 100))
			units = units * 10 + (unsigned)(s[i] - '0');
		i++;
	}
	if (i == 0)
		return false;
	unsigned frac = 0;
	if (i < len && s[i] == '.') {
		i++;
		size_t start = i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		size_t n = i - start;
		if (n == 0 || n > 2)
			return false;
		frac = (unsigned)(s[start] - '0') * 10 +
		       (n == 2 ? (unsigned)(s[start + 1] - '0') : 0);
	}
	if (i != len)
		return false;
	unsigned __int128 total = units * 100 + frac;
	if (total > (unsigned __int128)MONEY_MAX_CENTS)
		return false;
	*cents = (int64_t)total;
	return true;
}

static void check_real(double value)
{
	int64_t cents = -1;
	if (!money_parse_real(value, &cents))
		return;
	FUZZ_CHECK(cents >= 0 && cents <= MONEY_MAX_CENTS);
	/* At most two decimals and within 10^11: value * 100 is that integer to well under 0.5. */
	FUZZ_CHECK(fabs(value * 100.0 - (double)cents) < 0.5);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t cents = -1, expected = -1;
	bool ok = money_parse_text((const char *)data, size, &cents);
	bool ref = reference_parse(data, size, &expected);
	FUZZ_CHECK(ok == ref);
	if (ok) {
		FUZZ_CHECK(cents == expected);
		FUZZ_CHECK(cents >= 0 && cents <= MONEY_MAX_CENTS);
		char text[MONEY_TEXT_MAX];
		money_format(cents, text);
		int64_t again = -1;
		FUZZ_CHECK(money_parse_text(text, strlen(text), &again));
		FUZZ_CHECK(again == cents);
	}

	/* The same text sent as a JSON number: jansson reads it with strtod. */
	char *text = fuzz_strndup(data, size);
	char *end = NULL;
	double value = strtod(text, &end);
	if (size > 0 && end == text + size) {
		check_real(value);
		if (ok) {
			/* "19.99" as a string and 19.99 as a number are the same amount. */
			int64_t from_real = -1;
			FUZZ_CHECK(money_parse_real(value, &from_real));
			FUZZ_CHECK(from_real == cents);
		}
	}
	free(text);

	if (size >= sizeof(double)) {
		double raw;
		memcpy(&raw, data, sizeof(raw));
		check_real(raw);
	}

	/* Every formatted amount, including negative ones, reads back when not negative. */
	if (size >= sizeof(int64_t)) {
		int64_t any;
		memcpy(&any, data, sizeof(any));
		char out[MONEY_TEXT_MAX];
		money_format(any, out);
		FUZZ_CHECK(strlen(out) < MONEY_TEXT_MAX);
		int64_t back = -1;
		if (any >= 0 && any <= MONEY_MAX_CENTS) {
			FUZZ_CHECK(money_parse_text(out, strlen(out), &back));
			FUZZ_CHECK(back == any);
		}
	}
	return 0;
}
