/* The pre-parse scan of a JSON body; see include/domain/jsonscan.h. */
#include <stdlib.h>
#include <string.h>

#include "domain/jsonscan.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The length of the number at s (at most n bytes): [-]digits[.digits][(e|E)[+-]digits]. */
static size_t number_span(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (is_digit(s[i]) || s[i] == '-' || s[i] == '+' || s[i] == '.' ||
			 s[i] == 'e' || s[i] == 'E'))
		i++;
	return i;
}

/*
 * True when the number text is not zero (a digit of its mantissa is not
 * 0) but strtod reads it as zero: it underflows, and jansson would keep 0.
 */
static bool number_underflows(const char *s, size_t n)
{
	bool nonzero = false;
	for (size_t i = 0; i < n && s[i] != 'e' && s[i] != 'E'; i++)
		nonzero |= s[i] >= '1' && s[i] <= '9';
	if (!nonzero)
		return false;
	/* Only a fraction or an exponent can make a non-zero number this small. */
	if (memchr(s, '.', n) == NULL && memchr(s, 'e', n) == NULL && memchr(s, 'E', n) == NULL)
		return false;
	char small[64];
	char *text = n < sizeof(small) ? small : malloc(n + 1);
	if (text == NULL)
		return false; /* the parser still reads it; the money checks refuse what it makes */
	memcpy(text, s, n);
	text[n] = '\0';
	double value = strtod(text, NULL);
	if (text != small)
		free(text);
	return value == 0.0;
}

json_scan_status json_scan(const char *body, size_t len, size_t max_values, size_t max_depth,
			   struct json_scan *out)
{
	*out = (struct json_scan){.line = 1, .column = 0};
	size_t depth = 0;
	size_t line_start = 0;
	json_scan_status st = JSON_SCAN_OK;
	size_t i = 0;
	while (i < len) {
		char c = body[i];
		size_t at = i;
		switch (c) {
		case '\n':
			out->line++;
			line_start = i + 1;
			i++;
			continue;
		case '{':
		case '[':
			out->values++;
			depth++;
			if (depth > out->max_depth)
				out->max_depth = depth;
			if (depth > max_depth)
				st = JSON_SCAN_TOO_DEEP;
			i++;
			break;
		case '}':
		case ']':
			if (depth > 0)
				depth--;
			i++;
			continue;
		case '"':
			out->values++;
			for (i++; i < len && body[i] != '"'; i++)
				if (body[i] == '\\')
					i++; /* the escaped character, whatever it is */
			i++;		     /* the closing quote */
			break;
		case 't':
		case 'f':
		case 'n':
			out->values++;
			while (i < len && body[i] >= 'a' && body[i] <= 'z')
				i++;
			break;
		default:
			if (c == '-' || is_digit(c)) {
				size_t n = number_span(body + i, len - i);
				out->values++;
				if (number_underflows(body + i, n))
					st = JSON_SCAN_UNDERFLOW;
				i += n;
				break;
			}
			i++; /* space, ',', ':', or a byte the parser will refuse */
			continue;
		}
		if (st == JSON_SCAN_OK && out->values > max_values)
			st = JSON_SCAN_TOO_MANY;
		if (st != JSON_SCAN_OK) {
			out->column = (int)(at - line_start) + 1;
			return st;
		}
	}
	return JSON_SCAN_OK;
}
