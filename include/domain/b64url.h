/* The URL-safe base64 alphabet (RFC 4648 section 5), checked before decoding. */
#ifndef DROPLINE_DOMAIN_B64URL_H
#define DROPLINE_DOMAIN_B64URL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * True when each of the len bytes of text is one of A-Z a-z 0-9 - _.
 * libsodium 1.0.18's sodium_base642bin() decodes bytes 0x80-0xFF like '_'
 * (found by fuzzing), so every decoder of client text calls this first.
 */
bool b64url_alphabet_only(const char *text, size_t len);

#endif
