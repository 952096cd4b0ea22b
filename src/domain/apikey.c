/* API key text, secrets and hashes; see include/domain/apikey.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "domain/apikey.h"
#include "domain/b64url.h"

#define KEY_PREFIX	"dl_"
#define SECRET_TEXT_LEN 43 /* base64url, no padding, of 32 bytes */

const char *party_kind_name(party_kind p)
{
	switch (p) {
	case PARTY_RETAILER: return "retailer";
	case PARTY_BRAND: return "brand";
	case PARTY_NONE: break;
	}
	return "none";
}

bool apikey_init(void)
{
	return sodium_init() >= 0;
}

void apikey_new_secret(uint8_t secret[APIKEY_SECRET_BYTES])
{
	randombytes_buf(secret, APIKEY_SECRET_BYTES);
}

void apikey_hash(const uint8_t secret[APIKEY_SECRET_BYTES], uint8_t hash[APIKEY_HASH_BYTES])
{
	crypto_generichash(hash, APIKEY_HASH_BYTES, secret, APIKEY_SECRET_BYTES, NULL, 0);
}

void apikey_format(int64_t id, const uint8_t secret[APIKEY_SECRET_BYTES], char out[APIKEY_TEXT_MAX])
{
	apikey_format_prefixed(KEY_PREFIX, id, secret, out);
}

void apikey_secret_format(const uint8_t secret[APIKEY_SECRET_BYTES], char out[APIKEY_TEXT_MAX])
{
	sodium_bin2base64(out, APIKEY_TEXT_MAX, secret, APIKEY_SECRET_BYTES,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void apikey_format_prefixed(const char *prefix, int64_t id,
			    const uint8_t secret[APIKEY_SECRET_BYTES], char out[APIKEY_TEXT_MAX])
{
	char b64[sodium_base64_ENCODED_LEN(APIKEY_SECRET_BYTES,
					   sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	sodium_bin2base64(b64, sizeof(b64), secret, APIKEY_SECRET_BYTES,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(out, APIKEY_TEXT_MAX, "%s%" PRId64 "_%s", prefix, id, b64);
}

bool apikey_secret_parse(const char *text, size_t len, uint8_t secret[APIKEY_SECRET_BYTES])
{
	if (len != SECRET_TEXT_LEN || !b64url_alphabet_only(text, SECRET_TEXT_LEN))
		return false;
	size_t bin_len = 0;
	const char *end = NULL;
	return sodium_base642bin(secret, APIKEY_SECRET_BYTES, text, SECRET_TEXT_LEN, NULL, &bin_len,
				 &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 &&
	       bin_len == APIKEY_SECRET_BYTES && end == text + len;
}

bool apikey_parse_id(const char *prefix, const char *text, size_t len, int64_t *id)
{
	size_t n = strlen(prefix);
	if (len < n + 1 || len > n + 18 || memcmp(text, prefix, n) != 0 || text[n] == '0')
		return false;
	int64_t value = 0;
	for (size_t i = n; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return false;
		value = value * 10 + (text[i] - '0');
	}
	*id = value;
	return true;
}

bool apikey_parse(const char *text, size_t len, int64_t *id, uint8_t secret[APIKEY_SECRET_BYTES])
{
	return apikey_parse_prefixed(KEY_PREFIX, text, len, id, secret);
}

bool apikey_parse_prefixed(const char *prefix_text, const char *text, size_t len, int64_t *id,
			   uint8_t secret[APIKEY_SECRET_BYTES])
{
	size_t prefix = strlen(prefix_text);
	if (len < prefix + 2 + SECRET_TEXT_LEN || memcmp(text, prefix_text, prefix) != 0)
		return false;
	size_t pos = prefix;
	int64_t value = 0;
	if (text[pos] == '0')
		return false; /* apikey_format() never writes leading zeros */
	size_t digits = 0;
	while (pos < len && text[pos] >= '0' && text[pos] <= '9') {
		int digit = text[pos] - '0';
		if (value > (INT64_MAX - digit) / 10)
			return false;
		value = value * 10 + digit;
		pos++;
		digits++;
	}
	if (digits == 0 || value <= 0 || pos >= len || text[pos] != '_')
		return false;
	pos++;
	if (len - pos != SECRET_TEXT_LEN)
		return false;
	if (!b64url_alphabet_only(text + pos, SECRET_TEXT_LEN))
		return false;
	size_t bin_len = 0;
	const char *end = NULL;
	if (sodium_base642bin(secret, APIKEY_SECRET_BYTES, text + pos, SECRET_TEXT_LEN, NULL,
			      &bin_len, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    bin_len != APIKEY_SECRET_BYTES || end != text + len)
		return false;
	*id = value;
	return true;
}

bool apikey_hash_equal(const uint8_t a[APIKEY_HASH_BYTES], const uint8_t b[APIKEY_HASH_BYTES])
{
	return sodium_memcmp(a, b, APIKEY_HASH_BYTES) == 0;
}
