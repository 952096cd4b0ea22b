/*
 * Unit tests for the contract's error bodies: the refusal registry
 * (include/domain/refusal.h) and its rendering into replies
 * (include/api/request.h), the body walker (include/domain/spec.h), and
 * include/domain/validation.h.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/request.h"
#include "domain/refusal.h"
#include "domain/spec.h"
#include "domain/validation.h"
#include "handler.h" /* src/api/: api_reject_store() */
#include "harness.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Checks the {"error": {"code", "message", "fields"}} shape; returns "fields". */
static json_t *assert_error_shape(json_t *body, const char *code, const char *message)
{
	ck_assert_ptr_nonnull(body);
	ck_assert(json_is_object(body));
	ck_assert_uint_eq(json_object_size(body), 1);
	json_t *error = json_object_get(body, "error");
	ck_assert(json_is_object(error));
	ck_assert_uint_ge(json_object_size(error), 3);
	ck_assert(json_is_string(json_object_get(error, "code")));
	ck_assert_str_eq(json_string_value(json_object_get(error, "code")), code);
	ck_assert(json_is_string(json_object_get(error, "message")));
	if (message != NULL)
		ck_assert_str_eq(json_string_value(json_object_get(error, "message")), message);
	json_t *fields = json_object_get(error, "fields");
	ck_assert(json_is_array(fields));
	return fields;
}

/* Renders a request's outcome and parses its reply, checking its length and shape. */
static json_t *rendered(struct api_request *req, unsigned status, const char *code,
			const char *message)
{
	api_render(req);
	ck_assert_uint_eq(req->reply.status, status);
	ck_assert_ptr_nonnull(req->reply.body);
	ck_assert_uint_eq(req->reply.body_len, strlen(req->reply.body));
	json_error_t jerr;
	json_t *body = json_loads(req->reply.body, 0, &jerr);
	ck_assert_msg(body != NULL, "reply body is not JSON (%s): %s", jerr.text, req->reply.body);
	assert_error_shape(body, code, message);
	return body;
}

static json_t *body_fields(json_t *body)
{
	return json_object_get(json_object_get(body, "error"), "fields");
}

static void assert_item(json_t *list, size_t i, const char *field, const char *message)
{
	json_t *item = json_array_get(list, i);
	ck_assert_msg(json_is_object(item), "item %zu is not an object", i);
	ck_assert_uint_eq(json_object_size(item), 2);
	ck_assert_str_eq(json_string_value(json_object_get(item, "field")), field);
	ck_assert_str_eq(json_string_value(json_object_get(item, "message")), message);
}

/* --- the registry -------------------------------------------------------- */

/* Every template and header names only values a refusal has. */
START_TEST(every_template_renders)
{
	struct refusal r = {.id = 7, .number = 3, .kind = "order"};
	refusal_text(&r, "a");
	refusal_text2(&r, "b");
	for (int code = REFUSED_NONE + 1; code < REFUSAL_COUNT; code++) {
		r.code = (refusal_code)code;
		char message[512], name[128], value[128];
		const struct refusal_entry *e = refusal_entry(r.code);
		ck_assert_msg(refusal_message(&r, message, sizeof(message)), "%s: %s", e->name,
			      message);
		ck_assert_msg(strchr(message, '{') == NULL, "%s: %s", e->name, message);
		ck_assert_msg(e->status >= 400 && e->status <= 599, "%s", e->name);
		ck_assert_msg(e->code[0] != '\0', "%s", e->name);
		if (e->header != NULL)
			ck_assert_msg(refusal_header(&r, name, value, sizeof(value)), "%s",
				      e->name);
	}
	refusal_clear(&r);
}
END_TEST

START_TEST(refusal_body_borrows_fields)
{
	json_t *fields = json_array();
	ck_assert_int_eq(json_array_append_new(fields, json_pack("{s:s, s:s}", "field", "a",
								 "message", "is required")),
			 0);
	size_t before = fields->refcount;
	struct refusal r = {.code = REFUSED_FIELDS, .fields = json_incref(fields)};
	json_t *body = refusal_body(&r);
	json_t *got = assert_error_shape(body, "validation_failed", "1 field is invalid");
	ck_assert_uint_eq(json_array_size(got), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(got, 0), "field")), "a");
	json_decref(body);
	refusal_clear(&r);
	/* Still the caller's, with the same reference count. */
	ck_assert_uint_eq(fields->refcount, before);
	ck_assert_uint_eq(json_array_size(fields), 1);
	json_decref(fields);
}
END_TEST

START_TEST(refusal_body_serialises_to_contract_shape)
{
	struct refusal r = {.code = REFUSED_KEY_FORBIDDEN};
	refusal_text(&r, "brand 501");
	refusal_text2(&r, "retailer 500");
	json_t *body = refusal_body(&r);
	char *text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_str_eq(text, "{\"error\":{\"code\":\"forbidden\",\"fields\":[],\"message\":"
			       "\"this key is brand 501's, not retailer 500's\"}}");
	free(text);
	json_decref(body);
	refusal_clear(&r);
}
END_TEST

START_TEST(refusal_text_is_made_utf8_and_bounded)
{
	struct refusal r = {.code = REFUSED_ROUTE_UNKNOWN};
	char long_path[2000];
	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[sizeof(long_path) - 1] = '\0';
	long_path[3] = (char)0xff;
	refusal_text(&r, "GET %s", long_path);
	ck_assert_ptr_nonnull(r.text);
	ck_assert_uint_le(strlen(r.text), 400);
	ck_assert_ptr_null(strchr(r.text, (char)0xff));
	json_t *body = refusal_body(&r);
	ck_assert_ptr_nonnull(body);
	json_decref(body);
	refusal_clear(&r);
}
END_TEST

/* --- field_errors -------------------------------------------------------- */

START_TEST(field_errors_collect_field_and_message)
{
	field_errors fe;
	field_errors_init(&fe);
	ck_assert(!fe.oom);
	ck_assert_uint_eq(field_errors_count(&fe), 0);
	field_errors_add(&fe, "order_lines[0].quantity", "must be between %d and %d", 1, 9999);
	field_errors_add(&fe, "", "must be a JSON object");
	field_errors_add(&fe, "ship_to.name", "%s", "is required");
	ck_assert_uint_eq(field_errors_count(&fe), 3);
	ck_assert(json_is_array(fe.list));
	assert_item(fe.list, 0, "order_lines[0].quantity", "must be between 1 and 9999");
	assert_item(fe.list, 1, "", "must be a JSON object");
	assert_item(fe.list, 2, "ship_to.name", "is required");
	ck_assert(!fe.oom);
	field_errors_free(&fe);
	ck_assert_ptr_null(fe.list);
	ck_assert_uint_eq(field_errors_count(&fe), 0);
}
END_TEST

START_TEST(field_errors_message_is_not_a_format_of_the_field)
{
	field_errors fe;
	field_errors_init(&fe);
	/* A field holding '%' is data, not a format. */
	field_errors_add(&fe, "a%sb%n", "bad %s", "value%d");
	assert_item(fe.list, 0, "a%sb%n", "bad value%d");
	field_errors_free(&fe);
}
END_TEST

/* --- json_path ----------------------------------------------------------- */

START_TEST(json_path_builds_and_pops)
{
	json_path p;
	json_path_init(&p);
	ck_assert_str_eq(json_path_text(&p), "");

	size_t at_root = json_path_push_key(&p, "order_lines");
	ck_assert_uint_eq(at_root, 0);
	ck_assert_str_eq(json_path_text(&p), "order_lines");
	size_t at_lines = json_path_push_index(&p, 2);
	ck_assert_str_eq(json_path_text(&p), "order_lines[2]");
	size_t at_line = json_path_push_key(&p, "variant");
	ck_assert_str_eq(json_path_text(&p), "order_lines[2].variant");
	size_t at_variant = json_path_push_key(&p, "upc");
	ck_assert_str_eq(json_path_text(&p), "order_lines[2].variant.upc");

	json_path_pop(&p, at_variant);
	ck_assert_str_eq(json_path_text(&p), "order_lines[2].variant");
	json_path_pop(&p, at_line);
	ck_assert_str_eq(json_path_text(&p), "order_lines[2]");
	/* Siblings after a pop. */
	json_path_push_key(&p, "quantity");
	ck_assert_str_eq(json_path_text(&p), "order_lines[2].quantity");
	json_path_pop(&p, at_line);
	json_path_pop(&p, at_lines);
	ck_assert_str_eq(json_path_text(&p), "order_lines");
	json_path_push_index(&p, 10);
	ck_assert_str_eq(json_path_text(&p), "order_lines[10]");
	json_path_pop(&p, at_root);
	ck_assert_str_eq(json_path_text(&p), "");
	ck_assert_uint_eq(p.len, 0);

	/* A key at the root after popping everything has no leading dot. */
	json_path_push_key(&p, "ship_to");
	ck_assert_str_eq(json_path_text(&p), "ship_to");
	ck_assert(!p.failed);
	json_path_free(&p);
	ck_assert_str_eq(json_path_text(&p), "");
}
END_TEST

START_TEST(json_path_index_at_root)
{
	json_path p;
	json_path_init(&p);
	json_path_push_index(&p, 0);
	ck_assert_str_eq(json_path_text(&p), "[0]");
	json_path_push_key(&p, "id");
	ck_assert_str_eq(json_path_text(&p), "[0].id");
	json_path_free(&p);
}
END_TEST

START_TEST(json_path_grows_past_its_first_buffer)
{
	json_path p;
	json_path_init(&p);
	char want[4096] = "";
	size_t marks[100];
	for (size_t i = 0; i < 100; i++) {
		marks[i] = json_path_push_key(&p, "segment");
		strcat(want, i == 0 ? "segment" : ".segment");
		ck_assert_str_eq(json_path_text(&p), want);
	}
	ck_assert_uint_eq(p.len, strlen(want));
	json_path_pop(&p, marks[1]);
	ck_assert_str_eq(json_path_text(&p), "segment");
	ck_assert(!p.failed);
	json_path_free(&p);
}
END_TEST

START_TEST(json_path_pop_beyond_length_is_ignored)
{
	json_path p;
	json_path_init(&p);
	json_path_pop(&p, 0); /* nothing allocated yet */
	ck_assert_str_eq(json_path_text(&p), "");
	json_path_push_key(&p, "abc");
	json_path_pop(&p, 50);
	ck_assert_str_eq(json_path_text(&p), "abc");
	json_path_free(&p);
}
END_TEST

/* --- the body walker (spec_read) ------------------------------------------ */

/* A document {"order": {...}} read against a spec whose object is `fields`. */
struct vdoc {
	const char *name, *five, *nil;
	int64_t lo, hi, mid, id;
	const json_t *arr;
	struct {
		int64_t x;
	} obj;
	bool obj_ok;
};

static const struct spec_field text_fields[] = {
	{.name = "name",
	 .type = SPEC_TEXT,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct vdoc, name),
	 .max = 64},
	{.name = "five", .type = SPEC_TEXT, .offset = offsetof(struct vdoc, five), .max = 5},
	{.name = "nil", .type = SPEC_TEXT, .offset = offsetof(struct vdoc, nil), .max = 5},
	{.name = NULL},
};
static const struct spec text_spec = {text_fields, sizeof(struct vdoc), NULL};

struct wrapper {
	struct vdoc order;
};

/*
 * Reads {"order": <json>} with `inner` as the spec of "order"; fe gets the
 * problems. The document is gone on return: texts read are not to be used.
 */
static bool walk(const struct spec *inner, const char *json, struct vdoc *out, field_errors *fe)
{
	const struct spec_field outer_fields[] = {
		{.name = "order",
		 .type = SPEC_OBJECT,
		 .flags = SPEC_REQUIRED,
		 .offset = 0,
		 .object = inner},
		{.name = NULL},
	};
	const struct spec outer = {outer_fields, sizeof(struct wrapper), NULL};
	char text[1024];
	snprintf(text, sizeof(text), "{\"order\": %s}", json);
	json_error_t jerr;
	json_t *doc = json_loads(text, JSON_ALLOW_NUL, &jerr);
	ck_assert_msg(doc != NULL, "bad test JSON: %s", jerr.text);
	field_errors_init(fe);
	struct wrapper w = {.order = *out};
	bool ok = spec_read(&outer, doc, &w, NULL, fe);
	*out = w.order;
	spec_free(&outer, &w);
	json_decref(doc);
	return ok;
}

START_TEST(text_accepted_and_absent_left_as_is)
{
	field_errors fe;
	static const char sentinel[] = "absent";
	struct vdoc v = {.five = sentinel, .nil = sentinel};
	ck_assert(walk(&text_spec, "{\"name\": \"Ada\", \"nil\": null}", &v, &fe));
	ck_assert_uint_eq(field_errors_count(&fe), 0);
	ck_assert_ptr_eq(v.five, sentinel);
	ck_assert_ptr_eq(v.nil, sentinel);
	field_errors_free(&fe);
}
END_TEST

START_TEST(text_required_missing_or_null)
{
	field_errors fe;
	struct vdoc v = {0};
	ck_assert(!walk(&text_spec, "{}", &v, &fe));
	assert_item(fe.list, 0, "order.name", "is required");
	field_errors_free(&fe);
	ck_assert(!walk(&text_spec, "{\"name\": null}", &v, &fe));
	assert_item(fe.list, 0, "order.name", "is required");
	field_errors_free(&fe);
}
END_TEST

START_TEST(text_rejects_empty_long_and_non_strings)
{
	field_errors fe;
	struct vdoc v = {0};
	ck_assert(!walk(&text_spec, "{\"name\": \"\", \"five\": \"\", \"nil\": \"abcdef\"}", &v,
			&fe));
	ck_assert_uint_eq(field_errors_count(&fe), 3);
	assert_item(fe.list, 0, "order.name", "must not be empty");
	assert_item(fe.list, 1, "order.five", "must not be empty: send null or leave it out");
	assert_item(fe.list, 2, "order.nil", "must be at most 5 characters");
	field_errors_free(&fe);
	static const char *const bad[] = {"5", "[\"a\"]", "{}", "true"};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		char json[64];
		snprintf(json, sizeof(json), "{\"name\": %s}", bad[i]);
		ck_assert(!walk(&text_spec, json, &v, &fe));
		assert_item(fe.list, 0, "order.name", "must be a string");
		field_errors_free(&fe);
	}
}
END_TEST

/* Limits count characters, not bytes (CONTRACT.md: "characters"). */
START_TEST(text_length_counts_characters)
{
	field_errors fe;
	struct vdoc v = {0};
	/* Five characters, ten bytes. */
	ck_assert(walk(&text_spec,
		       "{\"name\": \"x\", \"five\": \"\u00e9\u00e9\u00e9\u00e9\u00e9\"}", &v, &fe));
	ck_assert_uint_eq(field_errors_count(&fe), 0);
	field_errors_free(&fe);
	ck_assert(!walk(&text_spec,
			"{\"name\": \"x\", \"five\": \"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\"}", &v,
			&fe));
	assert_item(fe.list, 0, "order.five", "must be at most 5 characters");
	field_errors_free(&fe);
}
END_TEST

START_TEST(text_rejects_embedded_nul)
{
	field_errors fe;
	struct vdoc v = {0};
	ck_assert(!walk(&text_spec, "{\"name\": \"a\\u0000b\"}", &v, &fe));
	ck_assert_ptr_null(v.name);
	assert_item(fe.list, 0, "order.name", "must not contain NUL characters");
	field_errors_free(&fe);
}
END_TEST

static const struct spec_field integer_fields[] = {
	{.name = "lo",
	 .type = SPEC_INTEGER,
	 .offset = offsetof(struct vdoc, lo),
	 .min = 1,
	 .max = 10},
	{.name = "hi",
	 .type = SPEC_INTEGER,
	 .offset = offsetof(struct vdoc, hi),
	 .min = 1,
	 .max = 10},
	{.name = "mid",
	 .type = SPEC_INTEGER,
	 .flags = SPEC_DIGITS,
	 .offset = offsetof(struct vdoc, mid),
	 .min = 1,
	 .max = 10},
	{.name = "id", .type = SPEC_ID, .offset = offsetof(struct vdoc, id)},
	{.name = NULL},
};
static const struct spec integer_spec = {integer_fields, sizeof(struct vdoc), NULL};

START_TEST(integers_within_bounds)
{
	field_errors fe;
	struct vdoc v = {0};
	ck_assert(walk(&integer_spec, "{\"lo\": 1, \"hi\": 10, \"mid\": \"5\", \"id\": \"42\"}", &v,
		       &fe));
	ck_assert_int_eq(v.lo, 1);
	ck_assert_int_eq(v.hi, 10);
	ck_assert_int_eq(v.mid, 5);
	ck_assert_int_eq(v.id, 42);
	field_errors_free(&fe);
}
END_TEST

START_TEST(integers_out_of_bounds)
{
	field_errors fe;
	struct vdoc v = {.lo = -1, .hi = -1, .mid = -1};
	ck_assert(!walk(&integer_spec, "{\"lo\": 0, \"hi\": 11, \"mid\": \"11\"}", &v, &fe));
	ck_assert_int_eq(v.lo, -1);
	ck_assert_uint_eq(field_errors_count(&fe), 3);
	assert_item(fe.list, 0, "order.lo", "must be between 1 and 10");
	assert_item(fe.list, 1, "order.hi", "must be between 1 and 10");
	assert_item(fe.list, 2, "order.mid", "must be between 1 and 10");
	field_errors_free(&fe);
}
END_TEST

START_TEST(integers_digit_strings_only_when_allowed)
{
	field_errors fe;
	struct vdoc v = {0};
	ck_assert(!walk(&integer_spec, "{\"lo\": \"4\"}", &v, &fe));
	assert_item(fe.list, 0, "order.lo", "must be an integer");
	field_errors_free(&fe);
	static const char *const bad[] = {
		"\"\"",	   "\"-5\"", "\"+5\"", "\"12a\"", "\" 1\"", "\"1234567890123456789\"",
		"\"1.0\"", "5.0",    "true",   "[1]",	  "{}"};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		char json[64];
		snprintf(json, sizeof(json), "{\"id\": %s}", bad[i]);
		ck_assert_msg(!walk(&integer_spec, json, &v, &fe), "%s should be refused", bad[i]);
		assert_item(fe.list, 0, "order.id", "must be an integer or a string of digits");
		field_errors_free(&fe);
	}
}
END_TEST

static const struct spec_field inner_fields[] = {
	{.name = "x",
	 .type = SPEC_INTEGER,
	 .flags = SPEC_REQUIRED,
	 .offset = 0,
	 .min = 0,
	 .max = 9},
	{.name = NULL},
};
static const struct spec inner_spec = {inner_fields, sizeof(int64_t), NULL};
static const struct spec_field shape_fields[] = {
	{.name = "obj",
	 .type = SPEC_OBJECT,
	 .flags = SPEC_REQUIRED | SPEC_OK_FLAG,
	 .offset = offsetof(struct vdoc, obj),
	 .ok_offset = offsetof(struct vdoc, obj_ok),
	 .object = &inner_spec},
	{.name = "arr",
	 .type = SPEC_ARRAY,
	 .flags = SPEC_REQUIRED,
	 .offset = offsetof(struct vdoc, arr),
	 .max_items = 2},
	{.name = NULL},
};
static const struct spec shape_spec = {shape_fields, sizeof(struct vdoc), NULL};

START_TEST(objects_and_arrays)
{
	field_errors fe;
	struct vdoc v = {0};
	ck_assert(walk(&shape_spec, "{\"obj\": {\"x\": 4}, \"arr\": [1, \"a\"]}", &v, &fe));
	ck_assert(v.obj_ok);
	ck_assert_int_eq(v.obj.x, 4);
	ck_assert_ptr_nonnull(v.arr);
	field_errors_free(&fe);
	ck_assert(!walk(&shape_spec, "{\"obj\": [], \"arr\": {}}", &v, &fe));
	assert_item(fe.list, 0, "order.obj", "must be an object");
	assert_item(fe.list, 1, "order.arr", "must be an array");
	field_errors_free(&fe);
	v.obj_ok = true;
	ck_assert(!walk(&shape_spec, "{\"obj\": {\"x\": 10}, \"arr\": [1, 2, 3]}", &v, &fe));
	ck_assert(!v.obj_ok);
	assert_item(fe.list, 0, "order.obj.x", "must be between 0 and 9");
	assert_item(fe.list, 1, "order.arr", "must have at most 2 items");
	field_errors_free(&fe);
	ck_assert(!walk(&shape_spec, "{}", &v, &fe));
	assert_item(fe.list, 0, "order.obj", "is required");
	assert_item(fe.list, 1, "order.arr", "is required");
	field_errors_free(&fe);
}
END_TEST

START_TEST(unknown_keys_each_with_path)
{
	field_errors fe;
	struct vdoc v = {0};
	ck_assert(!walk(&shape_spec,
			"{\"obj\": {\"x\": 1, \"color\": 1, \"size\": 2}, \"arr\": []}", &v, &fe));
	ck_assert_uint_eq(field_errors_count(&fe), 2);
	/* Object order is not promised: look for both. */
	bool color = false, size = false;
	size_t i;
	json_t *item;
	json_array_foreach(fe.list, i, item)
	{
		const char *field = json_string_value(json_object_get(item, "field"));
		ck_assert_str_eq(json_string_value(json_object_get(item, "message")),
				 "unknown field");
		if (strcmp(field, "order.obj.color") == 0)
			color = true;
		else if (strcmp(field, "order.obj.size") == 0)
			size = true;
		else
			ck_abort_msg("unexpected field \"%s\"", field);
	}
	ck_assert(color && size);
	field_errors_free(&fe);
}
END_TEST

START_TEST(document_must_be_an_object)
{
	field_errors fe;
	field_errors_init(&fe);
	struct vdoc v = {0};
	json_t *doc = json_pack("[i]", 1);
	ck_assert(!spec_read(&text_spec, doc, &v, NULL, &fe));
	assert_item(fe.list, 0, "", "the body must be a JSON object");
	json_decref(doc);
	field_errors_free(&fe);
}
END_TEST

/* --- rendering refusals ---------------------------------------------------- */

START_TEST(render_not_found)
{
	struct api_request req;
	api_request_init(&req, NULL);
	api_reject_missing(&req, "order", 7);
	json_t *body = rendered(&req, 404, "not_found", "no order 7 here");
	ck_assert_uint_eq(json_array_size(body_fields(body)), 0);
	json_decref(body);
	api_request_clear(&req);
	ck_assert_uint_eq(req.reply.status, 0);
	ck_assert_ptr_null(req.reply.body);
}
END_TEST

START_TEST(a_later_refusal_replaces_an_earlier_one)
{
	struct api_request req;
	api_request_init(&req, NULL);
	api_reject_missing(&req, "order", 7);
	api_reject(&req, REFUSED_ORDER_CANCELED_SHIP, 8);
	json_t *body =
		rendered(&req, 409, "conflict", "order 8 is canceled: nothing can be shipped");
	json_decref(body);
	/* Rendered once: a later outcome does not change the reply. */
	api_reject_missing(&req, "order", 9);
	api_render(&req);
	ck_assert_uint_eq(req.reply.status, 409);
	api_request_clear(&req);
}
END_TEST

START_TEST(render_field_problems)
{
	struct api_request req;
	api_request_init(&req, NULL);
	field_errors fe;
	field_errors_init(&fe);
	field_errors_add(&fe, "order_lines[0].quantity", "must be between 1 and 9999");
	field_errors_add(&fe, "ship_to", "is required");
	size_t before = fe.list->refcount;
	api_reject_fields(&req, REFUSED_FIELDS, &fe);
	json_t *body = rendered(&req, 400, "validation_failed", "2 fields are invalid");
	json_t *fields = body_fields(body);
	ck_assert_uint_eq(json_array_size(fields), 2);
	assert_item(fields, 0, "order_lines[0].quantity", "must be between 1 and 9999");
	assert_item(fields, 1, "ship_to", "is required");
	json_decref(body);
	api_request_clear(&req);
	/* fe stays the caller's. */
	ck_assert_uint_eq(fe.list->refcount, before);
	ck_assert_uint_eq(field_errors_count(&fe), 2);
	field_errors_free(&fe);

	field_errors_init(&fe);
	field_errors_add(&fe, "ship_to", "is required");
	api_request_init(&req, NULL);
	api_reject_fields(&req, REFUSED_FIELDS, &fe);
	body = rendered(&req, 400, "validation_failed", "1 field is invalid");
	json_decref(body);
	api_request_clear(&req);
	field_errors_free(&fe);
}
END_TEST

START_TEST(render_query_parameters)
{
	struct api_request req;
	api_request_init(&req, NULL);
	field_errors fe;
	field_errors_init(&fe);
	field_errors_add(&fe, "limit", "must be an integer from 1 to 250");
	api_refuse_fields(&req, REFUSED_PARAMETERS, &fe);
	json_t *body = rendered(&req, 400, "invalid_parameter", "1 query parameter is invalid");
	assert_item(body_fields(body), 0, "limit", "must be an integer from 1 to 250");
	json_decref(body);
	api_request_clear(&req);

	field_errors_add(&fe, "foo", "unknown parameter");
	api_request_init(&req, NULL);
	api_refuse_fields(&req, REFUSED_PARAMETERS, &fe);
	body = rendered(&req, 400, "invalid_parameter", "2 query parameters are invalid");
	ck_assert_uint_eq(json_array_size(body_fields(body)), 2);
	json_decref(body);
	field_errors_free(&fe);
	api_request_clear(&req);
}
END_TEST

START_TEST(render_out_of_memory_is_internal)
{
	struct api_request req;
	api_request_init(&req, NULL);
	field_errors fe;
	field_errors_init(&fe);
	field_errors_add(&fe, "ship_to", "is required");
	fe.oom = true;
	api_reject_fields(&req, REFUSED_FIELDS, &fe);
	json_t *body = rendered(&req, 500, "internal", NULL);
	json_decref(body);
	field_errors_free(&fe);
	api_request_clear(&req);
}
END_TEST

START_TEST(render_busy_store_is_503)
{
	struct api_request req;
	api_request_init(&req, NULL);
	api_reject_store(&req, STORE_BUSY);
	json_t *body = rendered(&req, 503, "unavailable", NULL);
	json_decref(body);
	api_request_clear(&req);
}
END_TEST

START_TEST(render_other_store_failure_is_500_without_sql)
{
	struct api_request req;
	api_request_init(&req, NULL);
	api_reject_store(&req, STORE_ERROR);
	json_t *body = rendered(&req, 500, "internal", NULL);
	static const char *const leaks[] = {"sqlite",	"SQLite",   "SQLITE", "SQL",
					    "database", "disk I/O", "locked", "constraint"};
	for (size_t i = 0; i < ARRAY_LEN(leaks); i++)
		ck_assert_msg(strstr(req.reply.body, leaks[i]) == NULL, "body mentions \"%s\": %s",
			      leaks[i], req.reply.body);
	json_decref(body);
	api_request_clear(&req);
}
END_TEST

START_TEST(registry_headers_go_with_the_reply)
{
	struct api_request req;
	api_request_init(&req, NULL);
	api_refuse(&req, REFUSED_RATE)->number = 2;
	json_t *body = rendered(&req, 429, "rate_limited",
				"too many requests with this key; retry in 2 s");
	json_decref(body);
	ck_assert_uint_eq(req.reply.nheaders, 1);
	ck_assert_str_eq(req.reply.headers[0].name, "Retry-After");
	ck_assert_str_eq(req.reply.headers[0].value, "2");
	api_request_clear(&req);
	ck_assert_uint_eq(req.reply.nheaders, 0);

	api_request_init(&req, NULL);
	struct refusal *r = api_refuse(&req, REFUSED_METHOD);
	refusal_text(r, "DELETE");
	refusal_text2(r, "GET, HEAD");
	body = rendered(&req, 405, "method_not_allowed",
			"DELETE is not allowed here; allowed: GET, HEAD");
	json_decref(body);
	ck_assert_str_eq(req.reply.headers[0].name, "Allow");
	ck_assert_str_eq(req.reply.headers[0].value, "GET, HEAD");
	api_request_clear(&req);
}
END_TEST

static Suite *errors_suite(void)
{
	Suite *s = suite_create("errors");

	TCase *tc = tcase_create("registry");
	tcase_add_test(tc, every_template_renders);
	tcase_add_test(tc, refusal_body_borrows_fields);
	tcase_add_test(tc, refusal_body_serialises_to_contract_shape);
	tcase_add_test(tc, refusal_text_is_made_utf8_and_bounded);
	suite_add_tcase(s, tc);

	tc = tcase_create("field_errors");
	tcase_add_test(tc, field_errors_collect_field_and_message);
	tcase_add_test(tc, field_errors_message_is_not_a_format_of_the_field);
	suite_add_tcase(s, tc);

	tc = tcase_create("json_path");
	tcase_add_test(tc, json_path_builds_and_pops);
	tcase_add_test(tc, json_path_index_at_root);
	tcase_add_test(tc, json_path_grows_past_its_first_buffer);
	tcase_add_test(tc, json_path_pop_beyond_length_is_ignored);
	suite_add_tcase(s, tc);

	tc = tcase_create("spec");
	tcase_add_test(tc, text_accepted_and_absent_left_as_is);
	tcase_add_test(tc, text_required_missing_or_null);
	tcase_add_test(tc, text_rejects_empty_long_and_non_strings);
	tcase_add_test(tc, text_length_counts_characters);
	tcase_add_test(tc, text_rejects_embedded_nul);
	tcase_add_test(tc, integers_within_bounds);
	tcase_add_test(tc, integers_out_of_bounds);
	tcase_add_test(tc, integers_digit_strings_only_when_allowed);
	tcase_add_test(tc, objects_and_arrays);
	tcase_add_test(tc, unknown_keys_each_with_path);
	tcase_add_test(tc, document_must_be_an_object);
	suite_add_tcase(s, tc);

	tc = tcase_create("render");
	tcase_add_test(tc, render_not_found);
	tcase_add_test(tc, a_later_refusal_replaces_an_earlier_one);
	tcase_add_test(tc, render_field_problems);
	tcase_add_test(tc, render_query_parameters);
	tcase_add_test(tc, render_out_of_memory_is_internal);
	tcase_add_test(tc, render_busy_store_is_503);
	tcase_add_test(tc, render_other_store_failure_is_500_without_sql);
	tcase_add_test(tc, registry_headers_go_with_the_reply);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	return run_suite(errors_suite());
}
