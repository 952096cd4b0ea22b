/*
 * Declarative request bodies: a body is described once as a table of
 * fields (name, type, required, limits, where the value goes, a nested
 * table for objects and lists), and one walker reads any JSON document
 * against it. The walker refuses unknown keys, tracks the JSON path of
 * every value ("order_lines[2].variant.upc") and collects every problem,
 * never only the first (CONTRACT.md sections 1 and 2).
 *
 * Rules that tie fields together ("exactly one of a and b") run in an
 * object's `rules` hook, after its fields, with the same path and list.
 *
 * Values go into a caller's struct at each field's offset:
 *   SPEC_TEXT, SPEC_CHOICE   const char * (borrowed from the document or the
 *                            choice table; the document must outlive it)
 *   SPEC_ID, SPEC_INTEGER,
 *   SPEC_MONEY, SPEC_TIME    int64_t (money in cents, times in epoch seconds)
 *   SPEC_BOOLEAN             bool
 *   SPEC_OBJECT              a nested struct, embedded at the offset
 *   SPEC_LIST                a malloc'd array of nested structs at the offset
 *                            and its size_t length at count_offset
 *   SPEC_TEXTS, SPEC_ARRAY   const json_t * (the array, borrowed)
 * A field left out (or null) leaves its value as the caller initialised it.
 */
#ifndef DROPLINE_DOMAIN_SPEC_H
#define DROPLINE_DOMAIN_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "domain/validation.h"

/* Largest id accepted anywhere: 2^53 - 1, exact in every JSON reader. */
#define SPEC_ID_MAX ((int64_t)9007199254740991)

typedef enum {
	SPEC_TEXT,    /* non-empty string of at most `max` characters (code points), no NUL */
	SPEC_ID,      /* 1 to SPEC_ID_MAX, a JSON integer or a string of digits */
	SPEC_INTEGER, /* a JSON integer (or digits, with SPEC_DIGITS) from min to max */
	SPEC_MONEY,   /* a string or number with at most two decimals, not negative */
	SPEC_BOOLEAN, /* true or false */
	SPEC_TIME,    /* ISO-8601 date and time */
	SPEC_CHOICE,  /* one of `choices` */
	SPEC_OBJECT,  /* an object read with `object` */
	SPEC_LIST,    /* an array of min_items to max_items objects, each read with `object` */
	SPEC_TEXTS,   /* an array of at most max_items strings of at most `max` characters */
	SPEC_ARRAY,   /* an array of at most max_items values of any kind (checked by a rule) */
} spec_type;

enum {
	SPEC_REQUIRED = 1 << 0, /* absent or null is a problem */
	SPEC_DIGITS = 1 << 1,	/* SPEC_INTEGER: a string of digits is accepted too */
	SPEC_OK_FLAG = 1 << 2,	/* SPEC_OBJECT: the bool at ok_offset says "present and valid" */
};

struct spec;

struct spec_field {
	const char *name; /* NULL ends a table */
	spec_type type;
	unsigned flags;
	size_t offset;
	int64_t min, max;	     /* SPEC_INTEGER bounds; SPEC_TEXT(S) most characters */
	size_t min_items, max_items; /* SPEC_LIST, SPEC_TEXTS */
	size_t count_offset;	     /* SPEC_LIST: where its length goes */
	size_t ok_offset;	     /* SPEC_OBJECT with SPEC_OK_FLAG */
	const struct spec *object;   /* SPEC_OBJECT, SPEC_LIST */
	const char *const *choices;  /* SPEC_CHOICE, NULL-terminated */
	const char *message; /* replaces the message for a value of the wrong kind or range */
	const char *noun;    /* SPEC_LIST, SPEC_TEXTS: "lines" in "must have from 1 to 500 lines" */
};

/* The walk in progress, as a rules hook sees it. */
struct spec_walk;

struct spec {
	const struct spec_field *fields;
	size_t size; /* sizeof the struct it fills (for lists) */
	/*
	 * Rules across fields, run after them on every object this spec reads.
	 * `obj` is the JSON object, `out` the struct filled so far, fields_ok
	 * whether its fields (and nested ones) had no problem.
	 */
	void (*rules)(struct spec_walk *w, json_t *obj, void *out, bool fields_ok);
};

/*
 * spec_read() reads `doc`, which must be a JSON object, into `out` (a
 * zeroed or defaulted struct of s->size bytes). Problems go to fe with their
 * paths; `context` is handed to rules hooks. Returns true when there was
 * none (and memory did not run out). Free `out` with spec_free() either way.
 */
bool spec_read(const struct spec *s, json_t *doc, void *out, void *context, field_errors *fe);

/* Frees the lists spec_read() allocated inside `out`. */
void spec_free(const struct spec *s, void *out);

/* For rules hooks: a problem at path.key (key NULL: the object itself). */
void spec_error(struct spec_walk *w, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* For rules hooks: the context given to spec_read(). */
void *spec_context(const struct spec_walk *w);

/* For rules hooks: how many problems the whole walk has found so far. */
size_t spec_problems(const struct spec_walk *w);

/* Number of characters (UTF-8 code points) in len bytes of valid UTF-8. */
size_t utf8_length(const char *s, size_t len);

#endif
