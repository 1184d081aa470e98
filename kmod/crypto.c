// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * The table of algorithms veil offers, and what the running kernel's
 * crypto API can actually provide of it.
 */

#include <linux/kernel.h>
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
	{ "rfc4106(gcm(aes))",			VEIL_ALG_TYPE_AEAD,	ESP },
	{ "rfc4309(ccm(aes))",			VEIL_ALG_TYPE_AEAD,	ESP },
	{ "rfc4543(gcm(aes))",			VEIL_ALG_TYPE_AEAD,	ESP },
	{ "rfc7539esp(chacha20,poly1305)",	VEIL_ALG_TYPE_AEAD,	ESP },
	{ "gcm(aes)",				VEIL_ALG_TYPE_AEAD,	TLS },
	{ "ccm(aes)",				VEIL_ALG_TYPE_AEAD,	TLS },
	{ "rfc7539(chacha20,poly1305)",		VEIL_ALG_TYPE_AEAD,	TLS },
	{ "cbc(aes)",				VEIL_ALG_TYPE_CIPHER,	ESP },
	{ "rfc3686(ctr(aes))",			VEIL_ALG_TYPE_CIPHER,	ESP },
	{ "cbc(des3_ede)",			VEIL_ALG_TYPE_CIPHER,	ESP },
	{ "ecb(cipher_null)",			VEIL_ALG_TYPE_CIPHER,	ESP },
	{ "hmac(sha1)",				VEIL_ALG_TYPE_AUTH,	ESP | AH },
	{ "hmac(sha256)",			VEIL_ALG_TYPE_AUTH,	ESP | AH },
	{ "hmac(sha384)",			VEIL_ALG_TYPE_AUTH,	ESP | AH },
	{ "hmac(sha512)",			VEIL_ALG_TYPE_AUTH,	ESP | AH },
	{ "hmac(md5)",				VEIL_ALG_TYPE_AUTH,	ESP | AH },
	{ "xcbc(aes)",				VEIL_ALG_TYPE_AUTH,	ESP | AH },
	{ "cmac(aes)",				VEIL_ALG_TYPE_AUTH,	ESP | AH },
	{ "digest_null",			VEIL_ALG_TYPE_AUTH,	ESP | AH },
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
