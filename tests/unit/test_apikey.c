/* Unit tests for include/domain/apikey.h and auth_parse_bearer() of include/api/auth.h. */
#include <check.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/apikey.h"
#include "harness.h"
#include "api/auth.h"

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))
#define SECRET_TEXT_LEN 43

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* A fixed secret whose text starts with a letter and is easy to recognise. */
static void fixed_secret(uint8_t secret[APIKEY_SECRET_BYTES])
{
	for (size_t i = 0; i < APIKEY_SECRET_BYTES; i++)
		secret[i] = (uint8_t)(0x10 + i * 7);
}

/* The 43-character secret text of the fixed secret. */
static void fixed_secret_text(char out[SECRET_TEXT_LEN + 1])
{
	uint8_t secret[APIKEY_SECRET_BYTES];
	char key[APIKEY_TEXT_MAX];
	fixed_secret(secret);
	apikey_format(1, secret, key);
	ck_assert_uint_eq(strlen(key), strlen("dl_1_") + SECRET_TEXT_LEN);
	memcpy(out, key + strlen("dl_1_"), SECRET_TEXT_LEN + 1);
}

static bool parse_text(const char *text, int64_t *id, uint8_t secret[APIKEY_SECRET_BYTES])
{
	return apikey_parse(text, strlen(text), id, secret);
}

static void assert_rejected(const char *text)
{
	int64_t id = -7;
	uint8_t secret[APIKEY_SECRET_BYTES];
	ck_assert_msg(!parse_text(text, &id, secret), "\"%s\" should be rejected", text);
	ck_assert_msg(id == -7, "\"%s\": rejected but wrote id %" PRId64, text, id);
}

static void setup(void)
{
	ck_assert(apikey_init());
}

/* --- format and parse ---------------------------------------------------- */

START_TEST(format_then_parse_round_trips)
{
	static const int64_t ids[] = {
		1,
		7,
		42,
		1000,
		INT64_C(123456789012),
		INT64_C(999999999999999999),
		INT64_C(9223372036854775799),
	};
	for (size_t i = 0; i < ARRAY_LEN(ids); i++) {
		uint8_t secret[APIKEY_SECRET_BYTES], back[APIKEY_SECRET_BYTES];
		char key[APIKEY_TEXT_MAX];
		int64_t id = 0;
		apikey_new_secret(secret);
		apikey_format(ids[i], secret, key);
		ck_assert_msg(parse_text(key, &id, back), "\"%s\" should parse", key);
		ck_assert_msg(id == ids[i], "\"%s\": id %" PRId64 ", want %" PRId64, key, id,
			      ids[i]);
		ck_assert_msg(memcmp(secret, back, sizeof(secret)) == 0, "\"%s\": secret differs",
			      key);
	}
}
END_TEST

START_TEST(round_trips_at_int64_max)
{
	/*
	 * Regression: the id overflow guard once refused every id from
	 * INT64_MAX - 7 to INT64_MAX, although apikey_format() writes them.
	 */
	static const int64_t ids[] = {INT64_MAX - 7, INT64_MAX};
	for (size_t i = 0; i < ARRAY_LEN(ids); i++) {
		uint8_t secret[APIKEY_SECRET_BYTES], back[APIKEY_SECRET_BYTES];
		char key[APIKEY_TEXT_MAX];
		int64_t id = 0;
		fixed_secret(secret);
		apikey_format(ids[i], secret, key);
		ck_assert_msg(parse_text(key, &id, back), "\"%s\" should parse", key);
		ck_assert_msg(id == ids[i], "\"%s\": id %" PRId64, key, id);
		ck_assert(memcmp(secret, back, sizeof(secret)) == 0);
	}
}
END_TEST

START_TEST(key_text_has_prefix_id_and_43_secret_chars)
{
	uint8_t secret[APIKEY_SECRET_BYTES];
	char key[APIKEY_TEXT_MAX];
	apikey_new_secret(secret);
	apikey_format(42, secret, key);
	ck_assert_msg(strncmp(key, "dl_42_", 6) == 0, "\"%s\" lacks the dl_42_ prefix", key);
	ck_assert_uint_eq(strlen(key), 6 + SECRET_TEXT_LEN);
	for (size_t i = 6; key[i] != '\0'; i++)
		ck_assert_msg(strchr(b64url, key[i]) != NULL, "\"%s\": '%c' is not base64url", key,
			      key[i]);

	/* The widest id still fits the buffer. */
	apikey_format(INT64_MAX, secret, key);
	ck_assert_msg(strncmp(key, "dl_9223372036854775807_", 23) == 0, "\"%s\"", key);
	ck_assert_uint_eq(strlen(key), 23 + SECRET_TEXT_LEN);
	ck_assert_uint_lt(strlen(key), APIKEY_TEXT_MAX);
}
END_TEST

START_TEST(fixed_secret_formats_canonically)
{
	uint8_t zero[APIKEY_SECRET_BYTES] = {0};
	char key[APIKEY_TEXT_MAX];
	apikey_format(5, zero, key);
	ck_assert_str_eq(key, "dl_5_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	uint8_t fixed[APIKEY_SECRET_BYTES];
	fixed_secret(fixed);
	apikey_format(5, fixed, key);
	ck_assert_str_eq(key, "dl_5_EBceJSwzOkFIT1ZdZGtyeYCHjpWco6qxuL_GzdTb4uk");
	uint8_t ones[APIKEY_SECRET_BYTES];
	memset(ones, 0xff, sizeof(ones));
	apikey_format(5, ones, key);
	/* 256 one bits: 42 '_' (63), then 1111 and two zero bits (60, '8'). */
	ck_assert_str_eq(key, "dl_5___________________________________________8");
}
END_TEST

START_TEST(new_secrets_differ)
{
	uint8_t a[APIKEY_SECRET_BYTES], b[APIKEY_SECRET_BYTES], zero[APIKEY_SECRET_BYTES] = {0};
	apikey_new_secret(a);
	apikey_new_secret(b);
	ck_assert(memcmp(a, b, sizeof(a)) != 0);
	ck_assert(memcmp(a, zero, sizeof(a)) != 0);
	ck_assert(memcmp(b, zero, sizeof(b)) != 0);
}
END_TEST

START_TEST(hash_is_deterministic_and_secret_dependent)
{
	uint8_t secret[APIKEY_SECRET_BYTES], other[APIKEY_SECRET_BYTES];
	uint8_t h1[APIKEY_HASH_BYTES], h2[APIKEY_HASH_BYTES], h3[APIKEY_HASH_BYTES];
	fixed_secret(secret);
	memcpy(other, secret, sizeof(other));
	other[APIKEY_SECRET_BYTES - 1] ^= 1;
	apikey_hash(secret, h1);
	apikey_hash(secret, h2);
	apikey_hash(other, h3);
	ck_assert(memcmp(h1, h2, sizeof(h1)) == 0);
	ck_assert(memcmp(h1, h3, sizeof(h1)) != 0);
	/* Not the secret itself. */
	ck_assert(memcmp(h1, secret, sizeof(h1)) != 0);
}
END_TEST

START_TEST(hash_equal_compares_every_byte)
{
	uint8_t secret[APIKEY_SECRET_BYTES], a[APIKEY_HASH_BYTES], b[APIKEY_HASH_BYTES];
	fixed_secret(secret);
	apikey_hash(secret, a);
	memcpy(b, a, sizeof(b));
	ck_assert(apikey_hash_equal(a, b));
	ck_assert(apikey_hash_equal(a, a));
	for (size_t i = 0; i < APIKEY_HASH_BYTES; i++) {
		b[i] ^= 0x80;
		ck_assert_msg(!apikey_hash_equal(a, b), "byte %zu ignored", i);
		b[i] ^= 0x80;
	}
	ck_assert(apikey_hash_equal(a, b));
}
END_TEST

START_TEST(parse_rejects_malformed_keys)
{
	char s[SECRET_TEXT_LEN + 1];
	fixed_secret_text(s);
	char short_secret[SECRET_TEXT_LEN], long_secret[SECRET_TEXT_LEN + 2];
	memcpy(short_secret, s, SECRET_TEXT_LEN - 1);
	short_secret[SECRET_TEXT_LEN - 1] = '\0';
	memcpy(long_secret, s, SECRET_TEXT_LEN);
	long_secret[SECRET_TEXT_LEN] = 'A';
	long_secret[SECRET_TEXT_LEN + 1] = '\0';

	char text[256];
#define REJECT(...)                                                                                \
	do {                                                                                       \
		snprintf(text, sizeof(text), __VA_ARGS__);                                         \
		assert_rejected(text);                                                             \
	} while (0)

	/* Sanity: the unmutated form is accepted. */
	snprintf(text, sizeof(text), "dl_5_%s", s);
	int64_t id = 0;
	uint8_t secret[APIKEY_SECRET_BYTES];
	ck_assert(parse_text(text, &id, secret));
	ck_assert_int_eq(id, 5);

	assert_rejected("");
	REJECT("dk_5_%s", s); /* wrong prefix */
	REJECT("DL_5_%s", s);
	REJECT("xdl_5_%s", s);
	REJECT("dl5_%s", s);
	REJECT("dl-5_%s", s);
	REJECT("dl__%s", s);   /* missing id */
	REJECT("dl_0_%s", s);  /* id 0 */
	REJECT("dl_05_%s", s); /* leading zero: never written by apikey_format */
	REJECT("dl_x_%s", s);  /* non-digit id */
	REJECT("dl_5x_%s", s);
	REJECT("dl_-5_%s", s);
	REJECT("dl_+5_%s", s);
	REJECT("dl_ 5_%s", s);
	REJECT("dl_9223372036854775808_%s", s);	 /* INT64_MAX + 1 */
	REJECT("dl_18446744073709551621_%s", s); /* wraps to 5 in uint64 */
	REJECT("dl_99999999999999999999999_%s", s);
	REJECT("dl_5%s", s); /* missing underscore */
	REJECT("dl_5-%s", s);
	REJECT("dl_5__%s", s);
	REJECT("dl_5_%s", short_secret); /* one char short */
	REJECT("dl_5_%s", long_secret);	 /* one char long */
	REJECT("dl_5_%s=", s);		 /* padding */
	REJECT("dl_5_%s ", s);		 /* trailing space */
	REJECT(" dl_5_%s", s);		 /* leading space */
	REJECT("dl_5_%s\n", s);
	REJECT("dl_5_");
	REJECT("dl_5");
	REJECT("dl_");
#undef REJECT
}
END_TEST

START_TEST(parse_rejects_non_base64url_chars)
{
	char s[SECRET_TEXT_LEN + 1];
	fixed_secret_text(s);
	static const char bad[] = {'+', '/', '=', '.', ' ', '~', '%'};
	static const size_t positions[] = {0, 20, SECRET_TEXT_LEN - 1};
	for (size_t b = 0; b < sizeof(bad); b++) {
		for (size_t p = 0; p < ARRAY_LEN(positions); p++) {
			char text[128];
			snprintf(text, sizeof(text), "dl_5_%s", s);
			text[5 + positions[p]] = bad[b];
			assert_rejected(text);
		}
	}
}
END_TEST

START_TEST(parse_rejects_non_canonical_last_char)
{
	/*
	 * 43 characters carry 258 bits; the last character's two low bits
	 * must be zero, so "...B" is another spelling of "...A" and refused.
	 */
	char text[128];
	snprintf(text, sizeof(text), "dl_5_%.42sB", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	assert_rejected(text);
	snprintf(text, sizeof(text), "dl_5_%.42sA", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	int64_t id = 0;
	uint8_t secret[APIKEY_SECRET_BYTES];
	ck_assert(parse_text(text, &id, secret));
}
END_TEST

START_TEST(parse_honours_len)
{
	uint8_t secret[APIKEY_SECRET_BYTES], back[APIKEY_SECRET_BYTES];
	char key[APIKEY_TEXT_MAX], longer[APIKEY_TEXT_MAX + 8];
	int64_t id = 0;
	apikey_new_secret(secret);
	apikey_format(31, secret, key);
	size_t len = strlen(key);

	/* Bytes after len are not part of the key. */
	snprintf(longer, sizeof(longer), "%sXYZ", key);
	ck_assert(apikey_parse(longer, len, &id, back));
	ck_assert_int_eq(id, 31);
	ck_assert(memcmp(secret, back, sizeof(secret)) == 0);

	/* A len that cuts the text is a short key, whatever follows. */
	id = -7;
	ck_assert(!apikey_parse(key, len - 1, &id, back));
	ck_assert(!apikey_parse(key, len - SECRET_TEXT_LEN, &id, back));
	ck_assert(!apikey_parse(key, 3, &id, back));
	ck_assert(!apikey_parse(key, 0, &id, back));
	ck_assert_int_eq(id, -7);

	/* Exactly len bytes, no terminator: AddressSanitizer sees any over-read. */
	char *exact = malloc(len);
	ck_assert_ptr_nonnull(exact);
	memcpy(exact, key, len);
	ck_assert(apikey_parse(exact, len, &id, back));
	ck_assert_int_eq(id, 31);
	ck_assert(!apikey_parse(exact, len - 1, &id, back));
	free(exact);

	/* An id cut before its underscore, with no terminator either. */
	char *idonly = malloc(5);
	ck_assert_ptr_nonnull(idonly);
	memcpy(idonly, "dl_31", 5);
	ck_assert(!apikey_parse(idonly, 5, &id, back));
	free(idonly);
}
END_TEST

START_TEST(party_kind_names)
{
	ck_assert_str_eq(party_kind_name(PARTY_RETAILER), "retailer");
	ck_assert_str_eq(party_kind_name(PARTY_BRAND), "brand");
	ck_assert_str_eq(party_kind_name(PARTY_NONE), "none");
}
END_TEST

/* --- auth_parse_bearer --------------------------------------------------- */

static void assert_bearer(const char *header, const char *want)
{
	const char *token = NULL;
	size_t len = 0;
	ck_assert_msg(auth_parse_bearer(header, &token, &len), "\"%s\" should be a Bearer header",
		      header);
	ck_assert_msg(len == strlen(want) && memcmp(token, want, len) == 0,
		      "\"%s\": token \"%.*s\", want \"%s\"", header, (int)len, token, want);
	ck_assert_msg(token >= header && token + len <= header + strlen(header),
		      "\"%s\": token does not point into the header", header);
}

static void assert_not_bearer(const char *header)
{
	const char *token = NULL;
	size_t len = 12345;
	ck_assert_msg(!auth_parse_bearer(header, &token, &len), "\"%s\" should be refused",
		      header ? header : "(null)");
}

START_TEST(bearer_token_found)
{
	assert_bearer("Bearer abc", "abc");
	assert_bearer("Bearer dl_5_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		      "dl_5_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
}
END_TEST

START_TEST(bearer_scheme_is_case_insensitive)
{
	assert_bearer("bearer abc", "abc");
	assert_bearer("BEARER abc", "abc");
	assert_bearer("BeArEr abc", "abc");
}
END_TEST

START_TEST(bearer_extra_spaces_skipped)
{
	assert_bearer("Bearer   abc", "abc");
	assert_bearer("Bearer abc   ", "abc");
	assert_bearer("  Bearer  abc  ", "abc");
	assert_bearer("Bearer\tabc", "abc");
	assert_bearer("Bearer \t abc\t", "abc");
}
END_TEST

START_TEST(non_bearer_headers_refused)
{
	assert_not_bearer(NULL);
	assert_not_bearer("");
	assert_not_bearer("   ");
	assert_not_bearer("Basic abc");
	assert_not_bearer("Basic dXNlcjpwYXNz");
	assert_not_bearer("Bearer");
	assert_not_bearer("Bearer ");
	assert_not_bearer("Bearer    ");
	assert_not_bearer("Bearer a b");
	assert_not_bearer("Bearer abc def");
	assert_not_bearer("Bearerabc");
	assert_not_bearer("Bearer:abc");
	assert_not_bearer("Bear abc");
	assert_not_bearer("abc");
	assert_not_bearer("Token abc");
}
END_TEST

static Suite *apikey_suite(void)
{
	Suite *s = suite_create("apikey");

	TCase *tc = tcase_create("key");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, format_then_parse_round_trips);
	tcase_add_test(tc, round_trips_at_int64_max);
	tcase_add_test(tc, key_text_has_prefix_id_and_43_secret_chars);
	tcase_add_test(tc, fixed_secret_formats_canonically);
	tcase_add_test(tc, new_secrets_differ);
	tcase_add_test(tc, hash_is_deterministic_and_secret_dependent);
	tcase_add_test(tc, hash_equal_compares_every_byte);
	tcase_add_test(tc, parse_rejects_malformed_keys);
	tcase_add_test(tc, parse_rejects_non_base64url_chars);
	tcase_add_test(tc, parse_rejects_non_canonical_last_char);
	tcase_add_test(tc, parse_honours_len);
	tcase_add_test(tc, party_kind_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("bearer");
	tcase_add_test(tc, bearer_token_found);
	tcase_add_test(tc, bearer_scheme_is_case_insensitive);
	tcase_add_test(tc, bearer_extra_spaces_skipped);
	tcase_add_test(tc, non_bearer_headers_refused);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	return run_suite(apikey_suite());
}
