/*
 * The webhook key and the URL checks; see src/api/webhooks.h.
 *
 * A signing secret must be readable to sign, so it cannot be only hashed:
 * it is sealed with crypto_secretbox (XSalsa20-Poly1305) under a 32-byte
 * server key kept in a file of its own beside the database (mode 0600,
 * made on first use). A copy of the database alone does not reveal the
 * secrets; losing the key file makes every secret unreadable
 * (docs/reliability.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "domain/netaddr.h"
#include "webhooks.h"

struct webhook_keyring {
	char *path;
	pthread_mutex_t lock;
	bool loaded;
	unsigned char key[crypto_secretbox_KEYBYTES];
};

struct webhook_keyring *webhook_keyring_new(const char *path)
{
	struct webhook_keyring *k = calloc(1, sizeof(*k));
	if (k == NULL || (k->path = strdup(path)) == NULL) {
		free(k);
		return NULL;
	}
	pthread_mutex_init(&k->lock, NULL);
	return k;
}

void webhook_keyring_free(struct webhook_keyring *k)
{
	if (k == NULL)
		return;
	sodium_memzero(k->key, sizeof(k->key));
	pthread_mutex_destroy(&k->lock);
	free(k->path);
	free(k);
}

static bool read_all(int fd, unsigned char *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

/* Reads the key, or makes it when there is no file yet (the caller holds the lock). */
static bool key_load(struct webhook_keyring *k)
{
	if (k->loaded)
		return true;
	int fd = open(k->path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		bool ok = read_all(fd, k->key, sizeof(k->key));
		close(fd);
		if (!ok)
			fprintf(stderr, "dropline: the webhook key %s is damaged\n", k->path);
		return k->loaded = ok;
	}
	if (errno != ENOENT) {
		fprintf(stderr, "dropline: cannot read the webhook key %s: %s\n", k->path,
			strerror(errno));
		return false;
	}
	fd = open(k->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "dropline: cannot make the webhook key %s: %s\n", k->path,
			strerror(errno));
		return false;
	}
	crypto_secretbox_keygen(k->key);
	bool ok = write(fd, k->key, sizeof(k->key)) == (ssize_t)sizeof(k->key) && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok) {
		unlink(k->path);
		sodium_memzero(k->key, sizeof(k->key));
		fprintf(stderr, "dropline: cannot write the webhook key %s\n", k->path);
		return false;
	}
	return k->loaded = true;
}

bool webhook_secret_new(char secret[WEBHOOK_SECRET_MAX])
{
	uint8_t raw[WEBHOOK_SECRET_BYTES];
	randombytes_buf(raw, sizeof(raw));
	snprintf(secret, WEBHOOK_SECRET_MAX, "whsec_");
	/* 32 bytes: 43 characters without padding, within WEBHOOK_SECRET_MAX. */
	sodium_bin2base64(secret + 6, WEBHOOK_SECRET_MAX - 6, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	return true;
}

char *webhook_secret_seal(struct webhook_keyring *k, const char *secret)
{
	size_t n = strlen(secret);
	if (n >= WEBHOOK_SECRET_MAX)
		return NULL;
	unsigned char
		box[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + WEBHOOK_SECRET_MAX];
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	pthread_mutex_lock(&k->lock);
	bool ok = key_load(k) &&
		  crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES,
					(const unsigned char *)secret, n, box, k->key) == 0;
	pthread_mutex_unlock(&k->lock);
	size_t len = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
	char *hex = ok ? malloc(2 * len + 1) : NULL;
	if (hex != NULL)
		sodium_bin2hex(hex, 2 * len + 1, box, len);
	return hex;
}

bool webhook_secret_open(struct webhook_keyring *k, const char *sealed,
			 char out[WEBHOOK_SECRET_MAX])
{
	unsigned char
		box[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + WEBHOOK_SECRET_MAX];
	size_t len = 0;
	if (sodium_hex2bin(box, sizeof(box), sealed, strlen(sealed), NULL, &len, NULL) != 0 ||
	    len <= crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
		return false;
	size_t n = len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	if (n >= WEBHOOK_SECRET_MAX)
		return false;
	pthread_mutex_lock(&k->lock);
	bool ok = key_load(k) && crypto_secretbox_open_easy(
					 (unsigned char *)out, box + crypto_secretbox_NONCEBYTES,
					 len - crypto_secretbox_NONCEBYTES, box, k->key) == 0;
	pthread_mutex_unlock(&k->lock);
	out[ok ? n : 0] = '\0';
	return ok;
}

void webhook_sign(const char *secret, int64_t t, const char *body, size_t len,
		  char out[WEBHOOK_SIGNATURE_MAX])
{
	char stamp[24];
	int sn = snprintf(stamp, sizeof(stamp), "%lld.", (long long)t);
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)stamp, (size_t)sn);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	char hex[2 * sizeof(mac) + 1];
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	snprintf(out, WEBHOOK_SIGNATURE_MAX, "t=%lld,v1=%s", (long long)t, hex);
}

/* ---- the URL ------------------------------------------------------------------ */

static netaddr_class sockaddr_class(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return netaddr_classify(
			(const uint8_t *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr,
			4);
	if (sa->sa_family == AF_INET6)
		return netaddr_classify(
			((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr, 16);
	return NETADDR_INVALID;
}

void webhook_url_check(const struct api_webhook_options *o, const char *url, field_errors *fe)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	if (u == NULL) {
		field_errors_add(fe, "url", "could not be checked");
		return;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || host[0] == '\0') {
		field_errors_add(fe, "url", "must be an absolute URL: https://host/path");
		goto out;
	}
	if (strcmp(scheme, "https") != 0 && !(o->allow_http && strcmp(scheme, "http") == 0)) {
		field_errors_add(fe, "url", "must be https://%s",
				 o->allow_http ? " or http://" : "");
		goto out;
	}
	if (o->allow_private)
		goto out;
	/* "[::1]": the address without its brackets. */
	size_t n = strlen(host);
	if (host[0] == '[' && n > 2 && host[n - 1] == ']') {
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
	}
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		goto out; /* not resolvable now: each delivery checks where it connects */
	for (struct addrinfo *a = res; a != NULL; a = a->ai_next) {
		netaddr_class c = sockaddr_class(a->ai_addr);
		if (c != NETADDR_PUBLIC) {
			field_errors_add(fe, "url",
					 "reaches a %s address: webhooks are sent to public "
					 "addresses only",
					 netaddr_class_name(c));
			break;
		}
	}
	freeaddrinfo(res);
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
}
