/*
 * Webhook subscription bodies (POST .../webhooks/): the input is read with
 * json_loadb(JSON_REJECT_DUPLICATES) as src/http/checks.c does, walked
 * against the real webhook_body_spec (src/api/webhooks.c), and an accepted
 * body's URL goes through webhook_url_check() (with private addresses
 * allowed, so that the harness resolves no names). An accepted body has a
 * URL within its bound, 1 to 32 distinct valid types or prefixes that
 * serialise as stored, a description within its bound; a refused one says
 * why; a URL that passes the check parses as http(s) with a host.
 */
#include <stdbool.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "domain/spec.h"
#include "fuzz_util.h"
#include "handler.h"
#include "webhooks.h"

static bool text_ok(const char *s, size_t max)
{
	return s != NULL && s[0] != '\0' && utf8_length(s, strlen(s)) <= max;
}

static void check_accepted(const struct webhook_body *b)
{
	FUZZ_CHECK(text_ok(b->url, WEBHOOK_URL_MAX));
	FUZZ_CHECK(b->description == NULL || text_ok(b->description, WEBHOOK_DESCRIPTION_MAX));
	size_t n = json_array_size(b->event_types);
	FUZZ_CHECK(n >= 1 && n <= WEBHOOK_TYPES_MAX);
	for (size_t i = 0; i < n; i++) {
		const char *t = json_string_value(json_array_get(b->event_types, i));
		FUZZ_CHECK(t != NULL && api_event_type_filter_valid(t));
		for (size_t j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(t, json_string_value(
						     json_array_get(b->event_types, j))) != 0);
	}
	/* Stored as JSON text: it must read back as the same array. */
	char *text = json_dumps(b->event_types, JSON_COMPACT);
	json_t *back = text ? json_loads(text, 0, NULL) : NULL;
	FUZZ_CHECK(back != NULL && json_equal(back, b->event_types));
	json_decref(back);
	free(text);

	struct api_webhook_options o = {.allow_http = true, .allow_private = true};
	field_errors fe;
	field_errors_init(&fe);
	webhook_url_check(&o, b->url, &fe);
	if (field_errors_count(&fe) == 0 && !fe.oom) {
		CURLU *u = curl_url();
		char *scheme = NULL, *host = NULL;
		FUZZ_REQUIRE(u != NULL);
		FUZZ_CHECK(curl_url_set(u, CURLUPART_URL, b->url, 0) == CURLUE_OK);
		FUZZ_CHECK(curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK);
		FUZZ_CHECK(strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0);
		FUZZ_CHECK(curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host[0]);
		curl_free(scheme);
		curl_free(host);
		curl_url_cleanup(u);
	}
	field_errors_free(&fe);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	if (body == NULL)
		return 0;
	struct webhook_body b;
	memset(&b, 0, sizeof(b));
	field_errors fe;
	field_errors_init(&fe);
	FUZZ_REQUIRE(!fe.oom);
	bool ok = spec_read(&webhook_body_spec, body, &b, NULL, &fe);
	if (ok)
		check_accepted(&b);
	else
		FUZZ_CHECK(field_errors_count(&fe) > 0 || fe.oom);
	size_t i;
	json_t *item;
	json_array_foreach(fe.list, i, item)
	{
		FUZZ_CHECK(json_is_string(json_object_get(item, "field")));
		FUZZ_CHECK(json_string_length(json_object_get(item, "message")) > 0);
	}
	spec_free(&webhook_body_spec, &b);
	field_errors_free(&fe);
	json_decref(body);
	return 0;
}
