/*
 * List cursors (the "cursor" query parameter of every list):
 * list_cursor_decode() on the input as text, and on the input base64-encoded
 * the way list_cursor_encode() does, so that the fuzzer also controls the
 * decoded bytes directly rather than only through base64. A decoded cursor
 * names a positive id and a direction, and encoding it again decodes to the
 * same; list_cursor_valid() agrees with list_cursor_decode().
 */
#include <stdbool.h>

#include <sodium.h>

#include "list.h"
#include "fuzz_util.h"

static void check_cursor(const char *text)
{
	page_direction dir = PAGE_FIRST;
	int64_t id = 0;
	bool ok = list_cursor_decode(text, &dir, &id);
	FUZZ_CHECK(ok == list_cursor_valid(text));
	if (!ok)
		return;
	FUZZ_CHECK(id > 0);
	FUZZ_CHECK(dir == PAGE_AFTER || dir == PAGE_BEFORE);
	char again[LIST_CURSOR_MAX];
	list_cursor_encode(dir, id, again);
	page_direction dir2 = PAGE_FIRST;
	int64_t id2 = 0;
	FUZZ_CHECK(list_cursor_decode(again, &dir2, &id2));
	FUZZ_CHECK(dir2 == dir && id2 == id);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	FUZZ_REQUIRE(sodium_init() >= 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size);
	check_cursor(text);
	free(text);

	/* The plain bytes of a cursor ("a123"), as a client could encode any of them. */
	if (size <= 64) {
		char b64[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
		sodium_bin2base64(b64, sizeof(b64), data, size,
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		check_cursor(b64);
	}
	return 0;
}
