/*
 * Epoch seconds and ISO-8601 text; see include/domain/timeutil.h.
 *
 * Calendar arithmetic is done here rather than with timegm()/mktime() so the
 * result never depends on TZ, the C library or the platform's time_t.
 */
#include <time.h>

#include "domain/text.h"
#include "domain/timeutil.h"

#define SECONDS_PER_DAY 86400
#define YEAR_MIN	1970
#define YEAR_MAX	9999
/* 9999-12-31T23:59:59Z: the last instant time_format_iso8601() can write. */
#define EPOCH_MAX ((int64_t)253402300799)

/*
 * Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant,
 * "chrono-Compatible Low-Level Date Algorithms"). Years are shifted to start
 * in March so the leap day falls at the end of the shifted year.
 */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);			/* [0, 399] */
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;		/* [0, 146096] */
	return era * 146097 + (int64_t)doe - 719468;
}

/* Inverse of days_from_civil(). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);			      /* [0, 146096] */
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);		      /* [0, 365] */
	unsigned mp = (5 * doy + 2) / 153;				      /* [0, 11] */
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Reads exactly `n` digits at text[*pos], bounded by len. */
static bool read_digits(const char *text, size_t len, size_t *pos, size_t n, unsigned *out)
{
	if (len - *pos < n)
		return false;
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		char c = text[*pos + i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (unsigned)(c - '0');
	}
	*pos += n;
	*out = v;
	return true;
}

static bool expect(const char *text, size_t len, size_t *pos, char c)
{
	if (*pos >= len || text[*pos] != c)
		return false;
	(*pos)++;
	return true;
}

/*
 * Reads the optional zone designator into *offset (seconds east of UTC).
 * Leaves *pos at the end of what it read.
 */
static bool read_zone(const char *text, size_t len, size_t *pos, int64_t *offset)
{
	*offset = 0;
	if (*pos == len)
		return true;
	char c = text[*pos];
	if (c == 'Z') {
		(*pos)++;
		return true;
	}
	if (c != '+' && c != '-')
		return false;
	(*pos)++;

	unsigned oh, om = 0;
	if (!read_digits(text, len, pos, 2, &oh) || oh > 23)
		return false;
	if (*pos < len) {
		/* "+HH:MM" or "+HHMM"; after a ':' the minutes are required. */
		if (text[*pos] == ':')
			(*pos)++;
		if (!read_digits(text, len, pos, 2, &om) || om > 59)
			return false;
	}
	int64_t secs = (int64_t)oh * 3600 + (int64_t)om * 60;
	*offset = c == '-' ? -secs : secs;
	return true;
}

bool time_parse_iso8601(const char *text, size_t len, int64_t *epoch)
{
	if (text == NULL || epoch == NULL)
		return false;

	size_t pos = 0;
	unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;

	if (!read_digits(text, len, &pos, 4, &year) || !expect(text, len, &pos, '-') ||
	    !read_digits(text, len, &pos, 2, &month) || !expect(text, len, &pos, '-') ||
	    !read_digits(text, len, &pos, 2, &day))
		return false;
	if (pos >= len || (text[pos] != 'T' && text[pos] != ' '))
		return false;
	pos++;
	if (!read_digits(text, len, &pos, 2, &hour) || !expect(text, len, &pos, ':') ||
	    !read_digits(text, len, &pos, 2, &minute))
		return false;
	if (pos < len && text[pos] == ':') {
		pos++;
		if (!read_digits(text, len, &pos, 2, &second))
			return false;
		if (pos < len && text[pos] == '.') {
			pos++;
			size_t start = pos;
			while (pos < len && text[pos] >= '0' && text[pos] <= '9')
				pos++;
			if (pos == start)
				return false; /* "10:25:00." */
		}
	}

	int64_t offset;
	if (!read_zone(text, len, &pos, &offset) || pos != len)
		return false;

	if (year < YEAR_MIN || year > YEAR_MAX || month < 1 || month > 12 || day < 1 ||
	    day > days_in_month(year, month) || hour > 23 || minute > 59 || second > 60)
		return false;
	/* A leap second has no epoch value of its own; it folds onto :59. */
	if (second == 60)
		second = 59;

	int64_t t = days_from_civil(year, month, day) * SECONDS_PER_DAY + (int64_t)hour * 3600 +
		    (int64_t)minute * 60 + second - offset;
	/*
	 * Local fields in range can still land outside the range in UTC
	 * ("1970-01-01T00:30+01:00"); such a time could not be written back.
	 */
	if (t < 0 || t > EPOCH_MAX)
		return false;
	*epoch = t;
	return true;
}

static void put_digits(char *out, unsigned v, unsigned n)
{
	while (n-- > 0) {
		out[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

char *time_format_iso8601(int64_t epoch, char out[TIME_TEXT_MAX])
{
	if (epoch < 0 || epoch > EPOCH_MAX)
		return NULL;

	int64_t days = epoch / SECONDS_PER_DAY;
	unsigned secs = (unsigned)(epoch % SECONDS_PER_DAY);
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);

	/* Written by hand: every field has a fixed width and a known range. */
	put_digits(out, (unsigned)y, 4);
	out[4] = '-';
	put_digits(out + 5, m, 2);
	out[7] = '-';
	put_digits(out + 8, d, 2);
	out[10] = 'T';
	put_digits(out + 11, secs / 3600, 2);
	out[13] = ':';
	put_digits(out + 14, secs / 60 % 60, 2);
	out[16] = ':';
	put_digits(out + 17, secs % 60, 2);
	out[19] = 'Z';
	out[20] = '\0';
	return out;
}

bool time_parse_epoch(const char *text, int64_t *epoch)
{
	return text != NULL && epoch != NULL && text_parse_integer(text, epoch);
}

int64_t time_now(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return (int64_t)time(NULL);
	return (int64_t)ts.tv_sec;
}

int64_t time_monotonic_ms(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
