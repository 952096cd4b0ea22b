/*
 * A growable, always NUL-terminated text (links, composed SQL, JSON paths).
 * Appending past an allocation failure does nothing and marks the text
 * failed, so a caller checks once at the end instead of after every part.
 */
#ifndef DROPLINE_DOMAIN_TEXT_H
#define DROPLINE_DOMAIN_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct text {
	char *s; /* NULL until the first append */
	size_t len, cap;
	bool failed; /* an allocation or a size overflowed: s is incomplete */
};

/* Makes room for n more bytes at once (a caller who knows the size saves the regrowing). */
void text_reserve(struct text *t, size_t n);

/* Appends n bytes of s. */
void text_add(struct text *t, const char *s, size_t n);

/* Appends a NUL-terminated string. */
void text_add_str(struct text *t, const char *s);

/* Cuts the text back to len bytes (no-op when it is shorter). */
void text_truncate(struct text *t, size_t len);

/* Frees the text and makes it empty. */
void text_free(struct text *t);

/*
 * text_parse_integer() reads a whole decimal integer: an optional '-' then
 * 1 to 18 digits (so it cannot overflow), nothing else. True and *out set
 * on success.
 */
bool text_parse_integer(const char *s, int64_t *out);

#endif
