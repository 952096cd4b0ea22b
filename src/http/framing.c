/* The request head as RFC 9112 frames it; see include/http/framing.h. */
#include <string.h>
#include <strings.h>

#include "http/framing.h"

/* RFC 9110 5.6.2: tchar. */
static bool is_tchar(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

static bool is_token(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!is_tchar((unsigned char)*s))
			return false;
	return true;
}

/* A value without the whitespace around it: [*start, *start + *len). */
static void trimmed(const char *v, const char **start, size_t *len)
{
	while (*v == ' ' || *v == '\t')
		v++;
	size_t n = strlen(v);
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	*start = v;
	*len = n;
}

static bool same_value(const char *a, const char *b)
{
	const char *sa, *sb;
	size_t na, nb;
	trimmed(a, &sa, &na);
	trimmed(b, &sb, &nb);
	return na == nb && memcmp(sa, sb, na) == 0;
}

static bool refuse(struct api_request *req, const char *why)
{
	refusal_text(api_refuse(req, REFUSED_BAD_REQUEST), "%s", why);
	return false;
}

/* The raw target: visible characters only, and no %00 or %2F in its path. */
static bool target_ok(struct api_request *req, const struct framing_input *in)
{
	if (in->target_cut)
		return refuse(req, "the request target holds a NUL byte");
	size_t path_len = in->target_len;
	const char *q = memchr(in->target, '?', in->target_len);
	if (q != NULL)
		path_len = (size_t)(q - in->target);
	for (size_t i = 0; i < in->target_len; i++) {
		unsigned char ch = (unsigned char)in->target[i];
		if (ch <= ' ' || ch == 0x7f)
			return refuse(req,
				      "the request target holds a space or a control character "
				      "(RFC 9112, section 3.2)");
	}
	for (size_t i = 0; i + 2 < path_len; i++) {
		if (in->target[i] != '%')
			continue;
		char a = in->target[i + 1], b = in->target[i + 2];
		if (a == '0' && b == '0')
			return refuse(req, "the path holds %00 (a NUL byte), which no route takes");
		if (a == '2' && (b == 'F' || b == 'f'))
			return refuse(req,
				      "the path holds %2F (an encoded '/'), which no route takes");
	}
	return true;
}

bool framing_check(struct api_request *req, const struct framing_input *in)
{
	if (!target_ok(req, in))
		return false;
	const char *length = NULL, *coding = NULL;
	size_t hosts = 0, codings = 0;
	for (size_t i = 0; i < in->nheaders; i++) {
		const struct framing_header *h = &in->headers[i];
		if (!is_token(h->name)) {
			refusal_text(api_refuse(req, REFUSED_BAD_REQUEST),
				     "header name '%.64s' is not a token: no whitespace before the "
				     "colon (RFC 9112, section 5.1)",
				     h->name);
			return false;
		}
		if (h->damaged) {
			refusal_text(
				api_refuse(req, REFUSED_BAD_REQUEST),
				"the value of header '%.64s' holds a NUL byte or an obsolete line "
				"folding (RFC 9110, section 5.5; RFC 9112, section 5.2)",
				h->name);
			return false;
		}
		if (strcasecmp(h->name, "Host") == 0) {
			hosts++;
		} else if (strcasecmp(h->name, "Content-Length") == 0) {
			if (length != NULL && !same_value(length, h->value))
				return refuse(req, "two different Content-Length values (RFC 9112, "
						   "section 6.3)");
			length = h->value;
		} else if (strcasecmp(h->name, "Transfer-Encoding") == 0) {
			coding = h->value;
			codings++;
		}
	}
	bool http10 = strcmp(in->version, "HTTP/1.0") == 0;
	if (http10 ? hosts > 1 : hosts != 1)
		return refuse(req, hosts == 0
					   ? "an HTTP/1.1 request needs a Host header (RFC "
					     "9112, section 3.2)"
					   : "more than one Host header (RFC 9112, section 3.2)");
	if (coding == NULL)
		return true;
	if (length != NULL)
		return refuse(req, "Content-Length together with Transfer-Encoding: the body's end "
				   "is ambiguous (RFC 9112, section 6.1)");
	if (http10)
		return refuse(req,
			      "Transfer-Encoding in an HTTP/1.0 request (RFC 9112, section 6.1)");
	if (codings > 1)
		return refuse(req, "more than one Transfer-Encoding header");
	const char *c;
	size_t n;
	trimmed(coding, &c, &n);
	if (n == strlen("chunked") && strncasecmp(c, "chunked", n) == 0)
		return true;
	refusal_text(api_refuse(req, REFUSED_CODING), "%.*s", (int)(n > 64 ? 64 : n), c);
	return false;
}

const char *framing_path(const char *target)
{
	const char *rest = NULL;
	if (strncasecmp(target, "http://", 7) == 0)
		rest = target + 7;
	else if (strncasecmp(target, "https://", 8) == 0)
		rest = target + 8;
	if (rest == NULL)
		return target;
	const char *slash = strchr(rest, '/');
	return slash != NULL ? slash : "/";
}
