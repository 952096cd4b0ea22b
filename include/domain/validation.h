/*
 * Collecting every field problem of a request before answering, each with
 * its JSON path ("order_lines[2].variant.upc"), and small typed readers of
 * jansson values that report into that collection.
 */
#ifndef DROPLINE_DOMAIN_VALIDATION_H
#define DROPLINE_DOMAIN_VALIDATION_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/*
 * text_make_utf8() replaces, in place, every byte of `s` that is not part of
 * a well-formed UTF-8 sequence with '?', so that text echoing client input
 * (a query value, a path, cut short by a precision) can always go into JSON.
 */
void text_make_utf8(char *s);

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
typedef struct {
	char *text;
	size_t len;
	size_t cap;
	bool failed;
} json_path;

void json_path_init(json_path *p);
void json_path_free(json_path *p);
size_t json_path_push_key(json_path *p, const char *key);
size_t json_path_push_index(json_path *p, size_t index);
void json_path_pop(json_path *p, size_t len);
const char *json_path_text(const json_path *p);

/*
 * Reports each key of `obj` not in the NULL-terminated `allowed` list as
 * "unknown field". Returns how many there were.
 */
size_t validate_known_keys(json_t *obj, const char *const *allowed, json_path *p, field_errors *fe);

/*
 * Readers of one member `key` of `obj`. Each returns true when the value is
 * usable and stores it; on a wrong value it adds an error at path.key and
 * returns false. `required`: a missing or null member is an error; when not
 * required, a missing or null member returns true and leaves *out as is
 * (callers initialise it to their "absent" value).
 * Strings: non-empty, at most max_len bytes of valid UTF-8 (jansson already
 * guarantees UTF-8); *out is borrowed from obj.
 */
bool validate_string(json_t *obj, const char *key, bool required, size_t max_len, json_path *p,
		     field_errors *fe, const char **out);

/*
 * Ids and counts: a JSON integer, or a string of digits (ids may come as
 * strings), within [min, max].
 */
bool validate_integer(json_t *obj, const char *key, bool required, int64_t min, int64_t max,
		      bool allow_digit_string, json_path *p, field_errors *fe, int64_t *out);

/* An object member: must be a JSON object when present. *out borrowed. */
bool validate_object(json_t *obj, const char *key, bool required, json_path *p, field_errors *fe,
		     json_t **out);

/* An array member: must be a JSON array when present. *out borrowed. */
bool validate_array(json_t *obj, const char *key, bool required, json_path *p, field_errors *fe,
		    json_t **out);

#endif
