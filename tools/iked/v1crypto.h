/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKEv1's cryptography (RFC 2409 IKE over RFC 2408 ISAKMP, RFC 3947 NAT-T)
 * on OpenSSL 3's libcrypto: SKEYID and its children (section 5), the
 * Phase 1 encryption key (Appendix B), HASH_I and HASH_R (section 5),
 * ISAKMP's CBC encryption with its chained IVs (Appendix B), Quick Mode's
 * HASH(1..3) and KEYMAT (section 5.5), the Informational HASH (section
 * 5.7), NAT-D (RFC 3947 section 3.2) and RSA signatures (section 5.1).
 *
 * Everything works on byte strings as they are on the wire: payload
 * bodies without their generic headers (SAi_b, IDii_b, Ni_b, ...), KE
 * data as the payload carries it, and the octets after the 28-octet
 * ISAKMP header. The message codec (v1msg.c) and the exchanges are
 * elsewhere. IKEv1's Diffie-Hellman groups have the numbers IKEv2 uses,
 * so ike_dh_new() and ike_dh_derive() of crypto.h give g^xi, g^xr and
 * g^xy.
 *
 * Functions return 0 on success and a negative errno: -EINVAL for bad
 * arguments, -EBADMSG for a peer's message or signature that is malformed
 * or does not verify, -ENOTSUP for an algorithm this file does not
 * implement, -ENOSPC for a short output buffer, -ENOENT for no such IV
 * state, -ENOMEM, and -EIO when OpenSSL fails otherwise.
 */
#ifndef VEIL_IKED_V1CRYPTO_H
#define VEIL_IKED_V1CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <openssl/types.h>

#include "crypto.h"

#define IKE_V1_COOKIE_LEN	8	/* CKY-I, CKY-R */
#define IKE_V1_HASH_MAX		64	/* SHA2-512: SKEYID*, HASH_*, NAT-D */
#define IKE_V1_BLOCK_MAX	16	/* AES; 3DES has 8 */
#define IKE_V1_ENCR_KEY_MAX	32	/* AES-256; 3DES has 24 */
#define IKE_V1_NONCE_MAX	256	/* RFC 2409 section 5: 8 to 256 octets */
#define IKE_V1_KEYMAT_MAX	1024	/* far more than any ESP or AH SA needs */
/* Quick Mode and Informational exchanges whose IVs are kept at once */
#define IKE_V1_IV_SLOTS		16

/* Phase 1 Hash Algorithm attribute (class 2) values, RFC 2409 Appendix A */
enum ike_v1_hash_alg {
	IKE_V1_HASH_MD5		= 1,
	IKE_V1_HASH_SHA		= 2,
	IKE_V1_HASH_SHA2_256	= 4,	/* RFC 4868's numbers, IANA's registry */
	IKE_V1_HASH_SHA2_384	= 5,
	IKE_V1_HASH_SHA2_512	= 6,
};

/* Phase 1 Encryption Algorithm attribute (class 1) values */
enum ike_v1_encr_alg {
	IKE_V1_ENCR_3DES_CBC	= 5,
	IKE_V1_ENCR_AES_CBC	= 7,	/* RFC 3602; needs a Key Length */
};

/**
 * struct ike_v1_phase1 - what Phase 1 exchanged, as the peers sent it
 * @cky_i: the initiator's cookie, IKE_V1_COOKIE_LEN octets
 * @cky_r: the responder's cookie
 * @gxi: the initiator's KE payload data, g^xi
 * @gxi_len: its length
 * @gxr: the responder's KE payload data, g^xr
 * @gxr_len: its length
 * @gxy: the shared secret g^xy, as ike_dh_derive() gives it
 * @gxy_len: its length
 * @ni: the initiator's Nonce payload body, Ni_b
 * @ni_len: its length
 * @nr: the responder's, Nr_b
 * @nr_len: its length
 *
 * Only pointers: the caller keeps the bytes. Both ends fill it the same
 * way, whichever of them they are. HASH_I and HASH_R do without @gxy, so
 * that g^xy need not outlive the key derivation.
 */
struct ike_v1_phase1 {
	const uint8_t *cky_i;
	const uint8_t *cky_r;
	const uint8_t *gxi;
	size_t gxi_len;
	const uint8_t *gxr;
	size_t gxr_len;
	const uint8_t *gxy;
	size_t gxy_len;
	const uint8_t *ni;
	size_t ni_len;
	const uint8_t *nr;
	size_t nr_len;
};

/**
 * struct ike_v1_iv - the CBC IV state of one Quick Mode or Informational
 *	exchange
 * @msgid: its Message ID
 * @stamp: when it was last used, for reusing the oldest slot; 0 when free
 * @iv: the IV its next message is encrypted or decrypted with
 */
struct ike_v1_iv {
	uint32_t msgid;
	uint64_t stamp;
	uint8_t iv[IKE_V1_BLOCK_MAX];
};

/**
 * struct ike_v1_keys - an ISAKMP SA's algorithms, keys and IVs
 * @hash_alg: the negotiated enum ike_v1_hash_alg; prf is HMAC with it
 * @encr_alg: the negotiated enum ike_v1_encr_alg
 * @encr_keylen: its Key Length attribute in bits (AES), 0 for 3DES
 * @prf_id: the IKEv2 PRF with the same HMAC, through which crypto.c
 *	computes prf
 * @md: OpenSSL's name of the hash
 * @cipher: crypto.c's table entry of the cipher
 * @hash_len: octets of the hash and of prf's output: of SKEYID, SKEYID_d,
 *	SKEYID_a, SKEYID_e, HASH_I, HASH_R, HASH(1..3) and NAT-D
 * @key_len: octets of @enc_key
 * @block_len: the cipher's block, the IV's and the padding's unit
 * @derived: whether ike_v1_keys_derive() filled the keys
 * @skeyid: SKEYID, keying HASH_I and HASH_R
 * @skeyid_d: SKEYID_d, keying the IPsec SAs' KEYMAT
 * @skeyid_a: SKEYID_a, keying Phase 2's and Informational HASHes
 * @skeyid_e: SKEYID_e, from which @enc_key comes
 * @enc_key: the ISAKMP SA's encryption key
 * @p1_iv: the Phase 1 exchange's IV: first hash(g^xi | g^xr), then the
 *	last ciphertext block of its latest encrypted message; Phase 2 IVs
 *	start from it
 * @qm: the IVs of Quick Mode and Informational exchanges, by Message ID
 * @clock: the last @stamp handed out
 * @pending: ike_v1_decrypt() has left an IV for ike_v1_iv_confirm()
 * @pending_msgid: the Message ID of that message
 * @pending_iv: the last ciphertext block of that message
 *
 * Allocated by ike_v1_keys_new() once Phase 1's SA is chosen, filled by
 * ike_v1_keys_derive() after the key exchange, wiped and freed by
 * ike_v1_keys_free().
 */
struct ike_v1_keys {
	uint16_t hash_alg;
	uint16_t encr_alg;
	uint16_t encr_keylen;
	uint16_t prf_id;
	const char *md;
	const struct ike_prop_alg *cipher;
	size_t hash_len;
	size_t key_len;
	size_t block_len;
	bool derived;
	uint8_t skeyid[IKE_V1_HASH_MAX];
	uint8_t skeyid_d[IKE_V1_HASH_MAX];
	uint8_t skeyid_a[IKE_V1_HASH_MAX];
	uint8_t skeyid_e[IKE_V1_HASH_MAX];
	uint8_t enc_key[IKE_V1_ENCR_KEY_MAX];
	uint8_t p1_iv[IKE_V1_BLOCK_MAX];
	struct ike_v1_iv qm[IKE_V1_IV_SLOTS];
	uint64_t clock;
	bool pending;
	uint32_t pending_msgid;
	uint8_t pending_iv[IKE_V1_BLOCK_MAX];
};

/* --- hash and prf --- */

size_t ike_v1_hash_len(uint16_t hash_alg);
int ike_v1_hash(uint16_t hash_alg, const struct ike_crypto_chunk *c, size_t n, uint8_t *out);
int ike_v1_prf(uint16_t hash_alg, const uint8_t *key, size_t klen,
	       const struct ike_crypto_chunk *c, size_t n, uint8_t *out);

/* --- Phase 1 keys (section 5, Appendix B) --- */

int ike_v1_keys_new(uint16_t hash_alg, uint16_t encr_alg, uint16_t encr_keylen,
		    struct ike_v1_keys **out);
int ike_v1_keys_derive(struct ike_v1_keys *k, const struct ike_v1_phase1 *p1,
		       const uint8_t *psk, size_t psk_len);
void ike_v1_keys_free(struct ike_v1_keys *k);

/* --- HASH_I and HASH_R (section 5) --- */

int ike_v1_hash_i(const struct ike_v1_keys *k, const struct ike_v1_phase1 *p1,
		  const uint8_t *sai_b, size_t sai_len, const uint8_t *idii_b, size_t idii_len,
		  uint8_t *out);
int ike_v1_hash_r(const struct ike_v1_keys *k, const struct ike_v1_phase1 *p1,
		  const uint8_t *sai_b, size_t sai_len, const uint8_t *idir_b, size_t idir_len,
		  uint8_t *out);
int ike_v1_hash_check(const struct ike_v1_keys *k, const uint8_t *want, const uint8_t *got,
		      size_t got_len);

/* --- Encryption and IVs (Appendix B) --- */

size_t ike_v1_padded_len(const struct ike_v1_keys *k, size_t plain_len);
int ike_v1_encrypt(struct ike_v1_keys *k, uint32_t msgid, const uint8_t *plain,
		   size_t plain_len, uint8_t *out, size_t room, size_t *out_len);
int ike_v1_decrypt(struct ike_v1_keys *k, uint32_t msgid, const uint8_t *in, size_t len,
		   uint8_t *out);
int ike_v1_iv_confirm(struct ike_v1_keys *k, uint32_t msgid);
int ike_v1_iv_get(const struct ike_v1_keys *k, uint32_t msgid, uint8_t *iv);
void ike_v1_iv_forget(struct ike_v1_keys *k, uint32_t msgid);

/* --- Quick Mode (section 5.5) and Informational (section 5.7) --- */

int ike_v1_qm_hash1(const struct ike_v1_keys *k, uint32_t msgid, const uint8_t *rest,
		    size_t rest_len, uint8_t *out);
int ike_v1_qm_hash2(const struct ike_v1_keys *k, uint32_t msgid, const uint8_t *ni,
		    size_t ni_len, const uint8_t *rest, size_t rest_len, uint8_t *out);
int ike_v1_qm_hash3(const struct ike_v1_keys *k, uint32_t msgid, const uint8_t *ni,
		    size_t ni_len, const uint8_t *nr, size_t nr_len, uint8_t *out);
int ike_v1_info_hash(const struct ike_v1_keys *k, uint32_t msgid, const uint8_t *payloads,
		     size_t len, uint8_t *out);
int ike_v1_keymat(const struct ike_v1_keys *k, const uint8_t *gqm, size_t gqm_len,
		  uint8_t protocol, const uint8_t *spi, size_t spi_len, const uint8_t *ni,
		  size_t ni_len, const uint8_t *nr, size_t nr_len, uint8_t *out, size_t len);
int ike_v1_keymat_sa_pair(const struct ike_v1_keys *k, const uint8_t *gqm, size_t gqm_len,
			  uint8_t protocol, const uint8_t spi_i[4], const uint8_t spi_r[4],
			  const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
			  uint8_t *i2r, uint8_t *r2i, size_t len);

/* --- NAT-D (RFC 3947 section 3.2) --- */

int ike_v1_natd(uint16_t hash_alg, const uint8_t cky_i[IKE_V1_COOKIE_LEN],
		const uint8_t cky_r[IKE_V1_COOKIE_LEN], const struct sockaddr_storage *addr,
		uint8_t *out);

/* --- RSA signatures (section 5.1) --- */

int ike_v1_rsa_sign(EVP_PKEY *key, const uint8_t *hash, size_t hash_len, uint8_t *sig,
		    size_t *sig_len);
int ike_v1_rsa_verify(EVP_PKEY *key, const uint8_t *hash, size_t hash_len, const uint8_t *sig,
		      size_t sig_len);

#endif /* VEIL_IKED_V1CRYPTO_H */
