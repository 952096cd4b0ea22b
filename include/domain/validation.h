/*
 * Collecting every field problem of a request before answering, each with
 * its JSON path ("order_lines[2].variant.upc"). Bodies are read into it by
 * the walker of domain/spec.h.
 */
#ifndef DROPLINE_DOMAIN_VALIDATION_H
#define DROPLINE_DOMAIN_VALIDATION_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "domain/text.h"

/*
 * text_make_utf8() replaces, in place, every byte of `s` that is not part of
 * a well-formed UTF-8 sequence with '?', so that text echoing client input
 * (a query value, a path, cut short by a precision) can always go into JSON.
 */
void text_make_utf8(char *s);

/* True when every byte of `s` is part of a well-formed UTF-8 sequence. */
bool text_is_utf8(const char *s);

/* The problems found so far: a JSON array of {"field", "message"}. */
typedef struct {
	json_t *list;
	bool oom; /* an allocation failed: report 500, not the list */
} field_errors;

void field_errors_init(field_errors *fe);
void field_errors_free(field_errors *fe);
size_t field_errors_count(const field_errors *fe);

/* Adds one problem; `field` may be "" for the document itself. */
void field_errors_add(field_errors *fe, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void field_errors_addv(field_errors *fe, const char *field, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/*
 * A JSON path being built while walking a document. push_* appends a
 * component and returns the length to pop back to; the text is always
 * NUL-terminated. An allocation failure leaves the path marked as failed
 * (text "?") instead of truncating silently.
 */
typedef struct text json_path;

void json_path_init(json_path *p);
void json_path_free(json_path *p);
size_t json_path_push_key(json_path *p, const char *key);
size_t json_path_push_index(json_path *p, size_t index);
void json_path_pop(json_path *p, size_t len);
const char *json_path_text(const json_path *p);

#endif
