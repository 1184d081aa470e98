// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * Record protection for TLS 1.2 (RFC 5246, 5288, 6655, 7905) and TLS 1.3
 * (RFC 8446 5.2, 5.3): the ciphers, how a record's nonce and additional
 * data are formed, and the AEAD call. Shared by both directions.
 */

#include <crypto/aead.h>
#include <linux/slab.h>

#include "tls.h"

#define VEIL_TLS_CIPHER(t, name, st, explicit, is_ccm)				\
	{									\
		.type = (t),							\
		.alg = (name),							\
		.info_len = sizeof(struct st),					\
		.key_len = sizeof_field(struct st, key),			\
		.iv_len = sizeof_field(struct st, iv),				\
		.salt_len = sizeof_field(struct st, salt),			\
		.iv_off = offsetof(struct st, iv),				\
		.key_off = offsetof(struct st, key),				\
		.salt_off = offsetof(struct st, salt),				\
		.seq_off = offsetof(struct st, rec_seq),			\
		.explicit_len = (explicit),					\
		.ccm = (is_ccm),						\
	}

static const struct veil_tls_cipher_desc veil_tls_ciphers[] = {
	VEIL_TLS_CIPHER(TLS_CIPHER_AES_GCM_128, "gcm(aes)",
			tls12_crypto_info_aes_gcm_128, 8, false),
	VEIL_TLS_CIPHER(TLS_CIPHER_AES_GCM_256, "gcm(aes)",
			tls12_crypto_info_aes_gcm_256, 8, false),
	VEIL_TLS_CIPHER(TLS_CIPHER_AES_CCM_128, "ccm(aes)",
			tls12_crypto_info_aes_ccm_128, 8, true),
	VEIL_TLS_CIPHER(TLS_CIPHER_CHACHA20_POLY1305, "rfc7539(chacha20,poly1305)",
			tls12_crypto_info_chacha20_poly1305, 0, false),
};

/**
 * veil_tls_cipher_find() - the cipher numbered @type
 * @type: TLS_CIPHER_*
 *
 * Return: its description, or NULL when veil does not offer it.
 */
const struct veil_tls_cipher_desc *veil_tls_cipher_find(u16 type)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(veil_tls_ciphers); i++)
		if (veil_tls_ciphers[i].type == type)
			return &veil_tls_ciphers[i];
	return NULL;
}

/* The nonce base is salt || iv: 4 + 8 bytes for AES, 0 + 12 for ChaCha20. */
static void veil_tls_crypt_base(struct veil_tls_crypt *c, const struct veil_tls_cipher_desc *cs)
{
	const u8 *raw = (const u8 *)&c->info;

	memcpy(c->base, raw + cs->salt_off, cs->salt_len);
	memcpy(c->base + cs->salt_len, raw + cs->iv_off, cs->iv_len);
}

/**
 * veil_tls_crypt_key() - key a direction, or rekey it
 * @c: the direction; zeroed before its first key
 * @cs: the cipher, which a rekey keeps
 * @ci: the configuration, of @cs's size
 * @tx: the sending direction, whose TLS 1.2 explicit nonce veil picks
 *
 * Context: process, under the socket lock.
 * Return: 0, or a negative errno when the transform cannot be had or keyed.
 */
int veil_tls_crypt_key(struct veil_tls_crypt *c, const struct veil_tls_cipher_desc *cs,
		       const union veil_tls_crypto_info *ci, bool tx)
{
	const u8 *raw = (const u8 *)ci;
	int err;

	if (!c->aead) {
		struct crypto_aead *aead = crypto_alloc_aead(cs->alg, 0, 0);

		if (IS_ERR(aead))
			return PTR_ERR(aead);
		err = crypto_aead_setauthsize(aead, VEIL_TLS_TAG_LEN);
		if (err) {
			crypto_free_aead(aead);
			return err;
		}
		c->req = aead_request_alloc(aead, GFP_KERNEL);
		if (!c->req) {
			crypto_free_aead(aead);
			return -ENOMEM;
		}
		c->aead = aead;
	}
	err = crypto_aead_setkey(c->aead, raw + cs->key_off, cs->key_len);
	if (err)
		return err;

	memzero_explicit(&c->info, sizeof(c->info));
	memcpy(&c->info, ci, cs->info_len);
	veil_tls_crypt_base(c, cs);
	c->seq = get_unaligned_be64(raw + cs->seq_off);
	c->used_up = false;
	/*
	 * TLS 1.2 AES: the explicit nonce only has to be unique per key; it
	 * starts at the configured iv and counts records, as kTLS does.
	 * Receiving, it follows what arrives (veil_tls_seq_advance()).
	 */
	c->explicit = cs->explicit_len && ci->info.version == TLS_1_2_VERSION;
	c->tx = tx;
	if (c->explicit)
		c->explicit_nonce = get_unaligned_be64(raw + cs->iv_off);
	return 0;
}

/**
 * veil_tls_crypt_info() - a direction's configuration as getsockopt shows it
 * @c: the direction
 * @cs: its cipher
 * @out: filled with the structure last set, with rec_seq (and, for TLS 1.2
 *	AES sending, iv) advanced to the next record
 */
void veil_tls_crypt_info(const struct veil_tls_crypt *c, const struct veil_tls_cipher_desc *cs,
			 union veil_tls_crypto_info *out)
{
	u8 *raw = (u8 *)out;

	memcpy(out, &c->info, cs->info_len);
	put_unaligned_be64(c->seq, raw + cs->seq_off);
	if (c->explicit)
		put_unaligned_be64(c->explicit_nonce, raw + cs->iv_off);
}

/**
 * veil_tls_crypt_free() - free a direction's transform and wipe its keys
 * @c: the direction
 */
void veil_tls_crypt_free(struct veil_tls_crypt *c)
{
	aead_request_free(c->req);
	crypto_free_aead(c->aead);
	memzero_explicit(&c->info, sizeof(c->info));
	memzero_explicit(c->base, sizeof(c->base));
	memzero_explicit(c->iv, sizeof(c->iv));
}

/**
 * veil_tls_prefix() - bytes of a record before its ciphertext
 * @ctx: the socket's context, with a version and cipher
 *
 * Return: the header, plus the explicit nonce for TLS 1.2 AES.
 */
unsigned int veil_tls_prefix(const struct veil_tls_ctx *ctx)
{
	if (ctx->version == TLS_1_3_VERSION)
		return VEIL_TLS_HEADER_LEN;
	return VEIL_TLS_HEADER_LEN + ctx->cipher->explicit_len;
}

/**
 * veil_tls_overhead() - bytes a record adds to its content
 * @ctx: the socket's context, with a version and cipher
 *
 * Return: prefix, tag and, for TLS 1.3, the inner content type.
 */
unsigned int veil_tls_overhead(const struct veil_tls_ctx *ctx)
{
	return veil_tls_prefix(ctx) + VEIL_TLS_TAG_LEN +
	       (ctx->version == TLS_1_3_VERSION ? 1 : 0);
}

/**
 * veil_tls_record_params() - the AAD and IV of the record numbered @c->seq
 * @ctx: the socket's context
 * @c: the direction; its aad and iv are written
 * @type: the content type (TLS 1.2; TLS 1.3 always authenticates 23)
 * @plain_len: TLS 1.2: plaintext bytes; TLS 1.3: inner plaintext bytes
 *	(content, type and padding)
 * @explicit_nonce: TLS 1.2 AES: the record's 8-byte explicit nonce
 *
 * TLS 1.2 authenticates seq || type || version || length (RFC 5246
 * 6.2.3.3) and AES takes salt || explicit nonce as its nonce (RFC 5288
 * 3). ChaCha20 (RFC 7905 2) and all of TLS 1.3 (RFC 8446 5.3) use the
 * base XORed with the sequence number; TLS 1.3 authenticates the record
 * header.
 */
void veil_tls_record_params(struct veil_tls_ctx *ctx, struct veil_tls_crypt *c,
			    u8 type, unsigned int plain_len, const u8 *explicit_nonce)
{
	const struct veil_tls_cipher_desc *cs = ctx->cipher;
	u8 *nonce = c->iv + (cs->ccm ? 1 : 0);
	int i;

	if (ctx->version == TLS_1_3_VERSION) {
		c->aad[0] = VEIL_TLS_TYPE_DATA;
		c->aad[1] = 3;
		c->aad[2] = 3;
		put_unaligned_be16(plain_len + VEIL_TLS_TAG_LEN, c->aad + 3);
	} else {
		put_unaligned_be64(c->seq, c->aad);
		c->aad[8] = type;
		c->aad[9] = 3;
		c->aad[10] = 3;
		put_unaligned_be16(plain_len, c->aad + 11);
	}

	if (ctx->version == TLS_1_2_VERSION && cs->explicit_len) {
		memcpy(nonce, c->base, cs->salt_len);
		memcpy(nonce + cs->salt_len, explicit_nonce, cs->explicit_len);
	} else {
		memcpy(nonce, c->base, VEIL_TLS_NONCE_LEN);
		for (i = 0; i < 8; i++)
			nonce[4 + i] ^= (c->seq >> (56 - 8 * i)) & 0xff;
	}
	if (cs->ccm) {
		/* RFC 3610: flags byte L' = 15 - 12 - 1; counter starts at 0. */
		c->iv[0] = 2;
		memset(c->iv + 1 + VEIL_TLS_NONCE_LEN, 0, 16 - 1 - VEIL_TLS_NONCE_LEN);
	}
}

/**
 * veil_tls_crypt_run() - encrypt or decrypt the record in @c->sg in place
 * @c: the direction, with aad, iv and sg (AAD entry first) set up
 * @encrypt: encrypt rather than decrypt
 * @aad_len: bytes of additional data, the first entry of @c->sg
 * @crypt_len: bytes to encrypt, or to decrypt tag included
 *
 * Context: process; may sleep while an asynchronous transform works.
 * Return: 0, -EBADMSG when a record does not authenticate, or another
 * negative errno.
 */
int veil_tls_crypt_run(struct veil_tls_crypt *c, bool encrypt, unsigned int aad_len,
		       unsigned int crypt_len)
{
	DECLARE_CRYPTO_WAIT(wait);
	int err;

	aead_request_set_tfm(c->req, c->aead);
	aead_request_set_callback(c->req, CRYPTO_TFM_REQ_MAY_BACKLOG | CRYPTO_TFM_REQ_MAY_SLEEP,
				  crypto_req_done, &wait);
	aead_request_set_crypt(c->req, c->sg, c->sg, crypt_len, c->iv);
	aead_request_set_ad(c->req, aad_len);
	err = encrypt ? crypto_aead_encrypt(c->req) : crypto_aead_decrypt(c->req);
	return crypto_wait_req(err, &wait);
}

/**
 * veil_tls_seq_advance() - count a record
 * @c: the direction
 * @explicit_nonce: TLS 1.2 AES receiving: the record's explicit nonce,
 *	which getsockopt then shows plus one, as kTLS does
 *
 * The record numbered 2^64 - 1 is the last a key may protect (RFC 8446
 * 5.3, RFC 5246 6.1): after it the direction is used up rather than
 * wrapping, and only a new key (TLS 1.3 KeyUpdate) lets records go on.
 */
void veil_tls_seq_advance(struct veil_tls_crypt *c, const u8 *explicit_nonce)
{
	if (c->seq == U64_MAX)
		c->used_up = true;
	else
		c->seq++;
	if (c->explicit)
		c->explicit_nonce = (c->tx ? c->explicit_nonce :
				     get_unaligned_be64(explicit_nonce)) + 1;
}
