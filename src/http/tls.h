/*
 * The server's TLS certificate and key, replaceable while it serves: GnuTLS
 * asks for them at each handshake (libmicrohttpd's certificate callback),
 * and a reload (SIGHUP) parses a new pair and puts it in place. A pair
 * that was in use is kept until the holder is freed, since a handshake may
 * still hold it: each reload keeps a few KB until the server stops.
 *
 * Internal to src/http/.
 */
#ifndef DROPLINE_HTTP_TLS_H
#define DROPLINE_HTTP_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include <gnutls/abstract.h>

struct tls_keys;

/*
 * Parses a PEM certificate chain (the server's first) and its PEM private
 * key, and checks that they are a pair. NULL with one line in err (of
 * err_size bytes) when they are not.
 */
struct tls_keys *tls_keys_new(const char *cert_pem, const char *key_pem, char *err,
			      size_t err_size);

/* Puts a new pair in place, or keeps the current one and says why in err. */
bool tls_keys_replace(struct tls_keys *k, const char *cert_pem, const char *key_pem, char *err,
		      size_t err_size);

/* The pair in place now, for GnuTLS (valid until tls_keys_free()). */
void tls_keys_current(struct tls_keys *k, gnutls_pcert_st **certs, unsigned *ncerts,
		      gnutls_privkey_t *key);

/* NULL is ignored. */
void tls_keys_free(struct tls_keys *k);

#endif
