/*
 * Time: the server keeps times as epoch seconds (UTC) and shows them as
 * ISO-8601 UTC with seconds, "2016-07-06T10:25:00Z".
 */
#ifndef DROPLINE_DOMAIN_TIMEUTIL_H
#define DROPLINE_DOMAIN_TIMEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "YYYY-MM-DDTHH:MM:SSZ" plus NUL; wider years are not produced. */
#define TIME_TEXT_MAX 32

/*
 * time_parse_iso8601() reads an ISO-8601 date-time:
 *   YYYY-MM-DDTHH:MM            (no seconds, UTC)
 *   YYYY-MM-DDTHH:MM:SS         (UTC)
 *   YYYY-MM-DDTHH:MM:SS.fff...  (fraction dropped, not rounded)
 * each optionally followed by 'Z' or an offset "+HH:MM", "-HH:MM", "+HHMM",
 * "+HH". A space may stand for 'T'. With no offset the time is UTC.
 * Fields are range-checked (month 1-12, day within the month, leap years,
 * hour 0-23, minute 0-59, second 0-60 where 60 is read as 59, offset hours
 * 0-23). Years 1970-9999, both as written and once the offset is applied
 * (so "1970-01-01T00:30+01:00" is rejected).
 * Returns true and sets *epoch (seconds since 1970-01-01T00:00:00Z, UTC);
 * false on anything else. `len` bytes of text, not necessarily NUL-terminated.
 */
bool time_parse_iso8601(const char *text, size_t len, int64_t *epoch);

/*
 * time_format_iso8601() writes epoch seconds as "YYYY-MM-DDTHH:MM:SSZ".
 * Returns out, or NULL when the time is outside years 1970-9999.
 */
char *time_format_iso8601(int64_t epoch, char out[TIME_TEXT_MAX]);

/*
 * time_parse_epoch() reads a query-string epoch value: optional '-' then
 * 1-18 digits, nothing else. Returns true and sets *epoch.
 */
bool time_parse_epoch(const char *text, int64_t *epoch);

/* Wall-clock now, epoch seconds. */
int64_t time_now(void);

/* A clock that only moves forward, in milliseconds: for deadlines and durations. */
int64_t time_monotonic_ms(void);

#endif
