/*
 * Authorization headers and API keys: auth_parse_bearer() on the input as a
 * header value, then apikey_parse() on the token it finds, as
 * api_authenticate() does; and apikey_parse() on the raw input (it takes a
 * length: ASan sees any read past it). A parsed key is exactly the text
 * apikey_format() writes for its id and secret: one key, one spelling.
 */
#include <stdbool.h>
#include <strings.h>

#include "domain/apikey.h"
#include "api/auth.h"
#include "fuzz_util.h"

static void check_key(const char *text, size_t len)
{
	int64_t id = 0;
	uint8_t secret[APIKEY_SECRET_BYTES];
	if (!apikey_parse(text, len, &id, secret))
		return;
	FUZZ_CHECK(id > 0);
	char again[APIKEY_TEXT_MAX];
	apikey_format(id, secret, again);
	FUZZ_CHECK(strlen(again) == len && memcmp(again, text, len) == 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	FUZZ_REQUIRE(apikey_init());
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_key((const char *)data, size);

	char *header = fuzz_strndup(data, size);
	const char *token = NULL;
	size_t len = 0;
	if (auth_parse_bearer(header, &token, &len)) {
		size_t hlen = strlen(header);
		FUZZ_CHECK(token > header && token + len <= header + hlen);
		FUZZ_CHECK(len > 0);
		for (size_t i = 0; i < len; i++)
			FUZZ_CHECK(token[i] != ' ' && token[i] != '\t' && token[i] != '\0');
		/* Only blanks around the token, and the scheme before it. */
		for (const char *p = token + len; *p; p++)
			FUZZ_CHECK(*p == ' ' || *p == '\t');
		const char *s = header;
		while (*s == ' ' || *s == '\t')
			s++;
		FUZZ_CHECK(strncasecmp(s, "Bearer", 6) == 0);
		for (const char *p = s + 6; p < token; p++)
			FUZZ_CHECK(*p == ' ' || *p == '\t');
		/* An exact-size copy, so a read past the token shows. */
		char *copy = malloc(len);
		FUZZ_REQUIRE(copy != NULL);
		memcpy(copy, token, len);
		check_key(copy, len);
		free(copy);
	}
	free(header);
	return 0;
}
