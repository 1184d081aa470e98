/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IKE SA's cryptography on OpenSSL 3's libcrypto: key exchange, PRF and
 * prf+, the key schedule of RFC 7296 sections 2.14, 2.17 and 2.18, the SK
 * payload's protection (section 3.14, RFC 5282, RFC 7634), PSK
 * authentication (section 2.15), NAT detection (2.23) and cookies (2.6).
 *
 * Functions return 0 (or a length) on success and a negative errno:
 * -EINVAL for bad arguments or a peer's invalid value, -EBADMSG for a
 * message that fails authentication or is malformed, -ENOTSUP for an
 * algorithm this file does not implement, -ENOSPC for a short output
 * buffer, -ENOMEM, and -EIO when OpenSSL fails otherwise.
 */
#ifndef VEIL_IKED_CRYPTO_H
#define VEIL_IKED_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ikev2.h"
#include "proposal.h"

#define IKE_CRYPTO_NATD_LEN		20	/* SHA-1 */
#define IKE_CRYPTO_COOKIE_SECRET_LEN	32
#define IKE_CRYPTO_COOKIE_LEN		(4 + 32)	/* version | SHA-256 */
#define IKE_CRYPTO_NONCE_MAX		256	/* RFC 7296 section 3.9 */
#define IKE_PRF_MAX			64	/* largest PRF output and key */
#define IKE_DH_PUBLIC_MAX		1024	/* MODP8192 */
#define IKE_SK_KEY_MAX			64	/* SK_d, SK_a*, SK_p* */
#define IKE_SK_ENCR_KEY_MAX		36	/* AES-256 or ChaCha20 and a salt */

/**
 * struct ike_crypto_chunk - a piece of a PRF's, a digest's or a MAC's input,
 *	which IKE always concatenates from several fields
 * @ptr: the bytes; may be NULL when @len is 0
 * @len: their length
 */
struct ike_crypto_chunk {
	const uint8_t *ptr;
	size_t len;
};

int ike_crypto_random(void *buf, size_t len);
int ike_crypto_digest(const char *name, const struct ike_crypto_chunk *c, size_t n,
		      uint8_t *out, size_t len);
int ike_crypto_sockaddr(const struct sockaddr_storage *ss, struct ike_crypto_chunk *addr,
			struct ike_crypto_chunk *port);

/* --- Key exchange (transform type 4) --- */

struct ike_dh;

size_t ike_dh_public_len(uint16_t group);
size_t ike_dh_secret_len(uint16_t group);
bool ike_dh_supported(uint16_t group);
struct ike_dh *ike_dh_new(uint16_t group);
struct ike_dh *ike_dh_new_keypair(uint16_t group, const uint8_t *priv, size_t privlen,
				  const uint8_t *pub, size_t publen);
uint16_t ike_dh_group(const struct ike_dh *dh);
int ike_dh_public(const struct ike_dh *dh, uint8_t *out, size_t *len);
int ike_dh_derive(struct ike_dh *dh, const uint8_t *peer, size_t len, uint8_t *secret,
		  size_t *slen);
void ike_dh_free(struct ike_dh *dh);

/* --- PRF (transform type 2) --- */

size_t ike_prf_len(uint16_t prf);
size_t ike_prf_key_len(uint16_t prf);
int ike_prf_compute(uint16_t prf, const uint8_t *key, size_t klen, const uint8_t *data,
		    size_t dlen, uint8_t *out);
int ike_prf_v(uint16_t prf, const uint8_t *key, size_t klen, const struct ike_crypto_chunk *c,
	      size_t n, uint8_t *out);
int ike_prf_plus(uint16_t prf, const uint8_t *key, size_t klen, const uint8_t *seed,
		 size_t slen, uint8_t *out, size_t len);
int ike_prf_skeyseed(uint16_t prf, const uint8_t *ni, size_t nilen, const uint8_t *nr,
		     size_t nrlen, const uint8_t *gir, size_t girlen, uint8_t *out);

/* --- The IKE SA's keys and the SK payload --- */

/**
 * struct ike_sk - an IKE SA's algorithms and keys
 * @encr: the cipher (ENCR transform)
 * @integ: the integrity algorithm; NULL with an AEAD cipher
 * @prf: the PRF
 * @encr_id: @encr's transform ID
 * @encr_keylen: @encr's Key Length attribute in bits, 0 for none
 * @prf_id: @prf's transform ID
 * @d_len: bytes of SK_d, SK_pi and SK_pr: the PRF's preferred key length
 * @a_len: bytes of SK_ai and SK_ar; 0 with AEAD
 * @e_len: bytes of SK_ei and SK_er, the salt (last bytes) included
 * @d: SK_d, the key of Child SAs' and a new IKE SA's keys
 * @ai: SK_ai, integrity of messages the original initiator sends
 * @ar: SK_ar, integrity of messages the original responder sends
 * @ei: SK_ei, encryption of messages the original initiator sends
 * @er: SK_er, encryption of messages the original responder sends
 * @pi: SK_pi, for the initiator's AUTH payload
 * @pr: SK_pr, for the responder's AUTH payload
 * @iv_next: per direction (0: initiator's messages, 1: responder's) the
 *	next explicit IV of a counter-based cipher (CTR, GCM, CCM, ChaCha20):
 *	a counter never repeats under one key, which those modes need
 *
 * Allocated by ike_sk_new(), filled by ike_sk_derive() or
 * ike_sk_derive_rekey(), wiped and freed by ike_sk_free().
 */
struct ike_sk {
	const struct ike_prop_alg *encr;
	const struct ike_prop_alg *integ;
	const struct ike_prop_alg *prf;
	uint16_t encr_id;
	uint16_t encr_keylen;
	uint16_t prf_id;
	size_t d_len;
	size_t a_len;
	size_t e_len;
	uint8_t d[IKE_SK_KEY_MAX];
	uint8_t ai[IKE_SK_KEY_MAX];
	uint8_t ar[IKE_SK_KEY_MAX];
	uint8_t ei[IKE_SK_ENCR_KEY_MAX];
	uint8_t er[IKE_SK_ENCR_KEY_MAX];
	uint8_t pi[IKE_SK_KEY_MAX];
	uint8_t pr[IKE_SK_KEY_MAX];
	uint64_t iv_next[2];
};

int ike_sk_new(const struct ike_prop *chosen, struct ike_sk **out);
int ike_sk_derive(struct ike_sk *sk, const uint8_t *gir, size_t girlen, const uint8_t *ni,
		  size_t nilen, const uint8_t *nr, size_t nrlen,
		  const uint8_t spii[IKEV2_SPI_LEN], const uint8_t spir[IKEV2_SPI_LEN]);
int ike_sk_derive_rekey(struct ike_sk *sk, const struct ike_sk *old, const uint8_t *gir,
			size_t girlen, const uint8_t *ni, size_t nilen, const uint8_t *nr,
			size_t nrlen, const uint8_t spii[IKEV2_SPI_LEN],
			const uint8_t spir[IKEV2_SPI_LEN]);
int ike_sk_child_keymat(const struct ike_sk *sk, const uint8_t *gir, size_t girlen,
			const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
			uint8_t *keymat, size_t len);
void ike_sk_free(struct ike_sk *sk);

size_t ike_sk_iv_len(const struct ike_sk *sk);
size_t ike_sk_payload_len(const struct ike_sk *sk, size_t plain_len);
int ike_sk_cipher(const struct ike_prop_alg *a, const uint8_t *key, const uint8_t *iv,
		  uint8_t *buf, size_t len, int enc);
int ike_sk_encrypt(struct ike_sk *sk, bool initiator, uint8_t *msg, size_t msg_len,
		   size_t body_off, const uint8_t *plain, size_t plain_len);
int ike_sk_decrypt(const struct ike_sk *sk, bool initiator, uint8_t *msg, size_t msg_len,
		   size_t body_off, uint8_t **plain, size_t *plain_len);

/* --- AUTH (RFC 7296 section 2.15) --- */

int ike_sk_signed_octets(const struct ike_sk *sk, bool initiator, const uint8_t *msg,
			 size_t msg_len, const uint8_t *nonce, size_t nonce_len,
			 const uint8_t *id, size_t id_len, uint8_t **out, size_t *out_len);
int ike_sk_psk_auth(const struct ike_sk *sk, const uint8_t *psk, size_t psk_len,
		    const uint8_t *octets, size_t octets_len, uint8_t *auth, size_t *auth_len);
int ike_sk_psk_verify(const struct ike_sk *sk, const uint8_t *psk, size_t psk_len,
		      const uint8_t *octets, size_t octets_len, const uint8_t *auth,
		      size_t auth_len);

/* --- NAT detection (RFC 7296 section 2.23) --- */

int ike_crypto_natd(const uint8_t spii[IKEV2_SPI_LEN], const uint8_t spir[IKEV2_SPI_LEN],
		    const struct sockaddr_storage *addr, uint8_t out[IKE_CRYPTO_NATD_LEN]);

/* --- Cookies (RFC 7296 section 2.6) --- */

/**
 * struct ike_crypto_cookie - the responder's cookie secrets
 * @version: Version ID of @secret; @prev was version - 1
 * @has_prev: whether @prev still validates cookies
 * @secret: the current secret
 * @prev: the secret before the last rotation
 */
struct ike_crypto_cookie {
	uint32_t version;
	bool has_prev;
	uint8_t secret[IKE_CRYPTO_COOKIE_SECRET_LEN];
	uint8_t prev[IKE_CRYPTO_COOKIE_SECRET_LEN];
};

int ike_crypto_cookie_init(struct ike_crypto_cookie *c);
int ike_crypto_cookie_rotate(struct ike_crypto_cookie *c);
int ike_crypto_cookie_make(const struct ike_crypto_cookie *c, const uint8_t *ni, size_t nilen,
			   const struct sockaddr_storage *ipi, const uint8_t spii[IKEV2_SPI_LEN],
			   uint8_t out[IKE_CRYPTO_COOKIE_LEN]);
int ike_crypto_cookie_check(const struct ike_crypto_cookie *c, const uint8_t *ni, size_t nilen,
			    const struct sockaddr_storage *ipi, const uint8_t spii[IKEV2_SPI_LEN],
			    const uint8_t *cookie, size_t len);
void ike_crypto_cookie_wipe(struct ike_crypto_cookie *c);

#endif /* VEIL_IKED_CRYPTO_H */
