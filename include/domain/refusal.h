/*
 * Every way Dropline can refuse a request, in one table: the refusal's
 * name, its HTTP status, the contract's error code and a message template
 * (CONTRACT.md section 2). Whoever finds a refusal records it (a transport
 * check, a body walk, a rule, a transaction callback); one function renders
 * it. Nothing else maps a refusal to a status or a code.
 *
 * Templates name the values of struct refusal they show in braces:
 *   {id} {number}     integers
 *   {kind}            a static noun ("order", "cancellation")
 *   {text} {text2}    texts owned by the refusal (client input is made
 *                     valid UTF-8 and cut to a bounded length)
 *   {problems}        "1 field is" / "3 fields are", from the field list
 *   {parameters}      "1 query parameter is" / "2 query parameters are"
 * A refusal may also carry one reply header ("Allow: {text2}"), rendered the
 * same way. test_refusal.c renders every template and header and fails on a
 * name it does not know.
 */
#ifndef DROPLINE_DOMAIN_REFUSAL_H
#define DROPLINE_DOMAIN_REFUSAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* clang-format off */
/*    name                                  status  code                      reply header
 *        message template */
#define WWW_AUTHENTICATE "WWW-Authenticate: Bearer realm=\"dropline\""
#define REFUSALS(X)                                                                              \
	/* The request itself: transport, route, key, query, body. */                            \
	X(REFUSED_BAD_REQUEST,                  400, "bad_request",            "Connection: close", \
	  "{text}")                                                                              \
	X(REFUSED_CODING,                       501, "not_implemented",        "Connection: close", \
	  "transfer coding '{text}' is not supported: send the body with Content-Length or "     \
	  "Transfer-Encoding: chunked")                                                          \
	X(REFUSED_ROUTE_UNKNOWN,                404, "not_found",              NULL,             \
	  "no such route: {text}")                                                               \
	X(REFUSED_METHOD,                       405, "method_not_allowed",     "Allow: {text2}", \
	  "{text} is not allowed here; allowed: {text2}")                                        \
	X(REFUSED_TOO_LARGE,                    413, "payload_too_large",      NULL,             \
	  "the body is larger than {number} bytes")                                              \
	X(REFUSED_TOO_MANY_VALUES,              413, "payload_too_large",      NULL,             \
	  "the body holds more than {number} JSON values (objects, arrays, keys, strings, "      \
	  "numbers); send fewer")                                                                \
	X(REFUSED_MEMORY,                       503, "unavailable",            "Retry-After: {number}", \
	  "the server holds as many request bodies as its memory budget allows; retry in "       \
	  "{number} s")                                                                          \
	X(REFUSED_KEY_MISSING,                  401, "unauthorized",           WWW_AUTHENTICATE, \
	  "an API key is required: Authorization: Bearer <key>")                                 \
	X(REFUSED_KEY_INVALID,                  401, "unauthorized",           WWW_AUTHENTICATE, \
	  "the API key is not valid or was revoked")                                             \
	X(REFUSED_TOKEN_EXPIRED,                401, "unauthorized",           WWW_AUTHENTICATE, \
	  "the access token expired; request a new one at POST /auth/token/")                    \
	X(REFUSED_KEY_FORBIDDEN,                403, "forbidden",              NULL,             \
	  "this key is {text}'s, not {text2}'s")                                                 \
	X(REFUSED_RATE,                         429, "rate_limited",           "Retry-After: {number}", \
	  "too many requests with this key; retry in {number} s")                                \
	X(REFUSED_MEDIA_TYPE,                   415, "unsupported_media_type", NULL,             \
	  "the body must be JSON, sent as Content-Type: application/json")                       \
	X(REFUSED_JSON,                         400, "invalid_json",           NULL,             \
	  "invalid JSON at {text}")                                                              \
	X(REFUSED_BODY_NOT_TAKEN,               400, "validation_failed",      NULL,             \
	  "this request takes no body")                                                          \
	X(REFUSED_PARAMETERS,                   400, "invalid_parameter",      NULL,             \
	  "{parameters} invalid")                                                                \
	X(REFUSED_FIELDS,                       400, "validation_failed",      NULL,             \
	  "{problems} invalid")                                                                  \
	X(REFUSED_IDEMPOTENCY_KEY,              400, "invalid_parameter",      NULL,             \
	  "Idempotency-Key must be 1 to {number} printable ASCII characters")                    \
	X(REFUSED_IDEMPOTENCY_REUSED,           409, "conflict",               NULL,             \
	  "this Idempotency-Key was already used with another request")                          \
	/* Objects and the rules of the contract. */                                             \
	X(REFUSED_NOT_FOUND,                    404, "not_found",              NULL,             \
	  "no {kind} {id} here")                                                                 \
	X(REFUSED_PO_TAKEN,                     409, "conflict",               NULL,             \
	  "purchase_order_number '{text}' is already order {id}")                                \
	X(REFUSED_ORDER_CANCELED_ACKNOWLEDGE,   409, "conflict",               NULL,             \
	  "order {id} is canceled: there is nothing to acknowledge")                             \
	X(REFUSED_ORDER_CANCELED_SHIP,          409, "conflict",               NULL,             \
	  "order {id} is canceled: nothing can be shipped")                                      \
	X(REFUSED_RETAILER_CANCEL_ACKNOWLEDGED, 409, "conflict",               NULL,             \
	  "order {id} was already acknowledged by the brand: a retailer may cancel only "        \
	  "before that; ask the brand to cancel")                                                \
	X(REFUSED_NOTHING_OPEN,                 409, "conflict",               NULL,             \
	  "order {id} has nothing open to cancel: every unit is shipped or canceled")            \
	X(REFUSED_CANCEL_NOT_OPEN,              409, "conflict",               NULL,             \
	  "more than is open on the order; nothing was canceled")                                \
	X(REFUSED_SHIP_NOT_OPEN,                409, "conflict",               NULL,             \
	  "more than is open on the order; nothing was shipped")                                 \
	X(REFUSED_EVENTS_EXPIRED,               410, "events_expired",         NULL,             \
	  "events after {id} are no longer kept (they are after {number}): read the feed "       \
	  "from after={number}")                                                                 \
	X(REFUSED_OWN_CANCEL,                   409, "conflict",               NULL,             \
	  "cancellation {id} was made by this {kind}: the other side acknowledges it")           \
	X(REFUSED_WEBHOOK_LIMIT,                409, "conflict",               NULL,             \
	  "a party may have at most {number} webhook subscriptions: delete one first")          \
	/* The store. */                                                                         \
	X(REFUSED_BUSY,                         503, "unavailable",            NULL,             \
	  "the store is busy; retry shortly")                                                    \
	X(REFUSED_FULL,                         503, "unavailable",            NULL,             \
	  "the store is out of space; nothing was written; retry later")                        \
	X(REFUSED_UNAVAILABLE,                  503, "unavailable",            NULL,             \
	  "the store is not answering")                                                          \
	X(REFUSED_NOT_MIGRATED,                 503, "unavailable",            NULL,             \
	  "not ready: the database is at schema version {id}, this dropline needs {number}")    \
	X(REFUSED_INTERNAL,                     500, "internal",               NULL,             \
	  "internal error")
/* clang-format on */

typedef enum {
	REFUSED_NONE = 0,
#define REFUSAL_ENUM(name, status, code, header, template) name,
	REFUSALS(REFUSAL_ENUM)
#undef REFUSAL_ENUM
		REFUSAL_COUNT
} refusal_code;

struct refusal_entry {
	const char *name;     /* "REFUSED_NOT_FOUND", for logs and tests */
	unsigned status;      /* HTTP status */
	const char *code;     /* the contract's error code */
	const char *header;   /* "Name: value template" of a reply header, or NULL */
	const char *template; /* the message, with {names} of struct refusal */
};

/* The registry's entry of a code; REFUSED_NONE and unknown codes read as REFUSED_INTERNAL. */
const struct refusal_entry *refusal_entry(refusal_code code);

/*
 * One refusal with the values its template names. `text`, `text2`,
 * `fields` and `members` are owned: refusal_clear() frees them.
 */
struct refusal {
	refusal_code code;
	int64_t id;
	int64_t number;
	const char *kind; /* static text */
	char *text;
	char *text2;
	json_t *fields;	 /* [{"field", "message"}], or NULL */
	json_t *members; /* more members of the "error" object (e.g. order_id), or NULL */
};

/* Frees what a refusal owns and makes it REFUSED_NONE. */
void refusal_clear(struct refusal *r);

/* Sets r->text (or text2) from a format; client text is made valid UTF-8. */
void refusal_text(struct refusal *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void refusal_text2(struct refusal *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * refusal_message() renders the template of r->code with r's values into
 * out (at most n bytes, always terminated, cut short when longer).
 * Returns false when the template names a value it does not know (a bug
 * the registry's test catches).
 */
bool refusal_message(const struct refusal *r, char *out, size_t n);

/*
 * refusal_header() renders the entry's header, when it has one: its name
 * into name (n bytes) and its value into value (n bytes). False when there
 * is none or it names an unknown value.
 */
bool refusal_header(const struct refusal *r, char *name, char *value, size_t n);

/*
 * refusal_body() builds {"error": {"code", "message", "fields", ...members}}.
 * NULL when out of memory.
 */
json_t *refusal_body(const struct refusal *r);

#endif
