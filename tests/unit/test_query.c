/* Unit tests for include/api/query.h. */
/* Pairs are written {key, value}: has_nul is false unless a test says so. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "api/query.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const statuses[] = {"open", "partial", "closed", "canceled", NULL};

/* Shaped like the orders list. */
static const struct query_param spec[] = {
	{.name = "purchase_order_number", .type = QUERY_TEXT, .max_len = 32},
	{.name = "status", .type = QUERY_CHOICE, .flags = QUERY_REPEATABLE, .choices = statuses},
	{.name = "is_acknowledged", .type = QUERY_BOOLEAN},
	{.name = "ordered_at", .type = QUERY_EPOCH, .flags = QUERY_RANGE},
	{.name = "limit", .type = QUERY_INTEGER, .min = 1, .max = 250},
	{.name = "cursor", .type = QUERY_TEXT, .max_len = 200},
	{.name = NULL},
};

/* One parse with fresh query and errors; the caller checks, then calls done(). */
struct parsed {
	bool ok;
	struct query q;
	field_errors fe;
};

static void parse_with(const struct query_param *sp, const struct query_pair *pairs, size_t n,
		       struct parsed *p)
{
	field_errors_init(&p->fe);
	ck_assert(!p->fe.oom);
	p->q.values = (struct query_value *)(uintptr_t)0x1; /* must be reset by query_parse */
	p->q.count = 99;
	p->ok = query_parse(sp, pairs, n, &p->q, &p->fe);
}

static void parse(const struct query_pair *pairs, size_t n, struct parsed *p)
{
	parse_with(spec, pairs, n, p);
}

static void done(struct parsed *p)
{
	query_free(&p->q);
	field_errors_free(&p->fe);
}

/* True when fe holds an error whose field is `field`. */
static bool has_error(const field_errors *fe, const char *field)
{
	size_t i;
	json_t *item;
	json_array_foreach(fe->list, i, item)
	{
		const char *f = json_string_value(json_object_get(item, "field"));
		if (f != NULL && strcmp(f, field) == 0)
			return true;
	}
	return false;
}

/* The message of the first error at `field`, or NULL. */
static const char *error_message(const field_errors *fe, const char *field)
{
	size_t i;
	json_t *item;
	json_array_foreach(fe->list, i, item)
	{
		const char *f = json_string_value(json_object_get(item, "field"));
		if (f != NULL && strcmp(f, field) == 0)
			return json_string_value(json_object_get(item, "message"));
	}
	return NULL;
}

/* Parses one pair that must be accepted and returns its number. */
static int64_t accept_one(const char *key, const char *value, query_op want_op)
{
	struct query_pair pair = {key, value};
	struct parsed p;
	parse(&pair, 1, &p);
	ck_assert_msg(p.ok, "%s=%s should be accepted", key, value);
	ck_assert_uint_eq(field_errors_count(&p.fe), 0);
	ck_assert_uint_eq(p.q.count, 1);
	ck_assert_int_eq(p.q.values[0].op, want_op);
	ck_assert_str_eq(p.q.values[0].text, value);
	int64_t number = p.q.values[0].number;
	done(&p);
	return number;
}

/* Parses one pair that must be refused with exactly one error at `key`. */
static void reject_one(const char *key, const char *value)
{
	struct query_pair pair = {key, value};
	struct parsed p;
	parse(&pair, 1, &p);
	ck_assert_msg(!p.ok, "%s=%s should be refused", key, value ? value : "(null)");
	ck_assert_msg(field_errors_count(&p.fe) == 1, "%s=%s: %zu errors, want 1", key,
		      value ? value : "(null)", field_errors_count(&p.fe));
	ck_assert_msg(has_error(&p.fe, key), "%s=%s: no error names \"%s\"", key,
		      value ? value : "(null)", key);
	const char *message = error_message(&p.fe, key);
	ck_assert_msg(message != NULL && message[0] != '\0', "%s: empty message", key);
	ck_assert_uint_eq(p.q.count, 0);
	done(&p);
}

/* A string of n copies of c; caller frees. */
static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);
	ck_assert_ptr_nonnull(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* --- accepted ------------------------------------------------------------ */

START_TEST(no_pairs_is_ok)
{
	struct parsed p;
	parse(NULL, 0, &p);
	ck_assert(p.ok);
	ck_assert_uint_eq(p.q.count, 0);
	ck_assert_ptr_null(p.q.values);
	ck_assert_uint_eq(field_errors_count(&p.fe), 0);
	ck_assert_ptr_null(query_find(&p.q, "limit", QUERY_OP_EQ));
	done(&p);
}
END_TEST

START_TEST(text_values_accepted_up_to_max_len)
{
	accept_one("purchase_order_number", "PO-1234", QUERY_OP_EQ);
	char *s32 = repeat('x', 32), *s200 = repeat('c', 200);
	accept_one("purchase_order_number", s32, QUERY_OP_EQ);
	accept_one("cursor", s200, QUERY_OP_EQ);
	accept_one("cursor", "eyJpZCI6NDJ9", QUERY_OP_EQ);
	free(s32);
	free(s200);
}
END_TEST

START_TEST(choice_values_give_their_index)
{
	ck_assert_int_eq(accept_one("status", "open", QUERY_OP_EQ), 0);
	ck_assert_int_eq(accept_one("status", "partial", QUERY_OP_EQ), 1);
	ck_assert_int_eq(accept_one("status", "closed", QUERY_OP_EQ), 2);
	ck_assert_int_eq(accept_one("status", "canceled", QUERY_OP_EQ), 3);
}
END_TEST

/* 1/0 as the seeds write them, true/false as RevCascade's guides do (CONTRACT.md section 5). */
START_TEST(boolean_values_are_1_and_0)
{
	ck_assert_int_eq(accept_one("is_acknowledged", "1", QUERY_OP_EQ), 1);
	ck_assert_int_eq(accept_one("is_acknowledged", "0", QUERY_OP_EQ), 0);
	ck_assert_int_eq(accept_one("is_acknowledged", "true", QUERY_OP_EQ), 1);
	ck_assert_int_eq(accept_one("is_acknowledged", "false", QUERY_OP_EQ), 0);
}
END_TEST

START_TEST(integer_values_within_bounds)
{
	ck_assert_int_eq(accept_one("limit", "1", QUERY_OP_EQ), 1);
	ck_assert_int_eq(accept_one("limit", "50", QUERY_OP_EQ), 50);
	ck_assert_int_eq(accept_one("limit", "250", QUERY_OP_EQ), 250);
	ck_assert_int_eq(accept_one("limit", "007", QUERY_OP_EQ), 7);
}
END_TEST

START_TEST(epoch_values_accepted)
{
	ck_assert_int_eq(accept_one("ordered_at_gte", "1467800700", QUERY_OP_GTE), 1467800700);
	ck_assert_int_eq(accept_one("ordered_at_lt", "0", QUERY_OP_LT), 0);
	ck_assert_int_eq(accept_one("ordered_at_gt", "999999999999999999", QUERY_OP_GT),
			 INT64_C(999999999999999999));
}
END_TEST

START_TEST(range_suffixes_map_to_operators)
{
	struct query_pair pairs[] = {
		{"ordered_at_lt", "100"},
		{"ordered_at_lte", "200"},
		{"ordered_at_gt", "300"},
		{"ordered_at_gte", "400"},
	};
	struct parsed p;
	parse(pairs, ARRAY_LEN(pairs), &p);
	ck_assert(p.ok);
	ck_assert_uint_eq(p.q.count, 4);
	static const query_op ops[] = {QUERY_OP_LT, QUERY_OP_LTE, QUERY_OP_GT, QUERY_OP_GTE};
	static const int64_t want[] = {100, 200, 300, 400};
	for (size_t i = 0; i < 4; i++) {
		const struct query_value *v = query_find(&p.q, "ordered_at", ops[i]);
		ck_assert_ptr_nonnull(v);
		ck_assert_int_eq(v->op, ops[i]);
		ck_assert_int_eq(v->number, want[i]);
		ck_assert_ptr_eq(v->param, &spec[3]);
	}
	ck_assert_ptr_null(query_find(&p.q, "ordered_at", QUERY_OP_EQ));
	ck_assert_ptr_null(query_find(&p.q, "ordered_at_lt", QUERY_OP_LT));
	done(&p);

	ck_assert_str_eq(query_op_suffix(QUERY_OP_EQ), "");
	ck_assert_str_eq(query_op_suffix(QUERY_OP_LT), "_lt");
	ck_assert_str_eq(query_op_suffix(QUERY_OP_LTE), "_lte");
	ck_assert_str_eq(query_op_suffix(QUERY_OP_GT), "_gt");
	ck_assert_str_eq(query_op_suffix(QUERY_OP_GTE), "_gte");
}
END_TEST

START_TEST(status_repeated_gives_two_values)
{
	struct query_pair pairs[] = {{"status", "open"}, {"status", "closed"}};
	struct parsed p;
	parse(pairs, ARRAY_LEN(pairs), &p);
	ck_assert(p.ok);
	ck_assert_uint_eq(p.q.count, 2);
	ck_assert_str_eq(p.q.values[0].text, "open");
	ck_assert_int_eq(p.q.values[0].number, 0);
	ck_assert_str_eq(p.q.values[1].text, "closed");
	ck_assert_int_eq(p.q.values[1].number, 2);
	ck_assert_ptr_eq(p.q.values[0].param, p.q.values[1].param);
	/* query_find gives the first. */
	const struct query_value *v = query_find(&p.q, "status", QUERY_OP_EQ);
	ck_assert_ptr_eq(v, &p.q.values[0]);
	done(&p);
}
END_TEST

START_TEST(different_range_operators_are_not_repeats)
{
	struct query_pair pairs[] = {{"ordered_at_gte", "10"}, {"ordered_at_lt", "20"}};
	struct parsed p;
	parse(pairs, ARRAY_LEN(pairs), &p);
	ck_assert(p.ok);
	ck_assert_uint_eq(p.q.count, 2);
	done(&p);
}
END_TEST

START_TEST(query_find_returns_the_right_values)
{
	struct query_pair pairs[] = {
		{"limit", "25"},
		{"status", "partial"},
		{"purchase_order_number", "PO-9"},
		{"is_acknowledged", "0"},
		{"ordered_at_lte", "1467800700"},
		{"status", "canceled"},
	};
	struct parsed p;
	parse(pairs, ARRAY_LEN(pairs), &p);
	ck_assert(p.ok);
	ck_assert_uint_eq(p.q.count, 6);

	const struct query_value *v = query_find(&p.q, "limit", QUERY_OP_EQ);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(v->number, 25);
	ck_assert_str_eq(v->text, "25");
	ck_assert_str_eq(v->param->name, "limit");

	v = query_find(&p.q, "status", QUERY_OP_EQ);
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(v->text, "partial");
	ck_assert_int_eq(v->number, 1);

	v = query_find(&p.q, "purchase_order_number", QUERY_OP_EQ);
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(v->text, "PO-9");

	v = query_find(&p.q, "is_acknowledged", QUERY_OP_EQ);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(v->number, 0);

	v = query_find(&p.q, "ordered_at", QUERY_OP_LTE);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(v->number, 1467800700);

	ck_assert_ptr_null(query_find(&p.q, "cursor", QUERY_OP_EQ));
	ck_assert_ptr_null(query_find(&p.q, "ordered_at", QUERY_OP_GTE));
	ck_assert_ptr_null(query_find(&p.q, "limit", QUERY_OP_LT));
	ck_assert_ptr_null(query_find(&p.q, "nope", QUERY_OP_EQ));
	done(&p);
}
END_TEST

START_TEST(values_are_copied)
{
	char value[] = "PO-77";
	struct query_pair pair = {"purchase_order_number", value};
	struct parsed p;
	parse(&pair, 1, &p);
	ck_assert(p.ok);
	ck_assert_ptr_ne(p.q.values[0].text, value);
	value[0] = 'X';
	ck_assert_str_eq(p.q.values[0].text, "PO-77");
	done(&p);
}
END_TEST

START_TEST(exactly_max_pairs_accepted)
{
	struct query_pair pairs[QUERY_MAX_PAIRS];
	for (size_t i = 0; i < QUERY_MAX_PAIRS; i++)
		pairs[i] = (struct query_pair){"status", statuses[i % 4]};
	struct parsed p;
	parse(pairs, QUERY_MAX_PAIRS, &p);
	ck_assert(p.ok);
	ck_assert_uint_eq(p.q.count, QUERY_MAX_PAIRS);
	done(&p);
}
END_TEST

START_TEST(free_twice_is_harmless)
{
	struct query_pair pair = {"limit", "3"};
	struct parsed p;
	parse(&pair, 1, &p);
	ck_assert(p.ok);
	query_free(&p.q);
	ck_assert_ptr_null(p.q.values);
	ck_assert_uint_eq(p.q.count, 0);
	query_free(&p.q);
	field_errors_free(&p.fe);
}
END_TEST

/* --- refused ------------------------------------------------------------- */

START_TEST(non_repeatable_given_twice_is_an_error)
{
	static const char *const keys[] = {"limit", "is_acknowledged", "purchase_order_number",
					   "cursor", "ordered_at_lt"};
	static const char *const values[] = {"5", "1", "PO-1", "abc", "100"};
	for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
		struct query_pair pairs[] = {{keys[i], values[i]}, {keys[i], values[i]}};
		struct parsed p;
		parse(pairs, 2, &p);
		ck_assert_msg(!p.ok, "%s twice should be refused", keys[i]);
		ck_assert_uint_eq(field_errors_count(&p.fe), 1);
		ck_assert_msg(has_error(&p.fe, keys[i]), "%s twice: no error names it", keys[i]);
		ck_assert_uint_eq(p.q.count, 1);
		done(&p);
	}
}
END_TEST

START_TEST(unknown_parameter_names_itself)
{
	static const char *const unknown[] = {
		"foo", "Limit",	  "LIMIT",	   "limit_lt",	  "status_gt",	    "limits", "lim",
		"",    "ordered", "ordered_at_eq", "ordered_at_", "ordered_at_ltx", "_lt",
	};
	for (size_t i = 0; i < ARRAY_LEN(unknown); i++) {
		reject_one(unknown[i], "1");
		struct query_pair pair = {unknown[i], "1"};
		struct parsed p;
		parse(&pair, 1, &p);
		ck_assert_str_eq(error_message(&p.fe, unknown[i]), "unknown parameter");
		done(&p);
	}
}
END_TEST

START_TEST(plain_range_name_is_unknown)
{
	reject_one("ordered_at", "100");
	struct query_pair pair = {"ordered_at", "100"};
	struct parsed p;
	parse(&pair, 1, &p);
	ck_assert_str_eq(error_message(&p.fe, "ordered_at"), "unknown parameter");
	done(&p);
}
END_TEST

START_TEST(bad_values_name_their_field)
{
	static const struct query_pair bad[] = {
		{"limit", "0"},
		{"limit", "251"},
		{"limit", "abc"},
		{"limit", "-1"},
		{"limit", "+5"},
		{"limit", " 5"},
		{"limit", "5 "},
		{"limit", "1.5"},
		{"limit", "9999999999999999999999"},
		{"is_acknowledged", "2"},
		{"is_acknowledged", "TRUE"},
		{"is_acknowledged", "01"},
		{"is_acknowledged", "yes"},
		{"ordered_at_lt", "12x"},
		{"ordered_at_gte", "1e9"},
		{"ordered_at_gt", "2016-07-06T10:25:00Z"},
		{"ordered_at_lte", "-"},
		{"status", "shipped"},
		{"status", "OPEN"},
		{"status", "open "},
		{"limit", ""},
		{"status", ""},
		{"purchase_order_number", ""},
		{"ordered_at_lt", ""},
		{"limit", NULL},
		{"is_acknowledged", NULL},
		{"cursor", NULL},
		{"ordered_at_gt", NULL},
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		reject_one(bad[i].key, bad[i].value);
}
END_TEST

START_TEST(text_longer_than_max_len_is_an_error)
{
	char *s33 = repeat('x', 33), *s201 = repeat('c', 201);
	reject_one("purchase_order_number", s33);
	reject_one("cursor", s201);
	free(s33);
	free(s201);
}
END_TEST

/* Stray UTF-8 continuation bytes count as no character: refused, not let past the limit. */
START_TEST(text_that_is_not_utf8_is_an_error)
{
	reject_one("purchase_order_number",
		   "AAAAA\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5"
		   "\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5");
	reject_one("purchase_order_number", "PO-\xff");
	accept_one("purchase_order_number", "PO-\xc3\xa9", QUERY_OP_EQ);
}
END_TEST

START_TEST(value_longer_than_query_max_value_is_an_error)
{
	char *huge = repeat('1', QUERY_MAX_VALUE + 1);
	reject_one("cursor", huge);
	reject_one("limit", huge);
	free(huge);
}
END_TEST

START_TEST(several_errors_are_all_reported)
{
	struct query_pair pairs[] = {
		{"limit", "0"},		  {"status", "open"}, /* good */
		{"status", "shipped"},	  {"foo", "bar"},      {"is_acknowledged", "2"},
		{"ordered_at_lt", "12x"}, {"ordered_at", "5"}, {"cursor", ""},
	};
	struct parsed p;
	parse(pairs, ARRAY_LEN(pairs), &p);
	ck_assert(!p.ok);
	ck_assert_uint_eq(field_errors_count(&p.fe), 7);
	ck_assert(has_error(&p.fe, "limit"));
	ck_assert(has_error(&p.fe, "status"));
	ck_assert(has_error(&p.fe, "foo"));
	ck_assert(has_error(&p.fe, "is_acknowledged"));
	ck_assert(has_error(&p.fe, "ordered_at_lt"));
	ck_assert(has_error(&p.fe, "ordered_at"));
	ck_assert(has_error(&p.fe, "cursor"));
	/* The good value is still there for the caller to free. */
	ck_assert_uint_eq(p.q.count, 1);
	ck_assert_str_eq(p.q.values[0].text, "open");
	done(&p);
}
END_TEST

START_TEST(errors_are_appended_to_earlier_ones)
{
	struct parsed p;
	field_errors_init(&p.fe);
	field_errors_add(&p.fe, "earlier", "from somewhere else");
	struct query_pair pair = {"limit", "0"};
	ck_assert(!query_parse(spec, &pair, 1, &p.q, &p.fe));
	ck_assert_uint_eq(field_errors_count(&p.fe), 2);
	ck_assert(has_error(&p.fe, "earlier"));
	ck_assert(has_error(&p.fe, "limit"));
	query_free(&p.q);

	/* Earlier errors alone do not make a good query fail. */
	struct query_pair good = {"limit", "10"};
	ck_assert(query_parse(spec, &good, 1, &p.q, &p.fe));
	ck_assert_uint_eq(field_errors_count(&p.fe), 2);
	done(&p);
}
END_TEST

START_TEST(more_than_max_pairs_refused)
{
	struct query_pair pairs[QUERY_MAX_PAIRS + 1];
	for (size_t i = 0; i < ARRAY_LEN(pairs); i++)
		pairs[i] = (struct query_pair){"status", "open"};
	struct parsed p;
	parse(pairs, ARRAY_LEN(pairs), &p);
	ck_assert(!p.ok);
	ck_assert_uint_eq(field_errors_count(&p.fe), 1);
	ck_assert(has_error(&p.fe, ""));
	ck_assert_uint_eq(p.q.count, 0);
	ck_assert_ptr_null(p.q.values);
	done(&p);
}
END_TEST

START_TEST(null_spec_refuses_any_parameter)
{
	struct query_pair pairs[] = {{"limit", "5"}, {"status", "open"}};
	struct parsed p;
	parse_with(NULL, pairs, ARRAY_LEN(pairs), &p);
	ck_assert(!p.ok);
	ck_assert_uint_eq(field_errors_count(&p.fe), 2);
	ck_assert_str_eq(error_message(&p.fe, "limit"), "unknown parameter");
	ck_assert_str_eq(error_message(&p.fe, "status"), "unknown parameter");
	ck_assert_uint_eq(p.q.count, 0);
	done(&p);

	parse_with(NULL, NULL, 0, &p);
	ck_assert(p.ok);
	ck_assert_uint_eq(p.q.count, 0);
	done(&p);
}
END_TEST

START_TEST(empty_spec_refuses_any_parameter)
{
	static const struct query_param none[] = {{.name = NULL}};
	struct query_pair pair = {"limit", "5"};
	struct parsed p;
	parse_with(none, &pair, 1, &p);
	ck_assert(!p.ok);
	ck_assert(has_error(&p.fe, "limit"));
	done(&p);
}
END_TEST

START_TEST(rejected_value_is_not_kept)
{
	struct query_pair pairs[] = {{"limit", "abc"}, {"status", "closed"}};
	struct parsed p;
	parse(pairs, ARRAY_LEN(pairs), &p);
	ck_assert(!p.ok);
	ck_assert_uint_eq(p.q.count, 1);
	ck_assert_str_eq(p.q.values[0].text, "closed");
	ck_assert_ptr_null(query_find(&p.q, "limit", QUERY_OP_EQ));
	done(&p);
}
END_TEST

START_TEST(value_with_a_nul_byte_is_refused)
{
	struct query_pair pair = {.key = "is_acknowledged", .value = "1", .has_nul = true};
	struct query q;
	field_errors fe;
	field_errors_init(&fe);
	ck_assert(!query_parse(spec, &pair, 1, &q, &fe));
	ck_assert_uint_eq(field_errors_count(&fe), 1);
	query_free(&q);
	field_errors_free(&fe);
}
END_TEST

static Suite *query_suite(void)
{
	Suite *s = suite_create("query");

	TCase *tc = tcase_create("accepted");
	tcase_add_test(tc, no_pairs_is_ok);
	tcase_add_test(tc, text_values_accepted_up_to_max_len);
	tcase_add_test(tc, text_that_is_not_utf8_is_an_error);
	tcase_add_test(tc, choice_values_give_their_index);
	tcase_add_test(tc, boolean_values_are_1_and_0);
	tcase_add_test(tc, integer_values_within_bounds);
	tcase_add_test(tc, epoch_values_accepted);
	tcase_add_test(tc, range_suffixes_map_to_operators);
	tcase_add_test(tc, status_repeated_gives_two_values);
	tcase_add_test(tc, different_range_operators_are_not_repeats);
	tcase_add_test(tc, query_find_returns_the_right_values);
	tcase_add_test(tc, values_are_copied);
	tcase_add_test(tc, exactly_max_pairs_accepted);
	tcase_add_test(tc, free_twice_is_harmless);
	suite_add_tcase(s, tc);

	tc = tcase_create("refused");
	tcase_add_test(tc, non_repeatable_given_twice_is_an_error);
	tcase_add_test(tc, unknown_parameter_names_itself);
	tcase_add_test(tc, plain_range_name_is_unknown);
	tcase_add_test(tc, bad_values_name_their_field);
	tcase_add_test(tc, text_longer_than_max_len_is_an_error);
	tcase_add_test(tc, value_longer_than_query_max_value_is_an_error);
	tcase_add_test(tc, several_errors_are_all_reported);
	tcase_add_test(tc, errors_are_appended_to_earlier_ones);
	tcase_add_test(tc, more_than_max_pairs_refused);
	tcase_add_test(tc, null_spec_refuses_any_parameter);
	tcase_add_test(tc, empty_spec_refuses_any_parameter);
	tcase_add_test(tc, rejected_value_is_not_kept);
	tcase_add_test(tc, value_with_a_nul_byte_is_refused);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	return run_suite(query_suite());
}
