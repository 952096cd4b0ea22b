/*
 * A cheap pass over a JSON body's raw bytes before it is parsed: how many
 * values it holds and how deeply they nest, and whether a number in it
 * underflows to zero. jansson's tree costs up to ~240 bytes per value (an
 * empty object in an array; docs/reliability.md), so a 1 MiB body of `{}`s
 * would become an 80 MB tree: the count bounds the tree before it is built.
 *
 * The scan does not validate: on malformed JSON its figures are what it saw
 * up to there, and the parser that follows reports the syntax error.
 */
#ifndef DROPLINE_DOMAIN_JSONSCAN_H
#define DROPLINE_DOMAIN_JSONSCAN_H

#include <stdbool.h>
#include <stddef.h>

/* At most this many values in a body: objects, arrays, keys, strings, numbers, literals. */
#define JSON_SCAN_MAX_VALUES 32768
/* At most this deep (an order nests 4 levels: order, lines, line, variant). */
#define JSON_SCAN_MAX_DEPTH 32
/*
 * An upper bound, in bytes, of the jansson tree of a body with `values`
 * values in `len` bytes: 256 per value (measured: at most 232, `[{},...]`)
 * and each byte of text once more (strings and keys are copied).
 */
#define JSON_SCAN_TREE_BYTES(values, len) ((size_t)(values)*256 + (size_t)(len))

typedef enum {
	JSON_SCAN_OK,
	JSON_SCAN_TOO_MANY,  /* more than max_values values: stopped there */
	JSON_SCAN_TOO_DEEP,  /* nested deeper than max_depth: stopped there */
	JSON_SCAN_UNDERFLOW, /* a number not zero whose value underflows to 0 (1E-400) */
} json_scan_status;

struct json_scan {
	size_t values;	  /* values seen */
	size_t max_depth; /* deepest nesting seen */
	/* Where the scan stopped (TOO_MANY, TOO_DEEP, UNDERFLOW): 1-based, as jansson counts. */
	int line, column;
};

/* Scans len bytes of body (not NUL-terminated) against the limits given. */
json_scan_status json_scan(const char *body, size_t len, size_t max_values, size_t max_depth,
			   struct json_scan *out);

#endif
