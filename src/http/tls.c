/* The server's TLS pair; see tls.h. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "tls.h"

/* Certificates in one chain: the server's and its intermediates. */
#define TLS_MAX_CHAIN 16

struct tls_pair {
	gnutls_pcert_st certs[TLS_MAX_CHAIN];
	unsigned ncerts;
	gnutls_privkey_t key;
	struct tls_pair *older; /* pairs replaced, kept until the holder is freed */
};

struct tls_keys {
	pthread_mutex_t lock;
	struct tls_pair *current;
};

static void pair_free(struct tls_pair *p)
{
	while (p != NULL) {
		struct tls_pair *older = p->older;
		for (unsigned i = 0; i < p->ncerts; i++)
			gnutls_pcert_deinit(&p->certs[i]);
		if (p->key != NULL)
			gnutls_privkey_deinit(p->key);
		free(p);
		p = older;
	}
}

/* PEM text as GnuTLS reads it (it does not write through the pointer). */
static gnutls_datum_t datum(const char *text)
{
	gnutls_datum_t d = {.data = (unsigned char *)(uintptr_t)text,
			    .size = (unsigned)strlen(text)};
	return d;
}

/* True when the key's public half is the first certificate's. */
static bool pair_matches(const struct tls_pair *p)
{
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t a = {0}, b = {0};
	bool same = gnutls_pubkey_init(&pub) == 0 &&
		    gnutls_pubkey_import_privkey(pub, p->key, 0, 0) == 0 &&
		    gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &a) == 0 &&
		    gnutls_pubkey_export2(p->certs[0].pubkey, GNUTLS_X509_FMT_DER, &b) == 0 &&
		    a.size == b.size && memcmp(a.data, b.data, a.size) == 0;
	gnutls_free(a.data);
	gnutls_free(b.data);
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	return same;
}

static struct tls_pair *pair_load(const char *cert_pem, const char *key_pem, char *err,
				  size_t err_size)
{
	struct tls_pair *p = calloc(1, sizeof(*p));
	if (p == NULL) {
		snprintf(err, err_size, "out of memory");
		return NULL;
	}
	gnutls_datum_t cert = datum(cert_pem), key = datum(key_pem);
	unsigned n = TLS_MAX_CHAIN;
	int rc = gnutls_pcert_list_import_x509_raw(p->certs, &n, &cert, GNUTLS_X509_FMT_PEM, 0);
	if (rc < 0 || n == 0) {
		snprintf(err, err_size, "the TLS certificate was refused: %s",
			 rc < 0 ? gnutls_strerror(rc) : "no certificate in it");
		free(p);
		return NULL;
	}
	p->ncerts = n;
	rc = gnutls_privkey_init(&p->key);
	if (rc == 0)
		rc = gnutls_privkey_import_x509_raw(p->key, &key, GNUTLS_X509_FMT_PEM, NULL, 0);
	if (rc < 0) {
		snprintf(err, err_size, "the TLS key was refused: %s", gnutls_strerror(rc));
		pair_free(p);
		return NULL;
	}
	if (!pair_matches(p)) {
		snprintf(err, err_size, "the TLS key is not the certificate's key");
		pair_free(p);
		return NULL;
	}
	return p;
}

struct tls_keys *tls_keys_new(const char *cert_pem, const char *key_pem, char *err, size_t err_size)
{
	struct tls_pair *p = pair_load(cert_pem, key_pem, err, err_size);
	if (p == NULL)
		return NULL;
	struct tls_keys *k = calloc(1, sizeof(*k));
	if (k == NULL) {
		snprintf(err, err_size, "out of memory");
		pair_free(p);
		return NULL;
	}
	pthread_mutex_init(&k->lock, NULL);
	k->current = p;
	return k;
}

bool tls_keys_replace(struct tls_keys *k, const char *cert_pem, const char *key_pem, char *err,
		      size_t err_size)
{
	struct tls_pair *p = pair_load(cert_pem, key_pem, err, err_size);
	if (p == NULL)
		return false;
	pthread_mutex_lock(&k->lock);
	p->older = k->current;
	k->current = p;
	pthread_mutex_unlock(&k->lock);
	return true;
}

void tls_keys_current(struct tls_keys *k, gnutls_pcert_st **certs, unsigned *ncerts,
		      gnutls_privkey_t *key)
{
	pthread_mutex_lock(&k->lock);
	*certs = k->current->certs;
	*ncerts = k->current->ncerts;
	*key = k->current->key;
	pthread_mutex_unlock(&k->lock);
}

void tls_keys_free(struct tls_keys *k)
{
	if (k == NULL)
		return;
	pair_free(k->current);
	pthread_mutex_destroy(&k->lock);
	free(k);
}
