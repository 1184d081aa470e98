// SPDX-License-Identifier: GPL-2.0
/*
 * The IKE SA's cryptography. Every primitive is OpenSSL 3's (EVP_PKEY for
 * key exchange, EVP_MAC for HMAC and CMAC, EVP_CIPHER for the SK payload,
 * EVP_MD for NAT detection and cookies); this file only arranges inputs
 * the way RFC 7296 and its companions say. Which algorithm takes which key
 * length, salt, IV or ICV comes from the table in proposal.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include "crypto.h"

#define IKE_CRYPTO_CHUNKS_MAX	8
/* SEC 1's prefix of an uncompressed point, which a KE payload leaves out */
#define IKE_DH_EC_UNCOMPRESSED	0x04

/**
 * ike_crypto_random() - fill a buffer from OpenSSL's CSPRNG
 * @buf: the buffer (nonces, SPIs, IVs)
 * @len: its length
 *
 * Return: 0 or -EIO.
 */
int ike_crypto_random(void *buf, size_t len)
{
	if (len > INT_MAX)
		return -EINVAL;
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -EIO;
}

/* ----------------------------------------------------------------------
 * Key exchange
 */

/**
 * struct ike_dh - one side of a key exchange
 * @alg: the group's table entry
 * @key: our key pair
 */
struct ike_dh {
	const struct ike_prop_alg *alg;
	EVP_PKEY *key;
};

static const struct ike_prop_alg *ike_dh_alg(uint16_t group)
{
	const struct ike_prop_alg *a = ike_prop_alg_find(IKEV2_TRANS_DH, group, 0);

	if (!a || !(a->flags & IKE_PROP_ALG_IKE))
		return NULL;
	if (a->mode != IKE_PROP_MODE_MODP && a->mode != IKE_PROP_MODE_ECP &&
	    a->mode != IKE_PROP_MODE_ECX)
		return NULL;
	return a;
}

/**
 * ike_dh_supported() - whether ike_dh_new() can do a group
 * @group: transform ID of type 4
 *
 * Return: true for MODP 1024 to 8192, ECP 256/384/521, Curve25519/448.
 */
bool ike_dh_supported(uint16_t group)
{
	return ike_dh_alg(group) != NULL;
}

/**
 * ike_dh_public_len() - length of a KE payload's key exchange data
 * @group: transform ID of type 4
 *
 * Return: bytes, or 0 for an unsupported group.
 */
size_t ike_dh_public_len(uint16_t group)
{
	const struct ike_prop_alg *a = ike_dh_alg(group);

	return a ? a->key_len : 0;
}

/**
 * ike_dh_secret_len() - length of the shared secret g^ir
 * @group: transform ID of type 4
 *
 * Return: bytes, or 0 for an unsupported group.
 */
size_t ike_dh_secret_len(uint16_t group)
{
	const struct ike_prop_alg *a = ike_dh_alg(group);

	return a ? a->out_len : 0;
}

/* OSSL_PARAM_free() without leaving private values in freed memory */
static void ike_crypto_params_free(OSSL_PARAM *params)
{
	OSSL_PARAM *p;

	if (!params)
		return;
	for (p = params; p->key; p++)
		if (p->data)
			OPENSSL_cleanse(p->data, p->data_size);
	OSSL_PARAM_free(params);
}

/*
 * Build an EVP_PKEY of a MODP or ECP group out of its domain parameters and
 * optionally a private value and a public value (a BIGNUM for MODP, an
 * uncompressed point for ECP). OpenSSL names all MODP groups but RFC 2409's
 * 1024-bit one, which is built from its prime and generator 2. Its q stays
 * unset: given q, OpenSSL 3 refuses to generate keys below 112 bits of
 * strength, and the range check in ike_dh_peer() does not need it.
 */
static EVP_PKEY *ike_dh_fromdata(const struct ike_prop_alg *a, int selection,
				 const BIGNUM *priv, const BIGNUM *pub_bn,
				 const uint8_t *pub_oct, size_t pub_len)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *p = NULL, *g = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	int ok;

	if (!bld)
		return NULL;
	if (a->ossl) {
		ok = OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, a->ossl, 0);
	} else {
		p = BN_get_rfc2409_prime_1024(NULL);
		g = BN_new();
		ok = p && g && BN_set_word(g, 2) &&
		     OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p) &&
		     OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, g);
	}
	if (ok && priv)
		ok = OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv);
	if (ok && pub_bn)
		ok = OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, pub_bn);
	if (ok && pub_oct)
		ok = OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub_oct,
						      pub_len);
	if (ok)
		params = OSSL_PARAM_BLD_to_param(bld);
	if (params)
		ctx = EVP_PKEY_CTX_new_from_name(NULL, a->mode == IKE_PROP_MODE_MODP ? "DH" : "EC",
						 NULL);
	if (ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
	    EVP_PKEY_fromdata(ctx, &pkey, selection, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	ike_crypto_params_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(p);
	BN_free(g);
	return pkey;
}

static EVP_PKEY *ike_dh_generate(const struct ike_prop_alg *a)
{
	EVP_PKEY *params = NULL, *key = NULL;
	EVP_PKEY_CTX *ctx;

	if (a->mode == IKE_PROP_MODE_ECX) {
		ctx = EVP_PKEY_CTX_new_from_name(NULL, a->ossl, NULL);
	} else {
		params = ike_dh_fromdata(a, EVP_PKEY_KEY_PARAMETERS, NULL, NULL, NULL, 0);
		ctx = params ? EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL) : NULL;
	}
	if (ctx && (EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_generate(ctx, &key) != 1))
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(params);
	return key;
}

/**
 * ike_dh_new() - generate a key pair for a key exchange
 * @group: transform ID of type 4
 *
 * Return: the new key exchange, or NULL when the group is unsupported or
 * OpenSSL fails.
 */
struct ike_dh *ike_dh_new(uint16_t group)
{
	const struct ike_prop_alg *a = ike_dh_alg(group);
	struct ike_dh *dh;

	if (!a)
		return NULL;
	dh = calloc(1, sizeof(*dh));
	if (!dh)
		return NULL;
	dh->alg = a;
	dh->key = ike_dh_generate(a);
	if (!dh->key) {
		free(dh);
		return NULL;
	}
	return dh;
}

static bool ike_dh_pairwise_ok(EVP_PKEY *key)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	bool ok = ctx && EVP_PKEY_pairwise_check(ctx) == 1;

	EVP_PKEY_CTX_free(ctx);
	return ok;
}

/**
 * ike_dh_new_keypair() - a key exchange with a given private value
 * @group: transform ID of type 4
 * @priv: private value, big-endian (MODP, ECP) or raw (Curve25519/448)
 * @privlen: its length
 * @pub: the matching public value as in a KE payload; required for MODP
 *	and ECP, optional (computed) for Curve25519/448
 * @publen: its length
 *
 * For known-answer tests. The pair is checked for consistency.
 *
 * Return: the key exchange, or NULL when the values are invalid.
 */
struct ike_dh *ike_dh_new_keypair(uint16_t group, const uint8_t *priv, size_t privlen,
				  const uint8_t *pub, size_t publen)
{
	const struct ike_prop_alg *a = ike_dh_alg(group);
	uint8_t oct[1 + IKE_DH_PUBLIC_MAX];
	BIGNUM *x = NULL, *y = NULL;
	EVP_PKEY *key = NULL;
	struct ike_dh *dh;

	if (!a || !priv || !privlen || (pub && publen != a->key_len))
		return NULL;
	if (a->mode == IKE_PROP_MODE_ECX) {
		key = EVP_PKEY_new_raw_private_key_ex(NULL, a->ossl, NULL, priv, privlen);
		if (key && pub) {
			uint8_t mine[IKE_DH_PUBLIC_MAX];
			size_t len = sizeof(mine);

			if (EVP_PKEY_get_raw_public_key(key, mine, &len) != 1 || len != publen ||
			    memcmp(mine, pub, len)) {
				EVP_PKEY_free(key);
				key = NULL;
			}
		}
	} else if (pub) {
		x = BN_secure_new();
		if (x && BN_bin2bn(priv, (int)privlen, x)) {
			if (a->mode == IKE_PROP_MODE_MODP) {
				y = BN_bin2bn(pub, (int)publen, NULL);
				if (y)
					key = ike_dh_fromdata(a, EVP_PKEY_KEYPAIR, x, y, NULL, 0);
			} else {
				oct[0] = IKE_DH_EC_UNCOMPRESSED;
				memcpy(oct + 1, pub, publen);
				key = ike_dh_fromdata(a, EVP_PKEY_KEYPAIR, x, NULL, oct,
						      publen + 1);
			}
		}
		if (key && !ike_dh_pairwise_ok(key)) {
			EVP_PKEY_free(key);
			key = NULL;
		}
	}
	BN_clear_free(x);
	BN_free(y);
	if (!key)
		return NULL;
	dh = calloc(1, sizeof(*dh));
	if (!dh) {
		EVP_PKEY_free(key);
		return NULL;
	}
	dh->alg = a;
	dh->key = key;
	return dh;
}

/**
 * ike_dh_group() - the group of a key exchange
 * @dh: the key exchange
 *
 * Return: its transform ID.
 */
uint16_t ike_dh_group(const struct ike_dh *dh)
{
	return dh->alg->id;
}

static int ike_dh_bn_param_pad(const EVP_PKEY *key, const char *name, uint8_t *out, size_t len)
{
	BIGNUM *bn = NULL;
	int ret = -EIO;

	if (EVP_PKEY_get_bn_param(key, name, &bn) == 1 &&
	    BN_bn2binpad(bn, out, (int)len) == (int)len)
		ret = 0;
	BN_free(bn);
	return ret;
}

/**
 * ike_dh_public() - our public value as a KE payload carries it
 * @dh: the key exchange
 * @out: the output
 * @len: in: room in @out; out: bytes written, ike_dh_public_len()
 *
 * MODP values are left-padded to the prime's length (RFC 7296 section
 * 3.4); ECP values are x | y, each padded to the field's length, without
 * the 0x04 point prefix (RFC 5903 section 7); Curve25519/448 values are
 * the raw u coordinate (RFC 8031).
 *
 * Return: 0, -ENOSPC or -EIO.
 */
int ike_dh_public(const struct ike_dh *dh, uint8_t *out, size_t *len)
{
	const struct ike_prop_alg *a = dh->alg;
	size_t need = a->key_len, got;
	int ret;

	if (*len < need)
		return -ENOSPC;
	switch (a->mode) {
	case IKE_PROP_MODE_MODP:
		ret = ike_dh_bn_param_pad(dh->key, OSSL_PKEY_PARAM_PUB_KEY, out, need);
		break;
	case IKE_PROP_MODE_ECP:
		ret = ike_dh_bn_param_pad(dh->key, OSSL_PKEY_PARAM_EC_PUB_X, out, need / 2);
		if (!ret)
			ret = ike_dh_bn_param_pad(dh->key, OSSL_PKEY_PARAM_EC_PUB_Y,
						  out + need / 2, need / 2);
		break;
	default:
		got = need;
		ret = EVP_PKEY_get_raw_public_key(dh->key, out, &got) == 1 && got == need ?
		      0 : -EIO;
		break;
	}
	if (!ret)
		*len = need;
	return ret;
}

/* The peer's public value as an EVP_PKEY, or NULL when it is invalid. */
static EVP_PKEY *ike_dh_peer(const struct ike_dh *dh, const uint8_t *peer, size_t len)
{
	const struct ike_prop_alg *a = dh->alg;
	BIGNUM *y = NULL, *p = NULL, *pm1 = NULL;
	uint8_t oct[1 + IKE_DH_PUBLIC_MAX];
	EVP_PKEY *key = NULL;

	switch (a->mode) {
	case IKE_PROP_MODE_MODP:
		/* RFC 6989 section 2.1: for safe-prime groups 1 < y < p-1 is the check */
		y = BN_bin2bn(peer, (int)len, NULL);
		pm1 = BN_new();
		if (y && pm1 && EVP_PKEY_get_bn_param(dh->key, OSSL_PKEY_PARAM_FFC_P, &p) == 1 &&
		    BN_copy(pm1, p) && BN_sub_word(pm1, 1) &&
		    BN_cmp(y, BN_value_one()) > 0 && BN_cmp(y, pm1) < 0)
			key = ike_dh_fromdata(a, EVP_PKEY_PUBLIC_KEY, NULL, y, NULL, 0);
		break;
	case IKE_PROP_MODE_ECP:
		/* OpenSSL refuses a point off the curve when importing it. */
		oct[0] = IKE_DH_EC_UNCOMPRESSED;
		memcpy(oct + 1, peer, len);
		key = ike_dh_fromdata(a, EVP_PKEY_PUBLIC_KEY, NULL, NULL, oct, len + 1);
		break;
	default:
		key = EVP_PKEY_new_raw_public_key_ex(NULL, a->ossl, NULL, peer, len);
		break;
	}
	BN_free(y);
	BN_free(p);
	BN_free(pm1);
	return key;
}

/**
 * ike_dh_derive() - the shared secret g^ir from the peer's public value
 * @dh: the key exchange
 * @peer: the peer's key exchange data
 * @len: its length, which must be exactly ike_dh_public_len()
 * @secret: the output
 * @slen: in: room in @secret; out: ike_dh_secret_len() bytes written
 *
 * MODP secrets are left-padded to the prime's length (RFC 7296 section
 * 2.14), ECP secrets are the x coordinate (RFC 5903 section 9). A MODP
 * value outside 1 < y < p-1, an ECP point off the curve and a Curve25519
 * or Curve448 value giving the all-zero secret (RFC 8031 section 2.3) are
 * refused.
 *
 * Return: 0, -EINVAL for an invalid peer value, -ENOSPC or -EIO.
 */
int ike_dh_derive(struct ike_dh *dh, const uint8_t *peer, size_t len, uint8_t *secret,
		  size_t *slen)
{
	static const uint8_t zero[IKE_DH_PUBLIC_MAX];
	const struct ike_prop_alg *a = dh->alg;
	uint8_t buf[IKE_DH_PUBLIC_MAX];
	size_t need = a->out_len, got = sizeof(buf);
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey;
	int ret = -EINVAL;

	if (!peer || len != a->key_len)
		return -EINVAL;
	if (*slen < need)
		return -ENOSPC;
	pkey = ike_dh_peer(dh, peer, len);
	if (!pkey)
		return -EINVAL;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->key, NULL);
	if (!ctx || EVP_PKEY_derive_init(ctx) != 1) {
		ret = -EIO;
		goto out;
	}
	/*
	 * Have OpenSSL validate EC points fully (on the curve, not the point
	 * at infinity). A DH value was range-checked above and OpenSSL's DH
	 * derivation checks it again, so a full check would only double the
	 * cost of a big modular exponentiation.
	 */
	if (EVP_PKEY_derive_set_peer_ex(ctx, pkey, a->mode != IKE_PROP_MODE_MODP) != 1 ||
	    EVP_PKEY_derive(ctx, buf, &got) != 1 || got > need || got == 0)
		goto out;
	/* A DH secret may come back without its leading zero bytes. */
	memset(secret, 0, need - got);
	memcpy(secret + need - got, buf, got);
	if (a->mode == IKE_PROP_MODE_ECX && !CRYPTO_memcmp(secret, zero, need)) {
		OPENSSL_cleanse(secret, need);
		goto out;
	}
	*slen = need;
	ret = 0;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return ret;
}

/**
 * ike_dh_free() - free a key exchange and its private value
 * @dh: the key exchange, or NULL
 */
void ike_dh_free(struct ike_dh *dh)
{
	if (!dh)
		return;
	EVP_PKEY_free(dh->key);	/* OpenSSL clears private values it frees */
	free(dh);
}

/* ----------------------------------------------------------------------
 * PRF and MACs
 */

/* HMAC or CMAC over concatenated chunks; returns the output length or < 0. */
static int ike_crypto_mac(uint8_t mode, const char *ossl, const uint8_t *key, size_t klen,
			  const struct ike_crypto_chunk *c, size_t n, uint8_t *out, size_t room)
{
	bool hmac = mode == IKE_PROP_MODE_HMAC;
	EVP_MAC *mac = EVP_MAC_fetch(NULL, hmac ? "HMAC" : "CMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[2];
	size_t i, len = 0;
	int ret = -EIO;

	if (!key || !klen) {
		ret = -EINVAL;
		goto out;
	}
	params[0] = OSSL_PARAM_construct_utf8_string(hmac ? OSSL_MAC_PARAM_DIGEST :
						     OSSL_MAC_PARAM_CIPHER, (char *)ossl, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!ctx || EVP_MAC_init(ctx, key, klen, params) != 1)
		goto out;
	for (i = 0; i < n; i++)
		if (c[i].len && EVP_MAC_update(ctx, c[i].ptr, c[i].len) != 1)
			goto out;
	if (EVP_MAC_final(ctx, out, &len, room) == 1)
		ret = (int)len;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ret;
}

static const struct ike_prop_alg *ike_prf_alg(uint16_t prf)
{
	const struct ike_prop_alg *a = ike_prop_alg_find(IKEV2_TRANS_PRF, prf, 0);

	if (!a || !(a->flags & IKE_PROP_ALG_IKE) ||
	    (a->mode != IKE_PROP_MODE_HMAC && a->mode != IKE_PROP_MODE_CMAC))
		return NULL;
	return a;
}

/**
 * ike_prf_len() - output length of a PRF
 * @prf: transform ID of type 2
 *
 * Return: bytes, or 0 for a PRF this file does not implement.
 */
size_t ike_prf_len(uint16_t prf)
{
	const struct ike_prop_alg *a = ike_prf_alg(prf);

	return a ? a->out_len : 0;
}

/**
 * ike_prf_key_len() - preferred key length of a PRF (SK_d, SK_pi, SK_pr)
 * @prf: transform ID of type 2
 *
 * Return: bytes, or 0 for a PRF this file does not implement.
 */
size_t ike_prf_key_len(uint16_t prf)
{
	const struct ike_prop_alg *a = ike_prf_alg(prf);

	return a ? a->key_len : 0;
}

/**
 * ike_prf_v() - prf(key, data) over data given in pieces
 * @prf: transform ID of type 2, as for ike_prf_compute()
 * @key: the key
 * @klen: its length
 * @c: the pieces of the input, concatenated in this order
 * @n: how many
 * @out: ike_prf_len() bytes of output
 *
 * IKEv1's hashes (v1crypto.c) concatenate many fields; this spares them
 * copying those into one buffer.
 *
 * Return: 0, -ENOTSUP, -EINVAL or -EIO.
 */
int ike_prf_v(uint16_t prf, const uint8_t *key, size_t klen, const struct ike_crypto_chunk *c,
	      size_t n, uint8_t *out)
{
	const struct ike_prop_alg *a = ike_prf_alg(prf);
	uint8_t k[16];
	int ret;

	if (!a)
		return -ENOTSUP;
	if (a->mode == IKE_PROP_MODE_HMAC || klen == sizeof(k)) {
		ret = ike_crypto_mac(a->mode, a->ossl, key, klen, c, n, out, a->out_len);
	} else {
		/* RFC 4615 section 3: other key lengths go through CMAC under 0^128. */
		struct ike_crypto_chunk kc = { key, klen };

		memset(k, 0, sizeof(k));
		ret = key ? ike_crypto_mac(a->mode, a->ossl, k, sizeof(k), &kc, 1, k,
					   sizeof(k)) : -EINVAL;
		if (ret == (int)sizeof(k))
			ret = ike_crypto_mac(a->mode, a->ossl, k, sizeof(k), c, n, out, a->out_len);
		OPENSSL_cleanse(k, sizeof(k));
	}
	if (ret < 0)
		return ret;
	return ret == a->out_len ? 0 : -EIO;
}

/**
 * ike_prf_compute() - prf(key, data)
 * @prf: transform ID of type 2: HMAC-MD5/SHA1/SHA2-256/384/512, AES-CMAC
 * @key: the key, of any non-zero length (AES-CMAC-PRF-128 takes any length
 *	as RFC 4615 says)
 * @klen: its length
 * @data: the input
 * @dlen: its length
 * @out: ike_prf_len() bytes of output
 *
 * Return: 0, -ENOTSUP, -EINVAL or -EIO.
 */
int ike_prf_compute(uint16_t prf, const uint8_t *key, size_t klen, const uint8_t *data,
		    size_t dlen, uint8_t *out)
{
	struct ike_crypto_chunk c = { data, dlen };

	return ike_prf_v(prf, key, klen, &c, 1, out);
}

/* prf+ (RFC 7296 section 2.13): T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n) */
static int ike_prf_plus_v(uint16_t prf, const uint8_t *key, size_t klen,
			  const struct ike_crypto_chunk *seed, size_t n, uint8_t *out, size_t len)
{
	struct ike_crypto_chunk c[IKE_CRYPTO_CHUNKS_MAX];
	size_t plen = ike_prf_len(prf), done = 0, step;
	uint8_t t[IKE_PRF_MAX], ctr;
	int ret = 0;

	if (!plen)
		return -ENOTSUP;
	if (n + 2 > IKE_CRYPTO_CHUNKS_MAX || len > 255 * plen)
		return -EINVAL;
	memcpy(c + 1, seed, n * sizeof(*seed));
	for (ctr = 1; done < len; ctr++) {
		c[0] = (struct ike_crypto_chunk){ t, ctr == 1 ? 0 : plen };
		c[n + 1] = (struct ike_crypto_chunk){ &ctr, 1 };
		ret = ike_prf_v(prf, key, klen, c, n + 2, t);
		if (ret)
			break;
		step = len - done < plen ? len - done : plen;
		memcpy(out + done, t, step);
		done += step;
	}
	OPENSSL_cleanse(t, sizeof(t));
	if (ret)
		OPENSSL_cleanse(out, len);
	return ret;
}

/**
 * ike_prf_plus() - prf+(key, seed) of RFC 7296 section 2.13
 * @prf: transform ID of type 2
 * @key: the key
 * @klen: its length
 * @seed: the seed S
 * @slen: its length
 * @out: the output
 * @len: bytes wanted, at most 255 times ike_prf_len()
 *
 * Return: 0, -ENOTSUP, -EINVAL or -EIO.
 */
int ike_prf_plus(uint16_t prf, const uint8_t *key, size_t klen, const uint8_t *seed,
		 size_t slen, uint8_t *out, size_t len)
{
	struct ike_crypto_chunk c = { seed, slen };

	return ike_prf_plus_v(prf, key, klen, &c, 1, out, len);
}

/**
 * ike_prf_skeyseed() - SKEYSEED = prf(Ni | Nr, g^ir) (RFC 7296 section 2.14)
 * @prf: transform ID of type 2
 * @ni: the initiator's nonce
 * @nilen: its length (at most 256)
 * @nr: the responder's nonce
 * @nrlen: its length (at most 256)
 * @gir: the shared secret
 * @girlen: its length
 * @out: ike_prf_len() bytes of SKEYSEED
 *
 * The nonces together are the key. With AES-CMAC-PRF-128 (and XCBC) the
 * key is the first 64 bits of each, which makes exactly one AES key.
 *
 * Return: 0, -ENOTSUP, -EINVAL or -EIO.
 */
int ike_prf_skeyseed(uint16_t prf, const uint8_t *ni, size_t nilen, const uint8_t *nr,
		     size_t nrlen, const uint8_t *gir, size_t girlen, uint8_t *out)
{
	const struct ike_prop_alg *a = ike_prf_alg(prf);
	uint8_t key[2 * IKE_CRYPTO_NONCE_MAX];
	size_t kl;
	int ret;

	if (!a)
		return -ENOTSUP;
	if (nilen > IKE_CRYPTO_NONCE_MAX || nrlen > IKE_CRYPTO_NONCE_MAX || !gir || !girlen)
		return -EINVAL;
	if (a->mode == IKE_PROP_MODE_CMAC) {
		if (nilen < 8 || nrlen < 8)
			return -EINVAL;
		nilen = 8;
		nrlen = 8;
	}
	memcpy(key, ni, nilen);
	memcpy(key + nilen, nr, nrlen);
	kl = nilen + nrlen;
	ret = ike_prf_compute(prf, key, kl, gir, girlen, out);
	OPENSSL_cleanse(key, sizeof(key));
	return ret;
}

/* ----------------------------------------------------------------------
 * The IKE SA's keys
 */

static bool ike_sk_encr_ok(const struct ike_prop_alg *a)
{
	if (!a || !(a->flags & IKE_PROP_ALG_IKE))
		return false;
	switch (a->mode) {
	case IKE_PROP_MODE_CBC:
	case IKE_PROP_MODE_CTR:
	case IKE_PROP_MODE_GCM:
	case IKE_PROP_MODE_CCM:
	case IKE_PROP_MODE_CHACHA:
		return ike_prop_alg_keymat_len(a) <= IKE_SK_ENCR_KEY_MAX;
	default:
		return false;
	}
}

static bool ike_sk_is_aead(const struct ike_sk *sk)
{
	return sk->encr->flags & IKE_PROP_ALG_AEAD;
}

/**
 * ike_sk_new() - an IKE SA's key set for a chosen proposal, keys still zero
 * @chosen: the chosen IKE proposal (one transform per type)
 * @out: the new key set
 *
 * Return: 0, -EINVAL for a proposal that is not a complete IKE one, -ENOTSUP
 * for an algorithm this file cannot compute, or -ENOMEM.
 */
int ike_sk_new(const struct ike_prop *chosen, struct ike_sk **out)
{
	const struct ike_prop_transform *e = ike_prop_get(chosen, IKEV2_TRANS_ENCR);
	const struct ike_prop_transform *i = ike_prop_get(chosen, IKEV2_TRANS_INTEG);
	const struct ike_prop_transform *p = ike_prop_get(chosen, IKEV2_TRANS_PRF);
	const struct ike_prop_alg *encr, *integ = NULL, *prf;
	struct ike_sk *sk;

	*out = NULL;
	if (chosen->proto != IKEV2_PROTO_IKE || !e || !p)
		return -EINVAL;
	encr = ike_prop_alg_of(e);
	prf = ike_prf_alg(p->id);
	if (!ike_sk_encr_ok(encr) || !prf)
		return -ENOTSUP;
	if (i && i->id != IKEV2_INTEG_NONE) {
		if (encr->flags & IKE_PROP_ALG_AEAD)
			return -EINVAL;
		integ = ike_prop_alg_of(i);
		if (!integ || !(integ->flags & IKE_PROP_ALG_IKE) ||
		    (integ->mode != IKE_PROP_MODE_HMAC && integ->mode != IKE_PROP_MODE_CMAC))
			return -ENOTSUP;
	} else if (!(encr->flags & IKE_PROP_ALG_AEAD)) {
		return -EINVAL;
	}
	sk = calloc(1, sizeof(*sk));
	if (!sk)
		return -ENOMEM;
	sk->encr = encr;
	sk->integ = integ;
	sk->prf = prf;
	sk->encr_id = e->id;
	sk->encr_keylen = e->keylen;
	sk->prf_id = p->id;
	sk->d_len = prf->key_len;
	sk->a_len = integ ? integ->key_len : 0;
	sk->e_len = ike_prop_alg_keymat_len(encr);
	*out = sk;
	return 0;
}

/* {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) */
static int ike_sk_expand(struct ike_sk *sk, const uint8_t *skeyseed, size_t slen,
			 const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
			 const uint8_t *spii, const uint8_t *spir)
{
	struct ike_crypto_chunk seed[] = {
		{ ni, nilen }, { nr, nrlen }, { spii, IKEV2_SPI_LEN }, { spir, IKEV2_SPI_LEN },
	};
	uint8_t buf[5 * IKE_SK_KEY_MAX + 2 * IKE_SK_ENCR_KEY_MAX], *k = buf;
	size_t len = 3 * sk->d_len + 2 * sk->a_len + 2 * sk->e_len;
	int ret;

	ret = ike_prf_plus_v(sk->prf_id, skeyseed, slen, seed, 4, buf, len);
	if (!ret) {
		memcpy(sk->d, k, sk->d_len);
		k += sk->d_len;
		memcpy(sk->ai, k, sk->a_len);
		k += sk->a_len;
		memcpy(sk->ar, k, sk->a_len);
		k += sk->a_len;
		memcpy(sk->ei, k, sk->e_len);
		k += sk->e_len;
		memcpy(sk->er, k, sk->e_len);
		k += sk->e_len;
		memcpy(sk->pi, k, sk->d_len);
		k += sk->d_len;
		memcpy(sk->pr, k, sk->d_len);
		sk->iv_next[0] = sk->iv_next[1] = 0;
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	return ret;
}

static bool ike_sk_nonces_ok(const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen)
{
	return ni && nr && nilen && nrlen && nilen <= IKE_CRYPTO_NONCE_MAX &&
	       nrlen <= IKE_CRYPTO_NONCE_MAX;
}

/**
 * ike_sk_derive() - an IKE SA's keys after IKE_SA_INIT (RFC 7296 section 2.14)
 * @sk: the key set from ike_sk_new()
 * @gir: the shared secret of the key exchange
 * @girlen: its length
 * @ni: the initiator's nonce data
 * @nilen: its length
 * @nr: the responder's nonce data
 * @nrlen: its length
 * @spii: the initiator's SPI
 * @spir: the responder's SPI
 *
 * Return: 0, -EINVAL, -ENOTSUP or -EIO.
 */
int ike_sk_derive(struct ike_sk *sk, const uint8_t *gir, size_t girlen, const uint8_t *ni,
		  size_t nilen, const uint8_t *nr, size_t nrlen,
		  const uint8_t spii[IKEV2_SPI_LEN], const uint8_t spir[IKEV2_SPI_LEN])
{
	uint8_t skeyseed[IKE_PRF_MAX];
	int ret;

	if (!ike_sk_nonces_ok(ni, nilen, nr, nrlen))
		return -EINVAL;
	ret = ike_prf_skeyseed(sk->prf_id, ni, nilen, nr, nrlen, gir, girlen, skeyseed);
	if (!ret)
		ret = ike_sk_expand(sk, skeyseed, sk->prf->out_len, ni, nilen, nr, nrlen, spii,
				    spir);
	OPENSSL_cleanse(skeyseed, sizeof(skeyseed));
	return ret;
}

/**
 * ike_sk_derive_rekey() - a new IKE SA's keys after CREATE_CHILD_SA
 *	(RFC 7296 section 2.18)
 * @sk: the new SA's key set from ike_sk_new()
 * @old: the SA being rekeyed
 * @gir: the new shared secret
 * @girlen: its length
 * @ni: the rekeying initiator's nonce
 * @nilen: its length
 * @nr: the rekeying responder's nonce
 * @nrlen: its length
 * @spii: the new SA's initiator SPI (the rekeying exchange's initiator)
 * @spir: the new SA's responder SPI
 *
 * SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), with the old SA's PRF
 * since the exchange belongs to the old SA; the expansion uses the new
 * SA's PRF.
 *
 * Return: 0, -EINVAL, -ENOTSUP or -EIO.
 */
int ike_sk_derive_rekey(struct ike_sk *sk, const struct ike_sk *old, const uint8_t *gir,
			size_t girlen, const uint8_t *ni, size_t nilen, const uint8_t *nr,
			size_t nrlen, const uint8_t spii[IKEV2_SPI_LEN],
			const uint8_t spir[IKEV2_SPI_LEN])
{
	struct ike_crypto_chunk c[] = { { gir, girlen }, { ni, nilen }, { nr, nrlen } };
	uint8_t skeyseed[IKE_PRF_MAX];
	int ret;

	if (!gir || !girlen || !ike_sk_nonces_ok(ni, nilen, nr, nrlen))
		return -EINVAL;
	ret = ike_prf_v(old->prf_id, old->d, old->d_len, c, 3, skeyseed);
	if (!ret)
		ret = ike_sk_expand(sk, skeyseed, old->prf->out_len, ni, nilen, nr, nrlen, spii,
				    spir);
	OPENSSL_cleanse(skeyseed, sizeof(skeyseed));
	return ret;
}

/**
 * ike_sk_child_keymat() - a Child SA's KEYMAT (RFC 7296 section 2.17)
 * @sk: the IKE SA's keys
 * @gir: with PFS the CREATE_CHILD_SA exchange's new shared secret, else NULL
 * @girlen: its length, 0 without PFS
 * @ni: the initiator's nonce (of IKE_SA_INIT, or of CREATE_CHILD_SA)
 * @nilen: its length
 * @nr: the responder's nonce
 * @nrlen: its length
 * @keymat: the output: prf+(SK_d, [g^ir |] Ni | Nr)
 * @len: bytes wanted, ike_prop_child_keymat_len() of the Child SA's proposal
 *
 * The caller splits @keymat: encryption key (salt included) then
 * integrity key of the initiator-to-responder SA, then the same for the
 * responder-to-initiator SA.
 *
 * Return: 0, -EINVAL, -ENOTSUP or -EIO.
 */
int ike_sk_child_keymat(const struct ike_sk *sk, const uint8_t *gir, size_t girlen,
			const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
			uint8_t *keymat, size_t len)
{
	struct ike_crypto_chunk c[] = { { gir, gir ? girlen : 0 }, { ni, nilen }, { nr, nrlen } };

	if (!ike_sk_nonces_ok(ni, nilen, nr, nrlen) || (gir && !girlen))
		return -EINVAL;
	return ike_prf_plus_v(sk->prf_id, sk->d, sk->d_len, c, 3, keymat, len);
}

/**
 * ike_sk_free() - wipe and free an IKE SA's keys
 * @sk: the key set, or NULL
 */
void ike_sk_free(struct ike_sk *sk)
{
	if (!sk)
		return;
	OPENSSL_cleanse(sk, sizeof(*sk));
	free(sk);
}

/* ----------------------------------------------------------------------
 * The SK payload (RFC 7296 section 3.14)
 */

static size_t ike_sk_icv_len(const struct ike_sk *sk)
{
	return ike_sk_is_aead(sk) ? sk->encr->icv_len : sk->integ->icv_len;
}

/* Plaintext, padding and the pad length byte, aligned to the cipher. */
static size_t ike_sk_padded_len(const struct ike_sk *sk, size_t plain_len)
{
	size_t blk = sk->encr->block_len ? sk->encr->block_len : 1;

	return (plain_len + 1 + blk - 1) / blk * blk;
}

/**
 * ike_sk_iv_len() - bytes of IV at the start of an SK payload's body
 * @sk: the IKE SA's keys
 *
 * The encoded inner payloads may be placed right after it (at body offset
 * plus this) so that ike_sk_encrypt() works in place.
 *
 * Return: the length.
 */
size_t ike_sk_iv_len(const struct ike_sk *sk)
{
	return sk->encr->iv_len;
}

/**
 * ike_sk_payload_len() - length of an SK payload's body for a plaintext
 * @sk: the IKE SA's keys
 * @plain_len: length of the inner payloads
 *
 * The body is IV | encrypted (plaintext | padding | pad length) | ICV; the
 * SK payload's length field is this plus its 4-byte generic header. Known
 * before encrypting, so that the IKE header's and the SK header's lengths
 * (which are authenticated) can be written first.
 *
 * Return: the body's length in bytes.
 */
size_t ike_sk_payload_len(const struct ike_sk *sk, size_t plain_len)
{
	return ike_sk_iv_len(sk) + ike_sk_padded_len(sk, plain_len) + ike_sk_icv_len(sk);
}

/**
 * ike_sk_cipher() - a CBC or CTR cipher without padding, in place
 * @a: the cipher's table entry (IKE_PROP_MODE_CBC or _CTR)
 * @key: its key, @a->key_len bytes
 * @iv: the IV (CBC) or the first counter block (CTR), one block
 * @buf: the data, encrypted or decrypted in place
 * @len: its length, a multiple of the block size for CBC
 * @enc: 1 to encrypt, 0 to decrypt
 *
 * Also IKEv1's message encryption (v1crypto.c), which chains IVs itself.
 *
 * Return: 0 or -EIO.
 */
int ike_sk_cipher(const struct ike_prop_alg *a, const uint8_t *key, const uint8_t *iv,
		  uint8_t *buf, size_t len, int enc)
{
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, a->ossl, NULL);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int outl = 0, fl = 0, ret = -EIO;

	if (c && ctx && len <= INT_MAX &&
	    EVP_CipherInit_ex2(ctx, c, key, iv, enc, NULL) == 1 &&
	    EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	    EVP_CipherUpdate(ctx, buf, &outl, buf, (int)len) == 1 &&
	    EVP_CipherFinal_ex(ctx, buf + outl, &fl) == 1 && (size_t)outl + fl == len)
		ret = 0;
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
	return ret;
}

/*
 * AEAD in place over @buf with the nonce salt | IV and @aad; on encryption
 * the tag goes to @tag, on decryption it is checked from there (OpenSSL
 * compares it in constant time). -EBADMSG when it does not match.
 */
static int ike_sk_aead_crypt(const struct ike_prop_alg *a, const uint8_t *key,
			     const uint8_t *nonce, size_t nlen, const uint8_t *aad, size_t aadlen,
			     uint8_t *buf, size_t len, uint8_t *tag, int enc)
{
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, a->ossl, NULL);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	bool ccm = a->mode == IKE_PROP_MODE_CCM;
	int outl, fl, ret = -EIO;

	if (!c || !ctx || len > INT_MAX || aadlen > INT_MAX)
		goto out;
	if (EVP_CipherInit_ex2(ctx, c, NULL, NULL, enc, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, (int)nlen, NULL) != 1)
		goto out;
	/* CCM fixes the tag length (and on decryption the tag) before the key. */
	if (ccm && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, a->icv_len,
				       enc ? NULL : tag) != 1)
		goto out;
	if (EVP_CipherInit_ex2(ctx, NULL, key, nonce, enc, NULL) != 1)
		goto out;
	if (ccm && EVP_CipherUpdate(ctx, NULL, &outl, NULL, (int)len) != 1)
		goto out;
	if (aadlen && EVP_CipherUpdate(ctx, NULL, &outl, aad, (int)aadlen) != 1)
		goto out;
	if (!ccm && !enc &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, a->icv_len, tag) != 1)
		goto out;
	if (EVP_CipherUpdate(ctx, buf, &outl, buf, (int)len) != 1) {
		ret = enc ? -EIO : -EBADMSG;	/* CCM checks its tag here */
		goto out;
	}
	if (EVP_CipherFinal_ex(ctx, buf + outl, &fl) != 1) {
		ret = enc ? -EIO : -EBADMSG;
		goto out;
	}
	if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, a->icv_len, tag) != 1)
		goto out;
	ret = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
	return ret;
}

/* The truncated MAC of an integrity algorithm */
static int ike_sk_integ(const struct ike_prop_alg *a, const uint8_t *key, const uint8_t *data,
			size_t len, uint8_t *icv)
{
	struct ike_crypto_chunk c = { data, len };
	uint8_t full[IKE_PRF_MAX];
	int ret;

	ret = ike_crypto_mac(a->mode, a->ossl, key, a->key_len, &c, 1, full, sizeof(full));
	if (ret >= 0)
		ret = ret >= a->icv_len ? 0 : -EIO;
	if (!ret)
		memcpy(icv, full, a->icv_len);
	OPENSSL_cleanse(full, sizeof(full));
	return ret;
}

/* The 16-byte counter block of RFC 3686/5930: nonce | IV | 1 */
static void ike_sk_ctr_block(const uint8_t *nonce, const uint8_t *iv, uint8_t block[16])
{
	memcpy(block, nonce, 4);
	memcpy(block + 4, iv, 8);
	block[12] = 0;
	block[13] = 0;
	block[14] = 0;
	block[15] = 1;
}

static int ike_sk_next_iv(struct ike_sk *sk, bool initiator, uint8_t *iv)
{
	uint64_t n;
	int i;

	if (sk->encr->mode == IKE_PROP_MODE_CBC)
		return ike_crypto_random(iv, sk->encr->iv_len);
	/* Counter modes need a unique IV, not an unpredictable one. */
	n = sk->iv_next[!initiator]++;
	if (n == UINT64_MAX)
		return -EOVERFLOW;
	for (i = 7; i >= 0; i--, n >>= 8)
		iv[i] = (uint8_t)n;
	return 0;
}

/**
 * ike_sk_encrypt() - fill an SK payload's body
 * @sk: the IKE SA's keys
 * @initiator: whether the original initiator sends this message (it picks
 *	SK_ei/SK_ai rather than SK_er/SK_ar)
 * @msg: the whole message: IKE header, any payloads before SK, the SK
 *	payload's generic header, then room for the body
 * @msg_len: the message's length, which must be @body_off plus
 *	ike_sk_payload_len(); the headers' length fields must already say so
 * @body_off: offset of the body, just past the SK payload's generic header
 * @plain: the encoded inner payloads; may lie in @msg, preferably at
 *	@body_off + ike_sk_iv_len() where nothing needs moving
 * @plain_len: their length
 *
 * Writes IV | ciphertext(plain | padding | pad length) | ICV. The pad
 * bytes are zero. With CBC and CTR the ICV is the integrity algorithm's
 * truncated MAC over @msg from the IKE header to the end of the
 * ciphertext; with AEAD the associated data is @msg up to @body_off
 * (RFC 5282 section 5.1, RFC 7634 section 3) and the nonce is salt | IV.
 *
 * Return: 0, -EINVAL when the lengths disagree, -EIO. On failure no
 * plaintext is left in @msg.
 */
int ike_sk_encrypt(struct ike_sk *sk, bool initiator, uint8_t *msg, size_t msg_len,
		   size_t body_off, const uint8_t *plain, size_t plain_len)
{
	const struct ike_prop_alg *a = sk->encr;
	size_t ct_len = ike_sk_padded_len(sk, plain_len), icv_len = ike_sk_icv_len(sk);
	const uint8_t *key = initiator ? sk->ei : sk->er;
	uint8_t *iv, *ct, *icv, nonce[16];
	int ret;

	if (body_off < IKEV2_HDR_LEN + IKEV2_PAYLOAD_HDR_LEN || !plain ||
	    msg_len != body_off + ike_sk_payload_len(sk, plain_len))
		return -EINVAL;
	iv = msg + body_off;
	ct = iv + a->iv_len;
	icv = ct + ct_len;
	memmove(ct, plain, plain_len);
	memset(ct + plain_len, 0, ct_len - plain_len - 1);
	ct[ct_len - 1] = (uint8_t)(ct_len - plain_len - 1);
	ret = ike_sk_next_iv(sk, initiator, iv);
	if (ret)
		goto out;
	switch (a->mode) {
	case IKE_PROP_MODE_CBC:
		ret = ike_sk_cipher(a, key, iv, ct, ct_len, 1);
		break;
	case IKE_PROP_MODE_CTR:
		ike_sk_ctr_block(key + a->key_len, iv, nonce);
		ret = ike_sk_cipher(a, key, nonce, ct, ct_len, 1);
		break;
	default:
		memcpy(nonce, key + a->key_len, a->salt_len);
		memcpy(nonce + a->salt_len, iv, a->iv_len);
		ret = ike_sk_aead_crypt(a, key, nonce, a->salt_len + a->iv_len, msg, body_off,
					ct, ct_len, icv, 1);
		break;
	}
	if (!ret && !ike_sk_is_aead(sk))
		ret = ike_sk_integ(sk->integ, initiator ? sk->ai : sk->ar, msg,
				   msg_len - icv_len, icv);
out:
	OPENSSL_cleanse(nonce, sizeof(nonce));
	if (ret)
		OPENSSL_cleanse(ct, ct_len);
	return ret;
}

/**
 * ike_sk_decrypt() - check and decrypt an SK payload's body in place
 * @sk: the IKE SA's keys
 * @initiator: whether the original initiator sent this message
 * @msg: the whole message as received
 * @msg_len: its length; the body runs to its end
 * @body_off: offset of the body, just past the SK payload's generic header
 * @plain: set to the inner payloads, inside @msg
 * @plain_len: set to their length
 *
 * The ICV is verified first (in constant time) over the same range
 * ike_sk_encrypt() covers; then the pad length must fit the plaintext.
 * Pad bytes may hold anything and AEAD plaintext need not be aligned.
 *
 * Return: 0, -EBADMSG when the message fails authentication or is
 * malformed, -EINVAL, -EIO.
 */
int ike_sk_decrypt(const struct ike_sk *sk, bool initiator, uint8_t *msg, size_t msg_len,
		   size_t body_off, uint8_t **plain, size_t *plain_len)
{
	const struct ike_prop_alg *a = sk->encr;
	size_t icv_len = ike_sk_icv_len(sk), ct_len, pad;
	const uint8_t *key = initiator ? sk->ei : sk->er;
	uint8_t *iv, *ct, *icv, nonce[16], mac[IKE_PRF_MAX];
	int ret;

	if (body_off < IKEV2_HDR_LEN + IKEV2_PAYLOAD_HDR_LEN || body_off > msg_len)
		return -EINVAL;
	if (msg_len - body_off < a->iv_len + icv_len + 1)
		return -EBADMSG;
	ct_len = msg_len - body_off - a->iv_len - icv_len;
	if (a->mode == IKE_PROP_MODE_CBC && ct_len % a->block_len)
		return -EBADMSG;
	iv = msg + body_off;
	ct = iv + a->iv_len;
	icv = ct + ct_len;
	if (!ike_sk_is_aead(sk)) {
		ret = ike_sk_integ(sk->integ, initiator ? sk->ai : sk->ar, msg,
				   msg_len - icv_len, mac);
		if (!ret && CRYPTO_memcmp(mac, icv, icv_len))
			ret = -EBADMSG;
		OPENSSL_cleanse(mac, sizeof(mac));
		if (ret)
			return ret;
	}
	switch (a->mode) {
	case IKE_PROP_MODE_CBC:
		ret = ike_sk_cipher(a, key, iv, ct, ct_len, 0);
		break;
	case IKE_PROP_MODE_CTR:
		ike_sk_ctr_block(key + a->key_len, iv, nonce);
		ret = ike_sk_cipher(a, key, nonce, ct, ct_len, 0);
		break;
	default:
		memcpy(nonce, key + a->key_len, a->salt_len);
		memcpy(nonce + a->salt_len, iv, a->iv_len);
		ret = ike_sk_aead_crypt(a, key, nonce, a->salt_len + a->iv_len, msg, body_off,
					ct, ct_len, icv, 0);
		break;
	}
	OPENSSL_cleanse(nonce, sizeof(nonce));
	if (!ret) {
		pad = ct[ct_len - 1];
		if (pad + 1 > ct_len)
			ret = -EBADMSG;
	}
	if (ret) {
		/* Never leave unauthenticated or unusable plaintext behind. */
		OPENSSL_cleanse(ct, ct_len);
		return ret;
	}
	*plain = ct;
	*plain_len = ct_len - pad - 1;
	return 0;
}

/* ----------------------------------------------------------------------
 * AUTH with a pre-shared key (RFC 7296 section 2.15)
 */

/**
 * ike_sk_signed_octets() - the octets an AUTH payload covers
 * @sk: the IKE SA's keys
 * @initiator: true for InitiatorSignedOctets (uses SK_pi), false for
 *	ResponderSignedOctets (SK_pr)
 * @msg: RealMessage1 (the IKE_SA_INIT request as sent) for the initiator,
 *	RealMessage2 (the IKE_SA_INIT response) for the responder
 * @msg_len: its length
 * @nonce: NonceRData for the initiator, NonceIData for the responder: the
 *	other side's nonce
 * @nonce_len: its length
 * @id: the signer's ID payload body (IDi' or IDr'): ID type, three reserved
 *	bytes and the identification data, without the generic header
 * @id_len: its length
 * @out: set to a malloc()ed buffer: msg | nonce | prf(SK_px, ID')
 * @out_len: set to its length
 *
 * Shared by PSK and signature authentication.
 *
 * Return: 0, -EINVAL, -ENOMEM, -EIO.
 */
int ike_sk_signed_octets(const struct ike_sk *sk, bool initiator, const uint8_t *msg,
			 size_t msg_len, const uint8_t *nonce, size_t nonce_len,
			 const uint8_t *id, size_t id_len, uint8_t **out, size_t *out_len)
{
	size_t plen = sk->prf->out_len;
	uint8_t *buf;
	int ret;

	*out = NULL;
	*out_len = 0;
	if (!msg || !nonce || !id)
		return -EINVAL;
	buf = malloc(msg_len + nonce_len + plen);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, msg, msg_len);
	memcpy(buf + msg_len, nonce, nonce_len);
	ret = ike_prf_compute(sk->prf_id, initiator ? sk->pi : sk->pr, sk->d_len, id, id_len,
			      buf + msg_len + nonce_len);
	if (ret) {
		free(buf);
		return ret;
	}
	*out = buf;
	*out_len = msg_len + nonce_len + plen;
	return 0;
}

/**
 * ike_sk_psk_auth() - AUTH = prf(prf(PSK, "Key Pad for IKEv2"), octets)
 * @sk: the IKE SA's keys (for its PRF)
 * @psk: the pre-shared key
 * @psk_len: its length
 * @octets: from ike_sk_signed_octets()
 * @octets_len: their length
 * @auth: the output
 * @auth_len: in: room in @auth; out: the PRF's output length
 *
 * Return: 0, -EINVAL, -ENOSPC, -EIO.
 */
int ike_sk_psk_auth(const struct ike_sk *sk, const uint8_t *psk, size_t psk_len,
		    const uint8_t *octets, size_t octets_len, uint8_t *auth, size_t *auth_len)
{
	static const char pad[] = "Key Pad for IKEv2";
	size_t plen = sk->prf->out_len;
	uint8_t k[IKE_PRF_MAX];
	int ret;

	if (!psk || !psk_len || !octets)
		return -EINVAL;
	if (*auth_len < plen)
		return -ENOSPC;
	ret = ike_prf_compute(sk->prf_id, psk, psk_len, (const uint8_t *)pad, sizeof(pad) - 1,
			      k);
	if (!ret)
		ret = ike_prf_compute(sk->prf_id, k, plen, octets, octets_len, auth);
	OPENSSL_cleanse(k, sizeof(k));
	if (!ret)
		*auth_len = plen;
	return ret;
}

/**
 * ike_sk_psk_verify() - check a peer's PSK AUTH data in constant time
 * @sk: the IKE SA's keys
 * @psk: the pre-shared key
 * @psk_len: its length
 * @octets: the peer's signed octets, from ike_sk_signed_octets()
 * @octets_len: their length
 * @auth: the AUTH payload's authentication data
 * @auth_len: its length
 *
 * Return: 0 when it matches, -EBADMSG when not, other errors as
 * ike_sk_psk_auth().
 */
int ike_sk_psk_verify(const struct ike_sk *sk, const uint8_t *psk, size_t psk_len,
		      const uint8_t *octets, size_t octets_len, const uint8_t *auth,
		      size_t auth_len)
{
	uint8_t want[IKE_PRF_MAX];
	size_t len = sizeof(want);
	int ret;

	ret = ike_sk_psk_auth(sk, psk, psk_len, octets, octets_len, want, &len);
	if (!ret && (!auth || auth_len != len || CRYPTO_memcmp(want, auth, len)))
		ret = -EBADMSG;
	OPENSSL_cleanse(want, sizeof(want));
	return ret;
}

/* ----------------------------------------------------------------------
 * NAT detection and cookies
 */

/**
 * ike_crypto_digest() - a plain hash over data given in pieces
 * @name: OpenSSL's name of the digest ("SHA1", "SHA256", ...)
 * @c: the pieces of the input, concatenated in this order
 * @n: how many
 * @out: the output
 * @len: the digest's length, which must be exactly its output size
 *
 * Return: 0 or -EIO (also for a wrong @len).
 */
int ike_crypto_digest(const char *name, const struct ike_crypto_chunk *c, size_t n,
		      uint8_t *out, size_t len)
{
	EVP_MD *md = EVP_MD_fetch(NULL, name, NULL);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int got = 0;
	int ret = -EIO;
	size_t i;

	if (!md || !ctx || (size_t)EVP_MD_get_size(md) != len ||
	    EVP_DigestInit_ex2(ctx, md, NULL) != 1)
		goto out;
	for (i = 0; i < n; i++)
		if (c[i].len && EVP_DigestUpdate(ctx, c[i].ptr, c[i].len) != 1)
			goto out;
	if (EVP_DigestFinal_ex(ctx, out, &got) == 1 && got == len)
		ret = 0;
out:
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	return ret;
}

/**
 * ike_crypto_sockaddr() - the address and port bytes of a socket address
 * @ss: an AF_INET or AF_INET6 address
 * @addr: set to its 4 or 16 address bytes, pointing into @ss
 * @port: set to its 2 port bytes, in network order, pointing into @ss
 *
 * Return: 0, or -EINVAL for another family or a NULL @ss.
 */
int ike_crypto_sockaddr(const struct sockaddr_storage *ss, struct ike_crypto_chunk *addr,
			struct ike_crypto_chunk *port)
{
	if (!ss)
		return -EINVAL;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		*addr = (struct ike_crypto_chunk){ (const uint8_t *)&sin->sin_addr, 4 };
		*port = (struct ike_crypto_chunk){ (const uint8_t *)&sin->sin_port, 2 };
		return 0;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		*addr = (struct ike_crypto_chunk){ (const uint8_t *)&sin6->sin6_addr, 16 };
		*port = (struct ike_crypto_chunk){ (const uint8_t *)&sin6->sin6_port, 2 };
		return 0;
	}
	return -EINVAL;
}

/**
 * ike_crypto_natd() - NAT_DETECTION_*_IP data: SHA-1(SPIi | SPIr | IP | port)
 * @spii: the initiator's SPI
 * @spir: the responder's SPI (zero in the IKE_SA_INIT request)
 * @addr: the address and port (AF_INET or AF_INET6)
 * @out: the 20-byte hash
 *
 * Return: 0, -EINVAL for another address family, -EIO.
 */
int ike_crypto_natd(const uint8_t spii[IKEV2_SPI_LEN], const uint8_t spir[IKEV2_SPI_LEN],
		    const struct sockaddr_storage *addr, uint8_t out[IKE_CRYPTO_NATD_LEN])
{
	struct ike_crypto_chunk c[4] = { { spii, IKEV2_SPI_LEN }, { spir, IKEV2_SPI_LEN } };
	int ret = ike_crypto_sockaddr(addr, &c[2], &c[3]);

	return ret ? ret : ike_crypto_digest("SHA1", c, 4, out, IKE_CRYPTO_NATD_LEN);
}

/**
 * ike_crypto_cookie_init() - a first, random cookie secret
 * @c: the secrets
 *
 * The Version ID starts at a random value so that cookies handed out
 * before a restart do not meet a new secret under their old version.
 *
 * Return: 0 or -EIO.
 */
int ike_crypto_cookie_init(struct ike_crypto_cookie *c)
{
	memset(c, 0, sizeof(*c));
	if (ike_crypto_random(&c->version, sizeof(c->version)))
		return -EIO;
	return ike_crypto_random(c->secret, sizeof(c->secret));
}

/**
 * ike_crypto_cookie_rotate() - a new secret; the current one stays valid
 *	as the previous one until the next rotation
 * @c: the secrets
 *
 * Return: 0 or -EIO.
 */
int ike_crypto_cookie_rotate(struct ike_crypto_cookie *c)
{
	memcpy(c->prev, c->secret, sizeof(c->prev));
	c->has_prev = true;
	c->version++;		/* wraps, as does the check's version - 1 */
	return ike_crypto_random(c->secret, sizeof(c->secret));
}

static int ike_crypto_cookie_hash(uint32_t version, const uint8_t *secret, const uint8_t *ni,
				  size_t nilen, const struct sockaddr_storage *ipi,
				  const uint8_t *spii, uint8_t out[IKE_CRYPTO_COOKIE_LEN])
{
	struct ike_crypto_chunk c[4], port;
	int ret;

	if (!ni || !nilen || !spii)
		return -EINVAL;
	ret = ike_crypto_sockaddr(ipi, &c[1], &port);
	if (ret)
		return ret;
	c[0] = (struct ike_crypto_chunk){ ni, nilen };
	c[2] = (struct ike_crypto_chunk){ spii, IKEV2_SPI_LEN };
	c[3] = (struct ike_crypto_chunk){ secret, IKE_CRYPTO_COOKIE_SECRET_LEN };
	out[0] = version >> 24;
	out[1] = version >> 16;
	out[2] = version >> 8;
	out[3] = version;
	return ike_crypto_digest("SHA256", c, 4, out + 4, IKE_CRYPTO_COOKIE_LEN - 4);
}

/**
 * ike_crypto_cookie_make() - Cookie = VersionID | SHA-256(Ni | IPi | SPIi | secret)
 * @c: the secrets
 * @ni: the initiator's nonce data
 * @nilen: its length
 * @ipi: the initiator's address (its port is not used)
 * @spii: the initiator's SPI
 * @out: the cookie's 36 bytes
 *
 * Return: 0, -EINVAL, -EIO.
 */
int ike_crypto_cookie_make(const struct ike_crypto_cookie *c, const uint8_t *ni, size_t nilen,
			   const struct sockaddr_storage *ipi, const uint8_t spii[IKEV2_SPI_LEN],
			   uint8_t out[IKE_CRYPTO_COOKIE_LEN])
{
	return ike_crypto_cookie_hash(c->version, c->secret, ni, nilen, ipi, spii, out);
}

/**
 * ike_crypto_cookie_check() - whether a returned cookie is one we made
 * @c: the secrets
 * @ni: the initiator's nonce data in the retried request
 * @nilen: its length
 * @ipi: the initiator's address
 * @spii: the initiator's SPI
 * @cookie: the COOKIE notify's data
 * @len: its length
 *
 * A cookie made under the current or the previous secret passes.
 *
 * Return: 0 when valid, -EBADMSG when not, -EINVAL, -EIO.
 */
int ike_crypto_cookie_check(const struct ike_crypto_cookie *c, const uint8_t *ni, size_t nilen,
			    const struct sockaddr_storage *ipi, const uint8_t spii[IKEV2_SPI_LEN],
			    const uint8_t *cookie, size_t len)
{
	uint8_t want[IKE_CRYPTO_COOKIE_LEN];
	const uint8_t *secret;
	uint32_t v;
	int ret;

	if (!cookie || len != IKE_CRYPTO_COOKIE_LEN)
		return -EBADMSG;
	v = (uint32_t)cookie[0] << 24 | (uint32_t)cookie[1] << 16 | cookie[2] << 8 | cookie[3];
	if (v == c->version)
		secret = c->secret;
	else if (c->has_prev && v == c->version - 1)
		secret = c->prev;
	else
		return -EBADMSG;
	ret = ike_crypto_cookie_hash(v, secret, ni, nilen, ipi, spii, want);
	if (!ret && CRYPTO_memcmp(want, cookie, len))
		ret = -EBADMSG;
	return ret;
}

/**
 * ike_crypto_cookie_wipe() - clear the cookie secrets
 * @c: the secrets
 */
void ike_crypto_cookie_wipe(struct ike_crypto_cookie *c)
{
	OPENSSL_cleanse(c, sizeof(*c));
}
