/*
 * API keys: "dl_<key id>_<secret>", where the secret is 32 random bytes from
 * libsodium in URL-safe base64 without padding (43 characters, 256 bits).
 * The key id lets the server find the one stored hash to compare against; the
 * comparison itself is constant-time (sodium_memcmp), and only the BLAKE2b
 * hash of the secret is ever stored. A fast hash is right here: the secret
 * is 256 random bits, so there is nothing for a slow password hash to protect.
 */
#ifndef DROPLINE_DOMAIN_APIKEY_H
#define DROPLINE_DOMAIN_APIKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define APIKEY_SECRET_BYTES 32
#define APIKEY_HASH_BYTES   32
/* "dl_" + up to 19 digits + "_" + 43 secret characters + NUL, rounded up. */
#define APIKEY_TEXT_MAX 80

typedef enum {
	PARTY_NONE = 0,
	PARTY_RETAILER,
	PARTY_BRAND,
} party_kind;

/* "retailer", "brand" or "none". */
const char *party_kind_name(party_kind p);

/* Initialises libsodium; call once before any other function here. */
bool apikey_init(void);

/* Fills `secret` with fresh random bytes. */
void apikey_new_secret(uint8_t secret[APIKEY_SECRET_BYTES]);

/* BLAKE2b-256 of the secret: the value stored at rest. */
void apikey_hash(const uint8_t secret[APIKEY_SECRET_BYTES], uint8_t hash[APIKEY_HASH_BYTES]);

/* Writes the key text for id + secret into out. */
void apikey_format(int64_t id, const uint8_t secret[APIKEY_SECRET_BYTES],
		   char out[APIKEY_TEXT_MAX]);

/*
 * apikey_parse() splits `len` bytes of key text into its id and secret.
 * False for anything that is not exactly a well-formed key.
 */
bool apikey_parse(const char *text, size_t len, int64_t *id, uint8_t secret[APIKEY_SECRET_BYTES]);

/*
 * The same text with another prefix: OAuth access tokens are
 * "dlt_<id>_<secret>" (APIKEY_TOKEN_PREFIX).
 */
#define APIKEY_TOKEN_PREFIX  "dlt_"
#define APIKEY_CLIENT_PREFIX "dlc_"
void apikey_format_prefixed(const char *prefix, int64_t id,
			    const uint8_t secret[APIKEY_SECRET_BYTES], char out[APIKEY_TEXT_MAX]);
bool apikey_parse_prefixed(const char *prefix, const char *text, size_t len, int64_t *id,
			   uint8_t secret[APIKEY_SECRET_BYTES]);

/* A secret alone, as 43 base64url characters (an OAuth client's secret). */
void apikey_secret_format(const uint8_t secret[APIKEY_SECRET_BYTES], char out[APIKEY_TEXT_MAX]);
bool apikey_secret_parse(const char *text, size_t len, uint8_t secret[APIKEY_SECRET_BYTES]);

/* "dlc_7" (prefix, then a positive id of at most 18 digits, no leading zero): 7. */
bool apikey_parse_id(const char *prefix, const char *text, size_t len, int64_t *id);

/* Constant-time comparison of two hashes. */
bool apikey_hash_equal(const uint8_t a[APIKEY_HASH_BYTES], const uint8_t b[APIKEY_HASH_BYTES]);

#endif
