/* Cursors, links and list envelopes; see include/api/list.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "domain/b64url.h"
#include "domain/text.h"
#include "handler.h"
#include "list.h"

#define CURSOR_VARIANT sodium_base64_VARIANT_URLSAFE_NO_PADDING

void list_cursor_encode(page_direction dir, int64_t id, char out[LIST_CURSOR_MAX])
{
	char plain[32];
	int n = snprintf(plain, sizeof(plain), "%c%lld", dir == PAGE_BEFORE ? 'b' : 'a',
			 (long long)id);
	sodium_bin2base64(out, LIST_CURSOR_MAX, (const unsigned char *)plain, (size_t)n,
			  CURSOR_VARIANT);
}

bool list_cursor_decode(const char *text, page_direction *dir, int64_t *id)
{
	unsigned char plain[32];
	size_t len = 0;
	const char *end = NULL;
	size_t tlen = strlen(text);
	if (!b64url_alphabet_only(text, tlen) ||
	    sodium_base642bin(plain, sizeof(plain) - 1, text, tlen, NULL, &len, &end,
			      CURSOR_VARIANT) != 0 ||
	    end != text + tlen || len < 2 || len > 19)
		return false; /* at most 18 digits: no overflow */
	plain[len] = '\0';
	if (plain[0] != 'a' && plain[0] != 'b')
		return false;
	int64_t value = 0;
	for (size_t i = 1; i < len; i++) {
		if (plain[i] < '0' || plain[i] > '9')
			return false;
		value = value * 10 + (plain[i] - '0');
	}
	if (value <= 0)
		return false;
	*dir = plain[0] == 'b' ? PAGE_BEFORE : PAGE_AFTER;
	*id = value;
	return true;
}

bool list_cursor_valid(const char *text)
{
	page_direction dir;
	int64_t id;
	return list_cursor_decode(text, &dir, &id);
}

bool list_page_start(struct api_request *req, struct page_request *page)
{
	const struct query_value *v = query_find(&req->query, "limit", QUERY_OP_EQ);
	page->limit = v ? v->number : LIST_DEFAULT_LIMIT;
	page->direction = PAGE_FIRST;
	page->cursor_id = 0;
	v = query_find(&req->query, "cursor", QUERY_OP_EQ);
	if (v != NULL && !list_cursor_decode(v->text, &page->direction, &page->cursor_id)) {
		field_errors fe;
		field_errors_init(&fe);
		field_errors_add(&fe, "cursor", "is not a cursor of this list");
		api_reject_fields(req, REFUSED_PARAMETERS, &fe);
		field_errors_free(&fe);
		return false;
	}
	return true;
}

/* Percent-encodes everything but RFC 3986 unreserved characters. */
static void text_add_encoded(struct text *t, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			     (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' ||
			     ch == '~';
		if (plain) {
			text_add(t, (const char *)&ch, 1);
		} else {
			char esc[3] = {'%', hex[ch >> 4], hex[ch & 15]};
			text_add(t, esc, 3);
		}
	}
}

/* The request's path (ending in '/') with its parameters but the cursor, then the cursor. */
static json_t *link(const struct api_request *req, page_direction dir, int64_t id)
{
	struct text t = {0};
	text_add_str(&t, req->path);
	if (t.len == 0 || t.s[t.len - 1] != '/')
		text_add_str(&t, "/");
	char sep = '?';
	for (size_t i = 0; i < req->query.count; i++) {
		const struct query_value *v = &req->query.values[i];
		if (strcmp(v->param->name, "cursor") == 0)
			continue;
		text_add(&t, &sep, 1);
		sep = '&';
		text_add_str(&t, v->param->name);
		text_add_str(&t, query_op_suffix(v->op));
		text_add_str(&t, "=");
		text_add_encoded(&t, v->text);
	}
	char cursor[LIST_CURSOR_MAX];
	list_cursor_encode(dir, id, cursor);
	text_add(&t, &sep, 1);
	text_add_str(&t, "cursor=");
	text_add_str(&t, cursor);
	json_t *s = t.failed ? NULL : json_string(t.s);
	free(t.s);
	return s;
}

char *list_envelope(const struct api_request *req, const struct page *page, int64_t first_id,
		    int64_t last_id, char *const *texts, const size_t *lens, size_t n, size_t *len)
{
	/*
	 * jansson encodes everything but the results, whose texts are joined
	 * in: {"count":..,"next":..,"previous":..  + ,"results":[t1,t2]}
	 * is what json_dumps() writes for the same document (keys keep their
	 * order), byte for byte.
	 */
	json_t *next = page->more_after ? link(req, PAGE_AFTER, last_id) : json_null();
	json_t *previous = page->more_before ? link(req, PAGE_BEFORE, first_id) : json_null();
	json_t *head = json_pack("{s:I, s:o, s:o}", "count", (json_int_t)page->count, "next", next,
				 "previous", previous);
	char *head_text = head ? json_dumps(head, JSON_COMPACT) : NULL;
	json_decref(head);
	size_t head_len = head_text != NULL ? strlen(head_text) : 0;
	bool encoded = head_len >= 2 && head_text[head_len - 1] == '}';
	struct text t = {0};
	if (encoded) {
		size_t total = head_len + 16 + n;
		for (size_t i = 0; i < n; i++)
			total += lens[i];
		text_reserve(&t, total);
		text_add(&t, head_text, head_len - 1); /* without its closing brace */
		text_add_str(&t, ",\"results\":[");
		for (size_t i = 0; i < n; i++) {
			if (i > 0)
				text_add(&t, ",", 1);
			text_add(&t, texts[i], lens[i]);
		}
		text_add_str(&t, "]}");
	}
	free(head_text);
	if (!encoded || t.failed) {
		free(t.s);
		return NULL;
	}
	*len = t.len;
	return t.s;
}
