/*
 * Webhooks inside the API (CONTRACT.md section 11): the server's key that
 * seals each subscription's signing secret at rest, the URL checks made at
 * subscribe time and again at connect time, and the delivery engine.
 * Internal to src/api/.
 */
#ifndef DROPLINE_API_WEBHOOKS_H
#define DROPLINE_API_WEBHOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sodium.h>

#include "api/api.h"
#include "domain/spec.h"
#include "domain/validation.h"

/* "whsec_" and 32 random bytes in base64url: the text is the HMAC key. */
#define WEBHOOK_SECRET_BYTES 32
#define WEBHOOK_SECRET_MAX   64

/* A subscription's body (POST .../webhooks/), read against webhook_body_spec. */
struct webhook_body {
	const char *url;
	const json_t *event_types; /* 1 to WEBHOOK_TYPES_MAX types or prefixes, no repeats */
	const char *description;
};
#define WEBHOOK_URL_MAX		2048
#define WEBHOOK_TYPES_MAX	32
#define WEBHOOK_DESCRIPTION_MAX 500
extern const struct spec webhook_body_spec;

struct webhook_keyring; /* the sealing key, loaded or made on first use */

struct webhook_keyring *webhook_keyring_new(const char *path);
void webhook_keyring_free(struct webhook_keyring *k);

/* A new secret's text ("whsec_..."), and its sealed form (hex); false on failure. */
bool webhook_secret_new(char secret[WEBHOOK_SECRET_MAX]);
/* Seals a secret; malloc'd hex text, or NULL (no key file, no memory). */
char *webhook_secret_seal(struct webhook_keyring *k, const char *secret);
/* Opens a sealed secret into out; false when it cannot (another key, damage). */
bool webhook_secret_open(struct webhook_keyring *k, const char *sealed,
			 char out[WEBHOOK_SECRET_MAX]);

/*
 * Checks a subscription URL: https (or http when allowed), a host, and
 * every address the host resolves to public unless private ones are
 * allowed. A host that does not resolve now is accepted (delivery checks
 * again at each connection). Problems go to fe under "url".
 */
void webhook_url_check(const struct api_webhook_options *o, const char *url, field_errors *fe);

/* The delivery engine. */
struct webhook_engine;
struct webhook_engine *webhook_engine_new(struct api *app);
bool webhook_engine_start(struct webhook_engine *e);
void webhook_engine_stop(struct webhook_engine *e);
void webhook_engine_free(struct webhook_engine *e);
/*
 * webhook_engine_changed() notes, inside a write, that subscriptions
 * change; webhook_engine_committed(), after each commit, wakes the engine
 * for the events committed and has it reload the subscriptions when they
 * changed. NULL is ignored.
 */
void webhook_engine_changed(struct webhook_engine *e);
void webhook_engine_committed(struct webhook_engine *e);
void webhook_engine_stats(struct webhook_engine *e, struct api_webhook_stats *out);

/* The HMAC-SHA256 signature header value "t=<t>,v1=<hex>" of body at t. */
#define WEBHOOK_SIGNATURE_MAX (32 + 4 + 2 * crypto_auth_hmacsha256_BYTES)
void webhook_sign(const char *secret, int64_t t, const char *body, size_t len,
		  char out[WEBHOOK_SIGNATURE_MAX]);

#endif
