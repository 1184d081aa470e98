// SPDX-License-Identifier: GPL-2.0
/*
 * IKEv2 proposals: one table of algorithms drives the parser of
 * strongSwan's proposal syntax, the printer, the crypto's parameters and
 * the names the kernel's Child SAs take. The negotiation follows RFC 7296
 * sections 2.7 and 3.3.6.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proposal.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define IKE	IKE_PROP_ALG_IKE
#define ESP	IKE_PROP_ALG_ESP
#define AH	IKE_PROP_ALG_AH
#define AEAD	IKE_PROP_ALG_AEAD
#define ALIAS	IKE_PROP_ALG_ALIAS

#define ENCR(name, id, kl, fl, mode, ossl, key, salt, blk, iv, icv, kern, kicv) \
	{ name, IKEV2_TRANS_ENCR, IKEV2_ENCR_##id, kl, fl, IKE_PROP_MODE_##mode, ossl, \
	  key, salt, blk, iv, icv, 0, kern, kicv, 0 }
#define INTEG(name, id, fl, mode, ossl, key, icv, kern, prf) \
	{ name, IKEV2_TRANS_INTEG, IKEV2_INTEG_##id, 0, fl, IKE_PROP_MODE_##mode, ossl, \
	  key, 0, 0, 0, icv, 0, kern, (icv) * 8, IKEV2_PRF_##prf }
#define PRF(name, id, fl, mode, ossl, key, out) \
	{ name, IKEV2_TRANS_PRF, IKEV2_PRF_##id, 0, fl, IKE_PROP_MODE_##mode, ossl, \
	  key, 0, 0, 0, 0, out, NULL, 0, 0 }
#define DH(name, id, fl, mode, ossl, pub, secret) \
	{ name, IKEV2_TRANS_DH, IKEV2_DH_##id, 0, (fl) | IKE | ESP | AH, IKE_PROP_MODE_##mode, \
	  ossl, pub, 0, 0, 0, 0, secret, NULL, 0, 0 }
#define ESN(name, id) \
	{ name, IKEV2_TRANS_ESN, IKEV2_ESN_##id, 0, ESP | AH, IKE_PROP_MODE_NONE, NULL, \
	  0, 0, 0, 0, 0, 0, NULL, 0, 0 }

/*
 * The first entry of a (type, id, keylen) that is no alias is its printed
 * name. The ESP-only entries lack IKE because IKE cannot use them (NULL
 * encryption, GMAC: RFC 7296 wants confidentiality) or because OpenSSL has
 * no XCBC to compute them with; the kernel does them all.
 */
static const struct ike_prop_alg ike_prop_algs[] = {
	/* AES-CBC: the IV is a whole block, RFC 3602 */
	ENCR("aes128", AES_CBC, 128, IKE | ESP, CBC, "AES-128-CBC", 16, 0, 16, 16, 0,
	     "cbc(aes)", 0),
	ENCR("aes192", AES_CBC, 192, IKE | ESP, CBC, "AES-192-CBC", 24, 0, 16, 16, 0,
	     "cbc(aes)", 0),
	ENCR("aes256", AES_CBC, 256, IKE | ESP, CBC, "AES-256-CBC", 32, 0, 16, 16, 0,
	     "cbc(aes)", 0),
	ENCR("aes", AES_CBC, 128, IKE | ESP | ALIAS, CBC, "AES-128-CBC", 16, 0, 16, 16, 0,
	     "cbc(aes)", 0),
	/*
	 * AES-CTR: a 4-byte nonce follows the key (RFC 3686 section 5.1, RFC
	 * 5930). Padding to 4 bytes suits peers that take ESP's rule for IKE
	 * and those that need none.
	 */
	ENCR("aes128ctr", AES_CTR, 128, IKE | ESP, CTR, "AES-128-CTR", 16, 4, 4, 8, 0,
	     "rfc3686(ctr(aes))", 0),
	ENCR("aes192ctr", AES_CTR, 192, IKE | ESP, CTR, "AES-192-CTR", 24, 4, 4, 8, 0,
	     "rfc3686(ctr(aes))", 0),
	ENCR("aes256ctr", AES_CTR, 256, IKE | ESP, CTR, "AES-256-CTR", 32, 4, 4, 8, 0,
	     "rfc3686(ctr(aes))", 0),
	/* AES-CCM: a 3-byte salt follows the key (RFC 4309 section 7.1) */
	ENCR("aes128ccm8", AES_CCM_8, 128, IKE | ESP | AEAD, CCM, "AES-128-CCM", 16, 3, 1, 8, 8,
	     "rfc4309(ccm(aes))", 64),
	ENCR("aes128ccm12", AES_CCM_12, 128, IKE | ESP | AEAD, CCM, "AES-128-CCM", 16, 3, 1, 8,
	     12, "rfc4309(ccm(aes))", 96),
	ENCR("aes128ccm16", AES_CCM_16, 128, IKE | ESP | AEAD, CCM, "AES-128-CCM", 16, 3, 1, 8,
	     16, "rfc4309(ccm(aes))", 128),
	ENCR("aes192ccm8", AES_CCM_8, 192, IKE | ESP | AEAD, CCM, "AES-192-CCM", 24, 3, 1, 8, 8,
	     "rfc4309(ccm(aes))", 64),
	ENCR("aes192ccm12", AES_CCM_12, 192, IKE | ESP | AEAD, CCM, "AES-192-CCM", 24, 3, 1, 8,
	     12, "rfc4309(ccm(aes))", 96),
	ENCR("aes192ccm16", AES_CCM_16, 192, IKE | ESP | AEAD, CCM, "AES-192-CCM", 24, 3, 1, 8,
	     16, "rfc4309(ccm(aes))", 128),
	ENCR("aes256ccm8", AES_CCM_8, 256, IKE | ESP | AEAD, CCM, "AES-256-CCM", 32, 3, 1, 8, 8,
	     "rfc4309(ccm(aes))", 64),
	ENCR("aes256ccm12", AES_CCM_12, 256, IKE | ESP | AEAD, CCM, "AES-256-CCM", 32, 3, 1, 8,
	     12, "rfc4309(ccm(aes))", 96),
	ENCR("aes256ccm16", AES_CCM_16, 256, IKE | ESP | AEAD, CCM, "AES-256-CCM", 32, 3, 1, 8,
	     16, "rfc4309(ccm(aes))", 128),
	/* AES-GCM: a 4-byte salt follows the key (RFC 4106 section 8.1) */
	ENCR("aes128gcm8", AES_GCM_8, 128, IKE | ESP | AEAD, GCM, "AES-128-GCM", 16, 4, 1, 8, 8,
	     "rfc4106(gcm(aes))", 64),
	ENCR("aes128gcm12", AES_GCM_12, 128, IKE | ESP | AEAD, GCM, "AES-128-GCM", 16, 4, 1, 8,
	     12, "rfc4106(gcm(aes))", 96),
	ENCR("aes128gcm16", AES_GCM_16, 128, IKE | ESP | AEAD, GCM, "AES-128-GCM", 16, 4, 1, 8,
	     16, "rfc4106(gcm(aes))", 128),
	ENCR("aes192gcm8", AES_GCM_8, 192, IKE | ESP | AEAD, GCM, "AES-192-GCM", 24, 4, 1, 8, 8,
	     "rfc4106(gcm(aes))", 64),
	ENCR("aes192gcm12", AES_GCM_12, 192, IKE | ESP | AEAD, GCM, "AES-192-GCM", 24, 4, 1, 8,
	     12, "rfc4106(gcm(aes))", 96),
	ENCR("aes192gcm16", AES_GCM_16, 192, IKE | ESP | AEAD, GCM, "AES-192-GCM", 24, 4, 1, 8,
	     16, "rfc4106(gcm(aes))", 128),
	ENCR("aes256gcm8", AES_GCM_8, 256, IKE | ESP | AEAD, GCM, "AES-256-GCM", 32, 4, 1, 8, 8,
	     "rfc4106(gcm(aes))", 64),
	ENCR("aes256gcm12", AES_GCM_12, 256, IKE | ESP | AEAD, GCM, "AES-256-GCM", 32, 4, 1, 8,
	     12, "rfc4106(gcm(aes))", 96),
	ENCR("aes256gcm16", AES_GCM_16, 256, IKE | ESP | AEAD, GCM, "AES-256-GCM", 32, 4, 1, 8,
	     16, "rfc4106(gcm(aes))", 128),
	/* strongSwan's spellings with the ICV in bits */
	ENCR("aes128ccm64", AES_CCM_8, 128, IKE | ESP | AEAD | ALIAS, CCM, "AES-128-CCM", 16, 3,
	     1, 8, 8, "rfc4309(ccm(aes))", 64),
	ENCR("aes128ccm96", AES_CCM_12, 128, IKE | ESP | AEAD | ALIAS, CCM, "AES-128-CCM", 16, 3,
	     1, 8, 12, "rfc4309(ccm(aes))", 96),
	ENCR("aes128ccm128", AES_CCM_16, 128, IKE | ESP | AEAD | ALIAS, CCM, "AES-128-CCM", 16,
	     3, 1, 8, 16, "rfc4309(ccm(aes))", 128),
	ENCR("aes192ccm64", AES_CCM_8, 192, IKE | ESP | AEAD | ALIAS, CCM, "AES-192-CCM", 24, 3,
	     1, 8, 8, "rfc4309(ccm(aes))", 64),
	ENCR("aes192ccm96", AES_CCM_12, 192, IKE | ESP | AEAD | ALIAS, CCM, "AES-192-CCM", 24, 3,
	     1, 8, 12, "rfc4309(ccm(aes))", 96),
	ENCR("aes192ccm128", AES_CCM_16, 192, IKE | ESP | AEAD | ALIAS, CCM, "AES-192-CCM", 24,
	     3, 1, 8, 16, "rfc4309(ccm(aes))", 128),
	ENCR("aes256ccm64", AES_CCM_8, 256, IKE | ESP | AEAD | ALIAS, CCM, "AES-256-CCM", 32, 3,
	     1, 8, 8, "rfc4309(ccm(aes))", 64),
	ENCR("aes256ccm96", AES_CCM_12, 256, IKE | ESP | AEAD | ALIAS, CCM, "AES-256-CCM", 32, 3,
	     1, 8, 12, "rfc4309(ccm(aes))", 96),
	ENCR("aes256ccm128", AES_CCM_16, 256, IKE | ESP | AEAD | ALIAS, CCM, "AES-256-CCM", 32,
	     3, 1, 8, 16, "rfc4309(ccm(aes))", 128),
	ENCR("aes128gcm64", AES_GCM_8, 128, IKE | ESP | AEAD | ALIAS, GCM, "AES-128-GCM", 16, 4,
	     1, 8, 8, "rfc4106(gcm(aes))", 64),
	ENCR("aes128gcm96", AES_GCM_12, 128, IKE | ESP | AEAD | ALIAS, GCM, "AES-128-GCM", 16, 4,
	     1, 8, 12, "rfc4106(gcm(aes))", 96),
	ENCR("aes128gcm128", AES_GCM_16, 128, IKE | ESP | AEAD | ALIAS, GCM, "AES-128-GCM", 16,
	     4, 1, 8, 16, "rfc4106(gcm(aes))", 128),
	ENCR("aes192gcm64", AES_GCM_8, 192, IKE | ESP | AEAD | ALIAS, GCM, "AES-192-GCM", 24, 4,
	     1, 8, 8, "rfc4106(gcm(aes))", 64),
	ENCR("aes192gcm96", AES_GCM_12, 192, IKE | ESP | AEAD | ALIAS, GCM, "AES-192-GCM", 24, 4,
	     1, 8, 12, "rfc4106(gcm(aes))", 96),
	ENCR("aes192gcm128", AES_GCM_16, 192, IKE | ESP | AEAD | ALIAS, GCM, "AES-192-GCM", 24,
	     4, 1, 8, 16, "rfc4106(gcm(aes))", 128),
	ENCR("aes256gcm64", AES_GCM_8, 256, IKE | ESP | AEAD | ALIAS, GCM, "AES-256-GCM", 32, 4,
	     1, 8, 8, "rfc4106(gcm(aes))", 64),
	ENCR("aes256gcm96", AES_GCM_12, 256, IKE | ESP | AEAD | ALIAS, GCM, "AES-256-GCM", 32, 4,
	     1, 8, 12, "rfc4106(gcm(aes))", 96),
	ENCR("aes256gcm128", AES_GCM_16, 256, IKE | ESP | AEAD | ALIAS, GCM, "AES-256-GCM", 32,
	     4, 1, 8, 16, "rfc4106(gcm(aes))", 128),
	/* AES-GMAC: authentication only, so ESP only (RFC 4543) */
	ENCR("aes128gmac", NULL_AUTH_AES_GMAC, 128, ESP | AEAD, GMAC, "AES-128-GCM", 16, 4, 4,
	     8, 16, "rfc4543(gcm(aes))", 128),
	ENCR("aes192gmac", NULL_AUTH_AES_GMAC, 192, ESP | AEAD, GMAC, "AES-192-GCM", 24, 4, 4,
	     8, 16, "rfc4543(gcm(aes))", 128),
	ENCR("aes256gmac", NULL_AUTH_AES_GMAC, 256, ESP | AEAD, GMAC, "AES-256-GCM", 32, 4, 4,
	     8, 16, "rfc4543(gcm(aes))", 128),
	/* ChaCha20-Poly1305: 32-byte key and 4-byte salt (RFC 7634 section 2) */
	ENCR("chacha20poly1305", CHACHA20_POLY1305, 0, IKE | ESP | AEAD, CHACHA,
	     "ChaCha20-Poly1305", 32, 4, 1, 8, 16, "rfc7539esp(chacha20,poly1305)", 128),
	ENCR("3des", 3DES, 0, IKE | ESP, CBC, "DES-EDE3-CBC", 24, 0, 8, 8, 0, "cbc(des3_ede)", 0),
	/* RFC 7296 section 5: IKE must never be sent unencrypted */
	ENCR("null", NULL, 0, ESP, NULL, NULL, 0, 0, 4, 0, 0, "ecb(cipher_null)", 0),

	/* Integrity: RFC 2404, RFC 4868, RFC 3566, RFC 4494 */
	INTEG("sha256", HMAC_SHA2_256_128, IKE | ESP | AH, HMAC, "SHA256", 32, 16,
	      "hmac(sha256)", HMAC_SHA2_256),
	INTEG("sha384", HMAC_SHA2_384_192, IKE | ESP | AH, HMAC, "SHA384", 48, 24,
	      "hmac(sha384)", HMAC_SHA2_384),
	INTEG("sha512", HMAC_SHA2_512_256, IKE | ESP | AH, HMAC, "SHA512", 64, 32,
	      "hmac(sha512)", HMAC_SHA2_512),
	INTEG("sha1", HMAC_SHA1_96, IKE | ESP | AH, HMAC, "SHA1", 20, 12, "hmac(sha1)",
	      HMAC_SHA1),
	INTEG("aesxcbc", AES_XCBC_96, ESP | AH, XCBC, NULL, 16, 12, "xcbc(aes)", AES128_XCBC),
	INTEG("aescmac", AES_CMAC_96, IKE | ESP | AH, CMAC, "AES-128-CBC", 16, 12, "cmac(aes)",
	      AES128_CMAC),
	INTEG("md5", HMAC_MD5_96, IKE | ESP | AH, HMAC, "MD5", 16, 12, "hmac(md5)", HMAC_MD5),
	INTEG("sha", HMAC_SHA1_96, IKE | ESP | AH | ALIAS, HMAC, "SHA1", 20, 12, "hmac(sha1)",
	      HMAC_SHA1),
	INTEG("sha2_256", HMAC_SHA2_256_128, IKE | ESP | AH | ALIAS, HMAC, "SHA256", 32, 16,
	      "hmac(sha256)", HMAC_SHA2_256),
	INTEG("sha2_384", HMAC_SHA2_384_192, IKE | ESP | AH | ALIAS, HMAC, "SHA384", 48, 24,
	      "hmac(sha384)", HMAC_SHA2_384),
	INTEG("sha2_512", HMAC_SHA2_512_256, IKE | ESP | AH | ALIAS, HMAC, "SHA512", 64, 32,
	      "hmac(sha512)", HMAC_SHA2_512),

	/* PRFs: an HMAC's preferred key is as long as its output (RFC 7296 2.13) */
	PRF("prfsha256", HMAC_SHA2_256, IKE, HMAC, "SHA256", 32, 32),
	PRF("prfsha384", HMAC_SHA2_384, IKE, HMAC, "SHA384", 48, 48),
	PRF("prfsha512", HMAC_SHA2_512, IKE, HMAC, "SHA512", 64, 64),
	PRF("prfsha1", HMAC_SHA1, IKE, HMAC, "SHA1", 20, 20),
	PRF("prfaesxcbc", AES128_XCBC, 0, XCBC, NULL, 16, 16),
	PRF("prfaescmac", AES128_CMAC, IKE, CMAC, "AES-128-CBC", 16, 16),
	PRF("prfmd5", HMAC_MD5, IKE, HMAC, "MD5", 16, 16),

	/*
	 * Key exchange. MODP public values and secrets are as long as the
	 * prime; ECP public values are x | y and the secret is x (RFC 5903
	 * sections 7 and 9). OpenSSL names no group for MODP1024; crypto.c
	 * builds it from RFC 2409's prime.
	 */
	DH("modp1024", MODP1024, 0, MODP, NULL, 128, 128),
	DH("modp1536", MODP1536, 0, MODP, "modp_1536", 192, 192),
	DH("modp2048", MODP2048, 0, MODP, "modp_2048", 256, 256),
	DH("modp3072", MODP3072, 0, MODP, "modp_3072", 384, 384),
	DH("modp4096", MODP4096, 0, MODP, "modp_4096", 512, 512),
	DH("modp6144", MODP6144, 0, MODP, "modp_6144", 768, 768),
	DH("modp8192", MODP8192, 0, MODP, "modp_8192", 1024, 1024),
	DH("ecp256", ECP256, 0, ECP, "P-256", 64, 32),
	DH("ecp384", ECP384, 0, ECP, "P-384", 96, 48),
	DH("ecp521", ECP521, 0, ECP, "P-521", 132, 66),
	DH("x25519", CURVE25519, 0, ECX, "X25519", 32, 32),
	DH("x448", CURVE448, 0, ECX, "X448", 56, 56),
	DH("curve25519", CURVE25519, ALIAS, ECX, "X25519", 32, 32),
	DH("curve448", CURVE448, ALIAS, ECX, "X448", 56, 56),

	ESN("esn", YES),
	ESN("noesn", NO),
};

#undef ENCR
#undef INTEG
#undef PRF
#undef DH
#undef ESN
#undef IKE
#undef ESP
#undef AH
#undef AEAD
#undef ALIAS

/*
 * "default": AEAD first, since it costs one pass; x25519 and the NIST
 * curves before MODP, MODP3072 and 2048 last for peers without ECC. ESP
 * has no DH (no PFS) so that a default Child SA never needs a KE payload.
 */
static const char *const ike_prop_defaults[] = {
	[IKEV2_PROTO_IKE] =
		"aes256gcm16-aes128gcm16-chacha20poly1305-prfsha384-prfsha256-prfsha512-"
		"x25519-ecp256-ecp384-modp3072-modp2048,"
		"aes256-aes128-sha384-sha256-sha512-x25519-ecp256-ecp384-modp3072-modp2048",
	[IKEV2_PROTO_ESP] =
		"aes256gcm16-aes128gcm16-chacha20poly1305-noesn-esn,"
		"aes256-aes128-sha256-sha384-sha512-noesn-esn",
	[IKEV2_PROTO_AH] = "sha256-sha384-sha512-noesn-esn",
};

static const char *const ike_prop_type_names[IKE_PROP_NTYPES] = {
	"encryption", "PRF", "integrity", "key exchange", "ESN",
};

/* Printed when a peer offers what the table lacks: "encr99", "encr12_160" */
static const char *const ike_prop_type_tags[IKE_PROP_NTYPES] = {
	"encr", "prf", "integ", "dh", "esn",
};

/**
 * ike_prop_alg_count() - number of entries in the algorithm table
 *
 * Return: the count.
 */
size_t ike_prop_alg_count(void)
{
	return ARRAY_SIZE(ike_prop_algs);
}

/**
 * ike_prop_alg_get() - one entry of the algorithm table
 * @idx: index below ike_prop_alg_count()
 *
 * Return: the entry, or NULL past the end.
 */
const struct ike_prop_alg *ike_prop_alg_get(size_t idx)
{
	return idx < ARRAY_SIZE(ike_prop_algs) ? &ike_prop_algs[idx] : NULL;
}

/**
 * ike_prop_alg_find() - the algorithm a transform stands for
 * @type: transform type
 * @id: transform ID
 * @keylen: Key Length attribute in bits, 0 for none
 *
 * Return: the canonical entry, or NULL when veil-iked does not know it
 * (including a known cipher with a key length it does not have).
 */
const struct ike_prop_alg *ike_prop_alg_find(uint8_t type, uint16_t id, uint16_t keylen)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ike_prop_algs); i++) {
		const struct ike_prop_alg *a = &ike_prop_algs[i];

		if (a->type == type && a->id == id && a->keylen == keylen &&
		    !(a->flags & IKE_PROP_ALG_ALIAS))
			return a;
	}
	return NULL;
}

/**
 * ike_prop_alg_of() - ike_prop_alg_find() for a transform
 * @t: the transform
 *
 * Return: the entry or NULL.
 */
const struct ike_prop_alg *ike_prop_alg_of(const struct ike_prop_transform *t)
{
	return ike_prop_alg_find(t->type, t->id, t->keylen);
}

/**
 * ike_prop_alg_by_name() - look a keyword up, ignoring case
 * @name: the keyword
 *
 * Return: the entry (possibly an alias) or NULL.
 */
const struct ike_prop_alg *ike_prop_alg_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ike_prop_algs); i++)
		if (!strcasecmp(ike_prop_algs[i].name, name))
			return &ike_prop_algs[i];
	return NULL;
}

/**
 * ike_prop_alg_keymat_len() - bytes of keying material one SA direction
 *	takes for an algorithm
 * @alg: an ENCR or INTEG entry
 *
 * The salt of GCM, CCM, CTR and ChaCha20-Poly1305 comes after the key,
 * both for SK_ei/SK_er and for a Child SA's KEYMAT.
 *
 * Return: key plus salt bytes.
 */
size_t ike_prop_alg_keymat_len(const struct ike_prop_alg *alg)
{
	return alg ? (size_t)alg->key_len + alg->salt_len : 0;
}

/**
 * ike_prop_default_text() - what the keyword "default" stands for
 * @proto: IKE, ESP or AH
 *
 * Return: the proposals as text, or NULL for another protocol.
 */
const char *ike_prop_default_text(enum ikev2_proto proto)
{
	if ((size_t)proto >= ARRAY_SIZE(ike_prop_defaults))
		return NULL;
	return ike_prop_defaults[proto];
}

static const char *ike_prop_proto_name(enum ikev2_proto proto)
{
	switch (proto) {
	case IKEV2_PROTO_IKE:
		return "IKE";
	case IKEV2_PROTO_ESP:
		return "ESP";
	case IKEV2_PROTO_AH:
		return "AH";
	default:
		return "unknown";
	}
}

/**
 * ike_prop_err - a refusal's reason into @err (which may be NULL)
 * @err: the buffer
 * @errlen: its size
 * @fmt: printf format
 */
void ike_prop_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	char *p;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	/* It may quote the configuration's text: keep it one line. */
	for (p = err; *p; p++)
		if (iscntrl((unsigned char)*p))
			*p = '?';
}

static struct ike_prop_list *ike_prop_xf(struct ike_prop *p, uint8_t type)
{
	return &p->xf[IKE_PROP_IDX(type)];
}

static const struct ike_prop_list *ike_prop_cxf(const struct ike_prop *p, uint8_t type)
{
	return &p->xf[IKE_PROP_IDX(type)];
}

static bool ike_prop_xf_same(const struct ike_prop_transform *a,
			     const struct ike_prop_transform *b)
{
	return a->type == b->type && a->id == b->id && a->keylen == b->keylen;
}

static bool ike_prop_list_has(const struct ike_prop_list *l, const struct ike_prop_transform *t)
{
	unsigned int i;

	for (i = 0; i < l->n; i++)
		if (ike_prop_xf_same(&l->t[i], t))
			return true;
	return false;
}

/* Append unless present already; false when the list is full. */
static bool ike_prop_list_add(struct ike_prop_list *l, uint8_t type, uint16_t id,
			      uint16_t keylen)
{
	struct ike_prop_transform t = { .type = type, .id = id, .keylen = keylen };

	if (ike_prop_list_has(l, &t))
		return true;
	if (l->n >= IKE_PROP_MAX_TRANSFORMS)
		return false;
	l->t[l->n++] = t;
	return true;
}

/* Whether an algorithm may appear in a proposal for @proto. */
static bool ike_prop_alg_allowed(const struct ike_prop_alg *a, enum ikev2_proto proto)
{
	switch (proto) {
	case IKEV2_PROTO_IKE:
		return a->type != IKEV2_TRANS_ESN && (a->flags & IKE_PROP_ALG_IKE);
	case IKEV2_PROTO_ESP:
		return a->type != IKEV2_TRANS_PRF && (a->flags & IKE_PROP_ALG_ESP);
	case IKEV2_PROTO_AH:
		return a->type != IKEV2_TRANS_PRF && a->type != IKEV2_TRANS_ENCR &&
		       (a->flags & IKE_PROP_ALG_AH);
	default:
		return false;
	}
}

static const char *ike_prop_refusal(const struct ike_prop_alg *a, enum ikev2_proto proto)
{
	if (a->type == IKEV2_TRANS_ESN)
		return "ESN belongs to ESP and AH proposals";
	if (a->type == IKEV2_TRANS_PRF && proto != IKEV2_PROTO_IKE)
		return "a PRF belongs to IKE proposals only";
	if (a->type == IKEV2_TRANS_ENCR && proto == IKEV2_PROTO_AH)
		return "AH does not encrypt";
	return proto == IKEV2_PROTO_IKE ? "not available for IKE SAs" : "not available";
}

/*
 * The rules strongSwan applies after reading a proposal: an IKE proposal
 * without a PRF takes the ones its integrity algorithms stand for; AEAD
 * proposals lose their integrity algorithms (that is how strongSwan reads
 * "aes128gcm16-sha256-x25519": prfsha256 and no INTEG); ESP and AH without
 * ESN get "noesn".
 */
static int ike_prop_complete(struct ike_prop *p, const char *item, char *err, size_t errlen)
{
	struct ike_prop_list *encr = ike_prop_xf(p, IKEV2_TRANS_ENCR);
	struct ike_prop_list *integ = ike_prop_xf(p, IKEV2_TRANS_INTEG);
	struct ike_prop_list *prf = ike_prop_xf(p, IKEV2_TRANS_PRF);
	const char *proto = ike_prop_proto_name(p->proto);
	unsigned int i, aead = 0;

	for (i = 0; i < encr->n; i++) {
		const struct ike_prop_alg *a = ike_prop_alg_of(&encr->t[i]);

		if (a && (a->flags & IKE_PROP_ALG_AEAD))
			aead++;
	}
	if (aead && aead != encr->n) {
		ike_prop_err(err, errlen,
			     "proposal \"%s\" mixes AEAD and non-AEAD encryption algorithms; "
			     "use two proposals", item);
		return -EINVAL;
	}
	if (p->proto != IKEV2_PROTO_AH && !encr->n) {
		ike_prop_err(err, errlen, "%s proposal \"%s\" has no encryption algorithm",
			     proto, item);
		return -EINVAL;
	}
	if (p->proto == IKEV2_PROTO_IKE && !prf->n) {
		for (i = 0; i < integ->n; i++) {
			const struct ike_prop_alg *a = ike_prop_alg_of(&integ->t[i]);

			if (a && a->prf)
				ike_prop_list_add(prf, IKEV2_TRANS_PRF, a->prf, 0);
		}
		if (!prf->n) {
			ike_prop_err(err, errlen,
				     "IKE proposal \"%s\" has no PRF (add e.g. prfsha256)", item);
			return -EINVAL;
		}
	}
	if (aead) {
		integ->n = 0;
	} else if (!integ->n) {
		ike_prop_err(err, errlen, "%s proposal \"%s\" has no integrity algorithm",
			     proto, item);
		return -EINVAL;
	}
	if (p->proto == IKEV2_PROTO_IKE && !ike_prop_xf(p, IKEV2_TRANS_DH)->n) {
		ike_prop_err(err, errlen, "IKE proposal \"%s\" has no key exchange method "
			     "(add e.g. x25519)", item);
		return -EINVAL;
	}
	if (p->proto != IKEV2_PROTO_IKE && !ike_prop_xf(p, IKEV2_TRANS_ESN)->n)
		ike_prop_list_add(ike_prop_xf(p, IKEV2_TRANS_ESN), IKEV2_TRANS_ESN,
				  IKEV2_ESN_NO, 0);
	return 0;
}

/* One dash-separated proposal, @item NUL-terminated and trimmed. */
static int ike_prop_parse_one(const char *item, enum ikev2_proto proto, struct ike_prop *p,
			      char *err, size_t errlen)
{
	char buf[IKE_PROP_TEXT_MAX], *tok, *save = NULL;

	memset(p, 0, sizeof(*p));
	p->proto = proto;
	if (strlen(item) >= sizeof(buf)) {
		ike_prop_err(err, errlen, "proposal \"%.40s...\" is too long", item);
		return -EINVAL;
	}
	strcpy(buf, item);
	if (buf[0] == '-' || buf[strlen(buf) - 1] == '-' || strstr(buf, "--")) {
		ike_prop_err(err, errlen, "empty algorithm in proposal \"%s\"", item);
		return -EINVAL;
	}
	for (tok = strtok_r(buf, "-", &save); tok; tok = strtok_r(NULL, "-", &save)) {
		const struct ike_prop_alg *a = ike_prop_alg_by_name(tok);

		if (!a) {
			ike_prop_err(err, errlen, "unknown algorithm \"%s\" in proposal \"%s\"",
				     tok, item);
			return -EINVAL;
		}
		if (!ike_prop_alg_allowed(a, proto)) {
			ike_prop_err(err, errlen, "algorithm \"%s\" in %s proposal \"%s\": %s",
				     tok, ike_prop_proto_name(proto), item,
				     ike_prop_refusal(a, proto));
			return -EINVAL;
		}
		if (!ike_prop_list_add(ike_prop_xf(p, a->type), a->type, a->id, a->keylen)) {
			ike_prop_err(err, errlen, "too many %s algorithms in proposal \"%s\" "
				     "(at most %d)", ike_prop_type_names[IKE_PROP_IDX(a->type)],
				     item, IKE_PROP_MAX_TRANSFORMS);
			return -EINVAL;
		}
	}
	return ike_prop_complete(p, item, err, errlen);
}

static int ike_prop_parse_list(const char *text, enum ikev2_proto proto, struct ike_prop *out,
			       size_t max, size_t *n, bool nested, char *err, size_t errlen)
{
	const char *s = text;

	for (;;) {
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		char item[IKE_PROP_TEXT_MAX];
		int ret;

		while (len && (*s == ' ' || *s == '\t')) {
			s++;
			len--;
		}
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (!len) {
			ike_prop_err(err, errlen, "empty proposal in \"%s\"", text);
			return -EINVAL;
		}
		if (len >= sizeof(item)) {
			ike_prop_err(err, errlen, "proposal \"%.40s...\" is too long", s);
			return -EINVAL;
		}
		memcpy(item, s, len);
		item[len] = '\0';
		if (!nested && !strcasecmp(item, "default")) {
			ret = ike_prop_parse_list(ike_prop_defaults[proto], proto, out, max, n,
						  true, err, errlen);
			if (ret)
				return ret;
		} else {
			if (*n >= max) {
				ike_prop_err(err, errlen, "too many proposals in \"%s\" "
					     "(at most %zu)", text, max);
				return -ENOSPC;
			}
			ret = ike_prop_parse_one(item, proto, &out[*n], err, errlen);
			if (ret)
				return ret;
			(*n)++;
		}
		if (!end)
			return 0;
		s = end + 1;
	}
}

/**
 * ike_prop_parse() - read proposals written as in strongSwan's swanctl.conf
 * @text: comma-separated proposals, each a dash-separated list of keywords
 *	("aes256gcm16-prfsha384-x25519, aes128-sha256-modp2048"); "default"
 *	stands for ike_prop_default_text(@proto)
 * @proto: IKEV2_PROTO_IKE, _ESP or _AH: what the proposals are for
 * @out: the proposals, numbered 0 and without SPI
 * @max: room in @out
 * @err: on failure, why; may be NULL
 * @errlen: size of @err
 *
 * Within one proposal the order of keywords of one type is the order of
 * preference; keywords of different types may interleave. See
 * ike_prop_complete() for what is added or dropped after reading.
 *
 * Return: the number of proposals (at least 1), -EINVAL on a syntax or
 * consistency error, -ENOSPC when @max is too small.
 */
int ike_prop_parse(const char *text, enum ikev2_proto proto, struct ike_prop *out, size_t max,
		   char *err, size_t errlen)
{
	size_t n = 0;
	int ret;

	if (proto != IKEV2_PROTO_IKE && proto != IKEV2_PROTO_ESP && proto != IKEV2_PROTO_AH) {
		ike_prop_err(err, errlen, "proposals are for IKE, ESP or AH");
		return -EINVAL;
	}
	if (!text) {
		ike_prop_err(err, errlen, "no proposals");
		return -EINVAL;
	}
	ret = ike_prop_parse_list(text, proto, out, max, &n, false, err, errlen);
	if (ret)
		return ret;
	return (int)n;
}

/* snprintf that keeps counting once @buf is full */
struct ike_prop_out {
	char *buf;
	size_t len;
	size_t pos;
};

static void __attribute__((format(printf, 2, 3)))
ike_prop_put(struct ike_prop_out *o, const char *fmt, ...)
{
	size_t room = o->pos < o->len ? o->len - o->pos : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->pos : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->pos += n;
}

static void ike_prop_put_one(struct ike_prop_out *o, const struct ike_prop *p)
{
	/* Printing order: how strongSwan users write them. */
	static const uint8_t order[] = {
		IKEV2_TRANS_ENCR, IKEV2_TRANS_INTEG, IKEV2_TRANS_PRF, IKEV2_TRANS_DH,
		IKEV2_TRANS_ESN,
	};
	bool first = true;
	size_t i;
	unsigned int j;

	for (i = 0; i < ARRAY_SIZE(order); i++) {
		const struct ike_prop_list *l = ike_prop_cxf(p, order[i]);
		const char *tag = ike_prop_type_tags[IKE_PROP_IDX(order[i])];

		for (j = 0; j < l->n; j++) {
			const struct ike_prop_transform *t = &l->t[j];
			const struct ike_prop_alg *a = ike_prop_alg_of(t);

			ike_prop_put(o, "%s", first ? "" : "-");
			first = false;
			if (a)
				ike_prop_put(o, "%s", a->name);
			else if (t->keylen)
				ike_prop_put(o, "%s%u_%u", tag, t->id, t->keylen);
			else
				ike_prop_put(o, "%s%u", tag, t->id);
		}
	}
}

/**
 * ike_prop_format() - print a proposal in the syntax ike_prop_parse() reads
 * @prop: the proposal
 * @buf: output, NUL-terminated when @len > 0
 * @len: size of @buf
 *
 * Algorithms come out by type (encryption, integrity, PRF, key exchange,
 * ESN), each type in its order of preference, under their canonical names.
 * Transforms the table lacks print as "encr99", "integ0", "encr12_160"
 * (type tag, ID, key length), which ike_prop_parse() refuses.
 *
 * Return: the length of the full text, as snprintf() counts it.
 */
int ike_prop_format(const struct ike_prop *prop, char *buf, size_t len)
{
	struct ike_prop_out o = { .buf = buf, .len = len };

	if (len)
		buf[0] = '\0';
	ike_prop_put_one(&o, prop);
	return (int)o.pos;
}

/**
 * ike_prop_format_list() - print proposals separated by commas
 * @props: the proposals
 * @n: how many
 * @buf: output, NUL-terminated when @len > 0
 * @len: size of @buf
 *
 * Return: the length of the full text, as snprintf() counts it.
 */
int ike_prop_format_list(const struct ike_prop *props, size_t n, char *buf, size_t len)
{
	struct ike_prop_out o = { .buf = buf, .len = len };
	size_t i;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i)
			ike_prop_put(&o, ",");
		ike_prop_put_one(&o, &props[i]);
	}
	return (int)o.pos;
}

/**
 * ike_prop_get() - the first (in a chosen proposal: the) transform of a type
 * @prop: the proposal
 * @type: transform type
 *
 * Return: the transform, or NULL when the proposal has none of @type.
 */
const struct ike_prop_transform *ike_prop_get(const struct ike_prop *prop, uint8_t type)
{
	const struct ike_prop_list *l;

	if (type < IKEV2_TRANS_ENCR || type > IKEV2_TRANS_ESN)
		return NULL;
	l = ike_prop_cxf(prop, type);
	return l->n ? &l->t[0] : NULL;
}

/**
 * ike_prop_is_aead() - whether a proposal's (first) cipher is AEAD
 * @prop: the proposal
 *
 * Return: true for AES-GCM, AES-CCM, ChaCha20-Poly1305 and AES-GMAC.
 */
bool ike_prop_is_aead(const struct ike_prop *prop)
{
	const struct ike_prop_transform *t = ike_prop_get(prop, IKEV2_TRANS_ENCR);
	const struct ike_prop_alg *a = t ? ike_prop_alg_of(t) : NULL;

	return a && (a->flags & IKE_PROP_ALG_AEAD);
}

/**
 * ike_prop_equal() - compare two proposals field by field
 * @a: one
 * @b: the other
 *
 * Return: true when protocol, number, SPI, flags and all transform lists
 * (in order) are the same.
 */
bool ike_prop_equal(const struct ike_prop *a, const struct ike_prop *b)
{
	unsigned int i, j;

	if (a->proto != b->proto || a->num != b->num || a->spi_len != b->spi_len ||
	    a->flags != b->flags || a->spi_len > IKE_PROP_SPI_MAX ||
	    memcmp(a->spi, b->spi, a->spi_len))
		return false;
	for (i = 0; i < IKE_PROP_NTYPES; i++) {
		if (a->xf[i].n != b->xf[i].n)
			return false;
		for (j = 0; j < a->xf[i].n; j++)
			if (!ike_prop_xf_same(&a->xf[i].t[j], &b->xf[i].t[j]))
				return false;
	}
	return true;
}

/**
 * ike_prop_number() - number proposals 1, 2, ... for an SA payload
 * @props: the proposals
 * @n: how many (at most 255)
 */
void ike_prop_number(struct ike_prop *props, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < 255; i++)
		props[i].num = (uint8_t)(i + 1);
}

/**
 * ike_prop_child_keymat_len() - bytes of KEYMAT a Child SA takes
 * @chosen: the chosen ESP or AH proposal
 *
 * RFC 7296 section 2.17: encryption key then integrity key for the
 * initiator's SA, then the same for the responder's. Salts count as key.
 *
 * Return: the length, or 0 when an algorithm is unknown.
 */
size_t ike_prop_child_keymat_len(const struct ike_prop *chosen)
{
	const struct ike_prop_transform *e = ike_prop_get(chosen, IKEV2_TRANS_ENCR);
	const struct ike_prop_transform *i = ike_prop_get(chosen, IKEV2_TRANS_INTEG);
	size_t len = 0;

	if (e) {
		const struct ike_prop_alg *a = ike_prop_alg_of(e);

		if (!a)
			return 0;
		len += ike_prop_alg_keymat_len(a);
	}
	if (i && i->id != IKEV2_INTEG_NONE) {
		const struct ike_prop_alg *a = ike_prop_alg_of(i);

		if (!a)
			return 0;
		len += a->key_len;
	}
	return 2 * len;
}

/* INTEG, DH and ESN may be left out, which means ID 0 (NONE, no ESN). */
static bool ike_prop_type_optional(uint8_t type)
{
	return type == IKEV2_TRANS_INTEG || type == IKEV2_TRANS_DH || type == IKEV2_TRANS_ESN;
}

static bool ike_prop_has(const struct ike_prop_list *l, uint8_t type,
			 const struct ike_prop_transform *t)
{
	if (!l->n && ike_prop_type_optional(type))
		return t->id == 0 && t->keylen == 0;
	return ike_prop_list_has(l, t);
}

/*
 * Pick one transform of @type acceptable to both: the peer's most preferred
 * one, or @hint when both allow it. *@pick->type is 0 when the type is
 * absent from the answer (both sides left it out, or the peer did and NONE
 * was the match).
 */
static bool ike_prop_pick(const struct ike_prop_list *conf, const struct ike_prop_list *off,
			  uint8_t type, uint16_t hint, struct ike_prop_transform *pick)
{
	struct ike_prop_transform none = { .type = type };
	unsigned int i;

	memset(pick, 0, sizeof(*pick));
	if (!off->n) {
		if (!conf->n)
			return true;
		/* Left out by the peer: acceptable when it means NONE for us. */
		return ike_prop_type_optional(type) && ike_prop_has(conf, type, &none);
	}
	if (hint) {
		for (i = 0; i < off->n; i++) {
			if (off->t[i].id == hint && ike_prop_has(conf, type, &off->t[i])) {
				*pick = off->t[i];
				return true;
			}
		}
	}
	for (i = 0; i < off->n; i++) {
		if (ike_prop_has(conf, type, &off->t[i])) {
			*pick = off->t[i];
			return true;
		}
	}
	return false;
}

/* A chosen proposal's algorithms must fit together and be complete. */
static bool ike_prop_coherent(const struct ike_prop *c)
{
	const struct ike_prop_transform *e = ike_prop_get(c, IKEV2_TRANS_ENCR);
	const struct ike_prop_transform *i = ike_prop_get(c, IKEV2_TRANS_INTEG);
	const struct ike_prop_transform *d = ike_prop_get(c, IKEV2_TRANS_DH);
	bool integ = i && i->id != IKEV2_INTEG_NONE;
	bool aead = ike_prop_is_aead(c);

	switch (c->proto) {
	case IKEV2_PROTO_IKE:
		return e && ike_prop_get(c, IKEV2_TRANS_PRF) && d && d->id != IKEV2_DH_NONE &&
		       aead != integ;
	case IKEV2_PROTO_ESP:
		return e && !ike_prop_get(c, IKEV2_TRANS_PRF) && aead != integ;
	case IKEV2_PROTO_AH:
		return !e && !ike_prop_get(c, IKEV2_TRANS_PRF) && integ;
	default:
		return false;
	}
}

static bool ike_prop_try(const struct ike_prop *conf, const struct ike_prop *off,
			 uint16_t ke_group, struct ike_prop *out)
{
	uint8_t type;

	if (conf->proto != off->proto || (off->flags & IKE_PROP_F_UNKNOWN))
		return false;
	memset(out, 0, sizeof(*out));
	out->proto = off->proto;
	out->num = off->num;
	out->spi_len = off->spi_len > IKE_PROP_SPI_MAX ? IKE_PROP_SPI_MAX : off->spi_len;
	memcpy(out->spi, off->spi, out->spi_len);
	for (type = IKEV2_TRANS_ENCR; type <= IKEV2_TRANS_ESN; type++) {
		struct ike_prop_transform t;

		if (!ike_prop_pick(ike_prop_cxf(conf, type), ike_prop_cxf(off, type), type,
				   type == IKEV2_TRANS_DH ? ke_group : 0, &t))
			return false;
		if (t.type)
			ike_prop_xf(out, type)->t[ike_prop_xf(out, type)->n++] = t;
	}
	return ike_prop_coherent(out);
}

/**
 * ike_prop_select_ke() - ike_prop_select() preferring a key exchange method
 * @conf: configured proposals
 * @nconf: how many
 * @offered: the peer's proposals, in its order
 * @noffered: how many
 * @ke_group: the group of the peer's KE payload, chosen when acceptable so
 *	that no INVALID_KE_PAYLOAD round trip is needed; 0 for no preference
 * @chosen: the answer
 *
 * Return: as ike_prop_select().
 */
int ike_prop_select_ke(const struct ike_prop *conf, size_t nconf,
		       const struct ike_prop *offered, size_t noffered, uint16_t ke_group,
		       struct ike_prop *chosen)
{
	size_t i, j;

	for (i = 0; i < noffered; i++)
		for (j = 0; j < nconf; j++)
			if (ike_prop_try(&conf[j], &offered[i], ke_group, chosen))
				return (int)i;
	memset(chosen, 0, sizeof(*chosen));
	return -ENOENT;
}

/**
 * ike_prop_select() - choose a proposal as responder (RFC 7296 section 2.7)
 * @conf: configured proposals
 * @nconf: how many
 * @offered: the peer's proposals, in its order
 * @noffered: how many
 * @chosen: the answer: one transform per type, the peer's proposal number
 *	and SPI
 *
 * The peer's proposals are tried in its order, each against every
 * configured one; the first acceptable pair wins. Within it each type takes
 * the peer's most preferred transform that the configured proposal lists,
 * with an identical key length. A proposal carrying IKE_PROP_F_UNKNOWN is
 * never acceptable.
 *
 * Return: the index in @offered of the proposal chosen, or -ENOENT
 * (NO_PROPOSAL_CHOSEN).
 */
int ike_prop_select(const struct ike_prop *conf, size_t nconf, const struct ike_prop *offered,
		    size_t noffered, struct ike_prop *chosen)
{
	return ike_prop_select_ke(conf, nconf, offered, noffered, 0, chosen);
}

/**
 * ike_prop_check_chosen() - check a responder's answer as initiator
 * @offered: what we offered (numbered, as sent)
 * @noffered: how many
 * @chosen: the responder's single proposal
 *
 * The answer must carry the number of one of our proposals and the same
 * protocol and SPI size, at most one transform per type, each one we listed
 * in that proposal, nothing of a type we left out, and a coherent set.
 *
 * Return: the index in @offered the answer comes from, or -EINVAL.
 */
int ike_prop_check_chosen(const struct ike_prop *offered, size_t noffered,
			  const struct ike_prop *chosen)
{
	size_t i;

	if (chosen->flags & IKE_PROP_F_UNKNOWN || !ike_prop_coherent(chosen))
		return -EINVAL;
	for (i = 0; i < noffered; i++) {
		const struct ike_prop *o = &offered[i];
		struct ike_prop_transform none;
		bool ok = true;
		uint8_t type;

		if (o->num != chosen->num || o->proto != chosen->proto ||
		    o->spi_len != chosen->spi_len)
			continue;
		for (type = IKEV2_TRANS_ENCR; ok && type <= IKEV2_TRANS_ESN; type++) {
			const struct ike_prop_list *c = ike_prop_cxf(chosen, type);
			const struct ike_prop_list *l = ike_prop_cxf(o, type);

			none = (struct ike_prop_transform){ .type = type };
			if (c->n > 1)
				ok = false;
			else if (c->n == 1)
				ok = ike_prop_has(l, type, &c->t[0]);
			else
				ok = !l->n || (ike_prop_type_optional(type) &&
					       ike_prop_list_has(l, &none));
		}
		if (ok)
			return (int)i;
	}
	return -EINVAL;
}
