/*
 * Unit tests for the contract's error bodies and replies (error_body() and
 * reply_*() of include/http/request.h) and for include/domain/validation.h.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/validation.h"
#include "harness.h"
#include "http/request.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Checks the {"error": {"code", "message", "fields"}} shape; returns "fields". */
static json_t *assert_error_shape(json_t *body, const char *code, const char *message)
{
	ck_assert_ptr_nonnull(body);
	ck_assert(json_is_object(body));
	ck_assert_uint_eq(json_object_size(body), 1);
	json_t *error = json_object_get(body, "error");
	ck_assert(json_is_object(error));
	ck_assert_uint_eq(json_object_size(error), 3);
	ck_assert(json_is_string(json_object_get(error, "code")));
	ck_assert_str_eq(json_string_value(json_object_get(error, "code")), code);
	ck_assert(json_is_string(json_object_get(error, "message")));
	if (message != NULL)
		ck_assert_str_eq(json_string_value(json_object_get(error, "message")), message);
	json_t *fields = json_object_get(error, "fields");
	ck_assert(json_is_array(fields));
	return fields;
}

/* Parses a reply's body, checking its length and shape. Caller decrefs. */
static json_t *reply_body(const struct request *req, unsigned status, const char *code,
			  const char *message)
{
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

/* --- error_body ---------------------------------------------------------- */

START_TEST(error_body_without_fields_has_empty_list)
{
	json_t *body = error_body("not_found", "no such order", NULL);
	json_t *fields = assert_error_shape(body, "not_found", "no such order");
	ck_assert_uint_eq(json_array_size(fields), 0);
	json_decref(body);
}
END_TEST

START_TEST(error_body_borrows_fields)
{
	json_t *fields = json_array();
	ck_assert_ptr_nonnull(fields);
	ck_assert_int_eq(json_array_append_new(fields, json_pack("{s:s, s:s}", "field", "a",
								 "message", "is required")),
			 0);
	size_t before = fields->refcount;

	json_t *body = error_body("invalid_body", "1 field is invalid", fields);
	json_t *got = assert_error_shape(body, "invalid_body", "1 field is invalid");
	ck_assert_uint_eq(json_array_size(got), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(got, 0), "field")), "a");
	json_decref(body);

	/* Still the caller's, with the same reference count. */
	ck_assert_uint_eq(fields->refcount, before);
	ck_assert_uint_eq(json_array_size(fields), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(fields, 0), "message")),
			 "is required");
	json_decref(fields);
}
END_TEST

START_TEST(error_body_serialises_to_contract_shape)
{
	json_t *body = error_body("forbidden", "this key belongs to another retailer", NULL);
	char *text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_str_eq(text, "{\"error\":{\"code\":\"forbidden\",\"fields\":[],\"message\":"
			       "\"this key belongs to another retailer\"}}");
	free(text);
	json_decref(body);
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

/* --- validate_* ---------------------------------------------------------- */

/* A document, a path "order" and an error list for validate_* tests. */
struct vctx {
	json_t *doc;
	json_path p;
	field_errors fe;
};

static void vctx_open(struct vctx *v, const char *json)
{
	json_error_t jerr;
	v->doc = json_loads(json, 0, &jerr);
	ck_assert_msg(v->doc != NULL, "bad test JSON: %s", jerr.text);
	json_path_init(&v->p);
	json_path_push_key(&v->p, "order");
	field_errors_init(&v->fe);
}

static void vctx_close(struct vctx *v)
{
	/* Every validate_* leaves the path as it found it. */
	ck_assert_str_eq(json_path_text(&v->p), "order");
	json_decref(v->doc);
	json_path_free(&v->p);
	field_errors_free(&v->fe);
}

START_TEST(validate_string_accepts_and_borrows)
{
	struct vctx v;
	vctx_open(&v, "{\"name\": \"Ada\", \"five\": \"abcde\"}");
	const char *out = NULL;
	ck_assert(validate_string(v.doc, "name", true, 64, &v.p, &v.fe, &out));
	ck_assert_ptr_eq(out, json_string_value(json_object_get(v.doc, "name")));
	ck_assert_str_eq(out, "Ada");
	ck_assert(validate_string(v.doc, "five", false, 5, &v.p, &v.fe, &out));
	ck_assert_str_eq(out, "abcde");
	ck_assert_uint_eq(field_errors_count(&v.fe), 0);
	vctx_close(&v);
}
END_TEST

START_TEST(validate_string_required_missing_or_null)
{
	struct vctx v;
	vctx_open(&v, "{\"nil\": null}");
	const char *out = "untouched";
	ck_assert(!validate_string(v.doc, "name", true, 64, &v.p, &v.fe, &out));
	ck_assert(!validate_string(v.doc, "nil", true, 64, &v.p, &v.fe, &out));
	ck_assert_str_eq(out, "untouched");
	ck_assert_uint_eq(field_errors_count(&v.fe), 2);
	assert_item(v.fe.list, 0, "order.name", "is required");
	assert_item(v.fe.list, 1, "order.nil", "is required");
	vctx_close(&v);
}
END_TEST

START_TEST(validate_string_optional_absent_leaves_out)
{
	struct vctx v;
	vctx_open(&v, "{\"nil\": null}");
	static const char sentinel[] = "absent";
	const char *out = sentinel;
	ck_assert(validate_string(v.doc, "name", false, 64, &v.p, &v.fe, &out));
	ck_assert_ptr_eq(out, sentinel);
	ck_assert(validate_string(v.doc, "nil", false, 64, &v.p, &v.fe, &out));
	ck_assert_ptr_eq(out, sentinel);
	ck_assert_uint_eq(field_errors_count(&v.fe), 0);
	vctx_close(&v);
}
END_TEST

START_TEST(validate_string_rejects_empty_long_and_non_strings)
{
	struct vctx v;
	vctx_open(&v, "{\"empty\": \"\", \"long\": \"abcdef\", \"num\": 5, \"arr\": [\"a\"],"
		      " \"obj\": {}, \"flag\": true}");
	const char *out = "untouched";
	ck_assert(!validate_string(v.doc, "empty", true, 5, &v.p, &v.fe, &out));
	ck_assert(!validate_string(v.doc, "empty", false, 5, &v.p, &v.fe, &out));
	ck_assert(!validate_string(v.doc, "long", true, 5, &v.p, &v.fe, &out));
	ck_assert(!validate_string(v.doc, "num", true, 5, &v.p, &v.fe, &out));
	ck_assert(!validate_string(v.doc, "arr", false, 5, &v.p, &v.fe, &out));
	ck_assert(!validate_string(v.doc, "obj", false, 5, &v.p, &v.fe, &out));
	ck_assert(!validate_string(v.doc, "flag", false, 5, &v.p, &v.fe, &out));
	ck_assert_str_eq(out, "untouched");
	ck_assert_uint_eq(field_errors_count(&v.fe), 7);
	assert_item(v.fe.list, 0, "order.empty", "must not be empty");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(v.fe.list, 1), "field")),
			 "order.empty");
	assert_item(v.fe.list, 2, "order.long", "must be at most 5 characters");
	assert_item(v.fe.list, 3, "order.num", "must be a string");
	assert_item(v.fe.list, 4, "order.arr", "must be a string");
	assert_item(v.fe.list, 5, "order.obj", "must be a string");
	assert_item(v.fe.list, 6, "order.flag", "must be a string");
	vctx_close(&v);
}
END_TEST

START_TEST(validate_string_rejects_embedded_nul)
{
	struct vctx v;
	vctx_open(&v, "{}");
	ck_assert_int_eq(json_object_set_new(v.doc, "name", json_stringn("a\0b", 3)), 0);
	const char *out = NULL;
	ck_assert(!validate_string(v.doc, "name", true, 64, &v.p, &v.fe, &out));
	ck_assert_ptr_null(out);
	ck_assert_uint_eq(field_errors_count(&v.fe), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(v.fe.list, 0), "field")),
			 "order.name");
	vctx_close(&v);
}
END_TEST

START_TEST(validate_integer_accepts_integers_within_bounds)
{
	struct vctx v;
	vctx_open(&v, "{\"lo\": 1, \"hi\": 10, \"mid\": 5}");
	int64_t out = -1;
	ck_assert(validate_integer(v.doc, "lo", true, 1, 10, false, &v.p, &v.fe, &out));
	ck_assert_int_eq(out, 1);
	ck_assert(validate_integer(v.doc, "hi", true, 1, 10, false, &v.p, &v.fe, &out));
	ck_assert_int_eq(out, 10);
	ck_assert(validate_integer(v.doc, "mid", true, 1, 10, true, &v.p, &v.fe, &out));
	ck_assert_int_eq(out, 5);
	ck_assert_uint_eq(field_errors_count(&v.fe), 0);
	vctx_close(&v);
}
END_TEST

START_TEST(validate_integer_out_of_bounds)
{
	struct vctx v;
	vctx_open(&v, "{\"lo\": 0, \"hi\": 11, \"neg\": -3, \"slo\": \"0\", \"shi\": \"11\"}");
	int64_t out = -1;
	ck_assert(!validate_integer(v.doc, "lo", true, 1, 10, false, &v.p, &v.fe, &out));
	ck_assert(!validate_integer(v.doc, "hi", true, 1, 10, false, &v.p, &v.fe, &out));
	ck_assert(!validate_integer(v.doc, "neg", true, 1, 10, false, &v.p, &v.fe, &out));
	ck_assert(!validate_integer(v.doc, "slo", true, 1, 10, true, &v.p, &v.fe, &out));
	ck_assert(!validate_integer(v.doc, "shi", true, 1, 10, true, &v.p, &v.fe, &out));
	ck_assert_int_eq(out, -1);
	ck_assert_uint_eq(field_errors_count(&v.fe), 5);
	assert_item(v.fe.list, 0, "order.lo", "must be between 1 and 10");
	assert_item(v.fe.list, 1, "order.hi", "must be between 1 and 10");
	assert_item(v.fe.list, 2, "order.neg", "must be between 1 and 10");
	assert_item(v.fe.list, 3, "order.slo", "must be between 1 and 10");
	assert_item(v.fe.list, 4, "order.shi", "must be between 1 and 10");
	vctx_close(&v);
}
END_TEST

START_TEST(validate_integer_digit_string_only_when_allowed)
{
	struct vctx v;
	vctx_open(&v, "{\"id\": \"42\", \"big\": \"999999999999999999\"}");
	int64_t out = -1;
	ck_assert(validate_integer(v.doc, "id", true, 1, INT64_MAX, true, &v.p, &v.fe, &out));
	ck_assert_int_eq(out, 42);
	ck_assert(validate_integer(v.doc, "big", true, 1, INT64_MAX, true, &v.p, &v.fe, &out));
	ck_assert_int_eq(out, INT64_C(999999999999999999));
	ck_assert_uint_eq(field_errors_count(&v.fe), 0);

	out = -1;
	ck_assert(!validate_integer(v.doc, "id", true, 1, INT64_MAX, false, &v.p, &v.fe, &out));
	ck_assert_int_eq(out, -1);
	ck_assert_uint_eq(field_errors_count(&v.fe), 1);
	assert_item(v.fe.list, 0, "order.id", "must be an integer");
	vctx_close(&v);
}
END_TEST

START_TEST(validate_integer_rejects_bad_digit_strings_and_types)
{
	struct vctx v;
	vctx_open(&v, "{\"a\": \"\", \"b\": \"-5\", \"c\": \"+5\", \"d\": \"12a\", \"e\": \" 1\","
		      " \"f\": \"1234567890123456789\", \"g\": \"1.0\", \"h\": 5.0, \"i\": true,"
		      " \"j\": [1], \"k\": {}}");
	static const char *const keys[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"};
	int64_t out = -1;
	for (size_t i = 0; i < ARRAY_LEN(keys); i++)
		ck_assert_msg(!validate_integer(v.doc, keys[i], true, INT64_MIN, INT64_MAX, true,
						&v.p, &v.fe, &out),
			      "\"%s\" should be refused", keys[i]);
	ck_assert_int_eq(out, -1);
	ck_assert_uint_eq(field_errors_count(&v.fe), ARRAY_LEN(keys));
	for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
		char field[32];
		snprintf(field, sizeof(field), "order.%s", keys[i]);
		assert_item(v.fe.list, i, field, "must be an integer or a string of digits");
	}
	vctx_close(&v);
}
END_TEST

START_TEST(validate_integer_missing)
{
	struct vctx v;
	vctx_open(&v, "{\"nil\": null}");
	int64_t out = -1;
	ck_assert(validate_integer(v.doc, "qty", false, 1, 10, false, &v.p, &v.fe, &out));
	ck_assert(validate_integer(v.doc, "nil", false, 1, 10, false, &v.p, &v.fe, &out));
	ck_assert_int_eq(out, -1);
	ck_assert_uint_eq(field_errors_count(&v.fe), 0);
	ck_assert(!validate_integer(v.doc, "qty", true, 1, 10, false, &v.p, &v.fe, &out));
	ck_assert(!validate_integer(v.doc, "nil", true, 1, 10, false, &v.p, &v.fe, &out));
	ck_assert_int_eq(out, -1);
	assert_item(v.fe.list, 0, "order.qty", "is required");
	assert_item(v.fe.list, 1, "order.nil", "is required");
	vctx_close(&v);
}
END_TEST

START_TEST(validate_object_and_array)
{
	struct vctx v;
	vctx_open(&v, "{\"ship_to\": {}, \"order_lines\": [], \"bad_obj\": [], \"bad_arr\": {}}");
	json_t *out = NULL;
	ck_assert(validate_object(v.doc, "ship_to", true, &v.p, &v.fe, &out));
	ck_assert_ptr_eq(out, json_object_get(v.doc, "ship_to"));
	ck_assert(validate_array(v.doc, "order_lines", true, &v.p, &v.fe, &out));
	ck_assert_ptr_eq(out, json_object_get(v.doc, "order_lines"));
	out = NULL;
	ck_assert(!validate_object(v.doc, "bad_obj", true, &v.p, &v.fe, &out));
	ck_assert(!validate_array(v.doc, "bad_arr", true, &v.p, &v.fe, &out));
	ck_assert(!validate_object(v.doc, "missing", true, &v.p, &v.fe, &out));
	ck_assert(validate_array(v.doc, "missing", false, &v.p, &v.fe, &out));
	ck_assert_ptr_null(out);
	ck_assert_uint_eq(field_errors_count(&v.fe), 3);
	assert_item(v.fe.list, 0, "order.bad_obj", "must be an object");
	assert_item(v.fe.list, 1, "order.bad_arr", "must be an array");
	assert_item(v.fe.list, 2, "order.missing", "is required");
	vctx_close(&v);
}
END_TEST

START_TEST(validate_known_keys_reports_each_unknown_with_path)
{
	struct vctx v;
	vctx_open(&v, "{\"variant\": {\"upc\": \"1\", \"sku\": \"a\", \"color\": \"red\","
		      " \"size\": \"M\"}}");
	static const char *const allowed[] = {"upc", "sku", NULL};
	size_t a = json_path_push_key(&v.p, "order_lines");
	size_t b = json_path_push_index(&v.p, 2);
	size_t c = json_path_push_key(&v.p, "variant");
	size_t n = validate_known_keys(json_object_get(v.doc, "variant"), allowed, &v.p, &v.fe);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(field_errors_count(&v.fe), 2);
	ck_assert_str_eq(json_path_text(&v.p), "order.order_lines[2].variant");
	/* Object order is not promised: look for both. */
	bool color = false, size = false;
	size_t i;
	json_t *item;
	json_array_foreach(v.fe.list, i, item)
	{
		const char *field = json_string_value(json_object_get(item, "field"));
		ck_assert_str_eq(json_string_value(json_object_get(item, "message")),
				 "unknown field");
		if (strcmp(field, "order.order_lines[2].variant.color") == 0)
			color = true;
		else if (strcmp(field, "order.order_lines[2].variant.size") == 0)
			size = true;
		else
			ck_abort_msg("unexpected field \"%s\"", field);
	}
	ck_assert(color && size);
	json_path_pop(&v.p, c);
	json_path_pop(&v.p, b);
	json_path_pop(&v.p, a);
	vctx_close(&v);
}
END_TEST

START_TEST(validate_known_keys_at_root_and_all_known)
{
	json_t *doc = json_pack("{s:i, s:i}", "a", 1, "x", 2);
	static const char *const allowed[] = {"a", "b", NULL};
	static const char *const all[] = {"a", "x", NULL};
	json_path p;
	field_errors fe;
	json_path_init(&p);
	field_errors_init(&fe);
	ck_assert_uint_eq(validate_known_keys(doc, all, &p, &fe), 0);
	ck_assert_uint_eq(field_errors_count(&fe), 0);
	ck_assert_uint_eq(validate_known_keys(doc, allowed, &p, &fe), 1);
	assert_item(fe.list, 0, "x", "unknown field");
	ck_assert_str_eq(json_path_text(&p), "");
	json_path_free(&p);
	field_errors_free(&fe);
	json_decref(doc);
}
END_TEST

/* --- reply_* ------------------------------------------------------------- */

START_TEST(reply_error_sets_status_and_body)
{
	struct request req = {0};
	reply_error(&req, 404, "not_found", "order %d not found", 7);
	json_t *body = reply_body(&req, 404, "not_found", "order 7 not found");
	ck_assert_uint_eq(json_array_size(body_fields(body)), 0);
	json_decref(body);
	reply_clear(&req.reply);
	ck_assert_uint_eq(req.reply.status, 0);
	ck_assert_ptr_null(req.reply.body);
	ck_assert_uint_eq(req.reply.body_len, 0);
}
END_TEST

START_TEST(reply_error_replaces_an_earlier_reply)
{
	struct request req = {0};
	reply_error(&req, 404, "not_found", "first");
	reply_error(&req, 409, "conflict", "second");
	json_t *body = reply_body(&req, 409, "conflict", "second");
	json_decref(body);
	reply_clear(&req.reply);
}
END_TEST

START_TEST(reply_field_errors_two_fields)
{
	struct request req = {0};
	field_errors fe;
	field_errors_init(&fe);
	field_errors_add(&fe, "order_lines[0].quantity", "must be between 1 and 9999");
	field_errors_add(&fe, "ship_to", "is required");
	size_t before = fe.list->refcount;
	reply_field_errors(&req, "invalid_body", &fe);
	json_t *body = reply_body(&req, 400, "invalid_body", "2 fields are invalid");
	json_t *fields = body_fields(body);
	ck_assert_uint_eq(json_array_size(fields), 2);
	assert_item(fields, 0, "order_lines[0].quantity", "must be between 1 and 9999");
	assert_item(fields, 1, "ship_to", "is required");
	json_decref(body);
	/* fe stays the caller's. */
	ck_assert_uint_eq(fe.list->refcount, before);
	ck_assert_uint_eq(field_errors_count(&fe), 2);
	field_errors_free(&fe);
	reply_clear(&req.reply);
}
END_TEST

START_TEST(reply_field_errors_one_field)
{
	struct request req = {0};
	field_errors fe;
	field_errors_init(&fe);
	field_errors_add(&fe, "ship_to", "is required");
	reply_field_errors(&req, "invalid_body", &fe);
	json_t *body = reply_body(&req, 400, "invalid_body", "1 field is invalid");
	json_decref(body);
	field_errors_free(&fe);
	reply_clear(&req.reply);
}
END_TEST

START_TEST(reply_field_errors_query_parameters)
{
	struct request req = {0};
	field_errors fe;
	field_errors_init(&fe);
	field_errors_add(&fe, "limit", "must be an integer from 1 to 250");
	reply_field_errors(&req, "invalid_parameter", &fe);
	json_t *body = reply_body(&req, 400, "invalid_parameter", "1 query parameter is invalid");
	assert_item(body_fields(body), 0, "limit", "must be an integer from 1 to 250");
	json_decref(body);
	reply_clear(&req.reply);

	field_errors_add(&fe, "foo", "unknown parameter");
	reply_field_errors(&req, "invalid_parameter", &fe);
	body = reply_body(&req, 400, "invalid_parameter", "2 query parameters are invalid");
	ck_assert_uint_eq(json_array_size(body_fields(body)), 2);
	json_decref(body);
	field_errors_free(&fe);
	reply_clear(&req.reply);
}
END_TEST

START_TEST(reply_field_errors_out_of_memory_is_internal)
{
	struct request req = {0};
	field_errors fe;
	field_errors_init(&fe);
	field_errors_add(&fe, "ship_to", "is required");
	fe.oom = true;
	reply_field_errors(&req, "invalid_body", &fe);
	json_t *body = reply_body(&req, 500, "internal", NULL);
	json_decref(body);
	field_errors_free(&fe);
	reply_clear(&req.reply);
}
END_TEST

START_TEST(reply_store_error_busy_is_503)
{
	struct request req = {0};
	reply_store_error(&req, STORE_BUSY);
	json_t *body = reply_body(&req, 503, "unavailable", NULL);
	json_decref(body);
	reply_clear(&req.reply);
}
END_TEST

START_TEST(reply_store_error_other_is_500_without_sql)
{
	struct request req = {0};
	reply_store_error(&req, STORE_ERROR);
	json_t *body = reply_body(&req, 500, "internal", NULL);
	static const char *const leaks[] = {"sqlite",	"SQLite",   "SQLITE", "SQL",
					    "database", "disk I/O", "locked", "constraint"};
	for (size_t i = 0; i < ARRAY_LEN(leaks); i++)
		ck_assert_msg(strstr(req.reply.body, leaks[i]) == NULL, "body mentions \"%s\": %s",
			      leaks[i], req.reply.body);
	json_decref(body);
	reply_clear(&req.reply);
}
END_TEST

START_TEST(reply_clear_frees_headers)
{
	struct request req = {0};
	reply_header(&req, "Retry-After", "1");
	reply_header(&req, "Allow", "GET, HEAD");
	reply_store_error(&req, STORE_BUSY);
	ck_assert_uint_eq(req.reply.nheaders, 2);
	ck_assert_str_eq(req.reply.headers[0].name, "Retry-After");
	ck_assert_str_eq(req.reply.headers[1].value, "GET, HEAD");
	reply_clear(&req.reply);
	ck_assert_uint_eq(req.reply.nheaders, 0);
	ck_assert_ptr_null(req.reply.body);
}
END_TEST

static Suite *errors_suite(void)
{
	Suite *s = suite_create("errors");

	TCase *tc = tcase_create("error_body");
	tcase_add_test(tc, error_body_without_fields_has_empty_list);
	tcase_add_test(tc, error_body_borrows_fields);
	tcase_add_test(tc, error_body_serialises_to_contract_shape);
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

	tc = tcase_create("validate");
	tcase_add_test(tc, validate_string_accepts_and_borrows);
	tcase_add_test(tc, validate_string_required_missing_or_null);
	tcase_add_test(tc, validate_string_optional_absent_leaves_out);
	tcase_add_test(tc, validate_string_rejects_empty_long_and_non_strings);
	tcase_add_test(tc, validate_string_rejects_embedded_nul);
	tcase_add_test(tc, validate_integer_accepts_integers_within_bounds);
	tcase_add_test(tc, validate_integer_out_of_bounds);
	tcase_add_test(tc, validate_integer_digit_string_only_when_allowed);
	tcase_add_test(tc, validate_integer_rejects_bad_digit_strings_and_types);
	tcase_add_test(tc, validate_integer_missing);
	tcase_add_test(tc, validate_object_and_array);
	tcase_add_test(tc, validate_known_keys_reports_each_unknown_with_path);
	tcase_add_test(tc, validate_known_keys_at_root_and_all_known);
	suite_add_tcase(s, tc);

	tc = tcase_create("reply");
	tcase_add_test(tc, reply_error_sets_status_and_body);
	tcase_add_test(tc, reply_error_replaces_an_earlier_reply);
	tcase_add_test(tc, reply_field_errors_two_fields);
	tcase_add_test(tc, reply_field_errors_one_field);
	tcase_add_test(tc, reply_field_errors_query_parameters);
	tcase_add_test(tc, reply_field_errors_out_of_memory_is_internal);
	tcase_add_test(tc, reply_store_error_busy_is_503);
	tcase_add_test(tc, reply_store_error_other_is_500_without_sql);
	tcase_add_test(tc, reply_clear_frees_headers);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	return run_suite(errors_suite());
}
