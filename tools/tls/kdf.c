// SPDX-License-Identifier: GPL-2.0
/*
 * HKDF-Expand-Label (RFC 8446 section 7.1) and the TLS 1.2 PRF (RFC 5246
 * section 5), both computed by OpenSSL's KDF implementations; and reading
 * a secret out of a key log line (NSS key log format).
 */
#include <stdio.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "kdf.h"

/**
 * vtls_expand_label() - HKDF-Expand-Label(secret, label, "", len)
 * @md: the suite's hash, as OpenSSL names it ("SHA256", "SHA384")
 * @secret: the secret
 * @slen: its length
 * @label: the label without "tls13 "
 * @out: the output
 * @len: its length, at most 255 bytes
 *
 * Return: 0 or -1.
 */
int vtls_expand_label(const char *md, const uint8_t *secret, size_t slen,
		      const char *label, uint8_t *out, size_t len)
{
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	uint8_t info[2 + 1 + 255 + 1];
	size_t n = 0, llen = strlen(label);
	EVP_KDF_CTX *ctx;
	EVP_KDF *kdf;
	OSSL_PARAM p[5];
	int ret;

	if (llen > 255 - 6)
		return -1;
	info[n++] = len >> 8;
	info[n++] = len;
	info[n++] = 6 + llen;
	memcpy(info + n, "tls13 ", 6);
	memcpy(info + n + 6, label, llen);
	n += 6 + llen;
	info[n++] = 0;		/* empty context */
	p[0] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	p[1] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md, 0);
	p[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, slen);
	p[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, n);
	p[4] = OSSL_PARAM_construct_end();
	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	ctx = EVP_KDF_CTX_new(kdf);
	ret = ctx && EVP_KDF_derive(ctx, out, len, p) == 1 ? 0 : -1;
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ret;
}

/**
 * vtls_prf() - the TLS 1.2 PRF, P_hash(secret, label + seed)
 * @md: the suite's PRF hash
 * @secret: the secret
 * @slen: its length
 * @seed: the label followed by the seed
 * @seed_len: their length
 * @out: the output
 * @len: its length
 *
 * Return: 0 or -1.
 */
int vtls_prf(const char *md, const uint8_t *secret, size_t slen, const uint8_t *seed,
	     size_t seed_len, uint8_t *out, size_t len)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
	EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
	OSSL_PARAM p[4];
	int ret;

	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md, 0);
	p[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)secret, slen);
	p[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)seed, seed_len);
	p[3] = OSSL_PARAM_construct_end();
	ret = ctx && EVP_KDF_derive(ctx, out, len, p) == 1 ? 0 : -1;
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ret;
}

/**
 * vtls_keylog_secret() - the secret of a key log line with @label
 * @line: "LABEL <client_random> <secret>", the secrets in hex
 * @label: the label wanted, e.g. "CLIENT_TRAFFIC_SECRET_0"
 * @out: the secret
 * @room: size of @out
 *
 * Return: the secret's length, or 0 when @line is not for @label.
 */
size_t vtls_keylog_secret(const char *line, const char *label, uint8_t *out, size_t room)
{
	size_t llen = strlen(label), n = 0;
	const char *hex = strrchr(line, ' ');
	unsigned int b;

	if (strncmp(line, label, llen) || line[llen] != ' ' || !hex)
		return 0;
	hex++;
	while (n < room && sscanf(hex + 2 * n, "%2x", &b) == 1)
		out[n++] = b;
	return n;
}
