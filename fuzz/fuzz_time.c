/*
 * Time: time_parse_iso8601() on the raw input (length-bounded: ASan sees any
 * read past it), checked against an independent reading of the documented
 * grammar computed with timegm(); a parsed time always formats and the
 * formatted text reads back to the same instant. time_parse_epoch() on the
 * input as a C string, checked against its grammar (-?[0-9]{1,18}) and strtoll.
 */
#include <stdbool.h>
#include <time.h>

#include "domain/timeutil.h"
#include "fuzz_util.h"

static bool digits_at(const uint8_t *s, size_t len, size_t pos, size_t n, int *out)
{
	if (pos + n > len)
		return false;
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[pos + i] < '0' || s[pos + i] > '9')
			return false;
		v = v * 10 + (s[pos + i] - '0');
	}
	*out = v;
	return true;
}

static bool leap(int y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

/* The grammar of include/domain/timeutil.h, read on its own, with timegm() for the arithmetic. */
static bool reference_parse(const uint8_t *s, size_t len, int64_t *epoch)
{
	int y, mo, d, h, mi, sec = 0, oh = 0, om = 0;
	if (!digits_at(s, len, 0, 4, &y) || len < 5 || s[4] != '-' ||
	    !digits_at(s, len, 5, 2, &mo) || len < 8 || s[7] != '-' ||
	    !digits_at(s, len, 8, 2, &d) || len < 11 || (s[10] != 'T' && s[10] != ' ') ||
	    !digits_at(s, len, 11, 2, &h) || len < 14 || s[13] != ':' ||
	    !digits_at(s, len, 14, 2, &mi))
		return false;
	size_t pos = 16;
	if (pos < len && s[pos] == ':') {
		if (!digits_at(s, len, 17, 2, &sec))
			return false;
		pos = 19;
		if (pos < len && s[pos] == '.') {
			size_t start = ++pos;
			while (pos < len && s[pos] >= '0' && s[pos] <= '9')
				pos++;
			if (pos == start)
				return false;
		}
	}
	int sign = 0;
	if (pos < len && s[pos] == 'Z') {
		pos++;
	} else if (pos < len && (s[pos] == '+' || s[pos] == '-')) {
		sign = s[pos] == '-' ? -1 : 1;
		pos++;
		if (!digits_at(s, len, pos, 2, &oh))
			return false;
		pos += 2;
		if (pos < len) {
			if (s[pos] == ':')
				pos++;
			if (!digits_at(s, len, pos, 2, &om))
				return false;
			pos += 2;
		}
		if (oh > 23 || om > 59)
			return false;
	}
	if (pos != len)
		return false;
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap(y)) || h > 23 || mi > 59 || sec > 60)
		return false;
	if (sec == 60)
		sec = 59;
	struct tm tm = {.tm_year = y - 1900,
			.tm_mon = mo - 1,
			.tm_mday = d,
			.tm_hour = h,
			.tm_min = mi,
			.tm_sec = sec};
	int64_t t = (int64_t)timegm(&tm) - sign * ((int64_t)oh * 3600 + (int64_t)om * 60);
	if (t < 0 || t > (int64_t)253402300799)
		return false;
	*epoch = t;
	return true;
}

static void check_epoch_text(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size);
	int64_t epoch = 0;
	bool ok = time_parse_epoch(text, &epoch);
	/* The grammar: optional '-', 1 to 18 digits, nothing else (up to the first NUL). */
	const char *p = text;
	if (*p == '-')
		p++;
	size_t n = strspn(p, "0123456789");
	bool ref = n >= 1 && n <= 18 && p[n] == '\0';
	FUZZ_CHECK(ok == ref);
	if (ok)
		FUZZ_CHECK(epoch == strtoll(text, NULL, 10));
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t epoch = -1, expected = -1;
	bool ok = time_parse_iso8601((const char *)data, size, &epoch);
	bool ref = reference_parse(data, size, &expected);
	FUZZ_CHECK(ok == ref);
	if (ok) {
		FUZZ_CHECK(epoch == expected);
		char out[TIME_TEXT_MAX];
		FUZZ_CHECK(time_format_iso8601(epoch, out) != NULL);
		FUZZ_CHECK(strlen(out) == 20);
		int64_t again = -1;
		FUZZ_CHECK(time_parse_iso8601(out, strlen(out), &again));
		FUZZ_CHECK(again == epoch);
	}
	check_epoch_text(data, size);

	/* Any int64 either formats (and reads back) or is outside 1970-9999. */
	if (size >= sizeof(int64_t)) {
		int64_t any;
		memcpy(&any, data, sizeof(any));
		char out[TIME_TEXT_MAX];
		char *s = time_format_iso8601(any, out);
		FUZZ_CHECK((s != NULL) == (any >= 0 && any <= (int64_t)253402300799));
		if (s != NULL) {
			int64_t back = -1;
			FUZZ_CHECK(time_parse_iso8601(out, strlen(out), &back) && back == any);
		}
	}
	return 0;
}
