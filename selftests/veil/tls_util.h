/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TLS record layer in userspace, for the veil TLS selftest, with
 * OpenSSL 3 doing the arithmetic:
 *
 * - the <linux/tls.h> crypto_info structure built from a direction's keys
 *   and read back;
 * - a record encoder and decoder written out from RFC 5246 (with RFC 5288,
 *   RFC 6655 and RFC 7905 for the nonces) and RFC 8446, not borrowed from a
 *   TLS library, so that a test can forge exactly the malformed record it
 *   wants and check what a kernel sends byte by byte;
 * - what a real handshake needs: a self-signed P-256 certificate, a context
 *   per suite, and the traffic keys derived from OpenSSL's key log.
 */
#ifndef VEIL_SELFTEST_TLS_UTIL_H
#define VEIL_SELFTEST_TLS_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <linux/tls.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "kdf.h"

#define TLS_HDR_LEN		5
#define TLS_TAG_LEN		16
#define TLS_NONCE_LEN		12
#define TLS_EXPLICIT_LEN	8
#define TLS_MAX_PLAIN		16384	/* 2^14 */
#define TLS_MAX_SECRET		48	/* SHA-384 */
/* The largest record a test builds: one that is too long by a margin. */
#define TLS_REC_ROOM		(TLS_HDR_LEN + TLS_EXPLICIT_LEN + TLS_MAX_PLAIN + 512 + TLS_TAG_LEN)

#define TLS_TYPE_ALERT		21
#define TLS_TYPE_HANDSHAKE	22
#define TLS_TYPE_DATA		23

/* A record protection: its kernel number and what OpenSSL calls it. */
struct tls_suite {
	uint16_t cipher;	/* TLS_CIPHER_* */
	const char *name;
	const char *aead;	/* the record AEAD, an EVP_CIPHER name */
	const char *md;		/* the suite's hash, for key derivation */
	const char *ossl12;	/* the TLS 1.2 cipher suite (ECDSA, ECDHE) */
	const char *ossl13;	/* the TLS 1.3 cipher suite */
	unsigned int key_len;
	unsigned int salt_len;	/* crypto_info salt: implicit nonce */
	unsigned int iv_len;	/* crypto_info iv */
};

static const struct tls_suite tls_suites[] = {
	{ TLS_CIPHER_AES_GCM_128, "AES-GCM-128", "AES-128-GCM", "SHA256",
	  "ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256", 16, 4, 8 },
	{ TLS_CIPHER_AES_GCM_256, "AES-GCM-256", "AES-256-GCM", "SHA384",
	  "ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_AES_256_GCM_SHA384", 32, 4, 8 },
	{ TLS_CIPHER_CHACHA20_POLY1305, "ChaCha20-Poly1305", "ChaCha20-Poly1305", "SHA256",
	  "ECDHE-ECDSA-CHACHA20-POLY1305", "TLS_CHACHA20_POLY1305_SHA256", 32, 0, 12 },
	{ TLS_CIPHER_AES_CCM_128, "AES-CCM-128", "AES-128-CCM", "SHA256",
	  "ECDHE-ECDSA-AES128-CCM", "TLS_AES_128_CCM_SHA256", 16, 4, 8 },
};

static inline const struct tls_suite *tls_suite(uint16_t cipher)
{
	unsigned int i;

	for (i = 0; i < sizeof(tls_suites) / sizeof(tls_suites[0]); i++)
		if (tls_suites[i].cipher == cipher)
			return &tls_suites[i];
	return NULL;
}

/* One direction of a connection. */
struct tls_keys {
	const struct tls_suite *suite;
	uint16_t version;	/* TLS_1_2_VERSION or TLS_1_3_VERSION */
	uint8_t key[32];
	/*
	 * The nonce base: salt || crypto_info iv. For TLS 1.2 AES-GCM and
	 * AES-CCM the last 8 bytes are the first explicit nonce.
	 */
	uint8_t iv[TLS_NONCE_LEN];
	uint64_t seq;		/* the next record's sequence number */
};

static inline void tls_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline uint16_t tls_get16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

static inline void tls_put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = v;
}

static inline uint64_t tls_get64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* TLS 1.2 AES-GCM and AES-CCM send 8 bytes of nonce after the header. */
static inline size_t tls_explicit_len(const struct tls_keys *k)
{
	return k->version == TLS_1_2_VERSION && k->suite->salt_len ? TLS_EXPLICIT_LEN : 0;
}

/* What a record adds to its content: header, nonce, tag, inner type. */
static inline size_t tls_overhead(const struct tls_keys *k)
{
	return TLS_HDR_LEN + tls_explicit_len(k) + TLS_TAG_LEN +
	       (k->version == TLS_1_3_VERSION);
}

/* Any of the crypto_info structures setsockopt(SOL_TLS) takes. */
union tls_info {
	struct tls_crypto_info info;
	struct tls12_crypto_info_aes_gcm_128 gcm128;
	struct tls12_crypto_info_aes_gcm_256 gcm256;
	struct tls12_crypto_info_aes_ccm_128 ccm128;
	struct tls12_crypto_info_chacha20_poly1305 chacha;
};

#define TLS_INFO_PUT(ci, k) ({						\
	(ci).info.version = (k)->version;				\
	(ci).info.cipher_type = (k)->suite->cipher;			\
	memcpy((ci).key, (k)->key, sizeof((ci).key));			\
	memcpy((ci).salt, (k)->iv, sizeof((ci).salt));			\
	memcpy((ci).iv, (k)->iv + sizeof((ci).salt), sizeof((ci).iv));	\
	tls_put64((ci).rec_seq, (k)->seq);				\
	(socklen_t)sizeof(ci);						\
})

#define TLS_INFO_GET(ci, k) do {					\
	memcpy((k)->key, (ci).key, sizeof((ci).key));			\
	memcpy((k)->iv, (ci).salt, sizeof((ci).salt));			\
	memcpy((k)->iv + sizeof((ci).salt), (ci).iv, sizeof((ci).iv));	\
	(k)->seq = tls_get64((ci).rec_seq);				\
} while (0)

/* Fills @u from @k; returns the length setsockopt() takes. */
static inline socklen_t tls_info_put(union tls_info *u, const struct tls_keys *k)
{
	memset(u, 0, sizeof(*u));
	switch (k->suite->cipher) {
	case TLS_CIPHER_AES_GCM_128:
		return TLS_INFO_PUT(u->gcm128, k);
	case TLS_CIPHER_AES_GCM_256:
		return TLS_INFO_PUT(u->gcm256, k);
	case TLS_CIPHER_AES_CCM_128:
		return TLS_INFO_PUT(u->ccm128, k);
	case TLS_CIPHER_CHACHA20_POLY1305:
		return TLS_INFO_PUT(u->chacha, k);
	}
	return 0;
}

/* Reads back what getsockopt() returned; false for an unknown cipher. */
static inline bool tls_info_get(const union tls_info *u, struct tls_keys *k)
{
	memset(k, 0, sizeof(*k));
	k->version = u->info.version;
	k->suite = tls_suite(u->info.cipher_type);
	switch (u->info.cipher_type) {
	case TLS_CIPHER_AES_GCM_128:
		TLS_INFO_GET(u->gcm128, k);
		break;
	case TLS_CIPHER_AES_GCM_256:
		TLS_INFO_GET(u->gcm256, k);
		break;
	case TLS_CIPHER_AES_CCM_128:
		TLS_INFO_GET(u->ccm128, k);
		break;
	case TLS_CIPHER_CHACHA20_POLY1305:
		TLS_INFO_GET(u->chacha, k);
		break;
	default:
		return false;
	}
	return true;
}

/*
 * One AEAD operation in place or into @out. Encrypting writes @tag;
 * decrypting checks it. CCM is AES-CCM with a 12-byte nonce (L = 3) and a
 * 16-byte tag, as TLS uses it (RFC 6655, RFC 8446). Returns 0, or -1 on
 * any failure, including a wrong tag.
 */
static inline int tls_aead(const struct tls_suite *s, int enc, const uint8_t *key,
			   const uint8_t *nonce, const uint8_t *aad, size_t aad_len,
			   const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
	bool ccm = s->cipher == TLS_CIPHER_AES_CCM_128;
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, s->aead, NULL);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n, ok;

	ok = c && ctx &&
	     EVP_CipherInit_ex(ctx, c, NULL, NULL, NULL, enc) &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, TLS_NONCE_LEN, NULL) &&
	     (!ccm || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, TLS_TAG_LEN,
					  enc ? NULL : tag)) &&
	     EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) &&
	     (!ccm || EVP_CipherUpdate(ctx, NULL, &n, NULL, len)) &&
	     EVP_CipherUpdate(ctx, NULL, &n, aad, aad_len) &&
	     (!len || EVP_CipherUpdate(ctx, out, &n, in, len));
	if (ok && !enc && !ccm)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, TLS_TAG_LEN, tag);
	if (ok && !(ccm && !enc))
		ok = EVP_CipherFinal_ex(ctx, out + len, &n);
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, TLS_TAG_LEN, tag);
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
	return ok ? 0 : -1;
}

/*
 * The nonce of record @seq: TLS 1.2 AES-GCM/CCM send salt || explicit,
 * everything else XORs the sequence number into the last 8 bytes of the IV.
 * Our encoder's explicit nonce is the sequence number.
 */
static inline void tls_nonce(const struct tls_keys *k, uint64_t seq, uint8_t *nonce)
{
	uint8_t s[8];
	int i;

	memcpy(nonce, k->iv, TLS_NONCE_LEN);
	tls_put64(s, seq);
	if (tls_explicit_len(k)) {
		memcpy(nonce + 4, s, 8);
		return;
	}
	for (i = 0; i < 8; i++)
		nonce[4 + i] ^= s[i];
}

/*
 * What a forged record says instead of the truth. The AAD covers the
 * forged header, so only the receiver's own checks can catch it.
 */
struct tls_forge {
	uint8_t outer_type;	/* header content type; 0: the real one */
	uint16_t version;	/* header version; 0: 0x0303 */
	size_t pad;		/* TLS 1.3 zero padding after the inner type */
};

/*
 * Seals one record of @type holding @len bytes of @data into @out, with
 * sequence number k->seq, which it advances. For TLS 1.3 @type goes inside
 * and the header says application data; a @type of 0 makes the inner
 * plaintext end in zeros only. Returns the record's length.
 */
static inline ssize_t tls_seal(struct tls_keys *k, uint8_t type, const void *data,
			       size_t len, const struct tls_forge *f, uint8_t *out)
{
	bool tls13 = k->version == TLS_1_3_VERSION;
	size_t expl = tls_explicit_len(k), pad = f ? f->pad : 0;
	size_t inner = len + (tls13 ? 1 + pad : 0);
	uint16_t version = f && f->version ? f->version : 0x0303;
	uint8_t outer = f && f->outer_type ? f->outer_type : tls13 ? TLS_TYPE_DATA : type;
	uint8_t nonce[TLS_NONCE_LEN], aad[13], *body = out + TLS_HDR_LEN + expl;
	size_t aad_len;

	out[0] = outer;
	tls_put16(out + 1, version);
	tls_put16(out + 3, expl + inner + TLS_TAG_LEN);
	tls_nonce(k, k->seq, nonce);
	memcpy(out + TLS_HDR_LEN, nonce + 4, expl);
	if (len)
		memmove(body, data, len);
	if (tls13) {
		body[len] = type;
		memset(body + len + 1, 0, pad);
		memcpy(aad, out, TLS_HDR_LEN);
		aad_len = TLS_HDR_LEN;
	} else {
		tls_put64(aad, k->seq);
		aad[8] = outer;
		tls_put16(aad + 9, version);
		tls_put16(aad + 11, len);
		aad_len = 13;
	}
	if (tls_aead(k->suite, 1, k->key, nonce, aad, aad_len, body, inner, body,
		     body + inner))
		return -1;
	k->seq++;
	return TLS_HDR_LEN + expl + inner + TLS_TAG_LEN;
}

/*
 * Opens the complete record @rec of @len bytes into @out with sequence
 * number k->seq, which it advances. Returns the content length and its
 * type in @type, or -1 for anything malformed or unauthentic. For TLS 1.2
 * AES-GCM/CCM, @explicit receives the explicit nonce.
 */
static inline ssize_t tls_open(struct tls_keys *k, const uint8_t *rec, size_t len,
			       uint8_t *type, uint8_t *out, uint64_t *explicit)
{
	bool tls13 = k->version == TLS_1_3_VERSION;
	size_t expl = tls_explicit_len(k), clen;
	uint8_t nonce[TLS_NONCE_LEN], aad[13], tag[TLS_TAG_LEN];
	size_t aad_len;

	if (len < TLS_HDR_LEN + expl + TLS_TAG_LEN || tls_get16(rec + 1) != 0x0303 ||
	    tls_get16(rec + 3) != len - TLS_HDR_LEN)
		return -1;
	clen = len - TLS_HDR_LEN - expl - TLS_TAG_LEN;
	tls_nonce(k, k->seq, nonce);
	if (expl) {
		memcpy(nonce + 4, rec + TLS_HDR_LEN, expl);
		if (explicit)
			*explicit = tls_get64(rec + TLS_HDR_LEN);
	}
	if (tls13) {
		if (rec[0] != TLS_TYPE_DATA)
			return -1;
		memcpy(aad, rec, TLS_HDR_LEN);
		aad_len = TLS_HDR_LEN;
	} else {
		tls_put64(aad, k->seq);
		memcpy(aad + 8, rec, 3);
		tls_put16(aad + 11, clen);
		aad_len = 13;
	}
	memcpy(tag, rec + len - TLS_TAG_LEN, TLS_TAG_LEN);
	if (tls_aead(k->suite, 0, k->key, nonce, aad, aad_len, rec + TLS_HDR_LEN + expl,
		     clen, out, tag))
		return -1;
	k->seq++;
	*type = rec[0];
	if (tls13) {
		while (clen && !out[clen - 1])
			clen--;
		if (!clen)
			return -1;
		*type = out[--clen];
	}
	return clen;
}

/*
 * HKDF-Expand-Label and the TLS 1.2 PRF are veil-tls's (tools/tls/kdf.c,
 * linked in): interop with OpenSSL below proves them for both.
 */
static inline int tls13_expand_label(const char *md, const uint8_t *secret, size_t slen,
				     const char *label, uint8_t *out, size_t len)
{
	return vtls_expand_label(md, secret, slen, label, out, len);
}

static inline int tls12_prf(const char *md, const uint8_t *secret, size_t slen,
			    const uint8_t *seed, size_t seed_len, uint8_t *out, size_t len)
{
	return vtls_prf(md, secret, slen, seed, seed_len, out, len);
}

/* What the key log told about one connection (SSL_get_app_data). */
struct tls_secrets {
	uint8_t client[TLS_MAX_SECRET];	/* TLS 1.3 *_TRAFFIC_SECRET_0 */
	uint8_t server[TLS_MAX_SECRET];
	uint8_t master[TLS_MAX_SECRET];	/* TLS 1.2 CLIENT_RANDOM */
	size_t len;			/* of the TLS 1.3 secrets */
	unsigned int seen;		/* TLS_SEEN_* */
};

#define TLS_SEEN_CLIENT	1
#define TLS_SEEN_SERVER	2
#define TLS_SEEN_MASTER	4

/* The key log callback: "LABEL <client random> <secret>" in hex. */
static inline void tls_keylog(const SSL *ssl, const char *line)
{
	struct tls_secrets *sec = SSL_get_app_data(ssl);
	size_t n;

	if (!sec)
		return;
	n = vtls_keylog_secret(line, "CLIENT_TRAFFIC_SECRET_0", sec->client, TLS_MAX_SECRET);
	if (n) {
		sec->len = n;
		sec->seen |= TLS_SEEN_CLIENT;
	}
	n = vtls_keylog_secret(line, "SERVER_TRAFFIC_SECRET_0", sec->server, TLS_MAX_SECRET);
	if (n) {
		sec->len = n;
		sec->seen |= TLS_SEEN_SERVER;
	}
	if (vtls_keylog_secret(line, "CLIENT_RANDOM", sec->master, TLS_MAX_SECRET) ==
	    TLS_MAX_SECRET)
		sec->seen |= TLS_SEEN_MASTER;
}

/* TLS 1.3 key and IV from a traffic secret (RFC 8446, section 7.3). */
static inline int tls13_traffic_keys(struct tls_keys *k, const uint8_t *secret, size_t slen)
{
	k->seq = 0;
	return tls13_expand_label(k->suite->md, secret, slen, "key", k->key,
				  k->suite->key_len) ||
	       tls13_expand_label(k->suite->md, secret, slen, "iv", k->iv, TLS_NONCE_LEN);
}

/* application_traffic_secret_N+1 (RFC 8446, section 7.2), in place. */
static inline int tls13_next_secret(const struct tls_suite *s, uint8_t *secret, size_t slen)
{
	uint8_t next[TLS_MAX_SECRET];

	if (tls13_expand_label(s->md, secret, slen, "traffic upd", next, slen))
		return -1;
	memcpy(secret, next, slen);
	return 0;
}

/*
 * The keys of the completed handshake @ssl for records the client
 * (@client_write) or the server writes. TLS 1.3: application records start
 * at sequence 0. TLS 1.2: the key block (RFC 5246, section 6.3), and
 * sequence 1, since Finished was 0; an explicit nonce starts at 1 too.
 */
static inline int tls_keys_from_ssl(SSL *ssl, const struct tls_secrets *sec,
				    bool client_write, struct tls_keys *k)
{
	const struct tls_suite *s = k->suite;
	size_t fixed = s->salt_len ? s->salt_len : TLS_NONCE_LEN;
	uint8_t seed[13 + 2 * SSL3_RANDOM_SIZE], block[2 * 32 + 2 * TLS_NONCE_LEN];

	if (k->version == TLS_1_3_VERSION) {
		if (!(sec->seen & (client_write ? TLS_SEEN_CLIENT : TLS_SEEN_SERVER)))
			return -1;
		return tls13_traffic_keys(k, client_write ? sec->client : sec->server,
					  sec->len);
	}
	if (!(sec->seen & TLS_SEEN_MASTER))
		return -1;
	memcpy(seed, "key expansion", 13);
	SSL_get_server_random(ssl, seed + 13, SSL3_RANDOM_SIZE);
	SSL_get_client_random(ssl, seed + 13 + SSL3_RANDOM_SIZE, SSL3_RANDOM_SIZE);
	if (tls12_prf(s->md, sec->master, TLS_MAX_SECRET, seed, sizeof(seed), block,
		      2 * s->key_len + 2 * fixed))
		return -1;
	memcpy(k->key, block + (client_write ? 0 : s->key_len), s->key_len);
	memcpy(k->iv, block + 2 * s->key_len + (client_write ? 0 : fixed), fixed);
	k->seq = 1;
	if (s->salt_len)
		tls_put64(k->iv + s->salt_len, k->seq);
	return 0;
}

/* A self-signed ECDSA P-256 certificate for the server end. */
static inline int tls_self_signed(EVP_PKEY **pkey, X509 **cert)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name;
	int ok;

	ok = k && x && X509_set_version(x, 2) &&
	     ASN1_INTEGER_set(X509_get_serialNumber(x), 1) &&
	     X509_gmtime_adj(X509_getm_notBefore(x), -3600) &&
	     X509_gmtime_adj(X509_getm_notAfter(x), 86400) &&
	     X509_set_pubkey(x, k) && (name = X509_get_subject_name(x)) &&
	     X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					(const unsigned char *)"veil-selftest", -1, -1, 0) &&
	     X509_set_issuer_name(x, name) && X509_sign(x, k, EVP_sha256());
	if (!ok) {
		EVP_PKEY_free(k);
		X509_free(x);
		return -1;
	}
	*pkey = k;
	*cert = x;
	return 0;
}

/*
 * A context allowing only @version and suite @s. No read-ahead, so that
 * when the handshake is done nothing after it sits in OpenSSL's buffers.
 * The server uses @cert; the client does not verify it.
 */
static inline SSL_CTX *tls_ssl_ctx(bool server, uint16_t version, const struct tls_suite *s,
				   EVP_PKEY *pkey, X509 *cert)
{
	SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	int v = version == TLS_1_3_VERSION ? TLS1_3_VERSION : TLS1_2_VERSION;
	int ok;

	ok = ctx && SSL_CTX_set_min_proto_version(ctx, v) &&
	     SSL_CTX_set_max_proto_version(ctx, v) &&
	     (v == TLS1_3_VERSION ? SSL_CTX_set_ciphersuites(ctx, s->ossl13) :
				    SSL_CTX_set_cipher_list(ctx, s->ossl12)) &&
	     (!server || (SSL_CTX_use_certificate(ctx, cert) &&
			  SSL_CTX_use_PrivateKey(ctx, pkey)));
	if (!ok) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_read_ahead(ctx, 0);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_keylog_callback(ctx, tls_keylog);
	return ctx;
}

#endif
