/*
 * The request head as RFC 9112 frames it, checked before anything else
 * reads it: the request target, the header names, Host, and the headers
 * that say where the body ends (Content-Length, Transfer-Encoding).
 * libmicrohttpd 0.9.75 parses the head leniently (its strict mode checks
 * less and answers in HTML, docs/reliability.md); these checks refuse in
 * the contract's JSON what a proxy in front of the server could read
 * differently (request smuggling) and what would reach a route cut short.
 *
 * Transport-independent: the server feeds it what libmicrohttpd parsed
 * (and what it could see of the raw bytes), the fuzz harness what it
 * parsed from raw input itself.
 */
#ifndef DROPLINE_HTTP_FRAMING_H
#define DROPLINE_HTTP_FRAMING_H

#include <stdbool.h>
#include <stddef.h>

#include "api/request.h"

/* One header line as received. */
struct framing_header {
	const char *name;
	const char *value;
	bool damaged; /* a NUL byte in the value, or an obsolete line folding */
};

/* What the head brought. */
struct framing_input {
	const char *version; /* "HTTP/1.1" */
	const char *target;  /* the request target before percent-decoding, up to a NUL */
	size_t target_len;
	bool target_cut; /* the target held a NUL byte (target ends there) */
	const struct framing_header *headers;
	size_t nheaders;
};

/*
 * framing_check() refuses req (400 bad_request or 501 not_implemented,
 * both closing the connection) and returns false when the head is not
 * one RFC 9112 lets a server read one way only: a target with a control
 * character, a space, %00 or %2F in its path; a header name that is not
 * a token (whitespace before the colon); a NUL or a line folding in a
 * value; HTTP/1.1 without exactly one Host; Content-Length with
 * Transfer-Encoding, or two different Content-Lengths; a transfer coding
 * other than chunked (501); Transfer-Encoding in HTTP/1.0.
 */
bool framing_check(struct api_request *req, const struct framing_input *in);

/*
 * The path of a decoded request target: the target itself in origin form
 * ("/v1/..."), the part after scheme and authority in absolute form
 * ("http://host:8080/v1/..." gives "/v1/...", "http://host" gives "/").
 * Points into `target`, or at a static "/".
 */
const char *framing_path(const char *target);

#endif
