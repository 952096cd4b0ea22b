/* See include/domain/b64url.h. */
#include "domain/b64url.h"

bool b64url_alphabet_only(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char ch = text[i];
		bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
			  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
		if (!ok)
			return false;
	}
	return true;
}
