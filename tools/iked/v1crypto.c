// SPDX-License-Identifier: GPL-2.0
/*
 * IKEv1's cryptography. As in crypto.c, every primitive is OpenSSL 3's and
 * reached through crypto.c's helpers (HMAC, digests, the CBC cipher, the
 * address bytes of a sockaddr); this file only arranges the inputs the way
 * RFC 2409 says, and keeps the CBC IV chains that ISAKMP's encryption
 * needs because, unlike IKEv2's, its messages carry no IV.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "v1crypto.h"

/**
 * struct ike_v1_hash_info - one Hash Algorithm attribute value
 * @alg: enum ike_v1_hash_alg
 * @prf: the IKEv2 PRF that is HMAC with the same hash
 * @md: OpenSSL's name of the hash
 * @len: its output length
 */
struct ike_v1_hash_info {
	uint16_t alg;
	uint16_t prf;
	const char *md;
	uint8_t len;
};

static const struct ike_v1_hash_info ike_v1_hashes[] = {
	{ IKE_V1_HASH_MD5, IKEV2_PRF_HMAC_MD5, "MD5", 16 },
	{ IKE_V1_HASH_SHA, IKEV2_PRF_HMAC_SHA1, "SHA1", 20 },
	{ IKE_V1_HASH_SHA2_256, IKEV2_PRF_HMAC_SHA2_256, "SHA256", 32 },
	{ IKE_V1_HASH_SHA2_384, IKEV2_PRF_HMAC_SHA2_384, "SHA384", 48 },
	{ IKE_V1_HASH_SHA2_512, IKEV2_PRF_HMAC_SHA2_512, "SHA512", 64 },
};

/* The single octets 0, 1 and 2 that end SKEYID_d's, _a's and _e's input */
static const uint8_t ike_v1_octet[3] = { 0, 1, 2 };

static const struct ike_v1_hash_info *ike_v1_hash_info(uint16_t alg)
{
	size_t i;

	for (i = 0; i < sizeof(ike_v1_hashes) / sizeof(ike_v1_hashes[0]); i++)
		if (ike_v1_hashes[i].alg == alg)
			return &ike_v1_hashes[i];
	return NULL;
}

/* A Message ID as its four octets on the wire, as every hash takes it */
static void ike_v1_msgid_octets(uint32_t msgid, uint8_t out[4])
{
	out[0] = (uint8_t)(msgid >> 24);
	out[1] = (uint8_t)(msgid >> 16);
	out[2] = (uint8_t)(msgid >> 8);
	out[3] = (uint8_t)msgid;
}

/* ----------------------------------------------------------------------
 * hash and prf
 */

/**
 * ike_v1_hash_len() - output length of a negotiated hash (and of its prf)
 * @hash_alg: enum ike_v1_hash_alg
 *
 * Return: octets, or 0 for a hash this file does not implement.
 */
size_t ike_v1_hash_len(uint16_t hash_alg)
{
	const struct ike_v1_hash_info *h = ike_v1_hash_info(hash_alg);

	return h ? h->len : 0;
}

/**
 * ike_v1_hash() - the negotiated hash over concatenated pieces
 * @hash_alg: enum ike_v1_hash_alg
 * @c: the pieces
 * @n: how many
 * @out: ike_v1_hash_len() octets
 *
 * RFC 2409 uses the plain hash for the Phase 1 IV, Phase 2's first IVs
 * and (through RFC 3947) NAT-D.
 *
 * Return: 0, -ENOTSUP or -EIO.
 */
int ike_v1_hash(uint16_t hash_alg, const struct ike_crypto_chunk *c, size_t n, uint8_t *out)
{
	const struct ike_v1_hash_info *h = ike_v1_hash_info(hash_alg);

	if (!h)
		return -ENOTSUP;
	return ike_crypto_digest(h->md, c, n, out, h->len);
}

/**
 * ike_v1_prf() - prf(key, pieces): HMAC with the negotiated hash
 * @hash_alg: enum ike_v1_hash_alg
 * @key: the key, of any non-zero length
 * @klen: its length
 * @c: the pieces of the input
 * @n: how many
 * @out: ike_v1_hash_len() octets
 *
 * RFC 2409 section 4: without a negotiated PRF (and no one negotiates
 * one), prf is the HMAC version of the negotiated hash.
 *
 * Return: 0, -ENOTSUP, -EINVAL or -EIO.
 */
int ike_v1_prf(uint16_t hash_alg, const uint8_t *key, size_t klen,
	       const struct ike_crypto_chunk *c, size_t n, uint8_t *out)
{
	const struct ike_v1_hash_info *h = ike_v1_hash_info(hash_alg);

	if (!h)
		return -ENOTSUP;
	return ike_prf_v(h->prf, key, klen, c, n, out);
}

/* ----------------------------------------------------------------------
 * Phase 1 keys
 */

/**
 * ike_v1_keys_new() - an ISAKMP SA's key set for a chosen Phase 1 SA
 * @hash_alg: the Hash Algorithm attribute (enum ike_v1_hash_alg)
 * @encr_alg: the Encryption Algorithm attribute (enum ike_v1_encr_alg)
 * @encr_keylen: the Key Length attribute in bits: 128, 192 or 256 for
 *	AES-CBC, which cannot do without one (the caller picks a default
 *	for a peer that left it out); 0 or 192 for 3DES
 * @out: the new key set, keys still zero
 *
 * Return: 0, -ENOTSUP for an algorithm or key length this file does not
 * implement, -EINVAL, -ENOMEM.
 */
int ike_v1_keys_new(uint16_t hash_alg, uint16_t encr_alg, uint16_t encr_keylen,
		    struct ike_v1_keys **out)
{
	const struct ike_v1_hash_info *h = ike_v1_hash_info(hash_alg);
	const struct ike_prop_alg *c = NULL;
	struct ike_v1_keys *k;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (encr_alg == IKE_V1_ENCR_AES_CBC && encr_keylen)
		c = ike_prop_alg_find(IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_CBC, encr_keylen);
	else if (encr_alg == IKE_V1_ENCR_3DES_CBC && (!encr_keylen || encr_keylen == 192))
		c = ike_prop_alg_find(IKEV2_TRANS_ENCR, IKEV2_ENCR_3DES, 0);
	if (!h || ike_prf_len(h->prf) != h->len || !c || c->mode != IKE_PROP_MODE_CBC ||
	    c->key_len > IKE_V1_ENCR_KEY_MAX || c->block_len > IKE_V1_BLOCK_MAX ||
	    c->block_len > h->len)
		return -ENOTSUP;
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->hash_alg = hash_alg;
	k->encr_alg = encr_alg;
	k->encr_keylen = encr_alg == IKE_V1_ENCR_AES_CBC ? encr_keylen : 0;
	k->prf_id = h->prf;
	k->md = h->md;
	k->cipher = c;
	k->hash_len = h->len;
	k->key_len = c->key_len;
	k->block_len = c->block_len;
	*out = k;
	return 0;
}

static bool ike_v1_nonces_ok(const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len)
{
	return ni && nr && ni_len && nr_len && ni_len <= IKE_V1_NONCE_MAX &&
	       nr_len <= IKE_V1_NONCE_MAX;
}

/* What HASH_I and HASH_R need; the keys need g^xy too (ike_v1_phase1_ok()). */
static bool ike_v1_phase1_public_ok(const struct ike_v1_phase1 *p1)
{
	return p1 && p1->cky_i && p1->cky_r && p1->gxi && p1->gxi_len && p1->gxr &&
	       p1->gxr_len && ike_v1_nonces_ok(p1->ni, p1->ni_len, p1->nr, p1->nr_len);
}

static bool ike_v1_phase1_ok(const struct ike_v1_phase1 *p1)
{
	return ike_v1_phase1_public_ok(p1) && p1->gxy && p1->gxy_len;
}

static int ike_v1_prf_k(const struct ike_v1_keys *k, const uint8_t *key,
			const struct ike_crypto_chunk *c, size_t n, uint8_t *out)
{
	return ike_prf_v(k->prf_id, key, k->hash_len, c, n, out);
}

/*
 * SKEYID (section 5). With a pre-shared key: prf(pre-shared-key, Ni_b |
 * Nr_b). With signatures: prf(Ni_b | Nr_b, g^xy), the nonces together
 * being the key.
 */
static int ike_v1_skeyid(struct ike_v1_keys *k, const struct ike_v1_phase1 *p1,
			 const uint8_t *psk, size_t psk_len)
{
	uint8_t nonces[2 * IKE_V1_NONCE_MAX];
	struct ike_crypto_chunk c[2];
	int ret;

	if (psk) {
		c[0] = (struct ike_crypto_chunk){ p1->ni, p1->ni_len };
		c[1] = (struct ike_crypto_chunk){ p1->nr, p1->nr_len };
		return ike_prf_v(k->prf_id, psk, psk_len, c, 2, k->skeyid);
	}
	memcpy(nonces, p1->ni, p1->ni_len);
	memcpy(nonces + p1->ni_len, p1->nr, p1->nr_len);
	c[0] = (struct ike_crypto_chunk){ p1->gxy, p1->gxy_len };
	ret = ike_prf_v(k->prf_id, nonces, p1->ni_len + p1->nr_len, c, 1, k->skeyid);
	OPENSSL_cleanse(nonces, sizeof(nonces));
	return ret;
}

/*
 * Appendix B: the key is the first octets of SKEYID_e when it is long
 * enough; otherwise of Ka = K1 | K2 | ..., K1 = prf(SKEYID_e, 0) with 0
 * a single zero octet, Kn+1 = prf(SKEYID_e, Kn).
 */
static int ike_v1_enc_key(struct ike_v1_keys *k)
{
	uint8_t prev[IKE_V1_HASH_MAX], t[IKE_V1_HASH_MAX];
	struct ike_crypto_chunk c = { ike_v1_octet, 1 };
	size_t done = 0, step;
	int ret = 0;

	if (k->hash_len >= k->key_len) {
		memcpy(k->enc_key, k->skeyid_e, k->key_len);
		return 0;
	}
	while (done < k->key_len) {
		ret = ike_v1_prf_k(k, k->skeyid_e, &c, 1, t);
		if (ret)
			break;
		step = k->key_len - done < k->hash_len ? k->key_len - done : k->hash_len;
		memcpy(k->enc_key + done, t, step);
		done += step;
		memcpy(prev, t, k->hash_len);
		c = (struct ike_crypto_chunk){ prev, k->hash_len };
	}
	OPENSSL_cleanse(prev, sizeof(prev));
	OPENSSL_cleanse(t, sizeof(t));
	return ret;
}

/**
 * ike_v1_keys_derive() - SKEYID, SKEYID_d/a/e, the encryption key and the
 *	Phase 1 IV after the key exchange (section 5, Appendix B)
 * @k: the key set from ike_v1_keys_new()
 * @p1: the exchanged values
 * @psk: the pre-shared key for authentication by pre-shared key; NULL for
 *	authentication by signatures
 * @psk_len: its length
 *
 * SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0),
 * SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1),
 * SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2), with 0, 1
 * and 2 single octets. The Phase 1 IV is hash(g^xi | g^xr) cut to the
 * block size. Any Phase 2 IV state from an earlier derivation is dropped.
 *
 * Return: 0, -EINVAL, -ENOTSUP or -EIO; on failure the keys are zero.
 */
int ike_v1_keys_derive(struct ike_v1_keys *k, const struct ike_v1_phase1 *p1,
		       const uint8_t *psk, size_t psk_len)
{
	struct ike_crypto_chunk c[5] = {
		{ NULL, 0 },
		{ p1 ? p1->gxy : NULL, p1 ? p1->gxy_len : 0 },
		{ p1 ? p1->cky_i : NULL, IKE_V1_COOKIE_LEN },
		{ p1 ? p1->cky_r : NULL, IKE_V1_COOKIE_LEN },
		{ NULL, 1 },
	};
	uint8_t iv[IKE_V1_HASH_MAX];
	int ret;

	if (!k || !ike_v1_phase1_ok(p1) || (psk && !psk_len))
		return -EINVAL;
	k->derived = false;
	ret = ike_v1_skeyid(k, p1, psk, psk_len);
	if (!ret) {
		c[4].ptr = &ike_v1_octet[0];
		ret = ike_v1_prf_k(k, k->skeyid, c + 1, 4, k->skeyid_d);
	}
	if (!ret) {
		c[0] = (struct ike_crypto_chunk){ k->skeyid_d, k->hash_len };
		c[4].ptr = &ike_v1_octet[1];
		ret = ike_v1_prf_k(k, k->skeyid, c, 5, k->skeyid_a);
	}
	if (!ret) {
		c[0] = (struct ike_crypto_chunk){ k->skeyid_a, k->hash_len };
		c[4].ptr = &ike_v1_octet[2];
		ret = ike_v1_prf_k(k, k->skeyid, c, 5, k->skeyid_e);
	}
	if (!ret)
		ret = ike_v1_enc_key(k);
	if (!ret) {
		c[0] = (struct ike_crypto_chunk){ p1->gxi, p1->gxi_len };
		c[1] = (struct ike_crypto_chunk){ p1->gxr, p1->gxr_len };
		ret = ike_v1_hash(k->hash_alg, c, 2, iv);
	}
	/* The Phase 2 IVs came from the old chain; a new one starts afresh. */
	OPENSSL_cleanse(k->qm, sizeof(k->qm));
	OPENSSL_cleanse(k->pending_iv, sizeof(k->pending_iv));
	k->pending = false;
	k->clock = 0;
	if (ret) {
		OPENSSL_cleanse(k->skeyid, sizeof(k->skeyid));
		OPENSSL_cleanse(k->skeyid_d, sizeof(k->skeyid_d));
		OPENSSL_cleanse(k->skeyid_a, sizeof(k->skeyid_a));
		OPENSSL_cleanse(k->skeyid_e, sizeof(k->skeyid_e));
		OPENSSL_cleanse(k->enc_key, sizeof(k->enc_key));
		OPENSSL_cleanse(k->p1_iv, sizeof(k->p1_iv));
		return ret;
	}
	memcpy(k->p1_iv, iv, k->block_len);
	k->derived = true;
	return 0;
}

/**
 * ike_v1_keys_free() - wipe and free an ISAKMP SA's keys
 * @k: the key set, or NULL
 */
void ike_v1_keys_free(struct ike_v1_keys *k)
{
	if (!k)
		return;
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}

/* ----------------------------------------------------------------------
 * HASH_I and HASH_R
 */

static int ike_v1_hash_ir(const struct ike_v1_keys *k, const struct ike_v1_phase1 *p1,
			  bool initiator, const uint8_t *sai_b, size_t sai_len,
			  const uint8_t *id_b, size_t id_len, uint8_t *out)
{
	struct ike_crypto_chunk c[6];

	if (!k || !k->derived || !ike_v1_phase1_public_ok(p1) || !sai_b || !sai_len || !id_b ||
	    !id_len || !out)
		return -EINVAL;
	/* The responder's hash names its own values first. */
	c[0] = (struct ike_crypto_chunk){ initiator ? p1->gxi : p1->gxr,
					  initiator ? p1->gxi_len : p1->gxr_len };
	c[1] = (struct ike_crypto_chunk){ initiator ? p1->gxr : p1->gxi,
					  initiator ? p1->gxr_len : p1->gxi_len };
	c[2] = (struct ike_crypto_chunk){ initiator ? p1->cky_i : p1->cky_r, IKE_V1_COOKIE_LEN };
	c[3] = (struct ike_crypto_chunk){ initiator ? p1->cky_r : p1->cky_i, IKE_V1_COOKIE_LEN };
	c[4] = (struct ike_crypto_chunk){ sai_b, sai_len };
	c[5] = (struct ike_crypto_chunk){ id_b, id_len };
	return ike_v1_prf_k(k, k->skeyid, c, 6, out);
}

/**
 * ike_v1_hash_i() - HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R |
 *	SAi_b | IDii_b) (section 5)
 * @k: the derived keys
 * @p1: the exchanged values
 * @sai_b: the initiator's SA payload body (the whole of it, every
 *	proposal offered, without the generic header), in Main and in
 *	Aggressive Mode alike
 * @sai_len: its length
 * @idii_b: the initiator's ID payload body
 * @idii_len: its length
 * @out: ike_v1_hash_len() octets; with signatures, what SIG_I signs
 *
 * Return: 0, -EINVAL or -EIO.
 */
int ike_v1_hash_i(const struct ike_v1_keys *k, const struct ike_v1_phase1 *p1,
		  const uint8_t *sai_b, size_t sai_len, const uint8_t *idii_b, size_t idii_len,
		  uint8_t *out)
{
	return ike_v1_hash_ir(k, p1, true, sai_b, sai_len, idii_b, idii_len, out);
}

/**
 * ike_v1_hash_r() - HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I |
 *	SAi_b | IDir_b) (section 5)
 * @k: the derived keys
 * @p1: the exchanged values
 * @sai_b: the *initiator's* SA payload body, as for ike_v1_hash_i()
 * @sai_len: its length
 * @idir_b: the responder's ID payload body
 * @idir_len: its length
 * @out: ike_v1_hash_len() octets; with signatures, what SIG_R signs
 *
 * Return: 0, -EINVAL or -EIO.
 */
int ike_v1_hash_r(const struct ike_v1_keys *k, const struct ike_v1_phase1 *p1,
		  const uint8_t *sai_b, size_t sai_len, const uint8_t *idir_b, size_t idir_len,
		  uint8_t *out)
{
	return ike_v1_hash_ir(k, p1, false, sai_b, sai_len, idir_b, idir_len, out);
}

/**
 * ike_v1_hash_check() - compare a received HASH with the computed one in
 *	constant time
 * @k: the keys (for the hash's length)
 * @want: the computed value, ike_v1_hash_len() octets
 * @got: the HASH payload's body as received
 * @got_len: its length
 *
 * Return: 0 when equal, -EBADMSG when not (a wrong length included).
 */
int ike_v1_hash_check(const struct ike_v1_keys *k, const uint8_t *want, const uint8_t *got,
		      size_t got_len)
{
	if (!k || !want || !got || got_len != k->hash_len)
		return -EBADMSG;
	return CRYPTO_memcmp(want, got, got_len) ? -EBADMSG : 0;
}

/* ----------------------------------------------------------------------
 * Encryption and IVs (Appendix B)
 *
 * ISAKMP messages carry no IV: each side keeps the chain. Phase 1 (Message
 * ID 0) starts from hash(g^xi | g^xr); every encrypted message, sent or
 * received, then leaves its last ciphertext block as the next message's IV.
 * A Quick Mode or Informational exchange with Message ID M starts from
 * hash(last Phase 1 CBC block | M) and chains the same way within itself,
 * leaving the Phase 1 chain alone.
 */

static int ike_v1_iv_slot(const struct ike_v1_keys *k, uint32_t msgid)
{
	int i;

	for (i = 0; i < IKE_V1_IV_SLOTS; i++)
		if (k->qm[i].stamp && k->qm[i].msgid == msgid)
			return i;
	return -1;
}

/* The IV the next message of exchange @msgid takes. */
static int ike_v1_iv_current(const struct ike_v1_keys *k, uint32_t msgid,
			     uint8_t iv[IKE_V1_BLOCK_MAX])
{
	uint8_t m[4], h[IKE_V1_HASH_MAX];
	struct ike_crypto_chunk c[2] = { { k->p1_iv, k->block_len }, { m, 4 } };
	int i, ret;

	if (!msgid) {
		memcpy(iv, k->p1_iv, k->block_len);
		return 0;
	}
	i = ike_v1_iv_slot(k, msgid);
	if (i >= 0) {
		memcpy(iv, k->qm[i].iv, k->block_len);
		return 0;
	}
	ike_v1_msgid_octets(msgid, m);
	ret = ike_v1_hash(k->hash_alg, c, 2, h);
	if (!ret)
		memcpy(iv, h, k->block_len);
	return ret;
}

/*
 * Moves exchange @msgid's chain on to @iv. A new Phase 2 exchange takes a
 * free slot or the one used longest ago: with as many exchanges at once as
 * there are slots, the oldest is the one most likely dead.
 */
static void ike_v1_iv_set(struct ike_v1_keys *k, uint32_t msgid, const uint8_t *iv)
{
	int i, j;

	if (!msgid) {
		memcpy(k->p1_iv, iv, k->block_len);
		return;
	}
	i = ike_v1_iv_slot(k, msgid);
	if (i < 0) {
		/* the smallest stamp; a free slot's 0 ends the search */
		for (i = 0, j = 1; j < IKE_V1_IV_SLOTS && k->qm[i].stamp; j++)
			if (k->qm[j].stamp < k->qm[i].stamp)
				i = j;
	}
	k->qm[i].msgid = msgid;
	k->qm[i].stamp = ++k->clock;
	memcpy(k->qm[i].iv, iv, k->block_len);
}

/**
 * ike_v1_padded_len() - the length of a message's encrypted part
 * @k: the keys
 * @plain_len: octets of payloads to encrypt
 *
 * RFC 2409 section 5.3: "Encrypted payloads are padded up to the nearest
 * block size. All padding bytes, except for the last one, contain 0x00.
 * The last byte of the padding contains the number of the padding bytes
 * used, excluding the last one. Note that this means there will always be
 * padding." So 1 to a whole block of padding follows the payloads.
 * Appendix B's zero padding is the same but for the count; receivers
 * ignore what follows the last payload either way. The ISAKMP header's
 * Length counts the padding, so the codec needs this before encrypting.
 *
 * Return: @plain_len plus the padding.
 */
size_t ike_v1_padded_len(const struct ike_v1_keys *k, size_t plain_len)
{
	return (plain_len / k->block_len + 1) * k->block_len;
}

/**
 * ike_v1_encrypt() - pad and encrypt a message's payloads
 * @k: the derived keys
 * @msgid: the message's Message ID: 0 in Phase 1 (Main or Aggressive
 *	Mode), the exchange's in Quick Mode and Informational exchanges
 * @plain: the octets after the 28-octet ISAKMP header; may be @out
 * @plain_len: their length
 * @out: the ciphertext, ike_v1_padded_len() octets
 * @room: space at @out
 * @out_len: set to ike_v1_padded_len()
 *
 * Pads as ike_v1_padded_len() says, encrypts with the exchange's current
 * IV and moves the exchange's chain on to the last ciphertext block. A
 * message retransmitted must be resent as sent, not encrypted again.
 *
 * Return: 0, -EINVAL, -ENOSPC, -EIO; on failure no plaintext is left in
 * @out and the IV does not change.
 */
int ike_v1_encrypt(struct ike_v1_keys *k, uint32_t msgid, const uint8_t *plain,
		   size_t plain_len, uint8_t *out, size_t room, size_t *out_len)
{
	uint8_t iv[IKE_V1_BLOCK_MAX];
	size_t len;
	int ret;

	if (!k || !k->derived || (!plain && plain_len) || !out || !out_len ||
	    plain_len > SIZE_MAX / 2)
		return -EINVAL;
	len = ike_v1_padded_len(k, plain_len);
	if (room < len)
		return -ENOSPC;
	ret = ike_v1_iv_current(k, msgid, iv);
	if (ret)
		return ret;
	if (plain_len)
		memmove(out, plain, plain_len);
	memset(out + plain_len, 0, len - plain_len - 1);
	out[len - 1] = (uint8_t)(len - plain_len - 1);
	ret = ike_sk_cipher(k->cipher, k->enc_key, iv, out, len, 1);
	if (ret) {
		OPENSSL_cleanse(out, len);
		return ret;
	}
	/* A message of this exchange decrypted but not confirmed is now stale. */
	if (k->pending && k->pending_msgid == msgid)
		k->pending = false;
	ike_v1_iv_set(k, msgid, out + len - k->block_len);
	*out_len = len;
	return 0;
}

/**
 * ike_v1_decrypt() - decrypt a received message's payloads
 * @k: the derived keys
 * @msgid: the Message ID from the message's header
 * @in: the octets after the 28-octet ISAKMP header
 * @len: their length, which must be a whole number of blocks
 * @out: @len octets of plaintext, payloads then padding; may be @in
 *
 * Decrypts with the exchange's current IV, which does not move yet: the
 * message's last ciphertext block waits for ike_v1_iv_confirm(), to be
 * called once the message has proved itself by its HASH. A forged or
 * corrupted message thus leaves the chain where the real one needs it.
 * The padding stays in @out: peers pad as Appendix B or section 5.3 say,
 * the payloads' own lengths tell where they end. A retransmitted message
 * must be recognised by its bytes before it gets here, since the chain
 * has moved past it.
 *
 * Return: 0; -EBADMSG when @len is zero or not a multiple of the cipher's
 * block size (the only -EBADMSG: CBC alone cannot tell a forged message),
 * -EINVAL, -EIO. On failure no plaintext is left in @out.
 */
int ike_v1_decrypt(struct ike_v1_keys *k, uint32_t msgid, const uint8_t *in, size_t len,
		   uint8_t *out)
{
	uint8_t iv[IKE_V1_BLOCK_MAX], last[IKE_V1_BLOCK_MAX];
	int ret;

	if (!k || !k->derived || !in || !out)
		return -EINVAL;
	if (!len || len % k->block_len)
		return -EBADMSG;
	ret = ike_v1_iv_current(k, msgid, iv);
	if (ret)
		return ret;
	/* Taken before @out, which may be @in, is overwritten. */
	memcpy(last, in + len - k->block_len, k->block_len);
	if (out != in)
		memmove(out, in, len);
	ret = ike_sk_cipher(k->cipher, k->enc_key, iv, out, len, 0);
	if (ret) {
		OPENSSL_cleanse(out, len);
		return ret;
	}
	k->pending = true;
	k->pending_msgid = msgid;
	memcpy(k->pending_iv, last, k->block_len);
	return 0;
}

/**
 * ike_v1_iv_confirm() - accept the message ike_v1_decrypt() decrypted last
 * @k: the keys
 * @msgid: its Message ID
 *
 * Moves the exchange's chain on to that message's last ciphertext block,
 * as Appendix B asks of every message received.
 *
 * Return: 0, or -ENOENT when the last message decrypted (and not yet
 * confirmed) was not of exchange @msgid.
 */
int ike_v1_iv_confirm(struct ike_v1_keys *k, uint32_t msgid)
{
	if (!k || !k->pending || k->pending_msgid != msgid)
		return -ENOENT;
	ike_v1_iv_set(k, msgid, k->pending_iv);
	k->pending = false;
	OPENSSL_cleanse(k->pending_iv, sizeof(k->pending_iv));
	return 0;
}

/**
 * ike_v1_iv_get() - the IV the next message of an exchange takes
 * @k: the derived keys
 * @msgid: the exchange's Message ID, 0 for Phase 1
 * @iv: block-size octets
 *
 * For a Message ID without state this is the first IV it would take,
 * hash(last Phase 1 CBC block | M-ID); nothing is stored.
 *
 * Return: 0, -EINVAL, -EIO.
 */
int ike_v1_iv_get(const struct ike_v1_keys *k, uint32_t msgid, uint8_t *iv)
{
	if (!k || !k->derived || !iv)
		return -EINVAL;
	return ike_v1_iv_current(k, msgid, iv);
}

/**
 * ike_v1_iv_forget() - drop a finished Phase 2 exchange's IV state
 * @k: the keys
 * @msgid: its Message ID; 0 (Phase 1's chain, which Phase 2 needs) is
 *	ignored
 *
 * Once a Quick Mode or an Informational exchange is over its slot can go;
 * if the Message ID came again it would start from Phase 1's IV anew.
 */
void ike_v1_iv_forget(struct ike_v1_keys *k, uint32_t msgid)
{
	int i;

	if (!k || !msgid)
		return;
	i = ike_v1_iv_slot(k, msgid);
	if (i >= 0)
		OPENSSL_cleanse(&k->qm[i], sizeof(k->qm[i]));
	if (k->pending && k->pending_msgid == msgid) {
		k->pending = false;
		OPENSSL_cleanse(k->pending_iv, sizeof(k->pending_iv));
	}
}

/* ----------------------------------------------------------------------
 * Quick Mode and Informational exchanges
 */

/* prf(SKEYID_a, [0 |] M-ID | pieces...) */
static int ike_v1_hash_a(const struct ike_v1_keys *k, bool zero, uint32_t msgid,
			 const struct ike_crypto_chunk *rest, size_t n, uint8_t *out)
{
	struct ike_crypto_chunk c[5];
	uint8_t m[4];
	size_t i;

	if (!k || !k->derived || !out || n + 2 > sizeof(c) / sizeof(c[0]))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!rest[i].ptr || !rest[i].len)
			return -EINVAL;
	ike_v1_msgid_octets(msgid, m);
	c[0] = (struct ike_crypto_chunk){ ike_v1_octet, zero ? 1 : 0 };
	c[1] = (struct ike_crypto_chunk){ m, 4 };
	memcpy(c + 2, rest, n * sizeof(*rest));
	return ike_v1_prf_k(k, k->skeyid_a, c, n + 2, out);
}

/**
 * ike_v1_qm_hash1() - HASH(1) = prf(SKEYID_a, M-ID | the rest) (section 5.5)
 * @k: the derived keys
 * @msgid: the Quick Mode exchange's Message ID (hashed as its 4 octets on
 *	the wire)
 * @rest: the plaintext message from the payload after HASH(1), its
 *	generic header included, to the end of the last payload (padding
 *	excluded)
 * @rest_len: its length
 * @out: ike_v1_hash_len() octets
 *
 * Return: 0, -EINVAL or -EIO.
 */
int ike_v1_qm_hash1(const struct ike_v1_keys *k, uint32_t msgid, const uint8_t *rest,
		    size_t rest_len, uint8_t *out)
{
	struct ike_crypto_chunk c = { rest, rest_len };

	return ike_v1_hash_a(k, false, msgid, &c, 1, out);
}

/**
 * ike_v1_qm_hash2() - HASH(2) = prf(SKEYID_a, M-ID | Ni_b | the rest)
 *	(section 5.5)
 * @k: the derived keys
 * @msgid: the Quick Mode exchange's Message ID
 * @ni: the initiator's Quick Mode Nonce payload body, Ni_b
 * @ni_len: its length
 * @rest: the responder's message from the payload after HASH(2) on, as
 *	for ike_v1_qm_hash1()
 * @rest_len: its length
 * @out: ike_v1_hash_len() octets
 *
 * Return: 0, -EINVAL or -EIO.
 */
int ike_v1_qm_hash2(const struct ike_v1_keys *k, uint32_t msgid, const uint8_t *ni,
		    size_t ni_len, const uint8_t *rest, size_t rest_len, uint8_t *out)
{
	struct ike_crypto_chunk c[2] = { { ni, ni_len }, { rest, rest_len } };

	return ike_v1_hash_a(k, false, msgid, c, 2, out);
}

/**
 * ike_v1_qm_hash3() - HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b)
 *	(section 5.5), 0 being a single zero octet
 * @k: the derived keys
 * @msgid: the Quick Mode exchange's Message ID
 * @ni: the initiator's Quick Mode nonce body
 * @ni_len: its length
 * @nr: the responder's
 * @nr_len: its length
 * @out: ike_v1_hash_len() octets
 *
 * Return: 0, -EINVAL or -EIO.
 */
int ike_v1_qm_hash3(const struct ike_v1_keys *k, uint32_t msgid, const uint8_t *ni,
		    size_t ni_len, const uint8_t *nr, size_t nr_len, uint8_t *out)
{
	struct ike_crypto_chunk c[2] = { { ni, ni_len }, { nr, nr_len } };

	return ike_v1_hash_a(k, true, msgid, c, 2, out);
}

/**
 * ike_v1_info_hash() - an Informational exchange's HASH = prf(SKEYID_a,
 *	M-ID | N/D) (section 5.7)
 * @k: the derived keys
 * @msgid: the exchange's Message ID
 * @payloads: the Notification or Delete payload(s) after the HASH
 *	payload, generic headers included, padding excluded
 * @len: their length
 * @out: ike_v1_hash_len() octets
 *
 * Return: 0, -EINVAL or -EIO.
 */
int ike_v1_info_hash(const struct ike_v1_keys *k, uint32_t msgid, const uint8_t *payloads,
		     size_t len, uint8_t *out)
{
	struct ike_crypto_chunk c = { payloads, len };

	return ike_v1_hash_a(k, false, msgid, &c, 1, out);
}

/**
 * ike_v1_keymat() - KEYMAT of one IPsec SA (section 5.5)
 * @k: the derived keys
 * @gqm: with PFS, Quick Mode's shared secret g(qm)^xy; NULL without
 * @gqm_len: its length, 0 without PFS
 * @protocol: the Protocol-ID of the negotiated proposal (2 AH, 3 ESP)
 * @spi: the SPI of *this* SA, as on the wire: the one its destination
 *	chose (see ike_v1_keymat_sa_pair())
 * @spi_len: its length (4 for AH and ESP)
 * @ni: the initiator's Quick Mode Nonce payload body
 * @ni_len: its length
 * @nr: the responder's
 * @nr_len: its length
 * @out: the output: the encryption key first, then the integrity key, in
 *	the order the kernel takes them
 * @len: octets wanted, at most IKE_V1_KEYMAT_MAX
 *
 * KEYMAT = K1 | K2 | ..., K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI |
 * Ni_b | Nr_b), Kn+1 = prf(SKEYID_d, Kn | [g(qm)^xy |] protocol | SPI |
 * Ni_b | Nr_b).
 *
 * Return: 0, -EINVAL or -EIO; on failure @out is zero.
 */
int ike_v1_keymat(const struct ike_v1_keys *k, const uint8_t *gqm, size_t gqm_len,
		  uint8_t protocol, const uint8_t *spi, size_t spi_len, const uint8_t *ni,
		  size_t ni_len, const uint8_t *nr, size_t nr_len, uint8_t *out, size_t len)
{
	struct ike_crypto_chunk c[6] = {
		{ NULL, 0 }, { gqm, gqm ? gqm_len : 0 }, { &protocol, 1 }, { spi, spi_len },
		{ ni, ni_len }, { nr, nr_len },
	};
	uint8_t prev[IKE_V1_HASH_MAX], t[IKE_V1_HASH_MAX];
	size_t done = 0, step;
	int ret = 0;

	if (!k || !k->derived || (gqm && !gqm_len) || !spi || !spi_len ||
	    !ike_v1_nonces_ok(ni, ni_len, nr, nr_len) || !out || !len || len > IKE_V1_KEYMAT_MAX)
		return -EINVAL;
	while (done < len) {
		ret = ike_v1_prf_k(k, k->skeyid_d, c, 6, t);
		if (ret)
			break;
		step = len - done < k->hash_len ? len - done : k->hash_len;
		memcpy(out + done, t, step);
		done += step;
		memcpy(prev, t, k->hash_len);
		c[0] = (struct ike_crypto_chunk){ prev, k->hash_len };
	}
	OPENSSL_cleanse(prev, sizeof(prev));
	OPENSSL_cleanse(t, sizeof(t));
	if (ret)
		OPENSSL_cleanse(out, len);
	return ret;
}

/**
 * ike_v1_keymat_sa_pair() - KEYMAT of both IPsec SAs a Quick Mode made
 * @k: the derived keys
 * @gqm: g(qm)^xy with PFS, else NULL
 * @gqm_len: its length
 * @protocol: the Protocol-ID (2 AH, 3 ESP)
 * @spi_i: the SPI in the initiator's proposal (QM message 1)
 * @spi_r: the SPI in the responder's proposal (QM message 2)
 * @ni: the initiator's Quick Mode nonce body
 * @ni_len: its length
 * @nr: the responder's
 * @nr_len: its length
 * @i2r: KEYMAT of the SA from initiator to responder
 * @r2i: KEYMAT of the SA from responder to initiator
 * @len: octets of each
 *
 * Section 5.5: "The SPI chosen by the destination of the SA is used to
 * derive KEYMAT for that SA." So the initiator-to-responder SA (the
 * initiator's outbound, the responder's inbound) is keyed with @spi_r,
 * and the responder-to-initiator SA (the initiator's inbound, the
 * responder's outbound) with @spi_i. Each side keys its inbound SA with
 * the SPI it chose and its outbound SA with the peer's.
 *
 * Return: 0, -EINVAL or -EIO; on failure both outputs are zero.
 */
int ike_v1_keymat_sa_pair(const struct ike_v1_keys *k, const uint8_t *gqm, size_t gqm_len,
			  uint8_t protocol, const uint8_t spi_i[4], const uint8_t spi_r[4],
			  const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
			  uint8_t *i2r, uint8_t *r2i, size_t len)
{
	int ret;

	ret = ike_v1_keymat(k, gqm, gqm_len, protocol, spi_r, 4, ni, ni_len, nr, nr_len, i2r,
			    len);
	if (ret)
		return ret;
	ret = ike_v1_keymat(k, gqm, gqm_len, protocol, spi_i, 4, ni, ni_len, nr, nr_len, r2i,
			    len);
	if (ret)
		OPENSSL_cleanse(i2r, len);
	return ret;
}

/* ----------------------------------------------------------------------
 * NAT-D
 */

/**
 * ike_v1_natd() - a NAT-D payload's data: HASH(CKY-I | CKY-R | IP | Port)
 *	(RFC 3947 section 3.2)
 * @hash_alg: the Phase 1 SA's negotiated hash; NAT-D goes in Main Mode's
 *	messages 3 and 4, before any key exists
 * @cky_i: the initiator's cookie
 * @cky_r: the responder's cookie
 * @addr: the address and port (AF_INET or AF_INET6)
 * @out: ike_v1_hash_len() octets
 *
 * Return: 0, -EINVAL for another address family, -ENOTSUP, -EIO.
 */
int ike_v1_natd(uint16_t hash_alg, const uint8_t cky_i[IKE_V1_COOKIE_LEN],
		const uint8_t cky_r[IKE_V1_COOKIE_LEN], const struct sockaddr_storage *addr,
		uint8_t *out)
{
	struct ike_crypto_chunk c[4] = {
		{ cky_i, IKE_V1_COOKIE_LEN }, { cky_r, IKE_V1_COOKIE_LEN },
	};
	int ret;

	if (!cky_i || !cky_r || !out)
		return -EINVAL;
	ret = ike_crypto_sockaddr(addr, &c[2], &c[3]);
	return ret ? ret : ike_v1_hash(hash_alg, c, 4, out);
}

/* ----------------------------------------------------------------------
 * RSA signatures
 *
 * Section 5.1 has SIG_I and SIG_R be the signature of HASH_I and HASH_R.
 * For RSA that has always meant PKCS#1 v1.5 block type 1 over the hash
 * itself, with no DigestInfo around it (the hash is a prf output, not a
 * digest with an OID): OpenSSL's EVP_PKEY_sign() without a signature
 * digest.
 */

static EVP_PKEY_CTX *ike_v1_rsa_ctx(EVP_PKEY *key, bool sign)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);

	if (ctx && (sign ? EVP_PKEY_sign_init(ctx) : EVP_PKEY_verify_init(ctx)) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1)
		return ctx;
	EVP_PKEY_CTX_free(ctx);
	return NULL;
}

/**
 * ike_v1_rsa_sign() - SIG_I or SIG_R with an RSA key
 * @key: this end's private key
 * @hash: HASH_I or HASH_R
 * @hash_len: its length
 * @sig: the signature's output
 * @sig_len: in: room at @sig; out: the modulus' length, which the
 *	signature always has
 *
 * Return: 0, -ENOTSUP for a key that is not RSA, -EINVAL (also for a hash
 * too long for the modulus), -ENOSPC, -EIO.
 */
int ike_v1_rsa_sign(EVP_PKEY *key, const uint8_t *hash, size_t hash_len, uint8_t *sig,
		    size_t *sig_len)
{
	EVP_PKEY_CTX *ctx;
	size_t need, got;
	int ret = -EIO;

	if (!key || !hash || !hash_len || !sig || !sig_len)
		return -EINVAL;
	if (!EVP_PKEY_is_a(key, "RSA"))
		return -ENOTSUP;
	need = EVP_PKEY_get_size(key) > 0 ? (size_t)EVP_PKEY_get_size(key) : 0;
	/* Block type 1 needs 00 01, at least eight FF and a 00 around the hash. */
	if (hash_len + 11 > need)
		return -EINVAL;
	if (*sig_len < need)
		return -ENOSPC;
	ctx = ike_v1_rsa_ctx(key, true);
	got = *sig_len;
	if (ctx && EVP_PKEY_sign(ctx, sig, &got, hash, hash_len) == 1 && got == need) {
		*sig_len = got;
		ret = 0;
	}
	EVP_PKEY_CTX_free(ctx);
	if (ret)
		ERR_clear_error();
	return ret;
}

/**
 * ike_v1_rsa_verify() - check a peer's SIG_I or SIG_R
 * @key: the peer's public key, from its certificate
 * @hash: the HASH_I or HASH_R computed here
 * @hash_len: its length
 * @sig: the SIG payload's body
 * @sig_len: its length, which must be the modulus' length
 *
 * Return: 0 when it verifies, -EBADMSG when not, -ENOTSUP for a key that
 * is not RSA, -EINVAL, -EIO.
 */
int ike_v1_rsa_verify(EVP_PKEY *key, const uint8_t *hash, size_t hash_len, const uint8_t *sig,
		      size_t sig_len)
{
	EVP_PKEY_CTX *ctx;
	int ret, v;

	if (!key || !hash || !hash_len)
		return -EINVAL;
	if (!EVP_PKEY_is_a(key, "RSA"))
		return -ENOTSUP;
	if (!sig || EVP_PKEY_get_size(key) <= 0 || sig_len != (size_t)EVP_PKEY_get_size(key))
		return -EBADMSG;
	ctx = ike_v1_rsa_ctx(key, false);
	if (!ctx)
		return -EIO;
	/* 1: the recovered block is 00 01 FF.. 00 | hash exactly; else a mismatch */
	v = EVP_PKEY_verify(ctx, sig, sig_len, hash, hash_len);
	ret = v == 1 ? 0 : -EBADMSG;
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return ret;
}
