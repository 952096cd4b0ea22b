/* Growable text; see include/domain/text.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/text.h"

/* Makes the capacity at least len + n + 1; false (and failed) when it cannot. */
static bool grow(struct text *t, size_t n)
{
	if (t->failed)
		return false;
	if (t->len + n + 1 < t->len) {
		t->failed = true;
		return false;
	}
	if (t->len + n + 1 <= t->cap)
		return true;
	size_t cap = t->cap ? t->cap : 64;
	while (cap < t->len + n + 1) {
		if (cap > SIZE_MAX / 2) {
			t->failed = true;
			return false;
		}
		cap *= 2;
	}
	char *grown = realloc(t->s, cap);
	if (grown == NULL) {
		t->failed = true;
		return false;
	}
	t->s = grown;
	t->cap = cap;
	return true;
}

void text_reserve(struct text *t, size_t n)
{
	grow(t, n);
}

void text_add(struct text *t, const char *s, size_t n)
{
	if (!grow(t, n))
		return;
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

void text_add_str(struct text *t, const char *s)
{
	text_add(t, s, strlen(s));
}

void text_truncate(struct text *t, size_t len)
{
	if (t->s != NULL && len < t->len) {
		t->len = len;
		t->s[len] = '\0';
	}
}

void text_free(struct text *t)
{
	free(t->s);
	memset(t, 0, sizeof(*t));
}

bool text_parse_integer(const char *s, int64_t *out)
{
	bool negative = *s == '-';
	if (negative)
		s++;
	/* 18 digits stay below 10^18, so the sum cannot overflow int64. */
	int64_t value = 0;
	size_t digits = 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || ++digits > 18)
			return false;
		value = value * 10 + (*s - '0');
	}
	if (digits == 0)
		return false;
	*out = negative ? -value : value;
	return true;
}
