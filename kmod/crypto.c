// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * The table of algorithms veil offers, and what the running kernel's
 * crypto API can actually provide of it.
 */

#include <linux/kernel.h>
#include <linux/string.h>
#include <crypto/aead.h>
#include <crypto/hash.h>
#include <crypto/skcipher.h>

#include "crypto.h"
#include "uapi/linux/veil.h"

#define ESP	VEIL_ALG_USE_ESP
#define AH	VEIL_ALG_USE_AH
#define TLS	VEIL_ALG_USE_TLS

/*
 * The order is part of the interface: `veil info` lists algorithms in it,
 * so new entries go at the end of their group. The ESP AEAD names carry
 * the RFC 4106/4309/4543/7634 nonce handling (salt from the key), exactly
 * as the kernel's XFRM expects them; the TLS ones are the plain AEADs,
 * since the record layer builds its own nonce as net/tls does.
 */
static const struct veil_crypto_alg veil_crypto_algs[] = {
	{ "rfc4106(gcm(aes))", VEIL_ALG_TYPE_AEAD, ESP, { 20, 28, 36 },
	  "rfc4106(gcm(aes)) takes a 20, 28 or 36 byte key: AES-128/192/256 and a 4-byte salt",
	  { 64, 96, 128 }, 0, "seqiv" },
	{ "rfc4309(ccm(aes))", VEIL_ALG_TYPE_AEAD, ESP, { 19, 27, 35 },
	  "rfc4309(ccm(aes)) takes a 19, 27 or 35 byte key: AES-128/192/256 and a 3-byte salt",
	  { 64, 96, 128 }, 0, "seqiv" },
	{ "rfc4543(gcm(aes))", VEIL_ALG_TYPE_AEAD, ESP, { 20, 28, 36 },
	  "rfc4543(gcm(aes)) takes a 20, 28 or 36 byte key: AES-128/192/256 and a 4-byte salt",
	  { 128 }, 0, "seqiv" },
	{ "rfc7539esp(chacha20,poly1305)", VEIL_ALG_TYPE_AEAD, ESP, { 36 },
	  "rfc7539esp(chacha20,poly1305) takes a 36 byte key: a 32-byte key and a 4-byte salt",
	  { 128 }, 0, "seqiv" },
	{ "gcm(aes)", VEIL_ALG_TYPE_AEAD, TLS, { 16, 24, 32 },
	  "gcm(aes) takes a 16, 24 or 32 byte key", { 128 } },
	{ "ccm(aes)", VEIL_ALG_TYPE_AEAD, TLS, { 16, 24, 32 },
	  "ccm(aes) takes a 16, 24 or 32 byte key", { 64, 128 } },
	{ "rfc7539(chacha20,poly1305)", VEIL_ALG_TYPE_AEAD, TLS, { 32 },
	  "rfc7539(chacha20,poly1305) takes a 32 byte key", { 128 } },
	{ "cbc(aes)", VEIL_ALG_TYPE_CIPHER, ESP, { 16, 24, 32 },
	  "cbc(aes) takes a 16, 24 or 32 byte key", { 0 }, 0, "echainiv" },
	{ "rfc3686(ctr(aes))", VEIL_ALG_TYPE_CIPHER, ESP, { 20, 28, 36 },
	  "rfc3686(ctr(aes)) takes a 20, 28 or 36 byte key: AES-128/192/256 and a 4-byte nonce",
	  { 0 }, 0, "seqiv" },
	{ "cbc(des3_ede)", VEIL_ALG_TYPE_CIPHER, ESP, { 24 },
	  "cbc(des3_ede) takes a 24 byte key", { 0 }, 0, "echainiv" },
	{ "ecb(cipher_null)", VEIL_ALG_TYPE_CIPHER, ESP, { 0 },
	  "ecb(cipher_null) takes an empty key" },
	{ "hmac(sha1)", VEIL_ALG_TYPE_AUTH, ESP | AH, { 20 },
	  "hmac(sha1) takes a 20 byte key (RFC 2404)", { 160 }, 96 },
	{ "hmac(sha256)", VEIL_ALG_TYPE_AUTH, ESP | AH, { 32 },
	  "hmac(sha256) takes a 32 byte key (RFC 4868)", { 256 }, 96 },
	{ "hmac(sha384)", VEIL_ALG_TYPE_AUTH, ESP | AH, { 48 },
	  "hmac(sha384) takes a 48 byte key (RFC 4868)", { 384 }, 192 },
	{ "hmac(sha512)", VEIL_ALG_TYPE_AUTH, ESP | AH, { 64 },
	  "hmac(sha512) takes a 64 byte key (RFC 4868)", { 512 }, 256 },
	{ "hmac(md5)", VEIL_ALG_TYPE_AUTH, ESP | AH, { 16 },
	  "hmac(md5) takes a 16 byte key (RFC 2403)", { 128 }, 96 },
	{ "xcbc(aes)", VEIL_ALG_TYPE_AUTH, ESP | AH, { 16 },
	  "xcbc(aes) takes a 16 byte key (RFC 3566)", { 128 }, 96 },
	{ "cmac(aes)", VEIL_ALG_TYPE_AUTH, ESP | AH, { 16 },
	  "cmac(aes) takes a 16 byte key (RFC 4494)", { 128 }, 96 },
	{ "digest_null", VEIL_ALG_TYPE_AUTH, ESP | AH, { 0 },
	  "digest_null takes an empty key", { 0 }, 0 },
};

#undef ESP
#undef AH
#undef TLS

/**
 * veil_crypto_alg_count() - number of entries in the algorithm table
 *
 * Return: the count, constant for the life of the module.
 */
unsigned int veil_crypto_alg_count(void)
{
	return ARRAY_SIZE(veil_crypto_algs);
}

/**
 * veil_crypto_alg_get() - one entry of the algorithm table
 * @idx: index, below veil_crypto_alg_count()
 *
 * Return: the entry, or NULL when @idx is out of range.
 */
const struct veil_crypto_alg *veil_crypto_alg_get(unsigned int idx)
{
	if (idx >= ARRAY_SIZE(veil_crypto_algs))
		return NULL;
	return &veil_crypto_algs[idx];
}

/**
 * veil_crypto_alg_find() - the table entry called @name
 * @name: crypto API name, NUL-terminated
 * @type: required VEIL_ALG_TYPE_*
 *
 * Return: the entry, or NULL when veil offers no such algorithm of that type.
 */
const struct veil_crypto_alg *veil_crypto_alg_find(const char *name, u32 type)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(veil_crypto_algs); i++)
		if (veil_crypto_algs[i].type == type &&
		    !strcmp(veil_crypto_algs[i].name, name))
			return &veil_crypto_algs[i];
	return NULL;
}

/**
 * veil_crypto_key_len_ok() - does a key of @len bytes fit @alg?
 * @alg: table entry
 * @len: key length in bytes, salt included
 *
 * Return: true when @alg takes keys of that length.
 */
bool veil_crypto_key_len_ok(const struct veil_crypto_alg *alg, unsigned int len)
{
	unsigned int i;

	/* A zero first entry means the algorithm takes no key at all. */
	if (!alg->key_lens[0])
		return len == 0;
	for (i = 0; i < ARRAY_SIZE(alg->key_lens) && alg->key_lens[i]; i++)
		if (alg->key_lens[i] == len)
			return true;
	return false;
}

/**
 * veil_crypto_icv_ok() - is an ICV of @bits allowed for the AEAD @alg?
 * @alg: table entry of type AEAD
 * @bits: ICV length in bits
 *
 * Return: true when allowed.
 */
bool veil_crypto_icv_ok(const struct veil_crypto_alg *alg, unsigned int bits)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(alg->icv_bits) && alg->icv_bits[i]; i++)
		if (alg->icv_bits[i] == bits)
			return true;
	return false;
}

/**
 * veil_crypto_trunc_ok() - may the authentication @alg be truncated to @bits?
 * @alg: table entry of type auth
 * @bits: truncated ICV length in bits
 *
 * Whole bytes, at least 64 bits (RFC 4302 section 3.3.3.1 needs 32-bit
 * alignment; below 64 bits forgery gets cheap) and at most the digest.
 *
 * Return: true when allowed.
 */
bool veil_crypto_trunc_ok(const struct veil_crypto_alg *alg, unsigned int bits)
{
	if (!alg->icv_bits[0])
		return bits == 0;
	return bits % 32 == 0 && bits >= 64 && bits <= alg->icv_bits[0];
}

/**
 * veil_crypto_alg_available() - can the running kernel instantiate @alg?
 * @alg: an entry of the algorithm table
 *
 * Asks the crypto API, which loads the implementing module on demand
 * (and runs its self-tests the first time), so this may sleep.
 *
 * Return: true when a transform of that name and type can be allocated.
 */
bool veil_crypto_alg_available(const struct veil_crypto_alg *alg)
{
	might_sleep();

	switch (alg->type) {
	case VEIL_ALG_TYPE_AEAD:
		return crypto_has_aead(alg->name, 0, 0);
	case VEIL_ALG_TYPE_CIPHER:
		return crypto_has_skcipher(alg->name, 0, 0);
	case VEIL_ALG_TYPE_AUTH:
		return crypto_has_ahash(alg->name, 0, 0);
	}
	return false;
}
